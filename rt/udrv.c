/*
 * udrv.c - the user half's main loop: attach to the region the kernel half created, run a pool
 * of worker threads that take upcalls from the request ring and run them through the dispatch
 * table (kc_rt_opts.fns, filled by generated code), and say "ready".
 *
 * An idle worker spins on the ring for spin_us (busy_poll: forever) while it is empty, then
 * sleeps on the ring's futex word. Any thread of the user half may also start a downcall of its
 * own (kc_rt_call_begin outside an upcall); the kernel half's server thread takes those.
 */
#include "rt_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>


/* Serve the chain on slot si (kernel range) and remember it for parking; park: leave the slot
 * parked with the reply. Returns si when the slot was left parked, else -1. */
static int64_t serve(struct kc_rt *rt, struct kc_conn *c, int64_t si, int64_t *last, int park)
{
	if (si < 0 || si >= rt->g.nk)
		return -1;
	*last = si;
	return kc_rt_serve_chain_park(rt, c, (uint32_t)si, park) ? si : -1;
}

/* A worker: pop a slot from the request ring and serve that chain to its end; when the ring is
 * empty spin (spin_us, or forever with busy_poll), then sleep on the ring's futex word (100 ms
 * slices, so shutdown is noticed even without a wake-up). Returns at shutdown.
 *
 * While it spins, the worker also parks on the slot of the chain it served last: the reply
 * that ends the chain hands the turn as KERNEL | PARKED when the worker means to spin (only the
 * worker serving a chain writes that reply, so a slot has at most one parked worker). A kernel
 * caller usually takes the same slot for its next upcall; when it finds a worker parked there it
 * claims it and hands it the turn in one compare-and-swap (KERNEL | PARKED -> USER | CLAIMED)
 * and skips the request ring, so the upcall costs one hand-off of the slot's turn line instead
 * of a ring push and pop. Leaving the slot (KERNEL | PARKED -> KERNEL) and the claim are
 * compare-and-swaps on the same word, so exactly one of them wins: a claimed slot is always
 * served. (A failed leave may also mean the incarnation was poisoned, KC_TURN_DEAD; serving then
 * ends at once.) */
