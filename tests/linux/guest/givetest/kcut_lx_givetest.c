// SPDX-License-Identifier: GPL-2.0
/*
 * kcut_lx_givetest.c - a test module for the kernel half's frees and ownership transfers
 * (rt/linux/kcut_frees.h, kc_rt_linux_free / kc_rt_linux_give; scripts/qemu-hostile.sh, the
 * stale-skb-* cases of rt/lxuser/lx_hostile.c).
 *
 * A hand-written kernel half, endpoint /dev/kcut-give, compiled as an emitted one is: with
 * KCUT_KERNEL_HALF defined and kcut_frees.h included after the kernel headers, so its netif_rx,
 * kfree_skb and dev_kfree_skb_any are kcut_frees.h's. Its downcalls (kcut_lx_givetest.h): make an
 * skb (its handle goes to the user half: the tracker knows it), hand one to the network stack
 * (netif_rx to the loopback device, which is down in the test guest: the stack frees the skb at
 * once), in process or in atomic context (bottom halves off: the forgetting is deferred), "ifdown"
 * (every skb still held is freed with dev_kfree_skb_any under a spinlock, as a ring clean-up does)
 * and read an skb's len through a handle: what a stale handle would read. The control
 * (KCUT_GIVE_RAW) hands an skb over with the kernel's netif_rx itself, which the tracker is not
 * told of: its stale handle then resolves to freed memory (KASAN reports it; run by hand only).
 * A bad argument is a fault of the user half (kc_wire_fault: logged, the process killed), as in
 * an emitted kernel half.
 *
 * Work items and list heads (issue 14, the init-* cases): the module makes works the kernel has
 * pending and list heads in use, and serves INIT_WORK / INIT_DELAYED_WORK / INIT_LIST_HEAD on them
 * with the handlers an emitted kernel half has for those imports (same checks, kcut_frees.h's
 * macros), and INIT_WORK without the handler's pending test (the race between test and macro).
 */
#define KCUT_KERNEL_HALF 1
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "kcut_rt.h"
#include "kcut_rt_linux.h" /* (kcut_frees.h: its macros, KCUT_KERNEL_HALF being defined) */
#include "kcut_lx_givetest.h"

#define HELD_MAX 32

static struct kc_rt *kcut_rt; /* the name kcut_frees.h's macros use */
static DEFINE_SPINLOCK(held_lock);
static struct sk_buff *held[HELD_MAX]; /* made, not yet handed over or freed */

static const size_t type_size[] = { 0, sizeof(struct sk_buff), sizeof(struct work_struct),
				     sizeof(struct delayed_work), sizeof(struct list_head) };
static const struct kc_wire_tables tables = { .type_size = type_size, .ntypes = ARRAY_SIZE(type_size) };
static const struct kc_wire_ptr skb_spec = {
	.type = KCUT_GIVE_SKB, .flags = KC_WP_BASE, .need = sizeof(struct sk_buff),
};

/* Take skb out of the held set (the caller hands it over); false when it was not there. */
static bool unhold(struct sk_buff *skb)
{
	bool found = false;
	int i;

	spin_lock_bh(&held_lock);
	for (i = 0; i < HELD_MAX; i++) {
		if (held[i] == skb) {
			held[i] = NULL;
			found = true;
		}
	}
	spin_unlock_bh(&held_lock);
	return found;
}

/* The skb argument: a tracked skb's base, else a fault of the user half. */
static struct sk_buff *get_skb(struct kc_rt *rt, struct kc_xdr *args, int *rc)
{
	struct sk_buff *skb = kc_wire_get_ptr(rt, args, &skb_spec, NULL, rc);

	if (!*rc && !skb)
		*rc = KC_RT_ENULL;
	return skb;
}

static int give_make(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	struct sk_buff *skb;
	int i, rc;

	if (kc_xdr_dec_done(args))
		return kc_wire_fault(rt, KC_RT_EPROTO, __func__);
	skb = alloc_skb(256, GFP_KERNEL);
	if (!skb)
		return KC_ENOMEM;
	skb_put_zero(skb, 60);
	skb->dev = init_net.loopback_dev;
	skb->protocol = htons(ETH_P_IP);
	spin_lock_bh(&held_lock);
	for (i = 0; i < HELD_MAX && held[i]; i++)
		;
	if (i < HELD_MAX)
		held[i] = skb;
	spin_unlock_bh(&held_lock);
	if (i == HELD_MAX) {
		kfree_skb(skb);
		return KC_ENOMEM;
	}
	rc = kc_wire_put_ptr(rt, res, skb, KCUT_GIVE_SKB, sizeof(*skb), 1, 0);
	pr_info("kcut-givetest: made skb %p (%d)\n", skb, rc);
	return rc;
}

