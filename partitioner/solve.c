/*
 * solve.c - choosing the kernel half: hard constraints, propagation, and the weighted min-cut.
 *
 * Hard constraints (every mode): roots are kernel; what runs in atomic context is kernel (reachable
 * from an irq/softirq/timer/atomic root, or called at a site where a spinlock is held, and
 * everything such a function calls); the function holding the spinlock at such a site is kernel
 * too, so a critical section is never split; user pins must not contradict these.
 *
 * Min-cut objective: alpha * (kernel LOC) + beta * (weight of call edges whose ends are on
 * different sides). As an s-t cut (s = kernel, t = user): an edge v->t of capacity alpha*loc(v)
 * is cut exactly when v is kernel; a call edge u-v becomes the pair u->v, v->u of capacity beta*w,
 * one of which is cut exactly when u and v are separated; hard-kernel nodes get s->v and
 * user-pinned nodes v->t of "infinite" capacity (more than all finite capacities together). The
 * min cut is the optimum; its source side (vertices reachable from s in the residual network) is
 * the smallest optimal kernel half. A LOC budget or a kernel function count limit is not a cut
 * constraint: a Lagrangian relaxation over max-flow handles the budget when its bounds meet, Z3's
 * optimizer (MaxSMT with pseudo-boolean limits) the rest. Brute force is the reference model for
 * the tests.
 */
#include "part_int.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <igraph/igraph.h>
#include <z3.h>

#define NO_REASON 255

static const char *const reason_names[] = { "root", "atomic", "lock", "pin", "propagate", "cut", "default" };

const char *kc_part_reason_name(int reason)
{
	return reason >= 0 && (size_t)reason < KC_ARRAY_SIZE(reason_names) ? reason_names[reason] : "?";
}

struct kc_part_result *kc_part_result_alloc(const struct kc_part_graph *g, const struct kc_part_opts *o)
{
	struct kc_part_result *r = kc_xcalloc(1, sizeof(*r));
	size_t n = g->nf ? g->nf : 1;

	r->g = g;
	r->o = *o;
	r->o.pins = NULL;
	r->o.n_pins = 0;
	r->n = g->nf;
	r->side = kc_xcalloc(n, 1);
	r->reason = kc_xcalloc(n, 1);
	r->detail = kc_xcalloc(n, sizeof(char *));
	r->move = kc_xcalloc(n, sizeof(double));
	return r;
}

void kc_part_result_free(struct kc_part_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->detail[i]);
	free(r->detail);
	for (i = 0; r->dp_note && i < r->n; i++)
		free(r->dp_note[i]);
	free(r->dp_note);
	free(r->side);
	free(r->reason);
	free(r->move);
	free(r->replica); /* replica.c */
	kc_part_combolocks_free(r); /* combo: locks.c */
	free(r);
}

int kc_part_result_side(const struct kc_part_result *r, int f) { return r->side[f]; }
int kc_part_result_reason(const struct kc_part_result *r, int f) { return r->reason[f]; }
const char *kc_part_result_detail(const struct kc_part_result *r, int f) { return r->detail[f] ? r->detail[f] : ""; }
double kc_part_result_move_cost(const struct kc_part_result *r, int f) { return r->move[f]; }
void kc_part_result_stats(const struct kc_part_result *r, struct kc_part_stats *out) { *out = r->st; }

static int is_hard(int reason)
{
	return reason == KC_PART_R_ROOT || reason == KC_PART_R_ATOMIC || reason == KC_PART_R_LOCK;
}

double kc_part_cost(const struct kc_part_graph *g, const struct kc_part_opts *o, const unsigned char *side)
{
	double loc = 0, cross = 0;
	size_t i;

	for (i = 0; i < g->nf; i++)
		if (side[i])
			loc += (double)g->f[i].loc;
	for (i = 0; i < g->ne; i++)
		cross += kc_part_edge_cost(g, o, &g->e[i], side[g->e[i].from], side[g->e[i].to]);
	for (i = 0; i < g->nf; i++)
		if (!side[i])
			cross += kc_part_down_weight(g, i); /* downcalls of a user-half function */
	return o->alpha * loc + o->beta * cross;
}

/* Fill stats and move costs once the sides are final. Moving a hard or pinned function is
 * impossible (DBL_MAX). */
void kc_part_result_finish(struct kc_part_result *r)
{
	const struct kc_part_graph *g = r->g;
	double *delta = kc_xcalloc(r->n ? r->n : 1, sizeof(double));
	double cut_cost = 0;
	size_t i;

	memset(&r->st.kernel_funcs, 0, offsetof(struct kc_part_stats, solve_ms));
	for (i = 0; i < r->n; i++) {
		if (r->side[i]) {
			r->st.kernel_funcs++;
			r->st.kernel_loc += g->f[i].loc;
		} else {
			r->st.user_funcs++;
			r->st.user_loc += g->f[i].loc;
			if (g->f[i].dev_weight > 0) {
				r->st.dev_funcs++;
				r->st.dev_weight += g->f[i].dev_weight;
			}
			if (g->f[i].imp_weight > 0) {
				r->st.imp_funcs++;
				r->st.imp_weight += g->f[i].imp_weight;
			}
		}
	}
	for (i = 0; i < g->ne; i++) {
		const struct kc_part_edge *e = &g->e[i];
		int sf = r->side[e->from], st = r->side[e->to];
		/* now, and with one end moved to the other side (move costs) */
		double now = kc_part_edge_cost(g, &r->o, e, sf, st);

		if (sf != st) {
			r->st.cut_edges++;
			r->st.cut_weight += e->weight;
		}
		cut_cost += now;
		delta[e->from] += kc_part_edge_cost(g, &r->o, e, !sf, st) - now; /* what moving one end changes */
		delta[e->to] += kc_part_edge_cost(g, &r->o, e, sf, !st) - now;
	}
	r->st.repl_saved = r->st.cut_weight - cut_cost;
	r->st.cost = r->o.alpha * (double)r->st.kernel_loc + r->o.beta * (cut_cost + r->st.dev_weight +
									  r->st.imp_weight);
	for (i = 0; i < r->n; i++) {
		if (is_hard(r->reason[i]) || r->reason[i] == KC_PART_R_PIN)
			r->move[i] = DBL_MAX;
		else
			r->move[i] = (r->side[i] ? -1.0 : 1.0) * (r->o.alpha * (double)g->f[i].loc -
								  r->o.beta * kc_part_down_weight(g, i)) +
				     r->o.beta * delta[i];
	}
	free(delta);
}

/* Compressed out-adjacency: edges of node v are adj[off[v] .. off[v+1]). */
struct csr {
	size_t *off;
	size_t *adj;
};

