// SPDX-License-Identifier: GPL-2.0
/*
 * simnic_hw.c - low-level hardware routines of the simnic driver.
 *
 * Everything that touches device registers without knowing about the network
 * stack lives here, the way e1000_hw.c is organised: global reset, EEPROM
 * access through EERD/EECD and the checksum rule, PHY access through the MDI
 * control register, PHY reset and autonegotiation setup, link detection,
 * flow control, the receive address and multicast tables, and the statistics
 * counters (which clear on read and are accumulated into 64-bit software
 * copies).  Functions return 0 or a negative SIMNIC_ERR_* code.
 */
#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/printk.h>

#include "simnic_hw.h"

#define SIMNIC_EERD_POLL_MAX	1000
#define SIMNIC_MDIC_POLL_MAX	640
#define SIMNIC_RESET_POLL_MAX	100

/**
 * simnic_hw_is_present - tell whether the register window answers
 * @hw: hardware structure
 *
 * A surprise-removed device reads as all ones; returns false then.
 */
bool simnic_hw_is_present(struct simnic_hw *hw)
{
	return er32(STATUS) != 0xFFFFFFFF;
}

/**
 * simnic_set_media_type - work out the media type from the device id
 * @hw: hardware structure
 *
 * simnic parts are all copper; unknown device ids are rejected.
 */
s32 simnic_set_media_type(struct simnic_hw *hw)
{
	switch (hw->device_id) {
	case 0x5100:
	case 0x5101:
		hw->media_type = simnic_media_type_copper;
		return 0;
	default:
		hw->media_type = simnic_media_type_unknown;
		return -SIMNIC_ERR_MAC_TYPE;
	}
}

/**
 * simnic_reset_hw - global reset of the MAC
 * @hw: hardware structure
 *
 * Masks interrupts, stops RX and TX, issues CTRL.RST and waits for the bit to
 * self-clear, then clears any pending interrupt cause.  Sleeps: process
 * context only.
 */
s32 simnic_reset_hw(struct simnic_hw *hw)
{
	u32 ctrl;
	int i;

	pr_debug("simnic: masking off all interrupts\n");
	ew32(IMC, 0xffffffff);
	ew32(RCTL, 0);
	ew32(TCTL, SIMNIC_TCTL_PSP);
	SIMNIC_WRITE_FLUSH();

	/* let pending DMA transactions finish */
	msleep(10);

	ctrl = er32(CTRL);
	ew32(CTRL, ctrl | SIMNIC_CTRL_RST);
	for (i = 0; i < SIMNIC_RESET_POLL_MAX; i++) {
		if (!(er32(CTRL) & SIMNIC_CTRL_RST))
			break;
		udelay(10);
	}
	if (i == SIMNIC_RESET_POLL_MAX) {
		pr_err("simnic: MAC reset did not complete\n");
		return -SIMNIC_ERR_RESET;
	}

	ew32(IMC, 0xffffffff);
	er32(ICR);
	return 0;
}

/**
 * simnic_init_hw - bring the MAC to an operational state after reset
 * @hw: hardware structure
 *
 * Programs the receive address, zeroes the multicast table, sets up the
 * PHY and the link, and clears the statistics counters.  Returns the error
 * of simnic_setup_link() if the PHY cannot be configured.
 */
s32 simnic_init_hw(struct simnic_hw *hw)
{
	u32 i;
	s32 ret;

	ew32(VET, 0);
	/* RAR 0 holds the station address; clear the rest */
	simnic_rar_set(hw, hw->mac_addr, 0);
	for (i = 1; i < hw->rar_entry_count; i++)
		simnic_clear_rar(hw, i);
	simnic_clear_mta(hw);

	ret = simnic_setup_link(hw);

	ew32(PBA, 0x00000030);
	simnic_clear_hw_cntrs(hw);
	return ret;
}

