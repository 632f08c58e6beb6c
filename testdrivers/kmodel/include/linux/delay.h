/*
 * linux/delay.h - kernel model: busy-wait delays (udelay/mdelay/ndelay: advance virtual time, allowed in
 * atomic context) and sleeps (msleep/usleep_range/ssleep: might_sleep(), block the task until virtual time
 * reaches the deadline, letting other contexts run).
 */
#ifndef _KC_LINUX_DELAY_H
#define _KC_LINUX_DELAY_H

#include <linux/types.h>

void udelay(unsigned long usecs);
void ndelay(unsigned long nsecs);
void mdelay(unsigned long msecs);
void msleep(unsigned int msecs);
unsigned long msleep_interruptible(unsigned int msecs);
void usleep_range(unsigned long min, unsigned long max);
static inline void ssleep(unsigned int seconds)
{
	msleep(seconds * 1000);
}
static inline void fsleep(unsigned long usecs)
{
	if (usecs <= 10)
		udelay(usecs);
	else if (usecs <= 20000)
		usleep_range(usecs, 2 * usecs);
	else
		msleep((unsigned int)((usecs + 999) / 1000));
}

#endif