static int give_give(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	int rc = 0;
	struct sk_buff *skb = get_skb(rt, args, &rc);
	u32 how = kc_xdr_get_u32(args);

	if (!rc && (kc_xdr_dec_done(args) || how > KCUT_GIVE_ATOMIC))
		rc = KC_RT_EPROTO;
	if (!rc && !unhold(skb))
		rc = KC_RT_ESTALE; /* not the module's any more */
	if (rc)
		return kc_wire_fault(rt, rc, __func__);
	/* the loopback device is down: the stack drops and frees the skb inside netif_rx */
	if (how == KCUT_GIVE_ATOMIC) {
		local_bh_disable();
		netif_rx(skb);
		local_bh_enable();
	} else {
		netif_rx(skb);
	}
	pr_info("kcut-givetest: skb %p handed to the stack (%s context)\n", skb,
		how == KCUT_GIVE_ATOMIC ? "atomic" : "process");
	return 0;
}

static int give_len(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	int rc = 0;
	struct sk_buff *skb = get_skb(rt, args, &rc);

	if (!rc && kc_xdr_dec_done(args))
		rc = KC_RT_EPROTO;
	if (rc)
		return kc_wire_fault(rt, rc, __func__);
	kc_xdr_put_u32(res, READ_ONCE(skb->len));
	return 0;
}

static int give_down(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	int i, n = 0;

	if (kc_xdr_dec_done(args))
		return kc_wire_fault(rt, KC_RT_EPROTO, __func__);
	spin_lock_bh(&held_lock);
	for (i = 0; i < HELD_MAX; i++) {
		if (held[i]) {
			dev_kfree_skb_any(held[i]);
			held[i] = NULL;
			n++;
		}
	}
	spin_unlock_bh(&held_lock);
	pr_info("kcut-givetest: down: %d skbs freed under a spinlock\n", n);
	return 0;
}

static int give_raw(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	int rc = 0;
	struct sk_buff *skb = get_skb(rt, args, &rc);

	if (!rc && kc_xdr_dec_done(args))
		rc = KC_RT_EPROTO;
	if (!rc && !unhold(skb))
		rc = KC_RT_ESTALE;
	if (rc)
		return kc_wire_fault(rt, rc, __func__);
	(netif_rx)(skb); /* the kernel's own: the tracker is not told (the control) */
	pr_info("kcut-givetest: skb %p handed to the stack WITHOUT telling the tracker (control)\n", skb);
	return 0;
}

/* ---- works the kernel has pending, list heads in use (the init-* cases) ---- */

#define MADE_MAX 16
static struct workqueue_struct *gwq; /* ordered: one work at a time */
static DECLARE_COMPLETION(gblock);
static struct work_struct gblocker;  /* runs first and blocks gwq until the module goes */
static bool blocking;
static DEFINE_MUTEX(made_lock);
static struct work_struct *works[MADE_MAX];
static struct delayed_work *dworks[MADE_MAX];
static struct list_head *lists[MADE_MAX], *nodes[MADE_MAX];
static atomic_t work_runs = ATOMIC_INIT(0);

static const struct kc_wire_ptr work_spec = {
	.type = KCUT_GIVE_WORK, .flags = KC_WP_BASE | KC_WP_NONNULL, .need = sizeof(struct work_struct),
};
static const struct kc_wire_ptr dwork_spec = {
	.type = KCUT_GIVE_DWORK, .flags = KC_WP_BASE | KC_WP_NONNULL, .need = sizeof(struct delayed_work),
};
static const struct kc_wire_ptr list_spec = {
	.type = KCUT_GIVE_LIST, .flags = KC_WP_NONNULL, .need = sizeof(struct list_head),
};

static void blocker_fn(struct work_struct *w)
{
	wait_for_completion(&gblock);
}

