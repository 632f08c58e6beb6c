/*
 * khost.h - what every emitter test host does around its driver calls (tests/emitter/shape/<case>/
 * host.c, drv1/host.c, included/host.c; run_emit.py end_to_end): built with the kernel half
 * (KCUT_SPLIT), start it with the user half program argv[1] names, and at the end write the
 * crossing trace to $KCUT_TRACE (run_emit.py imports it as a profile) and, where a host tests the
 * kernel half's stop, stop it. Built with the original driver: nothing.
 */
#ifndef KHOST_H
#define KHOST_H

#include <stdio.h>
#include <stdlib.h>

#ifdef KCUT_SPLIT
#include "kcut_ids.h"
#endif

/* 0, or the host's exit code (2) with the reason on stderr. */
static inline int khost_start(int argc, char **argv)
{
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
	return 0;
}

/* The split run's crossing trace into $KCUT_TRACE (when set). */
static inline void khost_trace(void)
{
#ifdef KCUT_SPLIT
	const char *path = getenv("KCUT_TRACE");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f || kc_rt_trace_write(kcut_rt, f))
		fprintf(stderr, "host: cannot write the trace\n");
	if (f)
		fclose(f);
#endif
}

/* Stop the kernel half (the user half exits; kcut_kernel_stop). */
static inline void khost_stop(void)
{
#ifdef KCUT_SPLIT
	kcut_kernel_stop();
#endif
}

#endif /* KHOST_H */
