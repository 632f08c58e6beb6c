/*
 * graph.c - the driver call graph the partitioner works on, built from the analyzer's database
 * (or by hand in tests and benchmarks).
 *
 * Nodes are the functions the driver defines (func.is_driver = 1 and is_defined = 1). Call sites
 * between two of them are aggregated into one edge per (caller, callee) pair whose weight is the
 * static estimate sum(count * trips / targets of the site), trips from the enclosing loops' trip
 * estimates (load_loops), or, with a profile, the
 * measured call count (an edge the profile never observed keeps its static estimate or weighs 0,
 * enum kc_part_profile_unseen). The roots come from the templates of the detected (or
 * requested) family plus the generic family.
 */
#include "part_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct kc_part_graph *kc_part_graph_new(void)
{
	struct kc_part_graph *g = kc_xcalloc(1, sizeof(struct kc_part_graph));

	g->device_access = KC_PART_DEV_DEFAULT;
	return g;
}

void kc_part_graph_free(struct kc_part_graph *g)
{
	size_t i, j;

	if (!g)
		return;
	for (i = 0; i < g->nf; i++) {
		free(g->f[i].name);
		free(g->f[i].file);
		free(g->f[i].root_rule);
		free(g->f[i].kernel_rule);
		free(g->f[i].dev_detail);
		free(g->f[i].imp_detail);
		free(g->f[i].post_detail);
		for (j = 0; j < g->f[i].nlocks; j++) {
			free(g->f[i].locks[j]);
			free(g->f[i].lock_sites[j]);
		}
		free(g->f[i].locks);
		free(g->f[i].lock_sites);
		for (j = 0; j < g->f[i].nfa; j++) {
			free(g->f[i].fa[j].key);
			free(g->f[i].fa[j].site);
		}
		free(g->f[i].fa);
		free(g->f[i].entry_what);
		free(g->f[i].irq_site);
		free(g->f[i].repl_why);
	}
	for (i = 0; i < g->ne; i++) {
		free(g->e[i].lock_site);
		free(g->e[i].locks);
	}
	free(g->f);
	free(g->e);
	for (i = 0; i < g->nloops; i++)
		free(g->loops[i].path);
	free(g->loops);
	free(g->exits);
	free(g->family);
	free(g->family_why);
	free(g->dp_rule);
	free(g);
}

void kc_part_graph_clear_kernel_rules(struct kc_part_graph *g)
{
	size_t i;

	for (i = 0; i < g->nf; i++) {
		free(g->f[i].kernel_rule);
		g->f[i].kernel_rule = NULL;
	}
	free(g->dp_rule); /* the data-path state rule is a 'kernel' rule too */
	g->dp_rule = NULL;
}

int kc_part_graph_add_func(struct kc_part_graph *g, const char *name, long loc)
{
	struct kc_part_func *f;

	if (g->nf == g->capf) {
		g->capf = g->capf ? 2 * g->capf : 64;
		g->f = kc_xrealloc(g->f, g->capf * sizeof(*g->f));
	}
	f = &g->f[g->nf];
	memset(f, 0, sizeof(*f));
	f->name = kc_xstrdup(name);
	f->loc = loc;
	f->dbid = -1;
	return (int)g->nf++;
}

static struct kc_part_edge *new_edge(struct kc_part_graph *g)
{
	struct kc_part_edge *e;

	if (g->ne == g->cape) {
		g->cape = g->cape ? 2 * g->cape : 64;
		g->e = kc_xrealloc(g->e, g->cape * sizeof(*g->e));
	}
	e = &g->e[g->ne++];
	memset(e, 0, sizeof(*e));
	return e;
}

void kc_part_graph_add_call(struct kc_part_graph *g, int caller, int callee, double weight, int spin_held)
{
	struct kc_part_edge *e = new_edge(g);

	KC_ASSERT(caller >= 0 && (size_t)caller < g->nf && callee >= 0 && (size_t)callee < g->nf);
	e->from = caller;
	e->to = callee;
	e->weight = weight;
	e->spin = spin_held;
	kc_part_replica_down_if(g);
}

void kc_part_graph_add_call_locked(struct kc_part_graph *g, int caller, int callee, double weight, const char *locks,
				   const char *site)
{
	struct kc_part_edge *e;

	kc_part_graph_add_call(g, caller, callee, weight, 1);
	e = &g->e[g->ne - 1];
	e->locks = kc_xstrdup(locks);
	e->lock_site = kc_xstrdup(site);
}

void kc_part_graph_add_root(struct kc_part_graph *g, int func, int atomic, const char *rule)
{
	struct kc_part_func *f = &g->f[func];

	if (f->root_rule) {
		/* Keep the first rule; an atomic rule wins over a process one. */
		if (!atomic || f->root_atomic)
			return;
		free(f->root_rule);
	}
	f->root_rule = kc_xstrdup(rule);
	f->root_atomic = atomic != 0;
	f->root_irq = atomic == KC_PART_ROOT_IRQ; /* an interrupt handler (locks.c) */
}

static const char *const devaccess_names[] = { "none", "forward", "mapped" };

const char *kc_part_devaccess_name(int mode)
{
	return mode >= 0 && (size_t)mode < KC_ARRAY_SIZE(devaccess_names) ? devaccess_names[mode] : NULL;
}

