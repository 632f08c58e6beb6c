/* SPDX-License-Identifier: GPL-2.0 */
/*
 * simnic_hw.h - register layout and hardware-layer interface of the simnic NIC.
 *
 * simnic is an e1000-class PCI Ethernet controller simulated by kcut's test
 * device model.  This header is the driver's view of the silicon: register
 * offsets and bits, descriptor formats, the EEPROM map, the PHY registers
 * behind the MDI control register, and struct simnic_hw, the hardware state
 * the low-level routines in simnic_hw.c operate on.  Nothing here knows about
 * net devices; simnic_main.c and simnic_ethtool.c build on it.
 */
#ifndef _SIMNIC_HW_H_
#define _SIMNIC_HW_H_

#include <linux/types.h>
#include <linux/io.h>

/* Register offsets */
#define SIMNIC_CTRL	0x00000	/* Device Control - RW */
#define SIMNIC_STATUS	0x00008	/* Device Status - RO */
#define SIMNIC_EECD	0x00010	/* EEPROM Control - RW */
#define SIMNIC_EERD	0x00014	/* EEPROM Read - RW */
#define SIMNIC_CTRL_EXT	0x00018	/* Extended Device Control - RW */
#define SIMNIC_MDIC	0x00020	/* MDI Control - RW */
#define SIMNIC_FCAL	0x00028	/* Flow Control Address Low - RW */
#define SIMNIC_FCAH	0x0002C	/* Flow Control Address High - RW */
#define SIMNIC_FCT	0x00030	/* Flow Control Type - RW */
#define SIMNIC_VET	0x00038	/* VLAN Ether Type - RW */
#define SIMNIC_ICR	0x000C0	/* Interrupt Cause Read - R/clr */
#define SIMNIC_ITR	0x000C4	/* Interrupt Throttling Rate - RW */
#define SIMNIC_ICS	0x000C8	/* Interrupt Cause Set - WO */
#define SIMNIC_IMS	0x000D0	/* Interrupt Mask Set - RW */
#define SIMNIC_IMC	0x000D8	/* Interrupt Mask Clear - WO */
#define SIMNIC_RCTL	0x00100	/* RX Control - RW */
#define SIMNIC_FCTTV	0x00170	/* Flow Control Transmit Timer Value - RW */
#define SIMNIC_TCTL	0x00400	/* TX Control - RW */
#define SIMNIC_TIPG	0x00410	/* TX Inter-packet gap - RW */
#define SIMNIC_LEDCTL	0x00E00	/* LED Control - RW */
#define SIMNIC_PBA	0x01000	/* Packet Buffer Allocation - RW */
#define SIMNIC_FCRTL	0x02160	/* Flow Control Receive Threshold Low - RW */
#define SIMNIC_FCRTH	0x02168	/* Flow Control Receive Threshold High - RW */
#define SIMNIC_RDBAL	0x02800	/* RX Descriptor Base Address Low - RW */
#define SIMNIC_RDBAH	0x02804	/* RX Descriptor Base Address High - RW */
#define SIMNIC_RDLEN	0x02808	/* RX Descriptor Length - RW */
#define SIMNIC_RDH	0x02810	/* RX Descriptor Head - RW */
#define SIMNIC_RDT	0x02818	/* RX Descriptor Tail - RW */
#define SIMNIC_RDTR	0x02820	/* RX Delay Timer - RW */
#define SIMNIC_TDBAL	0x03800	/* TX Descriptor Base Address Low - RW */
#define SIMNIC_TDBAH	0x03804	/* TX Descriptor Base Address High - RW */
#define SIMNIC_TDLEN	0x03808	/* TX Descriptor Length - RW */
#define SIMNIC_TDH	0x03810	/* TX Descriptor Head - RW */
#define SIMNIC_TDT	0x03818	/* TX Descriptor Tail - RW */
#define SIMNIC_TIDV	0x03820	/* TX Interrupt Delay Value - RW */
#define SIMNIC_STATS	0x04000	/* first statistics register */
#define SIMNIC_MTA	0x05200	/* Multicast Table Array - RW Array */
#define SIMNIC_RA	0x05400	/* Receive Address - RW Array */
#define SIMNIC_REGS_LEN	0x06000	/* size of the register window */

