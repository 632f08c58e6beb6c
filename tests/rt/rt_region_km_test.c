/*
 * rt_region_km_test.c - device regions on the kernel model, end to end: a kernel half that hosts
 * the model (this program) with a small DMA device ("dmadesc", rt_region_km_fns.h) and its
 * driver, the platform glue (kc_rt_kmodel) exporting what the driver maps and allocates, and a
 * user half (rt_region_km_user) that programs the device: coherent memory the user half writes
 * is what the device reads, and what the device writes the user half sees; the user half's
 * forwarded register accesses appear in the model's register-access log exactly as a driver's
 * own would. Issue 13 item 6: a user half that programs a descriptor with a bus address it was
 * never given (or a range past its buffer, or a descriptor ring address nobody mapped) is
 * caught by the model's IOMMU (a reported DMA fault), not obeyed: the device reads and writes
 * nothing. When the driver unmaps and frees, the regions are unexported and the user half loses
 * them.
 */
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_test.h"
#include "kcut_plat_kmodel.h"
#include "kmodel/kmodel.h"
#include "rt_region_km_fns.h"
#include "rt_region_up.h"

/* ---- the device ---- */

struct dmadesc {
	struct kc_km_pci_dev *pdev;
	uint32_t ring, status;
	uint8_t port0;
};

static struct dmadesc dev;

static uint64_t d_read(void *opaque, int bar, uint64_t off, unsigned int size)
{
	struct dmadesc *d = opaque;

	(void)size;
	if (bar == 2)
		return off == 1 ? (uint8_t)(d->port0 + 1) : 0;
	switch (off) {
	case REG_RING: return d->ring;
	case REG_STATUS: return d->status;
	case REG_ID: return DEV_ID;
	default: return 0;
	}
}

static void d_write(void *opaque, int bar, uint64_t off, unsigned int size, uint64_t val)
{
	struct dmadesc *d = opaque;
	uint32_t desc[3], sum = 0, one = 1;
	static uint8_t data[65536];

	(void)size;
	if (bar == 2) {
		if (off == 0)
			d->port0 = (uint8_t)val;
		return;
	}
	if (off == REG_RING) {
		d->ring = (uint32_t)val;
		return;
	}
	if (off != REG_DOORBELL)
		return;
	if (kc_km_dma_read(d->pdev, d->ring, desc, sizeof(desc))) {
		d->status = STATUS_FAULT | 1;
		return;
	}
	if (desc[1] > sizeof(data) || kc_km_dma_read(d->pdev, desc[0], data, desc[1])) {
		d->status = STATUS_FAULT | 2;
		return;
	}
	for (uint32_t i = 0; i < desc[1]; i++)
		sum += data[i];
	d->status = sum;
	kc_km_dma_write(d->pdev, d->ring + 8, &one, 4);
}

/* ---- the driver ---- */

#define BUF_SIZE 8192

static struct pci_dev *pdev;
static void __iomem *regs;
static void *ring, *buf;
static dma_addr_t ring_bus, buf_bus;

static int t_probe(struct pci_dev *p, const struct pci_device_id *id)
{
	int rc;

	(void)id;
	pdev = p;
	rc = pci_enable_device(p);
	if (rc)
		return rc;
	pci_set_master(p);
	rc = pci_request_regions(p, "dmadesc");
	if (rc)
		return rc;
	regs = pci_iomap(p, 0, 0);
	ring = dma_alloc_coherent(&p->dev, 4096, &ring_bus, GFP_KERNEL);
	buf = dma_alloc_coherent(&p->dev, BUF_SIZE, &buf_bus, GFP_KERNEL);
	return regs && ring && buf ? 0 : -ENOMEM;
}

static void t_remove(struct pci_dev *p)
{
	dma_free_coherent(&p->dev, BUF_SIZE, buf, buf_bus);
	dma_free_coherent(&p->dev, 4096, ring, ring_bus);
	pci_iounmap(p, regs);
	pci_release_regions(p);
	pci_disable_device(p);
}

