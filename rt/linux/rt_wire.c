// SPDX-License-Identifier: GPL-2.0
/* rt/wire.c (pointers on the wire and the kernel half's checks of them), built unchanged into
 * kcut_rt.ko: it reaches the endpoint through rt/wire_internal.h (kcut_rt_linux.c implements
 * kc_rt__wire). */
#include "wire.c"
