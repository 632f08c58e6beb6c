/*
 * regscan.c - register offsets among a driver function's parameters (issue 14: a downcall such as
 * simsnd_read(chip, reg), whose body is readl(chip->regs + reg), let a hostile user half read 2 GiB
 * past the register window). Gathered from the expanded code of the body while clangscan.c has the
 * translation unit parsed (macros such as ew32(REG, v) = writel(v, hw->hw_addr + REG) included).
 *
 * For every call of a memory-mapped register accessor (common/kc_kapi.c's list: readl, writeb,
 * ioread32, __raw_writel ...; not the port accessors, whose base is a number, nor the byte-range
 * ones) whose address argument mentions an integer parameter P, one fact (struct em_regarg):
 *   exact   the address is `B->...m + P` or `P + B->...m` (casts of either side allowed): a pointer
 *           member m reached from pointer parameter B, plus P; the accessor's width;
 *   other   any other arithmetic with P (`base + P + 4`, `base + (P << 2)`, a local base): the
 *           member when one is seen, so the plan can say which offsets it does not bound.
 * Facts only: whether m is a register window (its shape) and what the kernel half checks is the
 * plan's (plan_region.c, em_plan_regoffs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "cxscan.h"
#include "kc_common.h"
#include "scan.h"

#define RS_MAXP 32

struct rs_ctx {
	struct em_func *f;
	CXCursor parm[RS_MAXP];
	char *pname[RS_MAXP];
	int pint[RS_MAXP];   /* an integer parameter */
	int pptr[RS_MAXP];   /* a pointer parameter */
	int np;
	/* per call: the integer parameters mentioned in the address argument */
	unsigned seen;
};

static enum CXChildVisitResult collect_parms(CXCursor c, CXCursor parent, CXClientData data)
{
	struct rs_ctx *x = data;
	CXString s;
	CXType t;

	(void)parent;
	if (clang_getCursorKind(c) != CXCursor_ParmDecl || x->np == RS_MAXP)
		return CXChildVisit_Continue;
	s = clang_getCursorSpelling(c);
	t = clang_getCanonicalType(clang_getCursorType(c));
	x->parm[x->np] = c;
	x->pname[x->np] = kc_xstrdup(clang_getCString(s) ? clang_getCString(s) : "");
	x->pint[x->np] = (t.kind >= CXType_Char_U && t.kind <= CXType_Int128) || t.kind == CXType_Enum;
	x->pptr[x->np] = t.kind == CXType_Pointer;
	x->np++;
	clang_disposeString(s);
	return CXChildVisit_Continue;
}

/* Parentheses, implicit conversions and casts (a cast's type reference child skipped). */
static CXCursor strip(CXCursor c)
{
	for (;;) {
		struct em_kids k = { .n = 0 };

		if (c.kind != CXCursor_UnexposedExpr && c.kind != CXCursor_ParenExpr &&
		    c.kind != CXCursor_CStyleCastExpr)
			return c;
		clang_visitChildren(c, em_cx_collect, &k);
		if (!k.n)
			return c;
		c = k.last;
	}
}

/* The parameter a (stripped) expression names, -1. */
static int parm_of(const struct rs_ctx *x, CXCursor e)
{
	CXCursor ref;
	int j;

	if (clang_getCursorKind(e) != CXCursor_DeclRefExpr)
		return -1;
	ref = clang_getCursorReferenced(e);
	for (j = 0; j < x->np; j++)
		if (clang_equalCursors(ref, x->parm[j]))
			return j;
	return -1;
}

static enum CXChildVisitResult mentions(CXCursor c, CXCursor parent, CXClientData data)
{
	struct rs_ctx *x = data;
	int j = parm_of(x, c);

	(void)parent;
	if (j >= 0 && x->pint[j])
		x->seen |= 1u << j;
	return CXChildVisit_Recurse;
}

/* The one operator token between the operands l and r of a binary operator (where both are spelled
 * in one file: written out, or both inside one macro's body), "" when it cannot be read. */
