// SPDX-License-Identifier: GPL-2.0
/* rt/xdr.c (XDR marshaling), built unchanged into kcut_rt.ko (compat/ maps its C library headers). */
#include "xdr.c"
