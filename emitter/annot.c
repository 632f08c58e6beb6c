/*
 * annot.c - the annotation file: pointer shapes a person supplied because the analyzer could not
 * infer them. One line per field, `#` comments:
 *
 *	struct.field  array LEN | string | opaque | list NEXT | union DISCRIMINATOR VALUE=MEMBER...
 *	struct.head   list TYPE.MEMBER      (an embedded struct list_head of TYPEs linked by MEMBER)
 *	function.param  array N | array COUNTPARAM | array (EXPR)   (pointer parameter: N elements)
 *	net_device.netdev_priv  priv STRUCT         (the private area alloc_etherdev() appends)
 *
 * The file lives beside the driver (the driver source is never edited). Malformed lines are
 * errors with file:line, so a typo never silently drops a shape; so are lengths outside
 * 1..EM_ANNOT_MAXLEN (never cut down), two different annotations of one field, and a file named
 * with --annotations that does not exist. (EXPR) goes into generated code: it is parsed with a
 * grammar that has no statements, calls or side effects (annot_expr) and re-printed from its
 * tokens.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "emit_int.h"

/* Largest element count an annotation may give (a larger one is an error, never cut down). */
#define EM_ANNOT_MAXLEN 65536

static const struct {
	const char *name;
	enum em_shape shape;
	int arg; /* 1 requires an argument, 0 forbids one */
} shapes[] = {
	{ "array", EM_S_ARRAY, 1 }, { "string", EM_S_STRING, 0 }, { "opaque", EM_S_OPAQUE, 0 },
	{ "list", EM_S_LIST, 1 },   { "union", EM_S_UNION, 1 }, { "priv", EM_S_PRIV, 1 },
};

int em_shape_parse(enum em_shape *out, const char *word)
{
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(shapes); i++)
		if (!strcmp(shapes[i].name, word)) {
			*out = shapes[i].shape;
			return shapes[i].arg;
		}
	return -1;
}

const char *em_shape_name(enum em_shape s)
{
	static const char *const names[] = {
		[EM_S_UNKNOWN] = "unknown", [EM_S_STRUCT] = "struct", [EM_S_ARRAY] = "array",
		[EM_S_STRING] = "string",   [EM_S_OPAQUE] = "opaque", [EM_S_DMA] = "dma-coherent", [EM_S_MMIO] = "mmio",
		[EM_S_LIST] = "list",       [EM_S_UNION] = "union",   [EM_S_FNPTR] = "function pointer",
		[EM_S_PRIV] = "priv",
	};

	return names[s];
}

static int is_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* A whole decimal number in 1 .. EM_ANNOT_MAXLEN? -1: not a number at all; 0: a number out of
 * range (an error: lengths are never saturated). */
static int annot_number(const char *s, long *out)
{
	size_t n = strspn(s, "0123456789");
	unsigned long long v = 0;
	size_t i;

	if (!n || s[n])
		return -1;
	for (i = 0; i < n; i++) {
		v = v * 10 + (unsigned long long)(s[i] - '0');
		if (v > EM_ANNOT_MAXLEN)
			return 0;
	}
	if (!v)
		return 0;
	*out = (long)v;
	return 1;
}

/* "TYPE.MEMBER" (a list_head list's element type and its list_head member)? */
static int is_type_member(const char *s)
{
	const char *dot = strchr(s, '.');
	char t[256];

	if (!dot || dot == s || (size_t)(dot - s) >= sizeof(t) || !is_ident(dot + 1))
		return 0;
	memcpy(t, s, (size_t)(dot - s));
	t[dot - s] = 0;
	return is_ident(t);
}

/* The struct (or function) part of "struct.field": an identifier, then any number of
 * "::IDENT" or "::<anon@LINE>" for anonymous members, as the database names them. */
