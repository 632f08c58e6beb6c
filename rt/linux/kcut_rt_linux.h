/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcut_rt_linux.h - rt/linux, the kernel half's runtime in a Linux kernel (module kcut_rt.ko):
 * what a split driver's kernel half calls besides the kc_xdr / kc_objt / kc_rt_call API it
 * shares with the kernel model's runtime (emitter/rt_shim.inc declares that part for kernel
 * builds). kcut_rt_uapi.h is the user half's side of it.
 */
#ifndef KCUT_RT_LINUX_H
#define KCUT_RT_LINUX_H

#include <linux/types.h>

struct kc_rt;
struct kc_rt_fn;
struct kc_wire_tables;
struct device;

/*
 * Make the endpoint of split driver `name`: its misc device /dev/kcut-<name>, its object
 * tracker. fns[0 .. nfns) are the downcalls it serves; peer_names (npeer, may be NULL) name the
 * upcalls in log lines; wire is the driver's tables for pointers on the wire (rt/wire.c, the
 * emitted kcut_wire: kc_rt_opts.wire of the kernel model); recover (may be NULL) runs with
 * recover_arg when a user half connects after the first one (kc_rt_opts.recover). 0 or a
 * negative errno. kc_rt_linux_driver_start (below) calls this for an emitted kernel half, before
 * the driver's own init function.
 */
int kc_rt_linux_start(struct kc_rt **out, const char *name, const struct kc_rt_fn *fns, u32 nfns,
		      const char *const *peer_names, u32 npeer, const struct kc_wire_tables *wire,
		      void (*recover)(struct kc_rt *rt, void *arg, unsigned int incarnation),
		      void *recover_arg);
/* The kernel half's module (THIS_MODULE), held while no user half is connected: its teardown
 * runs partly there, so rmmod is refused ("in use") until a user half is back. */
struct module;
void kc_rt_linux_set_owner(struct kc_rt *rt, struct module *owner);
/* Wait (interruptible) up to timeout_ms for a user half to open the device: 0, -ETIMEDOUT,
 * -ERESTARTSYS, or -EPIPE when one opened it and is gone already (killed for a fault). */
int kc_rt_linux_wait_user(struct kc_rt *rt, unsigned int timeout_ms);
/* Before the driver's exit function (emitted KCUT_MODULE_EXIT): its teardown runs partly in the
 * user half, so when none is connected (or a new one is being recovered) wait, killable, up to
 * timeout_ms for one; 0, -ETIMEDOUT (logged: the user-half part of the teardown will fail) or
 * -EINTR. */
int kc_rt_linux_wait_live(struct kc_rt *rt, unsigned int timeout_ms);
/*
 * The kernel half's deallocators and ownership transfers (kc_rt_linux_free, kc_rt_linux_give and
 * the kinds): kcut_frees.h, which emitted kernel halves include after their own #includes (its
 * macros: kfree(p) becomes kc_rt_linux_free(kcut_rt, p, KC_LX_FREE_KFREE), netif_rx(skb) hands
 * over kc_rt_linux_give_skb(kcut_rt, skb) ...). The object tracker forgets the object, and every
 * handle of it, before it is freed or the kernel takes it, so a stale handle from the user half
 * never resolves to freed memory. In atomic context (a spinlock, softirq or IRQ: the tracker takes
 * mutexes) the forget, and the free, are deferred to a worker; until then a handle of the object is
 * refused (logged) and freed memory stays allocated. rt may be NULL (nothing is tracked). Memory
 * whose address was never tracked (a filter any context can read) costs nothing more.
 */
#include "kcut_frees.h"

/* Remove the device, fail every pending call, free the endpoint. */
void kc_rt_linux_stop(struct kc_rt *rt);

/*
 * A split driver's kernel half from its description (struct kc_rt_driver, kcut_rt.h; the emitted
 * kcut_kernel.c's kcut_driver), what every emitted kernel half calls through its
 * KCUT_MODULE_INIT / KCUT_MODULE_EXIT (kcut_ids.h):
 *   start: d->tables_init, kc_rt_linux_start with the wire tables' recovery hook
 *          (kc_wire_recover_hook), the owner (THIS_MODULE of the driver's module) set, and a wait of
 *          up to wait_ms (the driver module's parameter kcut_wait_ms) for the user half; logs why
 *          it failed and leaves nothing (*d->rt NULL). 0 or a negative errno;
 *   before_exit: kc_rt_linux_wait_live(*d->rt, wait_ms) when started;
 *   stop: kc_rt_linux_stop, *d->rt = NULL.
 * The emitter copies this header into the emitted tree (include/kcut_rt_linux.h).
 */
