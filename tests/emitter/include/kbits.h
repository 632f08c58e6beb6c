/*
 * kbits.h - bit operations on a word, as linux/bitops.h has them (header inline functions), for
 * the emitter's "shared" case: called from the user half they must work on the kernel's word.
 */
#ifndef KBITS_H
#define KBITS_H

#define BITS_PER_LONG 64

static inline void set_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or(&addr[nr / BITS_PER_LONG], 1UL << (nr % BITS_PER_LONG), __ATOMIC_SEQ_CST);
}

static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(&addr[nr / BITS_PER_LONG], ~(1UL << (nr % BITS_PER_LONG)), __ATOMIC_SEQ_CST);
}

static inline _Bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n(&addr[nr / BITS_PER_LONG], __ATOMIC_SEQ_CST) >> (nr % BITS_PER_LONG)) & 1;
}

static inline _Bool test_and_set_bit(long nr, volatile unsigned long *addr)
{
	unsigned long m = 1UL << (nr % BITS_PER_LONG);

	return (__atomic_fetch_or(&addr[nr / BITS_PER_LONG], m, __ATOMIC_SEQ_CST) & m) != 0;
}

#endif
