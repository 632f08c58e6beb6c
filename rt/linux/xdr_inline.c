// SPDX-License-Identifier: GPL-2.0
/*
 * xdr_inline.c - kc_xdr_put_u32 / kc_xdr_get_u32 as exported functions (rt/kcut_rt.h has them
 * inline, emitter/rt_shim.inc declares them as functions). This file must not include
 * kcut_rt.h, where the names are taken by the inline versions.
 */
#include <linux/export.h>
#include <linux/types.h>

struct kc_xdr;
void kc_lx_xdr_put_u32(struct kc_xdr *x, u32 v);
u32 kc_lx_xdr_get_u32(struct kc_xdr *x);
void kc_xdr_put_u32(struct kc_xdr *x, u32 v);
u32 kc_xdr_get_u32(struct kc_xdr *x);

void kc_xdr_put_u32(struct kc_xdr *x, u32 v)
{
	kc_lx_xdr_put_u32(x, v);
}
EXPORT_SYMBOL_GPL(kc_xdr_put_u32);

u32 kc_xdr_get_u32(struct kc_xdr *x)
{
	return kc_lx_xdr_get_u32(x);
}
EXPORT_SYMBOL_GPL(kc_xdr_get_u32);
