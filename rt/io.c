/*
 * io.c - device regions, user side: the user half's views of the regions the kernel half
 * exported (a DMA region mapped from share_fd; an MMIO region mapped by the platform or, when
 * forwarded, reserved address space that faults when touched directly; a port range), the
 * kc_io_* register accessors, and posted writes.
 *
 * Forwarded register access: each thread has a queue of posted writes, sent in order as one
 * KC_RT_FN_REGIO call with the next read (which needs the answer), a barrier (kc_io_flush), any
 * other call the thread makes (rt.c calls io_flush in kc_rt_call_begin), the reply to an upcall
 * the thread serves (rt.c, serve_one), or when the queue is full. A failed batch drops its
 * writes and reads as all ones; the user half logs it (once per accessor and reason).
 *
 * Views are found by id (kc_rt_region_ptr, when a region pointer arrives), by address (kc_io_*,
 * kc_rt_region_of) and by port; the table is small (KC_REGION_MAX), scanned under a mutex.
 */
#include "combolock.h"
#include "rt_internal.h"

#include <limits.h>
#include <string.h>
#ifndef __KERNEL__
#include <stdlib.h>
#endif

enum { VIEW_MAPPED = 1, VIEW_FORWARD = 2, VIEW_PORTS = 3 };

struct view {
	uint32_t id, kind, flags;
	int mode;
	uint64_t base, size, token;
	uint8_t *uaddr;   /* mapping or reservation (NULL for ports) */
	size_t maplen;
};

struct kc_io_views {
	struct kc_os_mutex *lock;
	uint32_t n;
	struct view v[KC_REGION_MAX];
};

/* The process's user endpoint (kc_rt_user_open), for kc_io_*. */
static struct kc_rt *_Atomic io_rt;

static _Atomic uint64_t st_reads, st_writes, st_batches, st_posted, st_errors, st_calls;

/* ---- views ---- */

int kc_io__views_new(struct kc_rt *rt)
{
	struct kc_io_views *v = kc_os_zalloc(sizeof(*v));

	if (!v)
		return KC_ENOMEM;
	v->lock = kc_os_mutex_new();
	if (!v->lock) {
		kc_os_free(v);
		return KC_ENOMEM;
	}
	rt->views = v;
	return 0;
}

static void view_release(struct view *w)
{
	if (w->uaddr)
		kc_os_shm_unmap(w->uaddr, w->maplen);
	w->uaddr = NULL;
}

void kc_io__views_free(struct kc_rt *rt)
{
	struct kc_io_views *v = rt->views;
	uint32_t i;

	kc_io__detach(rt);
	if (v) {
		for (i = 0; i < v->n; i++)
			view_release(&v->v[i]);
		kc_os_mutex_free(v->lock);
		kc_os_free(v);
		rt->views = NULL;
	}
	if (rt->share_fd >= 0)
		kc_os_close(rt->share_fd);
	rt->share_fd = -1;
}

void kc_io__attach(struct kc_rt *rt)
{
	rt->io_flush = kc_io__flush_thread;
	atomic_store(&io_rt, rt);
}

void kc_io__detach(struct kc_rt *rt)
{
	struct kc_rt *want = rt;

	atomic_compare_exchange_strong(&io_rt, &want, NULL);
}

static struct view *by_id(struct kc_io_views *v, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < v->n; i++)
		if (v->v[i].id == id)
			return &v->v[i];
	return NULL;
}

static struct view *by_addr(struct kc_io_views *v, const volatile void *a)
{
	const uint8_t *p = (const uint8_t *)a;
	uint32_t i;

	for (i = 0; i < v->n; i++) {
		struct view *w = &v->v[i];

		if (w->uaddr && p >= w->uaddr && (uint64_t)(p - w->uaddr) < w->size)
			return w;
	}
	return NULL;
}

static struct view *by_port(struct kc_io_views *v, uint64_t port)
{
	uint32_t i;

	for (i = 0; i < v->n; i++) {
		struct view *w = &v->v[i];

		if (w->mode == VIEW_PORTS && port >= w->base && port - w->base < w->size)
			return w;
	}
	return NULL;
}

static int mapped_mmio_wanted(struct kc_rt *rt)
{
	return rt->o.access == KC_ACCESS_MAPPED;
}

