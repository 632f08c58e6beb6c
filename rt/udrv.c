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

#include <limits.h>
#include <stdlib.h>
#include <string.h>


/* A worker: pop a slot from the request ring and serve that chain to its end; when the ring is
 * empty spin (spin_us, or forever with busy_poll), then sleep on the ring's futex word (100 ms
 * slices, so shutdown is noticed even without a wake-up). Returns at shutdown. */
static void *worker_main(void *arg)
{
	struct kc_rt *rt = arg;
	struct kc_conn *c = rt->conn;
	struct kc_chan_hdr *h = c->base;
	struct kc_ring *r = &h->up;

	while (!atomic_load(&h->shutdown)) {
		int64_t si = kc_ring_pop(r);
		uint64_t end, budget;
		unsigned n = 0;
		uint32_t seq;

		if (si >= 0) {
			if (si < rt->g.nk)
				kc_rt_serve_chain(rt, c, (uint32_t)si);
			continue;
		}
		budget = atomic_load_explicit(&rt->ring_spin_cur, memory_order_relaxed);
		if (budget || rt->o.busy_poll) {
			int timed_out = 0;

			atomic_fetch_add(&r->spinners, 1);
			end = kc_os_now_ns() + budget;
			while (atomic_load_explicit(&r->head, memory_order_relaxed) ==
				       atomic_load_explicit(&r->tail, memory_order_relaxed) &&
			       !atomic_load_explicit(&h->shutdown, memory_order_relaxed)) {
				kc_os_cpu_relax();
				if ((++n & 63) == 0 && !rt->o.busy_poll && kc_os_now_ns() > end) {
					timed_out = 1;
					break;
				}
			}
			atomic_fetch_sub(&r->spinners, 1);
			if (!rt->o.busy_poll)
				kc_spin_feedback(&rt->ring_spin_cur, rt->spin_ns, budget, !timed_out);
			if (atomic_load(&r->head) != atomic_load(&r->tail))
				continue;
		}
		seq = atomic_load(&r->seq);
		atomic_fetch_add(&r->sleepers, 1);
		if (atomic_load(&r->head) == atomic_load(&r->tail) && !atomic_load(&h->shutdown))
			kc_os_futex_wait((uint32_t *)&r->seq, seq, 100000000ull);
		atomic_fetch_sub(&r->sleepers, 1);
	}
	return NULL;
}

int kc_rt_user_open(struct kc_rt **out, const struct kc_rt_opts *o, struct kc_err *err)
{
	struct kc_rt *rt;
	struct kc_conn *c;
	const char *fdvar = getenv("KCUT_RT_FD");
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
	if (!rc)
		c->region_id = ((struct kc_chan_hdr *)c->base)->region_id;
	rt->conn = c;
	if (rc) {
		kc_rt__free(rt);
		return kc_err_set(err, rc < 0 && rc > -20 ? KC_EIO : KC_EPARSE, "cannot attach to the kernel half's region");
	}
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
