// SPDX-License-Identifier: GPL-2.0
/*
 * simnic_main.c - PCI and net_device glue of the simnic driver.
 *
 * This file holds the driver's life cycle and data path, laid out like
 * e1000_main.c: module init/exit, PCI probe/remove with full error
 * unwinding, open/close with descriptor ring allocation and release, the
 * up/down/reset sequences (reset runs from a work item), the watchdog timer
 * (link state, statistics, lost-interrupt and TX hang detection), and the
 * hot path: start_xmit maps a frame onto TX descriptors, the interrupt
 * handler schedules NAPI, and the NAPI poll cleans the TX ring and the RX
 * ring and refills RX buffers.  Configuration entry points (set_rx_mode,
 * set_mac_address, change_mtu, get_stats64, tx_timeout) are here too; ethtool
 * lives in simnic_ethtool.c and module parameters in simnic_param.c.
 */
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/string.h>
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/prefetch.h>
#include <linux/socket.h>

#include "simnic.h"

char simnic_driver_name[] = SIMNIC_DRV_NAME;
char simnic_driver_version[] = SIMNIC_DRV_VERSION;
static const char simnic_driver_string[] = "simnic Network Driver";
static const char simnic_copyright[] = "Copyright (c) 2026 The kcut authors.";

#define SIMNIC_MAX_DATA_PER_TXD	4096
#define SIMNIC_DEFAULT_ITR	3
#define SIMNIC_DEFAULT_MSG_ENABLE (NETIF_MSG_DRV | NETIF_MSG_PROBE | \
				   NETIF_MSG_LINK)

static const struct pci_device_id simnic_pci_tbl[] = {
	{ PCI_DEVICE(SIMNIC_VENDOR_ID, SIMNIC_DEVICE_ID) },
	{ PCI_DEVICE(SIMNIC_VENDOR_ID, 0x5101) },
	/* required last entry */
	{ 0, }
};
MODULE_DEVICE_TABLE(pci, simnic_pci_tbl);

static int debug = -1;
module_param(debug, int, 0);
MODULE_PARM_DESC(debug, "Debug level (0=none,...,16=all)");

unsigned int simnic_copybreak = 256;
module_param_named(copybreak, simnic_copybreak, uint, 0644);
MODULE_PARM_DESC(copybreak,
		 "Maximum size of packet that is copied to a new buffer on receive");

static int simnic_probe(struct pci_dev *pdev, const struct pci_device_id *ent);
static void simnic_remove(struct pci_dev *pdev);
static void simnic_shutdown(struct pci_dev *pdev);
static int simnic_sw_init(struct simnic_adapter *adapter);
static int simnic_alloc_queues(struct simnic_adapter *adapter);
static void simnic_configure_tx(struct simnic_adapter *adapter);
static void simnic_configure_rx(struct simnic_adapter *adapter);
static void simnic_setup_rctl(struct simnic_adapter *adapter);
static void simnic_clean_all_tx_rings(struct simnic_adapter *adapter);
static void simnic_clean_all_rx_rings(struct simnic_adapter *adapter);
static void simnic_clean_tx_ring(struct simnic_adapter *adapter,
				 struct simnic_tx_ring *tx_ring);
static void simnic_clean_rx_ring(struct simnic_adapter *adapter,
				 struct simnic_rx_ring *rx_ring);
static void simnic_set_rx_mode(struct net_device *netdev);
static void simnic_update_phy_info_task(struct work_struct *work);
static void simnic_watchdog(struct timer_list *t);
static netdev_tx_t simnic_xmit_frame(struct sk_buff *skb,
				     struct net_device *netdev);
static void simnic_get_stats64(struct net_device *netdev,
			       struct rtnl_link_stats64 *stats);
static int simnic_change_mtu(struct net_device *netdev, int new_mtu);
static int simnic_set_mac(struct net_device *netdev, void *p);
static irqreturn_t simnic_intr(int irq, void *data);
static bool simnic_clean_tx_irq(struct simnic_adapter *adapter,
				struct simnic_tx_ring *tx_ring);
static int simnic_clean(struct napi_struct *napi, int budget);
static bool simnic_clean_rx_irq(struct simnic_adapter *adapter,
				struct simnic_rx_ring *rx_ring,
				int *work_done, int work_to_do);
static void simnic_alloc_rx_buffers(struct simnic_adapter *adapter,
				    struct simnic_rx_ring *rx_ring,
				    int cleaned_count);
static void simnic_tx_timeout(struct net_device *dev, unsigned int txqueue);
static void simnic_reset_task(struct work_struct *work);

static struct pci_driver simnic_driver = {
	.name     = simnic_driver_name,
	.id_table = simnic_pci_tbl,
	.probe    = simnic_probe,
	.remove   = simnic_remove,
	.shutdown = simnic_shutdown,
};

MODULE_AUTHOR("The kcut authors");
MODULE_DESCRIPTION("simnic simulated e1000-class network driver");
MODULE_LICENSE("GPL v2");

/**
 * simnic_init_module - driver registration routine
 *
 * The first routine called when the driver is loaded; registers with the PCI
 * subsystem, which then calls simnic_probe() for each matching device.
 */
static int __init simnic_init_module(void)
{
	int ret;

	pr_info("%s\n", simnic_driver_string);
	pr_info("%s\n", simnic_copyright);

	ret = pci_register_driver(&simnic_driver);
	if (simnic_copybreak != 256) {
		if (!simnic_copybreak)
			pr_info("copybreak disabled\n");
		else
			pr_info("copybreak enabled for packets <= %u bytes\n",
				simnic_copybreak);
	}
	return ret;
}
module_init(simnic_init_module);

/**
 * simnic_exit_module - driver cleanup routine
 *
 * Called just before the driver is removed from memory.
 */
static void __exit simnic_exit_module(void)
{
	pci_unregister_driver(&simnic_driver);
}
module_exit(simnic_exit_module);

/* request the (legacy, shared) interrupt line */
static int simnic_request_irq(struct simnic_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	int err;

	err = request_irq(adapter->pdev->irq, simnic_intr, IRQF_SHARED,
			  netdev->name, netdev);
	if (err)
		netdev_err(netdev, "Unable to allocate interrupt Error: %d\n",
			   err);
	return err;
}

static void simnic_free_irq(struct simnic_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;

	free_irq(adapter->pdev->irq, netdev);
}

/**
 * simnic_irq_disable - mask interrupts on the NIC
 * @adapter: board private structure
 */
void simnic_irq_disable(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;

	ew32(IMC, ~0);
	SIMNIC_WRITE_FLUSH();
	synchronize_irq(adapter->pdev->irq);
}

/**
 * simnic_irq_enable - unmask the interrupts the driver handles
 * @adapter: board private structure
 */
void simnic_irq_enable(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;

	ew32(IMS, SIMNIC_IMS_ENABLE_MASK);
	SIMNIC_WRITE_FLUSH();
}

/* apply the MAC address and the power-up defaults to the PHY */
static void simnic_power_up_phy(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	u16 mii_reg = 0;

	/* just clear the power down bit to wake the phy back up */
	simnic_read_phy_reg(hw, SIMNIC_PHY_CTRL, &mii_reg);
	mii_reg &= ~0x0800;	/* MII_CR_POWER_DOWN */
	simnic_write_phy_reg(hw, SIMNIC_PHY_CTRL, mii_reg);
}

static void simnic_power_down_phy(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	u16 mii_reg = 0;

	/* keep the PHY powered when wake-on-LAN is armed */
	if (adapter->wol)
		return;
	simnic_read_phy_reg(hw, SIMNIC_PHY_CTRL, &mii_reg);
	mii_reg |= 0x0800;
	simnic_write_phy_reg(hw, SIMNIC_PHY_CTRL, mii_reg);
	msleep(1);
}

/**
 * simnic_configure - program the MAC for the current settings
 * @adapter: board private structure
 *
 * Receive filters, TX and RX units, then fill the RX ring with buffers.
 */
void simnic_configure(struct simnic_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	struct simnic_rx_ring *ring = adapter->rx_ring;

	simnic_set_rx_mode(netdev);
	simnic_configure_tx(adapter);
	simnic_setup_rctl(adapter);
	simnic_configure_rx(adapter);
	simnic_alloc_rx_buffers(adapter, ring, SIMNIC_DESC_UNUSED(ring));
}

/**
 * simnic_up - bring an opened, configured adapter into service
 * @adapter: board private structure
 *
 * Returns 0; the link is checked asynchronously (an LSC interrupt is forced
 * so the watchdog runs right away).
 */
int simnic_up(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;

	/* hardware has been reset, we need to reload some things */
	simnic_configure(adapter);

	clear_bit(__SIMNIC_DOWN, &adapter->flags);

	napi_enable(&adapter->napi);
	simnic_irq_enable(adapter);

	netif_wake_queue(adapter->netdev);

	/* fire a link change interrupt to start the watchdog */
	ew32(ICS, SIMNIC_ICR_LSC);
	return 0;
}

/**
 * simnic_down - take the adapter out of service
 * @adapter: board private structure
 *
 * Stops reception at the hardware first, then the stack, NAPI, interrupts
 * and the watchdog; resets the MAC and frees every buffer on the rings (the
 * rings themselves stay allocated).  Sleeps.
 */
