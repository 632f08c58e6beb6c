/*
 * linux/netdevice.h - kernel model: struct net_device, net_device_ops, NAPI, TX queue control, carrier.
 *
 * Follows Linux 6.1: netif_napi_add() takes (dev, napi, poll) and uses NAPI_POLL_WEIGHT; the four-argument
 * form is netif_napi_add_weight(). dev_addr is const; change it with eth_hw_addr_set()/dev_addr_set().
 *
 * Model behaviour: dev_queue_xmit() calls ndo_start_xmit with bottom halves disabled and the TX queue lock
 * held (as the core does); while the queue is stopped frames wait in a FIFO (the "qdisc", txqueuelen deep)
 * and netif_wake_queue() resumes it from softirq. NAPI polls run in softirq context with a budget of 64 per
 * poll. The TX watchdog calls ndo_tx_timeout() when the queue stays stopped past watchdog_timeo. Frames the
 * driver passes up (netif_receive_skb/napi_gro_receive/netif_rx) go to the harness's receive hook.
 */
#ifndef _KC_LINUX_NETDEVICE_H
#define _KC_LINUX_NETDEVICE_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/device.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/interrupt.h>
#include <linux/workqueue.h>
#include <linux/bitops.h>
#include <linux/socket.h>
#include <linux/jiffies.h>

#define IFNAMSIZ 16
#define MAX_ADDR_LEN 32
#define NAPI_POLL_WEIGHT 64
#define NETDEV_ALIGN 32

#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_DEBUG 0x4
#define IFF_LOOPBACK 0x8
#define IFF_NOARP 0x80
#define IFF_PROMISC 0x100
#define IFF_ALLMULTI 0x200
#define IFF_MULTICAST 0x1000
#define IFF_UNICAST_FLT (1ULL << 5)	/* priv_flags */

typedef u64 netdev_features_t;
#define NETIF_F_SG (1ULL << 0)
#define NETIF_F_IP_CSUM (1ULL << 1)
#define NETIF_F_HW_CSUM (1ULL << 3)
#define NETIF_F_HIGHDMA (1ULL << 5)
#define NETIF_F_HW_VLAN_CTAG_TX (1ULL << 7)
#define NETIF_F_HW_VLAN_CTAG_RX (1ULL << 8)
#define NETIF_F_HW_VLAN_CTAG_FILTER (1ULL << 9)
#define NETIF_F_TSO (1ULL << 16)
#define NETIF_F_RXCSUM (1ULL << 32)
#define NETIF_F_RXFCS (1ULL << 40)
#define NETIF_F_RXALL (1ULL << 41)
#define NETIF_F_LOOPBACK (1ULL << 31)

#define NET_XMIT_SUCCESS 0x00
#define NET_XMIT_DROP 0x01
#define NET_XMIT_CN 0x02

enum netdev_tx {
	NETDEV_TX_OK = 0x00,
	NETDEV_TX_BUSY = 0x10,
};
typedef enum netdev_tx netdev_tx_t;

struct rtnl_link_stats64 {
	u64 rx_packets;
	u64 tx_packets;
	u64 rx_bytes;
	u64 tx_bytes;
	u64 rx_errors;
	u64 tx_errors;
	u64 rx_dropped;
	u64 tx_dropped;
	u64 multicast;
	u64 collisions;
	u64 rx_length_errors;
	u64 rx_over_errors;
	u64 rx_crc_errors;
	u64 rx_frame_errors;
	u64 rx_fifo_errors;
	u64 rx_missed_errors;
	u64 tx_aborted_errors;
	u64 tx_carrier_errors;
	u64 tx_fifo_errors;
	u64 tx_heartbeat_errors;
	u64 tx_window_errors;
	u64 rx_compressed;
	u64 tx_compressed;
	u64 rx_nohandler;
};

