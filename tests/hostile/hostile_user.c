/*
 * hostile_user.c - a hostile user half for a split driver (issue 14 item 2).
 *
 * Linked with the generated user half of a split driver (compiled with -DKCUT_NO_MAIN) in place
 * of its main(). It serves upcalls like the real user half, so kcut-sim's traffic and ethtool
 * commands run, and meanwhile, driven by a seed, it attacks the kernel half:
 *
 *   - it records the downcalls the real user-half code makes (the linker wraps kc_rt_call_begin
 *     and kc_rt_call_invoke: function id and argument bytes), in a file that outlives the
 *     incarnation, so every later incarnation has the same material;
 *   - before serving each upcall it sends a burst of messages nested in that upcall's chain (the
 *     kernel thread waiting for the upcall serves them, as it serves real nested downcalls):
 *     recorded messages replayed or mutated: forged handles (bit flips, generation + 1, index
 *     + 1, the adopted bit, random), handles of another type, interior and out-of-range offsets,
 *     driver globals and device regions where an object is expected, truncated and extended
 *     messages, oversize length words, random bytes, arguments of one function sent to another,
 *     function ids outside the table;
 *   - rarely, it breaks the channel itself: a slot pushed on the request ring twice, a garbage
 *     reply header, a reply longer than the slot, a slot number it does not own;
 *   - from a thread of its own it sends messages that fail before any argument is decoded.
 *
 * What it knows about each downcall (its parameters, and whether a valid call would have side
 * effects the kernel half cannot refuse: freeing, locking, unregistering ...) comes from the
 * spec file the runner writes from the split's interface.txt ($KCUT_HOSTILE_SPEC). It sends a
 * message that could be a valid call only to functions the spec marks as harmless to repeat;
 * the others get only messages the kernel half must refuse.
 *
 * Every message it sends is counted by outcome in a shared counter file ($KCUT_HOSTILE_DIR/
 * counters, mmap'ed, so the counts survive the SIGKILL a fault earns); a message the kernel half
 * must have refused but executed (it answered 0) is logged in $KCUT_HOSTILE_DIR/findings.
 * $KCUT_HOSTILE_SEED seeds it (each incarnation mixes in its number), $KCUT_HOSTILE_BURST is the
 * mean burst length, $KCUT_HOSTILE_MAX the total number of messages after which it behaves,
 * $KCUT_HOSTILE_START_AT / _STOP_AT the upcalls between which it attacks (the device must come up
 * first), $KCUT_HOSTILE_CHANNEL one channel-level attack per that many upcalls,
 * $KCUT_HOSTILE_THREAD one burst of its own thread per that many 2 ms ticks, $KCUT_HOSTILE_SPARE
 * upcalls (comma-separated names) it serves without a burst, $KCUT_HOSTILE_CLASSES the message
 * classes it picks from (comma-separated names of cls_names; unset: all).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KCUT_USER_HALF 1
#include "kcut_ids.h"
#include "rt_internal.h"

/* ---- shared counters (survive the process) ---- */

enum outcome { O_SENT, O_OK, O_REFUSED, O_FAILED, O_DEAD, O_MUST_REFUSE, O_BAD_ACCEPTED,
	       O_CHANNEL, O_INCARNATIONS, O_RECORDED, O_THREAD, O_NOUT };
/* (run_hostile.py reads them in this order: sent ok refused failed dead must_refuse
 * bad_accepted channel incarnations recorded thread) */

#define NCLASS 20
struct counters {
	_Atomic uint64_t o[O_NOUT];
	_Atomic uint64_t by_class[NCLASS][2]; /* sent, accepted (answer 0) */
	_Atomic uint64_t in_flight;           /* messages sent, outcome not counted yet (all threads) */
	_Atomic int started, stopped;         /* see attacking() */
	/* register-region ids the real user half's batches named (persist across incarnations:
	 * the regions belong to the kernel half's endpoint) */
	_Atomic uint32_t nregions;
	_Atomic uint32_t regions[16];
};
static struct counters *ctr;
static char dir[512];
static _Atomic int in_burst; /* the own thread is sending a burst (see attacking()) */

static void count(enum outcome o)
{
	atomic_fetch_add_explicit(&ctr->o[o], 1, memory_order_relaxed);
}

/* $KCUT_HOSTILE_LOG=1: every message and its outcome, one line each, in $KCUT_HOSTILE_DIR/messages
 * (debugging a run; large) */
static FILE *msg_log;

