/*
 * db.c - opening, creating and checking the kcut program database.
 *
 * The schema lives in schema.sql, compiled in as kc_db_schema_sql. A new file gets the schema; an
 * existing one must carry our PRAGMA user_version, otherwise we refuse it rather than guess.
 */
#include "analyzer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kc_db {
	sqlite3 *db;
	char *path;
};

int kc_db_exec(struct kc_db *db, const char *sql, struct kc_err *err)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(db->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		kc_err_set(err, KC_EDB, "%s: %s", db->path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return KC_EDB;
	}
	return 0;
}

/* Run a query returning one integer (a PRAGMA or a count); a failure means the file is no usable
 * SQLite database (not SQLite at all, corrupt, or locked by a foreign writer). */
static int query_int(struct kc_db *db, const char *sql, int *out, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		const char *m = sqlite3_errmsg(db->db);

		kc_err_set(err, KC_EDB, "%s: not a usable kcut database (%s)", db->path, m);
		sqlite3_finalize(st);
		return KC_EDB;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* PRAGMA quick_check: every page and index well-formed; the first problem goes into err. */
static int quick_check(struct kc_db *db, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	const char *msg = NULL;

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		msg = (const char *)sqlite3_column_text(st, 0);
	if (rc == SQLITE_ROW && msg && !strcmp(msg, "ok")) {
		sqlite3_finalize(st);
		return 0;
	}
	kc_err_set(err, KC_EDB, "%s: the database is corrupt (PRAGMA quick_check: %s); nothing was changed", db->path,
		   msg ? msg : sqlite3_errmsg(db->db));
	sqlite3_finalize(st);
	return KC_EDB;
}

int kc_db_open(struct kc_db **out, const char *path, int flags, struct kc_err *err)
{
	struct kc_db *db = NULL;
	int oflags, rc = 0, ver = 0, ntables = 0;

	*out = NULL;
	if ((flags & KC_DB_READONLY) && access(path, F_OK) != 0)
		return kc_err_set(err, KC_ENOTFOUND, "%s: no such database (run `kcut analyze` first)", path);
	db = kc_xcalloc(1, sizeof(*db));
	db->path = kc_xstrdup(path);
	if (flags & KC_DB_READONLY)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE | ((flags & KC_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db->db, oflags, NULL) != SQLITE_OK) {
		rc = kc_err_set(err, KC_EDB, "%s: cannot open database: %s", path,
				db->db ? sqlite3_errmsg(db->db) : "out of memory");
		goto cleanup;
	}
	sqlite3_busy_timeout(db->db, 10000);
	sqlite3_extended_result_codes(db->db, 1);
	rc = query_int(db, "SELECT count(*) FROM sqlite_master", &ntables, err);
	if (rc)
		goto cleanup;
	rc = query_int(db, "PRAGMA user_version", &ver, err);
	if (rc)
		goto cleanup;
	if ((flags & KC_DB_CHECK) && (ntables || ver)) {
		rc = quick_check(db, err);
		if (rc)
			goto cleanup;
	}
	if (ntables == 0 && ver == 0) {
		/* only a command that creates a database (kcut analyze) writes a schema: an empty file
		 * given to any other command is an error and stays empty */
		if ((flags & KC_DB_READONLY) || !(flags & KC_DB_CREATE)) {
			rc = kc_err_set(err, KC_EDB, "%s: empty database (run `kcut analyze` first)", path);
			goto cleanup;
		}
		rc = kc_db_exec(db, "BEGIN", err);
		if (!rc)
			rc = kc_db_exec(db, kc_db_schema_sql, err);
		if (!rc)
			rc = kc_db_exec(db, "COMMIT", err);
		if (rc) {
			kc_err_prefix(err, "creating schema");
			goto cleanup;
		}
	} else if (ver != KC_DB_SCHEMA_VERSION) {
		rc = kc_err_set(err, KC_EDB,
				"%s: database schema version %d, this kcut uses %d (not a kcut database, or made by "
				"another version: remove it and re-run `kcut analyze`)",
				path, ver, KC_DB_SCHEMA_VERSION);
		goto cleanup;
	}
	if (!(flags & KC_DB_READONLY) && ver == KC_DB_SCHEMA_VERSION) {
		/* a table added since the database was made (compatible additions only: CREATE ... IF NOT
		 * EXISTS; the facts version in every TU's hash makes `kcut analyze` fill it) */
		int have = 0;

		rc = query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
				"('ptr_flow', 'loop', 'field_const', 'partition_replica', 'loop_exit')", &have, err);
		if (!rc && have < 5)
			rc = kc_db_exec(db, kc_db_schema_sql, err);
		if (rc) {
			kc_err_prefix(err, "adding tables to the schema");
			goto cleanup;
		}
	}
	if (!(flags & KC_DB_READONLY)) {
		rc = kc_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err);
		if (rc)
			goto cleanup;
	}
	rc = kc_db_exec(db, "PRAGMA foreign_keys=ON", err);
	if (rc)
		goto cleanup;
	*out = db;
	db = NULL;
cleanup:
	kc_db_close(db);
	return rc;
}

void kc_db_close(struct kc_db *db)
{
	if (!db)
		return;
	sqlite3_close_v2(db->db);
	free(db->path);
	free(db);
}

sqlite3 *kc_db_sqlite(struct kc_db *db)
{
	return db->db;
}

const char *kc_db_path(const struct kc_db *db)
{
	return db->path;
}

char *kc_db_internal_key(const char *usr, const char *path)
{
	struct kc_sb sb = { 0 };

	kc_sb_addf(&sb, "%s|%s", usr, path ? path : "");
	return kc_sb_steal(&sb);
}

int kc_db_incomplete(struct kc_db *db)
{
	sqlite3_stmt *s = NULL;
	int pending = 0;

	if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM meta WHERE key = 'resolve_pending' AND value = '1'", -1, &s,
			       NULL) == SQLITE_OK)
		pending = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return pending;
}
