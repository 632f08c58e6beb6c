/*
 * hw.c - hardware helpers of the emitter test driver: ring setup and reset.
 */
#include "drv.h"

int drv_setup_ring(struct drv_adapter *ad, struct drv_ring *ring)
{
	ring->count = 64;
	ring->next_to_use = 0;
	ring->desc = dma_alloc_coherent(NULL, ring->count * sizeof(u32), &ring->dma, 0);
	if (!ring->desc)
		return -12;
	ring->lens = kcalloc(ring->count, sizeof(*ring->lens), 0);
	if (!ring->lens)
		return -12;
	/* the user half writes into memory a kernel allocator returned */
	ring->lens[ring->count - 1] = 1514;
	(void)ad;
	return 0;
}

int drv_hw_reset(struct drv_adapter *ad)
{
	ad->tx_ring.next_to_use = 0;
	ad->stats.errors = 0;
	return 0;
}
