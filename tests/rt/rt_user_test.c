/*
 * rt_user_test.c - the user half the runtime tests and benchmark spawn: a dispatch table of small
 * functions (see rt_test_fns.h), some of which misbehave on purpose (crash, hang, garbage,
 * forged handle, oversize length) so the kernel half's fault handling can be tested.
 * argv[1], when present, is "busy" (workers spin on the ring) or "idle" (never spin).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kcut_rt.h"
#include "rt_internal.h"
#include "rt_test_fns.h"

static struct kc_rt *g_rt;

static int u_null(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	(void)r;
	return kc_xdr_dec_done(a);
}

static int u_echo(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t v = kc_xdr_get_u32(a), tag = kc_xdr_get_u32(a);

	(void)rt;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	kc_xdr_put_u32(r, v + 1);
	kc_xdr_put_u32(r, tag);
	return 0;
}

static int u_sleep(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t ms = kc_xdr_get_u32(a);
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	(void)rt;
	(void)r;
	nanosleep(&ts, NULL);
	return 0;
}

/* A chain that takes long in total although each wait of the kernel half is short. */
static int u_slowchain(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t n = kc_xdr_get_u32(a), ms = kc_xdr_get_u32(a), i, sum = 0;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	for (i = 0; i < n; i++) {
		nanosleep(&ts, NULL);
		rc = kc_rt_call_begin(&c, &ca, rt, K_ADD);
		if (rc)
			return rc;
		kc_xdr_put_u32(ca, 1);
		kc_xdr_put_u32(ca, 1);
		rc = kc_rt_call_invoke(c, &cr);
		if (!rc)
			sum += kc_xdr_get_u32(cr);
		rc = kc_rt_call_end(c, rc);
		if (rc)
			return rc;
	}
	kc_xdr_put_u32(r, sum);
	return 0;
}

static int u_nest(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t d = kc_xdr_get_u32(a), v = 0;
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_rt_call_begin(&c, &ca, rt, K_NEST);
	if (rc)
		return rc;
	kc_xdr_put_u32(ca, d);
	rc = kc_rt_call_invoke(c, &cr);
	if (!rc)
		v = kc_xdr_get_u32(cr);
	rc = kc_rt_call_end(c, rc);
	if (rc)
		return rc;
	kc_xdr_put_u32(r, v + 1);
	return 0;
}

static int u_segv(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	(void)a;
	(void)r;
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
	return 0;
}

/* K_NOTE() as a nested downcall: tells the kernel half this call is in the user half. */
static int note(struct kc_rt *rt)
{
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;
	int rc = kc_rt_call_begin(&c, &ca, rt, K_NOTE);

	if (rc)
		return rc;
	return kc_rt_call_end(c, kc_rt_call_invoke(c, &cr));
}

static int u_hang(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)a;
	(void)r;
	note(rt);
	for (;;)
		pause();
	return 0;
}

static int u_sleepin(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t ms = kc_xdr_get_u32(a);
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	int rc;

	(void)r;
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = note(rt);
	if (rc)
		return rc;
	nanosleep(&ts, NULL);
	return 0;
}

static int u_garbage(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	(void)a;
	kc_xdr_put_u32(r, 7);
	kc_rt__test_garble_next_reply(1);
	return 0;
}

static int u_badlen(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	(void)a;
	kc_xdr_put_u32(r, 7);
	kc_rt__test_garble_next_reply(2);
	return 0;
}

static int u_forge(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint64_t h = kc_xdr_get_handle(a);

	(void)rt;
	kc_xdr_put_handle(r, h ^ 0x00ff000000000000ull);
	return 0;
}

static int u_oversize(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	(void)a;
	kc_xdr_put_u32(r, 1u << 30);
	return 0;
}

struct down_arg {
	uint32_t a, b, v;
	int rc;
};

static void *down_thread(void *p)
{
	struct down_arg *d = p;
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;

	d->rc = kc_rt_call_begin(&c, &ca, g_rt, K_ADD);
	if (d->rc)
		return NULL;
	kc_xdr_put_u32(ca, d->a);
	kc_xdr_put_u32(ca, d->b);
	d->rc = kc_rt_call_invoke(c, &cr);
	if (!d->rc)
		d->v = kc_xdr_get_u32(cr);
	d->rc = kc_rt_call_end(c, d->rc);
	return NULL;
}

static int u_downthread(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	struct down_arg d = { 0 };
	pthread_t t;

	(void)rt;
	d.a = kc_xdr_get_u32(a);
	d.b = kc_xdr_get_u32(a);
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	if (pthread_create(&t, NULL, down_thread, &d))
		return KC_ENOMEM;
	pthread_join(t, NULL);
	if (d.rc)
		return d.rc;
	kc_xdr_put_u32(r, d.v);
	return 0;
}

