/*
 * rt_xdr_test.c - XDR marshaling: round trips of every type, the exact wire bytes (checked
 * against RFC 4506 examples), every truncation of a valid message rejected, malformed input
 * rejected, and the encoder failing cleanly when its buffer is full.
 */
#include <stdlib.h>
#include <string.h>

#include "kc_test.h"
#include "kcut_rt.h"

/* One message that uses every encoder. */
static size_t encode_all(uint8_t *buf, size_t cap)
{
	static const uint32_t arr[5] = { 1, 2, 3, 0xffffffffu, 0x80000000u };
	static const uint8_t fixed[7] = { 1, 2, 3, 4, 5, 6, 7 };
	struct kc_xdr x;

	kc_xdr_init_enc(&x, buf, cap);
	kc_xdr_put_u32(&x, 0xdeadbeefu);
	kc_xdr_put_i32(&x, -5);
	kc_xdr_put_enum(&x, 3);
	kc_xdr_put_u64(&x, 0x0102030405060708ull);
	kc_xdr_put_i64(&x, -1234567890123ll);
	kc_xdr_put_bool(&x, 1);
	kc_xdr_put_bool(&x, 0);
	kc_xdr_put_fixed(&x, fixed, 7);
	kc_xdr_put_opaque(&x, fixed, 5);
	kc_xdr_put_opaque(&x, NULL, 0);
	kc_xdr_put_string(&x, "eth0");
	kc_xdr_put_string(&x, "kcut!");
	kc_xdr_put_u32_fixed(&x, arr, 3);
	kc_xdr_put_u32_array(&x, arr, 5);
	kc_xdr_put_handle(&x, 0);
	kc_xdr_put_handle(&x, 0x1234567800000001ull);
	return x.err ? 0 : x.pos;
}

/* Decode what encode_all wrote; returns the sticky error (0 when everything matched and the
 * whole message was consumed; KC_EBUG when a value differs). */
static int decode_all(const uint8_t *buf, size_t len)
{
	uint32_t arr[8], n = 0;
	const uint8_t *p;
	char s[16];
	struct kc_xdr x;
	int bad = 0;

	kc_xdr_init_dec(&x, buf, len);
	bad |= kc_xdr_get_u32(&x) != 0xdeadbeefu;
	bad |= kc_xdr_get_i32(&x) != -5;
	bad |= kc_xdr_get_enum(&x, 0, 7) != 3;
	bad |= kc_xdr_get_u64(&x) != 0x0102030405060708ull;
	bad |= kc_xdr_get_i64(&x) != -1234567890123ll;
	bad |= kc_xdr_get_bool(&x) != 1;
	bad |= kc_xdr_get_bool(&x) != 0;
	p = kc_xdr_get_fixed(&x, 7);
	bad |= !p || p[0] != 1 || p[6] != 7;
	p = kc_xdr_get_opaque(&x, &n, 100);
	bad |= !p || n != 5 || p[4] != 5;
	p = kc_xdr_get_opaque(&x, &n, 100);
	bad |= !p || n != 0;
	bad |= kc_xdr_get_string(&x, s, sizeof(s)) || strcmp(s, "eth0") != 0;
	bad |= kc_xdr_get_string(&x, s, sizeof(s)) || strcmp(s, "kcut!") != 0;
	bad |= kc_xdr_get_u32_fixed(&x, arr, 3) || arr[2] != 3;
	bad |= kc_xdr_get_u32_array(&x, arr, &n, 8) || n != 5 || arr[4] != 0x80000000u;
	bad |= kc_xdr_get_handle(&x) != 0;
	bad |= kc_xdr_get_handle(&x) != 0x1234567800000001ull;
	if (kc_xdr_dec_done(&x))
		return x.err;
	return bad ? KC_EBUG : 0;
}

static void test_round_trip_all_types(void)
{
	uint8_t buf[512];
	size_t n = encode_all(buf, sizeof(buf));

	KC_REQUIRE(n > 0);
	KC_CHECK_EQ_INT(n % 4, 0);
	KC_CHECK_EQ_INT(decode_all(buf, n), 0);
}

static void test_wire_format(void)
{
	uint8_t buf[64];
	struct kc_xdr x;
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x2a,                         /* int 42 */
		0xff, 0xff, 0xff, 0xfe,                         /* int -2 */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, /* hyper 0x100000002 */
		0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c', 0x00,    /* string "abc" + 1 pad */
		0x00, 0x00, 0x00, 0x01,                         /* TRUE */
	};

	kc_xdr_init_enc(&x, buf, sizeof(buf));
	kc_xdr_put_i32(&x, 42);
	kc_xdr_put_i32(&x, -2);
	kc_xdr_put_u64(&x, 0x100000002ull);
	kc_xdr_put_string(&x, "abc");
	kc_xdr_put_bool(&x, 5);
	KC_CHECK_EQ_INT(x.err, 0);
	KC_CHECK_EQ_INT(x.pos, sizeof(want));
	KC_CHECK(memcmp(buf, want, sizeof(want)) == 0);
}

/* Every prefix of a valid message is rejected; the decoder reads only the prefix (the copy is
 * exactly that long, so ASan catches any read past it). */
static void test_every_truncation_rejected(void)
{
	uint8_t buf[512];
	size_t n = encode_all(buf, sizeof(buf)), k;
	int accepted = 0;

	KC_REQUIRE(n > 0);
	for (k = 0; k < n; k++) {
		uint8_t *cut = malloc(k ? k : 1);

		memcpy(cut, buf, k);
		if (decode_all(k ? cut : NULL, k) != KC_EINVAL)
			accepted++;
		free(cut);
	}
	KC_CHECK_EQ_INT(accepted, 0);
}

