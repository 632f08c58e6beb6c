/*
 * gen_marshal.c - prints the marshaling helpers the plan lists for a file (plan_marshal.c): for
 * one crossing function and one struct type, the C function that encodes the fields the callee
 * side may read (direction "in") or write (direction "out"), or decodes them on the other side,
 * one statement group per field operation of the plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/* Append name with every character that cannot be in a C identifier replaced by '_'. */
static void add_ident(struct kc_sb *sb, const char *name)
{
	for (; *name; name++) {
		char c = *name;

		kc_sb_addn(sb, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? name : "_", 1);
	}
}

/* C spelling of a struct type ("struct foo" / "union foo"). */
static void ctype(struct kc_sb *sb, const struct em_struct *s)
{
	if (s->bare)
		kc_sb_add(sb, s->name);
	else
		kc_sb_addf(sb, "%s %s", s->is_union ? "union" : "struct", s->name);
}

/* The tracker type enumerator of struct st (the plan numbered it). */
const char *gen_type_struct(const struct gen *g, int st)
{
	return g->p->types[g->m->s[st].type_id];
}

/* The name of a helper: kcut_<crossing>_<struct>_<in|out>_<enc|dec>. */
void gen_helper_name(struct kc_sb *sb, const struct gen *g, int fn, int st, int dir, int enc)
{
	kc_sb_addf(sb, "kcut_%s_", g->m->f[fn].idname);
	add_ident(sb, g->m->s[st].name);
	kc_sb_addf(sb, "_%s_%s", dir == EM_IN ? "in" : "out", enc ? "enc" : "dec");
}

/* Set up o for the planned file pf: the names of its helpers. */
void gen_file_init(struct gen *g, struct gen_file *o, const struct em_pfile *pf)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->pf = pf;
	o->names = kc_xcalloc((size_t)(pf ? pf->nhelp : 0) + 1, sizeof(*o->names));
	for (i = 0; pf && i < pf->nhelp; i++) {
		struct kc_sb sb = { 0 };

		gen_helper_name(&sb, g, pf->help[i].fn, pf->help[i].st, pf->help[i].dir, pf->help[i].enc);
		o->names[i] = kc_sb_steal(&sb);
	}
}

void gen_file_free(struct gen_file *o)
{
	int i;

	kc_sb_free(&o->protos);
	kc_sb_free(&o->text);
	kc_sb_free(&o->tail);
	for (i = 0; o->pf && i < o->pf->nhelp; i++)
		free(o->names[i]);
	free(o->names);
	memset(o, 0, sizeof(*o));
}

/* The name of the helper (fn, st, dir, enc) of file o. The plan lists every helper a file uses;
 * one it does not list is a bug in kcut (the printers and plan_marshal.c disagree). */
const char *gen_helper(struct gen *g, struct gen_file *o, int fn, int st, int dir, int enc)
{
	const struct em_pfile *pf = o->pf;
	int i;

	for (i = 0; pf && i < pf->nhelp; i++)
		if (pf->help[i].fn == fn && pf->help[i].st == st && pf->help[i].dir == dir && pf->help[i].enc == enc)
			return o->names[i];
	if (!g->broken)
		fprintf(g->m->diag, "kcut: internal error: the plan has no marshaling helper %s/%s/%d/%d\n",
			g->m->f[fn].name, g->m->s[st].name, dir, enc);
	g->broken = 1;
	return "kcut_missing_helper";
}

static void print_ops(struct gen *g, struct gen_file *o, struct kc_sb *b, const struct em_helper *hp,
		      const struct em_op *ops, int nops);

/*
 * The check of a pointer the receiver decodes into dst, as rt's struct kc_wire_ptr (a compound
 * literal; NULL: any pointer, one byte): the expected tracker type, sizeof(*dst) bytes, the
 * KC_WP_* rules and the places an embedded kernel object may sit at (plan_marshal.c decided
 * them; rt/wire.c checks them).
 */
void gen_wire_spec(struct kc_sb *b, const struct gen *g, const struct em_wire *w, const char *dst)
{
	static const struct {
		unsigned flag;
		const char *name;
	} flags[] = {
		{ EM_WP_BASE, "KC_WP_BASE" },
		{ EM_WP_HEAP, "KC_WP_HEAP" },
		{ EM_WP_NOGLOBAL, "KC_WP_NOGLOBAL" },
		{ EM_WP_INTERIOR, "KC_WP_INTERIOR" },
		{ EM_WP_NONNULL, "KC_WP_NONNULL" },
		{ EM_WP_TYPEDFREE, "KC_WP_TYPEDFREE" },
	};
	int typed = (w->st >= 0 && g->m->s[w->st].type_id > 0) || w->ktid > 0;
	unsigned i, n = 0;
	int j;

	if (!typed && !(w->sized && dst) && !(w->flags & ~EM_WP_OUT)) {
		kc_sb_add(b, "NULL");
		return;
	}
	kc_sb_add(b, "&(const struct kc_wire_ptr){ ");
	if (typed)
		kc_sb_addf(b, ".type = %s, ", w->st >= 0 ? gen_type_struct(g, w->st) : g->p->types[w->ktid]);
	for (i = 0; i < KC_ARRAY_SIZE(flags); i++)
		if (w->flags & flags[i].flag)
			kc_sb_addf(b, "%s%s", n++ ? " | " : ".flags = ", flags[i].name);
	if (n)
		kc_sb_add(b, ", ");
	if (w->sized && dst)
		kc_sb_addf(b, ".need = sizeof(*%s), ", dst);
	if (w->nat) {
		kc_sb_add(b, ".at = (const struct kc_wire_at[]){ ");
		for (j = 0; j < w->nat; j++)
			kc_sb_addf(b, "{ %s, %s }, ", gen_type_struct(g, w->at[j].st), w->at[j].off);
		kc_sb_addf(b, "}, .nat = %d, ", w->nat);
	}
	b->len -= 2; /* the last ", " */
	b->s[b->len] = 0;
	kc_sb_add(b, " }");
}

