/*
 * combolock.c - locks both halves can hold (combolock.h explains them): the kernel side's table,
 * the kernel half's lock / defer / unlock, the runtime-served downcall the user half takes and
 * releases them with, and what happens when the user half dies holding one. The user side's two
 * calls are in io.c (the release flushes the posted register writes first).
 *
 * State of a combolock: `user` (the user half holds it) is read and written only with the kernel
 * lock held, so kernel code holding the kernel lock and seeing user == 0 owns the combolock. The
 * deferred works are queued under the kernel lock too. The table's mutex guards the slots
 * (new/free/lookup), never held while waiting.
 *
 * Portable core (rt/os.h, region_internal.h): no libc beyond string.h, no C11 atomics.
 */
#include "combolock.h"
#include "os.h"
#include "ratelimit.h"
#include "region_internal.h"

#include <string.h>

/* A deferred work: fn(arg) (a level: one entry per (fn, arg)) or call(arg, data) (a call: every
 * one queued, in order, with its own copy of data). */
struct defer {
	void (*fn)(void *arg);
	void (*call)(void *arg, const void *data);
	void *arg;
	unsigned char data[KC_COMBOLOCK_DATA];
};

struct kc_combolock {
	uint32_t id;
	const struct kc_combolock_ops *ops;
	void *lock;
	int user;               /* the user half holds it (under the kernel lock) */
	unsigned draining;      /* deferred works taken at a release still running (under the kernel
				 * lock; kc_combolock_sync waits for them) */
	uint64_t since_ns;      /* ... since */
	struct defer defer[KC_COMBOLOCK_DEFER];
	unsigned ndefer;
};

struct kc_combo_tab {
	struct kc_os_mutex *lock;
	struct kc_combolock *slot[KC_COMBOLOCK_MAX];
	uint32_t gen;           /* ids: (gen << 8) | (slot + 1), gen per table */
	unsigned hold_ms;
	struct kc_ratelimit log;
};

static struct kc_combo_tab *tab_of(struct kc_rt *rt)
{
	return kc_rt__regions(rt)->combo;
}

int kc_combolock__tab_new(struct kc_rt *rt)
{
	struct kc_combo_tab *t = kc_os_zalloc(sizeof(*t));

	if (!t)
		return KC_ENOMEM;
	t->lock = kc_os_mutex_new();
	if (!t->lock) {
		kc_os_free(t);
		return KC_ENOMEM;
	}
	t->gen = ((uint32_t)(kc_os_now_ns() >> 10) & 0xffffu) | 1u;
	t->hold_ms = 5000;
	kc_rt__regions(rt)->combo = t;
	return 0;
}

/* Take what was deferred and clear the user mark; the kernel lock is held. The works taken count
 * as draining until done_deferred. */
static unsigned take_user(struct kc_combolock *cl, struct defer *out)
{
	unsigned n = cl->ndefer;

	memcpy(out, cl->defer, n * sizeof(*out));
	cl->ndefer = 0;
	cl->user = 0;
	if (n)
		cl->draining++;
	return n;
}

/* Run the works take_user took (without the kernel lock: they take it again), in the order they
 * were deferred; then they no longer count as draining. */
static void run_deferred(struct kc_combolock *cl, const struct defer *d, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (d[i].call)
			d[i].call(d[i].arg, d[i].data);
		else
			d[i].fn(d[i].arg);
	}
	if (n) {
		cl->ops->lock(cl->lock);
		cl->draining--;
		cl->ops->unlock(cl->lock);
	}
}

/* The user half loses cl (dead, too slow, or the lock goes away). */
static void revoke(struct kc_combolock *cl)
{
	struct defer d[KC_COMBOLOCK_DEFER];
	unsigned n = 0;

	cl->ops->lock(cl->lock);
	if (cl->user)
		n = take_user(cl, d);
	cl->ops->unlock(cl->lock);
	run_deferred(cl, d, n);
}

void kc_combolock__tab_free(struct kc_rt *rt)
{
	struct kc_combo_tab *t = tab_of(rt);
	unsigned i;

	if (!t)
		return;
	for (i = 0; i < KC_COMBOLOCK_MAX; i++)
		kc_os_free(t->slot[i]);
	kc_os_mutex_free(t->lock);
	kc_os_free(t);
	kc_rt__regions(rt)->combo = NULL;
}

void kc_combolock_set_hold_ms(struct kc_rt *rt, unsigned ms)
{
	struct kc_combo_tab *t = tab_of(rt);

	if (t)
		t->hold_ms = ms ? ms : 1;
}

