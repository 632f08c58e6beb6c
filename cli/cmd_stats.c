/*
 * cmd_stats.c - `kcut stats`: per-driver and per-family statistics over a corpus of module
 * databases or one whole-tree database (issue 7; the Microdrivers paper's Figure 2). The numbers
 * come from corpus/corpus.h; this file parses the options, finds the corpus and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corpus.h"
#include "kcut.h"
#include "partitioner.h"

static const char stats_usage[] =
	"stats [--corpus DIR | --db FILE [--by-module] [--module-families TSV]] [--per-driver] [--family F]\n"
	"      [--format text|csv|json|markdown] [--templates DIR]\n"
	"\n"
	"Per-driver and per-family statistics: TUs, functions, LOC, critical roots, critical functions\n"
	"and LOC by propagation from the roots (the paper's measure; template kernel rules ignored), kernel\n"
	"LOC by min-cut with static weights (kernel rules kept), kernel imports, crossing edges, functions\n"
	"pinned by kernel rules.\n"
	"\n"
	"  --corpus DIR   a corpus: DIR/<family>/<module>.db, one database per module (written by\n"
	"                 scripts/linux-corpus.sh --analyze); default $KCUT_CORPUS_CACHE/db, else\n"
	"                 ~/.cache/kcut/corpus/db\n"
	"  --db FILE      a single database instead: one driver (family from --family, else detected by\n"
	"                 the templates), or, for a whole-tree database (its TUs carry two or more modules,\n"
	"                 `kcut analyze --module-map`; or --by-module), one driver per module\n"
	"  --module-families TSV  whole-tree database: lines MODULE<TAB>FAMILY[<TAB>...] (the corpus'\n"
	"                 modules.tsv; implies per module); then --family F keeps that family's modules.\n"
	"                 Without it every module gets the family of --family (else '-': detected)\n"
	"  --per-driver   one line per driver before the family totals\n"
	"  --family F     only that family\n"
	"  --format FMT   text (default), csv, json or markdown\n"
	"  --templates DIR extra partitioner templates\n"
	"Percentages are pooled over a family (sum of critical functions / sum of functions). Exit 3 when\n"
	"some databases could not be read or partitioned (they are listed with their error).\n";

/* Default corpus directory (caller frees). */
static char *default_corpus(void)
{
	const char *c = getenv("KCUT_CORPUS_CACHE"), *home = getenv("HOME");
	struct kc_sb sb = { 0 };

	if (c && *c)
		kc_sb_addf(&sb, "%s/db", c);
	else
		kc_sb_addf(&sb, "%s/.cache/kcut/corpus/db", home && *home ? home : "/tmp");
	return kc_sb_steal(&sb);
}

int kc_cmd_stats(int argc, char **argv)
{
	const char *corpus = NULL, *db = NULL, *family = NULL, *templates = NULL, *famtsv = NULL;
	struct kc_part_templates *t = NULL;
	struct kc_corpus *c = NULL;
	struct kc_sb out = { 0 };
	struct kc_err err = { 0 };
	int per_driver = 0, by_module = 0, format = KC_CORPUS_TEXT, i, rc, ex = KC_EXIT_OK;
	size_t n_failed = 0, nmod = 0;
	char *def = NULL;

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s", stats_usage);
		return KC_EXIT_OK;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--per-driver")) {
			per_driver = 1;
		} else if (!strcmp(a, "--by-module")) {
			by_module = 1;
		} else if (i + 1 < argc && !strcmp(a, "--module-families")) {
			famtsv = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--corpus")) {
			corpus = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--db")) {
			db = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--family")) {
			family = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--templates")) {
			templates = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--format")) {
			const char *f = argv[++i];

			if (!strcmp(f, "text"))
				format = KC_CORPUS_TEXT;
			else if (!strcmp(f, "csv"))
				format = KC_CORPUS_CSV;
			else if (!strcmp(f, "json"))
				format = KC_CORPUS_JSON;
			else if (!strcmp(f, "markdown"))
				format = KC_CORPUS_MARKDOWN;
			else
				return kc_cli_usage(argv[0], stats_usage);
		} else {
			fprintf(stderr, "kcut stats: unknown or incomplete option '%s'\n", a);
			return kc_cli_usage(argv[0], stats_usage);
		}
	}
	if (corpus && db) {
		fprintf(stderr, "kcut stats: --corpus and --db exclude each other\n");
		return kc_cli_usage(argv[0], stats_usage);
	}
	if ((by_module || famtsv) && !db) {
		fprintf(stderr, "kcut stats: --by-module and --module-families need --db\n");
		return kc_cli_usage(argv[0], stats_usage);
	}
	rc = kc_part_templates_load(&t, templates, &err);
	if (rc)
		goto cleanup;
	kc_corpus_new(&c);
	if (db) {
		struct stat st;
		const char *base = strrchr(db, '/');
		char *mod = kc_xstrdup(base ? base + 1 : db), *dot = strrchr(mod, '.');

		if (dot && dot != mod)
			*dot = '\0';
		if (stat(db, &st)) {
			free(mod);
			rc = kc_err_set(&err, KC_EIO, "%s: no such database", db);
			goto cleanup;
		}
		if (!by_module && !famtsv) {
			rc = kc_corpus_count_modules(&nmod, db, &err);
			if (rc) {
				free(mod);
				goto cleanup;
			}
		}
		if (by_module || famtsv || nmod >= 2) {
			/* whole-tree database: one row per module */
			free(mod);
			rc = kc_corpus_add_tree(c, db, famtsv, family, t, &n_failed, &err);
			if (rc)
				goto cleanup;
			per_driver = per_driver || !famtsv;
			family = NULL;
			goto format;
		}
		rc = kc_corpus_add_db(c, family ? family : "-", mod, db, t, &err);
		free(mod);
		if (rc)
			goto cleanup;
		family = NULL;
		per_driver = 1;
	} else {
		if (!corpus)
			corpus = def = default_corpus();
		rc = kc_corpus_add_dir(c, corpus, family, t, &n_failed, &err);
		if (rc)
			goto cleanup;
	}
format:
	rc = kc_corpus_format(&out, c, format, per_driver, family, &err);
	if (rc)
		goto cleanup;
	fputs(out.s ? out.s : "", stdout);
	if (n_failed) {
		fprintf(stderr, "kcut stats: %zu database%s could not be read or partitioned%s\n", n_failed,
			n_failed == 1 ? "" : "s", per_driver ? " (see the error column)" : " (--per-driver lists them)");
		ex = KC_EXIT_PARTIAL;
	}
cleanup:
	if (rc)
		ex = kc_cli_fail(argv[0], &err, rc);
	kc_sb_free(&out);
	kc_corpus_free(c);
	kc_part_templates_free(t);
	free(def);
	return ex;
}
