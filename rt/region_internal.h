/*
 * region_internal.h - what region.c needs of an endpoint and what the endpoints need of it: the
 * endpoint's region state (kc_rt__regions: the table, the side, the access mode, the platform's
 * accessors), the runtime-served function ids and the unexport trailer. Both endpoints implement
 * kc_rt__regions: the posix runtime (struct kc_rt of rt_internal.h, super.c) and rt/linux's
 * kernel endpoint (kcut_rt_linux.c), so region.c is built unchanged into kcut_rt.ko, without
 * rt_internal.h's channel layout. Not part of the public API.
 */
#ifndef KC_REGION_INTERNAL_H
#define KC_REGION_INTERNAL_H

#include "kcut_rt.h"

struct kc_region_tab;
struct kc_combo_tab;

struct kc_region_state {
	struct kc_region_tab *tab;     /* exported regions (kernel side; kc_region__tab_new) */
	int kernel;                    /* 1: the kernel half's endpoint */
	unsigned access;               /* kc_rt_opts.access (MMIO regions mappable when MAPPED) */
	const struct kc_rt_io_ops *io; /* kc_rt_opts.io: the platform's register accessors */
	struct kc_combo_tab *combo;    /* combolocks (kernel side, posix runtime: combolock.c) */
};

/* The endpoint's region state (never NULL for a live endpoint). */
struct kc_region_state *kc_rt__regions(struct kc_rt *rt);

/* CALL flag (kernel -> user only): the payload ends with region ids the kernel half unexported
 * (region.c): u32 id * n, then u32 n, after the release trailer when both are present (so it
 * is taken off first). The user half drops its views of them first. */
#define KC_MSG_F_UNMAP 2u

/* Runtime-served downcalls of device regions (region.c; the dispatch table is not involved):
 * a batch of forwarded register operations, and the description of a region id. */
#define KC_RT_FN_REGIO 0xfffffff1u
#define KC_RT_FN_REGINFO 0xfffffff2u
/* KC_RT_FN_REGIO arguments: u32 n (1..KC_REGIO_MAX_OPS), then n operations, each
 *	u32 opcode, u32 region id, u64 offset, u32 width
 * followed by, per opcode: WRITE u64 value; READ_BYTES u32 length; WRITE_BYTES opaque bytes;
 * SET_BYTES u32 byte value (0..255), u32 length; READ nothing. Width is 1/2/4/8 (PIO 1/2/4)
 * for READ/WRITE and 1 for the byte-range operations; the byte lengths of a batch add up to at
 * most KC_REGIO_MAX_BYTES each way. Results: per READ a u64, per READ_BYTES an opaque. */
enum {
	KC_REGIO_READ = 1,
	KC_REGIO_WRITE = 2,
	KC_REGIO_READ_BYTES = 3,  /* memcpy_fromio */
	KC_REGIO_WRITE_BYTES = 4, /* memcpy_toio */
	KC_REGIO_SET_BYTES = 5,   /* memset_io */
	KC_REGIO_CALL = 6,        /* a posted kernel call (kc_rt_post_begin): see below */
};
/* KC_REGIO_CALL: region id field = the downcall's function id, offset 0, width 0, then opaque
 * bytes = the call's arguments exactly as the downcall's stub encodes them (at most
 * KC_POST_ARGS_MAX; they count against KC_REGIO_MAX_BYTES like WRITE_BYTES). The kernel half
 * serves it in order with the batch's register operations, through the function's own handler
 * (kc_rt__posted_handler) with the checks of a downcall; its results are discarded (a posted
 * function returns nothing and writes nothing back). A refused call stops the batch there: the
 * batch fails with the handler's error (which applied the protocol's rule for it: kc_wire_fault
 * kills and restarts the user half for bad handles, types, lengths). A batch of calls only needs
 * no register accessors. */
#define KC_POST_ARGS_MAX 4096u
#define KC_POST_RES_MAX 4096u /* scratch for a posted handler's (discarded) results */
/* KC_RT_FN_REGINFO arguments: u32 id; id 0 asks for the PIO region holding a port: then u64
 * port. Results: u32 id, u32 kind, u32 flags, u64 base, u64 size, u64 map_token. */

/* region.c: the kernel side's table and servers. */
int kc_region__tab_new(struct kc_rt *rt);
void kc_region__tab_free(struct kc_rt *rt);
/* The handler of a runtime-served function id (kernel side), NULL for other ids; and its name
 * for the crossing trace ("(regio)", "(reginfo)"), NULL for other ids. */
kc_rt_handler kc_region__handler(uint32_t fn);
const char *kc_region__fn_name(uint32_t fn);
/* Kernel side: append pending unexports after len payload bytes (cap bytes of room); returns
 * the new length and ORs KC_MSG_F_UNMAP into *flags when it appended. */
uint32_t kc_region__put_unmaps(struct kc_rt *rt, uint8_t *payload, uint32_t len, uint32_t cap,
			       uint32_t *flags);
/* Kernel side: the handler of downcall fn for a posted call (KC_REGIO_CALL), NULL when fn is no
 * downcall of this endpoint; *name its name (for the log). Both endpoints implement it: the posix
 * runtime (rt/io.c, its kc_rt_opts.fns) and rt/linux (region_linux.c, kc_rt_linux_start's fns). */
kc_rt_handler kc_rt__posted_handler(struct kc_rt *rt, uint32_t fn, const char **name);
/* User side: decode a REGINFO reply for id (0: port) into d and *rid. */
int kc_region__query(struct kc_rt *rt, struct kc_region_desc *d, uint32_t *rid, uint32_t id,
		     uint64_t port);

/* A call of a runtime-served function id (KC_RT_FN_REGIO / REGINFO) from the user side: as
 * kc_rt_call_begin, without the posted-write flush. */
int kc_rt__call_begin_rt(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt,
			 uint32_t fn);

/* Test hook (fuzz target only, before the first export): every slot's generation starts at 1,
 * so region ids are (1 << KC_REGION_IDX_BITS) | (slot + 1) in every run. */
void kc_region__test_fixed_gens(struct kc_rt *rt);

#endif /* KC_REGION_INTERNAL_H */
