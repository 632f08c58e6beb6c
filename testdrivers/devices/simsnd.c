/*
 * simsnd.c - device model of simsnd, a small PCI audio device (see simsnd.h for the register map).
 *
 * Hardware side only: it sees MMIO accesses, reads the ring buffer by DMA, and raises its interrupt line.
 * Playback timing runs on the model's virtual clock through kc_km_dev_kick_at(): one step per period.
 * Options at creation (`--device simsnd,opt,...`): bad_id (the ID register reads wrong), codec_stuck
 * (codec accesses never complete), noirq (period interrupts are never raised).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/sim.h"
#include "devices/simsnd.h"

struct simsnd_dev {
	struct kc_km_pci_dev *pci;
	uint32_t ctrl;
	uint32_t int_status;
	uint64_t buf;
	uint32_t buf_size;
	uint32_t period_size;
	uint32_t position;
	uint32_t format;
	uint32_t rate;
	uint32_t periods_played;
	uint32_t checksum;
	uint32_t codec[SIMSND_CODEC_NREGS];
	uint32_t codec_data;
	bool codec_busy;
	uint64_t codec_done_at;
	bool running;
	bool ready;
	uint64_t next_period_at;
	unsigned int irqs_raised;
	unsigned int drop_irqs;
	int dma_error_after;	/* >0: a bus error after this many more periods */
	bool opt_bad_id;
	bool opt_codec_stuck;
	bool opt_noirq;
	uint8_t scratch[65536];
};

static uint64_t period_ns(const struct simsnd_dev *d)
{
	uint32_t ch = d->format & 0xff, bps = (d->format >> 8) & 0xff;
	uint64_t bytes_per_sec = (uint64_t)d->rate * ch * bps;

	if (!bytes_per_sec)
		return 1000000;	/* unprogrammed: 1 ms, the driver's mistake shows as garbage timing */
	return (uint64_t)d->period_size * 1000000000ULL / bytes_per_sec;
}

static void update_checksum(struct simsnd_dev *d, const uint8_t *p, size_t n)
{
	uint32_t c = d->checksum;

	for (size_t i = 0; i < n; i++)
		c = (c << 5) + c + p[i];	/* djb2: order-sensitive, cheap */
	d->checksum = c;
}

static void raise_irq(struct simsnd_dev *d, uint32_t cause)
{
	d->int_status |= cause;
	if (!(d->ctrl & SIMSND_CTRL_IRQ_EN))
		return;
	if (cause == SIMSND_INT_PERIOD && (d->opt_noirq || d->drop_irqs)) {
		if (d->drop_irqs)
			d->drop_irqs--;
		return;
	}
	d->irqs_raised++;
	kc_km_irq_raise(d->pci);
}

static void start_stream(struct simsnd_dev *d)
{
	if (d->running)
		return;
	d->running = true;
	d->next_period_at = kc_km_now_ns() + period_ns(d);
	kc_km_dev_kick_at(d->pci, d->next_period_at);
}

static void device_reset(struct simsnd_dev *d)
{
	d->ctrl = 0;
	d->int_status = 0;
	d->buf = 0;
	d->buf_size = 0;
	d->period_size = 0;
	d->position = 0;
	d->format = 0;
	d->rate = 0;
	d->running = false;
	d->codec_busy = false;
	memset(d->codec, 0, sizeof(d->codec));
	d->codec[SIMSND_CODEC_VENDOR] = SIMSND_CODEC_VENDOR_ID;
	d->codec[SIMSND_CODEC_MUTE] = 1;
	d->ready = true;
}

