/*
 * pci.c - the kernel model's PCI bus: simulated functions (device models plug in here), driver binding,
 * config space, BARs as MMIO windows, interrupt lines, and device-side scheduling (kicks and deadlines).
 *
 * A BAR is a reserved, inaccessible address range, so a driver that dereferences an __iomem pointer
 * instead of using readl()/writel() faults at once. MMIO accesses call the device model synchronously on
 * the accessing context; an interrupt the model raises during the access is delivered after the access
 * returns. When a probe fails or a driver unbinds, the model checks that everything the driver acquired
 * for the device (regions, IRQ handlers, BAR mappings, DMA memory, enable count) was given back, which is
 * what the error-unwinding scenarios rely on.
 */
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/slab.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "km_internal.h"

#define KM_MAX_IRQ 64
#define KM_IRQ_BASE 16
#define KM_PHYS_BASE 0xfe000000ULL
#define KM_PORT_BASE 0x1000ULL	/* device i's I/O BAR b: ports 0x1000 + 0x1000 * i + 0x100 * b */
#define KM_IO_BAR_MAX 256u

struct kc_km_pci_dev {
	struct pci_dev pdev;
	struct kc_km_pci_desc desc;
	void *opaque;
	char name[16];
	unsigned int index;
	uint8_t config[256];
	unsigned char *bar_base[6];
	uint64_t bar_len[6];	/* window size: bar_size or io_bar_size */
	bool bar_io[6];		/* an I/O-port BAR (ports resource[b].start ..) */
	int bar_maps[6];	/* live pci_iomap/ioremap mappings per BAR */
	void __iomem *pcim_table[6]; /* pcim_iomap's mappings (pcim_iomap_table) */
	bool regions[6];
	int enable_cnt;
	bool kicked;
	bool has_deadline;
	u64 deadline;
	struct kc_km_pci_dev *next;
};

struct km_irq_action {
	irq_handler_t handler;
	void *dev_id;
	const char *name;
	unsigned long flags;
	struct km_irq_action *next;
};

struct km_irq_line {
	struct km_irq_action *actions;
	bool pending;
	int disabled;
	unsigned long count;
	unsigned long unhandled;
};

static struct kc_km_pci_dev *pci_devs;
static unsigned int pci_next_index;
static struct pci_bus km_bus0;
static struct km_irq_line irq_lines[KM_MAX_IRQ];
static unsigned int irq_pending_lines;	/* lines with pending set (fast path of km_irq_any_pending) */
static int mmio_depth;
static FILE *mmio_log;

struct km_drv {
	struct pci_driver *drv;
	struct km_drv *next;
};
static struct km_drv *pci_drivers;

/* ---- lookup helpers ---- */

struct kc_km_pci_dev *km_pci_from_dev(struct device *dev)
{
	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next)
		if (&d->pdev.dev == dev)
			return d;
	return NULL;
}

struct device *km_pci_device(struct kc_km_pci_dev *d)
{
	return &d->pdev.dev;
}

static struct kc_km_pci_dev *km_pci_of(const struct pci_dev *pdev)
{
	return (struct kc_km_pci_dev *)pdev->__kc_sim;
}

const char *kc_km_pci_name(const struct kc_km_pci_dev *dev)
{
	return dev->name;
}

void *kc_km_pci_opaque(const struct kc_km_pci_dev *dev)
{
	return dev->opaque;
}

bool kc_km_pci_bound(const struct kc_km_pci_dev *dev)
{
	return dev->pdev.driver != NULL;
}

static u16 cfg16(const struct kc_km_pci_dev *d, int off)
{
	return (u16)(d->config[off] | (d->config[off + 1] << 8));
}

static void cfg16_set(struct kc_km_pci_dev *d, int off, u16 v)
{
	d->config[off] = (u8)v;
	d->config[off + 1] = (u8)(v >> 8);
}

bool kc_km_pci_bus_master(const struct kc_km_pci_dev *dev)
{
	return (cfg16(dev, PCI_COMMAND) & PCI_COMMAND_MASTER) != 0;
}

bool kc_km_pci_mem_enabled(const struct kc_km_pci_dev *dev)
{
	return (cfg16(dev, PCI_COMMAND) & PCI_COMMAND_MEMORY) != 0;
}

uint8_t *kc_km_pci_config(struct kc_km_pci_dev *dev)
{
	return dev->config;
}

/* ---- device plumbing ---- */

static bool id_matches(const struct pci_device_id *id, const struct pci_dev *p)
{
	return (id->vendor == PCI_ANY_ID || id->vendor == p->vendor) &&
	       (id->device == PCI_ANY_ID || id->device == p->device) &&
	       (id->subvendor == PCI_ANY_ID || id->subvendor == p->subsystem_vendor) &&
	       (id->subdevice == PCI_ANY_ID || id->subdevice == p->subsystem_device) &&
	       !((id->class ^ p->class) & id->class_mask);
}

static const struct pci_device_id *match_driver(struct pci_driver *drv, const struct pci_dev *p)
{
	const struct pci_device_id *id = drv->id_table;

	if (!id)
		return NULL;
	for (; id->vendor || id->subvendor || id->class_mask; id++)
		if (id_matches(id, p))
			return id;
	return NULL;
}