static void csr_build(struct csr *c, const struct kc_part_graph *g)
{
	size_t i;

	c->off = kc_xcalloc(g->nf + 1, sizeof(size_t));
	c->adj = kc_xmalloc((g->ne ? g->ne : 1) * sizeof(size_t));
	for (i = 0; i < g->ne; i++)
		c->off[g->e[i].from + 1]++;
	for (i = 0; i < g->nf; i++)
		c->off[i + 1] += c->off[i];
	{
		size_t *pos = kc_xmalloc((g->nf + 1) * sizeof(size_t));

		memcpy(pos, c->off, (g->nf + 1) * sizeof(size_t));
		for (i = 0; i < g->ne; i++)
			c->adj[pos[g->e[i].from]++] = i;
		free(pos);
	}
}

static void csr_free(struct csr *c)
{
	free(c->off);
	free(c->adj);
}

/* "called by a <- b <- c" following parent links (at most 8 hops), then what the chain started at. */
static char *chain(const struct kc_part_graph *g, const int *parent, const struct kc_part_result *r, int v,
		   const char *prefix)
{
	struct kc_sb sb = { 0 };
	int hops = 0, p = parent[v], last = v;

	kc_sb_add(&sb, prefix);
	kc_sb_add(&sb, "called by ");
	while (p >= 0 && hops < 8) {
		kc_sb_addf(&sb, "%s%s", hops ? " <- " : "", g->f[p].name);
		last = p;
		p = parent[p];
		hops++;
	}
	if (p >= 0)
		kc_sb_add(&sb, " <- ...");
	else if (r->detail[last] && last != v)
		kc_sb_addf(&sb, " [%s: %s]", g->f[last].name, r->detail[last]);
	return kc_sb_steal(&sb);
}

/* Breadth-first from the queued nodes along call edges; every unmarked node reached gets reason
 * and a chain detail. skip: nodes never entered (user pins in propagation). */
static void bfs_mark(struct kc_part_result *r, const struct csr *c, int *parent, int *queue, size_t qn,
		     int reason, const char *prefix, const unsigned char *skip)
{
	const struct kc_part_graph *g = r->g;
	size_t qh = 0, k;

	while (qh < qn) {
		int u = queue[qh++];

		for (k = c->off[u]; k < c->off[u + 1]; k++) {
			int w = g->e[c->adj[k]].to;

			if (r->reason[w] != NO_REASON || (skip && skip[w]))
				continue;
			r->reason[w] = (unsigned char)reason;
			r->side[w] = KC_PART_KERNEL;
			parent[w] = u;
			r->detail[w] = chain(g, parent, r, w, prefix);
			queue[qn++] = w;
		}
	}
}

/* Under forward / mapped device access: the user half cannot take a kernel spinlock, so a function
 * that takes a spinlock (lock_op, identified by its last identifier) stays in the kernel when a
 * kernel-half function takes it too; repeated until nothing changes, since a new taker's other
 * locks join. A spinlock only free functions take keeps its takers in the kernel as well
 * (conservative: the cut could otherwise split them across the halves). Under none the register
 * rules pin nearly all of them, and none keeps the old results. */
static void spinlock_takers(struct kc_part_result *r)
{
	const struct kc_part_graph *g = r->g;
	const char *mode = kc_part_devaccess_name(g->device_access);
	size_t i, j, k, l;
	int changed = 1;

	while (changed) {
		changed = 0;
		for (i = 0; i < g->nf; i++) {
			if (r->reason[i] != NO_REASON || !g->f[i].nlocks)
				continue;
			for (j = 0; j < g->f[i].nlocks && r->reason[i] == NO_REASON; j++)
				for (k = 0; k < g->nf && r->reason[i] == NO_REASON &&
					    !kc_part_combolock_applied(r, g->f[i].locks[j]); k++) { /* combo */
					if (k == i || r->reason[k] == NO_REASON || r->side[k] != KC_PART_KERNEL)
						continue;
					for (l = 0; l < g->f[k].nlocks; l++) {
						struct kc_sb sb = { 0 };

						if (strcmp(g->f[k].locks[l], g->f[i].locks[j]))
							continue;
						kc_sb_addf(&sb, "takes spinlock %s (%s), which the kernel half takes too (%s, "
								"kernel by %s): the user half cannot take a kernel spinlock "
								"(device access: %s)", g->f[i].locks[j], g->f[i].lock_sites[j],
							   g->f[k].name, kc_part_reason_name(r->reason[k]), mode);
						r->reason[i] = KC_PART_R_LOCK;
						r->side[i] = KC_PART_KERNEL;
						r->detail[i] = kc_sb_steal(&sb);
						changed = 1;
						break;
					}
				}
		}
	}
	for (i = 0; i < g->nf; i++) {
		struct kc_sb sb = { 0 };

		if (r->reason[i] != NO_REASON || !g->f[i].nlocks ||
		    (g->f[i].nlocks == 1 && kc_part_combolock_applied(r, g->f[i].locks[0]))) /* combo */
			continue;
		kc_sb_addf(&sb, "takes spinlock %s (%s); no function forced into the kernel takes it, but the user half "
				"cannot take a kernel spinlock and its takers must stay together: kept in the kernel "
				"(device access: %s)", g->f[i].locks[0], g->f[i].lock_sites[0], mode);
		r->reason[i] = KC_PART_R_LOCK;
		r->side[i] = KC_PART_KERNEL;
		r->detail[i] = kc_sb_steal(&sb);
	}
}

/* Data-path state (forward / mapped, a 'kernel datapath-state' template rule; docs/partitioner.md).
 * The kernel half's atomic-context code (IRQ handler, NAPI poll, xmit, timers: the roots' atomic
 * closure) reads driver state directly, while a user-half function's writes reach the kernel half
 * only when a crossing carries the object, and the user half sees the kernel's writes only at the
 * next crossing into it. Three constraints follow, each from the analyzer's facts:
 *   replace: a function that stores a new heap allocation (alloc kind mem; device regions cross
 *            as regions) into a field atomic code reads stays kernel in any phase: the kernel half
 *            holds that pointer, and an object the user half allocates or frees is a stale handle;
 *            the same for a live function that frees such a field's object (remove's
 *            kfree(adapter->tx_ring); probe's error path frees only what it allocated itself);
 *   write:   a function that runs while the data path is live (reachable from a registered entry
 *            point that is not a set-up entry of the rule: ndo_open, ethtool, work items, remove)
 *            and writes a field atomic code reads (or hands a scalar field's address to a callee)
 *            stays kernel: the reader could run between the write and the next crossing;
 *   wait:    a live function that writes a field atomic code writes and reads it back (resets a
 *            flag, then waits for the handler to set it) stays kernel: the handler's write would
 *            not reach it before its upcall returns.
 * Set-up entries (probe, module_init) run before the IRQ is requested, so their writes reach the
 * kernel half with the crossing that returns or registers them; a set-up path that itself requests
 * an IRQ counts as live. */
struct dpk {
	const char *key, *site;
	int func;
};

