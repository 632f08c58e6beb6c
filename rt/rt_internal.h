/*
 * rt_internal.h - what the runtime's files share with each other (and with its tests and fuzz
 * targets): the layout of the shared region, the message header, ring and slot operations, and
 * the endpoint's private state. Not part of the public API; other modules use kcut_rt.h only.
 *
 * Shared region (one memfd per user-half incarnation):
 *
 *	struct kc_chan_hdr   geometry, ready/shutdown words, the two rings
 *	slot 0 .. NK-1       call chains started by the kernel half (upcalls)
 *	slot NK .. NK+NU-1   call chains started by the user half (downcalls)
 *	bulk area            byte ranges passed by reference (kc_rt_buf_*) the user half
 *	                     allocates (its first half is unused: the kernel's buffers live in
 *	                     a memfd of their own that outlives incarnations, kc_rt.kbulk)
 *
 * A chain is one logical thread of control that crosses the boundary back and forth: the side
 * that starts it takes a free slot of its own range, writes a CALL, hands the slot's turn word to
 * the peer and pushes the slot number on the peer's ring (or, for an upcall, claims a user worker
 * parked on the slot instead: see udrv.c). From then on the two threads bound to the slot
 * alternate (the turn word says whose move it is): each message is a CALL (nested
 * call) or the REPLY to the innermost pending call. Messages stack up in the slot: a nested
 * CALL goes after the message its sender is serving, a REPLY over the CALL it answers, so the
 * user half can decode arguments in place for as long as its handler runs. The kernel half copies every message out of
 * the region before parsing it and never trusts any number it reads from the region (geometry
 * comes from its private copy).
 */
#ifndef KC_RT_INTERNAL_H
#define KC_RT_INTERNAL_H

#include <stdatomic.h>

#include "kcut_rt.h"
#include "os.h"
#include "region_internal.h"
#include "sync_internal.h"
#include "wire_internal.h"

#define KC_CHAN_MAGIC 0x6b637274u /* "kcrt" */
#define KC_CHAN_VERSION 3u
#define KC_RING_CAP 64u           /* power of two, >= slots of either range */
#define KC_NSLOTS_K 32u
#define KC_NSLOTS_U 16u
#define KC_NSERVERS 4u             /* kernel threads serving chains the user half starts */
#define KC_SLOT_BYTES (64u * 1024u) /* message area per slot, header included */
#define KC_MSG_HDR 24u            /* kind, call id, fn, flags, status, payload length */
#define KC_MAX_PAYLOAD (KC_SLOT_BYTES - KC_MSG_HDR)
/* Bulk area after the slots, for byte ranges passed by reference: the first half is allocated
 * by the kernel half, the second by the user half, in pages. */
#define KC_BULK_BYTES (1024u * 1024u)
#define KC_BULK_PAGE 4096u
#define KC_BULK_HALF (KC_BULK_BYTES / 2)
#define KC_BULK_PAGES (KC_BULK_HALF / KC_BULK_PAGE)

enum { KC_SIDE_KERNEL = 0, KC_SIDE_USER = 1 };
enum { KC_TURN_IDLE = 0, KC_TURN_KERNEL = 1, KC_TURN_USER = 2, KC_TURN_DEAD = 3 };
/* Flags in the turn word (kernel range only), so that parking and claiming a user worker are
 * part of the hand-off itself (one atomic operation on one word, see udrv.c): the reply that
 * ends a chain hands KERNEL | PARKED when its worker stays spinning on the slot; the kernel's
 * next upcall on the slot turns KERNEL | PARKED into USER | CLAIMED with one compare-and-swap;
 * a worker that stops spinning turns KERNEL | PARKED back into KERNEL. Whose turn it is, is
 * turn & KC_TURN_MASK. */