/* Statistics registers, all clear-on-read */
#define SIMNIC_CRCERRS	0x04000	/* CRC Error Count */
#define SIMNIC_ALGNERRC	0x04004	/* Alignment Error Count */
#define SIMNIC_RXERRC	0x0400C	/* Receive Error Count */
#define SIMNIC_MPC	0x04010	/* Missed Packet Count */
#define SIMNIC_COLC	0x04028	/* Collision Count */
#define SIMNIC_XONRXC	0x04048	/* XON RX Count */
#define SIMNIC_XONTXC	0x0404C	/* XON TX Count */
#define SIMNIC_XOFFRXC	0x04050	/* XOFF RX Count */
#define SIMNIC_XOFFTXC	0x04054	/* XOFF TX Count */
#define SIMNIC_GPRC	0x04074	/* Good Packets RX Count */
#define SIMNIC_BPRC	0x04078	/* Broadcast Packets RX Count */
#define SIMNIC_MPRC	0x0407C	/* Multicast Packets RX Count */
#define SIMNIC_GPTC	0x04080	/* Good Packets TX Count */
#define SIMNIC_GORCL	0x04088	/* Good Octets RX Count Low */
#define SIMNIC_GORCH	0x0408C	/* Good Octets RX Count High */
#define SIMNIC_GOTCL	0x04090	/* Good Octets TX Count Low */
#define SIMNIC_GOTCH	0x04094	/* Good Octets TX Count High */
#define SIMNIC_RNBC	0x040A0	/* RX No Buffers Count */
#define SIMNIC_RUC	0x040A4	/* RX Undersize Count */
#define SIMNIC_ROC	0x040AC	/* RX Oversize Count */
#define SIMNIC_TPR	0x040D0	/* Total Packets RX */
#define SIMNIC_TPT	0x040D4	/* Total Packets TX */
#define SIMNIC_MPTC	0x040F0	/* Multicast Packets TX Count */
#define SIMNIC_BPTC	0x040F4	/* Broadcast Packets TX Count */

/* Device Control */
#define SIMNIC_CTRL_FD		0x00000001	/* Full duplex */
#define SIMNIC_CTRL_ASDE	0x00000020	/* Auto-speed detect enable */
#define SIMNIC_CTRL_SLU		0x00000040	/* Set link up (force link) */
#define SIMNIC_CTRL_SPD_SEL	0x00000300	/* Speed select mask */
#define SIMNIC_CTRL_SPD_10	0x00000000
#define SIMNIC_CTRL_SPD_100	0x00000100
#define SIMNIC_CTRL_SPD_1000	0x00000200
#define SIMNIC_CTRL_FRCSPD	0x00000800	/* Force speed */
#define SIMNIC_CTRL_FRCDPX	0x00001000	/* Force duplex */
#define SIMNIC_CTRL_RST		0x04000000	/* Global reset */
#define SIMNIC_CTRL_RFCE	0x08000000	/* Receive flow control enable */
#define SIMNIC_CTRL_TFCE	0x10000000	/* Transmit flow control enable */
#define SIMNIC_CTRL_PHY_RST	0x80000000	/* PHY reset */

/* Device Status */
#define SIMNIC_STATUS_FD		0x00000001
#define SIMNIC_STATUS_LU		0x00000002
#define SIMNIC_STATUS_TXOFF		0x00000010
#define SIMNIC_STATUS_SPEED_MASK	0x000000C0
#define SIMNIC_STATUS_SPEED_10		0x00000000
#define SIMNIC_STATUS_SPEED_100		0x00000040
#define SIMNIC_STATUS_SPEED_1000	0x00000080

/* EEPROM Read */
#define SIMNIC_EERD_START	0x00000001
#define SIMNIC_EERD_DONE	0x00000010
#define SIMNIC_EERD_ADDR_SHIFT	8
#define SIMNIC_EERD_DATA_SHIFT	16
/* EEPROM Control: write path (the EEPROM is write-enabled by EECD_WE) */
#define SIMNIC_EECD_WE		0x00000001
#define SIMNIC_EECD_WRITE	0x00000002
#define SIMNIC_EECD_DONE	0x00000004
#define SIMNIC_EECD_ADDR_SHIFT	8
#define SIMNIC_EECD_DATA_SHIFT	16

