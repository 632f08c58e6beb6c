/*
 * fault_user.c - a split driver's user half that behaves until told to commit one protocol fault
 * (scripts/fault-matrix.sh, issue 14 item 3).
 *
 * Linked with the generated user half of a split driver (compiled with -DKCUT_NO_MAIN) in place
 * of its main(); it serves every upcall with the real handlers. The linker wraps
 * kc_rt_call_begin / kc_rt_call_invoke so that the real user half's downcalls are recorded
 * (function id and argument bytes, appended to $KCUT_FAULT_DIR/records, which outlives the
 * incarnation). On SIGUSR1 its own thread commits the fault named by $KCUT_FAULT, as a call chain
 * of its own (so it needs no pending upcall and can land in the middle of traffic):
 *
 *   garbage     a call whose message header is garbage (runtime test hook mode 4)
 *   oversize    a call whose length word claims more than its 64 KiB slot (mode 5)
 *   forged      a recorded downcall whose first object handle the user half knows is replaced by
 *               the same index with the next generation (a handle the kernel never issued)
 *   doubleslot  a recorded downcall of a harmless function (pci_name, netif_running, ...) whose
 *               slot is pushed on the request ring twice (mode 3)
 *
 * and writes to $KCUT_FAULT_DIR/fired the fault and the function it used before sending, and what
 * the call returned if this process is still alive then (the kernel half must fault the
 * incarnation: SIGKILL, or "the user half died ..."). Nothing else differs from the real user half.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KCUT_USER_HALF 1
#include "kcut_ids.h"
#include "rt_internal.h"

/* ---- recorded downcalls of the real user half ---- */

#define MAXREC 1024
#define MAXMSG 2048
struct rec {
	uint32_t fn, len;
	uint8_t b[MAXMSG];
};
static struct rec *recs;
static _Atomic uint32_t nrec;
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *rec_file;
static char dir[512];
static _Thread_local int in_fault;
static _Thread_local struct kc_rt_call *cur_call;
static _Thread_local uint32_t cur_fn;
static _Thread_local struct kc_xdr *cur_args;

static void rec_add(uint32_t fn, const uint8_t *b, uint32_t len, int save)
{
	uint32_t n;

	if (len > MAXMSG || fn >= KCUT_NR_DOWNCALLS)
		return;
	pthread_mutex_lock(&rec_lock);
	n = atomic_load(&nrec);
	if (n < MAXREC) {
		recs[n].fn = fn;
		recs[n].len = len;
		memcpy(recs[n].b, b, len);
		atomic_store(&nrec, n + 1);
		if (save && rec_file) {
			fwrite(&fn, 4, 1, rec_file);
			fwrite(&len, 4, 1, rec_file);
			fwrite(b, 1, len, rec_file);
			fflush(rec_file);
		}
	}
	pthread_mutex_unlock(&rec_lock);
}

static void rec_load(void)
{
	char path[600];
	uint32_t fn, len;
	uint8_t *b = malloc(MAXMSG);
	FILE *f;

	snprintf(path, sizeof(path), "%s/records", dir);
	f = fopen(path, "r");
	while (f && b && fread(&fn, 4, 1, f) == 1 && fread(&len, 4, 1, f) == 1 && len <= MAXMSG &&
	       fread(b, 1, len, f) == len)
		rec_add(fn, b, len, 0);
	if (f)
		fclose(f);
	free(b);
	rec_file = fopen(path, "a");
}

int __real_kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn);
int __real_kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res);
int __wrap_kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn);
int __wrap_kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res);

int __wrap_kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	int rc = __real_kc_rt_call_begin(out, args, rt, fn);

	if (!rc && !in_fault) {
		cur_call = *out;
		cur_fn = fn;
		cur_args = *args;
	}
	return rc;
}

int __wrap_kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res)
{
	if (!in_fault && c == cur_call && cur_args && !kc_xdr_error(cur_args))
		rec_add(cur_fn, cur_args->buf, (uint32_t)kc_xdr_pos(cur_args), 1);
	cur_call = NULL;
	return __real_kc_rt_call_invoke(c, res);
}

/* ---- big-endian words and the handles this user half knows ---- */

static void put32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

#define MAXH 1024
struct hset {
	uint64_t h[MAXH];
	size_t n;
};

static int collect(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	struct hset *s = arg;

	(void)o;
	if (s->n < MAXH && !kc_objt_is_adopted(h))
		s->h[s->n++] = h;
	return 0;
}

static int known(const struct hset *s, uint64_t h)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->h[i] == h)
			return 1;
	return 0;
}

/* The offset of the first pointer form (kind 1, then a handle this user half knows) in b, or -1. */
static long first_ptr(const struct hset *s, const uint8_t *b, uint32_t len)
{
	for (uint32_t i = 0; i + 24 <= len; i += 4)
		if (get32(b + i) == 1 && known(s, ((uint64_t)get32(b + i + 4) << 32) | get32(b + i + 8)))
			return (long)i;
	return -1;
}

