/*
 * sched.c - the kernel model's CPU: simulated contexts, the scheduler, virtual time, timers and tasklets.
 *
 * One simulated CPU is shared by real threads (see kmodel.h). Exactly one thread runs at a time; the CPU is
 * handed over with km_switch(). Service tasks (interrupt, softirq, device) run one job each time another
 * context hands them the CPU (run_on) and hand it straight back; process tasks (the harness, workqueue
 * workers) block and wake through km_block()/km_wake_chan() and are picked from a FIFO ready queue when
 * the running process task blocks. Virtual time only moves when every task waits for it (or in busy-wait
 * delays and kc_km_advance()), and events at the same instant fire in a fixed order (device deadlines, then
 * timers in arming order, then sleepers in creation order), so runs are reproducible.
 */
#include <linux/kernel.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/timer.h>
#include <linux/interrupt.h>
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/list.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "km_internal.h"

#define NS_PER_JIFFY (1000000000ULL / HZ)
#define KM_HUNG_NS (3600ULL * 1000000000ULL)	/* an untimed wait that outlives this is a hang */

__thread struct km_task *km_self;
volatile unsigned long jiffies = INITIAL_JIFFIES;

static pthread_mutex_t km_big = PTHREAD_MUTEX_INITIALIZER;
static struct km_task *km_running;
static struct km_task *ready_head, *ready_tail;
static struct km_task *all_tasks, *all_tail;
static struct km_task *irq_task, *softirq_task, *dev_task, *harness_task;
static bool irq_busy, softirq_busy, dev_busy;
static u64 now_ns;
static bool km_started;

static LIST_HEAD(timer_list_head);	/* pending timers, sorted by (expires, seq) */
static u64 timer_seq;
static LIST_HEAD(tasklet_list);

/* ---- CPU hand-over ---- */

/* Give the CPU to `to` and wait until some context gives it back to the calling thread. */
static void km_switch(struct km_task *to)
{
	struct km_task *me = km_self;

	pthread_mutex_lock(&km_big);
	km_running = to;
	pthread_cond_signal(&to->cv);
	while (km_running != me)
		pthread_cond_wait(&me->cv, &km_big);
	pthread_mutex_unlock(&km_big);
}

static void km_wait_for_cpu(struct km_task *me)
{
	pthread_mutex_lock(&km_big);
	while (km_running != me)
		pthread_cond_wait(&me->cv, &km_big);
	pthread_mutex_unlock(&km_big);
}

struct km_spawn {
	struct km_task *t;
	void (*loop)(void *);
	void *arg;
};

static void *km_thread_main(void *p)
{
	struct km_spawn sp = *(struct km_spawn *)p;

	free(p);
	km_self = sp.t;
	km_wait_for_cpu(sp.t);
	sp.loop(sp.arg);
	return NULL;
}

static void km_service_loop(void *arg)
{
	struct km_task *me = arg;

	for (;;) {
		me->job(me->job_arg);
		km_switch(me->ret_to);
	}
}

/*
 * Create a task and its thread. Service tasks wait for jobs; process tasks start blocked on `arg`'s
 * channel semantics chosen by the caller (loop runs when the task is first picked).
 */
struct km_task *km_task_spawn(const char *name, enum km_task_kind kind, void (*loop)(void *), void *arg)
{
	struct km_task *t = calloc(1, sizeof(*t));
	struct km_spawn *sp = malloc(sizeof(*sp));
	pthread_attr_t attr;

	if (!t || !sp)
		km_fatal("out of memory creating task %s", name);
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->ts.comm, sizeof(t->ts.comm), "%s", name);
	t->kind = kind;
	t->state = KM_BLOCKED;
	pthread_cond_init(&t->cv, NULL);
	if (all_tail)
		all_tail->next_all = t;
	else
		all_tasks = t;
	all_tail = t;
	t->ts.pid = 0;
	for (struct km_task *x = all_tasks; x; x = x->next_all)
		t->ts.pid++;
	sp->t = t;
	sp->loop = kind == KM_TASK_PROC ? loop : km_service_loop;
	sp->arg = kind == KM_TASK_PROC ? arg : t;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t->thread, &attr, km_thread_main, sp) != 0)
		km_fatal("cannot create thread for task %s", name);
	pthread_attr_destroy(&attr);
	return t;
}

void km_task_stop(struct km_task *t)
{
	/* Threads are parked forever (blocked, never picked); see kc_km_shutdown(). */
	t->exit = true;
}

