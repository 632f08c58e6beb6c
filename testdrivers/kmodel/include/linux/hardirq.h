/* linux/hardirq.h - kernel model: context queries (see linux/preempt.h). */
#ifndef _KC_LINUX_HARDIRQ_H
#define _KC_LINUX_HARDIRQ_H
#include <linux/preempt.h>
#endif