static void nop_fn(struct work_struct *w)
{
	atomic_inc(&work_runs);
}

/* A free slot of arr (made_lock held), -1 when full. */
static int made_slot(void **arr)
{
	int i;

	for (i = 0; i < MADE_MAX; i++)
		if (!arr[i])
			return i;
	return -1;
}

static int give_work_make(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	u32 which = kc_xdr_get_u32(args);
	int i, rc = KC_ENOMEM;

	if (kc_xdr_dec_done(args) || which > 1)
		return kc_wire_fault(rt, KC_RT_EPROTO, __func__);
	mutex_lock(&made_lock);
	i = made_slot(which ? (void **)dworks : (void **)works);
	if (i < 0)
		goto out;
	if (!which) {
		struct work_struct *w = kzalloc(sizeof(*w), GFP_KERNEL);

		if (!w)
			goto out;
		if (!blocking) {
			INIT_WORK(&gblocker, blocker_fn);
			queue_work(gwq, &gblocker);
			blocking = true;
		}
		INIT_WORK(w, nop_fn);
		queue_work(gwq, w); /* behind the blocker: pending until the module goes */
		works[i] = w;
		rc = kc_wire_put_ptr(rt, res, w, KCUT_GIVE_WORK, sizeof(*w), 1, 0);
		pr_info("kcut-givetest: work %p queued (pending %d)\n", w, work_pending(w));
	} else {
		struct delayed_work *dw = kzalloc(sizeof(*dw), GFP_KERNEL);

		if (!dw)
			goto out;
		INIT_DELAYED_WORK(dw, nop_fn);
		queue_delayed_work(gwq, dw, 600 * HZ);
		dworks[i] = dw;
		rc = kc_wire_put_ptr(rt, res, dw, KCUT_GIVE_DWORK, sizeof(*dw), 1, 0);
		pr_info("kcut-givetest: delayed work %p queued (pending %d)\n", dw, delayed_work_pending(dw));
	}
out:
	mutex_unlock(&made_lock);
	return rc;
}

/* What an emitted kernel half's kcut_handler_INIT_WORK does (emitter/gen_stub.c, the busy test of
 * emitter/kapi.c), with the module's own function for the user half's. */
static int give_init_work(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	int rc = 0;
	struct work_struct *w = kc_wire_get_ptr(rt, args, &work_spec, NULL, &rc);

	if (!rc && kc_xdr_dec_done(args))
		rc = KC_RT_EPROTO;
	if (!rc && work_pending(w))
		rc = KC_RT_EPROTO; /* queued: not initialized again */
	if (rc)
		return kc_wire_fault(rt, rc, __func__);
	INIT_WORK(w, nop_fn);
	return 0;
}

static int give_init_dwork(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	int rc = 0;
	struct delayed_work *dw = kc_wire_get_ptr(rt, args, &dwork_spec, NULL, &rc);

	if (!rc && kc_xdr_dec_done(args))
		rc = KC_RT_EPROTO;
	if (!rc && delayed_work_pending(dw))
		rc = KC_RT_EPROTO; /* queued: not initialized again */
	if (rc)
		return kc_wire_fault(rt, rc, __func__);
	INIT_DELAYED_WORK(dw, nop_fn);
	return 0;
}

/* INIT_WORK as if the kernel had queued the work right after the handler's test: the macro
 * itself (kcut_frees.h's) must leave a pending work alone. */
static int give_init_work_race(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	int rc = 0;
	struct work_struct *w = kc_wire_get_ptr(rt, args, &work_spec, NULL, &rc);
	bool intact;

	if (!rc && kc_xdr_dec_done(args))
		rc = KC_RT_EPROTO;
	if (rc)
		return kc_wire_fault(rt, rc, __func__);
	INIT_WORK(w, nop_fn);
	intact = work_pending(w) && !list_empty(&w->entry);
	pr_info("kcut-givetest: INIT_WORK on pending work %p: %s\n", w,
		intact ? "left alone (still pending and linked)" : "REINITIALIZED (its queue entry reset)");
	kc_xdr_put_u32(res, intact);
	return 0;
}

