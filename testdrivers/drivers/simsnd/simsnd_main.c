// SPDX-License-Identifier: GPL-2.0
/*
 * simsnd_main.c - ALSA driver for the simsnd PCI audio device: module parameters, PCI probe and remove with
 * full error unwinding, register access, hardware reset, the interrupt handler, and a stall watchdog.
 *
 * Written the way drivers under sound/pci/ are (ens1370, intel8x0, ...): a chip structure as the card's
 * private data, snd_card_new()/snd_card_register() bracketing device creation, request_irq() with the chip
 * as dev_id, the period interrupt forwarded to snd_pcm_period_elapsed(). It is one of kcut's test
 * drivers: the analyzer and emitter see the same shapes as in real sound drivers.
 */
#include <linux/module.h>
#include <linux/string.h>
#include <linux/moduleparam.h>
#include <linux/init.h>
#include <linux/pci.h>
#include <linux/interrupt.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <sound/core.h>
#include <sound/initval.h>
#include <sound/pcm.h>

#include "simsnd.h"

static int index[SNDRV_CARDS] = SNDRV_DEFAULT_IDX;
static char *id[SNDRV_CARDS] = SNDRV_DEFAULT_STR;
static bool enable[SNDRV_CARDS] = SNDRV_DEFAULT_ENABLE_PNP;
static int reset_timeout_us = 1000;
static int stall_timeout_ms = 500;
bool simsnd_debug_codec_in_trigger;

module_param_array(index, int, NULL, 0444);
MODULE_PARM_DESC(index, "Index value for the simsnd soundcard.");
module_param_array(id, charp, NULL, 0444);
MODULE_PARM_DESC(id, "ID string for the simsnd soundcard.");
module_param_array(enable, bool, NULL, 0444);
MODULE_PARM_DESC(enable, "Enable simsnd soundcard.");
module_param(reset_timeout_us, int, 0444);
MODULE_PARM_DESC(reset_timeout_us, "How long to wait for the device to come out of reset (10-100000 us).");
module_param(stall_timeout_ms, int, 0644);
MODULE_PARM_DESC(stall_timeout_ms, "Report a stalled stream after this many ms without a period (0: off).");
module_param_named(debug_codec_in_trigger, simsnd_debug_codec_in_trigger, bool, 0644);
MODULE_PARM_DESC(debug_codec_in_trigger,
		 "Deliberately touch the codec (which sleeps) from the trigger callback, under the stream lock.");

static const struct pci_device_id snd_simsnd_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_KCUT, PCI_DEVICE_ID_KCUT_SIMSND), 0, 0, 0 },
	{ 0, }
};
MODULE_DEVICE_TABLE(pci, snd_simsnd_ids);

static int dev_index;

/* ---- register access ---- */

u32 simsnd_read(struct simsnd *chip, unsigned int reg)
{
	return readl(chip->regs + reg);
}

void simsnd_write(struct simsnd *chip, unsigned int reg, u32 val)
{
	writel(val, chip->regs + reg);
}

/* Read-modify-write of CTRL; callers may hold the stream lock, so this only takes reg_lock. */
void simsnd_ctrl_update(struct simsnd *chip, u32 clear, u32 set)
{
	unsigned long flags;
	u32 ctrl;

	spin_lock_irqsave(&chip->reg_lock, flags);
	ctrl = simsnd_read(chip, SIMSND_CTRL);
	ctrl &= ~clear;
	ctrl |= set;
	simsnd_write(chip, SIMSND_CTRL, ctrl);
	spin_unlock_irqrestore(&chip->reg_lock, flags);
}

/*
 * Reset the device and wait until it reports READY. Called from probe (process context) only, but uses a
 * busy-wait as the reset is specified to finish within microseconds.
 */
static int simsnd_hw_reset(struct simsnd *chip)
{
	int waited = 0;

	simsnd_write(chip, SIMSND_CTRL, CTRL_RESET);
	while (!(simsnd_read(chip, SIMSND_STATUS) & STATUS_READY)) {
		if (waited >= reset_timeout_us) {
			dev_err(&chip->pci->dev, "device did not come out of reset in %d us\n", reset_timeout_us);
			return -ETIMEDOUT;
		}
		udelay(10);
		waited += 10;
	}
	simsnd_write(chip, SIMSND_INT_STATUS, INT_ALL);
	return 0;
}

/* Stop DMA and mask interrupts; safe to call twice and from the error paths of probe. */
static void simsnd_hw_quiesce(struct simsnd *chip)
{
	if (!chip->regs)
		return;
	simsnd_ctrl_update(chip, CTRL_RUN | CTRL_IRQ_EN | CTRL_PAUSE, 0);
	simsnd_write(chip, SIMSND_INT_STATUS, INT_ALL);
}

/* ---- interrupt handler ---- */

