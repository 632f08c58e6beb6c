/*
 * simnic_dev.c - device model of simnic, an e1000-class PCI Ethernet controller.
 *
 * This is the "silicon" the simnic driver runs against inside the kernel model.  It registers one PCI
 * function (vendor 0x1af5, device 0x5100, class Ethernet, a 128 KiB memory BAR) and implements:
 *   - control/status registers, global reset (CTRL.RST) and PHY reset;
 *   - a 64-word EEPROM (MAC address, version, PBA, checksum word making the sum 0xBABA) read through EERD
 *     and written through EECD;
 *   - a clause-22 PHY behind the MDI control register, with autonegotiation resolved against a link partner
 *     that supports everything, power-down, and forced speed/duplex from CTRL;
 *   - interrupt cause/mask registers (ICR read-to-clear, ICS, IMS, IMC) with interrupt throttling (ITR, in
 *     256 ns units of virtual time: an interrupt inside the interval is held back until it passes);
 *   - receive address registers (16) and a 4096-bit multicast table, promiscuous and broadcast bits;
 *   - clear-on-read statistics registers;
 *   - TX and RX descriptor rings in host memory reached by DMA, with head/tail registers.
 * Work that real hardware does asynchronously (consuming TX descriptors, filling RX buffers, writing back
 * status) runs in step() on the kernel model's device thread after a tail write kicks it, so a run is
 * deterministic.  Frames leave on a "wire" (the harness, see simnic_dev.h), or come back through MAC
 * loopback (RCTL.LBM) or an external loopback plug.
 *
 * Fault knobs: link down/up, bad EEPROM checksum, dropped interrupts, stuck TX unit (cleared by reset),
 * frames arriving with a bad FCS.
 * Register values that software is not allowed to change are masked as the driver's register self-test
 * expects.  The model only uses kmodel/kmodel.h and libc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/sim.h"
#include "devices/simnic/simnic_dev.h"

/* ---- register map (the hardware specification; the driver has its own copy in simnic_hw.h) ---- */
enum {
	SN_CTRL = 0x0000, SN_STATUS = 0x0008, SN_EECD = 0x0010, SN_EERD = 0x0014, SN_CTRL_EXT = 0x0018,
	SN_MDIC = 0x0020, SN_FCAL = 0x0028, SN_FCAH = 0x002C, SN_FCT = 0x0030, SN_VET = 0x0038,
	SN_ICR = 0x00C0, SN_ITR = 0x00C4, SN_ICS = 0x00C8, SN_IMS = 0x00D0, SN_IMC = 0x00D8,
	SN_RCTL = 0x0100, SN_FCTTV = 0x0170, SN_TCTL = 0x0400, SN_TIPG = 0x0410, SN_LEDCTL = 0x0E00,
	SN_PBA = 0x1000, SN_FCRTL = 0x2160, SN_FCRTH = 0x2168,
	SN_RDBAL = 0x2800, SN_RDBAH = 0x2804, SN_RDLEN = 0x2808, SN_RDH = 0x2810, SN_RDT = 0x2818,
	SN_RDTR = 0x2820,
	SN_TDBAL = 0x3800, SN_TDBAH = 0x3804, SN_TDLEN = 0x3808, SN_TDH = 0x3810, SN_TDT = 0x3818,
	SN_TIDV = 0x3820,
	SN_STATS_FIRST = 0x4000, SN_STATS_LAST = 0x40FC,
	SN_MTA = 0x5200, SN_RA = 0x5400,
	SN_REGS_LEN = 0x6000,
};

/* statistics registers (clear on read) */
enum {
	SN_CRCERRS = 0x4000, SN_RXERRC = 0x400C, SN_MPC = 0x4010, SN_GPRC = 0x4074, SN_BPRC = 0x4078,
	SN_MPRC = 0x407C, SN_GPTC = 0x4080, SN_GORCL = 0x4088, SN_GORCH = 0x408C, SN_GOTCL = 0x4090,
	SN_GOTCH = 0x4094, SN_RNBC = 0x40A0, SN_RUC = 0x40A4, SN_ROC = 0x40AC, SN_TPR = 0x40D0,
	SN_TPT = 0x40D4, SN_MPTC = 0x40F0, SN_BPTC = 0x40F4,
};

#define CTRL_FD 0x00000001u
#define CTRL_SLU 0x00000040u
#define CTRL_SPD_MASK 0x00000300u
#define CTRL_SPD_100 0x00000100u
#define CTRL_SPD_1000 0x00000200u
#define CTRL_FRCSPD 0x00000800u
#define CTRL_RST 0x04000000u
#define CTRL_PHY_RST 0x80000000u

#define STATUS_FD 0x1u
#define STATUS_LU 0x2u
#define STATUS_SPEED_100 0x40u
#define STATUS_SPEED_1000 0x80u

#define EERD_START 0x1u
#define EERD_DONE 0x10u
#define EECD_WE 0x1u
#define EECD_WRITE 0x2u
#define EECD_DONE 0x4u

#define MDIC_OP_WRITE 0x04000000u
#define MDIC_OP_READ 0x08000000u
#define MDIC_READY 0x10000000u
#define MDIC_ERROR 0x40000000u

