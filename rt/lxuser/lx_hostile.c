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
 * twice for the same slot, downcalls trickled during an upcall past the call timeout (the kernel
 * must keep waiting: up-trickle) and past the wait's cap (the kernel must end it: up-trickle-cap);
 * and, against the test module kcut_lx_givetest.ko (/dev/kcut-give,
 * tests/linux/guest/givetest), handles of socket buffers the stack freed or an ifdown freed
 * (stale-skb-*), and INIT_WORK / INIT_DELAYED_WORK / INIT_LIST_HEAD on a work the kernel has queued
 * or a list it uses (init-*). The driver's downcall ids come from the emit's kcut_ids.h (built with
 * -I EMIT/include), the test module's from kcut_lx_givetest.h (-I tests/linux/guest/givetest).
 * Most cases are rows of a table (one downcall each: function, argument writer, what to make first).
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
#include "kcut_lx_givetest.h" /* the test module's downcalls (tests/linux/guest/givetest) */
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

/*
 * Most cases are one downcall whose arguments are the attack: a table row (struct hcase, below)
 * names the function, the argument writer and what the row needs first (a fresh kmalloc'd object
 * whose handle the writer uses, a forged slot, a message length past the slot); run_down does the
 * rest. The others (several steps, upcalls, mmap, the layout table, the test module's skbs) have a
 * function of their own.
 */

/* What a row's argument writer gets: the object it asked for (kmalloc'd by the kernel half). */
struct obj {
	uint64_t h;
	uint32_t ty, sz;
};

static void a_none(struct enc *e, const struct obj *o)
{
	(void)e;
	(void)o;
}

static void a_null(struct enc *e, const struct obj *o)
{
	(void)o;
	put32(e, 0);
}

static void a_truncated(struct enc *e, const struct obj *o)
{
	(void)o;
	put32(e, 1); /* kind 1 (a handle) and nothing after it */
}

static void a_extra(struct enc *e, const struct obj *o)
{
	(void)o;
	put64(e, 1);       /* msleep(1) ... */
	put32(e, 0xdead);  /* ... and 4 bytes too many (msleep takes a u32: the first word is 0) */
	put32(e, 0xbeef);
}

static void a_forged(struct enc *e, const struct obj *o)
{
	(void)o;
	put_handle(e, 0x5eed0000deadbeefull, 0, 64, 0);
}

static void a_interior(struct enc *e, const struct obj *o)
{
	put_handle(e, o->h, o->ty, o->sz, 8);
}

static void a_past_end(struct enc *e, const struct obj *o)
{
	put_handle(e, o->h, o->ty, o->sz, 4096);
}

static void a_bit_past(struct enc *e, const struct obj *o)
{
	put64(e, 16 * 8 + 64 * 8);          /* bit 640 of a 16-byte object */
	put32(e, 1);                        /* the word by reference ... */
	put_handle(e, o->h, o->ty, o->sz, 8); /* ... the object's second word */
}

static void a_bit_negative(struct enc *e, const struct obj *o)
{
	put64(e, (uint64_t)-64);
	put32(e, 1);
	put_handle(e, o->h, o->ty, o->sz, 8);
}

static void a_big_string(struct enc *e, const struct obj *o)
{
	(void)o;
	put32(e, 1);          /* a string is there */
	put32(e, 0);          /* by value */
	put32(e, 0x7fffffff); /* of 2 GiB, and 8 bytes follow */
	put64(e, 0x4141414141414141ull);
}

static void a_big_alloc(struct enc *e, const struct obj *o)
{
	(void)o;
	put64(e, 1ull << 40);
	put32(e, GFP_KERNEL_);
}

static void a_reginfo(struct enc *e, const struct obj *o)
{
	(void)o;
	put32(e, 0x00770001);
}

