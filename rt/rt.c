/*
 * rt.c - the call machinery shared by both halves: begin/invoke/end of a call, serving the
 * peer's calls while waiting (nesting, LRPC style), waiting for a slot's turn with adaptive
 * spinning, incarnation references, and the buffer pool.
 *
 * A thread that runs inside a chain keeps a `struct chain` on its thread-local stack: a call
 * begun while the thread serves the peer's call reuses that chain's slot (the nested case);
 * otherwise the call starts a new chain. Waiting spins while the peer's thread is running on
 * the chain (or, for a fresh upcall, while a user worker is spinning on the ring) for at most
 * spin_us, then sleeps on the slot's futex word. The kernel side bounds every wait by the call
 * timeout and treats every malformed message as a fault of the user half. Messages of one chain
 * stack in its slot (struct chain.top), so nothing a pending handler still reads is overwritten.
 */
#include "combolock.h"
#include "objt_internal.h"
#include "rt_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct chain {
	struct kc_rt *rt;
	struct kc_conn *conn;
	uint32_t slot;
	int64_t serving_fn; /* own function being served at the innermost level, or -1 */
	int64_t waiting_fn; /* peer function whose reply is awaited, or -1 */
	uint32_t top;       /* end of the message this thread serves (nested calls go above) */
	struct chain *prev;
	uint64_t deadline;  /* kernel side: the whole chain must end by then (0: not set yet) */
};

static _Thread_local struct chain *tls_chain;
static _Thread_local const char *tls_caller;
static _Thread_local int tls_garble;

/* Where a message read out of a slot goes: small ones into the inline buffer, others on the
 * heap (msgbuf_release frees). */
struct msgbuf {
	uint8_t *heap;
	uint8_t small[240];
};

struct kc_rt_call {
	struct kc_rt *rt;
	struct kc_conn *conn;
	uint32_t slot, fn, id, off;
	int nested, invoked;
	int kept;           /* lives in conn->calls[] (a chain's first call): not freed */
	struct kc_xdr args, res;
	struct msgbuf rb;   /* the reply (kernel side: always a private copy) */
	struct chain ch;
	struct chain *held; /* nested call: the chain whose top it raised over its reply (decoded in
			     * place until kc_rt_call_end, so nested calls made meanwhile go above) */
	uint32_t held_top;  /* ... and the top to restore then */
	uint8_t *back;      /* user side: the kernel half's changes that came with the reply (sync.c) */
	uint32_t nback;
	unsigned stk;       /* kernel side: stack objects tracked before it (wire.c) */
};

const char *kc_rt_strerror(int code)
{
	switch (code) {
	case KC_RT_EDEAD: return "the user half died while the call was pending";
	case KC_RT_EDOWN: return "the user half is not running";
	case KC_RT_ETIMEDOUT: return "the peer did not answer in time";
	case KC_RT_EPROTO: return "protocol violation by the peer";
	case KC_RT_ESTALE: return "stale handle";
	case KC_RT_ETYPE: return "handle of the wrong type";
	case KC_RT_ERANGE: return "offset or length outside the object";
	case KC_RT_ENOSLOT: return "too many concurrent calls";
	case KC_RT_ENULL: return "NULL pointer where the callee dereferences it";
	default: return kc_strerror(code);
	}
}

void kc_rt_trace_caller(const char *name)
{
	tls_caller = name;
}

void kc_rt__test_garble_next_reply(int mode)
{
	tls_garble = mode;
}

/* The supervisor thread while it runs the recovery hook: its calls do not wait for recovery. */
static _Thread_local int tls_recovery;

void kc_rt__recovery_thread(int on)
{
	tls_recovery = on;
}

/* Kernel side: a new chain waits while a restarted user half gets its objects back (the recovery
 * hook), so no call reaches it with its fresh, empty copies: a downcall made then would send
 * them back over the kernel's. Bounded by the call timeout; then the call goes ahead. */
static void wait_recovery(struct kc_rt *rt)
{
	uint64_t deadline;

	if (rt->side != KC_SIDE_KERNEL || tls_recovery || !atomic_load(&rt->recovering))
		return;
	deadline = kc_os_now_ns() + (uint64_t)(rt->o.call_timeout_ms ? rt->o.call_timeout_ms : 5000) * 1000000ull;
	while (atomic_load(&rt->recovering) && !atomic_load(&rt->stopping) && kc_os_now_ns() < deadline)
		kc_os_sleep_ns(200000ull);
}

/* ---- incarnations ---- */

struct kc_conn *kc_conn_get(struct kc_rt *rt)
{
	struct kc_conn *c;

	kc_os_lock(rt->lock);
	c = rt->conn;
	if (c && !atomic_load(&c->dead))
		atomic_fetch_add(&c->refs, 1);
	else
		c = NULL;
	kc_os_unlock(rt->lock);
	return c;
}

void kc_conn_put(struct kc_rt *rt, struct kc_conn *c)
{
	size_t i;

	(void)rt;
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (i = 0; i < sizeof(c->calls) / sizeof(c->calls[0]); i++)
		kc_os_free(c->calls[i]);
	kc_os_shm_unmap(c->base, c->size);
	kc_os_close(c->memfd);
	kc_os_close(c->pidfd);
	kc_os_free(c);
}

void kc_conn_kill(struct kc_rt *rt, struct kc_conn *c, const char *why)
{
	struct kc_chan_hdr *h = c->base;
	uint32_t i;

	if (atomic_exchange(&c->dead, 1))
		return;
	kc_os_lock(rt->lock);
	snprintf(rt->last_fault, sizeof(rt->last_fault), "%s", why);
	kc_os_unlock(rt->lock);
	if (rt->side == KC_SIDE_KERNEL)
		kc_os_kill(c->pid, c->pidfd);
	/* fail every pending call at once: poison the turn words and wake every sleeper */
	for (i = 0; i < rt->g.nk + rt->g.nu; i++) {
		struct kc_slot *s = kc_chan_slot(c->base, &rt->g, i);

		atomic_store(&s->turn, KC_TURN_DEAD);
		kc_os_futex_wake((uint32_t *)&s->turn, INT_MAX);
	}
	atomic_fetch_add(&h->down.seq, 1);
	kc_os_futex_wake((uint32_t *)&h->down.seq, INT_MAX);
}

