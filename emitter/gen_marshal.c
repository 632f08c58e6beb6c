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
		else if (is_scalar_kind(f->kind) || !strcmp(f->kind, "array"))
			r = fs[f->gidx] & dir;
		else if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union"))
			r = f->target_st >= 0 ? gen_nonempty(g, fn, f->target_st, dir) : (fs[f->gidx] & dir);
		else if (!strcmp(f->kind, "pointer"))
			r = (fs[f->gidx] & dir) ||
			    (fs[f->gidx] && f->shape == EM_S_STRUCT && gen_nonempty(g, fn, f->target_st, dir));
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
static int kernel_owned(const char *type)
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
	} else if ((!strcmp(f->kind, "struct") || !strcmp(f->kind, "union")) && kernel_owned(f->type)) {
		/* a timer, work item, lock ... embedded in a driver object: the kernel's copy is the
		 * only real one (the user half passes its address down, never its contents) */
		return;
	} else if (!strcmp(f->kind, "struct") || !strcmp(f->kind, "union")) {
		if (f->target_st >= 0) {
			/* field by field: sending the whole embedded struct would overwrite fields
			 * the other side owns (statistics counted by the interrupt handler ...) */
			if (!gen_nonempty(g, fn, f->target_st, dir))
				return;
			if (m->s[f->target_st].is_union && handle_only_union(m, f->target_st)) {
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

				if (t->is_union && t->has_ptr) {
					field_problem(g, f, fn, "a union holding pointers needs a discriminator (not generated yet)");
					return;
				}
				snprintf(sub, sizeof(sub), "%s.", nm);
				for (j = 0; j < t->nfields; j++)
					gen_field(g, o, b, fn, &t->fields[j], dir, enc, sub);
				return;
			}
			if (m->s[f->target_st].is_union && m->s[f->target_st].has_ptr) {
				field_problem(g, f, fn, "a union holding pointers needs a discriminator (not generated yet)");
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

		switch (f->shape) {
		case EM_S_STRUCT:
			if (is_anon(m->s[f->target_st].name)) {
				if (acc)
					field_problem(g, f, fn, "pointers to anonymous structs are not marshaled yet");
				break;
			}
			follow = acc && gen_nonempty(g, fn, f->target_st, dir);
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
		case EM_S_ARRAY:
		case EM_S_STRING:
			if (!send)
				break;
			if (enc) {
				struct kc_sb len = { 0 };

				if (f->shape == EM_S_STRING)
					kc_sb_addf(&len, "(p->%s ? strlen(p->%s) + 1 : 0)", nm, nm);
				else if (f->shape_arg)
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
		case EM_S_UNION:
			if (acc)
				field_problem(g, f, fn, "list and union shapes are recognised but not generated yet");
			break;
		case EM_S_UNKNOWN:
			break;
		}
	}
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