static void a_regio(struct enc *e, const struct obj *o)
{
	(void)o;
	put32(e, 1); /* one register operation, on a region that does not exist */
	for (uint32_t i = 0; i < 6; i++)
		put32(e, 0x00770001u + i);
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
static void a_eeprom(struct enc *e, const struct obj *o)
{
	put_handle(e, o->h, o->ty, o->sz, 0);
	put32(e, 1); /* hw's in-fields follow */
	put32(e, 9); /* mac_type = e1000_ce4100 */
	put32(e, 0); /* offset */
	put32(e, 4); /* words */
	put32(e, 1); /* data: present, one u16 by value */
	put32(e, 0);
}

/* hexdump-overread: print_hex_dump(level, prefix, type, rowsize, groupsize, buf, len, ascii). Its
 * buf crossed as any pointer (need 1 byte) with len unchecked: 64 bytes of a 16-byte allocation
 * were read (and printed to the kernel log). Now buf crosses as len bytes by value, after len
 * (emitter/kapi.c em_sized_param; rt's kc_wire_get_array): this sends len 64 and 16 bytes. */
static void a_hexdump(struct enc *e, const struct obj *o)
{
	(void)o;
	put_str(e, "\0013");
	put_str(e, "lx-hostile: ");
	put32(e, 0);  /* DUMP_PREFIX_NONE */
	put32(e, 16); /* rowsize */
	put32(e, 1);  /* groupsize */
	put32(e, 1);  /* buf: present */
	put64(e, 64); /* len: 4 times what follows */
	memset(e->b + e->n, 0x41, 16);
	e->n += 16;   /* 16 bytes of buf */
	put32(e, 0);  /* ascii */
}

/* A downcall row's variations of the message itself. */
enum {
	M_SLOT_FORGED = 1,  /* a user slot that does not exist */
	M_LEN_PAST = 2,     /* one byte longer than a slot */
	M_HDR_PLEN = 4,     /* the header's payload length says 1000 */
	M_HDR_FLAGS = 8,    /* the header carries flags (a release trailer: only the kernel sends one) */
	M_NULL_REFUSED = 16, /* a reply whose first word is a NULL pointer is the refusal (kmalloc) */
};
#define FN_UNKNOWN 0xffffffffu /* the function id past the kernel half's last (info.nfns + 5) */

struct hcase {
	const char *name;
	/* a downcall row: fn, args, the object to make first (alloc bytes, 0: none), M_* */
	uint32_t fn;
	void (*args)(struct enc *e, const struct obj *o);
	uint64_t alloc;
	unsigned msg;
	const char *what;
	/* or a case of its own */
	int (*run)(const struct hcase *c);
	const char *up;  /* or an upcall case: the bad reply */
	const char *dev; /* the device, when not the driver's: a test module's (/dev/kcut-DEV) */
	int unlisted;    /* not in --list (run by name only: a control) */
};

/* A downcall row. */
static int run_down(const struct hcase *c)
{
	struct enc e = { .n = 0 };
	struct obj o = { 0, 0, 0 };
	uint32_t fn = c->fn == FN_UNKNOWN ? info.nfns + 5 : c->fn;
	uint32_t slot = (c->msg & M_SLOT_FORGED) ? info.nslots_u + 1000 : 0;
	uint8_t r[64];
	size_t rl = sizeof(r);
	int32_t st = 0;
	int rc;

	if (c->alloc && kalloc(c->alloc, &o.h, &o.ty, &o.sz))
		return 12;
	c->args(&e, &o);
	if (c->msg & (M_HDR_PLEN | M_HDR_FLAGS)) {
		struct kcut_lx_msg m = { .slot = 0, .len = HDR + (uint32_t)e.n };

		hdr(uslot(0), K_CALL, 7, fn, (c->msg & M_HDR_FLAGS) ? 1 : 0, 0,
		    (c->msg & M_HDR_PLEN) ? 1000 : (uint32_t)e.n);
		memcpy(uslot(0) + HDR, e.b, e.n);
		rc = ioctl(fd, KCUT_LX_IOC_CALL, &m) ? -errno : 0;
		if (!rc)
			st = (int32_t)get32(uslot(0) + 16);
	} else {
		rc = downcall_raw(slot, fn, &e, (c->msg & M_LEN_PAST) ? info.slot_bytes + 1 : 0, &st, r, &rl);
	}
	if ((c->msg & M_NULL_REFUSED) && !rc && !st && rl >= 4 && get32(r) == 0) {
		snprintf(detail, sizeof(detail), "%s: refused (the kernel half answered NULL)", c->what);
		return 10;
	}
	return outcome(rc, st, c->what);
}

static int c_bad_header(const struct hcase *c)
{
	struct kcut_lx_msg m = { .slot = 0, .len = HDR + 8 };

	memset(uslot(0), 0xa5, HDR + 8);
	if (ioctl(fd, KCUT_LX_IOC_CALL, &m))
		return outcome(-errno, 0, c->what);
	return outcome(0, (int32_t)get32(uslot(0) + 16), c->what);
}

static int c_double_free(const struct hcase *c)
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
	return outcome(rc, st, c->what);
}

