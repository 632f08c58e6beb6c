// SPDX-License-Identifier: GPL-2.0
/* rt/region.c (the device-region table, its checks, the REGIO / REGINFO servers), built unchanged
 * into kcut_rt.ko: it reaches the endpoint through rt/region_internal.h (kcut_rt_linux.c
 * implements kc_rt__regions; region_linux.c is its platform glue). */
#include "region.c"
