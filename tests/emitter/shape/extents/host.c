/*
 * host.c - the "kernel" of the extents case (run_emit.py end_to_end): calls ext_run (kernel half), which calls ext_probe (user half),
 * on a device whose rom and counters it fills, prints the sum and the mac the kernel half got.
 * Split, it then plays a hostile user half against the kernel half's handler of ext_fill: a
 * forged count (over the bound, or more elements than the message holds) must be refused, and
 * an honest one served (the handler writes exactly `words` u16 into memory of its own); the same
 * for print_hex_dump's buffer sized by its later len (a short buffer with a large len, NULL with a
 * len: refused); exit 1 otherwise. Under ASan a one-element buffer would be reported as a stack
 * overflow, a short one as a heap over-read.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kdev.h>
#include <khost.h>

struct ext_dev {
	u16 rom[64];
	u8 mac[6];
	u32 stats[12];
};

int ext_run(struct ext_dev *d);

/* linux/printk.h's, as the kernel has it: reads len bytes of buf (under ASan, past its end is a
 * report); `quiet` while the hostile part runs (its output is not the transcript's) */
static int quiet;
static size_t dumped;

void print_hex_dump(const char *level, const char *prefix_str, int prefix_type, int rowsize, int groupsize,
		    const void *buf, size_t len, _Bool ascii)
{
	const unsigned char *p = buf;
	size_t i;

	(void)level;
	(void)prefix_type;
	(void)groupsize;
	(void)ascii;
	for (i = 0; i < len; i++) {
		if (!quiet && i % (size_t)rowsize == 0)
			printf("%s%s", i ? "\n" : "", prefix_str);
		if (!quiet)
			printf("%02x", p[i]);
	}
	if (!quiet && len)
		printf("\n");
	dumped += len;
}

#ifdef KCUT_SPLIT
int kcut_handler_ext_fill(struct kc_rt *rt, struct kc_xdr *kcut_a, struct kc_xdr *kcut_r);

/* One forged ext_fill message: count words, then a non-NULL data with `sent` u16; 0 if served. */
static int forge(unsigned words, unsigned sent, unsigned *back)
{
	static uint8_t in[4096], out[4096];
	struct kc_xdr a, r;
	uint16_t v[8] = { 0 };

	kc_xdr_init_enc(&a, in, sizeof(in));
	kc_xdr_put_u32(&a, words);
	kc_xdr_put_bool(&a, 1);
	kc_xdr_put_fixed(&a, v, sent * sizeof(v[0]));
	kc_xdr_init_dec(&a, in, kc_xdr_pos(&a));
	kc_xdr_init_enc(&r, out, sizeof(out));
	*back = 0;
	if (kcut_handler_ext_fill(kcut_rt, &a, &r))
		return 1;
	*back = (unsigned)kc_xdr_pos(&r);
	return 0;
}

int kcut_handler_print_hex_dump(struct kc_rt *rt, struct kc_xdr *kcut_a, struct kc_xdr *kcut_r);

/* One forged print_hex_dump message: buf present or not, len, then `sent` bytes; 0 if served. */
static int forge_dump(int present, uint64_t len, unsigned sent)
{
	static uint8_t in[4096], out[256];
	uint8_t bytes[64] = { 0 };
	struct kc_xdr a, r;
	int rc = 0;

	kc_xdr_init_enc(&a, in, sizeof(in));
	kc_wire_put_str(kcut_rt, &a, "\0016", &rc);
	kc_wire_put_str(kcut_rt, &a, "hostile: ", &rc);
	kc_xdr_put_u32(&a, 0);
	kc_xdr_put_u32(&a, 16);
	kc_xdr_put_u32(&a, 1);
	kc_xdr_put_bool(&a, present);
	kc_xdr_put_u64(&a, len);
	kc_xdr_put_fixed(&a, bytes, sent);
	kc_xdr_put_u32(&a, 0);
	kc_xdr_init_dec(&a, in, kc_xdr_pos(&a));
	kc_xdr_init_enc(&r, out, sizeof(out));
	dumped = 0;
	return rc || kcut_handler_print_hex_dump(kcut_rt, &a, &r);
}

int kcut_handler_ext_namelen(struct kc_rt *rt, struct kc_xdr *kcut_a, struct kc_xdr *kcut_r);
int kcut_handler_ext_first(struct kc_rt *rt, struct kc_xdr *kcut_a, struct kc_xdr *kcut_r);

