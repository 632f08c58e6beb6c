/*
 * linux/wait.h - kernel model: wait queues and the wait_event*() family. The waits sleep (might_sleep())
 * and re-test the condition after every wake_up() on the queue or when the timeout expires.
 */
#ifndef _KC_LINUX_WAIT_H
#define _KC_LINUX_WAIT_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/sched.h>

typedef struct wait_queue_head {
	unsigned long seq;	/* bumped by every wake_up() */
	spinlock_t lock;
} wait_queue_head_t;

void __kc_init_waitqueue_head(wait_queue_head_t *wq, const char *name);
#define init_waitqueue_head(wq) __kc_init_waitqueue_head(wq, #wq)
#define DECLARE_WAIT_QUEUE_HEAD(name) wait_queue_head_t name = { 0, __SPIN_LOCK_UNLOCKED(name.lock) }
void wake_up(wait_queue_head_t *wq);
#define wake_up_all(wq) wake_up(wq)
#define wake_up_interruptible(wq) wake_up(wq)
#define wake_up_interruptible_all(wq) wake_up(wq)
/* Sleep until wq is woken or `timeout` jiffies pass; returns the jiffies left (0 on timeout). */
long __kc_wait_queue_sleep(wait_queue_head_t *wq, long timeout);

#define wait_event_timeout(wq, condition, timeout) ({                                   \
	long __ret = (timeout);                                                         \
	if (!(condition)) {                                                             \
		for (;;) {                                                              \
			__ret = __kc_wait_queue_sleep(&(wq), __ret);                    \
			if (condition) { if (!__ret) __ret = 1; break; }                \
			if (!__ret) break;                                              \
		}                                                                       \
	}                                                                               \
	__ret; })
#define wait_event(wq, condition) do { \
	while (!(condition)) __kc_wait_queue_sleep(&(wq), MAX_SCHEDULE_TIMEOUT); } while (0)
#define wait_event_interruptible(wq, condition) ({ wait_event(wq, condition); 0; })
#define wait_event_interruptible_timeout(wq, condition, timeout) wait_event_timeout(wq, condition, timeout)

#endif