void simnic_down(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	struct net_device *netdev = adapter->netdev;
	u32 rctl, tctl;

	/* disable receives in the hardware */
	rctl = er32(RCTL);
	ew32(RCTL, rctl & ~SIMNIC_RCTL_EN);
	/* flush and sleep below */

	netif_tx_disable(netdev);

	/* disable transmits in the hardware */
	tctl = er32(TCTL);
	tctl &= ~SIMNIC_TCTL_EN;
	ew32(TCTL, tctl);
	/* flush both disables and wait for them to finish */
	SIMNIC_WRITE_FLUSH();
	msleep(10);

	/* Set the carrier off after transmits have been disabled in the
	 * hardware, to avoid race conditions with simnic_watchdog() (which
	 * may be running concurrently to us, checking for the carrier bit to
	 * decide whether it should enable transmits again).
	 */
	set_bit(__SIMNIC_DOWN, &adapter->flags);

	napi_disable(&adapter->napi);

	simnic_irq_disable(adapter);

	/* the watchdog is stopped before the carrier goes off */
	del_timer_sync(&adapter->watchdog_timer);
	cancel_delayed_work_sync(&adapter->phy_info_task);

	/* record the statistics before the reset clears the counters */
	simnic_update_stats(adapter);

	adapter->link_speed = 0;
	adapter->link_duplex = 0;
	netif_carrier_off(netdev);

	simnic_reset(adapter);
	simnic_clean_all_tx_rings(adapter);
	simnic_clean_all_rx_rings(adapter);
}

/**
 * simnic_reinit_locked - down + up, serialised against other resets
 * @adapter: board private structure
 */
void simnic_reinit_locked(struct simnic_adapter *adapter)
{
	while (test_and_set_bit(__SIMNIC_RESETTING, &adapter->flags))
		msleep(1);

	/* only run the task if not already down */
	if (!test_bit(__SIMNIC_DOWN, &adapter->flags)) {
		simnic_down(adapter);
		simnic_up(adapter);
	}
	clear_bit(__SIMNIC_RESETTING, &adapter->flags);
}

/**
 * simnic_reset - reset the MAC and bring it back to the configured state
 * @adapter: board private structure
 *
 * Programs flow-control watermarks from the packet buffer size, resets and
 * re-initialises the hardware, restores the interrupt throttling rate.
 */
void simnic_reset(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	u32 pba = 0x30;		/* 48 KB RX packet buffer */
	u16 hwm;

	/* flow control settings: the high water mark leaves room for one
	 * maximum sized frame after XOFF is sent
	 */
	hwm = min(((pba << 10) * 9 / 10),
		  ((pba << 10) - hw->max_frame_size));
	hw->fc_high_water = hwm & 0xFFF8;
	hw->fc_low_water = hw->fc_high_water - 8;
	hw->fc_pause_time = 0xFFFF;
	hw->fc_send_xon = true;
	hw->fc = hw->original_fc;

	adapter->sw_stats.reset_count++;
	if (simnic_reset_hw(hw))
		netdev_err(adapter->netdev, "Hardware Error\n");
	if (simnic_init_hw(hw))
		netdev_err(adapter->netdev, "Hardware Error\n");

	if (adapter->itr_setting)
		ew32(ITR, 1000000000 / (adapter->itr * 256));
	simnic_reset_adaptive(hw);
}

static const struct net_device_ops simnic_netdev_ops = {
	.ndo_open		= simnic_open,
	.ndo_stop		= simnic_close,
	.ndo_start_xmit		= simnic_xmit_frame,
	.ndo_set_rx_mode	= simnic_set_rx_mode,
	.ndo_set_mac_address	= simnic_set_mac,
	.ndo_tx_timeout		= simnic_tx_timeout,
	.ndo_change_mtu		= simnic_change_mtu,
	.ndo_get_stats64	= simnic_get_stats64,
	.ndo_validate_addr	= eth_validate_addr,
};

/* copy PCI identity into the hardware structure */
static void simnic_init_hw_struct(struct simnic_adapter *adapter,
				  struct simnic_hw *hw)
{
	struct pci_dev *pdev = adapter->pdev;

	hw->vendor_id = pdev->vendor;
	hw->device_id = pdev->device;
	hw->subsystem_vendor_id = pdev->subsystem_vendor;
	hw->subsystem_id = pdev->subsystem_device;
	hw->revision_id = pdev->revision;
	hw->back = adapter;
	hw->phy_addr = SIMNIC_PHY_ADDR;
	hw->eeprom_words = SIMNIC_EEPROM_WORDS;
	hw->rar_entry_count = SIMNIC_RAR_ENTRIES;
	hw->mta_reg_count = SIMNIC_MTA_ENTRIES;
	hw->max_frame_size = adapter->netdev->mtu + ETH_HLEN + ETH_FCS_LEN;
	hw->min_frame_size = ETH_ZLEN + ETH_FCS_LEN;
	hw->fc = simnic_fc_default;
	hw->original_fc = simnic_fc_full;
	hw->autoneg = 1;
	hw->autoneg_advertised = SIMNIC_AUTONEG_ADVERTISE_DEFAULT;
	hw->forced_speed = 1000;
	hw->forced_duplex = 1;
}

/* print the one-line identification e1000 prints after probe */
static void simnic_print_device_info(struct simnic_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	struct simnic_hw *hw = &adapter->hw;
	u16 pba[2];

	if (simnic_read_eeprom(hw, SIMNIC_EEPROM_PBA_0, 2, pba))
		pba[0] = pba[1] = 0xFFFF;
	netdev_info(netdev, "(PCI:33MHz:32-bit) %pM\n", netdev->dev_addr);
	netdev_info(netdev, "simnic Network Connection, PBA %04x-%04x, EEPROM v%u.%u\n",
		    pba[0], pba[1], hw->eeprom_version >> 8,
		    hw->eeprom_version & 0xFF);
}

/**
 * simnic_probe - device initialisation routine
 * @pdev: PCI device information struct
 * @ent: entry in simnic_pci_tbl
 *
 * Returns 0 on success, negative on failure.  Initialises an adapter
 * identified by a pci_dev: maps registers, checks the EEPROM, reads the MAC
 * address, registers the net device.  Every step that fails undoes the
 * steps before it, in reverse order.
 */
static int simnic_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct net_device *netdev;
	struct simnic_adapter *adapter;
	struct simnic_hw *hw;
	static int cards_found;
	u16 eeprom_data = 0;
	u8 addr[ETH_ALEN];
	int err;

	err = pci_enable_device_mem(pdev);
	if (err)
		return err;

	err = pci_request_regions(pdev, simnic_driver_name);
	if (err)
		goto err_pci_reg;

	pci_set_master(pdev);

	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err) {
		err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
		if (err) {
			dev_err(&pdev->dev, "No usable DMA config, aborting\n");
			goto err_dma;
		}
	}

	err = -ENOMEM;
	netdev = alloc_etherdev(sizeof(struct simnic_adapter));
	if (!netdev)
		goto err_alloc_etherdev;

	SET_NETDEV_DEV(netdev, &pdev->dev);

	pci_set_drvdata(pdev, netdev);
	adapter = netdev_priv(netdev);
	adapter->netdev = netdev;
	adapter->pdev = pdev;
	adapter->msg_enable = netif_msg_init(debug, SIMNIC_DEFAULT_MSG_ENABLE);
	adapter->bars = 1;

	hw = &adapter->hw;
	hw->back = adapter;

	err = -EIO;
	hw->hw_addr = pci_ioremap_bar(pdev, 0);
	if (!hw->hw_addr)
		goto err_ioremap;

	netdev->netdev_ops = &simnic_netdev_ops;
	simnic_set_ethtool_ops(netdev);
	netdev->watchdog_timeo = 5 * HZ;
	netif_napi_add(netdev, &adapter->napi, simnic_clean);

	strscpy(netdev->name, pci_name(pdev), sizeof(netdev->name));

	adapter->bd_number = cards_found;

	/* setup the private structure */
	err = simnic_sw_init(adapter);
	if (err)
		goto err_sw_init;

	err = -EIO;
	if (simnic_set_media_type(hw)) {
		dev_err(&pdev->dev, "Unknown MAC type\n");
		goto err_eeprom;
	}

	netdev->min_mtu = SIMNIC_MIN_MTU;
	netdev->max_mtu = SIMNIC_MAX_MTU;

	/* before reading the EEPROM, reset the controller to put the device
	 * in a known good starting state
	 */
	if (simnic_reset_hw(hw)) {
		dev_err(&pdev->dev, "Hardware reset failed\n");
		goto err_eeprom;
	}

	/* make sure the EEPROM is good */
	if (simnic_validate_eeprom_checksum(hw) < 0) {
		dev_err(&pdev->dev, "The EEPROM Checksum Is Not Valid\n");
		goto err_eeprom;
	}
	if (!simnic_read_eeprom(hw, SIMNIC_EEPROM_VERSION, 1, &eeprom_data))
		hw->eeprom_version = eeprom_data;

	/* copy the MAC address out of the EEPROM */
	if (simnic_read_mac_addr(hw))
		dev_err(&pdev->dev, "EEPROM Read Error\n");
	memcpy(addr, hw->mac_addr, ETH_ALEN);
	eth_hw_addr_set(netdev, addr);

	if (!is_valid_ether_addr(netdev->dev_addr)) {
		dev_err(&pdev->dev, "Invalid MAC Address\n");
		goto err_eeprom;
	}

	if (simnic_detect_phy(hw)) {
		dev_err(&pdev->dev, "PHY not found\n");
		goto err_eeprom;
	}

	timer_setup(&adapter->watchdog_timer, simnic_watchdog, 0);
	INIT_WORK(&adapter->reset_task, simnic_reset_task);
	INIT_DELAYED_WORK(&adapter->phy_info_task,
			  simnic_update_phy_info_task);

	simnic_check_options(adapter);

	/* reset the hardware with the new settings */
	simnic_reset(adapter);

	strscpy(netdev->name, "eth%d", sizeof(netdev->name));
	err = register_netdev(netdev);
	if (err)
		goto err_register;

	/* carrier off reporting is important to ethtool even BEFORE open */
	netif_carrier_off(netdev);

	simnic_print_device_info(adapter);

	cards_found++;
	return 0;

err_register:
err_eeprom:
	simnic_phy_hw_reset(hw);
	kfree(adapter->tx_ring);
	kfree(adapter->rx_ring);
err_sw_init:
	iounmap(hw->hw_addr);
err_ioremap:
	free_netdev(netdev);
err_alloc_etherdev:
err_dma:
	pci_release_regions(pdev);
err_pci_reg:
	pci_disable_device(pdev);
	return err;
}

