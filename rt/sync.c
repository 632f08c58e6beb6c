/*
 * sync.c - the user half's writes to crossing objects reach the kernel half's copy at every
 * crossing (issue 13; docs/runtime.md "Synchronization at every crossing").
 *
 * Each half holds its own copy of an object that crossed (the tracker's handle names both).
 * Explicit marshaling carries the fields a crossing call's closure reads and writes, but state the
 * user half writes (ring indexes set up by open, a new buffer array, the link flag) may be read by
 * the kernel half's interrupt handler, NAPI poll or watchdog, which run on their own. The driver
 * orders such a write before whatever lets the reader run: a register write that enables the
 * interrupt or DMA, a barrier, or a kernel call (request_irq, napi_enable, mod_timer,
 * netif_start_queue ...). In a split driver every one of those is a crossing from the user half:
 * a forwarded register batch, or a downcall. So, as DriverSlicer's marshaling did at every
 * crossing, the user half sends its changes first:
 *
 *   - a shadow per tracked object whose type has synchronized fields (the plan's sync set: fields
 *     the user half writes and kernel-half code reads, wire tables sync_has / sync_enc) holds its
 *     bytes as the kernel half last saw them (refreshed after every message from the kernel half
 *     was decoded: kc_wire_sync_mark in generated handlers, kc_rt_call_end for results);
 *   - before every downcall, every forwarded register batch and the reply to every upcall
 *     (kc_sync__flush), the fields that differ from the shadow go down in one call of the
 *     runtime's own function KC_RT_FN_SYNC: per changed object its pointer and the generated
 *     encoder's (field index, value) pairs, 0-terminated. The kernel half decodes them with the
 *     generated decoders (the same checks as any marshaled field: handles, regions, types), before
 *     the batch's register writes run or the downcall's handler starts. Only changed fields go:
 *     a field the interrupt handler moved meanwhile (next_to_clean) is not overwritten with the
 *     user half's older copy;
 *   - an object the user half frees through a deallocator downcall leaves its tracker at once
 *     (kc_wire_sync_freed): a pointer to it in another object (adapter->tx_ring after
 *     kfree(adapter->tx_ring)) goes down as NULL, at the next flush and whenever it is marshaled,
 *     instead of a handle the kernel half already released (a stale handle, refused).
 *
 * Nothing of this runs on the data path: the kernel half's interrupt/transmit/receive code makes
 * no crossing. Costs: a comparison of the synchronized objects with their shadows at each
 * crossing the user half makes, one more crossing when something changed.
 *
 * Portable core as wire.c (no libc beyond <string.h> and qsort), built unchanged into kcut_rt.ko
 * (rt/linux: the kernel side, KC_RT_FN_SYNC and the reply trailer): it reaches its endpoint only
 * through wire_internal.h and sync_internal.h (kc_rt__wire, kc_rt__sync).
 */
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "region_internal.h"
#include "sync_internal.h"
#include "wire_internal.h"

/* The endpoint's side, lock and tracker (wire_internal.h). */
#define SIDE_USER(rt) (!kc_rt__wire(rt)->kernel)
#define RT_LOCK(rt) (kc_rt__wire(rt)->lock)
#define RT_SYNC(rt) (*kc_rt__sync(rt))
#define RT_OBJT(rt) kc_rt_objt(rt)

#define SYNC_DEAD_MAX 256u          /* freed objects remembered (a ring) */
#define SYNC_MSG_MAX (56u * 1024u)  /* bytes of one KC_RT_FN_SYNC call (a slot holds 64 KiB) */
#define SYNC_BORN_MAX 64u           /* fresh allocations remembered until they get a shadow */
#define SYNC_BUF_KEEP 4u            /* flush buffers kept for the next flushes (one per thread
				     * flushing at once): a 56 KiB allocation per crossing cost the
				     * ASan-built hostile run ~10% of its time (fresh pages) */
#define SYNC_SINCE_MAX 512u         /* kernel side: ranges whose object changed, between replies */
/* struct dead's fresh in since[] (kernel side): how the range's object changed */
#define SINCE_RELEASED 0u           /* the kernel half released it (kc_sync__kchanged) */
#define SINCE_FREED 1u              /* the kernel freed it (kc_sync__kfreed) */
#define SINCE_NEW 2u                /* the kernel allocated there again (kc_wire_alloced) */

struct shadow {
	const uint8_t *p;  /* the user half's object (its tracker copy) */
	uint64_t h;        /* its handle (kernel side: a new object at the same address has another) */
	uint32_t type;
	size_t size;       /* the tracked object's bytes */
	size_t nel;        /* elements of its type in it (an array), else 1 (a struct and what follows
			    * it: the private area behind a net_device) */
	uint8_t *copy;     /* ... as the kernel half last saw them */
};

struct dead {
	const uint8_t *p;
	size_t size;
	int fresh;         /* not yet carried by a flush (kernel side, since[]: SINCE_*) */
};

struct kc_sync {
	struct kc_os_mutex *lock;
	struct shadow *v;  /* sorted by p */
	size_t n;
	struct dead dead[SYNC_DEAD_MAX];
	size_t ndead, dhead;
	size_t nfresh;     /* dead entries not yet carried by a flush */
	const void *born[SYNC_BORN_MAX]; /* fresh allocations without a shadow yet (a ring) */
	size_t nborn, bhead;
	int typed;         /* an untyped allocation took a type during the flush under way */
	/* encode_born's last look at the tracker: its kc_objt_changes and born_seq then (+1 on
	 * changes: never looked). No object was tracked or retyped and no allocation was born
	 * since: no born object can have become a synchronized one, the tracker walk is skipped
	 * (it was ~6% of the hostile run's time, every crossing) */
	uint64_t born_changes, born_seq, born_seen;
	uint8_t *buf[SYNC_BUF_KEEP]; /* kc_sync__flush's spare buffers (SYNC_MSG_MAX bytes each) */
	size_t nbuf;
	uint64_t changes;  /* the tracker's kc_objt_changes when the list was made (+1: never) */
	unsigned inc;      /* kernel side: the user-half incarnation whose copies v describes */
	/* kernel side: dead[] holds objects the kernel freed (kc_sync__kfreed) while kfree_on (the
	 * endpoint reports allocations: kc_wire_alloced), under dlock, a leaf lock (put_back asks
	 * while it holds lock) */
	struct kc_os_mutex *dlock;
	int kfree_on;
	/* kernel side, under dlock: memory whose object changed since the last reply (freed while
	 * tracked, or allocated again after that: kc_sync__kfreed, kc_wire_alloced); more than
	 * SYNC_SINCE_MAX ranges widen [over_lo, over_hi) instead (kc_sync__put_back) */
	struct dead since[SYNC_SINCE_MAX];
	size_t nsince;
	uintptr_t over_lo, over_hi;
};

