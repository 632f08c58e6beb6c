/*
 * fuzz_objt.c - libFuzzer target for the object tracker's handle checks. The input is a series of
 * 16-byte records: op, type, offset, length, handle. Ops track/untrack a small set of objects
 * or look up the given handle (possibly forged from an earlier real one by xor); a successful
 * lookup must give a pointer inside a live object of that type with the whole range inside it.
 * Ops 4 and 5 import a user-adopted handle (the kernel's own copy, made on first sight; only
 * handles with KC_OBJT_ADOPTED may be imported) and query a handle's type and size, which must
 * agree with what was tracked or imported.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kcut_rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOBJ 8
#define NADOPT 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t objs[NOBJ][64];
	uint64_t handles[NOBJ] = { 0 };
	unsigned types[NOBJ] = { 0 };
	int live[NOBJ] = { 0 };
	uint64_t ah[NADOPT] = { 0 };  /* adopted handles imported, with their type and size */
	unsigned aty[NADOPT] = { 0 };
	size_t asz[NADOPT] = { 0 }, nad = 0;
	struct kc_objt *t;
	size_t i;

	if (kc_objt_new(&t, 0, NULL))
		return 0;
	for (i = 0; i + 16 <= size; i += 16) {
		const uint8_t *r = data + i;
		unsigned op = r[0] % 6, k = r[1] % NOBJ, type = r[1] % 3;
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
				for (j = 0; j < nad; j++) /* the kernel's copy of an adopted object */
					if (ah[j] == h && aty[j] == type && off + len <= asz[j])
						ok = 1;
				if (!ok)
					abort();
			}
			break;
		case 4: {
			int fresh, rc;
			size_t sz = off + 1, j;

			if (nad == NADOPT)
				break;
			rc = kc_objt_import(t, &p, &fresh, h, type, sz);
			if (!kc_objt_is_adopted(h) || !h) {
				if (rc != KC_EINVAL)
					abort(); /* the kernel imports only adopted handles */
				break;
			}
			if (rc)
				break;
			for (j = 0; j < nad; j++)
				if (ah[j] == h)
					break;
			if (fresh != (j == nad) || (j < nad && (aty[j] != type || asz[j] != sz)))
				abort(); /* first sight makes a copy, later imports must match it */
			if (kc_objt_lookup(t, &p, h, type, 0, sz) != 0)
				abort();
			if (fresh) {
				ah[nad] = h;
				aty[nad] = type;
				asz[nad++] = sz;
			}
			break;
		}
		case 5: {
			uint32_t qt;
			size_t qs, j;
			int ok = 0;

			h ^= handles[k];
			if (kc_objt_query(t, &qt, &qs, NULL, h) != 0)
				break;
			for (j = 0; j < NOBJ; j++)
				if (live[j] && handles[j] == h && qt == types[j] && qs == 64)
					ok = 1;
			for (j = 0; j < nad; j++)
				if (ah[j] == h && qt == aty[j] && qs == asz[j])
					ok = 1;
			if (!ok)
				abort();
			break;
		}
		}
	}
	kc_objt_free(t);
	return 0;
}
