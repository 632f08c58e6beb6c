/*
 * split_test.c - unit test of kcut-sim's split-driver loading (harness/split.c).
 *
 * Checked with a fake kernel half (fake_half.c, path in argv[1]): a load starts the runtime, a stop
 * calls kcut_kernel_stop and leaves the object unmapped, so the next load's statics start fresh
 * (the rmmod/insmod behaviour the `reload` scenario needs); crossing traces of several loads add
 * up; a failed start leaves nothing loaded; bad paths fail cleanly.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_test.h"
#include "split.h"

static const char *fake_path;

static int stops(void)
{
	const char *s = getenv("FAKE_HALF_STOPS");

	return s ? atoi(s) : 0;
}

static int still_loaded(void)
{
	void *h = dlopen(fake_path, RTLD_NOW | RTLD_NOLOAD);

	if (h)
		dlclose(h);
	return h != NULL;
}

static int starts_of(struct sim_split *s)
{
	int (*fn)(void);

	*(void **)&fn = sim_split_sym(s, "fake_half_starts");
	return fn ? fn() : -1;
}

static void test_reload_starts_fresh(void)
{
	struct sim_split *s = NULL;
	int before = stops();

	KC_REQUIRE(sim_split_start(&s, fake_path, "user", false) == 0 && s);
	KC_CHECK_EQ_INT(starts_of(s), 1);
	KC_CHECK(sim_split_sym(s, "kcut_kernel_stop") != NULL);
	sim_split_stop(s, NULL);
	KC_CHECK_EQ_INT(stops(), before + 1);
	KC_CHECK(!still_loaded());

	KC_REQUIRE(sim_split_start(&s, fake_path, "user", false) == 0 && s);
	KC_CHECK_EQ_INT(starts_of(s), 1);	/* 2 if the first load had stayed mapped */
	sim_split_stop(s, NULL);
	KC_CHECK_EQ_INT(stops(), before + 2);
	KC_CHECK(!still_loaded());
}

static void test_traces_add_up(void)
{
	struct sim_trace *acc = sim_trace_new();
	struct sim_split *s = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	KC_REQUIRE(acc);
	for (int i = 0; i < 2; i++) {
		KC_REQUIRE(sim_split_start(&s, fake_path, "user", true) == 0);
		sim_split_stop(s, acc);
	}
	f = open_memstream(&text, &len);
	KC_REQUIRE(f);
	KC_CHECK_EQ_INT(sim_trace_write(acc, f), 0);
	fclose(f);
	KC_CHECK_EQ_STR(text, "# kcut-profile v1 duration_s=0.500000\n"
			      "probe pci_enable 6\n"
			      "(kernel) open 2\n"
			      "# bytes probe pci_enable 60\n"
			      "# bytes (kernel) open 16\n");
	free(text);
	sim_trace_free(acc);
}

static void test_empty_trace(void)
{
	struct sim_trace *acc = sim_trace_new();
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	KC_REQUIRE(acc && f);
	KC_CHECK_EQ_INT(sim_trace_write(acc, f), 0);
	fclose(f);
	KC_CHECK_EQ_STR(text, "# kcut-profile v1 duration_s=0.000000\n");
	free(text);
	sim_trace_free(acc);
}

static void test_failed_start_unloads(void)
{
	struct sim_split *s = (struct sim_split *)&s;
	int before = stops();

	KC_CHECK_EQ_INT(sim_split_start(&s, fake_path, "fail", false), -1);
	KC_CHECK(s == NULL);
	KC_CHECK(!still_loaded());
	KC_CHECK_EQ_INT(stops(), before);
}

static void test_bad_objects(void)
{
	struct sim_split *s = NULL;

	KC_CHECK_EQ_INT(sim_split_start(&s, "/nonexistent/kernel-half.so", "user", false), -1);
	KC_CHECK(s == NULL);
	/* an object without kcut_kernel_start: libc is not a kernel half */
	KC_CHECK_EQ_INT(sim_split_start(&s, "libc.so.6", "user", false), -1);
	KC_CHECK(s == NULL);
	KC_CHECK(sim_split_sym(NULL, "kcut_rt") == NULL);
	sim_split_stop(NULL, NULL);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: kcut_sim_split_test FAKE_HALF.so\n");
		return 2;
	}
	fake_path = argv[1];
	KC_RUN(test_reload_starts_fresh);
	KC_RUN(test_traces_add_up);
	KC_RUN(test_empty_trace);
	KC_RUN(test_failed_start_unloads);
	KC_RUN(test_bad_objects);
	return kc_test_done();
}
