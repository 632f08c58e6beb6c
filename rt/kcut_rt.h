/*
 * kcut_rt.h - the microdriver runtime: the one public header both halves of a split driver include.
 *
 * A split driver runs as two parts: the kernel half (interrupts, transmit, receive) inside the
 * process that hosts the kernel model, and the user half (probe, config, ethtool) in a separate
 * process started and watched by the kernel half. They talk through a shared-memory channel:
 *
 *   kc_xdr_*   XDR marshaling (4-byte units, big-endian) into a bounded buffer; the decoder is
 *              bounds-checked and sticky-error (one bad read poisons the rest, nothing reads past
 *              the buffer, no length in a message can cause an allocation larger than the message).
 *   kc_objt_*  the object tracker: kernel object <-> opaque handle (index + generation) <-> user
 *              copy, with type, element size and count so interior pointers translate to
 *              (object, offset) and every size is checked against the tracked object.
 *   kc_rt_*    the endpoint: calls in both directions (upcalls kernel->user, downcalls
 *              user->kernel) with nesting to any depth (LRPC style: the waiting thread serves the
 *              peer's calls made on behalf of its call), a worker pool in the user half, the
 *              supervisor in the kernel half (spawn, watch, time out, fail pending calls, restart
 *              with backoff, recovery hook) and the crossing trace (profile for `kcut profile
 *              import --format instrument`).
 *
 * Generated stubs use the call API like this (both directions look the same):
 *
 *	struct kc_rt_call *c;
 *	struct kc_xdr *a, *r;
 *	rc = kc_rt_call_begin(&c, &a, rt, FN_ID);   // a encodes the arguments
 *	if (rc) return rc;
 *	kc_xdr_put_u32(a, x);
 *	rc = kc_rt_call_invoke(c, &r);              // r decodes the results (on rc == 0)
 *	if (!rc) y = kc_xdr_get_u32(r);
 *	rc = kc_rt_call_end(c, rc);                 // checks r was well formed; frees c
 *
 * All functions return 0 or a negative code: KC_E* from kc_common.h or KC_RT_E* below.
 */
#ifndef KCUT_RT_H
#define KCUT_RT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kc_common.h"

/* Runtime error codes (in addition to KC_E*). */
enum {
	KC_RT_EDEAD = -20,     /* the user half died or was killed while this call was pending */
	KC_RT_EDOWN = -21,     /* the user half is not running right now (being restarted) */
	KC_RT_ETIMEDOUT = -22, /* the peer did not answer within the call timeout */
	KC_RT_EPROTO = -23,    /* the peer sent a malformed message, forged handle or bad size */
	KC_RT_ESTALE = -24,    /* a handle that was valid once but whose object is gone */
	KC_RT_ETYPE = -25,     /* a handle of the wrong type */
	KC_RT_ERANGE = -26,    /* offset/length outside the tracked object */
	KC_RT_ENOSLOT = -27,   /* too many concurrent calls */
	KC_RT_ENULL = -28,     /* a NULL pointer where the receiver dereferences it (KC_WP_NONNULL) */
};
const char *kc_rt_strerror(int code); /* also knows the KC_E* codes */

/* ------------------------------------------------------------------------------------------ */
/* XDR marshaling (RFC 4506 encoding). The struct is public so it can live on the stack and the
 * hot 32-bit paths can be inline; treat the fields as private. */
struct kc_xdr {
	uint8_t *buf;
	size_t cap; /* encoder: buffer size; decoder: message length */
	size_t pos;
	int err;    /* sticky: first error (KC_EINVAL short/malformed, KC_ENOMEM encoder full) */
};

void kc_xdr_init_enc(struct kc_xdr *x, void *buf, size_t cap);
void kc_xdr_init_dec(struct kc_xdr *x, const void *buf, size_t len);
/* 0 if no error so far, else the sticky error code. */
static inline int kc_xdr_error(const struct kc_xdr *x) { return x->err; }
/* Bytes encoded so far / bytes consumed so far. */
static inline size_t kc_xdr_pos(const struct kc_xdr *x) { return x->pos; }
/* Decoder: 0 when there was no error and every byte was consumed, else KC_EINVAL. */
int kc_xdr_dec_done(struct kc_xdr *x);

static inline void kc_xdr_put_u32(struct kc_xdr *x, uint32_t v)
{
	if (x->err || x->cap - x->pos < 4) {
		x->err = x->err ? x->err : KC_ENOMEM;
		return;
	}
	v = __builtin_bswap32(v);
	__builtin_memcpy(x->buf + x->pos, &v, 4);
	x->pos += 4;
}

static inline uint32_t kc_xdr_get_u32(struct kc_xdr *x)
{
	uint32_t v;

	if (x->err || x->cap - x->pos < 4) {
		x->err = x->err ? x->err : KC_EINVAL;
		return 0;
	}
	__builtin_memcpy(&v, x->buf + x->pos, 4);
	x->pos += 4;
	return __builtin_bswap32(v);
}

static inline void kc_xdr_put_i32(struct kc_xdr *x, int32_t v) { kc_xdr_put_u32(x, (uint32_t)v); }
static inline int32_t kc_xdr_get_i32(struct kc_xdr *x) { return (int32_t)kc_xdr_get_u32(x); }
static inline void kc_xdr_put_enum(struct kc_xdr *x, int32_t v) { kc_xdr_put_u32(x, (uint32_t)v); }
/* Enum decode: values outside [lo, hi] are a decode error (returns lo). */
int32_t kc_xdr_get_enum(struct kc_xdr *x, int32_t lo, int32_t hi);
void kc_xdr_put_u64(struct kc_xdr *x, uint64_t v); /* XDR "unsigned hyper" */
uint64_t kc_xdr_get_u64(struct kc_xdr *x);
static inline void kc_xdr_put_i64(struct kc_xdr *x, int64_t v) { kc_xdr_put_u64(x, (uint64_t)v); }
static inline int64_t kc_xdr_get_i64(struct kc_xdr *x) { return (int64_t)kc_xdr_get_u64(x); }
void kc_xdr_put_bool(struct kc_xdr *x, int v);
int kc_xdr_get_bool(struct kc_xdr *x); /* anything but 0/1 is a decode error */

/* Fixed-length opaque: n bytes plus zero padding to 4. The decoder returns a pointer into the
 * message (no copy; valid while the message buffer is) or NULL on error, and rejects nonzero pad. */
void kc_xdr_put_fixed(struct kc_xdr *x, const void *p, size_t n);
const void *kc_xdr_get_fixed(struct kc_xdr *x, size_t n);
/* Variable-length opaque: length word, bytes, padding. get_opaque rejects lengths above max
 * (or above what is left in the message) and returns a pointer into the message. */
void kc_xdr_put_opaque(struct kc_xdr *x, const void *p, size_t n);
const void *kc_xdr_get_opaque(struct kc_xdr *x, uint32_t *n, uint32_t max);
/* Strings: like opaque, no NUL inside. get_string copies into out (outsz includes the NUL). */
void kc_xdr_put_string(struct kc_xdr *x, const char *s);
int kc_xdr_get_string(struct kc_xdr *x, char *out, size_t outsz);
/* Arrays of 32-bit values: fixed (n known by both sides) and variable (count word first; the
 * decoder rejects counts above max). */
void kc_xdr_put_u32_fixed(struct kc_xdr *x, const uint32_t *a, size_t n);
int kc_xdr_get_u32_fixed(struct kc_xdr *x, uint32_t *a, size_t n);
void kc_xdr_put_u32_array(struct kc_xdr *x, const uint32_t *a, uint32_t n);
int kc_xdr_get_u32_array(struct kc_xdr *x, uint32_t *a, uint32_t *n, uint32_t max);
/* The count word of a variable array of elements that each take at least min_unit bytes on the
 * wire: rejects counts above max or above what the rest of the message could hold, so a
 * caller may allocate count * sizeof(elem) without trusting the peer. */
uint32_t kc_xdr_get_count(struct kc_xdr *x, uint32_t max, uint32_t min_unit);
/* Optional pointer, sent as a tracker handle: 0 (NULL) encodes as FALSE, else TRUE + hyper. */
void kc_xdr_put_handle(struct kc_xdr *x, uint64_t h);
uint64_t kc_xdr_get_handle(struct kc_xdr *x);

