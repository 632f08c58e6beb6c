/* Arrays of structs with positional and designated initializers. */
struct handler {
	int id;
	void (*fn)(int);
};

static void h_one(int x)
{
}

static void h_two(int x)
{
}

static const struct handler table[] = {
	{ 1, h_one },
	[1] = { .id = 2, .fn = h_two },
};

void dispatch(int i)
{
	table[i].fn(i);
}

/*
 * check-name: array of structs, positional and designated
 * check-query: SELECT f.name, r.struct_name, r.field, r.var FROM registration r
 *   JOIN func f ON f.id = r.func_id ORDER BY f.name
 * check-expect
 * h_one|handler|fn|table
 * h_two|handler|fn|table
 * check-expect-end
 *
 * check-query: SELECT callee, resolved_by, slot FROM v_calls WHERE caller = 'dispatch' ORDER BY callee
 * check-expect
 * h_one|slot|handler.fn
 * h_two|slot|handler.fn
 * check-expect-end
 */