/* ---- result buffers ---- */

static _Thread_local void *tls_rb;

int kc_rt_thread_buf(int on)
{
	kc_os_free(tls_rb);
	tls_rb = on ? kc_os_alloc(KC_MAX_PAYLOAD) : NULL;
	return on && !tls_rb ? KC_ENOMEM : 0;
}

void *kc_rt_pool_get(struct kc_rt *rt)
{
	void *b = atomic_exchange(&rt->pool1, NULL);

	if (b)
		return b;
	kc_os_lock(rt->lock);
	if (rt->npool)
		b = rt->pool[--rt->npool];
	kc_os_unlock(rt->lock);
	return b ? b : kc_os_alloc(KC_MAX_PAYLOAD);
}

void kc_rt_pool_put(struct kc_rt *rt, void *buf)
{
	void *none = NULL;

	if (!buf)
		return;
	/* one buffer kept outside the lock: the common case (one call at a time) takes no lock */
	if (atomic_compare_exchange_strong(&rt->pool1, &none, buf))
		return;
	kc_os_lock(rt->lock);
	if (rt->npool == rt->cappool) {
		size_t n = rt->cappool ? 2 * rt->cappool : 8;
		void **p = realloc(rt->pool, n * sizeof(*p));

		if (!p) {
			kc_os_unlock(rt->lock);
			kc_os_free(buf);
			return;
		}
		rt->pool = p;
		rt->cappool = n;
	}
	rt->pool[rt->npool++] = buf;
	kc_os_unlock(rt->lock);
}

void kc_rt_pool_free(struct kc_rt *rt)
{
	size_t i;

	kc_os_free(atomic_exchange(&rt->pool1, NULL));
	for (i = 0; i < rt->npool; i++)
		kc_os_free(rt->pool[i]);
	kc_os_free(rt->pool);
	rt->pool = NULL;
	rt->npool = rt->cappool = 0;
}

/* ---- turns ---- */

static inline uint32_t my_turn(const struct kc_rt *rt)
{
	return rt->side == KC_SIDE_KERNEL ? KC_TURN_KERNEL : KC_TURN_USER;
}

static inline uint32_t peer_turn(const struct kc_rt *rt)
{
	return rt->side == KC_SIDE_KERNEL ? KC_TURN_USER : KC_TURN_KERNEL;
}

/* Write a message's header at off in the slot and point the slot's off/len words at it: built
 * on the stack, then copied with a few wide stores. */
static void put_msg(struct kc_slot *s, uint32_t off, uint32_t kind, uint32_t id, uint32_t fn,
		    uint32_t flags, int32_t status, uint32_t payload_len)
{
	uint8_t hdr[KC_MSG_HDR];

	kc_rt_msg_put_hdr(hdr, kind, id, fn, flags, status, payload_len);
	memcpy(s->msg + off, hdr, KC_MSG_HDR);
	s->off = off;
	s->len = KC_MSG_HDR + payload_len;
}

/* Give the slot's turn to the peer (the message is already in place) and wake it if it said it
 * sleeps. The seq_cst store/load pair against wait_turn's waiting-flag store/turn load means
 * at least one side sees the other: no lost wake-up. */
static void hand_val(struct kc_rt *rt, struct kc_slot *s, uint32_t turn)
{
	int peer = !rt->side;

	atomic_store(&s->turn, turn);
	if (atomic_load(&s->waiting[peer]))
		kc_os_futex_wake((uint32_t *)&s->turn, 1);
}

static void hand(struct kc_rt *rt, struct kc_slot *s)
{
	hand_val(rt, s, peer_turn(rt));
}

/* Kernel side: the chain's deadline, set the first time the chain reads the clock (its start,
 * give or take a short spin): call_timeout_ms bounds the whole chain, nested calls included,
 * minus the time the kernel half spends serving them (chain_served). */
static uint64_t chain_deadline(struct kc_rt *rt, struct chain *ch, uint64_t now)
{
	if (!ch->deadline)
		ch->deadline = now + (uint64_t)rt->o.call_timeout_ms * 1000000ull;
	return ch->deadline;
}

/* Wait until the slot's turn is ours. Kernel side: at most until the chain's deadline; then the
 * user half is declared hung (killed) and KC_RT_ETIMEDOUT returned. KC_RT_EDEAD when the
 * incarnation died (or, user side, the kernel half shut down). */
