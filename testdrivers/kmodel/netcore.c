/*
 * netcore.c - the kernel model's networking core: net_device lifetime, the TX path (a FIFO qdisc in
 * front of ndo_start_xmit), NAPI scheduling and polling in softirq context, the receive hand-off to the
 * harness, the TX watchdog, carrier state, address lists, RTNL, sk_buffs and Ethernet helpers.
 *
 * Locking and context follow the real core where drivers can observe it: ndo_start_xmit runs with bottom
 * halves disabled and the queue's _xmit_lock held; ndo_set_rx_mode runs under the address-list lock with
 * BHs off (so it must not sleep); NAPI polls and the watchdog's ndo_tx_timeout run in softirq context;
 * ndo_open/ndo_stop/ndo_change_mtu/ndo_set_mac_address run in process context (the harness holds RTNL).
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/skbuff.h>
#include <linux/rtnetlink.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/delay.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "km_internal.h"

struct km_netdev {
	struct net_device *dev;
	struct km_netdev *next;
	struct sk_buff_head qdisc;
	bool tx_wake_pending;
	struct timer_list watchdog;
	spinlock_t addr_list_lock;
	bool registered;
};

static struct km_netdev *netdevs;	/* registered, in registration order */
static LIST_HEAD(poll_list);		/* scheduled NAPI contexts */
static kc_km_rx_hook_fn rx_hook;
static void *rx_hook_arg;
static DEFINE_MUTEX(rtnl_mutex);
static u32 rand_state = 0x2545f491u;

static struct km_netdev *kn_of(const struct net_device *dev)
{
	return (struct km_netdev *)dev->__kc_priv;
}

void kc_km_net_set_rx_hook(kc_km_rx_hook_fn fn, void *arg)
{
	rx_hook = fn;
	rx_hook_arg = arg;
}

struct net_device *kc_km_netdev_at(unsigned int i)
{
	for (struct km_netdev *k = netdevs; k; k = k->next)
		if (i-- == 0)
			return k->dev;
	return NULL;
}

struct net_device *kc_km_netdev_by_name(const char *name)
{
	for (struct km_netdev *k = netdevs; k; k = k->next)
		if (!strcmp(k->dev->name, name))
			return k->dev;
	return NULL;
}

unsigned int kc_km_netdev_backlog(struct net_device *dev)
{
	return kn_of(dev)->qdisc.qlen;
}

/* ---- RTNL ---- */

void rtnl_lock(void)
{
	mutex_lock(&rtnl_mutex);
}

void rtnl_unlock(void)
{
	mutex_unlock(&rtnl_mutex);
}

int rtnl_is_locked(void)
{
	return mutex_is_locked(&rtnl_mutex);
}

void synchronize_rcu(void)
{
	km_can_sleep("synchronize_rcu");
}

void synchronize_net(void)
{
	km_can_sleep("synchronize_net");
}

/* ---- sk_buff ---- */

struct sk_buff *alloc_skb(unsigned int size, gfp_t priority)
{
	struct sk_buff *skb;
	unsigned char *data;

	if (gfpflags_allow_blocking(priority))
		km_can_sleep("alloc_skb");
	if (km_should_fail(KM_FAIL_SKB_ALLOC))
		return NULL;
	skb = km_alloc(sizeof(*skb), true, priority, "skb");
	if (!skb)
		return NULL;
	data = km_alloc(size, false, priority, "skb data");
	if (!data) {
		km_free(skb);
		return NULL;
	}
	skb->head = skb->data = data;
	skb->tail = 0;
	skb->end = size;
	skb->truesize = size + (unsigned int)sizeof(*skb);
	atomic_set(&skb->users, 1);
	km_skb_live++;
	return skb;
}

struct sk_buff *__netdev_alloc_skb(struct net_device *dev, unsigned int length, gfp_t gfp_mask)
{
	struct sk_buff *skb = alloc_skb(length + NET_SKB_PAD, gfp_mask);

	if (skb) {
		skb_reserve(skb, NET_SKB_PAD);
		skb->dev = dev;
	}
	return skb;
}

struct sk_buff *netdev_alloc_skb(struct net_device *dev, unsigned int length)
{
	return __netdev_alloc_skb(dev, length, GFP_ATOMIC);
}

struct sk_buff *netdev_alloc_skb_ip_align(struct net_device *dev, unsigned int length)
{
	struct sk_buff *skb = netdev_alloc_skb(dev, length + NET_IP_ALIGN);

	if (skb)
		skb_reserve(skb, NET_IP_ALIGN);
	return skb;
}

