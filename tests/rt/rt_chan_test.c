/*
 * rt_chan_test.c - the channel between a kernel half (this program) and a real user half
 * (rt_user_test, spawned by the runtime): concurrent upcalls from several threads, replies
 * going to the right caller in the right order, nested calls three deep, downcalls started by a
 * user-half thread, objects crossing as handles, and the crossing trace. Also built with
 * ThreadSanitizer (rt_chan_test_tsan).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kc_test.h"
#include "rt_test_kernel.h"

static struct kc_rt *start(int trace, const char *mode)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = NULL;
	int rc;

	rt_test_opts(&o, mode);
	o.trace = trace;
	rc = kc_rt_kernel_start(&rt, &o, &err);
	if (rc)
		fprintf(stderr, "start: %s\n", err.msg);
	return rt;
}

static void test_start_fails_cleanly(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = (struct kc_rt *)1;

	rt_test_opts(&o, NULL);
	o.user_path = "/nonexistent/kcut-user-half";
	o.ready_timeout_ms = 300;
	KC_CHECK_EQ_INT(kc_rt_kernel_start(&rt, &o, &err), KC_EIO);
	KC_CHECK(rt == NULL);
	KC_CHECK(strstr(err.msg, "/nonexistent/kcut-user-half") != NULL);
	o.user_path = NULL;
	KC_CHECK_EQ_INT(kc_rt_kernel_start(&rt, &o, &err), KC_EINVAL);
}

static void test_simple_calls(void)
{
	struct kc_rt *rt = start(0, NULL);
	uint32_t v = 0, tag = 0;

	KC_REQUIRE(rt);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 1);
	KC_CHECK(kc_rt_user_pid(rt) > 0);
	KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
	KC_CHECK_EQ_INT(up_echo(rt, 41, 7, &v, &tag), 0);
	KC_CHECK_EQ_INT(v, 42);
	KC_CHECK_EQ_INT(tag, 7);
	/* the user half rejects malformed arguments with its own error code */
	KC_CHECK_EQ_INT(up_u32(rt, U_ECHO, 1, NULL), KC_EINVAL);
	/* unknown function ids never leave the kernel half */
	{
		struct kc_rt_call *c;
		struct kc_xdr *a;

		KC_CHECK_EQ_INT(kc_rt_call_begin(&c, &a, rt, U_NFNS), KC_EINVAL);
	}
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

struct worker {
	struct kc_rt *rt;
	uint32_t id;
	int bad;
};

static void *echo_worker(void *p)
{
	struct worker *w = p;
	uint32_t i;

	for (i = 0; i < 300; i++) {
		uint32_t v = 0, tag = 0;
		int rc = up_echo(w->rt, w->id * 100000 + i, w->id, &v, &tag);

		if (rc || v != w->id * 100000 + i + 1 || tag != w->id)
			w->bad++;
	}
	return NULL;
}

