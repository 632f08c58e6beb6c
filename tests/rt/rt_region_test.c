/*
 * rt_region_test.c - device regions (issue 13): the kernel side's table (export, find, resolve,
 * unexport; forged, stale, wrong-kind and out-of-range ids and offsets; the bound on live
 * regions), the register-batch server driven directly (every check refuses the whole batch
 * before anything is touched; batch limits; unexport waits for an operation in flight), and a
 * real user half (rt_region_user) reaching a fake device through the channel: posted writes and
 * their flush points, with and without posting, raw bad batches refused without a restart, DMA
 * memory both processes see, unexports reaching the user half, stray and oversize accesses.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kc_test.h"
#include "rt_region_fns.h"
#include "rt_region_up.h"

/* ---- the fake device: a register file, a port range, an access log ---- */

#define REGS_SIZE 65536u
#define PIO_BASE 0x300u
#define PIO_SIZE 8u

struct acc {
	char rw;
	uint32_t off, size;
	uint64_t val;
};

static uint8_t *regs;                /* the MMIO "cookie": exactly REGS_SIZE bytes (ASan) */
static uint8_t pio[PIO_SIZE];
static struct acc dlog[200000];
static _Atomic uint32_t nlog;
static _Atomic int slow_in_op, slow_done;

static void log_acc(char rw, uint64_t off, unsigned size, uint64_t val)
{
	uint32_t i = atomic_fetch_add(&nlog, 1);

	if (i < sizeof(dlog) / sizeof(dlog[0]))
		dlog[i] = (struct acc){ rw, (uint32_t)off, size, val };
}

static uint64_t fake_read(const struct kc_region_desc *r, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	if (off + size > r->size)
		abort(); /* the runtime let an access outside the region through */
	if (r->kind == KC_REGION_PIO) {
		v = off == 1 ? (uint8_t)(pio[0] + 1) : pio[off];
	} else {
		if (off == 0x800) { /* the slow register (test_unexport_waits) */
			struct timespec ts = { 0, 200000000 };

			atomic_store(&slow_in_op, 1);
			nanosleep(&ts, NULL);
			atomic_store(&slow_done, 1);
		}
		memcpy(&v, (uint8_t *)r->kaddr + off, size);
	}
	log_acc('R', off, size, v);
	return v;
}

static void fake_write(const struct kc_region_desc *r, uint64_t off, unsigned size, uint64_t val)
{
	if (off + size > r->size)
		abort();
	if (r->kind == KC_REGION_PIO)
		pio[off] = (uint8_t)val;
	else
		memcpy((uint8_t *)r->kaddr + off, &val, size);
	log_acc('W', off, size, val);
}

static const struct kc_rt_io_ops fake_io = { .read = fake_read, .write = fake_write };

static uint32_t writes_logged(void)
{
	uint32_t i, n = atomic_load(&nlog), w = 0;

	for (i = 0; i < n; i++)
		w += dlog[i].rw == 'W';
	return w;
}

static int k_logcount(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_xdr_put_u32(r, writes_logged());
	return 0;
}

static const struct kc_rt_fn kfns[K_NFNS] = { [K_LOGCOUNT] = { "k_logcount", k_logcount } };

/* ---- kernel side alone ---- */

static struct kc_rt *kernel_only(unsigned access)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = NULL;

	o.io = &fake_io;
	o.access = access;
	if (kc_rt__setup(&rt, KC_SIDE_KERNEL, &o, &err))
		fprintf(stderr, "setup: %s\n", err.msg);
	return rt;
}

static struct kc_region_desc mmio_desc(void *kaddr, uint64_t size)
{
	struct kc_region_desc d = { .kind = KC_REGION_MMIO, .kaddr = kaddr, .base = 0xfe000000u,
				    .size = size };
	return d;
}

static void test_table(void)
{
	/* one block, so that what lies around the regions is known: [0, 8192) two MMIO windows,
	 * [12288, 16384) a DMA buffer, the rest never exported */
	static uint8_t mem[20480];
	uint8_t *win = mem, *dma = mem + 12288;
	struct kc_rt *rt = kernel_only(0);
	struct kc_region_desc d = mmio_desc(win, 4096), d2, info;
	uint32_t id, id2, id3, again, pid, did, i;
	uint64_t off;
	void *p;
	int forged_ok = 0;

	KC_REQUIRE(rt);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id, &d), 0);
	KC_CHECK(id != 0);
	/* the same region again: the same id; another size of it, or an overlap: refused */
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &d), 0);
	KC_CHECK_EQ_INT(again, id);
	d2 = mmio_desc(win, 2048);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &d2), KC_RT_ERANGE);
	d2 = mmio_desc(win + 4000, 1000);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &d2), KC_RT_ERANGE);
	/* adjacent is fine */
	d2 = mmio_desc(win + 4096, 4096);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id2, &d2), 0);
	KC_CHECK(id2 != id);
	/* bad descriptions */
	d2 = mmio_desc(win, 0);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &d2), KC_EINVAL);
	d2 = mmio_desc((void *)(uintptr_t)(UINTPTR_MAX - 10), 100);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &d2), KC_EINVAL);
	d2 = mmio_desc(win, 16);
	d2.kind = 9;
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &d2), KC_EINVAL);
	d2 = (struct kc_region_desc){ .kind = KC_REGION_DMA, .kaddr = dma, .size = 4096 };
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &d2), KC_EINVAL); /* DMA must be mappable */
	d2.flags = KC_REGION_F_MAP;
	d2.base = 0x10000000u;
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &did, &d2), 0);
	d2 = (struct kc_region_desc){ .kind = KC_REGION_PIO, .base = 0xfffffff0u, .size = 0x20 };
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &d2), KC_EINVAL); /* ports end at 2^32 */
	d2 = (struct kc_region_desc){ .kind = KC_REGION_PIO, .base = PIO_BASE, .size = PIO_SIZE };
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &pid, &d2), 0);

	/* find: start and interior addresses; not in any region */
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id3, &off, win + 100), 0);
	KC_CHECK_EQ_INT(id3, id);
	KC_CHECK_EQ_INT(off, 100);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id3, &off, win + 5000), 0);
	KC_CHECK_EQ_INT(id3, id2);
	KC_CHECK_EQ_INT(off, 5000 - 4096);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id3, &off, dma + 4095), 0);
	KC_CHECK_EQ_INT(id3, did);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id3, &off, dma + 4096), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id3, &off, &i), KC_ENOTFOUND);

	/* resolve: checked kind and range (overflow-safe) */
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id, KC_REGION_MMIO, 4092, 4), 0);
	KC_CHECK(p == win + 4092);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id, KC_REGION_MMIO, 4093, 4), KC_RT_ERANGE);
	KC_CHECK(p == NULL);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id, KC_REGION_MMIO, 4097, 0), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id, KC_REGION_MMIO, 8, UINT64_MAX), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id, KC_REGION_MMIO, UINT64_MAX, 2), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id, KC_REGION_DMA, 0, 4), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, did, KC_REGION_MMIO, 0, 4), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, pid, KC_REGION_PIO, 3, 1), 0);
	KC_CHECK(p == (void *)(uintptr_t)(PIO_BASE + 3));
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, pid, KC_REGION_PIO, 7, 2), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_info(rt, &info, id2), 0);
	KC_CHECK(info.kaddr == win + 4096 && info.size == 4096 && info.kind == KC_REGION_MMIO);
	/* MMIO is not mappable on an endpoint that forwards */
	d2 = mmio_desc(win + 8000, 8);
	d2.flags = KC_REGION_F_MAP;
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id3, &d2), KC_RT_ERANGE); /* overlaps id2 */

	/* forged ids are never accepted */
	srand(13);
	for (i = 0; i < 100000; i++) {
		uint32_t f = ((uint32_t)rand() << 16) ^ (uint32_t)rand();

		if (f == id || f == id2 || f == did || f == pid)
			continue;
		if (kc_rt_region_resolve(rt, &p, f, KC_REGION_MMIO, 0, 1) != KC_RT_EPROTO &&
		    kc_rt_region_resolve(rt, &p, f, KC_REGION_MMIO, 0, 1) != KC_RT_ESTALE)
			forged_ok++;
	}
	KC_CHECK_EQ_INT(forged_ok, 0);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, 0, KC_REGION_MMIO, 0, 1), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id + 1000, KC_REGION_MMIO, 0, 1), KC_RT_EPROTO);

	/* unexport: stale from then on, also after the slot is reused with a new generation */
	KC_CHECK_EQ_INT(kc_rt_region_unexport(rt, id), 0);
	KC_CHECK_EQ_INT(kc_rt_region_unexport(rt, id), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id, KC_REGION_MMIO, 0, 4), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_rt_region_info(rt, &info, id), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id3, &off, win), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id3, &d), 0);
	KC_CHECK(id3 != id && (id3 & 0xfff) == (id & 0xfff)); /* same slot, next generation */
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id, KC_REGION_MMIO, 0, 4), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, id3, KC_REGION_MMIO, 0, 4), 0);
	/* by address, interior */
	KC_CHECK_EQ_INT(kc_rt_region_unexport_addr(rt, dma + 17), 0);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, did, KC_REGION_DMA, 0, 4), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_rt_region_unexport_addr(rt, dma), KC_ENOTFOUND);
	kc_rt__free(rt);
}

