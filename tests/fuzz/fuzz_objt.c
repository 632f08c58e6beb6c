/*
 * fuzz_objt.c - libFuzzer target for the object tracker's handle checks. The input is a series of
 * 16-byte records: op, type, offset, length, handle. Ops track/untrack a small set of objects
 * or look up the given handle (possibly forged from an earlier real one by xor); a successful
 * lookup must give a pointer inside a live object of that type with the whole range inside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kcut_rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOBJ 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t objs[NOBJ][64];
	uint64_t handles[NOBJ] = { 0 };
	unsigned types[NOBJ] = { 0 };
	int live[NOBJ] = { 0 };
	struct kc_objt *t;
	size_t i;

	if (kc_objt_new(&t, 0, NULL))
		return 0;
	for (i = 0; i + 16 <= size; i += 16) {
		const uint8_t *r = data + i;
		unsigned op = r[0] % 4, k = r[1] % NOBJ, type = r[1] % 3;
		size_t off = r[2], len = r[3];
		uint64_t h;
		void *p;

		memcpy(&h, r + 8, 8);
		switch (op) {
		case 0:
			if (kc_objt_track(t, &h, objs[k], type, 16, 4) == 0) {
				if (live[k] && (h != handles[k] || types[k] != type))
					abort(); /* re-tracking must give the same handle */
				handles[k] = h;
				types[k] = type;
				live[k] = 1;
			} else if (!live[k]) {
				abort(); /* nothing overlaps objs[k] when it is not live */
			}
			break;
		case 1:
			kc_objt_untrack(t, objs[k]);
			live[k] = 0;
			break;
		case 2:
			h ^= handles[k]; /* a real handle with fuzzed bits flipped */
			/* fall through */
		case 3:
			if (kc_objt_lookup(t, &p, h, type, off, len) == 0) {
				size_t j;
				int ok = 0;

				for (j = 0; j < NOBJ; j++)
					if (live[j] && handles[j] == h && types[j] == type &&
					    (uint8_t *)p == objs[j] + off && off + len <= 64)
						ok = 1;
				if (!ok)
					abort();
			}
			break;
		}
	}
	kc_objt_free(t);
	return 0;
}
