// SPDX-License-Identifier: GPL-2.0
/*
 * region_devm.c - more of the kernel's mapping functions with the window exported as a device
 * region (issue 14; region_linux.c has pci_iomap, pci_ioremap_bar, ioremap): a part of a BAR
 * (pci_iomap_range) and the device-managed mappings (pcim_iomap, pcim_iomap_regions' table,
 * devm_ioremap, _wc, _uc), for emitted kernel halves of forward/mapped splits (macros after their
 * includes, emitter/gen_region.c). A device-managed window is unmapped by devres at unbind,
 * without the kernel half seeing it: a devres action added right after the mapping (devres runs
 * last in, first out) unexports the region first, so no forwarded access or user mapping
 * outlives the window. A failed export is logged; the driver keeps its mapping (the user half's
 * accesses to it are then refused).
 */
#include <linux/device.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "kcut_rt.h"
#include "kcut_rt_linux.h"

struct kc_lx_devm_win {
	struct kc_rt *rt;
	void __iomem *p;
};

static void unexport_win(struct kc_rt *rt, const volatile void __iomem *p)
{
	u32 id;
	u64 off;

	if (rt && p && !kc_rt_region_find(rt, &id, &off, (const volatile void __force *)p))
		kc_rt_linux_unexport(rt, id);
}

static void devm_unexport(void *data)
{
	struct kc_lx_devm_win *w = data;

	unexport_win(w->rt, w->p);
	kfree(w);
}

static void export_failed(const char *what, int rc)
{
	pr_warn_ratelimited("kcut-rt: %s could not be exported to the user half (%d)\n", what, rc);
}

/* Export window p (device-managed on dev when dev is not NULL: unexported by a devres action). */
static void export_win(struct kc_rt *rt, struct device *dev, void __iomem *p, phys_addr_t phys, u64 len,
		       const char *what)
{
	struct kc_lx_devm_win *w = NULL;
	u32 id;
	int rc;

	if (!rt || IS_ERR_OR_NULL(p) || !len)
		return;
	if (dev) {
		w = kmalloc(sizeof(*w), GFP_KERNEL);
		if (!w) {
			export_failed(what, -ENOMEM);
			return;
		}
		w->rt = rt;
		w->p = p;
		rc = devm_add_action(dev, devm_unexport, w);
		if (rc) {
			kfree(w);
			export_failed(what, rc);
			return;
		}
	}
	rc = kc_rt_linux_export_mmio(rt, &id, p, phys, len);
	if (rc)
		export_failed(what, rc);
}

/* A memory BAR's length from offset on, at most max (0: no limit). */
static u64 bar_len(struct pci_dev *pdev, int bar, unsigned long offset, unsigned long max)
{
	u64 len = pci_resource_len(pdev, bar);

	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) || offset >= len)
		return 0; /* (an I/O BAR's cookie is no memory window) */
	len -= offset;
	return max && max < len ? max : len;
}

void __iomem *kc_rt_linux_pci_iomap_range(struct kc_rt *rt, struct pci_dev *pdev, int bar, unsigned long offset,
					  unsigned long max)
{
	void __iomem *p = pci_iomap_range(pdev, bar, offset, max);

	if (p)
		export_win(rt, NULL, p, pci_resource_start(pdev, bar) + offset, bar_len(pdev, bar, offset, max),
			   "a part of a BAR");
	return p;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_pci_iomap_range);

void __iomem *kc_rt_linux_pcim_iomap(struct kc_rt *rt, struct pci_dev *pdev, int bar, unsigned long max)
{
	void __iomem *p = pcim_iomap(pdev, bar, max);

	if (p)
		export_win(rt, &pdev->dev, p, pci_resource_start(pdev, bar), bar_len(pdev, bar, 0, max),
			   "a pcim_iomap window");
	return p;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_pcim_iomap);

int kc_rt_linux_pcim_iomap_regions(struct kc_rt *rt, struct pci_dev *pdev, int mask, const char *name)
{
	int rc = pcim_iomap_regions(pdev, mask, name), bar;
	void __iomem *const *table = rc ? NULL : pcim_iomap_table(pdev);

	for (bar = 0; table && bar < PCI_STD_NUM_BARS; bar++)
		if ((mask & (1 << bar)) && table[bar])
			export_win(rt, &pdev->dev, table[bar], pci_resource_start(pdev, bar), bar_len(pdev, bar, 0, 0),
				   "a pcim_iomap_regions window");
	return rc;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_pcim_iomap_regions);

void kc_rt_linux_pcim_iounmap(struct kc_rt *rt, struct pci_dev *pdev, void __iomem *p)
{
	unexport_win(rt, p);
	pcim_iounmap(pdev, p);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_pcim_iounmap);

void __iomem *kc_rt_linux_devm_ioremap(struct kc_rt *rt, struct device *dev, resource_size_t offset,
				       resource_size_t size)
{
	void __iomem *p = devm_ioremap(dev, offset, size);

	export_win(rt, dev, p, offset, size, "a devm_ioremap window");
	return p;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_devm_ioremap);

void __iomem *kc_rt_linux_devm_ioremap_wc(struct kc_rt *rt, struct device *dev, resource_size_t offset,
					  resource_size_t size)
{
	void __iomem *p = devm_ioremap_wc(dev, offset, size);

	export_win(rt, dev, p, offset, size, "a devm_ioremap_wc window");
	return p;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_devm_ioremap_wc);

void __iomem *kc_rt_linux_devm_ioremap_uc(struct kc_rt *rt, struct device *dev, resource_size_t offset,
					  resource_size_t size)
{
	void __iomem *p = devm_ioremap_uc(dev, offset, size);

	export_win(rt, dev, p, offset, size, "a devm_ioremap_uc window");
	return p;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_devm_ioremap_uc);

void kc_rt_linux_devm_iounmap(struct kc_rt *rt, struct device *dev, void __iomem *p)
{
	unexport_win(rt, p);
	devm_iounmap(dev, p);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_devm_iounmap);
