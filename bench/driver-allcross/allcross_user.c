/*
 * allcross_user.c - the user process of bench/driver.sh's "every entry point crosses" variant
 * (allcross_kernel.c): serves the upcall "enter" by making the nested downcall "run" with the same
 * arguments and returning its result. It never dereferences the pointer values it passes on.
 */
#include <stdio.h>

#include "kcut_rt.h"

static int ac_enter(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t e = kc_xdr_get_u32(a);
	uint64_t p1 = kc_xdr_get_u64(a), p2 = kc_xdr_get_u64(a);
	int32_t i = kc_xdr_get_i32(a);
	struct kc_rt_call *c;
	struct kc_xdr *da, *dr;
	int32_t ret = 0;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_RT_EPROTO;
	rc = kc_rt_call_begin(&c, &da, rt, 0);
	if (rc)
		return rc;
	kc_xdr_put_u32(da, e);
	kc_xdr_put_u64(da, p1);
	kc_xdr_put_u64(da, p2);
	kc_xdr_put_i32(da, i);
	rc = kc_rt_call_invoke(c, &dr);
	if (!rc)
		ret = kc_xdr_get_i32(dr);
	rc = kc_rt_call_end(c, rc);
	if (!rc)
		kc_xdr_put_i32(r, ret);
	return rc;
}

int main(void)
{
	static const struct kc_rt_fn fns[] = { { "enter", ac_enter }, { NULL, NULL } };
	static const char *const peer[] = { "run", NULL };
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt;

	o.fns = fns;
	o.nfns = 1;
	o.peer_names = peer;
	o.npeer = 1;
	if (kc_rt_user_open(&rt, &o, &err)) {
		fprintf(stderr, "allcross user: %s\n", err.msg);
		return 2;
	}
	return kc_rt_user_run(rt) ? 1 : 0;
}