static int wait_turn(struct kc_rt *rt, struct kc_conn *c, struct kc_slot *s, struct chain *ch)
{
	uint32_t slot = ch->slot;
	struct kc_chan_hdr *h = c->base;
	int me = rt->side, peer = !rt->side, rc = 0;
	uint32_t want = my_turn(rt), t;
	uint64_t budget = atomic_load_explicit(&rt->spin_cur, memory_order_relaxed);
	uint64_t now, spin_end, deadline;
	unsigned n = 0, slices = 0;

	/* fast path, no clock read: the turn is often ours already (a worker that popped a
	 * fresh upcall) */
	if ((atomic_load_explicit(&s->turn, memory_order_acquire) & KC_TURN_MASK) == want)
		return 0;
	spin_end = 0; /* the clock is read only once the spin has gone on for a while */
	for (;;) {
		t = atomic_load_explicit(&s->turn, memory_order_acquire);
		if ((t & KC_TURN_MASK) == want) {
			if (n)
				kc_spin_feedback(&rt->spin_cur, rt->spin_ns, budget, 1);
			return 0;
		}
		if (t == KC_TURN_DEAD || atomic_load_explicit(&c->dead, memory_order_relaxed))
			return KC_RT_EDEAD;
		if (!budget)
			break;
		/* Is the peer still running the chain (or, for a fresh upcall, spinning on the
		 * ring)? Looked at only every 64 turns of the loop: the peer writes those words
		 * on its way to answering, and reading them on every turn would pull their
		 * cache lines back and forth and slow the answer down. */
		if ((n & 63) == 63 &&
		    !atomic_load_explicit(&s->awake[peer].v, memory_order_relaxed) &&
		    !(me == KC_SIDE_KERNEL &&
		      atomic_load_explicit(&h->up.spinners, memory_order_relaxed)))
			break;
		kc_os_cpu_relax();
		if ((++n & 63) != 0)
			continue;
		if ((n & 1023) == 0)
			kc_os_yield(); /* every ~50 us of spinning: let a peer sharing our CPU run */
		if (!spin_end) {
			now = kc_os_now_ns();
			spin_end = now + budget;
			if (me == KC_SIDE_KERNEL)
				chain_deadline(rt, ch, now);
		} else if (kc_os_now_ns() > spin_end) {
			kc_spin_feedback(&rt->spin_cur, rt->spin_ns, budget, 0);
			break;
		}
	}
	atomic_store(&s->awake[me].v, 0);
	kc_stat_inc(&kc_sst(rt, slot)->sleeps);
	now = me == KC_SIDE_KERNEL ? kc_os_now_ns() : 0; /* the user side has no deadline */
	deadline = me == KC_SIDE_KERNEL ? chain_deadline(rt, ch, now) : 0;
	for (;;) {
		uint64_t slice = 50000000ull;

		atomic_store(&s->waiting[me], 1);
		t = atomic_load(&s->turn);
		if ((t & KC_TURN_MASK) == want)
			break;
		if (t == KC_TURN_DEAD || atomic_load(&c->dead)) {
			rc = KC_RT_EDEAD;
			break;
		}
		if (me == KC_SIDE_KERNEL) {
			/* kc_rt_close is stopping everything (only the supervisor's own calls, the
			 * heartbeat ping or the recovery hook, may still wait): give up */
			if (atomic_load(&rt->stopping)) {
				rc = KC_RT_EDEAD;
				break;
			}
			/* After the first slice, look at the process ourselves: the supervisor may
			 * be busy (in the recovery hook) and not notice a death for a while. */
			if (slices++) {
				if (c->pidfd >= 0 && kc_os_watch(c->pidfd, -1, 0) == 1) {
					kc_conn_kill(rt, c, "user half died");
					rc = KC_RT_EDEAD;
					break;
				}
				now = kc_os_now_ns(); /* the first time: read just above */
			}
			if (now >= deadline) {
				rc = KC_RT_ETIMEDOUT;
				break;
			}
			if (deadline - now < slice)
				slice = deadline - now;
		} else if (atomic_load(&h->shutdown)) {
			rc = KC_RT_EDEAD;
			break;
		}
		kc_os_futex_wait((uint32_t *)&s->turn, t, slice);
	}
	atomic_store(&s->waiting[me], 0);
	atomic_store(&s->awake[me].v, 1);
	return rc;
}

static void msgbuf_release(struct msgbuf *b)
{
	kc_os_free(b->heap);
	b->heap = NULL;
}

static uint8_t *msgbuf_get(struct msgbuf *b, uint32_t len)
{
	msgbuf_release(b);
	if (len <= sizeof(b->small))
		return b->small;
	b->heap = kc_os_alloc(len);
	return b->heap;
}

/* Read the message in the slot (*off: where it starts). The kernel side always works on a
 * private copy (the user half could change the region while we parse) and reads the slot's
 * offset and length words once. The user side decodes in place: later messages of the chain
 * stack above this one (or, for a reply, replace the call it answers), so the bytes stay put
 * while they are used. */
static int read_msg(struct kc_rt *rt, struct kc_slot *s, struct kc_rt_msg *m, struct msgbuf *b,
		    uint32_t *off)
{
	uint32_t o = *(volatile uint32_t *)&s->off;
	uint32_t len = *(volatile uint32_t *)&s->len;
	uint8_t *dst;
	int rc;

	*off = o;
	if (o > rt->g.slot_bytes || len < KC_MSG_HDR || len > rt->g.slot_bytes - o)
		return KC_RT_EPROTO;
	if (rt->side == KC_SIDE_USER)
		return kc_rt_msg_parse(m, s->msg + o, len);
	dst = msgbuf_get(b, len);
	if (!dst)
		return KC_ENOMEM;
	memcpy(dst, s->msg + o, len);
	rc = kc_rt_msg_parse(m, dst, len);
	return rc ? rc : m->flags ? KC_RT_EPROTO : 0;
}

static const char *peer_name(struct kc_rt *rt, int64_t fn)
{
	if (fn >= 0 && rt->o.peer_names && fn < rt->o.npeer && rt->o.peer_names[fn])
		return rt->o.peer_names[fn];
	return rt->side == KC_SIDE_KERNEL ? "(user)" : "(kernel)";
}

static const char *own_name(struct kc_rt *rt, int64_t fn)
{
	if (fn >= 0 && fn < rt->o.nfns && rt->o.fns[fn].name)
		return rt->o.fns[fn].name;
	if (fn == KC_RT_FN_SYNC)
		return "(sync)";
	if (fn == KC_RT_FN_COMBOLOCK)
		return "(combolock)";
	return fn >= 0 && rt->side == KC_SIDE_KERNEL ? kc_region__fn_name((uint32_t)fn) : NULL;
}

/* Kernel side: report a misbehaving user half (kills the incarnation). */
static void fault(struct kc_rt *rt, struct kc_conn *c, const char *why)
{
	if (rt->side == KC_SIDE_KERNEL)
		kc_rt__fault(rt, c, why);
}

void kc_rt__fault(struct kc_rt *rt, struct kc_conn *c, const char *why)
{
	if (!atomic_load(&c->dead))
		atomic_fetch_add_explicit(&rt->faults, 1, memory_order_relaxed);
	kc_conn_kill(rt, c, why);
}

/* Kernel side: the chain on the user half's slot is over (its reply is about to be handed
 * over, or it failed): the slot may be popped again. */
static void serve_done(struct kc_rt *rt, struct kc_conn *c, uint32_t slot)
{
	if (rt->side == KC_SIDE_KERNEL && slot >= rt->g.nk && slot < rt->g.nk + rt->g.nu)
		atomic_store_explicit(&c->serving[slot - rt->g.nk], 0, memory_order_release);
}

