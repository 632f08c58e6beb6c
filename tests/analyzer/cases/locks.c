/* Lock regions: spin_lock / irqsave (a macro) / bh, mutex; spin_held on every call site. */
#include <linux/mutex.h>
#include <linux/spinlock.h>

struct adapter {
	spinlock_t lock;
	spinlock_t stats_lock;
	struct mutex mtx;
};

void work(int);

void locked(struct adapter *a)
{
	unsigned long flags;

	work(0);
	spin_lock(&a->lock);
	work(1);
	spin_unlock(&a->lock);
	work(2);
	spin_lock_irqsave(&a->stats_lock, flags);
	work(3);
	spin_unlock_irqrestore(&a->stats_lock, flags);
	spin_lock_bh(&a->lock);
	work(4);
	spin_unlock_bh(&a->lock);
	mutex_lock(&a->mtx);
	work(5);
	mutex_unlock(&a->mtx);
}

/*
 * check-name: lock operations and spin_held
 * check-query: SELECT op, api, lock_kind, lock_expr, irq, line FROM lock_op ORDER BY line
 * check-expect
 * lock|spin_lock|spin|&a->lock||18
 * unlock|spin_unlock|spin|&a->lock||20
 * lock|spin_lock_irqsave|spin|&a->stats_lock|irqsave|22
 * unlock|spin_unlock_irqrestore|spin|&a->stats_lock|irqsave|24
 * lock|spin_lock_bh|spin|&a->lock|bh|25
 * unlock|spin_unlock_bh|spin|&a->lock|bh|27
 * lock|mutex_lock|mutex|&a->mtx||28
 * unlock|mutex_unlock|mutex|&a->mtx||30
 * check-expect-end
 *
 * check-query: SELECT callee, line, spin_held, locks_held FROM v_calls WHERE callee = 'work' ORDER BY line
 * check-expect
 * work|17|0|
 * work|19|1|&a->lock
 * work|21|0|
 * work|23|1|&a->stats_lock
 * work|26|1|&a->lock
 * work|29|0|&a->mtx
 * check-expect-end
 */
