/*
 * shapescan.c - evidence for the shape of an embedded union, gathered from one driver translation
 * unit while clangscan.c has it parsed (docs/emitter.md, "Shapes", "Unions": inferred
 * discriminators).
 *
 * A union holding pointers crosses only with a discriminator: the integer field beside it whose
 * value says which member is active. Drivers say so in their own code:
 *
 *	switch (opt->type) {
 *	case range_option:  ... opt->arg.r.min ...
 *	case list_option:   ... opt->arg.l.nr ... opt->arg.l.p[i] ...
 *	}
 *
 * For every switch whose condition is a member D of a struct S (`x->D`, `x.D`), this pass records,
 * per case label V, the members M of every union field U of S that the statements under that
 * label reach through the same object (`x->U.M`). plan_shapes.c turns that into the shape
 * `union D V=M ...` of S.U when every label names one member and no two scans disagree. Labels are
 * enum constants or integer literals (their spelling is kept: the generated code compiles it in
 * the same TU); `default:` and fallthrough into it are not cases.
 *
 * Second, stores into pointer members of the driver's structs (designated initializers and
 * assignments): a store of a static or file-scope array `arr[N]` whose element type is the
 * pointee's counts as an array store of length N; NULL counts as nothing; anything else, and any
 * positional initializer of the struct (its values cannot be matched to members with certainty
 * here), counts as another store. plan_shapes.c gives a field whose stores are all arrays of one
 * length N the shape `array N`.
 *
 * Fourth (after the streaming-DMA part below), stores into an element of an array of pointers
 * (`tp->tx_buf[i] = &tp->tx_bufs[i * TX_BUF_SIZE]`, `... = tp->tx_bufs + off`): a store of a pointer
 * into the memory a pointer member B points to counts for B; NULL counts as nothing; anything else
 * (another member, a local, a call; `A[i] += n`, `A[i]++`; an initializer of the array) as another
 * store. plan_shapes.c gives an array whose stores all point into one member that is a DMA-coherent
 * buffer (or a register window) that member's shape, element by element: such pointers have the
 * buffer's extent, they cross as (region, offset), which the kernel half checks against the region
 * whatever the scan saw. Not seen: stores through the array's address (memcpy into it, a pointer
 * to an element kept and written later).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "cxscan.h"
#include "scan.h"

static CXCursor strip(CXCursor c)
{
	return em_cx_strip(c, 0);
}

/* `x->F` / `x.F` with F a member of a named struct: the struct's name, F's cursor and the root
 * variable x (its declaration). 0 if e is not that. */
static int member_of(CXCursor e, CXString *sname, CXCursor *field, CXCursor *root)
{
	CXCursor fd, parent, b;
	struct em_kids k = { .n = 0 };

	e = strip(e);
	if (e.kind != CXCursor_MemberRefExpr)
		return 0;
	fd = clang_getCursorReferenced(e);
	if (fd.kind != CXCursor_FieldDecl)
		return 0;
	parent = clang_getCursorSemanticParent(fd);
	if (parent.kind != CXCursor_StructDecl || clang_Cursor_isAnonymous(parent))
		return 0;
	clang_visitChildren(e, em_cx_collect, &k);
	if (k.n < 1)
		return 0;
	b = strip(k.k[0]);
	if (b.kind != CXCursor_DeclRefExpr)
		return 0;
	*root = clang_getCursorReferenced(b);
	*field = fd;
	*sname = clang_getCursorSpelling(parent);
	return 1;
}

struct sw {
	struct em_model *m;
	int st;               /* struct S */
	CXCursor root;        /* the object x of switch (x->D) */
	char *disc;           /* D */
	char labels[8][128];  /* the labels of the statements being walked */
	int nlabels;
	int bad;              /* a label we cannot spell */
};

/* Record "V=M" for union field U of S (under every current label). */
static void record(struct sw *w, struct em_field *u, const char *member)
{
	int i;

	for (i = 0; i < w->nlabels; i++) {
		struct kc_sb sb = { 0 };
		int j, dup = 0;

		kc_sb_addf(&sb, "%s=%s", w->labels[i], member);
		for (j = 0; j < u->disc_nev; j++)
			if (!strcmp(u->disc_ev[j], sb.s))
				dup = 1;
		if (dup) {
			kc_sb_free(&sb);
			continue;
		}
		u->disc_ev = kc_xrealloc(u->disc_ev, (size_t)(u->disc_nev + 1) * sizeof(*u->disc_ev));
		u->disc_ev[u->disc_nev++] = kc_sb_steal(&sb);
	}
	if (!u->disc_name)
		u->disc_name = kc_xstrdup(w->disc);
	else if (strcmp(u->disc_name, w->disc))
		u->disc_conflict = 1;
}

/* Inside one case: `x->U.M` with x the switch's object and U a union field of S. */
static enum CXChildVisitResult in_case(CXCursor c, CXCursor parent, CXClientData data)
{
	struct sw *w = data;

