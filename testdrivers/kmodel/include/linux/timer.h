/*
 * linux/timer.h - kernel model: kernel timers. Callbacks run in softirq context on the model's softirq thread
 * when virtual time passes `expires`, in expiry order (ties in arming order). As with the timer wheel, a
 * timer armed for a time that has already come fires at the next tick, not at once.
 */
#ifndef _KC_LINUX_TIMER_H
#define _KC_LINUX_TIMER_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>

struct timer_list {
	struct list_head entry;	/* on the model's timer list while pending */
	unsigned long expires;
	void (*function)(struct timer_list *);
	u32 flags;
	u64 __kc_seq;		/* arming order, for deterministic ties */
	unsigned long __kc_due;	/* expires, or the next tick if expires had already passed when armed */
	int __kc_pending;
	const char *__kc_name;
};

#define TIMER_DEFERRABLE 0x00080000
#define TIMER_PINNED 0x00100000
#define TIMER_IRQSAFE 0x00200000

void __kc_timer_setup(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags,
		      const char *name);
#define timer_setup(timer, callback, flags) __kc_timer_setup(timer, callback, flags, #callback)
#define from_timer(var, callback_timer, timer_fieldname) \
	container_of(callback_timer, __typeof__(*var), timer_fieldname)

void add_timer(struct timer_list *timer);
int mod_timer(struct timer_list *timer, unsigned long expires);
int del_timer(struct timer_list *timer);
int del_timer_sync(struct timer_list *timer);
int timer_pending(const struct timer_list *timer);
#define timer_shutdown_sync(t) del_timer_sync(t)

#endif