static int born_take(struct kc_sync *s, const void *p);

static const struct kc_wire_tables *tab(struct kc_rt *rt)
{
	return kc_rt__wire(rt)->tables;
}

static int enabled(struct kc_rt *rt)
{
	const struct kc_wire_tables *t = tab(rt);

	return SIDE_USER(rt) && t && t->sync_has && t->sync_enc && t->type_size;
}

static size_t tsize(struct kc_rt *rt, uint32_t ty)
{
	const struct kc_wire_tables *t = tab(rt);

	return t && t->type_size && ty < t->ntypes ? t->type_size[ty] : 0;
}

static int synced_type(struct kc_rt *rt, uint32_t ty)
{
	const struct kc_wire_tables *t = tab(rt);

	return t && t->sync_has && ty && ty < t->ntypes && t->sync_has[ty] && tsize(rt, ty);
}

/* The endpoint's state, made on first use (user side). */
static struct kc_sync *state(struct kc_rt *rt)
{
	struct kc_sync *s;

	kc_os_lock(RT_LOCK(rt));
	s = RT_SYNC(rt);
	if (!s) {
		s = kc_os_zalloc(sizeof(*s));
		if (s && (!(s->lock = kc_os_mutex_new()) || !(s->dlock = kc_os_mutex_new()))) {
			if (s->lock)
				kc_os_mutex_free(s->lock);
			kc_os_free(s);
			s = NULL;
		}
		RT_SYNC(rt) = s;
	}
	kc_os_unlock(RT_LOCK(rt));
	return s;
}

void kc_sync__free(struct kc_rt *rt)
{
	struct kc_sync *s = RT_SYNC(rt);
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		kc_os_free(s->v[i].copy);
	kc_os_free(s->v);
	for (i = 0; i < s->nbuf; i++)
		kc_os_free(s->buf[i]);
	kc_os_mutex_free(s->lock);
	kc_os_mutex_free(s->dlock);
	kc_os_free(s);
	RT_SYNC(rt) = NULL;
}

/* ---- the synchronized objects: a snapshot of the tracker ---- */

struct objs {
	struct kc_rt *rt;
	struct shadow *v;
	size_t n, cap;
	int full;
};

static int collect(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	struct objs *l = arg;

	if (!synced_type(l->rt, o->type) || o->size < tsize(l->rt, o->type))
		return 0;
	if (l->n == l->cap) {
		l->full = 1;
		return 1;
	}
	l->v[l->n].p = o->ptr;
	l->v[l->n].h = h;
	l->v[l->n].type = o->type;
	l->v[l->n].size = o->size;
	l->v[l->n].nel = o->elem_size == tsize(l->rt, o->type) ? o->size / o->elem_size : 1;
	l->v[l->n].copy = NULL;
	l->n++;
	return 0;
}

static int by_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct shadow *)a)->p, y = (uintptr_t)((const struct shadow *)b)->p;

	return x < y ? -1 : x > y;
}

/* The live synchronized objects, sorted by address (NULL, 0 when none or out of memory). */
static struct shadow *snapshot(struct kc_rt *rt, size_t *n)
{
	struct objs l = { rt, NULL, 0, 0, 0 };

	*n = 0;
	for (;;) {
		l.cap = kc_objt_count(RT_OBJT(rt)) + 16;
		l.v = kc_os_alloc(l.cap * sizeof(*l.v));
		if (!l.v)
			return NULL;
		l.n = 0;
		l.full = 0;
		kc_objt_foreach(RT_OBJT(rt), collect, &l);
		if (!l.full)
			break;
		kc_os_free(l.v); /* objects tracked meanwhile: again, larger */
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), by_ptr);
	*n = l.n;
	return l.v;
}

static struct shadow *find(struct kc_sync *s, const uint8_t *p)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].p == p)
			return &s->v[mid];
		if ((uintptr_t)s->v[mid].p < (uintptr_t)p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The last shadow starting at or below p (the object p may point into), or NULL; under s->lock. */
static struct shadow *find_below(struct kc_sync *s, const void *p)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)s->v[mid].p <= (uintptr_t)p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &s->v[lo - 1] : NULL;
}

/*
 * The kernel half's values arrived (a handler's arguments, a call's results): every synchronized
 * object's shadow becomes its current bytes. Objects that went away lose their shadow; new ones
 * get one. The user half's own writes were flushed before it made the crossing that brought
 * these values, so nothing unsent is lost.
 */