static void test_table_bound(void)
{
	static uint8_t win[KC_REGION_MAX + 1];
	struct kc_rt *rt = kernel_only(0);
	struct kc_region_desc d;
	uint32_t id, first = 0, i;
	int bad = 0;

	KC_REQUIRE(rt);
	for (i = 0; i < KC_REGION_MAX; i++) {
		d = mmio_desc(win + i, 1);
		if (kc_rt_region_export(rt, &id, &d))
			bad++;
		if (!i)
			first = id;
	}
	KC_CHECK_EQ_INT(bad, 0);
	d = mmio_desc(win + KC_REGION_MAX, 1);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id, &d), KC_ENOMEM);
	KC_CHECK_EQ_INT(kc_rt_region_unexport(rt, first), 0);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id, &d), 0);
	kc_rt__free(rt);
}

/* ---- the register-batch server, called directly ---- */

struct batch {
	uint8_t buf[65536];
	struct kc_xdr x;
};

static void batch_begin(struct batch *b, uint32_t n)
{
	kc_xdr_init_enc(&b->x, b->buf, sizeof(b->buf));
	kc_xdr_put_u32(&b->x, n);
}

/* Serve batch b; results into res (may be NULL). Returns the handler's code. */
static int serve(struct kc_rt *rt, struct batch *b, uint8_t *res, size_t *reslen)
{
	static uint8_t rbuf[65536];
	struct kc_xdr a, r;
	int rc;

	kc_xdr_init_dec(&a, b->buf, kc_xdr_pos(&b->x));
	kc_xdr_init_enc(&r, res ? res : rbuf, sizeof(rbuf));
	rc = kc_region__handler(KC_RT_FN_REGIO)(rt, &a, &r);
	if (reslen)
		*reslen = kc_xdr_pos(&r);
	return rc;
}

/* A batch that is refused must not touch the device at all. */
#define CHECK_REFUSED(rt, b, code)                                           \
	do {                                                                  \
		uint32_t before_ = atomic_load(&nlog);                        \
		KC_CHECK_EQ_INT(serve(rt, b, NULL, NULL), code);             \
		KC_CHECK_EQ_INT(atomic_load(&nlog), before_);                 \
	} while (0)

/* Register offsets the user half passes to kernel-half code (a downcall such as
 * simsnd_read(chip, reg) = readl(chip->regs + reg)): kc_rt_region_check bounds base + off +
 * width by the MMIO window base lies in, exported or recorded kernel-only (device access none:
 * KC_REGION_F_KERNEL), and a kernel-only window stays invisible to everything the user half can
 * name (hostile_simsnd seeds 4/7/11 sent reg = 0x7fffffff). */