/* Run fn(arg) on service task t and return when it is done. */
static void run_on(struct km_task *t, void (*fn)(void *), void *arg)
{
	t->job = fn;
	t->job_arg = arg;
	t->ret_to = km_self;
	km_switch(t);
}

struct km_task *km_current(void)
{
	if (!km_self)
		km_fatal("kernel API called from a thread outside the kernel model");
	return km_self;
}

struct task_struct *__kc_current(void)
{
	return &km_current()->ts;
}

/* ---- virtual time ---- */

u64 km_now(void)
{
	return now_ns;
}

uint64_t kc_km_now_ns(void)
{
	return now_ns;
}

ktime_t ktime_get(void)
{
	return (ktime_t)now_ns;
}

static void km_set_now(u64 t)
{
	if (t > now_ns)
		now_ns = t;
	jiffies = INITIAL_JIFFIES + (unsigned long)(now_ns / NS_PER_JIFFY);
}

u64 get_jiffies_64(void)
{
	return (u64)jiffies;
}

static u64 jiffies_to_ns_abs(unsigned long j)
{
	long delta = (long)(j - jiffies);

	if (delta <= 0)
		return now_ns;
	return (now_ns / NS_PER_JIFFY + (u64)delta) * NS_PER_JIFFY;
}

unsigned long msecs_to_jiffies(const unsigned int m)
{
	return ((unsigned long)m * HZ + 999) / 1000;
}

unsigned long usecs_to_jiffies(const unsigned int u)
{
	return ((unsigned long)u * HZ + 999999) / 1000000;
}

unsigned int jiffies_to_msecs(const unsigned long j)
{
	return (unsigned int)(j * (1000 / HZ));
}

unsigned int jiffies_to_usecs(const unsigned long j)
{
	return (unsigned int)(j * (1000000 / HZ));
}

unsigned long round_jiffies(unsigned long j)
{
	unsigned long rem = (j - INITIAL_JIFFIES) % HZ;

	return rem ? j - rem + HZ : j;
}

unsigned long round_jiffies_relative(unsigned long j)
{
	return round_jiffies(j + jiffies) - jiffies;
}

unsigned long round_jiffies_up(unsigned long j)
{
	return round_jiffies(j);
}

/* ---- ready queue and blocking ---- */

static void ready_push(struct km_task *t)
{
	t->state = KM_READY;
	t->next_ready = NULL;
	if (ready_tail)
		ready_tail->next_ready = t;
	else
		ready_head = t;
	ready_tail = t;
}

static struct km_task *ready_pop(void)
{
	struct km_task *t = ready_head;

	if (t) {
		ready_head = t->next_ready;
		if (!ready_head)
			ready_tail = NULL;
	}
	return t;
}

void km_wake_chan(const void *chan)
{
	for (struct km_task *t = all_tasks; t; t = t->next_all)
		if (t->kind == KM_TASK_PROC && t->state == KM_BLOCKED && t->wait_chan == chan && !t->exit) {
			t->timed_out = false;
			ready_push(t);
		}
}

static bool softirq_work_pending(void);
static void softirq_job(void *arg);
static void irq_job(void *arg);
static void dev_job(void *arg);

/* Interrupt-side work runnable from a fully enabled process context. Returns true if something ran. */
static bool km_run_interrupt_work(void)
{
	bool did = false;

	if (!dev_busy && km_dev_any_kicked()) {
		u64 upto = now_ns;

		dev_busy = true;
		run_on(dev_task, dev_job, &upto);
		dev_busy = false;
		did = true;
	}
	if (!irq_busy && km_irq_any_pending()) {
		irq_busy = true;
		run_on(irq_task, irq_job, NULL);
		irq_busy = false;
		did = true;
	}
	if (!softirq_busy && softirq_work_pending()) {
		softirq_busy = true;
		run_on(softirq_task, softirq_job, NULL);
		softirq_busy = false;
		did = true;
	}
	return did;
}

/* Earliest future event: device deadline, timer expiry, timed sleeper. */
static bool km_next_event(u64 *when, bool include_timers, bool include_devices)
{
	bool any = false, a;
	u64 best = 0, t;

	if (include_devices) {
		t = km_dev_next_deadline(&a);
		if (a && (!any || t < best)) {
			best = t;
			any = true;
		}
	}
	if (include_timers) {
		t = km_timer_next_expiry(&a);
		if (a && (!any || t < best)) {
			best = t;
			any = true;
		}
	}
	for (struct km_task *x = all_tasks; x; x = x->next_all)
		if (x->kind == KM_TASK_PROC && x->state == KM_BLOCKED && x->timed && !x->exit &&
		    (!any || x->wake_at < best)) {
			best = x->wake_at;
			any = true;
		}
	if (any && best < now_ns)
		best = now_ns;
	*when = best;
	return any;
}

