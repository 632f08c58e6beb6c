/*
 * objtrack.c - the object tracker: kernel objects <-> opaque handles <-> user-half copies.
 *
 * Only handles cross the boundary. A handle is (generation << 32) | (index + 1): the index picks
 * an entry in a table, the generation must match the entry's current one, so a handle of a
 * released object (stale) or a made-up number (forged) is rejected without touching memory it
 * names. Generations start at a per-tracker random value, so handles of one run or one tracker
 * do not validate in another. Entries also sit in a tree ordered by address range (tsearch from
 * libc; ranges never overlap), which turns an interior pointer into (handle, offset). On the
 * user side (owns_copies) entries are keyed by the kernel's handle in a second tree and own a
 * zeroed local copy allocated on first sight. One mutex guards everything; lookups are
 * O(1) by handle on the kernel side and O(log n) by address.
 *
 * Adoption: the user half may register memory it allocated itself (kc_objt_adopt) under a handle
 * it mints, with KC_OBJT_ADOPTED set in the low word (kernel-minted handles never have it: the
 * kernel's table is capped below 2^31 entries). Such handles are keyed in the by-handle tree on
 * both sides; the kernel side gives each one its own zeroed copy, of the size on the wire, on
 * first sight (kc_objt_import), allocated with the tracker's allocator and bounded in size and
 * number, so the kernel half still never accepts an address from the user half.
 */
#include "kcut_rt.h"
#include "os.h"

#include <search.h>
#include <stdlib.h>
#include <string.h>

struct ent {
	void *ptr;         /* kernel side: the object; user side: the local copy */
	size_t size;       /* bytes */
	size_t elem_size;  /* bytes per element (size for a single object) */
	uint64_t h;        /* the wire handle */
	uint32_t type;
	uint32_t gen;
	uint8_t used;
	uint8_t owned;     /* the tracker allocated ptr (import) and frees it on release */
	uint8_t in_hmap;   /* entry is in by_handle (user side: all; kernel side: adopted) */
};

struct kc_objt {
	struct kc_os_mutex *lock;
	int owns;
	struct ent *ents;
	size_t nents, cap;
	size_t *freelist;
	size_t nfree;
	size_t live;
	void *by_addr;     /* tree of struct ent * ordered by [ptr, ptr + size) */
	void *by_handle;   /* tree of struct ent * ordered by h (imported and adopted handles) */
	uint32_t gen0;
	uint64_t nminted;  /* user side: handles minted by kc_objt_adopt */
	size_t nadopted;   /* kernel side: live copies of adopted handles */
	void *(*zalloc)(size_t);
	void (*free)(void *);
};

/* Entries move when the table grows, so trees hold indexes boxed as pointers (index + 1). */
#define BOX(i) ((void *)(uintptr_t)((i) + 1))
#define UNBOX(p) ((size_t)(uintptr_t)(p) - 1)

static _Thread_local struct kc_objt *cmp_t; /* tree comparators need the table; set under the lock */
static _Thread_local const struct ent *cmp_key;

static const struct ent *ent_of(const void *boxed)
{
	if (boxed == (const void *)cmp_key)
		return cmp_key;
	return &cmp_t->ents[UNBOX(boxed)];
}

static int cmp_range(const void *a, const void *b)
{
	const struct ent *x = ent_of(a), *y = ent_of(b);
	uintptr_t xs = (uintptr_t)x->ptr, ys = (uintptr_t)y->ptr;
	uintptr_t xe = xs + (x->size ? x->size : 1), ye = ys + (y->size ? y->size : 1);

	if (xe <= ys)
		return -1;
	if (ye <= xs)
		return 1;
	return 0;
}

static int cmp_handle(const void *a, const void *b)
{
	const struct ent *x = ent_of(a), *y = ent_of(b);

	return x->h < y->h ? -1 : x->h > y->h;
}

int kc_objt_new(struct kc_objt **out, int owns_copies, struct kc_err *err)
{
	struct kc_objt *t;

	*out = NULL;
	t = kc_os_zalloc(sizeof(*t));
	if (!t)
		return kc_err_set(err, KC_ENOMEM, "object tracker: out of memory");
	t->lock = kc_os_mutex_new();
	if (!t->lock) {
		kc_os_free(t);
		return kc_err_set(err, KC_ENOMEM, "object tracker: out of memory");
	}
	t->owns = owns_copies;
	t->gen0 = (uint32_t)(kc_os_now_ns() ^ ((uintptr_t)t >> 4)) | 1u;
	t->zalloc = kc_os_zalloc;
	t->free = kc_os_free;
	*out = t;
	return 0;
}