/**
 * simnic_remove - device removal routine
 * @pdev: PCI device information struct
 *
 * Called by the PCI subsystem when the device is removed or the driver
 * unloaded.  Stops the timers and work, unregisters the net device and
 * releases everything probe acquired.
 */
static void simnic_remove(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;

	set_bit(__SIMNIC_DOWN, &adapter->flags);
	del_timer_sync(&adapter->watchdog_timer);
	cancel_work_sync(&adapter->reset_task);
	cancel_delayed_work_sync(&adapter->phy_info_task);

	unregister_netdev(netdev);

	simnic_phy_hw_reset(hw);

	kfree(adapter->tx_ring);
	kfree(adapter->rx_ring);

	iounmap(hw->hw_addr);
	pci_release_regions(pdev);

	free_netdev(netdev);

	pci_disable_device(pdev);
}

/* quiesce the device at system shutdown */
static void simnic_shutdown(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);
	struct simnic_adapter *adapter = netdev_priv(netdev);

	netif_device_detach(netdev);
	if (netif_running(netdev)) {
		while (test_and_set_bit(__SIMNIC_RESETTING, &adapter->flags))
			msleep(1);
		simnic_down(adapter);
		clear_bit(__SIMNIC_RESETTING, &adapter->flags);
	}
	pci_disable_device(pdev);
}

/**
 * simnic_sw_init - initialise the adapter private data structure
 * @adapter: board private structure to initialise
 *
 * Fields are set from PCI information and defaults; ring memory is
 * allocated later, in open.  Returns -ENOMEM if the ring structures cannot be
 * allocated.
 */
static int simnic_sw_init(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	struct net_device *netdev = adapter->netdev;

	adapter->rx_buffer_len = ETH_FRAME_LEN + VLAN_HLEN + ETH_FCS_LEN;
	simnic_init_hw_struct(adapter, hw);
	adapter->itr_setting = SIMNIC_DEFAULT_ITR;
	adapter->itr = 20000;
	adapter->txd_cmd = SIMNIC_TXD_CMD_IFCS | SIMNIC_TXD_CMD_RS;
	adapter->fc_autoneg = 1;
	hw->max_frame_size = netdev->mtu + ETH_HLEN + ETH_FCS_LEN;

	if (simnic_alloc_queues(adapter)) {
		netdev_err(netdev, "Unable to allocate memory for queues\n");
		return -ENOMEM;
	}

	/* explicitly disable IRQ since the NIC can be in any state */
	ew32(IMC, ~0);

	spin_lock_init(&adapter->stats_lock);
	mutex_init(&adapter->cfg_mutex);

	set_bit(__SIMNIC_DOWN, &adapter->flags);
	return 0;
}

/* allocate the TX and RX ring structures (not the descriptors) */
static int simnic_alloc_queues(struct simnic_adapter *adapter)
{
	adapter->tx_ring = kcalloc(1, sizeof(struct simnic_tx_ring),
				   GFP_KERNEL);
	if (!adapter->tx_ring)
		return -ENOMEM;

	adapter->rx_ring = kcalloc(1, sizeof(struct simnic_rx_ring),
				   GFP_KERNEL);
	if (!adapter->rx_ring) {
		kfree(adapter->tx_ring);
		adapter->tx_ring = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * simnic_open - called when a network interface is made active
 * @netdev: network interface device structure
 *
 * Returns 0 on success, negative value on failure.  Allocates the TX and RX
 * descriptor rings, powers up the PHY, configures the MAC, requests the IRQ
 * and starts the queue.  Failures release what was acquired.
 */
int simnic_open(struct net_device *netdev)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	int err;

	/* disallow open during test */
	if (test_bit(__SIMNIC_TESTING, &adapter->flags))
		return -EBUSY;

	netif_carrier_off(netdev);

	/* allocate transmit descriptors */
	err = simnic_setup_all_tx_resources(adapter);
	if (err)
		goto err_setup_tx;

	/* allocate receive descriptors */
	err = simnic_setup_all_rx_resources(adapter);
	if (err)
		goto err_setup_rx;

	simnic_power_up_phy(adapter);

	/* before we allocate an interrupt, we must be ready to handle it */
	simnic_configure(adapter);

	err = simnic_request_irq(adapter);
	if (err)
		goto err_req_irq;

	/* from here on the watchdog is allowed to run */
	clear_bit(__SIMNIC_DOWN, &adapter->flags);

	napi_enable(&adapter->napi);

	simnic_irq_enable(adapter);

	netif_start_queue(netdev);

	/* fire a link status change interrupt to start the watchdog */
	ew32(ICS, SIMNIC_ICR_LSC);

	return 0;

err_req_irq:
	simnic_power_down_phy(adapter);
	simnic_free_all_rx_resources(adapter);
err_setup_rx:
	simnic_free_all_tx_resources(adapter);
err_setup_tx:
	simnic_reset(adapter);

	return err;
}

/**
 * simnic_close - disables a network interface
 * @netdev: network interface device structure
 *
 * Returns 0.  The interface is stopped and the rings' buffers and descriptor
 * memory released; the hardware is left reset with its PHY powered down.
 */
int simnic_close(struct net_device *netdev)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);

	WARN_ON(test_bit(__SIMNIC_RESETTING, &adapter->flags));
	simnic_down(adapter);
	simnic_power_down_phy(adapter);
	simnic_free_irq(adapter);

	simnic_free_all_tx_resources(adapter);
	simnic_free_all_rx_resources(adapter);

	return 0;
}

/**
 * simnic_setup_tx_resources - allocate TX resources (descriptors)
 * @adapter: board private structure
 * @txdr: tx descriptor ring (for a specific queue) to setup
 *
 * Returns 0 on success, -ENOMEM when either the buffer_info array or the
 * descriptor memory cannot be had (nothing stays allocated then).
 */
int simnic_setup_tx_resources(struct simnic_adapter *adapter,
			      struct simnic_tx_ring *txdr)
{
	struct pci_dev *pdev = adapter->pdev;

	txdr->buffer_info = kcalloc(txdr->count,
				    sizeof(struct simnic_tx_buffer),
				    GFP_KERNEL);
	if (!txdr->buffer_info)
		return -ENOMEM;

	/* round up to nearest 4K */
	txdr->size = txdr->count * sizeof(struct simnic_tx_desc);
	txdr->size = ALIGN(txdr->size, 4096);

	txdr->desc = dma_alloc_coherent(&pdev->dev, txdr->size, &txdr->dma,
					GFP_KERNEL);
	if (!txdr->desc) {
		kfree(txdr->buffer_info);
		txdr->buffer_info = NULL;
		return -ENOMEM;
	}
	memset(txdr->desc, 0, txdr->size);

	txdr->next_to_use = 0;
	txdr->next_to_clean = 0;
	return 0;
}

/**
 * simnic_setup_all_tx_resources - wrapper to allocate TX resources
 * @adapter: board private structure
 *
 * Returns 0 on success, negative on failure.
 */
int simnic_setup_all_tx_resources(struct simnic_adapter *adapter)
{
	int err;

	err = simnic_setup_tx_resources(adapter, adapter->tx_ring);
	if (err)
		netdev_err(adapter->netdev, "Allocation for Tx Queue failed\n");
	return err;
}

/**
 * simnic_configure_tx - configure the transmit unit after reset
 * @adapter: board private structure
 */
static void simnic_configure_tx(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	struct simnic_tx_ring *ring = adapter->tx_ring;
	u64 tdba = ring->dma;
	u32 tdlen = ring->count * sizeof(struct simnic_tx_desc);
	u32 tctl;

	ew32(TDLEN, tdlen);
	ew32(TDBAH, (tdba >> 32));
	ew32(TDBAL, (tdba & 0x00000000ffffffffULL));
	ew32(TDT, 0);
	ew32(TDH, 0);
	ring->tdh = SIMNIC_TDH;
	ring->tdt = SIMNIC_TDT;

	simnic_reset_adaptive(hw);
	ew32(TIDV, adapter->tx_int_delay);

	tctl = er32(TCTL);
	tctl |= SIMNIC_TCTL_PSP | (0x0F << SIMNIC_TCTL_CT_SHIFT) |
		(0x40 << SIMNIC_TCTL_COLD_SHIFT);
	tctl |= SIMNIC_TCTL_EN;
	ew32(TCTL, tctl);

	adapter->txd_cmd = SIMNIC_TXD_CMD_IFCS | SIMNIC_TXD_CMD_RS;
}

/**
 * simnic_setup_rx_resources - allocate RX resources (descriptors)
 * @adapter: board private structure
 * @rxdr: rx descriptor ring to setup
 *
 * Returns 0 on success, -ENOMEM on failure (nothing stays allocated).
 */
int simnic_setup_rx_resources(struct simnic_adapter *adapter,
			      struct simnic_rx_ring *rxdr)
{
	struct pci_dev *pdev = adapter->pdev;

	rxdr->buffer_info = kcalloc(rxdr->count,
				    sizeof(struct simnic_rx_buffer),
				    GFP_KERNEL);
	if (!rxdr->buffer_info)
		return -ENOMEM;

	/* round up to nearest 4K */
	rxdr->size = rxdr->count * sizeof(struct simnic_rx_desc);
	rxdr->size = ALIGN(rxdr->size, 4096);

	rxdr->desc = dma_alloc_coherent(&pdev->dev, rxdr->size, &rxdr->dma,
					GFP_KERNEL);
	if (!rxdr->desc) {
		kfree(rxdr->buffer_info);
		rxdr->buffer_info = NULL;
		return -ENOMEM;
	}
	memset(rxdr->desc, 0, rxdr->size);

	rxdr->next_to_clean = 0;
	rxdr->next_to_use = 0;
	rxdr->rx_skb_top = NULL;
	return 0;
}

/**
 * simnic_setup_all_rx_resources - wrapper to allocate RX resources
 * @adapter: board private structure
 */
