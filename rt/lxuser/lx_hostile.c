/*
 * lx_hostile.c - a hostile user half for a split driver's kernel half in a real Linux kernel
 * (issue 15, "the kernel half never trusts the user half"; scripts/qemu-hostile.sh runs it in a
 * qemu guest, with a KASAN kernel when one is built).
 *
 * It speaks the channel of rt/linux/kcut_rt_uapi.h directly (no rt/wire.c, no driver code) and
 * sends, one case per process, what a buggy or malicious user half could: garbage headers,
 * oversize or inconsistent lengths, forged slots, unknown functions, forged / released / out-of-
 * range / wrong-type handles, oversize strings, forged device-region ids and mmap offsets, and
 * for upcalls (the driver's probe, triggered through the PCI driver's sysfs bind file) replies
 * with a wrong call id, a positive status, garbage results, an oversize length and a reply sent
 * twice for the same slot. The driver's downcall ids come from the emit's kcut_ids.h (built with
 * -I EMIT/include).
 *
 * Each case runs in a child process (the kernel kills the whole process on a protocol fault);
 * the parent prints one line per case:
 *   lx-hostile: case NAME: killed|error|accepted (detail)
 * killed: the kernel refused it as a protocol fault (SIGKILL, the ioctl failed with EPROTO);
 * error: the kernel refused it with an error (ioctl errno or a reply status) and the process
 * lives; accepted: the kernel took it (a bug when the case expects a refusal). Whether the
 * kernel also logged a line is checked by the script (dmesg per case).
 *
 *   lx_hostile NAME --list              the case names, one a line
 *   lx_hostile NAME CASE [--bind BDF --driver DRV]
 *       --bind: for the upcall cases, write BDF into /sys/bus/pci/drivers/DRV/bind once the
 *       child waits for upcalls (the probe crosses as an upcall); without it the child waits for
 *       an upcall made otherwise (e.g. the kernel half's insmod).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kcut_ids.h"
#include "kcut_rt_uapi.h"

#define HDR 24u
#define K_CALL 1u
#define K_REPLY 2u
#define FN_REGIO 0xfffffff1u
#define FN_REGINFO 0xfffffff2u
#define GFP_KERNEL_ 0xcc0u /* GFP_KERNEL of Linux 6.1 */

static int fd = -1;
static uint8_t *map;
static struct kcut_lx_info info;
static char detail[256];

/* ---- a tiny XDR encoder (big-endian words, as rt/xdr.c) ---- */
struct enc {
	uint8_t b[512];
	size_t n;
};

static void put32(struct enc *e, uint32_t v)
{
	v = htonl(v);
	memcpy(e->b + e->n, &v, 4);
	e->n += 4;
}

static void put64(struct enc *e, uint64_t v)
{
	put32(e, (uint32_t)(v >> 32));
	put32(e, (uint32_t)v);
}