/* mmap cases: MAP_FAILED is the refusal */
static int c_mmap(const struct hcase *c, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED) {
		snprintf(detail, sizeof(detail), "%s: %s", c->what, strerror(errno));
		return 10;
	}
	snprintf(detail, sizeof(detail), "%s: ACCEPTED", c->what);
	return 11;
}

static int c_mmap_forged(const struct hcase *c)
{
	return c_mmap(c, 4096, (off_t)KCUT_LX_MMAP_REGION(5));
}

static int c_mmap_odd(const struct hcase *c)
{
	return c_mmap(c, 4096, 4096 * 3);
}

static int c_mmap_chan_big(const struct hcase *c)
{
	return c_mmap(c, info.map_bytes * 2, 0);
}

/* replies on kernel slots no upcall waits on */
static int c_reply_slot(const struct hcase *c, uint32_t slot)
{
	struct kcut_lx_msg m = { .slot = slot, .len = HDR };

	if (slot < info.nslots_k)
		hdr(kslot(slot), K_REPLY, 1, 0, 0, -3, 0);
	if (ioctl(fd, KCUT_LX_IOC_REPLY, &m))
		return outcome(-errno, 0, c->what);
	return outcome(0, 0, c->what);
}

static int c_reply_unserved(const struct hcase *c)
{
	return c_reply_slot(c, 3);
}

static int c_reply_forged_slot(const struct hcase *c)
{
	return c_reply_slot(c, info.nslots_k + 40);
}

#ifdef KCUT_LX_IOC_TYPES
/* The layout table of KCUT_LX_IOC_TYPES (UAPI 3): too many entries, a bad address, garbage. */
static int types_call(const struct hcase *c, uint64_t table, uint32_t n)
{
	struct kcut_lx_types t = { .table = table, .n = n };

	if (ioctl(fd, KCUT_LX_IOC_TYPES, &t))
		return outcome(-errno, 0, c->what);
	return outcome(0, 0, c->what);
}

static int c_types_oversize(const struct hcase *c)
{
	static uint64_t tab[4];

	return types_call(c, (uint64_t)(uintptr_t)tab, KCUT_LX_LAYOUT_MAX + 1);
}

static int c_types_badptr(const struct hcase *c)
{
	return types_call(c, 0x10, 64);
}

static int c_types_garbage(const struct hcase *c)
{
	static uint64_t tab[64];

	for (unsigned i = 0; i < 64; i++)
		tab[i] = 0x5eed5eed00000000ull + i * 0x10001ull;
	return types_call(c, (uint64_t)(uintptr_t)tab, 64);
}
#endif

/*
 * Stale socket buffers (the test module kcut_lx_givetest.ko, /dev/kcut-give; the kernel half's
 * frees and ownership transfers, rt/linux/kcut_frees.h): the kernel half makes an skb and the user
 * half gets its handle; then the skb goes away -- handed to the network stack, which frees it at
 * once, or freed by an "ifdown" under a spinlock -- and the user half names the handle again. The
 * kernel must refuse it (a fault of the user half: killed, logged), never read the freed skb. In
 * atomic context the tracker forgets only when rt/linux's worker runs (qemu-hostile.sh delays it,
 * kcut_rt.ko's defer_ms): the cases without "-later" name the handle inside that window, the
 * "-later" ones after it. stale-skb-control (not listed) hands the skb over with the kernel's
 * netif_rx itself, bypassing kcut_frees.h: the handle then resolves to freed memory (accepted;
 * KASAN reports the read). It shows the cases can fail.
 */
