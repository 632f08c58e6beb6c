/*
 * store.c - named partitions in the database (tables partition, partition_func), and the two
 * ways of showing one: the `why` chain of a function and the DOT call graph.
 *
 * A partition row carries the parameters as JSON (alpha, beta, budget, solver, pins, profile,
 * family) and the summary numbers; partition_func has each function's side, reason and the
 * human-readable explanation computed when it was solved, so `kcut why` on a stored partition
 * prints exactly what the solve decided.
 */
#include "part_int.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static int db_fail(struct kc_err *err, sqlite3 *s, const char *what)
{
	return kc_err_set(err, KC_EDB, "%s: %s", what, sqlite3_errmsg(s));
}

static const char *solver_name(int s)
{
	static const char *const names[] = { "auto", "maxflow", "z3", "brute" };

	return s >= 0 && s < 4 ? names[s] : "auto";
}

int kc_part_exists(struct kc_db *db, const char *name, struct kc_err *err)
{
	sqlite3 *s = kc_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s, "SELECT 1 FROM partition WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "looking up partition '%s': %s", name, sqlite3_errmsg(s));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "looking up partition '%s': %s", name, sqlite3_errmsg(s));
	return rc == SQLITE_ROW;
}

int kc_part_store(struct kc_db *db, const struct kc_part_graph *g, const struct kc_part_opts *o,
		  const char *profile, const struct kc_part_result *r, const char *name, struct kc_err *err)
{
	sqlite3 *s = kc_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	json_t *params = json_object(), *pins = json_array();
	char *ptext = NULL;
	long long pid;
	size_t i;
	int rc;

	json_object_set_new(params, "alpha", json_real(o->alpha));
	json_object_set_new(params, "beta", json_real(o->beta));
	json_object_set_new(params, "budget", json_integer(o->budget));
	json_object_set_new(params, "max_kernel_funcs", json_integer(o->max_funcs));
	json_object_set_new(params, "solver", json_string(o->mode == KC_PART_MINCUT ? r->st.solver : "propagate"));
	json_object_set_new(params, "requested_solver", json_string(solver_name(o->solver)));
	for (i = 0; i < o->n_pins; i++) {
		struct kc_sb sb = { 0 };

		kc_sb_addf(&sb, "%s=%s", o->pins[i].func, o->pins[i].side == KC_PART_KERNEL ? "kernel" : "user");
		json_array_append_new(pins, json_string(sb.s));
		kc_sb_free(&sb);
	}
	json_object_set_new(params, "pins", pins);
	json_object_set_new(params, "profile", profile ? json_string(profile) : json_null());
	json_object_set_new(params, "family", json_string(kc_part_graph_family(g)));
	{
		/* functions the templates' kernel rules kept in the kernel (0: none, or --no-kernel-rules) */
		json_int_t nk = 0;

		for (i = 0; i < g->nf; i++)
			nk += g->f[i].kernel_rule != NULL;
		json_object_set_new(params, "kernel_rules", json_integer(nk));
	}
	/* how the user half reaches the device (the emitter reads it); register downcalls priced */
	json_object_set_new(params, "device_access", json_string(kc_part_devaccess_name(g->device_access)));
	json_object_set_new(params, "device_weight", json_real(r->st.dev_weight));
	json_object_set_new(params, "import_weight", json_real(r->st.imp_weight));
	/* replication asked for (replica.c); the replicated functions go to partition_replica */
	json_object_set_new(params, "replicate", json_boolean(r->replicate));
	/* combo: the spinlocks made combolocks (locks.c; kcut emit refuses them for now) */
	if (r->o.combolocks) {
		json_t *cl = json_array();
		size_t k;

		for (k = 0; k < r->ncombo; k++)
			if (r->combo[k].applied)
				json_array_append_new(cl, json_string(r->combo[k].lock));
		json_object_set_new(params, "combolocks", cl);
	}
	ptext = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(params);

	rc = kc_db_exec(db, "BEGIN IMMEDIATE", err);
	if (rc < 0)
		goto cleanup;
	if (sqlite3_prepare_v2(s, "DELETE FROM partition_func WHERE partition_id IN (SELECT id FROM partition WHERE name = ?1);"
				  , -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s, "DELETE FROM partition WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s, "INSERT INTO partition (name, mode, params, family, solve_ms, kernel_funcs, kernel_loc, "
				  "user_funcs, user_loc, cut_edges, cut_weight) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, o->mode == KC_PART_MINCUT ? "mincut" : "propagate", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ptext, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, kc_part_graph_family(g), -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, r->st.solve_ms);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)r->st.kernel_funcs);
	sqlite3_bind_int64(st, 7, r->st.kernel_loc);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)r->st.user_funcs);
	sqlite3_bind_int64(st, 9, r->st.user_loc);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)r->st.cut_edges);
	sqlite3_bind_double(st, 11, r->st.cut_weight);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	pid = sqlite3_last_insert_rowid(s);
	if (sqlite3_prepare_v2(s, "INSERT INTO partition_func (partition_id, func_id, side, reason, detail) VALUES (?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	for (i = 0; i < g->nf; i++) {
		if (g->f[i].dbid < 0)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_int64(st, 2, g->f[i].dbid);
		sqlite3_bind_text(st, 3, r->side[i] ? "kernel" : "user", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, kc_part_reason_name(r->reason[i]), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, kc_part_result_detail(r, (int)i), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto dberr;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s, "INSERT INTO partition_replica (partition_id, func_id, detail) VALUES (?,?,?)", -1, &st,
			       NULL) != SQLITE_OK)
		goto dberr;
	for (i = 0; i < g->nf; i++) {
		if (g->f[i].dbid < 0 || !kc_part_result_replicated(r, (int)i))
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, pid);
		sqlite3_bind_int64(st, 2, g->f[i].dbid);
		sqlite3_bind_text(st, 3, g->f[i].repl_why, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto dberr;
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = kc_db_exec(db, "COMMIT", err);
	goto cleanup;
dberr:
	rc = db_fail(err, s, "storing the partition");
	sqlite3_finalize(st);
	st = NULL;
	kc_db_exec(db, "ROLLBACK", NULL);
cleanup:
	free(ptext);
	return rc;
}

int kc_part_stored_device_access(struct kc_db *db, const char *name, int *mode, struct kc_err *err)
{
	sqlite3 *s = kc_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	json_t *params = NULL, *da;
	int rc = 0;

	*mode = KC_PART_DEV_NONE;
	if (sqlite3_prepare_v2(s, name ? "SELECT params FROM partition WHERE name = ?"
				       : "SELECT params FROM partition ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, s, "reading partitions");
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (name)
			return kc_err_set(err, KC_ENOTFOUND, "no partition named '%s' (run kcut partition --name %s)", name, name);
		return kc_err_set(err, KC_ENOTFOUND, "the database holds no partition yet (run kcut partition)");
	}
	if (sqlite3_column_text(st, 0))
		params = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_finalize(st);
	da = params ? json_object_get(params, "device_access") : NULL;
	if (da && (!json_is_string(da) || (*mode = kc_part_devaccess_parse(json_string_value(da))) < 0)) {
		*mode = KC_PART_DEV_NONE;
		rc = kc_err_set(err, KC_EPARSE, "partition %s%s%s: bad \"device_access\" in its parameters",
				name ? "'" : "", name ? name : "(newest)", name ? "'" : "");
	}
	json_decref(params);
	return rc;
}

static int reason_code(const char *s)
{
	int i;

	for (i = 0; i <= KC_PART_R_DEFAULT; i++)
		if (!strcmp(s, kc_part_reason_name(i)))
			return i;
	return KC_PART_R_DEFAULT;
}

/* The stored replicated functions of partition pid (a database made before table partition_replica
 * has none: a read-only open does not add it). */
static int load_replicas(sqlite3 *s, long long pid, const struct kc_part_graph *g, struct kc_part_result *r,
			 int replicate, struct kc_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, have;

	r->replicate = replicate;
	if (sqlite3_prepare_v2(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'partition_replica'",
			       -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_fail(err, s, "reading the partition");
	}
	have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	r->replica = kc_xcalloc(g->nf + 1, 1);
	if (!have)
		return 0;
	if (sqlite3_prepare_v2(s, "SELECT func_id FROM partition_replica WHERE partition_id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(err, s, "reading the partition's replicated functions");
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int v = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 0));

		if (v >= 0)
			r->replica[v] = 1;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(err, s, "reading the partition's replicated functions");
}

int kc_part_load(struct kc_part_result **out, struct kc_db *db, const struct kc_part_graph *g,
		 const char *name, struct kc_part_opts *opts_out, char **name_out, char **profile_out,
		 struct kc_err *err)
{
	sqlite3 *s = kc_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	long long pid;
	json_t *params;
	json_error_t jerr;
	char *pname = NULL, *profile = NULL;
	size_t i;
	int rc = 0, replicate = 0;

	*out = NULL;
	if (sqlite3_prepare_v2(s, name ? "SELECT id, name, mode, params FROM partition WHERE name = ?"
				       : "SELECT id, name, mode, params FROM partition ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, s, "reading partitions");
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (name)
			return kc_err_set(err, KC_ENOTFOUND, "no partition named '%s' (run kcut partition --name %s)", name, name);
		return kc_err_set(err, KC_ENOTFOUND, "the database holds no partition yet (run kcut partition)");
	}
	pid = sqlite3_column_int64(st, 0);
	pname = kc_xstrdup((const char *)sqlite3_column_text(st, 1));
	o.mode = !strcmp((const char *)sqlite3_column_text(st, 2), "mincut") ? KC_PART_MINCUT : KC_PART_PROPAGATE;
	params = json_loads((const char *)sqlite3_column_text(st, 3), 0, &jerr);
	sqlite3_finalize(st);
	if (params) {
		json_t *p = json_object_get(params, "profile");

		o.alpha = json_number_value(json_object_get(params, "alpha"));
		o.beta = json_number_value(json_object_get(params, "beta"));
		o.budget = (long)json_integer_value(json_object_get(params, "budget"));
		o.max_funcs = json_is_integer(json_object_get(params, "max_kernel_funcs"))
				      ? (long)json_integer_value(json_object_get(params, "max_kernel_funcs"))
				      : -1;
		if (json_is_string(p))
			profile = kc_xstrdup(json_string_value(p));
		replicate = json_is_true(json_object_get(params, "replicate"));
		o.replicate = replicate; /* the cut counted on it (its move costs do too) */
		o.combolocks = json_is_array(json_object_get(params, "combolocks")); /* combo: locks.c */
		json_decref(params);
	}
	r = kc_part_result_alloc(g, &o);
	r->st.solver = "stored";
	for (i = 0; i < g->nf; i++) {
		r->side[i] = KC_PART_USER;
		r->reason[i] = KC_PART_R_DEFAULT;
	}
	if (sqlite3_prepare_v2(s, "SELECT func_id, side, reason, detail FROM partition_func WHERE partition_id = ?",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(err, s, "reading the partition");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, pid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int v = kc_part_graph_by_dbid(g, sqlite3_column_int64(st, 0));
		const char *d = (const char *)sqlite3_column_text(st, 3);

		if (v < 0)
			continue;
		r->side[v] = !strcmp((const char *)sqlite3_column_text(st, 1), "kernel");
		r->reason[v] = (unsigned char)reason_code((const char *)sqlite3_column_text(st, 2));
		r->detail[v] = kc_xstrdup(d ? d : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = db_fail(err, s, "reading the partition");
		goto cleanup;
	}
	rc = load_replicas(s, pid, g, r, replicate, err);
	if (rc < 0)
		goto cleanup;
	for (i = 0; i < g->nf; i++)
		if (!r->detail[i])
			r->detail[i] = kc_xstrdup("not in the stored partition (the database changed since it was made)");
	kc_part_result_finish(r);
	if (opts_out)
		*opts_out = o;
	if (name_out) {
		*name_out = pname;
		pname = NULL;
	}
	if (profile_out) {
		*profile_out = profile;
		profile = NULL;
	}
	*out = r;
	r = NULL;
cleanup:
	kc_part_result_free(r);
	free(pname);
	free(profile);
	return rc;
}

/* The device-access line of `kcut why`: the backend and what it means for this function. */
static void why_device(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r, int v)
{
	const struct kc_part_func *f = &g->f[v];
	const char *mode = kc_part_devaccess_name(g->device_access);

	kc_sb_addf(out, "  - device access: %s", mode);
	if (g->device_access == KC_PART_DEV_NONE) {
		kc_sb_add(out, f->kernel_rule ? ": the user half cannot reach registers or DMA memory, so the templates' "
						"register/DMA rules pin what touches them\n"
					      : ": the user half cannot reach registers or DMA memory\n");
		return;
	}
	if (f->dev_weight > 0)
		kc_sb_addf(out, ": from the user half its register accesses are downcalls, %s; in the user half they "
				"cost beta*%g = %g\n", f->dev_detail ? f->dev_detail : "weight", f->dev_weight,
			   r->o.beta * f->dev_weight);
	else if (g->device_access == KC_PART_DEV_FORWARD)
		kc_sb_add(out, ": rt forwards the user half's register accesses (downcalls); this function makes none\n");
	else
		kc_sb_add(out, ": registers and DMA memory are mapped into the user half; its accesses cost no crossing\n");
}

/* The kernel-call line of `kcut why`: what the function's calls of kernel functions cost from the
 * user half (downcalls). */
static void why_imports(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r, int v)
{
	const struct kc_part_func *f = &g->f[v];

	double down = f->imp_weight - f->post_weight;

	if (down > 0)
		kc_sb_addf(out, "  - kernel calls: from the user half they are downcalls, %s; in the user half they cost "
				"beta*%g = %g\n", f->imp_detail ? f->imp_detail : "weight", down, r->o.beta * down);
	if (f->post_detail && f->post_weight > 0)
		kc_sb_addf(out, "  - posted kernel calls: from the user half the runtime queues them with its posted "
				"register writes (no crossing of their own), %s; in the user half they cost beta*%g = %g\n",
			   f->post_detail, f->post_weight, r->o.beta * f->post_weight);
	else if (f->post_detail)
		kc_sb_addf(out, "  - posted kernel calls: from the user half the runtime queues them with its posted "
				"register writes (no crossing of their own); %s\n", f->post_detail);
}

void kc_part_why(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r, int v)
{
	const struct kc_part_func *f = &g->f[v];

	kc_sb_addf(out, "%s: %s half (%s), %ld LOC", f->name, r->side[v] ? "kernel" : "user",
		   kc_part_reason_name(r->reason[v]), f->loc);
	if (f->file)
		kc_sb_addf(out, ", defined at %s:%d:%d", f->file, f->line, f->col);
	kc_sb_add(out, "\n");
	kc_sb_addf(out, "  - %s\n", kc_part_result_detail(r, v));
	if (f->root_rule && r->reason[v] != KC_PART_R_ROOT)
		kc_sb_addf(out, "  - also a root: %s\n", f->root_rule);
	if (f->kernel_rule && r->reason[v] != KC_PART_R_PIN)
		kc_sb_addf(out, "  - also a kernel rule: %s\n", f->kernel_rule);
	why_device(out, g, r, v);
	why_imports(out, g, r, v);
	kc_part_replica_why(out, g, r, v); /* replica.c */
	if (r->move[v] == DBL_MAX)
		kc_sb_addf(out, "  - cannot move: %s\n",
			   r->reason[v] == KC_PART_R_PIN ? "pinned (unpin it first)" : "hard constraint");
	else if (r->reason[v] != KC_PART_R_CUT) /* a cut's detail already gives the cost */
		kc_sb_addf(out, "  - moving it to the %s half would change alpha*LOC + beta*crossings by %+.6g "
				"(alpha=%g, beta=%g)\n", r->side[v] ? "user" : "kernel", r->move[v], r->o.alpha, r->o.beta);
}

static void dot_id(struct kc_sb *out, int i)
{
	kc_sb_addf(out, "f%d", i);
}

static void dot_str(struct kc_sb *out, const char *s)
{
	kc_sb_add(out, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			kc_sb_add(out, "\\");
		kc_sb_addn(out, s, 1);
	}
	kc_sb_add(out, "\"");
}

void kc_part_dot(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r, int focus, int depth)
{
	unsigned char *in = kc_xcalloc(g->nf ? g->nf : 1, 1);
	int *dist = kc_xmalloc((g->nf ? g->nf : 1) * sizeof(int));
	size_t i, round;
	int side;

	if (focus < 0) {
		memset(in, 1, g->nf);
	} else {
		/* Undirected distance from focus by repeated relaxation. A round that reaches nothing new
		 * ends it: at most one round per function whatever --depth says. */
		int grew = 1;

		for (i = 0; i < g->nf; i++)
			dist[i] = -1;
		dist[focus] = 0;
		in[focus] = 1;
		for (round = 0; grew && depth > 0 && round < (size_t)depth; round++) {
			grew = 0;
			for (i = 0; i < g->ne; i++) {
				int a = g->e[i].from, b = g->e[i].to;

				if (dist[a] == (int)round && dist[b] < 0)
					dist[b] = (int)round + 1, in[b] = 1, grew = 1;
				if (dist[b] == (int)round && dist[a] < 0)
					dist[a] = (int)round + 1, in[a] = 1, grew = 1;
			}
		}
	}
	kc_sb_add(out, "digraph kcut {\n\trankdir=LR;\n\tnode [shape=box, style=filled, fontname=\"Helvetica\"];\n");
	for (side = 1; side >= 0; side--) {
		kc_sb_addf(out, "\tsubgraph cluster_%s {\n\t\tlabel=\"%s half: %zu functions, %ld LOC\";\n"
				"\t\tcolor=\"%s\";\n\t\tnode [fillcolor=\"%s\"];\n",
			   side ? "kernel" : "user", side ? "kernel" : "user",
			   side ? r->st.kernel_funcs : r->st.user_funcs, side ? r->st.kernel_loc : r->st.user_loc,
			   side ? "#b03a2e" : "#1f618d", side ? "#f5b7b1" : "#aed6f1");
		for (i = 0; i < g->nf; i++) {
			struct kc_sb label = { 0 };

			if (!in[i] || r->side[i] != side)
				continue;
			kc_sb_addf(&label, "%s\n%ld LOC, %s", g->f[i].name, g->f[i].loc, kc_part_reason_name(r->reason[i]));
			if (kc_part_result_replicated(r, (int)i))
				kc_sb_add(&label, "\nreplicated: a copy runs in the user half");
			kc_sb_add(out, "\t\t");
			dot_id(out, (int)i);
			kc_sb_add(out, " [label=");
			dot_str(out, label.s);
			/* a replicated function: two outlines, and the user half's colour as its outline */
			kc_sb_addf(out, "%s%s];\n", kc_part_result_replicated(r, (int)i) ? ", peripheries=2, color=\"#1f618d\"" : "",
				   (int)i == focus ? ", penwidth=3" : "");
			kc_sb_free(&label);
		}
		kc_sb_add(out, "\t}\n");
	}
	for (i = 0; i < g->ne; i++) {
		const struct kc_part_edge *e = &g->e[i];

		if (!in[e->from] || !in[e->to])
			continue;
		kc_sb_add(out, "\t");
		dot_id(out, e->from);
		kc_sb_add(out, " -> ");
		dot_id(out, e->to);
		if (r->side[e->from] != r->side[e->to] && r->side[e->from] == KC_PART_USER &&
		    kc_part_result_replicated(r, e->to))
			kc_sb_addf(out, " [style=dotted, color=\"#1f618d\", label=\"%g, local copy\"]", e->weight);
		else if (r->side[e->from] != r->side[e->to])
			kc_sb_addf(out, " [style=bold, penwidth=3, color=\"#7d3c98\", label=\"%g\"]", e->weight);
		else if (e->spin)
			kc_sb_add(out, " [style=dashed, label=\"lock\"]");
		kc_sb_add(out, ";\n");
	}
	kc_sb_add(out, "}\n");
	free(in);
	free(dist);
}

void kc_part_summary(struct kc_sb *out, const struct kc_part_graph *g, const struct kc_part_result *r,
		     size_t max_boundary)
{
	const struct kc_part_stats *st = &r->st;
	double tl = (double)(st->kernel_loc + st->user_loc), tf = (double)(st->kernel_funcs + st->user_funcs);
	size_t i, shown = 0;

	kc_sb_addf(out, "  kernel: %zu functions (%.1f%%), %ld LOC (%.1f%%)\n", st->kernel_funcs,
		   tf > 0 ? 100.0 * (double)st->kernel_funcs / tf : 0.0, st->kernel_loc,
		   tl > 0 ? 100.0 * (double)st->kernel_loc / tl : 0.0);
	kc_sb_addf(out, "  user:   %zu functions (%.1f%%), %ld LOC (%.1f%%)\n", st->user_funcs,
		   tf > 0 ? 100.0 * (double)st->user_funcs / tf : 0.0, st->user_loc,
		   tl > 0 ? 100.0 * (double)st->user_loc / tl : 0.0);
	if (g->device_access == KC_PART_DEV_NONE)
		kc_sb_addf(out, "  crossing edges: %zu, weight %g; kernel-call downcalls: %zu user functions, weight %g; "
				"cost alpha*LOC + beta*(weight + downcalls) = %g\n", st->cut_edges, st->cut_weight,
			   st->imp_funcs, st->imp_weight, st->cost);
	else if (st->repl_saved > 1e-9)
		kc_sb_addf(out, "  crossing edges: %zu, weight %g, of which %g saved by replicas (calls of replicated "
				"functions cost their copies' register downcalls); register downcalls (device access %s): "
				"%zu user functions, weight %g; kernel-call downcalls: %zu user functions, weight %g; "
				"cost alpha*LOC + beta*(weight - saved + downcalls) = %g\n",
			   st->cut_edges, st->cut_weight, st->repl_saved, kc_part_devaccess_name(g->device_access),
			   st->dev_funcs, st->dev_weight, st->imp_funcs, st->imp_weight, st->cost);
	else
		kc_sb_addf(out, "  crossing edges: %zu, weight %g; register downcalls (device access %s): %zu user "
				"functions, weight %g; kernel-call downcalls: %zu user functions, weight %g; "
				"cost alpha*LOC + beta*(weight + downcalls) = %g\n",
			   st->cut_edges, st->cut_weight, kc_part_devaccess_name(g->device_access), st->dev_funcs,
			   st->dev_weight, st->imp_funcs, st->imp_weight, st->cost);
	kc_part_replica_summary(out, g, r); /* replica.c */
	if (g->duration_s > 0)
		kc_sb_addf(out, "  expected crossings: %.1f per second (profile of %g s)\n", st->cut_weight / g->duration_s,
			   g->duration_s);
	/* Boundary functions: kernel entry points the user half calls, user functions the kernel calls. */
	{
		unsigned char *mark = kc_xcalloc(g->nf + 1, 1);
		int side;

		for (i = 0; i < g->ne; i++)
			if (r->side[g->e[i].from] != r->side[g->e[i].to])
				mark[g->e[i].to] = 1;
		for (side = 1; side >= 0; side--) {
			size_t n = 0, k;

			for (k = 0; k < g->nf; k++)
				n += mark[k] && r->side[k] == side;
			if (!n)
				continue;
			kc_sb_addf(out, "  %s functions called from the %s half (%zu):", side ? "kernel" : "user",
				   side ? "user" : "kernel", n);
			for (shown = 0, k = 0; k < g->nf; k++) {
				if (!mark[k] || r->side[k] != side)
					continue;
				if (shown++ == 12) {
					kc_sb_add(out, " ...");
					break;
				}
				kc_sb_addf(out, " %s", g->f[k].name);
			}
			kc_sb_add(out, "\n");
		}
		free(mark);
		shown = 0;
	}
	if (st->cut_edges)
		kc_sb_add(out, "  boundary (caller -> callee, weight):\n");
	for (i = 0; i < g->ne; i++) {
		const struct kc_part_edge *e = &g->e[i];

		if (r->side[e->from] == r->side[e->to])
			continue;
		if (shown++ == max_boundary) {
			kc_sb_addf(out, "    ... %zu more\n", st->cut_edges - max_boundary);
			break;
		}
		kc_sb_addf(out, "    %s %s -> %s %s (%g)%s\n", r->side[e->from] ? "kernel" : "user", g->f[e->from].name,
			   r->side[e->to] ? "kernel" : "user", g->f[e->to].name, e->weight,
			   kc_part_result_replicated(r, e->to) ? " replicated: called locally" : "");
	}
}
