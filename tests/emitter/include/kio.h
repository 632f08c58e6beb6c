/*
 * kio.h - register windows and DMA-coherent memory for the emitter tests (tests/emitter/regions):
 * the accessors and allocators the device-access rules of the emitter know by name.
 */
#ifndef KIO_H
#define KIO_H

#include <stddef.h>

typedef unsigned int u32;
typedef unsigned long long u64;

void *ioremap(unsigned long long phys, size_t size);
void iounmap(volatile void *addr);
u32 readl(const volatile void *addr);
void writel(u32 value, volatile void *addr);
void *dma_alloc_coherent(void *dev, size_t size, unsigned long long *handle, unsigned int gfp);
void dma_free_coherent(void *dev, size_t size, void *cpu, unsigned long long handle);
void outb(unsigned char value, unsigned long port);
/* device-managed: unmapped when the device unbinds (after the devres actions added later) */
void *devm_ioremap(void *dev, unsigned long long offset, unsigned long long size);
int devm_add_action(void *dev, void (*action)(void *), void *data);
unsigned char inb(unsigned long port);
struct resource;
struct resource *request_region(unsigned long start, unsigned long n, const char *name);
void release_region(unsigned long start, unsigned long n);
#define wmb() __sync_synchronize()

#endif
