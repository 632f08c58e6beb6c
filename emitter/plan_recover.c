/*
 * plan_recover.c - what the kernel half re-sends to a restarted user half (docs/emitter.md,
 * "After a restart"; gen_recover.c prints the protocol).
 *
 * The user half holds copies of kernel objects (one per tracker handle); a restarted user half
 * has none, and until an object's fields cross again its fresh copy is zeros, which a downcall
 * could send back over the kernel's master copy. The supervisor's recovery hook re-sends every
 * live object of a struct type with recovery helpers, with every field the old user half could
 * have held: the in and out sets of every upcall and the out sets of every downcall.
 *
 * That field set is a synthetic crossing function ("recovery", model index m->nf, not counted in
 * m->nf): the ordinary marshaling helpers (plan_marshal.c) encode and decode it. Only structs the
 * user half can reach again through a crossing pointer field are re-sent (rec_reachable). Each
 * struct's helpers live in the first TU whose kernel half's helpers already use that struct (so
 * the struct is complete there).
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* Anonymous structs and unions are stored as 'outer::<anon@LINE>'. */
static int rec_anon(const char *name)
{
	return strchr(name, '<') || strchr(name, ':');
}

/* Would marshaling refuse field f (report a finding)? Such fields stay out of the recovery set: a
 * crossing that needs one is refused anyway, and the recovery must not add new findings. */
static int rec_refused(const struct em_model *m, const struct em_field *f)
{
	const struct em_struct *t = f->target_st >= 0 ? &m->s[f->target_st] : NULL;
	const struct em_struct *own = &m->s[f->st];

	if (own->is_union && own->has_ptr)
		return 1;
	if (!strcmp(f->kind, "pointer"))
		return f->shape == EM_S_LIST || f->shape == EM_S_UNION ||
		       (f->shape == EM_S_STRUCT && (!t || rec_anon(t->name)));
	if (!strcmp(f->kind, "array")) {
		if (t && !strchr(f->type, '*') && !rec_anon(t->name) && !t->is_union)
			return 0;
		return strchr(f->type, '*') || (t && t->has_ptr);
	}
	return 0;
}

int em_rec_refused(const struct em_model *m, const struct em_field *f)
{
	return rec_refused(m, f);
}

/* Can the user half find an object of struct st again after the call that brought it? Only
 * through a pointer field that crosses (adapter->netdev, adapter->pdev) or as the object behind
 * a private area. Objects that only ever cross as call arguments (an ethtool_drvinfo on the
 * caller's stack) are not re-sent: they may be gone, and the next call that needs one brings it. */
static int rec_reachable(const struct em_plan *p, const struct em_model *m, int st)
{
	const uint8_t *fs = m->f[p->rec_fn].fset;
	int k;

	if (st == m->priv_owner_st)
		return 1;
	for (k = 0; k < m->ngf; k++)
		if (fs[k] && m->gf[k]->target_st == st && !strcmp(m->gf[k]->kind, "pointer") &&
		    m->gf[k]->shape == EM_S_STRUCT)
			return 1;
	return 0;
}

/* Add the synthetic "recovery" function at m->f[m->nf] (m->f grows by one; nothing may hold a
 * pointer into it across this call). Its field set: every upcall's in and out sets and every
 * downcall's out set, minus what marshaling refuses. */
void em_plan_recover(struct em_plan *p, struct em_model *m)
{
	struct em_func *r;
	int i, k;

	m->f = kc_xrealloc(m->f, (size_t)(m->nf + 1) * sizeof(*m->f));
	r = &m->f[m->nf];
	memset(r, 0, sizeof(*r));
	r->name = "recovery";
	r->idname = "_recover";
	r->cross_id = -1;
	r->fp_id = -1;
	r->fset = kc_xcalloc((size_t)m->ngf + 1, 1);
	for (i = 0; i < m->nf; i++) {
		/* upcalls: what the user half's code reads or writes; downcalls: what comes back */
		int want = m->f[i].up ? EM_IN | EM_OUT : m->f[i].down ? EM_OUT : 0;

		if (!m->f[i].fset || !want)
			continue;
		for (k = 0; k < m->ngf; k++)
			if ((m->f[i].fset[k] & want) && !rec_refused(m, m->gf[k]))
				r->fset[k] = EM_IN | EM_OUT;
	}
	p->rec_fn = m->nf;
	p->rec_tu = kc_xcalloc((size_t)m->ns + 1, sizeof(*p->rec_tu));
}

/*
 * The structs whose recovery helpers file pf carries. The kernel half of a TU picks them (the
 * structs its helpers so far use, with a tracker type, not picked by an earlier TU); the user
 * half of the same TU (planned next) carries the same ones.
 */
void em_plan_recover_pick(struct em_plan *p, const struct em_model *m, struct em_pfile *pf)
{
	int i;

	if (pf->half == EM_KERNEL)
		for (i = 0; i < pf->nhelp; i++) {
			int st = pf->help[i].st;

			if (p->rec_tu[st] || !m->s[st].type_id || rec_anon(m->s[st].name) || !rec_reachable(p, m, st) ||
			    !em_plan_nonempty(m, p->rec_fn, st, EM_IN))
				continue;
			p->rec_tu[st] = pf->tu + 1;
		}
	for (i = 0; i < m->ns; i++)
		if (p->rec_tu[i] == pf->tu + 1) {
			pf->rec = kc_xrealloc(pf->rec, (size_t)(pf->nrec + 1) * sizeof(*pf->rec));
			pf->rec[pf->nrec++] = i;
		}
}