/* Tell the platform glue of a split driver (kc_km_set_region_hooks) about a BAR's first mapping /
 * last unmapping, and an I/O BAR's request / release. */
static void hook_bar(struct kc_km_pci_dev *d, int b, bool mapped)
{
	void *arg;
	const struct kc_km_region_hooks *h = km_region_hooks(&arg);

	if (!h)
		return;
	if (mapped && h->bar_mapped)
		h->bar_mapped(arg, d, b, d->bar_base[b], d->pdev.resource[b].start, d->bar_len[b]);
	else if (!mapped && h->bar_unmapped)
		h->bar_unmapped(arg, d, b, d->bar_base[b]);
}

static void hook_ports(struct kc_km_pci_dev *d, int b, bool requested)
{
	void *arg;
	const struct kc_km_region_hooks *h = km_region_hooks(&arg);

	if (!h || !d->bar_io[b])
		return;
	if (requested && h->ports_requested)
		h->ports_requested(arg, d, b, d->pdev.resource[b].start, d->bar_len[b]);
	else if (!requested && h->ports_released)
		h->ports_released(arg, d, b, d->pdev.resource[b].start);
}

/* After a failed probe or after remove(): everything acquired for the device must be released. */
static void check_released(struct kc_km_pci_dev *d, const char *when)
{
	struct pci_dev *p = &d->pdev;
	unsigned int line = p->irq;

	/* device-managed memory, mappings (pcim_iomap, devm_ioremap) and actions go first, as
	 * Linux's devres_release_all after remove() */
	km_module_devres_release(&p->dev);
	for (int b = 0; b < 6; b++) {
		if (d->regions[b]) {
			km_bug("BUG: %s: BAR %d region still requested %s", d->name, b, when);
			d->regions[b] = false;
			hook_ports(d, b, false);
		}
		if (d->bar_maps[b]) {
			km_bug("BUG: %s: BAR %d still mapped (%d mapping(s)) %s", d->name, b, d->bar_maps[b], when);
			d->bar_maps[b] = 0;
			hook_bar(d, b, false);
		}
	}
	if (line < KM_MAX_IRQ) {
		struct km_irq_action **pp = &irq_lines[line].actions;

		while (*pp) {
			struct km_irq_action *a = *pp;

			km_bug("BUG: %s: IRQ %u handler '%s' still registered %s", d->name, line, a->name, when);
			*pp = a->next;
			free(a);
		}
	}
	if (d->enable_cnt > 0) {
		km_bug("BUG: %s: device still enabled (pci_disable_device missing) %s", d->name, when);
		d->enable_cnt = 0;
		cfg16_set(d, PCI_COMMAND, (u16)(cfg16(d, PCI_COMMAND) &
						  ~(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)));
	}
	km_dma_release_dev(&p->dev);
}

static void pci_probe_one(struct kc_km_pci_dev *d, struct pci_driver *drv, const struct pci_device_id *id)
{
	struct pci_dev *p = &d->pdev;
	size_t before, after;
	int rc;

	kc_km_mem_stats(&before, NULL, NULL, NULL);
	p->driver = drv;
	p->dev.driver = &drv->driver;
	rc = drv->probe(p, id);
	if (rc) {
		printk(KERN_WARNING "%s: probe of %s failed with error %d\n", drv->name, d->name, rc);
		p->driver = NULL;
		p->dev.driver = NULL;
		p->dev.driver_data = NULL;
		check_released(d, "after failed probe");
		kc_km_mem_stats(&after, NULL, NULL, NULL);
		if (after > before)
			km_bug("BUG: %s: probe failed but %zu allocation(s) made during it were not freed",
			       d->name, after - before);
	}
}

static void pci_remove_one(struct kc_km_pci_dev *d)
{
	struct pci_dev *p = &d->pdev;
	struct pci_driver *drv = p->driver;

	if (!drv)
		return;
	if (drv->remove)
		drv->remove(p);
	p->driver = NULL;
	p->dev.driver = NULL;
	p->dev.driver_data = NULL;
	check_released(d, "after remove");
}

int kc_km_pci_add(struct kc_km_pci_dev **out, const struct kc_km_pci_desc *desc, void *opaque,
		  struct kc_err *err)
{
	struct kc_km_pci_dev *d = calloc(1, sizeof(*d));
	struct pci_dev *p;

