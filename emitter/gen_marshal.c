/*
 * gen_marshal.c - the field-sensitive marshaling code: for one crossing function and one struct
 * type, the C functions that encode the fields the callee side may read (direction "in") or
 * write (direction "out") and decode them on the other side. Nested structs (embedded or behind
 * pointers) get their own functions, requested through a per-file work list, so every generated
 * file contains exactly the helpers it uses (no unused static functions under -Werror).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/* Anonymous structs and unions are stored as 'outer::<anon@LINE>'. */
int is_anon(const char *name)
{
	return strchr(name, '<') || strchr(name, ':');
}

/* A union whose members are all pointers sent as handles only (opaque, DMA, MMIO). */
static int handle_only_union(const struct em_model *m, int st)
{
	int i;

	for (i = 0; i < m->s[st].nfields; i++) {
		const struct em_field *f = &m->s[st].fields[i];

		if (strcmp(f->kind, "pointer") ||
		    (f->shape != EM_S_OPAQUE && f->shape != EM_S_DMA && f->shape != EM_S_MMIO))
			return 0;
	}
	return m->s[st].nfields > 0;
}

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
	kc_sb_addf(sb, "%s %s", s->is_union ? "union" : "struct", s->name);
}

const char *gen_type_struct(struct gen *g, int st)
{
	struct em_struct *s = &g->m->s[st];

	if (!s->type_id) {
		struct kc_sb sb = { 0 };

		kc_sb_add(&sb, "KCUT_T_");
		add_ident(&sb, s->name);
		s->type_id = gen_type_add(g, kc_sb_steal(&sb));
	}
	return g->types[s->type_id];
}

static const char *type_blob(struct gen *g, const struct em_field *f)
{
	struct kc_sb sb = { 0 };
	int i;

	kc_sb_add(&sb, "KCUT_T_");
	add_ident(&sb, g->m->s[f->st].name);
	kc_sb_addf(&sb, "__%s", f->name);
	for (i = 1; i < g->ntypes; i++)
		if (!strcmp(g->types[i], sb.s)) {
			kc_sb_free(&sb);
			return g->types[i];
		}
	i = gen_type_add(g, kc_sb_steal(&sb));
	return g->types[i];
}

/* Does the pointer field f (shape array) point to elements that hold pointers: a struct or
 * union containing one (recursively through embedded structs), or a pointer itself (`char **`)? */
static int array_holds_ptr(const struct em_model *m, const struct em_field *f)
{
	const char *star = strchr(f->type, '*');

	if (f->target_st >= 0 && m->s[f->target_st].has_ptr)
		return 1;
	return star && strchr(star + 1, '*') != NULL;
}

static int is_scalar_kind(const char *k)
{
	return !strcmp(k, "scalar") || !strcmp(k, "enum") || !strcmp(k, "bitfield");
}

/* Does struct st carry anything for crossing fn in direction dir (EM_IN / EM_OUT)? */
int gen_nonempty(struct gen *g, int fn, int st, int dir)
{
	struct em_model *m = g->m;
	const uint8_t *fs = m->f[fn].fset;
	struct em_struct *s = &m->s[st];
	int i, r = 0;

	if (g->visiting[st])
		return 0;
	g->visiting[st] = 1;
	for (i = 0; i < s->nfields && !r; i++) {
		struct em_field *f = &s->fields[i];

		if (!strcmp(f->kind, "array") && f->target_st >= 0 && !strchr(f->type, '*'))
			r = gen_nonempty(g, fn, f->target_st, dir);
		else if (is_scalar_kind(f->kind) || !strcmp(f->kind, "array") || !strcmp(f->kind, "funcptr"))
			r = fs[f->gidx] & dir;
		else if (!strcmp(f->kind, "struct") && f->shape == EM_S_LIST && f->list_st >= 0)
			r = (fs[f->gidx] & dir) || (fs[f->gidx] && gen_nonempty(g, fn, f->list_st, dir));
		else if (!strcmp(f->kind, "struct") && f->list_link)
			r = 0;
		else if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union"))
			r = f->target_st >= 0 ? gen_nonempty(g, fn, f->target_st, dir) : (fs[f->gidx] & dir);
		else if (!strcmp(f->kind, "pointer"))
			r = (fs[f->gidx] & dir) ||
			    (fs[f->gidx] && (f->shape == EM_S_STRUCT || f->shape == EM_S_LIST) &&
			     gen_nonempty(g, fn, f->target_st, dir));
	}
	g->visiting[st] = 0;
	if (!r && st == m->priv_owner_st && m->priv_st >= 0 && m->priv_st != st)
		r = gen_nonempty(g, fn, m->priv_st, dir);
	return r;
}

