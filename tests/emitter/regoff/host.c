/*
 * host.c - the "kernel" of the regoff case (run_emit.py end_to_end): a device with two register
 * windows (4096 and 256 bytes) and a port range, which ro_probe maps; ro_setup (user half) then
 * reaches them through the kernel half's downcalls, each register offset checked by the kernel half
 * (kc_rt_region_check / kc_rt_region_check_lin, the windows recorded at ioremap) and
 * ro_res_len(&d->res[1]) an element of an embedded array (the wire's embed table). Built with the
 * original regoff.c and with the kernel half: the transcripts (every register access, in order)
 * must be identical: an honest user half is never refused. With KCUT_REGOFF_HOSTILE set (run_emit.py
 * hostile.txt, split only) the user half is given a RAR entry past the window (sel 0x1000:
 * 8 * 0x1000 + 0x40 > 4096): the kernel half must refuse ro_rar's downcall, not write outside
 * (where() stops the host), and go on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kdev.h>
#include <kio.h>
#include <khost.h>

struct ro_res {
	unsigned long start, end;
};

struct ro_dev {
	u8 *regs;
	struct ro_res res[3];
	u32 *win32;
	unsigned long port;
	int mode;
	u32 sel;
	void *dev;
	u32 last;
};

int ro_probe(struct ro_dev *d);
void ro_remove(struct ro_dev *d);

static u8 win0[4096], win1[256];

/* which window and offset an address is, for the log; an access outside both stops the host */
static void where(const volatile void *a, unsigned n, const char *what)
{
	const volatile u8 *p = a;

	if (p >= win0 && p + n <= win0 + sizeof(win0))
		printf("%s win0+0x%x\n", what, (unsigned)(p - win0));
	else if (p >= win1 && p + n <= win1 + sizeof(win1))
		printf("%s win1+0x%x\n", what, (unsigned)(p - win1));
	else {
		printf("%s outside every window\n", what);
		exit(3);
	}
}

void *ioremap(unsigned long long phys, size_t size)
{
	if (phys == 0xfe000000ull && size == sizeof(win0))
		return win0;
	if (phys == 0xfe001000ull && size == sizeof(win1))
		return win1;
	return NULL;
}

void iounmap(volatile void *addr)
{
	(void)addr;
}

/* device-managed mappings and actions: the host's device unbinds after ro_remove (actions last
 * added first, then the mappings) */
static struct {
	void (*fn)(void *);
	void *data;
} actions[8];
static int nactions;
static int devm_mapped;

void *devm_ioremap(void *dev, unsigned long long offset, unsigned long long size)
{
	void *p = ioremap(offset, (size_t)size);

	(void)dev;
	devm_mapped += p != NULL;
	return p;
}

int devm_add_action(void *dev, void (*action)(void *), void *data)
{
	(void)dev;
	if (nactions == 8)
		return -1;
	actions[nactions].fn = action;
	actions[nactions++].data = data;
	return 0;
}

static void unbind(void)
{
	while (nactions--)
		actions[nactions].fn(actions[nactions].data);
	devm_mapped = 0;
}

u32 readl(const volatile void *addr)
{
	u32 v;

	where(addr, 4, "readl");
	memcpy(&v, (const void *)addr, 4);
	return v;
}

void writel(u32 value, volatile void *addr)
{
	where(addr, 4, "writel");
	memcpy((void *)addr, &value, 4);
}

void outb(unsigned char value, unsigned long port)
{
	printf("outb 0x%lx 0x%x\n", port, value);
}

struct resource *request_region(unsigned long start, unsigned long n, const char *name)
{
	static char res;

	printf("request_region 0x%lx+0x%lx %s\n", start, n, name);
	return (struct resource *)(void *)&res;
}

void release_region(unsigned long start, unsigned long n)
{
	printf("release_region 0x%lx+0x%lx\n", start, n);
}

unsigned char inb(unsigned long port)
{
	printf("inb 0x%lx\n", port);
	return 0;
}

void *dma_alloc_coherent(void *dev, size_t size, unsigned long long *handle, unsigned int gfp)
{
	(void)dev;
	(void)gfp;
	*handle = 0;
	return calloc(1, size);
}

void dma_free_coherent(void *dev, size_t size, void *cpu, unsigned long long handle)
{
	(void)dev;
	(void)size;
	(void)handle;
	free(cpu);
}

int main(int argc, char **argv)
{
	static struct ro_dev d;
	int i, rc;

	if (khost_start(argc, argv))
		return 2;
	for (i = 0; i < 64; i++)
		win0[i * 4] = (u8)i;
	win1[8] = 0x5a;
	d.sel = getenv("KCUT_REGOFF_HOSTILE") ? 0x1000 : 1;
	rc = ro_probe(&d);
	printf("probe: rc %d last 0x%x\n", rc, d.last);
	ro_remove(&d);
	unbind();
	khost_trace();
	return 0;
}
