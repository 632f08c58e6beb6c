/*
 * rt_test_kernel.h - the kernel half of the runtime tests: its downcall table and small upcall
 * stubs written the way generated code would write them.
 */
#ifndef RT_TEST_KERNEL_H
#define RT_TEST_KERNEL_H

#include <stdatomic.h>

#include "kcut_rt.h"
#include "os.h"
#include "rt_test_fns.h"

static _Thread_local int k_depth;
static atomic_int k_max_depth;

static int up_u32(struct kc_rt *rt, uint32_t fn, uint32_t arg, uint32_t *out);

static int k_nest(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t d = kc_xdr_get_u32(a), v = 0;
	int rc = 0;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	k_depth++;
	if (k_depth > atomic_load(&k_max_depth))
		atomic_store(&k_max_depth, k_depth);
	if (d > 1)
		rc = up_u32(rt, U_NEST, d - 1, &v);
	k_depth--;
	if (rc)
		return rc;
	kc_xdr_put_u32(r, v + 100);
	return 0;
}

static int k_add(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t x = kc_xdr_get_u32(a), y = kc_xdr_get_u32(a);

	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_xdr_put_u32(r, x + y);
	return 0;
}

static int k_blob(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	const void *p;
	uint32_t n;

	(void)rt;
	p = kc_xdr_get_opaque(a, &n, 65536);
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_xdr_put_opaque(r, p, n);
	return 0;
}

static int k_bulksum(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	static _Thread_local uint8_t copy[512 * 1024];
	uint32_t n, i, sum = 0;

	if (!kc_rt_get_buf(rt, a, copy, &n, sizeof(copy)) || kc_xdr_dec_done(a))
		return KC_EINVAL;
	for (i = 0; i < n; i++)
		sum += copy[i];
	kc_xdr_put_u32(r, sum);
	return 0;
}

/* A rendezvous: succeeds only when n calls are being served at the same time. */
static atomic_uint k_meet_arrived;

static int k_meet(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t n = kc_xdr_get_u32(a);
	uint64_t end = kc_os_now_ns() + 3000000000ull;

	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	atomic_fetch_add(&k_meet_arrived, 1);
	while (atomic_load(&k_meet_arrived) < n && kc_os_now_ns() < end)
		kc_os_sleep_ns(1000000ull);
	kc_xdr_put_u32(r, atomic_load(&k_meet_arrived) >= n);
	return 0;
}

/* The kernel's copy of the last object the user half adopted and sent (K_IMPORT). */
static void *k_adopted_copy;

static int k_import(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint64_t h = kc_xdr_get_handle(a);
	uint32_t size = kc_xdr_get_u32(a);
	void *p;
	int fresh, rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_objt_import(kc_rt_objt(rt), &p, &fresh, h, 5, size);
	if (rc)
		return rc;
	if (fresh)
		((unsigned char *)p)[0] = 0x77;
	k_adopted_copy = p;
	kc_xdr_put_u32(r, (uint32_t)fresh);
	return 0;
}

/* K_SLOW: how often it ran, how many ran at once at most. */
static atomic_uint k_slow_runs, k_slow_inside, k_slow_max;

static int k_slow(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t ms = kc_xdr_get_u32(a);
	unsigned in, max, runs;

	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	runs = atomic_fetch_add(&k_slow_runs, 1) + 1;
	in = atomic_fetch_add(&k_slow_inside, 1) + 1;
	max = atomic_load(&k_slow_max);
	while (in > max && !atomic_compare_exchange_weak(&k_slow_max, &max, in))
		;
	kc_os_sleep_ns((uint64_t)ms * 1000000ull);
	atomic_fetch_sub(&k_slow_inside, 1);
	kc_xdr_put_u32(r, runs);
	return 0;
}

/* K_NOTE: the user half says "this call is in the user half now" (U_SLEEPIN, U_HANG), so a test
 * waits for that condition instead of sleeping and hoping (a loaded machine may not have run the
 * calls yet). While a test holds k_gate shut, K_NOTE waits (at most 20 s) before it returns:
 * the call keeps its slot and its user worker without using up its timeout (the kernel half's
 * time serving a nested call does not count against the chain). */
static atomic_uint k_notes;
static atomic_int k_gate_shut;

static int k_note(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint64_t end = kc_os_now_ns() + 20000000000ull;

	(void)rt;
	(void)r;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	atomic_fetch_add(&k_notes, 1);
	while (atomic_load(&k_gate_shut) && kc_os_now_ns() < end)
		kc_os_sleep_ns(1000000ull);
	return 0;
}

