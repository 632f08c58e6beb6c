// SPDX-License-Identifier: GPL-2.0
/*
 * rt/objtrack.c (the object tracker), built unchanged into kcut_rt.ko (os_linux.c, compat/), with
 * kc_objt_track wrapped: every address the kernel side tracks is noted in a filter that can be
 * read in any context (kc_lx_maybe_tracked), so that the kernel half's frees (kc_rt_linux_free)
 * touch the tracker, whose locks are mutexes, only for memory that may be tracked: an skb freed
 * in NAPI poll that never crossed is freed at once. And the handle checks (kc_objt_info, _lookup,
 * _size, _query) are wrapped: an object freed or handed to the kernel in atomic context, which the
 * tracker forgets only when kcut_rt_linux.c's worker runs, is refused as released meanwhile
 * (kc_lx_gone), with a log line: its memory may be the kernel's already (an skb the stack took).
 */
#include <linux/bitops.h>
#include <linux/hash.h>

#define kc_objt_track kc_lx_objt_track
/* (function-like: struct kc_objt_info keeps its name) */
#define kc_objt_info(...) kc_lx_objt_info(__VA_ARGS__)
#define kc_objt_lookup(...) kc_lx_objt_lookup(__VA_ARGS__)
#define kc_objt_size(...) kc_lx_objt_size(__VA_ARGS__)
#define kc_objt_query(...) kc_lx_objt_query(__VA_ARGS__)
#include "objtrack.c"
#undef kc_objt_track
#undef kc_objt_info
#undef kc_objt_lookup
#undef kc_objt_size
#undef kc_objt_query

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

/* Is handle h's object one the kernel freed or took over, not yet forgotten? Logs the refusal. */
static bool gone_handle(uint64_t h, const struct kc_objt_info *in)
{
	if (!kc_lx_gone(in->ptr))
		return false;
	pr_warn_ratelimited("kcut-rt: handle %#llx refused: its object (%p, %zu bytes) was freed or handed to the kernel\n",
			    (unsigned long long)h, in->ptr, in->size);
	return true;
}

int kc_objt_info(struct kc_objt *t, struct kc_objt_info *out, uint64_t h);
int kc_objt_info(struct kc_objt *t, struct kc_objt_info *out, uint64_t h)
{
	int rc = kc_lx_objt_info(t, out, h);

	if (!rc && gone_handle(h, out)) {
		memset(out, 0, sizeof(*out));
		rc = KC_RT_ESTALE;
	}
	return rc;
}

/* The others: the same check first (an object found by info is the one they would find). */
static int check_gone(struct kc_objt *t, uint64_t h)
{
	struct kc_objt_info in;

	if (kc_lx_objt_info(t, &in, h))
		return 0; /* forged, released ...: the call itself says so */
	return gone_handle(h, &in) ? KC_RT_ESTALE : 0;
}

int kc_objt_lookup(struct kc_objt *t, void **ptr, uint64_t h, uint32_t type, size_t off, size_t len);
int kc_objt_lookup(struct kc_objt *t, void **ptr, uint64_t h, uint32_t type, size_t off, size_t len)
{
	int rc = check_gone(t, h);

	*ptr = NULL;
	return rc ? rc : kc_lx_objt_lookup(t, ptr, h, type, off, len);
}

int kc_objt_size(struct kc_objt *t, size_t *size, size_t *elem_size, uint64_t h, uint32_t type);
int kc_objt_size(struct kc_objt *t, size_t *size, size_t *elem_size, uint64_t h, uint32_t type)
{
	int rc = check_gone(t, h);

	*size = 0;
	*elem_size = 0;
	return rc ? rc : kc_lx_objt_size(t, size, elem_size, h, type);
}

int kc_objt_query(struct kc_objt *t, uint32_t *type, size_t *size, size_t *elem_size, uint64_t h);
int kc_objt_query(struct kc_objt *t, uint32_t *type, size_t *size, size_t *elem_size, uint64_t h)
{
	int rc = check_gone(t, h);

	*type = 0;
	*size = 0;
	if (elem_size)
		*elem_size = 0;
	return rc ? rc : kc_lx_objt_query(t, type, size, elem_size, h);
}
