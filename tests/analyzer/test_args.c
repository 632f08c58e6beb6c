/*
 * test_args.c - unit tests of the analyzer's command-line handling (analyzer/args.c): shell splitting
 * of compile_commands.json `command` strings and the cleaning of compiler arguments for libclang.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kc_test.h"

static int has(const struct kc_argv *a, const char *s)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], s))
			return 1;
	return 0;
}

static void test_split_plain(void)
{
	struct kc_argv a = { 0 };
	struct kc_err err = { 0 };

	KC_CHECK_EQ_INT(kc_shell_split(&a, "  clang -c   -o x.o\tfoo.c ", &err), 0);
	KC_REQUIRE(a.n == 5);
	KC_CHECK_EQ_STR(a.v[0], "clang");
	KC_CHECK_EQ_STR(a.v[3], "x.o");
	KC_CHECK_EQ_STR(a.v[4], "foo.c");
	KC_CHECK(a.v[5] == NULL);
	kc_argv_free(&a);
}

static void test_split_quotes(void)
{
	struct kc_argv a = { 0 };
	struct kc_err err = { 0 };

	/* -DKBUILD_MODNAME='"e1000"' is how the kernel quotes string macros */
	KC_CHECK_EQ_INT(kc_shell_split(&a, "cc -DKBUILD_MODNAME='\"e1000\"' \"-DA=a b\" -DB=x\\ y "
				     "\"q\\\"uote\\\\\" ''", &err), 0);
	KC_REQUIRE(a.n == 6);
	KC_CHECK_EQ_STR(a.v[1], "-DKBUILD_MODNAME=\"e1000\"");
	KC_CHECK_EQ_STR(a.v[2], "-DA=a b");
	KC_CHECK_EQ_STR(a.v[3], "-DB=x y");
	KC_CHECK_EQ_STR(a.v[4], "q\"uote\\");
	KC_CHECK_EQ_STR(a.v[5], "");
	kc_argv_free(&a);
}

static void test_split_unterminated(void)
{
	struct kc_argv a = { 0 };
	struct kc_err err = { 0 };

	KC_CHECK_EQ_INT(kc_shell_split(&a, "cc 'oops", &err), KC_EPARSE);
	KC_CHECK(strstr(err.msg, "unterminated") != NULL);
	kc_argv_free(&a);
	KC_CHECK_EQ_INT(kc_shell_split(&a, "cc \"oops", &err), KC_EPARSE);
	kc_argv_free(&a);
}

static void test_clean_drops(void)
{
	char *argv[] = { "/usr/bin/gcc", "-Wp,-MMD,drivers/x/.e.o.d", "-nostdinc", "-c", "-o", "drivers/x/e.o",
			 "-MD", "-MF", "dep.d", "-MT", "tgt", "-mpreferred-stack-boundary=3",
			 "-mindirect-branch=thunk-extern", "-mindirect-branch-register", "-mfunction-return=thunk-extern",
			 "-fno-allow-store-data-races", "-fconserve-stack", "-ftrivial-auto-var-init=zero",
			 "-mrecord-mcount", "-Werror", "-Werror=implicit-int", "-O2", "-DX=1", "drivers/x/e.c" };
	struct kc_argv out = { 0 };

	kc_clean_args(&out, argv, KC_ARRAY_SIZE(argv), "/src", "drivers/x/e.c");
	KC_CHECK(!has(&out, "/usr/bin/gcc"));
	KC_CHECK(!has(&out, "-c"));
	KC_CHECK(!has(&out, "-o") && !has(&out, "drivers/x/e.o"));
	KC_CHECK(!has(&out, "-MD") && !has(&out, "-MF") && !has(&out, "dep.d") && !has(&out, "tgt"));
	KC_CHECK(!has(&out, "-Wp,-MMD,drivers/x/.e.o.d"));
	KC_CHECK(!has(&out, "-mpreferred-stack-boundary=3"));
	KC_CHECK(!has(&out, "-mindirect-branch=thunk-extern") && !has(&out, "-mindirect-branch-register"));
	KC_CHECK(!has(&out, "-mfunction-return=thunk-extern"));
	KC_CHECK(!has(&out, "-fno-allow-store-data-races") && !has(&out, "-fconserve-stack"));
	KC_CHECK(!has(&out, "-ftrivial-auto-var-init=zero") && !has(&out, "-mrecord-mcount"));
	KC_CHECK(!has(&out, "-Werror") && !has(&out, "-Werror=implicit-int"));
	KC_CHECK(!has(&out, "drivers/x/e.c")); /* the main file is passed separately */
	KC_CHECK(has(&out, "-nostdinc") && has(&out, "-O2") && has(&out, "-DX=1"));
	KC_CHECK(has(&out, "-Wno-error") && has(&out, "-Wno-unknown-warning-option"));
	kc_argv_free(&out);
}

static void test_clean_paths(void)
{
	char *argv[] = { "clang", "-I./include", "-I", "arch/x86/include", "-include", "include/linux/kconfig.h",
			 "-isystem", "/usr/lib/gcc/include", "-I/abs/inc", "x.c" };
	struct kc_argv out = { 0 };

	kc_clean_args(&out, argv, KC_ARRAY_SIZE(argv), "/src/linux", "x.c");
	KC_CHECK(has(&out, "-I/src/linux/./include"));
	KC_CHECK(has(&out, "-I/src/linux/arch/x86/include"));
	KC_CHECK(has(&out, "/src/linux/include/linux/kconfig.h"));
	KC_CHECK(has(&out, "/usr/lib/gcc/include"));
	KC_CHECK(has(&out, "-I/abs/inc"));
	KC_CHECK(!has(&out, "x.c"));
	kc_argv_free(&out);
}

int main(void)
{
	KC_RUN(test_split_plain);
	KC_RUN(test_split_quotes);
	KC_RUN(test_split_unterminated);
	KC_RUN(test_clean_drops);
	KC_RUN(test_clean_paths);
	return kc_test_done();
}
