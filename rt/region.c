/*
 * region.c - device regions, kernel side: the table of regions the kernel half exported to the
 * user half (MMIO windows, port ranges, DMA-coherent buffers), the two functions the runtime
 * serves itself for the user half (KC_RT_FN_REGIO: a batch of forwarded register operations;
 * KC_RT_FN_REGINFO: what a region id is), and how unexports reach the user half (a trailer on
 * the kernel half's next call, like object releases). Also the region pointer's wire form and
 * the user side's REGINFO query (its views are in io.c).
 *
 * Everything the user half sends is checked before anything is touched: a batch is decoded and
 * validated as a whole first (count and byte totals, opcode, width, alignment, id, kind, extent
 * of every operation), then performed operation by operation, each against its region looked up
 * again, with the region marked busy while the platform's accessor runs so that an unexport
 * (which the caller follows with iounmap / dma_free_coherent) waits for it.
 *
 * Portable core (rt/os.h only, no libc beyond string.h; the endpoint through region_internal.h,
 * no C11 atomics or thread-local storage in the kernel build): it is built unchanged into rt/linux's
 * kcut_rt.ko too.
 */
#include "ratelimit.h"
#include "region_internal.h"
#include "os.h"

#include <string.h>

#define IDX_MASK ((1u << KC_REGION_IDX_BITS) - 1u)
#define GEN_MASK ((1u << (32u - KC_REGION_IDX_BITS)) - 1u)

_Static_assert(KC_REGION_MAX < (1u << KC_REGION_IDX_BITS), "region slots must fit the id");

struct region {
	struct kc_region_desc d;
	uint32_t gen;           /* generation of the slot's current (or next) region */
	uint32_t gen0;          /* its first generation: ids gen0 .. gen - 1 are stale */
	int live;
	uint32_t busy;          /* forwarded operations running on it right now (atomic builtins) */
};

struct kc_region_tab {
	struct kc_os_mutex *lock;
	uint32_t hiwat;         /* slots [0, hiwat) have been used: scans stop there */
	uint32_t nlive;
	uint32_t unmap[KC_REGION_MAX]; /* ids unexported, not yet told to the user half */
	uint32_t nunmap;               /* written under the lock (set_nunmap); read without it on
					* the call path (atomic builtins) */
	/* refusal log lines, rate-limited (log_refusal; atomic builtins) */
	struct kc_ratelimit log;       /* refusals logged (ratelimit.h) */
	struct region r[KC_REGION_MAX];
};

#ifndef __KERNEL__
/* The region a forwarded operation is performing on (per thread): an unexport of that very
 * region from inside the operation (an interrupt handler run by the device's callback) must
 * not wait for itself. */
static _Thread_local struct region *tls_busy;
#define BUSY_GET() tls_busy
#define BUSY_SET(r) (tls_busy = (r))
#else
/* In a kernel a forwarded operation is a readl/writel & co. of the real device: it never runs
 * driver code (no thread-local storage there either). */
#define BUSY_GET() ((struct region *)NULL)
#define BUSY_SET(r) ((void)(r))
#endif

static inline void set_nunmap(struct kc_region_tab *t, uint32_t n)
{
	__atomic_store_n(&t->nunmap, n, __ATOMIC_RELAXED);
}

int kc_region__tab_new(struct kc_rt *rt)
{
	struct kc_region_tab *t = kc_os_zalloc(sizeof(*t));
	uint32_t seed, i;

	if (!t)
		return KC_ENOMEM;
	t->lock = kc_os_mutex_new();
	if (!t->lock) {
		kc_os_free(t);
		return KC_ENOMEM;
	}
	/* generations start at a per-endpoint value, so ids of another run or a guess are unlikely
	 * to be live */
	seed = (uint32_t)(kc_os_now_ns() * 2654435761u) ^ (uint32_t)((uintptr_t)t >> 4);
	for (i = 0; i < KC_REGION_MAX; i++) {
		seed = seed * 1103515245u + 12345u;
		t->r[i].gen = ((seed >> 8) & GEN_MASK) | 1u;
		t->r[i].gen0 = t->r[i].gen;
	}
	kc_rt__regions(rt)->tab = t;
	return 0;
}

void kc_region__test_fixed_gens(struct kc_rt *rt)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	uint32_t i;

	for (i = 0; t && i < KC_REGION_MAX; i++)
		t->r[i].gen = t->r[i].gen0 = 1;
}

void kc_region__tab_free(struct kc_rt *rt)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;

	if (!t)
		return;
	kc_os_mutex_free(t->lock);
	kc_os_free(t);
	kc_rt__regions(rt)->tab = NULL;
}

static inline uint32_t make_id(uint32_t idx, uint32_t gen)
{
	return (gen << KC_REGION_IDX_BITS) | (idx + 1u);
}

