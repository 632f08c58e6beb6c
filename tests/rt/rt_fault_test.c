/*
 * rt_fault_test.c - the kernel half survives a user half that misbehaves while upcalls are in
 * flight: killed (SIGKILL), crashing (SIGSEGV), hanging, replying garbage, returning a forged
 * handle, returning an oversize length, returning too few results. In each case: the call that
 * triggered the fault fails with an error, every other pending call fails at once (KC_RT_EDEAD
 * rather than waiting for its own timeout), the user half is restarted, the recovery hook runs,
 * and later calls succeed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kc_test.h"
#include "rt_test_kernel.h"

static atomic_int recovered;
static atomic_uint recovered_incarnation;

static void on_recover(struct kc_rt *rt, void *arg, unsigned inc)
{
	uint32_t v = 0, tag = 0;

	(void)arg;
	/* the hook may already talk to the new user half (re-send configuration...) */
	if (up_echo(rt, 1, 2, &v, &tag) == 0 && v == 2)
		atomic_store(&recovered_incarnation, inc);
	atomic_fetch_add(&recovered, 1);
}

static struct kc_rt *start(unsigned timeout_ms)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = NULL;

	rt_test_opts(&o, NULL);
	o.call_timeout_ms = timeout_ms;
	o.restart_min_ms = 20;
	o.restart_max_ms = 200;
	o.recover = on_recover;
	atomic_store(&recovered, 0);
	atomic_store(&recovered_incarnation, 0);
	if (kc_rt_kernel_start(&rt, &o, &err))
		fprintf(stderr, "start: %s\n", err.msg);
	return rt;
}

struct pending {
	struct kc_rt *rt;
	uint32_t ms;
	int rc;
	uint64_t took_ns;
};

static void *pending_call(void *p)
{
	struct pending *c = p;
	uint64_t t0 = kc_os_now_ns();

	c->rc = up_u32(c->rt, U_SLEEP, c->ms, NULL);
	c->took_ns = kc_os_now_ns() - t0;
	return NULL;
}

enum fault { F_SIGKILL, F_SEGV, F_HANG, F_GARBAGE, F_BADLEN, F_FORGE, F_OVERSIZE, F_SHORT,
	     F_BULKFORGE };

/* Trigger the fault from this thread; returns what the triggering call returned (0 for the
 * external kill). */
static int trigger(struct kc_rt *rt, enum fault f)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	static unsigned char obj[64];
	uint64_t h = 0, back;
	uint32_t len;
	void *p;
	int rc;

	switch (f) {
	case F_SIGKILL:
		kill(kc_rt_user_pid(rt), SIGKILL);
		return 0;
	case F_SEGV:
		return up_u32(rt, U_SEGV, ~0u, NULL);
	case F_HANG:
		return up_u32(rt, U_HANG, ~0u, NULL);
	case F_GARBAGE:
		return up_u32(rt, U_GARBAGE, ~0u, NULL);
	case F_BADLEN:
		return up_u32(rt, U_BADLEN, ~0u, NULL);
	case F_FORGE:
		/* generated stub: send a handle, check the one that comes back */
		if (kc_objt_track(kc_rt_objt(rt), &h, obj, 3, sizeof(obj), 1))
			return KC_EBUG;
		rc = kc_rt_call_begin(&c, &a, rt, U_FORGE);
		if (rc)
			return rc;
		kc_xdr_put_handle(a, h);
		rc = kc_rt_call_invoke(c, &r);
		if (!rc) {
			back = kc_xdr_get_handle(r);
			rc = kc_objt_lookup(kc_rt_objt(rt), &p, back, 3, 0, sizeof(obj));
			if (rc)
				rc = kc_rt_fault(rt, "u_forge returned a handle the tracker rejects");
		}
		kc_objt_untrack(kc_rt_objt(rt), obj);
		return kc_rt_call_end(c, rc);
	case F_OVERSIZE:
		/* generated stub: a variable-length result of at most 4096 bytes */
		rc = kc_rt_call_begin(&c, &a, rt, U_OVERSIZE);
		if (rc)
			return rc;
		rc = kc_rt_call_invoke(c, &r);
		if (!rc)
			kc_xdr_get_opaque(r, &len, 4096);
		return kc_rt_call_end(c, rc);
	case F_BULKFORGE:
		/* generated stub: a by-reference result, copied out by the kernel half */
		rc = kc_rt_call_begin(&c, &a, rt, U_BULKFORGE);
		if (rc)
			return rc;
		rc = kc_rt_call_invoke(c, &r);
		if (!rc)
			kc_rt_get_buf(rt, r, obj, &len, sizeof(obj));
		return kc_rt_call_end(c, rc);
	case F_SHORT:
		rc = kc_rt_call_begin(&c, &a, rt, U_SHORT);
		if (rc)
			return rc;
		rc = kc_rt_call_invoke(c, &r);
		if (!rc) {
			kc_xdr_get_u32(r);
			kc_xdr_get_u32(r);
		}
		return kc_rt_call_end(c, rc);
	}
	return KC_EBUG;
}

