/*
 * model.c - the emitter's view of the program database (model.h): functions with their side in
 * the chosen partition, call edges, structs and fields, field accesses, the driver TUs.
 *
 * Everything is loaded once into flat arrays (drivers have hundreds of functions, not millions),
 * so the plan's decisions (plan.h) are plain loops that are easy to read and to test.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? kc_xstrdup((const char *)s) : NULL;
}

static int db_fail(struct kc_err *err, sqlite3 *db, const char *what)
{
	return kc_err_set(err, KC_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

void em_finding(struct em_model *m, const char *file, int line, int col, const char *fmt, ...)
{
	struct kc_sb sb = { 0 };
	uint64_t h;
	va_list ap;
	unsigned i;

	kc_sb_addf(&sb, "%s:%d:%d: error: ", file ? file : "<unknown>", line, col);
	va_start(ap, fmt);
	kc_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* both halves are generated from the same decisions: report each problem once */
	h = kc_hash64_update(KC_HASH64_INIT, sb.s, sb.len);
	for (i = 0; i < m->findings; i++)
		if (m->seen[i] == h) {
			kc_sb_free(&sb);
			return;
		}
	m->seen = kc_xrealloc(m->seen, (m->findings + 1) * sizeof(*m->seen));
	m->seen[m->findings++] = h;
	fprintf(m->diag, "%s\n", sb.s);
	kc_sb_free(&sb);
}

/* Binary search in the (id, index) pairs sorted by id. Functions themselves are kept in
 * (name, file, usr) order so that every generated list is stable across analyses: the ids the
 * analyzer assigns depend on the order parallel parses finish. */
