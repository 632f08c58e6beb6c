/*
 * analyze.c - one `kcut analyze` run: select TUs, skip the unchanged ones, parse the rest in
 * parallel with libclang, store each TU in its own transaction, then resolve indirect calls.
 *
 * Threads: -j workers, each with its own CXIndex, take the next TU from a shared counter and parse
 * it without any lock (parsing is the expensive part). Storing is serialized by one mutex: a worker
 * holding it opens a transaction, deletes what the TU stored last time, writes the new facts and
 * commits, so a reader (or a crash, or Ctrl-C) never sees half a TU. SIGINT only stops workers from
 * starting new TUs; the ones in flight finish.
 *
 * Incremental runs: tu.hash covers the cleaned arguments, the main file and every driver file the
 * TU included last time. An unchanged hash skips the TU before parsing.
 */
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

/* First Ctrl-C: stop starting TUs, finish the ones in flight. Second one: die at once; SQLite rolls
 * the open transaction back, so the database still holds only complete TUs. */
static void on_sigint(int sig)
{
	if (interrupted) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	interrupted = 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct job {
	struct kc_cc_entry *e;
	int state; /* 0 pending, 1 analyzed, 2 skipped, 3 errors, 4 failed, 5 missing, 6 not run */
};

struct pool {
	struct kc_run *run;
	const struct kc_analyze_opts *opts;
	struct job *jobs;
	size_t njobs, next, done, stored;
	pthread_mutex_t qlock; /* next, done, progress */
	double t0;
	int progress;
	int fatal;             /* a database error: stop everything */
	struct kc_err err;     /* first fatal error */
};

static void hash_hex(char out[17], uint64_t h)
{
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Hash of what decides a TU's facts besides file contents: its cleaned arguments and the driver
 * directories (they decide driver membership). */
static uint64_t hash_args(const struct kc_run *run, const struct kc_cc_entry *e)
{
	uint64_t h = KC_HASH64_INIT;
	size_t i;

	for (i = 0; i < e->args.n; i++)
		h = kc_hash64_update(h, e->args.v[i], strlen(e->args.v[i]) + 1);
	for (i = 0; i < run->ndrivers; i++)
		h = kc_hash64_update(h, run->drivers[i], strlen(run->drivers[i]) + 1);
	return h;
}

/* Chain a file's path and content into h; *ok = 0 when it cannot be read. */
static uint64_t hash_file(uint64_t h, const char *path, int *ok)
{
	char *buf = NULL;
	size_t len = 0;
	struct kc_err e;

	h = kc_hash64_update(h, path, strlen(path) + 1);
	if (kc_read_file(&buf, &len, path, &e) != 0) {
		*ok = 0;
		return h;
	}
	h = kc_hash64_update(h, buf, len);
	free(buf);
	return h;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The version of the facts the visitor records, part of every TU's hash: a kcut whose analyzer
 * records different facts for the same source (new keys, new columns filled) sees every TU of an
 * older database as changed and analyzes it again, instead of mixing facts of two kinds (e.g.
 * static functions keyed by base name and by full path). Bump it with any such visit.c change. */
#define KC_FACTS_VERSION "kcut-facts-6"

/* Hash of the facts version + args + driver dirs + main file + the given driver includes (sorted). */
static uint64_t tu_hash(const struct kc_run *run, const struct kc_cc_entry *e, char **incs, size_t n, int *ok)
{
	uint64_t h = kc_hash64_update(hash_args(run, e), KC_FACTS_VERSION, sizeof(KC_FACTS_VERSION));
	size_t i;

	*ok = 1;
	h = hash_file(h, e->file, ok);
	if (n > 1)
		qsort(incs, n, sizeof(*incs), cmp_str);
	for (i = 0; i < n; i++)
		h = hash_file(h, incs[i], ok);
	return h;
}

/* Is this TU unchanged since it was stored? (takes the DB lock to read) A TU stored with compile
 * errors never is: its errors may come from something outside the hash (a system header installed
 * since), and a re-run must report them again (exit 3), not call the TU "unchanged". */
static int unchanged(struct pool *pl, const struct kc_cc_entry *e)
{
	sqlite3 *db = kc_db_sqlite(pl->run->db);
	sqlite3_stmt *s = NULL;
	char *stored = NULL;
	struct kc_argv incs = { 0 };
	long long tu_id = 0;
	int same = 0, ok;
	char hex[17];

	pthread_mutex_lock(&pl->run->lock);
	if (sqlite3_prepare_v2(db,
			       "SELECT t.id, t.hash FROM tu t JOIN file f ON f.id = t.file_id "
			       "WHERE f.path = ?1 AND t.directory = ?2 AND t.status = 'ok'",
			       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, e->file, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, e->dir, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 1)) {
			tu_id = sqlite3_column_int64(s, 0);
			stored = kc_xstrdup((const char *)sqlite3_column_text(s, 1));
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (stored && sqlite3_prepare_v2(db,
					 "SELECT f.path FROM tu_include i JOIN file f ON f.id = i.file_id "
					 "WHERE i.tu_id = ?1",
					 -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, tu_id);
		while (sqlite3_step(s) == SQLITE_ROW)
			kc_argv_push(&incs, (const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	pthread_mutex_unlock(&pl->run->lock);
	if (stored) {
		hash_hex(hex, tu_hash(pl->run, e, incs.v, incs.n, &ok));
		same = ok && !strcmp(hex, stored);
	}
	free(stored);
	kc_argv_free(&incs);
	return same;
}

struct inc_ctx {
	struct kc_run *run;
	const char *main;
	struct kc_argv paths;
};

/* clang_getInclusions callback: collect the driver files the TU included (not the main file). */
static void inclusion_cb(CXFile f, CXSourceLocation *stack, unsigned n, CXClientData d)
{
	struct inc_ctx *ic = d;
	CXString s = clang_File_tryGetRealPathName(f);
	const char *p = clang_getCString(s);
	size_t i;

	(void)stack;
	(void)n;
	if (p && p[0] && strcmp(p, ic->main) != 0 && kc_is_driver_path(ic->run, p)) {
		for (i = 0; i < ic->paths.n; i++)
			if (!strcmp(ic->paths.v[i], p))
				break;
		if (i == ic->paths.n)
			kc_argv_push(&ic->paths, p);
	}
	clang_disposeString(s);
}

/* Run SQL on a raw connection, message into err. */
static int exec1(sqlite3 *db, const char *sql, struct kc_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		kc_err_set(err, KC_EDB, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return KC_EDB;
	}
	return 0;
}

int kc_forget_tu(struct kc_db *kdb, long long tu_id, struct kc_err *err)
{
	static const char *const sql[] = {
		/* address_taken: clear what only this TU's evidence set (kc_visit_tu sets it again) */
		"UPDATE func SET address_taken = 0 WHERE id IN (SELECT func_id FROM func_addr WHERE tu_id = ?1) "
		"AND id NOT IN (SELECT func_id FROM func_addr WHERE tu_id <> ?1)",
		"DELETE FROM func_addr WHERE tu_id = ?1",
		"DELETE FROM call WHERE kind = 'direct' AND caller_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM icall WHERE caller_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM field_access WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM inline_access WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM alloc WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM lock_op WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM global_access WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM shape_evidence WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM ptr_flow WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM loop WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM field_const WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM loop_exit WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM param WHERE func_id IN (SELECT id FROM func WHERE tu_id = ?1)",
		"DELETE FROM registration WHERE tu_id = ?1",
		"DELETE FROM diag WHERE tu_id = ?1",
		"DELETE FROM tu_include WHERE tu_id = ?1",
		"UPDATE func SET is_defined = 0, tu_id = NULL WHERE tu_id = ?1",
	};
	sqlite3 *db = kc_db_sqlite(kdb);
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(sql); i++) {
		sqlite3_stmt *s = NULL;
		int rc = sqlite3_prepare_v2(db, sql[i], -1, &s, NULL);

		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, tu_id);
			rc = sqlite3_step(s);
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return kc_err_set(err, KC_EDB, "forgetting TU %lld: %s", tu_id, sqlite3_errmsg(db));
	}
	return 0;
}

static const char *sev_name(enum CXDiagnosticSeverity s)
{
	switch (s) {
	case CXDiagnostic_Note:
		return "note";
	case CXDiagnostic_Warning:
		return "warning";
	case CXDiagnostic_Error:
		return "error";
	case CXDiagnostic_Fatal:
		return "fatal";
	default:
		return NULL;
	}
}

/* The cleaned arguments as a JSON array string (tu.args). Caller frees. */
static char *args_json(const struct kc_cc_entry *e)
{
	struct kc_sb sb = { 0 };
	size_t i;
	const char *p;

	kc_sb_add(&sb, "[");
	for (i = 0; i < e->args.n; i++) {
		kc_sb_add(&sb, i ? ", \"" : "\"");
		for (p = e->args.v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				kc_sb_addf(&sb, "\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				kc_sb_addf(&sb, "\\u%04x", *p);
			else
				kc_sb_addn(&sb, p, 1);
		}
		kc_sb_add(&sb, "\"");
	}
	kc_sb_add(&sb, "]");
	return kc_sb_steal(&sb);
}

/* Store one TU (parsed or not) in one transaction. Caller holds the lock. */
static const char *modmap_find(const struct kc_run *run, const char *file);

static int store_tu(struct pool *pl, struct kc_cc_entry *e, CXTranslationUnit tu, const char *status,
		    const char *why, double parse_ms, struct inc_ctx *ic, const char *hash, struct kc_err *err)
{
	struct kc_run *run = pl->run;
	sqlite3 *db = kc_db_sqlite(run->db);
	sqlite3_stmt *s = NULL;
	long long file_id = 0, tu_id = 0;
	int rc = 0, nerr = 0, nwarn = 0;
	unsigned i, nd;
	char *aj = args_json(e);

	rc = exec1(db, "BEGIN IMMEDIATE", err);
	if (rc)
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO file(path, is_driver) VALUES(?1, ?2) ON CONFLICT(path) DO "
				   "UPDATE SET is_driver = excluded.is_driver RETURNING id", -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(s, 1, e->file, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, kc_is_driver_path(run, e->file));
	if (sqlite3_step(s) != SQLITE_ROW)
		goto dberr;
	file_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "INSERT INTO tu(file_id, directory, args, status, module) "
				   "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(file_id, directory) DO UPDATE SET "
				   "args = excluded.args, module = excluded.module RETURNING id",
			       -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_text(s, 2, e->dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, aj, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, modmap_find(run, e->file), -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto dberr;
	tu_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	rc = kc_forget_tu(run->db, tu_id, err);
	if (rc)
		goto rollback;
	/* the whole-database resolution is due from now on, in the same transaction: a run killed
	 * between the last TU and kc_resolve_indirect leaves the mark, and the next run resolves even
	 * when every TU is unchanged */
	rc = kc_mark_resolve_pending(run->db, err);
	if (rc)
		goto rollback;
	/* diagnostics */
	nd = tu ? clang_getNumDiagnostics(tu) : 0;
	if (sqlite3_prepare_v2(db, "INSERT INTO diag(tu_id, severity, file, line, col, message) "
				   "VALUES(?1, ?2, ?3, ?4, ?5, ?6)", -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	for (i = 0; i < nd; i++) {
		CXDiagnostic d = clang_getDiagnostic(tu, i);
		enum CXDiagnosticSeverity sv = clang_getDiagnosticSeverity(d);
		const char *sn = sev_name(sv);
		CXFile f = NULL;
		unsigned line = 0, col = 0;
		CXString msg, fn;

		if (sv == CXDiagnostic_Error || sv == CXDiagnostic_Fatal)
			nerr++;
		else if (sv == CXDiagnostic_Warning)
			nwarn++;
		if (!sn || sv == CXDiagnostic_Note || (sv == CXDiagnostic_Warning && nwarn > 100)) {
			clang_disposeDiagnostic(d);
			continue;
		}
		clang_getSpellingLocation(clang_getDiagnosticLocation(d), &f, &line, &col, NULL);
		msg = clang_getDiagnosticSpelling(d);
		fn = clang_getFileName(f);
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, tu_id);
		sqlite3_bind_text(s, 2, sn, -1, SQLITE_STATIC);
		if (f)
			sqlite3_bind_text(s, 3, clang_getCString(fn), -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(s, 3);
		sqlite3_bind_int(s, 4, (int)line);
		sqlite3_bind_int(s, 5, (int)col);
		sqlite3_bind_text(s, 6, clang_getCString(msg), -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		clang_disposeString(msg);
		clang_disposeString(fn);
		clang_disposeDiagnostic(d);
		if (rc != SQLITE_DONE)
			goto dberr;
		rc = 0;
	}
	if (!strcmp(status, "failed") || !strcmp(status, "missing")) {
		/* no translation unit, so no clang diagnostics: say why in one of our own */
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, tu_id);
		sqlite3_bind_text(s, 2, "fatal", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, e->file, -1, SQLITE_STATIC);
		sqlite3_bind_null(s, 4);
		sqlite3_bind_null(s, 5);
		sqlite3_bind_text(s, 6, why ? why : status, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto dberr;
		nerr++;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (tu && nerr && !strcmp(status, "ok"))
		status = "errors";
	/* driver includes */
	if (ic && ic->paths.n) {
		sqlite3_stmt *fs = NULL;

		if (sqlite3_prepare_v2(db, "INSERT INTO file(path, is_driver) VALUES(?1, 1) ON CONFLICT(path) "
					   "DO UPDATE SET is_driver = 1 RETURNING id", -1, &fs, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO tu_include(tu_id, file_id) VALUES(?1, ?2)", -1,
				       &s, NULL) != SQLITE_OK) {
			sqlite3_finalize(fs);
			goto dberr;
		}
		for (i = 0; i < ic->paths.n; i++) {
			sqlite3_reset(fs);
			sqlite3_bind_text(fs, 1, ic->paths.v[i], -1, SQLITE_STATIC);
			if (sqlite3_step(fs) != SQLITE_ROW) {
				sqlite3_finalize(fs);
				goto dberr;
			}
			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, tu_id);
			sqlite3_bind_int64(s, 2, sqlite3_column_int64(fs, 0));
			if (sqlite3_step(s) != SQLITE_DONE) {
				sqlite3_finalize(fs);
				goto dberr;
			}
		}
		sqlite3_finalize(fs);
		sqlite3_finalize(s);
		s = NULL;
	}
	/* content hashes of the main file and the driver includes (file.hash) */
	if (tu) {
		sqlite3_stmt *hs = NULL;
		size_t k;

		if (sqlite3_prepare_v2(db, "UPDATE file SET hash = ?2 WHERE path = ?1", -1, &hs, NULL) != SQLITE_OK)
			goto dberr;
		for (k = 0; k <= (ic ? ic->paths.n : 0); k++) {
			const char *fp = k == 0 ? e->file : ic->paths.v[k - 1];
			int ok = 1;
			char fh[17];

			hash_hex(fh, hash_file(KC_HASH64_INIT, fp, &ok));
			sqlite3_reset(hs);
			sqlite3_bind_text(hs, 1, fp, -1, SQLITE_STATIC);
			if (ok)
				sqlite3_bind_text(hs, 2, fh, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(hs, 2);
			if (sqlite3_step(hs) != SQLITE_DONE) {
				sqlite3_finalize(hs);
				goto dberr;
			}
		}
		sqlite3_finalize(hs);
	}
	if (sqlite3_prepare_v2(db, "UPDATE tu SET status = ?2, parse_ms = ?3, n_errors = ?4, n_warnings = ?5, "
				   "hash = ?6, analyzed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(s, 1, tu_id);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	if (parse_ms >= 0)
		sqlite3_bind_double(s, 3, parse_ms);
	sqlite3_bind_int(s, 4, nerr);
	sqlite3_bind_int(s, 5, nwarn);
	if (hash)
		sqlite3_bind_text(s, 6, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(s);
	s = NULL;
	if (tu) {
		rc = kc_visit_tu(run, tu, tu_id, err);
		if (rc)
			goto rollback;
	}
	rc = exec1(db, "COMMIT", err);
	if (rc)
		goto rollback;
	rc = !strcmp(status, "errors") ? 1 : 0;
	goto out;
dberr:
	rc = kc_err_set(err, KC_EDB, "%s: storing %s: %s", kc_db_path(run->db), e->file, sqlite3_errmsg(db));
rollback:
	sqlite3_finalize(s);
	s = NULL;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(s);
	free(aj);
	return rc;
}

/* Redraw the progress line (done/total, ETA, file). Called with qlock held. */
static void progress(struct pool *pl, const char *file)
{
	double el = now_ms() - pl->t0;
	double eta = pl->done ? el / (double)pl->done * (double)(pl->njobs - pl->done) : 0;
	const char *base = strrchr(file, '/');

	fprintf(stderr, "\r\033[K[%zu/%zu] ETA %4.0fs %s", pl->done, pl->njobs, eta / 1e3, base ? base + 1 : file);
	if (pl->done == pl->njobs)
		fprintf(stderr, "\n");
	fflush(stderr);
}

/* Test hook: KCUT_TEST_SIGINT_AFTER=N raises SIGINT right after the N-th TU is stored, which makes
 * the Ctrl-C path testable without timing races (tests/analyzer/sigint_test.sh). */
static void test_sigint_hook(struct pool *pl)
{
	const char *env = getenv("KCUT_TEST_SIGINT_AFTER");
	size_t n;

	if (!env || !*env)
		return;
	pthread_mutex_lock(&pl->qlock);
	n = ++pl->stored;
	pthread_mutex_unlock(&pl->qlock);
	if (n == (size_t)atol(env))
		raise(SIGINT);
}

/* Analyze one TU: missing file, unchanged (skip), parse, store in one transaction. Sets j->state. */
static void run_job(struct pool *pl, CXIndex idx, struct job *j)
{
	struct kc_cc_entry *e = j->e;
	struct stat st;
	struct kc_err err = { 0 };
	CXTranslationUnit tu = NULL;
	enum CXErrorCode ec;
	double t0;
	int rc;
	struct inc_ctx ic = { .run = pl->run, .main = e->file };
	char hex[17], why[256];

	if (stat(e->file, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, sizeof(why), "source file missing (%s)", strerror(errno));
		fprintf(stderr, "%s: error: %s\n", e->file, why);
		pthread_mutex_lock(&pl->run->lock);
		rc = store_tu(pl, e, NULL, "missing", why, -1, NULL, NULL, &err);
		pthread_mutex_unlock(&pl->run->lock);
		j->state = rc < 0 ? 4 : 5;
		goto out;
	}
	if (!pl->opts->force && unchanged(pl, e)) {
		j->state = 2;
		goto out;
	}
	t0 = now_ms();
	ec = clang_parseTranslationUnit2(idx, e->file, (const char *const *)e->args.v, (int)e->args.n, NULL, 0,
					 CXTranslationUnit_KeepGoing |
						 CXTranslationUnit_IgnoreNonErrorsFromIncludedFiles,
					 &tu);
	if (ec != CXError_Success || !tu) {
		snprintf(why, sizeof(why), "libclang could not parse this file (CXErrorCode %d%s)", (int)ec,
			 ec == CXError_ASTReadError ? ": invalid compiler arguments?" : "");
		fprintf(stderr, "%s: error: %s\n", e->file, why);
		pthread_mutex_lock(&pl->run->lock);
		rc = store_tu(pl, e, NULL, "failed", why, now_ms() - t0, NULL, NULL, &err);
		pthread_mutex_unlock(&pl->run->lock);
		j->state = 4;
		goto out;
	}
	clang_getInclusions(tu, inclusion_cb, &ic);
	{
		int ok;
		struct kc_argv copy = { 0 };
		size_t i;

		for (i = 0; i < ic.paths.n; i++)
			kc_argv_push(&copy, ic.paths.v[i]);
		hash_hex(hex, tu_hash(pl->run, e, copy.v, copy.n, &ok));
		kc_argv_free(&copy);
	}
	pthread_mutex_lock(&pl->run->lock);
	rc = store_tu(pl, e, tu, "ok", NULL, now_ms() - t0, &ic, hex, &err);
	pthread_mutex_unlock(&pl->run->lock);
	if (rc < 0) {
		pthread_mutex_lock(&pl->qlock);
		if (!pl->fatal) {
			pl->fatal = rc;
			pl->err = err;
		}
		pthread_mutex_unlock(&pl->qlock);
		j->state = 4;
	} else {
		j->state = rc == 1 ? 3 : 1;
		test_sigint_hook(pl);
		if (rc == 1) {
			unsigned i, n = clang_getNumDiagnostics(tu), shown = 0;

			for (i = 0; i < n && shown < 3; i++) {
				CXDiagnostic d = clang_getDiagnostic(tu, i);

				if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
					CXString s = clang_formatDiagnostic(d, clang_defaultDiagnosticDisplayOptions());

					fprintf(stderr, "%s\n", clang_getCString(s));
					clang_disposeString(s);
					shown++;
				}
				clang_disposeDiagnostic(d);
			}
		}
	}
out:
	if (tu)
		clang_disposeTranslationUnit(tu);
	kc_argv_free(&ic.paths);
	if (pl->opts->verbose)
		fprintf(stderr, "kcut analyze: %s: %s\n", e->file,
			(const char *[]){ "?", "analyzed", "unchanged", "errors", "failed", "missing", "not run" }
				[j->state]);
}

/* A worker thread: its own CXIndex, takes TUs until none is left, SIGINT, or a fatal DB error. */
static void *worker(void *arg)
{
	struct pool *pl = arg;
	CXIndex idx = clang_createIndex(0, 0);

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&pl->qlock);
		if (pl->next >= pl->njobs || interrupted || pl->fatal) {
			pthread_mutex_unlock(&pl->qlock);
			break;
		}
		j = &pl->jobs[pl->next++];
		if (pl->progress)
			progress(pl, j->e->file);
		pthread_mutex_unlock(&pl->qlock);
		run_job(pl, idx, j);
		pthread_mutex_lock(&pl->qlock);
		pl->done++;
		if (pl->progress)
			progress(pl, j->e->file);
		pthread_mutex_unlock(&pl->qlock);
	}
	clang_disposeIndex(idx);
	return NULL;
}

/* Add a canonical driver directory (once). */
static void add_driver(struct kc_run *run, const char *dir)
{
	size_t i;

	for (i = 0; i < run->ndrivers; i++)
		if (!strcmp(run->drivers[i], dir))
			return;
	run->drivers = kc_xrealloc(run->drivers, (run->ndrivers + 1) * sizeof(char *));
	run->drivers[run->ndrivers++] = kc_xstrdup(dir);
}

static int modmap_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kc_modmap_entry *)a)->file, ((const struct kc_modmap_entry *)b)->file);
}

/* The module of a TU's canonical main file from --module-map, or NULL (no map, or not in it). */
static const char *modmap_find(const struct kc_run *run, const char *file)
{
	struct kc_modmap_entry key = { .file = (char *)file }, *hit;

	if (!run->nmodmap)
		return NULL;
	hit = bsearch(&key, run->modmap, run->nmodmap, sizeof(key), modmap_cmp);
	return hit ? hit->module : NULL;
}

/* Load a module map ("SOURCE<TAB>MODULE" per line; blank lines and '#' comments skipped; SOURCE
 * made canonical) into run. A malformed line fails with "path:line: ..."; a source listed twice
 * with different modules fails too (kbuild links a TU into one module). */
static int modmap_load(struct kc_run *run, const char *path, struct kc_err *err)
{
	char *text = NULL, *line, *next;
	size_t len, i, cap = 0;
	int rc, lineno = 0;

	rc = kc_read_file(&text, &len, path, err);
	if (rc)
		return kc_err_prefix(err, "--module-map");
	for (line = text; line && *line; line = next) {
		char *tab, *mod;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		tab = strchr(line, '\t');
		lineno++;
		if (!*line || *line == '#')
			continue;
		mod = tab ? tab + 1 : NULL;
		if (!tab || tab == line || !*mod || strchr(mod, '\t')) {
			rc = kc_err_set(err, KC_EPARSE, "%s:%d: expected SOURCE<TAB>MODULE", path, lineno);
			goto cleanup;
		}
		*tab = '\0';
		if (run->nmodmap == cap) {
			cap = cap ? 2 * cap : 256;
			run->modmap = kc_xrealloc(run->modmap, cap * sizeof(*run->modmap));
		}
		run->modmap[run->nmodmap].file = kc_path_canon(line);
		run->modmap[run->nmodmap].module = kc_xstrdup(mod);
		run->nmodmap++;
	}
	if (run->nmodmap)
		qsort(run->modmap, run->nmodmap, sizeof(*run->modmap), modmap_cmp);
	for (i = 1; i < run->nmodmap; i++) {
		if (!strcmp(run->modmap[i - 1].file, run->modmap[i].file) &&
		    strcmp(run->modmap[i - 1].module, run->modmap[i].module)) {
			rc = kc_err_set(err, KC_EPARSE, "%s: %s is listed for modules %s and %s", path,
					run->modmap[i].file, run->modmap[i - 1].module, run->modmap[i].module);
			goto cleanup;
		}
	}
cleanup:
	free(text);
	return rc;
}

int kc_analyze(struct kc_analyze_result *out, struct kc_db *db, const struct kc_analyze_opts *opts,
	       struct kc_err *err)
{
	struct kc_ccdb cc = { 0 };
	struct kc_run run = { .db = db };
	struct pool pl = { 0 };
	struct sigaction sa, old_sa;
	pthread_t *th = NULL;
	int rc = 0, nth, i, sig_installed = 0;
	size_t k;
	double t0 = now_ms();

	memset(out, 0, sizeof(*out));
	pthread_mutex_init(&run.lock, NULL);
	pthread_mutex_init(&pl.qlock, NULL);
	if (!opts || opts->version != KC_ANALYZE_OPTS_VERSION) {
		rc = kc_err_set(err, KC_EBUG, "kcut: internal error: kc_analyze_opts version mismatch");
		goto cleanup;
	}
	rc = kc_ccdb_load(&cc, opts->ccdb ? opts->ccdb : ".", err);
	if (rc)
		goto cleanup;
	out->n_entries = cc.n;
	if (opts->module_map) {
		rc = modmap_load(&run, opts->module_map, err);
		if (rc)
			goto cleanup;
	}
	for (k = 0; k < opts->ndrivers; k++) {
		char *c = kc_path_canon(opts->drivers[k]);
		struct stat st;

		if (stat(c, &st) != 0 || !S_ISDIR(st.st_mode)) {
			rc = kc_err_set(err, KC_EINVAL, "--driver %s: not a directory", opts->drivers[k]);
			free(c);
			goto cleanup;
		}
		add_driver(&run, c);
		free(c);
	}
	pl.jobs = kc_xcalloc(cc.n + 1, sizeof(*pl.jobs));
	for (k = 0; k < cc.n; k++) {
		if (opts->ndrivers && !kc_is_driver_path(&run, cc.e[k].file))
			continue;
		pl.jobs[pl.njobs++].e = &cc.e[k];
	}
	if (!opts->ndrivers) {
		for (k = 0; k < pl.njobs; k++) {
			char *d = kc_xstrdup(pl.jobs[k].e->file);
			char *slash = strrchr(d, '/');

			if (slash && slash != d)
				*slash = '\0';
			add_driver(&run, d);
			free(d);
		}
	}
	out->n_selected = pl.njobs;
	if (!pl.njobs) {
		rc = kc_err_set(err, KC_ENOTFOUND, "no translation unit of %s lies under the --driver directories",
				opts->ccdb ? opts->ccdb : "compile_commands.json");
		goto cleanup;
	}
	rc = kc_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS seen_struct(name TEXT PRIMARY KEY); "
			    "DELETE FROM temp.seen_struct;", err);
	if (rc)
		goto cleanup;
	if (opts->prune) {
		rc = kc_prune_tus(db, &cc, &out->n_pruned, err);
		if (rc)
			goto cleanup;
	}
	pl.run = &run;
	pl.opts = opts;
	pl.t0 = now_ms();
	pl.progress = opts->progress < 0 ? isatty(2) : opts->progress;
	interrupted = 0;
	if (opts->handle_sigint) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_sa);
		sig_installed = 1;
	}
	nth = opts->jobs > 0 ? opts->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (nth < 1)
		nth = 1;
	if ((size_t)nth > pl.njobs)
		nth = (int)pl.njobs;
	th = kc_xcalloc((size_t)nth, sizeof(*th));
	for (i = 0; i < nth; i++) {
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64u << 20); /* deep ASTs, recursive walk */
		if (pthread_create(&th[i], &attr, worker, &pl) != 0) {
			pthread_attr_destroy(&attr);
			nth = i;
			break;
		}
		pthread_attr_destroy(&attr);
	}
	if (nth == 0)
		worker(&pl);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	if (sig_installed)
		sigaction(SIGINT, &old_sa, NULL);
	out->interrupted = interrupted;
	for (k = 0; k < pl.njobs; k++) {
		switch (pl.jobs[k].state) {
		case 0:
		case 6:
			out->n_not_run++;
			break;
		case 1:
			out->n_analyzed++;
			break;
		case 2:
			out->n_skipped++;
			break;
		case 3:
			out->n_analyzed++;
			out->n_errors++;
			break;
		case 4:
			out->n_failed++;
			break;
		case 5:
			out->n_missing++;
			break;
		}
	}
	if (pl.fatal) {
		rc = pl.fatal;
		*err = pl.err;
		goto cleanup;
	}
	if (getenv("KCUT_TEST_EXIT_BEFORE_RESOLVE") && *getenv("KCUT_TEST_EXIT_BEFORE_RESOLVE")) {
		/* test hook: die like a kill after the last TU committed, before the resolution did
		 * (tests/analyzer/test_safety.c) */
		_exit(137);
	}
	if (out->n_analyzed || out->n_failed || out->n_missing || out->n_pruned || kc_resolve_pending(db)) {
		rc = kc_resolve_indirect(db, err);
		if (rc)
			goto cleanup;
	}
	if (out->interrupted && !out->n_analyzed)
		rc = kc_err_set(err, KC_EINTR, "interrupted before any TU was stored");
	else if (out->interrupted)
		rc = kc_err_set(err, KC_EPARTIAL, "interrupted: %zu of %zu TUs stored, %zu not run",
				out->n_analyzed, pl.njobs, out->n_not_run);
	else if (out->n_failed || out->n_missing || (out->n_errors && !opts->keep_going))
		rc = kc_err_set(err, KC_EPARTIAL, "%zu TUs failed, %zu missing, %zu with errors (the rest stored)",
				out->n_failed, out->n_missing, out->n_errors);
cleanup:
	out->wall_ms = now_ms() - t0;
	free(th);
	free(pl.jobs);
	for (k = 0; k < run.ndrivers; k++)
		free(run.drivers[k]);
	free(run.drivers);
	for (k = 0; k < run.nmodmap; k++) {
		free(run.modmap[k].file);
		free(run.modmap[k].module);
	}
	free(run.modmap);
	kc_ccdb_free(&cc);
	pthread_mutex_destroy(&run.lock);
	pthread_mutex_destroy(&pl.qlock);
	return rc;
}
