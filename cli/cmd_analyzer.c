/*
 * cmd_analyzer.c - the analyzer's commands: `kcut analyze` (fill the database) and the dump tools
 * `functions`, `calls`, `fields`, `db info` that print what it stored, as aligned text tables or,
 * with --json, as a JSON array of objects (one per row, keys = column names).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcut.h"
#include "analyzer.h"

/* ---- output: a query as a table or JSON ------------------------------------------------- */

struct table {
	char ***rows; /* rows[0] = header */
	size_t n, cap;
	int ncol;
};

static void table_free(struct table *t)
{
	size_t i;
	int c;

	for (i = 0; i < t->n; i++) {
		for (c = 0; c < t->ncol; c++)
			free(t->rows[i][c]);
		free(t->rows[i]);
	}
	free(t->rows);
}

static void table_print(const struct table *t, FILE *f)
{
	size_t *w = kc_xcalloc((size_t)t->ncol, sizeof(size_t));
	size_t i;
	int c;

	for (i = 0; i < t->n; i++)
		for (c = 0; c < t->ncol; c++)
			if (strlen(t->rows[i][c]) > w[c])
				w[c] = strlen(t->rows[i][c]);
	for (i = 0; i < t->n; i++) {
		for (c = 0; c < t->ncol; c++) {
			if (c == t->ncol - 1)
				fprintf(f, "%s", t->rows[i][c]);
			else
				fprintf(f, "%-*s  ", (int)w[c], t->rows[i][c]);
		}
		fprintf(f, "\n");
	}
	free(w);
}

/* Run sql (with up to two text parameters) and print its rows. Returns the number of rows, or a
 * negative KC_E* code. */
static int print_query(sqlite3 *db, const char *sql, const char *p1, const char *p2, int json,
		       struct kc_err *err)
{
	sqlite3_stmt *s = NULL;
	struct table t = { 0 };
	json_t *arr = NULL;
	int rc, c, nrows = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "kcut: internal error: %s", sqlite3_errmsg(db));
	if (p1)
		sqlite3_bind_text(s, 1, p1, -1, SQLITE_STATIC);
	if (p2)
		sqlite3_bind_text(s, 2, p2, -1, SQLITE_STATIC);
	t.ncol = sqlite3_column_count(s);
	if (json) {
		arr = json_array();
	} else {
		t.cap = 64;
		t.rows = kc_xcalloc(t.cap, sizeof(char **));
		t.rows[0] = kc_xcalloc((size_t)t.ncol, sizeof(char *));
		for (c = 0; c < t.ncol; c++) {
			char *h = kc_xstrdup(sqlite3_column_name(s, c));
			char *q;

			for (q = h; *q; q++)
				if (*q >= 'a' && *q <= 'z')
					*q = (char)(*q - 'a' + 'A');
			t.rows[0][c] = h;
		}
		t.n = 1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		nrows++;
		if (json) {
			json_t *o = json_object();

			for (c = 0; c < t.ncol; c++) {
				json_t *val;

				switch (sqlite3_column_type(s, c)) {
				case SQLITE_INTEGER:
					val = json_integer(sqlite3_column_int64(s, c));
					break;
				case SQLITE_FLOAT:
					val = json_real(sqlite3_column_double(s, c));
					break;
				case SQLITE_NULL:
					val = json_null();
					break;
				default:
					val = json_string((const char *)sqlite3_column_text(s, c));
					break;
				}
				json_object_set_new(o, sqlite3_column_name(s, c), val);
			}
			json_array_append_new(arr, o);
		} else {
			if (t.n == t.cap) {
				t.cap *= 2;
				t.rows = kc_xrealloc(t.rows, t.cap * sizeof(char **));
			}
			t.rows[t.n] = kc_xcalloc((size_t)t.ncol, sizeof(char *));
			for (c = 0; c < t.ncol; c++) {
				const char *v = (const char *)sqlite3_column_text(s, c);

				t.rows[t.n][c] = kc_xstrdup(v ? v : "-");
			}
			t.n++;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = kc_err_set(err, KC_EDB, "query failed: %s", sqlite3_errmsg(db));
		goto cleanup;
	}
	if (json) {
		char *txt = json_dumps(arr, JSON_INDENT(2));

		printf("%s\n", txt);
		free(txt);
	} else if (nrows) {
		table_print(&t, stdout);
	}
	rc = nrows;
cleanup:
	sqlite3_finalize(s);
	json_decref(arr);
	table_free(&t);
	return rc;
}

