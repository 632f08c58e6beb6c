/*
 * sound/core.h - kernel model: ALSA sound cards (a small subset of Linux 6.1's include/sound/core.h).
 *
 * A card collects PCM devices and controls; snd_card_register() makes them visible to the harness's
 * "application" commands (pcm/mixer), snd_card_free() releases them (calling the PCM and control
 * private_free hooks).
 */
#ifndef _KC_SOUND_CORE_H
#define _KC_SOUND_CORE_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#define SNDRV_CARDS 8

struct snd_pcm;

struct snd_card {
	int number;
	char id[16];
	char driver[16];
	char shortname[32];
	char longname[80];
	char mixername[80];
	char components[128];
	struct module *module;
	void *private_data;
	void (*private_free)(struct snd_card *card);
	struct device *dev;
	struct list_head controls;	/* struct snd_kcontrol */
	unsigned int controls_count;
	struct list_head pcms;		/* struct snd_pcm, in creation order */
	struct mutex __kc_ctl_lock;
	bool registered;
	struct list_head __kc_list;	/* on the model's card list */
};

int snd_card_new(struct device *parent, int idx, const char *xid, struct module *module, int extra_size,
		 struct snd_card **card_ret);
int snd_card_free(struct snd_card *card);
int snd_card_free_when_closed(struct snd_card *card);
int snd_card_register(struct snd_card *card);
int snd_card_disconnect(struct snd_card *card);

#define snd_printk(fmt, ...) printk(fmt, ##__VA_ARGS__)
#define snd_printd(fmt, ...) do { if (0) printk(fmt, ##__VA_ARGS__); } while (0)

#endif
