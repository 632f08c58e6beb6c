/*
 * corpus.h - public API of kcut's corpus statistics (`kcut stats`, issue 7): per-driver and
 * per-family numbers over many driver databases, the view of the Microdrivers paper's Figure 2.
 *
 * A corpus is a directory of kcut databases, one per kernel module, grouped by family:
 * <dir>/<family>/<module>.db (scripts/linux-corpus.sh writes it). For each module the partitioner
 * (partitioner/partitioner.h) loads the driver call graph with the family's templates, solves once
 * by propagation (the critical functions) and once by min-cut with static weights (the kernel half),
 * and a few SQL counts give the TUs and the kernel imports. Rows are aggregated per family.
 * A whole-tree database (one database for many modules, tu.module set on every TU) is the other
 * input: kc_corpus_add_tree gives one row per module.
 */
#ifndef KC_CORPUS_H
#define KC_CORPUS_H

#include <stddef.h>

#include "kc_common.h"

struct kc_part_templates;
struct kc_corpus; /* the rows collected so far */

/* One driver (kernel module). */
struct kc_corpus_row {
	const char *family;      /* net, scsi, sound ... */
	const char *module;      /* module name, e.g. e1000 */
	size_t tus, tus_bad;     /* TUs in the database, those not 'ok' (errors/failed/missing) */
	size_t funcs;            /* driver-defined functions */
	long loc;                /* their LOC */
	size_t roots;            /* critical roots found by the templates */
	size_t crit_funcs;       /* kernel side by propagation from the roots (kernel rules ignored) */
	long crit_loc;
	size_t kern_funcs;       /* kernel side by min-cut (static weights, alpha = beta = 1, kernel rules) */
	long kern_loc;
	size_t fwd_funcs;        /* the same min-cut with device access forward (kcut partition's default) */
	long fwd_loc;
	size_t imports;          /* distinct kernel functions the driver calls (defined outside it) */
	size_t cut_edges;        /* call edges crossing the min-cut partition */
	size_t pinned;           /* functions a template 'kernel' rule keeps in the kernel (MMIO, DMA ...) */
	const char *error;       /* NULL, or why this module has no numbers (the rest are 0) */
};

enum kc_corpus_format { KC_CORPUS_TEXT = 0, KC_CORPUS_CSV, KC_CORPUS_JSON, KC_CORPUS_MARKDOWN };

int kc_corpus_new(struct kc_corpus **out);
void kc_corpus_free(struct kc_corpus *c);

/* Append a copy of row (strings copied). For tests and for kc_corpus_add_db. */
void kc_corpus_add_row(struct kc_corpus *c, const struct kc_corpus_row *row);

/* Compute the row of one module database and append it. A database that cannot be opened or
 * partitioned still gets a row, with error set; the function then returns the negative KC_E* code
 * with the message in err (not fatal for a corpus run). t holds the loaded templates; family is
 * passed to the partitioner when t knows it, otherwise the family is detected. */
int kc_corpus_add_db(struct kc_corpus *c, const char *family, const char *module, const char *db_path,
		     const struct kc_part_templates *t, struct kc_err *err);

/* Add every <dir>/<family>/<module>.db (families and modules in name order; only_family, when
 * not NULL, restricts to one family). *n_failed gets the number of modules with an error row.
 * Fails only when dir cannot be read or holds no database. */
int kc_corpus_add_dir(struct kc_corpus *c, const char *dir, const char *only_family,
		      const struct kc_part_templates *t, size_t *n_failed, struct kc_err *err);

/* Add one row per module of a whole-tree database (`kcut analyze --module-map`: every TU carries
 * tu.module; the analyzer keys each module's functions apart), each computed exactly like a
 * database of that module alone. families_tsv (may be NULL): "MODULE<TAB>FAMILY[<TAB>...]" lines
 * (linux-corpus.sh's modules.tsv); a module not listed gets family "-" (detected by the templates).
 * Rows are in (family, module) order; only_family restricts to that family's modules, or, without
 * families_tsv, is the family of every module (passed to the partitioner like kc_corpus_add_db's). *n_failed: modules with an error row.
 * Fails when the database cannot be opened, has no TU with a module, or the map is malformed. */
int kc_corpus_add_tree(struct kc_corpus *c, const char *db_path, const char *families_tsv,
		       const char *only_family, const struct kc_part_templates *t, size_t *n_failed,
		       struct kc_err *err);

/* Number of distinct non-NULL tu.module values of a database (0: not analyzed with a module map). */
int kc_corpus_count_modules(size_t *out, const char *db_path, struct kc_err *err);

size_t kc_corpus_nrows(const struct kc_corpus *c);
const struct kc_corpus_row *kc_corpus_row(const struct kc_corpus *c, size_t i);

/* Per-family totals of the rows without error (family = the name; a row "all" sums every family).
 * Percentages in the output are pooled: sum of critical functions / sum of functions. */
int kc_corpus_total(struct kc_corpus_row *out, const struct kc_corpus *c, const char *family);

/* Write the table: one line per family and "all" (and first one per driver when per_driver),
 * restricted to family when not NULL. */
int kc_corpus_format(struct kc_sb *out, const struct kc_corpus *c, int format, int per_driver,
		     const char *family, struct kc_err *err);

#endif /* KC_CORPUS_H */
