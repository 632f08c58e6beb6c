/*
 * xdr.c - XDR marshaling (RFC 4506) into and out of a bounded buffer.
 *
 * Everything is 4-byte units, big-endian. The encoder fails (KC_ENOMEM, sticky) when the buffer
 * is full; the decoder fails (KC_EINVAL, sticky) on a short or malformed message. After the
 * first error every put is a no-op and every get returns 0 / NULL, so generated stubs can decode
 * a whole argument list and test the error once at the end. No length read from a message is
 * trusted: each is checked against what is left of the message before anything is copied, and
 * nothing here allocates.
 */
#include "kcut_rt.h"

#include <string.h>

static inline size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static inline void fail(struct kc_xdr *x, int code)
{
	if (!x->err)
		x->err = code;
}

void kc_xdr_init_enc(struct kc_xdr *x, void *buf, size_t cap)
{
	x->buf = buf;
	x->cap = buf ? cap : 0;
	x->pos = 0;
	x->err = 0;
}

void kc_xdr_init_dec(struct kc_xdr *x, const void *buf, size_t len)
{
	x->buf = (uint8_t *)(uintptr_t)buf;
	x->cap = buf ? len : 0;
	x->pos = 0;
	x->err = 0;
}

int kc_xdr_dec_done(struct kc_xdr *x)
{
	if (x->err)
		return x->err;
	if (x->pos != x->cap)
		fail(x, KC_EINVAL);
	return x->err;
}

int32_t kc_xdr_get_enum(struct kc_xdr *x, int32_t lo, int32_t hi)
{
	int32_t v = kc_xdr_get_i32(x);

	if (x->err)
		return lo;
	if (v < lo || v > hi) {
		fail(x, KC_EINVAL);
		return lo;
	}
	return v;
}

void kc_xdr_put_u64(struct kc_xdr *x, uint64_t v)
{
	if (x->err || x->cap - x->pos < 8) {
		fail(x, KC_ENOMEM);
		return;
	}
	v = __builtin_bswap64(v);
	memcpy(x->buf + x->pos, &v, 8);
	x->pos += 8;
}

uint64_t kc_xdr_get_u64(struct kc_xdr *x)
{
	uint64_t v;

	if (x->err || x->cap - x->pos < 8) {
		fail(x, KC_EINVAL);
		return 0;
	}
	memcpy(&v, x->buf + x->pos, 8);
	x->pos += 8;
	return __builtin_bswap64(v);
}

void kc_xdr_put_bool(struct kc_xdr *x, int v)
{
	kc_xdr_put_u32(x, v ? 1 : 0);
}

int kc_xdr_get_bool(struct kc_xdr *x)
{
	uint32_t v = kc_xdr_get_u32(x);

	if (v > 1) {
		fail(x, KC_EINVAL);
		return 0;
	}
	return (int)v;
}

void kc_xdr_put_fixed(struct kc_xdr *x, const void *p, size_t n)
{
	size_t pad = pad4(n);

	if (x->err || n > x->cap - x->pos || pad > x->cap - x->pos - n) {
		fail(x, KC_ENOMEM);
		return;
	}
	if (n)
		memcpy(x->buf + x->pos, p, n);
	memset(x->buf + x->pos + n, 0, pad);
	x->pos += n + pad;
}

const void *kc_xdr_get_fixed(struct kc_xdr *x, size_t n)
{
	size_t pad = pad4(n), i;
	const uint8_t *p;

	if (x->err || n > x->cap - x->pos || pad > x->cap - x->pos - n) {
		fail(x, KC_EINVAL);
		return NULL;
	}
	p = x->buf + x->pos;
	for (i = 0; i < pad; i++) {
		if (p[n + i]) {
			fail(x, KC_EINVAL);
			return NULL;
		}
	}
	x->pos += n + pad;
	return p;
}

