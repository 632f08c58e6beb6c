/*
 * nullscan.c - how a driver function's body uses its pointer parameters, gathered from the tokens
 * of its body while clangscan.c has the translation unit parsed (issue 14: the kernel half refuses
 * NULL where the function it calls dereferences the pointer).
 *
 * Per parameter (struct em_func.pnull, EM_PN_*):
 *   DEREF     `p->`, `p[`, `*p` in the body;
 *   TESTED    compared or tested: `!p`, `p ==` / `!=`, `p &&` / `||` / `?`, `if (p)`, `while (p)`,
 *             and as the only argument of likely / unlikely / WARN_ON / BUG_ON / IS_ERR_OR_NULL /
 *             ZERO_OR_NULL_PTR / IS_ERR (a function that tests may take NULL on purpose);
 *   ASSIGNED  the parameter is assigned to or its address taken (`p = ...`, `&p`): what a later
 *             dereference sees may not be the argument;
 * and the calls it is passed to as a whole argument (`f(a, p)`: em_func.pass, callee name and
 * argument index), which the plan follows through driver functions and kernel imports.
 *
 * Tokens, not the AST: the raw tokens of the body (macros unexpanded), so `netdev_WARN_ONCE(p, ...)`
 * is a call with p as argument 0, and a `p->x` inside a macro's arguments counts. Flow-insensitive
 * on purpose: a test anywhere in the body (before or after a dereference) marks the parameter as
 * possibly NULL, so the facts err on the side of letting NULL through. A local copy of a parameter
 * (`struct x *q = p;`, `q = p;`, when that is the only assignment to q in the body) stands for the
 * parameter: `q->f`, `strlen(q)` are p's dereferences and passes, `if (q)` p's test.
 */
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "cxscan.h"
#include "kc_common.h"
#include "scan.h"

#define NS_MAXP 32

struct ns_ctx {
	char *pname[NS_MAXP];
	CXCursor parm[NS_MAXP];
	int np;
	unsigned char *pnull;
	/* local copies: alias[k] holds a copy of parameter aparm[k] (found in the tokens) */
	char *alias[NS_MAXP];
	int aparm[NS_MAXP];
	int na;
};

/* The parameter that local variable `name` is a copy of, -1. */
static int alias_of(const struct ns_ctx *x, const char *name)
{
	int k;

	for (k = 0; name && k < x->na; k++)
		if (!strcmp(x->alias[k], name))
			return x->aparm[k];
	return -1;
}

static enum CXChildVisitResult collect_parms(CXCursor c, CXCursor parent, CXClientData data)
{
	struct ns_ctx *x = data;
	CXString s;

	(void)parent;
	if (clang_getCursorKind(c) != CXCursor_ParmDecl)
		return CXChildVisit_Continue;
	if (x->np < NS_MAXP) {
		s = clang_getCursorSpelling(c);
		x->parm[x->np] = c;
		x->pname[x->np++] = kc_xstrdup(clang_getCString(s) ? clang_getCString(s) : "");
		clang_disposeString(s);
	}
	return CXChildVisit_Continue;
}

/* The expanded code (what macros hide: simnic's ew32(REG, v) is writel(v, hw->hw_addr + REG)): a
 * member access through a parameter, `p->f`, is a dereference. */
static enum CXChildVisitResult visit_deref(CXCursor c, CXCursor parent, CXClientData data)
{
	struct ns_ctx *x = data;

	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_MemberRefExpr) {
		CXCursor base = clang_getNullCursor(), ref;
		int j;

		clang_visitChildren(c, em_cx_first_child, &base);
		base = em_cx_strip(base, 0);
		if (!clang_Cursor_isNull(base) && clang_getCursorKind(base) == CXCursor_DeclRefExpr &&
		    clang_getCanonicalType(clang_getCursorType(clang_getCursorReferenced(base))).kind == CXType_Pointer) {
			ref = clang_getCursorReferenced(base);
			for (j = 0; j < x->np; j++)
				if (clang_equalCursors(ref, x->parm[j]))
					x->pnull[j] |= EM_PN_DEREF;
			if (x->na && clang_getCursorKind(ref) == CXCursor_VarDecl) {
				CXString s = clang_getCursorSpelling(ref);

				j = alias_of(x, clang_getCString(s));
				if (j >= 0)
					x->pnull[j] |= EM_PN_DEREF; /* through a local copy */
				clang_disposeString(s);
			}
		}
	}
	return CXChildVisit_Recurse;
}

