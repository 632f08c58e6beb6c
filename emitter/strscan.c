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
 * plan_shapes.c turns the counts into the shape `string`. Stores are found in designated
 * initializers, in positional initializers of structs (`{ SPEED_10, "" }` in a table of
 * structs: the n-th value of a brace list goes to the n-th field, a designator moves the
 * position as C says) and in assignments. A positional list whose field a value cannot be
 * matched to with certainty (a brace-elided nested struct or array, a nested designator) is
 * not counted from that value on.
 */
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "cxscan.h"
#include "scan.h"

enum CXChildVisitResult em_cx_first_child(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	*(CXCursor *)data = c;
	return CXChildVisit_Break;
}

CXCursor em_cx_strip(CXCursor c, int casts)
{
	while (c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_ParenExpr ||
	       (casts && c.kind == CXCursor_CStyleCastExpr)) {
		CXCursor k = clang_getNullCursor();

		clang_visitChildren(c, em_cx_first_child, &k);
		if (clang_Cursor_isNull(k))
			break;
		/* a cast's first child may be its type reference */
		if (c.kind == CXCursor_CStyleCastExpr && k.kind == CXCursor_TypeRef)
			return c;
		c = k;
	}
	return c;
}

enum CXChildVisitResult em_cx_collect(CXCursor c, CXCursor parent, CXClientData data)
{
	struct em_kids *k = data;

	(void)parent;
	if (k->n < EM_KIDS_MAX)
		k->k[k->n] = c;
	k->last = c;
	k->n++;
	return CXChildVisit_Continue;
}

static CXCursor strip(CXCursor c)
{
	return em_cx_strip(c, 1);
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
		struct em_kids k = { .n = 0 };

		clang_visitChildren(e, em_cx_collect, &k);
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

/* A store of `value` into the field declared by fd: count it as literal or not. */
static void count_store_decl(struct em_model *m, CXCursor fd, CXCursor value)
{
	struct em_field *f = char_ptr_field(m, fd);
	int k;

	if (!f)
		return;
	k = literal_kind(value);
	if (k > 0)
		f->str_lit++;
	else if (k == 0)
		f->str_nonlit++;
}

/* A store of `value` into the field `fieldref` refers to: count it as literal or not. */
static void count_store(struct em_model *m, CXCursor fieldref, CXCursor value)
{
	count_store_decl(m, clang_getCursorReferenced(fieldref), value);
}

/* The fields of a record type in declaration order (at most KC_STR_MAXF are kept). */
#define KC_STR_MAXF 256
struct fields {
	CXCursor f[KC_STR_MAXF];
	int n;
};

static enum CXVisitorResult collect_field(CXCursor c, CXClientData data)
{
	struct fields *fs = data;

	if (fs->n < KC_STR_MAXF)
		fs->f[fs->n] = c;
	fs->n++;
	return CXVisit_Continue;
}

/* Visitor state of positional_stores: the record's fields, the next field's index, and whether
 * the position is still known. */
struct posinit {
	struct em_model *m;
	struct fields *fs;
	int next;
	int lost;
};

/* One element of a struct's brace list (syntactic form: what the source wrote). A designator
 * `.f = v` sets the position after f (the value itself is counted by walk()); a positional value
 * is a store into the next field. A value for a struct/array field that is not a brace list is
 * brace elision (or a copy): the position is lost from there on. */
static enum CXChildVisitResult positional_elem(CXCursor c, CXCursor parent, CXClientData data)
{
	struct posinit *p = data;
	CXType ft;

	(void)parent;
	if (p->lost)
		return CXChildVisit_Break;
	if (c.kind == CXCursor_UnexposedExpr) {
		struct em_kids k = { .n = 0 };

		clang_visitChildren(c, em_cx_collect, &k);
		if (k.n >= 1 && k.k[0].kind == CXCursor_MemberRef) {
			CXCursor fd = clang_getCursorReferenced(k.k[0]);
			int i;

			if (k.n != 2) { /* .a.b = v, .a[1] = v: not followed */
				p->lost = 1;
				return CXChildVisit_Break;
			}
			for (i = 0; i < p->fs->n && i < KC_STR_MAXF; i++)
				if (clang_equalCursors(p->fs->f[i], fd))
					break;
			if (i >= p->fs->n || i >= KC_STR_MAXF) {
				p->lost = 1;
				return CXChildVisit_Break;
			}
			p->next = i + 1;
			return CXChildVisit_Continue;
		}
	}
	if (p->next >= p->fs->n || p->next >= KC_STR_MAXF) {
		p->lost = 1;
		return CXChildVisit_Break;
	}
	ft = clang_getCanonicalType(clang_getCursorType(p->fs->f[p->next]));
	if ((ft.kind == CXType_Record || ft.kind == CXType_ConstantArray || ft.kind == CXType_IncompleteArray) &&
	    strip(c).kind != CXCursor_InitListExpr) {
		p->lost = 1;
		return CXChildVisit_Break;
	}
	count_store_decl(p->m, p->fs->f[p->next], c);
	p->next++;
	return CXChildVisit_Continue;
}

/* A brace list initializing a struct or union: count its positional stores into char-pointer
 * fields (see the file comment). Lists of other types (arrays, scalars) have nothing to map. */
static void positional_stores(struct em_model *m, CXCursor list)
{
	CXType t = clang_getCanonicalType(clang_getCursorType(list));
	struct fields *fs;
	struct posinit p;

	if (t.kind != CXType_Record)
		return;
	fs = kc_xmalloc(sizeof(*fs));
	fs->n = 0;
	clang_Type_visitFields(t, collect_field, fs);
	p = (struct posinit){ m, fs, 0, 0 };
	clang_visitChildren(list, positional_elem, &p);
	free(fs);
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

/* Visitor over the main file's cursors: designated and positional initializers, assignments,
 * calls. */
static enum CXChildVisitResult walk(CXCursor c, CXCursor parent, CXClientData data)
{
	struct walk *w = data;

	(void)parent;
	if (!clang_Location_isFromMainFile(clang_getCursorLocation(c)))
		return CXChildVisit_Continue;
	if (c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_BinaryOperator) {
		struct em_kids k = { .n = 0 };

		clang_visitChildren(c, em_cx_collect, &k);
		/* a designated initializer: MemberRef (the designator), then the value */
		if (c.kind == CXCursor_UnexposedExpr && k.n == 2 && k.k[0].kind == CXCursor_MemberRef)
			count_store(w->m, k.k[0], k.k[1]);
		else if (c.kind == CXCursor_BinaryOperator && k.n == 2 && strip(k.k[0]).kind == CXCursor_MemberRefExpr &&
			 is_assign(w->tu, c, k.k[0]))
			count_store(w->m, strip(k.k[0]), k.k[1]);
	} else if (c.kind == CXCursor_InitListExpr) {
		positional_stores(w->m, c);
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
