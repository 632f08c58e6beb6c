// SPDX-License-Identifier: GPL-2.0
/* rt/region_lin.c (register offsets reached through arithmetic, checked on top of
 * kc_rt_region_check), built unchanged into kcut_rt.ko and exported to kernel halves. */
#include <linux/export.h>

#include "region_lin.c"

EXPORT_SYMBOL_GPL(kc_rt_region_check_lin);
EXPORT_SYMBOL_GPL(kc_rt_region_check_port_lin);
/* rt/region.c's port ranges for them (region.c is built in rt_region.c) */
EXPORT_SYMBOL_GPL(kc_rt_region_record_port);
EXPORT_SYMBOL_GPL(kc_rt_region_forget_port);
EXPORT_SYMBOL_GPL(kc_rt_region_check_port);
