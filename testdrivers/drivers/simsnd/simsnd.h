/* SPDX-License-Identifier: GPL-2.0 */
/*
 * simsnd.h - private definitions of the simsnd ALSA driver: register map, chip structure, and the
 * functions the three source files share.
 *
 * simsnd_main.c  PCI probe/remove, hardware access, reset, interrupt handler, stall watchdog
 * simsnd_pcm.c   the playback PCM (snd_pcm_ops)
 * simsnd_mixer.c the codec behind CODEC_CMD/CODEC_DATA and the mixer controls built on it
 */
#ifndef SIMSND_H
#define SIMSND_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/pci.h>
#include <sound/core.h>
#include <sound/pcm.h>

#define DRIVER_NAME "simsnd"
#define SIMSND_DRIVER_VERSION "1.0"

#define PCI_VENDOR_ID_KCUT 0x4b43
#define PCI_DEVICE_ID_KCUT_SIMSND 0x5353

/* registers (BAR 0) */
#define SIMSND_ID 0x00
#define   SIMSND_ID_MAGIC 0x534e4401
#define SIMSND_CTRL 0x04
#define   CTRL_RUN BIT(0)
#define   CTRL_RESET BIT(1)
#define   CTRL_IRQ_EN BIT(2)
#define   CTRL_PAUSE BIT(3)
#define SIMSND_STATUS 0x08
#define   STATUS_RUNNING BIT(0)
#define   STATUS_READY BIT(1)
#define   STATUS_CODEC_BUSY BIT(2)
#define SIMSND_INT_STATUS 0x0c
#define   INT_PERIOD BIT(0)
#define   INT_DMA_ERROR BIT(1)
#define   INT_ALL (INT_PERIOD | INT_DMA_ERROR)
#define SIMSND_BUF_LO 0x10
#define SIMSND_BUF_HI 0x14
#define SIMSND_BUF_SIZE 0x18
#define SIMSND_PERIOD_SIZE 0x1c
#define SIMSND_POSITION 0x20
#define SIMSND_FORMAT 0x24
#define   FORMAT_CHANNELS(c) ((c) & 0xff)
#define   FORMAT_BYTES(b) (((b) & 0xff) << 8)
#define SIMSND_RATE 0x28
#define SIMSND_PERIODS_PLAYED 0x34
#define SIMSND_CHECKSUM 0x38
#define SIMSND_CAPS 0x3c
#define   CAPS_MAX_CHANNELS(c) ((c) & 0xff)
#define   CAPS_PAUSE BIT(8)
#define SIMSND_CODEC_CMD 0x40
#define   CODEC_CMD_WRITE BIT(8)
#define SIMSND_CODEC_DATA 0x44

/* codec registers */
#define CODEC_REG_VENDOR 0x00
#define   CODEC_VENDOR_ID 0x4b53
#define CODEC_REG_MASTER_VOL 0x01
#define CODEC_REG_PCM_VOL 0x02
#define CODEC_REG_MUTE 0x03
#define CODEC_REG_OUTPUT 0x04
#define CODEC_NUM_REGS 8

#define SIMSND_VOLUME_MAX 100
#define SIMSND_BUFFER_BYTES_MAX (64 * 1024)
#define SIMSND_PERIOD_BYTES_MIN 64
#define SIMSND_PERIOD_BYTES_MAX (16 * 1024)
#define SIMSND_PERIODS_MIN 2
#define SIMSND_PERIODS_MAX 32

enum simsnd_output {
	SIMSND_OUT_SPEAKER,
	SIMSND_OUT_HEADPHONE,
	SIMSND_OUT_LINE,
	SIMSND_OUT_COUNT,
};

struct simsnd_stats {
	unsigned long irqs;
	unsigned long period_irqs;
	unsigned long dma_errors;
	unsigned long spurious;
	unsigned long stalls;
};

struct simsnd {
	struct snd_card *card;
	struct pci_dev *pci;
	void __iomem *regs;
	int irq;
	bool irq_requested;

	spinlock_t reg_lock;		/* CTRL read-modify-write and the stream registers */
	struct mutex codec_mutex;	/* one codec transaction at a time; transactions sleep */
	u16 codec_shadow[CODEC_NUM_REGS];

	struct snd_pcm *pcm;
	struct snd_pcm_substream *substream;	/* the open playback substream, if any */
	unsigned int buffer_bytes;
	unsigned int period_bytes;
	unsigned int frame_bytes;
	bool running;
	bool can_pause;
	unsigned int max_channels;

	/* mixer state (what the controls report) */
	u8 master_vol[2];
	u8 pcm_vol[2];
	bool master_switch;
	enum simsnd_output output;

	/* stall watchdog: a running stream must interrupt at least every few periods */
	struct timer_list stall_timer;
	unsigned long last_period_jiffies;
	unsigned int stall_timeout_ms;
	struct work_struct stall_work;

	struct simsnd_stats stats;
};

/* simsnd_main.c */
u32 simsnd_read(struct simsnd *chip, unsigned int reg);
void simsnd_write(struct simsnd *chip, unsigned int reg, u32 val);
void simsnd_ctrl_update(struct simsnd *chip, u32 clear, u32 set);
void simsnd_stall_watch_start(struct simsnd *chip);
void simsnd_stall_watch_stop(struct simsnd *chip);
extern bool simsnd_debug_codec_in_trigger;

/* simsnd_pcm.c */
int simsnd_pcm_create(struct simsnd *chip);
void simsnd_pcm_period(struct simsnd *chip);
void simsnd_pcm_dma_error(struct simsnd *chip);

/* simsnd_mixer.c */
int simsnd_codec_read(struct simsnd *chip, unsigned int reg, u16 *val);
int simsnd_codec_write(struct simsnd *chip, unsigned int reg, u16 val);
int simsnd_codec_init(struct simsnd *chip);
int simsnd_mixer_create(struct simsnd *chip);
int simsnd_apply_output(struct simsnd *chip);

#endif
