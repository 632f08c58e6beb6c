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
	/* (u32 which) -> a work the kernel has pending (issue 14): which 0, a work_struct queued on an
	 * ordered workqueue behind a work that blocks it (type KCUT_GIVE_WORK); 1, a delayed_work
	 * whose timer is armed for 10 minutes (type KCUT_GIVE_DWORK) */
	KCUT_GIVE_WORK_MAKE = 5,
	/* (work) -> (): the handler an emitted kernel half has for the user half's INIT_WORK (a macro
	 * import, emitter/kapi.c): work_pending is a protocol fault, else INIT_WORK (kcut_frees.h's) */
	KCUT_GIVE_INIT_WORK = 6,
	/* (delayed work) -> (): the same for INIT_DELAYED_WORK (delayed_work_pending) */
	KCUT_GIVE_INIT_DWORK = 7,
	/* (work) -> u32 intact: INIT_WORK (kcut_frees.h's) WITHOUT the handler's work_pending test, as
	 * if the kernel had queued the work between the test and the macro; intact: the work is still
	 * pending and its entry still linked afterwards (kcut_frees.h left it alone, logged) */
	KCUT_GIVE_INIT_WORK_RACE = 8,
	/* (u32 which) -> a list head (type KCUT_GIVE_LIST): which 0, the head of a list with one entry;
	 * 1, a zeroed head never initialized (the control) */
	KCUT_GIVE_LIST_MAKE = 9,
	/* (list head) -> (): the handler an emitted kernel half has for the user half's INIT_LIST_HEAD
	 * (emitter/kapi.c's guarded imports): kc_list_head_busy is a protocol fault */
	KCUT_GIVE_INIT_LIST = 10,
	KCUT_GIVE_NFNS = 11,
};
enum { KCUT_GIVE_PROCESS = 0, KCUT_GIVE_ATOMIC = 1 };
#define KCUT_GIVE_SKB 1u /* the tracker type id of an skb */
#define KCUT_GIVE_WORK 2u  /* ... of a struct work_struct */
#define KCUT_GIVE_DWORK 3u /* ... of a struct delayed_work */
#define KCUT_GIVE_LIST 4u  /* ... of a struct list_head */

#endif /* KCUT_LX_GIVETEST_H */