/* The sizes of the tracked structs file pf can name and the embedded places it registers, for
 * rt's wire tables (kcut_type_size, kcut_embeds): in its kcut_tables_<stem>(). */
void gen_type_sizes(const struct gen *g, struct kc_sb *b, const struct em_pfile *pf)
{
	int i;

	for (i = 0; pf && i < pf->nembeds; i++) {
		const struct em_embed *e = &g->p->embeds[pf->embeds[i]];

		if (e->count)
			/* an array of inner structs: each element's start (rt/wire.c) */
			kc_sb_addf(b, "\tkcut_embeds[%d] = (struct kc_wire_embed){ %s, %s, %s, %s, %s };\n", pf->embeds[i],
				   gen_type_struct(g, e->outer), g->p->types[e->inner], e->off, e->count, e->stride);
		else
			kc_sb_addf(b, "\tkcut_embeds[%d] = (struct kc_wire_embed){ %s, %s, %s, 0, 0 };\n", pf->embeds[i],
				   gen_type_struct(g, e->outer), g->p->types[e->inner], e->off);
	}

	for (i = 0; pf && i < pf->nsized; i++) {
		const struct em_struct *s = &g->m->s[pf->sized[i]];

		kc_sb_addf(b, "\tkcut_type_size[%s] = sizeof(%s%s);\n", gen_type_struct(g, pf->sized[i]),
			   s->bare ? "" : s->is_union ? "union " : "struct ", s->name);
	}
}

/*
 * One statement (or block) stmt of a decoder that writes size bytes at addr: in a kernel-half
 * decoder (hp->undo) it runs only if kc_wire_undo kept the old bytes first, one tab deeper.
 */
static void guarded(struct kc_sb *b, const struct em_helper *hp, const char *addr, const char *size,
		    const char *stmt)
{
	const char *c;

	if (!hp->undo) {
		kc_sb_add(b, stmt);
		return;
	}
	kc_sb_addf(b, "\tif (kc_wire_undo(kcut_rt, (void *)%s, %s, rc))\n", addr, size);
	for (c = stmt; *c; c++) {
		if (c == stmt || c[-1] == '\n')
			kc_sb_add(b, "\t");
		kc_sb_addn(b, c, 1);
	}
}

/* guarded() for a write of the whole field p->nm. */
static void guarded_field(struct kc_sb *b, const struct em_helper *hp, const char *nm, const char *stmt)
{
	struct kc_sb a = { 0 }, n = { 0 };

	kc_sb_addf(&a, "&p->%s", nm);
	kc_sb_addf(&n, "sizeof(p->%s)", nm);
	guarded(b, hp, a.s, n.s, stmt);
	kc_sb_free(&a);
	kc_sb_free(&n);
}

/*
 * An embedded union with a discriminator: the sender puts the discriminator's value, then only
 * the active member, field by field; the receiver switches on the value it received.
 */
static void print_union(struct gen *g, struct gen_file *o, struct kc_sb *b, const struct em_helper *hp,
			const struct em_op *op)
{
	int i;

	if (hp->enc)
		kc_sb_addf(b, "\tkc_xdr_put_u32(x, (uint32_t)p->%s);\n\tswitch ((uint32_t)p->%s) {\n", op->arg, op->arg);
	else
		kc_sb_add(b, "\tswitch (kc_xdr_get_u32(x)) {\n");
	for (i = 0; i < op->ncases; i++) {
		struct kc_sb body = { 0 };
		const char *c;

		kc_sb_addf(b, "\tcase (uint32_t)(%s):\n", op->cases[i].value);
		print_ops(g, o, &body, hp, op->cases[i].ops, op->cases[i].nops);
		/* one more tab inside the case */
		for (c = body.s; c && *c; c++) {
			if (c == body.s || c[-1] == '\n')
				kc_sb_add(b, "\t");
			kc_sb_addn(b, c, 1);
		}
		kc_sb_free(&body);
		kc_sb_add(b, "\t\tbreak;\n");
	}
	kc_sb_addf(b, "\tdefault:\n\t\tbreak; /* no member of %s is active */\n\t}\n", g->m->s[op->f->target_st].name);
}

/*
 * A list through a next field (annotation "S.head list NEXT", head a struct E *, E.NEXT a struct
 * E *): the sender walks it (at most EM_LIST_MAX elements, else the crossing fails: a cycle or a
 * runaway list), puts the count, then each element as a tracker handle followed by E's fields
 * for this crossing (NEXT itself is never sent). The receiver gets each element through the
 * tracker (the same object on its side as every earlier crossing) and relinks them in the same
 * order: head -> e0 -> e1 ... -> NULL. nm is the C path of the head field (p->nm).
 */
