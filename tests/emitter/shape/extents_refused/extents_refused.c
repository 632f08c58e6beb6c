/*
 * extents_refused.c - a kernel-half function the user half calls with a (count, pointer) pair
 * whose body walks the pointer by arithmetic: kcut cannot tell how many bytes buf has, and
 * without an annotation (`ref_sum.buf array n`) it would cross as one byte that the kernel half
 * reads past. emit refuses it (docs/emitter.md, "Parameter extents").
 */
#include <kdev.h>

int ref_sum(u16 n, u8 *buf);
int ref_probe(void);

int ref_sum(u16 n, u8 *buf)
{
	u8 *end = buf + n;
	int s = 0;

	while (buf < end)
		s += *buf++;
	return s;
}

int ref_probe(void)
{
	u8 b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	return ref_sum(8, b);
}
