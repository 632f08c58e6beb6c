/*
 * test_partition.c - the partitioner on hand-made databases with known answers: which rule made
 * each root, the atomic and critical-section closure, propagation, min-cut optima as beta moves,
 * Z3 budgets, pins (and the error when one contradicts a hard constraint), storage round trip,
 * `why` chains and the DOT output.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "kc_test.h"
#include "part_fixture.h"

static struct kc_part_templates *T;

struct ctx {
	struct kc_db *db;
	struct kc_part_graph *g;
	char path[512];
};

static int open_ctx(struct ctx *c, const char *fixture, const char *family)
{
	struct kc_err err = { 0 };

	memset(c, 0, sizeof(*c));
	c->db = fixture_db(fixture, c->path, sizeof(c->path));
	if (!c->db)
		return -1;
	if (kc_part_graph_load(&c->g, c->db, T, family, NULL, &err) < 0) {
		fprintf(stderr, "graph: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void close_ctx(struct ctx *c)
{
	kc_part_graph_free(c->g);
	if (c->db)
		kc_db_close(c->db);
	unlink(c->path);
}

static int side_of(struct kc_part_result *r, struct kc_part_graph *g, const char *name)
{
	int i = kc_part_graph_find(g, name);

	return i < 0 ? -1 : kc_part_result_side(r, i);
}

static const char *reason_of(struct kc_part_result *r, struct kc_part_graph *g, const char *name)
{
	int i = kc_part_graph_find(g, name);

	return i < 0 ? "(missing)" : kc_part_reason_name(kc_part_result_reason(r, i));
}

static void test_roots_net(void)
{
	struct ctx c;
	const char *rule;
	int atomic = -1;

	KC_REQUIRE(open_ctx(&c, "simnic.sql", NULL) == 0);
	KC_CHECK_EQ_STR(kc_part_graph_family(c.g), "net");
	KC_CHECK(strstr(kc_part_graph_family_why(c.g), "4 registrations") != NULL);
	KC_CHECK_EQ_INT(kc_part_graph_nfuncs(c.g), 14); /* imports are not nodes */
	/* self-recursion dropped; one edge per caller/callee pair between driver functions */
	KC_CHECK_EQ_INT(kc_part_graph_nedges(c.g), 10);
	rule = kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "sn_xmit"), &atomic);
	KC_CHECK_EQ_STR(rule, "ndo_start_xmit slot (net template)");
	KC_CHECK_EQ_INT(atomic, 1);
	rule = kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "sn_intr"), &atomic);
	KC_CHECK_EQ_STR(rule, "IRQ handler (arg 2 of request_irq) (generic template)");
	rule = kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "sn_poll"), &atomic);
	KC_CHECK_EQ_STR(rule, "NAPI poll (arg 3 of netif_napi_add) (net template)");
	/* ndo_open, ethtool get_regs and INIT_WORK functions are not roots */
	KC_CHECK(kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "sn_open"), NULL) == NULL);
	KC_CHECK(kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "sn_get_regs"), NULL) == NULL);
	KC_CHECK(kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "sn_watchdog"), NULL) == NULL);
	close_ctx(&c);
}

static void test_roots_sound_and_forced_family(void)
{
	struct ctx c;
	struct kc_err err = { 0 };
	struct kc_part_graph *g = NULL;

	KC_REQUIRE(open_ctx(&c, "simsnd.sql", NULL) == 0);
	KC_CHECK_EQ_STR(kc_part_graph_family(c.g), "sound");
	KC_CHECK_EQ_STR(kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "ss_trigger"), NULL),
			"snd_pcm_ops.trigger (sound template)");
	KC_CHECK_EQ_STR(kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "ss_pointer"), NULL),
			"snd_pcm_ops.pointer (sound template)");
	KC_CHECK_EQ_STR(kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "ss_timer"), NULL),
			"timer callback (arg 2 of timer_setup) (generic template)");
	KC_CHECK(kc_part_graph_root_rule(c.g, kc_part_graph_find(c.g, "ss_hw_params"), NULL) == NULL);
	/* the indirect site's 10 estimated calls are shared by its two possible targets */
	{
		int a, b;
		double w;
		size_t i, seen = 0;

		for (i = 0; kc_part_graph_edge(c.g, i, &a, &b, &w) == 0; i++)
			if (!strcmp(kc_part_graph_name(c.g, a), "ss_probe")) {
				KC_CHECK(fabs(w - 5) < 1e-9);
				seen++;
			}
		KC_CHECK_EQ_INT(seen, 2);
	}
	/* --family net: the sound slots no longer make roots, the generic ones still do */
	KC_CHECK_EQ_INT(kc_part_graph_load(&g, c.db, T, "net", NULL, &err), 0);
	KC_REQUIRE(g != NULL);
	KC_CHECK(kc_part_graph_root_rule(g, kc_part_graph_find(g, "ss_trigger"), NULL) == NULL);
	KC_CHECK(kc_part_graph_root_rule(g, kc_part_graph_find(g, "ss_timer"), NULL) != NULL);
	kc_part_graph_free(g);
	g = NULL;
	KC_CHECK_EQ_INT(kc_part_graph_load(&g, c.db, T, "nosuch", NULL, &err), KC_ENOTFOUND);
	KC_CHECK(strstr(err.msg, "nosuch") != NULL);
	close_ctx(&c);
}