static int open_ro(struct kc_db **db, const char *cmd, const char *path)
{
	struct kc_err err = { 0 };
	int rc = kc_db_open(db, kc_cli_db_path(path), KC_DB_READONLY, &err);

	if (rc)
		return kc_cli_fail(cmd, &err, rc);
	return 0;
}

/* ---- kcut analyze ------------------------------------------------------------------------- */

static const char analyze_usage[] =
	"analyze [-p BUILD_DIR_OR_JSON] [--db FILE] [-j N] [--driver DIR]... [--keep-going] [--force]\n"
	"                    [--module-map FILE] [--prune] [--progress | --no-progress] [-v]\n\n"
	"Parse the translation units of a compile_commands.json with libclang and store their facts in the\n"
	"program database (default kcut.db, or $KCUT_DB).\n\n"
	"  -p PATH        build directory holding compile_commands.json, or the JSON file (default: .)\n"
	"  --db FILE      database to create or update\n"
	"  -j N           parse N translation units in parallel (default: number of CPUs)\n"
	"  --driver DIR   analyze only TUs under DIR; functions defined under DIR are driver functions\n"
	"                 (repeatable; default: every TU, driver dirs = the dirs of their main files)\n"
	"  --keep-going   a TU with compile errors still counts as analyzed (its facts are stored either\n"
	"                 way); without it such a TU makes the run partial (exit 3)\n"
	"  --force        re-analyze TUs even when unchanged\n"
	"  --module-map FILE  lines \"SOURCE<TAB>MODULE\": store the kernel module linking each TU in\n"
	"                 tu.module (scripts/linux-corpus.sh writes one; an unchanged, skipped TU keeps\n"
	"                 its old value: use --force after changing the map)\n"
	"  --prune        first delete the stored TUs whose entry (file, directory) is no longer in the\n"
	"                 compilation database, with the facts they stored (TUs sharing a driver header\n"
	"                 with one of them are re-analyzed)\n"
	"  -v             one line per TU\n\n"
	"Exit: 0 all stored; 2 usage, bad JSON or database error; 3 partial (missing file, TU that failed\n"
	"to parse or had errors, or Ctrl-C: the other TUs are stored, each one completely or not at all).\n";

int kc_cmd_analyze(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' }, { "driver", required_argument, NULL, 'D' },
		{ "keep-going", no_argument, NULL, 'k' }, { "force", no_argument, NULL, 'f' },
		{ "progress", no_argument, NULL, 'P' }, { "no-progress", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' }, { "verbose", no_argument, NULL, 'v' },
		{ "module-map", required_argument, NULL, 'M' }, { "prune", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct kc_analyze_opts o = KC_ANALYZE_OPTS_INIT;
	struct kc_analyze_result r;
	struct kc_err err = { 0 };
	struct kc_db *db = NULL;
	const char *dbpath = NULL;
	const char **drivers = kc_xcalloc((size_t)argc + 1, sizeof(char *));
	size_t nd = 0;
	int c, rc, ret;
	long jobs;

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s", analyze_usage);
		free(drivers);
		return KC_EXIT_OK;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:j:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.ccdb = optarg;
			break;
		case 'j':
			if (kc_cli_long(&jobs, "analyze", "-j", optarg, 1, 1024) < 0) {
				free(drivers);
				return KC_EXIT_USAGE;
			}
			o.jobs = (int)jobs;
			break;
		case 'd':
			dbpath = optarg;
			break;
		case 'D':
			drivers[nd++] = optarg;
			break;
		case 'k':
			o.keep_going = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'P':
			o.progress = 1;
			break;
		case 'N':
			o.progress = 0;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'M':
			o.module_map = optarg;
			break;
		case 'R':
			o.prune = 1;
			break;
		default:
			free(drivers);
			return kc_cli_usage(argv[0], analyze_usage);
		}
	}
	if (optind < argc) {
		free(drivers);
		return kc_cli_usage(argv[0], analyze_usage);
	}
	o.drivers = drivers;
	o.ndrivers = nd;
	o.handle_sigint = 1;
	rc = kc_db_open(&db, kc_cli_db_path(dbpath), KC_DB_CREATE, &err);
	if (rc) {
		free(drivers);
		return kc_cli_fail(argv[0], &err, rc);
	}
	rc = kc_analyze(&r, db, &o, &err);
	if (rc == 0 || rc == KC_EPARTIAL || rc == KC_EINTR) {
		fprintf(stderr,
			"kcut analyze: %zu TUs selected: %zu analyzed, %zu unchanged (skipped), %zu with errors, "
			"%zu failed, %zu missing%s (%.1f s)\n",
			r.n_selected, r.n_analyzed, r.n_skipped, r.n_errors, r.n_failed, r.n_missing,
			r.interrupted ? ", interrupted" : "", r.wall_ms / 1e3);
		if (o.prune)
			fprintf(stderr, "kcut analyze: %zu TUs pruned (no longer in the compilation database)\n",
				r.n_pruned);
	}
	ret = rc ? kc_cli_fail(argv[0], &err, rc) : KC_EXIT_OK;
	if (rc == KC_EPARTIAL)
		ret = KC_EXIT_PARTIAL;
	kc_db_close(db);
	free(drivers);
	return ret;
}

