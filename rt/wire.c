/*
 * wire.c - pointers, strings, function pointers and bit-operation words on the wire, and the
 * kernel half's checks of everything of that kind the user half sends (issue 14).
 *
 * Every split driver's stubs and handlers used to carry these helpers (the generated
 * kcut_marshal.h), and the kernel side believed the type and size a message gave for a handle.
 * Here they are written once, and the kernel side believes only its tracker: a handle names an
 * object whose type, size, flags and base the tracker knows; the message contributes the handle
 * and an offset, nothing else. struct kc_wire_ptr (computed by the emitter's plan) says what the
 * receiving code will do with the pointer: touch `need` bytes of an object of type `type`, free
 * it (base of a heap object), lock it (base of the lock, which may sit inside a tracked object at
 * one of the `at` places), or walk an array.
 *
 * Portable core: no libc beyond <string.h>, no stdio (reasons go to kc_rt_fault), memory through
 * os.h, the endpoint through wire_internal.h only (it is built unchanged into rt/linux's
 * kcut_rt.ko too).
 */
#include "wire_internal.h"

#include <string.h>

/* An interned string (kc_wire_intern): one list per endpoint, bounded. */
struct kc_wire_istr {
	struct kc_wire_istr *next;
	size_t len;
	char s[];
};

static const struct kc_wire_tables no_tables;

static const struct kc_wire_tables *tab(struct kc_rt *rt)
{
	const struct kc_wire_tables *t = kc_rt__wire(rt)->tables;

	return t ? t : &no_tables;
}

static int kernel(struct kc_rt *rt)
{
	return kc_rt__wire(rt)->kernel;
}

static void fail(int *rc, int code)
{
	if (!*rc)
		*rc = code;
}

/* sizeof the struct of type id ty (0: untyped bytes or an unknown id). */
static size_t type_size(struct kc_rt *rt, uint32_t ty)
{
	const struct kc_wire_tables *t = tab(rt);

	return t->type_size && ty < t->ntypes ? t->type_size[ty] : 0;
}

int kc_wire_global_of(struct kc_rt *rt, const void *p, uint32_t *id, size_t *off)
{
	const struct kc_wire_tables *t = tab(rt);
	uintptr_t a = (uintptr_t)p;
	uint32_t i;

	for (i = 0; p && t->globals && i < t->nglobals; i++) {
		uintptr_t b = (uintptr_t)t->globals[i].p;

		if (b && a >= b && a - b < t->globals[i].size) {
			*id = i;
			*off = a - b;
			return 1;
		}
	}
	return 0;
}

/* ---- encoding ---- */

/* Kernel side: objects on the calling thread's stack that a call made known to the user half (an
 * ethtool request the kernel's ioctl code keeps in its frame). They are known for that call only:
 * kc_rt_call_end forgets the ones its call tracked (kc_wire__stack_release), so a later object at
 * the same address (another frame) is a new object, not the old one with the wrong size. */
#ifndef __KERNEL__
static _Thread_local const void *tls_stk[KC_WIRE_STK_MAX];
static _Thread_local unsigned tls_nstk;

unsigned kc_wire__stack_mark(void)
{
	return tls_nstk;
}

void kc_wire__stack_release(struct kc_rt *rt, unsigned mark)
{
	while (tls_nstk > mark)
		kc_rt_obj_free(rt, tls_stk[--tls_nstk]);
}

static void note_stack(const void *p)
{
	if (tls_nstk < KC_WIRE_STK_MAX && kc_os_on_stack(p))
		tls_stk[tls_nstk++] = p;
}
#else
/* rt/linux: no thread-local storage in the kernel: the list is the calling task's
 * (kc_rt__task, kept by the endpoint while the task is in a call) */
unsigned kc_wire__stack_mark(void)
{
	struct kc_wire_task *t = kc_rt__task();

	return t ? t->nstk : 0;
}

void kc_wire__stack_release(struct kc_rt *rt, unsigned mark)
{
	struct kc_wire_task *t = kc_rt__task();

	while (t && t->nstk > mark)
		kc_rt_obj_free(rt, t->stk[--t->nstk]);
}

static void note_stack(const void *p)
{
	struct kc_wire_task *t = kc_rt__task();

	if (t && t->nstk < KC_WIRE_STK_MAX && kc_os_on_stack(p))
		t->stk[t->nstk++] = p;
}
#endif

int kc_wire_put_ptr(struct kc_rt *rt, struct kc_xdr *x, const void *p, uint32_t type, size_t elem,
		    size_t n, unsigned flags)
{
	struct kc_objt *t = kc_rt_objt(rt);
	struct kc_objt_info in;
	uint64_t h = 0;
	size_t off = 0;
	uint32_t gid;
	int r;

	if (!p) {
		kc_xdr_put_u32(x, 0);
		return 0;
	}
	if (kc_wire_global_of(rt, p, &gid, &off)) {
		kc_xdr_put_u32(x, 2);
		kc_xdr_put_u32(x, gid);
		kc_xdr_put_u32(x, (uint32_t)off);
		return 0;
	}
	{
		/* inside an exported device region (an MMIO cookie, a DMA buffer): (id, offset) */
		uint32_t rid;
		uint64_t roff;

		if ((kernel(rt) ? kc_rt_region_find(rt, &rid, &roff, p) : kc_rt_region_of(rt, &rid, &roff, p)) == 0) {
			kc_xdr_put_u32(x, 3);
			kc_xdr_put_region(x, rid, roff);
			return 0;
		}
	}
	r = kc_objt_handle_of(t, &h, &off, p);
	if (r == KC_ENOTFOUND && kernel(rt) && kc_sync__is_dead(rt, p)) {
		/* kernel side: memory the kernel freed, still pointed to (sync.c) */
		kc_xdr_put_u32(x, 0);
		return 0;
	}
	if (r == KC_ENOTFOUND && kernel(rt)) {
		r = kc_objt_track(t, &h, (void *)(uintptr_t)p, type, elem ? elem : 1, n ? n : 1);
		off = 0;
		if (!r)
			note_stack(p);
	} else if (r == KC_ENOTFOUND && ((flags & KC_WP_OUT) || kc_sync__is_dead(rt, p))) {
		/* user side: an out-parameter's value, unknown to the kernel (uninitialized), or a
		 * pointer into an object the user half freed (sync.c: the kernel half released it) */
		kc_xdr_put_u32(x, 0);
		return 0;
	}
	if (!r)
		r = kc_objt_info(t, &in, h);
	if (!r && !kernel(rt) && !off && type && type_size(rt, type) && in.type < tab(rt)->ntypes &&
	    !type_size(rt, in.type) && in.size >= type_size(rt, type) &&
	    !kc_objt_retype(t, h, in.type, type, type_size(rt, type))) {
		/* an untyped allocation (kcalloc for the user half) takes the type of its first typed
		 * use here as it does in the kernel half (get_tracked_kernel), so its fields are
		 * synchronized from now on (sync.c) */
		in.type = type;
		kc_sync__typed(rt);
	}
	if (!r && (in.type == 0 || in.type >= tab(rt)->ntypes))
		r = KC_RT_ETYPE; /* not one of this driver's type ids */
	if (r) {
		kc_xdr_put_u32(x, 0);
		return r;
	}
	kc_xdr_put_u32(x, 1);
	kc_xdr_put_u64(x, h);
	kc_xdr_put_u32(x, in.type);
	kc_xdr_put_u32(x, (uint32_t)in.size);
	kc_xdr_put_u32(x, (uint32_t)off);
	return 0;
}

