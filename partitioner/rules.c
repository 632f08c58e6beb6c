/*
 * rules.c - the templates' 'kernel' rules: driver functions that must stay in the kernel half
 * because of what they touch, not because of how they are called (that is what roots are for).
 *
 *   kernel calls API[,API...] LABEL       calls API directly, or through a macro named API
 *                                         (readl/writel, ioread32 ..., dma_alloc_coherent)
 *   kernel registered KIND[,...] LABEL    registration.kind KIND (module_init, module_exit)
 *   kernel field MEM[,MEM...] LABEL       uses the memory held by a field that an alloc site of kind
 *                                         MEM (alloc.kind: mmio, dma) stores into (hw->hw_addr,
 *                                         ring->desc): dereferences, indexes, offsets or casts it
 *   kernel struct MEM[,MEM...] LABEL      accesses any field of a struct that such a field belongs to
 *                                         (the ring), of a driver struct the memory is used as (the
 *                                         descriptor: the field's pointee type or a cast of it) or of a
 *                                         driver struct allocated into a field of the holder
 *                                         (ring->buffer_info = kcalloc(...): the buffer_info entries)
 *
 * A rule tagged unless-device-access=MODES does not apply when the graph is loaded for one of those
 * --device-access modes (the user half reaches registers and DMA memory through rt's regions).
 * kc_part_device_facts() then prices what is left: the call sites matched by a 'kernel calls' rule
 * tagged downcall-under=MODES (register accesses the forward backend turns into downcalls), and
 * reads the spinlocks each function takes (solve.c keeps the takers of a kernel spinlock kernel).
 *
 * A matched function gets a hard kernel constraint (reason 'pin'; solve.c) whose detail names the
 * rule, the evidence (the call, the field, its site) and the template: `kcut why` shows it. Rules
 * of the 'generic' family and of the graph's family apply. Only functions in the graph (so, with a
 * module filter, only that module's) are marked.
 */
#include "part_int.h"

#include "kc_kapi.h"

#include <stdlib.h>
#include <string.h>

void kc_part_graph_add_kernel_rule(struct kc_part_graph *g, int func, const char *rule)
{
	if (func < 0 || (size_t)func >= g->nf || g->f[func].kernel_rule)
		return;
	g->f[func].kernel_rule = kc_xstrdup(rule);
}

const char *kc_part_graph_kernel_rule(const struct kc_part_graph *g, int i)
{
	return i >= 0 && (size_t)i < g->nf ? g->f[i].kernel_rule : NULL;
}

static int sql_fail(struct kc_err *err, sqlite3 *s, const char *what)
{
	return kc_err_set(err, KC_EDB, "%s: %s", what, sqlite3_errmsg(s));
}

static const char *col(sqlite3_stmt *st, int c)
{
	const unsigned char *t = sqlite3_column_text(st, c);

	return t ? (const char *)t : "";
}

/* Is item one of the comma-separated words of list? (part_int.h) */
int kc_part_in_list(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	if (!n)
		return 0;
	while ((p = strstr(p, item))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* Mark function fi with "WHAT at SITE: LABEL (FAMILY template)" unless already marked. */
static void mark(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, const char *what, const char *file,
		 int line, int col_)
{
	struct kc_sb sb = { 0 };

	if (fi < 0 || g->f[fi].kernel_rule)
		return;
	kc_sb_add(&sb, what);
	if (file && *file)
		kc_sb_addf(&sb, " at %s:%d:%d", file, line, col_);
	kc_sb_addf(&sb, ": %s (%s template)", r->label, r->family);
	g->f[fi].kernel_rule = kc_sb_steal(&sb);
}

/* A set of struct names (or "struct.field" keys), each with the reason it is in the set. */
struct sset {
	char **name, **why;
	size_t n;
};

static void sset_add(struct sset *s, const char *name, const char *why)
{
	size_t i;

	if (!name || !*name)
		return;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return;
	s->name = kc_xrealloc(s->name, (s->n + 1) * sizeof(char *));
	s->why = kc_xrealloc(s->why, (s->n + 1) * sizeof(char *));
	s->name[s->n] = kc_xstrdup(name);
	s->why[s->n] = kc_xstrdup(why);
	s->n++;
}

static const char *sset_why(const struct sset *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return s->why[i];
	return NULL;
}

static void sset_free(struct sset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->why[i]);
	}
	free(s->name);
	free(s->why);
}

/* Per-function scans: every query below takes a function id as ?1 and is answered through an index
 * on it (call_caller, registration_func, alloc_func, shape_evidence_func, field_access_func), so a
 * per-module graph of a whole-tree database costs what the module's rows cost. visit() is called
 * with each row of each function of the graph that is still unmarked (or every function: all). */
typedef void (*row_fn)(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st,
		       void *ctx);

static int per_func(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_rule *r, const char *sql, int all,
		    row_fn visit, void *ctx, const char *what, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(err, s, what);
	for (i = 0; i < g->nf && rc == 0; i++) {
		if (g->f[i].dbid < 0 || (!all && g->f[i].kernel_rule))
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, g->f[i].dbid);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && (all || !g->f[i].kernel_rule))
			visit(g, r, (int)i, st, ctx);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sql_fail(err, s, what);
	}
	sqlite3_finalize(st);
	return rc;
}

/* 'kernel calls': a direct call site whose callee or macro is in the list. */
static void calls_row(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st, void *ctx)
{
	const char *api = NULL;
	struct kc_sb sb = { 0 };

	(void)ctx;
	if (kc_part_in_list(r->a, col(st, 1)))
		api = col(st, 1);
	else if (kc_part_in_list(r->a, col(st, 0)))
		api = col(st, 0);
	if (!api)
		return;
	kc_sb_addf(&sb, "calls %s", api);
	mark(g, r, fi, sb.s, col(st, 2), sqlite3_column_int(st, 3), sqlite3_column_int(st, 4));
	kc_sb_free(&sb);
}