/* The DP_C_* bit of constraint `rule` (1 replace/free, 2 write, 3 wait) for fact mode m. */
static unsigned dp_bit(int rule, char m)
{
	return rule == 1 ? (m == 'f' ? DP_C_FREE : DP_C_REPLACE) : rule == 2 ? DP_C_WRITE : DP_C_WAIT;
}

static int dpk_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dpk *)a)->key, ((const struct dpk *)b)->key);
}

static const struct dpk *dpk_find(const struct dpk *v, size_t n, const char *key)
{
	struct dpk k = { key, NULL, 0 };

	return n ? bsearch(&k, v, n, sizeof(*v), dpk_cmp) : NULL;
}

/* BFS over call edges from every function with seed[i]; from[w] = the seed it was reached from. */
static void dp_reach(const struct kc_part_graph *g, const struct csr *c, const unsigned char *seed, int *from)
{
	int *queue = kc_xmalloc((g->nf + 1) * sizeof(int));
	size_t qn = 0, qh = 0, i, k;

	for (i = 0; i < g->nf; i++) {
		from[i] = seed[i] ? (int)i : -1;
		if (seed[i])
			queue[qn++] = (int)i;
	}
	while (qh < qn) {
		int u = queue[qh++];

		for (k = c->off[u]; k < c->off[u + 1]; k++) {
			int w = g->e[c->adj[k]].to;

			if (from[w] >= 0)
				continue;
			from[w] = from[u];
			queue[qn++] = w;
		}
	}
	free(queue);
}

static void datapath_state(struct kc_part_result *r, const struct csr *c)
{
	const struct kc_part_graph *g = r->g;
	const char *mode = kc_part_devaccess_name(g->device_access);
	unsigned char *atomic, *seed;
	int *live, *setup;
	struct dpk *rd = NULL, *wr = NULL;
	size_t nrd = 0, nwr = 0, i, j;
	const char *irq_by = NULL;

	if (!g->dp_rule)
		return;
	atomic = kc_xcalloc(g->nf + 1, 1);
	seed = kc_xcalloc(g->nf + 1, 1);
	live = kc_xcalloc(g->nf + 1, sizeof(int));
	setup = kc_xcalloc(g->nf + 1, sizeof(int));
	for (i = 0; i < g->nf; i++) {
		atomic[i] = r->reason[i] == KC_PART_R_ATOMIC ||
			    (r->reason[i] == KC_PART_R_ROOT && g->f[i].root_atomic);
		if (!atomic[i])
			continue;
		for (j = 0; j < g->f[i].nfa; j++) {
			const struct kc_part_fa *fa = &g->f[i].fa[j];
			struct dpk **v = fa->mode == 'r' ? &rd : &wr;
			size_t *n = fa->mode == 'r' ? &nrd : &nwr;

			if (fa->mode == 'n' || fa->mode == 'f')
				continue;
			*v = kc_xrealloc(*v, (*n + 1) * sizeof(**v));
			(*v)[*n].key = fa->key;
			(*v)[*n].site = fa->site;
			(*v)[*n].func = (int)i;
			(*n)++;
		}
	}
	if (nrd)
		qsort(rd, nrd, sizeof(*rd), dpk_cmp);
	if (nwr)
		qsort(wr, nwr, sizeof(*wr), dpk_cmp);
	/* set-up paths; one that requests an IRQ makes its entries live */
	for (i = 0; i < g->nf; i++)
		seed[i] = g->f[i].entry == DP_SETUP && !atomic[i];
	dp_reach(g, c, seed, setup);
	for (i = 0; i < g->nf && !irq_by; i++)
		if (setup[i] >= 0 && g->f[i].irq_site)
			irq_by = g->f[i].name;
	for (i = 0; i < g->nf; i++)
		seed[i] = !atomic[i] && (g->f[i].entry == DP_LIVE || (irq_by && g->f[i].entry == DP_SETUP));
	dp_reach(g, c, seed, live);
	for (i = 0; i < g->nf; i++) {
		const struct kc_part_func *f = &g->f[i];
		const struct kc_part_fa *hit = NULL;
		const struct dpk *d = NULL;
		int rule = 0, pass; /* 1 replace, 2 write, 3 wait */
		struct kc_sb sb = { 0 };

		if (r->reason[i] != NO_REASON || !f->nfa)
			continue;
		/* the first constraint that pins (1 replace/free, 2 write, 3 wait); one the runtime's
		 * synchronization satisfies (runtime-syncs=) only explains, and the search goes on */
		for (pass = 1; pass <= 3 && !rule; pass++)
			for (j = 0; j < f->nfa && !rule; j++) {
				const struct dpk *dj = NULL;
				size_t k;

				if (pass == 1 && (f->fa[j].mode == 'n' || f->fa[j].mode == 'f') && live[i] >= 0)
					dj = dpk_find(rd, nrd, f->fa[j].key);
				else if (pass == 2 && (f->fa[j].mode == 'w' || f->fa[j].mode == 'a') && live[i] >= 0)
					dj = dpk_find(rd, nrd, f->fa[j].key);
				else if (pass == 3 && f->fa[j].mode == 'r' && live[i] >= 0 &&
					 (dj = dpk_find(wr, nwr, f->fa[j].key)) != NULL) {
					for (k = 0; k < f->nfa; k++)
						if (f->fa[k].mode == 'w' && !strcmp(f->fa[k].key, f->fa[j].key))
							break;
					if (k == f->nfa)
						dj = NULL;
				}
				if (!dj)
					continue;
				if (!(g->dp_synced & dp_bit(pass, f->fa[j].mode))) {
					hit = &f->fa[j];
					d = dj;
					rule = pass;
					break;
				}
				if (!r->dp_note)
					r->dp_note = kc_xcalloc(g->nf + 1, sizeof(char *));
				if (r->dp_note[i])
					continue;
				kc_sb_addf(&sb, "data-path state: %s %s at %s, which %s (atomic-context data path) %s at %s; %s "
						"(device access: %s; kernel rule: %s, runtime-syncs)",
					   f->fa[j].mode == 'f' ? "frees the object in" :
					   f->fa[j].mode == 'n' ? "replaces the object in" :
					   f->fa[j].mode == 'a' ? "passes the address of" :
					   pass == 3 ? "reads back (after writing it)" : "writes",
					   f->fa[j].key, f->fa[j].site, g->f[dj->func].name, pass == 3 ? "sets" : "reads", dj->site,
					   pass == 3 ? "the kernel half's writes reach the user half with the reply to its next "
						       "crossing (a register read, a delay, any call)" :
						       "the runtime carries the user half's writes to the kernel half at its next "
						       "crossing (a forwarded register write, a barrier, any call), before the "
						       "device or the kernel half can act on them",
					   mode, g->dp_rule);
				r->dp_note[i] = kc_sb_steal(&sb);
			}
		if (!rule)
			continue;
		if (rule == 1)
			kc_sb_addf(&sb, "%s the object in %s (%s), which %s (atomic-context data path) reads at %s, so "
					"the kernel half would keep a stale handle to the old object",
				   hit->mode == 'f' ? "frees" : "replaces", hit->key, hit->site, g->f[d->func].name,
				   d->site);
		else if (rule == 2)
			kc_sb_addf(&sb, "%s %s at %s, which %s (atomic-context data path) reads at %s",
				   hit->mode == 'a' ? "passes the address of" : "writes", hit->key, hit->site,
				   g->f[d->func].name, d->site);
		else
			kc_sb_addf(&sb, "reads back %s at %s after writing it, and %s (atomic-context data path) sets it at %s",
				   hit->key, hit->site, g->f[d->func].name, d->site);
		if (live[i] >= 0) {
			const struct kc_part_func *e = &g->f[live[i]];

			kc_sb_addf(&sb, "; it runs while the data path is live (reached from %s, %s%s%s)", e->name,
				   e->entry_what ? e->entry_what : "an entry point",
				   e->entry == DP_SETUP ? ", which requests the IRQ via " : "",
				   e->entry == DP_SETUP ? irq_by : "");
			kc_sb_add(&sb, rule == 3 ? ", and the user half sees the handler's write only at the next crossing" :
				       rule == 2 ? ", and the kernel half sees a user-half write only at the next crossing" : "");
		}
		kc_sb_addf(&sb, " (device access: %s; kernel rule: %s)", mode, g->dp_rule);
		r->reason[i] = KC_PART_R_PIN;
		r->side[i] = KC_PART_KERNEL;
		r->detail[i] = kc_sb_steal(&sb);
	}
	free(rd);
	free(wr);
	free(atomic);
	free(seed);
	free(live);
	free(setup);
}