void kc_wire_put_array(struct kc_rt *rt, struct kc_xdr *x, const void *p, uint32_t type, size_t elem,
		       size_t n, int *rc)
{
	size_t avail = 0, want = elem * n;
	int r = kc_wire_put_ptr(rt, x, p, type, elem, n, 0);

	if (r)
		fail(rc, r);
	else if (p && !*rc)
		avail = kc_wire_extent(rt, p);
	kc_xdr_put_opaque(x, p, want < avail ? want : avail);
}

/* ---- decoding and the kernel side's checks ---- */

static int at_place(const struct kc_wire_ptr *sp, uint32_t type, size_t off)
{
	uint32_t i;

	for (i = 0; i < sp->nat; i++)
		if (sp->at[i].type == type && sp->at[i].off == off)
			return 1;
	return 0;
}

/* Does the driver embed a struct of type inner at byte off of objects of type outer (alone, or as
 * an element of an embedded array)? */
static int embedded(struct kc_rt *rt, uint32_t outer, size_t off, uint32_t inner)
{
	const struct kc_wire_tables *t = tab(rt);
	uint32_t i;

	for (i = 0; inner && t->embeds && i < t->nembeds; i++) {
		const struct kc_wire_embed *e = &t->embeds[i];

		if (e->outer != outer || e->inner != inner)
			continue;
		if (e->off == off)
			return 1;
		/* an array of them: the start of an element, not a place inside one */
		if (e->count && e->stride && off > e->off && (off - e->off) % e->stride == 0 &&
		    (off - e->off) / e->stride < e->count)
			return 1;
	}
	return 0;
}

/* Kernel side: is a pointer at byte off of global g what sp expects of its type? With no type
 * expected (void *, a struct outside the model), any global is; else the global must be of the
 * expected type (the start of the variable or of an array element, anywhere inside with
 * KC_WP_INTERIOR), embed it there (the tables' embeds) or hold it at one of sp's `at` places.
 * 0 or the error: KC_RT_ETYPE for a global of another type (a driver global where a net_device
 * is expected: the 10-million-message run's crash), KC_RT_ERANGE for the right type at the
 * wrong offset. */
static int global_typed(struct kc_rt *rt, const struct kc_wire_ptr *sp, const struct kc_wire_global *g,
			uint32_t off)
{
	size_t elem = g->elem && g->elem <= g->size ? g->elem : g->size;
	size_t eoff = elem ? off % elem : off;
	int placed = g->type && ((sp->nat && at_place(sp, g->type, eoff)) ||
				 (sp->type && embedded(rt, g->type, eoff, sp->type)));

	if (placed)
		return 0;
	if (sp->type && g->type != sp->type)
		return KC_RT_ETYPE;
	if (off && (sp->flags & KC_WP_BASE))
		return KC_RT_ERANGE; /* a lock, a cookie: the start of the global */
	if (sp->type && eoff && !(sp->flags & KC_WP_INTERIOR))
		return KC_RT_ERANGE; /* a typed pointer: the start of the variable or of an element */
	return 0;
}

/* Kernel side, wire kind 2: driver global id at off. */
static void *get_global(struct kc_rt *rt, const struct kc_wire_ptr *sp, uint32_t id, uint32_t off,
			size_t need, size_t *avail, int *rc)
{
	const struct kc_wire_tables *t = tab(rt);
	int r;

	if (!t->globals || id >= t->nglobals || !t->globals[id].p || off > t->globals[id].size ||
	    need > t->globals[id].size - off) {
		fail(rc, KC_RT_ERANGE);
		return NULL;
	}
	if (kernel(rt) && (sp->flags & (KC_WP_HEAP | KC_WP_NOGLOBAL))) {
		fail(rc, KC_RT_ETYPE); /* kfree(&a_global), a global as an irq cookie */
		return NULL;
	}
	r = kernel(rt) ? global_typed(rt, sp, &t->globals[id], off) : 0;
	if (r) {
		fail(rc, r);
		return NULL;
	}
	if (avail)
		*avail = t->globals[id].size - off;
	return (char *)t->globals[id].p + off;
}

/* Wire kind 3: byte off of device region id (kc_rt_region_resolve checks the id, its kind and
 * the range; a region is never a heap object or a struct of the model). */
static void *get_region(struct kc_rt *rt, const struct kc_wire_ptr *sp, uint32_t id, uint64_t off,
			size_t need, size_t *avail, int *rc)
{
	struct kc_region_desc d;
	void *p = NULL;
	int r;

	if (!kernel(rt)) {
		r = kc_rt_region_ptr(rt, &p, id, off, need);
		if (!r && avail && !kc_rt_region_info(rt, &d, id) && off <= d.size)
			*avail = (size_t)(d.size - off);
		if (r)
			fail(rc, r);
		return r ? NULL : p;
	}
	/* a receiver that expects memory of the kernel (a type, a place, an allocation) refuses a
	 * device region; an untyped pointer (`void *start`, spec "any") takes one: the callee gets the
	 * kernel address inside the region, checked like any region pointer (e1000_check_64k_bound of
	 * a descriptor ring the user half allocated with dma_alloc_coherent) */
	if (!(sp->flags & KC_WP_REGION) &&
	    (sp->type || sp->nat || (sp->flags & (KC_WP_BASE | KC_WP_HEAP | KC_WP_TYPEDFREE)))) {
		fail(rc, KC_RT_ETYPE);
		return NULL;
	}
	r = kc_rt_region_info(rt, &d, id);
	if (!r && sp->region_kind && d.kind != sp->region_kind)
		r = KC_RT_ETYPE;
	if (!r)
		r = kc_rt_region_resolve(rt, &p, id, d.kind, off, need);
	if (r) {
		fail(rc, r == KC_EINVAL ? KC_RT_EPROTO : r);
		return NULL;
	}
	if (avail)
		*avail = (size_t)(d.size - off);
	return p;
}

static int heap_noted(struct kc_rt *rt, const void *p);

