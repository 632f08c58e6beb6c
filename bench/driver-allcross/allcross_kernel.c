/*
 * allcross_kernel.c - the "every entry point crosses" variant of bench/driver.sh (measurement only).
 *
 * Linked into the unsplit driver's module with -Wl,--wrap for register_netdev, request_irq,
 * netif_napi_add_weight, __pci_register_driver and pci_unregister_driver: the driver's hot entry
 * points (ndo_start_xmit, the interrupt handler, the NAPI poll function) are registered with the
 * kernel model as trampolines that cross to a user-space process (allcross_user.c) and back
 * before running the real function: upcall "enter", whose handler makes the nested downcall
 * "run", which runs the entry point in the kernel thread that is waiting for the upcall (the
 * runtime serves nested calls LRPC style). That is the crossing pattern of a driver that lives
 * entirely in user space (every entry point goes up; the register and DMA work comes back down),
 * WITHOUT its data copies: arguments cross as raw pointer values that the user process never
 * dereferences (no tracker, no marshaled fields), so this variant is a lower bound on the cost of
 * a whole-driver-in-user-space design, not a driver kcut can emit (docs/emitter.md, "Throughput").
 * Not a trust boundary: the kernel side takes the pointers back unchecked. Bench only.
 *
 * The user program is $KCUT_ALLCROSS_USER; kc_rt starts it when the driver registers.
 */
#include <linux/interrupt.h>
#include <linux/netdevice.h>
#include <linux/pci.h>

#include <stdio.h>
#include <stdlib.h>

#include "kcut_rt.h"

enum { AC_XMIT, AC_IRQ, AC_POLL };

static struct kc_rt *ac_rt;
static const struct net_device_ops *ac_orig_ops;
static struct net_device_ops ac_ops;
static irq_handler_t ac_orig_irq;
static int (*ac_orig_poll)(struct napi_struct *, int);
static unsigned long ac_failed;

/* Downcall "run": the entry point with the arguments the upcall carried. */
static int ac_run(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t e = kc_xdr_get_u32(a);
	void *p1 = (void *)(uintptr_t)kc_xdr_get_u64(a);
	void *p2 = (void *)(uintptr_t)kc_xdr_get_u64(a);
	int32_t i = kc_xdr_get_i32(a);
	int ret;

	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_RT_EPROTO;
	switch (e) {
	case AC_XMIT:
		ret = ac_orig_ops->ndo_start_xmit(p1, p2);
		break;
	case AC_IRQ:
		ret = ac_orig_irq(i, p1);
		break;
	case AC_POLL:
		ret = ac_orig_poll(p1, i);
		break;
	default:
		return KC_RT_EPROTO;
	}
	kc_xdr_put_i32(r, ret);
	return 0;
}

static const struct kc_rt_fn ac_fns[] = { { "run", ac_run }, { NULL, NULL } };
static const char *const ac_peer[] = { "enter", NULL };

/* One entry: up to the user process and back down; 0 and *ret on success. */
static int ac_cross(uint32_t e, void *p1, void *p2, int i, int *ret)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	rc = kc_rt_call_begin(&c, &a, ac_rt, 0);
	if (rc)
		return rc;
	kc_xdr_put_u32(a, e);
	kc_xdr_put_u64(a, (uintptr_t)p1);
	kc_xdr_put_u64(a, (uintptr_t)p2);
	kc_xdr_put_i32(a, i);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc)
		*ret = kc_xdr_get_i32(r);
	return kc_rt_call_end(c, rc);
}

/* The trampolines: when the crossing fails the entry point runs directly (counted, reported). */
static netdev_tx_t ac_xmit(struct sk_buff *skb, struct net_device *dev)
{
	int ret;

	if (ac_cross(AC_XMIT, skb, dev, 0, &ret)) {
		ac_failed++;
		return ac_orig_ops->ndo_start_xmit(skb, dev);
	}
	return (netdev_tx_t)ret;
}

static irqreturn_t ac_irq(int irq, void *dev_id)
{
	int ret;

	if (ac_cross(AC_IRQ, dev_id, NULL, irq, &ret)) {
		ac_failed++;
		return ac_orig_irq(irq, dev_id);
	}
	return (irqreturn_t)ret;
}

static int ac_poll(struct napi_struct *napi, int budget)
{
	int ret;

	if (ac_cross(AC_POLL, napi, NULL, budget, &ret)) {
		ac_failed++;
		return ac_orig_poll(napi, budget);
	}
	return ret;
}

int __real_register_netdev(struct net_device *dev);
int __wrap_register_netdev(struct net_device *dev)
{
	ac_orig_ops = dev->netdev_ops;
	ac_ops = *dev->netdev_ops;
	ac_ops.ndo_start_xmit = ac_xmit;
	dev->netdev_ops = &ac_ops;
	return __real_register_netdev(dev);
}

int __real_request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev);
int __wrap_request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev)
{
	ac_orig_irq = handler;
	return __real_request_irq(irq, ac_irq, flags, name, dev);
}

void __real_netif_napi_add_weight(struct net_device *dev, struct napi_struct *napi,
				  int (*poll)(struct napi_struct *, int), int weight);
void __wrap_netif_napi_add_weight(struct net_device *dev, struct napi_struct *napi,
				  int (*poll)(struct napi_struct *, int), int weight)
{
	ac_orig_poll = poll;
	__real_netif_napi_add_weight(dev, napi, ac_poll, weight);
}

/* Module load: start the user process before the driver probes. */
int __real___pci_register_driver(struct pci_driver *drv, struct module *owner, const char *mod_name);
int __wrap___pci_register_driver(struct pci_driver *drv, struct module *owner, const char *mod_name)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };

	o.fns = ac_fns;
	o.nfns = 1;
	o.peer_names = ac_peer;
	o.npeer = 1;
	o.user_path = getenv("KCUT_ALLCROSS_USER");
	if (!o.user_path || kc_rt_kernel_start(&ac_rt, &o, &err)) {
		fprintf(stderr, "allcross: cannot start the user process ($KCUT_ALLCROSS_USER): %s\n",
			o.user_path ? err.msg : "not set");
		return -EIO;
	}
	return __real___pci_register_driver(drv, owner, mod_name);
}

void __real_pci_unregister_driver(struct pci_driver *drv);
void __wrap_pci_unregister_driver(struct pci_driver *drv)
{
	__real_pci_unregister_driver(drv);
	if (ac_failed)
		fprintf(stderr, "allcross: %lu entry calls ran without crossing (crossing failed)\n", ac_failed);
	kc_rt_close(ac_rt);
	ac_rt = NULL;
}
