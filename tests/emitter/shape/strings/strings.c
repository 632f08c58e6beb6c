/*
 * strings.c - the shapes kcut infers for strings and string tables (docs/emitter.md, "Shapes"):
 *   ctl_new.name      char *, every store a string literal        -> string
 *   opt.label         const char *, only ever printed with %s     -> string
 *   ctl_enum_info()   const char *const names[]: an array of strings, its length from the
 *                     object it points into (a driver global of 3 entries)
 *   ctl_names_set()   the same with the length from an annotation (annotations.txt): the
 *                     kernel's handler checks that as many strings came as `n` says
 *   card.private_free a callback the user half installs: crosses as a function-pointer id
 *   card_lookup()     returns void *: the object comes back with the fields the user half reads
 *   tag.text          char *, stored only by positional initializers of a table of structs
 *                     (`{ 1, "low" }`, and `{ .id = 3, "mid" }` where a designator moves the
 *                     position)                                         -> string
 */
#include <stdio.h>

#include "kstr.h"

struct opt {
	const char *label;
	int value;
};

static const char *const mode_names[3] = { "Off", "On", "Auto" };

static int str_mode_info(struct ctl_info *info)
{
	return ctl_enum_info(info, 3, mode_names);
}

static const struct ctl_new str_ctls[] = {
	{ .name = "Mode", .info = str_mode_info, .private_value = 1 },
	{ .name = "Level", .info = str_mode_info, .private_value = 2 },
};

/* user half: prints the label the kernel half's object points to */
static int str_show(struct opt *o, char *buf, int len)
{
	return snprintf(buf, (size_t)len, "%s=%d", o->label, o->value);
}

/* kernel half: calls the user half with its own object */
int str_kick(struct opt *o, char *buf)
{
	return str_show(o, buf, 32);
}

struct tag {
	int id;
	char *text;
};

static struct tag str_tags[] = { { 1, "low" }, { 2, "high" }, { .id = 3, "mid" } };

/* user half: reads the text of a tag the kernel half owns */
static int str_tag_show(struct tag *t)
{
	return t->text[0] + t->id;
}

/* kernel half */
int str_tag_kick(int i)
{
	return str_tag_show(&str_tags[i % 3]);
}

static void str_free(struct card *c)
{
	c->number = -1;
}

static int str_probe(struct net_device *dev, struct drv_adapter *ad)
{
	struct card *c = card_lookup(dev->mtu);
	int err;

	(void)ad;
	if (!c || c->number < 0 || str_ctls[0].name[0] != 'M')
		return -19;
	c->private_free = str_free;
	err = card_register(c);
	if (!err)
		err = ctl_add(&str_ctls[0], c);
	if (!err)
		err = ctl_add(&str_ctls[1], c);
	if (!err)
		err = ctl_names_set(c, 3, mode_names);
	return err;
}

static struct drv_driver str_driver = {
	.name = "strings",
	.probe = str_probe,
};

int str_init(void)
{
	return register_driver(&str_driver);
}
