/* Shape evidence: a pointer field indexed, or used with pointer arithmetic. */
#include <linux/types.h>

struct ring {
	u32 *desc;
	u8 *cursor;
	u8 *single;
	int count;
};

u32 get(struct ring *r, int i)
{
	u8 *p = r->cursor + 4;

	r->cursor++;
	*r->single = 1;
	return r->desc[i] + *p;
}

/*
 * check-name: index and pointer arithmetic evidence
 * check-query: SELECT DISTINCT struct_name, field, evidence FROM shape_evidence ORDER BY field, evidence
 * check-expect
 * ring|cursor|ptr_arith
 * ring|desc|deref
 * ring|desc|index
 * ring|single|deref
 * check-expect-end
 */