static void *worker_main(void *arg)
{
	struct kc_rt *rt = arg;
	struct kc_conn *c = rt->conn;
	struct kc_chan_hdr *h = c->base;
	struct kc_ring *r = &h->up;
	int64_t last = -1, pre = -1; /* pre: slot left parked by the last reply */

	kc_rt_thread_buf(1); /* results without the shared pool (falls back to it on failure) */
	while (!atomic_load(&h->shutdown)) {
		int64_t si = pre >= 0 ? -1 : kc_ring_pop(r);
		uint64_t end, budget;
		unsigned n = 0;
		uint32_t seq;
		int spin;

		budget = atomic_load_explicit(&rt->ring_spin_cur, memory_order_relaxed);
		spin = budget || rt->o.busy_poll;
		if (si >= 0) {
			pre = serve(rt, c, si, &last, spin);
			continue;
		}
		if (spin) {
			int64_t pslot = pre;
			struct kc_slot *ps = NULL;
			uint32_t one;
			int timed_out = 0, claimed = 0;

			/* While we count as a spinner the kernel half's caller spins for its
			 * reply instead of sleeping. So pop while still counted, and mark the
			 * popped chain's slot awake before we stop counting: otherwise the
			 * caller sees neither, goes to sleep, and every busy round trip pays a
			 * futex wait and a futex wake. */
			if (pre >= 0)
				ps = kc_chan_slot(c->base, &rt->g, (uint32_t)pre);
			atomic_fetch_add(&r->spinners, 1);
			pre = -1;
			end = 0; /* read the clock only once the spin has gone on for a while */
			for (;;) {
				if (ps && atomic_load_explicit(&ps->turn, memory_order_acquire) ==
					      (KC_TURN_USER | KC_TURN_CLAIMED)) {
					claimed = 1;
					break;
				}
				if (atomic_load_explicit(&r->head, memory_order_relaxed) !=
				    atomic_load_explicit(&r->tail, memory_order_relaxed)) {
					si = kc_ring_pop(r);
					if (si >= 0)
						break;
				}
				if (atomic_load_explicit(&h->shutdown, memory_order_relaxed))
					break;
				kc_os_cpu_relax();
				if ((++n & 1023) == 0)
					kc_os_yield(); /* let a caller sharing our CPU run */
				if ((n & 63) != 0 || rt->o.busy_poll)
					continue;
				if (!end) {
					end = kc_os_now_ns() + budget;
				} else if (kc_os_now_ns() > end) {
					timed_out = 1;
					break;
				}
			}
			if (ps && !claimed) {
				one = KC_TURN_KERNEL | KC_TURN_PARKED;
				if (atomic_compare_exchange_strong(&ps->turn, &one, KC_TURN_KERNEL))
					atomic_store(&ps->awake[KC_SIDE_USER].v, 0);
				else
					claimed = 1; /* claimed while we were leaving */
			}
			/* claimed: the worker stayed awake on the slot (store only when needed:
			 * the caller reads that line) */
			if (claimed && !atomic_load_explicit(&ps->awake[KC_SIDE_USER].v,
							     memory_order_relaxed))
				atomic_store(&ps->awake[KC_SIDE_USER].v, 1);
			if (si >= 0 && si < rt->g.nk) {
				struct kc_slot *s = kc_chan_slot(c->base, &rt->g, (uint32_t)si);

				atomic_store(&s->awake[KC_SIDE_USER].v, 1);
			}
			atomic_fetch_sub(&r->spinners, 1);
			if (!rt->o.busy_poll)
				kc_spin_feedback(&rt->ring_spin_cur, rt->spin_ns, budget,
						 !timed_out);
			if (claimed && si >= 0) {
				serve(rt, c, pslot, &last, 0);
				pre = serve(rt, c, si, &last, 1);
			} else if (claimed) {
				pre = serve(rt, c, pslot, &last, 1);
			} else if (si >= 0) {
				pre = serve(rt, c, si, &last, 1);
			}
			if (claimed || si >= 0 || atomic_load(&r->head) != atomic_load(&r->tail))
				continue;
		} else if (pre >= 0) {
			/* parked, but no longer meant to spin: leave, or serve a claim */
			int64_t pslot = pre;
			struct kc_slot *ps = kc_chan_slot(c->base, &rt->g, (uint32_t)pre);
			uint32_t one = KC_TURN_KERNEL | KC_TURN_PARKED;

			pre = -1;
			if (!atomic_compare_exchange_strong(&ps->turn, &one, KC_TURN_KERNEL)) {
				serve(rt, c, pslot, &last, 0);
				continue;
			}
			atomic_store(&ps->awake[KC_SIDE_USER].v, 0);
		}
		seq = atomic_load(&r->seq);
		atomic_fetch_add(&r->sleepers, 1);
		if (atomic_load(&r->head) == atomic_load(&r->tail) && !atomic_load(&h->shutdown))
			kc_os_futex_wait((uint32_t *)&r->seq, seq, 100000000ull);
		atomic_fetch_sub(&r->sleepers, 1);
	}
	kc_rt_thread_buf(0);
	return NULL;
}

/* Device regions: the descriptor DMA regions are mapped from ($KCUT_RT_SHARE_FD, set by the
 * kernel half's spawn) and the environment's overrides of the access options. */
static int device_env(struct kc_rt *rt, struct kc_err *err)
{
	const char *sv = getenv("KCUT_RT_SHARE_FD"), *acc = getenv("KCUT_DEVICE_ACCESS");
	const char *np = getenv("KCUT_IO_NO_POSTING");
	char *end;

	if (sv && *sv) {
		if (strtol(sv, &end, 10) != KC_OS_CHILD_FD4 || *end ||
		    fcntl(KC_OS_CHILD_FD4, F_SETFD, FD_CLOEXEC) != 0)
			return kc_err_set(err, KC_EIO, "bad $KCUT_RT_SHARE_FD '%s'", sv);
		rt->share_fd = KC_OS_CHILD_FD4;
	}
	if (acc && *acc) {
		if (!strcmp(acc, "forward"))
			rt->o.access = KC_ACCESS_FORWARD;
		else if (!strcmp(acc, "mapped"))
			rt->o.access = KC_ACCESS_MAPPED;
		else
			return kc_err_set(err, KC_EINVAL,
					  "$KCUT_DEVICE_ACCESS is '%s': expected forward or mapped", acc);
	}
	if (np && *np)
		rt->o.no_posting = strcmp(np, "0") != 0;
	return 0;
}

