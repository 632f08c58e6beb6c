/* INIT_WORK / INIT_DELAYED_WORK store the function by an assignment inside the macro. */
#include <linux/list.h>
#include <linux/workqueue.h>

struct adapter {
	struct work_struct reset_task;
	struct delayed_work watchdog;
};

static void reset_task(struct work_struct *work)
{
}

static void watchdog(struct work_struct *work)
{
}

void init(struct adapter *a)
{
	INIT_WORK(&a->reset_task, reset_task);
	INIT_DELAYED_WORK(&a->watchdog, watchdog);
}

/*
 * check-name: INIT_WORK and INIT_DELAYED_WORK registrations carry the macro name
 * check-query: SELECT f.name, r.kind, r.struct_name, r.field, r.macro FROM registration r
 *   JOIN func f ON f.id = r.func_id ORDER BY f.name
 * check-expect
 * reset_task|slot|work_struct|func|INIT_WORK
 * watchdog|slot|work_struct|func|INIT_DELAYED_WORK
 * check-expect-end
 */