#define ICR_TXDW 0x01u
#define ICR_TXQE 0x02u
#define ICR_LSC 0x04u
#define ICR_RXDMT0 0x10u
#define ICR_RXO 0x40u
#define ICR_RXT0 0x80u
#define ICR_ASSERTED 0x80000000u

#define RCTL_EN 0x00000002u
#define RCTL_SBP 0x00000004u
#define RCTL_UPE 0x00000008u
#define RCTL_MPE 0x00000010u
#define RCTL_LPE 0x00000020u
#define RCTL_LBM_MASK 0x000000C0u
#define RCTL_BAM 0x00008000u
#define RCTL_BSIZE_MASK 0x00030000u
#define RCTL_BSEX 0x02000000u

#define TCTL_EN 0x2u
#define TCTL_PSP 0x8u

#define RAH_AV 0x80000000u

#define TXD_CMD_EOP 0x01u
#define TXD_CMD_RS 0x08u
#define TXD_STAT_DD 0x01u
#define RXD_STAT_DD 0x01u
#define RXD_STAT_EOP 0x02u
#define RXD_ERR_CE 0x01u

/* PHY */
#define PHY_ADDR 1
#define PHY_CTRL 0
#define PHY_STATUS 1
#define PHY_ID1 2
#define PHY_ID2 3
#define PHY_ADV 4
#define PHY_LPA 5
#define PHY_1000T_CTRL 9
#define PHY_1000T_STATUS 10
#define MII_CR_RESET 0x8000u
#define MII_CR_LOOPBACK 0x4000u
#define MII_CR_AN_EN 0x1000u
#define MII_CR_PDOWN 0x0800u
#define MII_CR_AN_RESTART 0x0200u
#define MII_SR_LINK 0x0004u
#define MII_SR_AN_DONE 0x0020u

#define SN_VENDOR 0x1af5
#define SN_DEVICE 0x5100
#define SN_BAR_SIZE 0x20000
#define SN_EEPROM_WORDS 64
#define SN_EEPROM_SUM 0xBABA
#define SN_RX_FIFO_MAX 4096
#define SN_MAX_FRAME 16384
#define SN_ETH_MIN 60			/* without FCS */
#define SN_ETH_MAX 1518			/* without FCS, VLAN tag allowed */

struct sn_frame {
	uint16_t len;
	uint8_t errors;		/* RXD_ERR_* written back with the frame */
	uint8_t data[];
};

struct simnic_dev {
	struct kc_km_pci_dev *pci;
	uint32_t regs[SN_REGS_LEN / 4];
	uint16_t eeprom[SN_EEPROM_WORDS];
	uint16_t phy[32];
	uint8_t mac[6];
	uint8_t revision;

	/* interrupt state */
	uint32_t icr;
	uint32_t ims;
	bool irq_pending;		/* raised (or lost) and not yet acknowledged by an ICR read */
	bool irq_held;			/* held back by the throttle */
	bool held_force;		/* ... and it was a software interrupt */
	uint64_t last_irq_ns;
	unsigned int drop_irqs;
	unsigned int bad_fcs;		/* the next n frames from the wire arrive with a bad FCS */

	/* link */
	bool cable;			/* link partner present */
	bool link;			/* STATUS.LU as last computed */
	bool loop_plug;
	bool stuck_tx;

	/* statistics: 64-bit accumulators behind the clear-on-read registers */
	uint64_t stat[(SN_STATS_LAST - SN_STATS_FIRST) / 4 + 1];
	uint32_t gorch_latch, gotch_latch;

	/* TX frame being assembled from descriptors */
	uint8_t *txbuf;
	size_t txlen;

	/* RX FIFO (frames accepted by the filters, waiting for ring space) */
	struct sn_frame **fifo;
	unsigned int fifo_head, fifo_len;

	simnic_wire_fn wire;
	void *wire_arg;
	struct simnic_dev_counters cnt;
};

#define REG(d, off) ((d)->regs[(off) / 4])

/* Write masks: bits software may set; registers absent here take any value. */
static uint32_t sn_write_mask(uint32_t off)
{
	switch (off) {
	case SN_FCAH: case SN_FCT: case SN_VET: case SN_RDTR: case SN_FCTTV: case SN_RDH: case SN_RDT:
	case SN_TDH: case SN_TDT: case SN_TIDV: case SN_ITR: case SN_PBA:
		return 0x0000FFFF;
	case SN_RDLEN: case SN_TDLEN:
		return 0x000FFF80;
	case SN_FCRTH:
		return 0x0000FFF8;
	case SN_FCRTL:
		return 0x8000FFF8;
	case SN_TIPG:
		return 0x3FFFFFFF;
	case SN_RDBAL: case SN_TDBAL:
		return 0xFFFFFFF0;
	default:
		if (off >= SN_RA && off < SN_RA + 16 * 8 && (off & 4))
			return 0x8003FFFF;
		return 0xFFFFFFFF;
	}
}

/* ---- EEPROM ---- */