/* Kernel side, wire kind 1: the object behind handle h, at offset off, checked against sp. */
static void *get_tracked_kernel(struct kc_rt *rt, const struct kc_wire_ptr *sp, uint64_t h,
				uint32_t off, size_t need, size_t *avail, int *rc)
{
	struct kc_objt *t = kc_rt_objt(rt);
	struct kc_objt_info in;
	int r = kc_objt_info(t, &in, h), placed = 0;

	if (r) {
		fail(rc, r); /* forged (KC_RT_EPROTO) or released (KC_RT_ESTALE) */
		return NULL;
	}
	if (off > in.size) {
		fail(rc, KC_RT_ERANGE);
		return NULL;
	}
	if ((sp->flags & KC_WP_HEAP) && !(in.flags & KC_OBJT_F_HEAP) && (off || !heap_noted(rt, in.ptr))) {
		fail(rc, KC_RT_ETYPE); /* not an allocation of the kernel half or made for the user half */
		return NULL;
	}
	if ((sp->flags & KC_WP_HEAP) && !sp->type && (in.flags & KC_OBJT_F_TYPED)) {
		fail(rc, KC_RT_ETYPE); /* a memory deallocator on a net_device & co.: the wrong one */
		return NULL;
	}
	if ((sp->flags & KC_WP_TYPEDFREE) && (in.flags & KC_OBJT_F_HEAP) && !(in.flags & KC_OBJT_F_TYPED)) {
		fail(rc, KC_RT_ETYPE); /* free_netdev of a kmalloc'd block used as a net_device */
		return NULL;
	}
	placed = (sp->nat && at_place(sp, in.type, off)) || (sp->type && embedded(rt, in.type, off, sp->type));
	if ((sp->flags & KC_WP_BASE) && (sp->nat || sp->type) && !placed && in.type != sp->type) {
		/* a kernel object the driver embeds (a lock, a work item) or a typed object: at one
		 * of its places or an object of its own type, not the start of anything else */
		fail(rc, off ? KC_RT_ERANGE : KC_RT_ETYPE);
		return NULL;
	}
	if (sp->type && in.type != sp->type && !placed) {
		size_t want = type_size(rt, sp->type);

		/* An untyped allocation (kmalloc & co. the user half asked for) takes the type of
		 * its first typed use, if no bytes were written into it by value before. */
		if (type_size(rt, in.type) || !(in.flags & KC_OBJT_F_HEAP) || (in.flags & KC_OBJT_F_RAW) ||
		    off || !want || in.size < want ||
		    kc_objt_retype(t, h, in.type, sp->type, want)) {
			fail(rc, KC_RT_ETYPE);
			return NULL;
		}
		in.type = sp->type;
		in.elem_size = in.size % want ? in.size : want;
	}
	if (off && !placed && !(sp->flags & KC_WP_INTERIOR)) {
		/* a typed pointer: the object's start or an element's start; an untyped one: any
		 * place inside unless it must be a base */
		int elem_start = sp->type && in.type == sp->type && in.elem_size && off % in.elem_size == 0;

		if ((sp->flags & KC_WP_BASE) || (sp->type && !elem_start)) {
			fail(rc, KC_RT_ERANGE);
			return NULL;
		}
	}
	if (need > in.size - off) {
		fail(rc, KC_RT_ERANGE);
		return NULL;
	}
	if (avail)
		*avail = in.size - off;
	return (char *)in.ptr + off;
}

/* User side, wire kind 1: the local copy of the kernel's object (made on first sight). */
static void *get_tracked_user(struct kc_rt *rt, uint64_t h, uint32_t ty, uint32_t size,
			      uint32_t off, size_t need, size_t *avail, int *rc)
{
	struct kc_objt *t = kc_rt_objt(rt);
	struct kc_objt_info in;
	void *p = NULL;
	int fresh, r;

	if (off > size || need > size - off) {
		fail(rc, KC_RT_ERANGE);
		return NULL;
	}
	r = kc_objt_import(t, &p, &fresh, h, ty, size);
	if (r == KC_RT_ETYPE && !kc_objt_info(t, &in, h) && !type_size(rt, in.type) && in.size == size) {
		/* the kernel gave an untyped allocation a type (its first typed use) */
		r = kc_objt_retype(t, h, in.type, ty, type_size(rt, ty));
		if (!r)
			r = kc_objt_import(t, &p, &fresh, h, ty, size);
	}
	if (r) {
		fail(rc, r);
		return NULL;
	}
	if (avail)
		*avail = size - off;
	return (char *)p + off;
}

void *kc_wire_get_ptr(struct kc_rt *rt, struct kc_xdr *x, const struct kc_wire_ptr *sp,
		      size_t *avail, int *rc)
{
	static const struct kc_wire_ptr any;
	uint32_t kind = kc_xdr_get_u32(x);
	size_t need;

	if (!sp)
		sp = &any;
	need = sp->need ? sp->need : 1;
	if (avail)
		*avail = 0;
	if (kc_xdr_error(x))
		return NULL; /* a decode error is the caller's kc_xdr_dec_done */
	if (kind == 0) {
		/* the callee dereferences it: a NULL pointer oopses the kernel (issue 14) */
		if ((sp->flags & KC_WP_NONNULL) && kernel(rt))
			fail(rc, KC_RT_ENULL);
		return NULL;
	}
	if (kind == 2) {
		uint32_t id = kc_xdr_get_u32(x), off = kc_xdr_get_u32(x);

		if (kc_xdr_error(x))
			return NULL;
		return get_global(rt, sp, id, off, need, avail, rc);
	}
	if (kind == 1) {
		uint64_t h = kc_xdr_get_u64(x);
		uint32_t ty = kc_xdr_get_u32(x), size = kc_xdr_get_u32(x), off = kc_xdr_get_u32(x);

		if (kc_xdr_error(x))
			return NULL;
		if (kernel(rt))
			return get_tracked_kernel(rt, sp, h, off, need, avail, rc);
		return get_tracked_user(rt, h, ty, size, off, need, avail, rc);
	}
	if (kind == 3) {
		uint32_t id;
		uint64_t off;

		kc_xdr_get_region(x, &id, &off);
		if (kc_xdr_error(x))
			return NULL;
		return get_region(rt, sp, id, off, need, avail, rc);
	}
	fail(rc, KC_RT_EPROTO);
	return NULL;
}

void kc_wire_get_field(struct kc_rt *rt, struct kc_xdr *x, const struct kc_wire_ptr *spec, void **field,
		       int *rc)
{
	int r = 0;
	void *p = kc_wire_get_ptr(rt, x, spec, NULL, &r);

	if (r || kc_xdr_error(x)) {
		fail(rc, r);
		return;
	}
	if (kernel(rt) && *field && p && p != *field) {
		fail(rc, KC_RT_ETYPE); /* the kernel's window or buffer, set before: not the user half's to move */
		return;
	}
	*field = p;
}

size_t kc_wire_extent(struct kc_rt *rt, const void *p)
{
	struct kc_objt_info in;
	uint32_t gid;
	size_t off;
	uint64_t h;

	if (!p)
		return 0;
	if (kc_wire_global_of(rt, p, &gid, &off))
		return tab(rt)->globals[gid].size - off;
	if (!kc_objt_handle_of(kc_rt_objt(rt), &h, &off, p) && !kc_objt_info(kc_rt_objt(rt), &in, h) &&
	    off <= in.size)
		return in.size - off;
	return 0;
}

uint32_t kc_wire_type_at(struct kc_rt *rt, const void *p)
{
	struct kc_objt_info in;
	size_t off;
	uint64_t h;

	if (!p || kc_objt_handle_of(kc_rt_objt(rt), &h, &off, p) || off ||
	    kc_objt_info(kc_rt_objt(rt), &in, h) || !in.type || in.type >= tab(rt)->ntypes)
		return 0;
	return in.type;
}