/* Move virtual time to t, processing every event on the way in order. Process context, fully enabled. */
static void km_advance_to(u64 t)
{
	for (;;) {
		u64 e;
		bool any;

		while (km_run_interrupt_work())
			;
		any = km_next_event(&e, true, true);
		if (!any || e > t)
			break;
		km_set_now(e);
		if (!dev_busy) {
			u64 upto = now_ns;

			dev_busy = true;
			run_on(dev_task, dev_job, &upto);
			dev_busy = false;
		}
		while (km_run_interrupt_work())
			;
		for (struct km_task *x = all_tasks; x; x = x->next_all)
			if (x->kind == KM_TASK_PROC && x->state == KM_BLOCKED && x->timed && !x->exit &&
			    x->wake_at <= now_ns) {
				x->timed_out = true;
				ready_push(x);
			}
		if (ready_head)
			return;	/* let woken tasks run before time moves on */
	}
	km_set_now(t);
	for (struct km_task *x = all_tasks; x; x = x->next_all)
		if (x->kind == KM_TASK_PROC && x->state == KM_BLOCKED && x->timed && !x->exit &&
		    x->wake_at <= now_ns) {
			x->timed_out = true;
			ready_push(x);
		}
}

/* The calling process task is blocked (or queued as ready): run others until it is picked again. */
static void km_schedule(void)
{
	struct km_task *me = km_self;
	u64 stuck_since = now_ns;

	for (;;) {
		struct km_task *next;
		u64 e;

		if (me->state == KM_RUNNING)
			return;
		if (km_run_interrupt_work())
			continue;
		next = ready_pop();
		if (next) {
			next->state = KM_RUNNING;
			if (next == me)
				return;
			km_switch(next);
			continue;
		}
		if (!km_next_event(&e, true, true))
			km_fatal("deadlock: task %s waits forever and nothing else can run", me->name);
		if (!me->timed && e - stuck_since > KM_HUNG_NS)
			km_fatal("hung task: %s blocked for more than 3600 s of virtual time", me->name);
		km_advance_to(e);
	}
}

void km_block(const void *chan, bool timed, u64 wake_at)
{
	struct km_task *me = km_current();

	if (me->kind != KM_TASK_PROC)
		km_fatal("internal: km_block from %s", me->name);
	me->state = KM_BLOCKED;
	me->wait_chan = chan;
	me->timed = timed;
	me->wake_at = wake_at;
	me->timed_out = false;
	km_schedule();
	me->wait_chan = NULL;
	me->timed = false;
}

/* ---- interrupt and softirq entry points ---- */

static void irq_job(void *arg)
{
	(void)arg;
	km_irq_deliver_pending();
}

static void dev_job(void *arg)
{
	km_dev_run_steps(*(u64 *)arg);
}

void km_irq_point(void)
{
	struct km_task *me = km_self;

	if (!me || me->kind == KM_TASK_DEVICE || me->kind == KM_TASK_IRQ)
		return;
	if (me->irqs_off || me->hardirq || irq_busy || !km_irq_any_pending())
		return;
	irq_busy = true;
	run_on(irq_task, irq_job, NULL);
	irq_busy = false;
	km_softirq_point();
}

void km_softirq_point(void)
{
	struct km_task *me = km_self;

	if (!me || me->kind == KM_TASK_DEVICE || me->kind == KM_TASK_IRQ || me->kind == KM_TASK_SOFTIRQ)
		return;
	if (me->hardirq || me->softirq || me->bh_disabled || me->irqs_off || softirq_busy)
		return;
	if (!softirq_work_pending())
		return;
	softirq_busy = true;
	run_on(softirq_task, softirq_job, NULL);
	softirq_busy = false;
}