static void sn_eeprom_init(struct simnic_dev *d)
{
	uint16_t sum = 0;
	int i;

	memset(d->eeprom, 0, sizeof(d->eeprom));
	for (i = 0; i < 3; i++)
		d->eeprom[i] = (uint16_t)(d->mac[2 * i] | (d->mac[2 * i + 1] << 8));
	d->eeprom[0x03] = 0x0000;	/* compatibility */
	d->eeprom[0x05] = 0x0105;	/* image version 1.5 */
	d->eeprom[0x08] = 0x1234;	/* PBA number */
	d->eeprom[0x09] = 0x5678;
	d->eeprom[0x0A] = 0x4408;	/* init control 1 */
	d->eeprom[0x0B] = 0x0001;	/* subsystem id */
	d->eeprom[0x0C] = SN_VENDOR;
	for (i = 0; i < 0x3F; i++)
		sum += d->eeprom[i];
	d->eeprom[0x3F] = (uint16_t)(SN_EEPROM_SUM - sum);
}

/* ---- PHY and link ---- */

static void sn_phy_reset(struct simnic_dev *d)
{
	memset(d->phy, 0, sizeof(d->phy));
	d->phy[PHY_CTRL] = MII_CR_AN_EN | 0x0100 | 0x0040;	/* autoneg, full duplex, 1000 */
	d->phy[PHY_STATUS] = 0x7949;
	d->phy[PHY_ID1] = 0x0141;
	d->phy[PHY_ID2] = 0x0C22;
	d->phy[PHY_ADV] = 0x01E1;
	d->phy[PHY_1000T_CTRL] = 0x0300;
}

/* Resolve speed/duplex; returns false when no common mode exists. */
static bool sn_resolve(const struct simnic_dev *d, unsigned int *speed, bool *fd)
{
	uint32_t ctrl = REG(d, SN_CTRL);
	uint16_t adv = d->phy[PHY_ADV];

	if (!(d->phy[PHY_CTRL] & MII_CR_AN_EN) || (ctrl & CTRL_FRCSPD)) {
		switch (ctrl & CTRL_SPD_MASK) {
		case CTRL_SPD_1000:
			*speed = 1000;
			break;
		case CTRL_SPD_100:
			*speed = 100;
			break;
		default:
			*speed = 10;
		}
		*fd = (ctrl & CTRL_FD) != 0;
		return true;
	}
	/* the link partner advertises everything: the best common mode wins */
	if (d->phy[PHY_1000T_CTRL] & 0x0200) {
		*speed = 1000, *fd = true;
	} else if (adv & 0x0100) {
		*speed = 100, *fd = true;
	} else if (adv & 0x0080) {
		*speed = 100, *fd = false;
	} else if (adv & 0x0040) {
		*speed = 10, *fd = true;
	} else if (adv & 0x0020) {
		*speed = 10, *fd = false;
	} else {
		return false;
	}
	return true;
}

static void sn_set_cause(struct simnic_dev *d, uint32_t bits);

/* Recompute the link from cable, PHY and MAC state; a change raises LSC. */
static void sn_link_update(struct simnic_dev *d)
{
	unsigned int speed = 0;
	bool fd = false;
	bool phy_link = d->cable && !(d->phy[PHY_CTRL] & MII_CR_PDOWN) && sn_resolve(d, &speed, &fd);
	bool link = phy_link && (REG(d, SN_CTRL) & CTRL_SLU);
	uint32_t st = REG(d, SN_STATUS) & ~(STATUS_FD | STATUS_LU | STATUS_SPEED_100 | STATUS_SPEED_1000);

	if (phy_link) {
		d->phy[PHY_STATUS] |= MII_SR_LINK | MII_SR_AN_DONE;
		d->phy[PHY_LPA] = 0xC5E1;
		d->phy[PHY_1000T_STATUS] = speed == 1000 ? 0x3C00 : 0;
	} else {
		d->phy[PHY_STATUS] &= (uint16_t)~(MII_SR_LINK | MII_SR_AN_DONE);
		d->phy[PHY_LPA] = 0;
		d->phy[PHY_1000T_STATUS] = 0;
	}
	if (link) {
		st |= STATUS_LU | (fd ? STATUS_FD : 0);
		st |= speed == 1000 ? STATUS_SPEED_1000 : speed == 100 ? STATUS_SPEED_100 : 0;
	}
	REG(d, SN_STATUS) = st;
	if (link != d->link) {
		d->link = link;
		sn_set_cause(d, ICR_LSC);
	}
}

static void sn_phy_write(struct simnic_dev *d, unsigned int reg, uint16_t val)
{
	switch (reg) {
	case PHY_CTRL:
		if (val & MII_CR_RESET) {
			sn_phy_reset(d);
			break;
		}
		d->phy[PHY_CTRL] = val & (uint16_t)~MII_CR_AN_RESTART;	/* self-clearing */
		break;
	case PHY_STATUS: case PHY_ID1: case PHY_ID2: case PHY_LPA: case PHY_1000T_STATUS:
		break;	/* read-only */
	default:
		d->phy[reg] = val;
	}
	sn_link_update(d);
}

/* ---- interrupts ---- */

static uint64_t sn_itr_ns(const struct simnic_dev *d)
{
	return (uint64_t)(REG(d, SN_ITR) & 0xFFFF) * 256;
}

/* Raise the line for pending unmasked causes unless already raised, throttled or dropped by the knob.
 * force: a software interrupt (ICS) raises even when the line is considered raised.  A throttled
 * interrupt is held (remembering force) and retried by sn_release_held(). */
