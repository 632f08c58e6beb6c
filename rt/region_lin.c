/*
 * region_lin.c - register offsets the user half reaches through arithmetic (issue 14): a downcall
 * whose handler runs driver code such as e1000_rar_set(hw, addr, index), writing
 * hw->hw_addr + (mac_type >= 82543 ? E1000_RA : E1000_82542_RA) + ((index << 1) << 2) (+ 4), makes
 * accesses at scale * v + c for a constant c in [c_lo, c_hi] (the emitter's plan found the
 * arithmetic, emitter/regscan.c). kc_rt_region_check_lin checks that before the call runs, written
 * once here on top of kc_rt_region_check (rt/region.c: the window the base points into, alignment,
 * the refusal's log line). kc_rt_region_check_port_lin does the same for port I/O (`outb(v, ioaddr +
 * reg)`, e1000_io_write's port: base 0) on top of kc_rt_region_check_port. Built into kc_rt and,
 * unchanged, into kcut_rt.ko (rt/linux/rt_region_lin.c).
 */
#include "kcut_rt.h"

/* The largest value the integer term may take: C computes it in a type of at least 32 bits
 * (int, unsigned int, long ...) modulo 2^32 or 2^64, so a term kept in [0, 2^31) is the same
 * number in every such type, and the window check below sees the offset the access will use. */
#define KC_LIN_TERM_MAX 0x7fffffffLL
/* Bounds on the plan's constants that keep the arithmetic below in range (a plan outside them
 * refuses every value). */
#define KC_LIN_SCALE_MAX (1LL << 20)
#define KC_LIN_CONST_MAX (1LL << 40)

/* The plan's numbers for value v: 0 and the lowest and highest offset (*lo, *hi), or -1. */
static int lin_bounds(long long v, long long scale, long long t_lo, long long t_hi, long long c_lo, long long c_hi,
		      long long *lo, long long *hi)
{
	long long sv;

	if (scale <= 0 || scale > KC_LIN_SCALE_MAX || t_lo > t_hi || c_lo > c_hi || t_lo < -KC_LIN_CONST_MAX ||
	    t_hi > KC_LIN_CONST_MAX || c_lo < -KC_LIN_CONST_MAX || c_hi > KC_LIN_CONST_MAX ||
	    v < -KC_LIN_TERM_MAX || v > KC_LIN_TERM_MAX)
		return -1;
	sv = scale * v; /* |scale * v| < 2^51 */
	/* the integer term the driver adds to the pointer: not negative, not past 2^31 - 1 */
	if (sv + t_lo < 0 || sv + t_hi > KC_LIN_TERM_MAX)
		return -1;
	*lo = sv + c_lo;
	*hi = sv + c_hi;
	return *lo < 0 ? -1 : 0;
}

int kc_rt_region_check_lin(struct kc_rt *rt, const volatile void *base, long long v, long long scale,
			   long long t_lo, long long t_hi, long long c_lo, long long c_hi, size_t width)
{
	long long lo, hi;
	int rc;

	if (lin_bounds(v, scale, t_lo, t_hi, c_lo, c_hi, &lo, &hi))
		/* (the refusal's log line: an offset no window holds) */
		return kc_rt_region_check(rt, base, UINT64_MAX, width);
	/* the lowest and the highest access inside one window: every one between is too */
	rc = kc_rt_region_check(rt, base, (uint64_t)lo, width);
	if (!rc && hi != lo)
		rc = kc_rt_region_check(rt, base, (uint64_t)hi, width);
	return rc;
}

int kc_rt_region_check_port_lin(struct kc_rt *rt, uint64_t base, long long v, long long scale, long long t_lo,
				long long t_hi, long long c_lo, long long c_hi, size_t width)
{
	long long lo, hi;

	if (lin_bounds(v, scale, t_lo, t_hi, c_lo, c_hi, &lo, &hi) || base + (uint64_t)hi < base)
		return kc_rt_region_check_port(rt, UINT64_MAX, width, width);
	/* every port from the lowest access to the end of the highest inside one range */
	return kc_rt_region_check_port(rt, base + (uint64_t)lo, (uint64_t)(hi - lo) + width, width);
}
