/*
 * main.c - entry points of the emitter test driver: open/stop/xmit/irq and an mtu change.
 */
#include "drv.h"

static irqreturn_t drv_intr(int irq, void *data)
{
	struct drv_adapter *ad = data;

	/* count the interrupt in the fast path */
	spin_lock(&ad->lock);
	ad->stats.rx_packets++;
	spin_unlock(&ad->lock);
	(void)irq;
	return IRQ_HANDLED;
}

static int drv_xmit(void *skb, struct net_device *dev)
{
	struct drv_adapter *ad = dev->priv;
	struct drv_ring *ring = &ad->tx_ring;

	ring->desc[ring->next_to_use] = 1;
	ring->next_to_use = (ring->next_to_use + 1) % ring->count;
	ad->stats.tx_packets++;
	(void)skb;
	return 0;
}

static int drv_open(struct net_device *dev)
{
	struct drv_adapter *ad = dev->priv;
	int err;

	err = drv_setup_ring(ad, &ad->tx_ring);
	if (err)
		return err;
	err = request_irq(ad->irq, drv_intr, 0, dev->name, ad);
	if (err)
		return err;
	netif_carrier_on(dev);
	return 0;
}

static int drv_stop(struct net_device *dev)
{
	struct drv_adapter *ad = dev->priv;
	int err;

	free_irq(ad->irq, ad);
	/* the interrupt handler takes the same lock */
	spin_lock(&ad->lock);
	err = drv_hw_reset(ad);
	spin_unlock(&ad->lock);
	return err;
}

static int drv_change_mtu(struct net_device *dev, int new_mtu)
{
	if (new_mtu < 68 || new_mtu > 9000)
		return -22;
	dev->mtu = new_mtu;
	return 0;
}

static const struct net_device_ops drv_ops = {
	.ndo_open = drv_open,
	.ndo_stop = drv_stop,
	.ndo_start_xmit = drv_xmit,
	.ndo_change_mtu = drv_change_mtu,
};

static int drv_probe(struct net_device *dev, struct drv_adapter *ad)
{
	dev->netdev_ops = &drv_ops;
	dev->priv = ad;
	ad->netdev = dev;
	ad->msg_enable = 3;
	return register_netdev(dev);
}

static struct drv_driver drv_driver = {
	.name = "drv",
	.probe = drv_probe,
};

int drv_init(void)
{
	return register_driver(&drv_driver);
}