struct net_device_stats {
	unsigned long rx_packets;
	unsigned long tx_packets;
	unsigned long rx_bytes;
	unsigned long tx_bytes;
	unsigned long rx_errors;
	unsigned long tx_errors;
	unsigned long rx_dropped;
	unsigned long tx_dropped;
	unsigned long multicast;
	unsigned long collisions;
	unsigned long rx_length_errors;
	unsigned long rx_over_errors;
	unsigned long rx_crc_errors;
	unsigned long rx_frame_errors;
	unsigned long rx_fifo_errors;
	unsigned long rx_missed_errors;
	unsigned long tx_aborted_errors;
	unsigned long tx_carrier_errors;
	unsigned long tx_fifo_errors;
	unsigned long tx_heartbeat_errors;
	unsigned long tx_window_errors;
};

struct netdev_hw_addr {
	struct list_head list;
	unsigned char addr[MAX_ADDR_LEN];
	unsigned char type;
	int refcount;
};

struct netdev_hw_addr_list {
	struct list_head list;
	int count;
};

#define netdev_hw_addr_list_count(l) ((l)->count)
#define netdev_hw_addr_list_empty(l) (netdev_hw_addr_list_count(l) == 0)
#define netdev_hw_addr_list_for_each(ha, l) list_for_each_entry(ha, &(l)->list, list)
#define netdev_mc_count(dev) netdev_hw_addr_list_count(&(dev)->mc)
#define netdev_mc_empty(dev) netdev_hw_addr_list_empty(&(dev)->mc)
#define netdev_for_each_mc_addr(ha, dev) netdev_hw_addr_list_for_each(ha, &(dev)->mc)
#define netdev_uc_count(dev) netdev_hw_addr_list_count(&(dev)->uc)
#define netdev_for_each_uc_addr(ha, dev) netdev_hw_addr_list_for_each(ha, &(dev)->uc)

struct net_device;

/* State bits of struct napi_struct (NAPI_STATE_SCHED: scheduled or polling). */
enum {
	NAPI_STATE_SCHED,
	NAPI_STATE_MISSED,
	NAPI_STATE_DISABLE,
	NAPI_STATE_NPSVC,
	NAPI_STATE_LISTED,
};

struct napi_struct {
	struct list_head poll_list;	/* on the softirq's poll list while scheduled */
	unsigned long state;
	int weight;
	int (*poll)(struct napi_struct *, int);
	struct net_device *dev;
	struct list_head dev_list;
};

enum netdev_queue_state_t {
	__QUEUE_STATE_DRV_XOFF,
	__QUEUE_STATE_STACK_XOFF,
	__QUEUE_STATE_FROZEN,
};

struct netdev_queue {
	struct net_device *dev;
	unsigned long state;
	spinlock_t _xmit_lock;
	unsigned long trans_start;
	unsigned long trans_timeout;
	unsigned int bql_inflight;	/* bytes sent - completed (BQL accounting) */
};

struct ifreq;
struct ethtool_ops;

struct net_device_ops {
	int (*ndo_init)(struct net_device *dev);
	void (*ndo_uninit)(struct net_device *dev);
	int (*ndo_open)(struct net_device *dev);
	int (*ndo_stop)(struct net_device *dev);
	netdev_tx_t (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev);
	netdev_features_t (*ndo_features_check)(struct sk_buff *skb, struct net_device *dev,
						netdev_features_t features);
	void (*ndo_change_rx_flags)(struct net_device *dev, int flags);
	void (*ndo_set_rx_mode)(struct net_device *dev);
	int (*ndo_set_mac_address)(struct net_device *dev, void *addr);
	int (*ndo_validate_addr)(struct net_device *dev);
	int (*ndo_eth_ioctl)(struct net_device *dev, struct ifreq *ifr, int cmd);
	int (*ndo_change_mtu)(struct net_device *dev, int new_mtu);
	void (*ndo_tx_timeout)(struct net_device *dev, unsigned int txqueue);
	void (*ndo_get_stats64)(struct net_device *dev, struct rtnl_link_stats64 *storage);
	struct net_device_stats *(*ndo_get_stats)(struct net_device *dev);
	int (*ndo_vlan_rx_add_vid)(struct net_device *dev, __be16 proto, u16 vid);
	int (*ndo_vlan_rx_kill_vid)(struct net_device *dev, __be16 proto, u16 vid);
	void (*ndo_poll_controller)(struct net_device *dev);
	netdev_features_t (*ndo_fix_features)(struct net_device *dev, netdev_features_t features);
	int (*ndo_set_features)(struct net_device *dev, netdev_features_t features);
};