/**
 * simnic_read_eeprom - read words from the EEPROM through EERD
 * @hw: hardware structure
 * @offset: first word
 * @words: how many words
 * @data: out: the words read
 *
 * Each word: write the address with START, poll DONE, take DATA.  Returns
 * -SIMNIC_ERR_EEPROM for out-of-range requests or an EEPROM that never
 * completes.
 */
s32 simnic_read_eeprom(struct simnic_hw *hw, u16 offset, u16 words, u16 *data)
{
	u32 eerd, i, n;

	if (offset >= hw->eeprom_words || words > hw->eeprom_words - offset ||
	    words == 0) {
		pr_debug("simnic: eeprom read out of range %u+%u\n", offset,
			 words);
		return -SIMNIC_ERR_EEPROM;
	}

	for (i = 0; i < words; i++) {
		eerd = ((offset + i) << SIMNIC_EERD_ADDR_SHIFT) |
		       SIMNIC_EERD_START;
		ew32(EERD, eerd);
		for (n = 0; n < SIMNIC_EERD_POLL_MAX; n++) {
			eerd = er32(EERD);
			if (eerd & SIMNIC_EERD_DONE)
				break;
			udelay(5);
		}
		if (n == SIMNIC_EERD_POLL_MAX)
			return -SIMNIC_ERR_EEPROM;
		data[i] = (u16)(eerd >> SIMNIC_EERD_DATA_SHIFT);
	}
	return 0;
}

/**
 * simnic_write_eeprom - write words into the EEPROM through EECD
 * @hw: hardware structure
 * @offset: first word
 * @words: how many words
 * @data: the words to write
 *
 * The caller is responsible for updating the checksum word afterwards
 * (simnic_update_eeprom_checksum()).
 */
s32 simnic_write_eeprom(struct simnic_hw *hw, u16 offset, u16 words, u16 *data)
{
	u32 eecd, i, n;

	if (offset >= hw->eeprom_words || words > hw->eeprom_words - offset ||
	    words == 0)
		return -SIMNIC_ERR_EEPROM;

	for (i = 0; i < words; i++) {
		eecd = SIMNIC_EECD_WE | SIMNIC_EECD_WRITE |
		       ((offset + i) << SIMNIC_EECD_ADDR_SHIFT) |
		       ((u32)data[i] << SIMNIC_EECD_DATA_SHIFT);
		ew32(EECD, eecd);
		for (n = 0; n < SIMNIC_EERD_POLL_MAX; n++) {
			if (er32(EECD) & SIMNIC_EECD_DONE)
				break;
			udelay(5);
		}
		if (n == SIMNIC_EERD_POLL_MAX)
			return -SIMNIC_ERR_EEPROM;
	}
	ew32(EECD, 0);
	return 0;
}

/**
 * simnic_validate_eeprom_checksum - check the EEPROM checksum word
 * @hw: hardware structure
 *
 * The 16-bit sum of words 0x00..0x3F must equal SIMNIC_EEPROM_SUM.
 */
s32 simnic_validate_eeprom_checksum(struct simnic_hw *hw)
{
	u16 checksum = 0;
	u16 i, eeprom_data;

	for (i = 0; i < SIMNIC_EEPROM_CHECKSUM_REG + 1; i++) {
		if (simnic_read_eeprom(hw, i, 1, &eeprom_data) < 0) {
			pr_debug("simnic: EEPROM read error\n");
			return -SIMNIC_ERR_EEPROM;
		}
		checksum += eeprom_data;
	}
	if (checksum == (u16)SIMNIC_EEPROM_SUM)
		return 0;
	pr_debug("simnic: EEPROM checksum 0x%04x is wrong\n", checksum);
	return -SIMNIC_ERR_EEPROM;
}

/**
 * simnic_update_eeprom_checksum - recompute and store the checksum word
 * @hw: hardware structure
 */
