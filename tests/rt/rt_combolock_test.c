/*
 * rt_combolock_test.c - combolocks (rt/combolock.h; issue 13: a lock both halves can hold, for
 * simsnd's reg_lock): the kernel side's lock waits while the user half holds it, atomic-context
 * work is deferred to the user half's release (once per (fn, arg)), the user half's take and
 * release are served as the runtime's own downcall (driven here directly, as the user half's
 * messages would arrive), a user half that holds too long or dies loses the lock, and every bad
 * request (release of a lock not held, unknown or freed ids, bad operations, truncated or
 * extended messages) is refused without touching the lock.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "combolock.h"
#include "kc_test.h"
#include "rt_internal.h"

/* the kernel lock: a mutex standing for the driver's spinlock, with its holder counted */
struct klock {
	pthread_mutex_t m;
	atomic_int held;
};

static void k_lock(void *p)
{
	struct klock *l = p;

	pthread_mutex_lock(&l->m);
	atomic_store(&l->held, 1);
}

static void k_unlock(void *p)
{
	struct klock *l = p;

	atomic_store(&l->held, 0);
	pthread_mutex_unlock(&l->m);
}

static const struct kc_combolock_ops kops = { k_lock, k_unlock };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct kc_rt *kernel_only(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = NULL;

	if (kc_rt__setup(&rt, KC_SIDE_KERNEL, &o, &err))
		fprintf(stderr, "setup: %s\n", err.msg);
	return rt;
}

/* A message of the user half: op, id, then extra words; the handler's code. */
static int user_msg(struct kc_rt *rt, int nwords, uint32_t op, uint32_t id, uint32_t extra)
{
	uint8_t buf[64], rbuf[64];
	struct kc_xdr a, r;

	kc_xdr_init_enc(&a, buf, sizeof(buf));
	if (nwords >= 1)
		kc_xdr_put_u32(&a, op);
	if (nwords >= 2)
		kc_xdr_put_u32(&a, id);
	if (nwords >= 3)
		kc_xdr_put_u32(&a, extra);
	kc_xdr_init_dec(&a, buf, kc_xdr_pos(&a));
	kc_xdr_init_enc(&r, rbuf, sizeof(rbuf));
	return kc_combolock__handler(KC_RT_FN_COMBOLOCK)(rt, &a, &r);
}

static int acquire(struct kc_rt *rt, uint32_t id)
{
	return user_msg(rt, 2, 1, id, 0);
}

static int release(struct kc_rt *rt, uint32_t id)
{
	return user_msg(rt, 2, 2, id, 0);
}

/* ---- a kernel thread taking the lock in process context ---- */

struct taker {
	struct kc_rt *rt;
	struct kc_combolock *cl;
	atomic_int got;
	uint64_t at_ms;
};

static void *take(void *p)
{
	struct taker *t = p;

	kc_combolock_lock(t->rt, t->cl);
	t->at_ms = now_ms();
	atomic_store(&t->got, 1);
	kc_combolock_unlock(t->cl);
	return NULL;
}

/* ---- deferred work ---- */

static atomic_int ran[4];
static atomic_int ran_locked; /* a deferred work could not take the kernel lock: it must */
static struct klock *watch;

/*
 * What a deferred atomic section does: take the kernel lock itself. The runtime runs deferred
 * works without the kernel lock (a work run under it would wait for ever: counted after 2 s of
 * trying); a kernel thread of process context that got the combolock at the same release may
 * hold it for a moment, which is allowed (the work waits for it, as a spinlock would).
 */