enum netdev_reg_state {
	NETREG_UNINITIALIZED = 0,
	NETREG_REGISTERED,
	NETREG_UNREGISTERING,
	NETREG_UNREGISTERED,
};

struct net_device {
	char name[IFNAMSIZ];
	unsigned long mem_end;
	unsigned long mem_start;
	unsigned long base_addr;
	unsigned long state;
	struct list_head dev_list;
	struct list_head napi_list;
	netdev_features_t features;
	netdev_features_t hw_features;
	netdev_features_t wanted_features;
	netdev_features_t vlan_features;
	const struct net_device_ops *netdev_ops;
	const struct ethtool_ops *ethtool_ops;
	unsigned int flags;
	unsigned long long priv_flags;
	unsigned int mtu;
	unsigned int min_mtu;
	unsigned int max_mtu;
	unsigned short type;
	unsigned short hard_header_len;
	unsigned short needed_headroom;
	unsigned char addr_len;
	unsigned char perm_addr[MAX_ADDR_LEN];
	unsigned char broadcast[MAX_ADDR_LEN];
	const unsigned char *dev_addr;
	struct netdev_hw_addr_list uc;
	struct netdev_hw_addr_list mc;
	struct netdev_queue *_tx;
	unsigned int num_tx_queues;
	unsigned int real_num_tx_queues;
	unsigned int tx_queue_len;
	int watchdog_timeo;
	int irq;
	struct net_device_stats stats;
	atomic_long_t rx_dropped;
	atomic_long_t tx_dropped;
	enum netdev_reg_state reg_state;
	struct device dev;
	void *__kc_priv;	/* the model's per-netdev record */
	unsigned char __kc_addr[MAX_ADDR_LEN];
};

#define SET_NETDEV_DEV(net, pdev) ((net)->dev.parent = (pdev))

/* __LINK_STATE_* bits of net_device.state */
enum netdev_state_t {
	__LINK_STATE_START,
	__LINK_STATE_PRESENT,
	__LINK_STATE_NOCARRIER,
	__LINK_STATE_LINKWATCH_PENDING,
	__LINK_STATE_DORMANT,
};

static inline void *netdev_priv(const struct net_device *dev)
{
	return (char *)dev + ALIGN(sizeof(struct net_device), NETDEV_ALIGN);
}

struct net_device *alloc_netdev_mqs(int sizeof_priv, const char *name, unsigned char name_assign_type,
				    void (*setup)(struct net_device *), unsigned int txqs, unsigned int rxqs);
#define NET_NAME_UNKNOWN 0
#define NET_NAME_ENUM 1
#define alloc_netdev(sizeof_priv, name, name_assign_type, setup) \
	alloc_netdev_mqs(sizeof_priv, name, name_assign_type, setup, 1, 1)
