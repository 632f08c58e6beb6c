/*
 * gen_recover.c - recovery after a user-half restart (docs/emitter.md, "After a restart").
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
 * m->nf) whose access set is that union: the ordinary helpers of gen_marshal.c generate its
 * encoders and decoders. Only structs the user half can reach again through a crossing pointer
 * field are re-sent (rec_reachable). Each struct's helpers live in the first TU whose helpers
 * already use that struct (so the struct is complete there); kcut_recover_tu[] maps a tracker
 * type id to that TU's kcut_recover_enc_<stem> / kcut_recover_dec_<stem>.
 */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/* Anonymous structs and unions are stored as 'outer::<anon@LINE>' (as gen_marshal.c). */
static int rec_anon(const char *name)
{
	return strchr(name, '<') || strchr(name, ':');
}

/* Would gen_field refuse field f (report a finding)? Such fields stay out of the recovery set: a
 * crossing that needs one is refused anyway, and the recovery must not add new findings. */
static int rec_refused(const struct em_model *m, const struct em_field *f)
{
	const struct em_struct *t = f->target_st >= 0 ? &m->s[f->target_st] : NULL;
	const struct em_struct *own = &m->s[f->st];

	if (own->is_union && own->has_ptr)
		return 1;
	if (!strcmp(f->kind, "pointer"))
		return f->shape == EM_S_LIST || f->shape == EM_S_UNION ||
		       (f->shape == EM_S_STRUCT && (!t || rec_anon(t->name)));
	if (!strcmp(f->kind, "array")) {
		if (t && !strchr(f->type, '*') && !rec_anon(t->name) && !t->is_union)
			return 0;
		return strchr(f->type, '*') || (t && t->has_ptr);
	}
	return 0;
}

/* Can the user half find an object of struct st again after the call that brought it? Only
 * through a pointer field that crosses (adapter->netdev, adapter->pdev) or as the object behind
 * a private area. Objects that only ever cross as call arguments (an ethtool_drvinfo on the
 * caller's stack) are not re-sent: they may be gone, and the next call that needs one brings it. */
static int rec_reachable(const struct gen *g, int st)
{
	const struct em_model *m = g->m;
	const uint8_t *fs = m->f[g->rec_fn].fset;
	int k;

	if (st == m->priv_owner_st)
		return 1;
	for (k = 0; k < m->ngf; k++)
		if (fs[k] && m->gf[k]->target_st == st && !strcmp(m->gf[k]->kind, "pointer") &&
		    m->gf[k]->shape == EM_S_STRUCT)
			return 1;
	return 0;
}

/* Add the synthetic "recovery" function at m->f[m->nf] (m->f grows by one; nothing may hold a
 * pointer into it across this call). Its field set: every upcall's in and out sets and every
 * downcall's out set, minus what marshaling refuses. */
void gen_recover_prepare(struct gen *g)
{
	struct em_model *m = g->m;
	struct em_func *r;
	int i, k;

	m->f = kc_xrealloc(m->f, (size_t)(m->nf + 1) * sizeof(*m->f));
	r = &m->f[m->nf];
	memset(r, 0, sizeof(*r));
	r->name = "recovery";
	r->idname = "_recover";
	r->cross_id = -1;
	r->fp_id = -1;
	r->fset = kc_xcalloc((size_t)m->ngf + 1, 1);
	for (i = 0; i < m->nf; i++) {
		/* upcalls: what the user half's code reads or writes; downcalls: what comes back */
		int want = m->f[i].up ? EM_IN | EM_OUT : m->f[i].down ? EM_OUT : 0;

		if (!m->f[i].fset || !want)
			continue;
		for (k = 0; k < m->ngf; k++)
			if ((m->f[i].fset[k] & want) && !rec_refused(m, m->gf[k]))
				r->fset[k] = EM_IN | EM_OUT;
	}
	g->rec_fn = m->nf;
	g->rec_tu = kc_xcalloc((size_t)m->ns + 1, sizeof(*g->rec_tu));
}

