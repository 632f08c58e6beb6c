/* linux/reboot.h - kernel model: kept so drivers can include it; the declarations live in <linux/types.h>. */
#ifndef _KC_LINUX_REBOOT_H
#define _KC_LINUX_REBOOT_H
#include <linux/types.h>
#endif
