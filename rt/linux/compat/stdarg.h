/* rt/linux/compat: <stdarg.h> for rt's portable core in the kernel (see stddef.h). */
#ifndef KC_COMPAT_STDARG_H
#define KC_COMPAT_STDARG_H
#include <linux/stdarg.h>
#endif