/* Release what gen_recover_prepare allocated (the synthetic function's name is static). */
void gen_recover_free(struct gen *g)
{
	if (g->rec_tu)
		free(g->m->f[g->rec_fn].fset);
	free(g->rec_tu);
	g->rec_tu = NULL;
}

/*
 * Called for each TU half after its helpers were flushed (the caller flushes again): kernel half
 * kcut_recover_enc_<stem>, user half kcut_recover_dec_<stem>, each a switch over the tracker type
 * ids of the structs this TU carries recovery helpers for. The kernel-half pass picks the structs
 * (the ones this TU's helpers already use, with a tracker type, not picked by an earlier TU); the
 * user-half pass of the same TU (generated next) uses the same choice.
 */
void gen_recover_tu(struct gen *g, struct gen_file *o, int tu, enum em_side half)
{
	struct em_model *m = g->m;
	int enc = half == EM_KERNEL, i, n = 0, nhelp = o->nhelp;
	struct kc_sb b = { 0 };

	if (!g->rec_tu)
		return;
	if (enc)
		for (i = 0; i < nhelp; i++) {
			int st = o->help[i].st;

			if (g->rec_tu[st] || !m->s[st].type_id || rec_anon(m->s[st].name) ||
			    !rec_reachable(g, st) || !gen_nonempty(g, g->rec_fn, st, EM_IN))
				continue;
			g->rec_tu[st] = tu + 1;
		}
	kc_sb_addf(&b, "\n/* Recovery after a user-half restart: %s the fields the user half may hold of an object\n"
		       " * whose struct this file carries (docs/emitter.md, \"After a restart\"). 1: done, 0: not\n"
		       " * a type of this file. */\n"
		       "int kcut_recover_%s_%s(struct kc_xdr *x, uint32_t type, void *p, int *rc)\n{\n",
		   enc ? "send" : "receive", enc ? "enc" : "dec", m->tus[tu].stem);
	for (i = 0; i < m->ns; i++) {
		if (g->rec_tu[i] != tu + 1)
			continue;
		if (!n++)
			kc_sb_add(&b, "\tstruct kcut_seen s = { 0 };\n\n\tswitch (type) {\n");
		kc_sb_addf(&b, "\tcase %s:\n\t\t%s(x, p, &s, rc);\n\t\treturn 1;\n", gen_type_struct(g, i),
			   gen_helper(g, o, g->rec_fn, i, EM_IN, enc));
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
 * the recovery hook never reads freed memory. Socket buffers are not wrapped: their frees are on
 * the data path and an skb that crossed is untracked by the deallocator rule of the user half.
 * Returns the offset in the main file where the rewrite goes on.
 */
size_t gen_recover_frees(struct gen *g, struct kc_sb *b, const struct em_scan *s)
{
	static const char *const names[] = { "kfree", "kfree_sensitive", "kvfree", "vfree", "free_netdev" };
	size_t i;

	(void)g;
	kc_sb_addn(b, s->text, s->inc_end);
	kc_sb_add(b, "\n/* kcut: what the kernel half frees leaves the object tracker first (docs/emitter.md,\n"
		     " * \"After a restart\") */\n#ifndef __KERNEL__\n");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		kc_sb_addf(b, "#define %s(p) (kcut_recover_free(p), %s(p))\n", names[i], names[i]);
	kc_sb_add(b, "#endif\n");
	return s->inc_end;
}

/* kcut_ids.h: the recovery upcall id, the per-TU functions and, in the kernel half, the
 * interposition that records every tracked handle. */
void gen_recover_ids(struct gen *g, struct kc_sb *sb)
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
static void rec_tables(struct gen *g, struct kc_sb *b, const char *what)
{
	struct em_model *m = g->m;
	int i;

	kc_sb_add(b, "static const unsigned char kcut_recover_tu[KCUT_NR_TYPES + 1] = {\n");
	for (i = 0; i < m->ns; i++)
		if (g->rec_tu[i])
			kc_sb_addf(b, "\t[%s] = %d,\n", gen_type_struct(g, i), g->rec_tu[i]);
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
void gen_recover_dispatch(struct gen *g, struct kc_sb *b, enum em_side half)
{
	if (!g->rec_tu)
		return;
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