/* Macros and functions whose only argument they test for NULL. */
static int test_macro(const char *s)
{
	static const char *const names[] = {
		"likely", "unlikely", "WARN_ON", "WARN_ON_ONCE", "BUG_ON", "IS_ERR_OR_NULL", "ZERO_OR_NULL_PTR",
		"IS_ERR", "PTR_ERR_OR_ZERO", "if", "while", "WARN", "WARN_ONCE",
	};
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return 1;
	return 0;
}

static int is_keyword(const char *s)
{
	static const char *const kw[] = { "if", "while", "for", "switch", "return", "sizeof", "typeof", "__typeof__",
					  "do", "case", "else" };
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(kw); i++)
		if (!strcmp(s, kw[i]))
			return 1;
	return 0;
}

static void add_pass(struct em_func *f, int j, const char *callee, int arg)
{
	int i;

	for (i = 0; i < f->npass; i++)
		if (f->pass[i].param == j && f->pass[i].arg == arg && !strcmp(f->pass[i].callee, callee))
			return;
	f->pass = kc_xrealloc(f->pass, (size_t)(f->npass + 1) * sizeof(*f->pass));
	f->pass[f->npass].param = j;
	f->pass[f->npass].arg = arg;
	f->pass[f->npass].callee = kc_xstrdup(callee);
	f->npass++;
}

/* Local copies of parameters: `q = p ;` or `q = p ,` (a declaration's initializer too) where p is
 * a parameter, q is not, and nothing else in the body assigns q, takes its address or steps it. */
static void find_aliases(struct ns_ctx *x, char **sp, const CXTokenKind *kind, unsigned n)
{
	unsigned i, k;
	int j;

	for (i = 1; i + 2 < n; i++) {
		if (kind[i - 1] != CXToken_Identifier || strcmp(sp[i], "=") || kind[i + 1] != CXToken_Identifier ||
		    (strcmp(sp[i + 2], ";") && strcmp(sp[i + 2], ",")) || (i >= 2 && (!strcmp(sp[i - 2], ".") ||
		    !strcmp(sp[i - 2], "->"))) || x->na == NS_MAXP)
			continue;
		for (j = 0; j < x->np && strcmp(sp[i + 1], x->pname[j]); j++)
			;
		if (j == x->np || alias_of(x, sp[i - 1]) >= 0)
			continue;
		for (k = 0; k < (unsigned)x->np && strcmp(sp[i - 1], x->pname[k]); k++)
			;
		if (k < (unsigned)x->np)
			continue; /* a parameter assigned: ASSIGNED, not a copy */
		/* the only assignment to it, never stepped, its address never taken */
		for (k = 0; k < n; k++) {
			const char *prev = k ? sp[k - 1] : "", *next = k + 1 < n ? sp[k + 1] : "";

			if (k == i - 1 || kind[k] != CXToken_Identifier || strcmp(sp[k], sp[i - 1]) || !strcmp(prev, ".") ||
			    !strcmp(prev, "->"))
				continue;
			if (!strcmp(next, "=") || !strcmp(next, "++") || !strcmp(next, "--") || !strcmp(next, "+=") ||
			    !strcmp(next, "-=") || !strcmp(prev, "++") || !strcmp(prev, "--") || !strcmp(prev, "&"))
				break;
		}
		if (k < n)
			continue;
		x->alias[x->na] = kc_xstrdup(sp[i - 1]);
		x->aparm[x->na++] = j;
	}
}

