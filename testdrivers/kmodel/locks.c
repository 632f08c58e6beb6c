/*
 * locks.c - the kernel model's execution-context state and locking: context queries (in_interrupt,
 * in_atomic, irqs_disabled), preempt/bh/irq control, spinlocks, mutexes, completions, wait queues and the
 * might_sleep() check.
 *
 * All state is per simulated context (thread). Because one simulated CPU runs one context at a time, a
 * spinlock never has to spin: finding it held by another context means that context was interrupted while
 * holding it (a real deadlock on a uniprocessor), and finding it held by yourself is recursion. Both stop
 * the run with a report, which is what makes lock-context mistakes in a split driver visible.
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/completion.h>
#include <linux/wait.h>
#include <linux/preempt.h>
#include <linux/jiffies.h>
#include <linux/sched.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "km_internal.h"

#define NS_PER_JIFFY (1000000000ULL / HZ)

/* ---- context queries ---- */

bool in_irq(void)
{
	struct km_task *me = km_current();

	return me->hardirq > 0;
}

bool in_hardirq(void)
{
	return in_irq();
}

bool in_serving_softirq(void)
{
	return km_current()->softirq > 0;
}

bool in_softirq(void)
{
	struct km_task *me = km_current();

	return me->softirq > 0 || me->bh_disabled > 0;
}

bool in_interrupt(void)
{
	struct km_task *me = km_current();

	return me->hardirq > 0 || me->softirq > 0 || me->bh_disabled > 0;
}

bool in_task(void)
{
	struct km_task *me = km_current();

	return !me->hardirq && !me->softirq && me->kind == KM_TASK_PROC;
}

bool in_atomic(void)
{
	struct km_task *me = km_current();

	return me->hardirq > 0 || me->softirq > 0 || me->bh_disabled > 0 || me->preempt > 0;
}

bool irqs_disabled(void)
{
	return km_current()->irqs_off != 0;
}

void preempt_disable(void)
{
	km_current()->preempt++;
}

void preempt_enable(void)
{
	struct km_task *me = km_current();

	if (me->preempt <= 0)
		km_bug("BUG: preempt_enable() without preempt_disable() in %s", km_ctx_name());
	else
		me->preempt--;
}

void local_bh_disable(void)
{
	km_current()->bh_disabled++;
}

void local_bh_enable(void)
{
	struct km_task *me = km_current();

	if (me->bh_disabled <= 0) {
		km_bug("BUG: local_bh_enable() without local_bh_disable() in %s", km_ctx_name());
		return;
	}
	if (me->hardirq || me->irqs_off)
		km_bug("WARNING: local_bh_enable() with interrupts disabled in %s", km_ctx_name());
	if (--me->bh_disabled == 0)
		km_softirq_point();
}

unsigned long __kc_local_irq_save(void)
{
	struct km_task *me = km_current();
	unsigned long flags = (unsigned long)me->irqs_off;

	me->irqs_off = 1;
	return flags;
}

void local_irq_restore(unsigned long flags)
{
	struct km_task *me = km_current();

	me->irqs_off = (int)flags;
	if (!me->irqs_off) {
		km_irq_point();
	}
}

void local_irq_disable(void)
{
	km_current()->irqs_off = 1;
}

void local_irq_enable(void)
{
	struct km_task *me = km_current();

	if (me->hardirq)
		km_bug("WARNING: local_irq_enable() in hardirq context");
	me->irqs_off = 0;
	km_irq_point();
}

/* ---- might_sleep ---- */

void km_log_locks_held(void)
{
	struct km_task *me = km_self;
	char buf[512];
	size_t n = 0;

	if (!me || !me->nheld)
		return;
	buf[0] = 0;
	for (int i = 0; i < me->nheld; i++)
		n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0, "%s%s", i ? ", " : "",
				      me->held[i]->name ? me->held[i]->name : "(unnamed)");
	km_log(LOGLEVEL_ERR, "locks held: %s", buf);
}

static bool km_sleep_ok(void)
{
	struct km_task *me = km_current();

	return me->kind == KM_TASK_PROC && !me->hardirq && !me->softirq && !me->bh_disabled &&
	       !me->preempt && !me->irqs_off;
}

static void km_report_bad_sleep(const char *where)
{
	struct km_task *me = km_self;

	km_bug("BUG: sleeping function called from invalid context %s", where);
	km_log(LOGLEVEL_ERR, "in_atomic(): %d, irqs_disabled(): %d, context: %s", in_atomic() ? 1 : 0,
	       me->irqs_off ? 1 : 0, km_ctx_name());
	km_log_locks_held();
}

