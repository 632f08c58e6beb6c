/*
 * workqueue.c - the kernel model's workqueues: one worker task (process context) per workqueue, work items
 * run in queueing order, delayed work through a timer, and the cancel/flush family that waits for a
 * running item to finish.
 */
#include <linux/kernel.h>
#include <linux/workqueue.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/bitops.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "km_internal.h"

struct workqueue_struct {
	char name[32];
	struct list_head items;
	struct work_struct *running;
	struct km_task *worker;
	bool dying;
};

struct workqueue_struct *system_wq;

static void worker_loop(void *arg)
{
	struct workqueue_struct *wq = arg;
	struct km_task *me = km_self;

	for (;;) {
		struct work_struct *w;

		while (list_empty(&wq->items))
			km_block(wq, false, 0);
		w = list_first_entry(&wq->items, struct work_struct, entry);
		list_del_init(&w->entry);
		clear_bit(0, &w->data);
		wq->running = w;
		w->func(w);
		km_check_balanced(me, "work item", 0, 0, 0);
		wq->running = NULL;
		km_wake_chan(w);
	}
}

static struct workqueue_struct *wq_create(const char *name)
{
	struct workqueue_struct *wq = calloc(1, sizeof(*wq));
	char tname[48];

	if (!wq)
		return NULL;
	snprintf(wq->name, sizeof(wq->name), "%s", name);
	INIT_LIST_HEAD(&wq->items);
	snprintf(tname, sizeof(tname), "kworker/%s", name);
	wq->worker = km_task_spawn(tname, KM_TASK_PROC, worker_loop, wq);
	wq->worker->wq = wq;
	wq->worker->wait_chan = wq;	/* starts blocked, waiting for work */
	return wq;
}

void km_workqueue_init(void)
{
	system_wq = wq_create("events");
}

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...)
{
	char name[32];
	va_list ap;

	(void)flags;
	(void)max_active;
	km_can_sleep("alloc_workqueue");
	va_start(ap, max_active);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return wq_create(name);
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	if (!wq)
		return;
	flush_workqueue(wq);
	wq->dying = true;
	km_task_stop(wq->worker);
	/* The worker task stays parked (blocked on wq) and wq is kept: it is tiny and never reused. */
}

void __kc_init_work(struct work_struct *work, work_func_t func, const char *name)
{
	work->data = 0;
	INIT_LIST_HEAD(&work->entry);
	work->func = func;
	work->__kc_wq = NULL;
	work->__kc_name = name;
}

static void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dwork = from_timer(dwork, t, timer);

	clear_bit(0, &dwork->work.data);
	queue_work(dwork->wq ? dwork->wq : system_wq, &dwork->work);
}

void __kc_init_delayed_work(struct delayed_work *dwork, work_func_t func, const char *name)
{
	__kc_init_work(&dwork->work, func, name);
	__kc_timer_setup(&dwork->timer, delayed_work_timer_fn, 0, name);
	dwork->wq = NULL;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	if (!wq || wq->dying) {
		km_bug("BUG: queue_work on a destroyed workqueue");
		return false;
	}
	if (!work->func) {
		km_bug("BUG: queue_work of an uninitialised work item (INIT_WORK missing)");
		return false;
	}
	if (test_and_set_bit(0, &work->data))
		return false;
	work->__kc_wq = wq;
	list_add_tail(&work->entry, &wq->items);
	km_wake_chan(wq);
	return true;
}

bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork, unsigned long delay)
{
	if (test_bit(0, &dwork->work.data))
		return false;
	dwork->wq = wq;
	if (!delay)
		return queue_work(wq, &dwork->work);
	set_bit(0, &dwork->work.data);
	dwork->timer.expires = jiffies + delay;
	mod_timer(&dwork->timer, dwork->timer.expires);
	return true;
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork, unsigned long delay)
{
	bool was = cancel_delayed_work(dwork);

	queue_delayed_work(wq, dwork, delay);
	return was;
}

bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay)
{
	return queue_delayed_work(system_wq, dwork, delay);
}

/* Remove a queued (not running) item; true if it was pending. */
static bool work_dequeue(struct work_struct *work)
{
	if (!test_bit(0, &work->data))
		return false;
	if (!list_empty(&work->entry))
		list_del_init(&work->entry);
	clear_bit(0, &work->data);
	return true;
}

static bool work_running(struct work_struct *work)
{
	return work->__kc_wq && work->__kc_wq->running == work;
}

static void wait_for_work(struct work_struct *work, const char *fn)
{
	if (!work_running(work) && !test_bit(0, &work->data))
		return;
	if (km_self && km_self->wq && km_self->wq->running == work) {
		km_bug("BUG: %s() of the work item that is running it (self-deadlock)", fn);
		return;
	}
	if (!km_can_sleep(fn))
		return;
	while (work_running(work) || test_bit(0, &work->data))
		km_block(work, false, 0);
}

bool cancel_work(struct work_struct *work)
{
	return work_dequeue(work);
}

bool cancel_work_sync(struct work_struct *work)
{
	bool was = work_dequeue(work);

	wait_for_work(work, "cancel_work_sync");
	return was;
}

bool cancel_delayed_work(struct delayed_work *dwork)
{
	bool was = del_timer(&dwork->timer);

	if (was)
		clear_bit(0, &dwork->work.data);
	return work_dequeue(&dwork->work) || was;
}

bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	bool was = cancel_delayed_work(dwork);

	wait_for_work(&dwork->work, "cancel_delayed_work_sync");
	return was;
}

bool flush_work(struct work_struct *work)
{
	bool busy = work_running(work) || test_bit(0, &work->data);

	wait_for_work(work, "flush_work");
	return busy;
}

bool flush_delayed_work(struct delayed_work *dwork)
{
	if (del_timer(&dwork->timer)) {
		clear_bit(0, &dwork->work.data);
		queue_work(dwork->wq ? dwork->wq : system_wq, &dwork->work);
	}
	return flush_work(&dwork->work);
}

void flush_workqueue(struct workqueue_struct *wq)
{
	if (!km_can_sleep("flush_workqueue"))
		return;
	if (km_self && km_self->wq == wq) {
		km_bug("BUG: flush_workqueue() from a work item of the same workqueue (self-deadlock)");
		return;
	}
	while (!list_empty(&wq->items) || wq->running) {
		struct work_struct *w = wq->running ? wq->running :
				      list_last_entry(&wq->items, struct work_struct, entry);

		km_block(w, false, 0);
	}
}

void flush_scheduled_work(void)
{
	flush_workqueue(system_wq);
}
