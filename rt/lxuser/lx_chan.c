/*
 * lx_chan.c - the user side of the Linux channel (rt/linux/kcut_rt_uapi.h) behind the kc_rt
 * call API of rt/kcut_rt.h (kcut_lx.h says what it is for).
 *
 * Protocol (kcut_rt_uapi.h): a message is rt/chan.c's 24-byte header (six big-endian words:
 * kind, call id, function id, flags, status, payload length) and its XDR payload, at the start
 * of a slot of the mapping.
 *   upcall    a worker blocks in KCUT_LX_IOC_WAIT, gets kernel slot s holding a CALL, decodes
 *             the arguments in place (the kernel half does not touch a slot it queued until the
 *             reply is handed back), runs the handler of the dispatch table, encodes the results
 *             into a buffer of its own, copies header + results into slot s, KCUT_LX_IOC_REPLY.
 *   downcall  a thread takes a free user slot (exchange on a private busy byte), encodes the
 *             arguments into it, KCUT_LX_IOC_CALL: the kernel half runs the handler in this
 *             thread and leaves the REPLY in the slot, which is decoded in place until
 *             kc_rt_call_end frees the slot.
 * An upcall made by the kernel while it serves a downcall of a worker is served by another
 * worker (rt/linux does not nest on one thread), so the program runs several.
 *
 * The endpoint is rt_internal.h's struct kc_rt (side user), so rt/wire.c, objtrack.c, xdr.c,
 * sync.c (synchronization at every crossing), region.c (the REGINFO query) and io.c (the views
 * of device regions, kc_io_* and posted writes) work on it unchanged; this file replaces rt.c,
 * chan.c, udrv.c and super.c of the posix platform. As there:
 *   - every downcall of the driver first sends the user half's changes to synchronized objects
 *     (kc_sync__flush: one KC_RT_FN_SYNC call when something changed) and the thread's posted
 *     register writes (one KC_RT_FN_REGIO batch); so does every upcall's handler before its reply;
 *   - a reply may end with the kernel half's changes (KC_MSG_F_SYNC): taken off, applied before
 *     the results are decoded; the shadows are refreshed when the call ends;
 *   - an upcall may end with region ids the kernel half unexported (KC_MSG_F_UNMAP): those
 *     views are dropped (munmap) before anything else.
 * Device regions are mmapped from the kcut device itself (share_fd is a duplicate of it) at the
 * token KC_RT_FN_REGINFO gives: DMA buffers always, MMIO windows with device access mapped
 * (io_remap_pfn_range in kcut_rt.ko); with forward, MMIO accesses become KC_RT_FN_REGIO batches.
 * One endpoint per process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kcut_lx.h"
#include "kcut_rt_uapi.h"
#include "rt_internal.h"

#define LX_MAX_SLOTS_U 64u
#define LX_MAX_WORKERS 64u
#define LX_STATUS_MIN (-4095) /* what rt/linux accepts as a reply status */

struct kc_rt_call {
	struct kc_rt *rt;
	uint32_t slot, fn, id;
	int invoked;
	const char *caller;      /* trace: the upcall this thread serves (restored at the end) */
	struct kc_xdr args, res;
	uint8_t *msg;            /* the slot in the mapping */
	uint8_t *back;           /* the reply's sync trailer (sync.c), until applied */
	uint32_t nback;
};

static struct lx {
	struct kc_rt *rt;
	struct kc_lx_opts o;
	int fd;
	uint8_t *map;
	struct kcut_lx_info info;
	_Atomic uint8_t busy[LX_MAX_SLOTS_U];
	struct kc_rt_call calls[LX_MAX_SLOTS_U];
	_Atomic uint32_t next_id;
	_Atomic uint64_t upcalls, downcalls, faults;
	_Atomic int ended;       /* the kernel half ended the incarnation (WAIT said EPIPE) */
	_Atomic int failed;      /* a worker stopped on an error */
	pthread_t workers[LX_MAX_WORKERS];
	unsigned nworkers;
	struct kc_trace *trace;
	pthread_mutex_t trace_lock;
} lx = { .fd = -1, .trace_lock = PTHREAD_MUTEX_INITIALIZER };

