/*
 * test_property.c - the SQLite-style self-test of the solvers: on 300 random small graphs (random
 * LOC, weights, roots, lock sites, pins, replicable functions, alpha and beta), max-flow, Z3 and
 * brute force must report
 * the same optimum, and each assignment must cost what its solver claims. With a LOC budget, Z3
 * and brute force must agree. Then one deliberate fault (the max-flow network loses an edge) must
 * be caught by the same checker, proving the comparison can fail.
 */
#include <math.h>
#include <string.h>

#include "kc_test.h"
#include "part_fixture.h"

#define N_GRAPHS 300

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static struct kc_part_graph *random_graph(char names[][16])
{
	struct kc_part_graph *g = kc_part_graph_new();
	int n = 2 + (int)rnd(10), i, j;

	for (i = 0; i < n; i++) {
		snprintf(names[i], 16, "f%d", i);
		kc_part_graph_add_func(g, names[i], (long)rnd(60));
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j && rnd(100) < 25)
				kc_part_graph_add_call(g, i, j, rnd(4) ? (double)rnd(30) : rnd(1000) / 7.0, rnd(100) < 4);
	for (i = 0; i < n; i++)
		if (rnd(100) < 15)
			kc_part_graph_add_root(g, i, (int)rnd(2), "random root");
	/* replicable functions (replica.c): a call from the user half into one costs its copy's
	 * register downcalls per call (kc_part_edge_cost), which the three solvers must price alike */
	for (i = 0; i < n; i++)
		if (rnd(100) < 20) {
			kc_part_graph_set_dev_weight(g, i, rnd(3) ? rnd(10) / 10.0 : (double)rnd(3), NULL);
			kc_part_graph_set_replicable(g, i, 1, "random replicable");
		}
	return g;
}

static int close_enough(double a, double b)
{
	return fabs(a - b) <= 1e-6 * (1 + fabs(a) + fabs(b));
}

/* Solve with one solver; returns rc and the objective (the solver's own claim). Also checks that
 * the assignment costs what is claimed and respects the budget. */
static int run(const struct kc_part_graph *g, struct kc_part_opts *o, int solver, double *obj, int *consistent)
{
	struct kc_part_result *r = NULL;
	struct kc_part_stats st;
	struct kc_err err = { 0 };
	int rc;

	o->solver = solver;
	rc = kc_part_solve(&r, g, o, &err);
	if (rc < 0)
		return rc;
	kc_part_result_stats(r, &st);
	*obj = kc_part_result_objective(r);
	*consistent = close_enough(st.cost, *obj) && (o->budget < 0 || st.kernel_loc <= o->budget);
	kc_part_result_free(r);
	return 0;
}

static void test_agree(void)
{
	static const double alphas[] = { 0, 0.5, 1, 2 }, betas[] = { 0, 0.3, 1, 5 };
	char names[16][16];
	int k, agree = 0, budget_cases = 0, conflicts = 0;

	for (k = 0; k < N_GRAPHS; k++) {
		struct kc_part_graph *g = random_graph(names);
		struct kc_part_opts o = KC_PART_OPTS_INIT;
		struct kc_part_pin pins[2];
		double vm = 0, vz = 0, vb = 0;
		int rm, rz, rb, cm = 0, cz = 0, cb = 0, n = (int)kc_part_graph_nfuncs(g);

		o.alpha = alphas[rnd(4)];
		o.beta = betas[rnd(4)];
		if (rnd(3) == 0) {
			pins[0].func = names[rnd((unsigned)n)];
			pins[0].side = (int)rnd(2);
			o.pins = pins;
			o.n_pins = 1;
		}
		rm = run(g, &o, KC_PART_SOLVER_MAXFLOW, &vm, &cm);
		rz = run(g, &o, KC_PART_SOLVER_Z3, &vz, &cz);
		rb = run(g, &o, KC_PART_SOLVER_BRUTE, &vb, &cb);
		KC_CHECK_EQ_INT(rm, rb);
		KC_CHECK_EQ_INT(rz, rb);
		if (rb == KC_ECONFLICT) {
			conflicts++;
		} else if (rb == 0) {
			KC_CHECK(cm && cz && cb);
			if (close_enough(vm, vb) && close_enough(vz, vb))
				agree++;
			else
				fprintf(stderr, "graph %d: maxflow %.9g z3 %.9g brute %.9g\n", k, vm, vz, vb);
		}
		/* A LOC budget: only Z3 and brute force. */
		if (rb == 0 && rnd(2)) {
			long total = 0;
			int i;

			for (i = 0; i < n; i++)
				total += kc_part_graph_loc(g, i);
			o.budget = (long)rnd((unsigned)total + 1);
			/* and sometimes a cardinality limit, alone or with the budget */
			if (rnd(3) == 0)
				o.max_funcs = (long)rnd((unsigned)n + 1);
			if (o.max_funcs >= 0 && rnd(2))
				o.budget = -1;
			rz = run(g, &o, KC_PART_SOLVER_Z3, &vz, &cz);
			rb = run(g, &o, KC_PART_SOLVER_BRUTE, &vb, &cb);
			/* auto: Lagrangian max-flow, then Z3 unless its bounds already prove the optimum */
			rm = run(g, &o, KC_PART_SOLVER_AUTO, &vm, &cm);
			KC_CHECK_EQ_INT(rz, rb);
			KC_CHECK_EQ_INT(rm, rb);
			if (rz == 0 && rb == 0 && rm == 0) {
				KC_CHECK(cz && cb && cm);
				KC_CHECK(close_enough(vz, vb));
				KC_CHECK(close_enough(vm, vb));
				if (!close_enough(vz, vb) || !close_enough(vm, vb))
					fprintf(stderr, "budget graph %d: z3 %.9g auto %.9g brute %.9g\n", k, vz, vm, vb);
				budget_cases++;
			}
		}
		kc_part_graph_free(g);
	}
	printf("%d graphs agree (%d with conflicting pins), %d budget solves agree\n", agree, conflicts, budget_cases);
	KC_CHECK(agree >= 200);
	KC_CHECK(budget_cases >= 50);
}

/* The checker must be able to fail: perturb the max-flow network and expect disagreements. */
static void test_injected_fault_is_caught(void)
{
	char names[16][16];
	int k, caught = 0, compared = 0;

	for (k = 0; k < N_GRAPHS; k++) {
		struct kc_part_graph *g = random_graph(names);
		struct kc_part_opts o = KC_PART_OPTS_INIT;
		double vm = 0, vb = 0;
		int cm, cb;

		o.beta = 1;
		o.fault_inject = 1;
		if (run(g, &o, KC_PART_SOLVER_MAXFLOW, &vm, &cm) == 0 && run(g, &o, KC_PART_SOLVER_BRUTE, &vb, &cb) == 0) {
			compared++;
			if (!close_enough(vm, vb) || !cm)
				caught++;
		}
		kc_part_graph_free(g);
	}
	printf("injected fault caught on %d of %d graphs\n", caught, compared);
	KC_CHECK(caught > 0);
}

int main(void)
{
	KC_RUN(test_agree);
	KC_RUN(test_injected_fault_is_caught);
	return kc_test_done();
}
