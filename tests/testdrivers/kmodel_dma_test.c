/*
 * kmodel_dma_test.c - the kernel model's DMA checks: a device model can only reach memory the driver
 * mapped for it, in the mapped direction, with bus mastering on; unmapping with the wrong size is caught;
 * the DMA mask is honoured; and DMA memory a driver forgets to free is reported when it unbinds.
 */
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>

#include <stdio.h>
#include <string.h>

#include "kmodel/kmodel.h"
#include "kc_test.h"

static struct kc_km_pci_dev *sim;
static struct pci_dev *pdev;
static void *leaked_cpu;
static dma_addr_t leaked_bus;
static bool leak_on_remove;

static int t_probe(struct pci_dev *p, const struct pci_device_id *id)
{
	pdev = p;
	return pci_enable_device(p);
}

static void t_remove(struct pci_dev *p)
{
	if (!leak_on_remove && leaked_cpu)
		dma_free_coherent(&p->dev, 256, leaked_cpu, leaked_bus);
	pci_disable_device(p);
}

static const struct pci_device_id t_ids[] = { { PCI_DEVICE(0x1234, 0x0002) }, { 0 } };
static struct pci_driver t_driver = { .name = "dmatest", .id_table = t_ids, .probe = t_probe,
				      .remove = t_remove };

static void test_streaming(void)
{
	unsigned int bugs = kc_km_bug_count();
	char *buf = kzalloc(64, GFP_KERNEL);
	char got[64];
	dma_addr_t bus;

	KC_REQUIRE(buf != NULL);
	strcpy(buf, "to the device");
	bus = dma_map_single(&pdev->dev, buf, 64, DMA_TO_DEVICE);
	KC_REQUIRE(!dma_mapping_error(&pdev->dev, bus));
	KC_CHECK(kc_km_dma_read(sim, bus, got, 16) != 0);	/* bus mastering still off */
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);
	pci_set_master(pdev);
	KC_CHECK_EQ_INT(kc_km_dma_read(sim, bus, got, 16), 0);
	KC_CHECK_EQ_STR(got, "to the device");
	KC_CHECK(kc_km_dma_write(sim, bus, "x", 1) != 0);	/* wrong direction */
	KC_CHECK(kc_km_dma_read(sim, bus + 60, got, 8) != 0);	/* runs past the mapping */
	KC_CHECK(kc_km_dma_read(sim, bus + 0x100000, got, 1) != 0);	/* nothing mapped there */
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 4);
	dma_unmap_single(&pdev->dev, bus, 32, DMA_TO_DEVICE);	/* size differs from the mapping */
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 5);
	KC_CHECK(kc_km_dma_read(sim, bus, got, 1) != 0);	/* unmapped now */
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 6);
	kfree(buf);
}

static void test_coherent_and_mask(void)
{
	unsigned int bugs = kc_km_bug_count();
	dma_addr_t bus;
	char *cpu = dma_alloc_coherent(&pdev->dev, 256, &bus, GFP_KERNEL);
	char small[16];

	KC_REQUIRE(cpu != NULL);
	KC_CHECK_EQ_INT(kc_km_dma_write(sim, bus + 10, "hello", 6), 0);
	KC_CHECK_EQ_STR(cpu + 10, "hello");
	dma_free_coherent(&pdev->dev, 256, cpu, bus);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);

	/* bus addresses start at 0x10000000: a 28-bit mask cannot reach them */
	KC_CHECK_EQ_INT(dma_set_mask(&pdev->dev, DMA_BIT_MASK(28)), 0);
	bus = dma_map_single(&pdev->dev, small, sizeof(small), DMA_FROM_DEVICE);
	KC_CHECK(dma_mapping_error(&pdev->dev, bus) != 0);
	KC_CHECK_EQ_INT(dma_set_mask(&pdev->dev, DMA_BIT_MASK(32)), 0);
	bus = dma_map_single(&pdev->dev, small, sizeof(small), DMA_FROM_DEVICE);
	KC_CHECK(!dma_mapping_error(&pdev->dev, bus));
	KC_CHECK_EQ_INT(kc_km_dma_write(sim, bus, "in", 3), 0);
	KC_CHECK_EQ_STR(small, "in");
	dma_unmap_single(&pdev->dev, bus, sizeof(small), DMA_FROM_DEVICE);
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs);
}

static void test_leak_reported_on_unbind(void)
{
	unsigned int bugs = kc_km_bug_count();
	size_t dma_before, dma_after;

	leaked_cpu = dma_alloc_coherent(&pdev->dev, 256, &leaked_bus, GFP_KERNEL);
	KC_REQUIRE(leaked_cpu != NULL);
	leak_on_remove = true;
	pci_unregister_driver(&t_driver);	/* remove() forgets the buffer */
	KC_CHECK_EQ_INT(kc_km_bug_count(), bugs + 1);
	kc_km_mem_stats(NULL, NULL, &dma_after, NULL);
	dma_before = 0;
	KC_CHECK_EQ_INT(dma_after, dma_before);	/* the model reclaimed it */
}

int main(void)
{
	struct kc_km_pci_desc desc = { .model = "dmatest", .vendor = 0x1234, .device = 0x0002,
				       .bar_size = { 4096 } };
	struct kc_err err = { 0 };

	if (kc_km_init(NULL, &err) || kc_km_pci_add(&sim, &desc, NULL, &err) ||
	    __pci_register_driver(&t_driver, NULL, "dmatest") || !pdev) {
		fprintf(stderr, "setup failed: %s\n", err.msg);
		return 1;
	}
	KC_RUN(test_streaming);
	KC_RUN(test_coherent_and_mask);
	KC_RUN(test_leak_reported_on_unbind);
	kc_km_pci_del(sim);
	kc_km_shutdown();
	return kc_test_done();
}
