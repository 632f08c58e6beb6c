/*
 * gen_stub.c - stubs and handlers. A stub replaces the body of a function of the other half and
 * keeps its signature: it sends the arguments and the fields the callee may read, crosses, and
 * applies the fields the callee may have written. A handler is the serving side: it decodes,
 * calls the real function, and encodes the results. Kernel imports called from the user half get
 * a stub with the import's own name in the user half and a handler in the kernel half. What each
 * parameter carries is the plan's (plan_marshal.c, struct em_pfunc).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

/* "type name" for a declaration, handling function-pointer spellings "int (*)(int)". */
void gen_decl(struct kc_sb *sb, const char *spelling, const char *name)
{
	const char *p = strstr(spelling, "(*)");
	size_t n = strlen(spelling);

	if (p) {
		kc_sb_addn(sb, spelling, (size_t)(p - spelling) + 2);
		kc_sb_add(sb, name);
		kc_sb_add(sb, p + 2);
	} else if (n && spelling[n - 1] == '*') {
		kc_sb_addf(sb, "%s%s", spelling, name);
	} else {
		kc_sb_addf(sb, "%s %s", spelling, name);
	}
}

/* A local variable's type: the spelling without a top-level const on scalars. */
static const char *local_spelling(const struct em_type *t)
{
	if (t->cls == EM_T_INT && !strncmp(t->spelling, "const ", 6))
		return t->spelling + 6;
	return t->spelling;
}

/* The return statement of a stub whose crossing failed (see docs/emitter.md, Stubs). */
static void err_return(struct kc_sb *b, const struct em_type *t, const char *ind)
{
	if (t->cls == EM_T_VOID)
		kc_sb_addf(b, "%sreturn;\n", ind);
	else if (t->cls == EM_T_INT && t->is_signed && !t->is_enum && t->size >= 4)
		kc_sb_addf(b, "%sreturn KCUT_EFAIL;\n", ind);
	else if (t->cls == EM_T_INT)
		kc_sb_addf(b, "%sreturn (%s)0;\n", ind, t->spelling);
	else
		kc_sb_addf(b, "%sreturn NULL;\n", ind);
}

/* The parameter list of f's declaration, names included. */
void gen_params(struct kc_sb *b, const struct em_func *f)
{
	int j;

	for (j = 0; j < f->nparams; j++) {
		if (j)
			kc_sb_add(b, ", ");
		gen_decl(b, f->params[j].t.spelling, f->params[j].name);
	}
}

static const char *pname(const struct em_param *p, int i, char *buf, size_t n)
{
	if (p->name && *p->name)
		return p->name;
	snprintf(buf, n, "p%d", i);
	return buf;
}

/* The element count of a pointer-to-integer parameter as a factor of the stub's parameters
 * (" * 6", " * (size_t)words"; nothing for one element). */
static void elem_count(struct kc_sb *b, const struct em_func *f, const struct em_type *t)
{
	if (t->count_expr)
		kc_sb_addf(b, " * (size_t)%s", t->count_expr);
	else if (t->count_param)
		kc_sb_addf(b, " * (size_t)%s", f->params[t->count_param - 1].name);
	else if (t->count > 1)
		kc_sb_addf(b, " * %d", t->count);
}

/* sizeof one element of pointer parameter n (a void * that crosses as bytes: its element type) */
static void elem_size(struct kc_sb *b, const struct em_type *t, const char *n)
{
	if (t->sname && strstr(t->spelling, "void"))
		kc_sb_addf(b, "sizeof(%s)", t->sname);
	else
		kc_sb_addf(b, "sizeof(*%s)", n);
}

/* An array parameter i whose count parameter comes after it (print_hex_dump(.., buf, len, ..)):
 * the count's index (its elements cross after the count: the handler takes them once it has it),
 * else -1. */
static int count_after(const struct em_func *f, int i)
{
	const struct em_type *t = &f->params[i].t;

	if (f->word_op || (t->cls != EM_T_PTR_SCALAR && t->cls != EM_T_STRV) || t->count_expr || !t->count_param)
		return -1;
	return t->count_param - 1 > i ? t->count_param - 1 : -1;
}

/* A count expression of the handler: the annotation's expression with each parameter name
 * replaced by the handler's local (kcut_pN); other identifiers (macros) are kept. */
static void handler_count(struct kc_sb *b, const struct em_func *f, const struct em_type *t)
{
	const char *p = t->count_expr;
	int i;

	if (!p) {
		kc_sb_addf(b, "(size_t)kcut_p%d", t->count_param - 1);
		return;
	}
	kc_sb_add(b, "(size_t)");
	while (*p) {
		if (isalpha((unsigned char)*p) || *p == '_') {
			const char *e = p;

			while (isalnum((unsigned char)*e) || *e == '_')
				e++;
			for (i = 0; i < f->nparams; i++)
				if (f->params[i].name && strlen(f->params[i].name) == (size_t)(e - p) &&
				    !strncmp(f->params[i].name, p, (size_t)(e - p)) && (p == t->count_expr || p[-1] != '.') &&
				    (p - t->count_expr < 2 || strncmp(p - 2, "->", 2)))
					break;
			if (i < f->nparams)
				kc_sb_addf(b, "kcut_p%d", i);
			else
				kc_sb_addn(b, p, (size_t)(e - p));
			p = e;
		} else {
			kc_sb_addn(b, p++, 1);
		}
	}
}