#define KC_TURN_MASK 0x0fu
#define KC_TURN_PARKED 0x10u
#define KC_TURN_CLAIMED 0x20u
enum { KC_MSG_CALL = 1, KC_MSG_REPLY = 2 };
/* CALL and REPLY flag (kernel -> user only): the payload ends with handles the kernel half
 * released (free/kfree hook): u64 handle * n, then u32 n (after a reply's KC_MSG_F_SYNC trailer).
 * The user half drops its copies first. */
#define KC_MSG_F_RELEASE 1u
/* CALL flag (kernel -> user only): KC_MSG_F_UNMAP (region_internal.h), the unexported regions. */
/* REPLY flag KC_MSG_F_SYNC (kernel -> user only): sync_internal.h. */

struct kc_ring {
	_Atomic uint32_t seq;      /* futex word: bumped on every push */
	_Atomic uint32_t sleepers; /* consumers asleep on seq */
	uint32_t pad0[14];
	/* own cache line: a spinning worker updates it on every upcall, the kernel side reads
	 * sleepers above on every push */
	_Atomic uint32_t spinners; /* consumers spinning on the ring (peer may spin too) */
	uint32_t pad3[15];
	_Atomic uint64_t head;     /* next cell to pop */
	uint64_t pad1[7];
	_Atomic uint64_t tail;     /* next cell to push */
	uint64_t pad2[7];
	struct {
		_Atomic uint64_t seq;
		uint32_t slot;
		uint32_t pad;
	} cells[KC_RING_CAP];
};

struct kc_chan_hdr {
	uint32_t magic, version;
	uint32_t nslots_k, nslots_u, slot_bytes, slot_stride;
	uint64_t slots_off;
	uint32_t region_id;        /* random per incarnation; tags by-reference ranges */
	_Atomic uint32_t ready;    /* user half: 1 when serving (futex) */
	_Atomic uint32_t shutdown; /* kernel half: 1 = stop now (futex) */
	uint32_t kbulk_id;         /* tags references into the kernel's bulk memfd (kc_rt.kbulk) */
	uint32_t pad[5];
	struct kc_ring up;   /* slots of chains the kernel starts, consumed by user workers */
	struct kc_ring down; /* slots of chains the user starts, consumed by the kernel server */
};

/* Cache lines, because a spinning peer pulls every line it reads back to its CPU and each
 * transfer costs about as much as a bare spin round trip's half: the turn word, what the
 * message hand-off needs with it (off, len) and the first 40 bytes of the message area
 * share one line, so a hand-off of a small message (a null call or reply is the 24-byte header
 * alone) moves that one line once; each side's awake flag has a line of its own that only that
 * side writes (the peer reads it now and then while spinning). */
struct kc_slot {
	struct {
		_Atomic uint32_t v;  /* side's thread is running this chain (adaptive spin) */
		uint32_t pad[15];
	} awake[2];
	_Atomic uint32_t turn;       /* futex word: KC_TURN_* (and, kernel range, PARKED/CLAIMED) */
	_Atomic uint32_t waiting[2]; /* side is (about to be) asleep on turn */
	uint32_t pad0;
	uint32_t off;                /* where in msg the current message starts */
	uint32_t len;                /* its bytes (header + payload) */
	uint8_t msg[];               /* 8-byte aligned; starts on the turn word's line */
};

/* A parsed message header. */
struct kc_rt_msg {
	uint32_t kind, id, fn, flags;
	int32_t status;
	uint32_t len;           /* payload bytes */
	const uint8_t *payload;
};

/* Parse a message of len bytes at buf (header + payload). 0 or KC_RT_EPROTO. */
int kc_rt_msg_parse(struct kc_rt_msg *m, const void *buf, size_t len);
/* Write a header for payload_len bytes into buf (KC_MSG_HDR bytes). */
void kc_rt_msg_put_hdr(void *buf, uint32_t kind, uint32_t id, uint32_t fn, uint32_t flags,
		       int32_t status, uint32_t payload_len);