	(void)parent;
	if (c.kind == CXCursor_MemberRefExpr && w->nlabels) {
		struct em_kids k = { .n = 0 };
		CXCursor fd = clang_getCursorReferenced(c), ufd, root;
		CXString sn;

		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n >= 1 && fd.kind == CXCursor_FieldDecl && member_of(k.k[0], &sn, &ufd, &root)) {
			struct em_field *u = NULL;
			CXString un = clang_getCursorSpelling(ufd), mn = clang_getCursorSpelling(fd);

			if (!strcmp(clang_getCString(sn), w->m->s[w->st].name) && clang_equalCursors(root, w->root))
				u = em_field_by_name(w->m, w->st, clang_getCString(un));
			if (u && !strcmp(u->kind, "union") && u->target_st >= 0 &&
			    em_field_by_name(w->m, u->target_st, clang_getCString(mn)))
				record(w, u, clang_getCString(mn));
			clang_disposeString(sn);
			clang_disposeString(un);
			clang_disposeString(mn);
		}
	}
	return CXChildVisit_Recurse;
}

/* The spelling of a case label: an enum constant's name or a decimal literal. */
static int label(CXCursor v, char *buf, size_t cap)
{
	v = strip(v);
	if (v.kind == CXCursor_DeclRefExpr && clang_getCursorReferenced(v).kind == CXCursor_EnumConstantDecl) {
		CXString s = clang_getCursorSpelling(v);

		snprintf(buf, cap, "%s", clang_getCString(s));
		clang_disposeString(s);
		return 1;
	}
	if (v.kind == CXCursor_IntegerLiteral) {
		CXEvalResult r = clang_Cursor_Evaluate(v);

		if (!r)
			return 0;
		snprintf(buf, cap, "%lld", clang_EvalResult_getAsLongLong(r));
		clang_EvalResult_dispose(r);
		return 1;
	}
	return 0;
}

/* One statement of the switch body: a case label (possibly nested: case A: case B: stmt) sets the
 * labels, default clears them; the statement under them is walked for union members. */
static enum CXChildVisitResult body_stmt(CXCursor c, CXCursor parent, CXClientData data)
{
	struct sw *w = data;

	(void)parent;
	if (c.kind == CXCursor_CaseStmt) {
		int fresh = 1;

		while (c.kind == CXCursor_CaseStmt) {
			struct em_kids k = { .n = 0 };

			clang_visitChildren(c, em_cx_collect, &k);
			if (k.n < 2)
				return CXChildVisit_Continue;
			if (fresh)
				w->nlabels = 0, fresh = 0;
			if (w->nlabels < 8 && label(k.k[0], w->labels[w->nlabels], sizeof(w->labels[0])))
				w->nlabels++;
			else
				w->bad = 1;
			c = k.last;
		}
	} else if (c.kind == CXCursor_DefaultStmt) {
		w->nlabels = 0;
	}
	if (w->nlabels) {
		in_case(c, parent, data);
		clang_visitChildren(c, in_case, w);
	}
	return CXChildVisit_Continue;
}

/* The model's field for a FieldDecl of a named struct, if it is a data pointer. */
static struct em_field *ptr_field(struct em_model *m, CXCursor fd)
{
	CXType t = clang_getCanonicalType(clang_getCursorType(fd));
	CXCursor parent;
	CXString sn, fnm;
	struct em_field *f = NULL;

	if (fd.kind != CXCursor_FieldDecl || t.kind != CXType_Pointer)
		return NULL;
	parent = clang_getCursorSemanticParent(fd);
	if (clang_Cursor_isAnonymous(parent))
		return NULL;
	sn = clang_getCursorSpelling(parent);
	fnm = clang_getCursorSpelling(fd);
	if (clang_getCString(sn) && *clang_getCString(sn))
		f = em_field_by_name(m, em_struct_by_name(m, clang_getCString(sn)), clang_getCString(fnm));
	clang_disposeString(sn);
	clang_disposeString(fnm);
	return f && !strcmp(f->kind, "pointer") ? f : NULL;
}

static int is_null(CXCursor v)
{
	v = strip(v);
	if (v.kind == CXCursor_CStyleCastExpr) {
		struct em_kids k = { .n = 0 };

		clang_visitChildren(v, em_cx_collect, &k);
		if (k.n >= 1)
			v = strip(k.last);
	}
	if (v.kind == CXCursor_IntegerLiteral) {
		CXEvalResult r = clang_Cursor_Evaluate(v);
		long long x = r ? clang_EvalResult_getAsLongLong(r) : 1;

		if (r)
			clang_EvalResult_dispose(r);
		return x == 0;
	}
	return 0;
}

/* A store of value into the pointer member fd. */
static void array_store(struct em_model *m, CXCursor fd, CXCursor value)
{
	struct em_field *f = ptr_field(m, fd);
	CXCursor v, var;
	CXType at, pt;
	long long n;

	if (!f || is_null(value))
		return;
	v = strip(value);
	var = clang_getCursorReferenced(v);
	at = clang_getCanonicalType(clang_getCursorType(var));
	pt = clang_getCanonicalType(clang_getPointeeType(clang_getCanonicalType(clang_getCursorType(fd))));
	if (v.kind != CXCursor_DeclRefExpr || var.kind != CXCursor_VarDecl || at.kind != CXType_ConstantArray ||
	    (clang_Cursor_getStorageClass(var) != CX_SC_Static &&
	     clang_getCursorSemanticParent(var).kind != CXCursor_TranslationUnit)) {
		f->arr_other++;
		return;
	}
	n = clang_getNumElements(at);
	if (pt.kind == CXType_Void || clang_getCanonicalType(clang_getArrayElementType(at)).kind != pt.kind ||
	    clang_Type_getSizeOf(clang_getArrayElementType(at)) != clang_Type_getSizeOf(pt) || n <= 0) {
		f->arr_other++;
		return;
	}
	if (f->arr_n && f->arr_len != n)
		f->arr_other++;
	if (!f->arr_n) {
		CXString name = clang_getCursorSpelling(var);

		free(f->arr_name);
		f->arr_name = kc_xstrdup(clang_getCString(name));
		clang_disposeString(name);
	}
	f->arr_len = n;
	f->arr_n++;
}