s32 simnic_update_eeprom_checksum(struct simnic_hw *hw)
{
	u16 checksum = 0;
	u16 i, eeprom_data;

	for (i = 0; i < SIMNIC_EEPROM_CHECKSUM_REG; i++) {
		if (simnic_read_eeprom(hw, i, 1, &eeprom_data) < 0)
			return -SIMNIC_ERR_EEPROM;
		checksum += eeprom_data;
	}
	checksum = (u16)SIMNIC_EEPROM_SUM - checksum;
	return simnic_write_eeprom(hw, SIMNIC_EEPROM_CHECKSUM_REG, 1,
				   &checksum);
}

/**
 * simnic_read_mac_addr - read the permanent station address from EEPROM
 * @hw: hardware structure
 *
 * Fills hw->perm_mac_addr and hw->mac_addr.  Words are little endian.
 */
s32 simnic_read_mac_addr(struct simnic_hw *hw)
{
	u16 offset, eeprom_data;
	int i;

	for (i = 0; i < SIMNIC_ETH_LENGTH_OF_ADDRESS; i += 2) {
		offset = i >> 1;
		if (simnic_read_eeprom(hw, offset, 1, &eeprom_data) < 0) {
			pr_debug("simnic: EEPROM read error\n");
			return -SIMNIC_ERR_EEPROM;
		}
		hw->perm_mac_addr[i] = (u8)(eeprom_data & 0x00FF);
		hw->perm_mac_addr[i + 1] = (u8)(eeprom_data >> 8);
	}
	for (i = 0; i < SIMNIC_ETH_LENGTH_OF_ADDRESS; i++)
		hw->mac_addr[i] = hw->perm_mac_addr[i];
	return 0;
}

/* wait for the MDI cycle started by the caller; returns the MDIC value */
static s32 simnic_mdic_wait(struct simnic_hw *hw, u32 *mdic)
{
	u32 i;

	for (i = 0; i < SIMNIC_MDIC_POLL_MAX; i++) {
		udelay(5);
		*mdic = er32(MDIC);
		if (*mdic & SIMNIC_MDIC_READY)
			break;
	}
	if (!(*mdic & SIMNIC_MDIC_READY)) {
		pr_debug("simnic: MDI cycle did not complete\n");
		return -SIMNIC_ERR_PHY;
	}
	if (*mdic & SIMNIC_MDIC_ERROR) {
		pr_debug("simnic: MDI error\n");
		return -SIMNIC_ERR_PHY;
	}
	return 0;
}

/**
 * simnic_read_phy_reg - read a PHY register through MDIC
 * @hw: hardware structure
 * @reg_addr: PHY register (0..31)
 * @phy_data: out: the value
 *
 * Busy-waits with udelay(); callable from atomic context.
 */
s32 simnic_read_phy_reg(struct simnic_hw *hw, u32 reg_addr, u16 *phy_data)
{
	u32 mdic;
	s32 ret;

	if (reg_addr > 0x1F) {
		pr_debug("simnic: PHY address %u is invalid\n", reg_addr);
		return -SIMNIC_ERR_PARAM;
	}
	mdic = (reg_addr << SIMNIC_MDIC_REG_SHIFT) |
	       (hw->phy_addr << SIMNIC_MDIC_PHY_SHIFT) | SIMNIC_MDIC_OP_READ;
	ew32(MDIC, mdic);
	ret = simnic_mdic_wait(hw, &mdic);
	if (ret)
		return ret;
	*phy_data = (u16)(mdic & SIMNIC_MDIC_DATA_MASK);
	return 0;
}

/**
 * simnic_write_phy_reg - write a PHY register through MDIC
 * @hw: hardware structure
 * @reg_addr: PHY register (0..31)
 * @phy_data: the value
 */
s32 simnic_write_phy_reg(struct simnic_hw *hw, u32 reg_addr, u16 phy_data)
{
	u32 mdic;

	if (reg_addr > 0x1F) {
		pr_debug("simnic: PHY address %u is invalid\n", reg_addr);
		return -SIMNIC_ERR_PARAM;
	}
	mdic = ((u32)phy_data) | (reg_addr << SIMNIC_MDIC_REG_SHIFT) |
	       (hw->phy_addr << SIMNIC_MDIC_PHY_SHIFT) | SIMNIC_MDIC_OP_WRITE;
	ew32(MDIC, mdic);
	return simnic_mdic_wait(hw, &mdic);
}