static void print_list(struct gen *g, struct gen_file *o, struct kc_sb *b, const struct em_helper *hp,
		       const struct em_op *op)
{
	const struct em_model *m = g->m;
	const struct em_field *f = op->f;
	const char *nm = op->path;
	struct kc_sb ct = { 0 };
	const char *nx = f->shape_arg;
	const char *h = op->st >= 0 ? gen_helper(g, o, hp->fn, op->st, hp->dir, hp->enc) : NULL;
	int enc = hp->enc;
	struct kc_sb spec = { 0 };

	gen_wire_spec(&spec, g, &op->w, "kcut_e");

	ctype(&ct, &m->s[f->target_st]);
	if (enc) {
		kc_sb_addf(b,
			   "\t{\n"
			   "\t\t/* list %s through ->%s: count, then each element */\n"
			   "\t\tconst %s *kcut_e;\n"
			   "\t\tuint32_t kcut_k = 0;\n\n"
			   "\t\tfor (kcut_e = p->%s; kcut_e && kcut_k <= %d; kcut_e = kcut_e->%s)\n"
			   "\t\t\tkcut_k++;\n"
			   "\t\tif (kcut_k > %d) {\n"
			   "\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
			   "\t\t\tkcut_k = 0;\n"
			   "\t\t}\n"
			   "\t\tkc_xdr_put_u32(x, kcut_k);\n"
			   "\t\tfor (kcut_e = p->%s; kcut_k; kcut_e = kcut_e->%s, kcut_k--) {\n"
			   "\t\t\tkcut_fail(rc, kc_wire_put_ptr(kcut_rt, x, (const void *)kcut_e, %s, sizeof(%s), 1, 0));\n"
			   "\t\t\t(void)kcut_seen(s, kcut_e);\n",
			   nm, nx, ct.s, nm, EM_LIST_MAX, nx, EM_LIST_MAX, nm, nx, g->p->types[op->type], ct.s);
		if (h)
			kc_sb_addf(b, "\t\t\t%s(x, (void *)kcut_e, s, rc);\n", h);
		kc_sb_add(b, "\t\t}\n\t}\n");
	} else {
		kc_sb_addf(b,
			   "\t{\n"
			   "\t\t/* list %s through ->%s: relinked in the order sent */\n"
			   "\t\t%s **kcut_l = &p->%s;\n"
			   "\t\tuint32_t kcut_k = kc_xdr_get_u32(x);\n\n"
			   "\t\tif (kcut_k > %d)\n"
			   "\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
			   "\t\tfor (; kcut_k && !*rc; kcut_k--) {\n"
			   "\t\t\t%s *kcut_e = kc_wire_get_ptr(kcut_rt, x, %s, NULL, rc);\n\n"
			   "\t\t\tif (!kcut_e) {\n"
			   "\t\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
			   "\t\t\t\tbreak;\n"
			   "\t\t\t}\n",
			   nm, nx, ct.s, nm, EM_LIST_MAX, ct.s, spec.s);
		if (h)
			kc_sb_addf(b, "\t\t\t%s(x, (void *)kcut_e, s, rc);\n", h);
		if (hp->undo)
			kc_sb_addf(b,
				   "\t\t\tif (kc_wire_undo(kcut_rt, (void *)kcut_l, sizeof(*kcut_l), rc))\n"
				   "\t\t\t\t*kcut_l = kcut_e;\n"
				   "\t\t\tkcut_l = &kcut_e->%s;\n"
				   "\t\t}\n"
				   "\t\tif (kc_wire_undo(kcut_rt, (void *)kcut_l, sizeof(*kcut_l), rc))\n"
				   "\t\t\t*kcut_l = NULL;\n"
				   "\t}\n",
				   nx);
		else
			kc_sb_addf(b,
				   "\t\t\t*kcut_l = kcut_e;\n"
				   "\t\t\tkcut_l = &kcut_e->%s;\n"
				   "\t\t}\n"
				   "\t\tif (!*rc)\n"
				   "\t\t\t*kcut_l = NULL;\n"
				   "\t}\n",
				   nx);
	}
	kc_sb_free(&ct);
	kc_sb_free(&spec);
}

/*
 * A kernel list (annotation "S.head list TYPE.MEMBER": head an embedded struct list_head, the
 * elements struct TYPEs linked through their struct list_head MEMBER, as list_add(&e->MEMBER,
 * &s->head) builds it): like print_list, the sender walks head->next up to EM_LIST_MAX elements
 * (container_of each), puts the count and each element as a handle with its fields; the
 * receiver re-initialises its head and appends the elements in order (list_add_tail's four
 * stores, written out: the user half has no kernel list helpers). MEMBER never crosses.
 */
static void print_klist(struct gen *g, struct gen_file *o, struct kc_sb *b, const struct em_helper *hp,
			const struct em_op *op)
{
	const struct em_model *m = g->m;
	const struct em_field *f = op->f;
	const char *nm = op->path;
	struct kc_sb ct = { 0 };
	const char *mem = strchr(f->shape_arg, '.') + 1;
	const char *h = op->st >= 0 ? gen_helper(g, o, hp->fn, op->st, hp->dir, hp->enc) : NULL;
	int enc = hp->enc;
	struct kc_sb spec = { 0 };

	gen_wire_spec(&spec, g, &op->w, "kcut_e");

	ctype(&ct, &m->s[f->list_st]);
	if (enc) {
		kc_sb_addf(b,
			   "\t{\n"
			   "\t\t/* kernel list %s of %s.%s: count, then each element */\n"
			   "\t\tconst __typeof__(p->%s) *kcut_h = &p->%s, *kcut_q;\n"
			   "\t\tuint32_t kcut_k = 0;\n\n"
			   "\t\tfor (kcut_q = kcut_h->next; kcut_q && kcut_q != kcut_h && kcut_k <= %d; kcut_q = kcut_q->next)\n"
			   "\t\t\tkcut_k++;\n"
			   "\t\tif (kcut_k > %d) {\n"
			   "\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
			   "\t\t\tkcut_k = 0;\n"
			   "\t\t}\n"
			   "\t\tkc_xdr_put_u32(x, kcut_k);\n"
			   "\t\tfor (kcut_q = kcut_h->next; kcut_k; kcut_q = kcut_q->next, kcut_k--) {\n"
			   "\t\t\tconst %s *kcut_e = (const void *)((const char *)kcut_q - __builtin_offsetof(%s, %s));\n\n"
			   "\t\t\tkcut_fail(rc, kc_wire_put_ptr(kcut_rt, x, (const void *)kcut_e, %s, sizeof(%s), 1, 0));\n"
			   "\t\t\t(void)kcut_seen(s, kcut_e);\n",
			   nm, m->s[f->list_st].name, mem, nm, nm, EM_LIST_MAX, EM_LIST_MAX, ct.s, ct.s, mem,
			   g->p->types[op->type], ct.s);
		if (h)
			kc_sb_addf(b, "\t\t\t%s(x, (void *)kcut_e, s, rc);\n", h);
		kc_sb_add(b, "\t\t}\n\t}\n");
	} else {
		kc_sb_addf(b,
			   "\t{\n"
			   "\t\t/* kernel list %s of %s.%s: relinked in the order sent */\n"
			   "\t\t__typeof__(p->%s) *kcut_h = &p->%s;\n"
			   "\t\tuint32_t kcut_k = kc_xdr_get_u32(x);\n\n"
			   "\t\tif (kcut_k > %d)\n"
			   "\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
			   "%s"
			   "\t\tfor (; kcut_k && !*rc; kcut_k--) {\n"
			   "\t\t\t%s *kcut_e = kc_wire_get_ptr(kcut_rt, x, %s, NULL, rc);\n\n"
			   "\t\t\tif (!kcut_e) {\n"
			   "\t\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
			   "\t\t\t\tbreak;\n"
			   "\t\t\t}\n",
			   nm, m->s[f->list_st].name, mem, nm, nm, EM_LIST_MAX,
			   hp->undo ? "\t\tif (kc_wire_undo(kcut_rt, (void *)kcut_h, sizeof(*kcut_h), rc)) {\n"
				      "\t\t\tkcut_h->next = kcut_h;\n\t\t\tkcut_h->prev = kcut_h;\n\t\t}\n"
				    : "\t\tkcut_h->next = kcut_h;\n\t\tkcut_h->prev = kcut_h;\n",
			   ct.s, spec.s);
		if (h)
			kc_sb_addf(b, "\t\t\t%s(x, (void *)kcut_e, s, rc);\n", h);
		if (hp->undo)
			kc_sb_addf(b, "\t\t\tif (!kc_wire_undo(kcut_rt, (void *)&kcut_e->%s, sizeof(kcut_e->%s), rc))\n"
				      "\t\t\t\tbreak;\n", mem, mem);
		kc_sb_addf(b,
			   "\t\t\tkcut_e->%s.prev = kcut_h->prev;\n"
			   "\t\t\tkcut_e->%s.next = kcut_h;\n"
			   "\t\t\tkcut_h->prev->next = &kcut_e->%s;\n"
			   "\t\t\tkcut_h->prev = &kcut_e->%s;\n"
			   "\t\t}\n"
			   "\t}\n",
			   mem, mem, mem, mem);
	}
	kc_sb_free(&ct);
	kc_sb_free(&spec);
}

