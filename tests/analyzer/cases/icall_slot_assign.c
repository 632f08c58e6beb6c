/* Slots filled by assignment in one TU and called through `ops.field` in another. */
#include <linux/netdevice.h>

struct my_ops {
	int (*start)(struct net_device *dev);
	int (*stop)(struct net_device *dev);
};

struct my_ops global_ops;

int start_impl(struct net_device *dev)
{
	return 1;
}

void setup(void)
{
	global_ops.start = start_impl;
}

/*
 * check-name: slot assigned here, called from another TU
 * check-tu: tu/slot_user.c
 * check-query: SELECT caller, callee, resolved_by, slot FROM v_calls WHERE kind = 'indirect'
 * check-expect
 * run_start|start_impl|slot|my_ops.start
 * check-expect-end
 *
 * check-query: SELECT f.name, r.struct_name, r.field, r.var, b.name FROM registration r
 *   JOIN func f ON f.id = r.func_id LEFT JOIN func b ON b.id = r.by_func_id
 * check-expect
 * start_impl|my_ops|start|global_ops|setup
 * check-expect-end
 */
