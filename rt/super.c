/*
 * super.c - the kernel half's side of the runtime: start-up, the supervisor thread that spawns
 * and watches the user half, and the server threads that take chains the user half starts.
 *
 * The supervisor owns the user-half process. For each incarnation it creates a fresh shared
 * region (so nothing a crashed process left behind is reused), spawns the program, waits until
 * it says it is ready, publishes it, and then sleeps on the process's pidfd. When the process
 * exits, or a caller kills it (call timeout, protocol fault), every pending call fails at once
 * (kc_conn_kill), new calls fail fast with KC_RT_EDOWN, and after a backoff delay (doubling
 * while the process keeps dying young) a new incarnation starts and the recovery hook runs.
 * Callers never wait for the supervisor; all waits on the user half are bounded.
 */
#include "combolock.h"
#include "objt_internal.h"
#include "rt_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* $KCUT_RT_DEBUG set: the supervisor logs its decisions to stderr. */
static void dbg(struct kc_rt *rt, const char *what, unsigned inc, const char *detail)
{
	static int on = -1;

	if (on < 0)
		on = getenv("KCUT_RT_DEBUG") != NULL;
	if (on)
		fprintf(stderr, "kcut-rt: %.3f %s #%u %s\n", (double)kc_os_now_ns() / 1e9, what, inc,
			detail ? detail : "");
	(void)rt;
}

static void set_fault(struct kc_rt *rt, const char *fmt, const char *a, const char *b)
{
	kc_os_lock(rt->lock);
	snprintf(rt->last_fault, sizeof(rt->last_fault), fmt, a, b);
	kc_os_unlock(rt->lock);
}

/* Start one incarnation; 0 and *out referenced once, or a negative code (reason in
 * last_fault). */
static int spawn_one(struct kc_rt *rt, struct kc_conn **out)
{
	char *const defargv[] = { (char *)rt->o.user_path, NULL };
	struct kc_conn *c;
	struct kc_chan_hdr *h;
	uint64_t deadline;
	char status[64];
	int rc;

	*out = NULL;
	c = kc_os_zalloc(sizeof(*c));
	if (!c)
		return KC_ENOMEM;
	atomic_store(&c->refs, 1);
	c->memfd = c->pidfd = -1;
	rc = kc_os_shm_create(&c->memfd, &c->base, rt->g.size);
	if (rc) {
		set_fault(rt, "cannot create the shared region: %s%s", strerror(-rc), "");
		kc_os_free(c);
		return KC_EIO;
	}
	c->size = rt->g.size;
	kc_chan_init(c->base, &rt->g);
	h = c->base;
	c->region_id = (uint32_t)(kc_os_now_ns() * 2654435761u) ^ ((uint32_t)(uintptr_t)c >> 4);
	if (!c->region_id)
		c->region_id = 1;
	h->region_id = c->region_id;
	h->kbulk_id = rt->kbulk_id;
	rc = kc_os_spawn(&c->pid, &c->pidfd, rt->o.user_path,
			 rt->o.user_argv ? rt->o.user_argv : defargv, c->memfd, rt->kbulk_fd,
			 rt->o.share_fd);
	if (rc) {
		set_fault(rt, "cannot start %s: %s", rt->o.user_path, strerror(-rc));
		kc_conn_put(rt, c);
		return KC_EIO;
	}
	deadline = kc_os_now_ns() + (uint64_t)rt->o.ready_timeout_ms * 1000000ull;
	while (!atomic_load(&h->ready)) {
		if (kc_os_watch(c->pidfd, -1, 0) == 1) {
			kc_os_reap(c->pid, status, sizeof(status));
			set_fault(rt, "user half %s during start-up (%s)", "exited", status);
			c->pid = 0;
			kc_conn_put(rt, c);
			return KC_EIO;
		}
		if (kc_os_now_ns() > deadline || atomic_load(&rt->stopping)) {
			kc_os_kill(c->pid, c->pidfd);
			kc_os_reap(c->pid, status, sizeof(status));
			set_fault(rt, "user half %s (%s)", "not ready in time", status);
			kc_conn_put(rt, c);
			return KC_RT_ETIMEDOUT;
		}
		kc_os_futex_wait((uint32_t *)&h->ready, 0, 10000000ull);
	}
	c->incarnation = atomic_fetch_add(&rt->incarnations, 1) + 1;
	c->started_ns = kc_os_now_ns();
	dbg(rt, "ready", c->incarnation, NULL);
	*out = c;
	return 0;
}

