/*
 * linux/jiffies.h - kernel model: jiffies on the model's virtual clock (HZ=250, starting 5 minutes before
 * the 32-bit wrap like Linux's INITIAL_JIFFIES). Time advances only when the simulation says so (a sleeping
 * task, a delay, or the harness's `wait`), which keeps transcripts deterministic.
 */
#ifndef _KC_LINUX_JIFFIES_H
#define _KC_LINUX_JIFFIES_H

#include <limits.h>
#include <linux/types.h>

#define HZ 250
#define MAX_JIFFY_OFFSET ((LONG_MAX >> 1) - 1)
#define MAX_SCHEDULE_TIMEOUT LONG_MAX
#define INITIAL_JIFFIES ((unsigned long)(unsigned int)(-300 * HZ))

extern volatile unsigned long jiffies;
u64 get_jiffies_64(void);

#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
#define time_in_range(a, b, c) (time_after_eq(a, b) && time_before_eq(a, c))
#define time_is_before_jiffies(a) time_after(jiffies, a)
#define time_is_after_jiffies(a) time_before(jiffies, a)

unsigned long msecs_to_jiffies(const unsigned int m);
unsigned long usecs_to_jiffies(const unsigned int u);
unsigned int jiffies_to_msecs(const unsigned long j);
unsigned int jiffies_to_usecs(const unsigned long j);
unsigned long round_jiffies(unsigned long j);
unsigned long round_jiffies_relative(unsigned long j);
unsigned long round_jiffies_up(unsigned long j);

#endif