/* Make the view of a region the kernel half described (under the lock). */
static int view_add(struct kc_rt *rt, struct view **out, uint32_t id, const struct kc_region_desc *d)
{
	struct kc_io_views *v = rt->views;
	struct view w;
	void *p = NULL;
	int rc;

	*out = NULL;
	if (v->n == KC_REGION_MAX)
		return KC_ENOMEM;
	memset(&w, 0, sizeof(w));
	w.id = id;
	w.kind = d->kind;
	w.flags = d->flags;
	w.base = d->base;
	w.size = d->size;
	w.token = d->map_token;
	if (d->size > (uint64_t)SIZE_MAX / 2)
		return KC_RT_ERANGE;
	switch (d->kind) {
	case KC_REGION_PIO:
		w.mode = VIEW_PORTS;
		break;
	case KC_REGION_DMA:
		if (!(d->flags & KC_REGION_F_MAP) || rt->share_fd < 0) {
			kc_os_log("DMA region 0x%x cannot be mapped into the user half (%s)", id,
				  rt->share_fd < 0 ? "no shared descriptor" : "not mappable");
			return KC_EUNSUPP;
		}
		rc = kc_os_map_fd(&p, rt->share_fd, d->map_token, (size_t)d->size);
		if (rc) {
			kc_os_log("cannot map DMA region 0x%x (%llu bytes at 0x%llx): error %d", id,
				  (unsigned long long)d->size, (unsigned long long)d->map_token, -rc);
			return KC_EIO;
		}
		w.mode = VIEW_MAPPED;
		break;
	case KC_REGION_MMIO:
		if (mapped_mmio_wanted(rt)) {
			if ((d->flags & KC_REGION_F_MAP) && rt->share_fd >= 0 &&
			    kc_os_map_fd(&p, rt->share_fd, d->map_token, (size_t)d->size) == 0) {
				w.mode = VIEW_MAPPED;
				break;
			}
			kc_os_log("MMIO region 0x%x cannot be mapped into the user half: its registers "
				  "are forwarded to the kernel half", id);
		}
		rc = kc_os_reserve(&p, (size_t)d->size);
		if (rc)
			return KC_ENOMEM;
		w.mode = VIEW_FORWARD;
		break;
	default:
		return KC_RT_EPROTO;
	}
	w.uaddr = p;
	w.maplen = (size_t)d->size;
	v->v[v->n] = w;
	*out = &v->v[v->n++];
	return 0;
}

/* The view of region id (id 0: of the port range holding port), made on first sight. */
static int view_get(struct kc_rt *rt, struct view *copy, uint32_t id, uint64_t port)
{
	struct kc_io_views *v = rt->views;
	struct kc_region_desc d;
	struct view *w;
	uint32_t rid;
	int rc;

	if (!v)
		return KC_EINVAL;
	kc_os_lock(v->lock);
	w = id ? by_id(v, id) : by_port(v, port);
	if (w)
		*copy = *w;
	kc_os_unlock(v->lock);
	if (w)
		return 0;
	/* not known yet: ask the kernel half (outside the lock: it is a call) */
	rc = kc_region__query(rt, &d, &rid, id, port);
	if (rc)
		return rc;
	kc_os_lock(v->lock);
	w = by_id(v, rid); /* another thread may have made it meanwhile */
	if (!w)
		rc = view_add(rt, &w, rid, &d);
	if (!rc)
		*copy = *w;
	kc_os_unlock(v->lock);
	return rc;
}

int kc_rt_region_ptr(struct kc_rt *rt, void **uaddr, uint32_t id, uint64_t off, uint64_t len)
{
	struct view w;
	int rc;

	*uaddr = NULL;
	if (rt->side != KC_SIDE_USER || !id)
		return KC_EINVAL;
	rc = view_get(rt, &w, id, 0);
	if (rc)
		return rc;
	if (off > w.size || len > w.size - off)
		return KC_RT_ERANGE;
	*uaddr = w.mode == VIEW_PORTS ? (void *)(uintptr_t)(w.base + off) : w.uaddr + off;
	return 0;
}