/* Check that a callback left the context as it found it; repair and report if not. */
void km_check_balanced(struct km_task *me, const char *what, int preempt, int bh, int irqs_off)
{
	if (me->nheld || me->preempt != preempt || me->bh_disabled != bh || me->irqs_off != irqs_off) {
		km_bug("BUG: %s returned with %d lock(s) held, preempt %+d, bh %+d, irqs_off %d", what,
		       me->nheld, me->preempt - preempt, me->bh_disabled - bh, me->irqs_off);
		for (int i = 0; i < me->nheld; i++)
			me->held[i]->owner = NULL;
		me->nheld = 0;
		me->preempt = preempt;
		me->bh_disabled = bh;
		me->irqs_off = irqs_off;
	}
}

/* ---- timers ---- */

void __kc_timer_setup(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags,
		      const char *name)
{
	INIT_LIST_HEAD(&timer->entry);
	timer->function = func;
	timer->flags = flags;
	timer->expires = 0;
	timer->__kc_pending = 0;
	timer->__kc_seq = 0;
	timer->__kc_name = name;
}

static void timer_unlink(struct timer_list *timer)
{
	if (timer->__kc_pending) {
		list_del_init(&timer->entry);
		timer->__kc_pending = 0;
	}
}

static void timer_insert(struct timer_list *timer)
{
	struct list_head *pos;

	timer->__kc_seq = ++timer_seq;
	timer->__kc_due = time_after(timer->expires, jiffies) ? timer->expires : jiffies + 1;
	list_for_each(pos, &timer_list_head) {
		struct timer_list *t = list_entry(pos, struct timer_list, entry);

		if (time_after(t->__kc_due, timer->__kc_due))
			break;
	}
	list_add_tail(&timer->entry, pos);
	timer->__kc_pending = 1;
}

int mod_timer(struct timer_list *timer, unsigned long expires)
{
	int was = timer->__kc_pending;

	if (!timer->function)
		km_bug("BUG: mod_timer on a timer that was never set up (timer_setup missing)");
	timer_unlink(timer);
	timer->expires = expires;
	timer_insert(timer);
	return was;
}

void add_timer(struct timer_list *timer)
{
	if (timer->__kc_pending)
		km_bug("BUG: add_timer on a pending timer %s", timer->__kc_name ? timer->__kc_name : "?");
	mod_timer(timer, timer->expires);
}

int del_timer(struct timer_list *timer)
{
	int was = timer->__kc_pending;

	timer_unlink(timer);
	return was;
}

int del_timer_sync(struct timer_list *timer)
{
	/* On one CPU a timer callback cannot be running while another context runs, except the context
	 * that is the callback itself: Linux warns (and would deadlock) in that case. */
	if (km_self && km_self->kind == KM_TASK_IRQ)
		km_bug("BUG: del_timer_sync() called from hardirq context");
	return del_timer(timer);
}

int timer_pending(const struct timer_list *timer)
{
	return timer->__kc_pending;
}

u64 km_timer_next_expiry(bool *any)
{
	if (list_empty(&timer_list_head)) {
		*any = false;
		return 0;
	}
	*any = true;
	return jiffies_to_ns_abs(list_first_entry(&timer_list_head, struct timer_list, entry)->__kc_due);
}

static bool timers_due(void)
{
	return !list_empty(&timer_list_head) &&
	       time_after_eq(jiffies, list_first_entry(&timer_list_head, struct timer_list, entry)->__kc_due);
}

bool km_timers_run_expired(void)
{
	struct km_task *me = km_self;
	bool ran = false;

	while (timers_due()) {
		struct timer_list *t = list_first_entry(&timer_list_head, struct timer_list, entry);
		int preempt = me->preempt, bh = me->bh_disabled, ioff = me->irqs_off;

		timer_unlink(t);
		t->function(t);
		km_check_balanced(me, "timer callback", preempt, bh, ioff);
		ran = true;
	}
	return ran;
}

/* ---- tasklets ---- */

void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data)
{
	memset(t, 0, sizeof(*t));
	t->func = func;
	t->data = data;
	INIT_LIST_HEAD(&t->__kc_entry);
}

void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *))
{
	memset(t, 0, sizeof(*t));
	t->use_callback = true;
	t->callback = callback;
	INIT_LIST_HEAD(&t->__kc_entry);
}

void tasklet_schedule(struct tasklet_struct *t)
{
	if (test_and_set_bit(0, &t->state))
		return;
	list_add_tail(&t->__kc_entry, &tasklet_list);
}

void tasklet_hi_schedule(struct tasklet_struct *t)
{
	tasklet_schedule(t);
}

void tasklet_kill(struct tasklet_struct *t)
{
	if (km_self && km_self->kind != KM_TASK_PROC)
		km_bug("BUG: tasklet_kill() called from atomic context");
	if (test_and_clear_bit(0, &t->state))
		list_del_init(&t->__kc_entry);
}

