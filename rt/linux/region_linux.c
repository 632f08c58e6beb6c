// SPDX-License-Identifier: GPL-2.0
/*
 * region_linux.c - device regions of a split driver in a Linux kernel: the platform glue of
 * rt/region.c (built unchanged into kcut_rt.ko: the region table, its checks, the REGIO and
 * REGINFO servers). What a kernel half calls to export its BAR windows, port ranges and coherent
 * DMA buffers to the user half (kcut_rt_linux.h), the register accessors of forwarded
 * operations, and the mmap of an exported region into the user half (kcut_rt_uapi.h,
 * KCUT_LX_MMAP_REGION): io_remap_pfn_range (uncached) for MMIO, dma_mmap_coherent for DMA.
 *
 * Every mmap request is checked: the offset must be the token of a live region of this endpoint
 * that may be mapped, the mapping shared, the range inside the region; anything else is refused
 * with a log line. An unexport zaps every mapping of the region before it returns (the
 * mapping's pages fault with SIGBUS afterwards), so the caller may iounmap / dma_free_coherent
 * the memory then.
 */
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "kcut_rt.h"
#include "kcut_rt_linux.h"
#include "kcut_rt_uapi.h"
#include "region_internal.h"
#include "rt_linux_internal.h"

/* ---- register accessors of forwarded operations (region.c checked them already) ---- */

static u64 lx_read(const struct kc_region_desc *r, u64 off, unsigned int size)
{
	const u8 __iomem *a = (const u8 __iomem *)r->kaddr + off;
	unsigned long port = (unsigned long)(r->base + off);

	if (r->kind == KC_REGION_PIO)
		return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	switch (size) {
	case 1:
		return readb(a);
	case 2:
		return readw(a);
	case 4:
		return readl(a);
	default:
		return readq(a);
	}
}

static void lx_write(const struct kc_region_desc *r, u64 off, unsigned int size, u64 val)
{
	u8 __iomem *a = (u8 __iomem *)r->kaddr + off;
	unsigned long port = (unsigned long)(r->base + off);

	if (r->kind == KC_REGION_PIO) {
		if (size == 1)
			outb((u8)val, port);
		else if (size == 2)
			outw((u16)val, port);
		else
			outl((u32)val, port);
		return;
	}
	switch (size) {
	case 1:
		writeb((u8)val, a);
		break;
	case 2:
		writew((u16)val, a);
		break;
	case 4:
		writel((u32)val, a);
		break;
	default:
		writeq(val, a);
		break;
	}
}

/* The byte-range operations: memcpy_fromio & co. on MMIO, byte by byte on ports. */
static void lx_read_bytes(const struct kc_region_desc *r, u64 off, void *dst, size_t n)
{
	u8 *d = dst;
	size_t k;

	if (r->kind != KC_REGION_PIO) {
		memcpy_fromio(dst, (const u8 __iomem *)r->kaddr + off, n);
		return;
	}
	for (k = 0; k < n; k++)
		d[k] = (u8)lx_read(r, off + k, 1);
}

static void lx_write_bytes(const struct kc_region_desc *r, u64 off, const void *src, size_t n)
{
	const u8 *s = src;
	size_t k;

	if (r->kind != KC_REGION_PIO) {
		memcpy_toio((u8 __iomem *)r->kaddr + off, src, n);
		return;
	}
	for (k = 0; k < n; k++)
		lx_write(r, off + k, 1, s[k]);
}

static void lx_set_bytes(const struct kc_region_desc *r, u64 off, int c, size_t n)
{
	size_t k;

	if (r->kind != KC_REGION_PIO) {
		memset_io((u8 __iomem *)r->kaddr + off, c, n);
		return;
	}
	for (k = 0; k < n; k++)
		lx_write(r, off + k, 1, (u8)c);
}

const struct kc_rt_io_ops kc_lx_io_ops = {
	.read = lx_read,
	.write = lx_write,
	.read_bytes = lx_read_bytes,
	.write_bytes = lx_write_bytes,
	.set_bytes = lx_set_bytes,
};

/* ---- exports ---- */

/* One mappable region: its mmap token (KCUT_LX_MMAP_REGION(n), n its index in rt->maps); for a
 * PCI BAR window, the I/O port BARs of the same device exported with it (unexported with it). */
struct kc_lx_map {
	u32 id;
	u64 token;
	u64 size;
	u32 pio[PCI_STD_NUM_BARS];
	unsigned int npio;
};

static int kc_errno(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case KC_ENOMEM:
		return -ENOMEM;
	case KC_ENOTFOUND:
	case KC_RT_ESTALE:
		return -ENOENT;
	case KC_RT_ERANGE:
		return -ERANGE;
	default:
		return -EINVAL;
	}
}