bool km_can_sleep(const char *what)
{
	char where[96];

	if (km_sleep_ok())
		return true;
	snprintf(where, sizeof(where), "in %s()", what);
	km_report_bad_sleep(where);
	return false;
}

void __might_sleep(const char *file, int line)
{
	char where[160];

	if (km_sleep_ok())
		return;
	snprintf(where, sizeof(where), "at %s:%d", km_basename(file), line);
	km_report_bad_sleep(where);
}

/* ---- spinlocks ---- */

void __kc_spin_lock_init(spinlock_t *lock, const char *name)
{
	lock->owner = NULL;
	lock->name = name;
	lock->magic = KC_SPINLOCK_MAGIC;
}

static void km_spin_acquire(spinlock_t *lock)
{
	struct km_task *me = km_current();

	if (lock->magic != KC_SPINLOCK_MAGIC && lock->magic != 0)
		km_fatal("BUG: spinlock bad magic (corrupted or never initialised) in %s", km_ctx_name());
	if (lock->owner == me)
		km_fatal("BUG: spinlock recursion: %s already held by this context (%s)",
			 lock->name ? lock->name : "(unnamed)", km_ctx_name());
	if (lock->owner) {
		struct km_task *o = lock->owner;

		km_fatal("BUG: spinlock deadlock: %s taken in %s while held by interrupted context %s%s",
			 lock->name ? lock->name : "(unnamed)", km_ctx_name(), o->name,
			 o->hardirq ? " (hardirq)" : o->softirq ? " (softirq)" : "");
	}
	lock->owner = me;
	me->preempt++;
	if (me->nheld < KM_MAX_HELD)
		me->held[me->nheld] = lock;
	me->nheld++;
}

static void km_spin_release(spinlock_t *lock)
{
	struct km_task *me = km_current();
	int i;

	if (lock->owner != me) {
		km_bug("BUG: spin_unlock of %s which this context (%s) does not hold",
		       lock->name ? lock->name : "(unnamed)", km_ctx_name());
		return;
	}
	lock->owner = NULL;
	me->preempt--;
	for (i = me->nheld - 1; i >= 0 && i < KM_MAX_HELD; i--)
		if (me->held[i] == lock)
			break;
	if (i >= 0) {
		for (; i < me->nheld - 1 && i + 1 < KM_MAX_HELD; i++)
			me->held[i] = me->held[i + 1];
	}
	me->nheld--;
}

void spin_lock(spinlock_t *lock)
{
	km_spin_acquire(lock);
}

void spin_unlock(spinlock_t *lock)
{
	km_spin_release(lock);
}

int spin_trylock(spinlock_t *lock)
{
	if (lock->owner)
		return 0;
	km_spin_acquire(lock);
	return 1;
}

void spin_lock_irq(spinlock_t *lock)
{
	km_current()->irqs_off = 1;
	km_spin_acquire(lock);
}

void spin_unlock_irq(spinlock_t *lock)
{
	km_spin_release(lock);
	local_irq_enable();
}

void spin_lock_bh(spinlock_t *lock)
{
	local_bh_disable();
	km_spin_acquire(lock);
}

void spin_unlock_bh(spinlock_t *lock)
{
	km_spin_release(lock);
	local_bh_enable();
}

unsigned long _raw_spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags = __kc_local_irq_save();

	km_spin_acquire(lock);
	return flags;
}

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	km_spin_release(lock);
	local_irq_restore(flags);
}

int spin_is_locked(spinlock_t *lock)
{
	return lock->owner != NULL;
}

void __kc_assert_spin_locked(spinlock_t *lock, const char *file, int line)
{
	if (!lock->owner)
		__kc_warn(file, line, "assert_spin_locked");
}

/* ---- mutexes ---- */

void __kc_mutex_init(struct mutex *lock, const char *name)
{
	lock->owner = NULL;
	lock->name = name;
	lock->magic = KC_MUTEX_MAGIC;
}

void mutex_destroy(struct mutex *lock)
{
	if (lock->owner)
		km_bug("BUG: mutex_destroy of held mutex %s", lock->name ? lock->name : "(unnamed)");
	lock->magic = 0;
}

void mutex_lock(struct mutex *lock)
{
	struct km_task *me = km_current();
	bool can = km_can_sleep("mutex_lock");

	if (lock->owner == me)
		km_fatal("BUG: mutex deadlock: %s locked twice by %s", lock->name ? lock->name : "(unnamed)",
			 me->name);
	while (lock->owner) {
		if (!can || me->kind != KM_TASK_PROC)
			km_fatal("BUG: mutex %s contended in atomic context %s", lock->name ? lock->name : "?",
				 km_ctx_name());
		km_block(lock, false, 0);
	}
	lock->owner = me;
}

