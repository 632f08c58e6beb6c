/* linux/log2.h - kernel model: ilog2(), is_power_of_2(), roundup_pow_of_two() (in bitops.h). */
#ifndef _KC_LINUX_LOG2_H
#define _KC_LINUX_LOG2_H
#include <linux/bitops.h>
#endif