/* a tracked kernel object (wire kind 1): handle, type, size, offset */
static void put_handle(struct enc *e, uint64_t h, uint32_t ty, uint32_t size, uint32_t off)
{
	put32(e, 1);
	put64(e, h);
	put32(e, ty);
	put32(e, size);
	put32(e, off);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static uint8_t *uslot(uint32_t u)
{
	return map + info.hdr_bytes + (size_t)(info.nslots_k + u) * info.slot_bytes;
}

static uint8_t *kslot(uint32_t k)
{
	return map + info.hdr_bytes + (size_t)k * info.slot_bytes;
}

static void hdr(uint8_t *p, uint32_t kind, uint32_t id, uint32_t fn, uint32_t flags, int32_t status, uint32_t plen)
{
	uint32_t w[6] = { htonl(kind), htonl(id), htonl(fn), htonl(flags), htonl((uint32_t)status), htonl(plen) };

	memcpy(p, w, sizeof(w));
}

/* A downcall with payload e in user slot 0: 0 and the reply's status in *status, or -errno. */
static int downcall_raw(uint32_t slot, uint32_t fn, const struct enc *e, uint32_t len_override, int32_t *status,
			uint8_t *reply, size_t *rlen)
{
	struct kcut_lx_msg m = { .slot = slot, .len = HDR + (uint32_t)e->n };
	uint8_t *s = uslot(slot < info.nslots_u ? slot : 0);

	hdr(s, K_CALL, 7, fn, 0, 0, (uint32_t)e->n);
	memcpy(s + HDR, e->b, e->n);
	if (len_override)
		m.len = len_override;
	if (ioctl(fd, KCUT_LX_IOC_CALL, &m))
		return -errno;
	*status = (int32_t)get32(s + 16);
	if (reply && rlen) {
		size_t n = m.len > HDR ? m.len - HDR : 0;

		if (n > *rlen)
			n = *rlen;
		memcpy(reply, s + HDR, n);
		*rlen = n;
	}
	return 0;
}

static int downcall(uint32_t fn, const struct enc *e, int32_t *status, uint8_t *reply, size_t *rlen)
{
	return downcall_raw(0, fn, e, 0, status, reply, rlen);
}

/* Record what happened to a refused / accepted downcall and return the case's exit code:
 * 10 refused with an error, 11 accepted, 12 setup failed. */
static int outcome(int rc, int32_t status, const char *what)
{
	if (rc) {
		snprintf(detail, sizeof(detail), "%s: ioctl failed: %s", what, strerror(-rc));
		return 10;
	}
	if (status) {
		snprintf(detail, sizeof(detail), "%s: reply status %d", what, status);
		return 10;
	}
	snprintf(detail, sizeof(detail), "%s: ACCEPTED (reply status 0)", what);
	return 11;
}

/* kmalloc(size) through the driver's downcall: the kernel's handle of a fresh allocation. */
static int kalloc(uint64_t size, uint64_t *h, uint32_t *ty, uint32_t *sz)
{
	struct enc e = { .n = 0 };
	uint8_t r[256];
	size_t rl = sizeof(r);
	int32_t st;
	int rc;

	put64(&e, size);
	put32(&e, GFP_KERNEL_);
	rc = downcall(KCUT_DOWN_kmalloc, &e, &st, r, &rl);
	if (rc || st || rl < 24 || get32(r) != 1) {
		snprintf(detail, sizeof(detail), "setup: kmalloc(%llu) downcall failed (rc %d status %d kind %u)",
			 (unsigned long long)size, rc, rc ? 0 : st, rl >= 4 ? get32(r) : 0);
		return -1;
	}
	*h = ((uint64_t)get32(r + 4) << 32) | get32(r + 8);
	*ty = get32(r + 12);
	*sz = get32(r + 16);
	return 0;
}

static int kfree_h(uint64_t h, uint32_t ty, uint32_t sz, uint32_t off, int32_t *st)
{
	struct enc e = { .n = 0 };

	put_handle(&e, h, ty, sz, off);
	return downcall(KCUT_DOWN_kfree, &e, st, NULL, NULL);
}

/* ---- the cases ---- */

static int c_bad_header(void)
{
	struct kcut_lx_msg m = { .slot = 0, .len = HDR + 8 };

	memset(uslot(0), 0xa5, HDR + 8);
	if (ioctl(fd, KCUT_LX_IOC_CALL, &m))
		return outcome(-errno, 0, "a downcall with a garbage header");
	return outcome(0, (int32_t)get32(uslot(0) + 16), "a downcall with a garbage header");
}

static int c_len_mismatch(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc;

	put32(&e, 0);
	/* the header says 1000 payload bytes, the message has 4 */
	hdr(uslot(0), K_CALL, 7, KCUT_DOWN_kfree, 0, 0, 1000);
	memcpy(uslot(0) + HDR, e.b, e.n);
	{
		struct kcut_lx_msg m = { .slot = 0, .len = HDR + 4 };

		rc = ioctl(fd, KCUT_LX_IOC_CALL, &m) ? -errno : 0;
		if (!rc)
			st = (int32_t)get32(uslot(0) + 16);
	}
	return outcome(rc, st, "a header whose payload length disagrees with the message length");
}

static int c_oversize_msg(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc = downcall_raw(0, KCUT_DOWN_kfree, &e, info.slot_bytes + 1, &st, NULL, NULL);

	return outcome(rc, st, "a downcall one byte longer than a slot");
}

static int c_forged_slot(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc;

	put32(&e, 0);
	rc = downcall_raw(info.nslots_u + 1000, KCUT_DOWN_kfree, &e, 0, &st, NULL, NULL);
	return outcome(rc, st, "a downcall naming a user slot that does not exist");
}

static int c_flags(void)
{
	struct enc e = { .n = 0 };
	struct kcut_lx_msg m = { .slot = 0, .len = HDR + 4 };
	int rc;

	put32(&e, 0);
	hdr(uslot(0), K_CALL, 7, KCUT_DOWN_kfree, 1 /* a release trailer: only the kernel sends one */, 0, 4);
	memcpy(uslot(0) + HDR, e.b, e.n);
	rc = ioctl(fd, KCUT_LX_IOC_CALL, &m) ? -errno : 0;
	return outcome(rc, rc ? 0 : (int32_t)get32(uslot(0) + 16), "a downcall with message flags set");
}

static int c_unknown_fn(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc = downcall(info.nfns + 5, &e, &st, NULL, NULL);

	return outcome(rc, st, "a downcall of a function id the kernel half does not have");
}

static int c_truncated_args(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc;

	put32(&e, 1); /* kind 1 (a handle) and nothing after it */
	rc = downcall(KCUT_DOWN_kfree, &e, &st, NULL, NULL);
	return outcome(rc, st, "kfree with its handle cut short");
}

static int c_extra_args(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc;

	put64(&e, 1);     /* msleep(1) ... */
	put32(&e, 0xdead); /* ... and 4 bytes too many (msleep takes a u32: the first word is 0) */
	put32(&e, 0xbeef);
	rc = downcall(KCUT_DOWN_msleep, &e, &st, NULL, NULL);
	return outcome(rc, st, "msleep with bytes after its argument");
}

static int c_forged_handle(void)
{
	int32_t st = 0;
	int rc = kfree_h(0x5eed0000deadbeefull, 0, 64, 0, &st);

	return outcome(rc, st, "kfree of a forged handle");
}

static int c_double_free(void)
{
	uint64_t h;
	uint32_t ty, sz;
	int32_t st = 0;
	int rc;

	if (kalloc(64, &h, &ty, &sz))
		return 12;
	rc = kfree_h(h, ty, sz, 0, &st);
	if (rc || st) {
		snprintf(detail, sizeof(detail), "setup: the first kfree of handle %#llx failed (rc %d status %d)",
			 (unsigned long long)h, rc, st);
		return 12;
	}
	rc = kfree_h(h, ty, sz, 0, &st);
	return outcome(rc, st, "kfree of a handle already freed (a double free)");
}

static int c_interior_free(void)
{
	uint64_t h;
	uint32_t ty, sz;
	int32_t st = 0;
	int rc;

	if (kalloc(64, &h, &ty, &sz))
		return 12;
	rc = kfree_h(h, ty, sz, 8, &st);
	return outcome(rc, st, "kfree of a pointer 8 bytes into an allocation");
}

static int c_offset_past_end(void)
{
	uint64_t h;
	uint32_t ty, sz;
	int32_t st = 0;
	int rc;

	if (kalloc(64, &h, &ty, &sz))
		return 12;
	rc = kfree_h(h, ty, sz, 4096, &st);
	return outcome(rc, st, "a handle with an offset past the object's end");
}

static int c_bit_past_end(void)
{
	struct enc e = { .n = 0 };
	uint64_t h;
	uint32_t ty, sz;
	int32_t st = 0;
	int rc;

	if (kalloc(16, &h, &ty, &sz))
		return 12;
	put64(&e, 16 * 8 + 64 * 8); /* bit 640 of a 16-byte object */
	put32(&e, 1);              /* the word by reference ... */
	put_handle(&e, h, ty, sz, 8); /* ... the object's second word */
	rc = downcall(KCUT_DOWN_set_bit, &e, &st, NULL, NULL);
	return outcome(rc, st, "set_bit of bit 640 in a 16-byte object");
}

static int c_negative_bit(void)
{
	struct enc e = { .n = 0 };
	uint64_t h;
	uint32_t ty, sz;
	int32_t st = 0;
	int rc;

	if (kalloc(16, &h, &ty, &sz))
		return 12;
	put64(&e, (uint64_t)-64);
	put32(&e, 1);
	put_handle(&e, h, ty, sz, 8);
	rc = downcall(KCUT_DOWN_set_bit, &e, &st, NULL, NULL);
	return outcome(rc, st, "set_bit of bit -64 (before the object)");
}

static int c_oversize_string(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc;

	put32(&e, 1);          /* a string is there */
	put32(&e, 0);          /* by value */
	put32(&e, 0x7fffffff); /* of 2 GiB, and 8 bytes follow */
	put64(&e, 0x4141414141414141ull);
	rc = downcall(KCUT_DOWN__printk, &e, &st, NULL, NULL);
	return outcome(rc, st, "_printk with a string length of 2 GiB");
}

static int c_oversize_alloc(void)
{
	struct enc e = { .n = 0 };
	uint8_t r[64];
	size_t rl = sizeof(r);
	int32_t st = 0;
	int rc;

	put64(&e, 1ull << 40);
	put32(&e, GFP_KERNEL_);
	rc = downcall(KCUT_DOWN_kmalloc, &e, &st, r, &rl);
	if (!rc && !st && rl >= 4 && get32(r) == 0) {
		snprintf(detail, sizeof(detail), "kmalloc of 1 TiB: refused (the kernel half answered NULL)");
		return 10;
	}
	return outcome(rc, st, "kmalloc of 1 TiB");
}

static void put_str(struct enc *e, const char *str)
{
	size_t n = strlen(str);

	put32(e, 1); /* present */
	put32(e, 0); /* by value */
	put32(e, (uint32_t)n);
	memcpy(e->b + e->n, str, n);
	memset(e->b + e->n + n, 0, (4 - n % 4) % 4);
	e->n += (n + 3) / 4 * 4;
}

/*
 * Known bugs (open; scripts/qemu-hostile.sh --known-bug): messages the kernel half accepts and
 * then reads or writes past a buffer. The kernel must refuse them; until it does, KASAN reports
 * them.
 *
 * eeprom-overflow: e1000_do_read_eeprom(hw, offset, words, data) is a downcall whose data buffer
 * crosses as ONE u16 (the handler passes &one_u16 on its stack) while words comes from the user
 * half; mac_type is one of the hw fields the user half sends, and with e1000_ce4100 the function
 * copies `words` u16 into data without any bound (GBE_CONFIG_FLASH_READ): a kernel stack overflow
 * the user half sizes. 4 words here (6 bytes past the buffer). (e1000_do_write_eeprom is the
 * same with a write of the kernel stack to physical memory at 0x60000 + offset: not run.)
 * hw is a kmalloc'd block of the user half's, which takes the type e1000_hw at its first typed use.
 */
static int c_eeprom_overflow(void)
{
	struct enc e = { .n = 0 };
	uint8_t r[64];
	size_t rl = sizeof(r);
	uint64_t h;
	uint32_t ty, sz;
	int32_t st = 0;
	int rc;

	if (kalloc(4096, &h, &ty, &sz))
		return 12;
	put_handle(&e, h, ty, sz, 0);
	put32(&e, 1); /* hw's in-fields follow */
	put32(&e, 9); /* mac_type = e1000_ce4100 */
	put32(&e, 0); /* offset */
	put32(&e, 4); /* words */
	put32(&e, 1); /* data: present, one u16 by value */
	put32(&e, 0);
	rc = downcall(KCUT_DOWN_e1000_do_read_eeprom, &e, &st, r, &rl);
	return outcome(rc, st, "e1000_do_read_eeprom of 4 words into its one-u16 buffer (mac_type ce4100)");
}

/* hexdump-overread: print_hex_dump(level, prefix, type, rowsize, groupsize, buf, len, ascii). Its
 * buf crossed as any pointer (need 1 byte) with len unchecked: 64 bytes of a 16-byte allocation
 * were read (and printed to the kernel log). Now buf crosses as len bytes by value, after len
 * (emitter/kapi.c em_sized_param; rt's kc_wire_get_array): this sends len 64 and 16 bytes. */
static int c_hexdump_overread(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc;

	put_str(&e, "\0013");
	put_str(&e, "lx-hostile: ");
	put32(&e, 0);  /* DUMP_PREFIX_NONE */
	put32(&e, 16); /* rowsize */
	put32(&e, 1);  /* groupsize */
	put32(&e, 1);  /* buf: present */
	put64(&e, 64); /* len: 4 times what follows */
	memset(e.b + e.n, 0x41, 16);
	e.n += 16;     /* 16 bytes of buf */
	put32(&e, 0);  /* ascii */
	rc = downcall(KCUT_DOWN_print_hex_dump, &e, &st, NULL, NULL);
	return outcome(rc, st, "print_hex_dump of 64 bytes with 16 sent");
}

static int c_reginfo_forged(void)
{
	struct enc e = { .n = 0 };
	int32_t st = 0;
	int rc;

	put32(&e, 0x00770001);
	rc = downcall(FN_REGINFO, &e, &st, NULL, NULL);
	return outcome(rc, st, "REGINFO of a forged region id");
}

static int c_regio_forged(void)
{
	struct enc e = { .n = 0 };
	int i, rc;
	int32_t st = 0;

	put32(&e, 1); /* one register operation, on a region that does not exist */
	for (i = 0; i < 6; i++)
		put32(&e, 0x00770001u + (uint32_t)i);
	rc = downcall(FN_REGIO, &e, &st, NULL, NULL);
	return outcome(rc, st, "a forwarded register batch on a forged region");
}

static int c_mmap_forged(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)KCUT_LX_MMAP_REGION(5));

	if (p == MAP_FAILED) {
		snprintf(detail, sizeof(detail), "mmap of region token 5 (never exported): %s", strerror(errno));
		return 10;
	}
	snprintf(detail, sizeof(detail), "mmap of region token 5 (never exported): ACCEPTED");
	return 11;
}