static void sn_update_irq(struct simnic_dev *d, bool force)
{
	uint64_t now = kc_km_now_ns();

	if (!(d->icr & d->ims)) {
		d->irq_held = false;
		d->held_force = false;
		return;
	}
	if (d->irq_held)
		force = force || d->held_force;
	if (d->irq_pending && !force)
		return;
	if (d->last_irq_ns && now < d->last_irq_ns + sn_itr_ns(d)) {
		if (!d->irq_held)
			d->cnt.irqs_throttled++;
		d->irq_held = true;
		d->held_force = force;
		return;
	}
	d->irq_held = false;
	d->held_force = false;
	d->irq_pending = true;
	d->last_irq_ns = now ? now : 1;
	if (d->drop_irqs) {
		d->drop_irqs--;
		d->cnt.irqs_dropped++;
		return;
	}
	d->cnt.irqs_raised++;
	kc_km_irq_raise(d->pci);
}

/* Retry a throttled interrupt (after the interval it goes out). */
static void sn_release_held(struct simnic_dev *d)
{
	if (d->irq_held)
		sn_update_irq(d, false);
}

static void sn_set_cause(struct simnic_dev *d, uint32_t bits)
{
	d->icr |= bits;
	sn_update_irq(d, false);
}

/* ---- reset ---- */

static void sn_fifo_pop(struct simnic_dev *d);

static void sn_fifo_clear(struct simnic_dev *d)
{
	while (d->fifo_len)
		sn_fifo_pop(d);
	d->fifo_head = 0;
}

/* Global reset: registers to power-on values (EEPROM and statistics survive), interrupts cleared. */
static void sn_reset(struct simnic_dev *d)
{
	memset(d->regs, 0, sizeof(d->regs));
	REG(d, SN_TCTL) = TCTL_PSP;
	REG(d, SN_PBA) = 0x30;
	REG(d, SN_TIPG) = 0x00602008;
	REG(d, SN_LEDCTL) = 0x07068302;
	d->icr = 0;
	d->ims = 0;
	d->irq_pending = false;
	d->irq_held = false;
	d->stuck_tx = false;
	d->txlen = 0;
	d->link = false;
	sn_fifo_clear(d);
	d->cnt.resets++;
	sn_link_update(d);
}

/* ---- statistics ---- */

static void sn_stat_add(struct simnic_dev *d, uint32_t off, uint64_t v)
{
	d->stat[(off - SN_STATS_FIRST) / 4] += v;
}

static uint32_t sn_stat_read(struct simnic_dev *d, uint32_t off)
{
	uint64_t *s = &d->stat[(off - SN_STATS_FIRST) / 4];
	uint32_t v;

	switch (off) {
	case SN_GORCL:
	case SN_GOTCL:
		v = (uint32_t)*s;
		if (off == SN_GORCL)
			d->gorch_latch = (uint32_t)(*s >> 32);
		else
			d->gotch_latch = (uint32_t)(*s >> 32);
		*s = 0;
		return v;
	case SN_GORCH:
		v = d->gorch_latch;
		d->gorch_latch = 0;
		return v;
	case SN_GOTCH:
		v = d->gotch_latch;
		d->gotch_latch = 0;
		return v;
	default:
		v = *s > UINT32_MAX ? UINT32_MAX : (uint32_t)*s;
		*s = 0;
		return v;
	}
}

/* ---- receive ---- */

