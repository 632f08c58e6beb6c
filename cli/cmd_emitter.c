/*
 * cmd_emitter.c - `kcut emit`, `kcut annotate` (`kcut stats` lives in cmd_stats.c).
 *
 * emit and annotate are thin wrappers over the emitter (emitter/emitter.h, docs/emitter.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emitter.h"
#include "kcut.h"

static const char emit_usage[] = "emit --partition NAME -o DIR [--db FILE] [--annotations FILE] [--shapes DIR] [--no-shapes] [--force] [-q]";

static const char emit_help[] =
	"Write the split driver of a partition: for every driver file a kernel-half and a user-half copy\n"
	"(the other half's functions keep their signature and get a stub body that marshals, crosses and\n"
	"unmarshals), the dispatch tables, include/kcut_ids.h and kcut_marshal.h, interface.txt (every\n"
	"crossing function and the fields it marshals in and out), CMakeLists.txt, Kbuild and Makefile.\n\n"
	"  --partition NAME   partition stored by `kcut partition --name NAME`\n"
	"  -o DIR             output directory (created). Files kcut wrote there (first line 'generated\n"
	"                     by kcut, do not edit') are replaced; any other existing file in the way\n"
	"                     (your own Makefile) is an error and nothing is written\n"
	"  --force            overwrite such files too\n"
	"  --db FILE          database (default kcut.db or $KCUT_DB)\n"
	"  --annotations FILE pointer shapes (default: kcut.annotations beside the first driver file)\n"
	"  --shapes DIR       also read the *.shapes files of DIR (kernel shape library format), after\n"
	"                     kcut's own library; the annotation file wins over both\n"
	"  --no-shapes        do not read kcut's kernel shape library\n"
	"  -q                 no summary line\n\n"
	"Problems that make the split unsound (an upcall with a spinlock held or in atomic context, a\n"
	"pointer whose shape is unknown, user-half access to DMA-coherent memory, a type that cannot be\n"
	"marshaled) print as file:line:col: error: ... and nothing is written. Files are written to\n"
	"temporaries and renamed into place once all are written: a full disk changes no file.\n\n"
	"Exit: 0 written; 1 problems found (nothing written); 2 usage, database or I/O error.\n";

static const char annotate_usage[] =
	"annotate --partition NAME [--db FILE] [--annotations FILE] [--shapes DIR] [--no-shapes]\n"
	"                     [--no-inference] [--explain[=STRUCT.FIELD]]";

static const char annotate_help[] =
	"List every pointer field whose shape the emitter cannot infer, with the crossing functions that\n"
	"need it. On a terminal, ask for each shape (showing kcut's proposal, which 'y' accepts) and\n"
	"append the answers to the annotation file (kcut.annotations beside the first driver file unless\n"
	"--annotations); otherwise append, for each question, kcut's proposed answer and its evidence as\n"
	"comments ('#? STRUCT.FIELD SHAPE'): confirm one by deleting its '#? ', or write another shape.\n"
	"The driver source is never edited. Shapes (one per line: STRUCT.FIELD SHAPE):\n"
	"  array LEN                      LEN a field of the same struct or a number\n"
	"  string                         a NUL-terminated string\n"
	"  opaque                         crosses as a handle only\n"
	"  list NEXT                      a singly linked list through the element's NEXT field\n"
	"  list TYPE.MEMBER               an embedded struct list_head of TYPEs linked by MEMBER\n"
	"  union DISC VALUE=MEMBER ...    an embedded union whose active MEMBER the field DISC of\n"
	"                                 the same struct selects (VALUE a number or an identifier)\n"
	"  priv TYPE                      (net_device.netdev_priv) the private area is a TYPE\n"
	"and for a pointer-to-integer parameter FUNCTION.PARAM: array N | array COUNTPARAM.\n\n"
	"Shapes of the kernel's own types come from kcut's shape library (share/kcut/shapes, 'annot\n"
	"STRUCT.FIELD SHAPE' lines with their evidence); the annotation file wins over it.\n"
	"  --shapes DIR          also read the *.shapes files of DIR (they win over kcut's library)\n"
	"  --no-shapes           do not read kcut's shape library\n"
	"  --no-inference        without the inference of handles for kernel types and unions of\n"
	"                        pointers (for comparing what it adds)\n"
	"  --explain[=S.F]       print every pointer field the crossings marshal (or only S.F) with its\n"
	"                        shape and the evidence for it, then a count; writes nothing\n\n"
	"Exit: 0 nothing missing (or all answered); 1 shapes still missing; 2 usage or database error.\n";

enum { OPT_DB = 256, OPT_PART, OPT_ANN, OPT_FORCE, OPT_SHAPES, OPT_NOSHAPES, OPT_NOINFER, OPT_EXPLAIN };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "partition", required_argument, NULL, OPT_PART },
	{ "annotations", required_argument, NULL, OPT_ANN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "shapes", required_argument, NULL, OPT_SHAPES },
	{ "no-shapes", no_argument, NULL, OPT_NOSHAPES },
	{ "no-inference", no_argument, NULL, OPT_NOINFER },
	{ "explain", optional_argument, NULL, OPT_EXPLAIN },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct emit_args {
	const char *db, *part, *ann, *out, *shapes, *explain_field;
	int quiet, no_shapes, no_infer, explain;
	int force; /* emit --force */
};

