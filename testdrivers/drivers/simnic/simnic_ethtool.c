// SPDX-License-Identifier: GPL-2.0
/*
 * simnic_ethtool.c - ethtool support for the simnic driver.
 *
 * The configuration half of the driver as seen from ethtool, organised like
 * e1000_ethtool.c: driver info, link settings (get/set, which may force
 * speed and duplex and restart the interface), ring sizes (set reallocates
 * both rings and rolls back on failure), pause parameters, message level,
 * register dump, EEPROM read and write (with checksum update), statistics
 * strings and values, nway restart, link state, and an offline self-test
 * made of a register test, an EEPROM test, an interrupt test and a MAC
 * loopback test on private test rings, plus the link test.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/delay.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "simnic.h"

enum { NETDEV_STATS, SIMNIC_ADAPTER_STATS };

struct simnic_stats {
	char stat_string[ETH_GSTRING_LEN];
	int type;
	int sizeof_stat;
	int stat_offset;
};

#define SIMNIC_STAT(m)		SIMNIC_ADAPTER_STATS, \
				sizeof(((struct simnic_adapter *)0)->m), \
				offsetof(struct simnic_adapter, m)
#define SIMNIC_NETDEV_STAT(m)	NETDEV_STATS, \
				sizeof(((struct net_device *)0)->m), \
				offsetof(struct net_device, m)

static const struct simnic_stats simnic_gstrings_stats[] = {
	{ "rx_packets", SIMNIC_STAT(sw_stats.rx_packets) },
	{ "tx_packets", SIMNIC_STAT(sw_stats.tx_packets) },
	{ "rx_bytes", SIMNIC_STAT(sw_stats.rx_bytes) },
	{ "tx_bytes", SIMNIC_STAT(sw_stats.tx_bytes) },
	{ "rx_broadcast", SIMNIC_STAT(stats.bprc) },
	{ "tx_broadcast", SIMNIC_STAT(stats.bptc) },
	{ "rx_multicast", SIMNIC_STAT(stats.mprc) },
	{ "tx_multicast", SIMNIC_STAT(stats.mptc) },
	{ "rx_errors", SIMNIC_NETDEV_STAT(stats.rx_errors) },
	{ "rx_dropped", SIMNIC_STAT(sw_stats.rx_dropped) },
	{ "rx_length_errors", SIMNIC_NETDEV_STAT(stats.rx_length_errors) },
	{ "rx_crc_errors", SIMNIC_STAT(stats.crcerrs) },
	{ "rx_missed_errors", SIMNIC_STAT(stats.mpc) },
	{ "rx_no_buffer_count", SIMNIC_STAT(stats.rnbc) },
	{ "hw_rx_packets", SIMNIC_STAT(stats.gprc) },
	{ "hw_tx_packets", SIMNIC_STAT(stats.gptc) },
	{ "hw_rx_bytes", SIMNIC_STAT(stats.gorc) },
	{ "hw_tx_bytes", SIMNIC_STAT(stats.gotc) },
	{ "tx_restart_queue", SIMNIC_STAT(sw_stats.restart_queue) },
	{ "tx_timeout_count", SIMNIC_STAT(sw_stats.tx_timeout_count) },
	{ "tx_busy", SIMNIC_STAT(sw_stats.tx_busy) },
	{ "tx_dma_failed", SIMNIC_STAT(sw_stats.tx_dma_failed) },
	{ "alloc_rx_buff_failed", SIMNIC_STAT(sw_stats.alloc_rx_buff_failed) },
	{ "tx_flow_control_xon", SIMNIC_STAT(stats.xontxc) },
	{ "rx_flow_control_xon", SIMNIC_STAT(stats.xonrxc) },
	{ "tx_flow_control_xoff", SIMNIC_STAT(stats.xofftxc) },
	{ "rx_flow_control_xoff", SIMNIC_STAT(stats.xoffrxc) },
	{ "reset_count", SIMNIC_STAT(sw_stats.reset_count) },
	{ "link_changes", SIMNIC_STAT(sw_stats.link_changes) },
	{ "lost_interrupts", SIMNIC_STAT(sw_stats.lost_interrupts) },
};

#define SIMNIC_QUEUE_STATS_LEN 0
#define SIMNIC_GLOBAL_STATS_LEN ARRAY_SIZE(simnic_gstrings_stats)
#define SIMNIC_STATS_LEN (SIMNIC_GLOBAL_STATS_LEN + SIMNIC_QUEUE_STATS_LEN)
static const char simnic_gstrings_test[][ETH_GSTRING_LEN] = {
	"Register test  (offline)", "Eeprom test    (offline)",
	"Interrupt test (offline)", "Loopback test  (offline)",
	"Link test   (on/offline)"
};

#define SIMNIC_TEST_LEN	ARRAY_SIZE(simnic_gstrings_test)
#define SIMNIC_REGS_DUMP_WORDS	32

/**
 * simnic_get_link_ksettings - ethtool get_link_ksettings
 * @netdev: network interface device structure
 * @cmd: out: supported/advertised modes, speed, duplex, port, autoneg
 */
static int simnic_get_link_ksettings(struct net_device *netdev,
				     struct ethtool_link_ksettings *cmd)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	u32 supported, advertising;

	supported = (SUPPORTED_10baseT_Half | SUPPORTED_10baseT_Full |
		     SUPPORTED_100baseT_Half | SUPPORTED_100baseT_Full |
		     SUPPORTED_1000baseT_Full | SUPPORTED_Autoneg |
		     SUPPORTED_TP);
	advertising = ADVERTISED_TP;

	if (hw->autoneg == 1) {
		advertising |= ADVERTISED_Autoneg;
		/* the simnic autoneg mask uses the ethtool bit layout */
		advertising |= hw->autoneg_advertised;
	}
	cmd->base.port = PORT_TP;
	cmd->base.phy_address = hw->phy_addr;

	if (netif_running(netdev) && netif_carrier_ok(netdev)) {
		cmd->base.speed = adapter->link_speed;
		cmd->base.duplex = adapter->link_duplex ? DUPLEX_FULL :
							  DUPLEX_HALF;
	} else {
		cmd->base.speed = SPEED_UNKNOWN;
		cmd->base.duplex = DUPLEX_UNKNOWN;
	}

	cmd->base.autoneg = hw->autoneg ? AUTONEG_ENABLE : AUTONEG_DISABLE;
	cmd->base.eth_tp_mdix = ETH_TP_MDI_INVALID;
	cmd->base.eth_tp_mdix_ctrl = ETH_TP_MDI_AUTO;

	ethtool_convert_legacy_u32_to_link_mode(cmd->link_modes.supported,
						supported);
	ethtool_convert_legacy_u32_to_link_mode(cmd->link_modes.advertising,
						advertising);
	return 0;
}

