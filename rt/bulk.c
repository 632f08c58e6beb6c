/*
 * bulk.c - byte ranges passed by reference.
 *
 * A side that has a large buffer to hand over allocates it in its own by-reference area
 * (kc_rt_buf_alloc), fills it there, and encodes only (area id, offset, length) with
 * kc_xdr_put_buf. The kernel half's area is a sealed memfd of its own (kc_rt.kbulk), made once
 * per endpoint: its buffers outlive user-half incarnations, and every user half maps it
 * read-only (the seal forbids any writable mapping), so it can read kernel buffers in place but
 * never change them. The user half's area is its half of the incarnation's region; the kernel
 * half copies bytes out of it once (the user half could change them while they are read) and
 * checks the region id, the offset and the length, so a forged reference is a decode error
 * (and, through kc_rt_call_end, a fault of the user half). User buffers die with their
 * incarnation (the user half with them). Allocation is first-fit over pages (512 KiB per side),
 * under the endpoint's lock.
 */
#include "rt_internal.h"

#include <string.h>

struct kc_rt_buf {
	struct kc_rt *rt;
	struct kc_conn *conn; /* user side: the incarnation; kernel side: NULL (kc_rt.kbulk) */
	uint32_t page, npages;
	size_t size;
};

static uint32_t own_base(const struct kc_rt *rt)
{
	return rt->side == KC_SIDE_KERNEL ? 0 : KC_BULK_HALF;
}

/* First fit of np pages in used[] (lock held); the first page or -1. */
static int64_t pages_take(uint8_t *used, uint32_t np)
{
	uint32_t i, run = 0;

	for (i = 0; i < KC_BULK_PAGES; i++) {
		run = used[i] ? 0 : run + 1;
		if (run == np) {
			memset(&used[i + 1 - np], 1, np);
			return i + 1 - np;
		}
	}
	return -1;
}

int kc_rt_buf_alloc(struct kc_rt_buf **out, void **data, struct kc_rt *rt, size_t size)
{
	struct kc_rt_buf *b;
	struct kc_conn *c = NULL;
	uint32_t np;
	int64_t page;

	*out = NULL;
	*data = NULL;
	if (!size || size > KC_BULK_HALF)
		return KC_EINVAL;
	if (rt->side == KC_SIDE_KERNEL) {
		if (!rt->kbulk)
			return KC_EINVAL;
	} else {
		c = kc_conn_get(rt);
		if (!c)
			return KC_RT_EDOWN;
	}
	b = kc_os_zalloc(sizeof(*b));
	if (!b) {
		kc_conn_put(rt, c);
		return KC_ENOMEM;
	}
	np = (uint32_t)((size + KC_BULK_PAGE - 1) / KC_BULK_PAGE);
	kc_os_lock(rt->lock);
	page = pages_take(c ? c->bulk_used : rt->kbulk_used, np);
	kc_os_unlock(rt->lock);
	if (page < 0) {
		kc_conn_put(rt, c);
		kc_os_free(b);
		return KC_ENOMEM;
	}
	b->rt = rt;
	b->conn = c;
	b->page = (uint32_t)page;
	b->npages = np;
	b->size = size;
	if (c)
		*data = (uint8_t *)c->base + rt->g.bulk_off + own_base(rt) +
			(size_t)b->page * KC_BULK_PAGE;
	else
		*data = (uint8_t *)rt->kbulk + (size_t)b->page * KC_BULK_PAGE;
	*out = b;
	return 0;
}

void kc_rt_buf_free(struct kc_rt_buf *b)
{
	if (!b)
		return;
	kc_os_lock(b->rt->lock);
	memset(b->conn ? &b->conn->bulk_used[b->page] : &b->rt->kbulk_used[b->page], 0, b->npages);
	kc_os_unlock(b->rt->lock);
	kc_conn_put(b->rt, b->conn);
	kc_os_free(b);
}

void kc_xdr_put_buf(struct kc_xdr *x, const struct kc_rt_buf *b, size_t off, size_t len)
{
	if (!b || off > b->size || len > b->size - off) {
		if (!x->err)
			x->err = KC_EINVAL;
		return;
	}
	if (b->conn && atomic_load(&b->conn->dead)) {
		/* a user-half buffer of an incarnation that is gone (only the user side has
		 * those): the call fails with KC_RT_EDEAD and nothing is sent */
		if (!x->err)
			x->err = KC_RT_EDEAD;
		return;
	}
	kc_xdr_put_u32(x, b->conn ? b->conn->region_id : b->rt->kbulk_id);
	kc_xdr_put_u32(x, own_base(b->rt) + b->page * KC_BULK_PAGE + (uint32_t)off);
	kc_xdr_put_u32(x, (uint32_t)len);
}

const void *kc_rt_get_buf(struct kc_rt *rt, struct kc_xdr *x, void *dst, uint32_t *len,
			  uint32_t max)
{
	uint32_t id = kc_xdr_get_u32(x), off = kc_xdr_get_u32(x), n = kc_xdr_get_u32(x);
	uint32_t peer_base = rt->side == KC_SIDE_KERNEL ? KC_BULK_HALF : 0;
	struct kc_conn *c;
	const uint8_t *src;

	*len = 0;
	if (x->err)
		return NULL;
	if (n > max || off < peer_base || off - peer_base > KC_BULK_HALF ||
	    n > KC_BULK_HALF - (off - peer_base) || (rt->side == KC_SIDE_KERNEL && n && !dst))
		goto bad;
	if (rt->side == KC_SIDE_USER) {
		/* a kernel buffer: in the kernel's bulk memfd, mapped read-only here */
		if (id != rt->kbulk_id || !rt->kbulk)
			goto bad;
		*len = n;
		return (const uint8_t *)rt->kbulk + off;
	}
	c = kc_conn_get(rt);
	if (!c)
		goto bad;
	if (c->region_id != id) {
		kc_conn_put(rt, c);
		goto bad;
	}
	src = (const uint8_t *)c->base + rt->g.bulk_off + off;
	*len = n;
	if (n)
		memcpy(dst, src, n);
	kc_conn_put(rt, c);
	return dst;
bad:
	if (!x->err)
		x->err = KC_EINVAL;
	return NULL;
}
