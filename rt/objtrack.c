/*
 * objtrack.c - the object tracker: kernel objects <-> opaque handles <-> user-half copies.
 *
 * Only handles cross the boundary. A handle is (generation << 32) | (index + 1): the index picks
 * an entry in a table, the generation must match the entry's current one, so a handle of a
 * released object (stale) or a made-up number (forged) is rejected without touching memory it
 * names. Generations start at a per-tracker random value, so handles of one run or one tracker
 * do not validate in another. Entries also sit in an AVL tree ordered by address range (ranges
 * never overlap), which turns an interior pointer into (handle, offset). On the user side
 * (owns_copies) entries are keyed by the kernel's handle in a second AVL tree and own a zeroed
 * local copy allocated on first sight. One mutex guards everything; lookups are O(1) by handle
 * on the kernel side and O(log n) by address.
 *
 * Adoption: the user half may register memory it allocated itself (kc_objt_adopt) under a handle
 * it mints, with KC_OBJT_ADOPTED set in the low word (kernel-minted handles never have it: the
 * kernel's table is capped below 2^31 entries). Such handles are keyed in the by-handle tree on
 * both sides; the kernel side gives each one its own zeroed copy, of the size on the wire, on
 * first sight (kc_objt_import), allocated with the tracker's allocator and bounded in size and
 * number, so the kernel half still never accepts an address from the user half. An entry keyed
 * by such a handle is never found through the index path: a table entry that held a kernel
 * object and now holds an adopted copy does not answer to "same index, next generation".
 *
 * Portable core (it also builds into a Linux kernel module): no libc beyond <string.h>, memory
 * and locks through os.h, no thread-local state, no recursion (the trees keep an explicit path).
 */
#include "kcut_rt.h"
#include "objt_internal.h"
#include "os.h"

#include <string.h>

/* Links of one entry in one tree: children as index + 1 (0: none), and the subtree's height. */
struct link {
	uint32_t l, r;
	uint8_t ht;
};

enum { BY_ADDR, BY_HANDLE, NTREES };

struct ent {
	void *ptr;         /* kernel side: the object; user side: the local copy */
	size_t size;       /* bytes */
	size_t elem_size;  /* bytes per element (size for a single object) */
	uint64_t h;        /* the wire handle */
	uint32_t type;
	uint32_t gen;
	struct link lk[NTREES];
	uint8_t used;
	uint8_t owned;     /* the tracker allocated ptr (import) and frees it on release */
	uint8_t in_hmap;   /* entry is in the by-handle tree (user side: all; kernel: adopted) */
	uint8_t flags;     /* KC_OBJT_F_* */
	uint8_t dying;     /* kernel side: being freed (kc_objt_doom): its handle is refused */
	uint32_t pins;     /* kernel side: downcall handlers holding it (objt_internal.h) */
};

struct kc_objt {
	struct kc_os_mutex *lock;
	int owns;
	struct ent *ents;
	uint32_t nents, cap;
	uint32_t *freelist;
	uint32_t nfree;
	size_t live;
	uint32_t root[NTREES]; /* index + 1 of each tree's root */
	uint32_t gen0;
	uint64_t nminted;  /* user side: handles minted by kc_objt_adopt */
	size_t nadopted;   /* kernel side: live copies of adopted handles */
	size_t heap_bytes; /* bytes of the live objects flagged KC_OBJT_F_HEAP */
	uint64_t changes;  /* objects tracked, untracked or retyped so far (kc_objt_changes) */
	void *(*zalloc)(size_t);
	void (*free)(void *);
	/* kernel side: the platform's hooks (kc_objt_set_hooks) */
	struct kc_objt_pins *(*pins_of)(void *arg);
	int (*gone)(void *arg, uint64_t h, const void *ptr, size_t size);
	void *hook_arg;
};

/* The kernel table stays below 2^31 entries (kernel handles never look adopted); 2^24 is more
 * objects than any driver tracks and keeps the trees' paths short. */
#define MAX_ENTS (1u << 24)
/* An AVL tree of n nodes is at most 1.44 log2(n + 2) high: 36 for 2^24. */
#define MAX_DEPTH 48

