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
/* The calling thread's context; km_fatal() if the thread is not one of the model's. */
struct km_task *km_current(void);
/* Block the calling process task until km_wake_chan(chan) or, if timed, until virtual time wake_at
 * (then km_self->timed_out is set). Other contexts run meanwhile. Process tasks only; callers do the
 * might_sleep check first. */
void km_block(const void *chan, bool timed, u64 wake_at);
/* Make every process task blocked on chan ready (FIFO, in task creation order). Any context. */
void km_wake_chan(const void *chan);
/* Create a task with its thread. Service kinds (irq, softirq, device) run jobs handed to them; a
 * process task runs loop(arg) from its first scheduling on and starts blocked (set wait_chan). */
struct km_task *km_task_spawn(const char *name, enum km_task_kind kind, void (*loop)(void *), void *arg);
/* Retire a task: it is never scheduled again (its thread stays parked until exit). */
void km_task_stop(struct km_task *t);
/* Deliver pending interrupts now if the calling context has them enabled (then softirqs if allowed).
 * Called wherever interrupts may have become deliverable: raise, unlock_irqrestore, irq_enable... */
void km_irq_point(void);
/* Run pending softirq work now if the calling context allows bottom halves. */
void km_softirq_point(void);
void km_raise_softirq(void);
void km_irq_pending_set(unsigned int line);
/* The might_sleep() check for model functions: true if the caller may sleep; otherwise a BUG is
 * reported naming `what` and false returned (the caller then degrades to a busy-wait or fails). */
bool km_can_sleep(const char *what);
/* Busy-wait: advance virtual time by ns, letting the device work meanwhile; any context. */
void km_delay_ns(u64 ns);
/* Sleep until virtual time `when` (process tasks block; other contexts busy-wait). */
void km_sleep_until(u64 when);
u64 km_now(void);

/* timers (timer.c) */
u64 km_timer_next_expiry(bool *any);
void km_timers_purge_range(void *fbase, const char *modname);
bool km_timers_run_expired(void);	/* from softirq */

/* log.c: km_log() emits a kernel log line; km_bug() also counts a BUG (and aborts with panic_on_bug);
 * km_fatal() reports and aborts (for states the model cannot continue from). */
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

/* mem.c: km_should_fail() consumes one call of an injected fault point; km_alloc()/km_free() are the
 * tracked allocator without context checks (the public allocators add them). */
bool km_should_fail(int which);
enum { KM_FAIL_KMALLOC, KM_FAIL_DMA_ALLOC, KM_FAIL_DMA_MAP, KM_FAIL_REQUEST_IRQ, KM_FAIL_PCI_ENABLE,
       KM_FAIL_PCI_IOMAP, KM_FAIL_SKB_ALLOC, KM_FAIL_REGISTER_NETDEV, KM_FAIL_SND_CARD_NEW, KM_FAIL_N };
void *km_alloc(size_t size, bool zero, gfp_t gfp, const char *what);	/* no might_sleep check */
void km_free(const void *p);
void km_freed(const void *p, size_t size);	/* tell the free hook (kc_km_set_free_hook) */
void km_alloced(const void *p, size_t size);	/* tell the allocation hook (kc_km_set_alloc_hook) */
void km_dma_release_dev(struct device *dev);	/* unbind: report and drop leftover mappings */
/* The platform glue's hooks (kc_km_set_region_hooks), NULL when none; *arg their argument. */
const struct kc_km_region_hooks *km_region_hooks(void **arg);
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
/* mem.c: remove a device-managed action without running it; 0, or -ENOENT */
int km_devres_remove_action(struct device *dev, void (*action)(void *), void *data);

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
