#ifndef _LINUX_STRING_H
#define _LINUX_STRING_H
#include <linux/types.h>
size_t strlen(const char *s);
char *strcpy(char *dst, const char *src);
ssize_t strscpy(char *dst, const char *src, size_t count);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
#endif
