/*
 * decide.c - the emitter's decisions over the loaded model: which functions cross and in which
 * direction (and why), their ids, the field sets each crossing marshals, pointer shapes, and the
 * two safety rules checked again here (no upcall with a spinlock held or from atomic context;
 * no user-half dereference of DMA-coherent memory). docs/emitter.md states the rules in prose.
 */
#include <stdlib.h>
#include <string.h>

#include "emit_int.h"

/* Keep the first reason found for f to cross (for interface.txt). */
static void set_why(struct em_func *f, const char *fmt, const char *a, const char *b)
{
	struct kc_sb sb = { 0 };

	if (f->why)
		return;
	kc_sb_addf(&sb, fmt, a, b ? b : "");
	f->why = kc_sb_steal(&sb);
}

/* Functions running on side `side` when called there: placed on it, or unplaced but defined
 * (header inline functions run wherever they are called). */
static int runs_on(const struct em_func *f, enum em_side side)
{
	return f->side == side || (f->side == EM_NONE && f->is_defined && !f->is_driver);
}

/* mark[i] = 1 for every function reachable from `from` without leaving `side`. */
static void closure(const struct em_model *m, int from, enum em_side side, uint8_t *mark)
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
 * Kernel functions that free their first argument: nothing of it comes back (the handler would read
 * freed memory), and the kernel half forgets its handle before the call (see gen_handler).
 */