	if (!d)
		return kc_err_set(err, KC_ENOMEM, "out of memory");
	km_alloced(d, sizeof(*d)); /* km_freed at unplug */
	if (pci_next_index >= KM_MAX_IRQ - KM_IRQ_BASE) {
		free(d);
		return kc_err_set(err, KC_EINVAL, "too many PCI devices");
	}
	d->desc = *desc;
	d->opaque = opaque;
	d->index = pci_next_index++;
	snprintf(d->name, sizeof(d->name), "0000:00:%02x.0", 3 + d->index);
	p = &d->pdev;
	p->__kc_sim = d;
	p->bus = &km_bus0;
	p->devfn = (3 + d->index) << 3;
	p->vendor = desc->vendor;
	p->device = desc->device;
	p->subsystem_vendor = desc->subvendor;
	p->subsystem_device = desc->subdevice;
	p->class = desc->class_code;
	p->revision = desc->revision;
	p->pin = 1;
	p->irq = KM_IRQ_BASE + d->index;
	p->dma_mask = DMA_BIT_MASK(32);
	p->dev.dma_mask = &p->dma_mask;
	p->dev.coherent_dma_mask = DMA_BIT_MASK(32);
	snprintf(p->dev.__kc_name, sizeof(p->dev.__kc_name), "%s", d->name);
	p->dev.__kc_bus_dev = d;
	cfg16_set(d, PCI_VENDOR_ID, desc->vendor);
	cfg16_set(d, PCI_DEVICE_ID, desc->device);
	d->config[PCI_REVISION_ID] = desc->revision;
	d->config[0x09] = (u8)desc->class_code;
	d->config[0x0a] = (u8)(desc->class_code >> 8);
	d->config[0x0b] = (u8)(desc->class_code >> 16);
	cfg16_set(d, PCI_SUBSYSTEM_VENDOR_ID, desc->subvendor);
	cfg16_set(d, PCI_SUBSYSTEM_ID, desc->subdevice);
	d->config[PCI_INTERRUPT_LINE] = (u8)p->irq;
	d->config[PCI_INTERRUPT_PIN] = 1;
	for (int b = 0; b < 6; b++) {
		bool io = desc->io_bar_size[b] != 0;
		u64 size = io ? desc->io_bar_size[b] : desc->bar_size[b];
		void *base;

		if (!size)
			continue;
		if (io && (desc->bar_size[b] || size > KM_IO_BAR_MAX || (size & (size - 1)))) {
			for (int c = 0; c < b; c++)
				if (d->bar_base[c])
					munmap(d->bar_base[c], d->bar_len[c]);
			free(d);
			return kc_err_set(err, KC_EINVAL, "BAR %d: an I/O BAR is a power of two up to %u "
					  "ports and not also a memory BAR", b, KM_IO_BAR_MAX);
		}
		/* I/O BARs get a window too: what pci_iomap returns for them (ioread/iowrite) */
		base = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base == MAP_FAILED) {
			for (int c = 0; c < b; c++)
				if (d->bar_base[c])
					munmap(d->bar_base[c], d->bar_len[c]);
			free(d);
			return kc_err_set(err, KC_ENOMEM, "cannot reserve %llu bytes for BAR %d",
					  (unsigned long long)size, b);
		}
		d->bar_base[b] = base;
		d->bar_len[b] = size;
		d->bar_io[b] = io;
		if (io)
			p->resource[b].start = KM_PORT_BASE + (u64)d->index * 0x1000ULL + (u64)b * KM_IO_BAR_MAX;
		else
			p->resource[b].start = KM_PHYS_BASE + (u64)d->index * 0x100000ULL * 16 + (u64)b * 0x100000ULL * 2;
		p->resource[b].end = p->resource[b].start + size - 1;
		p->resource[b].flags = io ? IORESOURCE_IO : IORESOURCE_MEM;
		p->resource[b].name = d->name;
		d->config[PCI_BASE_ADDRESS_0 + 4 * b] = (u8)(p->resource[b].start | (io ? 1 : 0));
		d->config[PCI_BASE_ADDRESS_0 + 4 * b + 1] = (u8)(p->resource[b].start >> 8);
		d->config[PCI_BASE_ADDRESS_0 + 4 * b + 2] = (u8)(p->resource[b].start >> 16);
		d->config[PCI_BASE_ADDRESS_0 + 4 * b + 3] = (u8)(p->resource[b].start >> 24);
	}
	/* append (slot order = creation order) */
	{
		struct kc_km_pci_dev **pp = &pci_devs;

		while (*pp)
			pp = &(*pp)->next;
		*pp = d;
	}
	*out = d;
	for (struct km_drv *k = pci_drivers; k; k = k->next) {
		const struct pci_device_id *id = match_driver(k->drv, p);

		if (id) {
			pci_probe_one(d, k->drv, id);
			break;
		}
	}
	return 0;
}

void kc_km_pci_del(struct kc_km_pci_dev *dev)
{
	pci_remove_one(dev);
	for (struct kc_km_pci_dev **pp = &pci_devs; *pp; pp = &(*pp)->next)
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	for (int b = 0; b < 6; b++)
		if (dev->bar_base[b])
			munmap(dev->bar_base[b], dev->bar_len[b]);
	km_freed(dev, sizeof(*dev)); /* its pci_dev may have crossed to a split driver's user half */
	free(dev);
}

/* ---- drivers ---- */