/* Geometry of a region (private copy on the kernel side). */
struct kc_chan_geom {
	uint32_t nk, nu, slot_bytes, stride;
	uint64_t slots_off;
	uint64_t bulk_off;
	size_t size;
};
void kc_chan_geom_default(struct kc_chan_geom *g);
void kc_chan_init(void *base, const struct kc_chan_geom *g);
/* User side: check and read the geometry the kernel half wrote. */
int kc_chan_geom_read(struct kc_chan_geom *g, const void *base, size_t size);
static inline struct kc_slot *kc_chan_slot(void *base, const struct kc_chan_geom *g, uint32_t i)
{
	return (struct kc_slot *)((uint8_t *)base + g->slots_off + (uint64_t)i * g->stride);
}
/* Rings: push returns 0 or -1 (full or corrupted, after a bounded number of tries); pop
 * returns the slot number or -1 when empty. */
int kc_ring_push(struct kc_ring *r, uint32_t slot);
int64_t kc_ring_pop(struct kc_ring *r);
void kc_ring_wake(struct kc_ring *r);

/* Incarnation of the user half as the kernel half sees it (user side: the one attachment). */
struct kc_conn {
	_Atomic int refs;
	_Atomic int dead;
	void *base;
	size_t size;
	int memfd, pid, pidfd;
	unsigned incarnation;
	uint32_t region_id;
	uint64_t started_ns;
	uint8_t bulk_used[KC_BULK_PAGES];   /* own half of the bulk area, under rt->lock */
	/* own range of slots: claimed by exchange (no lock on the call path); each slot keeps the
	 * call object of the chains started on it, allocated on first use, reused by every later
	 * call that starts a chain there, freed with the incarnation */
	_Atomic uint8_t busy[KC_NSLOTS_K > KC_NSLOTS_U ? KC_NSLOTS_K : KC_NSLOTS_U];
	struct kc_rt_call *calls[KC_NSLOTS_K > KC_NSLOTS_U ? KC_NSLOTS_K : KC_NSLOTS_U];
	/* kernel side: a chain of the peer's slot NK + i is being served (set when a server thread
	 * pops the slot, cleared right before the reply that ends the chain is handed over), so a
	 * slot the user half queues twice is served once (the second pop is a protocol fault) */
	_Atomic uint8_t serving[KC_NSLOTS_U];
};

struct kc_trace;
struct kc_region_tab;
struct kc_io_views;

