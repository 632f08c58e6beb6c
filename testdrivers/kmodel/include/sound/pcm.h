/*
 * sound/pcm.h - kernel model: ALSA PCM devices, substreams, runtime and snd_pcm_ops (Linux 6.1 names).
 *
 * The model's PCM core implements the state machine OPEN -> SETUP (hw_params) -> PREPARED -> RUNNING and
 * back, the managed DMA buffer (snd_pcm_set_managed_buffer_all()), and snd_pcm_period_elapsed(): it reads
 * the driver's pointer() callback, advances hw_ptr, and stops the stream with XRUN when the application
 * has not supplied data in time. The harness's `pcm` commands play the application's part.
 */
#ifndef _KC_SOUND_PCM_H
#define _KC_SOUND_PCM_H

#include <sound/core.h>
#include <linux/dma-mapping.h>

typedef unsigned long snd_pcm_uframes_t;
typedef long snd_pcm_sframes_t;
typedef int snd_pcm_format_t;
typedef int snd_pcm_access_t;
typedef int snd_pcm_state_t;

#define SNDRV_PCM_STREAM_PLAYBACK 0
#define SNDRV_PCM_STREAM_CAPTURE 1
#define SNDRV_PCM_STREAM_LAST SNDRV_PCM_STREAM_CAPTURE

#define SNDRV_PCM_ACCESS_MMAP_INTERLEAVED 0
#define SNDRV_PCM_ACCESS_RW_INTERLEAVED 3

#define SNDRV_PCM_FORMAT_S8 0
#define SNDRV_PCM_FORMAT_U8 1
#define SNDRV_PCM_FORMAT_S16_LE 2
#define SNDRV_PCM_FORMAT_S24_LE 6
#define SNDRV_PCM_FORMAT_S32_LE 10
#define SNDRV_PCM_FMTBIT_S8 (1ULL << SNDRV_PCM_FORMAT_S8)
#define SNDRV_PCM_FMTBIT_U8 (1ULL << SNDRV_PCM_FORMAT_U8)
#define SNDRV_PCM_FMTBIT_S16_LE (1ULL << SNDRV_PCM_FORMAT_S16_LE)
#define SNDRV_PCM_FMTBIT_S24_LE (1ULL << SNDRV_PCM_FORMAT_S24_LE)
#define SNDRV_PCM_FMTBIT_S32_LE (1ULL << SNDRV_PCM_FORMAT_S32_LE)

#define SNDRV_PCM_RATE_5512 (1 << 0)
#define SNDRV_PCM_RATE_8000 (1 << 1)
#define SNDRV_PCM_RATE_11025 (1 << 2)
#define SNDRV_PCM_RATE_16000 (1 << 3)
#define SNDRV_PCM_RATE_22050 (1 << 4)
#define SNDRV_PCM_RATE_32000 (1 << 5)
#define SNDRV_PCM_RATE_44100 (1 << 6)
#define SNDRV_PCM_RATE_48000 (1 << 7)
#define SNDRV_PCM_RATE_88200 (1 << 8)
#define SNDRV_PCM_RATE_96000 (1 << 9)
#define SNDRV_PCM_RATE_CONTINUOUS (1 << 30)
#define SNDRV_PCM_RATE_KNOT (1U << 31)
#define SNDRV_PCM_RATE_8000_48000 (SNDRV_PCM_RATE_8000 | SNDRV_PCM_RATE_11025 | SNDRV_PCM_RATE_16000 | \
				   SNDRV_PCM_RATE_22050 | SNDRV_PCM_RATE_32000 | SNDRV_PCM_RATE_44100 | \
				   SNDRV_PCM_RATE_48000)

#define SNDRV_PCM_INFO_MMAP 0x00000001
#define SNDRV_PCM_INFO_MMAP_VALID 0x00000002
#define SNDRV_PCM_INFO_DOUBLE 0x00000004
#define SNDRV_PCM_INFO_BATCH 0x00000010
#define SNDRV_PCM_INFO_INTERLEAVED 0x00000100
#define SNDRV_PCM_INFO_BLOCK_TRANSFER 0x00010000
#define SNDRV_PCM_INFO_PAUSE 0x00080000
#define SNDRV_PCM_INFO_RESUME 0x00040000

#define SNDRV_PCM_TRIGGER_STOP 0
#define SNDRV_PCM_TRIGGER_START 1
#define SNDRV_PCM_TRIGGER_PAUSE_PUSH 3
#define SNDRV_PCM_TRIGGER_PAUSE_RELEASE 4
#define SNDRV_PCM_TRIGGER_SUSPEND 5
#define SNDRV_PCM_TRIGGER_RESUME 6
#define SNDRV_PCM_TRIGGER_DRAIN 7

#define SNDRV_PCM_STATE_OPEN 0
#define SNDRV_PCM_STATE_SETUP 1
#define SNDRV_PCM_STATE_PREPARED 2
#define SNDRV_PCM_STATE_RUNNING 3
#define SNDRV_PCM_STATE_XRUN 4
#define SNDRV_PCM_STATE_DRAINING 5
#define SNDRV_PCM_STATE_PAUSED 6
#define SNDRV_PCM_STATE_SUSPENDED 7
#define SNDRV_PCM_STATE_DISCONNECTED 8