/* 'kernel registered': a registration of a listed kind. */
static void registered_row(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st,
			   void *ctx)
{
	struct kc_sb sb = { 0 };

	(void)ctx;
	if (!kc_part_in_list(r->a, col(st, 0)))
		return;
	kc_sb_addf(&sb, "registered as %s", col(st, 0));
	mark(g, r, fi, sb.s, col(st, 1), sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
	kc_sb_free(&sb);
}

struct memsets {
	struct sset fields;  /* "struct.field" holding memory of a listed kind */
	struct sset holders; /* structs with such a field */
	struct sset structs; /* 'kernel struct': holders, structs laid over the memory, allocated into holders */
};

/* An alloc site of a graph function: when of a listed kind and stored into a field, the field and
 * the struct holding it. */
static void alloc_row(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st, void *ctx)
{
	struct memsets *m = ctx;
	struct kc_sb key = { 0 }, why = { 0 };

	(void)g;
	(void)fi;
	if (!kc_part_in_list(r->a, col(st, 0)))
		return;
	kc_sb_addf(&key, "%s.%s", col(st, 2), col(st, 3));
	kc_sb_addf(&why, "%s memory from %s", col(st, 0), col(st, 1));
	sset_add(&m->fields, key.s, why.s);
	kc_sb_free(&why);
	kc_sb_addf(&why, "it holds %s memory (%s from %s)", col(st, 0), key.s, col(st, 1));
	sset_add(&m->holders, col(st, 2), why.s);
	kc_sb_free(&key);
	kc_sb_free(&why);
}

/* 'kernel field': a use of the memory a listed field holds: dereferenced, indexed, offset or
 * converted to a typed pointer (shape_evidence 'deref', 'index', 'ptr_arith', 'cast' at a site of
 * the function). Storing the pointer (probe) and handing it to a kernel function (iounmap,
 * dma_free_coherent) are not uses. */
static void use_row(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st, void *ctx)
{
	static const char *const verbs[][2] = {
		{ "deref", "dereferences" }, { "index", "indexes" },
		{ "ptr_arith", "computes an address in" }, { "cast", "converts to a typed pointer" },
	};
	struct memsets *m = ctx;
	struct kc_sb key = { 0 }, what = { 0 };
	const char *why, *verb = "uses";
	size_t i;

	kc_sb_addf(&key, "%s.%s", col(st, 0), col(st, 1));
	why = sset_why(&m->fields, key.s);
	if (why) {
		for (i = 0; i < KC_ARRAY_SIZE(verbs); i++)
			if (!strcmp(verbs[i][0], col(st, 2)))
				verb = verbs[i][1];
		kc_sb_addf(&what, "%s %s (%s)", verb, key.s, why);
		mark(g, r, fi, what.s, col(st, 3), sqlite3_column_int(st, 4), sqlite3_column_int(st, 5));
	}
	kc_sb_free(&key);
	kc_sb_free(&what);
}

/* 'kernel struct': an access (any mode) to a field of a struct in the set. */
static void access_row(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st, void *ctx)
{
	struct memsets *m = ctx;
	const char *why = sset_why(&m->structs, col(st, 0));
	const char *verb = !strcmp(col(st, 2), "write") ? "writes" :
			   !strcmp(col(st, 2), "addr") ? "takes the address of" : "reads";
	struct kc_sb what = { 0 };

	if (!why)
		return;
	kc_sb_addf(&what, "%s %s.%s (struct %s: %s)", verb, col(st, 0), col(st, 1), col(st, 0), why);
	mark(g, r, fi, what.s, col(st, 3), sqlite3_column_int(st, 4), sqlite3_column_int(st, 5));
	kc_sb_free(&what);
}

/* For 'kernel struct': the holders, the driver structs laid over the memory (the field's pointee
 * struct, the struct types it is cast to) and the driver structs allocated into a field of a holder
 * (ring->buffer_info = kcalloc(...)). */
static int related_structs(sqlite3 *s, struct memsets *m, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < m->holders.n; i++)
		sset_add(&m->structs, m->holders.name[i], m->holders.why[i]);
	rc = sqlite3_prepare_v2(s, "SELECT f.target FROM field f JOIN struct h ON h.id = f.struct_id "
				   "JOIN struct t ON t.name = f.target AND t.is_driver = 1 "
				   "WHERE h.name = ?1 AND f.name = ?2 AND f.kind IN ('pointer', 'array') "
				   "UNION SELECT detail FROM shape_evidence WHERE struct_name = ?1 AND field = ?2 "
				   "AND evidence = 'cast'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(err, s, "reading memory field types for kernel rules");
	for (i = 0; i < m->fields.n && rc == 0; i++) {
		char *dot = strchr(m->fields.name[i], '.');
		struct kc_sb why = { 0 };

		if (!dot)
			continue;
		kc_sb_addf(&why, "it is laid over %s (%s)", m->fields.name[i], m->fields.why[i]);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, m->fields.name[i], (int)(dot - m->fields.name[i]), SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, dot + 1, -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *t = col(st, 0);

			if (!strncmp(t, "struct ", 7) || !strncmp(t, "union ", 6)) {
				/* a cast's type spelling: 'struct simnic_tx_desc *' */
				char *n = kc_xstrdup(strchr(t, ' ') + 1), *e = n + strlen(n);

				while (e > n && (e[-1] == '*' || e[-1] == ' '))
					*--e = 0;
				if (!strpbrk(n, " ()[]"))
					sset_add(&m->structs, n, why.s);
				free(n);
			} else if (!strpbrk(t, " *()[]")) {
				sset_add(&m->structs, t, why.s);
			}
		}
		kc_sb_free(&why);
		rc = rc == SQLITE_DONE ? 0 : sql_fail(err, s, "reading memory field types for kernel rules");
	}
	sqlite3_finalize(st);
	if (rc || !m->holders.n)
		return rc;
	rc = sqlite3_prepare_v2(s, "SELECT DISTINCT a.store_field, f.target FROM alloc a "
				   "JOIN struct h ON h.name = a.store_struct JOIN field f ON f.struct_id = h.id "
				   "AND f.name = a.store_field JOIN struct t ON t.name = f.target AND t.is_driver = 1 "
				   "WHERE a.store_kind = 'field' AND a.store_struct = ?1 AND f.kind = 'pointer'",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(err, s, "reading allocations into memory holders");
	for (i = 0; i < m->holders.n && rc == 0; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, m->holders.name[i], -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct kc_sb why = { 0 };

			kc_sb_addf(&why, "allocated into %s.%s (%s: %s)", m->holders.name[i], col(st, 0),
				   m->holders.name[i], m->holders.why[i]);
			sset_add(&m->structs, col(st, 1), why.s);
			kc_sb_free(&why);
		}
		rc = rc == SQLITE_DONE ? 0 : sql_fail(err, s, "reading allocations into memory holders");
	}
	sqlite3_finalize(st);
	return rc;
}