static int c_mmap_odd(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096 * 3);

	if (p == MAP_FAILED) {
		snprintf(detail, sizeof(detail), "mmap at offset 0x3000 (inside no region): %s", strerror(errno));
		return 10;
	}
	snprintf(detail, sizeof(detail), "mmap at offset 0x3000 (inside no region): ACCEPTED");
	return 11;
}

static int c_mmap_chan_big(void)
{
	void *p = mmap(NULL, info.map_bytes * 2, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		snprintf(detail, sizeof(detail), "mmap of the channel at twice its size: %s", strerror(errno));
		return 10;
	}
	snprintf(detail, sizeof(detail), "mmap of the channel at twice its size: ACCEPTED");
	return 11;
}

static int c_reply_unserved(void)
{
	struct kcut_lx_msg m = { .slot = 3, .len = HDR };

	hdr(kslot(3), K_REPLY, 1, 0, 0, -3, 0);
	if (ioctl(fd, KCUT_LX_IOC_REPLY, &m))
		return outcome(-errno, 0, "a reply on a kernel slot with no upcall");
	return outcome(0, 0, "a reply on a kernel slot with no upcall");
}

static int c_reply_forged_slot(void)
{
	struct kcut_lx_msg m = { .slot = info.nslots_k + 40, .len = HDR };

	if (ioctl(fd, KCUT_LX_IOC_REPLY, &m))
		return outcome(-errno, 0, "a reply on a kernel slot that does not exist");
	return outcome(0, 0, "a reply on a kernel slot that does not exist");
}

