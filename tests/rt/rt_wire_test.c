/*
 * rt_wire_test.c - the kernel half's checks of pointers, strings, function ids and bit numbers
 * the user half sends (rt/wire.c, issue 14). Messages are built by hand the way a hostile user
 * half would (any handle, any type and size words, any offset) and decoded by a kernel-side
 * endpoint made without a channel (kc_rt__setup), against the tracker and struct kc_wire_ptr
 * descriptions like the ones generated handlers pass: kfree (base of a heap object), mutex_lock
 * (a lock at its place inside a tracked adapter), request_irq's cookie, typed struct parameters,
 * untyped allocations, bit operations, allocation bounds, interned strings.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <stdatomic.h>

#include "kc_test.h"
#include "rt_internal.h"
#include "sync_internal.h"
#include "wire_internal.h"

enum { T_OPAQUE = 1, T_ADAPTER, T_RING, T_DESC, T_NTYPES };

struct lock {
	long owner;
	int count;
};

struct adapter {
	int id;
	struct lock lock;
	char name[16];
	long stats[4];
};

struct ring {
	struct adapter *back;
	int count;
};

struct desc {
	uint64_t addr;
	uint32_t len, flags;
};

static size_t type_size[T_NTYPES] = {
	[T_ADAPTER] = sizeof(struct adapter), [T_RING] = sizeof(struct ring),
	[T_DESC] = sizeof(struct desc),
};
static char g_buf[32];
static long g_word;
/* typed globals (issue 14): a struct adapter, an array of rings, and plain bytes large enough to
 * hold an adapter (what the 10-million-message run's kernel half took for a net_device) */
static struct adapter g_adapter;
static struct ring g_rings[8]; /* larger than an adapter */
static char g_big[4 * sizeof(struct adapter)];
enum { G_BUF, G_WORD, G_ADAPTER, G_RINGS, G_BIG, NGLOBALS };
static struct kc_wire_global globals[NGLOBALS];
static void f0(void) {}
static void f1(void) {}
static kc_wire_fn fnptrs[2] = { f0, f1 };
static struct kc_wire_tables tables = { globals, NGLOBALS, fnptrs, 2, type_size, T_NTYPES, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0 };

static struct kc_rt *endpoint(int side)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_rt *rt = NULL;

	globals[G_BUF] = (struct kc_wire_global){ .p = g_buf, .size = sizeof(g_buf) };
	globals[G_WORD] = (struct kc_wire_global){ .p = &g_word, .size = sizeof(g_word) };
	globals[G_ADAPTER] = (struct kc_wire_global){ .p = &g_adapter, .size = sizeof(g_adapter), .type = T_ADAPTER,
						      .elem = sizeof(g_adapter) };
	globals[G_RINGS] = (struct kc_wire_global){ .p = g_rings, .size = sizeof(g_rings), .type = T_RING,
						    .elem = sizeof(g_rings[0]) };
	globals[G_BIG] = (struct kc_wire_global){ .p = g_big, .size = sizeof(g_big) };
	o.wire = &tables;
	if (kc_rt__setup(&rt, side, &o, NULL))
		return NULL;
	return rt;
}

/* A message holding one pointer of kind 1 (handle, type, size, offset) or 2 (global, offset). */
struct msg {
	uint8_t b[256];
	struct kc_xdr x;
};

static struct kc_xdr *tracked(struct msg *m, uint64_t h, uint32_t ty, uint32_t size, uint32_t off)
{
	struct kc_xdr e;

	kc_xdr_init_enc(&e, m->b, sizeof(m->b));
	kc_xdr_put_u32(&e, 1);
	kc_xdr_put_u64(&e, h);
	kc_xdr_put_u32(&e, ty);
	kc_xdr_put_u32(&e, size);
	kc_xdr_put_u32(&e, off);
	kc_xdr_init_dec(&m->x, m->b, kc_xdr_pos(&e));
	return &m->x;
}

static struct kc_xdr *global(struct msg *m, uint32_t id, uint32_t off)
{
	struct kc_xdr e;

	kc_xdr_init_enc(&e, m->b, sizeof(m->b));
	kc_xdr_put_u32(&e, 2);
	kc_xdr_put_u32(&e, id);
	kc_xdr_put_u32(&e, off);
	kc_xdr_init_dec(&m->x, m->b, kc_xdr_pos(&e));
	return &m->x;
}

static struct kc_xdr *words(struct msg *m, const uint32_t *w, size_t n)
{
	struct kc_xdr e;
	size_t i;

	kc_xdr_init_enc(&e, m->b, sizeof(m->b));
	for (i = 0; i < n; i++)
		kc_xdr_put_u32(&e, w[i]);
	kc_xdr_init_dec(&m->x, m->b, kc_xdr_pos(&e));
	return &m->x;
}

/* Decode one pointer with spec; the error code (0 when accepted), *p the pointer. */
static int dec(struct kc_rt *rt, struct kc_xdr *x, const struct kc_wire_ptr *sp, void **p)
{
	int rc = 0;

	*p = kc_wire_get_ptr(rt, x, sp, NULL, &rc);
	if (!rc && kc_xdr_dec_done(x))
		rc = KC_EINVAL;
	return rc;
}

/* kfree(p): the base of an object a kernel allocator made for the user half; nothing else. */
static void test_kfree(void)
{
	static const struct kc_wire_ptr kfree_arg = { 0, KC_WP_BASE | KC_WP_HEAP | KC_WP_NOGLOBAL, 0, NULL, 0, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	struct adapter *heap = calloc(1, sizeof(*heap)), stack_obj;
	uint64_t hh, hs, hstale;
	struct msg m;
	void *p;

	KC_REQUIRE(rt && heap);
	KC_REQUIRE(kc_wire_alloc_check(rt, 1, sizeof(*heap), NULL) == 0);
	KC_REQUIRE(kc_wire_track_alloc(rt, heap, T_OPAQUE, sizeof(*heap)) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &hh, &(size_t){ 0 }, heap) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &hs, &stack_obj, T_ADAPTER, sizeof(stack_obj), 1) == 0);
	/* accepted: the heap object's base, whatever type and size the message claims */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hh, T_OPAQUE, sizeof(*heap), 0), &kfree_arg, &p), 0);
	KC_CHECK(p == heap);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hh, T_RING, 4, 0), &kfree_arg, &p), 0);
	/* interior, one past the end, far outside */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hh, T_OPAQUE, sizeof(*heap), 8), &kfree_arg, &p), KC_RT_ERANGE);
	KC_CHECK(p == NULL);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hh, T_OPAQUE, sizeof(*heap), sizeof(*heap)), &kfree_arg, &p),
			KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hh, T_OPAQUE, sizeof(*heap), 1u << 30), &kfree_arg, &p), KC_RT_ERANGE);
	/* an object the kernel did not allocate for the user half (its own, on its stack) */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hs, T_ADAPTER, sizeof(stack_obj), 0), &kfree_arg, &p), KC_RT_ETYPE);
	/* a driver global */
	KC_CHECK_EQ_INT(dec(rt, global(&m, 0, 0), &kfree_arg, &p), KC_RT_ETYPE);
	/* forged: random, other generation, adopted-looking */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hh ^ (1ull << 62), T_OPAQUE, 8, 0), &kfree_arg, &p), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, 0x1234567, T_OPAQUE, 8, 0), &kfree_arg, &p), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hh | KC_OBJT_ADOPTED, T_OPAQUE, 8, 0), &kfree_arg, &p), KC_RT_EPROTO);
	/* stale: after the free, the same handle again (a double free) */
	hstale = hh;
	kc_rt_obj_free(rt, heap);
	free(heap);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hstale, T_OPAQUE, sizeof(*heap), 0), &kfree_arg, &p), KC_RT_ESTALE);
	/* and the heap accounting went back */
	KC_CHECK_EQ_INT(kc_objt_heap_bytes(kc_rt_objt(rt)), 0);
	kc_rt__free(rt);
}

/* mutex_lock(&adapter->lock): a struct lock, at its place inside a tracked adapter, or the start
 * of a tracked struct lock; not one byte off, not at the same offset of another type. */
