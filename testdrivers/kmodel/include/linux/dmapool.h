/* linux/dmapool.h - kernel model: kept so drivers can include it; the declarations live in <linux/dma-mapping.h>. */
#ifndef _KC_LINUX_DMAPOOL_H
#define _KC_LINUX_DMAPOOL_H
#include <linux/dma-mapping.h>
#endif
