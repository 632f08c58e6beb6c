/* A TU with a compile error: stored with status 'errors', diagnostics kept, exit 3. */
int fine(void)
{
	return 1;
}

int broken(void)
{
	return undeclared_thing + 1;
}

/*
 * check-name: TU with errors
 * check-exit: 3
 * check-query: SELECT status, n_errors FROM tu
 * check-expect
 * errors|1
 * check-expect-end
 *
 * check-query: SELECT severity, line, col, message FROM diag ORDER BY line
 * check-expect
 * error|9|9|use of undeclared identifier 'undeclared_thing'
 * check-expect-end
 *
 * check-query: SELECT name FROM func WHERE is_defined ORDER BY name
 * check-expect
 * broken
 * fine
 * check-expect-end
 */