struct trig {
	struct kc_rt *rt;
	enum fault f;
	int rc;
};

static void *trigger_thread(void *p)
{
	struct trig *t = p;

	t->rc = trigger(t->rt, t->f);
	return NULL;
}

static void run_fault(enum fault f, int want_rc, unsigned timeout_ms)
{
	struct kc_rt *rt = start(timeout_ms);
	struct trig tr = { rt, f, 1 };
	struct pending pc[3];
	pthread_t t[3], tt;
	uint32_t v = 0, tag = 0;
	int i, pid0;

	KC_REQUIRE(rt);
	pid0 = kc_rt_user_pid(rt);
	/* a hanging call must be the first to reach its timeout: start it before the others */
	if (f == F_HANG) {
		pthread_create(&tt, NULL, trigger_thread, &tr);
		kc_os_sleep_ns(100000000ull);
	}
	for (i = 0; i < 3; i++) {
		pc[i] = (struct pending){ rt, timeout_ms * 2, 1, 0 };
		pthread_create(&t[i], NULL, pending_call, &pc[i]);
	}
	kc_os_sleep_ns(100000000ull); /* let them reach the user half */
	if (f == F_HANG)
		pthread_join(tt, NULL);
	else
		tr.rc = trigger(rt, f);
	if (want_rc)
		KC_CHECK_EQ_INT(tr.rc, want_rc);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		/* the fault fails every pending call at once, long before its own timeout */
		KC_CHECK_EQ_INT(pc[i].rc, KC_RT_EDEAD);
		KC_CHECK(pc[i].took_ns < (uint64_t)timeout_ms * 1000000ull);
	}
	KC_CHECK(kc_rt_last_fault(rt)[0] != '\0');
	KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 5000), 0);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 2);
	KC_CHECK(kc_rt_user_pid(rt) != pid0);
	KC_CHECK_EQ_INT(up_echo(rt, 5, 6, &v, &tag), 0);
	KC_CHECK_EQ_INT(v, 6);
	/* the hook ran (and could call the new incarnation) before or soon after we got here */
	for (i = 0; i < 500 && !atomic_load(&recovered); i++)
		kc_os_sleep_ns(2000000ull);
	KC_CHECK_EQ_INT(atomic_load(&recovered), 1);
	KC_CHECK_EQ_INT(atomic_load(&recovered_incarnation), 2);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

static void test_sigkill(void)
{
	run_fault(F_SIGKILL, 0, 5000);
}

static void test_sigsegv(void)
{
	run_fault(F_SEGV, KC_RT_EDEAD, 5000);
}

static void test_hang(void)
{
	run_fault(F_HANG, KC_RT_ETIMEDOUT, 400);
}

static void test_garbage(void)
{
	run_fault(F_GARBAGE, KC_RT_EPROTO, 5000);
}

static void test_oversize_message(void)
{
	run_fault(F_BADLEN, KC_RT_EPROTO, 5000);
}

