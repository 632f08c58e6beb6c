/*
 * ptr_arrays_moved.c - ptr_arrays/ where the driver also moves an element after storing it
 * (`ad->tx_buf[i] += PA_HDR`): a store the scan cannot follow into tx_bufs, so no shape is inferred
 * for pa_adapter.tx_buf and kcut emit refuses it, naming the field (the kernel half would check a
 * region pointer against its region anyway; the inference only takes what it sees).
 */
#include <kdev.h>
#include <kio.h>

#define PA_NBUF 4
#define PA_BUFSZ 256
#define PA_HDR 16

struct pa_adapter {
	u8 *tx_buf[PA_NBUF];
	u8 *tx_bufs;
	unsigned long long tx_dma;
	u32 cur;
	void *dev;
};

/* user half: the bounce buffers, each past a header */
int pa_setup(struct pa_adapter *ad)
{
	int i;

	ad->tx_bufs = dma_alloc_coherent(ad->dev, PA_NBUF * PA_BUFSZ, &ad->tx_dma, 0);
	if (!ad->tx_bufs)
		return -1;
	for (i = 0; i < PA_NBUF; i++) {
		ad->tx_buf[i] = &ad->tx_bufs[i * PA_BUFSZ];
		ad->tx_buf[i] += PA_HDR;
	}
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

	if (len > PA_BUFSZ - PA_HDR)
		return -1;
	for (i = 0; i < len; i++)
		b[i] = data[i];
	ad->cur++;
	return 0;
}
