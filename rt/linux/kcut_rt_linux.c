// SPDX-License-Identifier: GPL-2.0
/*
 * kcut_rt_linux.c - the kernel half's endpoint in a Linux kernel (module kcut_rt.ko; the
 * interface with the user half is kcut_rt_uapi.h, with the kernel half kcut_rt_linux.h and the
 * kc_rt_call API of rt/kcut_rt.h).
 *
 * One misc device per split driver. Each open of it by a user half is an incarnation with a
 * channel of its own (vmalloc_user, mmapped by the user half). Upcalls: the calling kernel thread
 * (process context only: from atomic context an upcall is refused) takes a kernel slot, copies
 * its CALL into the channel, queues the slot and sleeps on its wait queue; a user worker blocked
 * in KCUT_LX_IOC_WAIT takes the slot, serves it and hands the REPLY back with KCUT_LX_IOC_REPLY;
 * the caller copies the reply out of the channel before it parses it. Downcalls: KCUT_LX_IOC_CALL
 * copies the CALL out of a user slot and runs the handler in the calling user thread, then writes
 * the REPLY into that slot. A malformed message is a fault of the user half: it is logged, the
 * user half is killed, its pending upcalls fail. Releasing the file (the process exits or dies)
 * ends the incarnation the same way: pending upcalls fail with KC_RT_EDEAD, new ones with
 * KC_RT_EDOWN until a user half opens the device again.
 *
 * Device regions (exports, their mmap into the user half) are in region_linux.c.
 *
 * A user half that opens the device after the first one gets the recovery hook (kc_rt_opts.recover
 * of the kernel model: rt/wire.c re-sends what the kernel half tracks), run in a worker before
 * other upcalls go to it.
 *
 * Synchronization at every crossing (rt/sync.c, built in: the kernel side) for forward/mapped
 * splits: the KC_RT_FN_SYNC server takes the user half's changes, every downcall's reply brings the
 * kernel half's back (KC_MSG_F_SYNC). wire.c's per-thread state (the undo log of the
 * all-or-nothing decode, the stack objects a call made known) is per task here: a table of the
 * tasks inside a call of the runtime (kc_rt__task).
 *
 * Not done yet (docs/linux.md): nested upcalls made while a downcall of the same chain is served
 * (they are served by another user worker), the crossing trace.
 */
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/llist.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/preempt.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "kcut_rt.h"
#include "kcut_rt_linux.h"
#include "kcut_rt_uapi.h"
#include "objt_internal.h"
#include "rt_linux_internal.h"

#define KC_LX_NSLOTS_K 16u
#define KC_LX_NSLOTS_U 16u
#define KC_LX_SLOT_BYTES (64u * 1024u)
#define KC_LX_HDR_BYTES PAGE_SIZE
#define KC_LX_MSG_HDR 24u /* rt/rt_internal.h KC_MSG_HDR */
#define KC_LX_MSG_CALL 1u
#define KC_LX_MSG_REPLY 2u
#define KC_LX_MSG_F_RELEASE 1u /* rt/rt_internal.h KC_MSG_F_RELEASE */
#define KC_LX_CALL_TIMEOUT_MS 5000u
#define KC_LX_CALL_CAP_MS 60000u

/* A kernel slot's state. */
enum { SLOT_FREE, SLOT_RESERVED, SLOT_QUEUED, SLOT_SERVING, SLOT_DONE };

/* One incarnation: an open file of the device. */
struct kc_lx_conn {
	struct kref ref;
	struct kc_rt *rt;
	void *chan;             /* vmalloc_user: header page + slots, mapped by the user half */
	size_t chan_bytes;
	struct pid *pid;        /* the user half (killed on a protocol fault) */
	bool dead;              /* under rt->lock */
	bool ready;             /* under rt->lock: the layouts matched (KCUT_LX_IOC_TYPES), or the
				 * user half began serving without them: the kernel half may go on */
	unsigned int inc;       /* its incarnation number (rt->incarnations when it connected) */
	u8 state[KC_LX_NSLOTS_K];
	u32 reply_len[KC_LX_NSLOTS_K];
	u32 queue[KC_LX_NSLOTS_K]; /* queued kernel slots, FIFO */
	u32 qhead, qlen;
	atomic_t served;        /* downcalls of this incarnation served to the end (upcall_wait) */
	atomic_t serving;       /* downcalls of this incarnation being served now */
};


struct kc_lx_task;

struct kc_rt_call {
	struct kc_rt *rt;
	struct kc_lx_conn *conn;
	struct kc_lx_task *task; /* the calling task's state (wire.c's) */
	unsigned int stk;        /* its stack-object mark when the call began */
	u32 slot, fn, id;
	int invoked;
	struct kc_xdr args, res;
	u8 *buf; /* KC_LX_SLOT_BYTES: the message, private to the kernel */
};

const char *kc_rt_strerror(int code)
{
	switch (code) {
	case KC_RT_EDEAD: return "the user half died while the call was pending";
	case KC_RT_EDOWN: return "the user half is not running";
	case KC_RT_ETIMEDOUT: return "the peer did not answer in time";
	case KC_RT_EPROTO: return "protocol violation by the peer";
	case KC_RT_ESTALE: return "stale handle";
	case KC_RT_ETYPE: return "handle of the wrong type";
	case KC_RT_ERANGE: return "offset or length outside the object";
	case KC_RT_ENOSLOT: return "too many concurrent calls";
	case KC_RT_ENULL: return "NULL pointer where the callee dereferences it";
	default: return kc_strerror(code);
	}
}
EXPORT_SYMBOL_GPL(kc_rt_strerror);

struct kc_objt *kc_rt_objt(struct kc_rt *rt)
{
	return rt->objt;
}
EXPORT_SYMBOL_GPL(kc_rt_objt);

struct kc_wire_state *kc_rt__wire(struct kc_rt *rt)
{
	return &rt->wire;
}

struct kc_region_state *kc_rt__regions(struct kc_rt *rt)
{
	return &rt->reg;
}

struct kc_sync **kc_rt__sync(struct kc_rt *rt)
{
	return &rt->sync;
}

/* ---- per-task state: wire.c's undo log and stack objects (wire_internal.h) ---- */

/* A task inside calls of the runtime: serving a downcall (KCUT_LX_IOC_CALL) or making an upcall
 * (kc_rt_call_begin .. kc_rt_call_end), nested to any depth. Only its own task touches depth and
 * w; the table's lock guards the table. */
struct kc_lx_task {
	struct hlist_node node;
	struct task_struct *task;
	unsigned int depth;
	struct kc_wire_task w;
	struct kc_objt_pins pins; /* what its downcall handlers looked up (objt_internal.h) */
};

static DEFINE_HASHTABLE(kc_lx_tasks, 6);
static DEFINE_SPINLOCK(kc_lx_tasks_lock);

static struct kc_lx_task *task_find(struct task_struct *tsk)
{
	struct kc_lx_task *t;

	hash_for_each_possible(kc_lx_tasks, t, node, (unsigned long)tsk)
		if (t->task == tsk)
			return t;
	return NULL;
}

struct kc_wire_task *kc_rt__task(void)
{
	struct kc_lx_task *t;

