/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcut_rt_uapi.h - the interface between rt/linux (the kernel half's runtime, module kcut_rt.ko)
 * and a split driver's user half: one misc device per split driver, /dev/kcut-<driver>.
 *
 * The user half opens the device (one opener at a time: a second open is -EBUSY), reads the
 * geometry (KCUT_LX_IOC_INFO) and mmaps the channel (offset 0, map_bytes, shared): a header
 * page, then nslots_k kernel slots (upcalls: chains the kernel half starts) and nslots_u user
 * slots (downcalls), slot_bytes each. A message in a slot is the header of rt/chan.c (six
 * big-endian u32 words: kind, call id, function id, flags, status, payload length; KC_MSG_HDR
 * bytes) followed by its XDR payload. The kernel half copies every message out of the mapping
 * before reading it and trusts no number in it.
 *
 *  upcall    a user worker blocks in KCUT_LX_IOC_WAIT (wait queue, interruptible) until the kernel
 *            half puts a CALL in kernel slot s (returned), serves it, writes its REPLY into
 *            slot s and hands it back with KCUT_LX_IOC_REPLY {s, len}.
 *  downcall  a user thread writes a CALL into user slot u (region slot nslots_k + u) and calls
 *            KCUT_LX_IOC_CALL {u, len}: the kernel half serves it in that thread's context and
 *            leaves the REPLY in the same slot ({u, reply length} on return).
 *
 * A CALL the kernel half sends may carry flags (rt/rt_internal.h, as in the kernel model):
 * KC_MSG_F_RELEASE (1): the payload ends with the handles the kernel half released, u64 * n then
 * u32 n; KC_MSG_F_UNMAP (2): before that, the region ids it unexported, u32 * n then u32 n (the
 * unmap trailer is last, so taken off first). Everything the user half sends has flags 0.
 *
 * Runtime-served downcalls (function ids above the driver's, rt/region_internal.h):
 * 0xfffffff2 KC_RT_FN_REGINFO (u32 id -> u32 id, u32 kind, u32 flags, u64 base, u64 size,
 * u64 map_token) and 0xfffffff1 KC_RT_FN_REGIO (a batch of forwarded register operations).
 *
 * Device regions: a region with KC_REGION_F_MAP is mapped by mmap of this device, MAP_SHARED, at
 * offset map_token (KCUT_LX_MMAP_REGION(n) + a page-aligned offset into the region, at most
 * the region's size rounded up to pages): MMIO windows uncached (io_remap_pfn_range), DMA buffers
 * with dma_mmap_coherent. Any other offset (other than 0, the channel), a private mapping, or a
 * range outside the region is refused (EINVAL, a kernel log line). When the kernel half
 * unexports a region, its mappings are zapped (touching them raises SIGBUS) and the id is
 * named in the next CALL's KC_MSG_F_UNMAP trailer.
 *
 * Layout check (KCUT_LX_IOC_TYPES, version 3): right after KCUT_LX_IOC_INFO the user half passes its
 * layout table (the emitted kcut_layout: the sizes of the crossing structs and the offsets of the
 * fields the wire carries, as the user program was compiled; rt/kcut_rt.h kc_wire_tables.layout):
 * table = its address, n = its entries (at most KCUT_LX_LAYOUT_MAX). The kernel half compares it
 * with its own (rt/layout.c). Equal: 0, the connection is accepted (the kernel half's init, which
 * waits for a user half, goes on). Different: EPROTO, first = the index of the first entry that
 * differs (the kernel log names it: "offsetof(struct e1000_adapter, hw) is 1256 in the kernel
 * half, 1264 in the user half"), and the incarnation ends (the device must be opened again). A
 * bad n or table address: EINVAL / EFAULT, the incarnation ends too. A user half that starts
 * serving (KCUT_LX_IOC_WAIT / CALL) without it is accepted with a kernel log line saying its
 * layouts were not checked (test stand-ins).
 *
 * When the file is released (the user half exits or is killed), pending upcalls fail with
 * KC_RT_EDEAD, later ones with KC_RT_EDOWN until a user half opens the device again; every
 * open gets a fresh channel.
 */
#ifndef KCUT_RT_UAPI_H
#define KCUT_RT_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KCUT_LX_MAGIC 0x6b636c78u /* "kclx" */
#define KCUT_LX_VERSION 3u /* 2: CALL trailers (flags), device-region mmap; 3: KCUT_LX_IOC_TYPES */

/* mmap offsets of device regions: region token n (1 .. KCUT_LX_MMAP_MAX) at n << 28, so a
 * mapped region is at most 256 MiB (larger ones are forwarded). */
#define KCUT_LX_MMAP_SHIFT 28
#define KCUT_LX_MMAP_REGION(n) ((__u64)(n) << KCUT_LX_MMAP_SHIFT)
#define KCUT_LX_MMAP_MAX 0x7fffffu

struct kcut_lx_info {
	__u32 magic, version;
	__u32 nslots_k, nslots_u;
	__u32 slot_bytes;
	__u32 hdr_bytes;  /* offset of slot 0 in the mapping */
	__u64 map_bytes;  /* size of the mapping */
	__u32 nfns, npeer; /* downcalls the kernel half serves, upcalls it makes */
};

struct kcut_lx_msg {
	__u32 slot; /* kernel slot (REPLY) or user slot (CALL) */
	__u32 len;  /* message bytes, header included */
};

struct kcut_lx_types {
	__u64 table; /* user address of n __u64 entries */
	__u32 n;
	__u32 first; /* out (EPROTO): the first entry that differs */
};
#define KCUT_LX_LAYOUT_MAX 65536u

#define KCUT_LX_IOC_INFO _IOR('k', 0x40, struct kcut_lx_info)
#define KCUT_LX_IOC_WAIT _IOR('k', 0x41, __u32)
#define KCUT_LX_IOC_REPLY _IOW('k', 0x42, struct kcut_lx_msg)
#define KCUT_LX_IOC_CALL _IOWR('k', 0x43, struct kcut_lx_msg)
#define KCUT_LX_IOC_TYPES _IOWR('k', 0x44, struct kcut_lx_types)

#endif /* KCUT_RT_UAPI_H */