static irqreturn_t snd_simsnd_interrupt(int irq, void *dev_id)
{
	struct simsnd *chip = dev_id;
	u32 status;

	spin_lock(&chip->reg_lock);
	status = simsnd_read(chip, SIMSND_INT_STATUS) & INT_ALL;
	if (!status) {
		chip->stats.spurious++;
		spin_unlock(&chip->reg_lock);
		return IRQ_NONE;
	}
	simsnd_write(chip, SIMSND_INT_STATUS, status);
	chip->stats.irqs++;
	spin_unlock(&chip->reg_lock);

	if (status & INT_DMA_ERROR) {
		chip->stats.dma_errors++;
		dev_err(&chip->pci->dev, "DMA error at position %u\n", simsnd_read(chip, SIMSND_POSITION));
		simsnd_pcm_dma_error(chip);
	}
	if (status & INT_PERIOD) {
		chip->stats.period_irqs++;
		chip->last_period_jiffies = jiffies;
		simsnd_pcm_period(chip);
	}
	return IRQ_HANDLED;
}

/* ---- stall watchdog ---- */

static void simsnd_stall_work(struct work_struct *work)
{
	struct simsnd *chip = container_of(work, struct simsnd, stall_work);
	u16 vendor = 0;

	/* Process context: we may talk to the codec to see whether the device is still alive. */
	if (simsnd_codec_read(chip, CODEC_REG_VENDOR, &vendor) || vendor != CODEC_VENDOR_ID)
		dev_err(&chip->pci->dev, "stall: codec does not answer (vendor 0x%04x)\n", vendor);
	else
		dev_warn(&chip->pci->dev, "stall: device alive, %u periods played, position %u\n",
			 simsnd_read(chip, SIMSND_PERIODS_PLAYED), simsnd_read(chip, SIMSND_POSITION));
}

static void simsnd_stall_timer(struct timer_list *t)
{
	struct simsnd *chip = from_timer(chip, t, stall_timer);
	unsigned long timeout = msecs_to_jiffies(chip->stall_timeout_ms);

	if (!chip->running)
		return;
	if (time_after(jiffies, chip->last_period_jiffies + timeout)) {
		chip->stats.stalls++;
		dev_warn(&chip->pci->dev, "no period interrupt for %u ms, stream stalled\n",
			 jiffies_to_msecs(jiffies - chip->last_period_jiffies));
		chip->last_period_jiffies = jiffies;
		schedule_work(&chip->stall_work);
	}
	mod_timer(&chip->stall_timer, jiffies + timeout);
}

void simsnd_stall_watch_start(struct simsnd *chip)
{
	if (!chip->stall_timeout_ms)
		return;
	chip->last_period_jiffies = jiffies;
	mod_timer(&chip->stall_timer, jiffies + msecs_to_jiffies(chip->stall_timeout_ms));
}

void simsnd_stall_watch_stop(struct simsnd *chip)
{
	del_timer(&chip->stall_timer);
}

/* ---- card lifetime ---- */

/* Card destructor (card->private_free): undo what snd_simsnd_create() did, in reverse order. */
static void snd_simsnd_free(struct snd_card *card)
{
	struct simsnd *chip = card->private_data;

	simsnd_stall_watch_stop(chip);
	del_timer_sync(&chip->stall_timer);
	cancel_work_sync(&chip->stall_work);
	simsnd_hw_quiesce(chip);
	if (chip->irq_requested) {
		free_irq(chip->irq, chip);
		chip->irq_requested = false;
	}
	if (chip->regs) {
		pci_iounmap(chip->pci, chip->regs);
		chip->regs = NULL;
	}
	pci_release_regions(chip->pci);
	pci_disable_device(chip->pci);
}

static int snd_simsnd_check_id(struct simsnd *chip)
{
	u32 magic = simsnd_read(chip, SIMSND_ID);
	u32 caps;

	if (magic != SIMSND_ID_MAGIC) {
		dev_err(&chip->pci->dev, "unexpected ID register 0x%08x (want 0x%08x)\n", magic, SIMSND_ID_MAGIC);
		return -ENODEV;
	}
	caps = simsnd_read(chip, SIMSND_CAPS);
	chip->max_channels = CAPS_MAX_CHANNELS(caps);
	chip->can_pause = !!(caps & CAPS_PAUSE);
	if (chip->max_channels < 1 || chip->max_channels > 8) {
		dev_err(&chip->pci->dev, "bogus channel count %u in CAPS\n", chip->max_channels);
		return -ENODEV;
	}
	return 0;
}

/*
 * Bring up the PCI function and the chip. On failure everything acquired here is released before
 * returning (the card's private_free is only installed once the chip is complete).
 */