/* A NULL argument (a NULL string: bool 0; a NULL pointer: kind 0) for handler h; 0 if served. */
static int forge_null(int (*h)(struct kc_rt *, struct kc_xdr *, struct kc_xdr *), int string)
{
	static uint8_t in[64], out[64];
	struct kc_xdr a, r;

	kc_xdr_init_enc(&a, in, sizeof(in));
	if (string)
		kc_xdr_put_bool(&a, 0);
	else
		kc_xdr_put_u32(&a, 0);
	if (!string)
		kc_xdr_put_bool(&a, 0); /* no in-fields */
	kc_xdr_init_dec(&a, in, kc_xdr_pos(&a));
	kc_xdr_init_enc(&r, out, sizeof(out));
	return h(kcut_rt, &a, &r);
}

int kcut_handler_ext_set_mac(struct kc_rt *rt, struct kc_xdr *kcut_a, struct kc_xdr *kcut_r);

/* ext_set_mac(dev, addr) with a real dev and addr NULL (present) or 6 bytes; 0 if served. */
static int forge_mac(int present)
{
	static struct ext_dev dev;
	static uint8_t in[128], out[256];
	const uint8_t mac[6] = { 1, 2, 3, 4, 5, 6 };
	struct kc_xdr a, r;

	kc_xdr_init_enc(&a, in, sizeof(in));
	if (kc_wire_put_ptr(kcut_rt, &a, &dev, KCUT_T_ext_dev, sizeof(dev), 1, 0))
		return 1;
	kc_xdr_put_bool(&a, present);
	if (present)
		kc_xdr_put_fixed(&a, mac, sizeof(mac));
	kc_xdr_init_dec(&a, in, kc_xdr_pos(&a));
	kc_xdr_init_enc(&r, out, sizeof(out));
	return kcut_handler_ext_set_mac(kcut_rt, &a, &r);
}

static int hostile(void)
{
	unsigned back;
	int bad = 0;

	/* a fixed buffer the function reads (6 bytes): NULL refused, 6 bytes served */
	if (!forge_mac(0)) {
		fprintf(stderr, "host: ext_set_mac(dev, NULL) was served\n");
		bad = 1;
	}
	if (forge_mac(1)) {
		fprintf(stderr, "host: an honest ext_set_mac was not served\n");
		bad = 1;
	}

	/* NULL where the function reaches its parameter through a local copy (strlen(s), q->stats) */
	if (!forge_null(kcut_handler_ext_namelen, 1)) {
		fprintf(stderr, "host: ext_namelen(NULL) was served\n");
		bad = 1;
	}
	if (!forge_null(kcut_handler_ext_first, 0)) {
		fprintf(stderr, "host: ext_first(NULL) was served\n");
		bad = 1;
	}

	/* print_hex_dump's buf crosses as len bytes (kapi.c): a short buffer with a large len, and
	 * NULL with a len, are refused; an honest one is served with exactly len bytes */
	quiet = 1;
	if (!forge_dump(1, 64, 16)) {
		fprintf(stderr, "host: print_hex_dump of len 64 with 16 bytes sent was served (%zu read)\n", dumped);
		bad = 1;
	}
	if (!forge_dump(0, 64, 0)) {
		fprintf(stderr, "host: print_hex_dump of NULL with len 64 was served\n");
		bad = 1;
	}
	if (forge_dump(1, 16, 16) || dumped != 16) {
		fprintf(stderr, "host: an honest print_hex_dump of 16 bytes was not served (%zu read)\n", dumped);
		bad = 1;
	}

	/* the bound: 40000 u16 are more than KC_WIRE_ARRMAX bytes */
	if (!forge(40000, 1, &back)) {
		fprintf(stderr, "host: forged count 40000 was served\n");
		bad = 1;
	}
	/* more elements than the message holds */
	if (!forge(300, 1, &back)) {
		fprintf(stderr, "host: forged count 300 with 1 element sent was served\n");
		bad = 1;
	}
	/* honest: 4 words in, the result and 4 words back */
	if (forge(4, 4, &back) || back != 4 + 4 * sizeof(uint16_t)) {
		fprintf(stderr, "host: an honest count of 4 was not served (%u bytes back)\n", back);
		bad = 1;
	}
	return bad;
}
#endif

int main(int argc, char **argv)
{
	static struct ext_dev d;
	int i, bad = 0;

	if (khost_start(argc, argv))
		return 2;
	for (i = 0; i < 64; i++)
		d.rom[i] = (u16)(i * 3);
	for (i = 0; i < 12; i++)
		d.stats[i] = (u32)(i * 1000);
	printf("probe: sum %d\n", ext_run(&d));
	printf("mac %02x:%02x:%02x:%02x:%02x:%02x\n", d.mac[0], d.mac[1], d.mac[2], d.mac[3], d.mac[4], d.mac[5]);
#ifdef KCUT_SPLIT
	khost_trace();
	bad = hostile();
#endif
	return bad;
}