int kc_rt_region_of(struct kc_rt *rt, uint32_t *id, uint64_t *off, const volatile void *uaddr)
{
	struct kc_io_views *v = rt->views;
	struct view *w;
	int rc = KC_ENOTFOUND;

	*id = 0;
	*off = 0;
	if (!v)
		return KC_EINVAL;
	kc_os_lock(v->lock);
	w = by_addr(v, uaddr);
	if (w) {
		*id = w->id;
		*off = (uint64_t)((const uint8_t *)uaddr - w->uaddr);
		rc = 0;
	}
	kc_os_unlock(v->lock);
	return rc;
}

int kc_io__take_unmaps(struct kc_rt *rt, const uint8_t *payload, uint32_t *len)
{
	struct kc_io_views *v = rt->views;
	struct kc_xdr x;
	uint32_t n, i, j, id;

	if (*len < 4)
		return KC_RT_EPROTO;
	kc_xdr_init_dec(&x, payload + *len - 4, 4);
	n = kc_xdr_get_u32(&x);
	if (n > (*len - 4) / 4)
		return KC_RT_EPROTO;
	*len -= 4 + 4 * n;
	kc_xdr_init_dec(&x, payload + *len, 4 * n);
	if (!v)
		return 0;
	kc_os_lock(v->lock);
	for (i = 0; i < n; i++) {
		id = kc_xdr_get_u32(&x);
		for (j = 0; j < v->n; j++)
			if (v->v[j].id == id) {
				view_release(&v->v[j]);
				v->v[j] = v->v[--v->n];
				break;
			}
	}
	kc_os_unlock(v->lock);
	return 0;
}

/* ---- logging (once per accessor and reason) ---- */

enum { ACC_READ, ACC_WRITE, ACC_IN, ACC_OUT, ACC_FROMIO, ACC_TOIO, ACC_SETIO, ACC_CALL, ACC_N };
enum { WHY_NOREGION, WHY_REFUSED, WHY_RANGE, WHY_N };

static _Atomic uint32_t logged[ACC_N];

static void io_error(int acc, int why, const char *detail)
{
	static const char *const acc_name[ACC_N] = { "read", "write", "in", "out",
						     "memcpy_fromio", "memcpy_toio", "memset_io",
						     "posted call" };
	static const char *const why_name[WHY_N] = {
		"address or port in no exported region",
		"refused by the kernel half",
		"range runs past the end of its region",
	};
	uint32_t bit = 1u << why;

	atomic_fetch_add(&st_errors, 1);
	if (atomic_fetch_or(&logged[acc], bit) & bit)
		return;
	kc_os_log("user half: kc_io %s: %s%s%s (%s; logged once)", acc_name[acc], why_name[why],
		  detail ? ": " : "", detail ? detail : "",
		  acc == ACC_READ || acc == ACC_IN || acc == ACC_FROMIO ? "reads as all ones"
									: "dropped");
}

/* ---- posted writes ---- */

struct qop {
	uint8_t opcode, width;
	uint32_t id, len;
	uint32_t boff;  /* WRITE_BYTES, CALL: where its bytes are in the queue's byte buffer */
	uint64_t off, val;
};

struct ioq {
	struct kc_rt *rt;
	uint32_t n, nbytes;
	struct qop op[KC_REGIO_MAX_OPS];
	uint8_t bytes[KC_REGIO_MAX_BYTES];
};

/* Static thread-local storage (about 24 KiB a thread): nothing to free when a thread ends. */
static _Thread_local struct ioq tls_q;

static void put_op(struct kc_xdr *a, const struct ioq *q, const struct qop *op)
{
	kc_xdr_put_u32(a, op->opcode);
	kc_xdr_put_u32(a, op->id);
	kc_xdr_put_u64(a, op->off);
	kc_xdr_put_u32(a, op->width);
	switch (op->opcode) {
	case KC_REGIO_WRITE:
		kc_xdr_put_u64(a, op->val);
		break;
	case KC_REGIO_READ_BYTES:
		kc_xdr_put_u32(a, op->len);
		break;
	case KC_REGIO_WRITE_BYTES:
	case KC_REGIO_CALL:
		kc_xdr_put_opaque(a, q->bytes + op->boff, op->len);
		break;
	case KC_REGIO_SET_BYTES:
		kc_xdr_put_u32(a, (uint32_t)op->val);
		kc_xdr_put_u32(a, op->len);
		break;
	}
}

/* Send the queued writes of this thread plus, when rd is not NULL, one read at the end (READ or
 * READ_BYTES) whose result goes to *val / dst. Returns 0 or the error (the queue is empty
 * afterwards either way). */
