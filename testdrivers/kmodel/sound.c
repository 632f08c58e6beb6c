/*
 * sound.c - the kernel model's ALSA core subset: cards, PCM devices and their state machine, the managed
 * DMA buffer, period updates, and controls; plus the application side (kc_km_pcm_*, kc_km_ctl_*) that the
 * harness's sound commands use the way alsa-lib's ioctls would.
 *
 * snd_pcm_period_elapsed() does what the real core's update does for a driver: under the stream lock it
 * asks pointer() for the position, advances hw_ptr (handling the wrap at the buffer end), and stops a
 * playback stream with XRUN when the device has consumed everything the application wrote.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/dma-mapping.h>
#include <linux/spinlock.h>
#include <sound/core.h>
#include <sound/pcm.h>
#include <sound/control.h>

#include <stdlib.h>
#include <string.h>

#include "km_internal.h"

struct km_card_ext {
	unsigned int notifications;
} __attribute__((aligned(16)));

static LIST_HEAD(cards);
static int next_card;

struct snd_card *kc_km_snd_card_at(unsigned int i)
{
	struct snd_card *c;

	list_for_each_entry(c, &cards, __kc_list)
		if (i-- == 0)
			return c;
	return NULL;
}

/* ---- cards ---- */

int snd_card_new(struct device *parent, int idx, const char *xid, struct module *module, int extra_size,
		 struct snd_card **card_ret)
{
	struct snd_card *card;

	*card_ret = NULL;
	if (km_should_fail(KM_FAIL_SND_CARD_NEW))
		return -ENOMEM;
	if (extra_size < 0)
		extra_size = 0;
	card = kzalloc(ALIGN(sizeof(*card), 16) + sizeof(struct km_card_ext) + (size_t)extra_size, GFP_KERNEL);
	if (!card)
		return -ENOMEM;
	card->number = idx >= 0 ? idx : next_card;
	next_card++;
	snprintf(card->id, sizeof(card->id), "%s", xid ? xid : "card");
	card->module = module;
	card->dev = parent;
	INIT_LIST_HEAD(&card->controls);
	INIT_LIST_HEAD(&card->pcms);
	INIT_LIST_HEAD(&card->__kc_list);
	__kc_mutex_init(&card->__kc_ctl_lock, "card->controls_rwsem");
	if (extra_size)
		card->private_data = (char *)card + ALIGN(sizeof(*card), 16) + sizeof(struct km_card_ext);
	*card_ret = card;
	return 0;
}

static struct km_card_ext *card_ext(struct snd_card *card)
{
	return (struct km_card_ext *)((char *)card + ALIGN(sizeof(*card), 16));
}

int snd_card_register(struct snd_card *card)
{
	if (card->registered)
		return 0;
	card->registered = true;
	list_add_tail(&card->__kc_list, &cards);
	return 0;
}

int snd_card_disconnect(struct snd_card *card)
{
	if (card->registered) {
		list_del_init(&card->__kc_list);
		card->registered = false;
	}
	return 0;
}

static void substream_free_buffer(struct snd_pcm_substream *s)
{
	if (s->dma_buffer.area) {
		dma_free_coherent(s->dma_buffer.dev, s->dma_buffer.bytes, s->dma_buffer.area, s->dma_buffer.addr);
		memset(&s->dma_buffer, 0, sizeof(s->dma_buffer));
	}
}

static void pcm_free(struct snd_pcm *pcm)
{
	for (int dir = 0; dir < 2; dir++) {
		struct snd_pcm_str *str = &pcm->streams[dir];

		for (unsigned int i = 0; i < str->substream_count; i++) {
			struct snd_pcm_substream *s = &str->substream[i];

			if (s->runtime) {
				km_bug("BUG: snd_card_free with PCM %s substream %u still open", pcm->id, i);
				kc_km_pcm_close(s);
			}
			substream_free_buffer(s);
		}
		kfree(str->substream);
	}
	if (pcm->private_free)
		pcm->private_free(pcm);
	list_del(&pcm->list);
	kfree(pcm);
}