static const char *const sql_calls =
	"SELECT callee.name, c.macro, fl.path, c.line, c.col FROM call c JOIN func callee ON callee.id = c.callee_id "
	"LEFT JOIN file fl ON fl.id = c.file_id WHERE c.caller_id = ?1 AND c.kind = 'direct' ORDER BY c.line, c.col";
static const char *const sql_regs =
	"SELECT r.kind, fl.path, r.line, r.col FROM registration r LEFT JOIN file fl ON fl.id = r.file_id "
	"WHERE r.func_id = ?1 ORDER BY r.id";
static const char *const sql_allocs =
	"SELECT kind, allocator, store_struct, store_field FROM alloc WHERE func_id = ?1 AND store_kind = 'field' "
	"AND store_struct IS NOT NULL AND store_field IS NOT NULL ORDER BY id";
static const char *const sql_uses =
	"SELECT e.struct_name, e.field, e.evidence, fl.path, e.line, e.col FROM shape_evidence e "
	"LEFT JOIN file fl ON fl.id = e.file_id WHERE e.func_id = ?1 "
	"AND e.evidence IN ('deref', 'index', 'ptr_arith', 'cast') ORDER BY e.line, e.col, e.id";
static const char *const sql_accesses =
	"SELECT a.struct_name, a.field, a.mode, fl.path, a.line, a.col FROM field_access a "
	"LEFT JOIN file fl ON fl.id = a.file_id WHERE a.func_id = ?1 ORDER BY a.line, a.col, a.id";

/* ---- memory only the kernel can use ('kernel mapped' / 'kernel opaque'): kernel_memory ---- */

static const char *const sql_mapped =
	"SELECT p.struct_name, p.field, callee.name, COALESCE(p.macro, ''), fl.path, p.line, p.col FROM ptr_flow p "
	"JOIN func callee ON callee.id = p.callee_id LEFT JOIN file fl ON fl.id = p.file_id "
	"WHERE p.func_id = ?1 AND p.kind = 'arg' AND p.arg_idx = 1 AND p.struct_name IS NOT NULL ORDER BY p.id";
static const char *const sql_looks =
	"SELECT e.struct_name, e.field, e.evidence, fl.path, e.line, e.col FROM shape_evidence e "
	"LEFT JOIN file fl ON fl.id = e.file_id WHERE e.func_id = ?1 "
	"AND e.evidence IN ('deref', 'index', 'ptr_arith', 'string_fn') ORDER BY e.line, e.col, e.id";
static const char *const sql_param_looks =
	"SELECT p.arg_idx, p.detail, fl.path, p.line, p.col, COALESCE(pa.name, '') FROM ptr_flow p "
	"LEFT JOIN file fl ON fl.id = p.file_id LEFT JOIN param pa ON pa.func_id = p.func_id AND pa.idx = p.arg_idx "
	"WHERE p.func_id = ?1 AND p.kind = 'param' ORDER BY p.line, p.col, p.id";
static const char *const sql_passed =
	"SELECT a.struct_name, a.field, caller.name, fl.path, a.line, a.col, caller.id FROM ptr_flow a "
	"JOIN func caller ON caller.id = a.func_id LEFT JOIN file fl ON fl.id = a.file_id "
	"WHERE a.kind = 'arg' AND a.callee_id = ?1 AND a.arg_idx = ?2 AND a.struct_name IS NOT NULL ORDER BY a.id";

static const char *look_verb(const char *ev)
{
	return !strcmp(ev, "deref") ? "dereferences" : !strcmp(ev, "index") ? "indexes" :
	       !strcmp(ev, "ptr_arith") ? "computes an address in" : !strcmp(ev, "string_fn") ? "reads the string of" :
	       "uses";
}

/* 'kernel mapped': a field whose memory a graph function maps through one of the listed APIs. */
static void mapped_row(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st, void *ctx)
{
	struct memsets *m = ctx;
	struct kc_sb key = { 0 }, why = { 0 };
	const char *api = kc_part_in_list(r->a, col(st, 3)) ? col(st, 3) :
			  kc_part_in_list(r->a, col(st, 2)) ? col(st, 2) : NULL;

	if (!api)
		return;
	kc_sb_addf(&key, "%s.%s", col(st, 0), col(st, 1));
	kc_sb_addf(&why, "%s maps it for streaming DMA: %s at %s:%d:%d", g->f[fi].name, api, col(st, 4),
		   sqlite3_column_int(st, 5), sqlite3_column_int(st, 6));
	sset_add(&m->fields, key.s, why.s);
	kc_sb_free(&key);
	kc_sb_free(&why);
}

/* A function that looks through a kernel-only field itself (shape evidence). */
static void looks_row(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st, void *ctx)
{
	struct memsets *m = ctx;
	struct kc_sb key = { 0 }, what = { 0 };
	const char *why;

	kc_sb_addf(&key, "%s.%s", col(st, 0), col(st, 1));
	why = sset_why(&m->fields, key.s);
	if (why) {
		kc_sb_addf(&what, "%s %s (%s; the user half has only a handle to that memory)", look_verb(col(st, 2)),
			   key.s, why);
		mark(g, r, fi, what.s, col(st, 3), sqlite3_column_int(st, 4), sqlite3_column_int(st, 5));
	}
	kc_sb_free(&key);
	kc_sb_free(&what);
}