/* Where a region sits in its kind's space: kaddr for MMIO/DMA, the port for PIO. */
static inline uint64_t start_of(const struct kc_region_desc *d)
{
	return d->kind == KC_REGION_PIO ? d->base : (uint64_t)(uintptr_t)d->kaddr;
}

/* Recorded for the kernel half's own checks only (kc_rt_region_check), never exported: invisible
 * to everything the user half can name or be told (ids, find, unexport notices). */
static inline int hidden(const struct region *r)
{
	return (r->d.flags & KC_REGION_F_KERNEL) != 0;
}

/* The live, exported region named by id, under the lock; KC_RT_EPROTO / KC_RT_ESTALE. A
 * kernel-only region's id is no id at all (KC_RT_EPROTO: no generation of it was ever told). */
static int lookup(struct kc_region_tab *t, struct region **out, uint32_t id)
{
	uint32_t idx = (id & IDX_MASK), gen = id >> KC_REGION_IDX_BITS, d;
	struct region *r;

	*out = NULL;
	if (!idx || idx > KC_REGION_MAX || idx > t->hiwat)
		return KC_RT_EPROTO;
	r = &t->r[idx - 1];
	if (r->live && r->gen == gen && !hidden(r)) {
		*out = r;
		return 0;
	}
	if (r->live && r->gen == gen)
		return KC_RT_EPROTO;
	/* one of the generations this slot had before: a region that was unexported */
	d = (r->gen - gen) & GEN_MASK;
	if (d >= 1 && d <= ((r->gen - r->gen0) & GEN_MASK))
		return KC_RT_ESTALE;
	return KC_RT_EPROTO;
}

/* [off, off + len) inside a region of size bytes, without overflow. */
static inline int span_inside(uint64_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

int kc_rt_region_export(struct kc_rt *rt, uint32_t *id, const struct kc_region_desc *d)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	uint64_t s, e;
	uint32_t i, free_idx = UINT32_MAX;
	int rc = 0;

	*id = 0;
	if (!t || !kc_rt__regions(rt)->kernel)
		return KC_EINVAL;
	if (!d || d->kind < KC_REGION_MMIO || d->kind > KC_REGION_DMA || !d->size ||
	    (d->kind != KC_REGION_PIO && !d->kaddr) ||
	    (d->kind == KC_REGION_DMA && !(d->flags & KC_REGION_F_MAP)) ||
	    (d->flags & ~(KC_REGION_F_MAP | KC_REGION_F_KERNEL)) ||
	    ((d->flags & KC_REGION_F_KERNEL) && (d->kind == KC_REGION_DMA || (d->flags & KC_REGION_F_MAP))))
		return KC_EINVAL;
	s = start_of(d);
	if (s + d->size < s || (d->kind == KC_REGION_PIO && s + d->size > 0x100000000ull))
		return KC_EINVAL;
	e = s + d->size;
	kc_os_lock(t->lock);
	for (i = 0; i < t->hiwat; i++) {
		struct region *r = &t->r[i];
		uint64_t rs;

		if (!r->live) {
			if (free_idx == UINT32_MAX)
				free_idx = i;
			continue;
		}
		if (r->d.kind != d->kind)
			continue;
		rs = start_of(&r->d);
		if (rs == s) {
			/* the same region again (exported as it was recorded, or the other way:
			 * refused, a region is one or the other) */
			if (r->d.size == d->size && hidden(r) == !!(d->flags & KC_REGION_F_KERNEL))
				*id = make_id(i, r->gen);
			else
				rc = KC_RT_ERANGE;
			goto out;
		}
		if (rs < e && s < rs + r->d.size) {
			rc = KC_RT_ERANGE;
			goto out;
		}
	}
	if (free_idx == UINT32_MAX) {
		if (t->hiwat == KC_REGION_MAX) {
			rc = KC_ENOMEM;
			goto out;
		}
		free_idx = t->hiwat++;
	}
	t->r[free_idx].d = *d;
	if (d->kind == KC_REGION_MMIO && kc_rt__regions(rt)->access != KC_ACCESS_MAPPED)
		t->r[free_idx].d.flags &= ~KC_REGION_F_MAP;
	t->r[free_idx].live = 1;
	t->nlive++;
	*id = make_id(free_idx, t->r[free_idx].gen);
out:
	kc_os_unlock(t->lock);
	return rc;
}

int kc_rt_region_record(struct kc_rt *rt, const volatile void *kaddr, uint64_t size)
{
	struct kc_region_desc d = { .kind = KC_REGION_MMIO, .flags = KC_REGION_F_KERNEL,
				    .kaddr = (void *)(uintptr_t)kaddr, .size = size };
	uint32_t id;

	return kc_rt_region_export(rt, &id, &d);
}