int kc_rt_user_open(struct kc_rt **out, const struct kc_rt_opts *o, struct kc_err *err)
{
	struct kc_rt *rt;
	struct kc_conn *c;
	const char *fdvar = getenv("KCUT_RT_FD"), *kbvar = getenv("KCUT_RT_KBULK_FD");
	char *end;
	long fd;
	int rc;

	*out = NULL;
	if (!fdvar || !*fdvar)
		return kc_err_set(err, KC_EINVAL, "not started by a kernel half ($KCUT_RT_FD unset)");
	fd = strtol(fdvar, &end, 10);
	if (*end || fd < 0 || fd > INT_MAX)
		return kc_err_set(err, KC_EINVAL, "bad $KCUT_RT_FD '%s'", fdvar);
	kc_os_die_with_parent();
	rc = kc_rt__setup(&rt, KC_SIDE_USER, o, err);
	if (rc)
		return rc;
	c = kc_os_zalloc(sizeof(*c));
	if (!c) {
		kc_rt__free(rt);
		return kc_err_set(err, KC_ENOMEM, "runtime: out of memory");
	}
	atomic_store(&c->refs, 1);
	c->memfd = (int)fd;
	c->pidfd = -1;
	rc = kc_os_shm_attach(&c->base, &c->size, c->memfd);
	if (!rc)
		rc = kc_chan_geom_read(&rt->g, c->base, c->size);
	if (!rc) {
		c->region_id = ((struct kc_chan_hdr *)c->base)->region_id;
		rt->kbulk_id = ((struct kc_chan_hdr *)c->base)->kbulk_id;
	}
	/* the kernel's by-reference buffers: read-only here (the memfd is sealed) */
	if (!rc && (!kbvar || strtol(kbvar, &end, 10) != KC_OS_CHILD_FD2 || *end ||
		    kc_os_shm_attach_ro(&rt->kbulk, KC_BULK_HALF, KC_OS_CHILD_FD2))) {
		rt->conn = c;
		kc_rt__free(rt);
		return kc_err_set(err, KC_EIO, "cannot map the kernel half's by-reference area "
				  "($KCUT_RT_KBULK_FD '%s')", kbvar ? kbvar : "unset");
	}
	rt->conn = c;
	if (rc) {
		kc_rt__free(rt);
		return kc_err_set(err, rc < 0 && rc > -20 ? KC_EIO : KC_EPARSE, "cannot attach to the kernel half's region");
	}
	rc = device_env(rt, err);
	if (rc) {
		kc_rt__free(rt);
		return rc;
	}
	kc_io__attach(rt);
	*out = rt;
	return 0;
}

int kc_rt_user_run(struct kc_rt *rt)
{
	struct kc_chan_hdr *h;
	unsigned i;

	if (rt->side != KC_SIDE_USER || !rt->conn)
		return KC_EINVAL;
	h = rt->conn->base;
	rt->workers = kc_os_zalloc(rt->o.nworkers * sizeof(*rt->workers));
	if (!rt->workers)
		return KC_ENOMEM;
	for (i = 0; i < rt->o.nworkers; i++) {
		if (kc_os_thread_start(&rt->workers[i], worker_main, rt))
			break;
		rt->nworkers++;
	}
	if (!rt->nworkers)
		return KC_ENOMEM;
	atomic_store(&h->ready, 1);
	kc_os_futex_wake((uint32_t *)&h->ready, INT_MAX);
	while (!atomic_load(&h->shutdown))
		kc_os_futex_wait((uint32_t *)&h->shutdown, 0, 200000000ull);
	for (i = 0; i < rt->nworkers; i++)
		kc_os_thread_join(rt->workers[i]);
	rt->nworkers = 0;
	return 0;
}
