/*
 * templates.c - the per-family root templates: a line-based text format, loaded from the built-in
 * directory and from a user directory so that a new family needs no recompilation.
 *
 * One rule per line ('#' starts a comment):
 *   family NAME                               following lines belong to NAME
 *   detect struct STRUCT | detect api API     registrations into STRUCT / through API mean NAME
 *   root slot STRUCT.FIELD CTX LABEL...       a function stored into STRUCT.FIELD is a root
 *   root arg API IDX CTX LABEL...             passed as argument IDX (0-based) of API (or macro API)
 *   root returns TYPE CTX LABEL...            a driver function returning TYPE
 *   root macro MACRO CTX LABEL...             registered through MACRO, any argument
 *   kernel calls API[,API...] LABEL...        a driver function calling API (or macro API) stays kernel
 *   kernel registered KIND[,KIND...] LABEL... registered as KIND (registration.kind: module_init ...)
 *   kernel field MEM[,MEM...] LABEL...        accesses a field an alloc site of kind MEM (mmio, dma) fills
 *   kernel struct MEM[,MEM...] LABEL...       accesses a struct holding such memory, laid over it, or
 *                                             allocated into the holder (rings, descriptors, buffer_info)
 *   kernel mapped API[,API...] LABEL...       memory only the kernel can use: what the driver maps for
 *                                             streaming DMA through API (its address argument, the 2nd)
 *   kernel opaque STRUCT.FIELD[,...] LABEL... memory only the kernel can use: what these fields point to;
 *                                             a function that dereferences, indexes or offsets such
 *                                             memory (through the field or a pointer parameter it is
 *                                             passed in) stays kernel (rules.c)
 *   kernel datapath-state SETUP[,SETUP...] LABEL...
 *                                             state shared with the kernel's atomic-context data path
 *                                             (solve.c): SETUP lists the entry points that run before
 *                                             the data path is live (STRUCT.FIELD slots such as
 *                                             pci_driver.probe, or registration kinds: module_init);
 *                                             every other registered entry may run while it is live
 * A 'kernel' rule may carry tags between its LIST and its LABEL (device access, issue 13):
 *   unless-device-access=MODE[,MODE...]       the rule does not pin under these --device-access modes
 *   downcall-under=MODE[,MODE...]             ('kernel calls' only) under these modes each matched call
 *                                             site of a user-half function is a register downcall,
 *                                             priced like a crossing call (solve.c)
 * MODE is none | forward | mapped.
 * CTX is process | atomic | irq | softirq | timer; every CTX but process makes the root's callees
 * atomic (they must stay in the kernel). docs/partitioner.md documents the format.
 */
#include "part_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct kc_part_templates *kc_part_templates_new(void)
{
	return kc_xcalloc(1, sizeof(struct kc_part_templates));
}

void kc_part_templates_free(struct kc_part_templates *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->rules[i].family);
		free(t->rules[i].a);
		free(t->rules[i].b);
		free(t->rules[i].label);
		free(t->rules[i].src);
	}
	for (i = 0; i < t->nfam; i++)
		free(t->families[i]);
	free(t->families);
	free(t->rules);
	free(t);
}

const char *kc_part_templates_family(const struct kc_part_templates *t, size_t i)
{
	return i < t->nfam ? t->families[i] : NULL;
}

static void add_family(struct kc_part_templates *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nfam; i++)
		if (!strcmp(t->families[i], name))
			return;
	t->families = kc_xrealloc(t->families, (t->nfam + 1) * sizeof(char *));
	t->families[t->nfam++] = kc_xstrdup(name);
}

