/*
 * locks.c - combolocks in the partition (issue 13; docs/partitioner.md "Combolocks"): when may a
 * spinlock that a user-half candidate and kernel atomic code both take become a combolock
 * (rt/combolock.h), so that its process-context holder need not stay in the kernel?
 *
 * The critical-section rule (solve.c hard_constraints) keeps a function that holds a spinlock while
 * calling another in the kernel, and the spinlock rule (solve.c spinlock_takers) keeps a function
 * that takes a spinlock some kernel function takes in the kernel. A combolock lifts both for one
 * lock L when rt can serve every kernel-side taker while the user half holds L:
 *
 *   - a process-context taker (not an atomic root, not in the atomic closure, not called with a
 *     spinlock held) waits (kc_combolock_lock; the hold limit restarts a user half that never lets
 *     go): supported, whichever half it ends up in;
 *   - an interrupt handler (a root whose template context is irq) that takes L itself: supported,
 *     deferred whole (kc_combolock_lock_or_defer: the handler runs when the user half releases L;
 *     the device keeps its interrupt pending meanwhile);
 *   - any other atomic taker (a callee of an atomic root that takes L, a timer, a softirq, a
 *     function called with another spinlock held): NOT supported. It can neither wait (atomic)
 *     nor be deferred in general: its caller expects the section's effect when it returns (simsnd's
 *     trigger: simsnd_ctrl_update stops DMA under reg_lock, and ALSA may free the buffer once
 *     trigger STOP has returned). L stays a hard kernel constraint, and `kcut why` says so.
 *
 * and the process-context holders' sections stay correct on either side:
 *   - every function a holder calls with L held is kernel for another reason (the atomic closure
 *     of the atomic roots): a user-half holder calls it by downcall, a kernel-half holder
 *     directly, with the spinlock held as before; a callee that would be kernel only because of
 *     this section refuses L (the kernel half would call up into the user half under a spinlock);
 *   - the holder takes no other spinlock and holds nothing but L at those calls (a nested lock
 *     is not modelled);
 *   - a call edge keeps the lock list of its first locked site only (graph.c): conservative here,
 *     since a holder taking another lock at another site fails the previous point.
 *
 * Under device access none nothing happens (the register rules keep the takers in the kernel and
 * `none` keeps the old results). Without `--combolocks` (r->o.combolocks) the verdicts only
 * explain: the partition is the same as before. The emitter does not rewrite lock calls yet
 * (emitter/plan_lock.c refuses a partition that made a combolock).
 */
#include "part_int.h"

#include <stdlib.h>
#include <string.h>

/* Do the ", "-separated lock expressions of list (call.locks_held) name lock identity w and no
 * other lock? */
static int held_only(const char *list, const char *w)
{
	const char *p = list;
	int found = 0;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		size_t idn;
		const char *a = kc_part_lock_ident(p, n, &idn);

		if (idn == strlen(w) && !strncmp(a, w, idn))
			found = 1;
		else if (idn)
			return 0; /* another lock held there too */
		p = e ? e + 1 : NULL;
		while (p && *p == ' ')
			p++;
	}
	return found;
}

static int takes(const struct kc_part_func *f, const char *lock)
{
	size_t j;

	for (j = 0; j < f->nlocks; j++)
		if (!strcmp(f->locks[j], lock))
			return 1;
	return 0;
}

/* Functions reachable from the atomic roots over call edges (their own closure, not the one the
 * critical sections seed): kernel whatever a combolock does. */
static unsigned char *atomic_roots_closure(const struct kc_part_graph *g, int **parent)
{
	unsigned char *in = kc_xcalloc(g->nf + 1, 1);
	int *par = kc_xmalloc((g->nf + 1) * sizeof(int));
	int *queue = kc_xmalloc((g->nf + 1) * sizeof(int));
	size_t qn = 0, qh = 0, i;

	for (i = 0; i < g->nf; i++)
		par[i] = -1;
	for (i = 0; i < g->nf; i++)
		if (g->f[i].root_rule && g->f[i].root_atomic) {
			in[i] = 1;
			queue[qn++] = (int)i;
		}
	while (qh < qn) {
		int u = queue[qh++];

		for (i = 0; i < g->ne; i++)
			if (g->e[i].from == u && !in[g->e[i].to]) {
				in[g->e[i].to] = 1;
				par[g->e[i].to] = u;
				queue[qn++] = g->e[i].to;
			}
	}
	free(queue);
	if (parent)
		*parent = par;
	else
		free(par);
	return in;
}