static void test_offset_check(void)
{
	static uint8_t mem[3 * 4096];
	uint8_t *win = mem, *kwin = mem + 4096;
	struct kc_rt *rt = kernel_only(0);
	struct kc_region_desc d = mmio_desc(win, 4096), kd = mmio_desc(kwin, 4096), bad, info;
	uint32_t id, kid, again, id3, forged_ok = 0, i;
	uint64_t off;
	void *p;
	static struct batch b;

	KC_REQUIRE(rt);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id, &d), 0);
	kd.flags = KC_REGION_F_KERNEL;
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &kid, &kd), 0);
	/* kernel-only: MMIO, never mappable; the same window exported both ways is refused */
	bad = kd;
	bad.flags |= KC_REGION_F_MAP;
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &bad), KC_EINVAL);
	bad = (struct kc_region_desc){ .kind = KC_REGION_DMA, .flags = KC_REGION_F_KERNEL | KC_REGION_F_MAP,
				       .kaddr = mem + 8192, .size = 4096 };
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &bad), KC_EINVAL); /* DMA is never kernel-only */
	bad = mmio_desc(kwin, 4096);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &bad), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &again, &kd), 0);
	KC_CHECK_EQ_INT(again, kid);

	/* in range, both kinds of window; from an interior base too */
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, win, 0, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, win, 4092, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, 0x40, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, 4095, 1), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin + 0x100, 4096 - 0x100 - 8, 8), 0);
	/* past the end, wrapping, the seeds' 0x7fffffff, misaligned, bad width */
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, win, 4093, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, win, 4096, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, 0x7fffffff, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, 0x7ffffffc, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin + 0x100, 4096 - 0x100, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, UINT64_MAX, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, UINT64_MAX - 3, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, (uint64_t)-4096, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, 2, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, 0, 3), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, 0, 0), KC_RT_ERANGE);
	/* a base in no window: NULL, memory next to the windows, a window unmapped */
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, NULL, 0, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, mem + 8192, 0, 4), KC_RT_ERANGE);

	/* the kernel-only window: no id, no find, no info, no batch, no unexport notice */
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id3, &off, kwin + 4), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(kc_rt_region_resolve(rt, &p, kid, KC_REGION_MMIO, 0, 4), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_rt_region_info(rt, &info, kid), KC_RT_EPROTO);
	batch_begin(&b, 1);
	kc_xdr_put_u32(&b.x, KC_REGIO_READ);
	kc_xdr_put_u32(&b.x, kid);
	kc_xdr_put_u64(&b.x, 0);
	kc_xdr_put_u32(&b.x, 4);
	CHECK_REFUSED(rt, &b, KC_RT_EPROTO);
	for (i = 0; i < 4096; i++) /* every generation of its slot */
		if (kc_rt_region_resolve(rt, &p, (i << KC_REGION_IDX_BITS) | (kid & 0xfffu), KC_REGION_MMIO, 0, 1) !=
		    KC_RT_EPROTO)
			forged_ok++;
	KC_CHECK_EQ_INT(forged_ok, 0);
	KC_CHECK_EQ_INT(kc_rt_region_unexport(rt, kid), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(kc_rt_region_unexport_addr(rt, kwin), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, kwin, 0, 4), KC_RT_ERANGE);
	{
		uint8_t pl[64];
		uint32_t fl = 0;

		KC_CHECK_EQ_INT(kc_region__put_unmaps(rt, pl, 0, sizeof(pl), &fl), 0); /* nothing told */
		KC_CHECK_EQ_INT(fl, 0);
		KC_CHECK_EQ_INT(kc_rt_region_unexport_addr(rt, win), 0);
		KC_CHECK(kc_region__put_unmaps(rt, pl, 0, sizeof(pl), &fl) == 8 && fl == KC_MSG_F_UNMAP);
	}
	KC_CHECK_EQ_INT(kc_rt_region_check(rt, win, 0, 4), KC_RT_ERANGE);
	kc_rt__free(rt);
}

/* Register offsets reached through arithmetic (rt/region_lin.c; emitter/regscan.c): e1000_rar_set's
 * hw->hw_addr + (mac_type >= 82543 ? 0x5400 : 0x40) + ((index << 1) << 2) is 8 * index + c, c in
 * [0x40, 0x5400]: the lowest and highest access must lie in the window, and the integer term C
 * computes (8 * index) in [0, 2^31), so that a value C would wrap around is refused too. */
static void test_offset_check_lin(void)
{
	static uint8_t mem[2 * 0x20000];
	uint8_t *win = mem;
	struct kc_rt *rt = kernel_only(0);

	KC_REQUIRE(rt);
	KC_CHECK_EQ_INT(kc_rt_region_record(rt, win, 0x20000), 0);
	/* e1000's RAR table: 16 entries of 8 bytes at 0x5400 (0x40 on the 82542) */
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 0, 8, 0, 0, 0x40, 0x5400, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 15, 8, 4, 4, 0x44, 0x5404, 4), 0);
	/* the highest index the window holds at 0x5404: (0x20000 - 4 - 0x5404) / 8 */
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, (0x20000 - 4 - 0x5404) / 8, 8, 4, 4, 0x44, 0x5404, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, (0x20000 - 4 - 0x5404) / 8 + 1, 8, 4, 4, 0x44, 0x5404, 4),
			KC_RT_ERANGE);
	/* negative, a term C would wrap (8 * 0x20000000 = 2^32: 0 in a u32), huge, not aligned */
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, -1, 8, 0, 0, 0x40, 0x5400, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 0x20000000, 8, 0, 0, 0x40, 0x5400, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 0x7fffffffLL * 4, 1, 0, 0, 0, 0, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, (long long)((unsigned long long)1 << 63), 1, 0, 0, 0, 0, 1),
			KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 1, 2, 0, 0, 0, 0, 4), KC_RT_ERANGE);
	/* a negative term made good by a constant (`base + 0x100 + (r - 1) * 4`, r = 0: C adds
	 * 0xfffffffc in a u32): refused although 0x100 - 4 is inside */
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 0, 4, -4, -4, 0xfc, 0xfc, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 1, 4, -4, -4, 0x100, 0x100, 4), 0);
	/* only one end inside: the condition's other register would be outside */
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 0, 1, 0, 0, 0x100, 0x20000, 4), KC_RT_ERANGE);
	/* a plan outside the limits, a base in no window */
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 1, 0, 0, 0, 0, 0, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 1, 4, 0, 0, 8, 4, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, mem + 0x20000, 0, 4, 0, 0, 0, 0, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_unexport_addr(rt, win), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_lin(rt, win, 0, 8, 0, 0, 0x40, 0x5400, 4), KC_RT_ERANGE);
	kc_rt__free(rt);
}

/* Port I/O offsets (regarith session): kernel-only port ranges (recorded under device access none,
 * invisible to the user half: no REGINFO by port, no id) and exported ones bound
 * kc_rt_region_check_port and its affine form (`outb(v, ioaddr + reg)`, e1000_io_write's port). */