/* The statements of one field operation (plan.h, enum em_op_kind). */
static void print_op(struct gen *g, struct gen_file *o, struct kc_sb *b, const struct em_helper *hp,
		     const struct em_op *op)
{
	const struct em_model *m = g->m;
	const struct em_field *f = op->f;
	const char *nm = op->path;
	int enc = hp->enc;
	struct kc_sb ct = { 0 }, st = { 0 }, dst = { 0 };

	switch (op->kind) {
	case EM_OP_SCALAR:
		if (enc)
			kc_sb_addf(b, "\tkc_xdr_put_%s(x, (uint%d_t)p->%s);\n", f->size > 4 ? "u64" : "u32",
				   f->size > 4 ? 64 : 32, nm);
		else {
			kc_sb_addf(&st, "\tp->%s = kc_xdr_get_%s(x);\n", nm, f->size > 4 ? "u64" : "u32");
			if (f->kind && !strcmp(f->kind, "bitfield"))
				/* a bit-field has no address: the undo log keeps the whole object */
				guarded(b, hp, "p", "sizeof(*p)", st.s);
			else
				guarded_field(b, hp, nm, st.s);
		}
		break;
	case EM_OP_FNPTR:
		/* each half holds its own function of that name (the kernel half's stub for a
		 * user-half function); a function outside the tables (the kernel's own) leaves the
		 * receiver's field alone */
		if (enc)
			kc_sb_addf(b, "\tkc_wire_put_fnf(kcut_rt, x, (kc_wire_fn)p->%s);\n", nm);
		else {
			kc_sb_addf(&st, "\t{\n\t\tkc_wire_fn kf;\n\n\t\tif (kc_wire_get_fnf(kcut_rt, x, &kf, rc))\n"
				       "\t\t\tp->%s = (__typeof__(p->%s))kf;\n\t}\n", nm, nm);
			guarded_field(b, hp, nm, st.s);
		}
		break;
	case EM_OP_STRUCTS:
		kc_sb_addf(b, "\tfor (i = 0; i < sizeof(p->%s) / sizeof(p->%s[0]); i++)\n\t\t%s(x, &p->%s[i], s, rc);\n",
			   nm, nm, gen_helper(g, o, hp->fn, op->st, hp->dir, enc), nm);
		o->need_i = 1;
		break;
	case EM_OP_BYTES:
		if (enc)
			kc_sb_addf(b, "\tkc_xdr_put_fixed(x, (const void *)p->%s, sizeof(p->%s));\n", nm, nm);
		else {
			kc_sb_addf(&st, "\tkcut_get_fixed(x, (void *)p->%s, sizeof(p->%s), rc);\n", nm, nm);
			guarded_field(b, hp, nm, st.s);
		}
		break;
	case EM_OP_BLOB:
		if (enc)
			kc_sb_addf(b, "\tkc_xdr_put_fixed(x, (const void *)&p->%s, sizeof(p->%s));\n", nm, nm);
		else {
			kc_sb_addf(&st, "\tkcut_get_fixed(x, (void *)&p->%s, sizeof(p->%s), rc);\n", nm, nm);
			guarded_field(b, hp, nm, st.s);
		}
		break;
	case EM_OP_KLIST:
		print_klist(g, o, b, hp, op);
		break;
	case EM_OP_UNION:
		print_union(g, o, b, hp, op);
		break;
	case EM_OP_HANDLES:
		/* the members alias one pointer: sent once, through the first member */
		if (enc)
			kc_sb_addf(b, "\tkcut_fail(rc, kc_wire_put_ptr(kcut_rt, x, (const void *)p->%s.%s, KCUT_T_OPAQUE, 1, 1, 0));\n",
				   nm, op->arg);
		else {
			kc_sb_addf(&st, "\tp->%s.%s = kc_wire_get_ptr(kcut_rt, x, NULL, NULL, rc);\n", nm, op->arg);
			kc_sb_addf(&dst, "%s.%s", nm, op->arg);
			guarded_field(b, hp, dst.s, st.s);
		}
		break;
	case EM_OP_EMBED:
		kc_sb_addf(b, "\t%s(x, &p->%s, s, rc);\n", gen_helper(g, o, hp->fn, op->st, hp->dir, enc), nm);
		break;
	case EM_OP_PTR:
		ctype(&ct, &m->s[f->target_st]);
		if (op->send && enc)
			kc_sb_addf(b, "\tkcut_fail(rc, kc_wire_put_ptr(kcut_rt, x, (const void *)p->%s, %s, sizeof(%s), 1, 0));\n",
				   nm, g->p->types[op->type], ct.s);
		else if (op->send) {
			kc_sb_addf(&dst, "p->%s", nm);
			kc_sb_addf(&st, "\tp->%s = kc_wire_get_ptr(kcut_rt, x, ", nm);
			gen_wire_spec(&st, g, &op->w, dst.s);
			kc_sb_add(&st, ", NULL, rc);\n");
			guarded_field(b, hp, nm, st.s);
		}
		if (op->follow && enc && g->p->sync_tu && o->pf)
			/* an object the user half freed (user side) or the kernel freed (kernel side:
			 * the reply trailer and the recovery hook encode whole objects, whose pointer
			 * fields may be left to freed memory) is not read: its pointer went as NULL */
			kc_sb_addf(b,
				   "\tif (p->%s && !kcut_seen(s, p->%s) && !kc_wire_sync_gone(kcut_rt, (const void *)p->%s)) {\n"
				   "\t\tkc_xdr_put_bool(x, 1);\n"
				   "\t\t%s(x, (void *)p->%s, s, rc);\n"
				   "\t} else {\n"
				   "\t\tkc_xdr_put_bool(x, 0);\n"
				   "\t}\n",
				   nm, nm, nm, gen_helper(g, o, hp->fn, op->st, hp->dir, 1), nm);
		else if (op->follow && enc)
			kc_sb_addf(b,
				   "\tif (p->%s && !kcut_seen(s, p->%s)) {\n"
				   "\t\tkc_xdr_put_bool(x, 1);\n"
				   "\t\t%s(x, (void *)p->%s, s, rc);\n"
				   "\t} else {\n"
				   "\t\tkc_xdr_put_bool(x, 0);\n"
				   "\t}\n",
				   nm, nm, gen_helper(g, o, hp->fn, op->st, hp->dir, 1), nm);
		else if (op->follow)
			kc_sb_addf(b,
				   "\tif (kc_xdr_get_bool(x)) {\n"
				   "\t\tif (p->%s)\n"
				   "\t\t\t%s(x, (void *)p->%s, s, rc);\n"
				   "\t\telse\n"
				   "\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
				   "\t}\n",
				   nm, gen_helper(g, o, hp->fn, op->st, hp->dir, 0), nm);
		kc_sb_free(&ct);
		break;
	case EM_OP_STRING:
		/* by value (or, from the user half, as a pointer into an object both halves have);
		 * the receiver keeps an equal string it already points to */
		if (enc)
			kc_sb_addf(b, "\tkc_wire_put_str(kcut_rt, x, p->%s, rc);\n", nm);
		else {
			kc_sb_addf(&st, "\tkc_wire_get_fstr(kcut_rt, x, (const char **)(void *)&p->%s, rc);\n", nm);
			guarded_field(b, hp, nm, st.s);
		}
		break;
	case EM_OP_ARRAY:
		if (enc) {
			kc_sb_addf(b, "\tkc_wire_put_array(kcut_rt, x, (const void *)p->%s, %s, sizeof(*p->%s), %s, rc);\n", nm,
				   g->p->types[op->type], nm, op->arg);
		} else {
			kc_sb_addf(&st, "\tp->%s = kc_wire_get_ptr(kcut_rt, x, ", nm);
			gen_wire_spec(&st, g, &op->w, NULL);
			kc_sb_add(&st, ", &n, rc);\n");
			guarded_field(b, hp, nm, st.s);
			if (hp->undo) {
				/* the bytes the message puts into the array's object */
				kc_sb_addf(b, "\tif (kc_wire_undo(kcut_rt, (void *)p->%s, n, rc))\n\t", nm);
				o->need_n = 2;
			} else {
				o->need_n = 1;
			}
			kc_sb_addf(b, "\tkc_wire_get_data(kcut_rt, x, (void *)p->%s, n, rc);\n", nm);
		}
		break;
	case EM_OP_HANDLE:
		if (enc)
			kc_sb_addf(b, "\tkcut_fail(rc, kc_wire_put_ptr(kcut_rt, x, (const void *)p->%s, %s, 1, 1, 0));\n", nm,
				   g->p->types[op->type]);
		else {
			/* the kernel's once set: never moved or cleared by the user half */
			kc_sb_addf(&st, "\tkc_wire_get_field(kcut_rt, x, NULL, (void **)(void *)&p->%s, rc);\n", nm);
			guarded_field(b, hp, nm, st.s);
		}
		break;
	case EM_OP_LIST:
		print_list(g, o, b, hp, op);
		break;
	case EM_OP_REGION:
		gen_region_op(&st, op, enc); /* device region pointer (gen_region.c) */
		if (enc)
			kc_sb_add(b, st.s);
		else
			guarded_field(b, hp, nm, st.s);
		break;
	case EM_OP_PRIV:
		/* the driver's private area behind the net_device (netdev_priv()) */
		if (hp->bounded && enc) {
			/* the private area may be smaller than the driver's struct (sizeof_priv) */
			ctype(&ct, &m->s[op->st]);
			kc_sb_addf(b, "\tif (kc_wire_span(kcut_rt, netdev_priv(p), sizeof(%s), rc))\n\t", ct.s);
		} else if (hp->bounded) {
			/* what the user half sent is written there only if the object p was checked to
			 * be (a tracked net_device, a global) has it: else p + ALIGN(sizeof(struct
			 * net_device)) is past its end (the 10-million-message run's crash) */
			ctype(&ct, &m->s[op->st]);
			kc_sb_addf(b, "\tif (kc_wire_extent(kcut_rt, p) < (size_t)((char *)netdev_priv(p) - (char *)p) + sizeof(%s))\n"
				      "\t\tkcut_fail(rc, KC_RT_ERANGE);\n\telse\n\t", ct.s);
		}
		kc_sb_addf(b, "\t%s(x, netdev_priv(p), s, rc);\n", gen_helper(g, o, hp->fn, op->st, hp->dir, enc));
		break;
	}
	kc_sb_free(&st);
	kc_sb_free(&dst);
	kc_sb_free(&ct);
}