static int send_batch(struct ioq *q, const struct qop *rd, uint64_t *val, void *dst)
{
	struct kc_rt *rt = q->rt;
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	uint32_t i, n = q->n, writes = 0, calls = 0;
	int rc;

	q->n = 0;
	q->nbytes = 0;
	if (!n && !rd)
		return 0;
	/* the user half's changes to synchronized objects reach the kernel half before these
	 * register operations (one may enable the interrupt whose handler reads them; sync.c) */
	kc_sync__flush(rt);
	rc = kc_rt__call_begin_rt(&c, &a, rt, KC_RT_FN_REGIO);
	if (rc)
		goto failed;
	kc_xdr_put_u32(a, n + (rd != NULL));
	for (i = 0; i < n; i++) {
		put_op(a, q, &q->op[i]);
		writes++;
		calls += q->op[i].opcode == KC_REGIO_CALL;
	}
	if (rd)
		put_op(a, q, rd);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc && rd) {
		if (rd->opcode == KC_REGIO_READ) {
			*val = kc_xdr_get_u64(r);
		} else {
			uint32_t got = 0;
			const void *p = kc_xdr_get_opaque(r, &got, rd->len);

			if (p && got == rd->len)
				memcpy(dst, p, got);
			else
				rc = KC_RT_EPROTO;
		}
	}
	rc = kc_rt_call_end(c, rc);
	atomic_fetch_add(&st_batches, 1);
	/* writes followed by another operation in the same batch were posted */
	if (writes)
		atomic_fetch_add(&st_posted, rd ? writes : writes - 1);
failed:
	if (rc) {
		char what[96];

		snprintf(what, sizeof(what), "%u operation(s), %u posted call(s): %s", n + (rd != NULL), calls,
			 kc_rt_strerror(rc));
		io_error(rd ? (rd->opcode == KC_REGIO_READ ? ACC_READ : ACC_FROMIO) : calls ? ACC_CALL : ACC_WRITE,
			 WHY_REFUSED, what);
	}
	return rc;
}

void kc_io__flush_thread(struct kc_rt *rt)
{
	struct ioq *q = &tls_q;

	if (q->n && q->rt == rt)
		send_batch(q, NULL, NULL, NULL);
}

/* Queue a write (WRITE / WRITE_BYTES / SET_BYTES) on this thread; sends when full, or at once
 * with no_posting. */
static void post(struct kc_rt *rt, struct qop *op, const void *bytes)
{
	struct ioq *q = &tls_q;

	if (q->n && q->rt != rt)
		send_batch(q, NULL, NULL, NULL);
	q->rt = rt;
	if (q->n == KC_REGIO_MAX_OPS ||
	    ((op->opcode == KC_REGIO_WRITE_BYTES || op->opcode == KC_REGIO_CALL) &&
	     op->len > KC_REGIO_MAX_BYTES - q->nbytes))
		send_batch(q, NULL, NULL, NULL);
	if ((op->opcode == KC_REGIO_WRITE_BYTES || op->opcode == KC_REGIO_CALL) && bytes) {
		op->boff = q->nbytes;
		memcpy(q->bytes + q->nbytes, bytes, op->len);
		q->nbytes += op->len;
	}
	q->op[q->n++] = *op;
	if (rt->o.no_posting)
		send_batch(q, NULL, NULL, NULL);
}

/* A read: the queued writes go first, in the same batch. */
static int fetch(struct kc_rt *rt, const struct qop *rd, uint64_t *val, void *dst)
{
	struct ioq *q = &tls_q;

	if (q->n && q->rt != rt)
		send_batch(q, NULL, NULL, NULL);
	q->rt = rt;
	return send_batch(q, rd, val, dst);
}

/* ---- the accessors ---- */

/* Where addr is: the view (copied) and the offset, for an access of len bytes. 0, or -1 after
 * logging. */
