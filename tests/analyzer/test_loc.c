/*
 * test_loc.c - func.loc is counted in time linear in the file's length (issue 14: a 200k-line
 * generated file took 104 s when every function scanned from line 1). Checked by counting work
 * (bytes the LOC scanner read, kc_loc_bytes_scanned), never by timing:
 *   - kc_loc_count agrees with a reference line-by-line count on tricky text (comments spanning
 *     lines, // comments, blank lines, a last line without newline, out-of-range lines);
 *   - a generated 50,000-line file of 10,000 functions analyzed by kc_analyze reads each byte of
 *     the file once (the quadratic scan read about 10,000 / 2 times the file), and every stored
 *     func.loc is right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "kc_test.h"

static const char *work_dir;

/* Reference: the old count_loc (scan from line 1), kept here as the specification. */
static int ref_count(const char *buf, size_t len, unsigned first, unsigned last)
{
	const char *s = buf, *end = buf + len;
	unsigned line = 1;
	int n = 0, in_comment = 0, code = 0;

	for (; s < end && line <= last; s++) {
		if (*s == '\n') {
			if (line >= first && code)
				n++;
			line++;
			code = 0;
			continue;
		}
		if (in_comment) {
			if (*s == '*' && s + 1 < end && s[1] == '/') {
				in_comment = 0;
				s++;
			}
			continue;
		}
		if (*s == '/' && s + 1 < end && s[1] == '*') {
			in_comment = 1;
			s++;
			continue;
		}
		if (*s == '/' && s + 1 < end && s[1] == '/') {
			while (s + 1 < end && s[1] != '\n')
				s++;
			continue;
		}
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\f' && *s != '\v')
			code = 1;
	}
	if (line >= first && line <= last && code)
		n++;
	return n;
}

static void test_loc_matches_reference(void)
{
	static const char *const texts[] = {
		"int f(void)\n{\n\treturn 0;\n}\n",
		"/* a\n * b\n */\nint x; /* c\n d */ int y;\n\n   \n// only comment\nint z; // tail\n",
		"int a;\n/* open\n\n\nclose */\n\t\nlast",
		"",
		"\n\n\n",
		"x/",
		"/*/ still comment\n*/x\n",
	};
	size_t t;

	for (t = 0; t < KC_ARRAY_SIZE(texts); t++) {
		size_t len = strlen(texts[t]);
		unsigned nl = 0, a, b;
		unsigned *pre = kc_loc_index(texts[t], len, &nl);

		for (a = 0; a <= nl + 2; a++)
			for (b = 0; b <= nl + 2; b++)
				if (kc_loc_count(pre, nl, a, b) != ref_count(texts[t], len, a ? a : 1, b)) {
					fprintf(stderr, "text %zu lines %u..%u: %d != %d\n", t, a, b,
						kc_loc_count(pre, nl, a, b), ref_count(texts[t], len, a ? a : 1, b));
					KC_CHECK(0);
				}
		free(pre);
	}
}

#define NFUNCS 10000

static void test_loc_linear_in_file(void)
{
	char dir[1024], json[1100], src[1100], dbp[1100];
	struct kc_analyze_opts o = KC_ANALYZE_OPTS_INIT;
	struct kc_analyze_result r;
	struct kc_err err = { 0 };
	struct kc_db *db = NULL;
	struct stat st;
	size_t before, work;
	FILE *f;
	int i;

	snprintf(dir, sizeof(dir), "%s/big", work_dir);
	mkdir(dir, 0777);
	snprintf(src, sizeof(src), "%s/gen.c", dir);
	snprintf(json, sizeof(json), "%s/compile_commands.json", dir);
	snprintf(dbp, sizeof(dbp), "%s/k.db", dir);
	remove(dbp);
	f = fopen(src, "w");
	KC_REQUIRE(f);
	/* 6 lines per function: 4 of code, a comment line, a blank line after it -> loc 4 */
	for (i = 0; i < NFUNCS; i++)
		fprintf(f, "int f_%d(int x)\n{\n/* step %d */\n\treturn x + %d;\n}\n\n", i, i, i);
	fclose(f);
	KC_REQUIRE(stat(src, &st) == 0);
	f = fopen(json, "w");
	KC_REQUIRE(f);
	fprintf(f, "[{\"directory\": \"%s\", \"file\": \"gen.c\", \"arguments\": [\"cc\", \"-c\", \"gen.c\"]}]\n", dir);
	fclose(f);
	KC_REQUIRE(kc_db_open(&db, dbp, KC_DB_CREATE, &err) == 0);
	o.ccdb = json;
	o.jobs = 1;
	o.progress = 0;
	before = kc_loc_bytes_scanned();
	KC_CHECK_EQ_INT(kc_analyze(&r, db, &o, &err), 0);
	work = kc_loc_bytes_scanned() - before;
	/* each byte of the file once; the old scan from line 1 read ~NFUNCS/2 times the file */
	printf("file %lld bytes, LOC scanner read %zu bytes for %d functions\n", (long long)st.st_size, work,
	       NFUNCS);
	KC_CHECK(work >= (size_t)st.st_size);
	KC_CHECK(work <= 2 * (size_t)st.st_size);
	{
		sqlite3_stmt *s = NULL;
		long long n = -1, bad = -1;

		if (sqlite3_prepare_v2(kc_db_sqlite(db),
				       "SELECT count(*), sum(loc <> 4) FROM func WHERE name LIKE 'f\\_%' ESCAPE '\\' "
				       "AND is_defined",
				       -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW) {
			n = sqlite3_column_int64(s, 0);
			bad = sqlite3_column_int64(s, 1);
		}
		sqlite3_finalize(s);
		KC_CHECK_EQ_INT(n, NFUNCS);
		KC_CHECK_EQ_INT(bad, 0);
	}
	kc_db_close(db);
}

int main(int argc, char **argv)
{
	work_dir = argc > 1 ? argv[1] : "/tmp/kc_test_loc";
	mkdir(work_dir, 0777);
	KC_RUN(test_loc_matches_reference);
	KC_RUN(test_loc_linear_in_file);
	return kc_test_done();
}
