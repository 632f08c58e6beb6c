/* Field accesses inside kernel-header inline functions a driver function calls are stored in
 * inline_access (not field_access), at the driver's call site, followed through nested inline
 * calls; each inline definition once per driver function; a recursive inline terminates; calls,
 * locks and registrations inside inline code are not the driver's. */
#include <linux/inl.h>

struct my_priv {
	struct ndev *dev;
};

static inline int my_own_inline(struct my_priv *p)
{
	return p->dev->mtu; /* a driver inline: walked as a function of its own */
}

int link_up(struct my_priv *p)
{
	return ndev_carrier_ok(p->dev) && ndev_carrier_ok(p->dev);
}

int tx_stopped(struct ndev *dev)
{
	return ndev_queue_stopped(dev);
}

void hold(struct ndev *dev)
{
	ndev_hold(dev);
	ndev_wrap(dev);
	my_own_inline(0);
}

int rec(struct ndev *dev)
{
	return ndev_rec(dev, 3);
}

/*
 * check-name: field accesses inside kernel inline functions
 * check-query: SELECT f.name, a.inline_name, a.struct_name, a.field, a.mode, a.path, a.line
 *   FROM inline_access a JOIN func f ON f.id = a.func_id ORDER BY a.id
 * check-expect
 * link_up|ndev_carrier_ok|ndev|state|addr|dev->state|18
 * tx_stopped|ndev_queue_stopped|q|state|addr|ndev_txq(dev, 0)->state|23
 * tx_stopped|ndev_queue_stopped|ndev|tx|read|dev->tx|23
 * hold|ndev_hold|ndev|refs|read|dev->refs|28
 * hold|ndev_hold|ndev|refs|write|dev->refs|28
 * hold|ndev_hold|ndev|mtu|read|dev->mtu|28
 * hold|ndev_hold|ndev|mtu|write|dev->mtu|28
 * rec|ndev_rec|ndev|mtu|read|dev->mtu|35
 * check-expect-end
 * check-query: SELECT f.name, a.struct_name, a.field, a.mode FROM field_access a JOIN func f ON f.id = a.func_id
 *   ORDER BY a.id
 * check-expect
 * my_own_inline|ndev|mtu|read
 * my_own_inline|my_priv|dev|read
 * link_up|my_priv|dev|read
 * link_up|my_priv|dev|read
 * check-expect-end
 * check-query: SELECT caller, callee FROM v_calls ORDER BY line, callee
 * check-expect
 * link_up|ndev_carrier_ok
 * link_up|ndev_carrier_ok
 * tx_stopped|ndev_queue_stopped
 * hold|ndev_hold
 * hold|ndev_wrap
 * hold|my_own_inline
 * rec|ndev_rec
 * check-expect-end
 */
