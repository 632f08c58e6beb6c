/* A TU libclang cannot parse at all (here: an argument the compiler rejects): status 'failed', a
 * fatal diagnostic saying why, the other TU stored, exit 3. */
int never_seen(void)
{
	return 0;
}

/*
 * check-name: TU that fails to parse
 * check-args: -Xclang -no-such-cc1-flag
 * check-exit: 3
 * check-query: SELECT t.status, t.n_errors, d.severity, d.message FROM tu t JOIN diag d ON d.tu_id = t.id
 * check-expect
 * failed|1|fatal|libclang could not parse this file (CXErrorCode 4: invalid compiler arguments?)
 * check-expect-end
 *
 * check-query: SELECT count(*) FROM func
 * check-expect
 * 0
 * check-expect-end
 */