static int locate(struct kc_rt **rtp, struct view *w, uint64_t *off, const volatile void *addr,
		  uint64_t len, int acc)
{
	struct kc_rt *rt = atomic_load(&io_rt);
	struct view *p;

	*rtp = rt;
	if (!rt || !rt->views) {
		io_error(acc, WHY_NOREGION, "no user-half endpoint");
		return -1;
	}
	kc_os_lock(rt->views->lock);
	p = by_addr(rt->views, addr);
	if (p)
		*w = *p;
	kc_os_unlock(rt->views->lock);
	if (!p || w->kind != KC_REGION_MMIO) {
		io_error(acc, WHY_NOREGION, p ? "a DMA buffer, not registers" : NULL);
		return -1;
	}
	*off = (uint64_t)((const uint8_t *)addr - w->uaddr);
	if (len > w->size - *off) {
		io_error(acc, WHY_RANGE, NULL);
		return -1;
	}
	return 0;
}

static uint64_t ones(unsigned width)
{
	return width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
}

static uint64_t mmio_read(const volatile void *addr, unsigned width)
{
	struct kc_rt *rt;
	struct view w;
	uint64_t off, v = 0;
	struct qop op;

	atomic_fetch_add(&st_reads, 1);
	if (locate(&rt, &w, &off, addr, width, ACC_READ))
		return ones(width);
	if (w.mode == VIEW_MAPPED) {
		kc_io__flush_thread(rt); /* forwarded writes to other regions come first */
		switch (width) {
		case 1: return *(const volatile uint8_t *)addr;
		case 2: return *(const volatile uint16_t *)addr;
		case 4: return *(const volatile uint32_t *)addr;
		default: return *(const volatile uint64_t *)addr;
		}
	}
	memset(&op, 0, sizeof(op));
	op.opcode = KC_REGIO_READ;
	op.id = w.id;
	op.off = off;
	op.width = width;
	if (fetch(rt, &op, &v, NULL))
		return ones(width);
	return v & ones(width);
}

static void mmio_write(volatile void *addr, unsigned width, uint64_t val)
{
	struct kc_rt *rt;
	struct view w;
	uint64_t off;
	struct qop op;

	atomic_fetch_add(&st_writes, 1);
	if (locate(&rt, &w, &off, addr, width, ACC_WRITE))
		return;
	if (w.mode == VIEW_MAPPED) {
		kc_io__flush_thread(rt);
		switch (width) {
		case 1: *(volatile uint8_t *)addr = (uint8_t)val; break;
		case 2: *(volatile uint16_t *)addr = (uint16_t)val; break;
		case 4: *(volatile uint32_t *)addr = (uint32_t)val; break;
		default: *(volatile uint64_t *)addr = val; break;
		}
		return;
	}
	memset(&op, 0, sizeof(op));
	op.opcode = KC_REGIO_WRITE;
	op.id = w.id;
	op.off = off;
	op.width = width;
	op.val = val;
	post(rt, &op, NULL);
}

uint8_t kc_io_read8(const volatile void *addr) { return (uint8_t)mmio_read(addr, 1); }
uint16_t kc_io_read16(const volatile void *addr) { return (uint16_t)mmio_read(addr, 2); }
uint32_t kc_io_read32(const volatile void *addr) { return (uint32_t)mmio_read(addr, 4); }
uint64_t kc_io_read64(const volatile void *addr) { return mmio_read(addr, 8); }
void kc_io_write8(uint8_t v, volatile void *addr) { mmio_write(addr, 1, v); }
void kc_io_write16(uint16_t v, volatile void *addr) { mmio_write(addr, 2, v); }
void kc_io_write32(uint32_t v, volatile void *addr) { mmio_write(addr, 4, v); }
void kc_io_write64(uint64_t v, volatile void *addr) { mmio_write(addr, 8, v); }

/* The port range holding [port, port + width): the view, or -1 after logging. */
static int locate_port(struct kc_rt **rtp, struct view *w, unsigned long port, unsigned width,
		       int acc)
{
	struct kc_rt *rt = atomic_load(&io_rt);

	*rtp = rt;
	if (!rt || view_get(rt, w, 0, port)) {
		io_error(acc, WHY_NOREGION, NULL);
		return -1;
	}
	if (width > w->size - (port - w->base)) {
		io_error(acc, WHY_RANGE, NULL);
		return -1;
	}
	return 0;
}