static void finding_to(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

static void finding(const char *fmt, ...)
{
	char path[600];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/findings", dir);
	f = fopen(path, "a");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* ---- PRNG (splitmix64) ---- */

static _Thread_local uint64_t rng_state;
static uint64_t rng_seed;
static _Atomic uint64_t rng_threads;

static uint64_t rnd(void)
{
	uint64_t z;

	if (!rng_state) /* each thread its own stream of the seed */
		rng_state = rng_seed + 0x632be59bd9b4e019ull * (atomic_fetch_add(&rng_threads, 1) + 1);
	z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

/* ---- what the runner tells us about each downcall ---- */

enum { P_INT, P_STRUCT, P_VOID, P_STR, P_FN, P_OTHER };
struct fnspec {
	char name[64];
	int known;
	int harmless;   /* a valid call may be repeated with any arguments */
	int replay;     /* the exact recorded call may be repeated */
	int base_only;  /* its first pointer must be an object's base (deallocator, lock, irq) */
	int heap_only;  /* its first pointer must be a heap object, not a global (deallocator) */
	int first_typed;/* its first pointer parameter is a struct of the model */
	int noisy;      /* a valid call prints (printk & co.): not executed in quiet (bulk) mode */
	char nullout[16]; /* a kernel import's parameters up to its first out-pointer to one scalar
			   * (run_hostile.py null_out_layout: p pointer, 4 / 8 integer, x4 / x8 the
			   * out-pointer), "-": none */
};
static struct fnspec spec[KCUT_NR_DOWNCALLS + 1];

static void load_spec(void)
{
	const char *path = getenv("KCUT_HOSTILE_SPEC");
	char line[512];
	FILE *f = path ? fopen(path, "r") : NULL;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct fnspec s;
		unsigned id;

		memset(&s, 0, sizeof(s));
		if (sscanf(line, "%u %63s %d %d %d %d %d %d %15s", &id, s.name, &s.harmless, &s.replay, &s.base_only,
			   &s.heap_only, &s.first_typed, &s.noisy, s.nullout) < 7 || id >= KCUT_NR_DOWNCALLS)
			continue;
		s.known = 1;
		spec[id] = s;
	}
	fclose(f);
}

/* ---- recorded downcalls ---- */

#define MAXREC 4096
#define MAXMSG 2048
struct rec {
	uint32_t fn, len;
	uint8_t b[MAXMSG];
};
static struct rec *recs;
static _Atomic uint32_t nrec;
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *rec_file;
static _Thread_local int in_attack;
static _Thread_local struct kc_rt_call *cur_call;
static _Thread_local uint32_t cur_fn;
static _Thread_local struct kc_xdr *cur_args;

static void rec_add(uint32_t fn, const uint8_t *b, uint32_t len, int save)
{
	uint32_t i, n;

	if (fn >= KCUT_NR_DOWNCALLS || len > MAXMSG)
		return;
	pthread_mutex_lock(&rec_lock);
	n = atomic_load(&nrec);
	for (i = 0; i < n; i++)
		if (recs[i].fn == fn && recs[i].len == len && !memcmp(recs[i].b, b, len))
			break;
	if (i == n && n < MAXREC) {
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
		if (save)
			count(O_RECORDED);
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
int __real_kc_rt__call_begin_rt(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn);
int __wrap_kc_rt__call_begin_rt(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn);
int __real_kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res);
int __wrap_kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn);
int __wrap_kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res);

int __wrap_kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	int rc = __real_kc_rt_call_begin(out, args, rt, fn);

	if (!rc && !in_attack) {
		cur_call = *out;
		cur_fn = fn;
		cur_args = *args;
	}
	return rc;
}

/* The register batches the real user half sends (io.c, forwarded device access): only the ids of
 * the regions they name are kept (a batch is never replayed: its writes program the device). */
int __wrap_kc_rt__call_begin_rt(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	int rc = __real_kc_rt__call_begin_rt(out, args, rt, fn);

	if (!rc && !in_attack && fn == KC_RT_FN_REGIO) {
		cur_call = *out;
		cur_fn = fn;
		cur_args = *args;
	}
	return rc;
}

static void note_region(uint32_t id)
{
	uint32_t i, n;

	if (!id)
		return;
	pthread_mutex_lock(&rec_lock);
	n = atomic_load(&ctr->nregions);
	for (i = 0; i < n && i < 16; i++)
		if (atomic_load(&ctr->regions[i]) == id)
			break;
	if (i == n && n < 16) {
		atomic_store(&ctr->regions[n], id);
		atomic_store(&ctr->nregions, n + 1);
	}
	pthread_mutex_unlock(&rec_lock);
}

static void note_regio(const uint8_t *b, uint32_t len)
{
	struct kc_xdr x;
	uint32_t n, i, op, id, l;

	kc_xdr_init_dec(&x, b, len);
	n = kc_xdr_get_u32(&x);
	for (i = 0; i < n && i < KC_REGIO_MAX_OPS && !kc_xdr_error(&x); i++) {
		op = kc_xdr_get_u32(&x);
		id = kc_xdr_get_u32(&x);
		kc_xdr_get_u64(&x);
		kc_xdr_get_u32(&x);
		switch (op) {
		case KC_REGIO_WRITE: kc_xdr_get_u64(&x); break;
		case KC_REGIO_READ_BYTES: kc_xdr_get_u32(&x); break;
		case KC_REGIO_WRITE_BYTES: kc_xdr_get_opaque(&x, &l, KC_REGIO_MAX_BYTES); break;
		case KC_REGIO_SET_BYTES: kc_xdr_get_u32(&x); kc_xdr_get_u32(&x); break;
		default: break;
		}
		if (!kc_xdr_error(&x))
			note_region(id);
	}
}

static int known_region(uint32_t id)
{
	uint32_t i, n = atomic_load(&ctr->nregions);

	for (i = 0; i < n && i < 16; i++)
		if (atomic_load(&ctr->regions[i]) == id)
			return 1;
	return 0;
}

int __wrap_kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res)
{
	if (!in_attack && c == cur_call && cur_args && !kc_xdr_error(cur_args) && cur_fn == KC_RT_FN_REGIO)
		note_regio(cur_args->buf, (uint32_t)kc_xdr_pos(cur_args));
	else if (!in_attack && c == cur_call && cur_args && !kc_xdr_error(cur_args))
		rec_add(cur_fn, cur_args->buf, (uint32_t)kc_xdr_pos(cur_args), 1);
	cur_call = NULL;
	return __real_kc_rt_call_invoke(c, res);
}

/* ---- the handles the user half knows (its tracker: the kernel's handles of its copies) ---- */

struct hinfo {
	uint64_t h;
	uint32_t type, size;
};
#define MAXH 1024
struct hset {
	struct hinfo v[MAXH];
	size_t n;
};

static int collect(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	struct hset *s = arg;

	if (s->n < MAXH && !kc_objt_is_adopted(h))
		s->v[s->n++] = (struct hinfo){ h, o->type, (uint32_t)o->size };
	return 0;
}

