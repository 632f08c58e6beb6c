// SPDX-License-Identifier: GPL-2.0
/*
 * lx_kimports.c - the kernel functions a Linux user half runs locally (rt/lxuser, issue 15 item 3).
 *
 * Compiled like the emitted user half: against the kernel's own headers and configuration, with
 * the driver's flags minus the kernel's code model (kcut-lxbuild), so every struct here has the
 * kernel's layout. It reaches the C library only through kcl_* (kcut_lx_libc.h).
 *
 * Every definition is weak: when the partition sends an import to the kernel half, the emitted
 * downcall stub of the same name (a strong symbol of the user half) is what runs. What is here:
 * printk family, kernel formats (vscnprintf, scnprintf), string helpers (strscpy ...), delays
 * (msleep, usleep_range, udelay; the delays except msleep are never downcalls, common/kc_kapi.c
 * kc_kapi_local_delay), allocation of the user half's own objects (kmalloc family,
 * kfree), mutexes and spinlocks as user-space locks on the kernel structs' own lock words,
 * module-parameter and module objects the driver's tables name, and pure helpers of the
 * networking core that ops tables point to. A kernel import that is neither here nor a downcall
 * stops kcut-lxbuild with an error naming it.
 */
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/net_tstamp.h>
#include <linux/netdevice.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "kcut_lx_libc.h"

#define KI __weak __visible

/* ---- objects the driver's tables name ---- */

KI struct module __this_module = { .name = KBUILD_MODNAME };
KI enum system_states system_state = SYSTEM_RUNNING;
/* The kernel's direct-map base (__va / phys_to_virt): a user half has no direct map. e1000 names it
 * only on the ce4100 path of its EEPROM code (GBE_CONFIG_BASE_VIRT), which a PCI e1000 never takes;
 * 0 makes such an access fault at a low address in the user half, not read kernel memory. */
KI unsigned long page_offset_base;

/* Module parameters are the kernel half's (insmod sets them there); the user half's copies of
 * the driver's parameter variables come by value with the calls. The ops only have to exist. */
#define KC_PARAM_OPS(n) KI const struct kernel_param_ops n = { 0 }
KC_PARAM_OPS(param_ops_byte);
KC_PARAM_OPS(param_ops_short);
KC_PARAM_OPS(param_ops_ushort);
KC_PARAM_OPS(param_ops_int);
KC_PARAM_OPS(param_ops_uint);
KC_PARAM_OPS(param_ops_long);
KC_PARAM_OPS(param_ops_ulong);
KC_PARAM_OPS(param_ops_ullong);
KC_PARAM_OPS(param_ops_charp);
KC_PARAM_OPS(param_ops_bool);
KC_PARAM_OPS(param_ops_invbool);
KC_PARAM_OPS(param_ops_string);
KC_PARAM_OPS(param_array_ops);

/* ---- printk family ---- */

static int kc_level(const char **fmt)
{
	const char *f = *fmt;
	int level = 0;

	while (f[0] == KERN_SOH_ASCII && f[1]) {
		if (f[1] >= '0' && f[1] <= '7')
			level = f[1];
		f += 2;
	}
	*fmt = f;
	return level;
}

KI int vprintk(const char *fmt, va_list ap)
{
	char msg[1024];
	int level = kc_level(&fmt);
	int n = kcl_vformat(msg, sizeof(msg), fmt, ap);

	kcl_log(level, msg);
	return n;
}

KI int _printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

KI void __warn_printk(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	kcl_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kcl_log('4', msg);
}

KI int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n;

	if (!size)
		return 0;
	n = kcl_vformat(buf, size, fmt, ap);
	return n < (int)size ? n : (int)size - 1;
}

KI int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void kc_dev_log(int level, const char *who, const char *fmt, va_list ap)
{
	char msg[1024];
	int n = scnprintf(msg, sizeof(msg), "%s: ", who ? who : "(none)");

	kcl_vformat(msg + n, sizeof(msg) - n, fmt, ap);
	kcl_log(level, msg);
}

#define KC_DEV_LOG(fn, level)                                                    \
	KI void fn(const struct device *dev, const char *fmt, ...)               \
	{                                                                        \
		va_list ap;                                                      \
		va_start(ap, fmt);                                               \
		kc_dev_log(level, dev ? dev_name(dev) : NULL, fmt, ap);          \
		va_end(ap);                                                      \
	}