#ifdef KCUT_LX_IOC_TYPES
/* The layout table of KCUT_LX_IOC_TYPES (UAPI 3): too many entries, a bad address, garbage. */
static int types_call(uint64_t table, uint32_t n, const char *what)
{
	struct kcut_lx_types t = { .table = table, .n = n };

	if (ioctl(fd, KCUT_LX_IOC_TYPES, &t))
		return outcome(-errno, 0, what);
	return outcome(0, 0, what);
}

static int c_types_oversize(void)
{
	static uint64_t tab[4];

	return types_call((uint64_t)(uintptr_t)tab, KCUT_LX_LAYOUT_MAX + 1, "a layout table of KCUT_LX_LAYOUT_MAX + 1 entries");
}

static int c_types_badptr(void)
{
	return types_call(0x10, 64, "a layout table at address 0x10");
}

static int c_types_garbage(void)
{
	static uint64_t tab[64];

	for (unsigned i = 0; i < 64; i++)
		tab[i] = 0x5eed5eed00000000ull + i * 0x10001ull;
	return types_call((uint64_t)(uintptr_t)tab, 64, "a layout table of 64 garbage entries");
}
#endif

/* Upcall cases: wait for one upcall, answer it badly. */
static int wait_upcall(uint32_t *slot, uint32_t w[6])
{
	alarm(60);
	for (;;) {
		if (ioctl(fd, KCUT_LX_IOC_WAIT, slot) == 0)
			break;
		if (errno != EAGAIN && errno != EINTR) {
			snprintf(detail, sizeof(detail), "setup: KCUT_LX_IOC_WAIT: %s", strerror(errno));
			return -1;
		}
	}
	if (*slot >= info.nslots_k) {
		snprintf(detail, sizeof(detail), "setup: the kernel named slot %u", *slot);
		return -1;
	}
	memcpy(w, kslot(*slot), 24);
	for (int i = 0; i < 6; i++)
		w[i] = ntohl(w[i]);
	printf("lx-hostile: upcall fn %u id %u payload %u bytes in slot %u\n", w[2], w[1], w[5], *slot);
	fflush(stdout);
	return 0;
}

