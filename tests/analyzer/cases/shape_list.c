/* Shape evidence: list_head fields and p = p->next traversals. */
#include <linux/list.h>

struct node {
	struct node *next;
	int val;
	struct list_head link;
};

int sum(struct node *head, struct list_head *l)
{
	struct node *p;
	int s = 0;

	for (p = head; p; p = p->next)
		s += p->val;
	INIT_LIST_HEAD(&head->link);
	return s;
}

/*
 * check-name: list evidence
 * check-query: SELECT DISTINCT struct_name, field, evidence FROM shape_evidence
 *   WHERE evidence IN ('list_head', 'next_traversal') ORDER BY field, evidence
 * check-expect
 * node|link|list_head
 * node|next|next_traversal
 * check-expect-end
 */