static inline struct ent *E(struct kc_objt *t, uint32_t n)
{
	return &t->ents[n - 1];
}

/* ---- the two AVL trees, over entry indexes ---- */

/* Where key (a byte range [s, e) of the address tree, or a handle) lies relative to node n:
 * <0 left, >0 right, 0 overlap / equal. */
struct key {
	uintptr_t s, e;
	uint64_t h;
};

static int key_cmp(struct kc_objt *t, int tr, const struct key *k, uint32_t n)
{
	const struct ent *x = E(t, n);

	if (tr == BY_HANDLE)
		return k->h < x->h ? -1 : k->h > x->h;
	if (k->e <= (uintptr_t)x->ptr)
		return -1;
	if ((uintptr_t)x->ptr + (x->size ? x->size : 1) <= k->s)
		return 1;
	return 0;
}

static void ent_key(struct kc_objt *t, uint32_t n, struct key *k)
{
	const struct ent *x = E(t, n);

	k->s = (uintptr_t)x->ptr;
	k->e = k->s + (x->size ? x->size : 1);
	k->h = x->h;
}

static inline uint8_t ht(struct kc_objt *t, int tr, uint32_t n)
{
	return n ? E(t, n)->lk[tr].ht : 0;
}

static void fix_height(struct kc_objt *t, int tr, uint32_t n)
{
	uint8_t a = ht(t, tr, E(t, n)->lk[tr].l), b = ht(t, tr, E(t, n)->lk[tr].r);

	E(t, n)->lk[tr].ht = (uint8_t)((a > b ? a : b) + 1);
}

static uint32_t rot_right(struct kc_objt *t, int tr, uint32_t n)
{
	uint32_t l = E(t, n)->lk[tr].l;

	E(t, n)->lk[tr].l = E(t, l)->lk[tr].r;
	E(t, l)->lk[tr].r = n;
	fix_height(t, tr, n);
	fix_height(t, tr, l);
	return l;
}

static uint32_t rot_left(struct kc_objt *t, int tr, uint32_t n)
{
	uint32_t r = E(t, n)->lk[tr].r;

	E(t, n)->lk[tr].r = E(t, r)->lk[tr].l;
	E(t, r)->lk[tr].l = n;
	fix_height(t, tr, n);
	fix_height(t, tr, r);
	return r;
}

/* Restore the AVL property at n (its subtrees are AVL trees); returns the subtree's new root. */
static uint32_t balance(struct kc_objt *t, int tr, uint32_t n)
{
	struct link *k = &E(t, n)->lk[tr];
	int b = (int)ht(t, tr, k->l) - (int)ht(t, tr, k->r);

	if (b > 1) {
		if (ht(t, tr, E(t, k->l)->lk[tr].l) < ht(t, tr, E(t, k->l)->lk[tr].r))
			k->l = rot_left(t, tr, k->l);
		return rot_right(t, tr, n);
	}
	if (b < -1) {
		if (ht(t, tr, E(t, k->r)->lk[tr].r) < ht(t, tr, E(t, k->r)->lk[tr].l))
			k->r = rot_right(t, tr, k->r);
		return rot_left(t, tr, n);
	}
	fix_height(t, tr, n);
	return n;
}

/* Rebalance the nodes held by path[top] .. path[0] (slots: the root word or a child field). */
static void rebalance_path(struct kc_objt *t, int tr, uint32_t **path, int top)
{
	for (; top >= 0; top--)
		*path[top] = balance(t, tr, *path[top]);
}

static uint32_t tree_find(struct kc_objt *t, int tr, const struct key *k)
{
	uint32_t n = t->root[tr];

	while (n) {
		int c = key_cmp(t, tr, k, n);

		if (!c)
			return n;
		n = c < 0 ? E(t, n)->lk[tr].l : E(t, n)->lk[tr].r;
	}
	return 0;
}

