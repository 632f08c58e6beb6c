/* linux/rcupdate.h - kernel model: RCU read side (one CPU: read sections are preempt-off sections). */
#ifndef _KC_LINUX_RCUPDATE_H
#define _KC_LINUX_RCUPDATE_H

#include <linux/preempt.h>
#include <linux/compiler.h>

#define rcu_read_lock() preempt_disable()
#define rcu_read_unlock() preempt_enable()
#define rcu_read_lock_bh() local_bh_disable()
#define rcu_read_unlock_bh() local_bh_enable()
#define rcu_dereference(p) READ_ONCE(p)
#define rcu_assign_pointer(p, v) WRITE_ONCE(p, v)
#define RCU_INIT_POINTER(p, v) ((p) = (v))
void synchronize_rcu(void);
void synchronize_net(void);

#endif