/* Take region r (live, under the lock) out of the table; the lock is dropped on return. Waits
 * until no forwarded operation runs on it (unless this thread is running that operation). */
static void retire_unlock(struct kc_region_tab *t, struct region *r)
{
	uint32_t id = make_id((uint32_t)(r - t->r), r->gen);

	r->live = 0;
	r->gen = (r->gen + 1u) & GEN_MASK;
	t->nlive--;
	if (hidden(r)) {
		/* the user half never knew it: nothing to tell, and no forwarded operation ran on it */
		kc_os_unlock(t->lock);
		return;
	}
	/* at most one entry per slot can be pending unless the kernel half makes no call at all
	 * while it re-exports and unexports the same slots: then the oldest are not told (the user
	 * half keeps a view whose every use is refused as stale) */
	if (t->nunmap == KC_REGION_MAX) {
		memmove(t->unmap, t->unmap + 1, (KC_REGION_MAX - 1) * sizeof(t->unmap[0]));
		set_nunmap(t, t->nunmap - 1);
	}
	t->unmap[t->nunmap] = id;
	set_nunmap(t, t->nunmap + 1);
	kc_os_unlock(t->lock);
	if (BUSY_GET() == r)
		return;
	while (__atomic_load_n(&r->busy, __ATOMIC_SEQ_CST))
		kc_os_yield();
}

int kc_rt_region_unexport(struct kc_rt *rt, uint32_t id)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	struct region *r;

	if (!t)
		return KC_EINVAL;
	kc_os_lock(t->lock);
	if (lookup(t, &r, id)) {
		kc_os_unlock(t->lock);
		return KC_ENOTFOUND;
	}
	retire_unlock(t, r);
	return 0;
}

/* The live region holding kernel address a (MMIO or DMA), under the lock; a kernel-only one
 * (KC_REGION_F_KERNEL) only when with_hidden. */
static struct region *by_kaddr(struct kc_region_tab *t, const volatile void *a, int with_hidden)
{
	uint64_t p = (uint64_t)(uintptr_t)a;
	uint32_t i;

	for (i = 0; i < t->hiwat; i++) {
		struct region *r = &t->r[i];
		uint64_t s = (uint64_t)(uintptr_t)r->d.kaddr;

		if (r->live && r->d.kind != KC_REGION_PIO && p >= s && p - s < r->d.size &&
		    (with_hidden || !hidden(r)))
			return r;
	}
	return NULL;
}

int kc_rt_region_unexport_addr(struct kc_rt *rt, const volatile void *kaddr)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	struct region *r;

	if (!t)
		return KC_EINVAL;
	kc_os_lock(t->lock);
	r = by_kaddr(t, kaddr, 1);
	if (!r) {
		kc_os_unlock(t->lock);
		return KC_ENOTFOUND;
	}
	retire_unlock(t, r);
	return 0;
}

int kc_rt_region_find(struct kc_rt *rt, uint32_t *id, uint64_t *off, const volatile void *kaddr)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	struct region *r;
	int rc = KC_ENOTFOUND;

	*id = 0;
	*off = 0;
	if (!t)
		return KC_EINVAL;
	kc_os_lock(t->lock);
	r = by_kaddr(t, kaddr, 0);
	if (r) {
		*id = make_id((uint32_t)(r - t->r), r->gen);
		*off = (uint64_t)(uintptr_t)kaddr - (uint64_t)(uintptr_t)r->d.kaddr;
		rc = 0;
	}
	kc_os_unlock(t->lock);
	return rc;
}

/* Check (id, kind, off, len) under the lock; 0 and *r, or the error. */
static int check(struct kc_region_tab *t, struct region **r, uint32_t id, uint32_t kind,
		 uint64_t off, uint64_t len)
{
	int rc = lookup(t, r, id);

	if (rc)
		return rc;
	if ((*r)->d.kind != kind)
		return KC_RT_ETYPE;
	if (!span_inside((*r)->d.size, off, len))
		return KC_RT_ERANGE;
	return 0;
}

int kc_rt_region_resolve(struct kc_rt *rt, void **kaddr, uint32_t id, uint32_t kind, uint64_t off,
			 uint64_t len)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	struct region *r;
	int rc;

	*kaddr = NULL;
	if (!t)
		return KC_EINVAL;
	kc_os_lock(t->lock);
	rc = check(t, &r, id, kind, off, len);
	if (!rc)
		*kaddr = kind == KC_REGION_PIO ? (void *)(uintptr_t)(r->d.base + off)
					       : (uint8_t *)r->d.kaddr + off;
	kc_os_unlock(t->lock);
	return rc;
}