int kc_part_devaccess_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < KC_ARRAY_SIZE(devaccess_names); i++)
		if (!strcmp(name, devaccess_names[i]))
			return (int)i;
	return -1;
}

void kc_part_graph_set_device_access(struct kc_part_graph *g, int mode)
{
	KC_ASSERT(kc_part_devaccess_name(mode) != NULL);
	g->device_access = mode;
}

int kc_part_graph_device_access(const struct kc_part_graph *g) { return g->device_access; }

void kc_part_graph_set_dev_weight(struct kc_part_graph *g, int func, double weight, const char *detail)
{
	KC_ASSERT(func >= 0 && (size_t)func < g->nf && weight >= 0);
	g->f[func].dev_weight = weight;
	free(g->f[func].dev_detail);
	g->f[func].dev_detail = detail ? kc_xstrdup(detail) : NULL;
	kc_part_replica_down_if(g);
}

double kc_part_graph_dev_weight(const struct kc_part_graph *g, int i, const char **detail)
{
	if (detail)
		*detail = g->f[i].dev_detail;
	return g->f[i].dev_weight;
}

void kc_part_graph_set_imp_weight(struct kc_part_graph *g, int func, double weight, const char *detail)
{
	KC_ASSERT(func >= 0 && (size_t)func < g->nf && weight >= 0);
	g->f[func].imp_weight = weight;
	free(g->f[func].imp_detail);
	g->f[func].imp_detail = detail ? kc_xstrdup(detail) : NULL;
}

double kc_part_graph_imp_weight(const struct kc_part_graph *g, int i, const char **detail)
{
	if (detail)
		*detail = g->f[i].imp_detail;
	return g->f[i].imp_weight;
}

void kc_part_graph_add_lock(struct kc_part_graph *g, int func, const char *lock, const char *site)
{
	struct kc_part_func *f = &g->f[func];
	size_t j;

	for (j = 0; j < f->nlocks; j++)
		if (!strcmp(f->locks[j], lock))
			return; /* the first site is kept */
	f->locks = kc_xrealloc(f->locks, (f->nlocks + 1) * sizeof(char *));
	f->lock_sites = kc_xrealloc(f->lock_sites, (f->nlocks + 1) * sizeof(char *));
	f->locks[f->nlocks] = kc_xstrdup(lock);
	f->lock_sites[f->nlocks] = kc_xstrdup(site ? site : lock);
	f->nlocks++;
}

size_t kc_part_graph_nfuncs(const struct kc_part_graph *g) { return g->nf; }
size_t kc_part_graph_nedges(const struct kc_part_graph *g) { return g->ne; }
const char *kc_part_graph_name(const struct kc_part_graph *g, int i) { return g->f[i].name; }
long kc_part_graph_loc(const struct kc_part_graph *g, int i) { return g->f[i].loc; }
const char *kc_part_graph_family(const struct kc_part_graph *g) { return g->family ? g->family : "generic"; }
const char *kc_part_graph_family_why(const struct kc_part_graph *g) { return g->family_why ? g->family_why : ""; }
double kc_part_graph_duration(const struct kc_part_graph *g) { return g->duration_s; }

int kc_part_graph_find(const struct kc_part_graph *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nf; i++)
		if (!strcmp(g->f[i].name, name))
			return (int)i;
	return -1;
}

void kc_part_graph_pos(const struct kc_part_graph *g, int i, const char **file, int *line, int *col)
{
	*file = g->f[i].file;
	*line = g->f[i].line;
	*col = g->f[i].col;
}

const char *kc_part_graph_root_rule(const struct kc_part_graph *g, int i, int *atomic)
{
	if (atomic)
		*atomic = g->f[i].root_atomic;
	return g->f[i].root_rule;
}

int kc_part_graph_edge(const struct kc_part_graph *g, size_t i, int *caller, int *callee, double *weight)
{
	if (i >= g->ne)
		return -1;
	*caller = g->e[i].from;
	*callee = g->e[i].to;
	*weight = g->e[i].weight;
	return 0;
}

/* ---- loading from the database ---- */

static const char *col_text(sqlite3_stmt *st, int c)
{
	return (const char *)sqlite3_column_text(st, c);
}

static int db_fail(struct kc_err *err, sqlite3 *s, const char *what)
{
	return kc_err_set(err, KC_EDB, "%s: %s", what, sqlite3_errmsg(s));
}

