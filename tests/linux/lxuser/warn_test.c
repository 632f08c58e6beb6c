// SPDX-License-Identifier: GPL-2.0
/*
 * warn_test.c - linked into a user-half program by tests/linux/lxuser/lxuser_check.py
 * (kcut-lxbuild --extra-ksrc): `kcut_user_half -T` runs kcut_lx_selftest, whose WARN_ON must
 * print "WARNING at .../warn_test.c:LINE" and go on (as in the kernel), returning 42.
 */
#include <linux/bug.h>

int kcut_lx_selftest(void);
static volatile int kcut_lx_one = 1;

int kcut_lx_selftest(void)
{
	WARN_ON(kcut_lx_one);
	return 42;
}
