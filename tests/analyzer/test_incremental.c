/*
 * test_incremental.c - incremental runs of kc_analyze(): unchanged TUs are skipped, a change to a
 * main file or to an included driver header re-analyzes exactly the TUs concerned, a static inline
 * shared by two TUs stays stored once (with its facts) whichever TU is re-analyzed, and a function
 * removed from the source disappears from the database; func.address_taken follows the current
 * sources of every TU; --prune (opts.prune) deletes the TUs gone from compile_commands.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer.h"
#include "kc_test.h"

static char drv[4096], json[4096], dbp[4096];
static const char *work_dir;

static void put(const char *name, const char *text)
{
	char p[4200];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", drv, name);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static long long q1(struct kc_db *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(kc_db_sqlite(db), sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int run_drv(struct kc_db *db, struct kc_analyze_result *r, int force, const char *driver)
{
	struct kc_analyze_opts o = KC_ANALYZE_OPTS_INIT;
	struct kc_err err = { 0 };
	const char *drivers[1] = { driver };
	int rc;

	if (driver) {
		o.drivers = drivers;
		o.ndrivers = 1;
	}
	o.ccdb = json;
	o.jobs = 2;
	o.progress = 0;
	o.force = force;
	rc = kc_analyze(r, db, &o, &err);
	if (rc)
		fprintf(stderr, "kc_analyze: %s\n", err.msg);
	return rc;
}

static int run(struct kc_db *db, struct kc_analyze_result *r, int force)
{
	return run_drv(db, r, force, NULL);
}

/* Write compile_commands.json with a.c, and b.c when with_b. */
static void write_json(int with_b)
{
	FILE *f = fopen(json, "w");

	if (!f)
		return;
	fprintf(f, "[{\"directory\": \"%s\", \"file\": \"a.c\", \"arguments\": [\"cc\", \"-c\", \"a.c\"]}", drv);
	if (with_b)
		fprintf(f, ",\n {\"directory\": \"%s\", \"file\": \"b.c\", \"command\": \"cc -c b.c\"}", drv);
	fprintf(f, "]\n");
	fclose(f);
}

static int run_prune(struct kc_db *db, struct kc_analyze_result *r, int prune)
{
	struct kc_analyze_opts o = KC_ANALYZE_OPTS_INIT;
	struct kc_err err = { 0 };
	int rc;

	o.ccdb = json;
	o.jobs = 2;
	o.progress = 0;
	o.prune = prune;
	rc = kc_analyze(r, db, &o, &err);
	if (rc)
		fprintf(stderr, "kc_analyze: %s\n", err.msg);
	return rc;
}

#define ADDR(name) "SELECT address_taken FROM func WHERE name = '" name "'"

/* func.address_taken is recomputed from every TU's current source: a TU that no longer uses a
 * function as a value takes its mark back, unless another TU still does. */
static void test_address_taken(void)
{
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	struct kc_analyze_result r;

	write_json(1);
	put("h.h", "void cb(void);\nvoid cb2(void);\n");
	put("a.c", "#include \"h.h\"\nvoid a_fn(void) { void (*p)(void) = cb; p(); }\n");
	put("b.c", "#include \"h.h\"\nvoid cb(void) { }\nvoid cb2(void) { }\nvoid (*keep)(void) = cb2;\n");
	remove(dbp);
	KC_REQUIRE(kc_db_open(&db, dbp, KC_DB_CREATE, &err) == 0);
	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(q1(db, ADDR("cb")), 1);
	KC_CHECK_EQ_INT(q1(db, ADDR("cb2")), 1);

	/* a.c stops taking cb's address: the mark goes */
	put("a.c", "#include \"h.h\"\nvoid a_fn(void) { cb(); }\n");
	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 1);
	KC_CHECK_EQ_INT(q1(db, ADDR("cb")), 0);
	KC_CHECK_EQ_INT(q1(db, ADDR("cb2")), 1);

	/* both TUs take cb2's address; a.c stops: b.c's evidence keeps it */
	put("a.c", "#include \"h.h\"\nvoid a_fn(void) { void (*p)(void) = cb2; p(); }\n");
	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(q1(db, ADDR("cb2")), 1);
	put("a.c", "#include \"h.h\"\nvoid a_fn(void) { cb2(); }\n");
	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 1);
	KC_CHECK_EQ_INT(q1(db, ADDR("cb2")), 1);
	kc_db_close(db);
}

#define PRUNE_HDR "static inline int shared(int x)\n{\n\treturn x + 1;\n}\n"

/* --prune: b.c leaves compile_commands.json; without --prune its rows stay, with it they go (its
 * TU, its functions' definitions and facts, its registrations), and a.c, which shares a driver
 * header whose inline b.c had stored, is re-analysed so that the inline stays defined. */