void kc_sync__refresh(struct kc_rt *rt)
{
	struct kc_sync *s;
	struct shadow *v;
	size_t n, i, j = 0;

	if (!enabled(rt) || !(s = state(rt)))
		return;
	if (s->changes && s->changes - 1 == kc_objt_changes(RT_OBJT(rt))) {
		/* the same objects as last time: only their bytes */
		kc_os_lock(s->lock);
		for (i = 0; i < s->n; i++)
			if (s->v[i].copy && s->v[i].size)
				memcpy(s->v[i].copy, s->v[i].p, s->v[i].size);
		kc_os_unlock(s->lock);
		return;
	}
	s->changes = kc_objt_changes(RT_OBJT(rt)) + 1;
	v = snapshot(rt, &n);
	if (!v && n)
		return;
	kc_os_lock(s->lock);
	for (i = 0; i < n; i++) {
		/* reuse the old shadow of the same object (both lists are sorted) */
		while (j < s->n && (uintptr_t)s->v[j].p < (uintptr_t)v[i].p) {
			kc_os_free(s->v[j].copy);
			s->v[j++].copy = NULL;
		}
		if (j < s->n && s->v[j].p == v[i].p && s->v[j].size == v[i].size && s->v[j].type == v[i].type) {
			v[i].copy = s->v[j].copy;
			s->v[j++].copy = NULL;
		} else if (j < s->n && s->v[j].p == v[i].p) {
			kc_os_free(s->v[j].copy);
			s->v[j++].copy = NULL;
		}
		if (!v[i].copy && born_take(s, v[i].p)) {
			/* a fresh allocation that got its type before this refresh: the kernel half's
			 * object is zeros, what the user half wrote is still to go */
			v[i].copy = kc_os_zalloc(v[i].size);
			continue;
		}
		if (!v[i].copy)
			v[i].copy = kc_os_alloc(v[i].size);
		if (v[i].copy)
			memcpy(v[i].copy, v[i].p, v[i].size);
	}
	for (; j < s->n; j++)
		kc_os_free(s->v[j].copy);
	kc_os_free(s->v);
	s->v = v;
	s->n = n;
	kc_os_unlock(s->lock);
}

void kc_wire_sync_mark(struct kc_rt *rt)
{
	if (rt)
		kc_sync__refresh(rt);
}

void kc_wire_sync_touch(struct kc_rt *rt, const void *p, size_t n)
{
	struct kc_sync *s = rt ? RT_SYNC(rt) : NULL;
	struct shadow *o;
	size_t i;

	if (!p || !s || !SIDE_USER(rt))
		return;
	kc_os_lock(s->lock);
	o = find_below(s, p);
	if (o) {
		size_t off = (size_t)((const uint8_t *)p - o->p);

		if (o->copy && off < o->size)
			for (i = 0; i < n && off + i < o->size; i++)
				o->copy[off + i] = (uint8_t)~((const uint8_t *)p)[i];
	}
	kc_os_unlock(s->lock);
}

void kc_wire_sync_fresh(struct kc_rt *rt, const void *p)
{
	struct kc_sync *s;

	if (!rt || !p || !SIDE_USER(rt) || !enabled(rt) || !(s = state(rt)))
		return;
	kc_os_lock(s->lock);
	s->born_seq++;
	s->born[s->bhead] = p;
	s->bhead = (s->bhead + 1) % SYNC_BORN_MAX;
	if (s->nborn < SYNC_BORN_MAX)
		s->nborn++;
	kc_os_unlock(s->lock);
}

/* Is p a fresh allocation without a shadow yet? Forgets it (s->lock held). */
static int born_take(struct kc_sync *s, const void *p)
{
	size_t i;

	for (i = 0; i < s->nborn; i++)
		if (s->born[i] == p) {
			s->born[i] = NULL;
			return 1;
		}
	return 0;
}

void kc_sync__typed(struct kc_rt *rt)
{
	if (RT_SYNC(rt))
		RT_SYNC(rt)->typed = 1; /* read by the flush that holds the lock (this thread) */
}

/* ---- objects the user half freed ---- */

#ifndef __KERNEL__
static _Thread_local int tls_flushing; /* this thread holds s->lock in kc_sync__flush */
static _Thread_local int tls_in_flush;  /* ... or is sending what it encoded */
#else
/* kcut_rt.ko is only ever the kernel side: the user side's flush, the only writer, returns
 * before it sets them (enabled() is 0 there) */
static int tls_flushing, tls_in_flush;
#endif

static struct dead *dead_of(struct kc_sync *s, const void *p)
{
	size_t i;

	for (i = 0; i < s->ndead; i++)
		if (s->dead[i].size && (const uint8_t *)p >= s->dead[i].p &&
		    (const uint8_t *)p < s->dead[i].p + s->dead[i].size)
			return &s->dead[i];
	return NULL;
}

void kc_wire_sync_freed(struct kc_rt *rt, const void *p)
{
	struct kc_objt_info in;
	struct kc_sync *s;
	struct shadow *o;
	size_t off;
	uint64_t h;

	if (!rt || !p || !SIDE_USER(rt))
		return;
	if (kc_objt_handle_of(RT_OBJT(rt), &h, &off, p) || off || kc_objt_info(RT_OBJT(rt), &in, h))
		return; /* not an object that crossed: the user half's own memory */
	s = state(rt);
	if (s)
		kc_os_lock(s->lock);
	if (s && (o = find(s, p)) != NULL) {
		/* its shadow goes with it (the list stays sorted: the entry is emptied) */
		kc_os_free(o->copy);
		o->copy = NULL;
		o->size = 0;
	}
	kc_objt_untrack(RT_OBJT(rt), p); /* the kernel half freed its object: forget the copy now */
	if (s) {
		size_t i, k;

		/* a pointer to it in a synchronized object goes down as NULL at the next flush: make
		 * every aligned word of a shadow that holds it look changed (the diff finds the field) */
		for (i = 0; i < s->n; i++)
			for (k = 0; s->v[i].copy && k + sizeof(void *) <= s->v[i].size; k += sizeof(void *)) {
				const void *w;

				memcpy(&w, s->v[i].p + k, sizeof(w));
				if (w == p)
					s->v[i].copy[k] = (uint8_t)~s->v[i].copy[k];
			}
		s->dead[s->dhead].p = p;
		s->dead[s->dhead].size = in.size ? in.size : 1;
		s->dead[s->dhead].fresh = 1;
		s->dhead = (s->dhead + 1) % SYNC_DEAD_MAX;
		if (s->ndead < SYNC_DEAD_MAX)
			s->ndead++;
		s->nfresh++;
		kc_os_unlock(s->lock);
	}
}

