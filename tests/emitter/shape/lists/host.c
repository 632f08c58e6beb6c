/*
 * host.c - the "kernel" of the lists case (run_emit.py end_to_end): builds a list of items in
 * kernel memory, calls q_run (kernel half) which asks the user half's q_sum, and prints what the
 * kernel sees afterwards: the sum, the count q_sum wrote back and the list as relinked. Built with
 * the original lists.c (one process) and with the kernel half (user half as its own process): the
 * two transcripts must be identical.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kdev.h>
#include <khost.h>

struct item {
	int id;
	int weight;
	struct item *next;
};

struct queue {
	int n;
	struct item *head;
};

int q_run(struct queue *q);

static void show(const char *what, int rc, const struct queue *q)
{
	const struct item *it;

	printf("%s: sum %d n %d list", what, rc, q->n);
	for (it = q->head; it; it = it->next)
		printf(" %d(%d)", it->id, it->weight);
	printf("\n");
}

int main(int argc, char **argv)
{
	static struct item items[6];
	static struct queue q;
	int i, rc;

	if (khost_start(argc, argv))
		return 2;
	/* 0(0) -> 1(0) -> 2(5) -> 3(7): q_sum unlinks the two empty ones */
	for (i = 0; i < 4; i++) {
		items[i].id = i;
		items[i].weight = i < 2 ? 0 : 3 + 2 * i - 2;
		items[i].next = i < 3 ? &items[i + 1] : NULL;
	}
	q.head = &items[0];
	rc = q_run(&q);
	show("first", rc, &q);
	/* the kernel changes weights and pushes two more in front: the same objects cross again */
	items[3].weight = 1;
	items[4].id = 4;
	items[4].weight = 9;
	items[4].next = q.head;
	items[5].id = 5;
	items[5].weight = 0;
	items[5].next = &items[4];
	q.head = &items[5];
	rc = q_run(&q);
	show("second", rc, &q);
	q.head = NULL;
	rc = q_run(&q);
	show("empty", rc, &q);
	khost_trace();
	return 0;
}
