/*
 * regmacro.c - the binary operators of a register accessor's address argument as the preprocessor
 * writes them out (issue 14; regscan.c). libclang 14 tells neither a BinaryOperator's kind nor where
 * a token inside a macro's body is spelled (clang_getSpellingLocation gives the invocation), so the
 * operators of e1000's E1000_WRITE_REG_ARRAY(hw, RA, (index << 1), v), which expands to
 * writel(v, hw->hw_addr + (cond ? E1000_RA : E1000_82542_RA) + (((index << 1)) << 2)), cannot be
 * read from the AST. Here the invocation's text is expanded with the translation unit's own
 * #defines (every file it includes, read through libclang), the accessor's argument is found in the
 * result and its binary operators listed in the order they are written: the order in which an
 * in-order walk of clang's tree meets its BinaryOperator nodes. regscan.c uses that list only when
 * its length is the number of BinaryOperator nodes clang has (a cast or a construct read wrongly
 * here changes the count, and then nothing is used).
 *
 * The expansion is the C preprocessor's, simplified: object-like and function-like macros, # and
 * ## (pasting by text), no self-expansion while a macro's result is rescanned; arguments are
 * expanded after substitution (with the body), not before. #if is not evaluated: a name defined
 * twice with different text (two #ifdef branches) is not expanded at all (the reading fails),
 * so no branch the preprocessor did not take is ever read. #undef is not followed (a name
 * #undef'd and defined again differently counts as defined twice). Limits keep a runaway
 * expansion small; any failure returns -1.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clang-c/Index.h>

#include "kc_common.h"
#include "cxscan.h"
#include "scan.h"

#define MX_MAX_TOKENS 20000
#define MX_MAX_DEPTH 48
#define MX_HASH 4096

struct mx_tok {
	char *s;
};

struct mx_toks {
	struct mx_tok *t;
	int n, cap;
};

struct mx_macro {
	char *name;
	int fn;              /* function-like */
	int nparams;
	char **params;
	int variadic;        /* last parameter is __VA_ARGS__ (or NAME...) */
	int ambiguous;       /* defined more than once, differently (#ifdef branches: which one
			      * the preprocessor took is not known here): never expanded */
	struct mx_toks body;
	struct mx_macro *next;
};

static struct {
	CXTranslationUnit tu;
	struct mx_macro *h[MX_HASH];
	int built;
} tab;

static void toks_push(struct mx_toks *v, const char *s, size_t n)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->t = kc_xrealloc(v->t, (size_t)v->cap * sizeof(*v->t));
	}
	v->t[v->n].s = kc_xmalloc(n + 1);
	memcpy(v->t[v->n].s, s, n);
	v->t[v->n].s[n] = 0;
	v->n++;
}

static void toks_free(struct mx_toks *v)
{
	int i;

	for (i = 0; i < v->n; i++)
		free(v->t[i].s);
	free(v->t);
	memset(v, 0, sizeof(*v));
}

static unsigned hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % MX_HASH;
}

static struct mx_macro *lookup(const char *name)
{
	struct mx_macro *m;

