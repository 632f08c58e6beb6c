/*
 * ccdb.c - reading compile_commands.json (Clang's JSON compilation database).
 *
 * Accepts both entry forms (`arguments` array, `command` string split like sh), resolves `file`
 * against `directory`, and cleans every command line (args.c). Written by CMake, bear and the
 * kernel's gen_compile_commands.py alike. JSON syntax errors are reported as path:line:col.
 */
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int load_entry(struct kc_cc_entry *e, json_t *obj, const char *path, size_t idx,
		      struct kc_err *err)
{
	json_t *jdir = json_object_get(obj, "directory");
	json_t *jfile = json_object_get(obj, "file");
	json_t *jargs = json_object_get(obj, "arguments");
	json_t *jcmd = json_object_get(obj, "command");
	struct kc_argv raw = { 0 };
	char *abs = NULL;
	int rc = 0;

	if (!json_is_object(obj) || !json_is_string(jdir) || !json_is_string(jfile)) {
		rc = kc_err_set(err, KC_EPARSE, "%s: entry %zu: needs string fields \"directory\" and \"file\"",
				path, idx);
		goto cleanup;
	}
	if (json_is_array(jargs)) {
		size_t i;
		json_t *v;

		json_array_foreach(jargs, i, v) {
			if (!json_is_string(v)) {
				rc = kc_err_set(err, KC_EPARSE, "%s: entry %zu: \"arguments\" must hold strings",
						path, idx);
				goto cleanup;
			}
			kc_argv_push(&raw, json_string_value(v));
		}
	} else if (json_is_string(jcmd)) {
		rc = kc_shell_split(&raw, json_string_value(jcmd), err);
		if (rc) {
			kc_err_prefix(err, "%s: entry %zu", path, idx);
			goto cleanup;
		}
	} else {
		rc = kc_err_set(err, KC_EPARSE, "%s: entry %zu: needs \"arguments\" or \"command\"", path, idx);
		goto cleanup;
	}
	{
		char *cwd_dir = kc_path_join(NULL, json_string_value(jdir));

		e->dir = kc_path_canon(cwd_dir);
		free(cwd_dir);
	}
	abs = kc_path_join(e->dir, json_string_value(jfile));
	e->file = kc_path_canon(abs);
	kc_clean_args(&e->args, raw.v, raw.n, e->dir, json_string_value(jfile));
cleanup:
	free(abs);
	kc_argv_free(&raw);
	return rc;
}

int kc_ccdb_load(struct kc_ccdb *out, const char *path, struct kc_err *err)
{
	struct stat st;
	char *file = NULL;
	json_t *root = NULL;
	json_error_t jerr;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		file = kc_path_join(path, "compile_commands.json");
	else
		file = kc_xstrdup(path);
	if (stat(file, &st) != 0) {
		rc = kc_err_set(err, KC_EIO, "%s: no such file (give -p BUILD_DIR or a compile_commands.json path)",
				file);
		goto cleanup;
	}
	root = json_load_file(file, 0, &jerr);
	if (!root) {
		rc = kc_err_set(err, KC_EPARSE, "%s:%d:%d: broken JSON: %s", file, jerr.line, jerr.column,
				jerr.text);
		goto cleanup;
	}
	if (!json_is_array(root)) {
		rc = kc_err_set(err, KC_EPARSE, "%s:1:1: a compilation database is a JSON array of entries", file);
		goto cleanup;
	}
	out->e = kc_xcalloc(json_array_size(root) + 1, sizeof(*out->e));
	for (i = 0; i < json_array_size(root); i++) {
		rc = load_entry(&out->e[out->n], json_array_get(root, i), file, i, err);
		out->n++;
		if (rc)
			goto cleanup;
	}
cleanup:
	if (rc)
		kc_ccdb_free(out);
	json_decref(root);
	free(file);
	return rc;
}

void kc_ccdb_free(struct kc_ccdb *db)
{
	size_t i;

	for (i = 0; i < db->n; i++) {
		free(db->e[i].dir);
		free(db->e[i].file);
		kc_argv_free(&db->e[i].args);
	}
	free(db->e);
	db->e = NULL;
	db->n = 0;
}
