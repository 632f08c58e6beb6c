/*
 * replica.c - replicated functions (docs/partitioner.md, "Replicated functions"; the Microdrivers
 * paper's enhancement: "functions that are repeatedly called from both the kernel-mode component
 * and user-mode component can potentially be replicated in both components").
 *
 * kc_part_replica_facts() decides, when the graph is loaded, which driver functions are
 * *replicable*: small (KC_PART_REPLICA_MAX_LOC), not an entry point (not registered, address not
 * taken, not variadic), reading only what its parameters reach (field reads through parameters or
 * locals) and const globals, writing no field or global (nor taking a global's address), taking no
 * lock, allocating nothing, no call through a function pointer, and calling only replicable driver
 * functions and kernel imports both halves serve locally: the register accessors that the
 * templates' 'kernel calls' rules let the user half use under the graph's device-access mode
 * (unless-device-access: readl, writel, inb ... through rt's regions; none under `none`).
 *
 * kc_part_replicate() decides after the solve (under device access forward or mapped; under none
 * nothing is replicated): a replicable kernel-half function that user-half
 * functions call and kernel-half functions call too is *replicated*: its side stays kernel (for
 * the constraints, the stored side and the kernel LOC), and the emitter gives the user half its
 * own copy, which user-half callers call locally instead of through a downcall. Replicable
 * kernel-half functions a replicated one calls are replicated with it (the user half's copy
 * needs them). The cut knows it (kc_part_edge_cost; opts.replicate, on by default, under forward
 * or mapped): a call from the user half into a replicable function costs the copy's register
 * downcalls per call (repl_down), not a crossing.
 */
#include "part_int.h"

#include <stdlib.h>
#include <string.h>

static int sql_fail(struct kc_err *err, sqlite3 *s, const char *what)
{
	return kc_err_set(err, KC_EDB, "%s: %s", what, sqlite3_errmsg(s));
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	return v ? v : "";
}

/* A kernel import both halves serve locally under g's mode: a register accessor the templates let
 * the user half use (a 'kernel calls' rule that does not pin under the mode), not the DMA-coherent
 * allocators and frees the same rules list (an allocation is never replicated). */
static int served_under(const struct kc_part_graph *g, const struct kc_part_templates *t, const char *api,
			unsigned modes)
{
	if (strstr(api, "alloc") || strstr(api, "free"))
		return 0;
	return kc_part_calls_rule(g, t, api, KC_PART_TAG_UNLESS, modes) != NULL;
}