	spin_lock(&kc_lx_tasks_lock);
	t = task_find(current);
	spin_unlock(&kc_lx_tasks_lock);
	return t ? &t->w : NULL;
}

/* The tracker's pins hook (kc_objt_set_hooks): the calling task's pin set, NULL when it is in no
 * call of the runtime (then it serves no downcall: nothing to pin). */
static struct kc_objt_pins *task_pins(void *arg)
{
	struct kc_lx_task *t;

	spin_lock(&kc_lx_tasks_lock);
	t = task_find(current);
	spin_unlock(&kc_lx_tasks_lock);
	return t ? &t->pins : NULL;
}

/* The calling task enters a call: its state, made for its outermost call; NULL without memory. */
static struct kc_lx_task *task_enter(void)
{
	struct kc_lx_task *t;

	spin_lock(&kc_lx_tasks_lock);
	t = task_find(current);
	spin_unlock(&kc_lx_tasks_lock);
	if (t) {
		t->depth++;
		return t;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->task = current;
	t->depth = 1;
	spin_lock(&kc_lx_tasks_lock);
	hash_add(kc_lx_tasks, &t->node, (unsigned long)current);
	spin_unlock(&kc_lx_tasks_lock);
	return t;
}

/* ... and leaves it: after its outermost call, what wire.c kept goes (a decode's undo log is
 * committed or played back by then; stack objects are released by kc_rt_call_end). */
static void task_leave(struct kc_lx_task *t)
{
	if (!t || --t->depth)
		return;
	spin_lock(&kc_lx_tasks_lock);
	hash_del(&t->node);
	spin_unlock(&kc_lx_tasks_lock);
	kc_wire__task_end(&t->w);
	kc_objt_pins_release(&t->pins);
	kfree(t);
}

static void *slot_at(struct kc_lx_conn *c, u32 i)
{
	return (u8 *)c->chan + KC_LX_HDR_BYTES + (size_t)i * KC_LX_SLOT_BYTES;
}

static void hdr_put(u8 *buf, u32 kind, u32 id, u32 fn, u32 flags, s32 status, u32 payload)
{
	struct kc_xdr x;

	kc_xdr_init_enc(&x, buf, KC_LX_MSG_HDR);
	kc_xdr_put_u32(&x, kind);
	kc_xdr_put_u32(&x, id);
	kc_xdr_put_u32(&x, fn);
	kc_xdr_put_u32(&x, flags);
	kc_xdr_put_i32(&x, status);
	kc_xdr_put_u32(&x, payload);
}

/* Parse a message header of a len-byte message (already copied out of the channel). */
static int hdr_get(const u8 *buf, u32 len, u32 *kind, u32 *id, u32 *fn, s32 *status)
{
	struct kc_xdr x;
	u32 flags, plen;

	if (len < KC_LX_MSG_HDR || len > KC_LX_SLOT_BYTES)
		return KC_RT_EPROTO;
	kc_xdr_init_dec(&x, buf, KC_LX_MSG_HDR);
	*kind = kc_xdr_get_u32(&x);
	*id = kc_xdr_get_u32(&x);
	*fn = kc_xdr_get_u32(&x);
	flags = kc_xdr_get_u32(&x);
	*status = kc_xdr_get_i32(&x);
	plen = kc_xdr_get_u32(&x);
	if (kc_xdr_error(&x) || flags || plen != len - KC_LX_MSG_HDR)
		return KC_RT_EPROTO;
	if (*kind != KC_LX_MSG_CALL && *kind != KC_LX_MSG_REPLY)
		return KC_RT_EPROTO;
	return 0;
}

static void rt_free(struct kref *ref)
{
	struct kc_rt *rt = container_of(ref, struct kc_rt, ref);

	kc_sync__free(rt);
	kc_wire__free(rt);
	kc_region__tab_free(rt);
	kc_os_mutex_free(rt->wlock);
	kc_os_mutex_free(rt->flock);
	kc_objt_free(rt->objt);
	kvfree(rt->rel);
	kfree(rt);
}

static void conn_free(struct kref *ref)
{
	struct kc_lx_conn *c = container_of(ref, struct kc_lx_conn, ref);

	vfree(c->chan);
	put_pid(c->pid);
	kref_put(&c->rt->ref, rt_free);
	kfree(c);
}

static struct kc_lx_conn *conn_get(struct kc_rt *rt)
{
	struct kc_lx_conn *c;