int simnic_setup_all_rx_resources(struct simnic_adapter *adapter)
{
	int err;

	err = simnic_setup_rx_resources(adapter, adapter->rx_ring);
	if (err)
		netdev_err(adapter->netdev, "Allocation for Rx Queue failed\n");
	return err;
}

/**
 * simnic_setup_rctl - configure the receive control register
 * @adapter: board private structure
 */
static void simnic_setup_rctl(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	u32 rctl;

	rctl = er32(RCTL);
	rctl &= ~(3 << 12);
	rctl |= SIMNIC_RCTL_BAM | SIMNIC_RCTL_SECRC;

	if (adapter->netdev->mtu > ETH_DATA_LEN)
		rctl |= SIMNIC_RCTL_LPE;
	else
		rctl &= ~SIMNIC_RCTL_LPE;

	/* setup buffer sizes */
	rctl &= ~SIMNIC_RCTL_SZ_MASK;
	switch (adapter->rx_buffer_len) {
	case SIMNIC_RXBUFFER_2048:
	default:
		rctl |= SIMNIC_RCTL_SZ_2048;
		break;
	case SIMNIC_RXBUFFER_4096:
		rctl |= SIMNIC_RCTL_SZ_4096;
		break;
	case SIMNIC_RXBUFFER_8192:
		rctl |= SIMNIC_RCTL_SZ_8192;
		break;
	case SIMNIC_RXBUFFER_16384:
		rctl |= SIMNIC_RCTL_SZ_16384;
		break;
	}
	ew32(RCTL, rctl);
}

/**
 * simnic_configure_rx - configure the receive unit after reset
 * @adapter: board private structure
 */
static void simnic_configure_rx(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	struct simnic_rx_ring *ring = adapter->rx_ring;
	u64 rdba = ring->dma;
	u32 rdlen = ring->count * sizeof(struct simnic_rx_desc);
	u32 rctl;

	/* disable receives while setting up the descriptors */
	rctl = er32(RCTL);
	ew32(RCTL, rctl & ~SIMNIC_RCTL_EN);

	/* set the receive delay timer register */
	ew32(RDTR, adapter->rx_int_delay);
	if (adapter->itr_setting != 0)
		ew32(ITR, 1000000000 / (adapter->itr * 256));

	ew32(RDLEN, rdlen);
	ew32(RDBAH, (rdba >> 32));
	ew32(RDBAL, (rdba & 0x00000000ffffffffULL));
	ew32(RDT, 0);
	ew32(RDH, 0);
	ring->rdh = SIMNIC_RDH;
	ring->rdt = SIMNIC_RDT;

	/* enable receives */
	ew32(RCTL, rctl | SIMNIC_RCTL_EN);
}

/**
 * simnic_free_tx_resources - free TX resources
 * @adapter: board private structure
 * @tx_ring: TX descriptor ring for a specific queue
 *
 * Frees every buffer still on the ring, then the buffer_info array and the
 * descriptor memory.
 */
void simnic_free_tx_resources(struct simnic_adapter *adapter,
			      struct simnic_tx_ring *tx_ring)
{
	struct pci_dev *pdev = adapter->pdev;

	simnic_clean_tx_ring(adapter, tx_ring);

	kfree(tx_ring->buffer_info);
	tx_ring->buffer_info = NULL;

	dma_free_coherent(&pdev->dev, tx_ring->size, tx_ring->desc,
			  tx_ring->dma);
	tx_ring->desc = NULL;
}

/**
 * simnic_free_all_tx_resources - free TX resources for all queues
 * @adapter: board private structure
 */
void simnic_free_all_tx_resources(struct simnic_adapter *adapter)
{
	simnic_free_tx_resources(adapter, adapter->tx_ring);
}

/* unmap one TX buffer and free its skb */
static void simnic_unmap_and_free_tx_resource(struct simnic_adapter *adapter,
					      struct simnic_tx_buffer *buffer_info,
					      int budget)
{
	if (buffer_info->dma) {
		dma_unmap_single(&adapter->pdev->dev, buffer_info->dma,
				 buffer_info->length, DMA_TO_DEVICE);
		buffer_info->dma = 0;
	}
	if (buffer_info->skb) {
		napi_consume_skb(buffer_info->skb, budget);
		buffer_info->skb = NULL;
	}
	buffer_info->time_stamp = 0;
}

/**
 * simnic_clean_tx_ring - free TX buffers
 * @adapter: board private structure
 * @tx_ring: ring to be cleaned
 */
static void simnic_clean_tx_ring(struct simnic_adapter *adapter,
				 struct simnic_tx_ring *tx_ring)
{
	struct simnic_hw *hw = &adapter->hw;
	struct simnic_tx_buffer *buffer_info;
	unsigned long size;
	unsigned int i;

	if (!tx_ring->buffer_info)
		return;

	/* free all the TX ring sk_buffs */
	for (i = 0; i < tx_ring->count; i++) {
		buffer_info = &tx_ring->buffer_info[i];
		simnic_unmap_and_free_tx_resource(adapter, buffer_info, 0);
	}

	netdev_reset_queue(adapter->netdev);
	size = sizeof(struct simnic_tx_buffer) * tx_ring->count;
	memset(tx_ring->buffer_info, 0, size);

	/* zero out the descriptor ring */
	memset(tx_ring->desc, 0, tx_ring->size);

	tx_ring->next_to_use = 0;
	tx_ring->next_to_clean = 0;

	writel(0, hw->hw_addr + tx_ring->tdh);
	writel(0, hw->hw_addr + tx_ring->tdt);
}

/**
 * simnic_clean_all_tx_rings - free TX buffers for all queues
 * @adapter: board private structure
 */
static void simnic_clean_all_tx_rings(struct simnic_adapter *adapter)
{
	simnic_clean_tx_ring(adapter, adapter->tx_ring);
}

/**
 * simnic_free_rx_resources - free RX resources
 * @adapter: board private structure
 * @rx_ring: ring to clean the resources from
 */
void simnic_free_rx_resources(struct simnic_adapter *adapter,
			      struct simnic_rx_ring *rx_ring)
{
	struct pci_dev *pdev = adapter->pdev;

	simnic_clean_rx_ring(adapter, rx_ring);

	kfree(rx_ring->buffer_info);
	rx_ring->buffer_info = NULL;

	dma_free_coherent(&pdev->dev, rx_ring->size, rx_ring->desc,
			  rx_ring->dma);
	rx_ring->desc = NULL;
}

/**
 * simnic_free_all_rx_resources - free RX resources for all queues
 * @adapter: board private structure
 */
void simnic_free_all_rx_resources(struct simnic_adapter *adapter)
{
	simnic_free_rx_resources(adapter, adapter->rx_ring);
}

/**
 * simnic_clean_rx_ring - free RX buffers
 * @adapter: board private structure
 * @rx_ring: ring to free buffers from
 */
static void simnic_clean_rx_ring(struct simnic_adapter *adapter,
				 struct simnic_rx_ring *rx_ring)
{
	struct simnic_hw *hw = &adapter->hw;
	struct simnic_rx_buffer *buffer_info;
	struct pci_dev *pdev = adapter->pdev;
	unsigned long size;
	unsigned int i;

	if (!rx_ring->buffer_info)
		return;

	/* free all the RX ring sk_buffs */
	for (i = 0; i < rx_ring->count; i++) {
		buffer_info = &rx_ring->buffer_info[i];
		if (buffer_info->dma)
			dma_unmap_single(&pdev->dev, buffer_info->dma,
					 adapter->rx_buffer_len,
					 DMA_FROM_DEVICE);
		buffer_info->dma = 0;
		if (buffer_info->skb) {
			dev_kfree_skb(buffer_info->skb);
			buffer_info->skb = NULL;
		}
	}

	/* there also may be some cached data from a chained receive */
	if (rx_ring->rx_skb_top) {
		dev_kfree_skb(rx_ring->rx_skb_top);
		rx_ring->rx_skb_top = NULL;
	}

	size = sizeof(struct simnic_rx_buffer) * rx_ring->count;
	memset(rx_ring->buffer_info, 0, size);

	/* zero out the descriptor ring */
	memset(rx_ring->desc, 0, rx_ring->size);

	rx_ring->next_to_clean = 0;
	rx_ring->next_to_use = 0;

	writel(0, hw->hw_addr + rx_ring->rdh);
	writel(0, hw->hw_addr + rx_ring->rdt);
}

/**
 * simnic_clean_all_rx_rings - free RX buffers for all queues
 * @adapter: board private structure
 */
static void simnic_clean_all_rx_rings(struct simnic_adapter *adapter)
{
	simnic_clean_rx_ring(adapter, adapter->rx_ring);
}

/**
 * simnic_set_mac - change the Ethernet address of the NIC
 * @netdev: network interface device structure
 * @p: pointer to a struct sockaddr holding the address
 *
 * Returns 0 on success, -EADDRNOTAVAIL for an invalid address.
 */
static int simnic_set_mac(struct net_device *netdev, void *p)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	struct sockaddr *addr = p;
	const u8 *mac = (const u8 *)addr->sa_data;

	if (!is_valid_ether_addr(mac))
		return -EADDRNOTAVAIL;

	eth_hw_addr_set(netdev, mac);
	memcpy(hw->mac_addr, mac, netdev->addr_len);

	simnic_rar_set(hw, hw->mac_addr, 0);
	netif_info(adapter, drv, netdev, "MAC address set to %pM\n",
		   netdev->dev_addr);
	return 0;
}

/**
 * simnic_set_rx_mode - secondary unicast, multicast and promiscuous mode
 * @netdev: network interface device structure
 *
 * Called whenever the unicast/multicast address lists or the network
 * interface flags are updated.  Programs RCTL's promiscuous bits and rebuilds
 * the multicast table array from the device's multicast list (a shadow is
 * built first, then written in one pass).
 */
