/* linux/pm.h - kernel model: kept so drivers can include it; the declarations live in <linux/device.h>. */
#ifndef _KC_LINUX_PM_H
#define _KC_LINUX_PM_H
#include <linux/device.h>
#endif
