/*
 * gen_recover.c - prints the recovery protocol after a user-half restart (docs/emitter.md, "After
 * a restart"; plan_recover.c decides what is re-sent and where its helpers live).
 *
 * The user half holds copies of kernel objects (one per tracker handle); a restarted user half
 * has none, and until an object's fields cross again its fresh copy is zeros, which a downcall
 * could send back over the kernel's master copy (with the first stage's field rules the fault
 * run's `ethtool -S` sent a NULL register window down). The protocol generated here:
 *
 *   - the kernel half records every handle it tracks (kcut_recover_track, interposed on
 *     kc_objt_track in the generated kernel-half code by a macro in kcut_ids.h: the runtime has
 *     no call that lists a tracker's objects), and what kernel-half code frees leaves the tracker
 *     first (kfree & co. wrapped by macros after each TU's includes, gen_recover_frees);
 *   - the supervisor's recovery hook (kcut_recover_hook, registered by kcut_kernel_start, run
 *     after a restarted user half is ready) re-sends every live recorded object of a struct type
 *     with recovery helpers: one upcall KCUT_UP_RECOVER per object carrying its handle (the new
 *     user half re-creates its copy under the same handle, so every later crossing finds it) and,
 *     with the kernel's current values, every field the old user half could have held: the in and
 *     out sets of every upcall and the out sets of every downcall. Pointers inside go through the
 *     ordinary marshaling (nested objects by handle with their fields, the private area).
 *
 * The field set is a synthetic crossing function ("recovery", model index m->nf, not counted in
 * m->nf) whose access set is that union: the ordinary helpers encode and decode it.
 * kcut_recover_tu[] maps a tracker type id to the TU carrying its helpers,
 * kcut_recover_enc_<stem> / kcut_recover_dec_<stem>.
 */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/*
 * Printed for each TU half after its other helpers (the recovery helpers follow): kernel half
 * kcut_recover_enc_<stem>, user half kcut_recover_dec_<stem>, each a switch over the tracker type
 * ids of the structs this TU carries recovery helpers for (the plan's pf->rec).
 */
void gen_recover_tu(struct gen *g, struct gen_file *o)
{
	const struct em_pfile *pf = o->pf;
	int enc = pf->half == EM_KERNEL, i, n = 0;
	struct kc_sb b = { 0 };

	kc_sb_addf(&b, "\n/* Recovery after a user-half restart: %s the fields the user half may hold of an object\n"
		       " * whose struct this file carries (docs/emitter.md, \"After a restart\"). 1: done, 0: not\n"
		       " * a type of this file. */\n"
		       "int kcut_recover_%s_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc)\n{\n",
		   enc ? "send" : "receive", enc ? "enc" : "dec", g->m->tus[pf->tu].stem);
	for (i = 0; i < pf->nrec; i++) {
		if (!n++)
			kc_sb_add(&b, "\tstruct kcut_seen s = { 0 };\n\n\tswitch (type) {\n");
		kc_sb_addf(&b, "\tcase %s:\n\t\t%s(x, p, &s, rc);\n\t\treturn 1;\n", gen_type_struct(g, pf->rec[i]),
			   gen_helper(g, o, g->p->rec_fn, pf->rec[i], EM_IN, enc));
	}
	if (n)
		kc_sb_add(&b, "\tdefault:\n\t\treturn 0;\n\t}\n}\n");
	else
		kc_sb_add(&b, "\t(void)x;\n\t(void)type;\n\t(void)p;\n\t(void)rc;\n\treturn 0;\n}\n");
	kc_sb_add(&o->tail, b.s);
	g->stub_lines += 8 + 3 * (unsigned)n;
	kc_sb_free(&b);
}

/*
 * Kernel half of a TU: the main file's text up to its last #include, then macros that make the
 * deallocators the kernel-half code calls (kfree, kvfree, vfree, kfree_sensitive, free_netdev)
 * forget the object in the tracker first (kc_rt_obj_free: the user half drops its copy too), so
 * the recovery hook never reads freed memory (kapi.c, em_kernel_frees).
 */