static void op_between(CXCursor l, CXCursor r, char *op, size_t cap)
{
	CXTranslationUnit tu = clang_Cursor_getTranslationUnit(l);
	CXFile fl, fr;
	unsigned ol, or_, n = 0, i, k = 0;
	CXToken *toks = NULL;

	op[0] = 0;
	clang_getSpellingLocation(clang_getRangeEnd(clang_getCursorExtent(l)), &fl, NULL, NULL, &ol);
	clang_getSpellingLocation(clang_getRangeStart(clang_getCursorExtent(r)), &fr, NULL, NULL, &or_);
	if (!fl || !fr || !clang_File_isEqual(fl, fr) || ol > or_ || or_ - ol > 64)
		return;
	clang_tokenize(tu, clang_getRange(clang_getLocationForOffset(tu, fl, ol), clang_getLocationForOffset(tu, fr, or_)),
		       &toks, &n);
	for (i = 0; i < n; i++) {
		CXString sp = clang_getTokenSpelling(tu, toks[i]);
		const char *t = clang_getCString(sp) ? clang_getCString(sp) : "";
		unsigned off;

		clang_getSpellingLocation(clang_getTokenLocation(tu, toks[i]), NULL, NULL, NULL, &off);
		/* the operands' own closing / opening parentheses are not the operator */
		if (off >= ol && off < or_ && strcmp(t, ")") && strcmp(t, "(")) {
			if (!k++)
				snprintf(op, cap, "%s", t);
			else
				op[0] = 0;
		}
		clang_disposeString(sp);
		if (k > 1)
			break;
	}
	if (toks)
		clang_disposeTokens(tu, toks, n);
}

static char *record_name(CXCursor decl)
{
	CXString s = clang_getCursorSpelling(decl);
	const char *n = clang_getCString(s);
	char *r = NULL;

	if (n && *n && !strstr(n, "(anonymous") && !strstr(n, "(unnamed"))
		r = kc_xstrdup(n);
	clang_disposeString(s);
	return r;
}

/* A pointer member reached from a pointer parameter (`chip->regs`, `adapter->hw.hw_addr`): its
 * parameter (-1 if not such), the member's struct and name, and the C path below the parameter. */
static int member_base(const struct rs_ctx *x, CXCursor e, char **sname, char **fname, char **path)
{
	CXCursor fd, par, root = e;
	CXString fs;
	char *steps[16];
	int nsteps = 0, j, i;
	struct kc_sb sb = { 0 };

	*sname = *fname = *path = NULL;
	if (clang_getCursorKind(e) != CXCursor_MemberRefExpr)
		return -1;
	fd = clang_getCursorReferenced(e);
	if (clang_getCursorKind(fd) != CXCursor_FieldDecl ||
	    clang_getCanonicalType(clang_getCursorType(fd)).kind != CXType_Pointer)
		return -1;
	par = clang_getCursorSemanticParent(fd);
	if (par.kind != CXCursor_StructDecl && par.kind != CXCursor_UnionDecl)
		return -1;
	/* down the member chain to its root, each step "->m" or ".m" (outermost first) */
	while (clang_getCursorKind(root) == CXCursor_MemberRefExpr && nsteps < 16) {
		CXCursor k = clang_getNullCursor(), mf = clang_getCursorReferenced(root);
		CXString ms = clang_getCursorSpelling(mf);
		const char *mn = clang_getCString(ms) ? clang_getCString(ms) : "";
		struct kc_sb st = { 0 };

		clang_visitChildren(root, em_cx_first_child, &k);
		if (clang_Cursor_isNull(k) || !*mn || clang_getCursorKind(mf) != CXCursor_FieldDecl) {
			clang_disposeString(ms);
			break;
		}
		kc_sb_addf(&st, "%s%s",
			   clang_getCanonicalType(clang_getCursorType(k)).kind == CXType_Pointer ? "->" : ".", mn);
		steps[nsteps++] = kc_sb_steal(&st);
		clang_disposeString(ms);
		root = em_cx_strip(k, 0);
	}
	j = clang_getCursorKind(root) == CXCursor_MemberRefExpr ? -1 : parm_of(x, root);
	if (j >= 0 && x->pptr[j])
		*sname = record_name(par);
	if (j < 0 || !x->pptr[j] || !*sname || !nsteps || steps[nsteps - 1][0] != '-') {
		for (i = 0; i < nsteps; i++)
			free(steps[i]);
		free(*sname);
		*sname = NULL;
		return -1;
	}
	for (i = nsteps - 1; i >= 0; i--) {
		kc_sb_add(&sb, steps[i]);
		free(steps[i]);
	}
	*path = kc_sb_steal(&sb);
	fs = clang_getCursorSpelling(fd);
	*fname = kc_xstrdup(clang_getCString(fs) ? clang_getCString(fs) : "");
	clang_disposeString(fs);
	return j;
}

/* The first pointer member reached from a pointer parameter anywhere in e (for the plan's report
 * of offsets it does not bound). */
struct rs_find {
	const struct rs_ctx *x;
	int base;
	char *sname, *fname, *path;
};

static enum CXChildVisitResult find_member(CXCursor c, CXCursor parent, CXClientData data)
{
	struct rs_find *r = data;

