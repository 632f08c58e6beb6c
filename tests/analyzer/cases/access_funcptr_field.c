/* Calling through a struct's function-pointer field reads that field; storing a function writes it. */
struct ctl {
	int (*handler)(int);
	int val;
};

static int h(int v)
{
	return v;
}

int run(struct ctl *c)
{
	c->handler = h;
	return c->handler(c->val);
}

/*
 * check-name: function-pointer field access
 * check-query: SELECT field, mode, line FROM field_access ORDER BY line, field, mode
 * check-expect
 * handler|write|14
 * handler|read|15
 * val|read|15
 * check-expect-end
 *
 * check-query: SELECT f.name, r.struct_name, r.field, r.var FROM registration r JOIN func f ON f.id = r.func_id
 * check-expect
 * h|ctl|handler|c
 * check-expect-end
 */
