/*
 * kmodel_context_test.c - the kernel model's execution contexts are real: each check below runs code in
 * a context (process, spinlock held, bottom halves off, interrupts off, timer softirq, work item, hardirq)
 * and verifies both what the context queries answer and that sleeping calls are reported exactly where
 * Linux's might_sleep() would report them - and not elsewhere. Spinlock recursion is fatal (checked in a
 * forked child).
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/jiffies.h>
#include <linux/wait.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmodel/kmodel.h"
#include "kc_test.h"

static char logbuf[16384];

static void log_hook(void *arg, const char *line)
{
	size_t n = strlen(logbuf);

	(void)arg;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", line);
}

static DEFINE_SPINLOCK(test_lock);
static DEFINE_MUTEX(test_mutex);

static void test_process_context(void)
{
	unsigned int bugs = kc_km_bug_count();
	uint64_t t0 = kc_km_now_ns();

	KC_CHECK(!in_interrupt());
	KC_CHECK(!in_atomic());
	KC_CHECK(in_task());
	KC_CHECK(!irqs_disabled());
	msleep(10);
	KC_CHECK_EQ_INT(kc_km_now_ns() - t0, 10000000);
	mutex_lock(&test_mutex);
	mutex_unlock(&test_mutex);
	kfree(kmalloc(32, GFP_KERNEL));
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
}

static void test_sleep_under_spinlock(void)
{
	unsigned int bugs = kc_km_bug_count();

	logbuf[0] = 0;
	spin_lock(&test_lock);
	KC_CHECK(in_atomic());
	KC_CHECK(!in_interrupt());
	msleep(1);
	spin_unlock(&test_lock);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);
	KC_CHECK(strstr(logbuf, "BUG: sleeping function called from invalid context in msleep()") != NULL);
	KC_CHECK(strstr(logbuf, "locks held: test_lock") != NULL);
	KC_CHECK(!in_atomic());
}

static void test_bh_and_irqs_off(void)
{
	unsigned int bugs = kc_km_bug_count();
	unsigned long flags;
	void *p;

	spin_lock_bh(&test_lock);
	KC_CHECK(in_softirq());
	KC_CHECK(in_interrupt());
	p = kmalloc(16, GFP_ATOMIC);	/* fine */
	kfree(p);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
	p = kmalloc(16, GFP_KERNEL);	/* may sleep: reported */
	kfree(p);
	spin_unlock_bh(&test_lock);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);

	local_irq_save(flags);
	KC_CHECK(irqs_disabled());
	mutex_lock(&test_mutex);	/* uncontended, but sleeping: reported */
	mutex_unlock(&test_mutex);
	local_irq_restore(flags);
	KC_CHECK(!irqs_disabled());
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 2);
}

static struct timer_list test_timer;
static int timer_runs, timer_in_softirq, timer_in_task;

static void test_timer_fn(struct timer_list *t)
{
	timer_runs++;
	timer_in_softirq = in_serving_softirq() && in_interrupt();
	timer_in_task = in_task();
	msleep(1);	/* a timer callback must not sleep */
}

static void test_timer_context(void)
{
	unsigned int bugs = kc_km_bug_count();

	timer_setup(&test_timer, test_timer_fn, 0);
	mod_timer(&test_timer, jiffies + msecs_to_jiffies(8));
	kc_km_advance(4000000);
	KC_CHECK_EQ_INT(timer_runs, 0);
	kc_km_advance(20000000);
	KC_CHECK_EQ_INT(timer_runs, 1);
	KC_CHECK(timer_in_softirq);
	KC_CHECK(!timer_in_task);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);
	KC_CHECK(!timer_pending(&test_timer));
}

static struct timer_list rearm_timer;
static int rearm_runs;

static void rearm_fn(struct timer_list *t)
{
	rearm_runs++;
	mod_timer(t, jiffies);	/* already due: must wait for the next tick, not spin */
}

/* A timer re-armed for "now" from its own callback fires once per tick (HZ=250: every 4 ms). */
static void test_timer_rearm_next_tick(void)
{
	timer_setup(&rearm_timer, rearm_fn, 0);
	mod_timer(&rearm_timer, jiffies);
	kc_km_settle();
	KC_CHECK_EQ_INT(rearm_runs, 0);	/* not before the next tick */
	kc_km_advance(20000000);	/* 5 ticks */
	KC_CHECK_EQ_INT(rearm_runs, 5);
	del_timer_sync(&rearm_timer);
	kc_km_advance(20000000);
	KC_CHECK_EQ_INT(rearm_runs, 5);
}

static struct work_struct test_work;
static DECLARE_COMPLETION(work_done);
static int work_in_task, work_ran;

static void test_work_fn(struct work_struct *w)
{
	work_in_task = in_task() && !in_interrupt();
	msleep(5);	/* allowed in a work item */
	work_ran++;
	complete(&work_done);
}

static void test_work_context(void)
{
	unsigned int bugs = kc_km_bug_count();
	uint64_t t0 = kc_km_now_ns();

	INIT_WORK(&test_work, test_work_fn);
	KC_CHECK(schedule_work(&test_work));
	KC_CHECK(!schedule_work(&test_work));	/* already pending */
	wait_for_completion(&work_done);	/* the harness task sleeps; the worker runs */
	KC_CHECK_EQ_INT(work_ran, 1);
	KC_CHECK(work_in_task);
	KC_CHECK_EQ_INT(kc_km_now_ns() - t0, 5000000);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
}

/* Process tasks block on each other: the worker waits for a mutex the harness task holds while it sleeps. */
static DEFINE_MUTEX(shared_mutex);
static struct work_struct locker_work;
static DECLARE_COMPLETION(locker_done);
static uint64_t locker_got_at;

