/*
 * bench_main.c - kc_part_bench, the timing driver behind bench/partition.sh (not a test).
 *
 *   kc_part_bench synthetic EDGES [SEED]   one min-cut (igraph max-flow) on a random call graph
 *                                          with EDGES edges and EDGES/10 functions
 *   kc_part_bench db FILE [RUNS]           min-cut on a real analyzed driver (best of RUNS), plus
 *                                          a LOC-budget solve (beta 5, budget halfway between the
 *                                          hard closure and the unconstrained optimum), --solver
 *                                          auto and Z3 alone
 * Prints "name value" lines the script turns into a table.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "partitioner.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned long long rng = 88172645463325252ULL;

static unsigned long long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int synthetic(long edges)
{
	struct kc_part_graph *g = kc_part_graph_new();
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_part_stats st;
	struct kc_err err = { 0 };
	long n = edges / 10 > 2 ? edges / 10 : 2, i;
	double t0, t1;
	char name[32];

	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%ld", i);
		kc_part_graph_add_func(g, name, 5 + (long)(rnd() % 80));
	}
	/* Mostly local calls (a driver's call graph is clustered), some long-range ones. */
	for (i = 0; i < edges; i++) {
		long a = (long)(rnd() % (unsigned long long)n);
		long b = rnd() % 4 ? (a + 1 + (long)(rnd() % 50)) % n : (long)(rnd() % (unsigned long long)n);

		if (a == b)
			b = (b + 1) % n;
		kc_part_graph_add_call(g, (int)a, (int)b, (double)(1 + rnd() % 3) * (rnd() % 5 ? 1 : 10), 0);
	}
	for (i = 0; i < n / 200 + 1; i++)
		kc_part_graph_add_root(g, (int)(rnd() % (unsigned long long)n), 0, "synthetic root");
	t1 = now_ms();
	o.beta = 4;
	if (kc_part_solve(&r, g, &o, &err) < 0) {
		fprintf(stderr, "kc_part_bench: %s\n", err.msg);
		return 1;
	}
	kc_part_result_stats(r, &st);
	printf("synthetic_funcs %ld\nsynthetic_edges %zu\nsynthetic_build_ms %.1f\nsynthetic_mincut_ms %.1f\n"
	       "synthetic_kernel_funcs %zu\n", n, kc_part_graph_nedges(g), t1 - t0, st.solve_ms, st.kernel_funcs);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	return 0;
}

static int real(const char *path, int runs)
{
	struct kc_db *db = NULL;
	struct kc_part_templates *t = NULL;
	struct kc_part_graph *g = NULL;
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_part_stats st, hard, opt;
	struct kc_err err = { 0 };
	double best = 1e30;
	int i, rc = 1;

	if (kc_db_open(&db, path, 0, &err) < 0 || kc_part_templates_load(&t, NULL, &err) < 0 ||
	    kc_part_graph_load(&g, db, t, NULL, NULL, &err) < 0)
		goto out;
	o.beta = 0;
	if (kc_part_solve(&r, g, &o, &err) < 0)
		goto out;
	kc_part_result_stats(r, &hard);
	kc_part_result_free(r);
	o.beta = 1;
	for (i = 0; i < runs; i++) {
		if (kc_part_solve(&r, g, &o, &err) < 0)
			goto out;
		kc_part_result_stats(r, &opt);
		if (opt.solve_ms < best)
			best = opt.solve_ms;
		kc_part_result_free(r);
		r = NULL;
	}
	printf("db_funcs %zu\ndb_edges %zu\ndb_mincut_ms %.3f\n", kc_part_graph_nfuncs(g), kc_part_graph_nedges(g), best);
	o.beta = 5;
	if (kc_part_solve(&r, g, &o, &err) < 0)
		goto out;
	kc_part_result_stats(r, &opt);
	kc_part_result_free(r);
	o.budget = hard.kernel_loc + (opt.kernel_loc - hard.kernel_loc) / 2;
	if (kc_part_solve(&r, g, &o, &err) < 0)
		goto out;
	kc_part_result_stats(r, &st);
	printf("db_budget %ld\ndb_z3_ms %.1f\ndb_z3_kernel_loc %ld\n", o.budget, st.solve_ms, st.kernel_loc);
	/* the same budget forced through Z3 alone (no Lagrangian shortcut) */
	o.solver = KC_PART_SOLVER_Z3;
	kc_part_result_free(r);
	r = NULL;
	if (kc_part_solve(&r, g, &o, &err) < 0)
		goto out;
	kc_part_result_stats(r, &st);
	printf("db_z3only_ms %.1f\n", st.solve_ms);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "kc_part_bench: %s\n", err.msg);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	kc_part_templates_free(t);
	if (db)
		kc_db_close(db);
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "synthetic"))
		return synthetic(atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "db"))
		return real(argv[2], argc > 3 ? atoi(argv[3]) : 5);
	fprintf(stderr, "usage: kc_part_bench synthetic EDGES | db FILE [RUNS]\n");
	return 2;
}