/* MDI Control */
#define SIMNIC_MDIC_DATA_MASK	0x0000FFFF
#define SIMNIC_MDIC_REG_SHIFT	16
#define SIMNIC_MDIC_PHY_SHIFT	21
#define SIMNIC_MDIC_OP_WRITE	0x04000000
#define SIMNIC_MDIC_OP_READ	0x08000000
#define SIMNIC_MDIC_READY	0x10000000
#define SIMNIC_MDIC_ERROR	0x40000000

/* Interrupt causes (ICR, ICS, IMS, IMC) */
#define SIMNIC_ICR_TXDW		0x00000001	/* TX descriptor written back */
#define SIMNIC_ICR_TXQE		0x00000002	/* TX queue empty */
#define SIMNIC_ICR_LSC		0x00000004	/* Link status change */
#define SIMNIC_ICR_RXSEQ	0x00000008	/* RX sequence error */
#define SIMNIC_ICR_RXDMT0	0x00000010	/* RX desc min. threshold */
#define SIMNIC_ICR_RXO		0x00000040	/* RX overrun */
#define SIMNIC_ICR_RXT0		0x00000080	/* RX timer interrupt */
#define SIMNIC_ICR_INT_ASSERTED	0x80000000
#define SIMNIC_IMS_ENABLE_MASK	(SIMNIC_ICR_TXDW | SIMNIC_ICR_LSC | \
				 SIMNIC_ICR_RXSEQ | SIMNIC_ICR_RXDMT0 | \
				 SIMNIC_ICR_RXO | SIMNIC_ICR_RXT0)

/* Receive Control */
#define SIMNIC_RCTL_EN		0x00000002	/* enable */
#define SIMNIC_RCTL_SBP		0x00000004	/* store bad packet */
#define SIMNIC_RCTL_UPE		0x00000008	/* unicast promiscuous */
#define SIMNIC_RCTL_MPE		0x00000010	/* multicast promiscuous */
#define SIMNIC_RCTL_LPE		0x00000020	/* long packet enable */
#define SIMNIC_RCTL_LBM_MAC	0x00000040	/* MAC loopback mode */
#define SIMNIC_RCTL_LBM_MASK	0x000000C0
#define SIMNIC_RCTL_BAM		0x00008000	/* broadcast accept */
#define SIMNIC_RCTL_SZ_2048	0x00000000	/* buffer size */
#define SIMNIC_RCTL_SZ_1024	0x00010000
#define SIMNIC_RCTL_SZ_512	0x00020000
#define SIMNIC_RCTL_SZ_256	0x00030000
#define SIMNIC_RCTL_SZ_4096	0x02030000	/* with BSEX */
#define SIMNIC_RCTL_SZ_8192	0x02020000
#define SIMNIC_RCTL_SZ_16384	0x02010000
#define SIMNIC_RCTL_SZ_MASK	0x02030000
#define SIMNIC_RCTL_SECRC	0x04000000	/* strip ethernet CRC */

/* Transmit Control */
#define SIMNIC_TCTL_EN		0x00000002
#define SIMNIC_TCTL_PSP		0x00000008	/* pad short packets */
#define SIMNIC_TCTL_CT_SHIFT	4
#define SIMNIC_TCTL_COLD_SHIFT	12

/* Receive Address High */
#define SIMNIC_RAH_AV		0x80000000	/* address valid */
#define SIMNIC_RAR_ENTRIES	16
#define SIMNIC_MTA_ENTRIES	128

/* Transmit descriptor (legacy format) */
struct simnic_tx_desc {
	__le64 buffer_addr;
	__le16 length;
	u8 cso;
	u8 cmd;
	u8 status;
	u8 css;
	__le16 special;
};

#define SIMNIC_TXD_CMD_EOP	0x01	/* end of packet */
#define SIMNIC_TXD_CMD_IFCS	0x02	/* insert FCS */
#define SIMNIC_TXD_CMD_RS	0x08	/* report status */
#define SIMNIC_TXD_STAT_DD	0x01	/* descriptor done */

/* Receive descriptor */
struct simnic_rx_desc {
	__le64 buffer_addr;
	__le16 length;
	__le16 csum;
	u8 status;
	u8 errors;
	__le16 special;
};

#define SIMNIC_RXD_STAT_DD	0x01	/* descriptor done */
#define SIMNIC_RXD_STAT_EOP	0x02	/* end of packet */
#define SIMNIC_RXD_ERR_CE	0x01	/* CRC error */
#define SIMNIC_RXD_ERR_RXE	0x80	/* RX data error */

