// SPDX-License-Identifier: GPL-2.0
/*
 * rt/objtrack.c (the object tracker), built unchanged into kcut_rt.ko (os_linux.c, compat/), with
 * kc_objt_track wrapped: every address the kernel side tracks is noted in a filter that can be
 * read in any context (kc_lx_maybe_tracked), so that the kernel half's frees (kc_rt_linux_free)
 * touch the tracker, whose locks are mutexes, only for memory that may be tracked: an skb freed
 * in NAPI poll that never crossed is freed at once. And the tracker's gone hook (objt_internal.h,
 * set by kcut_rt_linux.c): an object freed or handed to the kernel in atomic context, which the
 * tracker forgets only when kcut_rt_linux.c's worker runs, is refused as released meanwhile
 * (kc_lx_gone), with a log line: its memory may be the kernel's already (an skb the stack took).
 * The hook runs inside the tracker's one lookup (before: every check was wrapped and looked the
 * handle up twice).
 */
#include <linux/bitops.h>
#include <linux/hash.h>

#define kc_objt_track kc_lx_objt_track
#include "objtrack.c"
#undef kc_objt_track

/* (rt_linux_internal.h declares it; not included here: linux/fs.h's struct key would meet
 * objtrack.c's) */
bool kc_lx_maybe_tracked(const void *p);
bool kc_lx_gone(const void *p);

/* One bit per hash of a tracked base address, never cleared (a set bit only costs a tracker
 * look-up, or a deferral in atomic context). */
#define KC_LX_FILTER_ORDER 16
static DECLARE_BITMAP(kc_lx_filter, 1u << KC_LX_FILTER_ORDER);

bool kc_lx_maybe_tracked(const void *p)
{
	return test_bit(hash_ptr((void *)p, KC_LX_FILTER_ORDER), kc_lx_filter);
}

int kc_objt_track(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t elem_size, size_t nelem);
int kc_objt_track(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t elem_size, size_t nelem)
{
	if (ptr)
		set_bit(hash_ptr(ptr, KC_LX_FILTER_ORDER), kc_lx_filter);
	return kc_lx_objt_track(t, h, ptr, type, elem_size, nelem);
}

/* The tracker's gone hook (kc_objt_set_hooks, kcut_rt_linux.c): is handle h's object one the
 * kernel freed or took over in atomic context, not yet forgotten? Logs the refusal. Runs in the
 * tracker's lookups, with its lock held, once per lookup. */
int kc_lx_objt_gone(void *arg, uint64_t h, const void *ptr, size_t size);
int kc_lx_objt_gone(void *arg, uint64_t h, const void *ptr, size_t size)
{
	(void)arg;
	if (!kc_lx_gone(ptr))
		return 0;
	pr_warn_ratelimited("kcut-rt: handle %#llx refused: its object (%p, %zu bytes) was freed or handed to the kernel\n",
			    (unsigned long long)h, ptr, size);
	return 1;
}