/**
 * simnic_set_link_ksettings - ethtool set_link_ksettings
 * @netdev: network interface device structure
 * @cmd: the requested settings
 *
 * Returns 0, or -EINVAL for an unsupported speed/duplex/advertisement.  The
 * interface is restarted (or the MAC reset) to apply the change.
 */
static int simnic_set_link_ksettings(struct net_device *netdev,
				     const struct ethtool_link_ksettings *cmd)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	u32 advertising;

	ethtool_convert_link_mode_to_legacy_u32(&advertising,
						cmd->link_modes.advertising);

	/* MDI setting is only allowed when autoneg enabled because
	 * some hardware doesn't allow MDI setting when speed or
	 * duplex is forced.
	 */
	if (cmd->base.eth_tp_mdix_ctrl &&
	    cmd->base.eth_tp_mdix_ctrl != ETH_TP_MDI_AUTO &&
	    cmd->base.autoneg != AUTONEG_ENABLE) {
		netdev_err(netdev, "forcing MDI/MDI-X state is not supported when link speed and/or duplex are forced\n");
		return -EINVAL;
	}

	while (test_and_set_bit(__SIMNIC_RESETTING, &adapter->flags))
		msleep(1);

	if (cmd->base.autoneg == AUTONEG_ENABLE) {
		hw->autoneg = 1;
		hw->autoneg_advertised = advertising &
					 SIMNIC_AUTONEG_ADVERTISE_DEFAULT;
		if (!hw->autoneg_advertised)
			hw->autoneg_advertised =
				SIMNIC_AUTONEG_ADVERTISE_DEFAULT;
	} else {
		u32 speed = cmd->base.speed;

		/* calling this overrides forced MDI setting */
		if (simnic_set_spd_dplx(adapter, speed, cmd->base.duplex)) {
			clear_bit(__SIMNIC_RESETTING, &adapter->flags);
			return -EINVAL;
		}
	}

	/* reset the link */
	if (netif_running(adapter->netdev)) {
		simnic_down(adapter);
		simnic_up(adapter);
	} else {
		simnic_reset(adapter);
	}
	clear_bit(__SIMNIC_RESETTING, &adapter->flags);
	return 0;
}

/**
 * simnic_get_link - ethtool get_link
 * @netdev: network interface device structure
 *
 * If the carrier is off, asks the hardware again (the watchdog may not have
 * run yet); returns 1 when the link is up.
 */
static u32 simnic_get_link(struct net_device *netdev)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);

	/* If the link is not reported up to netdev, interrupts are disabled,
	 * and so the physical link state may have changed since we last
	 * looked. Set get_link_status to make sure that the true link
	 * state is interrogated, rather than pulling a cached and possibly
	 * stale link state from the driver.
	 */
	if (!netif_carrier_ok(netdev))
		adapter->hw.get_link_status = true;

	return simnic_has_link(adapter);
}

/* ethtool get_pauseparam */
static void simnic_get_pauseparam(struct net_device *netdev,
				  struct ethtool_pauseparam *pause)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;

	pause->autoneg = (adapter->fc_autoneg ? AUTONEG_ENABLE :
						AUTONEG_DISABLE);

	if (hw->fc == simnic_fc_rx_pause) {
		pause->rx_pause = 1;
	} else if (hw->fc == simnic_fc_tx_pause) {
		pause->tx_pause = 1;
	} else if (hw->fc == simnic_fc_full) {
		pause->rx_pause = 1;
		pause->tx_pause = 1;
	}
}

/**
 * simnic_set_pauseparam - ethtool set_pauseparam
 * @netdev: network interface device structure
 * @pause: requested autoneg/rx/tx pause
 *
 * Returns 0 or the error of re-programming flow control.
 */
static int simnic_set_pauseparam(struct net_device *netdev,
				 struct ethtool_pauseparam *pause)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	int retval = 0;

	adapter->fc_autoneg = pause->autoneg;

	while (test_and_set_bit(__SIMNIC_RESETTING, &adapter->flags))
		msleep(1);

	if (pause->rx_pause && pause->tx_pause)
		hw->fc = simnic_fc_full;
	else if (pause->rx_pause && !pause->tx_pause)
		hw->fc = simnic_fc_rx_pause;
	else if (!pause->rx_pause && pause->tx_pause)
		hw->fc = simnic_fc_tx_pause;
	else if (!pause->rx_pause && !pause->tx_pause)
		hw->fc = simnic_fc_none;

	hw->original_fc = hw->fc;

	if (adapter->fc_autoneg == AUTONEG_ENABLE) {
		if (netif_running(adapter->netdev)) {
			simnic_down(adapter);
			simnic_up(adapter);
		} else {
			simnic_reset(adapter);
		}
	} else {
		retval = simnic_force_mac_fc(hw) ? -EIO : 0;
	}

	clear_bit(__SIMNIC_RESETTING, &adapter->flags);
	return retval;
}

static u32 simnic_get_msglevel(struct net_device *netdev)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);

	return adapter->msg_enable;
}

static void simnic_set_msglevel(struct net_device *netdev, u32 data)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);

	adapter->msg_enable = data;
}

static int simnic_get_regs_len(struct net_device *netdev)
{
	return SIMNIC_REGS_DUMP_WORDS * sizeof(u32);
}

/**
 * simnic_get_regs - ethtool register dump
 * @netdev: network interface device structure
 * @regs: out: version (1 << 24 | revision << 16 | device id)
 * @p: out: SIMNIC_REGS_DUMP_WORDS registers
 *
 * The statistics registers are not dumped: reading them would clear them.
 */