static void simnic_set_rx_mode(struct net_device *netdev)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	struct netdev_hw_addr *ha;
	u32 rctl, hash_value, hash_reg, hash_bit;
	u32 *mcarray;
	int i;

	mcarray = kcalloc(hw->mta_reg_count, sizeof(u32), GFP_ATOMIC);
	if (!mcarray)
		return;

	/* check for promiscuous and all-multicast modes */
	rctl = er32(RCTL);
	if (netdev->flags & IFF_PROMISC) {
		rctl |= (SIMNIC_RCTL_UPE | SIMNIC_RCTL_MPE);
	} else {
		if (netdev->flags & IFF_ALLMULTI)
			rctl |= SIMNIC_RCTL_MPE;
		else
			rctl &= ~SIMNIC_RCTL_MPE;
		rctl &= ~SIMNIC_RCTL_UPE;
	}
	ew32(RCTL, rctl);

	/* load the first 15 multicast addresses into the exact filters
	 * 1-15 (RAR 0 is the station address); hash the rest
	 */
	i = 1;
	netdev_for_each_mc_addr(ha, netdev) {
		if (i < hw->rar_entry_count) {
			simnic_rar_set(hw, ha->addr, i++);
			continue;
		}
		hash_value = simnic_hash_mc_addr(hw, ha->addr);
		hash_reg = (hash_value >> 5) & (hw->mta_reg_count - 1);
		hash_bit = hash_value & 0x1F;
		mcarray[hash_reg] |= (1 << hash_bit);
	}
	/* zero out the remaining RAR entries */
	for (; i < hw->rar_entry_count; i++)
		simnic_clear_rar(hw, i);

	/* write the hash table completely */
	for (i = 0; i < hw->mta_reg_count; i++)
		simnic_write_vfta_mta(hw, i, mcarray[i]);

	kfree(mcarray);
}

/**
 * simnic_update_phy_info_task - refresh cached PHY info (process context)
 * @work: the phy_info_task work item
 */
static void simnic_update_phy_info_task(struct work_struct *work)
{
	struct simnic_adapter *adapter = container_of(work,
						      struct simnic_adapter,
						      phy_info_task.work);
	struct simnic_hw *hw = &adapter->hw;
	u16 stat1000 = 0;

	if (test_bit(__SIMNIC_DOWN, &adapter->flags))
		return;
	if (simnic_read_phy_reg(hw, SIMNIC_PHY_1000T_STATUS, &stat1000))
		return;
	/* local receiver errors are reported in the low byte */
	adapter->stats.rxerrc += stat1000 & 0xFF;
}

/**
 * simnic_has_link - tell whether the link is up, refreshing it if needed
 * @adapter: board private structure
 */
bool simnic_has_link(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	bool link_active = false;

	if (hw->media_type == simnic_media_type_copper &&
	    hw->get_link_status) {
		simnic_check_for_link(hw);
		link_active = !hw->get_link_status;
	} else {
		link_active = true;
	}
	/* the MAC's status register is authoritative */
	if (!(er32(STATUS) & SIMNIC_STATUS_LU)) {
		link_active = false;
		hw->get_link_status = true;
	}
	return link_active;
}

/* the flow control mode as printed in the link-up message */
static const char *simnic_fc_string(struct simnic_hw *hw)
{
	u32 ctrl = er32(CTRL);

	if ((ctrl & SIMNIC_CTRL_TFCE) && (ctrl & SIMNIC_CTRL_RFCE))
		return "RX/TX";
	if (ctrl & SIMNIC_CTRL_RFCE)
		return "RX";
	if (ctrl & SIMNIC_CTRL_TFCE)
		return "TX";
	return "None";
}

/* does the TX ring hold descriptors the hardware has not completed? */
static bool simnic_tx_pending(struct simnic_adapter *adapter)
{
	struct simnic_tx_ring *txdr = adapter->tx_ring;

	return SIMNIC_DESC_UNUSED(txdr) + 1 < txdr->count;
}

/* detect a TX unit that stopped consuming descriptors */
static void simnic_detect_tx_hang(struct simnic_adapter *adapter)
{
	struct simnic_tx_ring *tx_ring = adapter->tx_ring;
	struct simnic_hw *hw = &adapter->hw;
	struct simnic_tx_buffer *bi;
	unsigned int eop;

	if (!adapter->detect_tx_hung || !simnic_tx_pending(adapter))
		return;
	eop = tx_ring->buffer_info[tx_ring->next_to_clean].next_to_watch;
	bi = &tx_ring->buffer_info[eop];
	/* written back but not cleaned: a lost interrupt, not a hang */
	if (SIMNIC_TX_DESC(*tx_ring, eop)->status & SIMNIC_TXD_STAT_DD)
		return;
	if (!bi->time_stamp ||
	    !time_after(jiffies, bi->time_stamp + adapter->netdev->watchdog_timeo / 2))
		return;
	if (adapter->tx_hang_reported)
		return;
	adapter->tx_hang_reported = true;
	netdev_err(adapter->netdev,
		   "Detected Tx Unit Hang: TDH <%x> TDT <%x> next_to_use <%x> next_to_clean <%x>\n",
		   readl(hw->hw_addr + tx_ring->tdh),
		   readl(hw->hw_addr + tx_ring->tdt),
		   tx_ring->next_to_use, tx_ring->next_to_clean);
	netif_stop_queue(adapter->netdev);
}

/**
 * simnic_watchdog - timer call-back (softirq context)
 * @t: the watchdog timer
 *
 * Every two seconds: refresh the link state and report changes, fold the
 * hardware counters into the statistics, reset when TX work is stranded by a
 * lost link, detect a hung TX unit, and force an interrupt so that a lost
 * one cannot leave a ring uncleaned.
 */
static void simnic_watchdog(struct timer_list *t)
{
	struct simnic_adapter *adapter = from_timer(adapter, t,
						    watchdog_timer);
	struct simnic_hw *hw = &adapter->hw;
	struct net_device *netdev = adapter->netdev;
	struct simnic_rx_desc *rx_desc;
	u32 link;

	if (test_bit(__SIMNIC_DOWN, &adapter->flags))
		return;

	adapter->sw_stats.watchdog_runs++;
	link = simnic_has_link(adapter);
	if (link) {
		if (!netif_carrier_ok(netdev)) {
			simnic_get_speed_and_duplex(hw, &adapter->link_speed,
						    &adapter->link_duplex);
			netdev_info(netdev,
				    "NIC Link is Up %d Mbps %s, Flow Control: %s\n",
				    adapter->link_speed,
				    adapter->link_duplex ? "Full Duplex" :
							   "Half Duplex",
				    simnic_fc_string(hw));
			adapter->sw_stats.link_changes++;
			netif_carrier_on(netdev);
			if (!test_bit(__SIMNIC_DOWN, &adapter->flags))
				schedule_delayed_work(&adapter->phy_info_task,
						      2 * HZ);
		}
	} else {
		if (netif_carrier_ok(netdev)) {
			adapter->link_speed = 0;
			adapter->link_duplex = 0;
			netdev_info(netdev, "NIC Link is Down\n");
			adapter->sw_stats.link_changes++;
			netif_carrier_off(netdev);
		}
	}

	simnic_update_stats(adapter);

	if (!netif_carrier_ok(netdev) && simnic_tx_pending(adapter)) {
		/* We've lost link, so the controller stops DMA, but we've
		 * got queued TX work that's never going to get done, so
		 * reset controller to flush TX.
		 */
		adapter->tx_timeout_count++;
		schedule_work(&adapter->reset_task);
		/* exit immediately since reset is imminent */
		return;
	}

	simnic_detect_tx_hang(adapter);

	/* A descriptor written back with no interrupt since the last run
	 * means an interrupt was lost; count it.  The software interrupt
	 * below recovers it either way.
	 */
	rx_desc = SIMNIC_RX_DESC(*adapter->rx_ring,
				 adapter->rx_ring->next_to_clean);
	if (adapter->sw_stats.irqs == adapter->irq_count_at_watchdog &&
	    ((rx_desc->status & SIMNIC_RXD_STAT_DD) ||
	     (simnic_tx_pending(adapter) &&
	      readl(hw->hw_addr + adapter->tx_ring->tdh) ==
	      readl(hw->hw_addr + adapter->tx_ring->tdt)))) {
		adapter->sw_stats.lost_interrupts++;
		netdev_warn(netdev,
			    "watchdog: work pending without an interrupt, forcing one\n");
	}
	/* cause software interrupt to ensure RX ring is cleaned */
	ew32(ICS, SIMNIC_ICR_RXDMT0);
	/* counted after our own software interrupt: the next run sees only
	 * interrupts the hardware raised in between
	 */
	adapter->irq_count_at_watchdog = adapter->sw_stats.irqs;

	/* force detection of hung controller every watchdog period */
	adapter->detect_tx_hung = true;

	/* reschedule the timer */
	if (!test_bit(__SIMNIC_DOWN, &adapter->flags))
		mod_timer(&adapter->watchdog_timer,
			  round_jiffies(jiffies + SIMNIC_WATCHDOG_PERIOD));
}

#define SIMNIC_TX_FLAGS_CSUM	0x00000001

/**
 * simnic_tx_map - map a frame's data onto TX buffer_info entries
 * @adapter: board private structure
 * @tx_ring: the ring
 * @skb: the frame (linear)
 * @first: index of the first descriptor
 *
 * Returns the number of descriptors used, 0 when a DMA mapping failed (all
 * mappings made so far are undone then).
 */
static int simnic_tx_map(struct simnic_adapter *adapter,
			 struct simnic_tx_ring *tx_ring,
			 struct sk_buff *skb, unsigned int first)
{
	struct pci_dev *pdev = adapter->pdev;
	struct simnic_tx_buffer *buffer_info;
	unsigned int len = skb_headlen(skb);
	unsigned int offset = 0, size, count = 0, i;

	i = tx_ring->next_to_use;