int kc_rt_region_info(struct kc_rt *rt, struct kc_region_desc *out, uint32_t id)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	struct region *r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!kc_rt__regions(rt)->kernel)
		return kc_region__query(rt, out, &id, id, 0);
	if (!t)
		return KC_EINVAL;
	kc_os_lock(t->lock);
	rc = lookup(t, &r, id);
	if (!rc)
		*out = r->d;
	kc_os_unlock(t->lock);
	return rc;
}

void kc_xdr_put_region(struct kc_xdr *x, uint32_t id, uint64_t off)
{
	kc_xdr_put_u32(x, id);
	kc_xdr_put_u64(x, off);
}

void kc_xdr_get_region(struct kc_xdr *x, uint32_t *id, uint64_t *off)
{
	*id = kc_xdr_get_u32(x);
	*off = kc_xdr_get_u64(x);
	if (x->err) {
		*id = 0;
		*off = 0;
	}
}

/* ---- unexports told to the user half ---- */

uint32_t kc_region__put_unmaps(struct kc_rt *rt, uint8_t *payload, uint32_t len, uint32_t cap,
			       uint32_t *flags)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	struct kc_xdr x;
	uint32_t k, room, i;

	if (!t || !kc_rt__regions(rt)->kernel || !__atomic_load_n(&t->nunmap, __ATOMIC_RELAXED))
		return len;
	kc_os_lock(t->lock);
	room = cap - len >= 4 ? (cap - len - 4) / 4 : 0;
	k = t->nunmap < room ? t->nunmap : room;
	if (k) {
		kc_xdr_init_enc(&x, payload + len, 4 * k + 4);
		for (i = 0; i < k; i++)
			kc_xdr_put_u32(&x, t->unmap[i]);
		kc_xdr_put_u32(&x, k);
		memmove(t->unmap, t->unmap + k, (t->nunmap - k) * sizeof(t->unmap[0]));
		set_nunmap(t, t->nunmap - k);
		len += 4 * k + 4;
		*flags |= KC_MSG_F_UNMAP;
	}
	kc_os_unlock(t->lock);
	return len;
}

/* ---- KC_RT_FN_REGIO ---- */

struct regio_op {
	uint32_t opcode, id, width;
	uint64_t off, val;        /* val: WRITE value; SET_BYTES byte */
	uint32_t len;             /* byte-range length */
	const uint8_t *src;       /* WRITE_BYTES: the bytes, in the (private) message */
};

/* Decode one operation (no region checks). 0 or KC_RT_EPROTO with *why. */
static int decode_op(struct kc_xdr *a, struct regio_op *op, uint32_t *in_bytes, uint32_t *out_bytes,
		     const char **why)
{
	const void *p;

	memset(op, 0, sizeof(*op));
	op->opcode = kc_xdr_get_u32(a);
	op->id = kc_xdr_get_u32(a);
	op->off = kc_xdr_get_u64(a);
	op->width = kc_xdr_get_u32(a);
	switch (op->opcode) {
	case KC_REGIO_READ:
		break;
	case KC_REGIO_WRITE:
		op->val = kc_xdr_get_u64(a);
		break;
	case KC_REGIO_READ_BYTES:
		op->len = kc_xdr_get_u32(a);
		break;
	case KC_REGIO_WRITE_BYTES:
		p = kc_xdr_get_opaque(a, &op->len, KC_REGIO_MAX_BYTES);
		op->src = p;
		break;
	case KC_REGIO_SET_BYTES:
		op->val = kc_xdr_get_u32(a);
		op->len = kc_xdr_get_u32(a);
		if (op->val > 255) {
			*why = "memset byte above 255";
			return KC_RT_EPROTO;
		}
		break;
	case KC_REGIO_CALL:
		p = kc_xdr_get_opaque(a, &op->len, KC_POST_ARGS_MAX);
		op->src = p;
		break;
	default:
		if (!kc_xdr_error(a)) {
			*why = "unknown opcode";
			return KC_RT_EPROTO;
		}
	}
	if (kc_xdr_error(a)) {
		*why = "truncated or malformed operation";
		return KC_RT_EPROTO;
	}
	if (op->opcode == KC_REGIO_READ || op->opcode == KC_REGIO_WRITE) {
		if (op->width != 1 && op->width != 2 && op->width != 4 && op->width != 8) {
			*why = "width not 1, 2, 4 or 8";
			return KC_RT_EPROTO;
		}
		if (op->off & (op->width - 1)) {
			*why = "offset not aligned to the width";
			return KC_RT_ERANGE;
		}
		return 0;
	}
	if (op->opcode == KC_REGIO_CALL && (op->width || op->off)) {
		*why = "posted call with a width or offset";
		return KC_RT_EPROTO;
	}
	if (op->opcode != KC_REGIO_CALL && op->width != 1) {
		*why = "byte-range operation with a width other than 1";
		return KC_RT_EPROTO;
	}
	if (op->len > KC_REGIO_MAX_BYTES - (op->opcode == KC_REGIO_READ_BYTES ? *out_bytes : *in_bytes)) {
		*why = "byte ranges of the batch above KC_REGIO_MAX_BYTES";
		return KC_RT_EPROTO;
	}
	if (op->opcode == KC_REGIO_READ_BYTES)
		*out_bytes += op->len;
	else
		*in_bytes += op->len;
	return 0;
}