int kc_sync__changed(struct kc_rt *rt, const void *p)
{
	struct kc_sync *s;
	struct shadow *o;
	size_t i;
	int r = 0;

	if (!rt || !p || !SIDE_USER(rt) || !enabled(rt) || !(s = RT_SYNC(rt)))
		return 0;
	kc_os_lock(s->lock);
	o = find(s, p);
	if (o && o->copy)
		r = memcmp(o->p, o->copy, o->size) != 0;
	for (i = 0; !r && !(o && o->copy) && i < s->nborn; i++)
		r = s->born[i] == p; /* fresh, its writes not sent yet */
	kc_os_unlock(s->lock);
	return r;
}

/* ---- what the kernel freed (kernel side) ----
 *
 * The kernel half's encoders of whole objects, the trailer of every reply (kc_sync__put_back) and
 * the recovery hook, follow pointer fields. A live object may still point to one the kernel freed
 * (chip->pcm after snd_card_free freed the PCM, in the same downcall; the driver never reads it
 * again): such a pointer goes as NULL and is not read. kc_rt__forget_range (the kernel's frees:
 * kc_wire_freed) records freed ranges that held a tracked object; a pointer into one that is not
 * tracked again goes as NULL (kc_wire_put_ptr asks kc_sync__is_dead) and is not followed (the
 * generated encoders ask kc_wire_sync_gone). A range leaves the record when the kernel allocates
 * in it again (kc_wire_alloced): without that report a new object at a freed one's address could
 * not be told from a dangling pointer, so the record stays off where the endpoint does not report
 * allocations (kcut_rt.ko today). At most SYNC_DEAD_MAX ranges: older ones are forgotten.
 */
static int kdead(struct kc_sync *s, const void *p)
{
	int r;

	kc_os_lock(s->dlock);
	r = s->kfree_on && dead_of(s, p) != NULL;
	kc_os_unlock(s->dlock);
	return r;
}

/* Remember that the object at [p, p + size) changed identity (dlock held): put_back's shadows
 * compare bytes, and a pointer to a new object the allocator put at a freed one's address looks
 * unchanged. */
static void since_add(struct kc_sync *s, const void *p, size_t size, int how)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + (size ? size : 1);

	if (s->nsince < SYNC_SINCE_MAX) {
		s->since[s->nsince].p = p;
		s->since[s->nsince].size = size ? size : 1;
		s->since[s->nsince].fresh = how;
		s->nsince++;
		return;
	}
	if (!s->over_hi || lo < s->over_lo)
		s->over_lo = lo;
	if (hi > s->over_hi)
		s->over_hi = hi;
}

void kc_sync__kchanged(struct kc_rt *rt, const void *p, size_t size)
{
	struct kc_sync *s = RT_SYNC(rt);

	if (!p || !s || SIDE_USER(rt))
		return;
	kc_os_lock(s->dlock);
	since_add(s, p, size, SINCE_RELEASED);
	kc_os_unlock(s->dlock);
}

void kc_sync__kfreed(struct kc_rt *rt, const void *p, size_t size)
{
	struct kc_sync *s = RT_SYNC(rt);

	if (!p || !s || SIDE_USER(rt))
		return;
	kc_os_lock(s->dlock);
	since_add(s, p, size, SINCE_FREED); /* also where allocations are not reported (kcut_rt.ko) */
	if (!s->kfree_on) {
		kc_os_unlock(s->dlock);
		return;
	}
	s->dead[s->dhead].p = p;
	s->dead[s->dhead].size = size ? size : 1;
	s->dead[s->dhead].fresh = 0;
	s->dhead = (s->dhead + 1) % SYNC_DEAD_MAX;
	if (s->ndead < SYNC_DEAD_MAX)
		s->ndead++;
	kc_os_unlock(s->dlock);
}

void kc_wire_alloced(struct kc_rt *rt, const void *p, size_t size)
{
	struct kc_sync *s;
	uintptr_t lo = (uintptr_t)p, hi = lo + (size ? size : 1);
	size_t i;

	if (!rt || SIDE_USER(rt) || (!(s = RT_SYNC(rt)) && !(s = state(rt))))
		return;
	kc_os_lock(s->dlock);
	s->kfree_on = 1; /* the endpoint reports its allocations: the record is on from now */
	for (i = 0; p && i < s->nsince; i++)
		if ((uintptr_t)s->since[i].p < hi && lo < (uintptr_t)s->since[i].p + s->since[i].size)
			s->since[i].fresh |= SINCE_NEW; /* a live object there now */
	for (i = 0; p && i < s->ndead; i++)
		if (s->dead[i].size && (uintptr_t)s->dead[i].p < hi &&
		    lo < (uintptr_t)s->dead[i].p + s->dead[i].size) {
			since_add(s, s->dead[i].p, s->dead[i].size, SINCE_NEW); /* a new object there */
			s->dead[i].p = NULL; /* alive again: its place in the ring stays, empty */
			s->dead[i].size = 0;
		}
	kc_os_unlock(s->dlock);
}

int kc_sync__is_dead(struct kc_rt *rt, const void *p)
{
	struct kc_sync *s = RT_SYNC(rt);
	int r;

	if (!p || !s)
		return 0;
	if (!SIDE_USER(rt))
		return kdead(s, p);
	if (tls_flushing)
		return dead_of(s, p) != NULL; /* kc_sync__flush holds the lock */
	kc_os_lock(s->lock);
	r = dead_of(s, p) != NULL;
	kc_os_unlock(s->lock);
	return r;
}

int kc_wire_sync_gone(struct kc_rt *rt, const void *p)
{
	uint64_t h;
	size_t off;

	if (!rt || !p || !RT_SYNC(rt) || !kc_objt_handle_of(RT_OBJT(rt), &h, &off, p))
		return 0;
	return kc_sync__is_dead(rt, p);
}

int kc_wire_sync_dead(struct kc_rt *rt, const void *p)
{
	struct kc_sync *s = rt ? RT_SYNC(rt) : NULL;
	struct dead *d;
	uint64_t h;
	size_t off;

	/* only from the encoders kc_sync__flush runs (its lock held); a live object again (the
	 * address was reused) is not dead */
	if (!p || !s || !tls_flushing || !s->nfresh || !kc_objt_handle_of(RT_OBJT(rt), &h, &off, p))
		return 0;
	d = dead_of(s, p);
	return d && d->fresh;
}