/* Index of the function with database id `id`, by binary search (nodes are loaded ORDER BY id). */
int kc_part_graph_by_dbid(const struct kc_part_graph *g, long long id)
{
	size_t lo = 0, hi = g->nf;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (g->f[mid].dbid == id)
			return (int)mid;
		if (g->f[mid].dbid < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The driver-defined functions; with module, only those whose defining TU has tu.module = module. */
static int load_funcs(struct kc_part_graph *g, sqlite3 *s, const char *module, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s, module ?
		"SELECT f.id, f.name, f.loc, file.path, f.line, f.col FROM tu JOIN func f ON f.tu_id = tu.id "
		"LEFT JOIN file ON file.id = f.file_id "
		"WHERE tu.module = ?1 AND f.is_driver = 1 AND f.is_defined = 1 ORDER BY f.id" :
		"SELECT f.id, f.name, f.loc, file.path, f.line, f.col FROM func f "
		"LEFT JOIN file ON file.id = f.file_id WHERE f.is_driver = 1 AND f.is_defined = 1 ORDER BY f.id",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(err, s, "reading functions");
	if (module)
		sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i = kc_part_graph_add_func(g, col_text(st, 1), sqlite3_column_int64(st, 2));

		g->f[i].dbid = sqlite3_column_int64(st, 0);
		if (col_text(st, 3))
			g->f[i].file = kc_xstrdup(col_text(st, 3));
		g->f[i].line = sqlite3_column_int(st, 4);
		g->f[i].col = sqlite3_column_int(st, 5);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(err, s, "reading functions");
	return 0;
}

static int pos_le(int l1, int c1, int l2, int c2)
{
	return l1 < l2 || (l1 == l2 && c1 <= c2);
}

static int loop_has(const struct kc_part_loop *l, long long file, int line, int col)
{
	return l->file == file && pos_le(l->line, l->col, line, col) && pos_le(line, col, l->end_line, l->end_col);
}

/* The index of the first loop of function dbid in g->loops (sorted by function), or g->nloops. */
static size_t first_loop(const struct kc_part_graph *g, long long dbid)
{
	size_t lo = 0, hi = g->nloops;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (g->loops[mid].func < dbid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Kernel functions that wait: a loop calling one directly is a wait loop. */
static const char *const delay_fns[] = {
	"msleep", "msleep_interruptible", "ssleep", "usleep_range", "usleep_range_state", "fsleep", "udelay",
	"ndelay", "mdelay", "__udelay", "__ndelay", "__const_udelay", "schedule", "schedule_timeout",
	"schedule_timeout_interruptible", "schedule_timeout_uninterruptible", "schedule_timeout_killable",
	"schedule_timeout_idle", "cpu_relax", "yield", "cond_resched",
};

/* Trip estimates of the loop classes (docs/partitioner.md, "Loop trip counts": the calibration
 * against the kernel model's measured counts). Counted, ring and search loops take their bound. */
static const double class_trips[] = {
	[KC_PART_LOOP_ONCE] = 1,
	[KC_PART_LOOP_WAIT] = KC_PART_LOOP_WAIT_TRIPS,
	[KC_PART_LOOP_POLL] = KC_PART_LOOP_POLL_TRIPS,
	[KC_PART_LOOP_OTHER] = KC_PART_LOOP_DEFAULT,
};

const char *kc_part_loop_class_name(enum kc_part_loop_class c)
{
	static const char *const n[] = { "once", "wait", "poll", "counted", "ring", "search", "other" };

	return (unsigned)c < KC_ARRAY_SIZE(n) ? n[c] : NULL;
}

/* What a kernel call is for the loop classes: 1 a register/port read (a 'kernel calls' rule of
 * generic (the family is not known yet) with downcall-under for any mode), 2 what another
 * 'kernel calls' rule lists (a register write, a DMA-coherent allocation), 3 a delay, 0 else. */
static int kcall_kind(const struct kc_part_graph *g, const struct kc_part_templates *t, const char *name,
		      const char *macro)
{
	size_t k;

	for (k = 0; k < KC_ARRAY_SIZE(delay_fns); k++)
		if (!strcmp(name, delay_fns[k]))
			return 3;
	if (kc_part_calls_rule(g, t, name, KC_PART_TAG_DOWNCALL, ~0u) ||
	    (*macro && kc_part_calls_rule(g, t, macro, KC_PART_TAG_DOWNCALL, ~0u)))
		return 1;
	if (kc_part_calls_rule(g, t, name, KC_PART_TAG_UNLESS, ~0u) ||
	    (*macro && kc_part_calls_rule(g, t, macro, KC_PART_TAG_UNLESS, ~0u)))
		return 2;
	return 0;
}

/* What each loop calls directly (sites in it, not in a loop nested in it; a do { } while (0) is
 * part of the loop around it): a delay function (waits); a register/port read or a driver
 * function whose only device access is reading registers and that calls no other driver function
 * (simsnd_read: reads); a register write, a DMA-coherent allocation or a driver function that
 * reads no register at all, itself or through the driver functions it calls (work: the loop does
 * more than wait for the device, e.g. an interrupt test writing each cause bit, a loopback test
 * checking each frame). A driver function reading registers through others (e1000_read_phy_reg)
 * is neither: a wait loop may call it, a poll loop needs a read of its own. */
static int loop_calls(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	/* per graph function: bit 1 it reads a register, bit 2 it calls a driver function, a delay or
	 * what another 'kernel calls' rule lists, bit 4 it reads a register itself or through the
	 * driver functions it calls */
	unsigned char *acc = kc_xcalloc(g->nf + 1, 1);
	int *from = NULL, *to = NULL;
	size_t ne = 0, cap = 0, i;
	int rc, changed;

	rc = sqlite3_prepare_v2(s,
		"SELECT c.caller_id, b.name, COALESCE(c.macro, ''), b.is_driver AND b.is_defined, c.callee_id "
		"FROM call c JOIN func b ON b.id = c.callee_id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int u = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 0)), v, kind;

		if (u < 0)
			continue;
		if (sqlite3_column_int(st, 3)) {
			v = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 4));
			if (v < 0 || v == u)
				continue;
			if (ne == cap) {
				cap = cap ? 2 * cap : 256;
				from = kc_xrealloc(from, cap * sizeof(*from));
				to = kc_xrealloc(to, cap * sizeof(*to));
			}
			from[ne] = u;
			to[ne++] = v;
			acc[u] |= 2;
			continue;
		}
		kind = kcall_kind(g, t, col_text(st, 1), col_text(st, 2));
		acc[u] |= kind == 1 ? 1 | 4 : kind == 0 ? 0 : 2;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;
	do { /* bit 4 through the driver functions called */
		changed = 0;
		for (i = 0; i < ne; i++)
			if ((acc[to[i]] & 4) && !(acc[from[i]] & 4)) {
				acc[from[i]] |= 4;
				changed = 1;
			}
	} while (changed);
	rc = sqlite3_prepare_v2(s,
		"SELECT c.caller_id, c.file_id, c.line, c.col, b.name, COALESCE(c.macro, ''), b.is_driver AND "
		"b.is_defined, c.callee_id FROM call c JOIN func b ON b.id = c.callee_id WHERE c.loop_depth > 0",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long f = sqlite3_column_int64(st, 0), file = sqlite3_column_int64(st, 1);
		int line = sqlite3_column_int(st, 2), col = sqlite3_column_int(st, 3), kind;
		struct kc_part_loop *in = NULL;

		for (i = first_loop(g, f); i < g->nloops && g->loops[i].func == f; i++)
			if (!g->loops[i].once && loop_has(&g->loops[i], file, line, col) &&
			    (!in || g->loops[i].depth > in->depth))
				in = &g->loops[i];
		if (!in)
			continue;
		if (sqlite3_column_int(st, 6)) {
			int v = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 7));

			kind = v < 0 ? 2 : (acc[v] & 3) == 1 ? 1 : (acc[v] & 4) ? 4 : 2;
		} else {
			kind = kcall_kind(g, t, col_text(st, 4), col_text(st, 5));
		}
		in->reads |= kind == 1;
		in->work |= kind == 2;
		in->waits |= kind == 3;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto cleanup;
fail:
	rc = db_fail(err, s, "reading loop calls");
cleanup:
	free(acc);
	free(from);
	free(to);
	return rc;
}

/* The loop exits of the graph's functions (analyzer table loop_exit; a database made before it
 * has none: every site in a loop runs once per trip), sorted by function. */
static int load_exits(struct kc_part_graph *g, sqlite3 *s, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, have = 0;

	rc = sqlite3_prepare_v2(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'loop_exit'",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(err, s, "reading loop exits");
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!have)
		return 0;
	rc = sqlite3_prepare_v2(s, "SELECT func_id, file_id, line, col, end_line, end_col, leaves FROM loop_exit "
				   "ORDER BY func_id, id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(err, s, "reading loop exits");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kc_part_exit *x;

		if (kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 0)) < 0)
			continue;
		if (g->nexits == cap) {
			cap = cap ? 2 * cap : 64;
			g->exits = kc_xrealloc(g->exits, cap * sizeof(*g->exits));
		}
		x = &g->exits[g->nexits++];
		x->func = sqlite3_column_int64(st, 0);
		x->file = sqlite3_column_int64(st, 1);
		x->line = sqlite3_column_int(st, 2);
		x->col = sqlite3_column_int(st, 3);
		x->end_line = sqlite3_column_int(st, 4);
		x->end_col = sqlite3_column_int(st, 5);
		x->leaves = sqlite3_column_int(st, 6);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(err, s, "reading loop exits");
}

/* The loop facts of the graph's functions (analyzer table loop), each with its class and trip
 * estimate (enum kc_part_loop_class):
 *   once                      1
 *   wait, poll                KC_PART_LOOP_WAIT_TRIPS, KC_PART_LOOP_POLL_TRIPS (measured: they end
 *                             on the device's or another thread's condition, not on their bound)
 *   counted, search           its constant trip count (a search loop's break or return, measured,
 *                             is its error path: it ran its bound)
 *   ring (i < ring->count)    the largest constant any driver function stores into the field
 *                             (field_const: ring->count = RING_DEFAULT); with a break or return too
 *   other                     KC_PART_LOOP_DEFAULT
 * Sorted by function. A database without the tables (made before them, opened read-only) leaves
 * g->have_loops 0. */
static int load_loops(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, have = 0;
	size_t cap = 0, i;

	rc = sqlite3_prepare_v2(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
				   "('loop', 'field_const')", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(err, s, "reading loops");
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0) == 2;
	sqlite3_finalize(st);
	if (!have)
		return 0;
	g->have_loops = 1;
	rc = sqlite3_prepare_v2(s,
		"SELECT l.func_id, l.file_id, l.line, l.col, l.end_line, l.end_col, l.kind, l.bound_kind, l.trips, "
		"l.early_exit, (SELECT MAX(fc.value) FROM field_const fc WHERE fc.struct_name = l.bound_struct "
		"AND fc.field = l.bound_field), l.depth, (SELECT path FROM file WHERE id = l.file_id) "
		"FROM loop l ORDER BY l.func_id, l.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(err, s, "reading loops");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kc_part_loop *l;
		const char *bk = col_text(st, 7);

		if (kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 0)) < 0)
			continue;
		if (g->nloops == cap) {
			cap = cap ? 2 * cap : 64;
			g->loops = kc_xrealloc(g->loops, cap * sizeof(*g->loops));
		}
		l = &g->loops[g->nloops++];
		memset(l, 0, sizeof(*l));
		l->func = sqlite3_column_int64(st, 0);
		l->file = sqlite3_column_int64(st, 1);
		l->line = sqlite3_column_int(st, 2);
		l->col = sqlite3_column_int(st, 3);
		l->end_line = sqlite3_column_int(st, 4);
		l->end_col = sqlite3_column_int(st, 5);
		l->once = !strcmp(col_text(st, 6), "once");
		l->early = sqlite3_column_int(st, 9) != 0;
		/* it ends on a condition: a break or return, a while/do condition, no bound at all */
		l->cond = l->early || !strcmp(col_text(st, 6), "while") || !strcmp(col_text(st, 6), "do") ||
			  !strcmp(bk, "none");
		l->depth = sqlite3_column_int(st, 11);
		l->path = col_text(st, 12) ? kc_xstrdup(col_text(st, 12)) : NULL;
		if (!strcmp(bk, "const"))
			l->bound = (double)sqlite3_column_int64(st, 8);
		else if (!strcmp(bk, "field") && sqlite3_column_type(st, 10) != SQLITE_NULL)
			l->bound = (double)sqlite3_column_int64(st, 10);
		if (!strcmp(bk, "field") && l->bound > 0)
			l->cls = KC_PART_LOOP_RING;
		else if (l->bound > 0)
			l->cls = KC_PART_LOOP_COUNTED;
		else
			l->cls = KC_PART_LOOP_OTHER;
		if (l->bound < 1 && (!strcmp(bk, "const") || l->cls == KC_PART_LOOP_RING))
			l->bound = 1; /* a loop that never runs: its sites are still there (an estimate, not 0) */
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(err, s, "reading loops");
	rc = loop_calls(g, s, t, err);
	if (rc == 0)
		rc = load_exits(g, s, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < g->nloops; i++) {
		struct kc_part_loop *l = &g->loops[i];

		if (l->once)
			l->cls = KC_PART_LOOP_ONCE;
		else if (l->waits && l->cond && !l->work)
			l->cls = KC_PART_LOOP_WAIT;
		else if (l->reads && l->cond && !l->work)
			l->cls = KC_PART_LOOP_POLL;
		else if (l->early && l->cls != KC_PART_LOOP_OTHER)
			l->cls = KC_PART_LOOP_SEARCH;
		if (l->cls == KC_PART_LOOP_COUNTED || l->cls == KC_PART_LOOP_RING || l->cls == KC_PART_LOOP_SEARCH)
			l->trips = l->bound; /* search: measured, they run their bound (the early end is the error) */
		else
			l->trips = class_trips[l->cls];
		if ((l->cls == KC_PART_LOOP_WAIT || l->cls == KC_PART_LOOP_POLL) && l->bound > 0 && l->bound < l->trips)
			l->trips = l->bound; /* a poll of at most 3 reads */
	}
	return 0;
}