void free_netdev(struct net_device *dev);
int register_netdev(struct net_device *dev);
void unregister_netdev(struct net_device *dev);
int register_netdevice(struct net_device *dev);
void unregister_netdevice(struct net_device *dev);
int dev_open(struct net_device *dev, struct netlink_ext_ack *extack);
void dev_close(struct net_device *dev);
int dev_set_mtu(struct net_device *dev, int new_mtu);
int dev_set_mac_address(struct net_device *dev, void *sa, struct netlink_ext_ack *extack);
int dev_mc_add(struct net_device *dev, const unsigned char *addr);
int dev_mc_del(struct net_device *dev, const unsigned char *addr);
int dev_uc_add(struct net_device *dev, const unsigned char *addr);
int dev_set_promiscuity(struct net_device *dev, int inc);
int dev_set_allmulti(struct net_device *dev, int inc);
int dev_queue_xmit(struct sk_buff *skb);
void dev_addr_set(struct net_device *dev, const u8 *addr);
void dev_addr_mod(struct net_device *dev, unsigned int offset, const void *addr, size_t len);
void netdev_update_features(struct net_device *dev);
void dev_get_stats(struct net_device *dev, struct rtnl_link_stats64 *storage);

static inline bool netif_running(const struct net_device *dev)
{
	return test_bit(__LINK_STATE_START, &dev->state);
}

static inline struct netdev_queue *netdev_get_tx_queue(const struct net_device *dev, unsigned int index)
{
	return &dev->_tx[index];
}

void netif_tx_start_queue(struct netdev_queue *dev_queue);
void netif_tx_stop_queue(struct netdev_queue *dev_queue);
void netif_tx_wake_queue(struct netdev_queue *dev_queue);
static inline bool netif_tx_queue_stopped(const struct netdev_queue *dev_queue)
{
	return test_bit(__QUEUE_STATE_DRV_XOFF, &dev_queue->state);
}
static inline void netif_start_queue(struct net_device *dev)
{
	netif_tx_start_queue(netdev_get_tx_queue(dev, 0));
}
static inline void netif_stop_queue(struct net_device *dev)
{
	netif_tx_stop_queue(netdev_get_tx_queue(dev, 0));
}
static inline void netif_wake_queue(struct net_device *dev)
{
	netif_tx_wake_queue(netdev_get_tx_queue(dev, 0));
}
static inline bool netif_queue_stopped(const struct net_device *dev)
{
	return netif_tx_queue_stopped(netdev_get_tx_queue(dev, 0));
}
static inline bool netif_xmit_stopped(const struct netdev_queue *dev_queue)
{
	return netif_tx_queue_stopped(dev_queue);
}
/* The model never batches transmits. */
static inline bool netdev_xmit_more(void)
{
	return false;
}
#define netif_tx_start_all_queues(dev) netif_start_queue(dev)
#define netif_tx_stop_all_queues(dev) netif_stop_queue(dev)
#define netif_tx_wake_all_queues(dev) netif_wake_queue(dev)
#define netif_tx_disable(dev) netif_stop_queue(dev)
void netif_tx_lock(struct net_device *dev);
void netif_tx_unlock(struct net_device *dev);
void netif_tx_lock_bh(struct net_device *dev);
void netif_tx_unlock_bh(struct net_device *dev);
static inline void netif_trans_update(struct net_device *dev)
{
	netdev_get_tx_queue(dev, 0)->trans_start = jiffies;
}

void netdev_tx_sent_queue(struct netdev_queue *dev_queue, unsigned int bytes);
void netdev_tx_completed_queue(struct netdev_queue *dev_queue, unsigned int pkts, unsigned int bytes);
void netdev_tx_reset_queue(struct netdev_queue *q);
#define netdev_sent_queue(dev, bytes) netdev_tx_sent_queue(netdev_get_tx_queue(dev, 0), bytes)
#define netdev_completed_queue(dev, pkts, bytes) \
	netdev_tx_completed_queue(netdev_get_tx_queue(dev, 0), pkts, bytes)
#define netdev_reset_queue(dev) netdev_tx_reset_queue(netdev_get_tx_queue(dev, 0))