int snd_card_free(struct snd_card *card)
{
	struct snd_kcontrol *k, *kn;
	struct snd_pcm *p, *pn;

	if (!card)
		return -EINVAL;
	might_sleep();
	snd_card_disconnect(card);
	list_for_each_entry_safe(k, kn, &card->controls, list) {
		list_del(&k->list);
		snd_ctl_free_one(k);
	}
	list_for_each_entry_safe(p, pn, &card->pcms, list)
		pcm_free(p);
	if (card->private_free)
		card->private_free(card);
	mutex_destroy(&card->__kc_ctl_lock);
	kfree(card);
	return 0;
}

int snd_card_free_when_closed(struct snd_card *card)
{
	return snd_card_free(card);
}

/* ---- PCM devices ---- */

int snd_pcm_new(struct snd_card *card, const char *id, int device, int playback_count, int capture_count,
		struct snd_pcm **rpcm)
{
	struct snd_pcm *pcm;
	int counts[2] = { playback_count, capture_count };

	if (rpcm)
		*rpcm = NULL;
	pcm = kzalloc(sizeof(*pcm), GFP_KERNEL);
	if (!pcm)
		return -ENOMEM;
	pcm->card = card;
	pcm->device = device;
	snprintf(pcm->id, sizeof(pcm->id), "%s", id ? id : "");
	for (int dir = 0; dir < 2; dir++) {
		struct snd_pcm_str *str = &pcm->streams[dir];

		str->stream = dir;
		str->pcm = pcm;
		str->substream_count = counts[dir] > 0 ? (unsigned int)counts[dir] : 0;
		if (!str->substream_count)
			continue;
		str->substream = kcalloc(str->substream_count, sizeof(*str->substream), GFP_KERNEL);
		if (!str->substream) {
			if (dir)
				kfree(pcm->streams[0].substream);
			kfree(pcm);
			return -ENOMEM;
		}
		for (unsigned int i = 0; i < str->substream_count; i++) {
			struct snd_pcm_substream *s = &str->substream[i];

			s->pcm = pcm;
			s->pstr = str;
			s->number = (int)i;
			s->stream = dir;
			snprintf(s->name, sizeof(s->name), "subdevice #%u", i);
			__kc_spin_lock_init(&s->__kc_lock, "substream->self_group.lock");
			if (i + 1 < str->substream_count)
				s->next = &str->substream[i + 1];
		}
	}
	list_add_tail(&pcm->list, &card->pcms);
	if (rpcm)
		*rpcm = pcm;
	return 0;
}

void snd_pcm_set_ops(struct snd_pcm *pcm, int direction, const struct snd_pcm_ops *ops)
{
	struct snd_pcm_str *str = &pcm->streams[direction];

	for (unsigned int i = 0; i < str->substream_count; i++)
		str->substream[i].ops = ops;
}

int snd_pcm_set_managed_buffer(struct snd_pcm_substream *s, int type, struct device *data, size_t size,
			       size_t max)
{
	s->managed_buffer_alloc = 1;
	s->__kc_dma_type = type;
	s->__kc_dma_dev = data;
	s->dma_max = max;
	if (size) {
		dma_addr_t addr;
		void *area = dma_alloc_coherent(data, size, &addr, GFP_KERNEL);

		if (!area)
			return -ENOMEM;
		s->dma_buffer.dev = data;
		s->dma_buffer.type = type;
		s->dma_buffer.area = area;
		s->dma_buffer.addr = addr;
		s->dma_buffer.bytes = size;
	}
	return 0;
}

int snd_pcm_set_managed_buffer_all(struct snd_pcm *pcm, int type, struct device *data, size_t size,
				   size_t max)
{
	for (int dir = 0; dir < 2; dir++) {
		struct snd_pcm_str *str = &pcm->streams[dir];

		for (unsigned int i = 0; i < str->substream_count; i++) {
			int rc = snd_pcm_set_managed_buffer(&str->substream[i], type, data, size, max);

			if (rc)
				return rc;
		}
	}
	return 0;
}

int snd_pcm_format_width(snd_pcm_format_t format)
{
	switch (format) {
	case SNDRV_PCM_FORMAT_S8:
	case SNDRV_PCM_FORMAT_U8:
		return 8;
	case SNDRV_PCM_FORMAT_S16_LE:
		return 16;
	case SNDRV_PCM_FORMAT_S24_LE:
		return 24;
	case SNDRV_PCM_FORMAT_S32_LE:
		return 32;
	default:
		return -EINVAL;
	}
}

int snd_pcm_format_physical_width(snd_pcm_format_t format)
{
	int w = snd_pcm_format_width(format);

	return w == 24 ? 32 : w;
}

