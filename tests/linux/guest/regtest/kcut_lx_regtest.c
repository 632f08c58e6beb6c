// SPDX-License-Identifier: GPL-2.0
/*
 * kcut_lx_regtest.c - a test module for rt/linux's device regions (guest smoke test,
 * scripts/qemu-e1000.sh --regions): makes an endpoint /dev/kcut-regtest, takes the guest's e1000
 * (unbound: the split driver's probe failed), maps its BAR 0 and exports it (MMIO), allocates a
 * coherent DMA buffer of two pages filled with a known pattern and exports it (DMA). The ids, the
 * device's STATUS register and the pattern's first word are module parameters
 * (/sys/module/kcut_lx_regtest/parameters/) for the stand-in user half
 * (tests/linux/guest/kcut_lx_regions.c), which maps both regions and checks what it sees. Writing 1
 * to parameter unexport_dma unexports the DMA region (its mappings are zapped). On unload the
 * first word of the DMA buffer is logged (the stand-in writes one).
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "kcut_rt_linux.h"

#define DMA_BYTES (2 * PAGE_SIZE)

static struct kc_rt *rt;
static struct pci_dev *pdev;
static void __iomem *bar;
static u32 *buf;
static dma_addr_t handle;
static bool dma_live;

static uint mmio_id, dma_id, status, pattern;
module_param(mmio_id, uint, 0444);
module_param(dma_id, uint, 0444);
module_param(status, uint, 0444);
module_param(pattern, uint, 0444);

static int set_unexport(const char *val, const struct kernel_param *kp)
{
	int rc;

	if (!dma_live)
		return -ENOENT;
	rc = kc_rt_linux_unexport(rt, dma_id);
	dma_live = false;
	pr_info("kcut-regtest: DMA region 0x%x unexported (%d)\n", dma_id, rc);
	return rc;
}

static const struct kernel_param_ops unexport_ops = { .set = set_unexport };
module_param_cb(unexport_dma, &unexport_ops, NULL, 0200);

static int __init regtest_init(void)
{
	unsigned int i;
	int rc;

	pdev = pci_get_device(PCI_VENDOR_ID_INTEL, 0x100e, NULL);
	if (!pdev)
		return -ENODEV;
	rc = pci_enable_device(pdev);
	if (rc)
		goto put;
	bar = pci_iomap(pdev, 0, 0);
	rc = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (!bar || rc) {
		rc = rc ? rc : -ENOMEM;
		goto disable;
	}
	buf = dma_alloc_coherent(&pdev->dev, DMA_BYTES, &handle, GFP_KERNEL);
	if (!buf) {
		rc = -ENOMEM;
		goto unmap;
	}
	for (i = 0; i < DMA_BYTES / 4; i++)
		buf[i] = 0x6b630000u ^ i;
	pattern = buf[0];
	status = readl(bar + 8); /* e1000 STATUS */
	rc = kc_rt_linux_start(&rt, "regtest", NULL, 0, NULL, 0, NULL, NULL, NULL);
	if (rc)
		goto free;
	rc = kc_rt_linux_export_mmio(rt, &mmio_id, bar, pci_resource_start(pdev, 0), pci_resource_len(pdev, 0));
	if (!rc)
		rc = kc_rt_linux_export_dma(rt, &dma_id, &pdev->dev, buf, handle, DMA_BYTES);
	if (rc)
		goto stop;
	dma_live = true;
	pr_info("kcut-regtest: exported BAR 0 (%pa, %llu bytes) as 0x%x, DMA buffer as 0x%x; STATUS %#x\n",
		&pdev->resource[0].start, (unsigned long long)pci_resource_len(pdev, 0), mmio_id, dma_id, status);
	return 0;
stop:
	kc_rt_linux_stop(rt);
free:
	dma_free_coherent(&pdev->dev, DMA_BYTES, buf, handle);
unmap:
	if (bar)
		pci_iounmap(pdev, bar);
disable:
	pci_disable_device(pdev);
put:
	pci_dev_put(pdev);
	return rc;
}

static void __exit regtest_exit(void)
{
	pr_info("kcut-regtest: DMA word 0 at unload: %#x\n", buf[0]);
	if (dma_live)
		kc_rt_linux_unexport(rt, dma_id);
	kc_rt_linux_unexport(rt, mmio_id);
	kc_rt_linux_stop(rt);
	dma_free_coherent(&pdev->dev, DMA_BYTES, buf, handle);
	pci_iounmap(pdev, bar);
	pci_disable_device(pdev);
	pci_dev_put(pdev);
}

module_init(regtest_init);
module_exit(regtest_exit);
MODULE_DESCRIPTION("kcut: test of rt/linux's device regions (BAR and DMA mmap)");
MODULE_LICENSE("GPL");