/* Insert node n; returns 0, or the node that overlaps / has the same key (nothing inserted). */
static uint32_t tree_insert(struct kc_objt *t, int tr, uint32_t n)
{
	uint32_t *path[MAX_DEPTH];
	struct key k;
	int d = 0;

	ent_key(t, n, &k);
	path[0] = &t->root[tr];
	while (*path[d]) {
		uint32_t m = *path[d];
		int c = key_cmp(t, tr, &k, m);

		if (!c)
			return m;
		path[d + 1] = c < 0 ? &E(t, m)->lk[tr].l : &E(t, m)->lk[tr].r;
		d++;
	}
	E(t, n)->lk[tr] = (struct link){ 0, 0, 1 };
	*path[d] = n;
	rebalance_path(t, tr, path, d - 1);
	return 0;
}

/* Remove node n (which must be in the tree). */
static void tree_delete(struct kc_objt *t, int tr, uint32_t n)
{
	uint32_t *path[MAX_DEPTH];
	struct key k;
	int d = 0, top;

	ent_key(t, n, &k);
	path[0] = &t->root[tr];
	while (*path[d] != n) {
		uint32_t m = *path[d];

		if (!m)
			return; /* not in the tree: nothing to do (cannot happen) */
		path[d + 1] = key_cmp(t, tr, &k, m) < 0 ? &E(t, m)->lk[tr].l : &E(t, m)->lk[tr].r;
		d++;
	}
	if (E(t, n)->lk[tr].l && E(t, n)->lk[tr].r) {
		/* replace n by its successor s, the leftmost node of its right subtree */
		int j = d + 1;
		uint32_t s;

		path[j] = &E(t, n)->lk[tr].r;
		while (E(t, *path[j])->lk[tr].l) {
			path[j + 1] = &E(t, *path[j])->lk[tr].l;
			j++;
		}
		s = *path[j];
		*path[j] = E(t, s)->lk[tr].r; /* unlink s (it has no left child) */
		E(t, s)->lk[tr] = E(t, n)->lk[tr];
		*path[d] = s;
		path[d + 1] = &E(t, s)->lk[tr].r; /* the walk went through n's right field */
		top = j - 1;
	} else {
		*path[d] = E(t, n)->lk[tr].l ? E(t, n)->lk[tr].l : E(t, n)->lk[tr].r;
		top = d - 1;
	}
	E(t, n)->lk[tr] = (struct link){ 0, 0, 0 };
	rebalance_path(t, tr, path, top);
}

/* ---- the table ---- */

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

void kc_objt_free(struct kc_objt *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->nents; i++)
		if (t->ents[i].used && t->ents[i].owned)
			t->free(t->ents[i].ptr);
	kc_os_free(t->ents);
	kc_os_free(t->freelist);
	kc_os_mutex_free(t->lock);
	kc_os_free(t);
}

/* Take a free entry (growing the table); returns its index + 1, or 0. Lock held. */
static uint32_t ent_get(struct kc_objt *t)
{
	uint32_t i;

	if (t->nfree)
		return t->freelist[--t->nfree] + 1;
	if (t->nents == t->cap) {
		uint32_t ncap = t->cap ? 2 * t->cap : 64;
		struct ent *ne;
		uint32_t *nf;

		if (ncap > MAX_ENTS)
			return 0;
		ne = kc_os_alloc((size_t)ncap * sizeof(*ne));
		nf = kc_os_alloc((size_t)ncap * sizeof(*nf));
		if (!ne || !nf) {
			kc_os_free(ne);
			kc_os_free(nf);
			return 0;
		}
		if (t->nents)
			memcpy(ne, t->ents, (size_t)t->nents * sizeof(*ne));
		if (t->nfree)
			memcpy(nf, t->freelist, (size_t)t->nfree * sizeof(*nf));
		kc_os_free(t->ents);
		kc_os_free(t->freelist);
		t->ents = ne;
		t->freelist = nf;
		t->cap = ncap;
	}
	i = t->nents++;
	memset(&t->ents[i], 0, sizeof(t->ents[i]));
	t->ents[i].gen = t->gen0 + i * 2654435761u;
	if (!t->ents[i].gen)
		t->ents[i].gen = 1;
	return i + 1;
}