struct param_ctx {
	struct memsets *m;
	sqlite3_stmt *passed;
};

/* A function that looks through a pointer parameter some graph function passes a kernel-only
 * field's value in (ptr_flow 'param' and 'arg'). */
static void param_row(struct kc_part_graph *g, const struct kc_part_rule *r, int fi, sqlite3_stmt *st, void *ctx)
{
	struct param_ctx *pc = ctx;

	sqlite3_reset(pc->passed);
	sqlite3_bind_int64(pc->passed, 1, g->f[fi].dbid);
	sqlite3_bind_int(pc->passed, 2, sqlite3_column_int(st, 0));
	while (!g->f[fi].kernel_rule && sqlite3_step(pc->passed) == SQLITE_ROW) {
		struct kc_sb key = { 0 }, what = { 0 };
		const char *why;

		if (kc_part_graph_by_dbid(g, sqlite3_column_int64(pc->passed, 6)) < 0)
			continue; /* a caller of another module */
		kc_sb_addf(&key, "%s.%s", col(pc->passed, 0), col(pc->passed, 1));
		why = sset_why(&pc->m->fields, key.s);
		if (why) {
			kc_sb_addf(&what, "%s its parameter %d%s%s%s at %s:%d:%d, in which %s passes %s at %s:%d:%d (%s; the "
				   "user half has only a handle to that memory)", look_verb(col(st, 1)),
				   sqlite3_column_int(st, 0) + 1, *col(st, 5) ? " (" : "", col(st, 5), *col(st, 5) ? ")" : "",
				   col(st, 2), sqlite3_column_int(st, 3), sqlite3_column_int(st, 4), col(pc->passed, 2), key.s,
				   col(pc->passed, 3), sqlite3_column_int(pc->passed, 4), sqlite3_column_int(pc->passed, 5),
				   why);
			mark(g, r, fi, what.s, NULL, 0, 0);
		}
		kc_sb_free(&key);
		kc_sb_free(&what);
	}
}

