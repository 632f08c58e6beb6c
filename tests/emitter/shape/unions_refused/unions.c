/*
 * unions.c (unions_refused) - the driver of ../unions, except that req_check tests the kind with
 * if/else instead of a switch (which kcut reads as the discriminator: ../unions_inferred), and
 * there is no annotation: nothing says which member of req.u is active, so kcut emit refuses,
 * naming req.u.
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
	if (q->kind == REQ_RANGE)
		q->result = q->value >= q->u.r.min && q->value <= q->u.r.max;
	else if (q->kind == REQ_OBJ)
		q->result = q->u.o.nr > 0 && q->u.o.b && q->value < q->u.o.b->len;
	else
		q->result = -1;
	return q->result;
}

/* kernel half: asks the user half */
int req_run(struct req *q)
{
	return req_check(q);
}