/* A driver that registers no function into a family's structs is still detected through the
 * registration calls it makes (scsi_host_alloc, scsi_add_host); calls from kernel code do not count. */
static void test_family_from_registration_calls(void)
{
	static const char sql[] =
		"INSERT INTO file (id, path, is_driver) VALUES (1, '/src/hba/hba.c', 1);"
		"INSERT INTO func (id, usr, name, is_defined, is_driver, file_id, line, loc) VALUES"
		" (1, 'c:hba.c@F@hba_probe', 'hba_probe', 1, 1, 1, 10, 20),"
		" (2, 'c:@F@scsi_host_alloc', 'scsi_host_alloc', 0, 0, NULL, NULL, 0),"
		" (3, 'c:@F@scsi_add_host', 'scsi_add_host', 0, 0, NULL, NULL, 0),"
		" (4, 'c:@F@kernel_helper', 'kernel_helper', 1, 0, NULL, NULL, 5),"
		" (5, 'c:@F@snd_card_new', 'snd_card_new', 0, 0, NULL, NULL, 0);"
		"INSERT INTO call (caller_id, callee_id, kind) VALUES (1, 2, 'direct'), (1, 3, 'direct'),"
		" (4, 5, 'direct');";
	struct kc_part_graph *g = NULL;
	struct kc_err err = { 0 };
	struct kc_db *db;
	char path[256];

	db = fixture_db(NULL, path, sizeof(path));
	KC_REQUIRE(db != NULL);
	KC_CHECK_EQ_INT(kc_db_exec(db, sql, &err), 0);
	KC_CHECK_EQ_INT(kc_part_graph_load(&g, db, T, NULL, NULL, &err), 0);
	if (g) {
		KC_CHECK_EQ_STR(kc_part_graph_family(g), "scsi");
		KC_CHECK_EQ_STR(kc_part_graph_family_why(g),
				"scsi: 0 registrations and 2 registration calls matched its detect rules");
		kc_part_graph_free(g);
	}
	kc_db_close(db);
	unlink(path);
}

static const char *const hard_kernel[] = { "sn_xmit", "sn_tx_map", "sn_intr", "sn_poll", "sn_clean_rx",
					   "sn_alloc_rx", "sn_watchdog", "sn_update_stats", "sn_read_phy" };

static void test_hard_constraints_and_propagate(void)
{
	struct ctx c;
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_part_stats st;
	struct kc_err err = { 0 };
	size_t i;

	KC_REQUIRE(open_ctx(&c, "simnic.sql", NULL) == 0);
	o.mode = KC_PART_PROPAGATE;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	for (i = 0; i < KC_ARRAY_SIZE(hard_kernel); i++)
		KC_CHECK_EQ_INT(side_of(r, c.g, hard_kernel[i]), KC_PART_KERNEL);
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_xmit"), "root");
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_tx_map"), "atomic");
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_alloc_rx"), "atomic");
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_update_stats"), "lock");
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_watchdog"), "lock");
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_read_phy"), "atomic");
	KC_CHECK_EQ_STR(kc_part_result_detail(r, kc_part_graph_find(c.g, "sn_update_stats")),
			"called with adapter->stats_lock held at /src/simnic/simnic.c:280:3 (by sn_watchdog)");
	KC_CHECK(strstr(kc_part_result_detail(r, kc_part_graph_find(c.g, "sn_alloc_rx")),
			"called by sn_clean_rx <- sn_poll [sn_poll: root: NAPI poll") != NULL);
	/* propagation follows calls from roots only: sn_config is called by the lock holder
	 * sn_watchdog (kernel, but not reachable from a root), so it stays user */
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_config"), "default");
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_probe"), KC_PART_USER);
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_probe"), "default");
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_get_regs"), KC_PART_USER);
	kc_part_result_stats(r, &st);
	KC_CHECK_EQ_INT(st.kernel_funcs, 9);
	KC_CHECK_EQ_INT(st.kernel_loc, 30 + 22 + 15 + 25 + 35 + 20 + 30 + 15 + 12);
	KC_CHECK_EQ_INT(st.user_loc, 40 + 20 + 25 + 50 + 18);
	/* crossing: sn_watchdog -> sn_config (2 sites in a loop: 2*10), sn_get_regs -> sn_read_phy (3*10) */
	KC_CHECK_EQ_INT(st.cut_edges, 2);
	KC_CHECK(fabs(st.cut_weight - (20 + 30)) < 1e-9);
	kc_part_result_free(r);
	r = NULL;
	/* a kernel pin propagates like a root; a user pin stops propagation */
	{
		struct kc_part_pin pins[] = { { "sn_open", KC_PART_KERNEL }, { "sn_setup_hw", KC_PART_USER } };

		o.pins = pins;
		o.n_pins = 2;
		KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
		KC_REQUIRE(r != NULL);
		KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_config"), "propagate");
		KC_CHECK_EQ_INT(side_of(r, c.g, "sn_setup_hw"), KC_PART_USER);
		KC_CHECK(strstr(kc_part_result_detail(r, kc_part_graph_find(c.g, "sn_config")),
				"called by sn_open [sn_open: pinned to the kernel half") != NULL);
	}
	kc_part_result_free(r);
	close_ctx(&c);
}