static void take_watch(void)
{
	int i;

	if (!watch)
		return;
	for (i = 0; i < 2000; i++) {
		if (!pthread_mutex_trylock(&watch->m)) {
			atomic_store(&watch->held, 1);
			atomic_store(&watch->held, 0);
			pthread_mutex_unlock(&watch->m);
			return;
		}
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	atomic_fetch_add(&ran_locked, 1);
}

static void work(void *arg)
{
	int i = (int)(intptr_t)arg;

	take_watch();
	atomic_fetch_add(&ran[i], 1);
}

static void test_waits_and_defers(void)
{
	static struct klock l = { PTHREAD_MUTEX_INITIALIZER, 0 };
	struct kc_rt *rt = kernel_only();
	struct kc_combolock *cl, *cl2;
	uint32_t id, id2;
	struct taker t = { 0 };
	pthread_t th;
	uint64_t rel;
	int i;

	KC_REQUIRE(rt);
	watch = &l;
	KC_CHECK_EQ_INT(kc_combolock_new(rt, &cl, &id, NULL, &l), KC_EINVAL);
	KC_CHECK_EQ_INT(kc_combolock_new(rt, &cl, &id, &kops, NULL), KC_EINVAL);
	KC_REQUIRE(kc_combolock_new(rt, &cl, &id, &kops, &l) == 0);
	KC_REQUIRE(kc_combolock_new(rt, &cl2, &id2, &kops, &l) == 0);
	KC_CHECK(id != 0 && id2 != 0 && id != id2);

	/* nobody holds it: the kernel takes it as a spinlock; atomic context too */
	kc_combolock_lock(rt, cl);
	KC_CHECK_EQ_INT(atomic_load(&l.held), 1);
	kc_combolock_unlock(cl);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, work, (void *)0), 0);
	KC_CHECK_EQ_INT(atomic_load(&l.held), 1);
	kc_combolock_unlock(cl);

	/* the user half holds it: the kernel lock itself is free (never held across a crossing) */
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	KC_CHECK_EQ_INT(atomic_load(&l.held), 0);
	/* process context waits ... */
	t.rt = rt;
	t.cl = cl;
	KC_REQUIRE(pthread_create(&th, NULL, take, &t) == 0);
	/* ... atomic context defers, once per (fn, arg) */
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, work, (void *)0), KC_COMBOLOCK_DEFERRED);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, work, (void *)0), KC_COMBOLOCK_DEFERRED);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, work, (void *)1), KC_COMBOLOCK_DEFERRED);
	struct timespec ts = { 0, 100000000 };
	nanosleep(&ts, NULL);
	KC_CHECK_EQ_INT(atomic_load(&t.got), 0);
	KC_CHECK_EQ_INT(atomic_load(&ran[0]) + atomic_load(&ran[1]), 0);
	/* the other combolock is not affected */
	kc_combolock_lock(rt, cl2);
	kc_combolock_unlock(cl2);
	rel = now_ms();
	KC_CHECK_EQ_INT(release(rt, id), 0);
	pthread_join(th, NULL);
	KC_CHECK_EQ_INT(atomic_load(&t.got), 1);
	KC_CHECK(t.at_ms >= rel);
	KC_CHECK_EQ_INT(atomic_load(&ran[0]), 1);
	KC_CHECK_EQ_INT(atomic_load(&ran[1]), 1);
	KC_CHECK_EQ_INT(atomic_load(&ran_locked), 0);

	/* deferred again and again while held (an interrupt per period): each (fn, arg) runs once */
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	for (i = 0; i < 4 * (int)KC_COMBOLOCK_DEFER; i++)
		KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, work, (void *)(intptr_t)(2 + (i & 1))),
				KC_COMBOLOCK_DEFERRED);
	KC_CHECK_EQ_INT(release(rt, id), 0);
	KC_CHECK_EQ_INT(atomic_load(&ran[2]), 1);
	KC_CHECK_EQ_INT(atomic_load(&ran[3]), 1);
	kc_combolock_free(rt, cl);
	kc_combolock_free(rt, cl2);
	watch = NULL;
	kc_rt__free(rt);
}

static void work_n(void *arg)
{
	(void)arg;
}

static void test_defer_full(void)
{
	static struct klock l = { PTHREAD_MUTEX_INITIALIZER, 0 };
	static char args[KC_COMBOLOCK_DEFER + 1];
	struct kc_rt *rt = kernel_only();
	struct kc_combolock *cl;
	uint32_t id, i;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_combolock_new(rt, &cl, &id, &kops, &l) == 0);
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	for (i = 0; i < KC_COMBOLOCK_DEFER; i++)
		KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, work_n, &args[i]), KC_COMBOLOCK_DEFERRED);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, work_n, &args[KC_COMBOLOCK_DEFER]), KC_ENOMEM);
	KC_CHECK_EQ_INT(atomic_load(&l.held), 0);
	KC_CHECK_EQ_INT(release(rt, id), 0);
	kc_combolock_free(rt, cl);
	kc_rt__free(rt);
}