static int reply(uint32_t slot, uint32_t id, uint32_t fn, int32_t status, const uint8_t *payload, uint32_t plen,
		 uint32_t len_override)
{
	struct kcut_lx_msg m = { .slot = slot, .len = HDR + plen };

	hdr(kslot(slot), K_REPLY, id, fn, 0, status, plen);
	if (plen)
		memcpy(kslot(slot) + HDR, payload, plen);
	if (len_override)
		m.len = len_override;
	return ioctl(fd, KCUT_LX_IOC_REPLY, &m) ? -errno : 0;
}

static int c_up(const char *how)
{
	uint32_t slot, w[6];
	uint8_t junk[64];
	int rc;

	if (wait_upcall(&slot, w))
		return 12;
	memset(junk, 0xa5, sizeof(junk));
	if (!strcmp(how, "wrong-id"))
		rc = reply(slot, w[1] + 1000, w[2], -3, NULL, 0, 0);
	else if (!strcmp(how, "positive-status"))
		rc = reply(slot, w[1], w[2], 7, NULL, 0, 0);
	else if (!strcmp(how, "garbage-results"))
		rc = reply(slot, w[1], w[2], 0, junk, sizeof(junk), 0);
	else if (!strcmp(how, "oversize"))
		rc = reply(slot, w[1], w[2], 0, junk, sizeof(junk), info.slot_bytes + 4096);
	else { /* twice: a well-formed error reply, then the same slot again */
		rc = reply(slot, w[1], w[2], -3, NULL, 0, 0);
		if (rc) {
			snprintf(detail, sizeof(detail), "setup: the first reply failed: %s", strerror(-rc));
			return 12;
		}
		usleep(200000);
		rc = reply(slot, w[1], w[2], -3, NULL, 0, 0);
	}
	if (rc)
		return outcome(rc, 0, how);
	/* the kernel took the reply: the refusal, if any, comes as a fault of this process (SIGKILL)
	 * when the caller reads it; wait a little for it */
	sleep(3);
	snprintf(detail, sizeof(detail), "reply %s: ACCEPTED (the process was not ended)", how);
	return 11;
}

