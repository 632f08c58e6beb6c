/*
 * gate.c - the CI gate: `kcut baseline` records the kernel half as JSON, `kcut check` compares
 * the current partition with it and reports growth and functions newly moved into the kernel, as
 * text, JSON, Markdown (for merge-request comments) or SARIF 2.1.0 (for code-scanning UIs, each
 * result pointing at the function's definition).
 */
#include "part_int.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int kc_part_baseline_write(const char *path, const struct kc_part_graph *g, const struct kc_part_result *r,
			   const char *partition_name, struct kc_err *err)
{
	json_t *root = json_object(), *funcs = json_array();
	size_t i;
	int rc = 0;

	json_object_set_new(root, "kcut_baseline", json_integer(1));
	json_object_set_new(root, "partition", json_string(partition_name ? partition_name : ""));
	json_object_set_new(root, "kernel_loc", json_integer(r->st.kernel_loc));
	json_object_set_new(root, "kernel_funcs", json_integer((json_int_t)r->st.kernel_funcs));
	for (i = 0; i < g->nf; i++) {
		json_t *f;

		if (!r->side[i])
			continue;
		f = json_object();
		json_object_set_new(f, "name", json_string(g->f[i].name));
		json_object_set_new(f, "loc", json_integer(g->f[i].loc));
		json_object_set_new(f, "file", g->f[i].file ? json_string(g->f[i].file) : json_null());
		json_object_set_new(f, "line", json_integer(g->f[i].line));
		json_object_set_new(f, "reason", json_string(kc_part_reason_name(r->reason[i])));
		json_array_append_new(funcs, f);
	}
	json_object_set_new(root, "functions", funcs);
	if (json_dump_file(root, path, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
		rc = kc_err_set(err, KC_EIO, "cannot write baseline %s", path);
	json_decref(root);
	return rc;
}

struct newfn {
	int idx;
	char *why;
};

static const char *rel_uri(const char *file, const char *srcroot)
{
	size_t n;

	if (!file)
		return "";
	if (srcroot && (n = strlen(srcroot)) && !strncmp(file, srcroot, n) && (file[n] == '/' || srcroot[n - 1] == '/'))
		return file + n + (file[n] == '/');
	return file;
}

static json_t *sarif_rule(const char *id, const char *name, const char *text)
{
	json_t *r = json_object(), *d = json_object(), *cfg = json_object();

	json_object_set_new(r, "id", json_string(id));
	json_object_set_new(r, "name", json_string(name));
	json_object_set_new(d, "text", json_string(text));
	json_object_set_new(r, "shortDescription", d);
	json_object_set_new(cfg, "level", json_string("error"));
	json_object_set_new(r, "defaultConfiguration", cfg);
	return r;
}

int kc_part_check(struct kc_sb *out, int *failed, const char *baseline_path, const struct kc_part_graph *g,
		  const struct kc_part_result *r, double max_growth, int is_percent, int format,
		  const char *srcroot, struct kc_err *err)
{
	json_error_t jerr;
	json_t *base = json_load_file(baseline_path, 0, &jerr), *funcs, *v;
	struct newfn *nf = NULL;
	char **removed = NULL;
	size_t nnew = 0, nrem = 0, i, j;
	long base_loc, growth;
	double limit;
	int grew, rc = 0;

	*failed = 0;
	if (!base)
		return kc_err_set(err, KC_EPARSE, "%s:%d:%d: %s", baseline_path, jerr.line, jerr.column, jerr.text);
	funcs = json_object_get(base, "functions");
	if (!json_is_integer(json_object_get(base, "kcut_baseline")) || !json_is_array(funcs) ||
	    !json_is_integer(json_object_get(base, "kernel_loc"))) {
		rc = kc_err_set(err, KC_EPARSE, "%s: not a kcut baseline (expected kcut_baseline, kernel_loc, functions)",
				baseline_path);
		goto cleanup;
	}
	base_loc = (long)json_integer_value(json_object_get(base, "kernel_loc"));
	for (i = 0; i < g->nf; i++) {
		int found = 0;

		if (!r->side[i])
			continue;
		json_array_foreach(funcs, j, v) {
			const char *n = json_string_value(json_object_get(v, "name"));

			if (n && !strcmp(n, g->f[i].name)) {
				found = 1;
				break;
			}
		}
		if (!found) {
			struct kc_sb sb = { 0 };

			kc_part_why(&sb, g, r, (int)i);
			nf = kc_xrealloc(nf, (nnew + 1) * sizeof(*nf));
			nf[nnew].idx = (int)i;
			nf[nnew].why = kc_sb_steal(&sb);
			nnew++;
		}
	}
	json_array_foreach(funcs, j, v) {
		const char *n = json_string_value(json_object_get(v, "name"));
		int k;

		if (!n)
			continue;
		k = kc_part_graph_find(g, n);
		if (k < 0 || !r->side[k]) {
			removed = kc_xrealloc(removed, (nrem + 1) * sizeof(char *));
			removed[nrem++] = kc_xstrdup(n);
		}
	}
	growth = r->st.kernel_loc - base_loc;
	limit = is_percent ? (double)base_loc * max_growth / 100.0 : max_growth;
	grew = (double)growth > limit;
	*failed = grew || nnew > 0;

	if (format == KC_PART_CHECK_TEXT) {
		kc_sb_addf(out, "kcut check: kernel half %ld LOC, baseline %ld LOC, growth %+ld (limit %+g%s): %s\n",
			   r->st.kernel_loc, base_loc, growth, limit, is_percent ? ", from a percentage" : "",
			   *failed ? "FAIL" : "ok");
		if (grew)
			kc_sb_addf(out, "the kernel half grew by %ld LOC, more than the allowed %g\n", growth, limit);
		if (nnew)
			kc_sb_addf(out, "%zu function%s newly in the kernel half:\n", nnew, nnew == 1 ? "" : "s");
		for (i = 0; i < nnew; i++) {
			const struct kc_part_func *f = &g->f[nf[i].idx];

			kc_sb_addf(out, "%s:%d:%d: %s moved into the kernel half\n%s", f->file ? f->file : "?", f->line,
				   f->col, f->name, nf[i].why);
		}
		for (i = 0; i < nrem; i++)
			kc_sb_addf(out, "left the kernel half: %s\n", removed[i]);
	} else if (format == KC_PART_CHECK_MARKDOWN) {
		kc_sb_addf(out, "### kcut check: %s\n\n| | LOC |\n|---|---:|\n| kernel half | %ld |\n| baseline | %ld |\n"
				"| growth | %+ld |\n| limit | %+g |\n\n",
			   *failed ? ":x: kernel half grew" : ":white_check_mark: ok", r->st.kernel_loc, base_loc, growth,
			   limit);
		if (nnew) {
			kc_sb_add(out, "| new kernel function | LOC | where | why |\n|---|---:|---|---|\n");
			for (i = 0; i < nnew; i++) {
				const struct kc_part_func *f = &g->f[nf[i].idx];
				const char *d = kc_part_result_detail(r, nf[i].idx);

				kc_sb_addf(out, "| `%s` | %ld | %s:%d | ", f->name, f->loc, rel_uri(f->file, srcroot), f->line);
				for (; *d; d++)
					kc_sb_add(out, *d == '|' ? "\\|" : (char[2]){ *d, 0 });
				kc_sb_add(out, " |\n");
			}
			kc_sb_add(out, "\n");
		}
		for (i = 0; i < nrem; i++)
			kc_sb_addf(out, "- left the kernel half: `%s`\n", removed[i]);
	} else if (format == KC_PART_CHECK_JSON) {
		json_t *o = json_object(), *a = json_array(), *rm = json_array();
		char *s;

		json_object_set_new(o, "passed", json_boolean(!*failed));
		json_object_set_new(o, "kernel_loc", json_integer(r->st.kernel_loc));
		json_object_set_new(o, "baseline_loc", json_integer(base_loc));
		json_object_set_new(o, "growth", json_integer(growth));
		json_object_set_new(o, "limit", json_real(limit));
		json_object_set_new(o, "grew_past_limit", json_boolean(grew));
		for (i = 0; i < nnew; i++) {
			const struct kc_part_func *f = &g->f[nf[i].idx];
			json_t *x = json_object();

			json_object_set_new(x, "name", json_string(f->name));
			json_object_set_new(x, "loc", json_integer(f->loc));
			json_object_set_new(x, "file", f->file ? json_string(f->file) : json_null());
			json_object_set_new(x, "line", json_integer(f->line));
			json_object_set_new(x, "col", json_integer(f->col));
			json_object_set_new(x, "reason", json_string(kc_part_reason_name(r->reason[nf[i].idx])));
			json_object_set_new(x, "why", json_string(nf[i].why));
			json_array_append_new(a, x);
		}
		for (i = 0; i < nrem; i++)
			json_array_append_new(rm, json_string(removed[i]));
		json_object_set_new(o, "new_kernel_functions", a);
		json_object_set_new(o, "left_kernel", rm);
		s = json_dumps(o, JSON_INDENT(2));
		kc_sb_add(out, s);
		kc_sb_add(out, "\n");
		free(s);
		json_decref(o);
	} else {
		json_t *log = json_object(), *runs = json_array(), *run = json_object(), *tool = json_object();
		json_t *drv = json_object(), *rules = json_array(), *results = json_array();
		char *s;

		json_object_set_new(log, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
		json_object_set_new(log, "version", json_string("2.1.0"));
		json_object_set_new(drv, "name", json_string("kcut"));
		json_object_set_new(drv, "version", json_string(KC_VERSION));
		json_array_append_new(rules, sarif_rule("KC001", "KernelFunctionAdded",
							"A function moved into the kernel half of the driver"));
		json_array_append_new(rules, sarif_rule("KC002", "KernelHalfGrew",
							"The kernel half grew past the allowed LOC growth"));
		json_object_set_new(drv, "rules", rules);
		json_object_set_new(tool, "driver", drv);
		json_object_set_new(run, "tool", tool);
		if (srcroot && *srcroot) {
			json_t *bases = json_object(), *b = json_object();
			struct kc_sb u = { 0 };

			kc_sb_addf(&u, "file://%s%s", srcroot, srcroot[strlen(srcroot) - 1] == '/' ? "" : "/");
			json_object_set_new(b, "uri", json_string(u.s));
			json_object_set_new(bases, "SRCROOT", b);
			json_object_set_new(run, "originalUriBaseIds", bases);
			kc_sb_free(&u);
		}
		for (i = 0; i < nnew; i++) {
			const struct kc_part_func *f = &g->f[nf[i].idx];
			json_t *res = json_object(), *msg = json_object(), *locs = json_array(), *loc = json_object();
			json_t *phys = json_object(), *art = json_object(), *reg = json_object();
			struct kc_sb m = { 0 };

			json_object_set_new(res, "ruleId", json_string("KC001"));
			json_object_set_new(res, "ruleIndex", json_integer(0));
			json_object_set_new(res, "level", json_string("error"));
			kc_sb_addf(&m, "%s moved into the kernel half (%ld LOC). Why:\n%s", f->name, f->loc, nf[i].why);
			json_object_set_new(msg, "text", json_string(m.s));
			kc_sb_free(&m);
			json_object_set_new(res, "message", msg);
			json_object_set_new(art, "uri", json_string(rel_uri(f->file, srcroot)));
			if (srcroot && *srcroot && f->file && rel_uri(f->file, srcroot) != f->file)
				json_object_set_new(art, "uriBaseId", json_string("SRCROOT"));
			json_object_set_new(phys, "artifactLocation", art);
			json_object_set_new(reg, "startLine", json_integer(f->line > 0 ? f->line : 1));
			if (f->col > 0)
				json_object_set_new(reg, "startColumn", json_integer(f->col));
			json_object_set_new(phys, "region", reg);
			json_object_set_new(loc, "physicalLocation", phys);
			json_array_append_new(locs, loc);
			json_object_set_new(res, "locations", locs);
			json_array_append_new(results, res);
		}
		if (grew) {
			json_t *res = json_object(), *msg = json_object();
			struct kc_sb m = { 0 };

			kc_sb_addf(&m, "The kernel half grew from %ld to %ld LOC (%+ld), more than the allowed %g.", base_loc,
				   r->st.kernel_loc, growth, limit);
			json_object_set_new(res, "ruleId", json_string("KC002"));
			json_object_set_new(res, "ruleIndex", json_integer(1));
			json_object_set_new(res, "level", json_string("error"));
			json_object_set_new(msg, "text", json_string(m.s));
			json_object_set_new(res, "message", msg);
			json_array_append_new(results, res);
			kc_sb_free(&m);
		}
		json_object_set_new(run, "results", results);
		json_array_append_new(runs, run);
		json_object_set_new(log, "runs", runs);
		s = json_dumps(log, JSON_INDENT(2));
		kc_sb_add(out, s);
		kc_sb_add(out, "\n");
		free(s);
		json_decref(log);
	}
cleanup:
	for (i = 0; i < nnew; i++)
		free(nf[i].why);
	free(nf);
	for (i = 0; i < nrem; i++)
		free(removed[i]);
	free(removed);
	json_decref(base);
	return rc;
}