int kc_combolock_new(struct kc_rt *rt, struct kc_combolock **out, uint32_t *id,
		     const struct kc_combolock_ops *ops, void *lock)
{
	struct kc_combo_tab *t = tab_of(rt);
	struct kc_combolock *cl;
	unsigned i;

	*out = NULL;
	*id = 0;
	if (!t || !kc_rt__regions(rt)->kernel || !ops || !ops->lock || !ops->unlock || !lock)
		return KC_EINVAL;
	cl = kc_os_zalloc(sizeof(*cl));
	if (!cl)
		return KC_ENOMEM;
	cl->ops = ops;
	cl->lock = lock;
	kc_os_lock(t->lock);
	for (i = 0; i < KC_COMBOLOCK_MAX && t->slot[i]; i++)
		;
	if (i == KC_COMBOLOCK_MAX) {
		kc_os_unlock(t->lock);
		kc_os_free(cl);
		return KC_ENOMEM;
	}
	t->gen = (t->gen + 1u) & 0xffffffu;
	if (!t->gen)
		t->gen = 1;
	cl->id = (t->gen << 8) | (i + 1u);
	t->slot[i] = cl;
	kc_os_unlock(t->lock);
	*out = cl;
	*id = cl->id;
	return 0;
}

void kc_combolock_free(struct kc_rt *rt, struct kc_combolock *cl)
{
	struct kc_combo_tab *t = tab_of(rt);
	unsigned i;

	if (!t || !cl)
		return;
	kc_os_lock(t->lock);
	for (i = 0; i < KC_COMBOLOCK_MAX; i++)
		if (t->slot[i] == cl)
			t->slot[i] = NULL;
	kc_os_unlock(t->lock);
	revoke(cl);
	kc_os_free(cl);
}

static void log_line(struct kc_combo_tab *t, uint32_t id, const char *what)
{
	int64_t dropped = kc_ratelimit(&t->log, kc_os_now_ns());

	if (dropped > 0)
		kc_os_log("(%lld combolock refusals not logged)", (long long)dropped);
	if (dropped >= 0)
		kc_os_log("combolock 0x%x: %s", id, what);
}

/* The user half has held cl since `since` (read under the kernel lock, now released): past the
 * hold limit it is restarted and the lock is the kernel's again (1); otherwise 0. */
static int take_back_overheld(struct kc_rt *rt, struct kc_combo_tab *t, struct kc_combolock *cl, uint64_t since,
			      uint64_t hold)
{
	if (kc_os_now_ns() - since <= hold)
		return 0;
	if (t)
		log_line(t, cl->id, "held by the user half beyond the hold limit: taken back");
	kc_rt_fault(rt, "held a combolock beyond the hold limit");
	revoke(cl);
	return 1;
}

void kc_combolock_lock(struct kc_rt *rt, struct kc_combolock *cl)
{
	struct kc_combo_tab *t = tab_of(rt);
	uint64_t hold = (uint64_t)(t ? t->hold_ms : 5000) * 1000000ull;

	for (;;) {
		uint64_t since;

		cl->ops->lock(cl->lock);
		if (!cl->user)
			return; /* held by the kernel */
		since = cl->since_ns;
		cl->ops->unlock(cl->lock);
		if (!take_back_overheld(rt, t, cl, since, hold))
			kc_os_sleep_ns(20000ull);
	}
}

void kc_combolock_sync(struct kc_rt *rt, struct kc_combolock *cl)
{
	struct kc_combo_tab *t = tab_of(rt);
	uint64_t hold = (uint64_t)(t ? t->hold_ms : 5000) * 1000000ull;

	for (;;) {
		uint64_t since;
		int user;

		cl->ops->lock(cl->lock);
		if (!cl->user && !cl->draining) {
			cl->ops->unlock(cl->lock);
			return;
		}
		user = cl->user;
		since = cl->since_ns;
		cl->ops->unlock(cl->lock);
		if (!user || !take_back_overheld(rt, t, cl, since, hold))
			kc_os_sleep_ns(20000ull);
	}
}

void kc_combolock_unlock(struct kc_combolock *cl)
{
	cl->ops->unlock(cl->lock);
}

int kc_combolock_lock_or_defer(struct kc_rt *rt, struct kc_combolock *cl, void (*fn)(void *arg), void *arg)
{
	unsigned i;

	(void)rt;
	cl->ops->lock(cl->lock);
	if (!cl->user)
		return 0;
	for (i = 0; i < cl->ndefer; i++)
		if (!cl->defer[i].call && cl->defer[i].fn == fn && cl->defer[i].arg == arg)
			break;
	if (i == cl->ndefer) {
		if (cl->ndefer == KC_COMBOLOCK_DEFER) {
			cl->ops->unlock(cl->lock);
			return KC_ENOMEM;
		}
		memset(&cl->defer[cl->ndefer], 0, sizeof(cl->defer[0]));
		cl->defer[cl->ndefer].fn = fn;
		cl->defer[cl->ndefer++].arg = arg;
	}
	cl->ops->unlock(cl->lock);
	return KC_COMBOLOCK_DEFERRED;
}

