/*
 * emitter.h - public API of kcut's emitter: from the program database and one named partition to
 * the split driver sources (kernel half, user half, stubs, marshaling, interface summary, build
 * files), and the pointer-shape annotations the marshaling needs (docs/emitter.md).
 */
#ifndef KC_EMITTER_H
#define KC_EMITTER_H

#include <stdio.h>

#include "analyzer.h"
#include "kc_common.h"

/* Options of one emit run. Initialise with KC_EMIT_OPTS_INIT. */
struct kc_emit_opts {
	unsigned version;        /* KC_EMIT_OPTS_VERSION */
	const char *partition;   /* name of the partition (table partition) */
	const char *outdir;      /* output directory (created; files kcut wrote there are replaced, others
				  * are refused unless force; written through temporaries + rename) */
	const char *annotations; /* annotation file, or NULL for the default beside the driver */
	const char *rt_include;  /* directory of kcut_rt.h for the generated CMakeLists (NULL: source tree) */
	FILE *diag;              /* findings (file:line:col: ...) go here; NULL = stderr */
	int force;               /* overwrite existing files in outdir kcut did not write */
	const char *shapes_dir;  /* more *.shapes files (`--shapes DIR`), read after kcut's shape library */
	int no_shapes;           /* 1: do not read kcut's kernel shape library */
	int no_inference;        /* 1: without the kernel-type inference (plan_shapes.c step 4b): for comparing */
};
#define KC_EMIT_OPTS_VERSION 1
#define KC_EMIT_OPTS_INIT { KC_EMIT_OPTS_VERSION, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, 0 }

/* What a run produced. */
struct kc_emit_result {
	unsigned n_tus;        /* driver translation units rewritten */
	unsigned n_upcalls;    /* kernel -> user crossing functions */
	unsigned n_downcalls;  /* user -> kernel (driver functions and kernel imports) */
	unsigned n_fnptrs;     /* function-pointer ids */
	unsigned n_fields_in;  /* (struct, field) pairs marshaled into some callee */
	unsigned n_fields_out; /* (struct, field) pairs marshaled back */
	unsigned n_findings;   /* problems reported on opts.diag (nothing written when > 0) */
	unsigned stub_lines;   /* lines of generated stubs, handlers and marshaling code */
};

/* Emit the split driver for opts->partition into opts->outdir. Every problem that makes the split
 * unsound (an upcall with a spinlock held or from atomic context, a pointer whose shape is unknown,
 * user-half access to DMA-coherent memory, a variadic crossing function) is printed as
 * `file:line:col: error: ...` on opts->diag; when there is at least one, nothing is written and
 * KC_ECONFLICT is returned. Other errors: KC_ENOTFOUND (no such partition), KC_EDB, KC_EPARSE (a TU
 * no longer parses), KC_EIO. */
int kc_emit_run(struct kc_emit_result *out, struct kc_db *db, const struct kc_emit_opts *opts,
		struct kc_err *err);

/* One pointer field whose shape the emitter needs and cannot infer (or, with `all`, that crosses). */
struct kc_emit_missing {
	char *field;    /* 'struct.field' */
	char *type;     /* its declared type */
	char *needed;   /* the crossing functions that marshal it, ', '-separated */
	char *shape;    /* known shape as an annotation would say it ("array addr_len"), NULL if unknown */
	char *evidence; /* where the shape came from, or for an unknown one what kcut saw */
	char *proposal; /* unknown shape: the answer kcut proposes ("string"), NULL when it has none */
	int kernel;     /* the field's struct is a kernel type (not defined in a driver file) */
};

/* List the pointer fields the crossings of opts->partition need whose shape is neither inferred nor
 * annotated (opts->annotations, NULL: the default file; opts->shapes_dir, no_shapes and
 * no_inference as for kc_emit_run), or with all = 1 every pointer field (and union holding
 * pointers) the crossings marshal, with its shape and evidence. *out is a malloc'd array the
 * caller frees with kc_emit_missing_free. *annot_path receives the annotation file used. */
int kc_emit_missing_shapes(struct kc_emit_missing **out, size_t *n, char **annot_path, struct kc_db *db,
			   const struct kc_emit_opts *opts, int all, struct kc_err *err);
void kc_emit_missing_free(struct kc_emit_missing *m, size_t n);

/* Append one annotation line ("struct.field shape [arg]") to the file at path, after checking it
 * parses. KC_EINVAL with a message when it does not. */
int kc_emit_annot_append(const char *path, const char *field, const char *shape, struct kc_err *err);

#endif /* KC_EMITTER_H */