static void test_mincut_beta_sweep(void)
{
	struct ctx c;
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL, *b = NULL;
	struct kc_part_stats st;
	struct kc_err err = { 0 };
	long hard_loc = 30 + 22 + 15 + 25 + 35 + 20 + 30 + 15 + 12;
	int ws = 0;

	KC_REQUIRE(open_ctx(&c, "simnic.sql", NULL) == 0);
	/* beta = 0: the kernel half is exactly the hard-constraint closure */
	o.beta = 0;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	kc_part_result_stats(r, &st);
	KC_CHECK_EQ_INT(st.kernel_loc, hard_loc);
	KC_CHECK_EQ_INT(st.kernel_funcs, 9);
	KC_CHECK_EQ_STR(st.solver, "maxflow");
	kc_part_result_free(r);
	/* beta = 0.5: sn_config costs 18 + 0.5*1 in the kernel, 0.5*20 in user: user */
	o.beta = 0.5;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_config"), KC_PART_USER);
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_config"), "cut");
	kc_part_result_stats(r, &st);
	KC_CHECK(fabs(st.cost - kc_part_result_objective(r)) < 1e-6);
	/* + 0.5 * 2: sn_probe's netif_napi_add and sn_open's request_irq, kernel calls that are downcalls
	 * from the user half (kernel-call downcall weight 1 each) */
	KC_CHECK(fabs(st.cost - (hard_loc + 0.5 * (20 + 30) + 0.5 * 2)) < 1e-6);
	KC_CHECK(fabs(st.imp_weight - 2) < 1e-9);
	KC_CHECK_EQ_INT(st.imp_funcs, 2);
	/* moving sn_config to the kernel would cost 18 + 0.5 - 10 = +8.5 */
	KC_CHECK(fabs(kc_part_result_move_cost(r, kc_part_graph_find(c.g, "sn_config")) - 8.5) < 1e-9);
	KC_CHECK(kc_part_result_move_cost(r, kc_part_graph_find(c.g, "sn_xmit")) == DBL_MAX);
	kc_part_result_free(r);
	/* beta = 2: 18 + 2 < 40, sn_config joins the kernel; sn_read_phy<-sn_get_regs (30) is not worth 25 LOC? 2*30=60 > 25: joins */
	o.beta = 2;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_config"), KC_PART_KERNEL);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_get_regs"), KC_PART_KERNEL);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_open"), KC_PART_USER);
	kc_part_result_stats(r, &st);
	KC_CHECK_EQ_INT(st.kernel_loc, hard_loc + 18 + 25);
	/* Z3 and brute force find the same optimum value */
	o.solver = KC_PART_SOLVER_Z3;
	KC_CHECK_EQ_INT(kc_part_solve(&b, c.g, &o, &err), 0);
	KC_REQUIRE(b != NULL);
	KC_CHECK(fabs(kc_part_result_objective(b) - kc_part_result_objective(r)) < 1e-6);
	kc_part_result_free(b);
	o.solver = KC_PART_SOLVER_BRUTE;
	KC_CHECK_EQ_INT(kc_part_solve(&b, c.g, &o, &err), 0);
	KC_REQUIRE(b != NULL);
	KC_CHECK(fabs(kc_part_result_objective(b) - kc_part_result_objective(r)) < 1e-6);
	kc_part_result_free(b);
	kc_part_result_free(r);
	/* budget: hard + 20 LOC leaves room for sn_config (18) but not sn_get_regs (25) */
	o.solver = KC_PART_SOLVER_AUTO;
	o.budget = hard_loc + 20;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	kc_part_result_stats(r, &st);
	KC_CHECK_EQ_STR(st.solver, "z3");
	KC_CHECK(st.kernel_loc <= o.budget);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_get_regs"), KC_PART_USER);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_config"), KC_PART_KERNEL);
	kc_part_result_free(r);
	r = NULL;
	/* below the hard closure: a clear conflict */
	o.budget = hard_loc - 1;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), KC_ECONFLICT);
	KC_CHECK(strstr(err.msg, "cannot be met") != NULL);
	KC_CHECK(r == NULL);
	/* at most 10 kernel functions: the 9 of the hard closure plus the better of sn_config and
	 * sn_get_regs (moving sn_get_regs in saves 60 - 25 = 35, sn_config 40 - 20 = 20) */
	o.solver = KC_PART_SOLVER_AUTO;
	o.budget = -1;
	o.max_funcs = 10;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_get_regs"), KC_PART_KERNEL);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_config"), KC_PART_USER);
	kc_part_result_free(r);
	r = NULL;
	o.max_funcs = 8;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), KC_ECONFLICT);
	KC_CHECK(strstr(err.msg, "at most 8 kernel functions cannot be met") != NULL);
	o.max_funcs = -1;
	/* budget with the max-flow solver is refused */
	o.solver = KC_PART_SOLVER_MAXFLOW;
	o.budget = 1000;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), KC_EINVAL);
	(void)ws;
	close_ctx(&c);
}