static _Thread_local const char *tls_caller; /* the upcall this thread serves (trace, logs) */
static _Thread_local uint8_t *tls_buf;       /* a worker's reply buffer (slot_bytes) */

const char *kc_rt_strerror(int code)
{
	switch (code) {
	case KC_RT_EDEAD: return "the kernel half ended the connection";
	case KC_RT_EDOWN: return "the kernel half is not there";
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

struct kc_objt *kc_rt_objt(struct kc_rt *rt)
{
	return rt->objt;
}

/* rt/wire.c, sync.c and region.c reach the endpoint only through these (wire_internal.h,
 * sync_internal.h, region_internal.h). */
struct kc_wire_state *kc_rt__wire(struct kc_rt *rt)
{
	return &rt->wire;
}

struct kc_sync **kc_rt__sync(struct kc_rt *rt)
{
	return &rt->sync;
}

struct kc_region_state *kc_rt__regions(struct kc_rt *rt)
{
	return &rt->reg;
}

/* wire.c's other endpoint hook: forgetting a freed range is the kernel side's. */
void kc_rt__forget_range(struct kc_rt *rt, const void *ptr, size_t size)
{
	(void)rt;
	(void)ptr;
	(void)size;
}

/* User side: forget the handle of a local object being freed (nothing to tell the kernel). */
int kc_rt_obj_free(struct kc_rt *rt, const void *ptr)
{
	uint64_t h;
	size_t off;

	if (rt && !kc_objt_handle_of(rt->objt, &h, &off, ptr) && off == 0)
		kc_objt_untrack(rt->objt, ptr);
	return 0;
}

/* The kernel half sent something malformed: log it. rt/linux checks every message of the user
 * half; a user half that finds the kernel's messages malformed can only refuse the call. */
int kc_rt_fault(struct kc_rt *rt, const char *why)
{
	(void)rt;
	atomic_fetch_add(&lx.faults, 1);
	fprintf(stderr, "kcut-lx: malformed message from the kernel half: %s\n", why);
	return KC_RT_EPROTO;
}

void kc_lx_get_stats(struct kc_lx_stats *out)
{
	out->upcalls = atomic_load(&lx.upcalls);
	out->downcalls = atomic_load(&lx.downcalls);
	out->faults = atomic_load(&lx.faults);
}

/* ---- messages ---- */

static uint8_t *slot_at(uint32_t i)
{
	return lx.map + lx.info.hdr_bytes + (size_t)i * lx.info.slot_bytes;
}

static void hdr_put(uint8_t *buf, uint32_t kind, uint32_t id, uint32_t fn, int32_t status, uint32_t plen)
{
	struct kc_xdr x;

	kc_xdr_init_enc(&x, buf, KC_MSG_HDR);
	kc_xdr_put_u32(&x, kind);
	kc_xdr_put_u32(&x, id);
	kc_xdr_put_u32(&x, fn);
	kc_xdr_put_u32(&x, 0);
	kc_xdr_put_i32(&x, status);
	kc_xdr_put_u32(&x, plen);
}

/* Parse the header of a len-byte message (copied out of the mapping first: the words are read
 * once). */
static int hdr_get(const uint8_t *slot, uint32_t len, uint32_t *kind, uint32_t *id, uint32_t *fn,
		   uint32_t *flags, int32_t *status, uint32_t *plen)
{
	uint8_t h[KC_MSG_HDR];
	struct kc_xdr x;

	if (len < KC_MSG_HDR || len > lx.info.slot_bytes)
		return KC_RT_EPROTO;
	memcpy(h, slot, KC_MSG_HDR);
	kc_xdr_init_dec(&x, h, KC_MSG_HDR);
	*kind = kc_xdr_get_u32(&x);
	*id = kc_xdr_get_u32(&x);
	*fn = kc_xdr_get_u32(&x);
	*flags = kc_xdr_get_u32(&x);
	*status = kc_xdr_get_i32(&x);
	*plen = kc_xdr_get_u32(&x);
	if (kc_xdr_error(&x) || *plen > len - KC_MSG_HDR)
		return KC_RT_EPROTO;
	return 0;
}

static void trace_add(const char *caller, const char *callee, uint64_t bytes)
{
	if (!lx.trace)
		return;
	pthread_mutex_lock(&lx.trace_lock);
	kc_trace_add(lx.trace, caller, callee, bytes);
	pthread_mutex_unlock(&lx.trace_lock);
}

static void trace_flush(void)
{
	char tmp[4096];
	FILE *f;

	if (!lx.trace || !lx.o.trace_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", lx.o.trace_path);
	pthread_mutex_lock(&lx.trace_lock);
	f = fopen(tmp, "w");
	if (f) {
		int rc = kc_trace_write(lx.trace, f);

		if (fclose(f) == 0 && rc == 0)
			rename(tmp, lx.o.trace_path);
	}
	pthread_mutex_unlock(&lx.trace_lock);
}

static const char *rt_fn_name(uint32_t fn);

static const char *peer_name(uint32_t fn)
{
	if (rt_fn_name(fn))
		return rt_fn_name(fn);
	return fn < lx.o.npeer && lx.o.peer_names && lx.o.peer_names[fn] ? lx.o.peer_names[fn] : "(downcall)";
}

/* ---- downcalls: this side calls the kernel half ---- */

static int call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn);

/* A downcall of the driver: the user half's changes to synchronized objects (sync.c) and this
 * thread's posted register writes (io.c) cross first, as in the posix runtime (rt/rt.c). */
int kc_rt_call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	*out = NULL;
	*args = NULL;
	if (rt != lx.rt)
		return KC_RT_EDOWN;
	if (lx.o.npeer && fn >= lx.o.npeer)
		return KC_EINVAL;
	kc_sync__flush(rt);
	if (rt->io_flush)
		rt->io_flush(rt);
	return call_begin(out, args, rt, fn);
}

/* A runtime-served function (region.c's REGIO / REGINFO, sync.c's SYNC): no flush first. */
int kc_rt__call_begin_rt(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt,
			 uint32_t fn)
{
	*out = NULL;
	*args = NULL;
	if (fn != KC_RT_FN_REGIO && fn != KC_RT_FN_REGINFO && fn != KC_RT_FN_SYNC)
		return KC_EINVAL;
	return call_begin(out, args, rt, fn);
}

static const char *rt_fn_name(uint32_t fn)
{
	return fn == KC_RT_FN_REGIO ? "(regio)" : fn == KC_RT_FN_REGINFO ? "(reginfo)" : fn == KC_RT_FN_SYNC ? "(sync)" : NULL;
}

static int call_begin(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	struct kc_rt_call *c;
	uint32_t i, n = lx.info.nslots_u < LX_MAX_SLOTS_U ? lx.info.nslots_u : LX_MAX_SLOTS_U;
	int tries;

	*out = NULL;
	*args = NULL;
	if (rt != lx.rt || lx.fd < 0)
		return KC_RT_EDOWN;
	if (atomic_load(&lx.ended))
		return KC_RT_EDEAD;
	/* a free user slot; all busy: wait a little (other threads' calls end), then give up */
	for (tries = 0;; tries++) {
		for (i = 0; i < n; i++)
			if (!atomic_load_explicit(&lx.busy[i], memory_order_relaxed) &&
			    !atomic_exchange(&lx.busy[i], 1))
				break;
		if (i < n)
			break;
		if (tries == 5000)
			return KC_RT_ENOSLOT;
		usleep(1000);
	}
	c = &lx.calls[i];
	memset(c, 0, sizeof(*c));
	c->rt = rt;
	c->slot = i;
	c->fn = fn;
	c->id = atomic_fetch_add(&lx.next_id, 1) + 1;
	c->msg = slot_at(lx.info.nslots_k + i);
	c->caller = tls_caller;
	kc_xdr_init_enc(&c->args, c->msg + KC_MSG_HDR, lx.info.slot_bytes - KC_MSG_HDR);
	*out = c;
	*args = &c->args;
	return 0;
}

int kc_rt_call_invoke(struct kc_rt_call *c, struct kc_xdr **res)
{
	struct kcut_lx_msg m;
	uint32_t kind, id, fn, flags, plen;
	int32_t status;
	int rc;

	*res = NULL;
	if (c->invoked)
		return KC_EINVAL;
	if (kc_xdr_error(&c->args))
		return kc_xdr_error(&c->args);
	c->invoked = 1;
	plen = (uint32_t)kc_xdr_pos(&c->args);
	hdr_put(c->msg, KC_MSG_CALL, c->id, c->fn, 0, plen);
	m.slot = c->slot;
	m.len = KC_MSG_HDR + plen;
	atomic_fetch_add(&lx.downcalls, 1);
	trace_add(c->caller ? c->caller : "(user)", peer_name(c->fn), KC_MSG_HDR + plen);
	if (lx.o.verbose)
		fprintf(stderr, "kcut-lx: downcall %s (%u bytes)%s%s\n", peer_name(c->fn), plen,
			c->caller ? " from " : "", c->caller ? c->caller : "");
	if (ioctl(lx.fd, KCUT_LX_IOC_CALL, &m)) {
		int e = errno;

		if (e == EPIPE) {
			atomic_store(&lx.ended, 1);
			return KC_RT_EDEAD;
		}
		fprintf(stderr, "kcut-lx: downcall %s: %s\n", peer_name(c->fn), strerror(e));
		return e == EPROTO ? KC_RT_EPROTO : KC_EIO;
	}
	rc = hdr_get(c->msg, m.len, &kind, &id, &fn, &flags, &status, &plen);
	/* a reply may carry the kernel half's changes to synchronized objects (KC_MSG_F_SYNC) */
	if (!rc && (kind != KC_MSG_REPLY || id != c->id || fn != c->fn || (flags & ~(uint32_t)KC_MSG_F_SYNC) ||
		    (flags && status) || plen != m.len - KC_MSG_HDR || status > 0 || status < LX_STATUS_MIN))
		rc = KC_RT_EPROTO;
	if (!rc && (flags & KC_MSG_F_SYNC) && kc_sync__take_back(c->msg + KC_MSG_HDR, &plen, &c->back, &c->nback))
		rc = KC_RT_EPROTO;
	if (rc)
		return kc_rt_fault(c->rt, "a malformed reply to a downcall");
	if (status)
		return status;
	/* the kernel half's changes first, then the results the caller decodes (they are as new,
	 * and out-parameters written after them win; rt/sync.c) */
	if (c->back) {
		kc_sync__apply_back(c->rt, c->back, c->nback); /* frees it */
		c->back = NULL;
	}
	kc_xdr_init_dec(&c->res, c->msg + KC_MSG_HDR, plen);
	*res = &c->res;
	return 0;
}

int kc_rt_call_end(struct kc_rt_call *c, int rc)
{
	if (!c)
		return rc;
	if (c->back) {
		kc_os_free(c->back); /* not applied (the call failed) */
		c->back = NULL;
	}
	if (!rc && c->invoked && kc_xdr_dec_done(&c->res))
		rc = kc_rt_fault(c->rt, "a reply with malformed or extra results");
	atomic_store(&lx.busy[c->slot], 0);
	/* the kernel half's values (results, its trailer) are the new baseline of the shadows */
	if (c->invoked && (c->fn < KC_RT_FN_REGIO || c->nback))
		kc_sync__refresh(c->rt);
	return rc;
}

/* ---- upcalls: the kernel half calls this side ---- */

/* The handles the kernel half released (trailer of a CALL with KC_MSG_F_RELEASE: u64 handle * n,
 * then u32 n): drop the local copies. Returns the payload length without the trailer. */
static int take_release(struct kc_rt *rt, const uint8_t *p, uint32_t *len)
{
	struct kc_xdr x;
	uint32_t n, i;

	if (*len < 4)
		return KC_RT_EPROTO;
	kc_xdr_init_dec(&x, p + *len - 4, 4);
	n = kc_xdr_get_u32(&x);
	if (n > (*len - 4) / 8)
		return KC_RT_EPROTO;
	*len -= 4 + 8 * n;
	kc_xdr_init_dec(&x, p + *len, 8 * n);
	for (i = 0; i < n; i++) {
		uint64_t h = kc_xdr_get_u64(&x);

		if (lx.o.verbose)
			fprintf(stderr, "kcut-lx: the kernel half released handle %#llx\n", (unsigned long long)h);
		kc_objt_release(rt->objt, h);
	}
	return 0;
}

static int serve(struct kc_rt *rt, uint32_t slot)
{
	uint8_t *msg = slot_at(slot);
	uint32_t kind, id, fn, flags, plen;
	int32_t status;
	struct kc_xdr args, res;
	struct kcut_lx_msg m;
	const char *name;
	int rc;

	rc = hdr_get(msg, lx.info.slot_bytes, &kind, &id, &fn, &flags, &status, &plen);
	if (rc || kind != KC_MSG_CALL || status || (flags & ~(uint32_t)(KC_MSG_F_RELEASE | KC_MSG_F_UNMAP)))
		rc = kc_rt_fault(rt, "a malformed upcall");
	/* the unexport trailer is last (kcut_rt_uapi.h): off first; those views go */
	if (!rc && (flags & KC_MSG_F_UNMAP) && kc_io__take_unmaps(rt, msg + KC_MSG_HDR, &plen))
		rc = kc_rt_fault(rt, "a malformed unmap trailer");
	if (!rc && (flags & KC_MSG_F_RELEASE))
		rc = take_release(rt, msg + KC_MSG_HDR, &plen);
	name = fn < rt->o.nfns && rt->o.fns[fn].fn ? rt->o.fns[fn].name : NULL;
	kc_xdr_init_dec(&args, msg + KC_MSG_HDR, rc ? 0 : plen);
	kc_xdr_init_enc(&res, tls_buf + KC_MSG_HDR, lx.info.slot_bytes - KC_MSG_HDR);
	atomic_fetch_add(&lx.upcalls, 1);
	if (!rc && !name) {
		fprintf(stderr, "kcut-lx: upcall of unknown function %u refused\n", fn);
		rc = KC_EINVAL;
	}
	if (!rc) {
		if (lx.o.verbose)
			fprintf(stderr, "kcut-lx: upcall %s (%u bytes)\n", name, plen);
		trace_add("(kernel)", name, KC_MSG_HDR + plen);
		tls_caller = name;
		rc = rt->o.fns[fn].fn(rt, &args, &res);
		/* the handler's changes to synchronized objects and its posted register writes
		 * reach the kernel half before the reply */
		kc_sync__flush(rt);
		if (rt->io_flush)
			rt->io_flush(rt);
		tls_caller = NULL;
		if (!rc && kc_xdr_error(&res))
			rc = kc_xdr_error(&res);
	}
	if (rc > 0 || rc < LX_STATUS_MIN)
		rc = KC_EIO;
	plen = rc ? 0 : (uint32_t)kc_xdr_pos(&res);
	hdr_put(tls_buf, KC_MSG_REPLY, id, fn, rc, plen);
	memcpy(msg, tls_buf, KC_MSG_HDR + plen);
	m.slot = slot;
	m.len = KC_MSG_HDR + plen;
	if (ioctl(lx.fd, KCUT_LX_IOC_REPLY, &m)) {
		fprintf(stderr, "kcut-lx: reply to %s: %s\n", name ? name : "upcall", strerror(errno));
		return KC_EIO;
	}
	if (name)
		trace_flush();
	return 0;
}

static void *worker(void *arg)
{
	struct kc_rt *rt = arg;

	tls_buf = malloc(lx.info.slot_bytes);
	if (!tls_buf) {
		atomic_store(&lx.failed, 1);
		return NULL;
	}
	while (!atomic_load(&lx.ended)) {
		uint32_t slot;

		if (ioctl(lx.fd, KCUT_LX_IOC_WAIT, &slot)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EPIPE) {
				atomic_store(&lx.ended, 1);
				break;
			}
			fprintf(stderr, "kcut-lx: wait for an upcall: %s\n", strerror(errno));
			atomic_store(&lx.failed, 1);
			break;
		}
		if (slot >= lx.info.nslots_k) {
			kc_rt_fault(rt, "an upcall slot out of range");
			atomic_store(&lx.failed, 1);
			break;
		}
		if (serve(rt, slot)) {
			atomic_store(&lx.failed, 1);
			break;
		}
	}
	free(tls_buf);
	tls_buf = NULL;
	return NULL;
}

