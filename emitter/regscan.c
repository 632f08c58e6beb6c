/*
 * regscan.c - register offsets among a driver function's parameters (issue 14: a downcall such as
 * simsnd_read(chip, reg), whose body is readl(chip->regs + reg), let a hostile user half read 2 GiB
 * past the register window). Gathered from the expanded code of the body while clangscan.c has the
 * translation unit parsed (macros such as ew32(REG, v) = writel(v, hw->hw_addr + REG) included).
 *
 * For every call of a register accessor (common/kc_kapi.c's list: readl, writeb, ioread32,
 * __raw_writel ...; the port accessors inb/outl ... too, whose base is an integer port number; not
 * the byte-range ones) whose address argument mentions an integer parameter P, also through a
 * local pointer initialized with it, one fact (struct em_regarg):
 *   exact   the address is affine in P (rs_form below): B->...m + scale * P + c, c a constant
 *           in [cmin, cmax] (`regs + reg`, `regs + (reg << 2) + 4`, e1000's
 *           E1000_WRITE_REG_ARRAY with its register chosen by a condition, `p + 4` where
 *           `p = base + reg`), a member m reached from pointer parameter B; the accessor's width;
 *   other   anything else (a division, a call, a parameter the body assigns ...): the member
 *           when one is seen and why, so the plan can say which offsets it does not bound.
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
#define RS_MAXOPS 64

struct rs_ctx {
	struct em_func *f;
	CXCursor parm[RS_MAXP];
	char *pname[RS_MAXP];
	int pint[RS_MAXP];   /* an integer parameter */
	int pptr[RS_MAXP];   /* a pointer parameter */
	int np;
	CXCursor body;
	/* per accessor call: the binary operators of its address as written out by the
	 * preprocessor (regmacro.c), matched to clang's BinaryOperator nodes in order; state 0 not
	 * read yet, 1 read, -1 unreadable */
	CXCursor call;
	unsigned arg;
	int mstate, nm;
	CXCursor mcur[RS_MAXOPS];
	char mop[RS_MAXOPS][4];
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

/* The one operator token between the operands l and r of a binary operator (where both are spelled
 * in one file: written out, or both inside one macro's body), "" when it cannot be read. */
static void op_tokens(CXCursor l, CXCursor r, char *op, size_t cap);

/* Binary operators of cursor c in the order they are written (an in-order walk). */
struct rs_inorder {
	CXCursor c[RS_MAXOPS];
	int n, over;
};

static void inorder(CXCursor c, struct rs_inorder *o);

static enum CXChildVisitResult inorder_kid(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	inorder(c, data);
	return CXChildVisit_Continue;
}

static void inorder(CXCursor c, struct rs_inorder *o)
{
	if (clang_getCursorKind(c) == CXCursor_BinaryOperator) {
		struct em_kids k = { .n = 0 };

		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n != 2) {
			o->over = 1;
			return;
		}
		inorder(k.k[0], o);
		if (o->n == RS_MAXOPS)
			o->over = 1;
		else
			o->c[o->n++] = c;
		inorder(k.k[1], o);
		return;
	}
	clang_visitChildren(c, inorder_kid, o);
}

/* The accessor call's operators from its macro expansion, matched to clang's nodes. */
static void macro_ops(struct rs_ctx *x)
{
	struct rs_inorder o = { .n = 0 };
	CXString s = clang_getCursorSpelling(x->call);
	const char *callee = clang_getCString(s) ? clang_getCString(s) : "";
	int n, i;

	x->mstate = -1;
	inorder(clang_Cursor_getArgument(x->call, x->arg), &o);
	n = o.over ? -1 :
		     em_regmacro_ops(clang_Cursor_getTranslationUnit(x->call), x->call, callee, x->arg, x->mop, RS_MAXOPS);
	clang_disposeString(s);
	if (n < 0 || n != o.n)
		return;
	for (i = 0; i < n; i++)
		x->mcur[i] = o.c[i];
	x->nm = n;
	x->mstate = 1;
}

/* The operator of binary operator e with operands l and r: the token between the operands where
 * both are written in one place (op_tokens), else (an operator in a macro's body, whose place
 * libclang 14 does not give) the operator the preprocessor's expansion has at e's position among
 * the address's operators (regmacro.c). Where both read they must agree, else nothing is read:
 * "" then. */
