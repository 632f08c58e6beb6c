/*
 * profile.c - importing measured caller->callee call counts (table profile, profile_edge).
 *
 * Two input formats (docs/partitioner.md has examples):
 *   instrument  written by code built with -finstrument-functions through the kcut runtime:
 *                 # kcut-profile v1 duration_s=<seconds>
 *                 <caller> <callee> <count>          (one line per edge, by function name)
 *   ftrace      Linux ftrace `function_graph` text: "CPU) duration | name() {", "name();", "}"
 *               lines; nesting gives the caller; one call stack per CPU column.
 * Names not in the database are reported (not fatal). Compiler suffixes (.isra.0, .constprop.1,
 * .part.2, .cold) are stripped before lookup.
 */
#include "part_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct pedge {
	long long caller, callee;
	long long count;
};

struct pstate {
	sqlite3 *s;
	sqlite3_stmt *lookup;
	struct pedge *e;
	size_t ne, cap;
	char **unknown;
	size_t nunknown;
	long long n_calls;
};

static void note_unknown(struct pstate *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->nunknown; i++)
		if (!strcmp(ps->unknown[i], name))
			return;
	ps->unknown = kc_xrealloc(ps->unknown, (ps->nunknown + 1) * sizeof(char *));
	ps->unknown[ps->nunknown++] = kc_xstrdup(name);
}

/* func.id for a name (driver-defined preferred), or -1 (recorded as unknown). */
static long long lookup(struct pstate *ps, const char *raw)
{
	char name[256];
	char *dot;
	long long id = -1;

	snprintf(name, sizeof(name), "%s", raw);
	dot = strchr(name, '.');
	if (dot)
		*dot = 0;
	sqlite3_reset(ps->lookup);
	sqlite3_bind_text(ps->lookup, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(ps->lookup) == SQLITE_ROW)
		id = sqlite3_column_int64(ps->lookup, 0);
	if (id < 0)
		note_unknown(ps, name);
	return id;
}

/* a + b for counts >= 0, saturating at KC_PART_PROFILE_COUNT_MAX instead of overflowing */
static long long sat_add(long long a, long long b)
{
	return a > KC_PART_PROFILE_COUNT_MAX - b ? KC_PART_PROFILE_COUNT_MAX : a + b;
}

static void add_edge(struct pstate *ps, const char *caller, const char *callee, long long count)
{
	long long a = lookup(ps, caller), b = lookup(ps, callee);
	size_t i;

	if (a < 0 || b < 0)
		return;
	if (count > KC_PART_PROFILE_COUNT_MAX)
		count = KC_PART_PROFILE_COUNT_MAX;
	ps->n_calls = sat_add(ps->n_calls, count);
	for (i = ps->ne; i-- > 0;)
		if (ps->e[i].caller == a && ps->e[i].callee == b) {
			ps->e[i].count = sat_add(ps->e[i].count, count);
			return;
		}
	if (ps->ne == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 64;
		ps->e = kc_xrealloc(ps->e, ps->cap * sizeof(*ps->e));
	}
	ps->e[ps->ne].caller = a;
	ps->e[ps->ne].callee = b;
	ps->e[ps->ne].count = count;
	ps->ne++;
}