/* Wait until K_NOTE has run n times in all (or, with extra, until *extra + notes reach n), at
 * most ms; 0 when it did. */
static inline int wait_notes_or(unsigned n, atomic_int *extra, unsigned ms)
{
	uint64_t end = kc_os_now_ns() + (uint64_t)ms * 1000000ull;

	while (atomic_load(&k_notes) + (extra ? (unsigned)atomic_load(extra) : 0) < n) {
		if (kc_os_now_ns() > end)
			return KC_RT_ETIMEDOUT;
		kc_os_sleep_ns(1000000ull);
	}
	return 0;
}

static inline int wait_notes(unsigned n, unsigned ms)
{
	return wait_notes_or(n, NULL, ms);
}

/* K_PINUSE: the object of a handle, used for a while after the look-up (rt_pin_test). */
#define K_PIN_TYPE 9u
#define K_PIN_SIZE 256u
static atomic_uint k_pin_us = 20;
static atomic_uint k_pin_inside; /* K_PINUSE handlers between their look-up and their return */

static int k_pinuse(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint64_t h = kc_xdr_get_handle(a), end;
	struct kc_objt_info in;
	volatile unsigned char *p;
	uint32_t sum = 0, i;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_objt_info(kc_rt_objt(rt), &in, h);
	if (rc)
		return rc;
	if (in.type != K_PIN_TYPE || in.size < K_PIN_SIZE)
		return KC_RT_ETYPE;
	atomic_fetch_add(&k_pin_inside, 1);
	p = in.ptr;
	end = kc_os_now_ns() + 1000ull * atomic_load(&k_pin_us);
	do {
		for (i = 0; i < K_PIN_SIZE; i++) {
			p[i] = (unsigned char)(p[i] + 1);
			sum += p[i];
		}
	} while (kc_os_now_ns() < end);
	atomic_fetch_sub(&k_pin_inside, 1);
	kc_xdr_put_u32(r, sum);
	return 0;
}

static const struct kc_rt_fn k_fns[K_NFNS] = {
	[K_NEST] = { "k_nest", k_nest },
	[K_ADD] = { "k_add", k_add },
	[K_BLOB] = { "k_blob", k_blob },
	[K_BULKSUM] = { "k_bulksum", k_bulksum },
	[K_MEET] = { "k_meet", k_meet },
	[K_IMPORT] = { "k_import", k_import },
	[K_SLOW] = { "k_slow", k_slow },
	[K_NOTE] = { "k_note", k_note },
	[K_PINUSE] = { "k_pinuse", k_pinuse },
};

/* Upcall fn with one u32 argument (none when fn is U_NULL-like and arg is ~0u), one u32
 * result (when out != NULL). */
static int up_u32(struct kc_rt *rt, uint32_t fn, uint32_t arg, uint32_t *out)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	rc = kc_rt_call_begin(&c, &a, rt, fn);
	if (rc)
		return rc;
	if (arg != ~0u)
		kc_xdr_put_u32(a, arg);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc && out)
		*out = kc_xdr_get_u32(r);
	return kc_rt_call_end(c, rc);
}

static int up_echo(struct kc_rt *rt, uint32_t v, uint32_t tag, uint32_t *ov, uint32_t *otag)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	rc = kc_rt_call_begin(&c, &a, rt, U_ECHO);
	if (rc)
		return rc;
	kc_xdr_put_u32(a, v);
	kc_xdr_put_u32(a, tag);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		*ov = kc_xdr_get_u32(r);
		*otag = kc_xdr_get_u32(r);
	}
	return kc_rt_call_end(c, rc);
}

static void rt_test_opts(struct kc_rt_opts *o, const char *mode)
{
	static char *argv_busy[] = { (char *)KC_RT_USER_TEST, "busy", NULL };
	static char *argv_idle[] = { (char *)KC_RT_USER_TEST, "idle", NULL };
	static char *argv_wide[] = { (char *)KC_RT_USER_TEST, "adaptive", "40", NULL };

	o->fns = k_fns;
	o->nfns = K_NFNS;
	o->peer_names = rt_test_user_names;
	o->npeer = U_NFNS;
	o->user_path = KC_RT_USER_TEST;
	/* an ASan user half's exit (leak check included) can take over 1 s on a loaded machine,
	 * and a TSan one starting 40 workers ("wide") more than 5 s to be ready */
	o->stop_grace_ms = 10000;
	o->ready_timeout_ms = 20000;
	if (mode && mode[0] == 'b')
		o->user_argv = argv_busy;
	else if (mode && mode[0] == 'i')
		o->user_argv = argv_idle;
	else if (mode && mode[0] == 'w')
		o->user_argv = argv_wide;
}

#endif
