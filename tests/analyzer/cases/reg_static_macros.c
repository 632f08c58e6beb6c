/* Registrations made by macros that define initialized globals: DECLARE_TASKLET, DEFINE_TIMER. */
#include <linux/interrupt.h>
#include <linux/timer.h>

static void tl_fn(struct tasklet_struct *t)
{
}

static void tm_fn(struct timer_list *t)
{
}

DECLARE_TASKLET(my_tasklet, tl_fn);
DEFINE_TIMER(my_timer, tm_fn);

/*
 * check-name: registrations from macros defining globals
 * check-query: SELECT f.name, r.kind, r.struct_name, r.field, r.var, r.macro, r.by_func_id FROM registration r
 *   JOIN func f ON f.id = r.func_id ORDER BY f.name
 * check-expect
 * tl_fn|slot|tasklet_struct|callback|my_tasklet|DECLARE_TASKLET|
 * tm_fn|slot|timer_list|function|my_timer|DEFINE_TIMER|
 * check-expect-end
 */
