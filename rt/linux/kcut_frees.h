/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcut_frees.h - what a split driver's kernel half frees, or hands over to the kernel, leaves the
 * object tracker first: the one list of those calls (docs/linux.md, "Frees and ownership
 * transfers"). A handle the user half kept of such an object then never resolves to memory the
 * kernel may have freed.
 *
 * Two users:
 *   - kcut_rt.ko (rt/linux/kcut_rt_linux.h includes it): the kinds and the functions below;
 *   - every TU of an emitted kernel half, after the driver's own #includes (the emitter copies this
 *     file into the emitted tree as include/kcut_frees.h: emitter/CMakeLists.txt, gen_recover.c).
 *     With KCUT_KERNEL_HALF defined, the driver's calls of the functions listed here become calls
 *     of kcut_rt.ko's through the endpoint `kcut_rt` (kcut_ids.h); the handlers of the downcalls
 *     the kernel half serves are in the same files, so the user half's calls go the same way.
 *
 * In a Linux kernel (__KERNEL__):
 *   - frees (kfree & co., free_netdev, the socket-buffer frees): kc_rt_linux_free forgets the
 *     object, then frees it; in atomic context both are deferred to a worker (the memory stays
 *     until then, and a handle of it is refused meanwhile);
 *   - ownership transfers (the socket buffer given to the network stack, which frees it when it
 *     likes): kc_rt_linux_give forgets it before the kernel gets it; in atomic context (NAPI poll,
 *     an interrupt handler) the forgetting is deferred to a worker and until then a handle of it is
 *     refused (a set any context can write, rt/linux's tracker checks it).
 * In the kernel model (user space, rt/kcut_rt.h): its free hook tells rt of every free the kernel
 * makes, the stack's included, so only the kernel half's own frees are wrapped here
 * (kcut_recover_free), and what it allocates is noted as the start of a heap block
 * (kc_wire_heap_note: a deallocator the user half calls may free that and nothing else).
 *
 * Not covered (docs/linux.md): other transfers of ownership to the kernel (kfree_rcu, call_rcu
 * callbacks that free, skb queues the kernel drains, a tx skb the stack takes back on
 * NETDEV_TX_BUSY); objects inside an skb's data buffer.
 */
#ifndef KCUT_FREES_H
#define KCUT_FREES_H

#ifdef __KERNEL__
struct kc_rt;
struct list_head;
struct napi_struct;
struct sk_buff;

/* kc_rt_linux_free's kinds: which deallocator frees the object. */
enum {
	KC_LX_FREE_KFREE = 0,
	KC_LX_FREE_KFREE_SENSITIVE = 1,
	KC_LX_FREE_KVFREE = 2,
	KC_LX_FREE_VFREE = 3,
	KC_LX_FREE_NETDEV = 4,
	/* socket buffers the driver frees (the tx skbs in NAPI poll): what the kernel does with
	 * them is the same; a deferred one is freed by dev_kfree_skb_any / dev_consume_skb_any */
	KC_LX_FREE_SKB_ANY = 5,         /* dev_kfree_skb_any */
	KC_LX_FREE_SKB_CONSUME_ANY = 6, /* dev_consume_skb_any, napi_consume_skb */
	KC_LX_FREE_SKB_IRQ = 7,         /* dev_kfree_skb_irq */
	KC_LX_FREE_SKB_CONSUME_IRQ = 8, /* dev_consume_skb_irq */
	KC_LX_FREE_SKB = 9,             /* kfree_skb */
	KC_LX_FREE_SKB_CONSUME = 10,    /* consume_skb, dev_kfree_skb */
	KC_LX_GIVE = 11,                /* not freed: the kernel owns it now (kc_rt_linux_give) */
};

/*
 * Forget p (rt may be NULL: nothing is tracked) and free it with the deallocator of kind. In
 * atomic context the forget and the free are deferred to a worker.
 */
void kc_rt_linux_free(struct kc_rt *rt, const void *p, unsigned int kind);
/*
 * The kernel takes p over (it may free it at any time from now on): forget p. In atomic context
 * the forget is deferred to a worker and a handle of p is refused until then (with a log line).
 * Returns p. The _skb, _frags and _list forms take what the macros below pass.
 */
void *kc_rt_linux_give(struct kc_rt *rt, void *p);
struct sk_buff *kc_rt_linux_give_skb(struct kc_rt *rt, struct sk_buff *skb);
struct napi_struct *kc_rt_linux_give_frags(struct kc_rt *rt, struct napi_struct *napi); /* napi->skb */
struct list_head *kc_rt_linux_give_list(struct kc_rt *rt, struct list_head *head); /* skbs on skb->list */
#endif /* __KERNEL__ */
#endif /* KCUT_FREES_H */

/* ---- the kernel half's calls (a TU of an emitted kernel half, after its #includes) ---- */
#if defined(KCUT_KERNEL_HALF) && !defined(KCUT_FREES_MACROS)
#define KCUT_FREES_MACROS
#ifdef __KERNEL__
/* frees */
#define kfree(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_KFREE)
#define kfree_sensitive(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_KFREE_SENSITIVE)
#define kvfree(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_KVFREE)
#define vfree(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_VFREE)
#define free_netdev(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_NETDEV)
#undef dev_kfree_skb_any
#define dev_kfree_skb_any(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_SKB_ANY)
#undef dev_consume_skb_any
#define dev_consume_skb_any(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_SKB_CONSUME_ANY)
#undef dev_kfree_skb_irq
#define dev_kfree_skb_irq(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_SKB_IRQ)
#undef dev_consume_skb_irq
#define dev_consume_skb_irq(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_SKB_CONSUME_IRQ)
#undef kfree_skb
#define kfree_skb(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_SKB)
#undef consume_skb
#define consume_skb(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_SKB_CONSUME)
#undef dev_kfree_skb
#define dev_kfree_skb(p) kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_SKB_CONSUME)
#undef napi_consume_skb
#define napi_consume_skb(p, budget) ((void)(budget), kc_rt_linux_free(kcut_rt, (p), KC_LX_FREE_SKB_CONSUME_ANY))
/* ownership transfers: the kernel's own function, called with what it takes over forgotten
 * first (a macro's own name is not expanded again inside it) */
#define netif_rx(skb) netif_rx(kc_rt_linux_give_skb(kcut_rt, (skb)))
#define netif_receive_skb(skb) netif_receive_skb(kc_rt_linux_give_skb(kcut_rt, (skb)))
#define netif_receive_skb_list(head) netif_receive_skb_list(kc_rt_linux_give_list(kcut_rt, (head)))
#define napi_gro_receive(napi, skb) napi_gro_receive((napi), kc_rt_linux_give_skb(kcut_rt, (skb)))
#define napi_gro_frags(napi) napi_gro_frags(kc_rt_linux_give_frags(kcut_rt, (napi)))
#define gro_cells_receive(gcells, skb) gro_cells_receive((gcells), kc_rt_linux_give_skb(kcut_rt, (skb)))
#define dev_queue_xmit(skb) dev_queue_xmit(kc_rt_linux_give_skb(kcut_rt, (skb)))
/*
 * Work initialization (issue 14). The macro import handlers (the user half's INIT_WORK & co.,
 * emitter/kapi.c) refuse a work the kernel has pending (work_pending), but the kernel may queue it
 * between that test and the macro, and Linux's INIT_WORK writes the work's data word (which
 * clears the pending bit) before its list entry and function: a queue_work in between would link
 * the entry that INIT_WORK then resets (the pool's list corrupted). The kernel's own rule is that
 * whoever owns WORK_STRUCT_PENDING_BIT owns the work's entry (kernel/workqueue.c): so these take
 * the bit first (test_and_set_bit, as queue_work does), initialize everything else, the timer of a
 * delayed work included, and write the data word last (a release store, which gives the bit up).
 * A work found pending is left alone, with a log line. For a work nobody queues this is the
 * macro's result (the kernel half's own INIT_WORK & co. use these too). Linux 6.1's workqueue.h.
 */
#include <linux/workqueue.h>
static inline bool kc_lx_work_claim(struct work_struct *w, work_func_t fn)
{
	if (test_and_set_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(w))) {
		pr_warn_ratelimited("kcut-rt: INIT_WORK of a work the kernel has pending refused (%ps)\n", fn);
		return false;
	}
	__init_work(w, 0);
	INIT_LIST_HEAD(&w->entry);
	w->func = fn;
	return true;
}
static inline void kc_lx_work_release(struct work_struct *w)
{
	atomic_long_t v = WORK_DATA_INIT();

	atomic_long_set_release(&w->data, atomic_long_read(&v)); /* last: the pending bit goes */
}
#ifdef CONFIG_LOCKDEP
#define KC_LX_WORK_LOCKDEP(w, name) do { static struct lock_class_key __kc_key; \
	lockdep_init_map(&(w)->lockdep_map, "(work_completion)" name, &__kc_key, 0); } while (0)
