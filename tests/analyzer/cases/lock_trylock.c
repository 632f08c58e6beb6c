/* Flow-sensitive locks: a trylock holds the lock only where its success was tested. */
#include <linux/mutex.h>
#include <linux/spinlock.h>

spinlock_t l;
struct mutex m;

void got(void);
void missed(void);
void after(void);
void got_neg(void);
void untested(void);
void mgot(void);
void irq_got(void);
void irq_after(void);

void try_if(void)
{
	if (spin_trylock(&l)) {
		got();
		spin_unlock(&l);
	} else {
		missed();
	}
	after();
}

int try_neg(void)
{
	if (!spin_trylock(&l))
		return -1;
	got_neg();
	spin_unlock(&l);
	return 0;
}

void try_untested(void)
{
	int ok = spin_trylock(&l);

	untested(); /* not tested by a condition: conservatively held */
	if (ok)
		spin_unlock(&l);
}

void try_mutex(void)
{
	if (mutex_trylock(&m)) {
		mgot();
		mutex_unlock(&m);
	}
}

void try_irqsave(void)
{
	unsigned long flags;

	if (!spin_trylock_irqsave(&l, flags))
		return;
	irq_got();
	spin_unlock_irqrestore(&l, flags);
	irq_after();
}

/*
 * check-name: trylock held only on the success branch
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls
 *   WHERE callee NOT IN ('spin_trylock', 'spin_unlock', 'mutex_trylock', 'mutex_unlock',
 *   'spin_unlock_irqrestore', 'arch_local_irq_save', 'local_irq_restore') ORDER BY line
 * check-expect
 * try_if|got|20|1|&l
 * try_if|missed|23|0|
 * try_if|after|25|0|
 * try_neg|got_neg|32|1|&l
 * try_untested|untested|41|1|&l
 * try_mutex|mgot|49|0|&m
 * try_irqsave|irq_got|60|1|&l
 * try_irqsave|irq_after|62|0|
 * check-expect-end
 *
 * check-query: SELECT f.name, op, api, lock_expr, irq FROM lock_op JOIN func f ON f.id = func_id ORDER BY lock_op.line
 * check-expect
 * try_if|trylock|spin_trylock|&l|
 * try_if|unlock|spin_unlock|&l|
 * try_neg|trylock|spin_trylock|&l|
 * try_neg|unlock|spin_unlock|&l|
 * try_untested|trylock|spin_trylock|&l|
 * try_untested|unlock|spin_unlock|&l|
 * try_mutex|trylock|mutex_trylock|&m|
 * try_mutex|unlock|mutex_unlock|&m|
 * try_irqsave|trylock|spin_trylock_irqsave|&l|irqsave
 * try_irqsave|unlock|spin_unlock_irqrestore|&l|irqsave
 * check-expect-end
 */
