/*
 * plan_recover.c - what the kernel half re-sends to a restarted user half (docs/emitter.md,
 * "After a restart"; gen_recover.c prints the protocol).
 *
 * The user half holds copies of kernel objects (one per tracker handle); a restarted user half
 * has none, and until an object's fields cross again its fresh copy is zeros, which a downcall
 * could send back over the kernel's master copy. The supervisor's recovery hook re-sends every
 * live object of a struct type with recovery helpers, with every field the old user half could
 * have held: the in and out sets of every upcall and the out sets of every downcall.
 *
 * That field set is a synthetic crossing function ("recovery", model index m->nf, not counted in
 * m->nf): the ordinary marshaling helpers (plan_marshal.c) encode and decode it. Only structs the
 * user half can reach again through a crossing pointer field are re-sent (rec_reachable). Each
 * struct's helpers live in the first TU whose kernel half's helpers already use that struct (so
 * the struct is complete there).
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* Anonymous structs and unions are stored as 'outer::<anon@LINE>'. */
static int rec_anon(const char *name)
{
	return strchr(name, '<') || strchr(name, ':');
}

/* Would marshaling refuse field f (report a finding)? Such fields stay out of the recovery set: a
 * crossing that needs one is refused anyway, and the recovery must not add new findings. */
static int rec_refused(const struct em_model *m, const struct em_field *f)
{
	const struct em_struct *t = f->target_st >= 0 ? &m->s[f->target_st] : NULL;
	const struct em_struct *own = &m->s[f->st];

	if (own->is_union && own->has_ptr)
		return 1;
	if (!strcmp(f->kind, "pointer"))
		return f->shape == EM_S_LIST || f->shape == EM_S_UNION ||
		       (f->shape == EM_S_STRUCT && (!t || rec_anon(t->name)));
	if (!strcmp(f->kind, "array")) {
		if ((t && !strchr(f->type, '*') && !rec_anon(t->name) && !t->is_union) || em_handle_array(f))
			return 0;
		return strchr(f->type, '*') || (t && t->has_ptr);
	}
	return 0;
}

int em_rec_refused(const struct em_model *m, const struct em_field *f)
{
	return rec_refused(m, f);
}

/* Can the user half find an object of struct st again after the call that brought it? Only
 * through a pointer field that crosses (adapter->netdev, adapter->pdev) or as the object behind
 * a private area. Objects that only ever cross as call arguments (an ethtool_drvinfo on the
 * caller's stack) are not re-sent: they may be gone, and the next call that needs one brings it. */
static int rec_reachable(const struct em_plan *p, const struct em_model *m, int st)
{
	const uint8_t *fs = m->f[p->rec_fn].fset;
	int k;

	if (st == m->priv_owner_st)
		return 1;
	for (k = 0; k < m->ngf; k++)
		if (fs[k] && m->gf[k]->target_st == st && !strcmp(m->gf[k]->kind, "pointer") &&
		    m->gf[k]->shape == EM_S_STRUCT)
			return 1;
	return 0;
}

/* Add the synthetic "recovery" function at m->f[m->nf] (m->f grows by one; nothing may hold a
 * pointer into it across this call). Its field set: every upcall's in and out sets and every
 * downcall's out set, minus what marshaling refuses. */
void em_plan_recover(struct em_plan *p, struct em_model *m)
{
	struct em_func *r;
	int i, k;

	m->f = kc_xrealloc(m->f, (size_t)(m->nf + 1) * sizeof(*m->f));
	r = &m->f[m->nf];
	memset(r, 0, sizeof(*r));
	r->name = "recovery";
	r->idname = "_recover";
	r->cross_id = -1;
	r->fp_id = -1;
	r->fset = kc_xcalloc((size_t)m->ngf + 1, 1);
	for (i = 0; i < m->nf; i++) {
		/* upcalls: what the user half's code reads or writes; downcalls: what comes back */
		int want = m->f[i].up ? EM_IN | EM_OUT : m->f[i].down ? EM_OUT : 0;

		if (!m->f[i].fset || !want)
			continue;
		for (k = 0; k < m->ngf; k++)
			if ((m->f[i].fset[k] & want) && !rec_refused(m, m->gf[k]))
				r->fset[k] = EM_IN | EM_OUT;
	}
	p->rec_fn = m->nf;
	p->rec_tu = kc_xcalloc((size_t)m->ns + 1, sizeof(*p->rec_tu));
}

