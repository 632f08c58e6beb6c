/*
 * km_internal.h - shared declarations between the kernel model's source files (not for drivers, devices
 * or the harness: they use kmodel.h and the <linux/...> headers).
 */
#ifndef KC_KM_INTERNAL_H
#define KC_KM_INTERNAL_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/sched.h>
#include <stdarg.h>
#include <pthread.h>

#include "kmodel.h"

struct device;

enum km_task_kind {
	KM_TASK_PROC,		/* process context: the harness task, workqueue workers */
	KM_TASK_IRQ,		/* runs hardirq handlers */
	KM_TASK_SOFTIRQ,	/* runs timers, tasklets, NAPI, TX wakeups */
	KM_TASK_DEVICE,		/* runs device models' step() */
};

#define KM_MAX_HELD 16

struct km_task {
	char name[32];
	enum km_task_kind kind;
	pthread_t thread;
	pthread_cond_t cv;
	/* execution-context state */
	int hardirq;
	int softirq;		/* serving softirq */
	int bh_disabled;
	int preempt;		/* spinlocks held + preempt_disable() */
	int irqs_off;
	spinlock_t *held[KM_MAX_HELD];
	int nheld;
	/* scheduling (process tasks) */
	int state;		/* KM_RUNNING, KM_READY, KM_BLOCKED */
	const void *wait_chan;	/* what a blocked task waits for */
	bool timed;
	u64 wake_at;
	bool timed_out;
	struct km_task *next_ready;
	struct km_task *next_all;
	/* service threads: the job and whom to hand the CPU back to */
	void (*job)(void *arg);
	void *job_arg;
	struct km_task *ret_to;
	bool exit;
	struct task_struct ts;
	struct workqueue_struct *wq;	/* worker tasks */
};

extern __thread struct km_task *km_self;

/* sched.c */
struct km_task *km_current(void);
void km_block(const void *chan, bool timed, u64 wake_at);	/* process tasks only */
void km_wake_chan(const void *chan);
struct km_task *km_task_spawn(const char *name, enum km_task_kind kind, void (*loop)(void *), void *arg);
void km_task_stop(struct km_task *t);
void km_irq_point(void);	/* interrupts may have become deliverable */
void km_softirq_point(void);	/* bottom halves may have become runnable */
void km_raise_softirq(void);
void km_irq_pending_set(unsigned int line);
bool km_can_sleep(const char *what);	/* might_sleep() check with a function name; false = reported */
void km_delay_ns(u64 ns);	/* busy wait */
void km_sleep_until(u64 when);	/* process sleep (after the might_sleep check) */
u64 km_now(void);
void km_run_softirq_now(void);

/* timers (timer.c) */
u64 km_timer_next_expiry(bool *any);
void km_timers_purge_range(void *fbase, const char *modname);
bool km_timers_run_expired(void);	/* from softirq */

/* log.c */
void km_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void km_vlog(int level, const char *prefix, const char *fmt, va_list ap);
void km_bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* counted BUG */
__attribute__((noreturn)) void km_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void km_log_locks_held(void);
void km_warn_bump(void);
void km_log_configure(bool panic, bool to_stderr);
int km_sched_init(void);
bool km_sched_started(void);
void km_workqueue_init(void);
const char *km_ctx_name(void);
const char *km_basename(const char *path);
int km_vformat(char *buf, size_t size, const char *fmt, va_list ap);

/* mem.c */
bool km_should_fail(int which);
enum { KM_FAIL_KMALLOC, KM_FAIL_DMA_ALLOC, KM_FAIL_DMA_MAP, KM_FAIL_REQUEST_IRQ, KM_FAIL_PCI_ENABLE,
       KM_FAIL_PCI_IOMAP, KM_FAIL_SKB_ALLOC, KM_FAIL_REGISTER_NETDEV, KM_FAIL_SND_CARD_NEW, KM_FAIL_N };
void *km_alloc(size_t size, bool zero, gfp_t gfp, const char *what);	/* no might_sleep check */
void km_free(const void *p);
void km_dma_release_dev(struct device *dev);	/* unbind: report and drop leftover mappings */
extern size_t km_skb_live;

/* pci.c */
struct kc_km_pci_dev *km_pci_from_dev(struct device *dev);
struct device *km_pci_device(struct kc_km_pci_dev *d);
void km_irq_deliver_pending(void);	/* on the irq task */
bool km_irq_any_pending(void);
void km_dev_run_steps(u64 upto);	/* on the device task: kicks and deadlines <= upto */
bool km_dev_any_kicked(void);
u64 km_dev_next_deadline(bool *any);
void km_pci_driver_unbind_all_for_module(void);

/* module.c */
void km_module_devres_release(struct device *dev);

/* net.c */
bool km_net_softirq(void);	/* NAPI + TX wakeups; true if work remains */
bool km_net_pending(void);

void km_check_balanced(struct km_task *me, const char *what, int preempt, int bh, int irqs_off);
/* tasklets (sched.c) */
bool km_tasklets_run(void);
bool km_tasklets_pending(void);

#define KM_RUNNING 0
#define KM_READY 1
#define KM_BLOCKED 2

#endif
