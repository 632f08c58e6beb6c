// SPDX-License-Identifier: GPL-2.0
/*
 * exports.c - what kcut_rt.ko gives split drivers' kernel halves from rt's portable core: the
 * XDR encoder/decoder (rt/xdr.c), the object tracker (rt/objtrack.c) and pointers on the wire
 * (rt/wire.c, rt/sync.c), the set emitter/rt_shim.inc declares. kc_xdr_put_u32/get_u32 are inline in rt/kcut_rt.h; the shim
 * declares them as functions, defined in xdr_inline.c on top of the two below.
 */
#include <linux/export.h>

#include "kcut_rt.h"

void kc_lx_xdr_put_u32(struct kc_xdr *x, uint32_t v);
uint32_t kc_lx_xdr_get_u32(struct kc_xdr *x);

void kc_lx_xdr_put_u32(struct kc_xdr *x, uint32_t v)
{
	kc_xdr_put_u32(x, v);
}

uint32_t kc_lx_xdr_get_u32(struct kc_xdr *x)
{
	return kc_xdr_get_u32(x);
}

EXPORT_SYMBOL_GPL(kc_xdr_init_enc);
EXPORT_SYMBOL_GPL(kc_xdr_init_dec);
EXPORT_SYMBOL_GPL(kc_xdr_dec_done);
EXPORT_SYMBOL_GPL(kc_xdr_put_u64);
EXPORT_SYMBOL_GPL(kc_xdr_get_u64);
EXPORT_SYMBOL_GPL(kc_xdr_put_bool);
EXPORT_SYMBOL_GPL(kc_xdr_get_bool);
EXPORT_SYMBOL_GPL(kc_xdr_get_enum);
EXPORT_SYMBOL_GPL(kc_xdr_put_fixed);
EXPORT_SYMBOL_GPL(kc_xdr_get_fixed);
EXPORT_SYMBOL_GPL(kc_xdr_put_opaque);
EXPORT_SYMBOL_GPL(kc_xdr_get_opaque);
EXPORT_SYMBOL_GPL(kc_xdr_put_string);
EXPORT_SYMBOL_GPL(kc_xdr_get_string);
EXPORT_SYMBOL_GPL(kc_xdr_get_count);
EXPORT_SYMBOL_GPL(kc_xdr_put_handle);
EXPORT_SYMBOL_GPL(kc_xdr_get_handle);

EXPORT_SYMBOL_GPL(kc_objt_track);
EXPORT_SYMBOL_GPL(kc_objt_handle_of);
EXPORT_SYMBOL_GPL(kc_objt_lookup);
EXPORT_SYMBOL_GPL(kc_objt_size);
EXPORT_SYMBOL_GPL(kc_objt_import);
EXPORT_SYMBOL_GPL(kc_objt_untrack);
EXPORT_SYMBOL_GPL(kc_objt_query);
EXPORT_SYMBOL_GPL(kc_objt_info);
EXPORT_SYMBOL_GPL(kc_objt_release);

EXPORT_SYMBOL_GPL(kc_wire_put_ptr);
EXPORT_SYMBOL_GPL(kc_wire_put_array);
EXPORT_SYMBOL_GPL(kc_wire_get_ptr);
EXPORT_SYMBOL_GPL(kc_wire_type_at);
EXPORT_SYMBOL_GPL(kc_wire_get_field);
EXPORT_SYMBOL_GPL(kc_wire_alloc_check);
EXPORT_SYMBOL_GPL(kc_wire_get_array);
EXPORT_SYMBOL_GPL(kc_wire_nonnull);
EXPORT_SYMBOL_GPL(kc_wire_free_array);
EXPORT_SYMBOL_GPL(kc_wire_track_alloc);
EXPORT_SYMBOL_GPL(kc_wire_get_data);
EXPORT_SYMBOL_GPL(kc_wire_put_fn);
EXPORT_SYMBOL_GPL(kc_wire_get_fn);
EXPORT_SYMBOL_GPL(kc_wire_put_fnf);
EXPORT_SYMBOL_GPL(kc_wire_get_fnf);
EXPORT_SYMBOL_GPL(kc_wire_put_str);
EXPORT_SYMBOL_GPL(kc_wire_get_str);
EXPORT_SYMBOL_GPL(kc_wire_redo);
EXPORT_SYMBOL_GPL(kc_wire_keep_str);
EXPORT_SYMBOL_GPL(kc_wire_get_fstr);
EXPORT_SYMBOL_GPL(kc_wire_put_strv);
EXPORT_SYMBOL_GPL(kc_wire_get_strv);
EXPORT_SYMBOL_GPL(kc_wire_put_word);
EXPORT_SYMBOL_GPL(kc_wire_get_word);
EXPORT_SYMBOL_GPL(kc_wire_bit_check);
EXPORT_SYMBOL_GPL(kc_wire_fault);
EXPORT_SYMBOL_GPL(kc_wire_recover_hook);
EXPORT_SYMBOL_GPL(kc_wire_recover_serve);
EXPORT_SYMBOL_GPL(kc_wire_free_hook);
EXPORT_SYMBOL_GPL(kc_wire_heap_note);
EXPORT_SYMBOL_GPL(kc_wire_intern);
EXPORT_SYMBOL_GPL(kc_wire_extent);
EXPORT_SYMBOL_GPL(kc_wire_freed);
EXPORT_SYMBOL_GPL(kc_wire_global_of);
EXPORT_SYMBOL_GPL(kc_wire_span);
EXPORT_SYMBOL_GPL(kc_wire_undo);
EXPORT_SYMBOL_GPL(kc_wire_undo_commit);
EXPORT_SYMBOL_GPL(kc_wire_undo_pending);
/* rt/sync.c: the synchronization hooks generated code calls (user-side ones are no-ops here) */
EXPORT_SYMBOL_GPL(kc_wire_sync_mark);
EXPORT_SYMBOL_GPL(kc_wire_sync_freed);
EXPORT_SYMBOL_GPL(kc_wire_sync_dead);
EXPORT_SYMBOL_GPL(kc_wire_sync_gone);
EXPORT_SYMBOL_GPL(kc_wire_sync_touch);
EXPORT_SYMBOL_GPL(kc_wire_sync_fresh);

EXPORT_SYMBOL_GPL(kc_rt_region_find);
/* rt/region.c: register offsets of the kernel half's own windows under device access none */
EXPORT_SYMBOL_GPL(kc_rt_region_check);
EXPORT_SYMBOL_GPL(kc_rt_region_record);
EXPORT_SYMBOL_GPL(kc_rt_region_unexport_addr);
