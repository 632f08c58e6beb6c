// SPDX-License-Identifier: GPL-2.0
/*
 * driver.c - a split driver's kernel half started and stopped from its description (kcut_rt.h,
 * struct kc_rt_driver; kcut_rt_linux.h): the start/stop glue every emitted kernel half repeated
 * before, written once in kcut_rt.ko. The kernel model's counterpart is rt/driver.c.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "kcut_rt.h"
#include "kcut_rt_linux.h"

/*
 * Make the endpoint (/dev/kcut-<name>) with the driver's tables and the wire tables' recovery hook
 * (rt/wire.c re-sends the tracked objects to a restarted user half), hold the driver's module while
 * no user half runs (its teardown needs one), and wait up to wait_ms for the user half: the
 * driver's init function runs after this. On failure nothing is left (*d->rt is NULL).
 */
int kc_rt_linux_driver_start(const struct kc_rt_driver *d, struct module *owner, unsigned int wait_ms)
{
	int rc;

	if (!d || !d->rt || !d->fns || !d->name)
		return -EINVAL;
	if (d->tables_init)
		d->tables_init();
	rc = kc_rt_linux_start(d->rt, d->name, d->fns, d->nfns, d->peer_names, d->npeer, d->wire,
			       kc_wire_recover_hook, NULL);
	if (rc)
		return rc;
	kc_rt_linux_set_owner(*d->rt, owner);
	rc = kc_rt_linux_wait_user(*d->rt, wait_ms);
	if (rc) {
		if (rc == -EPIPE) /* one opened and was refused (its layouts) or died: rt said why */
			pr_err("kcut: the user half that opened /dev/kcut-%s ended before the driver's init (%d)\n",
			       d->name, rc);
		else
			pr_err("kcut: no user half opened /dev/kcut-%s within %u ms (%d)\n", d->name, wait_ms, rc);
		kc_rt_linux_driver_stop(d);
	}
	return rc;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_driver_start);

/* Before the driver's exit function: its teardown runs partly in the user half; when none is
 * connected, wait up to wait_ms for one (restarted by a supervisor) so that it runs there
 * (kc_rt_linux_wait_live logs what happens). */
void kc_rt_linux_driver_before_exit(const struct kc_rt_driver *d, unsigned int wait_ms)
{
	if (d && d->rt && *d->rt)
		(void)kc_rt_linux_wait_live(*d->rt, wait_ms);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_driver_before_exit);

/* Remove the endpoint (pending upcalls fail, the user half is told to exit); clear *d->rt. */
void kc_rt_linux_driver_stop(const struct kc_rt_driver *d)
{
	if (!d || !d->rt)
		return;
	kc_rt_linux_stop(*d->rt);
	*d->rt = NULL;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_driver_stop);