/* Name of a helper; requests it in the file's work list. */
const char *gen_helper(struct gen *g, struct gen_file *o, int fn, int st, int dir, int enc)
{
	struct kc_sb sb = { 0 };
	int i;

	kc_sb_addf(&sb, "kcut_%s_", g->m->f[fn].idname);
	add_ident(&sb, g->m->s[st].name);
	kc_sb_addf(&sb, "_%s_%s", dir == EM_IN ? "in" : "out", enc ? "enc" : "dec");
	for (i = 0; i < o->nhelp; i++)
		if (!strcmp(o->help[i].name, sb.s)) {
			kc_sb_free(&sb);
			return o->help[i].name;
		}
	o->help = kc_xrealloc(o->help, (o->nhelp + 1) * sizeof(*o->help));
	o->help[o->nhelp].name = kc_sb_steal(&sb);
	o->help[o->nhelp].fn = fn;
	o->help[o->nhelp].st = st;
	o->help[o->nhelp].dir = dir;
	o->help[o->nhelp].enc = enc;
	o->help[o->nhelp].done = 0;
	return o->help[o->nhelp++].name;
}

/* Report that field f cannot be marshaled for crossing fn (unknown shapes were reported already). */
static void field_problem(struct gen *g, const struct em_field *f, int fn, const char *what)
{
	struct em_model *m = g->m;
	struct em_struct *s = &m->s[f->st];

	if (f->shape == EM_S_UNKNOWN && !strcmp(f->kind, "pointer"))
		return; /* reported once by em_model_shapes */
	em_finding(m, s->file, s->line, 1, "cannot marshal %s.%s (%s) for %s: %s", s->name, f->name, f->type,
		   m->f[fn].name, what);
}

/*
 * Kernel objects a driver embeds and hands to the kernel by address (timer_setup(&a->timer),
 * INIT_WORK, netif_napi_add, spin_lock_init ...): their contents belong to the kernel and are never
 * copied, in either direction (a user-half copy would overwrite the kernel's list linkage); the same
 * for the lists the kernel keeps in its own objects (net_device.mc, skb queues).
 */
int em_kernel_owned(const char *type)
{
	static const char *const names[] = {
		"completion", "delayed_work", "hrtimer", "mutex", "napi_struct", "spinlock", "spinlock_t",
		"tasklet_struct", "timer_list", "wait_queue_head", "wait_queue_head_t", "work_struct", "rwlock_t",
		"raw_spinlock_t", "semaphore", "netdev_hw_addr_list", "sk_buff_head",
	};
	size_t i;

	if (!strncmp(type, "struct ", 7))
		type += 7;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(type, names[i]))
			return 1;
	return 0;
}

static void gen_field(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn, const struct em_field *f,
		      int dir, int enc, const char *prefix);

/*
 * An embedded union with a discriminator (annotation "S.u union DISC VALUE=MEMBER ..."): the
 * sender puts the discriminator's value, then only the active member, field by field (a pointer
 * member goes through the tracker as a handle, like any pointer field); the receiver switches on
 * the value it received, not on its own copy of DISC (which this crossing may not send). A value
 * without a case sends nothing more. nm is the C path of the union (p->nm).
 */
