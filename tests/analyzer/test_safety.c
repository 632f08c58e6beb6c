/*
 * test_safety.c - nothing the analyzer stores is lost or wrong after a fault or a careless input
 * (issue 14):
 *   - two static functions (and variables) of one name in two files of one base name
 *     (a/main.c, b/main.c) are two rows, each caller bound to its own file's body;
 *   - a run killed after the last TU committed but before indirect-call resolution committed
 *     (KCUT_TEST_EXIT_BEFORE_RESOLVE) leaves a mark, and the next run, every TU unchanged,
 *     completes the resolution;
 *   - a TU with compile errors is parsed again on the re-run (not "unchanged"), which reports
 *     it again (KC_EPARTIAL: exit 3 in the CLI).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyzer.h"
#include "kc_test.h"

static const char *work_dir;

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

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

static int run(struct kc_db *db, const char *json, struct kc_analyze_result *r)
{
	struct kc_analyze_opts o = KC_ANALYZE_OPTS_INIT;
	struct kc_err err = { 0 };
	int rc;

	o.ccdb = json;
	o.jobs = 2;
	o.progress = 0;
	rc = kc_analyze(r, db, &o, &err);
	if (rc)
		fprintf(stderr, "kc_analyze: %s\n", err.msg);
	return rc;
}

/* A fresh directory under the work dir; returns its path in buf. */
static void subdir(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", work_dir, name);
	mkdir(buf, 0777);
}

static void test_static_same_basename(void)
{
	char top[1024], a[1100], b[1100], json[1100], dbp[1100], p[1200];
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	struct kc_analyze_result r;
	FILE *f;

	subdir(top, sizeof(top), "static");
	snprintf(a, sizeof(a), "%s/a", top);
	snprintf(b, sizeof(b), "%s/b", top);
	mkdir(a, 0777);
	mkdir(b, 0777);
	snprintf(p, sizeof(p), "%s/main.c", a);
	put(p, "void kfn_a(void);\nstatic int counter;\n"
	       "static int helper(void)\n{\n\tkfn_a();\n\treturn counter++;\n}\n"
	       "int a_entry(void) { return helper(); }\n");
	snprintf(p, sizeof(p), "%s/main.c", b);
	put(p, "void kfn_b1(void);\nvoid kfn_b2(void);\nstatic int counter;\n"
	       "static int helper(void)\n{\n\tkfn_b1();\n\tkfn_b2();\n\treturn counter--;\n}\n"
	       "int b_entry(void) { return helper(); }\n");
	snprintf(json, sizeof(json), "%s/compile_commands.json", top);
	f = fopen(json, "w");
	KC_REQUIRE(f);
	fprintf(f, "[{\"directory\": \"%s\", \"file\": \"main.c\", \"arguments\": [\"cc\", \"-c\", \"main.c\"]},\n"
		   " {\"directory\": \"%s\", \"file\": \"main.c\", \"arguments\": [\"cc\", \"-c\", \"main.c\"]}]\n",
		a, b);
	fclose(f);
	snprintf(dbp, sizeof(dbp), "%s/k.db", top);
	remove(dbp);
	KC_REQUIRE(kc_db_open(&db, dbp, KC_DB_CREATE, &err) == 0);
	KC_CHECK_EQ_INT(run(db, json, &r), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 2);
	/* two definitions, one per file */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'helper' AND is_defined"), 2);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(DISTINCT file_id) FROM func WHERE name = 'helper'"), 2);
	/* each body's calls kept: a's helper calls kfn_a, b's calls kfn_b1 and kfn_b2 */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func h ON h.id = c.caller_id "
			       "JOIN file fl ON fl.id = h.file_id JOIN func k ON k.id = c.callee_id "
			       "WHERE h.name = 'helper' AND fl.path LIKE '%/a/main.c' AND k.name = 'kfn_a'"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func h ON h.id = c.caller_id "
			       "JOIN file fl ON fl.id = h.file_id JOIN func k ON k.id = c.callee_id "
			       "WHERE h.name = 'helper' AND fl.path LIKE '%/b/main.c' AND k.name LIKE 'kfn_b%'"), 2);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func h ON h.id = c.caller_id "
			       "WHERE h.name = 'helper'"), 3);
	/* callers bind to their own file's body */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func e ON e.id = c.caller_id "
			       "JOIN func h ON h.id = c.callee_id JOIN file fl ON fl.id = h.file_id "
			       "WHERE e.name = 'a_entry' AND h.name = 'helper' AND fl.path LIKE '%/a/main.c'"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func e ON e.id = c.caller_id "
			       "JOIN func h ON h.id = c.callee_id JOIN file fl ON fl.id = h.file_id "
			       "WHERE e.name = 'b_entry' AND h.name = 'helper' AND fl.path LIKE '%/b/main.c'"), 1);
	/* static variables of one name: two rows too, each accessed by its own file's helper */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM global WHERE name = 'counter'"), 2);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM global_access ga JOIN global g ON g.id = ga.global_id "
			       "JOIN func h ON h.id = ga.func_id WHERE g.name = 'counter' AND g.file_id = h.file_id"),
			q1(db, "SELECT count(*) FROM global_access ga JOIN global g ON g.id = ga.global_id "
			       "WHERE g.name = 'counter'"));
	/* re-analysing one TU keeps the other's body */
	snprintf(p, sizeof(p), "%s/main.c", a);
	put(p, "void kfn_a(void);\nstatic int counter;\n"
	       "static int helper(void)\n{\n\tkfn_a();\n\tkfn_a();\n\treturn counter++;\n}\n"
	       "int a_entry(void) { return helper(); }\n");
	KC_CHECK_EQ_INT(run(db, json, &r), 0);
	KC_CHECK_EQ_INT(r.n_analyzed, 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM func WHERE name = 'helper' AND is_defined"), 2);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func h ON h.id = c.caller_id "
			       "JOIN func k ON k.id = c.callee_id WHERE h.name = 'helper' AND k.name LIKE 'kfn_b%'"), 2);
	kc_db_close(db);
}