/* Region checks of a decoded operation, under the lock. */
static int check_op(struct kc_region_tab *t, struct region **r, const struct regio_op *op,
		    const char **why)
{
	uint64_t len = op->opcode == KC_REGIO_READ || op->opcode == KC_REGIO_WRITE ? op->width : op->len;
	int rc = lookup(t, r, op->id);

	if (rc) {
		*why = rc == KC_RT_ESTALE ? "region no longer exported" : "no such region";
		return rc;
	}
	if ((*r)->d.kind != KC_REGION_MMIO && (*r)->d.kind != KC_REGION_PIO) {
		*why = "not a register region (DMA memory is mapped, never forwarded)";
		return KC_RT_ETYPE;
	}
	if ((*r)->d.kind == KC_REGION_PIO && op->width == 8) {
		*why = "8-byte port access";
		return KC_RT_EPROTO;
	}
	if (!span_inside((*r)->d.size, op->off, len)) {
		*why = "outside the region";
		return KC_RT_ERANGE;
	}
	return 0;
}

static const char *op_name(uint32_t opcode)
{
	switch (opcode) {
	case KC_REGIO_READ: return "read";
	case KC_REGIO_WRITE: return "write";
	case KC_REGIO_READ_BYTES: return "memcpy_fromio";
	case KC_REGIO_WRITE_BYTES: return "memcpy_toio";
	case KC_REGIO_SET_BYTES: return "memset_io";
	case KC_REGIO_CALL: return "posted call";
	default: return "unknown";
	}
}

/* Refusals are logged rate-limited (ratelimit.h): -1 when this one is not to be logged, else how
 * many were dropped before it. */
static int64_t log_refusal(struct kc_region_tab *t)
{
	return t ? kc_ratelimit(&t->log, kc_os_now_ns()) : 0;
}

static int refuse_at(struct kc_region_tab *t, uint32_t i, uint32_t n, const struct regio_op *op, int rc,
		     const char *why, int performed);

/* A refusal found before anything was performed (pass 1). */
static int refuse(struct kc_region_tab *t, uint32_t i, uint32_t n, const struct regio_op *op, int rc,
		  const char *why)
{
	return refuse_at(t, i, n, op, rc, why, 0);
}

/* performed: operations 1 .. i of the batch were performed (pass 2). */
static int refuse_at(struct kc_region_tab *t, uint32_t i, uint32_t n, const struct regio_op *op, int rc,
		     const char *why, int performed)
{
	int64_t dropped = log_refusal(t);

	if (dropped > 0)
		kc_os_log("(%lld refused register batches not logged)", (long long)dropped);
	if (dropped >= 0 && op->opcode == KC_REGIO_CALL)
		kc_os_log("register batch from the user half refused: operation %u of %u (posted call of "
			  "function id %u, %u bytes of arguments): %s (%s); %s",
			  i + 1, n, op->id, op->len, why, kc_rt_strerror(rc),
			  performed ? "the operations before it were performed, none after it" :
				      "nothing of the batch was performed");
	else if (dropped >= 0)
		kc_os_log("register batch from the user half refused: operation %u of %u (%s, region 0x%x, "
			  "offset 0x%llx, width %u, length %u): %s (%s)",
			  i + 1, n, op_name(op->opcode), op->id, (unsigned long long)op->off, op->width,
			  op->len, why, kc_rt_strerror(rc));
	return rc;
}

/* Perform one checked operation on region r (busy, so it stays valid). */
static void perform(const struct kc_rt_io_ops *io, const struct kc_region_desc *d,
		    const struct regio_op *op, struct kc_xdr *res, uint8_t *tmp)
{
	uint32_t k;

	/* a byte range of length 0 touches nothing (and the platform gets no NULL buffer: found
	 * by fuzz_regio) */
	if (op->opcode >= KC_REGIO_READ_BYTES && !op->len) {
		if (op->opcode == KC_REGIO_READ_BYTES)
			kc_xdr_put_opaque(res, NULL, 0);
		return;
	}
	switch (op->opcode) {
	case KC_REGIO_READ:
		kc_xdr_put_u64(res, io->read(d, op->off, op->width));
		break;
	case KC_REGIO_WRITE:
		io->write(d, op->off, op->width, op->val);
		break;
	case KC_REGIO_READ_BYTES:
		if (io->read_bytes)
			io->read_bytes(d, op->off, tmp, op->len);
		else
			for (k = 0; k < op->len; k++)
				tmp[k] = (uint8_t)io->read(d, op->off + k, 1);
		kc_xdr_put_opaque(res, tmp, op->len);
		break;
	case KC_REGIO_WRITE_BYTES:
		if (io->write_bytes)
			io->write_bytes(d, op->off, op->src, op->len);
		else
			for (k = 0; k < op->len; k++)
				io->write(d, op->off + k, 1, op->src[k]);
		break;
	case KC_REGIO_SET_BYTES:
		if (io->set_bytes)
			io->set_bytes(d, op->off, (int)op->val, op->len);
		else
			for (k = 0; k < op->len; k++)
				io->write(d, op->off + k, 1, op->val);
		break;
	}
}