int __pci_register_driver(struct pci_driver *drv, struct module *owner, const char *mod_name)
{
	struct km_drv *k = calloc(1, sizeof(*k));
	struct km_drv **pp = &pci_drivers;

	(void)mod_name;
	if (!k)
		return -ENOMEM;
	if (!km_can_sleep("pci_register_driver")) {
		free(k);
		return -EINVAL;
	}
	drv->driver.name = drv->name;
	drv->driver.owner = owner;
	k->drv = drv;
	while (*pp)
		pp = &(*pp)->next;
	*pp = k;
	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next) {
		const struct pci_device_id *id;

		if (d->pdev.driver)
			continue;
		id = match_driver(drv, &d->pdev);
		if (id)
			pci_probe_one(d, drv, id);
	}
	return 0;
}

void pci_unregister_driver(struct pci_driver *drv)
{
	km_can_sleep("pci_unregister_driver");
	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next)
		if (d->pdev.driver == drv)
			pci_remove_one(d);
	for (struct km_drv **pp = &pci_drivers; *pp; pp = &(*pp)->next)
		if ((*pp)->drv == drv) {
			struct km_drv *k = *pp;

			*pp = k->next;
			free(k);
			return;
		}
}

/* ---- PCI functions ---- */

int pci_enable_device(struct pci_dev *dev)
{
	struct kc_km_pci_dev *d = km_pci_of(dev);

	if (km_should_fail(KM_FAIL_PCI_ENABLE)) {
		dev_err(&dev->dev, "enabling device failed (injected)\n");
		return -EIO;
	}
	d->enable_cnt++;
	cfg16_set(d, PCI_COMMAND, cfg16(d, PCI_COMMAND) | PCI_COMMAND_MEMORY);
	return 0;
}

int pci_enable_device_mem(struct pci_dev *dev)
{
	return pci_enable_device(dev);
}

void pci_disable_device(struct pci_dev *dev)
{
	struct kc_km_pci_dev *d = km_pci_of(dev);

	if (d->enable_cnt <= 0) {
		__kc_warn(__FILE__, __LINE__, "pci_disable_device on a device that is not enabled");
		return;
	}
	if (--d->enable_cnt == 0) {
		cfg16_set(d, PCI_COMMAND, (u16)(cfg16(d, PCI_COMMAND) &
						  ~(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)));
		dev->is_busmaster = 0;
	}
}

int pci_is_enabled(struct pci_dev *pdev)
{
	return km_pci_of(pdev)->enable_cnt > 0;
}

void pci_set_master(struct pci_dev *dev)
{
	struct kc_km_pci_dev *d = km_pci_of(dev);

	cfg16_set(d, PCI_COMMAND, cfg16(d, PCI_COMMAND) | PCI_COMMAND_MASTER);
	dev->is_busmaster = 1;
}

void pci_clear_master(struct pci_dev *dev)
{
	struct kc_km_pci_dev *d = km_pci_of(dev);

	cfg16_set(d, PCI_COMMAND, (u16)(cfg16(d, PCI_COMMAND) & ~PCI_COMMAND_MASTER));
	dev->is_busmaster = 0;
}

int pci_select_bars(struct pci_dev *dev, unsigned long flags)
{
	int bars = 0;

	for (int b = 0; b < 6; b++)
		if (dev->resource[b].flags & flags)
			bars |= 1 << b;
	return bars;
}

int pci_request_selected_regions(struct pci_dev *pdev, int bars, const char *res_name)
{
	struct kc_km_pci_dev *d = km_pci_of(pdev);

	(void)res_name;
	for (int b = 0; b < 6; b++)
		if ((bars & (1 << b)) && d->regions[b]) {
			dev_warn(&pdev->dev, "BAR %d: can't reserve [mem 0x%08llx-0x%08llx]\n", b,
				 (unsigned long long)pdev->resource[b].start,
				 (unsigned long long)pdev->resource[b].end);
			return -EBUSY;
		}
	for (int b = 0; b < 6; b++)
		if ((bars & (1 << b)) && pdev->resource[b].flags) {
			d->regions[b] = true;
			hook_ports(d, b, true);
		}
	return 0;
}

int pci_request_regions(struct pci_dev *pdev, const char *res_name)
{
	return pci_request_selected_regions(pdev, (1 << 6) - 1, res_name);
}

void pci_release_selected_regions(struct pci_dev *pdev, int bars)
{
	struct kc_km_pci_dev *d = km_pci_of(pdev);

	for (int b = 0; b < 6; b++)
		if ((bars & (1 << b)) && d->regions[b]) {
			d->regions[b] = false;
			hook_ports(d, b, false);
		}
}

void pci_release_regions(struct pci_dev *pdev)
{
	pci_release_selected_regions(pdev, (1 << 6) - 1);
}

void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen)
{
	struct kc_km_pci_dev *d = km_pci_of(dev);

	(void)maxlen;
	if (bar < 0 || bar >= 6 || !d->bar_base[bar])
		return NULL;
	if (km_should_fail(KM_FAIL_PCI_IOMAP))
		return NULL;
	if (d->bar_maps[bar]++ == 0)
		hook_bar(d, bar, true);
	return d->bar_base[bar];
}

void __iomem *pci_ioremap_bar(struct pci_dev *pdev, int bar)
{
	return pci_iomap(pdev, bar, 0);
}

