/*
 * bulk.c - byte ranges passed by reference through the shared region.
 *
 * A side that has a large buffer to hand over allocates it in its half of the region's bulk
 * area (kc_rt_buf_alloc), fills it there, and encodes only (region id, offset, length) with
 * kc_xdr_put_buf. The user half then reads the bytes in place; the kernel half copies them
 * out once (the user half could change them while they are read) and checks the region id, the
 * offset and the length against the bulk area, so a forged reference is a decode error (and,
 * through kc_rt_call_end, a fault of the user half). Buffers belong to one incarnation: after a
 * restart their region is gone and kc_xdr_put_buf fails the encoder. Allocation is first-fit
 * over pages of the side's half (512 KiB), under the endpoint's lock.
 */
#include "rt_internal.h"

#include <string.h>

struct kc_rt_buf {
	struct kc_rt *rt;
	struct kc_conn *conn;
	uint32_t page, npages;
	size_t size;
};

static uint32_t own_base(const struct kc_rt *rt)
{
	return rt->side == KC_SIDE_KERNEL ? 0 : KC_BULK_HALF;
}

int kc_rt_buf_alloc(struct kc_rt_buf **out, void **data, struct kc_rt *rt, size_t size)
{
	struct kc_rt_buf *b;
	struct kc_conn *c;
	uint32_t np, i, run = 0;
	int rc = KC_ENOMEM;

	*out = NULL;
	*data = NULL;
	if (!size || size > KC_BULK_HALF)
		return KC_EINVAL;
	c = kc_conn_get(rt);
	if (!c)
		return KC_RT_EDOWN;
	b = kc_os_zalloc(sizeof(*b));
	if (!b) {
		kc_conn_put(rt, c);
		return KC_ENOMEM;
	}
	np = (uint32_t)((size + KC_BULK_PAGE - 1) / KC_BULK_PAGE);
	kc_os_lock(rt->lock);
	for (i = 0; i < KC_BULK_PAGES; i++) {
		run = c->bulk_used[i] ? 0 : run + 1;
		if (run == np) {
			b->page = i + 1 - np;
			memset(&c->bulk_used[b->page], 1, np);
			rc = 0;
			break;
		}
	}
	kc_os_unlock(rt->lock);
	if (rc) {
		kc_conn_put(rt, c);
		kc_os_free(b);
		return rc;
	}
	b->rt = rt;
	b->conn = c;
	b->npages = np;
	b->size = size;
	*data = (uint8_t *)c->base + rt->g.bulk_off + own_base(rt) + (size_t)b->page * KC_BULK_PAGE;
	*out = b;
	return 0;
}

void kc_rt_buf_free(struct kc_rt_buf *b)
{
	if (!b)
		return;
	kc_os_lock(b->rt->lock);
	memset(&b->conn->bulk_used[b->page], 0, b->npages);
	kc_os_unlock(b->rt->lock);
	kc_conn_put(b->rt, b->conn);
	kc_os_free(b);
}

void kc_xdr_put_buf(struct kc_xdr *x, const struct kc_rt_buf *b, size_t off, size_t len)
{
	if (!b || off > b->size || len > b->size - off || atomic_load(&b->conn->dead)) {
		if (!x->err)
			x->err = KC_EINVAL;
		return;
	}
	kc_xdr_put_u32(x, b->conn->region_id);
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
	c = kc_conn_get(rt);
	if (!c)
		goto bad;
	if (c->region_id != id) {
		kc_conn_put(rt, c);
		goto bad;
	}
	src = (const uint8_t *)c->base + rt->g.bulk_off + off;
	*len = n;
	if (rt->side == KC_SIDE_USER) {
		kc_conn_put(rt, c); /* the user half's one region lives as long as the endpoint */
		return src;
	}
	if (n)
		memcpy(dst, src, n);
	kc_conn_put(rt, c);
	return dst;
bad:
	if (!x->err)
		x->err = KC_EINVAL;
	return NULL;
}
