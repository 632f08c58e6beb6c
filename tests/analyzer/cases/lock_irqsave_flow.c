/* Flow-sensitive locks with the irqsave (a do { } while (0) macro), _irq and _bh forms. */
#include <linux/spinlock.h>

struct adapter {
	spinlock_t lock;
	spinlock_t stats;
	int busy;
};

void tx(struct adapter *);
void stats(void);
void idle(void);

int xmit(struct adapter *a)
{
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	if (a->busy) {
		spin_unlock_irqrestore(&a->lock, flags);
		return 1;
	}
	tx(a);
	spin_unlock_irqrestore(&a->lock, flags);
	idle();
	return 0;
}

void poll(struct adapter *a)
{
	spin_lock_bh(&a->stats);
	if (a->busy)
		goto out;
	stats();
out:
	spin_unlock_bh(&a->stats);
	spin_lock_irq(&a->lock);
	while (a->busy)
		tx(a);
	spin_unlock_irq(&a->lock);
	idle();
}

/*
 * check-name: irqsave, _irq and _bh forms, flow-sensitive
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls
 *   WHERE callee IN ('tx', 'stats', 'idle') ORDER BY line
 * check-expect
 * xmit|tx|23|1|&a->lock
 * xmit|idle|25|0|
 * poll|stats|34|1|&a->stats
 * poll|tx|39|1|&a->lock
 * poll|idle|41|0|
 * check-expect-end
 */
