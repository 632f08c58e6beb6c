/*
 * plan_shapes.c - the shape of every pointer field a crossing marshals (docs/emitter.md,
 * "Shapes"): from the struct table, the analyzer's shape evidence, allocation sites, string
 * evidence (strscan.c) and the annotation file, which wins; and which fields the crossings still
 * need a shape for (`kcut annotate` asks about those).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

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

/* An array of pointers whose elements cross as handles or region pointers (shape opaque, DMA or
 * MMIO on the array: every element is such a pointer): its element count, else 0. */
int em_handle_array(const struct em_field *f)
{
	const char *star = strchr(f->type, '*');

	if (strcmp(f->kind, "array") || !star || strchr(star + 1, '*') || f->array_count <= 0 ||
	    (f->shape != EM_S_OPAQUE && f->shape != EM_S_DMA && f->shape != EM_S_MMIO))
		return 0;
	return f->array_count;
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
static void reach_fields(const struct em_model *m, int fn, int st, uint8_t *visiting, uint8_t *need, int all)
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
		} else if (all && !strcmp(f->kind, "union") && f->shape == EM_S_OPAQUE) {
			if (em_touches_ptr(m, fs, f->target_st, 0))
				need[f->gidx] = 1;
		} else if (!strcmp(f->kind, "union") && f->shape == EM_S_UNION && f->target_st >= 0) {
			/* only the members named in a case ever cross */
			int j;

			if (all)
				need[f->gidx] = 1;
			for (j = 0; j < m->s[f->target_st].nfields; j++) {
				const struct em_field *mf = &m->s[f->target_st].fields[j];

				if (!em_union_case(f, mf->name))
					continue;
				if (!strcmp(mf->kind, "struct") || !strcmp(mf->kind, "union"))
					reach_fields(m, fn, mf->target_st, visiting, need, all);
				else if (!strcmp(mf->kind, "pointer") && fs[mf->gidx] && (all || mf->shape == EM_S_UNKNOWN))
					need[mf->gidx] = 1;
				else if (!strcmp(mf->kind, "pointer") && fs[mf->gidx] && mf->shape == EM_S_STRUCT)
					reach_fields(m, fn, mf->target_st, visiting, need, all);
			}
		} else if (!strcmp(f->kind, "struct") && f->shape == EM_S_LIST && f->list_st >= 0) {
			reach_fields(m, fn, f->list_st, visiting, need, all); /* the elements */
		} else if (!strcmp(f->kind, "union") && f->shape == EM_S_OPAQUE) {
			continue; /* a union of pointers crossing as one handle: no member is followed */
		} else if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union") ||
		    (!strcmp(f->kind, "array") && !strchr(f->type, '*')))
			reach_fields(m, fn, f->target_st, visiting, need, all);
		else if (!strcmp(f->kind, "pointer") && fs[f->gidx]) {
			if (f->shape == EM_S_UNKNOWN || (all && f->shape != EM_S_FNPTR))
				need[f->gidx] = 1;
			if (f->shape == EM_S_STRUCT || f->shape == EM_S_LIST)
				reach_fields(m, fn, f->target_st, visiting, need, all);
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
				reach_fields(m, i, em_struct_by_name(m, f->params[j].t.sname), visiting, need, 0);
		if (!need[fd->gidx])
			continue;
		kc_sb_addf(sb, "%s%s", n ? ", " : "", f->name);
		n++;
	}
	free(visiting);
	free(need);
	return n;
}

/* For every pointer field (and embedded union holding pointers) the crossings marshal (all = 1),
 * or that they need a shape for and have none (all = 0): who[gidx] gets the crossing functions,
 * ', '-separated (em_needed_by for all fields at once: one walk per crossing function). */
void em_fields_crossing(const struct em_model *m, int all, struct kc_sb *who)
{
	uint8_t *visiting = kc_xcalloc((size_t)m->ns + 1, 1);
	uint8_t *need = kc_xcalloc((size_t)m->ngf + 1, 1);
	int i, j;

	for (i = 0; i < m->nf; i++) {
		const struct em_func *f = &m->f[i];

		if (!f->fset)
			continue;
		memset(need, 0, (size_t)m->ngf + 1);
		for (j = 0; j < f->nparams; j++)
			if (f->params[j].t.cls == EM_T_PTR_STRUCT)
				reach_fields(m, i, em_struct_by_name(m, f->params[j].t.sname), visiting, need, all);
		for (j = 0; j < m->ngf; j++)
			if (need[j] && (f->fset[j] || !strcmp(m->gf[j]->kind, "union")))
				kc_sb_addf(&who[j], "%s%s", who[j].len ? ", " : "", f->name);
	}
	free(visiting);
	free(need);
}

/* Is f an integer member whose name says it holds a length ("len", "size", "count", "nr" ...)? */
static int lengthy(const struct em_field *f)
{
	static const char *const words[] = { "len", "size", "count", "cnt", "num", "nr", "length", "items", "n" };
	size_t i, n = strlen(f->name);

	if (strcmp(f->kind, "scalar") && strcmp(f->kind, "bitfield"))
		return 0;
	for (i = 0; i < KC_ARRAY_SIZE(words); i++) {
		size_t w = strlen(words[i]);

		if (!strcmp(f->name, words[i]) || (n > w && !strncmp(f->name, words[i], w) && f->name[w] == '_') ||
		    (n > w && !strcmp(f->name + n - w, words[i]) && (f->name[n - w - 1] == '_' || w > 2)))
			return 1;
	}
	return 0;
}

/* The answer kcut proposes for a field of unknown shape (`kcut annotate` writes it, commented, for
 * the user to confirm), with what it is based on; NULL when it has none. */
