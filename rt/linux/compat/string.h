/* rt/linux/compat: <string.h> for rt's portable core in the kernel (see stddef.h). */
#ifndef KC_COMPAT_STRING_H
#define KC_COMPAT_STRING_H
#include <linux/string.h>
#endif