static int is_struct_name(const char *s, size_t n)
{
	size_t i = 0, k;

	for (k = 0; i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'); i++, k++)
		;
	if (!k || isdigit((unsigned char)s[0]))
		return 0;
	while (i < n) {
		if (n - i < 3 || s[i] != ':' || s[i + 1] != ':')
			return 0;
		i += 2;
		if (!strncmp(s + i, "<anon@", 6)) {
			i += 6;
			for (k = 0; i < n && isdigit((unsigned char)s[i]); i++, k++)
				;
			if (!k || i == n || s[i++] != '>')
				return 0;
			continue;
		}
		for (k = 0; i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'); i++, k++)
			;
		if (!k || isdigit((unsigned char)s[i - k]))
			return 0;
	}
	return 1;
}

/*
 * An element-count expression, "array (EXPR)", is pasted into generated code, so it is parsed
 * with a grammar that has no statements, calls, assignments, casts or side effects:
 *
 *	expr    := cmp [ '?' expr ':' expr ]
 *	cmp     := sum [ ( '==' | '!=' | '<' | '>' | '<=' | '>=' ) sum ]
 *	sum     := prod { ( '+' | '-' ) prod }
 *	prod    := primary { ( '*' | '/' ) primary }
 *	primary := NUMBER | IDENT { ( '->' | '.' ) IDENT } | '(' expr ')'
 *
 * NUMBER is decimal, 0 .. EM_ANNOT_MAXLEN (a divisor not 0); IDENT a parameter of the function or
 * a macro of the driver (the C compiler checks those). No spaces (the file splits words at
 * spaces). The comparisons and ?: are there for counts that depend on another parameter
 * (simnic_get_strings: stringset == ETH_SS_TEST ? ...). The text that goes into the generated
 * code is the one the parser rebuilt from the tokens it accepted.
 */
struct xp {
	const char *s;
	struct kc_sb out;
	int depth;
	const char *err;
};

#define XP_MAXDEPTH 16
#define XP_MAXLEN 200

static int xp_expr(struct xp *p);

static int xp_fail(struct xp *p, const char *what)
{
	if (!p->err)
		p->err = what;
	return -1;
}

static int xp_ident(struct xp *p)
{
	const char *b = p->s;

	if (!isalpha((unsigned char)*p->s) && *p->s != '_')
		return xp_fail(p, "expected a name, a number or '('");
	while (isalnum((unsigned char)*p->s) || *p->s == '_')
		p->s++;
	kc_sb_addn(&p->out, b, (size_t)(p->s - b));
	return 0;
}

static int xp_primary(struct xp *p)
{
	if (*p->s == '(') {
		p->s++;
		kc_sb_add(&p->out, "(");
		if (++p->depth > XP_MAXDEPTH)
			return xp_fail(p, "parentheses nested too deep");
		if (xp_expr(p))
			return -1;
		p->depth--;
		if (*p->s != ')')
			return xp_fail(p, "expected ')'");
		p->s++;
		kc_sb_add(&p->out, ")");
		return 0;
	}
	if (isdigit((unsigned char)*p->s)) {
		unsigned long long v = 0;
		const char *b = p->s;

		while (isdigit((unsigned char)*p->s)) {
			v = v * 10 + (unsigned long long)(*p->s++ - '0');
			if (v > EM_ANNOT_MAXLEN)
				return xp_fail(p, "number too large");
		}
		if (isalpha((unsigned char)*p->s) || *p->s == '_')
			return xp_fail(p, "only decimal numbers without suffix");
		if (b[0] == '0' && p->s - b > 1)
			return xp_fail(p, "no leading zeros (octal)");
		kc_sb_addn(&p->out, b, (size_t)(p->s - b));
		return 0;
	}
	if (xp_ident(p))
		return -1;
	for (;;) {
		if (p->s[0] == '-' && p->s[1] == '>') {
			p->s += 2;
			kc_sb_add(&p->out, "->");
		} else if (p->s[0] == '.') {
			p->s++;
			kc_sb_add(&p->out, ".");
		} else {
			return 0;
		}
		if (!isalpha((unsigned char)*p->s) && *p->s != '_')
			return xp_fail(p, "expected a member name after '->' or '.'");
		if (xp_ident(p))
			return -1;
	}
}

static int xp_prod(struct xp *p)
{
	if (xp_primary(p))
		return -1;
	while (*p->s == '*' || *p->s == '/') {
		char op = *p->s++;

		kc_sb_addn(&p->out, &op, 1);
		if (op == '/' && p->s[0] == '0' && !isdigit((unsigned char)p->s[1]))
			return xp_fail(p, "division by 0");
		if (xp_primary(p))
			return -1;
	}
	return 0;
}

static int xp_sum(struct xp *p)
{
	if (xp_prod(p))
		return -1;
	while ((*p->s == '+' || *p->s == '-') && p->s[1] != '>') {
		kc_sb_addn(&p->out, p->s++, 1);
		if (xp_prod(p))
			return -1;
	}
	return 0;
}

static int xp_expr(struct xp *p)
{
	static const char *const cmp[] = { "==", "!=", "<=", ">=", "<", ">" };
	size_t i;

	if (xp_sum(p))
		return -1;
	for (i = 0; i < KC_ARRAY_SIZE(cmp); i++)
		if (!strncmp(p->s, cmp[i], strlen(cmp[i]))) {
			p->s += strlen(cmp[i]);
			kc_sb_add(&p->out, cmp[i]);
			if (xp_sum(p))
				return -1;
			break;
		}
	if (*p->s == '?') {
		p->s++;
		kc_sb_add(&p->out, "?");
		if (xp_expr(p))
			return -1;
		if (*p->s != ':')
			return xp_fail(p, "expected ':' of '?:'");
		p->s++;
		kc_sb_add(&p->out, ":");
		if (xp_expr(p))
			return -1;
	}
	return 0;
}

/* Parse "(EXPR)"; the canonical text (malloc'd) or NULL with a message in err. */
static char *annot_expr(const char *s, struct kc_err *err)
{
	struct xp p = { s, { 0 }, 0, NULL };

	if (strlen(s) > XP_MAXLEN) {
		kc_err_set(err, KC_EINVAL, "count expression longer than %d characters", XP_MAXLEN);
		return NULL;
	}
	if (*s != '(' || xp_primary(&p) || *p.s) {
		kc_err_set(err, KC_EINVAL, "count expression '%s': %s at '%.20s' (allowed: names, numbers, -> . "
			   "+ - * / == != < > <= >= ?: and parentheses)", s, p.err ? p.err : "unexpected text",
			   p.s);
		kc_sb_free(&p.out);
		return NULL;
	}
	return kc_sb_steal(&p.out);
}

/* Parse one line into (field, shape, arg). Returns 1 for an annotation, 0 for blank/comment,
 * KC_EINVAL with a message in err otherwise. field/arg are malloc'd. */
static int parse_line(char **field, enum em_shape *shape, char **arg, char *line, struct kc_err *err)
{
	char *w[3 + EM_UNION_MAXCASES] = { 0 };
	int n = 0, need, i;
	char *p = strchr(line, '#'), *save = NULL, *dot, *expr = NULL;
	long v;

	if (p)
		*p = 0;
	for (p = strtok_r(line, " \t\r\n", &save); p; p = strtok_r(NULL, " \t\r\n", &save)) {
		/* a union's discriminator may be followed by VALUE=MEMBER cases */
		if (n == 3 && strcmp(w[1], "union"))
			return kc_err_set(err, KC_EINVAL, "too many words (expected: struct.field shape [argument])");
		if (n == (int)KC_ARRAY_SIZE(w))
			return kc_err_set(err, KC_EINVAL, "too many union cases (at most %d)", EM_UNION_MAXCASES);
		w[n++] = p;
	}
	if (!n)
		return 0;
	dot = strrchr(w[0], '.');
	if (!dot || dot == w[0] || !is_ident(dot + 1))
		return kc_err_set(err, KC_EINVAL, "'%s' is not struct.field", w[0]);
	/* struct names are identifiers, or 'outer::<anon@LINE>' for anonymous members */
	if (!is_struct_name(w[0], (size_t)(dot - w[0])))
		return kc_err_set(err, KC_EINVAL, "'%s' does not start with a struct name", w[0]);
	if (n < 2)
		return kc_err_set(err, KC_EINVAL, "%s: missing shape (array, string, opaque, list, union)", w[0]);
	need = em_shape_parse(shape, w[1]);
	if (need < 0)
		return kc_err_set(err, KC_EINVAL, "unknown shape '%s' (array, string, opaque, list, union)", w[1]);
	if (need && n < 3)
		return kc_err_set(err, KC_EINVAL, "shape '%s' needs an argument", w[1]);
	if (!need && n > 2)
		return kc_err_set(err, KC_EINVAL, "shape '%s' takes no argument", w[1]);
	if (n >= 3) {
		int num = annot_number(w[2], &v);

		if (num == 0)
			return kc_err_set(err, KC_EINVAL, "length '%s' is not in 1..%d", w[2], EM_ANNOT_MAXLEN);
		if (*shape == EM_S_ARRAY && w[2][0] == '(') {
			/* "(expr)": an element count computed from a function's other parameters */
			expr = annot_expr(w[2], err);
			if (!expr)
				return KC_EINVAL;
		} else if (num < 0 && !is_ident(w[2]) && !(*shape == EM_S_LIST && is_type_member(w[2]))) {
			return kc_err_set(err, KC_EINVAL, "argument '%s' must be a field name or a number", w[2]);
		} else if (num > 0 && *shape != EM_S_ARRAY) {
			return kc_err_set(err, KC_EINVAL, "shape '%s' takes a name, not a number", w[1]);
		}
	}
	for (i = 3; i < n; i++) {
		/* union case: VALUE=MEMBER, VALUE a number or an identifier (enum constant, macro) */
		char *eq = strchr(w[i], '='), *num = w[i] + (w[i][0] == '-');

		if (!eq || eq == w[i] || !is_ident(eq + 1)) {
			free(expr);
			return kc_err_set(err, KC_EINVAL, "union case '%s' is not VALUE=MEMBER", w[i]);
		}
		*eq = 0;
		if (!is_ident(w[i]) && (!*num || strspn(num, "0123456789") != strlen(num) || strlen(num) > 10)) {
			*eq = '=';
			free(expr);
			return kc_err_set(err, KC_EINVAL, "union case value '%s' must be a number or an identifier", w[i]);
		}
		*eq = '=';
	}
	*field = kc_xstrdup(w[0]);
	*arg = expr;
	if (n >= 3 && !expr) {
		struct kc_sb sb = { 0 };

		/* the union's argument keeps its cases: "DISCRIMINATOR V=M V=M" */
		for (i = 2; i < n; i++)
			kc_sb_addf(&sb, "%s%s", i > 2 ? " " : "", w[i]);
		*arg = kc_sb_steal(&sb);
	}
	return 1;
}

/* Is annotation a the same as b (shape and argument)? */
static int annot_same(const struct em_annot *a, const struct em_annot *b)
{
	return a->shape == b->shape && (a->arg ? b->arg && !strcmp(a->arg, b->arg) : !b->arg);
}

/* Load path into m->ann. A missing file is an empty annotation set when it is the default file
 * beside the driver (must_exist 0), an error when the user named it. The same field annotated
 * twice the same way is accepted (once); two different annotations of one field are an error. */
int em_annot_load(struct em_model *m, const char *path, int must_exist, struct kc_err *err)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0, i;

	free(m->annot_path);
	m->annot_path = kc_xstrdup(path);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT && !must_exist ? 0 : kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		struct em_annot a;
		int r;

		lineno++;
		if (strlen(line) > 4096) {
			rc = kc_err_set(err, KC_EINVAL, "%s:%d: line too long", path, lineno);
			break;
		}
		r = parse_line(&a.field, &a.shape, &a.arg, line, err);
		if (r < 0) {
			rc = kc_err_prefix(err, "%s:%d", path, lineno);
			break;
		}
		if (!r)
			continue;
		a.line = lineno;
		a.lib = a.note = NULL;
		for (i = 0; i < m->nann && (m->ann[i].lib || strcmp(m->ann[i].field, a.field)); i++)
			;
		if (i < m->nann) {
			int same = annot_same(&m->ann[i], &a);

			if (!same)
				rc = kc_err_set(err, KC_EINVAL, "%s:%d: %s is annotated differently at line %d", path,
						lineno, a.field, m->ann[i].line);
			free(a.field);
			free(a.arg);
			if (!same)
				break;
			continue; /* the same annotation twice */
		}
		m->ann = kc_xrealloc(m->ann, (m->nann + 1) * sizeof(*m->ann));
		m->ann[m->nann++] = a;
	}
	if (!rc && ferror(f))
		rc = kc_err_set(err, KC_EIO, "%s: read error", path);
	free(line);
	fclose(f);
	return rc;
}