/*
 * The structs whose recovery helpers file pf carries. The kernel half of a TU picks them (the
 * structs its helpers so far use, with a tracker type, not picked by an earlier TU); the user
 * half of the same TU (planned next) carries the same ones.
 */
void em_plan_recover_pick(struct em_plan *p, const struct em_model *m, struct em_pfile *pf)
{
	int i;

	if (pf->half == EM_KERNEL)
		for (i = 0; i < pf->nhelp; i++) {
			int st = pf->help[i].st;

			if (p->rec_tu[st] || !m->s[st].type_id || rec_anon(m->s[st].name) || !rec_reachable(p, m, st) ||
			    !em_plan_nonempty(m, p->rec_fn, st, EM_IN))
				continue;
			p->rec_tu[st] = pf->tu + 1;
		}
	for (i = 0; i < m->ns; i++)
		if (p->rec_tu[i] == pf->tu + 1) {
			pf->rec = kc_xrealloc(pf->rec, (size_t)(pf->nrec + 1) * sizeof(*pf->rec));
			pf->rec[pf->nrec++] = i;
		}
}

/* ---- ops tables refused while no user half runs (struct em_guard) ---- */

static void guard_clear(struct em_guard *g)
{
	int i;

	free(g->var);
	free(g->sname);
	for (i = 0; i < g->nuser; i++)
		free(g->user_ops[i]);
	free(g->user_ops);
	for (i = 0; i < g->nkernel; i++)
		free(g->kernel_ops[i]);
	free(g->kernel_ops);
}

void em_plan_guards_free(struct em_pfile *pf)
{
	int i;

	for (i = 0; i < pf->nguards; i++)
		guard_clear(&pf->guards[i]);
	free(pf->guards);
	pf->guards = NULL;
	pf->nguards = 0;
}

/* Ops structs whose kernel core calls a begin op before every request (and complete after it):
 * Linux's dev_ethtool and ethnl_ops_begin. */
