/*
 * linux/mutex.h - kernel model: sleeping mutexes. mutex_lock() calls might_sleep(); a contended lock blocks
 * the simulated task and lets other tasks run; a task that can never get it is reported as a deadlock.
 */
#ifndef _KC_LINUX_MUTEX_H
#define _KC_LINUX_MUTEX_H

#include <linux/types.h>
#include <linux/kernel.h>

struct mutex {
	void *owner;		/* owning task, NULL when unlocked */
	const char *name;
	unsigned int magic;
};

#define KC_MUTEX_MAGIC 0x6d757478U
#define __MUTEX_INITIALIZER(lockname) { .owner = NULL, .name = #lockname, .magic = KC_MUTEX_MAGIC }
#define DEFINE_MUTEX(mutexname) struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

void __kc_mutex_init(struct mutex *lock, const char *name);
#define mutex_init(mutex) __kc_mutex_init(mutex, #mutex)
void mutex_destroy(struct mutex *lock);
void mutex_lock(struct mutex *lock);
int mutex_lock_interruptible(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
bool mutex_is_locked(struct mutex *lock);

#endif
