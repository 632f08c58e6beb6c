/*
 * kcut_lx.h - rt/lxuser: the user half of a split driver as a Linux program (issue 15 item 3).
 *
 * The kernel half runs in a Linux kernel with rt/linux (kcut_rt.ko); its user half is a static
 * program built from the emitted user half (kcut-lxbuild). This module is that program's
 * runtime: the user side of the channel of rt/linux/kcut_rt_uapi.h (open /dev/kcut-NAME, map the
 * channel, serve upcalls with worker threads blocked in KCUT_LX_IOC_WAIT, make downcalls with
 * KCUT_LX_IOC_CALL) behind the same kc_rt_call API rt/kcut_rt.h gives generated code, so
 * rt/wire.c, objtrack.c and xdr.c run unchanged on this side.
 *
 * Plain C (glibc headers); the kernel-import library (lx_kimports.c) is the part compiled
 * against the kernel's headers, and it reaches libc only through kcl_* (kcut_lx_libc.h).
 */
#ifndef KCUT_LX_H
#define KCUT_LX_H

#include <stddef.h>
#include <stdint.h>

#include "kcut_rt.h"

struct kc_lx_opts {
	const char *name;        /* partition / device name: /dev/kcut-<name> */
	const char *dev;         /* or the device path itself (NULL: from name) */
	unsigned nworkers;       /* threads serving upcalls (default 8; nested chains need >= 2) */
	unsigned wait_s;         /* how long to wait for the device to appear (default 60) */
	const char *trace_path;  /* crossing trace (kcut-profile v1), rewritten after each upcall */
	int verbose;             /* one log line per upcall and downcall */
	unsigned access;         /* KC_ACCESS_MAPPED: MMIO regions mmapped into this process, plain
				  * volatile accesses; else (KC_ACCESS_FORWARD, 0) kc_io_* accesses
				  * are forwarded register batches. DMA buffers are mapped either way. */
	/* the driver's tables (emitted user half) */
	const struct kc_rt_fn *fns;
	uint32_t nfns;
	const char *const *peer_names;
	uint32_t npeer;
	const struct kc_wire_tables *wire;
	const char *const *type_names; /* type id -> struct name (layout check messages); may be NULL */
};

/* Connect: open the device (waiting for it), check the geometry and the struct layouts against
 * the kernel half's, map the channel. 0 or a negative code with err set (a layout mismatch
 * names the struct). */
int kc_lx_open(struct kc_rt **out, const struct kc_lx_opts *o, struct kc_err *err);
/* Serve upcalls until the kernel half ends this incarnation (unload, fault). 0 when it ended
 * normally, else a negative code. */
int kc_lx_run(struct kc_rt *rt);
void kc_lx_close(struct kc_rt *rt);

/* Compare two type-size tables (index = tracker type id; 0 entries are untyped bytes and are
 * not compared). 0, or KC_EINVAL with err naming the first struct that differs. Exposed for
 * the tests. */
int kc_lx_layout_cmp(const uint64_t *kern, uint32_t nkern, const size_t *user, uint32_t nuser,
		     const char *const *names, struct kc_err *err);

/* Counters of this process since kc_lx_open. */
struct kc_lx_stats {
	uint64_t upcalls, downcalls, faults;
};
void kc_lx_get_stats(struct kc_lx_stats *out);

#endif /* KCUT_LX_H */