size_t kc_part_graph_nloops(const struct kc_part_graph *g)
{
	return g->nloops;
}

int kc_part_graph_loop(const struct kc_part_graph *g, size_t i, struct kc_part_loop_info *out)
{
	const struct kc_part_loop *l;

	if (i >= g->nloops)
		return -1;
	l = &g->loops[i];
	out->func = g->f[kc_part_graph_by_dbid(g, l->func)].name;
	out->file = l->path;
	out->line = l->line;
	out->col = l->col;
	out->depth = l->depth;
	out->cls = l->cls;
	out->bound = l->bound;
	out->trips = l->trips;
	return 0;
}

/* Does an exit branch of function dbid that loop l contains and leaves contain the site? */
static int exits_loop(const struct kc_part_graph *g, const struct kc_part_loop *l, long long file, int line, int col)
{
	size_t lo = 0, hi = g->nexits, i;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (g->exits[mid].func < l->func)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < g->nexits && g->exits[i].func == l->func; i++) {
		const struct kc_part_exit *x = &g->exits[i];

		if (x->leaves <= l->depth && x->file == file && x->file == l->file &&
		    pos_le(x->line, x->col, line, col) && pos_le(line, col, x->end_line, x->end_col) &&
		    pos_le(l->line, l->col, x->line, x->col) && pos_le(x->end_line, x->end_col, l->end_line, l->end_col))
			return 1;
	}
	return 0;
}

