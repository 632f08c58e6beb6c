/* rt/linux/compat: <stdlib.h> for rt's portable core in the kernel (see stddef.h): qsort is the
 * kernel's sort() (heapsort, not stable: sync.c sorts by distinct addresses). */
#ifndef KC_COMPAT_STDLIB_H
#define KC_COMPAT_STDLIB_H
#include <linux/sort.h>
#include <linux/types.h>

static inline void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	sort(base, n, size, cmp, NULL);
}
#endif
