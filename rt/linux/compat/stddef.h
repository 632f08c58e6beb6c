/* rt/linux/compat: the few C library headers rt's portable core (xdr.c, objtrack.c) includes,
 * mapped onto the kernel's own headers (a kernel build has no C library: -nostdinc). */
#ifndef KC_COMPAT_STDDEF_H
#define KC_COMPAT_STDDEF_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
