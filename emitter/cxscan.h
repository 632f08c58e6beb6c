/*
 * cxscan.h - the libclang cursor helpers the emitter's scanners share (strscan.c, shapescan.c;
 * defined in strscan.c): the first child, a cursor's children (the first few and the last), and
 * the expression under parentheses, implicit conversions and (optionally) casts.
 */
#ifndef KC_EMIT_CXSCAN_H
#define KC_EMIT_CXSCAN_H

#include <clang-c/Index.h>

#define EM_KIDS_MAX 8

/* Children of a cursor: the first EM_KIDS_MAX in k, the last one in last, how many in n. */
struct em_kids {
	CXCursor k[EM_KIDS_MAX];
	CXCursor last;
	int n;
};

/* Visitors (data: a CXCursor * for the first child, a struct em_kids * zeroed for collect). */
enum CXChildVisitResult em_cx_first_child(CXCursor c, CXCursor parent, CXClientData data);
enum CXChildVisitResult em_cx_collect(CXCursor c, CXCursor parent, CXClientData data);
/* Strip unexposed wrappers and parentheses (one child each); with casts, C casts too (but not a
 * cast whose first child is its type reference). */
CXCursor em_cx_strip(CXCursor c, int casts);

struct em_func;
/* nullscan.c: how the body of driver function f (definition fn, body its compound statement) uses
 * its parameters (em_func.pnull, em_func.pass); once per function. */
void em_nullscan_def(struct em_func *f, CXCursor fn, CXCursor body);

/* regscan.c: integer parameters of driver function f used in register addresses (em_func.regarg). */
void em_regscan_def(struct em_func *f, CXCursor fn, CXCursor body);
/* regmacro.c: the binary operators (ops, at most max, in the order written) of argument arg of
 * register accessor `callee`'s call, from the macro expansion of the text at the call's
 * expansion location with the translation unit's #defines; their number, -1 when not readable.
 * em_regmacro_done: forget the translation unit's #defines (before it is disposed). */
int em_regmacro_ops(CXTranslationUnit tu, CXCursor call, const char *callee, unsigned arg, char (*ops)[4], int max);
void em_regmacro_done(void);

#endif /* KC_EMIT_CXSCAN_H */
