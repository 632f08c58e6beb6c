/*
 * rules.c - a driver that breaks the emitter's two safety rules on purpose: the interrupt handler
 * calls a user-half function with a spinlock held (an upcall that could sleep in atomic context),
 * a user-half function indexes DMA-coherent memory (which is never copied), and a user-half function
 * is registered as a timer callback (timers run in softirq context). `kcut emit` must report each
 * at its position and write nothing.
 */
#include <kdev.h>

struct rdev {
	struct timer_list watchdog;
	spinlock_t lock;
	int n;
	u32 *ring;
	unsigned long long ring_dma;
};

static int slow_update(struct rdev *r)
{
	r->n++;
	return 0;
}

int rules_isr_helper(struct rdev *r)
{
	int ret;

	spin_lock(&r->lock);
	ret = slow_update(r);
	spin_unlock(&r->lock);
	return ret;
}

int rules_setup(struct rdev *r)
{
	r->ring = dma_alloc_coherent(NULL, 64, &r->ring_dma, 0);
	return r->ring ? 0 : -12;
}

int rules_peek(struct rdev *r)
{
	return (int)r->ring[0];
}

static void rules_watchdog(struct timer_list *t)
{
	t->expires++;
}

void rules_start(struct rdev *r)
{
	timer_setup(&r->watchdog, rules_watchdog, 0);
}
