/*
 * emit_int.h - what emit.c and annot.c use: the layers of the emitter (model.h, scan.h, plan.h;
 * model.h explains them) and the printers' entry point.
 */
#ifndef KC_EMIT_INT_H
#define KC_EMIT_INT_H

#include "plan.h"

/* gen.c: print the plan into opts->outdir (nothing is written when the model has findings). */
int em_gen_all(struct kc_emit_result *res, const struct em_plan *p, const struct kc_emit_opts *o,
	       struct kc_err *err);

#endif /* KC_EMIT_INT_H */