/* ---- flush (user side) ---- */

/* Send the encoded changes (n objects in buf). */
static int send_sync(struct kc_rt *rt, const uint8_t *buf, size_t len, uint32_t n)
{
	struct kc_rt_call *c;
	struct kc_xdr *a, *r;
	int rc;

	rc = kc_rt__call_begin_rt(&c, &a, rt, KC_RT_FN_SYNC);
	if (rc)
		return rc;
	kc_xdr_put_u32(a, n);
	kc_xdr_put_fixed(a, buf, len); /* XDR units already: no padding */
	rc = kc_xdr_error(a);
	if (!rc)
		rc = kc_rt_call_invoke(c, &r);
	return kc_rt_call_end(c, rc);
}

/*
 * Encode into x the changed fields of every synchronized object (s->lock held), updating the
 * shadows of what went in; *nobj counts the objects. Returns 1 when x filled up before the end
 * (the rest waits for the next pass), 0 when done.
 */
static int encode_changes(struct kc_rt *rt, struct kc_sync *s, struct kc_xdr *x, uint32_t *nobj)
{
	const struct kc_wire_tables *t = tab(rt);
	size_t i, k, off;
	uint64_t h;

	for (i = 0; i < s->n; i++) {
		struct shadow *o = &s->v[i];
		size_t nel = o->nel, esz = nel > 1 ? tsize(rt, o->type) : o->size;

		if (!o->copy || kc_objt_handle_of(RT_OBJT(rt), &h, &off, o->p) || off)
			continue; /* gone (released by the kernel half since the last refresh) */
		if (!memcmp(o->p, o->copy, o->size))
			continue; /* nothing changed in it */
		for (k = 0; k < nel; k++) {
			const uint8_t *cur = o->p + k * esz;
			uint8_t *sh = o->copy + k * esz;
			size_t at = kc_xdr_pos(x), hdr;
			int erc = 0;

			if (!memcmp(cur, sh, esz))
				continue;
			kc_xdr_put_u32(x, o->type);
			erc = kc_wire_put_ptr(rt, x, cur, o->type, tsize(rt, o->type), 1, 0);
			hdr = kc_xdr_pos(x);
			if (!erc)
				t->sync_enc(x, o->type, (void *)(uintptr_t)cur, sh, &erc);
			if (kc_xdr_error(x) == KC_ENOMEM && !erc) {
				x->pos = at;
				x->err = 0;
				if (at == 0) {
					kc_os_log("user half: kcut sync: the changes of one object do not fit a message");
					memcpy(sh, cur, esz);
					continue;
				}
				return 1;
			}
			if (erc || kc_xdr_error(x)) {
				kc_os_log("user half: kcut sync: an object of type %u could not be encoded: %s", o->type,
					  kc_rt_strerror(erc ? erc : kc_xdr_error(x)));
				x->pos = at;
				x->err = 0;
				continue;
			}
			memcpy(sh, cur, esz);
			if (kc_xdr_pos(x) == hdr + 4) {
				x->pos = at; /* no synchronized field changed (only other bytes) */
				continue;
			}
			(*nobj)++;
		}
	}
	return 0;
}

/*
 * Fresh allocations that took a struct type since the last refresh (during this flush: the
 * adapter's new tx_ring pointer went down typed): no shadow yet, so encode them against zeros and
 * give them one, in the same message (after the pointer that typed them). s->lock held.
 */
static int encode_born(struct kc_rt *rt, struct kc_sync *s, struct kc_xdr *x, uint32_t *nobj)
{
	struct shadow *v, *nv;
	size_t n, i, add = 0;
	int more = 0;

	uint64_t changes = kc_objt_changes(RT_OBJT(rt)), seq = s->born_seq;

	kc_os_unlock(s->lock); /* the tracker walk takes the tracker's lock only */
	v = snapshot(rt, &n);
	kc_os_lock(s->lock);
	s->born_changes = changes + 1;
	s->born_seen = seq;
	if (!v)
		return 0;
	for (i = 0; i < n; i++) {
		if (find(s, v[i].p) || !born_take(s, v[i].p))
			continue;
		v[add++] = v[i];
	}
	if (!add) {
		kc_os_free(v);
		return 0;
	}
	nv = kc_os_alloc((s->n + add) * sizeof(*nv));
	if (!nv) {
		kc_os_free(v);
		return 0;
	}
	memcpy(nv, s->v, s->n * sizeof(*nv));
	for (i = 0; i < add; i++) {
		v[i].copy = kc_os_zalloc(v[i].size);
		nv[s->n + i] = v[i];
	}
	kc_os_free(s->v);
	s->v = nv;
	s->n += add;
	qsort(s->v, s->n, sizeof(*s->v), by_ptr);
	kc_os_free(v);
	more = encode_changes(rt, s, x, nobj); /* the old ones again: unchanged, nothing goes */
	return more;
}

/* Did anything happen since encode_born last looked that could make a born allocation a
 * synchronized object (s->lock held)? */
static int born_due(struct kc_rt *rt, struct kc_sync *s)
{
	return s->typed || (s->nborn && (s->born_changes != kc_objt_changes(RT_OBJT(rt)) + 1 ||
					 s->born_seen != s->born_seq));
}