/* Is the binary operator c (children lhs, rhs) a plain assignment `=`? */
static int is_assign(CXCursor c, CXCursor lhs)
{
	CXTranslationUnit tu = clang_Cursor_getTranslationUnit(c);
	CXSourceRange r = clang_getCursorExtent(c);
	CXSourceLocation end = clang_getRangeEnd(clang_getCursorExtent(lhs));
	CXToken *toks = NULL;
	unsigned n = 0, i, off_end, off;
	int ok = 0;

	clang_getSpellingLocation(end, NULL, NULL, NULL, &off_end);
	clang_tokenize(tu, r, &toks, &n);
	for (i = 0; i < n; i++) {
		clang_getSpellingLocation(clang_getTokenLocation(tu, toks[i]), NULL, NULL, NULL, &off);
		if (off >= off_end && clang_getTokenKind(toks[i]) == CXToken_Punctuation) {
			CXString sp = clang_getTokenSpelling(tu, toks[i]);

			ok = !strcmp(clang_getCString(sp), "=");
			clang_disposeString(sp);
			break;
		}
	}
	clang_disposeTokens(tu, toks, n);
	return ok;
}

/* A positional initializer of a struct: every pointer member of it gets an unknown store. */
static void positional(struct em_model *m, CXCursor list)
{
	CXType t = clang_getCanonicalType(clang_getCursorType(list));
	CXCursor decl = clang_getTypeDeclaration(t);
	struct em_kids k = { .n = 0 };
	CXString sn;
	int i, st, designated = 1;

	if (t.kind != CXType_Record || clang_Cursor_isAnonymous(decl))
		return;
	clang_visitChildren(list, em_cx_collect, &k);
	if (k.n > EM_KIDS_MAX)
		designated = 0; /* not looked at: counted as positional (never wrongly as arrays) */
	for (i = 0; i < k.n && i < EM_KIDS_MAX; i++) {
		struct em_kids d = { .n = 0 };

		clang_visitChildren(k.k[i], em_cx_collect, &d);
		if (!(k.k[i].kind == CXCursor_UnexposedExpr && d.n == 2 && d.k[0].kind == CXCursor_MemberRef))
			designated = 0;
	}
	if (designated || !k.n)
		return;
	sn = clang_getCursorSpelling(decl);
	st = em_struct_by_name(m, clang_getCString(sn));
	clang_disposeString(sn);
	for (i = 0; st >= 0 && i < m->s[st].nfields; i++)
		if (!strcmp(m->s[st].fields[i].kind, "pointer"))
			m->s[st].fields[i].arr_other++;
		else if (!strcmp(m->s[st].fields[i].kind, "array") && strchr(m->s[st].fields[i].type, '*'))
			m->s[st].fields[i].elem_other++;
}

/* The database's name of a record: its tag, or for an unnamed one the enclosing record's name +
 * "::<anon@LINE>" (the analyzer's record_name, visit.c); NULL when there is neither. */
static char *record_name(CXCursor decl)
{
	CXString s = clang_getCursorSpelling(decl);
	const char *n = clang_getCString(s);
	CXCursor par;
	unsigned line;
	char *pn, *r = NULL;

	if (n && *n && !strstr(n, "(anonymous") && !strstr(n, "(unnamed")) {
		r = kc_xstrdup(n);
		clang_disposeString(s);
		return r;
	}
	clang_disposeString(s);
	par = clang_getCursorSemanticParent(decl);
	if (par.kind != CXCursor_StructDecl && par.kind != CXCursor_UnionDecl)
		return NULL;
	pn = record_name(par);
	if (pn) {
		struct kc_sb sb = { 0 };

		clang_getSpellingLocation(clang_getCursorLocation(decl), NULL, &line, NULL, NULL);
		kc_sb_addf(&sb, "%s::<anon@%u>", pn, line);
		r = kc_sb_steal(&sb);
	}
	free(pn);
	return r;
}

/* The model's field for the field declaration fd of a struct or union (members of unnamed
 * unions and structs too), when the model gives it this kind ("pointer", "array"). */
static struct em_field *model_field(struct em_model *m, CXCursor fd, const char *kind)
{
	CXCursor parent = clang_getCursorSemanticParent(fd);
	CXString fnm;
	struct em_field *f = NULL;
	char *sn;

	if (parent.kind != CXCursor_StructDecl && parent.kind != CXCursor_UnionDecl)
		return NULL;
	sn = record_name(parent);
	fnm = clang_getCursorSpelling(fd);
	if (sn)
		f = em_field_by_name(m, em_struct_by_name(m, sn), clang_getCString(fnm));
	clang_disposeString(fnm);
	free(sn);
	return f && !strcmp(f->kind, kind) ? f : NULL;
}

/* The model's data-pointer field for `x->F` / `x.F` (members of unnamed unions and structs
 * too: e1000's buffer_info->rxbuf.data). */