/* ---- dump tools ---------------------------------------------------------------------------- */

static int parse_common(int argc, char **argv, const char *usage, const char **dbpath, int *json, int *flag,
			const char *flagname, const char **pos)
{
	int i;

	*pos = NULL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			*json = 1;
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			*dbpath = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			*dbpath = argv[i] + 5;
		} else if (flagname && !strcmp(argv[i], flagname)) {
			*flag = 1;
		} else if (argv[i][0] == '-' || *pos) {
			return kc_cli_usage(argv[0], usage);
		} else {
			*pos = argv[i];
		}
	}
	return 0;
}

static const char functions_usage[] =
	"functions [--driver-only] [--json] [--db FILE]\n\n"
	"List the functions in the database: where they are defined, lines of code, static/inline,\n"
	"parameter count, whether their address is taken, and how many calls they make and receive.\n"
	"Functions with DRIVER = 0 are kernel functions the driver calls (imports).\n";

int kc_cmd_functions(int argc, char **argv)
{
	const char *dbpath = NULL, *pos;
	int json = 0, only = 0, rc;
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s", functions_usage);
		return KC_EXIT_OK;
	}
	rc = parse_common(argc, argv, functions_usage, &dbpath, &json, &only, "--driver-only", &pos);
	if (rc)
		return rc;
	if (pos)
		return kc_cli_usage(argv[0], functions_usage);
	rc = open_ro(&db, argv[0], dbpath);
	if (rc)
		return rc;
	rc = print_query(kc_db_sqlite(db),
			 "SELECT f.name, CASE WHEN fl.path IS NULL THEN NULL ELSE fl.path || ':' || f.line END "
			 "AS location, f.loc, f.is_driver AS driver, f.is_defined AS defined, f.is_static AS static, "
			 "f.is_inline AS inline, f.address_taken AS addr_taken, "
			 "(SELECT count(*) FROM param p WHERE p.func_id = f.id) AS params, "
			 "(SELECT count(*) FROM call c WHERE c.caller_id = f.id) AS calls_out, "
			 "(SELECT count(*) FROM call c WHERE c.callee_id = f.id) AS calls_in, f.macro, f.signature "
			 "FROM func f LEFT JOIN file fl ON fl.id = f.file_id "
			 "WHERE ?1 IS NULL OR f.is_driver = 1 ORDER BY f.is_driver DESC, fl.path, f.line, f.name",
			 only ? "1" : NULL, NULL, json, &err);
	kc_db_close(db);
	if (rc < 0)
		return kc_cli_fail(argv[0], &err, rc);
	return KC_EXIT_OK;
}