static int parse_ctx(const char *s)
{
	static const char *const names[] = { "process", "atomic", "irq", "softirq", "timer" };
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

/* A comma-separated list of device-access modes as a bit mask (1 << mode), or -1. */
static int parse_modes(const char *list)
{
	char *dup = kc_xstrdup(list), *save = NULL, *tok;
	int mask = 0, m;

	if (!*list || list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		mask = -1;
	for (tok = strtok_r(dup, ",", &save); tok && mask >= 0; tok = strtok_r(NULL, ",", &save)) {
		m = kc_part_devaccess_parse(tok);
		mask = m < 0 ? -1 : mask | (1 << m);
	}
	free(dup);
	return mask;
}

/* "write,replace,free,wait" -> DP_C_* bits; -1 on an unknown or empty item. */
static int parse_dp_kinds(const char *list)
{
	static const struct {
		const char *name;
		int bit;
	} kinds[] = { { "replace", DP_C_REPLACE }, { "write", DP_C_WRITE }, { "wait", DP_C_WAIT }, { "free", DP_C_FREE } };
	char *dup = kc_xstrdup(list), *save = NULL, *tok;
	int mask = 0;
	size_t i;

	if (!*list || list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		mask = -1;
	for (tok = strtok_r(dup, ",", &save); tok && mask >= 0; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < KC_ARRAY_SIZE(kinds) && strcmp(tok, kinds[i].name); i++)
			;
		mask = i == KC_ARRAY_SIZE(kinds) ? -1 : mask | kinds[i].bit;
	}
	free(dup);
	return mask;
}

/* Split the next whitespace-separated word off *p; NULL at end of line. */
static char *word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	w = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = 0;
	*p = s;
	return w;
}

/* The rest of the line, trimmed, surrounding double quotes removed. */
static char *rest(char *p)
{
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		p[--n] = 0;
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p[n - 1] = 0;
		p++;
	}
	return p;
}

/* Parse one line into a rule; family is the current family. Returns 0, or KC_EPARSE with the
 * message (without position) in err. */
static int parse_line(struct kc_part_templates *t, char **family, char *line, const char *src, int lineno,
		      struct kc_err *err)
{
	struct kc_part_rule r = { 0 };
	char *p = line, *kw, *k, *m, *c, *x;