/* ------------------------------------------------------------------------------------------ */
/* Object tracker. Kernel side: kc_objt_track registers an object and gives its handle;
 * kc_objt_lookup turns a handle coming back from the user half into a pointer, checking the
 * handle (index, generation), the type and the byte range. User side: kc_objt_import maps a
 * kernel handle to the local copy, allocating it zeroed on first sight. Thread-safe. */
struct kc_objt;

/* owns_copies: 1 on the user side (import allocates, release/free frees), 0 on the kernel side. */
int kc_objt_new(struct kc_objt **out, int owns_copies, struct kc_err *err);
void kc_objt_free(struct kc_objt *t);
/* Track nelem elements of elem_size bytes at ptr (an array when nelem > 1). Tracking the same
 * base pointer again returns the same handle (type and size must match, else KC_RT_ETYPE). */
int kc_objt_track(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t elem_size,
		  size_t nelem);
/* Translate a pointer, possibly into the middle of a tracked object, into (handle, offset).
 * KC_ENOTFOUND if it is inside no tracked object. */
int kc_objt_handle_of(struct kc_objt *t, uint64_t *h, size_t *off, const void *ptr);
/* Handle -> pointer to byte off of the object, after checking that the handle is live, of type
 * `type`, and that [off, off + len) lies inside the object. Errors: KC_RT_EPROTO (forged or
 * malformed), KC_RT_ESTALE, KC_RT_ETYPE, KC_RT_ERANGE. */
int kc_objt_lookup(struct kc_objt *t, void **ptr, uint64_t h, uint32_t type, size_t off,
		   size_t len);
/* Size in bytes and element size of a live handle's object. */
int kc_objt_size(struct kc_objt *t, size_t *size, size_t *elem_size, uint64_t h, uint32_t type);
/* User side: the local copy of peer handle h (type, size bytes), allocated zeroed when new
 * (*fresh = 1). A known handle with another type or size is KC_RT_ETYPE / KC_RT_ERANGE.
 * Kernel side: only for handles the user half adopted (else KC_EINVAL): the kernel's own copy,
 * made on first sight (see kc_objt_adopt). */
int kc_objt_import(struct kc_objt *t, void **ptr, int *fresh, uint64_t h, uint32_t type,
		   size_t size);
/* User side: register an object the user half allocated itself (an inline kzalloc, a local
 * buffer) so that pointers to it can cross: it gets a new handle, minted here (the low word has
 * KC_OBJT_ADOPTED set; kernel-minted handles never do), and the tracker only borrows ptr (release
 * and untrack forget it, never free it). Adopting the same (ptr, type, size) again gives the same
 * handle; overlapping another tracked object is KC_RT_ERANGE / KC_RT_ETYPE; size above
 * KC_OBJT_ADOPT_MAX_SIZE is KC_RT_ERANGE. The kernel half never sees ptr: on first sight of the
 * handle its kc_objt_import allocates its own zeroed copy of the size the wire gives (bounded by
 * KC_OBJT_ADOPT_MAX_SIZE and KC_OBJT_ADOPT_MAX_OBJS live copies) and tracks it under the same
 * handle, so both halves then name the object alike. The kernel copy belongs to the kernel half
 * (kfree it with the kc_rt_obj_free hook as any kernel object; the user half then forgets the
 * handle), and the user half's free of its own object does not touch the kernel's copy. */
#define KC_OBJT_ADOPTED 0x80000000u
#define KC_OBJT_ADOPT_MAX_SIZE (1u << 20)
#define KC_OBJT_ADOPT_MAX_OBJS 65536u
int kc_objt_adopt(struct kc_objt *t, uint64_t *h, void *ptr, uint32_t type, size_t size);
/* Was handle h minted by kc_objt_adopt (in the user half)? */
static inline int kc_objt_is_adopted(uint64_t h) { return (h & KC_OBJT_ADOPTED) != 0; }
/* The tracked type id, size in bytes and element size (elem_size may be NULL) of a live handle,
 * whatever its type. KC_RT_EPROTO / KC_RT_ESTALE as kc_objt_lookup. */
int kc_objt_query(struct kc_objt *t, uint32_t *type, size_t *size, size_t *elem_size, uint64_t h);
/* What the tracker knows of a live handle's object. flags: KC_OBJT_F_*. */
#define KC_OBJT_F_HEAP 0x01u /* kernel side: a kernel allocator made it for the user half (a
			      * downcall to kmalloc & co., or the copy of an adopted object), so
			      * it may be given to the matching deallocator */
#define KC_OBJT_F_RAW 0x02u  /* kernel side: bytes were written into it by value from the user half
			      * (opaque data), so it may not take a struct type later */
#define KC_OBJT_F_TYPED 0x04u /* kernel side, with KC_OBJT_F_HEAP: made by a typed allocator
			       * (alloc_etherdev_mqs: a net_device), freed only by its own
			       * deallocator (free_netdev), never by kfree & co. (KC_WP_HEAP) */
struct kc_objt_info {
	void *ptr;         /* base of the object (user side: the local copy) */
	uint32_t type;
	unsigned flags;
	size_t size, elem_size;
};
int kc_objt_info(struct kc_objt *t, struct kc_objt_info *out, uint64_t h);
/* Set flags on a live handle's object (they go when the handle is released). */
int kc_objt_set_flags(struct kc_objt *t, uint64_t h, unsigned flags);
/* Call fn for every live object, in no particular order, until it returns nonzero (which is
 * returned). fn runs with the tracker's lock held: it must not call the tracker (copy what it
 * needs, act after kc_objt_foreach returns). */
typedef int (*kc_objt_visit_fn)(void *arg, uint64_t h, const struct kc_objt_info *obj);
int kc_objt_foreach(struct kc_objt *t, kc_objt_visit_fn fn, void *arg);
/* Change a live object's type from `from` (KC_RT_ETYPE if it has another) to `to`, with
 * elements of elem_size bytes (when that divides its size, else one element). */
int kc_objt_retype(struct kc_objt *t, uint64_t h, uint32_t from, uint32_t to, size_t elem_size);
/* Bytes of the live objects flagged KC_OBJT_F_HEAP. */
size_t kc_objt_heap_bytes(struct kc_objt *t);
/* Allocator for the copies the tracker makes (user side: imports; kernel side: copies of adopted
 * objects, which kernel code may kfree): defaults to malloc-zeroed / free. Pass both functions
 * (NULL, NULL restores the defaults); set it before the first copy is made. */
void kc_objt_set_alloc(struct kc_objt *t, void *(*zalloc)(size_t), void (*release)(void *));
/* Forget a handle (both sides); on the user side the copy is freed. */
int kc_objt_release(struct kc_objt *t, uint64_t h);
/* The free/kfree hook: forget the object whose base is ptr (no-op for untracked pointers). */
void kc_objt_untrack(struct kc_objt *t, const void *ptr);
/* Untrack up to max objects that overlap [ptr, ptr + size) (size 0: the byte at ptr), writing
 * their handles to h; returns how many (call again while it returns max). Kernel side: the memory
 * is being freed by its owner; user side: the copies are freed. */
size_t kc_objt_untrack_range(struct kc_objt *t, const void *ptr, size_t size, uint64_t *h, size_t max);
size_t kc_objt_count(struct kc_objt *t);
/* How many times an object was tracked, untracked or retyped so far: unchanged means the set of
 * live objects and their types is the same (rt/sync.c reuses its list of synchronized objects). */
uint64_t kc_objt_changes(struct kc_objt *t);

/* ------------------------------------------------------------------------------------------ */
/* Endpoints and calls. */
struct kc_rt;
struct kc_rt_call;

/* A function one side serves. args decodes the arguments (on the user side in place in the
 * shared region: pointers from kc_xdr_get_opaque/fixed stay valid until the handler returns,
 * nested calls included); res encodes the results. Return 0 or a negative code, which the
 * caller's kc_rt_call_invoke returns. Function ids are indexes into the table. */
typedef int (*kc_rt_handler)(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res);
struct kc_rt_fn {
	const char *name;
	kc_rt_handler fn;
};

/* Recovery hook: called in the supervisor thread after a restarted user half is ready (from the
 * second incarnation on). It may make upcalls (re-send configuration); it must not call
 * kc_rt_close. */
typedef void (*kc_rt_recover_fn)(struct kc_rt *rt, void *arg, unsigned incarnation);

struct kc_rt_io_ops;
struct kc_wire_tables;

