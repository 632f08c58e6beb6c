/* linux/io-64-nonatomic-lo-hi.h - kernel model: kept so drivers can include it; the declarations live in <linux/io.h>. */
#ifndef _KC_LINUX_IO_64_NONATOMIC_LO_HI_H
#define _KC_LINUX_IO_64_NONATOMIC_LO_HI_H
#include <linux/io.h>
#endif
