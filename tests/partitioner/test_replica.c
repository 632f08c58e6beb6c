/*
 * test_replica.c - replicated functions (partitioner/replica.c; docs/partitioner.md, "Replicated
 * functions") on a hand-made database (fixtures/replica.sql) with the built-in templates: which
 * functions are replicable and why not (a global written, a lock taken, a non-replicable callee,
 * a kernel-only import, a field written, a non-const global read, too big), which ones a solve
 * replicates (kernel half, called from both halves), none under --device-access none or with
 * replication off, the stored table and parameter read back, and the why/summary lines.
 */
#include <stdio.h>
#include <string.h>

#include "kc_test.h"
#include "part_fixture.h"

static struct kc_part_templates *T;

static struct kc_part_graph *load(struct kc_db *db, int mode)
{
	struct kc_part_load lo = KC_PART_LOAD_INIT;
	struct kc_part_graph *g = NULL;
	struct kc_err err = { 0 };

	lo.device_access = mode;
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

/* Replicable or not, and the reason contains `want`. */
static void expect(const struct kc_part_graph *g, const char *fn, int replicable, const char *want)
{
	int v = kc_part_graph_find(g, fn);
	const char *why = NULL;

	KC_REQUIRE(v >= 0);
	KC_CHECK_EQ_INT(kc_part_graph_replicable(g, v, &why), replicable);
	KC_REQUIRE(why != NULL);
	if (!strstr(why, want))
		fprintf(stderr, "%s: reason '%s' lacks '%s'\n", fn, why, want);
	KC_CHECK(strstr(why, want) != NULL);
}

static int replicated(const struct kc_part_graph *g, const struct kc_part_result *r, const char *fn)
{
	return kc_part_result_replicated(r, kc_part_graph_find(g, fn));
}

static void test_facts(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("replica.sql", dbp, sizeof(dbp));
	struct kc_part_graph *g;

	KC_REQUIRE(db != NULL);
	g = load(db, KC_PART_DEV_FORWARD);
	KC_REQUIRE(g != NULL);
	expect(g, "rp_read", 1, "pure register accessor (readl");
	expect(g, "rp_write", 1, "pure register accessor (writel");
	expect(g, "rp_mask", 1, "calls replicable rp_read");
	expect(g, "rp_count", 0, "writes global rp_reads at /src/rp/rp.c:113:2");
	expect(g, "rp_lock", 0, "takes a lock: spin_lock(&chip->lock)");
	expect(g, "rp_wrap", 0, "calls rp_lock at /src/rp/rp.c:131:2, which is not replicable");
	expect(g, "rp_delay", 0, "calls kernel function udelay");
	expect(g, "rp_setf", 0, "writes rp_chip.last");
	expect(g, "rp_state", 0, "reads global rp_mode, which is not const");
	expect(g, "rp_big", 0, "30 LOC");
	expect(g, "rp_irq", 0, "registered with the kernel (request_irq)");
	expect(g, "rp_bits", 1, "pure function");
	kc_part_graph_free(g);
	/* none: the user half cannot reach registers, so no register accessor is replicable */
	g = load(db, KC_PART_DEV_NONE);
	KC_REQUIRE(g != NULL);
	expect(g, "rp_read", 0, "under device access none");
	expect(g, "rp_mask", 0, "calls rp_read at /src/rp/rp.c:101:9, which is not replicable");
	expect(g, "rp_bits", 1, "pure function");
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

static void test_replicate(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("replica.sql", dbp, sizeof(dbp));
	struct kc_part_graph *g;
	struct kc_part_result *r;
	struct kc_sb sb = { 0 };
	const char *fn;
	size_t i;

	KC_REQUIRE(db != NULL);
	g = load(db, KC_PART_DEV_FORWARD);
	r = solve(g);
	KC_REQUIRE(r != NULL);
	KC_CHECK_EQ_INT(kc_part_result_side(r, kc_part_graph_find(g, "rp_probe")), KC_PART_USER);
	kc_part_replicate(r, 1);
	KC_CHECK(replicated(g, r, "rp_read"));
	KC_CHECK(replicated(g, r, "rp_write"));
	KC_CHECK(replicated(g, r, "rp_mask"));
	KC_CHECK(replicated(g, r, "rp_bits"));
	for (i = 0; (fn = (const char *[]){ "rp_count", "rp_lock", "rp_wrap", "rp_delay", "rp_setf", "rp_state", "rp_big",
					     "rp_irq", "rp_probe", NULL }[i]) != NULL; i++)
		KC_CHECK(!replicated(g, r, fn));
	/* the side stays kernel, and so do the stats (kernel LOC counts it) */
	KC_CHECK_EQ_INT(kc_part_result_side(r, kc_part_graph_find(g, "rp_read")), KC_PART_KERNEL);
	kc_part_why(&sb, g, r, kc_part_graph_find(g, "rp_read"));
	KC_CHECK(strstr(sb.s, "replicated: called from both halves, pure register accessor (readl") != NULL);
	KC_CHECK(strstr(sb.s, "no crossing from user-half callers: rp_probe") != NULL);
	kc_sb_free(&sb);
	kc_part_why(&sb, g, r, kc_part_graph_find(g, "rp_lock"));
	KC_CHECK(strstr(sb.s, "not replicated: takes a lock") != NULL);
	kc_sb_free(&sb);
	kc_part_summary(&sb, g, r, 20);
	KC_CHECK(strstr(sb.s, "replicated in both halves (counted in the kernel LOC): 4 functions, 14 LOC: rp_read "
			      "rp_write rp_mask rp_bits") != NULL);
	KC_CHECK(strstr(sb.s, "4 crossing edges, weight 4, no longer cross") != NULL);
	/* the cut priced them as replicas: rp_write's and rp_bits's copies make no register downcall,
	 * rp_read's (readl under forward) and rp_mask's (it calls rp_read) one per call, as the crossing */
	KC_CHECK(strstr(sb.s, "crossing edges: 11, weight 11, of which 2 saved by replicas") != NULL);
	KC_CHECK(strstr(sb.s, "user rp_probe -> kernel rp_read (1) replicated: called locally") != NULL);
	kc_sb_free(&sb);
	/* kcut graph marks them: a second outline and a note, and the user half's calls as local */
	kc_part_dot(&sb, g, r, -1, 0);
	KC_CHECK(strstr(sb.s, "rp_read\n4 LOC, atomic\nreplicated: a copy runs in the user half\", peripheries=2") !=
		 NULL);
	KC_CHECK(strstr(sb.s, "[style=dotted, color=\"#1f618d\", label=\"1, local copy\"]") != NULL);
	KC_CHECK(strstr(sb.s, "rp_lock\n6 LOC, atomic\"]") != NULL);
	kc_sb_free(&sb);
	/* off */
	kc_part_replicate(r, 0);
	KC_CHECK(!replicated(g, r, "rp_read"));
	kc_part_why(&sb, g, r, kc_part_graph_find(g, "rp_read"));
	KC_CHECK(strstr(sb.s, "not replicated: replication is off") != NULL);
	kc_sb_free(&sb);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	/* none: nothing replicated */
	g = load(db, KC_PART_DEV_NONE);
	r = solve(g);
	KC_REQUIRE(r != NULL);
	kc_part_replicate(r, 1);
	for (i = 0; i < kc_part_graph_nfuncs(g); i++)
		KC_CHECK(!kc_part_result_replicated(r, (int)i));
	kc_part_why(&sb, g, r, kc_part_graph_find(g, "rp_read"));
	KC_CHECK(strstr(sb.s, "not replicated: device access none (replication needs forward or mapped)") != NULL);
	kc_sb_free(&sb);
	kc_part_why(&sb, g, r, kc_part_graph_find(g, "rp_bits"));
	KC_CHECK(strstr(sb.s, "device access none (replication needs forward or mapped); it would be: pure function") !=
		 NULL);
	kc_sb_free(&sb);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

/* Stored: table partition_replica and params "replicate"; loaded back; replaced with the partition. */
static void test_store(void)
{
	char dbp[512];
	struct kc_db *db = fixture_db("replica.sql", dbp, sizeof(dbp));
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_graph *g;
	struct kc_part_result *r, *back = NULL;
	struct kc_err err = { 0 };
	sqlite3_stmt *st = NULL;

	KC_REQUIRE(db != NULL);
	g = load(db, KC_PART_DEV_FORWARD);
	r = solve(g);
	KC_REQUIRE(r != NULL);
	kc_part_replicate(r, 1);
	KC_CHECK_EQ_INT(kc_part_store(db, g, &o, NULL, r, "p", &err), 0);
	KC_CHECK_EQ_INT(sqlite3_prepare_v2(kc_db_sqlite(db),
					   "SELECT group_concat(f.name, ' ') FROM (SELECT f.name FROM partition_replica pr "
					   "JOIN partition p ON p.id = pr.partition_id JOIN func f ON f.id = pr.func_id "
					   "WHERE p.name = 'p' ORDER BY f.name) f",
					   -1, &st, NULL),
			SQLITE_OK);
	KC_CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
	KC_CHECK_EQ_STR((const char *)sqlite3_column_text(st, 0), "rp_bits rp_mask rp_read rp_write");
	sqlite3_finalize(st);
	KC_CHECK_EQ_INT(kc_part_load(&back, db, g, "p", NULL, NULL, NULL, &err), 0);
	KC_REQUIRE(back != NULL);
	KC_CHECK(replicated(g, back, "rp_read") && replicated(g, back, "rp_mask") && !replicated(g, back, "rp_lock"));
	kc_part_result_free(back);
	back = NULL;
	/* replaced: off this time, no rows left */
	kc_part_replicate(r, 0);
	KC_CHECK_EQ_INT(kc_part_store(db, g, &o, NULL, r, "p", &err), 0);
	KC_CHECK_EQ_INT(sqlite3_prepare_v2(kc_db_sqlite(db), "SELECT count(*) FROM partition_replica", -1, &st, NULL),
			SQLITE_OK);
	KC_CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
	KC_CHECK_EQ_INT(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	KC_CHECK_EQ_INT(kc_part_load(&back, db, g, "p", NULL, NULL, NULL, &err), 0);
	KC_REQUIRE(back != NULL);
	KC_CHECK(!replicated(g, back, "rp_read"));
	kc_part_result_free(back);
	kc_part_result_free(r);
	kc_part_graph_free(g);
	kc_db_close(db);
	unlink(dbp);
}

int main(void)
{
	T = builtin_templates();
	if (!T)
		return 1;
	KC_RUN(test_facts);
	KC_RUN(test_replicate);
	KC_RUN(test_store);
	kc_part_templates_free(T);
	return kc_test_done();
}