void gen_recover_frees(struct kc_sb *b, const struct em_scan *s)
{
	size_t i;

	kc_sb_addn(b, s->text, s->inc_end);
	kc_sb_add(b, "\n/* kcut: what the kernel half frees leaves the object tracker first (docs/emitter.md,\n"
		     " * \"After a restart\") */\n#ifndef __KERNEL__\n");
	for (i = 0; em_kernel_frees[i]; i++)
		kc_sb_addf(b, "#define %s(p) (kcut_recover_free(p), %s(p))\n", em_kernel_frees[i], em_kernel_frees[i]);
	kc_sb_add(b, "#endif\n");
}

/* kcut_ids.h: the recovery upcall id, the per-TU functions and, in the kernel half, the
 * interposition that records every tracked handle. */
void gen_recover_ids(const struct gen *g, struct kc_sb *sb)
{
	int i;

	kc_sb_add(sb, "\n/* Recovery after a user-half restart (docs/emitter.md, \"After a restart\"): the\n"
		      " * kernel half records every handle it tracks; the supervisor's hook re-sends each\n"
		      " * object to the new user half through the upcall KCUT_UP_RECOVER (one past the\n"
		      " * driver's upcalls). */\n"
		      "#define KCUT_UP_RECOVER KCUT_NR_UPCALLS\n"
		      "int kcut_recover_handler(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res);\n");
	for (i = 0; i < g->m->ntu; i++)
		kc_sb_addf(sb, "int kcut_recover_enc_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc);\n"
			       "int kcut_recover_dec_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc);\n",
			   g->m->tus[i].stem, g->m->tus[i].stem);
	kc_sb_add(sb, "#if defined(KCUT_KERNEL_HALF) && !defined(__KERNEL__)\n"
		      "int kcut_recover_track(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t elem_size,\n"
		      "\t\t       size_t nelem);\n"
		      "void kcut_recover_free(const void *p);\n"
		      "#define kc_objt_track(...) kcut_recover_track(__VA_ARGS__)\n"
		      "#endif\n");
}

/* The TU index + 1 per tracker type (designated initializers) and the per-TU functions. */
static void rec_tables(const struct gen *g, struct kc_sb *b, const char *what)
{
	const struct em_model *m = g->m;
	int i;

	kc_sb_add(b, "static const unsigned char kcut_recover_tu[KCUT_NR_TYPES + 1] = {\n");
	for (i = 0; i < m->ns; i++)
		if (g->p->rec_tu[i])
			kc_sb_addf(b, "\t[%s] = %d,\n", gen_type_struct(g, i), g->p->rec_tu[i]);
	kc_sb_add(b, "\t[KCUT_NR_TYPES] = 0,\n};\n\n");
	kc_sb_addf(b, "static int (*const kcut_recover_%s[])(struct kc_xdr *, uint32_t, void *, int *) = {\n", what);
	for (i = 0; i < m->ntu; i++)
		kc_sb_addf(b, "\tkcut_recover_%s_%s,\n", what, m->tus[i].stem);
	kc_sb_add(b, "\tNULL,\n};\n\n");
}

/*
 * kcut_kernel.c: the handle registry, kcut_recover_track and the recovery hook; kcut_user.c: the
 * handler of KCUT_UP_RECOVER. Appended to the dispatch file's text before the entry points.
 */
