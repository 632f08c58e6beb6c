/*
 * fuzz_regio.c - libFuzzer target for the device-region messages the kernel half parses on the
 * user half's behalf: a register batch (KC_RT_FN_REGIO), a region query (KC_RT_FN_REGINFO); and
 * the unexport trailer the user half parses. The first byte picks which; the rest is the
 * message payload.
 *
 * The kernel side has an MMIO region of 256 bytes, a PIO range of 8 ports, a DMA buffer and a
 * region that was unexported (ids 0x1001.. in slot order: the generations are fixed for the
 * fuzzer). The platform accessors abort on any access outside an exported register region (the
 * MMIO "device" is an exact-size heap block, so ASan catches an overrun too), and a refused
 * batch must not have touched the device at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

#define MMIO_SIZE 256u

static struct kc_rt *krt, *urt;
static uint8_t *mmio;
static uint8_t dma[4096];
static unsigned long accesses;

static void check(const struct kc_region_desc *r, uint64_t off, uint64_t n)
{
	if (r->kind == KC_REGION_MMIO) {
		if (r->kaddr != mmio || off > MMIO_SIZE || n > MMIO_SIZE - off)
			abort();
	} else if (r->kind != KC_REGION_PIO || r->base != 0x300 || off > 8 || n > 8 - off) {
		abort();
	}
	accesses++;
}

static uint64_t f_read(const struct kc_region_desc *r, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	check(r, off, size);
	if (r->kind == KC_REGION_MMIO)
		memcpy(&v, mmio + off, size);
	return v;
}

static void f_write(const struct kc_region_desc *r, uint64_t off, unsigned size, uint64_t val)
{
	check(r, off, size);
	if (r->kind == KC_REGION_MMIO)
		memcpy(mmio + off, &val, size);
}

static void f_read_bytes(const struct kc_region_desc *r, uint64_t off, void *dst, size_t n)
{
	check(r, off, n);
	memset(dst, 0xab, n);
	if (r->kind == KC_REGION_MMIO)
		memcpy(dst, mmio + off, n);
}

static const struct kc_rt_io_ops io = { .read = f_read, .write = f_write, .read_bytes = f_read_bytes };

static void setup(void)
{
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	struct kc_region_desc d;
	uint32_t id;

	o.io = &io;
	mmio = malloc(MMIO_SIZE);
	if (!mmio || kc_rt__setup(&krt, KC_SIDE_KERNEL, &o, &err) ||
	    kc_rt__setup(&urt, KC_SIDE_USER, &o, &err))
		abort();
	kc_region__test_fixed_gens(krt);
	d = (struct kc_region_desc){ .kind = KC_REGION_MMIO, .kaddr = mmio, .size = MMIO_SIZE };
	if (kc_rt_region_export(krt, &id, &d) || id != 0x1001)
		abort();
	d = (struct kc_region_desc){ .kind = KC_REGION_PIO, .base = 0x300, .size = 8 };
	if (kc_rt_region_export(krt, &id, &d) || id != 0x1002)
		abort();
	d = (struct kc_region_desc){ .kind = KC_REGION_DMA, .kaddr = dma, .size = sizeof(dma),
				     .flags = KC_REGION_F_MAP };
	if (kc_rt_region_export(krt, &id, &d) || id != 0x1003)
		abort();
	d = (struct kc_region_desc){ .kind = KC_REGION_MMIO, .kaddr = dma + 4096, .size = 64 };
	if (kc_rt_region_export(krt, &id, &d) || id != 0x1004 || kc_rt_region_unexport(krt, id))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t res[65536];
	struct kc_xdr a, r;
	uint8_t *copy;
	unsigned long before;
	uint32_t len;
	int rc;

	if (!krt)
		setup();
	if (!size)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1); /* exact size: reads past the message are caught */
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	kc_xdr_init_dec(&a, copy, size - 1);
	kc_xdr_init_enc(&r, res, sizeof(res));
	switch (data[0] % 3) {
	case 0:
		before = accesses;
		rc = kc_region__handler(KC_RT_FN_REGIO)(krt, &a, &r);
		if (rc && accesses != before)
			abort(); /* a refused batch touched the device */
		if (!rc && r.err)
			abort(); /* results larger than the reply room */
		break;
	case 1:
		rc = kc_region__handler(KC_RT_FN_REGINFO)(krt, &a, &r);
		if (!rc && kc_xdr_pos(&r) != 36)
			abort();
		break;
	default:
		len = (uint32_t)(size - 1);
		rc = kc_io__take_unmaps(urt, copy, &len);
		if (!rc && (len > size - 1 || (size - 1 - len) % 4))
			abort();
		break;
	}
	free(copy);
	return 0;
}