static void gen_union_disc(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn, const struct em_field *f,
			   int dir, int enc, const char *nm)
{
	struct em_model *m = g->m;
	const struct em_struct *t = &m->s[f->target_st];
	const char *arg = f->shape_arg, *p;
	char disc[256], val[256], mem[256], sub[600];
	size_t dl = strcspn(arg, " ");
	int nprefix;

	snprintf(disc, sizeof(disc), "%.*s", (int)dl, arg);
	/* the discriminator lives beside the union: same prefix as the union itself */
	nprefix = (int)(strlen(nm) - strlen(f->name));
	if (enc)
		kc_sb_addf(b, "\tkc_xdr_put_u32(x, (uint32_t)p->%.*s%s);\n\tswitch ((uint32_t)p->%.*s%s) {\n", nprefix, nm,
			   disc, nprefix, nm, disc);
	else
		kc_sb_add(b, "\tswitch (kc_xdr_get_u32(x)) {\n");
	for (p = strchr(arg, ' '); p; p = strchr(p + 1, ' ')) {
		const char *eq = strchr(p + 1, '=');
		const struct em_field *mf;
		struct kc_sb body = { 0 };
		const char *c;

		snprintf(val, sizeof(val), "%.*s", (int)(eq - (p + 1)), p + 1);
		snprintf(mem, sizeof(mem), "%.*s", (int)strcspn(eq + 1, " "), eq + 1);
		mf = em_field_by_name(m, f->target_st, mem);
		if (!mf)
			continue; /* checked when the annotation was read */
		kc_sb_addf(b, "\tcase (uint32_t)(%s):\n", val);
		snprintf(sub, sizeof(sub), "%s.", nm);
		gen_field(g, o, &body, fn, mf, dir, enc, sub);
		/* one more tab inside the case */
		for (c = body.s; c && *c; c++) {
			if (c == body.s || c[-1] == '\n')
				kc_sb_add(b, "\t");
			kc_sb_addn(b, c, 1);
		}
		kc_sb_free(&body);
		kc_sb_add(b, "\t\tbreak;\n");
	}
	kc_sb_addf(b, "\tdefault:\n\t\tbreak; /* no member of %s is active */\n\t}\n", t->name);
}

/*
 * A list through a next field (annotation "S.head list NEXT", head a struct E *, E.NEXT a struct
 * E *): the sender walks it (at most EM_LIST_MAX elements, else the crossing fails: a cycle or a
 * runaway list), puts the count, then each element as a tracker handle followed by E's fields
 * for this crossing (NEXT itself is never sent). The receiver gets each element through the
 * tracker (the same object on its side as every earlier crossing) and relinks them in the same
 * order: head -> e0 -> e1 ... -> NULL. nm is the C path of the head field (p->nm).
 */
static void gen_list(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn, const struct em_field *f, int dir,
		     int enc, const char *nm)
{
	struct em_model *m = g->m;
	struct kc_sb ct = { 0 };
	const char *nx = f->shape_arg;
	const char *h = gen_nonempty(g, fn, f->target_st, dir) ? gen_helper(g, o, fn, f->target_st, dir, enc) : NULL;

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
			   "\t\t\tkcut_put_ptr(x, (const void *)kcut_e, %s, sizeof(%s), 1, rc);\n"
			   "\t\t\t(void)kcut_seen(s, kcut_e);\n",
			   nm, nx, ct.s, nm, EM_LIST_MAX, nx, EM_LIST_MAX, nm, nx, gen_type_struct(g, f->target_st), ct.s);
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
			   "\t\t\t%s *kcut_e = kcut_get_ptr(x, sizeof(%s), NULL, rc);\n\n"
			   "\t\t\tif (!kcut_e) {\n"
			   "\t\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
			   "\t\t\t\tbreak;\n"
			   "\t\t\t}\n",
			   nm, nx, ct.s, nm, EM_LIST_MAX, ct.s, ct.s);
		if (h)
			kc_sb_addf(b, "\t\t\t%s(x, (void *)kcut_e, s, rc);\n", h);
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
}

/*
 * A kernel list (annotation "S.head list TYPE.MEMBER": head an embedded struct list_head, the
 * elements struct TYPEs linked through their struct list_head MEMBER, as list_add(&e->MEMBER,
 * &s->head) builds it): like gen_list, the sender walks head->next up to EM_LIST_MAX elements
 * (container_of each), puts the count and each element as a handle with its fields; the
 * receiver re-initialises its head and appends the elements in order (list_add_tail's four
 * stores, written out: the user half has no kernel list helpers). MEMBER never crosses.
 */