/* Give back an entry that was never made live (in no tree). Lock held. */
static void ent_unget(struct kc_objt *t, uint32_t n)
{
	t->freelist[t->nfree++] = n - 1;
}

/* Drop entry n from both trees and the table; the generation moves on. The object is freed when
 * the tracker owns it and may_free is set. Lock held. */
static void ent_put(struct kc_objt *t, uint32_t n, int may_free)
{
	struct ent *e = E(t, n);

	tree_delete(t, BY_ADDR, n);
	if (e->in_hmap)
		tree_delete(t, BY_HANDLE, n);
	if (e->owned && may_free)
		t->free(e->ptr);
	if (!t->owns && kc_objt_is_adopted(e->h))
		t->nadopted--;
	if (e->flags & KC_OBJT_F_HEAP)
		t->heap_bytes -= e->size;
	e->used = 0;
	e->owned = 0;
	e->in_hmap = 0;
	t->changes++;
	e->flags = 0;
	e->dying = 0;
	e->pins = 0; /* a pin left (the holder's own free) is dropped by handle: stale by then */
	e->ptr = NULL;
	e->gen++;
	if (!e->gen)
		e->gen = 1;
	t->freelist[t->nfree++] = n - 1;
	t->live--;
}

/* The entry whose range holds p (lock held); 0 when none. */
static uint32_t find_addr(struct kc_objt *t, const void *p)
{
	struct key k = { (uintptr_t)p, (uintptr_t)p + 1, 0 };

	return tree_find(t, BY_ADDR, &k);
}

int kc_objt_track(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t elem_size,
		  size_t nelem)
{
	uint32_t n;
	int rc = 0;

	*h = 0;
	if (!ptr || !elem_size || !nelem)
		return KC_EINVAL;
	if (nelem > SIZE_MAX / elem_size || elem_size * nelem > UINTPTR_MAX - (uintptr_t)ptr)
		return KC_RT_ERANGE;
	kc_os_lock(t->lock);
	n = find_addr(t, ptr);
	if (n) {
		struct ent *e = E(t, n);

		if (e->ptr == ptr && e->size == elem_size * nelem && e->type == type &&
		    e->elem_size == elem_size)
			*h = e->h;
		else
			rc = e->type != type ? KC_RT_ETYPE : KC_RT_ERANGE;
		goto out;
	}
	n = ent_get(t);
	if (!n) {
		rc = KC_ENOMEM;
		goto out;
	}
	E(t, n)->ptr = ptr;
	E(t, n)->size = elem_size * nelem;
	E(t, n)->elem_size = elem_size;
	E(t, n)->type = type;
	E(t, n)->h = ((uint64_t)E(t, n)->gen << 32) | (uint64_t)n;
	if (tree_insert(t, BY_ADDR, n)) {
		/* overlaps an object the lookup above did not see (ptr inside, end overlaps) */
		ent_unget(t, n);
		rc = KC_RT_ERANGE;
		goto out;
	}
	E(t, n)->used = 1;
	t->live++;
	t->changes++;
	*h = E(t, n)->h;
out:
	kc_os_unlock(t->lock);
	return rc;
}

int kc_objt_handle_of(struct kc_objt *t, uint64_t *h, size_t *off, const void *ptr)
{
	uint32_t n;
	int rc = 0;

	*h = 0;
	*off = 0;
	if (!ptr)
		return KC_ENOTFOUND;
	kc_os_lock(t->lock);
	n = find_addr(t, ptr);
	if (!n) {
		rc = KC_ENOTFOUND;
	} else {
		*h = E(t, n)->h;
		*off = (size_t)((uintptr_t)ptr - (uintptr_t)E(t, n)->ptr);
	}
	kc_os_unlock(t->lock);
	return rc;
}