void netif_carrier_on(struct net_device *dev);
void netif_carrier_off(struct net_device *dev);
static inline bool netif_carrier_ok(const struct net_device *dev)
{
	return !test_bit(__LINK_STATE_NOCARRIER, &dev->state);
}
void netif_device_detach(struct net_device *dev);
void netif_device_attach(struct net_device *dev);
static inline bool netif_device_present(const struct net_device *dev)
{
	return test_bit(__LINK_STATE_PRESENT, &dev->state);
}

void netif_napi_add_weight(struct net_device *dev, struct napi_struct *napi,
			   int (*poll)(struct napi_struct *, int), int weight);
static inline void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
				  int (*poll)(struct napi_struct *, int))
{
	netif_napi_add_weight(dev, napi, poll, NAPI_POLL_WEIGHT);
}
void netif_napi_del(struct napi_struct *napi);
void napi_enable(struct napi_struct *n);
void napi_disable(struct napi_struct *n);
bool napi_schedule_prep(struct napi_struct *n);
void __napi_schedule(struct napi_struct *n);
void __napi_schedule_irqoff(struct napi_struct *n);
static inline bool napi_schedule(struct napi_struct *n)
{
	if (napi_schedule_prep(n)) {
		__napi_schedule(n);
		return true;
	}
	return false;
}
bool napi_complete_done(struct napi_struct *n, int work_done);
static inline bool napi_complete(struct napi_struct *n)
{
	return napi_complete_done(n, 0);
}
void napi_synchronize(const struct napi_struct *n);

enum gro_result {
	GRO_MERGED,
	GRO_MERGED_FREE,
	GRO_HELD,
	GRO_NORMAL,
	GRO_CONSUMED,
};
typedef enum gro_result gro_result_t;
gro_result_t napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb);
#define NET_RX_SUCCESS 0
#define NET_RX_DROP 1
int netif_receive_skb(struct sk_buff *skb);
int netif_rx(struct sk_buff *skb);
struct sk_buff *napi_alloc_skb(struct napi_struct *napi, unsigned int length);
void napi_consume_skb(struct sk_buff *skb, int budget);

