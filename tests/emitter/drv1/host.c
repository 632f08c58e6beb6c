/*
 * host.c - a tiny "kernel" for the emitter's end-to-end test. It implements the kdev.h API,
 * loads the driver (drv_init), probes one device, opens it, transmits, raises interrupts, changes
 * the MTU and stops the device, printing one transcript line per step.
 *
 * It is built twice: with the original driver in one process, and with the kernel half of the
 * split driver (the user half then runs as its own process, started through the runtime). The
 * two transcripts must be identical: that is what "the split driver behaves like the original"
 * means for this driver. With $KCUT_TRACE set, the split run writes its crossing trace there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"
#include <khost.h>

int drv_init(void);

static struct drv_driver *the_driver;
static struct drv_adapter *the_adapter;
static irq_handler_t the_handler;
static void *the_irq_data;
static const char *the_irq_name;
static struct net_device *the_dev;
static unsigned long long dma_next = 0x1000;

void spin_lock(spinlock_t *l)
{
	/* the user half's spin_lock is a downcall: it must land on the kernel's lock */
	printf("spin_lock %s%s\n", l == &the_adapter->lock ? "adapter" : "OTHER", l->locked ? " (already held!)" : "");
	l->locked++;
}

void spin_unlock(spinlock_t *l)
{
	l->locked--;
}

int register_driver(struct drv_driver *drv)
{
	printf("register_driver %s\n", drv->name);
	the_driver = drv;
	return 0;
}

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev)
{
	printf("request_irq %u %s flags=%lu cookie=%s\n", irq, name, flags,
	       dev == the_adapter ? "adapter" : "OTHER");
	the_handler = handler;
	the_irq_data = dev;
	the_irq_name = name; /* a kernel keeps this pointer: it must outlive the call */
	return 0;
}

void free_irq(unsigned int irq, void *dev)
{
	printf("free_irq %u cookie=%s name=%s\n", irq, dev == the_irq_data ? "same" : "OTHER", the_irq_name);
	the_handler = NULL;
}

int register_netdev(struct net_device *dev)
{
	printf("register_netdev %s ops=%s priv=%s\n", dev == the_dev ? "dev" : "OTHER",
	       dev->netdev_ops && dev->netdev_ops->ndo_open ? "set" : "MISSING",
	       dev->priv == the_adapter ? "adapter" : "OTHER");
	return 0;
}

void netif_carrier_on(struct net_device *dev)
{
	printf("netif_carrier_on %s\n", dev == the_dev ? "dev" : "OTHER");
}

void *kzalloc(size_t size, unsigned int gfp)
{
	(void)gfp;
	return calloc(1, size);
}

void *kcalloc(size_t n, size_t size, unsigned int gfp)
{
	(void)gfp;
	return calloc(n, size);
}

void kfree(const void *p)
{
	free((void *)p);
}

void *dma_alloc_coherent(void *dev, size_t size, unsigned long long *handle, unsigned int gfp)
{
	(void)dev;
	(void)gfp;
	*handle = dma_next;
	dma_next += size;
	printf("dma_alloc_coherent %zu\n", size);
	return calloc(1, size);
}

int main(int argc, char **argv)
{
	static struct net_device dev;
	static struct drv_adapter ad;
	const struct net_device_ops *ops;
	int rc, i;

	if (khost_start(argc, argv))
		return 2;
	strcpy(dev.name, "eth0");
	dev.mtu = 1500;
	ad.irq = 11;
	the_dev = &dev;
	the_adapter = &ad;
	rc = drv_init();
	printf("drv_init %d\n", rc);
	rc = the_driver->probe(&dev, &ad);
	printf("probe %d msg_enable=%u netdev=%s\n", rc, ad.msg_enable, ad.netdev == &dev ? "dev" : "OTHER");
	ops = dev.netdev_ops;
	rc = ops->ndo_open(&dev);
	printf("open %d count=%u desc=%s lens[63]=%u dma=0x%llx\n", rc, ad.tx_ring.count, ad.tx_ring.desc ? "set" : "NULL",
	       ad.tx_ring.lens ? ad.tx_ring.lens[63] : 0, ad.tx_ring.dma);
	for (i = 0; i < 3; i++) {
		rc = ops->ndo_start_xmit(NULL, &dev);
		printf("xmit %d next_to_use=%u tx_packets=%u desc[%d]=%u\n", rc, ad.tx_ring.next_to_use,
		       ad.stats.tx_packets, i, ad.tx_ring.desc[i]);
	}
	for (i = 0; i < 2; i++) {
		irqreturn_t ret = the_handler(11, the_irq_data);

		printf("irq %d rx_packets=%u\n", (int)ret, ad.stats.rx_packets);
	}
	rc = ops->ndo_change_mtu(&dev, 9000);
	printf("change_mtu 9000: %d mtu=%d\n", rc, dev.mtu);
	rc = ops->ndo_change_mtu(&dev, 10);
	printf("change_mtu 10: %d mtu=%d\n", rc, dev.mtu);
	ad.stats.errors = 7;
	rc = ops->ndo_stop(&dev);
	printf("stop %d next_to_use=%u errors=%u tx_packets=%u rx_packets=%u lock=%d\n", rc, ad.tx_ring.next_to_use,
	       ad.stats.errors, ad.stats.tx_packets, ad.stats.rx_packets, ad.lock.locked);
	free(ad.tx_ring.desc);
	free(ad.tx_ring.lens);
	khost_trace();
	khost_stop();
	return 0;
}
