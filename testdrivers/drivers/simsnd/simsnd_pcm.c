// SPDX-License-Identifier: GPL-2.0
/*
 * simsnd_pcm.c - the simsnd playback PCM: hardware description, snd_pcm_ops, and the period/DMA-error
 * paths the interrupt handler calls.
 *
 * The buffer is the PCM core's managed buffer (snd_pcm_set_managed_buffer_all), so hw_params only has to
 * check the geometry and hw_free has nothing to release. prepare programs buffer address, sizes, format
 * and rate; trigger flips CTRL_RUN/CTRL_PAUSE under the stream lock; pointer reads POSITION.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/pci.h>
#include <linux/io.h>
#include <sound/core.h>
#include <sound/pcm.h>
#include <sound/pcm_params.h>

#include "simsnd.h"

static const struct snd_pcm_hardware snd_simsnd_playback_hw = {
	.info = (SNDRV_PCM_INFO_MMAP | SNDRV_PCM_INFO_INTERLEAVED | SNDRV_PCM_INFO_BLOCK_TRANSFER |
		 SNDRV_PCM_INFO_MMAP_VALID | SNDRV_PCM_INFO_PAUSE),
	.formats = SNDRV_PCM_FMTBIT_S16_LE | SNDRV_PCM_FMTBIT_U8,
	.rates = SNDRV_PCM_RATE_8000_48000,
	.rate_min = 8000,
	.rate_max = 48000,
	.channels_min = 1,
	.channels_max = 2,
	.buffer_bytes_max = SIMSND_BUFFER_BYTES_MAX,
	.period_bytes_min = SIMSND_PERIOD_BYTES_MIN,
	.period_bytes_max = SIMSND_PERIOD_BYTES_MAX,
	.periods_min = SIMSND_PERIODS_MIN,
	.periods_max = SIMSND_PERIODS_MAX,
	.fifo_size = 0,
};

static int snd_simsnd_playback_open(struct snd_pcm_substream *substream)
{
	struct simsnd *chip = snd_pcm_substream_chip(substream);
	struct snd_pcm_runtime *runtime = substream->runtime;
	int err;

	if (chip->substream)
		return -EBUSY;
	runtime->hw = snd_simsnd_playback_hw;
	if (!chip->can_pause)
		runtime->hw.info &= ~SNDRV_PCM_INFO_PAUSE;
	if (chip->max_channels < runtime->hw.channels_max)
		runtime->hw.channels_max = chip->max_channels;
	err = snd_pcm_hw_constraint_integer(runtime, SNDRV_PCM_HW_PARAM_PERIODS);
	if (err < 0)
		return err;
	err = snd_pcm_hw_constraint_minmax(runtime, SNDRV_PCM_HW_PARAM_PERIOD_BYTES, SIMSND_PERIOD_BYTES_MIN,
					   SIMSND_PERIOD_BYTES_MAX);
	if (err < 0)
		return err;
	chip->substream = substream;
	return 0;
}

static int snd_simsnd_playback_close(struct snd_pcm_substream *substream)
{
	struct simsnd *chip = snd_pcm_substream_chip(substream);

	chip->substream = NULL;
	return 0;
}

static int snd_simsnd_hw_params(struct snd_pcm_substream *substream, struct snd_pcm_hw_params *hw_params)
{
	struct simsnd *chip = snd_pcm_substream_chip(substream);
	unsigned int period = params_period_bytes(hw_params);
	unsigned int buffer = params_buffer_bytes(hw_params);

	/* The device consumes whole periods; the buffer must be a multiple of the period. */
	if (!period || buffer % period) {
		dev_dbg(&chip->pci->dev, "buffer %u is not a multiple of period %u\n", buffer, period);
		return -EINVAL;
	}
	if (period & 3) {
		dev_warn(&chip->pci->dev, "period of %u bytes is not 4-byte aligned\n", period);
		return -EINVAL;
	}
	chip->period_bytes = period;
	chip->buffer_bytes = buffer;
	chip->frame_bytes = params_channels(hw_params) * snd_pcm_format_physical_width(params_format(hw_params)) / 8;
	return 0;
}

static int snd_simsnd_hw_free(struct snd_pcm_substream *substream)
{
	struct simsnd *chip = snd_pcm_substream_chip(substream);

	chip->period_bytes = 0;
	chip->buffer_bytes = 0;
	return 0;
}

