/*
 * simsnd.h - register map of the simsnd PCI audio device and the harness's view of the model.
 *
 * simsnd plays interleaved PCM from a ring buffer in host memory: the driver programs the buffer's bus
 * address, size and period size, sets CTRL_RUN, and the device reads one period per period time (derived
 * from RATE, channels and sample width on the virtual clock), advances POSITION, and raises INT_PERIOD.
 * A small codec (volume, mute, output select) sits behind an indirect CODEC_CMD/CODEC_DATA interface whose
 * accesses take CODEC_BUSY_NS to complete, like AC'97.
 */
#ifndef KC_SIMSND_H
#define KC_SIMSND_H

#include <stdint.h>

#define SIMSND_VENDOR 0x4b43	/* "KC" */
#define SIMSND_DEVICE 0x5353	/* "SS" */
#define SIMSND_BAR0_SIZE 4096
#define SIMSND_ID_VALUE 0x534e4401u

#define SIMSND_REG_ID 0x00
#define SIMSND_REG_CTRL 0x04
#define SIMSND_CTRL_RUN (1u << 0)
#define SIMSND_CTRL_RESET (1u << 1)
#define SIMSND_CTRL_IRQ_EN (1u << 2)
#define SIMSND_CTRL_PAUSE (1u << 3)
#define SIMSND_REG_STATUS 0x08
#define SIMSND_STATUS_RUNNING (1u << 0)
#define SIMSND_STATUS_READY (1u << 1)
#define SIMSND_STATUS_CODEC_BUSY (1u << 2)
#define SIMSND_REG_INT_STATUS 0x0c	/* write 1 to clear */
#define SIMSND_INT_PERIOD (1u << 0)
#define SIMSND_INT_DMA_ERROR (1u << 1)
#define SIMSND_REG_BUF_LO 0x10
#define SIMSND_REG_BUF_HI 0x14
#define SIMSND_REG_BUF_SIZE 0x18
#define SIMSND_REG_PERIOD_SIZE 0x1c
#define SIMSND_REG_POSITION 0x20
#define SIMSND_REG_FORMAT 0x24	/* bits 0-7 channels, 8-15 bytes per sample */
#define SIMSND_REG_RATE 0x28
#define SIMSND_REG_PERIODS_PLAYED 0x34
#define SIMSND_REG_CHECKSUM 0x38
#define SIMSND_REG_CAPS 0x3c	/* bits 0-7 max channels, bit 8 pause supported */
#define SIMSND_REG_CODEC_CMD 0x40	/* bits 0-7 codec register, bit 8 write */
#define SIMSND_CODEC_WRITE (1u << 8)
#define SIMSND_REG_CODEC_DATA 0x44

#define SIMSND_CODEC_VENDOR 0x00	/* reads 0x4b53 */
#define SIMSND_CODEC_MASTER_VOL 0x01	/* bits 0-7 left, 8-15 right, 0..100 */
#define SIMSND_CODEC_PCM_VOL 0x02
#define SIMSND_CODEC_MUTE 0x03
#define SIMSND_CODEC_OUTPUT 0x04	/* 0 speaker, 1 headphone, 2 line */
#define SIMSND_CODEC_NREGS 8
#define SIMSND_CODEC_VENDOR_ID 0x4b53

#define SIMSND_CODEC_BUSY_NS 20000ULL

/* Harness access to a simsnd model instance (the state returned by its create()). */
struct simsnd_dev;
uint32_t simsnd_dev_checksum(const struct simsnd_dev *d);
uint32_t simsnd_dev_periods(const struct simsnd_dev *d);
uint32_t simsnd_dev_codec_reg(const struct simsnd_dev *d, unsigned int reg);
unsigned int simsnd_dev_irqs_raised(const struct simsnd_dev *d);
/* Fault knobs: drop the next n period interrupts; make the codec never finish. */
void simsnd_dev_drop_irqs(struct simsnd_dev *d, unsigned int n);
void simsnd_dev_codec_stuck(struct simsnd_dev *d, int stuck);
/* Fault knob: the DMA engine hits a bus error at the nth next period (stops, raises INT_DMA_ERROR). */
void simsnd_dev_dma_error(struct simsnd_dev *d, unsigned int after_periods);

#endif