void tasklet_disable(struct tasklet_struct *t)
{
	atomic_inc(&t->count);
}

void tasklet_enable(struct tasklet_struct *t)
{
	atomic_dec(&t->count);
}

bool km_tasklets_pending(void)
{
	struct tasklet_struct *t;

	list_for_each_entry(t, &tasklet_list, __kc_entry)
		if (!atomic_read(&t->count))
			return true;
	return false;
}

bool km_tasklets_run(void)
{
	struct km_task *me = km_self;
	struct tasklet_struct *t, *n;
	LIST_HEAD(run);
	bool ran = false;

	list_splice_init(&tasklet_list, &run);
	list_for_each_entry_safe(t, n, &run, __kc_entry) {
		int preempt = me->preempt, bh = me->bh_disabled, ioff = me->irqs_off;

		list_del_init(&t->__kc_entry);
		if (atomic_read(&t->count)) {
			list_add_tail(&t->__kc_entry, &tasklet_list);
			continue;
		}
		clear_bit(0, &t->state);
		if (t->use_callback)
			t->callback(t);
		else
			t->func(t->data);
		km_check_balanced(me, "tasklet", preempt, bh, ioff);
		ran = true;
	}
	return ran;
}

/* ---- softirq ---- */

static bool softirq_work_pending(void)
{
	return timers_due() || km_tasklets_pending() || km_net_pending();
}

static void softirq_job(void *arg)
{
	struct km_task *me = km_self;

	(void)arg;
	me->softirq = 1;
	for (int round = 0; round < 100000; round++) {
		bool more = false;

		more |= km_timers_run_expired();
		more |= km_tasklets_run();
		more |= km_net_softirq();
		if (!more || !softirq_work_pending())
			break;
	}
	me->softirq = 0;
}

void km_raise_softirq(void)
{
	/* Nothing to record: pending work is found by softirq_work_pending(). */
}

/* ---- delays and sleeps ---- */

void km_delay_ns(u64 ns)
{
	struct km_task *me = km_current();
	u64 end = now_ns + ns;

	/* The device keeps working while the CPU spins. */
	for (;;) {
		bool any;
		u64 e = km_dev_next_deadline(&any);

		if (!any || e > end)
			break;
		km_set_now(e);
		if (!dev_busy && me->kind != KM_TASK_DEVICE) {
			u64 upto = now_ns;

			dev_busy = true;
			run_on(dev_task, dev_job, &upto);
			dev_busy = false;
		}
	}
	km_set_now(end);
	if (!dev_busy && me->kind != KM_TASK_DEVICE && km_dev_any_kicked()) {
		u64 upto = now_ns;

		dev_busy = true;
		run_on(dev_task, dev_job, &upto);
		dev_busy = false;
	}
	km_irq_point();
}

void km_sleep_until(u64 when)
{
	struct km_task *me = km_current();

	if (me->kind != KM_TASK_PROC) {
		if (when > now_ns)
			km_delay_ns(when - now_ns);
		return;
	}
	km_block(&me->wake_at, true, when);
}

void udelay(unsigned long usecs)
{
	km_delay_ns((u64)usecs * 1000);
}

void ndelay(unsigned long nsecs)
{
	km_delay_ns(nsecs);
}

void mdelay(unsigned long msecs)
{
	km_delay_ns((u64)msecs * 1000000);
}

void msleep(unsigned int msecs)
{
	u64 when = now_ns + (u64)msecs * 1000000;

	if (!km_can_sleep("msleep"))
		km_delay_ns((u64)msecs * 1000000);
	else
		km_sleep_until(when);
}

unsigned long msleep_interruptible(unsigned int msecs)
{
	msleep(msecs);
	return 0;
}

void usleep_range(unsigned long min, unsigned long max)
{
	(void)max;
	if (!km_can_sleep("usleep_range"))
		km_delay_ns((u64)min * 1000);
	else
		km_sleep_until(now_ns + (u64)min * 1000);
}

long schedule_timeout(long timeout)
{
	u64 when;

	if (!km_can_sleep("schedule_timeout"))
		return 0;
	if (timeout == MAX_SCHEDULE_TIMEOUT)
		km_fatal("schedule_timeout(MAX_SCHEDULE_TIMEOUT) with nobody to wake the task");
	when = now_ns + (u64)timeout * NS_PER_JIFFY;
	km_sleep_until(when);
	return 0;
}