	kw = word(&p);
	if (!kw)
		return 0;
	if (!strcmp(kw, "family")) {
		m = word(&p);
		if (!m || word(&p))
			return kc_err_set(err, KC_EPARSE, "'family' takes exactly one name");
		free(*family);
		*family = kc_xstrdup(m);
		add_family(t, m);
		return 0;
	}
	if (!*family)
		return kc_err_set(err, KC_EPARSE, "rule before any 'family NAME' line");
	if (!strcmp(kw, "detect")) {
		k = word(&p);
		m = word(&p);
		if (!k || !m || word(&p) || (strcmp(k, "struct") && strcmp(k, "api")))
			return kc_err_set(err, KC_EPARSE, "expected 'detect struct NAME' or 'detect api NAME'");
		r.kind = !strcmp(k, "struct") ? RULE_DETECT_STRUCT : RULE_DETECT_API;
		r.a = kc_xstrdup(m);
	} else if (!strcmp(kw, "root")) {
		k = word(&p);
		m = word(&p);
		if (!k || !m)
			return kc_err_set(err, KC_EPARSE, "expected 'root slot|arg|returns|macro MATCH CTX LABEL'");
		if (!strcmp(k, "slot")) {
			x = strchr(m, '.');
			if (!x || x == m || !x[1])
				return kc_err_set(err, KC_EPARSE, "slot rule needs STRUCT.FIELD, got '%s'", m);
			r.kind = RULE_SLOT;
			r.a = kc_xstrdup(m);
			r.a[x - m] = 0;
			r.b = kc_xstrdup(x + 1);
		} else if (!strcmp(k, "arg")) {
			char *idx = word(&p), *end;

			if (!idx)
				return kc_err_set(err, KC_EPARSE, "arg rule needs 'API INDEX'");
			errno = 0;
			r.arg = (int)strtol(idx, &end, 10);
			if (*end || r.arg < 0 || r.arg > 64)
				return kc_err_set(err, KC_EPARSE, "bad argument index '%s' (0-based integer)", idx);
			r.kind = RULE_ARG;
			r.a = kc_xstrdup(m);
		} else if (!strcmp(k, "returns")) {
			r.kind = RULE_RETURNS;
			r.a = kc_xstrdup(m);
		} else if (!strcmp(k, "macro")) {
			r.kind = RULE_MACRO;
			r.a = kc_xstrdup(m);
		} else {
			return kc_err_set(err, KC_EPARSE, "unknown root kind '%s' (slot, arg, returns, macro)", k);
		}
		c = word(&p);
		if (!c || (r.ctx = parse_ctx(c)) < 0) {
			free(r.a);
			free(r.b);
			return kc_err_set(err, KC_EPARSE, "expected a context (process, atomic, irq, softirq, timer), got '%s'",
					  c ? c : "end of line");
		}
		x = rest(p);
		if (!*x) {
			free(r.a);
			free(r.b);
			return kc_err_set(err, KC_EPARSE, "root rule without a label");
		}
		r.label = kc_xstrdup(x);
	} else if (!strcmp(kw, "kernel")) {
		static const char *const kinds[] = { "calls", "registered", "field", "struct", "datapath-state",
						     "mapped", "opaque" };
		size_t i;

		k = word(&p);
		m = word(&p);
		if (!k || !m)
			return kc_err_set(err, KC_EPARSE, "expected 'kernel calls|registered|field|struct|datapath-state|"
					  "mapped|opaque LIST LABEL'");
		for (i = 0; i < KC_ARRAY_SIZE(kinds); i++)
			if (!strcmp(k, kinds[i]))
				break;
		if (i == KC_ARRAY_SIZE(kinds))
			return kc_err_set(err, KC_EPARSE, "unknown kernel rule kind '%s' (calls, registered, field, struct, "
					  "datapath-state, mapped, opaque)",
					  k);
		if (i == 6) {
			/* STRUCT.FIELD items */
			char *dup = kc_xstrdup(m), *save = NULL, *tok;
			int bad = 0;

			for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				const char *dot = strchr(tok, '.');

				bad |= !dot || dot == tok || !dot[1] || strchr(dot + 1, '.');
			}
			free(dup);
			if (bad)
				return kc_err_set(err, KC_EPARSE, "'kernel opaque' lists STRUCT.FIELD items; got '%s'", m);
		}
		if (i == 2 || i == 3) {
			/* memory kinds as in alloc.kind */
			char *dup = kc_xstrdup(m), *save = NULL, *tok;
			int bad = 0;

			for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				bad |= strcmp(tok, "mmio") && strcmp(tok, "dma") && strcmp(tok, "mem");
			free(dup);
			if (bad)
				return kc_err_set(err, KC_EPARSE, "memory kinds are mmio, dma, mem; got '%s'", m);
		}
		if (m[0] == ',' || m[strlen(m) - 1] == ',' || strstr(m, ",,"))
			return kc_err_set(err, KC_EPARSE, "empty item in the list '%s'", m);
		r.kind = RULE_K_CALLS + (int)i;
		/* tags: unless-device-access=MODES, downcall-under=MODES, runtime-syncs=KINDS */
		for (;;) {
			static const char ua[] = "unless-device-access=", dc[] = "downcall-under=", rs[] = "runtime-syncs=";
			int is_ua, mask;

			while (*p == ' ' || *p == '\t')
				p++;
			if (!strncmp(p, rs, sizeof(rs) - 1)) {
				x = word(&p);
				mask = parse_dp_kinds(x + sizeof(rs) - 1);
				if (mask < 0)
					return kc_err_set(err, KC_EPARSE, "'%s': data-path constraints are write, replace, "
							  "free, wait (comma-separated)", x);
				if (r.kind != RULE_K_DATAPATH)
					return kc_err_set(err, KC_EPARSE, "runtime-syncs applies to 'kernel datapath-state' "
							  "rules only");
				r.dp_synced |= (unsigned)mask;
				continue;
			}
			is_ua = !strncmp(p, ua, sizeof(ua) - 1);
			if (!is_ua && strncmp(p, dc, sizeof(dc) - 1))
				break;
			x = word(&p);
			mask = parse_modes(x + (is_ua ? sizeof(ua) : sizeof(dc)) - 1);
			if (mask < 0)
				return kc_err_set(err, KC_EPARSE, "'%s': device-access modes are none, forward, mapped "
						  "(comma-separated)", x);
			if (!is_ua && r.kind != RULE_K_CALLS)
				return kc_err_set(err, KC_EPARSE, "downcall-under applies to 'kernel calls' rules only");
			if (is_ua)
				r.unless_da |= (unsigned)mask;
			else
				r.downcall_da |= (unsigned)mask;
		}
		r.a = kc_xstrdup(m);
		x = rest(p);
		if (!*x) {
			free(r.a);
			return kc_err_set(err, KC_EPARSE, "kernel rule without a label");
		}
		r.label = kc_xstrdup(x);
		r.ctx = CTX_PROCESS;
	} else {
		return kc_err_set(err, KC_EPARSE, "unknown keyword '%s' (family, detect, root, kernel)", kw);
	}
	r.family = kc_xstrdup(*family);
	r.src = kc_xstrdup(src);
	r.line = lineno;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->rules = kc_xrealloc(t->rules, t->cap * sizeof(*t->rules));
	}
	t->rules[t->n++] = r;
	return 0;
}