char *em_propose(const struct em_model *m, const struct em_field *f, struct kc_sb *why)
{
	const struct em_struct *s = &m->s[f->st];
	struct kc_sb sb = { 0 };
	int i, nlen = 0, nint = 0;
	const struct em_field *len = NULL, *disc = NULL;

	for (i = 0; i < s->nfields; i++) {
		const struct em_field *g = &s->fields[i];

		if (g != f && lengthy(g)) {
			nlen++;
			len = g;
		}
		if (g != f && (!strcmp(g->kind, "enum") || !strcmp(g->kind, "scalar") || !strcmp(g->kind, "bitfield"))) {
			nint++;
			if (!disc || !strcmp(g->kind, "enum"))
				disc = g;
		}
	}
	if (!strcmp(f->kind, "union") && f->target_st >= 0 && (!disc || strcmp(disc->kind, "enum"))) {
		/* no enum beside it: a union of pointers only may cross as one handle */
		const struct em_struct *u = &m->s[f->target_st];
		int allptr = u->nfields > 0;

		for (i = 0; i < u->nfields; i++)
			allptr = allptr && !strcmp(u->fields[i].kind, "pointer");
		if (allptr) {
			kc_sb_addf(why, "every member of the union is a pointer and struct %s has no enum field to say which "
				   "is active: one handle is right if the user half only carries it (check what `kcut emit` "
				   "warns about); else write `union DISCRIMINATOR VALUE=MEMBER ...`", s->name);
			return kc_xstrdup("opaque");
		}
	}
	if (!strcmp(f->kind, "union") && f->target_st >= 0 && disc) {
		const struct em_struct *u = &m->s[f->target_st];

		kc_sb_addf(&sb, "union %s", disc->name);
		for (i = 0; i < u->nfields; i++)
			kc_sb_addf(&sb, " VALUE%d=%s", i + 1, u->fields[i].name);
		kc_sb_addf(why, "%s is %s integer field of struct %s beside the union; replace each VALUEn by the "
			   "value of %s that makes that member the active one (or delete the case)", disc->name,
			   nint == 1 ? "the only" : !strcmp(disc->kind, "enum") ? "an enum" : "an", s->name, disc->name);
		return kc_sb_steal(&sb);
	}
	if (strcmp(f->kind, "pointer"))
		return NULL;
	if (is_char_ptr(f->type) && !f->str_nonlit) {
		kc_sb_addf(why, "a char pointer%s", f->str_fmt ? " printed with %s" : "");
		return kc_xstrdup("string");
	}
	if (nlen == 1) {
		kc_sb_addf(why, "%s is the only length-like integer field of struct %s", len->name, s->name);
		kc_sb_addf(&sb, "array %s", len->name);
		return kc_sb_steal(&sb);
	}
	if (is_char_ptr(f->type)) {
		kc_sb_addf(why, "a char pointer (but some stores are not string literals: it may point into a buffer)");
		return kc_xstrdup("string");
	}
	return NULL;
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

/* A void * (or char *) parameter that crosses as an array crosses as bytes (chars). */
static void ext_bytes(struct em_type *t)
{
	const char *elem = t->cls == EM_T_STRING ? "char" : "unsigned char";

	if (t->cls != EM_T_VOIDPTR && t->cls != EM_T_STRING)
		return;
	t->cls = EM_T_PTR_SCALAR;
	t->pointee_const = !strncmp(t->spelling, "const ", 6);
	free(t->sname);
	t->sname = kc_xstrdup(elem);
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
		/* a void * parameter with a length (ndo_set_mac_address's struct sockaddr, or
		 * print_hex_dump's buf sized by len) crosses as that many bytes */
		for (j = 0; j < f->nparams; j++)
			if (f->params[j].t.cls == EM_T_VOIDPTR && f->params[j].name &&
			    !strcmp(f->params[j].name, dot + 1))
				ext_bytes(&f->params[j].t);
		for (j = 0; j < f->nparams; j++)
			if ((f->params[j].t.cls == EM_T_PTR_SCALAR || f->params[j].t.cls == EM_T_STRV) &&
			    f->params[j].name &&
			    !strcmp(f->params[j].name, dot + 1)) {
				int k;

				/* the count parameter may come before or after the array (the
				 * handler takes the array's elements once it has the count) */
				for (k = 0; v < 0 && k < f->nparams; k++)
					if (k != j && f->params[k].t.cls == EM_T_INT && f->params[k].name &&
					    !strcmp(f->params[k].name, a->arg)) {
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

/* "struct X *" / "const struct X *" (one level) -> X in buf; 0 if the type is not that. */
static int struct_ptr_name(const char *t, char *buf, size_t cap)
{
	size_t n;

	if (!strncmp(t, "const ", 6))
		t += 6;
	if (strncmp(t, "struct ", 7))
		return 0;
	t += 7;
	n = strcspn(t, " *");
	if (!n || n >= cap || strcmp(t + n, " *"))
		return 0;
	memcpy(buf, t, n);
	buf[n] = 0;
	return 1;
}

/* Does a user-half function access (read, write or take the address of) a field of struct st,
 * or of an anonymous struct or union embedded in it? Fields are recorded per struct type, whatever
 * the path; a named embedded type (list_head) is shared with other structs, and reaching into it
 * is an access of the member itself (page.lru) too. */
static int touches_struct(const struct em_model *m, int st, int depth, int user_only)
{
	int i;

	if (st < 0 || depth > 8)
		return 0;
	for (i = 0; i < m->na; i++)
		if ((!user_only || m->f[m->a[i].func].side == EM_USER) && m->gf[m->a[i].gfield]->st == st)
			return 1;
	for (i = 0; i < m->s[st].nfields; i++) {
		const struct em_field *f = &m->s[st].fields[i];

		if ((!strcmp(f->kind, "struct") || !strcmp(f->kind, "union")) && f->target_st >= 0 &&
		    strstr(m->s[f->target_st].name, "::") && touches_struct(m, f->target_st, depth + 1, user_only))
			return 1;
	}
	return 0;
}

static int user_touches_struct(const struct em_model *m, int st, int depth)
{
	return touches_struct(m, st, depth, 1);
}

/*
 * Does pointer member f point to memory only the kernel can use, whichever half each function
 * of the driver is in (step 4b, the side-independent union rule)? A buffer the driver maps for
 * streaming DMA (shapescan.c: the device reads or writes it between crossings, so a copy of its
 * bytes in the other half would be stale), a struct no driver TU defines, or a kernel struct no
 * driver function reads or writes a field of (the driver only hands it to the kernel). Writes
 * the evidence into why.
 */
static int kernel_memory(const struct em_model *m, const struct em_field *f, char *why, size_t cap)
{
	char sn[256];
	int st;

	if (strcmp(f->kind, "pointer") || strstr(f->type, "(*"))
		return 0;
	if (f->dmamap_n) {
		snprintf(why, cap, "%s points to a buffer the driver maps for streaming DMA (%s%s): the device reads or "
			 "writes it between crossings, so only the pointer can cross", f->name, f->dmamap_at,
			 f->dmamap_n > 1 ? ", and more" : "");
		return 1;
	}
	if (!struct_ptr_name(f->type, sn, sizeof(sn)))
		return 0;
	st = em_struct_by_name(m, sn);
	if (st < 0) {
		snprintf(why, cap, "%s: struct %s is not defined where the driver can see it (no field can be read)",
			 f->name, sn);
		return 1;
	}
	if (m->s[st].is_driver || touches_struct(m, st, 0, 0))
		return 0;
	snprintf(why, cap, "%s: struct %s is a kernel type and no driver function accesses its fields", f->name, sn);
	return 1;
}

/*
 * Can pointer field f cross as a handle only, the user half never looking through it (step 4b)?
 * Writes the evidence into why. A pointer to a struct the driver does not define whose fields no
 * user-half function accesses (an incomplete type: none can be); a data pointer the user half
 * never dereferences, indexes or offsets (no such shape evidence in a user-half function).
 */
static int handle_only(const struct em_model *m, const struct em_field *f, const uint8_t *user_ev, char *why,
		       size_t cap)
{
	char sn[256];
	int st;

	if (strcmp(f->kind, "pointer"))
		return 0;
	if (f->shape == EM_S_OPAQUE || f->shape == EM_S_DMA || f->shape == EM_S_MMIO) {
		snprintf(why, cap, "%s.%s is %s (%s)", m->s[f->st].name, f->name, em_shape_name(f->shape),
			 f->shape_src ? f->shape_src : "?");
		return 1;
	}
	if (struct_ptr_name(f->type, sn, sizeof(sn))) {
		st = em_struct_by_name(m, sn);
		if (st < 0) {
			snprintf(why, cap, "struct %s is not defined where the driver can see it (no field can be read)", sn);
			return 1;
		}
		if (m->s[st].is_driver || user_touches_struct(m, st, 0))
			return 0;
		snprintf(why, cap, "struct %s is a kernel type and no user-half function accesses its fields", sn);
		return 1;
	}
	if (f->target_st >= 0 || user_ev[f->gidx] || strstr(f->type, "(*"))
		return 0;
	snprintf(why, cap, "no user-half function dereferences, indexes or offsets %s.%s", m->s[f->st].name, f->name);
	return 1;
}

/* Step 4b: the kernel-type inference (docs/emitter.md, "Shapes", issue 16). */
static int infer_handles(struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	uint8_t *user_ev = kc_xcalloc((size_t)m->ngf + 1, 1);
	char why[600], sn[256];
	int i, j, rc;

	/* which fields a user-half function looks through */
	if (sqlite3_prepare_v2(db, "SELECT struct_name, field, func_id FROM shape_evidence WHERE evidence IN "
				   "('deref', 'index', 'ptr_arith', 'string_fn') AND func_id IS NOT NULL", -1, &st,
			       NULL) != SQLITE_OK) {
		free(user_ev);
		return kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct em_field *f = em_field_by_name(m, em_struct_by_name(m, (const char *)sqlite3_column_text(st, 0)),
						      (const char *)sqlite3_column_text(st, 1));
		int fi = em_func_by_id(m, sqlite3_column_int64(st, 2));

		if (f && fi >= 0 && m->f[fi].side == EM_USER)
			user_ev[f->gidx] = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(user_ev);
		return kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
	}
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];

		/* a pointer to a struct no driver TU defines: the driver cannot read its fields */
		if (f->shape == EM_S_UNKNOWN && !strcmp(f->kind, "pointer") && struct_ptr_name(f->type, sn, sizeof(sn)) &&
		    em_struct_by_name(m, sn) < 0) {
			snprintf(why, sizeof(why), "inferred: opaque handle: struct %s is not defined where the driver can "
				 "see it, so neither half can read its fields", sn);
			set_shape(f, EM_S_OPAQUE, NULL, why);
		}
	}
	/* an embedded union of pointers to memory only the kernel can use, whatever the partition:
	 * one handle (a user-half function that looks through it is reported, em_plan_shapes) */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];
		const struct em_struct *u;
		struct kc_sb sb = { 0 };
		int ok = 1;

		if (!em_union_needs_disc(m, f))
			continue;
		u = &m->s[f->target_st];
		for (j = 0; ok && j < u->nfields; j++) {
			ok = kernel_memory(m, &u->fields[j], why, sizeof(why));
			if (ok)
				kc_sb_addf(&sb, "%s%s", j ? "; " : "", why);
		}
		if (ok && u->nfields) {
			struct kc_sb src = { 0 };

			kc_sb_addf(&src, "inferred: opaque handle: a union of pointers to memory only the kernel can use (%s)",
				   sb.s);
			set_shape(f, EM_S_OPAQUE, NULL, src.s);
			kc_sb_free(&src);
		}
		kc_sb_free(&sb);
	}
	/* an embedded union of pointers none of which the user half looks through: one handle */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];
		const struct em_struct *u;
		struct kc_sb sb = { 0 };
		int ok = 1;

		if (!em_union_needs_disc(m, f))
			continue;
		u = &m->s[f->target_st];
		for (j = 0; ok && j < u->nfields; j++) {
			ok = handle_only(m, &u->fields[j], user_ev, why, sizeof(why));
			if (ok)
				kc_sb_addf(&sb, "%s%s: %s", j ? "; " : "", u->fields[j].name, why);
		}
		if (ok && u->nfields) {
			struct kc_sb src = { 0 };

			kc_sb_addf(&src, "inferred: opaque handle: a union of pointers the user half never looks through (%s)",
				   sb.s);
			set_shape(f, EM_S_OPAQUE, NULL, src.s);
			kc_sb_free(&src);
		}
		kc_sb_free(&sb);
	}
	free(user_ev);
	/* a pointer member of a driver struct only ever assigned the address of a static array (of
	 * one length N, the pointee's element type): an array of N */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];
		struct kc_sb src = { 0 };

		if (f->shape != EM_S_UNKNOWN || strcmp(f->kind, "pointer") || !m->s[f->st].is_driver || !f->arr_n ||
		    f->arr_other || f->arr_len <= 0 || f->arr_len > 65536)
			continue;
		kc_sb_addf(&src, "inferred: array %ld: every store the driver makes is the address of a static array of "
			   "%ld elements (%s, %d store%s)", f->arr_len, f->arr_len, f->arr_name, f->arr_n,
			   f->arr_n == 1 ? "" : "s");
		set_shape(f, EM_S_ARRAY, NULL, src.s);
		f->len_const = f->arr_len;
		kc_sb_free(&src);
	}
	/* a union the driver reads member by member under `switch (x->D)`: D is its discriminator */
	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];
		const struct em_field *d;
		struct kc_sb arg = { 0 }, src = { 0 };
		int ok;

		if (!em_union_needs_disc(m, f) || !f->disc_name || f->disc_conflict || !f->disc_nev)
			continue;
		d = em_field_by_name(m, f->st, f->disc_name);
		ok = d && (!strcmp(d->kind, "scalar") || !strcmp(d->kind, "enum") || !strcmp(d->kind, "bitfield"));
		/* each value selects one member */
		for (j = 0; ok && j < f->disc_nev; j++) {
			size_t vl = strcspn(f->disc_ev[j], "=");
			int k;

			for (k = 0; ok && k < j; k++)
				if (!strncmp(f->disc_ev[k], f->disc_ev[j], vl + 1))
					ok = 0;
		}
		if (!ok)
			continue;
		kc_sb_add(&arg, f->disc_name);
		for (j = 0; j < f->disc_nev; j++)
			kc_sb_addf(&arg, " %s", f->disc_ev[j]);
		kc_sb_addf(&src, "inferred: discriminator: the driver reads %s.%s under switch (x->%s) with these cases "
			   "(%s)", m->s[f->st].name, f->name, f->disc_name, arg.s + strlen(f->disc_name) + 1);
		set_shape(f, EM_S_UNION, arg.s, src.s);
		kc_sb_free(&arg);
		kc_sb_free(&src);
	}
	return 0;
}