struct sk_buff *dev_alloc_skb(unsigned int length)
{
	return netdev_alloc_skb(NULL, length);
}

struct sk_buff *napi_alloc_skb(struct napi_struct *napi, unsigned int length)
{
	return netdev_alloc_skb_ip_align(napi->dev, length);
}

static void skb_release(struct sk_buff *skb)
{
	km_free(skb->head);
	km_free(skb);
	km_skb_live--;
}

void kfree_skb(struct sk_buff *skb)
{
	if (!skb)
		return;
	if (atomic_read(&skb->users) <= 0)
		km_fatal("BUG: kfree_skb of a freed sk_buff (%s)", km_ctx_name());
	if (atomic_dec_and_test(&skb->users))
		skb_release(skb);
}

void consume_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}

void dev_kfree_skb_any(struct sk_buff *skb)
{
	kfree_skb(skb);
}

void dev_kfree_skb_irq(struct sk_buff *skb)
{
	kfree_skb(skb);
}

void napi_consume_skb(struct sk_buff *skb, int budget)
{
	(void)budget;
	kfree_skb(skb);
}

struct sk_buff *skb_copy(const struct sk_buff *skb, gfp_t gfp_mask)
{
	struct sk_buff *n = alloc_skb(skb->end, gfp_mask);

	if (!n)
		return NULL;
	memcpy(n->head, skb->head, skb->end);
	n->data = n->head + (skb->data - skb->head);
	n->tail = skb->tail;
	n->len = skb->len;
	n->dev = skb->dev;
	n->protocol = skb->protocol;
	n->ip_summed = skb->ip_summed;
	n->mac_header = skb->mac_header;
	n->network_header = skb->network_header;
	n->transport_header = skb->transport_header;
	return n;
}

struct sk_buff *skb_clone(struct sk_buff *skb, gfp_t gfp_mask)
{
	return skb_copy(skb, gfp_mask);
}

void *skb_put(struct sk_buff *skb, unsigned int len)
{
	unsigned char *tmp = skb_tail_pointer(skb);

	if (skb->tail + len > skb->end)
		km_fatal("skbuff: skb_over_panic: put %u bytes, len %u, tailroom %d", len, skb->len,
			 skb_tailroom(skb));
	skb->tail += len;
	skb->len += len;
	return tmp;
}

void *skb_push(struct sk_buff *skb, unsigned int len)
{
	if (len > skb_headroom(skb))
		km_fatal("skbuff: skb_under_panic: push %u bytes, headroom %u", len, skb_headroom(skb));
	skb->data -= len;
	skb->len += len;
	return skb->data;
}

void *skb_pull(struct sk_buff *skb, unsigned int len)
{
	if (len > skb->len)
		return NULL;
	skb->len -= len;
	skb->data += len;
	return skb->data;
}

void skb_trim(struct sk_buff *skb, unsigned int len)
{
	if (skb->len > len) {
		skb->len = len;
		skb->tail = (unsigned int)(skb->data - skb->head) + len;
	}
}

/* Zero `pad` bytes after the data, growing the buffer if needed; frees the skb on failure (as Linux). */
int skb_pad(struct sk_buff *skb, int pad)
{
	if (pad <= 0)
		return 0;
	if (skb_tailroom(skb) < pad) {
		unsigned int head = skb_headroom(skb);
		unsigned int nsize = skb->end + (unsigned int)pad;
		unsigned char *nd = km_alloc(nsize, false, GFP_ATOMIC, "skb data");

		if (!nd) {
			kfree_skb(skb);
			return -ENOMEM;
		}
		memcpy(nd, skb->head, skb->end);
		km_free(skb->head);
		skb->head = nd;
		skb->data = nd + head;
		skb->end = nsize;
	}
	memset(skb_tail_pointer(skb), 0, (size_t)pad);
	return 0;
}

int skb_padto(struct sk_buff *skb, unsigned int len)
{
	if (skb->len >= len)
		return 0;
	return skb_pad(skb, (int)(len - skb->len));
}

int skb_put_padto(struct sk_buff *skb, unsigned int len)
{
	if (skb->len < len) {
		unsigned int pad = len - skb->len;

		if (skb_pad(skb, (int)pad))
			return -ENOMEM;
		skb_put(skb, pad);
	}
	return 0;
}

int skb_linearize(struct sk_buff *skb)
{
	(void)skb;
	return 0;
}

void skb_queue_head_init(struct sk_buff_head *list)
{
	list->next = list->prev = (struct sk_buff *)list;
	list->qlen = 0;
	__kc_spin_lock_init(&list->lock, "sk_buff_head.lock");
}