/* A lost teardown upcall queues itself for the next user half (plan_marshal.c, plan_redo). */
static void redo_call(struct kc_sb *b, const struct em_func *f, const struct em_pfunc *q, const char *ind)
{
	char nb[32];
	int i;

	kc_sb_addf(b, "%skc_wire_redo(kcut_rt, kcut_rc, kcut_redo_%s, ", ind, f->idname);
	if (!f->nparams) {
		kc_sb_add(b, "NULL, 0, 0);\n");
		return;
	}
	kc_sb_add(b, "(const uint64_t[]){ ");
	for (i = 0; i < f->nparams; i++)
		kc_sb_addf(b, "%s(uint64_t)%s%s", i ? ", " : "", q->redo_ptrs >> i & 1 ? "(uintptr_t)" : "",
			   pname(&f->params[i], i, nb, sizeof(nb)));
	kc_sb_addf(b, " }, %d, 0x%xu);\n", f->nparams, q->redo_ptrs);
}

/* ... and the function the recovery hook runs for it: the stub again, with the kept arguments. */
static void redo_def(struct kc_sb *b, const struct em_func *f, const struct em_pfunc *q)
{
	int i;

	kc_sb_addf(b, "\n\n/* kcut: %s again for the next user half, when the user half it was sent to was\n"
		      " * down or died (rt's kc_wire_redo: the kernel does not call it again) */\n"
		      "static void kcut_redo_%s(const uint64_t *kcut_v)\n{\n",
		   f->name, f->idname);
	if (!f->nparams)
		kc_sb_add(b, "\t(void)kcut_v;\n");
	kc_sb_addf(b, "\t%s%s(", f->ret.cls == EM_T_VOID ? "" : "(void)", f->name);
	for (i = 0; i < f->nparams; i++)
		kc_sb_addf(b, "%s(%s)%skcut_v[%d]", i ? ", " : "", f->params[i].t.spelling,
			   q->redo_ptrs >> i & 1 ? "(uintptr_t)" : "", i);
	kc_sb_add(b, ");\n}");
}

/* The stub's elements of pointer-to-integer parameter i (name n), when it is not NULL. */
static void put_elems(struct kc_sb *b, const struct em_func *f, int i, const char *n)
{
	kc_sb_addf(b, "\tif (%s)\n\t\tkc_xdr_put_fixed(kcut_a, (const void *)%s, ", n, n);
	elem_size(b, &f->params[i].t, n);
	elem_count(b, f, &f->params[i].t);
	kc_sb_add(b, ");\n");
}