int mutex_lock_interruptible(struct mutex *lock)
{
	mutex_lock(lock);
	return 0;
}

int mutex_trylock(struct mutex *lock)
{
	if (lock->owner)
		return 0;
	lock->owner = km_current();
	return 1;
}

void mutex_unlock(struct mutex *lock)
{
	struct km_task *me = km_current();

	if (lock->owner != me) {
		km_bug("BUG: mutex_unlock of %s not held by %s", lock->name ? lock->name : "(unnamed)",
		       me->name);
		return;
	}
	lock->owner = NULL;
	km_wake_chan(lock);
}

bool mutex_is_locked(struct mutex *lock)
{
	return lock->owner != NULL;
}

/* ---- completions ---- */

void complete(struct completion *x)
{
	if (x->done != UINT_MAX)
		x->done++;
	km_wake_chan(x);
}

void complete_all(struct completion *x)
{
	x->done = UINT_MAX;
	km_wake_chan(x);
}

/* Wait for x with a timeout in jiffies (MAX_SCHEDULE_TIMEOUT: none); returns jiffies left, >= 1 on
 * success, 0 on timeout. */
static unsigned long km_wait_completion(struct completion *x, unsigned long timeout, const char *what)
{
	struct km_task *me = km_current();
	bool timed = timeout != (unsigned long)MAX_SCHEDULE_TIMEOUT;
	u64 deadline = km_now() + (timed ? (u64)timeout * NS_PER_JIFFY : 0);

	if (!km_can_sleep(what) || me->kind != KM_TASK_PROC) {
		if (x->done)
			goto done;
		if (!timed)
			km_fatal("BUG: %s would wait forever in atomic context %s", what, km_ctx_name());
		km_delay_ns(deadline - km_now());
		if (!x->done)
			return 0;
		goto done;
	}
	while (!x->done) {
		if (timed && km_now() >= deadline)
			return 0;
		km_block(x, timed, deadline);
	}
done:
	if (x->done != UINT_MAX)
		x->done--;
	if (!timed)
		return 1;
	return deadline > km_now() ? (unsigned long)((deadline - km_now() + NS_PER_JIFFY - 1) / NS_PER_JIFFY) : 1;
}

void wait_for_completion(struct completion *x)
{
	km_wait_completion(x, (unsigned long)MAX_SCHEDULE_TIMEOUT, "wait_for_completion");
}

unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
{
	return km_wait_completion(x, timeout, "wait_for_completion_timeout");
}

long wait_for_completion_interruptible_timeout(struct completion *x, unsigned long timeout)
{
	return (long)km_wait_completion(x, timeout, "wait_for_completion_interruptible_timeout");
}

int wait_for_completion_interruptible(struct completion *x)
{
	km_wait_completion(x, (unsigned long)MAX_SCHEDULE_TIMEOUT, "wait_for_completion_interruptible");
	return 0;
}

bool try_wait_for_completion(struct completion *x)
{
	if (!x->done)
		return false;
	if (x->done != UINT_MAX)
		x->done--;
	return true;
}

bool completion_done(struct completion *x)
{
	return x->done != 0;
}

/* ---- wait queues ---- */

void __kc_init_waitqueue_head(wait_queue_head_t *wq, const char *name)
{
	wq->seq = 0;
	__kc_spin_lock_init(&wq->lock, name);
}

void wake_up(wait_queue_head_t *wq)
{
	wq->seq++;
	km_wake_chan(wq);
}

long __kc_wait_queue_sleep(wait_queue_head_t *wq, long timeout)
{
	struct km_task *me = km_current();
	bool timed = timeout != MAX_SCHEDULE_TIMEOUT;
	u64 deadline = km_now() + (timed ? (u64)timeout * NS_PER_JIFFY : 0);

	if (!km_can_sleep("wait_event") || me->kind != KM_TASK_PROC) {
		if (!timed)
			km_fatal("BUG: wait_event would wait forever in atomic context %s", km_ctx_name());
		km_delay_ns(deadline - km_now());
		return 0;
	}
	km_block(wq, timed, deadline);
	if (!timed)
		return MAX_SCHEDULE_TIMEOUT;
	if (km_now() >= deadline)
		return 0;
	return (long)((deadline - km_now() + NS_PER_JIFFY - 1) / NS_PER_JIFFY);
}
