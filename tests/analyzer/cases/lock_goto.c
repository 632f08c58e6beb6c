/* Flow-sensitive locks with goto: the kernel's unwind ladder (a goto's state flows to its label,
 * the code after a goto is not reached from it) and a backward goto (retry) whose lock reaches
 * code already walked. */
#include <linux/spinlock.h>

spinlock_t a, b;

int step(void);
void work(void);
void unwound(void);
void done(void);
void top(void);

int ladder(void)
{
	int err;

	spin_lock(&a);
	err = step();
	if (err)
		goto out_a;
	spin_lock(&b);
	err = step();
	if (err)
		goto out_b;
	work();
out_b:
	spin_unlock(&b);
out_a:
	unwound();
	spin_unlock(&a);
	done();
	return err;
}

void retry(void)
{
again:
	top(); /* a is held when the backward goto comes back */
	spin_lock(&a);
	if (step())
		goto again;
	spin_unlock(&a);
}

int forward_only(void)
{
	spin_lock(&b);
	if (step())
		goto out;
	spin_unlock(&b);
	work(); /* not held */
out:
	done(); /* held: the goto comes with b */
	return 0;
}

/*
 * check-name: goto unwinding and backward goto
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls
 *   WHERE callee NOT LIKE 'spin_%' ORDER BY line
 * check-expect
 * ladder|step|19|1|&a
 * ladder|step|23|1|&a, &b
 * ladder|work|26|1|&a, &b
 * ladder|unwound|30|1|&a
 * ladder|done|32|0|
 * retry|top|39|1|&a
 * retry|step|41|1|&a
 * forward_only|step|49|1|&b
 * forward_only|work|52|0|
 * forward_only|done|54|1|&b
 * check-expect-end
 */
