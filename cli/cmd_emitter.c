/*
 * cmd_emitter.c - `kcut emit`, `kcut annotate`, `kcut stats`.
 *
 * The emitter (issue 6) and the corpus statistics (issue 7) are not written yet. These commands say so
 * plainly instead of pretending: `--help` describes what they will do, anything else exits 2.
 */
#include <stdio.h>

#include "kcut.h"

struct pending_cmd {
	const char *name;
	const char *usage;
	const char *what;
};

static const struct pending_cmd pending[] = {
	{ "emit", "emit --partition NAME -o DIR [--annotations FILE]",
	  "Write the split driver: kernel half, user half, stubs and marshaling." },
	{ "annotate", "annotate [--annotations FILE]",
	  "List pointers whose shape could not be inferred and record their shapes." },
	{ "stats", "stats [--per-driver] [--family F] [--format text|csv|json|markdown]",
	  "Per-driver and per-family statistics over a corpus database." },
};

static int run_pending(int idx, int argc, char **argv)
{
	const struct pending_cmd *c = &pending[idx];

	if (kc_cli_wants_help(argc, argv)) {
		printf("usage: kcut %s\n\n%s\n\nNot implemented yet in this version of kcut.\n", c->usage, c->what);
		return KC_EXIT_OK;
	}
	fprintf(stderr, "kcut %s: not implemented yet in this version of kcut\n", c->name);
	return KC_EXIT_USAGE;
}

int kc_cmd_emit(int argc, char **argv)
{
	return run_pending(0, argc, argv);
}

int kc_cmd_annotate(int argc, char **argv)
{
	return run_pending(1, argc, argv);
}

int kc_cmd_stats(int argc, char **argv)
{
	return run_pending(2, argc, argv);
}
