/* timer_setup (macro over init_timer_key) and tasklet_setup (a function). */
#include <linux/interrupt.h>
#include <linux/timer.h>

struct adapter {
	struct timer_list timer;
	struct tasklet_struct tasklet;
};

static void on_timer(struct timer_list *t)
{
}

static void on_tasklet(struct tasklet_struct *t)
{
}

void init(struct adapter *a)
{
	timer_setup(&a->timer, on_timer, 0);
	tasklet_setup(&a->tasklet, on_tasklet);
}

/*
 * check-name: timer_setup and tasklet_setup registrations
 * check-query: SELECT f.name, r.kind, r.api, r.arg_idx, r.macro FROM registration r
 *   JOIN func f ON f.id = r.func_id ORDER BY f.name
 * check-expect
 * on_tasklet|arg|tasklet_setup|1|
 * on_timer|arg|init_timer_key|1|timer_setup
 * check-expect-end
 */