void kc_xdr_put_opaque(struct kc_xdr *x, const void *p, size_t n)
{
	if (n > UINT32_MAX) {
		fail(x, KC_ENOMEM);
		return;
	}
	kc_xdr_put_u32(x, (uint32_t)n);
	kc_xdr_put_fixed(x, p, n);
}

const void *kc_xdr_get_opaque(struct kc_xdr *x, uint32_t *n, uint32_t max)
{
	uint32_t len = kc_xdr_get_u32(x);
	const void *p;

	*n = 0;
	if (x->err)
		return NULL;
	if (len > max) {
		fail(x, KC_EINVAL);
		return NULL;
	}
	p = kc_xdr_get_fixed(x, len);
	if (p)
		*n = len;
	return p;
}

void kc_xdr_put_string(struct kc_xdr *x, const char *s)
{
	kc_xdr_put_opaque(x, s, s ? strlen(s) : 0);
}

int kc_xdr_get_string(struct kc_xdr *x, char *out, size_t outsz)
{
	uint32_t n = 0;
	const char *p;

	if (outsz == 0) {
		fail(x, KC_EINVAL);
		return x->err;
	}
	out[0] = '\0';
	p = kc_xdr_get_opaque(x, &n, outsz - 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(outsz - 1));
	if (!p)
		return x->err;
	if (memchr(p, '\0', n)) {
		fail(x, KC_EINVAL);
		return x->err;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

void kc_xdr_put_u32_fixed(struct kc_xdr *x, const uint32_t *a, size_t n)
{
	size_t i;

	if (x->err || n > (x->cap - x->pos) / 4) {
		fail(x, KC_ENOMEM);
		return;
	}
	for (i = 0; i < n; i++) {
		uint32_t v = __builtin_bswap32(a[i]);

		memcpy(x->buf + x->pos + 4 * i, &v, 4);
	}
	x->pos += 4 * n;
}

int kc_xdr_get_u32_fixed(struct kc_xdr *x, uint32_t *a, size_t n)
{
	size_t i;

	if (x->err || n > (x->cap - x->pos) / 4) {
		fail(x, KC_EINVAL);
		return x->err;
	}
	for (i = 0; i < n; i++) {
		uint32_t v;

		memcpy(&v, x->buf + x->pos + 4 * i, 4);
		a[i] = __builtin_bswap32(v);
	}
	x->pos += 4 * n;
	return 0;
}

void kc_xdr_put_u32_array(struct kc_xdr *x, const uint32_t *a, uint32_t n)
{
	kc_xdr_put_u32(x, n);
	kc_xdr_put_u32_fixed(x, a, n);
}

int kc_xdr_get_u32_array(struct kc_xdr *x, uint32_t *a, uint32_t *n, uint32_t max)
{
	uint32_t cnt = kc_xdr_get_count(x, max, 4);

	*n = 0;
	if (x->err)
		return x->err;
	if (kc_xdr_get_u32_fixed(x, a, cnt))
		return x->err;
	*n = cnt;
	return 0;
}

uint32_t kc_xdr_get_count(struct kc_xdr *x, uint32_t max, uint32_t min_unit)
{
	uint32_t cnt = kc_xdr_get_u32(x);

	if (x->err)
		return 0;
	if (cnt > max || (min_unit && cnt > (x->cap - x->pos) / min_unit)) {
		fail(x, KC_EINVAL);
		return 0;
	}
	return cnt;
}

void kc_xdr_put_handle(struct kc_xdr *x, uint64_t h)
{
	kc_xdr_put_bool(x, h != 0);
	if (h)
		kc_xdr_put_u64(x, h);
}

uint64_t kc_xdr_get_handle(struct kc_xdr *x)
{
	uint64_t h;

	if (!kc_xdr_get_bool(x))
		return 0;
	h = kc_xdr_get_u64(x);
	if (!x->err && h == 0) {
		fail(x, KC_EINVAL); /* TRUE with a null handle is not a valid encoding */
		return 0;
	}
	return h;
}
