/* Flow-sensitive locks: if/else with a lock taken or released in one branch only. The merge is a
 * union: held on either incoming path counts as held ("maybe held", the conservative side). */
#include <linux/spinlock.h>

spinlock_t l;

void in_then(void);
void in_else(void);
void merged(void);
void both(void);
void released(void);

void asym_take(int c)
{
	if (c) {
		spin_lock(&l);
		in_then();
	} else {
		in_else();
	}
	merged();
}

void both_take(int c)
{
	if (c)
		spin_lock(&l);
	else
		spin_lock(&l);
	both();
	spin_unlock(&l);
}

void asym_release(int c)
{
	spin_lock(&l);
	if (c)
		spin_unlock(&l);
	released();
}

/*
 * check-name: if/else asymmetric locking
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls ORDER BY line
 * check-expect
 * asym_take|spin_lock|16|0|
 * asym_take|in_then|17|1|&l
 * asym_take|in_else|19|0|
 * asym_take|merged|21|1|&l
 * both_take|spin_lock|27|0|
 * both_take|spin_lock|29|0|
 * both_take|both|30|1|&l
 * both_take|spin_unlock|31|1|&l
 * asym_release|spin_lock|36|0|
 * asym_release|spin_unlock|38|1|&l
 * asym_release|released|39|1|&l
 * check-expect-end
 */
