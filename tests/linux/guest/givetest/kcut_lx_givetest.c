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
 */
#define KCUT_KERNEL_HALF 1
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>

#include "kcut_rt.h"
#include "kcut_rt_linux.h" /* (kcut_frees.h: its macros, KCUT_KERNEL_HALF being defined) */
#include "kcut_lx_givetest.h"

#define HELD_MAX 32

static struct kc_rt *kcut_rt; /* the name kcut_frees.h's macros use */
static DEFINE_SPINLOCK(held_lock);
static struct sk_buff *held[HELD_MAX]; /* made, not yet handed over or freed */

static const size_t type_size[] = { 0, sizeof(struct sk_buff) };
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

static const struct kc_rt_fn give_fns[KCUT_GIVE_NFNS] = {
	[KCUT_GIVE_MAKE] = { "make", give_make },
	[KCUT_GIVE_GIVE] = { "give", give_give },
	[KCUT_GIVE_LEN] = { "len", give_len },
	[KCUT_GIVE_DOWN] = { "down", give_down },
	[KCUT_GIVE_RAW] = { "give_raw", give_raw },
};

static int __init givetest_init(void)
{
	return kc_rt_linux_start(&kcut_rt, KCUT_GIVE_NAME, give_fns, KCUT_GIVE_NFNS, NULL, 0, &tables, NULL, NULL);
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
	kc_rt_linux_stop(kcut_rt);
	kcut_rt = NULL;
}

module_init(givetest_init);
module_exit(givetest_exit);
MODULE_DESCRIPTION("kcut: test of the kernel half's frees and ownership transfers (stale handles)");
MODULE_LICENSE("GPL");