/* One TU with an ops-struct slot call (an indirect edge once resolved). */
static void write_icall_driver(const char *dir, const char *json)
{
	char p[1200];
	FILE *f;

	snprintf(p, sizeof(p), "%s/drv.c", dir);
	put(p, "struct ops { int (*open)(int); };\n"
	       "static int my_open(int x) { return x; }\n"
	       "static const struct ops my_ops = { .open = my_open };\n"
	       "int use(const struct ops *o) { return o->open(1); }\n"
	       "const struct ops *get(void) { return &my_ops; }\n");
	f = fopen(json, "w");
	if (!f)
		return;
	fprintf(f, "[{\"directory\": \"%s\", \"file\": \"drv.c\", \"arguments\": [\"cc\", \"-c\", \"drv.c\"]}]\n", dir);
	fclose(f);
}

static void test_kill_before_resolution(void)
{
	char dir[1024], json[1100], dbp[1100];
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	struct kc_analyze_result r;
	pid_t pid;
	int st = 0;

	subdir(dir, sizeof(dir), "resolve");
	snprintf(json, sizeof(json), "%s/compile_commands.json", dir);
	snprintf(dbp, sizeof(dbp), "%s/k.db", dir);
	remove(dbp);
	write_icall_driver(dir, json);
	/* the child dies (_exit, like a kill) after its only TU committed, before the resolution */
	fflush(NULL);
	pid = fork();
	KC_REQUIRE(pid >= 0);
	if (pid == 0) {
		struct kc_db *cdb = NULL;

		setenv("KCUT_TEST_EXIT_BEFORE_RESOLVE", "1", 1);
		if (kc_db_open(&cdb, dbp, KC_DB_CREATE, &err) != 0)
			_exit(1);
		run(cdb, json, &r);
		_exit(2); /* not reached when the hook works */
	}
	KC_REQUIRE(waitpid(pid, &st, 0) == pid);
	KC_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 137);
	KC_REQUIRE(kc_db_open(&db, dbp, 0, &err) == 0);
	/* the TU is stored, its icall too, but no indirect edge yet: the run was cut short */
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM tu WHERE status = 'ok'"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM icall"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call WHERE kind = 'indirect'"), 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM meta WHERE key = 'resolve_pending'"), 1);
	/* the re-run skips the unchanged TU and still completes the resolution */
	KC_CHECK_EQ_INT(run(db, json, &r), 0);
	KC_CHECK_EQ_INT(r.n_skipped, 1);
	KC_CHECK_EQ_INT(r.n_analyzed, 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call c JOIN func f ON f.id = c.callee_id "
			       "WHERE c.kind = 'indirect' AND f.name = 'my_open'"), 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM meta WHERE key = 'resolve_pending'"), 0);
	/* and a normal run leaves no mark behind */
	KC_CHECK_EQ_INT(run(db, json, &r), 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM meta WHERE key = 'resolve_pending'"), 0);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM call WHERE kind = 'indirect'"), 1);
	kc_db_close(db);
}

static void test_errors_not_unchanged(void)
{
	char dir[1024], json[1100], dbp[1100], p[1200];
	struct kc_db *db = NULL;
	struct kc_err err = { 0 };
	struct kc_analyze_result r;
	FILE *f;

	subdir(dir, sizeof(dir), "errors");
	snprintf(json, sizeof(json), "%s/compile_commands.json", dir);
	snprintf(dbp, sizeof(dbp), "%s/k.db", dir);
	remove(dbp);
	snprintf(p, sizeof(p), "%s/ok.c", dir);
	put(p, "int fine(void) { return 0; }\n");
	snprintf(p, sizeof(p), "%s/bad.c", dir);
	put(p, "int broken(void) { return undeclared_thing; }\n");
	f = fopen(json, "w");
	KC_REQUIRE(f);
	fprintf(f, "[{\"directory\": \"%s\", \"file\": \"ok.c\", \"arguments\": [\"cc\", \"-c\", \"ok.c\"]},\n"
		   " {\"directory\": \"%s\", \"file\": \"bad.c\", \"arguments\": [\"cc\", \"-c\", \"bad.c\"]}]\n",
		dir, dir);
	fclose(f);
	KC_REQUIRE(kc_db_open(&db, dbp, KC_DB_CREATE, &err) == 0);
	KC_CHECK_EQ_INT(run(db, json, &r), KC_EPARTIAL);
	KC_CHECK_EQ_INT(r.n_errors, 1);
	/* re-run, nothing changed: the clean TU is skipped, the broken one parsed and reported again */
	KC_CHECK_EQ_INT(run(db, json, &r), KC_EPARTIAL);
	KC_CHECK_EQ_INT(r.n_skipped, 1);
	KC_CHECK_EQ_INT(r.n_errors, 1);
	KC_CHECK_EQ_INT(r.n_analyzed, 1);
	KC_CHECK_EQ_INT(q1(db, "SELECT count(*) FROM tu WHERE status = 'errors'"), 1);
	kc_db_close(db);
}

int main(int argc, char **argv)
{
	work_dir = argc > 1 ? argv[1] : "/tmp/kc_test_safety";
	mkdir(work_dir, 0777);
	KC_RUN(test_static_same_basename);
	KC_RUN(test_kill_before_resolution);
	KC_RUN(test_errors_not_unchanged);
	return kc_test_done();
}
