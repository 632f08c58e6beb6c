// SPDX-License-Identifier: GPL-2.0
/* rt/sync.c (synchronization at every crossing: the kernel side, KC_RT_FN_SYNC and the reply
 * trailer), built unchanged into kcut_rt.ko: it reaches the endpoint through rt/wire_internal.h and
 * rt/sync_internal.h (kcut_rt_linux.c implements kc_rt__wire, kc_rt__sync). */
#include "sync.c"