/* The body of a stub: "{ ... }" for function fn, calling id `idexpr`. */
void gen_stub_body(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn, const char *idexpr)
{
	const struct em_func *f = &g->m->f[fn];
	const struct em_pfunc *q = &g->p->fn[fn];
	int i, k, seen = q->seen, st;
	int redo = q->redo && o->pf && o->pf->half == EM_KERNEL;
	int posted = q->posted && o->pf && o->pf->half == EM_USER;
	char nb[32];

	if (posted) {
		/* a posted call (plan_cross.c em_plan_posted): the arguments as a downcall's, queued with
		 * the thread's posted register writes (rt/kcut_rt.h, "Posted kernel calls") */
		kc_sb_add(b, "{\n\tstruct kc_xdr *kcut_a;\n");
		if (seen)
			kc_sb_add(b, "\tstruct kcut_seen kcut_s = { { 0 }, 0 };\n");
		kc_sb_addf(b, "\tint kcut_rc;\n\n\tkcut_rc = kc_rt_post_begin(&kcut_a, kcut_rt, %s);\n\tif (kcut_rc)\n\t\treturn;\n",
			   idexpr);
	} else {
		kc_sb_add(b, "{\n\tstruct kc_rt_call *kcut_c;\n\tstruct kc_xdr *kcut_a, *kcut_r;\n");
	}
	if (seen && !posted)
		kc_sb_add(b, "\tstruct kcut_seen kcut_s = { { 0 }, 0 };\n");
	if (f->ret.cls == EM_T_STRING)
		kc_sb_add(b, "\tstatic KCUT_THREAD_LOCAL char kcut_rbuf[KC_WIRE_STRMAX];\n");
	if (f->ret.cls != EM_T_VOID) {
		kc_sb_add(b, "\t");
		gen_decl(b, local_spelling(&f->ret), "kcut_ret = 0;\n");
	}
	if (!posted) {
		kc_sb_addf(b, "\tint kcut_rc;\n\n\tkcut_rc = kc_rt_call_begin(&kcut_c, &kcut_a, kcut_rt, %s);\n\tif (kcut_rc)%s\n",
			   idexpr, redo ? " {" : "");
		if (redo)
			redo_call(b, f, q, "\t\t");
		if (f->noreturn)
			kc_sb_add(b, "\t\tkcut_abort();\n");
		else
			err_return(b, &f->ret, "\t\t");
		if (redo)
			kc_sb_add(b, "\t}\n");
	}
	for (i = 0; i < f->nparams; i++) {
		const struct em_param *p = &f->params[i];
		const char *n = pname(p, i, nb, sizeof(nb));

		if (q->params[i].region) {
			gen_region_put(b, "kcut_a", n, "\t"); /* device region pointer (gen_region.c) */
			continue;
		}
		switch (p->t.cls) {
		case EM_T_INT:
			kc_sb_addf(b, "\tkc_xdr_put_%s(kcut_a, (uint%d_t)%s);\n", p->t.size > 4 ? "u64" : "u32",
				   p->t.size > 4 ? 64 : 32, n);
			break;
		case EM_T_PTR_STRUCT:
			st = q->params[i].st;
			if (st < 0) {
				kc_sb_addf(b, "\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_a, (const void *)%s, KCUT_T_OPAQUE, 1, 1, 0));\n",
					   n);
				break;
			}
			kc_sb_addf(b, "\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_a, (const void *)%s, %s, sizeof(*%s), 1, 0));\n",
				   n, gen_type_struct(g, st), n);
			if (q->params[i].in)
				kc_sb_addf(b,
					   "\tif (%s && !kcut_seen(&kcut_s, %s)) {\n"
					   "\t\tkc_xdr_put_bool(kcut_a, 1);\n"
					   "\t\t%s(kcut_a, (void *)%s, &kcut_s, &kcut_rc);\n"
					   "\t} else {\n"
					   "\t\tkc_xdr_put_bool(kcut_a, 0);\n"
					   "\t}\n",
					   n, n, gen_helper(g, o, fn, st, EM_IN, 1), n);
			break;
		case EM_T_VOIDPTR:
			kc_sb_addf(b, "\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_a, (const void *)%s, KCUT_T_OPAQUE, 1, 1, 0));\n",
				   n);
			break;
		case EM_T_STRING:
			kc_sb_addf(b, "\tkc_wire_put_str(kcut_rt, kcut_a, %s, &kcut_rc);\n", n);
			break;
		case EM_T_STRV:
			gen_strv_put(b, f, &p->t, n);
			break;
		case EM_T_FNPTR:
			kc_sb_addf(b, "\tkc_wire_put_fn(kcut_rt, kcut_a, (kc_wire_fn)%s, &kcut_rc);\n", n);
			break;
		case EM_T_PTR_SCALAR:
			if (f->word_op) {
				/* the word of a bit operation (kc_wire_put_word) */
				kc_sb_addf(b, "\tkc_wire_put_word(kcut_rt, kcut_a, %s, sizeof(*%s), &kcut_rc);\n", n, n);
				break;
			}
			kc_sb_addf(b, "\tkc_xdr_put_bool(kcut_a, %s != NULL);\n", n);
			if (count_after(f, i) < 0)
				put_elems(b, f, i, n);
			break;
		case EM_T_PTR_PTR:
			st = q->params[i].st;
			kc_sb_addf(b, "\tkc_xdr_put_bool(kcut_a, %s != NULL);\n\tif (%s)\n", n, n);
			/* often an out-parameter only (`struct snd_pcm *pcm; snd_pcm_new(.., &pcm)`): a
			 * value the kernel half cannot know goes as NULL (KC_WP_OUT) */
			if (st >= 0)
				kc_sb_addf(b, "\t\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_a, (const void *)*%s, %s, sizeof(**%s), 1,\n"
					      "\t\t\t\t\t\t     KC_WP_OUT));\n", n, gen_type_struct(g, st), n);
			else
				kc_sb_addf(b, "\t\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_a, (const void *)*%s, KCUT_T_OPAQUE, 1, 1,\n"
					      "\t\t\t\t\t\t     KC_WP_OUT));\n", n);
			break;
		default:
			break;
		}
		/* arrays whose count was this parameter: their elements now */
		for (k = 0; k < i; k++)
			if (count_after(f, k) == i && f->params[k].t.cls == EM_T_PTR_SCALAR)
				put_elems(b, f, k, pname(&f->params[k], k, nb, sizeof(nb)));
	}
	gen_globals_code(g, b, fn, EM_IN, 1, "kcut_a", "\t");
	if (posted) {
		/* queued; a freed object's changes go first and its copy leaves the tracker now */
		if (q->untrack && g->p->sync_tu)
			kc_sb_addf(b, "\tkcut_rc = kc_rt_post_end(kcut_rt, kcut_rc, (const void *)%s);\n",
				   pname(&f->params[0], 0, nb, sizeof(nb)));
		else
			kc_sb_add(b, "\tkcut_rc = kc_rt_post_end(kcut_rt, kcut_rc, NULL);\n");
		kc_sb_add(b, "\tif (kcut_rc)\n\t\tkcut_crossing_failed(kcut_rc, __func__);\n}");
		return;
	}
	kc_sb_add(b, "\tif (!kcut_rc)\n\t\tkcut_rc = kc_rt_call_invoke(kcut_c, &kcut_r);\n\tif (!kcut_rc) {\n");
	if (q->ret_region)
		gen_region_get(b, "kcut_r", "kcut_ret", q->ret_region, "\t\t"); /* gen_region.c */
	else switch (f->ret.cls) {
	case EM_T_INT:
		kc_sb_addf(b, "\t\tkcut_ret = (%s)kc_xdr_get_%s(kcut_r);\n", local_spelling(&f->ret),
			   f->ret.size > 4 ? "u64" : "u32");
		break;
	case EM_T_PTR_STRUCT:
	case EM_T_VOIDPTR:
		kc_sb_add(b, "\t\tkcut_ret = kc_wire_get_ptr(kcut_rt, kcut_r, ");
		gen_wire_spec(b, g, &q->wret, "kcut_ret");
		kc_sb_add(b, ", NULL, &kcut_rc);\n");
		break;
	case EM_T_FNPTR:
		kc_sb_addf(b, "\t\tkcut_ret = (%s)kc_wire_get_fn(kcut_rt, kcut_r, &kcut_rc);\n", f->ret.spelling);
		break;
	case EM_T_STRING:
		/* valid until the next call of this function by this thread */
		kc_sb_add(b, "\t\tkcut_ret = kc_wire_get_str(kcut_rt, kcut_r, kcut_rbuf, sizeof(kcut_rbuf), &kcut_rc);\n");
		break;
	default:
		break;
	}
	gen_ret_fields_dec(g, o, b, fn); /* the returned object's fields */
	if (seen)
		kc_sb_add(b, "\t\tkcut_s.n = 0;\n");
	for (i = 0; i < f->nparams; i++) {
		const struct em_param *p = &f->params[i];
		const char *n = pname(p, i, nb, sizeof(nb));

		st = q->params[i].st;
		if (p->t.cls == EM_T_PTR_STRUCT && st >= 0 && q->params[i].out)
			kc_sb_addf(b,
				   "\t\tif (kc_xdr_get_bool(kcut_r)) {\n"
				   "\t\t\tif (%s)\n"
				   "\t\t\t\t%s(kcut_r, (void *)%s, &kcut_s, &kcut_rc);\n"
				   "\t\t\telse\n"
				   "\t\t\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n"
				   "\t\t}\n",
				   n, gen_helper(g, o, fn, st, EM_OUT, 0), n);
		else if (p->t.cls == EM_T_PTR_SCALAR && f->word_op)
			kc_sb_addf(b, "\t\tkcut_get_fixed(kcut_r, (void *)(uintptr_t)%s, sizeof(*%s), &kcut_rc);\n", n, n);
		else if (p->t.cls == EM_T_PTR_SCALAR && !p->t.pointee_const)
		{
			kc_sb_addf(b, "\t\tif (%s)\n\t\t\tkcut_get_fixed(kcut_r, (void *)%s, ", n, n);
			elem_size(b, &p->t, n);
			elem_count(b, f, &p->t);
			kc_sb_add(b, ", &kcut_rc);\n");
		}
		else if (p->t.cls == EM_T_PTR_PTR) {
			/* an object the callee returns through a struct T ** (snd_card_new): its
			 * handle, then the fields the caller's side reads */
			struct kc_sb dst = { 0 };

			kc_sb_addf(&dst, "*%s", n);
			kc_sb_addf(b, "\t\tif (%s) {\n\t\t\t*%s = kc_wire_get_ptr(kcut_rt, kcut_r, ", n, n);
			gen_wire_spec(b, g, &q->params[i].w, dst.s);
			kc_sb_add(b, ", NULL, &kcut_rc);\n");
			if (st >= 0 && q->params[i].out)
				kc_sb_addf(b, "\t\t\tif (kc_xdr_get_bool(kcut_r)) {\n"
					      "\t\t\t\tif (*%s)\n"
					      "\t\t\t\t\t%s(kcut_r, (void *)*%s, &kcut_s, &kcut_rc);\n"
					      "\t\t\t\telse\n"
					      "\t\t\t\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n"
					      "\t\t\t}\n",
					   n, gen_helper(g, o, fn, st, EM_OUT, 0), n);
			kc_sb_add(b, "\t\t}\n");
			kc_sb_free(&dst);
		}
	}
	gen_globals_code(g, b, fn, EM_OUT, 0, "kcut_r", "\t\t");
	kc_sb_add(b, "\t\tif (kcut_rc)\n\t\t\tkcut_rc = kc_wire_fault(kcut_rt, kcut_rc, __func__);\n");
	if (o->pf && o->pf->half == EM_KERNEL)
		/* the reply decoded all or nothing: kc_wire_fault played its writes back */
		kc_sb_add(b, "\t\telse\n\t\t\tkc_wire_undo_commit(kcut_rt);\n");
	kc_sb_add(b, "\t}\n\tkcut_rc = kc_rt_call_end(kcut_c, kcut_rc);\n");
	if (q->untrack && g->p->sync_tu && o->pf && o->pf->half == EM_USER)
		/* the kernel half freed the object: the user half's copy leaves the tracker now, and
		 * pointers to it go down as NULL (synchronization at every crossing, rt/sync.c) */
		kc_sb_addf(b, "\tif (!kcut_rc)\n\t\tkc_wire_sync_freed(kcut_rt, (const void *)%s);\n",
			   pname(&f->params[0], 0, nb, sizeof(nb)));
	if (q->alloc_size && g->p->sync_tu && o->pf && o->pf->half == EM_USER &&
	    (f->ret.cls == EM_T_VOIDPTR || f->ret.cls == EM_T_PTR_STRUCT))
		/* a kernel allocation made for the user half: its writes go against zeros (rt/sync.c) */
		kc_sb_add(b, "\tif (!kcut_rc && kcut_ret)\n\t\tkc_wire_sync_fresh(kcut_rt, kcut_ret);\n");
	for (i = 0; g->p->sync_tu && o->pf && o->pf->half == EM_USER && i < f->nparams; i++) {
		const struct em_param *p = &f->params[i];
		const char *n = pname(p, i, nb, sizeof(nb));

		/* an out-parameter inside a synchronized object (&ring->dma): the kernel half's copy of
		 * the object does not have the value yet (rt/sync.c) */
		if (p->t.cls == EM_T_PTR_SCALAR && !f->word_op && !p->t.pointee_const) {
			kc_sb_addf(b, "\tif (!kcut_rc && %s)\n\t\tkc_wire_sync_touch(kcut_rt, (const void *)%s, ", n, n);
			elem_size(b, &p->t, n);
			kc_sb_add(b, ");\n");
		}
	}
	if (redo) {
		kc_sb_add(b, "\tif (kcut_rc)\n");
		redo_call(b, f, q, "\t\t");
	}
	if (f->ret.cls == EM_T_VOID) {
		kc_sb_add(b, "\tif (kcut_rc)\n\t\tkcut_crossing_failed(kcut_rc, __func__);\n");
		kc_sb_add(b, f->noreturn ? "\tkcut_abort(); /* declared noreturn */\n}" : "}");
	} else {
		kc_sb_add(b, "\tif (kcut_rc) {\n\t\tkcut_crossing_failed(kcut_rc, __func__);\n");
		err_return(b, &f->ret, "\t\t");
		kc_sb_add(b, "\t}\n\treturn kcut_ret;\n}");
	}
	if (redo)
		redo_def(b, f, q);
}

