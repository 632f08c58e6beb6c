/*
 * fake_half.c - a stand-in for the kernel half of a split driver, for split_test.c.
 *
 * It has the entry points kcut-sim's split.c looks up (kcut_kernel_start, kcut_kernel_stop, the
 * endpoint pointer kcut_rt and kc_rt_trace_write) but no runtime: start fails for the user half
 * "fail", the trace is a fixed text, and stop counts its calls in $FAKE_HALF_STOPS (the process
 * environment outlives the object). fake_half_starts() tells whether the statics started fresh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kc_err;

void *kcut_rt;
static int starts;
static int endpoint;

int kcut_kernel_start(const char *user_path, int trace, struct kc_err *err);
void kcut_kernel_stop(void);
int kc_rt_trace_write(void *rt, FILE *f);
int fake_half_starts(void);

/* Succeeds (and counts) unless user_path is "fail". */
int kcut_kernel_start(const char *user_path, int trace, struct kc_err *err)
{
	(void)trace;
	(void)err;
	if (!strcmp(user_path, "fail"))
		return -5;
	starts++;
	kcut_rt = &endpoint;
	return 0;
}

/* Adds one to $FAKE_HALF_STOPS. */
void kcut_kernel_stop(void)
{
	const char *s = getenv("FAKE_HALF_STOPS");
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", (s ? atoi(s) : 0) + 1);
	setenv("FAKE_HALF_STOPS", buf, 1);
	kcut_rt = NULL;
}

/* One load's trace, as the runtime writes it. */
int kc_rt_trace_write(void *rt, FILE *f)
{
	if (rt != &endpoint)
		return -1;
	fputs("# kcut-profile v1 duration_s=0.250000\n"
	      "probe pci_enable 3\n"
	      "(kernel) open 1\n"
	      "# bytes probe pci_enable 30\n"
	      "# bytes (kernel) open 8\n", f);
	return 0;
}

/* kcut_kernel_start calls since this object was loaded. */
int fake_half_starts(void)
{
	return starts;
}