static void simnic_get_regs(struct net_device *netdev,
			    struct ethtool_regs *regs, void *p)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	u32 *regs_buff = p;
	u16 phy_data;

	memset(p, 0, SIMNIC_REGS_DUMP_WORDS * sizeof(u32));

	regs->version = (1u << 24) | (hw->revision_id << 16) | hw->device_id;

	regs_buff[0]  = er32(CTRL);
	regs_buff[1]  = er32(STATUS);

	regs_buff[2]  = er32(RCTL);
	regs_buff[3]  = er32(RDLEN);
	regs_buff[4]  = er32(RDH);
	regs_buff[5]  = er32(RDT);
	regs_buff[6]  = er32(RDTR);

	regs_buff[7]  = er32(TCTL);
	regs_buff[8]  = er32(TDLEN);
	regs_buff[9]  = er32(TDH);
	regs_buff[10] = er32(TDT);
	regs_buff[11] = er32(TIDV);

	regs_buff[12] = adapter->hw.phy_id;
	regs_buff[13] = er32(IMS);
	regs_buff[14] = er32(ITR);
	regs_buff[15] = er32(CTRL_EXT);
	regs_buff[16] = er32(PBA);
	regs_buff[17] = er32(TIPG);
	regs_buff[18] = er32(FCT);
	regs_buff[19] = er32(FCTTV);
	regs_buff[20] = er32(FCRTL);
	regs_buff[21] = er32(FCRTH);
	regs_buff[22] = SIMNIC_READ_REG_ARRAY(hw, RA, 0);
	regs_buff[23] = SIMNIC_READ_REG_ARRAY(hw, RA, 1);

	if (!simnic_read_phy_reg(hw, SIMNIC_PHY_CTRL, &phy_data))
		regs_buff[24] = phy_data;
	if (!simnic_read_phy_reg(hw, SIMNIC_PHY_STATUS, &phy_data))
		regs_buff[25] = phy_data;
	if (!simnic_read_phy_reg(hw, SIMNIC_PHY_AUTONEG_ADV, &phy_data))
		regs_buff[26] = phy_data;
	if (!simnic_read_phy_reg(hw, SIMNIC_PHY_LP_ABILITY, &phy_data))
		regs_buff[27] = phy_data;
	if (!simnic_read_phy_reg(hw, SIMNIC_PHY_1000T_CTRL, &phy_data))
		regs_buff[28] = phy_data;
	regs_buff[29] = hw->fc;
	regs_buff[30] = adapter->rx_buffer_len;
	regs_buff[31] = adapter->itr;
}

static int simnic_get_eeprom_len(struct net_device *netdev)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);

	return adapter->hw.eeprom_words * 2;
}

/**
 * simnic_get_eeprom - ethtool EEPROM read
 * @netdev: network interface device structure
 * @eeprom: offset/len in bytes; out: magic
 * @bytes: out: the EEPROM bytes
 *
 * Returns 0, -EINVAL for a zero length, -ENOMEM, or -EIO on a read error.
 */
static int simnic_get_eeprom(struct net_device *netdev,
			     struct ethtool_eeprom *eeprom, u8 *bytes)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	u16 *eeprom_buff;
	int first_word, last_word;
	int ret_val = 0;
	u16 i;

	if (eeprom->len == 0)
		return -EINVAL;

	eeprom->magic = hw->vendor_id | (hw->device_id << 16);

	first_word = eeprom->offset >> 1;
	last_word = (eeprom->offset + eeprom->len - 1) >> 1;

	eeprom_buff = kmalloc_array(last_word - first_word + 1, sizeof(u16),
				    GFP_KERNEL);
	if (!eeprom_buff)
		return -ENOMEM;

	ret_val = simnic_read_eeprom(hw, first_word,
				     last_word - first_word + 1, eeprom_buff);
	if (ret_val)
		ret_val = -EIO;

	/* Device's eeprom is always little-endian, word addressable */
	for (i = 0; i < last_word - first_word + 1; i++)
		le16_to_cpus(&eeprom_buff[i]);

	memcpy(bytes, (u8 *)eeprom_buff + (eeprom->offset & 1),
	       eeprom->len);
	kfree(eeprom_buff);

	return ret_val;
}

/**
 * simnic_set_eeprom - ethtool EEPROM write
 * @netdev: network interface device structure
 * @eeprom: offset/len in bytes and the magic the caller read
 * @bytes: the new bytes
 *
 * Partial words at either end are read-modify-written; the checksum word is
 * updated when the write touched the checksummed area.  Returns -EINVAL for
 * a wrong magic, -EFAULT when an EEPROM access fails.
 */
static int simnic_set_eeprom(struct net_device *netdev,
			     struct ethtool_eeprom *eeprom, u8 *bytes)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;
	u16 *eeprom_buff;
	void *ptr;
	int max_len, first_word, last_word, ret_val = 0;
	u16 i;

	if (eeprom->len == 0)
		return -EOPNOTSUPP;

	if (eeprom->magic != (u32)(hw->vendor_id | (hw->device_id << 16)))
		return -EFAULT;

	max_len = hw->eeprom_words * 2;
	if (eeprom->offset + eeprom->len > (u32)max_len)
		return -EINVAL;

	first_word = eeprom->offset >> 1;
	last_word = (eeprom->offset + eeprom->len - 1) >> 1;
	eeprom_buff = kmalloc(max_len, GFP_KERNEL);
	if (!eeprom_buff)
		return -ENOMEM;

	ptr = (void *)eeprom_buff;

	if (eeprom->offset & 1) {
		/* need read/modify/write of first changed EEPROM word */
		/* only the second byte of the word is being modified */
		ret_val = simnic_read_eeprom(hw, first_word, 1,
					     &eeprom_buff[0]);
		ptr++;
	}
	if (((eeprom->offset + eeprom->len) & 1) && (ret_val == 0)) {
		/* need read/modify/write of last changed EEPROM word */
		/* only the first byte of the word is being modified */
		ret_val = simnic_read_eeprom(hw, last_word, 1,
				&eeprom_buff[last_word - first_word]);
	}
	if (ret_val) {
		ret_val = -EFAULT;
		goto out;
	}

	/* Device's eeprom is always little-endian, word addressable */
	for (i = 0; i < last_word - first_word + 1; i++)
		le16_to_cpus(&eeprom_buff[i]);

	memcpy(ptr, bytes, eeprom->len);

	for (i = 0; i < last_word - first_word + 1; i++)
		eeprom_buff[i] = cpu_to_le16(eeprom_buff[i]);

	ret_val = simnic_write_eeprom(hw, first_word,
				      last_word - first_word + 1, eeprom_buff);

	/* Update the checksum over the first part of the EEPROM if needed */
	if ((ret_val == 0) && (first_word <= SIMNIC_EEPROM_CHECKSUM_REG))
		ret_val = simnic_update_eeprom_checksum(hw);
	if (ret_val)
		ret_val = -EFAULT;
out:
	kfree(eeprom_buff);
	return ret_val;
}

/* ethtool get_drvinfo */
static void simnic_get_drvinfo(struct net_device *netdev,
			       struct ethtool_drvinfo *drvinfo)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);

	strscpy(drvinfo->driver, simnic_driver_name,
		sizeof(drvinfo->driver));
	strscpy(drvinfo->version, simnic_driver_version,
		sizeof(drvinfo->version));
	snprintf(drvinfo->fw_version, sizeof(drvinfo->fw_version),
		 "eeprom-%u.%u", adapter->hw.eeprom_version >> 8,
		 adapter->hw.eeprom_version & 0xFF);
	strscpy(drvinfo->bus_info, pci_name(adapter->pdev),
		sizeof(drvinfo->bus_info));
	drvinfo->n_stats = SIMNIC_STATS_LEN;
	drvinfo->testinfo_len = SIMNIC_TEST_LEN;
	drvinfo->regdump_len = simnic_get_regs_len(netdev);
	drvinfo->eedump_len = simnic_get_eeprom_len(netdev);
}

