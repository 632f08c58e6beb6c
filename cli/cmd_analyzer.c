/* cmd_analyzer.c - `kcut analyze`, `functions`, `calls`, `fields`, `db info`. Owned by the analyzer. */
#include <stdio.h>

#include "kcut.h"
#include "analyzer.h"

static int todo(const char *cmd)
{
	fprintf(stderr, "kcut %s: not implemented yet\n", cmd);
	return KC_EXIT_USAGE;
}

int kc_cmd_analyze(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_functions(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_calls(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_fields(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_db(int argc, char **argv) { (void)argc; return todo(argv[0]); }
