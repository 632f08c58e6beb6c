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

static const char emit_usage[] = "emit --partition NAME -o DIR [--db FILE] [--annotations FILE] [--force] [-q]";

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
	"  -q                 no summary line\n\n"
	"Problems that make the split unsound (an upcall with a spinlock held or in atomic context, a\n"
	"pointer whose shape is unknown, user-half access to DMA-coherent memory, a type that cannot be\n"
	"marshaled) print as file:line:col: error: ... and nothing is written. Files are written to\n"
	"temporaries and renamed into place once all are written: a full disk changes no file.\n\n"
	"Exit: 0 written; 1 problems found (nothing written); 2 usage, database or I/O error.\n";

static const char annotate_usage[] = "annotate --partition NAME [--db FILE] [--annotations FILE]";

static const char annotate_help[] =
	"List every pointer field whose shape the emitter cannot infer, with the crossing functions that\n"
	"need it. On a terminal, ask for each shape and append the answers to the annotation file\n"
	"(kcut.annotations beside the first driver file unless --annotations); the driver source is\n"
	"never edited. Shapes (one per line: STRUCT.FIELD SHAPE):\n"
	"  array LEN                      LEN a field of the same struct or a number\n"
	"  string                         a NUL-terminated string\n"
	"  opaque                         crosses as a handle only\n"
	"  list NEXT                      a singly linked list through the element's NEXT field\n"
	"  list TYPE.MEMBER               an embedded struct list_head of TYPEs linked by MEMBER\n"
	"  union DISC VALUE=MEMBER ...    an embedded union whose active MEMBER the field DISC of\n"
	"                                 the same struct selects (VALUE a number or an identifier)\n"
	"  priv TYPE                      (net_device.netdev_priv) the private area is a TYPE\n"
	"and for a pointer-to-integer parameter FUNCTION.PARAM: array N | array COUNTPARAM.\n\n"
	"Exit: 0 nothing missing (or all answered); 1 shapes still missing; 2 usage or database error.\n";

enum { OPT_DB = 256, OPT_PART, OPT_ANN, OPT_FORCE };

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "partition", required_argument, NULL, OPT_PART },
	{ "annotations", required_argument, NULL, OPT_ANN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct emit_args {
	const char *db, *part, *ann, *out;
	int quiet;
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

int kc_cmd_annotate(int argc, char **argv)
{
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
	rc = kc_emit_missing_shapes(&miss, &n, &path, db, a.part, a.ann, &err);
	kc_db_close(db);
	if (rc)
		return kc_cli_fail("annotate", &err, rc);
	left = n;
	tty = isatty(0) && isatty(1);
	if (!n)
		printf("kcut annotate: every pointer the crossings of %s need has a known shape (%s)\n", a.part, path);
	for (i = 0; i < n; i++) {
		printf("%s (%s): shape unknown; needed by %s\n", miss[i].field, miss[i].type, miss[i].needed);
		if (!tty)
			continue;
		for (;;) {
			ssize_t got;

			printf("  shape? [array LEN | string | opaque | list NEXT | list TYPE.MEMBER |\n"
			       "          union DISC VALUE=MEMBER ... | skip] ");
			fflush(stdout);
			got = getline(&line, &cap, stdin);
			if (got <= 0)
				break;
			line[strcspn(line, "\r\n")] = 0;
			if (!*line || !strcmp(line, "skip"))
				break;
			if (!kc_emit_annot_append(path, miss[i].field, line, &err)) {
				left--;
				break;
			}
			printf("  %s\n", err.msg);
		}
	}
	if (left && n)
		fprintf(stderr, "kcut annotate: %zu pointer shape%s missing; add them to %s\n", left,
			left == 1 ? "" : "s", path);
	free(line);
	free(path);
	kc_emit_missing_free(miss, n);
	return left ? KC_EXIT_FINDINGS : KC_EXIT_OK;
}