/* ---- connecting ---- */

int kc_lx_layout_cmp(const uint64_t *kern, uint32_t nkern, const size_t *user, uint32_t nuser,
		     const char *const *names, struct kc_err *err)
{
	uint32_t i;

	if (nkern != nuser)
		return kc_err_set(err, KC_EINVAL, "struct layouts: the kernel half knows %u object types, this user half %u "
				  "(halves of different emits)", nkern, nuser);
	for (i = 1; i < nkern; i++) {
		if (kern[i] == (uint64_t)user[i])
			continue;
		return kc_err_set(err, KC_EINVAL, "struct layouts differ: struct %s (type %u) is %llu bytes in the kernel "
				  "half, %zu in the user half (built with other headers, configuration or flags)",
				  names && names[i] ? names[i] : "?", i, (unsigned long long)kern[i], user[i]);
	}
	return 0;
}

/* Pass this half's layout table (the emitted kcut_layout) to the kernel half, which compares it
 * with its own and refuses the connection when a struct or field differs (kcut_rt_uapi.h). */
static int layout_check(const struct kc_lx_opts *o, struct kc_err *err)
{
	const struct kc_wire_tables *w = o->wire;
	struct kcut_lx_types t;

	memset(&t, 0, sizeof(t));
	if (w && w->layout) {
		t.table = (uint64_t)(uintptr_t)w->layout;
		t.n = w->nlayout;
	}
	if (!ioctl(lx.fd, KCUT_LX_IOC_TYPES, &t)) {
		fprintf(stderr, "kcut-lx: struct layouts match the kernel half's (%u entries)\n", t.n);
		return 0;
	}
	if (errno == EPROTO && t.n && t.first < t.n)
		return kc_err_set(err, KC_EINVAL, "the kernel half refused the connection: struct layouts differ at %s "
				  "(%llu in this user half; the kernel log has the kernel half's value)",
				  w->layout_names && w->layout_names[t.first] ? w->layout_names[t.first] : "?",
				  (unsigned long long)w->layout[t.first]);
	return kc_err_set(err, KC_EINVAL, "KCUT_LX_IOC_TYPES: %s (the kernel log says why)", strerror(errno));
}