void kc_sync__flush(struct kc_rt *rt)
{
	struct kc_sync *s;
	struct kc_xdr x;
	uint8_t *buf = NULL;
	int more, rc = 0;

	if (tls_in_flush || !enabled(rt) || !(s = RT_SYNC(rt)) || !s->n)
		return;
	kc_os_lock(s->lock);
	if (s->nbuf)
		buf = s->buf[--s->nbuf];
	kc_os_unlock(s->lock);
	if (!buf)
		buf = kc_os_alloc(SYNC_MSG_MAX);
	if (!buf)
		return;
	tls_in_flush = 1;
	do {
		uint32_t nobj = 0;

		kc_xdr_init_enc(&x, buf, SYNC_MSG_MAX);
		kc_os_lock(s->lock);
		tls_flushing = 1;
		s->typed = 0;
		more = encode_changes(rt, s, &x, &nobj);
		if (!more && born_due(rt, s))
			more = encode_born(rt, s, &x, &nobj);
		if (!more) {
			size_t i;

			for (i = 0; i < s->ndead; i++)
				s->dead[i].fresh = 0;
			s->nfresh = 0;
		}
		tls_flushing = 0;
		kc_os_unlock(s->lock);
		if (nobj)
			rc = send_sync(rt, buf, kc_xdr_pos(&x), nobj);
	} while (more && !rc);
	tls_in_flush = 0;
	if (rc)
		kc_os_log("user half: kcut sync: the kernel half did not take the user half's changes: %s",
			  kc_rt_strerror(rc));
	kc_os_lock(s->lock);
	if (s->nbuf < SYNC_BUF_KEEP) {
		s->buf[s->nbuf++] = buf;
		buf = NULL;
	}
	kc_os_unlock(s->lock);
	kc_os_free(buf);
}

/* ---- KC_RT_FN_SYNC (kernel side) ---- */

/*
 * The user half's changed fields, written into the kernel's objects. The objects' memory must stay
 * while they are written: KC_RT_FN_SYNC comes from any thread of the user half (every crossing
 * flushes first), so it may name an object another kernel thread is freeing right then (an
 * upcall's ethtool_eeprom, freed by the ethtool core as the upcall returns: hostile_simnic_bulk's
 * heap-use-after-free, issue 14). Whoever frees tracked memory forgets it under free_lock first
 * (kc_wire_freed, kc_rt_obj_free), so the whole decode, and the undo log's play-back when it is
 * refused, runs under free_lock: an object is either forgotten before (its handle is stale: the
 * message is refused) or freed after the message is done with it.
 */
static int serve_sync(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	const struct kc_wire_tables *t = tab(rt);
	struct kc_os_mutex *flock = kc_rt__wire(rt)->free_lock;
	uint32_t n = kc_xdr_get_u32(args), i;
	int rc = 0;

	(void)res;
	if (!t || !t->sync_has || !t->sync_dec || n > (args->cap - args->pos) / 8)
		rc = KC_RT_EPROTO;
	if (flock)
		kc_os_lock(flock);
	for (i = 0; i < n && !rc; i++) {
		uint32_t ty = kc_xdr_get_u32(args);
		struct kc_wire_ptr sp = { 0 };
		void *p;

		if (kc_xdr_error(args) || !synced_type(rt, ty)) {
			rc = KC_RT_EPROTO;
			break;
		}
		sp.type = ty;
		sp.need = tsize(rt, ty);
		p = kc_wire_get_ptr(rt, args, &sp, NULL, &rc);
		if (!rc && (!p || kc_xdr_error(args)))
			rc = KC_RT_EPROTO;
		if (!rc)
			t->sync_dec(args, ty, p, &rc);
	}
	if (!rc && kc_xdr_dec_done(args))
		rc = KC_RT_EPROTO;
	if (rc) /* all or nothing: kc_wire_fault plays the decoders' writes back (kc_wire_undo) */
		rc = kc_wire_fault(rt, rc, "kcut sync");
	else /* the user half's own changes: every one of them stays (kc_sync__stale) */
		kc_wire__undo_keep(rt);
	if (flock)
		kc_os_unlock(flock);
	return rc;
}

kc_rt_handler kc_sync__handler(uint32_t fn)
{
	return fn == KC_RT_FN_SYNC ? serve_sync : NULL;
}

/*
 * Kernel side, for every field a decoded message from the user half wrote (the undo log's entries,
 * at kc_wire_undo_commit): keep the kernel half's own value instead? A marshaled argument or
 * upcall result carries the user half's copy of every field the callee may read or the upcall
 * may write, changed or not. For an object the kernel half sends back with its replies (a ring,
 * a buffer array, the net_device and its private area: it has a shadow here) every such field is
 * in the sync set (plan_sync.c: the fields the user half writes and those it holds), and the user
 * half's changes to it came before the message, with its flush (kc_sync__flush precedes every
 * crossing the user half makes, its replies included). So the marshaled value is the kernel
 * half's own, or older: one the interrupt handler or the transmit path changed since (a ring's
 * next_to_use, a queued frame's skb and mapping), which it would move back, or a replayed
 * message's. The kernel half's value stays. A new object at a known address (another handle) is
 * not that object; objects without a shadow (a call's stack copy, an allocation not yet typed)
 * take the message's values. KC_RT_FN_SYNC's own writes (the user half's changes) all stay.
 */
int kc_sync__stale(struct kc_rt *rt, const void *p, const void *old, size_t n)
{
	struct kc_sync *s = RT_SYNC(rt);
	const struct shadow *o;
	size_t off;
	uint64_t h;
	int r = 0;

	(void)old;
	if (SIDE_USER(rt) || !s || !p || !n || kc_objt_handle_of(RT_OBJT(rt), &h, &off, p))
		return 0;
	kc_os_lock(s->lock);
	o = find_below(s, p);
	off = o ? (size_t)((const uint8_t *)p - o->p) : 0;
	r = o && o->h == h && off < o->size && n <= o->size - off;
	kc_os_unlock(s->lock);
	return r;
}

/* ---- the kernel half's changes, back with every reply ---- */

/*
 * Kernel side. The user half sent its changes before the crossing this reply answers (a flush
 * precedes every crossing it makes), so the kernel half's copy of every field the user half
 * writes is at least as new as the user half's: sending the kernel half's values of an object back
 * overwrites nothing the user half has not seen. What goes: the recovery field set (every field
 * the user half may hold; plan_recover.c) of each tracked object of a type with recovery helpers
 * whose bytes changed since they last went back (a kernel-side shadow per object). The user half
 * waiting for what the interrupt handler sets (the interrupt self-test's test_icr, the link flag)
 * sees it after its next crossing (a register read, msleep), as it would after the delay in the
 * unsplit driver.
 */
struct kobjs {
	struct kc_rt *rt;
	struct shadow *v;
	size_t n, cap;
	int full;
};

