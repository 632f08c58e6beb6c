/*
 * plat_kmodel.c - the kernel model's platform glue (kcut_plat_kmodel.h): register access for the
 * user half's forwarded operations, and the model's hooks that export BARs, I/O BARs and
 * coherent DMA buffers as device regions while the driver holds them.
 *
 * Runs on model contexts (the hooks are called by the model on the context that maps or
 * allocates; the io ops by the runtime on the thread serving the user half's batch, which for a
 * user half running inside an upcall is the model thread that made the upcall).
 */
#include "kcut_plat_kmodel.h"

#include <stdatomic.h>

#include "kmodel/kmodel.h"
#include "os.h"

static uint64_t io_read(const struct kc_region_desc *r, uint64_t off, unsigned size)
{
	if (r->kind == KC_REGION_PIO)
		return kc_km_pio_read(r->base + off, size);
	return kc_km_mmio_read((const volatile uint8_t *)r->kaddr + off, size);
}

static void io_write(const struct kc_region_desc *r, uint64_t off, unsigned size, uint64_t val)
{
	if (r->kind == KC_REGION_PIO)
		kc_km_pio_write(r->base + off, size, (uint32_t)val);
	else
		kc_km_mmio_write((volatile uint8_t *)r->kaddr + off, size, val);
}

/* No byte-range operations: memcpy_toio & co. go byte by byte, as the model's own do, so the
 * register-access log of a split run matches the unsplit one. */
static const struct kc_rt_io_ops kmodel_io = { .read = io_read, .write = io_write };

static struct kc_rt *_Atomic attached;

void kc_plat_kmodel_opts(struct kc_rt_opts *o)
{
	o->io = &kmodel_io;
	o->share_fd = kc_km_dma_share_fd();
}

static void export(struct kc_rt *rt, const struct kc_region_desc *d, const char *what)
{
	uint32_t id;
	int rc = kc_rt_region_export(rt, &id, d);

	if (rc)
		kc_os_log("cannot export %s to the user half: %s", what, kc_rt_strerror(rc));
}

static void bar_mapped(void *arg, struct kc_km_pci_dev *dev, int bar, void *kaddr, uint64_t phys,
		       uint64_t size)
{
	struct kc_region_desc d = { .kind = KC_REGION_MMIO, .kaddr = kaddr, .base = phys,
				    .size = size };

	(void)dev;
	(void)bar;
	export(arg, &d, "a BAR mapping");
}

static void bar_unmapped(void *arg, struct kc_km_pci_dev *dev, int bar, void *kaddr)
{
	(void)dev;
	(void)bar;
	kc_rt_region_unexport_addr(arg, kaddr);
}

/* PIO regions have no kernel address to unexport them by: the glue keeps their ids (a handful of
 * I/O BARs; under the model's single CPU no lock is needed, the hooks run one at a time). */
#define MAX_PORT_RANGES 64
static struct {
	uint64_t port;
	uint32_t id;
} port_ids[MAX_PORT_RANGES];

static void ports_requested(void *arg, struct kc_km_pci_dev *dev, int bar, uint64_t port,
			    uint64_t size)
{
	struct kc_region_desc d = { .kind = KC_REGION_PIO, .base = port, .size = size };
	uint32_t id;
	int rc, i;

	(void)dev;
	(void)bar;
	rc = kc_rt_region_export(arg, &id, &d);
	if (rc) {
		kc_os_log("cannot export an I/O port range to the user half: %s", kc_rt_strerror(rc));
		return;
	}
	for (i = 0; i < MAX_PORT_RANGES; i++)
		if (!port_ids[i].id || port_ids[i].port == port) {
			port_ids[i].port = port;
			port_ids[i].id = id;
			return;
		}
	kc_os_log("more than %d I/O port ranges: 0x%llx stays exported until the driver unloads",
		  MAX_PORT_RANGES, (unsigned long long)port);
}

static void ports_released(void *arg, struct kc_km_pci_dev *dev, int bar, uint64_t port)
{
	int i;

	(void)dev;
	(void)bar;
	for (i = 0; i < MAX_PORT_RANGES; i++)
		if (port_ids[i].id && port_ids[i].port == port) {
			kc_rt_region_unexport(arg, port_ids[i].id);
			port_ids[i].id = 0;
			return;
		}
}

static void dma_alloced(void *arg, struct device *dev, void *cpu, uint64_t bus, uint64_t size,
			uint64_t arena_off)
{
	struct kc_region_desc d = { .kind = KC_REGION_DMA, .flags = KC_REGION_F_MAP, .kaddr = cpu,
				    .base = bus, .size = size, .map_token = arena_off, .plat = dev };

	if (arena_off == UINT64_MAX) {
		kc_os_log("coherent buffer at bus 0x%llx is not in the shared arena: the user half "
			  "cannot reach it", (unsigned long long)bus);
		return;
	}
	export(arg, &d, "a coherent DMA buffer");
}

static void dma_freed(void *arg, void *cpu)
{
	kc_rt_region_unexport_addr(arg, cpu);
}

static const struct kc_km_region_hooks hooks = {
	.bar_mapped = bar_mapped,
	.bar_unmapped = bar_unmapped,
	.ports_requested = ports_requested,
	.ports_released = ports_released,
	.dma_alloced = dma_alloced,
	.dma_freed = dma_freed,
};

int kc_plat_kmodel_attach(struct kc_rt *rt, struct kc_err *err)
{
	struct kc_rt *none = NULL;

	if (!atomic_compare_exchange_strong(&attached, &none, rt))
		return kc_err_set(err, KC_EINVAL, "kernel model glue: another endpoint is attached");
	kc_km_set_region_hooks(&hooks, rt);
	return 0;
}

void kc_plat_kmodel_detach(struct kc_rt *rt)
{
	struct kc_rt *want = rt;

	if (atomic_compare_exchange_strong(&attached, &want, NULL)) {
		kc_km_set_region_hooks(NULL, NULL);
		for (int i = 0; i < MAX_PORT_RANGES; i++)
			port_ids[i].id = 0;
	}
}

/* The glue as a split driver's description names it (kc_rt_driver.plat; kc_rt_driver_start). */
const struct kc_rt_plat kc_plat_kmodel = {
	.opts = kc_plat_kmodel_opts,
	.attach = kc_plat_kmodel_attach,
	.detach = kc_plat_kmodel_detach,
};