const char *snd_pcm_format_name(snd_pcm_format_t format)
{
	switch (format) {
	case SNDRV_PCM_FORMAT_S8:
		return "S8";
	case SNDRV_PCM_FORMAT_U8:
		return "U8";
	case SNDRV_PCM_FORMAT_S16_LE:
		return "S16_LE";
	case SNDRV_PCM_FORMAT_S24_LE:
		return "S24_LE";
	case SNDRV_PCM_FORMAT_S32_LE:
		return "S32_LE";
	default:
		return "Unknown";
	}
}

int snd_pcm_hw_constraint_integer(struct snd_pcm_runtime *runtime, int var)
{
	if (var == SNDRV_PCM_HW_PARAM_PERIODS)
		runtime->__kc_constraint_integer_periods = 1;
	return 0;
}

int snd_pcm_hw_constraint_minmax(struct snd_pcm_runtime *runtime, int var, unsigned int min, unsigned int max)
{
	switch (var) {
	case SNDRV_PCM_HW_PARAM_PERIODS:
		runtime->hw.periods_min = max_t(unsigned int, runtime->hw.periods_min, min);
		runtime->hw.periods_max = min_t(unsigned int, runtime->hw.periods_max, max);
		return 0;
	case SNDRV_PCM_HW_PARAM_CHANNELS:
		runtime->hw.channels_min = max_t(unsigned int, runtime->hw.channels_min, min);
		runtime->hw.channels_max = min_t(unsigned int, runtime->hw.channels_max, max);
		return 0;
	case SNDRV_PCM_HW_PARAM_RATE:
		runtime->hw.rate_min = max_t(unsigned int, runtime->hw.rate_min, min);
		runtime->hw.rate_max = min_t(unsigned int, runtime->hw.rate_max, max);
		return 0;
	case SNDRV_PCM_HW_PARAM_PERIOD_BYTES:
		runtime->hw.period_bytes_min = max_t(size_t, runtime->hw.period_bytes_min, min);
		runtime->hw.period_bytes_max = min_t(size_t, runtime->hw.period_bytes_max, max);
		return 0;
	default:
		return -EINVAL;
	}
}

int snd_pcm_hw_constraint_step(struct snd_pcm_runtime *runtime, unsigned int cond, int var, unsigned long step)
{
	(void)runtime;
	(void)cond;
	(void)var;
	(void)step;
	return 0;
}

void snd_pcm_stream_lock_irq(struct snd_pcm_substream *substream)
{
	spin_lock_irq(&substream->__kc_lock);
}

void snd_pcm_stream_unlock_irq(struct snd_pcm_substream *substream)
{
	spin_unlock_irq(&substream->__kc_lock);
}

unsigned long _snd_pcm_stream_lock_irqsave(struct snd_pcm_substream *substream)
{
	return _raw_spin_lock_irqsave(&substream->__kc_lock);
}

void snd_pcm_stream_unlock_irqrestore(struct snd_pcm_substream *substream, unsigned long flags)
{
	spin_unlock_irqrestore(&substream->__kc_lock, flags);
}

/* Stop under the stream lock (held by the caller). */
static int pcm_stop_locked(struct snd_pcm_substream *s, snd_pcm_state_t state)
{
	struct snd_pcm_runtime *rt = s->runtime;
	int rc = 0;

	if (!rt)
		return -EBADFD;
	if (rt->state == SNDRV_PCM_STATE_RUNNING || rt->state == SNDRV_PCM_STATE_PAUSED ||
	    rt->state == SNDRV_PCM_STATE_DRAINING)
		rc = s->ops->trigger(s, SNDRV_PCM_TRIGGER_STOP);
	if (state == SNDRV_PCM_STATE_XRUN && rt->state != SNDRV_PCM_STATE_XRUN)
		rt->hw_ptr_interrupt++;	/* counts xruns */
	rt->state = state;
	rt->status->state = state;
	return rc;
}

int snd_pcm_stop(struct snd_pcm_substream *substream, snd_pcm_state_t status)
{
	return pcm_stop_locked(substream, status);
}

int snd_pcm_stop_xrun(struct snd_pcm_substream *substream)
{
	unsigned long flags;
	int rc;

	snd_pcm_stream_lock_irqsave(substream, flags);
	rc = pcm_stop_locked(substream, SNDRV_PCM_STATE_XRUN);
	snd_pcm_stream_unlock_irqrestore(substream, flags);
	return rc;
}

