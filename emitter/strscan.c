/*
 * strscan.c - evidence that a `char *` / `const char *` member of a struct holds a NUL-terminated
 * string, gathered from one driver translation unit while clangscan.c has it parsed.
 *
 * The analyzer records field reads and writes but not what is stored, and nothing about
 * designated initializers of file-scope tables (`.name = "Master Playback Volume"` in an ALSA
 * snd_kcontrol_new[]). This pass walks the main file's code and counts, per struct field of
 * char-pointer type (docs/emitter.md, "Shapes", inference of strings):
 *
 *   str_lit     stores of a string literal (designated initializer or `p->f = "..."`; a
 *               conditional whose arms are literals counts as a literal; NULL counts as nothing),
 *   str_nonlit  stores of anything else (then the field may point into a buffer: not inferred),
 *   str_fmt     uses of the field as the argument of a `%s` conversion in a call with a literal
 *               format (printk, dev_err, snprintf ... in the driver's own code).
 *
 * decide.c turns the counts into the shape `string`. Positional (non-designated) initializers
 * are not looked at.
 */
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "emit_int.h"

/* Visitor: store the first child in *data. */
static enum CXChildVisitResult first_child(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	*(CXCursor *)data = c;
	return CXChildVisit_Break;
}

/* Strip implicit casts, parentheses and unexposed wrappers (one child each). */
static CXCursor strip(CXCursor c)
{
	while (c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_ParenExpr || c.kind == CXCursor_CStyleCastExpr) {
		CXCursor k = clang_getNullCursor();

		clang_visitChildren(c, first_child, &k);
		if (clang_Cursor_isNull(k))
			break;
		/* a cast's first child may be its type reference */
		if (c.kind == CXCursor_CStyleCastExpr && k.kind == CXCursor_TypeRef)
			return c;
		c = k;
	}
	return c;
}

/* Up to 4 children of a cursor, and how many there are. */
struct kids {
	CXCursor k[4];
	int n;
};

static enum CXChildVisitResult collect(CXCursor c, CXCursor parent, CXClientData data)
{
	struct kids *k = data;

	(void)parent;
	if (k->n < 4)
		k->k[k->n] = c;
	k->n++;
	return CXChildVisit_Continue;
}

/* 1: the expression is a string literal (or a ?: whose arms are literals or NULL); -1: an integer
 * literal (NULL, 0); 0: anything else. */
static int literal_kind(CXCursor e)
{
	e = strip(e);
	if (e.kind == CXCursor_StringLiteral)
		return 1;
	if (e.kind == CXCursor_IntegerLiteral)
		return -1; /* NULL / 0 */
	if (e.kind == CXCursor_ConditionalOperator) {
		struct kids k = { .n = 0 };

		clang_visitChildren(e, collect, &k);
		if (k.n == 3 && literal_kind(k.k[1]) != 0 && literal_kind(k.k[2]) != 0)
			return 1;
	}
	return 0;
}

/* The model's field for a FieldDecl cursor, if it is a char pointer of a known struct. */
static struct em_field *char_ptr_field(struct em_model *m, CXCursor fd)
{
	CXType t = clang_getCanonicalType(clang_getCursorType(fd));
	CXCursor parent;
	CXString sn, fnm;
	struct em_field *f = NULL;

	if (fd.kind != CXCursor_FieldDecl || t.kind != CXType_Pointer)
		return NULL;
	t = clang_getCanonicalType(clang_getPointeeType(t));
	if (t.kind != CXType_Char_S && t.kind != CXType_Char_U)
		return NULL;
	parent = clang_getCursorSemanticParent(fd);
	sn = clang_getCursorSpelling(parent);
	fnm = clang_getCursorSpelling(fd);
	if (clang_getCString(sn) && *clang_getCString(sn))
		f = em_field_by_name(m, em_struct_by_name(m, clang_getCString(sn)), clang_getCString(fnm));
	clang_disposeString(sn);
	clang_disposeString(fnm);
	return f;
}

/* A store of `value` into the field `fieldref` refers to: count it as literal or not. */
static void count_store(struct em_model *m, CXCursor fieldref, CXCursor value)
{
	struct em_field *f = char_ptr_field(m, clang_getCursorReferenced(fieldref));
	int k;

	if (!f)
		return;
	k = literal_kind(value);
	if (k > 0)
		f->str_lit++;
	else if (k == 0)
		f->str_nonlit++;
}

/* Is the binary operator c a plain assignment? libclang 14 has no operator kind: look at the
 * first token after the left operand. */
