/*
 * linux/string.h - kernel model: memcpy/memset/strcmp from libc plus the kernel's strscpy()/strlcpy().
 */
#ifndef _KC_LINUX_STRING_H
#define _KC_LINUX_STRING_H

/* glibc's <string.h> pulls in <strings.h>, whose index()/rindex() would collide with the `index`
 * module parameter every ALSA driver has; rename them while the libc header is read. */
#define index __kc_libc_index
#define rindex __kc_libc_rindex
#include <string.h>
#undef index
#undef rindex
#include <linux/types.h>

ssize_t strscpy(char *dest, const char *src, size_t count);
size_t strlcpy(char *dest, const char *src, size_t size);
void *kmemdup(const void *src, size_t len, gfp_t gfp);
char *kstrdup(const char *s, gfp_t gfp);
void *memchr_inv(const void *start, int c, size_t bytes);

#endif