static const char calls_usage[] =
	"calls FUNC [--callers] [--json] [--db FILE]\n\n"
	"List the calls FUNC makes (with --callers: the calls it receives), one row per call site and\n"
	"target: direct, or indirect with how the target was found (slot = through an ops-struct field,\n"
	"type = function-pointer type match), the site, loop depth and whether a spinlock is held.\n";

int kc_cmd_calls(int argc, char **argv)
{
	const char *dbpath = NULL, *fn;
	int json = 0, callers = 0, rc;
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	sqlite3_stmt *s = NULL;
	int exists = 0;

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s", calls_usage);
		return KC_EXIT_OK;
	}
	rc = parse_common(argc, argv, calls_usage, &dbpath, &json, &callers, "--callers", &fn);
	if (rc)
		return rc;
	if (!fn)
		return kc_cli_usage(argv[0], calls_usage);
	rc = open_ro(&db, argv[0], dbpath);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(kc_db_sqlite(db), "SELECT 1 FROM func WHERE name = ?1", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, fn, -1, SQLITE_STATIC);
		exists = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	if (!exists) {
		kc_err_set(&err, KC_ENOTFOUND, "no function named '%s' in %s", fn, kc_db_path(db));
		kc_db_close(db);
		return kc_cli_fail(argv[0], &err, KC_ENOTFOUND);
	}
	rc = print_query(kc_db_sqlite(db),
			 callers ?
				 "SELECT a.name AS caller, c.kind, c.resolved_by, c.slot, "
				 "fl.path || ':' || c.line || ':' || c.col AS site, c.count, c.loop_depth, "
				 "c.spin_held, c.macro FROM call c JOIN func a ON a.id = c.caller_id "
				 "JOIN func b ON b.id = c.callee_id LEFT JOIN file fl ON fl.id = c.file_id "
				 "WHERE b.name = ?1 ORDER BY fl.path, c.line, c.col, a.name" :
				 "SELECT b.name AS callee, c.kind, c.resolved_by, c.slot, "
				 "fl.path || ':' || c.line || ':' || c.col AS site, c.count, c.loop_depth, "
				 "c.spin_held, c.macro, b.is_driver AS driver FROM call c "
				 "JOIN func a ON a.id = c.caller_id JOIN func b ON b.id = c.callee_id "
				 "LEFT JOIN file fl ON fl.id = c.file_id WHERE a.name = ?1 "
				 "ORDER BY fl.path, c.line, c.col, b.name",
			 fn, NULL, json, &err);
	kc_db_close(db);
	if (rc < 0)
		return kc_cli_fail(argv[0], &err, rc);
	return KC_EXIT_OK;
}

static const char fields_usage[] =
	"fields STRUCT [--json] [--db FILE]\n\n"
	"List a struct's fields (type, kind, offset, size, array count) and, per field, the driver\n"
	"functions that read, write or take the address of it.\n";

int kc_cmd_fields(int argc, char **argv)
{
	const char *dbpath = NULL, *name;
	int json = 0, dummy = 0, rc;
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	sqlite3_stmt *s = NULL;
	int exists = 0;

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s", fields_usage);
		return KC_EXIT_OK;
	}
	rc = parse_common(argc, argv, fields_usage, &dbpath, &json, &dummy, NULL, &name);
	if (rc)
		return rc;
	if (!name)
		return kc_cli_usage(argv[0], fields_usage);
	if (!strncmp(name, "struct ", 7))
		name += 7;
	rc = open_ro(&db, argv[0], dbpath);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(kc_db_sqlite(db), "SELECT 1 FROM struct WHERE name = ?1", -1, &s, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		exists = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	if (!exists) {
		kc_err_set(&err, KC_ENOTFOUND, "no struct named '%s' in %s", name, kc_db_path(db));
		kc_db_close(db);
		return kc_cli_fail(argv[0], &err, KC_ENOTFOUND);
	}
	rc = print_query(kc_db_sqlite(db),
			 "SELECT f.name AS field, f.type, f.kind, f.offset_bits / 8 AS offset, f.size, "
			 "f.array_count AS count, "
			 "(SELECT group_concat(DISTINCT fn.name) FROM field_access a JOIN func fn ON fn.id = a.func_id "
			 " WHERE a.struct_name = s.name AND a.field = f.name AND a.mode = 'read') AS readers, "
			 "(SELECT group_concat(DISTINCT fn.name) FROM field_access a JOIN func fn ON fn.id = a.func_id "
			 " WHERE a.struct_name = s.name AND a.field = f.name AND a.mode = 'write') AS writers, "
			 "(SELECT group_concat(DISTINCT fn.name) FROM field_access a JOIN func fn ON fn.id = a.func_id "
			 " WHERE a.struct_name = s.name AND a.field = f.name AND a.mode = 'addr') AS addr_takers "
			 "FROM struct s JOIN field f ON f.struct_id = s.id WHERE s.name = ?1 ORDER BY f.idx",
			 name, NULL, json, &err);
	kc_db_close(db);
	if (rc < 0)
		return kc_cli_fail(argv[0], &err, rc);
	return KC_EXIT_OK;
}