static void gen_list_head(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn, const struct em_field *f,
			  int dir, int enc, const char *nm)
{
	struct em_model *m = g->m;
	struct kc_sb ct = { 0 };
	const char *mem = strchr(f->shape_arg, '.') + 1;
	const char *h = gen_nonempty(g, fn, f->list_st, dir) ? gen_helper(g, o, fn, f->list_st, dir, enc) : NULL;

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
			   "\t\t\tkcut_put_ptr(x, (const void *)kcut_e, %s, sizeof(%s), 1, rc);\n"
			   "\t\t\t(void)kcut_seen(s, kcut_e);\n",
			   nm, m->s[f->list_st].name, mem, nm, nm, EM_LIST_MAX, EM_LIST_MAX, ct.s, ct.s, mem,
			   gen_type_struct(g, f->list_st), ct.s);
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
			   "\t\tkcut_h->next = kcut_h;\n"
			   "\t\tkcut_h->prev = kcut_h;\n"
			   "\t\tfor (; kcut_k && !*rc; kcut_k--) {\n"
			   "\t\t\t%s *kcut_e = kcut_get_ptr(x, sizeof(%s), NULL, rc);\n\n"
			   "\t\t\tif (!kcut_e) {\n"
			   "\t\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
			   "\t\t\t\tbreak;\n"
			   "\t\t\t}\n",
			   nm, m->s[f->list_st].name, mem, nm, nm, EM_LIST_MAX, ct.s, ct.s);
		if (h)
			kc_sb_addf(b, "\t\t\t%s(x, (void *)kcut_e, s, rc);\n", h);
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
}