KC_DEV_LOG(_dev_emerg, '0')
KC_DEV_LOG(_dev_alert, '1')
KC_DEV_LOG(_dev_crit, '2')
KC_DEV_LOG(_dev_err, '3')
KC_DEV_LOG(_dev_warn, '4')
KC_DEV_LOG(_dev_notice, '5')
KC_DEV_LOG(_dev_info, '6')

#define KC_NETDEV_LOG(fn, level)                                                 \
	KI void fn(const struct net_device *dev, const char *fmt, ...)           \
	{                                                                        \
		va_list ap;                                                      \
		va_start(ap, fmt);                                               \
		kc_dev_log(level, dev ? dev->name : NULL, fmt, ap);              \
		va_end(ap);                                                      \
	}
KC_NETDEV_LOG(netdev_emerg, '0')
KC_NETDEV_LOG(netdev_alert, '1')
KC_NETDEV_LOG(netdev_crit, '2')
KC_NETDEV_LOG(netdev_err, '3')
KC_NETDEV_LOG(netdev_warn, '4')
KC_NETDEV_LOG(netdev_notice, '5')
KC_NETDEV_LOG(netdev_info, '6')

KI void netdev_printk(const char *level, const struct net_device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_dev_log(level && level[0] == KERN_SOH_ASCII ? level[1] : 0, dev ? dev->name : NULL, fmt, ap);
	va_end(ap);
}

KI void _dev_printk(const char *level, const struct device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_dev_log(level && level[0] == KERN_SOH_ASCII ? level[1] : 0, dev ? dev_name(dev) : NULL, fmt, ap);
	va_end(ap);
}

/* ---- strings ---- */

KI ssize_t strscpy(char *dest, const char *src, size_t count)
{
	size_t i;

	if (!count)
		return -E2BIG;
	for (i = 0; i < count; i++) {
		dest[i] = src[i];
		if (!src[i])
			return i;
	}
	dest[count - 1] = 0;
	return -E2BIG;
}

KI size_t strlcpy(char *dest, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t k = n >= size ? size - 1 : n;

		memcpy(dest, src, k);
		dest[k] = 0;
	}
	return n;
}

/* ---- the user half's own allocations ---- */

KI void *__kmalloc(size_t size, gfp_t flags)
{
	return kcl_alloc(size, !!(flags & __GFP_ZERO));
}

KI void *kmalloc_trace(struct kmem_cache *s, gfp_t flags, size_t size)
{
	return __kmalloc(size, flags);
}

KI void *kmalloc_large(size_t size, gfp_t flags)
{
	return __kmalloc(size, flags);
}

KI void *__kmalloc_node(size_t size, gfp_t flags, int node)
{
	return __kmalloc(size, flags);
}

KI void *kvmalloc_node(size_t size, gfp_t flags, int node)
{
	return __kmalloc(size, flags);
}

KI void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	return kcl_realloc((void *)p, new_size);
}

KI void kfree(const void *p)
{
	if (!ZERO_OR_NULL_PTR(p))
		kcl_free((void *)p);
}

KI void kvfree(const void *p)
{
	kfree(p);
}

KI void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = __kmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

KI char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup(s, strlen(s) + 1, gfp) : NULL;
}

/* The slab caches kmalloc's inline fast path indexes (never dereferenced here). */
KI struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];

/* ---- delays ---- */

KI void msleep(unsigned int msecs)
{
	kcl_sleep_us((unsigned long)msecs * 1000);
}

KI unsigned long msleep_interruptible(unsigned int msecs)
{
	msleep(msecs);
	return 0;
}

/*
 * The delays below run here, not as downcalls (common/kc_kapi.c kc_kapi_local_delay). A delay
 * first sends the register writes posted before it (rt/io.c, forward access): `writel(a); udelay(10);
 * writel(b)` must reach the device 10 us apart, as it did when the delay was a crossing (every
 * crossing flushes). Nothing posted: no crossing. Weak: a user half built without rt/io.c.
 */
extern void kc_io_flush(void) __weak;

static void kc_delay_flush(void)
{
	if (kc_io_flush)
		kc_io_flush();
}

