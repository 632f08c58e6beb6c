/*
 * kcut_plat_kmodel.h - platform glue between the runtime and the user-space kernel model
 * (testdrivers/kmodel), written once for every split driver's kernel half that runs under
 * kcut-sim (library kc_rt_kmodel; the Linux counterpart lives in rt/linux).
 *
 * What it does: forwarded register operations of the user half are performed with the model's
 * own register access (kc_km_mmio_* / kc_km_pio_*: the same checks, register-access log and
 * interrupt delivery as the driver's readl/writel/inb/outb), the user half maps coherent DMA
 * memory from the model's memfd arena (opts.share_fd), and everything the driver makes of its
 * device is exported while it exists: a BAR from its first mapping (pci_iomap, ioremap) to its
 * last unmapping (an MMIO region: the whole BAR's window), an I/O BAR while requested
 * (pci_request_region(s): a PIO region), a coherent buffer from dma_alloc_coherent to
 * dma_free_coherent (a DMA region, mapped by the user half at its arena offset).
 *
 * How a generated kernel half uses it (outside __KERNEL__): its description names it,
 *
 *	static const struct kc_rt_driver kcut_driver = { ..., .access = KC_ACCESS_FORWARD,
 *							 .plat = &kc_plat_kmodel };
 *
 * and kc_rt_driver_start (rt/driver.c) does the rest:
 *
 *	kc_plat_kmodel_opts(&opts);
 *	rc = kc_rt_kernel_start(&kcut_rt, &opts, err);
 *	if (!rc)
 *		rc = kc_plat_kmodel_attach(kcut_rt, err);     // before the driver's init runs
 *	...
 *	kc_plat_kmodel_detach(kcut_rt);                       // at stop, before kc_rt_close
 *	kc_rt_close(kcut_rt);
 */
#ifndef KCUT_PLAT_KMODEL_H
#define KCUT_PLAT_KMODEL_H

#include "kcut_rt.h"

/* Set opts->io (the model's register access) and opts->share_fd (its coherent-DMA arena;
 * stays -1 when the model could not make it: then no DMA region can be exported). */
void kc_plat_kmodel_opts(struct kc_rt_opts *o);
/* Export what the driver maps, requests and allocates from now on to rt's user half (see
 * above). One endpoint at a time: KC_EINVAL when another one is attached. */
int kc_plat_kmodel_attach(struct kc_rt *rt, struct kc_err *err);
/* Stop exporting (the model's hooks are removed); call before kc_rt_close(rt). */
void kc_plat_kmodel_detach(struct kc_rt *rt);
/* The three above, for a split driver's description (kc_rt_driver.plat). */
extern const struct kc_rt_plat kc_plat_kmodel;

#endif /* KCUT_PLAT_KMODEL_H */