struct hcase {
	const char *name;
	int (*fn)(void);
	const char *up; /* upcall cases: the bad reply */
};

static const struct hcase cases[] = {
	{ "bad-header", c_bad_header, NULL },
	{ "len-mismatch", c_len_mismatch, NULL },
	{ "oversize-msg", c_oversize_msg, NULL },
	{ "forged-slot", c_forged_slot, NULL },
	{ "msg-flags", c_flags, NULL },
	{ "unknown-fn", c_unknown_fn, NULL },
	{ "truncated-args", c_truncated_args, NULL },
	{ "extra-args", c_extra_args, NULL },
	{ "forged-handle", c_forged_handle, NULL },
	{ "double-free", c_double_free, NULL },
	{ "interior-free", c_interior_free, NULL },
	{ "offset-past-end", c_offset_past_end, NULL },
	{ "bit-past-end", c_bit_past_end, NULL },
	{ "negative-bit", c_negative_bit, NULL },
	{ "oversize-string", c_oversize_string, NULL },
	{ "oversize-alloc", c_oversize_alloc, NULL },
	{ "reginfo-forged", c_reginfo_forged, NULL },
	{ "regio-forged", c_regio_forged, NULL },
	{ "mmap-forged-region", c_mmap_forged, NULL },
	{ "mmap-odd-offset", c_mmap_odd, NULL },
	{ "mmap-chan-oversize", c_mmap_chan_big, NULL },
#ifdef KCUT_LX_IOC_TYPES
	{ "types-oversize", c_types_oversize, NULL },
	{ "types-badptr", c_types_badptr, NULL },
	{ "types-garbage", c_types_garbage, NULL },
#endif
	{ "reply-unserved-slot", c_reply_unserved, NULL },
	{ "reply-forged-slot", c_reply_forged_slot, NULL },
	{ "up-wrong-id", NULL, "wrong-id" },
	{ "up-positive-status", NULL, "positive-status" },
	{ "up-garbage-results", NULL, "garbage-results" },
	{ "up-oversize-reply", NULL, "oversize" },
	{ "up-double-reply", NULL, "twice" },
	/* known bugs (see above): listed after the others, run last */
	{ "eeprom-overflow", c_eeprom_overflow, NULL },
	{ "hexdump-overread", c_hexdump_overread, NULL },
};

