/*
 * gen_sync.c - prints synchronization at every crossing (plan_sync.c decides, rt/sync.c runs it;
 * the per-struct sync helpers are printed by gen_marshal.c): per TU half the type switch over its
 * sync helpers, the table mapping a tracker type to that TU, and the wire tables' entries.
 */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/* User half: kcut_sync_enc_<stem>(x, type, p, shadow, rc); kernel half: kcut_sync_dec_<stem>. */
void gen_sync_tu(struct gen *g, struct gen_file *o)
{
	const struct em_pfile *pf = o->pf;
	int enc = pf->half == EM_USER, i;
	struct kc_sb b = { 0 };

	if (!g->p->sync_tu)
		return;
	kc_sb_addf(&b, "\n/* Synchronization at every crossing: %s the fields of an object of a struct this file\n"
		       " * carries that the user half changed (rt/sync.c). 1: done, 0: not a type of this file. */\n",
		   enc ? "send" : "receive");
	if (enc)
		kc_sb_addf(&b, "int kcut_sync_enc_%s(struct kc_xdr *x, uint32_t type, void *p, const void *sh, int *rc)\n{\n",
			   g->m->tus[pf->tu].stem);
	else
		kc_sb_addf(&b, "int kcut_sync_dec_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc)\n{\n",
			   g->m->tus[pf->tu].stem);
	if (pf->nsync) {
		kc_sb_add(&b, "\tswitch (type) {\n");
		for (i = 0; i < pf->nsync; i++)
			kc_sb_addf(&b, "\tcase %s:\n\t\t%s(x, p, %src);\n\t\treturn 1;\n", gen_type_struct(g, pf->sync[i]),
				   gen_helper(g, o, g->p->sync_fn, pf->sync[i], EM_IN, enc), enc ? "sh, " : "");
		kc_sb_add(&b, "\tdefault:\n\t\treturn 0;\n\t}\n}\n");
	} else {
		kc_sb_addf(&b, "\t(void)x;\n\t(void)type;\n\t(void)p;\n%s\t(void)rc;\n\treturn 0;\n}\n", enc ? "\t(void)sh;\n" : "");
	}
	kc_sb_add(&o->tail, b.s);
	g->stub_lines += 8 + 3 * (unsigned)pf->nsync;
	kc_sb_free(&b);
}

/* kcut_ids.h: the per-TU functions. */
void gen_sync_ids(const struct gen *g, struct kc_sb *sb)
{
	int i;

	if (!g->p->sync_tu)
		return;
	kc_sb_add(sb, "\n/* Synchronization at every crossing (rt/sync.c): per TU, the user half's encoders and the\n"
		      " * kernel half's decoders of the fields the user half changed. */\n");
	for (i = 0; i < g->m->ntu; i++)
		kc_sb_addf(sb, "int kcut_sync_enc_%s(struct kc_xdr *x, uint32_t type, void *p, const void *sh, int *rc);\n"
			       "int kcut_sync_dec_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc);\n",
			   g->m->tus[i].stem, g->m->tus[i].stem);
}

/* The dispatch file: the TU index + 1 per tracker type and the function rt calls. */
void gen_sync_tables(const struct gen *g, struct kc_sb *b, enum em_side half)
{
	const struct em_model *m = g->m;
	const char *what = half == EM_USER ? "enc" : "dec";
	int i;

	if (!g->p->sync_tu)
		return;
	kc_sb_add(b, "/* Synchronization at every crossing (rt/sync.c): the TU carrying each type's sync helpers. */\n"
		     "static const unsigned char kcut_sync_tu[KCUT_NR_TYPES + 1] = {\n");
	for (i = 0; i < m->ns; i++)
		if (g->p->sync_tu[i])
			kc_sb_addf(b, "\t[%s] = %d,\n", gen_type_struct(g, i), g->p->sync_tu[i]);
	kc_sb_add(b, "\t[KCUT_NR_TYPES] = 0,\n};\n\n");
	if (half == EM_KERNEL) {
		kc_sb_add(b, "/* ... and the types whose objects go back to the user half with every reply (driver structs). */\n"
			     "static const unsigned char kcut_sync_back[KCUT_NR_TYPES + 1] = {\n");
		for (i = 0; i < m->ns; i++)
			if (g->p->sync_back && g->p->sync_back[i])
				kc_sb_addf(b, "\t[%s] = 1,\n", gen_type_struct(g, i));
		kc_sb_add(b, "\t[KCUT_NR_TYPES] = 0,\n};\n\n");
	}
	if (half == EM_USER) {
		kc_sb_add(b, "static int (*const kcut_sync_enc[])(struct kc_xdr *, uint32_t, void *, const void *, int *) = {\n");
		for (i = 0; i < m->ntu; i++)
			kc_sb_addf(b, "\tkcut_sync_enc_%s,\n", m->tus[i].stem);
		kc_sb_add(b, "\tNULL,\n};\n\n"
			     "static void kcut_sync_enc_any(struct kc_xdr *x, uint32_t type, void *p, const void *sh, int *rc)\n{\n"
			     "\tif (type < KCUT_NR_TYPES && kcut_sync_tu[type])\n"
			     "\t\tkcut_sync_enc[kcut_sync_tu[type] - 1](x, type, p, sh, rc);\n"
			     "\telse if (!*rc)\n\t\t*rc = KC_RT_ETYPE;\n}\n\n");
	} else {
		kc_sb_add(b, "static int (*const kcut_sync_dec[])(struct kc_xdr *, uint32_t, void *, int *) = {\n");
		for (i = 0; i < m->ntu; i++)
			kc_sb_addf(b, "\tkcut_sync_dec_%s,\n", m->tus[i].stem);
		kc_sb_add(b, "\tNULL,\n};\n\n"
			     "static void kcut_sync_dec_any(struct kc_xdr *x, uint32_t type, void *p, int *rc)\n{\n"
			     "\tif (type < KCUT_NR_TYPES && kcut_sync_tu[type])\n"
			     "\t\tkcut_sync_dec[kcut_sync_tu[type] - 1](x, type, p, rc);\n"
			     "\telse if (!*rc)\n\t\t*rc = KC_RT_EPROTO;\n}\n\n");
	}
	(void)what;
}

/* Members of the wire tables' initializer. */
void gen_sync_wire(const struct gen *g, struct kc_sb *b, enum em_side half)
{
	if (!g->p->sync_tu)
		return;
	kc_sb_addf(b, "\t.sync_has = kcut_sync_tu,\n\t.sync_%s = kcut_sync_%s_any,\n", half == EM_USER ? "enc" : "dec",
		   half == EM_USER ? "enc" : "dec");
	if (half == EM_KERNEL)
		kc_sb_add(b, "\t.sync_back = kcut_sync_back,\n");
}