/* What disqualifies a function, one query each: (what, file, line, col) of the first site. */
static const char *const sql_not[] = {
	"SELECT 'is registered with the kernel (' || COALESCE(r.struct_name || '.' || r.field, r.api, r.kind) || "
	"'): an entry point has one copy', fl.path, r.line, r.col FROM registration r "
	"LEFT JOIN file fl ON fl.id = r.file_id WHERE r.func_id = ?1 ORDER BY r.line, r.col LIMIT 1",
	"SELECT 'its address is taken (a function pointer names one copy)', NULL, 0, 0 FROM func "
	"WHERE id = ?1 AND address_taken = 1",
	"SELECT 'is variadic', NULL, 0, 0 FROM func WHERE id = ?1 AND is_variadic = 1",
	"SELECT CASE ga.mode WHEN 'write' THEN 'writes global ' ELSE 'takes the address of global ' END || g.name, "
	"fl.path, ga.line, ga.col FROM global_access ga JOIN global g ON g.id = ga.global_id "
	"LEFT JOIN file fl ON fl.id = ga.file_id WHERE ga.func_id = ?1 AND ga.mode IN ('write', 'addr') "
	"ORDER BY ga.line, ga.col LIMIT 1",
	"SELECT 'reads global ' || g.name || ', which is not const (each half would read its own copy)', fl.path, "
	"ga.line, ga.col FROM global_access ga JOIN global g ON g.id = ga.global_id "
	"LEFT JOIN file fl ON fl.id = ga.file_id WHERE ga.func_id = ?1 AND ga.mode = 'read' AND g.is_const = 0 "
	"ORDER BY ga.line, ga.col LIMIT 1",
	/* (a field's address taken is no write: every callee it can reach is replicable itself or a
	 * register accessor, neither writes the object) */
	"SELECT 'writes ' || fa.struct_name || '.' || fa.field, fl.path, fa.line, fa.col FROM field_access fa "
	"LEFT JOIN file fl ON fl.id = fa.file_id WHERE fa.func_id = ?1 AND fa.mode = 'write' "
	"ORDER BY fa.line, fa.col LIMIT 1",
	"SELECT 'reads ' || fa.struct_name || '.' || fa.field || ' through ' || fa.root_kind || ' ' || "
	"COALESCE(fa.root_name, '?') || ', not a parameter', fl.path, fa.line, fa.col FROM field_access fa "
	"LEFT JOIN file fl ON fl.id = fa.file_id WHERE fa.func_id = ?1 AND fa.root_kind NOT IN ('param', 'local') "
	"ORDER BY fa.line, fa.col LIMIT 1",
	"SELECT 'writes ' || ia.struct_name || '.' || ia.field || ' (in ' || ia.inline_name || ')', fl.path, ia.line, "
	"ia.col FROM inline_access ia LEFT JOIN file fl ON fl.id = ia.file_id "
	"WHERE ia.func_id = ?1 AND ia.mode IN ('write', 'addr') ORDER BY ia.line, ia.col LIMIT 1",
	"SELECT 'takes a lock: ' || l.api || '(' || COALESCE(l.lock_expr, '') || ')', fl.path, l.line, l.col "
	"FROM lock_op l LEFT JOIN file fl ON fl.id = l.file_id WHERE l.func_id = ?1 ORDER BY l.line, l.col LIMIT 1",
	"SELECT 'allocates (' || a.allocator || ')', fl.path, a.line, a.col FROM alloc a "
	"LEFT JOIN file fl ON fl.id = a.file_id WHERE a.func_id = ?1 ORDER BY a.line, a.col LIMIT 1",
	"SELECT 'calls through a function pointer (' || COALESCE(i.expr, '?') || ')', fl.path, i.line, i.col "
	"FROM icall i LEFT JOIN file fl ON fl.id = i.file_id WHERE i.caller_id = ?1 ORDER BY i.line, i.col LIMIT 1",
};

static const char *const sql_calls =
	"SELECT callee.id, callee.name, callee.is_driver AND callee.is_defined, fl.path, c.line, c.col "
	"FROM call c JOIN func callee ON callee.id = c.callee_id LEFT JOIN file fl ON fl.id = c.file_id "
	"WHERE c.caller_id = ?1 AND c.kind = 'direct' ORDER BY c.line, c.col, c.id";

static char *site_text(const char *what, const char *file, int line, int c)
{
	struct kc_sb sb = { 0 };

	if (file && *file)
		kc_sb_addf(&sb, "%s at %s:%d:%d", what, file, line, c);
	else
		kc_sb_add(&sb, what);
	return kc_sb_steal(&sb);
}

struct dep {
	int to;     /* graph index of a driver callee */
	char *site; /* "file:line:col" */
};

/* The local facts of function i: 1 replicable so far (*why what it calls), 0 not (*why the reason).
 * Its driver callees go to deps (the fixpoint decides on them). */
static int local_facts(struct kc_part_graph *g, const struct kc_part_templates *t, sqlite3 *s, int i,
		       sqlite3_stmt **nots, sqlite3_stmt *calls, struct dep **deps, size_t *ndeps, char **why,
		       struct kc_err *err)
{
	struct kc_sb apis = { 0 };
	size_t k;
	int rc;