void skb_queue_tail(struct sk_buff_head *list, struct sk_buff *newsk)
{
	struct sk_buff *last = list->prev;

	newsk->next = (struct sk_buff *)list;
	newsk->prev = last;
	last->next = newsk;
	list->prev = newsk;
	list->qlen++;
}

void skb_queue_head(struct sk_buff_head *list, struct sk_buff *newsk)
{
	struct sk_buff *first = list->next;

	newsk->prev = (struct sk_buff *)list;
	newsk->next = first;
	first->prev = newsk;
	list->next = newsk;
	list->qlen++;
}

struct sk_buff *skb_dequeue(struct sk_buff_head *list)
{
	struct sk_buff *skb = list->next;

	if (skb == (struct sk_buff *)list)
		return NULL;
	list->next = skb->next;
	skb->next->prev = (struct sk_buff *)list;
	skb->next = skb->prev = NULL;
	list->qlen--;
	return skb;
}

void skb_queue_purge(struct sk_buff_head *list)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(list)) != NULL)
		kfree_skb(skb);
}

/* ---- Ethernet helpers ---- */

__be16 eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	const struct ethhdr *eth;

	skb->dev = dev;
	skb_reset_mac_header(skb);
	eth = (const struct ethhdr *)skb->data;
	skb_pull(skb, ETH_HLEN);
	if (is_multicast_ether_addr(eth->h_dest))
		skb->pkt_type = is_broadcast_ether_addr(eth->h_dest) ? PACKET_BROADCAST : PACKET_MULTICAST;
	else if (!ether_addr_equal(eth->h_dest, dev->dev_addr))
		skb->pkt_type = PACKET_OTHERHOST;
	else
		skb->pkt_type = PACKET_HOST;
	if (be16_to_cpu(eth->h_proto) >= ETH_P_802_3_MIN)
		return eth->h_proto;
	return cpu_to_be16(0x0001);
}

int eth_validate_addr(struct net_device *dev)
{
	return is_valid_ether_addr(dev->dev_addr) ? 0 : -EADDRNOTAVAIL;
}

int eth_mac_addr(struct net_device *dev, void *p)
{
	struct sockaddr *addr = p;

	if (!is_valid_ether_addr((const u8 *)addr->sa_data))
		return -EADDRNOTAVAIL;
	eth_hw_addr_set(dev, (const u8 *)addr->sa_data);
	return 0;
}

void eth_random_addr(u8 *addr)
{
	for (int i = 0; i < ETH_ALEN; i++) {
		rand_state = rand_state * 1103515245u + 12345u;
		addr[i] = (u8)(rand_state >> 16);
	}
	addr[0] &= 0xfe;
	addr[0] |= 0x02;
}

void ether_setup(struct net_device *dev)
{
	dev->type = 1;	/* ARPHRD_ETHER */
	dev->hard_header_len = ETH_HLEN;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_DATA_LEN;
	dev->addr_len = ETH_ALEN;
	dev->tx_queue_len = 1000;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	memset(dev->broadcast, 0xff, ETH_ALEN);
}

void dev_addr_set(struct net_device *dev, const u8 *addr)
{
	memcpy(dev->__kc_addr, addr, dev->addr_len ? dev->addr_len : ETH_ALEN);
}

void dev_addr_mod(struct net_device *dev, unsigned int offset, const void *addr, size_t len)
{
	memcpy(dev->__kc_addr + offset, addr, len);
}

/* ---- net_device lifetime ---- */

static void watchdog_fn(struct timer_list *t);

struct net_device *alloc_netdev_mqs(int sizeof_priv, const char *name, unsigned char name_assign_type,
				    void (*setup)(struct net_device *), unsigned int txqs, unsigned int rxqs)
{
	size_t size = ALIGN(sizeof(struct net_device), NETDEV_ALIGN) + (size_t)sizeof_priv;
	struct net_device *dev;
	struct km_netdev *k;

	(void)name_assign_type;
	(void)rxqs;
	if (txqs < 1)
		return NULL;
	dev = kzalloc(size, GFP_KERNEL);
	if (!dev)
		return NULL;
	dev->_tx = kcalloc(txqs, sizeof(*dev->_tx), GFP_KERNEL);
	k = calloc(1, sizeof(*k));
	if (!dev->_tx || !k) {
		kfree(dev->_tx);
		kfree(dev);
		free(k);
		return NULL;
	}
	dev->__kc_priv = k;
	k->dev = dev;
	skb_queue_head_init(&k->qdisc);
	__kc_spin_lock_init(&k->addr_list_lock, "dev->addr_list_lock");
	__kc_timer_setup(&k->watchdog, watchdog_fn, 0, "dev_watchdog");
	dev->num_tx_queues = dev->real_num_tx_queues = txqs;
	for (unsigned int i = 0; i < txqs; i++) {
		dev->_tx[i].dev = dev;
		__kc_spin_lock_init(&dev->_tx[i]._xmit_lock, "txq->_xmit_lock");
	}
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	INIT_LIST_HEAD(&dev->napi_list);
	INIT_LIST_HEAD(&dev->dev_list);
	INIT_LIST_HEAD(&dev->mc.list);
	INIT_LIST_HEAD(&dev->uc.list);
	dev->dev_addr = dev->__kc_addr;
	dev->reg_state = NETREG_UNINITIALIZED;
	set_bit(__LINK_STATE_PRESENT, &dev->state);
	setup(dev);
	return dev;
}