void kc_objt_set_alloc(struct kc_objt *t, void *(*zalloc)(size_t), void (*release)(void *))
{
	kc_os_lock(t->lock);
	t->zalloc = zalloc ? zalloc : kc_os_zalloc;
	t->free = zalloc && release ? release : kc_os_free;
	kc_os_unlock(t->lock);
}

static void noop_free(void *p)
{
	(void)p;
}

void kc_objt_free(struct kc_objt *t)
{
	size_t i;

	if (!t)
		return;
	tdestroy(t->by_addr, noop_free);
	tdestroy(t->by_handle, noop_free);
	for (i = 0; i < t->nents; i++)
		if (t->ents[i].used && t->ents[i].owned)
			t->free(t->ents[i].ptr);
	kc_os_free(t->ents);
	kc_os_free(t->freelist);
	kc_os_mutex_free(t->lock);
	kc_os_free(t);
}

/* Take a free entry (growing the table); returns its index or (size_t)-1. Lock held. */
static size_t ent_get(struct kc_objt *t)
{
	size_t i;

	if (t->nfree)
		return t->freelist[--t->nfree];
	if (t->nents == t->cap) {
		size_t ncap = t->cap ? 2 * t->cap : 64;
		struct ent *ne;
		size_t *nf;

		if (ncap > KC_OBJT_ADOPTED - 1)
			return (size_t)-1; /* kernel handles must never look adopted */
		ne = realloc(t->ents, ncap * sizeof(*ne));
		if (!ne)
			return (size_t)-1;
		t->ents = ne;
		nf = realloc(t->freelist, ncap * sizeof(*nf));
		if (!nf)
			return (size_t)-1;
		t->freelist = nf;
		t->cap = ncap;
	}
	i = t->nents++;
	memset(&t->ents[i], 0, sizeof(t->ents[i]));
	t->ents[i].gen = t->gen0 + (uint32_t)i * 2654435761u;
	if (!t->ents[i].gen)
		t->ents[i].gen = 1;
	return i;
}

/* Drop entry i from both trees and the table; the generation moves on. The object is freed when
 * the tracker owns it and may_free is set. Lock held. */
static void ent_put(struct kc_objt *t, size_t i, int may_free)
{
	struct ent *e = &t->ents[i];

	tdelete(BOX(i), &t->by_addr, cmp_range);
	if (e->in_hmap)
		tdelete(BOX(i), &t->by_handle, cmp_handle);
	if (e->owned && may_free)
		t->free(e->ptr);
	if (!t->owns && kc_objt_is_adopted(e->h))
		t->nadopted--;
	e->used = 0;
	e->owned = 0;
	e->in_hmap = 0;
	e->ptr = NULL;
	e->gen++;
	if (!e->gen)
		e->gen = 1;
	t->freelist[t->nfree++] = i;
	t->live--;
}

static void lock(struct kc_objt *t)
{
	kc_os_lock(t->lock);
	cmp_t = t;
}

static void unlock(struct kc_objt *t)
{
	cmp_t = NULL;
	kc_os_unlock(t->lock);
}

/* Find the entry whose range holds p (lock held); (size_t)-1 when none. */
static size_t find_addr(struct kc_objt *t, const void *p)
{
	struct ent key = { .ptr = (void *)(uintptr_t)p, .size = 1 };
	void **n;

	cmp_key = &key;
	n = tfind(&key, &t->by_addr, cmp_range);
	cmp_key = NULL;
	return n ? UNBOX(*n) : (size_t)-1;
}

int kc_objt_track(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t elem_size,
		  size_t nelem)
{
	size_t i, size;
	void **n;
	int rc = 0;

	*h = 0;
	if (!ptr || !elem_size || !nelem)
		return KC_EINVAL;
	if (nelem > SIZE_MAX / elem_size || elem_size * nelem > UINTPTR_MAX - (uintptr_t)ptr)
		return KC_RT_ERANGE;
	size = elem_size * nelem;
	lock(t);
	i = find_addr(t, ptr);
	if (i != (size_t)-1) {
		struct ent *e = &t->ents[i];

		if (e->ptr == ptr && e->size == size && e->type == type &&
		    e->elem_size == elem_size)
			*h = e->h;
		else
			rc = e->type != type ? KC_RT_ETYPE : KC_RT_ERANGE;
		goto out;
	}
	i = ent_get(t);
	if (i == (size_t)-1) {
		rc = KC_ENOMEM;
		goto out;
	}
	t->ents[i].ptr = ptr;
	t->ents[i].size = size;
	t->ents[i].elem_size = elem_size;
	t->ents[i].type = type;
	t->ents[i].h = ((uint64_t)t->ents[i].gen << 32) | (uint64_t)(i + 1);
	n = tsearch(BOX(i), &t->by_addr, cmp_range);
	if (!n || *n != BOX(i)) {
		/* overlaps an object the lookup above did not see (ptr inside, end overlaps) */
		t->freelist[t->nfree++] = i;
		rc = n ? KC_RT_ERANGE : KC_ENOMEM;
		goto out;
	}
	t->ents[i].used = 1;
	t->live++;
	*h = t->ents[i].h;
out:
	unlock(t);
	return rc;
}