/* s->v is sorted by handle (burst: sort_handles): find_ptrs asks for every word of a message */
static int known_handle(const struct hset *s, uint64_t h)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].h == h)
			return 1;
		if (s->v[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int by_handle(const void *a, const void *b)
{
	uint64_t x = ((const struct hinfo *)a)->h, y = ((const struct hinfo *)b)->h;

	return x < y ? -1 : x > y;
}

static void sort_handles(struct hset *s)
{
	qsort(s->v, s->n, sizeof(s->v[0]), by_handle);
}

/* Positions of pointer forms (kind 1, a handle the user half knows) in a message. */
static size_t find_ptrs(const struct hset *s, const uint8_t *b, uint32_t len, uint32_t *pos, size_t max)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i + 24 <= len && n < max; i += 4) {
		struct kc_xdr x;
		uint64_t h;

		kc_xdr_init_dec(&x, b + i, 24);
		if (kc_xdr_get_u32(&x) != 1)
			continue;
		h = kc_xdr_get_u64(&x);
		if (known_handle(s, h))
			pos[n++] = i;
	}
	return n;
}

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

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	return ((uint64_t)get32(p) << 32) | get32(p + 4);
}

/* ---- building one hostile message ---- */

enum cls {
	C_REPLAY, C_FORGE, C_STALE, C_WRONGTYPE, C_INTERIOR, C_PASTEND, C_GLOBAL, C_REGION, C_TRUNC,
	C_EXTEND, C_OVERSIZE, C_RANDOM, C_BITFLIP, C_FNSWAP, C_FNRANGE, C_EMPTY, C_REGIO_BAD, C_REGINFO,
	C_NULLOUT, C_NCLS
};
static const char *const cls_names[C_NCLS] = {
	"replay", "forged-handle", "stale-handle", "wrong-type", "interior", "past-end", "global",
	"region", "truncated", "extended", "oversize-length", "random", "bitflip", "fn-swap",
	"fn-out-of-range", "empty", "regio-refused", "reginfo", "null-out",
};

struct msg {
	uint32_t fn;
	uint32_t len;
	int cls;
	int must_refuse;
	uint8_t b[MAXMSG + 64];
};

static int listed(const char *l, const char *name);
static int quiet; /* $KCUT_HOSTILE_QUIET: never execute a call that prints (bulk runs) */

static uint64_t stale[64];
static _Atomic unsigned nstale;

static uint64_t forge(const struct hset *s, uint64_t h)
{
	uint64_t f = h;
	int i;

	for (i = 0; i < 8; i++) {
		switch (below(6)) {
		case 0: f = h ^ (1ull << (32 + below(32))); break; /* another generation */
		case 1: f = h + (1ull << 32); break;               /* the next generation */
		case 2: f = h + 1 + below(8); break;               /* a neighbouring index */
		case 3: f = h | KC_OBJT_ADOPTED; break;            /* looks adopted */
		case 4: f = rnd(); break;
		default: f = h ^ (1ull << below(20)); break;
		}
		if (f && !known_handle(s, f))
			return f;
	}
	return 0x5a5a5a5a00000000ull | 0x7ffffff0u; /* index far beyond any table */
}

/* Replace the 6-word pointer form at pos (kind, handle, type, size, offset) by another form of
 * nw words (w). */
static void replace_ptr(struct msg *m, uint32_t pos, const uint32_t *w, uint32_t nw)
{
	uint8_t tail[MAXMSG];
	uint32_t tl = m->len - pos - 24, i;

	memcpy(tail, m->b + pos + 24, tl);
	for (i = 0; i < nw; i++)
		put32(m->b + pos + 4 * i, w[i]);
	memcpy(m->b + pos + 4 * nw, tail, tl);
	m->len = pos + 4 * nw + tl;
}

static void w32(struct msg *m, uint32_t v)
{
	put32(m->b + m->len, v);
	m->len += 4;
}

static void w64(struct msg *m, uint64_t v)
{
	put64(m->b + m->len, v);
	m->len += 8;
}

/* A region id: one the real user half used (most of the time, when it used any), else a
 * made-up one that is none of those. */
static uint32_t pick_region(int real)
{
	uint32_t n = atomic_load(&ctr->nregions), id;

	if (real && n)
		return atomic_load(&ctr->regions[below(n < 16 ? n : 16)]);
	do
		id = (uint32_t)rnd();
	while (!id || known_region(id));
	return id;
}

/* A register batch the kernel half must refuse as a whole (docs/runtime.md, "Device regions":
 * refused with an error, nothing performed, no restart of the user half). Up to three valid
 * reads of offset 0 of a real region come first: a batch refused late must not have performed
 * them either (the kernel half checks the whole batch before touching anything). */