/* Is field (struct.field) annotated in the user's file? Its line wins over the library's. */
static int user_annotated(const struct em_model *m, const char *field)
{
	int i;

	for (i = 0; i < m->nann; i++)
		if (!m->ann[i].lib && !strcmp(m->ann[i].field, field))
			return 1;
	return 0;
}

/* Apply a shape library entry (step 5, before the user's lines). An entry for a field this driver
 * does not have, or that does not fit it (a length field it lacks, a shape for another kind of
 * member), is ignored: the library describes the kernel, not this driver. */
static void lib_entry(struct em_model *m, const struct em_annot *a)
{
	const char *dot = strrchr(a->field, '.');
	char sn[256];
	struct em_field *f;
	struct kc_sb src = { 0 };

	if (!dot || (size_t)(dot - a->field) >= sizeof(sn) || user_annotated(m, a->field))
		return;
	snprintf(sn, sizeof(sn), "%.*s", (int)(dot - a->field), a->field);
	f = em_field_by_name(m, em_struct_by_name(m, sn), dot + 1);
	if (!f || strcmp(f->kind, "pointer") || f->shape == EM_S_DMA || f->shape == EM_S_MMIO)
		return;
	if (a->shape != EM_S_ARRAY && a->shape != EM_S_STRING && a->shape != EM_S_OPAQUE)
		return;
	kc_sb_addf(&src, "shape library %s: %s", a->lib, a->note ? a->note : "");
	if (a->shape == EM_S_ARRAY) {
		char *e;
		long v = strtol(a->arg ? a->arg : "", &e, 10);

		if (a->arg && e != a->arg && !*e && v > 0) {
			set_shape(f, EM_S_ARRAY, NULL, src.s);
			f->len_const = v;
		} else if (a->arg && em_field_by_name(m, f->st, a->arg)) {
			set_shape(f, EM_S_ARRAY, a->arg, src.s);
		}
	} else {
		set_shape(f, a->shape, NULL, src.s);
	}
	kc_sb_free(&src);
}