void kc_wire_nonnull(struct kc_rt *rt, int present, int *rc)
{
	if (!present && kernel(rt))
		fail(rc, KC_RT_ENULL); /* a string the callee reads (strlen of NULL) */
}

/* ---- allocations the user half asks for ---- */

static int64_t log_limit(struct kc_wire_state *w)
{
	return kc_ratelimit(&w->log, kc_os_now_ns()); /* ratelimit.h */
}

int kc_wire_alloc_check(struct kc_rt *rt, uint64_t n, uint64_t size, const char *fn)
{
	uint64_t live;
	int64_t dropped;

	if (!kernel(rt))
		return 0;
	live = kc_objt_heap_bytes(kc_rt_objt(rt));
	if ((!size || n <= KC_WIRE_ALLOC_MAX / size) && n * size <= KC_WIRE_ALLOC_MAX &&
	    live <= KC_WIRE_HEAP_MAX - n * size)
		return 0;
	/* a hostile user half asks for 1 TiB: refused, and said so (rate-limited) */
	dropped = fn ? log_limit(kc_rt__wire(rt)) : -1;
	if (dropped > 0)
		kc_os_log("(%lld refused allocations not logged)", (long long)dropped);
	if (dropped >= 0)
		kc_os_log("%s: allocation for the user half refused: %llu x %llu bytes (at most %u at once, %u live in "
			  "all; %llu live)", fn, (unsigned long long)n, (unsigned long long)size, KC_WIRE_ALLOC_MAX,
			  KC_WIRE_HEAP_MAX, (unsigned long long)live);
	return KC_ENOMEM;
}

/* A count parameter's array: bounded before anything is allocated, so a forged count is refused
 * (lxbench's e1000_do_read_eeprom finding: one u16 on the handler's stack, `words` u16 written;
 * print_hex_dump of 64 bytes of a 16-byte block). Absent (NULL), it must not be where the callee
 * reads or writes n > 0 elements (KC_WP_NONNULL). */
void *kc_wire_get_array(struct kc_rt *rt, struct kc_xdr *x, int present, uint64_t n, size_t size,
			unsigned flags, int *rc)
{
	const void *src;
	void *p;

	if (*rc)
		return NULL;
	if (!present) {
		if ((flags & KC_WP_NONNULL) && n && kernel(rt))
			fail(rc, KC_RT_ENULL);
		return NULL;
	}
	if (!size || n > KC_WIRE_ARRMAX / size || kc_wire_alloc_check(rt, n, size, NULL)) {
		fail(rc, KC_RT_EPROTO);
		return NULL;
	}
	src = kc_xdr_get_fixed(x, (size_t)n * size);
	p = src ? kc_os_alloc(n ? (size_t)n * size : 1) : NULL;
	if (!p) {
		fail(rc, src ? KC_ENOMEM : KC_RT_EPROTO);
		return NULL;
	}
	memcpy(p, src, (size_t)n * size);
	return p;
}

void kc_wire_free_array(void *p)
{
	kc_os_free(p);
}

int kc_wire_track_alloc(struct kc_rt *rt, const void *p, uint32_t type, size_t size)
{
	struct kc_objt *t = kc_rt_objt(rt);
	size_t ts = type_size(rt, type), elem = 1;
	uint64_t h;
	size_t off;
	int r;

	if (!p || !size || !kernel(rt))
		return 0;
	if (!kc_objt_handle_of(t, &h, &off, p))
		return 0; /* tracked already (an object the kernel half had sent before) */
	/* A typed allocation is an array of T when its size is a multiple of sizeof(T), else one T
	 * with bytes after it (a net_device and its private area): only element starts are T's.
	 * (With 1-byte elements every offset passed as the start of a T: fuzz_split handed
	 * netif_running a "net_device" inside another's private area, docs/results.md.) */
	if (ts)
		elem = size % ts ? size : ts;
	r = kc_objt_track(t, &h, (void *)(uintptr_t)p, type, elem, size / elem);
	if (!r)
		r = kc_objt_set_flags(t, h, KC_OBJT_F_HEAP);
	/* a typed allocator's object is freed by its own deallocator only (fuzz finding 4) */
	if (!r && type_size(rt, type))
		r = kc_objt_set_flags(t, h, KC_OBJT_F_TYPED);
	return r;
}

void kc_wire_get_data(struct kc_rt *rt, struct kc_xdr *x, void *dst, size_t avail, int *rc)
{
	uint32_t n = 0;
	const void *src = kc_xdr_get_opaque(x, &n, avail > UINT32_MAX ? UINT32_MAX : (uint32_t)avail);
	uint64_t h;
	size_t off;

	if (!src || !n)
		return;
	if (!dst) {
		fail(rc, KC_RT_EPROTO);
		return;
	}
	if (kernel(rt) && !kc_objt_handle_of(kc_rt_objt(rt), &h, &off, dst))
		kc_objt_set_flags(kc_rt_objt(rt), h, KC_OBJT_F_RAW);
	memcpy(dst, src, n);
}

/* ---- function pointers ---- */

static uint32_t fn_id(struct kc_rt *rt, kc_wire_fn fn)
{
	const struct kc_wire_tables *t = tab(rt);
	uint32_t i;

	for (i = 0; fn && t->fnptrs && i < t->nfnptrs; i++)
		if (t->fnptrs[i] == fn)
			return i + 1;
	return 0;
}

void kc_wire_put_fn(struct kc_rt *rt, struct kc_xdr *x, kc_wire_fn fn, int *rc)
{
	uint32_t id = fn_id(rt, fn);

	if (fn && !id)
		fail(rc, KC_EINVAL);
	kc_xdr_put_u32(x, id);
}

kc_wire_fn kc_wire_get_fn(struct kc_rt *rt, struct kc_xdr *x, int *rc)
{
	const struct kc_wire_tables *t = tab(rt);
	uint32_t i = kc_xdr_get_u32(x);

	if (!i || kc_xdr_error(x))
		return NULL;
	if (!t->fnptrs || i > t->nfnptrs || !t->fnptrs[i - 1]) {
		fail(rc, KC_RT_EPROTO);
		return NULL;
	}
	return t->fnptrs[i - 1];
}

void kc_wire_put_fnf(struct kc_rt *rt, struct kc_xdr *x, kc_wire_fn fn)
{
	uint32_t id = fn_id(rt, fn);

	kc_xdr_put_u32(x, id ? id : fn ? KC_WIRE_FN_FOREIGN : 0);
}

int kc_wire_get_fnf(struct kc_rt *rt, struct kc_xdr *x, kc_wire_fn *fn, int *rc)
{
	const struct kc_wire_tables *t = tab(rt);
	uint32_t i = kc_xdr_get_u32(x);

	if (kc_xdr_error(x) || i == KC_WIRE_FN_FOREIGN)
		return 0;
	if (i && (!t->fnptrs || i > t->nfnptrs || !t->fnptrs[i - 1])) {
		fail(rc, KC_RT_EPROTO);
		return 0;
	}
	*fn = i ? t->fnptrs[i - 1] : NULL;
	return 1;
}

/* ---- strings ---- */

