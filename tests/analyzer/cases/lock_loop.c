/* Flow-sensitive locks in loops: a balanced lock inside the body; a lock taken at the end of the
 * body reaches the next iteration (back edge); break with the lock held reaches the exit;
 * continue; a lock loop in a do { } while (0) macro is not a loop. */
#include <linux/spinlock.h>

spinlock_t l;

void per_item(int);
void outside(void);
void head(void);
void tail_held(void);
void body_top(void);
void skip(void);

void balanced(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		spin_lock(&l);
		per_item(i);
		spin_unlock(&l);
	}
	outside();
}

void back_edge(int n)
{
	while (n--) {
		body_top(); /* held from the second iteration on */
		spin_lock(&l);
	}
	tail_held();
	spin_unlock(&l);
}

void break_held(int n)
{
	for (;;) {
		spin_lock(&l);
		if (n-- == 0)
			break;
		spin_unlock(&l);
		head();
	}
	tail_held(); /* only the break leaves the loop: held */
	spin_unlock(&l);
}

void with_continue(int n)
{
	spin_lock(&l);
	do {
		if (n & 1) {
			spin_unlock(&l);
			continue;
		}
		skip(); /* held on the first iteration */
	} while (--n);
	outside(); /* maybe held: reported held */
}

/*
 * check-name: locks in loops
 * check-query: SELECT caller, callee, line, loop_depth, spin_held, locks_held FROM v_calls
 *   WHERE callee NOT LIKE 'spin_%' ORDER BY line
 * check-expect
 * balanced|per_item|21|1|1|&l
 * balanced|outside|24|0|0|
 * back_edge|body_top|30|1|1|&l
 * back_edge|tail_held|33|0|1|&l
 * break_held|head|44|1|0|
 * break_held|tail_held|46|0|1|&l
 * with_continue|skip|58|1|1|&l
 * with_continue|outside|60|0|1|&l
 * check-expect-end
 */