static int give_make(struct obj *o)
{
	struct enc e = { .n = 0 };
	uint8_t r[64];
	size_t rl = sizeof(r);
	int32_t st;
	int rc = downcall(KCUT_GIVE_MAKE, &e, &st, r, &rl);

	if (rc || st || rl < 24 || get32(r) != 1) {
		snprintf(detail, sizeof(detail), "setup: make downcall failed (rc %d status %d kind %u)", rc, rc ? 0 : st,
			 rl >= 4 ? get32(r) : 0);
		return -1;
	}
	o->h = ((uint64_t)get32(r + 4) << 32) | get32(r + 8);
	o->ty = get32(r + 12);
	o->sz = get32(r + 16);
	return 0;
}

/* A downcall of the test module on skb o (+ a u32 when how >= 0); setup failures are 12. */
static int give_call(uint32_t fn, const struct obj *o, int how, const char *what)
{
	struct enc e = { .n = 0 };
	int32_t st;
	int rc;

	if (o)
		put_handle(&e, o->h, o->ty, o->sz, 0);
	if (how >= 0)
		put32(&e, (uint32_t)how);
	rc = downcall(fn, &e, &st, NULL, NULL);
	if (rc || st) {
		snprintf(detail, sizeof(detail), "setup: %s failed (rc %d status %d)", what, rc, rc ? 0 : st);
		return -1;
	}
	return 0;
}

/* skb->len through handle o: the attack (reply: u32 len). */
static int give_len(const struct hcase *c, const struct obj *o)
{
	struct enc e = { .n = 0 };
	uint8_t r[16];
	size_t rl = sizeof(r);
	int32_t st = 0;
	int rc;

	put_handle(&e, o->h, o->ty, o->sz, 0);
	rc = downcall(KCUT_GIVE_LEN, &e, &st, r, &rl);
	if (!rc && !st) {
		snprintf(detail, sizeof(detail), "%s: ACCEPTED (skb->len read as %u)", c->what, rl >= 4 ? get32(r) : 0);
		return 11;
	}
	return outcome(rc, st, c->what);
}

