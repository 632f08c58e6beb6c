/*
 * scan.h - the second layer of the emitter (model.h explains the layers): facts from the driver
 * sources that the database does not hold, from one libclang parse per translation unit with
 * the arguments the analyzer stored. clangscan.c: the byte ranges of every function definition
 * of the main file and of its body, the parameter and return types of every function the TU
 * declares (into the model's functions), the file-scope variables; strscan.c: evidence that
 * char-pointer members hold strings (into the model's fields). Scanners record facts only.
 */
#ifndef KC_EMIT_SCAN_H
#define KC_EMIT_SCAN_H

#include <stddef.h>

#include "model.h"

/* One function definition of the main file. */
struct em_def {
	int func;                 /* model index, -1 if not in the DB */
	unsigned start, body_start, body_end; /* byte offsets in text: [body_start, body_end) is { ... } */
	int from_macro;
	int part;                 /* (scan only) 0: the main file, i: the i-th included driver .c file */
};

/* Where a stretch of text comes from: from offset off on, file's line `line`. */
struct em_seg {
	size_t off;
	char *file;
	unsigned line;
};

/* One TU. */
struct em_scan {
	char *text;               /* main file contents, with every driver .c file the main file
				   * #includes (ens1371.c: #include "ens1370.c") put in place of its
				   * #include line, between #line directives */
	size_t len;
	struct em_seg *segs;      /* which file and line each stretch of text is (segs[0].off = 0) */
	int nsegs;
	struct em_def *defs;
	int ndefs;
	char **globals;           /* file-scope variables the main file defines */
	int *gscalar;             /* ... 1: plain data (integers and arrays of them), not const */
	int *gconst;              /* ... 1: a const-qualified object (an ops table) */
	char **gstruct;           /* ... the struct it is, or its array's elements are (as the
				   * analyzer names structs: record_name), NULL: not a struct */
	int *gdims;               /* ... its array dimensions (0: not an array) */
	int nglobals;
	int *inl;                 /* header inline functions (local_def) this TU defines */
	int ninl;
	size_t inc_end;           /* offset just after the main file's last #include line */
};

/* clangscan.c: scan every TU into m->scans (one parse each); em_scan_all_free releases them. */
int em_scan_all(struct em_model *m, struct kc_err *err);
void em_scan_all_free(struct em_model *m);
int em_scan_tu(struct em_scan *out, struct em_model *m, const struct em_tu *tu, struct kc_err *err);
void em_scan_free(struct em_scan *s);
/* The original file and line of text offset off (the file belongs to s). */
const char *em_scan_line(const struct em_scan *s, size_t off, unsigned *line);

/* strscan.c: string evidence for char-pointer fields, from a TU clangscan.c has parsed. */
struct CXTranslationUnitImpl;
void em_strscan_tu(struct em_model *m, struct CXTranslationUnitImpl *tu);
/* shapescan.c: union discriminator evidence (switch (x->D) { case V: ... x->U.M ... }). */
void em_shapescan_tu(struct em_model *m, struct CXTranslationUnitImpl *tu);

#endif /* KC_EMIT_SCAN_H */