static void test_pins(void)
{
	struct ctx c;
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_err err = { 0 };
	struct kc_part_pin bad[] = { { "sn_read_phy", KC_PART_USER } };
	struct kc_part_pin good[] = { { "sn_probe", KC_PART_KERNEL }, { "sn_config", KC_PART_USER } };
	struct kc_part_pin missing[] = { { "sn_nosuch", KC_PART_KERNEL } };

	KC_REQUIRE(open_ctx(&c, "simnic.sql", NULL) == 0);
	o.pins = bad;
	o.n_pins = 1;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), KC_ECONFLICT);
	/* the message names both the pin and the constraint it contradicts */
	KC_CHECK(strstr(err.msg, "pin sn_read_phy=user") != NULL);
	KC_CHECK(strstr(err.msg, "sn_update_stats") != NULL);
	o.pins = good;
	o.n_pins = 2;
	o.beta = 2;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_probe"), KC_PART_KERNEL);
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_probe"), "pin");
	KC_CHECK_EQ_INT(side_of(r, c.g, "sn_config"), KC_PART_USER); /* beta=2 alone would move it in */
	KC_CHECK_EQ_STR(reason_of(r, c.g, "sn_config"), "pin");
	kc_part_result_free(r);
	r = NULL;
	o.pins = missing;
	o.n_pins = 1;
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), KC_ENOTFOUND);
	close_ctx(&c);
}