/* Serve one posted call (checked in pass 1: a downcall of this half) through its handler, with
 * the checks of a downcall; the results go to the scratch buffer and are dropped. 0, or the
 * handler's error (the handler applied the protocol's rule: kc_wire_fault) with *why. The batch is
 * itself a call served like a downcall (rt.c serve_one, rt/linux serve_msg), so what the handler
 * looks up stays pinned (objt_internal.h) until the batch's reply is made. */
static int serve_posted(struct kc_rt *rt, const struct regio_op *op, uint8_t *scratch, const char **why)
{
	const char *name = NULL;
	kc_rt_handler h = kc_rt__posted_handler(rt, op->id, &name);
	struct kc_xdr ca, cr;
	int rc;

	if (!h) { /* the endpoint changed its table meanwhile: cannot happen, refused anyway */
		*why = "no downcall has this function id";
		return KC_RT_EPROTO;
	}
	kc_xdr_init_dec(&ca, op->src, op->len);
	kc_xdr_init_enc(&cr, scratch, KC_POST_RES_MAX);
	rc = h(rt, &ca, &cr);
	if (rc > 0)
		rc = KC_RT_EPROTO; /* handlers return 0 or a negative code */
	if (!rc && kc_xdr_error(&cr))
		rc = kc_xdr_error(&cr);
	if (rc)
		*why = name ? name : "posted call";
	return rc;
}

static int serve_regio(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	const struct kc_rt_io_ops *io = kc_rt__regions(rt)->io;
	struct kc_xdr a = *args;
	struct regio_op op;
	struct region *r;
	uint32_t n, i, in_bytes = 0, out_bytes = 0;
	uint64_t res_bytes = 0;
	uint8_t *tmp = NULL;
	const char *why = NULL, *name = NULL;
	uint32_t calls = 0;
	int rc;

	/* every operation takes at least 20 bytes on the wire */
	n = kc_xdr_get_count(&a, KC_REGIO_MAX_OPS, 20);
	if (kc_xdr_error(&a) || !n) {
		int64_t dropped = log_refusal(t);

		if (dropped > 0)
			kc_os_log("(%lld refused register batches not logged)", (long long)dropped);
		if (dropped >= 0)
			kc_os_log("register batch from the user half refused: %s",
				  n ? "malformed" : "no operations or more than KC_REGIO_MAX_OPS");
		return KC_RT_EPROTO;
	}
	/* pass 1: the whole batch is well formed, every register operation names a live region of
	 * the right kind and stays inside it, every posted call names a downcall of this half */
	for (i = 0; i < n; i++) {
		rc = decode_op(&a, &op, &in_bytes, &out_bytes, &why);
		if (!rc && op.opcode == KC_REGIO_CALL) {
			calls++;
			if (!kc_rt__posted_handler(rt, op.id, &name)) {
				why = "no downcall has this function id";
				rc = KC_RT_EPROTO;
			}
		} else if (!rc && (!t || !io || !io->read || !io->write)) {
			kc_os_log("register batch from the user half refused: this kernel half does not "
				  "forward register access (no io ops)");
			return KC_EUNSUPP;
		} else if (!rc) {
			kc_os_lock(t->lock);
			rc = check_op(t, &r, &op, &why);
			kc_os_unlock(t->lock);
		}
		if (rc)
			return refuse(t, i, n, &op, rc, why);
		if (op.opcode == KC_REGIO_READ)
			res_bytes += 8;
		else if (op.opcode == KC_REGIO_READ_BYTES)
			res_bytes += 4 + ((uint64_t)op.len + 3) / 4 * 4;
	}
	if (kc_xdr_dec_done(&a))
		return refuse(t, n - 1, n, &op, KC_RT_EPROTO, "bytes after the last operation");
	/* the results must fit in the reply (a deeply nested chain has less room): else nothing
	 * is performed rather than results lost */
	if (res_bytes > res->cap - res->pos)
		return refuse(t, n - 1, n, &op, KC_ENOMEM, "the results do not fit in the reply");
	if (out_bytes || calls) {
		tmp = kc_os_alloc(out_bytes > KC_POST_RES_MAX ? out_bytes : KC_POST_RES_MAX);
		if (!tmp)
			return KC_ENOMEM;
	}
	/* pass 2: perform, in order */
	a = *args;
	kc_xdr_get_u32(&a);
	in_bytes = out_bytes = 0;
	for (i = 0; i < n; i++) {
		struct kc_region_desc d;
		struct region *saved;

		decode_op(&a, &op, &in_bytes, &out_bytes, &why);
		if (op.opcode == KC_REGIO_CALL) {
			rc = serve_posted(rt, &op, tmp, &why);
			if (rc) {
				kc_os_free(tmp);
				return refuse_at(t, i, n, &op, rc, why, 1);
			}
			continue;
		}
		saved = BUSY_GET();
		kc_os_lock(t->lock);
		rc = check_op(t, &r, &op, &why);
		if (!rc) {
			__atomic_fetch_add(&r->busy, 1, __ATOMIC_SEQ_CST);
			d = r->d;
		}
		kc_os_unlock(t->lock);
		if (rc) {
			kc_os_free(tmp);
			return refuse(t, i, n, &op, rc, why);
		}
		BUSY_SET(r);
		perform(io, &d, &op, res, tmp);
		BUSY_SET(saved);
		__atomic_fetch_sub(&r->busy, 1, __ATOMIC_SEQ_CST);
	}
	kc_os_free(tmp);
	*args = a;
	return 0;
}

