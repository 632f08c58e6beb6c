/* request_irq: the handler passed directly and through a local variable. */
#include <linux/interrupt.h>

static irqreturn_t my_intr(int irq, void *data)
{
	return IRQ_HANDLED;
}

static irqreturn_t my_intr2(int irq, void *data)
{
	return IRQ_NONE;
}

int setup_irq(unsigned int irq, void *dev, int msi)
{
	irq_handler_t handler = my_intr2;
	int err;

	err = request_irq(irq, my_intr, 0, "a", dev);
	if (msi)
		handler = my_intr;
	return err + request_irq(irq + 1, handler, 0, "b", dev);
}

/*
 * check-name: request_irq registrations
 * check-query: SELECT f.name, r.kind, r.api, r.arg_idx, r.macro, b.name FROM registration r
 *   JOIN func f ON f.id = r.func_id JOIN func b ON b.id = r.by_func_id ORDER BY r.line, f.name
 * check-expect
 * my_intr|arg|request_irq|1||setup_irq
 * my_intr|arg|request_irq|1||setup_irq
 * my_intr2|arg|request_irq|1||setup_irq
 * check-expect-end
 */