/* Roots, critical sections, atomic closure and pins. Returns KC_ECONFLICT / KC_ENOTFOUND for bad
 * pins. user_pin[i] = 1 for functions pinned to the user half. */
static int hard_constraints(struct kc_part_result *r, const struct csr *c, int *parent, unsigned char *user_pin,
			    const struct kc_part_opts *o, struct kc_err *err)
{
	const struct kc_part_graph *g = r->g;
	int *queue = kc_xmalloc((g->nf + g->ne + 1) * sizeof(int)); /* seeds (roots, lock sites) + each node once */
	size_t qn = 0, i;
	int rc = 0;

	for (i = 0; i < g->nf; i++) {
		r->reason[i] = NO_REASON;
		parent[i] = -1;
		if (g->f[i].root_rule) {
			struct kc_sb sb = { 0 };

			kc_sb_addf(&sb, "root: %s%s", g->f[i].root_rule, g->f[i].root_atomic ? ", atomic context" : "");
			r->reason[i] = KC_PART_R_ROOT;
			r->side[i] = KC_PART_KERNEL;
			r->detail[i] = kc_sb_steal(&sb);
			if (g->f[i].root_atomic)
				queue[qn++] = (int)i;
		}
	}
	for (i = 0; i < g->ne; i++) {
		const struct kc_part_edge *e = &g->e[i];
		const char *locks = e->locks ? e->locks : "a spinlock";
		const char *site = e->lock_site ? e->lock_site : "a call site";
		struct kc_sb sb = { 0 };

		if (!e->spin)
			continue;
		if (r->reason[e->to] == NO_REASON) {
			kc_sb_addf(&sb, "called with %s held at %s (by %s)", locks, site, g->f[e->from].name);
			r->reason[e->to] = KC_PART_R_LOCK;
			r->side[e->to] = KC_PART_KERNEL;
			r->detail[e->to] = kc_sb_steal(&sb);
			queue[qn++] = e->to;
		} else if (r->reason[e->to] != KC_PART_R_ROOT || !g->f[e->to].root_atomic) {
			queue[qn++] = e->to; /* a process-context root called under a lock: its callees are atomic */
		}
		if (r->reason[e->from] == NO_REASON) {
			kc_sb_addf(&sb, "holds %s at %s while calling %s (a critical section is never split)", locks, site,
				   g->f[e->to].name);
			r->reason[e->from] = KC_PART_R_LOCK;
			r->side[e->from] = KC_PART_KERNEL;
			r->detail[e->from] = kc_sb_steal(&sb);
		}
		kc_sb_free(&sb);
	}
	bfs_mark(r, c, parent, queue, qn, KC_PART_R_ATOMIC, "runs in atomic context: ", NULL);
	kc_part_combolocks(r); /* combo: spinlocks that may be combolocks (locks.c) */
	/* the templates' 'kernel' rules (rules.c): hard kernel pins, explained */
	for (i = 0; i < g->nf; i++) {
		if (!g->f[i].kernel_rule || r->reason[i] != NO_REASON)
			continue;
		r->reason[i] = KC_PART_R_PIN;
		r->side[i] = KC_PART_KERNEL;
		{
			struct kc_sb sb = { 0 };

			kc_sb_addf(&sb, "kernel rule: %s", g->f[i].kernel_rule);
			r->detail[i] = kc_sb_steal(&sb);
		}
	}
	if (g->device_access != KC_PART_DEV_NONE) {
		datapath_state(r, c);
		spinlock_takers(r);
		kc_part_combolocks_explain(r); /* combo: the verdicts in `kcut why` (locks.c) */
	}
	for (i = 0; i < o->n_pins; i++) {
		int v = kc_part_graph_find(g, o->pins[i].func);

		if (v < 0) {
			rc = kc_err_set(err, KC_ENOTFOUND, "pin %s: no driver function of that name", o->pins[i].func);
			goto cleanup;
		}
		if (o->pins[i].side == KC_PART_USER) {
			if (g->f[v].kernel_rule) {
				rc = kc_err_set(err, KC_ECONFLICT, "pin %s=user contradicts a kernel rule: %s",
						o->pins[i].func, g->f[v].kernel_rule);
				goto cleanup;
			}
			if (is_hard(r->reason[v])) {
				rc = kc_err_set(err, KC_ECONFLICT,
						"pin %s=user contradicts a hard constraint: %s is kernel because %s",
						o->pins[i].func, o->pins[i].func, r->detail[v]);
				goto cleanup;
			}
			if (r->reason[v] == KC_PART_R_PIN && r->side[v] == KC_PART_KERNEL) {
				rc = kc_err_set(err, KC_ECONFLICT, "pin %s=user contradicts pin %s=kernel",
						o->pins[i].func, o->pins[i].func);
				goto cleanup;
			}
			user_pin[v] = 1;
			r->side[v] = KC_PART_USER;
		} else {
			if (user_pin[v]) {
				rc = kc_err_set(err, KC_ECONFLICT, "pin %s=kernel contradicts pin %s=user",
						o->pins[i].func, o->pins[i].func);
				goto cleanup;
			}
			if (r->reason[v] != NO_REASON)
				continue; /* already kernel for a stronger reason */
			r->side[v] = KC_PART_KERNEL;
		}
		r->reason[v] = KC_PART_R_PIN;
		free(r->detail[v]);
		r->detail[v] = kc_xstrdup(o->pins[i].side == KC_PART_USER ? "pinned to the user half by the user"
									   : "pinned to the kernel half by the user");
	}
cleanup:
	free(queue);
	return rc;
}

