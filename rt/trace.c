/*
 * trace.c - the crossing trace: counts of calls across the boundary per (caller, callee) edge,
 * with bytes, written in the line format `kcut profile import --format instrument` reads:
 *
 *	# kcut-profile v1 duration_s=<seconds>
 *	<caller> <callee> <count>
 *	# bytes <caller> <callee> <bytes>
 *
 * Names are pointers into the function tables (they outlive the runtime), so the table hashes
 * the pointer pair; a fixed open-addressing table under one mutex is enough for the few hundred
 * functions a driver has. Edges beyond the table's capacity are counted in `dropped`.
 */
#include "rt_internal.h"

#include <string.h>

#define TRACE_CAP 4096u

struct edge {
	const char *caller, *callee;
	uint64_t count, bytes;
};

struct kc_trace {
	struct kc_os_mutex *lock;
	uint64_t start_ns;
	uint64_t dropped;
	struct edge e[TRACE_CAP];
};

int kc_trace_new(struct kc_trace **out)
{
	struct kc_trace *t = kc_os_zalloc(sizeof(*t));

	*out = NULL;
	if (!t)
		return KC_ENOMEM;
	t->lock = kc_os_mutex_new();
	if (!t->lock) {
		kc_os_free(t);
		return KC_ENOMEM;
	}
	t->start_ns = kc_os_now_ns();
	*out = t;
	return 0;
}

void kc_trace_free(struct kc_trace *t)
{
	if (!t)
		return;
	kc_os_mutex_free(t->lock);
	kc_os_free(t);
}

void kc_trace_add(struct kc_trace *t, const char *caller, const char *callee, uint64_t bytes)
{
	uint64_t hsh = ((uintptr_t)caller * 0x9e3779b97f4a7c15ull) ^ ((uintptr_t)callee >> 3);
	uint32_t i, k;

	if (!caller)
		caller = "(unknown)";
	if (!callee)
		callee = "(unknown)";
	kc_os_lock(t->lock);
	for (k = 0; k < TRACE_CAP; k++) {
		i = (uint32_t)((hsh + k) & (TRACE_CAP - 1));
		if (!t->e[i].caller) {
			t->e[i].caller = caller;
			t->e[i].callee = callee;
		}
		if (t->e[i].caller == caller && t->e[i].callee == callee) {
			t->e[i].count++;
			t->e[i].bytes += bytes;
			break;
		}
	}
	if (k == TRACE_CAP)
		t->dropped++;
	kc_os_unlock(t->lock);
}

int kc_trace_write(struct kc_trace *t, FILE *f)
{
	uint64_t dur;
	uint32_t i;

	kc_os_lock(t->lock);
	dur = kc_os_now_ns() - t->start_ns;
	fprintf(f, "# kcut-profile v1 duration_s=%.6f\n", (double)dur / 1e9);
	for (i = 0; i < TRACE_CAP; i++)
		if (t->e[i].caller)
			fprintf(f, "%s %s %llu\n", t->e[i].caller, t->e[i].callee,
				(unsigned long long)t->e[i].count);
	for (i = 0; i < TRACE_CAP; i++)
		if (t->e[i].caller)
			fprintf(f, "# bytes %s %s %llu\n", t->e[i].caller, t->e[i].callee,
				(unsigned long long)t->e[i].bytes);
	if (t->dropped)
		fprintf(f, "# dropped %llu\n", (unsigned long long)t->dropped);
	kc_os_unlock(t->lock);
	return ferror(f) ? KC_EIO : 0;
}