static void test_malformed_rejected(void)
{
	uint8_t b[32];
	struct kc_xdr x;
	uint32_t n, a[4];
	char s[8];

	/* bool 2 */
	memcpy(b, "\0\0\0\2", 4);
	kc_xdr_init_dec(&x, b, 4);
	kc_xdr_get_bool(&x);
	KC_CHECK_EQ_INT(x.err, KC_EINVAL);
	/* nonzero padding */
	memcpy(b, "\0\0\0\1" "a\0\1\0", 8);
	kc_xdr_init_dec(&x, b, 8);
	KC_CHECK(kc_xdr_get_opaque(&x, &n, 10) == NULL);
	KC_CHECK_EQ_INT(x.err, KC_EINVAL);
	/* NUL inside a string */
	memcpy(b, "\0\0\0\3" "a\0b\0", 8);
	kc_xdr_init_dec(&x, b, 8);
	KC_CHECK_EQ_INT(kc_xdr_get_string(&x, s, sizeof(s)), KC_EINVAL);
	/* string longer than the destination */
	memcpy(b, "\0\0\0\x08" "abcdefgh", 12);
	kc_xdr_init_dec(&x, b, 12);
	KC_CHECK_EQ_INT(kc_xdr_get_string(&x, s, sizeof(s)), KC_EINVAL);
	KC_CHECK_EQ_STR(s, "");
	/* opaque above max, and a huge length: no allocation, no read */
	memcpy(b, "\x7f\xff\xff\xff", 4);
	kc_xdr_init_dec(&x, b, 4);
	KC_CHECK(kc_xdr_get_opaque(&x, &n, UINT32_MAX) == NULL);
	KC_CHECK_EQ_INT(n, 0);
	/* array count above max / above what the message holds */
	memcpy(b, "\0\0\0\5", 4);
	kc_xdr_init_dec(&x, b, 4);
	KC_CHECK_EQ_INT(kc_xdr_get_u32_array(&x, a, &n, 4), KC_EINVAL);
	memcpy(b, "\0\0\0\3\0\0\0\1", 8);
	kc_xdr_init_dec(&x, b, 8);
	KC_CHECK_EQ_INT(kc_xdr_get_count(&x, 1000, 4), 0);
	KC_CHECK_EQ_INT(x.err, KC_EINVAL);
	/* enum out of range */
	memcpy(b, "\0\0\0\x09", 4);
	kc_xdr_init_dec(&x, b, 4);
	KC_CHECK_EQ_INT(kc_xdr_get_enum(&x, 0, 3), 0);
	KC_CHECK_EQ_INT(x.err, KC_EINVAL);
	/* TRUE followed by a null handle */
	memset(b, 0, 12);
	b[3] = 1;
	kc_xdr_init_dec(&x, b, 12);
	KC_CHECK(kc_xdr_get_handle(&x) == 0);
	KC_CHECK_EQ_INT(x.err, KC_EINVAL);
	/* trailing bytes */
	kc_xdr_init_dec(&x, b, 8);
	kc_xdr_get_u32(&x);
	KC_CHECK_EQ_INT(kc_xdr_dec_done(&x), KC_EINVAL);
	/* sticky: after an error every get returns 0 */
	memcpy(b, "\0\0\0\2\0\0\0\7", 8);
	kc_xdr_init_dec(&x, b, 8);
	kc_xdr_get_bool(&x);
	KC_CHECK_EQ_INT(kc_xdr_get_u32(&x), 0);
	KC_CHECK_EQ_INT(x.pos, 4);
}

static void test_encoder_full(void)
{
	uint8_t buf[10];
	struct kc_xdr x;

	kc_xdr_init_enc(&x, buf, sizeof(buf));
	kc_xdr_put_u32(&x, 1);
	kc_xdr_put_u64(&x, 2); /* 12 > 10 */
	KC_CHECK_EQ_INT(x.err, KC_ENOMEM);
	KC_CHECK_EQ_INT(x.pos, 4);
	kc_xdr_put_u32(&x, 3); /* sticky even though 4 bytes would fit */
	KC_CHECK_EQ_INT(x.pos, 4);
	kc_xdr_init_enc(&x, buf, sizeof(buf));
	kc_xdr_put_string(&x, "abcdef"); /* 4 + 8 > 10 */
	KC_CHECK_EQ_INT(x.err, KC_ENOMEM);
	kc_xdr_init_enc(&x, NULL, 100);
	kc_xdr_put_u32(&x, 1);
	KC_CHECK_EQ_INT(x.err, KC_ENOMEM);
}

static void test_padding_all_lengths(void)
{
	uint8_t buf[64], src[9] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	size_t len;

	for (len = 0; len <= 9; len++) {
		struct kc_xdr x;
		const uint8_t *p;
		uint32_t n = 99;

		kc_xdr_init_enc(&x, buf, sizeof(buf));
		kc_xdr_put_opaque(&x, src, len);
		KC_CHECK_EQ_INT(x.pos, 4 + ((len + 3) & ~3u));
		kc_xdr_init_dec(&x, buf, 4 + ((len + 3) & ~3u));
		p = kc_xdr_get_opaque(&x, &n, 9);
		KC_CHECK(p != NULL && n == len && memcmp(p, src, len) == 0);
		KC_CHECK_EQ_INT(kc_xdr_dec_done(&x), 0);
	}
}

int main(void)
{
	KC_RUN(test_round_trip_all_types);
	KC_RUN(test_wire_format);
	KC_RUN(test_every_truncation_rejected);
	KC_RUN(test_malformed_rejected);
	KC_RUN(test_encoder_full);
	KC_RUN(test_padding_all_lengths);
	return kc_test_done();
}
