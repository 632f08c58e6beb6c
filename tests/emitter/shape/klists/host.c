/*
 * host.c - the "kernel" of the klists case (run_emit.py end_to_end): builds a kernel list of
 * buffers, calls pool_run (kernel half) which asks the user half's pool_trim, and prints the list
 * as the kernel sees it afterwards. Built with the original klists.c and with the kernel half
 * (user half as its own process): the transcripts must be identical.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kdev.h>
#include <khost.h>
#include "klist.h"

int pool_run(struct pool *pl);

static void show(const char *what, int rc, const struct pool *pl)
{
	const struct list_head *p;

	printf("%s: bytes %d count %d list", what, rc, pl->count);
	for (p = pl->bufs.next; p != &pl->bufs; p = p->next) {
		const struct buf *b = klist_entry(p, const struct buf, node);

		printf(" %d(%d)%s", b->id, b->len, p->next->prev == p ? "" : "!");
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	static struct buf bufs[6];
	static struct pool pl;
	int i, rc;

	if (khost_start(argc, argv))
		return 2;
	KLIST_INIT(&pl.bufs);
	for (i = 0; i < 4; i++) {
		bufs[i].id = i;
		bufs[i].len = i == 1 ? 0 : 100 * (i + 1);
		klist_add_tail(&bufs[i].node, &pl.bufs);
	}
	rc = pool_run(&pl);
	show("first", rc, &pl);
	/* the kernel empties one more and appends two: the same objects cross again */
	bufs[2].len = 0;
	for (i = 4; i < 6; i++) {
		bufs[i].id = i;
		bufs[i].len = 7 * i;
		klist_add_tail(&bufs[i].node, &pl.bufs);
	}
	rc = pool_run(&pl);
	show("second", rc, &pl);
	KLIST_INIT(&pl.bufs);
	rc = pool_run(&pl);
	show("empty", rc, &pl);
	khost_trace();
	return 0;
}