static void locker_fn(struct work_struct *w)
{
	mutex_lock(&shared_mutex);
	locker_got_at = kc_km_now_ns();
	mutex_unlock(&shared_mutex);
	complete(&locker_done);
}

static void test_mutex_between_tasks(void)
{
	uint64_t t0 = kc_km_now_ns();

	INIT_WORK(&locker_work, locker_fn);
	mutex_lock(&shared_mutex);
	schedule_work(&locker_work);
	msleep(5);	/* the worker runs and blocks on the mutex */
	KC_CHECK(!completion_done(&locker_done));
	mutex_unlock(&shared_mutex);
	wait_for_completion(&locker_done);
	KC_CHECK_EQ_INT(locker_got_at - t0, 5000000);	/* got it when the harness let go, not before */
}

/* wait_event_timeout: woken by a timer, and a plain timeout. */
static DECLARE_WAIT_QUEUE_HEAD(test_wq);
static int wq_flag;
static struct timer_list wq_timer;

static void wq_timer_fn(struct timer_list *t)
{
	wq_flag = 1;
	wake_up(&test_wq);
}

static void test_wait_event(void)
{
	uint64_t t0 = kc_km_now_ns();
	long left;

	timer_setup(&wq_timer, wq_timer_fn, 0);
	mod_timer(&wq_timer, jiffies + msecs_to_jiffies(8));
	left = wait_event_timeout(test_wq, wq_flag, msecs_to_jiffies(100));
	KC_CHECK(left > 0);
	KC_CHECK(wq_flag);
	KC_CHECK(kc_km_now_ns() - t0 <= 12000000);
	t0 = kc_km_now_ns();
	left = wait_event_timeout(test_wq, wq_flag == 2, msecs_to_jiffies(20));
	KC_CHECK_EQ_INT(left, 0);
	KC_CHECK_EQ_INT(kc_km_now_ns() - t0, 20000000);
}

/* A minimal device and driver to get an interrupt line. */
static struct kc_km_pci_dev *tdev;
static int irq_runs, irq_was_hardirq, irq_sleep;
static struct pci_dev *bound;

static irqreturn_t test_irq(int irq, void *dev_id)
{
	irq_runs++;
	irq_was_hardirq = in_irq() && irqs_disabled() && !in_task();
	if (irq_sleep)
		msleep(1);
	return IRQ_HANDLED;
}

static int test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	bound = pdev;
	return request_irq(pdev->irq, test_irq, 0, "ctxtest", pdev);
}

static void test_remove(struct pci_dev *pdev)
{
	free_irq(pdev->irq, pdev);
}

static const struct pci_device_id test_ids[] = { { PCI_DEVICE(0x1234, 0x0001) }, { 0 } };
static struct pci_driver test_driver = {
	.name = "ctxtest", .id_table = test_ids, .probe = test_probe, .remove = test_remove,
};

static void test_irq_context(void)
{
	struct kc_km_pci_desc desc = { .model = "ctxtest", .vendor = 0x1234, .device = 0x0001,
				       .bar_size = { 4096 } };
	struct kc_err err = { 0 };
	unsigned int bugs = kc_km_bug_count();
	unsigned long flags;

	KC_REQUIRE(kc_km_pci_add(&tdev, &desc, NULL, &err) == 0);
	KC_REQUIRE(__pci_register_driver(&test_driver, NULL, "ctxtest") == 0);
	KC_REQUIRE(bound != NULL);
	kc_km_irq_raise(tdev);	/* interrupts are on: delivered at once */
	KC_CHECK_EQ_INT(irq_runs, 1);
	KC_CHECK(irq_was_hardirq);
	spin_lock_irqsave(&test_lock, flags);
	kc_km_irq_raise(tdev);	/* held off while interrupts are disabled */
	KC_CHECK_EQ_INT(irq_runs, 1);
	spin_unlock_irqrestore(&test_lock, flags);
	KC_CHECK_EQ_INT(irq_runs, 2);	/* ... and delivered when they are re-enabled */
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
	irq_sleep = 1;
	kc_km_irq_raise(tdev);
	KC_CHECK_EQ_INT(irq_runs, 3);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);	/* sleeping in a hardirq handler */
	pci_unregister_driver(&test_driver);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);	/* remove() released the IRQ: no leak report */
	kc_km_pci_del(tdev);
}

static void test_spinlock_recursion_is_fatal(void)
{
	pid_t pid;
	int status = 0;

	fflush(NULL);
	pid = fork();
	KC_REQUIRE(pid >= 0);
	if (pid == 0) {
		kc_km_set_log(NULL, NULL);
		spin_lock(&test_lock);
		spin_lock(&test_lock);
		_exit(0);
	}
	KC_REQUIRE(waitpid(pid, &status, 0) == pid);
	KC_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int main(void)
{
	struct kc_err err = { 0 };

	if (kc_km_init(NULL, &err)) {
		fprintf(stderr, "kc_km_init: %s\n", err.msg);
		return 1;
	}
	kc_km_set_log(log_hook, NULL);
	KC_RUN(test_process_context);
	KC_RUN(test_sleep_under_spinlock);
	KC_RUN(test_bh_and_irqs_off);
	KC_RUN(test_timer_context);
	KC_RUN(test_timer_rearm_next_tick);
	KC_RUN(test_work_context);
	KC_RUN(test_mutex_between_tasks);
	KC_RUN(test_wait_event);
	KC_RUN(test_irq_context);
	KC_RUN(test_spinlock_recursion_is_fatal);
	kc_km_shutdown();
	return kc_test_done();
}