static void print_ops(struct gen *g, struct gen_file *o, struct kc_sb *b, const struct em_helper *hp,
		      const struct em_op *ops, int nops)
{
	int i;

	for (i = 0; i < nops; i++)
		print_op(g, o, b, hp, &ops[i]);
}

/*
 * A sync helper (synchronization at every crossing, plan_sync.c; rt/sync.c calls them). The user
 * half's encoder compares each field operation's field with the shadow (the bytes the kernel half
 * last saw) and sends only what changed, as (index, value), then 0; an embedded struct, an array
 * of structs or the private area goes through its own sync helper (a changed element: index,
 * element number, its changed fields). A pointer field whose object the user half freed since the
 * last flush goes as NULL (kc_wire_sync_dead, kc_wire_put_ptr). The kernel half's decoder takes
 * (index, value) pairs until 0; an unknown index is a protocol fault.
 */
static void print_sync_helper(struct gen *g, struct gen_file *o, int hi)
{
	const struct em_helper *h = &o->pf->help[hi];
	const struct em_struct *s = &g->m->s[h->st];
	struct kc_sb body = { 0 }, ct = { 0 };
	int k, need_i = 0, j;

	o->need_n = 0;
	ctype(&ct, s);
	for (k = 0; k < h->nops; k++) {
		const struct em_op *op = &h->ops[k];
		const char *nm = op->path;
		const char *sub = op->st >= 0 ? gen_helper(g, o, h->fn, op->st, h->dir, h->enc) : NULL;
		struct kc_sb one = { 0 };
		struct kc_sb st = { 0 };
		const char *c;

		if (op->st >= 0)
			ctype(&st, &g->m->s[op->st]);
		if (h->enc) {
			switch (op->kind) {
			case EM_OP_EMBED:
				kc_sb_addf(&body, "\tif (memcmp(&p->%s, &sh->%s, sizeof(p->%s))) {\n\t\tkc_xdr_put_u32(x, %d);\n"
						  "\t\t%s(x, &p->%s, &sh->%s, rc);\n\t}\n", nm, nm, nm, k + 1, sub, nm, nm);
				break;
			case EM_OP_STRUCTS:
				need_i = 1;
				kc_sb_addf(&body, "\tfor (i = 0; i < sizeof(p->%s) / sizeof(p->%s[0]); i++)\n"
						  "\t\tif (memcmp(&p->%s[i], &sh->%s[i], sizeof(p->%s[i]))) {\n"
						  "\t\t\tkc_xdr_put_u32(x, %d);\n\t\t\tkc_xdr_put_u32(x, (uint32_t)i);\n"
						  "\t\t\t%s(x, &p->%s[i], &sh->%s[i], rc);\n\t\t}\n",
					   nm, nm, nm, nm, nm, k + 1, sub, nm, nm);
				break;
			case EM_OP_PRIV:
				/* the private area only when the object's copy has it (a net_device first seen
				 * through a pointer of its own type has sizeof(struct net_device) bytes) */
				kc_sb_addf(&body, "\tif (kc_wire_extent(kcut_rt, p) >= (size_t)((char *)netdev_priv(p) - (char *)p) + sizeof(%s) &&\n"
						  "\t    memcmp(netdev_priv(p), netdev_priv((void *)sh), sizeof(%s))) {\n"
						  "\t\tkc_xdr_put_u32(x, %d);\n"
						  "\t\t%s(x, netdev_priv(p), netdev_priv((void *)sh), rc);\n\t}\n",
					   st.s, st.s, k + 1, sub);
				break;
			case EM_OP_BYTES:
			case EM_OP_BLOB:
				kc_sb_addf(&one, "memcmp(&p->%s, &sh->%s, sizeof(p->%s))", nm, nm, nm);
				break;
			case EM_OP_PTR:
			case EM_OP_REGION:
			case EM_OP_HANDLE:
			case EM_OP_STRING:
			case EM_OP_ARRAY:
				kc_sb_addf(&one, "p->%s != sh->%s || kc_wire_sync_dead(kcut_rt, (const void *)p->%s)", nm, nm, nm);
				break;
			default:
				kc_sb_addf(&one, "p->%s != sh->%s", nm, nm);
				break;
			}
			if (one.s) {
				struct kc_sb opb = { 0 };

				print_op(g, o, &opb, h, op);
				kc_sb_addf(&body, "\tif (%s) {\n\t\tkc_xdr_put_u32(x, %d);\n", one.s, k + 1);
				for (c = opb.s; c && *c; c++) {
					if (c == opb.s || c[-1] == '\n')
						kc_sb_add(&body, "\t");
					kc_sb_addn(&body, c, 1);
				}
				kc_sb_add(&body, "\t}\n");
				kc_sb_free(&opb);
			}
		} else {
			kc_sb_addf(&body, "\t\tcase %d:\n", k + 1);
			switch (op->kind) {
			case EM_OP_EMBED:
				kc_sb_addf(&body, "\t\t\t%s(x, &p->%s, rc);\n", sub, nm);
				break;
			case EM_OP_STRUCTS:
				need_i = 1;
				kc_sb_addf(&body, "\t\t\ti = kc_xdr_get_u32(x);\n"
						  "\t\t\tif (i >= sizeof(p->%s) / sizeof(p->%s[0]))\n"
						  "\t\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
						  "\t\t\telse\n\t\t\t\t%s(x, &p->%s[i], rc);\n", nm, nm, sub, nm);
				break;
			case EM_OP_PRIV:
				kc_sb_addf(&body, "\t\t\tif (kc_wire_extent(kcut_rt, p) < (size_t)((char *)netdev_priv(p) - (char *)p) + sizeof(%s))\n"
						  "\t\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n\t\t\telse\n"
						  "\t\t\t\t%s(x, netdev_priv(p), rc);\n", st.s, sub);
				break;
			default: {
				struct kc_sb opb = { 0 };

				print_op(g, o, &opb, h, op);
				for (c = opb.s; c && *c; c++) {
					if (c == opb.s || c[-1] == '\n')
						kc_sb_add(&body, "\t\t");
					kc_sb_addn(&body, c, 1);
				}
				kc_sb_free(&opb);
				break;
			}
			}
			kc_sb_add(&body, "\t\t\tbreak;\n");
		}
		kc_sb_free(&one);
		kc_sb_free(&st);
	}
	if (h->enc) {
		kc_sb_addf(&o->protos, "static void %s(struct kc_xdr *x, void *vp, const void *vs, int *rc);\n", o->names[hi]);
		kc_sb_addf(&o->tail,
			   "\n/* synchronization at every crossing: send the fields of %s the user half changed since the\n"
			   " * kernel half last saw them (shadow vs) (rt/sync.c). */\n"
			   "static void %s(struct kc_xdr *x, void *vp, const void *vs, int *rc)\n{\n"
			   "\t%s *p = vp;\n\tconst %s *sh = vs;\n",
			   ct.s, o->names[hi], ct.s, ct.s);
		if (need_i)
			kc_sb_add(&o->tail, "\tsize_t i;\n");
		/* a struct with no field to send (snd_ctl_elem_value: only arrays the shapes do not carry) */
		kc_sb_addf(&o->tail, "\n%s\tkc_xdr_put_u32(x, 0);\n%s\t(void)sh;\n\t(void)rc;\n}\n", body.s ? body.s : "",
			   body.s ? "" : "\t(void)p;\n");
	} else {
		/*
		 * One field per call of NAME_field, the loop in NAME: with the switch inside the loop
		 * the compiler hoists every case's field address out of it and spills them (e1000's
		 * adapter decoder had a 1240-byte frame, over the Linux kernel's 1024-byte
		 * -Wframe-larger-than); noinline keeps it from merging the two again.
		 */
		kc_sb_addf(&o->protos, "static void %s(struct kc_xdr *x, void *vp, int *rc);\n", o->names[hi]);
		kc_sb_addf(&o->tail,
			   "\n/* synchronization at every crossing: take the user half's changed field k of %s (rt/sync.c). */\n"
			   "static __attribute__((__noinline__)) void %s_field(struct kc_xdr *x, %s *p, uint32_t k, int *rc)\n{\n",
			   ct.s, o->names[hi], ct.s);
		/* (n is set by the guarded kc_wire_get_ptr before its array's bytes: 0 when the guard
		 * refused it, as the rc it leaves makes the second guard refuse too) */
		if (need_i)
			kc_sb_add(&o->tail, "\tsize_t i;\n");
		if (o->need_n)
			kc_sb_add(&o->tail, "\tsize_t n = 0;\n");
		if (need_i || o->need_n)
			kc_sb_add(&o->tail, "\n");
		kc_sb_addf(&o->tail, "%s\tswitch (k) {\n", body.s ? "" : "\t(void)x;\n\t(void)p;\n");
		for (j = 0; body.s && body.s[j]; j++) /* the cases one tab less deep than in a loop */
			if (!(body.s[j] == '\t' && (j == 0 || body.s[j - 1] == '\n')))
				kc_sb_addn(&o->tail, &body.s[j], 1);
		kc_sb_addf(&o->tail, "\tdefault:\n\t\tkcut_fail(rc, KC_RT_EPROTO);\n\t\tbreak;\n\t}\n}\n\n"
				     "/* ... and all of them, until index 0. */\n"
				     "static void %s(struct kc_xdr *x, void *vp, int *rc)\n{\n"
				     "\tuint32_t k;\n\n"
				     "\twhile (!*rc && !kc_xdr_error(x) && (k = kc_xdr_get_u32(x)) != 0)\n"
				     "\t\t%s_field(x, vp, k, rc);\n}\n",
			   o->names[hi], o->names[hi]);
	}
	g->stub_lines += 10;
	for (j = 0; body.s && body.s[j]; j++)
		g->stub_lines += body.s[j] == '\n';
	kc_sb_free(&body);
	kc_sb_free(&ct);
}