/* Find the device and BAR owning an MMIO address. */
static struct kc_km_pci_dev *mmio_lookup(const volatile void *addr, int *bar, u64 *off)
{
	const unsigned char *a = (const unsigned char *)addr;

	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next)
		for (int b = 0; b < 6; b++)
			if (d->bar_base[b] && a >= d->bar_base[b] && a < d->bar_base[b] + d->bar_len[b]) {
				*bar = b;
				*off = (u64)(a - d->bar_base[b]);
				return d;
			}
	return NULL;
}

void pci_iounmap(struct pci_dev *dev, void __iomem *addr)
{
	struct kc_km_pci_dev *d;
	int bar;
	u64 off;

	(void)dev;
	d = mmio_lookup(addr, &bar, &off);
	if (!d || d->bar_maps[bar] <= 0) {
		km_bug("BUG: iounmap of an address that is not mapped");
		return;
	}
	if (--d->bar_maps[bar] == 0)
		hook_bar(d, bar, false);
}

void __iomem *ioremap(phys_addr_t offset, size_t size)
{
	(void)size;
	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next)
		for (int b = 0; b < 6; b++)
			if (d->bar_base[b] && !d->bar_io[b] && offset >= d->pdev.resource[b].start &&
			    offset <= d->pdev.resource[b].end) {
				if (km_should_fail(KM_FAIL_PCI_IOMAP))
					return NULL;
				if (d->bar_maps[b]++ == 0)
					hook_bar(d, b, true);
				return d->bar_base[b] + (offset - d->pdev.resource[b].start);
			}
	return NULL;
}

void iounmap(volatile void __iomem *addr)
{
	pci_iounmap(NULL, (void __iomem *)addr);
}

/* A part of a BAR (Linux's pci_iomap_range): offset bytes in, at most maxlen (0: the rest). */
void __iomem *pci_iomap_range(struct pci_dev *dev, int bar, unsigned long offset, unsigned long maxlen)
{
	struct kc_km_pci_dev *d = km_pci_of(dev);
	unsigned char __iomem *p;

	(void)maxlen;
	if (bar < 0 || bar >= 6 || !d->bar_base[bar] || offset >= d->bar_len[bar])
		return NULL;
	p = pci_iomap(dev, bar, 0);
	return p ? p + offset : NULL;
}

/* ---- device-managed mappings (devres actions, mem.c): unmapped at unbind, after remove() ---- */

static void pcim_release(void *p)
{
	int bar;
	u64 off;
	struct kc_km_pci_dev *d = mmio_lookup(p, &bar, &off);

	if (d && d->pcim_table[bar] == p)
		d->pcim_table[bar] = NULL;
	pci_iounmap(NULL, p);
}

void __iomem *pcim_iomap(struct pci_dev *pdev, int bar, unsigned long maxlen)
{
	struct kc_km_pci_dev *d = km_pci_of(pdev);
	void __iomem *p;

	if (bar < 0 || bar >= 6 || d->pcim_table[bar])
		return NULL; /* (Linux: one pcim mapping per BAR) */
	p = pci_iomap(pdev, bar, maxlen);
	if (!p)
		return NULL;
	if (devm_add_action(&pdev->dev, pcim_release, p)) {
		pci_iounmap(pdev, p);
		return NULL;
	}
	d->pcim_table[bar] = p;
	return p;
}

int pcim_iomap_regions(struct pci_dev *pdev, int mask, const char *name)
{
	int bar;

	(void)name;
	for (bar = 0; bar < 6; bar++)
		if ((mask & (1 << bar)) && !pcim_iomap(pdev, bar, 0))
			return -ENOMEM;
	return 0;
}

void __iomem *const *pcim_iomap_table(struct pci_dev *pdev)
{
	return km_pci_of(pdev)->pcim_table;
}

void pcim_iounmap(struct pci_dev *pdev, void __iomem *addr)
{
	if (km_devres_remove_action(&pdev->dev, pcim_release, addr))
		km_bug("BUG: pcim_iounmap of an address pcim_iomap did not map");
	else
		pcim_release(addr);
}

static void devm_iounmap_action(void *p)
{
	iounmap(p);
}

void __iomem *devm_ioremap(struct device *dev, resource_size_t offset, resource_size_t size)
{
	void __iomem *p = ioremap(offset, size);

	if (p && devm_add_action(dev, devm_iounmap_action, p)) {
		iounmap(p);
		return NULL;
	}
	return p;
}

void devm_iounmap(struct device *dev, void __iomem *addr)
{
	if (km_devres_remove_action(dev, devm_iounmap_action, addr))
		km_bug("BUG: devm_iounmap of an address devm_ioremap did not map");
	else
		iounmap(addr);
}

/* I/O ports as a window for ioread8 & co. (Linux's ioport_map): the I/O BAR's window, which
 * pci_iomap of that BAR returns too. */
