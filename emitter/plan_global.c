/*
 * plan_global.c - state the two halves share beyond the arguments of a call (docs/emitter.md,
 * "Nested crossings", "Driver globals", "Shared flag words"):
 *   - driver globals: every file-scope variable exists in both halves (the text is kept), so a
 *     global one half writes and the other reads would be two variables (module parameters are
 *     set by the loader in the kernel half's copy and read by the user half's probe). For a
 *     crossing call to a driver function F, the plain-data globals (integers, enums, bools and
 *     fixed arrays of them; clangscan.c scalar_data) closure(F) uses cross by value with it;
 *   - flag words: the bit operations (set_bit ...) are downcalls on the kernel's word from the
 *     user half (kapi.c em_word_op), and a field only they change leaves the user-to-kernel field
 *     sets;
 *   - nested crossings: a call's in-set takes the in-sets of the calls back to its caller's half
 *     that its closure makes.
 * Run by em_plan_build (they adjust the field sets plan_cross.c made).
 */
#include <stdlib.h>
#include <string.h>

#include "kc_kapi.h"
#include "plan.h"

/* Global id of (TU path, name) among the scanned globals, or -1; *scalar: plain data. */
static int global_id(const struct em_model *m, const char *path, const char *name, int *scalar)
{
	int i, j, id = 0;

	for (i = 0; i < m->ntu; i++) {
		const struct em_scan *s = &m->scans[i];
		int here = path && !strcmp(m->tus[i].file, path);

		for (j = 0; j < s->nglobals; j++, id++)
			if (here && !strcmp(s->globals[j], name)) {
				*scalar = s->gscalar ? s->gscalar[j] : 0;
				return id;
			}
	}
	return -1;
}

/* Does text declare `name` a module parameter (module_param(name, ..), module_param_array(name,
 * ..), module_param_named(pname, name, ..))? Such a global is written by the module loader in the
 * kernel half's copy even when user-half code writes it too (simsnd's probe resets an out-of-range
 * reset_timeout_us). */
static int module_param_of(const char *text, const char *name)
{
	static const char *const macros[] = { "module_param(", "module_param_array(", "module_param_named(" };
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
		const char *p = text;

		while ((p = strstr(p, macros[i]))) {
			const char *a = p + strlen(macros[i]);

			p = a;
			if (i == 2) { /* the variable is the second argument */
				a = strchr(a, ',');
				if (!a)
					break;
				a++;
			}
			while (*a == ' ' || *a == '\t')
				a++;
			if (!strncmp(a, name, n) && (a[n] == ',' || a[n] == ' ' || a[n] == ')'))
				return 1;
		}
	}
	return 0;
}

/* module_param_of for the global with id gid. */
static int module_param_gid(const struct em_model *m, int gid)
{
	int i, id = 0;

	for (i = 0; i < m->ntu; i++) {
		const struct em_scan *s = &m->scans[i];

		if (gid < id + s->nglobals)
			return s->text && module_param_of(s->text, s->globals[gid - id]);
		id += s->nglobals;
	}
	return 0;
}

/*
 * Fill p->fn[].gset: for every crossing driver function (defined, up or down) the plain-data globals
 * its closure on the serving half accesses, EM_IN for read/addr/write, EM_OUT for write/addr;
 * EM_IN only when the caller's half stores to the global somewhere (a global no driver function
 * stores to, or a module parameter, counts as the kernel half's: the loader's). Needs the TU
 * scans (m->scans); without them no global crosses. 0 or KC_EDB.
 */
