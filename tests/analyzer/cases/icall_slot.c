/* Indirect call through an ops-struct slot: x->netdev_ops->ndo_start_xmit(...). */
#include <linux/netdevice.h>

static netdev_tx_t my_xmit(struct sk_buff *skb, struct net_device *dev)
{
	return 0;
}

static int my_open(struct net_device *dev)
{
	return 0;
}

static const struct net_device_ops my_ops = {
	.ndo_open = my_open,
	.ndo_start_xmit = my_xmit,
};

int xmit_wrapper(struct sk_buff *skb, struct net_device *dev)
{
	dev->netdev_ops = &my_ops;
	return dev->netdev_ops->ndo_start_xmit(skb, dev);
}

/*
 * check-name: ndo_start_xmit slot resolution
 * check-query: SELECT callee, kind, resolved_by, slot FROM v_calls WHERE caller = 'xmit_wrapper'
 * check-expect
 * my_xmit|indirect|slot|net_device_ops.ndo_start_xmit
 * check-expect-end
 *
 * check-query: SELECT f.name, r.kind, r.struct_name, r.field, r.var FROM registration r
 *   JOIN func f ON f.id = r.func_id ORDER BY r.field
 * check-expect
 * my_open|slot|net_device_ops|ndo_open|my_ops
 * my_xmit|slot|net_device_ops|ndo_start_xmit|my_ops
 * check-expect-end
 */