	for (m = tab.h[hash(name)]; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

static int ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static int ident_char(int c)
{
	return isalnum(c) || c == '_';
}

/* Tokens of s[0..n) (comments already removed). */
static void tokenize(const char *s, size_t n, struct mx_toks *out)
{
	static const char *const puncts[] = { "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=",
					      "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##" };
	size_t i = 0, j, k;

	while (i < n) {
		int c = (unsigned char)s[i];

		if (isspace(c)) {
			i++;
			continue;
		}
		if (ident_start(c)) {
			for (j = i; j < n && ident_char((unsigned char)s[j]); j++)
				;
		} else if (isdigit(c) || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
			for (j = i + 1; j < n; j++) {
				int d = (unsigned char)s[j];

				if (ident_char(d) || d == '.')
					continue;
				if ((d == '+' || d == '-') && strchr("eEpP", s[j - 1]))
					continue;
				break;
			}
		} else if (c == '"' || c == '\'') {
			for (j = i + 1; j < n && s[j] != c; j++)
				if (s[j] == '\\')
					j++;
			j = j < n ? j + 1 : n;
		} else {
			j = i + 1;
			for (k = 0; k < KC_ARRAY_SIZE(puncts); k++)
				if (n - i >= strlen(puncts[k]) && !strncmp(s + i, puncts[k], strlen(puncts[k]))) {
					j = i + strlen(puncts[k]);
					break;
				}
		}
		toks_push(out, s + i, j - i);
		i = j;
	}
}

static int same_macro(const struct mx_macro *a, const struct mx_macro *b)
{
	int i;

	if (a->fn != b->fn || a->nparams != b->nparams || a->body.n != b->body.n)
		return 0;
	for (i = 0; i < a->nparams; i++)
		if (strcmp(a->params[i], b->params[i]))
			return 0;
	for (i = 0; i < a->body.n; i++)
		if (strcmp(a->body.t[i].s, b->body.t[i].s))
			return 0;
	return 1;
}

/* One #define line (continuations joined, comments blanked): into the table. */
static void add_define(const char *s, size_t n)
{
	size_t i = 0, j;
	struct mx_macro *m;
	unsigned h;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i == n || !ident_start((unsigned char)s[i]))
		return;
	for (j = i; j < n && ident_char((unsigned char)s[j]); j++)
		;
	m = kc_xcalloc(1, sizeof(*m));
	m->name = kc_xmalloc(j - i + 1);
	memcpy(m->name, s + i, j - i);
	m->name[j - i] = 0;
	i = j;
	if (i < n && s[i] == '(') {
		struct mx_toks p = { 0 };
		size_t e = i;
		int k;

		while (e < n && s[e] != ')')
			e++;
		if (e == n) {
			free(m->name);
			free(m);
			return;
		}
		m->fn = 1;
		tokenize(s + i + 1, e - i - 1, &p);
		for (k = 0; k < p.n; k++) {
			if (!strcmp(p.t[k].s, ","))
				continue;
			if (!strcmp(p.t[k].s, "...")) {
				m->variadic = 1;
				m->params = kc_xrealloc(m->params, (size_t)(m->nparams + 1) * sizeof(*m->params));
				m->params[m->nparams++] = kc_xstrdup("__VA_ARGS__");
				continue;
			}
			m->params = kc_xrealloc(m->params, (size_t)(m->nparams + 1) * sizeof(*m->params));
			m->params[m->nparams++] = kc_xstrdup(p.t[k].s);
		}
		toks_free(&p);
		i = e + 1;
	}
	tokenize(s + i, n - i, &m->body);
	h = hash(m->name);
	{
		struct mx_macro *o = lookup(m->name);

		/* another definition of the name: the same text is harmless, a different one (an
		 * #ifdef's other branch) makes the name unusable */
		if (o && (o->ambiguous || !same_macro(o, m)))
			m->ambiguous = 1;
	}
	m->next = tab.h[h];
	tab.h[h] = m;
}

/* Every #define of one file's text. */
static void scan_file(const char *text, size_t len)
{
	size_t i = 0;
	char *line = NULL;
	size_t cap = 0;

	while (i < len) {
		size_t j = i, e, n = 0;

		while (j < len && (text[j] == ' ' || text[j] == '\t'))
			j++;
		if (j < len && text[j] == '#') {
			j++;
			while (j < len && (text[j] == ' ' || text[j] == '\t'))
				j++;
			if (len - j > 6 && !strncmp(text + j, "define", 6) && (text[j + 6] == ' ' || text[j + 6] == '\t')) {
				int in_comment = 0;

				/* the logical line: continuations joined, comments out */
				for (e = j + 6; e < len; e++) {
					if (n + 2 > cap) {
						cap = cap ? cap * 2 : 256;
						line = kc_xrealloc(line, cap);
					}
					if (in_comment) {
						if (text[e] == '*' && e + 1 < len && text[e + 1] == '/') {
							in_comment = 0;
							e++;
							line[n++] = ' ';
						}
						continue;
					}
					if (text[e] == '\\' && e + 1 < len && text[e + 1] == '\n') {
						e++;
						line[n++] = ' ';
						continue;
					}
					if (text[e] == '\n')
						break;
					if (text[e] == '/' && e + 1 < len && text[e + 1] == '*') {
						in_comment = 1;
						e++;
						continue;
					}
					if (text[e] == '/' && e + 1 < len && text[e + 1] == '/') {
						while (e < len && text[e] != '\n')
							e++;
						break;
					}
					line[n++] = text[e];
				}
				add_define(line ? line : "", n);
				i = e < len ? e + 1 : len;
				continue;
			}
		}
		while (i < len && text[i] != '\n')
			i++;
		i++;
	}
	free(line);
}

static void inclusion(CXFile f, CXSourceLocation *stack, unsigned n, CXClientData data)
{
	CXTranslationUnit tu = data;
	size_t len = 0;
	const char *text = clang_getFileContents(tu, f, &len);

	(void)stack;
	(void)n;
	if (text)
		scan_file(text, len);
}

void em_regmacro_done(void)
{
	int i, k;

	for (i = 0; i < MX_HASH; i++)
		while (tab.h[i]) {
			struct mx_macro *m = tab.h[i];

			tab.h[i] = m->next;
			for (k = 0; k < m->nparams; k++)
				free(m->params[k]);
			free(m->params);
			toks_free(&m->body);
			free(m->name);
			free(m);
		}
	tab.tu = NULL;
	tab.built = 0;
}

static void build(CXTranslationUnit tu)
{
	if (tab.built && tab.tu == tu)
		return;
	em_regmacro_done();
	tab.tu = tu;
	tab.built = 1;
	/* every file of the translation unit, the main file included (visited first) */
	clang_getInclusions(tu, inclusion, tu);
}

/* ---- expansion ---- */

struct mx_active {
	const char *names[MX_MAX_DEPTH];
	int n;
};

static int active(const struct mx_active *a, const char *name)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->names[i], name))
			return 1;
	return 0;
}

