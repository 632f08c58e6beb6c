/* rt/linux/compat: <stdio.h> for rt's portable core in the kernel (see stddef.h): snprintf and
 * friends come from the kernel; FILE only names a type (the crossing trace's writer is not
 * built into the kernel). */
#ifndef KC_COMPAT_STDIO_H
#define KC_COMPAT_STDIO_H
#include <linux/kernel.h>
typedef struct kc_compat_file FILE;
#endif
