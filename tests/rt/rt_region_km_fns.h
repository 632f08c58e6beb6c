/*
 * rt_region_km_fns.h - shared by rt_region_km_test (a kernel half hosting the kernel model, a
 * small DMA device and its driver) and its user half rt_region_km_user.
 *
 * The device ("dmadesc", BAR 0 of 4 KiB): REG_RING holds the bus address of a descriptor
 * { u32 buf, u32 len, u32 done } in host memory; a write to REG_DOORBELL makes it fetch the
 * descriptor, read len bytes at buf and put their sum in REG_STATUS, then write done = 1 into
 * the descriptor. A DMA the model's IOMMU refuses leaves REG_STATUS = STATUS_FAULT | step.
 */
#ifndef RT_REGION_KM_FNS_H
#define RT_REGION_KM_FNS_H

enum { REG_RING = 0x00, REG_DOORBELL = 0x04, REG_STATUS = 0x08, REG_ID = 0x0c };
#define DEV_ID 0x444d4131u
#define STATUS_FAULT 0xdead0000u

/* User-half functions. */
enum {
	U_RUN,   /* (u32 mmio id, u32 ring id, u32 buf id, u32 len, u32 mode) ->
		  * (u32 status, u32 done, u32 sum of the bytes it wrote, u32 id register):
		  * fills the buffer with byte i = i * 3 + 1, writes the descriptor into the ring
		  * (mode 0: the buffer's bus address from REGINFO; 1: an unmapped bus address;
		  * 2: 64 bytes from 16 before the buffer's end), points REG_RING at the ring (mode 3:
		  * at an unmapped address), rings the doorbell and reads REG_STATUS */
	U_PTR,   /* (u32 id) -> (i32 rc of kc_rt_region_ptr(id, 0, 1)) */
	U_NFNS
};

static const char *const km_user_names[U_NFNS] = { "u_run", "u_ptr" };

#endif
