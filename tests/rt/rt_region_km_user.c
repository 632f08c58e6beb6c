/*
 * rt_region_km_user.c - user half of rt_region_km_test: programs the "dmadesc" device through
 * forwarded registers and a descriptor in coherent memory it maps, as a user half that was given
 * device access does (and, on request, with a bus address it was never given).
 */
#include <stdio.h>
#include <string.h>

#include "kcut_rt.h"
#include "rt_region_km_fns.h"

static struct kc_rt *g_rt;

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* the device reads little-endian: the host's order here */
}

static int u_run(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t mid = kc_xdr_get_u32(a), rid = kc_xdr_get_u32(a), bid = kc_xdr_get_u32(a);
	uint32_t len = kc_xdr_get_u32(a), mode = kc_xdr_get_u32(a), i, sum = 0, done, status, id;
	struct kc_region_desc ring, buf;
	uint8_t *regs, *desc, *data;
	uint64_t bus;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_rt_region_ptr(rt, (void **)&regs, mid, 0, 0x10);
	if (!rc)
		rc = kc_rt_region_ptr(rt, (void **)&desc, rid, 0, 12);
	if (!rc)
		rc = kc_rt_region_ptr(rt, (void **)&data, bid, 0, len);
	if (!rc)
		rc = kc_rt_region_info(rt, &ring, rid);
	if (!rc)
		rc = kc_rt_region_info(rt, &buf, bid);
	if (rc)
		return rc;
	for (i = 0; i < len; i++) {
		data[i] = (uint8_t)(i * 3 + 1);
		sum += data[i];
	}
	bus = mode == 1 ? 0x7ff00000u : mode == 2 ? buf.base + buf.size - 16 : buf.base;
	put32(desc, (uint32_t)bus);
	put32(desc + 4, mode == 2 ? 64 : len);
	put32(desc + 8, 0);
	id = kc_io_read32(regs + REG_ID);
	kc_io_write32(mode == 3 ? 0x7ff80000u : (uint32_t)ring.base, regs + REG_RING);
	kc_io_write32(1, regs + REG_DOORBELL);
	status = kc_io_read32(regs + REG_STATUS); /* one batch: two posted writes and this read */
	memcpy(&done, desc + 8, 4);
	kc_xdr_put_u32(r, status);
	kc_xdr_put_u32(r, done);
	kc_xdr_put_u32(r, sum);
	kc_xdr_put_u32(r, id);
	return 0;
}

static int u_ptr(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t id = kc_xdr_get_u32(a);
	void *p;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_xdr_put_i32(r, kc_rt_region_ptr(rt, &p, id, 0, 1));
	return 0;
}

static const struct kc_rt_fn fns[U_NFNS] = {
	[U_RUN] = { "u_run", u_run },
	[U_PTR] = { "u_ptr", u_ptr },
};

int main(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	int rc;

	o.fns = fns;
	o.nfns = U_NFNS;
	o.nworkers = 1;
	if (kc_rt_user_open(&g_rt, &o, &err)) {
		fprintf(stderr, "rt_region_km_user: %s\n", err.msg);
		return 2;
	}
	rc = kc_rt_user_run(g_rt);
	return kc_rt_close(g_rt) || rc ? 1 : 0;
}
