#ifndef _LINUX_LIST_H
#define _LINUX_LIST_H
#include <linux/types.h>
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}
static inline void list_add(struct list_head *new, struct list_head *head)
{
	new->next = head->next;
	head->next = new;
}
#endif
