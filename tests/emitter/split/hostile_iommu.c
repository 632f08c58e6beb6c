/*
 * hostile_iommu.c - linked into simnic's forward-access user half by run_split.py --iommu (issue
 * 13 item 6: "a user half programming a descriptor with an unmapped bus address is caught, not
 * obeyed"). The user half may drive the device, so it may also misprogram it: the first time it
 * reads RDLEN (ethtool -d's register dump, user-half code in this split), it points the device's
 * receive descriptor ring at a bus address nobody mapped, with two ordinary forwarded register
 * writes (RDBAL, RDBAH). The next frame the device receives makes it read a descriptor there; the
 * kernel model's IOMMU must refuse that DMA (a reported "BUG: DMA fault", nothing copied) and the
 * kernel half must go on (remove completes). Linked with -Wl,--wrap=kc_io_read32.
 */
#include <stdint.h>

#include "kcut_rt.h"

#define SIMNIC_RDBAL 0x02800
#define SIMNIC_RDBAH 0x02804
#define SIMNIC_RDLEN 0x02808
#define UNMAPPED_BUS 0x7ead0000u

extern struct kc_rt *kcut_rt;
uint32_t __real_kc_io_read32(const volatile void *addr);
uint32_t __wrap_kc_io_read32(const volatile void *addr);

uint32_t __wrap_kc_io_read32(const volatile void *addr)
{
	static int done;
	uint32_t id;
	uint64_t off;

	if (!done && !kc_rt_region_of(kcut_rt, &id, &off, addr) && off == SIMNIC_RDLEN) {
		volatile uint8_t *bar = (volatile uint8_t *)(uintptr_t)addr - off;

		done = 1;
		kc_io_write32(UNMAPPED_BUS, bar + SIMNIC_RDBAL);
		kc_io_write32(0, bar + SIMNIC_RDBAH);
	}
	return __real_kc_io_read32(addr);
}
