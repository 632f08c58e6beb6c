/*
 * arrays.c - a pointer-shaped array whose elements hold pointers (docs/emitter.md, "Shapes"):
 * hold.tbl points to hold.n entries (annotations.txt: hold.tbl array n), and each entry carries
 * a pointer to a kernel object. Copied as bytes the array would take kernel addresses to the
 * user half, and only handles may cross: kcut emit refuses, naming hold.tbl (an array of
 * pointer-free elements, net_device.dev_addr in the e1000 emit, is copied as bytes).
 */
#include <kdev.h>

struct blob {
	int len;
};

struct ent {
	int id;
	struct blob *obj;
};

struct hold {
	int n;
	struct ent *tbl;
};

/* user half: sums the entries' ids */
static int hold_sum(struct hold *h)
{
	int i, s = 0;

	for (i = 0; i < h->n; i++)
		s += h->tbl[i].id;
	return s;
}

/* kernel half: asks the user half */
int hold_run(struct hold *h)
{
	return hold_sum(h);
}
