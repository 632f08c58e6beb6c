/*
 * test_combolock.c - partitioner/locks.c (combolocks, issue 13) on hand-built graphs shaped like
 * simsnd: an interrupt handler and a process-context set-up function (prepare) take the same
 * spinlock; prepare calls the register accessor (kernel: the handler's closure) with it held.
 *   - the lock may be a combolock: with --combolocks prepare is free (user half), without it
 *     prepare stays kernel and its why says the lock could be one;
 *   - an atomic taker that is not an interrupt handler (trigger -> ctrl_update) refuses it:
 *     prepare stays kernel with --combolocks, and its why names ctrl_update and trigger;
 *   - a section callee kernel only because of the section, a nested lock, an atomic taker that is
 *     a softirq root: refused;
 *   - under device access none nothing happens (no verdict, same sides).
 */
#include <stdio.h>
#include <string.h>

#include "kc_test.h"
#include "partitioner.h"

enum { F_IRQ, F_PREP, F_WRITE, F_PROBE, F_TRIG, F_CTRL, F_HELP, F_N };

struct shape {
	int trigger;   /* add trigger (atomic root) -> ctrl_update, which takes the lock */
	int softirq;   /* the atomic taker is a softirq root instead of an interrupt handler */
	int helper;    /* prepare also calls a helper with the lock held that nothing else calls */
	int nested;    /* prepare takes a second spinlock */
	int mode;      /* device access */
};

static struct kc_part_graph *build(const struct shape *s)
{
	struct kc_part_graph *g = kc_part_graph_new();
	int f[F_N];

	f[F_IRQ] = kc_part_graph_add_func(g, "snd_irq", 26);
	f[F_PREP] = kc_part_graph_add_func(g, "snd_prepare", 21);
	f[F_WRITE] = kc_part_graph_add_func(g, "snd_write", 4);
	f[F_PROBE] = kc_part_graph_add_func(g, "snd_probe", 60);
	f[F_TRIG] = kc_part_graph_add_func(g, "snd_trigger", 30);
	f[F_CTRL] = kc_part_graph_add_func(g, "snd_ctrl_update", 11);
	f[F_HELP] = kc_part_graph_add_func(g, "snd_helper", 5);
	kc_part_graph_set_device_access(g, s->mode);
	kc_part_graph_add_root(g, f[F_IRQ], s->softirq ? 1 : KC_PART_ROOT_IRQ,
			       s->softirq ? "tasklet function (test)" : "IRQ handler (test)");
	kc_part_graph_add_root(g, f[F_PROBE], 0, "pci_driver.probe (test)");
	kc_part_graph_add_lock(g, f[F_IRQ], "reg_lock", "spin_lock(&chip->reg_lock) at irq.c:10:2");
	kc_part_graph_add_call_locked(g, f[F_IRQ], f[F_WRITE], 2, "&chip->reg_lock", "irq.c:11:2");
	kc_part_graph_add_lock(g, f[F_PREP], "reg_lock", "spin_lock_irqsave(&chip->reg_lock) at pcm.c:20:2");
	kc_part_graph_add_call_locked(g, f[F_PREP], f[F_WRITE], 6, "&chip->reg_lock", "pcm.c:21:2");
	kc_part_graph_add_call(g, f[F_PROBE], f[F_PREP], 1, 0);
	kc_part_graph_add_call(g, f[F_PROBE], f[F_WRITE], 20, 0);
	if (s->trigger) {
		kc_part_graph_add_root(g, f[F_TRIG], 1, "snd_pcm_ops.trigger (test)");
		kc_part_graph_add_call(g, f[F_TRIG], f[F_CTRL], 1, 0);
		kc_part_graph_add_lock(g, f[F_CTRL], "reg_lock", "spin_lock_irqsave(&chip->reg_lock) at main.c:74:2");
		kc_part_graph_add_call_locked(g, f[F_CTRL], f[F_WRITE], 1, "&chip->reg_lock", "main.c:76:2");
	}
	if (s->helper)
		kc_part_graph_add_call_locked(g, f[F_PREP], f[F_HELP], 1, "&chip->reg_lock", "pcm.c:22:2");
	if (s->nested)
		kc_part_graph_add_lock(g, f[F_PREP], "other_lock", "spin_lock(&chip->other_lock) at pcm.c:19:2");
	return g;
}

static struct kc_part_result *solve(const struct kc_part_graph *g, int combolocks)
{
	struct kc_part_opts o = KC_PART_OPTS_INIT;
	struct kc_part_result *r = NULL;
	struct kc_err err = { 0 };

	o.combolocks = combolocks;
	if (kc_part_solve(&r, g, &o, &err) < 0)
		fprintf(stderr, "solve: %s\n", err.msg);
	return r;
}

static const char *detail(const struct kc_part_graph *g, const struct kc_part_result *r, const char *fn)
{
	return kc_part_result_detail(r, kc_part_graph_find(g, fn));
}

