/*
 * rt_region_user.c - the user half of the device-region tests (rt_region_test spawns it): small
 * functions that touch exported regions through kc_rt_region_ptr and the kc_io_* accessors, and
 * one that sends raw register batches so the kernel half's checks can be driven directly.
 */
#include <stdio.h>
#include <string.h>

#include "kcut_rt.h"
#include "rt_internal.h"
#include "rt_region_fns.h"

static struct kc_rt *g_rt;
static void *g_held;

static void stats(struct kc_io_stats *s)
{
	kc_io_get_stats(s);
}

static int r_seq(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t id = kc_xdr_get_u32(a), n = kc_xdr_get_u32(a), mode = kc_xdr_get_u32(a), i;
	uint32_t v = 0, logged = 0;
	struct kc_io_stats s0, s1;
	uint8_t *regs;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_rt_region_ptr(rt, (void **)&regs, id, 0, 0x104);
	if (rc)
		return rc;
	stats(&s0);
	for (i = 0; i < n; i++)
		kc_io_write32(i + 1, regs + 4 * (i % 64));
	if (mode == 1) {
		kc_io_flush();
	} else if (mode == 2) {
		struct kc_rt_call *c;
		struct kc_xdr *ca, *cr;

		rc = kc_rt_call_begin(&c, &ca, rt, K_LOGCOUNT);
		if (rc)
			return rc;
		rc = kc_rt_call_invoke(c, &cr);
		if (!rc)
			logged = kc_xdr_get_u32(cr);
		rc = kc_rt_call_end(c, rc);
		if (rc)
			return rc;
	} else if (mode == 3) {
		v = kc_io_read32(regs + 0x100);
	}
	stats(&s1);
	kc_xdr_put_u32(r, v);
	kc_xdr_put_u32(r, (uint32_t)(s1.batches - s0.batches));
	kc_xdr_put_u32(r, (uint32_t)(s1.posted - s0.posted));
	kc_xdr_put_u32(r, (uint32_t)(s1.errors - s0.errors));
	kc_xdr_put_u32(r, logged);
	return 0;
}

static int r_raw(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;
	const void *p;
	uint32_t n, rn = 0;
	const void *rp = NULL;
	int rc;

	p = kc_xdr_get_opaque(a, &n, 60000);
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_rt__call_begin_rt(&c, &ca, rt, KC_RT_FN_REGIO);
	if (rc)
		return rc;
	kc_xdr_put_fixed(ca, p, n); /* n is a multiple of 4: raw XDR */
	rc = kc_rt_call_invoke(c, &cr);
	if (!rc) {
		rn = (uint32_t)(cr->cap - cr->pos);
		rp = kc_xdr_get_fixed(cr, rn);
	}
	kc_xdr_put_i32(r, rc);
	kc_xdr_put_opaque(r, rp, rp ? rn : 0);
	kc_rt_call_end(c, rc);
	return 0;
}

static int r_dma(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t id = kc_xdr_get_u32(a), n = kc_xdr_get_u32(a), i, sum = 0;
	uint8_t *p;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_rt_region_ptr(rt, (void **)&p, id, 0, n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		sum += p[i];
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i ^ 0x5a);
	kc_xdr_put_u32(r, sum);
	return 0;
}

static int r_hold(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t id = kc_xdr_get_u32(a);
	uint64_t off = kc_xdr_get_u64(a);

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_xdr_put_i32(r, kc_rt_region_ptr(rt, &g_held, id, off, 1));
	return 0;
}

static int r_held(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t id = 0;
	uint64_t off = 0;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_rt_region_of(rt, &id, &off, g_held);
	kc_xdr_put_i32(r, rc);
	kc_xdr_put_u32(r, id);
	kc_xdr_put_u64(r, off);
	return 0;
}

static int r_stray(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	struct kc_io_stats s0, s1;
	uint32_t local = 7, v;

	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	stats(&s0);
	v = kc_io_read32(&local);
	kc_io_write32(1, &local); /* dropped: local must stay 7 */
	stats(&s1);
	kc_xdr_put_u32(r, local == 7 ? v : 0);
	kc_xdr_put_u32(r, (uint32_t)(s1.errors - s0.errors));
	return 0;
}

static int r_pio(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t port = kc_xdr_get_u32(a), v = kc_xdr_get_u32(a);

	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_io_out8((uint8_t)v, port);
	kc_xdr_put_u32(r, kc_io_in8(port + 1));
	return 0;
}

static int r_bytes(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t id = kc_xdr_get_u32(a), n, op, i, sum = 0;
	uint64_t off = kc_xdr_get_u64(a);
	struct kc_io_stats s0, s1;
	static uint8_t buf[70000];
	uint8_t *regs;
	int rc;

	n = kc_xdr_get_u32(a);
	op = kc_xdr_get_u32(a);
	if (kc_xdr_dec_done(a) || n > sizeof(buf))
		return KC_EINVAL;
	rc = kc_rt_region_ptr(rt, (void **)&regs, id, 0, 0);
	if (rc)
		return rc;
	stats(&s0);
	if (op == 0) {
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)i;
		kc_io_memcpy_toio(regs + off, buf, n);
	} else if (op == 1) {
		kc_io_memset_io(regs + off, 0x11, n);
	} else {
		kc_io_memcpy_fromio(buf, regs + off, n);
		for (i = 0; i < n; i++)
			sum += buf[i];
	}
	kc_io_flush();
	stats(&s1);
	kc_xdr_put_u32(r, (uint32_t)(s1.errors - s0.errors));
	kc_xdr_put_u32(r, sum);
	return 0;
}

static int r_ptr(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t id = kc_xdr_get_u32(a);
	uint64_t off = kc_xdr_get_u64(a), len = kc_xdr_get_u64(a);
	void *p;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_xdr_put_i32(r, kc_rt_region_ptr(rt, &p, id, off, len));
	return 0;
}

static const struct kc_rt_fn fns[R_NFNS] = {
	[R_SEQ] = { "r_seq", r_seq },     [R_RAW] = { "r_raw", r_raw },
	[R_DMA] = { "r_dma", r_dma },     [R_HOLD] = { "r_hold", r_hold },
	[R_HELD] = { "r_held", r_held },  [R_STRAY] = { "r_stray", r_stray },
	[R_PIO] = { "r_pio", r_pio },     [R_BYTES] = { "r_bytes", r_bytes },
	[R_PTR] = { "r_ptr", r_ptr },
};

int main(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	int rc;

	o.fns = fns;
	o.nfns = R_NFNS;
	o.peer_names = rt_region_kernel_names;
	o.npeer = K_NFNS;
	o.nworkers = 2;
	if (kc_rt_user_open(&g_rt, &o, &err)) {
		fprintf(stderr, "rt_region_user: %s\n", err.msg);
		return 2;
	}
	rc = kc_rt_user_run(g_rt);
	return kc_rt_close(g_rt) || rc ? 1 : 0;
}