/* Pointer-to-integer parameters with a count parameter or expression: the handler holds them in
 * memory of its own (kc_wire_get_array), released on every way out. */
static int count_arrays(const struct em_func *f)
{
	int i, n = 0;

	for (i = 0; !f->word_op && i < f->nparams; i++)
		n += f->params[i].t.cls == EM_T_PTR_SCALAR && (f->params[i].t.count_param || f->params[i].t.count_expr);
	return n;
}

static void free_arrays(struct kc_sb *b, const struct em_func *f, const char *ind)
{
	int i;

	for (i = 0; !f->word_op && i < f->nparams; i++)
		if (f->params[i].t.cls == EM_T_PTR_SCALAR && (f->params[i].t.count_param || f->params[i].t.count_expr))
			kc_sb_addf(b, "%skc_wire_free_array(kcut_v%d);\n", ind, i);
}

/* The handler's copy of counted array parameter i (kc_wire_get_array: bounded, as many as the
 * count says on the wire, NULL refused where the callee reads or writes it). */
static void get_elems(struct kc_sb *b, const struct em_func *f, const struct em_pfunc *q, int i)
{
	struct kc_sb cnt = { 0 };

	handler_count(&cnt, f, &f->params[i].t);
	kc_sb_addf(b, "\tkcut_v%d = kc_wire_get_array(kcut_rt, kcut_a, kcut_h%d, (uint64_t)%s, sizeof(*kcut_v%d), %s, &kcut_rc);\n",
		   i, i, cnt.s, i, q->params[i].w.flags & EM_WP_NONNULL ? "KC_WP_NONNULL" : "0");
	kc_sb_free(&cnt);
}