double kc_part_site_trips(const struct kc_part_graph *g, long long dbid, long long file, int line, int col,
			  int loop_depth)
{
	size_t i;
	double w = 1;
	int found = 0;

	if (loop_depth < 0)
		loop_depth = 0;
	if (g->have_loops)
		for (i = first_loop(g, dbid); i < g->nloops && g->loops[i].func == dbid && found < loop_depth; i++)
			if (loop_has(&g->loops[i], file, line, col)) {
				/* a site on a branch that leaves the loop runs once per run of it */
				if (!exits_loop(g, &g->loops[i], file, line, col))
					w *= g->loops[i].trips;
				found++;
			}
	for (; found < loop_depth; found++)
		w *= KC_PART_LOOP_DEFAULT;
	return w > 1e6 ? 1e6 : w;
}

/* Static edges: one per (caller, callee), weight sum(count * trips / k) where trips is how often the
 * site runs per call of the caller (kc_part_site_trips: the enclosing loops' trip estimates) and k
 * the number of possible targets of an indirect site (1 for direct calls). */
static int load_calls(struct kc_part_graph *g, sqlite3 *s, const char *module, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	struct kc_part_edge *cur = NULL;
	int rc;

	/* with module: only the calls of that module's functions (all of a caller's sites are kept,
	 * so the per-site target counts are the same as in a database of that module alone) */
	rc = sqlite3_prepare_v2(s, module ?
		"SELECT c.caller_id, c.callee_id, c.count, c.loop_depth, c.spin_held, c.locks_held, "
		"file.path, c.line, c.col, CASE WHEN c.kind = 'indirect' THEN "
		"COUNT(*) OVER (PARTITION BY c.caller_id, c.file_id, c.line, c.col, c.kind) ELSE 1 END, c.file_id "
		"FROM tu JOIN func cf ON cf.tu_id = tu.id JOIN call c ON c.caller_id = cf.id "
		"LEFT JOIN file ON file.id = c.file_id WHERE tu.module = ?1 "
		"ORDER BY c.caller_id, c.callee_id, c.id" :
		"SELECT c.caller_id, c.callee_id, c.count, c.loop_depth, c.spin_held, c.locks_held, "
		"file.path, c.line, c.col, CASE WHEN c.kind = 'indirect' THEN "
		"COUNT(*) OVER (PARTITION BY c.caller_id, c.file_id, c.line, c.col, c.kind) ELSE 1 END, c.file_id "
		"FROM call c LEFT JOIN file ON file.id = c.file_id "
		"ORDER BY c.caller_id, c.callee_id, c.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(err, s, "reading calls");
	if (module)
		sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int u = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 0));
		int v = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 1));
		int depth = sqlite3_column_int(st, 3);
		double w;

		if (u < 0 || v < 0 || u == v)
			continue; /* kernel imports and self-recursion never cross the cut */
		if (!cur || cur->from != u || cur->to != v) {
			cur = new_edge(g);
			cur->from = u;
			cur->to = v;
		}
		/* An indirect site with k possible targets calls each of them 1/k of the time. */
		w = (double)sqlite3_column_int64(st, 2) *
		    kc_part_site_trips(g, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 10),
				       sqlite3_column_int(st, 7), sqlite3_column_int(st, 8), depth) /
		    (double)(sqlite3_column_int(st, 9) > 0 ? sqlite3_column_int(st, 9) : 1);
		cur->weight += w;
		if (sqlite3_column_int(st, 4) && !cur->spin) {
			struct kc_sb sb = { 0 };

			cur->spin = 1;
			kc_sb_addf(&sb, "%s:%d:%d", col_text(st, 6) ? col_text(st, 6) : "?",
				   sqlite3_column_int(st, 7), sqlite3_column_int(st, 8));
			cur->lock_site = kc_sb_steal(&sb);
			if (col_text(st, 5) && *col_text(st, 5))
				cur->locks = kc_xstrdup(col_text(st, 5));
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(err, s, "reading calls");
	return 0;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct kc_part_edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

/* With a profile: every edge the profile observed weighs its measured count; an edge it never
 * observed keeps its static estimate (unseen KC_PART_UNSEEN_STATIC: a split run's crossing trace
 * sees only the edges that crossed) or weighs 0 (KC_PART_UNSEEN_ZERO: a profile of the unsplit
 * driver saw every call the workload made). Observed edges the static graph lacks (missed indirect
 * calls) are added. */
static int load_profile(struct kc_part_graph *g, sqlite3 *s, const char *profile, int unseen, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i, nstatic = g->ne;
	unsigned char *seen = NULL;
	int rc, found = 0;

	if (unseen != KC_PART_UNSEEN_STATIC && unseen != KC_PART_UNSEEN_ZERO)
		return kc_err_set(err, KC_EINVAL, "unknown unseen-edge policy %d (static or zero)", unseen);
	rc = sqlite3_prepare_v2(s, "SELECT id, duration_s FROM profile WHERE name = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(err, s, "reading profile");
	sqlite3_bind_text(st, 1, profile, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		g->duration_s = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	if (!found)
		return kc_err_set(err, KC_ENOTFOUND, "no profile named '%s' (see kcut profile import)", profile);
	if (unseen == KC_PART_UNSEEN_ZERO)
		for (i = 0; i < g->ne; i++)
			g->e[i].weight = 0;
	seen = kc_xcalloc(nstatic ? nstatic : 1, 1);
	qsort(g->e, g->ne, sizeof(*g->e), cmp_edge);
	rc = sqlite3_prepare_v2(s,
		"SELECT pe.caller_id, pe.callee_id, pe.count FROM profile_edge pe JOIN profile p ON p.id = pe.profile_id "
		"WHERE p.name = ?", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		free(seen);
		return db_fail(err, s, "reading profile edges");
	}
	sqlite3_bind_text(st, 1, profile, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kc_part_edge key = { 0 }, *e;

		key.from = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 0));
		key.to = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 1));
		if (key.from < 0 || key.to < 0 || key.from == key.to)
			continue;
		e = bsearch(&key, g->e, nstatic, sizeof(*g->e), cmp_edge);
		if (!e) {
			e = new_edge(g);
			e->from = key.from;
			e->to = key.to;
		} else if (!seen[e - g->e]) {
			seen[e - g->e] = 1;
			e->weight = 0; /* the measurement replaces the static estimate */
		}
		e->weight += (double)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	free(seen);
	if (rc != SQLITE_DONE)
		return db_fail(err, s, "reading profile edges");
	return 0;
}

