/* SPDX-License-Identifier: GPL-2.0 */
/*
 * simnic.h - adapter-level definitions shared by the simnic driver's files.
 *
 * struct simnic_adapter is the driver's private part of the net_device: the
 * hardware structure, one TX and one RX descriptor ring with their
 * buffer_info arrays, NAPI context, watchdog timer, reset/watchdog work
 * items, locks and statistics.  The layout follows e1000.h so that the
 * partitioner meets the same shapes it meets in the real driver: the hot path
 * (xmit, interrupt, poll, ring cleaning) touches only the rings, the counters
 * and a few flags; everything else is configuration.
 */
#ifndef _SIMNIC_H_
#define _SIMNIC_H_

#include <linux/types.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <linux/ethtool.h>
#include <linux/interrupt.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/dma-mapping.h>

#include "simnic_hw.h"

#define SIMNIC_DRV_NAME		"simnic"
#define SIMNIC_DRV_VERSION	"1.4.0-k"
#define SIMNIC_VENDOR_ID	0x1af5
#define SIMNIC_DEVICE_ID	0x5100

#define SIMNIC_DEFAULT_TXD	256
#define SIMNIC_MAX_TXD		4096
#define SIMNIC_MIN_TXD		48
#define SIMNIC_DEFAULT_RXD	256
#define SIMNIC_MAX_RXD		4096
#define SIMNIC_MIN_RXD		48
#define REQ_TX_DESCRIPTOR_MULTIPLE	8
#define REQ_RX_DESCRIPTOR_MULTIPLE	8

#define SIMNIC_RXBUFFER_2048	2048
#define SIMNIC_RXBUFFER_4096	4096
#define SIMNIC_RXBUFFER_8192	8192
#define SIMNIC_RXBUFFER_16384	16384
#define SIMNIC_MAX_JUMBO_FRAME	16128
#define SIMNIC_MIN_MTU		68
#define SIMNIC_MAX_MTU		(SIMNIC_MAX_JUMBO_FRAME - ETH_HLEN - ETH_FCS_LEN)

#define SIMNIC_RX_BUFFER_WRITE	16	/* must be power of 2 */
#define SIMNIC_TX_QUEUE_WAKE	16
#define DESC_NEEDED		(MAX_SKB_FRAGS + 7)
#define SIMNIC_NAPI_WEIGHT	64
#define SIMNIC_WATCHDOG_PERIOD	(2 * HZ)

#define SIMNIC_DESC_UNUSED(R)						\
({									\
	unsigned int clean = (R)->next_to_clean;			\
	unsigned int use = (R)->next_to_use;				\
	(clean > use ? 0 : (R)->count) + clean - use - 1;		\
})

#define SIMNIC_GET_DESC(R, i, type)	(&(((struct type *)((R).desc))[i]))
#define SIMNIC_RX_DESC(R, i)		SIMNIC_GET_DESC(R, i, simnic_rx_desc)
#define SIMNIC_TX_DESC(R, i)		SIMNIC_GET_DESC(R, i, simnic_tx_desc)

/* wrapper around a pointer to a socket buffer, so a DMA handle can be
 * stored along with the buffer
 */
struct simnic_tx_buffer {
	struct sk_buff *skb;
	dma_addr_t dma;
	unsigned long time_stamp;
	u16 length;
	u16 next_to_watch;
	unsigned short segs;
	unsigned int bytecount;
};

struct simnic_rx_buffer {
	struct sk_buff *skb;
	dma_addr_t dma;
};

struct simnic_tx_ring {
	void *desc;			/* descriptor ring memory */
	dma_addr_t dma;			/* bus address of the ring */
	unsigned int size;		/* length in bytes */
	unsigned int count;		/* number of descriptors */
	unsigned int next_to_use;
	unsigned int next_to_clean;
	struct simnic_tx_buffer *buffer_info;
	u16 tdh;
	u16 tdt;
};

struct simnic_rx_ring {
	void *desc;
	dma_addr_t dma;
	unsigned int size;
	unsigned int count;
	unsigned int next_to_use;
	unsigned int next_to_clean;
	struct simnic_rx_buffer *buffer_info;
	struct sk_buff *rx_skb_top;
	u16 rdh;
	u16 rdt;
};

