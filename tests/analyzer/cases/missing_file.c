/* A compile command whose source file does not exist: that TU is 'missing', the others stored. */
int present(void)
{
	return 0;
}

/*
 * check-name: missing source file
 * check-tu: tu/does_not_exist.c
 * check-exit: 3
 * check-query: SELECT substr(f.path, -18), t.status FROM tu t JOIN file f ON f.id = t.file_id
 *   ORDER BY t.status
 * check-expect
 * u/does_not_exist.c|missing
 * ses/missing_file.c|ok
 * check-expect-end
 *
 * check-query: SELECT name FROM func WHERE is_defined
 * check-expect
 * present
 * check-expect-end
 */