static void test_store_load_why_dot(void)
{
	struct ctx c;
	struct kc_part_opts o = KC_PART_OPTS_INIT, lo;
	struct kc_part_result *r = NULL, *l = NULL;
	struct kc_part_stats a, b;
	struct kc_err err = { 0 };
	struct kc_sb sb = { 0 };
	char *name = NULL, *prof = NULL;
	size_t i;

	KC_REQUIRE(open_ctx(&c, "simnic.sql", NULL) == 0);
	o.beta = 0.5;
	KC_REQUIRE(kc_part_solve(&r, c.g, &o, &err) == 0);
	KC_CHECK_EQ_INT(kc_part_store(c.db, c.g, &o, NULL, r, "half", &err), 0);
	KC_CHECK_EQ_INT(kc_part_store(c.db, c.g, &o, NULL, r, "half", &err), 0); /* replace */
	KC_CHECK_EQ_INT(kc_part_load(&l, c.db, c.g, NULL, &lo, &name, &prof, &err), 0);
	KC_REQUIRE(l != NULL);
	KC_CHECK_EQ_STR(name, "half");
	KC_CHECK(prof == NULL);
	KC_CHECK(fabs(lo.beta - 0.5) < 1e-12);
	kc_part_result_stats(r, &a);
	kc_part_result_stats(l, &b);
	KC_CHECK_EQ_INT(a.kernel_loc, b.kernel_loc);
	KC_CHECK_EQ_INT(a.cut_edges, b.cut_edges);
	for (i = 0; i < kc_part_graph_nfuncs(c.g); i++) {
		KC_CHECK_EQ_INT(kc_part_result_side(r, (int)i), kc_part_result_side(l, (int)i));
		KC_CHECK_EQ_STR(kc_part_result_detail(r, (int)i), kc_part_result_detail(l, (int)i));
	}
	kc_part_why(&sb, c.g, l, kc_part_graph_find(c.g, "sn_read_phy"));
	KC_CHECK(strstr(sb.s, "sn_read_phy: kernel half (atomic)") != NULL);
	KC_CHECK(strstr(sb.s, "called by sn_update_stats [sn_update_stats: called with adapter->stats_lock held") != NULL);
	KC_CHECK(strstr(sb.s, "/src/simnic/simnic.c:325:12") != NULL);
	kc_sb_reset(&sb);
	kc_part_why(&sb, c.g, l, kc_part_graph_find(c.g, "sn_config"));
	KC_CHECK(strstr(sb.s, "by +8.5") != NULL);
	kc_sb_reset(&sb);
	kc_part_summary(&sb, c.g, l, 1);
	KC_CHECK(strstr(sb.s, "kernel functions called from the user half (1): sn_read_phy\n") != NULL);
	KC_CHECK(strstr(sb.s, "user functions called from the kernel half (1): sn_config\n") != NULL);
	KC_CHECK(strstr(sb.s, "crossing edges: 2, weight 50") != NULL);
	KC_CHECK(strstr(sb.s, "    ... 1 more\n") != NULL);
	kc_sb_reset(&sb);
	kc_part_dot(&sb, c.g, l, -1, 0);
	KC_CHECK(strstr(sb.s, "subgraph cluster_kernel") != NULL);
	KC_CHECK(strstr(sb.s, "subgraph cluster_user") != NULL);
	/* sn_watchdog (kernel, f8) -> sn_config (user, f13): a bold crossing edge labelled 20 */
	KC_CHECK(strstr(sb.s, "f8 -> f13 [style=bold, penwidth=3, color=\"#7d3c98\", label=\"20\"]") != NULL);
	kc_sb_reset(&sb);
	kc_part_dot(&sb, c.g, l, kc_part_graph_find(c.g, "sn_poll"), 1);
	KC_CHECK(strstr(sb.s, "sn_clean_rx") != NULL);
	KC_CHECK(strstr(sb.s, "sn_alloc_rx") == NULL); /* two calls away */
	{
		struct kc_part_result *none = NULL;

		KC_CHECK_EQ_INT(kc_part_load(&none, c.db, c.g, "nosuch", NULL, NULL, NULL, &err), KC_ENOTFOUND);
		KC_CHECK(none == NULL);
	}
	kc_sb_free(&sb);
	free(name);
	kc_part_result_free(r);
	kc_part_result_free(l);
	close_ctx(&c);
}

/* The static weight of edge caller -> callee in g (by name), or -1 when g has no such edge. */
static double edge_weight(struct kc_part_graph *g, const char *caller, const char *callee)
{
	int a, b;
	size_t i;
	double w;

	for (i = 0; kc_part_graph_edge(g, i, &a, &b, &w) == 0; i++)
		if (!strcmp(kc_part_graph_name(g, a), caller) && !strcmp(kc_part_graph_name(g, b), callee))
			return w;
	return -1;
}

/* The measured count of caller -> callee in simnic.instr, or -1 when the profile has no such edge. */
static double measured(const char *caller, const char *callee)
{
	static const struct {
		const char *a, *b;
		double n;
	} m[] = { { "sn_poll", "sn_clean_rx", 5000 }, { "sn_clean_rx", "sn_alloc_rx", 80000 },
		  { "sn_watchdog", "sn_config", 5 },  { "sn_open", "sn_config", 1 },
		  { "sn_open", "sn_setup_hw", 1 },    { "sn_probe", "sn_setup_hw", 1 },
		  { "sn_get_regs", "sn_read_phy", 40 } };
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(m[i].a, caller) && !strcmp(m[i].b, callee))
			return m[i].n;
	return -1;
}

/* Profile weights: observed edges weigh their measured count under both policies; an edge the
 * profile never observed weighs 0 (KC_PART_UNSEEN_ZERO) or keeps its static estimate
 * (KC_PART_UNSEEN_STATIC, the default of kc_part_graph_load). */