struct net_device *alloc_etherdev_mqs(int sizeof_priv, unsigned int txqs, unsigned int rxqs)
{
	return alloc_netdev_mqs(sizeof_priv, "eth%d", NET_NAME_ENUM, ether_setup, txqs, rxqs);
}

static void hw_addr_flush(struct netdev_hw_addr_list *l)
{
	struct netdev_hw_addr *ha, *n;

	list_for_each_entry_safe(ha, n, &l->list, list) {
		list_del(&ha->list);
		free(ha);
	}
	l->count = 0;
}

void free_netdev(struct net_device *dev)
{
	struct km_netdev *k;
	struct napi_struct *n, *tmp;

	if (!dev)
		return;
	k = kn_of(dev);
	if (dev->reg_state == NETREG_REGISTERED) {
		km_bug("BUG: free_netdev of %s which is still registered", dev->name);
		return;
	}
	list_for_each_entry_safe(n, tmp, &dev->napi_list, dev_list)
		netif_napi_del(n);
	hw_addr_flush(&dev->mc);
	hw_addr_flush(&dev->uc);
	del_timer(&k->watchdog);
	skb_queue_purge(&k->qdisc);
	free(k);
	kfree(dev->_tx);
	kfree(dev);
}

int register_netdevice(struct net_device *dev)
{
	struct km_netdev *k = kn_of(dev);
	struct km_netdev **pp;

	if (km_should_fail(KM_FAIL_REGISTER_NETDEV))
		return -ENOMEM;
	if (dev->reg_state != NETREG_UNINITIALIZED) {
		km_bug("BUG: register_netdevice of %s twice", dev->name);
		return -EEXIST;
	}
	if (strchr(dev->name, '%')) {
		char fmt[IFNAMSIZ];

		snprintf(fmt, sizeof(fmt), "%s", dev->name);
		for (int i = 0; i < 100; i++) {
			snprintf(dev->name, sizeof(dev->name), fmt, i);
			if (!kc_km_netdev_by_name(dev->name))
				break;
		}
	}
	if (dev->netdev_ops && dev->netdev_ops->ndo_init) {
		int rc = dev->netdev_ops->ndo_init(dev);

		if (rc)
			return rc;
	}
	if (dev->watchdog_timeo <= 0)
		dev->watchdog_timeo = 5 * HZ;
	if (!dev->dev_addr || !dev->addr_len)
		dev->addr_len = ETH_ALEN;
	memcpy(dev->perm_addr, dev->dev_addr, dev->addr_len);
	dev->wanted_features = dev->features;
	dev->reg_state = NETREG_REGISTERED;
	k->registered = true;
	for (pp = &netdevs; *pp; pp = &(*pp)->next)
		;
	*pp = k;
	k->next = NULL;
	return 0;
}

int register_netdev(struct net_device *dev)
{
	int rc;

	rtnl_lock();
	rc = register_netdevice(dev);
	rtnl_unlock();
	return rc;
}

