/*
 * simnic_dev.h - the simnic device model's interface to the kcut-sim harness.
 *
 * The device model itself (simnic_dev.c) is hardware: it registers a PCI function with the kernel model and
 * answers MMIO, DMA and interrupts.  This header is the other side of its "cable": the harness's NIC commands
 * (harness/net*.c) attach a wire to see every transmitted frame, push frames into the receiver, flip the link
 * and the fault knobs, read the device's own counters, and release throttled interrupts when they advance
 * virtual time.  Functions return 0 or a negative KC_E* code.
 */
#ifndef KC_SIMNIC_DEV_H
#define KC_SIMNIC_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct simnic_dev;

/* Called (on the device thread) for every frame the device puts on the wire, without FCS. */
typedef void (*simnic_wire_fn)(void *arg, const uint8_t *frame, size_t len);

/* Attach the harness end of the wire (NULL detaches: frames are then counted and dropped). */
void simnic_dev_set_wire(struct simnic_dev *d, simnic_wire_fn fn, void *arg);

/* A frame arrives from the wire.  It is filtered (link, RCTL.EN, address filters, length) at once and, if
 * accepted, queued in the device's receive FIFO; a device step moves it into the RX ring.  Returns 0 (also
 * for a frame the filters dropped: that is what the wire does), or KC_ENOMEM when the FIFO is full. */
int simnic_dev_wire_rx(struct simnic_dev *d, const uint8_t *frame, size_t len);
unsigned int simnic_dev_rx_fifo_len(const struct simnic_dev *d);
/* Frames the TX unit could take but has not (TDH != TDT while enabled). */
bool simnic_dev_tx_pending(const struct simnic_dev *d);

/* Fault knobs. */
void simnic_dev_set_link(struct simnic_dev *d, bool up);	/* cable plugged / unplugged */
bool simnic_dev_link(const struct simnic_dev *d);		/* the MAC's view: STATUS.LU */
void simnic_dev_fault_eeprom(struct simnic_dev *d, bool bad);	/* corrupt / repair the checksum word */
void simnic_dev_fault_drop_irq(struct simnic_dev *d, unsigned int n);	/* lose the next n interrupts */
void simnic_dev_fault_stuck_tx(struct simnic_dev *d);		/* TX unit stops until the next reset */
void simnic_dev_fault_bad_fcs(struct simnic_dev *d, unsigned int n);	/* next n wire frames: bad FCS */
/* External loopback plug: transmitted frames come back into the receiver (and also reach the wire fn). */
void simnic_dev_set_loopback_plug(struct simnic_dev *d, bool on);

/* Interrupt throttling: ns of virtual time until a held-back interrupt may be raised (0 = none held). */
uint64_t simnic_dev_next_event_ns(const struct simnic_dev *d);
/* Raise held-back interrupts whose throttle interval has passed.  Harness thread, after kc_km_advance(). */
void simnic_dev_service(struct simnic_dev *d);

struct simnic_dev_counters {
	uint64_t tx_frames, tx_bytes;		/* put on the wire */
	uint64_t rx_frames, rx_bytes;		/* written into the RX ring */
	uint64_t rx_filtered;			/* dropped by the address filters */
	uint64_t rx_bad_fcs;			/* arrived with a bad frame check sequence */
	uint64_t rx_link_down;			/* arrived while the link or receiver was down */
	uint64_t rx_length;			/* dropped: too long or too short */
	uint64_t rx_no_buffer;			/* times the ring was full with frames waiting */
	uint64_t irqs_raised, irqs_dropped, irqs_throttled;
	uint64_t resets;
	uint64_t dma_errors;
};
void simnic_dev_get_counters(const struct simnic_dev *d, struct simnic_dev_counters *out);

/* "0000:00:03.0" */
const char *simnic_dev_pci_name(const struct simnic_dev *d);

#endif