/* The driver function registered in ops slot st.slot (kind 'slot'); -1: none or several. */
static int slot_func(struct em_model *m, const char *st_name, const char *slot, struct kc_err *err, int *rc)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	int found = -1, n = 0, r;

	if (sqlite3_prepare_v2(db, "SELECT DISTINCT f.usr FROM registration r JOIN func f ON f.id = r.func_id "
				   "WHERE r.kind = 'slot' AND r.struct_name = ?1 AND r.field = ?2",
			       -1, &st, NULL) != SQLITE_OK) {
		*rc = kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, st_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, slot, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int i = em_func_by_usr(m, (const char *)sqlite3_column_text(st, 0));

		if (i >= 0 && i != found) {
			found = i;
			n++;
		}
	}
	if (r != SQLITE_DONE)
		*rc = kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return n == 1 ? found : -1;
}

/*
 * A library entry "STRUCT.SLOT(N) array (EXPR)" (annot.c, slot_param_line): for each driver
 * function f registered in STRUCT.SLOT, parameter N becomes an array of EXPR elements, with @K
 * replaced by f's parameter K and "S.F(" by the driver's function in slot S.F. Both halves
 * evaluate the count (the kernel half's stub, the user half's handler), so the function called
 * must be callable in both: f and it run in the user half (the kernel half has their upcall
 * stubs, registered functions being upcalls) and it is defined before f in f's file. Otherwise
 * the entry does not apply to f (one element crosses, as without it).
 */