static void test_port_check(void)
{
	struct kc_rt *rt = kernel_only(0);
	struct kc_region_desc d = { .kind = KC_REGION_PIO, .base = 0x2000, .size = 0x20 };
	uint32_t id;

	KC_REQUIRE(rt);
	KC_CHECK_EQ_INT(kc_rt_region_record_port(rt, 0xc000, 0x40), 0);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id, &d), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0xc000, 4, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0xc03f, 1, 1), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0xc001, 2, 2), 0); /* port I/O: no alignment */
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0x201c, 4, 4), 0); /* an exported range */
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0xc03d, 4, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0xc040, 1, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0xcf8, 4, 4), KC_RT_ERANGE); /* PCI config */
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0xc000, 4, 8), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, UINT64_MAX - 1, 4, 4), KC_RT_ERANGE);
	/* affine: ioaddr + reg, port + 4 (e1000_io_write's data port), a span across two ranges */
	KC_CHECK_EQ_INT(kc_rt_region_check_port_lin(rt, 0xc000, 0x3c, 1, 0, 0, 0, 0, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_port_lin(rt, 0xc000, 0x3d, 1, 0, 0, 0, 0, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_port_lin(rt, 0, 0xc000, 1, 0, 0, 0, 4, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_port_lin(rt, 0, 0xc03c, 1, 0, 0, 0, 4, 4), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_port_lin(rt, 0, 0x2000, 1, 0, 0, 0, 0xa000, 1), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_rt_region_check_port_lin(rt, 0xc000, -1, 1, 0, 0, 0, 0, 1), KC_RT_ERANGE);
	/* kernel-only: the user half cannot learn it by port, exported one can */
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id, &(struct kc_region_desc){ .kind = KC_REGION_PIO, .base = 0xc000,
									     .size = 0x40 }),
			KC_RT_ERANGE); /* recorded kernel-only: not exported too */
	KC_CHECK_EQ_INT(kc_rt_region_forget_port(rt, 0xc010), KC_ENOTFOUND); /* by its first port */
	KC_CHECK_EQ_INT(kc_rt_region_forget_port(rt, 0x2000), KC_ENOTFOUND); /* not kernel-only */
	KC_CHECK_EQ_INT(kc_rt_region_forget_port(rt, 0xc000), 0);
	KC_CHECK_EQ_INT(kc_rt_region_check_port(rt, 0xc000, 1, 1), KC_RT_ERANGE);
	kc_rt__free(rt);
}