	while (len) {
		buffer_info = &tx_ring->buffer_info[i];
		size = min(len, (unsigned int)SIMNIC_MAX_DATA_PER_TXD);

		buffer_info->length = size;
		buffer_info->time_stamp = jiffies;
		buffer_info->next_to_watch = i;
		buffer_info->dma = dma_map_single(&pdev->dev,
						  skb->data + offset,
						  size, DMA_TO_DEVICE);
		if (dma_mapping_error(&pdev->dev, buffer_info->dma))
			goto dma_error;

		len -= size;
		offset += size;
		count++;
		if (len) {
			i++;
			if (unlikely(i == tx_ring->count))
				i = 0;
		}
	}

	tx_ring->buffer_info[i].skb = skb;
	tx_ring->buffer_info[i].segs = 1;
	tx_ring->buffer_info[i].bytecount = skb->len;
	tx_ring->buffer_info[first].next_to_watch = i;

	return count;

dma_error:
	dev_err(&pdev->dev, "TX DMA map failed\n");
	buffer_info->dma = 0;
	if (count)
		count--;

	while (count--) {
		if (i == 0)
			i += tx_ring->count;
		i--;
		buffer_info = &tx_ring->buffer_info[i];
		simnic_unmap_and_free_tx_resource(adapter, buffer_info, 0);
	}
	return 0;
}

/* write the descriptors for a mapped frame and bump the tail */
static void simnic_tx_queue(struct simnic_adapter *adapter,
			    struct simnic_tx_ring *tx_ring, int tx_flags,
			    int count)
{
	struct simnic_tx_desc *tx_desc = NULL;
	struct simnic_tx_buffer *buffer_info;
	u32 txd_cmd = adapter->txd_cmd;
	unsigned int i;

	i = tx_ring->next_to_use;

	while (count--) {
		buffer_info = &tx_ring->buffer_info[i];
		tx_desc = SIMNIC_TX_DESC(*tx_ring, i);
		tx_desc->buffer_addr = cpu_to_le64(buffer_info->dma);
		tx_desc->length = cpu_to_le16(buffer_info->length);
		tx_desc->cmd = (u8)(txd_cmd & ~SIMNIC_TXD_CMD_EOP);
		tx_desc->status = 0;
		if (unlikely(++i == tx_ring->count))
			i = 0;
	}

	tx_desc->cmd |= SIMNIC_TXD_CMD_EOP;

	/* Force memory writes to complete before letting h/w know there
	 * are new descriptors to fetch.
	 */
	dma_wmb();

	tx_ring->next_to_use = i;
}

/* stop the queue when the ring is nearly full; re-check after a barrier */
static int __simnic_maybe_stop_tx(struct net_device *netdev, int size)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_tx_ring *tx_ring = adapter->tx_ring;

	netif_stop_queue(netdev);
	/* Herbert's original patch had:
	 *  smp_mb__after_netif_stop_queue();
	 * but since that doesn't exist yet, just open code it.
	 */
	smp_mb();

	/* We need to check again in a case another CPU has just
	 * made room available.
	 */
	if (likely((int)SIMNIC_DESC_UNUSED(tx_ring) < size))
		return -EBUSY;

	/* A reprieve! */
	netif_start_queue(netdev);
	++adapter->restart_queue;
	return 0;
}

static int simnic_maybe_stop_tx(struct net_device *netdev,
				struct simnic_tx_ring *tx_ring, int size)
{
	if (likely((int)SIMNIC_DESC_UNUSED(tx_ring) >= size))
		return 0;
	return __simnic_maybe_stop_tx(netdev, size);
}

#define TXD_USE_COUNT(S)	DIV_ROUND_UP((S), SIMNIC_MAX_DATA_PER_TXD)

/**
 * simnic_xmit_frame - ndo_start_xmit: queue one frame for transmission
 * @skb: the frame
 * @netdev: network interface device structure
 *
 * Returns NETDEV_TX_OK (the skb is owned by the ring or freed) or
 * NETDEV_TX_BUSY when the ring is full (the stack will retry).
 */
static netdev_tx_t simnic_xmit_frame(struct sk_buff *skb,
				     struct net_device *netdev)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	struct simnic_tx_ring *tx_ring = adapter->tx_ring;
	unsigned int first;
	int count;

	if (test_bit(__SIMNIC_DOWN, &adapter->flags)) {
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}

	if (skb->len <= 0) {
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}

	/* the hardware pads short frames (TCTL.PSP); long ones are split
	 * over descriptors of at most 4 KiB
	 */
	count = TXD_USE_COUNT(skb_headlen(skb)) + 2;

	if (unlikely(simnic_maybe_stop_tx(netdev, tx_ring, count))) {
		adapter->sw_stats.tx_busy++;
		return NETDEV_TX_BUSY;
	}

	first = tx_ring->next_to_use;
	count = simnic_tx_map(adapter, tx_ring, skb, first);
	if (count) {
		netdev_sent_queue(netdev, skb->len);
		skb_tx_timestamp(skb);

		simnic_tx_queue(adapter, tx_ring, 0, count);
		/* Make sure there is space in the ring for the next send. */
		simnic_maybe_stop_tx(netdev, tx_ring, DESC_NEEDED);

		if (!netdev_xmit_more() ||
		    netif_xmit_stopped(netdev_get_tx_queue(netdev, 0)))
			writel(tx_ring->next_to_use, hw->hw_addr + tx_ring->tdt);
	} else {
		adapter->sw_stats.tx_dma_failed++;
		dev_kfree_skb_any(skb);
		tx_ring->buffer_info[first].time_stamp = 0;
		tx_ring->next_to_use = first;
	}

	return NETDEV_TX_OK;
}

/**
 * simnic_tx_timeout - respond to a TX hang reported by the stack
 * @netdev: network interface device structure
 * @txqueue: number of the hung queue (unused, one queue)
 *
 * Runs in softirq context: the reset itself is deferred to a work item.
 */
static void simnic_tx_timeout(struct net_device *netdev, unsigned int txqueue)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);

	/* do the reset outside of interrupt context */
	adapter->tx_timeout_count++;
	adapter->sw_stats.tx_timeout_count++;
	netdev_warn(netdev, "TX timeout on queue %u, scheduling reset\n",
		    txqueue);
	schedule_work(&adapter->reset_task);
}

/**
 * simnic_reset_task - the reset work item (process context)
 * @work: adapter->reset_task
 */
static void simnic_reset_task(struct work_struct *work)
{
	struct simnic_adapter *adapter =
		container_of(work, struct simnic_adapter, reset_task);

	netif_err(adapter, drv, adapter->netdev, "Reset adapter\n");
	mutex_lock(&adapter->cfg_mutex);
	adapter->tx_hang_reported = false;
	simnic_reinit_locked(adapter);
	mutex_unlock(&adapter->cfg_mutex);
}

/**
 * simnic_change_mtu - change the Maximum Transfer Unit
 * @netdev: network interface device structure
 * @new_mtu: new value for maximum frame size
 *
 * Returns 0 on success, negative on failure.  The RX buffer size follows the
 * frame size; a running interface is brought down and up so that the RX
 * ring is refilled with buffers of the new size.
 */
static int simnic_change_mtu(struct net_device *netdev, int new_mtu)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	int max_frame = new_mtu + ETH_HLEN + ETH_FCS_LEN;

	if (new_mtu < SIMNIC_MIN_MTU || new_mtu > SIMNIC_MAX_MTU) {
		netdev_err(netdev, "Invalid MTU setting %d\n", new_mtu);
		return -EINVAL;
	}

	while (test_and_set_bit(__SIMNIC_RESETTING, &adapter->flags))
		msleep(1);
	/* simnic_down has a dependency on max_frame_size */
	hw->max_frame_size = max_frame;
	if (netif_running(netdev)) {
		/* prevent buffers from being reallocated */
		adapter->alloc_rx_buff_failed = 0;
		simnic_down(adapter);
	}

	/* NOTE: netdev_alloc_skb reserves 16 bytes, and typically NET_IP_ALIGN
	 * means we reserve 2 more, this pushes us to allocate from the next
	 * larger slab size.
	 */
	if (max_frame <= SIMNIC_RXBUFFER_2048)
		adapter->rx_buffer_len = SIMNIC_RXBUFFER_2048;
	else if (max_frame <= SIMNIC_RXBUFFER_4096)
		adapter->rx_buffer_len = SIMNIC_RXBUFFER_4096;
	else if (max_frame <= SIMNIC_RXBUFFER_8192)
		adapter->rx_buffer_len = SIMNIC_RXBUFFER_8192;
	else
		adapter->rx_buffer_len = SIMNIC_RXBUFFER_16384;

	/* adjust allocation if LPE protects us, and we aren't using SBP */
	if (max_frame <= ETH_FRAME_LEN + ETH_FCS_LEN + VLAN_HLEN)
		adapter->rx_buffer_len = ETH_FRAME_LEN + VLAN_HLEN +
					 ETH_FCS_LEN;

	netdev_dbg(netdev, "changing MTU from %d to %d\n",
		   netdev->mtu, new_mtu);
	netdev->mtu = new_mtu;

	if (netif_running(netdev))
		simnic_up(adapter);
	else
		simnic_reset(adapter);

	clear_bit(__SIMNIC_RESETTING, &adapter->flags);
	return 0;
}

/**
 * simnic_update_stats - update the board statistics counters
 * @adapter: board private structure
 *
 * Folds the clear-on-read hardware counters into adapter->stats and derives
 * the net_device statistics.  Takes stats_lock with interrupts saved, so it
 * is callable from the watchdog (softirq) and from process context.
 */