/* Does p lie in an object or global the peer also has? */
static int shared_with_peer(struct kc_rt *rt, const void *p)
{
	uint32_t gid;
	size_t off;
	uint64_t h;

	return kc_wire_global_of(rt, p, &gid, &off) || !kc_objt_handle_of(kc_rt_objt(rt), &h, &off, p);
}

void kc_wire_put_str(struct kc_rt *rt, struct kc_xdr *x, const char *s, int *rc)
{
	int r;

	kc_xdr_put_bool(x, s != NULL);
	if (!s)
		return;
	if (!kernel(rt) && shared_with_peer(rt, s)) {
		kc_xdr_put_u32(x, 1);
		r = kc_wire_put_ptr(rt, x, s, 0, 1, 1, 0);
		if (r)
			fail(rc, r);
		return;
	}
	kc_xdr_put_u32(x, 0);
	kc_xdr_put_string(x, s);
}

char *kc_wire_get_str(struct kc_rt *rt, struct kc_xdr *x, char *buf, size_t n, int *rc)
{
	uint32_t form;

	if (!kc_xdr_get_bool(x))
		return NULL;
	form = kc_xdr_get_u32(x);
	if (form == 1 && kernel(rt)) {
		size_t avail = 0;
		char *p = kc_wire_get_ptr(rt, x, NULL, &avail, rc);

		if (p && memchr(p, 0, avail))
			return p;
		fail(rc, KC_RT_EPROTO); /* no NUL before the end of its object */
		return NULL;
	}
	if (form != 0 || kc_xdr_get_string(x, buf, n)) {
		fail(rc, KC_RT_EPROTO);
		return NULL;
	}
	return buf;
}

const char *kc_wire_intern(struct kc_rt *rt, const char *s)
{
	struct kc_wire_state *w = kc_rt__wire(rt);
	struct kc_wire_istr *e;
	size_t n = strlen(s);

	kc_os_lock(w->lock);
	for (e = w->intern; e; e = e->next)
		if (e->len == n && !memcmp(e->s, s, n))
			break;
	if (!e && w->nintern < KC_WIRE_INTERN_MAX && w->intern_bytes + n + 1 <= KC_WIRE_INTERN_BYTES) {
		e = kc_os_alloc(sizeof(*e) + n + 1);
		if (e) {
			e->len = n;
			memcpy(e->s, s, n + 1);
			e->next = w->intern;
			w->intern = e;
			w->nintern++;
			w->intern_bytes += n + 1;
		}
	}
	kc_os_unlock(w->lock);
	return e ? e->s : NULL;
}

/* ---- the kernel half's own allocations (what a deallocator called by the user half may free
 * besides the allocations made for it) ---- */

static size_t heap_slot(const void *p, size_t cap)
{
	uintptr_t a = (uintptr_t)p;

	a ^= a >> 17;
	a *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(a >> 7) & (cap - 1);
}

/* Index of p in w->heap, or of the empty slot it would go to. Under w->lock. */
static size_t heap_find(const struct kc_wire_state *w, const void *p)
{
	size_t i = heap_slot(p, w->heap_cap);

	while (w->heap[i] && w->heap[i] != p)
		i = (i + 1) & (w->heap_cap - 1);
	return i;
}

void *kc_wire_heap_note(struct kc_rt *rt, void *p)
{
	struct kc_wire_state *w;

	if (!rt || !p || !kernel(rt))
		return p;
	w = kc_rt__wire(rt);
	kc_os_lock(w->lock);
	if (2 * (w->nheap + 1) > w->heap_cap) {
		size_t cap = w->heap_cap ? 2 * w->heap_cap : 256, i;
		const void **old = w->heap, **v = kc_os_alloc(cap * sizeof(*v));

		if (v) {
			size_t oldcap = w->heap_cap;

			memset(v, 0, cap * sizeof(*v));
			w->heap = v;
			w->heap_cap = cap;
			for (i = 0; old && i < oldcap; i++)
				if (old[i])
					w->heap[heap_find(w, old[i])] = old[i];
			kc_os_free(old);
		}
	}
	if (2 * (w->nheap + 1) <= w->heap_cap) {
		size_t i = heap_find(w, p);

		if (!w->heap[i]) {
			w->heap[i] = p;
			w->nheap++;
		}
	}
	kc_os_unlock(w->lock);
	return p;
}

static void heap_forget(struct kc_rt *rt, const void *p)
{
	struct kc_wire_state *w = kc_rt__wire(rt);
	size_t i, j;

	kc_os_lock(w->lock);
	if (w->heap_cap && w->heap[i = heap_find(w, p)]) {
		/* delete with backward shift: later entries of the probe run move up */
		w->heap[i] = NULL;
		w->nheap--;
		for (j = (i + 1) & (w->heap_cap - 1); w->heap[j]; j = (j + 1) & (w->heap_cap - 1)) {
			const void *q = w->heap[j];

			w->heap[j] = NULL;
			w->heap[heap_find(w, q)] = q;
		}
	}
	kc_os_unlock(w->lock);
}

static int heap_noted(struct kc_rt *rt, const void *p)
{
	struct kc_wire_state *w = kc_rt__wire(rt);
	int r;

	kc_os_lock(w->lock);
	r = w->heap_cap && w->heap[heap_find(w, p)] != NULL;
	kc_os_unlock(w->lock);
	return r;
}

#ifndef __KERNEL__
/* Strings interned for endpoints already closed: kernel code may still hold them after the
 * runtime stopped (the kernel model prints a pending timer's name when the module unloads);
 * freed when the program ends (a kernel module's strings go with the module). */
static struct kc_wire_istr *closed_interns;

__attribute__((destructor)) static void closed_interns_free(void)
{
	struct kc_wire_istr *e = __atomic_exchange_n(&closed_interns, NULL, __ATOMIC_ACQ_REL);

	while (e) {
		struct kc_wire_istr *n = e->next;

		kc_os_free(e);
		e = n;
	}
}
#endif

void kc_wire__free(struct kc_rt *rt)
{
	struct kc_wire_state *w = kc_rt__wire(rt);

	kc_sync__free(rt);
	kc_os_free(w->heap);
	w->heap = NULL;
	w->nheap = w->heap_cap = 0;
#ifndef __KERNEL__
	if (w->intern) {
		struct kc_wire_istr *last = w->intern;

		while (last->next)
			last = last->next;
		last->next = __atomic_load_n(&closed_interns, __ATOMIC_ACQUIRE);
		while (!__atomic_compare_exchange_n(&closed_interns, &last->next, w->intern, 0, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE))
			;
		w->intern = NULL;
	}
#endif
	while (w->intern) {
		struct kc_wire_istr *e = w->intern;

		w->intern = e->next;
		kc_os_free(e);
	}
	w->nintern = w->intern_bytes = 0;
}

const char *kc_wire_keep_str(struct kc_rt *rt, const char *s, const char *buf, int *rc)
{
	const char *k;

	if (!s || s != buf)
		return s; /* NULL, or the kernel's own string */
	k = kc_wire_intern(rt, s);
	if (!k)
		fail(rc, KC_ENOMEM);
	return k;
}