static const char db_usage[] =
	"db info [--json] [--db FILE]\n\n"
	"Summarise the database: schema version, translation units by status, and row counts of the\n"
	"analyzer's tables.\n";

int kc_cmd_db(int argc, char **argv)
{
	const char *dbpath = NULL, *sub;
	int json = 0, dummy = 0, rc;
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s", db_usage);
		return KC_EXIT_OK;
	}
	rc = parse_common(argc, argv, db_usage, &dbpath, &json, &dummy, NULL, &sub);
	if (rc)
		return rc;
	if (!sub || strcmp(sub, "info"))
		return kc_cli_usage(argv[0], db_usage);
	rc = open_ro(&db, argv[0], dbpath);
	if (rc)
		return rc;
	if (!json)
		printf("database  %s (schema version %d)\n\n", kc_db_path(db), KC_DB_SCHEMA_VERSION);
	rc = print_query(kc_db_sqlite(db),
			 "SELECT 'tu' AS what, (SELECT count(*) FROM tu) AS count UNION ALL "
			 "SELECT 'tu ' || status, count(*) FROM tu GROUP BY status UNION ALL "
			 "SELECT 'tu parse errors', (SELECT coalesce(sum(n_errors), 0) FROM tu) UNION ALL "
			 "SELECT 'file (driver)', (SELECT count(*) FROM file WHERE is_driver) UNION ALL "
			 "SELECT 'func (driver, defined)', (SELECT count(*) FROM func WHERE is_driver AND is_defined) "
			 "UNION ALL SELECT 'func (kernel imports)', (SELECT count(*) FROM func WHERE NOT is_driver) "
			 "UNION ALL SELECT 'call direct', (SELECT count(*) FROM call WHERE kind = 'direct') "
			 "UNION ALL SELECT 'call indirect (slot)', "
			 "(SELECT count(*) FROM call WHERE resolved_by = 'slot') "
			 "UNION ALL SELECT 'call indirect (type)', "
			 "(SELECT count(*) FROM call WHERE resolved_by = 'type') "
			 "UNION ALL SELECT 'icall sites', (SELECT count(*) FROM icall) "
			 "UNION ALL SELECT 'registration', (SELECT count(*) FROM registration) "
			 "UNION ALL SELECT 'global', (SELECT count(*) FROM global) "
			 "UNION ALL SELECT 'struct', (SELECT count(*) FROM struct) "
			 "UNION ALL SELECT 'field', (SELECT count(*) FROM field) "
			 "UNION ALL SELECT 'field_access', (SELECT count(*) FROM field_access) "
			 "UNION ALL SELECT 'field_access via offsetof', "
			 "(SELECT count(*) FROM field_access WHERE via = 'offsetof') "
			 "UNION ALL SELECT 'inline_access', (SELECT count(*) FROM inline_access) "
			 "UNION ALL SELECT 'alloc', (SELECT count(*) FROM alloc) "
			 "UNION ALL SELECT 'lock_op', (SELECT count(*) FROM lock_op) "
			 "UNION ALL SELECT 'shape_evidence', (SELECT count(*) FROM shape_evidence)",
			 NULL, NULL, json, &err);
	kc_db_close(db);
	if (rc < 0)
		return kc_cli_fail(argv[0], &err, rc);
	return KC_EXIT_OK;
}
