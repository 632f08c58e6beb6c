/*
 * fuzz_msg.c - libFuzzer target for the channel's message parser (what the kernel half runs on
 * every message the user half writes) followed by an XDR walk of the payload.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_rt_msg m;
	struct kc_xdr x;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (kc_rt_msg_parse(&m, copy, size) == 0) {
		if (m.len != size - KC_MSG_HDR || m.payload != copy + KC_MSG_HDR)
			abort();
		if (m.kind != KC_MSG_CALL && m.kind != KC_MSG_REPLY)
			abort();
		kc_xdr_init_dec(&x, m.payload, m.len);
		while (!x.err)
			kc_xdr_get_u32(&x);
	}
	free(copy);
	return 0;
}