static void step(void *opaque)
{
	struct simsnd_dev *d = opaque;
	uint64_t now = kc_km_now_ns();

	if (d->codec_busy && !d->opt_codec_stuck && now >= d->codec_done_at)
		d->codec_busy = false;
	if (d->codec_busy && !d->opt_codec_stuck)
		kc_km_dev_kick_at(d->pci, d->codec_done_at);
	if (!d->running)
		return;
	if (now < d->next_period_at) {
		kc_km_dev_kick_at(d->pci, d->next_period_at);
		return;
	}
	if (!(d->ctrl & SIMSND_CTRL_PAUSE)) {
		uint32_t n = d->period_size;

		if (d->dma_error_after > 0 && --d->dma_error_after == 0) {
			/* injected bus error: the engine stops and reports it */
			d->running = false;
			d->ctrl &= ~SIMSND_CTRL_RUN;
			raise_irq(d, SIMSND_INT_DMA_ERROR);
			return;
		}

		if (!d->buf_size || !n || n > sizeof(d->scratch) || d->position + n > d->buf_size ||
		    kc_km_dma_read(d->pci, d->buf + d->position, d->scratch, n)) {
			d->running = false;
			d->ctrl &= ~SIMSND_CTRL_RUN;
			raise_irq(d, SIMSND_INT_DMA_ERROR);
			return;
		}
		update_checksum(d, d->scratch, n);
		d->position = (d->position + n) % d->buf_size;
		d->periods_played++;
		raise_irq(d, SIMSND_INT_PERIOD);
	}
	d->next_period_at += period_ns(d);
	kc_km_dev_kick_at(d->pci, d->next_period_at);
}

static uint64_t mmio_read(void *opaque, int bar, uint64_t off, unsigned int size)
{
	struct simsnd_dev *d = opaque;

	(void)bar;
	if (size != 4)
		return 0;
	switch (off) {
	case SIMSND_REG_ID:
		return d->opt_bad_id ? 0xdeadbeefu : SIMSND_ID_VALUE;
	case SIMSND_REG_CTRL:
		return d->ctrl;
	case SIMSND_REG_STATUS:
		if (d->codec_busy && !d->opt_codec_stuck && kc_km_now_ns() >= d->codec_done_at)
			d->codec_busy = false;
		return (d->running ? SIMSND_STATUS_RUNNING : 0) | (d->ready ? SIMSND_STATUS_READY : 0) |
		       (d->codec_busy ? SIMSND_STATUS_CODEC_BUSY : 0);
	case SIMSND_REG_INT_STATUS:
		return d->int_status;
	case SIMSND_REG_BUF_LO:
		return (uint32_t)d->buf;
	case SIMSND_REG_BUF_HI:
		return (uint32_t)(d->buf >> 32);
	case SIMSND_REG_BUF_SIZE:
		return d->buf_size;
	case SIMSND_REG_PERIOD_SIZE:
		return d->period_size;
	case SIMSND_REG_POSITION:
		return d->position;
	case SIMSND_REG_FORMAT:
		return d->format;
	case SIMSND_REG_RATE:
		return d->rate;
	case SIMSND_REG_PERIODS_PLAYED:
		return d->periods_played;
	case SIMSND_REG_CHECKSUM:
		return d->checksum;
	case SIMSND_REG_CAPS:
		return 2u | (1u << 8);
	case SIMSND_REG_CODEC_DATA:
		return d->codec_busy ? 0xffffu : d->codec_data;
	default:
		return 0;
	}
}