/* User side: drop the copies of objects the kernel half released (the trailer of a CALL, or of a
 * REPLY to a downcall, with KC_MSG_F_RELEASE) and shorten the payload to the arguments or results. */
static int take_releases(struct kc_rt *rt, struct kc_rt_msg *m)
{
	struct kc_xdr x;
	uint32_t n, i;

	if (m->len < 4)
		return KC_RT_EPROTO;
	kc_xdr_init_dec(&x, m->payload + m->len - 4, 4);
	n = kc_xdr_get_u32(&x);
	if (n > (m->len - 4) / 8)
		return KC_RT_EPROTO;
	m->len -= 4 + 8 * n;
	kc_xdr_init_dec(&x, m->payload + m->len, 8 * n);
	for (i = 0; i < n; i++)
		kc_objt_release(rt->objt, kc_xdr_get_u64(&x)); /* never imported: nothing to do */
	return 0;
}

/* Kernel side: append pending releases after the len bytes of arguments at payload, as many as
 * fit in cap bytes; returns the new payload length and sets *flags. */
static uint32_t put_releases(struct kc_rt *rt, uint8_t *payload, uint32_t len, uint32_t cap,
			     uint32_t *flags)
{
	struct kc_xdr x;
	size_t k, room;

	*flags = 0;
	/* (a look without the lock: a release queued meanwhile goes with the next message) */
	if (rt->side != KC_SIDE_KERNEL || !__atomic_load_n(&rt->nrel, __ATOMIC_RELAXED))
		return len;
	kc_os_lock(rt->lock);
	room = cap - len >= 4 ? (cap - len - 4) / 8 : 0;
	k = rt->nrel < room ? rt->nrel : room;
	if (k) {
		kc_xdr_init_enc(&x, payload + len, 8 * k + 4);
		__atomic_store_n(&rt->nrel, rt->nrel - k, __ATOMIC_RELAXED);
		for (size_t i = 0; i < k; i++)
			kc_xdr_put_u64(&x, rt->rel[rt->nrel + i]);
		kc_xdr_put_u32(&x, (uint32_t)k);
		len += (uint32_t)(8 * k + 4);
		*flags = KC_MSG_F_RELEASE;
	}
	kc_os_unlock(rt->lock);
	return len;
}

/* Queue released handles for the user half (the trailer of the kernel half's next call or reply). */
static int queue_release(struct kc_rt *rt, const uint64_t *h, size_t n)
{
	int rc = 0;

	kc_os_lock(rt->lock);
	for (size_t i = 0; i < n; i++) {
		if (rt->nrel == rt->caprel) {
			size_t cap = rt->caprel ? 2 * rt->caprel : 64;
			uint64_t *p = realloc(rt->rel, cap * sizeof(*p));

			if (!p) {
				rc = KC_ENOMEM; /* the user half keeps a stale copy; harmless */
				break;
			}
			rt->rel = p;
			rt->caprel = cap;
		}
		rt->rel[rt->nrel] = h[i];
		__atomic_store_n(&rt->nrel, rt->nrel + 1, __ATOMIC_RELAXED); /* put_releases looks */
	}
	kc_os_unlock(rt->lock);
	return rc;
}

/* ---- pins: a downcall handler's objects are not freed under it (objt_internal.h) ---- */

/* This thread's pins: the objects the downcall handlers it runs looked up (serve_one). */
static _Thread_local struct kc_objt_pins tls_pins;

struct kc_objt_pins *kc_rt__pins(void *arg)
{
	(void)arg;
	return &tls_pins;
}

uint32_t kc_rt__pin_begin(void)
{
	tls_pins.depth++;
	return tls_pins.n;
}

void kc_rt__pin_end(uint32_t mark)
{
	kc_objt_unpin(&tls_pins, mark);
	if (!--tls_pins.depth)
		kc_objt_pins_release(&tls_pins);
}

/* A free of the memory at [ptr, ptr + size) (size 0: the object at ptr), free_lock held: the
 * objects in it are marked dying (their handles are refused from now on) and, while downcall
 * handlers of other threads still hold one, the free waits for them, without free_lock (a handler
 * may free something itself meanwhile). The kernel model's threads may all sleep; the memory is
 * freed by the caller when this returns, so it cannot be deferred. */
static void wait_unpinned(struct kc_rt *rt, const void *ptr, size_t size)
{
	uint64_t start = 0, ns = 1000;
	int logged = 0;

	while (kc_objt_doom(rt->objt, ptr, size)) {
		uint64_t now = kc_os_now_ns();

		if (!start) {
			start = now;
		} else if (!logged && now - start > 1000000000ull) {
			kc_os_log("kcut-rt: a free of %p waits for a downcall handler that uses it", ptr);
			logged = 1;
		}
		if (rt->free_lock)
			kc_os_unlock(rt->free_lock);
		kc_os_sleep_ns(ns);
		if (ns < 1000000)
			ns *= 2;
		if (rt->free_lock)
			kc_os_lock(rt->free_lock);
	}
}

int kc_rt_obj_free(struct kc_rt *rt, const void *ptr)
{
	uint64_t h;
	size_t off, size;

	if (kc_objt_handle_of(rt->objt, &h, &off, ptr) || off != 0)
		return 0; /* not a tracked object's base: nothing crossed, nothing to tell */
	if (rt->side != KC_SIDE_KERNEL) {
		kc_objt_untrack(rt->objt, ptr);
		return 0;
	}
	if (rt->free_lock)
		kc_os_lock(rt->free_lock);
	wait_unpinned(rt, ptr, 0);
	/* again under the lock: the recovery hook reads objects under it */
	if (kc_objt_forget(rt->objt, ptr, &h, &size))
		h = 0;
	if (rt->free_lock)
		kc_os_unlock(rt->free_lock);
	if (!h)
		return 0;
	kc_sync__kchanged(rt, ptr, size); /* its address may come back (sync.c) */
	return queue_release(rt, &h, 1);
}