/* Sleep ms milliseconds unless the runtime is being stopped. */
static void backoff_sleep(struct kc_rt *rt, unsigned ms)
{
	if (kc_os_watch(-1, rt->wake_fd, (int)ms) == 2)
		kc_os_event_drain(rt->wake_fd);
}

/* The supervisor thread: one iteration per incarnation (spawn, publish, hook, watch the pidfd,
 * reap, fail everything pending, back off) until kc_rt_close sets stopping; then the orderly
 * stop (shutdown word, stop_grace_ms grace, SIGKILL) and exit. */
static void *super_main(void *arg)
{
	struct kc_rt *rt = arg;
	unsigned backoff = rt->o.restart_min_ms;
	char status[64], why[160];
	int clean;

	while (!atomic_load(&rt->stopping)) {
		struct kc_conn *c = NULL;
		struct kc_chan_hdr *h;
		uint64_t last;
		int r;

		dbg(rt, "spawn", 0, NULL);
		if (spawn_one(rt, &c)) {
			dbg(rt, "spawn failed", 0, rt->last_fault);
			backoff_sleep(rt, backoff);
			backoff = backoff * 2 > rt->o.restart_max_ms ? rt->o.restart_max_ms
								     : backoff * 2;
			continue;
		}
		h = c->base;
		kc_os_lock(rt->lock);
		if (c->incarnation > 1 && rt->o.recover)
			atomic_store(&rt->recovering, 1); /* before anyone sees the new incarnation */
		rt->conn = c;
		kc_os_unlock(rt->lock);
		if (c->incarnation > 1 && rt->o.recover) {
			kc_rt__recovery_thread(1);
			rt->o.recover(rt, rt->o.recover_arg, c->incarnation);
			kc_rt__recovery_thread(0);
			atomic_store(&rt->recovering, 0);
		}
		last = kc_rt__chains(rt);
		for (;;) {
			r = kc_os_watch(c->pidfd, rt->wake_fd,
					rt->o.heartbeat_ms ? (int)rt->o.heartbeat_ms : -1);
			if (r == 1)
				break;
			if (r == 2) {
				kc_os_event_drain(rt->wake_fd);
				if (atomic_load(&rt->stopping))
					break;
			}
			if (r == 0) {
				/* heartbeat: no upcall for a while, so nothing would notice a
				 * user half that hangs while idle: ping it. A ping that is not
				 * answered in call_timeout_ms kills it; the pidfd then fires. */
				uint64_t now = kc_rt__chains(rt);

				if (now == last && !atomic_load(&c->dead)) {
					int prc = kc_rt__ping(rt);

					if (prc)
						dbg(rt, "ping failed", c->incarnation,
						    kc_rt_strerror(prc));
				}
				last = now;
			}
		}
		if (r != 1) {
			/* orderly stop: ask, then insist */
			atomic_store(&h->shutdown, 1);
			kc_os_futex_wake((uint32_t *)&h->shutdown, INT_MAX);
			atomic_fetch_add(&h->up.seq, 1);
			kc_os_futex_wake((uint32_t *)&h->up.seq, INT_MAX);
			if (kc_os_watch(c->pidfd, -1, (int)rt->o.stop_grace_ms) != 1)
				kc_os_kill(c->pid, c->pidfd);
		}
		clean = kc_os_reap(c->pid, status, sizeof(status)) == 0;
		snprintf(why, sizeof(why), "user half %s", status);
		if (r != 1)
			atomic_store(&rt->stop_clean, clean ? 1 : -1);
		if (getenv("KCUT_RT_DEBUG")) {
			kc_os_lock(rt->lock);
			dbg(rt, "last fault", c->incarnation, rt->last_fault);
			kc_os_unlock(rt->lock);
		}
		dbg(rt, "exited", c->incarnation, why);
		kc_conn_kill(rt, c, why);
		kc_combolock__user_gone(rt); /* what it held is the kernel's again */
		kc_os_lock(rt->lock);
		rt->conn = NULL;
		kc_os_unlock(rt->lock);
		if (kc_os_now_ns() - c->started_ns > 2000000000ull)
			backoff = rt->o.restart_min_ms;
		kc_conn_put(rt, c);
		if (atomic_load(&rt->stopping))
			break;
		backoff_sleep(rt, backoff);
		backoff = backoff * 2 > rt->o.restart_max_ms ? rt->o.restart_max_ms : backoff * 2;
	}
	return NULL;
}