/* Print the helpers [from, to) of o's plan: definitions into o->tail, prototypes into o->protos. */
void gen_helpers_print(struct gen *g, struct gen_file *o, int from, int to)
{
	int i, j;

	for (i = from; i < to; i++) {
		const struct em_helper *h = &o->pf->help[i];
		const struct em_struct *s = &g->m->s[h->st];
		const char *fname = g->m->f[h->fn].name;
		struct kc_sb body = { 0 };
		struct kc_sb ct = { 0 };

		if (g->p->sync_tu && h->fn == g->p->sync_fn) {
			print_sync_helper(g, o, i);
			continue;
		}

		o->need_n = 0;
		o->need_i = 0;
		print_ops(g, o, &body, h, h->ops, h->nops);
		ctype(&ct, s);
		kc_sb_addf(&o->protos, "static void %s(struct kc_xdr *x, void *vp, struct kcut_seen *s, int *rc);\n",
			   o->names[i]);
		kc_sb_addf(&o->tail,
			   "\n/* %s: %s the fields of %s that %s %s. */\n"
			   "static void %s(struct kc_xdr *x, void *vp, struct kcut_seen *s, int *rc)\n"
			   "{\n"
			   "\t%s *p = vp;\n",
			   fname, h->enc ? "send" : "receive", ct.s, fname, h->dir == EM_IN ? "may read" : "may write",
			   o->names[i], ct.s);
		if (o->need_n)
			kc_sb_add(&o->tail, o->need_n == 2 ? "\tsize_t n = 0;\n" : "\tsize_t n;\n");
		if (o->need_i)
			kc_sb_add(&o->tail, "\tsize_t i;\n");
		kc_sb_addf(&o->tail, "\n%s", body.s ? body.s : "");
		if (!body.s)
			kc_sb_add(&o->tail, "\t(void)x;\n\t(void)p;\n");
		if (!body.s || !strstr(body.s, " s, "))
			kc_sb_add(&o->tail, "\t(void)s;\n");
		if (!body.s || !strstr(body.s, "rc)"))
			kc_sb_add(&o->tail, "\t(void)rc;\n");
		kc_sb_add(&o->tail, "}\n");
		g->stub_lines += 8;
		for (j = 0; body.s && body.s[j]; j++)
			g->stub_lines += body.s[j] == '\n';
		kc_sb_free(&body);
		kc_sb_free(&ct);
	}
}