/* Export d; a mappable region gets an mmap token first (region.c keeps it as map_token, REGINFO
 * tells it to the user half). */
static int export(struct kc_rt *rt, u32 *id, struct kc_region_desc *d)
{
	struct kc_lx_map *m = NULL, *old;
	unsigned long i;
	u32 n = 0;
	int rc;

	*id = 0;
	mutex_lock(&rt->map_lock);
	if (d->flags & KC_REGION_F_MAP) {
		m = kzalloc(sizeof(*m), GFP_KERNEL);
		rc = m ? xa_alloc_cyclic(&rt->maps, &n, m, XA_LIMIT(1, KCUT_LX_MMAP_MAX), &rt->next_map,
					 GFP_KERNEL) : -ENOMEM;
		if (rc < 0) {
			kfree(m);
			mutex_unlock(&rt->map_lock);
			return rc;
		}
		d->map_token = KCUT_LX_MMAP_REGION(n);
	}
	rc = kc_rt_region_export(rt, id, d);
	if (m && !rc) {
		/* the same region exported again keeps its first token */
		xa_for_each(&rt->maps, i, old)
			if (old != m && old->id == *id)
				break;
		if (old) {
			xa_erase(&rt->maps, n);
			kfree(m);
		} else {
			m->id = *id;
			m->token = d->map_token;
			m->size = d->size;
		}
	} else if (m) {
		xa_erase(&rt->maps, n);
		kfree(m);
	}
	mutex_unlock(&rt->map_lock);
	return kc_errno(rc);
}

int kc_rt_linux_export_mmio(struct kc_rt *rt, u32 *id, void __iomem *kaddr, phys_addr_t phys, u64 size)
{
	struct kc_region_desc d = { .kind = KC_REGION_MMIO, .kaddr = (void __force *)kaddr,
				    .base = phys, .size = size };

	/* mapped only whole pages of its own: a window sharing a page with other registers is
	 * forwarded */
	if (phys && PAGE_ALIGNED(phys) && PAGE_ALIGNED(size))
		d.flags = KC_REGION_F_MAP;
	return export(rt, id, &d);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_export_mmio);

int kc_rt_linux_export_pio(struct kc_rt *rt, u32 *id, unsigned long port, u64 size)
{
	struct kc_region_desc d = { .kind = KC_REGION_PIO, .base = port, .size = size };

	return export(rt, id, &d);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_export_pio);

int kc_rt_linux_export_dma(struct kc_rt *rt, u32 *id, struct device *dev, void *cpu, dma_addr_t handle,
			   u64 size)
{
	struct kc_region_desc d = { .kind = KC_REGION_DMA, .flags = KC_REGION_F_MAP, .kaddr = cpu,
				    .base = handle, .size = size, .plat = dev };

	if (!dev || !PAGE_ALIGNED(cpu))
		return -EINVAL; /* dma_alloc_coherent's buffers start on a page */
	return export(rt, id, &d);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_export_dma);

/* Zap every user mapping of m (under map_lock). */
static void zap(struct kc_rt *rt, struct kc_lx_map *m)
{
	if (rt->mapping)
		unmap_mapping_range(rt->mapping, (loff_t)m->token, (loff_t)PAGE_ALIGN(m->size), 1);
}

int kc_rt_linux_unexport(struct kc_rt *rt, u32 id)
{
	struct kc_lx_map *m;
	unsigned long i;
	unsigned int k;
	int rc;

	mutex_lock(&rt->map_lock);
	rc = kc_rt_region_unexport(rt, id);
	xa_for_each(&rt->maps, i, m)
		if (m->id == id)
			break;
	if (m) {
		for (k = 0; k < m->npio; k++)
			kc_rt_region_unexport(rt, m->pio[k]);
		zap(rt, m);
		xa_erase(&rt->maps, i);
		kfree(m);
	}
	mutex_unlock(&rt->map_lock);
	return kc_errno(rc);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_unexport);

/*
 * What an emitted kernel half calls instead of the kernel's BAR mapping and coherent allocation
 * functions (forward/mapped splits: macros after its includes, emitter/gen_region.c): the
 * kernel's own function, then the result exported as a region, so that a pointer into it crosses
 * as (region, offset) and the user half may map it. The unmap / free wrappers unexport first (the
 * user half's mappings are zapped before the memory goes). An export that fails is logged; the
 * driver keeps its mapping (the user half's accesses to it are then refused).
 */
static void export_failed(struct kc_rt *rt, const char *what, int rc)
{
	pr_warn_ratelimited("kcut-rt %s: %s could not be exported to the user half (%d)\n", rt->name, what, rc);
}