static struct em_field *member_ptr(struct em_model *m, CXCursor e)
{
	CXCursor fd;

	e = strip(e);
	if (e.kind != CXCursor_MemberRefExpr)
		return NULL;
	fd = clang_getCursorReferenced(e);
	if (fd.kind != CXCursor_FieldDecl || clang_getCanonicalType(clang_getCursorType(fd)).kind != CXType_Pointer)
		return NULL;
	return model_field(m, fd, "pointer");
}

/*
 * Third, streaming DMA: a pointer member whose memory the driver maps for the device
 * (dma_map_single/page and their _attrs forms, the old pci_map_*): the address argument is the
 * member itself (`dma_map_page(d, bi->rxbuf.page, ..)`), or a local variable the same function
 * stores into the member (`buf = kzalloc(..); bi->rxbuf.data = buf; dma_map_single(d, buf + PAD,
 * ..)`). Casts and pointer arithmetic on the argument are looked through. The device reads or
 * writes such memory between crossings, so a copy of its bytes in the other half would be stale:
 * plan_shapes.c lets it cross as a handle only.
 */
#define DM_MAX 32
struct dmaf {
	struct em_model *m;
	char *fn;                          /* the function's name */
	CXCursor var[DM_MAX];              /* locals whose memory is mapped ... */
	char *at[DM_MAX];                  /* ... where */
	int nvar;
	struct em_field *sf[DM_MAX];       /* member = local stores */
	CXCursor sv[DM_MAX];
	int nst;
};

static int is_dma_map(CXCursor call)
{
	static const char *const names[] = { "dma_map_single", "dma_map_single_attrs", "dma_map_page",
					     "dma_map_page_attrs", "pci_map_single", "pci_map_page" };
	CXString s = clang_getCursorSpelling(call);
	size_t i;
	int hit = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (clang_getCString(s) && !strcmp(clang_getCString(s), names[i]))
			hit = 1;
	clang_disposeString(s);
	return hit && clang_Cursor_getNumArguments(call) >= 2;
}

/* The pointer an address expression is based on: casts, parentheses and `p + n` / `p - n`
 * looked through. */
static CXCursor addr_base(CXCursor e)
{
	int depth;

	for (depth = 0; depth < 8; depth++) {
		struct em_kids k = { .n = 0 };

		e = em_cx_strip(e, 1);
		if (e.kind != CXCursor_BinaryOperator)
			break;
		clang_visitChildren(e, em_cx_collect, &k);
		if (k.n != 2)
			break;
		if (clang_getCanonicalType(clang_getCursorType(strip(k.k[0]))).kind == CXType_Pointer)
			e = k.k[0];
		else if (clang_getCanonicalType(clang_getCursorType(strip(k.k[1]))).kind == CXType_Pointer)
			e = k.k[1];
		else
			break;
	}
	return e;
}

static void dma_mark(struct em_field *f, const char *at)
{
	if (!f->dmamap_n++)
		f->dmamap_at = kc_xstrdup(at);
}

static enum CXChildVisitResult dma_walk(CXCursor c, CXCursor parent, CXClientData data)
{
	struct dmaf *d = data;

	(void)parent;
	if (c.kind == CXCursor_CallExpr && is_dma_map(c)) {
		CXCursor a = addr_base(clang_Cursor_getArgument(c, 1));
		CXString cs = clang_getCursorSpelling(c);
		CXFile file = NULL;
		unsigned line = 0;
		struct em_field *f = member_ptr(d->m, a);
		struct kc_sb at = { 0 };
		CXString fname;

		clang_getExpansionLocation(clang_getCursorLocation(c), &file, &line, NULL, NULL);
		fname = clang_getFileName(file);
		kc_sb_addf(&at, "%s at %s:%u in %s", clang_getCString(cs),
			   clang_getCString(fname) ? clang_getCString(fname) : "?", line, d->fn);
		clang_disposeString(fname);
		clang_disposeString(cs);
		if (f) {
			dma_mark(f, at.s);
		} else if (strip(a).kind == CXCursor_DeclRefExpr && d->nvar < DM_MAX &&
			   clang_getCursorReferenced(strip(a)).kind == CXCursor_VarDecl) {
			d->var[d->nvar] = clang_getCursorReferenced(strip(a));
			d->at[d->nvar++] = kc_sb_steal(&at);
		}
		kc_sb_free(&at);
	} else if (c.kind == CXCursor_BinaryOperator && d->nst < DM_MAX) {
		struct em_kids k = { .n = 0 };

		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n == 2 && strip(k.k[0]).kind == CXCursor_MemberRefExpr && is_assign(c, k.k[0])) {
			struct em_field *f = member_ptr(d->m, k.k[0]);
			CXCursor v = em_cx_strip(k.k[1], 1);

			if (f && v.kind == CXCursor_DeclRefExpr && clang_getCursorReferenced(v).kind == CXCursor_VarDecl) {
				d->sf[d->nst] = f;
				d->sv[d->nst++] = clang_getCursorReferenced(v);
			}
		}
	}
	return CXChildVisit_Recurse;
}