struct kc_rt {
	int side;
	struct kc_rt_opts o;
	struct kc_chan_geom g;
	struct kc_objt *objt;
	struct kc_os_mutex *lock;
	struct kc_conn *conn;            /* current incarnation (kernel side: may be NULL) */
	_Atomic uint32_t next_id;
	uint64_t spin_ns;                /* configured spin budget (max) */
	_Atomic uint64_t spin_cur;       /* current budget for turn waits (adapts) */
	_Atomic uint64_t ring_spin_cur;  /* current budget for idle workers (adapts) */
	/* buffer pool for results (KC_MAX_PAYLOAD bytes each) */
	_Atomic(void *) pool1;           /* one more, taken without the lock */
	void **pool;
	size_t npool, cappool;
	/* The kernel's half of the by-reference area: a sealed memfd of KC_BULK_HALF bytes made
	 * once per endpoint, so kernel buffers outlive user-half incarnations; mapped writable by
	 * the kernel half (kbulk_used under lock) and read-only by every user half. */
	int kbulk_fd;
	void *kbulk;
	uint32_t kbulk_id;
	uint8_t kbulk_used[KC_BULK_PAGES];
	/* kernel side */
	struct kc_os_thread *super, *server[KC_NSERVERS];
	int wake_fd;
	_Atomic int stopping;
	_Atomic int recovering;          /* kernel side: the recovery hook of a new incarnation runs;
					  * other threads' new chains wait for it (kc_rt_call_begin) */
	_Atomic int stop_clean;          /* 1: the last user half exited 0 when asked to stop */
	_Atomic unsigned incarnations;
	char last_fault[256];
	_Atomic uint64_t faults;         /* protocol faults of user halves (kc_rt_stats.faults) */
	struct kc_wire_state wire;       /* wire.c's (kc_rt__wire; its lock is lock above) */
	struct kc_trace *trace;
	/* kernel side: held while memory is forgotten before it is freed (kc_rt_obj_free,
	 * kc_wire_freed) and while the recovery hook reads one tracked object, so the memory of an
	 * object being re-sent cannot be freed under it (the freeing thread waits) */
	struct kc_os_mutex *free_lock;
	uint64_t *rel;                   /* handles released, not yet told to the user half */
	size_t nrel, caprel;
	struct kc_region_state reg;      /* exported device regions (region.c, kc_rt__regions) */
	/* user side */
	struct kc_os_thread **workers;
	unsigned nworkers;
	struct kc_io_views *views;       /* the user half's views of device regions (io.c) */
	struct kc_sync *sync;            /* shadows of synchronized objects (sync.c), made on first use */
	int share_fd;                    /* where DMA regions are mapped from (-1: none) */
	/* set (io.c, before the workers start) on the process's user endpoint: kc_rt_call_begin
	 * and the reply to an upcall send the calling thread's posted writes first */
	void (*io_flush)(struct kc_rt *rt);
	/* counters (kc_rt_get_stats), per slot so that the thread running a chain updates a line
	 * of its own; only that thread writes a slot's counters (plain relaxed load + store) */
	struct kc_slot_stats {
		_Atomic uint64_t chains, nested, claimed, pushed, sleeps, served, pings;
		uint64_t pad[1];
	} sst[KC_NSLOTS_K + KC_NSLOTS_U];
};

/* Count one event in a slot's counter (see struct kc_rt.sst). */
static inline void kc_stat_inc(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}
static inline struct kc_slot_stats *kc_sst(struct kc_rt *rt, uint32_t slot)
{
	return &rt->sst[slot < KC_NSLOTS_K + KC_NSLOTS_U ? slot : 0];
}

/* Adaptive spinning: a spin that ended with the awaited event grows the budget back toward
 * the configured maximum; one that ran out of budget halves it, but never below
 * KC_SPIN_FLOOR_NS, so that spinning keeps being tried. On an oversubscribed machine, where
 * the peer is often preempted, the spins shrink instead of burning the CPU it needs. */
#define KC_SPIN_FLOOR_NS 1000u
static inline void kc_spin_feedback(_Atomic uint64_t *cur, uint64_t max, uint64_t budget, int won)
{
	uint64_t b = won ? budget + budget / 4 + 200 : budget / 2;

	if (b > max)
		b = max;
	if (b < KC_SPIN_FLOOR_NS)
		b = max < KC_SPIN_FLOOR_NS ? max : KC_SPIN_FLOOR_NS;
	atomic_store_explicit(cur, b, memory_order_relaxed);
}

struct kc_conn *kc_conn_get(struct kc_rt *rt); /* current, referenced; NULL when down */
void kc_conn_put(struct kc_rt *rt, struct kc_conn *c);
/* Kernel side: declare the incarnation dead (wakes every waiter, kills the process). */
void kc_conn_kill(struct kc_rt *rt, struct kc_conn *c, const char *why);

/* Function id of the heartbeat ping (kernel -> user; the user side's runtime answers it
 * itself, the dispatch table is not involved). */
#define KC_RT_FN_PING 0xfffffff0u
/* KC_RT_FN_SYNC, the user half's changes to synchronized objects: sync_internal.h. */

/* io.c: the user side's views and posted writes. */
int kc_io__views_new(struct kc_rt *rt);
void kc_io__views_free(struct kc_rt *rt);
/* The process's user-side endpoint for kc_io_* (kc_rt_user_open / kc_rt_close). */
void kc_io__attach(struct kc_rt *rt);
void kc_io__detach(struct kc_rt *rt);
/* Take the unexport trailer off a CALL's payload (*len shortened) and drop those views. */
int kc_io__take_unmaps(struct kc_rt *rt, const uint8_t *payload, uint32_t *len);
/* Send the calling thread's posted writes (no-op when none). */
void kc_io__flush_thread(struct kc_rt *rt);

