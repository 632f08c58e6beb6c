/*
 * plan_sync.c - synchronization at every crossing (issue 13; rt/sync.c does it, docs/emitter.md
 * "Synchronization at every crossing" says why).
 *
 * The user half's writes to an object that crossed must reach the kernel half's copy before the
 * kernel half can act on them: the interrupt handler, NAPI poll and watchdog read the ring
 * indexes, buffer arrays and flags that user-half open, configure and ethtool code writes. Every
 * event that lets them run after such a write is a crossing from the user half (a forwarded
 * register write enabling the interrupt or DMA, a barrier, a kernel call such as request_irq,
 * napi_enable, mod_timer), so the runtime sends the user half's changes before each crossing
 * (rt/sync.c). What the plan decides:
 *
 *   - the sync set: every field a user-half function writes (or passes the address of) and every
 *     field of the recovery set (what the kernel half sends back with its replies), minus what
 *     marshaling refuses; a synthetic crossing function ("sync", model index m->nf + 1, after
 *     the recovery function) carries it as its in-set, so the ordinary field operations
 *     (plan_marshal.c) describe it: the user half encodes (against the shadow rt keeps: only
 *     fields whose value changed go), the kernel half decodes with the usual checks;
 *   - which structs get a per-type entry (pf->sync, p->sync_tu): like the recovery helpers, each
 *     in the first TU whose kernel half's helpers use the struct (so it is complete there);
 *   - the field operations of a sync helper never follow a pointer (the pointed-to object is
 *     synchronized on its own when it changed) and leave out lists and unions, which the
 *     ordinary marshaling of the crossing calls still carries.
 *
 * The kernel half's own writes reach the user half the other way with every reply to a
 * user-half crossing (rt/sync.c, with the recovery helpers: plan_recover.c): a field the user
 * half writes is in the sync set, so the kernel half's copy is never older than the user half's
 * when it is sent back.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static int sync_anon(const char *name)
{
	return strchr(name, '<') || strchr(name, ':');
}

/* Add the synthetic "sync" function at m->f[m->nf + 1] (after the recovery function at m->nf). */
void em_plan_sync(struct em_plan *p, struct em_model *m)
{
	struct em_func *r;
	uint8_t *user_writes;
	int i, k;

	p->sync_fn = -1;
	if (m->devacc == EM_DA_NONE)
		return; /* without device access the partitioner keeps the data path's state in the
			 * kernel half (its rules), and splits stay as they were */
	user_writes = kc_xcalloc((size_t)m->ngf + 1, 1);
	m->f = kc_xrealloc(m->f, (size_t)(m->nf + 2) * sizeof(*m->f));
	r = &m->f[m->nf + 1];
	memset(r, 0, sizeof(*r));
	r->name = "sync";
	r->idname = "_sync";
	r->cross_id = -1;
	r->fp_id = -1;
	r->fset = kc_xcalloc((size_t)m->ngf + 1, 1);
	for (i = 0; i < m->na; i++)
		if ((m->a[i].mode & EM_OUT) && m->a[i].func >= 0 && m->a[i].func < m->nf &&
		    m->f[m->a[i].func].side == EM_USER)
			user_writes[m->a[i].gfield] = 1;
	/* ... and every field the kernel half sends back with its replies (the recovery set: what
	 * the user half may hold): the kernel half's copy must never be older than the user half's
	 * for a field it sends back (a memcpy into a field is no field write the analyzer sees) */
	for (k = 0; k < m->ngf; k++)
		if ((user_writes[k] || m->f[p->rec_fn].fset[k]) && !em_rec_refused(m, m->gf[k]))
			r->fset[k] = EM_IN;
	free(user_writes);
	p->sync_fn = m->nf + 1;
	p->sync_tu = kc_xcalloc((size_t)m->ns + 1, sizeof(*p->sync_tu));
}

/*
 * The structs whose sync entries file pf carries: as em_plan_recover_pick, a struct with a tracker
 * type used by the kernel half's helpers of this TU (first TU wins); the user half of the same TU
 * carries the same ones. Only when the user half can reach the device or writes crossing state at
 * all (a sync set that is not empty).
 */
void em_plan_sync_pick(struct em_plan *p, const struct em_model *m, struct em_pfile *pf)
{
	int i;

	if (!p->sync_tu)
		return;
	if (pf->half == EM_KERNEL)
		for (i = 0; i < pf->nhelp; i++) {
			int st = pf->help[i].st;

			if (p->sync_tu[st] || !m->s[st].type_id || sync_anon(m->s[st].name) ||
			    pf->help[i].fn == p->sync_fn || !em_plan_nonempty(m, p->sync_fn, st, EM_IN))
				continue;
			p->sync_tu[st] = pf->tu + 1;
		}
	for (i = 0; i < m->ns; i++)
		if (p->sync_tu[i] == pf->tu + 1) {
			pf->sync = kc_xrealloc(pf->sync, (size_t)(pf->nsync + 1) * sizeof(*pf->sync));
			pf->sync[pf->nsync++] = i;
		}
}

/*
 * The structs whose objects the kernel half sends back with its replies (rt/sync.c): those with
 * recovery helpers that the driver defines, and the object the driver's private area follows (the
 * net_device). Kernel structs the kernel frees on its own (an skb consumed by napi_consume_skb)
 * may still be in the tracker when the reply is built: their memory is not read.
 */
void em_plan_sync_back(struct em_plan *p, const struct em_model *m)
{
	int i;

	if (!p->sync_tu)
		return;
	p->sync_back = kc_xcalloc((size_t)m->ns + 1, 1);
	for (i = 0; i < m->ns; i++)
		p->sync_back[i] = p->rec_tu[i] && m->s[i].type_id && (m->s[i].is_driver || i == m->priv_owner_st);
}
