/* Flow-sensitive locks: down_trylock succeeds on 0 (the polarity is inverted), a semaphore is not
 * a spinlock; while (1) leaves only through break. */
#include <linux/semaphore.h>
#include <linux/spinlock.h>

struct semaphore sem;
spinlock_t l;

void got(void);
void after(void);
void spin_after(void);
void body(void);

void sem_try(void)
{
	if (down_trylock(&sem))
		return;
	got();
	up(&sem);
	after();
}

void spin_forever(int n)
{
	while (1) {
		spin_lock(&l);
		if (n--)
			break;
		spin_unlock(&l);
		body();
	}
	spin_after(); /* only the break leaves the loop: held */
	spin_unlock(&l);
}

/*
 * check-name: down_trylock polarity and while (1)
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls
 *   WHERE callee IN ('got', 'after', 'spin_after', 'body') ORDER BY line
 * check-expect
 * sem_try|got|18|0|&sem
 * sem_try|after|20|0|
 * spin_forever|body|30|0|
 * spin_forever|spin_after|32|1|&l
 * check-expect-end
 */