/* EEPROM map (16-bit words) */
#define SIMNIC_EEPROM_WORDS		64
#define SIMNIC_EEPROM_MAC		0x00	/* words 0..2 */
#define SIMNIC_EEPROM_COMPAT		0x03
#define SIMNIC_EEPROM_VERSION		0x05
#define SIMNIC_EEPROM_PBA_0		0x08
#define SIMNIC_EEPROM_PBA_1		0x09
#define SIMNIC_EEPROM_INIT_CTRL		0x0A
#define SIMNIC_EEPROM_CHECKSUM_REG	0x3F
#define SIMNIC_EEPROM_SUM		0xBABA

/* PHY registers behind MDIC (IEEE 802.3 clause 22 layout) */
#define SIMNIC_PHY_ADDR		1
#define SIMNIC_PHY_CTRL		0x00
#define SIMNIC_PHY_STATUS	0x01
#define SIMNIC_PHY_ID1		0x02
#define SIMNIC_PHY_ID2		0x03
#define SIMNIC_PHY_AUTONEG_ADV	0x04
#define SIMNIC_PHY_LP_ABILITY	0x05
#define SIMNIC_PHY_1000T_CTRL	0x09
#define SIMNIC_PHY_1000T_STATUS	0x0A

#define SIMNIC_MII_CR_RESET		0x8000
#define SIMNIC_MII_CR_LOOPBACK		0x4000
#define SIMNIC_MII_CR_SPEED_SEL_LSB	0x2000
#define SIMNIC_MII_CR_AUTO_NEG_EN	0x1000
#define SIMNIC_MII_CR_RESTART_AUTO_NEG	0x0200
#define SIMNIC_MII_CR_FULL_DUPLEX	0x0100
#define SIMNIC_MII_CR_SPEED_SEL_MSB	0x0040

#define SIMNIC_MII_SR_LINK_STATUS	0x0004
#define SIMNIC_MII_SR_AUTONEG_CAPS	0x0008
#define SIMNIC_MII_SR_AUTONEG_COMPLETE	0x0020

#define SIMNIC_NWAY_AR_10T_HD_CAPS	0x0020
#define SIMNIC_NWAY_AR_10T_FD_CAPS	0x0040
#define SIMNIC_NWAY_AR_100TX_HD_CAPS	0x0080
#define SIMNIC_NWAY_AR_100TX_FD_CAPS	0x0100
#define SIMNIC_NWAY_AR_PAUSE		0x0400
#define SIMNIC_NWAY_AR_ASM_DIR		0x0800
#define SIMNIC_CR_1000T_FD_CAPS		0x0200

#define SIMNIC_PHY_ID			0x01410C20	/* expected PHY id */

/* Autonegotiation advertisement bits used by the driver */
#define ADVERTISE_10_HALF	0x0001
#define ADVERTISE_10_FULL	0x0002
#define ADVERTISE_100_HALF	0x0004
#define ADVERTISE_100_FULL	0x0008
#define ADVERTISE_1000_FULL	0x0020
#define SIMNIC_AUTONEG_ADVERTISE_DEFAULT	0x002F

enum simnic_fc_mode {
	simnic_fc_none = 0,
	simnic_fc_rx_pause = 1,
	simnic_fc_tx_pause = 2,
	simnic_fc_full = 3,
	simnic_fc_default = 0xFF
};

enum simnic_media_type {
	simnic_media_type_copper = 0,
	simnic_media_type_unknown
};

/* duplex encoding of the Duplex module parameter (as e1000) */
#define HALF_DUPLEX_SIMNIC	1
#define FULL_DUPLEX_SIMNIC	2
#define SIMNIC_ETH_LENGTH_OF_ADDRESS	6

struct simnic_hw_stats {
	u64 crcerrs, algnerrc, rxerrc, mpc, colc;
	u64 xonrxc, xontxc, xoffrxc, xofftxc;
	u64 gprc, bprc, mprc, gptc, gorc, gotc;
	u64 rnbc, ruc, roc, tpr, tpt, mptc, bptc;
};

