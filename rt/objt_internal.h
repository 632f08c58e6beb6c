/*
 * objt_internal.h - the object tracker's pins and platform hooks, for the runtimes only (rt.c,
 * rt/linux): not part of the public API.
 *
 * Pins (issue 14): a downcall handler decodes the handles the user half sent, then calls the
 * kernel with the objects they name. Another thread of the kernel (an interrupt's free, the
 * kernel half's own call) may free such an object meanwhile. While a thread serves a downcall
 * (its pin set's depth > 0), every handle its lookups resolve (kc_objt_info, _lookup, _size,
 * _query, _import) pins the object: the pin is recorded in the thread's set and counted on the
 * object. A free first calls kc_objt_doom on the memory: the objects in it are marked dying (a
 * lookup of their handles is refused from then on, KC_RT_ESTALE, and takes no pin) and it
 * returns how many pins other threads hold on them; the free then waits (process context) or
 * is deferred (atomic context, rt/linux) until that is 0, and only then forgets and frees. The
 * thread's own pins do not count: a handler may free what it decoded (the kfree downcall).
 * The runtime drops the pins its handler took when the handler's reply is written
 * (kc_objt_unpin back to the mark it read before the handler).
 */
#ifndef KC_OBJT_INTERNAL_H
#define KC_OBJT_INTERNAL_H

#include "kcut_rt.h"

struct kc_objt_pin {
	struct kc_objt *t;
	uint64_t h;
};

/* One thread's pins (the runtime keeps one per thread: posix thread-local, rt/linux per task). */
#define KC_OBJT_PINS_INLINE 8
struct kc_objt_pins {
	struct kc_objt_pin *v; /* inl, or an allocation when more are held */
	struct kc_objt_pin inl[KC_OBJT_PINS_INLINE];
	uint32_t n, cap;
	uint32_t depth; /* downcall handlers this thread is running (nested); pins only while > 0 */
};

/* More pins than this in one thread's set: the lookup is refused (KC_ENOMEM). */
#define KC_OBJT_PINS_MAX (1u << 20)

/*
 * Kernel side: pins(arg) gives the calling thread's pin set (NULL: none); gone(arg, h, ptr,
 * size), when set, says whether the platform has taken the object at ptr already (rt/linux: freed
 * or handed to the kernel in atomic context, not forgotten yet): then a lookup of h is refused
 * (KC_RT_ESTALE). Both run with the tracker's lock held: they must not call the tracker.
 */
void kc_objt_set_hooks(struct kc_objt *t, struct kc_objt_pins *(*pins)(void *arg),
		       int (*gone)(void *arg, uint64_t h, const void *ptr, size_t size), void *arg);
/* Drop the pins p->v[mark .. n) (each in its own tracker) and set p->n = mark. */
void kc_objt_unpin(struct kc_objt_pins *p, uint32_t mark);
/* Mark every object overlapping [ptr, ptr + size) (size 0: the byte at ptr) dying; returns how
 * many pins threads other than the caller hold on them (0: they may be forgotten and freed). */
size_t kc_objt_doom(struct kc_objt *t, const void *ptr, size_t size);
/* Forget the object whose base is ptr (kernel side: its memory is being freed, the caller frees
 * it): its handle and size; KC_ENOTFOUND when ptr is no tracked object's base. A dying object is
 * forgotten too. */
int kc_objt_forget(struct kc_objt *t, const void *ptr, uint64_t *h, size_t *size);
/* Pins held on the object whose handle is h (tests). */
uint32_t kc_objt_pins_of(struct kc_objt *t, uint64_t h);
/* Free a pin set's allocation, if it has one (it must be empty): a thread's set holds no memory
 * after this, so a thread may end without telling anyone. */
void kc_objt_pins_release(struct kc_objt_pins *p);

#endif /* KC_OBJT_INTERNAL_H */
