/* Functions: static, inline, variadic, parameters, address taken. */
#include <linux/types.h>

struct foo {
	int a;
};

static int helper(int x)
{
	return x + 1;
}

static inline int twice(int x)
{
	return 2 * x;
}

int logf_(const char *fmt, ...)
{
	return fmt != NULL;
}

int (*keep)(int) = helper;

int api(struct foo *f, int n)
{
	return twice(f->a) + n;
}

/*
 * check-name: function attributes
 * check-query: SELECT name, is_defined, is_driver, is_static, is_inline, is_variadic, address_taken,
 *   return_type, signature FROM func WHERE is_driver = 1 ORDER BY name
 * check-expect
 * api|1|1|0|0|0|0|int|int (struct foo *, int)
 * helper|1|1|1|0|0|1|int|int (int)
 * logf_|1|1|0|0|1|0|int|int (const char *, ...)
 * twice|1|1|1|1|0|0|int|int (int)
 * check-expect-end
 *
 * check-query: SELECT f.name, p.idx, p.name, p.type, p.is_struct_ptr, p.struct_name FROM param p
 *   JOIN func f ON f.id = p.func_id ORDER BY f.name, p.idx
 * check-expect
 * api|0|f|struct foo *|1|foo
 * api|1|n|int|0|
 * helper|0|x|int|0|
 * logf_|0|fmt|const char *|0|
 * twice|0|x|int|0|
 * check-expect-end
 */