static const struct pci_device_id t_ids[] = { { PCI_DEVICE(0x1234, 0x0003) }, { 0 } };
static struct pci_driver t_driver = { .name = "dmadesc", .id_table = t_ids, .probe = t_probe,
				      .remove = t_remove };

/* ---- the kernel half ---- */

static struct kc_rt *rt;
static uint32_t mid, rid, bid;
static char klog[64][256];
static int nklog;

static void log_sink(void *arg, const char *line)
{
	(void)arg;
	if (nklog < 64)
		snprintf(klog[nklog++], sizeof(klog[0]), "%s", line);
}

static int log_has(const char *s)
{
	for (int i = 0; i < nklog; i++)
		if (strstr(klog[i], s))
			return 1;
	return 0;
}

static int up(uint32_t fn, const uint32_t *in, int nin, uint32_t *out, int nout)
{
	return rt_up(rt, fn, in, nin, out, nout);
}

static void test_exported(void)
{
	struct kc_region_desc d;
	uint64_t off, aoff;

	/* the glue exported the BAR (whole window) and both coherent buffers at probe */
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &mid, &off, (uint8_t *)regs + 8), 0);
	KC_CHECK_EQ_INT(off, 8);
	KC_CHECK_EQ_INT(kc_rt_region_info(rt, &d, mid), 0);
	KC_CHECK(d.kind == KC_REGION_MMIO && d.size == 4096 && d.kaddr == regs);
	KC_CHECK(!(d.flags & KC_REGION_F_MAP)); /* the model forwards registers */
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &rid, &off, ring), 0);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &bid, &off, (uint8_t *)buf + BUF_SIZE - 1), 0);
	KC_CHECK_EQ_INT(off, BUF_SIZE - 1);
	KC_CHECK_EQ_INT(kc_rt_region_info(rt, &d, bid), 0);
	KC_CHECK(d.kind == KC_REGION_DMA && d.base == buf_bus && d.size == BUF_SIZE);
	KC_CHECK(kc_km_dma_arena_offset(buf, &aoff) && d.map_token == aoff);
	KC_CHECK(d.flags & KC_REGION_F_MAP);
}

static void test_device_dma_through_user_half(void)
{
	unsigned int bugs = kc_km_bug_count();
	uint32_t in[5] = { mid, rid, bid, 5000, 0 }, out[4];
	uint32_t sum = 0, i;
	int bad = 0;

	KC_CHECK_EQ_INT(up(U_RUN, in, 5, out, 4), 0);
	KC_CHECK(out[3] == DEV_ID);
	KC_CHECK_EQ_INT(out[0], out[2]);    /* the device summed what the user half wrote */
	KC_CHECK_EQ_INT(out[1], 1);         /* the user half sees what the device wrote */
	for (i = 0; i < 5000; i++) {
		sum += ((uint8_t *)buf)[i];
		bad += ((uint8_t *)buf)[i] != (uint8_t)(i * 3 + 1);
	}
	KC_CHECK_EQ_INT(bad, 0);            /* and so does the kernel half */
	KC_CHECK_EQ_INT(sum, out[2]);
	KC_CHECK_EQ_INT(((uint32_t *)ring)[2], 1);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
}

static void test_iommu_catches_unmapped_bus_address(void)
{
	static const struct {
		uint32_t mode, status;
		const char *what;
	} cases[] = {
		{ 1, STATUS_FAULT | 2, "at 0x7ff00000 outside any mapping" },
		{ 2, STATUS_FAULT | 2, "outside any mapping" },
		{ 3, STATUS_FAULT | 1, "at 0x7ff80000 outside any mapping" },
	};

	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		unsigned int bugs = kc_km_bug_count();
		uint32_t in[5] = { mid, rid, bid, 5000, cases[k].mode }, out[4];

		nklog = 0;
		memset(buf, 0, BUF_SIZE);
		KC_CHECK_EQ_INT(up(U_RUN, in, 5, out, 4), 0);
		KC_CHECK_EQ_INT(out[0], cases[k].status); /* not obeyed */
		KC_CHECK_EQ_INT(out[1], 0);               /* nothing written back */
		KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);
		KC_CHECK(log_has("BUG: DMA fault"));
		KC_CHECK(log_has(cases[k].what));
	}
	KC_CHECK_EQ_INT(kc_rt_incarnation(rt), 1);
}