static int connect_dev(const char *name)
{
	char path[128];
	int i;

	snprintf(path, sizeof(path), "/dev/kcut-%s", name);
	for (i = 0; i < 300 && fd < 0; i++) {
		fd = open(path, O_RDWR);
		if (fd < 0 && errno != ENOENT && errno != EBUSY)
			break;
		if (fd < 0)
			usleep(100000);
	}
	if (fd < 0) {
		snprintf(detail, sizeof(detail), "setup: %s: %s", path, strerror(errno));
		return -1;
	}
	if (ioctl(fd, KCUT_LX_IOC_INFO, &info) || info.magic != KCUT_LX_MAGIC || info.version != KCUT_LX_VERSION) {
		snprintf(detail, sizeof(detail), "setup: KCUT_LX_IOC_INFO: not a kcut_rt.ko device of version %u",
			 KCUT_LX_VERSION);
		return -1;
	}
	map = mmap(NULL, info.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(detail, sizeof(detail), "setup: mmap of the channel: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct hcase *c = NULL;
	const char *bind = NULL, *drv = NULL;
	int pfd[2], st, i;
	pid_t pid;
	char ok;

	if (argc < 3) {
		fprintf(stderr, "usage: lx_hostile NAME --list | CASE [--bind BDF --driver DRV]\n");
		return 2;
	}
	if (!strcmp(argv[2], "--list")) {
		for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++)
		if (!strcmp(cases[i].name, argv[2]))
			c = &cases[i];
	for (i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bind"))
			bind = argv[i + 1];
		else if (!strcmp(argv[i], "--driver"))
			drv = argv[i + 1];
	}
	if (!c || (bind && !drv)) {
		fprintf(stderr, "lx_hostile: unknown case '%s' or --bind without --driver (try --list)\n", argv[2]);
		return 2;
	}
	if (pipe(pfd))
		return 2;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		int code;

		close(pfd[0]);
		code = connect_dev(argv[1]) ? 12 : 0;
		ok = 1;
		if (write(pfd[1], &ok, 1) != 1)
			_exit(12);
		if (!code)
			code = c->fn ? c->fn() : c_up(c->up);
		/* the detail goes to the parent through stdout, one line */
		printf("lx-hostile: child: %s\n", detail);
		fflush(stdout);
		_exit(code);
	}
	close(pfd[1]);
	if (read(pfd[0], &ok, 1) == 1 && bind) {
		char path[256];
		int b;

		usleep(300000); /* the child is in KCUT_LX_IOC_WAIT by now */
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", drv);
		b = open(path, O_WRONLY);
		if (b < 0 || write(b, bind, strlen(bind)) < 0)
			printf("lx-hostile: bind %s to %s: %s (the probe failed or did not run)\n", bind, drv, strerror(errno));
		else
			printf("lx-hostile: bind %s to %s: the probe succeeded\n", bind, drv);
		if (b >= 0)
			close(b);
	}
	if (waitpid(pid, &st, 0) != pid)
		return 2;
	if (WIFSIGNALED(st))
		printf("lx-hostile: case %s: %s (signal %d%s)\n", c->name,
		       WTERMSIG(st) == SIGKILL ? "killed" : "crashed", WTERMSIG(st),
		       WTERMSIG(st) == SIGKILL ? ": refused as a protocol fault" : "");
	else if (WEXITSTATUS(st) == 10)
		printf("lx-hostile: case %s: error (refused, the process lives)\n", c->name);
	else if (WEXITSTATUS(st) == 11)
		printf("lx-hostile: case %s: accepted\n", c->name);
	else
		printf("lx-hostile: case %s: setup-failed (exit %d)\n", c->name, WEXITSTATUS(st));
	return 0;
}
