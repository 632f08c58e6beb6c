/*
 * annot.c - the annotation file: pointer shapes a person supplied because the analyzer could not
 * infer them. One line per field, `#` comments:
 *
 *	struct.field  array LEN | string | opaque | list NEXT | union DISCRIMINATOR VALUE=MEMBER...
 *	struct.head   list TYPE.MEMBER      (an embedded struct list_head of TYPEs linked by MEMBER)
 *	function.param  array N | array COUNTPARAM   (pointer-to-integer parameter: N elements)
 *	net_device.netdev_priv  priv STRUCT         (the private area alloc_etherdev() appends)
 *
 * The file lives beside the driver (the driver source is never edited). Malformed lines are
 * errors with file:line, so a typo never silently drops a shape.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emit_int.h"

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

/* Parse one line into (field, shape, arg). Returns 1 for an annotation, 0 for blank/comment,
 * KC_EINVAL with a message in err otherwise. field/arg are malloc'd. */
static int parse_line(char **field, enum em_shape *shape, char **arg, char *line, struct kc_err *err)
{
	char *w[3 + EM_UNION_MAXCASES] = { 0 };
	int n = 0, need, i;
	char *p = strchr(line, '#'), *save = NULL, *dot;

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
	if (!isalpha((unsigned char)w[0][0]) && w[0][0] != '_')
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
	/* "(expr)": an element count computed from a function's other parameters (no spaces) */
	if (n == 3 && !is_ident(w[2]) && strspn(w[2], "0123456789") != strlen(w[2]) &&
	    !(*shape == EM_S_ARRAY && w[2][0] == '(' && w[2][strlen(w[2]) - 1] == ')') &&
	    !(*shape == EM_S_LIST && is_type_member(w[2])))
		return kc_err_set(err, KC_EINVAL, "argument '%s' must be a field name or a number", w[2]);
	for (i = 3; i < n; i++) {
		/* union case: VALUE=MEMBER, VALUE a number or an identifier (enum constant, macro) */
		char *eq = strchr(w[i], '='), *num = w[i] + (w[i][0] == '-');

		if (!eq || eq == w[i] || !is_ident(eq + 1))
			return kc_err_set(err, KC_EINVAL, "union case '%s' is not VALUE=MEMBER", w[i]);
		*eq = 0;
		if (!is_ident(w[i]) && (!*num || strspn(num, "0123456789") != strlen(num))) {
			*eq = '=';
			return kc_err_set(err, KC_EINVAL, "union case value '%s' must be a number or an identifier", w[i]);
		}
		*eq = '=';
	}
	*field = kc_xstrdup(w[0]);
	*arg = NULL;
	if (n >= 3) {
		struct kc_sb sb = { 0 };

		/* the union's argument keeps its cases: "DISCRIMINATOR V=M V=M" */
		for (i = 2; i < n; i++)
			kc_sb_addf(&sb, "%s%s", i > 2 ? " " : "", w[i]);
		*arg = kc_sb_steal(&sb);
	}
	return 1;
}

/* Load path into m->ann (a missing file is an empty annotation set). */
int em_annot_load(struct em_model *m, const char *path, struct kc_err *err)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;

	free(m->annot_path);
	m->annot_path = kc_xstrdup(path);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		char *field, *arg;
		enum em_shape shape;
		int r;

		lineno++;
		r = parse_line(&field, &shape, &arg, line, err);
		if (r < 0) {
			rc = kc_err_prefix(err, "%s:%d: ", path, lineno);
			break;
		}
		if (!r)
			continue;
		m->ann = kc_xrealloc(m->ann, (m->nann + 1) * sizeof(*m->ann));
		m->ann[m->nann].field = field;
		m->ann[m->nann].shape = shape;
		m->ann[m->nann].arg = arg;
		m->ann[m->nann].line = lineno;
		m->nann++;
	}
	free(line);
	fclose(f);
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