void kc_rt__forget_range(struct kc_rt *rt, const void *ptr, size_t size)
{
	uint64_t h[16];
	size_t n, all = 0;

	if (rt->side != KC_SIDE_KERNEL)
		return;
	wait_unpinned(rt, ptr, size);
	do {
		n = kc_objt_untrack_range(rt->objt, ptr, size, h, 16);
		queue_release(rt, h, n);
		all += n;
	} while (n == 16);
	if (all)
		kc_sync__kfreed(rt, ptr, size); /* pointers left to it go as NULL (sync.c) */
}

/* Serve the peer's call m on slot s of chain ch: run the handler, write the reply, hand the
 * turn back. park: -1 for a nested call; for the call that ends a chain (user side), 1 leaves
 * the slot parked for this worker (udrv.c) in the same hand-off, so the kernel caller's next
 * upcall can claim it without the worker touching the turn's cache line again, 0 clears it.
 * Returns 1 when it parked. */
static int serve_one(struct kc_rt *rt, struct kc_conn *c, struct kc_slot *s,
		     struct kc_rt_msg *m, uint32_t off, struct chain *ch, int park)
{
	struct kc_xdr args, res;
	int64_t saved = ch->serving_fn;
	uint32_t saved_top = ch->top, room = rt->g.slot_bytes - off - KC_MSG_HDR;
	uint32_t len = 0, rflags = 0, pin_mark = 0;
	void *rb = NULL, *own_rb = NULL;
	kc_rt_handler handler = NULL;
	int rc;

	ch->top = off + KC_MSG_HDR + m->len;
	if (m->flags & KC_MSG_F_UNMAP) {
		rc = kc_io__take_unmaps(rt, m->payload, &m->len);
		if (rc)
			goto reply;
	}
	if (m->flags & KC_MSG_F_RELEASE) {
		rc = take_releases(rt, m);
		if (rc)
			goto reply;
	}
	if (m->fn == KC_RT_FN_PING && rt->side == KC_SIDE_USER) {
		rc = 0; /* the heartbeat: answering proves a worker took the chain */
		goto reply;
	}
	if (m->fn < rt->o.nfns)
		handler = rt->o.fns[m->fn].fn;
	else if (rt->side == KC_SIDE_KERNEL)
		handler = kc_region__handler(m->fn); /* device regions: served by the runtime */
	if (!handler && rt->side == KC_SIDE_KERNEL)
		handler = kc_sync__handler(m->fn); /* the user half's changes (sync.c) */
	if (!handler && rt->side == KC_SIDE_KERNEL)
		handler = kc_combolock__handler(m->fn); /* locks both halves hold (combolock.c) */
	if (!handler) {
		if (rt->side == KC_SIDE_KERNEL) {
			fault(rt, c, "user half called unknown kernel function id");
			ch->top = saved_top;
			return 0;
		}
		rc = KC_ENOTFOUND;
		goto reply;
	}
	/* the thread's own buffer when it has one and no outer level of this thread uses it */
	own_rb = tls_rb;
	tls_rb = NULL;
	rb = own_rb ? own_rb : kc_rt_pool_get(rt);
	if (!rb) {
		rc = KC_ENOMEM;
		goto reply;
	}
	kc_stat_inc(&kc_sst(rt, ch->slot)->served);
	kc_xdr_init_dec(&args, m->payload, m->len);
	kc_xdr_init_enc(&res, rb, room); /* the reply replaces the call in the slot */
	ch->serving_fn = m->fn;
	if (rt->side == KC_SIDE_KERNEL)
		pin_mark = kc_rt__pin_begin(); /* what the handler looks up stays pinned until its reply is made */
	rc = handler(rt, &args, &res);
	if (rt->side == KC_SIDE_USER)
		kc_sync__flush(rt); /* the handler's changes to synchronized objects go first */
	if (rt->io_flush)
		rt->io_flush(rt); /* the handler's posted register writes go before its reply */
	ch->serving_fn = saved;
	if (rc > 0)
		rc = KC_EBUG;
	if (!rc && res.err)
		rc = res.err;
	if (!rc)
		len = (uint32_t)res.pos;
	if (!rc && rt->side == KC_SIDE_KERNEL) {
		uint32_t relf;

		/* the kernel half's changes to synchronized objects go back with the reply (sync.c) */
		len = kc_sync__put_back(rt, c->incarnation, rb, len, room, &rflags);
		/* and the handles it released (what the handler freed: snd_card_free's card, its
		 * private area and PCM), so that the user half's next flush does not send them */
		len = put_releases(rt, rb, len, room, &relf);
		rflags |= relf;
	}
	if (rt->side == KC_SIDE_KERNEL)
		kc_rt__pin_end(pin_mark);
reply:
	ch->top = saved_top;
	if (atomic_load(&c->dead)) {
		if (own_rb)
			tls_rb = own_rb;
		else
			kc_rt_pool_put(rt, rb);
		return 0;
	}
	if (rt->trace && rt->side == KC_SIDE_KERNEL)
		kc_trace_add(rt->trace, peer_name(rt, ch->waiting_fn), own_name(rt, m->fn),
			     (uint64_t)m->len + len);
	if (len)
		memcpy(s->msg + off + KC_MSG_HDR, rb, len);
	if (own_rb)
		tls_rb = own_rb;
	else
		kc_rt_pool_put(rt, rb);
	put_msg(s, off, KC_MSG_REPLY, m->id, m->fn, rc ? 0 : rflags, rc, len); /* last: see kc_rt_call_invoke */
	if (tls_garble == 1)
		memset(s->msg + off, 0xa5, KC_MSG_HDR / 2);
	else if (tls_garble == 2)
		s->len = 0x7fffff00u;
	tls_garble = 0;
	if (park >= 0 && rt->side == KC_SIDE_USER) { /* the reply that ends the chain */
		hand_val(rt, s, KC_TURN_KERNEL | (park ? KC_TURN_PARKED : 0));
	} else {
		if (park >= 0)
			serve_done(rt, c, ch->slot); /* before the hand-off: the slot is free after it */
		hand(rt, s);
	}
	return park > 0 && rt->side == KC_SIDE_USER;
}