int em_deallocator(const char *name)
{
	static const char *const names[] = {
		"consume_skb", "dev_kfree_skb", "dev_kfree_skb_any", "dev_kfree_skb_irq", "free_netdev", "kfree",
		"kfree_sensitive", "kfree_skb", "kvfree", "vfree", "snd_card_free", "snd_card_free_when_closed",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/*
 * Library routines that only work on the memory their caller passes (string.h, formatting into a
 * buffer, number parsing): the user half runs them locally on its own copies, never as downcalls
 * (a downcall would need every argument to be an object the kernel half knows).
 */
int em_local_library(const char *name)
{
	static const char *const names[] = {
		"memchr", "memcmp", "memcpy", "memmove", "memscan", "memset", "scnprintf", "snprintf", "sprintf",
		"sscanf", "strcasecmp", "strcat", "strchr", "strcmp", "strcpy", "strcspn", "strlcat", "strlcpy",
		"strlen", "strncasecmp", "strncat", "strncmp", "strncpy", "strnlen", "strpbrk", "strrchr",
		"strscpy", "strsep", "strspn", "strstr", "vscnprintf", "vsnprintf", "vsprintf",
	};
	size_t i;

	if (!strncmp(name, "kstrto", 6) || !strncmp(name, "simple_strto", 12))
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
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

/*
 * An annotation "func.param array N" (N a constant) for a pointer-to-integer parameter of a
 * function: the parameter crosses as N elements (eth_hw_addr_set(dev, addr): 6 bytes) instead of
 * one. Returns 1 when it named such a parameter.
 */
static int annot_param(struct em_model *m, const struct em_annot *a)
{
	const char *dot = strrchr(a->field, '.');
	char *e;
	long v;
	int i, j, hit = 0;

	if (a->shape != EM_S_ARRAY || !a->arg)
		return 0;
	v = strtol(a->arg, &e, 0);
	if (a->arg[0] == '(')
		v = -2; /* a C expression of the other parameters */
	else if (e == a->arg || *e)
		v = -1; /* the name of another parameter, the element count */
	else if (v <= 0 || v > 65536)
		return 0;
	for (i = 0; i < m->nf; i++) {
		struct em_func *f = &m->f[i];

		if (strncmp(f->name, a->field, (size_t)(dot - a->field)) || f->name[dot - a->field])
			continue;
		/* a void * parameter with a length (ndo_set_mac_address's struct sockaddr) crosses
		 * as that many bytes */
		for (j = 0; j < f->nparams; j++)
			if (f->params[j].t.cls == EM_T_VOIDPTR && v != -1 && f->params[j].name &&
			    !strcmp(f->params[j].name, dot + 1)) {
				f->params[j].t.cls = EM_T_PTR_SCALAR;
				f->params[j].t.pointee_const = !strncmp(f->params[j].t.spelling, "const ", 6);
				free(f->params[j].t.sname);
				f->params[j].t.sname = kc_xstrdup("unsigned char");
			}
		for (j = 0; j < f->nparams; j++)
			if ((f->params[j].t.cls == EM_T_PTR_SCALAR || f->params[j].t.cls == EM_T_STRV) &&
			    f->params[j].name &&
			    !strcmp(f->params[j].name, dot + 1)) {
				int k;

				for (k = 0; v < 0 && k < j; k++)
					if (f->params[k].t.cls == EM_T_INT && !strcmp(f->params[k].name, a->arg)) {
						f->params[j].t.count_param = k + 1;
						hit = 1;
					}
				if (v > 0) {
					f->params[j].t.count = (int)v;
					hit = 1;
				}
				if (v == -2) {
					free(f->params[j].t.count_expr);
					f->params[j].t.count_expr = kc_xstrdup(a->arg);
					hit = 1;
				}
			}
	}
	return hit;
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

int em_model_crossings(struct em_model *m, struct kc_err *err)
{
	uint8_t *mark = kc_xmalloc((size_t)m->nf + 1);
	uint8_t *ureach = kc_xcalloc((size_t)m->nf + 1, 1);
	int i, j, rc;

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
		closure(m, i, EM_USER, mark);
		for (j = 0; j < m->nf; j++)
			ureach[j] |= mark[j];
	}
	for (i = 0; i < m->nc; i++) {
		struct em_call *c = &m->c[i];
		struct em_func *a = &m->f[c->caller], *b = &m->f[c->callee];

		if (a->side == EM_KERNEL && b->side == EM_USER) {
			b->up = 1;
			set_why(b, "called by %s%s", a->name, NULL);
		} else if (a->side == EM_USER && b->side == EM_KERNEL) {
			b->down = 1;
			set_why(b, "called by %s%s", a->name, NULL);
		} else if (ureach[c->caller] && !b->is_defined && (!b->local_def || inline_down(b)) && b->have_types &&
			   !em_local_library(b->name) &&
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
		closure(m, i, f->up ? EM_USER : EM_KERNEL, mark);
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
		closure(m, i, EM_USER, mark);
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

/* Last identifier of an access expression: "ring->count" -> "count", "64" -> NULL (constant). */
static char *last_member(const char *e, long *cst)
{
	const char *p, *end;
	char *q;

	*cst = -1;
	if (!e)
		return NULL;
	*cst = strtol(e, &q, 0);
	if (q != e && *q == 0 && *cst > 0)
		return NULL;
	*cst = -1;
	end = e + strlen(e);
	while (end > e && (end[-1] == ' ' || end[-1] == ')'))
		end--;
	p = end;
	while (p > e && ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z') ||
			 (p[-1] >= '0' && p[-1] <= '9') || p[-1] == '_'))
		p--;
	if (p == end || p == e || !(p[-1] == '.' || (p[-1] == '>' && p - 1 > e && p[-2] == '-')))
		return NULL;
	q = kc_xmalloc((size_t)(end - p) + 1);
	memcpy(q, p, (size_t)(end - p));
	q[end - p] = 0;
	return q;
}

/* Is a field type (as the database spells it) a pointer to (const) char? */
static int is_char_ptr(const char *t)
{
	if (!strncmp(t, "const ", 6))
		t += 6;
	return !strcmp(t, "char *") || !strcmp(t, "unsigned char *") || !strcmp(t, "signed char *");
}

/* Set the shape of f with its argument and a note saying where it came from. */
static void set_shape(struct em_field *f, enum em_shape s, const char *arg, const char *src)
{
	f->shape = s;
	free(f->shape_arg);
	f->shape_arg = arg ? kc_xstrdup(arg) : NULL;
	free(f->shape_src);
	f->shape_src = kc_xstrdup(src);
}

/* Is field f an embedded union holding pointers without a discriminator shape? Such a union
 * cannot cross: gen_marshal.c refuses it. */
int em_union_needs_disc(const struct em_model *m, const struct em_field *f)
{
	const struct em_struct *t;
	int i, handles = 1;

	if (strcmp(f->kind, "union") || f->target_st < 0 || f->shape == EM_S_UNION || f->shape == EM_S_OPAQUE ||
	    em_kernel_owned(f->type))
		return 0;
	t = &m->s[f->target_st];
	/* one member: nothing aliases (ens1371's ensoniq.u has only es1371) */
	if (!t->is_union || !t->has_ptr || t->nfields < 2)
		return 0;
	/* every member a pointer sent as a handle only: one handle (gen_marshal.c) */
	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].kind, "pointer") ||
		    (t->fields[i].shape != EM_S_OPAQUE && t->fields[i].shape != EM_S_DMA &&
		     t->fields[i].shape != EM_S_MMIO))
			handles = 0;
	return !handles;
}

/* Does the field set fs touch a data pointer (kind "pointer") inside struct st, through embedded
 * structs and unions? A union without a discriminator may still cross member by member when no
 * crossing reads or writes a pointer in it: only pointers can leak a kernel address. */
int em_touches_ptr(const struct em_model *m, const uint8_t *fs, int st, int depth)
{
	int i;

	if (st < 0 || depth > 8)
		return 0;
	for (i = 0; i < m->s[st].nfields; i++) {
		const struct em_field *f = &m->s[st].fields[i];

		if (!strcmp(f->kind, "pointer") && fs[f->gidx])
			return 1;
		if ((!strcmp(f->kind, "struct") || !strcmp(f->kind, "union")) &&
		    em_touches_ptr(m, fs, f->target_st, depth + 1))
			return 1;
	}
	return 0;
}

/* Is member a case of the union field f (shape union, "DISC VALUE=MEMBER ...")? */
int em_union_case(const struct em_field *f, const char *member)
{
	const char *p;
	size_t n = strlen(member);

	if (f->shape != EM_S_UNION || !f->shape_arg)
		return 0;
	for (p = strchr(f->shape_arg, '='); p; p = strchr(p + 1, '='))
		if (!strncmp(p + 1, member, n) && (p[1 + n] == ' ' || !p[1 + n]))
			return 1;
	return 0;
}

/* Mark in `need` the pointer fields a crossing of fn would have to marshal without a usable
 * shape: reachable from a struct-pointer parameter through embedded structs and followed
 * pointers, accessed by the callee side, and of unknown (or not generated) shape. */
static void reach_unknown(const struct em_model *m, int fn, int st, uint8_t *visiting, uint8_t *need)
{
	const uint8_t *fs = m->f[fn].fset;
	int i;

	if (st < 0 || visiting[st])
		return;
	visiting[st] = 1;
	for (i = 0; i < m->s[st].nfields; i++) {
		const struct em_field *f = &m->s[st].fields[i];

		if (em_union_needs_disc(m, f)) {
			if (em_touches_ptr(m, fs, f->target_st, 0))
				need[f->gidx] = 1;
		} else if (!strcmp(f->kind, "union") && f->shape == EM_S_UNION && f->target_st >= 0) {
			/* only the members named in a case ever cross */
			int j;

			for (j = 0; j < m->s[f->target_st].nfields; j++) {
				const struct em_field *mf = &m->s[f->target_st].fields[j];

				if (!em_union_case(f, mf->name))
					continue;
				if (!strcmp(mf->kind, "struct") || !strcmp(mf->kind, "union"))
					reach_unknown(m, fn, mf->target_st, visiting, need);
				else if (!strcmp(mf->kind, "pointer") && fs[mf->gidx] && mf->shape == EM_S_UNKNOWN)
					need[mf->gidx] = 1;
				else if (!strcmp(mf->kind, "pointer") && fs[mf->gidx] && mf->shape == EM_S_STRUCT)
					reach_unknown(m, fn, mf->target_st, visiting, need);
			}
		} else if (!strcmp(f->kind, "struct") && f->shape == EM_S_LIST && f->list_st >= 0) {
			reach_unknown(m, fn, f->list_st, visiting, need); /* the elements */
		} else if (!strcmp(f->kind, "union") && f->shape == EM_S_OPAQUE) {
			continue; /* a union of pointers crossing as one handle: no member is followed */
		} else if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union") ||
		    (!strcmp(f->kind, "array") && !strchr(f->type, '*')))
			reach_unknown(m, fn, f->target_st, visiting, need);
		else if (!strcmp(f->kind, "pointer") && fs[f->gidx]) {
			if (f->shape == EM_S_UNKNOWN)
				need[f->gidx] = 1;
			else if (f->shape == EM_S_STRUCT || f->shape == EM_S_LIST)
				reach_unknown(m, fn, f->target_st, visiting, need);
		}
	}
	visiting[st] = 0;
}

/* The crossing functions that need field fd (see reach_unknown), ', '-separated; their count. */
int em_needed_by(const struct em_model *m, const struct em_field *fd, struct kc_sb *sb)
{
	uint8_t *visiting = kc_xcalloc((size_t)m->ns + 1, 1);
	uint8_t *need = kc_xcalloc((size_t)m->ngf + 1, 1);
	int i, j, n = 0;

	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];

		if (!f->fset || (!f->fset[fd->gidx] && strcmp(fd->kind, "union")))
			continue;
		memset(need, 0, (size_t)m->ngf + 1);
		for (j = 0; j < f->nparams; j++)
			if (f->params[j].t.cls == EM_T_PTR_STRUCT)
				reach_unknown(m, i, em_struct_by_name(m, f->params[j].t.sname), visiting, need);
		if (!need[fd->gidx])
			continue;
		kc_sb_addf(sb, "%s%s", n ? ", " : "", f->name);
		n++;
	}
	free(visiting);
	free(need);
	return n;
}

