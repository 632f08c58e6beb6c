/*
 * ptr_arrays.c - an array of pointers into a DMA-coherent buffer, as 8139too's
 * rtl8139_private.tx_buf[4] (`tp->tx_buf[i] = &tp->tx_bufs[i * TX_BUF_SIZE]`; docs/emitter.md,
 * "Shapes"). Every store into pa_adapter.tx_buf is a pointer into tx_bufs, which comes from
 * dma_alloc_coherent: each element has that buffer's extent and crosses, element by element, as a
 * region pointer (the partition gives the user half device access), with no annotation.
 * pa_setup (user half) allocates the buffer and points the array into it; pa_xmit (kernel half)
 * copies a frame into the current one. ptr_arrays_refused/ is the same with one store that is not
 * such a pointer.
 */
#include <kdev.h>
#include <kio.h>

#define PA_NBUF 4
#define PA_BUFSZ 256

struct pa_adapter {
	u8 *tx_buf[PA_NBUF];
	u8 *tx_bufs;
	unsigned long long tx_dma;
	u32 cur;
	void *dev;
};

/* user half: the bounce buffers, one DMA-coherent block cut in four */
int pa_setup(struct pa_adapter *ad)
{
	int i;

	ad->tx_bufs = dma_alloc_coherent(ad->dev, PA_NBUF * PA_BUFSZ, &ad->tx_dma, 0);
	if (!ad->tx_bufs)
		return -1;
	for (i = 0; i < PA_NBUF; i++)
		ad->tx_buf[i] = &ad->tx_bufs[i * PA_BUFSZ];
	ad->cur = 0;
	return 0;
}

/* kernel half: opens the device through the user half */
int pa_open(struct pa_adapter *ad)
{
	return pa_setup(ad);
}

/* kernel half: a frame into the current bounce buffer */
int pa_xmit(struct pa_adapter *ad, const u8 *data, u32 len)
{
	u8 *b = ad->tx_buf[ad->cur % PA_NBUF];
	u32 i;

	if (len > PA_BUFSZ)
		return -1;
	for (i = 0; i < len; i++)
		b[i] = data[i];
	ad->cur++;
	return 0;
}
