/*
 * plan_lock.c - combolocks in the emitted split (issue 13; partitioner/locks.c decides them).
 *
 * A partition made with `kcut partition --combolocks` lists in its parameters ("combolocks") the
 * spinlocks whose process-context holders it let go to the user half. Emitting such a split needs
 * what the emitter does not print yet: the user half's spin_lock and spin_unlock calls on those locks as
 * rt's take/release downcalls (kc_combolock_acquire / _release), the kernel half's takers through
 * kc_combolock_lock / _lock_or_defer, and the combolock made where the lock is initialised. Until
 * then a split with a combolock would take a kernel spinlock in user space, so it is refused here,
 * before anything is scanned. A partition without combolocks (the default) passes unchanged.
 */
#include <string.h>

#include "plan.h"

int em_plan_combolocks(const struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	struct kc_sb locks = { 0 };
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT j.value FROM partition p, json_each(CASE WHEN json_valid(p.params) "
				   "THEN json_extract(p.params, '$.combolocks') END) j WHERE p.id = ?1 "
				   "AND json_type(p.params, '$.combolocks') = 'array'",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading the partition's combolocks: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, m->part_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		kc_sb_addf(&locks, "%s%s", locks.s ? ", " : "", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		kc_sb_free(&locks);
		return kc_err_set(err, KC_EDB, "reading the partition's combolocks: %s", sqlite3_errmsg(db));
	}
	if (!locks.s)
		return 0;
	rc = kc_err_set(err, KC_EINVAL,
			"partition %s makes spinlock%s %s combolock%s (kcut partition --combolocks): the emitter does "
			"not rewrite lock calls into rt's combolock calls yet; re-run kcut partition without "
			"--combolocks",
			m->part_name, strchr(locks.s, ',') ? "s" : "", locks.s, strchr(locks.s, ',') ? "s" : "");
	kc_sb_free(&locks);
	return rc;
}
