/*
 * resolve.c - the whole-database pass after all TUs: indirect call edges and garbage collection.
 *
 * An indirect call site (table icall) is resolved first through its ops-struct slot: every
 * function stored into that struct type's field anywhere (registration rows of kind 'slot', from
 * any TU). A site with no slot, or a slot nothing is stored into, falls back to the paper's method:
 * every address-taken driver function whose canonical type equals the called pointer's function
 * type. The call rows of kind 'indirect' are rebuilt from scratch every time, so they always match
 * the current registrations of every TU. In a whole-tree database (tu.module set) a site is resolved
 * only against registrations and functions of its own module (the caller's defining TU's module).
 *
 * Pruning (kcut analyze --prune): TUs whose compile_commands.json entry is gone are deleted with
 * the facts they stored (docs/analyzer.md, "Pruning").
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const resolve_sql =
	"DELETE FROM call WHERE kind = 'indirect';"
	"INSERT INTO call(caller_id, callee_id, kind, resolved_by, slot, file_id, line, col, count, "
	"                 loop_depth, spin_held, locks_held, macro) "
	"  SELECT i.caller_id, r.func_id, 'indirect', 'slot', i.slot, i.file_id, i.line, i.col, i.count, "
	"         i.loop_depth, i.spin_held, i.locks_held, i.macro "
	"  FROM icall i JOIN func cf ON cf.id = i.caller_id LEFT JOIN tu ct ON ct.id = cf.tu_id "
	"  JOIN (SELECT DISTINCT r.func_id, r.struct_name || '.' || r.field AS slot, rt.module AS module "
	"        FROM registration r LEFT JOIN tu rt ON rt.id = r.tu_id WHERE r.kind = 'slot') r "
	"    ON r.slot = i.slot AND r.module IS ct.module;"
	"INSERT INTO call(caller_id, callee_id, kind, resolved_by, slot, file_id, line, col, count, "
	"                 loop_depth, spin_held, locks_held, macro) "
	"  SELECT i.caller_id, f.id, 'indirect', 'type', i.slot, i.file_id, i.line, i.col, i.count, "
	"         i.loop_depth, i.spin_held, i.locks_held, i.macro "
	"  FROM icall i JOIN func cf ON cf.id = i.caller_id LEFT JOIN tu ct ON ct.id = cf.tu_id "
	"  JOIN func f ON f.address_taken = 1 AND f.is_driver = 1 AND f.is_defined = 1 "
	"                 AND f.signature = i.fn_type "
	"  LEFT JOIN tu ft ON ft.id = f.tu_id "
	"  WHERE ft.module IS ct.module AND (i.slot IS NULL OR NOT EXISTS ("
	"    SELECT 1 FROM registration r LEFT JOIN tu rt ON rt.id = r.tu_id WHERE r.kind = 'slot' "
	"    AND r.struct_name || '.' || r.field = i.slot AND rt.module IS ct.module));"
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

int kc_mark_resolve_pending(struct kc_db *db, struct kc_err *err)
{
	return kc_db_exec(db, "INSERT INTO meta(key, value) VALUES('resolve_pending', '1') "
			      "ON CONFLICT(key) DO UPDATE SET value = '1'", err);
}

int kc_resolve_pending(struct kc_db *db)
{
	sqlite3_stmt *s = NULL;
	int pending = 0;

	if (sqlite3_prepare_v2(kc_db_sqlite(db), "SELECT 1 FROM meta WHERE key = 'resolve_pending' AND value = '1'",
			       -1, &s, NULL) == SQLITE_OK)
		pending = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return pending;
}

int kc_resolve_indirect(struct kc_db *db, struct kc_err *err)
{
	int rc = kc_db_exec(db, "BEGIN IMMEDIATE", err);

	if (rc)
		return rc;
	rc = kc_db_exec(db, resolve_sql, err);
	if (!rc)
		rc = kc_db_exec(db, "DELETE FROM meta WHERE key = 'resolve_pending'", err);
	if (rc) {
		kc_err_prefix(err, "resolving indirect calls");
		kc_db_exec(db, "ROLLBACK", NULL);
		return rc;
	}
	return kc_db_exec(db, "COMMIT", err);
}

/* Is (path, dir) an entry of the compilation database? */
static int in_ccdb(const struct kc_ccdb *cc, const char *path, const char *dir)
{
	size_t i;

	for (i = 0; i < cc->n; i++)
		if (!strcmp(cc->e[i].file, path) && !strcmp(cc->e[i].dir, dir))
			return 1;
	return 0;
}

int kc_prune_tus(struct kc_db *kdb, const struct kc_ccdb *cc, size_t *npruned, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(kdb);
	sqlite3_stmt *s = NULL, *sib = NULL, *del = NULL;
	long long *gone = NULL;
	size_t ngone = 0, cap = 0, i;
	int rc;

	*npruned = 0;
	rc = kc_db_exec(kdb, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT t.id, f.path, t.directory FROM tu t JOIN file f ON f.id = t.file_id",
			       -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(s, 1);
		const char *dir = (const char *)sqlite3_column_text(s, 2);

		if (path && dir && in_ccdb(cc, path, dir))
			continue;
		if (ngone == cap) {
			cap = cap ? 2 * cap : 16;
			gone = kc_xrealloc(gone, cap * sizeof(*gone));
		}
		gone[ngone++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	s = NULL;
	/* a TU sharing a driver header with a pruned one is re-analysed: the header's inline functions
	 * may have been stored (once) by the pruned TU */
	if (sqlite3_prepare_v2(db, "UPDATE tu SET hash = NULL WHERE id <> ?1 AND id IN (SELECT i.tu_id FROM "
				   "tu_include i WHERE i.file_id IN (SELECT file_id FROM tu_include WHERE tu_id = ?1))",
			       -1, &sib, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM tu WHERE id = ?1", -1, &del, NULL) != SQLITE_OK)
		goto dberr;
	if (ngone) {
		rc = kc_mark_resolve_pending(kdb, err);
		if (rc)
			goto rollback;
	}
	for (i = 0; i < ngone; i++) {
		sqlite3_reset(sib);
		sqlite3_bind_int64(sib, 1, gone[i]);
		if (sqlite3_step(sib) != SQLITE_DONE)
			goto dberr;
		rc = kc_forget_tu(kdb, gone[i], err);
		if (rc)
			goto rollback;
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, gone[i]);
		if (sqlite3_step(del) != SQLITE_DONE)
			goto dberr;
	}
	sqlite3_finalize(sib);
	sqlite3_finalize(del);
	free(gone);
	rc = kc_db_exec(kdb, "COMMIT", err);
	if (!rc)
		*npruned = ngone;
	return rc;
dberr:
	rc = kc_err_set(err, KC_EDB, "%s: pruning translation units: %s", kc_db_path(kdb), sqlite3_errmsg(db));
rollback:
	sqlite3_finalize(s);
	sqlite3_finalize(sib);
	sqlite3_finalize(del);
	free(gone);
	kc_db_exec(kdb, "ROLLBACK", NULL);
	return rc;
}