/**
 * simnic_phy_hw_reset - reset the PHY through CTRL.PHY_RST
 * @hw: hardware structure
 *
 * Sleeps: process context only.
 */
s32 simnic_phy_hw_reset(struct simnic_hw *hw)
{
	u32 ctrl;

	ctrl = er32(CTRL);
	ew32(CTRL, ctrl | SIMNIC_CTRL_PHY_RST);
	SIMNIC_WRITE_FLUSH();
	msleep(1);
	ew32(CTRL, ctrl);
	SIMNIC_WRITE_FLUSH();
	usleep_range(100, 200);
	return 0;
}

/**
 * simnic_detect_phy - read and check the PHY identifier
 * @hw: hardware structure
 *
 * Returns -SIMNIC_ERR_PHY when the id is not the one simnic parts carry.
 */
s32 simnic_detect_phy(struct simnic_hw *hw)
{
	u16 id1, id2;
	s32 ret;

	ret = simnic_read_phy_reg(hw, SIMNIC_PHY_ID1, &id1);
	if (ret)
		return ret;
	ret = simnic_read_phy_reg(hw, SIMNIC_PHY_ID2, &id2);
	if (ret)
		return ret;
	hw->phy_id = ((u32)id1 << 16) | (id2 & 0xFFF0);
	if (hw->phy_id != SIMNIC_PHY_ID) {
		pr_debug("simnic: unexpected PHY id 0x%08x\n", hw->phy_id);
		return -SIMNIC_ERR_PHY;
	}
	return 0;
}

/**
 * simnic_phy_setup_autoneg - program the advertisement registers
 * @hw: hardware structure
 *
 * Translates hw->autoneg_advertised and hw->fc into the clause-22
 * advertisement and 1000BASE-T control registers.
 */
s32 simnic_phy_setup_autoneg(struct simnic_hw *hw)
{
	u16 adv = 0, ctrl1000 = 0;
	s32 ret;

	if (hw->autoneg_advertised & ADVERTISE_10_HALF)
		adv |= SIMNIC_NWAY_AR_10T_HD_CAPS;
	if (hw->autoneg_advertised & ADVERTISE_10_FULL)
		adv |= SIMNIC_NWAY_AR_10T_FD_CAPS;
	if (hw->autoneg_advertised & ADVERTISE_100_HALF)
		adv |= SIMNIC_NWAY_AR_100TX_HD_CAPS;
	if (hw->autoneg_advertised & ADVERTISE_100_FULL)
		adv |= SIMNIC_NWAY_AR_100TX_FD_CAPS;
	if (hw->autoneg_advertised & ADVERTISE_1000_FULL)
		ctrl1000 |= SIMNIC_CR_1000T_FD_CAPS;

	switch (hw->fc) {
	case simnic_fc_none:
		break;
	case simnic_fc_rx_pause:
	case simnic_fc_full:
		adv |= SIMNIC_NWAY_AR_PAUSE | SIMNIC_NWAY_AR_ASM_DIR;
		break;
	case simnic_fc_tx_pause:
		adv |= SIMNIC_NWAY_AR_ASM_DIR;
		break;
	default:
		pr_debug("simnic: flow control param set incorrectly\n");
		return -SIMNIC_ERR_CONFIG;
	}

	ret = simnic_write_phy_reg(hw, SIMNIC_PHY_AUTONEG_ADV, adv);
	if (ret)
		return ret;
	return simnic_write_phy_reg(hw, SIMNIC_PHY_1000T_CTRL, ctrl1000);
}

