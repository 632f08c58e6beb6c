/*
 * gen_write.c - writes the files the printers produced, under the output directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen_int.h"

/* mkdir -p. 0 or KC_EIO. */
static int mkdirs(const char *path, struct kc_err *err)
{
	char *p = kc_xstrdup(path), *q;
	int rc = 0;

	for (q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0777) && errno != EEXIST)
			rc = kc_err_set(err, KC_EIO, "%s: %s", p, strerror(errno));
		*q = '/';
		if (rc)
			break;
	}
	if (!rc && mkdir(p, 0777) && errno != EEXIST)
		rc = kc_err_set(err, KC_EIO, "%s: %s", p, strerror(errno));
	free(p);
	return rc;
}

/* Write the collected files under dir, creating directories. 0 or KC_EIO. */
int gen_write_all(const char *dir, const struct gen_out *v, int n, struct kc_err *err)
{
	int i, rc = 0;

	for (i = 0; i < n && !rc; i++) {
		char *path = kc_path_join(dir, v[i].rel);
		char *slash = strrchr(path, '/');
		FILE *f;

		*slash = 0;
		rc = mkdirs(path, err);
		*slash = '/';
		if (!rc) {
			f = fopen(path, "w");
			if (!f) {
				rc = kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
			} else {
				fputs(v[i].text, f);
				if (fclose(f))
					rc = kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
			}
		}
		free(path);
	}
	return rc;
}
