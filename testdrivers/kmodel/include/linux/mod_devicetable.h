/* linux/mod_devicetable.h - kernel model: kept so drivers can include it; the declarations live in <linux/pci.h>. */
#ifndef _KC_LINUX_MOD_DEVICETABLE_H
#define _KC_LINUX_MOD_DEVICETABLE_H
#include <linux/pci.h>
#endif