static void test_regio_checks(void)
{
	struct kc_rt *rt = kernel_only(0);
	struct kc_region_desc d;
	static uint8_t dmabuf[4096];
	static struct batch b;
	uint8_t res[65536];
	uint32_t id, pid, did, gone, i;
	size_t rl;
	struct kc_xdr r;

	KC_REQUIRE(rt);
	regs = calloc(1, REGS_SIZE);
	KC_REQUIRE(regs);
	d = mmio_desc(regs, REGS_SIZE);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id, &d), 0);
	d = (struct kc_region_desc){ .kind = KC_REGION_PIO, .base = PIO_BASE, .size = PIO_SIZE };
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &pid, &d), 0);
	d = (struct kc_region_desc){ .kind = KC_REGION_DMA, .kaddr = dmabuf, .size = 4096,
				     .flags = KC_REGION_F_MAP };
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &did, &d), 0);
	d = mmio_desc(dmabuf + 4096, 64); /* exported, then unexported: stale */
	d.kaddr = (uint8_t *)regs + REGS_SIZE + 4096;
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &gone, &d), 0);
	KC_CHECK_EQ_INT(kc_rt_region_unexport(rt, gone), 0);

	/* a good batch: writes, then reads, in order */
	atomic_store(&nlog, 0);
	batch_begin(&b, 5);
	regio_op(&b.x, KC_REGIO_WRITE, id, 0x10, 4, 0xdeadbeef);
	regio_op(&b.x, KC_REGIO_WRITE, id, 0x14, 2, 0x1234);
	regio_op(&b.x, KC_REGIO_WRITE, pid, 0, 1, 0x41);
	regio_op(&b.x, KC_REGIO_READ, id, 0x10, 8, 0);
	regio_op(&b.x, KC_REGIO_READ, pid, 1, 1, 0);
	KC_CHECK_EQ_INT(serve(rt, &b, res, &rl), 0);
	kc_xdr_init_dec(&r, res, rl);
	KC_CHECK(kc_xdr_get_u64(&r) == 0x00001234deadbeefull);
	KC_CHECK_EQ_INT(kc_xdr_get_u64(&r), 0x42);
	KC_CHECK_EQ_INT(kc_xdr_dec_done(&r), 0);
	KC_CHECK_EQ_INT(atomic_load(&nlog), 5);
	KC_CHECK(dlog[0].rw == 'W' && dlog[0].off == 0x10 && dlog[0].val == 0xdeadbeef);
	KC_CHECK(dlog[2].rw == 'W' && dlog[2].size == 1 && dlog[2].val == 0x41);
	KC_CHECK(dlog[3].rw == 'R' && dlog[3].size == 8);

	/* each bad operation, last in a batch behind a good write: the whole batch is refused */
	{
		static const struct {
			uint32_t opcode, width, which; /* which: 0 mmio, 1 pio, 2 dma, 3 stale, 4 forged */
			uint64_t off, val;
			int rc;
		} bad[] = {
			{ KC_REGIO_READ, 4, 0, REGS_SIZE, 0, KC_RT_ERANGE },      /* past the end */
			{ KC_REGIO_READ, 8, 0, REGS_SIZE - 4, 0, KC_RT_ERANGE },  /* straddles it */
			{ KC_REGIO_WRITE, 4, 0, UINT64_MAX - 3, 1, KC_RT_ERANGE },/* wraps */
			{ KC_REGIO_WRITE, 4, 0, 0x12, 1, KC_RT_ERANGE },          /* unaligned */
			{ KC_REGIO_WRITE, 3, 0, 0x10, 1, KC_RT_EPROTO },          /* width 3 */
			{ KC_REGIO_READ, 16, 0, 0x10, 0, KC_RT_EPROTO },          /* width 16 */
			{ KC_REGIO_READ, 8, 1, 0, 0, KC_RT_EPROTO },              /* 8-byte port */
			{ KC_REGIO_WRITE, 1, 1, PIO_SIZE, 1, KC_RT_ERANGE },      /* past the ports */
			{ KC_REGIO_READ, 4, 2, 0, 0, KC_RT_ETYPE },               /* DMA memory */
			{ KC_REGIO_READ, 4, 3, 0, 0, KC_RT_ESTALE },              /* unexported */
			{ KC_REGIO_READ, 4, 4, 0, 0, KC_RT_EPROTO },              /* made up */
			{ 9, 4, 0, 0, 0, KC_RT_EPROTO },                          /* opcode */
			{ KC_REGIO_WRITE_BYTES, 1, 0, REGS_SIZE - 16, 64, KC_RT_ERANGE }, /* oversize toio */
			{ KC_REGIO_WRITE_BYTES, 4, 0, 0, 64, KC_RT_EPROTO },      /* bytes, width 4 */
			{ KC_REGIO_READ_BYTES, 1, 0, REGS_SIZE - 1, 2, KC_RT_ERANGE },
			{ KC_REGIO_SET_BYTES, 1, 0, REGS_SIZE, 1, KC_RT_ERANGE },
			{ KC_REGIO_READ_BYTES, 1, 2, 0, 16, KC_RT_ETYPE },
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			uint32_t rid = bad[i].which == 0 ? id : bad[i].which == 1 ? pid :
				       bad[i].which == 2 ? did : bad[i].which == 3 ? gone : id ^ 0x55500000u;

			batch_begin(&b, 2);
			regio_op(&b.x, KC_REGIO_WRITE, id, 0, 4, 1);
			regio_op(&b.x, bad[i].opcode, rid, bad[i].off, bad[i].width, bad[i].val);
			if (bad[i].opcode == 9)
				kc_xdr_put_u64(&b.x, 0); /* something after the unknown opcode */
			CHECK_REFUSED(rt, &b, bad[i].rc);
		}
	}
	/* malformed batches */
	batch_begin(&b, 0);
	CHECK_REFUSED(rt, &b, KC_RT_EPROTO);
	batch_begin(&b, 2);
	regio_op(&b.x, KC_REGIO_WRITE, id, 0, 4, 1);
	CHECK_REFUSED(rt, &b, KC_RT_EPROTO); /* one operation short */
	batch_begin(&b, 1);
	regio_op(&b.x, KC_REGIO_WRITE, id, 0, 4, 1);
	kc_xdr_put_u32(&b.x, 0);
	CHECK_REFUSED(rt, &b, KC_RT_EPROTO); /* trailing bytes */
	batch_begin(&b, 1);
	kc_xdr_put_u32(&b.x, KC_REGIO_SET_BYTES);
	kc_xdr_put_u32(&b.x, id);
	kc_xdr_put_u64(&b.x, 0);
	kc_xdr_put_u32(&b.x, 1);
	kc_xdr_put_u32(&b.x, 256); /* memset byte */
	kc_xdr_put_u32(&b.x, 4);
	CHECK_REFUSED(rt, &b, KC_RT_EPROTO);

	/* limits: KC_REGIO_MAX_OPS operations, KC_REGIO_MAX_BYTES bytes each way */
	atomic_store(&nlog, 0);
	batch_begin(&b, KC_REGIO_MAX_OPS);
	for (i = 0; i < KC_REGIO_MAX_OPS; i++)
		regio_op(&b.x, KC_REGIO_WRITE, id, 4 * i, 4, i);
	KC_CHECK_EQ_INT(serve(rt, &b, NULL, NULL), 0);
	KC_CHECK_EQ_INT(atomic_load(&nlog), KC_REGIO_MAX_OPS);
	batch_begin(&b, KC_REGIO_MAX_OPS + 1);
	for (i = 0; i < KC_REGIO_MAX_OPS + 1; i++)
		regio_op(&b.x, KC_REGIO_WRITE, id, 4 * i, 4, i);
	CHECK_REFUSED(rt, &b, KC_RT_EPROTO);
	batch_begin(&b, 2);
	regio_op(&b.x, KC_REGIO_WRITE_BYTES, id, 0, 1, KC_REGIO_MAX_BYTES / 2);
	regio_op(&b.x, KC_REGIO_SET_BYTES, id, 0, 1, KC_REGIO_MAX_BYTES / 2);
	KC_CHECK_EQ_INT(serve(rt, &b, NULL, NULL), 0); /* toio and memset share the limit */
	batch_begin(&b, 2);
	regio_op(&b.x, KC_REGIO_WRITE_BYTES, id, 0, 1, KC_REGIO_MAX_BYTES / 2);
	regio_op(&b.x, KC_REGIO_SET_BYTES, id, 0, 1, KC_REGIO_MAX_BYTES / 2 + 1);
	CHECK_REFUSED(rt, &b, KC_RT_EPROTO);
	batch_begin(&b, 2);
	regio_op(&b.x, KC_REGIO_READ_BYTES, id, 0, 1, KC_REGIO_MAX_BYTES);
	regio_op(&b.x, KC_REGIO_WRITE_BYTES, id, 0, 1, KC_REGIO_MAX_BYTES);
	KC_CHECK_EQ_INT(serve(rt, &b, res, &rl), 0);
	KC_CHECK_EQ_INT(rl, 4 + KC_REGIO_MAX_BYTES);
	batch_begin(&b, 2);
	regio_op(&b.x, KC_REGIO_READ_BYTES, id, 0, 1, KC_REGIO_MAX_BYTES);
	regio_op(&b.x, KC_REGIO_READ_BYTES, id, 0, 1, 1);
	CHECK_REFUSED(rt, &b, KC_RT_EPROTO);

	/* results that would not fit in the reply (a deeply nested chain): nothing performed */
	{
		uint8_t small[16];
		uint32_t before = atomic_load(&nlog);

		batch_begin(&b, 3);
		regio_op(&b.x, KC_REGIO_WRITE, id, 0, 4, 1);
		regio_op(&b.x, KC_REGIO_READ, id, 0, 4, 0);
		regio_op(&b.x, KC_REGIO_READ, id, 8, 8, 0);
		kc_xdr_init_dec(&r, b.buf, kc_xdr_pos(&b.x));
		{
			struct kc_xdr out;

			kc_xdr_init_enc(&out, small, 12);
			KC_CHECK_EQ_INT(kc_region__handler(KC_RT_FN_REGIO)(rt, &r, &out), KC_ENOMEM);
			KC_CHECK_EQ_INT(atomic_load(&nlog), before);
			kc_xdr_init_dec(&r, b.buf, kc_xdr_pos(&b.x));
			kc_xdr_init_enc(&out, small, 16);
			KC_CHECK_EQ_INT(kc_region__handler(KC_RT_FN_REGIO)(rt, &r, &out), 0);
			KC_CHECK_EQ_INT(atomic_load(&nlog), before + 3);
		}
	}

	/* the unexport trailer the user half gets: the unexported id */
	{
		uint8_t pay[64];
		uint32_t flags = 0, len = kc_region__put_unmaps(rt, pay, 8, sizeof(pay), &flags);
		struct kc_xdr t;

		KC_CHECK_EQ_INT(flags, KC_MSG_F_UNMAP);
		KC_CHECK_EQ_INT(len, 8 + 8);
		kc_xdr_init_dec(&t, pay + 8, 8);
		KC_CHECK_EQ_INT(kc_xdr_get_u32(&t), gone);
		KC_CHECK_EQ_INT(kc_xdr_get_u32(&t), 1);
		flags = 0;
		KC_CHECK_EQ_INT(kc_region__put_unmaps(rt, pay, 8, sizeof(pay), &flags), 8);
		KC_CHECK_EQ_INT(flags, 0);
	}
	kc_rt__free(rt);
	/* no io ops: forwarded access is refused */
	{
		struct kc_rt_opts o = KC_RT_OPTS_INIT;
		struct kc_err err = { 0 };

		KC_REQUIRE(kc_rt__setup(&rt, KC_SIDE_KERNEL, &o, &err) == 0);
		d = mmio_desc(regs, REGS_SIZE);
		KC_CHECK_EQ_INT(kc_rt_region_export(rt, &id, &d), 0);
		batch_begin(&b, 1);
		regio_op(&b.x, KC_REGIO_READ, id, 0, 4, 0);
		CHECK_REFUSED(rt, &b, KC_EUNSUPP);
		kc_rt__free(rt);
	}
	free(regs);
	regs = NULL;
}

