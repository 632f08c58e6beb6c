/*
 * test_corpus.c - unit tests of corpus/corpus.h (`kcut stats`): rows and family totals, the four
 * output formats, and real module databases built from the partitioner's SQL fixtures (simnic,
 * simsnd) laid out as a corpus directory, checked against direct SQL counts of the same databases.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "corpus.h"
#include "kc_test.h"
#include "partitioner.h"

static char tmpdir[256];

static struct kc_corpus *three_rows(void)
{
	struct kc_corpus *c = NULL;
	struct kc_corpus_row a = { .family = "net", .module = "a", .tus = 2, .funcs = 10, .loc = 100,
				   .roots = 2, .crit_funcs = 3, .crit_loc = 30, .kern_funcs = 4,
				   .kern_loc = 25, .imports = 7, .cut_edges = 5, .pinned = 2,
				   .fwd_funcs = 3, .fwd_loc = 15 };
	struct kc_corpus_row b = { .family = "net", .module = "b,\"q\"", .tus = 1, .funcs = 30, .loc = 300,
				   .roots = 1, .crit_funcs = 3, .crit_loc = 20, .kern_funcs = 3,
				   .kern_loc = 20, .imports = 3, .cut_edges = 1, .pinned = 1,
				   .fwd_funcs = 2, .fwd_loc = 12 };
	struct kc_corpus_row e = { .family = "sound", .module = "broken", .error = "cannot open" };

	kc_corpus_new(&c);
	kc_corpus_add_row(c, &a);
	kc_corpus_add_row(c, &b);
	kc_corpus_add_row(c, &e);
	return c;
}

static void test_totals(void)
{
	struct kc_corpus *c = three_rows();
	struct kc_corpus_row t;

	KC_CHECK_EQ_INT(kc_corpus_nrows(c), 3);
	kc_corpus_total(&t, c, "net");
	KC_CHECK_EQ_INT(t.funcs, 40);
	KC_CHECK_EQ_INT(t.crit_funcs, 6);
	KC_CHECK_EQ_INT(t.loc, 400);
	KC_CHECK_EQ_INT(t.kern_loc, 45);
	KC_CHECK_EQ_INT(t.cut_edges, 6);
	KC_CHECK_EQ_INT(t.pinned, 3);
	KC_CHECK_EQ_INT(t.fwd_funcs, 5);
	KC_CHECK_EQ_INT(t.fwd_loc, 27);
	kc_corpus_total(&t, c, NULL); /* error rows count nowhere */
	KC_CHECK_EQ_INT(t.funcs, 40);
	kc_corpus_total(&t, c, "sound");
	KC_CHECK_EQ_INT(t.funcs, 0);
	KC_CHECK_EQ_STR(kc_corpus_row(c, 2)->error, "cannot open");
	KC_CHECK(kc_corpus_row(c, 3) == NULL);
	kc_corpus_free(c);
}

static void test_csv(void)
{
	struct kc_corpus *c = three_rows();
	struct kc_sb sb = { 0 };
	struct kc_err err = { 0 };

	KC_CHECK_EQ_INT(kc_corpus_format(&sb, c, KC_CORPUS_CSV, 1, NULL, &err), 0);
	/* header, 3 drivers, 2 families, all */
	KC_CHECK(strstr(sb.s, "family,driver,drivers,tus,") == sb.s);
	KC_CHECK(strstr(sb.s, "\nnet,a,1,2,0,10,100,2,3,30.0,30,30.0,4,25,25.0,7,5,2,3,15,15.0,\n") != NULL);
	KC_CHECK(strstr(sb.s, "\nnet,\"b,\"\"q\"\"\",1,1,0,30,300,1,3,10.0,20,6.7,3,20,6.7,3,1,1,2,12,4.0,\n") != NULL);
	KC_CHECK(strstr(sb.s, "\nsound,broken,1,0,0,0,0,0,0,0.0,0,0.0,0,0,0.0,0,0,0,0,0,0.0,cannot open\n") != NULL);
	/* pooled: 6 of 40 functions, 50 of 400 LOC */
	KC_CHECK(strstr(sb.s, "\nnet,,2,3,0,40,400,3,6,15.0,50,12.5,7,45,11.2,10,6,3,5,27,6.8,\n") != NULL ||
		 strstr(sb.s, "\nnet,,2,3,0,40,400,3,6,15.0,50,12.5,7,45,11.3,10,6,3,5,27,6.8,\n") != NULL ||
		 strstr(sb.s, "\nnet,,2,3,0,40,400,3,6,15.0,50,12.5,7,45,11.2,10,6,3,5,27,6.7,\n") != NULL ||
		 strstr(sb.s, "\nnet,,2,3,0,40,400,3,6,15.0,50,12.5,7,45,11.3,10,6,3,5,27,6.7,\n") != NULL);
	KC_CHECK(strstr(sb.s, "\nsound,,0,") != NULL);
	KC_CHECK(strstr(sb.s, "\nall,,2,") != NULL);
	kc_sb_reset(&sb);
	KC_CHECK_EQ_INT(kc_corpus_format(&sb, c, KC_CORPUS_CSV, 0, "net", &err), 0);
	KC_CHECK(strstr(sb.s, "\nnet,a,") == NULL);  /* no per-driver lines */
	KC_CHECK(strstr(sb.s, "\nall,") == NULL);    /* one family: no "all" line */
	KC_CHECK(strstr(sb.s, "\nsound") == NULL);
	kc_sb_reset(&sb);
	KC_CHECK_EQ_INT(kc_corpus_format(&sb, c, KC_CORPUS_CSV, 0, "usb", &err), KC_ENOTFOUND);
	KC_CHECK(strstr(err.msg, "usb") != NULL);
	KC_CHECK_EQ_INT(kc_corpus_format(&sb, c, 42, 0, NULL, &err), KC_EINVAL);
	kc_sb_free(&sb);
	kc_corpus_free(c);
}