int kc_objt_handle_of(struct kc_objt *t, uint64_t *h, size_t *off, const void *ptr)
{
	size_t i;
	int rc = 0;

	*h = 0;
	*off = 0;
	if (!ptr)
		return KC_ENOTFOUND;
	lock(t);
	i = find_addr(t, ptr);
	if (i == (size_t)-1) {
		rc = KC_ENOTFOUND;
	} else {
		*h = t->ents[i].h;
		*off = (size_t)((uintptr_t)ptr - (uintptr_t)t->ents[i].ptr);
	}
	unlock(t);
	return rc;
}

/* Handle -> entry index with all checks but the range one (lock held). */
static int find_handle(struct kc_objt *t, size_t *idx, uint64_t h, uint32_t type)
{
	if (t->owns || kc_objt_is_adopted(h)) {
		struct ent key = { .h = h };
		void **n;

		if (!h)
			return KC_RT_EPROTO;
		cmp_key = &key;
		n = tfind(&key, &t->by_handle, cmp_handle);
		cmp_key = NULL;
		if (!n) /* kernel side: an adopted handle never imported (or already gone) */
			return t->owns ? KC_RT_ESTALE : KC_RT_EPROTO;
		*idx = UNBOX(*n);
	} else {
		uint64_t i = h & 0xffffffffu;
		uint32_t gen = (uint32_t)(h >> 32);

		if (i == 0 || i > t->nents)
			return KC_RT_EPROTO;
		*idx = (size_t)(i - 1);
		if (t->ents[*idx].gen != gen) {
			/* an older generation of this entry: stale; anything else: forged */
			uint32_t age = t->ents[*idx].gen - gen;

			return age > 0 && age < (1u << 20) ? KC_RT_ESTALE : KC_RT_EPROTO;
		}
		if (!t->ents[*idx].used)
			return KC_RT_ESTALE;
	}
	if (t->ents[*idx].type != type)
		return KC_RT_ETYPE;
	return 0;
}

int kc_objt_lookup(struct kc_objt *t, void **ptr, uint64_t h, uint32_t type, size_t off,
		   size_t len)
{
	size_t i;
	int rc;

	*ptr = NULL;
	lock(t);
	rc = find_handle(t, &i, h, type);
	if (!rc && (off > t->ents[i].size || len > t->ents[i].size - off))
		rc = KC_RT_ERANGE;
	if (!rc)
		*ptr = (uint8_t *)t->ents[i].ptr + off;
	unlock(t);
	return rc;
}

int kc_objt_size(struct kc_objt *t, size_t *size, size_t *elem_size, uint64_t h, uint32_t type)
{
	size_t i;
	int rc;

	*size = 0;
	*elem_size = 0;
	lock(t);
	rc = find_handle(t, &i, h, type);
	if (!rc) {
		*size = t->ents[i].size;
		*elem_size = t->ents[i].elem_size;
	}
	unlock(t);
	return rc;
}

/* Put a new entry for peer-named handle h over ptr (size bytes) into both trees. Lock held.
 * On failure the entry goes back to the free list and ptr is left alone. */
static int ent_add_keyed(struct kc_objt *t, size_t *idx, uint64_t h, void *ptr, uint32_t type,
			 size_t size)
{
	size_t i = ent_get(t);
	void **n;

	if (i == (size_t)-1)
		return KC_ENOMEM;
	t->ents[i].ptr = ptr;
	t->ents[i].size = size;
	t->ents[i].elem_size = size;
	t->ents[i].type = type;
	t->ents[i].h = h;
	n = tsearch(BOX(i), &t->by_addr, cmp_range);
	if (!n || *n != BOX(i)) {
		t->freelist[t->nfree++] = i;
		return n ? KC_RT_ERANGE : KC_ENOMEM; /* n: overlaps a tracked object */
	}
	n = tsearch(BOX(i), &t->by_handle, cmp_handle);
	if (!n || *n != BOX(i)) {
		tdelete(BOX(i), &t->by_addr, cmp_range);
		t->freelist[t->nfree++] = i;
		return KC_ENOMEM;
	}
	t->ents[i].used = 1;
	t->ents[i].in_hmap = 1;
	t->live++;
	*idx = i;
	return 0;
}