#define KC_RT_OPTS_VERSION 1
struct kc_rt_opts {
	unsigned version;
	const struct kc_rt_fn *fns;     /* what this side serves; index = function id */
	uint32_t nfns;
	const char *const *peer_names;  /* names of the peer's functions (trace); may be NULL */
	uint32_t npeer;
	/* Kernel side. */
	const char *user_path;          /* user-half program (posix_spawn) */
	char *const *user_argv;         /* its argv (NULL: { user_path, NULL }) */
	unsigned call_timeout_ms;       /* peer silent this long: kill + restart (default 5000) */
	unsigned ready_timeout_ms;      /* a started user half must be ready within (default 5000) */
	unsigned restart_min_ms;        /* first restart delay, doubled per crash (default 10) */
	unsigned restart_max_ms;        /* ... up to (default 2000) */
	kc_rt_recover_fn recover;
	void *recover_arg;
	int trace;                      /* count crossings for kc_rt_trace_write */
	unsigned heartbeat_ms;          /* no upcall started for this long: ping the user half
					 * (answer due within call_timeout_ms); 0 = never */
	/* Both sides. */
	unsigned spin_us;               /* adaptive spin budget (default 20; 0 = never spin) */
	int busy_poll;                  /* user workers spin on the request ring, never sleep */
	/* User side. */
	unsigned nworkers;              /* worker threads (default 4) */
	/* Device regions (see "Device regions" below). Kernel side: */
	const struct kc_rt_io_ops *io;  /* how the kernel half touches MMIO / port regions for the
					 * user half's forwarded accesses (platform glue: kernel model
					 * or Linux); NULL: forwarded register access is refused */
	int share_fd;                   /* posix platform: descriptor of the memory DMA regions live
					 * in (the kernel model's coherent arena), passed to the user
					 * half (fd 6, $KCUT_RT_SHARE_FD) so it can map them; -1: none */
	/* Both sides: */
	unsigned access;                /* KC_ACCESS_FORWARD (default when 0) or KC_ACCESS_MAPPED:
					 * how the user half reaches MMIO regions (kernel side: whether
					 * it may map them at all); $KCUT_DEVICE_ACCESS (forward|mapped)
					 * overrides it in the user half */
	int no_posting;                 /* user side: send every forwarded write at once (bench);
					 * $KCUT_IO_NO_POSTING=1 sets it */
	/* Both sides: the driver's tables for pointers on the wire (kc_wire_*, below). */
	const struct kc_wire_tables *wire;
	/* Kernel side: how long kc_rt_close lets the user half exit after asking it to before it
	 * kills it (default 1000; a sanitizer build's exit with its leak check can take longer
	 * on a loaded machine). */
	unsigned stop_grace_ms;
};
#define KC_RT_OPTS_INIT { .version = KC_RT_OPTS_VERSION, .spin_us = 20, .heartbeat_ms = 1000, .share_fd = -1 }

/* Kernel side: create the channel, spawn the user half, wait until it is ready (or fail), start
 * the supervisor. */
int kc_rt_kernel_start(struct kc_rt **out, const struct kc_rt_opts *o, struct kc_err *err);
/* User side (inside the spawned program): attach to the channel named by $KCUT_RT_FD. */
int kc_rt_user_open(struct kc_rt **out, const struct kc_rt_opts *o, struct kc_err *err);
/* User side: start the workers, tell the kernel half we are ready and serve until the kernel
 * half closes the channel. Returns 0 on an orderly shutdown. */
int kc_rt_user_run(struct kc_rt *rt);
/* Kernel side: stop the user half (asked to exit; SIGKILL after stop_grace_ms, 1 s by default)
 * and the supervisor; both sides: release everything. Kernel side returns KC_EIO when the user
 * half did not exit with status 0 when asked (it crashed on the way out, or its leak check
 * failed, or it took longer than stop_grace_ms), else 0. */
int kc_rt_close(struct kc_rt *rt);

/* A call to the peer (upcall from the kernel side, downcall from the user side). When the
 * calling thread is serving a call of the peer, the new call is nested in that chain. */
int kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn);
/* Send and wait for the reply, serving the peer's nested calls meanwhile. *res decodes the
 * results; it is valid until kc_rt_call_end. Returns the handler's code, or KC_RT_E*. */
int kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res);
/* Finish: when rc == 0 and the results were malformed or not fully read, that is a protocol
 * fault (kernel side: the user half is killed and restarted) and KC_RT_EPROTO is returned. */
int kc_rt_call_end(struct kc_rt_call *c, int rc);

/* Byte ranges by reference. kc_rt_buf_alloc gives size bytes (at most 512 KiB; pages) in this
 * side's by-reference area; fill them in place and send (part of) the buffer with
 * kc_xdr_put_buf, which encodes only (area, offset, length). Kernel side: the area is a sealed
 * memfd that lives as long as the endpoint, so kernel buffers survive user-half restarts, and
 * user halves map it read-only. User side: the area is in the incarnation's region. The peer
 * decodes with kc_rt_get_buf: on the user side it returns a pointer into the (read-only)
 * kernel area (no copy; dst unused); on the kernel side it copies the bytes into dst (at least
 * max bytes) and returns dst. A forged or stale reference (other area or incarnation, outside
 * the sender's area, longer than max) is a decode error. A user-side buffer of a dead
 * incarnation makes kc_xdr_put_buf fail the encoder with KC_RT_EDEAD. KC_RT_EDOWN when no user
 * half runs (user side), KC_ENOMEM when the area is full. */
struct kc_rt_buf;
int kc_rt_buf_alloc(struct kc_rt_buf **out, void **data, struct kc_rt *rt, size_t size);
void kc_rt_buf_free(struct kc_rt_buf *b);
void kc_xdr_put_buf(struct kc_xdr *x, const struct kc_rt_buf *b, size_t off, size_t len);
const void *kc_rt_get_buf(struct kc_rt *rt, struct kc_xdr *x, void *dst, uint32_t *len,
			  uint32_t max);

/* Kernel side: the free/kfree hook for objects that may have crossed. Forgets ptr's handle
 * and tells the user half (with its next call) to drop its copy. Untracked pointers: no-op. */
int kc_rt_obj_free(struct kc_rt *rt, const void *ptr);

/* Kernel side: the user half misbehaved (forged handle, oversize length ...): kill it, fail its
 * pending calls, restart it. Returns KC_RT_EPROTO for convenience. */
int kc_rt_fault(struct kc_rt *rt, const char *why);
/* Kernel side: wait until a user half is ready; 0, or KC_RT_ETIMEDOUT. */
int kc_rt_wait_ready(struct kc_rt *rt, unsigned timeout_ms);
/* How many user halves were started so far (1 after kc_rt_kernel_start). */
unsigned kc_rt_incarnation(const struct kc_rt *rt);
/* Process id of the current user half (kernel side), 0 when none runs. */
int kc_rt_user_pid(const struct kc_rt *rt);
struct kc_objt *kc_rt_objt(struct kc_rt *rt);

