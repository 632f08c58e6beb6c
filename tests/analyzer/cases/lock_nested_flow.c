/* Flow-sensitive nested locks and mutexes: releasing the inner lock on an error path; a mutex is
 * tracked in locks_held but does not set spin_held; mutex_lock_interruptible's failure return. */
#include <linux/mutex.h>
#include <linux/spinlock.h>

struct priv {
	struct mutex cfg;
	spinlock_t outer, inner;
	int err;
};

void deep(void);
void mid(void);
void cfg_only(void);
void unlocked(void);

int nested(struct priv *p)
{
	if (mutex_lock_interruptible(&p->cfg))
		return -4;
	cfg_only();
	spin_lock(&p->outer);
	spin_lock(&p->inner);
	if (p->err) {
		spin_unlock(&p->inner);
		spin_unlock(&p->outer);
		mutex_unlock(&p->cfg);
		return -1;
	}
	deep();
	spin_unlock(&p->inner);
	mid();
	spin_unlock(&p->outer);
	cfg_only();
	mutex_unlock(&p->cfg);
	unlocked();
	return 0;
}

void intr_failed(void);

void interruptible(struct priv *p)
{
	if (mutex_lock_interruptible(&p->cfg)) {
		intr_failed(); /* the lock was not taken */
		return;
	}
	cfg_only();
	mutex_unlock(&p->cfg);
}

/*
 * check-name: nested locks and a mutex, flow-sensitive
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls
 *   WHERE callee IN ('deep', 'mid', 'cfg_only', 'unlocked', 'intr_failed') ORDER BY line
 * check-expect
 * nested|cfg_only|21|0|&p->cfg
 * nested|deep|30|1|&p->cfg, &p->outer, &p->inner
 * nested|mid|32|1|&p->cfg, &p->outer
 * nested|cfg_only|34|0|&p->cfg
 * nested|unlocked|36|0|
 * interruptible|intr_failed|45|0|
 * interruptible|cfg_only|48|0|&p->cfg
 * check-expect-end
 */
