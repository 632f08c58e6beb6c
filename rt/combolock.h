/*
 * combolock.h - a lock both halves can hold (Microdrivers' combolock; issue 13: simsnd's ring
 * set-up, snd_simsnd_prepare, holds chip->reg_lock, the spinlock its interrupt handler takes, so
 * without such a lock it must stay in the kernel).
 *
 * A combolock wraps a kernel lock the driver already has (a spinlock). Kernel code takes it as a
 * spinlock, except that while the user half holds the combolock:
 *   - kernel code in process context waits (kc_combolock_lock) until the user half lets go; a user
 *     half that holds it longer than the hold limit is faulted (restarted) and the lock taken back;
 *   - kernel code in atomic context (an interrupt handler) cannot wait: kc_combolock_lock_or_defer
 *     queues the work instead, and it runs when the user half releases the lock (once per
 *     (fn, arg), however often it was deferred meanwhile: an interrupt is level, not counted).
 * The user half takes and releases it with a runtime-served downcall (KC_RT_FN_COMBOLOCK); the
 * kernel half holds the kernel lock only for the moment it marks the combolock as the user half's,
 * never across the crossing. The release flushes the user half's posted register writes first (a
 * normal crossing does), so the writes made under the lock reach the device before the kernel
 * half has the lock again. A user half that dies holding combolocks loses them (the supervisor
 * releases them and runs what was deferred).
 *
 * What the user half can make the kernel half do: wait up to the hold limit per lock (then it is
 * restarted); nothing with a lock it does not hold (release without acquire, unknown ids, bad
 * operations: KC_RT_EPROTO, a fault).
 *
 * Portable core (rt/os.h, region_internal.h's endpoint state): the kernel model first; rt/linux
 * would build it unchanged (not done). Not yet in kcut_rt.h: no emitted code calls it (docs/
 * runtime.md, "Combolocks", says what the emitter still needs).
 */
#ifndef KC_COMBOLOCK_H
#define KC_COMBOLOCK_H

#include "kcut_rt.h"

struct kc_combolock;

/* The kernel lock a combolock wraps: the platform's lock and unlock of it (the kernel model's
 * spin_lock_irqsave / spin_unlock_irqrestore of the driver's spinlock_t, flags kept inside). */
struct kc_combolock_ops {
	void (*lock)(void *lock);
	void (*unlock)(void *lock);
};

#define KC_COMBOLOCK_MAX 64u    /* combolocks per endpoint */
#define KC_COMBOLOCK_DEFER 16u  /* deferred works per combolock (distinct (fn, arg) + calls) */
#define KC_COMBOLOCK_DATA 16u   /* bytes a deferred call carries (kc_combolock_lock_or_defer_call) */

/* Kernel side. new: a combolock around lock (the ops are kept, not copied); *id is what the user
 * half names it by (nonzero). free: it must not be held by kernel code; a user half holding it
 * loses it (its deferred work runs first). */
int kc_combolock_new(struct kc_rt *rt, struct kc_combolock **out, uint32_t *id,
		     const struct kc_combolock_ops *ops, void *lock);
void kc_combolock_free(struct kc_rt *rt, struct kc_combolock *cl);
/* Kernel side, process context: take it (the kernel lock is held on return), waiting while the
 * user half holds it; after the hold limit (5000 ms, the default call timeout) the user half is
 * faulted and the lock taken back. unlock: release the kernel lock. */
void kc_combolock_lock(struct kc_rt *rt, struct kc_combolock *cl);
void kc_combolock_unlock(struct kc_combolock *cl);
/* Kernel side, atomic context: 0 and the kernel lock held, or KC_COMBOLOCK_DEFERRED: the user half
 * holds it, fn(arg) runs when it releases it (without the lock: fn takes it again);
 * KC_ENOMEM: KC_COMBOLOCK_DEFER other works are queued already (nothing queued). */
#define KC_COMBOLOCK_DEFERRED 1
int kc_combolock_lock_or_defer(struct kc_rt *rt, struct kc_combolock *cl, void (*fn)(void *arg), void *arg);
/* Kernel side, atomic context, for a section whose every call matters in its order (a trigger's
 * START then STOP, where a level's once-per-(fn, arg) would lose one): 0 and the kernel lock held,
 * or KC_COMBOLOCK_DEFERRED: call(arg, copy of data[len]) is queued behind what is deferred already
 * and runs at the release, in call order (without the lock: it takes it again); KC_ENOMEM when
 * KC_COMBOLOCK_DEFER works are queued, KC_EINVAL for len > KC_COMBOLOCK_DATA or no call. */
int kc_combolock_lock_or_defer_call(struct kc_rt *rt, struct kc_combolock *cl, void (*call)(void *arg, const void *data),
				    void *arg, const void *data, size_t len);
/* Kernel side, process context (a sync_stop): return once the user half does not hold cl and the
 * works deferred until its last release have all run (kc_combolock_lock alone can get the lock
 * between a release and those works). The hold limit applies as in kc_combolock_lock. The kernel
 * lock is not held on return. */
void kc_combolock_sync(struct kc_rt *rt, struct kc_combolock *cl);
/* The hold limit in ms (default 5000; at least 1). */
void kc_combolock_set_hold_ms(struct kc_rt *rt, unsigned ms);

/* User side: take / release combolock id (a downcall each). 0, or the kernel half's refusal. */
int kc_combolock_acquire(struct kc_rt *rt, uint32_t id);
int kc_combolock_release(struct kc_rt *rt, uint32_t id);

/* Runtime internals (rt.c, super.c, region.c). KC_RT_FN_COMBOLOCK arguments: u32 op (1 acquire,
 * 2 release), u32 id. */
#define KC_RT_FN_COMBOLOCK 0xfffffff4u
kc_rt_handler kc_combolock__handler(uint32_t fn);
int kc_combolock__tab_new(struct kc_rt *rt);
void kc_combolock__tab_free(struct kc_rt *rt);
/* The user half is gone: every combolock it held is released (deferred work runs). */
void kc_combolock__user_gone(struct kc_rt *rt);

#endif /* KC_COMBOLOCK_H */