/* A server thread: take chains the user half starts (downcalls not made on behalf of an
 * upcall) from the down ring and serve each to its end. KC_NSERVERS of them run, so up to that
 * many such chains are served at once (a kernel function that blocks does not hold up the
 * others); more wait in the ring. */
static void *server_main(void *arg)
{
	struct kc_rt *rt = arg;

	kc_rt_thread_buf(1); /* results without the shared pool (falls back to it on failure) */
	while (!atomic_load(&rt->stopping)) {
		struct kc_conn *c = kc_conn_get(rt);
		struct kc_chan_hdr *h;

		if (!c) {
			kc_os_sleep_ns(2000000ull);
			continue;
		}
		h = c->base;
		while (!atomic_load(&c->dead) && !atomic_load(&rt->stopping)) {
			int64_t si = kc_ring_pop(&h->down);
			uint32_t seq;

			if (si >= 0) {
				if (si < rt->g.nk || si >= rt->g.nk + rt->g.nu)
					kc_rt__fault(rt, c, "user half queued a slot it does not own");
				else if (atomic_exchange(&c->serving[si - rt->g.nk], 1))
					/* one slot, one chain: the user half queued a slot whose
					 * chain is being served (the same CALL would run twice) */
					kc_rt__fault(rt, c, "user half queued a slot being served");
				else if ((atomic_load_explicit(&kc_chan_slot(c->base, &rt->g, (uint32_t)si)->turn,
							       memory_order_acquire) & KC_TURN_MASK) != KC_TURN_KERNEL) {
					/* a user half hands the turn over before it queues the slot:
					 * a slot queued without a call in it (queued twice, its chain
					 * served already) would keep a server thread waiting until
					 * the call timeout */
					kc_rt__fault(rt, c, "user half queued a slot without a call in it");
					atomic_store(&c->serving[si - rt->g.nk], 0);
				} else {
					kc_rt_serve_chain(rt, c, (uint32_t)si);
				}
				continue;
			}
			seq = atomic_load(&h->down.seq);
			atomic_fetch_add(&h->down.sleepers, 1);
			if (atomic_load(&h->down.head) == atomic_load(&h->down.tail))
				kc_os_futex_wait((uint32_t *)&h->down.seq, seq, 50000000ull);
			atomic_fetch_sub(&h->down.sleepers, 1);
		}
		kc_conn_put(rt, c);
	}
	kc_rt_thread_buf(0);
	return NULL;
}

int kc_rt_wait_ready(struct kc_rt *rt, unsigned timeout_ms)
{
	uint64_t deadline = kc_os_now_ns() + (uint64_t)timeout_ms * 1000000ull;

	for (;;) {
		struct kc_conn *c = kc_conn_get(rt);

		if (c && !atomic_load(&rt->recovering)) {
			kc_conn_put(rt, c);
			return 0;
		}
		kc_conn_put(rt, c);
		if (kc_os_now_ns() >= deadline)
			return KC_RT_ETIMEDOUT;
		kc_os_sleep_ns(1000000ull);
	}
}

