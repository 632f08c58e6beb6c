/*
 * lists.c - a singly linked list crossing (docs/emitter.md, "Shapes"): struct queue's `head`
 * points to a list of struct item through `next`; annotations.txt says so (queue.head list next).
 * The kernel half's q_run asks the user half's q_sum, which reads every element and unlinks the
 * leading empty ones: the elements cross through the object tracker with the fields q_sum reads,
 * `next` itself never crosses, and each side relinks the elements in the order they were sent
 * (so the kernel half sees the shortened list when q_sum returns).
 */
#include <kdev.h>

struct item {
	int id;
	int weight;
	struct item *next;
};

struct queue {
	int n;
	struct item *head;
};

/* user half: drops leading zero-weight items, sums the weights of the others */
static int q_sum(struct queue *q)
{
	struct item *it;
	int sum = 0;

	while (q->head && !q->head->weight)
		q->head = q->head->next;
	q->n = 0;
	for (it = q->head; it; it = it->next) {
		sum += it->weight;
		q->n++;
	}
	return sum;
}

/* kernel half: asks the user half */
int q_run(struct queue *q)
{
	return q_sum(q);
}
