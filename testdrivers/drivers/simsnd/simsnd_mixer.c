// SPDX-License-Identifier: GPL-2.0
/*
 * simsnd_mixer.c - the simsnd codec and its mixer controls.
 *
 * The codec sits behind an indirect interface: write the data register, write the command register, then
 * wait for STATUS.CODEC_BUSY to clear (about 20 us). Transactions sleep while waiting (usleep_range), so
 * they run under codec_mutex and only in process context; the controls' put() callbacks are called from
 * the control ioctl in process context, which is what makes that legal. A shadow copy of every codec
 * register answers get() without touching the hardware.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <sound/core.h>
#include <sound/control.h>

#include "simsnd.h"

#define CODEC_TIMEOUT_US 1000

/* Wait for the codec to finish the current transaction. Sleeps; process context only. */
static int simsnd_codec_wait(struct simsnd *chip)
{
	int waited;

	might_sleep();
	for (waited = 0; waited < CODEC_TIMEOUT_US; waited += 20) {
		if (!(simsnd_read(chip, SIMSND_STATUS) & STATUS_CODEC_BUSY))
			return 0;
		usleep_range(20, 40);
	}
	dev_err(&chip->pci->dev, "codec timeout after %d us\n", CODEC_TIMEOUT_US);
	return -ETIMEDOUT;
}

int simsnd_codec_read(struct simsnd *chip, unsigned int reg, u16 *val)
{
	int err;

	if (reg >= CODEC_NUM_REGS)
		return -EINVAL;
	mutex_lock(&chip->codec_mutex);
	err = simsnd_codec_wait(chip);
	if (err)
		goto out;
	simsnd_write(chip, SIMSND_CODEC_CMD, reg);
	err = simsnd_codec_wait(chip);
	if (err)
		goto out;
	*val = (u16)simsnd_read(chip, SIMSND_CODEC_DATA);
out:
	mutex_unlock(&chip->codec_mutex);
	return err;
}

int simsnd_codec_write(struct simsnd *chip, unsigned int reg, u16 val)
{
	int err;

	if (reg >= CODEC_NUM_REGS)
		return -EINVAL;
	mutex_lock(&chip->codec_mutex);
	err = simsnd_codec_wait(chip);
	if (err)
		goto out;
	simsnd_write(chip, SIMSND_CODEC_DATA, val);
	simsnd_write(chip, SIMSND_CODEC_CMD, reg | CODEC_CMD_WRITE);
	err = simsnd_codec_wait(chip);
	if (!err)
		chip->codec_shadow[reg] = val;
out:
	mutex_unlock(&chip->codec_mutex);
	return err;
}

static u16 stereo_to_reg(const u8 vol[2])
{
	return (u16)(vol[0] | (vol[1] << 8));
}

int simsnd_apply_output(struct simsnd *chip)
{
	return simsnd_codec_write(chip, CODEC_REG_OUTPUT, (u16)chip->output);
}

/*
 * Identify the codec and load defaults: master and PCM at 80, unmuted, speaker output.
 * Returns -ENODEV if no codec answers.
 */
int simsnd_codec_init(struct simsnd *chip)
{
	u16 vendor = 0;
	int err;

	err = simsnd_codec_read(chip, CODEC_REG_VENDOR, &vendor);
	if (err)
		return err;
	if (vendor != CODEC_VENDOR_ID) {
		dev_err(&chip->pci->dev, "unknown codec vendor 0x%04x\n", vendor);
		return -ENODEV;
	}
	chip->codec_shadow[CODEC_REG_VENDOR] = vendor;
	chip->master_vol[0] = chip->master_vol[1] = 80;
	chip->pcm_vol[0] = chip->pcm_vol[1] = 80;
	chip->master_switch = true;
	chip->output = SIMSND_OUT_SPEAKER;
	err = simsnd_codec_write(chip, CODEC_REG_MASTER_VOL, stereo_to_reg(chip->master_vol));
	if (!err)
		err = simsnd_codec_write(chip, CODEC_REG_PCM_VOL, stereo_to_reg(chip->pcm_vol));
	if (!err)
		err = simsnd_codec_write(chip, CODEC_REG_MUTE, 0);
	if (!err)
		err = simsnd_apply_output(chip);
	return err;
}

/* ---- volume controls (private_value: codec register) ---- */

static int snd_simsnd_volume_info(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_info *uinfo)
{
	uinfo->type = SNDRV_CTL_ELEM_TYPE_INTEGER;
	uinfo->count = 2;
	uinfo->value.integer.min = 0;
	uinfo->value.integer.max = SIMSND_VOLUME_MAX;
	uinfo->value.integer.step = 1;
	return 0;
}

static u8 *simsnd_volume_slot(struct simsnd *chip, unsigned long reg)
{
	return reg == CODEC_REG_MASTER_VOL ? chip->master_vol : chip->pcm_vol;
}

static int snd_simsnd_volume_get(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol)
{
	struct simsnd *chip = snd_kcontrol_chip(kcontrol);
	u8 *vol = simsnd_volume_slot(chip, kcontrol->private_value);

	ucontrol->value.integer.value[0] = vol[0];
	ucontrol->value.integer.value[1] = vol[1];
	return 0;
}

static int snd_simsnd_volume_put(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol)
{
	struct simsnd *chip = snd_kcontrol_chip(kcontrol);
	u8 *vol = simsnd_volume_slot(chip, kcontrol->private_value);
	long left = ucontrol->value.integer.value[0];
	long right = ucontrol->value.integer.value[1];
	u8 nv[2];
	int err;

	if (left < 0 || left > SIMSND_VOLUME_MAX || right < 0 || right > SIMSND_VOLUME_MAX)
		return -EINVAL;
	if (left == vol[0] && right == vol[1])
		return 0;
	nv[0] = (u8)left;
	nv[1] = (u8)right;
	err = simsnd_codec_write(chip, (unsigned int)kcontrol->private_value, stereo_to_reg(nv));
	if (err)
		return err;
	vol[0] = nv[0];
	vol[1] = nv[1];
	return 1;
}