void __iomem *ioport_map(unsigned long port, unsigned int nr)
{
	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next)
		for (int b = 0; b < 6; b++)
			if (d->bar_io[b] && port >= d->pdev.resource[b].start && nr &&
			    port - d->pdev.resource[b].start + nr <= d->bar_len[b]) {
				if (d->bar_maps[b]++ == 0)
					hook_bar(d, b, true);
				return d->bar_base[b] + (port - d->pdev.resource[b].start);
			}
	return NULL;
}

void ioport_unmap(void __iomem *p)
{
	pci_iounmap(NULL, p);
}

/* One line of the register-access log (kc_km_set_mmio_log). */
static void log_access(char rw, struct kc_km_pci_dev *d, int bar, u64 off, unsigned int size, u64 v)
{
	if (mmio_log)
		fprintf(mmio_log, "%c %s bar%d 0x%llx %u 0x%llx\n", rw, d->name, bar, (unsigned long long)off,
			size, (unsigned long long)v);
}

/* An access reaching device d's BAR (memory or I/O): the model's callback, the log, then the
 * interrupts it raised meanwhile. */
static u64 dev_read(struct kc_km_pci_dev *d, int bar, u64 off, unsigned int size)
{
	u64 v;

	mmio_depth++;
	v = d->desc.mmio_read(d->opaque, bar, off, size);
	mmio_depth--;
	log_access('R', d, bar, off, size, v);
	km_irq_point();
	return v;
}

static void dev_write(struct kc_km_pci_dev *d, int bar, u64 off, unsigned int size, u64 val)
{
	log_access('W', d, bar, off, size, val);
	mmio_depth++;
	d->desc.mmio_write(d->opaque, bar, off, size, val);
	mmio_depth--;
	km_irq_point();
}

static u64 mmio_read(const volatile void *addr, unsigned int size)
{
	int bar;
	u64 off;
	struct kc_km_pci_dev *d = mmio_lookup(addr, &bar, &off);

	if (!d)
		km_fatal("BUG: unable to handle MMIO read of %u bytes at an address outside every BAR (%s)", size,
			 km_ctx_name());
	if (!d->bar_maps[bar]) {
		km_bug("BUG: %s: MMIO read at BAR %d offset 0x%llx through an unmapped BAR", d->name, bar,
		       (unsigned long long)off);
		return ~0ULL;
	}
	if (!kc_km_pci_mem_enabled(d) || !d->desc.mmio_read)
		return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
	return dev_read(d, bar, off, size);
}

static void mmio_write(volatile void *addr, unsigned int size, u64 val)
{
	int bar;
	u64 off;
	struct kc_km_pci_dev *d = mmio_lookup(addr, &bar, &off);

	if (!d)
		km_fatal("BUG: unable to handle MMIO write of %u bytes at an address outside every BAR (%s)", size,
			 km_ctx_name());
	if (!d->bar_maps[bar]) {
		km_bug("BUG: %s: MMIO write at BAR %d offset 0x%llx through an unmapped BAR", d->name, bar,
		       (unsigned long long)off);
		return;
	}
	if (!kc_km_pci_mem_enabled(d) || !d->desc.mmio_write)
		return;
	dev_write(d, bar, off, size, val);
}

uint64_t kc_km_mmio_read(const volatile void *addr, unsigned int size)
{
	return mmio_read(addr, size);
}

void kc_km_mmio_write(volatile void *addr, unsigned int size, uint64_t val)
{
	mmio_write(addr, size, val);
}

void kc_km_set_mmio_log(FILE *f)
{
	mmio_log = f;
}

/* ---- port I/O ---- */

static struct kc_km_pci_dev *port_lookup(u64 port, unsigned int size, int *bar, u64 *off)
{
	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next)
		for (int b = 0; b < 6; b++)
			if (d->bar_io[b] && port >= d->pdev.resource[b].start &&
			    port + size - 1 <= d->pdev.resource[b].end) {
				*bar = b;
				*off = port - d->pdev.resource[b].start;
				return d;
			}
	return NULL;
}

uint32_t kc_km_pio_read(uint64_t port, unsigned int size)
{
	int bar;
	u64 off;
	struct kc_km_pci_dev *d = port_lookup(port, size, &bar, &off);

	if (!d) {
		km_bug("BUG: in%c of port 0x%llx that no device decodes", size == 1 ? 'b' : size == 2 ? 'w' : 'l',
		       (unsigned long long)port);
		return (uint32_t)((1ULL << (size * 8)) - 1);
	}
	if (d->enable_cnt <= 0 || !d->desc.mmio_read)
		return (uint32_t)((1ULL << (size * 8)) - 1);
	return (uint32_t)dev_read(d, bar, off, size);
}

void kc_km_pio_write(uint64_t port, unsigned int size, uint32_t val)
{
	int bar;
	u64 off;
	struct kc_km_pci_dev *d = port_lookup(port, size, &bar, &off);

	if (!d) {
		km_bug("BUG: out%c to port 0x%llx that no device decodes", size == 1 ? 'b' : size == 2 ? 'w' : 'l',
		       (unsigned long long)port);
		return;
	}
	if (d->enable_cnt <= 0 || !d->desc.mmio_write)
		return;
	dev_write(d, bar, off, size, val);
}

