/*
 * gen_global.c - prints the driver globals a crossing carries (the plan's em_gset, plan_global.c):
 * the put/get statements of stubs and handlers, and their names for interface.txt.
 */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/*
 * Code that puts (enc) or gets the globals of fn with direction dir (EM_IN: with the arguments,
 * EM_OUT: with the results) on the message `xdr`, one statement per line at indentation `ind`.
 */
void gen_globals_code(const struct gen *g, struct kc_sb *b, int fn, int dir, int enc, const char *xdr,
		      const char *ind)
{
	const struct em_gset *gs = &g->p->fn[fn].gset;
	int i;

	for (i = 0; i < gs->n; i++) {
		if (!(gs->mode[i] & dir))
			continue;
		kc_sb_addf(b, "%skcut_%s_global(%s, KCUT_G_%s", ind, enc ? "put" : "get", xdr, g->p->globals[gs->gid[i]]);
		kc_sb_add(b, enc ? ");\n" : ", &kcut_rc);\n");
	}
}

/* The names of fn's globals with direction dir, space-separated (interface.txt); 0 if none. */
int gen_globals_list(const struct gen *g, struct kc_sb *b, int fn, int dir)
{
	const struct em_gset *gs = &g->p->fn[fn].gset;
	const struct em_model *m = g->m;
	int i, n = 0;

	for (i = 0; i < gs->n; i++) {
		int t, id = 0;

		if (!(gs->mode[i] & dir))
			continue;
		for (t = 0; t < m->ntu; t++) {
			if (gs->gid[i] < id + m->scans[t].nglobals) {
				kc_sb_addf(b, " %s", m->scans[t].globals[gs->gid[i] - id]);
				break;
			}
			id += m->scans[t].nglobals;
		}
		n++;
	}
	return n;
}

/* The tracker type id (its KCUT_T_ name) of a global whose struct is sname: the model's struct's,
 * else the kernel object's own (KCUT_T_K_<struct>: a DEFINE_MUTEX global for mutex_lock); "0"
 * when neither has one (plain data, a struct no pointer of which crosses). */
static const char *global_type(const struct gen *g, const char *sname)
{
	struct kc_sb k = { 0 };
	const char *c, *r = "0";
	int st = em_struct_by_name(g->m, sname), t;

	if (!sname)
		return r;
	if (st >= 0 && g->m->s[st].type_id)
		return g->p->types[g->m->s[st].type_id];
	kc_sb_add(&k, "KCUT_T_K_");
	for (c = sname; *c; c++)
		kc_sb_addn(&k, (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ? c : "_", 1);
	for (t = 1; t < g->p->ntypes; t++)
		if (!strcmp(g->p->types[t], k.s)) {
			r = g->p->types[t];
			break;
		}
	kc_sb_free(&k);
	return r;
}

/*
 * The wire tables' entries of the globals TU tu defines (in its kcut_tables_<stem>): address,
 * size, tracker type and element size of each (rt/wire.c checks a global the user half sends
 * against the type the receiver expects), and whether it is read-only.
 */
void gen_globals_table(const struct gen *g, struct kc_sb *b, int tu)
{
	const struct em_scan *s = &g->m->scans[tu];
	const char *stem = g->m->tus[tu].stem;
	int i, d;

	for (i = 0; i < s->nglobals; i++) {
		const char *nm = s->globals[i];
		const char *ty = global_type(g, s->gstruct ? s->gstruct[i] : NULL);

		kc_sb_addf(b, "\tkcut_globals[KCUT_G_%s_%s].p = (void *)&%s;\n"
			      "\tkcut_globals[KCUT_G_%s_%s].size = sizeof(%s);\n",
			   stem, nm, nm, stem, nm, nm);
		if (strcmp(ty, "0")) {
			kc_sb_addf(b, "\tkcut_globals[KCUT_G_%s_%s].type = %s;\n"
				      "\tkcut_globals[KCUT_G_%s_%s].elem = sizeof(%s",
				   stem, nm, ty, stem, nm, nm);
			for (d = 0; s->gdims && d < s->gdims[i]; d++)
				kc_sb_add(b, "[0]");
			kc_sb_add(b, ");\n");
		}
		if (s->gconst && s->gconst[i]) /* read-only: its fields never cross (kcut_seen) */
			kc_sb_addf(b, "\tkcut_global_ro[KCUT_G_%s_%s] = 1;\n", stem, nm);
	}
}
