/*
 * plan_cross.c - which functions cross and in which direction (and why), their ids, and the
 * field sets each crossing marshals (docs/emitter.md, "Function ids and dispatch tables",
 * "Field-sensitive marshaling"). The first step of the plan (plan.h); it needs the types the
 * scans recorded.
 */
#include <stdlib.h>
#include <string.h>

#include "kc_kapi.h"
#include "plan.h"

/* Keep the first reason found for f to cross (for interface.txt). */
static void set_why(struct em_func *f, const char *fmt, const char *a, const char *b)
{
	struct kc_sb sb = { 0 };

	if (f->why)
		return;
	kc_sb_addf(&sb, fmt, a, b ? b : "");
	f->why = kc_sb_steal(&sb);
}

/* Functions running on side `side` when called there: placed on it, replicated (a kernel-half
 * function whose copy the user half runs too), or unplaced but defined (header inline functions
 * run wherever they are called). */
static int runs_on(const struct em_func *f, enum em_side side)
{
	return f->side == side || (side == EM_USER && f->replica) ||
	       (f->side == EM_NONE && f->is_defined && !f->is_driver);
}

/* mark[i] = 1 for every function reachable from `from` without leaving `side`. */
void em_closure(const struct em_model *m, int from, enum em_side side, uint8_t *mark)
{
	int *stack = kc_xmalloc(((size_t)m->nf + 1) * sizeof(*stack));
	int sp = 0, i;

	memset(mark, 0, (size_t)m->nf);
	mark[from] = 1;
	stack[sp++] = from;
	while (sp) {
		int cur = stack[--sp];

		for (i = 0; i < m->nc; i++) {
			int cal = m->c[i].callee;

			if (m->c[i].caller != cur || mark[cal] || (side != EM_NONE && !runs_on(&m->f[cal], side)))
				continue;
			mark[cal] = 1;
			stack[sp++] = cal;
		}
	}
	free(stack);
}

static int cmp_name_file(const struct em_func *a, const struct em_func *b)
{
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return strcmp(a->file ? a->file : "", b->file ? b->file : "");
}

/* Assign ids 0..n-1 to the functions with flag (up/down/fp), sorted by (name, file). */
static int assign_ids(struct em_model *m, int which)
{
	int n = 0, i, j;
	int *v = kc_xmalloc(((size_t)m->nf + 1) * sizeof(*v));

	for (i = 0; i < m->nf; i++) {
		int on = which == 0 ? m->f[i].up : which == 1 ? m->f[i].down : m->f[i].fp_id == -2;

		if (on)
			v[n++] = i;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && cmp_name_file(&m->f[v[j - 1]], &m->f[v[j]]) > 0; j--) {
			int t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (which == 2)
			m->f[v[i]].fp_id = i;
		else
			m->f[v[i]].cross_id = i;
	}
	free(v);
	return n;
}

/* The name ids use for function i: its name, or name__stem when another crossing or
 * address-taken function has the same name (two static functions in two files). */
static void make_idname(struct em_model *m, int i)
{
	struct em_func *f = &m->f[i];
	int j, clash = 0;

	for (j = 0; j < m->nf; j++)
		if (j != i && (m->f[j].up || m->f[j].down || m->f[j].fp_id >= 0) && !strcmp(m->f[j].name, f->name))
			clash = 1;
	if (!clash || !f->file) {
		f->idname = kc_xstrdup(f->name);
	} else {
		const char *b = strrchr(f->file, '/');
		struct kc_sb sb = { 0 };
		const char *p;

		kc_sb_addf(&sb, "%s__", f->name);
		for (p = b ? b + 1 : f->file; *p && *p != '.'; p++)
			kc_sb_addn(&sb, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? p : "_", 1);
		f->idname = kc_sb_steal(&sb);
	}
}

/* Registered functions get function-pointer ids; user-half ones become upcalls (the kernel
 * calls them through the slot or the API they were registered with). 0 or KC_EDB. */