static int param_index(const struct mx_macro *m, const char *s)
{
	int i;

	for (i = 0; i < m->nparams; i++)
		if (!strcmp(m->params[i], s))
			return i;
	return -1;
}

static int expand(const struct mx_toks *in, struct mx_active *act, struct mx_toks *out);

/* The body of m with the arguments args[0..nargs) substituted (# and ## applied), into out. */
static int substitute(const struct mx_macro *m, struct mx_toks *args, int nargs, struct mx_toks *out)
{
	int i, k;

	for (i = 0; i < m->body.n; i++) {
		const char *t = m->body.t[i].s;
		int p;

		if (!strcmp(t, "#") && i + 1 < m->body.n && (p = param_index(m, m->body.t[i + 1].s)) >= 0) {
			toks_push(out, "\"\"", 2); /* a string: no operator in it */
			i++;
			continue;
		}
		if (!strcmp(t, "##") && out->n && i + 1 < m->body.n) {
			/* paste the last token with the next (its argument's first token) */
			const char *nx = m->body.t[i + 1].s;
			struct mx_toks rest = { 0 };
			char *a, *b;
			size_t la, lb;

			p = param_index(m, nx);
			if (p >= 0 && p < nargs)
				for (k = 0; k < args[p].n; k++)
					toks_push(&rest, args[p].t[k].s, strlen(args[p].t[k].s));
			else if (p < 0)
				toks_push(&rest, nx, strlen(nx));
			i++;
			if (!rest.n)
				continue;
			a = out->t[out->n - 1].s;
			b = rest.t[0].s;
			la = strlen(a);
			lb = strlen(b);
			a = kc_xrealloc(a, la + lb + 1);
			memcpy(a + la, b, lb + 1);
			out->t[out->n - 1].s = a;
			for (k = 1; k < rest.n; k++)
				toks_push(out, rest.t[k].s, strlen(rest.t[k].s));
			toks_free(&rest);
			continue;
		}
		p = param_index(m, t);
		if (p >= 0) {
			if (p < nargs)
				for (k = 0; k < args[p].n; k++)
					toks_push(out, args[p].t[k].s, strlen(args[p].t[k].s));
			continue;
		}
		toks_push(out, t, strlen(t));
	}
	return out->n > MX_MAX_TOKENS ? -1 : 0;
}

static int expand(const struct mx_toks *in, struct mx_active *act, struct mx_toks *out)
{
	int i, rc = 0;

	if (act->n >= MX_MAX_DEPTH)
		return -1;
	for (i = 0; i < in->n && !rc; i++) {
		const char *t = in->t[i].s;
		const struct mx_macro *m = ident_start((unsigned char)t[0]) ? lookup(t) : NULL;
		struct mx_toks sub = { 0 };

		if (m && m->ambiguous && !active(act, t)) {
			rc = -1; /* which definition is in effect is not known */
			break;
		}
		if (!m || active(act, t) || (m->fn && (i + 1 >= in->n || strcmp(in->t[i + 1].s, "(")))) {
			toks_push(out, t, strlen(t));
			continue;
		}
		if (m->fn) {
			/* the arguments: top-level commas inside the parentheses */
			struct mx_toks *args = kc_xcalloc((size_t)m->nparams + 1, sizeof(*args));
			int depth = 0, na = 0, j, k;

			for (j = i + 2; j < in->n; j++) {
				const char *a = in->t[j].s;

				if (!strcmp(a, "(")) {
					depth++;
				} else if (!strcmp(a, ")")) {
					if (!depth--)
						break;
				} else if (!strcmp(a, ",") && !depth &&
					   !(m->variadic && na == m->nparams - 1)) {
					na++;
					continue;
				}
				if (na <= m->nparams && na < m->nparams + 1)
					toks_push(&args[na < m->nparams ? na : m->nparams], a, strlen(a));
			}
			if (j == in->n)
				rc = -1;
			else
				rc = substitute(m, args, m->nparams, &sub);
			for (k = 0; k <= m->nparams; k++)
				toks_free(&args[k]);
			free(args);
			i = j;
		} else {
			rc = substitute(m, NULL, 0, &sub);
		}
		if (!rc) {
			act->names[act->n++] = m->name;
			rc = expand(&sub, act, out);
			act->n--;
		}
		toks_free(&sub);
		if (out->n > MX_MAX_TOKENS)
			rc = -1;
	}
	return rc;
}