/* One field of a helper body. */
static void gen_field(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn, const struct em_field *f,
		      int dir, int enc, const char *prefix)
{
	struct em_model *m = g->m;
	int acc = m->f[fn].fset[f->gidx];
	int send = acc & dir;
	char nm[512];

	snprintf(nm, sizeof(nm), "%s%s", prefix, f->name);

	if (is_scalar_kind(f->kind)) {
		if (!send)
			return;
		if (enc)
			kc_sb_addf(b, "\tkc_xdr_put_%s(x, (uint%d_t)p->%s);\n", f->size > 4 ? "u64" : "u32",
				   f->size > 4 ? 64 : 32, nm);
		else
			kc_sb_addf(b, "\tp->%s = kc_xdr_get_%s(x);\n", nm, f->size > 4 ? "u64" : "u32");
	} else if (!strcmp(f->kind, "funcptr")) {
		/* a callback the driver stores in an object (card->private_free = snd_simsnd_free):
		 * its function-pointer id, so each half holds its own function of that name (the
		 * kernel half's stub for a user-half function); a function outside the tables
		 * (the kernel's own) leaves the receiver's field alone */
		if (!send)
			return;
		if (enc)
			kc_sb_addf(b, "\tkcut_put_fnf(x, (kcut_fn_t)p->%s);\n", nm);
		else
			kc_sb_addf(b, "\t{\n\t\tkcut_fn_t kf;\n\n\t\tif (kcut_get_fnf(x, &kf, rc))\n"
				      "\t\t\tp->%s = (__typeof__(p->%s))kf;\n\t}\n", nm, nm);
	} else if (!strcmp(f->kind, "array")) {
		if (!send)
			return;
		if (f->target_st >= 0 && !strchr(f->type, '*') && !is_anon(m->s[f->target_st].name) &&
		    !m->s[f->target_st].is_union) {
			/* array of structs: element by element, each with the struct's own fields */
			if (!gen_nonempty(g, fn, f->target_st, dir))
				return;
			kc_sb_addf(b, "\tfor (i = 0; i < sizeof(p->%s) / sizeof(p->%s[0]); i++)\n\t\t%s(x, &p->%s[i], s, rc);\n",
				   nm, nm, gen_helper(g, o, fn, f->target_st, dir, enc), nm);
			o->need_i = 1;
			return;
		}
		if (strchr(f->type, '*') || (f->target_st >= 0 && m->s[f->target_st].has_ptr)) {
			field_problem(g, f, fn, "arrays holding pointers are not marshaled yet");
			return;
		}
		if (strstr(f->type, "[]")) {
			/* flexible array member: its length is not in the type */
			fprintf(g->m->diag, "%s:%d:1: warning: %s.%s (%s) is a flexible array member: not marshaled\n",
				g->m->s[f->st].file ? g->m->s[f->st].file : "?", g->m->s[f->st].line, g->m->s[f->st].name,
				f->name, f->type);
			return;
		}
		if (enc)
			kc_sb_addf(b, "\tkc_xdr_put_fixed(x, (const void *)p->%s, sizeof(p->%s));\n", nm, nm);
		else
			kc_sb_addf(b, "\tkcut_get_fixed(x, (void *)p->%s, sizeof(p->%s), rc);\n", nm, nm);
	} else if (!strcmp(f->kind, "struct") && (f->list_link || (f->shape == EM_S_LIST && f->list_st >= 0))) {
		/* a kernel list (list TYPE.MEMBER) or an element's linkage, rebuilt by the list */
		if (f->shape == EM_S_LIST && acc && (send || gen_nonempty(g, fn, f->list_st, dir)))
			gen_list_head(g, o, b, fn, f, dir, enc, nm);
	} else if ((!strcmp(f->kind, "struct") || !strcmp(f->kind, "union")) && em_kernel_owned(f->type)) {
		/* a timer, work item, lock ... embedded in a driver object: the kernel's copy is the
		 * only real one (the user half passes its address down, never its contents) */
		return;
	} else if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union")) {
		if (f->target_st >= 0) {
			/* field by field: sending the whole embedded struct would overwrite fields
			 * the other side owns (statistics counted by the interrupt handler ...) */
			if (!gen_nonempty(g, fn, f->target_st, dir))
				return;
			if (m->s[f->target_st].is_union && f->shape == EM_S_UNION && f->shape_arg) {
				gen_union_disc(g, o, b, fn, f, dir, enc, nm);
				return;
			}
			if (m->s[f->target_st].is_union &&
			    (handle_only_union(m, f->target_st) || f->shape == EM_S_OPAQUE)) {
				/* every member is a pointer sent as a handle: the members alias one
				 * pointer, send it once through the first member */
				struct em_struct *t = &m->s[f->target_st];
				int j, any = 0;

				for (j = 0; j < t->nfields; j++)
					any |= m->f[fn].fset[t->fields[j].gidx] & dir;
				if (!any)
					return;
				if (enc)
					kc_sb_addf(b, "\tkcut_put_ptr(x, (const void *)p->%s.%s, KCUT_T_OPAQUE, 1, 1, rc);\n", nm,
						   t->fields[0].name);
				else
					kc_sb_addf(b, "\tp->%s.%s = kcut_get_ptr(x, 0, NULL, rc);\n", nm, t->fields[0].name);
				return;
			}
			if (is_anon(m->s[f->target_st].name)) {
				/* an anonymous struct has no name to declare a helper with: inline it */
				struct em_struct *t = &m->s[f->target_st];
				char sub[sizeof(nm) + 2];
				int j;

				if (em_union_needs_disc(m, f) && em_touches_ptr(m, m->f[fn].fset, f->target_st, 0)) {
					field_problem(g, f, fn, "a union holding pointers needs a discriminator");
					return;
				}
				/* an unnamed member ('<anon N>': `union { u64 a; atomic64_t b; };`) adds
				 * nothing to the path: its members are the outer struct's */
				if (f->name[0] == '<')
					snprintf(sub, sizeof(sub), "%s", prefix);
				else
					snprintf(sub, sizeof(sub), "%s.", nm);
				for (j = 0; j < t->nfields; j++)
					gen_field(g, o, b, fn, &t->fields[j], dir, enc, sub);
				return;
			}
			if (em_union_needs_disc(m, f) && em_touches_ptr(m, m->f[fn].fset, f->target_st, 0)) {
				field_problem(g, f, fn, "a union holding pointers needs a discriminator");
				return;
			}
			if (f->name[0] == '<') {
				field_problem(g, f, fn, "an unnamed member of a named type has no C path");
				return;
			}
			kc_sb_addf(b, "\t%s(x, &p->%s, s, rc);\n", gen_helper(g, o, fn, f->target_st, dir, enc), nm);
		} else if (send) {
			/* a type the database has no fields for: its bytes are the value */
			if (enc)
				kc_sb_addf(b, "\tkc_xdr_put_fixed(x, (const void *)&p->%s, sizeof(p->%s));\n", nm, nm);
			else
				kc_sb_addf(b, "\tkcut_get_fixed(x, (void *)&p->%s, sizeof(p->%s), rc);\n", nm, nm);
		}
	} else if (!strcmp(f->kind, "pointer")) {
		int follow;
		struct kc_sb ct = { 0 };

		if (f->list_link)
			return; /* rebuilt by the list's receiver (gen_list) */
		switch (f->shape) {
		case EM_S_STRUCT:
			if (is_anon(m->s[f->target_st].name)) {
				if (acc)
					field_problem(g, f, fn, "pointers to anonymous structs are not marshaled yet");
				break;
			}
			/* (a deallocator's read bits were dropped with its out-set: what the freed
			 * object points to still gets the user half's updates, snd_card_free(card)
			 * runs card->private_free on the chip) */
			follow = (acc || (!m->f[fn].is_defined && em_deallocator(m->f[fn].name))) &&
				 gen_nonempty(g, fn, f->target_st, dir);
			ctype(&ct, &m->s[f->target_st]);
			if (send && enc)
				kc_sb_addf(b, "\tkcut_put_ptr(x, (const void *)p->%s, %s, sizeof(%s), 1, rc);\n", nm,
					   gen_type_struct(g, f->target_st), ct.s);
			else if (send)
				kc_sb_addf(b, "\tp->%s = kcut_get_ptr(x, sizeof(%s), NULL, rc);\n", nm, ct.s);
			if (follow && enc)
				kc_sb_addf(b,
					   "\tif (p->%s && !kcut_seen(s, p->%s)) {\n"
					   "\t\tkc_xdr_put_bool(x, 1);\n"
					   "\t\t%s(x, (void *)p->%s, s, rc);\n"
					   "\t} else {\n"
					   "\t\tkc_xdr_put_bool(x, 0);\n"
					   "\t}\n",
					   nm, nm, gen_helper(g, o, fn, f->target_st, dir, 1), nm);
			else if (follow)
				kc_sb_addf(b,
					   "\tif (kc_xdr_get_bool(x)) {\n"
					   "\t\tif (p->%s)\n"
					   "\t\t\t%s(x, (void *)p->%s, s, rc);\n"
					   "\t\telse\n"
					   "\t\t\tkcut_fail(rc, KC_RT_EPROTO);\n"
					   "\t}\n",
					   nm, gen_helper(g, o, fn, f->target_st, dir, 0), nm);
			kc_sb_free(&ct);
			break;
		case EM_S_STRING:
			/* by value (or, from the user half, as a pointer into an object both halves
			 * have); the receiver keeps an equal string it already points to */
			if (!send)
				break;
			if (enc)
				kc_sb_addf(b, "\tkcut_put_fstr(x, p->%s, rc);\n", nm);
			else
				kc_sb_addf(b, "\tkcut_get_fstr(x, (const char **)(void *)&p->%s, rc);\n", nm);
			break;
		case EM_S_ARRAY:
			if (!send)
				break;
			if (array_holds_ptr(m, f)) {
				/* copied as bytes, the elements' pointers would cross as raw addresses:
				 * only handles may cross (reported once, by the encoder) */
				if (enc)
					field_problem(g, f, fn,
						      "an array whose elements hold pointers would cross as raw "
						      "bytes (addresses, not handles); not marshaled: keep its "
						      "users in one half or make the field opaque");
				break;
			}
			if (enc) {
				struct kc_sb len = { 0 };

				if (f->shape_arg)
					kc_sb_addf(&len, "(size_t)p->%s", f->shape_arg);
				else
					kc_sb_addf(&len, "(size_t)%ld", f->len_const);
				kc_sb_addf(b, "\tkcut_put_array(x, (const void *)p->%s, %s, sizeof(*p->%s), %s, rc);\n", nm,
					   type_blob(g, f), nm, len.s);
				kc_sb_free(&len);
			} else {
				kc_sb_addf(b,
					   "\tp->%s = kcut_get_ptr(x, 0, &n, rc);\n"
					   "\tkcut_get_data(x, (void *)p->%s, n, rc);\n",
					   nm, nm);
				o->need_n = 1;
			}
			break;
		case EM_S_OPAQUE:
		case EM_S_DMA:
		case EM_S_MMIO:
			if (!send)
				break;
			if (enc)
				kc_sb_addf(b, "\tkcut_put_ptr(x, (const void *)p->%s, %s, 1, 1, rc);\n", nm,
					   f->shape == EM_S_OPAQUE ? "KCUT_T_OPAQUE" : "KCUT_T_DMA");
			else
				kc_sb_addf(b, "\tp->%s = kcut_get_ptr(x, 0, NULL, rc);\n", nm);
			break;
		case EM_S_FNPTR:
		case EM_S_PRIV:
			break;
		case EM_S_LIST:
			if (acc && (send || gen_nonempty(g, fn, f->target_st, dir)))
				gen_list(g, o, b, fn, f, dir, enc, nm);
			break;
		case EM_S_UNION:
			if (acc)
				field_problem(g, f, fn, "a union shape on a pointer field is not generated (only embedded unions)");
			break;
		case EM_S_UNKNOWN:
			break;
		}
	}
}