static void test_json_markdown_text(void)
{
	struct kc_corpus *c = three_rows();
	struct kc_sb sb = { 0 };
	struct kc_err err = { 0 };
	json_error_t je;
	json_t *j, *d;

	KC_CHECK_EQ_INT(kc_corpus_format(&sb, c, KC_CORPUS_JSON, 1, NULL, &err), 0);
	j = json_loads(sb.s, 0, &je);
	KC_REQUIRE(j != NULL);
	KC_CHECK_EQ_INT(json_array_size(json_object_get(j, "drivers")), 3);
	KC_CHECK_EQ_INT(json_array_size(json_object_get(j, "families")), 3);
	KC_CHECK_EQ_INT(json_integer_value(json_object_get(j, "drivers_failed")), 1);
	d = json_array_get(json_object_get(j, "drivers"), 0);
	KC_CHECK_EQ_STR(json_string_value(json_object_get(d, "driver")), "a");
	KC_CHECK_EQ_INT(json_integer_value(json_object_get(d, "functions")), 10);
	KC_CHECK(json_real_value(json_object_get(d, "critical_functions_pct")) == 30.0);
	KC_CHECK(json_is_null(json_object_get(d, "error")));
	d = json_array_get(json_object_get(j, "drivers"), 2);
	KC_CHECK_EQ_STR(json_string_value(json_object_get(d, "error")), "cannot open");
	json_decref(j);

	kc_sb_reset(&sb);
	KC_CHECK_EQ_INT(kc_corpus_format(&sb, c, KC_CORPUS_MARKDOWN, 0, NULL, &err), 0);
	KC_CHECK(strncmp(sb.s, "| family | driver |", 19) == 0);
	KC_CHECK(strstr(sb.s, "\n|---|---|---:|") != NULL);
	KC_CHECK(strstr(sb.s, "\n| all |  | 2 |") != NULL);

	kc_sb_reset(&sb);
	KC_CHECK_EQ_INT(kc_corpus_format(&sb, c, KC_CORPUS_TEXT, 1, NULL, &err), 0);
	KC_CHECK(strstr(sb.s, "broken") && strstr(sb.s, "error: cannot open"));
	KC_CHECK(strstr(sb.s, "15.0%") != NULL);
	kc_sb_free(&sb);
	kc_corpus_free(c);
}

/* Build TMP/<family>/<module>.db from a partitioner fixture. */
static int make_db(const char *family, const char *module, const char *fixture)
{
	char path[512], *sql = NULL, *fp;
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	int rc;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, family);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s.db", tmpdir, family, module);
	rc = kc_db_open(&db, path, KC_DB_CREATE, &err);
	if (rc)
		goto out;
	fp = kc_path_join(KC_PART_FIXTURES, fixture);
	rc = kc_read_file(&sql, NULL, fp, &err);
	if (!rc)
		rc = kc_db_exec(db, sql, &err);
	free(fp);
	free(sql);
	kc_db_close(db);
out:
	if (rc)
		fprintf(stderr, "make_db %s: %s\n", fixture, err.msg);
	return rc;
}