	spin_lock(&rt->lock);
	c = rt->conn;
	if (c && !c->dead)
		kref_get(&c->ref);
	else
		c = NULL;
	spin_unlock(&rt->lock);
	return c;
}

static void conn_put(struct kc_lx_conn *c)
{
	if (c)
		kref_put(&c->ref, conn_free);
}

/*
 * The driver's teardown (its remove and close functions) runs partly in the user half: unloading
 * the kernel half while no user half runs would leave what those functions undo (the netdev
 * registered, the IRQ, work items, NAPI) pointing into freed module code. So while no user half
 * is connected the kernel half's module is pinned (rmmod: "in use"); a user half that connects
 * unpins it. Not while the endpoint stops (the unload itself), nor once the module is going.
 */
static void pin_owner(struct kc_rt *rt)
{
	bool pin = false;

	spin_lock(&rt->lock);
	if (rt->owner && !rt->pinned && !rt->stopping && !rt->conn)
		pin = rt->pinned = true;
	spin_unlock(&rt->lock);
	if (!pin)
		return;
	if (!try_module_get(rt->owner)) {
		spin_lock(&rt->lock);
		rt->pinned = false;
		spin_unlock(&rt->lock);
		return;
	}
	pr_info("kcut-rt %s: no user half: the driver's module cannot be unloaded until one is back (its teardown runs there)\n",
		rt->name);
}

static void unpin_owner(struct kc_rt *rt)
{
	bool was;

	spin_lock(&rt->lock);
	was = rt->pinned;
	rt->pinned = false;
	spin_unlock(&rt->lock);
	if (was)
		module_put(rt->owner);
}

void kc_rt_linux_set_owner(struct kc_rt *rt, struct module *owner)
{
	if (rt)
		rt->owner = owner;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_set_owner);

/* End an incarnation: fail every pending upcall, wake everyone, kill the process when asked. */
static void conn_kill(struct kc_rt *rt, struct kc_lx_conn *c, const char *why, bool kill)
{
	bool was;

	spin_lock(&rt->lock);
	was = c->dead;
	c->dead = true;
	if (rt->conn == c)
		rt->conn = NULL;
	spin_unlock(&rt->lock);
	if (was)
		return;
	pr_warn("kcut-rt %s: user half incarnation %u ends: %s\n", rt->name, rt->incarnations, why);
	pin_owner(rt);
	if (kill && c->pid)
		kill_pid(c->pid, SIGKILL, 1);
	wake_up_all(&rt->wq_up);
	wake_up_all(&rt->wq_done);
}

int kc_rt_fault(struct kc_rt *rt, const char *why)
{
	struct kc_lx_conn *c = conn_get(rt);

	pr_warn_ratelimited("kcut-rt %s: protocol fault of the user half: %s\n", rt->name, why);
	if (c) {
		conn_kill(rt, c, why, true);
		conn_put(c);
	}
	return KC_RT_EPROTO;
}
EXPORT_SYMBOL_GPL(kc_rt_fault);

/* The user half's process id while one is connected and alive, else 0 (kcut_rt.h). The
 * emitted begin hooks of ops tables whose ops the user half serves refuse requests when it is 0
 * (ethtool fails at once instead of answering nothing). */
int kc_rt_user_pid(const struct kc_rt *rt)
{
	struct kc_rt *r = (struct kc_rt *)rt;
	int pid = 0;

	if (!r)
		return 0;
	spin_lock(&r->lock);
	if (r->conn && !r->conn->dead)
		pid = pid_nr(r->conn->pid);
	spin_unlock(&r->lock);
	return pid;
}
EXPORT_SYMBOL_GPL(kc_rt_user_pid);

/* ---- objects the kernel half frees: the user half drops its copies ---- */

/* Queue handle h for the user half (told with the next upcall). Caller holds rt->wlock. Returns
 * KC_ENOMEM when the queue cannot grow: the user half keeps a stale copy, which is harmless. */
static int queue_release(struct kc_rt *rt, u64 h)
{
	if (rt->nrel == rt->caprel) {
		u32 n = rt->caprel ? 2 * rt->caprel : 64;
		u64 *p = kvmalloc_array(n, sizeof(*p), GFP_KERNEL);

		if (!p)
			return KC_ENOMEM;
		if (rt->nrel)
			memcpy(p, rt->rel, rt->nrel * sizeof(*p));
		kvfree(rt->rel);
		rt->rel = p;
		rt->caprel = n;
	}
	rt->rel[rt->nrel++] = h;
	return 0;
}

/* The memory at ptr (size 0: the object there) is going, in process context and at once (a stack
 * frame ends): mark what is tracked in it dying and wait while downcall handlers of other tasks
 * hold it (objt_internal.h). */
static void wait_unpinned(struct kc_rt *rt, const void *ptr, size_t size)
{
	unsigned long start = jiffies;
	bool logged = false;

	while (kc_objt_doom(rt->objt, ptr, size)) {
		if (!logged && time_after(jiffies, start + HZ)) {
			pr_warn("kcut-rt %s: a free of %px waits for a downcall handler that uses it\n", rt->name, ptr);
			logged = true;
		}
		usleep_range(50, 200);
	}
}

int kc_rt_obj_free(struct kc_rt *rt, const void *ptr)
{
	size_t off, size;
	u64 h;
	int rc;

	if (kc_objt_handle_of(rt->objt, &h, &off, ptr) || off)
		return 0; /* not a tracked object's base: nothing crossed, nothing to tell */
	wait_unpinned(rt, ptr, 0);
	if (kc_objt_forget(rt->objt, ptr, &h, &size))
		return 0;
	kc_os_lock(rt->wlock);
	rc = queue_release(rt, h);
	kc_os_unlock(rt->wlock);
	return rc;
}
EXPORT_SYMBOL_GPL(kc_rt_obj_free);

/* wire.c's callbacks (wire_internal.h). Forget every tracked object overlapping [ptr, ptr + size)
 * (size 0: the object at ptr) and tell the user half, as rt.c does in the kernel model. */
void kc_rt__forget_range(struct kc_rt *rt, const void *ptr, size_t size)
{
	u64 h[16];
	size_t i, n;

	do {
		n = kc_objt_untrack_range(rt->objt, ptr, size, h, 16);
		kc_os_lock(rt->wlock);
		for (i = 0; i < n && !queue_release(rt, h[i]); i++)
			;
		kc_os_unlock(rt->wlock);
	} while (n == 16);
}

/* Append pending releases after the len payload bytes at payload (cap bytes of room), as rt.c
 * does: u64 handle * k, then u32 k; returns the new length, sets *flags. */
static u32 put_releases(struct kc_rt *rt, u8 *payload, u32 len, u32 cap, u32 *flags)
{
	struct kc_xdr x;
	u32 k, i, room;

	*flags = 0;
	if (!READ_ONCE(rt->nrel))
		return len;
	kc_os_lock(rt->wlock);
	room = cap - len >= 4 ? (cap - len - 4) / 8 : 0;
	k = min(rt->nrel, room);
	if (k) {
		kc_xdr_init_enc(&x, payload + len, 8 * k + 4);
		rt->nrel -= k;
		for (i = 0; i < k; i++)
			kc_xdr_put_u64(&x, rt->rel[rt->nrel + i]);
		kc_xdr_put_u32(&x, k);
		len += 8 * k + 4;
		*flags = KC_LX_MSG_F_RELEASE;
	}
	kc_os_unlock(rt->wlock);
	return len;
}

/* ---- the kernel half's frees and ownership transfers (kcut_frees.h): the tracker forgets
 * first, also in atomic context ---- */

/* A free or a transfer the worker completes (kc_rt_linux_free / _give in atomic context). Until
 * it is done, p is in the gone set: the tracker refuses a handle of it (kc_lx_gone). */
struct kc_lx_dfree {
	struct llist_node node;
	struct hlist_node gone;
	const void *p;
	unsigned int kind;
};

/* The gone set: objects freed or handed over in atomic context, not yet forgotten by the tracker.
 * Any context adds (IRQ included), the worker removes, the tracker's handle checks read. */
static DEFINE_SPINLOCK(gone_lock);
static DEFINE_HASHTABLE(gone_tab, 8);
static atomic_t gone_n = ATOMIC_INIT(0);

/* The overall cap of an upcall's wait (upcall_wait): its 5 s timeout restarts while the user half
 * makes downcalls, but not beyond this. Read at each upcall (writable at run time). */
static unsigned int call_cap_ms = KC_LX_CALL_CAP_MS;
module_param(call_cap_ms, uint, 0644);
MODULE_PARM_DESC(call_cap_ms, "cap (ms) of an upcall's wait while the user half keeps making nested downcalls (the 5 s timeout restarts on each); at least the call timeout");

/* Tests (scripts/qemu-hostile.sh): how long the worker waits before it forgets, so that a hostile
 * user half surely names an object while it is in the gone set. 0: at once. */
static unsigned int defer_ms;
module_param(defer_ms, uint, 0644);
MODULE_PARM_DESC(defer_ms, "tests: delay (ms) of the forgetting of objects freed or handed to the kernel in atomic context");

bool kc_lx_gone(const void *p)
{
	struct kc_lx_dfree *d;
	unsigned long flags;
	bool found = false;

	if (!p || !atomic_read(&gone_n))
		return false;
	spin_lock_irqsave(&gone_lock, flags);
	hash_for_each_possible(gone_tab, d, gone, (unsigned long)p)
		if (d->p == p)
			found = true;
	spin_unlock_irqrestore(&gone_lock, flags);
	return found;
}

static void gone_add(struct kc_lx_dfree *d)
{
	unsigned long flags;

	spin_lock_irqsave(&gone_lock, flags);
	hash_add(gone_tab, &d->gone, (unsigned long)d->p);
	atomic_inc(&gone_n);
	spin_unlock_irqrestore(&gone_lock, flags);
}

static void gone_del(struct kc_lx_dfree *d)
{
	unsigned long flags;

	spin_lock_irqsave(&gone_lock, flags);
	hash_del(&d->gone);
	atomic_dec(&gone_n);
	spin_unlock_irqrestore(&gone_lock, flags);
}

/* later: from the worker (process context) */
static void free_now(const void *p, unsigned int kind, bool later)
{
	struct sk_buff *skb = (struct sk_buff *)p;

	switch (kind) {
	case KC_LX_GIVE:
		break; /* the kernel's now */
	case KC_LX_FREE_SKB_ANY:
	case KC_LX_FREE_SKB_IRQ:
	case KC_LX_FREE_SKB:
		if (later || kind == KC_LX_FREE_SKB_ANY)
			dev_kfree_skb_any(skb);
		else if (kind == KC_LX_FREE_SKB_IRQ)
			dev_kfree_skb_irq(skb);
		else
			kfree_skb(skb);
		break;
	case KC_LX_FREE_SKB_CONSUME_ANY:
	case KC_LX_FREE_SKB_CONSUME_IRQ:
	case KC_LX_FREE_SKB_CONSUME:
		if (later || kind == KC_LX_FREE_SKB_CONSUME_ANY)
			dev_consume_skb_any(skb);
		else if (kind == KC_LX_FREE_SKB_CONSUME_IRQ)
			dev_consume_skb_irq(skb);
		else
			consume_skb(skb);
		break;
	case KC_LX_FREE_KFREE_SENSITIVE:
		kfree_sensitive(p);
		break;
	case KC_LX_FREE_KVFREE:
		kvfree(p);
		break;
	case KC_LX_FREE_VFREE:
		vfree(p);
		break;
	case KC_LX_FREE_NETDEV:
		free_netdev((struct net_device *)p);
		break;
	default:
		kfree(p);
		break;
	}
}

/* May this context take the tracker's mutexes? Without CONFIG_PREEMPT_COUNT a spinlock does not
 * show in in_atomic(): then every free is deferred (always safe, only later). */
static bool may_sleep(void)
{
	return IS_ENABLED(CONFIG_PREEMPT_COUNT) && !in_atomic() && !irqs_disabled() && !rcu_preempt_depth();
}

/* The deferred frees and transfers: forget, then free (a transfer: nothing), then leave the gone
 * set, in process context. */
static void dfree_run(struct kc_rt *rt)
{
	struct llist_node *all = llist_reverse_order(llist_del_all(&rt->dfree));
	struct kc_lx_dfree *d, *n;
	bool again = false;

	llist_for_each_entry_safe(d, n, all, node) {
		/* a free of an object a downcall handler still holds waits for it (the object is
		 * dying and in the gone set: its handle is refused meanwhile); a transfer cannot wait,
		 * the kernel has it already; once stopping, no handler runs */
		if (d->kind != KC_LX_GIVE && !READ_ONCE(rt->dfree_off) && kc_objt_doom(rt->objt, d->p, 0)) {
			llist_add(&d->node, &rt->dfree);
			again = true;
			continue;
		}
		kc_wire_freed(rt, d->p, 0);
		free_now(d->p, d->kind, true);
		gone_del(d);
		kfree(d);
	}
	if (again)
		schedule_delayed_work(&rt->dfree_work, 1);
}

static void dfree_fn(struct work_struct *w)
{
	dfree_run(container_of(to_delayed_work(w), struct kc_rt, dfree_work));
}

/* forget's results: the caller frees now, or the worker does */
enum { KC_LX_NOW, KC_LX_LATER };

/* The tracker forgets p (kind: how it is freed, KC_LX_GIVE: the kernel takes it), at once or, in
 * atomic context or while a downcall handler of another task holds p (a pin, objt_internal.h), by
 * the worker (p refused meanwhile), which then frees it too: KC_LX_LATER. KC_LX_NOW: forgotten
 * (or not tracked), or it could not be deferred (logged; p is still tracked): the caller frees. */
static int forget(struct kc_rt *rt, const void *p, unsigned int kind)
{
	struct kc_lx_dfree *d;

	if (!rt || !p || !kc_lx_maybe_tracked(p))
		return KC_LX_NOW;
	/* a transfer does not wait for handlers: the kernel has p now (docs/runtime.md) */
	if (may_sleep() && (!kc_objt_doom(rt->objt, p, 0) || kind == KC_LX_GIVE)) {
		kc_wire_freed(rt, p, 0);
		return KC_LX_NOW;
	}
	/* the tracker takes mutexes, or a handler holds p: the object is forgotten (and freed) by a
	 * worker; until then a handle of it is refused and memory the driver freed stays allocated */
	d = READ_ONCE(rt->dfree_off) ? NULL : kmalloc(sizeof(*d), GFP_ATOMIC | __GFP_NOWARN);
	if (!d) {
		/* forgotten by the tracker only when the endpoint goes: a stale handle of it could
		 * reach freed memory until then */
		pr_err_ratelimited("kcut-rt %s: %px %s in atomic context while still tracked (%s)\n", rt->name, p,
				   kind == KC_LX_GIVE ? "handed to the kernel" : "freed",
				   READ_ONCE(rt->dfree_off) ? "after the endpoint stopped" : "out of memory");
		return KC_LX_NOW;
	}
	d->p = p;
	d->kind = kind;
	gone_add(d);
	llist_add(&d->node, &rt->dfree);
	schedule_delayed_work(&rt->dfree_work, msecs_to_jiffies(READ_ONCE(defer_ms)));
	return KC_LX_LATER;
}

void kc_rt_linux_free(struct kc_rt *rt, const void *p, unsigned int kind)
{
	/* (KC_LX_GIVE: forgotten, not freed, as kc_rt_linux_give) */
	if (forget(rt, p, kind) == KC_LX_LATER)
		return; /* the worker frees it */
	free_now(p, kind, false);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_free);

void *kc_rt_linux_give(struct kc_rt *rt, void *p)
{
	forget(rt, p, KC_LX_GIVE);
	return p;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_give);

struct sk_buff *kc_rt_linux_give_skb(struct kc_rt *rt, struct sk_buff *skb)
{
	forget(rt, skb, KC_LX_GIVE);
	return skb;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_give_skb);

struct napi_struct *kc_rt_linux_give_frags(struct kc_rt *rt, struct napi_struct *napi)
{
	if (napi)
		forget(rt, napi->skb, KC_LX_GIVE);
	return napi;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_give_frags);

struct list_head *kc_rt_linux_give_list(struct kc_rt *rt, struct list_head *head)
{
	struct sk_buff *skb;

