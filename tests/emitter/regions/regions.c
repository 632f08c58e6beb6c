/*
 * regions.c - a user half that drives the device (docs/emitter.md, "Device access"): the
 * partition gives it device access (params device_access forward), so
 *   - its readl/writel become rt's kc_io_read32/kc_io_write32 and wmb() a kc_io_flush();
 *   - rg_adapter.hw_addr (from ioremap) and rg_ring.desc (from dma_alloc_coherent) cross as region
 *     pointers (EM_OP_REGION), and the user half indexes the descriptors in place;
 *   - ioremap's and dma_alloc_coherent's results, iounmap's and dma_free_coherent's pointer
 *     arguments cross as region pointers (the kernel half checks what comes back is a region's
 *     start);
 *   - the kernel half (rg_open, rg_xmit) uses the same fields.
 * interface.txt lists the regions. The generated files must compile with -Wall -Wextra -Werror.
 */
#include <kdev.h>
#include <kio.h>

struct rg_desc {
	u64 addr;
	u32 len;
	u32 flags;
};

struct rg_ring {
	struct rg_desc *desc;
	unsigned long long dma;
	u32 count;
};

struct rg_adapter {
	u8 *hw_addr;
	struct rg_ring ring;
	u32 status;
	void *dev;
};

/* user half: map the registers, reset, allocate and fill the descriptor ring */
int rg_configure(struct rg_adapter *ad)
{
	u32 i;

	ad->hw_addr = ioremap(0xfe000000ull, 4096);
	if (!ad->hw_addr)
		return -1;
	writel(1, ad->hw_addr + 0x0);
	wmb();
	ad->status = readl(ad->hw_addr + 0x8);
	ad->ring.count = 8;
	ad->ring.desc = dma_alloc_coherent(ad->dev, ad->ring.count * sizeof(struct rg_desc), &ad->ring.dma, 0);
	if (!ad->ring.desc)
		return -1;
	for (i = 0; i < ad->ring.count; i++) {
		ad->ring.desc[i].len = 0;
		ad->ring.desc[i].flags = 0;
	}
	writel((u32)ad->ring.dma, ad->hw_addr + 0x10);
	return 0;
}

/* user half: give everything back */
void rg_teardown(struct rg_adapter *ad)
{
	writel(0, ad->hw_addr + 0x0);
	dma_free_coherent(ad->dev, ad->ring.count * sizeof(struct rg_desc), ad->ring.desc, ad->ring.dma);
	iounmap(ad->hw_addr);
}

/* kernel half: the data path uses the same registers and descriptors */
int rg_xmit(struct rg_adapter *ad, u32 len)
{
	ad->ring.desc[0].len = len;
	ad->ring.desc[0].flags = 1;
	writel(1, ad->hw_addr + 0x18);
	return 0;
}

int rg_open(struct rg_adapter *ad)
{
	int err = rg_configure(ad);

	if (err)
		return err;
	return rg_xmit(ad, 64);
}

void rg_close(struct rg_adapter *ad)
{
	rg_teardown(ad);
}