#define SNDRV_DMA_TYPE_UNKNOWN 0
#define SNDRV_DMA_TYPE_CONTINUOUS 1
#define SNDRV_DMA_TYPE_DEV 2

/* hw_params parameter indices (as in uapi/sound/asound.h) */
#define SNDRV_PCM_HW_PARAM_ACCESS 0
#define SNDRV_PCM_HW_PARAM_FORMAT 1
#define SNDRV_PCM_HW_PARAM_SUBFORMAT 2
#define SNDRV_PCM_HW_PARAM_SAMPLE_BITS 8
#define SNDRV_PCM_HW_PARAM_FRAME_BITS 9
#define SNDRV_PCM_HW_PARAM_CHANNELS 10
#define SNDRV_PCM_HW_PARAM_RATE 11
#define SNDRV_PCM_HW_PARAM_PERIOD_TIME 12
#define SNDRV_PCM_HW_PARAM_PERIOD_SIZE 13
#define SNDRV_PCM_HW_PARAM_PERIOD_BYTES 14
#define SNDRV_PCM_HW_PARAM_PERIODS 15
#define SNDRV_PCM_HW_PARAM_BUFFER_TIME 16
#define SNDRV_PCM_HW_PARAM_BUFFER_SIZE 17
#define SNDRV_PCM_HW_PARAM_BUFFER_BYTES 18
#define SNDRV_PCM_HW_PARAM_LAST 20

struct snd_pcm_hardware {
	unsigned int info;
	u64 formats;
	unsigned int rates;
	unsigned int rate_min;
	unsigned int rate_max;
	unsigned int channels_min;
	unsigned int channels_max;
	size_t buffer_bytes_max;
	size_t period_bytes_min;
	size_t period_bytes_max;
	unsigned int periods_min;
	unsigned int periods_max;
	size_t fifo_size;
};

/* The model fixes every parameter to one value (the application's choice), so no intervals are needed. */
struct snd_pcm_hw_params {
	unsigned int values[SNDRV_PCM_HW_PARAM_LAST + 1];
};

static inline unsigned int params_access(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_ACCESS];
}
static inline snd_pcm_format_t params_format(const struct snd_pcm_hw_params *p)
{
	return (snd_pcm_format_t)p->values[SNDRV_PCM_HW_PARAM_FORMAT];
}
static inline unsigned int params_channels(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_CHANNELS];
}
static inline unsigned int params_rate(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_RATE];
}
static inline unsigned int params_period_size(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_PERIOD_SIZE];
}
static inline unsigned int params_period_bytes(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_PERIOD_BYTES];
}
static inline unsigned int params_periods(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_PERIODS];
}
static inline unsigned int params_buffer_size(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_BUFFER_SIZE];
}
static inline unsigned int params_buffer_bytes(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_BUFFER_BYTES];
}
static inline unsigned int params_width(const struct snd_pcm_hw_params *p)
{
	return p->values[SNDRV_PCM_HW_PARAM_SAMPLE_BITS];
}

struct snd_dma_buffer {
	struct device *dev;
	int type;
	unsigned char *area;
	dma_addr_t addr;
	size_t bytes;
};

struct snd_pcm_mmap_status {
	snd_pcm_state_t state;
	snd_pcm_uframes_t hw_ptr;
};

struct snd_pcm_mmap_control {
	snd_pcm_uframes_t appl_ptr;
	snd_pcm_uframes_t avail_min;
};

struct snd_pcm_runtime {
	snd_pcm_state_t state;
	struct snd_pcm_mmap_status *status;
	struct snd_pcm_mmap_control *control;
	snd_pcm_access_t access;
	snd_pcm_format_t format;
	unsigned int rate;
	unsigned int channels;
	snd_pcm_uframes_t period_size;
	unsigned int periods;
	snd_pcm_uframes_t buffer_size;
	unsigned int frame_bits;
	unsigned int sample_bits;
	unsigned int info;
	snd_pcm_uframes_t hw_ptr_base;
	snd_pcm_uframes_t hw_ptr_interrupt;
	struct snd_pcm_hardware hw;
	void *private_data;
	void (*private_free)(struct snd_pcm_runtime *runtime);
	unsigned char *dma_area;
	dma_addr_t dma_addr;
	size_t dma_bytes;
	struct snd_dma_buffer *dma_buffer_p;
	unsigned int __kc_periods_elapsed;
	unsigned int __kc_constraint_integer_periods;
};

struct snd_pcm_substream;

