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
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

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

/*
 * The end of the main file's prologue: its leading blank lines, comments and #define/#undef
 * lines (with their continuations), up to the first other line (an #include, an #if, code).
 * Drivers define pr_fmt, DEBUG, DRV_NAME there for every header they include; kcut's headers,
 * which include kernel headers, must come after them (printk.h defines a default pr_fmt).
 */
static size_t prologue_end(const char *t, size_t n)
{
	size_t i = 0, line;

	while (i < n) {
		line = i;
		while (i < n && (t[i] == ' ' || t[i] == '\t'))
			i++;
		if (i + 1 < n && t[i] == '/' && t[i + 1] == '*') {
			const char *e = strstr(t + i + 2, "*" "/");

			if (!e || (size_t)(e - t) + 2 > n)
				return line;
			i = (size_t)(e - t) + 2;
			/* only blanks may follow the comment on its last line */
			while (i < n && (t[i] == ' ' || t[i] == '\t'))
				i++;
			if (i < n && t[i] != '\n')
				return line;
			i += i < n;
			continue;
		}
		if (i < n && t[i] == '#') {
			size_t k = i + 1, w;

			while (k < n && (t[k] == ' ' || t[k] == '\t'))
				k++;
			for (w = k; w < n && t[w] >= 'a' && t[w] <= 'z'; w++)
				;
			if (!((w - k == 6 && !strncmp(t + k, "define", 6)) || (w - k == 5 && !strncmp(t + k, "undef", 5))))
				return line;
			/* the directive and its continuation lines (a comment in it must end on its line) */
			for (;;) {
				while (i < n && t[i] != '\n')
					i++;
				if (i >= n || t[i - 1] != '\\')
					break;
				i++;
			}
			i += i < n;
			continue;
		}
		if (i + 1 < n && t[i] == '/' && t[i + 1] == '/') {
			while (i < n && t[i] != '\n')
				i++;
			i += i < n;
			continue;
		}
		if (i < n && t[i] == '\n') {
			i++;
			continue;
		}
		return line;
	}
	return n;
}

/* Does the text [a, b) hold the identifier w? */
static int has_word(const char *t, size_t a, size_t b, const char *w)
{
	size_t l = strlen(w), i;

	for (i = a; i + l <= b; i++)
		if (!strncmp(t + i, w, l) && (i == a || !(isalnum((unsigned char)t[i - 1]) || t[i - 1] == '_')) &&
		    (i + l == b || !(isalnum((unsigned char)t[i + l]) || t[i + l] == '_')))
			return 1;
	return 0;
}

static void plan_file(struct em_plan *p, struct em_model *m, struct em_pfile *pf, const uint8_t *loader)
{
	const struct em_scan *s = &m->scans[pf->tu];
	size_t pos;
	int i;

	pf->no_fnptr = kc_xcalloc((size_t)s->ndefs + 1, 1);
	for (i = 0; i < s->ndefs; i++) {
		const struct em_def *d = &s->defs[i];

		pf->no_fnptr[i] = (d->func >= 0 && loader[d->func]) ||
				  (d->body_start <= s->len && (has_word(s->text, d->start, d->body_start, "__init") ||
							       has_word(s->text, d->start, d->body_start, "__exit")));
	}

	pf->head_end = prologue_end(s->text, s->inc_end ? s->inc_end : s->len);
	pf->start = pf->head_end;
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
		pf->lxexport = m->devacc != EM_DA_NONE;
		pf->recwin = em_recwin_mask(p, m, pf->tu);
		pf->start = s->inc_end;
	}
	pos = pf->start;
	for (i = 0; i < s->ndefs; i++) {
		const struct em_def *d = &s->defs[i];
		struct em_func *f = d->func >= 0 ? &m->f[d->func] : NULL;
		struct em_item *it;

		if (!f || f->side == EM_NONE || f->side == pf->half)
			continue;
		if (f->replica && pf->half == EM_USER)
			continue; /* replicated: the user half keeps the body (partitioner/replica.c) */
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
	em_plan_sync_pick(p, m, pf); /* synchronization at every crossing (plan_sync.c) */
	for (i = 0; i < pf->nsync; i++) {
		em_plan_type(p, m, pf->sync[i]);
		em_plan_request(pf, p->sync_fn, pf->sync[i], EM_IN, pf->half == EM_USER);
	}
	em_plan_helpers(p, m, pf);
}

int em_plan_files(struct em_plan *p, struct em_model *m, struct kc_err *err)
{
	uint8_t *loader = kc_xcalloc((size_t)m->nf + 1, 1);
	sqlite3_stmt *st = NULL;
	int t, h, rc;

	/* the functions the module loader calls (module_init, module_exit and the macros built on
	 * them): __init/__exit, or as good as (nothing else calls them) */
	if (sqlite3_prepare_v2(kc_db_sqlite(m->db),
			       "SELECT f.usr FROM registration r JOIN func f ON f.id = r.func_id "
			       "WHERE r.kind IN ('module_init', 'module_exit')",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(kc_db_sqlite(m->db)));
		goto cleanup;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i = em_func_by_usr(m, (const char *)sqlite3_column_text(st, 0));

		if (i >= 0)
			loader[i] = 1;
	}
	if (rc != SQLITE_DONE) {
		rc = kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(kc_db_sqlite(m->db)));
		goto cleanup;
	}
	rc = 0;
	p->nfiles = 2 * m->ntu;
	p->files = kc_xcalloc((size_t)p->nfiles + 1, sizeof(*p->files));
	for (t = 0; t < m->ntu; t++)
		for (h = 0; h < 2; h++) {
			struct em_pfile *pf = &p->files[2 * t + h];

			pf->tu = t;
			pf->half = h ? EM_USER : EM_KERNEL;
			plan_file(p, m, pf, loader);
		}
cleanup:
	sqlite3_finalize(st);
	free(loader);
	return rc;
}
