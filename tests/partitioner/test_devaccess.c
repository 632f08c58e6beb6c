/*
 * test_devaccess.c - --device-access none|forward|mapped (issue 13 item 4) on a hand-made database
 * (fixtures/devaccess.sql) with the built-in templates: the tags of 'kernel' rules (parsing, bad
 * values), which rules pin under each mode, the spinlock constraint under forward/mapped, the
 * register-downcall cost under forward (static and profiled) deciding a side, the stored
 * "device_access" parameter, the why line, and max-flow = Z3 = brute force with downcall weights.
 */
#include <stdio.h>
#include <string.h>

#include "kc_test.h"
#include "part_fixture.h"

static struct kc_part_templates *T;

static struct kc_part_graph *load(struct kc_db *db, int mode, const char *profile)
{
	struct kc_part_load lo = KC_PART_LOAD_INIT;
	struct kc_part_graph *g = NULL;
	struct kc_err err = { 0 };

	lo.device_access = mode;
	lo.profile = profile;
	if (kc_part_graph_load_ex(&g, db, T, &lo, &err) < 0)
		fprintf(stderr, "load (%s): %s\n", kc_part_devaccess_name(mode), err.msg);
	return g;
}

static struct kc_part_result *solve(const struct kc_part_graph *g)
{
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_err err = { 0 };

	if (kc_part_solve(&r, g, &o, &err) < 0)
		fprintf(stderr, "solve: %s\n", err.msg);
	return r;
}

static int side_of(const struct kc_part_graph *g, const struct kc_part_result *r, const char *fn)
{
	int v = kc_part_graph_find(g, fn);

	KC_CHECK(v >= 0);
	return v >= 0 ? kc_part_result_side(r, v) : -1;
}

static int reason_of(const struct kc_part_graph *g, const struct kc_part_result *r, const char *fn)
{
	return kc_part_result_reason(r, kc_part_graph_find(g, fn));
}

static const char *rule_of(const struct kc_part_graph *g, const char *fn)
{
	return kc_part_graph_kernel_rule(g, kc_part_graph_find(g, fn));
}

static void test_names(void)
{
	KC_CHECK_EQ_STR(kc_part_devaccess_name(KC_PART_DEV_NONE), "none");
	KC_CHECK_EQ_STR(kc_part_devaccess_name(KC_PART_DEV_FORWARD), "forward");
	KC_CHECK_EQ_STR(kc_part_devaccess_name(KC_PART_DEV_MAPPED), "mapped");
	KC_CHECK(kc_part_devaccess_name(3) == NULL && kc_part_devaccess_name(-1) == NULL);
	KC_CHECK_EQ_INT(kc_part_devaccess_parse("mapped"), KC_PART_DEV_MAPPED);
	KC_CHECK_EQ_INT(kc_part_devaccess_parse("Forward"), -1);
	KC_CHECK_EQ_INT(kc_part_devaccess_parse(""), -1);
}

/* Tags: accepted where they belong, a clear file:line error otherwise. */
static void test_tags(void)
{
	static const struct {
		const char *text, *expect;
	} bad[] = {
		{ "family f\nkernel calls readl unless-device-access=bogus x\n",
		  "x.tmpl:2: 'unless-device-access=bogus': device-access modes are none, forward, mapped" },
		{ "family f\nkernel calls readl unless-device-access= x\n", "x.tmpl:2: 'unless-device-access='" },
		{ "family f\nkernel calls readl downcall-under=forward,,mapped x\n", "x.tmpl:2: 'downcall-under=forward,,mapped'" },
		{ "family f\nkernel field mmio downcall-under=forward x\n",
		  "x.tmpl:2: downcall-under applies to 'kernel calls' rules only" },
		{ "family f\nkernel calls readl unless-device-access=forward\n", "x.tmpl:2: kernel rule without a label" },
	};
	struct kc_part_templates *t;
	struct kc_err err = { 0 };
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(bad); i++) {
		t = kc_part_templates_new();
		memset(&err, 0, sizeof(err));
		KC_CHECK_EQ_INT(kc_part_templates_add_text(t, "x.tmpl", bad[i].text, &err), KC_EPARSE);
		if (strncmp(err.msg, bad[i].expect, strlen(bad[i].expect)))
			fprintf(stderr, "case %zu: got '%s'\n", i, err.msg);
		KC_CHECK(!strncmp(err.msg, bad[i].expect, strlen(bad[i].expect)));
		kc_part_templates_free(t);
	}
	t = kc_part_templates_new();
	KC_CHECK_EQ_INT(kc_part_templates_add_text(t, "y.tmpl",
						  "family f\n"
						  "kernel calls readl unless-device-access=forward,mapped downcall-under=forward  reg read\n"
						  "kernel struct dma unless-device-access=mapped  ring\n"
						  "kernel registered module_init  entry\n",
						  &err), 0);
	kc_part_templates_free(t);
}

