/*
 * chip.c - the code of the included case, included by ens.c with CHIP_B defined: chip_run (kernel
 * half) asks the static chip_calc (user half), whose body depends on the macro the including file
 * defines.
 */
#include <kdev.h>

struct chip {
	int rev;
	int val;
	int result;
};

/* user half: the value of the chip's register image */
static int chip_calc(struct chip *c)
{
#ifdef CHIP_B
	c->result = c->val * 2 + c->rev;
#else
	c->result = c->val;
#endif
	return c->result;
}

/* kernel half */
int chip_run(struct chip *c)
{
	return chip_calc(c) + 1;
}
