#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H
#include <linux/types.h>
typedef struct spinlock {
	int rlock;
} spinlock_t;
void spin_lock_init(spinlock_t *lock);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
void spin_lock_bh(spinlock_t *lock);
void spin_unlock_bh(spinlock_t *lock);
void spin_lock_irq(spinlock_t *lock);
void spin_unlock_irq(spinlock_t *lock);
int spin_trylock(spinlock_t *lock);
unsigned long _raw_spin_lock_irqsave(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
static inline spinlock_t *spinlock_check(spinlock_t *lock)
{
	return lock;
}
/* as in Linux: a macro that assigns flags */
#define spin_lock_irqsave(lock, flags)                              \
	do {                                                        \
		flags = _raw_spin_lock_irqsave(spinlock_check(lock)); \
	} while (0)
unsigned long arch_local_irq_save(void);
void local_irq_restore(unsigned long flags);
/* as in Linux: a statement expression that saves the flags and tries the lock */
#define spin_trylock_irqsave(lock, flags)                                          \
	({                                                                         \
		flags = arch_local_irq_save();                                     \
		spin_trylock(lock) ? 1 : ({ local_irq_restore(flags); 0; });       \
	})
#endif
