/* Conditions split at '&&', '||', '!' and '?:' as C evaluates them, and a for statement's
 * condition split from its init and increment: a trylock tested inside a compound condition is
 * held only where the condition says it succeeded. */
#include <linux/spinlock.h>

spinlock_t l, m;

void got(void);
void missed(void);
void after(void);
void cond_call(void);

void and_try(int ready)
{
	if (ready && spin_trylock(&l)) {
		got(); /* held */
		spin_unlock(&l);
	} else {
		missed(); /* not held: either ready was false or the trylock failed */
	}
	after();
}

void or_try(int busy)
{
	if (busy || !spin_trylock(&l)) {
		missed(); /* not held */
		return;
	}
	got(); /* held */
	spin_unlock(&l);
}

void not_or(int busy)
{
	if (!(busy || !spin_trylock(&l)))
		got(); /* held */
	else
		missed(); /* not held */
}

void try_then_call(void)
{
	/* the right operand runs with the lock held when the trylock succeeded */
	if (spin_trylock(&l) && (cond_call(), 1))
		got();
}

void ternary(int a)
{
	if (a ? spin_trylock(&l) : spin_trylock(&m))
		got(); /* &l or &m */
	else
		missed(); /* neither */
}

void for_try(int n)
{
	int i;

	/* spin until the lock is taken: the loop exits only through a successful trylock */
	for (i = 0; !spin_trylock(&l); i++)
		missed();
	got(); /* held */
	spin_unlock(&l);
}

void for_lock_in_inc(int n)
{
	int i;

	/* the increment runs after the body: the lock it takes reaches the next iteration's body */
	for (i = 0; i < n; i++, spin_lock(&l)) {
		cond_call(); /* held from the second iteration on */
		if (i)
			spin_unlock(&l);
	}
	after();
}

/*
 * check-name: compound conditions and for-statement parts
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls
 *   WHERE callee NOT IN ('spin_trylock', 'spin_unlock', 'spin_lock') ORDER BY line
 * check-expect
 * and_try|got|16|1|&l
 * and_try|missed|19|0|
 * and_try|after|21|0|
 * or_try|missed|27|0|
 * or_try|got|30|1|&l
 * not_or|got|37|1|&l
 * not_or|missed|39|0|
 * try_then_call|cond_call|45|1|&l
 * try_then_call|got|46|1|&l
 * ternary|got|52|1|&l, &m
 * ternary|missed|54|0|
 * for_try|missed|63|0|
 * for_try|got|64|1|&l
 * for_lock_in_inc|cond_call|74|1|&l
 * for_lock_in_inc|after|78|1|&l
 * check-expect-end
 */
