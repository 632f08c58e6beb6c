/* Loop depth of call sites. */
void tick(int);

void loops(int n)
{
	int i, j;

	tick(0);
	for (i = 0; i < n; i++) {
		tick(1);
		for (j = 0; j < i; j++)
			tick(2);
	}
	while (n--)
		tick(3);
	do {
		tick(4);
	} while (0);
}

/*
 * check-name: loop depth of call sites
 * check-query: SELECT line, loop_depth FROM call ORDER BY line
 * check-expect
 * 8|0
 * 10|1
 * 12|2
 * 15|1
 * 17|1
 * check-expect-end
 */
