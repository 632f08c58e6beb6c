/* Nested locks and calls in branches: the held set follows source order. */
#include <linux/spinlock.h>

spinlock_t a_lock, b_lock;

void inner(void);
void outer(void);

void nest(int c)
{
	spin_lock(&a_lock);
	spin_lock(&b_lock);
	inner();
	spin_unlock(&b_lock);
	outer();
	spin_unlock(&a_lock);
	if (spin_trylock(&b_lock)) {
		inner();
		spin_unlock(&b_lock);
	}
}

/*
 * check-name: nested lock regions
 * check-query: SELECT callee, line, spin_held, locks_held FROM v_calls WHERE callee IN ('inner', 'outer')
 *   ORDER BY line
 * check-expect
 * inner|13|1|&a_lock, &b_lock
 * outer|15|1|&a_lock
 * inner|18|1|&b_lock
 * check-expect-end
 *
 * check-query: SELECT op, api, lock_expr FROM lock_op ORDER BY line
 * check-expect
 * lock|spin_lock|&a_lock
 * lock|spin_lock|&b_lock
 * unlock|spin_unlock|&b_lock
 * unlock|spin_unlock|&a_lock
 * trylock|spin_trylock|&b_lock
 * unlock|spin_unlock|&b_lock
 * check-expect-end
 */
