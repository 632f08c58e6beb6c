// SPDX-License-Identifier: GPL-2.0
/* rt/layout.c (the connect-time layout check), built unchanged into kcut_rt.ko. */
#include "layout.c"
