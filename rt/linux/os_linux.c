// SPDX-License-Identifier: GPL-2.0
/*
 * os_linux.c - rt/os.h for a Linux kernel module: the part of the operating-system layer that
 * rt's portable core (xdr.c, objtrack.c, wire.c, region.c) uses, on kernel facilities (kvmalloc, mutex, ktime,
 * printk), and kc_common's error slot. The channel, futex, process and shared-memory calls of
 * os.h are not here: the kernel endpoint (kcut_rt_linux.c) uses wait queues and a misc device.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "os.h"
#include "kc_common.h"

void *kc_os_alloc(size_t n)
{
	might_sleep();
	return kvmalloc(n ? n : 1, GFP_KERNEL);
}

void *kc_os_zalloc(size_t n)
{
	might_sleep();
	return kvzalloc(n ? n : 1, GFP_KERNEL);
}

void kc_os_free(void *p)
{
	kvfree(p);
}

struct kc_os_mutex {
	struct mutex m;
};

struct kc_os_mutex *kc_os_mutex_new(void)
{
	struct kc_os_mutex *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (m)
		mutex_init(&m->m);
	return m;
}

void kc_os_mutex_free(struct kc_os_mutex *m)
{
	if (m)
		mutex_destroy(&m->m);
	kfree(m);
}

/* The tracker's lock is a mutex: the kernel half uses the tracker only where it may cross, in
 * process context (kc_rt_call_begin refuses atomic context first). */
void kc_os_lock(struct kc_os_mutex *m)
{
	mutex_lock(&m->m);
}

void kc_os_unlock(struct kc_os_mutex *m)
{
	mutex_unlock(&m->m);
}

/* (region.c: waiting for a forwarded operation on a region being unexported to end) */
void kc_os_yield(void)
{
	cond_resched();
	cpu_relax();
}

int kc_os_on_stack(const void *p)
{
	return object_is_on_stack(p);
}

uint64_t kc_os_now_ns(void)
{
	return ktime_get_ns();
}

void kc_os_log(const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	pr_info("kcut-rt: %pV", &vaf);
	va_end(ap);
}

int kc_err_set(struct kc_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vscnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *kc_strerror(int code)
{
	switch (code) {
	case KC_OK: return "success";
	case KC_EINVAL: return "invalid argument or input";
	case KC_ENOMEM: return "out of memory";
	case KC_EIO: return "I/O error";
	case KC_ENOTFOUND: return "not found";
	case KC_EUNSUPP: return "not supported";
	case KC_EBUG: return "internal error";
	default: return "error";
	}
}
