/*
 * chan.c - the shared region: its layout, the message header, and the two request rings.
 *
 * The rings are bounded multi-producer multi-consumer queues of slot numbers (Dmitry Vyukov's
 * sequence-numbered array queue): one per direction, so several kernel threads can start calls
 * while several user workers take them, without a lock that a dying process could leave held.
 * Every loop that reads words the peer can write is bounded, so a peer that scribbles on the
 * region can make a push fail but never make the kernel half spin forever.
 */
#include "rt_internal.h"

#include <stddef.h>
#include <string.h>

/* The slot layout the comments in rt_internal.h promise (slots start on a cache line). */
_Static_assert(offsetof(struct kc_slot, turn) % 64 == 0, "turn starts a cache line");
_Static_assert(offsetof(struct kc_slot, msg) % 8 == 0, "messages are 8-byte aligned");
_Static_assert(offsetof(struct kc_slot, msg) - offsetof(struct kc_slot, turn) + KC_MSG_HDR <= 64,
	       "a null message shares the turn word's cache line");

int kc_rt_msg_parse(struct kc_rt_msg *m, const void *buf, size_t len)
{
	struct kc_xdr x;

	memset(m, 0, sizeof(*m));
	if (!buf || len < KC_MSG_HDR || len > KC_SLOT_BYTES)
		return KC_RT_EPROTO;
	kc_xdr_init_dec(&x, buf, KC_MSG_HDR);
	m->kind = kc_xdr_get_u32(&x);
	m->id = kc_xdr_get_u32(&x);
	m->fn = kc_xdr_get_u32(&x);
	m->flags = kc_xdr_get_u32(&x);
	m->status = kc_xdr_get_i32(&x);
	m->len = kc_xdr_get_u32(&x);
	if (x.err)
		return KC_RT_EPROTO;
	if (m->kind != KC_MSG_CALL && m->kind != KC_MSG_REPLY)
		return KC_RT_EPROTO;
	if (m->len != len - KC_MSG_HDR || (m->flags & ~(KC_MSG_F_RELEASE | KC_MSG_F_UNMAP | KC_MSG_F_SYNC)))
		return KC_RT_EPROTO;
	if ((m->flags & KC_MSG_F_UNMAP) && m->kind != KC_MSG_CALL) /* RELEASE: on both (rt.c) */
		return KC_RT_EPROTO;
	if ((m->flags & KC_MSG_F_SYNC) && m->kind != KC_MSG_REPLY)
		return KC_RT_EPROTO;
	if (m->kind == KC_MSG_CALL && m->status != 0)
		return KC_RT_EPROTO;
	if (m->kind == KC_MSG_REPLY && m->status > 0)
		return KC_RT_EPROTO;
	m->payload = (const uint8_t *)buf + KC_MSG_HDR;
	return 0;
}

void kc_rt_msg_put_hdr(void *buf, uint32_t kind, uint32_t id, uint32_t fn, uint32_t flags,
		       int32_t status, uint32_t payload_len)
{
	struct kc_xdr x;

	kc_xdr_init_enc(&x, buf, KC_MSG_HDR);
	kc_xdr_put_u32(&x, kind);
	kc_xdr_put_u32(&x, id);
	kc_xdr_put_u32(&x, fn);
	kc_xdr_put_u32(&x, flags);
	kc_xdr_put_i32(&x, status);
	kc_xdr_put_u32(&x, payload_len);
}

void kc_chan_geom_default(struct kc_chan_geom *g)
{
	size_t hdr = (sizeof(struct kc_chan_hdr) + 4095) & ~(size_t)4095;

	g->nk = KC_NSLOTS_K;
	g->nu = KC_NSLOTS_U;
	g->slot_bytes = KC_SLOT_BYTES;
	g->stride = (uint32_t)((sizeof(struct kc_slot) + KC_SLOT_BYTES + 63) & ~(size_t)63);
	g->slots_off = hdr;
	g->bulk_off = (hdr + (size_t)(g->nk + g->nu) * g->stride + 4095) & ~(size_t)4095;
	g->size = g->bulk_off + KC_BULK_BYTES;
}