void unregister_netdevice(struct net_device *dev)
{
	struct km_netdev *k = kn_of(dev);

	if (dev->reg_state != NETREG_REGISTERED) {
		km_bug("BUG: unregister_netdevice of %s which is not registered", dev->name);
		return;
	}
	dev->reg_state = NETREG_UNREGISTERING;
	if (netif_running(dev))
		dev_close(dev);
	if (dev->netdev_ops && dev->netdev_ops->ndo_uninit)
		dev->netdev_ops->ndo_uninit(dev);
	for (struct km_netdev **pp = &netdevs; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	k->registered = false;
	hw_addr_flush(&dev->mc);
	hw_addr_flush(&dev->uc);
	dev->reg_state = NETREG_UNREGISTERED;
}

void unregister_netdev(struct net_device *dev)
{
	rtnl_lock();
	unregister_netdevice(dev);
	rtnl_unlock();
}

/* Call ndo_set_rx_mode as __dev_set_rx_mode does: address-list lock held, bottom halves off. */
static void dev_set_rx_mode(struct net_device *dev)
{
	struct km_netdev *k = kn_of(dev);

	if (!netif_running(dev) || !dev->netdev_ops->ndo_set_rx_mode)
		return;
	spin_lock_bh(&k->addr_list_lock);
	dev->netdev_ops->ndo_set_rx_mode(dev);
	spin_unlock_bh(&k->addr_list_lock);
}

static void watchdog_arm(struct net_device *dev)
{
	struct km_netdev *k = kn_of(dev);

	if (dev->netdev_ops && dev->netdev_ops->ndo_tx_timeout && netif_running(dev) && netif_carrier_ok(dev))
		mod_timer(&k->watchdog, jiffies + (unsigned long)dev->watchdog_timeo);
}

static void watchdog_fn(struct timer_list *t)
{
	struct km_netdev *k = from_timer(k, t, watchdog);
	struct net_device *dev = k->dev;

	if (!netif_running(dev) || !netif_carrier_ok(dev) || !netif_device_present(dev))
		return;
	for (unsigned int i = 0; i < dev->num_tx_queues; i++) {
		struct netdev_queue *txq = &dev->_tx[i];

		if (netif_xmit_stopped(txq) &&
		    time_after(jiffies, txq->trans_start + (unsigned long)dev->watchdog_timeo)) {
			netdev_printk(KERN_CRIT, dev, "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out %u ms\n",
				      dev->name, dev_driver_string(dev->dev.parent ? dev->dev.parent : &dev->dev),
				      i, jiffies_to_msecs(jiffies - txq->trans_start));
			spin_lock(&txq->_xmit_lock);
			dev->netdev_ops->ndo_tx_timeout(dev, i);
			spin_unlock(&txq->_xmit_lock);
			txq->trans_start = jiffies;
			break;
		}
	}
	watchdog_arm(dev);
}

int dev_open(struct net_device *dev, struct netlink_ext_ack *extack)
{
	const struct net_device_ops *ops = dev->netdev_ops;
	int rc = 0;

	(void)extack;
	if (netif_running(dev))
		return 0;
	if (!netif_device_present(dev))
		return -ENODEV;
	if (ops->ndo_validate_addr)
		rc = ops->ndo_validate_addr(dev);
	if (!rc && ops->ndo_open)
		rc = ops->ndo_open(dev);
	if (rc)
		return rc;
	set_bit(__LINK_STATE_START, &dev->state);
	dev->flags |= IFF_UP;
	dev_set_rx_mode(dev);
	for (unsigned int i = 0; i < dev->num_tx_queues; i++)
		dev->_tx[i].trans_start = jiffies;
	watchdog_arm(dev);
	return 0;
}

void dev_close(struct net_device *dev)
{
	struct km_netdev *k = kn_of(dev);

	if (!netif_running(dev))
		return;
	clear_bit(__LINK_STATE_START, &dev->state);
	del_timer_sync(&k->watchdog);
	if (dev->netdev_ops->ndo_stop)
		dev->netdev_ops->ndo_stop(dev);
	dev->flags &= ~IFF_UP;
	skb_queue_purge(&k->qdisc);
	k->tx_wake_pending = false;
}

int dev_set_mtu(struct net_device *dev, int new_mtu)
{
	if (new_mtu == (int)dev->mtu)
		return 0;
	if (new_mtu < (int)dev->min_mtu || (dev->max_mtu && new_mtu > (int)dev->max_mtu))
		return -EINVAL;
	if (!netif_device_present(dev))
		return -ENODEV;
	if (dev->netdev_ops->ndo_change_mtu)
		return dev->netdev_ops->ndo_change_mtu(dev, new_mtu);
	dev->mtu = (unsigned int)new_mtu;
	return 0;
}

int dev_set_mac_address(struct net_device *dev, void *sa, struct netlink_ext_ack *extack)
{
	(void)extack;
	if (!dev->netdev_ops->ndo_set_mac_address)
		return -EOPNOTSUPP;
	if (!netif_device_present(dev))
		return -ENODEV;
	return dev->netdev_ops->ndo_set_mac_address(dev, sa);
}

static int hw_addr_add(struct net_device *dev, struct netdev_hw_addr_list *l, const unsigned char *addr)
{
	struct netdev_hw_addr *ha;

	list_for_each_entry(ha, &l->list, list)
		if (!memcmp(ha->addr, addr, dev->addr_len)) {
			ha->refcount++;
			return 0;
		}
	ha = calloc(1, sizeof(*ha));
	if (!ha)
		return -ENOMEM;
	memcpy(ha->addr, addr, dev->addr_len);
	ha->refcount = 1;
	list_add_tail(&ha->list, &l->list);
	l->count++;
	dev_set_rx_mode(dev);
	return 0;
}

static int hw_addr_del(struct net_device *dev, struct netdev_hw_addr_list *l, const unsigned char *addr)
{
	struct netdev_hw_addr *ha;

	list_for_each_entry(ha, &l->list, list)
		if (!memcmp(ha->addr, addr, dev->addr_len)) {
			if (--ha->refcount == 0) {
				list_del(&ha->list);
				free(ha);
				l->count--;
				dev_set_rx_mode(dev);
			}
			return 0;
		}
	return -ENOENT;
}

int dev_mc_add(struct net_device *dev, const unsigned char *addr)
{
	return hw_addr_add(dev, &dev->mc, addr);
}

int dev_mc_del(struct net_device *dev, const unsigned char *addr)
{
	return hw_addr_del(dev, &dev->mc, addr);
}

int dev_uc_add(struct net_device *dev, const unsigned char *addr)
{
	return hw_addr_add(dev, &dev->uc, addr);
}

int dev_set_promiscuity(struct net_device *dev, int inc)
{
	if (inc > 0)
		dev->flags |= IFF_PROMISC;
	else
		dev->flags &= ~IFF_PROMISC;
	dev_set_rx_mode(dev);
	return 0;
}

int dev_set_allmulti(struct net_device *dev, int inc)
{
	if (inc > 0)
		dev->flags |= IFF_ALLMULTI;
	else
		dev->flags &= ~IFF_ALLMULTI;
	dev_set_rx_mode(dev);
	return 0;
}

void dev_get_stats(struct net_device *dev, struct rtnl_link_stats64 *storage)
{
	const struct net_device_ops *ops = dev->netdev_ops;

	memset(storage, 0, sizeof(*storage));
	if (ops->ndo_get_stats64) {
		ops->ndo_get_stats64(dev, storage);
	} else {
		const struct net_device_stats *s = ops->ndo_get_stats ? ops->ndo_get_stats(dev) : &dev->stats;

		storage->rx_packets = s->rx_packets;
		storage->tx_packets = s->tx_packets;
		storage->rx_bytes = s->rx_bytes;
		storage->tx_bytes = s->tx_bytes;
		storage->rx_errors = s->rx_errors;
		storage->tx_errors = s->tx_errors;
		storage->rx_dropped = s->rx_dropped;
		storage->tx_dropped = s->tx_dropped;
		storage->multicast = s->multicast;
	}
	storage->rx_dropped += (u64)atomic64_read(&dev->rx_dropped);
	storage->tx_dropped += (u64)atomic64_read(&dev->tx_dropped);
}

void netdev_update_features(struct net_device *dev)
{
	netdev_features_t f = dev->wanted_features;

	if (dev->netdev_ops->ndo_fix_features)
		f = dev->netdev_ops->ndo_fix_features(dev, f);
	if (f == dev->features)
		return;
	if (dev->netdev_ops->ndo_set_features && dev->netdev_ops->ndo_set_features(dev, f) < 0)
		return;
	dev->features = f;
}

/* ---- TX path ---- */

/* Feed queued frames to the driver while its queue is running. Bottom halves must be off. */
static void qdisc_run(struct net_device *dev)
{
	struct km_netdev *k = kn_of(dev);
	struct netdev_queue *txq = &dev->_tx[0];
	struct sk_buff *skb;

	while (!netif_xmit_stopped(txq) && netif_running(dev) && (skb = skb_dequeue(&k->qdisc)) != NULL) {
		netdev_tx_t rc;

		spin_lock(&txq->_xmit_lock);
		rc = dev->netdev_ops->ndo_start_xmit(skb, dev);
		spin_unlock(&txq->_xmit_lock);
		if (rc == NETDEV_TX_BUSY) {
			skb_queue_head(&k->qdisc, skb);
			if (!netif_xmit_stopped(txq))
				km_log(LOGLEVEL_WARNING, "%s: driver returned NETDEV_TX_BUSY with its queue awake",
				       dev->name);
			break;
		}
		if (rc != NETDEV_TX_OK)
			km_bug("BUG: %s: ndo_start_xmit returned %d", dev->name, (int)rc);
	}
}

int dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct km_netdev *k;
	int rc = NET_XMIT_SUCCESS;

	if (!dev) {
		kfree_skb(skb);
		return -EINVAL;
	}
	k = kn_of(dev);
	local_bh_disable();
	if (!netif_running(dev) || !netif_device_present(dev)) {
		kfree_skb(skb);
		rc = -ENETDOWN;
	} else if (k->qdisc.qlen >= (dev->tx_queue_len ? dev->tx_queue_len : 1000)) {
		kfree_skb(skb);
		atomic64_inc(&dev->tx_dropped);
		rc = NET_XMIT_DROP;
	} else {
		skb_queue_tail(&k->qdisc, skb);
		qdisc_run(dev);
	}
	local_bh_enable();
	return rc;
}

