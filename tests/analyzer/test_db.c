/*
 * test_db.c - the database refuses what it cannot trust: a file that is not SQLite, a SQLite
 * database that is not kcut's, an unwritable path; and a created database reopens read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analyzer.h"
#include "kc_test.h"

static const char *work;

static char *path_of(const char *name)
{
	char *p = kc_path_join(work, name);

	unlink(p);
	return p;
}

static void test_create_reopen(void)
{
	char *p = path_of("ok.db");
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };

	KC_REQUIRE(kc_db_open(&db, p, KC_DB_CREATE, &err) == 0);
	kc_db_close(db);
	db = NULL;
	KC_CHECK(kc_db_open(&db, p, KC_DB_READONLY, &err) == 0);
	kc_db_close(db);
	free(p);
}

/* A version-2 database made before the ptr_flow, loop and field_const tables: a read-only open works
 * as it is, a writable open adds the tables (the schema's compatible additions) and keeps the rows. */
static void test_add_table(void)
{
	char *p = path_of("old.db");
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	sqlite3_stmt *st = NULL;
	int n = -1;

	KC_REQUIRE(kc_db_open(&db, p, KC_DB_CREATE, &err) == 0);
	KC_CHECK(kc_db_exec(db, "DROP TABLE ptr_flow; DROP TABLE loop; DROP TABLE field_const; "
				     "INSERT INTO meta(key, value) VALUES('k', 'v')", &err) == 0);
	kc_db_close(db);
	db = NULL;
	KC_REQUIRE(kc_db_open(&db, p, KC_DB_READONLY, &err) == 0);
	kc_db_close(db);
	db = NULL;
	KC_REQUIRE(kc_db_open(&db, p, 0, &err) == 0);
	KC_CHECK(sqlite3_prepare_v2(kc_db_sqlite(db), "SELECT (SELECT count(*) FROM ptr_flow) + "
				    "(SELECT count(*) FROM loop) + (SELECT count(*) FROM field_const) + "
				    "(SELECT count(*) FROM meta WHERE key = 'k')", -1, &st, NULL) == SQLITE_OK);
	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	KC_CHECK_EQ_INT(n, 1);
	kc_db_close(db);
	free(p);
}

static void test_not_sqlite(void)
{
	char *p = path_of("garbage.db");
	FILE *f = fopen(p, "w");
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	int i;

	KC_REQUIRE(f != NULL);
	for (i = 0; i < 4096; i++)
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	KC_CHECK_EQ_INT(kc_db_open(&db, p, KC_DB_CREATE, &err), KC_EDB);
	KC_CHECK(db == NULL);
	KC_CHECK(strstr(err.msg, "garbage.db") != NULL);
	free(p);
}

static void test_foreign_sqlite(void)
{
	char *p = path_of("foreign.db");
	sqlite3 *s = NULL;
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };

	KC_REQUIRE(sqlite3_open(p, &s) == SQLITE_OK);
	sqlite3_exec(s, "CREATE TABLE t(x); PRAGMA user_version = 42;", NULL, NULL, NULL);
	sqlite3_close(s);
	KC_CHECK_EQ_INT(kc_db_open(&db, p, KC_DB_CREATE, &err), KC_EDB);
	KC_CHECK(strstr(err.msg, "schema version 42") != NULL);
	free(p);
}

static void test_unwritable(void)
{
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };

	KC_CHECK_EQ_INT(kc_db_open(&db, "/nonexistent/dir/k.db", KC_DB_CREATE, &err), KC_EDB);
	KC_CHECK(strstr(err.msg, "cannot open") != NULL);
	KC_CHECK_EQ_INT(kc_db_open(&db, "/nonexistent/dir/k.db", KC_DB_READONLY, &err), KC_ENOTFOUND);
}

int main(int argc, char **argv)
{
	work = argc > 1 ? argv[1] : "/tmp/kc_test_db";
	mkdir(work, 0777);
	KC_RUN(test_create_reopen);
	KC_RUN(test_add_table);
	KC_RUN(test_not_sqlite);
	KC_RUN(test_foreign_sqlite);
	KC_RUN(test_unwritable);
	return kc_test_done();
}