/* One function definition: its mappings, resolved against its member = local stores. */
static void dma_func(struct em_model *m, CXCursor fn)
{
	struct dmaf d = { .m = m };
	CXString name = clang_getCursorSpelling(fn);
	int i, j;

	d.fn = kc_xstrdup(clang_getCString(name));
	clang_disposeString(name);
	clang_visitChildren(fn, dma_walk, &d);
	for (i = 0; i < d.nst; i++)
		for (j = 0; j < d.nvar; j++)
			if (clang_equalCursors(d.sv[i], d.var[j])) {
				dma_mark(d.sf[i], d.at[j]);
				break;
			}
	for (j = 0; j < d.nvar; j++)
		free(d.at[j]);
	free(d.fn);
}

/* ---- stores into arrays of pointers (the file comment, "Fourth") ---- */

/* Is c the unary operator `&`? (libclang before 17 does not expose the opcode: its first token.) */
static int is_addr_of(CXCursor c)
{
	CXTranslationUnit tu = clang_Cursor_getTranslationUnit(c);
	CXToken *toks = NULL;
	unsigned n = 0;
	int amp = 0;

	if (c.kind != CXCursor_UnaryOperator)
		return 0;
	clang_tokenize(tu, clang_getCursorExtent(c), &toks, &n);
	if (n) {
		CXString sp = clang_getTokenSpelling(tu, toks[0]);

		amp = !strcmp(clang_getCString(sp), "&");
		clang_disposeString(sp);
	}
	clang_disposeTokens(tu, toks, n);
	return amp;
}

/* Is the unary operator c an increment or decrement (its first or last token ++ / --)? */
static int is_incdec(CXCursor c)
{
	CXTranslationUnit tu = clang_Cursor_getTranslationUnit(c);
	CXToken *toks = NULL;
	unsigned n = 0, i;
	int hit = 0;

	if (c.kind != CXCursor_UnaryOperator)
		return 0;
	clang_tokenize(tu, clang_getCursorExtent(c), &toks, &n);
	for (i = 0; n && i < 2; i++) {
		CXString sp = clang_getTokenSpelling(tu, toks[i ? n - 1 : 0]);

		hit |= !strcmp(clang_getCString(sp), "++") || !strcmp(clang_getCString(sp), "--");
		clang_disposeString(sp);
	}
	clang_disposeTokens(tu, toks, n);
	return hit;
}

/* The model's field for member fd if it is an array of pointers, else NULL. */
static struct em_field *ptr_array_field(struct em_model *m, CXCursor fd)
{
	CXType t = clang_getCanonicalType(clang_getCursorType(fd));

	if (fd.kind != CXCursor_FieldDecl || t.kind != CXType_ConstantArray ||
	    clang_getCanonicalType(clang_getArrayElementType(t)).kind != CXType_Pointer)
		return NULL;
	return model_field(m, fd, "array");
}

/* ... for `x->A` / `x.A`. */
static struct em_field *ptr_array_member(struct em_model *m, CXCursor e)
{
	e = strip(e);
	return e.kind == CXCursor_MemberRefExpr ? ptr_array_field(m, clang_getCursorReferenced(e)) : NULL;
}

/* `A[i] += n`, `A[i]++` ... with A an array of pointers: a store of something else. */
static void elem_modify(struct em_model *m, CXCursor sub)
{
	struct em_kids k = { .n = 0 };
	struct em_field *f;

	sub = strip(sub);
	if (sub.kind != CXCursor_ArraySubscriptExpr)
		return;
	clang_visitChildren(sub, em_cx_collect, &k);
	if (k.n == 2 && (f = ptr_array_member(m, k.k[0])) != NULL)
		f->elem_other++;
}

/* `A[i] = value` with A an array of pointers (sub: the subscript expression). */
static void elem_store(struct em_model *m, CXCursor sub, CXCursor value)
{
	struct em_kids k = { .n = 0 };
	struct em_field *f, *b = NULL;
	CXCursor v;

	clang_visitChildren(strip(sub), em_cx_collect, &k);
	if (k.n != 2 || !(f = ptr_array_member(m, k.k[0])) || is_null(value))
		return;
	v = em_cx_strip(value, 1);
	if (is_addr_of(v)) {
		/* &B[k] */
		struct em_kids a = { .n = 0 }, s2 = { .n = 0 };

		clang_visitChildren(v, em_cx_collect, &a);
		if (a.n == 1 && strip(a.k[0]).kind == CXCursor_ArraySubscriptExpr) {
			clang_visitChildren(strip(a.k[0]), em_cx_collect, &s2);
			if (s2.n == 2)
				b = member_ptr(m, s2.k[0]);
		}
	} else {
		/* B, B + k, (T *)B + k */
		b = member_ptr(m, addr_base(v));
	}
	if (!b || (f->elem_into && f->elem_into != b->gidx + 1)) {
		f->elem_other++;
		return;
	}
	if (!f->elem_into) {
		CXFile file = NULL;
		unsigned line = 0;
		CXString fname;
		struct kc_sb at = { 0 };

		clang_getExpansionLocation(clang_getCursorLocation(sub), &file, &line, NULL, NULL);
		fname = clang_getFileName(file);
		kc_sb_addf(&at, "%s:%u", clang_getCString(fname) ? clang_getCString(fname) : "?", line);
		clang_disposeString(fname);
		f->elem_into = b->gidx + 1;
		f->elem_at = kc_sb_steal(&at);
	}
	f->elem_n++;
}