/* Check a union annotation "S.F union DISC VALUE=MEMBER ...": F is an embedded union of S, DISC an
 * integer field of S, every MEMBER a member of the union. Reports at the annotation's line. */
static int union_annot_ok(struct em_model *m, const struct em_field *f, const struct em_annot *a)
{
	const char *arg = a->arg ? a->arg : "";
	size_t dl = strcspn(arg, " ");
	char disc[256], mem[256];
	const struct em_field *d;
	const char *p;
	int ncase = 0;

	if (strcmp(f->kind, "union") || f->target_st < 0 || !m->s[f->target_st].is_union) {
		em_finding(m, m->annot_path, a->line, 1, "union annotation: %s is not an embedded union whose members are known",
			   a->field);
		return 0;
	}
	snprintf(disc, sizeof(disc), "%.*s", (int)dl, arg);
	d = em_field_by_name(m, f->st, disc);
	if (!d || (strcmp(d->kind, "scalar") && strcmp(d->kind, "enum") && strcmp(d->kind, "bitfield"))) {
		em_finding(m, m->annot_path, a->line, 1, "union discriminator '%s' is not an integer field of struct %s",
			   disc, m->s[f->st].name);
		return 0;
	}
	for (p = strchr(arg, ' '); p; p = strchr(p + 1, ' ')) {
		const char *eq = strchr(p + 1, '=');
		size_t ml = strcspn(eq + 1, " ");

		snprintf(mem, sizeof(mem), "%.*s", (int)ml, eq + 1);
		if (!em_field_by_name(m, f->target_st, mem)) {
			em_finding(m, m->annot_path, a->line, 1, "union case: '%s' is not a member of %s", mem,
				   m->s[f->target_st].name);
			return 0;
		}
		ncase++;
	}
	if (!ncase) {
		em_finding(m, m->annot_path, a->line, 1,
			   "union annotation for %s lists no VALUE=MEMBER case (which member is active for which "
			   "value of %s)", a->field, disc);
		return 0;
	}
	return 1;
}