/*
 * The I/O port BARs of a device whose register window the kernel half maps are exported with it
 * (port I/O is always forwarded: REGIO runs inb/outb & co. after region.c's checks), so that the
 * user half's port accesses to its own device work (e1000's 82540/82544/8254x reset goes through
 * the I/O BAR: E1000_WRITE_REG_IO with hw->io_base, a port number the driver took from
 * pci_resource_start). Only that device's port ranges; they go with the window (unexport).
 */
static void export_io_bars(struct kc_rt *rt, struct pci_dev *pdev, u32 mmio_id)
{
	struct kc_lx_map *m;
	unsigned long i;
	int bar, rc;
	u32 id;

	mutex_lock(&rt->map_lock);
	xa_for_each(&rt->maps, i, m)
		if (m->id == mmio_id)
			break;
	mutex_unlock(&rt->map_lock);
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!(pci_resource_flags(pdev, bar) & IORESOURCE_IO) || !pci_resource_len(pdev, bar))
			continue;
		rc = kc_rt_linux_export_pio(rt, &id, (unsigned long)pci_resource_start(pdev, bar),
					    pci_resource_len(pdev, bar));
		if (rc) {
			export_failed(rt, "an I/O port BAR", rc);
			continue;
		}
		mutex_lock(&rt->map_lock);
		if (m && xa_load(&rt->maps, i) == m && m->npio < PCI_STD_NUM_BARS)
			m->pio[m->npio++] = id;
		mutex_unlock(&rt->map_lock);
	}
}

static void __iomem *export_bar(struct kc_rt *rt, struct pci_dev *pdev, int bar, void __iomem *p, u64 max)
{
	u64 len = pci_resource_len(pdev, bar);
	u32 id;
	int rc;

	if (!rt || !p)
		return p;
	if (max && max < len)
		len = max;
	rc = kc_rt_linux_export_mmio(rt, &id, p, pci_resource_start(pdev, bar), len);
	if (rc)
		export_failed(rt, "a BAR", rc);
	else
		export_io_bars(rt, pdev, id);
	return p;
}

void __iomem *kc_rt_linux_pci_iomap(struct kc_rt *rt, struct pci_dev *pdev, int bar, unsigned long max)
{
	void __iomem *p = pci_iomap(pdev, bar, max);

	/* (pci_iomap of an I/O port BAR gives an ioport cookie: not a memory window, not exported) */
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM))
		return p;
	return export_bar(rt, pdev, bar, p, max);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_pci_iomap);

void __iomem *kc_rt_linux_pci_ioremap_bar(struct kc_rt *rt, struct pci_dev *pdev, int bar)
{
	return export_bar(rt, pdev, bar, pci_ioremap_bar(pdev, bar), 0);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_pci_ioremap_bar);

void __iomem *kc_rt_linux_ioremap(struct kc_rt *rt, phys_addr_t phys, size_t size)
{
	void __iomem *p = ioremap(phys, size);
	u32 id;
	int rc;

	if (rt && p) {
		rc = kc_rt_linux_export_mmio(rt, &id, p, phys, size);
		if (rc)
			export_failed(rt, "an ioremap window", rc);
	}
	return p;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_ioremap);

/* Unexport the region at kaddr (its start or inside), if any. */
static void unexport_at(struct kc_rt *rt, const volatile void *kaddr)
{
	u32 id;
	u64 off;

	if (rt && kaddr && !kc_rt_region_find(rt, &id, &off, kaddr))
		kc_rt_linux_unexport(rt, id);
}

void kc_rt_linux_iounmap(struct kc_rt *rt, volatile void __iomem *p)
{
	unexport_at(rt, (const volatile void __force *)p);
	iounmap(p);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_iounmap);

void kc_rt_linux_pci_iounmap(struct kc_rt *rt, struct pci_dev *pdev, void __iomem *p)
{
	unexport_at(rt, (const volatile void __force *)p);
	pci_iounmap(pdev, p);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_pci_iounmap);

void *kc_rt_linux_dma_alloc_coherent(struct kc_rt *rt, struct device *dev, size_t size, dma_addr_t *handle,
				     gfp_t gfp)
{
	void *cpu = dma_alloc_coherent(dev, size, handle, gfp);
	u32 id;
	int rc;

	if (rt && cpu) {
		rc = kc_rt_linux_export_dma(rt, &id, dev, cpu, *handle, size);
		if (rc)
			export_failed(rt, "a coherent DMA buffer", rc);
	}
	return cpu;
}
EXPORT_SYMBOL_GPL(kc_rt_linux_dma_alloc_coherent);

void kc_rt_linux_dma_free_coherent(struct kc_rt *rt, struct device *dev, size_t size, void *cpu,
				   dma_addr_t handle)
{
	unexport_at(rt, cpu);
	dma_free_coherent(dev, size, cpu, handle);
}
EXPORT_SYMBOL_GPL(kc_rt_linux_dma_free_coherent);

