/*
 * host.c - the "kernel" of the included case (run_emit.py end_to_end): calls chip_run (kernel
 * half), which asks chip_calc (user half, a static function of the included chip.c). Built with
 * the original ens.c and with the kernel half: the transcripts must be identical.
 */
#include <stdio.h>

#include <kdev.h>
#include <khost.h>

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

	if (khost_start(argc, argv))
		return 2;
	rc = chip_run(&c);
	printf("chip rev 3 val 20: rc %d result %d\n", rc, c.result);
	c.val = 7;
	rc = chip_run(&c);
	printf("chip rev 3 val 7: rc %d result %d\n", rc, c.result);
	khost_trace();
	return 0;
}
