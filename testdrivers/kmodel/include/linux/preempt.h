/*
 * linux/preempt.h - kernel model: execution-context queries and preemption/bottom-half/irq control.
 *
 * These are real in the model: each simulated context (process/harness thread, workqueue thread,
 * softirq thread, interrupt thread) has its own per-thread state (hardirq and softirq nesting, bottom halves
 * disabled, spinlocks held, irqs disabled), so in_interrupt()/in_atomic() answer what Linux would answer.
 */
#ifndef _KC_LINUX_PREEMPT_H
#define _KC_LINUX_PREEMPT_H

#include <linux/types.h>

bool in_interrupt(void);	/* hardirq, softirq, or bottom halves disabled */
bool in_irq(void);		/* hardirq handler */
bool in_hardirq(void);
bool in_softirq(void);		/* serving softirq or bottom halves disabled */
bool in_serving_softirq(void);
bool in_task(void);
bool in_atomic(void);		/* any of the above, a spinlock held, or preempt_disable() */
bool irqs_disabled(void);
void preempt_disable(void);
void preempt_enable(void);
void local_bh_disable(void);
void local_bh_enable(void);
unsigned long __kc_local_irq_save(void);
void local_irq_restore(unsigned long flags);
void local_irq_disable(void);
void local_irq_enable(void);
#define local_irq_save(flags) do { (flags) = __kc_local_irq_save(); } while (0)
#define preempt_count() ((int)in_atomic())

#endif