static void mmio_write(void *opaque, int bar, uint64_t off, unsigned int size, uint64_t val64)
{
	struct simsnd_dev *d = opaque;
	uint32_t val = (uint32_t)val64;

	(void)bar;
	if (size != 4)
		return;
	switch (off) {
	case SIMSND_REG_CTRL:
		if (val & SIMSND_CTRL_RESET) {
			device_reset(d);
			return;
		}
		d->ctrl = val;
		if ((val & SIMSND_CTRL_RUN) && !d->running)
			start_stream(d);
		else if (!(val & SIMSND_CTRL_RUN))
			d->running = false;
		break;
	case SIMSND_REG_INT_STATUS:
		d->int_status &= ~val;
		break;
	case SIMSND_REG_BUF_LO:
		d->buf = (d->buf & ~0xffffffffULL) | val;
		break;
	case SIMSND_REG_BUF_HI:
		d->buf = (d->buf & 0xffffffffULL) | ((uint64_t)val << 32);
		break;
	case SIMSND_REG_BUF_SIZE:
		d->buf_size = val;
		d->position = 0;
		break;
	case SIMSND_REG_PERIOD_SIZE:
		d->period_size = val;
		break;
	case SIMSND_REG_FORMAT:
		d->format = val;
		break;
	case SIMSND_REG_RATE:
		d->rate = val;
		break;
	case SIMSND_REG_CODEC_DATA:
		d->codec_data = val & 0xffff;
		break;
	case SIMSND_REG_CODEC_CMD:
		if (d->codec_busy)
			break;	/* ignored while busy, as real codec links do */
		if ((val & 0xff) < SIMSND_CODEC_NREGS) {
			if (val & SIMSND_CODEC_WRITE) {
				if ((val & 0xff) != SIMSND_CODEC_VENDOR)
					d->codec[val & 0xff] = d->codec_data;
			} else {
				d->codec_data = d->codec[val & 0xff];
			}
		} else {
			d->codec_data = 0xffff;
		}
		d->codec_busy = true;
		d->codec_done_at = kc_km_now_ns() + SIMSND_CODEC_BUSY_NS;
		if (!d->opt_codec_stuck)
			kc_km_dev_kick_at(d->pci, d->codec_done_at);
		break;
	default:
		break;
	}
}

static int simsnd_create(struct sim *sim, int argc, char **argv, void **out_state)
{
	struct simsnd_dev *d = calloc(1, sizeof(*d));
	struct kc_km_pci_desc desc = {
		.model = "simsnd",
		.vendor = SIMSND_VENDOR,
		.device = SIMSND_DEVICE,
		.subvendor = SIMSND_VENDOR,
		.subdevice = 0x0001,
		.class_code = 0x040100,
		.revision = 1,
		.bar_size = { SIMSND_BAR0_SIZE },
		.mmio_read = mmio_read,
		.mmio_write = mmio_write,
		.step = step,
	};
	struct kc_err err = { 0 };

	if (!d)
		return -ENOMEM;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "bad_id")) {
			d->opt_bad_id = true;
		} else if (!strcmp(argv[i], "codec_stuck")) {
			d->opt_codec_stuck = true;
		} else if (!strcmp(argv[i], "noirq")) {
			d->opt_noirq = true;
		} else {
			sim_printf(sim, "simsnd: unknown option '%s' (bad_id, codec_stuck, noirq)\n", argv[i]);
			free(d);
			return SIM_EUSAGE;
		}
	}
	device_reset(d);
	if (kc_km_pci_add(&d->pci, &desc, d, &err)) {
		sim_printf(sim, "simsnd: %s\n", err.msg);
		free(d);
		return -ENOMEM;
	}
	*out_state = d;
	return 0;
}

static void simsnd_destroy(void *state)
{
	struct simsnd_dev *d = state;

	kc_km_pci_del(d->pci);
	free(d);
}

uint32_t simsnd_dev_checksum(const struct simsnd_dev *d)
{
	return d->checksum;
}

uint32_t simsnd_dev_periods(const struct simsnd_dev *d)
{
	return d->periods_played;
}

uint32_t simsnd_dev_codec_reg(const struct simsnd_dev *d, unsigned int reg)
{
	return reg < SIMSND_CODEC_NREGS ? d->codec[reg] : 0xffff;
}

unsigned int simsnd_dev_irqs_raised(const struct simsnd_dev *d)
{
	return d->irqs_raised;
}

void simsnd_dev_drop_irqs(struct simsnd_dev *d, unsigned int n)
{
	d->drop_irqs = n;
}

void simsnd_dev_dma_error(struct simsnd_dev *d, unsigned int after_periods)
{
	d->dma_error_after = (int)after_periods;
}

void simsnd_dev_codec_stuck(struct simsnd_dev *d, int stuck)
{
	d->opt_codec_stuck = stuck != 0;
}

static const struct sim_device_type simsnd_type = {
	.name = "simsnd",
	.create = simsnd_create,
	.destroy = simsnd_destroy,
	.help = "PCI audio device: ring-buffer DMA, period interrupts, codec (opts: bad_id, codec_stuck, noirq)",
};
SIM_DEVICE_TYPE(simsnd_type)
