/*
 * split.h - kcut-sim's handling of a driver split by `kcut emit` (internal to the harness).
 *
 * A split driver is a kernel half (a module the kernel model loads, which links the runtime and
 * defines kcut_kernel_start/kcut_kernel_stop) and a user-half program the runtime spawns. Each
 * insmod of the kernel half is one sim_split: it holds the harness's own dlopen reference (the
 * runtime's endpoint lives in the kernel half) and the running user half; sim_split_stop ends both,
 * so that after the kernel model drops its reference too the kernel half is really unloaded, as
 * rmmod does. The crossing traces of all loads of a run add up in one sim_trace ($KCUT_TRACE).
 */
#ifndef KC_SIM_SPLIT_H
#define KC_SIM_SPLIT_H

#include <stdbool.h>
#include <stdio.h>

struct sim_split;
struct sim_trace;

/* dlopen the kernel half at kernel_path and start the runtime, which spawns user_half and waits
 * until it is ready. trace: count crossings. Returns 0, or prints why to stderr and returns -1. */
int sim_split_start(struct sim_split **out, const char *kernel_path, const char *user_half, bool trace);

/* A symbol of the kernel half (NULL if s is NULL or it has none). */
void *sim_split_sym(struct sim_split *s, const char *name);

/* Add the load's crossing trace to acc (when both are non-NULL and the runtime traced), stop the
 * user half (the runtime asks it to exit) and the runtime, drop the harness's reference on the
 * kernel half and free s. NULL s: no-op. */
void sim_split_stop(struct sim_split *s, struct sim_trace *acc);

/* Accumulated crossing traces: counts and bytes per (caller, callee) and the durations summed
 * over the loads. */
struct sim_trace *sim_trace_new(void);
void sim_trace_free(struct sim_trace *t);
/* Write in kcut's instrument profile format (what kc_rt_trace_write writes for one load).
 * Returns 0 or -1 on a write error. */
int sim_trace_write(const struct sim_trace *t, FILE *f);

#endif