/* Why function i is atomic, for a verdict: the atomic root it is reached from and its caller. */
static void atomic_why(struct kc_sb *sb, const struct kc_part_graph *g, const unsigned char *closure,
		       const int *parent, size_t i)
{
	int root = (int)i, n = 0;

	if (!closure[i]) {
		kc_sb_add(sb, "called with a spinlock held");
		return;
	}
	while (parent[root] >= 0 && n++ < (int)g->nf)
		root = parent[root];
	if (root == (int)i)
		kc_sb_addf(sb, "root: %s", g->f[i].root_rule);
	else
		kc_sb_addf(sb, "called by %s, reached from %s (root: %s)", g->f[parent[i]].name, g->f[root].name,
			   g->f[root].root_rule);
}

/* Function i runs in atomic context: an atomic root or reached from one (closure), or called with
 * a spinlock held. */
static int atomic_fn(const struct kc_part_result *r, const unsigned char *closure, size_t i)
{
	const struct kc_part_graph *g = r->g;
	size_t k;

	if (closure[i] || r->reason[i] == KC_PART_R_ATOMIC)
		return 1;
	for (k = 0; k < g->ne; k++)
		if (g->e[k].to == (int)i && g->e[k].spin)
			return 1;
	return 0;
}

/* The verdict on lock (taken by at least one process-context function and one atomic one). */
static void judge(struct kc_part_result *r, const unsigned char *closure, const int *parent, struct kc_part_combo *c)
{
	const struct kc_part_graph *g = r->g;
	struct kc_sb why = { 0 }, ok = { 0 };
	size_t i, k, j;
	int nproc = 0, nirq = 0;

	for (i = 0; i < g->nf && !why.s; i++) {
		if (!takes(&g->f[i], c->lock))
			continue;
		if (atomic_fn(r, closure, i)) {
			if (g->f[i].root_rule && g->f[i].root_irq) {
				nirq++;
				kc_sb_addf(&ok, "%s%s (interrupt handler: deferred while the user half holds it)",
					   ok.s ? ", " : "", g->f[i].name);
				continue;
			}
			kc_sb_addf(&why, "%s takes it in atomic context (", g->f[i].name);
			atomic_why(&why, g, closure, parent, i);
			kc_sb_add(&why, ") and is not an interrupt handler: it can neither wait for the user half "
					"nor be deferred (its caller expects the section's effect on return)");
			break;
		}
		nproc++;
		for (j = 0; j < g->f[i].nlocks; j++)
			if (strcmp(g->f[i].locks[j], c->lock)) {
				kc_sb_addf(&why, "%s, which takes it, takes spinlock %s too (nested locks are not modelled)",
					   g->f[i].name, g->f[i].locks[j]);
				break;
			}
		for (k = 0; k < g->ne && !why.s; k++) {
			const struct kc_part_edge *e = &g->e[k];

			if (e->from != (int)i || !e->spin)
				continue;
			if (!e->locks || !held_only(e->locks, c->lock))
				kc_sb_addf(&why, "%s calls %s at %s with %s held, not %s alone", g->f[i].name,
					   g->f[e->to].name, e->lock_site ? e->lock_site : "a site",
					   e->locks ? e->locks : "a spinlock", c->lock);
			else if (!closure[e->to])
				kc_sb_addf(&why, "%s calls %s with it held at %s, and %s is kernel only because of that "
						 "section (a kernel-half holder would call up into the user half under a "
						 "spinlock)",
					   g->f[i].name, g->f[e->to].name, e->lock_site ? e->lock_site : "a site",
					   g->f[e->to].name);
		}
	}
	if (!why.s && (!nproc || !nirq))
		kc_sb_addf(&why, "no process-context taker and interrupt handler both take it");
	if (why.s) {
		c->verdict = kc_sb_steal(&why);
		c->ok = 0;
	} else {
		kc_sb_addf(&why, "spinlock %s may be a combolock (rt/combolock.h): process-context takers wait while "
				 "the user half holds it; %s",
			   c->lock, ok.s);
		c->verdict = kc_sb_steal(&why);
		c->ok = 1;
	}
	kc_sb_free(&ok);
}