static bool sn_is_bcast(const uint8_t *a)
{
	static const uint8_t ff[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return memcmp(a, ff, 6) == 0;
}

static bool sn_rar_match(const struct simnic_dev *d, const uint8_t *a)
{
	uint32_t lo = (uint32_t)a[0] | (uint32_t)a[1] << 8 | (uint32_t)a[2] << 16 | (uint32_t)a[3] << 24;
	uint32_t hi = (uint32_t)a[4] | (uint32_t)a[5] << 8;
	int i;

	for (i = 0; i < 16; i++) {
		uint32_t ral = REG(d, SN_RA + 8 * i), rah = REG(d, SN_RA + 8 * i + 4);

		if ((rah & RAH_AV) && ral == lo && (rah & 0xFFFF) == hi)
			return true;
	}
	return false;
}

static bool sn_mta_match(const struct simnic_dev *d, const uint8_t *a)
{
	uint32_t hash = ((uint32_t)(a[4] >> 4) | ((uint32_t)a[5] << 4)) & 0xFFF;

	return (REG(d, SN_MTA + 4 * ((hash >> 5) & 127)) >> (hash & 31)) & 1;
}

/* Address filter of the receiver. */
static bool sn_accept(const struct simnic_dev *d, const uint8_t *dst)
{
	uint32_t rctl = REG(d, SN_RCTL);

	if (rctl & RCTL_UPE)
		return true;
	if (sn_is_bcast(dst))
		return (rctl & RCTL_BAM) != 0;
	if (dst[0] & 1)
		return (rctl & RCTL_MPE) || sn_rar_match(d, dst) || sn_mta_match(d, dst);
	return sn_rar_match(d, dst);
}

static unsigned int sn_rx_bufsize(const struct simnic_dev *d)
{
	uint32_t rctl = REG(d, SN_RCTL);
	unsigned int sz = (rctl & RCTL_BSIZE_MASK) >> 16;

	if (rctl & RCTL_BSEX)
		return sz == 1 ? 16384 : sz == 2 ? 8192 : 4096;
	return sz == 0 ? 2048 : sz == 1 ? 1024 : sz == 2 ? 512 : 256;
}

/* A frame reaches the receiver (from the wire, the loopback plug or MAC loopback).  bad_fcs: its frame
 * check sequence is wrong; such frames are counted in CRCERRS and dropped unless RCTL.SBP (store bad
 * packets) asks for them to be stored with the CE error bit. */
static int sn_receive(struct simnic_dev *d, const uint8_t *frame, size_t len, bool bad_fcs)
{
	uint32_t rctl = REG(d, SN_RCTL);
	bool mac_loop = (rctl & RCTL_LBM_MASK) != 0;
	struct sn_frame *f;

	if (!(rctl & RCTL_EN) || (!d->link && !mac_loop)) {
		d->cnt.rx_link_down++;
		return 0;
	}
	sn_stat_add(d, SN_TPR, 1);
	if (len < SN_ETH_MIN) {
		sn_stat_add(d, SN_RUC, 1);
		d->cnt.rx_length++;
		return 0;
	}
	if (len > ((rctl & RCTL_LPE) ? SN_MAX_FRAME : SN_ETH_MAX)) {
		sn_stat_add(d, SN_ROC, 1);
		d->cnt.rx_length++;
		return 0;
	}
	if (bad_fcs) {
		sn_stat_add(d, SN_CRCERRS, 1);
		d->cnt.rx_bad_fcs++;
		if (!(rctl & RCTL_SBP))
			return 0;
	}
	if (!sn_accept(d, frame)) {
		d->cnt.rx_filtered++;
		return 0;
	}
	if (d->fifo_len == SN_RX_FIFO_MAX) {
		sn_stat_add(d, SN_MPC, 1);
		return KC_ENOMEM;
	}
	f = malloc(sizeof(*f) + len);
	if (!f)
		return KC_ENOMEM;
	f->len = (uint16_t)len;
	f->errors = bad_fcs ? RXD_ERR_CE : 0;
	memcpy(f->data, frame, len);
	d->fifo[(d->fifo_head + d->fifo_len) % SN_RX_FIFO_MAX] = f;
	d->fifo_len++;
	kc_km_dev_kick(d->pci);
	return 0;
}

static uint64_t sn_rdba(const struct simnic_dev *d)
{
	return (uint64_t)REG(d, SN_RDBAH) << 32 | REG(d, SN_RDBAL);
}

static uint64_t sn_tdba(const struct simnic_dev *d)
{
	return (uint64_t)REG(d, SN_TDBAH) << 32 | REG(d, SN_TDBAL);
}

/* Drop the frame at the head of the FIFO. */
static void sn_fifo_pop(struct simnic_dev *d)
{
	free(d->fifo[d->fifo_head]);
	d->fifo[d->fifo_head] = NULL;
	d->fifo_head = (d->fifo_head + 1) % SN_RX_FIFO_MAX;
	d->fifo_len--;
}

/* Write one frame into descriptors RDH.. (the caller checked there are enough); advances RDH.
 * Returns 0, or KC_EINVAL after a DMA fault (the frame is then lost, as on a bus error). */
static int sn_rx_write_frame(struct simnic_dev *d, const struct sn_frame *f, unsigned int ring,
			     unsigned int bufsz)
{
	unsigned int head = REG(d, SN_RDH);
	size_t off = 0;

	while (off < f->len) {
		uint8_t desc[16];
		uint64_t bus = sn_rdba(d) + (uint64_t)head * 16, buf;
		size_t chunk = f->len - off < bufsz ? f->len - off : bufsz;

		if (kc_km_dma_read(d->pci, bus, desc, 16))
			return KC_EINVAL;
		memcpy(&buf, desc, 8);
		if (kc_km_dma_write(d->pci, buf, f->data + off, chunk))
			return KC_EINVAL;
		off += chunk;
		desc[8] = (uint8_t)chunk;
		desc[9] = (uint8_t)(chunk >> 8);
		desc[10] = desc[11] = 0;	/* checksum: not offloaded */
		desc[12] = RXD_STAT_DD | (off == f->len ? RXD_STAT_EOP : 0);
		desc[13] = off == f->len ? f->errors : 0;
		desc[14] = desc[15] = 0;
		if (kc_km_dma_write(d->pci, bus + 8, desc + 8, 8))
			return KC_EINVAL;
		head = (head + 1) % ring;
		REG(d, SN_RDH) = head;
	}
	return 0;
}

/* Move FIFO frames into the RX ring while descriptors are available.  Returns frames delivered. */
static unsigned int sn_rx_deliver(struct simnic_dev *d)
{
	unsigned int ring = REG(d, SN_RDLEN) / 16, bufsz = sn_rx_bufsize(d), done = 0;

	while (d->fifo_len && (REG(d, SN_RCTL) & RCTL_EN) && ring) {
		struct sn_frame *f = d->fifo[d->fifo_head];
		unsigned int head = REG(d, SN_RDH), tail = REG(d, SN_RDT), need, avail;

		if (head >= ring || tail >= ring)
			break;	/* misprogrammed ring: the unit stalls */
		need = (f->len + bufsz - 1) / bufsz;
		if (need >= ring) {
			/* could never fit, even in an empty ring */
			sn_stat_add(d, SN_ROC, 1);
			d->cnt.rx_length++;
			sn_fifo_pop(d);
			continue;
		}
		avail = (tail + ring - head) % ring;
		if (avail < need) {
			sn_stat_add(d, SN_RNBC, 1);
			d->cnt.rx_no_buffer++;
			break;
		}
		if (sn_rx_write_frame(d, f, ring, bufsz)) {
			d->cnt.dma_errors++;
			sn_fifo_pop(d);
			break;
		}
		d->cnt.rx_frames++;
		if (!f->errors) {
			sn_stat_add(d, SN_GPRC, 1);
			sn_stat_add(d, SN_GORCL, f->len + 4);
			if (sn_is_bcast(f->data))
				sn_stat_add(d, SN_BPRC, 1);
			else if (f->data[0] & 1)
				sn_stat_add(d, SN_MPRC, 1);
			d->cnt.rx_bytes += f->len;
		}
		sn_fifo_pop(d);
		done++;
	}
	return done;
}

/* ---- transmit ---- */

static void sn_transmit(struct simnic_dev *d, const uint8_t *frame, size_t len)
{
	sn_stat_add(d, SN_GPTC, 1);
	sn_stat_add(d, SN_TPT, 1);
	sn_stat_add(d, SN_GOTCL, len + 4);
	if (sn_is_bcast(frame))
		sn_stat_add(d, SN_BPTC, 1);
	else if (frame[0] & 1)
		sn_stat_add(d, SN_MPTC, 1);
	d->cnt.tx_frames++;
	d->cnt.tx_bytes += len;
	if (REG(d, SN_RCTL) & RCTL_LBM_MASK) {
		sn_receive(d, frame, len, false);	/* MAC loopback: nothing reaches the wire */
		return;
	}
	if (d->wire)
		d->wire(d->wire_arg, frame, len);
	if (d->loop_plug)
		sn_receive(d, frame, len, false);
}

/* Consume TX descriptors from TDH to TDT.  Returns descriptors processed. */
static unsigned int sn_tx_process(struct simnic_dev *d)
{
	unsigned int ring = REG(d, SN_TDLEN) / 16, done = 0;
	bool mac_loop = (REG(d, SN_RCTL) & RCTL_LBM_MASK) != 0;

	if (!(REG(d, SN_TCTL) & TCTL_EN) || d->stuck_tx || !ring || (!d->link && !mac_loop))
		return 0;
	while (REG(d, SN_TDH) != REG(d, SN_TDT)) {
		unsigned int head = REG(d, SN_TDH);
		uint64_t bus = sn_tdba(d) + (uint64_t)head * 16, buf;
		uint8_t desc[16];
		uint16_t len;

		if (head >= ring || REG(d, SN_TDT) >= ring)
			break;
		if (kc_km_dma_read(d->pci, bus, desc, 16)) {
			d->cnt.dma_errors++;
			break;
		}
		memcpy(&buf, desc, 8);
		len = (uint16_t)(desc[8] | desc[9] << 8);
		if (d->txlen + len > SN_MAX_FRAME + 64) {
			d->txlen = 0;	/* runaway frame without EOP: drop it */
		} else if (len && kc_km_dma_read(d->pci, buf, d->txbuf + d->txlen, len)) {
			d->cnt.dma_errors++;
			break;
		} else {
			d->txlen += len;
		}
		if (desc[11] & TXD_CMD_EOP) {
			if (d->txlen && d->txlen < SN_ETH_MIN && (REG(d, SN_TCTL) & TCTL_PSP)) {
				memset(d->txbuf + d->txlen, 0, SN_ETH_MIN - d->txlen);
				d->txlen = SN_ETH_MIN;
			}
			if (d->txlen)
				sn_transmit(d, d->txbuf, d->txlen);
			d->txlen = 0;
		}
		if (desc[11] & TXD_CMD_RS) {
			uint8_t status = TXD_STAT_DD;

			if (kc_km_dma_write(d->pci, bus + 12, &status, 1)) {
				d->cnt.dma_errors++;
				break;
			}
		}
		REG(d, SN_TDH) = (head + 1) % ring;
		done++;
	}
	return done;
}

/* Device thread: transmit, then receive, then tell the driver. */
static void sn_step(void *opaque)
{
	struct simnic_dev *d = opaque;
	uint32_t cause = 0;

	if (sn_tx_process(d))
		cause |= ICR_TXDW | (REG(d, SN_TDH) == REG(d, SN_TDT) ? ICR_TXQE : 0);
	if (sn_rx_deliver(d))
		cause |= ICR_RXT0;
	if (cause)
		sn_set_cause(d, cause);
	else
		sn_release_held(d);
}

/* ---- MMIO ---- */

static uint32_t sn_read32(struct simnic_dev *d, uint32_t off)
{
	uint32_t v;

	if (off >= SN_REGS_LEN)
		return 0;
	if (off >= SN_STATS_FIRST && off <= SN_STATS_LAST)
		return sn_stat_read(d, off);
	switch (off) {
	case SN_ICR:
		v = d->icr;
		if (v & d->ims)
			v |= ICR_ASSERTED;
		d->icr = 0;
		d->irq_pending = false;
		d->irq_held = false;
		d->held_force = false;
		return v;
	case SN_IMS:
		return d->ims;
	case SN_ICS: case SN_IMC:
		return 0;
	default:
		return REG(d, off);
	}
}

static void sn_mdic_write(struct simnic_dev *d, uint32_t v)
{
	unsigned int reg = (v >> 16) & 0x1F, phy = (v >> 21) & 0x1F;

	v &= ~(MDIC_READY | MDIC_ERROR);
	if (phy != PHY_ADDR) {
		v |= MDIC_ERROR;
	} else if (v & MDIC_OP_READ) {
		v = (v & 0xFFFF0000u) | d->phy[reg];
	} else if (v & MDIC_OP_WRITE) {
		sn_phy_write(d, reg, (uint16_t)v);
	}
	REG(d, SN_MDIC) = v | MDIC_READY;
}

static void sn_write32(struct simnic_dev *d, uint32_t off, uint32_t v)
{
	if (off >= SN_REGS_LEN)
		return;
	if (off >= SN_STATS_FIRST && off <= SN_STATS_LAST)
		return;	/* statistics are read-only */
	switch (off) {
	case SN_CTRL:
		if (v & CTRL_RST) {
			sn_reset(d);
			return;
		}
		if (v & CTRL_PHY_RST)
			sn_phy_reset(d);
		REG(d, SN_CTRL) = v & ~CTRL_PHY_RST;
		sn_link_update(d);
		break;
	case SN_STATUS:
		break;	/* read-only */
	case SN_EERD: {
		unsigned int addr = (v >> 8) & 0xFF;

		if (!(v & EERD_START))
			break;
		REG(d, SN_EERD) = (addr << 8) | EERD_DONE |
				  (addr < SN_EEPROM_WORDS ? (uint32_t)d->eeprom[addr] << 16 : 0xFFFF0000u);
		break;
	}
	case SN_EECD: {
		unsigned int addr = (v >> 8) & 0xFF;

		if ((v & (EECD_WE | EECD_WRITE)) == (EECD_WE | EECD_WRITE) && addr < SN_EEPROM_WORDS) {
			d->eeprom[addr] = (uint16_t)(v >> 16);
			REG(d, SN_EECD) = v | EECD_DONE;
		} else {
			REG(d, SN_EECD) = v & EECD_WE;
		}
		break;
	}
	case SN_MDIC:
		sn_mdic_write(d, v);
		break;
	case SN_ICR:
		d->icr &= ~v;	/* write-1-to-clear */
		break;
	case SN_ICS:
		d->icr |= v;
		sn_update_irq(d, true);
		break;
	case SN_IMS:
		d->ims |= v;
		sn_update_irq(d, false);
		break;
	case SN_IMC:
		d->ims &= ~v;
		break;
	case SN_RCTL:
		REG(d, off) = v;
		if (v & RCTL_EN)
			kc_km_dev_kick(d->pci);
		break;
	case SN_TDT:
	case SN_RDT:
		REG(d, off) = v & 0xFFFF;
		kc_km_dev_kick(d->pci);
		break;
	default:
		REG(d, off) = v & sn_write_mask(off);
		break;
	}
	sn_release_held(d);
}

static uint64_t sn_mmio_read(void *opaque, int bar, uint64_t off, unsigned int size)
{
	struct simnic_dev *d = opaque;
	uint32_t v;

	if (bar != 0)
		return ~0ULL;
	v = sn_read32(d, (uint32_t)(off & ~3ULL));
	if (size == 4)
		return v;
	if (size == 8)
		return v | (uint64_t)sn_read32(d, (uint32_t)(off & ~3ULL) + 4) << 32;
	return (v >> (8 * (off & 3))) & (size == 1 ? 0xFF : 0xFFFF);
}

static void sn_mmio_write(void *opaque, int bar, uint64_t off, unsigned int size, uint64_t val)
{
	struct simnic_dev *d = opaque;

	if (bar != 0)
		return;
	if (size == 8) {
		sn_write32(d, (uint32_t)off, (uint32_t)val);
		sn_write32(d, (uint32_t)off + 4, (uint32_t)(val >> 32));
	} else if (size == 4) {
		sn_write32(d, (uint32_t)off, (uint32_t)val);
	}
	/* byte and word writes are not supported by the register file (ignored, as on e1000) */
}

/* ---- harness side ---- */

void simnic_dev_set_wire(struct simnic_dev *d, simnic_wire_fn fn, void *arg)
{
	d->wire = fn;
	d->wire_arg = arg;
}

int simnic_dev_wire_rx(struct simnic_dev *d, const uint8_t *frame, size_t len)
{
	bool bad = false;

	if (d->bad_fcs) {
		d->bad_fcs--;
		bad = true;
	}
	return sn_receive(d, frame, len, bad);
}

unsigned int simnic_dev_rx_fifo_len(const struct simnic_dev *d)
{
	return d->fifo_len;
}

bool simnic_dev_tx_pending(const struct simnic_dev *d)
{
	return (REG(d, SN_TCTL) & TCTL_EN) && REG(d, SN_TDH) != REG(d, SN_TDT);
}

void simnic_dev_set_link(struct simnic_dev *d, bool up)
{
	d->cable = up;
	sn_link_update(d);
	kc_km_dev_kick(d->pci);
}

bool simnic_dev_link(const struct simnic_dev *d)
{
	return d->link;
}

void simnic_dev_fault_eeprom(struct simnic_dev *d, bool bad)
{
	sn_eeprom_init(d);
	if (bad)
		d->eeprom[0x3F] ^= 0x0001;
}

void simnic_dev_fault_drop_irq(struct simnic_dev *d, unsigned int n)
{
	d->drop_irqs = n;
}

void simnic_dev_fault_bad_fcs(struct simnic_dev *d, unsigned int n)
{
	d->bad_fcs = n;
}

void simnic_dev_fault_stuck_tx(struct simnic_dev *d)
{
	d->stuck_tx = true;
}

void simnic_dev_set_loopback_plug(struct simnic_dev *d, bool on)
{
	d->loop_plug = on;
}

uint64_t simnic_dev_next_event_ns(const struct simnic_dev *d)
{
	uint64_t due, now = kc_km_now_ns();

	if (!d->irq_held)
		return 0;
	due = d->last_irq_ns + sn_itr_ns(d);
	return due > now ? due - now : 1;
}

void simnic_dev_service(struct simnic_dev *d)
{
	sn_release_held(d);
}

void simnic_dev_get_counters(const struct simnic_dev *d, struct simnic_dev_counters *out)
{
	*out = d->cnt;
}

const char *simnic_dev_pci_name(const struct simnic_dev *d)
{
	return kc_km_pci_name(d->pci);
}

/* ---- device type ---- */

static int sn_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return KC_EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xFF)
			return KC_EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static void sn_free(struct simnic_dev *d)
{
	if (!d)
		return;
	if (d->fifo)
		sn_fifo_clear(d);
	free(d->fifo);
	free(d->txbuf);
	free(d);
}