int em_plan_globals(struct em_plan *p, struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	int *acc_fn = NULL, *acc_gid = NULL, nacc = 0, i, j, k, rc;
	uint8_t *acc_mode = NULL, *mark, *wside = NULL;
	int ng = 0;

	if (!m->scans)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT ga.func_id, gl.name, fl.path, ga.mode FROM global_access ga "
				   "JOIN global gl ON gl.id = ga.global_id LEFT JOIN file fl ON fl.id = gl.file_id "
				   "WHERE gl.is_driver = 1 AND gl.is_const = 0 ORDER BY ga.id",
			       -1, &st, NULL) != SQLITE_OK)
		return kc_err_set(err, KC_EDB, "reading global accesses: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int fi = em_func_by_id(m, sqlite3_column_int64(st, 0));
		const char *mode = (const char *)sqlite3_column_text(st, 3);
		int scalar = 0, gid;

		gid = global_id(m, (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 1),
				&scalar);
		if (fi < 0 || gid < 0 || !scalar || !mode)
			continue;
		acc_fn = kc_xrealloc(acc_fn, (size_t)(nacc + 1) * sizeof(*acc_fn));
		acc_gid = kc_xrealloc(acc_gid, (size_t)(nacc + 1) * sizeof(*acc_gid));
		acc_mode = kc_xrealloc(acc_mode, (size_t)(nacc + 1));
		acc_fn[nacc] = fi;
		acc_gid[nacc] = gid;
		acc_mode[nacc] = !strcmp(mode, "read") ? EM_IN : !strcmp(mode, "write") ? EM_OUT : EM_IN | EM_OUT;
		nacc++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = kc_err_set(err, KC_EDB, "reading global accesses: %s", sqlite3_errmsg(db));
		goto cleanup;
	}
	rc = 0;
	/* which halves write each global (a global no driver function writes is the module
	 * loader's: module parameters are set in the kernel half's copy). Only stores count:
	 * taking the address is what Linux's module_param type check does (__check_Speed
	 * returns &Speed), and would make the user half look like the writer of every parameter */
	for (i = 0; i < m->ntu; i++)
		ng += m->scans[i].nglobals;
	wside = kc_xcalloc((size_t)ng + 1, 1);
	for (j = 0; j < nacc; j++)
		if (acc_mode[j] == EM_OUT)
			wside[acc_gid[j]] |= (uint8_t)m->f[acc_fn[j]].side;
	for (j = 0; j < ng; j++)
		if (!wside[j] || module_param_gid(m, j))
			wside[j] |= EM_KERNEL; /* module parameters: the loader writes them there */
	mark = kc_xmalloc((size_t)m->nf + 1);
	for (i = 0; i < m->nf; i++) {
		struct em_func *f = &m->f[i];
		struct em_gset *gs = &p->fn[i].gset;

		if (!f->is_defined || !f->is_driver || !(f->up || f->down))
			continue;
		em_closure(m, i, f->up ? EM_USER : EM_KERNEL, mark);
		for (j = 0; j < nacc; j++) {
			uint8_t md = acc_mode[j] & EM_OUT ? EM_IN | EM_OUT : EM_IN; /* fetch before write */

			/* the caller's copy goes in only if the caller's half writes the global:
			 * otherwise it is stale and would overwrite the callee's */
			if (!(wside[acc_gid[j]] & (f->up ? EM_KERNEL : EM_USER)))
				md &= (uint8_t)~EM_IN;
			if (!mark[acc_fn[j]] || !md)
				continue;
			for (k = 0; k < gs->n && gs->gid[k] != acc_gid[j]; k++)
				;
			if (k == gs->n) {
				gs->gid = kc_xrealloc(gs->gid, (size_t)(gs->n + 1) * sizeof(*gs->gid));
				gs->mode = kc_xrealloc(gs->mode, (size_t)(gs->n + 1));
				gs->gid[gs->n] = acc_gid[j];
				gs->mode[gs->n++] = 0;
			}
			gs->mode[k] |= md;
		}
		/* in id order, so the generated code is stable */
		for (j = 1; j < gs->n; j++)
			for (k = j; k > 0 && gs->gid[k - 1] > gs->gid[k]; k--) {
				int t = gs->gid[k];
				uint8_t tm = gs->mode[k];

				gs->gid[k] = gs->gid[k - 1];
				gs->mode[k] = gs->mode[k - 1];
				gs->gid[k - 1] = t;
				gs->mode[k - 1] = tm;
			}
	}
	free(mark);
cleanup:
	free(wside);
	free(acc_fn);
	free(acc_gid);
	free(acc_mode);
	return rc;
}

/*
 * Fields the user half changes only through bit operations (every user-half write is a word-op
 * downcall, so the kernel's copy is always the newest): the user half's copy never goes to the
 * kernel (out of upcalls, in of downcalls), where it could undo a bit the kernel half set in
 * between. It still comes from the kernel, so direct reads in the user half see it. 0 or KC_EDB.
 */