void kc_part_combolocks(struct kc_part_result *r)
{
	const struct kc_part_graph *g = r->g;
	unsigned char *closure;
	int *parent = NULL;
	size_t i, j, k;

	if (g->device_access == KC_PART_DEV_NONE)
		return;
	closure = atomic_roots_closure(g, &parent);
	/* the candidate locks: taken by a process-context function and by an atomic one */
	for (i = 0; i < g->nf; i++) {
		if (atomic_fn(r, closure, i))
			continue;
		for (j = 0; j < g->f[i].nlocks; j++) {
			const char *l = g->f[i].locks[j];
			int seen = 0, atomic = 0;

			for (k = 0; k < r->ncombo && !seen; k++)
				seen = !strcmp(r->combo[k].lock, l);
			for (k = 0; k < g->nf && !seen && !atomic; k++)
				atomic = takes(&g->f[k], l) && atomic_fn(r, closure, k);
			if (seen || !atomic)
				continue;
			r->combo = kc_xrealloc(r->combo, (r->ncombo + 1) * sizeof(*r->combo));
			memset(&r->combo[r->ncombo], 0, sizeof(*r->combo));
			r->combo[r->ncombo].lock = kc_xstrdup(l);
			judge(r, closure, parent, &r->combo[r->ncombo]);
			r->ncombo++;
		}
	}
	if (!r->o.combolocks)
		goto cleanup;
	/* applied: a process-context holder kept kernel by the critical-section rule for this lock
	 * alone ("holds L at ... while calling ...") is free again; the spinlock rule skips L */
	for (k = 0; k < r->ncombo; k++) {
		if (!r->combo[k].ok)
			continue;
		r->combo[k].applied = 1;
		for (i = 0; i < g->nf; i++) {
			if (r->reason[i] != KC_PART_R_LOCK || !takes(&g->f[i], r->combo[k].lock) || atomic_fn(r, closure, i) ||
			    !r->detail[i] || strncmp(r->detail[i], "holds ", 6))
				continue;
			free(r->detail[i]);
			r->detail[i] = NULL;
			r->reason[i] = KC_PART_NO_REASON;
			r->side[i] = KC_PART_USER;
		}
	}
cleanup:
	free(closure);
	free(parent);
}

int kc_part_combolock_applied(const struct kc_part_result *r, const char *lock)
{
	size_t k;

	for (k = 0; k < r->ncombo; k++)
		if (r->combo[k].applied && !strcmp(r->combo[k].lock, lock))
			return 1;
	return 0;
}

void kc_part_combolocks_explain(struct kc_part_result *r)
{
	const struct kc_part_graph *g = r->g;
	size_t i, k;

	if (!r->ncombo)
		return;
	for (k = 0; k < r->ncombo; k++) {
		const struct kc_part_combo *c = &r->combo[k];

		for (i = 0; i < g->nf; i++) {
			struct kc_sb sb = { 0 };

			if (!takes(&g->f[i], c->lock) || r->side[i] != KC_PART_KERNEL || !r->detail[i] ||
			    (r->reason[i] != KC_PART_R_LOCK && r->reason[i] != KC_PART_R_ATOMIC))
				continue;
			kc_sb_addf(&sb, "%s; combolock: %s%s", r->detail[i], c->ok ? "" : "not for spinlock ",
				   c->ok ? c->verdict : c->lock);
			if (!c->ok)
				kc_sb_addf(&sb, ": %s", c->verdict);
			else if (!c->applied)
				kc_sb_add(&sb, " (not asked for: kcut partition --combolocks)");
			free(r->detail[i]);
			r->detail[i] = kc_sb_steal(&sb);
		}
	}
}

void kc_part_combolocks_free(struct kc_part_result *r)
{
	size_t k;

	for (k = 0; k < r->ncombo; k++) {
		free(r->combo[k].lock);
		free(r->combo[k].verdict);
	}
	free(r->combo);
	r->combo = NULL;
	r->ncombo = 0;
}
