/* Several ops structs in one driver; a slot nothing is stored into falls back to type matching. */
#include <linux/netdevice.h>

static u32 my_get_link(struct net_device *dev)
{
	return 1;
}

static int my_regs_len(struct net_device *dev)
{
	return 4;
}

static int my_stop(struct net_device *dev)
{
	return 0;
}

static const struct ethtool_ops my_ethtool_ops = {
	.get_link = my_get_link,
};

static const struct net_device_ops my_netdev_ops = {
	.ndo_stop = my_stop,
};

int query(struct net_device *dev)
{
	dev->ethtool_ops = &my_ethtool_ops;
	dev->netdev_ops = &my_netdev_ops;
	(void)my_regs_len;
	return dev->ethtool_ops->get_link(dev) + dev->ethtool_ops->get_regs_len(dev);
}

/*
 * check-name: unregistered slot falls back to type match
 * check-query: SELECT callee, resolved_by, slot FROM v_calls WHERE kind = 'indirect' ORDER BY slot, callee
 * check-expect
 * my_get_link|slot|ethtool_ops.get_link
 * my_regs_len|type|ethtool_ops.get_regs_len
 * my_stop|type|ethtool_ops.get_regs_len
 * check-expect-end
 */