int kc_objt_import(struct kc_objt *t, void **ptr, int *fresh, uint64_t h, uint32_t type,
		   size_t size)
{
	size_t i;
	void *copy;
	int rc;

	*ptr = NULL;
	*fresh = 0;
	if (!h || !size)
		return KC_EINVAL;
	if (!t->owns && !kc_objt_is_adopted(h))
		return KC_EINVAL;
	lock(t);
	rc = find_handle(t, &i, h, type);
	if (!rc) {
		if (t->ents[i].size != size)
			rc = KC_RT_ERANGE;
		else
			*ptr = t->ents[i].ptr;
		goto out;
	}
	if (rc != (t->owns ? KC_RT_ESTALE : KC_RT_EPROTO))
		goto out; /* known handle, wrong type */
	if (!t->owns) {
		/* kernel side, first sight of an adopted handle: bounded, own copy */
		if (size > KC_OBJT_ADOPT_MAX_SIZE) {
			rc = KC_RT_ERANGE;
			goto out;
		}
		if (t->nadopted >= KC_OBJT_ADOPT_MAX_OBJS) {
			rc = KC_ENOMEM;
			goto out;
		}
	}
	copy = t->zalloc(size);
	if (!copy) {
		rc = KC_ENOMEM;
		goto out;
	}
	rc = ent_add_keyed(t, &i, h, copy, type, size);
	if (rc) {
		t->free(copy);
		if (rc == KC_RT_ERANGE)
			rc = KC_ENOMEM; /* a fresh allocation cannot overlap: tree trouble */
		goto out;
	}
	t->ents[i].owned = 1;
	if (!t->owns)
		t->nadopted++;
	*ptr = copy;
	*fresh = 1;
out:
	unlock(t);
	return rc;
}

int kc_objt_adopt(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t size)
{
	size_t i;
	uint64_t n;
	int rc = 0;

	*h = 0;
	if (!t->owns || !ptr || !size)
		return KC_EINVAL;
	if (size > KC_OBJT_ADOPT_MAX_SIZE || size > UINTPTR_MAX - (uintptr_t)ptr)
		return KC_RT_ERANGE;
	lock(t);
	i = find_addr(t, ptr);
	if (i != (size_t)-1) {
		struct ent *e = &t->ents[i];

		/* adopting the same object again gives the same handle */
		if (e->ptr == ptr && e->size == size && e->type == type && !e->owned &&
		    kc_objt_is_adopted(e->h))
			*h = e->h;
		else
			rc = e->type != type ? KC_RT_ETYPE : KC_RT_ERANGE;
		goto out;
	}
	/* (generation << 32) | ADOPTED | serial, serial never 0; the generation starts at the
	 * tracker's random value, so handles minted by an earlier user half are not reused */
	n = ++t->nminted;
	*h = ((uint64_t)(t->gen0 + (uint32_t)(n / (KC_OBJT_ADOPTED - 1))) << 32) | KC_OBJT_ADOPTED |
	     (n % (KC_OBJT_ADOPTED - 1) + 1);
	rc = ent_add_keyed(t, &i, *h, ptr, type, size);
	if (rc)
		*h = 0;
out:
	unlock(t);
	return rc;
}

int kc_objt_query(struct kc_objt *t, uint32_t *type, size_t *size, size_t *elem_size, uint64_t h)
{
	size_t i;
	int rc;

	*type = 0;
	*size = 0;
	if (elem_size)
		*elem_size = 0;
	lock(t);
	rc = find_handle(t, &i, h, 0);
	if (rc == KC_RT_ETYPE)
		rc = 0; /* find_handle checked the handle itself; any type will do here */
	if (!rc) {
		*type = t->ents[i].type;
		*size = t->ents[i].size;
		if (elem_size)
			*elem_size = t->ents[i].elem_size;
	}
	unlock(t);
	return rc;
}

int kc_objt_release(struct kc_objt *t, uint64_t h)
{
	size_t i;
	int rc;

	lock(t);
	rc = find_handle(t, &i, h, 0);
	if (rc == KC_RT_ETYPE || rc == 0) {
		/* the type does not matter for release; find_handle checked the handle itself */
		ent_put(t, i, 1);
		rc = 0;
	}
	unlock(t);
	return rc;
}

void kc_objt_untrack(struct kc_objt *t, const void *ptr)
{
	size_t i;

	if (!ptr)
		return;
	lock(t);
	i = find_addr(t, ptr);
	if (i != (size_t)-1 && t->ents[i].ptr == ptr)
		ent_put(t, i, t->owns); /* kernel side: the caller is freeing ptr itself */
	unlock(t);
}

size_t kc_objt_count(struct kc_objt *t)
{
	size_t n;

	lock(t);
	n = t->live;
	unlock(t);
	return n;
}