static int harmless(uint32_t fn)
{
	static const char *const names[] = { "pci_name", "netif_running", "netif_carrier_ok", "test_bit",
					     "params_channels", "params_buffer_bytes", "params_period_bytes",
					     "params_format", "snd_pcm_format_physical_width", NULL };
	const char *n = fn < KCUT_NR_DOWNCALLS ? kcut_user_peer_names[fn] : NULL;

	for (int i = 0; n && names[i]; i++)
		if (!strcmp(n, names[i]))
			return 1;
	return 0;
}

/* ---- the fault ---- */

static sem_t armed;
static _Atomic int stop_thread;

static void on_usr1(int sig)
{
	(void)sig;
	sem_post(&armed);
}

/* $KCUT_FAULT_DIR/fired: "<fault> <function>" before the message goes (the kernel half usually
 * kills this process before the call returns), then " -> <result>" if it returns. */
static void fired(const char *what, uint32_t fn, int rc, int after)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/fired", dir);
	f = fopen(path, "a");
	if (!f)
		return;
	if (!after)
		fprintf(f, "%s %s", what, fn < KCUT_NR_DOWNCALLS ? kcut_user_peer_names[fn] : "-");
	else
		fprintf(f, " -> %s\n", rc ? kc_rt_strerror(rc) : "accepted");
	fclose(f);
}

/* Send b (len bytes) as a call chain of fn from this thread, the test hook set to mode first. */
static int send_chain(struct kc_rt *rt, uint32_t fn, const uint8_t *b, uint32_t len, int mode)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	in_fault = 1;
	rc = kc_rt_call_begin(&c, &a, rt, fn);
	if (!rc) {
		kc_xdr_put_fixed(a, b, len);
		if (mode)
			kc_rt__test_garble_next_reply(mode);
		rc = kc_rt_call_invoke(c, &r);
		if (!rc)
			r->pos = r->cap; /* results of a shape we do not decode */
		rc = kc_rt_call_end(c, rc);
	}
	in_fault = 0;
	return rc;
}

static void commit(struct kc_rt *rt, const char *what)
{
	static struct hset s;
	static uint8_t b[MAXMSG];
	uint32_t n = atomic_load(&nrec), i;
	int rc;

	if (!strcmp(what, "garbage") || !strcmp(what, "oversize")) {
		fired(what, 0, 0, 0);
		rc = send_chain(rt, 0, b, 0, !strcmp(what, "garbage") ? 4 : 5);
		fired(what, 0, rc, 1);
		return;
	}
	s.n = 0;
	kc_objt_foreach(kc_rt_objt(rt), collect, &s);
	for (i = n; i-- > 0;) { /* the most recent recording that fits */
		const struct rec *r = &recs[i];
		long p;

		if (!strcmp(what, "doubleslot")) {
			if (!harmless(r->fn))
				continue;
			fired(what, r->fn, 0, 0);
			rc = send_chain(rt, r->fn, r->b, r->len, 3);
			fired(what, r->fn, rc, 1);
			return;
		}
		p = first_ptr(&s, r->b, r->len);
		if (p < 0)
			continue;
		memcpy(b, r->b, r->len);
		put32(b + p + 4, get32(b + p + 4) + 1); /* same index, next generation: never issued */
		if (known(&s, ((uint64_t)get32(b + p + 4) << 32) | get32(b + p + 8)))
			continue;
		fired(what, r->fn, 0, 0);
		rc = send_chain(rt, r->fn, b, r->len, 0);
		fired(what, r->fn, rc, 1);
		return;
	}
	/* nothing recorded that fits: no fault */
	fired("nothing-recorded-for", KCUT_NR_DOWNCALLS, 0, 0);
	fired(what, KCUT_NR_DOWNCALLS, KC_ENOTFOUND, 1);
}

static void *fault_thread(void *arg)
{
	struct kc_rt *rt = arg;
	const char *what = getenv("KCUT_FAULT");

	while (!atomic_load(&stop_thread)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (sem_timedwait(&armed, &ts))
			continue;
		if (what && *what)
			commit(rt, what);
	}
	return NULL;
}

int main(void)
{
	struct kc_rt_opts opts = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	const char *d = getenv("KCUT_FAULT_DIR");
	struct sigaction sa;
	pthread_t t;
	int rc;

	if (!d) {
		fprintf(stderr, "fault user half: $KCUT_FAULT_DIR not set\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", d);
	recs = calloc(MAXREC, sizeof(*recs));
	if (!recs || sem_init(&armed, 0, 0))
		return 2;
	rec_load();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	opts.fns = kcut_user_fns;
	opts.nfns = KCUT_NR_UPCALLS + 1;
	opts.peer_names = kcut_user_peer_names;
	opts.npeer = KCUT_NR_DOWNCALLS;
	opts.wire = &kcut_wire;
	kcut_tables_init();
	if (kc_rt_user_open(&kcut_rt, &opts, &err)) {
		fprintf(stderr, "fault user half: %s\n", err.msg);
		return 2;
	}
	if (pthread_create(&t, NULL, fault_thread, kcut_rt))
		return 2;
	rc = kc_rt_user_run(kcut_rt);
	atomic_store(&stop_thread, 1);
	pthread_join(t, NULL);
	if (rec_file)
		fclose(rec_file);
	free(recs);
	kc_rt_close(kcut_rt);
	return rc ? 1 : 0;
}