int kc_lx_open(struct kc_rt **out, const struct kc_lx_opts *o, struct kc_err *err)
{
	struct kc_rt *rt = NULL;
	char path[256];
	unsigned i;
	int rc = 0;

	*out = NULL;
	if (lx.rt)
		return kc_err_set(err, KC_EINVAL, "one kcut endpoint per process");
	if (!o->fns || !o->nfns)
		return kc_err_set(err, KC_EINVAL, "no dispatch table");
	lx.o = *o;
	if (!lx.o.nworkers)
		lx.o.nworkers = 8;
	if (lx.o.nworkers > LX_MAX_WORKERS)
		lx.o.nworkers = LX_MAX_WORKERS;
	if (!lx.o.wait_s)
		lx.o.wait_s = 60;
	if (o->dev)
		snprintf(path, sizeof(path), "%s", o->dev);
	else
		snprintf(path, sizeof(path), "/dev/kcut-%s", o->name ? o->name : "emit");
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < lx.o.wait_s * 10; i++) {
		lx.fd = open(path, O_RDWR | O_CLOEXEC);
		if (lx.fd >= 0 || (errno != ENOENT && errno != ENODEV && errno != ENXIO))
			break;
		usleep(100000);
	}
	if (lx.fd < 0)
		return kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
	if (ioctl(lx.fd, KCUT_LX_IOC_INFO, &lx.info)) {
		rc = kc_err_set(err, KC_EIO, "%s: KCUT_LX_IOC_INFO: %s", path, strerror(errno));
		goto cleanup;
	}
	if (lx.info.magic != KCUT_LX_MAGIC || lx.info.version != KCUT_LX_VERSION) {
		rc = kc_err_set(err, KC_EINVAL, "%s: magic %#x version %u, expected %#x version %u (kcut_rt.ko of another kcut)",
				path, lx.info.magic, lx.info.version, KCUT_LX_MAGIC, KCUT_LX_VERSION);
		goto cleanup;
	}
	if (lx.info.slot_bytes < 4096 || lx.info.slot_bytes > (16u << 20) || !lx.info.nslots_k || !lx.info.nslots_u ||
	    lx.info.map_bytes < lx.info.hdr_bytes + (uint64_t)(lx.info.nslots_k + lx.info.nslots_u) * lx.info.slot_bytes) {
		rc = kc_err_set(err, KC_EINVAL, "%s: impossible channel geometry", path);
		goto cleanup;
	}
	/* the tables must be the kernel half's mirror: same number of upcalls and downcalls */
	if (lx.info.npeer != o->nfns && lx.info.npeer + 1 != o->nfns) {
		rc = kc_err_set(err, KC_EINVAL, "%s: the kernel half makes %u upcalls, this user half serves %u "
				"(halves of different emits)", path, lx.info.npeer, o->nfns);
		goto cleanup;
	}
	if (lx.info.nfns != o->npeer) {
		rc = kc_err_set(err, KC_EINVAL, "%s: the kernel half serves %u downcalls, this user half knows %u "
				"(halves of different emits)", path, lx.info.nfns, o->npeer);
		goto cleanup;
	}
	rc = layout_check(o, err);
	if (rc)
		goto cleanup;
	lx.map = mmap(NULL, lx.info.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, lx.fd, 0);
	if (lx.map == MAP_FAILED) {
		lx.map = NULL;
		rc = kc_err_set(err, KC_EIO, "%s: mmap: %s", path, strerror(errno));
		goto cleanup;
	}
	rt = kc_os_zalloc(sizeof(*rt));
	if (!rt) {
		rc = kc_err_set(err, KC_ENOMEM, "out of memory");
		goto cleanup;
	}
	rt->side = KC_SIDE_USER;
	rt->o.version = KC_RT_OPTS_VERSION;
	rt->o.fns = o->fns;
	rt->o.nfns = o->nfns;
	rt->o.peer_names = o->peer_names;
	rt->o.npeer = o->npeer;
	rt->o.wire = o->wire;
	rt->o.access = o->access == KC_ACCESS_MAPPED ? KC_ACCESS_MAPPED : KC_ACCESS_FORWARD;
	rt->wake_fd = rt->kbulk_fd = rt->share_fd = -1;
	/* device regions (io.c): DMA buffers, and MMIO windows when mapped, are mmapped from the
	 * kcut device at the token REGINFO gives (kcut_rt_uapi.h); io.c closes its own descriptor */
	rt->reg.kernel = 0;
	rt->reg.access = rt->o.access;
	rt->share_fd = fcntl(lx.fd, F_DUPFD_CLOEXEC, 3);
	rt->lock = kc_os_mutex_new();
	if (!rt->lock) {
		rc = kc_err_set(err, KC_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = kc_objt_new(&rt->objt, 1, err);
	if (rc)
		goto cleanup;
	if (rt->share_fd < 0 || kc_io__views_new(rt)) {
		rc = kc_err_set(err, KC_ENOMEM, "out of memory or descriptors");
		goto cleanup;
	}
#ifdef KC_WIRE_INTERNAL_H
	rt->wire.tables = o->wire;
	rt->wire.kernel = 0;
	rt->wire.lock = rt->lock;
#endif
	if (o->trace_path && kc_trace_new(&lx.trace)) {
		rc = kc_err_set(err, KC_ENOMEM, "out of memory");
		goto cleanup;
	}
	lx.rt = rt;
	kc_io__attach(rt); /* kc_io_* reach this endpoint; posted writes flush at every crossing */
	fprintf(stderr, "kcut-lx: %s: connected, %u+%u slots of %u bytes, serving %u upcalls, %u downcalls known, "
		"device access %s\n", path, lx.info.nslots_k, lx.info.nslots_u, lx.info.slot_bytes, o->nfns, o->npeer,
		rt->o.access == KC_ACCESS_MAPPED ? "mapped" : "forward");
	*out = rt;
	return 0;
cleanup:
	if (rt) {
		if (rt->views)
			kc_io__views_free(rt); /* closes share_fd */
		else if (rt->share_fd >= 0)
			close(rt->share_fd);
		if (rt->objt)
			kc_objt_free(rt->objt);
		if (rt->lock)
			kc_os_mutex_free(rt->lock);
		kc_os_free(rt);
	}
	if (lx.map)
		munmap(lx.map, lx.info.map_bytes);
	lx.map = NULL;
	close(lx.fd);
	lx.fd = -1;
	return rc;
}

int kc_lx_run(struct kc_rt *rt)
{
	unsigned i;

	if (rt != lx.rt)
		return KC_EINVAL;
	for (i = 0; i < lx.o.nworkers; i++) {
		if (pthread_create(&lx.workers[i], NULL, worker, rt)) {
			fprintf(stderr, "kcut-lx: cannot start worker %u\n", i);
			atomic_store(&lx.failed, 1);
			break;
		}
	}
	lx.nworkers = i;
	for (i = 0; i < lx.nworkers; i++)
		pthread_join(lx.workers[i], NULL);
	trace_flush();
	if (atomic_load(&lx.failed))
		return KC_EIO;
	return atomic_load(&lx.ended) ? 0 : KC_EIO;
}

void kc_lx_close(struct kc_rt *rt)
{
	if (!rt || rt != lx.rt)
		return;
	kc_wire__free(rt); /* and sync.c's shadows */
	kc_io__views_free(rt);
	kc_objt_free(rt->objt);
	kc_os_mutex_free(rt->lock);
	kc_os_free(rt);
	if (lx.trace)
		kc_trace_free(lx.trace);
	lx.trace = NULL;
	munmap(lx.map, lx.info.map_bytes);
	lx.map = NULL;
	close(lx.fd);
	lx.fd = -1;
	lx.rt = NULL;
}

/* The inline XDR accessors as functions, for lx_xdr_out.c (kcut_rt_shim.h declares them). */
void kc_lx_xdr_put_u32(struct kc_xdr *x, uint32_t v);
uint32_t kc_lx_xdr_get_u32(struct kc_xdr *x);

void kc_lx_xdr_put_u32(struct kc_xdr *x, uint32_t v)
{
	kc_xdr_put_u32(x, v);
}

uint32_t kc_lx_xdr_get_u32(struct kc_xdr *x)
{
	return kc_xdr_get_u32(x);
}
