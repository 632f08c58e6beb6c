/* --keep-going: a TU with compile errors is stored (status 'errors') and the run is not partial. */
struct s {
	int a;
};

int good(struct s *p)
{
	return p->a;
}

int bad(struct s *p)
{
	return p->no_such_field;
}

/*
 * check-name: --keep-going accepts TUs with errors
 * check-kcut-args: --keep-going
 * check-exit: 0
 * check-query: SELECT status, n_errors FROM tu
 * check-expect
 * errors|1
 * check-expect-end
 *
 * check-query: SELECT f.name, a.field FROM field_access a JOIN func f ON f.id = a.func_id ORDER BY f.name
 * check-expect
 * good|a
 * check-expect-end
 */