static void test_forged_handle(void)
{
	run_fault(F_FORGE, KC_RT_EPROTO, 5000);
}

static void test_oversize_length(void)
{
	run_fault(F_OVERSIZE, KC_RT_EPROTO, 5000);
}

static void test_forged_bulk_reference(void)
{
	run_fault(F_BULKFORGE, KC_RT_EPROTO, 5000);
}

static void test_short_results(void)
{
	run_fault(F_SHORT, KC_RT_EPROTO, 5000);
}

/* Issue 14: a user half that queues one slot twice on the down ring had its one CALL run twice,
 * at the same time, by two server threads (for kfree: a double free). One slot is served once:
 * the second pop is a protocol fault (counted, user half restarted), the CALL runs at most once. */
static void test_double_slot(void)
{
	struct kc_rt *rt = start(5000);
	struct kc_rt_stats st;
	uint32_t v = 0, tag = 0, runs = 0;
	int rc, i;

	KC_REQUIRE(rt);
	atomic_store(&k_slow_runs, 0);
	atomic_store(&k_slow_max, 0);
	kc_rt_get_stats(&st, rt);
	KC_CHECK_EQ_INT(st.faults, 0);
	rc = up_u32(rt, U_DOUBLESLOT, 300, &runs);
	KC_CHECK(rc == KC_RT_EDEAD || rc == KC_RT_EPROTO);
	KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 5000), 0);
	for (i = 0; i < 100 && atomic_load(&k_slow_inside); i++)
		kc_os_sleep_ns(10000000ull); /* the one run may still be sleeping */
	KC_CHECK(atomic_load(&k_slow_runs) <= 1);
	KC_CHECK_EQ_INT(atomic_load(&k_slow_max), atomic_load(&k_slow_runs) ? 1 : 0);
	kc_rt_get_stats(&st, rt);
	KC_CHECK_EQ_INT(st.faults, 1);
	KC_CHECK(strstr(kc_rt_last_fault(rt), "slot") != NULL);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 2);
	KC_CHECK_EQ_INT(up_echo(rt, 5, 6, &v, &tag), 0);
	KC_CHECK_EQ_INT(v, 6);
	/* chains the user half starts one after the other on the same slot (each from a fresh
	 * thread, which tries the first slot of its range first) are each served: the slot is
	 * free again before the reply that ends a chain is handed over */
	for (i = 0; i < 200; i++) {
		struct kc_rt_call *c;
		struct kc_xdr *a, *r;

		v = 0;
		KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_DOWNTHREAD) == 0);
		kc_xdr_put_u32(a, (uint32_t)i);
		kc_xdr_put_u32(a, 1);
		rc = kc_rt_call_invoke(c, &r);
		if (!rc)
			v = kc_xdr_get_u32(r);
		KC_CHECK_EQ_INT(kc_rt_call_end(c, rc), 0);
		KC_CHECK_EQ_INT(v, (uint32_t)i + 1);
	}
	kc_rt_get_stats(&st, rt);
	KC_CHECK_EQ_INT(st.faults, 1);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 2);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* Calls made while the user half is down fail fast instead of waiting. */
static void test_down_fails_fast(void)
{
	struct kc_rt *rt = start(5000);
	uint64_t t0;
	int rc, i, saw_down = 0;

	KC_REQUIRE(rt);
	kill(kc_rt_user_pid(rt), SIGKILL);
	for (i = 0; i < 2000 && kc_rt_incarnation(rt) < 2; i++) {
		t0 = kc_os_now_ns();
		rc = up_u32(rt, U_NULL, ~0u, NULL);
		if (rc == KC_RT_EDOWN || rc == KC_RT_EDEAD) {
			saw_down = 1;
			/* no waiting for the user half: well under the 5 s call timeout */
			KC_CHECK(kc_os_now_ns() - t0 < 1000000000ull);
		}
		kc_os_sleep_ns(200000ull);
	}
	KC_CHECK(saw_down);
	KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 5000), 0);
	KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* Repeated crashes: restarted every time (with backoff), and it keeps working. */