struct kc_rt_driver;
int kc_rt_linux_driver_start(const struct kc_rt_driver *d, struct module *owner, unsigned int wait_ms);
void kc_rt_linux_driver_before_exit(const struct kc_rt_driver *d, unsigned int wait_ms);
void kc_rt_linux_driver_stop(const struct kc_rt_driver *d);

/*
 * Device regions (rt/region.c's table, rt/linux's mmap): export a BAR window (kaddr from
 * ioremap / pci_iomap, phys its physical address), a port range, or a coherent DMA buffer (from
 * dma_alloc_coherent on dev) to the user half; *id is the region id the kernel half puts on the
 * wire. An MMIO window whose address and size are page aligned, and every DMA buffer, may be
 * mapped by the user half (kcut_rt_uapi.h); other MMIO windows and ports are forwarded
 * (KC_RT_FN_REGIO). Unexport before iounmap / dma_free_coherent: it returns when no forwarded
 * operation runs on the region and every user mapping of it is gone. 0 or a negative errno.
 */
int kc_rt_linux_export_mmio(struct kc_rt *rt, u32 *id, void __iomem *kaddr, phys_addr_t phys, u64 size);
int kc_rt_linux_export_pio(struct kc_rt *rt, u32 *id, unsigned long port, u64 size);
int kc_rt_linux_export_dma(struct kc_rt *rt, u32 *id, struct device *dev, void *cpu, dma_addr_t handle,
			   u64 size);
int kc_rt_linux_unexport(struct kc_rt *rt, u32 id);

/*
 * The kernel's BAR mapping and coherent allocation functions with the result exported (or
 * unexported first), for emitted kernel halves of forward/mapped splits (macros after their
 * includes). rt may be NULL (nothing is exported). A failed export is logged and the driver keeps
 * its mapping or buffer.
 */
struct pci_dev;
void __iomem *kc_rt_linux_pci_iomap(struct kc_rt *rt, struct pci_dev *pdev, int bar, unsigned long max);
void __iomem *kc_rt_linux_pci_ioremap_bar(struct kc_rt *rt, struct pci_dev *pdev, int bar);
void __iomem *kc_rt_linux_ioremap(struct kc_rt *rt, phys_addr_t phys, size_t size);
void kc_rt_linux_iounmap(struct kc_rt *rt, volatile void __iomem *p);
void kc_rt_linux_pci_iounmap(struct kc_rt *rt, struct pci_dev *pdev, void __iomem *p);
void *kc_rt_linux_dma_alloc_coherent(struct kc_rt *rt, struct device *dev, size_t size, dma_addr_t *handle,
				     gfp_t gfp);
void kc_rt_linux_dma_free_coherent(struct kc_rt *rt, struct device *dev, size_t size, void *cpu,
				   dma_addr_t handle);
/* The same for a part of a BAR and the device-managed mappings (region_devm.c): a pcim_ / devm_
 * window is unexported by a devres action added after the mapping's own, so it runs first at
 * unbind. (ioport_map's cookies are no memory window: the device's I/O BARs are exported as port
 * ranges with its register window, as for pci_iomap.) */
void __iomem *kc_rt_linux_pci_iomap_range(struct kc_rt *rt, struct pci_dev *pdev, int bar, unsigned long offset,
					  unsigned long max);
void __iomem *kc_rt_linux_pcim_iomap(struct kc_rt *rt, struct pci_dev *pdev, int bar, unsigned long max);
int kc_rt_linux_pcim_iomap_regions(struct kc_rt *rt, struct pci_dev *pdev, int mask, const char *name);
void kc_rt_linux_pcim_iounmap(struct kc_rt *rt, struct pci_dev *pdev, void __iomem *p);
void __iomem *kc_rt_linux_devm_ioremap(struct kc_rt *rt, struct device *dev, resource_size_t offset,
				       resource_size_t size);
void __iomem *kc_rt_linux_devm_ioremap_wc(struct kc_rt *rt, struct device *dev, resource_size_t offset,
					  resource_size_t size);
void __iomem *kc_rt_linux_devm_ioremap_uc(struct kc_rt *rt, struct device *dev, resource_size_t offset,
					  resource_size_t size);
void kc_rt_linux_devm_iounmap(struct kc_rt *rt, struct device *dev, void __iomem *p);

#endif /* KCUT_RT_LINUX_H */