static void test_lock(void)
{
	static const struct kc_wire_at lock_at[] = { { T_ADAPTER, offsetof(struct adapter, lock) } };
	static const struct kc_wire_ptr lock_arg = { 0, KC_WP_BASE, sizeof(struct lock), lock_at, 1, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	struct adapter ad;
	struct ring rg[4];
	uint64_t ha, hr;
	struct msg m;
	void *p;
	uint32_t off = offsetof(struct adapter, lock);

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &ha, &ad, T_ADAPTER, sizeof(ad), 1) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &hr, rg, T_RING, sizeof(rg[0]), 4) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), off), &lock_arg, &p), 0);
	KC_CHECK(p == &ad.lock);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), off + 1), &lock_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), off - 1), &lock_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), sizeof(ad)), &lock_arg, &p), KC_RT_ERANGE);
	/* the same offset inside another type's object (an array of rings) */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_ADAPTER, sizeof(ad), off), &lock_arg, &p), KC_RT_ERANGE);
	/* a global is fine as a lock (DEFINE_MUTEX) at its start only */
	KC_CHECK_EQ_INT(dec(rt, global(&m, 0, 0), &lock_arg, &p), 0);
	KC_CHECK(p == g_buf);
	KC_CHECK_EQ_INT(dec(rt, global(&m, 0, 8), &lock_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, global(&m, 1, 0), &lock_arg, &p), KC_RT_ERANGE); /* too small */
	KC_CHECK_EQ_INT(dec(rt, global(&m, NGLOBALS, 0), &lock_arg, &p), KC_RT_ERANGE); /* no such global */
	/* the lock at its place inside a global adapter; one byte off it, not */
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_ADAPTER, off), &lock_arg, &p), 0);
	KC_CHECK(p == &g_adapter.lock);
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_ADAPTER, off + 1), &lock_arg, &p), KC_RT_ERANGE);
	kc_rt__free(rt);
}

/* A typed parameter given a driver global (issue 14, the 10-million-message run's crash: a global
 * large enough was accepted where a net_device was expected, and its decoder wrote the private
 * area behind it): only a global of that type (at the start of the variable or of an array
 * element), one that embeds it at the offset, or (KC_WP_INTERIOR) anywhere inside one of that
 * type; any global where nothing is expected of the type. */
static void test_typed_globals(void)
{
	static struct kc_wire_embed embeds[] = { { T_ADAPTER, T_DESC, offsetof(struct adapter, stats), 0, 0 } };
	static const struct kc_wire_ptr adapter_arg = { T_ADAPTER, 0, sizeof(struct adapter), NULL, 0, 0 };
	static const struct kc_wire_ptr ring_arg = { T_RING, 0, sizeof(struct ring), NULL, 0, 0 };
	static const struct kc_wire_ptr ring_in = { T_RING, KC_WP_INTERIOR, 4, NULL, 0, 0 };
	static const struct kc_wire_ptr desc_arg = { T_DESC, 0, sizeof(struct desc), NULL, 0, 0 };
	static const struct kc_wire_ptr any_arg = { 0, 0, sizeof(struct adapter), NULL, 0, 0 };
	struct kc_wire_tables t = tables;
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL), *u = endpoint(KC_SIDE_USER), *ke = NULL;
	struct msg m;
	void *p;

	KC_REQUIRE(rt && u);
	/* plain bytes, large enough: not an adapter */
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_BIG, 0), &adapter_arg, &p), KC_RT_ETYPE);
	KC_CHECK(p == NULL);
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_BIG, sizeof(struct adapter)), &adapter_arg, &p), KC_RT_ETYPE);
	/* a global of another struct type */
	KC_REQUIRE(sizeof(g_rings) >= sizeof(struct adapter));
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_RINGS, 0), &adapter_arg, &p), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_ADAPTER, 0), &ring_arg, &p), KC_RT_ETYPE);
	/* its own type: the variable's start, an element's start */
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_ADAPTER, 0), &adapter_arg, &p), 0);
	KC_CHECK(p == &g_adapter);
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_RINGS, 0), &ring_arg, &p), 0);
	KC_CHECK(p == &g_rings[0]);
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_RINGS, 2 * sizeof(struct ring)), &ring_arg, &p), 0);
	KC_CHECK(p == &g_rings[2]);
	/* ... not inside an element, unless the pointer is declared into an array */
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_RINGS, sizeof(struct ring) + 4), &ring_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_RINGS, sizeof(struct ring) + 4), &ring_in, &p), 0);
	KC_CHECK(p == (char *)&g_rings[1] + 4);
	/* nothing expected of the type (void *): any global that is large enough */
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_BIG, 0), &any_arg, &p), 0);
	KC_CHECK(p == g_big);
	/* the user side believes the kernel half */
	KC_CHECK_EQ_INT(dec(u, global(&m, G_BIG, 0), &adapter_arg, &p), 0);
	/* a struct embedded in a global at a registered place, not elsewhere */
	t.embeds = embeds;
	t.nembeds = 1;
	o.wire = &t;
	KC_REQUIRE(kc_rt__setup(&ke, KC_SIDE_KERNEL, &o, NULL) == 0);
	KC_CHECK_EQ_INT(dec(ke, global(&m, G_ADAPTER, offsetof(struct adapter, stats)), &desc_arg, &p), 0);
	KC_CHECK(p == (void *)g_adapter.stats);
	KC_CHECK_EQ_INT(dec(ke, global(&m, G_ADAPTER, 0), &desc_arg, &p), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, global(&m, G_ADAPTER, offsetof(struct adapter, stats)), &desc_arg, &p), KC_RT_ETYPE);
	kc_rt__free(ke);
	kc_rt__free(rt);
	kc_rt__free(u);
}

/* request_irq(..., dev_id): the start of a tracked object, not a global, not interior. */
static void test_irq_cookie(void)
{
	static const struct kc_wire_ptr cookie = { 0, KC_WP_BASE | KC_WP_NOGLOBAL, 0, NULL, 0, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	struct adapter ad;
	uint64_t ha;
	struct msg m;
	void *p;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &ha, &ad, T_ADAPTER, sizeof(ad), 1) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), 0), &cookie, &p), 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), 4), &cookie, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, global(&m, 1, 0), &cookie, &p), KC_RT_ETYPE);
	kc_rt__free(rt);
}

/* A typed parameter (struct ring *): the start of a ring or of an element of an array of rings,
 * or a ring embedded at a declared place; a foreign type or an interior pointer is refused. */
static void test_typed(void)
{
	static const struct kc_wire_ptr ring_arg = { T_RING, 0, sizeof(struct ring), NULL, 0, 0 };
	static const struct kc_wire_ptr any_arg = { 0, 0, 0, NULL, 0, 0 };
	static const struct kc_wire_ptr desc_in = { T_DESC, KC_WP_INTERIOR, 4, NULL, 0, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	struct ring rg[4];
	struct adapter ad;
	struct desc d[8];
	uint64_t hr, ha, hd;
	size_t avail = 0;
	struct msg m;
	void *p;
	int rc = 0;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &hr, rg, T_RING, sizeof(rg[0]), 4) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &ha, &ad, T_ADAPTER, sizeof(ad), 1) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &hd, d, T_DESC, sizeof(d[0]), 8) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, sizeof(rg), 0), &ring_arg, &p), 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, sizeof(rg), 2 * sizeof(rg[0])), &ring_arg, &p), 0);
	KC_CHECK(p == &rg[2]);
	/* the last element: exactly its size left */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, sizeof(rg), 3 * sizeof(rg[0])), &ring_arg, &p), 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, sizeof(rg), 4 * sizeof(rg[0])), &ring_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, sizeof(rg), 4), &ring_arg, &p), KC_RT_ERANGE);
	/* a foreign type, whatever the message says the type is */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_RING, sizeof(struct ring), 0), &ring_arg, &p), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), 0), &ring_arg, &p), KC_RT_ETYPE);
	/* untyped (void *): anywhere inside, at least one byte: not one past the end */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), 5), &any_arg, &p), 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(ad), sizeof(ad)), &any_arg, &p), KC_RT_ERANGE);
	/* a declared pointer into an array of descriptors: any offset, need bytes left */
	p = kc_wire_get_ptr(rt, tracked(&m, hd, T_DESC, sizeof(d), 13), &desc_in, &avail, &rc);
	KC_CHECK_EQ_INT(rc, 0);
	KC_CHECK(p == (char *)d + 13);
	KC_CHECK_EQ_INT(avail, sizeof(d) - 13);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_DESC, sizeof(d), sizeof(d) - 3), &desc_in, &p), KC_RT_ERANGE);
	/* kinds other than 0..2, and truncated messages */
	{
		uint32_t w[] = { 7, 0, 0, 0 };

		KC_CHECK_EQ_INT(dec(rt, words(&m, w, 3), &any_arg, &p), KC_RT_EPROTO);
		w[0] = 1;
		KC_CHECK_EQ_INT(dec(rt, words(&m, w, 3), &any_arg, &p), KC_EINVAL);
		w[0] = 3; /* a device region where kernel memory of a type is expected */
		KC_CHECK_EQ_INT(dec(rt, words(&m, w, 4), &ring_arg, &p), KC_RT_ETYPE);
		/* an untyped pointer may be one into a device region: region.c checks the id (here
		 * none was ever exported: forged) */
		KC_CHECK_EQ_INT(dec(rt, words(&m, w, 4), &any_arg, &p), KC_RT_EPROTO);
	}
	kc_rt__free(rt);
}