static void test_repeated_restarts(void)
{
	struct kc_rt *rt = start(5000);
	unsigned i;

	KC_REQUIRE(rt);
	for (i = 0; i < 4; i++) {
		KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 5000), 0);
		KC_CHECK_EQ_INT(up_u32(rt, U_SEGV, ~0u, NULL), KC_RT_EDEAD);
	}
	KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 5000), 0);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 5);
	KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

struct chaos {
	struct kc_rt *rt;
	atomic_int *stop;
	int ok, failed, bad;
};

static void *chaos_caller(void *p)
{
	struct chaos *c = p;
	uint32_t i = 0;

	while (!atomic_load(c->stop)) {
		uint32_t v = 0, tag = 0;
		int rc = i % 3 ? up_echo(c->rt, i, 7, &v, &tag) : up_u32(c->rt, U_NEST, 3, &v);

		if (rc == 0 && (i % 3 ? v == i + 1 && tag == 7 : v == 303))
			c->ok++;
		else if (rc == KC_RT_EDEAD || rc == KC_RT_EDOWN)
			c->failed++;
		else
			c->bad++;
		i++;
	}
	return NULL;
}

/* Threads call (plain and nested) in a loop while the user half is killed again and again:
 * every call either succeeds with the right result or fails with EDEAD/EDOWN, nothing hangs,
 * and the runtime ends up healthy. */
static void test_chaos_kills(void)
{
	struct kc_rt *rt = start(5000);
	atomic_int stop = 0;
	struct chaos c[6];
	pthread_t t[6];
	int i, k, ok = 0, failed = 0, bad = 0;

	KC_REQUIRE(rt);
	for (i = 0; i < 6; i++) {
		c[i] = (struct chaos){ rt, &stop, 0, 0, 0 };
		pthread_create(&t[i], NULL, chaos_caller, &c[i]);
	}
	for (k = 0; k < 4; k++) {
		unsigned inc;
		uint64_t t0;

		kc_os_sleep_ns(60000000ull);
		KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 5000), 0);
		/* each kill hits a new user half: wait until the supervisor has replaced this one
		 * (wait_ready alone may still see the killed incarnation as ready under load) */
		inc = kc_rt_incarnation(rt);
		kill(kc_rt_user_pid(rt), SIGKILL);
		t0 = kc_os_now_ns();
		while (kc_rt_incarnation(rt) == inc && kc_os_now_ns() - t0 < 5000000000ull)
			kc_os_sleep_ns(5000000ull);
	}
	kc_os_sleep_ns(60000000ull);
	atomic_store(&stop, 1);
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		ok += c[i].ok;
		failed += c[i].failed;
		bad += c[i].bad;
	}
	KC_CHECK_EQ_INT(bad, 0);
	KC_CHECK(ok > 0);
	KC_CHECK(failed > 0);
	KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 5000), 0);
	KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
	KC_CHECK(kc_rt_incarnation(rt) >= 5);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* A user half that stops answering while no call is pending (SIGSTOP: alive, pidfd quiet) is
 * found by the heartbeat, killed and restarted without any call of the driver; with the
 * heartbeat off the same user half stays unnoticed (the control). */
static void test_idle_hang_heartbeat(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt_stats st;
	int hb;

	for (hb = 1; hb >= 0; hb--) {
		struct kc_rt *rt = NULL;
		unsigned inc0;
		uint64_t t0;
		int pid;

		rt_test_opts(&o, NULL);
		o.call_timeout_ms = 300;
		o.restart_min_ms = 20;
		o.heartbeat_ms = hb ? 100 : 0;
		KC_REQUIRE(kc_rt_kernel_start(&rt, &o, &err) == 0);
		KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
		pid = kc_rt_user_pid(rt);
		inc0 = kc_rt_incarnation(rt);
		KC_REQUIRE(pid > 0);
		KC_CHECK_EQ_INT(kill(pid, SIGSTOP), 0);
		t0 = kc_os_now_ns();
		while (kc_rt_incarnation(rt) == inc0 && kc_os_now_ns() - t0 < 3000000000ull)
			kc_os_sleep_ns(10000000ull);
		kc_rt_get_stats(&st, rt);
		if (hb) {
			KC_CHECK(kc_rt_incarnation(rt) > inc0);
			KC_CHECK(st.pings >= 1);
			KC_CHECK(strstr(kc_rt_last_fault(rt), "timeout") != NULL);
			KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 3000), 0);
			KC_CHECK(kc_rt_user_pid(rt) != pid);
		} else {
			KC_CHECK_EQ_INT(kc_rt_incarnation(rt), inc0);
			KC_CHECK_EQ_INT(st.pings, 0);
			KC_CHECK_EQ_INT(kill(pid, SIGCONT), 0);
		}
		KC_CHECK_EQ_INT(up_u32(rt, U_NULL, ~0u, NULL), 0);
		KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
	}
}