static void test_prune(void)
{
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	struct kc_analyze_result r;

	write_json(1);
	put("h.h", PRUNE_HDR);
	put("b.c", "#include \"h.h\"\nint b_fn(int x) { return shared(x); }\n"
		   "void b_cb(void) { }\nvoid (*b_keep)(void) = b_cb;\n");
	put("a.c", "#include \"h.h\"\nvoid b_cb(void);\nint a_fn(int x) { return shared(x); }\n");
	remove(dbp);
	KC_REQUIRE(kc_db_open(&db, dbp, KC_DB_CREATE, &err) == 0);
	KC_CHECK_EQ_INT(run_prune(db, &r, 1), 0);
	KC_CHECK_EQ_INT(r.n_pruned, 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM tu"), 2);
	/* which TU stored the shared inline depends on scheduling; make it b.c's */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'shared' AND is_defined"), 1);
	sqlite3_exec(kc_db_sqlite(db),
		     "UPDATE func SET tu_id = (SELECT t.id FROM tu t JOIN file f ON f.id = t.file_id "
		     "WHERE f.path LIKE '%/b.c') WHERE name = 'shared'", NULL, NULL, NULL);

	write_json(0);
	KC_CHECK_EQ_INT(run_prune(db, &r, 0), 0);
	KC_CHECK_EQ_INT(r.n_pruned, 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM tu"), 2); /* without --prune, kept */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'b_fn'"), 1);

	KC_CHECK_EQ_INT(run_prune(db, &r, 1), 0);
	KC_CHECK_EQ_INT(r.n_pruned, 1);
	KC_CHECK_EQ_INT(r.n_analyzed, 1); /* a.c shares h.h with b.c */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM tu"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'b_fn'"), 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM registration"), 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'shared' AND is_defined"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func f ON f.id = c.callee_id "
			       "WHERE f.name = 'shared'"), 1);
	/* b_cb: declared by a.c, no longer defined, address no longer taken */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'b_cb' AND is_defined"), 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'b_cb' AND address_taken"), 0);

	/* pruning again: nothing to do */
	KC_CHECK_EQ_INT(run_prune(db, &r, 1), 0);
	KC_CHECK_EQ_INT(r.n_pruned, 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 0);
	kc_db_close(db);
}

#define HDR_V1 "struct regs { int ctrl; int stat; };\n" \
	       "static inline int shared_get(struct regs *r)\n{\n\treturn r->ctrl;\n}\n"
#define HDR_V2 "struct regs { int ctrl; int stat; };\n" \
	       "static inline int shared_get(struct regs *r)\n{\n\treturn r->stat;\n}\n"

static void test_incremental(void)
{
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	struct kc_analyze_result r;

	put("h.h", HDR_V1);
	put("a.c", "#include \"h.h\"\nint a_fn(struct regs *r) { return shared_get(r); }\n");
	put("b.c", "#include \"h.h\"\nint b_fn(struct regs *r) { return shared_get(r) + 1; }\n");
	KC_REQUIRE(kc_db_open(&db, dbp, KC_DB_CREATE, &err) == 0);

	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 2);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'shared_get' AND is_defined AND is_driver"), 1);

	/* unchanged: both skipped */
	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 0);
	KC_CHECK_EQ_INT(r.n_skipped, 2);

	/* main file changed: only that TU; the shared inline keeps its single definition and facts */
	put("a.c", "#include \"h.h\"\nint a_fn(struct regs *r) { return shared_get(r); }\n"
		   "int a_new(void) { return 3; }\n");
	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 1);
	KC_CHECK_EQ_INT(r.n_skipped, 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'a_new' AND is_defined"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'shared_get' AND is_defined"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM field_access a JOIN func f ON f.id = a.func_id "
			       "WHERE f.name = 'shared_get'"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func f ON f.id = c.callee_id "
			       "WHERE f.name = 'shared_get'"), 2);

	/* driver header changed: both TUs, and the inline's facts follow the new body */
	put("h.h", HDR_V2);
	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 2);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM field_access a JOIN func f ON f.id = a.func_id "
			       "WHERE f.name = 'shared_get' AND a.field = 'stat'"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM field_access a JOIN func f ON f.id = a.func_id "
			       "WHERE f.name = 'shared_get' AND a.field = 'ctrl'"), 0);

	/* a function removed from the source disappears */
	put("a.c", "#include \"h.h\"\nint a_fn(struct regs *r) { return shared_get(r); }\n");
	KC_CHECK_EQ_INT(run(db, &r, 0), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'a_new'"), 0);

	/* --force re-analyzes everything */
	KC_CHECK_EQ_INT(run(db, &r, 1), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 2);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE is_defined AND is_driver"), 3);

	/* other driver directories change driver membership: everything is re-analyzed */
	KC_CHECK_EQ_INT(run_drv(db, &r, 0, work_dir), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 2);
	KC_CHECK_EQ_INT(run_drv(db, &r, 0, work_dir), 0);
	KC_CHECK_EQ_INT(r.n_skipped, 2);
	kc_db_close(db);
}

int main(int argc, char **argv)
{
	const char *work = argc > 1 ? argv[1] : "/tmp/kc_test_incremental";
	FILE *f;

	work_dir = work;
	mkdir(work, 0777);
	snprintf(drv, sizeof(drv), "%s/drv", work);
	mkdir(drv, 0777);
	snprintf(json, sizeof(json), "%s/compile_commands.json", work);
	snprintf(dbp, sizeof(dbp), "%s/k.db", work);
	remove(dbp);
	f = fopen(json, "w");
	if (!f)
		return 1;
	fprintf(f, "[{\"directory\": \"%s\", \"file\": \"a.c\", \"arguments\": [\"cc\", \"-c\", \"a.c\"]},\n"
		   " {\"directory\": \"%s\", \"file\": \"b.c\", \"command\": \"cc -c b.c\"}]\n", drv, drv);
	fclose(f);
	KC_RUN(test_incremental);
	KC_RUN(test_address_taken);
	KC_RUN(test_prune);
	return kc_test_done();
}