int kc_part_templates_add_text(struct kc_part_templates *t, const char *name, const char *text,
			       struct kc_err *err)
{
	char *copy = kc_xstrdup(text), *line = copy, *nl, *hash, *family = NULL;
	int lineno = 0, rc = 0;

	while (line && *line) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		rc = parse_line(t, &family, line, name, lineno, err);
		if (rc < 0) {
			kc_err_prefix(err, "%s:%d", name, lineno);
			goto cleanup;
		}
		line = nl ? nl + 1 : NULL;
	}
cleanup:
	free(family);
	free(copy);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every *.tmpl file of dir in name order. missing_ok: a missing directory is not an error. */
static int load_dir(struct kc_part_templates *t, const char *dir, int missing_ok, struct kc_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, *path = NULL, *text = NULL;
	size_t n = 0, i, len;
	int rc = 0;

	if (!d) {
		if (missing_ok && errno == ENOENT)
			return 0;
		return kc_err_set(err, KC_EIO, "templates directory %s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len > 5 && !strcmp(de->d_name + len - 5, ".tmpl")) {
			names = kc_xrealloc(names, (n + 1) * sizeof(char *));
			names[n++] = kc_xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);
	for (i = 0; i < n && rc == 0; i++) {
		path = kc_path_join(dir, names[i]);
		rc = kc_read_file(&text, NULL, path, err);
		if (rc == 0)
			rc = kc_part_templates_add_text(t, path, text, err);
		free(text);
		text = NULL;
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int kc_part_templates_load(struct kc_part_templates **out, const char *user_dir, struct kc_err *err)
{
	struct kc_part_templates *t = kc_part_templates_new();
	const char *env = getenv("KCUT_TEMPLATES");
	const char *builtin = KC_PART_TEMPLATES_INSTALLED;
	DIR *d;
	int rc;

	*out = NULL;
	d = opendir(builtin);
	if (d)
		closedir(d);
	else
		builtin = KC_PART_TEMPLATES_SOURCE;
	rc = load_dir(t, builtin, 0, err);
	if (rc == 0 && user_dir)
		rc = load_dir(t, user_dir, 0, err);
	if (rc == 0 && env && *env)
		rc = load_dir(t, env, 0, err);
	if (rc < 0) {
		kc_part_templates_free(t);
		return rc;
	}
	*out = t;
	return 0;
}