static int up_slowchain(struct kc_rt *rt, uint32_t n, uint32_t ms, uint32_t *sum)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc = kc_rt_call_begin(&c, &a, rt, U_SLOWCHAIN);

	if (rc)
		return rc;
	kc_xdr_put_u32(a, n);
	kc_xdr_put_u32(a, ms);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc)
		*sum = kc_xdr_get_u32(r);
	return kc_rt_call_end(c, rc);
}

/* call_timeout_ms bounds a whole chain: a user function that makes nested downcalls every
 * 100 ms (each wait of the kernel half far below the timeout) but runs for 6 x 100 ms in all is
 * timed out at 400 ms, killed and restarted; a chain of 2 x 100 ms is fine. */
static void test_chain_timeout(void)
{
	struct kc_rt *rt = start(400);
	uint32_t sum = 0;
	uint64_t t0, took;

	KC_REQUIRE(rt);
	KC_CHECK_EQ_INT(up_slowchain(rt, 2, 100, &sum), 0);
	KC_CHECK_EQ_INT(sum, 4);
	t0 = kc_os_now_ns();
	KC_CHECK_EQ_INT(up_slowchain(rt, 6, 100, &sum), KC_RT_ETIMEDOUT);
	took = kc_os_now_ns() - t0;
	KC_CHECK(took >= 350000000ull && took < 2000000000ull); /* timed out, did not complete */
	KC_CHECK(strstr(kc_rt_last_fault(rt), "timeout") != NULL);
	KC_CHECK_EQ_INT(kc_rt_wait_ready(rt, 3000), 0);
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 2);
	KC_CHECK_EQ_INT(up_slowchain(rt, 1, 10, &sum), 0);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* U_BULKSUM of n bytes of buffer b; the call's code. */
static int up_bulksum(struct kc_rt *rt, struct kc_rt_buf *b, uint32_t n, uint32_t *sum)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc = kc_rt_call_begin(&c, &a, rt, U_BULKSUM);

	if (rc)
		return rc;
	kc_xdr_put_buf(a, b, 0, n);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		*sum = kc_xdr_get_u32(r);
		if (kc_xdr_get_u32(r) != n)
			rc = KC_EBUG;
	}
	return kc_rt_call_end(c, rc);
}

/* The kernel's by-reference buffers survive a restart: the same buffer (same pointer, same
 * bytes) is sent to the new user half, which reads it in place. And no user half can write
 * them: a user function that tries is killed by the read-only mapping (SIGSEGV), its call fails
 * with KC_RT_EDEAD, the buffer is unchanged, and the next user half reads it again. */
