/* A gcc-built command line: gcc-only flags and -Werror are dropped, the TU parses without errors. */
int unused_var_warning(void)
{
	int x;

	return 0;
}

/*
 * check-name: gcc-only flags are cleaned away
 * check-args: -mpreferred-stack-boundary=3 -mindirect-branch=thunk-extern -fconserve-stack
 * check-args: -mindirect-branch-register -mfunction-return=thunk-extern -fno-allow-store-data-races
 * check-args: -ftrivial-auto-var-init=zero -mrecord-mcount -Werror -Wall -MD -MF /nonexistent/dep.d
 * check-query: SELECT status, n_errors, n_warnings > 0, parse_ms > 0 FROM tu
 * check-expect
 * ok|0|1|1
 * check-expect-end
 *
 * check-query: SELECT severity, message FROM diag WHERE severity IN ('error', 'fatal')
 * check-expect
 * check-expect-end
 */
