/*
 * ptr_arrays_refused.c - ptr_arrays/ with one more store into pa_adapter.tx_buf: a block from
 * kzalloc, not a pointer into the DMA-coherent tx_bufs. The array's elements are then not all
 * region pointers, no shape is inferred, and kcut emit refuses the array of pointers (copied as
 * bytes it would carry addresses across), naming the field.
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

/* user half: the bounce buffers, and a spare one that is not DMA-coherent */
int pa_setup(struct pa_adapter *ad)
{
	int i;

	ad->tx_bufs = dma_alloc_coherent(ad->dev, PA_NBUF * PA_BUFSZ, &ad->tx_dma, 0);
	if (!ad->tx_bufs)
		return -1;
	for (i = 0; i < PA_NBUF - 1; i++)
		ad->tx_buf[i] = &ad->tx_bufs[i * PA_BUFSZ];
	ad->tx_buf[PA_NBUF - 1] = kzalloc(PA_BUFSZ, 0);
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
