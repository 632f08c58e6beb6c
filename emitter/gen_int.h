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

struct gen {
	struct em_model *m;
	const struct kc_emit_opts *o;
	char **types;  /* type id -> enum name; [0] unused, [1] OPAQUE, [2] DMA */
	int ntypes;
	uint8_t *visiting;
	char **globals; /* global id -> "stem_name" */
	int nglobals;
	unsigned stub_lines;
};

int gen_type_add(struct gen *g, char *name); /* takes ownership; returns the id */
const char *gen_type_struct(struct gen *g, int st);
int gen_nonempty(struct gen *g, int fn, int st, int dir);
const char *gen_helper(struct gen *g, struct gen_file *o, int fn, int st, int dir, int enc);
void gen_helpers_flush(struct gen *g, struct gen_file *o);
void gen_file_free(struct gen_file *o);

/* gen_stub.c */
void gen_decl(struct kc_sb *sb, const char *spelling, const char *name);
int gen_marshalable(struct gen *g, int fn);
void gen_stub_body(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn, const char *idexpr);
void gen_handler(struct gen *g, struct gen_file *o, struct kc_sb *b, int fn);
void gen_absent_body(struct gen *g, struct kc_sb *b, int fn);

#endif