/* Propagation (the paper's splitter): everything reachable from a root or a kernel pin, through
 * any function on the way (a lock holder reached from a root passes it on); user pins stop it.
 * Hard-constraint functions that no root reaches (a lock holder in a work item) stay kernel but
 * do not propagate. */
static void propagate(struct kc_part_result *r, const struct csr *c, int *parent, const unsigned char *user_pin)
{
	const struct kc_part_graph *g = r->g;
	int *queue = kc_xmalloc((g->nf + 1) * sizeof(int));
	unsigned char *seen = kc_xcalloc(g->nf + 1, 1);
	size_t qn = 0, qh = 0, i, k;

	for (i = 0; i < g->nf; i++)
		if (r->reason[i] == KC_PART_R_ROOT || (r->reason[i] == KC_PART_R_PIN && r->side[i] == KC_PART_KERNEL)) {
			queue[qn++] = (int)i;
			seen[i] = 1;
		}
	while (qh < qn) {
		int u = queue[qh++];

		for (k = c->off[u]; k < c->off[u + 1]; k++) {
			int w = g->e[c->adj[k]].to;

			if (seen[w] || user_pin[w])
				continue;
			seen[w] = 1;
			queue[qn++] = w;
			if (r->reason[w] != NO_REASON)
				continue;
			r->reason[w] = KC_PART_R_PROPAGATE;
			r->side[w] = KC_PART_KERNEL;
			parent[w] = u;
			r->detail[w] = chain(g, parent, r, w, "reachable from a root: ");
		}
	}
	for (i = 0; i < g->nf; i++) {
		if (r->reason[i] != NO_REASON)
			continue;
		r->reason[i] = KC_PART_R_DEFAULT;
		r->side[i] = KC_PART_USER;
		r->detail[i] = kc_xstrdup("not reachable from any root");
	}
	free(queue);
	free(seen);
}

/* ---- max-flow ---- */

static int solve_maxflow(struct kc_part_result *r, const unsigned char *user_pin, int fault, struct kc_err *err)
{
	const struct kc_part_graph *g = r->g;
	const struct kc_part_opts *o = &r->o;
	igraph_integer_t n = (igraph_integer_t)g->nf, s = n, t = n + 1, ne = 0, cap_e, i, k;
	igraph_integer_t *ev = NULL;
	double *cv = NULL, finite = 0, inf;
	igraph_t graph;
	igraph_vector_int_t edges;
	igraph_vector_t capv, flow;
	igraph_real_t value = 0;
	igraph_integer_t *off = NULL, *inc = NULL, *queue = NULL;
	unsigned char *seen = NULL;
	int rc = 0, have_graph = 0, have_vecs = 0;
	int injected = 0;

	cap_e = (igraph_integer_t)(2 * g->ne + 2 * g->nf);
	ev = malloc((size_t)(2 * cap_e + 2) * sizeof(*ev));
	cv = malloc((size_t)(cap_e + 1) * sizeof(*cv));
	if (!ev || !cv) {
		rc = kc_err_set(err, KC_ENOMEM, "max-flow network of %lld edges: out of memory", (long long)cap_e);
		goto cleanup;
	}
#define ADD_EDGE(a, b, c)                      \
	do {                                   \
		ev[2 * ne] = (a);              \
		ev[2 * ne + 1] = (b);          \
		cv[ne++] = (c);                \
	} while (0)
	for (i = 0; i < n; i++)
		finite += o->alpha * (double)g->f[i].loc;
	for (i = 0; i < (igraph_integer_t)g->ne; i++)
		finite += 2 * o->beta * g->e[i].weight;
	for (i = 0; i < n; i++)
		finite += o->beta * kc_part_down_weight(g, (size_t)i);
	inf = 2 * finite + 1;
	for (i = 0; i < (igraph_integer_t)g->ne; i++) {
		double w = o->beta * g->e[i].weight;

		if (fault && !injected && w > 0) {
			injected = 1; /* test-only fault: forget the first weighted call edge */
			continue;
		}
		if (w > 0) {
			/* from -> to is cut when the caller is kernel and the callee user; to -> from when
			 * the caller is user and the callee kernel: a replica may make that cheaper */
			double wu = o->beta * kc_part_edge_cost(g, o, &g->e[i], KC_PART_USER, KC_PART_KERNEL);

			ADD_EDGE(g->e[i].from, g->e[i].to, w);
			if (wu > 0)
				ADD_EDGE(g->e[i].to, g->e[i].from, wu);
		}
	}
	for (i = 0; i < n; i++) {
		if (r->side[i] == KC_PART_KERNEL && r->reason[i] != NO_REASON)
			ADD_EDGE(s, i, inf);
		else if (kc_part_down_weight(g, (size_t)i) > 0 && o->beta > 0)
			/* cut exactly when i is user (a user pin too: the flow value is then the cost) */
			ADD_EDGE(s, i, o->beta * kc_part_down_weight(g, (size_t)i));
		if (user_pin[i])
			ADD_EDGE(i, t, inf);
		else if (g->f[i].loc > 0 && o->alpha > 0)
			ADD_EDGE(i, t, o->alpha * (double)g->f[i].loc);
	}
#undef ADD_EDGE
	if (igraph_vector_int_init_array(&edges, ev, 2 * ne) != IGRAPH_SUCCESS) {
		rc = kc_err_set(err, KC_ENOMEM, "igraph: cannot build the edge vector");
		goto cleanup;
	}
	if (igraph_vector_init_array(&capv, cv, ne) != IGRAPH_SUCCESS) {
		igraph_vector_int_destroy(&edges);
		rc = kc_err_set(err, KC_ENOMEM, "igraph: cannot build the capacity vector");
		goto cleanup;
	}
	igraph_vector_init(&flow, 0);
	have_vecs = 1;
	if (igraph_create(&graph, &edges, n + 2, IGRAPH_DIRECTED) != IGRAPH_SUCCESS) {
		rc = kc_err_set(err, KC_ENOMEM, "igraph: cannot create the flow network");
		goto cleanup;
	}
	have_graph = 1;
	if (igraph_maxflow(&graph, &value, &flow, NULL, NULL, NULL, s, t, &capv, NULL) != IGRAPH_SUCCESS) {
		rc = kc_err_set(err, KC_EBUG, "igraph_maxflow failed on a network of %lld edges", (long long)ne);
		goto cleanup;
	}
	/* Source side = reachable from s in the residual network: the smallest optimal kernel half. */
	off = calloc((size_t)n + 3, sizeof(*off));
	inc = malloc((size_t)(2 * ne + 1) * sizeof(*inc));
	queue = malloc((size_t)(n + 2) * sizeof(*queue));
	seen = calloc((size_t)n + 2, 1);
	if (!off || !inc || !queue || !seen) {
		rc = kc_err_set(err, KC_ENOMEM, "max-flow residual: out of memory");
		goto cleanup;
	}
	for (k = 0; k < ne; k++) {
		off[ev[2 * k] + 1]++;
		off[ev[2 * k + 1] + 1]++;
	}
	for (i = 0; i < n + 2; i++)
		off[i + 1] += off[i];
	{
		igraph_integer_t *pos = malloc((size_t)(n + 3) * sizeof(*pos));

		if (!pos) {
			rc = kc_err_set(err, KC_ENOMEM, "max-flow residual: out of memory");
			goto cleanup;
		}
		memcpy(pos, off, (size_t)(n + 3) * sizeof(*pos));
		for (k = 0; k < ne; k++) {
			inc[pos[ev[2 * k]]++] = k;
			inc[pos[ev[2 * k + 1]]++] = k;
		}
		free(pos);
	}
	{
		igraph_integer_t qh = 0, qn = 0;

		queue[qn++] = s;
		seen[s] = 1;
		while (qh < qn) {
			igraph_integer_t x = queue[qh++];

			for (k = off[x]; k < off[x + 1]; k++) {
				igraph_integer_t e = inc[k], a = ev[2 * e], b = ev[2 * e + 1], y = -1;
				double c = cv[e], f = VECTOR(flow)[e], eps = 1e-9 * (c > 1 ? c : 1);

				if (a == x && c - f > eps)
					y = b;
				else if (b == x && f > eps)
					y = a;
				if (y >= 0 && !seen[y]) {
					seen[y] = 1;
					queue[qn++] = y;
				}
			}
		}
	}
	KC_ASSERT(!seen[t]);
	for (i = 0; i < n; i++)
		if (r->reason[i] == NO_REASON)
			r->side[i] = seen[i] ? KC_PART_KERNEL : KC_PART_USER;
	r->objective = value;
cleanup:
	if (have_graph)
		igraph_destroy(&graph);
	if (have_vecs) {
		igraph_vector_int_destroy(&edges);
		igraph_vector_destroy(&capv);
		igraph_vector_destroy(&flow);
	}
	free(ev);
	free(cv);
	free(off);
	free(inc);
	free(queue);
	free(seen);
	return rc;
}