/* force speed/duplex in both MAC and PHY */
static s32 simnic_phy_force_speed_duplex(struct simnic_hw *hw)
{
	u32 ctrl;
	u16 mii_ctrl = 0;

	ctrl = er32(CTRL);
	ctrl &= ~(SIMNIC_CTRL_SPD_SEL | SIMNIC_CTRL_ASDE | SIMNIC_CTRL_FD);
	ctrl |= SIMNIC_CTRL_FRCSPD | SIMNIC_CTRL_FRCDPX;
	switch (hw->forced_speed) {
	case 1000:
		ctrl |= SIMNIC_CTRL_SPD_1000;
		mii_ctrl |= SIMNIC_MII_CR_SPEED_SEL_MSB;
		break;
	case 100:
		ctrl |= SIMNIC_CTRL_SPD_100;
		mii_ctrl |= SIMNIC_MII_CR_SPEED_SEL_LSB;
		break;
	case 10:
		ctrl |= SIMNIC_CTRL_SPD_10;
		break;
	default:
		return -SIMNIC_ERR_CONFIG;
	}
	if (hw->forced_duplex) {
		ctrl |= SIMNIC_CTRL_FD;
		mii_ctrl |= SIMNIC_MII_CR_FULL_DUPLEX;
	}
	ew32(CTRL, ctrl);
	return simnic_write_phy_reg(hw, SIMNIC_PHY_CTRL, mii_ctrl);
}

/**
 * simnic_force_mac_fc - program CTRL's flow control bits from hw->fc
 * @hw: hardware structure
 */
s32 simnic_force_mac_fc(struct simnic_hw *hw)
{
	u32 ctrl = er32(CTRL);

	switch (hw->fc) {
	case simnic_fc_none:
		ctrl &= ~(SIMNIC_CTRL_TFCE | SIMNIC_CTRL_RFCE);
		break;
	case simnic_fc_rx_pause:
		ctrl &= ~SIMNIC_CTRL_TFCE;
		ctrl |= SIMNIC_CTRL_RFCE;
		break;
	case simnic_fc_tx_pause:
		ctrl &= ~SIMNIC_CTRL_RFCE;
		ctrl |= SIMNIC_CTRL_TFCE;
		break;
	case simnic_fc_full:
		ctrl |= SIMNIC_CTRL_TFCE | SIMNIC_CTRL_RFCE;
		break;
	default:
		pr_debug("simnic: flow control param set incorrectly\n");
		return -SIMNIC_ERR_CONFIG;
	}
	ew32(CTRL, ctrl);
	return 0;
}

/* program the flow control address, type, watermarks and pause time */
static void simnic_setup_fc_regs(struct simnic_hw *hw)
{
	ew32(FCAL, 0x00C28001);
	ew32(FCAH, 0x0100);
	ew32(FCT, 0x8808);
	ew32(FCTTV, hw->fc_pause_time);
	if (hw->fc & simnic_fc_tx_pause) {
		u32 fcrtl = hw->fc_low_water;

		if (hw->fc_send_xon)
			fcrtl |= 0x80000000;
		ew32(FCRTL, fcrtl);
		ew32(FCRTH, hw->fc_high_water);
	} else {
		ew32(FCRTL, 0);
		ew32(FCRTH, 0);
	}
}

/**
 * simnic_setup_link - configure flow control, the PHY and the link
 * @hw: hardware structure
 *
 * With autonegotiation on, programs the advertisement and restarts
 * negotiation; otherwise forces speed and duplex.  The link state itself is
 * picked up later by simnic_check_for_link().
 */
