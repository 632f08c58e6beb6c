/*
 * resolve.c - the whole-database pass after all TUs: indirect call edges and garbage collection.
 *
 * An indirect call site (table icall) is resolved first through its ops-struct slot: every
 * function stored into that struct type's field anywhere (registration rows of kind 'slot', from
 * any TU). A site with no slot, or a slot nothing is stored into, falls back to the paper's method:
 * every address-taken driver function whose canonical type equals the called pointer's function
 * type. The call rows of kind 'indirect' are rebuilt from scratch every time, so they always match
 * the current registrations of every TU.
 */
#include "internal.h"

static const char *const resolve_sql =
	"DELETE FROM call WHERE kind = 'indirect';"
	"INSERT INTO call(caller_id, callee_id, kind, resolved_by, slot, file_id, line, col, count, "
	"                 loop_depth, spin_held, locks_held, macro) "
	"  SELECT i.caller_id, r.func_id, 'indirect', 'slot', i.slot, i.file_id, i.line, i.col, i.count, "
	"         i.loop_depth, i.spin_held, i.locks_held, i.macro "
	"  FROM icall i JOIN (SELECT DISTINCT func_id, struct_name || '.' || field AS slot "
	"                     FROM registration WHERE kind = 'slot') r ON r.slot = i.slot;"
	"INSERT INTO call(caller_id, callee_id, kind, resolved_by, slot, file_id, line, col, count, "
	"                 loop_depth, spin_held, locks_held, macro) "
	"  SELECT i.caller_id, f.id, 'indirect', 'type', i.slot, i.file_id, i.line, i.col, i.count, "
	"         i.loop_depth, i.spin_held, i.locks_held, i.macro "
	"  FROM icall i JOIN func f ON f.address_taken = 1 AND f.is_driver = 1 AND f.is_defined = 1 "
	"                          AND f.signature = i.fn_type "
	"  WHERE i.slot IS NULL OR NOT EXISTS (SELECT 1 FROM registration r WHERE r.kind = 'slot' "
	"                                      AND r.struct_name || '.' || r.field = i.slot);"
	/* functions nothing refers to any more (removed from the source, or only referenced by a TU
	 * that changed) */
	"DELETE FROM func WHERE is_defined = 0 "
	"  AND NOT EXISTS (SELECT 1 FROM call c WHERE c.callee_id = func.id OR c.caller_id = func.id) "
	"  AND NOT EXISTS (SELECT 1 FROM icall i WHERE i.caller_id = func.id) "
	"  AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.func_id = func.id OR r.by_func_id = func.id) "
	"  AND NOT EXISTS (SELECT 1 FROM profile_edge p WHERE p.caller_id = func.id OR p.callee_id = func.id) "
	"  AND NOT EXISTS (SELECT 1 FROM partition_func p WHERE p.func_id = func.id);"
	"DELETE FROM global WHERE is_defined = 0 "
	"  AND NOT EXISTS (SELECT 1 FROM global_access a WHERE a.global_id = global.id);";

int kc_resolve_indirect(struct kc_db *db, struct kc_err *err)
{
	int rc = kc_db_exec(db, "BEGIN IMMEDIATE", err);

	if (rc)
		return rc;
	rc = kc_db_exec(db, resolve_sql, err);
	if (rc) {
		kc_err_prefix(err, "resolving indirect calls");
		kc_db_exec(db, "ROLLBACK", NULL);
		return rc;
	}
	return kc_db_exec(db, "COMMIT", err);
}