static void test_profile_weights(void)
{
	struct ctx c;
	struct kc_err err = { 0 };
	struct kc_part_graph *g = NULL;
	struct kc_sb unk = { 0 };
	size_t n = 0, i, nseen = 0, nunseen = 0;
	char *fp = kc_path_join(KC_PART_FIXTURES, "simnic.instr");
	int caller, callee;
	double w, total = 0;

	KC_REQUIRE(open_ctx(&c, "simnic.sql", NULL) == 0);
	KC_CHECK_EQ_INT(kc_part_profile_import(c.db, fp, KC_PART_PROF_INSTRUMENT, "run1", &n, &unk, &err), 0);
	KC_CHECK_EQ_INT(n, 7);
	KC_CHECK_EQ_STR(unk.s, "kmalloc\n"); /* .isra.0 stripped: sn_read_phy is known */

	/* zero: only the measurements count */
	KC_CHECK_EQ_INT(kc_part_graph_load_weighted(&g, c.db, T, NULL, "run1", KC_PART_UNSEEN_ZERO, NULL, &err), 0);
	KC_REQUIRE(g != NULL);
	KC_CHECK(fabs(kc_part_graph_duration(g) - 10) < 1e-9);
	for (i = 0; kc_part_graph_edge(g, i, &caller, &callee, &w) == 0; i++) {
		total += w;
		if (!strcmp(kc_part_graph_name(g, caller), "sn_clean_rx"))
			KC_CHECK(fabs(w - 80000) < 1e-9);
		if (!strcmp(kc_part_graph_name(g, caller), "sn_xmit"))
			KC_CHECK(w == 0); /* never observed */
	}
	KC_CHECK(fabs(total - (5000 + 80000 + 5 + 1 + 1 + 1 + 40)) < 1e-9);
	kc_part_graph_free(g);
	g = NULL;

	/* static (the default): measured edges weigh their count, the rest their static estimate */
	KC_CHECK_EQ_INT(kc_part_graph_load(&g, c.db, T, NULL, "run1", &err), 0);
	KC_REQUIRE(g != NULL);
	for (i = 0; kc_part_graph_edge(g, i, &caller, &callee, &w) == 0; i++) {
		const char *a = kc_part_graph_name(g, caller), *b = kc_part_graph_name(g, callee);
		double m = measured(a, b), s = edge_weight(c.g, a, b);

		if (m >= 0) {
			nseen++;
			if (fabs(w - m) > 1e-9)
				fprintf(stderr, "  %s -> %s weighs %g, measured %g\n", a, b, w, m);
			KC_CHECK(fabs(w - m) < 1e-9); /* replaced, not added to the estimate */
		} else {
			nunseen++;
			KC_CHECK(s > 0);
			if (fabs(w - s) > 1e-9)
				fprintf(stderr, "  %s -> %s weighs %g, static estimate %g\n", a, b, w, s);
			KC_CHECK(fabs(w - s) < 1e-9);
		}
		if (!strcmp(a, "sn_xmit"))
			KC_CHECK(w > 0); /* never observed: the static estimate */
	}
	KC_CHECK_EQ_INT(nseen, 7);
	KC_CHECK(nunseen > 0);
	KC_CHECK_EQ_INT(kc_part_graph_nedges(g), kc_part_graph_nedges(c.g)); /* every measured edge is static */
	kc_part_graph_free(g);
	g = NULL;

	/* the explicit form of the default gives the same weights; an unknown policy is refused */
	KC_CHECK_EQ_INT(kc_part_graph_load_weighted(&g, c.db, T, NULL, "run1", KC_PART_UNSEEN_STATIC, NULL, &err), 0);
	KC_CHECK(g != NULL && fabs(edge_weight(g, "sn_clean_rx", "sn_alloc_rx") - 80000) < 1e-9);
	kc_part_graph_free(g);
	g = NULL;
	KC_CHECK_EQ_INT(kc_part_graph_load_weighted(&g, c.db, T, NULL, "run1", 7, NULL, &err), KC_EINVAL);
	KC_CHECK(g == NULL);
	KC_CHECK_EQ_INT(kc_part_graph_load(&g, c.db, T, NULL, "nosuch", &err), KC_ENOTFOUND);
	kc_sb_free(&unk);
	free(fp);
	close_ctx(&c);
}

/* The side a kernel bit set gives the function `name` of g. */
static int side_of_graph(struct kc_part_graph *g, unsigned bits, const char *name)
{
	int i = kc_part_graph_find(g, name);

	return i < 0 || i >= 32 ? -1 : (bits >> i) & 1 ? KC_PART_KERNEL : KC_PART_USER;
}

/* Kernel functions of a beta-20 min-cut of g, as a bit set (simnic.sql has 14 functions). */
static unsigned kernel_bits(struct kc_part_graph *g)
{
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_err err = { 0 };
	unsigned bits = 0;
	size_t i;

	o.beta = 20;
	if (kc_part_solve(&r, g, &o, &err) < 0) {
		fprintf(stderr, "solve: %s\n", err.msg);
		return ~0u;
	}
	for (i = 0; i < kc_part_graph_nfuncs(g) && i < 32; i++)
		if (kc_part_result_side(r, (int)i) == KC_PART_KERNEL)
			bits |= 1u << i;
	kc_part_result_free(r);
	return bits;
}