/* ------------------------------------------------------------------------------------------ */
/* Device regions (issue 13). The kernel half lets the user half touch parts of a device: an MMIO
 * window (the __iomem cookie pci_iomap/ioremap returned), a port I/O range, or a DMA-coherent
 * buffer. Each exported region has an id (nonzero, with a generation part so that a stale or
 * made-up id is detected) and an extent; pointers into a region cross the boundary as
 * (region id, offset) and every use is checked against the region's kind and extent: nothing
 * outside an exported region is ever touched on the user half's behalf.
 *
 * Ids: (generation << KC_REGION_IDX_BITS) | (slot + 1); at most KC_REGION_MAX regions are live
 * at once (export fails with KC_ENOMEM beyond); a slot's generation moves on at every unexport
 * (and starts at a random value per endpoint), so an id of an unexported region is
 * KC_RT_ESTALE and a made-up one KC_RT_EPROTO.
 *
 * How the user half reaches a region:
 *   DMA   always mapped: the same memory is mapped into the user half (kernel model: a shared
 *         memfd arena, opts.share_fd; Linux: dma_mmap_coherent), so descriptor rings and
 *         buffers are plain memory on both sides, and the device sees the user half's writes.
 *   MMIO  KC_ACCESS_MAPPED and the region is mappable (KC_REGION_F_MAP): the window is mapped
 *         into the user half (Linux: io_remap_pfn_range, as UIO/VFIO do) and the kc_io_*
 *         accessors are plain volatile accesses, zero crossings;
 *         otherwise (KC_ACCESS_FORWARD, or a region that cannot be mapped: the user half then
 *         says so once on stderr): the user half's view of the window is reserved address
 *         space (PROT_NONE) that faults when touched directly; kc_io_* accessors turn accesses
 *         into register operations sent to the kernel half (writes posted, see below). The
 *         kernel model only supports forwarding (its devices are callbacks).
 *   PIO   always forwarded (ports are not memory). kc_rt_region_ptr / resolve of a PIO region
 *         give the port number (base + off) cast to a pointer.
 *
 * Posted writes (forwarded): a user-half thread's writes are queued in order and sent in one
 * batch together with the next read (which needs an answer), a barrier (kc_io_flush: wmb, mb,
 * rmb, delays), any other crossing this thread makes (kc_rt_call_begin), the reply to an upcall
 * it serves, or when the queue is full (KC_REGIO_MAX_OPS operations or KC_REGIO_MAX_BYTES
 * bytes): PCI's posted-write ordering, so a sequence of N writes and M reads costs about
 * M + flushes crossings. A thread the user half starts itself must call kc_io_flush before it
 * exits (its queue is not flushed otherwise). opts.no_posting (or $KCUT_IO_NO_POSTING=1) sends
 * every write at once (benchmark).
 *
 * The batch is a call with the runtime's own function id KC_RT_FN_REGIO, served by the kernel
 * half's runtime (not the driver's dispatch table). The kernel half first checks the whole
 * batch: count and byte totals bounded, every operation's opcode known, width 1/2/4/8 (PIO:
 * 1/2/4; byte ranges: 1), naturally aligned offset, region id live and of the right kind (MMIO
 * or PIO; DMA memory is never forwarded), [off, off + width) inside the region. A batch with a
 * bad operation is refused as a whole: nothing of it is performed, the call fails with
 * KC_RT_EPROTO (malformed, forged id), KC_RT_ESTALE, KC_RT_ETYPE or KC_RT_ERANGE and the kernel
 * half logs which operation was bad (no restart: a bug in the user half, not an attack on the
 * protocol). Then it performs the operations in order, each against its region looked up again
 * (a region unexported meanwhile stops the batch there: the operations before it were
 * performed). The user half's reads of a failed batch return all ones (logged once per accessor
 * and reason in the user half). */
enum kc_region_kind {
	KC_REGION_MMIO = 1, /* an __iomem cookie: accessed with the platform's ioread / iowrite */
	KC_REGION_PIO = 2,  /* ports [base, base + size): inb / outb */
	KC_REGION_DMA = 3,  /* DMA-coherent memory: cpu address kaddr, bus address base */
};
enum kc_access { KC_ACCESS_FORWARD = 1, KC_ACCESS_MAPPED = 2 };

#define KC_REGION_MAX 1024u       /* live regions per endpoint */
#define KC_REGION_IDX_BITS 12u    /* slot bits of an id; the other 20 are the generation */
#define KC_REGIO_MAX_OPS 256u     /* operations per register batch */
#define KC_REGIO_MAX_BYTES 16384u /* bytes of byte-range operations per batch (each way) */

/* kc_region_desc.flags */
#define KC_REGION_F_MAP 1u /* the user half may map the region (DMA: must) at map_token */
#define KC_REGION_F_KERNEL 2u /* MMIO only: recorded for kc_rt_region_check, never exported (device
			       * access none: the user half gets no id, no view, no unexport notice) */

struct kc_region_desc {
	uint32_t kind;      /* enum kc_region_kind */
	uint32_t flags;     /* KC_REGION_F_* */
	void *kaddr;        /* MMIO: the kernel's cookie; DMA: cpu address; PIO: NULL */
	uint64_t base;      /* MMIO: physical address (0: unknown); PIO: first port;
			     * DMA: bus address (dma_addr_t) */
	uint64_t size;      /* bytes (ports) */
	uint64_t map_token; /* with KC_REGION_F_MAP, where the user half maps it: posix platform:
			     * offset of a DMA region in share_fd (page aligned); Linux: rt/linux */
	void *plat;         /* platform data (Linux: the struct device for dma_mmap_coherent) */
};

/* Kernel side: the platform's accessors for forwarded operations (the region, offset and width
 * are checked already; size is 1, 2, 4 or 8). The byte-range operations are optional: when NULL,
 * memcpy_fromio / memcpy_toio / memset_io are performed as single-byte read / write calls, in
 * address order (what the kernel model's own memcpy_toio does, so register-access logs of split
 * and unsplit runs match). */
struct kc_rt_io_ops {
	uint64_t (*read)(const struct kc_region_desc *r, uint64_t off, unsigned size);
	void (*write)(const struct kc_region_desc *r, uint64_t off, unsigned size, uint64_t val);
	void (*read_bytes)(const struct kc_region_desc *r, uint64_t off, void *dst, size_t n);
	void (*write_bytes)(const struct kc_region_desc *r, uint64_t off, const void *src, size_t n);
	void (*set_bytes)(const struct kc_region_desc *r, uint64_t off, int c, size_t n);
};

/* Kernel side.
 * export: a new region; the same kind and kaddr (PIO: base) exported again gives the same id
 * when the size matches (KC_RT_ERANGE when not); KC_RT_ERANGE when it overlaps another live
 * region of its kind, KC_EINVAL for a bad kind, a zero size, a range that wraps, or DMA without
 * KC_REGION_F_MAP; KC_ENOMEM when KC_REGION_MAX regions are live. On an endpoint started with
 * opts.access != KC_ACCESS_MAPPED, KC_REGION_F_MAP is cleared from MMIO regions (the user half
 * forwards). The descriptor is copied.
 * unexport: the user half loses access; it returns once no forwarded operation on the region is
 * in flight (so the caller may unmap the memory afterwards); the user half is told with the next
 * call the kernel half makes (a trailer, like object releases) and drops its view then (Linux:
 * rt/linux also zaps its mappings before the memory can be reused). unexport_addr: the same by
 * kaddr (the region's start or any byte inside); both KC_ENOTFOUND when there is no such region.
 * find: the region and offset of a kernel pointer (MMIO cookie or DMA cpu address),
 * KC_ENOTFOUND when in none. resolve: (id, off, len) from the user half to a kernel pointer,
 * checked (KC_RT_EPROTO forged id, KC_RT_ESTALE unexported, KC_RT_ETYPE other kind,
 * KC_RT_ERANGE [off, off + len) outside). PIO: *kaddr is the port number cast to a pointer. */
int kc_rt_region_export(struct kc_rt *rt, uint32_t *id, const struct kc_region_desc *d);
int kc_rt_region_unexport(struct kc_rt *rt, uint32_t id);
int kc_rt_region_unexport_addr(struct kc_rt *rt, const volatile void *kaddr);
int kc_rt_region_find(struct kc_rt *rt, uint32_t *id, uint64_t *off, const volatile void *kaddr);
int kc_rt_region_resolve(struct kc_rt *rt, void **kaddr, uint32_t id, uint32_t kind, uint64_t off,
			 uint64_t len);
/* Kernel side: a register offset the user half passed (a downcall's parameter the plan found
 * added to an __iomem pointer: simsnd_read(chip, reg) is readl(chip->regs + reg)) before the
 * kernel-half code uses it. base: the pointer the offset is added to; [base + off, base + off +
 * width) must lie inside the MMIO region holding base (exported, or recorded kernel-only with
 * KC_REGION_F_KERNEL), naturally aligned, width 1/2/4/8. 0, or KC_RT_ERANGE with a rate-limited
 * log line (nothing is touched): also for a base in no region (NULL, unmapped). */
int kc_rt_region_check(struct kc_rt *rt, const volatile void *base, uint64_t off, size_t width);
/* Kernel side: record the MMIO window [kaddr, kaddr + size) kernel-only (KC_REGION_F_KERNEL), for
 * kc_rt_region_check under device access none (the emitted kernel half wraps pci_iomap & co.;
 * kc_rt_region_unexport_addr forgets it before the unmap). As kc_rt_region_export. */