s32 simnic_setup_link(struct simnic_hw *hw)
{
	u16 mii_ctrl;
	s32 ret;

	if (hw->fc == simnic_fc_default)
		hw->fc = simnic_fc_full;
	hw->original_fc = hw->fc;
	simnic_setup_fc_regs(hw);

	ew32(CTRL, (er32(CTRL) | SIMNIC_CTRL_SLU) &
		   ~(SIMNIC_CTRL_FRCSPD | SIMNIC_CTRL_FRCDPX));

	if (hw->autoneg) {
		ew32(CTRL, er32(CTRL) | SIMNIC_CTRL_ASDE);
		ret = simnic_phy_setup_autoneg(hw);
		if (ret) {
			pr_debug("simnic: error setting up autoneg\n");
			return ret;
		}
		ret = simnic_read_phy_reg(hw, SIMNIC_PHY_CTRL, &mii_ctrl);
		if (ret)
			return ret;
		mii_ctrl |= SIMNIC_MII_CR_AUTO_NEG_EN |
			    SIMNIC_MII_CR_RESTART_AUTO_NEG;
		ret = simnic_write_phy_reg(hw, SIMNIC_PHY_CTRL, mii_ctrl);
	} else {
		ret = simnic_phy_force_speed_duplex(hw);
	}
	if (ret)
		return ret;

	hw->get_link_status = true;
	return simnic_force_mac_fc(hw);
}

/**
 * simnic_check_for_link - refresh the link state from the PHY
 * @hw: hardware structure
 *
 * Clears hw->get_link_status once the PHY reports link.  The status register
 * is read twice: the link bit latches low, as on real PHYs.  Atomic-safe.
 */
s32 simnic_check_for_link(struct simnic_hw *hw)
{
	u16 phy_data;
	s32 ret;

	if (!hw->get_link_status)
		return 0;
	ret = simnic_read_phy_reg(hw, SIMNIC_PHY_STATUS, &phy_data);
	if (ret)
		return ret;
	ret = simnic_read_phy_reg(hw, SIMNIC_PHY_STATUS, &phy_data);
	if (ret)
		return ret;
	if (phy_data & SIMNIC_MII_SR_LINK_STATUS)
		hw->get_link_status = false;
	return 0;
}

/**
 * simnic_get_speed_and_duplex - read the resolved speed and duplex
 * @hw: hardware structure
 * @speed: out: 10, 100 or 1000
 * @duplex: out: FULL_DUPLEX (1) or HALF_DUPLEX (0)
 */
s32 simnic_get_speed_and_duplex(struct simnic_hw *hw, u16 *speed, u16 *duplex)
{
	u32 status = er32(STATUS);

	switch (status & SIMNIC_STATUS_SPEED_MASK) {
	case SIMNIC_STATUS_SPEED_1000:
		*speed = 1000;
		break;
	case SIMNIC_STATUS_SPEED_100:
		*speed = 100;
		break;
	default:
		*speed = 10;
		break;
	}
	*duplex = (status & SIMNIC_STATUS_FD) ? 1 : 0;
	return 0;
}

/**
 * simnic_rar_set - put an address into a receive address register pair
 * @hw: hardware structure
 * @addr: the six address bytes
 * @index: which RAR entry
 */
void simnic_rar_set(struct simnic_hw *hw, u8 *addr, u32 index)
{
	u32 rar_low, rar_high;

	rar_low = ((u32)addr[0] | ((u32)addr[1] << 8) |
		   ((u32)addr[2] << 16) | ((u32)addr[3] << 24));
	rar_high = ((u32)addr[4] | ((u32)addr[5] << 8)) | SIMNIC_RAH_AV;
	SIMNIC_WRITE_REG_ARRAY(hw, RA, (index << 1), rar_low);
	SIMNIC_WRITE_FLUSH();
	SIMNIC_WRITE_REG_ARRAY(hw, RA, ((index << 1) + 1), rar_high);
	SIMNIC_WRITE_FLUSH();
}

/**
 * simnic_clear_rar - invalidate a receive address entry
 * @hw: hardware structure
 * @index: which RAR entry
 */
void simnic_clear_rar(struct simnic_hw *hw, u32 index)
{
	SIMNIC_WRITE_REG_ARRAY(hw, RA, (index << 1), 0);
	SIMNIC_WRITE_REG_ARRAY(hw, RA, ((index << 1) + 1), 0);
}

/**
 * simnic_hash_mc_addr - hash a multicast address into the MTA bit index
 * @hw: hardware structure
 * @mc_addr: the multicast address
 *
 * Uses the upper 12 bits of the last two bytes (filter type 0 of e1000).
 */