static uint32_t port_in(unsigned long port, unsigned width)
{
	struct kc_rt *rt;
	struct view w;
	struct qop op;
	uint64_t v = 0;

	atomic_fetch_add(&st_reads, 1);
	if (locate_port(&rt, &w, port, width, ACC_IN))
		return (uint32_t)ones(width);
	memset(&op, 0, sizeof(op));
	op.opcode = KC_REGIO_READ;
	op.id = w.id;
	op.off = port - w.base;
	op.width = width;
	if (fetch(rt, &op, &v, NULL))
		return (uint32_t)ones(width);
	return (uint32_t)(v & ones(width));
}

static void port_out(unsigned long port, unsigned width, uint32_t val)
{
	struct kc_rt *rt;
	struct view w;
	struct qop op;

	atomic_fetch_add(&st_writes, 1);
	if (locate_port(&rt, &w, port, width, ACC_OUT))
		return;
	memset(&op, 0, sizeof(op));
	op.opcode = KC_REGIO_WRITE;
	op.id = w.id;
	op.off = port - w.base;
	op.width = width;
	op.val = val;
	post(rt, &op, NULL);
}

uint8_t kc_io_in8(unsigned long port) { return (uint8_t)port_in(port, 1); }
uint16_t kc_io_in16(unsigned long port) { return (uint16_t)port_in(port, 2); }
uint32_t kc_io_in32(unsigned long port) { return port_in(port, 4); }
void kc_io_out8(uint8_t v, unsigned long port) { port_out(port, 1, v); }
void kc_io_out16(uint16_t v, unsigned long port) { port_out(port, 2, v); }
void kc_io_out32(uint32_t v, unsigned long port) { port_out(port, 4, v); }

/* A byte range of n bytes at addr, inside one MMIO region: read into dst (dst != NULL), or write
 * src's bytes (src != NULL) or n times the byte c. Forwarded in chunks of at most
 * KC_REGIO_MAX_BYTES; reads that fail give 0xff bytes. */
static void bytes_io(volatile void *addr, uint8_t *dst, const uint8_t *src, int c, size_t n, int acc)
{
	volatile uint8_t *io = addr;
	struct kc_rt *rt;
	struct view w;
	uint64_t off;
	size_t done;

	if (!n)
		return;
	atomic_fetch_add(dst ? &st_reads : &st_writes, 1);
	if (locate(&rt, &w, &off, addr, n, acc)) {
		if (dst)
			memset(dst, 0xff, n);
		return;
	}
	if (w.mode == VIEW_MAPPED) {
		kc_io__flush_thread(rt);
		for (done = 0; done < n; done++) {
			if (dst)
				dst[done] = io[done];
			else
				io[done] = src ? src[done] : (uint8_t)c;
		}
		return;
	}
	for (done = 0; done < n;) {
		uint32_t k = n - done > KC_REGIO_MAX_BYTES ? KC_REGIO_MAX_BYTES : (uint32_t)(n - done);
		struct qop op = {
			.opcode = dst ? KC_REGIO_READ_BYTES : src ? KC_REGIO_WRITE_BYTES : KC_REGIO_SET_BYTES,
			.width = 1, .id = w.id, .len = k, .off = off + done, .val = (uint8_t)c,
		};

		if (!dst)
			post(rt, &op, src ? src + done : NULL);
		else if (fetch(rt, &op, NULL, dst + done))
			memset(dst + done, 0xff, k);
		done += k;
	}
}

void kc_io_memcpy_fromio(void *dst, const volatile void *src, size_t n)
{
	bytes_io((volatile void *)src, dst, NULL, 0, n, ACC_FROMIO);
}

void kc_io_memcpy_toio(volatile void *dst, const void *src, size_t n)
{
	bytes_io(dst, NULL, src, 0, n, ACC_TOIO);
}

void kc_io_memset_io(volatile void *dst, int c, size_t n)
{
	bytes_io(dst, NULL, NULL, c, n, ACC_SETIO);
}

void kc_io_flush(void)
{
	struct kc_rt *rt = atomic_load(&io_rt);

	if (rt)
		kc_io__flush_thread(rt);
	atomic_thread_fence(memory_order_seq_cst);
}

void kc_io_get_stats(struct kc_io_stats *out)
{
	out->reads = atomic_load(&st_reads);
	out->writes = atomic_load(&st_writes);
	out->batches = atomic_load(&st_batches);
	out->posted = atomic_load(&st_posted);
	out->errors = atomic_load(&st_errors);
	out->calls = atomic_load(&st_calls);
}