	if (head)
		list_for_each_entry(skb, head, list)
			forget(rt, skb, KC_LX_GIVE);
	return head;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_give_list);

/* ---- upcalls: the kernel half calls the user half ---- */

int kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	struct kc_rt_call *c;
	struct kc_lx_conn *conn;
	u32 i;

	*out = NULL;
	*args = NULL;
	if (in_interrupt() || in_atomic() || irqs_disabled()) {
		/* the partition must not need this: the user half can only be waited for */
		pr_err_ratelimited("kcut-rt %s: upcall %u from atomic context refused\n", rt->name, fn);
		return KC_RT_EDOWN;
	}
	if (fn >= rt->npeer)
		return KC_EINVAL;
	/* a restarted user half gets the recovery hook's upcalls first (as rt.c does: bounded) */
	if (READ_ONCE(rt->recovering) && READ_ONCE(rt->recover_task) != current)
		wait_event_timeout(rt->wq_done, !READ_ONCE(rt->recovering),
				   msecs_to_jiffies(rt->call_timeout_ms));
	conn = conn_get(rt);
	if (!conn)
		return KC_RT_EDOWN;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (c)
		c->buf = kvmalloc(KC_LX_SLOT_BYTES, GFP_KERNEL);
	if (!c || !c->buf) {
		if (c)
			kvfree(c->buf);
		kfree(c);
		conn_put(conn);
		return KC_ENOMEM;
	}
	/* a free kernel slot (wait for one, bounded) */
	for (;;) {
		long left;

		spin_lock(&rt->lock);
		for (i = 0; i < KC_LX_NSLOTS_K && conn->state[i] != SLOT_FREE; i++)
			;
		if (i < KC_LX_NSLOTS_K && !conn->dead)
			conn->state[i] = SLOT_RESERVED;
		spin_unlock(&rt->lock);
		if (i < KC_LX_NSLOTS_K || conn->dead)
			break;
		left = wait_event_timeout(rt->wq_done, conn->dead ||
					  memchr(conn->state, SLOT_FREE, KC_LX_NSLOTS_K) != NULL,
					  msecs_to_jiffies(rt->call_timeout_ms));
		if (!left) {
			kvfree(c->buf);
			kfree(c);
			conn_put(conn);
			return KC_RT_ENOSLOT;
		}
	}
	if (conn->dead) {
		kvfree(c->buf);
		kfree(c);
		conn_put(conn);
		return KC_RT_EDEAD;
	}
	c->task = task_enter();
	if (!c->task) {
		spin_lock(&rt->lock);
		conn->state[i] = SLOT_FREE;
		spin_unlock(&rt->lock);
		wake_up(&rt->wq_done);
		kvfree(c->buf);
		kfree(c);
		conn_put(conn);
		return KC_ENOMEM;
	}
	c->stk = kc_wire__stack_mark();
	c->rt = rt;
	c->conn = conn;
	c->slot = i;
	c->fn = fn;
	c->id = (u32)atomic_inc_return(&rt->next_id);
	kc_xdr_init_enc(&c->args, c->buf + KC_LX_MSG_HDR, KC_LX_SLOT_BYTES - KC_LX_MSG_HDR);
	*out = c;
	*args = &c->args;
	return 0;
}
EXPORT_SYMBOL_GPL(kc_rt_call_begin);

