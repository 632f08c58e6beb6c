/* linux/sched.h - kernel model: schedule_timeout(), task states, `current`. */
#ifndef _KC_LINUX_SCHED_H
#define _KC_LINUX_SCHED_H

#include <linux/types.h>
#include <linux/jiffies.h>

#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
#define TASK_COMM_LEN 16

struct task_struct {
	char comm[TASK_COMM_LEN];
	int pid;
};

struct task_struct *__kc_current(void);
#define current __kc_current()
#define set_current_state(s) do { (void)(s); } while (0)
#define __set_current_state(s) do { (void)(s); } while (0)
#define signal_pending(p) 0
long schedule_timeout(long timeout);
long schedule_timeout_uninterruptible(long timeout);
long schedule_timeout_interruptible(long timeout);
void schedule(void);
void yield(void);

#endif