/*
 * Objects returned by a crossing (a `struct T *` or `void *` result: pci_get_drvdata() giving the
 * snd_card, alloc_etherdev() the net_device) come with the fields of T the crossing's out-set has:
 * after the pointer, a type word (the returned object's tracker type, 0: no fields follow) and
 * T's out-fields. For a void * result the candidates are every struct with out-fields, chosen at
 * run time by the type the object is tracked with (kcut_type_at). Returns the candidates' count
 * and fills cand[] (at most max).
 */
/* Is struct st complete in the TU that holds fn's stub and handler? Yes when a driver function of
 * that file accesses one of its fields (the generated code names its fields). */
static int complete_in_tu(const struct em_model *m, int fn, int st)
{
	const struct em_func *f = &m->f[fn];
	const char *file = f->is_defined ? f->file : (f->decl_tu >= 0 && f->decl_tu < m->ntu ? m->tus[f->decl_tu].file : NULL);
	int i;

	if (!file)
		return 0;
	for (i = 0; i < m->na; i++)
		if (m->gf[m->a[i].gfield]->st == st && m->f[m->a[i].func].file &&
		    !strcmp(m->f[m->a[i].func].file, file))
			return 1;
	return 0;
}

int gen_ret_candidates(struct gen *g, int fn, int *cand, int max)
{
	struct em_model *m = g->m;
	const struct em_func *f = &m->f[fn];
	int n = 0, st;

	if (!f->fset)
		return 0;
	if (f->ret.cls == EM_T_PTR_STRUCT) {
		st = em_struct_by_name(m, f->ret.sname);
		if (st >= 0 && !is_anon(m->s[st].name) && !em_kernel_owned(m->s[st].name) &&
		    gen_nonempty(g, fn, st, EM_OUT))
			cand[n++] = st;
		return n;
	}
	if (f->ret.cls != EM_T_VOIDPTR)
		return 0;
	for (st = 0; st < m->ns && n < max; st++)
		if (!is_anon(m->s[st].name) && !m->s[st].is_union && !em_kernel_owned(m->s[st].name) &&
		    complete_in_tu(m, fn, st) && gen_nonempty(g, fn, st, EM_OUT))
			cand[n++] = st;
	return n;
}