/* The period update (snd_pcm_update_hw_ptr0 in Linux), stream lock held. */
static void pcm_update_locked(struct snd_pcm_substream *s)
{
	struct snd_pcm_runtime *rt = s->runtime;
	snd_pcm_uframes_t pos, old_pos, new_hw;

	if (!rt || rt->state != SNDRV_PCM_STATE_RUNNING)
		return;
	pos = s->ops->pointer(s);
	if (pos >= rt->buffer_size) {
		km_log(LOGLEVEL_ERR, "BUG: %s: pointer() returned %lu, beyond the buffer (%lu frames)", s->pcm->id,
		       pos, rt->buffer_size);
		pos = 0;
	}
	old_pos = rt->status->hw_ptr - rt->hw_ptr_base;
	if (pos < old_pos)
		rt->hw_ptr_base += rt->buffer_size;
	new_hw = rt->hw_ptr_base + pos;
	rt->status->hw_ptr = new_hw;
	rt->__kc_periods_elapsed++;
	if (s->stream == SNDRV_PCM_STREAM_PLAYBACK && new_hw >= rt->control->appl_ptr)
		pcm_stop_locked(s, SNDRV_PCM_STATE_XRUN);
}

void snd_pcm_period_elapsed_under_stream_lock(struct snd_pcm_substream *substream)
{
	pcm_update_locked(substream);
}

void snd_pcm_period_elapsed(struct snd_pcm_substream *substream)
{
	unsigned long flags;

	if (!substream)
		return;
	snd_pcm_stream_lock_irqsave(substream, flags);
	pcm_update_locked(substream);
	snd_pcm_stream_unlock_irqrestore(substream, flags);
}

/* ---- application side ---- */

struct km_pcm_app {
	struct snd_pcm_runtime runtime;
	struct snd_pcm_mmap_status status;
	struct snd_pcm_mmap_control control;
	u32 ramp;
	bool buffer_allocated;	/* allocated at hw_params (not preallocated) */
};

static struct km_pcm_app *app_of(struct snd_pcm_substream *s)
{
	return (struct km_pcm_app *)s->runtime;
}

int kc_km_pcm_open(struct snd_pcm_substream **out, struct snd_card *card, int device, int stream)
{
	struct snd_pcm *pcm;
	struct km_pcm_app *app;
	struct snd_pcm_substream *s = NULL;
	int rc;

	list_for_each_entry(pcm, &card->pcms, list) {
		struct snd_pcm_str *str;

		if (pcm->device != device)
			continue;
		str = &pcm->streams[stream];
		for (unsigned int i = 0; i < str->substream_count; i++)
			if (!str->substream[i].runtime) {
				s = &str->substream[i];
				break;
			}
		if (!s)
			return str->substream_count ? -EBUSY : -ENODEV;
		break;
	}
	if (!s)
		return -ENODEV;
	if (!s->ops)
		return -ENXIO;
	s->private_data = s->pcm->private_data;
	app = calloc(1, sizeof(*app));
	if (!app)
		return -ENOMEM;
	km_alloced(app, sizeof(*app));
	s->runtime = &app->runtime;
	app->runtime.status = &app->status;
	app->runtime.control = &app->control;
	app->runtime.state = SNDRV_PCM_STATE_OPEN;
	app->runtime.hw.periods_max = UINT_MAX;
	app->runtime.hw.channels_max = UINT_MAX;
	app->runtime.hw.rate_max = UINT_MAX;
	app->runtime.hw.period_bytes_max = SIZE_MAX;
	app->runtime.hw.buffer_bytes_max = SIZE_MAX;
	rc = s->ops->open(s);
	if (rc) {
		s->runtime = NULL;
		km_freed(app, sizeof(*app)); /* a split driver's kernel half may have passed it on */
		free(app);
		return rc;
	}
	s->pstr->substream_opened++;
	*out = s;
	return 0;
}