	*why = NULL;
	for (k = 0; k < KC_ARRAY_SIZE(sql_not); k++) {
		sqlite3_reset(nots[k]);
		sqlite3_bind_int64(nots[k], 1, g->f[i].dbid);
		rc = sqlite3_step(nots[k]);
		if (rc == SQLITE_ROW) {
			*why = site_text(col(nots[k], 0), col(nots[k], 1), sqlite3_column_int(nots[k], 2),
					 sqlite3_column_int(nots[k], 3));
			return 0;
		}
		if (rc != SQLITE_DONE)
			return sql_fail(err, s, "reading replication facts");
	}
	sqlite3_reset(calls);
	sqlite3_bind_int64(calls, 1, g->f[i].dbid);
	while ((rc = sqlite3_step(calls)) == SQLITE_ROW) {
		const char *name = col(calls, 1);
		struct kc_sb site = { 0 };

		kc_sb_addf(&site, "%s:%d:%d", col(calls, 3), sqlite3_column_int(calls, 4), sqlite3_column_int(calls, 5));
		if (sqlite3_column_int(calls, 2)) {
			int v = kc_part_graph_by_dbid(g, sqlite3_column_int64(calls, 0));

			if (v < 0) {
				struct kc_sb sb = { 0 };

				kc_sb_addf(&sb, "calls %s at %s, which is not in this graph", name, site.s);
				*why = kc_sb_steal(&sb);
				kc_sb_free(&site);
				kc_sb_free(&apis);
				return 0;
			}
			*deps = kc_xrealloc(*deps, (*ndeps + 1) * sizeof(**deps));
			(*deps)[*ndeps].to = v;
			(*deps)[(*ndeps)++].site = kc_sb_steal(&site);
			continue;
		}
		if (!served_under(g, t, name, 1u << g->device_access)) {
			struct kc_sb sb = { 0 };

			if (g->device_access == KC_PART_DEV_NONE && served_under(g, t, name, ~0u))
				kc_sb_addf(&sb, "calls %s at %s: under device access none the user half cannot reach "
						"registers", name, site.s);
			else
				kc_sb_addf(&sb, "calls kernel function %s at %s, which only the kernel half serves", name,
					   site.s);
			*why = kc_sb_steal(&sb);
			kc_sb_free(&site);
			kc_sb_free(&apis);
			return 0;
		}
		if (!apis.s || !kc_part_in_list(apis.s, name))
			kc_sb_addf(&apis, "%s%s", apis.s ? "," : "", name);
		kc_sb_free(&site);
	}
	if (rc != SQLITE_DONE) {
		kc_sb_free(&apis);
		return sql_fail(err, s, "reading calls for replication");
	}
	if (g->f[i].loc > KC_PART_REPLICA_MAX_LOC) {
		struct kc_sb sb = { 0 };

		/* last: what else keeps it from replication is the more useful answer */
		kc_sb_addf(&sb, "%ld LOC (replication copies functions of at most %d)", g->f[i].loc,
			   KC_PART_REPLICA_MAX_LOC);
		*why = kc_sb_steal(&sb);
		kc_sb_free(&apis);
		return 0;
	}
	if (apis.s) {
		struct kc_sb sb = { 0 };

		kc_sb_addf(&sb, "pure register accessor (%s through rt's regions, device access %s)", apis.s,
			   kc_part_devaccess_name(g->device_access));
		*why = kc_sb_steal(&sb);
	} else {
		*why = kc_xstrdup("pure function (reads what its parameters reach, calls no kernel function)");
	}
	kc_sb_free(&apis);
	return 1;
}

/* What a call of each replicable function costs the user half when it runs its own copy: the
 * copy's register downcalls per call (dev_weight: reads under forward, port reads under mapped;
 * writes are posted) plus those of the replicable functions it calls, weighted by the call edges
 * (a cycle, which the facts do not exclude, is cut off after nf rounds). */
void kc_part_replica_down(struct kc_part_graph *g)
{
	size_t i;

	g->nrepl = 0;
	for (i = 0; i < g->nf; i++)
		g->nrepl += g->f[i].repl != 0;
	kc_part_replica_down_if(g);
}

void kc_part_replica_down_if(struct kc_part_graph *g)
{
	size_t i, round;
	int changed = 1;

	if (!g->nrepl)
		return; /* (a hand-built graph growing edge by edge: nothing to do per edge) */
	for (i = 0; i < g->nf; i++)
		g->f[i].repl_down = g->f[i].repl ? g->f[i].dev_weight : 0;
	for (round = 0; changed && round < g->nf; round++) {
		changed = 0;
		for (i = 0; i < g->nf; i++) {
			double d;
			size_t k;

			if (!g->f[i].repl)
				continue;
			d = g->f[i].dev_weight;
			for (k = 0; k < g->ne; k++)
				if (g->e[k].from == (int)i && g->f[g->e[k].to].repl)
					d += g->e[k].weight * g->f[g->e[k].to].repl_down;
			if (d != g->f[i].repl_down) {
				g->f[i].repl_down = d;
				changed = 1;
			}
		}
	}
}