static void test_concurrent_upcalls(void)
{
	struct kc_rt *rt = start(0, NULL);
	struct worker w[8];
	pthread_t t[8];
	int i;

	KC_REQUIRE(rt);
	for (i = 0; i < 8; i++) {
		w[i] = (struct worker){ rt, (uint32_t)i + 1, 0 };
		pthread_create(&t[i], NULL, echo_worker, &w[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		KC_CHECK_EQ_INT(w[i].bad, 0);
	}
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

struct slow {
	struct kc_rt *rt;
	atomic_int *order;
	int finished_as;
	int rc;
};

static void *slow_call(void *p)
{
	struct slow *s = p;

	s->rc = up_u32(s->rt, U_SLEEPIN, 100, NULL);
	s->finished_as = atomic_fetch_add(s->order, 1);
	return NULL;
}

/* A slow upcall is pending while a fast one from another thread completes: replies go to their
 * own callers, the fast one first. The slow one is held in the middle of its chain (its nested
 * K_NOTE waits at the shut gate) until the fast one is done, so the order does not depend on
 * how fast a loaded machine runs either. */
static void test_reply_order(void)
{
	struct kc_rt *rt = start(0, NULL);
	atomic_int order = 0;
	struct slow s = { rt, &order, -1, -1 };
	uint32_t v = 0, tag = 0;
	pthread_t t;
	int fast_as;

	KC_REQUIRE(rt);
	atomic_store(&k_notes, 0);
	atomic_store(&k_gate_shut, 1);
	pthread_create(&t, NULL, slow_call, &s);
	KC_CHECK_EQ_INT(wait_notes(1, 20000), 0); /* the slow call is under way */
	KC_CHECK_EQ_INT(up_echo(rt, 1, 99, &v, &tag), 0);
	fast_as = atomic_fetch_add(&order, 1);
	atomic_store(&k_gate_shut, 0);
	pthread_join(t, NULL);
	KC_CHECK_EQ_INT(s.rc, 0);
	KC_CHECK_EQ_INT(fast_as, 0);
	KC_CHECK_EQ_INT(s.finished_as, 1);
	KC_CHECK_EQ_INT(v, 2);
	KC_CHECK_EQ_INT(tag, 99);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

static void test_nested_three_deep(void)
{
	struct kc_rt *rt = start(1, NULL);
	uint32_t v = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	KC_REQUIRE(rt);
	atomic_store(&k_max_depth, 0);
	kc_rt_trace_caller("test_main");
	/* U3 -> K3 -> U2 -> K2 -> U1 -> K1: 100, 101, 201, 202, 302, 303 */
	KC_CHECK_EQ_INT(up_u32(rt, U_NEST, 3, &v), 0);
	KC_CHECK_EQ_INT(v, 303);
	/* k_depth counts kernel handlers active on this thread at once */
	KC_CHECK_EQ_INT(atomic_load(&k_max_depth), 3);
	/* deeper still */
	KC_CHECK_EQ_INT(up_u32(rt, U_NEST, 10, &v), 0);
	KC_CHECK_EQ_INT(v, 1010);
	kc_rt_trace_caller(NULL);
	KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);

	f = open_memstream(&text, &len);
	KC_REQUIRE(f);
	KC_CHECK_EQ_INT(kc_rt_trace_write(rt, f), 0);
	fclose(f);
	KC_CHECK(strncmp(text, "# kcut-profile v1 duration_s=", 29) == 0);
	KC_CHECK(strstr(text, "\ntest_main u_nest 2\n") != NULL);
	KC_CHECK(strstr(text, "\nu_nest k_nest 13\n") != NULL);
	KC_CHECK(strstr(text, "\nk_nest u_nest 11\n") != NULL);
	KC_CHECK(strstr(text, "\n(kernel) u_null 1\n") != NULL);
	KC_CHECK(strstr(text, "\n# bytes (kernel) u_null 0\n") != NULL);
	KC_CHECK(strstr(text, "\n# bytes test_main u_nest 16\n") != NULL);
	free(text);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* The user half decodes arguments in place in the slot; nested calls stack above them. */
static void test_args_survive_nesting(void)
{
	static uint8_t blob[3000], big[64000];
	struct kc_rt *rt = start(0, NULL);
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	uint32_t sum = 0, want = 0, v = 0, i;
	int rc;

	KC_REQUIRE(rt);
	for (i = 0; i < sizeof(blob); i++) {
		blob[i] = (uint8_t)(i * 13 + 5);
		want += blob[i];
	}
	KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_KEEPARGS) == 0);
	kc_xdr_put_opaque(a, blob, sizeof(blob));
	kc_xdr_put_u32(a, 4);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		sum = kc_xdr_get_u32(r);
		v = kc_xdr_get_u32(r);
	}
	KC_CHECK_EQ_INT(kc_rt_call_end(c, rc), 0);
	KC_CHECK_EQ_INT(sum, want);
	KC_CHECK_EQ_INT(v, 403);

	/* arguments so large that the nested call finds no room above them: a clean error */
	KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_KEEPARGS) == 0);
	kc_xdr_put_opaque(a, big, 64000);
	kc_xdr_put_u32(a, 1);
	rc = kc_rt_call_invoke(c, &r);
	KC_CHECK_EQ_INT(kc_rt_call_end(c, rc), KC_ENOMEM);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 1);
	KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* A thread of the user half starts its own downcall (a chain begun on the user side). */