static int parse(struct emit_args *a, int argc, char **argv, const char *cmd, const char *usage, int with_out)
{
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, with_out ? "o:qh" : "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			a->db = optarg;
			break;
		case OPT_PART:
			a->part = optarg;
			break;
		case OPT_ANN:
			a->ann = optarg;
			break;
		case OPT_SHAPES:
			a->shapes = optarg;
			break;
		case OPT_NOSHAPES:
			a->no_shapes = 1;
			break;
		case OPT_NOINFER:
		case OPT_EXPLAIN:
			if (with_out) /* annotate only */
				return kc_cli_usage(cmd, usage);
			if (c == OPT_NOINFER)
				a->no_infer = 1;
			else
				a->explain = 1, a->explain_field = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case OPT_FORCE:
			if (!with_out)
				return kc_cli_usage(cmd, usage);
			a->force = 1;
			break;
		default:
			return kc_cli_usage(cmd, usage);
		}
	}
	if (optind != argc || !a->part || (with_out && !a->out))
		return kc_cli_usage(cmd, usage);
	return 0;
}

int kc_cmd_emit(int argc, char **argv)
{
	struct kc_emit_opts o = KC_EMIT_OPTS_INIT;
	struct kc_emit_result res;
	struct kc_err err = { 0 };
	struct emit_args a;
	struct kc_db *db = NULL;
	int rc;

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s\n\n%s", emit_usage, emit_help);
		return KC_EXIT_OK;
	}
	rc = parse(&a, argc, argv, "emit", emit_usage, 1);
	if (rc)
		return rc;
	rc = kc_db_open(&db, kc_cli_db_path(a.db), KC_DB_READONLY, &err);
	if (rc)
		return kc_cli_fail("emit", &err, rc);
	o.partition = a.part;
	o.outdir = a.out;
	o.annotations = a.ann;
	o.force = a.force;
	o.shapes_dir = a.shapes;
	o.no_shapes = a.no_shapes;
	rc = kc_emit_run(&res, db, &o, &err);
	kc_db_close(db);
	if (rc == KC_ECONFLICT) {
		fprintf(stderr, "kcut emit: %s\n", err.msg);
		return KC_EXIT_FINDINGS;
	}
	if (rc)
		return kc_cli_fail("emit", &err, rc);
	if (!a.quiet)
		printf("kcut emit: %s: %u files x 2 halves, %u upcalls, %u downcalls, %u function pointers, "
		       "%u fields in, %u fields out, %u generated stub lines -> %s\n",
		       a.part, res.n_tus, res.n_upcalls, res.n_downcalls, res.n_fnptrs, res.n_fields_in,
		       res.n_fields_out, res.stub_lines, a.out);
	return KC_EXIT_OK;
}