void kc_rt_serve_chain(struct kc_rt *rt, struct kc_conn *c, uint32_t slot)
{
	kc_rt_serve_chain_park(rt, c, slot, 0);
}

int kc_rt_serve_chain_park(struct kc_rt *rt, struct kc_conn *c, uint32_t slot, int park)
{
	struct kc_slot *s = kc_chan_slot(c->base, &rt->g, slot);
	struct chain ch = { rt, c, slot, -1, -1, 0, tls_chain, 0 };
	struct kc_rt_msg m;
	struct msgbuf b;
	uint32_t off;
	int rc, parked = 0, replied = 0;

	b.heap = NULL;
	tls_chain = &ch;
	if (!atomic_load_explicit(&s->awake[rt->side].v, memory_order_relaxed))
		atomic_store(&s->awake[rt->side].v, 1);
	rc = wait_turn(rt, c, s, &ch);
	if (rc == KC_RT_ETIMEDOUT)
		fault(rt, c, "user half did not answer within the call timeout");
	if (rc)
		goto out;
	rc = read_msg(rt, s, &m, &b, &off);
	if (rc || m.kind != KC_MSG_CALL) {
		fault(rt, c, "malformed call from the user half");
		goto out;
	}
	parked = serve_one(rt, c, s, &m, off, &ch, park);
	replied = 1;
	if (!parked) /* a parked worker stays awake on the slot (udrv.c clears it on leaving) */
		atomic_store(&s->awake[rt->side].v, 0);
out:
	if (!replied)
		serve_done(rt, c, slot);
	msgbuf_release(&b);
	tls_chain = ch.prev;
	return parked;
}

/* ---- calls ---- */

static int call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt,
		      uint32_t fn);

/* Slot of this thread's last chain: tried first, so a thread keeps its slot (and the user
 * worker parked there) from one upcall to the next. */
static _Thread_local uint32_t tls_slot_hint;

/* Claim a free slot of this side's range (lock-free: the busy bytes live in private memory and
 * are taken by exchange). Returns the index in the range, or -1 when all are busy. */
static int64_t slot_claim(struct kc_conn *c, uint32_t n)
{
	uint32_t k, i = tls_slot_hint < n ? tls_slot_hint : 0;

	for (k = 0; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
		if (atomic_load_explicit(&c->busy[i], memory_order_relaxed))
			continue;
		if (!atomic_exchange_explicit(&c->busy[i], 1, memory_order_acquire)) {
			tls_slot_hint = i;
			return i;
		}
	}
	return -1;
}

int kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	*out = NULL;
	*args = NULL;
	if ((rt->o.npeer && fn >= rt->o.npeer) || fn == KC_RT_FN_PING)
		return KC_EINVAL;
	if (rt->side == KC_SIDE_USER)
		kc_sync__flush(rt); /* the user half's changes to synchronized objects, then */
	if (rt->io_flush)
		rt->io_flush(rt); /* this thread's posted register writes cross first */
	if (!tls_chain || tls_chain->rt != rt)
		wait_recovery(rt);
	return call_begin(out, args, rt, fn);
}

int kc_rt__call_begin_rt(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt,
			 uint32_t fn)
{
	*out = NULL;
	*args = NULL;
	if (rt->side != KC_SIDE_USER || (fn != KC_RT_FN_REGIO && fn != KC_RT_FN_REGINFO && fn != KC_RT_FN_SYNC &&
					 fn != KC_RT_FN_COMBOLOCK))
		return KC_EINVAL;
	return call_begin(out, args, rt, fn);
}

/* kc_rt_call_begin without the function id check (the ping uses it too). */
static int call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	struct kc_rt_call *c;
	struct kc_conn *conn;
	struct kc_slot *s;
	uint32_t base, n, off = 0;
	int64_t i;

	if (tls_chain && tls_chain->rt == rt) {
		/* nested: the chain's slot, above the message this thread serves */
		conn = tls_chain->conn;
		if (atomic_load(&conn->dead))
			return KC_RT_EDEAD;
		off = (tls_chain->top + 7u) & ~7u;
		if (off > rt->g.slot_bytes - KC_MSG_HDR)
			return KC_ENOMEM; /* nested too deep with too large messages */
		c = kc_os_alloc(sizeof(*c));
		if (!c)
			return KC_ENOMEM;
		atomic_fetch_add(&conn->refs, 1);
		c->nested = 1;
		c->kept = 0;
		c->slot = tls_chain->slot;
	} else {
		conn = kc_conn_get(rt);
		if (!conn)
			return KC_RT_EDOWN;
		base = rt->side == KC_SIDE_KERNEL ? 0 : rt->g.nk;
		n = rt->side == KC_SIDE_KERNEL ? rt->g.nk : rt->g.nu;
		i = slot_claim(conn, n);
		if (i < 0) {
			kc_conn_put(rt, conn);
			return KC_RT_ENOSLOT;
		}
		c = conn->calls[i];
		if (!c) {
			c = kc_os_alloc(sizeof(*c));
			if (!c) {
				atomic_store_explicit(&conn->busy[i], 0, memory_order_release);
				kc_conn_put(rt, conn);
				return KC_ENOMEM;
			}
			conn->calls[i] = c;
		}
		c->nested = 0;
		c->kept = 1;
		c->slot = base + (uint32_t)i;
	}
	c->rt = rt;
	c->conn = conn;
	c->fn = fn;
	c->id = 0;
	c->off = off;
	c->invoked = 0;
	c->held = NULL;
	c->back = NULL;
	c->nback = 0;
	c->stk = rt->side == KC_SIDE_KERNEL ? kc_wire__stack_mark() : 0;
	c->rb.heap = NULL;
	s = kc_chan_slot(conn->base, &rt->g, c->slot);
	kc_xdr_init_enc(&c->args, s->msg + off + KC_MSG_HDR, rt->g.slot_bytes - off - KC_MSG_HDR);
	kc_xdr_init_dec(&c->res, NULL, 0);
	*out = c;
	*args = &c->args;
	return 0;
}

int kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res)
{
	struct kc_rt *rt = c->rt;
	struct kc_conn *cn = c->conn;
	struct kc_chan_hdr *h = cn->base;
	struct kc_slot *s = kc_chan_slot(cn->base, &rt->g, c->slot);
	struct chain *ch;
	int64_t saved_wait;
	const char *caller = NULL;
	uint32_t len, flags;
	uint64_t bytes;
	int rc;

	*res = &c->res;
	kc_xdr_init_dec(&c->res, NULL, 0);
	if (c->invoked)
		return KC_EINVAL;
	c->invoked = 1;
	if (c->args.err)
		return c->args.err; /* arguments larger than a slot */
	len = (uint32_t)c->args.pos;
	bytes = len;
	len = put_releases(rt, s->msg + c->off + KC_MSG_HDR, len,
			   rt->g.slot_bytes - c->off - KC_MSG_HDR, &flags);
	len = kc_region__put_unmaps(rt, s->msg + c->off + KC_MSG_HDR, len,
				    rt->g.slot_bytes - c->off - KC_MSG_HDR, &flags);
	c->id = atomic_fetch_add(&rt->next_id, 1) + 1;
	if (c->nested) {
		ch = tls_chain;
	} else {
		ch = &c->ch;
		*ch = (struct chain){ rt, cn, c->slot, -1, -1, 0, tls_chain, 0 };
		tls_chain = ch;
	}
	if (rt->trace) {
		caller = own_name(rt, ch->serving_fn);
		if (!caller)
			caller = tls_caller ? tls_caller : "(kernel)";
	}
	saved_wait = ch->waiting_fn;
	ch->waiting_fn = c->fn;
	if (c->fn == KC_RT_FN_PING)
		kc_stat_inc(&kc_sst(rt, c->slot)->pings);
	else if (c->nested)
		kc_stat_inc(&kc_sst(rt, c->slot)->nested);
	else
		kc_stat_inc(&kc_sst(rt, c->slot)->chains);
	if (!c->nested)
		atomic_store_explicit(&s->awake[rt->side].v, 1, memory_order_release); /* a hint */
	/* Header, offset and length last, right before the hand-off: they share the turn word's
	 * cache line, which a spinning peer keeps pulling back; the fewer instructions between
	 * the first store to it and the hand-off, the fewer times it moves. */
	put_msg(s, c->off, KC_MSG_CALL, c->id, c->fn, flags, 0, len);
	if (tls_garble == 4 || tls_garble == 5) { /* test hook: a hostile call (rt_internal.h) */
		if (tls_garble == 4)
			memset(s->msg + c->off, 0xa5, KC_MSG_HDR / 2);
		else
			s->len = 0x7fffff00u;
		tls_garble = 0;
	}
	if (!c->nested) {
		struct kc_ring *r = rt->side == KC_SIDE_KERNEL ? &h->up : &h->down;
		uint32_t parked = KC_TURN_KERNEL | KC_TURN_PARKED;

		/* A user worker parked on this slot (udrv.c): claim it and hand it the turn in
		 * one compare-and-swap, and skip the ring. If the user half lies about it,
		 * nobody serves the call and it times out. */
		if (rt->side == KC_SIDE_KERNEL &&
		    atomic_compare_exchange_strong(&s->turn, &parked,
						   KC_TURN_USER | KC_TURN_CLAIMED)) {
			if (c->fn != KC_RT_FN_PING)
				kc_stat_inc(&kc_sst(rt, c->slot)->claimed);
			if (atomic_load(&s->waiting[KC_SIDE_USER])) /* not while parked; cheap */
				kc_os_futex_wake((uint32_t *)&s->turn, 1);
			goto wait;
		}
		hand(rt, s);
		if (c->fn != KC_RT_FN_PING)
			kc_stat_inc(&kc_sst(rt, c->slot)->pushed);
		/* nobody serves this slot until we push it: no worker's store to undo */
		atomic_store(&s->awake[!rt->side].v, 0);
		if (kc_ring_push(r, c->slot) ||
		    (tls_garble == 3 && (tls_garble = 0, kc_ring_push(r, c->slot)))) {
			fault(rt, cn, "request ring corrupted by the user half");
			rc = rt->side == KC_SIDE_KERNEL ? KC_RT_EPROTO : KC_RT_EDEAD;
			goto out;
		}
		kc_ring_wake(r);
	} else {
		hand(rt, s);
	}
wait:
	for (;;) {
		struct kc_rt_msg m;
		uint32_t off;

		rc = wait_turn(rt, cn, s, ch);
		if (rc == KC_RT_ETIMEDOUT)
			fault(rt, cn, "user half did not answer within the call timeout");
		if (rc)
			break;
		rc = read_msg(rt, s, &m, &c->rb, &off);
		if (rc) {
			fault(rt, cn, "malformed message from the user half");
			rc = KC_RT_EPROTO;
			break;
		}
		if (m.kind == KC_MSG_REPLY) {
			if (m.id != c->id || m.fn != c->fn || (m.status && m.len) ||
			    off != c->off || (m.flags && (rt->side == KC_SIDE_KERNEL || m.status))) {
				fault(rt, cn, "reply does not match the pending call");
				rc = KC_RT_EPROTO;
				break;
			}
			if ((m.flags & KC_MSG_F_RELEASE) && take_releases(rt, &m)) {
				rc = KC_RT_EPROTO; /* the kernel half's own trailer: cannot be malformed */
				break;
			}
			if ((m.flags & KC_MSG_F_SYNC) &&
			    kc_sync__take_back(m.payload, &m.len, &c->back, &c->nback)) {
				rc = KC_RT_EPROTO; /* the kernel half's own trailer: cannot be malformed */
				break;
			}
			kc_xdr_init_dec(&c->res, m.payload, m.len);
			bytes += m.len;
			rc = m.status;
			if (c->nested && rt->side == KC_SIDE_USER && off + KC_MSG_HDR + m.len > ch->top) {
				/* results decoded in place survive the nested calls the caller makes
				 * before kc_rt_call_end (a region pointer's first sight asks the
				 * kernel half for the region) */
				c->held = ch;
				c->held_top = ch->top;
				ch->top = off + KC_MSG_HDR + m.len;
			}
			break;
		}
		if (rt->side == KC_SIDE_KERNEL) {
			/* the kernel's own time serving the nested call does not count against
			 * the user half; the chain's time before it does */
			uint64_t t0 = kc_os_now_ns();

			if (t0 >= chain_deadline(rt, ch, t0)) {
				fault(rt, cn, "user half did not finish the call chain within "
					      "the call timeout");
				rc = KC_RT_ETIMEDOUT;
				break;
			}
			serve_one(rt, cn, s, &m, off, ch, -1);
			ch->deadline += kc_os_now_ns() - t0;
		} else {
			serve_one(rt, cn, s, &m, off, ch, -1);
		}
	}
out:
	if (rt->trace && rt->side == KC_SIDE_KERNEL && c->fn != KC_RT_FN_PING)
		kc_trace_add(rt->trace, caller, peer_name(rt, c->fn), bytes);
	ch->waiting_fn = saved_wait;
	if (!c->nested)
		tls_chain = ch->prev;
	if (c->back) {
		/* the kernel half's changes to synchronized objects, before the caller decodes the
		 * results (they are as new, and out-parameters written after them win; sync.c) */
		if (!rc)
			kc_sync__apply_back(rt, c->back, c->nback); /* frees it */
		else
			kc_os_free(c->back);
		c->back = NULL;
	}
	return rc;
}

