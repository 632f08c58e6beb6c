/* linux/stddef.h - kernel model: kept so drivers can include it; the declarations live in <linux/types.h>. */
#ifndef _KC_LINUX_STDDEF_H
#define _KC_LINUX_STDDEF_H
#include <linux/types.h>
#endif