static FILE *log;

static void test_register_log(void)
{
	char line[256];
	int n = 0, ring_w = 0, bell_w = 0, st_r = 0, id_r = 0;

	fflush(log);
	rewind(log);
	while (fgets(line, sizeof(line), log)) {
		n++;
		ring_w += !strncmp(line, "W 0000:00:03.0 bar0 0x0 4 0x", 28);
		bell_w += !strcmp(line, "W 0000:00:03.0 bar0 0x4 4 0x1\n");
		st_r += !strncmp(line, "R 0000:00:03.0 bar0 0x8 4 ", 26);
		id_r += !strcmp(line, "R 0000:00:03.0 bar0 0xc 4 0x444d4131\n");
	}
	/* four runs of the user half, each: read ID, write RING, write DOORBELL, read STATUS */
	KC_CHECK_EQ_INT(n, 16);
	KC_CHECK_EQ_INT(ring_w, 4);
	KC_CHECK_EQ_INT(bell_w, 4);
	KC_CHECK_EQ_INT(st_r, 4);
	KC_CHECK_EQ_INT(id_r, 4);
}

/* Port I/O: the driver's own inb/outb and the user half's forwarded kc_io_in8/out8 reach the
 * same device registers through the I/O BAR the driver requested (a PIO region). */
static void test_ports(void)
{
	unsigned long port = (unsigned long)pci_resource_start(pdev, 2);
	uint32_t in[2] = { (uint32_t)port, 0x40 }, out[1];
	unsigned int bugs = kc_km_bug_count();

	KC_CHECK(pci_resource_flags(pdev, 2) & IORESOURCE_IO);
	outb(0x20, port);
	KC_CHECK_EQ_INT(inb(port + 1), 0x21);
	KC_CHECK_EQ_INT(up(U_PIO, in, 2, out, 1), 0);
	KC_CHECK_EQ_INT(out[0], 0x41);
	KC_CHECK_EQ_INT(dev.port0, 0x40);
	in[0] = (uint32_t)port + 31; /* the last port: in8(port + 1) is outside the range */
	KC_CHECK_EQ_INT(up(U_PIO, in, 2, out, 1), 0);
	KC_CHECK_EQ_INT(out[0], 0xff);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
	KC_CHECK_EQ_INT(inb(port + 32), 0xff); /* no device decodes it: a reported BUG */
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);
}

/* Windows of pci_iomap_range and the device-managed mappings (issue 14: pcim_iomap,
 * pcim_iomap_table, devm_ioremap were not recorded as regions): the model maps them through the
 * same BAR hooks, so the glue exports them; a pcim/devm window goes at unbind, after remove()
 * (devres), and its region with it (checked in main after pci_unregister_driver). */
static void __iomem *pcim_win, *devm_win, *range_win;

static void test_managed_windows(void)
{
	uint32_t id;
	uint64_t off;
	unsigned int bugs = kc_km_bug_count();

	pcim_win = pcim_iomap(pdev, 1, 0);
	KC_REQUIRE(pcim_win);
	KC_CHECK(pcim_iomap_table(pdev)[1] == pcim_win);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id, &off, (uint8_t *)pcim_win + 0x10), 0);
	KC_CHECK_EQ_INT(off, 0x10);
	KC_CHECK(pcim_iomap(pdev, 1, 0) == NULL); /* one pcim mapping per BAR */
	/* a second mapping of BAR 0 inside the exported window (the same region) */
	range_win = pci_iomap_range(pdev, 0, 0x100, 0x40);
	KC_REQUIRE(range_win);
	KC_CHECK(range_win == (uint8_t *)regs + 0x100);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id, &off, range_win), 0);
	KC_CHECK(id == mid && off == 0x100);
	pci_iounmap(pdev, range_win);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &id, &off, regs), 0); /* BAR 0 stays mapped (regs) */
	devm_win = devm_ioremap(&pdev->dev, pci_resource_start(pdev, 1) + 0x20, 0x20);
	KC_CHECK(devm_win == (uint8_t *)pcim_win + 0x20);
	{
		/* the I/O BAR's ports as a window (ioread8 & co.) */
		void __iomem *io = ioport_map(pci_resource_start(pdev, 2), 8);

		KC_CHECK(io != NULL);
		if (io)
			ioport_unmap(io);
		KC_CHECK(ioport_map(pci_resource_start(pdev, 2) + 30, 8) == NULL); /* past the I/O BAR */
	}
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
}