/* driver-private statistics, reported by ethtool -S */
struct simnic_sw_stats {
	u64 restart_queue;
	u64 tx_timeout_count;
	u64 tx_busy;
	u64 tx_dma_failed;
	u64 tx_bytes;
	u64 tx_packets;
	u64 rx_bytes;
	u64 rx_packets;
	u64 rx_dropped;
	u64 alloc_rx_buff_failed;
	u64 rx_errors;
	u64 rx_length_errors;
	u64 rx_crc_errors;
	u64 irqs;
	u64 spurious_irqs;
	u64 napi_polls;
	u64 watchdog_runs;
	u64 reset_count;
	u64 link_changes;
	u64 lost_interrupts;
};

enum simnic_state_t {
	__SIMNIC_TESTING,
	__SIMNIC_RESETTING,
	__SIMNIC_DOWN,
	__SIMNIC_DISABLED
};

/* board specific private data structure */
struct simnic_adapter {
	struct timer_list watchdog_timer;
	u32 bd_number;
	u32 rx_buffer_len;
	u32 wol;
	u16 link_speed;
	u16 link_duplex;
	spinlock_t stats_lock;
	unsigned int total_tx_bytes;
	unsigned int total_tx_packets;
	unsigned int total_rx_bytes;
	unsigned int total_rx_packets;
	u32 itr;
	u32 itr_setting;
	u16 tx_itr;
	u16 rx_itr;
	u8 fc_autoneg;

	/* TX */
	struct simnic_tx_ring *tx_ring;
	unsigned int restart_queue;
	u32 txd_cmd;
	u32 tx_int_delay;
	u32 tx_timeout_count;
	bool detect_tx_hung;
	bool tx_hang_reported;

	/* RX */
	struct simnic_rx_ring *rx_ring;
	struct napi_struct napi;
	u32 alloc_rx_buff_failed;
	u32 rx_int_delay;

	/* OS defined structs */
	struct net_device *netdev;
	struct pci_dev *pdev;

	/* structs defined in simnic_hw.h */
	struct simnic_hw hw;
	struct simnic_hw_stats stats;
	struct simnic_sw_stats sw_stats;
	struct rtnl_link_stats64 net_stats;

	u32 test_icr;
	struct simnic_tx_ring test_tx_ring;
	struct simnic_rx_ring test_rx_ring;

	int msg_enable;
	bool smart_power_down;
	unsigned long flags;

	int bars;

	bool discarding;
	unsigned int irq_count_at_watchdog;

	struct work_struct reset_task;
	struct delayed_work phy_info_task;
	struct mutex cfg_mutex;		/* serialises ethtool reconfiguration */
};

/* module parameters, filled by simnic_check_options() */
struct simnic_options {
	int tx_descriptors;
	int rx_descriptors;
	int speed;
	int duplex;
	int autoneg;
	int flow_control;
	int itr;
	int rx_int_delay;
	int tx_int_delay;
	int copybreak;
};

extern char simnic_driver_name[];
extern char simnic_driver_version[];
extern unsigned int simnic_copybreak;

/* simnic_main.c */
int simnic_open(struct net_device *netdev);
int simnic_close(struct net_device *netdev);
int simnic_up(struct simnic_adapter *adapter);
void simnic_down(struct simnic_adapter *adapter);
void simnic_reinit_locked(struct simnic_adapter *adapter);
void simnic_reset(struct simnic_adapter *adapter);
int simnic_set_spd_dplx(struct simnic_adapter *adapter, u32 spd, u8 dplx);
int simnic_setup_all_rx_resources(struct simnic_adapter *adapter);
int simnic_setup_all_tx_resources(struct simnic_adapter *adapter);
void simnic_free_all_rx_resources(struct simnic_adapter *adapter);
void simnic_free_all_tx_resources(struct simnic_adapter *adapter);
int simnic_setup_tx_resources(struct simnic_adapter *adapter,
			      struct simnic_tx_ring *txdr);
int simnic_setup_rx_resources(struct simnic_adapter *adapter,
			      struct simnic_rx_ring *rxdr);
void simnic_free_tx_resources(struct simnic_adapter *adapter,
			      struct simnic_tx_ring *tx_ring);
void simnic_free_rx_resources(struct simnic_adapter *adapter,
			      struct simnic_rx_ring *rx_ring);
void simnic_update_stats(struct simnic_adapter *adapter);
bool simnic_has_link(struct simnic_adapter *adapter);
void simnic_irq_disable(struct simnic_adapter *adapter);
void simnic_irq_enable(struct simnic_adapter *adapter);
void simnic_configure(struct simnic_adapter *adapter);

/* simnic_ethtool.c */
void simnic_set_ethtool_ops(struct net_device *netdev);

/* simnic_param.c */
void simnic_check_options(struct simnic_adapter *adapter);

#endif /* _SIMNIC_H_ */