static void rt_free(struct kc_rt *rt)
{
	if (!rt)
		return;
	if (rt->conn)
		kc_conn_put(rt, rt->conn);
	kc_rt_pool_free(rt);
	kc_wire__free(rt);
	kc_objt_free(rt->objt);
	kc_trace_free(rt->trace);
	kc_os_free(rt->rel);
	kc_region__tab_free(rt);
	kc_combolock__tab_free(rt);
	kc_io__views_free(rt);
	kc_os_close(rt->wake_fd);
	kc_os_shm_unmap(rt->kbulk, KC_BULK_HALF);
	kc_os_close(rt->kbulk_fd);
	kc_os_mutex_free(rt->lock);
	kc_os_mutex_free(rt->free_lock);
	kc_os_free(rt->workers);
	kc_os_free(rt);
}

/* Fill defaults and check the options common to both sides. */
struct kc_wire_state *kc_rt__wire(struct kc_rt *rt)
{
	return &rt->wire;
}

struct kc_region_state *kc_rt__regions(struct kc_rt *rt)
{
	return &rt->reg;
}

struct kc_sync **kc_rt__sync(struct kc_rt *rt)
{
	return &rt->sync;
}

int kc_rt__setup(struct kc_rt **out, int side, const struct kc_rt_opts *o, struct kc_err *err)
{
	struct kc_rt *rt;
	int rc;

	*out = NULL;
	if (!o || o->version != KC_RT_OPTS_VERSION)
		return kc_err_set(err, KC_EINVAL, "runtime options: missing or of another version");
	if (o->nfns && !o->fns)
		return kc_err_set(err, KC_EINVAL, "runtime options: nfns without fns");
	rt = kc_os_zalloc(sizeof(*rt));
	if (!rt)
		return kc_err_set(err, KC_ENOMEM, "runtime: out of memory");
	rt->side = side;
	rt->o = *o;
	rt->wake_fd = -1;
	rt->kbulk_fd = -1;
	rt->share_fd = -1;
	if (!rt->o.call_timeout_ms)
		rt->o.call_timeout_ms = 5000;
	if (!rt->o.ready_timeout_ms)
		rt->o.ready_timeout_ms = 5000;
	if (!rt->o.restart_min_ms)
		rt->o.restart_min_ms = 10;
	if (!rt->o.restart_max_ms)
		rt->o.restart_max_ms = 2000;
	if (rt->o.restart_max_ms < rt->o.restart_min_ms)
		rt->o.restart_max_ms = rt->o.restart_min_ms;
	if (!rt->o.nworkers)
		rt->o.nworkers = 4;
	if (!rt->o.stop_grace_ms || rt->o.stop_grace_ms > INT_MAX)
		rt->o.stop_grace_ms = 1000;
	rt->spin_ns = (uint64_t)rt->o.spin_us * 1000ull;
	atomic_store(&rt->spin_cur, rt->spin_ns);
	atomic_store(&rt->ring_spin_cur, rt->spin_ns);
	kc_chan_geom_default(&rt->g);
	rt->lock = kc_os_mutex_new();
	rt->free_lock = kc_os_mutex_new();
	if (!rt->lock || !rt->free_lock) {
		rt_free(rt);
		return kc_err_set(err, KC_ENOMEM, "runtime: out of memory");
	}
	rt->wire.tables = rt->o.wire;
	rt->wire.kernel = side == KC_SIDE_KERNEL;
	rt->wire.lock = rt->lock;
	rt->wire.free_lock = rt->free_lock;
	rt->reg.kernel = side == KC_SIDE_KERNEL;
	rt->reg.access = rt->o.access;
	rt->reg.io = rt->o.io;
	rc = kc_objt_new(&rt->objt, side == KC_SIDE_USER, err);
	if (!rc && side == KC_SIDE_KERNEL)
		kc_objt_set_hooks(rt->objt, kc_rt__pins, NULL, rt); /* downcall handlers pin (rt.c) */
	if (!rc && rt->o.trace && side == KC_SIDE_KERNEL && kc_trace_new(&rt->trace))
		rc = kc_err_set(err, KC_ENOMEM, "runtime: out of memory");
	if (!rc && (side == KC_SIDE_KERNEL ? kc_region__tab_new(rt) || kc_combolock__tab_new(rt)
					   : kc_io__views_new(rt)))
		rc = kc_err_set(err, KC_ENOMEM, "runtime: out of memory");
	if (rc) {
		rt_free(rt);
		return rc;
	}
	*out = rt;
	return 0;
}