static int is_assign(CXTranslationUnit tu, CXCursor c, CXCursor lhs)
{
	CXToken *toks = NULL;
	unsigned n = 0, i, lend, off;
	int r = 0;

	clang_getFileLocation(clang_getRangeEnd(clang_getCursorExtent(lhs)), NULL, NULL, NULL, &lend);
	clang_tokenize(tu, clang_getCursorExtent(c), &toks, &n);
	for (i = 0; i < n; i++) {
		clang_getFileLocation(clang_getTokenLocation(tu, toks[i]), NULL, NULL, NULL, &off);
		if (off >= lend && clang_getTokenKind(toks[i]) == CXToken_Punctuation) {
			CXString s = clang_getTokenSpelling(tu, toks[i]);

			r = !strcmp(clang_getCString(s), "=");
			clang_disposeString(s);
			break;
		}
	}
	clang_disposeTokens(tu, toks, n);
	return r;
}

/* The printf conversions of a format, in order: 's' for %s, 'd' for anything else that takes
 * an argument ('*' widths take one each). Returns the count, at most max. */
static int conversions(const char *fmt, char *out, int max)
{
	int n = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%')
			continue;
		fmt++;
		if (*fmt == '%')
			continue;
		while (*fmt && strchr("-+ #0123456789.*hlLqjztI'", *fmt)) {
			if (*fmt == '*' && n < max)
				out[n++] = 'd';
			fmt++;
		}
		if (!*fmt)
			break;
		if (n < max)
			out[n++] = *fmt == 's' ? 's' : 'd';
	}
	return n;
}

/* A call with a literal format: count each char-pointer member passed to a %s conversion. The
 * first literal argument containing a conversion is taken as the format. */
static void scan_call(struct em_model *m, CXCursor call)
{
	int na = clang_Cursor_getNumArguments(call), i, j, nc;
	char conv[64];

	for (i = 0; i < na; i++) {
		CXCursor a = strip(clang_Cursor_getArgument(call, (unsigned)i));
		CXEvalResult ev;
		const char *fmt;

		if (a.kind != CXCursor_StringLiteral)
			continue;
		ev = clang_Cursor_Evaluate(a);
		fmt = ev && clang_EvalResult_getKind(ev) == CXEval_StrLiteral ? clang_EvalResult_getAsStr(ev) : NULL;
		nc = fmt && strchr(fmt, '%') ? conversions(fmt, conv, (int)sizeof(conv)) : 0;
		if (ev)
			clang_EvalResult_dispose(ev);
		if (!nc)
			continue;
		for (j = 0; j < nc && i + 1 + j < na; j++) {
			CXCursor v = strip(clang_Cursor_getArgument(call, (unsigned)(i + 1 + j)));
			struct em_field *f;

			if (conv[j] != 's' || v.kind != CXCursor_MemberRefExpr)
				continue;
			f = char_ptr_field(m, clang_getCursorReferenced(v));
			if (f)
				f->str_fmt++;
		}
		return; /* the first literal with conversions is the format */
	}
}

struct walk {
	struct em_model *m;
	CXTranslationUnit tu;
};

/* Visitor over the main file's cursors: designated initializers, assignments, calls. */
static enum CXChildVisitResult walk(CXCursor c, CXCursor parent, CXClientData data)
{
	struct walk *w = data;

	(void)parent;
	if (!clang_Location_isFromMainFile(clang_getCursorLocation(c)))
		return CXChildVisit_Continue;
	if (c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_BinaryOperator) {
		struct kids k = { .n = 0 };

		clang_visitChildren(c, collect, &k);
		/* a designated initializer: MemberRef (the designator), then the value */
		if (c.kind == CXCursor_UnexposedExpr && k.n == 2 && k.k[0].kind == CXCursor_MemberRef)
			count_store(w->m, k.k[0], k.k[1]);
		else if (c.kind == CXCursor_BinaryOperator && k.n == 2 && strip(k.k[0]).kind == CXCursor_MemberRefExpr &&
			 is_assign(w->tu, c, k.k[0]))
			count_store(w->m, strip(k.k[0]), k.k[1]);
	} else if (c.kind == CXCursor_CallExpr) {
		scan_call(w->m, c);
	}
	return CXChildVisit_Recurse;
}

/* Count string evidence for char-pointer fields in the main file of tu (see the file comment). */
void em_strscan_tu(struct em_model *m, struct CXTranslationUnitImpl *tu)
{
	struct walk w = { m, tu };

	clang_visitChildren(clang_getTranslationUnitCursor(tu), walk, &w);
}
