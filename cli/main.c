/*
 * main.c - the kcut binary: option-free dispatch to one subcommand.
 *
 * Exit codes (also in README and `kcut --help`):
 *   0 ok, 1 findings or a threshold crossed, 2 usage / I/O / database error,
 *   3 partial: some inputs failed, the rest were stored.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "kcut.h"

static const struct kc_cmd commands[] = {
	{ "analyze", "parse a driver through compile_commands.json into the database", kc_cmd_analyze },
	{ "functions", "list functions in the database", kc_cmd_functions },
	{ "calls", "list the calls a function makes (or, with --callers, receives)", kc_cmd_calls },
	{ "fields", "list a struct's fields and who accesses them", kc_cmd_fields },
	{ "db", "database information (kcut db info)", kc_cmd_db },
	{ "roots", "list the critical root functions and the rule behind each", kc_cmd_roots },
	{ "loops", "list the driver's loops with their class and trip estimate", kc_cmd_loops },
	{ "partition", "choose the kernel half (propagation or weighted min-cut)", kc_cmd_partition },
	{ "profile", "import a call-count profile (kcut profile import)", kc_cmd_profile },
	{ "why", "explain why a function is on its side of a partition", kc_cmd_why },
	{ "tune", "interactive session to adjust a partition", kc_cmd_tune },
	{ "graph", "write the call graph with the two halves as DOT or SVG", kc_cmd_graph },
	{ "baseline", "record the current cut for `kcut check`", kc_cmd_baseline },
	{ "check", "CI gate: fail when the kernel half grew", kc_cmd_check },
	{ "emit", "write the split driver sources", kc_cmd_emit },
	{ "annotate", "supply pointer shapes the emitter cannot infer", kc_cmd_annotate },
	{ "stats", "per-driver and per-family statistics", kc_cmd_stats },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kcut [--version] [--help] <command> [<args>]\n\n"
		   "kcut splits a Linux-style device driver into a small kernel half and a user half.\n\n"
		   "Commands:\n");
	for (i = 0; i < KC_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n`kcut <command> --help` describes a command. The database is kcut.db in the current\n"
		   "directory unless --db or $KCUT_DB says otherwise.\n\n"
		   "Exit codes: 0 ok; 1 findings or threshold crossed; 2 usage, I/O or database error;\n"
		   "3 partial (some inputs failed, the rest were stored).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return KC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return KC_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("kcut %s\n", KC_VERSION);
		return KC_EXIT_OK;
	}
	for (i = 0; i < KC_ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "kcut: '%s' is not a kcut command (see kcut --help)\n", argv[1]);
	return KC_EXIT_USAGE;
}

const char *kc_cli_db_path(const char *opt)
{
	const char *env;

	if (opt)
		return opt;
	env = getenv("KCUT_DB");
	return env && *env ? env : "kcut.db";
}

int kc_cli_fail(const char *cmd, const struct kc_err *err, int rc)
{
	fprintf(stderr, "kcut %s: %s\n", cmd, err && err->msg[0] ? err->msg : kc_strerror(rc));
	return kc_exit_code(rc);
}

int kc_cli_usage(const char *cmd, const char *text)
{
	fprintf(stderr, "usage: kcut %s\n", text);
	(void)cmd;
	return KC_EXIT_USAGE;
}

int kc_cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

int kc_cli_long(long *out, const char *cmd, const char *opt, const char *v, long min, long max)
{
	char *end = NULL;
	long n = 0;

	errno = 0;
	if (v && *v && !isspace((unsigned char)*v))
		n = strtol(v, &end, 10);
	if (!end || end == v || *end || errno == ERANGE || n < min || n > max) {
		fprintf(stderr, "kcut %s: %s wants a whole number from %ld to %ld, not '%s'\n", cmd, opt, min, max,
			v ? v : "");
		return -1;
	}
	*out = n;
	return 0;
}

int kc_cli_double(double *out, const char *cmd, const char *opt, const char *v, double min, double max)
{
	char *end = NULL;
	double d = 0;

	errno = 0;
	if (v && *v && !isspace((unsigned char)*v))
		d = strtod(v, &end);
	if (!end || end == v || *end || errno == ERANGE || !isfinite(d) || d < min || d > max) {
		fprintf(stderr, "kcut %s: %s wants a number from %g to %g, not '%s'\n", cmd, opt, min, max, v ? v : "");
		return -1;
	}
	*out = d;
	return 0;
}

void kc_cli_warn_incomplete(struct kc_db *db)
{
	if (kc_db_incomplete(db))
		fprintf(stderr, "kcut: warning: %s: the last `kcut analyze` stopped before resolving indirect calls "
				"(their edges are missing or stale); run kcut analyze again\n", kc_db_path(db));
}