/* U_DOUBLESLOT: a downcall whose slot goes on the down ring twice (runtime test hook). */
static void *double_thread(void *p)
{
	struct down_arg *d = p;
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;

	d->rc = kc_rt_call_begin(&c, &ca, g_rt, K_SLOW);
	if (d->rc)
		return NULL;
	kc_xdr_put_u32(ca, d->a);
	kc_rt__test_garble_next_reply(3);
	d->rc = kc_rt_call_invoke(c, &cr);
	if (!d->rc)
		d->v = kc_xdr_get_u32(cr);
	d->rc = kc_rt_call_end(c, d->rc);
	return NULL;
}

static int u_doubleslot(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	struct down_arg d = { 0 };
	pthread_t t;

	(void)rt;
	d.a = kc_xdr_get_u32(a);
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	if (pthread_create(&t, NULL, double_thread, &d))
		return KC_ENOMEM;
	pthread_join(t, NULL);
	if (d.rc)
		return d.rc;
	kc_xdr_put_u32(r, d.v);
	return 0;
}

static void *meet_thread(void *p)
{
	struct down_arg *d = p;
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;

	d->rc = kc_rt_call_begin(&c, &ca, g_rt, K_MEET);
	if (d->rc)
		return NULL;
	kc_xdr_put_u32(ca, d->a);
	d->rc = kc_rt_call_invoke(c, &cr);
	if (!d->rc)
		d->v = kc_xdr_get_u32(cr);
	d->rc = kc_rt_call_end(c, d->rc);
	return NULL;
}

/* n user threads, each starting a chain of its own (not nested in this upcall) that meets the
 * others in the kernel half: all of them succeed only if the kernel serves them at once. */
static int u_downmeet(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	struct down_arg d[8];
	pthread_t t[8];
	uint32_t n = kc_xdr_get_u32(a), i, k, met = 0;
	int rc = 0;

	(void)rt;
	if (kc_xdr_dec_done(a) || n > 8)
		return KC_EINVAL;
	memset(d, 0, sizeof(d));
	for (k = 0; k < n; k++) {
		d[k].a = n;
		if (pthread_create(&t[k], NULL, meet_thread, &d[k]))
			break;
	}
	for (i = 0; i < k; i++) {
		pthread_join(t[i], NULL);
		if (d[i].rc)
			rc = d[i].rc;
		met += d[i].v;
	}
	if (k < n)
		return KC_ENOMEM;
	if (rc)
		return rc;
	kc_xdr_put_u32(r, met);
	return 0;
}

/* Objects the user half allocated and adopted (kept reachable until exit). */
static unsigned char *adopted[16];
static unsigned nadopted;

static int send_import(struct kc_rt *rt, uint64_t h, uint32_t size, uint32_t *fresh)
{
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;
	int rc = kc_rt_call_begin(&c, &ca, rt, K_IMPORT);

	if (rc)
		return rc;
	kc_xdr_put_handle(ca, h);
	kc_xdr_put_u32(ca, size);
	rc = kc_rt_call_invoke(c, &cr);
	if (!rc)
		*fresh = kc_xdr_get_u32(cr);
	return kc_rt_call_end(c, rc);
}

static int u_adopt(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t size = kc_xdr_get_u32(a), f1 = 0, f2 = 0, i, intact = 1;
	unsigned char *obj;
	uint64_t h;
	int rc;

	if (kc_xdr_dec_done(a) || !size || nadopted == 16)
		return KC_EINVAL;
	obj = malloc(size);
	if (!obj)
		return KC_ENOMEM;
	adopted[nadopted++] = obj;
	memset(obj, 0x33, size);
	rc = kc_objt_adopt(kc_rt_objt(rt), &h, obj, 5, size);
	if (!rc)
		rc = send_import(rt, h, size, &f1);
	if (!rc)
		rc = send_import(rt, h, size, &f2);
	if (rc)
		return rc;
	for (i = 0; i < size; i++)
		if (obj[i] != 0x33)
			intact = 0;
	kc_xdr_put_handle(r, h);
	kc_xdr_put_u32(r, f1);
	kc_xdr_put_u32(r, f2);
	kc_xdr_put_u32(r, intact);
	return 0;
}

/* A hostile user half: writes into a kernel buffer it was given by reference. The mapping is
 * read-only, so this dies (SIGSEGV). The default action, not a sanitizer's report: AddressSanitizer
 * symbolizing its report of the fault can take longer than the call's timeout on a loaded
 * machine, and the kernel half then sees a hang (KC_RT_ETIMEDOUT) instead of the death. */
