/*
 * gen_int.h - state of one code-generation run (gen.c, gen_marshal.c, gen_files.c).
 */
#ifndef KC_GEN_INT_H
#define KC_GEN_INT_H

#include "emit_int.h"

/* A marshaling helper requested by generated code in one file. */
struct gen_help {
	char *name;
	int fn, st, dir, enc, done;
};

/* One generated .c file: prototypes go first, then the text, then the appended code. */
struct gen_file {
	struct kc_sb protos;
	struct kc_sb text;
	struct kc_sb tail;
	struct gen_help *help;
	int nhelp;
	int need_n;
	int need_i;
};

/* Driver globals a crossing function's call carries (gen_global.c): global ids, EM_IN | EM_OUT. */
struct gen_gset {
	int n;
	int *gid;
	uint8_t *mode;
};

struct gen {
	struct em_model *m;
	const struct kc_emit_opts *o;
	char **types;  /* type id -> enum name; [0] unused, [1] OPAQUE, [2] DMA */
	int ntypes;
	uint8_t *visiting;
	char **globals; /* global id -> "stem_name" */
	int nglobals;
	unsigned stub_lines;
	struct gen_gset *gsets; /* per function (gen_global.c) */
	int rec_fn;     /* gen_recover.c: the synthetic "recovery" function, m->f[m->nf] */
	int *rec_tu;    /* ... per struct: index + 1 of the TU carrying its recovery helpers */
};

int gen_type_add(struct gen *g, char *name); /* takes ownership; returns the id */
const char *gen_type_struct(struct gen *g, int st);
int gen_nonempty(struct gen *g, int fn, int st, int dir);
const char *gen_helper(struct gen *g, struct gen_file *o, int fn, int st, int dir, int enc);
void gen_helpers_flush(struct gen *g, struct gen_file *o);
void gen_file_free(struct gen_file *o);
/* gen_marshal.c: the fields of an object a crossing returns (handler side / stub side); 1 if
 * any code was written */
int gen_ret_candidates(struct gen *g, int fn, int *cand, int max);
int gen_ret_fields_enc(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn);
int gen_ret_fields_dec(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn);
/* gen_marshal.c: arrays of strings (const char *const names[]) as parameters */
void gen_strv_put(struct kc_sb *b, const struct em_func *f, const struct em_type *t, const char *name);
void gen_strv_decl(struct kc_sb *b, int i);
void gen_strv_get(struct kc_sb *b, const struct em_func *f, int i);

/* gen_global.c */
int gen_globals_prepare(struct gen *g, struct kc_err *err);
void gen_globals_free(struct gen *g);
int gen_words_prepare(struct gen *g, struct kc_err *err);
void gen_nested_prepare(struct gen *g);
void gen_globals_code(struct gen *g, struct kc_sb *b, int fn, int dir, int enc, const char *xdr, const char *ind);
int gen_globals_list(struct gen *g, struct kc_sb *b, int fn, int dir);

/* gen_recover.c: recovery after a user-half restart */
void gen_recover_prepare(struct gen *g);
void gen_recover_free(struct gen *g);
void gen_recover_tu(struct gen *g, struct gen_file *o, int tu, enum em_side half);
void gen_recover_ids(struct gen *g, struct kc_sb *sb);
void gen_recover_dispatch(struct gen *g, struct kc_sb *b, enum em_side half);
size_t gen_recover_frees(struct gen *g, struct kc_sb *b, const struct em_scan *s);

/* gen_stub.c */
void gen_decl(struct kc_sb *sb, const char *spelling, const char *name);
int gen_marshalable(struct gen *g, int fn);
void gen_stub_body(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn, const char *idexpr);
void gen_handler(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn);
void gen_absent_body(struct gen *g, struct kc_sb *b, int fn);

#endif
