/* Flow-sensitive locks in a switch: every case starts from the state before the switch (plus
 * fall-through), break leaves for the code after the switch, no default keeps the entry state. */
#include <linux/spinlock.h>

spinlock_t l;

void c1(void);
void c2(void);
void c3(void);
void dflt(void);
void after(void);
void after2(void);

void sw(int op)
{
	switch (op) {
	case 1:
		spin_lock(&l);
		c1();
		break;
	case 2:
		c2(); /* not held: case 1 broke out */
		/* fall through */
	case 3:
		spin_lock(&l);
		c3();
		spin_unlock(&l);
		break;
	default:
		dflt();
		return;
	}
	after(); /* held via case 1 */
}

void sw_nodefault(int op)
{
	spin_lock(&l);
	switch (op) {
	case 1:
		spin_unlock(&l);
		break;
	}
	after2(); /* held when op != 1 */
}

/*
 * check-name: locks in a switch
 * check-query: SELECT caller, callee, line, spin_held, locks_held FROM v_calls
 *   WHERE callee NOT LIKE 'spin_%' ORDER BY line
 * check-expect
 * sw|c1|19|1|&l
 * sw|c2|22|0|
 * sw|c3|26|1|&l
 * sw|dflt|30|0|
 * sw|after|33|1|&l
 * sw_nodefault|after2|44|1|&l
 * check-expect-end
 */
