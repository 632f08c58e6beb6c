/*
 * shape.c - a pointer whose shape the analyzer cannot infer: `data` is indexed by the user half
 * but nothing says how long it is (no allocation site in the driver). `kcut annotate` must list it,
 * `kcut emit` must refuse it by name until the annotation "msg.data array len" is given.
 */
#include <kdev.h>

struct msg {
	u32 len;
	u8 *data;
	u32 sum;
};

static int msg_checksum(struct msg *m)
{
	u32 i, s = 0;

	for (i = 0; i < m->len; i++)
		s += m->data[i];
	m->sum = s;
	return 0;
}

int msg_receive(struct msg *m)
{
	return msg_checksum(m);
}