long schedule_timeout_uninterruptible(long timeout)
{
	return schedule_timeout(timeout);
}

long schedule_timeout_interruptible(long timeout)
{
	return schedule_timeout(timeout);
}

void schedule(void)
{
	_cond_resched();
}

void yield(void)
{
	_cond_resched();
}

/* A voluntary scheduling point: let ready tasks and pending interrupt work run. */
int _cond_resched(void)
{
	struct km_task *me = km_current();

	if (!km_can_sleep("cond_resched"))
		return 0;
	if (me->kind != KM_TASK_PROC)
		return 0;
	if (!ready_head && !km_dev_any_kicked() && !km_irq_any_pending() && !softirq_work_pending())
		return 0;
	ready_push(me);
	km_schedule();
	return 1;
}

/* ---- machine lifetime and settling ---- */

static void km_worker_placeholder(void *arg)
{
	(void)arg;
}

int km_sched_init(void)
{
	if (km_started)
		return KC_EINVAL;
	harness_task = calloc(1, sizeof(*harness_task));
	if (!harness_task)
		return KC_ENOMEM;
	snprintf(harness_task->name, sizeof(harness_task->name), "kcut-sim");
	snprintf(harness_task->ts.comm, sizeof(harness_task->ts.comm), "kcut-sim");
	harness_task->ts.pid = 1;
	harness_task->kind = KM_TASK_PROC;
	harness_task->state = KM_RUNNING;
	harness_task->thread = pthread_self();
	pthread_cond_init(&harness_task->cv, NULL);
	all_tasks = all_tail = harness_task;
	km_self = harness_task;
	km_running = harness_task;
	irq_task = km_task_spawn("irq", KM_TASK_IRQ, km_worker_placeholder, NULL);
	softirq_task = km_task_spawn("ksoftirqd", KM_TASK_SOFTIRQ, km_worker_placeholder, NULL);
	dev_task = km_task_spawn("device", KM_TASK_DEVICE, km_worker_placeholder, NULL);
	now_ns = 0;
	km_set_now(0);
	km_started = true;
	return 0;
}

bool km_sched_started(void)
{
	return km_started;
}

void kc_km_settle(void)
{
	struct km_task *me = km_current();

	if (me != harness_task)
		km_fatal("kc_km_settle() called from %s", me->name);
	for (;;) {
		u64 e;
		bool timed = false;

		if (km_run_interrupt_work())
			continue;
		if (ready_head) {
			ready_push(me);
			km_schedule();
			continue;
		}
		for (struct km_task *x = all_tasks; x; x = x->next_all)
			if (x->kind == KM_TASK_PROC && x->state == KM_BLOCKED && x->timed && !x->exit)
				timed = true;
		if (!timed)
			break;
		if (!km_next_event(&e, true, true))
			break;
		km_advance_to(e);
	}
}

void kc_km_advance(uint64_t ns)
{
	u64 end = now_ns + ns;

	kc_km_settle();
	while (now_ns < end) {
		km_advance_to(end);
		kc_km_settle();
	}
	kc_km_settle();
}

void kc_km_shutdown(void)
{
	/* Service and worker threads stay parked on their condition variables until the process exits:
	 * they never run again because nothing hands them the CPU. */
	km_started = false;
}

/* Context description for reports, e.g. "softirq" or "process kcut-sim". */
const char *km_ctx_name(void)
{
	static __thread char buf[64];
	struct km_task *me = km_self;

	if (!me)
		return "(outside model)";
	if (me->hardirq || me->kind == KM_TASK_IRQ)
		return "hardirq";
	if (me->softirq || me->kind == KM_TASK_SOFTIRQ)
		return "softirq";
	if (me->kind == KM_TASK_DEVICE)
		return "device";
	snprintf(buf, sizeof(buf), "process %s", me->name);
	return buf;
}

/* Module unload: a timer whose callback lives in the unloaded object would jump into unmapped code. */
void km_timers_purge_range(void *fbase, const char *modname)
{
	struct timer_list *t, *n;

	list_for_each_entry_safe(t, n, &timer_list_head, entry) {
		Dl_info info;

		if (dladdr((void *)t->function, &info) && info.dli_fbase == fbase) {
			km_bug("BUG: timer %s still armed after module %s unloaded", t->__kc_name ? t->__kc_name : "?",
			       modname);
			timer_unlink(t);
		}
	}
}
