/*
 * regoff.c - register offsets from the user half (issue 14; docs/emitter.md, "Register offsets").
 * Device access none: the user half (ro_setup) calls the kernel half's register accessors, so
 *   - ro_read's and ro_write's reg is added to d->regs (an ioremap window): the kernel half's
 *     handlers check [d->regs + reg, + 4) lies inside the window (kc_rt_region_check);
 *   - ro_status passes its reg on to ro_read with d: checked the same way;
 *   - ro_read_word's idx goes through other arithmetic (idx << 2): not bounded, and
 *     interface.txt says so;
 *   - the kernel half records the window ioremap returns (never exported) and forgets it at
 *     iounmap, so the checks know its extent.
 * The generated files must compile with -Wall -Wextra -Werror.
 */
#include <kdev.h>
#include <kio.h>

struct ro_dev {
	u8 *regs;
	u32 last;
};

int ro_setup(struct ro_dev *d);

u32 ro_read(struct ro_dev *d, u32 reg)
{
	return readl(d->regs + reg);
}

void ro_write(struct ro_dev *d, u32 reg, u32 val)
{
	writel(val, d->regs + reg);
}

u32 ro_status(struct ro_dev *d, u32 reg)
{
	return ro_read(d, reg) & 0xff;
}

u32 ro_read_word(struct ro_dev *d, u32 idx)
{
	return readl(d->regs + (idx << 2));
}

int ro_probe(struct ro_dev *d)
{
	d->regs = ioremap(0xfe000000ull, 4096);
	if (!d->regs)
		return -1;
	return ro_setup(d);
}

void ro_remove(struct ro_dev *d)
{
	iounmap(d->regs);
}

/* user half: configures the device through the kernel half's accessors */
int ro_setup(struct ro_dev *d)
{
	ro_write(d, 0x0, 1);
	d->last = ro_status(d, 0x8) + ro_read_word(d, 3);
	return 0;
}