u8 inb(unsigned long port)
{
	return (u8)kc_km_pio_read(port, 1);
}

u16 inw(unsigned long port)
{
	return (u16)kc_km_pio_read(port, 2);
}

u32 inl(unsigned long port)
{
	return kc_km_pio_read(port, 4);
}

void outb(u8 value, unsigned long port)
{
	kc_km_pio_write(port, 1, value);
}

void outw(u16 value, unsigned long port)
{
	kc_km_pio_write(port, 2, value);
}

void outl(u32 value, unsigned long port)
{
	kc_km_pio_write(port, 4, value);
}

u8 readb(const volatile void __iomem *addr)
{
	return (u8)mmio_read(addr, 1);
}

u16 readw(const volatile void __iomem *addr)
{
	return (u16)mmio_read(addr, 2);
}

u32 readl(const volatile void __iomem *addr)
{
	return (u32)mmio_read(addr, 4);
}

u64 readq(const volatile void __iomem *addr)
{
	return mmio_read(addr, 8);
}

void writeb(u8 value, volatile void __iomem *addr)
{
	mmio_write(addr, 1, value);
}

void writew(u16 value, volatile void __iomem *addr)
{
	mmio_write(addr, 2, value);
}

void writel(u32 value, volatile void __iomem *addr)
{
	mmio_write(addr, 4, value);
}

void writeq(u64 value, volatile void __iomem *addr)
{
	mmio_write(addr, 8, value);
}

void memcpy_fromio(void *dst, const volatile void __iomem *src, size_t count)
{
	unsigned char *d = dst;

	for (size_t i = 0; i < count; i++)
		d[i] = readb((const volatile unsigned char *)src + i);
}

void memcpy_toio(volatile void __iomem *dst, const void *src, size_t count)
{
	const unsigned char *s = src;

	for (size_t i = 0; i < count; i++)
		writeb(s[i], (volatile unsigned char *)dst + i);
}

int pci_enable_msi(struct pci_dev *dev)
{
	dev->msi_enabled = 1;
	return 0;
}

void pci_disable_msi(struct pci_dev *dev)
{
	dev->msi_enabled = 0;
}

int pci_save_state(struct pci_dev *dev)
{
	(void)dev;
	return 0;
}

void pci_restore_state(struct pci_dev *dev)
{
	(void)dev;
}

int pci_set_power_state(struct pci_dev *dev, int state)
{
	(void)dev;
	(void)state;
	return 0;
}

#define CFG_CHECK(where, n) do { if ((where) < 0 || (where) + (n) > 256) return -EINVAL; } while (0)

int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val)
{
	CFG_CHECK(where, 1);
	*val = km_pci_of(dev)->config[where];
	return 0;
}

int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val)
{
	CFG_CHECK(where, 2);
	*val = cfg16(km_pci_of(dev), where);
	return 0;
}

int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val)
{
	const u8 *c;

	CFG_CHECK(where, 4);
	c = km_pci_of(dev)->config + where;
	*val = (u32)c[0] | ((u32)c[1] << 8) | ((u32)c[2] << 16) | ((u32)c[3] << 24);
	return 0;
}

int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val)
{
	CFG_CHECK(where, 1);
	km_pci_of(dev)->config[where] = val;
	return 0;
}

int pci_write_config_word(const struct pci_dev *dev, int where, u16 val)
{
	CFG_CHECK(where, 2);
	cfg16_set(km_pci_of(dev), where, val);
	return 0;
}

int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val)
{
	u8 *c;

	CFG_CHECK(where, 4);
	c = km_pci_of(dev)->config + where;
	c[0] = (u8)val;
	c[1] = (u8)(val >> 8);
	c[2] = (u8)(val >> 16);
	c[3] = (u8)(val >> 24);
	return 0;
}

struct pci_dev *pci_dev_get(struct pci_dev *dev)
{
	return dev;
}

void pci_dev_put(struct pci_dev *dev)
{
	(void)dev;
}

/* ---- interrupts ---- */

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev)
{
	struct km_irq_action *a, **pp;

	km_can_sleep("request_irq");
	if (irq >= KM_MAX_IRQ || !handler)
		return -EINVAL;
	if ((flags & IRQF_SHARED) && !dev)
		return -EINVAL;
	if (km_should_fail(KM_FAIL_REQUEST_IRQ))
		return -EBUSY;
	for (a = irq_lines[irq].actions; a; a = a->next)
		if (!(a->flags & IRQF_SHARED) || !(flags & IRQF_SHARED))
			return -EBUSY;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->handler = handler;
	a->dev_id = dev;
	a->name = name;
	a->flags = flags;
	for (pp = &irq_lines[irq].actions; *pp; pp = &(*pp)->next)
		;
	*pp = a;
	return 0;
}

int request_threaded_irq(unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
			 unsigned long flags, const char *name, void *dev)
{
	if (thread_fn)
		km_log(LOGLEVEL_WARNING, "kmodel: threaded IRQ handlers are not modelled; %s runs in hardirq",
		       name);
	return request_irq(irq, handler ? handler : thread_fn, flags, name, dev);
}

