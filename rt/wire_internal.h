/*
 * wire_internal.h - what wire.c needs of an endpoint, and nothing else of its internals: the
 * driver's wire tables, which side it is, a lock, and wire.c's own per-endpoint state (interned
 * strings, the kernel half's noted allocations). Both endpoints implement kc_rt__wire: the posix
 * runtime (struct kc_rt of rt_internal.h, super.c fills it in kc_rt__setup) and rt/linux's
 * kernel endpoint (kcut_rt_linux.c), so that wire.c is built unchanged into kcut_rt.ko, without
 * rt_internal.h's channel layout and C11 atomics. Not part of the public API.
 */
#ifndef KC_WIRE_INTERNAL_H
#define KC_WIRE_INTERNAL_H

#include <stddef.h>

#include "kcut_rt.h"
#include "os.h"

struct kc_wire_istr;

struct kc_wire_state {
	const struct kc_wire_tables *tables; /* the driver's (kc_rt_opts.wire); NULL: none */
	int kernel;                          /* 1: the kernel half's endpoint */
	struct kc_os_mutex *lock;            /* the endpoint's lock: guards what follows */
	struct kc_wire_istr *intern;         /* kc_wire_intern's strings */
	size_t nintern, intern_bytes;
	const void **heap;                   /* kc_wire_heap_note: the kernel half's own allocations */
	size_t nheap, heap_cap;              /* (open addressing, power-of-two capacity) */
	/* kernel side, or NULL: held while memory is forgotten before it is freed (kc_wire_freed)
	 * and while the recovery hook reads one tracked object (the posix runtime's free_lock) */
	struct kc_os_mutex *free_lock;
};

/* The endpoint's wire state (never NULL for a live endpoint). */
struct kc_wire_state *kc_rt__wire(struct kc_rt *rt);
/* Release what wire.c keeps per endpoint (interned strings, the noted allocations). */
void kc_wire__free(struct kc_rt *rt);

/* What wire.c calls back in its endpoint. The posix runtime: sync.c (synchronization at every
 * crossing) and rt.c; rt/linux: kcut_rt_linux.c (no synchronization there yet: the sync hooks do
 * nothing, and forgetting a range forgets the object at its base). */
/* Kernel side: forget every tracked object overlapping [ptr, ptr + size) (size 0: the object
 * whose base is ptr) and queue their handles for the user half. Caller holds free_lock. */
void kc_rt__forget_range(struct kc_rt *rt, const void *ptr, size_t size);
/* User side: is p inside an object the user half freed? An untyped allocation just took a struct
 * type; the endpoint's synchronization state is released; the kernel half's values become the
 * baseline. */
int kc_sync__is_dead(struct kc_rt *rt, const void *p);
void kc_sync__typed(struct kc_rt *rt);
void kc_sync__free(struct kc_rt *rt);
void kc_sync__refresh(struct kc_rt *rt);
/* Kernel side: a message from the user half that was decoded in full wrote n bytes at p whose
 * value before was old (an undo-log entry): 1 when the kernel half's value must stay, because it
 * is newer than the user half's copy (set by the kernel half since it last went to the user half;
 * the user half's own changes came before, with its synchronization). 0 where nothing is
 * synchronized. */
int kc_sync__stale(struct kc_rt *rt, const void *p, const void *old, size_t n);

#endif /* KC_WIRE_INTERNAL_H */