int gen_ret_fields_enc(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn)
{
	int cand[64], n = gen_ret_candidates(g, fn, cand, 64), i;

	if (!n)
		return 0;
	kc_sb_add(b, "\t{\n\t\tstruct kcut_seen kcut_rs = { { 0 }, 0 };\n\n"
		     "\t\tswitch (kcut_type_at(kcut_ret)) {\n");
	for (i = 0; i < n; i++)
		kc_sb_addf(b, "\t\tcase %s:\n\t\t\tkc_xdr_put_u32(kcut_r, %s);\n"
			      "\t\t\t%s(kcut_r, (void *)kcut_ret, &kcut_rs, &kcut_rc);\n\t\t\tbreak;\n",
			   gen_type_struct(g, cand[i]), gen_type_struct(g, cand[i]),
			   gen_helper(g, o, fn, cand[i], EM_OUT, 1));
	kc_sb_add(b, "\t\tdefault:\n\t\t\tkc_xdr_put_u32(kcut_r, 0);\n\t\t\tbreak;\n\t\t}\n\t}\n");
	return 1;
}

int gen_ret_fields_dec(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn)
{
	int cand[64], n = gen_ret_candidates(g, fn, cand, 64), i;

	if (!n)
		return 0;
	kc_sb_add(b, "\t\t{\n\t\t\tstruct kcut_seen kcut_rs = { { 0 }, 0 };\n\n"
		     "\t\t\tswitch (kc_xdr_get_u32(kcut_r)) {\n\t\t\tcase 0:\n\t\t\t\tbreak;\n");
	for (i = 0; i < n; i++)
		kc_sb_addf(b, "\t\t\tcase %s:\n\t\t\t\tif (kcut_type_at(kcut_ret) == %s)\n"
			      "\t\t\t\t\t%s(kcut_r, (void *)kcut_ret, &kcut_rs, &kcut_rc);\n"
			      "\t\t\t\telse\n\t\t\t\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n\t\t\t\tbreak;\n",
			   gen_type_struct(g, cand[i]), gen_type_struct(g, cand[i]),
			   gen_helper(g, o, fn, cand[i], EM_OUT, 0));
	kc_sb_add(b, "\t\t\tdefault:\n\t\t\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n\t\t\t\tbreak;\n\t\t\t}\n\t\t}\n");
	return 1;
}