/* One count from a database by SQL. */
static long long sql_count(const char *family, const char *module, const char *q)
{
	char path[512];
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	sqlite3_stmt *st = NULL;
	long long v = -1;

	snprintf(path, sizeof(path), "%s/%s/%s.db", tmpdir, family, module);
	if (kc_db_open(&db, path, KC_DB_READONLY, &err))
		return -1;
	if (sqlite3_prepare_v2(kc_db_sqlite(db), q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	kc_db_close(db);
	return v;
}

static void test_corpus_dir(void)
{
	struct kc_part_templates *t = NULL;
	struct kc_corpus *c = NULL;
	struct kc_err err = { 0 };
	const struct kc_corpus_row *r;
	size_t nfail = 9, i;
	char path[512];
	FILE *f;

	KC_REQUIRE(make_db("net", "simnic", "simnic.sql") == 0);
	KC_REQUIRE(make_db("sound", "simsnd", "simsnd.sql") == 0);
	snprintf(path, sizeof(path), "%s/sound/zz_garbage.db", tmpdir);
	f = fopen(path, "w");
	KC_REQUIRE(f != NULL);
	fputs("not a database\n", f);
	fclose(f);
	unsetenv("KCUT_TEMPLATES");
	KC_REQUIRE(kc_part_templates_load(&t, NULL, &err) == 0);
	kc_corpus_new(&c);
	KC_CHECK_EQ_INT(kc_corpus_add_dir(c, tmpdir, NULL, t, &nfail, &err), 0);
	KC_CHECK_EQ_INT(nfail, 1);
	KC_REQUIRE(kc_corpus_nrows(c) == 3);
	for (i = 0; i < 2; i++) {
		const char *fam = i ? "sound" : "net", *mod = i ? "simsnd" : "simnic";

		r = kc_corpus_row(c, i);
		KC_CHECK_EQ_STR(r->family, fam);
		KC_CHECK_EQ_STR(r->module, mod);
		KC_CHECK(r->error == NULL);
		KC_CHECK_EQ_INT(r->funcs, sql_count(fam, mod, "SELECT count(*) FROM func WHERE is_driver = 1 "
							       "AND is_defined = 1"));
		KC_CHECK_EQ_INT(r->loc, sql_count(fam, mod, "SELECT sum(loc) FROM func WHERE is_driver = 1 "
							     "AND is_defined = 1"));
		KC_CHECK_EQ_INT(r->tus, sql_count(fam, mod, "SELECT count(*) FROM tu"));
		KC_CHECK(r->funcs > 0);
		KC_CHECK(r->roots > 0);
		KC_CHECK(r->crit_funcs >= r->roots && r->crit_funcs <= r->funcs);
		KC_CHECK(r->crit_loc > 0 && r->crit_loc <= r->loc);
		KC_CHECK(r->kern_funcs >= r->roots && r->kern_loc <= r->loc);
		KC_CHECK(r->pinned <= r->kern_funcs); /* kernel rules are hard: in the min-cut's kernel half */
		/* the default (forward) split keeps the roots and fewer register-pinned functions */
		KC_CHECK(r->fwd_funcs >= r->roots && r->fwd_loc > 0 && r->fwd_loc <= r->loc);
		KC_CHECK(r->fwd_funcs <= r->kern_funcs);
		KC_CHECK_EQ_INT(r->imports, sql_count(fam, mod, "SELECT count(*) FROM func f WHERE f.is_driver = 0 "
								 "AND EXISTS (SELECT 1 FROM call c JOIN func r ON r.id = "
								 "c.caller_id WHERE c.callee_id = f.id AND r.is_driver = 1)"));
	}
	r = kc_corpus_row(c, 2);
	KC_CHECK_EQ_STR(r->module, "zz_garbage");
	KC_CHECK(r->error != NULL && strstr(r->error, "zz_garbage.db") != NULL);
	kc_corpus_free(c);

	/* one family only */
	kc_corpus_new(&c);
	KC_CHECK_EQ_INT(kc_corpus_add_dir(c, tmpdir, "net", t, &nfail, &err), 0);
	KC_CHECK_EQ_INT(nfail, 0);
	KC_CHECK_EQ_INT(kc_corpus_nrows(c), 1);
	KC_CHECK_EQ_INT(kc_corpus_add_dir(c, tmpdir, "usb", t, &nfail, &err), KC_ENOTFOUND);
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	KC_CHECK_EQ_INT(kc_corpus_add_dir(c, path, NULL, t, &nfail, &err), KC_EIO);
	kc_corpus_free(c);
	kc_part_templates_free(t);
}

int main(void)
{
	char cmd[300];

	snprintf(tmpdir, sizeof(tmpdir), "%s/kcut-corpus-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	KC_RUN(test_totals);
	KC_RUN(test_csv);
	KC_RUN(test_json_markdown_text);
	KC_RUN(test_corpus_dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return kc_test_done();
}
