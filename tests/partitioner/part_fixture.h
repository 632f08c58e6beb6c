/*
 * part_fixture.h - shared helpers of the partitioner tests: a fresh database per test filled
 * from an SQL fixture (tests/partitioner/fixtures, *.sql files), and the built-in templates.
 */
#ifndef KC_PART_FIXTURE_H
#define KC_PART_FIXTURE_H

#include <stdlib.h>
#include <unistd.h>

#include "analyzer.h"
#include "partitioner.h"

/* Create an empty database at a fresh temporary path and run fixture (a file name under
 * KC_PART_FIXTURES, or NULL). Returns NULL (after printing why) on failure. */
static inline struct kc_db *fixture_db(const char *fixture, char *path_out, size_t n)
{
	static int seq;
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	char *sql = NULL, *fp;

	snprintf(path_out, n, "%s/kcut-part-%d-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
		 seq++);
	unlink(path_out);
	if (kc_db_open(&db, path_out, KC_DB_CREATE, &err) < 0) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		return NULL;
	}
	if (fixture) {
		fp = kc_path_join(KC_PART_FIXTURES, fixture);
		if (kc_read_file(&sql, NULL, fp, &err) < 0 || kc_db_exec(db, sql, &err) < 0) {
			fprintf(stderr, "fixture %s: %s\n", fp, err.msg);
			kc_db_close(db);
			db = NULL;
		}
		free(fp);
		free(sql);
	}
	return db;
}

static inline struct kc_part_templates *builtin_templates(void)
{
	struct kc_part_templates *t = NULL;
	struct kc_err err = { 0 };

	unsetenv("KCUT_TEMPLATES");
	if (kc_part_templates_load(&t, NULL, &err) < 0)
		fprintf(stderr, "templates: %s\n", err.msg);
	return t;
}

#endif