int main(void)
{
	struct kc_km_pci_desc desc = { .model = "dmadesc", .vendor = 0x1234, .device = 0x0003,
				       .bar_size = { 4096, 256 }, .io_bar_size = { [2] = 32 }, .mmio_read = d_read,
				       .mmio_write = d_write };
	struct kc_rt_opts o = KC_RT_OPTS_INIT;
	struct kc_err err = { 0 };
	uint32_t in[1], out[1];

	log = tmpfile();
	if (!log || kc_km_init(NULL, &err) || kc_km_pci_add(&dev.pdev, &desc, &dev, &err)) {
		fprintf(stderr, "setup failed: %s\n", err.msg);
		return 1;
	}
	kc_km_set_log(log_sink, NULL);
	kc_km_set_mmio_log(log);
	o.user_path = KC_RT_REGION_KM_USER;
	o.peer_names = km_user_names;
	o.npeer = U_NFNS;
	kc_plat_kmodel_opts(&o);
	o.stop_grace_ms = 10000; /* an ASan user half's exit can take over 1 s on a loaded machine */
	if (o.share_fd < 0 || kc_rt_kernel_start(&rt, &o, &err) || kc_plat_kmodel_attach(rt, &err)) {
		fprintf(stderr, "runtime: %s\n", err.msg[0] ? err.msg : "no DMA arena");
		return 1;
	}
	if (__pci_register_driver(&t_driver, NULL, "dmadesc") || !pdev) {
		fprintf(stderr, "probe failed\n");
		return 1;
	}
	KC_RUN(test_exported);
	KC_RUN(test_device_dma_through_user_half);
	KC_RUN(test_iommu_catches_unmapped_bus_address);
	KC_RUN(test_register_log);
	KC_RUN(test_ports);
	KC_RUN(test_managed_windows);
	/* the driver lets go: every region is unexported and the user half loses it */
	{
		unsigned int bugs = kc_km_bug_count();

		pci_unregister_driver(&t_driver);
		/* the device-managed windows went at unbind with their region, without a BUG */
		KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
		KC_CHECK_EQ_INT(kc_rt_region_find(rt, &(uint32_t){ 0 }, &(uint64_t){ 0 }, pcim_win), KC_ENOTFOUND);
		KC_CHECK(pcim_iomap_table(pdev)[1] == NULL);
	}
	in[0] = bid;
	KC_CHECK_EQ_INT(up(U_PTR, in, 1, out, 1), 0);
	KC_CHECK_EQ_INT((int32_t)out[0], KC_RT_ESTALE);
	in[0] = mid;
	KC_CHECK_EQ_INT(up(U_PTR, in, 1, out, 1), 0);
	KC_CHECK_EQ_INT((int32_t)out[0], KC_RT_ESTALE);
	KC_CHECK_EQ_INT(kc_rt_region_find(rt, &mid, &(uint64_t){ 0 }, regs), KC_ENOTFOUND);
	kc_plat_kmodel_detach(rt);
	KC_CHECK_EQ_INT(kc_rt_close(rt), 0);
	kc_km_set_mmio_log(NULL);
	fclose(log);
	kc_km_pci_del(dev.pdev);
	kc_km_shutdown();
	return kc_test_done();
}
