/* linux/page_ref.h - kernel model: kept so drivers can include it; the declarations live in <linux/gfp.h>. */
#ifndef _KC_LINUX_PAGE_REF_H
#define _KC_LINUX_PAGE_REF_H
#include <linux/gfp.h>
#endif