static uint32_t sync_id;

/* ---- deferred calls (every call, in order, with its data) and the sync ---- */

struct rec {
	atomic_int n;
	uint32_t seen[KC_COMBOLOCK_DEFER * 2];
};

static struct rec rec;

static void call_rec(void *arg, const void *data)
{
	uint32_t v;

	memcpy(&v, data, sizeof(v));
	take_watch();
	rec.seen[atomic_fetch_add(&rec.n, 1)] = v + (uint32_t)(uintptr_t)arg;
}

static void level_rec(void *arg)
{
	rec.seen[atomic_fetch_add(&rec.n, 1)] = 1000u + (uint32_t)(uintptr_t)arg;
}

static void test_defer_calls(void)
{
	static struct klock l = { PTHREAD_MUTEX_INITIALIZER, 0 };
	uint8_t big[KC_COMBOLOCK_DATA + 1] = { 0 };
	struct kc_rt *rt = kernel_only();
	struct kc_combolock *cl;
	uint32_t id, v;
	int i;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_combolock_new(rt, &cl, &id, &kops, &l) == 0);
	watch = &l;
	memset(&rec, 0, sizeof(rec));
	/* free: taken at once, nothing queued */
	v = 7;
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_rec, NULL, &v, sizeof(v)), 0);
	KC_CHECK_EQ_INT(atomic_load(&l.held), 1);
	kc_combolock_unlock(cl);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_rec, NULL, big, sizeof(big)), KC_EINVAL);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, NULL, NULL, &v, sizeof(v)), KC_EINVAL);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_rec, NULL, NULL, 4), KC_EINVAL);
	KC_CHECK_EQ_INT(atomic_load(&l.held), 0);
	/* held by the user half: START (1), a level (twice: once), STOP (2), START (1) again, each
	 * call kept, in call order, with the data it had when it was deferred */
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	v = 1;
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_rec, NULL, &v, sizeof(v)), KC_COMBOLOCK_DEFERRED);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, level_rec, (void *)5), KC_COMBOLOCK_DEFERRED);
	v = 2;
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_rec, NULL, &v, sizeof(v)), KC_COMBOLOCK_DEFERRED);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, level_rec, (void *)5), KC_COMBOLOCK_DEFERRED);
	v = 1;
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_rec, (void *)10, &v, sizeof(v)),
			KC_COMBOLOCK_DEFERRED);
	v = 99; /* the copy was taken: changing v now changes nothing */
	KC_CHECK_EQ_INT(atomic_load(&rec.n), 0);
	KC_CHECK_EQ_INT(release(rt, id), 0);
	KC_CHECK_EQ_INT(atomic_load(&rec.n), 4);
	KC_CHECK_EQ_INT(rec.seen[0], 1);
	KC_CHECK_EQ_INT(rec.seen[1], 1005);
	KC_CHECK_EQ_INT(rec.seen[2], 2);
	KC_CHECK_EQ_INT(rec.seen[3], 11);
	KC_CHECK_EQ_INT(atomic_load(&ran_locked), 0);
	/* full: calls count against KC_COMBOLOCK_DEFER like levels */
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	for (i = 0; i < (int)KC_COMBOLOCK_DEFER; i++)
		KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_rec, NULL, &v, sizeof(v)),
				KC_COMBOLOCK_DEFERRED);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_rec, NULL, &v, sizeof(v)), KC_ENOMEM);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, level_rec, (void *)6), KC_ENOMEM);
	KC_CHECK_EQ_INT(release(rt, id), 0);
	KC_CHECK_EQ_INT(atomic_load(&rec.n), 4 + (int)KC_COMBOLOCK_DEFER);
	watch = NULL;
	kc_combolock_free(rt, cl);
	kc_rt__free(rt);
}

/* a deferred call that takes its time, and a kernel thread syncing meanwhile */
static atomic_int slow_done;

static void call_slow(void *arg, const void *data)
{
	struct timespec ts = { 0, 150000000 };

	(void)arg;
	(void)data;
	nanosleep(&ts, NULL);
	atomic_store(&slow_done, 1);
}