void netif_tx_start_queue(struct netdev_queue *dev_queue)
{
	clear_bit(__QUEUE_STATE_DRV_XOFF, &dev_queue->state);
}

void netif_tx_stop_queue(struct netdev_queue *dev_queue)
{
	set_bit(__QUEUE_STATE_DRV_XOFF, &dev_queue->state);
}

void netif_tx_wake_queue(struct netdev_queue *dev_queue)
{
	if (test_and_clear_bit(__QUEUE_STATE_DRV_XOFF, &dev_queue->state))
		kn_of(dev_queue->dev)->tx_wake_pending = true;
}

void netif_tx_lock(struct net_device *dev)
{
	spin_lock(&dev->_tx[0]._xmit_lock);
}

void netif_tx_unlock(struct net_device *dev)
{
	spin_unlock(&dev->_tx[0]._xmit_lock);
}

void netif_tx_lock_bh(struct net_device *dev)
{
	spin_lock_bh(&dev->_tx[0]._xmit_lock);
}

void netif_tx_unlock_bh(struct net_device *dev)
{
	spin_unlock_bh(&dev->_tx[0]._xmit_lock);
}

void netdev_tx_sent_queue(struct netdev_queue *q, unsigned int bytes)
{
	q->bql_inflight += bytes;
}

