/*
 * loc.c - lines of code of a function: non-blank lines that are not only comment.
 *
 * A file is scanned once (kc_loc_index: one pass, comment state carried across lines) into a prefix
 * count per line; every function's count is then a subtraction (kc_loc_count), so a file with n
 * functions costs one pass instead of n (the old per-function scan from line 1 was quadratic).
 */
#include "internal.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>

static _Atomic size_t loc_bytes;

size_t kc_loc_bytes_scanned(void)
{
	return atomic_load(&loc_bytes);
}

unsigned *kc_loc_index(const char *buf, size_t len, unsigned *nlines)
{
	const char *s = buf, *end = buf + len;
	unsigned *pre, line = 1, n = 0, cap = 1;
	size_t i;
	int in_comment = 0, code = 0;

	for (i = 0; i < len; i++)
		cap += buf[i] == '\n';
	/* pre[k]: code lines among lines 1..k; pre[0] = 0 */
	pre = kc_xcalloc((size_t)cap + 1, sizeof(*pre));
	for (; s < end; s++) {
		if (*s == '\n') {
			n += code;
			pre[line++] = n;
			code = 0;
			continue;
		}
		if (in_comment) {
			if (*s == '*' && s + 1 < end && s[1] == '/') {
				in_comment = 0;
				s++;
			}
			continue;
		}
		if (*s == '/' && s + 1 < end && s[1] == '*') {
			in_comment = 1;
			s++;
			continue;
		}
		if (*s == '/' && s + 1 < end && s[1] == '/') {
			while (s + 1 < end && s[1] != '\n')
				s++;
			continue;
		}
		if (!isspace((unsigned char)*s))
			code = 1;
	}
	pre[line] = n + code; /* the last line (no newline after it, possibly empty) */
	atomic_fetch_add(&loc_bytes, len);
	*nlines = line;
	return pre;
}

int kc_loc_count(const unsigned *pre, unsigned nlines, unsigned first, unsigned last)
{
	if (!pre)
		return 0;
	if (first < 1)
		first = 1;
	if (last > nlines)
		last = nlines;
	if (first > last)
		return 0;
	return (int)(pre[last] - pre[first - 1]);
}