/* A profile that saw one edge (like a split run's crossing trace, which sees only the edges that
 * crossed): with the default policy the min-cut is the static one (the edge lies inside the
 * kernel half either way); with unseen edges weighing 0 every other call looks free and the
 * kernel half shrinks. */
static void test_profile_unseen_cut(void)
{
	struct ctx c;
	struct kc_err err = { 0 };
	struct kc_part_graph *gs = NULL, *gz = NULL;
	char path[600];
	FILE *f;
	size_t n = 0;
	unsigned base, st, zero;

	KC_REQUIRE(open_ctx(&c, "simnic.sql", NULL) == 0);
	snprintf(path, sizeof(path), "%s-one.instr", c.path);
	f = fopen(path, "w");
	KC_REQUIRE(f != NULL);
	fputs("# kcut-profile v1 duration_s=1\nsn_poll sn_clean_rx 1000\n", f);
	fclose(f);
	KC_CHECK_EQ_INT(kc_part_profile_import(c.db, path, KC_PART_PROF_INSTRUMENT, "one", &n, NULL, &err), 0);
	KC_CHECK_EQ_INT(n, 1);
	KC_CHECK_EQ_INT(kc_part_graph_load(&gs, c.db, T, NULL, "one", &err), 0);
	KC_CHECK_EQ_INT(kc_part_graph_load_weighted(&gz, c.db, T, NULL, "one", KC_PART_UNSEEN_ZERO, NULL, &err), 0);
	KC_REQUIRE(gs != NULL && gz != NULL);
	KC_CHECK_EQ_INT(kc_part_graph_nfuncs(c.g), 14);
	base = kernel_bits(c.g);
	st = kernel_bits(gs);
	zero = kernel_bits(gz);
	KC_CHECK(base != ~0u && st != ~0u && zero != ~0u);
	KC_CHECK_EQ_INT(st, base);               /* unseen edges keep their static weight */
	KC_CHECK((zero & ~base) == 0);           /* zero only drops functions ... */
	KC_CHECK(zero != base);                  /* ... and here it does */
	KC_CHECK(side_of_graph(gz, zero, "sn_config") == KC_PART_USER);
	KC_CHECK(side_of_graph(gs, st, "sn_config") == KC_PART_KERNEL);
	kc_part_graph_free(gs);
	kc_part_graph_free(gz);
	unlink(path);
	close_ctx(&c);
}

/* The class of the loop of function fn (its only loop that is not a do { } while (0)), or -1. */
static int loop_class(const struct kc_part_graph *g, const char *fn, double *trips)
{
	struct kc_part_loop_info li;
	size_t i;

	for (i = 0; kc_part_graph_loop(g, i, &li) == 0; i++)
		if (!strcmp(li.func, fn) && li.cls != KC_PART_LOOP_ONCE) {
			*trips = li.trips;
			return (int)li.cls;
		}
	return -1;
}

/* Loop facts price a call site by the enclosing loops' trip estimates (graph.c load_loops): a
 * field bound by the largest constant stored into the field, a constant bound by itself (also
 * when a break or return can end it: a search, measured to run its bound), a wait loop (a delay,
 * no work) 3 and a poll (a register read through an accessor, no delay) 10, as calibrated
 * (docs/partitioner.md), do { } while (0) once, an unknown bound or a level without facts 10. A
 * loop that writes the device each trip is no wait loop (lp_test: an interrupt test). */
static void test_loop_trips(void)
{
	struct ctx c;
	double t = 0;

	KC_REQUIRE(open_ctx(&c, "loops.sql", NULL) == 0);
	KC_CHECK(fabs(edge_weight(c.g, "lp_ring", "lp_helper") - 256) < 1e-9);
	KC_CHECK(fabs(edge_weight(c.g, "lp_poll", "lp_reg") - 10) < 1e-9);
	KC_CHECK(fabs(edge_weight(c.g, "lp_const", "lp_helper") - 64) < 1e-9);
	KC_CHECK(fabs(edge_weight(c.g, "lp_nofacts", "lp_helper") - 100) < 1e-9);
	KC_CHECK(fabs(edge_weight(c.g, "lp_len", "lp_helper") - 10) < 1e-9);
	KC_CHECK(fabs(edge_weight(c.g, "lp_wait", "lp_reg") - 3) < 1e-9);
	KC_CHECK(fabs(edge_weight(c.g, "lp_search", "lp_helper") - 64) < 1e-9);
	KC_CHECK(fabs(edge_weight(c.g, "lp_test", "lp_reg") - 10) < 1e-9);
	KC_CHECK_EQ_INT(loop_class(c.g, "lp_ring", &t), KC_PART_LOOP_RING);
	KC_CHECK_EQ_INT(loop_class(c.g, "lp_poll", &t), KC_PART_LOOP_POLL);
	KC_CHECK_EQ_INT(loop_class(c.g, "lp_wait", &t), KC_PART_LOOP_WAIT);
	KC_CHECK(fabs(t - 3) < 1e-9);
	KC_CHECK_EQ_INT(loop_class(c.g, "lp_search", &t), KC_PART_LOOP_SEARCH);
	KC_CHECK_EQ_INT(loop_class(c.g, "lp_test", &t), KC_PART_LOOP_SEARCH);
	KC_CHECK_EQ_INT(loop_class(c.g, "lp_const", &t), KC_PART_LOOP_COUNTED);
	KC_CHECK_EQ_INT(loop_class(c.g, "lp_len", &t), KC_PART_LOOP_OTHER);
	KC_CHECK_EQ_STR(kc_part_loop_class_name(KC_PART_LOOP_WAIT), "wait");
	close_ctx(&c);
}