/* ---- register offsets the user half passes to kernel-half code ---- */

int kc_rt_region_check(struct kc_rt *rt, const volatile void *base, uint64_t off, size_t width)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	const char *why = NULL;
	struct region *r = NULL;
	uint64_t pos = 0, size = 0;
	int64_t dropped;

	if (width != 1 && width != 2 && width != 4 && width != 8) {
		why = "access width not 1, 2, 4 or 8";
	} else if (!t || !base) {
		why = "no register window";
	} else {
		kc_os_lock(t->lock);
		r = by_kaddr(t, base, 1);
		if (r && r->d.kind == KC_REGION_MMIO) {
			size = r->d.size;
			/* base lies inside: pos cannot wrap while off <= size */
			pos = (uint64_t)(uintptr_t)base - (uint64_t)(uintptr_t)r->d.kaddr;
			if (off > size || !span_inside(size, pos + off, width))
				why = "outside the register window";
			else if ((pos + off) & (width - 1))
				why = "offset not aligned to the access width";
			else
				pos += off;
		} else {
			why = "the base is in no register window the kernel half mapped";
		}
		kc_os_unlock(t->lock);
	}
	if (!why)
		return 0;
	dropped = log_refusal(t);
	if (dropped > 0)
		kc_os_log("(%lld refused register offsets not logged)", (long long)dropped);
	if (dropped >= 0)
		kc_os_log("register offset from the user half refused: offset 0x%llx, width %u, window of "
			  "0x%llx bytes: %s (%s)",
			  (unsigned long long)off, (unsigned)width, (unsigned long long)size, why,
			  kc_rt_strerror(KC_RT_ERANGE));
	return KC_RT_ERANGE;
}

/* ---- KC_RT_FN_REGINFO ---- */

/* A REGINFO request the kernel half refuses as forged: one log line (rate-limited as refuse). */
static void refuse_info(struct kc_region_tab *t, uint32_t id, const char *why)
{
	int64_t dropped = log_refusal(t);

	if (dropped > 0)
		kc_os_log("(%lld refused region requests not logged)", (long long)dropped);
	if (dropped >= 0)
		kc_os_log("region info for the user half refused: id 0x%x: %s", id, why);
}

static int serve_reginfo(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	uint32_t id = kc_xdr_get_u32(args), i;
	uint64_t port = 0;
	struct region *r = NULL;
	int rc = KC_ENOTFOUND;

	if (!id)
		port = kc_xdr_get_u64(args);
	if (kc_xdr_dec_done(args) || !t) {
		refuse_info(t, id, t ? "malformed request" : "this kernel half has no regions");
		return KC_RT_EPROTO;
	}
	kc_os_lock(t->lock);
	if (id) {
		rc = lookup(t, &r, id);
	} else {
		for (i = 0; i < t->hiwat; i++) {
			struct region *p = &t->r[i];

			if (p->live && p->d.kind == KC_REGION_PIO && !hidden(p) && port >= p->d.base &&
			    port - p->d.base < p->d.size) {
				r = p;
				id = make_id(i, p->gen);
				rc = 0;
				break;
			}
		}
	}
	if (!rc) {
		kc_xdr_put_u32(res, id);
		kc_xdr_put_u32(res, r->d.kind);
		kc_xdr_put_u32(res, r->d.flags);
		kc_xdr_put_u64(res, r->d.base);
		kc_xdr_put_u64(res, r->d.size);
		kc_xdr_put_u64(res, r->d.map_token);
	}
	kc_os_unlock(t->lock);
	if (rc == KC_RT_EPROTO)
		refuse_info(t, id, "no region ever had this id (forged)");
	return rc;
}