/* ---- posted kernel calls (kcut_rt.h, "Posted kernel calls") ---- */

struct postbuf {
	struct kc_rt *rt;
	uint32_t fn;
	int open;
	struct kc_xdr x;
	uint8_t args[KC_POST_ARGS_MAX];
};

static _Thread_local struct postbuf tls_post;

/* $KCUT_IO_NO_POST_CALLS=1 (benchmark, bench/posted.sh): a posted call is sent at once, in a
 * batch with the writes queued before it, as a downcall would cross; register writes stay posted
 * ($KCUT_IO_NO_POSTING sends both at once). Read once per process. */
static int calls_unposted(void)
{
	static _Atomic int v = -1;
	int r = atomic_load(&v);

	if (r < 0) {
#ifdef __KERNEL__
		r = 0; /* rt/lxuser reads no environment: posted calls stay posted */
#else
		const char *e = getenv("KCUT_IO_NO_POST_CALLS");

		r = e && *e && strcmp(e, "0");
#endif
		atomic_store(&v, r);
	}
	return r;
}

int kc_rt_post_begin(struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	struct postbuf *b = &tls_post;

	*args = NULL;
	if (!rt || rt->side != KC_SIDE_USER || (rt->o.npeer && fn >= rt->o.npeer) || fn >= KC_RT_FN_PING ||
	    b->open)
		return KC_EINVAL;
	b->open = 1;
	b->rt = rt;
	b->fn = fn;
	kc_xdr_init_enc(&b->x, b->args, sizeof(b->args));
	*args = &b->x;
	return 0;
}

int kc_rt_post_end(struct kc_rt *rt, int rc, const void *freed)
{
	struct postbuf *b = &tls_post;
	struct qop op;

	if (!b->open || b->rt != rt)
		return rc ? rc : KC_EINVAL;
	b->open = 0;
	if (!rc && b->x.err)
		rc = b->x.err; /* arguments above KC_POST_ARGS_MAX */
	if (rc)
		return rc;
	/* the freed object's own changes reach the kernel half before the call that frees it, as a
	 * downcall's flush would have sent them (its shadow goes with kc_wire_sync_freed below);
	 * changes to other objects go with the batch (send_batch flushes first) */
	if (freed && kc_sync__changed(rt, freed))
		kc_sync__flush(rt);
	memset(&op, 0, sizeof(op));
	op.opcode = KC_REGIO_CALL;
	op.id = b->fn;
	op.len = (uint32_t)b->x.pos;
	atomic_fetch_add(&st_calls, 1);
	post(rt, &op, b->args);
	if (calls_unposted()) /* benchmark: each posted call crosses at once, writes stay posted */
		kc_io__flush_thread(rt);
	/* the user half's bookkeeping of the freed object happens now: its copy leaves the tracker
	 * and pointers to it go down as NULL (rt/sync.c) */
	if (freed)
		kc_wire_sync_freed(rt, freed);
	return 0;
}

kc_rt_handler kc_rt__posted_handler(struct kc_rt *rt, uint32_t fn, const char **name)
{
	*name = NULL;
	if (rt->side != KC_SIDE_KERNEL || fn >= rt->o.nfns || !rt->o.fns[fn].fn)
		return NULL;
	*name = rt->o.fns[fn].name;
	return rt->o.fns[fn].fn;
}

/* ---- combolocks, user side (combolock.h) ---- */

static int user_call(struct kc_rt *rt, uint32_t op, uint32_t id)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	if (kc_rt__regions(rt)->kernel)
		return KC_EINVAL;
	if (op == 2) {
		/* what the user half did under the lock goes first: its changes to synchronized
		 * objects and its posted register writes */
		kc_sync__flush(rt);
		kc_io__flush_thread(rt);
	}
	rc = kc_rt__call_begin_rt(&c, &a, rt, KC_RT_FN_COMBOLOCK);
	if (rc)
		return rc;
	kc_xdr_put_u32(a, op);
	kc_xdr_put_u32(a, id);
	rc = kc_rt_call_invoke(c, &r);
	return kc_rt_call_end(c, rc);
}

int kc_combolock_acquire(struct kc_rt *rt, uint32_t id)
{
	return user_call(rt, 1, id);
}

int kc_combolock_release(struct kc_rt *rt, uint32_t id)
{
	return user_call(rt, 2, id);
}