/* A typed allocation (alloc_etherdev_mqs: a struct and bytes after it; kcalloc of an array of a
 * struct type): a typed pointer into it must start an element, never land anywhere inside. */
static void test_typed_allocation(void)
{
	static const struct kc_wire_ptr ad_arg = { T_ADAPTER, 0, sizeof(struct adapter), NULL, 0, 0 };
	static const struct kc_wire_ptr ring_arg = { T_RING, 0, sizeof(struct ring), NULL, 0, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	size_t priv = sizeof(struct adapter) + 40;
	unsigned char *ad = calloc(1, priv);
	struct ring *rg = calloc(4, sizeof(*rg));
	uint64_t ha, hr;
	struct msg m;
	void *p;

	KC_REQUIRE(rt && ad && rg);
	KC_REQUIRE(kc_wire_track_alloc(rt, ad, T_ADAPTER, priv) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &ha, &(size_t){ 0 }, ad) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, priv, 0), &ad_arg, &p), 0);
	KC_CHECK(p == ad);
	/* before: any offset was an "element start" (1-byte elements) */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, priv, 4), &ad_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, priv, 33), &ad_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, priv, sizeof(struct adapter)), &ad_arg, &p),
			KC_RT_ERANGE);
	KC_REQUIRE(kc_wire_track_alloc(rt, rg, T_RING, 4 * sizeof(*rg)) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &hr, &(size_t){ 0 }, rg) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, 4 * sizeof(*rg), 2 * sizeof(*rg)), &ring_arg, &p), 0);
	KC_CHECK(p == &rg[2]);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, 4 * sizeof(*rg), 4), &ring_arg, &p), KC_RT_ERANGE);
	kc_rt__free(rt);
	free(ad);
	free(rg);
}

/* An untyped allocation (kcalloc the user half asked for) takes the type of its first typed use
 * (an array of descriptors), then that type only; one the user half wrote bytes into by value
 * first cannot become a struct. */
static void test_untyped_allocation(void)
{
	static const struct kc_wire_ptr desc_arg = { T_DESC, 0, sizeof(struct desc), NULL, 0, 0 };
	static const struct kc_wire_ptr ring_arg = { T_RING, 0, sizeof(struct ring), NULL, 0, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	struct desc *d = calloc(8, sizeof(*d));
	unsigned char *raw = calloc(1, 64);
	struct kc_objt_info in;
	uint64_t hd, hraw;
	struct msg m;
	void *p;
	int rc = 0;

	KC_REQUIRE(rt && d && raw);
	KC_REQUIRE(kc_wire_track_alloc(rt, d, T_OPAQUE, 8 * sizeof(*d)) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &hd, &(size_t){ 0 }, d) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_OPAQUE, 8 * sizeof(*d), 0), &desc_arg, &p), 0);
	KC_CHECK_EQ_INT(kc_objt_info(kc_rt_objt(rt), &in, hd), 0);
	KC_CHECK_EQ_INT(in.type, T_DESC);
	KC_CHECK_EQ_INT(in.elem_size, sizeof(*d));
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_OPAQUE, 8 * sizeof(*d), 3 * sizeof(*d)), &desc_arg, &p), 0);
	KC_CHECK(p == &d[3]);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_DESC, 8 * sizeof(*d), 0), &ring_arg, &p), KC_RT_ETYPE);
	/* bytes by value into the raw buffer, then an attempt to use it as a struct */
	KC_REQUIRE(kc_wire_track_alloc(rt, raw, T_OPAQUE, 64) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &hraw, &(size_t){ 0 }, raw) == 0);
	{
		struct kc_xdr e;
		uint8_t bytes[16] = { 0xff, 0xff, 0xff, 0xff };

		kc_xdr_init_enc(&e, m.b, sizeof(m.b));
		kc_xdr_put_opaque(&e, bytes, sizeof(bytes));
		kc_xdr_init_dec(&m.x, m.b, kc_xdr_pos(&e));
		kc_wire_get_data(rt, &m.x, raw, 64, &rc);
		KC_CHECK_EQ_INT(rc, 0);
		KC_CHECK_EQ_INT(raw[0], 0xff);
	}
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hraw, T_OPAQUE, 64, 0), &ring_arg, &p), KC_RT_ETYPE);
	/* a too-long opaque for the room left is a decode error */
	{
		struct kc_xdr e;
		uint8_t bytes[80] = { 0 };

		kc_xdr_init_enc(&e, m.b, sizeof(m.b));
		kc_xdr_put_opaque(&e, bytes, sizeof(bytes));
		kc_xdr_init_dec(&m.x, m.b, kc_xdr_pos(&e));
		rc = 0;
		kc_wire_get_data(rt, &m.x, raw, 64, &rc);
		KC_CHECK(kc_xdr_error(&m.x) != 0);
	}
	kc_rt__free(rt);
	free(d);
	free(raw);
}

/* Device regions (wire kind 3): only where the receiver expects one, of the right kind, inside
 * the region; a made-up id is refused; the encoder sends a pointer into a region as (id, off). */
static void test_regions(void)
{
	static const struct kc_wire_ptr mmio_arg = { 0, KC_WP_REGION, 4, NULL, 0, KC_REGION_MMIO };
	static const struct kc_wire_ptr dma_arg = { 0, KC_WP_REGION, 4, NULL, 0, KC_REGION_DMA };
	static const struct kc_wire_ptr any_region = { 0, KC_WP_REGION, 1, NULL, 0, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	static uint8_t bar[256];
	struct kc_region_desc d = { 0 };
	uint32_t id, w[4];
	uint8_t b[64];
	struct kc_xdr e;
	struct msg m;
	void *p;

	KC_REQUIRE(rt);
	d.kind = KC_REGION_MMIO;
	d.kaddr = bar;
	d.base = 0xfe000000u;
	d.size = sizeof(bar);
	KC_REQUIRE(kc_rt_region_export(rt, &id, &d) == 0);
	w[0] = 3, w[1] = id, w[2] = 0, w[3] = 0x10;
	KC_CHECK_EQ_INT(dec(rt, words(&m, w, 4), &mmio_arg, &p), 0);
	KC_CHECK(p == bar + 0x10);
	KC_CHECK_EQ_INT(dec(rt, words(&m, w, 4), &any_region, &p), 0);
	KC_CHECK_EQ_INT(dec(rt, words(&m, w, 4), &dma_arg, &p), KC_RT_ETYPE);
	w[3] = sizeof(bar) - 2; /* 4 bytes from there do not fit */
	KC_CHECK_EQ_INT(dec(rt, words(&m, w, 4), &mmio_arg, &p), KC_RT_ERANGE);
	w[2] = 1, w[3] = 0; /* offset 2^32 */
	KC_CHECK_EQ_INT(dec(rt, words(&m, w, 4), &mmio_arg, &p), KC_RT_ERANGE);
	w[1] = id ^ 0x100, w[2] = 0; /* another id */
	KC_CHECK(dec(rt, words(&m, w, 4), &mmio_arg, &p) != 0);
	KC_CHECK(p == NULL);
	/* the encoder: a pointer into the region goes as (id, off) */
	kc_xdr_init_enc(&e, b, sizeof(b));
	KC_CHECK_EQ_INT(kc_wire_put_ptr(rt, &e, bar + 8, 0, 1, 1, 0), 0);
	kc_xdr_init_dec(&m.x, b, kc_xdr_pos(&e));
	KC_CHECK_EQ_INT(kc_xdr_get_u32(&m.x), 3);
	KC_CHECK_EQ_INT(kc_xdr_get_u32(&m.x), id);
	KC_CHECK(kc_xdr_get_u64(&m.x) == 8);
	/* unexported: stale */
	KC_REQUIRE(kc_rt_region_unexport(rt, id) == 0);
	w[1] = id, w[2] = 0, w[3] = 0;
	KC_CHECK(dec(rt, words(&m, w, 4), &mmio_arg, &p) != 0);
	kc_rt__free(rt);
}

/* Allocation sizes the user half asks for are bounded, per allocation and in total. */
static void test_alloc_bounds(void)
{
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	void *blocks[20];
	int i, n = 0;

	KC_REQUIRE(rt);
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 1, KC_WIRE_ALLOC_MAX, NULL), 0);
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 1, KC_WIRE_ALLOC_MAX + 1ull, NULL), KC_ENOMEM);
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 1ull << 33, 1ull << 33, NULL), KC_ENOMEM); /* product overflows */
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, ~0ull, 2, NULL), KC_ENOMEM);
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 0, ~0ull, NULL), 0);
	/* the total: 4 MiB blocks until KC_WIRE_HEAP_MAX */
	for (i = 0; i < 20; i++) {
		blocks[i] = NULL;
		if (kc_wire_alloc_check(rt, 1, KC_WIRE_ALLOC_MAX, NULL))
			break;
		blocks[i] = malloc(KC_WIRE_ALLOC_MAX);
		KC_REQUIRE(blocks[i]);
		KC_REQUIRE(kc_wire_track_alloc(rt, blocks[i], T_OPAQUE, KC_WIRE_ALLOC_MAX) == 0);
		n++;
	}
	KC_CHECK_EQ_INT(n, KC_WIRE_HEAP_MAX / KC_WIRE_ALLOC_MAX);
	kc_rt_obj_free(rt, blocks[0]);
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 1, KC_WIRE_ALLOC_MAX, NULL), 0);
	for (i = 0; i < n; i++)
		free(blocks[i]);
	kc_rt__free(rt);
}

