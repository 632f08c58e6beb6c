/* linux/prefetch.h - kernel model: kept so drivers can include it; the declarations live in <linux/compiler.h>. */
#ifndef _KC_LINUX_PREFETCH_H
#define _KC_LINUX_PREFETCH_H
#include <linux/compiler.h>
#define prefetch(x) __builtin_prefetch(x)
#define prefetchw(x) __builtin_prefetch(x, 1)
#endif