void simnic_update_stats(struct simnic_adapter *adapter)
{
	struct net_device *netdev = adapter->netdev;
	struct simnic_hw *hw = &adapter->hw;
	struct pci_dev *pdev = adapter->pdev;
	unsigned long flags;

	/* Prevent stats update while adapter is being reset, or if the pci
	 * connection is down.
	 */
	if (adapter->link_speed == 0 &&
	    test_bit(__SIMNIC_RESETTING, &adapter->flags))
		return;
	if (pci_channel_offline(pdev))
		return;

	spin_lock_irqsave(&adapter->stats_lock, flags);

	simnic_update_hw_stats(hw, &adapter->stats);

	/* fill out the OS statistics structure */
	netdev->stats.multicast = adapter->stats.mprc;
	netdev->stats.collisions = adapter->stats.colc;

	/* RX errors */
	netdev->stats.rx_errors = adapter->stats.rxerrc +
		adapter->stats.crcerrs + adapter->stats.algnerrc +
		adapter->stats.ruc + adapter->stats.roc;
	adapter->net_stats.rx_length_errors = adapter->stats.ruc +
					      adapter->stats.roc;
	netdev->stats.rx_length_errors = adapter->net_stats.rx_length_errors;
	netdev->stats.rx_crc_errors = adapter->stats.crcerrs;
	netdev->stats.rx_frame_errors = adapter->stats.algnerrc;
	netdev->stats.rx_missed_errors = adapter->stats.mpc;
	netdev->stats.rx_fifo_errors = adapter->stats.rnbc;

	spin_unlock_irqrestore(&adapter->stats_lock, flags);
}

/**
 * simnic_get_stats64 - ndo_get_stats64
 * @netdev: network interface device structure
 * @stats: out: the totals
 *
 * Packet and byte totals come from the driver's own counters (updated on
 * the hot path); error counters from the last simnic_update_stats().
 */
static void simnic_get_stats64(struct net_device *netdev,
			       struct rtnl_link_stats64 *stats)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	unsigned long flags;

	spin_lock_irqsave(&adapter->stats_lock, flags);
	stats->rx_packets = adapter->sw_stats.rx_packets;
	stats->tx_packets = adapter->sw_stats.tx_packets;
	stats->rx_bytes = adapter->sw_stats.rx_bytes;
	stats->tx_bytes = adapter->sw_stats.tx_bytes;
	stats->rx_dropped = adapter->sw_stats.rx_dropped;
	stats->rx_errors = netdev->stats.rx_errors;
	stats->rx_length_errors = netdev->stats.rx_length_errors;
	stats->rx_crc_errors = netdev->stats.rx_crc_errors;
	stats->rx_frame_errors = netdev->stats.rx_frame_errors;
	stats->rx_missed_errors = netdev->stats.rx_missed_errors;
	stats->rx_fifo_errors = netdev->stats.rx_fifo_errors;
	stats->multicast = netdev->stats.multicast;
	stats->collisions = netdev->stats.collisions;
	stats->tx_errors = adapter->sw_stats.tx_dma_failed;
	stats->tx_dropped = adapter->sw_stats.tx_dma_failed;
	spin_unlock_irqrestore(&adapter->stats_lock, flags);
}

/**
 * simnic_intr - interrupt handler (hard-IRQ context)
 * @irq: interrupt number
 * @data: pointer to a network interface device structure
 *
 * Reads (and so acknowledges) the cause register, notes link changes for
 * the watchdog, masks the device and hands the work to NAPI.
 */
static irqreturn_t simnic_intr(int irq, void *data)
{
	struct net_device *netdev = data;
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	u32 icr = er32(ICR);

	if (unlikely(!icr))
		return IRQ_NONE;  /* Not our interrupt */

	adapter->sw_stats.irqs++;

	if (unlikely(icr & (SIMNIC_ICR_RXSEQ | SIMNIC_ICR_LSC))) {
		hw->get_link_status = true;
		/* guard against interrupt when we're going down */
		if (!test_bit(__SIMNIC_DOWN, &adapter->flags))
			mod_timer(&adapter->watchdog_timer, jiffies + 1);
	}

	/* disable interrupts, without the synchronize_irq bit */
	ew32(IMC, ~0);
	SIMNIC_WRITE_FLUSH();

	if (likely(napi_schedule_prep(&adapter->napi))) {
		adapter->total_tx_bytes = 0;
		adapter->total_tx_packets = 0;
		adapter->total_rx_bytes = 0;
		adapter->total_rx_packets = 0;
		__napi_schedule(&adapter->napi);
	} else {
		/* this really should not happen! if it does it is basically a
		 * bug, but not a hard error, so enable ints and continue
		 */
		if (!test_bit(__SIMNIC_DOWN, &adapter->flags))
			simnic_irq_enable(adapter);
	}

	return IRQ_HANDLED;
}

/* adaptive interrupt moderation: pick the ITR class for the last poll */
static unsigned int simnic_update_itr(unsigned int itr_setting,
				      int packets, int bytes)
{
	unsigned int retval = itr_setting;

	if (packets == 0)
		return itr_setting;

	switch (itr_setting) {
	case 0:		/* lowest latency */
		if (bytes / packets > 8000)
			retval = 2;
		else if ((packets < 5) && (bytes > 512))
			retval = 1;
		break;
	case 1:		/* low latency */
		if (bytes > 10000) {
			if (bytes / packets > 8000)
				retval = 2;
			else if ((packets < 10) || ((bytes / packets) > 1200))
				retval = 2;
			else if ((packets > 35))
				retval = 0;
		} else if (bytes / packets > 2000) {
			retval = 2;
		} else if (packets <= 2 && bytes < 512) {
			retval = 0;
		}
		break;
	case 2:		/* bulk latency */
		if (bytes > 25000) {
			if (packets > 35)
				retval = 1;
		} else if (bytes < 6000) {
			retval = 1;
		}
		break;
	}
	return retval;
}

/* program a new interrupt throttling rate after a poll */
static void simnic_set_itr(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	u16 current_itr;
	u32 new_itr = adapter->itr;

	/* only the dynamic modes (1 and 3) adapt; fixed rates stay put */
	if (adapter->itr_setting != 1 && adapter->itr_setting != 3)
		return;

	adapter->tx_itr = simnic_update_itr(adapter->tx_itr,
					    adapter->total_tx_packets,
					    adapter->total_tx_bytes);
	adapter->rx_itr = simnic_update_itr(adapter->rx_itr,
					    adapter->total_rx_packets,
					    adapter->total_rx_bytes);
	current_itr = max(adapter->rx_itr, adapter->tx_itr);

	switch (current_itr) {
	case 0:
		new_itr = 70000;
		break;
	case 1:
		new_itr = 20000;
		break;
	case 2:
		new_itr = 4000;
		break;
	default:
		break;
	}

	if (new_itr != adapter->itr) {
		/* this attempts to bias the interrupt rate towards Bulk
		 * by adding intermediate steps when interrupt rate is
		 * increasing
		 */
		new_itr = new_itr > adapter->itr ?
			  min(adapter->itr + (new_itr >> 2), new_itr) :
			  new_itr;
		adapter->itr = new_itr;
		ew32(ITR, 1000000000 / (new_itr * 256));
	}
}

/**
 * simnic_clean - NAPI poll routine (softirq context)
 * @napi: napi struct with our devices info in it
 * @budget: amount of packets driver is allowed to process this poll
 *
 * Returns the number of RX frames processed; when below @budget, NAPI is
 * completed and interrupts re-enabled.
 */
static int simnic_clean(struct napi_struct *napi, int budget)
{
	struct simnic_adapter *adapter = container_of(napi,
						      struct simnic_adapter,
						      napi);
	int tx_clean_complete, work_done = 0;

	adapter->sw_stats.napi_polls++;
	tx_clean_complete = simnic_clean_tx_irq(adapter, adapter->tx_ring);

	simnic_clean_rx_irq(adapter, adapter->rx_ring, &work_done, budget);

	if (!tx_clean_complete || work_done == budget)
		return budget;

	/* Exit the polling mode, but don't re-enable interrupts if stack
	 * might poll us due to busy-polling
	 */
	if (likely(napi_complete_done(napi, work_done))) {
		simnic_set_itr(adapter);
		if (!test_bit(__SIMNIC_DOWN, &adapter->flags))
			simnic_irq_enable(adapter);
	}

	return work_done;
}

/**
 * simnic_clean_tx_irq - reclaim resources after transmit completes
 * @adapter: board private structure
 * @tx_ring: ring to clean
 *
 * Returns true when the ring was cleaned completely within the budget.
 */
static bool simnic_clean_tx_irq(struct simnic_adapter *adapter,
				struct simnic_tx_ring *tx_ring)
{
	struct net_device *netdev = adapter->netdev;
	struct simnic_tx_desc *tx_desc, *eop_desc;
	struct simnic_tx_buffer *buffer_info;
	unsigned int i, eop;
	unsigned int count = 0;
	unsigned int total_tx_bytes = 0, total_tx_packets = 0;
	unsigned int bytes_compl = 0, pkts_compl = 0;

	i = tx_ring->next_to_clean;
	eop = tx_ring->buffer_info[i].next_to_watch;
	eop_desc = SIMNIC_TX_DESC(*tx_ring, eop);

	while ((eop_desc->status & SIMNIC_TXD_STAT_DD) &&
	       (count < tx_ring->count)) {
		bool cleaned = false;

		dma_rmb();	/* read buffer_info after eop_desc */
		for (; !cleaned; count++) {
			tx_desc = SIMNIC_TX_DESC(*tx_ring, i);
			buffer_info = &tx_ring->buffer_info[i];
			cleaned = (i == eop);

			if (cleaned) {
				total_tx_packets += buffer_info->segs;
				total_tx_bytes += buffer_info->bytecount;
				if (buffer_info->skb) {
					bytes_compl += buffer_info->skb->len;
					pkts_compl++;
				}
			}
			simnic_unmap_and_free_tx_resource(adapter, buffer_info,
							  64);
			tx_desc->status = 0;

			if (unlikely(++i == tx_ring->count))
				i = 0;
		}

		eop = tx_ring->buffer_info[i].next_to_watch;
		eop_desc = SIMNIC_TX_DESC(*tx_ring, eop);
	}

	/* Synchronize with simnic_maybe_stop_tx: the write to next_to_clean
	 * must be visible before the queue state is examined.
	 */
	smp_store_release(&tx_ring->next_to_clean, i);