/* kcut_rt.ko's defer_ms (0 when unreadable). */
static unsigned defer_ms(void)
{
	FILE *f = fopen("/sys/module/kcut_rt/parameters/defer_ms", "r");
	unsigned v = 0;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int c_stale_skb(const struct hcase *c)
{
	struct obj o, other;
	int later = strstr(c->name, "-later") != NULL;

	if (give_make(&o))
		return 12;
	if (strstr(c->name, "ifdown")) {
		/* two more skbs the "ifdown" frees with it; the handle named is the middle one's */
		if (give_make(&other) || give_make(&o) || give_make(&other) ||
		    give_call(KCUT_GIVE_DOWN, NULL, -1, "the ifdown downcall"))
			return 12;
	} else if (strstr(c->name, "control")) {
		if (give_call(KCUT_GIVE_RAW, &o, -1, "the give_raw downcall"))
			return 12;
	} else {
		if (give_call(KCUT_GIVE_GIVE, &o, strstr(c->name, "atomic") ? KCUT_GIVE_ATOMIC : KCUT_GIVE_PROCESS,
			      "the give downcall"))
			return 12;
	}
	if (later)
		usleep((useconds_t)defer_ms() * 1000 + 1500000); /* the worker has forgotten it */
	return give_len(c, &o);
}

/*
 * Work items and list heads the kernel uses (issue 14; the test module's handlers are those of an
 * emitted kernel half, kcut_frees.h's macros): INIT_WORK on a work the kernel has queued (behind a
 * blocked one), INIT_DELAYED_WORK on one whose timer is armed, INIT_LIST_HEAD on the head of a
 * list with an entry: each must be refused (a protocol fault: killed, logged), never reset the
 * kernel's list. init-work-race: INIT_WORK without the handler's pending test, as if the kernel
 * queued the work between test and macro: the macro must leave the work alone (it logs; the case
 * is "error" when the module finds the work still pending and linked). init-list-fresh (not
 * listed, the control): INIT_LIST_HEAD on a zeroed head is accepted.
 */
static int give_obj(uint32_t fn, uint32_t which, struct obj *o)
{
	struct enc e = { .n = 0 };
	uint8_t r[64];
	size_t rl = sizeof(r);
	int32_t st;
	int rc;

	put32(&e, which);
	rc = downcall(fn, &e, &st, r, &rl);
	if (rc || st || rl < 24 || get32(r) != 1) {
		snprintf(detail, sizeof(detail), "setup: make downcall %u(%u) failed (rc %d status %d kind %u)", fn, which,
			 rc, rc ? 0 : st, rl >= 4 ? get32(r) : 0);
		return -1;
	}
	o->h = ((uint64_t)get32(r + 4) << 32) | get32(r + 8);
	o->ty = get32(r + 12);
	o->sz = get32(r + 16);
	return 0;
}

static int c_init(const struct hcase *c)
{
	int list = strstr(c->name, "list") != NULL, dwork = strstr(c->name, "dwork") != NULL;
	int race = strstr(c->name, "race") != NULL, fresh = strstr(c->name, "fresh") != NULL;
	struct enc e = { .n = 0 };
	uint8_t r[16];
	size_t rl = sizeof(r);
	struct obj o;
	int32_t st = 0;
	int rc;

	if (give_obj(list ? KCUT_GIVE_LIST_MAKE : KCUT_GIVE_WORK_MAKE, (uint32_t)(list ? fresh : dwork), &o))
		return 12;
	put_handle(&e, o.h, o.ty, o.sz, 0);
	rc = downcall(list ? KCUT_GIVE_INIT_LIST : race ? KCUT_GIVE_INIT_WORK_RACE : dwork ? KCUT_GIVE_INIT_DWORK
								   : KCUT_GIVE_INIT_WORK,
		      &e, &st, r, &rl);
	if (race && !rc && !st) {
		if (rl >= 4 && get32(r) == 1) {
			snprintf(detail, sizeof(detail), "%s: the work was left alone (still pending and linked)", c->what);
			return 10;
		}
		snprintf(detail, sizeof(detail), "%s: ACCEPTED (the pending work was initialized again)", c->what);
		return 11;
	}
	return outcome(rc, st, c->what);
}

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

/* kcut_rt.ko's call_cap_ms (the cap of an upcall's wait while the user half makes downcalls;
 * 60000 when unreadable, the default). */
static unsigned call_cap_ms(void)
{
	FILE *f = fopen("/sys/module/kcut_rt/parameters/call_cap_ms", "r");
	unsigned v = 60000;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 60000;
		fclose(f);
	}
	return v;
}

/* Upcall cases trickle: while the upcall waits, one harmless downcall (msleep(1)) a second, never
 * silent as long as the call timeout (5 s). "trickle": for 8 s, past the timeout but within the cap,
 * then a reply with a wrong call id: the kernel must still be waiting (it refuses the reply as a
 * protocol fault, not as "an upcall timed out"). "trickle-cap": for the cap + 6 s: the kernel must end
 * the upcall at the cap (this process killed, a log line); if it lives to the end it answers the
 * upcall with a well-formed error and the case is "accepted". */