KI void usleep_range_state(unsigned long min, unsigned long max, unsigned int state)
{
	kc_delay_flush();
	kcl_sleep_us(min);
}

KI void __udelay(unsigned long usecs)
{
	kc_delay_flush();
	kcl_delay_ns(usecs * 1000);
}

KI void __ndelay(unsigned long nsecs)
{
	kc_delay_flush();
	kcl_delay_ns(nsecs);
}

/* udelay(n) of a constant: n * 0x10c7 (2^32 / 10^6, rounded up); ndelay(n): n * 5 (2^32 / 10^9,
 * rounded up): xloops / 2^32 seconds either way, counted in nanoseconds (a whole-microsecond
 * count made every constant ndelay under 859 ns no delay at all). xloops <= 20000 * 0x10c7. */
KI void __const_udelay(unsigned long xloops)
{
	kc_delay_flush();
	kcl_delay_ns((unsigned long)(((unsigned long long)xloops * 1000000000ull) >> 32));
}

KI void __delay(unsigned long loops)
{
	kc_delay_flush();
	kcl_delay_ns(loops);
}

#ifdef CONFIG_DEBUG_ATOMIC_SLEEP
KI void __might_sleep(const char *file, int line)
{
}

KI void __might_resched(const char *file, int line, unsigned int offsets)
{
}
#endif

#if defined(CONFIG_PROVE_LOCKING) || defined(CONFIG_DEBUG_ATOMIC_SLEEP)
KI void __might_fault(const char *file, int line)
{
}
#endif

#if defined(CONFIG_PREEMPT_DYNAMIC) && defined(CONFIG_HAVE_PREEMPT_DYNAMIC_CALL)
/* cond_resched() is a static call in such kernels (linux/sched.h): its trampoline; a process is
 * preempted anyway */
KI int __SCT__cond_resched(void)
{
	return 0;
}
#endif

/* ---- locks: user-space locks on the kernel structs' own lock words ---- */

static void kc_word_lock(atomic_long_t *w, s64 me)
{
	s64 zero = 0;
	unsigned int spins = 0;

	while (!__atomic_compare_exchange_n(&w->counter, &zero, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		zero = 0;
		if (++spins > 100)
			kcl_yield();
	}
}

static void kc_word_unlock(atomic_long_t *w)
{
	__atomic_store_n(&w->counter, 0, __ATOMIC_RELEASE);
}

KI void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key)
{
	atomic_long_set(&lock->owner, 0);
}

KI void mutex_lock(struct mutex *lock)
{
	kc_word_lock(&lock->owner, kcl_tid());
}

KI int mutex_lock_interruptible(struct mutex *lock)
{
	mutex_lock(lock);
	return 0;
}

KI int mutex_lock_killable(struct mutex *lock)
{
	mutex_lock(lock);
	return 0;
}

