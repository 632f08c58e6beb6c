/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcut_lx_givetest.h - the downcalls of the test module kcut_lx_givetest.ko (/dev/kcut-give), for
 * rt/lxuser/lx_hostile.c's stale-skb-* cases.
 */
#ifndef KCUT_LX_GIVETEST_H
#define KCUT_LX_GIVETEST_H

#define KCUT_GIVE_NAME "give"
enum {
	/* () -> a new skb's handle (wire kind 1, type KCUT_GIVE_SKB) */
	KCUT_GIVE_MAKE = 0,
	/* (skb, u32 how) -> (): hand the skb to the network stack with netif_rx, through kcut_frees.h
	 * (the tracker forgets it first); how: KCUT_GIVE_PROCESS or KCUT_GIVE_ATOMIC */
	KCUT_GIVE_GIVE = 1,
	/* (skb) -> u32 skb->len: what a stale handle would read */
	KCUT_GIVE_LEN = 2,
	/* () -> (): "ifdown": every skb the module still holds is freed with dev_kfree_skb_any under
	 * a spinlock (as a driver's ring clean-up) */
	KCUT_GIVE_DOWN = 3,
	/* (skb) -> (): the control: netif_rx WITHOUT kcut_frees.h (the tracker is not told) */
	KCUT_GIVE_RAW = 4,
	KCUT_GIVE_NFNS = 5,
};
enum { KCUT_GIVE_PROCESS = 0, KCUT_GIVE_ATOMIC = 1 };
#define KCUT_GIVE_SKB 1u /* the tracker type id of an skb */

#endif /* KCUT_LX_GIVETEST_H */
