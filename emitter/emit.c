/*
 * emit.c - the emitter's entry points: kc_emit_run (database + partition -> split driver) and
 * kc_emit_missing_shapes (what `kcut annotate` asks about). Both load the same model and make the
 * same decisions, so annotate never asks about a field emit would not need, and emit never needs a
 * field annotate would not have listed.
 */
#include <stdlib.h>
#include <string.h>

#include "emit_int.h"

static char *default_annot_path(const struct em_model *m)
{
	const char *slash = strrchr(m->tus[0].file, '/');
	struct kc_sb sb = { 0 };

	kc_sb_addf(&sb, "%.*s/kcut.annotations", slash ? (int)(slash - m->tus[0].file) : 1,
		   slash ? m->tus[0].file : ".");
	return kc_sb_steal(&sb);
}

/* Load the model, scan every TU (clangscan fills the types in the model) and plan the crossings. */
static int prepare(struct em_model *m, struct kc_db *db, const struct kc_emit_opts *o, int must_exist, FILE *diag,
		   struct kc_err *err)
{
	char *ap = NULL;
	int rc;

	rc = em_model_load(m, db, o->partition, err);
	if (rc)
		return rc;
	rc = em_plan_combolocks(m, err); /* combo: refused until lock calls are rewritten (plan_lock.c) */
	if (rc)
		return rc;
	m->diag = diag ? diag : stderr;
	m->no_infer = o->no_inference;
	/* the kernel shape library first: the user's annotations win over it */
	rc = em_shapes_load(m, o->shapes_dir, o->no_shapes, err);
	if (rc)
		return rc;
	ap = o->annotations ? kc_xstrdup(o->annotations) : default_annot_path(m);
	rc = em_annot_load(m, ap, must_exist, err);
	free(ap);
	if (rc)
		return rc;
	/* one parse per TU: the scans are kept for the plan and the printers */
	rc = em_scan_all(m, err);
	if (rc)
		return rc;
	return em_plan_crossings(m, err);
}

int kc_emit_run(struct kc_emit_result *out, struct kc_db *db, const struct kc_emit_opts *opts, struct kc_err *err)
{
	struct em_model m;
	struct em_plan p = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!opts || opts->version != KC_EMIT_OPTS_VERSION || !opts->partition || !opts->outdir)
		return kc_err_set(err, KC_EINVAL, "kc_emit_run: options need a version, a partition and an output directory");
	/* a file the user named must exist (annotate, below, writes its answers there) */
	rc = prepare(&m, db, opts, opts->annotations != NULL, opts->diag, err);
	if (rc)
		goto cleanup;
	rc = em_plan_shapes(&m, 1, err);
	if (rc < 0)
		goto cleanup;
	rc = em_plan_check(&m, err);
	if (!rc)
		rc = em_plan_build(&p, &m, err);
	if (!rc)
		rc = em_gen_all(out, &p, opts, err);
cleanup:
	out->n_findings = m.findings;
	em_plan_free(&p);
	em_scan_all_free(&m);
	em_model_free(&m);
	return rc;
}

/* A known shape as an annotation line would say it. */
static char *shape_words(const struct em_field *f)
{
	struct kc_sb sb = { 0 };

	kc_sb_add(&sb, f->shape == EM_S_STRUCT ? "struct" : em_shape_name(f->shape));
	if (f->shape == EM_S_ARRAY && !f->shape_arg)
		kc_sb_addf(&sb, " %ld", f->len_const);
	else if (f->shape_arg && f->shape != EM_S_STRUCT)
		kc_sb_addf(&sb, " %s", f->shape_arg);
	return kc_sb_steal(&sb);
}