/* ethtool get_ringparam */
static void simnic_get_ringparam(struct net_device *netdev,
				 struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kernel_ring,
				 struct netlink_ext_ack *extack)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_tx_ring *txdr = adapter->tx_ring;
	struct simnic_rx_ring *rxdr = adapter->rx_ring;

	ring->rx_max_pending = SIMNIC_MAX_RXD;
	ring->tx_max_pending = SIMNIC_MAX_TXD;
	ring->rx_pending = rxdr->count;
	ring->tx_pending = txdr->count;
}

/**
 * simnic_set_ringparam - ethtool set_ringparam
 * @netdev: network interface device structure
 * @ring: requested rx/tx pending
 * @kernel_ring: unused
 * @extack: unused
 *
 * Sizes are clamped and rounded to the descriptor multiple.  For a running
 * interface the new rings are allocated before the old ones are released;
 * if allocation fails, the old rings are put back and the interface keeps
 * running with them.  Returns 0, -EINVAL or -ENOMEM.
 */
static int simnic_set_ringparam(struct net_device *netdev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kernel_ring,
				struct netlink_ext_ack *extack)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_tx_ring *txdr, *tx_old;
	struct simnic_rx_ring *rxdr, *rx_old;
	int err;

	if ((ring->rx_mini_pending) || (ring->rx_jumbo_pending))
		return -EINVAL;

	while (test_and_set_bit(__SIMNIC_RESETTING, &adapter->flags))
		msleep(1);

	if (netif_running(adapter->netdev))
		simnic_down(adapter);

	tx_old = adapter->tx_ring;
	rx_old = adapter->rx_ring;

	err = -ENOMEM;
	txdr = kcalloc(1, sizeof(struct simnic_tx_ring), GFP_KERNEL);
	if (!txdr)
		goto err_alloc_tx;

	rxdr = kcalloc(1, sizeof(struct simnic_rx_ring), GFP_KERNEL);
	if (!rxdr)
		goto err_alloc_rx;

	adapter->tx_ring = txdr;
	adapter->rx_ring = rxdr;

	rxdr->count = max(ring->rx_pending, (u32)SIMNIC_MIN_RXD);
	rxdr->count = min(rxdr->count, (u32)SIMNIC_MAX_RXD);
	rxdr->count = ALIGN(rxdr->count, REQ_RX_DESCRIPTOR_MULTIPLE);

	txdr->count = max(ring->tx_pending, (u32)SIMNIC_MIN_TXD);
	txdr->count = min(txdr->count, (u32)SIMNIC_MAX_TXD);
	txdr->count = ALIGN(txdr->count, REQ_TX_DESCRIPTOR_MULTIPLE);

	if (netif_running(adapter->netdev)) {
		/* try to get new resources before deleting old */
		err = simnic_setup_all_rx_resources(adapter);
		if (err)
			goto err_setup_rx;
		err = simnic_setup_all_tx_resources(adapter);
		if (err)
			goto err_setup_tx;

		/* save the new, restore the old in order to free it,
		 * then restore the new back again
		 */
		adapter->rx_ring = rx_old;
		adapter->tx_ring = tx_old;
		simnic_free_all_rx_resources(adapter);
		simnic_free_all_tx_resources(adapter);
		adapter->rx_ring = rxdr;
		adapter->tx_ring = txdr;
		err = simnic_up(adapter);
		if (err)
			goto err_setup;
	}
	kfree(tx_old);
	kfree(rx_old);

	netdev_info(netdev, "ring sizes set to rx %u tx %u\n", rxdr->count,
		    txdr->count);
	clear_bit(__SIMNIC_RESETTING, &adapter->flags);
	return 0;

err_setup_tx:
	simnic_free_all_rx_resources(adapter);
err_setup_rx:
	adapter->rx_ring = rx_old;
	adapter->tx_ring = tx_old;
	kfree(rxdr);
err_alloc_rx:
	kfree(txdr);
err_alloc_tx:
	if (netif_running(adapter->netdev))
		simnic_up(adapter);
err_setup:
	clear_bit(__SIMNIC_RESETTING, &adapter->flags);
	return err;
}

/* write a pattern set to a register and read each one back */
static bool simnic_reg_pattern_test(struct simnic_adapter *adapter, u64 *data,
				    int reg, u32 mask, u32 write)
{
	struct simnic_hw *hw = &adapter->hw;
	static const u32 test[] = {
		0x5A5A5A5A, 0xA5A5A5A5, 0x00000000, 0xFFFFFFFF
	};
	u8 __iomem *address = hw->hw_addr + reg;
	u32 read;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test); i++) {
		writel(write & test[i], address);
		read = readl(address);
		if (read != (write & test[i] & mask)) {
			netdev_err(adapter->netdev,
				   "pattern test reg %04X failed: got 0x%08X expected 0x%08X\n",
				   reg, read, (write & test[i] & mask));
			*data = reg;
			return true;
		}
	}
	return false;
}

/* write one value and check it reads back through the mask */
static bool simnic_reg_set_and_check(struct simnic_adapter *adapter, u64 *data,
				     int reg, u32 mask, u32 write)
{
	struct simnic_hw *hw = &adapter->hw;
	u8 __iomem *address = hw->hw_addr + reg;
	u32 read;

	writel(write & mask, address);
	read = readl(address);
	if ((read & mask) != (write & mask)) {
		netdev_err(adapter->netdev,
			   "set/check reg %04X test failed: got 0x%08X expected 0x%08X\n",
			   reg, (read & mask), (write & mask));
		*data = reg;
		return true;
	}
	return false;
}