int kc_km_pcm_hw_params(struct snd_pcm_substream *s, const struct kc_km_pcm_config *cfg)
{
	struct snd_pcm_runtime *rt = s->runtime;
	struct km_pcm_app *app = app_of(s);
	struct snd_pcm_hw_params params;
	const struct snd_pcm_hardware *hw = &rt->hw;
	int width = snd_pcm_format_physical_width(cfg->format);
	size_t frame_bytes, period_bytes, buffer_bytes;
	int rc;

	if (rt->state != SNDRV_PCM_STATE_OPEN && rt->state != SNDRV_PCM_STATE_SETUP &&
	    rt->state != SNDRV_PCM_STATE_PREPARED)
		return -EBADFD;
	if (width <= 0 || !(hw->formats & (1ULL << cfg->format)))
		return -EINVAL;
	if (cfg->channels < hw->channels_min || cfg->channels > hw->channels_max || !cfg->channels)
		return -EINVAL;
	if (cfg->rate < hw->rate_min || cfg->rate > hw->rate_max || !cfg->rate)
		return -EINVAL;
	frame_bytes = (size_t)cfg->channels * (size_t)width / 8;
	period_bytes = frame_bytes * cfg->period_frames;
	buffer_bytes = period_bytes * cfg->periods;
	if (!cfg->period_frames || period_bytes < hw->period_bytes_min || period_bytes > hw->period_bytes_max)
		return -EINVAL;
	if (cfg->periods < hw->periods_min || cfg->periods > hw->periods_max || !cfg->periods)
		return -EINVAL;
	if (buffer_bytes > hw->buffer_bytes_max)
		return -EINVAL;
	memset(&params, 0, sizeof(params));
	params.values[SNDRV_PCM_HW_PARAM_ACCESS] = SNDRV_PCM_ACCESS_MMAP_INTERLEAVED;
	params.values[SNDRV_PCM_HW_PARAM_FORMAT] = (unsigned int)cfg->format;
	params.values[SNDRV_PCM_HW_PARAM_SAMPLE_BITS] = (unsigned int)width;
	params.values[SNDRV_PCM_HW_PARAM_FRAME_BITS] = (unsigned int)(frame_bytes * 8);
	params.values[SNDRV_PCM_HW_PARAM_CHANNELS] = cfg->channels;
	params.values[SNDRV_PCM_HW_PARAM_RATE] = cfg->rate;
	params.values[SNDRV_PCM_HW_PARAM_PERIOD_SIZE] = cfg->period_frames;
	params.values[SNDRV_PCM_HW_PARAM_PERIOD_BYTES] = (unsigned int)period_bytes;
	params.values[SNDRV_PCM_HW_PARAM_PERIODS] = cfg->periods;
	params.values[SNDRV_PCM_HW_PARAM_BUFFER_SIZE] = cfg->period_frames * cfg->periods;
	params.values[SNDRV_PCM_HW_PARAM_BUFFER_BYTES] = (unsigned int)buffer_bytes;
	if (s->managed_buffer_alloc) {
		if (s->dma_buffer.area && s->dma_buffer.bytes >= buffer_bytes) {
			/* preallocated buffer is large enough */
		} else if (s->dma_max && buffer_bytes > s->dma_max) {
			return -ENOMEM;
		} else {
			dma_addr_t addr;
			void *area;

			if (app->buffer_allocated)
				substream_free_buffer(s);
			area = dma_alloc_coherent(s->__kc_dma_dev, buffer_bytes, &addr, GFP_KERNEL);
			if (!area)
				return -ENOMEM;
			if (s->dma_buffer.area)
				substream_free_buffer(s);
			s->dma_buffer.dev = s->__kc_dma_dev;
			s->dma_buffer.type = s->__kc_dma_type;
			s->dma_buffer.area = area;
			s->dma_buffer.addr = addr;
			s->dma_buffer.bytes = buffer_bytes;
			app->buffer_allocated = true;
		}
		rt->dma_buffer_p = &s->dma_buffer;
		rt->dma_area = s->dma_buffer.area;
		rt->dma_addr = s->dma_buffer.addr;
		rt->dma_bytes = buffer_bytes;
	}
	rt->access = SNDRV_PCM_ACCESS_MMAP_INTERLEAVED;
	rt->format = cfg->format;
	rt->rate = cfg->rate;
	rt->channels = cfg->channels;
	rt->period_size = cfg->period_frames;
	rt->periods = cfg->periods;
	rt->buffer_size = (snd_pcm_uframes_t)cfg->period_frames * cfg->periods;
	rt->sample_bits = (unsigned int)width;
	rt->frame_bits = (unsigned int)(frame_bytes * 8);
	if (s->ops->hw_params) {
		rc = s->ops->hw_params(s, &params);
		if (rc)
			return rc;
	}
	rt->state = SNDRV_PCM_STATE_SETUP;
	rt->status->state = rt->state;
	return 0;
}