void gen_recover_dispatch(const struct gen *g, struct kc_sb *b, enum em_side half)
{
	kc_sb_add(b, "\n/* ---- recovery after a user-half restart (docs/emitter.md, \"After a restart\") ---- */\n");
	if (half == EM_USER) {
		rec_tables(g, b, "dec");
		kc_sb_add(b, "/* KCUT_UP_RECOVER: the type, the object (its kernel handle: the local copy is created\n"
			     " * with that handle) and the fields the kernel re-sends. */\n"
			     "int kcut_recover_handler(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)\n{\n"
			     "\tuint32_t type = kc_xdr_get_u32(args);\n"
			     "\tint rc = 0;\n"
			     "\tvoid *p = kcut_get_ptr(args, 0, NULL, &rc);\n\n"
			     "\t(void)rt;\n\t(void)res;\n"
			     "\tif (!rc && (!p || type >= KCUT_NR_TYPES || !kcut_recover_tu[type]))\n"
			     "\t\trc = KC_RT_EPROTO;\n"
			     "\tif (!rc)\n"
			     "\t\tkcut_recover_dec[kcut_recover_tu[type] - 1](args, type, p, &rc);\n"
			     "\tif (!rc && kc_xdr_dec_done(args))\n"
			     "\t\trc = KC_RT_EPROTO;\n"
			     "\treturn rc;\n}\n");
		return;
	}
	kc_sb_add(b, "#ifndef __KERNEL__\n#include <pthread.h>\n\n");
	rec_tables(g, b, "enc");
	kc_sb_add(b,
		  "/* Every handle the kernel half ever tracked (stale ones are dropped when the array grows\n"
		  " * and skipped by the hook). */\n"
		  "static pthread_mutex_t kcut_recover_lock = PTHREAD_MUTEX_INITIALIZER;\n"
		  "static uint64_t *kcut_recover_h;\n"
		  "static size_t kcut_recover_n, kcut_recover_cap;\n\n"
		  "/* kc_objt_track, recording the handle (kcut_ids.h routes the kernel half's calls here). */\n"
		  "int kcut_recover_track(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t elem_size,\n"
		  "\t\t       size_t nelem)\n{\n"
		  "\tint rc = (kc_objt_track)(t, h, ptr, type, elem_size, nelem);\n"
		  "\tsize_t i, j;\n\n"
		  "\tif (rc)\n\t\treturn rc;\n"
		  "\tpthread_mutex_lock(&kcut_recover_lock);\n"
		  "\tif (kcut_recover_n == kcut_recover_cap) {\n"
		  "\t\tuint32_t ty;\n\t\tsize_t size;\n\n"
		  "\t\tfor (i = j = 0; i < kcut_recover_n; i++)\n"
		  "\t\t\tif (!kcut_ptr_info(t, kcut_recover_h[i], &ty, &size))\n"
		  "\t\t\t\tkcut_recover_h[j++] = kcut_recover_h[i];\n"
		  "\t\tkcut_recover_n = j;\n"
		  "\t}\n"
		  "\tif (kcut_recover_n * 2 >= kcut_recover_cap) {\n"
		  "\t\tsize_t cap = kcut_recover_cap ? kcut_recover_cap * 2 : 64;\n"
		  "\t\tuint64_t *v = realloc(kcut_recover_h, cap * sizeof(*v));\n\n"
		  "\t\tif (v) {\n\t\t\tkcut_recover_h = v;\n\t\t\tkcut_recover_cap = cap;\n\t\t}\n"
		  "\t}\n"
		  "\tif (kcut_recover_n < kcut_recover_cap)\n"
		  "\t\tkcut_recover_h[kcut_recover_n++] = *h;\n"
		  "\telse\n"
		  "\t\tkcut_log(\"kcut: recovery: out of memory, an object will not be re-sent after a restart\\n\");\n"
		  "\tpthread_mutex_unlock(&kcut_recover_lock);\n"
		  "\treturn 0;\n}\n\n"
		  "/* The kernel half frees p (kfree & co., through the macros after each TU's includes):\n"
		  " * forget its handle, on both sides. */\n"
		  "void kcut_recover_free(const void *p)\n{\n"
		  "\tif (p && kcut_rt)\n\t\tkc_rt_obj_free(kcut_rt, p);\n}\n\n"
		  "/* Forget the recorded handles (kcut_kernel_stop, after the endpoint is closed). */\n"
		  "static void kcut_recover_release(void)\n{\n"
		  "\tpthread_mutex_lock(&kcut_recover_lock);\n"
		  "\tfree(kcut_recover_h);\n"
		  "\tkcut_recover_h = NULL;\n"
		  "\tkcut_recover_n = kcut_recover_cap = 0;\n"
		  "\tpthread_mutex_unlock(&kcut_recover_lock);\n}\n\n"
		  "/* The supervisor's recovery hook: re-send every live recorded object whose type has\n"
		  " * recovery helpers to the new user half, one KCUT_UP_RECOVER upcall each. Stops at the\n"
		  " * first crossing failure (the new user half died too: the next incarnation recovers). */\n"
		  "static void kcut_recover_hook(struct kc_rt *rt, void *arg, unsigned int incarnation)\n{\n"
		  "\tstruct kc_objt *t = kc_rt_objt(rt);\n"
		  "\tuint64_t *v;\n\tsize_t n, i, done = 0;\n\n"
		  "\t(void)arg;\n"
		  "\tif (getenv(\"KCUT_RECOVER\") && !strcmp(getenv(\"KCUT_RECOVER\"), \"0\"))\n"
		  "\t\treturn; /* tests: show what happens without it */\n"
		  "\tpthread_mutex_lock(&kcut_recover_lock);\n"
		  "\tn = kcut_recover_n;\n"
		  "\tv = n ? malloc(n * sizeof(*v)) : NULL;\n"
		  "\tif (v)\n\t\tmemcpy(v, kcut_recover_h, n * sizeof(*v));\n"
		  "\tpthread_mutex_unlock(&kcut_recover_lock);\n"
		  "\tif (!v && n) {\n"
		  "\t\tkcut_log(\"kcut: recovery: out of memory; user half %u starts empty\\n\", incarnation);\n"
		  "\t\treturn;\n\t}\n"
		  "\tfor (i = 0; i < n; i++) {\n"
		  "\t\tstruct kc_rt_call *c;\n\t\tstruct kc_xdr *a, *r;\n"
		  "\t\tuint32_t ty;\n\t\tsize_t size;\n\t\tvoid *p;\n\t\tint rc = 0;\n\n"
		  "\t\tif (kcut_ptr_info(t, v[i], &ty, &size) || ty >= KCUT_NR_TYPES || !kcut_recover_tu[ty] ||\n"
		  "\t\t    kc_objt_lookup(t, &p, v[i], ty, 0, size))\n"
		  "\t\t\tcontinue;\n"
		  "\t\trc = kc_rt_call_begin(&c, &a, rt, KCUT_UP_RECOVER);\n"
		  "\t\tif (rc)\n\t\t\tbreak;\n"
		  "\t\tkc_xdr_put_u32(a, ty);\n"
		  "\t\tkcut_put_ptr(a, p, ty, size, 1, &rc);\n"
		  "\t\tkcut_recover_enc[kcut_recover_tu[ty] - 1](a, ty, p, &rc);\n"
		  "\t\tif (!rc)\n\t\t\trc = kc_xdr_error(a);\n"
		  "\t\tif (!rc)\n\t\t\trc = kc_rt_call_invoke(c, &r);\n"
		  "\t\trc = kc_rt_call_end(c, rc);\n"
		  "\t\tif (rc) {\n"
		  "\t\t\tkcut_log(\"kcut: recovery: re-sending object %zu of %zu to user half %u failed: %s\\n\", i + 1,\n"
		  "\t\t\t\t n, incarnation, kc_rt_strerror(rc));\n"
		  "\t\t\tif (rc == KC_RT_EDEAD || rc == KC_RT_EDOWN)\n\t\t\t\tbreak;\n"
		  "\t\t\tcontinue;\n\t\t}\n"
		  "\t\tdone++;\n"
		  "\t}\n"
		  "\tfree(v);\n"
		  "\tif (getenv(\"KCUT_RT_DEBUG\"))\n"
		  "\t\tkcut_log(\"kcut: recovery: %zu objects re-sent to user half %u\\n\", done, incarnation);\n"
		  "}\n#endif\n");
}