void kc_wire_get_fstr(struct kc_rt *rt, struct kc_xdr *x, const char **field, int *rc)
{
	char buf[KC_WIRE_STRMAX];
	const char *s = kc_wire_get_str(rt, x, buf, sizeof(buf), rc);

	if (*rc)
		return;
	if (!s)
		*field = NULL;
	else if (s != buf)
		*field = s; /* the peer pointed into an object this half also has: its own copy */
	else if (!*field || strcmp(*field, s)) {
		const char *k = kc_wire_intern(rt, s);

		if (k)
			*field = k;
		else
			fail(rc, KC_ENOMEM);
	}
}

void kc_wire_put_strv(struct kc_rt *rt, struct kc_xdr *x, const char *const *v, size_t n, int *rc)
{
	size_t i, ext;

	kc_xdr_put_bool(x, v != NULL);
	if (!v)
		return;
	ext = kc_wire_extent(rt, v) / sizeof(*v);
	if (!n || (ext && n > ext))
		n = ext;
	if (!n || n > KC_WIRE_STRVMAX) {
		fail(rc, KC_EINVAL); /* length unknown or too long */
		n = 0;
	}
	kc_xdr_put_u32(x, (uint32_t)n);
	for (i = 0; i < n; i++)
		kc_wire_put_str(rt, x, v[i], rc);
}

const char *const *kc_wire_get_strv(struct kc_rt *rt, struct kc_xdr *x, const char **vec,
				    size_t max, char *pool, size_t poolsize, size_t *count,
				    int *rc)
{
	uint32_t i, n;
	size_t used = 0;

	*count = 0;
	for (i = 0; i <= max; i++)
		vec[i] = NULL;
	if (!kc_xdr_get_bool(x))
		return NULL;
	n = kc_xdr_get_u32(x);
	if (kc_xdr_error(x) || n > max) {
		fail(rc, KC_RT_EPROTO);
		return NULL;
	}
	*count = n;
	for (i = 0; i < n; i++) {
		char *s = used < poolsize ? kc_wire_get_str(rt, x, pool + used, poolsize - used, rc) : NULL;

		vec[i] = s;
		if (s && s == pool + used)
			used += strlen(s) + 1;
		if (*rc || !s || used >= poolsize) {
			fail(rc, KC_RT_EPROTO);
			return NULL;
		}
	}
	return vec;
}

/* ---- bit-operation words ---- */

void kc_wire_put_word(struct kc_rt *rt, struct kc_xdr *x, const volatile void *p, size_t size,
		      int *rc)
{
	const void *q = (const void *)(uintptr_t)p;
	int r;

	if (shared_with_peer(rt, q)) {
		kc_xdr_put_u32(x, 1);
		r = kc_wire_put_ptr(rt, x, q, 0, 1, 1, 0);
		if (r)
			fail(rc, r);
		return;
	}
	kc_xdr_put_u32(x, 0);
	kc_xdr_put_fixed(x, q, size);
}

void *kc_wire_get_word(struct kc_rt *rt, struct kc_xdr *x, void *tmp, size_t size, size_t *avail,
		       int *rc)
{
	static const struct kc_wire_ptr word;
	uint32_t form = kc_xdr_get_u32(x);
	const void *src;
	void *p;

	*avail = size;
	if (form == 1) {
		struct kc_wire_ptr sp = word;

		sp.need = size;
		p = kc_wire_get_ptr(rt, x, &sp, avail, rc);
		if (p && !((uintptr_t)p & (size - 1)))
			return p;
		fail(rc, KC_RT_EPROTO);
		*avail = size;
		return tmp;
	}
	if (form != 0) {
		fail(rc, KC_RT_EPROTO);
		return tmp;
	}
	src = kc_xdr_get_fixed(x, size);
	if (src)
		memcpy(tmp, src, size);
	else
		fail(rc, KC_RT_EPROTO);
	return tmp;
}

int kc_wire_bit_check(int64_t nr, size_t avail)
{
	return nr >= 0 && (uint64_t)nr / 8 < avail ? 0 : KC_RT_ERANGE;
}

/* ---- all-or-nothing decode: the undo log ---- */

/* Per thread: a decode runs on one thread from its first write to kc_wire_fault or
 * kc_wire_undo_commit, and never crosses in between (a kernel port keeps it per task, as rt.c's
 * chain stack). Small logs stay in the inline arrays; a larger one grows on the heap and is
 * freed when the decode ends, so nothing stays allocated between decodes. */
#define UNDO_INLINE_ENTS 64
#define UNDO_INLINE_BYTES 2048
#define UNDO_MAX_BYTES (1u << 20)

struct undo_ent {
	void *p;
	size_t n, off;
};

struct undo_log {
	struct undo_ent *e;
	unsigned char *b;
	size_t ne, cap_e, nb, cap_b;
	struct undo_ent ie[UNDO_INLINE_ENTS];
	unsigned char ib[UNDO_INLINE_BYTES];
};

#ifndef __KERNEL__
static _Thread_local struct undo_log tls_undo;
#define UNDO_LOG() (&tls_undo)
#define UNDO_PEEK() (&tls_undo)
#else
/* rt/linux: no thread-local storage in the kernel: the calling task's log (kc_rt__task, kept by
 * the endpoint while the task is in a call), made on first use; NULL when there is none (or no
 * memory for it): kc_wire_undo then refuses the write */
static struct undo_log *undo_task(int make)
{
	struct kc_wire_task *t = kc_rt__task();

	if (t && !t->undo && make)
		t->undo = kc_os_zalloc(sizeof(struct undo_log));
	return t ? t->undo : NULL;
}
#define UNDO_LOG() undo_task(1)
#define UNDO_PEEK() undo_task(0)
#endif

static void undo_reset(struct undo_log *u)
{
	if (u->e && u->e != u->ie)
		kc_os_free(u->e);
	if (u->b && u->b != u->ib)
		kc_os_free(u->b);
	u->e = NULL;
	u->b = NULL;
	u->ne = u->nb = u->cap_e = u->cap_b = 0;
}

#ifdef __KERNEL__
/* The task left its outermost call (wire_internal.h). */
void kc_wire__task_end(struct kc_wire_task *t)
{
	struct undo_log *u = t->undo;

	if (u) {
		undo_reset(u);
		kc_os_free(u);
	}
	t->undo = NULL;
	t->nstk = 0;
}
#endif

/* Room for one more entry of n bytes; 0 if the log cannot grow. */
static int undo_room(struct undo_log *u, size_t n)
{
	if (!u->e) {
		u->e = u->ie;
		u->cap_e = UNDO_INLINE_ENTS;
		u->b = u->ib;
		u->cap_b = UNDO_INLINE_BYTES;
	}
	if (n > UNDO_MAX_BYTES || u->nb + n > UNDO_MAX_BYTES)
		return 0;
	if (u->ne == u->cap_e) {
		struct undo_ent *e = kc_os_alloc(2 * u->cap_e * sizeof(*e));

		if (!e)
			return 0;
		memcpy(e, u->e, u->ne * sizeof(*e));
		if (u->e != u->ie)
			kc_os_free(u->e);
		u->e = e;
		u->cap_e *= 2;
	}
	if (u->nb + n > u->cap_b) {
		size_t cap = u->cap_b;
		unsigned char *b;

		while (u->nb + n > cap)
			cap *= 2;
		b = kc_os_alloc(cap);
		if (!b)
			return 0;
		memcpy(b, u->b, u->nb);
		if (u->b != u->ib)
			kc_os_free(u->b);
		u->b = b;
		u->cap_b = cap;
	}
	return 1;
}

