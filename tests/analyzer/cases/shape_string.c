/* Shape evidence: pointer / array fields passed to string functions. */
#include <linux/string.h>

struct dev_info {
	char *name;
	char label[32];
	void *buf;
};

size_t info(struct dev_info *d, const char *src)
{
	strscpy(d->label, src, sizeof(d->label));
	memcpy(d->buf, src, 4);
	return strlen(d->name);
}

/*
 * check-name: string function evidence
 * check-query: SELECT DISTINCT field, evidence, detail FROM shape_evidence WHERE evidence = 'string_fn'
 *   ORDER BY field
 * check-expect
 * label|string_fn|strscpy
 * name|string_fn|strlen
 * check-expect-end
 */