/* A refused allocation says so, naming the call and the size (the hostile Linux user half's
 * kmalloc of 1 TiB was refused silently), at most 10 lines per 5 s: a user half asking in a loop
 * cannot flood the log; the next line that gets out says how many were not logged. */
static void test_alloc_log(void)
{
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	char path[] = "/tmp/rt_wire_test_log.XXXXXX", line[512];
	int fd = mkstemp(path), saved = dup(2), i, lines = 0, named = 0;
	FILE *f;

	KC_REQUIRE(rt && fd >= 0 && saved >= 0);
	fflush(stderr);
	KC_REQUIRE(dup2(fd, 2) == 2);
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 1, 1ull << 40, "kcut_handler_kmalloc"), KC_ENOMEM);
	for (i = 0; i < 11; i++)
		KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 1, 1ull << 40, "kcut_handler_kmalloc"), KC_ENOMEM);
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 1, 1ull << 40, NULL), KC_ENOMEM); /* unnamed: not logged */
	KC_CHECK_EQ_INT(kc_wire_alloc_check(rt, 1, 64, "kcut_handler_kmalloc"), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	KC_REQUIRE(f);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		named += strstr(line, "kcut_handler_kmalloc: allocation for the user half refused: 1 x 1099511627776 bytes") != NULL;
	}
	fclose(f);
	unlink(path);
	KC_CHECK_EQ_INT(lines, 10);
	KC_CHECK_EQ_INT(named, 10);
	kc_rt__free(rt);
}

/* A count parameter's array (kc_wire_get_array): the count a hostile user half sends is bounded
 * before anything is allocated, and must match the bytes that crossed. */
