/* The comma operator does not write its left operand; chained assignments write both. */
struct s {
	int a;
	int b;
	int c;
};

int f(struct s *p, int v)
{
	int r = (p->a, v);

	p->b = p->c = v;
	return r;
}

/*
 * check-name: comma operator and chained assignment
 * check-query: SELECT field, mode FROM field_access ORDER BY line, col, mode
 * check-expect
 * a|read
 * b|write
 * c|write
 * check-expect-end
 */
