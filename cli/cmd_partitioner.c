/* cmd_partitioner.c - `kcut roots`, `partition`, `profile`, `why`, `tune`, `graph`, `baseline`, `check`. */
#include <stdio.h>

#include "kcut.h"

static int todo(const char *cmd)
{
	fprintf(stderr, "kcut %s: not implemented yet\n", cmd);
	return KC_EXIT_USAGE;
}

int kc_cmd_roots(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_partition(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_profile(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_why(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_tune(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_graph(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_baseline(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_check(int argc, char **argv) { (void)argc; return todo(argv[0]); }