const void *free_irq(unsigned int irq, void *dev_id)
{
	struct km_irq_action **pp;

	km_can_sleep("free_irq");
	if (irq >= KM_MAX_IRQ) {
		__kc_warn(__FILE__, __LINE__, "free_irq of an invalid IRQ");
		return NULL;
	}
	for (pp = &irq_lines[irq].actions; *pp; pp = &(*pp)->next)
		if ((*pp)->dev_id == dev_id) {
			struct km_irq_action *a = *pp;
			const char *name = a->name;

			*pp = a->next;
			free(a);
			return name;
		}
	km_log(LOGLEVEL_WARNING, "Trying to free already-free IRQ %u", irq);
	km_warn_bump();
	return NULL;
}

void disable_irq_nosync(unsigned int irq)
{
	if (irq < KM_MAX_IRQ)
		irq_lines[irq].disabled++;
}

void disable_irq(unsigned int irq)
{
	if (km_self && km_self->hardirq)
		km_bug("BUG: disable_irq() from hardirq context would deadlock (use disable_irq_nosync)");
	disable_irq_nosync(irq);
}

void enable_irq(unsigned int irq)
{
	if (irq >= KM_MAX_IRQ)
		return;
	if (irq_lines[irq].disabled <= 0) {
		km_log(LOGLEVEL_WARNING, "WARNING: Unbalanced enable for IRQ %u", irq);
		km_warn_bump();
		return;
	}
	irq_lines[irq].disabled--;
	km_irq_point();
}

void synchronize_irq(unsigned int irq)
{
	(void)irq;
	km_can_sleep("synchronize_irq");
}

void kc_km_irq_raise(struct kc_km_pci_dev *dev)
{
	unsigned int line = dev->pdev.irq;

	if (line >= KM_MAX_IRQ)
		return;
	if (dev->pdev.msi_enabled == 0 && (cfg16(dev, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE))
		return;
	if (!irq_lines[line].pending) {
		irq_lines[line].pending = true;
		irq_pending_lines++;
	}
	if (!mmio_depth)
		km_irq_point();
}

void km_irq_pending_set(unsigned int line)
{
	if (line < KM_MAX_IRQ && !irq_lines[line].pending) {
		irq_lines[line].pending = true;
		irq_pending_lines++;
	}
}

bool km_irq_any_pending(void)
{
	if (!irq_pending_lines)
		return false;
	for (unsigned int i = 0; i < KM_MAX_IRQ; i++)
		if (irq_lines[i].pending && !irq_lines[i].disabled)
			return true;
	return false;
}

/* Runs on the interrupt task: call every handler of every pending, enabled line. */
void km_irq_deliver_pending(void)
{
	struct km_task *me = km_self;

	for (int rounds = 0; rounds < 1000 && km_irq_any_pending(); rounds++) {
		for (unsigned int i = 0; i < KM_MAX_IRQ; i++) {
			struct km_irq_line *l = &irq_lines[i];
			int handled = 0;

			if (!l->pending || l->disabled)
				continue;
			l->pending = false;
			irq_pending_lines--;
			l->count++;
			me->hardirq++;
			me->irqs_off = 1;
			for (struct km_irq_action *a = l->actions; a; a = a->next) {
				int preempt = me->preempt, bh = me->bh_disabled;

				handled |= a->handler((int)i, a->dev_id);
				km_check_balanced(me, "interrupt handler", preempt, bh, 1);
			}
			me->hardirq--;
			me->irqs_off = 0;
			if (!(handled & IRQ_HANDLED)) {
				if (++l->unhandled == 100000)
					km_bug("irq %u: nobody cared (100000 unhandled interrupts)", i);
			}
		}
	}
}

/* ---- device scheduling ---- */

void kc_km_dev_kick(struct kc_km_pci_dev *dev)
{
	dev->kicked = true;
}

void kc_km_dev_kick_at(struct kc_km_pci_dev *dev, uint64_t when_ns)
{
	if (!dev->has_deadline || when_ns < dev->deadline) {
		dev->deadline = when_ns;
		dev->has_deadline = true;
	}
}

bool km_dev_any_kicked(void)
{
	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next)
		if (d->kicked)
			return true;
	return false;
}

u64 km_dev_next_deadline(bool *any)
{
	u64 best = 0;

	*any = false;
	for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next)
		if (d->has_deadline && (!*any || d->deadline < best)) {
			best = d->deadline;
			*any = true;
		}
	return best;
}

/* Runs on the device task: step every device that was kicked or whose deadline has come. */
void km_dev_run_steps(u64 upto)
{
	for (int rounds = 0; rounds < 64; rounds++) {
		bool ran = false;

		for (struct kc_km_pci_dev *d = pci_devs; d; d = d->next) {
			bool due = d->kicked || (d->has_deadline && d->deadline <= upto);

			if (!due)
				continue;
			d->kicked = false;
			if (d->has_deadline && d->deadline <= upto)
				d->has_deadline = false;
			if (d->desc.step)
				d->desc.step(d->opaque);
			ran = true;
		}
		if (!ran)
			break;
	}
}
