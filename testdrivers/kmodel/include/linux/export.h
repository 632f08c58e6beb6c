/* linux/export.h - kernel model: kept so drivers can include it; the declarations live in <linux/module.h>. */
#ifndef _KC_LINUX_EXPORT_H
#define _KC_LINUX_EXPORT_H
#include <linux/module.h>
#endif