int em_model_shapes(struct em_model *m, int report, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	int i, rc, unknown = 0;

	/* 1. structural facts */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];

		if (!strcmp(f->kind, "funcptr"))
			set_shape(f, EM_S_FNPTR, NULL, "type");
		else if (!strcmp(f->kind, "pointer") && f->target_st >= 0)
			set_shape(f, EM_S_STRUCT, NULL, "type");
	}
	/* 2. shape evidence (the strongest first: casts decide the pointee of void *) */
	if (sqlite3_prepare_v2(db, "SELECT e.struct_name, e.field, e.evidence, e.detail FROM shape_evidence e "
				   "LEFT JOIN file fl ON fl.id = e.file_id ORDER BY fl.path, e.line, e.col, e.id", -1,
			       &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct em_field *f = em_field_by_name(m, em_struct_by_name(m, (const char *)sqlite3_column_text(st, 0)),
						      (const char *)sqlite3_column_text(st, 1));
		const char *ev = (const char *)sqlite3_column_text(st, 2);
		const char *detail = (const char *)sqlite3_column_text(st, 3);

		if (!f || strcmp(f->kind, "pointer") || f->shape == EM_S_STRUCT)
			continue;
		if (!strcmp(ev, "cast") && detail && !strncmp(detail, "struct ", 7)) {
			char name[256];
			size_t n = strcspn(detail + 7, " *");

			if (n < sizeof(name)) {
				memcpy(name, detail + 7, n);
				name[n] = 0;
				f->target_st = em_struct_by_name(m, name);
				if (f->target_st >= 0)
					set_shape(f, EM_S_STRUCT, name, "cast");
			}
		} else if (!strcmp(ev, "string_fn") && f->shape == EM_S_UNKNOWN) {
			set_shape(f, EM_S_STRING, NULL, "string function");
		} else if ((!strcmp(ev, "list_head") || !strcmp(ev, "next_traversal")) && f->shape == EM_S_UNKNOWN) {
			set_shape(f, EM_S_LIST, detail, ev);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
	/* 3. allocation sites stored into fields */
	if (sqlite3_prepare_v2(db, "SELECT a.allocator, a.count_expr, a.store_struct, a.store_field, fl.path, a.line "
				   "FROM alloc a LEFT JOIN file fl ON fl.id = a.file_id "
				   "WHERE a.store_kind = 'field' ORDER BY fl.path, a.line, a.col, a.id",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading allocation sites: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *alloc = (const char *)sqlite3_column_text(st, 0);
		const char *cnt = (const char *)sqlite3_column_text(st, 1);
		struct em_field *f = em_field_by_name(m, em_struct_by_name(m, (const char *)sqlite3_column_text(st, 2)),
						      (const char *)sqlite3_column_text(st, 3));
		const char *path = (const char *)sqlite3_column_text(st, 4);
		char src[512];
		long cst;
		char *len;

		if (!f || strcmp(f->kind, "pointer"))
			continue;
		snprintf(src, sizeof(src), "%s at %s:%d", alloc, path ? path : "?", sqlite3_column_int(st, 5));
		if (strstr(alloc, "dma_alloc_coherent") || strstr(alloc, "dma_pool") || strstr(alloc, "dma_zalloc")) {
			set_shape(f, EM_S_DMA, NULL, src);
			continue;
		}
		if (strstr(alloc, "ioremap") || strstr(alloc, "iomap")) {
			set_shape(f, EM_S_MMIO, NULL, src);
			continue;
		}
		if (f->shape != EM_S_UNKNOWN)
			continue;
		len = last_member(cnt, &cst);
		if (len && em_field_by_name(m, f->st, len)) {
			set_shape(f, EM_S_ARRAY, len, src);
		} else if (cst > 0) {
			set_shape(f, EM_S_ARRAY, NULL, src);
			f->len_const = cst;
		}
		free(len);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading allocation sites: %s", sqlite3_errmsg(db));
	/* 3b. char pointers holding strings (strscan.c counts the evidence): every store the driver
	 * makes is a string literal, or the field is a const char * the driver prints with %s */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];
		const char *src = NULL;

		if (f->shape != EM_S_UNKNOWN || strcmp(f->kind, "pointer") || !is_char_ptr(f->type))
			continue;
		if (f->str_lit && !f->str_nonlit)
			src = "string literals stored";
		else if (f->str_fmt && !f->str_nonlit && !strncmp(f->type, "const ", 6))
			src = "printed with %s";
		if (src)
			set_shape(f, EM_S_STRING, NULL, src);
	}
	/* 4. void * nobody dereferences or casts: opaque */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];

		if (f->shape == EM_S_UNKNOWN && !strcmp(f->kind, "pointer") && !strcmp(f->type, "void *"))
			set_shape(f, EM_S_OPAQUE, NULL, "void * never dereferenced");
	}
	/* 5. annotations win over everything inferred */
	for (i = 0; i < m->nann; i++) {
		struct em_annot *a = &m->ann[i];
		char *dot = strrchr(a->field, '.');
		struct em_field *f;

		if (!dot)
			continue;
		*dot = 0;
		if (a->shape == EM_S_PRIV) {
			m->priv_owner_st = em_struct_by_name(m, a->field);
			m->priv_st = a->arg ? em_struct_by_name(m, a->arg) : -1;
			*dot = '.';
			if (m->priv_owner_st < 0 || m->priv_st < 0 || strcmp(dot + 1, "netdev_priv")) {
				em_finding(m, m->annot_path, a->line, 1,
					   "priv annotation: want net_device.netdev_priv priv STRUCT with known structs");
				m->priv_owner_st = m->priv_st = -1;
			}
			continue;
		}
		f = em_field_by_name(m, em_struct_by_name(m, a->field), dot + 1);
		*dot = '.';
		if (!f && annot_param(m, a))
			continue;
		if (!f) {
			em_finding(m, m->annot_path, a->line, 1, "annotation for unknown field %s", a->field);
			continue;
		}
		if (a->shape == EM_S_ARRAY && a->arg) {
			char *e;
			long v = strtol(a->arg, &e, 0);

			if (e != a->arg && !*e && v > 0) {
				set_shape(f, EM_S_ARRAY, NULL, "annotation");
				f->len_const = v;
				continue;
			}
			if (!em_field_by_name(m, f->st, a->arg)) {
				em_finding(m, m->annot_path, a->line, 1, "array length '%s' is not a field of struct %s",
					   a->arg, m->s[f->st].name);
				continue;
			}
		}
		if (a->shape == EM_S_UNION && !union_annot_ok(m, f, a))
			continue;
		if (a->shape == EM_S_OPAQUE && !strcmp(f->kind, "union")) {
			/* a union of pointers that alias one value: crosses as one handle */
			int j, ok = f->target_st >= 0 && m->s[f->target_st].nfields > 0;

			for (j = 0; ok && j < m->s[f->target_st].nfields; j++)
				ok = !strcmp(m->s[f->target_st].fields[j].kind, "pointer");
			if (!ok) {
				em_finding(m, m->annot_path, a->line, 1,
					   "opaque annotation on union %s: only a union whose members are all pointers "
					   "can cross as one handle", a->field);
				continue;
			}
		}
		if (a->shape == EM_S_LIST && !strcmp(f->kind, "struct") && strstr(f->type, "list_head")) {
			/* "S.head list TYPE.MEMBER": a kernel list of TYPEs linked through their
			 * struct list_head MEMBER */
			char tn[256];
			const char *dot = a->arg ? strchr(a->arg, '.') : NULL;
			struct em_field *mf = NULL;
			int est = -1;

			if (dot && (size_t)(dot - a->arg) < sizeof(tn)) {
				snprintf(tn, sizeof(tn), "%.*s", (int)(dot - a->arg), a->arg);
				est = em_struct_by_name(m, tn);
				mf = est >= 0 ? em_field_by_name(m, est, dot + 1) : NULL;
			}
			if (!mf || strcmp(mf->kind, "struct") || !strstr(mf->type, "list_head")) {
				em_finding(m, m->annot_path, a->line, 1,
					   "list annotation: %s is a struct list_head: want 'list TYPE.MEMBER' with MEMBER "
					   "a struct list_head of struct TYPE", a->field);
				continue;
			}
			mf->list_link = 1;
			f->list_st = est;
			set_shape(f, EM_S_LIST, a->arg, "annotation");
			continue;
		}
		if (a->shape == EM_S_LIST) {
			struct em_field *nx = f->target_st >= 0 && !strcmp(f->kind, "pointer") ?
						     em_field_by_name(m, f->target_st, a->arg ? a->arg : "") : NULL;

			if (!nx || strcmp(nx->kind, "pointer") || nx->target_st != f->target_st) {
				em_finding(m, m->annot_path, a->line, 1,
					   "list annotation: %s must point to a struct whose field '%s' points to the same "
					   "struct (struct list_head lists are not supported)", a->field, a->arg ? a->arg : "");
				continue;
			}
			nx->list_link = 1;
		}
		set_shape(f, a->shape, a->arg, "annotation");
	}
	/* 6. what the crossings need and nobody could tell */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];
		struct kc_sb sb = { 0 };

		if (strcmp(f->kind, "pointer") || f->shape != EM_S_UNKNOWN || !em_needed_by(m, f, &sb)) {
			kc_sb_free(&sb);
			continue;
		}
		unknown++;
		if (report)
			em_finding(m, m->s[f->st].file, m->s[f->st].line, 1,
				   "cannot marshal %s.%s (%s): its shape is unknown; needed by %s (run kcut annotate)",
				   m->s[f->st].name, f->name, f->type, sb.s);
		kc_sb_free(&sb);
	}
	/* 6b. embedded unions holding pointers that a crossing needs: without a discriminator the
	 * members alias each other and a pointer member's bytes would be a raw kernel address */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];
		struct kc_sb sb = { 0 };

		if (!em_union_needs_disc(m, f) || !em_needed_by(m, f, &sb)) {
			kc_sb_free(&sb);
			continue;
		}
		unknown++;
		if (report)
			em_finding(m, m->s[f->st].file, m->s[f->st].line, 1,
				   "cannot marshal %s.%s (%s): a union holding pointers needs a discriminator; needed by %s "
				   "(run kcut annotate: union DISCRIMINATOR VALUE=MEMBER ...)",
				   m->s[f->st].name, f->name, f->type, sb.s);
		kc_sb_free(&sb);
	}
	return unknown;
}

