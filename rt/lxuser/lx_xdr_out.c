/*
 * lx_xdr_out.c - kc_xdr_put_u32 / kc_xdr_get_u32 as functions: the emitted user half, compiled
 * against the kernel's headers, sees the runtime through kcut_rt_shim.h, which declares them as
 * functions (rt/kcut_rt.h has them inline). Must not include kcut_rt.h, where the names are taken
 * by the inline versions.
 */
#include <stdint.h>

struct kc_xdr;
void kc_lx_xdr_put_u32(struct kc_xdr *x, uint32_t v);
uint32_t kc_lx_xdr_get_u32(struct kc_xdr *x);
void kc_xdr_put_u32(struct kc_xdr *x, uint32_t v);
uint32_t kc_xdr_get_u32(struct kc_xdr *x);

void kc_xdr_put_u32(struct kc_xdr *x, uint32_t v)
{
	kc_lx_xdr_put_u32(x, v);
}

uint32_t kc_xdr_get_u32(struct kc_xdr *x)
{
	return kc_lx_xdr_get_u32(x);
}