static void op_between3(struct rs_ctx *x, CXCursor e, CXCursor l, CXCursor r, char *op, size_t cap)
{
	char tok[8];
	int i;

	op_tokens(l, r, tok, sizeof(tok));
	op[0] = 0;
	if (!x->mstate && !clang_Cursor_isNull(x->call))
		macro_ops(x);
	if (x->mstate == 1)
		for (i = 0; i < x->nm; i++)
			if (clang_equalCursors(x->mcur[i], e)) {
				if (tok[0] && strcmp(tok, x->mop[i]))
					return; /* the two readings differ: neither is trusted */
				snprintf(op, cap, "%s", x->mop[i]);
				return;
			}
	snprintf(op, cap, "%s", tok);
}

static void op_tokens(CXCursor l, CXCursor r, char *op, size_t cap)
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
static int member_base_k(const struct rs_ctx *x, CXCursor e, char **sname, char **fname, char **path, int want_int)
{
	CXCursor fd, par, root = e;
	CXString fs;
	CXType ft;
	char *steps[16];
	int nsteps = 0, j, i;
	struct kc_sb sb = { 0 };

	*sname = *fname = *path = NULL;
	if (clang_getCursorKind(e) != CXCursor_MemberRefExpr)
		return -1;
	fd = clang_getCursorReferenced(e);
	ft = clang_getCanonicalType(clang_getCursorType(fd));
	if (clang_getCursorKind(fd) != CXCursor_FieldDecl ||
	    (want_int ? !(ft.kind >= CXType_Char_U && ft.kind <= CXType_Int128) : ft.kind != CXType_Pointer))
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

static int member_base(const struct rs_ctx *x, CXCursor e, char **sname, char **fname, char **path)
{
	return member_base_k(x, e, sname, fname, path, 0);
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

/*
 * The affine form of an address (or integer) expression in one integer parameter P (issue 14):
 * base + s * P + c, c in [lo, hi]. The base is a member reached from a pointer parameter (a
 * register window; with port accessors an integer port base), also through a local pointer
 * initialized once and never assigned (`void __iomem *p = base + off; writel(v, p + 4)`); the
 * constants are what clang evaluates (E1000_RA), a condition choosing between two (e1000's
 * `mac_type >= e1000_82543 ? E1000_RA : E1000_82542_RA`: the range of both); P is scaled by
 * `<< k`, `* k` and the pointee size of the pointer it is added to. The integer term holding P
 * that the code adds to the pointer, s * P + t (t in [tlo, thi]), is what C computes in its own
 * type: the kernel half checks it stays in [0, 2^31) so that C's value is the plan's
 * (rt/region_lin.c). Anything else (a division, a narrowing cast, a term that is not a constant,
 * P twice, a parameter the body assigns) is not bounded, and why says which.
 */
struct rs_form {
	int ok;
	const char *why;
	int hasp;
	long long s, lo, hi;
	int nbase;
	char *sname, *fname, *path;
	int base;
	int nterm;
	long long tlo, thi;
};

#define RS_BIG (1LL << 40)

static void form_free(struct rs_form *f)
{
	free(f->sname);
	free(f->fname);
	free(f->path);
	f->sname = f->fname = f->path = NULL;
}

static int fail(struct rs_form *f, const char *why)
{
	if (f->ok)
		f->why = why;
	f->ok = 0;
	return 0;
}

static int big(long long v)
{
	return v > RS_BIG || v < -RS_BIG;
}

/* Does e mention parameter j? */
struct rs_ment {
	const struct rs_ctx *x;
	int j, hit, depth;
};

static int local_init(const struct rs_ctx *x, CXCursor var, CXCursor *init);
static int mentions_d(const struct rs_ctx *x, CXCursor e, int j, int depth);

static enum CXChildVisitResult ment_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	struct rs_ment *m = data;
	CXCursor init;

	(void)parent;
	if (parm_of(m->x, c) == m->j) {
		m->hit = 1;
		return CXChildVisit_Break;
	}
	/* a local pointer: what its initializer mentions (`p = base + reg; readl(p + 4)`) */
	if (clang_getCursorKind(c) == CXCursor_DeclRefExpr && m->depth < 8 &&
	    local_init(m->x, clang_getCursorReferenced(c), &init) && mentions_d(m->x, init, m->j, m->depth + 1)) {
		m->hit = 1;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Recurse;
}

static int mentions_d(const struct rs_ctx *x, CXCursor e, int j, int depth)
{
	struct rs_ment m = { x, j, 0, depth };

	if (parm_of(x, e) == j)
		return 1;
	ment_visit(e, e, &m);
	if (!m.hit)
		clang_visitChildren(e, ment_visit, &m);
	return m.hit;
}

static int mentions_p(const struct rs_ctx *x, CXCursor e, int j)
{
	return mentions_d(x, e, j, 0);
}

/* Is the variable (a parameter or a local) assigned, incremented or has its address taken
 * anywhere in the body? (Its reads go through an implicit conversion; a DeclRefExpr right
 * below an operator is written or addressed.) */
struct rs_mod {
	CXCursor var;
	int hit;
};

static enum CXChildVisitResult mod_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	struct rs_mod *m = data;
	enum CXCursorKind pk = clang_getCursorKind(parent);

	if (clang_getCursorKind(c) == CXCursor_DeclRefExpr && clang_equalCursors(clang_getCursorReferenced(c), m->var) &&
	    (pk == CXCursor_BinaryOperator || pk == CXCursor_CompoundAssignOperator || pk == CXCursor_UnaryOperator)) {
		m->hit = 1;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Recurse;
}

static int modified(const struct rs_ctx *x, CXCursor var)
{
	struct rs_mod m = { var, 0 };

	clang_visitChildren(x->body, mod_visit, &m);
	return m.hit;
}

/* A local pointer variable of the body initialized where it is declared and never assigned:
 * its initializer. */
static int local_init(const struct rs_ctx *x, CXCursor var, CXCursor *init)
{
	struct em_kids k = { .n = 0 };

	if (clang_getCursorKind(var) != CXCursor_VarDecl ||
	    clang_getCanonicalType(clang_getCursorType(var)).kind != CXType_Pointer ||
	    clang_getCursorKind(clang_getCursorSemanticParent(var)) != CXCursor_FunctionDecl)
		return 0;
	clang_visitChildren(var, em_cx_collect, &k);
	if (!k.n || !clang_isExpression(clang_getCursorKind(k.last)) || modified(x, var))
		return 0;
	*init = k.last;
	return 1;
}

/* An integer constant expression's value (clang's evaluation). */
static int constant(CXCursor e, long long *v)
{
	CXEvalResult r;
	int ok = 0;

	if (clang_getCursorKind(e) == CXCursor_ConditionalOperator)
		return 0;
	r = clang_Cursor_Evaluate(e);
	if (!r)
		return 0;
	if (clang_EvalResult_getKind(r) == CXEval_Int) {
		if (clang_EvalResult_isUnsignedInt(r)) {
			unsigned long long u = clang_EvalResult_getAsUnsigned(r);

			ok = u <= (unsigned long long)RS_BIG;
			*v = (long long)u;
		} else {
			*v = clang_EvalResult_getAsLongLong(r);
			ok = !big(*v);
		}
	}
	clang_EvalResult_dispose(r);
	return ok;
}

static int is_int_type(CXType t)
{
	t = clang_getCanonicalType(t);
	return (t.kind >= CXType_Char_U && t.kind <= CXType_Int128) || t.kind == CXType_Enum;
}

static int form_of(struct rs_ctx *x, CXCursor e, int p, int pio, int depth, struct rs_form *f);

/* f += k * g (g's base, if any, moves into f; two bases: not bounded). */
static int form_add(struct rs_form *f, struct rs_form *g, long long k)
{
	if (!g->ok)
		return fail(f, g->why);
	if (g->nbase) {
		if (f->nbase || k != 1)
			return fail(f, "two register bases");
		f->nbase = 1;
		f->base = g->base;
		f->sname = g->sname;
		f->fname = g->fname;
		f->path = g->path;
		g->sname = g->fname = g->path = NULL;
	}
	if (g->nterm) {
		if (f->nterm || k != 1)
			return fail(f, "the parameter in more than one term");
		f->nterm = g->nterm;
		f->tlo = g->tlo;
		f->thi = g->thi;
	}
	f->hasp |= g->hasp;
	f->s += k * g->s;
	if (k >= 0) {
		f->lo += k * g->lo;
		f->hi += k * g->hi;
	} else {
		f->lo += k * g->hi;
		f->hi += k * g->lo;
	}
	if (big(f->s) || big(f->lo) || big(f->hi))
		return fail(f, "constants too large");
	return 1;
}

/* f *= k (an integer form without a base). */
static int form_scale(struct rs_form *f, long long k)
{
	long long a, b;

	if (f->nbase || f->nterm)
		return fail(f, "a scaled register base");
	if (k > (1LL << 20) || k < -(1LL << 20))
		return fail(f, "a scale too large");
	f->s *= k;
	a = f->lo * k;
	b = f->hi * k;
	f->lo = a < b ? a : b;
	f->hi = a < b ? b : a;
	if (big(f->s) || big(f->lo) || big(f->hi))
		return fail(f, "constants too large");
	return 1;
}

/* The integer added to a pointer counts elements of size bytes: the form and its term in bytes
 * (the term's check in bytes is the stricter one). */
static int form_scale_term(struct rs_form *f, long long size)
{
	if (size == 1)
		return 1;
	if (f->nbase)
		return fail(f, "a scaled register base");
	if (size > (1LL << 12))
		return fail(f, "an element too large");
	f->s *= size;
	f->lo *= size;
	f->hi *= size;
	f->tlo *= size;
	f->thi *= size;
	if (big(f->s) || big(f->lo) || big(f->hi) || big(f->tlo) || big(f->thi))
		return fail(f, "constants too large");
	return 1;
}

/* A constant form (no P, no base), its single value. */
static int single(const struct rs_form *f, long long *v)
{
	if (!f->ok || f->hasp || f->nbase || f->nterm || f->lo != f->hi)
		return 0;
	*v = f->lo;
	return 1;
}

static int binary_form(struct rs_ctx *x, CXCursor e, int p, int pio, int depth, struct rs_form *f)
{
	struct em_kids k = { .n = 0 };
	struct rs_form l = { .ok = 1, .base = -1 }, r = { .ok = 1, .base = -1 };
	char op[8];
	long long v;
	int lptr, rptr, ok = 0;

	clang_visitChildren(e, em_cx_collect, &k);
	if (k.n != 2)
		return fail(f, "an operator of the address not read");
	op_between3(x, e, k.k[0], k.k[1], op, sizeof(op));
	lptr = clang_getCanonicalType(clang_getCursorType(k.k[0])).kind == CXType_Pointer;
	rptr = clang_getCanonicalType(clang_getCursorType(k.k[1])).kind == CXType_Pointer;
	form_of(x, k.k[0], p, pio, depth + 1, &l);
	form_of(x, k.k[1], p, pio, depth + 1, &r);
	if (!l.ok || !r.ok) {
		fail(f, !l.ok ? l.why : r.why);
		goto cleanup;
	}
	if (!strcmp(op, "+") || !strcmp(op, "-")) {
		long long neg = op[0] == '-' ? -1 : 1;

		if (lptr && rptr) {
			fail(f, "a difference of pointers");
			goto cleanup;
		}
		if (lptr || rptr) {
			/* pointer + integer: the integer counts elements of the pointee */
			struct rs_form *in = lptr ? &r : &l, *pt = lptr ? &l : &r;
			long long size = clang_Type_getSizeOf(clang_getPointeeType(
				clang_getCanonicalType(clang_getCursorType(lptr ? k.k[0] : k.k[1]))));

			if (size <= 0)
				size = 1; /* void * (GNU arithmetic) */
			if (rptr && neg < 0) {
				fail(f, "a pointer subtracted");
				goto cleanup;
			}
			if (in->hasp) {
				if (neg < 0) {
					fail(f, "the parameter subtracted from a register address");
					goto cleanup;
				}
				in->nterm = 1;
				in->tlo = in->lo;
				in->thi = in->hi;
			}
			if (!form_scale_term(in, size) || !form_add(f, pt, 1) || !form_add(f, in, neg))
				goto cleanup;
			ok = 1;
			goto cleanup;
		}
		ok = form_add(f, &l, 1) && form_add(f, &r, neg);
		goto cleanup;
	}
	if (!strcmp(op, "*")) {
		if (single(&r, &v))
			ok = form_scale(&l, v) && form_add(f, &l, 1);
		else if (single(&l, &v))
			ok = form_scale(&r, v) && form_add(f, &r, 1);
		else
			fail(f, "a product of two variables");
		goto cleanup;
	}
	if (!strcmp(op, "<<")) {
		if (single(&r, &v) && v >= 0 && v <= 20)
			ok = form_scale(&l, 1LL << v) && form_add(f, &l, 1);
		else
			fail(f, "a shift by a variable or a large count");
		goto cleanup;
	}
	if (!l.hasp && !r.hasp && !l.nbase && !r.nbase && constant(e, &v)) {
		f->lo += v;
		f->hi += v;
		ok = 1;
		goto cleanup;
	}
	fail(f, op[0] ? (!strcmp(op, "/") || !strcmp(op, ">>") ? "a division or a right shift" :
			 !strcmp(op, "&") || !strcmp(op, "|") || !strcmp(op, "^") ? "a bitwise operator" :
								       "an operator other than + - * <<")
		      : "an operator of the address not read");
cleanup:
	form_free(&l);
	form_free(&r);
	return ok;
}
static int form_of(struct rs_ctx *x, CXCursor e, int p, int pio, int depth, struct rs_form *f)
{
	CXType t;
	long long v;
	int j;

	if (depth > 32)
		return fail(f, "an address too deep");
	/* parentheses and implicit conversions */
	while (clang_getCursorKind(e) == CXCursor_ParenExpr || clang_getCursorKind(e) == CXCursor_UnexposedExpr) {
		struct em_kids k = { .n = 0 };

		clang_visitChildren(e, em_cx_collect, &k);
		if (k.n != 1)
			break;
		e = k.k[0];
	}
	t = clang_getCanonicalType(clang_getCursorType(e));
	if (clang_getCursorKind(e) == CXCursor_CStyleCastExpr) {
		struct em_kids k = { .n = 0 };
		CXType in;

		clang_visitChildren(e, em_cx_collect, &k);
		if (!k.n)
			return fail(f, "a cast not read");
		in = clang_getCanonicalType(clang_getCursorType(k.last));
		if (is_int_type(t) && mentions_p(x, k.last, p) &&
		    (clang_Type_getSizeOf(t) < 4 || clang_Type_getSizeOf(t) < clang_Type_getSizeOf(in)))
			return fail(f, "a narrowing cast");
		if (t.kind == CXType_Pointer && in.kind != CXType_Pointer)
			return fail(f, "an integer cast to a register address");
		return form_of(x, k.last, p, pio, depth + 1, f);
	}
	if (clang_getCursorKind(e) == CXCursor_DeclRefExpr && t.kind == CXType_Pointer && parm_of(x, e) < 0) {
		CXCursor var = clang_getCursorReferenced(e), init;

		if (!local_init(x, var, &init))
			return fail(f, "a base that is no member of a parameter (or a local assigned in the body)");
		/* the local's initializer in its place */
		return form_of(x, init, p, pio, depth + 1, f);
	}
	if (!mentions_p(x, e, p)) {
		char *sn = NULL, *fn = NULL, *pa = NULL;
		int b;

		if (is_int_type(t) && constant(e, &v)) {
			f->lo += v;
			f->hi += v;
			return 1;
		}
		b = member_base_k(x, e, &sn, &fn, &pa, pio);
		if (b >= 0) {
			if (f->nbase) {
				free(sn);
				free(fn);
				free(pa);
				return fail(f, "two register bases");
			}
			f->nbase = 1;
			f->base = b;
			f->sname = sn;
			f->fname = fn;
			f->path = pa;
			return 1;
		}
		if (clang_getCursorKind(e) == CXCursor_ConditionalOperator) {
			struct em_kids k = { .n = 0 };
			struct rs_form a = { .ok = 1, .base = -1 }, b2 = { .ok = 1, .base = -1 };
			int ok;

			clang_visitChildren(e, em_cx_collect, &k);
			if (k.n != 3)
				return fail(f, "a condition not read");
			form_of(x, k.k[1], p, pio, depth + 1, &a);
			form_of(x, k.k[2], p, pio, depth + 1, &b2);
			ok = a.ok && b2.ok && !a.nbase && !b2.nbase;
			if (ok) {
				f->lo += a.lo < b2.lo ? a.lo : b2.lo;
				f->hi += a.hi > b2.hi ? a.hi : b2.hi;
			}
			form_free(&a);
			form_free(&b2);
			return ok ? 1 : fail(f, "a condition choosing between terms that are not constants");
		}
		if (clang_getCursorKind(e) == CXCursor_BinaryOperator)
			return binary_form(x, e, p, pio, depth, f);
		return fail(f, t.kind == CXType_Pointer ? "a base that is no member of a parameter" :
							"a term that is not a constant");
	}
	j = parm_of(x, e);
	if (j == p) {
		f->hasp = 1;
		f->s += 1;
		return 1;
	}
	if (clang_getCursorKind(e) == CXCursor_BinaryOperator)
		return binary_form(x, e, p, pio, depth, f);
	return fail(f, clang_getCursorKind(e) == CXCursor_ConditionalOperator ? "a condition over the parameter" :
		       clang_getCursorKind(e) == CXCursor_CallExpr	    ? "a function call" :
		       clang_getCursorKind(e) == CXCursor_ArraySubscriptExpr ? "an array element" :
									      "an expression not read");
}

static void add_fact(struct rs_ctx *x, int param, const struct rs_form *fm, int width, int pio, CXCursor at)
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
	a->base = fm->nbase ? fm->base : -1;
	a->sname = fm->sname ? kc_xstrdup(fm->sname) : NULL;
	a->fname = fm->fname ? kc_xstrdup(fm->fname) : NULL;
	a->path = fm->path ? kc_xstrdup(fm->path) : NULL;
	a->width = width;
	a->pio = pio;
	a->exact = fm->ok;
	if (fm->ok) {
		a->scale = fm->s;
		a->cmin = fm->lo;
		a->cmax = fm->hi;
		a->tmin = fm->tlo;
		a->tmax = fm->thi;
	} else {
		a->why = kc_xstrdup(fm->why ? fm->why : "arithmetic not read");
	}
	clang_getExpansionLocation(clang_getCursorLocation(at), &file, &line, NULL, NULL);
	fn = clang_getFileName(file);
	a->file = kc_xstrdup(clang_getCString(fn) ? clang_getCString(fn) : "?");
	clang_disposeString(fn);
	a->line = line;
}

/* An accessor call: which argument is the address, and the width; 0 when not a register
 * accessor. *pio: a port accessor (inb, outl ...: the address is a port number). */
static int accessor(CXCursor call, unsigned *arg, int *pio)
{
	CXString s = clang_getCursorSpelling(call);
	const char *io = clang_getCString(s) ? em_regio(clang_getCString(s)) : NULL;
	int width = 0;

	*pio = 0;
	if (io && (!strncmp(io, "kc_io_read", 10) || !strncmp(io, "kc_io_write", 11))) {
		const char *bits = io + (io[6] == 'r' ? 10 : 11);

		width = atoi(bits) / 8;
		*arg = io[6] == 'r' ? 0 : 1;
	} else if (io && (!strncmp(io, "kc_io_in", 8) || !strncmp(io, "kc_io_out", 9))) {
		const char *bits = io + (io[6] == 'i' ? 8 : 9);

		width = atoi(bits) / 8;
		*arg = io[6] == 'i' ? 0 : 1;
		*pio = 1;
	}
	clang_disposeString(s);
	return width == 1 || width == 2 || width == 4 || width == 8 ? width : 0;
}

static void one_call(struct rs_ctx *x, CXCursor call)
{
	unsigned arg = 0;
	int pio, width = accessor(call, &arg, &pio), j;
	CXCursor e;

	if (!width || (unsigned)clang_Cursor_getNumArguments(call) <= arg)
		return;
	e = clang_Cursor_getArgument(call, arg);
	x->call = call;
	x->arg = arg;
	x->mstate = 0;
	x->nm = 0;
	for (j = 0; j < x->np; j++) {
		struct rs_form fm = { .ok = 1, .base = -1 };

		if (!x->pint[j] || !mentions_p(x, e, j))
			continue;
		if (modified(x, x->parm[j]))
			fail(&fm, "the parameter is assigned in the body");
		else
			form_of(x, e, j, pio, 0, &fm);
		if (fm.ok && pio && !fm.nterm) {
			/* a port number is an integer: the whole of it is the term C computes */
			fm.nterm = 1;
			fm.tlo = fm.lo;
			fm.thi = fm.hi;
		}
		if (fm.ok && ((!fm.nbase && !pio) || fm.s <= 0))
			fail(&fm, !fm.nbase ? "no register base found" : "the parameter subtracted or scaled by 0");
		if (!fm.ok && !fm.nbase) {
			/* the first base seen anywhere in the address, for the report */
			struct rs_find r = { .x = x, .base = -1 };

			r.base = member_base(x, strip(e), &r.sname, &r.fname, &r.path);
			if (r.base < 0)
				clang_visitChildren(e, find_member, &r);
			fm.base = r.base;
			fm.nbase = r.base >= 0;
			fm.sname = r.sname;
			fm.fname = r.fname;
			fm.path = r.path;
		}
		add_fact(x, j, &fm, width, pio, call);
		form_free(&fm);
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
	x.body = body;
	x.call = clang_getNullCursor();
	clang_visitChildren(fn, collect_parms, &x);
	if (x.np)
		clang_visitChildren(body, visit, &x);
	for (j = 0; j < x.np; j++)
		free(x.pname[j]);
}
