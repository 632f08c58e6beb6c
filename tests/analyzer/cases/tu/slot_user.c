/* Second TU of icall_slot_assign.c: calls through the slot. */
#include <linux/netdevice.h>

struct my_ops {
	int (*start)(struct net_device *dev);
	int (*stop)(struct net_device *dev);
};

extern struct my_ops global_ops;

int run_start(struct net_device *dev)
{
	return global_ops.start(dev);
}