static int is_operand_end(const char *t)
{
	return ident_start((unsigned char)t[0]) || isdigit((unsigned char)t[0]) || t[0] == '.' || !strcmp(t, ")") ||
	       !strcmp(t, "]") || t[0] == '"' || t[0] == '\'';
}

int em_regmacro_ops(CXTranslationUnit tu, CXCursor call, const char *callee, unsigned arg, char (*ops)[4], int max)
{
	CXFile f = NULL;
	unsigned off = 0;
	size_t len = 0, e, depth = 0;
	const char *text;
	struct mx_toks src = { 0 }, out = { 0 };
	struct mx_active act = { .n = 0 };
	int i, at = -1, n = -1, k;

	clang_getExpansionLocation(clang_getCursorLocation(call), &f, NULL, NULL, &off);
	text = f ? clang_getFileContents(tu, f, &len) : NULL;
	if (!text || off >= len || !ident_start((unsigned char)text[off]))
		return -1;
	build(tu);
	/* the invocation written there: NAME ( ... ) */
	for (e = off; e < len && ident_char((unsigned char)text[e]); e++)
		;
	while (e < len && isspace((unsigned char)text[e]))
		e++;
	if (e == len || text[e] != '(')
		return -1;
	for (; e < len; e++) {
		if (text[e] == '(')
			depth++;
		else if (text[e] == ')' && !--depth)
			break;
	}
	if (e == len || e - off > 4096)
		return -1;
	tokenize(text + off, e + 1 - off, &src);
	if (expand(&src, &act, &out))
		goto cleanup;
	/* the accessor's call in the expansion: exactly one */
	for (i = 0; i + 1 < out.n; i++)
		if (!strcmp(out.t[i].s, callee) && !strcmp(out.t[i + 1].s, "(")) {
			if (at >= 0)
				goto cleanup;
			at = i;
		}
	if (at < 0)
		goto cleanup;
	/* argument arg: its tokens between top-level commas */
	{
		int d = 0, a = 0, from = -1, to = -1;

		for (i = at + 2; i < out.n; i++) {
			const char *t = out.t[i].s;

			if (!strcmp(t, "(") || !strcmp(t, "[")) {
				d++;
			} else if (!strcmp(t, ")") || !strcmp(t, "]")) {
				if (!d--) {
					if (a == (int)arg)
						to = i;
					break;
				}
			} else if (!strcmp(t, ",") && !d) {
				if (a == (int)arg)
					to = i;
				a++;
				if (a == (int)arg)
					from = i + 1;
				continue;
			}
			if (a == (int)arg && from < 0)
				from = i;
			if (to >= 0)
				break;
		}
		if (from < 0 || to < from)
			goto cleanup;
		n = 0;
		for (i = from; i < to; i++) {
			static const char *const bin[] = { "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "<",
							   ">", "<=", ">=", "==", "!=", "&&", "||" };
			const char *t = out.t[i].s;

			if (i == from || !is_operand_end(out.t[i - 1].s))
				continue; /* unary */
			/* `u8 *)`: a pointer declarator in a cast */
			if (!strcmp(t, "*") && i + 1 < to && (!strcmp(out.t[i + 1].s, ")") || !strcmp(out.t[i + 1].s, "*")))
				continue;
			for (k = 0; k < (int)KC_ARRAY_SIZE(bin); k++)
				if (!strcmp(t, bin[k]))
					break;
			if (k == (int)KC_ARRAY_SIZE(bin))
				continue;
			if (n == max) {
				n = -1;
				goto cleanup;
			}
			snprintf(ops[n++], 4, "%s", t);
		}
	}
cleanup:
	toks_free(&src);
	toks_free(&out);
	return n;
}