static void test_user_started_downcall(void)
{
	struct kc_rt *rt = start(1, NULL);
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	uint32_t v = 0;
	int rc, i;

	KC_REQUIRE(rt);
	for (i = 0; i < 20; i++) {
		KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_DOWNTHREAD) == 0);
		kc_xdr_put_u32(a, 20);
		kc_xdr_put_u32(a, (uint32_t)i);
		rc = kc_rt_call_invoke(c, &r);
		if (!rc)
			v = kc_xdr_get_u32(r);
		KC_CHECK_EQ_INT(kc_rt_call_end(c, rc), 0);
		KC_CHECK_EQ_INT(v, 20 + i);
	}
	/* a downcall not made on behalf of an upcall has no user caller the kernel half knows */
	f = open_memstream(&text, &len);
	KC_REQUIRE(f);
	KC_CHECK_EQ_INT(kc_rt_trace_write(rt, f), 0);
	fclose(f);
	KC_CHECK(strstr(text, "\n(user) k_add 20\n") != NULL);
	KC_CHECK(strstr(text, "\n(kernel) u_downthread 20\n") != NULL);
	free(text);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* A kernel object crosses as a handle; the user half gets a copy on first sight only. */
static void test_objects_cross_as_handles(void)
{
	struct kc_rt *rt = start(0, NULL);
	unsigned char obj[48] = { 0 };
	uint64_t h = 0, back;
	uint32_t fresh;
	int rc, round;
	void *p;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_objt_track(kc_rt_objt(rt), &h, obj, 1, sizeof(obj), 1) == 0);
	for (round = 0; round < 2; round++) {
		struct kc_rt_call *c;
		struct kc_xdr *a, *r;

		KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_OBJ) == 0);
		kc_xdr_put_handle(a, h);
		kc_xdr_put_u32(a, sizeof(obj));
		rc = kc_rt_call_invoke(c, &r);
		back = kc_xdr_get_handle(r);
		fresh = kc_xdr_get_u32(r);
		KC_CHECK_EQ_INT(kc_rt_call_end(c, rc), 0);
		KC_CHECK(back == h);
		KC_CHECK_EQ_INT(fresh, round == 0);
		KC_CHECK_EQ_INT(kc_objt_lookup(kc_rt_objt(rt), &p, back, 1, 0, sizeof(obj)), 0);
		KC_CHECK(p == obj);
	}
	/* the user half wrote its copy, not the kernel object */
	KC_CHECK_EQ_INT(obj[0], 0);
	KC_CHECK_EQ_INT(up_u32(rt, U_OBJCOUNT, ~0u, &fresh), 0);
	KC_CHECK_EQ_INT(fresh, 1);
	/* kfree hook: the handle dies here, and the next call tells the user half */
	KC_CHECK_EQ_INT(kc_rt_obj_free(rt, obj), 0);
	KC_CHECK_EQ_INT(kc_objt_lookup(kc_rt_objt(rt), &p, h, 1, 0, 1), KC_RT_ESTALE);
	KC_CHECK_EQ_INT(up_u32(rt, U_OBJCOUNT, ~0u, &fresh), 0);
	KC_CHECK_EQ_INT(fresh, 0);
	KC_CHECK_EQ_INT(kc_rt_obj_free(rt, obj), 0); /* untracked now: no-op */
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

static int up_blob(struct kc_rt *rt, const uint8_t *in, size_t n, uint8_t *out, uint32_t *outn)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	const uint8_t *p;
	int rc;

	rc = kc_rt_call_begin(&c, &a, rt, U_BLOB);
	if (rc)
		return rc;
	kc_xdr_put_opaque(a, in, n);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		p = kc_xdr_get_opaque(r, outn, 65536);
		if (p)
			memcpy(out, p, *outn);
	}
	return kc_rt_call_end(c, rc);
}

/* Messages from a few bytes up to the slot size; one byte more than fits fails cleanly in the
 * kernel half and the user half stays up. */