struct reg {
	long long func;
	char *kind, *struct_name, *field, *api, *macro;
	int arg_idx;
};

static int rule_matches(const struct kc_part_rule *r, const struct reg *x)
{
	switch (r->kind) {
	case RULE_SLOT:
		return x->struct_name && x->field && !strcmp(r->a, x->struct_name) && !strcmp(r->b, x->field);
	case RULE_ARG:
		return !strcmp(x->kind, "arg") && x->arg_idx == r->arg &&
		       ((x->api && !strcmp(r->a, x->api)) || (x->macro && !strcmp(r->a, x->macro)));
	case RULE_MACRO:
		return x->macro && !strcmp(r->a, x->macro);
	case RULE_DETECT_STRUCT:
		return x->struct_name && !strcmp(r->a, x->struct_name);
	case RULE_DETECT_API:
		return (x->api && !strcmp(r->a, x->api)) || (x->macro && !strcmp(r->a, x->macro));
	}
	return 0;
}

static char *rule_text(const struct kc_part_rule *r)
{
	struct kc_sb sb = { 0 };

	kc_sb_addf(&sb, "%s (%s template)", r->label, r->family);
	return kc_sb_steal(&sb);
}

static void free_regs(struct reg *regs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(regs[i].kind);
		free(regs[i].struct_name);
		free(regs[i].field);
		free(regs[i].api);
		free(regs[i].macro);
	}
	free(regs);
}

