/*
 * klist.h - a kernel-style doubly linked list for the klists case (tests/emitter/shape/klists):
 * struct list_head and the few macros the case uses (as macros, so neither half has list
 * functions to split).
 */
#ifndef KLIST_H
#define KLIST_H

#include <stddef.h>

struct list_head {
	struct list_head *next, *prev;
};

#define KLIST_INIT(h) do { (h)->next = (h); (h)->prev = (h); } while (0)
#define klist_add_tail(n, h) do {		\
	(n)->prev = (h)->prev;			\
	(n)->next = (h);			\
	(h)->prev->next = (n);			\
	(h)->prev = (n);			\
} while (0)
#define klist_del(n) do {			\
	(n)->prev->next = (n)->next;		\
	(n)->next->prev = (n)->prev;		\
} while (0)
#define klist_entry(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

struct buf {
	int id;
	int len;
	struct list_head node;
};

struct pool {
	int count;
	struct list_head bufs;
};

#endif
