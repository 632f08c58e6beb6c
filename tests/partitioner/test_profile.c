/*
 * test_profile.c - profile import: the instrument format and ftrace function_graph text, unknown
 * names reported but not fatal, malformed input rejected with a position and nothing stored.
 */
#include <sqlite3.h>
#include <string.h>

#include "kc_test.h"
#include "part_fixture.h"

static long long q(struct kc_db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(kc_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_ftrace(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("simnic.sql", dbp, sizeof(dbp));
	struct kc_err err = { 0 };
	struct kc_sb unk = { 0 };
	size_t n = 0;
	char *fp = kc_path_join(KC_PART_FIXTURES, "simnic.ftrace");

	KC_REQUIRE(db != NULL);
	KC_CHECK_EQ_INT(kc_part_profile_import(db, fp, KC_PART_PROF_FTRACE, NULL, &n, &unk, &err), 0);
	KC_CHECK_EQ_INT(n, 3);
	KC_CHECK_EQ_STR(unk.s, "mystery_helper\n");
	/* default name: the file's base name */
	KC_CHECK_EQ_INT(q(db, "SELECT count(*) FROM profile WHERE name = 'simnic' AND format = 'ftrace'"), 1);
	KC_CHECK_EQ_INT(q(db, "SELECT count FROM profile_edge WHERE caller_id = 5 AND callee_id = 6"), 2);
	KC_CHECK_EQ_INT(q(db, "SELECT count FROM profile_edge WHERE caller_id = 6 AND callee_id = 7"), 2);
	KC_CHECK_EQ_INT(q(db, "SELECT count FROM profile_edge WHERE caller_id = 9 AND callee_id = 10"), 1);
	kc_sb_free(&unk);
	free(fp);
	kc_db_close(db);
	unlink(dbp);
}

/* Absolute timestamps and two CPUs interleaved: one call stack per CPU, duration from the span. */
static void test_ftrace_abstime(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("simnic.sql", dbp, sizeof(dbp));
	struct kc_err err = { 0 };
	size_t n = 0;
	char *fp = kc_path_join(KC_PART_FIXTURES, "simnic-abstime.ftrace");
	sqlite3_stmt *st;
	double d = 0;

	KC_REQUIRE(db != NULL);
	KC_CHECK_EQ_INT(kc_part_profile_import(db, fp, KC_PART_PROF_FTRACE, "abs", &n, NULL, &err), 0);
	KC_CHECK_EQ_INT(n, 3);
	KC_CHECK_EQ_INT(q(db, "SELECT count FROM profile_edge WHERE caller_id = 5 AND callee_id = 6"), 1);
	KC_CHECK_EQ_INT(q(db, "SELECT count FROM profile_edge WHERE caller_id = 6 AND callee_id = 7"), 1);
	KC_CHECK_EQ_INT(q(db, "SELECT count FROM profile_edge WHERE caller_id = 9 AND callee_id = 10"), 1);
	/* no edge across CPUs (sn_watchdog on CPU 1 never calls sn_clean_rx) */
	KC_CHECK_EQ_INT(q(db, "SELECT count(*) FROM profile_edge WHERE caller_id = 9 AND callee_id = 6"), 0);
	if (sqlite3_prepare_v2(kc_db_sqlite(db), "SELECT duration_s FROM profile WHERE name = 'abs'", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		d = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	KC_CHECK(d > 2.49 && d < 2.51);
	free(fp);
	kc_db_close(db);
	unlink(dbp);
}

static void test_bad_inputs(void)
{
	char dbp[512], fp[600];
	struct kc_db *db = fixture_db("simnic.sql", dbp, sizeof(dbp));
	struct kc_err err = { 0 };
	size_t n = 0;
	FILE *f;

	KC_REQUIRE(db != NULL);
	snprintf(fp, sizeof(fp), "%s.bad", dbp);
	f = fopen(fp, "w");
	fputs("# kcut-profile v1 duration_s=1\nsn_poll sn_clean_rx 3\nsn_poll sn_clean_rx lots\n", f);
	fclose(f);
	KC_CHECK_EQ_INT(kc_part_profile_import(db, fp, KC_PART_PROF_INSTRUMENT, "bad", &n, NULL, &err), KC_EPARSE);
	KC_CHECK(strstr(err.msg, ".bad:3:1: expected '<caller> <callee> <count>'") != NULL);
	KC_CHECK_EQ_INT(q(db, "SELECT count(*) FROM profile"), 0); /* nothing half-stored */
	f = fopen(fp, "w");
	fputs("sn_poll sn_clean_rx 3\n", f);
	fclose(f);
	KC_CHECK_EQ_INT(kc_part_profile_import(db, fp, KC_PART_PROF_INSTRUMENT, "bad", &n, NULL, &err), KC_EPARSE);
	KC_CHECK(strstr(err.msg, "kcut-profile v1") != NULL);
	KC_CHECK_EQ_INT(kc_part_profile_import(db, fp, KC_PART_PROF_FTRACE, "bad", &n, NULL, &err), KC_EPARSE);
	KC_CHECK_EQ_INT(kc_part_profile_import(db, "/nonexistent.trace", KC_PART_PROF_FTRACE, "x", &n, NULL, &err), KC_EIO);
	unlink(fp);
	kc_db_close(db);
	unlink(dbp);
}

int main(void)
{
	KC_RUN(test_ftrace);
	KC_RUN(test_ftrace_abstime);
	KC_RUN(test_bad_inputs);
	return kc_test_done();
}