static void test_count_array(void)
{
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	uint8_t buf[64];
	uint16_t v[4] = { 1, 2, 3, 4 }, *p;
	struct kc_xdr e, x;
	int rc;

	KC_REQUIRE(rt);
	kc_xdr_init_enc(&e, buf, sizeof(buf));
	kc_xdr_put_fixed(&e, v, sizeof(v));
	/* honest: 4 elements, a copy of its own */
	kc_xdr_init_dec(&x, buf, kc_xdr_pos(&e));
	rc = 0;
	p = kc_wire_get_array(rt, &x, 1, 4, sizeof(*p), 0, &rc);
	KC_CHECK_EQ_INT(rc, 0);
	KC_REQUIRE(p);
	KC_CHECK(p[0] == 1 && p[3] == 4 && (void *)p != (void *)buf);
	kc_wire_free_array(p);
	/* more elements than crossed */
	kc_xdr_init_dec(&x, buf, kc_xdr_pos(&e));
	rc = 0;
	KC_CHECK(kc_wire_get_array(rt, &x, 1, 5, sizeof(*p), 0, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
	/* over the bound, a negative count seen as unsigned, a product that overflows */
	kc_xdr_init_dec(&x, buf, kc_xdr_pos(&e));
	rc = 0;
	KC_CHECK(kc_wire_get_array(rt, &x, 1, KC_WIRE_ARRMAX / 2 + 1, 2, 0, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
	rc = 0;
	KC_CHECK(kc_wire_get_array(rt, &x, 1, (uint64_t)(int64_t)-1, 2, 0, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
	rc = 0;
	KC_CHECK(kc_wire_get_array(rt, &x, 1, 1ull << 62, 8, 0, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
	/* an earlier error: nothing read */
	rc = KC_RT_ETYPE;
	KC_CHECK(kc_wire_get_array(rt, &x, 1, 1, 2, 0, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, KC_RT_ETYPE);
	/* zero elements: a buffer nobody reads, freed */
	kc_xdr_init_dec(&x, buf, 0);
	rc = 0;
	p = kc_wire_get_array(rt, &x, 1, 0, 2, 0, &rc);
	KC_CHECK_EQ_INT(rc, 0);
	kc_wire_free_array(p);
	kc_wire_free_array(NULL);
	/* absent (NULL): refused only where the callee reads or writes elements (KC_WP_NONNULL) */
	rc = 0;
	KC_CHECK(kc_wire_get_array(rt, &x, 0, 64, 1, KC_WP_NONNULL, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, KC_RT_ENULL);
	rc = 0;
	KC_CHECK(kc_wire_get_array(rt, &x, 0, 0, 1, KC_WP_NONNULL, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, 0);
	KC_CHECK(kc_wire_get_array(rt, &x, 0, 64, 1, 0, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, 0);
	kc_rt__free(rt);
}

/* Recovery of an array of structs (kc_wire__recover_put, kc_wire_recover_serve): every element
 * goes to the restarted user half, not element 0 only (a kcalloc'd buffer_info[] of 3 here). */
static void rec_enc(struct kc_xdr *x, uint32_t type, void *p, int *rc)
{
	const struct desc *d = p;

	(void)rc;
	if (type == T_DESC) {
		kc_xdr_put_u64(x, d->addr);
		kc_xdr_put_u32(x, d->len);
	}
}

static void rec_dec(struct kc_xdr *x, uint32_t type, void *p, int *rc)
{
	struct desc *d = p;

	(void)rc;
	if (type == T_DESC) {
		d->addr = kc_xdr_get_u64(x);
		d->len = kc_xdr_get_u32(x);
	}
}

static void test_recover_array(void)
{
	static const unsigned char has[T_NTYPES] = { [T_DESC] = 1, [T_ADAPTER] = 1 };
	struct kc_wire_tables rt_tab = tables;
	struct kc_rt *k, *u;
	struct desc *ring = calloc(3, sizeof(*ring)), *copy = NULL;
	struct adapter *ad = calloc(1, sizeof(*ad) + 24);
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	uint8_t buf[256];
	struct kc_xdr e, d;
	uint64_t h, ha;
	size_t i, sent = 0;
	int rc;

	rt_tab.recover_has = has;
	rt_tab.recover_enc = rec_enc;
	rt_tab.recover_dec = rec_dec;
	o.wire = &rt_tab;
	KC_REQUIRE(ring && ad);
	KC_REQUIRE(kc_rt__setup(&k, KC_SIDE_KERNEL, &o, NULL) == 0);
	KC_REQUIRE(kc_rt__setup(&u, KC_SIDE_USER, &o, NULL) == 0);
	for (i = 0; i < 3; i++)
		ring[i] = (struct desc){ 0x1000 * (i + 1), (uint32_t)(100 + i), 0 };
	KC_REQUIRE(kc_objt_track(kc_rt_objt(k), &h, ring, T_DESC, sizeof(*ring), 3) == 0);
	/* one adapter with bytes after it (a private area): one object, one message */
	KC_REQUIRE(kc_objt_track(kc_rt_objt(k), &ha, ad, T_ADAPTER, sizeof(*ad) + 24, 1) == 0);
	for (i = 0;; i++) {
		kc_xdr_init_enc(&e, buf, sizeof(buf));
		rc = kc_wire__recover_put(k, &e, h, i);
		if (rc == KC_ENOTFOUND)
			break;
		KC_CHECK_EQ_INT(rc, 0);
		kc_xdr_init_dec(&d, buf, kc_xdr_pos(&e));
		KC_CHECK_EQ_INT(kc_wire_recover_serve(u, &d, NULL), 0);
		sent++;
	}
	KC_CHECK_EQ_INT(sent, 3);
	kc_xdr_init_enc(&e, buf, sizeof(buf));
	KC_CHECK_EQ_INT(kc_wire__recover_put(k, &e, ha, 0), 0);
	kc_xdr_init_enc(&e, buf, sizeof(buf));
	KC_CHECK_EQ_INT(kc_wire__recover_put(k, &e, ha, 1), KC_ENOTFOUND);
	/* the user half's copy holds the three elements */
	{
		int fresh = 0;

		KC_REQUIRE(kc_objt_import(kc_rt_objt(u), (void **)&copy, &fresh, h, T_DESC, 3 * sizeof(*ring)) == 0);
		KC_CHECK(!fresh);
		for (i = 0; i < 3; i++)
			KC_CHECK(copy[i].addr == 0x1000 * (i + 1) && copy[i].len == 100 + i);
	}
	kc_rt__free(k);
	kc_rt__free(u);
	free(ring);
	free(ad);
}

/* Bit numbers, words, function ids, strings, string arrays. */
static void test_small_things(void)
{
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	struct adapter ad;
	uint64_t ha;
	struct msg m;
	char buf[KC_WIRE_STRMAX];
	const char *vec[5];
	char pool[64];
	size_t avail = 0, count;
	long tmp;
	int rc, i;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &ha, &ad, T_ADAPTER, sizeof(ad), 1) == 0);
	/* bit numbers: inside the object from the word on */
	KC_CHECK_EQ_INT(kc_wire_bit_check(0, 8), 0);
	KC_CHECK_EQ_INT(kc_wire_bit_check(63, 8), 0);
	KC_CHECK_EQ_INT(kc_wire_bit_check(64, 8), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_wire_bit_check(-1, 8), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(kc_wire_bit_check(INT64_MAX, 8), KC_RT_ERANGE);
	/* a word inside the adapter: its stats[1]; avail bounds the bit number */
	{
		uint32_t w[] = { 1, 1, (uint32_t)(ha >> 32), (uint32_t)ha, T_ADAPTER, sizeof(ad),
				 offsetof(struct adapter, stats) + sizeof(long) };
		void *p;

		rc = 0;
		p = kc_wire_get_word(rt, words(&m, w, 7), &tmp, sizeof(long), &avail, &rc);
		KC_CHECK_EQ_INT(rc, 0);
		KC_CHECK(p == &ad.stats[1]);
		KC_CHECK_EQ_INT(avail, sizeof(ad) - w[6]);
		KC_CHECK_EQ_INT(kc_wire_bit_check(8 * (int64_t)avail, avail), KC_RT_ERANGE);
		w[6] = offsetof(struct adapter, stats) + 1; /* misaligned */
		rc = 0;
		p = kc_wire_get_word(rt, words(&m, w, 7), &tmp, sizeof(long), &avail, &rc);
		KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
		KC_CHECK(p == &tmp);
		w[0] = 9; /* no such form */
		rc = 0;
		kc_wire_get_word(rt, words(&m, w, 7), &tmp, sizeof(long), &avail, &rc);
		KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
	}
	/* function ids: 0 NULL, 1..n, nothing else */
	{
		uint32_t w[] = { 2, 3, 0xffffffffu, 0 };
		kc_wire_fn fn = NULL;

		rc = 0;
		KC_CHECK(kc_wire_get_fn(rt, words(&m, w, 1), &rc) == f1 && rc == 0);
		KC_CHECK(kc_wire_get_fn(rt, words(&m, w + 1, 1), &rc) == NULL && rc == KC_RT_EPROTO);
		rc = 0;
		KC_CHECK(kc_wire_get_fn(rt, words(&m, w + 2, 1), &rc) == NULL && rc == KC_RT_EPROTO);
		rc = 0;
		KC_CHECK_EQ_INT(kc_wire_get_fnf(rt, words(&m, w + 2, 1), &fn, &rc), 0); /* foreign: keep */
		KC_CHECK_EQ_INT(kc_wire_get_fnf(rt, words(&m, w + 1, 1), &fn, &rc), 0);
		KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
	}
	/* a string "by pointer" whose object has no NUL after the pointer */
	memset(ad.name, 'x', sizeof(ad.name));
	memset(&ad.stats, 'y', sizeof(ad.stats));
	{
		uint32_t w[] = { 1, 1, 1, (uint32_t)(ha >> 32), (uint32_t)ha, T_ADAPTER, sizeof(ad),
				 offsetof(struct adapter, name) };

		rc = 0;
		KC_CHECK(kc_wire_get_str(rt, words(&m, w, 8), buf, sizeof(buf), &rc) == NULL);
		KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
		ad.stats[3] = 0;
		rc = 0;
		KC_CHECK(kc_wire_get_str(rt, words(&m, w, 8), buf, sizeof(buf), &rc) == ad.name);
		KC_CHECK_EQ_INT(rc, 0);
	}
	/* a string by value longer than the buffer */
	{
		struct kc_xdr e;
		char big[300];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		kc_xdr_init_enc(&e, m.b, sizeof(m.b));
		kc_xdr_put_bool(&e, 1);
		kc_xdr_put_u32(&e, 0);
		kc_xdr_put_string(&e, big);
		rc = 0;
		/* the message buffer is 256 bytes: the encoder failed; use a 40-byte string and a
		 * 16-byte buffer instead */
		big[40] = 0;
		kc_xdr_init_enc(&e, m.b, sizeof(m.b));
		kc_xdr_put_bool(&e, 1);
		kc_xdr_put_u32(&e, 0);
		kc_xdr_put_string(&e, big);
		kc_xdr_init_dec(&m.x, m.b, kc_xdr_pos(&e));
		KC_CHECK(kc_wire_get_str(rt, &m.x, buf, 16, &rc) == NULL);
		KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
	}
	/* string arrays: a count above max */
	{
		uint32_t w[] = { 1, 5 };

		rc = 0;
		KC_CHECK(kc_wire_get_strv(rt, words(&m, w, 2), vec, 4, pool, sizeof(pool), &count, &rc) == NULL);
		KC_CHECK_EQ_INT(rc, KC_RT_EPROTO);
		for (i = 0; i < 5; i++)
			KC_CHECK(vec[i] == NULL);
	}
	kc_rt__free(rt);
}

/* Strings the kernel keeps are interned, deduplicated, bounded. */
static void test_intern(void)
{
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	char s[32];
	const char *a, *b;
	int i, rc = 0, n = 0;

	KC_REQUIRE(rt);
	a = kc_wire_intern(rt, "eth0");
	b = kc_wire_intern(rt, "eth0");
	KC_CHECK(a && a == b);
	KC_CHECK(kc_wire_keep_str(rt, s, a, &rc) == s); /* not the decode buffer: kept as is */
	strcpy(s, "simnic");
	KC_CHECK(kc_wire_keep_str(rt, s, s, &rc) != s);
	for (i = 0; i < 5000; i++) {
		snprintf(s, sizeof(s), "irq-%d", i);
		if (kc_wire_intern(rt, s))
			n++;
	}
	KC_CHECK_EQ_INT(n, KC_WIRE_INTERN_MAX - 2);
	KC_CHECK(kc_wire_keep_str(rt, s, s, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, KC_ENOMEM);
	KC_CHECK(kc_wire_intern(rt, "eth0") == a); /* known strings are still found */
	kc_rt__free(rt);
}

/* The encoder: pointers to tracked objects, globals and unknown memory. */
static void test_put(void)
{
	struct kc_rt *k = endpoint(KC_SIDE_KERNEL), *u = endpoint(KC_SIDE_USER);
	struct adapter ad, copy;
	uint8_t b[128];
	struct kc_xdr e, d;
	uint64_t h;
	void *p;
	int rc = 0;

	KC_REQUIRE(k && u);
	/* kernel side: tracked on first sight, then decoded by the user side into its copy */
	kc_xdr_init_enc(&e, b, sizeof(b));
	KC_CHECK_EQ_INT(kc_wire_put_ptr(k, &e, &ad, T_ADAPTER, sizeof(ad), 1, 0), 0);
	KC_CHECK_EQ_INT(kc_objt_count(kc_rt_objt(k)), 1);
	KC_CHECK_EQ_INT(kc_wire_put_ptr(k, &e, &ad.lock, T_ADAPTER, sizeof(ad), 1, 0), 0);
	KC_CHECK_EQ_INT(kc_wire_put_ptr(k, &e, &g_buf[3], 0, 1, 1, 0), 0);
	KC_CHECK_EQ_INT(kc_wire_put_ptr(k, &e, NULL, 0, 1, 1, 0), 0);
	kc_xdr_init_dec(&d, b, kc_xdr_pos(&e));
	p = kc_wire_get_ptr(u, &d, NULL, NULL, &rc);
	KC_CHECK(p != NULL && p != (void *)&ad);
	KC_CHECK((char *)kc_wire_get_ptr(u, &d, NULL, NULL, &rc) == (char *)p + offsetof(struct adapter, lock));
	KC_CHECK(kc_wire_get_ptr(u, &d, NULL, NULL, &rc) == &g_buf[3]);
	KC_CHECK(kc_wire_get_ptr(u, &d, NULL, NULL, &rc) == NULL);
	KC_CHECK_EQ_INT(rc, 0);
	KC_CHECK_EQ_INT(kc_xdr_dec_done(&d), 0);
	/* user side: memory the kernel does not know is an error, or NULL for an out-parameter */
	kc_xdr_init_enc(&e, b, sizeof(b));
	KC_CHECK_EQ_INT(kc_wire_put_ptr(u, &e, &copy, T_ADAPTER, sizeof(copy), 1, 0), KC_ENOTFOUND);
	KC_CHECK_EQ_INT(kc_wire_put_ptr(u, &e, &copy, T_ADAPTER, sizeof(copy), 1, KC_WP_OUT), 0);
	/* a type id that is not the driver's */
	KC_REQUIRE(kc_objt_track(kc_rt_objt(k), &h, &copy, 99, sizeof(copy), 1) == 0);
	KC_CHECK_EQ_INT(kc_wire_put_ptr(k, &e, &copy, 99, sizeof(copy), 1, 0), KC_RT_ETYPE);
	kc_rt__free(k);
	kc_rt__free(u);
}

/* kc_wire_fault: which codes are the user half's fault. */
/* NULL where the kernel function dereferences the pointer (KC_WP_NONNULL, issue 14): refused on the
 * kernel side with KC_RT_ENULL, a fault of the user half (kc_wire_fault); accepted without the flag
 * (kfree(NULL)) and on the user side (the kernel half's NULL is what it is). */
static void test_nonnull(void)
{
	static const struct kc_wire_ptr deref = { T_ADAPTER, KC_WP_NONNULL, sizeof(struct adapter), NULL, 0, 0 };
	static const struct kc_wire_ptr maybe = { T_ADAPTER, 0, sizeof(struct adapter), NULL, 0, 0 };
	static const uint32_t null_ptr[] = { 0 };
	struct kc_rt *k = endpoint(KC_SIDE_KERNEL), *u = endpoint(KC_SIDE_USER);
	struct adapter ad;
	uint64_t ha;
	struct msg m;
	void *p = &ad;

	KC_REQUIRE(k && u);
	KC_CHECK_EQ_INT(dec(k, words(&m, null_ptr, 1), &deref, &p), KC_RT_ENULL);
	KC_CHECK(p == NULL);
	KC_CHECK_EQ_INT(dec(k, words(&m, null_ptr, 1), &maybe, &p), 0);
	KC_CHECK_EQ_INT(dec(k, words(&m, null_ptr, 1), NULL, &p), 0);
	KC_CHECK_EQ_INT(dec(u, words(&m, null_ptr, 1), &deref, &p), 0);
	/* a real adapter passes */
	KC_REQUIRE(kc_objt_track(kc_rt_objt(k), &ha, &ad, T_ADAPTER, sizeof(ad), 1) == 0);
	KC_CHECK_EQ_INT(dec(k, tracked(&m, ha, T_ADAPTER, sizeof(ad), 0), &deref, &p), 0);
	KC_CHECK(p == &ad);
	/* the refusal is a fault of the user half, with its own message */
	KC_CHECK_EQ_INT(kc_wire_fault(k, KC_RT_ENULL, "kcut_handler_mutex_lock"), KC_RT_EPROTO);
	KC_CHECK(strstr(kc_rt_strerror(KC_RT_ENULL), "NULL") != NULL);
	kc_rt__free(k);
	kc_rt__free(u);
}

/* free_netdev(p) (KC_WP_TYPEDFREE): a block an untyped allocator (kmalloc) made for the user half
 * is no net_device, whether it is passed as one for the first time or was used as one before;
 * what the typed allocator made passes (issue 14). */
static void test_typed_free(void)
{
	static const struct kc_wire_ptr freenet = { T_ADAPTER, KC_WP_BASE | KC_WP_NOGLOBAL | KC_WP_TYPEDFREE,
						    sizeof(struct adapter), NULL, 0, 0 };
	static const struct kc_wire_ptr use = { T_ADAPTER, 0, sizeof(struct adapter), NULL, 0, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	struct adapter *km1 = calloc(1, sizeof(*km1)), *km2 = calloc(1, sizeof(*km2)), *typed = calloc(1, sizeof(*typed));
	uint64_t h1, h2, ht;
	struct msg m;
	void *p;

	KC_REQUIRE(rt && km1 && km2 && typed);
	KC_REQUIRE(kc_wire_track_alloc(rt, km1, T_OPAQUE, sizeof(*km1)) == 0);
	KC_REQUIRE(kc_wire_track_alloc(rt, km2, T_OPAQUE, sizeof(*km2)) == 0);
	KC_REQUIRE(kc_wire_track_alloc(rt, typed, T_ADAPTER, sizeof(*typed)) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &h1, &(size_t){ 0 }, km1) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &h2, &(size_t){ 0 }, km2) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &ht, &(size_t){ 0 }, typed) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, h1, T_ADAPTER, sizeof(*km1), 0), &freenet, &p), KC_RT_ETYPE);
	/* used as an adapter first (it takes the type), then freed as one */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, h2, T_ADAPTER, sizeof(*km2), 0), &use, &p), 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, h2, T_ADAPTER, sizeof(*km2), 0), &freenet, &p), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ht, T_ADAPTER, sizeof(*typed), 0), &freenet, &p), 0);
	KC_CHECK(p == typed);
	kc_rt__free(rt);
	free(km1);
	free(km2);
	free(typed);
}

static void test_fault_codes(void)
{
	struct kc_rt *k = endpoint(KC_SIDE_KERNEL), *u = endpoint(KC_SIDE_USER);

	KC_REQUIRE(k && u);
	KC_CHECK_EQ_INT(kc_wire_fault(k, KC_RT_ETYPE, "kcut_handler_kfree"), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_wire_fault(k, KC_RT_ERANGE, NULL), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_wire_fault(k, KC_ENOMEM, "x"), KC_ENOMEM);
	KC_CHECK_EQ_INT(kc_wire_fault(u, KC_RT_ETYPE, "x"), KC_RT_ETYPE);
	kc_rt__free(k);
	kc_rt__free(u);
}

/* An array of tracked structs embedded in a tracked struct (issue 14: &pdev->resource[2] from the
 * user half is a struct resource, and the wire's embed table had no entry for an array): every
 * element's start is one, a place inside an element, past the last element or between two is not;
 * a global of the outer type takes the same places. */
struct res_dev {
	int id;
	struct desc res[4];
	int tail;
};

static struct res_dev g_resdev;

static void test_embedded_arrays(void)
{
	static struct kc_wire_embed embeds[] = {
		{ T_ADAPTER, T_DESC, offsetof(struct res_dev, res), 4, sizeof(struct desc) },
	};
	static const struct kc_wire_ptr desc_arg = { T_DESC, 0, sizeof(struct desc), NULL, 0, 0 };
	struct kc_wire_tables t = tables;
	struct kc_wire_global gl[1] = { { &g_resdev, sizeof(g_resdev), T_ADAPTER, 0 } };
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_rt *rt = NULL;
	struct res_dev *d = calloc(1, sizeof(*d));
	uint32_t base = offsetof(struct res_dev, res), i;
	uint64_t hd;
	struct msg m;
	void *p;

	t.embeds = embeds;
	t.nembeds = 1;
	t.globals = gl;
	t.nglobals = 1;
	o.wire = &t;
	KC_REQUIRE(d && kc_rt__setup(&rt, KC_SIDE_KERNEL, &o, NULL) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &hd, d, T_ADAPTER, sizeof(*d), 1) == 0);
	for (i = 0; i < 4; i++) {
		KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_ADAPTER, sizeof(*d), base + i * (uint32_t)sizeof(struct desc)),
				    &desc_arg, &p), 0);
		KC_CHECK(p == &d->res[i]);
		KC_CHECK_EQ_INT(dec(rt, global(&m, 0, base + i * (uint32_t)sizeof(struct desc)), &desc_arg, &p), 0);
		KC_CHECK(p == &g_resdev.res[i]);
	}
	/* inside an element (&res[2].len), past the last one (the tail), before the array, the start */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_ADAPTER, sizeof(*d), base + 2 * sizeof(struct desc) + 8), &desc_arg, &p),
			KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_ADAPTER, sizeof(*d), offsetof(struct res_dev, tail)), &desc_arg, &p),
			KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_ADAPTER, sizeof(*d), 0), &desc_arg, &p), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, global(&m, 0, base + sizeof(struct desc) + 4), &desc_arg, &p), KC_RT_ETYPE);
	/* one struct at the array's offset (count 0, as before): only element 0 */
	embeds[0].count = 0;
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_ADAPTER, sizeof(*d), base), &desc_arg, &p), 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hd, T_ADAPTER, sizeof(*d), base + 2 * sizeof(struct desc)), &desc_arg, &p),
			KC_RT_ETYPE);
	kc_rt__free(rt);
	free(d);
}

