/*
 * plan.c - the rest of the plan once the crossings, shapes and checks are decided (plan.h lists
 * the steps): driver globals, flag words, nested crossings, recovery, the per-function marshaling
 * plans, what each generated file holds, and what interface.txt lists.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

int em_plan_build(struct em_plan *p, struct em_model *m, struct kc_err *err)
{
	int i, j, rc;

	memset(p, 0, sizeof(*p));
	p->m = m;
	p->fn = kc_xcalloc((size_t)m->nf + 3, sizeof(*p->fn)); /* + recovery, sync (pseudo-functions) */
	p->types = kc_xcalloc(3, sizeof(*p->types));
	p->types[p->ntypes++] = kc_xstrdup("KCUT_T_NONE");
	p->types[p->ntypes++] = kc_xstrdup("KCUT_T_OPAQUE");
	p->types[p->ntypes++] = kc_xstrdup("KCUT_T_DMA");
	rc = em_plan_globals(p, m, err);
	if (rc)
		return rc;
	em_plan_nested(m);
	rc = em_plan_words(m, err);
	if (rc)
		return rc;
	em_plan_recover(p, m);
	em_plan_sync(p, m);
	for (i = 0; i < m->ntu; i++)
		for (j = 0; j < m->scans[i].nglobals; j++) {
			struct kc_sb gn = { 0 };

			kc_sb_addf(&gn, "%s_%s", m->tus[i].stem, m->scans[i].globals[j]);
			p->globals = kc_xrealloc(p->globals, (size_t)(p->nglobals + 1) * sizeof(*p->globals));
			p->globals[p->nglobals++] = kc_sb_steal(&gn);
		}
	em_plan_funcs(p, m);
	em_plan_region_funcs(p, m);
	em_plan_regoffs(p, m);
	em_plan_posted(p, m);
	rc = em_plan_files(p, m, err);
	if (rc)
		return rc;
	rc = em_plan_guards(p, m, err);
	if (rc)
		return rc;
	em_plan_wire(p, m);
	em_plan_layout(p, m);
	em_plan_sync_back(p, m);
	em_plan_sent(p, m);
	em_plan_local_imports(p, m);
	em_plan_locks(p, m);
	em_plan_regions(p, m);
	return 0;
}

static void ops_free(struct em_op *ops, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		free(ops[i].path);
		free(ops[i].arg);
		for (j = 0; j < ops[i].ncases; j++) {
			free(ops[i].cases[j].value);
			ops_free(ops[i].cases[j].ops, ops[i].cases[j].nops);
		}
		free(ops[i].cases);
		em_wire_free(&ops[i].w);
	}
	free(ops);
}

void em_plan_free(struct em_plan *p)
{
	int i, j, k;

	if (!p->m)
		return;
	for (i = 0; i < p->ntypes; i++)
		free(p->types[i]);
	free(p->types);
	for (i = 0; i < p->nglobals; i++)
		free(p->globals[i]);
	free(p->globals);
	for (i = 0; p->fn && i <= p->m->nf; i++) {
		struct em_pfunc *q = &p->fn[i];

		for (j = 0; q->params && j < p->m->f[i].nparams; j++) {
			em_wire_free(&q->params[j].w);
			for (k = 0; k < q->params[j].nroffs; k++)
				free(q->params[j].roffs[k].path);
			free(q->params[j].roffs);
		}
		free(q->params);
		em_wire_free(&q->wret);
		free(q->cand);
		free(q->alloc_size);
		free(q->alloc_n);
		free(q->alloc_each);
		free(q->gset.gid);
		free(q->gset.mode);
		free(q->sent);
	}
	free(p->fn);
	for (i = 0; i < p->nfiles; i++) {
		struct em_pfile *pf = &p->files[i];

		free(pf->renames);
		free(pf->items);
		free(pf->handlers);
		free(pf->imports);
		for (j = 0; j < pf->nhelp; j++)
			ops_free(pf->help[j].ops, pf->help[j].nops);
		free(pf->help);
		free(pf->rec);
		free(pf->sync);
		free(pf->no_fnptr);
		free(pf->sized);
		free(pf->lay);
		free(pf->embeds);
		em_plan_guards_free(pf);
	}
	free(p->files);
	for (i = 0; i < p->nlocal_imports; i++)
		free(p->local_imports[i]);
	free(p->local_imports);
	free(p->fatal);
	for (i = 0; i < p->nembeds; i++) {
		free(p->embeds[i].off);
		free(p->embeds[i].count);
		free(p->embeds[i].stride);
	}
	free(p->embeds);
	for (i = 0; i < p->nlocks; i++)
		free(p->locks[i]);
	free(p->locks);
	for (i = 0; i < p->nregions; i++)
		free(p->regions[i]);
	free(p->regions);
	for (i = 0; i < p->nregoffs; i++)
		free(p->regoffs[i]);
	free(p->regoffs);
	for (i = 0; i < p->nlayout; i++)
		free(p->layout[i].path);
	free(p->layout);
	if (p->rec_tu)
		free(p->m->f[p->rec_fn].fset); /* the recovery pseudo-function's (plan_recover.c) */
	free(p->rec_tu);
	if (p->sync_tu)
		free(p->m->f[p->sync_fn].fset); /* the sync pseudo-function's (plan_sync.c) */
	free(p->sync_tu);
	free(p->sync_back);
	memset(p, 0, sizeof(*p));
}