int em_plan_words(struct em_model *m, struct kc_err *err)
{
	sqlite3 *db = kc_db_sqlite(m->db);
	sqlite3_stmt *st = NULL;
	uint8_t *word, *written;
	struct kc_sb q = { 0 };
	size_t k;
	int rc, i, j;

	word = kc_xcalloc((size_t)m->ngf + 1, 1);
	written = kc_xcalloc((size_t)m->ngf + 1, 1);
	/* &x->f passed to a bit operation at the same line: the field is a flag word */
	kc_sb_add(&q, "SELECT DISTINCT fa.func_id, fa.struct_name, fa.field, fa.mode, "
		      "EXISTS (SELECT 1 FROM call c JOIN func cf ON cf.id = c.callee_id "
		      "WHERE c.caller_id = fa.func_id AND c.file_id = fa.file_id AND c.line = fa.line "
		      "AND cf.is_defined = 0 AND cf.name IN (");
	for (k = 0; kc_kapi_word_ops[k]; k++)
		kc_sb_addf(&q, "%s'%s'", k ? ", " : "", kc_kapi_word_ops[k]);
	kc_sb_add(&q, ")) FROM field_access fa WHERE fa.mode IN ('write', 'addr')");
	rc = sqlite3_prepare_v2(db, q.s, -1, &st, NULL);
	kc_sb_free(&q);
	if (rc != SQLITE_OK) {
		rc = kc_err_set(err, KC_EDB, "reading field accesses: %s", sqlite3_errmsg(db));
		goto cleanup;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int fi = em_func_by_id(m, sqlite3_column_int64(st, 0));
		struct em_field *fd = em_field_by_name(m, em_struct_by_name(m, (const char *)sqlite3_column_text(st, 1)),
						       (const char *)sqlite3_column_text(st, 2));
		int by_op = sqlite3_column_int(st, 4);

		if (fi < 0 || !fd || m->f[fi].side != EM_USER)
			continue;
		if (by_op && !strcmp((const char *)sqlite3_column_text(st, 3), "addr"))
			word[fd->gidx] = 1;
		else
			written[fd->gidx] = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = kc_err_set(err, KC_EDB, "reading field accesses: %s", sqlite3_errmsg(db));
		goto cleanup;
	}
	rc = 0;
	for (j = 0; j < m->ngf; j++) {
		if (!word[j] || written[j])
			continue;
		for (i = 0; i < m->nf; i++) {
			struct em_func *f = &m->f[i];

			if (!f->fset)
				continue;
			if (f->up)
				f->fset[j] &= (uint8_t)~EM_OUT;
			if (f->down)
				f->fset[j] &= (uint8_t)~EM_IN;
		}
	}
cleanup:
	free(word);
	free(written);
	return rc;
}

/*
 * Nested crossings. closure(F) stops where a call crosses back to the caller's half (F's kernel
 * code calls a user-half function G: a nested upcall). G's stub then sends the serving half's
 * copy of G's in-fields to F's caller's half, so that copy must be current when G is called:
 * F's in-set takes G's (to a fixpoint; driver functions only, kernel imports have their own rule
 * in plan_cross.c). G's out-fields land on F's caller's half, where they belong: F's out-set does
 * not take them (sending F's side's copy back would overwrite newer values there: the kernel's
 * ring indexes, which the data path moves meanwhile). A field the user half never writes is not
 * added to the in-set of a downcall (its copy there is not newer; plan_cross.c's rule), nor are list
 * linkage fields (list_head, hlist_*: the sets are per struct type, and a user-half list_add
 * somewhere would make the user's copy of net_device.napi_list go down and break the kernel's).
 * Example: probe (user) calls simnic_reset (kernel), which calls back phy_setup_autoneg (user)
 * reading hw.autoneg_advertised, which probe had set in the user's copy.
 */
void em_plan_nested(struct em_model *m)
{
	uint8_t *mark = kc_xmalloc((size_t)m->nf + 1);
	uint8_t *uw = kc_xcalloc((size_t)m->ngf + 1, 1);
	uint8_t **reach = kc_xcalloc((size_t)m->nf + 1, sizeof(*reach));
	int i, j, c, changed = 1;

	for (j = 0; j < m->na; j++)
		if (m->f[m->a[j].func].side == EM_USER && (m->a[j].mode & EM_OUT))
			uw[m->a[j].gfield] = 1;
	/* reach[F]: the driver crossings called from closure(F) that are served by F's caller */
	for (i = 0; i < m->nf; i++) {
		struct em_func *f = &m->f[i];

		if (!f->fset || !f->is_defined || !(f->up || f->down))
			continue;
		em_closure(m, i, f->up ? EM_USER : EM_KERNEL, mark);
		reach[i] = kc_xcalloc((size_t)m->nf + 1, 1);
		for (c = 0; c < m->nc; c++) {
			const struct em_func *t = &m->f[m->c[c].callee];

			if (mark[m->c[c].caller] && t->fset && t->is_defined && t->side != EM_NONE &&
			    t->side != f->side)
				reach[i][m->c[c].callee] = 1;
		}
	}
	while (changed) {
		changed = 0;
		for (i = 0; i < m->nf; i++) {
			struct em_func *f = &m->f[i];

			if (!reach[i])
				continue;
			for (c = 0; c < m->nf; c++) {
				if (!reach[i][c])
					continue;
				for (j = 0; j < m->ngf; j++) {
					uint8_t add = m->f[c].fset[j] & EM_IN & (uint8_t)~f->fset[j];
					const char *sn = m->s[m->gf[j]->st].name;

					/* list linkage is the kernel's (napi_list, dev_list): the user
					 * copy of a list_head is never pushed for a nested call */
					if (!strcmp(sn, "list_head") || !strcmp(sn, "hlist_node") || !strcmp(sn, "hlist_head"))
						continue;

					if (f->down && !uw[j])
						add &= (uint8_t)~EM_IN;
					if (add) {
						f->fset[j] |= add;
						changed = 1;
					}
				}
			}
		}
	}
	for (i = 0; i < m->nf; i++)
		free(reach[i]);
	free(reach);
	free(uw);
	free(mark);
}