/*
 * `device simnic [mac=52:54:00:12:34:56] [link=up|down] [eeprom=good|bad] [rev=N]`: make the model and plug
 * it in.  Returns 0, SIM_EUSAGE for a bad option, or a negative error of kc_km_pci_add().
 */
static int sn_create(struct sim *sim, int argc, char **argv, void **out_state)
{
	static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct kc_km_pci_desc desc = {
		.model = "simnic",
		.vendor = SN_VENDOR,
		.device = SN_DEVICE,
		.subvendor = SN_VENDOR,
		.subdevice = 0x0001,
		.class_code = 0x020000,
		.bar_size = { SN_BAR_SIZE },
		.mmio_read = sn_mmio_read,
		.mmio_write = sn_mmio_write,
		.step = sn_step,
	};
	struct simnic_dev *d = calloc(1, sizeof(*d));
	bool bad_eeprom = false;
	struct kc_err err = { 0 };
	int i, rc;

	if (!d)
		return KC_ENOMEM;
	d->fifo = calloc(SN_RX_FIFO_MAX, sizeof(*d->fifo));
	d->txbuf = malloc(SN_MAX_FRAME + 128);
	if (!d->fifo || !d->txbuf) {
		sn_free(d);
		return KC_ENOMEM;
	}
	memcpy(d->mac, default_mac, 6);
	d->cable = true;
	d->revision = 2;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "mac=", 4) && sn_parse_mac(a + 4, d->mac) == 0)
			continue;
		if (!strcmp(a, "link=up") || !strcmp(a, "link=down")) {
			d->cable = !strcmp(a, "link=up");
			continue;
		}
		if (!strcmp(a, "eeprom=good") || !strcmp(a, "eeprom=bad")) {
			bad_eeprom = !strcmp(a, "eeprom=bad");
			continue;
		}
		if (!strncmp(a, "rev=", 4)) {
			d->revision = (uint8_t)strtoul(a + 4, NULL, 0);
			continue;
		}
		sim_printf(sim, "simnic: unknown option '%s' (mac=, link=up|down, eeprom=good|bad, rev=)\n", a);
		sn_free(d);
		return SIM_EUSAGE;
	}
	desc.revision = d->revision;
	simnic_dev_fault_eeprom(d, bad_eeprom);
	sn_phy_reset(d);
	memset(d->regs, 0, sizeof(d->regs));
	REG(d, SN_TCTL) = TCTL_PSP;
	REG(d, SN_PBA) = 0x30;
	REG(d, SN_CTRL) = CTRL_SLU | CTRL_FD;
	sn_link_update(d);
	d->icr = 0;
	rc = kc_km_pci_add(&d->pci, &desc, d, &err);
	if (rc) {
		sim_printf(sim, "simnic: %s\n", err.msg);
		sn_free(d);
		return rc;
	}
	*out_state = d;
	return 0;
}

static void sn_destroy(void *state)
{
	struct simnic_dev *d = state;

	kc_km_pci_del(d->pci);
	sn_free(d);
}

static const struct sim_device_type simnic_type = {
	.name = "simnic",
	.create = sn_create,
	.destroy = sn_destroy,
	.help = "e1000-class PCI NIC: mac=XX:..., link=up|down, eeprom=good|bad, rev=N",
};
SIM_DEVICE_TYPE(simnic_type);