static int slot_param_entry(struct em_model *m, const struct em_annot *a, struct kc_err *err)
{
	char sn[128], slot[128];
	const char *dot = strchr(a->field, '.'), *par = strchr(a->field, '(');
	int n, fi, rc = 0;

	if (!dot || !par || dot > par || (size_t)(dot - a->field) >= sizeof(sn) || (size_t)(par - dot) >= sizeof(slot))
		return 0;
	snprintf(sn, sizeof(sn), "%.*s", (int)(dot - a->field), a->field);
	snprintf(slot, sizeof(slot), "%.*s", (int)(par - dot - 1), dot + 1);
	n = atoi(par + 1);
	fi = slot_func(m, sn, slot, err, &rc);
	if (rc || fi < 0)
		return rc;
	{
		const struct em_func *f = &m->f[fi];
		struct kc_sb ex = { 0 }, fld = { 0 };
		const char *p = a->arg;
		struct em_annot tmp;
		int ok = n < f->nparams && f->params[n].name && f->side == EM_USER;

		while (ok && *p) {
			if (*p == '@') {
				int k = atoi(p + 1);

				ok = isdigit((unsigned char)p[1]) && k < f->nparams && f->params[k].name;
				if (ok)
					kc_sb_add(&ex, f->params[k].name);
				p++;
				while (isdigit((unsigned char)*p))
					p++;
			} else if (isalpha((unsigned char)*p) || *p == '_') {
				const char *e = p, *e2;

				while (isalnum((unsigned char)*e) || *e == '_')
					e++;
				e2 = e + 1;
				while (*e == '.' && (isalnum((unsigned char)*e2) || *e2 == '_'))
					e2++;
				if (*e == '.' && *e2 == '(' && (p == a->arg || (p[-1] != '.' && p[-1] != '>'))) {
					/* S.F( : the driver's function in slot S.F */
					char s2[128], f2[128];
					int g;

					snprintf(s2, sizeof(s2), "%.*s", (int)(e - p), p);
					snprintf(f2, sizeof(f2), "%.*s", (int)(e2 - e - 1), e + 1);
					g = slot_func(m, s2, f2, err, &rc);
					ok = !rc && g >= 0 && m->f[g].side == EM_USER && m->f[g].file && f->file &&
					     !strcmp(m->f[g].file, f->file) && m->f[g].line < f->line;
					if (ok)
						kc_sb_add(&ex, m->f[g].name);
					p = e2;
				} else {
					kc_sb_addn(&ex, p, (size_t)(e - p));
					p = e;
				}
			} else {
				kc_sb_addn(&ex, p++, 1);
			}
		}
		if (ok) {
			kc_sb_addf(&fld, "%s.%s", f->name, f->params[n].name);
			tmp = *a;
			tmp.field = fld.s;
			tmp.arg = ex.s;
			if (!user_annotated(m, fld.s))
				annot_param(m, &tmp);
		}
		kc_sb_free(&ex);
		kc_sb_free(&fld);
	}
	return rc;
}

/* The allocators of a net_device followed by the driver's private area (netdev_priv()) as the
 * driver's source names them (the macros alloc_etherdev(), alloc_etherdev_mq() included). */
static int netdev_allocator(const char *name)
{
	static const char *const pre[] = { "alloc_etherdev", "alloc_netdev", "devm_alloc_etherdev" };
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(pre); i++)
		if (!strncmp(name, pre[i], strlen(pre[i])))
			return 1;
	return 0;
}

/* A field the marshaling cannot carry yet (plan_marshal.c: an array holding pointers that is not an
 * array of a named struct, nor of pointers crossing as handles or region pointers). */
static int array_of_pointers(const struct em_model *m, const struct em_field *f)
{
	if (strcmp(f->kind, "array") || em_handle_array(f))
		return 0;
	if (f->target_st >= 0 && !strchr(f->type, '*') && !strchr(m->s[f->target_st].name, '<') &&
	    !strchr(m->s[f->target_st].name, ':') && !m->s[f->target_st].is_union)
		return 0;
	return strchr(f->type, '*') || (f->target_st >= 0 && m->s[f->target_st].has_ptr);
}