/* The fields of the object a crossing returns, handler side (the plan's candidate types). 1 if any
 * code was written. */
int gen_ret_fields_enc(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn)
{
	const int *cand = g->p->fn[fn].cand;
	int n = g->p->fn[fn].ncand, i;

	if (!n)
		return 0;
	kc_sb_add(b, "\t{\n\t\tstruct kcut_seen kcut_rs = { { 0 }, 0 };\n\n"
		     "\t\tswitch (kc_wire_type_at(kcut_rt, kcut_ret)) {\n");
	for (i = 0; i < n; i++)
		kc_sb_addf(b, "\t\tcase %s:\n\t\t\tkc_xdr_put_u32(kcut_r, %s);\n"
			      "\t\t\t%s(kcut_r, (void *)kcut_ret, &kcut_rs, &kcut_rc);\n\t\t\tbreak;\n",
			   gen_type_struct(g, cand[i]), gen_type_struct(g, cand[i]),
			   gen_helper(g, o, fn, cand[i], EM_OUT, 1));
	kc_sb_add(b, "\t\tdefault:\n\t\t\tkc_xdr_put_u32(kcut_r, 0);\n\t\t\tbreak;\n\t\t}\n\t}\n");
	return 1;
}

/* ... stub side: the type word, then the fields of a candidate. */
int gen_ret_fields_dec(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn)
{
	const int *cand = g->p->fn[fn].cand;
	int n = g->p->fn[fn].ncand, i;

	if (!n)
		return 0;
	kc_sb_add(b, "\t\t{\n\t\t\tstruct kcut_seen kcut_rs = { { 0 }, 0 };\n\n"
		     "\t\t\tswitch (kc_xdr_get_u32(kcut_r)) {\n\t\t\tcase 0:\n\t\t\t\tbreak;\n");
	for (i = 0; i < n; i++)
		kc_sb_addf(b, "\t\t\tcase %s:\n\t\t\t\tif (kc_wire_type_at(kcut_rt, kcut_ret) == %s)\n"
			      "\t\t\t\t\t%s(kcut_r, (void *)kcut_ret, &kcut_rs, &kcut_rc);\n"
			      "\t\t\t\telse\n\t\t\t\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n\t\t\t\tbreak;\n",
			   gen_type_struct(g, cand[i]), gen_type_struct(g, cand[i]),
			   gen_helper(g, o, fn, cand[i], EM_OUT, 0));
	kc_sb_add(b, "\t\t\tdefault:\n\t\t\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n\t\t\t\tbreak;\n\t\t\t}\n\t\t}\n");
	return 1;
}