/* ---- parameter extents (docs/emitter.md, "Parameter extents") ----
 *
 * For each pointer parameter P of a driver function definition: how the body indexes it. `P[v]`
 * where the body compares `v < N` (`N > v`) with N an integer parameter is loop evidence for "P
 * has N elements" (`for (i = 0; i < words; i++) data[i] = ...`); `P[k]` with k a constant says
 * "at least k + 1"; P passed as it is to a call is call evidence (the callee's parameter, and which
 * of this function's integer parameters go to which of the callee's arguments), resolved by
 * plan_shapes.c against what is known of the callee; any other index, and pointer arithmetic on
 * P, is evidence that nothing here decides. */

#define EXT_MAXP 16
#define EXT_MAXB 32
#define EXT_MAXS 64

struct extf {
	struct em_model *m;
	int fi;                    /* model function */
	CXCursor parm[EXT_MAXP];
	int np;
	CXCursor bvar[EXT_MAXB];   /* `v < N` pairs */
	int bparm[EXT_MAXB];
	int nb;
	struct { int p; CXCursor v; CXCursor at; } sv[EXT_MAXS]; /* P[v] with v a variable */
	int nsv;
};

/* The operator token of binary operator c (children lhs, rhs) into op. */
static void binop(CXCursor c, CXCursor lhs, char *op, size_t cap)
{
	CXTranslationUnit tu = clang_Cursor_getTranslationUnit(c);
	CXSourceLocation end = clang_getRangeEnd(clang_getCursorExtent(lhs));
	CXToken *toks = NULL;
	unsigned n = 0, i, off_end, off;

	op[0] = 0;
	clang_getSpellingLocation(end, NULL, NULL, NULL, &off_end);
	clang_tokenize(tu, clang_getCursorExtent(c), &toks, &n);
	for (i = 0; i < n; i++) {
		clang_getSpellingLocation(clang_getTokenLocation(tu, toks[i]), NULL, NULL, NULL, &off);
		if (off >= off_end && clang_getTokenKind(toks[i]) == CXToken_Punctuation) {
			CXString sp = clang_getTokenSpelling(tu, toks[i]);

			snprintf(op, cap, "%s", clang_getCString(sp));
			clang_disposeString(sp);
			break;
		}
	}
	clang_disposeTokens(tu, toks, n);
}

/* The parameter (index) e names, casts and parentheses looked through; -1 if none. */
static int ext_parm(const struct extf *x, CXCursor e)
{
	CXCursor d;
	int i;

	e = em_cx_strip(e, 1);
	if (e.kind != CXCursor_DeclRefExpr)
		return -1;
	d = clang_getCursorReferenced(e);
	for (i = 0; i < x->np; i++)
		if (clang_equalCursors(d, x->parm[i]))
			return i;
	return -1;
}

static int is_ptr(CXCursor c)
{
	return clang_getCanonicalType(clang_getCursorType(c)).kind == CXType_Pointer;
}

static int is_intparm(const struct extf *x, int i)
{
	return i >= 0 && x->fi >= 0 && i < x->m->f[x->fi].nparams && x->m->f[x->fi].params[i].t.cls == EM_T_INT;
}

/* Bytes of what pointer type t points to (void and unknown: 1). */
static int pointee_size(CXType t)
{
	long long n = clang_Type_getSizeOf(clang_getPointeeType(clang_getCanonicalType(t)));

	return n > 0 && n < 1 << 20 ? (int)n : 1;
}

static struct em_ext *ext_add(struct extf *x, int p, enum em_ext_kind kind, int n, CXCursor at)
{
	struct em_model *m = x->m;
	struct em_ext *e;
	CXFile file = NULL;
	CXString fname;

	m->ext = kc_xrealloc(m->ext, (size_t)(m->next + 1) * sizeof(*m->ext));
	e = &m->ext[m->next++];
	memset(e, 0, sizeof(*e));
	e->func = x->fi;
	e->param = p;
	e->kind = kind;
	e->n = n;
	e->esize = pointee_size(clang_getCursorType(x->parm[p]));
	clang_getExpansionLocation(clang_getCursorLocation(at), &file, &e->line, &e->col, NULL);
	fname = clang_getFileName(file);
	e->file = kc_xstrdup(clang_getCString(fname) ? clang_getCString(fname) : "?");
	clang_disposeString(fname);
	return e;
}

static enum CXChildVisitResult ext_walk(CXCursor c, CXCursor parent, CXClientData data)
{
	struct extf *x = data;
	struct em_kids k = { .n = 0 };
	int p;

