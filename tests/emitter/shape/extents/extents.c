/*
 * extents.c - pointer parameters whose extent is another parameter (docs/emitter.md, "Parameter
 * extents"), with no annotation: the user half's ext_probe calls kernel-half functions that take
 * (count, ptr) pairs. kcut must infer each extent from the bodies: a loop bounded by the count
 * (ext_fill), the pair passed on to such a function (ext_read: transitive), constant indexes
 * (ext_set_mac: 6 bytes), a loop bounded by a constant (ext_stats: 12), a count after its buffer
 * (ext_csum), and a kernel function's buffer sized by a later parameter (print_hex_dump's buf by
 * len: emitter/kapi.c). ext_namelen and ext_first reach their parameters through local copies:
 * the kernel half refuses NULL for both (the NULL rule through copies and strings).
 */
#include <kdev.h>

struct ext_dev {
	u16 rom[64];
	u8 mac[6];
	u32 stats[12];
};

int ext_fill(u16 words, u16 *data);
int ext_read(struct ext_dev *d, u16 off, u16 words, u16 *data);
void ext_set_mac(struct ext_dev *d, u8 *addr);
void ext_stats(struct ext_dev *d, u32 *out);
u32 ext_csum(const u8 *buf, u16 n);
int ext_namelen(const char *name);
u32 ext_first(struct ext_dev *d);
int ext_probe(struct ext_dev *d);
int ext_run(struct ext_dev *d);

/* kernel half: writes `words` u16 into data */
int ext_fill(u16 words, u16 *data)
{
	unsigned int i;

	for (i = 0; i < words; i++)
		data[i] = (u16)(0x100 + i);
	return (int)words;
}

/* kernel half: the pair goes on to ext_fill, then the words are offset by the rom */
int ext_read(struct ext_dev *d, u16 off, u16 words, u16 *data)
{
	int n = ext_fill(words, data);
	unsigned int i;

	for (i = 0; i < words; i++)
		data[i] = (u16)(data[i] + d->rom[(off + i) % 64]);
	return n;
}

/* kernel half: reads 6 bytes */
void ext_set_mac(struct ext_dev *d, u8 *addr)
{
	d->mac[0] = addr[0];
	d->mac[1] = addr[1];
	d->mac[2] = addr[2];
	d->mac[3] = addr[3];
	d->mac[4] = addr[4];
	d->mac[5] = addr[5];
}

/* kernel half: writes 12 counters */
void ext_stats(struct ext_dev *d, u32 *out)
{
	int i;

	for (i = 0; i < 12; i++)
		out[i] = d->stats[i] + 1;
}

/* kernel half: sums n bytes (the count after the buffer) */
u32 ext_csum(const u8 *buf, u16 n)
{
	u32 s = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		s += buf[i];
	return s;
}

/* kernel half: the length of a name, through a copy (strlen of NULL would oops) */
int ext_namelen(const char *name)
{
	const char *s = name;

	return (int)strlen(s);
}

/* kernel half: the first counter, through a copy of the pointer */
u32 ext_first(struct ext_dev *d)
{
	struct ext_dev *q = d;

	return q->stats[0];
}

/* user half */
int ext_probe(struct ext_dev *d)
{
	u16 buf[40];
	u8 mac[6] = { 2, 0, 0, 0, 0, 7 };
	u8 raw[20];
	u32 st[12];
	int sum = 0, i;

	for (i = 0; i < 20; i++)
		raw[i] = (u8)(0x30 + i);
	sum += (int)ext_csum(raw, 20);
	sum += ext_namelen("eth0") + (int)ext_first(d);
	print_hex_dump("\0016", "ext: ", 0, 16, 1, raw, 20, 0);

	sum += ext_fill(4, buf);
	ext_read(d, 3, 40, buf);
	for (i = 0; i < 40; i++)
		sum += buf[i];
	ext_set_mac(d, mac);
	ext_stats(d, st);
	for (i = 0; i < 12; i++)
		sum += (int)st[i];
	return sum;
}

/* kernel half: what the host calls */
int ext_run(struct ext_dev *d)
{
	return ext_probe(d);
}
