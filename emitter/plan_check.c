/*
 * plan_check.c - the rules that make a split unsound, checked on the plan (docs/emitter.md,
 * "The lock rule", "DMA", "Device access"): no upcall with a spinlock held or from atomic
 * context, no user-half function registered where the kernel calls it in atomic context, no
 * variadic crossing function, and without device access (device_access none) no user-half
 * dereference of DMA-coherent memory or registers and no user-half register accessor. With
 * device access (forward, mapped) the user half reaches both through rt's device regions
 * (plan_region.c); a partition without the parameter gets forward the first time user-half code
 * needs it.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

int em_plan_check(struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	int i, rc;

	for (i = 0; i < m->nc; i++) {
		struct em_call *c = &m->c[i];
		struct em_func *a = &m->f[c->caller], *b = &m->f[c->callee];

		if (!(a->side == EM_KERNEL && b->side == EM_USER))
			continue;
		if (c->spin_held)
			em_finding(m, c->file, c->line, c->col, "upcall from %s to user-half %s with a spinlock held%s%s%s",
				   a->name, b->name, c->locks ? " (" : "", c->locks ? c->locks : "", c->locks ? ")" : "");
		/* atomic by propagation, or a root of an atomic slot ("root: ... (net template), atomic
		 * context"); other reasons' text may name atomic context for other functions (a lock's
		 * combolock verdict: "snd_ensoniq_trigger takes it in atomic context") */
		if (a->reason && (!strncmp(a->reason, "atomic", 6) ||
				  (!strncmp(a->reason, "root", 4) && strstr(a->reason, "atomic context"))))
			em_finding(m, c->file, c->line, c->col,
				   "upcall from %s to user-half %s in atomic context (%s)", a->name, b->name, a->reason);
	}
	/* A user-half function registered where the kernel calls it in atomic context (interrupt,
	 * timer, tasklet, NAPI poll, transmit) would be an upcall from atomic context. */
	if (sqlite3_prepare_v2(db, "SELECT f.usr, r.kind, r.api, r.struct_name, r.field, fl.path, r.line, r.col "
				   "FROM registration r JOIN func f ON f.id = r.func_id "
				   "LEFT JOIN file fl ON fl.id = r.file_id ORDER BY fl.path, r.line, r.col",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		static const char *const apis[] = { "request_irq", "devm_request_irq", "request_threaded_irq",
						     "devm_request_threaded_irq", "timer_setup", "setup_timer",
						     "__kc_timer_setup", "tasklet_init", "tasklet_setup",
						     "netif_napi_add", "netif_napi_add_weight", "netif_napi_add_tx" };
		static const char *const slots[] = { "timer_list.function", "hrtimer.function",
						     "net_device_ops.ndo_start_xmit", "napi_struct.poll",
						     "tasklet_struct.func", "irqaction.handler" };
		int fi = em_func_by_usr(m, (const char *)sqlite3_column_text(st, 0));
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *api = (const char *)sqlite3_column_text(st, 2);
		const char *sn = (const char *)sqlite3_column_text(st, 3);
		const char *fl = (const char *)sqlite3_column_text(st, 4);
		char slot[256];
		size_t k;
		int atomic = 0;

		if (fi < 0 || m->f[fi].side != EM_USER)
			continue;
		snprintf(slot, sizeof(slot), "%s.%s", sn ? sn : "", fl ? fl : "");
		for (k = 0; k < KC_ARRAY_SIZE(apis); k++)
			atomic |= !strcmp(kind, "arg") && api && !strcmp(api, apis[k]);
		for (k = 0; k < KC_ARRAY_SIZE(slots); k++)
			atomic |= !strcmp(kind, "slot") && !strcmp(slot, slots[k]);
		if (atomic)
			em_finding(m, (const char *)sqlite3_column_text(st, 5), sqlite3_column_int(st, 6),
				   sqlite3_column_int(st, 7),
				   "user-half function %s is registered with %s, which calls it in atomic context: "
				   "the upcall could sleep there; move %s to the kernel half",
				   m->f[fi].name, !strcmp(kind, "arg") ? api : slot, m->f[fi].name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading registrations: %s", sqlite3_errmsg(db));
	/* DMA-coherent memory is never copied: user-half code must not dereference it (one
	 * report per function, field and position). */
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT e.struct_name, e.field, NULL, e.func_id, fl.path, e.line, e.col "
				   "FROM shape_evidence e LEFT JOIN file fl ON fl.id = e.file_id "
				   "WHERE e.evidence IN ('index', 'ptr_arith', 'deref', 'string_fn') "
				   "ORDER BY fl.path, e.line, e.col",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct em_field *f = em_field_by_name(m, em_struct_by_name(m, (const char *)sqlite3_column_text(st, 0)),
						      (const char *)sqlite3_column_text(st, 1));
		int64_t fid = sqlite3_column_int64(st, 3);
		int fi;

		if (!f || (f->shape != EM_S_DMA && f->shape != EM_S_MMIO))
			continue;
		for (fi = 0; fi < m->nf && m->f[fi].id != fid; fi++)
			;
		if (fi >= m->nf || m->f[fi].side != EM_USER || m->devacc != EM_DA_NONE)
			continue; /* with device access the user half reaches it as a region */
		if (m->devacc_auto) {
			/* no device_access parameter: this is what needs it */
			const char *path = (const char *)sqlite3_column_text(st, 4);
			const char *slash = path ? strrchr(path, '/') : NULL;
			struct kc_sb why = { 0 };

			kc_sb_addf(&why, "no device_access parameter; user-half %s uses %s %s.%s (%s:%d)", m->f[fi].name,
				   f->shape == EM_S_DMA ? "DMA-coherent memory" : "device registers", m->s[f->st].name,
				   f->name, slash ? slash + 1 : path ? path : "?", sqlite3_column_int(st, 5));
			free(m->devacc_why);
			m->devacc_why = kc_sb_steal(&why);
			m->devacc = EM_DA_FORWARD;
			continue;
		}
		em_finding(m, (const char *)sqlite3_column_text(st, 4), sqlite3_column_int(st, 5),
			   sqlite3_column_int(st, 6),
			   "user-half function %s uses %s %s.%s (%s); with device_access none it is never "
			   "copied to the user half: move %s to the kernel half, or partition with "
			   "--device-access forward",
			   m->f[fi].name, f->shape == EM_S_DMA ? "DMA-coherent memory" : "device registers",
			   m->s[f->st].name, f->name, f->shape_src, m->f[fi].name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kc_err_set(err, KC_EDB, "reading shape evidence: %s", sqlite3_errmsg(db));
	/* Without device access the user half cannot call a register accessor (it would be a
	 * downcall with an address the kernel half cannot check). */
	for (i = 0; m->devacc == EM_DA_NONE && i < m->nc; i++) {
		const struct em_call *c = &m->c[i];

		if (m->f[c->caller].side == EM_USER && em_regio(m->f[c->callee].name))
			em_finding(m, c->file, c->line, c->col,
				   "user-half function %s calls %s, but the partition's device_access is none: "
				   "move %s to the kernel half, or partition with --device-access forward",
				   m->f[c->caller].name, m->f[c->callee].name, m->f[c->caller].name);
	}
	/* Variadic functions cannot be stubbed. */
	for (i = 0; i < m->nf; i++)
		if ((m->f[i].up || m->f[i].down) && m->f[i].is_variadic && m->f[i].is_defined)
			em_finding(m, m->f[i].file, m->f[i].line, m->f[i].col,
				   "%s is variadic and must cross (%s): variadic functions cannot be marshaled",
				   m->f[i].name, m->f[i].why ? m->f[i].why : "");
	return 0;
}

/* Locks taken on both sides, matched by the lock's last member name (&adapter->stats_lock and
 * &ad->stats_lock are one lock): listed for the reviewer (interface.txt); the protocol is not
 * generated yet. Each entry: "KIND EXPR: fn(half) fn(half) ...". */
void em_plan_locks(struct em_plan *p, const struct em_model *m)
{
	struct lk {
		char *key, *fn;
		int side;
	} *v = NULL;
	sqlite3_stmt *st = NULL;
	struct kc_sb who = { 0 };
	int nv = 0, i, j;

	if (sqlite3_prepare_v2(kc_db_sqlite(m->db),
			       "SELECT DISTINCT l.lock_kind, l.lock_expr, f.usr FROM lock_op l JOIN func f ON f.id = l.func_id "
			       "WHERE l.op IN ('lock', 'trylock') AND l.lock_expr IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK) {
		p->locks_unreadable = 1;
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(st, 1);
		const char *k = e + strlen(e);
		int fi = em_func_by_usr(m, (const char *)sqlite3_column_text(st, 2));
		struct kc_sb key = { 0 };

		if (fi < 0 || m->f[fi].side == EM_NONE)
			continue;
		while (k > e && k[-1] != '>' && k[-1] != '.' && k[-1] != '&' && k[-1] != '(')
			k--;
		kc_sb_addf(&key, "%s %s", (const char *)sqlite3_column_text(st, 0), k);
		v = kc_xrealloc(v, (size_t)(nv + 1) * sizeof(*v));
		v[nv].key = kc_sb_steal(&key);
		v[nv].fn = m->f[fi].name;
		v[nv].side = m->f[fi].side;
		nv++;
	}
	sqlite3_finalize(st);
	for (i = 0; i < nv; i++) {
		int dup = 0, sides = 0;

		for (j = 0; j < i; j++)
			dup |= !strcmp(v[j].key, v[i].key);
		if (dup)
			continue;
		kc_sb_reset(&who);
		kc_sb_addf(&who, "%s:", v[i].key);
		for (j = i; j < nv; j++)
			if (!strcmp(v[j].key, v[i].key)) {
				sides |= v[j].side;
				kc_sb_addf(&who, " %s(%s)", v[j].fn, v[j].side == EM_KERNEL ? "kernel" : "user");
			}
		if (sides == (EM_KERNEL | EM_USER)) {
			p->locks = kc_xrealloc(p->locks, (size_t)(p->nlocks + 1) * sizeof(*p->locks));
			p->locks[p->nlocks++] = kc_xstrdup(who.s);
		}
	}
	for (i = 0; i < nv; i++)
		free(v[i].key);
	free(v);
	kc_sb_free(&who);
}