/* ---- Z3 ---- */

static void z3_quiet(Z3_context c, Z3_error_code e)
{
	(void)c;
	(void)e;
}

static void weight_str(char *buf, size_t n, double w)
{
	snprintf(buf, n, "%.9f", w);
}

/* Z3's time limit in ms: $KCUT_Z3_TIMEOUT_MS, default 30 s. */
static unsigned z3_timeout_ms(void)
{
	const char *e = getenv("KCUT_Z3_TIMEOUT_MS");
	long v = e ? atol(e) : 0;

	return v > 0 ? (unsigned)v : 30000;
}

/* MaxSMT: soft "v is user" of weight alpha*loc(v) and soft "u, v on the same side" of weight
 * beta*w; their violated weights sum to exactly the objective. The budget is a hard
 * pseudo-boolean constraint. (A 0/1 linear-program formulation was tried too: much slower.)
 * Returns 1 (not an error) when Z3 hit its time limit; the sides are then untouched. */
static int solve_z3(struct kc_part_result *r, const unsigned char *user_pin, struct kc_err *err)
{
	const struct kc_part_graph *g = r->g;
	const struct kc_part_opts *o = &r->o;
	Z3_config cfg = Z3_mk_config();
	Z3_context c = Z3_mk_context(cfg);
	Z3_optimize opt;
	Z3_params params;
	Z3_ast *k = kc_xcalloc(g->nf ? g->nf : 1, sizeof(Z3_ast));
	Z3_sort bs;
	Z3_symbol grp;
	Z3_lbool res;
	unsigned idx = 0;
	size_t i;
	int rc = 0, any_soft = 0;
	char buf[64];

	Z3_del_config(cfg);
	Z3_set_error_handler(c, z3_quiet);
	opt = Z3_mk_optimize(c);
	Z3_optimize_inc_ref(c, opt);
	params = Z3_mk_params(c);
	Z3_params_inc_ref(c, params);
	Z3_params_set_uint(c, params, Z3_mk_string_symbol(c, "timeout"), z3_timeout_ms());
	Z3_optimize_set_params(c, opt, params);
	bs = Z3_mk_bool_sort(c);
	grp = Z3_mk_string_symbol(c, "cost");
	for (i = 0; i < g->nf; i++) {
		if (r->reason[i] != NO_REASON && r->side[i] == KC_PART_KERNEL)
			k[i] = Z3_mk_true(c);
		else if (user_pin[i])
			k[i] = Z3_mk_false(c);
		else
			k[i] = Z3_mk_const(c, Z3_mk_int_symbol(c, (int)i), bs);
		Z3_inc_ref(c, k[i]);
	}
	for (i = 0; i < g->nf; i++) {
		double w = o->alpha * (double)g->f[i].loc;

		if (w <= 0)
			continue;
		weight_str(buf, sizeof(buf), w);
		idx = Z3_optimize_assert_soft(c, opt, Z3_mk_not(c, k[i]), buf, grp);
		any_soft = 1;
	}
	for (i = 0; i < g->ne; i++) {
		double w = o->beta * g->e[i].weight;
		double wu = o->beta * kc_part_edge_cost(g, o, &g->e[i], KC_PART_USER, KC_PART_KERNEL);

		if (w <= 0)
			continue;
		if (wu == w) {
			weight_str(buf, sizeof(buf), w);
			idx = Z3_optimize_assert_soft(c, opt, Z3_mk_eq(c, k[g->e[i].from], k[g->e[i].to]), buf, grp);
		} else {
			/* a call into a replicable function: "not (caller kernel, callee user)" of weight w
			 * and "not (caller user, callee kernel)" of the replica's cost wu */
			Z3_ast a[2];

			a[0] = Z3_mk_not(c, k[g->e[i].from]);
			a[1] = k[g->e[i].to];
			weight_str(buf, sizeof(buf), w);
			idx = Z3_optimize_assert_soft(c, opt, Z3_mk_or(c, 2, a), buf, grp);
			if (wu > 0) {
				a[0] = k[g->e[i].from];
				a[1] = Z3_mk_not(c, k[g->e[i].to]);
				weight_str(buf, sizeof(buf), wu);
				idx = Z3_optimize_assert_soft(c, opt, Z3_mk_or(c, 2, a), buf, grp);
			}
		}
		any_soft = 1;
	}
	for (i = 0; i < g->nf; i++) {
		double w = o->beta * kc_part_down_weight(g, i);

		if (w <= 0)
			continue;
		weight_str(buf, sizeof(buf), w);
		idx = Z3_optimize_assert_soft(c, opt, k[i], buf, grp); /* register downcalls when user */
		any_soft = 1;
	}
	if ((o->budget >= 0 || o->max_funcs >= 0) && g->nf > 0) {
		int *coef = kc_xmalloc(g->nf * sizeof(int));

		for (i = 0; i < g->nf; i++)
			coef[i] = (int)g->f[i].loc;
		if (o->budget >= 0)
			Z3_optimize_assert(c, opt, Z3_mk_pble(c, (unsigned)g->nf, k, coef, (int)o->budget));
		for (i = 0; i < g->nf; i++)
			coef[i] = 1;
		if (o->max_funcs >= 0)
			Z3_optimize_assert(c, opt, Z3_mk_pble(c, (unsigned)g->nf, k, coef, (int)o->max_funcs));
		free(coef);
	}
	res = Z3_optimize_check(c, opt, 0, NULL);
	if (Z3_get_error_code(c) != Z3_OK) {
		rc = kc_err_set(err, KC_EBUG, "Z3 error: %s", Z3_get_error_msg(c, Z3_get_error_code(c)));
		goto cleanup;
	}
	if (res == Z3_L_FALSE) {
		long hard = 0, nhard = 0;

		for (i = 0; i < g->nf; i++)
			if (r->reason[i] != NO_REASON && r->side[i] == KC_PART_KERNEL) {
				hard += g->f[i].loc;
				nhard++;
			}
		if (o->max_funcs >= 0 && nhard > o->max_funcs)
			rc = kc_err_set(err, KC_ECONFLICT,
					"at most %ld kernel functions cannot be met: the hard constraints and kernel pins "
					"alone need %ld", o->max_funcs, nhard);
		else
			rc = kc_err_set(err, KC_ECONFLICT,
					"budget %ld LOC cannot be met: the hard constraints and kernel pins alone need %ld LOC",
					o->budget, hard);
		goto cleanup;
	}
	if (res != Z3_L_TRUE) {
		rc = 1; /* time limit: the caller falls back */
		goto cleanup;
	}
	{
		Z3_model m = Z3_optimize_get_model(c, opt);

		Z3_model_inc_ref(c, m);
		for (i = 0; i < g->nf; i++) {
			Z3_ast v = NULL;

			if (r->reason[i] != NO_REASON || user_pin[i])
				continue;
			if (Z3_model_eval(c, m, k[i], true, &v) && v)
				r->side[i] = Z3_get_bool_value(c, v) == Z3_L_TRUE ? KC_PART_KERNEL : KC_PART_USER;
		}
		Z3_model_dec_ref(c, m);
	}
	r->objective = 0;
	if (any_soft) {
		Z3_ast up = Z3_optimize_get_upper(c, opt, idx);

		Z3_inc_ref(c, up);
		r->objective = strtod(Z3_get_numeral_decimal_string(c, up, 9), NULL);
		Z3_dec_ref(c, up);
	}
cleanup:
	for (i = 0; i < g->nf; i++)
		if (k[i])
			Z3_dec_ref(c, k[i]);
	free(k);
	Z3_params_dec_ref(c, params);
	Z3_optimize_dec_ref(c, opt);
	Z3_del_context(c);
	return rc;
}

