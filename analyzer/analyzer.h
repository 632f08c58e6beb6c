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
	KC_DB_CHECK = 1 << 2,    /* refuse a database whose pages are corrupt (PRAGMA quick_check), before
				  * anything is written to it (importers into an existing database) */
};

#define KC_DB_SCHEMA_VERSION 2

/* Open (and with KC_DB_CREATE, create) a kcut database. Refuses a file that is not SQLite, a corrupt
 * one, or one whose PRAGMA user_version is not KC_DB_SCHEMA_VERSION, with a message in err. Only
 * KC_DB_CREATE writes the schema into a missing or empty file; without it an empty file is an error
 * ("empty database") and is left as it was. */
int kc_db_open(struct kc_db **out, const char *path, int flags, struct kc_err *err);
void kc_db_close(struct kc_db *db);
sqlite3 *kc_db_sqlite(struct kc_db *db);
const char *kc_db_path(const struct kc_db *db);

/* Run one SQL statement (no result rows) / a transaction bracket, with errors into err. */
int kc_db_exec(struct kc_db *db, const char *sql, struct kc_err *err);

/* The key (func.usr, global.usr) of a declaration with internal linkage (static): clang's USR names
 * only the file's base name (c:main.c@F@helper), so two static functions of one name in
 * drivers/a/main.c and drivers/b/main.c would share one row. The key is the USR, '|', and the
 * canonical path of the file (expansion location) of its definition (of its first declaration when
 * the TU has no definition):
 * "c:main.c@F@helper|/src/drivers/a/main.c". Other declarations are keyed by their USR alone.
 * Consumers that match clang cursors against stored rows (the emitter) build the same key.
 * Returns a new string (caller frees). */
char *kc_db_internal_key(const char *usr, const char *path);

/* ---- kc_analyze: compile_commands.json -> database ---------------------------------------- */

/* Options of one analysis run. Initialise with KC_ANALYZE_OPTS_INIT, then set what you need. */
struct kc_analyze_opts {
	unsigned version;           /* KC_ANALYZE_OPTS_VERSION */
	const char *ccdb;           /* build dir holding compile_commands.json, or the JSON file */
	const char *const *drivers; /* driver directories (NULL/0: the dirs of all TUs' main files) */
	size_t ndrivers;
	int jobs;                   /* parallel parses; 0 = number of online CPUs */
	int keep_going;             /* TUs with compile errors do not make the run partial */
	int progress;               /* 1 progress bar on stderr, 0 none, -1 when stderr is a TTY */
	int handle_sigint;          /* install a SIGINT handler for the run (the CLI does) */
	int force;                  /* re-analyze unchanged TUs too */
	int verbose;                /* print one line per TU on stderr */
	const char *module_map;     /* NULL, or a file of "SOURCE<TAB>MODULE" lines: tu.module of each TU */
	int prune;                  /* first delete stored TUs no longer in compile_commands.json */
};
#define KC_ANALYZE_OPTS_VERSION 1
#define KC_ANALYZE_OPTS_INIT { KC_ANALYZE_OPTS_VERSION, NULL, NULL, 0, 0, 0, -1, 0, 0, 0, NULL, 0 }

/* What a run did. */
struct kc_analyze_result {
	size_t n_entries;  /* entries in compile_commands.json */
	size_t n_selected; /* TUs under the driver dirs */
	size_t n_analyzed; /* parsed and stored in this run */
	size_t n_skipped;  /* unchanged since the last run */
	size_t n_errors;   /* stored, but clang reported errors (status 'errors') */
	size_t n_failed;   /* libclang could not parse at all (status 'failed') */
	size_t n_missing;  /* main file missing (status 'missing') */
	size_t n_not_run;  /* not started because of SIGINT */
	size_t n_pruned;   /* TUs deleted by opts.prune */
	int interrupted;
	double wall_ms;
};

/* Analyze the selected TUs of a compilation database into db: parse in parallel, store each TU in
 * one transaction (replacing what it stored before), skip unchanged TUs, then resolve indirect
 * calls over the whole database. Returns 0; KC_EPARTIAL when some TUs are missing, failed, had
 * errors (unless keep_going) or were not run because of SIGINT (the rest is stored); another
 * negative code when nothing could be done (bad JSON, no TU selected, database error). */
int kc_analyze(struct kc_analyze_result *out, struct kc_db *db, const struct kc_analyze_opts *opts,
	       struct kc_err *err);

/* The schema text compiled into the binary (analyzer/schema.sql). */
extern const char kc_db_schema_sql[];

#endif /* KC_ANALYZER_H */
