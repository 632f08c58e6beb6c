/*
 * unions.c - unions crossing with a discriminator (docs/emitter.md, "Shapes"): struct req embeds
 * an anonymous union whose `o` member holds a pointer; annotations.txt says `kind` selects the
 * active member (req.u union kind REQ_RANGE=r REQ_OBJ=o). Only the active member crosses, field
 * by field, and the pointer member crosses as a tracker handle (never as a kernel address). The
 * twin case ../unions_refused has no annotation: kcut emit refuses, naming req.u.
 */
#include <kdev.h>

struct blob {
	int len;
	int pad[4];
};

struct req {
	enum { REQ_NONE, REQ_RANGE, REQ_OBJ } kind;
	int value;
	int result;
	union {
		struct {
			int min;
			int max;
		} r;
		struct {
			int nr;
			struct blob *b;
		} o;
	} u;
};

/* user half: checks the request against the active member */
static int req_check(struct req *q)
{
	switch (q->kind) {
	case REQ_RANGE:
		q->result = q->value >= q->u.r.min && q->value <= q->u.r.max;
		break;
	case REQ_OBJ:
		q->result = q->u.o.nr > 0 && q->u.o.b && q->value < q->u.o.b->len;
		break;
	default:
		q->result = -1;
		break;
	}
	return q->result;
}

/* kernel half: asks the user half */
int req_run(struct req *q)
{
	return req_check(q);
}
