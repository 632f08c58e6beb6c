/*
 * rt_region_fns.h - what the device-region tests share between the kernel half (rt_region_test)
 * and their user half (rt_region_user): function ids, and the encoder of a raw register batch.
 */
#ifndef RT_REGION_FNS_H
#define RT_REGION_FNS_H

#include "rt_internal.h"

/* User-half functions (upcalls). */
enum {
	R_SEQ,     /* (u32 mmio id, u32 n, u32 mode) -> (u32 value read, u32 batches, u32 posted,
		    * u32 errors, u32 logged): n writes of i + 1 to register 4 * (i % 64), then by
		    * mode: 0 nothing (the reply flushes), 1 kc_io_flush, 2 downcall K_LOGCOUNT
		    * (logged: what it saw), 3 kc_io_read32 of register 0x100; counters are deltas */
	R_RAW,     /* (opaque args) -> (i32 rc, opaque results): a REGIO call with these bytes */
	R_DMA,     /* (u32 dma id, u32 n) -> (u32 sum of bytes [0, n)): then writes byte i = i ^ 0x5a */
	R_HOLD,    /* (u32 id, u64 off) -> (i32 rc of kc_rt_region_ptr): keeps the pointer */
	R_HELD,    /* () -> (i32 rc of kc_rt_region_of(held pointer), u32 id, u64 off) */
	R_STRAY,   /* () -> (u32 kc_io_read32 of a stack address, u32 errors delta) */
	R_PIO,     /* (u32 port, u32 v) -> (u32 in8(port + 1) after out8(v, port)) */
	R_BYTES,   /* (u32 id, u64 off, u32 n, u32 op) -> (u32 errors delta, u32 sum): op 0
		    * memcpy_toio of byte i = i & 0xff, 1 memset_io 0x11, 2 memcpy_fromio (sum) */
	R_PTR,     /* (u32 id, u64 off, u64 len) -> (i32 rc) */
	R_NFNS
};

/* Kernel-half functions (downcalls). */
enum {
	K_LOGCOUNT, /* () -> (u32 device writes logged so far) */
	K_NFNS
};

static const char *const rt_region_user_names[R_NFNS] = {
	"r_seq", "r_raw", "r_dma", "r_hold", "r_held", "r_stray", "r_pio", "r_bytes", "r_ptr",
};
static const char *const rt_region_kernel_names[K_NFNS] = { "k_logcount" };

/* One operation of a raw REGIO batch (tests and the fuzz target build batches by hand); val is
 * the value of a WRITE and the length of a byte-range operation (WRITE_BYTES sends zeros). */
static inline void regio_op(struct kc_xdr *x, uint32_t opcode, uint32_t id, uint64_t off,
			    uint32_t width, uint64_t val)
{
	kc_xdr_put_u32(x, opcode);
	kc_xdr_put_u32(x, id);
	kc_xdr_put_u64(x, off);
	kc_xdr_put_u32(x, width);
	if (opcode == KC_REGIO_WRITE)
		kc_xdr_put_u64(x, val);
	else if (opcode == KC_REGIO_READ_BYTES)
		kc_xdr_put_u32(x, (uint32_t)val);
	else if (opcode == KC_REGIO_SET_BYTES) {
		kc_xdr_put_u32(x, 0x11);
		kc_xdr_put_u32(x, (uint32_t)val);
	} else if (opcode == KC_REGIO_WRITE_BYTES) {
		static const uint8_t zeros[2 * KC_REGIO_MAX_BYTES];

		kc_xdr_put_opaque(x, zeros, val < sizeof(zeros) ? (size_t)val : sizeof(zeros));
	}
}

#endif
