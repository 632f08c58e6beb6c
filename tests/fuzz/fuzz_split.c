/*
 * fuzz_split.c - libFuzzer target: the kernel half of a split driver (the split simnic, built by
 * tests/fuzz/split_target.py from kcut's own output) against a user half the fuzzer writes,
 * message by message, into the real shared region (issue 14 item 2).
 *
 * In one process, no fork per input: the kernel half's generated sources, rt and the kernel
 * model are linked in; the kernel model runs (kc_km_init) and its process-context task (this
 * thread) serves the chains the "user half" starts, as rt's server threads do
 * (kc_rt_serve_chain: the kernel side's own message reading, checks, dispatch to the generated
 * handlers and replies). A second thread plays the user half's side of each chain: it answers
 * the kernel half's upcalls (nested in a downcall, or made by the recovery hook after a restart)
 * with the input's next replies, nested downcalls or raw bytes. Each input gets a fresh endpoint
 * (tracker, region table) and shared region, so an input means the same thing in every run.
 *
 * Input: a sequence of operations (all integers little-endian in the input; on the wire they
 * are whatever the bytes say):
 *
 *   op % 8 = 0, 4..7  downcall: u8 fn selector, u8 slot, u8 flags-byte, u16 len, len payload bytes
 *                     (a CALL on a user slot, served at once)
 *   op % 8 = 1        raw: u8 slot, u32 off, u32 len, u16 n, n bytes written at the slot's
 *                     message area (header included): read_msg's bounds and the header checks
 *   op % 8 = 2        ring: u8 n, n x u32 slot numbers pushed on the down ring, u8 k, k x (u8 cell,
 *                     u64 seq, u32 slot) written into the ring's cells; then up to 4 pops served
 *                     as a server thread does (range check, one slot one chain)
 *   op % 8 = 3        restart: the incarnation is faulted, a new one made, the recovery hook run
 *                     (its upcalls answered from the input)
 *
 * Answers of the user-half thread to an upcall (one byte b, then):
 *   b % 4 = 0, 1      reply: u8 status selector, u16 len, len payload bytes (a status other than
 *                     0 with bytes is a protocol violation the kernel half must catch)
 *   b % 4 = 2         nested downcall: as the downcall operation, written above the upcall
 *   b % 4 = 3         raw bytes: u32 off, u32 len, u16 n, n bytes; handed over as a message
 *   input exhausted   reply with status KC_EIO
 *
 * Handle tokens: an 8-byte big-endian word of a payload whose top 16 bits are 0x6b63 ("kc") is
 * replaced by the handle of a live object of the kernel's tracker (low byte modulo their number,
 * in index order), so inputs can name objects that earlier operations made (kmalloc,
 * alloc_etherdev_mqs ...) although handles are random per endpoint.
 *
 * What it detects: ASan / UBSan reports and kernel-model BUGs (they abort); and the kernel half's
 * invariants, checked after every served chain (abort on violation): a chain that ended without
 * a fault leaves a well-formed REPLY for the call (its id and function, no bytes with an error
 * status) and the turn with the user half; its slot is free to be served again; a fault leaves
 * the incarnation dead (never half alive).
 *
 * Left out (KCUT_FUZZ_SKIP in split_target.py, each with its reason): downcalls that end the
 * kernel model on purpose (__kc_bug: the user half's BUG() crosses and the kernel half obeys,
 * see docs/results.md) or that need a device (register access through hw_addr, which this world
 * never maps: the kernel model stops at the first such access).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"
#include "kmodel.h"
#include "kcut_ids.h"

/* ---- the kernel half (generated, linked in) ---- */

extern struct kc_rt *kcut_rt;
extern const struct kc_rt_fn kcut_kernel_fns[];
extern const unsigned int kcut_kernel_nfns;
extern const char *const kcut_kernel_peer_names[];
extern const struct kc_wire_tables kcut_wire;
void kcut_tables_init(void);