int kc_rt_call_end(struct kc_rt_call *c, int rc)
{
	struct kc_conn *conn;
	struct kc_rt *rt;

	if (!c)
		return rc;
	rt = c->rt;
	if (c->back) {
		kc_os_free(c->back); /* not applied (the call failed) */
		c->back = NULL;
	}
	if (rt->side == KC_SIDE_USER && c->invoked && (c->fn < KC_RT_FN_PING || c->nback)) {
		kc_sync__refresh(rt); /* the kernel half's values (results) are the new baseline */
		c->nback = 0;
	}
	if (rc == 0 && c->invoked && kc_xdr_dec_done(&c->res)) {
		char what[160];

		snprintf(what, sizeof(what), "malformed results from %s", peer_name(rt, c->fn));
		fault(rt, c->conn, what);
		rc = KC_RT_EPROTO;
	}
	if (rt->side == KC_SIDE_KERNEL)
		kc_wire__stack_release(rt, c->stk); /* stack objects it made known (wire.c) */
	if (c->held)
		c->held->top = c->held_top;
	msgbuf_release(&c->rb);
	conn = c->conn;
	if (c->kept) {
		uint32_t base = rt->side == KC_SIDE_KERNEL ? 0 : rt->g.nk;
		struct kc_slot *s = kc_chan_slot(conn->base, &rt->g, c->slot);

		atomic_store_explicit(&s->awake[rt->side].v, 0, memory_order_release);
		/* from here on another thread may take the slot and this call object */
		atomic_store_explicit(&conn->busy[c->slot - base], 0, memory_order_release);
	} else {
		kc_os_free(c);
	}
	kc_conn_put(rt, conn); /* after the slot's release: frees conn->calls[] when last */
	return rc;
}

int kc_rt_fault(struct kc_rt *rt, const char *why)
{
	struct kc_conn *c;

	if (tls_chain && tls_chain->rt == rt) {
		fault(rt, tls_chain->conn, why);
		return KC_RT_EPROTO;
	}
	c = kc_conn_get(rt);
	if (c) {
		fault(rt, c, why);
		kc_conn_put(rt, c);
	}
	return KC_RT_EPROTO;
}

int kc_rt__ping(struct kc_rt *rt)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	if (tls_chain)
		return KC_EINVAL; /* never nested: the supervisor thread serves no chain */
	rc = call_begin(&c, &a, rt, KC_RT_FN_PING);
	if (rc)
		return rc;
	return kc_rt_call_end(c, kc_rt_call_invoke(c, &r));
}

uint64_t kc_rt__chains(struct kc_rt *rt)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < KC_NSLOTS_K + KC_NSLOTS_U; i++)
		n += atomic_load_explicit(&rt->sst[i].chains, memory_order_relaxed);
	return n;
}

void kc_rt_get_stats(struct kc_rt_stats *out, struct kc_rt *rt)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < KC_NSLOTS_K + KC_NSLOTS_U; i++) {
		struct kc_slot_stats *t = &rt->sst[i];

		out->chains += atomic_load_explicit(&t->chains, memory_order_relaxed);
		out->nested += atomic_load_explicit(&t->nested, memory_order_relaxed);
		out->claimed += atomic_load_explicit(&t->claimed, memory_order_relaxed);
		out->pushed += atomic_load_explicit(&t->pushed, memory_order_relaxed);
		out->sleeps += atomic_load_explicit(&t->sleeps, memory_order_relaxed);
		out->served += atomic_load_explicit(&t->served, memory_order_relaxed);
		out->pings += atomic_load_explicit(&t->pings, memory_order_relaxed);
	}
	out->faults = atomic_load_explicit(&rt->faults, memory_order_relaxed);
}

struct kc_objt *kc_rt_objt(struct kc_rt *rt)
{
	return rt->objt;
}

const char *kc_rt_last_fault(const struct kc_rt *rt)
{
	return rt->last_fault;
}

unsigned kc_rt_incarnation(const struct kc_rt *rt)
{
	return atomic_load(&((struct kc_rt *)rt)->incarnations);
}

int kc_rt_user_pid(const struct kc_rt *rt)
{
	struct kc_rt *r = (struct kc_rt *)rt;
	int pid = 0;

	kc_os_lock(r->lock);
	if (r->conn && !atomic_load(&r->conn->dead))
		pid = r->conn->pid;
	kc_os_unlock(r->lock);
	return pid;
}

int kc_rt_trace_write(struct kc_rt *rt, FILE *f)
{
	if (!rt->trace)
		return KC_EINVAL;
	return kc_trace_write(rt->trace, f);
}