/* --explain: every pointer field the crossings marshal, its shape and the evidence, and a count. */
static int explain(const struct kc_emit_missing *e, size_t n, const char *only)
{
	size_t i, shown = 0, known = 0, kern = 0, kknown = 0;

	for (i = 0; i < n; i++) {
		if (only && strcmp(only, e[i].field))
			continue;
		shown++;
		known += e[i].shape != NULL;
		kern += e[i].kernel;
		kknown += e[i].kernel && e[i].shape;
		printf("%s (%s)%s: %s\n  evidence: %s\n  crosses in: %s\n", e[i].field, e[i].type,
		       e[i].kernel ? " [kernel type]" : "", e[i].shape ? e[i].shape : "UNKNOWN", e[i].evidence,
		       e[i].needed);
		if (!e[i].shape)
			printf("  proposed: %s\n", e[i].proposal ? e[i].proposal : "(none)");
	}
	if (only && !shown) {
		fprintf(stderr, "kcut annotate: %s is not a pointer field the crossings of this partition marshal\n", only);
		return KC_EXIT_FINDINGS;
	}
	if (!only)
		printf("shapes: %zu pointer fields cross, %zu known, %zu unknown; of kernel types: %zu cross, %zu known, "
		       "%zu unknown\n", shown, known, shown - known, kern, kknown, kern - kknown);
	return KC_EXIT_OK;
}

/* Append, for each open question, kcut's proposal and its evidence as comments, through a temporary
 * file and rename; questions already proposed in the file are not repeated. Returns how many were
 * written, or -1 with a message. */
static int write_proposals(const char *path, const struct kc_emit_missing *e, size_t n, const char *part)
{
	struct kc_sb text = { 0 }, tmp = { 0 };
	char *old = NULL, *line = NULL;
	size_t cap = 0, i;
	int wrote = 0, rc = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		while (getline(&line, &cap, f) > 0)
			kc_sb_add(&text, line);
		if (ferror(f)) {
			fprintf(stderr, "kcut annotate: %s: read error\n", path);
			fclose(f);
			goto cleanup;
		}
		fclose(f);
	}
	old = kc_xstrdup(text.s ? text.s : "");
	for (i = 0; i < n; i++) {
		struct kc_sb key = { 0 };
		int seen;

		kc_sb_addf(&key, "#? %s ", e[i].field);
		seen = strstr(old, key.s) != NULL;
		kc_sb_free(&key);
		if (seen)
			continue;
		if (!wrote && text.len && text.s[text.len - 1] != '\n')
			kc_sb_add(&text, "\n");
		if (!wrote)
			kc_sb_addf(&text, "# kcut annotate (partition %s): proposed shapes. Confirm one by deleting its '#? ',\n"
				   "# or write the right shape in its place; kcut emit reads only lines without '#'.\n", part);
		kc_sb_addf(&text, "# %s (%s), needed by %s\n#   evidence: %s\n", e[i].field, e[i].type, e[i].needed,
			   e[i].evidence);
		if (e[i].proposal)
			kc_sb_addf(&text, "#? %s %s\n", e[i].field, e[i].proposal);
		else
			kc_sb_addf(&text, "#? %s (no proposal: array LEN | string | opaque | list NEXT | union ...)\n",
				   e[i].field);
		wrote++;
	}
	if (!wrote) {
		rc = 0;
		goto cleanup;
	}
	kc_sb_addf(&tmp, "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp.s, "w");
	if (!f || fwrite(text.s, 1, text.len, f) != text.len || fflush(f) || fsync(fileno(f))) {
		fprintf(stderr, "kcut annotate: %s: cannot write\n", tmp.s);
		if (f)
			fclose(f);
		remove(tmp.s);
		goto cleanup;
	}
	if (fclose(f) || rename(tmp.s, path)) {
		fprintf(stderr, "kcut annotate: %s: cannot replace\n", path);
		remove(tmp.s);
		goto cleanup;
	}
	rc = wrote;
cleanup:
	free(old);
	free(line);
	kc_sb_free(&text);
	kc_sb_free(&tmp);
	return rc;
}