int kc_km_pcm_prepare(struct snd_pcm_substream *s)
{
	struct snd_pcm_runtime *rt = s->runtime;
	int rc;

	if (rt->state == SNDRV_PCM_STATE_OPEN || rt->state == SNDRV_PCM_STATE_RUNNING)
		return -EBADFD;
	rc = s->ops->prepare ? s->ops->prepare(s) : 0;
	if (rc)
		return rc;
	rt->status->hw_ptr = 0;
	rt->control->appl_ptr = 0;
	rt->hw_ptr_base = 0;
	rt->__kc_periods_elapsed = 0;
	rt->state = SNDRV_PCM_STATE_PREPARED;
	rt->status->state = rt->state;
	return 0;
}

long kc_km_pcm_write(struct snd_pcm_substream *s, unsigned long frames)
{
	struct snd_pcm_runtime *rt = s->runtime;
	struct km_pcm_app *app = app_of(s);
	unsigned long avail, done = 0;
	size_t fb = rt->frame_bits / 8;

	if (rt->state == SNDRV_PCM_STATE_XRUN)
		return -EPIPE;
	if (rt->state != SNDRV_PCM_STATE_PREPARED && rt->state != SNDRV_PCM_STATE_RUNNING &&
	    rt->state != SNDRV_PCM_STATE_PAUSED)
		return -EBADFD;
	if (!rt->dma_area)
		return -ENXIO;
	avail = rt->buffer_size - (rt->control->appl_ptr - rt->status->hw_ptr);
	if (frames > avail)
		frames = avail;
	for (; done < frames; done++) {
		unsigned long off = (rt->control->appl_ptr % rt->buffer_size) * fb;

		for (size_t b = 0; b < fb; b++)
			rt->dma_area[off + b] = (unsigned char)((app->ramp + b * 37u) >> (b & 1 ? 0 : 3));
		app->ramp += 7u;
		rt->control->appl_ptr++;
	}
	return (long)done;
}

static int pcm_trigger(struct snd_pcm_substream *s, int cmd, snd_pcm_state_t to)
{
	struct snd_pcm_runtime *rt = s->runtime;
	int rc;

	snd_pcm_stream_lock_irq(s);
	rc = s->ops->trigger(s, cmd);
	if (!rc) {
		rt->state = to;
		rt->status->state = to;
	}
	snd_pcm_stream_unlock_irq(s);
	return rc;
}

int kc_km_pcm_start(struct snd_pcm_substream *s)
{
	struct snd_pcm_runtime *rt = s->runtime;

	if (rt->state != SNDRV_PCM_STATE_PREPARED)
		return -EBADFD;
	if (s->stream == SNDRV_PCM_STREAM_PLAYBACK && rt->control->appl_ptr == 0)
		return -EPIPE;
	return pcm_trigger(s, SNDRV_PCM_TRIGGER_START, SNDRV_PCM_STATE_RUNNING);
}

int kc_km_pcm_pause(struct snd_pcm_substream *s, bool push)
{
	struct snd_pcm_runtime *rt = s->runtime;

	if (!(rt->hw.info & SNDRV_PCM_INFO_PAUSE))
		return -ENOSYS;
	if (push && rt->state == SNDRV_PCM_STATE_RUNNING)
		return pcm_trigger(s, SNDRV_PCM_TRIGGER_PAUSE_PUSH, SNDRV_PCM_STATE_PAUSED);
	if (!push && rt->state == SNDRV_PCM_STATE_PAUSED)
		return pcm_trigger(s, SNDRV_PCM_TRIGGER_PAUSE_RELEASE, SNDRV_PCM_STATE_RUNNING);
	return -EBADFD;
}

int kc_km_pcm_drop(struct snd_pcm_substream *s)
{
	struct snd_pcm_runtime *rt = s->runtime;
	int rc;

	if (rt->state == SNDRV_PCM_STATE_OPEN)
		return -EBADFD;
	snd_pcm_stream_lock_irq(s);
	rc = pcm_stop_locked(s, SNDRV_PCM_STATE_SETUP);
	snd_pcm_stream_unlock_irq(s);
	if (s->ops->sync_stop)
		s->ops->sync_stop(s);
	return rc;
}

