/* LOC counts non-blank, non-comment lines of a definition; line ranges. */

int counted(int a)
{
	/* a comment line */
	int b = a;

	// another comment

	b += 2; /* trailing comment keeps the line */
	/*
	 * a block comment
	 */
	return b;
}

int one_liner(void) { return 1; }

/*
 * check-name: lines of code and line ranges
 * check-query: SELECT name, line, end_line, loc FROM func WHERE is_defined ORDER BY line
 * check-expect
 * counted|3|15|6
 * one_liner|17|17|1
 * check-expect-end
 */
