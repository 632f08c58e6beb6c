#ifndef _LINUX_NETDEVICE_H
#define _LINUX_NETDEVICE_H
#include <linux/types.h>
#include <linux/list.h>
struct sk_buff {
	struct sk_buff *next;
	unsigned int len;
	unsigned char *data;
};
typedef int netdev_tx_t;
struct net_device;
struct net_device_ops {
	int (*ndo_open)(struct net_device *dev);
	int (*ndo_stop)(struct net_device *dev);
	netdev_tx_t (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev);
	void (*ndo_set_rx_mode)(struct net_device *dev);
	int (*ndo_change_mtu)(struct net_device *dev, int new_mtu);
};
struct ethtool_ops {
	u32 (*get_link)(struct net_device *dev);
	int (*get_regs_len)(struct net_device *dev);
};
struct napi_struct {
	int (*poll)(struct napi_struct *, int);
	int weight;
};
struct net_device {
	char name[16];
	unsigned int mtu;
	const struct net_device_ops *netdev_ops;
	const struct ethtool_ops *ethtool_ops;
	unsigned int irq;
	void *priv;
};
void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int), int weight);
int register_netdev(struct net_device *dev);
struct net_device *alloc_etherdev_mqs(int sizeof_priv, unsigned int txqs, unsigned int rxqs);
#define alloc_etherdev(sizeof_priv) alloc_etherdev_mqs(sizeof_priv, 1, 1)
static inline void *netdev_priv(const struct net_device *dev)
{
	return dev->priv;
}
void netif_wake_queue(struct net_device *dev);
void dev_kfree_skb_any(struct sk_buff *skb);
#endif