static int build_regio_bad(struct msg *m)
{
	uint32_t id = pick_region(below(4) != 0), pre = below(4), kind = below(13), k;
	uint32_t real = pick_region(1);
	static const uint32_t bad_widths[] = { 0, 3, 5, 6, 7, 16, 0x80000004u };

	m->fn = KC_RT_FN_REGIO;
	m->len = 0;
	m->must_refuse = 1;
	w32(m, kind == 0 ? 0 : kind == 1 ? KC_REGIO_MAX_OPS + 1 + below(1u << 20) : pre + 1);
	for (k = 0; k < pre; k++) {
		w32(m, KC_REGIO_READ);
		w32(m, real);
		w64(m, 0);
		w32(m, 4);
	}
	switch (kind) {
	case 0: /* no operations */
	case 1: /* more operations than allowed (and fewer than announced) */
		break;
	case 2: /* a region that does not exist (or was never exported) */
		w32(m, KC_REGIO_READ);
		w32(m, pick_region(0));
		w64(m, 4 * below(64));
		w32(m, 4);
		break;
	case 3: /* the next generation of a real id: unexported / never issued */
		w32(m, KC_REGIO_WRITE);
		w32(m, id + (1u << 12) * (1 + below(4)));
		w64(m, 0);
		w32(m, 4);
		w64(m, rnd());
		break;
	case 4: /* outside the region */
		w32(m, below(2) ? KC_REGIO_READ : KC_REGIO_WRITE);
		w32(m, id);
		w64(m, (1ull << (24 + below(40))) + 8 * below(1024));
		w32(m, 4);
		if (get32(m->b + m->len - 20) == KC_REGIO_WRITE)
			w64(m, rnd());
		break;
	case 5: /* a byte range that wraps around */
		w32(m, KC_REGIO_READ_BYTES);
		w32(m, id);
		w64(m, 0xfffffffffffffff0ull + 4 * below(4));
		w32(m, 1);
		w32(m, 32 + below(64));
		break;
	case 6: /* misaligned */
		w32(m, KC_REGIO_WRITE);
		w32(m, id);
		w64(m, 4 * below(64) + 1 + below(3));
		w32(m, 4);
		w64(m, rnd());
		break;
	case 7: /* a width that is not 1, 2, 4 or 8 */
		w32(m, below(2) ? KC_REGIO_READ : KC_REGIO_WRITE);
		w32(m, id);
		w64(m, 0);
		w32(m, bad_widths[below(sizeof(bad_widths) / sizeof(bad_widths[0]))]);
		w64(m, rnd()); /* a value for the write; for the read: bytes after the batch */
		break;
	case 8: /* an unknown opcode */
		w32(m, below(2) ? 0 : 6 + below(1000));
		w32(m, id);
		w64(m, 0);
		w32(m, 4);
		break;
	case 9: /* memset with a byte above 255 */
		w32(m, KC_REGIO_SET_BYTES);
		w32(m, id);
		w64(m, 0);
		w32(m, 1);
		w32(m, 256 + below(1u << 30));
		w32(m, 4);
		break;
	case 10: /* a byte range with a width other than 1 */
		w32(m, KC_REGIO_WRITE_BYTES);
		w32(m, id);
		w64(m, 0);
		w32(m, 2 + below(7));
		w32(m, 4);
		w32(m, (uint32_t)rnd());
		break;
	case 11: /* bytes after the last operation */
		w32(m, KC_REGIO_READ);
		w32(m, real);
		w64(m, 0);
		w32(m, 4);
		w32(m, (uint32_t)rnd());
		break;
	default: /* an oversize length word with no bytes behind it */
		w32(m, below(2) ? KC_REGIO_WRITE_BYTES : KC_REGIO_READ_BYTES);
		w32(m, id);
		w64(m, 0);
		w32(m, 1);
		w32(m, below(2) ? 0x7fffffffu : KC_REGIO_MAX_BYTES + 1 + below(1u << 20));
		break;
	}
	return 1;
}

/* A region query: of a real id (valid, executed: it only reads the table), or one the kernel
 * half must refuse with an error (made-up id, a port in no region, trailing bytes). */
static int build_reginfo(struct msg *m)
{
	uint32_t n = atomic_load(&ctr->nregions);

	m->fn = KC_RT_FN_REGINFO;
	m->len = 0;
	m->must_refuse = 1;
	switch (below(4)) {
	case 0:
		if (n) {
			w32(m, pick_region(1));
			m->must_refuse = 0;
			break;
		}
		/* fall through */
	case 1:
		w32(m, pick_region(0));
		break;
	case 2:
		w32(m, 0);
		w64(m, rnd() | (1ull << 63)); /* a port in no range */
		break;
	default:
		w32(m, pick_region(below(2)));
		w32(m, (uint32_t)rnd());
		break;
	}
	return 1;
}

/* Could a global of tracker type g stand where the real call passed the start of an object of
 * type r (the parameter's type is r, or a type r embeds at its start)? */
static int same_type(uint32_t g, uint32_t r)
{
	uint32_t i;

	if (g && g == r)
		return 1;
	for (i = 0; g && kcut_wire.embeds && i < kcut_wire.nembeds; i++)
		if (kcut_wire.embeds[i].outer == r && kcut_wire.embeds[i].inner == g && kcut_wire.embeds[i].off == 0)
			return 1;
	return 0;
}

/* NULL for a kernel import's out-pointer to one scalar (pci_read_config_word's val): walk the
 * parameters before it (sp->nullout), then clear its present bool and drop its value. 0 when the
 * message is not laid out as the spec says. */
static int null_out(struct msg *m, const struct fnspec *sp)
{
	const char *l = sp->nullout;
	uint32_t at = 0;

	for (; *l && *l != 'x'; l++) {
		if (*l == '4' || *l == '8') {
			at += (uint32_t)(*l - '0');
			continue;
		}
		if (at + 4 > m->len)
			return 0;
		switch (get32(m->b + at)) { /* a pointer form: kind, then its words */
		case 0: at += 4; break;
		case 1: at += 24; break;
		case 2: at += 12; break;
		case 3: at += 16; break;
		default: return 0;
		}
	}
	if (*l != 'x' || (l[1] != '4' && l[1] != '8') || at + 4 + (uint32_t)(l[1] - '0') > m->len ||
	    get32(m->b + at) != 1)
		return 0;
	put32(m->b + at, 0);
	memmove(m->b + at + 4, m->b + at + 4 + (l[1] - '0'), m->len - (at + 4 + (uint32_t)(l[1] - '0')));
	m->len -= (uint32_t)(l[1] - '0');
	return 1;
}

