/*
 * corpus.c - per-driver and per-family statistics over a corpus of kcut databases (`kcut stats`).
 *
 * Each module database is read through the partitioner's public API only: kc_part_graph_load gives
 * the driver functions, their LOC, the template roots and the templates' kernel rules; kc_part_solve
 * in min-cut mode with static weights gives the kernel half kcut splits off and the crossing edges,
 * then, with the kernel rules cleared, in propagation mode the critical functions as the paper
 * defines them (critical roots plus what they call: the Microdrivers splitter). Two SQL counts over the analyzer's schema add the TUs and the kernel
 * imports. A whole-tree database (one DB, tu.module set) gives one row per module: the same queries
 * restricted to that module (kc_part_graph_load_module). Rows are kept in memory and formatted as text, CSV, JSON (jansson) or Markdown.
 */
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "partitioner.h"

struct kc_corpus {
	struct kc_corpus_row *rows;
	size_t n, cap;
};

int kc_corpus_new(struct kc_corpus **out)
{
	*out = kc_xcalloc(1, sizeof(**out));
	return 0;
}

void kc_corpus_free(struct kc_corpus *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free((char *)c->rows[i].family);
		free((char *)c->rows[i].module);
		free((char *)c->rows[i].error);
	}
	free(c->rows);
	free(c);
}

void kc_corpus_add_row(struct kc_corpus *c, const struct kc_corpus_row *row)
{
	struct kc_corpus_row *r;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->rows = kc_xrealloc(c->rows, c->cap * sizeof(*c->rows));
	}
	r = &c->rows[c->n++];
	*r = *row;
	r->family = kc_xstrdup(row->family ? row->family : "?");
	r->module = kc_xstrdup(row->module ? row->module : "?");
	r->error = row->error ? kc_xstrdup(row->error) : NULL;
}

size_t kc_corpus_nrows(const struct kc_corpus *c) { return c->n; }

const struct kc_corpus_row *kc_corpus_row(const struct kc_corpus *c, size_t i)
{
	return i < c->n ? &c->rows[i] : NULL;
}

/* One integer from a query whose ?1, when present, is module (NULL binds NULL); -1 on error. */
static long long query_count(sqlite3 *s, const char *sql, const char *module)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (module && sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	return v;
}

/* Is fam one of the families the templates define? */
static int templates_know(const struct kc_part_templates *t, const char *fam)
{
	const char *f;
	size_t i;

	for (i = 0; fam && (f = kc_part_templates_family(t, i)); i++)
		if (!strcmp(f, fam))
			return 1;
	return 0;
}

/* Whole-tree database: TEMP tables and views named like the analyzer's tables, which SQLite
 * resolves before the main database's, holding only module's rows: its TUs, its functions and
 * globals (the rows keyed 'M:<module>|...', analyzer/visit.c), the rows of every table with a
 * func_id column and the calls of those functions (copied, with the main tables' indexes), its
 * structs and their fields (views: kernel structs, module '', are shared and large). Every query the
 * partitioner runs, the template rules included, then sees what a database of that module alone
 * holds, and costs what the module's rows cost. module NULL drops them. Returns 0 or KC_EDB. */
