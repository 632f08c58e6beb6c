/*
 * plan_files.c - what each half of each driver TU holds (docs/emitter.md, "Rewriting a
 * translation unit"): which function bodies of the other half become stubs (the function
 * crosses) or traps (it never runs on this half), the handlers of the functions this half
 * serves, the kernel-import stubs or handlers of the imports the TU is the first to declare,
 * the header inlines the user half renames into downcalls, the marshaling helpers all of these
 * use and the structs whose recovery helpers the file carries. The files are planned in the
 * order they are written (TU by TU, kernel half first), which is also the order the tracker type
 * ids and the findings come in.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static void add_int(int **v, int *n, int x)
{
	*v = kc_xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	(*v)[(*n)++] = x;
}

/* Name the unnamed parameters of an import the user half declares a stub for (p0, p1 ...). */
static void name_params(struct em_func *f)
{
	int j;

	for (j = 0; j < f->nparams; j++) {
		char nb[32];

		if (*f->params[j].name)
			continue;
		free(f->params[j].name);
		snprintf(nb, sizeof(nb), "p%d", j);
		f->params[j].name = kc_xstrdup(nb);
	}
}

static void plan_file(struct em_plan *p, struct em_model *m, struct em_pfile *pf)
{
	const struct em_scan *s = &m->scans[pf->tu];
	size_t pos;
	int i;

	if (pf->half == EM_USER && s->inc_end) {
		/* header inline functions that reach into the kernel are downcalls in the user half:
		 * after the includes, calls to them go to the stub kcut_dc_<name> */
		for (i = 0; i < s->ninl; i++) {
			struct em_func *f = &m->f[s->inl[i]];

			if (f->down && f->local_def && em_plan_marshalable(p, m, s->inl[i]))
				add_int(&pf->renames, &pf->nrenames, s->inl[i]);
		}
		/* device access: register accessors go to rt's kc_io_* (plan_region.c) */
		pf->regio = m->devacc != EM_DA_NONE;
		if (pf->nrenames || pf->regio)
			pf->start = s->inc_end;
	}
	if (pf->half == EM_KERNEL && s->inc_end) {
		/* kfree & co. untrack first (recovery) */
		pf->wrap_frees = 1;
		pf->start = s->inc_end;
	}
	pos = pf->start;
	for (i = 0; i < s->ndefs; i++) {
		const struct em_def *d = &s->defs[i];
		struct em_func *f = d->func >= 0 ? &m->f[d->func] : NULL;
		struct em_item *it;

		if (!f || f->side == EM_NONE || f->side == pf->half)
			continue;
		if (d->from_macro) {
			/* e.g. module_init's __inittest: no source range to replace; such helpers are
			 * kept whole in both halves (warned once, from the kernel-half pass) */
			if (pf->half == EM_KERNEL)
				fprintf(m->diag, "%s:%d:%d: warning: %s (%s half) is defined by a macro expansion; "
						 "kept unchanged in both halves\n",
					f->file, f->line, f->col, f->name, f->side == EM_KERNEL ? "kernel" : "user");
			continue;
		}
		if (d->start < pos || d->body_end > s->len)
			continue;
		if ((f->up || f->down) && !em_plan_marshalable(p, m, d->func))
			continue; /* reported: the text is kept, nothing is written */
		pf->items = kc_xrealloc(pf->items, (size_t)(pf->nitems + 1) * sizeof(*pf->items));
		it = &pf->items[pf->nitems++];
		it->def = i;
		it->kind = f->up || f->down ? EM_ITEM_STUB : EM_ITEM_ABSENT;
		if (it->kind == EM_ITEM_STUB)
			em_plan_stub_roots(p, m, pf, d->func);
		pos = d->body_end;
	}
	for (i = 0; i < s->ndefs; i++) {
		const struct em_def *d = &s->defs[i];
		const struct em_func *f = d->func >= 0 ? &m->f[d->func] : NULL;

		if (!f || f->side != pf->half || !(f->up || f->down) || !em_plan_marshalable(p, m, d->func))
			continue;
		add_int(&pf->handlers, &pf->nhandlers, d->func);
		em_plan_handler_roots(p, m, pf, d->func);
	}
	for (i = 0; i < m->nf; i++) {
		struct em_func *f = &m->f[i];

		if (!f->down || f->is_defined || f->decl_tu != pf->tu || !em_plan_marshalable(p, m, i))
			continue;
		add_int(&pf->imports, &pf->nimports, i);
		if (pf->half == EM_USER) {
			name_params(f);
			em_plan_stub_roots(p, m, pf, i);
		} else {
			em_plan_handler_roots(p, m, pf, i);
		}
	}
	em_plan_helpers(p, m, pf);
	pf->nhelp_early = pf->nhelp;
	em_plan_recover_pick(p, m, pf);
	for (i = 0; i < pf->nrec; i++) {
		em_plan_type(p, m, pf->rec[i]);
		em_plan_request(pf, p->rec_fn, pf->rec[i], EM_IN, pf->half == EM_KERNEL);
	}
	em_plan_helpers(p, m, pf);
}

void em_plan_files(struct em_plan *p, struct em_model *m)
{
	int t, h;

	p->nfiles = 2 * m->ntu;
	p->files = kc_xcalloc((size_t)p->nfiles + 1, sizeof(*p->files));
	for (t = 0; t < m->ntu; t++)
		for (h = 0; h < 2; h++) {
			struct em_pfile *pf = &p->files[2 * t + h];

			pf->tu = t;
			pf->half = h ? EM_USER : EM_KERNEL;
			plan_file(p, m, pf);
		}
}
