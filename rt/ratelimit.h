/*
 * ratelimit.h - refusals the user half can repeat at will are logged the way the kernel's
 * printk_ratelimited logs: at most `burst` lines per `window_ns`, and the next line that gets out
 * says how many were not logged, so a user half sending bad messages in a loop cannot flood the
 * log (a hostile run sends millions). Shared by rt/wire.c and rt/region.c, which kcut_rt.ko builds
 * too: compiler atomics, no C library. Not part of the public API.
 */
#ifndef KC_RATELIMIT_H
#define KC_RATELIMIT_H

#include <stdint.h>

struct kc_ratelimit {
	uint64_t window;  /* start of the current window (ns) */
	uint32_t lines;   /* lines written in it */
	uint64_t dropped; /* refusals not logged since the last line */
};

#define KC_RATELIMIT_BURST 10u
#define KC_RATELIMIT_WINDOW_NS 5000000000ull

/* At time now (ns): how many refusals were dropped before this one, or -1 when this one is not
 * to be logged either. */
static inline int64_t kc_ratelimit(struct kc_ratelimit *r, uint64_t now)
{
	uint64_t start = __atomic_load_n(&r->window, __ATOMIC_SEQ_CST);

	if (now - start >= KC_RATELIMIT_WINDOW_NS &&
	    __atomic_compare_exchange_n(&r->window, &start, now, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		__atomic_store_n(&r->lines, 0, __ATOMIC_SEQ_CST);
	if (__atomic_fetch_add(&r->lines, 1, __ATOMIC_SEQ_CST) >= KC_RATELIMIT_BURST) {
		__atomic_fetch_add(&r->dropped, 1, __ATOMIC_SEQ_CST);
		return -1;
	}
	return (int64_t)__atomic_exchange_n(&r->dropped, 0, __ATOMIC_SEQ_CST);
}

#endif /* KC_RATELIMIT_H */