/*
 * The kernel shape library: files *.shapes of one directory, read in name order. A line is
 *
 *	annot STRUCT.FIELD SHAPE [ARGUMENT...]   # the evidence (kernel source, allocation ...)
 *
 * (the annotation grammar above after the word `annot`); comment lines directly above an entry
 * are its evidence too. The same field twice in one directory is an error unless both say the
 * same; a later directory (--shapes DIR) replaces the library's entry for a field.
 */
/*
 * A library entry for a parameter of the driver functions the kernel calls through an ops slot:
 *
 *	annot STRUCT.SLOT(N) array (EXPR)
 *
 * parameter N (0-based) of every driver function registered in STRUCT.SLOT is an array of EXPR
 * elements, EXPR a count expression (names, numbers, -> . + - * / and parentheses, no spaces)
 * where @K is that function's parameter K and S.F(ARGS) calls the driver's function registered in
 * slot S.F (the kernel's contract between two slots, ethtool's get_sset_count and get_strings).
 * Applied per driver by em_plan_shapes. 1: parsed, 0: not such a line, KC_EINVAL.
 */
static int slot_param_line(char **field, enum em_shape *shape, char **arg, const char *line, struct kc_err *err)
{
	char f[256], s[16], e[512], extra[2];
	const char *q;
	size_t i;
	int n;

	n = sscanf(line, " %255s %15s %511s %1s", f, s, e, extra);
	if (n < 1 || !strchr(f, '('))
		return 0;
	q = strchr(f, '(');
	if (n != 3 || strcmp(s, "array") || q == f || !strchr(f, '.') || strchr(f, '.') > q ||
	    !isdigit((unsigned char)q[1]) || strspn(q + 1, "0123456789") + 2 != strlen(q) ||
	    f[strlen(f) - 1] != ')')
		return kc_err_set(err, KC_EINVAL, "'%s': a slot parameter entry is 'annot STRUCT.SLOT(N) array (EXPR)'", f);
	if (e[0] != '(' || e[strlen(e) - 1] != ')')
		return kc_err_set(err, KC_EINVAL, "'%s': the count must be a parenthesized expression", e);
	for (i = 0; e[i]; i++)
		if (!isalnum((unsigned char)e[i]) && !strchr("_@.,()*+-/>", e[i]))
			return kc_err_set(err, KC_EINVAL, "'%s': character '%c' not allowed in a slot count", e, e[i]);
	*field = kc_xstrdup(f);
	*shape = EM_S_ARRAY;
	*arg = kc_xstrdup(e);
	return 1;
}

