/* linux/uaccess.h - kernel model: kept so drivers can include it; the declarations live in <linux/string.h>. */
#ifndef _KC_LINUX_UACCESS_H
#define _KC_LINUX_UACCESS_H
#include <linux/string.h>
#endif