static int kcollect(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	struct kobjs *l = arg;
	const struct kc_wire_tables *t = tab(l->rt);

	if (!o->type || o->type >= t->ntypes || !t->recover_has[o->type] || !t->sync_back[o->type] ||
	    !tsize(l->rt, o->type) ||
	    o->size < tsize(l->rt, o->type))
		return 0;
	if (l->n == l->cap) {
		l->full = 1;
		return 1;
	}
	l->v[l->n].p = o->ptr;
	l->v[l->n].h = h;
	l->v[l->n].type = o->type;
	l->v[l->n].size = o->size;
	l->v[l->n].nel = o->elem_size == tsize(l->rt, o->type) ? o->size / o->elem_size : 1;
	l->v[l->n].copy = NULL;
	l->n++;
	return 0;
}

static struct kc_sync *kstate(struct kc_rt *rt)
{
	return state(rt); /* the same structure, kernel-side objects */
}

/* What changed identity since the last reply (struct kc_sync's since[], taken under dlock). */
struct since {
	struct dead *v; /* sorted by p */
	size_t n;
	uintptr_t over_lo, over_hi;
	int safe;       /* a pointer to freed memory goes as NULL (kfree_on): any marked word may go */
};

static int by_dead(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct dead *)a)->p, y = (uintptr_t)((const struct dead *)b)->p;

	return x < y ? -1 : x > y;
}

/* Take the record (and empty it). 0, or KC_ENOMEM: every object then goes again in full. */
static int since_take(struct kc_sync *s, struct since *d)
{
	int rc = 0;

	memset(d, 0, sizeof(*d));
	kc_os_lock(s->dlock);
	if (s->nsince && !(d->v = kc_os_alloc(s->nsince * sizeof(*d->v)))) {
		rc = KC_ENOMEM;
	} else if (s->nsince) {
		memcpy(d->v, s->since, s->nsince * sizeof(*d->v));
		d->n = s->nsince;
	}
	d->over_lo = s->over_lo;
	d->over_hi = s->over_hi;
	d->safe = s->kfree_on;
	s->nsince = 0;
	s->over_lo = s->over_hi = 0;
	kc_os_unlock(s->dlock);
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), by_dead);
	return rc;
}

/* Does word w point into memory whose object changed? -1: no; else how (SINCE_* of the records
 * of the last range starting at or below w; the overflow range: SINCE_RELEASED). */
static int since_hit(const struct since *d, uintptr_t w)
{
	size_t lo = 0, hi = d->n;
	int how = -1;

	while (lo < hi) { /* past the last range starting at or below w */
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)d->v[mid].p <= w)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; lo && d->v[lo - 1].p == d->v[hi - 1].p; lo--)
		if (w - (uintptr_t)d->v[lo - 1].p < d->v[lo - 1].size)
			how = (how < 0 ? 0 : how) | d->v[lo - 1].fresh;
	if (how < 0 && d->over_hi && w >= d->over_lo && w < d->over_hi)
		how = SINCE_RELEASED;
	return how;
}
/* Make each word of o's shadow that still equals the object's and points into memory whose object
 * changed since the last reply look changed, so the element goes again and its pointer field
 * with the handle of what is there now: an rx ring's buffer whose skb the stack freed and whose
 * refill got a new skb at the same address (the user half still held the old one's released
 * handle). Only where that is safe to send: a tracked object (its handle goes), a new allocation
 * (tracked as it goes), or freed memory where such a pointer goes as NULL (d->safe: the endpoint
 * reports allocations, kc_sync__is_dead). A dangling pointer sent otherwise would have freed
 * memory (or a finished call's stack) tracked as a new object. */
static void since_mark(struct kc_rt *rt, const struct since *d, struct shadow *o)
{
	size_t k, off;
	uint64_t h;

	for (k = 0; k + sizeof(void *) <= o->size; k += sizeof(void *)) {
		uintptr_t w;
		int how;

		memcpy(&w, o->copy + k, sizeof(w));
		if (!w || memcmp(o->copy + k, o->p + k, sizeof(w)) || (how = since_hit(d, w)) < 0)
			continue;
		if ((how & SINCE_NEW) || (d->safe && (how & SINCE_FREED)) ||
		    !kc_objt_handle_of(RT_OBJT(rt), &h, &off, (const void *)w))
			o->copy[k] = (uint8_t)~o->p[k];
	}
}

