/*
 * lib.c - the kernel shape library and the kernel-type inference (issue 16): the user half reads a
 * kernel struct's data pointer whose length is another field of it (kfw.data: the library, here
 * the case's own shapes/test.shapes, says `array size`), hands a pointer to a struct it cannot see
 * back to the kernel (kport.queue: inferred opaque) and indexes a buffer nothing describes
 * (kport.scratch: kcut annotate proposes `array scratch_len`). The driver's own fwtab.codes is
 * only ever assigned a static array of 3 (inferred `array 3`).
 */
#include <kdev.h>
#include <kshape.h>

struct fwstate {
	u32 sum;
};

struct fwtab {
	const u16 *codes;
};

static const u16 code_tab[3] = { 1, 2, 3 };
static struct fwtab fw_tab = { .codes = code_tab };

static int fw_codes(struct fwtab *t)
{
	return t->codes[2];
}

int fw_check(void)
{
	return fw_codes(&fw_tab);
}

static int fw_parse(struct kfw *fw, struct kport *p, struct fwstate *st)
{
	unsigned long i;

	st->sum = 0;
	for (i = 0; i < fw->size; i++)
		st->sum += fw->data[i];
	st->sum += p->scratch[0];
	return kport_kick(p->queue);
}

int fw_load(struct kfw *fw, struct kport *p, struct fwstate *st)
{
	return fw_parse(fw, p, st);
}
