/*
 * regoff.c - register offsets from the user half (issue 14; docs/emitter.md, "Register offsets").
 * Device access none: the user half (ro_setup) calls the kernel half's register accessors, so
 *   - ro_read's and ro_write's reg is added to d->regs (an ioremap window): the kernel half's
 *     handlers check [d->regs + reg, + 4) lies inside the window (kc_rt_region_check);
 *   - ro_status passes its reg on to ro_read with d: checked the same way;
 *   - ro_read_word's idx goes through other arithmetic (idx << 2): checked as 4 * idx
 *     (kc_rt_region_check_lin, regscan.c's affine form);
 *   - ro_rar's index reaches the window as e1000_rar_set's does (E1000_WRITE_REG_ARRAY: a
 *     register chosen by a condition, (index << 1) << 2 and ((index << 1) + 1) << 2): checked
 *     as 8 * index + 0x40..0x100 and + 0x44..0x104;
 *   - ro_local's off reaches the window through a local base (p = d->regs + off; p + 4);
 *   - ro_read32's reg indexes a u32 window (4 bytes per element);
 *   - ro_res_len(&d->res[1]) from the user half: an element of an array of structs embedded in
 *     the device (pci_dev.resource[i]); the wire's embed table lists the array (count, stride),
 *     so each element's start is a struct ro_res, a place inside one is not;
 *   - win32 comes from devm_ioremap (device-managed): the kernel half records it too and forgets it
 *     by a devres action at unbind; ro_read_dev's reg indexes it byte-wise (a cast);
 *   - ro_port's reg is added to a port number (outb(v, d->port + reg)) and ro_io_write's port is
 *     the port itself (e1000_io_write): checked inside the port range the kernel half recorded
 *     at request_region (kc_rt_region_check_port_lin);
 *   - ro_half's x is divided, ro_bump's r is assigned in the body: not bounded, and
 *     interface.txt says why;
 *   - the kernel half records the window ioremap returns (never exported) and forgets it at
 *     iounmap, so the checks know its extent.
 * The generated files must compile with -Wall -Wextra -Werror.
 */
#include <kdev.h>
#include <kio.h>

struct ro_res {
	unsigned long start, end;
};

struct ro_dev {
	u8 *regs;
	struct ro_res res[3];
	u32 *win32;
	unsigned long port;
	int mode;
	u32 sel; /* the host's choice of RAR entry (host.c: 1, or past the window when hostile) */
	void *dev;
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

/* e1000's E1000_WRITE_REG_ARRAY, with its register chosen by the MAC type */
#define RO_RA 0x40
#define RO_OLD_RA 0x100
#define RO_WRITE_REG_ARRAY(d, reg, offset, value) \
	writel((value), ((d)->regs + (((d)->mode >= 2) ? RO_##reg : RO_OLD_##reg) + ((offset) << 2)))

void ro_rar(struct ro_dev *d, u32 index, u32 lo, u32 hi)
{
	RO_WRITE_REG_ARRAY(d, RA, (index << 1), lo);
	RO_WRITE_REG_ARRAY(d, RA, ((index << 1) + 1), hi);
}

void ro_local(struct ro_dev *d, u32 off, u32 val)
{
	u8 *p = d->regs + off;

	writel(val, p + 4);
}

u32 ro_read32(struct ro_dev *d, u32 reg)
{
	return readl(d->win32 + reg);
}

u32 ro_read_dev(struct ro_dev *d, u32 reg)
{
	return readl((u8 *)d->win32 + reg);
}

u32 ro_half(struct ro_dev *d, u32 x)
{
	return readl(d->regs + x / 2);
}

u32 ro_bump(struct ro_dev *d, u32 r)
{
	r += 4;
	return readl(d->regs + r);
}

unsigned long ro_res_len(struct ro_res *r)
{
	return r->end - r->start + 1;
}

void ro_port(struct ro_dev *d, u32 reg, unsigned char v)
{
	outb(v, d->port + reg);
}

void ro_io_write(struct ro_dev *d, unsigned long port, unsigned char v)
{
	(void)d;
	outb(v, port);
}

int ro_probe(struct ro_dev *d)
{
	d->regs = ioremap(0xfe000000ull, 4096);
	if (!d->regs)
		return -1;
	d->win32 = devm_ioremap(d->dev, 0xfe001000ull, 256);
	if (!d->win32) {
		iounmap(d->regs);
		return -1;
	}
	if (!request_region(0xc000, 0x40, "regoff")) {
		iounmap(d->regs);
		return -1;
	}
	d->port = 0xc000;
	d->mode = 2;
	d->res[1].start = 0xc000;
	d->res[1].end = 0xc03f;
	return ro_setup(d);
}

void ro_remove(struct ro_dev *d)
{
	release_region(0xc000, 0x40);
	iounmap(d->regs); /* (win32: at unbind) */
}

/* user half: configures the device through the kernel half's accessors */
int ro_setup(struct ro_dev *d)
{
	ro_write(d, 0x0, 1);
	d->last = ro_status(d, 0x8) + ro_read_word(d, 3);
	ro_rar(d, d->sel, 0x12345678, 0x9abc);
	ro_local(d, d->sel << 4, 7);
	d->last += ro_read32(d, 2) + ro_read_dev(d, 8) + ro_half(d, 8) + ro_bump(d, 4);
	ro_port(d, 2, 1);
	ro_io_write(d, d->port + 4, 5);
	d->last += (u32)ro_res_len(&d->res[1]);
	return 0;
}