/* Handle -> entry (index + 1) with all checks but the type and range ones (lock held). */
static int find_handle(struct kc_objt *t, uint32_t *n, uint64_t h)
{
	if (t->owns || kc_objt_is_adopted(h)) {
		struct key k = { 0, 0, h };

		if (!h)
			return KC_RT_EPROTO;
		*n = tree_find(t, BY_HANDLE, &k);
		if (!*n) /* kernel side: an adopted handle never imported (or already gone) */
			return t->owns ? KC_RT_ESTALE : KC_RT_EPROTO;
	} else {
		uint64_t i = h & 0xffffffffu;
		uint32_t gen = (uint32_t)(h >> 32);
		struct ent *e;

		if (i == 0 || i > t->nents)
			return KC_RT_EPROTO;
		*n = (uint32_t)i;
		e = E(t, *n);
		if (e->gen != gen) {
			/* an older generation of this entry: stale; anything else: forged */
			uint32_t age = e->gen - gen;

			return age > 0 && age < (1u << 20) ? KC_RT_ESTALE : KC_RT_EPROTO;
		}
		if (!e->used)
			return KC_RT_ESTALE;
		/* the entry now holds an object keyed by another handle (an adopted copy that
		 * reused the table entry of a released kernel object): this handle was never
		 * issued */
		if (e->in_hmap || e->h != h)
			return KC_RT_EPROTO;
	}
	return 0;
}

/* Record a pin of entry n (handle h) in the calling thread's set, if it serves a downcall. Lock
 * held. */
static int pin(struct kc_objt *t, uint32_t n, uint64_t h)
{
	struct kc_objt_pins *p = t->pins_of ? t->pins_of(t->hook_arg) : NULL;

	if (!p || !p->depth)
		return 0;
	if (!p->cap) {
		p->v = p->inl;
		p->cap = KC_OBJT_PINS_INLINE;
	}
	if (p->n == p->cap) {
		uint32_t cap = 2 * p->cap;
		struct kc_objt_pin *v;

		if (cap > KC_OBJT_PINS_MAX)
			return KC_ENOMEM;
		v = kc_os_alloc((size_t)cap * sizeof(*v));
		if (!v)
			return KC_ENOMEM;
		if (p->n)
			memcpy(v, p->v, (size_t)p->n * sizeof(*v));
		if (p->v != p->inl)
			kc_os_free(p->v);
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].t = t;
	p->v[p->n].h = h;
	p->n++;
	E(t, n)->pins++;
	return 0;
}

/* find_handle for a use of the object (the lookups a handler decodes with): kernel side, an
 * object being freed (kc_objt_doom) or one the platform took already (the gone hook) is refused,
 * and a thread serving a downcall pins what it finds. Lock held. */
static int find_use(struct kc_objt *t, uint32_t *n, uint64_t h)
{
	int rc = find_handle(t, n, h);

	if (rc || t->owns)
		return rc;
	if (E(t, *n)->dying || (t->gone && t->gone(t->hook_arg, h, E(t, *n)->ptr, E(t, *n)->size)))
		return KC_RT_ESTALE;
	return pin(t, *n, h);
}

static int find_typed(struct kc_objt *t, uint32_t *n, uint64_t h, uint32_t type)
{
	int rc = find_use(t, n, h);

	if (!rc && E(t, *n)->type != type)
		rc = KC_RT_ETYPE;
	return rc;
}

int kc_objt_lookup(struct kc_objt *t, void **ptr, uint64_t h, uint32_t type, size_t off,
		   size_t len)
{
	uint32_t n;
	int rc;

	*ptr = NULL;
	kc_os_lock(t->lock);
	rc = find_typed(t, &n, h, type);
	if (!rc && (off > E(t, n)->size || len > E(t, n)->size - off))
		rc = KC_RT_ERANGE;
	if (!rc)
		*ptr = (uint8_t *)E(t, n)->ptr + off;
	kc_os_unlock(t->lock);
	return rc;
}

int kc_objt_size(struct kc_objt *t, size_t *size, size_t *elem_size, uint64_t h, uint32_t type)
{
	uint32_t n;
	int rc;

	*size = 0;
	*elem_size = 0;
	kc_os_lock(t->lock);
	rc = find_typed(t, &n, h, type);
	if (!rc) {
		*size = E(t, n)->size;
		*elem_size = E(t, n)->elem_size;
	}
	kc_os_unlock(t->lock);
	return rc;
}