/* Build a message of class c from a recorded one; 0 when c does not apply to it. */
static int build(struct msg *m, int c, const struct rec *r, const struct hset *s)
{
	const struct fnspec *sp = &spec[r->fn];
	uint32_t pos[16];
	size_t np;
	uint32_t i;

	m->fn = r->fn;
	m->len = r->len;
	m->cls = c;
	m->must_refuse = 0;
	memcpy(m->b, r->b, r->len);
	np = find_ptrs(s, m->b, m->len, pos, 16);
	switch (c) {
	case C_REPLAY:
		return sp->replay;
	case C_FORGE:
		if (!np)
			return 0;
		i = pos[below((uint32_t)np)];
		put64(m->b + i + 4, forge(s, get64(m->b + i + 4)));
		m->must_refuse = 1;
		return 1;
	case C_STALE: {
		unsigned n = atomic_load(&nstale);

		if (!np || !n)
			return 0;
		i = pos[below((uint32_t)np)];
		put64(m->b + i + 4, stale[below(n < 64 ? n : 64)]);
		m->must_refuse = !known_handle(s, get64(m->b + i + 4));
		return 1;
	}
	case C_WRONGTYPE: {
		const struct hinfo *o;
		uint32_t k;

		if (!np || !s->n)
			return 0;
		for (k = 0; k < 8; k++) {
			o = &s->v[below((uint32_t)s->n)];
			if (o->type != get32(m->b + pos[0] + 12))
				break;
		}
		if (k == 8)
			return 0;
		/* the first pointer: a typed parameter of the function when the spec says so, if it
		 * opens the message (find_ptrs finds only handles the user half knows: when the first
		 * parameter went as a driver global or an adopted object, pos[0] is a later one, maybe
		 * a void *, as snd_ctl_new1's private_data) */
		put64(m->b + pos[0] + 4, o->h);
		put32(m->b + pos[0] + 12, o->type);
		put32(m->b + pos[0] + 16, o->size);
		put32(m->b + pos[0] + 20, 0);
		m->must_refuse = sp->first_typed && pos[0] == 0;
		return sp->harmless || m->must_refuse;
	}
	case C_INTERIOR:
		if (!np)
			return 0;
		i = pos[0];
		put32(m->b + i + 20, get32(m->b + i + 20) + 1 + below(7));
		m->must_refuse = sp->base_only;
		return sp->harmless || sp->base_only;
	case C_PASTEND:
		if (!np)
			return 0;
		i = pos[below((uint32_t)np)];
		put32(m->b + i + 20, get32(m->b + i + 16) + below(2) * below(1u << 20));
		m->must_refuse = 1;
		return 1;
	case C_GLOBAL: {
		uint32_t w[3] = { 2, below(KCUT_NR_GLOBALS + 2), 0 }, rty, roff;

		if (!np)
			return 0;
		/* the object the real call passed (its tracker type, the offset in it) */
		rty = get32(m->b + pos[0] + 12);
		roff = get32(m->b + pos[0] + 20);
		replace_ptr(m, pos[0], w, 3);
		m->must_refuse = sp->heap_only || w[1] >= KCUT_NR_GLOBALS ||
				 /* a typed parameter given a global of another type (rt/wire.c checks the
				  * global's type in the wire tables: the 10-million run's crash) */
				 (sp->first_typed && pos[0] == 0 && roff == 0 && !same_type(kcut_globals[w[1]].type, rty));
		return sp->harmless || m->must_refuse;
	}
	case C_REGION: {
		uint32_t w[4] = { 3, (uint32_t)rnd(), (uint32_t)rnd(), (uint32_t)rnd() };

		if (!np)
			return 0;
		replace_ptr(m, pos[below((uint32_t)np)], w, 4);
		m->must_refuse = 1;
		return 1;
	}
	case C_TRUNC:
		if (m->len < 4)
			return 0;
		m->len = 4 * below(m->len / 4);
		m->must_refuse = 1;
		return 1;
	case C_EXTEND:
		for (i = 0, m->len = r->len; i < 1 + below(4); i++, m->len += 4)
			put32(m->b + m->len, (uint32_t)rnd());
		m->must_refuse = 1;
		return 1;
	case C_OVERSIZE:
		if (m->len < 4)
			return 0;
		i = 4 * below(m->len / 4);
		put32(m->b + i, below(2) ? 0x7fffffffu : 0xfffffff0u + below(16));
		return sp->harmless;
	case C_RANDOM:
		m->len = 4 * below(MAXMSG / 16);
		for (i = 0; i < m->len; i += 4)
			put32(m->b + i, below(3) ? (uint32_t)rnd() : below(4));
		return sp->harmless;
	case C_BITFLIP:
		if (!m->len)
			return 0;
		for (i = 0; i < 1 + below(3); i++)
			m->b[below(m->len)] ^= (uint8_t)(1u << below(8));
		return sp->harmless;
	case C_FNSWAP:
		m->fn = below(KCUT_NR_DOWNCALLS);
		return m->fn != r->fn && spec[m->fn].harmless;
	case C_FNRANGE:
		m->fn = KCUT_NR_DOWNCALLS + below(1000) + (below(2) ? 0 : 0x70000000u);
		m->must_refuse = 1;
		return 1;
	case C_EMPTY:
		m->len = 0;
		m->must_refuse = r->len > 0;
		return r->len > 0;
	case C_REGIO_BAD:
		return build_regio_bad(m);
	case C_REGINFO:
		return build_reginfo(m);
	case C_NULLOUT:
		/* the kernel function stores through it: the kernel half refuses NULL (KC_WP_NONNULL) */
		m->must_refuse = 1;
		return sp->nullout[0] && sp->nullout[0] != '-' && null_out(m, sp);
	}
	return 0;
}

