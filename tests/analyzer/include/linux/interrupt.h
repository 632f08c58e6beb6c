#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H
#include <linux/types.h>
typedef int irqreturn_t;
#define IRQ_HANDLED 1
#define IRQ_NONE 0
typedef irqreturn_t (*irq_handler_t)(int, void *);
int request_threaded_irq(unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
			 unsigned long flags, const char *name, void *dev);
static inline int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags,
			      const char *name, void *dev)
{
	return request_threaded_irq(irq, handler, NULL, flags, name, dev);
}
void free_irq(unsigned int irq, void *dev_id);
struct tasklet_struct {
	void (*callback)(struct tasklet_struct *t);
};
void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *));
#define DECLARE_TASKLET(name, _callback) struct tasklet_struct name = { .callback = _callback, }
#endif