static int c_trickle(const struct hcase *c)
{
	uint32_t slot, w[6];
	unsigned ms = !strcmp(c->what, "cap") ? call_cap_ms() + 6000 : 8000, n = 0;
	struct enc e = { .n = 0 };
	int32_t st;
	int rc;

	if (wait_upcall(&slot, w))
		return 12;
	alarm(0);
	put32(&e, 1); /* msleep(1) */
	for (unsigned t = 0; t < ms; t += 1000, n++) {
		rc = downcall(KCUT_DOWN_msleep, &e, &st, NULL, NULL);
		if (rc || st) {
			snprintf(detail, sizeof(detail), "trickle: downcall %u (msleep) at %u ms: %s", n, t,
				 rc ? strerror(-rc) : "error status");
			return 12;
		}
		usleep(1000000);
	}
	printf("lx-hostile: %u downcalls over %u ms while the upcall waited\n", n, ms);
	fflush(stdout);
	if (!strcmp(c->what, "cap")) {
		rc = reply(slot, w[1], w[2], -3, NULL, 0, 0);
		snprintf(detail, sizeof(detail), "upcall held %u ms (past the cap %u ms): ACCEPTED (%s)", ms,
			 call_cap_ms(), rc ? strerror(-rc) : "the reply was taken");
		return 11;
	}
	rc = reply(slot, w[1] + 1000, w[2], -3, NULL, 0, 0);
	if (rc)
		return outcome(rc, 0, "a wrong-id reply after 8 s of downcalls");
	sleep(3);
	snprintf(detail, sizeof(detail), "a wrong-id reply after 8 s of downcalls: ACCEPTED (the process was not ended)");
	return 11;
}

#define DOWN(n, f, a, sz, m, w) { .name = n, .fn = f, .args = a, .alloc = sz, .msg = m, .what = w }
#define RUN(n, f, w) { .name = n, .run = f, .what = w }
#define UP(n, how) { .name = n, .up = how }
#define GIVE(n, w) { .name = n, .run = c_stale_skb, .what = w, .dev = KCUT_GIVE_NAME }
#define RUN_GIVE(n, f, w) { .name = n, .run = f, .what = w, .dev = KCUT_GIVE_NAME }