struct simnic_hw {
	u8 __iomem *hw_addr;
	void *back;			/* the adapter */
	u16 device_id;
	u16 vendor_id;
	u16 subsystem_id;
	u16 subsystem_vendor_id;
	u8 revision_id;
	enum simnic_media_type media_type;
	enum simnic_fc_mode fc;
	enum simnic_fc_mode original_fc;
	u16 fc_high_water;
	u16 fc_low_water;
	u16 fc_pause_time;
	bool fc_send_xon;
	u32 phy_id;
	u32 phy_addr;
	u16 autoneg_advertised;
	u8 autoneg;
	u8 mdix;
	u16 forced_speed;
	u8 forced_duplex;		/* 1 full, 0 half */
	bool get_link_status;
	u8 mac_addr[SIMNIC_ETH_LENGTH_OF_ADDRESS];
	u8 perm_mac_addr[SIMNIC_ETH_LENGTH_OF_ADDRESS];
	u16 eeprom_words;
	u16 eeprom_version;
	u32 mta_shadow[SIMNIC_MTA_ENTRIES];
	u32 max_frame_size;
	u32 min_frame_size;
	u16 rar_entry_count;
	u16 mta_reg_count;
};

#define SIMNIC_ERR_EEPROM	1
#define SIMNIC_ERR_PHY		2
#define SIMNIC_ERR_CONFIG	3
#define SIMNIC_ERR_PARAM	4
#define SIMNIC_ERR_MAC_TYPE	5
#define SIMNIC_ERR_RESET	9

/* Register accessors, as in e1000: hw must be in scope */
#define er32(reg)		readl(hw->hw_addr + SIMNIC_##reg)
#define ew32(reg, value)	writel((value), (hw->hw_addr + SIMNIC_##reg))
#define SIMNIC_READ_REG_ARRAY(hw, reg, offset) \
	readl((hw)->hw_addr + SIMNIC_##reg + ((offset) << 2))
#define SIMNIC_WRITE_REG_ARRAY(hw, reg, offset, value) \
	writel((value), ((hw)->hw_addr + SIMNIC_##reg + ((offset) << 2)))
#define SIMNIC_WRITE_FLUSH()	er32(STATUS)

/* simnic_hw.c */
s32 simnic_reset_hw(struct simnic_hw *hw);
s32 simnic_init_hw(struct simnic_hw *hw);
s32 simnic_validate_eeprom_checksum(struct simnic_hw *hw);
s32 simnic_update_eeprom_checksum(struct simnic_hw *hw);
s32 simnic_read_eeprom(struct simnic_hw *hw, u16 offset, u16 words, u16 *data);
s32 simnic_write_eeprom(struct simnic_hw *hw, u16 offset, u16 words, u16 *data);
s32 simnic_read_mac_addr(struct simnic_hw *hw);
s32 simnic_read_phy_reg(struct simnic_hw *hw, u32 reg_addr, u16 *phy_data);
s32 simnic_write_phy_reg(struct simnic_hw *hw, u32 reg_addr, u16 phy_data);
s32 simnic_phy_hw_reset(struct simnic_hw *hw);
s32 simnic_detect_phy(struct simnic_hw *hw);
s32 simnic_setup_link(struct simnic_hw *hw);
s32 simnic_check_for_link(struct simnic_hw *hw);
s32 simnic_get_speed_and_duplex(struct simnic_hw *hw, u16 *speed, u16 *duplex);
s32 simnic_phy_setup_autoneg(struct simnic_hw *hw);
s32 simnic_force_mac_fc(struct simnic_hw *hw);
void simnic_rar_set(struct simnic_hw *hw, u8 *addr, u32 index);
void simnic_clear_rar(struct simnic_hw *hw, u32 index);
u32 simnic_hash_mc_addr(struct simnic_hw *hw, u8 *mc_addr);
void simnic_write_vfta_mta(struct simnic_hw *hw, u32 offset, u32 value);
void simnic_clear_mta(struct simnic_hw *hw);
void simnic_update_hw_stats(struct simnic_hw *hw, struct simnic_hw_stats *stats);
void simnic_clear_hw_cntrs(struct simnic_hw *hw);
void simnic_set_mac_loopback(struct simnic_hw *hw, bool enable);
bool simnic_hw_is_present(struct simnic_hw *hw);
s32 simnic_set_media_type(struct simnic_hw *hw);
void simnic_reset_adaptive(struct simnic_hw *hw);

#endif /* _SIMNIC_HW_H_ */