static int scope_module(struct kc_db *db, const char *module, struct kc_err *err)
{
	sqlite3 *s = kc_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	struct kc_sb sql = { 0 }, fids = { 0 };
	char *mod = NULL, *lo = NULL, *hi = NULL;
	int rc = 0, n = 0;

	/* what an earlier call made */
	if (sqlite3_prepare_v2(s, "SELECT type, name FROM sqlite_temp_master WHERE type IN ('table', 'view')",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(st) == SQLITE_ROW)
		kc_sb_addf(&sql, "DROP %s temp.\"%s\";", !strcmp((const char *)sqlite3_column_text(st, 0), "view") ?
			   "VIEW" : "TABLE", (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	st = NULL;
	if (!module)
		goto run;
	/* keys of the module: 'M:<module>|' <= usr < 'M:<module>}' ('}' follows '|') */
	mod = sqlite3_mprintf("%Q", module);
	lo = sqlite3_mprintf("'M:%q|'", module);
	hi = sqlite3_mprintf("'M:%q}'", module);
	kc_sb_addf(&fids, "(SELECT id FROM main.func WHERE usr >= %s AND usr < %s)", lo, hi);
	/* every main table: the filter that keeps the module's rows, or none (not copied) */
	if (sqlite3_prepare_v2(s, "SELECT m.name, (SELECT count(*) FROM pragma_table_info(m.name) WHERE name = 'func_id'), "
				  "(SELECT count(*) FROM pragma_table_info(m.name) WHERE name = 'id') "
				  "FROM main.sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%'",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		struct kc_sb where = { 0 };

		if (!strcmp(t, "tu"))
			kc_sb_addf(&where, "module = %s", mod);
		else if (!strcmp(t, "func") || !strcmp(t, "global"))
			kc_sb_addf(&where, "usr >= %s AND usr < %s", lo, hi);
		else if (!strcmp(t, "call") || !strcmp(t, "icall"))
			kc_sb_addf(&where, "caller_id IN %s", fids.s);
		else if (sqlite3_column_int(st, 1))
			kc_sb_addf(&where, "func_id IN %s", fids.s);
		if (where.s) {
			kc_sb_addf(&sql, "CREATE TEMP TABLE \"%s\" AS SELECT * FROM main.\"%s\" WHERE %s;", t, t, where.s);
			if (sqlite3_column_int(st, 2))
				kc_sb_addf(&sql, "CREATE UNIQUE INDEX temp.\"kc_scope_%s_id\" ON \"%s\"(id);", t, t);
			n++;
		}
		kc_sb_free(&where);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!n)
		goto run;
	kc_sb_addf(&sql,
		   "CREATE TEMP VIEW struct AS SELECT * FROM main.struct WHERE module IN ('', %s);"
		   "CREATE TEMP VIEW field AS SELECT * FROM main.field f WHERE "
		   "(SELECT module FROM main.struct WHERE id = f.struct_id) IN ('', %s);", mod, mod);
run:
	if (sql.s && (rc = kc_db_exec(db, sql.s, err)) != 0)
		goto out;
	if (module && n) {
		/* the main tables' indexes, on the copies */
		kc_sb_reset(&sql);
		if (sqlite3_prepare_v2(s, "SELECT name, tbl_name, substr(sql, instr(sql, '(')) FROM main.sqlite_master "
					  "WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
					  "(SELECT name FROM sqlite_temp_master WHERE type = 'table')", -1, &st, NULL) != SQLITE_OK)
			goto dberr;
		while (sqlite3_step(st) == SQLITE_ROW)
			kc_sb_addf(&sql, "CREATE INDEX temp.\"kc_scope_%s\" ON \"%s\"%s;",
				   (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
				   (const char *)sqlite3_column_text(st, 2));
		sqlite3_finalize(st);
		st = NULL;
		if (sql.s)
			rc = kc_db_exec(db, sql.s, err);
	}
	goto out;
dberr:
	rc = kc_err_set(err, KC_EDB, "%s: %s", kc_db_path(db), sqlite3_errmsg(s));
out:
	if (rc)
		kc_err_prefix(err, "scoping the whole-tree database to a module");
	sqlite3_finalize(st);
	sqlite3_free(mod);
	sqlite3_free(lo);
	sqlite3_free(hi);
	kc_sb_free(&fids);
	kc_sb_free(&sql);
	return rc;
}

/* The kernel side of kcut partition's default min-cut (device access forward) into row->fwd_*. */
static int add_forward(struct kc_corpus_row *row, struct kc_db *db, const struct kc_part_templates *t,
		       const struct kc_part_load *none, struct kc_err *err)
{
	struct kc_part_load lo = *none;
	struct kc_part_opts po = KC_PART_OPTS_INIT;
	struct kc_part_result *cut = NULL;
	struct kc_part_graph *g = NULL;
	struct kc_part_stats ps;
	int rc;

	lo.device_access = KC_PART_DEV_FORWARD;
	rc = kc_part_graph_load_ex(&g, db, t, &lo, err);
	if (rc)
		goto cleanup;
	po.mode = KC_PART_MINCUT;
	rc = kc_part_solve(&cut, g, &po, err);
	if (rc)
		goto cleanup;
	kc_part_result_stats(cut, &ps);
	row->fwd_funcs = ps.kernel_funcs;
	row->fwd_loc = ps.kernel_loc;
cleanup:
	kc_part_result_free(cut);
	kc_part_graph_free(g);
	return rc;
}

/* The row of one module: the whole database (tree_module NULL) or, in a whole-tree database, the
 * TUs whose tu.module is tree_module and the functions they define. Appends the row (an error row
 * on failure) and returns 0 or the negative KC_E* code. */
static int add_module(struct kc_corpus *c, const char *family, const char *module, struct kc_db *db,
		      const char *tree_module, const struct kc_part_templates *t, struct kc_err *err)
{
	struct kc_corpus_row row = { .family = family, .module = module };
	struct kc_part_opts po = KC_PART_OPTS_INIT;
	struct kc_part_load lo = KC_PART_LOAD_INIT;
	struct kc_part_result *prop = NULL, *cut = NULL;
	struct kc_part_graph *g = NULL;
	struct kc_part_stats ps;
	sqlite3 *s = kc_db_sqlite(db);
	const char *m = tree_module;
	long long v;
	size_t i, n;
	int rc = 0, atomic;

	v = query_count(s, m ? "SELECT count(*) FROM tu WHERE module = ?1" : "SELECT count(*) FROM tu", m);
	row.tus = v > 0 ? (size_t)v : 0;
	v = query_count(s, m ? "SELECT count(*) FROM tu WHERE status != 'ok' AND module = ?1"
			     : "SELECT count(*) FROM tu WHERE status != 'ok'", m);
	row.tus_bad = v > 0 ? (size_t)v : 0;
	v = query_count(s, m ?
			"SELECT count(DISTINCT c.callee_id) FROM tu JOIN func r ON r.tu_id = tu.id "
			"JOIN call c ON c.caller_id = r.id JOIN func e ON e.id = c.callee_id "
			"WHERE tu.module = ?1 AND r.is_driver = 1 AND e.is_driver = 0" :
			"SELECT count(DISTINCT c.callee_id) FROM call c JOIN func r ON r.id = c.caller_id "
			"JOIN func e ON e.id = c.callee_id WHERE r.is_driver = 1 AND e.is_driver = 0", m);
	if (v < 0) {
		rc = kc_err_set(err, KC_EDB, "%s: %s", kc_db_path(db), sqlite3_errmsg(s));
		goto cleanup;
	}
	row.imports = (size_t)v;

	/* device access none: the register/DMA kernel rules pin, as in the recorded corpus tables and the
	 * paper (kcut partition's default, forward, is a per-driver choice; docs/results.md) */
	lo.family = templates_know(t, family) ? family : NULL;
	lo.module = m;
	lo.device_access = KC_PART_DEV_NONE;
	rc = kc_part_graph_load_ex(&g, db, t, &lo, err);
	if (rc)
		goto cleanup;
	n = kc_part_graph_nfuncs(g);
	row.funcs = n;
	for (i = 0; i < n; i++) {
		row.loc += kc_part_graph_loc(g, (int)i);
		if (kc_part_graph_root_rule(g, (int)i, &atomic))
			row.roots++;
		if (kc_part_graph_kernel_rule(g, (int)i))
			row.pinned++;
	}
	if (n == 0)
		goto cleanup;
	/* the kernel half kcut splits off: min-cut, static weights, the templates' kernel rules */
	po.mode = KC_PART_MINCUT;
	rc = kc_part_solve(&cut, g, &po, err);
	if (rc)
		goto cleanup;
	kc_part_result_stats(cut, &ps);
	row.kern_funcs = ps.kernel_funcs;
	row.kern_loc = ps.kernel_loc;
	row.cut_edges = ps.cut_edges;
	/* kcut partition's default: the same min-cut with device access forward (the user half reaches
	 * the device through forwarded register access; other kernel rules, data-path state) */
	rc = add_forward(&row, db, t, &lo, err);
	if (rc)
		goto cleanup;
	/* the paper's critical functions: roots and what they call (with the atomic / lock closure),
	 * so without the kernel rules, which pin what touches the device */
	kc_part_graph_clear_kernel_rules(g);
	po.mode = KC_PART_PROPAGATE;
	rc = kc_part_solve(&prop, g, &po, err);
	if (rc)
		goto cleanup;
	kc_part_result_stats(prop, &ps);
	row.crit_funcs = ps.kernel_funcs;
	row.crit_loc = ps.kernel_loc;
cleanup:
	if (rc) {
		struct kc_corpus_row bad = { .family = family, .module = module, .error = err->msg };

		kc_corpus_add_row(c, &bad);
	} else {
		kc_corpus_add_row(c, &row);
	}
	kc_part_result_free(prop);
	kc_part_result_free(cut);
	kc_part_graph_free(g);
	return rc;
}

int kc_corpus_add_db(struct kc_corpus *c, const char *family, const char *module, const char *db_path,
		     const struct kc_part_templates *t, struct kc_err *err)
{
	struct kc_db *db = NULL;
	int rc;

	rc = kc_db_open(&db, db_path, KC_DB_READONLY, err);
	if (rc) {
		struct kc_corpus_row bad = { .family = family, .module = module, .error = err->msg };

		kc_corpus_add_row(c, &bad);
		return rc;
	}
	rc = add_module(c, family, module, db, NULL, t, err);
	kc_db_close(db);
	return rc;
}

/* module -> family pairs of a whole-tree run, sorted by module for bsearch. */
struct fam_pair {
	char *module, *family;
};

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct fam_pair *)a)->module, ((const struct fam_pair *)b)->module);
}

/* Load "MODULE<TAB>FAMILY[<TAB>...]" lines (scripts/linux-corpus.sh's modules.tsv). A line without a
 * tab fails with path:line. */
static int load_families(struct fam_pair **out, size_t *nout, const char *path, struct kc_err *err)
{
	char *buf = NULL, *line, *save = NULL;
	struct fam_pair *v = NULL;
	size_t n = 0, len, lineno = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	rc = kc_read_file(&buf, &len, path, err);
	if (rc)
		return rc;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *end;

		lineno++;
		if (!*line || *line == '#')
			continue;
		if (!tab || tab == line || tab[1] == '\0' || tab[1] == '\t') {
			rc = kc_err_set(err, KC_EPARSE, "%s:%zu: expected MODULE<TAB>FAMILY", path, lineno);
			goto cleanup;
		}
		*tab = '\0';
		end = strchr(tab + 1, '\t');
		if (end)
			*end = '\0';
		v = kc_xrealloc(v, (n + 1) * sizeof(*v));
		v[n].module = kc_xstrdup(line);
		v[n].family = kc_xstrdup(tab + 1);
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_pair);
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
cleanup:
	while (n--) {
		free(v[n].module);
		free(v[n].family);
	}
	free(v);
	free(buf);
	return rc;
}