/* Message-level bits (netif_msg_*) */
enum {
	NETIF_MSG_DRV_BIT,
	NETIF_MSG_PROBE_BIT,
	NETIF_MSG_LINK_BIT,
	NETIF_MSG_TIMER_BIT,
	NETIF_MSG_IFDOWN_BIT,
	NETIF_MSG_IFUP_BIT,
	NETIF_MSG_RX_ERR_BIT,
	NETIF_MSG_TX_ERR_BIT,
	NETIF_MSG_TX_QUEUED_BIT,
	NETIF_MSG_INTR_BIT,
	NETIF_MSG_TX_DONE_BIT,
	NETIF_MSG_RX_STATUS_BIT,
	NETIF_MSG_PKTDATA_BIT,
	NETIF_MSG_HW_BIT,
	NETIF_MSG_WOL_BIT,
};
#define NETIF_MSG_DRV BIT(NETIF_MSG_DRV_BIT)
#define NETIF_MSG_PROBE BIT(NETIF_MSG_PROBE_BIT)
#define NETIF_MSG_LINK BIT(NETIF_MSG_LINK_BIT)
#define NETIF_MSG_TIMER BIT(NETIF_MSG_TIMER_BIT)
#define NETIF_MSG_IFDOWN BIT(NETIF_MSG_IFDOWN_BIT)
#define NETIF_MSG_IFUP BIT(NETIF_MSG_IFUP_BIT)
#define NETIF_MSG_RX_ERR BIT(NETIF_MSG_RX_ERR_BIT)
#define NETIF_MSG_TX_ERR BIT(NETIF_MSG_TX_ERR_BIT)
#define NETIF_MSG_TX_QUEUED BIT(NETIF_MSG_TX_QUEUED_BIT)
#define NETIF_MSG_INTR BIT(NETIF_MSG_INTR_BIT)
#define NETIF_MSG_TX_DONE BIT(NETIF_MSG_TX_DONE_BIT)
#define NETIF_MSG_RX_STATUS BIT(NETIF_MSG_RX_STATUS_BIT)
#define NETIF_MSG_PKTDATA BIT(NETIF_MSG_PKTDATA_BIT)
#define NETIF_MSG_HW BIT(NETIF_MSG_HW_BIT)
#define NETIF_MSG_WOL BIT(NETIF_MSG_WOL_BIT)
#define netif_msg_drv(p) ((p)->msg_enable & NETIF_MSG_DRV)
#define netif_msg_probe(p) ((p)->msg_enable & NETIF_MSG_PROBE)
#define netif_msg_link(p) ((p)->msg_enable & NETIF_MSG_LINK)
#define netif_msg_timer(p) ((p)->msg_enable & NETIF_MSG_TIMER)
#define netif_msg_ifdown(p) ((p)->msg_enable & NETIF_MSG_IFDOWN)
#define netif_msg_ifup(p) ((p)->msg_enable & NETIF_MSG_IFUP)
#define netif_msg_rx_err(p) ((p)->msg_enable & NETIF_MSG_RX_ERR)
#define netif_msg_tx_err(p) ((p)->msg_enable & NETIF_MSG_TX_ERR)
#define netif_msg_tx_queued(p) ((p)->msg_enable & NETIF_MSG_TX_QUEUED)
#define netif_msg_intr(p) ((p)->msg_enable & NETIF_MSG_INTR)
#define netif_msg_tx_done(p) ((p)->msg_enable & NETIF_MSG_TX_DONE)
#define netif_msg_rx_status(p) ((p)->msg_enable & NETIF_MSG_RX_STATUS)
#define netif_msg_hw(p) ((p)->msg_enable & NETIF_MSG_HW)
static inline u32 netif_msg_init(int debug_value, int default_msg_enable_bits)
{
	if (debug_value < 0 || debug_value >= (int)(sizeof(u32) * 8))
		return (u32)default_msg_enable_bits;
	if (debug_value == 0)
		return 0;
	return (1U << debug_value) - 1;
}

const char *netdev_name(const struct net_device *dev);
__printf(3, 4) void netdev_printk(const char *level, const struct net_device *dev, const char *format, ...);
__printf(2, 3) void netdev_err(const struct net_device *dev, const char *format, ...);
__printf(2, 3) void netdev_warn(const struct net_device *dev, const char *format, ...);
__printf(2, 3) void netdev_notice(const struct net_device *dev, const char *format, ...);
__printf(2, 3) void netdev_info(const struct net_device *dev, const char *format, ...);
#ifdef DEBUG
#define netdev_dbg(dev, fmt, ...) netdev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__)
#else
#define netdev_dbg(dev, fmt, ...) do { if (0) netdev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__); } while (0)
#endif
#define netdev_WARN(dev, format, args...) \
	({ netdev_err(dev, "WARNING: " format, ##args); __kc_warn(__FILE__, __LINE__, "netdev_WARN"); })
#define netdev_WARN_ONCE(dev, format, args...) ({ static bool __once; \
	if (!__once) { __once = true; netdev_WARN(dev, format, ##args); } })
#define netif_printk(priv, type, level, dev, fmt, args...) \
	do { if (netif_msg_##type(priv)) netdev_printk(level, (dev), fmt, ##args); } while (0)
#define netif_err(priv, type, dev, fmt, args...) netif_printk(priv, type, KERN_ERR, dev, fmt, ##args)
#define netif_warn(priv, type, dev, fmt, args...) netif_printk(priv, type, KERN_WARNING, dev, fmt, ##args)
#define netif_info(priv, type, dev, fmt, args...) netif_printk(priv, type, KERN_INFO, dev, fmt, ##args)
#define netif_dbg(priv, type, dev, fmt, args...) \
	do { if (0) netif_printk(priv, type, KERN_DEBUG, dev, fmt, ##args); } while (0)

#endif