void em_nullscan_def(struct em_func *f, CXCursor fn, CXCursor body)
{
	CXTranslationUnit tu = clang_Cursor_getTranslationUnit(fn);
	struct ns_ctx x;
	CXToken *toks = NULL;
	unsigned n = 0, i;
	char **sp;
	CXTokenKind *kind;
	int j;

	memset(&x, 0, sizeof(x));
	if (f->pnull)
		return; /* one definition (a header seen by several TUs is not a driver definition) */
	clang_visitChildren(fn, collect_parms, &x);
	f->pnull = kc_xcalloc((size_t)(x.np ? x.np : 1), 1);
	f->npnull = x.np;
	x.pnull = f->pnull;
	clang_tokenize(tu, clang_getCursorExtent(body), &toks, &n);
	sp = kc_xcalloc((size_t)n + 1, sizeof(*sp));
	kind = kc_xcalloc((size_t)n + 1, sizeof(*kind));
	for (i = 0; i < n; i++) {
		CXString s = clang_getTokenSpelling(tu, toks[i]);

		sp[i] = kc_xstrdup(clang_getCString(s) ? clang_getCString(s) : "");
		kind[i] = clang_getTokenKind(toks[i]);
		clang_disposeString(s);
	}
#define TOK(k) ((k) < n ? sp[k] : "")
	find_aliases(&x, sp, kind, n);
	clang_visitChildren(body, visit_deref, &x);
	for (i = 0; i < n; i++) {
		const char *prev = i ? sp[i - 1] : "", *next = TOK(i + 1);

		if (kind[i] != CXToken_Identifier)
			continue;
		for (j = 0; j < x.np; j++)
			if (!strcmp(sp[i], x.pname[j]))
				break;
		if (j == x.np && !strcmp(next, "=") && alias_of(&x, sp[i]) >= 0)
			continue; /* `q = p`: the copy being made */
		if (j == x.np && strcmp(prev, ".") && strcmp(prev, "->") && alias_of(&x, sp[i]) >= 0)
			j = alias_of(&x, sp[i]); /* a local copy of parameter j */
		if (j == x.np || !strcmp(prev, ".") || !strcmp(prev, "->"))
			continue; /* not a parameter, or a member of the same name */
		if (!strcmp(next, "->") || !strcmp(next, "["))
			f->pnull[j] |= EM_PN_DEREF;
		if (!strcmp(prev, "*") && i >= 1) {
			/* unary *: what precedes it is not an operand */
			const char *pp = i >= 2 ? sp[i - 2] : "";
			CXTokenKind pk = i >= 2 ? kind[i - 2] : CXToken_Punctuation;

			if ((pk == CXToken_Punctuation && strcmp(pp, ")") && strcmp(pp, "]")) ||
			    (pk == CXToken_Keyword && strcmp(pp, "sizeof")))
				f->pnull[j] |= EM_PN_DEREF;
		}
		if (((!strcmp(prev, "!") || !strcmp(prev, "==") || !strcmp(prev, "!=") || !strcmp(prev, "&&") ||
		      !strcmp(prev, "||")) && strcmp(next, "->") && strcmp(next, "[") && strcmp(next, ".")) ||
		    !strcmp(next, "==") || !strcmp(next, "!=") || !strcmp(next, "&&") || !strcmp(next, "||") ||
		    !strcmp(next, "?"))
			f->pnull[j] |= EM_PN_TESTED;
		if (!strcmp(next, "=") || !strcmp(next, "++") || !strcmp(next, "--") || !strcmp(next, "+=") ||
		    !strcmp(next, "-=") || !strcmp(prev, "++") || !strcmp(prev, "--"))
			f->pnull[j] |= EM_PN_ASSIGNED;
		if (!strcmp(prev, "&") && i >= 2 && kind[i - 2] == CXToken_Punctuation && strcmp(sp[i - 2], ")") &&
		    strcmp(sp[i - 2], "]") && strcmp(next, "->") && strcmp(next, "[") && strcmp(next, "."))
			f->pnull[j] |= EM_PN_ASSIGNED; /* its address: may be written through */
		/* a whole argument of a call: f(.., p, ..) */
		if ((!strcmp(prev, "(") || !strcmp(prev, ",")) && (!strcmp(next, ")") || !strcmp(next, ","))) {
			unsigned k = i;
			int depth = 0, arg = 0;

			while (k-- > 0) {
				if (!strcmp(sp[k], ")") || !strcmp(sp[k], "]") || !strcmp(sp[k], "}"))
					depth++;
				else if (!strcmp(sp[k], "(") || !strcmp(sp[k], "[") || !strcmp(sp[k], "{")) {
					if (!depth)
						break;
					depth--;
				} else if (!depth && !strcmp(sp[k], ",")) {
					arg++;
				}
			}
			if (k < n && k > 0 && !strcmp(sp[k], "(") &&
			    (kind[k - 1] == CXToken_Identifier || kind[k - 1] == CXToken_Keyword)) {
				const char *callee = sp[k - 1];
				const char *before = k >= 2 ? sp[k - 2] : "";

				if (test_macro(callee) && !arg && !strcmp(next, ")"))
					f->pnull[j] |= EM_PN_TESTED;
				else if (!is_keyword(callee) && strcmp(before, ".") && strcmp(before, "->"))
					add_pass(f, j, callee, arg);
			}
		}
	}
#undef TOK
	for (i = 0; i < n; i++)
		free(sp[i]);
	free(sp);
	free(kind);
	if (toks)
		clang_disposeTokens(tu, toks, n);
	for (j = 0; j < x.np; j++)
		free(x.pname[j]);
	for (j = 0; j < x.na; j++)
		free(x.alias[j]);
}