static int snd_simsnd_prepare(struct snd_pcm_substream *substream)
{
	struct simsnd *chip = snd_pcm_substream_chip(substream);
	struct snd_pcm_runtime *runtime = substream->runtime;
	unsigned int bytes = snd_pcm_format_physical_width(runtime->format) / 8;
	unsigned long flags;

	if (runtime->dma_bytes < chip->buffer_bytes) {
		dev_err(&chip->pci->dev, "DMA buffer of %zu bytes is smaller than the %u byte ring\n",
			runtime->dma_bytes, chip->buffer_bytes);
		return -EINVAL;
	}
	spin_lock_irqsave(&chip->reg_lock, flags);
	simsnd_write(chip, SIMSND_BUF_LO, lower_32_bits(runtime->dma_addr));
	simsnd_write(chip, SIMSND_BUF_HI, upper_32_bits(runtime->dma_addr));
	simsnd_write(chip, SIMSND_BUF_SIZE, chip->buffer_bytes);
	simsnd_write(chip, SIMSND_PERIOD_SIZE, chip->period_bytes);
	simsnd_write(chip, SIMSND_FORMAT, FORMAT_CHANNELS(runtime->channels) | FORMAT_BYTES(bytes));
	simsnd_write(chip, SIMSND_RATE, runtime->rate);
	spin_unlock_irqrestore(&chip->reg_lock, flags);
	return 0;
}

/* Called with the stream lock held and interrupts off (atomic context). */
static int snd_simsnd_trigger(struct snd_pcm_substream *substream, int cmd)
{
	struct simsnd *chip = snd_pcm_substream_chip(substream);

	switch (cmd) {
	case SNDRV_PCM_TRIGGER_START:
		if (simsnd_debug_codec_in_trigger) {
			/* Deliberate bug for the context checker: codec I/O sleeps, we are atomic. */
			simsnd_apply_output(chip);
		}
		simsnd_ctrl_update(chip, CTRL_PAUSE, CTRL_RUN | CTRL_IRQ_EN);
		chip->running = true;
		simsnd_stall_watch_start(chip);
		break;
	case SNDRV_PCM_TRIGGER_STOP:
	case SNDRV_PCM_TRIGGER_SUSPEND:
		simsnd_ctrl_update(chip, CTRL_RUN | CTRL_PAUSE, 0);
		chip->running = false;
		simsnd_stall_watch_stop(chip);
		break;
	case SNDRV_PCM_TRIGGER_PAUSE_PUSH:
		if (!chip->can_pause)
			return -EINVAL;
		simsnd_ctrl_update(chip, 0, CTRL_PAUSE);
		chip->running = false;
		simsnd_stall_watch_stop(chip);
		break;
	case SNDRV_PCM_TRIGGER_PAUSE_RELEASE:
	case SNDRV_PCM_TRIGGER_RESUME:
		simsnd_ctrl_update(chip, CTRL_PAUSE, CTRL_RUN | CTRL_IRQ_EN);
		chip->running = true;
		simsnd_stall_watch_start(chip);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static snd_pcm_uframes_t snd_simsnd_pointer(struct snd_pcm_substream *substream)
{
	struct simsnd *chip = snd_pcm_substream_chip(substream);
	u32 pos = simsnd_read(chip, SIMSND_POSITION);

	if (pos >= chip->buffer_bytes)
		pos = 0;
	return bytes_to_frames(substream->runtime, pos);
}

static const struct snd_pcm_ops snd_simsnd_playback_ops = {
	.open = snd_simsnd_playback_open,
	.close = snd_simsnd_playback_close,
	.hw_params = snd_simsnd_hw_params,
	.hw_free = snd_simsnd_hw_free,
	.prepare = snd_simsnd_prepare,
	.trigger = snd_simsnd_trigger,
	.pointer = snd_simsnd_pointer,
};

/* From the interrupt handler: a period was played. */
void simsnd_pcm_period(struct simsnd *chip)
{
	struct snd_pcm_substream *substream = chip->substream;

	if (substream && chip->running)
		snd_pcm_period_elapsed(substream);
}

/* From the interrupt handler: the device hit a DMA error and stopped; tell the PCM core. */
void simsnd_pcm_dma_error(struct simsnd *chip)
{
	struct snd_pcm_substream *substream = chip->substream;

	chip->running = false;
	if (substream)
		snd_pcm_stop_xrun(substream);
}

int simsnd_pcm_create(struct simsnd *chip)
{
	struct snd_pcm *pcm;
	int err;

	err = snd_pcm_new(chip->card, "SimSnd PCM", 0, 1, 0, &pcm);
	if (err < 0)
		return err;
	pcm->private_data = chip;
	strscpy(pcm->name, "SimSnd", sizeof(pcm->name));
	snd_pcm_set_ops(pcm, SNDRV_PCM_STREAM_PLAYBACK, &snd_simsnd_playback_ops);
	err = snd_pcm_set_managed_buffer_all(pcm, SNDRV_DMA_TYPE_DEV, &chip->pci->dev, 16 * 1024,
					     SIMSND_BUFFER_BYTES_MAX);
	if (err < 0)
		return err;
	chip->pcm = pcm;
	return 0;
}
