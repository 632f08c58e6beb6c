/*
 * linux/pci.h - kernel model: PCI drivers and devices.
 *
 * pci_register_driver() binds the driver to every simulated device whose ids match its id_table (calling
 * probe() in process context); pci_unregister_driver() calls remove(). BARs are windows onto the device
 * model (see linux/io.h); config space is the device model's.
 */
#ifndef _KC_LINUX_PCI_H
#define _KC_LINUX_PCI_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/io.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/errno.h>

#define PCI_ANY_ID (~0U)
#define PCI_NUM_RESOURCES 6
#define DEVICE_COUNT_RESOURCE 6

#define IORESOURCE_IO 0x00000100
#define IORESOURCE_MEM 0x00000200

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INVALIDATE 0x10
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS 0x06
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_REVISION 0x08
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_TYPE 0x0e
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_CLASS_NETWORK_ETHERNET 0x0200
#define PCI_CLASS_MULTIMEDIA_AUDIO 0x0401

struct pci_device_id {
	u32 vendor, device;
	u32 subvendor, subdevice;
	u32 class, class_mask;
	kernel_ulong_t driver_data;
};

#define PCI_DEVICE(vend, dev) .vendor = (vend), .device = (dev), .subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID
#define PCI_VDEVICE(vend, dev) .vendor = PCI_VENDOR_ID_##vend, .device = (dev), .subvendor = PCI_ANY_ID, \
	.subdevice = PCI_ANY_ID, 0, 0
#define PCI_DEVICE_SUB(vend, dev, subvend, subdev) .vendor = (vend), .device = (dev), \
	.subvendor = (subvend), .subdevice = (subdev)

struct resource {
	resource_size_t start;
	resource_size_t end;
	const char *name;
	unsigned long flags;
};

struct pci_bus {
	unsigned char number;
};

struct pci_driver;

struct pci_dev {
	struct device dev;
	struct pci_bus *bus;
	unsigned int devfn;
	unsigned short vendor;
	unsigned short device;
	unsigned short subsystem_vendor;
	unsigned short subsystem_device;
	unsigned int class;
	u8 revision;
	u8 pin;
	unsigned int irq;
	u64 dma_mask;
	struct pci_driver *driver;
	struct resource resource[DEVICE_COUNT_RESOURCE];
	unsigned int msi_enabled:1;
	unsigned int is_busmaster:1;
	void *__kc_sim;		/* the model's record of this device */
};

#define to_pci_dev(n) container_of(n, struct pci_dev, dev)

typedef unsigned int pci_ers_result_t;
typedef unsigned int pci_channel_state_t;
#define PCI_ERS_RESULT_NONE 1
#define PCI_ERS_RESULT_CAN_RECOVER 2
#define PCI_ERS_RESULT_NEED_RESET 3
#define PCI_ERS_RESULT_DISCONNECT 4
#define PCI_ERS_RESULT_RECOVERED 5

struct pci_error_handlers {
	pci_ers_result_t (*error_detected)(struct pci_dev *dev, pci_channel_state_t error);
	pci_ers_result_t (*slot_reset)(struct pci_dev *dev);
	void (*resume)(struct pci_dev *dev);
};

struct dev_pm_ops {
	int (*suspend)(struct device *dev);
	int (*resume)(struct device *dev);
};

struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table;
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	void (*remove)(struct pci_dev *dev);
	void (*shutdown)(struct pci_dev *dev);
	const struct pci_error_handlers *err_handler;
	struct device_driver driver;
};

#define to_pci_driver(drv) container_of(drv, struct pci_driver, driver)

int __pci_register_driver(struct pci_driver *drv, struct module *owner, const char *mod_name);
#define pci_register_driver(driver) __pci_register_driver(driver, THIS_MODULE, KBUILD_MODNAME)
void pci_unregister_driver(struct pci_driver *dev);
#define module_pci_driver(__pci_driver)                                                \
	static int __init __pci_driver##_init(void)                                    \
	{                                                                              \
		return pci_register_driver(&(__pci_driver));                           \
	}                                                                              \
	module_init(__pci_driver##_init);                                              \
	static void __exit __pci_driver##_exit(void)                                   \
	{                                                                              \
		pci_unregister_driver(&(__pci_driver));                                \
	}                                                                              \
	module_exit(__pci_driver##_exit)

int pci_enable_device(struct pci_dev *dev);
int pci_enable_device_mem(struct pci_dev *dev);
void pci_disable_device(struct pci_dev *dev);
int pci_is_enabled(struct pci_dev *pdev);
void pci_set_master(struct pci_dev *dev);
void pci_clear_master(struct pci_dev *dev);
int pci_request_regions(struct pci_dev *pdev, const char *res_name);
void pci_release_regions(struct pci_dev *pdev);
int pci_request_selected_regions(struct pci_dev *pdev, int bars, const char *res_name);
void pci_release_selected_regions(struct pci_dev *pdev, int bars);
int pci_select_bars(struct pci_dev *dev, unsigned long flags);
void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen);
void pci_iounmap(struct pci_dev *dev, void __iomem *addr);
void __iomem *pci_ioremap_bar(struct pci_dev *pdev, int bar);
void __iomem *pci_iomap_range(struct pci_dev *dev, int bar, unsigned long offset, unsigned long maxlen);
/* device-managed: unmapped at unbind (after remove()) */
void __iomem *pcim_iomap(struct pci_dev *pdev, int bar, unsigned long maxlen);
int pcim_iomap_regions(struct pci_dev *pdev, int mask, const char *name);
void __iomem *const *pcim_iomap_table(struct pci_dev *pdev);
void pcim_iounmap(struct pci_dev *pdev, void __iomem *addr);
int pci_enable_msi(struct pci_dev *dev);
void pci_disable_msi(struct pci_dev *dev);
int pci_save_state(struct pci_dev *dev);
void pci_restore_state(struct pci_dev *dev);
int pci_set_power_state(struct pci_dev *dev, int state);
int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val);
int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val);
int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val);
int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val);
int pci_write_config_word(const struct pci_dev *dev, int where, u16 val);
int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val);
struct pci_dev *pci_dev_get(struct pci_dev *dev);
void pci_dev_put(struct pci_dev *dev);
static inline int pci_channel_offline(struct pci_dev *pdev)
{
	(void)pdev;
	return 0;
}
#define PCI_D0 0
#define PCI_D3hot 3

#define pci_resource_start(dev, bar) ((dev)->resource[(bar)].start)
#define pci_resource_end(dev, bar) ((dev)->resource[(bar)].end)
#define pci_resource_flags(dev, bar) ((dev)->resource[(bar)].flags)
#define pci_resource_len(dev, bar)                                                     \
	((pci_resource_end((dev), (bar)) == 0) ? 0 :                                   \
	 (pci_resource_end((dev), (bar)) - pci_resource_start((dev), (bar)) + 1))

static inline void *pci_get_drvdata(struct pci_dev *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}

static inline void pci_set_drvdata(struct pci_dev *pdev, void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}

static inline const char *pci_name(const struct pci_dev *pdev)
{
	return dev_name(&pdev->dev);
}

#define PCI_VENDOR_ID_INTEL 0x8086

#endif