	(void)parent;
	if (r->base >= 0)
		return CXChildVisit_Break;
	r->base = member_base(r->x, c, &r->sname, &r->fname, &r->path);
	return r->base >= 0 ? CXChildVisit_Break : CXChildVisit_Recurse;
}

static void add_fact(struct rs_ctx *x, int param, int base, char *sname, char *fname, char *path, int width, int exact,
		     CXCursor at)
{
	struct em_func *f = x->f;
	struct em_regarg *a;
	CXFile file;
	unsigned line;
	CXString fn;

	f->regarg = kc_xrealloc(f->regarg, (size_t)(f->nregarg + 1) * sizeof(*f->regarg));
	a = &f->regarg[f->nregarg++];
	memset(a, 0, sizeof(*a));
	a->param = param;
	a->base = base;
	a->sname = sname;
	a->fname = fname;
	a->path = path;
	a->width = width;
	a->exact = exact;
	clang_getExpansionLocation(clang_getCursorLocation(at), &file, &line, NULL, NULL);
	fn = clang_getFileName(file);
	a->file = kc_xstrdup(clang_getCString(fn) ? clang_getCString(fn) : "?");
	clang_disposeString(fn);
	a->line = line;
}

/* An accessor call: which argument is the address, and the width; 0 when not an MMIO accessor. */
static int accessor(CXCursor call, unsigned *arg)
{
	CXString s = clang_getCursorSpelling(call);
	const char *io = clang_getCString(s) ? em_regio(clang_getCString(s)) : NULL;
	int width = 0;

	if (io && (!strncmp(io, "kc_io_read", 10) || !strncmp(io, "kc_io_write", 11))) {
		const char *bits = io + (io[6] == 'r' ? 10 : 11);

		width = atoi(bits) / 8;
		*arg = io[6] == 'r' ? 0 : 1;
	}
	clang_disposeString(s);
	return width == 1 || width == 2 || width == 4 || width == 8 ? width : 0;
}

static void one_call(struct rs_ctx *x, CXCursor call)
{
	unsigned arg = 0;
	int width = accessor(call, &arg), j, p = -1, b = -1, exact = 0;
	CXCursor e;
	char *sname = NULL, *fname = NULL, *path = NULL;
	struct em_kids k = { .n = 0 };

	if (!width || (unsigned)clang_Cursor_getNumArguments(call) <= arg)
		return;
	e = strip(clang_Cursor_getArgument(call, arg));
	x->seen = 0;
	mentions(e, e, x);
	clang_visitChildren(e, mentions, x);
	if (!x->seen)
		return;
	/* exact: B->..m + P or P + B->..m */
	if (clang_getCursorKind(e) == CXCursor_BinaryOperator &&
	    clang_getCanonicalType(clang_getCursorType(e)).kind == CXType_Pointer) {
		clang_visitChildren(e, em_cx_collect, &k);
		if (k.n == 2) {
			CXCursor l = strip(k.k[0]), r = strip(k.k[1]);
			int pl = parm_of(x, l), pr = parm_of(x, r);
			char op[8];

			op_between(k.k[0], k.k[1], op, sizeof(op));
			if (!strcmp(op, "+")) {
				if (pr >= 0 && x->pint[pr]) {
					p = pr;
					b = member_base(x, l, &sname, &fname, &path);
				} else if (pl >= 0 && x->pint[pl]) {
					p = pl;
					b = member_base(x, r, &sname, &fname, &path);
				}
				exact = p >= 0 && b >= 0;
			}
		}
	}
	if (exact) {
		add_fact(x, p, b, sname, fname, path, width, 1, call);
		x->seen &= ~(1u << p);
	}
	/* every other parameter in the address: not bounded by an exact sum */
	for (j = 0; j < x->np; j++) {
		struct rs_find r = { .x = x, .base = -1 };

		if (!(x->seen & (1u << j)))
			continue;
		r.base = member_base(x, e, &r.sname, &r.fname, &r.path);
		if (r.base < 0)
			clang_visitChildren(e, find_member, &r);
		add_fact(x, j, r.base, r.sname, r.fname, r.path, width, 0, call);
	}
}

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_CallExpr)
		one_call(data, c);
	return CXChildVisit_Recurse;
}

void em_regscan_def(struct em_func *f, CXCursor fn, CXCursor body)
{
	struct rs_ctx x;
	int j;

	if (f->regscanned)
		return; /* one definition */
	f->regscanned = 1;
	memset(&x, 0, sizeof(x));
	x.f = f;
	clang_visitChildren(fn, collect_parms, &x);
	if (x.np)
		clang_visitChildren(body, visit, &x);
	for (j = 0; j < x.np; j++)
		free(x.pname[j]);
}