int kc_wire_undo(struct kc_rt *rt, void *p, size_t n, int *rc)
{
	struct undo_log *u = UNDO_LOG();
	struct undo_ent *e;

	if (*rc)
		return 0;
#ifdef __KERNEL__
	if (!u && kernel(rt) && p && n) {
		fail(rc, KC_ENOMEM); /* no log to keep the old bytes in: nothing is written */
		return 0;
	}
#endif
	if (!u || !kernel(rt) || !p || !n)
		return 1;
	if (!undo_room(u, n)) {
		fail(rc, KC_ENOMEM);
		return 0;
	}
	e = &u->e[u->ne++];
	e->p = p;
	e->n = n;
	e->off = u->nb;
	memcpy(u->b + u->nb, p, n);
	u->nb += n;
	return 1;
}

static void undo_commit(struct kc_rt *rt, int check_stale)
{
	struct undo_log *u = UNDO_PEEK();

	if (!u)
		return;
	/* the decode stands, except where the user half's copy was older than the kernel half's own
	 * value (sync.c): those bytes go back, newest entry first */
	while (check_stale && kernel(rt) && u->ne) {
		const struct undo_ent *e = &u->e[--u->ne];

		if (kc_sync__stale(rt, e->p, u->b + e->off, e->n))
			memcpy(e->p, u->b + e->off, e->n);
	}
	undo_reset(u);
}

void kc_wire_undo_commit(struct kc_rt *rt)
{
	undo_commit(rt, 1);
}

void kc_wire__undo_keep(struct kc_rt *rt)
{
	undo_commit(rt, 0);
}

/* A refused message: every byte its decode wrote goes back, newest first. */
static void undo_restore(void)
{
	struct undo_log *u = UNDO_PEEK();

	while (u && u->ne) {
		const struct undo_ent *e = &u->e[--u->ne];

		memcpy(e->p, u->b + e->off, e->n);
	}
	if (u)
		undo_reset(u);
}

size_t kc_wire_undo_pending(size_t *bytes)
{
	struct undo_log *u = UNDO_PEEK();

	if (bytes)
		*bytes = u ? u->nb : 0;
	return u ? u->ne : 0;
}

int kc_wire_span(struct kc_rt *rt, const void *p, size_t n, int *rc)
{
	struct kc_objt *t = kc_rt_objt(rt);
	struct kc_objt_info in;
	uint64_t h;
	size_t off;

	if (*rc)
		return 0;
	if (!kernel(rt) || !p || !n)
		return 1;
	if (kc_objt_handle_of(t, &h, &off, p)) {
		/* one past an object's end (a private area of 0 bytes) is in no object either */
		if (kc_objt_handle_of(t, &h, &off, (const char *)p - 1))
			return 1;
		off++;
	}
	if (kc_objt_info(t, &in, h))
		return 1;
	if (off > in.size || n > in.size - off) {
		fail(rc, KC_RT_ERANGE);
		return 0;
	}
	return 1;
}

/* ---- faults ---- */

int kc_wire_fault(struct kc_rt *rt, int rc, const char *fn)
{
	char why[160];
	const char *what;
	size_t n, k;

	if (kernel(rt))
		undo_restore();
	if (!kernel(rt) || !(rc == KC_RT_EPROTO || rc == KC_RT_ESTALE || rc == KC_RT_ETYPE ||
			     rc == KC_RT_ERANGE || rc == KC_RT_ENULL || rc == KC_EINVAL))
		return rc;
	/* "fn: bad data from the user half: what" without stdio */
	what = kc_rt_strerror(rc);
	n = fn ? strlen(fn) : 0;
	if (n > 60)
		n = 60;
	memcpy(why, fn ? fn : "", n);
	memcpy(why + n, ": bad data from the user half: ", 31);
	n += 31;
	k = strlen(what);
	if (k > sizeof(why) - n - 1)
		k = sizeof(why) - n - 1;
	memcpy(why + n, what, k);
	why[n + k] = 0;
	return kc_rt_fault(rt, why);
}

/* ---- teardown the user half never saw (kc_wire_redo) ---- */

int kc_wire_redo(struct kc_rt *rt, int rc, kc_wire_redo_fn fn, const uint64_t *v, unsigned n, unsigned ptrs)
{
	struct kc_wire_state *w;
	unsigned i;

	if (!kernel(rt) || !fn || n > KC_WIRE_REDO_ARGS ||
	    !(rc == KC_RT_EDOWN || rc == KC_RT_EDEAD || rc == KC_RT_ETIMEDOUT))
		return rc;
	w = kc_rt__wire(rt);
	kc_os_lock(w->lock);
	for (i = 0; i < w->nredo; i++)
		if (w->redo[i].fn == fn && w->redo[i].n == n && (!n || !memcmp(w->redo[i].v, v, n * sizeof(*v))))
			break;
	if (i == w->nredo) {
		if (w->nredo < KC_WIRE_REDO_MAX) {
			struct kc_wire_redo *e = &w->redo[w->nredo++];

			memset(e, 0, sizeof(*e));
			e->fn = fn;
			if (n)
				memcpy(e->v, v, n * sizeof(*v));
			e->n = n;
			e->ptrs = ptrs;
		} /* else: the queue is full, this one is not run again (the caller logged its failure) */
	}
	kc_os_unlock(w->lock);
	return rc;
}

unsigned kc_wire_redo_pending(struct kc_rt *rt)
{
	struct kc_wire_state *w = kc_rt__wire(rt);
	unsigned n;

	kc_os_lock(w->lock);
	n = w->nredo;
	kc_os_unlock(w->lock);
	return n;
}

/* The memory at [p, p + size) is being freed: queued calls that point into it cannot run. */
static void redo_forget(struct kc_rt *rt, const void *p, size_t size)
{
	struct kc_wire_state *w = kc_rt__wire(rt);
	uintptr_t lo = (uintptr_t)p, hi = lo + (size ? size : 1);
	unsigned i, j, k;

	if (!w->nredo)
		return; /* (a racy peek: a queue being filled is for an object not being freed) */
	kc_os_lock(w->lock);
	for (i = j = 0; i < w->nredo; i++) {
		int dead = 0;

		for (k = 0; k < w->redo[i].n; k++)
			if ((w->redo[i].ptrs >> k & 1) && w->redo[i].v[k] >= lo && w->redo[i].v[k] < hi)
				dead = 1;
		if (!dead)
			w->redo[j++] = w->redo[i];
	}
	w->nredo = j;
	kc_os_unlock(w->lock);
}

/* Run the queued teardown calls for the user half that just started (oldest first). A call that
 * fails again the same way queues itself again (its stub calls kc_wire_redo). */
