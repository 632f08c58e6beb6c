/* Direct calls: one row per site, counts when one macro expands a call twice. */
void ext_a(int);
void ext_b(void);

static void leaf(void)
{
}

#define TWICE(x) do { ext_a(x); ext_a(x); } while (0)

void caller(int n)
{
	leaf();
	leaf();
	ext_b();
	TWICE(n);
}

/*
 * check-name: direct calls and counts
 * check-query: SELECT caller, callee, kind, count, line, macro, callee_is_driver FROM v_calls
 *   ORDER BY line, callee
 * check-expect
 * caller|leaf|direct|1|13||1
 * caller|leaf|direct|1|14||1
 * caller|ext_b|direct|1|15||0
 * caller|ext_a|direct|2|16|TWICE|0
 * check-expect-end
 */