/*
 * How long an upcall waits for its reply. The call timeout (rt->call_timeout_ms, 5 s) is a limit on
 * the user half's SILENCE, not on the call: a user half that makes nested downcalls meanwhile (e.g.
 * e1000_probe's ~6,800 forwarded register reads under --device-access forward) is working, so the
 * timeout starts again whenever a downcall of this incarnation was served to the end since the last
 * look, or one is being served now (the kernel's own time serving it is not the user half's; rt/rt.c's
 * chain deadline leaves it out too). A hostile user half could hold the caller for ever by trickling
 * downcalls: the whole wait is capped at call_cap_ms (module parameter, 60 s) and the user half is
 * ended when the cap fires, with a log line. Returns what wait_event_timeout returns (0: gave up, and
 * *why says why, for conn_kill).
 */
static long upcall_wait(struct kc_rt_call *c, const char **why)
{
	struct kc_rt *rt = c->rt;
	struct kc_lx_conn *conn = c->conn;
	unsigned int tmo_ms = rt->call_timeout_ms;
	unsigned int cap_ms = max(READ_ONCE(call_cap_ms), tmo_ms);
	unsigned long start = jiffies, end = start + msecs_to_jiffies(cap_ms);
	unsigned long tmo = msecs_to_jiffies(tmo_ms);
	int first = atomic_read(&conn->served), seen = first, now, restarts = 0;
	bool moved;
	long left;

	for (;;) {
		unsigned long slice = time_before(jiffies, end) ? min(tmo, end - jiffies) : 1;

		left = wait_event_timeout(rt->wq_done, READ_ONCE(conn->dead) ||
					  READ_ONCE(conn->state[c->slot]) == SLOT_DONE, (long)slice);
		if (left)
			return left;
		now = atomic_read(&conn->served);
		moved = now != seen || atomic_read(&conn->serving);
		seen = now;
		if (!moved && slice == tmo) { /* silent for a whole timeout */
			*why = "an upcall timed out";
			return 0;
		}
		if (!time_before(jiffies, end)) {
			pr_warn("kcut-rt %s: upcall %s (fn %u) refused after %u ms, past the cap: the user half made downcalls all along (%d served meanwhile, the %u ms timeout restarted %d times; call_cap_ms=%u)\n",
				rt->name, rt->peer_names && c->fn < rt->npeer ? rt->peer_names[c->fn] : "?", c->fn,
				jiffies_to_msecs(jiffies - start), now - first, tmo_ms, restarts, cap_ms);
			*why = "an upcall was held past the cap (call_cap_ms) by a trickle of downcalls";
			return 0;
		}
		restarts++;
	}
}

int kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res)
{
	struct kc_rt *rt = c->rt;
	struct kc_lx_conn *conn = c->conn;
	const char *why = NULL;
	u32 len, kind, id, fn, flags;
	s32 status;
	long left;
	int rc;

	*res = NULL;
	if (c->invoked || kc_xdr_error(&c->args))
		return kc_xdr_error(&c->args) ? kc_xdr_error(&c->args) : KC_EINVAL;
	c->invoked = 1;
	len = put_releases(rt, c->buf + KC_LX_MSG_HDR, (u32)kc_xdr_pos(&c->args),
			   KC_LX_SLOT_BYTES - KC_LX_MSG_HDR, &flags);
	len = kc_region__put_unmaps(rt, c->buf + KC_LX_MSG_HDR, len, KC_LX_SLOT_BYTES - KC_LX_MSG_HDR, &flags);
	len += KC_LX_MSG_HDR;
	hdr_put(c->buf, KC_LX_MSG_CALL, c->id, c->fn, flags, 0, len - KC_LX_MSG_HDR);
	memcpy(slot_at(conn, c->slot), c->buf, len);
	spin_lock(&rt->lock);
	if (conn->dead) {
		spin_unlock(&rt->lock);
		return KC_RT_EDEAD;
	}
	conn->state[c->slot] = SLOT_QUEUED;
	conn->queue[(conn->qhead + conn->qlen++) % KC_LX_NSLOTS_K] = c->slot;
	spin_unlock(&rt->lock);
	wake_up(&rt->wq_up);
	/* the user half answers, dies, or is killed for taking too long */
	left = upcall_wait(c, &why);
	spin_lock(&rt->lock);
	if (conn->state[c->slot] != SLOT_DONE) {
		spin_unlock(&rt->lock);
		if (!left) {
			conn_kill(rt, conn, why, true);
			return KC_RT_ETIMEDOUT;
		}
		return KC_RT_EDEAD;
	}
	len = conn->reply_len[c->slot];
	spin_unlock(&rt->lock);
	/* the reply, copied out of the channel before it is read */
	memcpy(c->buf, slot_at(conn, c->slot), len);
	rc = hdr_get(c->buf, len, &kind, &id, &fn, &status);
	if (!rc && (kind != KC_LX_MSG_REPLY || id != c->id || fn != c->fn || status > 0 || status < -4095))
		rc = KC_RT_EPROTO;
	if (rc)
		return kc_rt_fault(rt, "a malformed reply");
	if (status)
		return status;
	kc_xdr_init_dec(&c->res, c->buf + KC_LX_MSG_HDR, len - KC_LX_MSG_HDR);
	*res = &c->res;
	return 0;
}
EXPORT_SYMBOL_GPL(kc_rt_call_invoke);

