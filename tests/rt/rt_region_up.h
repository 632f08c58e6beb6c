/*
 * rt_region_up.h - the device-region tests' upcall helper: u32 arguments in, u32 results out.
 */
#ifndef RT_REGION_UP_H
#define RT_REGION_UP_H

#include "kcut_rt.h"

static inline int rt_up(struct kc_rt *rt, uint32_t fn, const uint32_t *in, int nin, uint32_t *out,
			int nout)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc, i;

	rc = kc_rt_call_begin(&c, &a, rt, fn);
	if (rc)
		return rc;
	for (i = 0; i < nin; i++)
		kc_xdr_put_u32(a, in[i]);
	rc = kc_rt_call_invoke(c, &r);
	for (i = 0; !rc && i < nout; i++)
		out[i] = kc_xdr_get_u32(r);
	return kc_rt_call_end(c, rc);
}

#endif