/* What generated kernel halves register (kcut_embeds) and note (kmalloc & co. of their own code):
 * a struct lock embedded in adapters is a lock (mutex_lock's own tracker type T_LOCK with
 * KC_WP_BASE), a typed struct adapter *... only an adapter; a user-half kfree may free the kernel
 * half's own allocation at its start, and nothing once it was freed. */
static void test_embeds_and_heap_note(void)
{
	enum { T_LOCK = T_DESC }; /* a kernel type outside the model: its own id (KCUT_T_K_<type>) */
	static struct kc_wire_embed embeds[] = {
		{ T_ADAPTER, T_LOCK, offsetof(struct adapter, lock), 0, 0 },
		{ 0, 0, 0, 0, 0 }, /* an unused entry (a struct no file could name) */
	};
	static const struct kc_wire_ptr lock_arg = { T_LOCK, KC_WP_BASE, sizeof(struct lock), NULL, 0, 0 };
	static const struct kc_wire_ptr adapter_arg = { T_ADAPTER, 0, sizeof(struct adapter), NULL, 0, 0 };
	static const struct kc_wire_ptr kfree_arg = { 0, KC_WP_BASE | KC_WP_HEAP | KC_WP_NOGLOBAL, 0, NULL, 0, 0 };
	struct kc_wire_tables t = tables;
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_rt *rt = NULL;
	struct adapter *ad = calloc(1, sizeof(*ad)), *ad2 = calloc(1, sizeof(*ad2));
	struct ring rg[4];
	uint64_t ha, ha2, hr;
	struct msg m;
	void *p;
	uint32_t off = offsetof(struct adapter, lock);

	t.embeds = embeds;
	t.nembeds = 2;
	o.wire = &t;
	KC_REQUIRE(ad && ad2 && kc_rt__setup(&rt, KC_SIDE_KERNEL, &o, NULL) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &ha, ad, T_ADAPTER, sizeof(*ad), 1) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &ha2, ad2, T_ADAPTER, sizeof(*ad2), 1) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &hr, rg, T_RING, sizeof(rg[0]), 4) == 0);
	/* the lock at its registered place; not the adapter's start, not one byte off, not the
	 * same offset in a ring array */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(*ad), off), &lock_arg, &p), 0);
	KC_CHECK(p == &ad->lock);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(*ad), 0), &lock_arg, &p), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(*ad), off + 1), &lock_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, sizeof(rg), off), &lock_arg, &p), KC_RT_ERANGE);
	/* a struct adapter * is an adapter's start, not its lock's place, not a ring */
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(*ad), 0), &adapter_arg, &p), 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(*ad), off), &adapter_arg, &p), KC_RT_ERANGE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, hr, T_RING, sizeof(rg), 0), &adapter_arg, &p), KC_RT_ETYPE);
	/* kfree: the kernel half's own allocation (noted) at its start; the other adapter is
	 * not an allocation the kernel half made (never noted): refused */
	KC_CHECK(kc_wire_heap_note(rt, ad) == ad);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(*ad), 0), &kfree_arg, &p), 0);
	KC_CHECK(p == ad);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(*ad), off), &kfree_arg, &p), KC_RT_ETYPE);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha2, T_ADAPTER, sizeof(*ad2), 0), &kfree_arg, &p), KC_RT_ETYPE);
	/* many notes and forgets (the table grows and deletes keep later probes reachable) */
	{
		static char blocks[2000];
		uint64_t hk, hg;
		int i;

		for (i = 0; i < 2000; i++)
			kc_wire_heap_note(rt, &blocks[i]);
		for (i = 0; i < 2000; i += 2)
			kc_wire_free_hook(rt, &blocks[i]);
		KC_CHECK(kc_wire_heap_note(rt, NULL) == NULL);
		KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &hk, &blocks[1999], T_OPAQUE, 1, 1) == 0);
		KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &hg, &blocks[1998], T_OPAQUE, 1, 1) == 0);
		KC_CHECK_EQ_INT(dec(rt, tracked(&m, hk, T_OPAQUE, 1, 0), &kfree_arg, &p), 0);
		KC_CHECK_EQ_INT(dec(rt, tracked(&m, hg, T_OPAQUE, 1, 0), &kfree_arg, &p), KC_RT_ETYPE);
	}
	/* freed by the kernel half (kfree wrapper): no longer a heap block, and no longer tracked */
	kc_wire_free_hook(rt, ad);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, ha, T_ADAPTER, sizeof(*ad), 0), &kfree_arg, &p), KC_RT_ESTALE);
	kc_rt__free(rt);
	free(ad);
	free(ad2);
}

