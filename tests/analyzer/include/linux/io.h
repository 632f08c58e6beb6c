#ifndef _LINUX_IO_H
#define _LINUX_IO_H
/* MMIO mappings and accessors (Linux names and signatures) */
#include <linux/types.h>
#define __iomem
typedef u64 phys_addr_t;
typedef u64 resource_size_t;
struct resource;
struct pci_dev;
void __iomem *ioremap(phys_addr_t offset, size_t size);
void iounmap(volatile void __iomem *addr);
u32 readl(const volatile void __iomem *addr);
void writel(u32 value, volatile void __iomem *addr);
#define ioread32(a) readl(a)
#define iowrite32(v, a) writel(v, a)
void __iomem *pci_ioremap_bar(struct pci_dev *pdev, int bar);
void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen);
void __iomem *devm_ioremap(struct device *dev, resource_size_t offset, resource_size_t size);
void __iomem *const *pcim_iomap_table(struct pci_dev *pdev);
#endif