/*
 * Step 5a: an array of pointers every store into which (shapescan.c, elem_store) is a pointer into
 * the memory of one pointer member B that is DMA-coherent (or a register window): each element has
 * B's shape. Such a pointer has a known extent, the buffer's (issue 13 point 3): with device access
 * it crosses as (region, offset) like B, the runtime checking the offset against the region;
 * without, as a handle the user half cannot dereference. 8139too's rtl8139_private.tx_buf[4]
 * (`&tp->tx_bufs[i * TX_BUF_SIZE]`, tx_bufs from dma_alloc_coherent) is one.
 */
static void infer_region_arrays(struct em_model *m)
{
	int i;

	for (i = 0; i < m->ngf; i++) {
		struct em_field *f = m->gf[i];
		const struct em_field *b;
		const char *star = strchr(f->type, '*'), *at;
		struct kc_sb src = { 0 };

		if (strcmp(f->kind, "array") || !star || strchr(star + 1, '*') || f->array_count <= 0 ||
		    f->shape != EM_S_UNKNOWN || !f->elem_n || f->elem_other || f->elem_into <= 0 ||
		    f->elem_into > m->ngf)
			continue;
		b = m->gf[f->elem_into - 1];
		if (b->shape != EM_S_DMA && b->shape != EM_S_MMIO)
			continue;
		at = f->elem_at ? strrchr(f->elem_at, '/') : NULL;
		kc_sb_addf(&src, "inferred: %s: each of its %d elements points into %s.%s, %s (every store the driver "
			   "makes: %d, the first in %s)",
			   em_shape_name(b->shape), f->array_count, m->s[b->st].name, b->name,
			   b->shape == EM_S_DMA ? "a DMA-coherent buffer" : "a register window", f->elem_n,
			   at ? at + 1 : f->elem_at ? f->elem_at : "?");
		set_shape(f, b->shape, NULL, src.s);
		kc_sb_free(&src);
	}
}

/*
 * Step 5b: the struct behind a net_device (net_device.netdev_priv priv T, when no annotation
 * says it): the type of the sizeof the driver passes to alloc_etherdev() & co. (the netdevice.h
 * contract: netdev_priv(dev) is the sizeof_priv bytes after the aligned struct net_device), when
 * every such allocation names the same driver struct.
 */
static int infer_priv(struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	int priv = -1, clash = 0, owner = em_struct_by_name(m, "net_device"), rc, i;

	if (m->priv_owner_st >= 0 || owner < 0)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT allocator, elem_type FROM alloc WHERE elem_type IS NOT NULL ORDER BY id", -1,
			       &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading allocation sites: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *al = (const char *)sqlite3_column_text(st, 0);
		const char *ty = (const char *)sqlite3_column_text(st, 1);
		int s;

		if (!al || !ty || !netdev_allocator(al))
			continue;
		if (!strncmp(ty, "struct ", 7))
			ty += 7;
		s = em_struct_by_name(m, ty);
		if (s < 0 || (priv >= 0 && s != priv))
			clash = 1;
		else
			priv = s;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading allocation sites: %s", sqlite3_errmsg(db));
	/* a private struct with a field the marshaling cannot carry yet (an array of pointers that
	 * step 5a gave no shape: 8139too's tx_buf has one) would make every net_device crossing
	 * refuse to emit: no inference then (its netdev_priv() in the user half stays a separate
	 * object, docs/emitter.md) */
	for (i = 0; priv >= 0 && i < m->s[priv].nfields; i++)
		if (array_of_pointers(m, &m->s[priv].fields[i]))
			clash = 1;
	if (priv >= 0 && !clash && priv != owner && m->s[priv].nfields > 0) {
		m->priv_owner_st = owner;
		m->priv_st = priv;
	}
	return 0;
}

/*
 * Step 7 (reported once, by emit): a union that crosses as one handle while a user-half function
 * looks through one of its members (dereferences, indexes or offsets it: shape_evidence). The
 * user half only has a handle, so that function would read a dummy copy: it belongs in the
 * kernel half (a constraint for the partition, not a question about the shape). Warned at each
 * function's first such position.
 */
static int warn_user_looks(struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	struct kc_sb *who = kc_xcalloc((size_t)m->ngf + 1, sizeof(*who));
	struct kc_sb seen = { 0 };
	int i, rc;

	em_fields_crossing(m, 1, who);
	if (sqlite3_prepare_v2(db, "SELECT e.struct_name, e.field, e.func_id, fl.path, e.line, e.col, e.evidence "
				   "FROM shape_evidence e LEFT JOIN file fl ON fl.id = e.file_id WHERE e.evidence IN "
				   "('deref', 'index', 'ptr_arith', 'string_fn') AND e.func_id IS NOT NULL "
				   "ORDER BY fl.path, e.line, e.col, e.id", -1, &st, NULL) != SQLITE_OK) {
		rc = kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
		goto cleanup;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct em_field *f = em_field_by_name(m, em_struct_by_name(m, (const char *)sqlite3_column_text(st, 0)),
							    (const char *)sqlite3_column_text(st, 1));
		int fi = em_func_by_id(m, sqlite3_column_int64(st, 2));
		char key[512];

		if (!f || fi < 0 || m->f[fi].side != EM_USER)
			continue;
		for (i = 0; i < m->ngf; i++) {
			const struct em_field *u = m->gf[i];

			if (strcmp(u->kind, "union") || u->target_st != f->st || u->shape != EM_S_OPAQUE || !who[i].len)
				continue;
			snprintf(key, sizeof(key), "|%s/%d|", m->f[fi].name, i);
			if (seen.s && strstr(seen.s, key))
				continue;
			kc_sb_add(&seen, key);
			fprintf(m->diag,
				"%s:%d:%d: warning: %s (user half) looks through %s.%s.%s (%s), which crosses as one handle "
				"(kcut annotate --explain=%s.%s): the user half has no copy of the memory it points to; %s "
				"belongs in the kernel half\n",
				sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "<unknown>",
				sqlite3_column_int(st, 4), sqlite3_column_int(st, 5), m->f[fi].name, m->s[u->st].name, u->name,
				f->name, (const char *)sqlite3_column_text(st, 6), m->s[u->st].name, u->name, m->f[fi].name);
		}
	}
	rc = rc == SQLITE_DONE ? 0 : kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
cleanup:
	sqlite3_finalize(st);
	for (i = 0; i < m->ngf; i++)
		kc_sb_free(&who[i]);
	free(who);
	kc_sb_free(&seen);
	return rc;
}