	(void)parent;
	if (c.kind == CXCursor_ArraySubscriptExpr) {
		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n == 2 && (p = ext_parm(x, k.k[0])) >= 0 && is_ptr(x->parm[p])) {
			CXCursor ix = em_cx_strip(k.k[1], 1);
			CXEvalResult r = clang_Cursor_Evaluate(ix);

			if (r && clang_EvalResult_getKind(r) == CXEval_Int) {
				long long v = clang_EvalResult_getAsLongLong(r);

				ext_add(x, p, v >= 0 && v < 65536 ? EM_EXT_CONST : EM_EXT_UNKNOWN, (int)v + 1, c);
			} else if (ix.kind == CXCursor_DeclRefExpr && x->nsv < EXT_MAXS) {
				x->sv[x->nsv].p = p;
				x->sv[x->nsv].v = clang_getCursorReferenced(ix);
				x->sv[x->nsv++].at = c;
			} else {
				ext_add(x, p, EM_EXT_UNKNOWN, 0, c);
			}
			if (r)
				clang_EvalResult_dispose(r);
			clang_visitChildren(k.k[1], ext_walk, x);
			return CXChildVisit_Continue;
		}
	} else if (c.kind == CXCursor_BinaryOperator || c.kind == CXCursor_CompoundAssignOperator) {
		char op[8];

		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n != 2)
			return CXChildVisit_Recurse;
		binop(c, k.k[0], op, sizeof(op));
		if ((!strcmp(op, "<") || !strcmp(op, ">")) && x->nb < EXT_MAXB) {
			CXCursor v = em_cx_strip(k.k[op[0] == '<' ? 0 : 1], 1), bound = k.k[op[0] == '<' ? 1 : 0];
			int n = ext_parm(x, bound);

			if (v.kind == CXCursor_DeclRefExpr && is_intparm(x, n)) {
				x->bvar[x->nb] = clang_getCursorReferenced(v);
				x->bparm[x->nb++] = n;
			} else if (v.kind == CXCursor_DeclRefExpr) {
				/* `v < K`, K a constant: P[v] has at least K elements (-K - 1 below) */
				CXEvalResult r = clang_Cursor_Evaluate(bound);

				if (r && clang_EvalResult_getKind(r) == CXEval_Int && clang_EvalResult_getAsLongLong(r) > 0 &&
				    clang_EvalResult_getAsLongLong(r) <= 65536) {
					x->bvar[x->nb] = clang_getCursorReferenced(v);
					x->bparm[x->nb++] = -(int)clang_EvalResult_getAsLongLong(r) - 1;
				}
				if (r)
					clang_EvalResult_dispose(r);
			}
		} else if (!strcmp(op, "=")) {
			/* P stored elsewhere (an alias walks it): nothing here says how far */
			if ((p = ext_parm(x, k.k[1])) >= 0 && is_ptr(x->parm[p]))
				ext_add(x, p, EM_EXT_UNKNOWN, 0, c);
		} else if (!strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "+=") || !strcmp(op, "-=")) {
			if ((p = ext_parm(x, k.k[0])) >= 0 && is_ptr(x->parm[p]))
				ext_add(x, p, EM_EXT_UNKNOWN, 0, c);
			else if ((p = ext_parm(x, k.k[1])) >= 0 && is_ptr(x->parm[p]))
				ext_add(x, p, EM_EXT_UNKNOWN, 0, c);
		}
	} else if (c.kind == CXCursor_UnaryOperator) {
		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n == 1 && (p = ext_parm(x, k.k[0])) >= 0 && is_ptr(x->parm[p])) {
			char op[8];
			CXTranslationUnit tu = clang_Cursor_getTranslationUnit(c);
			CXToken *toks = NULL;
			unsigned n = 0, i;

			op[0] = 0;
			clang_tokenize(tu, clang_getCursorExtent(c), &toks, &n);
			for (i = 0; i < n; i++)
				if (clang_getTokenKind(toks[i]) == CXToken_Punctuation) {
					CXString sp = clang_getTokenSpelling(tu, toks[i]);

					snprintf(op, sizeof(op), "%s", clang_getCString(sp));
					clang_disposeString(sp);
					break;
				}
			clang_disposeTokens(tu, toks, n);
			if (!strcmp(op, "++") || !strcmp(op, "--"))
				ext_add(x, p, EM_EXT_UNKNOWN, 0, c);
		}
	} else if (c.kind == CXCursor_VarDecl) {
		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n >= 1 && (p = ext_parm(x, k.last)) >= 0 && is_ptr(x->parm[p]))
			ext_add(x, p, EM_EXT_UNKNOWN, 0, c); /* `u8 *q = P;` */
	} else if (c.kind == CXCursor_CallExpr) {
		CXCursor callee = clang_getCursorReferenced(c);
		int na = clang_Cursor_getNumArguments(c), i, j;

		for (i = 0; i < na; i++) {
			struct em_ext *e;
			CXString cs;
			CXCursor cp;

			if ((p = ext_parm(x, clang_Cursor_getArgument(c, i))) < 0 || !is_ptr(x->parm[p]))
				continue;
			if (callee.kind != CXCursor_FunctionDecl)
				continue; /* through a function pointer: no evidence either way */
			e = ext_add(x, p, EM_EXT_CALL, 0, c);
			cs = clang_getCursorSpelling(callee);
			e->callee = kc_xstrdup(clang_getCString(cs) ? clang_getCString(cs) : "");
			clang_disposeString(cs);
			e->cpos = i;
			cp = clang_Cursor_getArgument(callee, (unsigned)i);
			e->csize = clang_Cursor_isNull(cp) || !is_ptr(cp) ? 0 : pointee_size(clang_getCursorType(cp));
			for (j = 0; j < na && j < 8; j++) {
				int n = ext_parm(x, clang_Cursor_getArgument(c, j));

				e->argp[j] = is_intparm(x, n) ? n + 1 : 0;
			}
		}
	}
	return CXChildVisit_Recurse;
}