static int side(const struct kc_part_graph *g, const struct kc_part_result *r, const char *fn)
{
	return kc_part_result_side(r, kc_part_graph_find(g, fn));
}

/* Solve s with and without --combolocks; prepare's side with it, and both whys of prepare. */
static int run(const struct shape *s, char *why_off, char *why_on, size_t n)
{
	struct kc_part_graph *g = build(s);
	struct kc_part_result *off = solve(g, 0), *on = solve(g, 1);
	int prep = -1;

	KC_CHECK(off && on);
	if (!off || !on) {
		kc_part_result_free(off);
		kc_part_result_free(on);
		kc_part_graph_free(g);
		return -1;
	}
	/* without the option the partition is what it was: prepare kernel (critical section) */
	KC_CHECK_EQ_INT(side(g, off, "snd_prepare"), KC_PART_KERNEL);
	KC_CHECK_EQ_INT(kc_part_result_reason(off, kc_part_graph_find(g, "snd_prepare")), KC_PART_R_LOCK);
	snprintf(why_off, n, "%s", detail(g, off, "snd_prepare"));
	snprintf(why_on, n, "%s", detail(g, on, "snd_prepare"));
	prep = side(g, on, "snd_prepare");
	/* whatever happens to prepare, the atomic side stays kernel */
	KC_CHECK_EQ_INT(side(g, on, "snd_irq"), KC_PART_KERNEL);
	KC_CHECK_EQ_INT(side(g, on, "snd_write"), KC_PART_KERNEL);
	if (s->trigger)
		KC_CHECK_EQ_INT(side(g, on, "snd_ctrl_update"), KC_PART_KERNEL);
	kc_part_result_free(off);
	kc_part_result_free(on);
	kc_part_graph_free(g);
	return prep;
}

static void test_irq_only(void)
{
	struct shape s = { .mode = KC_PART_DEV_FORWARD };
	char off[1024], on[1024];

	KC_CHECK_EQ_INT(run(&s, off, on, sizeof(off)), KC_PART_USER);
	KC_CHECK(strstr(off, "holds &chip->reg_lock at pcm.c:21:2 while calling snd_write") != NULL);
	KC_CHECK(strstr(off, "combolock: spinlock reg_lock may be a combolock") != NULL);
	KC_CHECK(strstr(off, "snd_irq (interrupt handler: deferred while the user half holds it)") != NULL);
	KC_CHECK(strstr(off, "(not asked for: kcut partition --combolocks)") != NULL);
	KC_CHECK(strstr(on, "critical section") == NULL);
	s.mode = KC_PART_DEV_MAPPED;
	KC_CHECK_EQ_INT(run(&s, off, on, sizeof(off)), KC_PART_USER);
}

static void test_trigger_refuses(void)
{
	struct shape s = { .mode = KC_PART_DEV_FORWARD, .trigger = 1 };
	char off[1024], on[1024];

	KC_CHECK_EQ_INT(run(&s, off, on, sizeof(off)), KC_PART_KERNEL);
	KC_CHECK(strstr(on, "combolock: not for spinlock reg_lock: snd_ctrl_update takes it in atomic context "
			    "(called by snd_trigger, reached from snd_trigger (root: snd_pcm_ops.trigger (test))) "
			    "and is not an interrupt handler") != NULL);
	KC_CHECK(strstr(off, "combolock: not for spinlock reg_lock") != NULL);
}

static void test_other_refusals(void)
{
	struct shape soft = { .mode = KC_PART_DEV_FORWARD, .softirq = 1 };
	struct shape help = { .mode = KC_PART_DEV_FORWARD, .helper = 1 };
	struct shape nest = { .mode = KC_PART_DEV_FORWARD, .nested = 1 };
	char off[1024], on[1024];

	KC_CHECK_EQ_INT(run(&soft, off, on, sizeof(off)), KC_PART_KERNEL);
	KC_CHECK(strstr(on, "snd_irq takes it in atomic context (root: tasklet function (test))") != NULL);
	KC_CHECK_EQ_INT(run(&help, off, on, sizeof(off)), KC_PART_KERNEL);
	KC_CHECK(strstr(on, "snd_prepare calls snd_helper with it held at pcm.c:22:2, and snd_helper is kernel "
			    "only because of that section") != NULL);
	KC_CHECK_EQ_INT(run(&nest, off, on, sizeof(off)), KC_PART_KERNEL);
	KC_CHECK(strstr(on, "takes spinlock other_lock too") != NULL);
}

static void test_none_unchanged(void)
{
	struct shape s = { .mode = KC_PART_DEV_NONE };
	char off[1024], on[1024];

	KC_CHECK_EQ_INT(run(&s, off, on, sizeof(off)), KC_PART_KERNEL);
	KC_CHECK(strstr(off, "combolock") == NULL);
	KC_CHECK_EQ_STR(off, on);
}

int main(void)
{
	KC_RUN(test_irq_only);
	KC_RUN(test_trigger_refuses);
	KC_RUN(test_other_refusals);
	KC_RUN(test_none_unchanged);
	return kc_test_done();
}