int kc_rt_call_end(struct kc_rt_call *c, int rc)
{
	struct kc_rt *rt;

	if (!c)
		return rc;
	rt = c->rt;
	if (!rc && c->invoked && kc_xdr_dec_done(&c->res))
		rc = kc_rt_fault(rt, "a reply with malformed or extra results");
	/* the kernel's stack objects this call made known are gone with its frame (wire.c) */
	kc_wire__stack_release(rt, c->stk);
	task_leave(c->task);
	spin_lock(&rt->lock);
	c->conn->state[c->slot] = SLOT_FREE;
	spin_unlock(&rt->lock);
	wake_up(&rt->wq_done);
	conn_put(c->conn);
	kvfree(c->buf);
	kfree(c);
	return rc;
}
EXPORT_SYMBOL_GPL(kc_rt_call_end);

/* ---- recovery after a restart ---- */

/* The recovery hook of a new incarnation (kc_rt_linux_start's recover: the emitted kernel half
 * passes rt/wire.c's kc_wire_recover_hook, which re-sends the live tracked objects of the types
 * with recovery helpers), in a worker: its upcalls are served once the new user half's workers
 * wait for them. */
static void recover_fn(struct work_struct *w)
{
	struct kc_rt *rt = container_of(w, struct kc_rt, recover_work);
	unsigned int inc;

	spin_lock(&rt->lock);
	inc = rt->recover_inc;
	spin_unlock(&rt->lock);
	pr_info("kcut-rt %s: incarnation %u: the recovery hook runs\n", rt->name, inc);
	WRITE_ONCE(rt->recover_task, current);
	rt->recover(rt, rt->recover_arg, inc);
	WRITE_ONCE(rt->recover_task, NULL);
	spin_lock(&rt->lock);
	rt->recovering = false;
	spin_unlock(&rt->lock);
	wake_up_all(&rt->wq_done);
	pr_info("kcut-rt %s: incarnation %u: the recovery hook is done\n", rt->name, inc);
}

/* ---- the device ---- */

static int kc_lx_open(struct inode *inode, struct file *f)
{
	struct kc_rt *rt = container_of(f->private_data, struct kc_rt, misc);
	struct kc_lx_conn *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	kref_init(&c->ref);
	c->rt = rt;
	kref_get(&rt->ref);
	c->chan_bytes = KC_LX_HDR_BYTES + (size_t)(KC_LX_NSLOTS_K + KC_LX_NSLOTS_U) * KC_LX_SLOT_BYTES;
	c->chan = vmalloc_user(c->chan_bytes);
	if (!c->chan) {
		conn_put(c);
		return -ENOMEM;
	}
	c->pid = get_task_pid(current, PIDTYPE_TGID);
	spin_lock(&rt->lock);
	if (rt->conn || rt->stopping) {
		spin_unlock(&rt->lock);
		conn_put(c);
		return -EBUSY;
	}
	rt->conn = c;
	rt->mapping = f->f_mapping; /* the device's inode: the same for every open */
	kref_get(&c->ref); /* the file's */
	rt->incarnations++;
	c->inc = rt->incarnations;
	if (rt->incarnations > 1 && rt->recover) {
		/* before anyone sees the new incarnation, as rt/super.c does */
		rt->recovering = true;
		rt->recover_inc = rt->incarnations;
		schedule_work(&rt->recover_work);
	}
	spin_unlock(&rt->lock);
	f->private_data = c;
	pr_info("kcut-rt %s: user half %d connected (incarnation %u)\n", rt->name, pid_nr(c->pid), rt->incarnations);
	unpin_owner(rt);
	wake_up_all(&rt->wq_done);
	return 0;
}

static int kc_lx_release(struct inode *inode, struct file *f)
{
	struct kc_lx_conn *c = f->private_data;

	conn_kill(c->rt, c, "the user half closed its device (exited or died)", false);
	conn_put(c);
	return 0;
}

static int kc_lx_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct kc_lx_conn *c = f->private_data;

	if (vma->vm_pgoff)
		return kc_lx_region_mmap(c->rt, vma); /* a device region (region_linux.c) */
	if (vma->vm_end - vma->vm_start != c->chan_bytes) {
		pr_warn_ratelimited("kcut-rt %s: mmap of the user half refused (offset 0, %lu bytes): the channel is %zu bytes\n",
				    c->rt->name, vma->vm_end - vma->vm_start, c->chan_bytes);
		return -EINVAL;
	}
	return remap_vmalloc_range(vma, c->chan, 0);
}

static int serve_msg(struct kc_lx_conn *c, struct kc_lx_task *t, struct kcut_lx_msg *mp, u8 *buf);

/* The incarnation is ready for the kernel half (kc_rt_linux_wait_user goes on). */
static void conn_ready(struct kc_rt *rt, struct kc_lx_conn *c, bool checked)
{
	bool was;

	spin_lock(&rt->lock);
	was = c->ready;
	if (!c->dead)
		c->ready = true;
	spin_unlock(&rt->lock);
	if (was)
		return;
	if (!checked && rt->wire.tables && rt->wire.tables->nlayout)
		pr_warn("kcut-rt %s: the user half serves without passing its layout table: struct layouts NOT checked\n",
			rt->name);
	wake_up_all(&rt->wq_done);
}

/*
 * KCUT_LX_IOC_TYPES: compare the user half's layout table with the kernel half's (rt/layout.c).
 * Everything the user half passes is checked: the count is bounded before anything is
 * allocated, the table is copied with copy_from_user. A difference ends the incarnation.
 */
static long check_types(struct kc_lx_conn *c, struct kcut_lx_types __user *ut)
{
	struct kc_rt *rt = c->rt;
	const struct kc_wire_tables *t = rt->wire.tables;
	struct kcut_lx_types m;
	u64 *tab = NULL;
	char *msg = NULL;
	u32 first = 0;
	long rc;

	if (copy_from_user(&m, ut, sizeof(m))) {
		rc = -EFAULT;
		goto refuse;
	}
	if (m.n > KCUT_LX_LAYOUT_MAX) {
		rc = -EINVAL;
		goto refuse;
	}
	if (m.n) {
		tab = kvmalloc_array(m.n, sizeof(*tab), GFP_KERNEL);
		if (!tab)
			return -ENOMEM;
		if (copy_from_user(tab, u64_to_user_ptr(m.table), (size_t)m.n * sizeof(*tab))) {
			rc = -EFAULT;
			goto refuse;
		}
	}
	msg = kmalloc(256, GFP_KERNEL);
	if (!msg) {
		kvfree(tab);
		return -ENOMEM;
	}
	if (!kc_layout_cmp(t, tab, m.n, &first, msg, 256)) {
		kvfree(tab);
		kfree(msg);
		pr_info("kcut-rt %s: the user half's struct layouts match the kernel half's (%u entries)\n",
			rt->name, m.n);
		conn_ready(rt, c, true);
		return 0;
	}
	pr_err("kcut-rt %s: connection refused: struct layouts differ: %s\n", rt->name, msg);
	kvfree(tab);
	kfree(msg);
	put_user(first, &ut->first);
	conn_kill(rt, c, "its struct layouts differ from the kernel half's", false);
	return -EPROTO;
refuse:
	kvfree(tab);
	pr_err("kcut-rt %s: connection refused: a layout table the kernel cannot read (%s)\n", rt->name,
	       rc == -EFAULT ? "bad address" : "too many entries");
	conn_kill(rt, c, "a malformed layout table", false);
	return rc;
}