/* Put a new entry for peer-named handle h over ptr (size bytes) into both trees. Lock held.
 * On failure the entry goes back to the free list and ptr is left alone. */
static int ent_add_keyed(struct kc_objt *t, uint32_t *out, uint64_t h, void *ptr, uint32_t type,
			 size_t size)
{
	uint32_t n = ent_get(t);

	if (!n)
		return KC_ENOMEM;
	E(t, n)->ptr = ptr;
	E(t, n)->size = size;
	E(t, n)->elem_size = size;
	E(t, n)->type = type;
	E(t, n)->h = h;
	if (tree_insert(t, BY_ADDR, n)) {
		ent_unget(t, n);
		return KC_RT_ERANGE; /* overlaps a tracked object */
	}
	if (tree_insert(t, BY_HANDLE, n)) {
		tree_delete(t, BY_ADDR, n);
		ent_unget(t, n);
		return KC_RT_ERANGE; /* cannot happen: callers looked the handle up first */
	}
	E(t, n)->used = 1;
	E(t, n)->in_hmap = 1;
	t->live++;
	t->changes++;
	*out = n;
	return 0;
}

int kc_objt_import(struct kc_objt *t, void **ptr, int *fresh, uint64_t h, uint32_t type,
		   size_t size)
{
	uint32_t n;
	void *copy;
	int rc;

	*ptr = NULL;
	*fresh = 0;
	if (!h || !size)
		return KC_EINVAL;
	if (!t->owns && !kc_objt_is_adopted(h))
		return KC_EINVAL;
	kc_os_lock(t->lock);
	rc = find_typed(t, &n, h, type);
	if (!rc) {
		if (E(t, n)->size != size)
			rc = KC_RT_ERANGE;
		else
			*ptr = E(t, n)->ptr;
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
	rc = ent_add_keyed(t, &n, h, copy, type, size);
	if (rc) {
		t->free(copy);
		if (rc == KC_RT_ERANGE)
			rc = KC_ENOMEM; /* a fresh allocation cannot overlap: tree trouble */
		goto out;
	}
	E(t, n)->owned = 1;
	if (!t->owns) {
		t->nadopted++;
		E(t, n)->flags |= KC_OBJT_F_HEAP; /* the tracker's allocator made it */
		t->heap_bytes += size;
	}
	*ptr = copy;
	*fresh = 1;
	if (!t->owns)
		rc = pin(t, n, h); /* as a copy found again would be */
out:
	kc_os_unlock(t->lock);
	return rc;
}

int kc_objt_adopt(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t size)
{
	uint32_t n;
	uint64_t k;
	int rc = 0;

	*h = 0;
	if (!t->owns || !ptr || !size)
		return KC_EINVAL;
	if (size > KC_OBJT_ADOPT_MAX_SIZE || size > UINTPTR_MAX - (uintptr_t)ptr)
		return KC_RT_ERANGE;
	kc_os_lock(t->lock);
	n = find_addr(t, ptr);
	if (n) {
		struct ent *e = E(t, n);

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
	k = ++t->nminted;
	*h = ((uint64_t)(t->gen0 + (uint32_t)(k / (KC_OBJT_ADOPTED - 1))) << 32) | KC_OBJT_ADOPTED |
	     (k % (KC_OBJT_ADOPTED - 1) + 1);
	rc = ent_add_keyed(t, &n, *h, ptr, type, size);
	if (rc)
		*h = 0;
out:
	kc_os_unlock(t->lock);
	return rc;
}

static void fill_info(struct kc_objt_info *out, const struct ent *e)
{
	out->ptr = e->ptr;
	out->type = e->type;
	out->size = e->size;
	out->elem_size = e->elem_size;
	out->flags = e->flags;
}

int kc_objt_info(struct kc_objt *t, struct kc_objt_info *out, uint64_t h)
{
	uint32_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	kc_os_lock(t->lock);
	rc = find_use(t, &n, h);
	if (!rc)
		fill_info(out, E(t, n));
	kc_os_unlock(t->lock);
	return rc;
}

int kc_objt_query(struct kc_objt *t, uint32_t *type, size_t *size, size_t *elem_size, uint64_t h)
{
	struct kc_objt_info in;
	int rc = kc_objt_info(t, &in, h);

	*type = in.type;
	*size = in.size;
	if (elem_size)
		*elem_size = in.elem_size;
	return rc;
}

int kc_objt_set_flags(struct kc_objt *t, uint64_t h, unsigned flags)
{
	uint32_t n;
	int rc;

	kc_os_lock(t->lock);
	rc = find_handle(t, &n, h);
	if (!rc) {
		if ((flags & KC_OBJT_F_HEAP) && !(E(t, n)->flags & KC_OBJT_F_HEAP))
			t->heap_bytes += E(t, n)->size;
		E(t, n)->flags |= (uint8_t)flags;
	}
	kc_os_unlock(t->lock);
	return rc;
}

int kc_objt_retype(struct kc_objt *t, uint64_t h, uint32_t from, uint32_t to, size_t elem_size)
{
	uint32_t n;
	int rc;

	kc_os_lock(t->lock);
	rc = find_handle(t, &n, h);
	if (!rc && E(t, n)->type != from)
		rc = KC_RT_ETYPE;
	if (!rc) {
		t->changes++;
		E(t, n)->type = to;
		E(t, n)->elem_size = elem_size && E(t, n)->size % elem_size == 0 ? elem_size : E(t, n)->size;
	}
	kc_os_unlock(t->lock);
	return rc;
}

uint64_t kc_objt_changes(struct kc_objt *t)
{
	uint64_t n;

	kc_os_lock(t->lock);
	n = t->changes;
	kc_os_unlock(t->lock);
	return n;
}

size_t kc_objt_heap_bytes(struct kc_objt *t)
{
	size_t n;

	kc_os_lock(t->lock);
	n = t->heap_bytes;
	kc_os_unlock(t->lock);
	return n;
}

int kc_objt_foreach(struct kc_objt *t, kc_objt_visit_fn fn, void *arg)
{
	struct kc_objt_info in;
	uint32_t i;
	int rc = 0;

	kc_os_lock(t->lock);
	for (i = 0; i < t->nents && !rc; i++) {
		if (!t->ents[i].used)
			continue;
		fill_info(&in, &t->ents[i]);
		rc = fn(arg, t->ents[i].h, &in);
	}
	kc_os_unlock(t->lock);
	return rc;
}

int kc_objt_release(struct kc_objt *t, uint64_t h)
{
	uint32_t n;
	int rc;

	kc_os_lock(t->lock);
	rc = find_handle(t, &n, h);
	if (!rc)
		ent_put(t, n, 1); /* the type does not matter for release */
	kc_os_unlock(t->lock);
	return rc;
}

void kc_objt_untrack(struct kc_objt *t, const void *ptr)
{
	uint32_t n;

	if (!ptr)
		return;
	kc_os_lock(t->lock);
	n = find_addr(t, ptr);
	if (n && E(t, n)->ptr == ptr)
		ent_put(t, n, t->owns); /* kernel side: the caller is freeing ptr itself */
	kc_os_unlock(t->lock);
}

size_t kc_objt_untrack_range(struct kc_objt *t, const void *ptr, size_t size, uint64_t *h, size_t max)
{
	struct key k;
	size_t n = 0;
	uint32_t e;

	if (!ptr || !max)
		return 0;
	k.s = (uintptr_t)ptr;
	k.e = size && size <= UINTPTR_MAX - k.s ? k.s + size : k.s + 1;
	k.h = 0;
	kc_os_lock(t->lock);
	while (n < max && (e = tree_find(t, BY_ADDR, &k)) != 0) {
		h[n++] = E(t, e)->h;
		ent_put(t, e, t->owns);
	}
	kc_os_unlock(t->lock);
	return n;
}

size_t kc_objt_count(struct kc_objt *t)
{
	size_t n;

	kc_os_lock(t->lock);
	n = t->live;
	kc_os_unlock(t->lock);
	return n;
}

/* ---- pins (objt_internal.h) ---- */

void kc_objt_set_hooks(struct kc_objt *t, struct kc_objt_pins *(*pins)(void *arg),
		       int (*gone)(void *arg, uint64_t h, const void *ptr, size_t size), void *arg)
{
	kc_os_lock(t->lock);
	t->pins_of = pins;
	t->gone = gone;
	t->hook_arg = arg;
	kc_os_unlock(t->lock);
}

void kc_objt_unpin(struct kc_objt_pins *p, uint32_t mark)
{
	uint32_t i, n;

	if (!p)
		return;
	for (i = p->n; i > mark; i--) {
		struct kc_objt *t = p->v[i - 1].t;

		kc_os_lock(t->lock);
		/* a handle gone meanwhile (its holder freed it, or it was forced out) has no pin */
		if (!find_handle(t, &n, p->v[i - 1].h) && E(t, n)->pins)
			E(t, n)->pins--;
		kc_os_unlock(t->lock);
	}
	if (p->n > mark)
		p->n = mark;
}

void kc_objt_pins_release(struct kc_objt_pins *p)
{
	if (!p || !p->cap || p->v == p->inl)
		return;
	kc_os_free(p->v);
	p->v = p->inl;
	p->cap = KC_OBJT_PINS_INLINE;
}

int kc_objt_forget(struct kc_objt *t, const void *ptr, uint64_t *h, size_t *size)
{
	uint32_t n;
	int rc = KC_ENOTFOUND;

	*h = 0;
	*size = 0;
	if (!ptr)
		return rc;
	kc_os_lock(t->lock);
	n = find_addr(t, ptr);
	if (n && E(t, n)->ptr == ptr) {
		*h = E(t, n)->h;
		*size = E(t, n)->size;
		ent_put(t, n, t->owns);
		rc = 0;
	}
	kc_os_unlock(t->lock);
	return rc;
}

uint32_t kc_objt_pins_of(struct kc_objt *t, uint64_t h)
{
	uint32_t n, pins = 0;

	kc_os_lock(t->lock);
	if (!find_handle(t, &n, h))
		pins = E(t, n)->pins;
	kc_os_unlock(t->lock);
	return pins;
}

/* Pins on entry n that the calling thread does not hold. Lock held. */
static uint32_t others_pins(struct kc_objt *t, uint32_t n)
{
	struct kc_objt_pins *p = t->pins_of ? t->pins_of(t->hook_arg) : NULL;
	uint32_t own = 0, i;

	if (!E(t, n)->pins)
		return 0;
	for (i = 0; p && i < p->n; i++)
		if (p->v[i].t == t && p->v[i].h == E(t, n)->h)
			own++;
	return own < E(t, n)->pins ? E(t, n)->pins - own : 0;
}

size_t kc_objt_doom(struct kc_objt *t, const void *ptr, size_t size)
{
	uint32_t stack[MAX_DEPTH + 2];
	size_t busy = 0;
	struct key k;
	int top = 0;

	if (!ptr || t->owns)
		return 0;
	k.s = (uintptr_t)ptr;
	k.e = size && size <= UINTPTR_MAX - k.s ? k.s + size : k.s + 1;
	k.h = 0;
	kc_os_lock(t->lock);
	/* every node of the address tree overlapping [s, e): a walk with an explicit stack, into
	 * the subtrees that can hold part of the range */
	if (t->root[BY_ADDR])
		stack[top++] = t->root[BY_ADDR];
	while (top > 0) {
		uint32_t n = stack[--top];
		struct key nk;

		ent_key(t, n, &nk);
		if (nk.s < k.e && k.s < nk.e) {
			E(t, n)->dying = 1;
			busy += others_pins(t, n);
		}
		if (E(t, n)->lk[BY_ADDR].l && k.s < nk.s && top < MAX_DEPTH + 2)
			stack[top++] = E(t, n)->lk[BY_ADDR].l;
		if (E(t, n)->lk[BY_ADDR].r && k.e > nk.e && top < MAX_DEPTH + 2)
			stack[top++] = E(t, n)->lk[BY_ADDR].r;
	}
	kc_os_unlock(t->lock);
	return busy;
}
