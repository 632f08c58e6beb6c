/*
 * kcut_lx_libc.h - the bridge between rt/lxuser's kernel-import library (lx_kimports.c, compiled
 * against the kernel's headers) and the C library (lx_libc.c, compiled against glibc's). Only
 * builtin types, so both sides include it.
 */
#ifndef KCUT_LX_LIBC_H
#define KCUT_LX_LIBC_H

void *kcl_alloc(unsigned long n, int zero);
void *kcl_realloc(void *p, unsigned long n);
void kcl_free(void *p);
/* Kernel printf formats (%pM, %pI4, %pe ...; %p of anything else prints the pointer) into buf
 * (n bytes, always terminated); returns the bytes written, without the NUL. */
int kcl_vformat(char *buf, unsigned long n, const char *fmt, __builtin_va_list ap);
/* A kernel log line: level is the KERN_* digit ('0'..'7') or 0. */
void kcl_log(int level, const char *msg);
void kcl_sleep_us(unsigned long us);
void kcl_delay_ns(unsigned long ns);
unsigned long long kcl_now_ns(void);
void kcl_yield(void);
int kcl_tid(void);
__attribute__((noreturn)) void kcl_abort(const char *why);
#endif
