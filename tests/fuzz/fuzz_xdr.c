/*
 * fuzz_xdr.c - libFuzzer target for the XDR decoder. The first 16 bytes of the input are a
 * program (one decoder call per byte), the rest is the message. Whatever the input, the decoder
 * must not read outside the message (ASan), must return pointers inside it, and must stay
 * failed once it failed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kcut_rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nprog = size < 16 ? size : 16, i;
	uint8_t *msg;
	struct kc_xdr x;
	uint32_t arr[16], n;
	char s[32];

	/* an exact-size heap copy, so any overread is caught */
	msg = malloc(size - nprog + 1);
	if (!msg)
		return 0;
	memcpy(msg, data + nprog, size - nprog);
	kc_xdr_init_dec(&x, msg, size - nprog);
	for (i = 0; i < nprog; i++) {
		const uint8_t *p = NULL;
		int was_err = x.err;
		size_t before = x.pos;

		switch (data[i] % 14) {
		case 0: kc_xdr_get_u32(&x); break;
		case 1: kc_xdr_get_i32(&x); break;
		case 2: kc_xdr_get_enum(&x, -3, 3); break;
		case 3: kc_xdr_get_u64(&x); break;
		case 4: kc_xdr_get_bool(&x); break;
		case 5: p = kc_xdr_get_fixed(&x, data[i] % 9); break;
		case 6: p = kc_xdr_get_opaque(&x, &n, 64); break;
		case 7: p = kc_xdr_get_opaque(&x, &n, UINT32_MAX); break;
		case 8: kc_xdr_get_string(&x, s, sizeof(s)); break;
		case 9: kc_xdr_get_u32_fixed(&x, arr, data[i] % 17); break;
		case 10: kc_xdr_get_u32_array(&x, arr, &n, 16); break;
		case 11: kc_xdr_get_count(&x, UINT32_MAX, 4); break;
		case 12: kc_xdr_get_handle(&x); break;
		case 13: kc_xdr_dec_done(&x); break;
		}
		if (p && (p < msg || p > msg + (size - nprog)))
			abort();
		if (x.pos > x.cap || (x.pos & 3) || (was_err && (!x.err || x.pos != before)))
			abort();
	}
	free(msg);
	return 0;
}