static const char *const guard_structs[] = { "ethtool_ops", NULL };

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static size_t skip_ws(const char *t, size_t i, size_t n)
{
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* Is text offset off inside a function definition of the TU? */
static int in_def(const struct em_scan *s, size_t off)
{
	int i;

	for (i = 0; i < s->ndefs; i++)
		if (off >= s->defs[i].start && off < s->defs[i].body_end)
			return 1;
	return 0;
}

/* The offset just after the '{' of `var = {` at file scope, 0 when there is none. */
static size_t guard_init(const struct em_scan *s, const char *var)
{
	size_t vl = strlen(var), i, j;
	const char *t = s->text;

	for (i = 0; i + vl < s->len; i++) {
		if (memcmp(t + i, var, vl) || (i && ident_char(t[i - 1])) || ident_char(t[i + vl]) || in_def(s, i))
			continue;
		j = skip_ws(t, i + vl, s->len);
		if (j >= s->len || t[j] != '=')
			continue;
		j = skip_ws(t, j + 1, s->len);
		if (j < s->len && t[j] == '{')
			return j + 1;
	}
	return 0;
}

/* In the initializer from init on, the value of a top-level ".begin =": [*b, *e), else 0. */
static void guard_begin_at(const struct em_scan *s, size_t init, size_t *b, size_t *e)
{
	const char *t = s->text;
	size_t i, j;
	int depth = 1;

	*b = *e = 0;
	for (i = init; i < s->len && depth > 0; i++) {
		if (t[i] == '{' || t[i] == '(')
			depth++;
		else if (t[i] == '}' || t[i] == ')')
			depth--;
		else if (depth == 1 && t[i] == '.' && i + 6 <= s->len && !memcmp(t + i + 1, "begin", 5) &&
			 !ident_char(t[i + 6])) {
			j = skip_ws(t, i + 6, s->len);
			if (j >= s->len || t[j] != '=')
				continue;
			j = skip_ws(t, j + 1, s->len);
			*b = j;
			while (j < s->len && (ident_char(t[j]) || t[j] == '&'))
				j++;
			*e = j;
			return;
		}
	}
}

static void guard_add_op(char ***v, int *n, const char *slot, const char *fn)
{
	struct kc_sb sb = { 0 };

	kc_sb_addf(&sb, "%s=%s", slot, fn);
	*v = kc_xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	(*v)[(*n)++] = kc_sb_steal(&sb);
}

/* The guard of table var (struct sname) of TU tu in the kernel-half pfile of that TU, made on
 * first use. */
static struct em_guard *guard_get(struct em_plan *p, int tu, const char *var, const char *sname)
{
	struct em_pfile *pf = &p->files[2 * tu];
	struct em_guard *g;
	int i;

	for (i = 0; i < pf->nguards; i++)
		if (!strcmp(pf->guards[i].var, var))
			return &pf->guards[i];
	pf->guards = kc_xrealloc(pf->guards, (size_t)(pf->nguards + 1) * sizeof(*pf->guards));
	g = &pf->guards[pf->nguards++];
	memset(g, 0, sizeof(*g));
	g->var = kc_xstrdup(var);
	g->sname = kc_xstrdup(sname);
	g->begin_fn = -1;
	return g;
}

/*
 * Which ops tables get a begin hook: every table of a guard_structs type (a global the TU
 * defines, filled by a designated initializer) with at least one op the user half serves (an
 * upcall): while no user half runs, such an op cannot answer, and one returning void cannot
 * say so. The hook goes into the table's initializer in the kernel half; a driver's own begin is
 * called by it (its text in the initializer is replaced by the hook's name). A table whose
 * initializer is not found, or that is filled at run time, keeps no hook: a note says so.
 */
int em_plan_guards(struct em_plan *p, struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	int rc, i, j, k;

	if (sqlite3_prepare_v2(db, "SELECT f.usr, r.struct_name, r.field, r.var, r.tu_id, fl.path, r.line, r.col "
				   "FROM registration r JOIN func f ON f.id = r.func_id LEFT JOIN file fl ON fl.id = r.file_id "
				   "WHERE r.kind = 'slot' AND r.var IS NOT NULL AND r.by_func_id IS NULL "
				   "ORDER BY fl.path, r.line, r.col, r.id",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int fi = em_func_by_usr(m, (const char *)sqlite3_column_text(st, 0));
		const char *sn = (const char *)sqlite3_column_text(st, 1);
		const char *slot = (const char *)sqlite3_column_text(st, 2);
		const char *var = (const char *)sqlite3_column_text(st, 3);
		int64_t tid = sqlite3_column_int64(st, 4);
		struct em_guard *g;
		int tu = -1, known = 0;

		for (k = 0; guard_structs[k]; k++)
			known |= sn && !strcmp(sn, guard_structs[k]);
		if (fi < 0 || !known || !slot || !var)
			continue;
		for (i = 0; i < m->ntu && tu < 0; i++)
			if (m->tus[i].id == tid)
				for (j = 0; j < m->scans[i].nglobals; j++)
					if (!strcmp(m->scans[i].globals[j], var))
						tu = i;
		if (tu < 0 || 2 * tu >= p->nfiles)
			continue;
		g = guard_get(p, tu, var, sn);
		if (!strcmp(slot, "begin"))
			g->begin_fn = fi;
		if (m->f[fi].up)
			guard_add_op(&g->user_ops, &g->nuser, slot, m->f[fi].name);
		else
			guard_add_op(&g->kernel_ops, &g->nkernel, slot, m->f[fi].name);
		if (!g->init && !g->bval) {
			g->init = guard_init(&m->scans[tu], var);
			if (!g->init)
				g->bval = 1; /* looked for and not found: no hook (init 0), not looked for again */
			else
				guard_begin_at(&m->scans[tu], g->init, &g->bval, &g->bend);
			if (!g->init && m->diag) /* a note, not a finding: the emit goes on without the hook */
				fprintf(m->diag,
					"%s:%d:%d: note: no initializer `%s = { ... }` found: requests on %s are not refused "
					"while the user half is down\n",
					sqlite3_column_text(st, 5) ? (const char *)sqlite3_column_text(st, 5) : "<unknown>",
					sqlite3_column_int(st, 6), sqlite3_column_int(st, 7), var, var);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	/* keep the tables with a user-half op and an initializer */
	for (i = 0; i < p->nfiles; i += 2) {
		struct em_pfile *pf = &p->files[i];

		for (j = k = 0; j < pf->nguards; j++) {
			struct em_guard g = pf->guards[j];

			if (g.nuser && g.init && pf->half == EM_KERNEL && pf->wrap_frees)
				pf->guards[k++] = g;
			else
				guard_clear(&g);
		}
		pf->nguards = k;
	}
	return 0;
}