int em_model_check(struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	int i, rc;

	for (i = 0; i < m->nc; i++) {
		struct em_call *c = &m->c[i];
		struct em_func *a = &m->f[c->caller], *b = &m->f[c->callee];

		if (!(a->side == EM_KERNEL && b->side == EM_USER))
			continue;
		if (c->spin_held)
			em_finding(m, c->file, c->line, c->col, "upcall from %s to user-half %s with a spinlock held%s%s%s",
				   a->name, b->name, c->locks ? " (" : "", c->locks ? c->locks : "", c->locks ? ")" : "");
		if (a->reason && (!strncmp(a->reason, "atomic", 6) || strstr(a->reason, "atomic context")))
			em_finding(m, c->file, c->line, c->col,
				   "upcall from %s to user-half %s in atomic context (%s)", a->name, b->name, a->reason);
	}
	/* A user-half function registered where the kernel calls it in atomic context (interrupt,
	 * timer, tasklet, NAPI poll, transmit) would be an upcall from atomic context. */
	if (sqlite3_prepare_v2(db, "SELECT f.usr, r.kind, r.api, r.struct_name, r.field, fl.path, r.line, r.col "
				   "FROM registration r JOIN func f ON f.id = r.func_id "
				   "LEFT JOIN file fl ON fl.id = r.file_id ORDER BY fl.path, r.line, r.col",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		static const char *const apis[] = { "request_irq", "devm_request_irq", "request_threaded_irq",
						     "devm_request_threaded_irq", "timer_setup", "setup_timer",
						     "__kc_timer_setup", "tasklet_init", "tasklet_setup",
						     "netif_napi_add", "netif_napi_add_weight", "netif_napi_add_tx" };
		static const char *const slots[] = { "timer_list.function", "hrtimer.function",
						     "net_device_ops.ndo_start_xmit", "napi_struct.poll",
						     "tasklet_struct.func", "irqaction.handler" };
		int fi = em_func_by_usr(m, (const char *)sqlite3_column_text(st, 0));
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *api = (const char *)sqlite3_column_text(st, 2);
		const char *sn = (const char *)sqlite3_column_text(st, 3);
		const char *fl = (const char *)sqlite3_column_text(st, 4);
		char slot[256];
		size_t k;
		int atomic = 0;

		if (fi < 0 || m->f[fi].side != EM_USER)
			continue;
		snprintf(slot, sizeof(slot), "%s.%s", sn ? sn : "", fl ? fl : "");
		for (k = 0; k < KC_ARRAY_SIZE(apis); k++)
			atomic |= !strcmp(kind, "arg") && api && !strcmp(api, apis[k]);
		for (k = 0; k < KC_ARRAY_SIZE(slots); k++)
			atomic |= !strcmp(kind, "slot") && !strcmp(slot, slots[k]);
		if (atomic)
			em_finding(m, (const char *)sqlite3_column_text(st, 5), sqlite3_column_int(st, 6),
				   sqlite3_column_int(st, 7),
				   "user-half function %s is registered with %s, which calls it in atomic context: "
				   "the upcall could sleep there; move %s to the kernel half",
				   m->f[fi].name, !strcmp(kind, "arg") ? api : slot, m->f[fi].name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	/* DMA-coherent memory is never copied: user-half code must not dereference it (one
	 * report per function, field and position). */
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT e.struct_name, e.field, NULL, e.func_id, fl.path, e.line, e.col "
				   "FROM shape_evidence e LEFT JOIN file fl ON fl.id = e.file_id "
				   "WHERE e.evidence IN ('index', 'ptr_arith', 'deref', 'string_fn') "
				   "ORDER BY fl.path, e.line, e.col",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct em_field *f = em_field_by_name(m, em_struct_by_name(m, (const char *)sqlite3_column_text(st, 0)),
						      (const char *)sqlite3_column_text(st, 1));
		int64_t fid = sqlite3_column_int64(st, 3);
		int fi;

		if (!f || (f->shape != EM_S_DMA && f->shape != EM_S_MMIO))
			continue;
		for (fi = 0; fi < m->nf && m->f[fi].id != fid; fi++)
			;
		if (fi < m->nf && m->f[fi].side == EM_USER)
			em_finding(m, (const char *)sqlite3_column_text(st, 4), sqlite3_column_int(st, 5),
				   sqlite3_column_int(st, 6),
				   "user-half function %s uses %s %s.%s (%s); it is never copied to the user "
				   "half: move %s to the kernel half",
				   m->f[fi].name, f->shape == EM_S_DMA ? "DMA-coherent memory" : "device registers",
				   m->s[f->st].name, f->name, f->shape_src, m->f[fi].name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
	/* Variadic functions cannot be stubbed. */
	for (i = 0; i < m->nf; i++)
		if ((m->f[i].up || m->f[i].down) && m->f[i].is_variadic && m->f[i].is_defined)
			em_finding(m, m->f[i].file, m->f[i].line, m->f[i].col,
				   "%s is variadic and must cross (%s): variadic functions cannot be marshaled",
				   m->f[i].name, m->f[i].why ? m->f[i].why : "");
	return 0;
}

void em_closure(const struct em_model *m, int from, enum em_side side, uint8_t *mark)
{
	closure(m, from, side, mark);
}