struct slow_arg {
	struct kc_rt *rt;
	uint32_t id;
	int rc;
};

static void *slow_reader(void *p)
{
	struct slow_arg *s = p;
	static struct batch b;

	batch_begin(&b, 1);
	regio_op(&b.x, KC_REGIO_READ, s->id, 0x800, 4, 0);
	s->rc = serve(s->rt, &b, NULL, NULL);
	return NULL;
}

/* unexport returns only once a forwarded operation on the region has ended (its caller may
 * unmap the memory next) */
static void test_unexport_waits(void)
{
	struct kc_rt *rt = kernel_only(0);
	struct kc_region_desc d;
	struct slow_arg s;
	pthread_t t;

	KC_REQUIRE(rt);
	regs = calloc(1, REGS_SIZE);
	KC_REQUIRE(regs);
	d = mmio_desc(regs, REGS_SIZE);
	KC_CHECK_EQ_INT(kc_rt_region_export(rt, &s.id, &d), 0);
	s.rt = rt;
	s.rc = 1;
	atomic_store(&slow_in_op, 0);
	atomic_store(&slow_done, 0);
	pthread_create(&t, NULL, slow_reader, &s);
	while (!atomic_load(&slow_in_op))
		sched_yield();
	KC_CHECK_EQ_INT(kc_rt_region_unexport(rt, s.id), 0);
	KC_CHECK_EQ_INT(atomic_load(&slow_done), 1);
	pthread_join(t, NULL);
	KC_CHECK_EQ_INT(s.rc, 0);
	kc_rt__free(rt);
	free(regs);
	regs = NULL;
}

/* ---- with a real user half ---- */

struct env {
	struct kc_rt *rt;
	int memfd;
	uint8_t *arena;
	uint32_t mmio, pio, dma;
};

#define ARENA_SIZE (256u * 1024u)
#define DMA_OFF 8192u
#define DMA_SIZE 5000u

static int start(struct env *e, int no_posting)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_region_desc d;
	int rc;

	memset(e, 0, sizeof(*e));
	if (kc_os_shm_create(&e->memfd, (void **)&e->arena, ARENA_SIZE))
		return -1;
	regs = calloc(1, REGS_SIZE);
	if (!regs)
		return -1;
	memcpy(regs + 0x100, &(uint32_t){ 0xcafef00d }, 4);
	if (no_posting)
		setenv("KCUT_IO_NO_POSTING", "1", 1);
	else
		unsetenv("KCUT_IO_NO_POSTING");
	o.fns = kfns;
	o.nfns = K_NFNS;
	o.peer_names = rt_region_user_names;
	o.npeer = R_NFNS;
	o.user_path = KC_RT_REGION_USER;
	o.io = &fake_io;
	o.stop_grace_ms = 10000; /* an ASan user half's exit can take over 1 s on a loaded machine */
	o.share_fd = e->memfd;
	rc = kc_rt_kernel_start(&e->rt, &o, &err);
	if (rc) {
		fprintf(stderr, "start: %s\n", err.msg);
		return rc;
	}
	d = mmio_desc(regs, REGS_SIZE);
	rc = kc_rt_region_export(e->rt, &e->mmio, &d);
	d = (struct kc_region_desc){ .kind = KC_REGION_PIO, .base = PIO_BASE, .size = PIO_SIZE };
	rc = rc ? rc : kc_rt_region_export(e->rt, &e->pio, &d);
	d = (struct kc_region_desc){ .kind = KC_REGION_DMA, .kaddr = e->arena + DMA_OFF,
				     .base = 0x10002000u, .size = DMA_SIZE, .map_token = DMA_OFF,
				     .flags = KC_REGION_F_MAP };
	rc = rc ? rc : kc_rt_region_export(e->rt, &e->dma, &d);
	atomic_store(&nlog, 0);
	return rc;
}

static void stop(struct env *e)
{
	KC_CHECK_EQ_INT(kc_rt_close(e->rt), 0); /* the user half exited cleanly (no leaks) */
	kc_os_shm_unmap(e->arena, ARENA_SIZE);
	kc_os_close(e->memfd);
	free(regs);
	regs = NULL;
	unsetenv("KCUT_IO_NO_POSTING");
}


/* The device log holds writes of 1..n to registers 4 * (i % 64), in that order. */
static int log_is_seq(uint32_t n)
{
	uint32_t i, k = 0, total = atomic_load(&nlog);

	for (i = 0; i < total; i++) {
		if (dlog[i].rw != 'W')
			continue;
		if (k >= n || dlog[i].off != 4 * (k % 64) || dlog[i].val != k + 1 || dlog[i].size != 4)
			return 0;
		k++;
	}
	return k == n;
}

