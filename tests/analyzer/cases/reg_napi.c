/* netif_napi_add registers the poll function (argument index 2). */
#include <linux/netdevice.h>

struct adapter {
	struct napi_struct napi;
	struct net_device *netdev;
};

static int my_poll(struct napi_struct *napi, int budget)
{
	return 0;
}

void probe(struct adapter *a)
{
	netif_napi_add(a->netdev, &a->napi, my_poll, 64);
}

/*
 * check-name: netif_napi_add registration
 * check-query: SELECT f.name, r.api, r.arg_idx FROM registration r JOIN func f ON f.id = r.func_id
 * check-expect
 * my_poll|netif_napi_add|2
 * check-expect-end
 */