/* A handler: int kcut_handler_ID(rt, args, res) serving function fn. */
void gen_handler(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn)
{
	const struct em_func *f = &g->m->f[fn];
	const struct em_pfunc *q = &g->p->fn[fn];
	int i, k, seen = q->seen, st, used_r = 0;
	char nb[48];
	kc_sb_addf(b, "\n/* Serve %s for the %s half (%s). */\n"
		      "int kcut_handler_%s(struct kc_rt *rt, struct kc_xdr *kcut_a, struct kc_xdr *kcut_r)\n{\n",
		   f->name, f->up ? "kernel" : "user", f->why ? f->why : "crossing", f->idname);
	if (seen)
		kc_sb_add(b, "\tstruct kcut_seen kcut_s = { { 0 }, 0 };\n");
	for (i = 0; i < f->nparams; i++) {
		const struct em_type *t = &f->params[i].t;

		snprintf(nb, sizeof(nb), "kcut_p%d;\n", i);
		kc_sb_add(b, "\t");
		switch (t->cls) {
		case EM_T_FNPTR:
			kc_sb_addf(b, "kc_wire_fn %s", nb);
			break;
		case EM_T_PTR_SCALAR:
			if (f->word_op)
				kc_sb_addf(b, "%s kcut_v%d = 0, *kcut_w%d;\n\tsize_t kcut_n%d;\n", t->sname, i, i, i);
			else if (t->count_param || t->count_expr)
				/* count elements in memory of the handler's own (kc_wire_get_array) */
				kc_sb_addf(b, "%s *kcut_v%d = NULL;\n\tint kcut_h%d;\n", t->sname, i, i);
			else if (t->count > 1)
				kc_sb_addf(b, "%s kcut_v%d[%d] = { 0 };\n\tint kcut_h%d;\n", t->sname, i, t->count, i);
			else
				kc_sb_addf(b, "%s kcut_v%d = 0;\n\tint kcut_h%d;\n", t->sname, i, i);
			break;
		case EM_T_PTR_PTR:
			snprintf(nb, sizeof(nb), "kcut_v%d = NULL;\n", i);
			gen_decl(b, t->inner, nb);
			kc_sb_addf(b, "\tint kcut_h%d;\n", i);
			break;
		case EM_T_STRING:
			kc_sb_addf(b, "char kcut_b%d[KC_WIRE_STRMAX];\n\t", i);
			gen_decl(b, t->spelling, nb);
			break;
		case EM_T_STRV:
			gen_strv_decl(b, i);
			break;
		default:
			gen_decl(b, local_spelling(t), nb);
			break;
		}
	}
	if (f->ret.cls != EM_T_VOID) {
		kc_sb_add(b, "\t");
		gen_decl(b, local_spelling(&f->ret), "kcut_ret;\n");
	}
	kc_sb_add(b, "\tint kcut_rc = 0;\n\n\t(void)rt;\n");
	for (i = 0; i < f->nparams; i++) {
		const struct em_type *t = &f->params[i].t;

		if (q->params[i].region) {
			/* device region pointer, the region's start (gen_region.c) */
			snprintf(nb, sizeof(nb), "kcut_p%d", i);
			gen_region_get(b, "kcut_a", nb, q->params[i].region, "\t");
			gen_region_param_check(b, i);
			continue;
		}
		switch (t->cls) {
		case EM_T_INT:
			kc_sb_addf(b, "\tkcut_p%d = (%s)kc_xdr_get_%s(kcut_a);\n", i, local_spelling(t),
				   t->size > 4 ? "u64" : "u32");
			break;
		case EM_T_PTR_STRUCT:
			st = q->params[i].st;
			snprintf(nb, sizeof(nb), "kcut_p%d", i);
			kc_sb_addf(b, "\tkcut_p%d = kc_wire_get_ptr(kcut_rt, kcut_a, ", i);
			gen_wire_spec(b, g, &q->params[i].w, nb);
			kc_sb_add(b, ", NULL, &kcut_rc);\n");
			if (st >= 0 && q->params[i].in)
				kc_sb_addf(b,
					   "\tif (kc_xdr_get_bool(kcut_a)) {\n"
					   "\t\tif (kcut_p%d)\n"
					   "\t\t\t%s(kcut_a, (void *)kcut_p%d, &kcut_s, &kcut_rc);\n"
					   "\t\telse\n"
					   "\t\t\tkcut_fail(&kcut_rc, KC_RT_EPROTO);\n"
					   "\t}\n",
					   i, gen_helper(g, o, fn, st, EM_IN, 0), i);
			break;
		case EM_T_VOIDPTR:
			snprintf(nb, sizeof(nb), "kcut_p%d", i);
			kc_sb_addf(b, "\tkcut_p%d = kc_wire_get_ptr(kcut_rt, kcut_a, ", i);
			gen_wire_spec(b, g, &q->params[i].w, nb);
			kc_sb_add(b, ", NULL, &kcut_rc);\n");
			break;
		case EM_T_STRING:
			kc_sb_addf(b, "\tkcut_p%d = kc_wire_get_str(kcut_rt, kcut_a, kcut_b%d, sizeof(kcut_b%d), &kcut_rc);\n", i, i,
				   i);
			if (q->params[i].w.flags & EM_WP_NONNULL)
				/* the function reads the string (strlen, a copy's dereference) */
				kc_sb_addf(b, "\tkc_wire_nonnull(kcut_rt, kcut_p%d != NULL, &kcut_rc);\n", i);
			if (q->intern)
				/* a kernel import may keep the pointer (request_irq's name): a string
				 * sent by value lives on in rt's interned strings, not in this frame */
				kc_sb_addf(b, "\tkcut_p%d = (void *)kc_wire_keep_str(kcut_rt, kcut_p%d, kcut_b%d, &kcut_rc);\n", i,
					   i, i);
			break;
		case EM_T_STRV:
			gen_strv_get(b, f, i);
			break;
		case EM_T_FNPTR:
			kc_sb_addf(b, "\tkcut_p%d = kc_wire_get_fn(kcut_rt, kcut_a, &kcut_rc);\n", i);
			break;
		case EM_T_PTR_SCALAR:
			if (f->word_op) {
				/* the word of a bit operation: the kernel's own, or kcut_v holding the
				 * value of a user-local one (kc_wire_get_word); the bit number must lie
				 * inside the word's object (kc_wire_bit_check) */
				kc_sb_addf(b, "\tkcut_w%d = kc_wire_get_word(kcut_rt, kcut_a, (void *)(uintptr_t)&kcut_v%d, "
					      "sizeof(kcut_v%d), &kcut_n%d, &kcut_rc);\n", i, i, i, i);
				if (i > 0 && f->params[0].t.cls == EM_T_INT)
					kc_sb_addf(b, "\tif (!kcut_rc)\n\t\tkcut_rc = kc_wire_bit_check((int64_t)kcut_p0, kcut_n%d);\n", i);
				else
					kc_sb_addf(b, "\t(void)kcut_n%d;\n", i);
				break;
			}
			if (t->count_param || t->count_expr) {
				/* as many elements as the count parameter / expression says, once the
				 * count is decoded (a count after the array: below) */
				kc_sb_addf(b, "\tkcut_h%d = kc_xdr_get_bool(kcut_a);\n", i);
				if (count_after(f, i) < 0)
					get_elems(b, f, q, i);
				break;
			}
			kc_sb_addf(b, "\tkcut_h%d = kc_xdr_get_bool(kcut_a);\n\tif (kcut_h%d)\n"
				      "\t\tkcut_get_fixed(kcut_a, &kcut_v%d, sizeof(kcut_v%d), &kcut_rc);\n",
				   i, i, i, i);
			if (q->params[i].w.flags & EM_WP_NONNULL)
				/* the function reads them (eth_hw_addr_set's 6 bytes) */
				kc_sb_addf(b, "\tkc_wire_nonnull(kcut_rt, kcut_h%d, &kcut_rc);\n", i);
			break;
		case EM_T_PTR_PTR:
			snprintf(nb, sizeof(nb), "kcut_v%d", i);
			kc_sb_addf(b, "\tkcut_h%d = kc_xdr_get_bool(kcut_a);\n\tif (kcut_h%d)\n"
				      "\t\tkcut_v%d = kc_wire_get_ptr(kcut_rt, kcut_a, ", i, i, i);
			gen_wire_spec(b, g, &q->params[i].w, nb);
			kc_sb_add(b, ", NULL, &kcut_rc);\n");
			break;
		default:
			break;
		}
		/* arrays whose count was this parameter: their elements (or their check) now */
		for (k = 0; k < i; k++)
			if (count_after(f, k) == i && f->params[k].t.cls == EM_T_PTR_SCALAR)
				get_elems(b, f, q, k);
			else if (count_after(f, k) == i)
				gen_strv_check(b, f, k);
	}
	gen_globals_code(g, b, fn, EM_IN, 0, "kcut_a", "\t");
	kc_sb_add(b, "\tif (!kcut_rc && kc_xdr_dec_done(kcut_a))\n\t\tkcut_rc = KC_RT_EPROTO;\n");
	gen_region_offsets(b, f, q); /* register offsets inside their window (gen_region.c) */
	if (q->busy)
		/* INIT_WORK & co. from the user half on a work the kernel has queued would corrupt the
		 * kernel's lists: a protocol fault instead */
		kc_sb_addf(b, "\tif (!kcut_rc && %s(kcut_p0))\n\t\tkcut_rc = KC_RT_EPROTO; /* queued: not initialized again */\n",
			   q->busy);
	kc_sb_add(b, "\tif (kcut_rc)");
	if (count_arrays(f)) {
		kc_sb_add(b, " {\n");
		free_arrays(b, f, "\t\t");
		kc_sb_add(b, "\t\treturn kc_wire_fault(kcut_rt, kcut_rc, __func__);\n\t}\n\t");
	} else {
		kc_sb_add(b, "\n\t\treturn kc_wire_fault(kcut_rt, kcut_rc, __func__);\n\t");
	}
	if (g->p->sync_tu && o->pf && o->pf->half == EM_USER)
		/* the kernel half's values are the baseline of what the user half changes next
		 * (synchronization at every crossing, rt/sync.c) */
		kc_sb_add(b, "kc_wire_sync_mark(kcut_rt);\n\t");
	if (o->pf && o->pf->half == EM_KERNEL)
		/* the arguments decoded all or nothing: kc_wire_fault played their writes back */
		kc_sb_add(b, "kc_wire_undo_commit(kcut_rt);\n\t");
	if (q->untrack)
		/* the object is about to be freed: its handle must not find a later object there */
		kc_sb_add(b, "kc_objt_untrack(kc_rt_objt(kcut_rt), (const void *)kcut_p0);\n\t");
	if (f->fmt_fwd)
		/* printf-like import: the user half sent the formatted message; keep its
		 * KERN_<LEVEL> prefix in the format, print the rest as "%s" */
		kc_sb_addf(b, "{\n\t\tconst char *kcut_m = kcut_p%d ? kcut_p%d : \"\";\n"
			      "\t\tchar kcut_f[24];\n\t\tsize_t kcut_k = 0;\n\n"
			      "\t\twhile (kcut_m[0] == '\\001' && kcut_m[1] && kcut_k + 5 < sizeof(kcut_f)) {\n"
			      "\t\t\tkcut_f[kcut_k++] = *kcut_m++;\n\t\t\tkcut_f[kcut_k++] = *kcut_m++;\n\t\t}\n"
			      "\t\tkcut_f[kcut_k++] = '%%';\n\t\tkcut_f[kcut_k++] = 's';\n\t\tkcut_f[kcut_k] = 0;\n\t\t",
			   f->nparams - 1, f->nparams - 1);
	if (q->alloc_n && q->alloc_each && (f->ret.cls == EM_T_VOIDPTR || f->ret.cls == EM_T_PTR_STRUCT))
		/* what the user half may allocate in the kernel is bounded: over the bound the
		 * allocator is not called and the user half sees a failed allocation */
		kc_sb_addf(b, "if (kc_wire_alloc_check(kcut_rt, %s, %s, __func__))\n\t\tkcut_ret = NULL;\n\telse\n\t\t",
			   q->alloc_n, q->alloc_each);
	if (f->ret.cls != EM_T_VOID)
		kc_sb_add(b, "kcut_ret = ");
	kc_sb_addf(b, "%s(", f->name);
	for (i = 0; i < f->nparams; i++) {
		const struct em_type *t = &f->params[i].t;

		if (i)
			kc_sb_add(b, ", ");
		if (f->fmt_fwd && i == f->nparams - 1)
			kc_sb_add(b, "kcut_f, kcut_m");
		else if (t->cls == EM_T_FNPTR)
			kc_sb_addf(b, "(%s)kcut_p%d", t->spelling, i);
		else if (t->cls == EM_T_PTR_SCALAR && f->word_op)
			kc_sb_addf(b, "kcut_w%d", i);
		else if (t->cls == EM_T_PTR_SCALAR && (t->count > 1 || t->count_param || t->count_expr))
			kc_sb_addf(b, "kcut_h%d ? kcut_v%d : NULL", i, i);
		else if (t->cls == EM_T_PTR_SCALAR || t->cls == EM_T_PTR_PTR)
			kc_sb_addf(b, "kcut_h%d ? &kcut_v%d : NULL", i, i);
		else
			kc_sb_addf(b, "kcut_p%d", i);
	}
	kc_sb_add(b, f->fmt_fwd ? ");\n\t}\n" : ");\n");
	if (q->ret_region) {
		gen_region_put(b, "kcut_r", "kcut_ret", "\t"); /* device region pointer (gen_region.c) */
		used_r = 1;
	} else switch (f->ret.cls) {
	case EM_T_INT:
		kc_sb_addf(b, "\tkc_xdr_put_%s(kcut_r, (uint%d_t)kcut_ret);\n", f->ret.size > 4 ? "u64" : "u32",
			   f->ret.size > 4 ? 64 : 32);
		used_r = 1;
		break;
	case EM_T_PTR_STRUCT:
		st = q->ret_st;
		if (st >= 0 && q->alloc_size)
			/* alloc_etherdev(): the object is the struct plus the driver's private area */
			kc_sb_addf(b, "\tkcut_fail(&kcut_rc, kc_wire_track_alloc(kcut_rt, kcut_ret, %s, %s));\n",
				   gen_type_struct(g, st), q->alloc_size);
		if (st >= 0)
			kc_sb_addf(b, "\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_r, (const void *)kcut_ret, %s, sizeof(*kcut_ret), 1, 0));\n",
				   gen_type_struct(g, st));
		else
			kc_sb_add(b, "\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_r, (const void *)kcut_ret, KCUT_T_OPAQUE, 1, 1, 0));\n");
		used_r = 1;
		break;
	case EM_T_VOIDPTR:
		if (q->alloc_size)
			kc_sb_addf(b, "\tkcut_fail(&kcut_rc, kc_wire_track_alloc(kcut_rt, kcut_ret, KCUT_T_OPAQUE, %s));\n",
				   q->alloc_size);
		kc_sb_add(b, "\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_r, (const void *)kcut_ret, KCUT_T_OPAQUE, 1, 1, 0));\n");
		used_r = 1;
		break;
	case EM_T_FNPTR:
		kc_sb_add(b, "\tkc_wire_put_fn(kcut_rt, kcut_r, (kc_wire_fn)kcut_ret, &kcut_rc);\n");
		used_r = 1;
		break;
	case EM_T_STRING:
		kc_sb_add(b, "\tkc_wire_put_str(kcut_rt, kcut_r, kcut_ret, &kcut_rc);\n");
		used_r = 1;
		break;
	default:
		break;
	}
	if (gen_ret_fields_enc(g, o, b, fn)) /* the returned object's fields */
		used_r = 1;
	if (seen)
		kc_sb_add(b, "\tkcut_s.n = 0;\n");
	for (i = 0; i < f->nparams; i++) {
		const struct em_type *t = &f->params[i].t;

		st = q->params[i].st;
		if (t->cls == EM_T_PTR_STRUCT && st >= 0 && q->params[i].out) {
			kc_sb_addf(b,
				   "\tif (kcut_p%d) {\n"
				   "\t\tkc_xdr_put_bool(kcut_r, 1);\n"
				   "\t\t%s(kcut_r, (void *)kcut_p%d, &kcut_s, &kcut_rc);\n"
				   "\t} else {\n"
				   "\t\tkc_xdr_put_bool(kcut_r, 0);\n"
				   "\t}\n",
				   i, gen_helper(g, o, fn, st, EM_OUT, 1), i);
			used_r = 1;
		} else if (t->cls == EM_T_PTR_PTR) {
			kc_sb_addf(b, "\tif (kcut_h%d)\n", i);
			if (st >= 0 && q->params[i].out)
				kc_sb_addf(b, "\t{\n\t\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_r, (const void *)kcut_v%d, %s, sizeof(*kcut_v%d), 1, 0));\n"
					      "\t\tif (kcut_v%d && !kcut_seen(&kcut_s, kcut_v%d)) {\n"
					      "\t\t\tkc_xdr_put_bool(kcut_r, 1);\n"
					      "\t\t\t%s(kcut_r, (void *)kcut_v%d, &kcut_s, &kcut_rc);\n"
					      "\t\t} else {\n"
					      "\t\t\tkc_xdr_put_bool(kcut_r, 0);\n"
					      "\t\t}\n\t}\n",
					   i, gen_type_struct(g, st), i, i, i, gen_helper(g, o, fn, st, EM_OUT, 1), i);
			else if (st >= 0)
				kc_sb_addf(b, "\t\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_r, (const void *)kcut_v%d, %s, sizeof(*kcut_v%d), 1, 0));\n",
					   i, gen_type_struct(g, st), i);
			else
				kc_sb_addf(b, "\t\tkcut_fail(&kcut_rc, kc_wire_put_ptr(kcut_rt, kcut_r, (const void *)kcut_v%d, KCUT_T_OPAQUE, 1, 1, 0));\n", i);
			used_r = 1;
		} else if (t->cls == EM_T_PTR_SCALAR && f->word_op) {
			/* the new value of the word, for the user half's copy */
			kc_sb_addf(b, "\tkc_xdr_put_fixed(kcut_r, (const void *)(uintptr_t)kcut_w%d, sizeof(kcut_v%d));\n",
				   i, i);
			used_r = 1;
		} else if (t->cls == EM_T_PTR_SCALAR && !t->pointee_const && (t->count_param || t->count_expr)) {
			struct kc_sb cnt = { 0 };

			handler_count(&cnt, f, t);
			kc_sb_addf(b, "\tif (kcut_h%d)\n\t\tkc_xdr_put_fixed(kcut_r, kcut_v%d, sizeof(kcut_v%d[0]) * %s);\n",
				   i, i, i, cnt.s);
			kc_sb_free(&cnt);
			used_r = 1;
		} else if (t->cls == EM_T_PTR_SCALAR && !t->pointee_const) {
			kc_sb_addf(b, "\tif (kcut_h%d)\n\t\tkc_xdr_put_fixed(kcut_r, &kcut_v%d, sizeof(kcut_v%d));\n", i, i,
				   i);
			used_r = 1;
		}
	}
	if (q->gset.n) {
		struct kc_sb gl = { 0 };

		gen_globals_code(g, &gl, fn, EM_OUT, 1, "kcut_r", "\t");
		if (gl.len) {
			kc_sb_add(b, gl.s);
			used_r = 1;
		}
		kc_sb_free(&gl);
	}
	if (!used_r)
		kc_sb_add(b, "\t(void)kcut_r;\n");
	free_arrays(b, f, "\t");
	kc_sb_add(b, "\treturn kcut_rc;\n}\n");
}

/* Body for a function of the other half that never crosses: it must not run on this half. */
void gen_absent_body(const struct gen *g, struct kc_sb *b, int fn)
{
	const struct em_func *f = &g->m->f[fn];
	int i;
	char nb[32];

	kc_sb_add(b, "{\n");
	for (i = 0; i < f->nparams; i++)
		kc_sb_addf(b, "\t(void)%s;\n", pname(&f->params[i], i, nb, sizeof(nb)));
	kc_sb_addf(b, "\tkcut_not_here(\"%s\");\n}", f->name);
}
