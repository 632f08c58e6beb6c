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
#ifdef KCUT_SPLIT
#include "kcut_ids.h"
#endif

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
#ifdef KCUT_SPLIT
	struct kc_err err = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: %s USER_HALF\n", argv[0]);
		return 2;
	}
	if (kcut_kernel_start(argv[1], getenv("KCUT_TRACE") != NULL, &err)) {
		fprintf(stderr, "host: %s\n", err.msg);
		return 2;
	}
#else
	(void)argc;
	(void)argv;
#endif
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
#ifdef KCUT_SPLIT
	if (getenv("KCUT_TRACE")) {
		/* the crossing trace run_emit.py checks */
		FILE *f = fopen(getenv("KCUT_TRACE"), "w");

		if (!f || kc_rt_trace_write(kcut_rt, f))
			fprintf(stderr, "host: cannot write the trace\n");
		if (f)
			fclose(f);
	}
#endif
	return 0;
}