/* Stub side of an array-of-strings parameter: its count from an annotation ("func.param array
 * COUNTPARAM|N|(expr)"), else 0: the extent of the array's object at run time (kcut_put_strv). */
void gen_strv_put(struct kc_sb *b, const struct em_func *f, const struct em_type *t, const char *name)
{
	kc_sb_addf(b, "\tkcut_put_strv(kcut_a, (const char *const *)%s, ", name);
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
	kc_sb_addf(b, "const char *kcut_v%d[KCUT_STRVMAX + 1];\n\tchar kcut_b%d[KCUT_ARRMAX];\n"
		      "\tsize_t kcut_n%d;\n\tconst char *const *kcut_p%d;\n", i, i, i, i);
}

/* With an annotated count parameter decoded before it, the handler also checks that the peer
 * sent as many strings as that parameter says (the import indexes the array with it). Without
 * one the import trusts its own count parameter (docs/emitter.md, "simsnd"). */
void gen_strv_get(struct kc_sb *b, const struct em_func *f, int i)
{
	const struct em_type *t = &f->params[i].t;

	kc_sb_addf(b, "\tkcut_p%d = kcut_get_strv(kcut_a, kcut_v%d, KCUT_STRVMAX, kcut_b%d, sizeof(kcut_b%d), &kcut_n%d, &kcut_rc);\n",
		   i, i, i, i, i);
	if (t->count_param && t->count_param - 1 < i)
		kc_sb_addf(b, "\tif (kcut_p%d && (size_t)kcut_p%d > kcut_n%d)\n\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n", i,
			   t->count_param - 1, i);
	else if (t->count > 0)
		kc_sb_addf(b, "\tif (kcut_p%d && (size_t)%d > kcut_n%d)\n\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n", i,
			   t->count, i);
}

/* Emit every requested helper (and the ones they request) into o->tail, prototypes into o->protos. */
void gen_helpers_flush(struct gen *g, struct gen_file *o)
{
	int i;

	for (i = 0; i < o->nhelp; i++) {
		struct gen_help *h = &o->help[i];
		struct em_struct *s = &g->m->s[h->st];
		struct kc_sb body = { 0 };
		struct kc_sb ct = { 0 };
		int j, fn = h->fn, dir = h->dir, enc = h->enc;

		if (h->done)
			continue;
		h->done = 1;
		o->need_n = 0;
		o->need_i = 0;
		for (j = 0; j < s->nfields; j++)
			gen_field(g, o, &body, fn, &s->fields[j], dir, enc, "");
		h = &o->help[i]; /* gen_field may have grown the array */
		if (h->st == g->m->priv_owner_st && g->m->priv_st >= 0 && g->m->priv_st != h->st &&
		    gen_nonempty(g, fn, g->m->priv_st, dir)) {
			/* the driver's private area behind the net_device (netdev_priv()) */
			const char *ph = gen_helper(g, o, fn, g->m->priv_st, dir, enc);

			kc_sb_addf(&body, "\t%s(x, netdev_priv(p), s, rc);\n", ph);
		}
		h = &o->help[i]; /* gen_field may have grown the array */
		ctype(&ct, s);
		kc_sb_addf(&o->protos, "static void %s(struct kc_xdr *x, void *vp, struct kcut_seen *s, int *rc);\n",
			   h->name);
		kc_sb_addf(&o->tail,
			   "\n/* %s: %s the fields of %s that %s %s. */\n"
			   "static void %s(struct kc_xdr *x, void *vp, struct kcut_seen *s, int *rc)\n"
			   "{\n"
			   "\t%s *p = vp;\n",
			   g->m->f[h->fn].name, h->enc ? "send" : "receive", ct.s, g->m->f[h->fn].name,
			   h->dir == EM_IN ? "may read" : "may write", h->name, ct.s);
		if (o->need_n)
			kc_sb_add(&o->tail, "\tsize_t n;\n");
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