#define REG_PATTERN_TEST(reg, mask, write)			     \
	do {							     \
		if (simnic_reg_pattern_test(adapter, data,	     \
			     SIMNIC_##reg, mask, write))	     \
			return 1;				     \
	} while (0)

#define REG_SET_AND_CHECK(reg, mask, write)			     \
	do {							     \
		if (simnic_reg_set_and_check(adapter, data,	     \
			      SIMNIC_##reg, mask, write))	     \
			return 1;				     \
	} while (0)

/**
 * simnic_reg_test - offline register test
 * @adapter: board private structure
 * @data: out: 0, or the offset of the first failing register
 *
 * Returns 0 when every register holds the patterns written to it.
 */
static int simnic_reg_test(struct simnic_adapter *adapter, u64 *data)
{
	struct simnic_hw *hw = &adapter->hw;
	u32 value, before, after;
	u32 i, toggle;

	/* The status register is Read Only, so a write should fail.
	 * Some bits that get toggled are ignored.
	 */
	toggle = 0xFFFFF833;
	before = er32(STATUS);
	value = (er32(STATUS) & toggle);
	ew32(STATUS, toggle);
	after = er32(STATUS) & toggle;
	if (value != after) {
		netdev_err(adapter->netdev,
			   "failed STATUS register test got: 0x%08X expected: 0x%08X\n",
			   after, value);
		*data = 1;
		return 1;
	}
	/* restore previous status */
	ew32(STATUS, before);

	REG_PATTERN_TEST(FCAL, 0xFFFFFFFF, 0xFFFFFFFF);
	REG_PATTERN_TEST(FCAH, 0x0000FFFF, 0xFFFFFFFF);
	REG_PATTERN_TEST(FCT, 0x0000FFFF, 0xFFFFFFFF);
	REG_PATTERN_TEST(VET, 0x0000FFFF, 0xFFFFFFFF);
	REG_PATTERN_TEST(RDTR, 0x0000FFFF, 0xFFFFFFFF);
	REG_PATTERN_TEST(RDBAH, 0xFFFFFFFF, 0xFFFFFFFF);
	REG_PATTERN_TEST(RDLEN, 0x000FFF80, 0x000FFFFF);
	REG_PATTERN_TEST(RDH, 0x0000FFFF, 0x0000FFFF);
	REG_PATTERN_TEST(RDT, 0x0000FFFF, 0x0000FFFF);
	REG_PATTERN_TEST(FCRTH, 0x0000FFF8, 0x0000FFF8);
	REG_PATTERN_TEST(FCTTV, 0x0000FFFF, 0x0000FFFF);
	REG_PATTERN_TEST(TIPG, 0x3FFFFFFF, 0x3FFFFFFF);
	REG_PATTERN_TEST(TDBAH, 0xFFFFFFFF, 0xFFFFFFFF);
	REG_PATTERN_TEST(TDLEN, 0x000FFF80, 0x000FFFFF);

	REG_SET_AND_CHECK(RCTL, 0xFFFFFFFF, 0x00000000);

	before = 0x06DFB3FE;
	REG_SET_AND_CHECK(RCTL, before, 0x003FFFFB);
	REG_SET_AND_CHECK(TCTL, 0xFFFFFFFF, 0x00000000);

	REG_SET_AND_CHECK(RCTL, before, 0xFFFFFFFF);
	REG_PATTERN_TEST(RDBAL, 0xFFFFFFF0, 0xFFFFFFFF);
	REG_PATTERN_TEST(TDBAL, 0xFFFFFFF0, 0xFFFFFFFF);

	value = SIMNIC_RAR_ENTRIES;
	for (i = 0; i < value; i++) {
		REG_PATTERN_TEST(RA + (((i << 1) + 1) << 2), 0x8003FFFF,
				 0xFFFFFFFF);
	}

	value = SIMNIC_MTA_ENTRIES;
	for (i = 0; i < value; i++)
		REG_PATTERN_TEST(MTA + (i << 2), 0xFFFFFFFF, 0xFFFFFFFF);

	*data = 0;
	return *data;
}

/**
 * simnic_eeprom_test - offline EEPROM test
 * @adapter: board private structure
 * @data: out: 0, or 2 when the checksum is wrong
 */
static int simnic_eeprom_test(struct simnic_adapter *adapter, u64 *data)
{
	struct simnic_hw *hw = &adapter->hw;
	u16 temp;
	u16 checksum = 0;
	u16 i;

	*data = 0;
	/* Read and add up the contents of the EEPROM */
	for (i = 0; i < (SIMNIC_EEPROM_CHECKSUM_REG + 1); i++) {
		if ((simnic_read_eeprom(hw, i, 1, &temp)) < 0) {
			*data = 1;
			break;
		}
		checksum += temp;
	}

	/* If Checksum is not Correct return error else test passed */
	if ((checksum != (u16)SIMNIC_EEPROM_SUM) && !(*data))
		*data = 2;

	return *data;
}

/* interrupt handler used only by the interrupt self-test */
static irqreturn_t simnic_test_intr(int irq, void *data)
{
	struct net_device *netdev = (struct net_device *)data;
	struct simnic_adapter *adapter = netdev_priv(netdev);
	struct simnic_hw *hw = &adapter->hw;

	adapter->test_icr |= er32(ICR);

	return IRQ_HANDLED;
}

/**
 * simnic_intr_test - offline interrupt test
 * @adapter: board private structure
 * @data: out: 0, or the number of the failing check
 *
 * For each cause bit: a masked cause must not interrupt, an unmasked one
 * must.  Uses its own handler on the device's line.
 */
static int simnic_intr_test(struct simnic_adapter *adapter, u64 *data)
{
	struct net_device *netdev = adapter->netdev;
	u32 mask, i = 0;
	bool shared_int = true;
	u32 irq = adapter->pdev->irq;
	struct simnic_hw *hw = &adapter->hw;

	*data = 0;

	/* NOTE: we don't test MSI interrupts here, yet
	 * Hook up test interrupt handler just for this test
	 */
	if (!request_irq(irq, simnic_test_intr, IRQF_PROBE_SHARED, netdev->name,
			 netdev))
		shared_int = false;
	else if (request_irq(irq, simnic_test_intr, IRQF_SHARED,
			     netdev->name, netdev)) {
		*data = 1;
		return -1;
	}
	netdev_info(netdev, "testing %s interrupt\n",
		    (shared_int ? "shared" : "unshared"));

	/* Disable all the interrupts */
	ew32(IMC, 0xFFFFFFFF);
	SIMNIC_WRITE_FLUSH();
	msleep(10);

	/* Test each interrupt */
	for (; i < 10; i++) {
		/* Interrupt to test */
		mask = 1 << i;
		if (!(mask & SIMNIC_IMS_ENABLE_MASK))
			continue;

		if (!shared_int) {
			/* Disable the interrupt to be reported in
			 * the cause register and then force the same
			 * interrupt and see if one gets posted.  If
			 * an interrupt was posted to the bus, the
			 * test failed.
			 */
			adapter->test_icr = 0;
			ew32(IMC, mask);
			ew32(ICS, mask);
			SIMNIC_WRITE_FLUSH();
			msleep(10);

			if (adapter->test_icr & mask) {
				*data = 3;
				break;
			}
			/* clear the cause left latched by the masked test */
			er32(ICR);
		}

		/* Enable the interrupt to be reported in
		 * the cause register and then force the same
		 * interrupt and see if one gets posted.  If
		 * an interrupt was not posted to the bus, the
		 * test failed.
		 */
		adapter->test_icr = 0;
		ew32(IMS, mask);
		ew32(ICS, mask);
		SIMNIC_WRITE_FLUSH();
		msleep(10);

		if (!(adapter->test_icr & mask)) {
			*data = 4;
			break;
		}
		ew32(IMC, mask);
		SIMNIC_WRITE_FLUSH();
		msleep(10);
	}

	/* Disable all the interrupts */
	ew32(IMC, 0xFFFFFFFF);
	SIMNIC_WRITE_FLUSH();
	msleep(10);

	/* Unhook test interrupt handler */
	free_irq(irq, netdev);

	return *data;
}

/* release the loopback test's private rings */
static void simnic_free_desc_rings(struct simnic_adapter *adapter)
{
	struct simnic_tx_ring *txdr = &adapter->test_tx_ring;
	struct simnic_rx_ring *rxdr = &adapter->test_rx_ring;
	struct pci_dev *pdev = adapter->pdev;
	unsigned int i;

	if (txdr->desc && txdr->buffer_info) {
		for (i = 0; i < txdr->count; i++) {
			if (txdr->buffer_info[i].dma)
				dma_unmap_single(&pdev->dev,
						 txdr->buffer_info[i].dma,
						 txdr->buffer_info[i].length,
						 DMA_TO_DEVICE);
			dev_kfree_skb(txdr->buffer_info[i].skb);
		}
	}

	if (rxdr->desc && rxdr->buffer_info) {
		for (i = 0; i < rxdr->count; i++) {
			if (rxdr->buffer_info[i].dma)
				dma_unmap_single(&pdev->dev,
						 rxdr->buffer_info[i].dma,
						 SIMNIC_RXBUFFER_2048,
						 DMA_FROM_DEVICE);
			dev_kfree_skb(rxdr->buffer_info[i].skb);
		}
	}

	if (txdr->desc) {
		dma_free_coherent(&pdev->dev, txdr->size, txdr->desc,
				  txdr->dma);
		txdr->desc = NULL;
	}
	if (rxdr->desc) {
		dma_free_coherent(&pdev->dev, rxdr->size, rxdr->desc,
				  rxdr->dma);
		rxdr->desc = NULL;
	}

	kfree(txdr->buffer_info);
	txdr->buffer_info = NULL;
	kfree(rxdr->buffer_info);
	rxdr->buffer_info = NULL;
}

/**
 * simnic_setup_desc_rings - build the loopback test's private rings
 * @adapter: board private structure
 *
 * Returns 0, or a positive failure number (the rings are freed then).  The
 * TX ring is filled with 1024-byte frames ready to send; the RX ring with
 * 2048-byte buffers; both units are programmed and enabled.
 */
static int simnic_setup_desc_rings(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	struct simnic_tx_ring *txdr = &adapter->test_tx_ring;
	struct simnic_rx_ring *rxdr = &adapter->test_rx_ring;
	struct pci_dev *pdev = adapter->pdev;
	u32 rctl;
	unsigned int i;
	int ret_val;

	/* Setup Tx descriptor ring and Tx buffers */

	if (!txdr->count)
		txdr->count = SIMNIC_DEFAULT_TXD;

	txdr->buffer_info = kcalloc(txdr->count, sizeof(struct simnic_tx_buffer),
				    GFP_KERNEL);
	if (!txdr->buffer_info) {
		ret_val = 1;
		goto err_nomem;
	}

	txdr->size = txdr->count * sizeof(struct simnic_tx_desc);
	txdr->size = ALIGN(txdr->size, 4096);
	txdr->desc = dma_alloc_coherent(&pdev->dev, txdr->size, &txdr->dma,
					GFP_KERNEL);
	if (!txdr->desc) {
		ret_val = 2;
		goto err_nomem;
	}
	memset(txdr->desc, 0, txdr->size);
	txdr->next_to_use = txdr->next_to_clean = 0;

	ew32(TDBAL, ((u64)txdr->dma & 0x00000000FFFFFFFF));
	ew32(TDBAH, ((u64)txdr->dma >> 32));
	ew32(TDLEN, txdr->count * sizeof(struct simnic_tx_desc));
	ew32(TDH, 0);
	ew32(TDT, 0);
	ew32(TCTL, SIMNIC_TCTL_PSP | SIMNIC_TCTL_EN |
	     0x10 << SIMNIC_TCTL_CT_SHIFT | 0x40 << SIMNIC_TCTL_COLD_SHIFT);

	for (i = 0; i < txdr->count; i++) {
		struct simnic_tx_desc *tx_desc = SIMNIC_TX_DESC(*txdr, i);
		struct sk_buff *skb;
		unsigned int size = 1024;

		skb = alloc_skb(size, GFP_KERNEL);
		if (!skb) {
			ret_val = 3;
			goto err_nomem;
		}
		skb_put(skb, size);
		txdr->buffer_info[i].skb = skb;
		txdr->buffer_info[i].length = skb->len;
		txdr->buffer_info[i].dma =
			dma_map_single(&pdev->dev, skb->data, skb->len,
				       DMA_TO_DEVICE);
		if (dma_mapping_error(&pdev->dev, txdr->buffer_info[i].dma)) {
			ret_val = 4;
			goto err_nomem;
		}
		tx_desc->buffer_addr = cpu_to_le64(txdr->buffer_info[i].dma);
		tx_desc->length = cpu_to_le16(skb->len);
		tx_desc->cmd = SIMNIC_TXD_CMD_EOP | SIMNIC_TXD_CMD_IFCS |
			       SIMNIC_TXD_CMD_RS;
		tx_desc->status = 0;
		tx_desc->special = 0;
	}

	/* Setup Rx descriptor ring and Rx buffers */

	if (!rxdr->count)
		rxdr->count = SIMNIC_DEFAULT_RXD;

	rxdr->buffer_info = kcalloc(rxdr->count, sizeof(struct simnic_rx_buffer),
				    GFP_KERNEL);
	if (!rxdr->buffer_info) {
		ret_val = 5;
		goto err_nomem;
	}

	rxdr->size = rxdr->count * sizeof(struct simnic_rx_desc);
	rxdr->desc = dma_alloc_coherent(&pdev->dev, rxdr->size, &rxdr->dma,
					GFP_KERNEL);
	if (!rxdr->desc) {
		ret_val = 6;
		goto err_nomem;
	}
	memset(rxdr->desc, 0, rxdr->size);
	rxdr->next_to_use = rxdr->next_to_clean = 0;

	rctl = er32(RCTL);
	ew32(RCTL, rctl & ~SIMNIC_RCTL_EN);
	ew32(RDBAL, ((u64)rxdr->dma & 0xFFFFFFFF));
	ew32(RDBAH, ((u64)rxdr->dma >> 32));
	ew32(RDLEN, rxdr->size);
	ew32(RDH, 0);
	ew32(RDT, 0);
	rctl = SIMNIC_RCTL_EN | SIMNIC_RCTL_BAM | SIMNIC_RCTL_SZ_2048 |
	       SIMNIC_RCTL_SECRC;
	ew32(RCTL, rctl);

	for (i = 0; i < rxdr->count; i++) {
		struct simnic_rx_desc *rx_desc = SIMNIC_RX_DESC(*rxdr, i);
		struct sk_buff *skb;

		skb = alloc_skb(SIMNIC_RXBUFFER_2048 + NET_IP_ALIGN,
				GFP_KERNEL);
		if (!skb) {
			ret_val = 7;
			goto err_nomem;
		}
		skb_reserve(skb, NET_IP_ALIGN);
		rxdr->buffer_info[i].skb = skb;
		rxdr->buffer_info[i].dma =
			dma_map_single(&pdev->dev, skb->data,
				       SIMNIC_RXBUFFER_2048, DMA_FROM_DEVICE);
		if (dma_mapping_error(&pdev->dev, rxdr->buffer_info[i].dma)) {
			ret_val = 8;
			goto err_nomem;
		}
		rx_desc->buffer_addr = cpu_to_le64(rxdr->buffer_info[i].dma);
		memset(skb->data, 0x00, skb->len);
	}

	return 0;

err_nomem:
	simnic_free_desc_rings(adapter);
	return ret_val;
}

/* fill a test frame: broadcast destination, 0xFF first half, 0xAA/0xBE marks */
static void simnic_create_lbtest_frame(struct sk_buff *skb,
				       unsigned int frame_size)
{
	memset(skb->data, 0xFF, frame_size);
	frame_size &= ~1;
	memset(&skb->data[frame_size / 2], 0xAA, frame_size / 2 - 1);
	skb->data[frame_size / 2 + 10] = 0xBE;
	skb->data[frame_size / 2 + 12] = 0xAF;
}

/* check a received test frame for the marks */
static int simnic_check_lbtest_frame(const unsigned char *data,
				     unsigned int frame_size)
{
	frame_size &= ~1;
	if (*(data + 3) == 0xFF) {
		if ((*(data + frame_size / 2 + 10) == 0xBE) &&
		    (*(data + frame_size / 2 + 12) == 0xAF)) {
			return 0;
		}
	}
	return 13;
}

/**
 * simnic_run_loopback_test - send frames around the MAC loopback and check
 * @adapter: board private structure
 *
 * Returns 0, or 13 (a frame came back damaged) or 14 (frames did not come
 * back in time).  Runs with interrupts masked and polls descriptor status.
 */
static int simnic_run_loopback_test(struct simnic_adapter *adapter)
{
	struct simnic_hw *hw = &adapter->hw;
	struct simnic_tx_ring *txdr = &adapter->test_tx_ring;
	struct simnic_rx_ring *rxdr = &adapter->test_rx_ring;
	struct pci_dev *pdev = adapter->pdev;
	unsigned int i, j, k, l, lc;
	int good_cnt, ret_val = 0;
	unsigned long time;

	ew32(RDT, rxdr->count - 1);

	/* Calculate the loop count based on the largest descriptor ring
	 * The idea is to wrap the largest ring a number of times using 64
	 * send/receive pairs during each loop
	 */

	if (rxdr->count <= txdr->count)
		lc = ((txdr->count / 64) * 2) + 1;
	else
		lc = ((rxdr->count / 64) * 2) + 1;

	k = l = 0;
	for (j = 0; j <= lc; j++) { /* loop count loop */
		for (i = 0; i < 64; i++) { /* send the packets */
			simnic_create_lbtest_frame(txdr->buffer_info[k].skb,
						   1024);
			dma_sync_single_for_device(&pdev->dev,
						   txdr->buffer_info[k].dma,
						   txdr->buffer_info[k].length,
						   DMA_TO_DEVICE);
			SIMNIC_TX_DESC(*txdr, k)->status = 0;
			if (unlikely(++k == txdr->count))
				k = 0;
		}
		ew32(TDT, k);
		SIMNIC_WRITE_FLUSH();
		msleep(20);
		time = jiffies; /* set the start time for the receive */
		good_cnt = 0;
		do { /* receive the sent packets */
			struct simnic_rx_desc *rx_desc = SIMNIC_RX_DESC(*rxdr, l);

			if (!(rx_desc->status & SIMNIC_RXD_STAT_DD)) {
				msleep(1);
				continue;
			}
			dma_sync_single_for_cpu(&pdev->dev,
						rxdr->buffer_info[l].dma,
						SIMNIC_RXBUFFER_2048,
						DMA_FROM_DEVICE);

			ret_val = simnic_check_lbtest_frame(
					rxdr->buffer_info[l].skb->data, 1024);
			if (!ret_val)
				good_cnt++;
			rx_desc->status = 0;
			ew32(RDT, l);
			if (unlikely(++l == rxdr->count))
				l = 0;
			/* time + 20 msecs (200 msecs on 2.4) is more than
			 * enough time to complete the receives, if it's
			 * exceeded, break and error off
			 */
		} while (good_cnt < 64 && time_after(time + 2 * HZ, jiffies));

		if (good_cnt != 64) {
			ret_val = 13; /* ret_val is the same as mis-compare */
			break;
		}
		if (time_after_eq(jiffies, time + 2 * HZ)) {
			ret_val = 14; /* error code for time out error */
			break;
		}
	}
	return ret_val;
}

/**
 * simnic_loopback_test - offline MAC loopback test
 * @adapter: board private structure
 * @data: out: 0 or the failure number
 */
static int simnic_loopback_test(struct simnic_adapter *adapter, u64 *data)
{
	struct simnic_hw *hw = &adapter->hw;

	*data = simnic_setup_desc_rings(adapter);
	if (*data)
		goto out;
	simnic_set_mac_loopback(hw, true);
	*data = simnic_run_loopback_test(adapter);
	simnic_set_mac_loopback(hw, false);
	simnic_free_desc_rings(adapter);
out:
	return *data;
}

/**
 * simnic_link_test - link test (online and offline)
 * @adapter: board private structure
 * @data: out: 0 when the link is up, 1 otherwise
 */
static int simnic_link_test(struct simnic_adapter *adapter, u64 *data)
{
	struct simnic_hw *hw = &adapter->hw;

	*data = 0;
	hw->get_link_status = true;
	simnic_check_for_link(hw);
	if (!(er32(STATUS) & SIMNIC_STATUS_LU))
		*data = 1;
	return *data;
}

static int simnic_get_sset_count(struct net_device *netdev, int sset)
{
	switch (sset) {
	case ETH_SS_TEST:
		return SIMNIC_TEST_LEN;
	case ETH_SS_STATS:
		return SIMNIC_STATS_LEN;
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * simnic_diag_test - ethtool self_test
 * @netdev: network interface device structure
 * @eth_test: in: flags (offline requested); out: FAILED flag
 * @data: out: one result per test, 0 = pass
 *
 * Offline tests take the interface down (closing it if running), run the
 * register, EEPROM, interrupt and loopback tests, reset the MAC and restore
 * the interface.  Online, only the link test runs.
 */
static void simnic_diag_test(struct net_device *netdev,
			     struct ethtool_test *eth_test, u64 *data)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	bool if_running;

	set_bit(__SIMNIC_TESTING, &adapter->flags);

	if (eth_test->flags == ETH_TEST_FL_OFFLINE) {
		/* Offline tests */

		/* save speed, duplex, autoneg settings */
		u16 autoneg_advertised = adapter->hw.autoneg_advertised;
		u16 forced_speed = adapter->hw.forced_speed;
		u8 forced_duplex = adapter->hw.forced_duplex;
		u8 autoneg = adapter->hw.autoneg;

		if_running = netif_running(netdev);
		netif_info(adapter, hw, netdev, "offline testing starting\n");

		/* Link test performed before hardware reset so autoneg doesn't
		 * interfere with test result
		 */
		if (simnic_link_test(adapter, &data[4]))
			eth_test->flags |= ETH_TEST_FL_FAILED;

		if (if_running) {
			/* indicate we're in test mode */
			clear_bit(__SIMNIC_TESTING, &adapter->flags);
			simnic_close(netdev);
			set_bit(__SIMNIC_TESTING, &adapter->flags);
		} else {
			simnic_reset(adapter);
		}

		if (simnic_reg_test(adapter, &data[0]))
			eth_test->flags |= ETH_TEST_FL_FAILED;

		simnic_reset(adapter);
		if (simnic_eeprom_test(adapter, &data[1]))
			eth_test->flags |= ETH_TEST_FL_FAILED;

		simnic_reset(adapter);
		if (simnic_intr_test(adapter, &data[2]))
			eth_test->flags |= ETH_TEST_FL_FAILED;

		simnic_reset(adapter);
		if (simnic_loopback_test(adapter, &data[3]))
			eth_test->flags |= ETH_TEST_FL_FAILED;

		/* restore speed, duplex, autoneg settings */
		adapter->hw.autoneg_advertised = autoneg_advertised;
		adapter->hw.forced_speed = forced_speed;
		adapter->hw.forced_duplex = forced_duplex;
		adapter->hw.autoneg = autoneg;

		simnic_reset(adapter);
		clear_bit(__SIMNIC_TESTING, &adapter->flags);
		if (if_running)
			simnic_open(netdev);
	} else {
		netif_info(adapter, hw, netdev, "online testing starting\n");
		/* Online tests */
		if (simnic_link_test(adapter, &data[4]))
			eth_test->flags |= ETH_TEST_FL_FAILED;

		/* Online tests aren't run; pass by default */
		data[0] = 0;
		data[1] = 0;
		data[2] = 0;
		data[3] = 0;

		clear_bit(__SIMNIC_TESTING, &adapter->flags);
	}
	msleep_interruptible(4 * 1000);
}

/**
 * simnic_nway_reset - ethtool nway_reset: restart autonegotiation
 * @netdev: network interface device structure
 */
static int simnic_nway_reset(struct net_device *netdev)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);

	if (!adapter->hw.autoneg)
		return -EINVAL;
	if (netif_running(netdev))
		simnic_reinit_locked(adapter);
	return 0;
}

/**
 * simnic_get_ethtool_stats - ethtool statistics values
 * @netdev: network interface device structure
 * @stats: unused
 * @data: out: SIMNIC_STATS_LEN values in simnic_gstrings_stats order
 */
static void simnic_get_ethtool_stats(struct net_device *netdev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct simnic_adapter *adapter = netdev_priv(netdev);
	unsigned int i;
	const struct simnic_stats *stat = simnic_gstrings_stats;

	simnic_update_stats(adapter);
	for (i = 0; i < SIMNIC_GLOBAL_STATS_LEN; i++) {
		char *p;

		switch (stat->type) {
		case NETDEV_STATS:
			p = (char *)netdev + stat->stat_offset;
			break;
		case SIMNIC_ADAPTER_STATS:
			p = (char *)adapter + stat->stat_offset;
			break;
		default:
			netdev_WARN_ONCE(netdev, "Invalid stat type: %d index %u\n",
					 stat->type, i);
			continue;
		}

		if (stat->sizeof_stat == sizeof(u64))
			data[i] = *(u64 *)p;
		else
			data[i] = *(u32 *)p;

		stat++;
	}
}

/**
 * simnic_get_strings - ethtool string sets
 * @netdev: network interface device structure
 * @stringset: ETH_SS_TEST or ETH_SS_STATS
 * @data: out: the strings, ETH_GSTRING_LEN bytes each
 */
static void simnic_get_strings(struct net_device *netdev, u32 stringset,
			       u8 *data)
{
	u8 *p = data;
	unsigned int i;

	switch (stringset) {
	case ETH_SS_TEST:
		memcpy(data, simnic_gstrings_test, sizeof(simnic_gstrings_test));
		break;
	case ETH_SS_STATS:
		for (i = 0; i < SIMNIC_GLOBAL_STATS_LEN; i++) {
			memcpy(p, simnic_gstrings_stats[i].stat_string,
			       ETH_GSTRING_LEN);
			p += ETH_GSTRING_LEN;
		}
		/* BUG_ON(p - data != SIMNIC_STATS_LEN * ETH_GSTRING_LEN); */
		break;
	}
}

static const struct ethtool_ops simnic_ethtool_ops = {
	.get_drvinfo		= simnic_get_drvinfo,
	.get_regs_len		= simnic_get_regs_len,
	.get_regs		= simnic_get_regs,
	.nway_reset		= simnic_nway_reset,
	.get_link		= simnic_get_link,
	.get_eeprom_len		= simnic_get_eeprom_len,
	.get_eeprom		= simnic_get_eeprom,
	.set_eeprom		= simnic_set_eeprom,
	.get_ringparam		= simnic_get_ringparam,
	.set_ringparam		= simnic_set_ringparam,
	.get_pauseparam		= simnic_get_pauseparam,
	.set_pauseparam		= simnic_set_pauseparam,
	.get_msglevel		= simnic_get_msglevel,
	.set_msglevel		= simnic_set_msglevel,
	.self_test		= simnic_diag_test,
	.get_strings		= simnic_get_strings,
	.get_ethtool_stats	= simnic_get_ethtool_stats,
	.get_sset_count		= simnic_get_sset_count,
	.get_link_ksettings	= simnic_get_link_ksettings,
	.set_link_ksettings	= simnic_set_link_ksettings,
};

/**
 * simnic_set_ethtool_ops - attach the ethtool operations to a net device
 * @netdev: network interface device structure
 */
void simnic_set_ethtool_ops(struct net_device *netdev)
{
	netdev->ethtool_ops = &simnic_ethtool_ops;
}