static int snd_simsnd_create(struct snd_card *card, struct pci_dev *pci)
{
	struct simsnd *chip = card->private_data;
	int err;

	err = pci_enable_device(pci);
	if (err < 0)
		return err;
	err = dma_set_mask_and_coherent(&pci->dev, DMA_BIT_MASK(32));
	if (err) {
		dev_err(&pci->dev, "no usable 32-bit DMA configuration\n");
		goto err_disable;
	}
	pci_set_master(pci);

	chip->card = card;
	chip->pci = pci;
	chip->irq = -1;
	spin_lock_init(&chip->reg_lock);
	mutex_init(&chip->codec_mutex);
	timer_setup(&chip->stall_timer, simsnd_stall_timer, 0);
	INIT_WORK(&chip->stall_work, simsnd_stall_work);
	chip->stall_timeout_ms = stall_timeout_ms > 0 ? stall_timeout_ms : 0;

	err = pci_request_regions(pci, DRIVER_NAME);
	if (err < 0)
		goto err_disable;
	chip->regs = pci_iomap(pci, 0, 0);
	if (!chip->regs) {
		dev_err(&pci->dev, "cannot map BAR 0\n");
		err = -ENOMEM;
		goto err_release;
	}
	err = snd_simsnd_check_id(chip);
	if (err)
		goto err_unmap;
	err = simsnd_hw_reset(chip);
	if (err)
		goto err_unmap;
	err = request_irq(pci->irq, snd_simsnd_interrupt, IRQF_SHARED, KBUILD_MODNAME, chip);
	if (err) {
		dev_err(&pci->dev, "unable to grab IRQ %d\n", pci->irq);
		goto err_unmap;
	}
	chip->irq = pci->irq;
	chip->irq_requested = true;
	card->private_free = snd_simsnd_free;
	return 0;

err_unmap:
	pci_iounmap(pci, chip->regs);
	chip->regs = NULL;
err_release:
	pci_release_regions(pci);
err_disable:
	pci_disable_device(pci);
	return err;
}

static int snd_simsnd_probe(struct pci_dev *pci, const struct pci_device_id *pci_id)
{
	struct snd_card *card;
	struct simsnd *chip;
	int dev = dev_index;
	int err;

	if (dev >= SNDRV_CARDS)
		return -ENODEV;
	if (!enable[dev]) {
		dev_index++;
		return -ENOENT;
	}
	if (reset_timeout_us < 10 || reset_timeout_us > 100000) {
		dev_warn(&pci->dev, "reset_timeout_us=%d out of range, using 1000\n", reset_timeout_us);
		reset_timeout_us = 1000;
	}

	err = snd_card_new(&pci->dev, index[dev], id[dev], THIS_MODULE, sizeof(*chip), &card);
	if (err < 0)
		return err;
	chip = card->private_data;

	err = snd_simsnd_create(card, pci);
	if (err < 0)
		goto err_free_card;
	err = simsnd_codec_init(chip);
	if (err < 0)
		goto err_free_card;
	err = simsnd_pcm_create(chip);
	if (err < 0)
		goto err_free_card;
	err = simsnd_mixer_create(chip);
	if (err < 0)
		goto err_free_card;

	strscpy(card->driver, "SimSnd", sizeof(card->driver));
	strscpy(card->shortname, "KCUT SimSnd", sizeof(card->shortname));
	snprintf(card->longname, sizeof(card->longname), "%s at %s, irq %d", card->shortname, pci_name(pci),
		 chip->irq);
	strscpy(card->mixername, "SimSnd Codec", sizeof(card->mixername));

	err = snd_card_register(card);
	if (err < 0)
		goto err_free_card;
	pci_set_drvdata(pci, card);
	dev_info(&pci->dev, "%s, %u channels%s\n", card->longname, chip->max_channels,
		 chip->can_pause ? ", pause" : "");
	dev_index++;
	return 0;

err_free_card:
	snd_card_free(card);
	return err;
}

static void snd_simsnd_remove(struct pci_dev *pci)
{
	struct snd_card *card = pci_get_drvdata(pci);
	struct simsnd *chip = card->private_data;

	dev_info(&pci->dev, "removing: %lu interrupts (%lu periods, %lu DMA errors, %lu spurious, %lu stalls)\n",
		 chip->stats.irqs, chip->stats.period_irqs, chip->stats.dma_errors, chip->stats.spurious,
		 chip->stats.stalls);
	snd_card_free(card);
	pci_set_drvdata(pci, NULL);
}

static struct pci_driver simsnd_driver = {
	.name = KBUILD_MODNAME,
	.id_table = snd_simsnd_ids,
	.probe = snd_simsnd_probe,
	.remove = snd_simsnd_remove,
};

static int __init alsa_card_simsnd_init(void)
{
	dev_index = 0;
	return pci_register_driver(&simsnd_driver);
}

static void __exit alsa_card_simsnd_exit(void)
{
	pci_unregister_driver(&simsnd_driver);
}

module_init(alsa_card_simsnd_init);
module_exit(alsa_card_simsnd_exit);

MODULE_AUTHOR("kcut project");
MODULE_DESCRIPTION("ALSA driver for the simulated simsnd PCI audio device");
MODULE_LICENSE("GPL");
MODULE_VERSION(SIMSND_DRIVER_VERSION);