static int u_bulkscribble(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	const uint8_t *p;
	uint32_t n;

	(void)r;
	p = kc_rt_get_buf(rt, a, NULL, &n, 1u << 20);
	if (!p || !n || kc_xdr_dec_done(a))
		return KC_EINVAL;
	signal(SIGSEGV, SIG_DFL);
	*(volatile uint8_t *)(uintptr_t)p = 0xee;
	return 0;
}

static int u_obj(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint64_t h = kc_xdr_get_handle(a);
	uint32_t size = kc_xdr_get_u32(a);
	void *p;
	int fresh, rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_objt_import(kc_rt_objt(rt), &p, &fresh, h, 1, size);
	if (rc)
		return rc;
	memset(p, 0x5a, size);
	kc_xdr_put_handle(r, h);
	kc_xdr_put_u32(r, (uint32_t)fresh);
	return 0;
}

static int u_shortres(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	(void)a;
	kc_xdr_put_u32(r, 1);
	return 0;
}

static int u_objcount(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)a;
	kc_xdr_put_u32(r, (uint32_t)kc_objt_count(kc_rt_objt(rt)));
	return 0;
}

static int u_blob(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	static _Thread_local uint8_t out[65536];
	const uint8_t *p;
	uint32_t n, i;

	(void)rt;
	p = kc_xdr_get_opaque(a, &n, sizeof(out));
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(p[i] + 1);
	kc_xdr_put_opaque(r, out, n);
	return 0;
}

/* The argument bytes are decoded in place (a pointer into the shared slot); nested calls in
 * between must not overwrite them. */
static int u_keepargs(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	const uint8_t *p;
	uint32_t n, d, i, sum = 0, v = 0;
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;
	int rc;

	static uint8_t ff[2000];
	const void *q;
	uint32_t qn;

	p = kc_xdr_get_opaque(a, &n, 65536);
	d = kc_xdr_get_u32(a);
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	memset(ff, 0xff, sizeof(ff));
	rc = kc_rt_call_begin(&c, &ca, rt, K_BLOB);
	if (rc)
		return rc;
	kc_xdr_put_opaque(ca, ff, sizeof(ff));
	rc = kc_rt_call_invoke(c, &cr);
	if (!rc) {
		q = kc_xdr_get_opaque(cr, &qn, 65536);
		if (!q || qn != sizeof(ff) || memcmp(q, ff, qn) != 0)
			rc = KC_EBUG;
	}
	if (!rc) {
		/* results are decoded in place too: a nested call made before kc_rt_call_end (a
		 * region pointer's first sight asks the kernel half) must not overwrite them */
		static uint8_t ee[1000];
		struct kc_rt_call *c2;
		struct kc_xdr *ca2, *cr2;
		int rc2;

		memset(ee, 0xee, sizeof(ee));
		rc = kc_rt_call_begin(&c2, &ca2, rt, K_BLOB);
		if (!rc) {
			kc_xdr_put_opaque(ca2, ee, sizeof(ee));
			rc2 = kc_rt_call_invoke(c2, &cr2);
			if (!rc2) {
				const void *q2 = kc_xdr_get_opaque(cr2, &qn, 65536);

				if (!q2 || qn != sizeof(ee) || memcmp(q2, ee, qn) != 0)
					rc2 = KC_EBUG;
			}
			rc = kc_rt_call_end(c2, rc2);
		}
		if (!rc && memcmp(q, ff, sizeof(ff)) != 0)
			rc = KC_EBUG;
	}
	rc = kc_rt_call_end(c, rc);
	if (rc)
		return rc;
	rc = kc_rt_call_begin(&c, &ca, rt, K_NEST);
	if (rc)
		return rc;
	kc_xdr_put_u32(ca, d);
	rc = kc_rt_call_invoke(c, &cr);
	if (!rc)
		v = kc_xdr_get_u32(cr);
	rc = kc_rt_call_end(c, rc);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		sum += p[i];
	kc_xdr_put_u32(r, sum);
	kc_xdr_put_u32(r, v);
	return 0;
}

static int u_bulksum(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	const uint8_t *p;
	uint32_t n, i, sum = 0;

	p = kc_rt_get_buf(rt, a, NULL, &n, 1u << 20);
	if (!p || kc_xdr_dec_done(a))
		return KC_EINVAL;
	for (i = 0; i < n; i++)
		sum += p[i];
	kc_xdr_put_u32(r, sum);
	kc_xdr_put_u32(r, n);
	return 0;
}

static int u_bulkdown(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	uint32_t n = kc_xdr_get_u32(a), i, v = 0;
	struct kc_rt_buf *b;
	struct kc_rt_call *c;
	struct kc_xdr *ca, *cr;
	uint8_t *p;
	int rc;

	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	rc = kc_rt_buf_alloc(&b, (void **)&p, rt, n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 3);
	rc = kc_rt_call_begin(&c, &ca, rt, K_BULKSUM);
	if (!rc) {
		kc_xdr_put_buf(ca, b, 0, n);
		rc = kc_rt_call_invoke(c, &cr);
		if (!rc)
			v = kc_xdr_get_u32(cr);
		rc = kc_rt_call_end(c, rc);
	}
	kc_rt_buf_free(b);
	if (rc)
		return rc;
	kc_xdr_put_u32(r, v);
	return 0;
}