void kc_rt__free(struct kc_rt *rt)
{
	rt_free(rt);
}

int kc_rt_kernel_start(struct kc_rt **out, const struct kc_rt_opts *o, struct kc_err *err)
{
	struct kc_rt *rt;
	unsigned i;
	int rc;

	*out = NULL;
	if (o && !o->user_path)
		return kc_err_set(err, KC_EINVAL, "runtime options: no user-half program");
	rc = kc_rt__setup(&rt, KC_SIDE_KERNEL, o, err);
	if (rc)
		return rc;
	rt->wake_fd = kc_os_event_new();
	if (rt->wake_fd < 0) {
		rt_free(rt);
		return kc_err_set(err, KC_EIO, "runtime: eventfd: %s", strerror(errno));
	}
	rc = kc_os_shm_create_sealed(&rt->kbulk_fd, &rt->kbulk, KC_BULK_HALF);
	if (rc) {
		rt_free(rt);
		return kc_err_set(err, KC_EIO, "runtime: bulk area: %s", strerror(-rc));
	}
	rt->kbulk_id = (uint32_t)(kc_os_now_ns() * 2246822519u) ^ ((uint32_t)(uintptr_t)rt >> 4);
	if (!rt->kbulk_id)
		rt->kbulk_id = 1;
	rc = kc_os_thread_start(&rt->super, super_main, rt);
	for (i = 0; !rc && i < KC_NSERVERS; i++)
		rc = kc_os_thread_start(&rt->server[i], server_main, rt);
	if (rc) {
		kc_rt_close(rt);
		return kc_err_set(err, KC_ENOMEM, "runtime: cannot start threads");
	}
	if (kc_rt_wait_ready(rt, rt->o.ready_timeout_ms + 1000)) {
		char why[256];

		kc_os_lock(rt->lock);
		snprintf(why, sizeof(why), "%s", rt->last_fault[0] ? rt->last_fault : "not ready");
		kc_os_unlock(rt->lock);
		kc_rt_close(rt);
		return kc_err_set(err, KC_EIO, "runtime: user half did not start: %s", why);
	}
	*out = rt;
	return 0;
}

int kc_rt_close(struct kc_rt *rt)
{
	unsigned i;
	int rc = 0;

	if (!rt)
		return 0;
	if (rt->side == KC_SIDE_KERNEL) {
		atomic_store(&rt->stopping, 1);
		if (rt->wake_fd >= 0)
			kc_os_event_signal(rt->wake_fd);
		kc_os_thread_join(rt->super);
		for (i = 0; i < KC_NSERVERS; i++)
			kc_os_thread_join(rt->server[i]);
		if (atomic_load(&rt->stop_clean) < 0) {
			fprintf(stderr, "kcut-rt: %s at shutdown\n", rt->last_fault);
			rc = KC_EIO;
		}
	} else if (rt->conn) {
		struct kc_chan_hdr *h = rt->conn->base;

		atomic_store(&h->shutdown, 1);
		atomic_fetch_add(&h->up.seq, 1);
		kc_os_futex_wake((uint32_t *)&h->up.seq, INT_MAX);
		for (i = 0; i < rt->nworkers; i++)
			kc_os_thread_join(rt->workers[i]);
		rt->nworkers = 0;
	}
	rt_free(rt);
	return rc;
}