void netdev_tx_completed_queue(struct netdev_queue *q, unsigned int pkts, unsigned int bytes)
{
	(void)pkts;
	if (bytes > q->bql_inflight) {
		km_bug("BUG: %s: BQL: completed %u bytes but only %u in flight", q->dev->name, bytes,
		       q->bql_inflight);
		q->bql_inflight = 0;
		return;
	}
	q->bql_inflight -= bytes;
}

void netdev_tx_reset_queue(struct netdev_queue *q)
{
	q->bql_inflight = 0;
}

void netif_carrier_on(struct net_device *dev)
{
	if (test_and_clear_bit(__LINK_STATE_NOCARRIER, &dev->state))
		watchdog_arm(dev);
}

void netif_carrier_off(struct net_device *dev)
{
	set_bit(__LINK_STATE_NOCARRIER, &dev->state);
}

void netif_device_detach(struct net_device *dev)
{
	if (test_and_clear_bit(__LINK_STATE_PRESENT, &dev->state) && netif_running(dev))
		netif_tx_stop_queue(&dev->_tx[0]);
}

void netif_device_attach(struct net_device *dev)
{
	if (!test_and_set_bit(__LINK_STATE_PRESENT, &dev->state) && netif_running(dev)) {
		netif_tx_wake_queue(&dev->_tx[0]);
		watchdog_arm(dev);
	}
}

/* ---- NAPI ---- */

void netif_napi_add_weight(struct net_device *dev, struct napi_struct *napi,
			   int (*poll)(struct napi_struct *, int), int weight)
{
	INIT_LIST_HEAD(&napi->poll_list);
	napi->state = 0;
	set_bit(NAPI_STATE_SCHED, &napi->state);	/* disabled until napi_enable() */
	set_bit(NAPI_STATE_LISTED, &napi->state);
	napi->weight = weight;
	napi->poll = poll;
	napi->dev = dev;
	list_add_tail(&napi->dev_list, &dev->napi_list);
}

void netif_napi_del(struct napi_struct *napi)
{
	if (!test_and_clear_bit(NAPI_STATE_LISTED, &napi->state))
		return;
	if (!list_empty(&napi->poll_list))
		list_del_init(&napi->poll_list);
	list_del_init(&napi->dev_list);
}

void napi_enable(struct napi_struct *n)
{
	clear_bit(NAPI_STATE_SCHED, &n->state);
	clear_bit(NAPI_STATE_NPSVC, &n->state);
}

void napi_disable(struct napi_struct *n)
{
	might_sleep();
	set_bit(NAPI_STATE_DISABLE, &n->state);
	while (test_and_set_bit(NAPI_STATE_SCHED, &n->state))
		msleep(1);
	set_bit(NAPI_STATE_NPSVC, &n->state);
	clear_bit(NAPI_STATE_DISABLE, &n->state);
}

