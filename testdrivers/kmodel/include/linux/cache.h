/* linux/cache.h - kernel model: kept so drivers can include it; the declarations live in <linux/kernel.h>. */
#ifndef _KC_LINUX_CACHE_H
#define _KC_LINUX_CACHE_H
#include <linux/kernel.h>
#endif