static void test_message_sizes(void)
{
	static uint8_t in[70000], out[70000];
	static const size_t sizes[] = { 0, 1, 200, 217, 4096, 65536 - 24 - 4 };
	struct kc_rt *rt = start(0, NULL);
	uint32_t n = 0;
	size_t i, k, bad = 0;

	KC_REQUIRE(rt);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	for (k = 0; k < KC_ARRAY_SIZE(sizes); k++) {
		KC_CHECK_EQ_INT(up_blob(rt, in, sizes[k], out, &n), 0);
		KC_CHECK_EQ_INT(n, sizes[k]);
		for (i = 0; i < n; i++)
			bad += out[i] != (uint8_t)(in[i] + 1);
	}
	KC_CHECK_EQ_INT(bad, 0);
	KC_CHECK_EQ_INT(up_blob(rt, in, 65536 - 24 - 3, out, &n), KC_ENOMEM);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 1);
	KC_CHECK_EQ_INT(up_blob(rt, in, 10, out, &n), 0);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* Byte ranges by reference through the bulk area, both directions, and the allocator's limits. */
static void test_bulk_by_reference(void)
{
	struct kc_rt *rt = start(0, NULL);
	struct kc_rt_buf *b, *b2, *b3, *b4;
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	uint32_t sum = 0, n = 0, want = 0, i;
	uint8_t *p;
	void *q;
	int rc;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_rt_buf_alloc(&b, (void **)&p, rt, 100000) == 0);
	for (i = 0; i < 100000; i++) {
		p[i] = (uint8_t)(i * 7 + 1);
		if (i >= 1000 && i < 61000)
			want += p[i];
	}
	/* kernel -> user: only (region, offset, length) crosses; the user half reads in place */
	KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_BULKSUM) == 0);
	kc_xdr_put_buf(a, b, 1000, 60000);
	KC_CHECK(kc_xdr_pos(a) == 12);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		sum = kc_xdr_get_u32(r);
		n = kc_xdr_get_u32(r);
	}
	KC_CHECK_EQ_INT(kc_rt_call_end(c, rc), 0);
	KC_CHECK_EQ_INT(sum, want);
	KC_CHECK_EQ_INT(n, 60000);
	/* a range outside the buffer does not encode */
	KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_BULKSUM) == 0);
	kc_xdr_put_buf(a, b, 99999, 2);
	KC_CHECK_EQ_INT(kc_xdr_error(a), KC_EINVAL);
	KC_CHECK_EQ_INT(kc_rt_call_end(c, kc_rt_call_invoke(c, &r)), KC_EINVAL);
	/* user -> kernel: the kernel half copies the bytes out of the user half's buffer */
	for (want = 0, i = 0; i < 300000; i++)
		want += (uint8_t)(i * 3);
	KC_CHECK_EQ_INT(up_u32(rt, U_BULKDOWN, 300000, &sum), 0);
	KC_CHECK_EQ_INT(sum, want);
	/* limits: at most half the area per buffer, and the half fills up */
	KC_CHECK_EQ_INT(kc_rt_buf_alloc(&b2, &q, rt, 600 * 1024), KC_EINVAL);
	KC_CHECK(b2 == NULL);
	/* 100000 B = 25 pages, then 2 x 50 pages of the 128: a third 50 does not fit */
	KC_REQUIRE(kc_rt_buf_alloc(&b2, &q, rt, 200 * 1024) == 0);
	KC_REQUIRE(kc_rt_buf_alloc(&b3, &q, rt, 200 * 1024) == 0);
	KC_CHECK_EQ_INT(kc_rt_buf_alloc(&b4, &q, rt, 200 * 1024), KC_ENOMEM);
	kc_rt_buf_free(b2);
	KC_CHECK_EQ_INT(kc_rt_buf_alloc(&b4, &q, rt, 200 * 1024), 0);
	kc_rt_buf_free(b);
	kc_rt_buf_free(b3);
	kc_rt_buf_free(b4);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

struct sleeper {
	struct kc_rt *rt;
	pthread_barrier_t *go;
	atomic_int *noslot;
	int rc;
};

static void *sleeper(void *p)
{
	struct sleeper *s = p;

	pthread_barrier_wait(s->go);
	s->rc = up_u32(s->rt, U_SLEEPIN, 0, NULL);
	if (s->rc == KC_RT_ENOSLOT)
		atomic_fetch_add(s->noslot, 1);
	return NULL;
}

/* More concurrent upcalls than slots: the extra ones fail at once with KC_RT_ENOSLOT instead
 * of waiting; the others complete. The calls that got a slot keep it (their nested K_NOTE waits
 * at the shut gate) until every one of the 40 has either reached K_NOTE or failed, so exactly
 * the 32 slots are taken however slowly a loaded machine starts the threads. */