static const struct hcase cases[] = {
	RUN("bad-header", c_bad_header, "a downcall with a garbage header"),
	DOWN("len-mismatch", KCUT_DOWN_kfree, a_null, 0, M_HDR_PLEN,
	     "a header whose payload length disagrees with the message length"),
	DOWN("oversize-msg", KCUT_DOWN_kfree, a_none, 0, M_LEN_PAST, "a downcall one byte longer than a slot"),
	DOWN("forged-slot", KCUT_DOWN_kfree, a_null, 0, M_SLOT_FORGED, "a downcall naming a user slot that does not exist"),
	DOWN("msg-flags", KCUT_DOWN_kfree, a_null, 0, M_HDR_FLAGS, "a downcall with message flags set"),
	DOWN("unknown-fn", FN_UNKNOWN, a_none, 0, 0, "a downcall of a function id the kernel half does not have"),
	DOWN("truncated-args", KCUT_DOWN_kfree, a_truncated, 0, 0, "kfree with its handle cut short"),
	DOWN("extra-args", KCUT_DOWN_msleep, a_extra, 0, 0, "msleep with bytes after its argument"),
	DOWN("forged-handle", KCUT_DOWN_kfree, a_forged, 0, 0, "kfree of a forged handle"),
	RUN("double-free", c_double_free, "kfree of a handle already freed (a double free)"),
	DOWN("interior-free", KCUT_DOWN_kfree, a_interior, 64, 0, "kfree of a pointer 8 bytes into an allocation"),
	DOWN("offset-past-end", KCUT_DOWN_kfree, a_past_end, 64, 0, "a handle with an offset past the object's end"),
	DOWN("bit-past-end", KCUT_DOWN_set_bit, a_bit_past, 16, 0, "set_bit of bit 640 in a 16-byte object"),
	DOWN("negative-bit", KCUT_DOWN_set_bit, a_bit_negative, 16, 0, "set_bit of bit -64 (before the object)"),
	DOWN("oversize-string", KCUT_DOWN__printk, a_big_string, 0, 0, "_printk with a string length of 2 GiB"),
	DOWN("oversize-alloc", KCUT_DOWN_kmalloc, a_big_alloc, 0, M_NULL_REFUSED, "kmalloc of 1 TiB"),
	DOWN("reginfo-forged", FN_REGINFO, a_reginfo, 0, 0, "REGINFO of a forged region id"),
	DOWN("regio-forged", FN_REGIO, a_regio, 0, 0, "a forwarded register batch on a forged region"),
	RUN("mmap-forged-region", c_mmap_forged, "mmap of region token 5 (never exported)"),
	RUN("mmap-odd-offset", c_mmap_odd, "mmap at offset 0x3000 (inside no region)"),
	RUN("mmap-chan-oversize", c_mmap_chan_big, "mmap of the channel at twice its size"),
#ifdef KCUT_LX_IOC_TYPES
	RUN("types-oversize", c_types_oversize, "a layout table of KCUT_LX_LAYOUT_MAX + 1 entries"),
	RUN("types-badptr", c_types_badptr, "a layout table at address 0x10"),
	RUN("types-garbage", c_types_garbage, "a layout table of 64 garbage entries"),
#endif
	RUN("reply-unserved-slot", c_reply_unserved, "a reply on a kernel slot with no upcall"),
	RUN("reply-forged-slot", c_reply_forged_slot, "a reply on a kernel slot that does not exist"),
	GIVE("stale-skb-stack", "skb->len through the handle of an skb the stack freed (handed over in process context)"),
	GIVE("stale-skb-stack-atomic", "skb->len through the handle of an skb the stack freed (handed over in atomic context)"),
	GIVE("stale-skb-stack-atomic-later", "skb->len through the handle of an skb the stack freed, after the worker ran"),
	GIVE("stale-skb-ifdown", "skb->len through the handle of an skb an ifdown freed under a spinlock"),
	GIVE("stale-skb-ifdown-later", "skb->len through the handle of an skb an ifdown freed, after the worker ran"),
	RUN_GIVE("init-work-queued", c_init, "INIT_WORK on a work the kernel has queued"),
	RUN_GIVE("init-dwork-queued", c_init, "INIT_DELAYED_WORK on a delayed work whose timer is armed"),
	RUN_GIVE("init-work-race", c_init, "INIT_WORK on a queued work without the handler's pending test (the race)"),
	RUN_GIVE("init-list-linked", c_init, "INIT_LIST_HEAD on the head of a list with an entry"),
	UP("up-wrong-id", "wrong-id"),
	UP("up-positive-status", "positive-status"),
	UP("up-garbage-results", "garbage-results"),
	UP("up-oversize-reply", "oversize"),
	UP("up-double-reply", "twice"),
	/* the upcall wait restarts while the user half makes downcalls, up to the cap (rt/linux) */
	{ .name = "up-trickle", .run = c_trickle, .what = "timeout" },
	{ .name = "up-trickle-cap", .run = c_trickle, .what = "cap" },
	/* known bugs (see above): listed after the others, run last */
	DOWN("eeprom-overflow", KCUT_DOWN_e1000_do_read_eeprom, a_eeprom, 4096, 0,
	     "e1000_do_read_eeprom of 4 words into its one-u16 buffer (mac_type ce4100)"),
	DOWN("hexdump-overread", KCUT_DOWN_print_hex_dump, a_hexdump, 0, 0, "print_hex_dump of 64 bytes with 16 sent"),
	/* not listed: the controls of the init-list and stale-skb cases (run by name) */
	{ .name = "init-list-fresh", .run = c_init, .dev = KCUT_GIVE_NAME, .unlisted = 1,
	  .what = "INIT_LIST_HEAD on a zeroed list head (control: must be accepted)" },
	{ .name = "stale-skb-control", .run = c_stale_skb, .dev = KCUT_GIVE_NAME, .unlisted = 1,
	  .what = "skb->len through the handle of an skb handed over WITHOUT kcut_frees.h (control: must be accepted)" },
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
			if (!cases[i].unlisted)
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
		code = connect_dev(c->dev ? c->dev : argv[1]) ? 12 : 0;
		ok = 1;
		if (write(pfd[1], &ok, 1) != 1)
			_exit(12);
		if (!code)
			code = c->run ? c->run(c) : c->up ? c_up(c->up) : run_down(c);
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