static char *dup_col(sqlite3_stmt *st, int c)
{
	return col_text(st, c) ? kc_xstrdup(col_text(st, c)) : NULL;
}

/* Number of distinct `detect api` rules of family fam whose API some driver function calls directly
 * (register_netdev, snd_card_new ...: registration calls that pass no function, so they leave no
 * registration row). Returns -1 on a database error. */
static int detect_api_calls(sqlite3 *s, const struct kc_part_templates *t, const char *fam, const char *module)
{
	sqlite3_stmt *st = NULL;
	size_t k;
	int n = 0, rc;

	rc = sqlite3_prepare_v2(s, "SELECT 1 FROM call c JOIN func callee ON callee.id = c.callee_id "
				   "JOIN func caller ON caller.id = c.caller_id LEFT JOIN tu ON tu.id = caller.tu_id "
				   "WHERE (callee.name = ?1 OR c.macro = ?1) AND caller.is_driver = 1 "
				   "AND (?2 IS NULL OR tu.module = ?2) LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -1;
	if (module)
		sqlite3_bind_text(st, 2, module, -1, SQLITE_STATIC);
	for (k = 0; k < t->n; k++) {
		if (t->rules[k].kind != RULE_DETECT_API || strcmp(t->rules[k].family, fam))
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, t->rules[k].a, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			n++;
		else if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE || rc == SQLITE_OK ? n : -1;
}

/* Choose the family (most registrations plus direct calls matching its detect rules; ties by name)
 * unless forced, then mark the roots of that family and of 'generic'. */
static int find_roots(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t, const char *family,
		      const char *module, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	struct reg *regs = NULL;
	size_t nr = 0, i, j, k;
	int rc, best = -1, best_score = 0, best_calls = 0, known = 0;
	struct kc_sb why = { 0 };

	rc = sqlite3_prepare_v2(s, "SELECT r.func_id, r.kind, r.struct_name, r.field, r.api, r.arg_idx, r.macro "
				   "FROM registration r LEFT JOIN tu ON tu.id = r.tu_id "
				   "WHERE ?1 IS NULL OR tu.module = ?1 ORDER BY r.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(err, s, "reading registrations");
	if (module)
		sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		regs = kc_xrealloc(regs, (nr + 1) * sizeof(*regs));
		regs[nr].func = sqlite3_column_int64(st, 0);
		regs[nr].kind = dup_col(st, 1);
		regs[nr].struct_name = dup_col(st, 2);
		regs[nr].field = dup_col(st, 3);
		regs[nr].api = dup_col(st, 4);
		regs[nr].arg_idx = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 5);
		regs[nr].macro = dup_col(st, 6);
		nr++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = db_fail(err, s, "reading registrations");
		goto cleanup;
	}
	if (family) {
		for (i = 0; i < t->nfam; i++)
			known |= !strcmp(t->families[i], family);
		if (!known) {
			rc = kc_err_set(err, KC_ENOTFOUND, "no template for family '%s'", family);
			goto cleanup;
		}
		g->family = kc_xstrdup(family);
		kc_sb_addf(&why, "%s: forced with --family", family);
	} else {
		for (i = 0; i < t->nfam; i++) {
			int score = 0, calls;

			if (!strcmp(t->families[i], "generic"))
				continue;
			for (j = 0; j < nr; j++)
				for (k = 0; k < t->n; k++)
					if ((t->rules[k].kind == RULE_DETECT_STRUCT || t->rules[k].kind == RULE_DETECT_API) &&
					    !strcmp(t->rules[k].family, t->families[i]) && rule_matches(&t->rules[k], &regs[j])) {
						score++;
						break;
					}
			calls = detect_api_calls(s, t, t->families[i], module);
			if (calls < 0) {
				rc = db_fail(err, s, "reading calls for family detection");
				goto cleanup;
			}
			score += calls;
			if (score > best_score ||
			    (score == best_score && score > 0 && strcmp(t->families[i], t->families[best]) < 0)) {
				best = (int)i;
				best_score = score;
				best_calls = calls;
			}
		}
		if (best >= 0) {
			int nregs = best_score - best_calls;

			g->family = kc_xstrdup(t->families[best]);
			kc_sb_addf(&why, "%s: %d registration%s", g->family, nregs, nregs == 1 ? "" : "s");
			if (best_calls)
				kc_sb_addf(&why, " and %d registration call%s", best_calls, best_calls == 1 ? "" : "s");
			kc_sb_add(&why, " matched its detect rules");
		} else {
			g->family = kc_xstrdup("generic");
			kc_sb_add(&why, "generic: no registration matched any family's detect rules");
		}
	}
	g->family_why = kc_sb_steal(&why);
	for (k = 0; k < t->n; k++) {
		const struct kc_part_rule *r = &t->rules[k];

		if (strcmp(r->family, g->family) && strcmp(r->family, "generic"))
			continue;
		if (r->kind == RULE_DETECT_STRUCT || r->kind == RULE_DETECT_API || r->kind == RULE_RETURNS)
			continue;
		for (j = 0; j < nr; j++) {
			int fi;

			if (!rule_matches(r, &regs[j]) || (fi = kc_part_graph_by_dbid(g, regs[j].func)) < 0)
				continue;
			{
				char *txt = rule_text(r);

				kc_part_graph_add_root(g, fi, r->ctx == CTX_IRQ ? KC_PART_ROOT_IRQ : r->ctx != CTX_PROCESS, txt);
				free(txt);
			}
		}
	}
	/* 'returns TYPE' rules look at the functions themselves. */
	rc = sqlite3_prepare_v2(s, "SELECT id, return_type FROM func WHERE is_driver = 1 AND is_defined = 1 "
				   "AND return_type IS NOT NULL ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = db_fail(err, s, "reading return types");
		goto cleanup;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int fi = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 0));
		const char *rt = col_text(st, 1);

		for (k = 0; k < t->n && fi >= 0; k++) {
			const struct kc_part_rule *r = &t->rules[k];

			if (r->kind == RULE_RETURNS && (!strcmp(r->family, g->family) || !strcmp(r->family, "generic")) &&
			    !strcmp(r->a, rt)) {
				char *txt = rule_text(r);

				kc_part_graph_add_root(g, fi, r->ctx == CTX_IRQ ? KC_PART_ROOT_IRQ : r->ctx != CTX_PROCESS, txt);
				free(txt);
			}
		}
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : db_fail(err, s, "reading return types");
cleanup:
	kc_sb_free(&why);
	free_regs(regs, nr);
	return rc;
}