/* the kernel model's functions this harness calls on what the inputs left behind */
struct net_device;
void kfree(const void *p);
void free_netdev(struct net_device *dev);
void unregister_netdev(struct net_device *dev);

#ifndef KCUT_FUZZ_SKIP
#define KCUT_FUZZ_SKIP ""
#endif
#define KCUT_FUZZ_NETDEV_TYPE KCUT_T_net_device

/* ---- the input ---- */

static const uint8_t *in_p;
static size_t in_n, in_pos;

static int in_left(void)
{
	return in_pos < in_n;
}

static uint32_t in_u8(void)
{
	return in_pos < in_n ? in_p[in_pos++] : 0;
}

static uint32_t in_u16(void)
{
	uint32_t v = in_u8();

	return v | in_u8() << 8;
}

static uint32_t in_u32(void)
{
	uint32_t v = in_u16();

	return v | in_u16() << 16;
}

static uint64_t in_u64(void)
{
	uint64_t v = in_u32();

	return v | (uint64_t)in_u32() << 32;
}

/* Copy up to n input bytes to dst (fewer when the input ends); returns how many. */
static uint32_t in_bytes(uint8_t *dst, uint32_t n)
{
	uint32_t k = in_n - in_pos < n ? (uint32_t)(in_n - in_pos) : n;

	memcpy(dst, in_p + in_pos, k);
	in_pos += k;
	return k;
}

/* ---- the world ---- */

static struct kc_rt *krt;
static struct kc_conn *conn;
static unsigned incarnation;
static uint8_t skip[1024];   /* downcall ids left out (KCUT_FUZZ_SKIP) */
static uint32_t next_id = 1;
static int trace; /* $KCUT_FUZZ_TRACE: what each served chain answered (stderr) */
static int strict; /* $KCUT_FUZZ_STRICT: a refused message must not have changed any object */
static int known_run; /* $KCUT_FUZZ_KNOWN: replaying the known-bug inputs: nothing masked */
static _Atomic unsigned answers; /* upcalls the user thread answered */

static struct kc_slot *slot_of(uint32_t i)
{
	return kc_chan_slot(conn->base, &krt->g, i);
}

static void conn_new(void)
{
	struct kc_conn *c = kc_os_zalloc(sizeof(*c));

	if (!c || kc_os_shm_create(&c->memfd, &c->base, krt->g.size))
		abort();
	atomic_store(&c->refs, 1);
	c->size = krt->g.size;
	c->pidfd = -1;
	c->pid = 0; /* no process: kc_conn_kill's SIGKILL goes nowhere */
	kc_chan_init(c->base, &krt->g);
	c->region_id = 0x5eed0000u + ++incarnation;
	((struct kc_chan_hdr *)c->base)->region_id = c->region_id;
	c->incarnation = incarnation;
	kc_os_lock(krt->lock);
	krt->conn = c;
	kc_os_unlock(krt->lock);
	atomic_store(&krt->incarnations, incarnation);
	conn = c;
}

static void conn_drop(void)
{
	kc_os_lock(krt->lock);
	krt->conn = NULL;
	kc_os_unlock(krt->lock);
	kc_conn_put(krt, conn);
	conn = NULL;
}

/* ---- handle tokens ---- */

static uint64_t live[4096];
static size_t nlive;

static int collect(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	(void)arg;
	(void)o;
	if (nlive < sizeof(live) / sizeof(live[0]))
		live[nlive++] = h;
	return 0;
}

