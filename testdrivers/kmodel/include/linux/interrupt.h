/*
 * linux/interrupt.h - kernel model: request_irq()/free_irq(), tasklets, disable_irq()/enable_irq().
 *
 * Interrupt handlers run on the model's interrupt thread in hardirq context. A device raises its line; the
 * handler runs as soon as the interrupted context has interrupts enabled (at once, or at the matching
 * spin_unlock_irqrestore()/local_irq_enable()). Tasklets run in softirq context.
 */
#ifndef _KC_LINUX_INTERRUPT_H
#define _KC_LINUX_INTERRUPT_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/irqreturn.h>
#include <linux/preempt.h>
#include <linux/hardirq.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/bitops.h>

typedef irqreturn_t (*irq_handler_t)(int, void *);

#define IRQF_SHARED 0x00000080
#define IRQF_PROBE_SHARED 0x00000100
#define IRQF_ONESHOT 0x00002000
#define IRQF_NO_SUSPEND 0x00004000
#define IRQF_TRIGGER_NONE 0x00000000

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev);
int request_threaded_irq(unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
			 unsigned long flags, const char *name, void *dev);
const void *free_irq(unsigned int irq, void *dev_id);
void disable_irq(unsigned int irq);
void disable_irq_nosync(unsigned int irq);
void enable_irq(unsigned int irq);
void synchronize_irq(unsigned int irq);

struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state;	/* bit 0 scheduled, bit 1 running */
	atomic_t count;		/* disable count */
	bool use_callback;
	union {
		void (*func)(unsigned long data);
		void (*callback)(struct tasklet_struct *t);
	};
	unsigned long data;
	struct list_head __kc_entry;
};

void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data);
void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *));
void tasklet_schedule(struct tasklet_struct *t);
void tasklet_hi_schedule(struct tasklet_struct *t);
void tasklet_kill(struct tasklet_struct *t);
void tasklet_disable(struct tasklet_struct *t);
void tasklet_enable(struct tasklet_struct *t);
#define from_tasklet(var, callback_tasklet, tasklet_fieldname) \
	container_of(callback_tasklet, __typeof__(*var), tasklet_fieldname)

#endif
