/*
 * host.c - the "kernel" of the unions case (run_emit.py end_to_end): calls req_run (kernel half)
 * with requests whose union is active as r (two integers) and as o (a count and a pointer to a
 * struct blob in kernel memory), and prints the result the user half's req_check wrote back.
 * Built with the original unions.c and with the kernel half (user half as its own process): the
 * transcripts must be identical.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kdev.h>
#include <khost.h>

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

int req_run(struct req *q);

int main(int argc, char **argv)
{
	static struct blob blob = { .len = 10 };
	static struct req q;
	int rc;

	if (khost_start(argc, argv))
		return 2;
	q.kind = REQ_RANGE;
	q.value = 5;
	q.u.r.min = 1;
	q.u.r.max = 8;
	rc = req_run(&q);
	printf("range 5 in [1,8]: rc %d result %d\n", rc, q.result);
	q.u.r.max = 4;
	rc = req_run(&q);
	printf("range 5 in [1,4]: rc %d result %d\n", rc, q.result);
	q.kind = REQ_OBJ;
	q.u.o.nr = 1;
	q.u.o.b = &blob;
	rc = req_run(&q);
	printf("obj 5 < len 10: rc %d result %d\n", rc, q.result);
	blob.len = 3;
	rc = req_run(&q);
	printf("obj 5 < len 3: rc %d result %d\n", rc, q.result);
	q.kind = REQ_NONE;
	rc = req_run(&q);
	printf("none: rc %d result %d\n", rc, q.result);
	khost_trace();
	return 0;
}