int kc_km_pcm_hw_free(struct snd_pcm_substream *s)
{
	struct snd_pcm_runtime *rt = s->runtime;
	struct km_pcm_app *app = app_of(s);
	int rc = 0;

	if (rt->state == SNDRV_PCM_STATE_RUNNING || rt->state == SNDRV_PCM_STATE_PAUSED)
		return -EBADFD;
	if (s->ops->hw_free)
		rc = s->ops->hw_free(s);
	if (app->buffer_allocated) {
		substream_free_buffer(s);
		app->buffer_allocated = false;
	}
	rt->dma_area = NULL;
	rt->dma_addr = 0;
	rt->dma_bytes = 0;
	rt->state = SNDRV_PCM_STATE_OPEN;
	rt->status->state = rt->state;
	return rc;
}

int kc_km_pcm_close(struct snd_pcm_substream *s)
{
	struct snd_pcm_runtime *rt = s->runtime;
	int rc;

	if (!rt)
		return -EBADFD;
	if (rt->state == SNDRV_PCM_STATE_RUNNING || rt->state == SNDRV_PCM_STATE_PAUSED)
		kc_km_pcm_drop(s);
	if (rt->state != SNDRV_PCM_STATE_OPEN)
		kc_km_pcm_hw_free(s);
	rc = s->ops->close ? s->ops->close(s) : 0;
	if (rt->private_free)
		rt->private_free(rt);
	s->runtime = NULL;
	s->pstr->substream_opened--;
	km_freed(rt, sizeof(struct km_pcm_app));
	free((struct km_pcm_app *)rt);
	return rc;
}

void kc_km_pcm_get_status(struct snd_pcm_substream *s, struct kc_km_pcm_status *st)
{
	struct snd_pcm_runtime *rt = s->runtime;

	memset(st, 0, sizeof(*st));
	if (!rt)
		return;
	st->state = rt->state;
	st->hw_ptr = rt->status->hw_ptr;
	st->appl_ptr = rt->control->appl_ptr;
	st->avail = rt->buffer_size - (rt->control->appl_ptr - rt->status->hw_ptr);
	st->periods_elapsed = rt->__kc_periods_elapsed;
	st->xruns = (unsigned int)rt->hw_ptr_interrupt;
}

const char *kc_km_pcm_state_name(int state)
{
	static const char *const names[] = { "OPEN", "SETUP", "PREPARED", "RUNNING", "XRUN", "DRAINING",
					     "PAUSED", "SUSPENDED", "DISCONNECTED" };

	return state >= 0 && state < (int)ARRAY_SIZE(names) ? names[state] : "?";
}

/* ---- controls ---- */

struct snd_kcontrol *snd_ctl_new1(const struct snd_kcontrol_new *knew, void *private_data)
{
	struct snd_kcontrol *k = kzalloc(sizeof(*k), GFP_KERNEL);

	if (!k)
		return NULL;
	INIT_LIST_HEAD(&k->list);
	k->id.iface = knew->iface;
	k->id.device = knew->device;
	k->id.subdevice = knew->subdevice;
	k->id.index = knew->index;
	snprintf((char *)k->id.name, sizeof(k->id.name), "%s", knew->name ? knew->name : "");
	k->count = knew->count ? knew->count : 1;
	k->info = knew->info;
	k->get = knew->get;
	k->put = knew->put;
	k->private_value = knew->private_value;
	k->private_data = private_data;
	k->access = knew->access ? knew->access : SNDRV_CTL_ELEM_ACCESS_READWRITE;
	return k;
}

void snd_ctl_free_one(struct snd_kcontrol *kcontrol)
{
	if (!kcontrol)
		return;
	if (kcontrol->private_free)
		kcontrol->private_free(kcontrol);
	kfree(kcontrol);
}

