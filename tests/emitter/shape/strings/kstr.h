/*
 * kstr.h - the kernel API of the strings case (tests/emitter/shape/strings): an ALSA-like control
 * table whose names are string literals, an enum-info helper taking an array of strings, a card
 * object the kernel returns as void * and that holds a callback the driver installs.
 */
#ifndef KSTR_H
#define KSTR_H

#include <kdev.h>

struct drv_adapter {
	int unused;
};

struct ctl_info {
	unsigned int items;
	unsigned int item;
	char text[32];
};

struct ctl_new {
	char *name;				/* string literals only: inferred 'string' */
	int (*info)(struct ctl_info *info);
	unsigned long private_value;
};

struct card {
	int number;
	void (*private_free)(struct card *card); /* set by the (user-half) driver */
	char id[16];
};

int ctl_add(const struct ctl_new *c, void *private_data);
/* fills info->text with names[info->item]; names has `items` entries */
int ctl_enum_info(struct ctl_info *info, unsigned int items, const char *const names[]);
/* copies the n names into the card (annotated: ctl_names_set.names array n) */
int ctl_names_set(struct card *card, unsigned int n, const char *const names[]);
void *card_lookup(int number);		/* the card, as void * (like pci_get_drvdata) */
int card_register(struct card *card);

#endif