/* Endpoint stop: what is still exported loses its mappings (the kernel half should have
 * unexported it before freeing it). */
void kc_lx_regions_stop(struct kc_rt *rt)
{
	struct kc_lx_map *m;
	unsigned long i;

	mutex_lock(&rt->map_lock);
	xa_for_each(&rt->maps, i, m) {
		zap(rt, m);
		xa_erase(&rt->maps, i);
		kfree(m);
	}
	mutex_unlock(&rt->map_lock);
	xa_destroy(&rt->maps);
}

/* ---- mmap of a region into the user half ---- */

/* A page of a zapped (unexported) region: SIGBUS, never fresh anonymous memory. */
static vm_fault_t region_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct region_vm_ops = {
	.fault = region_fault,
};

static int refuse(struct kc_rt *rt, struct vm_area_struct *vma, const char *why)
{
	pr_warn_ratelimited("kcut-rt %s: mmap of the user half refused (offset 0x%llx, %lu bytes): %s\n",
			    rt->name, (unsigned long long)vma->vm_pgoff << PAGE_SHIFT,
			    vma->vm_end - vma->vm_start, why);
	return -EINVAL;
}

int kc_lx_region_mmap(struct kc_rt *rt, struct vm_area_struct *vma)
{
	u64 n = vma->vm_pgoff >> (KCUT_LX_MMAP_SHIFT - PAGE_SHIFT);
	u64 off = (vma->vm_pgoff & ((1ull << (KCUT_LX_MMAP_SHIFT - PAGE_SHIFT)) - 1)) << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	struct kc_region_desc d;
	struct kc_lx_map *m;
	unsigned long saved;
	int rc;

	mutex_lock(&rt->map_lock);
	m = n && n <= KCUT_LX_MMAP_MAX ? xa_load(&rt->maps, (unsigned long)n) : NULL;
	if (!m) {
		rc = refuse(rt, vma, "no region is exported at this offset (forged or unexported)");
		goto out;
	}
	if (kc_rt_region_info(rt, &d, m->id) || !(d.flags & KC_REGION_F_MAP) || d.map_token != m->token) {
		rc = refuse(rt, vma, "the region is not exported for mapping");
		goto out;
	}
	if (!(vma->vm_flags & VM_SHARED)) {
		rc = refuse(rt, vma, "not a shared mapping");
		goto out;
	}
	if (off > PAGE_ALIGN(d.size) || len > PAGE_ALIGN(d.size) - off) {
		rc = refuse(rt, vma, "outside the region");
		goto out;
	}
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY;
	vma->vm_ops = &region_vm_ops;
	if (d.kind == KC_REGION_MMIO) {
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		rc = io_remap_pfn_range(vma, vma->vm_start, (unsigned long)((d.base + off) >> PAGE_SHIFT), len,
					vma->vm_page_prot);
	} else {
		/* dma_mmap_coherent maps from vm_pgoff pages into the buffer; the token stays the
		 * vma's offset in the file, where unexport's zap finds it */
		saved = vma->vm_pgoff;
		vma->vm_pgoff = (unsigned long)(off >> PAGE_SHIFT);
		rc = dma_mmap_coherent(d.plat, vma, d.kaddr, (dma_addr_t)d.base, (size_t)d.size);
		vma->vm_pgoff = saved;
	}
	if (rc)
		pr_warn_ratelimited("kcut-rt %s: mapping region 0x%x failed (%d)\n", rt->name, m->id, rc);
out:
	mutex_unlock(&rt->map_lock);
	return rc;
}

/* ---- the user side's calls rt/wire.c and rt/region.c name: never made on a kernel endpoint ---- */

int kc_rt_region_ptr(struct kc_rt *rt, void **uaddr, uint32_t id, uint64_t off, uint64_t len)
{
	*uaddr = NULL;
	return KC_EUNSUPP;
}

int kc_rt_region_of(struct kc_rt *rt, uint32_t *id, uint64_t *off, const volatile void *uaddr)
{
	return KC_EUNSUPP;
}

int kc_rt__call_begin_rt(struct kc_rt_call **out, struct kc_xdr **args, struct kc_rt *rt, uint32_t fn)
{
	*out = NULL;
	*args = NULL;
	return KC_EUNSUPP;
}

/* The handler of downcall fn for a posted call (rt/region.c, KC_REGIO_CALL): the same table
 * kc_rt_linux_start got, so a posted call is served as that downcall would be. */
kc_rt_handler kc_rt__posted_handler(struct kc_rt *rt, uint32_t fn, const char **name)
{
	*name = NULL;
	if (fn >= rt->nfns || !rt->fns[fn].fn)
		return NULL;
	*name = rt->fns[fn].name;
	return rt->fns[fn].fn;
}
