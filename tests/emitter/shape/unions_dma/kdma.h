/* kdma.h - the streaming-DMA calls and the page type of the unions_dma case (kernel-like) */
#ifndef KDMA_H
#define KDMA_H

typedef unsigned long long dma_addr_t;

struct kpage; /* the kernel's, never defined for the driver */

struct kpage *alloc_page(unsigned int gfp);
dma_addr_t dma_map_single(void *dev, void *ptr, unsigned long size, int dir);
dma_addr_t dma_map_page(void *dev, struct kpage *page, unsigned long off, unsigned long size, int dir);

#endif