/* A user-half function's calls of kernel functions that cross are priced (rules.c, every mode):
 * dma_unmap_single and consume_skb in the ring loop (256 each) and test_bit (a bit operation on a
 * word: a downcall though a header inline); memcpy (local library), readl (a register accessor,
 * the device-access rules' business) and netdev_priv (a header inline) are not. lp_ring (20 LOC)
 * then stays in the kernel: 513 crossings cost more than its LOC. */
static void test_kernel_call_weight(void)
{
	struct ctx c;
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_part_stats st;
	struct kc_err err = { 0 };
	const char *d = NULL;
	struct kc_sb why = { 0 };

	KC_REQUIRE(open_ctx(&c, "loops.sql", NULL) == 0);
	KC_CHECK(fabs(kc_part_graph_imp_weight(c.g, kc_part_graph_find(c.g, "lp_ring"), &d) - 513) < 1e-9);
	KC_CHECK(d && strstr(d, "3 kernel call sites (dma_unmap_single,consume_skb,test_bit)"));
	KC_CHECK(kc_part_graph_imp_weight(c.g, kc_part_graph_find(c.g, "lp_poll"), NULL) == 0);
	/* msleep in a wait loop: the loop's calibrated estimate, 3 */
	KC_CHECK(fabs(kc_part_graph_imp_weight(c.g, kc_part_graph_find(c.g, "lp_wait"), NULL) - 3) < 1e-9);
	KC_CHECK_EQ_INT(kc_part_solve(&r, c.g, &o, &err), 0);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(side_of(r, c.g, "lp_ring"), KC_PART_KERNEL);
	KC_CHECK_EQ_STR(reason_of(r, c.g, "lp_ring"), "cut");
	KC_CHECK_EQ_INT(side_of(r, c.g, "lp_helper"), KC_PART_USER);
	kc_part_result_stats(r, &st);
	/* of the user half, only lp_wait and lp_test call kernel functions (msleep in their loops) */
	{
		static const char *const callers[] = { "lp_wait", "lp_test" };
		double w = 0;
		size_t k, n = 0;

		for (k = 0; k < KC_ARRAY_SIZE(callers); k++)
			if (side_of(r, c.g, callers[k]) == KC_PART_USER) {
				w += kc_part_graph_imp_weight(c.g, kc_part_graph_find(c.g, callers[k]), NULL);
				n++;
			}
		KC_CHECK(fabs(st.imp_weight - w) < 1e-9 && (size_t)st.imp_funcs == n);
	}
	kc_part_why(&why, c.g, r, kc_part_graph_find(c.g, "lp_ring"));
	KC_CHECK(why.s && strstr(why.s, "kernel calls: from the user half they are downcalls") &&
		 strstr(why.s, "beta*513 = 513"));
	kc_sb_free(&why);
	kc_part_result_free(r);
	close_ctx(&c);
}

int main(void)
{
	T = builtin_templates();
	if (!T)
		return 1;
	KC_RUN(test_roots_net);
	KC_RUN(test_roots_sound_and_forced_family);
	KC_RUN(test_family_from_registration_calls);
	KC_RUN(test_hard_constraints_and_propagate);
	KC_RUN(test_mincut_beta_sweep);
	KC_RUN(test_loop_trips);
	KC_RUN(test_kernel_call_weight);
	KC_RUN(test_pins);
	KC_RUN(test_store_load_why_dot);
	KC_RUN(test_profile_weights);
	KC_RUN(test_profile_unseen_cut);
	kc_part_templates_free(T);
	return kc_test_done();
}