static void ring_init(struct kc_ring *r)
{
	uint32_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < KC_RING_CAP; i++)
		atomic_store(&r->cells[i].seq, i);
}

void kc_chan_init(void *base, const struct kc_chan_geom *g)
{
	struct kc_chan_hdr *h = base;
	uint32_t i;

	memset(base, 0, g->slots_off);
	h->magic = KC_CHAN_MAGIC;
	h->version = KC_CHAN_VERSION;
	h->nslots_k = g->nk;
	h->nslots_u = g->nu;
	h->slot_bytes = g->slot_bytes;
	h->slot_stride = g->stride;
	h->slots_off = g->slots_off;
	ring_init(&h->up);
	ring_init(&h->down);
	for (i = 0; i < g->nk + g->nu; i++) {
		struct kc_slot *s = kc_chan_slot(base, g, i);

		memset(s, 0, sizeof(*s));
		/* a slot's idle owner is the side whose range it is in */
		atomic_store(&s->turn, i < g->nk ? KC_TURN_KERNEL : KC_TURN_USER);
	}
}

int kc_chan_geom_read(struct kc_chan_geom *g, const void *base, size_t size)
{
	const struct kc_chan_hdr *h = base;
	struct kc_chan_geom d;

	kc_chan_geom_default(&d);
	if (size < sizeof(*h) || h->magic != KC_CHAN_MAGIC || h->version != KC_CHAN_VERSION)
		return KC_RT_EPROTO;
	/* this build only speaks its own geometry; a mismatch is a kernel/user version skew */
	if (h->nslots_k != d.nk || h->nslots_u != d.nu || h->slot_bytes != d.slot_bytes ||
	    h->slot_stride != d.stride || h->slots_off != d.slots_off || size < d.size)
		return KC_RT_EPROTO;
	*g = d;
	return 0;
}

#define RING_TRIES 1024

int kc_ring_push(struct kc_ring *r, uint32_t slot)
{
	uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	int tries;

	for (tries = 0; tries < RING_TRIES; tries++) {
		__typeof__(&r->cells[0]) c = &r->cells[pos & (KC_RING_CAP - 1)];
		uint64_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		int64_t dif = (int64_t)(seq - pos);

		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(&r->tail, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed)) {
				c->slot = slot;
				atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
				return 0;
			}
		} else if (dif < 0) {
			return -1; /* full: cannot happen with honest peers (cap >= slots) */
		} else {
			pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
		}
	}
	return -1;
}

int64_t kc_ring_pop(struct kc_ring *r)
{
	uint64_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
	int tries;

	for (tries = 0; tries < RING_TRIES; tries++) {
		__typeof__(&r->cells[0]) c = &r->cells[pos & (KC_RING_CAP - 1)];
		uint64_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		int64_t dif = (int64_t)(seq - (pos + 1));

		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(&r->head, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed)) {
				uint32_t slot = c->slot;

				atomic_store_explicit(&c->seq, pos + KC_RING_CAP,
						      memory_order_release);
				return slot;
			}
		} else if (dif < 0) {
			return -1;
		} else {
			pos = atomic_load_explicit(&r->head, memory_order_relaxed);
		}
	}
	return -1;
}

/* After a push: wake one sleeping consumer. The futex word only moves when someone sleeps;
 * a consumer increments sleepers and then re-checks the ring before it sleeps, and the fence
 * here orders our push before our read of sleepers, so one of the two always sees the other. */
void kc_ring_wake(struct kc_ring *r)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->sleepers, memory_order_seq_cst)) {
		atomic_fetch_add(&r->seq, 1);
		kc_os_futex_wake((uint32_t *)&r->seq, 1);
	}
}