int kc_rt_region_record(struct kc_rt *rt, const volatile void *kaddr, uint64_t size);
/* Kernel side: a register offset reached through arithmetic (emitter/regscan.c; rt/region_lin.c):
 * the driver code accesses base + scale * v + c, c a constant in [c_lo, c_hi] (a register name
 * chosen by a condition, `+ 4`), through an integer term scale * v + t (t in [t_lo, t_hi]) C
 * computes in a type of at least 32 bits. 0 when that term lies in [0, 2^31) and the lowest and
 * highest access, width bytes each, lie inside the window holding base (kc_rt_region_check);
 * else KC_RT_ERANGE with kc_rt_region_check's log line. scale 1..2^20, constants within 2^40. */
int kc_rt_region_check_lin(struct kc_rt *rt, const volatile void *base, long long v, long long scale,
			   long long t_lo, long long t_hi, long long c_lo, long long c_hi, size_t width);
/* Kernel side, port I/O (rt/region.c): record the port range [port, port + size) kernel-only
 * (pci_request_regions & co. under device access none) and forget it (by its first port); check
 * that [port, port + len) lies inside one port range of this kernel half (recorded or exported),
 * width 1/2/4 (0, or KC_RT_ERANGE with a rate-limited log line); the affine form of it as
 * kc_rt_region_check_lin, base + scale * v + c (base 0: v is the port). */
int kc_rt_region_record_port(struct kc_rt *rt, uint64_t port, uint64_t size);
int kc_rt_region_forget_port(struct kc_rt *rt, uint64_t port);
int kc_rt_region_check_port(struct kc_rt *rt, uint64_t port, uint64_t len, size_t width);
int kc_rt_region_check_port_lin(struct kc_rt *rt, uint64_t base, long long v, long long scale, long long t_lo,
				long long t_hi, long long c_lo, long long c_hi, size_t width);
/* Both sides: the description of a live region. User side: asks the kernel half the first time
 * (KC_RT_FN_REGINFO) and keeps it with the region's view; kaddr and plat are NULL there. */
int kc_rt_region_info(struct kc_rt *rt, struct kc_region_desc *out, uint32_t id);

/* User side. ptr: the user half's address of byte off of region id (mapping or reserving the
 * region on first sight; [off, off + len) must lie inside: KC_RT_ERANGE); of: the reverse, for a
 * pointer the user half holds (KC_ENOTFOUND when it is in no region). A DMA region that cannot
 * be mapped (no share_fd) is KC_EUNSUPP. */
int kc_rt_region_ptr(struct kc_rt *rt, void **uaddr, uint32_t id, uint64_t off, uint64_t len);
int kc_rt_region_of(struct kc_rt *rt, uint32_t *id, uint64_t *off, const volatile void *uaddr);

/* Wire form of a region pointer (kind word 3 of the pointer forms): id, then offset (hyper). */
void kc_xdr_put_region(struct kc_xdr *x, uint32_t id, uint64_t off);
void kc_xdr_get_region(struct kc_xdr *x, uint32_t *id, uint64_t *off);

/* User side: register access, what the generated user half calls instead of readl/writel & co.
 * addr is a user-half pointer into an MMIO region (mapped: a plain volatile access; forwarded:
 * a register operation); port is a port number inside an exported PIO region (the user half
 * learns the region on first use). An address or port in no region (a bug in the user half)
 * reads as all ones and drops the write, logged once per accessor; so does a forwarded
 * operation the kernel half refuses. They use the process's user-side endpoint (a user half
 * has one: kc_rt_user_open). */
uint8_t kc_io_read8(const volatile void *addr);
uint16_t kc_io_read16(const volatile void *addr);
uint32_t kc_io_read32(const volatile void *addr);
uint64_t kc_io_read64(const volatile void *addr);
void kc_io_write8(uint8_t v, volatile void *addr);
void kc_io_write16(uint16_t v, volatile void *addr);
void kc_io_write32(uint32_t v, volatile void *addr);
void kc_io_write64(uint64_t v, volatile void *addr);
uint8_t kc_io_in8(unsigned long port);
uint16_t kc_io_in16(unsigned long port);
uint32_t kc_io_in32(unsigned long port);
void kc_io_out8(uint8_t v, unsigned long port);
void kc_io_out16(uint16_t v, unsigned long port);
void kc_io_out32(uint32_t v, unsigned long port);
/* Byte ranges (any length: split into batches of KC_REGIO_MAX_BYTES); the whole range must lie
 * in one region, else nothing is done (reads give all ones). */
void kc_io_memcpy_fromio(void *dst, const volatile void *src, size_t n);
void kc_io_memcpy_toio(volatile void *dst, const void *src, size_t n);
void kc_io_memset_io(volatile void *dst, int c, size_t n);
/* Send this thread's posted writes now (barriers, delays) and order memory (full fence). */
void kc_io_flush(void);

/* User side counters of the calling process (all threads). */
struct kc_io_stats {
	uint64_t reads, writes;  /* register operations of the user half (both backends) */
	uint64_t batches;        /* KC_RT_FN_REGIO crossings (forwarded) */
	uint64_t posted;         /* writes that went in a batch with later operations */
	uint64_t errors;         /* accesses refused (no region, or by the kernel half) */
	uint64_t calls;          /* posted kernel calls queued (kc_rt_post_end) */
};
void kc_io_get_stats(struct kc_io_stats *out);

/* Posted kernel calls (user side, rt/io.c). A user-half call of a kernel function whose effects
 * the user half cannot observe and which returns and writes back nothing (frees, streaming DMA
 * unmaps and syncs, log lines: common/kc_kapi.c kc_kapi_posted, the list the emitter and the
 * partitioner read) is not a synchronous downcall: the stub encodes its arguments as a downcall's
 * would (kc_rt_post_begin gives the encoder) and kc_rt_post_end queues the call in the thread's
 * queue of posted register writes, one order for both; it crosses with that queue's next flush
 * (a read, a barrier, any other crossing of the thread, the reply to an upcall it serves, a full
 * queue) as a KC_REGIO_CALL operation of the batch. The kernel half serves it in order through
 * the function's own handler, with every check of a downcall (handles, types, lengths): a refused
 * call stops the batch there and follows the protocol's rule for that refusal (kc_wire_fault: the
 * user half is killed and restarted), the batch fails and the user half logs it once. Nothing is
 * sent twice: a failed batch is dropped. freed (the object a deallocator frees, else NULL): its
 * changes the kernel half has not seen are flushed first (kc_sync__changed), then the user half's
 * bookkeeping happens at once (kc_wire_sync_freed: its copy leaves the tracker). opts.no_posting
 * sends each posted call at once (one batch each). kc_rt_post_begin: KC_EINVAL on a kernel
 * endpoint, a bad id or while this thread has a posted call open; post_end returns rc when it is
 * nonzero (nothing queued), KC_ENOMEM when the arguments exceed KC_POST_ARGS_MAX (4 KiB). */
int kc_rt_post_begin(struct kc_xdr **args, struct kc_rt *rt, uint32_t fn);
int kc_rt_post_end(struct kc_rt *rt, int rc, const void *freed);

/* ------------------------------------------------------------------------------------------ */
/* Pointers on the wire and their checks (rt/wire.c, issue 14): what generated stubs and handlers
 * call for every pointer, string, function pointer and bit-operation word that crosses. Written
 * once here, not emitted into each driver; the emitter prints calls with what its plan knows
 * about each pointer (struct kc_wire_ptr). The kernel side checks every pointer the user half
 * sends against the tracker and that description; docs/runtime.md "What the user half can and
 * cannot make the kernel half do" lists the rules.
 *
 * Wire form of a pointer: a kind word, then
 *   0 NULL;
 *   1 tracked object: handle (hyper), type, object size, offset of the pointer in the object
 *     (the kernel side believes only the handle and the offset: type and size come from its
 *     tracker);
 *   2 driver global: global id, offset (each half has its own copy of every global);
 *   3 device region: kc_xdr_put_region (id, offset).
 *
 * A driver registers its tables once (kc_rt_opts.wire); the arrays are read at use, so they may
 * be filled after the endpoint starts but before the first crossing. */
typedef void (*kc_wire_fn)(void);
/* A driver global: its address and size in this half, and what it is (issue 14: a global of
 * another type must not pass for a net_device): type, the tracker type id of the variable or, for
 * an array, of its elements (0: none, plain data or a struct outside the model); elem, sizeof the
 * variable or of one element (0: size). The kernel side accepts a global where a typed pointer is
 * expected (kc_wire_ptr.type) only if it is of that type (at an element's start), embeds it
 * (kc_wire_tables.embeds) or holds it at one of the `at` places; else KC_RT_ETYPE. */
