/*
 * args.c - from a compile_commands.json command line to arguments libclang can parse.
 *
 * Build systems record the command that compiled each file: gcc or clang, with dependency-file
 * options that would make libclang write .d files into the user's tree, and (for gcc-built kernels)
 * options clang does not know. This file splits `command` strings like sh does and cleans the
 * argument list: what must not run (-c, -o, -M*), what clang rejects (gcc-only flags) and what
 * would turn warnings into parse failures (-Werror). It is pure string work, unit-tested on its own
 * (tests/analyzer/test_args.c).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Append a copy of s (keeps the array NULL-terminated). */
void kc_argv_push(struct kc_argv *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = kc_xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = kc_xstrdup(s);
	a->v[a->n] = NULL;
}

/* Free the strings and the array; a is empty afterwards. */
void kc_argv_free(struct kc_argv *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

int kc_shell_split(struct kc_argv *out, const char *cmd, struct kc_err *err)
{
	struct kc_sb w = { 0 };
	const char *p = cmd;
	int inword = 0, rc = 0;

	while (*p) {
		char c = *p;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (inword) {
				kc_argv_push(out, w.s ? w.s : "");
				kc_sb_reset(&w);
				inword = 0;
			}
			p++;
			continue;
		}
		inword = 1;
		if (c == '\\') {
			if (p[1] == '\n') {
				p += 2;
			} else if (p[1]) {
				kc_sb_addn(&w, p + 1, 1);
				p += 2;
			} else {
				p++;
			}
		} else if (c == '\'') {
			const char *e = strchr(p + 1, '\'');

			if (!e) {
				rc = kc_err_set(err, KC_EPARSE, "unterminated ' in command: %s", cmd);
				goto cleanup;
			}
			kc_sb_addn(&w, p + 1, (size_t)(e - p - 1));
			p = e + 1;
		} else if (c == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1] && strchr("\"\\$`\n", p[1])) {
					if (p[1] != '\n')
						kc_sb_addn(&w, p + 1, 1);
					p += 2;
				} else {
					kc_sb_addn(&w, p, 1);
					p++;
				}
			}
			if (*p != '"') {
				rc = kc_err_set(err, KC_EPARSE, "unterminated \" in command: %s", cmd);
				goto cleanup;
			}
			p++;
		} else {
			kc_sb_addn(&w, p, 1);
			p++;
		}
	}
	if (inword)
		kc_argv_push(out, w.s ? w.s : "");
cleanup:
	kc_sb_free(&w);
	return rc;
}

/* Options followed by a separate value that we drop together with it. */
static const char *const drop_with_value[] = { "-o", "-MF", "-MT", "-MQ", "-MJ", NULL };

/* Options dropped alone (exact): what must not run, and gcc-only flags (found by parsing the
 * gcc-built Linux 6.1 databases of e1000, 8139too, ens1371, a100u2w). */
static const char *const drop_exact[] = {
	"-c", "-M", "-MM", "-MD", "-MMD", "-MG", "-MP", "-S", "-E", "-pipe",
	"-fconserve-stack", "-fno-allow-store-data-races", "-ftrivial-auto-var-init=zero",
	"-mrecord-mcount", "-fno-var-tracking-assignments", "-mskip-rax-setup", "-fno-ipa-sra",
	"-fno-tree-loop-im", "-fsched-pressure", "-mno-fp-ret-in-387",
	"-fno-inline-functions-called-once", "-mindirect-branch-register", "-fno-code-hoisting",
	"-fmerge-constants", "-fno-reorder-blocks", "-fno-ipa-cp-clone", "-fno-partial-inlining",
	"-fno-tree-vrp", "-fno-dse",
	"-enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang",
	NULL,
};

/* Options dropped by prefix. */
static const char *const drop_prefix[] = {
	"-Wp,-M", "-Werror", "-mpreferred-stack-boundary=", "-mindirect-branch", "-mfunction-return=",
	"-falign-jumps=", "-falign-loops=", "-fmin-function-alignment=", "-fpatchable-function-entry=",
	"-mharden-sls=", "-fzero-call-used-regs=", "-fplugin=", "-fplugin-arg-", "-fdiagnostics-color",
	"--param=", "-fmacro-prefix-map=", "-ffile-prefix-map=",
	NULL,
};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static int has_prefix(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strncmp(s, *list, strlen(*list)))
			return 1;
	return 0;
}

/* Options whose path value (separate or attached) is resolved against the entry's directory. */
static const char *const path_opts[] = { "-I", "-include", "-isystem", "-iquote", "-idirafter",
					  "-imacros", NULL };

static void push_path_opt(struct kc_argv *out, const char *opt, const char *val, const char *dir)
{
	char *p = kc_path_join(dir, val);
	struct kc_sb sb = { 0 };

	if (!strcmp(opt, "-I")) {
		kc_sb_addf(&sb, "-I%s", p);
		kc_argv_push(out, sb.s);
	} else {
		kc_argv_push(out, opt);
		kc_argv_push(out, p);
	}
	kc_sb_free(&sb);
	free(p);
}

static int is_source_file(const char *a)
{
	const char *dot = strrchr(a, '.');

	return a[0] != '-' && dot && (!strcmp(dot, ".c") || !strcmp(dot, ".i") || !strcmp(dot, ".S"));
}

void kc_clean_args(struct kc_argv *out, char *const *argv, size_t argc, const char *dir,
		   const char *main_file)
{
	size_t i;
	char *main_abs = main_file ? kc_path_join(dir, main_file) : NULL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *const *po;
		int done = 0;

		if (in_list(a, drop_with_value)) {
			i++;
			continue;
		}
		if (!strncmp(a, "-o", 2) || !strncmp(a, "-MF", 3) || !strncmp(a, "-MT", 3) ||
		    !strncmp(a, "-MQ", 3))
			continue;
		if (in_list(a, drop_exact) || has_prefix(a, drop_prefix))
			continue;
		for (po = path_opts; *po && !done; po++) {
			size_t n = strlen(*po);

			if (strncmp(a, *po, n))
				continue;
			if (a[n] == '\0' && i + 1 < argc) {
				push_path_opt(out, *po, argv[++i], dir);
				done = 1;
			} else if (a[n] != '\0' && !strcmp(*po, "-I")) {
				push_path_opt(out, *po, a + n, dir);
				done = 1;
			}
		}
		if (done)
			continue;
		if (is_source_file(a)) {
			char *abs = kc_path_join(dir, a);
			int same = main_abs && !strcmp(abs, main_abs);

			free(abs);
			if (same || !main_abs)
				continue;
		}
		kc_argv_push(out, a);
	}
	kc_argv_push(out, "-Wno-error");
	kc_argv_push(out, "-Wno-unknown-warning-option");
	free(main_abs);
}