static int give_list_make(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	u32 which = kc_xdr_get_u32(args);
	struct list_head *head = NULL, *node = NULL;
	int i, rc = KC_ENOMEM;

	if (kc_xdr_dec_done(args) || which > 1)
		return kc_wire_fault(rt, KC_RT_EPROTO, __func__);
	mutex_lock(&made_lock);
	i = made_slot((void **)lists);
	head = i < 0 ? NULL : kzalloc(sizeof(*head), GFP_KERNEL);
	node = which ? NULL : kzalloc(sizeof(*node), GFP_KERNEL);
	if (!head || (!which && !node)) {
		kfree(head);
		kfree(node);
		goto out;
	}
	if (!which) {
		INIT_LIST_HEAD(head);
		list_add(node, head);
	}
	lists[i] = head;
	nodes[i] = node;
	rc = kc_wire_put_ptr(rt, res, head, KCUT_GIVE_LIST, sizeof(*head), 1, 0);
out:
	mutex_unlock(&made_lock);
	return rc;
}

/* What an emitted kernel half's kcut_handler_INIT_LIST_HEAD does (kc_list_head_busy). */
static int give_init_list(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	int rc = 0;
	struct list_head *h = kc_wire_get_ptr(rt, args, &list_spec, NULL, &rc);

	if (!rc && kc_xdr_dec_done(args))
		rc = KC_RT_EPROTO;
	if (!rc && kc_list_head_busy(h))
		rc = KC_RT_EPROTO; /* queued: not initialized again */
	if (rc)
		return kc_wire_fault(rt, rc, __func__);
	INIT_LIST_HEAD(h);
	return 0;
}

static const struct kc_rt_fn give_fns[KCUT_GIVE_NFNS] = {
	[KCUT_GIVE_MAKE] = { "make", give_make },
	[KCUT_GIVE_GIVE] = { "give", give_give },
	[KCUT_GIVE_LEN] = { "len", give_len },
	[KCUT_GIVE_DOWN] = { "down", give_down },
	[KCUT_GIVE_RAW] = { "give_raw", give_raw },
	[KCUT_GIVE_WORK_MAKE] = { "work_make", give_work_make },
	[KCUT_GIVE_INIT_WORK] = { "INIT_WORK", give_init_work },
	[KCUT_GIVE_INIT_DWORK] = { "INIT_DELAYED_WORK", give_init_dwork },
	[KCUT_GIVE_INIT_WORK_RACE] = { "INIT_WORK_race", give_init_work_race },
	[KCUT_GIVE_LIST_MAKE] = { "list_make", give_list_make },
	[KCUT_GIVE_INIT_LIST] = { "INIT_LIST_HEAD", give_init_list },
};

static int __init givetest_init(void)
{
	int rc;

	gwq = alloc_ordered_workqueue("kcut-givetest", 0);
	if (!gwq)
		return -ENOMEM;
	rc = kc_rt_linux_start(&kcut_rt, KCUT_GIVE_NAME, give_fns, KCUT_GIVE_NFNS, NULL, 0, &tables, NULL, NULL);
	if (rc)
		destroy_workqueue(gwq);
	return rc;
}

static void __exit givetest_exit(void)
{
	struct sk_buff *left[HELD_MAX];
	int i;

	/* what is held is freed while the tracker can still be told, before the endpoint goes */
	spin_lock_bh(&held_lock);
	memcpy(left, held, sizeof(left));
	memset(held, 0, sizeof(held));
	spin_unlock_bh(&held_lock);
	for (i = 0; i < HELD_MAX; i++)
		if (left[i])
			kfree_skb(left[i]);
	/* the works: the blocker lets the queue go, the timers are cancelled, the queue drained */
	complete_all(&gblock);
	for (i = 0; i < MADE_MAX; i++)
		if (dworks[i])
			cancel_delayed_work_sync(dworks[i]);
	destroy_workqueue(gwq);
	for (i = 0; i < MADE_MAX; i++) {
		kfree(works[i]);
		kfree(dworks[i]);
		kfree(lists[i]);
		kfree(nodes[i]);
	}
	pr_info("kcut-givetest: %d queued works ran at the end\n", atomic_read(&work_runs));
	kc_rt_linux_stop(kcut_rt);
	kcut_rt = NULL;
}

module_init(givetest_init);
module_exit(givetest_exit);
MODULE_DESCRIPTION("kcut: test of the kernel half's frees and ownership transfers (stale handles)");
MODULE_LICENSE("GPL");
