/* cmd_emitter.c - `kcut emit`, `annotate`, `stats`. Not built yet: see issues 6 and 7. */
#include <stdio.h>

#include "kcut.h"

static int todo(const char *cmd)
{
	fprintf(stderr, "kcut %s: not implemented yet (see docs/emitter.md)\n", cmd);
	return KC_EXIT_USAGE;
}

int kc_cmd_emit(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_annotate(int argc, char **argv) { (void)argc; return todo(argv[0]); }
int kc_cmd_stats(int argc, char **argv) { (void)argc; return todo(argv[0]); }
