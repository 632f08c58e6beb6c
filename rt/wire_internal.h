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
#include "ratelimit.h"
#include "os.h"

struct kc_wire_istr;

/* A teardown upcall to run again for the next user half (kc_wire_redo). */
struct kc_wire_redo {
	kc_wire_redo_fn fn;
	uint64_t v[KC_WIRE_REDO_ARGS];
	unsigned n, ptrs;
};

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
	/* kc_wire_redo's queue (under lock) */
	struct kc_wire_redo redo[KC_WIRE_REDO_MAX];
	unsigned nredo;
	/* refusal log lines, rate-limited (wire.c log_limit; atomic builtins, no lock) */
	struct kc_ratelimit log; /* refusals logged (ratelimit.h) */
};

/* Kernel side: the stack objects tracked since mark (kc_wire__stack_mark) are forgotten
 * (kc_rt_obj_free) when the call that tracked them ends (the endpoint's kc_rt_call_end). */
#define KC_WIRE_STK_MAX 64u
unsigned kc_wire__stack_mark(void);
void kc_wire__stack_release(struct kc_rt *rt, unsigned mark);

#ifdef __KERNEL__
/* wire.c's per-thread state where there is no thread-local storage (rt/linux): per task, kept by
 * the endpoint while the task is inside one of its calls (serving a downcall, or making an upcall
 * and decoding its results), so that a decode's undo log and the stack objects a call made known
 * belong to the task that made them. */
struct kc_wire_task {
	void *undo;                       /* the undo log, made on first use */
	const void *stk[KC_WIRE_STK_MAX]; /* stack objects made known (note_stack) */
	unsigned nstk;
};
/* The calling task's state; NULL when it is in no call of the runtime. */
struct kc_wire_task *kc_rt__task(void);
/* The task left its outermost call: release what wire.c keeps in t. */
void kc_wire__task_end(struct kc_wire_task *t);
#endif

/* The endpoint's wire state (never NULL for a live endpoint). */
struct kc_wire_state *kc_rt__wire(struct kc_rt *rt);
/* Release what wire.c keeps per endpoint (interned strings, the noted allocations). */
void kc_wire__free(struct kc_rt *rt);

/* What wire.c calls back in its endpoint. The posix runtime: sync.c (synchronization at every
 * crossing) and rt.c; rt/linux: sync.c (built into kcut_rt.ko: the kernel side) and
 * kcut_rt_linux.c. */
/* Kernel side: forget every tracked object overlapping [ptr, ptr + size) (size 0: the object
 * whose base is ptr) and queue their handles for the user half. Caller holds free_lock. */
void kc_rt__forget_range(struct kc_rt *rt, const void *ptr, size_t size);
/* User side: is p inside an object the user half freed? (Kernel side: one the kernel freed,
 * sync.c's kc_sync__kfreed.) An untyped allocation just took a struct
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
/* wire.c: the recovery message for element k of live object h into a (its type, the element as a
 * pointer, its fields); KC_ENOTFOUND past the object's last element or when it is gone. Kernel
 * side, free_lock held. (Exported for rt_wire_test.) */
int kc_wire__recover_put(struct kc_rt *rt, struct kc_xdr *a, uint64_t h, size_t k);
/* wire.c: commit the undo log keeping every write (the user half's own changes, KC_RT_FN_SYNC:
 * no kc_sync__stale check). */
void kc_wire__undo_keep(struct kc_rt *rt);

#endif /* KC_WIRE_INTERNAL_H */
