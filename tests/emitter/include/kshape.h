/* kshape.h - kernel-like types for tests/emitter/shape/library (the kernel shape library case):
 * they live outside the driver's directory, so they are kernel types. */
#ifndef KSHAPE_H
#define KSHAPE_H

#include <kdev.h>

struct kfw {
	unsigned long size;
	const u8 *data;          /* size bytes: the case's shapes/test.shapes says so */
};

struct kqueue;                   /* never defined where the driver can see it */

struct kport {
	struct kqueue *queue;    /* inferred: an opaque handle */
	u8 *scratch;             /* nothing says how long: a question, with a proposal */
	u32 scratch_len;
};

int kport_kick(struct kqueue *q);

#endif
