/*
 * kc_common.c - error slot, string buffer, file and path helpers shared by all kcut modules.
 * Nothing here knows about drivers; it is the plumbing under every module.
 */
#include "kc_common.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int kc_err_set(struct kc_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int kc_err_prefix(struct kc_err *err, const char *fmt, ...)
{
	char head[512];
	size_t hl, ol, room;
	va_list ap;

	if (!err)
		return KC_EBUG;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	hl = strlen(head);
	ol = strnlen(err->msg, sizeof(err->msg) - 1);
	room = sizeof(err->msg) - 1 - hl - 2; /* head is < 512, msg is 1024: room > 0 */
	if (ol > room)
		ol = room;
	memmove(err->msg + hl + 2, err->msg, ol);
	err->msg[hl + 2 + ol] = '\0';
	memcpy(err->msg, head, hl);
	err->msg[hl] = ':';
	err->msg[hl + 1] = ' ';
	return err->code;
}

void kc_err_clear(struct kc_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

const char *kc_strerror(int code)
{
	switch (code) {
	case KC_OK: return "ok";
	case KC_EINVAL: return "invalid input";
	case KC_ENOMEM: return "out of memory";
	case KC_EIO: return "I/O error";
	case KC_ENOTFOUND: return "not found";
	case KC_EDB: return "database error";
	case KC_EPARSE: return "parse error";
	case KC_EPARTIAL: return "some inputs failed";
	case KC_ECONFLICT: return "conflicting constraints";
	case KC_EINTR: return "interrupted";
	case KC_EUNSUPP: return "not supported";
	case KC_EBUG: return "internal error (a bug in kcut)";
	default: return "unknown error";
	}
}

int kc_exit_code(int rc)
{
	if (rc >= 0)
		return KC_EXIT_OK;
	if (rc == KC_EPARTIAL)
		return KC_EXIT_PARTIAL;
	return KC_EXIT_USAGE;
}

static void sb_grow(struct kc_sb *sb, size_t need)
{
	size_t cap;
	char *p;

	if (sb->oom || sb->len + need + 1 <= sb->cap)
		return;
	cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + need + 1)
		cap *= 2;
	p = realloc(sb->s, cap);
	if (!p) {
		sb->oom = 1;
		return;
	}
	sb->s = p;
	sb->cap = cap;
}

void kc_sb_addn(struct kc_sb *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	if (sb->oom)
		return;
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void kc_sb_add(struct kc_sb *sb, const char *s)
{
	kc_sb_addn(sb, s, strlen(s));
}

void kc_sb_vaddf(struct kc_sb *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	if (sb->oom)
		return;
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void kc_sb_addf(struct kc_sb *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void kc_sb_reset(struct kc_sb *sb)
{
	sb->len = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

char *kc_sb_steal(struct kc_sb *sb)
{
	char *s = sb->s ? sb->s : kc_xstrdup("");

	sb->s = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void kc_sb_free(struct kc_sb *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
	sb->oom = 0;
}

int kc_read_file(char **out, size_t *out_len, const char *path, struct kc_err *err)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc = 0;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		rc = kc_err_set(err, KC_EIO, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *p;

			cap = cap ? cap * 2 : 8192;
			p = realloc(buf, cap);
			if (!p) {
				rc = kc_err_set(err, KC_ENOMEM, "%s: out of memory", path);
				goto cleanup;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		rc = kc_err_set(err, KC_EIO, "%s: read error", path);
		goto cleanup;
	}
	if (!buf)
		buf = kc_xcalloc(1, 1);
	buf[len] = '\0';
	*out = buf;
	if (out_len)
		*out_len = len;
	buf = NULL;
cleanup:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

uint64_t kc_hash64_update(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

char *kc_path_join(const char *dir, const char *rel)
{
	struct kc_sb sb = { 0 };

	if (!rel)
		return NULL;
	if (rel[0] == '/' || !dir || !dir[0])
		return kc_xstrdup(rel);
	kc_sb_add(&sb, dir);
	if (sb.len && sb.s[sb.len - 1] != '/')
		kc_sb_add(&sb, "/");
	kc_sb_add(&sb, rel);
	if (sb.oom) {
		kc_sb_free(&sb);
		return NULL;
	}
	return kc_sb_steal(&sb);
}

char *kc_path_canon(const char *path)
{
	char buf[PATH_MAX];

	if (realpath(path, buf))
		return kc_xstrdup(buf);
	return kc_xstrdup(path);
}

int kc_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) != 0)
		return 0;
	return path[n] == '\0' || path[n] == '/';
}

static void oom(size_t n)
{
	fprintf(stderr, "kcut: internal error: out of memory allocating %zu bytes\n", n);
	abort();
}

void *kc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *kc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *kc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *kc_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		oom(strlen(s));
	return p;
}

void kc_assert_fail(const char *expr, const char *file, int line)
{
	fprintf(stderr, "kcut: internal error (bug): assertion '%s' failed at %s:%d\n", expr, file, line);
	abort();
}