static void test_posting(void)
{
	struct env e;
	uint32_t out[5], in[3];

	KC_REQUIRE(start(&e, 0) == 0);
	/* mode 0: nothing in the handler sends them; the reply does, before the upcall returns */
	in[0] = e.mmio, in[1] = 10, in[2] = 0;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_SEQ, in, 3, out, 5), 0);
	KC_CHECK_EQ_INT(out[1], 0); /* no batch inside the handler */
	KC_CHECK(log_is_seq(10));
	/* mode 1: kc_io_flush sends one batch of 10 */
	atomic_store(&nlog, 0);
	in[2] = 1;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_SEQ, in, 3, out, 5), 0);
	KC_CHECK_EQ_INT(out[1], 1);
	KC_CHECK_EQ_INT(out[2], 9);
	KC_CHECK(log_is_seq(10));
	/* mode 2: a downcall sends them first: the kernel function sees them done */
	atomic_store(&nlog, 0);
	in[2] = 2;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_SEQ, in, 3, out, 5), 0);
	KC_CHECK_EQ_INT(out[1], 1);
	KC_CHECK_EQ_INT(out[4], 10);
	KC_CHECK(log_is_seq(10));
	/* mode 3: a read takes the 10 writes along: one crossing for 11 operations */
	atomic_store(&nlog, 0);
	in[2] = 3;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_SEQ, in, 3, out, 5), 0);
	KC_CHECK(out[0] == 0xcafef00du);
	KC_CHECK_EQ_INT(out[1], 1);
	KC_CHECK_EQ_INT(out[2], 10);
	KC_CHECK_EQ_INT(atomic_load(&nlog), 11);
	KC_CHECK(dlog[10].rw == 'R' && dlog[10].off == 0x100);
	/* a full queue: 300 writes go as 256 + 44 */
	atomic_store(&nlog, 0);
	in[1] = 300, in[2] = 1;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_SEQ, in, 3, out, 5), 0);
	KC_CHECK_EQ_INT(out[1], 2);
	KC_CHECK(log_is_seq(300));
	KC_CHECK_EQ_INT(kc_rt_incarnation(e.rt), 1);
	stop(&e);

	/* without posting: every write crosses alone */
	KC_REQUIRE(start(&e, 1) == 0);
	in[0] = e.mmio, in[1] = 10, in[2] = 3;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_SEQ, in, 3, out, 5), 0);
	KC_CHECK(out[0] == 0xcafef00du);
	KC_CHECK_EQ_INT(out[1], 11);
	KC_CHECK_EQ_INT(out[2], 0);
	KC_CHECK(log_is_seq(10));
	stop(&e);
}

/* R_RAW with a batch; returns the REGIO call's code as the user half saw it. */
static int raw(struct kc_rt *rt, struct batch *b)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc, code = 1;

	rc = kc_rt_call_begin(&c, &a, rt, R_RAW);
	if (rc)
		return rc;
	kc_xdr_put_opaque(a, b->buf, kc_xdr_pos(&b->x));
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		uint32_t n;

		code = kc_xdr_get_i32(r);
		kc_xdr_get_opaque(r, &n, 65536);
	}
	rc = kc_rt_call_end(c, rc);
	return rc ? rc : code;
}

static void test_bad_batches_through_channel(void)
{
	static struct batch b;
	struct env e;

	KC_REQUIRE(start(&e, 0) == 0);
	batch_begin(&b, 1);
	regio_op(&b.x, KC_REGIO_WRITE, e.mmio, REGS_SIZE, 4, 1);
	KC_CHECK_EQ_INT(raw(e.rt, &b), KC_RT_ERANGE);
	batch_begin(&b, 1);
	regio_op(&b.x, KC_REGIO_WRITE_BYTES, e.mmio, REGS_SIZE - 8, 1, 4096);
	KC_CHECK_EQ_INT(raw(e.rt, &b), KC_RT_ERANGE); /* oversize memcpy_toio */
	batch_begin(&b, 1);
	regio_op(&b.x, KC_REGIO_READ, e.mmio ^ 0x00100000u, 0, 4, 0);
	KC_CHECK_EQ_INT(raw(e.rt, &b), KC_RT_EPROTO); /* forged */
	batch_begin(&b, 1);
	regio_op(&b.x, KC_REGIO_READ, e.dma, 0, 4, 0);
	KC_CHECK_EQ_INT(raw(e.rt, &b), KC_RT_ETYPE);
	batch_begin(&b, KC_REGIO_MAX_OPS + 1);
	KC_CHECK_EQ_INT(raw(e.rt, &b), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(atomic_load(&nlog), 0); /* the device saw nothing */
	KC_CHECK_EQ_INT(kc_rt_incarnation(e.rt), 1); /* and the user half was not restarted */
	/* a good one still works */
	batch_begin(&b, 1);
	regio_op(&b.x, KC_REGIO_WRITE, e.mmio, 8, 4, 5);
	KC_CHECK_EQ_INT(raw(e.rt, &b), 0);
	KC_CHECK_EQ_INT(atomic_load(&nlog), 1);
	stop(&e);
}

static void test_dma_both_sides(void)
{
	struct env e;
	uint32_t in[2], sum = 0, got = 0, i;
	uint8_t *k;
	int bad = 0;

	KC_REQUIRE(start(&e, 0) == 0);
	k = e.arena + DMA_OFF;
	for (i = 0; i < DMA_SIZE; i++) {
		k[i] = (uint8_t)(i * 7);
		sum += k[i];
	}
	in[0] = e.dma, in[1] = DMA_SIZE;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_DMA, in, 2, &got, 1), 0);
	KC_CHECK_EQ_INT(got, sum);
	for (i = 0; i < DMA_SIZE; i++)
		bad += k[i] != (uint8_t)(i ^ 0x5a);
	KC_CHECK_EQ_INT(bad, 0);
	/* past its end: refused in the user half */
	in[1] = DMA_SIZE + 1;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_DMA, in, 2, &got, 1), KC_RT_ERANGE);
	stop(&e);
}

/* R_HELD: (rc, id, off) of the held pointer */
static int held(struct kc_rt *rt, uint32_t *id, uint64_t *off)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc, code = 1;

	rc = kc_rt_call_begin(&c, &a, rt, R_HELD);
	if (rc)
		return rc;
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		code = kc_xdr_get_i32(r);
		*id = kc_xdr_get_u32(r);
		*off = kc_xdr_get_u64(r);
	}
	rc = kc_rt_call_end(c, rc);
	return rc ? rc : code;
}

static int ptr(struct kc_rt *rt, uint32_t id, uint64_t off, uint64_t len)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc, code = 1;

	rc = kc_rt_call_begin(&c, &a, rt, R_PTR);
	if (rc)
		return rc;
	kc_xdr_put_u32(a, id);
	kc_xdr_put_u64(a, off);
	kc_xdr_put_u64(a, len);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc)
		code = kc_xdr_get_i32(r);
	rc = kc_rt_call_end(c, rc);
	return rc ? rc : code;
}

