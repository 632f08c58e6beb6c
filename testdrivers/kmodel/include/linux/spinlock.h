/*
 * linux/spinlock.h - kernel model: spinlock_t with the plain, _irq, _irqsave and _bh forms.
 *
 * The model runs one simulated CPU (see kmodel/kmodel.h), so a spinlock never spins: taking a lock that
 * another context holds is a deadlock on a uniprocessor, and taking one you already hold is recursion; both
 * are reported as "BUG: spinlock ..." and stop the run. Holding a spinlock makes the context atomic, so a
 * sleeping call under it is reported by might_sleep(). spin_lock_init() records the lock's expression as its
 * name, as lockdep does.
 */
#ifndef _KC_LINUX_SPINLOCK_H
#define _KC_LINUX_SPINLOCK_H

#include <linux/types.h>
#include <linux/preempt.h>

typedef struct spinlock {
	void *owner;		/* owning context, NULL when unlocked */
	const char *name;
	unsigned int magic;
} spinlock_t;

#define KC_SPINLOCK_MAGIC 0x5b1dbeefU
#define __SPIN_LOCK_UNLOCKED(lockname) { .owner = NULL, .name = #lockname, .magic = KC_SPINLOCK_MAGIC }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

void __kc_spin_lock_init(spinlock_t *lock, const char *name);
#define spin_lock_init(lock) __kc_spin_lock_init(lock, #lock)

void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
int spin_trylock(spinlock_t *lock);
void spin_lock_irq(spinlock_t *lock);
void spin_unlock_irq(spinlock_t *lock);
void spin_lock_bh(spinlock_t *lock);
void spin_unlock_bh(spinlock_t *lock);
unsigned long _raw_spin_lock_irqsave(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
#define spin_lock_irqsave(lock, flags) do { (flags) = _raw_spin_lock_irqsave(lock); } while (0)
int spin_is_locked(spinlock_t *lock);
void __kc_assert_spin_locked(spinlock_t *lock, const char *file, int line);
#define assert_spin_locked(lock) __kc_assert_spin_locked(lock, __FILE__, __LINE__)
#define lockdep_assert_held(l) do { (void)(l); } while (0)

/* rwlock_t is modelled as a spinlock (one CPU: readers never run concurrently). */
typedef spinlock_t rwlock_t;
#define rwlock_init(lock) __kc_spin_lock_init(lock, #lock)
#define read_lock(l) spin_lock(l)
#define read_unlock(l) spin_unlock(l)
#define write_lock(l) spin_lock(l)
#define write_unlock(l) spin_unlock(l)
#define read_lock_bh(l) spin_lock_bh(l)
#define read_unlock_bh(l) spin_unlock_bh(l)
#define write_lock_bh(l) spin_lock_bh(l)
#define write_unlock_bh(l) spin_unlock_bh(l)

#endif
