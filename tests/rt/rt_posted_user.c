/*
 * rt_posted_user.c - the user half of rt_posted_test: posts kernel calls through
 * kc_rt_post_begin / kc_rt_post_end as generated stubs do.
 */
#include <stdio.h>
#include <string.h>

#include "kcut_rt.h"
#include "rt_posted_fns.h"

static struct kc_rt *g_rt;

static int post_log(struct kc_rt *rt, const char *s)
{
	struct kc_xdr *a;
	int rc = kc_rt_post_begin(&a, rt, K_LOG);

	if (rc)
		return rc;
	kc_xdr_put_string(a, s);
	return kc_rt_post_end(rt, 0, NULL);
}

static int u_post(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t n = kc_xdr_get_u32(a), mode = kc_xdr_get_u32(a), i, seen = 0;
	struct kc_io_stats s0, s1;
	int rc = 0;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_io_get_stats(&s0);
	for (i = 0; i < n && !rc; i++)
		rc = post_log(rt, "eth0: posted");
	if (rc)
		return rc;
	if (mode == 1) {
		struct kc_rt_call *c;
		struct kc_xdr *ca, *cr;

		rc = kc_rt_call_begin(&c, &ca, rt, K_COUNT);
		if (rc)
			return rc;
		rc = kc_rt_call_invoke(c, &cr);
		if (!rc)
			seen = kc_xdr_get_u32(cr);
		rc = kc_rt_call_end(c, rc);
		if (rc)
			return rc;
	} else if (mode == 2) {
		kc_io_flush();
	}
	kc_io_get_stats(&s1);
	kc_xdr_put_u32(r, seen);
	kc_xdr_put_u32(r, (uint32_t)(s1.batches - s0.batches));
	kc_xdr_put_u32(r, (uint32_t)(s1.calls - s0.calls));
	return 0;
}

static int u_free2(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint64_t h = kc_xdr_get_u64(a);
	struct kc_xdr *ca;
	int i, rc = 0;

	(void)r;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	for (i = 0; i < 2 && !rc; i++) {
		rc = kc_rt_post_begin(&ca, rt, K_FREE);
		if (!rc) {
			kc_xdr_put_u64(ca, h);
			rc = kc_rt_post_end(rt, 0, NULL);
		}
	}
	return rc; /* the reply flushes both: the kernel half frees once, then refuses */
}

static const struct kc_rt_fn fns[U_NFNS] = {
	[U_POST] = { "u_post", u_post },
	[U_FREE2] = { "u_free2", u_free2 },
};

int main(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	int rc;

	o.fns = fns;
	o.nfns = U_NFNS;
	o.peer_names = rt_posted_kernel_names;
	o.npeer = K_NFNS;
	if (kc_rt_user_open(&g_rt, &o, &err)) {
		fprintf(stderr, "rt_posted_user: %s\n", err.msg);
		return 2;
	}
	rc = kc_rt_user_run(g_rt);
	return kc_rt_close(g_rt) || rc ? 1 : 0;
}