/* Which rules pin under each mode: the register/DMA rules only under none, module_init always. */
static void test_rules_gated(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("devaccess.sql", dbp, sizeof(dbp));
	struct kc_part_graph *g;
	int m;

	KC_REQUIRE(db != NULL);
	g = load(db, KC_PART_DEV_NONE, NULL);
	KC_REQUIRE(g != NULL);
	/* rules apply in file order: the read rules come before the write rules */
	KC_CHECK(rule_of(g, "dv_probe") && strstr(rule_of(g, "dv_probe"), "calls readl") &&
		 strstr(rule_of(g, "dv_probe"), "MMIO register read"));
	KC_CHECK(rule_of(g, "dv_read_eeprom") && strstr(rule_of(g, "dv_read_eeprom"), "MMIO register read"));
	KC_CHECK(rule_of(g, "dv_pio") && strstr(rule_of(g, "dv_pio"), "port I/O read"));
	KC_CHECK(rule_of(g, "dv_init") && strstr(rule_of(g, "dv_init"), "module_init"));
	KC_CHECK_EQ_INT(kc_part_graph_device_access(g), KC_PART_DEV_NONE);
	/* none prices nothing */
	KC_CHECK(kc_part_graph_dev_weight(g, kc_part_graph_find(g, "dv_read_eeprom"), NULL) == 0);
	kc_part_graph_free(g);
	for (m = KC_PART_DEV_FORWARD; m <= KC_PART_DEV_MAPPED; m++) {
		g = load(db, m, NULL);
		KC_REQUIRE(g != NULL);
		KC_CHECK(rule_of(g, "dv_probe") == NULL);
		KC_CHECK(rule_of(g, "dv_read_eeprom") == NULL);
		KC_CHECK(rule_of(g, "dv_pio") == NULL);
		KC_CHECK(rule_of(g, "dv_init") && strstr(rule_of(g, "dv_init"), "module_init"));
		KC_CHECK_EQ_INT(kc_part_graph_device_access(g), m);
		kc_part_graph_free(g);
	}
	kc_db_close(db);
	unlink(dbp);
}

/* Static downcall weights: reads count (x10 per loop level), posted writes do not; port I/O is
 * forwarded under mapped too, MMIO is not. */