int kc_combolock_lock_or_defer_call(struct kc_rt *rt, struct kc_combolock *cl, void (*call)(void *arg, const void *data),
				    void *arg, const void *data, size_t len)
{
	struct defer *d;

	(void)rt;
	if (len > KC_COMBOLOCK_DATA || (len && !data) || !call)
		return KC_EINVAL;
	cl->ops->lock(cl->lock);
	if (!cl->user)
		return 0;
	if (cl->ndefer == KC_COMBOLOCK_DEFER) {
		cl->ops->unlock(cl->lock);
		return KC_ENOMEM;
	}
	d = &cl->defer[cl->ndefer++];
	memset(d, 0, sizeof(*d));
	d->call = call;
	d->arg = arg;
	if (len)
		memcpy(d->data, data, len);
	cl->ops->unlock(cl->lock);
	return KC_COMBOLOCK_DEFERRED;
}

/* The combolock named by id, or NULL (under the table's mutex: the caller unlocks). */
static struct kc_combolock *lookup(struct kc_combo_tab *t, uint32_t id)
{
	uint32_t i = id & 0xffu;

	if (!i || i > KC_COMBOLOCK_MAX || !t->slot[i - 1] || t->slot[i - 1]->id != id)
		return NULL;
	return t->slot[i - 1];
}

static int serve(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	struct kc_combo_tab *t = tab_of(rt);
	struct kc_combolock *cl;
	struct defer d[KC_COMBOLOCK_DEFER];
	uint32_t op = kc_xdr_get_u32(args), id = kc_xdr_get_u32(args);
	uint64_t start = kc_os_now_ns();
	unsigned n;

	(void)res;
	if (kc_xdr_dec_done(args) || !t || (op != 1 && op != 2)) {
		if (t)
			log_line(t, id, "malformed request from the user half");
		return KC_RT_EPROTO;
	}
	for (;;) {
		/* looked up again each time: a lock freed meanwhile is no lock */
		kc_os_lock(t->lock);
		cl = lookup(t, id);
		if (!cl) {
			kc_os_unlock(t->lock);
			log_line(t, id, "no such combolock (forged or freed)");
			return KC_RT_EPROTO;
		}
		cl->ops->lock(cl->lock);
		if (op == 2) {
			if (!cl->user) {
				cl->ops->unlock(cl->lock);
				kc_os_unlock(t->lock);
				log_line(t, id, "released by the user half, which does not hold it");
				return KC_RT_EPROTO;
			}
			n = take_user(cl, d);
			cl->ops->unlock(cl->lock);
			kc_os_unlock(t->lock);
			run_deferred(cl, d, n);
			return 0;
		}
		if (!cl->user) {
			cl->user = 1;
			cl->since_ns = kc_os_now_ns();
			cl->ops->unlock(cl->lock);
			kc_os_unlock(t->lock);
			return 0;
		}
		/* another thread of the user half holds it: wait for it, as long as a holder may
		 * hold it (then the kernel side takes it back and this one gets it) */
		cl->ops->unlock(cl->lock);
		kc_os_unlock(t->lock);
		if (kc_os_now_ns() - start > (uint64_t)t->hold_ms * 1000000ull * 2)
			return KC_RT_ETIMEDOUT;
		kc_os_sleep_ns(20000ull);
	}
}

kc_rt_handler kc_combolock__handler(uint32_t fn)
{
	return fn == KC_RT_FN_COMBOLOCK ? serve : NULL;
}

void kc_combolock__user_gone(struct kc_rt *rt)
{
	struct kc_combo_tab *t = tab_of(rt);
	struct kc_combolock *held[KC_COMBOLOCK_MAX];
	unsigned i, n = 0;

	if (!t)
		return;
	kc_os_lock(t->lock);
	for (i = 0; i < KC_COMBOLOCK_MAX; i++)
		if (t->slot[i])
			held[n++] = t->slot[i];
	/* revoked under the table's mutex, so none is freed meanwhile (revoke takes only the
	 * kernel lock; deferred work must not create or free combolocks) */
	for (i = 0; i < n; i++)
		revoke(held[i]);
	kc_os_unlock(t->lock);
}