/* The model index of the driver function defined at cursor fn (name, then file), -1. */
static int ext_func_index(struct em_model *m, CXCursor fn)
{
	CXString name = clang_getCursorSpelling(fn), fname;
	CXFile file = NULL;
	const char *base, *nm = clang_getCString(name);
	int i, hit = -1, nhit = 0;

	clang_getExpansionLocation(clang_getCursorLocation(fn), &file, NULL, NULL, NULL);
	fname = clang_getFileName(file);
	base = clang_getCString(fname) ? clang_getCString(fname) : "";
	base = strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
	for (i = 0; nm && i < m->nf; i++) {
		const char *fb;

		if (!m->f[i].is_defined || strcmp(m->f[i].name, nm))
			continue;
		fb = m->f[i].file ? m->f[i].file : "";
		fb = strrchr(fb, '/') ? strrchr(fb, '/') + 1 : fb;
		if (strcmp(fb, base))
			continue;
		hit = i;
		nhit++;
	}
	clang_disposeString(name);
	clang_disposeString(fname);
	return nhit == 1 ? hit : -1;
}

static void ext_func(struct em_model *m, CXCursor fn)
{
	struct extf x = { .m = m };
	int i, j, na = clang_Cursor_getNumArguments(fn);

	x.fi = ext_func_index(m, fn);
	if (x.fi < 0 || na <= 0 || na > EXT_MAXP || m->f[x.fi].nparams != na)
		return;
	for (i = 0; i < na; i++)
		x.parm[i] = clang_Cursor_getArgument(fn, (unsigned)i);
	x.np = na;
	clang_visitChildren(fn, ext_walk, &x);
	/* P[v]: bounded by a count parameter when the function compares v with one */
	for (i = 0; i < x.nsv; i++) {
		int n = INT_MIN, two = 0;

		for (j = 0; j < x.nb; j++)
			if (clang_equalCursors(x.bvar[j], x.sv[i].v)) {
				two |= n != INT_MIN && n != x.bparm[j];
				n = x.bparm[j];
			}
		if (n >= 0 && !two)
			ext_add(&x, x.sv[i].p, EM_EXT_LOOP, n, x.sv[i].at);
		else if (n != INT_MIN && !two)
			ext_add(&x, x.sv[i].p, EM_EXT_CONST, -n - 1, x.sv[i].at);
		else
			ext_add(&x, x.sv[i].p, EM_EXT_UNKNOWN, 0, x.sv[i].at);
	}
}

static enum CXChildVisitResult walk(CXCursor c, CXCursor parent, CXClientData data)
{
	struct em_model *m = data;

	(void)parent;
	if (!clang_Location_isFromMainFile(clang_getCursorLocation(c)))
		return CXChildVisit_Continue;
	if (c.kind == CXCursor_FunctionDecl && clang_isCursorDefinition(c)) {
		dma_func(m, c);
		ext_func(m, c);
	}
	if (c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_BinaryOperator) {
		struct em_kids k = { .n = 0 };

		clang_visitChildren(c, em_cx_collect, &k);
		/* a designated initializer: MemberRef (the designator), then the value */
		if (c.kind == CXCursor_UnexposedExpr && k.n == 2 && k.k[0].kind == CXCursor_MemberRef) {
			struct em_field *pa = ptr_array_field(m, clang_getCursorReferenced(k.k[0]));

			array_store(m, clang_getCursorReferenced(k.k[0]), k.k[1]);
			if (pa) /* an array of pointers initialized whole: not looked into */
				pa->elem_other++;
		}
		else if (c.kind == CXCursor_BinaryOperator && k.n == 2 && strip(k.k[0]).kind == CXCursor_MemberRefExpr &&
			 is_assign(c, k.k[0]))
			array_store(m, clang_getCursorReferenced(strip(k.k[0])), k.k[1]);
		else if (c.kind == CXCursor_BinaryOperator && k.n == 2 &&
			 strip(k.k[0]).kind == CXCursor_ArraySubscriptExpr && is_assign(c, k.k[0]))
			elem_store(m, k.k[0], k.k[1]);
	} else if (c.kind == CXCursor_CompoundAssignOperator || (c.kind == CXCursor_UnaryOperator && is_incdec(c))) {
		CXCursor first = clang_getNullCursor();

		clang_visitChildren(c, em_cx_first_child, &first);
		if (!clang_Cursor_isNull(first))
			elem_modify(m, first);
	} else if (c.kind == CXCursor_InitListExpr) {
		positional(m, c);
	}
	if (c.kind == CXCursor_SwitchStmt) {
		struct em_kids k = { .n = 0 };
		CXCursor fd, root;
		CXString sn;

		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n >= 2 && member_of(k.k[0], &sn, &fd, &root)) {
			struct sw w = { 0 };
			CXString dn = clang_getCursorSpelling(fd);

			w.m = m;
			w.st = em_struct_by_name(m, clang_getCString(sn));
			w.root = root;
			w.disc = kc_xstrdup(clang_getCString(dn));
			if (w.st >= 0 && k.last.kind == CXCursor_CompoundStmt)
				clang_visitChildren(k.last, body_stmt, &w);
			free(w.disc);
			clang_disposeString(sn);
			clang_disposeString(dn);
		}
	}
	return CXChildVisit_Recurse;
}

/* Record union discriminator evidence from the main file of tu (see the file comment). */
void em_shapescan_tu(struct em_model *m, struct CXTranslationUnitImpl *tu)
{
	clang_visitChildren(clang_getTranslationUnitCursor(tu), walk, m);
}