static void test_static_weights(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("devaccess.sql", dbp, sizeof(dbp));
	struct kc_part_graph *g;
	const char *d = NULL;

	KC_REQUIRE(db != NULL);
	g = load(db, KC_PART_DEV_FORWARD, NULL);
	KC_REQUIRE(g != NULL);
	KC_CHECK(kc_part_graph_dev_weight(g, kc_part_graph_find(g, "dv_probe"), &d) == 1); /* 1 readl, 3 writel posted */
	KC_CHECK(d && strstr(d, "1 register access site (readl)"));
	KC_CHECK(kc_part_graph_dev_weight(g, kc_part_graph_find(g, "dv_read_eeprom"), &d) == 10);
	KC_CHECK(d && strstr(d, "static estimate 10"));
	KC_CHECK(kc_part_graph_dev_weight(g, kc_part_graph_find(g, "dv_pio"), NULL) == 1);
	KC_CHECK(kc_part_graph_dev_weight(g, kc_part_graph_find(g, "dv_stats"), NULL) == 0);
	kc_part_graph_free(g);
	g = load(db, KC_PART_DEV_MAPPED, NULL);
	KC_REQUIRE(g != NULL);
	KC_CHECK(kc_part_graph_dev_weight(g, kc_part_graph_find(g, "dv_read_eeprom"), NULL) == 0);
	KC_CHECK(kc_part_graph_dev_weight(g, kc_part_graph_find(g, "dv_pio"), NULL) == 1);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

/* The sides under each mode, the spinlock constraint included. */
static void test_sides(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("devaccess.sql", dbp, sizeof(dbp));
	struct kc_part_graph *g;
	struct kc_part_result *r;
	const char *det;
	int m;

	KC_REQUIRE(db != NULL);
	g = load(db, KC_PART_DEV_NONE, NULL);
	r = solve(g);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(side_of(g, r, "dv_probe"), KC_PART_KERNEL);
	KC_CHECK_EQ_INT(reason_of(g, r, "dv_probe"), KC_PART_R_PIN);
	KC_CHECK_EQ_INT(side_of(g, r, "dv_read_eeprom"), KC_PART_KERNEL);
	/* none keeps the old behaviour: no spinlock constraint */
	KC_CHECK_EQ_INT(side_of(g, r, "dv_stats"), KC_PART_USER);
	KC_CHECK_EQ_INT(side_of(g, r, "dv_private"), KC_PART_USER);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	for (m = KC_PART_DEV_FORWARD; m <= KC_PART_DEV_MAPPED; m++) {
		g = load(db, m, NULL);
		r = solve(g);
		KC_REQUIRE(r != NULL);
		KC_CHECK_EQ_INT(side_of(g, r, "dv_probe"), KC_PART_USER);
		KC_CHECK_EQ_INT(side_of(g, r, "dv_read_eeprom"), KC_PART_USER); /* static 10 < 30 LOC */
		KC_CHECK_EQ_INT(side_of(g, r, "dv_pio"), KC_PART_USER);
		KC_CHECK_EQ_INT(side_of(g, r, "dv_init"), KC_PART_KERNEL);
		KC_CHECK_EQ_INT(side_of(g, r, "dv_irq"), KC_PART_KERNEL);
		/* the spinlock dv_irq takes keeps dv_stats in the kernel, not its callee */
		KC_CHECK_EQ_INT(side_of(g, r, "dv_stats"), KC_PART_KERNEL);
		KC_CHECK_EQ_INT(reason_of(g, r, "dv_stats"), KC_PART_R_LOCK);
		det = kc_part_result_detail(r, kc_part_graph_find(g, "dv_stats"));
		KC_CHECK(strstr(det, "takes spinlock stats_lock (spin_lock_irqsave(&a->stats_lock) at /src/dv/dv.c:152:2)") &&
			 strstr(det, "the kernel half takes too (dv_irq, kernel by root)") &&
			 strstr(det, kc_part_devaccess_name(m)));
		KC_CHECK_EQ_INT(side_of(g, r, "dv_report"), KC_PART_USER);
		/* a spinlock no kernel function takes: kept in the kernel, conservatively, and said so */
		KC_CHECK_EQ_INT(reason_of(g, r, "dv_private"), KC_PART_R_LOCK);
		det = kc_part_result_detail(r, kc_part_graph_find(g, "dv_private"));
		KC_CHECK(strstr(det, "takes spinlock priv_lock") && strstr(det, "no function forced into the kernel takes it"));
		kc_part_result_free(r);
		kc_part_graph_free(g);
	}
	/* a user pin on a spinlock taker is refused, naming the lock */
	{
		struct kc_part_opts o = KC_PART_OPTS_INIT;
		struct kc_part_pin pin = { "dv_stats", KC_PART_USER };
		struct kc_err err = { 0 };

		g = load(db, KC_PART_DEV_FORWARD, NULL);
		o.pins = &pin;
		o.n_pins = 1;
		r = NULL;
		KC_CHECK_EQ_INT(kc_part_solve(&r, g, &o, &err), KC_ECONFLICT);
		KC_CHECK(strstr(err.msg, "pin dv_stats=user contradicts a hard constraint") && strstr(err.msg, "stats_lock"));
		kc_part_result_free(r); /* NULL unless the conflict was missed */
		kc_part_graph_free(g);
	}
	kc_db_close(db);
	unlink(dbp);
}

static int import(struct kc_db *db, const char *text, const char *name)
{
	char path[512];
	struct kc_err err = { 0 };
	struct kc_sb unk = { 0 };
	size_t n = 0;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/kcut-devacc-%d.prof", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	rc = kc_part_profile_import(db, path, KC_PART_PROF_INSTRUMENT, name, &n, &unk, &err);
	if (rc < 0)
		fprintf(stderr, "import: %s\n", err.msg);
	unlink(path);
	kc_sb_free(&unk);
	return rc;
}

/* The decision the cost makes: 1000 profiled register reads keep dv_read_eeprom in the kernel
 * under forward (each would be a downcall) but not under mapped; a profile that only saw the
 * function called 50 times prices it 50 x its static 10 per call. */
static void test_profile_decides(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("devaccess.sql", dbp, sizeof(dbp));
	struct kc_part_graph *g;
	struct kc_part_result *r;
	struct kc_part_stats st;
	struct kc_sb why = { 0 };
	const char *d = NULL;
	int v;

	KC_REQUIRE(db != NULL);
	KC_REQUIRE(import(db, "# kcut-profile v1 duration_s=1\ndv_probe dv_read_eeprom 1\ndv_read_eeprom readl 1000\n",
			  "reads") == 0);
	KC_REQUIRE(import(db, "# kcut-profile v1 duration_s=1\ndv_probe dv_read_eeprom 50\n", "calls") == 0);

	g = load(db, KC_PART_DEV_FORWARD, "reads");
	KC_REQUIRE(g != NULL);
	v = kc_part_graph_find(g, "dv_read_eeprom");
	KC_CHECK(kc_part_graph_dev_weight(g, v, &d) == 1000);
	KC_CHECK(d && strstr(d, "1000 accesses measured by profile reads"));
	r = solve(g);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(kc_part_result_side(r, v), KC_PART_KERNEL);
	KC_CHECK_EQ_INT(kc_part_result_reason(r, v), KC_PART_R_CUT);
	/* moving it out would cost the 1000 downcalls, minus its 30 LOC, plus the call from probe */
	KC_CHECK(kc_part_result_move_cost(r, v) > 900);
	kc_part_why(&why, g, r, v);
	KC_CHECK(why.s && strstr(why.s, "device access: forward: from the user half its register accesses are downcalls") &&
		 strstr(why.s, "1000 accesses measured by profile reads"));
	kc_sb_free(&why);
	kc_part_result_stats(r, &st);
	KC_CHECK(st.dev_weight == 1 + 1); /* probe's readl and dv_pio's inb, both user */
	kc_part_result_free(r);
	kc_part_graph_free(g);

	g = load(db, KC_PART_DEV_MAPPED, "reads");
	KC_REQUIRE(g != NULL);
	v = kc_part_graph_find(g, "dv_read_eeprom");
	r = solve(g);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(kc_part_result_side(r, v), KC_PART_USER);
	kc_part_why(&why, g, r, v);
	KC_CHECK(why.s && strstr(why.s, "device access: mapped: registers and DMA memory are mapped into the user half"));
	kc_sb_free(&why);
	kc_part_result_free(r);
	kc_part_graph_free(g);

	g = load(db, KC_PART_DEV_FORWARD, "calls");
	KC_REQUIRE(g != NULL);
	v = kc_part_graph_find(g, "dv_read_eeprom");
	KC_CHECK(kc_part_graph_dev_weight(g, v, &d) == 500);
	KC_CHECK(d && strstr(d, "called 50 times (profile calls) x 10 per call (static) = 500"));
	r = solve(g);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(kc_part_result_side(r, v), KC_PART_KERNEL);
	kc_part_result_free(r);
	kc_part_graph_free(g);

	/* unseen zero: a profile that never saw dv_pio called prices its inb at 0 */
	{
		struct kc_part_load lo = KC_PART_LOAD_INIT;
		struct kc_err err = { 0 };

		lo.device_access = KC_PART_DEV_FORWARD;
		lo.profile = "calls";
		lo.unseen = KC_PART_UNSEEN_ZERO;
		g = NULL;
		KC_CHECK_EQ_INT(kc_part_graph_load_ex(&g, db, T, &lo, &err), 0);
		KC_REQUIRE(g != NULL);
		KC_CHECK(kc_part_graph_dev_weight(g, kc_part_graph_find(g, "dv_pio"), NULL) == 0);
		kc_part_graph_free(g);
		lo.device_access = 7;
		KC_CHECK_EQ_INT(kc_part_graph_load_ex(&g, db, T, &lo, &err), KC_EINVAL);
	}
	kc_db_close(db);
	unlink(dbp);
}

/* Stored: params "device_access", read back by kc_part_stored_device_access; none by default for
 * a partition stored without one. */
static void test_store(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("devaccess.sql", dbp, sizeof(dbp));
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_graph *g;
	struct kc_part_result *r;
	struct kc_err err = { 0 };
	sqlite3_stmt *st = NULL;
	int mode = -1;

	KC_REQUIRE(db != NULL);
	g = load(db, KC_PART_DEV_MAPPED, NULL);
	r = solve(g);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(kc_part_store(db, g, &o, NULL, r, "m", &err), 0);
	KC_CHECK_EQ_INT(kc_part_stored_device_access(db, "m", &mode, &err), 0);
	KC_CHECK_EQ_INT(mode, KC_PART_DEV_MAPPED);
	KC_CHECK_EQ_INT(kc_part_stored_device_access(db, NULL, &mode, &err), 0);
	KC_CHECK_EQ_INT(mode, KC_PART_DEV_MAPPED);
	KC_CHECK_EQ_INT(sqlite3_prepare_v2(kc_db_sqlite(db), "SELECT params FROM partition WHERE name = 'm'", -1, &st, NULL),
			SQLITE_OK);
	KC_CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
	KC_CHECK(strstr((const char *)sqlite3_column_text(st, 0), "\"device_access\":\"mapped\"") != NULL);
	sqlite3_finalize(st);
	KC_CHECK_EQ_INT(kc_part_stored_device_access(db, "nosuch", &mode, &err), KC_ENOTFOUND);
	/* a partition stored before the parameter existed reads as none; a bad value is an error */
	KC_CHECK_EQ_INT(kc_db_exec(db, "UPDATE partition SET params = '{\"alpha\":1}' WHERE name = 'm'", &err), 0);
	KC_CHECK_EQ_INT(kc_part_stored_device_access(db, "m", &mode, &err), 0);
	KC_CHECK_EQ_INT(mode, KC_PART_DEV_NONE);
	KC_CHECK_EQ_INT(kc_db_exec(db, "UPDATE partition SET params = '{\"device_access\":\"dma\"}' WHERE name = 'm'", &err),
			0);
	KC_CHECK_EQ_INT(kc_part_stored_device_access(db, "m", &mode, &err), KC_EPARSE);
	KC_CHECK(strstr(err.msg, "bad \"device_access\"") != NULL);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

/* Hand-built graphs with downcall weights: max-flow, Z3 and brute force agree on the optimum, and
 * kc_part_cost counts a user function's downcalls. */
static void test_solvers_agree(void)
{
	unsigned seed = 12345;
	int round;

	for (round = 0; round < 60; round++) {
		struct kc_part_graph *g = kc_part_graph_new();
		struct kc_part_result *r[3] = { NULL, NULL, NULL };
		struct kc_part_opts o = KC_PART_OPTS_INIT;
		struct kc_err err = { 0 };
		int n = 3 + round % 8, i, s;
		char name[16];

		kc_part_graph_set_device_access(g, KC_PART_DEV_FORWARD);
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "f%d", i);
			seed = seed * 1103515245u + 12345u;
			kc_part_graph_add_func(g, name, 1 + (long)(seed >> 16) % 40);
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 3 == 0)
				kc_part_graph_set_dev_weight(g, i, (double)((seed >> 8) % 60), NULL);
		}
		kc_part_graph_add_root(g, 0, round % 2, "r");
		for (i = 1; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			kc_part_graph_add_call(g, (int)((seed >> 16) % (unsigned)i), i, (double)((seed >> 4) % 20), 0);
		}
		o.beta = round % 3 == 0 ? 0.5 : round % 3 == 1 ? 1 : 3;
		for (s = 0; s < 3; s++) {
			o.solver = s == 0 ? KC_PART_SOLVER_MAXFLOW : s == 1 ? KC_PART_SOLVER_Z3 : KC_PART_SOLVER_BRUTE;
			if (kc_part_solve(&r[s], g, &o, &err) < 0)
				fprintf(stderr, "round %d solver %d: %s\n", round, s, err.msg);
			KC_REQUIRE(r[s] != NULL);
		}
		for (s = 1; s < 3; s++) {
			double a = kc_part_result_objective(r[0]), b = kc_part_result_objective(r[s]);

			if (a - b > 1e-6 || b - a > 1e-6)
				fprintf(stderr, "round %d: maxflow %g, solver %d %g\n", round, a, s, b);
			KC_CHECK(a - b <= 1e-6 && b - a <= 1e-6);
		}
		{
			struct kc_part_stats st;

			kc_part_result_stats(r[0], &st);
			KC_CHECK(st.cost - kc_part_result_objective(r[0]) < 1e-6 &&
				 kc_part_result_objective(r[0]) - st.cost < 1e-6);
		}
		for (s = 0; s < 3; s++)
			kc_part_result_free(r[s]);
		kc_part_graph_free(g);
	}
	/* the downcall weight alone decides: a 10-LOC leaf with 25 register reads is kernel at beta 1,
	 * user when the same graph is priced as mapped (weight 0) */
	{
		struct kc_part_graph *g = kc_part_graph_new();
		struct kc_part_result *r = NULL;
		int leaf;

		kc_part_graph_add_func(g, "root", 5);
		leaf = kc_part_graph_add_func(g, "leaf", 10);
		kc_part_graph_add_root(g, 0, 0, "r");
		kc_part_graph_set_dev_weight(g, leaf, 25, "25 reads");
		r = solve(g);
		KC_REQUIRE(r != NULL);
		KC_CHECK_EQ_INT(kc_part_result_side(r, leaf), KC_PART_KERNEL);
		kc_part_result_free(r);
		kc_part_graph_set_dev_weight(g, leaf, 0, NULL);
		r = solve(g);
		KC_REQUIRE(r != NULL);
		KC_CHECK_EQ_INT(kc_part_result_side(r, leaf), KC_PART_USER);
		kc_part_result_free(r);
		kc_part_graph_free(g);
	}
}

int main(void)
{
	T = builtin_templates();
	if (!T)
		return 1;
	KC_RUN(test_names);
	KC_RUN(test_tags);
	KC_RUN(test_rules_gated);
	KC_RUN(test_static_weights);
	KC_RUN(test_sides);
	KC_RUN(test_profile_decides);
	KC_RUN(test_store);
	KC_RUN(test_solvers_agree);
	kc_part_templates_free(T);
	return kc_test_done();
}