/* A valid-looking message for a function that prints is not sent in quiet mode. */
static int build_checked(struct msg *m, int c, const struct rec *r, const struct hset *s)
{
	if (!build(m, c, r, s))
		return 0;
	return !(quiet && !m->must_refuse && m->fn < KCUT_NR_DOWNCALLS && spec[m->fn].noisy);
}

/* Send m (nested when called inside an upcall). Returns 0, or -1 when the incarnation died. */
static int send_msg(struct kc_rt *rt, const struct msg *m)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	count(O_SENT);
	atomic_fetch_add(&ctr->by_class[m->cls][0], 1);
	if (m->must_refuse)
		count(O_MUST_REFUSE);
	atomic_fetch_add(&ctr->in_flight, 1);
	in_attack = 1;
	rc = kc_rt_call_begin(&c, &a, rt, m->fn);
	if (rc) {
		in_attack = 0;
		count(rc == KC_RT_EDEAD || rc == KC_RT_EDOWN ? O_DEAD : O_FAILED);
		atomic_fetch_sub(&ctr->in_flight, 1);
		return rc == KC_RT_EDEAD || rc == KC_RT_EDOWN ? -1 : 0;
	}
	kc_xdr_put_fixed(a, m->b, m->len);
	rc = kc_rt_call_invoke(c, &r);
	if (!rc) {
		/* skip the results: we do not know their shape */
		r->pos = r->cap;
	}
	rc = kc_rt_call_end(c, rc);
	in_attack = 0;
	atomic_fetch_sub(&ctr->in_flight, 1);
	if (msg_log)
		finding_to(msg_log, "%s %s fn %u (%s) len %u: %d", m->must_refuse ? "must-refuse" : "valid",
			   cls_names[m->cls], m->fn, m->fn < KCUT_NR_DOWNCALLS ? spec[m->fn].name : "rt", m->len, rc);
	if (rc == KC_RT_EDEAD || rc == KC_RT_EDOWN) {
		count(O_DEAD);
		return -1;
	}
	if (!rc) {
		count(O_OK);
		atomic_fetch_add(&ctr->by_class[m->cls][1], 1);
		if (m->must_refuse) {
			count(O_BAD_ACCEPTED);
			finding("accepted %s message for %s (fn %u, %u bytes)", cls_names[m->cls],
				m->fn < KCUT_NR_DOWNCALLS ? spec[m->fn].name : "?", m->fn, m->len);
		}
	} else if (m->must_refuse || rc == KC_RT_EPROTO || rc == KC_RT_ETYPE || rc == KC_RT_ERANGE ||
		   rc == KC_RT_ESTALE || rc == KC_EINVAL) {
		/* an error reply, and the incarnation lives on (a fault kills it: O_DEAD above) */
		count(O_REFUSED);
	} else {
		count(O_FAILED);
	}
	return 0;
}

static uint64_t max_msgs;

static int exhausted(void)
{
	return max_msgs && atomic_load(&ctr->o[O_SENT]) >= max_msgs;
}

/* $KCUT_HOSTILE_CLASSES (comma-separated class names, cls_names): only these classes are picked
 * (a test aimed at one check); unset: all. */
static uint32_t class_mask;

static int class_on(int c)
{
	return !class_mask || (class_mask & (1u << c));
}

static void load_classes(const char *l)
{
	int c;

	for (c = 0; l && c < C_NCLS; c++)
		if (listed(l, cls_names[c]))
			class_mask |= 1u << c;
}

/* Pick a class: mostly messages that must be refused, some replays and valid-looking ones. */
static int pick_class(void)
{
	static const int weights[C_NCLS] = {
		[C_REPLAY] = 10, [C_FORGE] = 12, [C_STALE] = 3, [C_WRONGTYPE] = 8, [C_INTERIOR] = 8,
		[C_PASTEND] = 6, [C_GLOBAL] = 6, [C_REGION] = 4, [C_TRUNC] = 8, [C_EXTEND] = 6,
		[C_OVERSIZE] = 6, [C_RANDOM] = 6, [C_BITFLIP] = 6, [C_FNSWAP] = 4, [C_FNRANGE] = 1,
		[C_EMPTY] = 4, [C_REGIO_BAD] = 6, [C_REGINFO] = 3, [C_NULLOUT] = 2,
	};
	uint32_t total = 0, x;
	int c;

	for (c = 0; c < C_NCLS; c++)
		total += class_on(c) ? (uint32_t)weights[c] : 0;
	x = below(total);
	for (c = 0; c < C_NCLS; c++) {
		if (!class_on(c))
			continue;
		if (x < (uint32_t)weights[c])
			return c;
		x -= (uint32_t)weights[c];
	}
	return C_FORGE;
}

/* Bulk mode ($KCUT_HOSTILE_RESTART_RATE = N): one message in N (on average) is of any class
 * (most of those are faults: the user half is restarted); the others are messages the protocol
 * answers with an error reply and no restart (register batches the kernel half refuses, region
 * queries of made-up ids) or valid calls that change nothing (region queries of real ids,
 * replays of harmless downcalls). */
static unsigned restart_rate;
/* $KCUT_HOSTILE_RESTART_CLASSES=early: the one-in-N messages are only of the classes the kernel
 * half refuses before it decodes any field into an object (a function id outside the table, an
 * empty message): the other restart-causing classes can leave a refused message's fields written
 * into kernel objects (docs/results.md, "partial writes"), which ends a long run early. */
static int restart_early;

static int pick_bulk(void)
{
	uint32_t x;

	if (!restart_rate)
		return pick_class();
	if (below(restart_rate) == 0)
		return restart_early ? (below(2) ? C_FNRANGE : C_EMPTY) : pick_class();
	x = below(10);
	return x < 6 ? C_REGIO_BAD : x < 8 ? C_REGINFO : C_REPLAY;
}