/* Lagrangian relaxation of the budget with max-flow: kernel LOC costs alpha + lambda; bisect
 * lambda. Every lambda gives a lower bound flow(lambda) - lambda*budget on the optimum; every cut
 * within the budget is feasible. Leaves the best feasible assignment in r and sets *lower.
 * Returns KC_ECONFLICT when even the hard closure exceeds the budget. */
static int solve_lagrange(struct kc_part_result *r, const unsigned char *user_pin, double *lower, struct kc_err *err)
{
	const struct kc_part_graph *g = r->g;
	struct kc_part_opts orig = r->o;
	unsigned char *best = kc_xmalloc(g->nf + 1);
	double lo = 0, hi, best_cost = DBL_MAX, total_w = 0;
	long loc;
	size_t i;
	int it, rc = 0;

	for (i = 0; i < g->ne; i++)
		total_w += g->e[i].weight;
	for (i = 0; i < g->nf; i++)
		total_w += kc_part_down_weight(g, i);
	hi = orig.beta * 2 * total_w + orig.alpha + 1; /* at this price no free function is worth a crossing */
	*lower = -DBL_MAX;
	for (it = 0; it < 60; it++) {
		double lambda = it == 0 ? 0 : it == 1 ? hi : (lo + hi) / 2, cost, lb;

		r->o.alpha = orig.alpha + lambda;
		rc = solve_maxflow(r, user_pin, 0, err);
		r->o.alpha = orig.alpha;
		if (rc < 0)
			goto out;
		for (loc = 0, i = 0; i < g->nf; i++)
			loc += r->side[i] ? g->f[i].loc : 0;
		lb = r->objective - lambda * (double)orig.budget;
		if (lb > *lower)
			*lower = lb;
		if (loc <= orig.budget) {
			cost = kc_part_cost(g, &orig, r->side);
			if (cost < best_cost) {
				best_cost = cost;
				memcpy(best, r->side, g->nf);
			}
			if (it > 0)
				hi = lambda;
		} else if (it == 1) {
			long hard = 0;

			for (i = 0; i < g->nf; i++)
				if (r->reason[i] != NO_REASON && r->side[i] == KC_PART_KERNEL)
					hard += g->f[i].loc;
			rc = kc_err_set(err, KC_ECONFLICT,
					"budget %ld LOC cannot be met: the hard constraints and kernel pins alone need %ld LOC",
					orig.budget, hard);
			goto out;
		} else if (it > 1) {
			lo = lambda;
		}
		if (it == 0 && loc <= orig.budget)
			break; /* the unconstrained optimum fits */
		if (it > 1 && hi - lo < 1e-9 * (1 + hi))
			break;
	}
	memcpy(r->side, best, g->nf);
	r->objective = best_cost;
out:
	free(best);
	return rc;
}

/* ---- brute force: the reference model ---- */

