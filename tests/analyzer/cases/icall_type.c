/* Indirect call through a plain function pointer: type match against address-taken functions. */
typedef int (*op_t)(int, int);

static int add(int a, int b)
{
	return a + b;
}

static int sub(int a, int b)
{
	return a - b;
}

static int neg(int a)
{
	return -a;
}

static int mul(int a, int b) /* same type but address never taken */
{
	return a * b;
}

int apply(op_t op, int a, int b)
{
	return op(a, b);
}

int user(int a)
{
	int (*n)(int) = neg;

	return apply(a ? add : sub, a, 1) + n(a) + mul(a, a);
}

/*
 * check-name: function-pointer type match
 * check-query: SELECT caller, callee, kind, resolved_by FROM v_calls WHERE kind = 'indirect'
 *   ORDER BY caller, callee
 * check-expect
 * apply|add|indirect|type
 * apply|sub|indirect|type
 * user|neg|indirect|type
 * check-expect-end
 *
 * check-query: SELECT name, address_taken FROM func WHERE is_driver ORDER BY name
 * check-expect
 * add|1
 * apply|0
 * mul|0
 * neg|1
 * sub|1
 * user|0
 * check-expect-end
 */