/* KCUT_LX_IOC_CALL: serve a downcall in this thread. */
static long serve_call(struct kc_lx_conn *c, struct kcut_lx_msg __user *um)
{
	struct kc_rt *rt = c->rt;
	struct kc_lx_task *t;
	struct kcut_lx_msg m;
	u8 *buf;
	int rc;

	if (copy_from_user(&m, um, sizeof(m)))
		return -EFAULT;
	if (m.slot >= KC_LX_NSLOTS_U || m.len < KC_LX_MSG_HDR || m.len > KC_LX_SLOT_BYTES) {
		pr_warn_ratelimited("kcut-rt %s: downcall of the user half refused: slot %u, %u bytes (%u slots, %u to %u bytes)\n",
				    rt->name, m.slot, m.len, KC_LX_NSLOTS_U, KC_LX_MSG_HDR, KC_LX_SLOT_BYTES);
		return -EINVAL;
	}
	buf = kvmalloc(2 * KC_LX_SLOT_BYTES, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* the handlers are the kernel half's code: not once kc_rt_linux_stop began */
	spin_lock(&rt->lock);
	if (rt->stopping || c->dead) {
		spin_unlock(&rt->lock);
		kvfree(buf);
		return -EPIPE;
	}
	atomic_inc(&rt->active);
	spin_unlock(&rt->lock);
	t = task_enter();
	atomic_inc(&c->serving); /* progress for the upcalls waiting meanwhile (upcall_wait) */
	rc = t ? serve_msg(c, t, &m, buf) : -ENOMEM;
	atomic_inc(&c->served);
	atomic_dec(&c->serving);
	task_leave(t);
	if (atomic_dec_and_test(&rt->active))
		wake_up_all(&rt->wq_done);
	kvfree(buf);
	if (rc)
		return rc;
	return copy_to_user(um, &m, sizeof(m)) ? -EFAULT : 0;
}

static int serve_msg(struct kc_lx_conn *c, struct kc_lx_task *t, struct kcut_lx_msg *mp, u8 *buf)
{
	struct kc_rt *rt = c->rt;
	struct kcut_lx_msg m = *mp;
	struct kc_xdr args, res;
	u32 kind, id, fn, flags = 0, len, pin_mark;
	kc_rt_handler h = NULL;
	s32 status;
	int rc;

	memcpy(buf, slot_at(c, KC_LX_NSLOTS_K + m.slot), m.len);
	rc = hdr_get(buf, m.len, &kind, &id, &fn, &status);
	if (!rc && (kind != KC_LX_MSG_CALL || status))
		rc = KC_RT_EPROTO;
	if (rc) {
		kc_rt_fault(rt, "a malformed downcall");
		return -EPROTO;
	}
	kc_xdr_init_dec(&args, buf + KC_LX_MSG_HDR, m.len - KC_LX_MSG_HDR);
	kc_xdr_init_enc(&res, buf + KC_LX_SLOT_BYTES + KC_LX_MSG_HDR, KC_LX_SLOT_BYTES - KC_LX_MSG_HDR);
	if (fn < rt->nfns)
		h = rt->fns[fn].fn;
	else if (kc_region__handler(fn))
		h = kc_region__handler(fn); /* device regions: served by the runtime */
	else
		h = kc_sync__handler(fn); /* the user half's changes (rt/sync.c) */
	/* what the handler looks up stays pinned until its reply is made: a free of it by another
	 * thread waits (process context) or is deferred (atomic context) until then (forget) */
	pin_mark = t->pins.n;
	t->pins.depth++;
	if (h)
		rc = h(rt, &args, &res);
	else
		rc = kc_rt_fault(rt, "a downcall of an unknown function");
	if (!rc && kc_xdr_error(&res))
		rc = kc_xdr_error(&res);
	len = rc ? 0 : (u32)kc_xdr_pos(&res);
	if (!rc && !READ_ONCE(c->dead)) /* the kernel half's changes to synchronized objects go back with the reply (sync.c) */
		len = kc_sync__put_back(rt, c->inc, buf + KC_LX_SLOT_BYTES + KC_LX_MSG_HDR, len,
					KC_LX_SLOT_BYTES - KC_LX_MSG_HDR, &flags);
	kc_objt_unpin(&t->pins, pin_mark);
	if (!--t->pins.depth)
		kc_objt_pins_release(&t->pins);
	if (READ_ONCE(c->dead))
		return -EPROTO; /* the handler found the arguments malformed (kc_wire_fault / kc_rt_fault) */
	m.len = KC_LX_MSG_HDR + len;
	hdr_put(buf + KC_LX_SLOT_BYTES, KC_LX_MSG_REPLY, id, fn, flags, rc, len);
	memcpy(slot_at(c, KC_LX_NSLOTS_K + m.slot), buf + KC_LX_SLOT_BYTES, m.len);
	*mp = m;
	return 0;
}

static long kc_lx_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct kc_lx_conn *c = f->private_data;
	struct kc_rt *rt = c->rt;
	void __user *ua = (void __user *)arg;

	switch (cmd) {
	case KCUT_LX_IOC_INFO: {
		struct kcut_lx_info info = {
			.magic = KCUT_LX_MAGIC, .version = KCUT_LX_VERSION,
			.nslots_k = KC_LX_NSLOTS_K, .nslots_u = KC_LX_NSLOTS_U,
			.slot_bytes = KC_LX_SLOT_BYTES, .hdr_bytes = KC_LX_HDR_BYTES,
			.map_bytes = c->chan_bytes, .nfns = rt->nfns, .npeer = rt->npeer,
		};

		return copy_to_user(ua, &info, sizeof(info)) ? -EFAULT : 0;
	}
	case KCUT_LX_IOC_WAIT: {
		u32 slot;
		int rc;

		conn_ready(rt, c, false);
		rc = wait_event_interruptible(rt->wq_up, READ_ONCE(c->dead) || READ_ONCE(c->qlen));
		if (rc)
			return rc;
		spin_lock(&rt->lock);
		if (c->dead || !c->qlen) {
			bool dead = c->dead;

			spin_unlock(&rt->lock);
			return dead ? -EPIPE : -EAGAIN;
		}
		slot = c->queue[c->qhead];
		c->qhead = (c->qhead + 1) % KC_LX_NSLOTS_K;
		c->qlen--;
		c->state[slot] = SLOT_SERVING;
		spin_unlock(&rt->lock);
		return put_user(slot, (u32 __user *)ua);
	}
	case KCUT_LX_IOC_REPLY: {
		struct kcut_lx_msg m;

		if (copy_from_user(&m, ua, sizeof(m)))
			return -EFAULT;
		spin_lock(&rt->lock);
		if (m.slot >= KC_LX_NSLOTS_K || c->state[m.slot] != SLOT_SERVING ||
		    m.len < KC_LX_MSG_HDR || m.len > KC_LX_SLOT_BYTES) {
			spin_unlock(&rt->lock);
			kc_rt_fault(rt, "a reply on a slot with no upcall being served, or of a bad length");
			return -EPROTO;
		}
		c->reply_len[m.slot] = m.len;
		c->state[m.slot] = SLOT_DONE;
		spin_unlock(&rt->lock);
		wake_up_all(&rt->wq_done);
		return 0;
	}
	case KCUT_LX_IOC_CALL:
		conn_ready(rt, c, false);
		return serve_call(c, ua);
	case KCUT_LX_IOC_TYPES:
		return check_types(c, ua);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kc_lx_fops = {
	.owner = THIS_MODULE,
	.open = kc_lx_open,
	.release = kc_lx_release,
	.mmap = kc_lx_mmap,
	.unlocked_ioctl = kc_lx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int kc_rt_linux_start(struct kc_rt **out, const char *name, const struct kc_rt_fn *fns, u32 nfns,
		      const char *const *peer_names, u32 npeer, const struct kc_wire_tables *wire,
		      kc_rt_recover_fn recover, void *recover_arg)
{
	struct kc_rt *rt;
	int rc;

	*out = NULL;
	rt = kzalloc(sizeof(*rt), GFP_KERNEL);
	if (!rt)
		return -ENOMEM;
	strscpy(rt->name, name, sizeof(rt->name));
	snprintf(rt->devname, sizeof(rt->devname), "kcut-%s", rt->name);
	rt->fns = fns;
	rt->nfns = nfns;
	rt->peer_names = peer_names;
	rt->npeer = npeer;
	rt->call_timeout_ms = KC_LX_CALL_TIMEOUT_MS;
	rt->recover = recover;
	rt->recover_arg = recover_arg;
	mutex_init(&rt->map_lock);
	INIT_WORK(&rt->recover_work, recover_fn);
	INIT_DELAYED_WORK(&rt->dfree_work, dfree_fn);
	init_llist_head(&rt->dfree);
	xa_init_flags(&rt->maps, XA_FLAGS_ALLOC1);
	kref_init(&rt->ref);
	atomic_set(&rt->active, 0);
	spin_lock_init(&rt->lock);
	init_waitqueue_head(&rt->wq_up);
	init_waitqueue_head(&rt->wq_done);
	rt->wire.tables = wire;
	rt->wire.kernel = 1;
	rt->reg.kernel = 1;
	rt->reg.access = KC_ACCESS_MAPPED; /* the user half may map BAR windows (as with UIO / VFIO) */
	rt->reg.io = &kc_lx_io_ops;
	rt->wlock = kc_os_mutex_new();
	rt->wire.lock = rt->wlock;
	/* the kernel half's frees (kc_wire_freed) wait while the recovery hook reads an object */
	rt->flock = kc_os_mutex_new();
	rt->wire.free_lock = rt->flock;
	if (!rt->wlock || !rt->flock || kc_objt_new(&rt->objt, 0, NULL) || kc_region__tab_new(rt)) {
		/* (a struct kc_err is too big for a kernel stack) */
		pr_err("kcut-rt %s: out of memory\n", rt->name);
		kref_put(&rt->ref, rt_free);
		return -ENOMEM;
	}
	/* downcall handlers pin what they look up; objects freed or handed over in atomic context
	 * are refused until the worker forgets them (rt_objtrack.c) */
	kc_objt_set_hooks(rt->objt, task_pins, kc_lx_objt_gone, rt);
	rt->misc.minor = MISC_DYNAMIC_MINOR;
	rt->misc.name = rt->devname;
	rt->misc.fops = &kc_lx_fops;
	rt->misc.mode = 0600;
	rc = misc_register(&rt->misc);
	if (rc) {
		kref_put(&rt->ref, rt_free);
		return rc;
	}
	rt->registered = true;
	pr_info("kcut-rt %s: /dev/%s ready (%u downcalls, %u upcalls)\n", rt->name, rt->devname, nfns, npeer);
	*out = rt;
	return 0;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_start);

/* A user half is ready (its layouts checked, or it serves), or one came and is gone. */
static bool user_settled(struct kc_rt *rt)
{
	bool r;

	spin_lock(&rt->lock);
	r = rt->conn ? rt->conn->ready : rt->incarnations > 0;
	spin_unlock(&rt->lock);
	return r;
}

int kc_rt_linux_wait_user(struct kc_rt *rt, unsigned int timeout_ms)
{
	long left = wait_event_interruptible_timeout(rt->wq_done, user_settled(rt), msecs_to_jiffies(timeout_ms));

	if (left < 0)
		return (int)left;
	if (!left)
		return -ETIMEDOUT;
	/* a user half that connected and is gone already (killed for a fault, refused for its
	 * layouts): no waiting on */
	return READ_ONCE(rt->conn) ? 0 : -EPIPE;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_wait_user);

int kc_rt_linux_wait_live(struct kc_rt *rt, unsigned int timeout_ms)
{
	long left;

	if (!rt)
		return -EINVAL;
	if (READ_ONCE(rt->conn) && !READ_ONCE(rt->recovering))
		return 0;
	pr_warn("kcut-rt %s: no user half is connected: waiting up to %u ms for one to run the driver's teardown\n",
		rt->name, timeout_ms);
	left = wait_event_killable_timeout(rt->wq_done, READ_ONCE(rt->conn) && !READ_ONCE(rt->recovering),
					   msecs_to_jiffies(timeout_ms));
	if (left > 0)
		return 0;
	pr_err("kcut-rt %s: no user half came back: the user-half part of the driver's teardown fails\n", rt->name);
	return left < 0 ? (int)left : -ETIMEDOUT;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_wait_live);

void kc_rt_linux_stop(struct kc_rt *rt)
{
	struct kc_lx_conn *c;

	if (!rt)
		return;
	/* no new opens, no new downcalls; end the current incarnation (its file keeps references
	 * to it and to rt), wait for the downcalls being served: then nothing calls the kernel
	 * half's code any more */
	if (rt->registered)
		misc_deregister(&rt->misc);
	spin_lock(&rt->lock);
	rt->stopping = true;
	spin_unlock(&rt->lock);
	c = conn_get(rt);
	if (c) {
		conn_kill(rt, c, "the kernel half is unloaded", true);
		conn_put(c);
	}
	wait_event(rt->wq_done, atomic_read(&rt->active) == 0);
	cancel_work_sync(&rt->recover_work); /* it runs the kernel half's recovery encoders */
	unpin_owner(rt); /* (the module is going: only a failed init gets here pinned) */
	/* the driver's exit function ran: frees deferred from atomic context are done now, and any
	 * later one (there should be none) is freed at once, still tracked */
	WRITE_ONCE(rt->dfree_off, true);
	flush_delayed_work(&rt->dfree_work);
	dfree_run(rt);
	kc_lx_regions_stop(rt);
	kref_put(&rt->ref, rt_free);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_stop);

MODULE_DESCRIPTION("kcut runtime: the kernel half of split drivers talks to its user half");
MODULE_LICENSE("GPL");