int kc_cmd_annotate(int argc, char **argv)
{
	struct kc_emit_opts o = KC_EMIT_OPTS_INIT;
	struct kc_emit_missing *miss = NULL;
	struct kc_err err = { 0 };
	struct emit_args a;
	struct kc_db *db = NULL;
	char *path = NULL, *line = NULL;
	size_t n = 0, i, cap = 0, left;
	int rc, tty;

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s\n\n%s", annotate_usage, annotate_help);
		return KC_EXIT_OK;
	}
	rc = parse(&a, argc, argv, "annotate", annotate_usage, 0);
	if (rc)
		return rc;
	rc = kc_db_open(&db, kc_cli_db_path(a.db), KC_DB_READONLY, &err);
	if (rc)
		return kc_cli_fail("annotate", &err, rc);
	o.partition = a.part;
	o.annotations = a.ann;
	o.shapes_dir = a.shapes;
	o.no_shapes = a.no_shapes;
	o.no_inference = a.no_infer;
	rc = kc_emit_missing_shapes(&miss, &n, &path, db, &o, a.explain, &err);
	kc_db_close(db);
	if (rc)
		return kc_cli_fail("annotate", &err, rc);
	if (a.explain) {
		rc = explain(miss, n, a.explain_field);
		free(path);
		kc_emit_missing_free(miss, n);
		return rc;
	}
	left = n;
	tty = isatty(0) && isatty(1);
	if (!n)
		printf("kcut annotate: every pointer the crossings of %s need has a known shape (%s)\n", a.part, path);
	for (i = 0; i < n; i++) {
		printf("%s (%s): shape unknown; needed by %s\n", miss[i].field, miss[i].type, miss[i].needed);
		printf("  proposed: %s\n  evidence: %s\n", miss[i].proposal ? miss[i].proposal : "(none)", miss[i].evidence);
		if (!tty)
			continue;
		for (;;) {
			ssize_t got;

			printf("  shape? [%sarray LEN | string | opaque | list NEXT | list TYPE.MEMBER |\n"
			       "          union DISC VALUE=MEMBER ... | skip] ", miss[i].proposal ? "y (the proposal) | " : "");
			fflush(stdout);
			got = getline(&line, &cap, stdin);
			if (got <= 0)
				break;
			line[strcspn(line, "\r\n")] = 0;
			if (!*line || !strcmp(line, "skip"))
				break;
			if (!strcmp(line, "y") && miss[i].proposal) {
				free(line);
				line = kc_xstrdup(miss[i].proposal);
				cap = strlen(line) + 1;
			}
			if (!kc_emit_annot_append(path, miss[i].field, line, &err)) {
				left--;
				break;
			}
			printf("  %s\n", err.msg);
		}
	}
	if (left && n && !tty) {
		int w = write_proposals(path, miss, n, a.part);

		if (w < 0) {
			free(line);
			free(path);
			kc_emit_missing_free(miss, n);
			return KC_EXIT_USAGE;
		}
		if (w)
			fprintf(stderr, "kcut annotate: wrote %d proposal%s with their evidence to %s (lines '#? ...')\n", w,
				w == 1 ? "" : "s", path);
	}
	if (left && n)
		fprintf(stderr, "kcut annotate: %zu pointer shape%s missing; confirm or write them in %s\n", left,
			left == 1 ? "" : "s", path);
	free(line);
	free(path);
	kc_emit_missing_free(miss, n);
	return left ? KC_EXIT_FINDINGS : KC_EXIT_OK;
}
