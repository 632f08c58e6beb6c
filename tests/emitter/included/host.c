/*
 * host.c - the "kernel" of the included case (run_emit.py end_to_end): calls chip_run (kernel
 * half), which asks chip_calc (user half, a static function of the included chip.c). Built with
 * the original ens.c and with the kernel half: the transcripts must be identical.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kdev.h>
#ifdef KCUT_SPLIT
#include "kcut_ids.h"
#endif

struct chip {
	int rev;
	int val;
	int result;
};

int chip_run(struct chip *c);

int main(int argc, char **argv)
{
	static struct chip c = { .rev = 3, .val = 20 };
	int rc;
#ifdef KCUT_SPLIT
	struct kc_err err = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: %s USER_HALF\n", argv[0]);
		return 2;
	}
	if (kcut_kernel_start(argv[1], getenv("KCUT_TRACE") != NULL, &err)) {
		fprintf(stderr, "host: %s\n", err.msg);
		return 2;
	}
#else
	(void)argc;
	(void)argv;
#endif
	rc = chip_run(&c);
	printf("chip rev 3 val 20: rc %d result %d\n", rc, c.result);
	c.val = 7;
	rc = chip_run(&c);
	printf("chip rev 3 val 7: rc %d result %d\n", rc, c.result);
#ifdef KCUT_SPLIT
	if (getenv("KCUT_TRACE")) {
		/* the crossing trace run_emit.py checks */
		FILE *f = fopen(getenv("KCUT_TRACE"), "w");

		if (!f || kc_rt_trace_write(kcut_rt, f))
			fprintf(stderr, "host: cannot write the trace\n");
		if (f)
			fclose(f);
	}
#endif
	return 0;
}
