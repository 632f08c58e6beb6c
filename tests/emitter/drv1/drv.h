/* drv.h - the private structures of the emitter test driver. */
#ifndef DRV_H
#define DRV_H

#include <kdev.h>

struct drv_stats {
	u32 rx_packets;
	u32 tx_packets;
	u32 errors;
};

struct drv_ring {
	u32 count;
	u32 next_to_use;
	u32 *desc;            /* DMA-coherent descriptors */
	unsigned long long dma;
	u16 *lens;            /* kcalloc(count) */
};

struct drv_adapter {
	struct net_device *netdev;
	struct drv_ring tx_ring;
	struct drv_stats stats;
	spinlock_t lock;
	int irq;
	u32 msg_enable;
	u8 mac[6];
};

int drv_hw_reset(struct drv_adapter *ad);
int drv_setup_ring(struct drv_adapter *ad, struct drv_ring *ring);

#endif