static int shapes_file(struct em_model *m, const char *path, int first_own, struct kc_err *err)
{
	FILE *f = fopen(path, "r");
	struct kc_sb above = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0, i;

	if (!f)
		return kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		struct em_annot a = { 0 };
		char *p = line + strspn(line, " \t"), *hash;
		struct kc_sb loc = { 0 };
		int r;

		lineno++;
		if (strlen(line) > 4096) {
			rc = kc_err_set(err, KC_EINVAL, "%s:%d: line too long", path, lineno);
			break;
		}
		line[strcspn(line, "\r\n")] = 0;
		if (*p == '#') {
			p += strspn(p, "# \t");
			if (*p)
				kc_sb_addf(&above, "%s%s", above.len ? " " : "", p);
			continue;
		}
		if (!*p) {
			kc_sb_free(&above);
			continue;
		}
		if (strncmp(p, "annot", 5) || (p[5] != ' ' && p[5] != '\t')) {
			rc = kc_err_set(err, KC_EINVAL, "%s:%d: expected 'annot STRUCT.FIELD SHAPE [ARGUMENT]'", path, lineno);
			break;
		}
		hash = strchr(p, '#');
		if (hash && hash[1 + strspn(hash + 1, "# \t")])
			kc_sb_addf(&above, "%s%s", above.len ? " " : "", hash + 1 + strspn(hash + 1, "# \t"));
		if (hash)
			*hash = 0;
		r = slot_param_line(&a.field, &a.shape, &a.arg, p + 5, err);
		if (!r)
			r = parse_line(&a.field, &a.shape, &a.arg, p + 5, err);
		if (r < 0) {
			rc = kc_err_prefix(err, "%s:%d", path, lineno);
			break;
		}
		if (a.shape == EM_S_PRIV || (strchr(a.arg ? a.arg : "", '(') && !strchr(a.field, '('))) {
			free(a.field);
			free(a.arg);
			rc = kc_err_set(err, KC_EINVAL, "%s:%d: the shape library holds struct fields only (no priv, no (EXPR))",
					path, lineno);
			break;
		}
		kc_sb_addf(&loc, "%s:%d", path, lineno);
		a.line = lineno;
		a.lib = kc_sb_steal(&loc);
		a.note = above.len ? kc_sb_steal(&above) : kc_xstrdup("(no evidence given)");
		kc_sb_free(&above);
		for (i = 0; i < m->nann && strcmp(m->ann[i].field, a.field); i++)
			;
		if (i < m->nann && i >= first_own && !annot_same(&m->ann[i], &a)) {
			rc = kc_err_set(err, KC_EINVAL, "%s:%d: %s is given a different shape at %s", path, lineno, a.field,
					m->ann[i].lib);
			free(a.field);
			free(a.arg);
			free(a.lib);
			free(a.note);
			break;
		}
		if (i < m->nann) { /* an earlier directory's entry: this one replaces it */
			free(m->ann[i].field);
			free(m->ann[i].arg);
			free(m->ann[i].lib);
			free(m->ann[i].note);
			m->ann[i] = a;
			continue;
		}
		m->ann = kc_xrealloc(m->ann, (m->nann + 1) * sizeof(*m->ann));
		m->ann[m->nann++] = a;
	}
	kc_sb_free(&above);
	if (!rc && ferror(f))
		rc = kc_err_set(err, KC_EIO, "%s: read error", path);
	free(line);
	fclose(f);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int shapes_dir(struct em_model *m, const char *dir, struct kc_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i, len;
	int rc = 0, first_own = m->nann;

	if (!d)
		return kc_err_set(err, KC_EIO, "shape directory %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (len > 7 && !strcmp(e->d_name + len - 7, ".shapes") && e->d_name[0] != '.') {
			names = kc_xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = kc_xstrdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		struct kc_sb p = { 0 };

		kc_sb_addf(&p, "%s/%s", dir, names[i]);
		if (!rc)
			rc = shapes_file(m, p.s, first_own, err);
		kc_sb_free(&p);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* The library kcut ships: the installed copy when this is the installed kcut, else
 * BINDIR/../share/kcut/shapes beside a relocated install (cmake --install --prefix DIR), else the
 * source tree's; the first of these that exists. */
const char *em_shapes_builtin_dir(void)
{
	static char rel[4200];
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	DIR *d;

	if (n > 0) {
		char *slash;

		self[n] = 0;
		if (!strcmp(self, KC_EMIT_INSTALLED_BIN))
			return KC_EMIT_SHAPES_INSTALLED;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(rel, sizeof(rel), "%s/../share/kcut/shapes", self);
			d = opendir(rel);
			if (d) {
				closedir(d);
				return rel;
			}
		}
	}
	d = opendir(KC_EMIT_SHAPES_SOURCE);
	if (d) {
		closedir(d);
		return KC_EMIT_SHAPES_SOURCE;
	}
	return KC_EMIT_SHAPES_INSTALLED;
}

int em_shapes_load(struct em_model *m, const char *extra_dir, int no_builtin, struct kc_err *err)
{
	int rc = 0;

	if (!no_builtin)
		rc = shapes_dir(m, em_shapes_builtin_dir(), err);
	if (!rc && extra_dir)
		rc = shapes_dir(m, extra_dir, err);
	return rc;
}

int kc_emit_annot_append(const char *path, const char *field, const char *shape, struct kc_err *err)
{
	struct kc_sb sb = { 0 };
	char *fld = NULL, *arg = NULL;
	enum em_shape s;
	FILE *f;
	int rc;

	kc_sb_addf(&sb, "%s %s", field, shape);
	rc = parse_line(&fld, &s, &arg, sb.s, err);
	free(fld);
	free(arg);
	kc_sb_free(&sb);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return kc_err_set(err, KC_EINVAL, "empty annotation");
	f = fopen(path, "a");
	if (!f)
		return kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
	fprintf(f, "%s %s\n", field, shape);
	if (fclose(f))
		return kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
	return 0;
}
