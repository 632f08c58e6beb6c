/*
 * linux/io.h - kernel model: MMIO accessors on the simulated BAR windows.
 *
 * pci_iomap()/ioremap() return an address inside a reserved, inaccessible window; readl()/writel() route
 * the access to the device model that owns the window (a direct dereference faults, as it should).
 */
#ifndef _KC_LINUX_IO_H
#define _KC_LINUX_IO_H

#include <linux/types.h>
#include <linux/compiler.h>

u8 readb(const volatile void __iomem *addr);
u16 readw(const volatile void __iomem *addr);
u32 readl(const volatile void __iomem *addr);
u64 readq(const volatile void __iomem *addr);
void writeb(u8 value, volatile void __iomem *addr);
void writew(u16 value, volatile void __iomem *addr);
void writel(u32 value, volatile void __iomem *addr);
void writeq(u64 value, volatile void __iomem *addr);
#define readl_relaxed(a) readl(a)
#define writel_relaxed(v, a) writel(v, a)
#define ioread8(a) readb(a)
#define ioread16(a) readw(a)
#define ioread32(a) readl(a)
#define iowrite8(v, a) writeb(v, a)
#define iowrite16(v, a) writew(v, a)
#define iowrite32(v, a) writel(v, a)
/* Port I/O: I/O BARs of simulated devices (pci_resource_start of an IORESOURCE_IO BAR). */
u8 inb(unsigned long port);
u16 inw(unsigned long port);
u32 inl(unsigned long port);
void outb(u8 value, unsigned long port);
void outw(u16 value, unsigned long port);
void outl(u32 value, unsigned long port);
void memcpy_fromio(void *dst, const volatile void __iomem *src, size_t count);
void memcpy_toio(volatile void __iomem *dst, const void *src, size_t count);

void __iomem *ioremap(phys_addr_t offset, size_t size);
void iounmap(volatile void __iomem *addr);
/* device-managed (unmapped at unbind, after remove()) and port windows */
struct device;
void __iomem *devm_ioremap(struct device *dev, resource_size_t offset, resource_size_t size);
#define devm_ioremap_uc devm_ioremap
#define devm_ioremap_wc devm_ioremap
void devm_iounmap(struct device *dev, void __iomem *addr);
void __iomem *ioport_map(unsigned long port, unsigned int nr);
void ioport_unmap(void __iomem *p);

#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define wmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define dma_rmb() rmb()
#define dma_wmb() wmb()
#define mmiowb() do { } while (0)

#endif