static void test_out_of_slots(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = NULL;
	struct sleeper s[40];
	pthread_t t[40];
	pthread_barrier_t go;
	atomic_int nos = 0;
	int i, ok = 0, noslot = 0;

	rt_test_opts(&o, "wide");
	o.heartbeat_ms = 0; /* a ping would take a slot of its own */
	if (kc_rt_kernel_start(&rt, &o, &err))
		fprintf(stderr, "start: %s\n", err.msg);
	KC_REQUIRE(rt);
	atomic_store(&k_notes, 0);
	atomic_store(&k_gate_shut, 1);
	pthread_barrier_init(&go, NULL, 40);
	for (i = 0; i < 40; i++) {
		s[i] = (struct sleeper){ rt, &go, &nos, 1 };
		pthread_create(&t[i], NULL, sleeper, &s[i]);
	}
	KC_CHECK_EQ_INT(wait_notes_or(40, &nos, 20000), 0);
	atomic_store(&k_gate_shut, 0);
	for (i = 0; i < 40; i++) {
		pthread_join(t[i], NULL);
		ok += s[i].rc == 0;
		noslot += s[i].rc == KC_RT_ENOSLOT;
	}
	pthread_barrier_destroy(&go);
	KC_CHECK_EQ_INT(ok, 32);
	KC_CHECK_EQ_INT(noslot, 8);
	KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

static void test_busy_and_idle_modes(void)
{
	const char *modes[] = { "busy", "idle" };
	int m, i;

	for (m = 0; m < 2; m++) {
		struct kc_rt *rt = start(0, modes[m]);

		KC_REQUIRE(rt);
		for (i = 0; i < 200; i++)
			KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
		KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
	}
}

/* Parking: with busy-polling workers, the worker that served an upcall stays parked on its
 * slot, and the next upcall of the same thread claims it (no request ring). A single caller
 * makes this deterministic: only the first upcall goes through the ring. With workers that
 * never spin nothing is parked, so every upcall goes through the ring. */
static void test_parked_worker_claimed(void)
{
	const char *modes[] = { "busy", "idle" };
	struct kc_rt_stats st;
	int m, i;

	for (m = 0; m < 2; m++) {
		struct kc_rt_opts o = KC_RT_OPTS_INIT;
		struct kc_err err = { 0 };
		struct kc_rt *rt = NULL;

		rt_test_opts(&o, modes[m]);
		o.heartbeat_ms = 0; /* a ping would be a chain of its own and could unpark */
		KC_REQUIRE(kc_rt_kernel_start(&rt, &o, &err) == 0);
		kc_rt_get_stats(&st, rt);
		KC_CHECK(st.chains == 0 && st.claimed == 0 && st.pushed == 0);
		for (i = 0; i < 300; i++)
			KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
		kc_rt_get_stats(&st, rt);
		KC_CHECK_EQ_INT(st.chains, 300);
		KC_CHECK_EQ_INT(st.nested, 0);
		KC_CHECK_EQ_INT(st.claimed + st.pushed, 300);
		if (m == 0) {
			KC_CHECK_EQ_INT(st.pushed, 1);
			KC_CHECK_EQ_INT(st.claimed, 299);
		} else {
			KC_CHECK_EQ_INT(st.claimed, 0);
			KC_CHECK_EQ_INT(st.pushed, 300);
			KC_CHECK(st.sleeps >= 1); /* idle workers: the caller sleeps for replies */
		}
		/* a nested chain: U_NEST 3 -> K_NEST 3 -> U_NEST 2 -> K_NEST 2 -> U_NEST 1 ->
		 * K_NEST 1: the kernel side starts 1 chain, makes 2 nested upcalls, serves 3 */
		{
			uint32_t v = 0;

			KC_CHECK_EQ_INT(up_u32(rt, U_NEST, 3, &v), 0);
			kc_rt_get_stats(&st, rt);
			KC_CHECK_EQ_INT(st.chains, 301);
			KC_CHECK_EQ_INT(v, 303);
			KC_CHECK_EQ_INT(st.nested, 2);
			KC_CHECK_EQ_INT(st.served, 3);
		}
		KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
	}
}

/* Chains the user half starts on its own threads are served concurrently by the kernel half:
 * 3 of them meet inside a kernel function (with one server thread they would be served one
 * after the other and never meet). */
static void test_concurrent_user_downcalls(void)
{
	struct kc_rt *rt = start(0, NULL);
	uint32_t met = 0;

	KC_REQUIRE(rt);
	atomic_store(&k_meet_arrived, 0);
	KC_CHECK_EQ_INT(up_u32(rt, U_DOWNMEET, 3, &met), 0);
	KC_CHECK_EQ_INT(met, 3);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* An object the user half allocated itself crosses after kc_objt_adopt: the kernel half gets
 * its own zeroed copy of the right size and type on first sight (and the same copy later), the
 * user's memory is never touched, and the kfree hook of the kernel copy makes the user half
 * forget the handle (without freeing its object). */
static void test_adopted_object_crosses(void)
{
	struct kc_rt *rt = start(0, NULL);
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	uint32_t f1 = 9, f2 = 9, intact = 0, n = 9, ty = 0;
	unsigned char *copy;
	uint64_t h = 0;
	size_t size = 0;
	void *p;
	int rc;

	KC_REQUIRE(rt);
	k_adopted_copy = NULL;
	KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_ADOPT) == 0);
	kc_xdr_put_u32(a, 40);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		h = kc_xdr_get_handle(r);
		f1 = kc_xdr_get_u32(r);
		f2 = kc_xdr_get_u32(r);
		intact = kc_xdr_get_u32(r);
	}
	KC_CHECK_EQ_INT(kc_rt_call_end(c, rc), 0);
	KC_CHECK(kc_objt_is_adopted(h));
	KC_CHECK_EQ_INT(f1, 1);
	KC_CHECK_EQ_INT(f2, 0);
	KC_CHECK_EQ_INT(intact, 1);
	copy = k_adopted_copy;
	KC_REQUIRE(copy != NULL);
	KC_CHECK_EQ_INT(copy[0], 0x77);
	KC_CHECK_EQ_INT(copy[39], 0); /* zeroed, not the user's 0x33 */
	KC_CHECK_EQ_INT(kc_objt_query(kc_rt_objt(rt), &ty, &size, NULL, h), 0);
	KC_CHECK_EQ_INT(ty, 5);
	KC_CHECK_EQ_INT(size, 40);
	KC_CHECK_EQ_INT(kc_objt_lookup(kc_rt_objt(rt), &p, h, 5, 8, 32), 0);
	KC_CHECK(p == copy + 8);
	KC_CHECK_EQ_INT(up_u32(rt, U_OBJCOUNT, ~0u, &n), 0);
	KC_CHECK_EQ_INT(n, 1);
	/* the kernel frees its copy: the handle dies, the next call tells the user half */
	KC_CHECK_EQ_INT(kc_rt_obj_free(rt, copy), 0);
	free(copy);
	KC_CHECK_EQ_INT(kc_objt_lookup(kc_rt_objt(rt), &p, h, 5, 0, 1), KC_RT_EPROTO);
	KC_CHECK_EQ_INT(up_u32(rt, U_OBJCOUNT, ~0u, &n), 0);
	KC_CHECK_EQ_INT(n, 0);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0); /* user half exits 0: no double free, no leak */
}

int main(void)
{
#ifdef KC_EXPECT_TSAN
#if !defined(__SANITIZE_THREAD__)
	fprintf(stderr, "this build was meant to use ThreadSanitizer but does not\n");
	return 1;
#else
	printf("built with ThreadSanitizer\n");
#endif
#endif
	KC_RUN(test_start_fails_cleanly);
	KC_RUN(test_simple_calls);
	KC_RUN(test_concurrent_upcalls);
	KC_RUN(test_reply_order);
	KC_RUN(test_nested_three_deep);
	KC_RUN(test_args_survive_nesting);
	KC_RUN(test_user_started_downcall);
	KC_RUN(test_objects_cross_as_handles);
	KC_RUN(test_message_sizes);
	KC_RUN(test_bulk_by_reference);
	KC_RUN(test_out_of_slots);
	KC_RUN(test_busy_and_idle_modes);
	KC_RUN(test_parked_worker_claimed);
	KC_RUN(test_concurrent_user_downcalls);
	KC_RUN(test_adopted_object_crosses);
	return kc_test_done();
}
