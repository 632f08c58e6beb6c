/* Flow-sensitive locks: an unlock on an early-return path does not release the lock for the code
 * after the if (the common kernel error path). */
#include <linux/spinlock.h>

struct adapter {
	spinlock_t lock;
	int err;
};

void foo(void);
void bar(void);
void after(void);

void xmit(struct adapter *a)
{
	spin_lock(&a->lock);
	if (a->err) {
		spin_unlock(&a->lock);
		bar();
		return;
	}
	foo();
	spin_unlock(&a->lock);
	after();
}

int xmit_else(struct adapter *a)
{
	spin_lock(&a->lock);
	if (!a->err)
		foo();
	else {
		spin_unlock(&a->lock);
		return -1;
	}
	spin_unlock(&a->lock);
	after();
	return 0;
}

/*
 * check-name: early-return unlock keeps the lock held afterwards
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls
 *   WHERE callee IN ('foo', 'bar', 'after') ORDER BY line
 * check-expect
 * xmit|bar|19|0|
 * xmit|foo|22|1|&a->lock
 * xmit|after|24|0|
 * xmit_else|foo|31|1|&a->lock
 * xmit_else|after|37|0|
 * check-expect-end
 */