KI int mutex_trylock(struct mutex *lock)
{
	s64 zero = 0;

	return __atomic_compare_exchange_n(&lock->owner.counter, &zero, (s64)kcl_tid(), 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

KI void mutex_unlock(struct mutex *lock)
{
	kc_word_unlock(&lock->owner);
}

KI bool mutex_is_locked(struct mutex *lock)
{
	return atomic_long_read(&lock->owner) != 0;
}

#ifdef CONFIG_SMP
static void kc_spin_lock(raw_spinlock_t *lock)
{
	int zero = 0;
	unsigned int spins = 0;

	while (!__atomic_compare_exchange_n(&lock->raw_lock.val.counter, &zero, 1, 0, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		zero = 0;
		if (++spins > 100)
			kcl_yield();
	}
}

static void kc_spin_unlock(raw_spinlock_t *lock)
{
	__atomic_store_n(&lock->raw_lock.val.counter, 0, __ATOMIC_RELEASE);
}

/* The slow path of the inline queued_spin_lock (the fast path's compare-and-swap failed). */
KI void queued_spin_lock_slowpath(struct qspinlock *lock, u32 val)
{
	int zero = 0;

	while (!__atomic_compare_exchange_n(&lock->val.counter, &zero, _Q_LOCKED_VAL, 0, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		zero = 0;
		kcl_yield();
	}
}

/* (the _raw_spin_* the configuration inlines are macros: nothing to define for them; what they
 * inline is checked by kcut-lxbuild's instruction scan) */
#ifndef _raw_spin_lock
KI void _raw_spin_lock(raw_spinlock_t *lock) { kc_spin_lock(lock); }
#endif
#ifndef _raw_spin_lock_bh
KI void _raw_spin_lock_bh(raw_spinlock_t *lock) { kc_spin_lock(lock); }
#endif
#ifndef _raw_spin_lock_irq
KI void _raw_spin_lock_irq(raw_spinlock_t *lock) { kc_spin_lock(lock); }
#endif
#ifndef _raw_spin_lock_irqsave
KI unsigned long _raw_spin_lock_irqsave(raw_spinlock_t *lock)
{
	kc_spin_lock(lock);
	return 0;
}
#endif
#ifndef _raw_spin_trylock
KI int _raw_spin_trylock(raw_spinlock_t *lock)
{
	int zero = 0;

	return __atomic_compare_exchange_n(&lock->raw_lock.val.counter, &zero, 1, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}
#endif
#ifndef _raw_spin_unlock
KI void _raw_spin_unlock(raw_spinlock_t *lock) { kc_spin_unlock(lock); }
#endif
#ifndef _raw_spin_unlock_bh
KI void _raw_spin_unlock_bh(raw_spinlock_t *lock) { kc_spin_unlock(lock); }
#endif
#ifndef _raw_spin_unlock_irq
KI void _raw_spin_unlock_irq(raw_spinlock_t *lock) { kc_spin_unlock(lock); }
#endif
#ifndef _raw_spin_unlock_irqrestore
KI void _raw_spin_unlock_irqrestore(raw_spinlock_t *lock, unsigned long flags) { kc_spin_unlock(lock); }
#endif
#endif /* CONFIG_SMP */

/* ---- pure helpers of the networking core that drivers' ops tables name ---- */

KI int eth_validate_addr(struct net_device *dev)
{
	return is_valid_ether_addr(dev->dev_addr) ? 0 : -EADDRNOTAVAIL;
}

KI u32 ethtool_op_get_link(struct net_device *dev)
{
	return netif_carrier_ok(dev) ? 1 : 0;
}

KI int ethtool_op_get_ts_info(struct net_device *dev, struct ethtool_ts_info *info)
{
	info->so_timestamping = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
				SOF_TIMESTAMPING_SOFTWARE;
	info->phc_index = -1;
	return 0;
}

/* ---- BUG() and WARN() ----
 * Both are a ud2 with an entry in __bug_table (x86). In the user program ud2 raises SIGILL;
 * lx_main.c's handler asks kcut_lx_bug() whether the address is a WARN: then it prints the
 * warning as the kernel does and goes on after the ud2, else (BUG) the process ends. */
#ifdef CONFIG_GENERIC_BUG
/* the linker's bounds of the section (weak: a program without BUG/WARN has no such section) */
extern const struct bug_entry __start___bug_table[] __weak;
extern const struct bug_entry __stop___bug_table[] __weak;

int kcut_lx_bug(unsigned long addr, char *msg, unsigned long n);
int kcut_lx_bug(unsigned long addr, char *msg, unsigned long n)
{
	const struct bug_entry *b;

	for (b = __start___bug_table; b < __stop___bug_table; b++) {
#ifdef CONFIG_GENERIC_BUG_RELATIVE_POINTERS
		unsigned long a = (unsigned long)&b->bug_addr_disp + b->bug_addr_disp;
#else
		unsigned long a = b->bug_addr;
#endif
		const char *file = "?";
		unsigned int line = 0;

		if (a != addr)
			continue;
#ifdef CONFIG_DEBUG_BUGVERBOSE
#ifdef CONFIG_GENERIC_BUG_RELATIVE_POINTERS
		file = (const char *)&b->file_disp + b->file_disp;
#else
		file = b->file;
#endif
		line = b->line;
#endif
		scnprintf(msg, n, "%s at %s:%u", b->flags & BUGFLAG_WARNING ? "WARNING" : "BUG", file, line);
		return !!(b->flags & BUGFLAG_WARNING);
	}
	scnprintf(msg, n, "ud2 at %#lx (no __bug_table entry)", addr);
	return 0;
}
#endif

/* ---- the end ---- */

KI void panic(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	kcl_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kcl_abort(msg);
}
