/* Struct and union types: field offsets, sizes, kinds, array counts, function pointers. */
#include <linux/types.h>

enum state { IDLE, BUSY };

struct inner {
	u32 x;
	u16 y;
};

union num {
	u32 i;
	u8 b[4];
};

struct outer {
	u8 tag;
	u32 count;
	char name[16];
	struct inner in;
	struct inner *inp;
	union num n;
	int (*cb)(struct outer *o, int v);
	enum state st;
	unsigned int flag : 1;
	unsigned int mode : 3;
	void *priv;
	u8 ring[];
};

int use(struct outer *o)
{
	return o->count;
}

/*
 * check-name: struct fields, offsets, kinds
 * check-query: SELECT f.idx, f.name, f.type, f.kind, f.offset_bits, f.size, f.array_count, f.bit_width,
 *   f.target FROM field f JOIN struct s ON s.id = f.struct_id WHERE s.name = 'outer' ORDER BY f.idx
 * check-expect
 * 0|tag|u8|scalar|0|1|||
 * 1|count|u32|scalar|32|4|||
 * 2|name|char[16]|array|64|16|16||char
 * 3|in|struct inner|struct|192|8|||inner
 * 4|inp|struct inner *|pointer|256|8|||inner
 * 5|n|union num|union|320|4|||num
 * 6|cb|int (*)(struct outer *, int)|funcptr|384|8|||int (struct outer *, int)
 * 7|st|enum state|enum|448|4|||
 * 8|flag|unsigned int|bitfield|480|4||1|
 * 9|mode|unsigned int|bitfield|481|4||3|
 * 10|priv|void *|pointer|512|8|||void
 * 11|ring|u8[]|array|576||0||unsigned char
 * check-expect-end
 *
 * check-query: SELECT name, kind, size, is_driver FROM struct ORDER BY name
 * check-expect
 * inner|struct|8|1
 * num|union|4|1
 * outer|struct|72|1
 * check-expect-end
 */