struct kc_wire_global {
	void *p;
	size_t size;
	uint32_t type;
	size_t elem;
};
/* A struct of tracker type `inner` the driver embeds in objects of type `outer` at byte offset
 * `off` (&adapter->hw, &pci->dev, the private area behind a net_device): a pointer expected to be
 * an `inner` may point there. outer 0: an unused entry. count > 0: an array of count `inner`s
 * stride bytes apart starts at off (&pdev->resource[i]): a pointer may point at each element's
 * start, not inside one. */
struct kc_wire_embed {
	uint32_t outer, inner;
	size_t off;
	uint32_t count;
	size_t stride;
};
struct kc_wire_tables {
	struct kc_wire_global *globals; /* global id -> this half's variable */
	uint32_t nglobals;
	kc_wire_fn *fnptrs;             /* function-pointer id -> this half's function */
	uint32_t nfnptrs;
	const size_t *type_size;        /* tracker type id -> sizeof the struct; 0: untyped bytes
					 * (opaque allocations; no struct of that id) */
	uint32_t ntypes;                /* type ids are 1 .. ntypes - 1 */
	/* Recovery after a user-half restart (kc_wire_recover_hook): the upcall id, which types
	 * are re-sent (recover_has[type] != 0), and the per-type field encoder (kernel side) and
	 * decoder (user side). NULL functions: no recovery. */
	uint32_t recover_fn;
	const unsigned char *recover_has;
	void (*recover_enc)(struct kc_xdr *x, uint32_t type, void *p, int *rc);
	void (*recover_dec)(struct kc_xdr *x, uint32_t type, void *p, int *rc);
	const struct kc_wire_embed *embeds; /* where tracked structs embed tracked structs */
	uint32_t nembeds;
	/* Synchronization at every crossing (rt/sync.c): which types have fields the user half
	 * writes and the kernel half reads (sync_has[type] != 0); the user side's encoder of the
	 * fields of p that differ from shadow (field index + value each, then 0) and the kernel
	 * side's decoder. NULL: no synchronization. */
	const unsigned char *sync_has;
	void (*sync_enc)(struct kc_xdr *x, uint32_t type, void *p, const void *shadow, int *rc);
	void (*sync_dec)(struct kc_xdr *x, uint32_t type, void *p, int *rc);
	/* kernel side: the types whose objects go back with every reply (their recovery fields) */
	const unsigned char *sync_back;
	/* The layout table (issue 15; emitter/plan_layout.c): entry i is the size of a crossing
	 * struct or the offset of a field the wire carries in it, as this half was compiled,
	 * named by layout_names[i] ("sizeof(struct e1000_adapter)", "offsetof(struct e1000_adapter,
	 * hw)"); nlayout entries. rt/linux compares the user half's table with the kernel half's
	 * when the user half connects (KCUT_LX_IOC_TYPES, kc_layout_cmp). NULL / 0: none. */
	const uint64_t *layout;
	const char *const *layout_names;
	uint32_t nlayout;
};

/* Compare a peer's layout table (n entries at peer, already copied into this half's memory)
 * with t's (this half: the kernel half's). 0 when both have the same entries with the same
 * values; else KC_EINVAL, *first the index of the first entry that differs (the shorter
 * table's length when only the counts differ) and msg (msz bytes, may be NULL) a line naming
 * it: "offsetof(struct e1000_adapter, hw) is 1256 in the kernel half, 1264 in the user half". */
int kc_layout_cmp(const struct kc_wire_tables *t, const uint64_t *peer, uint32_t n, uint32_t *first,
		  char *msg, size_t msz);

/* What the receiver expects of one pointer. */
struct kc_wire_at {
	uint32_t type; /* a tracked type that embeds the expected struct ... */
	size_t off;    /* ... at this byte offset */
};
struct kc_wire_ptr {
	uint32_t type;        /* expected tracker type (or one embedded where the tables' embeds say);
			       * 0: any (void *, a struct outside the model) */
	uint32_t flags;       /* KC_WP_* */
	size_t need;          /* bytes from the pointer the receiver touches; 0 counts as 1 */
	const struct kc_wire_at *at; /* where the expected struct sits inside other tracked types */
	uint32_t nat;
	uint32_t region_kind; /* KC_WP_REGION: enum kc_region_kind */
};
#define KC_WP_BASE 0x01u     /* the start of the object, or exactly one of the `at` places
			      * (deallocators, locks, irq cookies, work and timer objects); with
			      * `at` places, an object's start only when its type is `type` */
#define KC_WP_HEAP 0x02u     /* an object a kernel allocator made for the user half (KC_OBJT_F_HEAP):
			      * what a deallocator may free */
#define KC_WP_NOGLOBAL 0x04u /* not a driver global */
#define KC_WP_INTERIOR 0x08u /* anywhere inside the object (a declared pointer into an array or a
			      * buffer); without it a pointer of a typed parameter must be the object's
			      * start, an element's start in an array of that type, or an `at` place */
#define KC_WP_REGION 0x10u   /* may point into a device region (wire kind 3) */
#define KC_WP_OUT 0x20u      /* user side: a pointer the peer cannot know (an out-parameter's
			      * uninitialized value) is sent as NULL instead of failing */
#define KC_WP_TYPEDFREE 0x80u /* freed by a typed deallocator (free_netdev): an object made for the
			       * user half must come from a typed allocator (KC_OBJT_F_TYPED), never
			       * an untyped block (kmalloc) used as one */
