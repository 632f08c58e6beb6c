/*
 * kcut.h - the kcut binary's subcommand table. Each module's commands live in cli/cmd_<module>.c;
 * a command parses its options, calls one module, prints, and returns an exit code (KC_EXIT_*).
 */
#ifndef KC_CLI_H
#define KC_CLI_H

#include "kc_common.h"

struct kc_cmd {
	const char *name;
	const char *summary;                     /* one line for `kcut --help` */
	int (*run)(int argc, char **argv);       /* argv[0] is the command name */
};

/* Shared option helpers. */
const char *kc_cli_db_path(const char *opt);       /* --db value or $KCUT_DB or "kcut.db" */
int kc_cli_fail(const char *cmd, const struct kc_err *err, int rc); /* print "kcut CMD: msg", exit code */
int kc_cli_usage(const char *cmd, const char *usage);              /* print usage to stderr, return 2 */
int kc_cli_wants_help(int argc, char **argv);                      /* argv has -h / --help */
struct kc_db;
void kc_cli_warn_incomplete(struct kc_db *db); /* warn when the last analyze stopped before resolution */

/* Strict numbers for every numeric option: the whole string (no leading blanks, no trailing text,
 * not empty), in [min, max], no overflow; a double must be finite. On a bad value prints
 * "kcut CMD: OPT wants a whole number from MIN to MAX, not 'V'" (or "a number from ...") and
 * returns -1; 0 otherwise. */
int kc_cli_long(long *out, const char *cmd, const char *opt, const char *v, long min, long max);
int kc_cli_double(double *out, const char *cmd, const char *opt, const char *v, double min, double max);

/* Commands, one function each (defined in cmd_*.c). */
int kc_cmd_analyze(int argc, char **argv);
int kc_cmd_functions(int argc, char **argv);
int kc_cmd_calls(int argc, char **argv);
int kc_cmd_fields(int argc, char **argv);
int kc_cmd_db(int argc, char **argv);

int kc_cmd_roots(int argc, char **argv);
int kc_cmd_loops(int argc, char **argv);
int kc_cmd_partition(int argc, char **argv);
int kc_cmd_profile(int argc, char **argv);
int kc_cmd_why(int argc, char **argv);
int kc_cmd_tune(int argc, char **argv);
int kc_cmd_graph(int argc, char **argv);
int kc_cmd_baseline(int argc, char **argv);
int kc_cmd_check(int argc, char **argv);

int kc_cmd_emit(int argc, char **argv);
int kc_cmd_annotate(int argc, char **argv);
int kc_cmd_stats(int argc, char **argv);

#endif
