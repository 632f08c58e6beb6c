/*
 * test_ccdb.c - unit tests of compile_commands.json loading (analyzer/ccdb.c): both entry forms,
 * paths resolved against `directory`, -p DIR vs a JSON path, and errors with line:column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "kc_test.h"

static const char *work;

static char *write_file(const char *name, const char *text)
{
	char *p = kc_path_join(work, name);
	FILE *f = fopen(p, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

static void test_both_forms(void)
{
	struct kc_ccdb db;
	struct kc_err err = { 0 };
	char *p = write_file("compile_commands.json",
			     "[\n"
			     " {\"directory\": \"/src\", \"file\": \"a.c\", \"command\": \"cc -DX='\\\"s\\\"' -c a.c\"},\n"
			     " {\"directory\": \"/src\", \"file\": \"/abs/b.c\", \"arguments\": [\"cc\", \"-Iinc\", "
			     "\"/abs/b.c\"]}\n"
			     "]\n");

	KC_REQUIRE(kc_ccdb_load(&db, work, &err) == 0); /* -p DIR form */
	KC_REQUIRE(db.n == 2);
	KC_CHECK_EQ_STR(db.e[0].file, "/src/a.c");
	KC_CHECK_EQ_STR(db.e[0].args.v[0], "-DX=\"s\"");
	KC_CHECK_EQ_STR(db.e[1].file, "/abs/b.c");
	KC_CHECK_EQ_STR(db.e[1].args.v[0], "-I/src/inc");
	kc_ccdb_free(&db);
	KC_CHECK(kc_ccdb_load(&db, p, &err) == 0); /* JSON path form */
	kc_ccdb_free(&db);
	free(p);
}

static void test_broken_json(void)
{
	struct kc_ccdb db;
	struct kc_err err = { 0 };
	char *p = write_file("broken.json", "[\n  {\"directory\": \"/src\",\n    \"file\": }\n]\n");

	KC_CHECK_EQ_INT(kc_ccdb_load(&db, p, &err), KC_EPARSE);
	KC_CHECK(strstr(err.msg, "broken.json:3:") != NULL);
	KC_CHECK(strstr(err.msg, "broken JSON") != NULL);
	free(p);
}

static void test_bad_entries(void)
{
	struct kc_ccdb db;
	struct kc_err err = { 0 };
	char *p = write_file("noargs.json", "[{\"directory\": \"/src\", \"file\": \"a.c\"}]");

	KC_CHECK_EQ_INT(kc_ccdb_load(&db, p, &err), KC_EPARSE);
	KC_CHECK(strstr(err.msg, "entry 0") != NULL);
	free(p);
	p = write_file("obj.json", "{\"not\": \"an array\"}");
	KC_CHECK_EQ_INT(kc_ccdb_load(&db, p, &err), KC_EPARSE);
	free(p);
	KC_CHECK_EQ_INT(kc_ccdb_load(&db, "/nonexistent/dir/compile_commands.json", &err), KC_EIO);
	KC_CHECK(strstr(err.msg, "no such file") != NULL);
}

int main(int argc, char **argv)
{
	work = argc > 1 ? argv[1] : "/tmp/kc_test_ccdb";
	mkdir(work, 0777);
	KC_RUN(test_both_forms);
	KC_RUN(test_broken_json);
	KC_RUN(test_bad_entries);
	return kc_test_done();
}