/*
 * Parameter extents (docs/emitter.md, "Parameter extents"): a pointer-to-integer parameter P of
 * a driver function crosses as as many elements as an integer parameter N says when the body
 * indexes P under `v < N` (shapescan.c EM_EXT_LOOP), or passes P and N on to a callee whose
 * parameter is known to have N elements (library entry, annotation or this inference, to a
 * fixpoint over the call graph); as k elements when the body only indexes it with constants
 * below k. Annotations win (they are applied before). A pointer the body indexes in a way none of
 * that decides is `undecided`: emit refuses it for a crossing function (it would cross as one
 * element), annotate proposes a line. Returns how many crossing parameters are undecided.
 */
static int ext_open(const struct em_type *t)
{
	return t->cls == EM_T_PTR_SCALAR && !t->count && !t->count_param && !t->count_expr;
}

/* The callee of a call evidence: a unique function of that name, -1. */
static int ext_callee(const struct em_model *m, const char *name)
{
	int i, hit = -1;

	for (i = 0; name && i < m->nf; i++)
		if (!strcmp(m->f[i].name, name)) {
			if (hit >= 0)
				return -1;
			hit = i;
		}
	return hit;
}

/* Bytes of one element of parameter j of function i (from its evidence; 8 when none says). */
static int ext_esize(const struct em_model *m, int i, int j)
{
	int e;

	for (e = 0; e < m->next; e++)
		if (m->ext[e].func == i && m->ext[e].param == j)
			return m->ext[e].esize;
	return 8;
}

/* Kernel functions' buffers sized by another parameter (kapi.c, em_sized_param): print_hex_dump's
 * buf has len bytes. Annotations win (applied before). */
static void ext_kernel(struct em_model *m)
{
	int i, j, n;

	for (i = 0; i < m->nf; i++)
		for (j = 0; !m->f[i].is_driver && j < m->f[i].nparams; j++) {
			struct em_param *pa = &m->f[i].params[j];
			struct kc_sb src = { 0 };

			n = em_sized_param(m->f[i].name, j);
			if (!n || n > m->f[i].nparams || (n > 0 && m->f[i].params[n - 1].t.cls != EM_T_INT))
				continue;
			ext_bytes(&pa->t);
			if (!ext_open(&pa->t))
				continue;
			if (n < 0) {
				pa->t.count = -n;
				kc_sb_addf(&src, "kernel function: %s has %d elements (kapi.c)", pa->name ? pa->name : "it", -n);
			} else {
				pa->t.count_param = n;
				kc_sb_addf(&src, "kernel function: %s has %s elements (kapi.c)", pa->name ? pa->name : "it",
					   m->f[i].params[n - 1].name ? m->f[i].params[n - 1].name : "its count");
			}
			free(pa->ext_src);
			pa->ext_src = kc_sb_steal(&src);
		}
}