	netdev_completed_queue(netdev, pkts_compl, bytes_compl);

#define TX_WAKE_THRESHOLD 32
	if (unlikely(count && netif_carrier_ok(netdev) &&
		     SIMNIC_DESC_UNUSED(tx_ring) >= TX_WAKE_THRESHOLD)) {
		smp_mb();
		if (netif_queue_stopped(netdev) &&
		    !(test_bit(__SIMNIC_DOWN, &adapter->flags))) {
			netif_wake_queue(netdev);
			++adapter->restart_queue;
			adapter->sw_stats.restart_queue++;
		}
	}

	if (count)
		adapter->detect_tx_hung = false;

	adapter->total_tx_bytes += total_tx_bytes;
	adapter->total_tx_packets += total_tx_packets;
	adapter->sw_stats.tx_bytes += total_tx_bytes;
	adapter->sw_stats.tx_packets += total_tx_packets;
	return count < tx_ring->count;
}

/* allocate a small skb and copy a short frame into it */
static struct sk_buff *simnic_rx_copybreak(struct simnic_adapter *adapter,
					struct simnic_rx_buffer *buffer_info,
					u32 length)
{
	struct sk_buff *skb;

	if (length > simnic_copybreak)
		return NULL;

	skb = napi_alloc_skb(&adapter->napi, length);
	if (!skb)
		return NULL;

	dma_sync_single_for_cpu(&adapter->pdev->dev, buffer_info->dma,
				length, DMA_FROM_DEVICE);
	skb_put_data(skb, buffer_info->skb->data, length);
	dma_sync_single_for_device(&adapter->pdev->dev, buffer_info->dma,
				   length, DMA_FROM_DEVICE);
	return skb;
}

/**
 * simnic_clean_rx_irq - send received data up the network stack
 * @adapter: board private structure
 * @rx_ring: ring to clean
 * @work_done: in/out: frames processed in this poll
 * @work_to_do: the poll's budget
 *
 * Returns true if any descriptor was cleaned.  Frames shorter than the
 * copybreak are copied so the big buffer can be reused in place.
 */
static bool simnic_clean_rx_irq(struct simnic_adapter *adapter,
				struct simnic_rx_ring *rx_ring,
				int *work_done, int work_to_do)
{
	struct net_device *netdev = adapter->netdev;
	struct pci_dev *pdev = adapter->pdev;
	struct simnic_rx_desc *rx_desc, *next_rxd;
	struct simnic_rx_buffer *buffer_info, *next_buffer;
	u32 length;
	unsigned int i;
	int cleaned_count = 0;
	bool cleaned = false;
	unsigned int total_rx_bytes = 0, total_rx_packets = 0;

	i = rx_ring->next_to_clean;
	rx_desc = SIMNIC_RX_DESC(*rx_ring, i);
	buffer_info = &rx_ring->buffer_info[i];

	while (rx_desc->status & SIMNIC_RXD_STAT_DD) {
		struct sk_buff *skb;
		u8 status;

		if (*work_done >= work_to_do)
			break;
		(*work_done)++;
		dma_rmb(); /* read descriptor and rx_buffer_info after status DD */

		status = rx_desc->status;
		length = le16_to_cpu(rx_desc->length);

		skb = simnic_rx_copybreak(adapter, buffer_info, length);
		if (!skb) {
			skb = buffer_info->skb;
			buffer_info->skb = NULL;
			dma_unmap_single(&pdev->dev, buffer_info->dma,
					 adapter->rx_buffer_len,
					 DMA_FROM_DEVICE);
			buffer_info->dma = 0;
			skb_put(skb, length);
		}

		if (++i == rx_ring->count)
			i = 0;

		next_rxd = SIMNIC_RX_DESC(*rx_ring, i);
		prefetch(next_rxd);

		next_buffer = &rx_ring->buffer_info[i];

		cleaned = true;
		cleaned_count++;

		/* !EOP means multiple descriptors were used to store a single
		 * packet, if that's the case we need to toss it.
		 */
		if (unlikely(!(status & SIMNIC_RXD_STAT_EOP)))
			adapter->discarding = true;

		if (adapter->discarding) {
			/* all receives must fit into a single buffer */
			netdev_dbg(netdev, "Receive packet consumed multiple buffers\n");
			dev_kfree_skb(skb);
			adapter->sw_stats.rx_dropped++;
			if (status & SIMNIC_RXD_STAT_EOP)
				adapter->discarding = false;
			goto next_desc;
		}

		if (unlikely(rx_desc->errors & (SIMNIC_RXD_ERR_CE |
						SIMNIC_RXD_ERR_RXE))) {
			adapter->sw_stats.rx_errors++;
			if (rx_desc->errors & SIMNIC_RXD_ERR_CE)
				adapter->sw_stats.rx_crc_errors++;
			dev_kfree_skb(skb);
			goto next_desc;
		}

		total_rx_bytes += length;
		total_rx_packets++;

		skb->protocol = eth_type_trans(skb, netdev);
		napi_gro_receive(&adapter->napi, skb);

next_desc:
		rx_desc->status = 0;

		/* return some buffers to hardware, one at a time is too slow */
		if (unlikely(cleaned_count >= SIMNIC_RX_BUFFER_WRITE)) {
			simnic_alloc_rx_buffers(adapter, rx_ring,
						cleaned_count);
			cleaned_count = 0;
		}

		/* use prefetched values */
		rx_desc = next_rxd;
		buffer_info = next_buffer;
	}
	rx_ring->next_to_clean = i;

	cleaned_count = SIMNIC_DESC_UNUSED(rx_ring);
	if (cleaned_count)
		simnic_alloc_rx_buffers(adapter, rx_ring, cleaned_count);

	adapter->total_rx_packets += total_rx_packets;
	adapter->total_rx_bytes += total_rx_bytes;
	adapter->sw_stats.rx_bytes += total_rx_bytes;
	adapter->sw_stats.rx_packets += total_rx_packets;
	return cleaned;
}

/**
 * simnic_alloc_rx_buffers - replace used receive buffers
 * @adapter: board private structure
 * @rx_ring: ring to place buffers on
 * @cleaned_count: number of buffers to replace
 *
 * Buffers still attached (reused after a copybreak) are only re-armed.
 * Safe in softirq context (GFP_ATOMIC allocations).
 */
static void simnic_alloc_rx_buffers(struct simnic_adapter *adapter,
				    struct simnic_rx_ring *rx_ring,
				    int cleaned_count)
{
	struct simnic_hw *hw = &adapter->hw;
	struct pci_dev *pdev = adapter->pdev;
	struct simnic_rx_desc *rx_desc;
	struct simnic_rx_buffer *buffer_info;
	unsigned int i;
	unsigned int bufsz = adapter->rx_buffer_len;

	i = rx_ring->next_to_use;
	buffer_info = &rx_ring->buffer_info[i];

	while (cleaned_count--) {
		struct sk_buff *skb = buffer_info->skb;

		if (skb) {
			skb_trim(skb, 0);
			goto map_skb;
		}

		skb = netdev_alloc_skb_ip_align(adapter->netdev, bufsz);
		if (unlikely(!skb)) {
			/* Better luck next round */
			adapter->alloc_rx_buff_failed++;
			adapter->sw_stats.alloc_rx_buff_failed++;
			break;
		}
		buffer_info->skb = skb;
map_skb:
		if (!buffer_info->dma) {
			buffer_info->dma = dma_map_single(&pdev->dev, skb->data,
							  bufsz,
							  DMA_FROM_DEVICE);
			if (dma_mapping_error(&pdev->dev, buffer_info->dma)) {
				dev_kfree_skb(skb);
				buffer_info->skb = NULL;
				buffer_info->dma = 0;
				adapter->alloc_rx_buff_failed++;
				adapter->sw_stats.alloc_rx_buff_failed++;
				break;
			}
		}

		rx_desc = SIMNIC_RX_DESC(*rx_ring, i);
		rx_desc->buffer_addr = cpu_to_le64(buffer_info->dma);
		rx_desc->status = 0;

		if (unlikely(++i == rx_ring->count))
			i = 0;
		buffer_info = &rx_ring->buffer_info[i];
	}

	if (likely(rx_ring->next_to_use != i)) {
		rx_ring->next_to_use = i;
		if (unlikely(i-- == 0))
			i = (rx_ring->count - 1);

		/* Force memory writes to complete before letting h/w
		 * know there are new descriptors to fetch.
		 */
		dma_wmb();
		writel(i, hw->hw_addr + rx_ring->rdt);
	}
}

/**
 * simnic_set_spd_dplx - force speed and duplex (ethtool)
 * @adapter: board private structure
 * @spd: SPEED_10, SPEED_100 or SPEED_1000
 * @dplx: DUPLEX_HALF or DUPLEX_FULL
 *
 * Returns 0, or -EINVAL for an unsupported combination (1000/half).
 */
int simnic_set_spd_dplx(struct simnic_adapter *adapter, u32 spd, u8 dplx)
{
	struct simnic_hw *hw = &adapter->hw;

	hw->autoneg = 0;

	/* Make sure dplx is at most 1 bit and lsb of speed is not set
	 * for the switch() below to work
	 */
	if ((spd & 1) || (dplx & ~1))
		goto err_inval;

	switch (spd + dplx) {
	case SPEED_10 + DUPLEX_HALF:
	case SPEED_10 + DUPLEX_FULL:
	case SPEED_100 + DUPLEX_HALF:
	case SPEED_100 + DUPLEX_FULL:
		hw->forced_speed = spd;
		hw->forced_duplex = dplx;
		break;
	case SPEED_1000 + DUPLEX_FULL:
		hw->forced_speed = 1000;
		hw->forced_duplex = 1;
		break;
	case SPEED_1000 + DUPLEX_HALF: /* not supported */
	default:
		goto err_inval;
	}

	/* clear MDI, MDI(-X) override is only allowed when autoneg enabled */
	hw->mdix = 0;
	return 0;

err_inval:
	netdev_err(adapter->netdev, "Unsupported Speed/Duplex configuration\n");
	return -EINVAL;
}
