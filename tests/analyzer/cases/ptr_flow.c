/* ptr_flow: pointer fields passed as call arguments (directly, offset or cast, or through a local
 * of the same function assigned from the field or stored into it), and pointer parameters to
 * non-struct memory the function dereferences, indexes or offsets (first site of each evidence).
 * The partitioner's kernel-only memory rule reads them (docs/partitioner.md). */
#include <linux/dma-mapping.h>
#include <linux/netdevice.h>
#include <linux/slab.h>

struct buf {
	unsigned char *data;
	struct sk_buff *skb;
	dma_addr_t dma;
	unsigned int len;
};

int check(const unsigned char *data, unsigned int n);
void fill(struct sk_buff *skb, unsigned int n);

/* the skb's data directly and offset; a local stored into the field after the mapping */
void map(struct device *dev, struct buf *b, struct sk_buff *skb)
{
	unsigned char *mem = kzalloc(2048, GFP_KERNEL);

	b->dma = dma_map_single(dev, skb->data + 2, 1024, 1);
	b->dma = dma_map_single(dev, mem, 2048, 2);
	b->data = mem;
}

/* a local assigned from the field, passed on; the struct pointer field skb passed on */
int run(struct buf *b)
{
	const unsigned char *p = b->data;
	unsigned char *q;

	q = b->skb->data;
	fill(b->skb, 64);
	return check(p, 64) + check(q, 64) + check((const unsigned char *)b->data, 1);
}

int check(const unsigned char *data, unsigned int n)
{
	if (data[3] != 0xff)
		return 1;
	if (*(data + n / 2) != 0xbe)
		return 2;
	return *data == 0 ? 0 : 3;
}

/* a struct pointer parameter is not a 'param' row (its fields are field accesses) */
void fill(struct sk_buff *skb, unsigned int n)
{
	skb->data[n] = 0xaa;
}

/*
 * check-name: pointer flow: field arguments and parameter uses
 * check-query: SELECT f.name, p.kind, COALESCE(p.struct_name, ''), COALESCE(p.field, ''), COALESCE(c.name, ''),
 *   COALESCE(p.macro, ''), p.arg_idx, COALESCE(p.detail, ''), p.line
 *   FROM ptr_flow p JOIN func f ON f.id = p.func_id LEFT JOIN func c ON c.id = p.callee_id
 *   ORDER BY p.line, p.arg_idx, p.kind, c.name
 * check-expect
 * map|arg|sk_buff|data|dma_map_single_attrs|dma_map_single|1||24
 * map|arg|buf|data|dma_map_single_attrs|dma_map_single|1||25
 * run|arg|buf|skb|fill||0||36
 * run|arg|buf|data|check||0||37
 * run|arg|buf|data|check||0||37
 * run|arg|sk_buff|data|check||0||37
 * check|param|||||0|index|42
 * check|param|||||0|ptr_arith|44
 * check|param|||||0|deref|46
 * check-expect-end
 */
