/* kmalloc family: size/count text, element type, where the result is stored. */
#include <linux/slab.h>

struct ring {
	int count;
	struct desc *desc;
};

struct desc {
	u64 addr;
	u32 len;
};

struct ring *make(int n)
{
	struct ring *r = kzalloc(sizeof(*r), GFP_KERNEL);
	void *buf;

	r->desc = kcalloc(n, sizeof(struct desc), GFP_KERNEL);
	buf = kmalloc(64, GFP_ATOMIC);
	kfree(buf);
	r->desc = kmalloc_array(n, sizeof(*r->desc), GFP_KERNEL);
	return r;
}

char *dup(const char *s)
{
	return kstrdup(s, GFP_KERNEL);
}

/*
 * check-name: kmalloc family allocations
 * check-query: SELECT allocator, size_expr, count_expr, elem_type, store_kind, store_struct, store_field,
 *   store_var FROM alloc ORDER BY line
 * check-expect
 * kzalloc|sizeof(*r)||ring|var|||r
 * kcalloc|sizeof(struct desc)|n|desc|field|ring|desc|
 * kmalloc|64|||var|||buf
 * kmalloc_array|sizeof(*r->desc)|n|desc|field|ring|desc|
 * kstrdup||||return|||
 * check-expect-end
 */
