/*
 * sound/control.h - kernel model: ALSA controls (snd_kcontrol_new with info/get/put, snd_ctl_new1(),
 * snd_ctl_add()). The harness's `mixer` commands call info/get/put as an application's ioctls would.
 */
#ifndef _KC_SOUND_CONTROL_H
#define _KC_SOUND_CONTROL_H

#include <sound/core.h>

typedef int snd_ctl_elem_type_t;
typedef int snd_ctl_elem_iface_t;

#define SNDRV_CTL_ELEM_TYPE_NONE 0
#define SNDRV_CTL_ELEM_TYPE_BOOLEAN 1
#define SNDRV_CTL_ELEM_TYPE_INTEGER 2
#define SNDRV_CTL_ELEM_TYPE_ENUMERATED 3
#define SNDRV_CTL_ELEM_TYPE_BYTES 4
#define SNDRV_CTL_ELEM_TYPE_INTEGER64 6

#define SNDRV_CTL_ELEM_IFACE_CARD 0
#define SNDRV_CTL_ELEM_IFACE_HWDEP 1
#define SNDRV_CTL_ELEM_IFACE_MIXER 2
#define SNDRV_CTL_ELEM_IFACE_PCM 3

#define SNDRV_CTL_ELEM_ACCESS_READ (1 << 0)
#define SNDRV_CTL_ELEM_ACCESS_WRITE (1 << 1)
#define SNDRV_CTL_ELEM_ACCESS_READWRITE (SNDRV_CTL_ELEM_ACCESS_READ | SNDRV_CTL_ELEM_ACCESS_WRITE)
#define SNDRV_CTL_ELEM_ACCESS_VOLATILE (1 << 2)
#define SNDRV_CTL_ELEM_ACCESS_TLV_READ (1 << 4)

#define SNDRV_CTL_EVENT_MASK_VALUE (1 << 0)
#define SNDRV_CTL_EVENT_MASK_INFO (1 << 1)

#define SNDRV_CTL_ELEM_ID_NAME_MAXLEN 44

struct snd_ctl_elem_id {
	unsigned int numid;
	snd_ctl_elem_iface_t iface;
	unsigned int device;
	unsigned int subdevice;
	unsigned char name[SNDRV_CTL_ELEM_ID_NAME_MAXLEN];
	unsigned int index;
};

struct snd_ctl_elem_info {
	struct snd_ctl_elem_id id;
	snd_ctl_elem_type_t type;
	unsigned int access;
	unsigned int count;
	pid_t owner;
	union {
		struct {
			long min;
			long max;
			long step;
		} integer;
		struct {
			long long min;
			long long max;
			long long step;
		} integer64;
		struct {
			unsigned int items;
			unsigned int item;
			char name[64];
		} enumerated;
	} value;
};

struct snd_ctl_elem_value {
	struct snd_ctl_elem_id id;
	unsigned int indirect:1;
	union {
		union {
			long value[128];
		} integer;
		union {
			long long value[64];
		} integer64;
		union {
			unsigned int item[128];
		} enumerated;
		union {
			unsigned char data[512];
		} bytes;
	} value;
};

struct snd_kcontrol;
typedef int (snd_kcontrol_info_t)(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_info *uinfo);
typedef int (snd_kcontrol_get_t)(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol);
typedef int (snd_kcontrol_put_t)(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_value *ucontrol);

struct snd_kcontrol_new {
	snd_ctl_elem_iface_t iface;
	unsigned int device;
	unsigned int subdevice;
	const char *name;
	unsigned int index;
	unsigned int access;
	unsigned int count;
	snd_kcontrol_info_t *info;
	snd_kcontrol_get_t *get;
	snd_kcontrol_put_t *put;
	union {
		const unsigned int *p;
	} tlv;
	unsigned long private_value;
};

struct snd_kcontrol {
	struct list_head list;	/* on card->controls */
	struct snd_ctl_elem_id id;
	unsigned int count;
	snd_kcontrol_info_t *info;
	snd_kcontrol_get_t *get;
	snd_kcontrol_put_t *put;
	unsigned long private_value;
	void *private_data;
	void (*private_free)(struct snd_kcontrol *kcontrol);
	unsigned int access;
};

#define snd_kcontrol_chip(kcontrol) ((kcontrol)->private_data)

struct snd_kcontrol *snd_ctl_new1(const struct snd_kcontrol_new *kcontrolnew, void *private_data);
void snd_ctl_free_one(struct snd_kcontrol *kcontrol);
int snd_ctl_add(struct snd_card *card, struct snd_kcontrol *kcontrol);
int snd_ctl_remove(struct snd_card *card, struct snd_kcontrol *kcontrol);
void snd_ctl_notify(struct snd_card *card, unsigned int mask, struct snd_ctl_elem_id *id);
int snd_ctl_boolean_mono_info(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_info *uinfo);
int snd_ctl_boolean_stereo_info(struct snd_kcontrol *kcontrol, struct snd_ctl_elem_info *uinfo);
int snd_ctl_enum_info(struct snd_ctl_elem_info *info, unsigned int channels, unsigned int items,
		      const char *const names[]);

#endif