/* One burst of n messages; returns -1 when the incarnation died. */
static int burst(struct kc_rt *rt, unsigned n, int nested)
{
	static struct hset s; /* refreshed per burst */
	static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
	struct hset mine;
	struct msg m;
	unsigned i, tries;

	pthread_mutex_lock(&s_lock);
	s.n = 0;
	kc_objt_foreach(kc_rt_objt(rt), collect, &s);
	sort_handles(&s);
	mine = s;
	pthread_mutex_unlock(&s_lock);
	for (i = 0; i < n && !exhausted(); i++) {
		uint32_t nr = atomic_load(&nrec);
		int c = pick_bulk();

		for (tries = 0; tries < 16; tries++) {
			if (!nested && c != C_FNRANGE && c != C_EMPTY && c != C_REGIO_BAD && c != C_REGINFO) {
				/* own thread: messages refused before any argument is decoded, or
				 * runtime-served ones (region queries, refused register batches) */
				if (restart_rate && below(restart_rate))
					c = below(2) ? C_REGIO_BAD : C_REGINFO;
				else
					c = below(2) ? C_FNRANGE : C_EMPTY;
			}
			if (!nr || c == C_REGIO_BAD || c == C_REGINFO) {
				if (!nr && c != C_REGIO_BAD && c != C_REGINFO)
					c = C_FNRANGE;
				m.fn = 0;
				if (build_checked(&m, c, &(struct rec){ 0, 0, { 0 } }, &mine))
					break;
				c = pick_bulk();
				continue;
			}
			if (build_checked(&m, c, &recs[below(nr)], &mine))
				break;
			c = pick_bulk();
		}
		if (tries == 16)
			continue;
		if (!nested && m.fn < KCUT_NR_DOWNCALLS && !(c == C_EMPTY && m.must_refuse))
			continue;
		if (send_msg(rt, &m))
			return -1;
	}
	return 0;
}

/* ---- channel-level attacks (rare: each one costs a restart) ---- */

static unsigned channel_rate; /* one in channel_rate upcalls, 0: never */

/* ---- serving upcalls: a burst first, then the real handler ---- */

static unsigned burst_mean = 20;
static kc_rt_handler real_fns[KCUT_NR_UPCALLS + 2];
static const char *start_at, *stop_at, *spare;

/* Is name in the comma-separated list l? */
static int listed(const char *l, const char *name)
{
	size_t n = strlen(name);

	while (l && *l) {
		const char *e = strchr(l, ',');
		size_t k = e ? (size_t)(e - l) : strlen(l);

		if (k == n && !strncmp(l, name, n))
			return 1;
		l = e ? e + 1 : NULL;
	}
	return 0;
}

/* Attack only between the upcalls named start_at and stop_at (the runner's scenario: after the
 * device is up, until it goes down), across incarnations. */
static int attacking(unsigned id)
{
	const char *name = kcut_user_fns[id].name ? kcut_user_fns[id].name : "";

	if (id == KCUT_UP_RECOVER)
		return 0; /* let the new incarnation get its objects back */
	if (start_at && !atomic_load(&ctr->started) && !strcmp(name, start_at))
		atomic_store(&ctr->started, 1);
	if (stop_at && !strcmp(name, stop_at)) {
		struct timespec ts = { 0, 1000000 };

		atomic_store(&ctr->stopped, 1);
		/* no message of the own thread may overlap the stop upcall (it would kill this
		 * incarnation during the remove, and the remove would be lost) */
		while (atomic_load(&in_burst))
			nanosleep(&ts, NULL);
	}
	if (listed(spare, name))
		return 0; /* $KCUT_HOSTILE_SPARE: served without a burst (a stream's set-up) */
	return (!start_at || atomic_load(&ctr->started)) && !atomic_load(&ctr->stopped) && !exhausted();
}

static int hostile_serve(unsigned id, struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)
{
	if (msg_log)
		finding_to(msg_log, "upcall %s (incarnation %llu)", kcut_user_fns[id].name ? kcut_user_fns[id].name : "?",
			   (unsigned long long)atomic_load(&ctr->o[O_INCARNATIONS]));
	if (attacking(id)) {
		if (channel_rate && below(channel_rate) == 0) {
			count(O_CHANNEL);
			/* a garbage reply header or a reply longer than the slot for this upcall */
			kc_rt__test_garble_next_reply(1 + (int)below(2));
		} else if (burst(rt, below(2 * burst_mean + 1), 1)) {
			return KC_RT_EDEAD;
		}
	}
	{
		int rc = real_fns[id](rt, a, r);

		if (rc && getenv("KCUT_HOSTILE_DEBUG"))
			fprintf(stderr, "hostile: upcall %s: %s\n", kcut_user_fns[id].name, kc_rt_strerror(rc));
		return rc;
	}
}

#define W(i, j)                                                                           \
	static int w_##i##_##j(struct kc_rt *rt, struct kc_xdr *a, struct kc_xdr *r)       \
	{                                                                                  \
		return hostile_serve(8 * i + j, rt, a, r);                                 \
	}
#define W8(i) W(i, 0) W(i, 1) W(i, 2) W(i, 3) W(i, 4) W(i, 5) W(i, 6) W(i, 7)
W8(0) W8(1) W8(2) W8(3) W8(4) W8(5) W8(6) W8(7) W8(8) W8(9) W8(10) W8(11)
#define P(i, j) w_##i##_##j,
#define P8(i) P(i, 0) P(i, 1) P(i, 2) P(i, 3) P(i, 4) P(i, 5) P(i, 6) P(i, 7)
static kc_rt_handler const wrappers[96] = { P8(0) P8(1) P8(2) P8(3) P8(4) P8(5) P8(6) P8(7) P8(8) P8(9)
					    P8(10) P8(11) };
