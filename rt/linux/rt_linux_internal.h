/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rt_linux_internal.h - the kernel endpoint of rt/linux (struct kc_rt), shared by
 * kcut_rt_linux.c (the device, the channel, calls) and region_linux.c (device regions: exports,
 * mmap). Not an interface of kcut_rt.ko.
 */
#ifndef KC_RT_LINUX_INTERNAL_H
#define KC_RT_LINUX_INTERNAL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/miscdevice.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "kcut_rt.h"
#include "region_internal.h"
#include "sync_internal.h"
#include "wire_internal.h"

struct kc_lx_conn;

struct kc_rt {
	struct kref ref;           /* the kernel half's, and one per incarnation */
	bool stopping;             /* under lock: kc_rt_linux_stop was called */
	atomic_t active;           /* downcalls being served */
	char name[32];
	char devname[40];
	struct miscdevice misc;
	bool registered;
	const struct kc_rt_fn *fns;
	u32 nfns;
	const char *const *peer_names;
	u32 npeer;
	struct kc_objt *objt;
	struct kc_wire_state wire; /* rt/wire.c's: the driver's tables, interned strings */
	struct kc_region_state reg; /* rt/region.c's: the exported device regions */
	struct kc_sync *sync;      /* rt/sync.c's (kernel side: the shadows of what went back) */
	struct mutex map_lock;     /* region exports / unexports against the user half's mmaps */
	struct xarray maps;        /* mappable regions by mmap token index (region_linux.c) */
	u32 next_map;
	struct address_space *mapping; /* the device file's (its region mappings), set at open */
	struct kc_os_mutex *wlock; /* wire.lock (process context) */
	struct kc_os_mutex *flock; /* wire.free_lock: frees vs the recovery hook's reads */
	kc_rt_recover_fn recover;  /* run for each new incarnation after the first */
	void *recover_arg;
	struct work_struct recover_work; /* runs recover (process context, may make upcalls) */
	struct llist_head dfree;   /* frees the kernel half made in atomic context (kc_rt_linux_free) */
	struct delayed_work dfree_work; /* ... forgets then frees them, in process context */
	bool dfree_off;            /* kc_rt_linux_stop flushed them: none is deferred any more */
	struct task_struct *recover_task; /* the thread running it: its upcalls do not wait */
	bool recovering;           /* under lock: other threads' upcalls wait until it is done */
	unsigned int recover_inc;  /* the incarnation it runs for */
	u64 *rel;                  /* handles released, not yet told to the user half (under wlock) */
	u32 nrel, caprel;
	spinlock_t lock;
	struct module *owner;      /* the kernel half's module (kc_rt_linux_set_owner), or NULL */
	bool pinned;               /* under lock: owner is held while no user half is connected */
	struct kc_lx_conn *conn;   /* current incarnation, NULL when no user half */
	wait_queue_head_t wq_up;   /* user workers waiting for an upcall */
	wait_queue_head_t wq_done; /* kernel callers waiting for replies, free slots, a user half */
	atomic_t next_id;
	unsigned int incarnations;
	unsigned int call_timeout_ms;
};

/* rt_objtrack.c: may p be the base of an object some tracker of kcut_rt.ko tracks (or did)?
 * false: certainly not. Any context. */
bool kc_lx_maybe_tracked(const void *p);
/* kcut_rt_linux.c: was p freed or handed to the kernel in atomic context, and the tracker not yet
 * told (the worker does it)? rt_objtrack.c's handle checks refuse such an object. Any context. */
bool kc_lx_gone(const void *p);
/* rt_objtrack.c: the tracker's gone hook (kc_objt_set_hooks): kc_lx_gone, with a log line. */
int kc_lx_objt_gone(void *arg, uint64_t h, const void *ptr, size_t size);

/* region_linux.c */
extern const struct kc_rt_io_ops kc_lx_io_ops;
/* mmap of a region (vm_pgoff != 0) into the user half: checked, 0 or a negative errno. */
int kc_lx_region_mmap(struct kc_rt *rt, struct vm_area_struct *vma);
/* Endpoint stop: drop the mappable regions left (their mappings are zapped). */
void kc_lx_regions_stop(struct kc_rt *rt);

#endif /* KC_RT_LINUX_INTERNAL_H */