int em_func_by_id(const struct em_model *m, int64_t id)
{
	int lo = 0, hi = m->nf_db - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (m->byid[mid].id == id)
			return m->byid[mid].idx;
		if (m->byid[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int cmp_byid(const void *a, const void *b)
{
	const struct em_byid *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Binary search in the USR index (built once by load_funcs). */
int em_func_by_usr(const struct em_model *m, const char *usr)
{
	int lo = 0, hi = m->nf_db - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(m->f[m->byusr[mid]].usr, usr);

		if (!c)
			return m->byusr[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* 1 if some function has this name: functions are sorted by name (SQLite's BINARY order is
 * memcmp order, the same as strcmp for the names C allows). */
int em_func_name_known(const struct em_model *m, const char *name)
{
	int lo = 0, hi = m->nf_db - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(m->f[mid].name, name);

		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

static int cmp_byusr(const void *a, const void *b, void *arg)
{
	const struct em_model *m = arg;

	return strcmp(m->f[*(const int *)a].usr, m->f[*(const int *)b].usr);
}

int em_struct_by_name(const struct em_model *m, const char *name)
{
	int i;

	if (!name)
		return -1;
	for (i = 0; i < m->ns; i++)
		if (!strcmp(m->s[i].name, name))
			return i;
	return -1;
}

struct em_field *em_field_by_name(const struct em_model *m, int st, const char *name)
{
	int i;

	if (st < 0)
		return NULL;
	for (i = 0; i < m->s[st].nfields; i++)
		if (!strcmp(m->s[st].fields[i].name, name))
			return &m->s[st].fields[i];
	return NULL;
}

/* File name without directory and extension, as a C identifier (malloc'd). */
static char *stem_of(const char *path)
{
	const char *b = strrchr(path, '/');
	char *s, *p;

	s = kc_xstrdup(b ? b + 1 : path);
	p = strrchr(s, '.');
	if (p)
		*p = 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	return s;
}

/* The partition's replicated functions (partition_replica; a database made before that table has
 * none). 0 or KC_EDB. */
static int load_replicas(struct em_model *m, sqlite3 *db, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, have = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'partition_replica'",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "reading replicated functions");
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!have)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT func_id FROM partition_replica WHERE partition_id = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(err, db, "reading replicated functions");
	sqlite3_bind_int64(st, 1, m->part_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i = em_func_by_id(m, sqlite3_column_int64(st, 0));

		if (i >= 0 && m->f[i].side == EM_KERNEL && m->f[i].is_defined)
			m->f[i].replica = 1;
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(err, db, "reading replicated functions");
	sqlite3_finalize(st);
	return rc;
}

/* Load every function with its side in the partition, sorted by (name, file, usr), and build
 * the id and USR indexes. 0 or KC_EDB. */
static int load_funcs(struct em_model *m, sqlite3 *db, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, cap = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT f.id, f.usr, f.name, fl.path, f.line, f.col, f.is_defined, f.is_driver, "
			       "f.is_static, f.is_variadic, f.address_taken, f.signature, pf.side, pf.reason || ': ' || COALESCE(pf.detail, '') "
			       "FROM func f LEFT JOIN file fl ON fl.id = f.file_id "
			       "LEFT JOIN partition_func pf ON pf.func_id = f.id AND pf.partition_id = ?1 "
			       "ORDER BY f.name, fl.path, f.usr",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "reading functions");
	sqlite3_bind_int64(st, 1, m->part_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct em_func *f;
		const char *side;

		if (m->nf == cap) {
			cap = cap ? cap * 2 : 64;
			m->f = kc_xrealloc(m->f, cap * sizeof(*m->f));
		}
		f = &m->f[m->nf++];
		memset(f, 0, sizeof(*f));
		f->id = sqlite3_column_int64(st, 0);
		f->usr = col_str(st, 1);
		f->name = col_str(st, 2);
		f->file = col_str(st, 3);
		f->line = sqlite3_column_int(st, 4);
		f->col = sqlite3_column_int(st, 5);
		f->is_defined = sqlite3_column_int(st, 6);
		f->is_driver = sqlite3_column_int(st, 7);
		f->is_static = sqlite3_column_int(st, 8);
		f->is_variadic = sqlite3_column_int(st, 9);
		f->address_taken = sqlite3_column_int(st, 10);
		f->signature = col_str(st, 11);
		side = (const char *)sqlite3_column_text(st, 12);
		f->side = !side ? EM_NONE : !strcmp(side, "kernel") ? EM_KERNEL : EM_USER;
		f->reason = col_str(st, 13);
		f->cross_id = -1;
		f->fp_id = -1;
		f->decl_tu = -1;
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(err, db, "reading functions");
	sqlite3_finalize(st);
	m->nf_db = m->nf;
	m->byid = kc_xcalloc((size_t)m->nf + 1, sizeof(*m->byid));
	for (cap = 0; cap < m->nf; cap++) {
		m->byid[cap].id = m->f[cap].id;
		m->byid[cap].idx = cap;
	}
	qsort(m->byid, (size_t)m->nf, sizeof(*m->byid), cmp_byid);
	m->byusr = kc_xcalloc((size_t)m->nf + 1, sizeof(*m->byusr));
	for (cap = 0; cap < m->nf; cap++)
		m->byusr[cap] = cap;
	qsort_r(m->byusr, (size_t)m->nf, sizeof(*m->byusr), cmp_byusr, m);
	if (rc == 0)
		rc = load_replicas(m, db, err);
	return rc;
}

/* Load the call edges in source order (stable across analyses). 0 or KC_EDB. */
static int load_calls(struct em_model *m, sqlite3 *db, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, cap = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT c.caller_id, c.callee_id, c.spin_held, c.locks_held, fl.path, c.line, c.col "
			       "FROM call c LEFT JOIN file fl ON fl.id = c.file_id ORDER BY fl.path, c.line, c.col, c.id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "reading calls");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct em_call *c;
		int a = em_func_by_id(m, sqlite3_column_int64(st, 0));
		int b = em_func_by_id(m, sqlite3_column_int64(st, 1));

		if (a < 0 || b < 0)
			continue;
		if (m->nc == cap) {
			cap = cap ? cap * 2 : 64;
			m->c = kc_xrealloc(m->c, cap * sizeof(*m->c));
		}
		c = &m->c[m->nc++];
		c->caller = a;
		c->callee = b;
		c->spin_held = sqlite3_column_int(st, 2);
		c->locks = col_str(st, 3);
		c->file = col_str(st, 4);
		c->line = sqlite3_column_int(st, 5);
		c->col = sqlite3_column_int(st, 6);
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(err, db, "reading calls");
	sqlite3_finalize(st);
	return rc;
}

/* Load structs and their fields, number the fields globally, resolve embedded and pointed-to
 * struct indexes and compute has_ptr. 0 or KC_EDB. */
static int load_structs(struct em_model *m, sqlite3 *db, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, i, j, g;

	if (sqlite3_prepare_v2(db, "SELECT s.name, s.kind, s.size, (SELECT COUNT(*) FROM field WHERE struct_id = s.id), s.id, "
				   "fl.path, s.line, s.is_driver FROM struct s LEFT JOIN file fl ON fl.id = s.file_id "
				   "ORDER BY s.name",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "reading structs");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct em_struct *s;

		m->s = kc_xrealloc(m->s, (m->ns + 1) * sizeof(*m->s));
		s = &m->s[m->ns++];
		memset(s, 0, sizeof(*s));
		s->name = col_str(st, 0);
		s->is_union = !strcmp((const char *)sqlite3_column_text(st, 1), "union");
		s->size = sqlite3_column_int(st, 2);
		s->nfields = 0;
		s->fields = kc_xcalloc((size_t)sqlite3_column_int(st, 3) + 1, sizeof(*s->fields));
		s->type_id = (int)sqlite3_column_int64(st, 4); /* temporarily: the DB id */
		s->file = col_str(st, 5);
		s->line = sqlite3_column_int(st, 6);
		s->is_driver = sqlite3_column_int(st, 7);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(err, db, "reading structs");
	if (sqlite3_prepare_v2(db, "SELECT name, type, kind, size, array_count, target FROM field "
				   "WHERE struct_id = ?1 ORDER BY idx",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "reading fields");
	for (i = 0; i < m->ns; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, m->s[i].type_id);
		m->s[i].type_id = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct em_field *f = &m->s[i].fields[m->s[i].nfields++];

			f->name = col_str(st, 0);
			f->type = col_str(st, 1);
			f->kind = col_str(st, 2);
			f->size = sqlite3_column_int(st, 3);
			f->array_count = sqlite3_column_int(st, 4);
			f->target = col_str(st, 5);
			f->st = i;
			f->target_st = -1;
			f->list_st = -1;
		}
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return db_fail(err, db, "reading fields");
		}
	}
	sqlite3_finalize(st);
	for (i = 0, g = 0; i < m->ns; i++)
		g += m->s[i].nfields;
	m->ngf = g;
	m->gf = kc_xcalloc((size_t)g + 1, sizeof(*m->gf));
	for (i = 0, g = 0; i < m->ns; i++)
		for (j = 0; j < m->s[i].nfields; j++) {
			struct em_field *f = &m->s[i].fields[j];

			f->gidx = g;
			m->gf[g++] = f;
			if (f->target && (!strcmp(f->kind, "pointer") || !strcmp(f->kind, "struct") ||
					  !strcmp(f->kind, "union") || !strcmp(f->kind, "array")))
				f->target_st = em_struct_by_name(m, f->target);
		}
	/* has_ptr: a fixed point over embedded structs. */
	for (g = 0; g < m->ns + 1; g++)
		for (i = 0; i < m->ns; i++)
			for (j = 0; j < m->s[i].nfields; j++) {
				struct em_field *f = &m->s[i].fields[j];

				if (!strcmp(f->kind, "pointer") || !strcmp(f->kind, "funcptr") ||
				    (f->target_st >= 0 && strcmp(f->kind, "pointer") && m->s[f->target_st].has_ptr) ||
				    (!strcmp(f->kind, "array") && strchr(f->type, '*')))
					m->s[i].has_ptr = 1;
			}
	/* bare: C code must spell the type by its typedef name (no struct tag of that name) */
	for (i = 0; i < m->ns; i++)
		for (j = 0; j < m->s[i].nfields; j++) {
			const struct em_field *f = &m->s[i].fields[j];
			const char *t = f->type;
			int k;

			if (!t || !strcmp(f->kind, "pointer"))
				continue;
			if (!strncmp(t, "const ", 6))
				t += 6;
			if (!strncmp(t, "struct ", 7) || !strncmp(t, "union ", 6))
				continue;
			k = em_struct_by_name(m, t);
			if (k >= 0)
				m->s[k].bare = 1;
		}
	return 0;
}

/*
 * An access to a member of a nested anonymous struct ("snd_ctl_elem_info::<anon@51>::<anon@52>",
 * ALSA's uinfo->value.integer.min) whose chain of anonymous types has a hole: the database has
 * no row for an intermediate type (the union <anon@51>), so the named field that embeds it
 * (snd_ctl_elem_info.value) has no target and the generator would not see the access. Returns
 * that embedding field, so the access counts for it: the generator then copies the whole
 * embedded object by value (docs/emitter.md, simsnd). NULL when there is no hole.
 */
static struct em_field *anon_hole(struct em_model *m, const char *sname)
{
	char child[512], parent[512];
	char *cut;
	int i, st;

	if (!sname || !strstr(sname, "::<anon@") || strlen(sname) >= sizeof(child))
		return NULL;
	snprintf(child, sizeof(child), "%s", sname);
	for (;;) {
		snprintf(parent, sizeof(parent), "%s", child);
		cut = strstr(parent, "::<anon@");
		if (!cut)
			return NULL;
		while (strstr(cut + 1, "::<anon@"))
			cut = strstr(cut + 1, "::<anon@");
		*cut = 0;
		st = em_struct_by_name(m, parent);
		if (st >= 0) {
			for (i = 0; i < m->s[st].nfields; i++) {
				struct em_field *f = &m->s[st].fields[i];

				if (f->target && !strcmp(f->target, child))
					return f->target_st < 0 && strcmp(child, sname) ? f : NULL;
			}
			return NULL;
		}
		snprintf(child, sizeof(child), "%s", parent);
	}
}

/* Add an access (func, every scalar/array field of struct st, recursively through embedded
 * structs) with mode bits. Pointers are left out: their shapes may be unknown. */
static void add_whole(struct em_model *m, int func, int st, int bits, int depth)
{
	int k;

	if (st < 0 || depth > 8)
		return;
	for (k = 0; k < m->s[st].nfields; k++) {
		struct em_field *fd = &m->s[st].fields[k];

		if (!strcmp(fd->kind, "struct") || !strcmp(fd->kind, "union")) {
			if (fd->target_st >= 0)
				add_whole(m, func, fd->target_st, bits, depth + 1);
			continue;
		}
		if (!strcmp(fd->kind, "pointer") || !strcmp(fd->kind, "funcptr"))
			continue;
		m->a = kc_xrealloc(m->a, (size_t)(m->na + 1) * sizeof(*m->a));
		m->a[m->na].func = func;
		m->a[m->na].gfield = fd->gidx;
		m->a[m->na].mode = bits;
		m->na++;
	}
}

/* A read or a write of a whole embedded struct (`runtime->hw = snd_simsnd_playback_hw`) reads or
 * writes each of its fields: record them (an 'addr' access is not expanded: taking the address
 * of an embedded object says nothing about which fields are used). */
static void expand_whole(struct em_model *m)
{
	int i, n = m->na;

	for (i = 0; i < n; i++) {
		struct em_field *fd = m->gf[m->a[i].gfield];

		if ((m->a[i].mode == EM_IN || m->a[i].mode == EM_OUT) &&
		    (!strcmp(fd->kind, "struct") || !strcmp(fd->kind, "union")) && fd->target_st >= 0)
			add_whole(m, m->a[i].func, fd->target_st, m->a[i].mode, 0);
	}
}

/* Load field accesses as (function, global field, EM_IN/EM_OUT bits). 0 or KC_EDB. */
static int load_access(struct em_model *m, sqlite3 *db, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, cap = 0;

	if (sqlite3_prepare_v2(db, "SELECT func_id, struct_name, field, mode FROM field_access ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(err, db, "reading field accesses");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int fi = em_func_by_id(m, sqlite3_column_int64(st, 0));
		int si = em_struct_by_name(m, (const char *)sqlite3_column_text(st, 1));
		struct em_field *fd = em_field_by_name(m, si, (const char *)sqlite3_column_text(st, 2));
		const char *mode = (const char *)sqlite3_column_text(st, 3);

		struct em_field *hole = anon_hole(m, (const char *)sqlite3_column_text(st, 1));
		int bits = !strcmp(mode, "read") ? EM_IN : !strcmp(mode, "write") ? EM_OUT : EM_IN | EM_OUT;

		/* the fields of a kernel-owned object (work_struct, timer_list, spinlock ...) are the
		 * kernel's: never copied in either direction, whatever a driver's inline expansion
		 * (INIT_WORK's stores) wrote into its own copy */
		if (fi < 0 || (!fd && !hole) || (si >= 0 && em_kernel_owned(m->s[si].name)))
			continue;
		if (m->na + 2 > cap) {
			cap = cap ? cap * 2 : 128;
			m->a = kc_xrealloc(m->a, cap * sizeof(*m->a));
		}
		if (fd) {
			m->a[m->na].func = fi;
			m->a[m->na].gfield = fd->gidx;
			m->a[m->na].mode = bits;
			m->na++;
		}
		if (hole) {
			m->a[m->na].func = fi;
			m->a[m->na].gfield = hole->gidx;
			m->a[m->na].mode = bits;
			m->na++;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(err, db, "reading field accesses");
	sqlite3_finalize(st);
	if (!rc)
		expand_whole(m);
	return rc;
}

/* Parse tu.args (a JSON array of strings) without a JSON library: the analyzer writes it with
 * "\\" and "\"" escapes only. */
static int parse_args(struct em_tu *t, const char *js)
{
	const char *p = js;

	while (*p && *p != '[')
		p++;
	if (*p++ != '[')
		return -1;
	for (;;) {
		struct kc_sb sb = { 0 };

		while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t')
			p++;
		if (*p == ']')
			return 0;
		if (*p++ != '"')
			return -1;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1]) {
				p++;
				kc_sb_addn(&sb, p, 1);
			} else {
				kc_sb_addn(&sb, p, 1);
			}
			p++;
		}
		if (*p++ != '"') {
			kc_sb_free(&sb);
			return -1;
		}
		t->args = kc_xrealloc(t->args, (t->nargs + 1) * sizeof(*t->args));
		t->args[t->nargs++] = sb.s ? kc_sb_steal(&sb) : kc_xstrdup("");
	}
}

/* Load the analyzed driver TUs with their stored arguments. KC_ENOTFOUND when there is none. */
static int load_tus(struct em_model *m, sqlite3 *db, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT t.id, f.path, t.directory, t.args FROM tu t JOIN file f ON f.id = t.file_id "
				   "WHERE f.is_driver = 1 AND t.status IN ('ok', 'errors') ORDER BY f.path",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "reading translation units");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct em_tu *t;

		m->tus = kc_xrealloc(m->tus, (m->ntu + 1) * sizeof(*m->tus));
		t = &m->tus[m->ntu++];
		memset(t, 0, sizeof(*t));
		t->id = sqlite3_column_int64(st, 0);
		t->file = col_str(st, 1);
		t->dir = col_str(st, 2);
		t->stem = stem_of(t->file);
		if (parse_args(t, (const char *)sqlite3_column_text(st, 3))) {
			rc = kc_err_set(err, KC_EDB, "translation unit %s: malformed stored arguments", t->file);
			sqlite3_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(err, db, "reading translation units");
	sqlite3_finalize(st);
	if (!rc && !m->ntu)
		rc = kc_err_set(err, KC_ENOTFOUND, "the database holds no analyzed driver translation unit");
	return rc;
}

int em_model_load(struct em_model *m, struct kc_db *kdb, const char *partition, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(kdb);
	sqlite3_stmt *st = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	m->db = kdb;
	m->diag = stderr;
	m->priv_owner_st = -1;
	m->priv_st = -1;
	m->part_name = kc_xstrdup(partition);
	if (sqlite3_prepare_v2(db, "SELECT id FROM partition WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "reading partitions");
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		m->part_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return kc_err_set(err, KC_ENOTFOUND, "no partition named '%s' (see kcut partition --name)",
				  partition);
	rc = load_funcs(m, db, err);
	if (!rc)
		rc = load_calls(m, db, err);
	if (!rc)
		rc = load_structs(m, db, err);
	if (!rc)
		rc = load_access(m, db, err);
	if (!rc)
		rc = load_tus(m, db, err);
	return rc;
}

static void type_free(struct em_type *t)
{
	free(t->spelling);
	free(t->sname);
	free(t->inner);
	free(t->count_expr);
}

void em_model_free(struct em_model *m)
{
	int i, j, k;

	for (i = 0; i < m->next; i++) {
		free(m->ext[i].callee);
		free(m->ext[i].file);
	}
	free(m->ext);
	for (i = 0; i < m->nf; i++) {
		struct em_func *f = &m->f[i];

		free(f->usr);
		free(f->name);
		free(f->file);
		free(f->signature);
		free(f->reason);
		free(f->idname);
		free(f->fset);
		free(f->why);
		free(f->pnull);
		for (j = 0; j < f->npass; j++)
			free(f->pass[j].callee);
		free(f->pass);
		for (j = 0; j < f->nregarg; j++) {
			free(f->regarg[j].sname);
			free(f->regarg[j].fname);
			free(f->regarg[j].path);
			free(f->regarg[j].file);
			free(f->regarg[j].why);
		}
		free(f->regarg);
		free(f->nonnull);
		for (j = 0; j < f->nparams; j++) {
			free(f->params[j].name);
			free(f->params[j].ext_src);
			free(f->params[j].ext_prop);
			type_free(&f->params[j].t);
		}
		free(f->params);
		type_free(&f->ret);
	}
	free(m->f);
	free(m->byid);
	free(m->byusr);
	for (i = 0; i < m->nc; i++) {
		free(m->c[i].locks);
		free(m->c[i].file);
	}
	free(m->c);
	for (i = 0; i < m->ns; i++) {
		for (j = 0; j < m->s[i].nfields; j++) {
			struct em_field *f = &m->s[i].fields[j];

			free(f->name);
			free(f->type);
			free(f->kind);
			free(f->target);
			free(f->shape_arg);
			free(f->shape_src);
			free(f->disc_name);
			free(f->arr_name);
			free(f->dmamap_at);
			free(f->elem_at);
			for (k = 0; k < f->disc_nev; k++)
				free(f->disc_ev[k]);
			free(f->disc_ev);
		}
		free(m->s[i].fields);
		free(m->s[i].name);
		free(m->s[i].file);
	}
	free(m->s);
	free(m->gf);
	free(m->a);
	for (i = 0; i < m->ntu; i++) {
		for (j = 0; j < m->tus[i].nargs; j++)
			free(m->tus[i].args[j]);
		free(m->tus[i].args);
		free(m->tus[i].file);
		free(m->tus[i].dir);
		free(m->tus[i].stem);
	}
	free(m->tus);
	for (i = 0; i < m->nann; i++) {
		free(m->ann[i].field);
		free(m->ann[i].arg);
		free(m->ann[i].lib);
		free(m->ann[i].note);
	}
	free(m->ann);
	free(m->seen);
	free(m->annot_path);
	free(m->part_name);
	free(m->devacc_why);
	memset(m, 0, sizeof(*m));
}
