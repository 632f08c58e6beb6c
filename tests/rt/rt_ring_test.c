/*
 * rt_ring_test.c - the request rings on their own: FIFO order, full and empty, many producers
 * and consumers at once (every item taken exactly once, checked against a count per item), and
 * a ring scribbled over by a hostile peer (push/pop fail after a bounded number of tries instead
 * of spinning forever). Also built with ThreadSanitizer.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kc_test.h"
#include "rt_internal.h"

static struct kc_ring *ring_new(void)
{
	struct kc_chan_geom g;
	void *base = calloc(1, sizeof(struct kc_chan_hdr) + 4096);
	struct kc_chan_hdr *h = base;

	/* kc_chan_init sets the rings up; give it a geometry without slots */
	kc_chan_geom_default(&g);
	g.nk = g.nu = 0;
	g.slots_off = sizeof(struct kc_chan_hdr);
	kc_chan_init(base, &g);
	return &h->up;
}

static void ring_free(struct kc_ring *r)
{
	free((uint8_t *)r - offsetof(struct kc_chan_hdr, up));
}

static void test_fifo_full_empty(void)
{
	struct kc_ring *r = ring_new();
	uint32_t i;
	int bad = 0;

	KC_CHECK_EQ_INT(kc_ring_pop(r), -1);
	for (i = 0; i < KC_RING_CAP; i++)
		bad += kc_ring_push(r, i * 3) != 0;
	KC_CHECK_EQ_INT(bad, 0);
	KC_CHECK_EQ_INT(kc_ring_push(r, 999), -1);
	for (i = 0; i < KC_RING_CAP; i++)
		bad += kc_ring_pop(r) != (int64_t)(i * 3);
	KC_CHECK_EQ_INT(bad, 0);
	KC_CHECK_EQ_INT(kc_ring_pop(r), -1);
	/* wrap around many times */
	for (i = 0; i < 10 * KC_RING_CAP; i++) {
		bad += kc_ring_push(r, i) != 0;
		bad += kc_ring_pop(r) != (int64_t)i;
	}
	KC_CHECK_EQ_INT(bad, 0);
	ring_free(r);
}

#define NPROD 4
#define NCONS 4
#ifdef __SANITIZE_THREAD__
#define PER 1000 /* eight threads on few cores are slow under TSan */
#else
#define PER 20000
#endif

static struct kc_ring *g_ring;
static _Atomic uint32_t seen[NPROD * PER];
static atomic_int taken;

static void *producer(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, i;

	for (i = 0; i < PER; i++)
		while (kc_ring_push(g_ring, id * PER + i) != 0)
			kc_os_cpu_relax();
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	while (atomic_load(&taken) < NPROD * PER) {
		int64_t v = kc_ring_pop(g_ring);

		if (v < 0) {
			kc_os_cpu_relax();
			continue;
		}
		if (v < NPROD * PER)
			atomic_fetch_add(&seen[v], 1);
		atomic_fetch_add(&taken, 1);
	}
	return NULL;
}

static void test_many_producers_consumers(void)
{
	pthread_t p[NPROD], c[NCONS];
	uintptr_t i;
	int bad = 0;

	g_ring = ring_new();
	for (i = 0; i < NCONS; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	for (i = 0; i < NPROD; i++)
		pthread_create(&p[i], NULL, producer, (void *)i);
	for (i = 0; i < NPROD; i++)
		pthread_join(p[i], NULL);
	for (i = 0; i < NCONS; i++)
		pthread_join(c[i], NULL);
	for (i = 0; i < NPROD * PER; i++)
		bad += atomic_load(&seen[i]) != 1;
	KC_CHECK_EQ_INT(bad, 0);
	KC_CHECK_EQ_INT(atomic_load(&taken), NPROD * PER);
	KC_CHECK_EQ_INT(kc_ring_pop(g_ring), -1);
	ring_free(g_ring);
}

static void test_scribbled_ring_fails_bounded(void)
{
	struct kc_ring *r = ring_new();
	uint32_t i;

	for (i = 0; i < KC_RING_CAP; i++)
		atomic_store(&r->cells[i].seq, 0xdeadbeefdeadbeefull + i);
	KC_CHECK_EQ_INT(kc_ring_push(r, 1), -1);
	KC_CHECK_EQ_INT(kc_ring_pop(r), -1);
	atomic_store(&r->tail, 12345);
	atomic_store(&r->head, ~0ull);
	KC_CHECK_EQ_INT(kc_ring_push(r, 1), -1);
	KC_CHECK_EQ_INT(kc_ring_pop(r), -1);
	ring_free(r);
}

int main(void)
{
#ifdef KC_EXPECT_TSAN
#if !defined(__SANITIZE_THREAD__)
	fprintf(stderr, "this build was meant to use ThreadSanitizer but does not\n");
	return 1;
#else
	printf("built with ThreadSanitizer\n");
#endif
#endif
	KC_RUN(test_fifo_full_empty);
	KC_RUN(test_many_producers_consumers);
	KC_RUN(test_scribbled_ring_fails_bounded);
	return kc_test_done();
}