/* ---- master switch ---- */

static int snd_simsnd_switch_get(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol)
{
	struct simsnd *chip = snd_kcontrol_chip(kcontrol);

	ucontrol->value.integer.value[0] = chip->master_switch;
	return 0;
}

static int snd_simsnd_switch_put(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol)
{
	struct simsnd *chip = snd_kcontrol_chip(kcontrol);
	bool on = ucontrol->value.integer.value[0] != 0;
	int err;

	if (ucontrol->value.integer.value[0] < 0 || ucontrol->value.integer.value[0] > 1)
		return -EINVAL;
	if (on == chip->master_switch)
		return 0;
	err = simsnd_codec_write(chip, CODEC_REG_MUTE, on ? 0 : 1);
	if (err)
		return err;
	chip->master_switch = on;
	return 1;
}

/* ---- output select ---- */

static const char *const simsnd_output_names[SIMSND_OUT_COUNT] = { "Speaker", "Headphone", "Line Out" };

static int snd_simsnd_output_info(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_info *uinfo)
{
	return snd_ctl_enum_info(uinfo, 1, SIMSND_OUT_COUNT, simsnd_output_names);
}

static int snd_simsnd_output_get(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol)
{
	struct simsnd *chip = snd_kcontrol_chip(kcontrol);

	ucontrol->value.enumerated.item[0] = chip->output;
	return 0;
}

static int snd_simsnd_output_put(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol)
{
	struct simsnd *chip = snd_kcontrol_chip(kcontrol);
	unsigned int item = ucontrol->value.enumerated.item[0];
	enum simsnd_output old = chip->output;
	int err;

	if (item >= SIMSND_OUT_COUNT)
		return -EINVAL;
	if (item == old)
		return 0;
	chip->output = item;
	err = simsnd_apply_output(chip);
	if (err) {
		chip->output = old;
		return err;
	}
	return 1;
}

/* ---- read-only statistics ---- */

static int snd_simsnd_stat_info(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_info *uinfo)
{
	uinfo->type = SNDRV_CTL_ELEM_TYPE_INTEGER;
	uinfo->count = 1;
	uinfo->value.integer.min = 0;
	uinfo->value.integer.max = 0x7fffffff;
	return 0;
}

static int snd_simsnd_stat_get(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol)
{
	struct simsnd *chip = snd_kcontrol_chip(kcontrol);

	switch (kcontrol->private_value) {
	case 0:
		ucontrol->value.integer.value[0] = (long)chip->stats.period_irqs;
		break;
	case 1:
		ucontrol->value.integer.value[0] = (long)simsnd_read(chip, SIMSND_PERIODS_PLAYED);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static const struct snd_kcontrol_new snd_simsnd_controls[] = {
	{
		.iface = SNDRV_CTL_ELEM_IFACE_MIXER,
		.name = "Master Playback Volume",
		.info = snd_simsnd_volume_info,
		.get = snd_simsnd_volume_get,
		.put = snd_simsnd_volume_put,
		.private_value = CODEC_REG_MASTER_VOL,
	},
	{
		.iface = SNDRV_CTL_ELEM_IFACE_MIXER,
		.name = "PCM Playback Volume",
		.info = snd_simsnd_volume_info,
		.get = snd_simsnd_volume_get,
		.put = snd_simsnd_volume_put,
		.private_value = CODEC_REG_PCM_VOL,
	},
	{
		.iface = SNDRV_CTL_ELEM_IFACE_MIXER,
		.name = "Master Playback Switch",
		.info = snd_ctl_boolean_mono_info,
		.get = snd_simsnd_switch_get,
		.put = snd_simsnd_switch_put,
	},
	{
		.iface = SNDRV_CTL_ELEM_IFACE_MIXER,
		.name = "Output Select",
		.info = snd_simsnd_output_info,
		.get = snd_simsnd_output_get,
		.put = snd_simsnd_output_put,
	},
	{
		.iface = SNDRV_CTL_ELEM_IFACE_CARD,
		.name = "Period Interrupts",
		.access = SNDRV_CTL_ELEM_ACCESS_READ | SNDRV_CTL_ELEM_ACCESS_VOLATILE,
		.info = snd_simsnd_stat_info,
		.get = snd_simsnd_stat_get,
		.private_value = 0,
	},
	{
		.iface = SNDRV_CTL_ELEM_IFACE_CARD,
		.name = "Periods Played",
		.access = SNDRV_CTL_ELEM_ACCESS_READ | SNDRV_CTL_ELEM_ACCESS_VOLATILE,
		.info = snd_simsnd_stat_info,
		.get = snd_simsnd_stat_get,
		.private_value = 1,
	},
};

int simsnd_mixer_create(struct simsnd *chip)
{
	int err;

	strscpy(chip->card->mixername, "SimSnd Codec", sizeof(chip->card->mixername));
	for (size_t i = 0; i < ARRAY_SIZE(snd_simsnd_controls); i++) {
		err = snd_ctl_add(chip->card, snd_ctl_new1(&snd_simsnd_controls[i], chip));
		if (err < 0) {
			dev_err(&chip->pci->dev, "cannot add control '%s': %d\n", snd_simsnd_controls[i].name, err);
			return err;
		}
	}
	return 0;
}