_Static_assert(KCUT_NR_UPCALLS + 1 <= 96, "more upcalls than wrappers");

/* ---- the thread of its own: messages refused before any argument is decoded ---- */

static _Atomic int stop_thread;
static unsigned thread_rate; /* one burst in thread_rate wake-ups (every 2 ms), 0: never */

static void *own_thread(void *arg)
{
	struct kc_rt *rt = arg;

	while (!atomic_load(&stop_thread) && !exhausted()) {
		struct timespec ts = { 0, 2000000 };

		if (!atomic_load(&ctr->started) || atomic_load(&ctr->stopped) || !thread_rate ||
		    below(thread_rate)) {
			nanosleep(&ts, NULL);
			continue;
		}
		atomic_fetch_add(&in_burst, 1);
		if (atomic_load(&ctr->stopped)) { /* the stop upcall began after the check above */
			atomic_fetch_sub(&in_burst, 1);
			continue;
		}
		count(O_THREAD);
		if (burst(rt, 1 + below(4), 0)) {
			atomic_fetch_sub(&in_burst, 1);
			break;
		}
		atomic_fetch_sub(&in_burst, 1);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* The stale handles: handles the real user half freed through a downcall (kfree, free_netdev):
 * collected from the recordings of deallocators (their first pointer). */
static void note_stale(void)
{
	uint32_t i, n = atomic_load(&nrec);

	for (i = 0; i < n && atomic_load(&nstale) < 64; i++) {
		const struct fnspec *sp = &spec[recs[i].fn];

		if (sp->heap_only && recs[i].len >= 12 && get32(recs[i].b) == 1)
			stale[atomic_fetch_add(&nstale, 1)] = get64(recs[i].b + 4);
	}
}

int main(void)
{
	struct kc_rt_opts opts = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	static struct kc_rt_fn fns[KCUT_NR_UPCALLS + 2];
	const char *d = getenv("KCUT_HOSTILE_DIR"), *e;
	char path[600];
	pthread_t t;
	int fd, rc;
	unsigned i;

	if (!d) {
		fprintf(stderr, "hostile user half: $KCUT_HOSTILE_DIR not set\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", d);
	snprintf(path, sizeof(path), "%s/counters", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0 || ftruncate(fd, sizeof(struct counters)))
		return 2;
	ctr = mmap(NULL, sizeof(struct counters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (ctr == MAP_FAILED)
		return 2;
	{
		/* the previous incarnation was killed with messages in flight (the one the kernel half
		 * faulted, and those other threads had sent meanwhile): each ended with the restart */
		uint64_t n = atomic_exchange(&ctr->in_flight, 0);

		atomic_fetch_add(&ctr->o[O_DEAD], n);
	}
	count(O_INCARNATIONS);
	e = getenv("KCUT_HOSTILE_SEED");
	rng_seed = (e ? strtoull(e, NULL, 0) : 1) * 0x100000001b3ull + atomic_load(&ctr->o[O_INCARNATIONS]);
	e = getenv("KCUT_HOSTILE_BURST");
	if (e)
		burst_mean = (unsigned)strtoul(e, NULL, 0);
	e = getenv("KCUT_HOSTILE_MAX");
	if (e)
		max_msgs = strtoull(e, NULL, 0);
	e = getenv("KCUT_HOSTILE_CHANNEL");
	if (e)
		channel_rate = (unsigned)strtoul(e, NULL, 0);
	e = getenv("KCUT_HOSTILE_THREAD");
	if (e)
		thread_rate = (unsigned)strtoul(e, NULL, 0);
	e = getenv("KCUT_HOSTILE_RESTART_RATE");
	if (e)
		restart_rate = (unsigned)strtoul(e, NULL, 0);
	e = getenv("KCUT_HOSTILE_RESTART_CLASSES");
	restart_early = e && !strcmp(e, "early");
	load_classes(getenv("KCUT_HOSTILE_CLASSES"));
	e = getenv("KCUT_HOSTILE_QUIET");
	quiet = e && *e && strcmp(e, "0");
	e = getenv("KCUT_HOSTILE_LOG");
	if (e && *e && strcmp(e, "0")) {
		snprintf(path, sizeof(path), "%s/messages", dir);
		msg_log = fopen(path, "a");
	}
	start_at = getenv("KCUT_HOSTILE_START_AT");
	stop_at = getenv("KCUT_HOSTILE_STOP_AT");
	spare = getenv("KCUT_HOSTILE_SPARE");
	if (!start_at)
		atomic_store(&ctr->started, 1);
	recs = calloc(MAXREC, sizeof(*recs));
	if (!recs)
		return 2;
	load_spec();
	rec_load();
	note_stale();

	for (i = 0; i < KCUT_NR_UPCALLS + 1; i++) {
		fns[i] = kcut_user_fns[i];
		real_fns[i] = fns[i].fn;
		if (fns[i].fn)
			fns[i].fn = wrappers[i];
	}
	opts.fns = fns;
	opts.nfns = KCUT_NR_UPCALLS + 1;
	opts.peer_names = kcut_user_peer_names;
	opts.npeer = 0; /* no local check of downcall ids: out-of-range ones must reach the kernel */
	opts.wire = &kcut_wire;
	kcut_tables_init();
	if (kc_rt_user_open(&kcut_rt, &opts, &err)) {
		fprintf(stderr, "hostile user half: %s\n", err.msg);
		return 2;
	}
	if (pthread_create(&t, NULL, own_thread, kcut_rt))
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
