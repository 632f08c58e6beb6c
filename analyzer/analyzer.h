/*
 * analyzer.h - public API of kcut's analyzer: the program database (kc_db_*) and the libclang pass
 * that fills it from a compile_commands.json (kc_analyze_*).
 *
 * The database is SQLite; its schema is analyzer/schema.sql (documented in docs/schema.md). Other
 * modules read it through kc_db_sqlite() with their own prepared statements: the schema *is* the
 * interface between the stages.
 */
#ifndef KC_ANALYZER_H
#define KC_ANALYZER_H

#include <sqlite3.h>

#include "kc_common.h"

struct kc_db;

enum {
	KC_DB_CREATE = 1 << 0,   /* create the file and the schema if missing */
	KC_DB_READONLY = 1 << 1, /* open read-only (dump tools) */
};

#define KC_DB_SCHEMA_VERSION 1

/* Open (and with KC_DB_CREATE, create) a kcut database. Refuses a file that is not SQLite, a corrupt
 * one, or one whose PRAGMA user_version is not KC_DB_SCHEMA_VERSION, with a message in err. */
int kc_db_open(struct kc_db **out, const char *path, int flags, struct kc_err *err);
void kc_db_close(struct kc_db *db);
sqlite3 *kc_db_sqlite(struct kc_db *db);
const char *kc_db_path(const struct kc_db *db);

/* Run one SQL statement (no result rows) / a transaction bracket, with errors into err. */
int kc_db_exec(struct kc_db *db, const char *sql, struct kc_err *err);

/* The schema text compiled into the binary (analyzer/schema.sql). */
extern const char kc_db_schema_sql[];

#endif /* KC_ANALYZER_H */