#else
#define KC_LX_WORK_LOCKDEP(w, name) do { } while (0)
#endif
#undef INIT_WORK
#define INIT_WORK(_work, _func) do { struct work_struct *__kc_w = (_work); \
	if (kc_lx_work_claim(__kc_w, (_func))) { KC_LX_WORK_LOCKDEP(__kc_w, #_work); kc_lx_work_release(__kc_w); } \
	} while (0)
#define KC_LX_INIT_DWORK(_work, _func, _tflags) do { struct delayed_work *__kc_d = (_work); \
	if (kc_lx_work_claim(&__kc_d->work, (_func))) { KC_LX_WORK_LOCKDEP(&__kc_d->work, #_work); \
		__init_timer(&__kc_d->timer, delayed_work_timer_fn, (_tflags) | TIMER_IRQSAFE); \
		kc_lx_work_release(&__kc_d->work); } \
	} while (0)
#undef INIT_DELAYED_WORK
#define INIT_DELAYED_WORK(_work, _func) KC_LX_INIT_DWORK(_work, _func, 0)
#undef INIT_DEFERRABLE_WORK
#define INIT_DEFERRABLE_WORK(_work, _func) KC_LX_INIT_DWORK(_work, _func, TIMER_DEFERRABLE)
#else /* the kernel model */
#define kfree(p) (kcut_recover_free(p), kfree(p))
#define kfree_sensitive(p) (kcut_recover_free(p), kfree_sensitive(p))
#define kvfree(p) (kcut_recover_free(p), kvfree(p))
#define vfree(p) (kcut_recover_free(p), vfree(p))
#define free_netdev(p) (kcut_recover_free(p), free_netdev(p))
#ifndef kmalloc
#define kmalloc(...) kc_wire_heap_note(kcut_rt, kmalloc(__VA_ARGS__))
#endif
#ifndef kzalloc
#define kzalloc(...) kc_wire_heap_note(kcut_rt, kzalloc(__VA_ARGS__))
#endif
#ifndef kcalloc
#define kcalloc(...) kc_wire_heap_note(kcut_rt, kcalloc(__VA_ARGS__))
#endif
#ifndef kmalloc_array
#define kmalloc_array(...) kc_wire_heap_note(kcut_rt, kmalloc_array(__VA_ARGS__))
#endif
#ifndef vmalloc
#define vmalloc(...) kc_wire_heap_note(kcut_rt, vmalloc(__VA_ARGS__))
#endif
#ifndef vzalloc
#define vzalloc(...) kc_wire_heap_note(kcut_rt, vzalloc(__VA_ARGS__))
#endif
#ifndef kvmalloc
#define kvmalloc(...) kc_wire_heap_note(kcut_rt, kvmalloc(__VA_ARGS__))
#endif
#ifndef kvzalloc
#define kvzalloc(...) kc_wire_heap_note(kcut_rt, kvzalloc(__VA_ARGS__))
#endif
#ifndef kvcalloc
#define kvcalloc(...) kc_wire_heap_note(kcut_rt, kvcalloc(__VA_ARGS__))
#endif
#endif /* __KERNEL__ */
/*
 * The user half's INIT_LIST_HEAD on a kernel object's list head (emitter/kapi.c's guarded
 * imports; both targets): only a head never initialized (both words NULL, as the object was
 * zero-allocated) is initialized; one that is initialized already -- empty, or linked into a
 * list the kernel walks, or garbage -- is refused as a protocol fault: resetting a linked head
 * or entry would corrupt the kernel's list, and an empty one would race the kernel's list_add.
 */
#define kc_list_head_busy(h) (READ_ONCE((h)->next) || READ_ONCE((h)->prev))
#endif /* KCUT_KERNEL_HALF */
