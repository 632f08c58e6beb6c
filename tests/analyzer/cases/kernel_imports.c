/* Callees the driver declares but does not define are kernel imports; header inlines too. */
#include <linux/netdevice.h>
#include <linux/list.h>

static void local_fn(void)
{
}

void drv(struct net_device *dev, struct list_head *l)
{
	local_fn();
	netif_wake_queue(dev);
	netif_wake_queue(dev);
	INIT_LIST_HEAD(l);
	register_netdev(dev);
}

/*
 * check-name: kernel imports
 * check-query: SELECT name, n_sites FROM kernel_import ORDER BY name
 * check-expect
 * INIT_LIST_HEAD|1
 * netif_wake_queue|2
 * register_netdev|1
 * check-expect-end
 *
 * check-query: SELECT name, is_driver, is_defined FROM func ORDER BY name
 * check-expect
 * INIT_LIST_HEAD|0|0
 * drv|1|1
 * local_fn|1|1
 * netif_wake_queue|0|0
 * register_netdev|0|0
 * check-expect-end
 */