static int em_plan_extents(struct em_model *m, int report)
{
	int i, j, e, round, changed = 1, undecided = 0;

	ext_kernel(m);
	for (round = 0; changed && round < 32; round++) {
		changed = 0;
		for (i = 0; i < m->nf; i++)
			for (j = 0; j < m->f[i].nparams; j++) {
				struct em_param *pa = &m->f[i].params[j];
				int named = -1, two = 0, cmax = 0, unk = 0, first = -1;

				if (!ext_open(&pa->t))
					continue;
				for (e = 0; e < m->next; e++) {
					const struct em_ext *x = &m->ext[e];
					int n = -1;

					if (x->func != i || x->param != j)
						continue;
					if (x->kind == EM_EXT_LOOP) {
						n = x->n;
					} else if (x->kind == EM_EXT_CONST) {
						cmax = x->n > cmax ? x->n : cmax;
					} else if (x->kind == EM_EXT_UNKNOWN) {
						unk = 1;
					} else {
						int g = ext_callee(m, x->callee);
						const struct em_type *ct;

						if (g < 0 || x->cpos >= m->f[g].nparams || x->csize != x->esize)
							continue;
						ct = &m->f[g].params[x->cpos].t;
						if (ct->count_param && ct->count_param <= 8 && x->argp[ct->count_param - 1])
							n = x->argp[ct->count_param - 1] - 1;
						else if (ct->count > 1)
							cmax = ct->count > cmax ? ct->count : cmax;
					}
					if (n >= 0) {
						two |= named >= 0 && named != n;
						named = n;
						if (first < 0)
							first = e;
					}
				}
				if (named >= 0 && !two && named != j) {
					const struct em_ext *x = &m->ext[first];
					struct kc_sb src = { 0 };

					pa->t.count_param = named + 1;
					if (x->kind == EM_EXT_LOOP)
						kc_sb_addf(&src, "inferred: indexed under `< %s` at %s:%u:%u", m->f[i].params[named].name,
							   x->file, x->line, x->col);
					else
						kc_sb_addf(&src, "inferred: passed with %s to %s at %s:%u:%u", m->f[i].params[named].name,
							   x->callee, x->file, x->line, x->col);
					free(pa->ext_src);
					pa->ext_src = kc_sb_steal(&src);
					changed = 1;
				} else if (named < 0 && !unk && cmax > 1) {
					struct kc_sb src = { 0 };

					/* a long one is decoded into memory of the handler's own, not its stack */
					if (cmax * ext_esize(m, i, j) > 256) {
						kc_sb_addf(&src, "(%d)", cmax);
						pa->t.count_expr = kc_sb_steal(&src);
					} else {
						pa->t.count = cmax;
					}
					kc_sb_addf(&src, "inferred: indexed with constants below %d", cmax);
					free(pa->ext_src);
					pa->ext_src = kc_sb_steal(&src);
					changed = 1;
				}
			}
	}
	/* what is left open and indexed (or passed on to something undecided) */
	for (i = 0; i < m->nf; i++)
		for (j = 0; j < m->f[i].nparams; j++) {
			struct em_param *pa = &m->f[i].params[j];
			struct kc_sb why = { 0 };
			int named = -1, two = 0, at = -1;

			if (!ext_open(&pa->t))
				continue;
			for (e = 0; e < m->next; e++) {
				const struct em_ext *x = &m->ext[e];

				if (x->func != i || x->param != j)
					continue;
				if (x->kind == EM_EXT_LOOP) {
					two |= named >= 0 && named != x->n;
					named = x->n;
				}
				if (x->kind == EM_EXT_UNKNOWN || x->kind == EM_EXT_LOOP) {
					if (at < 0)
						at = e;
				} else if (x->kind == EM_EXT_CALL) {
					int g = ext_callee(m, x->callee);

					if (g >= 0 && x->cpos < m->f[g].nparams && m->f[g].params[x->cpos].undecided && at < 0)
						at = e;
				}
			}
			if (at < 0)
				continue;
			pa->undecided = 1;
			if (m->ext[at].kind == EM_EXT_CALL)
				kc_sb_addf(&why, "passed on to %s, which cannot tell either, at %s:%u:%u", m->ext[at].callee,
					   m->ext[at].file, m->ext[at].line, m->ext[at].col);
			else
				kc_sb_addf(&why, "indexed or offset at %s:%u:%u with nothing that says how far", m->ext[at].file,
					   m->ext[at].line, m->ext[at].col);
			free(pa->ext_src);
			pa->ext_src = kc_sb_steal(&why);
			free(pa->ext_prop);
			pa->ext_prop = NULL;
			if (named >= 0 && !two) {
				kc_sb_addf(&why, "array %s", m->f[i].params[named].name);
				pa->ext_prop = kc_sb_steal(&why);
			} else {
				/* the only integer parameter before it: likely its count (a guess, to confirm) */
				int k, only = -1, nint = 0;

				for (k = 0; k < j; k++)
					if (m->f[i].params[k].t.cls == EM_T_INT && m->f[i].params[k].name) {
						only = k;
						nint++;
					}
				if (nint == 1) {
					kc_sb_addf(&why, "array %s", m->f[i].params[only].name);
					pa->ext_prop = kc_sb_steal(&why);
				}
			}
			kc_sb_free(&why);
			if (!m->f[i].up && !m->f[i].down)
				continue;
			/* served by the kernel half (a downcall), one element would be the kernel's buffer
			 * that the function overruns: refused. Served by the user half (an upcall), the
			 * kernel sends and takes back one element of its own buffer; the user half's
			 * function overruns its copy: a warning (the user half is not protected from
			 * itself, and the ethtool core's extents come from the shape library) */
			if (m->f[i].down)
				undecided++;
			if (report && m->f[i].down)
				em_finding(m, m->ext[at].file, (int)m->ext[at].line, (int)m->ext[at].col,
					   "cannot tell how many elements %s's parameter %s (%s) points to: %s; the kernel half "
					   "serves it (downcall) and would take one element: annotate `%s.%s array "
					   "N|COUNTPARAM|(EXPR)` (run kcut annotate)",
					   m->f[i].name, pa->name, pa->t.spelling, pa->ext_src, m->f[i].name, pa->name);
			else if (report)
				fprintf(m->diag,
					"%s:%u:%u: warning: cannot tell how many elements %s's parameter %s (%s) points to: %s; "
					"the user half serves it (upcall) and gets one element: annotate `%s.%s array "
					"N|COUNTPARAM|(EXPR)` (run kcut annotate)\n",
					m->ext[at].file, m->ext[at].line, m->ext[at].col, m->f[i].name, pa->name,
					pa->t.spelling, pa->ext_src, m->f[i].name, pa->name);
		}
	return undecided;
}

int em_plan_shapes(struct em_model *m, int report, struct kc_err *err)
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
	/* 4b. kernel types and unions of pointers the user half only carries */
	if (!m->no_infer) {
		rc = infer_handles(m, err);
		if (rc)
			return rc;
	}
	/* 5. annotations win over everything inferred */
	for (i = 0; i < m->nann; i++) {
		struct em_annot *a = &m->ann[i];
		char *dot = strrchr(a->field, '.');
		struct em_field *f;

		if (!dot)
			continue;
		if (a->lib && strchr(a->field, '(')) {
			rc = slot_param_entry(m, a, err);
			if (rc)
				return rc;
			continue;
		}
		if (a->lib) {
			lib_entry(m, a);
			continue;
		}
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
	/* 5a. arrays of pointers into DMA-coherent buffers and register windows */
	if (!m->no_infer)
		infer_region_arrays(m);
	/* 5b. no annotation named the private area behind a net_device: the allocation says it */
	rc = infer_priv(m, err);
	if (rc)
		return rc;
	/* 5b. pointer parameters whose extent is another parameter (or a constant) */
	unknown += em_plan_extents(m, report);
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
	if (report) {
		rc = warn_user_looks(m, err);
		if (rc)
			return rc;
	}
	return unknown;
}