static void test_unexport_reaches_user(void)
{
	struct env e;
	uint32_t in[3], out[2], id = 0;
	uint64_t off = 0;

	KC_REQUIRE(start(&e, 0) == 0);
	in[0] = e.dma;
	in[1] = 0, in[2] = 123; /* u64 offset 123 as two words */
	KC_CHECK_EQ_INT(rt_up(e.rt, R_HOLD, in, 3, out, 1), 0);
	KC_CHECK_EQ_INT((int32_t)out[0], 0);
	KC_CHECK_EQ_INT(held(e.rt, &id, &off), 0);
	KC_CHECK_EQ_INT(id, e.dma);
	KC_CHECK_EQ_INT(off, 123);
	KC_CHECK_EQ_INT(kc_rt_region_unexport(e.rt, e.dma), 0);
	/* the next upcall carries the unexport: the view is gone before R_HELD runs */
	KC_CHECK_EQ_INT(held(e.rt, &id, &off), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(ptr(e.rt, e.dma, 0, 1), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(ptr(e.rt, e.mmio ^ 0x00200000u, 0, 1), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(ptr(e.rt, e.mmio, REGS_SIZE - 4, 8), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(ptr(e.rt, e.mmio, REGS_SIZE - 4, 4), 0);
	KC_CHECK_EQ_INT(kc_rt_incarnation(e.rt), 1);
	stop(&e);
}

static void test_stray_pio_bytes(void)
{
	struct env e;
	uint32_t in[5], out[2], i, sum = 0;
	int bad = 0;

	KC_REQUIRE(start(&e, 0) == 0);
	KC_CHECK_EQ_INT(rt_up(e.rt, R_STRAY, NULL, 0, out, 2), 0);
	KC_CHECK(out[0] == 0xffffffffu);
	KC_CHECK_EQ_INT(out[1], 2);
	/* ports: the user half learns the range on first use */
	in[0] = PIO_BASE, in[1] = 0x40;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_PIO, in, 2, out, 1), 0);
	KC_CHECK_EQ_INT(out[0], 0x41);
	KC_CHECK_EQ_INT(pio[0], 0x40);
	/* memcpy_toio inside the region: byte by byte, in order */
	atomic_store(&nlog, 0);
	in[0] = e.mmio, in[1] = 0, in[2] = 0x200, in[3] = 300, in[4] = 0;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_BYTES, in, 5, out, 2), 0);
	KC_CHECK_EQ_INT(out[0], 0);
	KC_CHECK_EQ_INT(atomic_load(&nlog), 300);
	for (i = 0; i < 300; i++)
		bad += dlog[i].off != 0x200 + i || dlog[i].size != 1 || dlog[i].val != (i & 0xff);
	KC_CHECK_EQ_INT(bad, 0);
	/* oversize: runs past the region's end: refused, the device untouched */
	atomic_store(&nlog, 0);
	in[2] = REGS_SIZE - 16, in[3] = 64;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_BYTES, in, 5, out, 2), 0);
	KC_CHECK_EQ_INT(out[0], 1);
	KC_CHECK_EQ_INT(atomic_load(&nlog), 0);
	/* memset_io, then memcpy_fromio of 40000 bytes (three batches) */
	in[2] = 0x1000, in[3] = 100, in[4] = 1;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_BYTES, in, 5, out, 2), 0);
	for (i = 0; i < 40000; i++)
		sum += regs[i];
	atomic_store(&nlog, 0);
	in[2] = 0, in[3] = 40000, in[4] = 2;
	KC_CHECK_EQ_INT(rt_up(e.rt, R_BYTES, in, 5, out, 2), 0);
	KC_CHECK_EQ_INT(out[0], 0);
	KC_CHECK_EQ_INT(out[1], sum);
	KC_CHECK_EQ_INT(atomic_load(&nlog), 40000);
	KC_CHECK_EQ_INT(kc_rt_incarnation(e.rt), 1);
	stop(&e);
}

struct tagger {
	struct env *e;
	uint32_t tag;
	int rc;
};

static void *tagger(void *p)
{
	struct tagger *t = p;
	uint32_t in[3] = { t->e->mmio, t->tag, 400 }, out;
	int i;

	for (i = 0; i < 3 && !t->rc; i++)
		t->rc = rt_up(t->e->rt, R_TAGGED, in, 3, &out, 1);
	return NULL;
}

static _Atomic int churn_stop;

/* export and unexport other regions while the taggers run: the table's lock under contention */
static void *churner(void *p)
{
	struct env *e = p;
	static uint8_t win[64];
	struct kc_region_desc d = mmio_desc(win, sizeof(win));
	uint32_t id;
	void *k;
	int bad = 0;

	while (!atomic_load(&churn_stop)) {
		if (kc_rt_region_export(e->rt, &id, &d) ||
		    kc_rt_region_resolve(e->rt, &k, e->mmio, KC_REGION_MMIO, 0, 4) ||
		    kc_rt_region_unexport(e->rt, id))
			bad++;
	}
	return (void *)(intptr_t)bad;
}

/* Four kernel threads upcall at once, each user worker posting its own writes: every thread's
 * writes reach the device in its order, none lost or duplicated. */
static void test_concurrent_posting(void)
{
	struct tagger t[4];
	pthread_t th[4], ch;
	uint32_t next[4] = { 0 }, i, n;
	void *bad;
	struct env e;
	int wrong = 0;

	KC_REQUIRE(start(&e, 0) == 0);
	atomic_store(&churn_stop, 0);
	pthread_create(&ch, NULL, churner, &e);
	for (i = 0; i < 4; i++) {
		t[i] = (struct tagger){ &e, i, 0 };
		pthread_create(&th[i], NULL, tagger, &t[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		KC_CHECK_EQ_INT(t[i].rc, 0);
	}
	atomic_store(&churn_stop, 1);
	pthread_join(ch, &bad);
	KC_CHECK_EQ_INT((intptr_t)bad, 0);
	n = atomic_load(&nlog);
	for (i = 0; i < n; i++) {
		uint32_t tag, seq;

		if (dlog[i].rw != 'W')
			continue;
		tag = (uint32_t)(dlog[i].val >> 20);
		seq = (uint32_t)(dlog[i].val & 0xfffff);
		if (tag > 3 || dlog[i].off != 0x2000 + 0x100 * tag + 4 * (seq % 16) ||
		    seq != next[tag] % 400)
			wrong++;
		else
			next[tag]++;
	}
	KC_CHECK_EQ_INT(wrong, 0);
	for (i = 0; i < 4; i++)
		KC_CHECK_EQ_INT(next[i], 1200);
	KC_CHECK_EQ_INT(kc_rt_incarnation(e.rt), 1);
	stop(&e);
}

int main(void)
{
	KC_RUN(test_table);
	KC_RUN(test_table_bound);
	KC_RUN(test_regio_checks);
	KC_RUN(test_offset_check);
	KC_RUN(test_offset_check_lin);
	KC_RUN(test_port_check);
	KC_RUN(test_unexport_waits);
	KC_RUN(test_posting);
	KC_RUN(test_bad_batches_through_channel);
	KC_RUN(test_dma_both_sides);
	KC_RUN(test_unexport_reaches_user);
	KC_RUN(test_stray_pio_bytes);
	KC_RUN(test_concurrent_posting);
#if defined(KC_EXPECT_TSAN) && !defined(__SANITIZE_THREAD__)
	fprintf(stderr, "built without -fsanitize=thread\n");
	return 1;
#endif
	return kc_test_done();
}