struct syncer {
	struct kc_rt *rt;
	struct kc_combolock *cl;
	atomic_int back;
	int done_seen; /* the slow call had finished when the sync returned */
};

static void *do_sync(void *p)
{
	struct syncer *s = p;

	kc_combolock_sync(s->rt, s->cl);
	s->done_seen = atomic_load(&slow_done);
	atomic_store(&s->back, 1);
	return NULL;
}

static void *do_release(void *p)
{
	struct syncer *s = p;

	(void)release(s->rt, s->cl ? sync_id : 0);
	return NULL;
}

static void test_sync(void)
{
	static struct klock l = { PTHREAD_MUTEX_INITIALIZER, 0 };
	struct kc_rt *rt = kernel_only();
	struct kc_combolock *cl;
	struct syncer s = { 0 }, r = { 0 };
	struct timespec ts = { 0, 100000000 };
	pthread_t th, rth;
	uint32_t id;
	uint64_t t0;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_combolock_new(rt, &cl, &id, &kops, &l) == 0);
	/* free: returns at once, the lock not held */
	kc_combolock_sync(rt, cl);
	KC_CHECK_EQ_INT(atomic_load(&l.held), 0);
	/* held with a slow deferred call: the sync returns only once the call is done, although the
	 * kernel lock is free (and takeable) while the call runs */
	atomic_store(&slow_done, 0);
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer_call(rt, cl, call_slow, NULL, NULL, 0), KC_COMBOLOCK_DEFERRED);
	s.rt = rt;
	s.cl = cl;
	KC_REQUIRE(pthread_create(&th, NULL, do_sync, &s) == 0);
	nanosleep(&ts, NULL);
	KC_CHECK_EQ_INT(atomic_load(&s.back), 0);
	r.rt = rt;
	r.cl = cl;
	sync_id = id;
	KC_REQUIRE(pthread_create(&rth, NULL, do_release, &r) == 0);
	pthread_join(th, NULL);
	pthread_join(rth, NULL);
	KC_CHECK_EQ_INT(atomic_load(&s.back), 1);
	KC_CHECK_EQ_INT(s.done_seen, 1);
	/* a user half that never releases: the sync takes it back after the hold limit */
	kc_combolock_set_hold_ms(rt, 100);
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	t0 = now_ms();
	kc_combolock_sync(rt, cl);
	KC_CHECK(now_ms() - t0 >= 100);
	KC_CHECK_EQ_INT(release(rt, id), KC_RT_EPROTO); /* lost it */
	kc_combolock_free(rt, cl);
	kc_rt__free(rt);
}