int kc_emit_missing_shapes(struct kc_emit_missing **out, size_t *n, char **annot_path, struct kc_db *db,
			   const struct kc_emit_opts *opts, int all, struct kc_err *err)
{
	struct em_model m;
	struct kc_sb *who = NULL;
	int rc, i;

	*out = NULL;
	*n = 0;
	*annot_path = NULL;
	if (!opts || opts->version != KC_EMIT_OPTS_VERSION || !opts->partition)
		return kc_err_set(err, KC_EINVAL, "kc_emit_missing_shapes: options need a version and a partition");
	/* the same decisions as kc_emit_run, reported the same way: a problem emit would refuse
	 * the input for (an annotation naming no field, a bad union case ...) is an error here
	 * too, so annotate never calls an input complete that emit refuses */
	rc = prepare(&m, db, opts, 0, stderr, err);
	if (rc)
		goto cleanup;
	rc = em_plan_shapes(&m, 0, err);
	if (rc < 0)
		goto cleanup;
	rc = 0;
	if (m.findings) {
		rc = kc_err_set(err, KC_ECONFLICT, "%u problem%s found (kcut emit refuses the same input)",
				m.findings, m.findings == 1 ? "" : "s");
		goto cleanup;
	}
	who = kc_xcalloc((size_t)m.ngf + 1, sizeof(*who));
	em_fields_crossing(&m, all, who);
	for (i = 0; i < m.ngf; i++) {
		struct em_field *f = m.gf[i];
		struct kc_sb name = { 0 }, why = { 0 };
		struct kc_emit_missing *e;
		int unknown = (!strcmp(f->kind, "pointer") && f->shape == EM_S_UNKNOWN) || em_union_needs_disc(&m, f);

		/* pointers of unknown shape, and unions holding pointers without a discriminator */
		if (!who[i].len || (!all && !unknown))
			continue;
		kc_sb_addf(&name, "%s.%s", m.s[f->st].name, f->name);
		*out = kc_xrealloc(*out, (*n + 1) * sizeof(**out));
		e = &(*out)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->field = kc_sb_steal(&name);
		e->type = kc_xstrdup(f->type);
		e->needed = kc_sb_steal(&who[i]);
		e->kernel = !m.s[f->st].is_driver;
		if (unknown) {
			e->proposal = em_propose(&m, f, &why);
			if (!why.len)
				kc_sb_addf(&why, "nothing kcut could see says how long it is or whether the user half needs "
					   "what it points to");
			e->evidence = kc_sb_steal(&why);
		} else {
			e->shape = shape_words(f);
			e->evidence = kc_xstrdup(f->shape_src ? f->shape_src : "type");
		}
		kc_sb_free(&why);
	}
	/* pointer parameters of crossing functions whose element count nothing decides
	 * (plan_shapes.c em_plan_extents): "FUNC.PARAM", proposal "array COUNTPARAM" when a loop
	 * names one */
	for (i = 0; i < m.nf; i++) {
		const struct em_func *f = &m.f[i];
		int j;

		for (j = 0; (f->up || f->down) && j < f->nparams; j++) {
			struct kc_emit_missing *e;
			struct kc_sb name = { 0 };

			if (!f->params[j].undecided)
				continue;
			kc_sb_addf(&name, "%s.%s", f->name, f->params[j].name);
			*out = kc_xrealloc(*out, (*n + 1) * sizeof(**out));
			e = &(*out)[(*n)++];
			memset(e, 0, sizeof(*e));
			e->field = kc_sb_steal(&name);
			e->type = kc_xstrdup(f->params[j].t.spelling);
			e->needed = kc_xstrdup(f->name);
			e->evidence = kc_xstrdup(f->params[j].ext_src ? f->params[j].ext_src : "");
			e->proposal = f->params[j].ext_prop ? kc_xstrdup(f->params[j].ext_prop) : NULL;
		}
	}
	*annot_path = kc_xstrdup(m.annot_path);
cleanup:
	if (who) {
		for (i = 0; i < m.ngf; i++)
			kc_sb_free(&who[i]);
		free(who);
	}
	em_scan_all_free(&m);
	em_model_free(&m);
	return rc;
}

void kc_emit_missing_free(struct kc_emit_missing *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].field);
		free(m[i].type);
		free(m[i].needed);
		free(m[i].shape);
		free(m[i].evidence);
		free(m[i].proposal);
	}
	free(m);
}