int snd_ctl_add(struct snd_card *card, struct snd_kcontrol *kcontrol)
{
	struct snd_kcontrol *k;

	if (!kcontrol)
		return -EINVAL;
	if (!kcontrol->info) {
		snd_ctl_free_one(kcontrol);
		return -EINVAL;
	}
	list_for_each_entry(k, &card->controls, list)
		if (!strcmp((const char *)k->id.name, (const char *)kcontrol->id.name) &&
		    k->id.index == kcontrol->id.index && k->id.iface == kcontrol->id.iface) {
			dev_err(card->dev, "control %i:%i:%i:%s:%i is already present\n", kcontrol->id.iface,
				kcontrol->id.device, kcontrol->id.subdevice, kcontrol->id.name, kcontrol->id.index);
			snd_ctl_free_one(kcontrol);
			return -EBUSY;
		}
	kcontrol->id.numid = ++card->controls_count;
	list_add_tail(&kcontrol->list, &card->controls);
	return 0;
}

int snd_ctl_remove(struct snd_card *card, struct snd_kcontrol *kcontrol)
{
	(void)card;
	list_del(&kcontrol->list);
	snd_ctl_free_one(kcontrol);
	return 0;
}

void snd_ctl_notify(struct snd_card *card, unsigned int mask, struct snd_ctl_elem_id *id)
{
	(void)mask;
	(void)id;
	card_ext(card)->notifications++;
}

unsigned int kc_km_ctl_notifications(struct snd_card *card)
{
	return card_ext(card)->notifications;
}

int snd_ctl_boolean_mono_info(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_info *uinfo)
{
	(void)kcontrol;
	uinfo->type = SNDRV_CTL_ELEM_TYPE_BOOLEAN;
	uinfo->count = 1;
	uinfo->value.integer.min = 0;
	uinfo->value.integer.max = 1;
	return 0;
}

int snd_ctl_boolean_stereo_info(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_info *uinfo)
{
	snd_ctl_boolean_mono_info(kcontrol, uinfo);
	uinfo->count = 2;
	return 0;
}

int snd_ctl_enum_info(struct snd_ctl_elem_info *info, unsigned int channels, unsigned int items,
		      const char *const names[])
{
	info->type = SNDRV_CTL_ELEM_TYPE_ENUMERATED;
	info->count = channels;
	info->value.enumerated.items = items;
	if (!items)
		return 0;
	if (info->value.enumerated.item >= items)
		info->value.enumerated.item = items - 1;
	snprintf(info->value.enumerated.name, sizeof(info->value.enumerated.name), "%s",
		 names[info->value.enumerated.item]);
	return 0;
}

struct snd_kcontrol *kc_km_ctl_at(struct snd_card *card, unsigned int i)
{
	struct snd_kcontrol *k;

	list_for_each_entry(k, &card->controls, list)
		if (i-- == 0)
			return k;
	return NULL;
}

struct snd_kcontrol *kc_km_ctl_find(struct snd_card *card, const char *name)
{
	struct snd_kcontrol *k;

	list_for_each_entry(k, &card->controls, list)
		if (!strcmp((const char *)k->id.name, name))
			return k;
	return NULL;
}

int kc_km_ctl_info(struct snd_kcontrol *kctl, struct snd_ctl_elem_info *info)
{
	unsigned int item = info->value.enumerated.item;

	memset(info, 0, sizeof(*info));
	info->id = kctl->id;
	info->value.enumerated.item = item;
	info->access = kctl->access;
	return kctl->info(kctl, info);
}

int kc_km_ctl_get(struct snd_kcontrol *kctl, struct snd_ctl_elem_value *val)
{
	memset(val, 0, sizeof(*val));
	val->id = kctl->id;
	if (!(kctl->access & SNDRV_CTL_ELEM_ACCESS_READ) || !kctl->get)
		return -EPERM;
	return kctl->get(kctl, val);
}

int kc_km_ctl_put(struct snd_kcontrol *kctl, struct snd_ctl_elem_value *val)
{
	int rc;

	if (!(kctl->access & SNDRV_CTL_ELEM_ACCESS_WRITE) || !kctl->put)
		return -EPERM;
	/* Like Linux without CONFIG_SND_CTL_INPUT_VALIDATION, the core leaves range checks to put(). */
	val->id = kctl->id;
	rc = kctl->put(kctl, val);
	if (rc > 0) {
		struct snd_card *card = NULL;
		struct snd_card *c;

		list_for_each_entry(c, &cards, __kc_list) {
			struct snd_kcontrol *k;

			list_for_each_entry(k, &c->controls, list)
				if (k == kctl)
					card = c;
		}
		if (card)
			snd_ctl_notify(card, SNDRV_CTL_EVENT_MASK_VALUE, &kctl->id);
	}
	return rc;
}
