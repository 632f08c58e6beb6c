/*
 * shared.c - state both halves of a split driver share (docs/emitter.md, "Driver globals",
 * "Shared flag words", "Nested crossings", and a macro defined inside a replaced body):
 *   - debug_level is set by the module loader only (kernel half's copy) and read by the user
 *     half; sh_resets is written by the kernel half and read by the user half: both cross with
 *     the calls whose closures use them;
 *   - ad->flags is a flag word both halves change with bit operations: from the user half they
 *     are downcalls on the kernel's word, and the word never goes back in field sets;
 *   - sh_configure (user) sets ad->speed and calls sh_reset (kernel), which calls back
 *     sh_setup_phy (user) reading it: sh_reset's in-set takes ad->speed;
 *   - SH_MAX_SPEED is defined inside sh_pick_speed's body (user half), under #ifdef, and used by
 *     sh_hw_limit (kernel half): the kernel half keeps the #ifdef/#define/#else/#define/#endif
 *     lines after the stub (the two #defines alone would be a redefinition).
 */
#include <kdev.h>
#include <kbits.h>

struct sh_adapter {
	unsigned long flags;
	u32 speed;
	u32 count;
};

enum { SH_DOWN, SH_RESETTING };

static int debug_level = 3;
static unsigned int sh_resets;

static u32 sh_pick_speed(struct sh_adapter *ad)
{
#ifdef SH_SLOW_PHY
#define SH_MAX_SPEED 100
#else
#define SH_MAX_SPEED 1000
#endif
	return ad->speed > SH_MAX_SPEED ? SH_MAX_SPEED : ad->speed;
}

static u32 sh_hw_limit(void)
{
	return SH_MAX_SPEED / 10;
}

static int sh_setup_phy(struct sh_adapter *ad)
{
	return (int)sh_pick_speed(ad);
}

int sh_reset(struct sh_adapter *ad)
{
	sh_resets++;
	ad->count = sh_hw_limit();
	if (test_bit(SH_DOWN, &ad->flags))
		return 0;
	return sh_setup_phy(ad);
}

int sh_configure(struct sh_adapter *ad)
{
	if (sh_resets > 10)
		return -1;
	if (debug_level > 2)
		ad->speed = 100;
	while (test_and_set_bit(SH_RESETTING, &ad->flags))
		;
	sh_reset(ad);
	clear_bit(SH_RESETTING, &ad->flags);
	return 0;
}

int sh_open(struct sh_adapter *ad)
{
	clear_bit(SH_DOWN, &ad->flags);
	return sh_configure(ad);
}

int sh_xmit(struct sh_adapter *ad)
{
	return test_bit(SH_DOWN, &ad->flags) ? -1 : 0;
}