uint32_t kc_sync__put_back(struct kc_rt *rt, unsigned inc, uint8_t *buf, uint32_t len, uint32_t cap,
			   uint32_t *flags)
{
	struct since d;
	int dall;
	const struct kc_wire_tables *t = tab(rt);
	struct kc_os_mutex *flock = kc_rt__wire(rt)->free_lock;
	struct kobjs l = { rt, NULL, 0, 0, 0 };
	struct kc_objt_info in;
	struct kc_sync *s;
	struct kc_xdr x;
	size_t i, j = 0;
	uint32_t n = 0;

	if (SIDE_USER(rt) || !t || !t->sync_dec || !t->sync_back || !t->recover_has || !t->recover_enc ||
	    !t->type_size ||
	    cap < len + 8 || !(s = kstate(rt)))
		return len;
	for (;;) {
		l.cap = kc_objt_count(RT_OBJT(rt)) + 16;
		l.v = kc_os_alloc(l.cap * sizeof(*l.v));
		if (!l.v)
			return len;
		l.n = 0;
		l.full = 0;
		kc_objt_foreach(RT_OBJT(rt), kcollect, &l);
		if (!l.full)
			break;
		kc_os_free(l.v);
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), by_ptr);
	kc_xdr_init_enc(&x, buf + len, cap - len - 8);
	kc_os_lock(s->lock);
	dall = since_take(s, &d);
	if (inc < s->inc) {
		/* a reply to a user half that died (a newer one runs): the shadows describe the
		 * newer one's copies, which this reply never reaches */
		kc_os_unlock(s->lock);
		kc_os_free(l.v);
		kc_os_free(d.v);
		return len;
	}
	if (inc != s->inc) {
		/* a new incarnation: its copies hold only what the recovery hook re-sent (each
		 * object's first element) and what its crossings carried, not what went to the one
		 * before it: forget the shadows, every object goes again in full (elements that do not
		 * fit this reply go with later ones) */
		for (j = 0; j < s->n; j++)
			kc_os_free(s->v[j].copy);
		kc_os_free(s->v);
		s->v = NULL;
		s->n = 0;
		j = 0;
		s->inc = inc;
	}
	for (i = 0; i < l.n; i++) {
		struct shadow *o = &l.v[i];
		size_t at;
		int erc = 0;

		while (j < s->n && (uintptr_t)s->v[j].p < (uintptr_t)o->p) {
			kc_os_free(s->v[j].copy);
			s->v[j++].copy = NULL;
		}
		if (j < s->n && s->v[j].p == o->p) {
			/* another handle at the same address is a new object: it goes in full */
			if (s->v[j].size == o->size && s->v[j].type == o->type && s->v[j].h == o->h)
				o->copy = s->v[j].copy;
			else
				kc_os_free(s->v[j].copy);
			s->v[j++].copy = NULL;
		}
		if (o->copy && dall) {
			kc_os_free(o->copy); /* the record is lost: in full */
			o->copy = NULL;
		} else if (o->copy && (d.n || d.over_hi)) {
			since_mark(rt, &d, o);
		}
		/* the object's memory must stay while it is read: the kernel's frees (kc_wire_freed,
		 * another thread) forget it under free_lock first, so it is either still tracked
		 * here or cannot be freed before the encoding is done (as in the recovery hook) */
		if (flock)
			kc_os_lock(flock);
		if (kc_objt_info(RT_OBJT(rt), &in, o->h) || in.ptr != o->p) {
			if (flock)
				kc_os_unlock(flock);
			kc_os_free(o->copy); /* freed meanwhile: the next reply's list has it no more */
			o->copy = NULL;
			continue;
		}
		if (o->copy && !memcmp(o->copy, o->p, o->size)) {
			if (flock)
				kc_os_unlock(flock);
			continue; /* unchanged since it last went */
		}
		{
			size_t nel = o->nel, esz = nel > 1 ? tsize(rt, o->type) : o->size, k;
			int fresh = !o->copy, lost = 0;

			if (fresh && !(o->copy = kc_os_zalloc(o->size))) {
				if (flock)
					kc_os_unlock(flock);
				continue;
			}
			for (k = 0; k < nel; k++) {
				const uint8_t *cur = o->p + k * esz;

				if (!fresh && !memcmp(o->copy + k * esz, cur, esz))
					continue;
				at = kc_xdr_pos(&x);
				kc_xdr_put_u32(&x, o->type);
				erc = kc_wire_put_ptr(rt, &x, cur, o->type, tsize(rt, o->type), 1, 0);
				if (!erc)
					t->recover_enc(&x, o->type, (void *)(uintptr_t)cur, &erc);
				if (erc || kc_xdr_error(&x)) {
					/* no room in this reply (or not encodable): a later reply takes it */
					x.pos = at;
					x.err = 0;
					lost = 1;
					continue;
				}
				memcpy(o->copy + k * esz, cur, esz);
				n++;
			}
			/* elements that did not fit keep their old (or zero) shadow: a later reply
			 * sends them */
			(void)lost;
		}
		if (flock)
			kc_os_unlock(flock);
	}
	for (; j < s->n; j++)
		kc_os_free(s->v[j].copy);
	kc_os_free(s->v);
	s->v = l.v;
	s->n = l.n;
	kc_os_unlock(s->lock);
	kc_os_free(d.v);
	if (!n)
		return len;
	{
		uint32_t elen = (uint32_t)kc_xdr_pos(&x);
		struct kc_xdr tl;

		kc_xdr_init_enc(&tl, buf + len + elen, 8);
		kc_xdr_put_u32(&tl, n);
		kc_xdr_put_u32(&tl, elen);
		*flags |= KC_MSG_F_SYNC;
		return len + elen + 8;
	}
}

int kc_sync__take_back(const uint8_t *payload, uint32_t *len, uint8_t **out, uint32_t *outlen)
{
	struct kc_xdr x;
	uint32_t n, elen;

	*out = NULL;
	*outlen = 0;
	if (*len < 8)
		return KC_RT_EPROTO;
	kc_xdr_init_dec(&x, payload + *len - 8, 8);
	n = kc_xdr_get_u32(&x);
	elen = kc_xdr_get_u32(&x);
	if (!n || elen > *len - 8 || elen % 4)
		return KC_RT_EPROTO;
	*out = kc_os_alloc((size_t)elen + 4);
	if (!*out)
		return KC_ENOMEM;
	/* n first, then the objects: one buffer for kc_sync__apply_back */
	kc_xdr_init_enc(&x, *out, 4);
	kc_xdr_put_u32(&x, n);
	memcpy(*out + 4, payload + *len - 8 - elen, elen);
	*outlen = elen + 4;
	*len -= elen + 8;
	return 0;
}

void kc_sync__apply_back(struct kc_rt *rt, uint8_t *buf, uint32_t len)
{
	const struct kc_wire_tables *t = tab(rt);
	struct kc_xdr x;
	uint32_t n, i;
	int rc = 0;

	kc_xdr_init_dec(&x, buf, len);
	n = kc_xdr_get_u32(&x);
	for (i = 0; i < n && !rc && t && t->recover_dec && t->recover_has; i++) {
		uint32_t ty = kc_xdr_get_u32(&x);
		void *p = kc_wire_get_ptr(rt, &x, NULL, NULL, &rc);

		if (!rc && (!p || kc_xdr_error(&x) || !ty || ty >= t->ntypes || !t->recover_has[ty]))
			rc = KC_RT_EPROTO;
		if (!rc)
			t->recover_dec(&x, ty, p, &rc);
	}
	if (rc || kc_xdr_error(&x))
		kc_os_log("user half: kcut sync: the kernel half's changes could not be applied: %s",
			  kc_rt_strerror(rc ? rc : kc_xdr_error(&x)));
	kc_os_free(buf);
}
