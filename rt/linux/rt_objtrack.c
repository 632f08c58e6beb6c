// SPDX-License-Identifier: GPL-2.0
/* rt/objtrack.c (the object tracker), built unchanged into kcut_rt.ko (os_linux.c, compat/). */
#include "objtrack.c"
