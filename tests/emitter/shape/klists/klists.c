/*
 * klists.c - a kernel list crossing (docs/emitter.md, "Shapes"): struct pool's `bufs` is a
 * struct list_head of struct buf linked through `node` (list_add_tail(&b->node, &pool->bufs));
 * annotations.txt says so (pool.bufs list buf.node). The kernel half's pool_run asks the user
 * half's pool_trim, which walks the list, counts the bytes and unlinks empty buffers: the
 * elements cross through the object tracker with the fields pool_trim reads, the linkage never
 * crosses, and each side relinks the elements in the order they were sent.
 */
#include <kdev.h>

#include "klist.h"

/* user half: drops empty buffers, returns the bytes of the others */
static int pool_trim(struct pool *pl)
{
	struct list_head *p, *n;
	int bytes = 0;

	pl->count = 0;
	for (p = pl->bufs.next, n = p->next; p != &pl->bufs; p = n, n = p->next) {
		struct buf *b = klist_entry(p, struct buf, node);

		if (!b->len) {
			klist_del(&b->node);
			continue;
		}
		bytes += b->len;
		pl->count++;
	}
	return bytes;
}

/* kernel half: asks the user half */
int pool_run(struct pool *pl)
{
	return pool_trim(pl);
}