bool napi_schedule_prep(struct napi_struct *n)
{
	if (test_bit(NAPI_STATE_DISABLE, &n->state))
		return false;
	if (test_and_set_bit(NAPI_STATE_SCHED, &n->state)) {
		set_bit(NAPI_STATE_MISSED, &n->state);
		return false;
	}
	return true;
}

void __napi_schedule(struct napi_struct *n)
{
	if (list_empty(&n->poll_list))
		list_add_tail(&n->poll_list, &poll_list);
	km_raise_softirq();
}

void __napi_schedule_irqoff(struct napi_struct *n)
{
	__napi_schedule(n);
}

bool napi_complete_done(struct napi_struct *n, int work_done)
{
	(void)work_done;
	if (test_and_clear_bit(NAPI_STATE_MISSED, &n->state)) {
		if (list_empty(&n->poll_list))
			list_add_tail(&n->poll_list, &poll_list);
		return false;
	}
	if (!list_empty(&n->poll_list))
		list_del_init(&n->poll_list);
	clear_bit(NAPI_STATE_SCHED, &n->state);
	return true;
}

void napi_synchronize(const struct napi_struct *n)
{
	(void)n;
	km_can_sleep("napi_synchronize");
}

static void deliver(struct sk_buff *skb, const char *fn)
{
	struct km_task *me = km_current();
	const unsigned char *frame;
	size_t len;

	if (me->hardirq)
		km_bug("BUG: %s() called from hardirq context (use netif_rx or NAPI)", fn);
	frame = skb->mac_header ? skb_mac_header(skb) : skb->data;
	len = skb->len + (size_t)(skb->data - frame);
	if (rx_hook)
		rx_hook(rx_hook_arg, skb->dev, frame, len);
	consume_skb(skb);
}

gro_result_t napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb)
{
	(void)napi;
	deliver(skb, "napi_gro_receive");
	return GRO_NORMAL;
}

int netif_receive_skb(struct sk_buff *skb)
{
	deliver(skb, "netif_receive_skb");
	return NET_RX_SUCCESS;
}

int netif_rx(struct sk_buff *skb)
{
	struct km_task *me = km_current();
	int hard = me->hardirq;

	me->hardirq = 0;	/* netif_rx is the hardirq-safe entry: the backlog is processed at once */
	deliver(skb, "netif_rx");
	me->hardirq = hard;
	return NET_RX_SUCCESS;
}

bool km_net_pending(void)
{
	if (!list_empty(&poll_list))
		return true;
	for (struct km_netdev *k = netdevs; k; k = k->next)
		if (k->tx_wake_pending)
			return true;
	return false;
}

/* Softirq work: one pass over scheduled NAPI contexts and woken TX queues. True if any ran. */
bool km_net_softirq(void)
{
	struct km_task *me = km_self;
	bool ran = false;
	LIST_HEAD(work);

	list_splice_init(&poll_list, &work);
	while (!list_empty(&work)) {
		struct napi_struct *n = list_first_entry(&work, struct napi_struct, poll_list);
		int preempt = me->preempt, bh = me->bh_disabled, ioff = me->irqs_off;
		int done;

		list_del_init(&n->poll_list);
		done = n->poll(n, n->weight);
		km_check_balanced(me, "NAPI poll", preempt, bh, ioff);
		if (done > n->weight)
			km_bug("BUG: %s: NAPI poll returned %d, more than its budget %d",
			       n->dev ? n->dev->name : "?", done, n->weight);
		if (done >= n->weight && test_bit(NAPI_STATE_SCHED, &n->state) && list_empty(&n->poll_list))
			list_add_tail(&n->poll_list, &poll_list);	/* budget used up: poll again */
		ran = true;
	}
	for (struct km_netdev *k = netdevs; k; k = k->next)
		if (k->tx_wake_pending) {
			k->tx_wake_pending = false;
			qdisc_run(k->dev);
			ran = true;
		}
	return ran;
}

/* ---- ethtool helpers ---- */

u32 ethtool_op_get_link(struct net_device *dev)
{
	return netif_carrier_ok(dev) ? 1 : 0;
}

void ethtool_convert_legacy_u32_to_link_mode(unsigned long *dst, u32 legacy_u32)
{
	bitmap_zero(dst, __ETHTOOL_LINK_MODE_MASK_NBITS);
	dst[0] = legacy_u32;
}

bool ethtool_convert_link_mode_to_legacy_u32(u32 *legacy_u32, const unsigned long *src)
{
	*legacy_u32 = (u32)src[0];
	return (src[0] >> 32) == 0;
}