/* what a hostile user half can send */
static void test_refusals(void)
{
	static struct klock l = { PTHREAD_MUTEX_INITIALIZER, 0 };
	struct kc_rt *rt = kernel_only();
	struct kc_combolock *cl, *gone;
	uint32_t id, gid;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_combolock_new(rt, &cl, &id, &kops, &l) == 0);
	KC_REQUIRE(kc_combolock_new(rt, &gone, &gid, &kops, &l) == 0);
	kc_combolock_free(rt, gone);
	KC_CHECK_EQ_INT(release(rt, id), KC_RT_EPROTO);       /* not held */
	KC_CHECK_EQ_INT(acquire(rt, 0), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(acquire(rt, id + 1), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(acquire(rt, id ^ 0x100), KC_RT_EPROTO); /* same slot, other generation */
	KC_CHECK_EQ_INT(acquire(rt, gid), KC_RT_EPROTO);       /* freed */
	KC_CHECK_EQ_INT(user_msg(rt, 2, 3, id, 0), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(user_msg(rt, 2, 0, id, 0), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(user_msg(rt, 1, 1, id, 0), KC_RT_EPROTO); /* truncated */
	KC_CHECK_EQ_INT(user_msg(rt, 3, 1, id, 7), KC_RT_EPROTO); /* extended */
	/* none of it took the lock */
	kc_combolock_lock(rt, cl);
	kc_combolock_unlock(cl);
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	KC_CHECK_EQ_INT(release(rt, id), 0);
	KC_CHECK_EQ_INT(release(rt, id), KC_RT_EPROTO); /* twice */
	kc_combolock_free(rt, cl);
	kc_rt__free(rt);
}

/* a user half that holds too long loses the lock; one that dies loses all it held */
static void test_hold_limit_and_death(void)
{
	static struct klock l = { PTHREAD_MUTEX_INITIALIZER, 0 };
	struct kc_rt *rt = kernel_only();
	struct kc_combolock *cl, *cl2;
	uint32_t id, id2;
	uint64_t t0, took;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_combolock_new(rt, &cl, &id, &kops, &l) == 0);
	KC_REQUIRE(kc_combolock_new(rt, &cl2, &id2, &kops, &l) == 0);
	kc_combolock_set_hold_ms(rt, 200);
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	t0 = now_ms();
	kc_combolock_lock(rt, cl); /* waits the hold limit, then takes it back */
	took = now_ms() - t0;
	kc_combolock_unlock(cl);
	KC_CHECK(took >= 150 && took < 3000);
	KC_CHECK_EQ_INT(release(rt, id), KC_RT_EPROTO); /* it no longer holds it */

	/* death: both released, the deferred work runs, the kernel takes them at once */
	atomic_store(&ran[0], 0);
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	KC_CHECK_EQ_INT(acquire(rt, id2), 0);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl2, work, (void *)0), KC_COMBOLOCK_DEFERRED);
	kc_combolock__user_gone(rt);
	KC_CHECK_EQ_INT(atomic_load(&ran[0]), 1);
	t0 = now_ms();
	kc_combolock_lock(rt, cl);
	kc_combolock_unlock(cl);
	kc_combolock_lock(rt, cl2);
	kc_combolock_unlock(cl2);
	KC_CHECK(now_ms() - t0 < 100);
	/* freeing a lock the user half holds gives it back (and runs what was deferred) */
	atomic_store(&ran[1], 0);
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	KC_CHECK_EQ_INT(kc_combolock_lock_or_defer(rt, cl, work, (void *)1), KC_COMBOLOCK_DEFERRED);
	kc_combolock_free(rt, cl);
	KC_CHECK_EQ_INT(atomic_load(&ran[1]), 1);
	KC_CHECK_EQ_INT(release(rt, id), KC_RT_EPROTO);
	kc_combolock_free(rt, cl2);
	kc_rt__free(rt);
}

/* two threads of the user half: the second waits for the first */
struct uthread {
	struct kc_rt *rt;
	uint32_t id;
	int rc;
	uint64_t at_ms;
};

static void *uacquire(void *p)
{
	struct uthread *u = p;

	u->rc = acquire(u->rt, u->id);
	u->at_ms = now_ms();
	return NULL;
}

static void test_user_contention(void)
{
	static struct klock l = { PTHREAD_MUTEX_INITIALIZER, 0 };
	struct kc_rt *rt = kernel_only();
	struct kc_combolock *cl;
	struct uthread u = { 0 };
	struct timespec ts = { 0, 100000000 };
	pthread_t th;
	uint32_t id;
	uint64_t rel;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_combolock_new(rt, &cl, &id, &kops, &l) == 0);
	KC_CHECK_EQ_INT(acquire(rt, id), 0);
	u.rt = rt;
	u.id = id;
	u.rc = -1;
	KC_REQUIRE(pthread_create(&th, NULL, uacquire, &u) == 0);
	nanosleep(&ts, NULL);
	rel = now_ms();
	KC_CHECK_EQ_INT(release(rt, id), 0);
	pthread_join(th, NULL);
	KC_CHECK_EQ_INT(u.rc, 0);
	KC_CHECK(u.at_ms >= rel);
	KC_CHECK_EQ_INT(release(rt, id), 0);
	kc_combolock_free(rt, cl);
	kc_rt__free(rt);
}

int main(void)
{
	KC_RUN(test_waits_and_defers);
	KC_RUN(test_defer_full);
	KC_RUN(test_defer_calls);
	KC_RUN(test_sync);
	KC_RUN(test_refusals);
	KC_RUN(test_hold_limit_and_death);
	KC_RUN(test_user_contention);
	return kc_test_done();
}
