/* A static inline in a driver header, seen by two TUs, is stored once (USR key). */
#include "drv_shared.h"

int first(struct regs *r)
{
	return read_ctrl(r);
}

/*
 * check-name: header static inline stored once across two TUs
 * check-tu: tu/header_user.c
 * check-query: SELECT name, func.is_driver, is_inline, substr(f2.path, -12) FROM func
 *   JOIN file f2 ON f2.id = func.file_id WHERE name = 'read_ctrl'
 * check-expect
 * read_ctrl|1|1|drv_shared.h
 * check-expect-end
 *
 * check-query: SELECT caller, callee FROM v_calls ORDER BY caller
 * check-expect
 * first|read_ctrl
 * second|read_ctrl
 * check-expect-end
 *
 * check-query: SELECT count(*) FROM field_access WHERE field = 'ctrl'
 * check-expect
 * 1
 * check-expect-end
 */
