// SPDX-License-Identifier: GPL-2.0
/*
 * bad_imports.c - kernel code a user half cannot run, for the negative test of kcut-lxbuild
 * (tests/linux/CMakeLists.txt, linux_lxuser_checks): `current` (per-cpu data through %gs),
 * local_irq_disable() (cli), jiffies and a kernel function nothing provides in user space.
 * kcut-lxbuild must refuse it naming each.
 */
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

int kcut_lx_test_bad(struct work_struct *w);

int kcut_lx_test_bad(struct work_struct *w)
{
	local_irq_disable();
	return current->pid + (int)jiffies + (int)queue_work_on(0, system_wq, w);
}
