/*
 * internal.h - declarations shared by the analyzer's own source files (never included by other
 * modules): compile_commands.json loading, argument cleaning, the per-TU libclang pass and the
 * whole-database indirect-call resolution pass.
 */
#ifndef KC_ANALYZER_INTERNAL_H
#define KC_ANALYZER_INTERNAL_H

#include <clang-c/Index.h>
#include <pthread.h>

#include "analyzer.h"

/* A NULL-terminated growable argv. */
struct kc_argv {
	char **v;
	size_t n, cap;
};
void kc_argv_push(struct kc_argv *a, const char *s);
void kc_argv_free(struct kc_argv *a);

/* Split a shell command line the way POSIX sh would for words: single quotes, double quotes (with
 * \" \\ \$ \` escapes), backslash escapes outside quotes. No expansion. Appends to out. Returns 0 or
 * KC_EPARSE (unterminated quote) with a message. */
int kc_shell_split(struct kc_argv *out, const char *cmd, struct kc_err *err);

/* Turn a compiler command line (argv[0] included) into clang arguments fit for libclang: drops
 * argv[0], -c, -o X, dependency-file flags, gcc-only flags, -Werror*, the source file itself
 * (main_file, compared after resolving against dir), and relative -I / -include / -isystem paths
 * are made absolute against dir. Appends -Wno-error and -Wno-unknown-warning-option. */
void kc_clean_args(struct kc_argv *out, char *const *argv, size_t argc, const char *dir,
		   const char *main_file);

/* One compile_commands.json entry after loading. */
struct kc_cc_entry {
	char *dir;  /* absolute */
	char *file; /* absolute, canonical when it exists */
	struct kc_argv args; /* cleaned */
};

struct kc_ccdb {
	struct kc_cc_entry *e;
	size_t n;
};

/* Load DIR/compile_commands.json or a JSON file. JSON errors carry path:line:col. */
int kc_ccdb_load(struct kc_ccdb *out, const char *path, struct kc_err *err);
void kc_ccdb_free(struct kc_ccdb *db);

/* Per-run state the TU pass needs. */
struct kc_run {
	struct kc_db *db;
	char **drivers; /* canonical driver dirs */
	size_t ndrivers;
	pthread_mutex_t lock; /* serializes all DB writes */
	struct kc_modmap_entry *modmap; /* --module-map, sorted by file (NULL: none) */
	size_t nmodmap;
};

/* One module map line: a canonical source path and the module that links it. */
struct kc_modmap_entry {
	char *file;
	char *module;
};

/* 1 when the canonical path lies under one of the run's driver directories. */
int kc_is_driver_path(const struct kc_run *run, const char *path);

/* Store every fact of one parsed TU (the caller holds run->lock and has opened the transaction and
 * deleted the TU's previous facts). tu_id is the tu row. Returns 0 or KC_EDB. */
int kc_visit_tu(struct kc_run *run, CXTranslationUnit tu, long long tu_id, struct kc_err *err);

/* Delete what a TU stored earlier (its functions' bodies, its global initializers' registrations,
 * its diagnostics and includes) so that it can be rewritten in the same transaction. */
int kc_forget_tu(struct kc_db *db, long long tu_id, struct kc_err *err);

/* After all TUs: rebuild the indirect call edges from the stored icall sites (slot, then type
 * match) and drop functions nothing refers to any more. */
int kc_resolve_indirect(struct kc_db *db, struct kc_err *err);

/* Lines of code (loc.c): kc_loc_index scans a file once into a prefix count of non-blank,
 * non-comment lines (caller frees; *nlines: lines in the file); kc_loc_count gives the count of
 * lines first..last (inclusive, 1-based) in O(1). kc_loc_bytes_scanned: bytes all kc_loc_index
 * calls of the process scanned (the work counter tests check linearity with). */
unsigned *kc_loc_index(const char *buf, size_t len, unsigned *nlines);
int kc_loc_count(const unsigned *pre, unsigned nlines, unsigned first, unsigned last);
size_t kc_loc_bytes_scanned(void);

/* meta 'resolve_pending': set in the transaction of every change to the stored TUs, cleared in the
 * transaction of kc_resolve_indirect. A run that dies in between leaves it set; the next run then
 * resolves even when every TU is unchanged. kc_resolve_pending: 1 when set. */
int kc_mark_resolve_pending(struct kc_db *db, struct kc_err *err);
int kc_resolve_pending(struct kc_db *db);

/* --prune: delete every stored TU that is no longer an entry (file, directory) of cc, with the
 * facts it stored (kc_forget_tu); TUs sharing a driver header with one of them lose their hash so
 * that the run re-analyses them. One transaction. *npruned: TUs deleted. Returns 0 or KC_EDB. */
int kc_prune_tus(struct kc_db *db, const struct kc_ccdb *cc, size_t *npruned, struct kc_err *err);

#endif