/* wire.c's stack-object marks (kc_wire__stack_mark): wire_internal.h. */

/* sync.c: sync_internal.h and wire_internal.h. */

/* kc_rt__call_begin_rt (region_internal.h) also serves KC_RT_FN_SYNC. */

/* Kernel side (supervisor): one ping; 0 when the user half answered. A ping that is not
 * answered within call_timeout_ms kills the incarnation like any call. */
int kc_rt__ping(struct kc_rt *rt);
/* Sum of the chains started by this side so far (heartbeat: was there traffic?). */
uint64_t kc_rt__chains(struct kc_rt *rt);

/* Kernel side: the user half broke the protocol: count it and kill the incarnation. */
void kc_rt__fault(struct kc_rt *rt, struct kc_conn *c, const char *why);
/* Serve one chain started by the peer on slot `slot` (the worker / server loop). The kernel
 * side's server threads first claim the slot (c->serving); a slot being served already is a
 * protocol fault. */
void kc_rt_serve_chain(struct kc_rt *rt, struct kc_conn *c, uint32_t slot);
/* The same; park (user side): leave the slot parked for this worker with the reply (udrv.c).
 * Returns 1 when the slot was left parked. */
int kc_rt_serve_chain_park(struct kc_rt *rt, struct kc_conn *c, uint32_t slot, int park);
/* A result buffer of the calling thread's own (worker and server threads), used before the
 * pool: kc_rt_thread_buf(1) allocates it, kc_rt_thread_buf(0) frees it. 0 or KC_ENOMEM. */
int kc_rt_thread_buf(int on);
void *kc_rt_pool_get(struct kc_rt *rt);
void kc_rt_pool_put(struct kc_rt *rt, void *buf);
void kc_rt_pool_free(struct kc_rt *rt);

/* Endpoint set-up shared by both sides (super.c): defaults, tracker, lock. */
int kc_rt__setup(struct kc_rt **out, int side, const struct kc_rt_opts *o, struct kc_err *err);
void kc_rt__free(struct kc_rt *rt);

/* Supervisor and server threads (super.c), workers (udrv.c). */
int kc_rt_super_start(struct kc_rt *rt, struct kc_err *err);
void kc_rt_super_stop(struct kc_rt *rt);

/* Trace (trace.c). Names must outlive the runtime (they are table strings). */
int kc_trace_new(struct kc_trace **out);
void kc_trace_free(struct kc_trace *t);
void kc_trace_add(struct kc_trace *t, const char *caller, const char *callee, uint64_t bytes);
int kc_trace_write(struct kc_trace *t, FILE *f);


/* Test hooks (tests/rt, tests/hostile, tests/faultmatrix only): the next reply this thread
 * sends has a garbage header (mode 1) or claims a message length larger than the slot (mode 2);
 * the next chain this thread starts is pushed on the request ring twice (mode 3: a hostile peer
 * queueing one slot twice); the next call this thread sends has a garbage header (mode 4) or
 * claims a length larger than the slot (mode 5). */
void kc_rt__test_garble_next_reply(int mode);
/* The calling thread's pin set (objt_internal.h; the kernel side's tracker hook, super.c). */
struct kc_objt_pins *kc_rt__pins(void *arg);
/* Kernel side, around a handler the runtime runs for the user half (serve_one; any other server of
 * the user half's calls must do the same): begin returns the mark, end drops what the handler's
 * look-ups pinned since. */
uint32_t kc_rt__pin_begin(void);
void kc_rt__pin_end(uint32_t mark);
void kc_rt__recovery_thread(int on); /* the supervisor thread while it runs the recovery hook */

#endif /* KC_RT_INTERNAL_H */
