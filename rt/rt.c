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
	struct kc_xdr args, res;
	struct msgbuf rb;   /* the reply (kernel side: always a private copy) */
	struct chain ch;
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
	(void)rt;
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
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

/* Give the slot's turn to the peer (the message is already in place) and wake it if it said it
 * sleeps. The seq_cst store/load pair against wait_turn's waiting-flag store/turn load means
 * at least one side sees the other: no lost wake-up. */
static void hand(struct kc_rt *rt, struct kc_slot *s)
{
	int peer = !rt->side;

	atomic_store(&s->turn, peer_turn(rt));
	if (atomic_load(&s->waiting[peer]))
		kc_os_futex_wake((uint32_t *)&s->turn, 1);
}

/* Wait until the slot's turn is ours. Kernel side: at most call_timeout_ms; then the user half
 * is declared hung (killed) and KC_RT_ETIMEDOUT returned. KC_RT_EDEAD when the incarnation
 * died (or, user side, the kernel half shut down). */
static int wait_turn(struct kc_rt *rt, struct kc_conn *c, struct kc_slot *s)
{
	struct kc_chan_hdr *h = c->base;
	int me = rt->side, peer = !rt->side, rc = 0;
	uint32_t want = my_turn(rt), t;
	uint64_t budget = atomic_load_explicit(&rt->spin_cur, memory_order_relaxed);
	uint64_t now, spin_end, deadline;
	unsigned n = 0, slices = 0;

	/* fast path, no clock read: the turn is often ours already (a worker that popped a
	 * fresh upcall) */
	if (atomic_load_explicit(&s->turn, memory_order_acquire) == want)
		return 0;
	spin_end = 0; /* the clock is read only once the spin has gone on for a while */
	for (;;) {
		t = atomic_load_explicit(&s->turn, memory_order_acquire);
		if (t == want) {
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
		if (!spin_end) {
			spin_end = kc_os_now_ns() + budget;
		} else if (kc_os_now_ns() > spin_end) {
			kc_spin_feedback(&rt->spin_cur, rt->spin_ns, budget, 0);
			break;
		}
	}
	atomic_store(&s->awake[me].v, 0);
	now = kc_os_now_ns();
	deadline = now + (uint64_t)rt->o.call_timeout_ms * 1000000ull;
	for (;;) {
		uint64_t slice = 50000000ull;

		atomic_store(&s->waiting[me], 1);
		t = atomic_load(&s->turn);
		if (t == want)
			break;
		if (t == KC_TURN_DEAD || atomic_load(&c->dead)) {
			rc = KC_RT_EDEAD;
			break;
		}
		if (me == KC_SIDE_KERNEL) {
			/* After the first slice, look at the process ourselves: the supervisor may
			 * be busy (in the recovery hook) and not notice a death for a while. */
			if (slices++ && c->pidfd >= 0 && kc_os_watch(c->pidfd, -1, 0) == 1) {
				kc_conn_kill(rt, c, "user half died");
				rc = KC_RT_EDEAD;
				break;
			}
			now = kc_os_now_ns();
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
	return NULL;
}

/* Kernel side: report a misbehaving user half (kills the incarnation). */
static void fault(struct kc_rt *rt, struct kc_conn *c, const char *why)
{
	if (rt->side == KC_SIDE_KERNEL)
		kc_conn_kill(rt, c, why);
}

/* User side: drop the copies of objects the kernel half released (the trailer of a CALL with
 * KC_MSG_F_RELEASE) and shorten the payload to the arguments. */
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
	if (rt->side != KC_SIDE_KERNEL || !rt->nrel)
		return len;
	kc_os_lock(rt->lock);
	room = cap - len >= 4 ? (cap - len - 4) / 8 : 0;
	k = rt->nrel < room ? rt->nrel : room;
	if (k) {
		kc_xdr_init_enc(&x, payload + len, 8 * k + 4);
		rt->nrel -= k;
		for (size_t i = 0; i < k; i++)
			kc_xdr_put_u64(&x, rt->rel[rt->nrel + i]);
		kc_xdr_put_u32(&x, (uint32_t)k);
		len += (uint32_t)(8 * k + 4);
		*flags = KC_MSG_F_RELEASE;
	}
	kc_os_unlock(rt->lock);
	return len;
}

int kc_rt_obj_free(struct kc_rt *rt, const void *ptr)
{
	uint64_t h;
	size_t off;

	if (kc_objt_handle_of(rt->objt, &h, &off, ptr) || off != 0)
		return 0; /* not a tracked object's base: nothing crossed, nothing to tell */
	kc_objt_untrack(rt->objt, ptr);
	if (rt->side != KC_SIDE_KERNEL)
		return 0;
	kc_os_lock(rt->lock);
	if (rt->nrel == rt->caprel) {
		size_t n = rt->caprel ? 2 * rt->caprel : 64;
		uint64_t *p = realloc(rt->rel, n * sizeof(*p));

		if (!p) {
			kc_os_unlock(rt->lock);
			return KC_ENOMEM; /* the user half keeps a stale copy; harmless */
		}
		rt->rel = p;
		rt->caprel = n;
	}
	rt->rel[rt->nrel++] = h;
	kc_os_unlock(rt->lock);
	return 0;
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
	uint32_t len = 0;
	void *rb = NULL;
	int rc;

	ch->top = off + KC_MSG_HDR + m->len;
	if (m->flags & KC_MSG_F_RELEASE) {
		rc = take_releases(rt, m);
		if (rc)
			goto reply;
	}
	if (m->fn >= rt->o.nfns || !rt->o.fns[m->fn].fn) {
		if (rt->side == KC_SIDE_KERNEL) {
			fault(rt, c, "user half called unknown kernel function id");
			ch->top = saved_top;
			return 0;
		}
		rc = KC_ENOTFOUND;
		goto reply;
	}
	rb = kc_rt_pool_get(rt);
	if (!rb) {
		rc = KC_ENOMEM;
		goto reply;
	}
	kc_xdr_init_dec(&args, m->payload, m->len);
	kc_xdr_init_enc(&res, rb, room); /* the reply replaces the call in the slot */
	ch->serving_fn = m->fn;
	rc = rt->o.fns[m->fn].fn(rt, &args, &res);
	ch->serving_fn = saved;
	if (rc > 0)
		rc = KC_EBUG;
	if (!rc && res.err)
		rc = res.err;
	if (!rc)
		len = (uint32_t)res.pos;
reply:
	ch->top = saved_top;
	if (atomic_load(&c->dead)) {
		kc_rt_pool_put(rt, rb);
		return 0;
	}
	if (rt->trace && rt->side == KC_SIDE_KERNEL)
		kc_trace_add(rt->trace, peer_name(rt, ch->waiting_fn), own_name(rt, m->fn),
			     (uint64_t)m->len + len);
	kc_rt_msg_put_hdr(s->msg + off, KC_MSG_REPLY, m->id, m->fn, 0, rc, len);
	if (len)
		memcpy(s->msg + off + KC_MSG_HDR, rb, len);
	s->off = off;
	s->len = KC_MSG_HDR + len;
	if (tls_garble == 1)
		memset(s->msg + off, 0xa5, KC_MSG_HDR / 2);
	else if (tls_garble == 2)
		s->len = 0x7fffff00u;
	tls_garble = 0;
	kc_rt_pool_put(rt, rb);
	if (park >= 0 && rt->side == KC_SIDE_USER) /* hand releases it */
		atomic_store_explicit(&s->parked, park ? 1 : 0, memory_order_relaxed);
	hand(rt, s);
	return park > 0 && rt->side == KC_SIDE_USER;
}

void kc_rt_serve_chain(struct kc_rt *rt, struct kc_conn *c, uint32_t slot)
{
	kc_rt_serve_chain_park(rt, c, slot, 0);
}

int kc_rt_serve_chain_park(struct kc_rt *rt, struct kc_conn *c, uint32_t slot, int park)
{
	struct kc_slot *s = kc_chan_slot(c->base, &rt->g, slot);
	struct chain ch = { rt, c, slot, -1, -1, 0, tls_chain };
	struct kc_rt_msg m;
	struct msgbuf b;
	uint32_t off;
	int rc, parked = 0;

	b.heap = NULL;
	tls_chain = &ch;
	if (!atomic_load_explicit(&s->awake[rt->side].v, memory_order_relaxed))
		atomic_store(&s->awake[rt->side].v, 1);
	rc = wait_turn(rt, c, s);
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
	if (!parked) /* a parked worker stays awake on the slot (udrv.c clears it on leaving) */
		atomic_store(&s->awake[rt->side].v, 0);
out:
	msgbuf_release(&b);
	tls_chain = ch.prev;
	return parked;
}

/* ---- calls ---- */

int kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	struct kc_rt_call *c;
	struct kc_slot *s;
	uint32_t i, base, n;
	int rc = 0;

	*out = NULL;
	*args = NULL;
	if (rt->o.npeer && fn >= rt->o.npeer)
		return KC_EINVAL;
	c = kc_os_zalloc(sizeof(*c));
	if (!c)
		return KC_ENOMEM;
	c->rt = rt;
	c->fn = fn;
	if (tls_chain && tls_chain->rt == rt) {
		c->nested = 1;
		c->conn = tls_chain->conn;
		atomic_fetch_add(&c->conn->refs, 1);
		c->slot = tls_chain->slot;
		if (atomic_load(&c->conn->dead))
			rc = KC_RT_EDEAD;
	} else {
		c->conn = kc_conn_get(rt);
		if (!c->conn) {
			rc = KC_RT_EDOWN;
		} else {
			base = rt->side == KC_SIDE_KERNEL ? 0 : rt->g.nk;
			n = rt->side == KC_SIDE_KERNEL ? rt->g.nk : rt->g.nu;
			rc = KC_RT_ENOSLOT;
			kc_os_lock(rt->lock);
			for (i = 0; i < n; i++) {
				if (!c->conn->busy[i]) {
					c->conn->busy[i] = 1;
					c->slot = base + i;
					rc = 0;
					break;
				}
			}
			kc_os_unlock(rt->lock);
			if (rc) {
				kc_conn_put(rt, c->conn);
				c->conn = NULL;
			}
		}
	}
	if (rc) {
		if (c->conn)
			kc_conn_put(rt, c->conn);
		kc_os_free(c);
		return rc;
	}
	s = kc_chan_slot(c->conn->base, &rt->g, c->slot);
	c->off = c->nested ? (tls_chain->top + 7u) & ~7u : 0;
	if (c->off > rt->g.slot_bytes - KC_MSG_HDR) {
		/* nested too deep with too large messages: no room left in the slot */
		kc_conn_put(rt, c->conn);
		kc_os_free(c);
		return KC_ENOMEM;
	}
	kc_xdr_init_enc(&c->args, s->msg + c->off + KC_MSG_HDR,
			rt->g.slot_bytes - c->off - KC_MSG_HDR);
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
	c->id = atomic_fetch_add(&rt->next_id, 1) + 1;
	kc_rt_msg_put_hdr(s->msg + c->off, KC_MSG_CALL, c->id, c->fn, flags, 0, len);
	s->off = c->off;
	s->len = KC_MSG_HDR + len;
	if (c->nested) {
		ch = tls_chain;
	} else {
		ch = &c->ch;
		*ch = (struct chain){ rt, cn, c->slot, -1, -1, 0, tls_chain };
		tls_chain = ch;
	}
	if (rt->trace) {
		caller = own_name(rt, ch->serving_fn);
		if (!caller)
			caller = tls_caller ? tls_caller : "(kernel)";
	}
	saved_wait = ch->waiting_fn;
	ch->waiting_fn = c->fn;
	if (!c->nested) {
		struct kc_ring *r = rt->side == KC_SIDE_KERNEL ? &h->up : &h->down;
		uint32_t one = 1;

		/* A user worker parked on this slot (udrv.c): claim it and skip the ring. If
		 * the user half lies about it, nobody serves the call and it times out. */
		atomic_store(&s->awake[rt->side].v, 1);
		hand(rt, s); /* before the claim, so the claimed worker finds its turn */
		if (rt->side == KC_SIDE_KERNEL &&
		    atomic_compare_exchange_strong(&s->parked, &one, 2))
			goto wait;
		/* nobody serves this slot until we push it: no worker's store to undo */
		atomic_store(&s->awake[!rt->side].v, 0);
		if (kc_ring_push(r, c->slot)) {
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

		rc = wait_turn(rt, cn, s);
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
			    off != c->off) {
				fault(rt, cn, "reply does not match the pending call");
				rc = KC_RT_EPROTO;
				break;
			}
			kc_xdr_init_dec(&c->res, m.payload, m.len);
			bytes += m.len;
			rc = m.status;
			break;
		}
		serve_one(rt, cn, s, &m, off, ch, -1);
	}
out:
	if (rt->trace && rt->side == KC_SIDE_KERNEL)
		kc_trace_add(rt->trace, caller, peer_name(rt, c->fn), bytes);
	ch->waiting_fn = saved_wait;
	if (!c->nested)
		tls_chain = ch->prev;
	return rc;
}

int kc_rt_call_end(struct kc_rt_call *c, int rc)
{
	struct kc_rt *rt;

	if (!c)
		return rc;
	rt = c->rt;
	if (rc == 0 && c->invoked && kc_xdr_dec_done(&c->res)) {
		char what[160];

		snprintf(what, sizeof(what), "malformed results from %s", peer_name(rt, c->fn));
		fault(rt, c->conn, what);
		rc = KC_RT_EPROTO;
	}
	if (!c->nested) {
		uint32_t base = rt->side == KC_SIDE_KERNEL ? 0 : rt->g.nk;
		struct kc_slot *s = kc_chan_slot(c->conn->base, &rt->g, c->slot);

		atomic_store(&s->awake[rt->side].v, 0);
		kc_os_lock(rt->lock);
		c->conn->busy[c->slot - base] = 0;
		kc_os_unlock(rt->lock);
	}
	kc_conn_put(rt, c->conn);
	msgbuf_release(&c->rb);
	kc_os_free(c);
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