#define KC_WP_NONNULL 0x40u  /* kernel side: NULL is refused (KC_RT_ENULL): the kernel function the
			      * handler calls dereferences it (the emitter's plan: kapi.c's table for
			      * kernel imports, the driver's code for driver functions) */

/* Encode pointer p (type, elem_size, nelem: how the kernel side tracks it on first sight).
 * Returns 0 or the error (the encoder then holds a NULL pointer). */
int kc_wire_put_ptr(struct kc_rt *rt, struct kc_xdr *x, const void *p, uint32_t type, size_t elem,
		    size_t n, unsigned flags);
/* An array or buffer: the pointer (as kc_wire_put_ptr), then min(n * elem, bytes from p to the
 * end of its object) bytes by value (the receiver: kc_wire_get_ptr, then kc_wire_get_data). */
void kc_wire_put_array(struct kc_rt *rt, struct kc_xdr *x, const void *p, uint32_t type, size_t elem,
		       size_t n, int *rc);
/* Decode a pointer and check it against spec (kernel side: the tracker's view of the handle,
 * never the message's). Returns the local pointer (NULL for NULL or on error: *rc gets the first
 * error, KC_RT_EPROTO / ESTALE / ETYPE / ERANGE); *avail (may be NULL): bytes from the pointer to
 * the end of its object. */
void *kc_wire_get_ptr(struct kc_rt *rt, struct kc_xdr *x, const struct kc_wire_ptr *spec,
		      size_t *avail, int *rc);
/* A handle-only pointer field (an MMIO window, a DMA buffer, an opaque kernel object the driver
 * keeps) into *field. Kernel side: once set, the user half may clear it (after iounmap) but not
 * move it to another object (KC_RT_ETYPE). */
void kc_wire_get_field(struct kc_rt *rt, struct kc_xdr *x, const struct kc_wire_ptr *spec, void **field,
		       int *rc);
/* Is p inside a driver global (id, offset)? */
int kc_wire_global_of(struct kc_rt *rt, const void *p, uint32_t *id, size_t *off);
/* Bytes from p to the end of the global or tracked object it points into (0: unknown). */
size_t kc_wire_extent(struct kc_rt *rt, const void *p);
/* The tracker type of the object p points to the start of (0: none). */
uint32_t kc_wire_type_at(struct kc_rt *rt, const void *p);
/* Kernel side: an allocation the user half asked for (a kernel allocator's handler): 0 when n
 * elements of size bytes are within KC_WIRE_ALLOC_MAX and the live allocations made for the user
 * half stay within KC_WIRE_HEAP_MAX, else KC_ENOMEM (the handler returns NULL, as a failed
 * allocation) and, fn not NULL, a log line naming fn and the size (rate-limited: 10 per 5 s). */
#define KC_WIRE_ALLOC_MAX (4u << 20)
#define KC_WIRE_HEAP_MAX (64u << 20)
/* What one queue of a net_device allocator (alloc_etherdev_mqs' txqs, rxqs) counts against the
 * bound: at least the kernel's struct netdev_queue / netdev_rx_queue (4 MiB: 8192 queues). */
#define KC_WIRE_QUEUE_COST 512u
int kc_wire_alloc_check(struct kc_rt *rt, uint64_t n, uint64_t size, const char *fn);
/* A pointer parameter whose extent is another parameter (func.param array COUNT, inferred or
 * annotated, before or after it; kernel functions' buffers of emitter/kapi.c): the handler's copy
 * of its n elements of size bytes, from the wire, in memory of its own (kc_wire_free_array after
 * the call). n * size over KC_WIRE_ARRMAX (or, kernel side, over kc_wire_alloc_check's bounds), or
 * fewer bytes on the wire: NULL and *rc KC_RT_EPROTO. present 0 (the sender's pointer was NULL):
 * NULL, and kernel side with flags KC_WP_NONNULL and n > 0 *rc KC_RT_ENULL. */
#define KC_WIRE_ARRMAX (64u << 10)
void *kc_wire_get_array(struct kc_rt *rt, struct kc_xdr *x, int present, uint64_t n, size_t size,
			unsigned flags, int *rc);
void kc_wire_free_array(void *p);
/* Kernel side: a pointer the callee dereferences that is not a tracked pointer (a string:
 * strlen of NULL; a fixed buffer: eth_hw_addr_set's 6 bytes) was NULL (present 0): *rc
 * KC_RT_ENULL. */
void kc_wire_nonnull(struct kc_rt *rt, int present, int *rc);
/* Kernel side: p is an allocation of the kernel half's own code (generated kernel halves wrap
 * kmalloc & co. with it; kc_wire_free_hook forgets it): a deallocator called by the user half
 * (KC_WP_HEAP) may free it. Returns p. */
void *kc_wire_heap_note(struct kc_rt *rt, void *p);
/* Kernel side: the allocator returned p for the user half: track it (type, size bytes) and mark
 * it KC_OBJT_F_HEAP (what deallocators called by the user half may free). */
int kc_wire_track_alloc(struct kc_rt *rt, const void *p, uint32_t type, size_t size);
/* Bytes by value into dst (avail bytes there) from an opaque on the wire; kernel side: marks
 * the object dst lies in KC_OBJT_F_RAW. */
void kc_wire_get_data(struct kc_rt *rt, struct kc_xdr *x, void *dst, size_t avail, int *rc);
/* Function pointers cross as ids (0 NULL, id + 1). put_fnf / get_fnf: a function-pointer
 * field, where KC_WIRE_FN_FOREIGN (a function neither table has) leaves the receiver's field
 * alone (get_fnf returns 1 when *fn is to be stored). */
#define KC_WIRE_FN_FOREIGN 0xffffffffu
void kc_wire_put_fn(struct kc_rt *rt, struct kc_xdr *x, kc_wire_fn fn, int *rc);
kc_wire_fn kc_wire_get_fn(struct kc_rt *rt, struct kc_xdr *x, int *rc);
void kc_wire_put_fnf(struct kc_rt *rt, struct kc_xdr *x, kc_wire_fn fn);
int kc_wire_get_fnf(struct kc_rt *rt, struct kc_xdr *x, kc_wire_fn *fn, int *rc);
/* Strings: a bool (non-NULL), a form word, then by value (form 0) or, from the user half, a
 * pointer (form 1) when the string lies in an object or global both halves have. get_str
 * decodes into buf (n bytes: KC_WIRE_STRMAX) or returns the kernel's own string (checked: NUL
 * inside its object). */
#define KC_WIRE_STRMAX 256
void kc_wire_put_str(struct kc_rt *rt, struct kc_xdr *x, const char *s, int *rc);
char *kc_wire_get_str(struct kc_rt *rt, struct kc_xdr *x, char *buf, size_t n, int *rc);
/* A long-lived copy of s (deduplicated, immutable, freed with the endpoint): for strings a
 * kernel import keeps (request_irq's name) and string fields. Bounded (KC_WIRE_INTERN_MAX
 * strings, KC_WIRE_INTERN_BYTES bytes): NULL when full. */
#define KC_WIRE_INTERN_MAX 1024u
#define KC_WIRE_INTERN_BYTES (64u << 10)
const char *kc_wire_intern(struct kc_rt *rt, const char *s);
/* An argument string a kernel import may keep: s itself when it is the kernel's own (form 1),
 * else its interned copy; NULL with *rc = KC_ENOMEM when the table is full. */
const char *kc_wire_keep_str(struct kc_rt *rt, const char *s, const char *buf, int *rc);
/* A string field: keeps *field when it already holds an equal string, else points it to the
 * kernel's own string (form 1) or an interned copy. */
void kc_wire_get_fstr(struct kc_rt *rt, struct kc_xdr *x, const char **field, int *rc);
/* Arrays of strings: bool, count (at most KC_WIRE_STRVMAX), each as put_str. n: the count the
 * caller knows, 0: the extent of v's object. get_strv fills vec[max + 1] (NULL-terminated),
 * strings sent by value go to pool. */
#define KC_WIRE_STRVMAX 64
void kc_wire_put_strv(struct kc_rt *rt, struct kc_xdr *x, const char *const *v, size_t n, int *rc);
const char *const *kc_wire_get_strv(struct kc_rt *rt, struct kc_xdr *x, const char **vec,
				    size_t max, char *pool, size_t poolsize, size_t *count,
				    int *rc);
/* The word of a bit operation: form 1, a pointer, when it lies in an object or global the
 * kernel half also has; else form 0 and its value. get_word returns the kernel's word (checked:
 * inside, aligned) or tmp; *avail: bytes from it to the end of its object (tmp: size), which
 * bounds the bit number: kc_wire_bit_check. */
void kc_wire_put_word(struct kc_rt *rt, struct kc_xdr *x, const volatile void *p, size_t size,
		      int *rc);
void *kc_wire_get_word(struct kc_rt *rt, struct kc_xdr *x, void *tmp, size_t size, size_t *avail,
		       int *rc);
int kc_wire_bit_check(int64_t nr, size_t avail); /* 0, or KC_RT_ERANGE unless 0 <= nr < 8 * avail */
/*
 * All-or-nothing decode (issue 14, fuzz finding 1). Kernel side: before a generated decoder writes
 * n bytes at p (a field of a kernel object, a global, the data of an array the message fills), it
 * calls kc_wire_undo, which keeps the old bytes in the calling thread's undo log. The decode
 * ends in kc_wire_fault (a refused message: the log is played back, newest first, so every
 * object is as before the message) or kc_wire_undo_commit (the whole message decoded and passed
 * every check: the log is dropped). Returns 1 if the caller may write; 0 (write nothing) if *rc
 * is already set (the message is refused anyway) or the log cannot grow (*rc = KC_ENOMEM). User
 * side: 1 unless *rc is set, nothing kept (the kernel half is trusted).
 */
int kc_wire_undo(struct kc_rt *rt, void *p, size_t n, int *rc);
/* Kernel side, before sending n bytes at p that were not reached through a checked pointer
 * (netdev_priv()): 1 if they lie inside the tracked object p is in (or p is in none), else 0 and
 * *rc = KC_RT_ERANGE: nothing past an object's end is sent (a heap leak to the user half). */
int kc_wire_span(struct kc_rt *rt, const void *p, size_t n, int *rc);
void kc_wire_undo_commit(struct kc_rt *rt);
/* Entries and bytes the calling thread's undo log holds (tests). */
size_t kc_wire_undo_pending(size_t *bytes);
/* Kernel side: the decode of a handler's arguments or a stub's results failed with rc: a
 * malformed message or a pointer the checks refused is a fault of the user half (logged as
 * "fn: what", the user half is killed and restarted, KC_RT_EPROTO returned); other codes are
 * returned as they are. User side: rc. */
int kc_wire_fault(struct kc_rt *rt, int rc, const char *fn);
/*
 * Teardown the user half never saw (issue 14): a callback the kernel calls once and does not retry
 * (a sound stream's close and hw_free), served by the user half, fails while the user half is down
 * or dies under it; the driver's state then says "open" for ever (simsnd: every later open -EBUSY).
 * The kernel half's stub of such an upcall (the emitter's plan: kapi.c's teardown slots) calls
 * kc_wire_redo with the failure code and its arguments: for KC_RT_EDOWN, KC_RT_EDEAD and
 * KC_RT_ETIMEDOUT it queues fn(v) (n <= KC_WIRE_REDO_ARGS values; bit i of ptrs: v[i] is a pointer),
 * and the recovery hook runs the queue, oldest first, once the next user half has the objects back
 * (before any new chain: they wait while recovery runs). An entry whose pointer's memory the kernel
 * frees meanwhile (kc_wire_freed) is dropped; the same call queued twice counts once; at most
 * KC_WIRE_REDO_MAX entries (more: not queued; the stub has logged the failure). Returns rc.
 */
#define KC_WIRE_REDO_ARGS 4
#define KC_WIRE_REDO_MAX 32
typedef void (*kc_wire_redo_fn)(const uint64_t *v);
int kc_wire_redo(struct kc_rt *rt, int rc, kc_wire_redo_fn fn, const uint64_t *v, unsigned n, unsigned ptrs);
/* Kernel side: teardown calls queued and not yet run (tests). */
unsigned kc_wire_redo_pending(struct kc_rt *rt);
/* Recovery after a restart. Kernel side: the supervisor's hook (kc_rt_opts.recover): re-sends
 * every live tracked object of a type with recover_has[] set through the upcall recover_fn
 * (type, the object as a pointer, its fields by recover_enc). User side: the handler of that
 * upcall. */
void kc_wire_recover_hook(struct kc_rt *rt, void *arg, unsigned incarnation);
int kc_wire_recover_serve(struct kc_rt *rt, struct kc_xdr *args, struct kc_xdr *res);
/* The kernel half frees p (the kfree & co. macros of generated kernel halves): forget it in
 * the tracker and tell the user half. No-op when rt is NULL. */
void kc_wire_free_hook(struct kc_rt *rt, const void *p);
/* Kernel side: the kernel frees [p, p + size) (any memory, also what the kernel frees on the
 * driver's behalf: a PCM runtime at close, a card, a net_device; the platform calls it for every
 * free, before the memory goes): forget every tracked object inside and tell the user half, so
 * nothing (the recovery after a restart above all) reads it again. Waits while the recovery hook
 * reads an object. No-op when rt is NULL. Under kcut-sim the harness connects the kernel model's
 * free hook (kc_km_set_free_hook) to it. */
void kc_wire_freed(struct kc_rt *rt, const void *p, size_t size);
/* Kernel side: the kernel allocated [p, p + size) (p may be NULL). For an endpoint whose kernel
 * reports every allocation (kcut-sim connects the kernel model's allocation hook,
 * kc_km_set_alloc_hook, to it): from its first call on, what kc_wire_freed forgot is remembered
 * as freed until it is allocated again, so a pointer to it that a live object keeps (chip->pcm
 * after snd_card_free) goes to the user half as NULL and is not read (rt/sync.c). No-op when rt
 * is NULL. */
void kc_wire_alloced(struct kc_rt *rt, const void *p, size_t size);

/* Synchronization at every crossing (user side; rt/sync.c, docs/runtime.md). A generated handler
 * calls kc_wire_sync_mark once its arguments are decoded (the kernel half's values are the
 * baseline of what the user half changes next); a generated deallocator stub calls
 * kc_wire_sync_freed after the kernel half freed p (the copy leaves the tracker; pointers to it
 * go down as NULL); generated sync encoders ask kc_wire_sync_dead whether a pointer field's
 * unchanged value points into an object freed since the last flush. */
void kc_wire_sync_mark(struct kc_rt *rt);
void kc_wire_sync_freed(struct kc_rt *rt, const void *p);
int kc_wire_sync_dead(struct kc_rt *rt, const void *p);
/* ... and whether p points into an object the user half freed at any time (not reused since):
 * marshaling neither sends it (kc_wire_put_ptr sends NULL) nor follows it. */
int kc_wire_sync_gone(struct kc_rt *rt, const void *p);
/* A downcall's out-parameter wrote n bytes at p (dma_alloc_coherent's &ring->dma): the kernel half's
 * copy of the object does not have them yet, so the next flush sends them. */
void kc_wire_sync_touch(struct kc_rt *rt, const void *p, size_t n);
/* p was just allocated for the user half by a kernel allocator (a downcall): the kernel half's
 * object is zeros (or garbage the driver never reads), so the user half's writes to it are
 * changes against zeros, even those made before it had a struct type (kcalloc, then typed use). */
void kc_wire_sync_fresh(struct kc_rt *rt, const void *p);

/* Counters of this side since the endpoint was made (all incarnations). */
struct kc_rt_stats {
	uint64_t chains;  /* calls that started a chain (not nested) */
	uint64_t nested;  /* calls made while serving the peer (nested in its chain) */
	uint64_t claimed; /* kernel side: upcalls that claimed the user worker parked on their
			   * slot instead of going through the request ring */
	uint64_t pushed;  /* chains handed over through the request ring */
	uint64_t sleeps;  /* waits for the peer that went to sleep (futex) after spinning */
	uint64_t served;  /* calls of the peer this side ran */
	uint64_t pings;   /* kernel side: heartbeat pings sent (not counted above) */
	uint64_t faults;  /* kernel side: user halves killed for a protocol fault (malformed or
			   * forged message, a slot queued twice, a call timeout, kc_rt_fault) */
};
void kc_rt_get_stats(struct kc_rt_stats *out, struct kc_rt *rt);
/* Last fault or death reason (kernel side), for logs (may change while being read). */
const char *kc_rt_last_fault(const struct kc_rt *rt);

/* Crossing trace (kernel side, opts.trace). The caller of an upcall is the kernel function the
 * thread is serving (a downcall) or the name set with kc_rt_trace_caller, else "(kernel)"; the
 * caller of a downcall is the user function whose upcall is pending, else "(user)". */
void kc_rt_trace_caller(const char *name); /* per thread; NULL clears */
/* Write "# kcut-profile v1 duration_s=S" then "caller callee count" lines and
 * "# bytes caller callee N" lines. */
int kc_rt_trace_write(struct kc_rt *rt, FILE *f);

/* ------------------------------------------------------------------------------------------ */
/* A split driver's kernel half, started and stopped from its description. What is the same for
 * every split driver (the options, the recovery hook, the device-access glue, the order of the
 * steps) is here, written once; the emitted kcut_kernel.c only describes its driver. Linux:
 * kcut_rt.ko's kc_rt_linux_driver_start/_before_exit/_stop take the same description
 * (rt/linux/kcut_rt_linux.h). */

/* Platform glue of device access (kcut_plat_kmodel.h's kc_plat_kmodel): set the options before
 * the endpoint is made, export the driver's regions from then on (attach) until the stop. */
struct kc_rt_plat {
	void (*opts)(struct kc_rt_opts *o);
	int (*attach)(struct kc_rt *rt, struct kc_err *err);
	void (*detach)(struct kc_rt *rt);
};

/* The emitted description of a kernel half (kcut_kernel.c's kcut_driver). */
struct kc_rt_driver {
	const char *name;                 /* the partition (Linux: /dev/kcut-<name>) */
	struct kc_rt **rt;                /* the half's endpoint variable (kcut_rt): set by start */
	const struct kc_rt_fn *fns;       /* downcalls served, by id */
	uint32_t nfns;
	const char *const *peer_names;    /* the upcalls' names, by id (trace, logs) */
	uint32_t npeer;
	const struct kc_wire_tables *wire;
	void (*tables_init)(void);        /* fills the driver's tables; called first */
	unsigned access;                  /* kernel model: 0 (no device access) or KC_ACCESS_* */
	const struct kc_rt_plat *plat;    /* kernel model: the glue when access != 0 */
};

/* Kernel model: make the endpoint of d and start its user half (the program at user_path; trace:
 * count crossings), serving d's downcalls, with the wire tables' recovery hook (kc_wire_recover_hook;
 * $KCUT_RECOVER=0 turns it off: tests show what happens without it) and, with d->access, its
 * platform glue attached. $KCUT_RT_RESTART_MS, when set, is the delay before a dead user half is
 * restarted (tests: a known down time). Sets *d->rt; 0 or a negative code (err says why). */
int kc_rt_driver_start(const struct kc_rt_driver *d, const char *user_path, int trace, struct kc_err *err);
/* Detach the glue, stop the user half, close the endpoint, clear *d->rt (nothing when not started). */
void kc_rt_driver_stop(const struct kc_rt_driver *d);

#endif /* KCUT_RT_H */