kc_rt_handler kc_region__handler(uint32_t fn)
{
	if (fn == KC_RT_FN_REGIO)
		return serve_regio;
	if (fn == KC_RT_FN_REGINFO)
		return serve_reginfo;
	return NULL;
}

const char *kc_region__fn_name(uint32_t fn)
{
	if (fn == KC_RT_FN_REGIO)
		return "(regio)";
	if (fn == KC_RT_FN_REGINFO)
		return "(reginfo)";
	return NULL;
}

/* ---- user side: the REGINFO query ---- */

int kc_region__query(struct kc_rt *rt, struct kc_region_desc *d, uint32_t *rid, uint32_t id,
		     uint64_t port)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	memset(d, 0, sizeof(*d));
	*rid = 0;
	if (kc_rt__regions(rt)->kernel)
		return KC_EINVAL;
	rc = kc_rt__call_begin_rt(&c, &a, rt, KC_RT_FN_REGINFO);
	if (rc)
		return rc;
	kc_xdr_put_u32(a, id);
	if (!id)
		kc_xdr_put_u64(a, port);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		*rid = kc_xdr_get_u32(r);
		d->kind = kc_xdr_get_u32(r);
		d->flags = kc_xdr_get_u32(r);
		d->base = kc_xdr_get_u64(r);
		d->size = kc_xdr_get_u64(r);
		d->map_token = kc_xdr_get_u64(r);
	}
	rc = kc_rt_call_end(c, rc);
	if (!rc && ((id && *rid != id) || d->kind < KC_REGION_MMIO || d->kind > KC_REGION_DMA ||
		    !d->size))
		rc = KC_RT_EPROTO;
	return rc;
}

/* ---- port ranges for register offsets (issue 14, regarith session) ---- */

/* The live PIO region holding port, kernel-only ones included, under the lock. */
static struct region *by_port(struct kc_region_tab *t, uint64_t port)
{
	uint32_t i;

	for (i = 0; i < t->hiwat; i++) {
		struct region *r = &t->r[i];

		if (r->live && r->d.kind == KC_REGION_PIO && port >= r->d.base && port - r->d.base < r->d.size)
			return r;
	}
	return NULL;
}

int kc_rt_region_record_port(struct kc_rt *rt, uint64_t port, uint64_t size)
{
	struct kc_region_desc d = { .kind = KC_REGION_PIO, .flags = KC_REGION_F_KERNEL, .base = port,
				    .size = size };
	uint32_t id;

	return kc_rt_region_export(rt, &id, &d);
}

int kc_rt_region_forget_port(struct kc_rt *rt, uint64_t port)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	struct region *r;

	if (!t)
		return KC_EINVAL;
	kc_os_lock(t->lock);
	r = by_port(t, port);
	if (!r || !hidden(r) || r->d.base != port) {
		kc_os_unlock(t->lock);
		return KC_ENOTFOUND;
	}
	retire_unlock(t, r);
	return 0;
}

int kc_rt_region_check_port(struct kc_rt *rt, uint64_t port, uint64_t len, size_t width)
{
	struct kc_region_tab *t = kc_rt__regions(rt)->tab;
	const char *why = NULL;
	struct region *r;
	uint64_t size = 0;
	int64_t dropped;

	if (width != 1 && width != 2 && width != 4) {
		why = "access width not 1, 2 or 4";
	} else if (len < width || port + len < port) {
		why = "a span shorter than one access";
	} else if (!t) {
		why = "no port range";
	} else {
		/* (no alignment rule: port I/O has none) */
		kc_os_lock(t->lock);
		r = by_port(t, port);
		if (!r)
			why = "the port is in no range the kernel half requested";
		else if (!span_inside(r->d.size, port - r->d.base, len))
			why = "outside the port range";
		if (r)
			size = r->d.size;
		kc_os_unlock(t->lock);
	}
	if (!why)
		return 0;
	dropped = log_refusal(t);
	if (dropped > 0)
		kc_os_log("(%lld refused register offsets not logged)", (long long)dropped);
	if (dropped >= 0)
		kc_os_log("port from the user half refused: port 0x%llx, %llu byte(s), range of 0x%llx ports: %s (%s)",
			  (unsigned long long)port, (unsigned long long)len, (unsigned long long)size, why,
			  kc_rt_strerror(KC_RT_ERANGE));
	return KC_RT_ERANGE;
}