static int load_registrations(struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	int rc, i;

	if (sqlite3_prepare_v2(db, "SELECT r.func_id, r.kind, r.struct_name, r.field, r.api, f.usr FROM registration r "
				   "JOIN func f ON f.id = r.func_id LEFT JOIN file fl ON fl.id = r.file_id "
				   "ORDER BY fl.path, r.line, r.col, r.id",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kc_sb what = { 0 };
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *s = (const char *)sqlite3_column_text(st, 2);
		const char *fl = (const char *)sqlite3_column_text(st, 3);
		const char *api = (const char *)sqlite3_column_text(st, 4);

		i = em_func_by_usr(m, (const char *)sqlite3_column_text(st, 5));
		if (i < 0)
			continue;
		m->f[i].fp_id = -2;
		if (m->f[i].side != EM_USER)
			continue;
		m->f[i].up = 1;
		if (!strcmp(kind, "slot"))
			kc_sb_addf(&what, "%s.%s", s ? s : "?", fl ? fl : "?");
		else
			kc_sb_addf(&what, "%s", api ? api : "?");
		set_why(&m->f[i], "registered: %s%s", what.s ? what.s : "", NULL);
		kc_sb_free(&what);
	}
	rc = rc == SQLITE_DONE ? 0 : kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

/*
 * A variadic import whose last named parameter is a string (printk, dev_err, netdev_printk ...):
 * called from the user half it crosses with the message formatted there (see fmt_fwd).
 */
static int printf_like(const struct em_func *f)
{
	int i;

	if (!f->is_variadic || !f->have_types || f->nparams < 1 || f->params[f->nparams - 1].t.cls != EM_T_STRING)
		return 0;
	/* snprintf & co. format into a caller's buffer: they stay local */
	for (i = 0; i < f->nparams; i++)
		if (f->params[i].t.cls == EM_T_STRING && !f->params[i].t.pointee_const)
			return 0;
	return 1;
}

/*
 * A header inline function that calls into the kernel (netif_napi_add -> netif_napi_add_weight)
 * must not run on the user half's copies: it crosses as a whole (the user half renames it to
 * kcut_dc_<name>). Only when its signature can be marshaled; otherwise it stays local.
 */
static int inline_down(const struct em_func *f)
{
	int i;

	if (!f->local_def || !f->inl_kernel || f->is_variadic || !f->have_types)
		return 0;
	for (i = 0; i < f->nparams; i++)
		if (f->params[i].t.cls == EM_T_OTHER || f->params[i].t.cls == EM_T_PTR_PTR ||
		    f->params[i].t.cls == EM_T_STRV)
			return 0;
	return f->ret.cls != EM_T_OTHER && f->ret.cls != EM_T_PTR_SCALAR && f->ret.cls != EM_T_PTR_PTR &&
	       !(f->ret.cls == EM_T_FNPTR && strstr(f->ret.spelling, "(*"));
}

/* Set bits on every scalar, array and (recursively) embedded-struct field of struct st. */
static void whole_struct(const struct em_model *m, int st, uint8_t bits, uint8_t *fset, int depth)
{
	int k;

	if (st < 0 || depth > 8)
		return;
	for (k = 0; k < m->s[st].nfields; k++) {
		const struct em_field *fd = &m->s[st].fields[k];

		if (!strcmp(fd->kind, "struct") || !strcmp(fd->kind, "union")) {
			if (em_kernel_owned(fd->type))
				continue;
			if (fd->target_st >= 0)
				whole_struct(m, fd->target_st, bits, fset, depth + 1);
			else
				fset[fd->gidx] |= bits;
		} else if (strcmp(fd->kind, "pointer") && strcmp(fd->kind, "funcptr")) {
			fset[fd->gidx] |= bits;
		}
	}
}

/* A header inline function g (defined, not a driver function, so without field-access facts):
 * for each struct-pointer parameter of a pointer-free, non-kernel-owned struct, set every field
 * in fset as read, and as written unless the parameter points to const. */
static void inline_params(const struct em_model *m, const struct em_func *g, uint8_t *fset)
{
	int k, st;

	if (!g->is_defined || g->is_driver || !g->have_types || g->side != EM_NONE)
		return;
	for (k = 0; k < g->nparams; k++) {
		const struct em_type *t = &g->params[k].t;

		if (t->cls != EM_T_PTR_STRUCT || !t->sname || em_kernel_owned(t->sname))
			continue;
		st = em_struct_by_name(m, t->sname);
		if (st < 0 || m->s[st].has_ptr || !m->s[st].nfields)
			continue;
		whole_struct(m, st, (uint8_t)(EM_IN | (t->pointee_const ? 0 : EM_OUT)), fset, 0);
	}
}

int em_plan_crossings(struct em_model *m, struct kc_err *err)
{
	uint8_t *mark = kc_xmalloc((size_t)m->nf + 1);
	uint8_t *ureach = kc_xcalloc((size_t)m->nf + 1, 1);
	int i, j, rc;

	/* how the user half reaches the device (plan_region.c) */
	rc = em_plan_device_access(m, err);
	if (rc)
		goto cleanup;
	/* a bit operation works on the kernel's copy of the word (shared flag words, plan_global.c):
	 * from the user half it is a downcall */
	for (i = 0; i < m->nf; i++)
		if (m->f[i].local_def && em_word_op(m->f[i].name))
			m->f[i].inl_kernel = m->f[i].word_op = 1;
	rc = load_registrations(m, err);
	if (rc)
		goto cleanup;
	for (i = 0; i < m->nf; i++)
		if (m->f[i].address_taken && m->f[i].is_driver && m->f[i].is_defined)
			m->f[i].fp_id = -2;
	/* What user-half code can reach (for imports called through header inline functions). */
	for (i = 0; i < m->nf; i++) {
		if (m->f[i].side != EM_USER)
			continue;
		em_closure(m, i, EM_USER, mark);
		for (j = 0; j < m->nf; j++)
			ureach[j] |= mark[j];
	}
	for (i = 0; i < m->nc; i++) {
		struct em_call *c = &m->c[i];
		struct em_func *a = &m->f[c->caller], *b = &m->f[c->callee];

		if (a->side == EM_KERNEL && b->side == EM_USER) {
			b->up = 1;
			set_why(b, "called by %s%s", a->name, NULL);
		} else if (a->side == EM_USER && b->side == EM_KERNEL && !b->replica) {
			/* (a replicated callee: the user half calls its own copy) */
			b->down = 1;
			set_why(b, "called by %s%s", a->name, NULL);
		} else if (ureach[c->caller] && !b->is_defined && (!b->local_def || inline_down(b)) && b->have_types &&
			   !em_local_library(b->name) && !em_link_assert(b->name) && !em_fatal(b->name) &&
			   !(m->devacc != EM_DA_NONE && em_regio(b->name)) &&
			   (!b->is_variadic || printf_like(b))) {
			b->down = 1;
			b->fmt_fwd = b->is_variadic;
			set_why(b, "kernel import called by %s%s", a->name, NULL);
		}
	}
	m->nup = assign_ids(m, 0);
	m->ndown = assign_ids(m, 1);
	m->nfp = assign_ids(m, 2);
	for (i = 0; i < m->nf; i++) {
		struct em_func *f = &m->f[i];

		if (!f->up && !f->down && f->fp_id < 0)
			continue;
		make_idname(m, i);
		if (!f->up && !f->down)
			continue;
		f->fset = kc_xcalloc((size_t)m->ngf + 1, 1);
		if (!f->is_defined)
			continue;
		/* the whole call tree below F, nested crossings included: a field F's callee does not
		 * touch itself may be read by a function it calls back on the caller's half, and that
		 * call sends the callee's copy of it */
		em_closure(m, i, f->up ? EM_USER : EM_KERNEL, mark);
		for (j = 0; j < m->na; j++)
			if (mark[m->a[j].func])
				f->fset[m->a[j].gfield] |= (uint8_t)m->a[j].mode;
		/* header inline functions the closure calls (params_period_bytes(hw_params)) have no
		 * field-access facts: a pointer-free struct they take is read whole (and written
		 * whole unless the parameter points to const) */
		for (j = 0; j < m->nf; j++)
			if (mark[j] && j != i)
				inline_params(m, &m->f[j], f->fset);
		/* Fetch before write: a field the callee may write goes in too, so that the
		 * callee's copy is right where the write is conditional or partial. */
		for (j = 0; j < m->ngf; j++)
			if (f->fset[j] & EM_OUT)
				f->fset[j] |= EM_IN;
	}
	for (i = 0; i < m->nf; i++)
		if (m->f[i].fset && !m->f[i].is_defined && em_deallocator(m->f[i].name))
			for (j = 0; j < m->ngf; j++)
				m->f[i].fset[j] &= (uint8_t)~EM_OUT;
	/* Kernel imports called from the user half: for every upcall E whose user-half closure
	 * calls the import, what E's closure may have written goes in (the kernel's copy must see
	 * it) and what it may read comes back (the import may have changed it). */
	for (i = 0; i < m->nf; i++) {
		struct em_func *e = &m->f[i];
		int c;

		if (!e->up || !e->is_defined)
			continue;
		em_closure(m, i, EM_USER, mark);
		for (c = 0; c < m->nc; c++) {
			struct em_func *imp = &m->f[m->c[c].callee];

			if (!mark[m->c[c].caller] || !imp->down || imp->is_defined || !imp->fset)
				continue;
			for (j = 0; j < m->na; j++) {
				if (!mark[m->a[j].func])
					continue;
				if (m->a[j].mode & EM_OUT)
					imp->fset[m->a[j].gfield] |= EM_IN;
				if (m->a[j].mode & EM_IN)
					imp->fset[m->a[j].gfield] |= EM_OUT;
			}
		}
	}
	for (i = 0; i < m->nf; i++)
		if (m->f[i].fset && !m->f[i].is_defined && em_deallocator(m->f[i].name))
			for (j = 0; j < m->ngf; j++)
				m->f[i].fset[j] &= (uint8_t)~EM_OUT;
	/* Downcalls to kernel-half driver functions do not send fields that kernel-half code
	 * writes and no user-half function does: the user copy holds nothing newer than what the
	 * kernel sent (or zero, when it never came up), and sending it would overwrite the
	 * kernel's master copy (when snd_simsnd_create runs in the kernel and sets chip->regs,
	 * the user half's simsnd_read(chip, ..) must not send its NULL back). The same for fields
	 * of kernel structs no driver function writes: the kernel core's (net_device.napi_list).
	 * Fields of the driver's own structs that neither half writes as far as the facts go
	 * still go (writes through an alias, `u16 *p = &hw->x; *p = v`, are not facts). */
	{
		uint8_t *uw = kc_xcalloc((size_t)m->ngf + 1, 1);

		/* uw: 1 written by the kernel half only, 2 written by the user half */
		for (j = 0; j < m->na; j++)
			if (m->f[m->a[j].func].side == EM_KERNEL && (m->a[j].mode & EM_OUT) && !uw[m->a[j].gfield])
				uw[m->a[j].gfield] = 1;
		for (j = 0; j < m->na; j++)
			if (m->f[m->a[j].func].side == EM_USER && (m->a[j].mode & EM_OUT))
				uw[m->a[j].gfield] = 2;
		for (i = 0; i < m->nf; i++)
			if (m->f[i].fset && m->f[i].down && m->f[i].is_defined)
				for (j = 0; j < m->ngf; j++)
					if (uw[j] == 1 || (!uw[j] && !m->s[m->gf[j]->st].is_driver))
						m->f[i].fset[j] &= (uint8_t)~EM_IN;
		free(uw);
	}
cleanup:
	free(mark);
	free(ureach);
	return rc;
}

/* Kernel imports user-half code calls that do not cross: library routines on the user half's
 * own memory, variadic ones, or ones declared only inside a function (__compiletime_assert_N). */
void em_plan_local_imports(struct em_plan *p, const struct em_model *m)
{
	int i, c;

	for (i = 0; i < m->nf; i++) {
		if (m->f[i].is_defined || m->f[i].down ||
		    !(m->f[i].is_variadic || !m->f[i].have_types || em_local_library(m->f[i].name)))
			continue;
		for (c = 0; c < m->nc; c++)
			if (m->c[c].callee == i && m->f[m->c[c].caller].side == EM_USER)
				break;
		if (c == m->nc)
			continue;
		p->local_imports = kc_xrealloc(p->local_imports, (size_t)(p->nlocal_imports + 1) * sizeof(char *));
		p->local_imports[p->nlocal_imports++] = kc_xstrdup(m->f[i].name);
	}
	/* the machine-stopping ones the user half calls: defined in its kcut_user.c to end it */
	for (i = 0; i < m->nf; i++) {
		if (m->f[i].is_defined || m->f[i].down || !em_fatal(m->f[i].name))
			continue;
		for (c = 0; c < m->nc; c++)
			if (m->c[c].callee == i && m->f[m->c[c].caller].side == EM_USER)
				break;
		if (c == m->nc)
			continue;
		p->fatal = kc_xrealloc(p->fatal, (size_t)(p->nfatal + 1) * sizeof(int));
		p->fatal[p->nfatal++] = i;
	}
}

/*
 * Posted kernel calls (rt/kcut_rt.h, "Posted kernel calls"): a user-half call of a kernel import
 * on common/kc_kapi.c's list (frees, streaming DMA unmaps and syncs, log lines: the partitioner
 * prices the same list) is queued with the thread's posted register writes instead of waiting
 * for the kernel half. Only when nothing comes back: the import returns void, no parameter is an
 * out-parameter (a struct whose fields the callee writes, a non-const array, a T **), no driver
 * global is written back. Anything else on the list stays a downcall.
 */
void em_plan_posted(struct em_plan *p, const struct em_model *m)
{
	int i, j;

	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];
		struct em_pfunc *pf = &p->fn[i];
		int ok;

		if (!f->down || f->is_defined || !pf->params || !kc_kapi_posted(f->name))
			continue;
		ok = f->ret.cls == EM_T_VOID && !f->noreturn && !f->word_op && !pf->ret_region;
		for (j = 0; ok && j < f->nparams; j++) {
			const struct em_type *t = &f->params[j].t;

			if ((t->cls == EM_T_PTR_STRUCT && pf->params[j].out) || t->cls == EM_T_PTR_PTR ||
			    (t->cls == EM_T_PTR_SCALAR && !t->pointee_const))
				ok = 0;
		}
		for (j = 0; ok && j < pf->gset.n; j++)
			if (pf->gset.mode[j] & EM_OUT)
				ok = 0;
		pf->posted = ok;
	}
}