int kc_part_graph_load(struct kc_part_graph **out, struct kc_db *db, const struct kc_part_templates *t,
		       const char *family, const char *profile, struct kc_err *err)
{
	return kc_part_graph_load_module(out, db, t, family, profile, NULL, err);
}

int kc_part_graph_load_module(struct kc_part_graph **out, struct kc_db *db, const struct kc_part_templates *t,
			      const char *family, const char *profile, const char *module, struct kc_err *err)
{
	return kc_part_graph_load_weighted(out, db, t, family, profile, KC_PART_UNSEEN_STATIC, module, err);
}

int kc_part_graph_load_weighted(struct kc_part_graph **out, struct kc_db *db, const struct kc_part_templates *t,
				const char *family, const char *profile, int unseen, const char *module,
				struct kc_err *err)
{
	struct kc_part_load lo = KC_PART_LOAD_INIT;

	lo.family = family;
	lo.profile = profile;
	lo.unseen = unseen;
	lo.module = module;
	return kc_part_graph_load_ex(out, db, t, &lo, err);
}

int kc_part_graph_load_ex(struct kc_part_graph **out, struct kc_db *db, const struct kc_part_templates *t,
			  const struct kc_part_load *lo, struct kc_err *err)
{
	struct kc_part_graph *g;
	sqlite3 *s = kc_db_sqlite(db);
	int rc;

	*out = NULL;
	if (!kc_part_devaccess_name(lo->device_access))
		return kc_err_set(err, KC_EINVAL, "unknown device-access mode %d (none, forward or mapped)",
				  lo->device_access);
	g = kc_part_graph_new();
	g->device_access = lo->device_access;
	g->price_posted = lo->posted;
	rc = load_funcs(g, s, lo->module, err);
	if (rc == 0)
		rc = load_loops(g, s, t, err);
	if (rc == 0)
		rc = load_calls(g, s, lo->module, err);
	if (rc == 0 && lo->profile)
		rc = load_profile(g, s, lo->profile, lo->unseen, err);
	if (rc == 0)
		rc = find_roots(g, s, t, lo->family, lo->module, err);
	if (rc == 0)
		rc = kc_part_kernel_rules(g, s, t, err); /* rules.c */
	if (rc == 0)
		rc = kc_part_device_facts(g, s, t, lo->profile, lo->unseen, err); /* rules.c */
	if (rc == 0)
		rc = kc_part_datapath_facts(g, s, t, err); /* rules.c */
	if (rc == 0)
		rc = kc_part_replica_facts(g, s, t, err); /* replica.c */
	if (rc < 0) {
		kc_part_graph_free(g);
		return rc;
	}
	*out = g;
	return 0;
}