static int u_bulkforge(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	(void)rt;
	(void)a;
	kc_xdr_put_u32(r, 0x12345678); /* not this region's id */
	kc_xdr_put_u32(r, 1u << 19);
	kc_xdr_put_u32(r, 16);
	return 0;
}

/* U_PINRACE: K_PINUSE(h) from a fresh user thread until it fails or n calls succeeded. */
struct pin_arg {
	uint64_t h;
	uint32_t n, ok;
	int rc;
};

static void *pin_thread(void *p)
{
	struct pin_arg *d = p;

	for (d->ok = 0; d->ok < d->n; d->ok++) {
		struct kc_rt_call *c;
		struct kc_xdr *ca, *cr;

		d->rc = kc_rt_call_begin(&c, &ca, g_rt, K_PINUSE);
		if (d->rc)
			break;
		kc_xdr_put_handle(ca, d->h);
		d->rc = kc_rt_call_invoke(c, &cr);
		if (!d->rc)
			(void)kc_xdr_get_u32(cr);
		d->rc = kc_rt_call_end(c, d->rc);
		if (d->rc)
			break;
	}
	return NULL;
}

static int u_pinrace(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	struct pin_arg d = { 0 };
	pthread_t t;

	(void)rt;
	d.h = kc_xdr_get_handle(a);
	d.n = kc_xdr_get_u32(a);
	if (kc_xdr_dec_done(a))
		return KC_EINVAL;
	if (pthread_create(&t, NULL, pin_thread, &d))
		return KC_ENOMEM;
	pthread_join(t, NULL);
	kc_xdr_put_u32(r, d.ok);
	kc_xdr_put_i32(r, d.rc);
	return 0;
}

static const struct kc_rt_fn fns[U_NFNS] = {
	[U_NULL] = { "u_null", u_null },
	[U_ECHO] = { "u_echo", u_echo },
	[U_SLEEP] = { "u_sleep", u_sleep },
	[U_NEST] = { "u_nest", u_nest },
	[U_SEGV] = { "u_segv", u_segv },
	[U_HANG] = { "u_hang", u_hang },
	[U_GARBAGE] = { "u_garbage", u_garbage },
	[U_FORGE] = { "u_forge", u_forge },
	[U_OVERSIZE] = { "u_oversize", u_oversize },
	[U_DOWNTHREAD] = { "u_downthread", u_downthread },
	[U_OBJ] = { "u_obj", u_obj },
	[U_SHORT] = { "u_short", u_shortres },
	[U_OBJCOUNT] = { "u_objcount", u_objcount },
	[U_BLOB] = { "u_blob", u_blob },
	[U_BADLEN] = { "u_badlen", u_badlen },
	[U_KEEPARGS] = { "u_keepargs", u_keepargs },
	[U_BULKSUM] = { "u_bulksum", u_bulksum },
	[U_BULKDOWN] = { "u_bulkdown", u_bulkdown },
	[U_BULKFORGE] = { "u_bulkforge", u_bulkforge },
	[U_SLOWCHAIN] = { "u_slowchain", u_slowchain },
	[U_DOWNMEET] = { "u_downmeet", u_downmeet },
	[U_ADOPT] = { "u_adopt", u_adopt },
	[U_BULKSCRIBBLE] = { "u_bulkscribble", u_bulkscribble },
	[U_DOUBLESLOT] = { "u_doubleslot", u_doubleslot },
	[U_SLEEPIN] = { "u_sleepin", u_sleepin },
	[U_PINRACE] = { "u_pinrace", u_pinrace },
};

int main(int argc, char **argv)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	int rc;

	o.fns = fns;
	o.nfns = U_NFNS;
	o.peer_names = rt_test_kernel_names;
	o.npeer = K_NFNS;
	if (argc > 1 && strcmp(argv[1], "busy") == 0)
		o.busy_poll = 1;
	if (argc > 1 && strcmp(argv[1], "idle") == 0)
		o.spin_us = 0;
	if (argc > 2)
		o.nworkers = (unsigned)atoi(argv[2]);
	rc = kc_rt_user_open(&g_rt, &o, &err);
	if (rc) {
		fprintf(stderr, "rt_user_test: %s\n", err.msg);
		return 2;
	}
	rc = kc_rt_user_run(g_rt);
	kc_rt_close(g_rt);
	return rc ? 1 : 0;
}
