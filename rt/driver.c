/*
 * driver.c - a split driver's kernel half started and stopped from its description
 * (kcut_rt.h, struct kc_rt_driver): the start/stop glue every emitted kcut_kernel.c repeated
 * before, written once. The kernel model's; kcut_rt.ko's is rt/linux/driver.c.
 */
#include "kcut_rt.h"

#include <stdlib.h>
#include <string.h>

/* The supervisor's recovery hook: re-send every live tracked object whose type has recovery
 * helpers to the new user half, one upcall each (rt/wire.c). $KCUT_RECOVER=0: not (tests show
 * what happens without it). */
static void recover_hook(struct kc_rt *rt, void *arg, unsigned incarnation)
{
	const char *off = getenv("KCUT_RECOVER");

	if (off && !strcmp(off, "0"))
		return;
	kc_wire_recover_hook(rt, arg, incarnation);
}

int kc_rt_driver_start(const struct kc_rt_driver *d, const char *user_path, int trace, struct kc_err *err)
{
	struct kc_rt_opts opts = KC_RT_OPTS_INIT;
	const char *ms = getenv("KCUT_RT_RESTART_MS");
	int rc;

	if (!d || !d->rt || !d->fns || (d->access && !d->plat))
		return kc_err_set(err, KC_EINVAL, "kc_rt_driver_start: incomplete driver description");
	if (ms && *ms)
		opts.restart_min_ms = opts.restart_max_ms = (unsigned)strtoul(ms, NULL, 10);
	if (d->tables_init)
		d->tables_init();
	opts.fns = d->fns;
	opts.nfns = d->nfns;
	opts.peer_names = d->peer_names;
	opts.npeer = d->npeer;
	opts.recover = recover_hook;
	opts.wire = d->wire;
	opts.user_path = user_path;
	opts.trace = trace;
	if (d->access) {
		/* device access: the platform's register access and coherent-DMA arena; the driver's
		 * BARs and coherent buffers are exported to the user half as regions */
		d->plat->opts(&opts);
		opts.access = d->access;
	}
	rc = kc_rt_kernel_start(d->rt, &opts, err);
	if (rc || !d->access)
		return rc;
	rc = d->plat->attach(*d->rt, err);
	if (rc) {
		kc_rt_close(*d->rt);
		*d->rt = NULL;
	}
	return rc;
}

void kc_rt_driver_stop(const struct kc_rt_driver *d)
{
	if (!d || !d->rt || !*d->rt)
		return;
	if (d->access)
		d->plat->detach(*d->rt);
	kc_rt_close(*d->rt);
	*d->rt = NULL;
}