static void test_bulk_across_restart(void)
{
	struct kc_rt *rt = start(2000);
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	struct kc_rt_buf *b;
	uint32_t sum = 0, want = 0, i, v = 0;
	unsigned inc;
	uint64_t t0;
	uint8_t *p;
	int rc;

	KC_REQUIRE(rt);
	KC_REQUIRE(kc_rt_buf_alloc(&b, (void **)&p, rt, 10000) == 0);
	for (i = 0; i < 10000; i++) {
		p[i] = (uint8_t)(i * 7);
		want += p[i];
	}
	KC_CHECK_EQ_INT(up_bulksum(rt, b, 10000, &sum), 0);
	KC_CHECK_EQ_INT(sum, want);
	KC_CHECK_EQ_INT(kill(kc_rt_user_pid(rt), SIGKILL), 0);
	t0 = kc_os_now_ns();
	while (kc_rt_incarnation(rt) < 2 && kc_os_now_ns() - t0 < 3000000000ull)
		kc_os_sleep_ns(5000000ull);
	KC_REQUIRE(kc_rt_wait_ready(rt, 3000) == 0);
	sum = 0;
	KC_CHECK_EQ_INT(up_bulksum(rt, b, 10000, &sum), 0);
	KC_CHECK_EQ_INT(sum, want);
	/* user-half buffers of the new incarnation work too (user -> kernel) */
	KC_CHECK_EQ_INT(up_u32(rt, U_BULKDOWN, 5000, &v), 0);
	/* the user half cannot write a kernel buffer */
	inc = kc_rt_incarnation(rt);
	KC_REQUIRE(kc_rt_call_begin(&c, &a, rt, U_BULKSCRIBBLE) == 0);
	kc_xdr_put_buf(a, b, 0, 10000);
	rc = kc_rt_call_invoke(c, &r);
	KC_CHECK_EQ_INT(kc_rt_call_end(c, rc), KC_RT_EDEAD);
	KC_CHECK_EQ_INT(p[0], 0);
	KC_CHECK_EQ_INT(p[1], 7);
	t0 = kc_os_now_ns();
	while (kc_rt_incarnation(rt) == inc && kc_os_now_ns() - t0 < 3000000000ull)
		kc_os_sleep_ns(5000000ull);
	KC_REQUIRE(kc_rt_wait_ready(rt, 3000) == 0);
	sum = 0;
	KC_CHECK_EQ_INT(up_bulksum(rt, b, 10000, &sum), 0);
	KC_CHECK_EQ_INT(sum, want);
	kc_rt_buf_free(b);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
}

/* kc_rt_close does not wait for a heartbeat ping to a hung user half to time out: the ping
 * gives up when the runtime stops (close then takes its 1 s grace period and kills the stopped
 * user half, which is not a clean exit: KC_EIO). */
static void test_close_during_ping(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_rt *rt = NULL;
	struct kc_rt_stats st;
	uint64_t t0;

	rt_test_opts(&o, NULL);
	o.call_timeout_ms = 4000;
	o.heartbeat_ms = 50;
	KC_REQUIRE(kc_rt_kernel_start(&rt, &o, &err) == 0);
	KC_CHECK_EQ_INT(kill(kc_rt_user_pid(rt), SIGSTOP), 0);
	t0 = kc_os_now_ns();
	do { /* until a ping is in flight */
		kc_os_sleep_ns(20000000ull);
		kc_rt_get_stats(&st, rt);
	} while (!st.pings && kc_os_now_ns() - t0 < 2000000000ull);
	KC_CHECK(st.pings >= 1);
	t0 = kc_os_now_ns();
	KC_CHECK_EQ_INT(kc_rt_close(rt), KC_EIO);
	KC_CHECK(kc_os_now_ns() - t0 < 3000000000ull); /* not the 4 s ping timeout + 1 s */
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
	KC_RUN(test_sigkill);
	KC_RUN(test_sigsegv);
	KC_RUN(test_hang);
	KC_RUN(test_garbage);
	KC_RUN(test_oversize_message);
	KC_RUN(test_forged_handle);
	KC_RUN(test_oversize_length);
	KC_RUN(test_short_results);
	KC_RUN(test_forged_bulk_reference);
	KC_RUN(test_double_slot);
	KC_RUN(test_down_fails_fast);
	KC_RUN(test_repeated_restarts);
	KC_RUN(test_chaos_kills);
	KC_RUN(test_idle_hang_heartbeat);
	KC_RUN(test_chain_timeout);
	KC_RUN(test_bulk_across_restart);
	KC_RUN(test_close_during_ping);
	return kc_test_done();
}
