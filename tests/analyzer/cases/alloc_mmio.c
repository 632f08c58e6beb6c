/* Register memory (ioremap & co.) and DMA-coherent memory are allocation sites with alloc.kind
 * 'mmio' / 'dma'; everything else is 'mem'. Register or DMA memory kept in a local and then stored
 * into a field is a field store (with store_var kept). */
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/slab.h>

struct hw {
	u8 __iomem *hw_addr;
	u8 __iomem *flash;
	void __iomem *io;
	void __iomem *regs;
	void *desc;
	dma_addr_t dma;
	u32 *shadow;
	void __iomem *mmio_addr;
	u32 *scratch;
};

int map(struct hw *hw, struct pci_dev *pdev, struct device *dev)
{
	void __iomem *local;

	hw->hw_addr = pci_ioremap_bar(pdev, 0);
	hw->flash = ioremap(0xfe000000, 4096);
	hw->io = pci_iomap(pdev, 1, 0);
	hw->regs = pcim_iomap_table(pdev)[2];
	local = devm_ioremap(dev, 0x1000, 256);
	hw->desc = dma_alloc_coherent(dev, 256, &hw->dma, GFP_KERNEL);
	hw->shadow = kzalloc(64, GFP_KERNEL);
	writel(1, local);
	return 0;
}

/* as 8139too: the mapping goes into a local first, then into the field that keeps it */
int map_local(struct hw *tp, struct pci_dev *pdev)
{
	void __iomem *ioaddr;
	u32 *buf = kzalloc(64, GFP_KERNEL);

	ioaddr = pci_iomap(pdev, 1, 0);
	if (!ioaddr)
		return -1;
	readl(ioaddr);
	tp->mmio_addr = ioaddr;
	tp->flash = ioaddr; /* only the first field store counts */
	tp->scratch = buf;  /* 'mem' allocations stay 'var' */
	return 0;
}

/*
 * check-name: MMIO and DMA allocation kinds
 * check-query: SELECT allocator, kind, size_expr, store_kind, store_struct, store_field, store_var
 *   FROM alloc ORDER BY line
 * check-expect
 * pci_ioremap_bar|mmio||field|hw|hw_addr|
 * ioremap|mmio|4096|field|hw|flash|
 * pci_iomap|mmio|0|field|hw|io|
 * pcim_iomap_table|mmio||field|hw|regs|
 * devm_ioremap|mmio|256|var|||local
 * dma_alloc_coherent|dma|256|field|hw|desc|
 * kzalloc|mem|64|field|hw|shadow|
 * kzalloc|mem|64|var|||buf
 * pci_iomap|mmio|0|field|hw|mmio_addr|ioaddr
 * check-expect-end
 */