static void redo_run(struct kc_rt *rt)
{
	struct kc_wire_state *w = kc_rt__wire(rt);
	struct kc_wire_redo e;
	unsigned i, n;

	kc_os_lock(w->lock);
	n = w->nredo;
	kc_os_unlock(w->lock);
	/* one at a time, so that a free meanwhile still drops the entries not run yet */
	for (i = 0; i < n; i++) {
		kc_os_lock(w->lock);
		if (!w->nredo) {
			kc_os_unlock(w->lock);
			break;
		}
		e = w->redo[0];
		memmove(&w->redo[0], &w->redo[1], (w->nredo - 1) * sizeof(w->redo[0]));
		w->nredo--;
		kc_os_unlock(w->lock);
		e.fn(e.v);
	}
}

/* ---- recovery after a restart ---- */

struct rec_list {
	const struct kc_wire_tables *t;
	uint64_t *h;
	size_t n, cap;
};

static int rec_collect(void *arg, uint64_t h, const struct kc_objt_info *o)
{
	struct rec_list *l = arg;

	if (!o->type || o->type >= l->t->ntypes || !l->t->recover_has[o->type])
		return 0;
	if (l->n == l->cap)
		return 1; /* the list is sized before the walk; objects tracked meanwhile wait */
	l->h[l->n++] = h;
	return 0;
}

/* One recovery message: element k of live object h (its type, the element as a pointer, its
 * fields with the kernel's values). An array of structs (a kcalloc'd buffer_info[]) goes element
 * by element, so the next user half holds all of it (before, element 0 only). KC_ENOTFOUND when
 * the object is gone or has no element k. Caller holds free_lock (the memory stays). */
int kc_wire__recover_put(struct kc_rt *rt, struct kc_xdr *a, uint64_t h, size_t k)
{
	const struct kc_wire_tables *t = tab(rt);
	struct kc_objt_info in;
	size_t ts;
	char *p;
	int rc;

	if (kc_objt_info(kc_rt_objt(rt), &in, h) || !in.elem_size)
		return KC_ENOTFOUND; /* freed meanwhile */
	ts = type_size(rt, in.type);
	/* elements of the type's own size (else one object: a net_device and its private area) */
	if (k && (!ts || in.elem_size < ts || k >= in.size / in.elem_size))
		return KC_ENOTFOUND;
	p = (char *)in.ptr + k * in.elem_size;
	kc_xdr_put_u32(a, in.type);
	rc = kc_wire_put_ptr(rt, a, p, in.type, in.elem_size, in.size / in.elem_size, 0);
	if (!rc)
		t->recover_enc(a, in.type, p, &rc);
	if (!rc)
		rc = kc_xdr_error(a);
	return rc;
}

/* Re-send the live objects; 0, or KC_RT_EDEAD / KC_RT_EDOWN when the new user half died too. */
static int recover_objects(struct kc_rt *rt)
{
	const struct kc_wire_tables *t = tab(rt);
	struct kc_objt *ot = kc_rt_objt(rt);
	struct rec_list l = { t, NULL, 0, 0 };
	size_t i, k;
	int dead = 0;

	if (!t->recover_enc || !t->recover_has)
		return 0;
	l.cap = kc_objt_count(ot) + 16;
	l.h = kc_os_alloc(l.cap * sizeof(*l.h));
	if (!l.h)
		return 0; /* the new user half starts empty; the next crossings bring what they need */
	kc_objt_foreach(ot, rec_collect, &l);
	for (i = 0; i < l.n && !dead; i++) {
		for (k = 0;; k++) {
			struct kc_rt_call *c;
			struct kc_xdr *a, *r;
			int rc;

			rc = kc_rt_call_begin(&c, &a, rt, t->recover_fn);
			if (rc) {
				dead = rc;
				break;
			}
			/* The object's memory must stay while its fields are read: whoever frees
			 * tracked memory (kc_rt_obj_free, kc_wire_freed: the driver's kfree, the
			 * kernel's own frees) forgets it under free_lock first, so it is either gone
			 * from the tracker here or cannot be freed before the encoding is done. */
			if (kc_rt__wire(rt)->free_lock)
				kc_os_lock(kc_rt__wire(rt)->free_lock);
			rc = kc_wire__recover_put(rt, a, l.h[i], k);
			if (kc_rt__wire(rt)->free_lock)
				kc_os_unlock(kc_rt__wire(rt)->free_lock);
			if (rc == KC_ENOTFOUND) {
				kc_rt_call_end(c, rc);
				break; /* past its last element, or freed meanwhile */
			}
			if (!rc)
				rc = kc_rt_call_invoke(c, &r);
			rc = kc_rt_call_end(c, rc);
			if (rc == KC_RT_EDEAD || rc == KC_RT_EDOWN) {
				dead = rc; /* the new user half died too: the next one recovers */
				break;
			}
		}
	}
	kc_os_free(l.h);
	return dead;
}

void kc_wire_recover_hook(struct kc_rt *rt, void *arg, unsigned incarnation)
{
	(void)arg;
	(void)incarnation;
	if (!kernel(rt))
		return;
	/* the objects first (the teardown calls read them), then what the dead user half missed */
	if (!recover_objects(rt))
		redo_run(rt);
}

/* Is p the start of an element of type `type` of its tracked object (the object's start, or a
 * multiple of the type's size into it: recovery of an array of structs)? */
static int elem_start(struct kc_rt *rt, const void *p, uint32_t type)
{
	size_t off, ts = type_size(rt, type);
	struct kc_objt_info in;
	uint64_t h;

	if (!p || kc_objt_handle_of(kc_rt_objt(rt), &h, &off, p) || kc_objt_info(kc_rt_objt(rt), &in, h) ||
	    in.type != type || off > in.size)
		return 0;
	return !off || (ts && off % ts == 0 && in.size - off >= ts);
}

int kc_wire_recover_serve(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res)
{
	const struct kc_wire_tables *t = tab(rt);
	uint32_t type = kc_xdr_get_u32(args);
	int rc = 0;
	void *p = kc_wire_get_ptr(rt, args, NULL, NULL, &rc);

	(void)res;
	if (!rc && (!p || type >= t->ntypes || !t->recover_has || !t->recover_has[type] ||
		    !t->recover_dec || !elem_start(rt, p, type)))
		rc = KC_RT_EPROTO;
	if (!rc)
		t->recover_dec(args, type, p, &rc);
	if (!rc && kc_xdr_dec_done(args))
		rc = KC_RT_EPROTO;
	if (!rc)
		kc_sync__refresh(rt); /* the kernel half's values are the baseline (sync.c) */
	return rc;
}

void kc_wire_free_hook(struct kc_rt *rt, const void *p)
{
	if (rt && p) {
		heap_forget(rt, p);
		kc_rt_obj_free(rt, p);
	}
}

void kc_wire_freed(struct kc_rt *rt, const void *p, size_t size)
{
	if (!rt || !p || !kernel(rt))
		return;
	if (kc_rt__wire(rt)->free_lock)
		kc_os_lock(kc_rt__wire(rt)->free_lock);
	redo_forget(rt, p, size);
	heap_forget(rt, p);
	kc_rt__forget_range(rt, p, size);
	if (kc_rt__wire(rt)->free_lock)
		kc_os_unlock(kc_rt__wire(rt)->free_lock);
}