static int parse_instrument(struct pstate *ps, char *text, const char *path, double *duration, struct kc_err *err)
{
	char *line = text, *nl;
	int lineno = 0;

	if (strncmp(text, "# kcut-profile v1", 17))
		return kc_err_set(err, KC_EPARSE, "%s:1:1: not an instrument profile (expected '# kcut-profile v1' header)",
				  path);
	while (line && *line) {
		char a[256], b[256], num[64], extra[2], *end;
		long long n = -1;
		const char *d;

		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		lineno++;
		if (line[0] == '#') {
			d = strstr(line, "duration_s=");
			if (d)
				*duration = strtod(d + 11, NULL);
		} else if (strspn(line, " \t\r") != strlen(line)) {
			if (sscanf(line, "%255s %255s %63s %1s", a, b, num, extra) == 3 && isdigit((unsigned char)num[0])) {
				errno = 0;
				n = strtoll(num, &end, 10);
				if (*end)
					n = -1;
				else if (errno == ERANGE)
					n = KC_PART_PROFILE_COUNT_MAX; /* saturates, like the sums below */
			}
			if (n < 0)
				return kc_err_set(err, KC_EPARSE, "%s:%d:1: expected '<caller> <callee> <count>'", path, lineno);
			add_edge(ps, a, b, n);
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* ftrace function_graph: "<cpu>) <duration> | <indent>name() {" / "name();" / "}" */
#define MAX_CPU 1024
#define MAX_DEPTH 128

struct fstack {
	char *name[MAX_DEPTH];
	int depth;
};

static int parse_ftrace(struct pstate *ps, char *text, const char *path, double *duration, struct kc_err *err)
{
	struct fstack *cpus = kc_xcalloc(MAX_CPU, sizeof(struct fstack));
	char *line = text, *nl;
	int lineno = 0, seen = 0, rc = 0, i, j;
	double first_ts = -1, last_ts = -1;

	while (line && *line) {
		char *bar, *p, *paren;
		int cpu = 0;
		struct fstack *st;

		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		lineno++;
		if (line[0] == '#' || !(bar = strrchr(line, '|')))
			goto next;
		/* Optional leading timestamp ("12345.678901 |") and CPU column ("0)"). */
		p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (isdigit((unsigned char)*p)) {
			char *end;
			double v = strtod(p, &end);

			if (*end == ')') {
				cpu = (int)v;
			} else {
				if (first_ts < 0)
					first_ts = v;
				last_ts = v;
				p = end;
				while (*p && *p != ')' && p < bar) /* the CPU column, between the time and the call */
					p++;
				if (*p == ')') {
					char *q = p;

					while (q > line && isdigit((unsigned char)q[-1]))
						q--;
					cpu = atoi(q);
				}
			}
		}
		if (cpu < 0 || cpu >= MAX_CPU)
			cpu = 0;
		st = &cpus[cpu];
		/* The function column is after the last '|' (time, CPU and duration columns are before it). */
		p = bar + 1;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '}') {
			if (st->depth > 0)
				free(st->name[--st->depth]);
			goto next;
		}
		if (*p == '=' || *p == '-' || *p == '/' || !*p)
			goto next; /* "=> ..." context switches, "------" separators, comments */
		paren = strstr(p, "()");
		if (!paren || paren == p) {
			rc = kc_err_set(err, KC_EPARSE, "%s:%d:%d: expected 'name() {', 'name();' or '}'", path, lineno,
					(int)(p - line) + 1);
			goto cleanup;
		}
		*paren = 0;
		seen = 1;
		if (st->depth > 0)
			add_edge(ps, st->name[st->depth - 1], p, 1);
		if (strchr(paren + 2, '{')) {
			if (st->depth == MAX_DEPTH) {
				rc = kc_err_set(err, KC_EPARSE, "%s:%d: call nesting deeper than %d", path, lineno, MAX_DEPTH);
				goto cleanup;
			}
			st->name[st->depth++] = kc_xstrdup(p);
		}
next:
		line = nl ? nl + 1 : NULL;
	}
	if (!seen)
		rc = kc_err_set(err, KC_EPARSE, "%s: no function_graph entries found (is this ftrace function_graph output?)",
				path);
	if (last_ts > first_ts)
		*duration = last_ts - first_ts;
cleanup:
	for (i = 0; i < MAX_CPU; i++)
		for (j = 0; j < cpus[i].depth; j++)
			free(cpus[i].name[j]);
	free(cpus);
	return rc;
}

int kc_part_profile_import(struct kc_db *db, const char *path, int format, const char *name,
			   size_t *n_edges, struct kc_sb *unknown, struct kc_err *err)
{
	struct pstate ps = { 0 };
	sqlite3_stmt *st = NULL;
	char *text = NULL, *base = NULL;
	double duration = 0;
	long long pid;
	size_t i;
	int rc;

	*n_edges = 0;
	ps.s = kc_db_sqlite(db);
	rc = kc_read_file(&text, NULL, path, err);
	if (rc < 0)
		return rc;
	if (!name) {
		const char *slash = strrchr(path, '/');
		char *dot;

		base = kc_xstrdup(slash ? slash + 1 : path);
		dot = strrchr(base, '.');
		if (dot && dot != base)
			*dot = 0;
		name = base;
	}
	if (sqlite3_prepare_v2(ps.s, "SELECT id FROM func WHERE name = ? ORDER BY is_driver DESC, is_defined DESC, id LIMIT 1",
			       -1, &ps.lookup, NULL) != SQLITE_OK) {
		rc = kc_err_set(err, KC_EDB, "profile import: %s", sqlite3_errmsg(ps.s));
		goto cleanup;
	}
	rc = format == KC_PART_PROF_FTRACE ? parse_ftrace(&ps, text, path, &duration, err)
					   : parse_instrument(&ps, text, path, &duration, err);
	if (rc < 0)
		goto cleanup;
	rc = kc_db_exec(db, "BEGIN IMMEDIATE", err);
	if (rc < 0)
		goto cleanup;
	if (sqlite3_prepare_v2(ps.s, "DELETE FROM profile WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(ps.s, "INSERT INTO profile (name, format, source, duration_s) VALUES (?,?,?,?)", -1, &st,
			       NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, format == KC_PART_PROF_FTRACE ? "ftrace" : "instrument", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	if (duration > 0)
		sqlite3_bind_double(st, 4, duration);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	pid = sqlite3_last_insert_rowid(ps.s);
	if (sqlite3_prepare_v2(ps.s, "INSERT INTO profile_edge (profile_id, caller_id, callee_id, count) VALUES (?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	for (i = 0; i < ps.ne; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_int64(st, 2, ps.e[i].caller);
		sqlite3_bind_int64(st, 3, ps.e[i].callee);
		sqlite3_bind_int64(st, 4, ps.e[i].count);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto dberr;
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = kc_db_exec(db, "COMMIT", err);
	if (rc == 0)
		*n_edges = ps.ne;
	goto cleanup;
dberr:
	rc = kc_err_set(err, KC_EDB, "storing profile '%s': %s", name, sqlite3_errmsg(ps.s));
	sqlite3_finalize(st);
	kc_db_exec(db, "ROLLBACK", NULL);
cleanup:
	for (i = 0; i < ps.nunknown; i++) {
		if (unknown)
			kc_sb_addf(unknown, "%s\n", ps.unknown[i]);
		free(ps.unknown[i]);
	}
	free(ps.unknown);
	free(ps.e);
	sqlite3_finalize(ps.lookup);
	free(text);
	free(base);
	return rc;
}