static int solve_brute(struct kc_part_result *r, const unsigned char *user_pin, struct kc_err *err)
{
	const struct kc_part_graph *g = r->g;
	int *freev = kc_xmalloc((g->nf ? g->nf : 1) * sizeof(int));
	unsigned char *side = kc_xcalloc(g->nf ? g->nf : 1, 1);
	size_t nfree = 0, i;
	unsigned long mask, best_mask = 0;
	double best = DBL_MAX;
	int rc = 0;

	for (i = 0; i < g->nf; i++) {
		if (r->reason[i] == NO_REASON && !user_pin[i])
			freev[nfree++] = (int)i;
		side[i] = r->reason[i] != NO_REASON && r->side[i] == KC_PART_KERNEL;
	}
	if (nfree > 24) {
		rc = kc_err_set(err, KC_EUNSUPP, "brute force is limited to 24 free functions (%zu here)", nfree);
		goto cleanup;
	}
	for (mask = 0; mask < (1UL << nfree); mask++) {
		long loc = 0, nk = 0;
		double cost;

		for (i = 0; i < nfree; i++)
			side[freev[i]] = (mask >> i) & 1;
		if (r->o.budget >= 0 || r->o.max_funcs >= 0) {
			for (i = 0; i < g->nf; i++) {
				loc += side[i] ? g->f[i].loc : 0;
				nk += side[i];
			}
			if ((r->o.budget >= 0 && loc > r->o.budget) || (r->o.max_funcs >= 0 && nk > r->o.max_funcs))
				continue;
		}
		cost = kc_part_cost(g, &r->o, side);
		if (cost < best - 1e-9 * (best > 1 ? best : 1)) {
			best = cost;
			best_mask = mask;
		}
	}
	if (best == DBL_MAX) {
		rc = kc_err_set(err, KC_ECONFLICT, "the limits (budget %ld LOC, at most %ld kernel functions) cannot be met",
				r->o.budget, r->o.max_funcs);
		goto cleanup;
	}
	for (i = 0; i < nfree; i++)
		r->side[freev[i]] = (best_mask >> i) & 1;
	r->objective = best;
cleanup:
	free(freev);
	free(side);
	return rc;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int kc_part_solve(struct kc_part_result **out, const struct kc_part_graph *g, const struct kc_part_opts *o,
		  struct kc_err *err)
{
	struct kc_part_result *r;
	struct csr c = { 0 };
	int *parent = NULL;
	unsigned char *user_pin = NULL;
	double t0 = now_ms();
	size_t i;
	int rc, solver = o->solver;

	*out = NULL;
	if (!(o->alpha >= 0) || !(o->beta >= 0) || isinf(o->alpha) || isinf(o->beta))
		return kc_err_set(err, KC_EINVAL, "alpha and beta must be finite and >= 0 (got %g, %g)", o->alpha, o->beta);
	if (o->mode == KC_PART_PROPAGATE && (o->budget >= 0 || o->max_funcs >= 0))
		return kc_err_set(err, KC_EINVAL, "--budget and --max-kernel-funcs need --mode mincut");
	if ((o->budget >= 0 || o->max_funcs >= 0) && solver == KC_PART_SOLVER_MAXFLOW)
		return kc_err_set(err, KC_EINVAL, "a LOC budget or function limit is not a cut constraint: "
						  "use --solver z3 or auto");
	if (solver == KC_PART_SOLVER_AUTO)
		solver = o->budget >= 0 || o->max_funcs >= 0 ? KC_PART_SOLVER_Z3 : KC_PART_SOLVER_MAXFLOW;
	igraph_set_error_handler(igraph_error_handler_printignore);
	r = kc_part_result_alloc(g, o);
	csr_build(&c, g);
	parent = kc_xmalloc((g->nf ? g->nf : 1) * sizeof(int));
	user_pin = kc_xcalloc(g->nf ? g->nf : 1, 1);
	rc = hard_constraints(r, &c, parent, user_pin, o, err);
	if (rc < 0)
		goto cleanup;
	if (o->mode == KC_PART_PROPAGATE) {
		propagate(r, &c, parent, user_pin);
		r->st.solver = "propagate";
	} else {
		if (solver == KC_PART_SOLVER_MAXFLOW) {
			rc = solve_maxflow(r, user_pin, o->fault_inject, err);
			r->st.solver = "maxflow";
		} else if (solver == KC_PART_SOLVER_Z3 && o->budget >= 0 && o->max_funcs < 0 &&
			   o->solver == KC_PART_SOLVER_AUTO) {
			/* Budget, automatic: Lagrangian max-flow first; when its bounds meet it is optimal,
			 * otherwise Z3 (with a time limit, falling back to the Lagrangian cut). */
			double lower = 0;
			unsigned char *keep = kc_xmalloc(g->nf + 1);

			rc = solve_lagrange(r, user_pin, &lower, err);
			if (rc == 0 && r->objective - lower <= 1e-6 * (1 + fabs(r->objective))) {
				r->st.solver = "lagrange";
			} else if (rc == 0) {
				double lcost = r->objective;

				memcpy(keep, r->side, g->nf);
				rc = solve_z3(r, user_pin, err);
				r->st.solver = "z3";
				if (rc == 1) {
					memcpy(r->side, keep, g->nf);
					r->objective = lcost;
					snprintf(r->solver_note, sizeof(r->solver_note),
						 "lagrange (Z3 timed out; within %.6g of the optimum)", lcost - lower);
					r->st.solver = r->solver_note;
					rc = 0;
				}
			}
			free(keep);
		} else if (solver == KC_PART_SOLVER_Z3) {
			rc = solve_z3(r, user_pin, err);
			r->st.solver = "z3";
			if (rc == 1)
				rc = kc_err_set(err, KC_EUNSUPP, "Z3 reached its time limit (%u ms, $KCUT_Z3_TIMEOUT_MS)",
						z3_timeout_ms());
		} else {
			rc = solve_brute(r, user_pin, err);
			r->st.solver = "brute";
		}
		if (rc < 0)
			goto cleanup;
	}
	r->st.solve_ms = now_ms() - t0;
	kc_part_result_finish(r);
	if (o->mode == KC_PART_MINCUT) {
		for (i = 0; i < g->nf; i++) {
			struct kc_sb sb = { 0 };

			if (r->reason[i] != NO_REASON)
				continue;
			r->reason[i] = KC_PART_R_CUT;
			kc_sb_addf(&sb, "min-cut (%s, alpha=%g beta=%g): moving it to the %s half would change the cost by %+.6g",
				   r->st.solver, o->alpha, o->beta, r->side[i] ? "user" : "kernel", r->move[i]);
			r->detail[i] = kc_sb_steal(&sb);
		}
	} else {
		r->objective = r->st.cost;
	}
	for (i = 0; r->dp_note && i < g->nf; i++) {
		struct kc_sb sb = { 0 };

		if (!r->dp_note[i] || r->reason[i] == KC_PART_R_PIN)
			continue;
		kc_sb_addf(&sb, "%s; %s", r->detail[i] ? r->detail[i] : "", r->dp_note[i]);
		free(r->detail[i]);
		r->detail[i] = kc_sb_steal(&sb);
	}
	*out = r;
	r = NULL;
cleanup:
	kc_part_result_free(r);
	csr_free(&c);
	free(parent);
	free(user_pin);
	return rc;
}

/* Objective value the solver itself reported (flow value, Z3 optimum, brute-force minimum). */
double kc_part_result_objective(const struct kc_part_result *r)
{
	return r->objective;
}