static int have_table(sqlite3 *s, const char *name)
{
	sqlite3_stmt *st = NULL;
	int have = 0;

	if (sqlite3_prepare_v2(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		have = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return have;
}

/* 'kernel mapped' / 'kernel opaque': the fields whose memory only the kernel can use, then the
 * functions that look through one (dereference, index, offset, string function): directly, or
 * through a pointer parameter a graph function passes the field's value in. Functions that only
 * store or pass the pointer on are not marked (a handle crosses). A database without ptr_flow (made
 * before it existed) gives the direct uses of 'opaque' fields only. */
static int kernel_memory(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_rule *r, struct memsets *m,
			 struct kc_err *err)
{
	int flow = have_table(s, "ptr_flow"), rc = 0;

	if (r->kind == RULE_K_MAPPED) {
		if (!flow)
			return 0;
		rc = per_func(g, s, r, sql_mapped, 1, mapped_row, m, "reading streaming-DMA mappings for kernel rules", err);
	} else {
		char *dup = kc_xstrdup(r->a), *save = NULL, *tok;

		for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			sset_add(&m->fields, tok, r->label);
		free(dup);
	}
	if (rc || !m->fields.n)
		return rc;
	rc = per_func(g, s, r, sql_looks, 0, looks_row, m, "reading pointer uses for kernel rules", err);
	if (rc == 0 && flow) {
		struct param_ctx pc = { .m = m };

		if (sqlite3_prepare_v2(s, sql_passed, -1, &pc.passed, NULL) != SQLITE_OK)
			return sql_fail(err, s, "reading pointer arguments for kernel rules");
		rc = per_func(g, s, r, sql_param_looks, 0, param_row, &pc, "reading parameter uses for kernel rules", err);
		sqlite3_finalize(pc.passed);
	}
	return rc;
}

int kc_part_kernel_rules(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t, struct kc_err *err)
{
	size_t k;
	int rc = 0;

	for (k = 0; k < t->n && rc == 0; k++) {
		const struct kc_part_rule *r = &t->rules[k];
		const char *fam = kc_part_graph_family(g);
		struct memsets m;

		memset(&m, 0, sizeof(m));
		if (r->kind < RULE_K_CALLS || (strcmp(r->family, "generic") && strcmp(r->family, fam)))
			continue;
		if (r->unless_da & (1u << g->device_access))
			continue; /* unless-device-access=MODE: the backend serves what this rule pins */
		switch (r->kind) {
		case RULE_K_CALLS:
			rc = per_func(g, s, r, sql_calls, 0, calls_row, NULL, "reading calls for kernel rules",
				      err);
			break;
		case RULE_K_REGISTERED:
			rc = per_func(g, s, r, sql_regs, 0, registered_row, NULL,
				      "reading registrations for kernel rules", err);
			break;
		case RULE_K_FIELD:
		case RULE_K_STRUCT:
			rc = per_func(g, s, r, sql_allocs, 1, alloc_row, &m,
				      "reading allocation sites for kernel rules", err);
			if (rc == 0 && r->kind == RULE_K_FIELD && m.fields.n)
				rc = per_func(g, s, r, sql_uses, 0, use_row, &m,
					      "reading pointer uses for kernel rules", err);
			if (rc == 0 && r->kind == RULE_K_STRUCT && m.holders.n)
				rc = related_structs(s, &m, err);
			if (rc == 0 && r->kind == RULE_K_STRUCT && m.structs.n)
				rc = per_func(g, s, r, sql_accesses, 0, access_row, &m,
					      "reading field accesses for kernel rules", err);
			break;
		case RULE_K_MAPPED:
		case RULE_K_OPAQUE:
			rc = kernel_memory(g, s, r, &m, err);
			break;
		default:
			break;
		}
		sset_free(&m.fields);
		sset_free(&m.holders);
		sset_free(&m.structs);
	}
	return rc;
}

/* ---- device access: register downcalls and spinlocks (kc_part_device_facts) ---- */

static const char *const sql_calls_w =
	"SELECT callee.name, COALESCE(c.macro, ''), c.count, c.loop_depth, callee.is_static, callee.is_driver, "
	"callee.is_variadic, c.file_id, c.line, c.col FROM call c JOIN func callee ON callee.id = c.callee_id "
	"WHERE c.caller_id = ?1 AND c.kind = 'direct' ORDER BY c.line, c.col";
static const char *const sql_prof_out =
	"SELECT callee.name, pe.count, callee.is_static, callee.is_driver FROM profile_edge pe JOIN profile p ON p.id = pe.profile_id "
	"JOIN func callee ON callee.id = pe.callee_id WHERE p.name = ?1 AND pe.caller_id = ?2";
static const char *const sql_prof_in =
	"SELECT COALESCE(SUM(pe.count), 0), COUNT(*) FROM profile_edge pe JOIN profile p ON p.id = pe.profile_id "
	"WHERE p.name = ?1 AND pe.callee_id = ?2";
static const char *const sql_locks =
	"SELECT l.api, l.lock_expr, fl.path, l.line, l.col FROM lock_op l LEFT JOIN file fl ON fl.id = l.file_id "
	"WHERE l.func_id = ?1 AND l.lock_kind IN ('spin', 'rwlock') AND l.op IN ('lock', 'trylock') "
	"ORDER BY l.line, l.col, l.id";

const struct kc_part_rule *kc_part_calls_rule(const struct kc_part_graph *g, const struct kc_part_templates *t,
					      const char *api, enum kc_part_calls_tag tag, unsigned modes)
{
	const char *fam = kc_part_graph_family(g);
	size_t k;

	for (k = 0; k < t->n; k++) {
		const struct kc_part_rule *r = &t->rules[k];
		unsigned m = tag == KC_PART_TAG_UNLESS ? r->unless_da : r->downcall_da;

		if (r->kind == RULE_K_CALLS && (m & modes) &&
		    (!strcmp(r->family, "generic") || !strcmp(r->family, fam)) && kc_part_in_list(r->a, api))
			return r;
	}
	return NULL;
}

/* The 'kernel calls' rule with downcall-under for g's mode that lists api (or NULL). */
static const struct kc_part_rule *downcall_rule(const struct kc_part_graph *g, const struct kc_part_templates *t,
						const char *api)
{
	return kc_part_calls_rule(g, t, api, KC_PART_TAG_DOWNCALL, 1u << g->device_access);
}

/* Add api to the comma-separated list sb unless present (at most 4 names, then "..."). */
static void add_api(struct kc_sb *sb, int *n, const char *api)
{
	if (sb->s && kc_part_in_list(sb->s, api))
		return;
	if (*n == 4)
		kc_sb_add(sb, ",...");
	else if (*n < 4)
		kc_sb_addf(sb, "%s%s", *n ? "," : "", api);
	(*n)++;
}

static int ident_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The identity of the lock expression expr[0, len): its last identifier (&adapter->stats_lock ->
 * stats_lock, &e1000_phy_lock -> e1000_phy_lock), as a pointer into expr and its length in *n
 * (0: there is none). Two locks with the same field name in different structs are taken as one:
 * that can only keep more functions in the kernel. */
const char *kc_part_lock_ident(const char *expr, size_t len, size_t *n)
{
	const char *e = expr + len, *b;

	while (e > expr && !ident_char(e[-1]))
		e--;
	b = e;
	while (b > expr && ident_char(b[-1]))
		b--;
	*n = (size_t)(e - b);
	return b;
}

/* kc_part_lock_ident of a whole string, allocated; NULL if there is none. */
static char *lock_identity(const char *expr)
{
	size_t n;
	const char *b = kc_part_lock_ident(expr, strlen(expr), &n);
	char *id;

	if (!n)
		return NULL;
	id = kc_xmalloc(n + 1);
	memcpy(id, b, n);
	id[n] = 0;
	return id;
}

static int prep(sqlite3 *s, const char *sql, sqlite3_stmt **st, struct kc_err *err)
{
	return sqlite3_prepare_v2(s, sql, -1, st, NULL) == SQLITE_OK ? 0 :
		sql_fail(err, s, "reading device-access facts");
}

/* Does a call of kernel function `name` from a user-half function cross? Imports do, except what
 * the user half runs locally or never calls (kc_kapi.h: the lists the emitter's plan reads) and
 * register accessors, which the device-access rules price (forwarded reads) or the backend serves
 * (posted writes, mapping). A header inline (is_static: a static function the driver does not
 * define) runs in the user half, except the bit operations on a word (kc_kapi_word_op). */
static int import_crosses(const char *name, int is_static, int is_driver)
{
	if (is_driver)
		return 0;
	if (kc_kapi_word_op(name))
		return 1;
	return !is_static && !kc_kapi_local_library(name) && !kc_kapi_link_assert(name) && !kc_kapi_fatal(name) &&
	       !kc_kapi_regio(name);
}

/* Operations of a posted-write queue (rt/kcut_rt.h KC_REGIO_MAX_OPS): a posted kernel call costs a
 * crossing only as its share of a full queue's flush. */
#define KC_PART_POST_QUEUE 256

/* One kind of downcall of a function: its static estimate, sites, names, what a profile measured. */
struct downs {
	double stat, measured;
	long long sites;
	int seen;
	struct kc_sb apis;
	int napis;
};

/* The weight of ds given the profile's calls into the function (invoked, seen_in), and its
 * explanation: what the profile measured for these calls when it has them, else the calls into the
 * function it saw times the static estimate per call; a function the profile never saw called
 * keeps the static estimate (unseen static) or weighs 0 (unseen zero). */
static double downs_weight(struct downs *ds, const char *what, const char *unit, const char *profile, int unseen,
			   double invoked, int seen_in, char **detail)
{
	struct kc_sb d = { 0 };
	double w;

	kc_sb_addf(&d, "%lld %s site%s (%s)", ds->sites, what, ds->sites == 1 ? "" : "s", ds->apis.s);
	if (ds->seen) {
		w = ds->measured;
		kc_sb_addf(&d, ", %g %s measured by profile %s", w, unit, profile);
	} else if (seen_in) {
		w = invoked * ds->stat;
		kc_sb_addf(&d, ": called %g times (profile %s) x %g per call (static) = %g", invoked, profile, ds->stat,
			   w);
	} else if (profile && unseen == KC_PART_UNSEEN_ZERO) {
		w = 0;
		kc_sb_addf(&d, ": never called in profile %s (unseen zero) = 0", profile);
	} else {
		w = ds->stat;
		kc_sb_addf(&d, ": static estimate %g (count x the enclosing loops' trip estimates)", w);
	}
	*detail = kc_sb_steal(&d);
	kc_sb_free(&ds->apis);
	return w;
}

/* The downcall weights of function i from the user half: register accesses matched by a 'kernel
 * calls' rule with downcall-under for g's mode (dev_weight), and calls of kernel functions that cross
 * (imp_weight, every mode). Static estimate per site: count x kc_part_site_trips (the enclosing
 * loops' trip estimates, as call edges); with a profile, see downs_weight. */
static int dev_weight_of(struct kc_part_graph *g, const struct kc_part_templates *t, int i, sqlite3_stmt *calls,
			 sqlite3_stmt *pout, sqlite3_stmt *pin, const char *profile, int unseen, int regs, sqlite3 *s,
			 struct kc_err *err)
{
	struct downs reg = { 0 }, imp = { 0 }, post = { 0 };
	double invoked = 0;
	int rc, seen_in = 0;

	sqlite3_reset(calls);
	sqlite3_bind_int64(calls, 1, g->f[i].dbid);
	while ((rc = sqlite3_step(calls)) == SQLITE_ROW) {
		const char *api = col(calls, 0), *macro = col(calls, 1);
		struct downs *ds = &reg;
		double w = kc_part_site_trips(g, g->f[i].dbid, sqlite3_column_int64(calls, 7),
					      sqlite3_column_int(calls, 8), sqlite3_column_int(calls, 9),
					      sqlite3_column_int(calls, 3));

		if (!regs || !downcall_rule(g, t, api)) {
			if (regs && *macro && downcall_rule(g, t, macro)) {
				api = macro;
			} else if (import_crosses(api, sqlite3_column_int(calls, 4), sqlite3_column_int(calls, 5)) &&
				   !(regs && downcall_rule(g, t, api))) {
				ds = kc_kapi_posted(api) && g->price_posted ? &post : &imp;
				if (ds == &imp && kc_kapi_posted(api))
					post.sites++; /* named in the explanation only */
			} else {
				continue;
			}
		}
		ds->stat += (double)sqlite3_column_int64(calls, 2) * w;
		ds->sites += sqlite3_column_int64(calls, 2);
		add_api(&ds->apis, &ds->napis, api);
	}
	if (rc != SQLITE_DONE)
		return sql_fail(err, s, "reading calls for downcalls");
	if (!reg.sites && !imp.sites && !post.sites)
		return 0;
	if (profile) {
		sqlite3_reset(pout);
		sqlite3_bind_text(pout, 1, profile, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(pout, 2, g->f[i].dbid);
		while ((rc = sqlite3_step(pout)) == SQLITE_ROW) {
			struct downs *ds = NULL;

			if (regs && downcall_rule(g, t, col(pout, 0)))
				ds = &reg;
			else if (import_crosses(col(pout, 0), sqlite3_column_int(pout, 2), sqlite3_column_int(pout, 3)))
				ds = kc_kapi_posted(col(pout, 0)) && g->price_posted ? &post : &imp;
			if (ds) {
				ds->measured += (double)sqlite3_column_int64(pout, 1);
				ds->seen = 1;
			}
		}
		if (rc != SQLITE_DONE)
			return sql_fail(err, s, "reading profile for downcalls");
		sqlite3_reset(pin);
		sqlite3_bind_text(pin, 1, profile, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(pin, 2, g->f[i].dbid);
		if (sqlite3_step(pin) != SQLITE_ROW)
			return sql_fail(err, s, "reading profile for downcalls");
		invoked = (double)sqlite3_column_int64(pin, 0);
		seen_in = sqlite3_column_int64(pin, 1) > 0;
	}
	if (reg.sites)
		g->f[i].dev_weight = downs_weight(&reg, "register access", "accesses", profile, unseen, invoked, seen_in,
						  &g->f[i].dev_detail);
	if (imp.sites)
		g->f[i].imp_weight = downs_weight(&imp, "kernel call", "calls", profile, unseen, invoked, seen_in,
						  &g->f[i].imp_detail);
	if (post.sites && !g->price_posted) {
		free(g->f[i].post_detail);
		g->f[i].post_detail = kc_xstrdup("priced as downcalls (the default; `--price-posted` prices them as "
						 "what they cost at run time: docs/partitioner.md \"Posted kernel calls\")");
	} else if (post.sites) {
		/* posted calls (rt/kcut_rt.h): no crossing of their own; they ride with the thread's
		 * next flush. What they do cost is the flushes of a full queue, at most one per
		 * KC_REGIO_MAX_OPS (256) operations: counted, as a fraction of a downcall per call */
		char *d = NULL;
		double w = downs_weight(&post, "posted kernel call", "calls", profile, unseen, invoked, seen_in, &d);
		struct kc_sb sb = { 0 };

		kc_sb_addf(&sb, "%s; posted: no crossing of their own, a full queue's flush per %d = %g", d,
			   KC_PART_POST_QUEUE, w / KC_PART_POST_QUEUE);
		free(d);
		free(g->f[i].post_detail);
		g->f[i].post_detail = kc_sb_steal(&sb);
		g->f[i].post_weight = w / KC_PART_POST_QUEUE;
		g->f[i].imp_weight += g->f[i].post_weight;
	}
	return 0;
}

int kc_part_device_facts(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t, const char *profile,
			 int unseen, struct kc_err *err)
{
	sqlite3_stmt *calls = NULL, *pout = NULL, *pin = NULL, *locks = NULL;
	size_t i, k;
	int rc = 0, any = 0;

	for (k = 0; k < t->n; k++)
		any |= t->rules[k].kind == RULE_K_CALLS && (t->rules[k].downcall_da & (1u << g->device_access));
	if ((rc = prep(s, sql_calls_w, &calls, err)) || (rc = prep(s, sql_prof_out, &pout, err)) ||
	    (rc = prep(s, sql_prof_in, &pin, err)))
		goto cleanup;
	if ((rc = prep(s, sql_locks, &locks, err)))
		goto cleanup;
	for (i = 0; i < g->nf && rc == 0; i++) {
		if (g->f[i].dbid < 0)
			continue;
		rc = dev_weight_of(g, t, (int)i, calls, pout, pin, profile, unseen, any, s, err);
		if (rc)
			break;
		sqlite3_reset(locks);
		sqlite3_bind_int64(locks, 1, g->f[i].dbid);
		while ((rc = sqlite3_step(locks)) == SQLITE_ROW) {
			char *id = lock_identity(col(locks, 1));
			struct kc_sb site = { 0 };

			if (!id)
				continue;
			kc_sb_addf(&site, "%s(%s) at %s:%d:%d", col(locks, 0), col(locks, 1), col(locks, 2),
				   sqlite3_column_int(locks, 3), sqlite3_column_int(locks, 4));
			kc_part_graph_add_lock(g, (int)i, id, site.s);
			kc_sb_free(&site);
			free(id);
		}
		rc = rc == SQLITE_DONE ? 0 : sql_fail(err, s, "reading spinlocks");
	}
cleanup:
	sqlite3_finalize(calls);
	sqlite3_finalize(pout);
	sqlite3_finalize(pin);
	sqlite3_finalize(locks);
	return rc;
}

/* ---- data-path state (kc_part_datapath_facts; the constraints are in solve.c) ---- */

static const char *const sql_dp_access =
	"SELECT a.struct_name, a.field, a.mode, fl.path, a.line, a.col, "
	"(SELECT fd.kind FROM field fd JOIN struct st ON st.id = fd.struct_id "
	" WHERE st.name = a.struct_name AND fd.name = a.field LIMIT 1) "
	"FROM field_access a LEFT JOIN file fl ON fl.id = a.file_id WHERE a.func_id = ?1 "
	"ORDER BY a.line, a.col, a.id";
static const char *const sql_dp_alloc =
	"SELECT a.store_struct, a.store_field, a.allocator, fl.path, a.line, a.col FROM alloc a "
	"LEFT JOIN file fl ON fl.id = a.file_id WHERE a.func_id = ?1 AND a.store_kind = 'field' "
	"AND a.store_struct IS NOT NULL AND a.store_field IS NOT NULL AND a.kind = 'mem' ORDER BY a.id";
/* a heap free whose argument is a field (kfree(adapter->tx_ring)): the field read on the free's line */
static const char *const sql_dp_free =
	"SELECT DISTINCT a.struct_name, a.field, callee.name, fl.path, c.line, c.col FROM call c "
	"JOIN func callee ON callee.id = c.callee_id JOIN field_access a ON a.func_id = c.caller_id "
	"AND a.line = c.line AND a.file_id IS c.file_id AND a.mode = 'read' AND a.col > c.col "
	"LEFT JOIN file fl ON fl.id = c.file_id WHERE c.caller_id = ?1 AND c.kind = 'direct' "
	"AND callee.name IN ('kfree', 'kvfree', 'vfree', 'kfree_sensitive', 'kzfree', 'devm_kfree') "
	"ORDER BY c.line, c.col";
static const char *const sql_dp_regs =
	"SELECT r.kind, COALESCE(r.struct_name, ''), COALESCE(r.field, ''), COALESCE(r.api, '') "
	"FROM registration r WHERE r.func_id = ?1 ORDER BY r.id";
static const char *const sql_dp_irq =
	"SELECT r.api, fl.path, r.line, r.col FROM registration r LEFT JOIN file fl ON fl.id = r.file_id "
	"WHERE r.by_func_id = ?1 AND r.api LIKE '%irq%' ORDER BY r.id LIMIT 1";

static void fa_add(struct kc_part_func *f, const char *st, const char *field, char mode, const char *site)
{
	struct kc_sb key = { 0 };

	kc_sb_addf(&key, "%s.%s", st, field);
	f->fa = kc_xrealloc(f->fa, (f->nfa + 1) * sizeof(*f->fa));
	f->fa[f->nfa].key = kc_sb_steal(&key);
	f->fa[f->nfa].site = kc_xstrdup(site);
	f->fa[f->nfa].mode = mode;
	f->nfa++;
}

int kc_part_datapath_facts(struct kc_part_graph *g, sqlite3 *s, const struct kc_part_templates *t,
			   struct kc_err *err)
{
	const struct kc_part_rule *r = NULL;
	const char *fam = kc_part_graph_family(g);
	sqlite3_stmt *acc = NULL, *al = NULL, *regs = NULL, *irq = NULL, *fr = NULL;
	size_t i, k;
	int rc = 0;

	if (g->device_access == KC_PART_DEV_NONE)
		return 0; /* under none the register/DMA rules keep the data path's set-up in the kernel */
	for (k = 0; k < t->n && !r; k++)
		if (t->rules[k].kind == RULE_K_DATAPATH && !(t->rules[k].unless_da & (1u << g->device_access)) &&
		    (!strcmp(t->rules[k].family, "generic") || !strcmp(t->rules[k].family, fam)))
			r = &t->rules[k];
	if (!r)
		return 0;
	{
		struct kc_sb sb = { 0 };

		kc_sb_addf(&sb, "%s (%s template)", r->label, r->family);
		g->dp_rule = kc_sb_steal(&sb);
		g->dp_synced = r->dp_synced;
	}
	if ((rc = prep(s, sql_dp_access, &acc, err)) || (rc = prep(s, sql_dp_alloc, &al, err)) ||
	    (rc = prep(s, sql_dp_regs, &regs, err)) || (rc = prep(s, sql_dp_irq, &irq, err)) ||
	    (rc = prep(s, sql_dp_free, &fr, err)))
		goto cleanup;
	for (i = 0; i < g->nf && rc == 0; i++) {
		struct kc_part_func *f = &g->f[i];
		struct kc_sb site = { 0 };

		if (f->dbid < 0)
			continue;
		sqlite3_reset(acc);
		sqlite3_bind_int64(acc, 1, f->dbid);
		while ((rc = sqlite3_step(acc)) == SQLITE_ROW) {
			const char *mode = col(acc, 2), *kind = col(acc, 6);
			char m = !strcmp(mode, "read") ? 'r' : !strcmp(mode, "write") ? 'w' : 'a';

			/* &adapter->flags handed to set_bit, &ring->count to validate_option: a write by
			 * the callee; &adapter->hw (a struct) is not: the callee's own accesses count */
			if (m == 'a' && strcmp(kind, "scalar") && strcmp(kind, "pointer") && strcmp(kind, "enum") &&
			    strcmp(kind, "bitfield"))
				continue;
			kc_sb_free(&site);
			kc_sb_addf(&site, "%s:%d:%d", col(acc, 3), sqlite3_column_int(acc, 4), sqlite3_column_int(acc, 5));
			fa_add(f, col(acc, 0), col(acc, 1), m, site.s);
		}
		rc = rc == SQLITE_DONE ? 0 : sql_fail(err, s, "reading field accesses (data-path state)");
		sqlite3_reset(al);
		sqlite3_bind_int64(al, 1, f->dbid);
		while (rc == 0 && sqlite3_step(al) == SQLITE_ROW) {
			kc_sb_free(&site);
			kc_sb_addf(&site, "%s at %s:%d:%d", col(al, 2), col(al, 3), sqlite3_column_int(al, 4),
				   sqlite3_column_int(al, 5));
			fa_add(f, col(al, 0), col(al, 1), 'n', site.s);
		}
		if (rc == 0 && sqlite3_errcode(s) != SQLITE_OK && sqlite3_errcode(s) != SQLITE_DONE &&
		    sqlite3_errcode(s) != SQLITE_ROW)
			rc = sql_fail(err, s, "reading allocations (data-path state)");
		sqlite3_reset(fr);
		sqlite3_bind_int64(fr, 1, f->dbid);
		while (rc == 0 && sqlite3_step(fr) == SQLITE_ROW) {
			kc_sb_free(&site);
			kc_sb_addf(&site, "%s at %s:%d:%d", col(fr, 2), col(fr, 3), sqlite3_column_int(fr, 4),
				   sqlite3_column_int(fr, 5));
			fa_add(f, col(fr, 0), col(fr, 1), 'f', site.s);
		}
		if (rc == 0 && sqlite3_errcode(s) != SQLITE_OK && sqlite3_errcode(s) != SQLITE_DONE &&
		    sqlite3_errcode(s) != SQLITE_ROW)
			rc = sql_fail(err, s, "reading frees (data-path state)");
		sqlite3_reset(regs);
		sqlite3_bind_int64(regs, 1, f->dbid);
		while (rc == 0 && sqlite3_step(regs) == SQLITE_ROW) {
			const char *kind = col(regs, 0);
			struct kc_sb slot = { 0 }, what = { 0 };
			int setup;

			kc_sb_addf(&slot, "%s.%s", col(regs, 1), col(regs, 2));
			setup = kc_part_in_list(r->a, kind) || (!strcmp(kind, "slot") && kc_part_in_list(r->a, slot.s));
			if (!strcmp(kind, "slot"))
				kc_sb_addf(&what, "registered as %s", slot.s);
			else if (!strcmp(kind, "arg"))
				kc_sb_addf(&what, "passed to %s", col(regs, 3));
			else
				kc_sb_addf(&what, "registered as %s", kind);
			if (f->entry != DP_LIVE && (setup ? DP_SETUP : DP_LIVE) >= f->entry) {
				if (f->entry != (setup ? DP_SETUP : DP_LIVE)) {
					free(f->entry_what);
					f->entry_what = kc_sb_steal(&what);
				}
				f->entry = setup ? DP_SETUP : DP_LIVE;
			}
			kc_sb_free(&slot);
			kc_sb_free(&what);
		}
		if (rc == 0 && sqlite3_errcode(s) != SQLITE_OK && sqlite3_errcode(s) != SQLITE_DONE &&
		    sqlite3_errcode(s) != SQLITE_ROW)
			rc = sql_fail(err, s, "reading registrations (data-path state)");
		sqlite3_reset(irq);
		sqlite3_bind_int64(irq, 1, f->dbid);
		if (rc == 0 && (rc = sqlite3_step(irq)) == SQLITE_ROW) {
			kc_sb_free(&site);
			kc_sb_addf(&site, "%s at %s:%d:%d", col(irq, 0), col(irq, 1), sqlite3_column_int(irq, 2),
				   sqlite3_column_int(irq, 3));
			f->irq_site = kc_sb_steal(&site);
		}
		rc = rc == 0 || rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
			sql_fail(err, s, "reading IRQ requests (data-path state)");
		kc_sb_free(&site);
	}
cleanup:
	sqlite3_finalize(acc);
	sqlite3_finalize(al);
	sqlite3_finalize(regs);
	sqlite3_finalize(irq);
	sqlite3_finalize(fr);
	return rc;
}