/* All-or-nothing decode (fuzz finding 1): what a decode wrote before a refusal goes back at
 * kc_wire_fault, newest first (a field written twice gets its first old value); a commit keeps
 * the writes; after an error nothing more is written; big writes spill to the heap and are
 * freed; the user side keeps nothing. */
static void test_undo(void)
{
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL), *ur = endpoint(KC_SIDE_USER);
	struct adapter a = { 7, { 1, 2 }, "eth0", { 10, 20, 30, 40 } }, orig = a;
	static unsigned char big[100000];
	size_t bytes;
	int rc = 0, i;

	KC_REQUIRE(rt && ur);
	KC_CHECK_EQ_INT(kc_wire_undo(rt, &a.id, sizeof(a.id), &rc), 1);
	a.id = 99;
	KC_CHECK_EQ_INT(kc_wire_undo(rt, &a.lock, sizeof(a.lock), &rc), 1);
	a.lock.owner = 0;
	KC_CHECK_EQ_INT(kc_wire_undo(rt, &a.id, sizeof(a.id), &rc), 1);
	a.id = 100;
	for (i = 0; i < 200; i++) { /* more entries than the inline log */
		KC_CHECK_EQ_INT(kc_wire_undo(rt, &a.stats[i % 4], sizeof(a.stats[0]), &rc), 1);
		a.stats[i % 4] = -i;
	}
	memset(big, 0x5a, sizeof(big));
	KC_CHECK_EQ_INT(kc_wire_undo(rt, big, sizeof(big), &rc), 1); /* more bytes than inline */
	memset(big, 0, sizeof(big));
	KC_CHECK_EQ_INT(kc_wire_undo_pending(&bytes), 204);
	KC_CHECK(bytes >= sizeof(big));
	rc = KC_RT_EPROTO; /* the decode found the message bad: nothing more is written */
	KC_CHECK_EQ_INT(kc_wire_undo(rt, a.name, sizeof(a.name), &rc), 0);
	KC_CHECK_EQ_INT(kc_wire_fault(rt, KC_RT_EDEAD, "test"), KC_RT_EDEAD); /* any code restores */
	KC_CHECK(memcmp(&a, &orig, sizeof(a)) == 0);
	KC_CHECK_EQ_INT(big[0], 0x5a);
	KC_CHECK_EQ_INT(big[sizeof(big) - 1], 0x5a);
	KC_CHECK_EQ_INT(kc_wire_undo_pending(&bytes), 0);
	/* a committed decode keeps its writes; a later fault does not undo them */
	rc = 0;
	KC_CHECK_EQ_INT(kc_wire_undo(rt, &a.id, sizeof(a.id), &rc), 1);
	a.id = 5;
	kc_wire_undo_commit(rt);
	KC_CHECK_EQ_INT(kc_wire_undo_pending(NULL), 0);
	(void)kc_wire_fault(rt, KC_RT_EDEAD, "test");
	KC_CHECK_EQ_INT(a.id, 5);
	/* over the log's bound: refused before anything is written */
	KC_CHECK_EQ_INT(kc_wire_undo(rt, big, (size_t)2 << 20, &rc), 0);
	KC_CHECK_EQ_INT(rc, KC_ENOMEM);
	/* user side: nothing kept */
	rc = 0;
	KC_CHECK_EQ_INT(kc_wire_undo(ur, &a.id, sizeof(a.id), &rc), 1);
	KC_CHECK_EQ_INT(kc_wire_undo_pending(NULL), 0);
	kc_wire_undo_commit(rt);
	kc_rt__free(rt);
	kc_rt__free(ur);
}

