/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcut_rt_linux.h - rt/linux, the kernel half's runtime in a Linux kernel (module kcut_rt.ko):
 * what a split driver's kernel half calls besides the kc_xdr / kc_objt / kc_rt_call API it
 * shares with the kernel model's runtime (emitter/rt_shim.inc declares that part for kernel
 * builds). kcut_rt_uapi.h is the user half's side of it.
 */
#ifndef KCUT_RT_LINUX_H
#define KCUT_RT_LINUX_H

#include <linux/types.h>

struct kc_rt;
struct kc_rt_fn;

/*
 * Make the endpoint of split driver `name`: its misc device /dev/kcut-<name>, its object
 * tracker. fns[0 .. nfns) are the downcalls it serves; peer_names (npeer, may be NULL) name the
 * upcalls in log lines. 0 or a negative errno. The emitted kernel half calls this (through the
 * kcut_kernel_start of its kcut_kernel.c) before the driver's own init function; the
 * prototype is repeated there.
 */
int kc_rt_linux_start(struct kc_rt **out, const char *name, const struct kc_rt_fn *fns, u32 nfns,
		      const char *const *peer_names, u32 npeer);
/* Wait (interruptible) up to timeout_ms for a user half to open the device: 0, -ETIMEDOUT,
 * -ERESTARTSYS, or -EPIPE when one opened it and is gone already (killed for a fault). */
int kc_rt_linux_wait_user(struct kc_rt *rt, unsigned int timeout_ms);
/* Remove the device, fail every pending call, free the endpoint. */
void kc_rt_linux_stop(struct kc_rt *rt);

#endif /* KCUT_RT_LINUX_H */