struct snd_pcm_ops {
	int (*open)(struct snd_pcm_substream *substream);
	int (*close)(struct snd_pcm_substream *substream);
	int (*ioctl)(struct snd_pcm_substream *substream, unsigned int cmd, void *arg);
	int (*hw_params)(struct snd_pcm_substream *substream, struct snd_pcm_hw_params *params);
	int (*hw_free)(struct snd_pcm_substream *substream);
	int (*prepare)(struct snd_pcm_substream *substream);
	int (*trigger)(struct snd_pcm_substream *substream, int cmd);
	int (*sync_stop)(struct snd_pcm_substream *substream);
	snd_pcm_uframes_t (*pointer)(struct snd_pcm_substream *substream);
	int (*ack)(struct snd_pcm_substream *substream);
};

struct snd_pcm_str;

struct snd_pcm_substream {
	struct snd_pcm *pcm;
	struct snd_pcm_str *pstr;
	void *private_data;
	int number;
	char name[32];
	int stream;
	size_t buffer_bytes_max;
	struct snd_dma_buffer dma_buffer;
	size_t dma_max;
	const struct snd_pcm_ops *ops;
	struct snd_pcm_runtime *runtime;
	struct snd_pcm_substream *next;
	unsigned int managed_buffer_alloc:1;
	spinlock_t __kc_lock;	/* the stream lock: held around trigger() and the period update */
	int __kc_dma_type;
	struct device *__kc_dma_dev;
};

struct snd_pcm_str {
	int stream;
	struct snd_pcm *pcm;
	unsigned int substream_count;
	unsigned int substream_opened;
	struct snd_pcm_substream *substream;
};

struct snd_pcm {
	struct snd_card *card;
	struct list_head list;	/* on card->pcms */
	int device;
	unsigned int info_flags;
	char id[64];
	char name[80];
	struct snd_pcm_str streams[2];
	void *private_data;
	void (*private_free)(struct snd_pcm *pcm);
	bool nonatomic;
};

#define snd_pcm_substream_chip(substream) ((substream)->private_data)
#define snd_pcm_chip(pcm) ((pcm)->private_data)

int snd_pcm_new(struct snd_card *card, const char *id, int device, int playback_count, int capture_count,
		struct snd_pcm **rpcm);
void snd_pcm_set_ops(struct snd_pcm *pcm, int direction, const struct snd_pcm_ops *ops);
int snd_pcm_set_managed_buffer_all(struct snd_pcm *pcm, int type, struct device *data, size_t size,
				   size_t max);
int snd_pcm_set_managed_buffer(struct snd_pcm_substream *substream, int type, struct device *data,
			       size_t size, size_t max);
void snd_pcm_period_elapsed(struct snd_pcm_substream *substream);
void snd_pcm_period_elapsed_under_stream_lock(struct snd_pcm_substream *substream);
int snd_pcm_stop(struct snd_pcm_substream *substream, snd_pcm_state_t status);
int snd_pcm_stop_xrun(struct snd_pcm_substream *substream);
int snd_pcm_hw_constraint_integer(struct snd_pcm_runtime *runtime, int var);
int snd_pcm_hw_constraint_minmax(struct snd_pcm_runtime *runtime, int var, unsigned int min, unsigned int max);
int snd_pcm_hw_constraint_step(struct snd_pcm_runtime *runtime, unsigned int cond, int var,
			       unsigned long step);
int snd_pcm_format_width(snd_pcm_format_t format);
int snd_pcm_format_physical_width(snd_pcm_format_t format);
const char *snd_pcm_format_name(snd_pcm_format_t format);
void snd_pcm_stream_lock_irq(struct snd_pcm_substream *substream);
void snd_pcm_stream_unlock_irq(struct snd_pcm_substream *substream);
unsigned long _snd_pcm_stream_lock_irqsave(struct snd_pcm_substream *substream);
void snd_pcm_stream_unlock_irqrestore(struct snd_pcm_substream *substream, unsigned long flags);
#define snd_pcm_stream_lock_irqsave(substream, flags) \
	do { (flags) = _snd_pcm_stream_lock_irqsave(substream); } while (0)

static inline bool snd_pcm_running(struct snd_pcm_substream *substream)
{
	return substream->runtime->state == SNDRV_PCM_STATE_RUNNING ||
	       (substream->runtime->state == SNDRV_PCM_STATE_DRAINING &&
		substream->stream == SNDRV_PCM_STREAM_PLAYBACK);
}

static inline ssize_t bytes_to_frames(struct snd_pcm_runtime *runtime, ssize_t size)
{
	return size * 8 / runtime->frame_bits;
}

static inline ssize_t frames_to_bytes(struct snd_pcm_runtime *runtime, snd_pcm_sframes_t size)
{
	return size * runtime->frame_bits / 8;
}

static inline size_t snd_pcm_lib_buffer_bytes(struct snd_pcm_substream *substream)
{
	struct snd_pcm_runtime *runtime = substream->runtime;

	return frames_to_bytes(runtime, runtime->buffer_size);
}

static inline size_t snd_pcm_lib_period_bytes(struct snd_pcm_substream *substream)
{
	struct snd_pcm_runtime *runtime = substream->runtime;

	return frames_to_bytes(runtime, runtime->period_size);
}

#endif