int kc_part_replica_facts(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t,
			  struct kc_err *err)
{
	sqlite3_stmt *nots[KC_ARRAY_SIZE(sql_not)] = { 0 }, *calls = NULL;
	struct dep **deps = kc_xcalloc(g->nf + 1, sizeof(*deps));
	size_t *ndeps = kc_xcalloc(g->nf + 1, sizeof(*ndeps));
	size_t i, k;
	int rc = 0, changed;

	for (k = 0; k < KC_ARRAY_SIZE(sql_not); k++)
		if (sqlite3_prepare_v2(s, sql_not[k], -1, &nots[k], NULL) != SQLITE_OK) {
			rc = sql_fail(err, s, "reading replication facts");
			goto cleanup;
		}
	if (sqlite3_prepare_v2(s, sql_calls, -1, &calls, NULL) != SQLITE_OK) {
		rc = sql_fail(err, s, "reading calls for replication");
		goto cleanup;
	}
	for (i = 0; i < g->nf; i++) {
		free(g->f[i].repl_why);
		g->f[i].repl_why = NULL;
		g->f[i].repl = 0;
		if (g->f[i].dbid < 0)
			continue;
		rc = local_facts(g, t, s, (int)i, nots, calls, &deps[i], &ndeps[i], &g->f[i].repl_why, err);
		if (rc < 0)
			goto cleanup;
		g->f[i].repl = rc;
		rc = 0;
	}
	/* a function calling a non-replicable driver function is not replicable (to a fixpoint) */
	do {
		changed = 0;
		for (i = 0; i < g->nf; i++)
			for (k = 0; g->f[i].repl && k < ndeps[i]; k++) {
				const struct kc_part_func *c = &g->f[deps[i][k].to];
				struct kc_sb sb = { 0 };

				if (c->repl)
					continue;
				kc_sb_addf(&sb, "calls %s at %s, which is not replicable", c->name, deps[i][k].site);
				free(g->f[i].repl_why);
				g->f[i].repl_why = kc_sb_steal(&sb);
				g->f[i].repl = 0;
				changed = 1;
			}
	} while (changed);
	/* a replicable function calling replicable ones says so */
	for (i = 0; i < g->nf; i++) {
		struct kc_sb sb = { 0 };

		if (!g->f[i].repl || !ndeps[i])
			continue;
		kc_sb_addf(&sb, "%s; calls replicable", g->f[i].repl_why);
		for (k = 0; k < ndeps[i]; k++)
			if (!k || deps[i][k].to != deps[i][k - 1].to)
				kc_sb_addf(&sb, " %s", g->f[deps[i][k].to].name);
		free(g->f[i].repl_why);
		g->f[i].repl_why = kc_sb_steal(&sb);
	}
	kc_part_replica_down(g);
cleanup:
	for (k = 0; k < KC_ARRAY_SIZE(sql_not); k++)
		sqlite3_finalize(nots[k]);
	sqlite3_finalize(calls);
	for (i = 0; i < g->nf; i++) {
		for (k = 0; k < ndeps[i]; k++)
			free(deps[i][k].site);
		free(deps[i]);
	}
	free(deps);
	free(ndeps);
	return rc;
}

void kc_part_graph_set_replicable(struct kc_part_graph *g, int func, int replicable, const char *why)
{
	free(g->f[func].repl_why);
	g->f[func].repl = replicable != 0;
	g->f[func].repl_why = why ? kc_xstrdup(why) : NULL;
	kc_part_replica_down(g);
}

int kc_part_graph_replicable(const struct kc_part_graph *g, int func, const char **why)
{
	if (why)
		*why = g->f[func].repl_why;
	return g->f[func].repl;
}

/* Does a function on side `side` (or a replicated one, when side is the user half) call v? */
static int called_from(const struct kc_part_graph *g, const struct kc_part_result *r, int v, int side)
{
	size_t i;

	for (i = 0; i < g->ne; i++) {
		int a = g->e[i].from;

		if (g->e[i].to != v || a == v)
			continue;
		if (r->side[a] == side || (side == KC_PART_USER && r->replica && r->replica[a]))
			return 1;
	}
	return 0;
}