static int by_index(const void *a, const void *b)
{
	uint32_t x = (uint32_t)*(const uint64_t *)a, y = (uint32_t)*(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void subst_handles(uint8_t *b, uint32_t len)
{
	uint32_t i;

	nlive = 0;
	kc_objt_foreach(krt->objt, collect, NULL);
	if (!nlive)
		return;
	qsort(live, nlive, sizeof(live[0]), by_index);
	for (i = 0; i + 8 <= len; i += 4) {
		if (b[i] == 0x6b && b[i + 1] == 0x63) {
			uint64_t h = live[b[i + 7] % nlive];
			int k;

			for (k = 0; k < 8; k++)
				b[i + k] = (uint8_t)(h >> (56 - 8 * k));
		}
	}
}

/* ---- messages ---- */

static uint32_t pick_fn(uint32_t sel)
{
	uint32_t n = kcut_kernel_nfns, fn;

	switch (sel) {
	case 0xf0: return KC_RT_FN_REGIO;
	case 0xf1: return KC_RT_FN_REGINFO;
	case 0xf2: return KC_RT_FN_PING;
	case 0xf3: return in_u32();
	default: break;
	}
	fn = sel % (n + 2); /* n and n + 1: ids outside the table */
	if (fn < n && fn < sizeof(skip) && skip[fn])
		fn = n; /* left out: sent as an unknown id instead */
	return fn;
}

/* Write a CALL built from the input at off in slot s; returns its id (0: no room). */
static uint32_t put_call(struct kc_slot *s, uint32_t off)
{
	uint32_t fn = pick_fn(in_u8());
	uint32_t flags = in_u8();
	uint32_t len = in_u16(), room, id = next_id++;
	uint8_t *p;

	if (off > krt->g.slot_bytes - KC_MSG_HDR)
		return 0;
	room = krt->g.slot_bytes - off - KC_MSG_HDR;
	if (len > room)
		len = room;
	p = s->msg + off + KC_MSG_HDR;
	len = in_bytes(p, len);
	subst_handles(p, len);
#ifdef KCUT_FUZZ_QCAP_FN
	/* alloc_etherdev_mqs(priv, txqs, rxqs): the kernel half bounds priv but not the queue
	 * counts, and encodes the private area as the driver's adapter whatever its size (both found
	 * by this target, open: docs/results.md); here the counts are capped at 64 and priv raised to
	 * at least 64 KiB, so the fuzzer gets past them */
	if (fn == KCUT_FUZZ_QCAP_FN && len >= 12 && !known_run) {
		uint32_t k;

		if (((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) < 65536)
			p[0] = 0, p[1] = 1, p[2] = 0, p[3] = 0;
		for (k = 4; k <= 8; k += 4)
			if (((uint32_t)p[k] << 24 | (uint32_t)p[k + 1] << 16 | (uint32_t)p[k + 2] << 8 | p[k + 3]) > 64)
				p[k] = p[k + 1] = p[k + 2] = 0, p[k + 3] = 64;
	}
#endif
	/* flags: mostly 0 (a user half may not set any: the kernel half refuses them) */
	kc_rt_msg_put_hdr(s->msg + off, KC_MSG_CALL, id, fn, (flags & 0xf0) == 0xf0 ? flags & 3 : 0, 0, len);
	s->off = off;
	s->len = KC_MSG_HDR + len;
	return id;
}

/* Raw message bytes and raw off/len words. */
static void put_raw(struct kc_slot *s, uint32_t at)
{
	uint32_t off = in_u32(), len = in_u32(), n = in_u16();

	if (at > krt->g.slot_bytes)
		at = krt->g.slot_bytes;
	if (n > krt->g.slot_bytes - at)
		n = krt->g.slot_bytes - at;
	in_bytes(s->msg + at, n);
	s->off = off;
	s->len = len;
}

static void hand_to_kernel(struct kc_slot *s)
{
	atomic_store(&s->turn, KC_TURN_KERNEL);
	if (atomic_load(&s->waiting[KC_SIDE_KERNEL]))
		kc_os_futex_wake((uint32_t *)&s->turn, 1);
}

/* User side: wait until the slot's turn is the user's (1) or the incarnation is dead (0). */
static int wait_user(struct kc_conn *c, struct kc_slot *s)
{
	for (;;) {
		uint32_t t = atomic_load(&s->turn);

		if ((t & KC_TURN_MASK) == KC_TURN_USER)
			return 1;
		if (t == KC_TURN_DEAD || atomic_load(&c->dead))
			return 0;
		atomic_store(&s->waiting[KC_SIDE_USER], 1);
		if (atomic_load(&s->turn) == t)
			kc_os_futex_wait((uint32_t *)&s->turn, t, 1000000ull);
		atomic_store(&s->waiting[KC_SIDE_USER], 0);
	}
}

/* ---- the user-half thread: answers upcalls ---- */

static pthread_mutex_t u_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t u_cond = PTHREAD_COND_INITIALIZER;
static int u_active;      /* the kernel side is serving or making calls: answer upcalls */
static int u_idle = 1;    /* the thread is not looking at the region */
static int u_quit;
static uint32_t u_slot;   /* the slot of the chain being served (user range), or ~0 */

static const int32_t statuses[] = { 0, 0, 0, KC_EINVAL, KC_EIO, KC_RT_EPROTO, KC_RT_ESTALE, KC_ENOMEM };

/* Answer the upcall CALL m (at off in slot s) with the input's next answers, until it is
 * replied to; nested calls of the kernel half in between are answered recursively. Returns 0,
 * or -1 when the incarnation died. */
static int answer(struct kc_conn *c, struct kc_slot *s, const struct kc_rt_msg *m, uint32_t off, int depth)
{
	uint32_t top = off + KC_MSG_HDR + m->len, call_id = m->id, call_fn = m->fn;

	atomic_fetch_add(&answers, 1);

	for (;;) {
		uint32_t b = in_left() ? in_u8() : 0xff, above = (top + 7u) & ~7u;

		if (!in_left() || depth > 8 || b == 0xff || b % 4 < 2) {
			/* reply (error when the input ended) */
			uint32_t sel = in_left() ? in_u8() : 0xff, len = in_left() ? in_u16() : 0, room;
			int32_t st = sel == 0xff ? KC_EIO : statuses[sel % 8];

			if (sel != 0xff && (sel & 0x80))
				st = (int32_t)in_u32(); /* any status word */
			room = krt->g.slot_bytes - off - KC_MSG_HDR;
			if (len > room)
				len = room;
			len = in_bytes(s->msg + off + KC_MSG_HDR, len);
			subst_handles(s->msg + off + KC_MSG_HDR, len);
			kc_rt_msg_put_hdr(s->msg + off, KC_MSG_REPLY, (sel & 0x40) && sel != 0xff ? call_id + 1 : call_id,
					  call_fn, 0, st, len);
			s->off = off;
			s->len = KC_MSG_HDR + len;
			hand_to_kernel(s);
			return 0;
		}
		if (b % 4 == 2) {
			/* a nested downcall above the upcall's message */
			uint32_t id = put_call(s, above);

			if (!id) {
				continue;
			}
			hand_to_kernel(s);
		} else {
			put_raw(s, above);
			hand_to_kernel(s);
		}
		/* the kernel half's answer: the reply to our call, or a nested upcall */
		for (;;) {
			struct kc_rt_msg r;
			uint32_t roff = s->off, rlen = s->len;

			if (!wait_user(c, s))
				return -1;
			roff = s->off;
			rlen = s->len;
			if (roff > krt->g.slot_bytes || rlen > krt->g.slot_bytes - roff ||
			    kc_rt_msg_parse(&r, s->msg + roff, rlen))
				abort(); /* the kernel half wrote a malformed message */
			if (r.kind == KC_MSG_CALL) {
				if (answer(c, s, &r, roff, depth + 1))
					return -1;
				continue;
			}
			break; /* a reply: ours (or one to a raw message): go on answering */
		}
	}
}

static void *user_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&u_lock);
	for (;;) {
		struct kc_conn *c;
		struct kc_chan_hdr *h;
		uint32_t sl;
		int64_t up;

		while (!u_active && !u_quit) {
			u_idle = 1;
			pthread_cond_broadcast(&u_cond);
			pthread_cond_wait(&u_cond, &u_lock);
		}
		if (u_quit)
			break;
		u_idle = 0;
		c = conn;
		sl = u_slot;
		pthread_mutex_unlock(&u_lock);
		h = c->base;
		/* a fresh upcall chain (the recovery hook) comes through the up ring */
		up = kc_ring_pop(&h->up);
		if (up >= 0 && up < krt->g.nk) {
			struct kc_slot *s = slot_of((uint32_t)up);
			struct kc_rt_msg m;

			if (wait_user(c, s)) {
				if (s->off > krt->g.slot_bytes || s->len > krt->g.slot_bytes - s->off ||
				    kc_rt_msg_parse(&m, s->msg + s->off, s->len) || m.kind != KC_MSG_CALL)
					abort();
				answer(c, s, &m, s->off, 0);
			}
		} else if (sl != ~0u) {
			struct kc_slot *s = slot_of(sl);
			uint32_t t = atomic_load(&s->turn);
			struct kc_rt_msg m;

			if ((t & KC_TURN_MASK) == KC_TURN_USER && !atomic_load(&c->dead) && s->off <= krt->g.slot_bytes &&
			    s->len <= krt->g.slot_bytes - s->off && !kc_rt_msg_parse(&m, s->msg + s->off, s->len) &&
			    m.kind == KC_MSG_CALL)
				answer(c, s, &m, s->off, 0);
			else if ((t & KC_TURN_MASK) != KC_TURN_USER && t != KC_TURN_DEAD) {
				atomic_store(&s->waiting[KC_SIDE_USER], 1);
				if (atomic_load(&s->turn) == t)
					kc_os_futex_wait((uint32_t *)&s->turn, t, 200000ull);
				atomic_store(&s->waiting[KC_SIDE_USER], 0);
			}
			else
				sched_yield();
		} else {
			kc_os_futex_wait((uint32_t *)&h->up.seq, atomic_load(&h->up.seq), 200000ull);
		}
		pthread_mutex_lock(&u_lock);
	}
	pthread_mutex_unlock(&u_lock);
	return NULL;
}

/* Let the user thread answer (slot: the user slot whose chain the kernel serves, ~0: none). */
static void user_on(uint32_t slot)
{
	pthread_mutex_lock(&u_lock);
	u_slot = slot;
	u_active = 1;
	pthread_cond_broadcast(&u_cond);
	pthread_mutex_unlock(&u_lock);
}

/* Stop it and wait until it no longer looks at the region. */
static void user_off(void)
{
	pthread_mutex_lock(&u_lock);
	u_active = 0;
	while (!u_idle) {
		pthread_mutex_unlock(&u_lock);
		if (conn) {
			struct kc_chan_hdr *h = conn->base;

			/* wake it if it sleeps on a turn or the ring */
			atomic_fetch_add(&h->up.seq, 1);
			kc_os_futex_wake((uint32_t *)&h->up.seq, 1);
			if (u_slot != ~0u)
				kc_os_futex_wake((uint32_t *)&slot_of(u_slot)->turn, 1);
		}
		sched_yield();
		pthread_mutex_lock(&u_lock);
	}
	pthread_mutex_unlock(&u_lock);
}

/* ---- serving, restarts, invariants ---- */

static void restart(void)
{
	if (conn && !atomic_load(&conn->dead))
		kc_rt__fault(krt, conn, "fuzz: restart");
	conn_drop();
	conn_new();
	if (krt->o.recover) {
		user_on(~0u);
		kc_rt__recovery_thread(1);
		krt->o.recover(krt, krt->o.recover_arg, incarnation);
		kc_rt__recovery_thread(0);
		user_off();
	}
}


/* The bytes of every live tracked object, hashed (FNV-1a), in index order. */
struct snap {
	uint64_t h[4096];
	void *p[4096];
	size_t n;
};
static struct snap before, after;

static int snap_one(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	struct snap *sn = arg;
	uint64_t x = 0xcbf29ce484222325ull;
	size_t i;

	(void)h;
	if (sn->n >= 4096)
		return 1;
	for (i = 0; i < o->size; i++)
		x = (x ^ ((const uint8_t *)o->ptr)[i]) * 0x100000001b3ull;
	sn->p[sn->n] = o->ptr;
	sn->h[sn->n++] = x;
	return 0;
}

static void snap_take(struct snap *sn)
{
	sn->n = 0;
	kc_objt_foreach(krt->objt, snap_one, sn);
}

static int snap_same(const struct snap *a, const struct snap *b)
{
	size_t i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (a->p[i] == b->p[j] && a->h[i] != b->h[j])
				return 0;
	return 1;
}

/* Serve the chain on user slot sl (popped by "a server thread") and check what it left. */
static void serve(uint32_t sl, uint32_t id, uint32_t fn, int check)
{
	struct kc_slot *s = slot_of(sl);
	struct kc_rt_msg m;

	if (atomic_exchange(&conn->serving[sl - krt->g.nk], 1)) {
		kc_rt__fault(krt, conn, "fuzz: slot being served");
		return;
	}
	unsigned a0 = atomic_load(&answers);

	if (strict)
		snap_take(&before);
	user_on(sl);
	kc_rt_serve_chain(krt, conn, sl);
	user_off();
	if (atomic_load(&conn->dead)) {
		if (trace)
			fprintf(stderr, "fuzz_split: fn %u: fault: %s\n", fn, krt->last_fault);
		/* a message the kernel half refused (no upcall ran in between, so no kernel code
		 * did its own work) must have changed no object */
		if (strict && atomic_load(&answers) == a0) {
			snap_take(&after);
			if (!snap_same(&before, &after)) {
				fprintf(stderr, "fuzz_split: fn %u was refused (%s) but changed a kernel object\n", fn,
					krt->last_fault);
				abort();
			}
		}
		return; /* a fault: the incarnation is dead, never half alive */
	}
	if (atomic_load(&conn->serving[sl - krt->g.nk]))
		abort(); /* the chain ended and its slot is still marked served */
	if ((atomic_load(&s->turn) & KC_TURN_MASK) != KC_TURN_USER)
		abort(); /* ended without handing the slot back */
	if (s->off > krt->g.slot_bytes || s->len > krt->g.slot_bytes - s->off ||
	    kc_rt_msg_parse(&m, s->msg + s->off, s->len) || m.kind != KC_MSG_REPLY)
		abort(); /* no well-formed reply */
	if (check && (m.id != id || m.fn != fn || (m.status && m.len) || s->off != 0))
		abort(); /* a reply to another call */
	if (trace)
		fprintf(stderr, "fuzz_split: fn %u (%s): status %d, %u bytes of results, %zu live objects\n", fn,
			fn < kcut_kernel_nfns ? kcut_kernel_fns[fn].name : "-", m.status, m.len,
			kc_objt_count(krt->objt));
}

static void op_downcall(void)
{
	uint32_t sl = krt->g.nk + in_u8() % krt->g.nu, id;
	struct kc_slot *s = slot_of(sl);
	struct kc_rt_msg m;

	id = put_call(s, 0);
	if (!id || kc_rt_msg_parse(&m, s->msg, s->len))
		return;
	atomic_store(&s->turn, KC_TURN_KERNEL);
	serve(sl, id, m.fn, !m.flags);
}

static void op_raw(void)
{
	uint32_t sl = krt->g.nk + in_u8() % krt->g.nu;
	struct kc_slot *s = slot_of(sl);

	put_raw(s, 0);
	atomic_store(&s->turn, KC_TURN_KERNEL);
	serve(sl, 0, 0, 0);
}

static void op_ring(void)
{
	struct kc_chan_hdr *h = conn->base;
	uint32_t n = in_u8() % 8, k, i;

	for (i = 0; i < n; i++)
		kc_ring_push(&h->down, in_u32());
	k = in_u8() % 4;
	for (i = 0; i < k; i++) {
		uint32_t cell = in_u8() % KC_RING_CAP;

		atomic_store(&h->down.cells[cell].seq, in_u64());
		h->down.cells[cell].slot = in_u32();
	}
	for (i = 0; i < 4 && !atomic_load(&conn->dead); i++) {
		int64_t si = kc_ring_pop(&h->down);

		if (si < 0)
			break;
		if (si < krt->g.nk || si >= krt->g.nk + krt->g.nu) {
			kc_rt__fault(krt, conn, "user half queued a slot it does not own");
			break;
		}
		serve((uint32_t)si, 0, 0, 0);
	}
}

/* What an input left behind goes with its endpoint: allocations made for the user half
 * (kfree), net_devices (unregistered, freed). */
struct leftover {
	void *p;
	uint32_t type;
	unsigned flags;
};
static struct leftover left[4096];
static size_t nleft;

static int collect_left(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	(void)arg;
	(void)h;
	if (nleft < sizeof(left) / sizeof(left[0]))
		left[nleft++] = (struct leftover){ o->ptr, o->type, o->flags };
	return 0;
}

static void world_free(void)
{
	size_t i;
	struct net_device *nd;

	/* unregistering may call the driver's stop function, an upcall: answered with errors */
	in_pos = in_n;
	user_on(~0u);
	while ((nd = kc_km_netdev_at(0)))
		unregister_netdev(nd);
	user_off();
	nleft = 0;
	kc_objt_foreach(krt->objt, collect_left, NULL);
	kcut_rt = NULL; /* the free hooks of kfree & co. have no endpoint to tell */
	for (i = 0; i < nleft; i++) {
		if (left[i].type == KCUT_FUZZ_NETDEV_TYPE)
			free_netdev(left[i].p);
		else if (left[i].flags & KC_OBJT_F_HEAP)
			kfree(left[i].p);
	}
	conn_drop();
	kc_rt__free(krt);
	krt = NULL;
}

static void log_sink(void *arg, const char *line)
{
	(void)arg;
	(void)line;
}

static pthread_t u_thread;

static void setup_once(void)
{
	static int done;
	struct kc_km_config cfg = { .panic_on_bug = true, .log_to_stderr = false };
	struct kc_err err = { 0 };
	const char *p = KCUT_FUZZ_SKIP;

	if (done)
		return;
	done = 1;
	if (kc_km_init(&cfg, &err)) {
		fprintf(stderr, "fuzz_split: %s\n", err.msg);
		abort();
	}
	trace = getenv("KCUT_FUZZ_TRACE") != NULL;
	strict = getenv("KCUT_FUZZ_STRICT") != NULL;
	known_run = getenv("KCUT_FUZZ_KNOWN") != NULL;
	if (!getenv("KCUT_FUZZ_LOG"))
		kc_km_set_log(log_sink, NULL);
	kcut_tables_init();
	/* KCUT_FUZZ_SKIP: "id,id,..." */
	while (*p) {
		unsigned long id = strtoul(p, (char **)&p, 10);

		if (id < sizeof(skip))
			skip[id] = 1;
		while (*p == ',')
			p++;
	}
	if (pthread_create(&u_thread, NULL, user_main, NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	unsigned bugs;
	int ops = 0;

	setup_once();
	o.fns = kcut_kernel_fns;
	o.nfns = kcut_kernel_nfns;
	o.peer_names = kcut_kernel_peer_names;
	o.wire = &kcut_wire;
	o.recover = kc_wire_recover_hook;
	o.call_timeout_ms = 10; /* a chain the "user half" never answers (a slot queued without its turn) ends soon */
	o.spin_us = 0;
	if (kc_rt__setup(&krt, KC_SIDE_KERNEL, &o, &err))
		abort();
	kcut_rt = krt;
	incarnation = 0;
	conn_new();
	in_p = data;
	in_n = size;
	in_pos = 0;
	bugs = kc_km_bug_count();
	while (in_left() && ops++ < 64) {
		switch (in_u8() % 8) {
		case 1: op_raw(); break;
		case 2: op_ring(); break;
		case 3: restart(); break;
		default: op_downcall(); break;
		}
		if (atomic_load(&conn->dead))
			restart(); /* as the supervisor does after a fault */
		if (kc_km_bug_count() != bugs)
			abort(); /* a BUG of the kernel model from a user-half message */
	}
	world_free();
	return 0;
}