/* A typed allocator's object (alloc_etherdev_mqs: a net_device, here an adapter) is not freed by
 * kfree (fuzz finding 4), and what the kernel sends by address arithmetic stays inside its
 * object (kc_wire_span, fuzz finding 5). */
static void test_typed_alloc_free_and_span(void)
{
	static const struct kc_wire_ptr kfree_arg = { 0, KC_WP_BASE | KC_WP_HEAP | KC_WP_NOGLOBAL, 0, NULL, 0, 0 };
	struct kc_rt *rt = endpoint(KC_SIDE_KERNEL);
	unsigned char *nd = calloc(1, sizeof(struct adapter) + 8), *raw = calloc(1, 32);
	uint64_t h;
	struct msg m;
	void *p;
	int rc = 0;

	KC_REQUIRE(rt && nd && raw);
	KC_REQUIRE(kc_wire_track_alloc(rt, nd, T_ADAPTER, sizeof(struct adapter) + 8) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &h, &(size_t){ 0 }, nd) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, h, T_ADAPTER, sizeof(struct adapter), 0), &kfree_arg, &p), KC_RT_ETYPE);
	KC_REQUIRE(kc_wire_track_alloc(rt, raw, T_OPAQUE, 32) == 0);
	KC_REQUIRE(kc_objt_handle_of(kc_rt_objt(rt), &h, &(size_t){ 0 }, raw) == 0);
	KC_CHECK_EQ_INT(dec(rt, tracked(&m, h, T_OPAQUE, 32, 0), &kfree_arg, &p), 0);
	/* span: 8 bytes of private area after the adapter */
	KC_CHECK_EQ_INT(kc_wire_span(rt, nd + sizeof(struct adapter), 8, &rc), 1);
	KC_CHECK_EQ_INT(rc, 0);
	KC_CHECK_EQ_INT(kc_wire_span(rt, nd + sizeof(struct adapter), 9, &rc), 0);
	KC_CHECK_EQ_INT(rc, KC_RT_ERANGE);
	rc = 0;
	KC_CHECK_EQ_INT(kc_wire_span(rt, nd + sizeof(struct adapter) + 8, 1, &rc), 0); /* one past the end */
	KC_CHECK_EQ_INT(rc, KC_RT_ERANGE);
	rc = 0;
	KC_CHECK_EQ_INT(kc_wire_span(rt, &rc, sizeof(rc), &rc), 1); /* untracked memory: not judged */
	kc_rt_obj_free(rt, nd);
	kc_rt_obj_free(rt, raw);
	kc_rt__free(rt);
	free(nd);
	free(raw);
}

/* A synchronization message (KC_RT_FN_SYNC, from any thread of the user half) naming an object
 * another kernel thread frees meanwhile (an upcall's ethtool_eeprom, freed by the ethtool core as
 * the upcall returns: hostile_simnic_bulk's heap-use-after-free, issue 14). The decoder below
 * stops in the middle of the object's fields; the free must wait until the message is done with
 * the object (serve_sync holds free_lock, which kc_wire_freed takes), and a message naming it after
 * the free is refused (stale). */
static struct {
	struct kc_rt *rt;
	struct adapter *ad;
	atomic_int decoding, freed, touched_after_free;
} race;

static void race_dec(struct kc_xdr *x, uint32_t type, void *p, int *rc)
{
	struct adapter *a = p;
	uint32_t v = kc_xdr_get_u32(x);

	(void)type;
	atomic_store(&race.decoding, 1);
	usleep(200000); /* the other thread frees now, unless it must wait */
	if (atomic_load(&race.freed)) {
		atomic_store(&race.touched_after_free, 1);
		return;
	}
	if (kc_wire_undo(race.rt, &a->id, sizeof(a->id), rc))
		a->id = (int)v;
}

static void *race_free(void *arg)
{
	(void)arg;
	while (!atomic_load(&race.decoding))
		usleep(1000);
	kc_wire_freed(race.rt, race.ad, sizeof(*race.ad));
	atomic_store(&race.freed, 1);
	return NULL;
}

static void test_sync_vs_free(void)
{
	static unsigned char has[T_NTYPES] = { [T_ADAPTER] = 1 };
	struct kc_wire_tables t = tables;
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	kc_rt_handler serve = kc_sync__handler(KC_RT_FN_SYNC);
	uint8_t b[128], rb[64];
	struct kc_xdr e, a, r;
	pthread_t th;
	uint64_t h;
	int rc;

	t.sync_has = has;
	t.sync_dec = race_dec;
	o.wire = &t;
	memset(&race, 0, sizeof(race));
	race.ad = calloc(1, sizeof(*race.ad));
	KC_REQUIRE(serve && race.ad && kc_rt__setup(&race.rt, KC_SIDE_KERNEL, &o, NULL) == 0);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(race.rt), &h, race.ad, T_ADAPTER, sizeof(*race.ad), 1) == 0);
	kc_xdr_init_enc(&e, b, sizeof(b));
	kc_xdr_put_u32(&e, 1);         /* one object */
	kc_xdr_put_u32(&e, T_ADAPTER); /* its type, the pointer, its fields */
	kc_xdr_put_u32(&e, 1);
	kc_xdr_put_u64(&e, h);
	kc_xdr_put_u32(&e, T_ADAPTER);
	kc_xdr_put_u32(&e, sizeof(*race.ad));
	kc_xdr_put_u32(&e, 0);
	kc_xdr_put_u32(&e, 42);
	kc_xdr_init_dec(&a, b, kc_xdr_pos(&e));
	kc_xdr_init_enc(&r, rb, sizeof(rb));
	KC_REQUIRE(pthread_create(&th, NULL, race_free, NULL) == 0);
	rc = serve(race.rt, &a, &r);
	pthread_join(th, NULL);
	KC_CHECK_EQ_INT(rc, 0);
	KC_CHECK_EQ_INT(atomic_load(&race.touched_after_free), 0);
	KC_CHECK_EQ_INT(race.ad->id, 42);
	KC_CHECK(kc_objt_handle_of(kc_rt_objt(race.rt), &h, &(size_t){ 0 }, race.ad) != 0); /* forgotten */
	/* the same message after the free: the handle is stale, refused, nothing written */
	race.ad->id = 7;
	kc_xdr_init_dec(&a, b, kc_xdr_pos(&e));
	kc_xdr_init_enc(&r, rb, sizeof(rb));
	KC_CHECK(serve(race.rt, &a, &r) != 0);
	KC_CHECK_EQ_INT(race.ad->id, 7);
	kc_rt__free(race.rt);
	free(race.ad);
}

int main(void)
{
	KC_RUN(test_kfree);
	KC_RUN(test_lock);
	KC_RUN(test_irq_cookie);
	KC_RUN(test_typed_globals);
	KC_RUN(test_typed);
	KC_RUN(test_typed_allocation);
	KC_RUN(test_untyped_allocation);
	KC_RUN(test_regions);
	KC_RUN(test_alloc_bounds);
	KC_RUN(test_alloc_log);
	KC_RUN(test_recover_array);
	KC_RUN(test_count_array);
	KC_RUN(test_small_things);
	KC_RUN(test_intern);
	KC_RUN(test_put);
	KC_RUN(test_fault_codes);
	KC_RUN(test_nonnull);
	KC_RUN(test_typed_free);
	KC_RUN(test_embeds_and_heap_note);
	KC_RUN(test_embedded_arrays);
	KC_RUN(test_undo);
	KC_RUN(test_typed_alloc_free_and_span);
	KC_RUN(test_sync_vs_free);
	return kc_test_done();
}