void kc_part_replicate(struct kc_part_result *r, int enable)
{
	const struct kc_part_graph *g = r->g;
	size_t i;
	int changed;

	free(r->replica);
	r->replica = NULL;
	r->replicate = enable != 0;
	if (!enable)
		return;
	r->replica = kc_xcalloc(r->n + 1, 1);
	/* Under none not even a pure helper: the splits made with none (the Linux guest's) were not
	 * run with replicas, and their register accessors cannot be replicated anyway. */
	if (g->device_access == KC_PART_DEV_NONE)
		return;
	for (i = 0; i < r->n; i++)
		r->replica[i] = r->side[i] == KC_PART_KERNEL && g->f[i].repl &&
				called_from(g, r, (int)i, KC_PART_USER) && called_from(g, r, (int)i, KC_PART_KERNEL);
	/* what a replicated function calls runs in the user half too (replicable by construction) */
	do {
		changed = 0;
		for (i = 0; i < g->ne; i++) {
			int a = g->e[i].from, b = g->e[i].to;

			if (r->replica[a] && !r->replica[b] && r->side[b] == KC_PART_KERNEL && g->f[b].repl)
				r->replica[b] = changed = 1;
		}
	} while (changed);
}

int kc_part_result_replicated(const struct kc_part_result *r, int func)
{
	return r->replica && r->replica[func];
}

/* Call edges from user-half functions to replicated ones (they no longer cross), and their weight. */
static size_t saved_edges(const struct kc_part_graph *g, const struct kc_part_result *r, double *w)
{
	size_t i, n = 0;

	*w = 0;
	for (i = 0; r->replica && i < g->ne; i++)
		if (r->side[g->e[i].from] == KC_PART_USER && r->replica[g->e[i].to]) {
			n++;
			*w += g->e[i].weight;
		}
	return n;
}

void kc_part_replica_why(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r, int v)
{
	const struct kc_part_func *f = &g->f[v];
	size_t i, n = 0;

	if (kc_part_result_replicated(r, v)) {
		kc_sb_addf(out, "  - replicated: called from both halves, %s; the user half runs its own copy "
				"(no crossing from user-half callers:", f->repl_why ? f->repl_why : "replicable");
		for (i = 0; i < g->ne; i++)
			if (g->e[i].to == v && r->side[g->e[i].from] == KC_PART_USER && n++ < 8)
				kc_sb_addf(out, " %s", g->f[g->e[i].from].name);
		kc_sb_addf(out, "%s); its LOC count in the kernel half\n", n ? "" : " none: needed by a replicated caller");
		return;
	}
	if (r->side[v] != KC_PART_KERNEL || !called_from(g, r, v, KC_PART_USER))
		return;
	/* a kernel function the user half calls: why each call is a downcall */
	if (!r->replicate)
		kc_sb_add(out, "  - not replicated: replication is off (--no-replicate)\n");
	else if (g->device_access == KC_PART_DEV_NONE)
		kc_sb_addf(out, "  - not replicated: device access none (replication needs forward or mapped)%s%s\n",
			   f->repl ? "; it would be: " : "", f->repl ? f->repl_why : "");
	else if (!f->repl)
		kc_sb_addf(out, "  - not replicated: %s\n", f->repl_why ? f->repl_why : "no replication facts");
	else
		kc_sb_addf(out, "  - not replicated: %s, but no kernel-half function calls it\n", f->repl_why);
}

void kc_part_replica_summary(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r)
{
	size_t i, n = 0, e;
	long loc = 0;
	double w;

	if (!r->replicate) {
		kc_sb_add(out, "  replicated: off (--no-replicate)\n");
		return;
	}
	for (i = 0; r->replica && i < r->n; i++)
		if (r->replica[i]) {
			n++;
			loc += g->f[i].loc;
		}
	if (!n)
		return;
	e = saved_edges(g, r, &w);
	kc_sb_addf(out, "  replicated in both halves (counted in the kernel LOC): %zu functions, %ld LOC:", n, loc);
	for (i = 0; i < r->n; i++)
		if (r->replica[i])
			kc_sb_addf(out, " %s", g->f[i].name);
	kc_sb_addf(out, "\n  user-half calls of them run locally: %zu crossing edge%s, weight %g, no longer cross\n", e,
		   e == 1 ? "" : "s", w);
}