/* Stub side of an array-of-strings parameter: its count from an annotation ("func.param array
 * COUNTPARAM|N|(expr)"), else 0: the extent of the array's object at run time (kc_wire_put_strv). */
void gen_strv_put(struct kc_sb *b, const struct em_func *f, const struct em_type *t, const char *name)
{
	kc_sb_addf(b, "\tkc_wire_put_strv(kcut_rt, kcut_a, (const char *const *)%s, ", name);
	if (t->count_expr)
		kc_sb_addf(b, "(size_t)%s", t->count_expr);
	else if (t->count_param)
		kc_sb_addf(b, "(size_t)%s", f->params[t->count_param - 1].name);
	else
		kc_sb_addf(b, "%d", t->count > 0 ? t->count : 0);
	kc_sb_add(b, ", &kcut_rc);\n");
}

/* Handler side: the decoded array (NULL past the end) and a pool for its strings, valid for the
 * call. */
void gen_strv_decl(struct kc_sb *b, int i)
{
	kc_sb_addf(b, "const char *kcut_v%d[KC_WIRE_STRVMAX + 1];\n\tchar kcut_b%d[KCUT_ARRMAX];\n"
		      "\tsize_t kcut_n%d;\n\tconst char *const *kcut_p%d;\n", i, i, i, i);
}

/* ... the check of array i against its count parameter, once both are decoded. */
void gen_strv_check(struct kc_sb *b, const struct em_func *f, int i)
{
	kc_sb_addf(b, "\tif (kcut_p%d && (size_t)kcut_p%d > kcut_n%d)\n\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n", i,
		   f->params[i].t.count_param - 1, i);
}

/* With an annotated count parameter decoded before it (or after it: gen_stub.c), the handler also checks that the peer
 * sent as many strings as that parameter says (the import indexes the array with it). Without
 * one the import trusts its own count parameter (docs/emitter.md, "simsnd"). */
void gen_strv_get(struct kc_sb *b, const struct em_func *f, int i)
{
	const struct em_type *t = &f->params[i].t;

	kc_sb_addf(b, "\tkcut_p%d = kc_wire_get_strv(kcut_rt, kcut_a, kcut_v%d, KC_WIRE_STRVMAX, kcut_b%d, sizeof(kcut_b%d), &kcut_n%d,\n\t\t\t\t   &kcut_rc);\n",
		   i, i, i, i, i);
	if (t->count_param && t->count_param - 1 < i)
		gen_strv_check(b, f, i);
	else if (t->count > 0)
		kc_sb_addf(b, "\tif (kcut_p%d && (size_t)%d > kcut_n%d)\n\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n", i,
			   t->count, i);
}
