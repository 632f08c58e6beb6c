/* vmalloc, vzalloc, dma_alloc_coherent, devm_*, alloc_etherdev (a macro). */
#include <linux/dma-mapping.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

struct priv {
	void *table;
	void *desc;
	dma_addr_t dma;
	u32 *stats;
};

struct net_device *create(struct device *dev, int n)
{
	struct net_device *netdev = alloc_etherdev(sizeof(struct priv));
	struct priv *p = devm_kzalloc(dev, sizeof(*p), GFP_KERNEL);

	p->table = vmalloc(n * 16);
	p->table = vzalloc(4096);
	p->desc = dma_alloc_coherent(dev, 256, &p->dma, GFP_KERNEL);
	p->stats = devm_kcalloc(dev, n, sizeof(u32), GFP_KERNEL);
	return netdev;
}

/*
 * check-name: other allocator families
 * check-query: SELECT allocator, size_expr, count_expr, elem_type, store_kind, store_struct, store_field,
 *   store_var FROM alloc ORDER BY line
 * check-expect
 * alloc_etherdev|sizeof(struct priv)||priv|var|||netdev
 * devm_kzalloc|sizeof(*p)||priv|var|||p
 * vmalloc|n * 16|||field|priv|table|
 * vzalloc|4096|||field|priv|table|
 * dma_alloc_coherent|256|||field|priv|desc|
 * devm_kcalloc|sizeof(u32)|n|u32|field|priv|stats|
 * check-expect-end
 */
