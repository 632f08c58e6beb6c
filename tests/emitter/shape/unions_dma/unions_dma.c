/*
 * unions_dma.c - a union of pointers with no discriminator beside it, as e1000's
 * e1000_rx_buffer.rxbuf (docs/emitter.md, "Shapes"): both members point to buffers the driver
 * maps for streaming DMA (page with dma_map_page on the member; data through the local `b` that
 * ring_fill stores into it and maps), so the union crosses as one handle whatever the partition,
 * with no annotation. rx_peek, in the user half, looks through data: emit warns that it belongs in
 * the kernel half (expect_warnings.txt).
 */
#include <kdev.h>
#include "kdma.h"

struct rxb {
	union {
		struct kpage *page;
		unsigned char *data;
	} buf;
	dma_addr_t dma;
};

struct ring {
	int jumbo;
	int filled;
	struct rxb *bi;
};

/* kernel half: gives the ring a receive buffer */
int ring_fill(struct ring *r)
{
	unsigned char *b;

	if (r->jumbo) {
		r->bi->buf.page = alloc_page(0);
		r->bi->dma = dma_map_page(NULL, r->bi->buf.page, 0, 4096, 2);
	} else {
		b = kzalloc(2048, 0);
		r->bi->buf.data = b;
		r->bi->dma = dma_map_single(NULL, b + 2, 2046, 2);
	}
	r->filled = 1;
	return 0;
}

/* user half: the first byte of the frame (the user half has no copy of it) */
static int rx_peek(struct ring *r)
{
	return r->bi->buf.data ? r->bi->buf.data[2] : -1;
}

/* user half: fills the ring (a downcall that brings the union back) and peeks */
int ring_open(struct ring *r)
{
	ring_fill(r);
	return r->jumbo ? 0 : rx_peek(r);
}