u32 simnic_hash_mc_addr(struct simnic_hw *hw, u8 *mc_addr)
{
	u32 hash_value;

	hash_value = ((mc_addr[4] >> 4) | (((u16)mc_addr[5]) << 4));
	return hash_value & 0xFFF;
}

/**
 * simnic_write_vfta_mta - write one MTA register and its shadow copy
 * @hw: hardware structure
 * @offset: MTA register index
 * @value: the 32 filter bits
 */
void simnic_write_vfta_mta(struct simnic_hw *hw, u32 offset, u32 value)
{
	if (offset >= hw->mta_reg_count)
		return;
	hw->mta_shadow[offset] = value;
	SIMNIC_WRITE_REG_ARRAY(hw, MTA, offset, value);
	SIMNIC_WRITE_FLUSH();
}

/**
 * simnic_clear_mta - zero the whole multicast table
 * @hw: hardware structure
 */
void simnic_clear_mta(struct simnic_hw *hw)
{
	u32 i;

	for (i = 0; i < hw->mta_reg_count; i++)
		simnic_write_vfta_mta(hw, i, 0);
}

/**
 * simnic_clear_hw_cntrs - read (and so clear) every statistics register
 * @hw: hardware structure
 */
void simnic_clear_hw_cntrs(struct simnic_hw *hw)
{
	u32 off;

	for (off = SIMNIC_CRCERRS; off <= SIMNIC_BPTC; off += 4)
		readl(hw->hw_addr + off);
}

/**
 * simnic_update_hw_stats - accumulate the clear-on-read counters
 * @hw: hardware structure
 * @stats: the 64-bit software totals to add to
 *
 * The caller holds the adapter's stats lock.
 */
void simnic_update_hw_stats(struct simnic_hw *hw, struct simnic_hw_stats *stats)
{
	stats->crcerrs += er32(CRCERRS);
	stats->algnerrc += er32(ALGNERRC);
	stats->rxerrc += er32(RXERRC);
	stats->mpc += er32(MPC);
	stats->colc += er32(COLC);
	stats->xonrxc += er32(XONRXC);
	stats->xontxc += er32(XONTXC);
	stats->xoffrxc += er32(XOFFRXC);
	stats->xofftxc += er32(XOFFTXC);
	stats->gprc += er32(GPRC);
	stats->bprc += er32(BPRC);
	stats->mprc += er32(MPRC);
	stats->gptc += er32(GPTC);
	/* the low half must be read first: it latches the high half */
	stats->gorc += er32(GORCL);
	stats->gorc += ((u64)er32(GORCH) << 32);
	stats->gotc += er32(GOTCL);
	stats->gotc += ((u64)er32(GOTCH) << 32);
	stats->rnbc += er32(RNBC);
	stats->ruc += er32(RUC);
	stats->roc += er32(ROC);
	stats->tpr += er32(TPR);
	stats->tpt += er32(TPT);
	stats->mptc += er32(MPTC);
	stats->bptc += er32(BPTC);
}

/**
 * simnic_set_mac_loopback - switch the MAC's internal loopback on or off
 * @hw: hardware structure
 * @enable: true to loop TX back into RX inside the MAC
 */
void simnic_set_mac_loopback(struct simnic_hw *hw, bool enable)
{
	u32 rctl = er32(RCTL);

	rctl &= ~SIMNIC_RCTL_LBM_MASK;
	if (enable)
		rctl |= SIMNIC_RCTL_LBM_MAC;
	ew32(RCTL, rctl);
	SIMNIC_WRITE_FLUSH();
}

/**
 * simnic_reset_adaptive - reset the adaptive interframe spacing state
 * @hw: hardware structure
 *
 * simnic has a fixed inter-packet gap; this only reprograms TIPG.
 */
void simnic_reset_adaptive(struct simnic_hw *hw)
{
	ew32(TIPG, 0x00602008);
}
