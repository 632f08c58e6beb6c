/*
 * split.c - kcut-sim: load, start, stop and unload one instance of a split driver's kernel half,
 * and add up the runtime's crossing traces over the loads of a run.
 *
 * The harness needs its own handle on the kernel half because the runtime (its endpoint, its
 * supervisor, the user-half process) lives in that object and is started before the module's
 * init runs. Holding that handle for the whole run would keep the module resident across
 * rmmod/insmod, so its statics (module parameters...) would not start fresh; hence one
 * sim_split per load, ended by the harness's `remove` (see split.h).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_common.h"
#include "split.h"

struct sim_split {
	void *handle;		/* the harness's own reference on the kernel half */
};

struct trace_ent {
	char *caller;
	char *callee;
	unsigned long long count;
	unsigned long long bytes;
};

struct sim_trace {
	struct trace_ent *e;
	size_t n, cap;
	double duration_s;
	unsigned long long dropped;
};

int sim_split_start(struct sim_split **out, const char *kernel_path, const char *user_half, bool trace)
{
	int (*start)(const char *, int, struct kc_err *);
	struct kc_err err = { 0 };
	struct sim_split *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s) {
		fprintf(stderr, "kcut-sim: out of memory\n");
		return -1;
	}
	s->handle = dlopen(kernel_path, RTLD_NOW | RTLD_LOCAL);
	if (!s->handle) {
		fprintf(stderr, "kcut-sim: %s\n", dlerror());
		goto fail;
	}
	*(void **)&start = dlsym(s->handle, "kcut_kernel_start");
	if (!start) {
		fprintf(stderr, "kcut-sim: %s is not the kernel half of a split driver (no kcut_kernel_start)\n",
			kernel_path);
		goto fail;
	}
	rc = start(user_half, trace, &err);
	if (rc) {
		fprintf(stderr, "kcut-sim: cannot start the user half %s: %s\n", user_half,
			err.msg[0] ? err.msg : "kcut_kernel_start failed");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->handle)
		dlclose(s->handle);
	free(s);
	return -1;
}

void *sim_split_sym(struct sim_split *s, const char *name)
{
	return s ? dlsym(s->handle, name) : NULL;
}

/* The entry of (caller, callee) in t, added when new; NULL when out of memory. */
static struct trace_ent *trace_ent(struct sim_trace *t, const char *caller, const char *callee)
{
	struct trace_ent *e;

	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].caller, caller) && !strcmp(t->e[i].callee, callee))
			return &t->e[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct trace_ent *ne = realloc(t->e, cap * sizeof(*ne));

		if (!ne)
			return NULL;
		t->e = ne;
		t->cap = cap;
	}
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	e->caller = strdup(caller);
	e->callee = strdup(callee);
	if (!e->caller || !e->callee) {
		free(e->caller);
		free(e->callee);
		return NULL;
	}
	t->n++;
	return e;
}

/* Add one trace as kc_rt_trace_write writes it (text) to t. Lines it does not know are skipped.
 * Returns 0 or -1 when out of memory. */
static int trace_add_text(struct sim_trace *t, char *text)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char a[256], b[256];
		unsigned long long n;
		double d;
		struct trace_ent *e;

		if (sscanf(line, "# kcut-profile v1 duration_s=%lf", &d) == 1) {
			t->duration_s += d;
		} else if (sscanf(line, "# dropped %llu", &n) == 1) {
			t->dropped += n;
		} else if (sscanf(line, "# bytes %255s %255s %llu", a, b, &n) == 3) {
			e = trace_ent(t, a, b);
			if (!e)
				return -1;
			e->bytes += n;
		} else if (line[0] != '#' && sscanf(line, "%255s %255s %llu", a, b, &n) == 3) {
			e = trace_ent(t, a, b);
			if (!e)
				return -1;
			e->count += n;
		}
	}
	return 0;
}

/* Add the current load's crossing trace (if the runtime keeps one) to acc. */
static void split_collect_trace(struct sim_split *s, struct sim_trace *acc)
{
	int (*trace_write)(void *, FILE *);
	void **rt = dlsym(s->handle, "kcut_rt");
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	*(void **)&trace_write = dlsym(s->handle, "kc_rt_trace_write");
	if (!rt || !*rt || !trace_write)
		return;
	f = open_memstream(&text, &len);
	if (!f) {
		fprintf(stderr, "kcut-sim: out of memory for the crossing trace\n");
		return;
	}
	rc = trace_write(*rt, f);
	fclose(f);
	if (!rc && trace_add_text(acc, text))
		fprintf(stderr, "kcut-sim: out of memory for the crossing trace\n");
	free(text);
}

void sim_split_stop(struct sim_split *s, struct sim_trace *acc)
{
	void (*stop)(void);

	if (!s)
		return;
	if (acc)
		split_collect_trace(s, acc);
	*(void **)&stop = dlsym(s->handle, "kcut_kernel_stop");
	if (stop)
		stop();
	dlclose(s->handle);
	free(s);
}

struct sim_trace *sim_trace_new(void)
{
	return calloc(1, sizeof(struct sim_trace));
}

void sim_trace_free(struct sim_trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].caller);
		free(t->e[i].callee);
	}
	free(t->e);
	free(t);
}

int sim_trace_write(const struct sim_trace *t, FILE *f)
{
	fprintf(f, "# kcut-profile v1 duration_s=%.6f\n", t->duration_s);
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "%s %s %llu\n", t->e[i].caller, t->e[i].callee, t->e[i].count);
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "# bytes %s %s %llu\n", t->e[i].caller, t->e[i].callee, t->e[i].bytes);
	if (t->dropped)
		fprintf(f, "# dropped %llu\n", t->dropped);
	return ferror(f) ? -1 : 0;
}