int kc_corpus_count_modules(size_t *out, const char *db_path, struct kc_err *err)
{
	struct kc_db *db = NULL;
	long long v;
	int rc;

	*out = 0;
	rc = kc_db_open(&db, db_path, KC_DB_READONLY, err);
	if (rc)
		return rc;
	v = query_count(kc_db_sqlite(db), "SELECT count(DISTINCT module) FROM tu", NULL);
	if (v < 0)
		rc = kc_err_set(err, KC_EDB, "%s: %s", db_path, sqlite3_errmsg(kc_db_sqlite(db)));
	else
		*out = (size_t)v;
	kc_db_close(db);
	return rc;
}

struct tree_mod {
	char *module;
	const char *family;
};

static int cmp_tree_mod(const void *a, const void *b)
{
	const struct tree_mod *x = a, *y = b;
	int d = strcmp(x->family, y->family);

	return d ? d : strcmp(x->module, y->module);
}

int kc_corpus_add_tree(struct kc_corpus *c, const char *db_path, const char *families_tsv,
		       const char *only_family, const struct kc_part_templates *t, size_t *n_failed,
		       struct kc_err *err)
{
	struct fam_pair *fams = NULL, key, *hit;
	struct tree_mod *mods = NULL;
	size_t nfam = 0, nmod = 0, i, j;
	struct kc_db *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	*n_failed = 0;
	if (families_tsv) {
		rc = load_families(&fams, &nfam, families_tsv, err);
		if (rc)
			return rc;
	}
	rc = kc_db_open(&db, db_path, KC_DB_READONLY, err);
	if (rc)
		goto cleanup;
	if (sqlite3_prepare_v2(kc_db_sqlite(db), "SELECT DISTINCT module FROM tu WHERE module IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = kc_err_set(err, KC_EDB, "%s: %s", db_path, sqlite3_errmsg(kc_db_sqlite(db)));
		goto cleanup;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		mods = kc_xrealloc(mods, (nmod + 1) * sizeof(*mods));
		mods[nmod].module = kc_xstrdup((const char *)sqlite3_column_text(st, 0));
		key.module = mods[nmod].module;
		hit = nfam ? bsearch(&key, fams, nfam, sizeof(*fams), cmp_pair) : NULL;
		mods[nmod].family = hit ? hit->family : !nfam && only_family ? only_family : "-";
		nmod++;
	}
	if (rc != SQLITE_DONE) {
		rc = kc_err_set(err, KC_EDB, "%s: %s", db_path, sqlite3_errmsg(kc_db_sqlite(db)));
		goto cleanup;
	}
	rc = 0;
	if (!nmod) {
		rc = kc_err_set(err, KC_ENOTFOUND, "%s: no translation unit has a module (not a whole-tree "
				"database: analyze with `kcut analyze --module-map`)", db_path);
		goto cleanup;
	}
	/* rows in (family, module) order, like a corpus directory */
	qsort(mods, nmod, sizeof(*mods), cmp_tree_mod);
	for (i = 0, j = 0; i < nmod; i++) {
		struct kc_err e2 = { 0 };

		if (only_family && strcmp(only_family, mods[i].family))
			continue;
		j++;
		rc = scope_module(db, mods[i].module, &e2);
		if (rc == 0)
			rc = add_module(c, mods[i].family, mods[i].module, db, mods[i].module, t, &e2);
		else
			kc_corpus_add_row(c, &(struct kc_corpus_row){ .family = mods[i].family,
								       .module = mods[i].module, .error = e2.msg });
		if (rc)
			(*n_failed)++;
	}
	rc = scope_module(db, NULL, err);
	if (rc)
		goto cleanup;
	if (!j)
		rc = kc_err_set(err, KC_ENOTFOUND, "%s: no module of family %s", db_path, only_family);
cleanup:
	sqlite3_finalize(st);
	kc_db_close(db);
	for (i = 0; i < nmod; i++)
		free(mods[i].module);
	free(mods);
	for (i = 0; i < nfam; i++) {
		free(fams[i].module);
		free(fams[i].family);
	}
	free(fams);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir ending with suffix ("" = subdirectories). *out NULL-terminated, caller frees. */
static int list_dir(char ***out, size_t *nout, const char *dir, const char *suffix, struct kc_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0, ls = strlen(suffix);

	*out = NULL;
	*nout = 0;
	if (!d)
		return kc_err_set(err, KC_EIO, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if (ls) {
			if (l <= ls || strcmp(e->d_name + l - ls, suffix))
				continue;
		} else {
			char *p = kc_path_join(dir, e->d_name);
			DIR *sub = opendir(p);

			free(p);
			if (!sub)
				continue;
			closedir(sub);
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = kc_xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = kc_xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	*nout = n;
	return 0;
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int kc_corpus_add_dir(struct kc_corpus *c, const char *dir, const char *only_family,
		      const struct kc_part_templates *t, size_t *n_failed, struct kc_err *err)
{
	char **fams = NULL, **dbs = NULL;
	size_t nf = 0, nd = 0, i, j, added = 0;
	int rc;

	*n_failed = 0;
	rc = list_dir(&fams, &nf, dir, "", err);
	if (rc)
		return rc;
	for (i = 0; i < nf; i++) {
		char *fdir;

		if (only_family && strcmp(only_family, fams[i]))
			continue;
		fdir = kc_path_join(dir, fams[i]);
		rc = list_dir(&dbs, &nd, fdir, ".db", err);
		if (rc) {
			free(fdir);
			goto cleanup;
		}
		for (j = 0; j < nd; j++) {
			char *p = kc_path_join(fdir, dbs[j]);
			struct kc_err e2 = { 0 };

			dbs[j][strlen(dbs[j]) - 3] = '\0';
			if (kc_corpus_add_db(c, fams[i], dbs[j], p, t, &e2))
				(*n_failed)++;
			added++;
			free(p);
		}
		free_list(dbs, nd);
		dbs = NULL;
		free(fdir);
	}
	if (!added)
		rc = kc_err_set(err, KC_ENOTFOUND, "%s: no <family>/<module>.db database%s%s", dir,
				only_family ? " for family " : "", only_family ? only_family : "");
cleanup:
	free_list(fams, nf);
	return rc;
}

static void row_add(struct kc_corpus_row *a, const struct kc_corpus_row *r)
{
	a->tus += r->tus;
	a->tus_bad += r->tus_bad;
	a->funcs += r->funcs;
	a->loc += r->loc;
	a->roots += r->roots;
	a->crit_funcs += r->crit_funcs;
	a->crit_loc += r->crit_loc;
	a->kern_funcs += r->kern_funcs;
	a->kern_loc += r->kern_loc;
	a->fwd_funcs += r->fwd_funcs;
	a->fwd_loc += r->fwd_loc;
	a->imports += r->imports;
	a->pinned += r->pinned;
	a->cut_edges += r->cut_edges;
}

/* Number of drivers summed into a total row travels in this out-parameter-free helper. */
static size_t total_rows(struct kc_corpus_row *out, const struct kc_corpus *c, const char *family)
{
	size_t i, n = 0;

	memset(out, 0, sizeof(*out));
	out->family = family ? family : "all";
	out->module = "";
	for (i = 0; i < c->n; i++) {
		if (c->rows[i].error || (family && strcmp(family, c->rows[i].family)))
			continue;
		row_add(out, &c->rows[i]);
		n++;
	}
	return n;
}

int kc_corpus_total(struct kc_corpus_row *out, const struct kc_corpus *c, const char *family)
{
	total_rows(out, c, family);
	return 0;
}

static double pct(double a, double b) { return b > 0 ? 100.0 * a / b : 0.0; }

/* Output columns, shared by every format. */
static const char *const cols[] = {
	"family", "driver", "drivers", "tus", "tus_bad", "functions", "loc", "roots", "critical_functions",
	"critical_functions_pct", "critical_loc", "critical_loc_pct", "mincut_kernel_functions",
	"mincut_kernel_loc", "mincut_kernel_loc_pct", "kernel_imports", "crossing_edges",
	"kernel_rule_functions", "forward_kernel_functions", "forward_kernel_loc", "forward_kernel_loc_pct",
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* The values of one row as strings (v[NCOLS], each freed by the caller); drivers = rows summed. */
static void row_values(char **v, const struct kc_corpus_row *r, size_t drivers, int is_total)
{
	struct kc_sb sb = { 0 };
	size_t k = 0;

#define PUT(...) do { kc_sb_addf(&sb, __VA_ARGS__); v[k++] = kc_sb_steal(&sb); } while (0)
	PUT("%s", r->family);
	PUT("%s", is_total ? "" : r->module);
	PUT("%zu", drivers);
	PUT("%zu", r->tus);
	PUT("%zu", r->tus_bad);
	PUT("%zu", r->funcs);
	PUT("%ld", r->loc);
	PUT("%zu", r->roots);
	PUT("%zu", r->crit_funcs);
	PUT("%.1f", pct((double)r->crit_funcs, (double)r->funcs));
	PUT("%ld", r->crit_loc);
	PUT("%.1f", pct((double)r->crit_loc, (double)r->loc));
	PUT("%zu", r->kern_funcs);
	PUT("%ld", r->kern_loc);
	PUT("%.1f", pct((double)r->kern_loc, (double)r->loc));
	PUT("%zu", r->imports);
	PUT("%zu", r->cut_edges);
	PUT("%zu", r->pinned);
	PUT("%zu", r->fwd_funcs);
	PUT("%ld", r->fwd_loc);
	PUT("%.1f", pct((double)r->fwd_loc, (double)r->loc));
#undef PUT
	kc_sb_free(&sb);
}

/* Distinct families of the rows, in first-seen order (the rows are in family order). */
static size_t families(const char **out, size_t max, const struct kc_corpus *c, const char *only)
{
	size_t i, j, n = 0;

	for (i = 0; i < c->n; i++) {
		if (only && strcmp(only, c->rows[i].family))
			continue;
		for (j = 0; j < n && strcmp(out[j], c->rows[i].family); j++)
			;
		if (j == n && n < max)
			out[n++] = c->rows[i].family;
	}
	return n;
}

static void csv_field(struct kc_sb *out, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		kc_sb_add(out, s);
		return;
	}
	kc_sb_add(out, "\"");
	for (; *s; s++) {
		if (*s == '"')
			kc_sb_add(out, "\"");
		kc_sb_addn(out, s, 1);
	}
	kc_sb_add(out, "\"");
}

/* Append one formatted line (or JSON object) for a row. */
static void emit(struct kc_sb *out, json_t *arr, int format, char **v, const char *error)
{
	size_t k;

	switch (format) {
	case KC_CORPUS_CSV:
		for (k = 0; k < NCOLS; k++) {
			if (k)
				kc_sb_add(out, ",");
			csv_field(out, v[k]);
		}
		kc_sb_add(out, ",");
		csv_field(out, error ? error : "");
		kc_sb_add(out, "\n");
		break;
	case KC_CORPUS_MARKDOWN:
		kc_sb_add(out, "|");
		for (k = 0; k < NCOLS; k++)
			kc_sb_addf(out, " %s |", v[k]);
		kc_sb_addf(out, " %s |\n", error ? error : "");
		break;
	case KC_CORPUS_JSON: {
		json_t *o = json_object();

		for (k = 0; k < NCOLS; k++) {
			if (k < 2)
				json_object_set_new(o, cols[k], json_string(v[k]));
			else if (strchr(v[k], '.'))
				json_object_set_new(o, cols[k], json_real(strtod(v[k], NULL)));
			else
				json_object_set_new(o, cols[k], json_integer(strtoll(v[k], NULL, 10)));
		}
		json_object_set_new(o, "error", error ? json_string(error) : json_null());
		json_array_append_new(arr, o);
		break;
	}
	default:
		if (error) {
			kc_sb_addf(out, "%-6s %-24s error: %s\n", v[0], v[1], error);
			break;
		}
		kc_sb_addf(out, "%-6s %-24s %5s %5s %7s %8s %6s %6s %6s%% %7s %6s%% %7s %6s%% %7s %6s %6s\n",
			   v[0], v[1], v[2], v[3], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[13], v[14], v[15],
			   v[16], v[17]);
	}
}

int kc_corpus_format(struct kc_sb *out, const struct kc_corpus *c, int format, int per_driver,
		     const char *family, struct kc_err *err)
{
	const char *fams[256];
	json_t *drivers = NULL, *fam_arr = NULL;
	char *v[NCOLS];
	size_t nf, i, k;

	if (format < KC_CORPUS_TEXT || format > KC_CORPUS_MARKDOWN)
		return kc_err_set(err, KC_EINVAL, "unknown output format %d", format);
	nf = families(fams, 256, c, family);
	if (!nf)
		return kc_err_set(err, KC_ENOTFOUND, "no driver%s%s in the corpus", family ? " of family " : "",
				  family ? family : "");
	switch (format) {
	case KC_CORPUS_CSV:
		for (k = 0; k < NCOLS; k++)
			kc_sb_addf(out, "%s,", cols[k]);
		kc_sb_add(out, "error\n");
		break;
	case KC_CORPUS_MARKDOWN:
		kc_sb_add(out, "|");
		for (k = 0; k < NCOLS; k++)
			kc_sb_addf(out, " %s |", cols[k]);
		kc_sb_add(out, " error |\n|");
		for (k = 0; k <= NCOLS; k++)
			kc_sb_add(out, k < 2 || k == NCOLS ? "---|" : "---:|");
		kc_sb_add(out, "\n");
		break;
	case KC_CORPUS_JSON:
		drivers = json_array();
		fam_arr = json_array();
		break;
	default:
		kc_sb_addf(out, "%-6s %-24s %5s %5s %7s %8s %6s %7s %7s %7s %7s %7s %7s %7s %6s %6s\n", "family",
			   "driver", "drv", "TUs", "funcs", "LOC", "roots", "crit", "crit%", "critLOC",
			   "cLOC%", "kernLOC", "kLOC%", "imports", "cross", "pinned");
	}
	if (per_driver) {
		for (i = 0; i < c->n; i++) {
			const struct kc_corpus_row *r = &c->rows[i];

			if (family && strcmp(family, r->family))
				continue;
			row_values(v, r, 1, 0);
			emit(out, drivers, format, v, r->error);
			for (k = 0; k < NCOLS; k++)
				free(v[k]);
		}
	}
	for (i = 0; i <= nf; i++) {
		struct kc_corpus_row t;
		size_t nd;

		if (i == nf && (family || nf == 1))
			break;
		nd = total_rows(&t, c, i < nf ? fams[i] : NULL);
		row_values(v, &t, nd, 1);
		emit(out, fam_arr, format, v, NULL);
		for (k = 0; k < NCOLS; k++)
			free(v[k]);
	}
	if (format == KC_CORPUS_JSON) {
		json_t *root = json_object();
		size_t nerr = 0;
		char *s;

		for (i = 0; i < c->n; i++)
			nerr += c->rows[i].error && (!family || !strcmp(family, c->rows[i].family));
		json_object_set_new(root, "families", fam_arr);
		if (per_driver)
			json_object_set_new(root, "drivers", drivers);
		else
			json_decref(drivers);
		json_object_set_new(root, "drivers_failed", json_integer((json_int_t)nerr));
		s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
		kc_sb_add(out, s);
		kc_sb_add(out, "\n");
		free(s);
		json_decref(root);
	}
	return 0;
}
