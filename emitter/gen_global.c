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
