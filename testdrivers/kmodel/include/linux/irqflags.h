/* linux/irqflags.h - kernel model: local_irq_save() and friends (see linux/preempt.h). */
#ifndef _KC_LINUX_IRQFLAGS_H
#define _KC_LINUX_IRQFLAGS_H
#include <linux/preempt.h>
#endif
