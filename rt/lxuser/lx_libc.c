/*
 * lx_libc.c - the C-library side of rt/lxuser's kernel-import library (kcut_lx_libc.h): what the
 * kernel functions a Linux user half runs locally need from the C library. Compiled against
 * glibc's headers, unlike lx_kimports.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "kcut_lx_libc.h"

void *kcl_alloc(unsigned long n, int zero)
{
	return zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
}

void *kcl_realloc(void *p, unsigned long n)
{
	return realloc(p, n ? n : 1);
}

void kcl_free(void *p)
{
	free(p);
}

void kcl_log(int level, const char *msg)
{
	static const char *const names[] = { "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug" };
	size_t n = strlen(msg);

	if (level >= '0' && level <= '7')
		fprintf(stderr, "kcut-lx user half [%s]: %s%s", names[level - '0'], msg,
			n && msg[n - 1] == '\n' ? "" : "\n");
	else
		fprintf(stderr, "kcut-lx user half: %s%s", msg, n && msg[n - 1] == '\n' ? "" : "\n");
}

void kcl_sleep_us(unsigned long us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

unsigned long long kcl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* udelay/ndelay: busy-wait as the kernel does (short delays between register accesses). */
void kcl_delay_ns(unsigned long ns)
{
	unsigned long long end = kcl_now_ns() + ns;

	while (kcl_now_ns() < end)
		;
}

void kcl_yield(void)
{
	sched_yield();
}

int kcl_tid(void)
{
	return (int)syscall(SYS_gettid);
}

void kcl_abort(const char *why)
{
	fprintf(stderr, "kcut-lx user half: %s\n", why);
	abort();
}

/* ---- kernel printf formats ---- */

struct out {
	char *buf;
	size_t n, len; /* len: what would have been written (as vsnprintf) */
};

static void put(struct out *o, const char *s, size_t k)
{
	if (o->len < o->n) {
		size_t room = o->n - 1 - o->len;

		memcpy(o->buf + o->len, s, k < room ? k : room);
	}
	o->len += k;
}

/* %p with a kernel extension: p points at the character after 'p'; returns the characters of
 * the extension consumed. */
static size_t ptr_ext(struct out *o, const char *p, const void *v)
{
	char tmp[64];
	const unsigned char *b = v;
	size_t used = 0;
	int k;

	if ((p[0] == 'M' || p[0] == 'm') && v) {
		const char *sep = p[0] == 'M' ? ":" : "";

		k = snprintf(tmp, sizeof(tmp), "%02x%s%02x%s%02x%s%02x%s%02x%s%02x", b[0], sep, b[1], sep, b[2], sep,
			     b[3], sep, b[4], sep, b[5]);
		used = 1;
		if (p[1] == 'R' || p[1] == 'F')
			used = 2;
	} else if ((p[0] == 'I' || p[0] == 'i') && p[1] == '4' && v) {
		k = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		used = 2;
	} else if (p[0] == 'e') {
		k = snprintf(tmp, sizeof(tmp), "%s", strerror((int)-(intptr_t)v));
		used = 1;
	} else {
		/* another extension (%pS, %pV, %pa ...): the pointer, extension letters skipped */
		k = snprintf(tmp, sizeof(tmp), "%p", v);
		while ((p[used] >= 'a' && p[used] <= 'z') || (p[used] >= 'A' && p[used] <= 'Z') ||
		       (p[used] >= '0' && p[used] <= '9'))
			used++;
	}
	if (k > 0)
		put(o, tmp, (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1);
	return used;
}

int kcl_vformat(char *buf, unsigned long n, const char *fmt, __builtin_va_list ap)
{
	struct out o = { buf, n, 0 };
	const char *f = fmt;

	while (*f) {
		char spec[32], tmp[512];
		const char *s = f;
		size_t sl;
		int width = -1, prec = -1, lng = 0, k = 0;
		char conv;

		if (*f != '%') {
			while (*f && *f != '%')
				f++;
			put(&o, s, (size_t)(f - s));
			continue;
		}
		f++;
		if (*f == '%') {
			put(&o, "%", 1);
			f++;
			continue;
		}
		while (*f && strchr("-+ #0", *f))
			f++;
		if (*f == '*') {
			width = va_arg(ap, int);
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				f++;
		}
		if (*f == '.') {
			f++;
			if (*f == '*') {
				prec = va_arg(ap, int);
				f++;
			} else {
				while (*f >= '0' && *f <= '9')
					f++;
			}
		}
		/* length: 0 int, 1 long, 2 long long, 3 size_t, 4 ptrdiff_t, 5 intmax_t; h/hh read an int */
		if (*f == 'h') {
			f++;
			if (*f == 'h')
				f++;
		} else if (*f == 'l') {
			f++;
			lng = 1;
			if (*f == 'l') {
				f++;
				lng = 2;
			}
		} else if (*f == 'L' || *f == 'q') {
			f++;
			lng = 2;
		} else if (*f == 'z' || *f == 'Z') {
			f++;
			lng = 3;
		} else if (*f == 't') {
			f++;
			lng = 4;
		} else if (*f == 'j') {
			f++;
			lng = 5;
		}
		conv = *f;
		if (!conv)
			break;
		f++;
		sl = (size_t)(f - s);
		if (sl >= sizeof(spec) - 1) {
			put(&o, s, sl);
			continue;
		}
		memcpy(spec, s, sl);
		spec[sl] = 0;
		if (conv == 'p') {
			const void *v = va_arg(ap, const void *);

			f += ptr_ext(&o, f, v);
			continue;
		}
		/* one conversion at a time, with its argument read at its type */
#define ONE(T) do { T v_ = va_arg(ap, T); \
		if (width >= 0 && prec >= 0) k = snprintf(tmp, sizeof(tmp), spec, width, prec, v_); \
		else if (width >= 0) k = snprintf(tmp, sizeof(tmp), spec, width, v_); \
		else if (prec >= 0) k = snprintf(tmp, sizeof(tmp), spec, prec, v_); \
		else k = snprintf(tmp, sizeof(tmp), spec, v_); } while (0)
		switch (conv) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
			switch (lng) {
			case 1: ONE(long); break;
			case 2: ONE(long long); break;
			case 3: ONE(size_t); break;
			case 4: ONE(ptrdiff_t); break;
			case 5: ONE(intmax_t); break;
			default: ONE(int); break;
			}
			break;
		case 'c':
			ONE(int);
			break;
		case 's': {
			const char *v = va_arg(ap, const char *);

			if (!v)
				v = "(null)";
			if (width >= 0 && prec >= 0)
				k = snprintf(tmp, sizeof(tmp), spec, width, prec, v);
			else if (width >= 0)
				k = snprintf(tmp, sizeof(tmp), spec, width, v);
			else if (prec >= 0)
				k = snprintf(tmp, sizeof(tmp), spec, prec, v);
			else
				k = snprintf(tmp, sizeof(tmp), spec, v);
			break;
		}
		default:
			/* %n and unknown conversions (the kernel has no floating point): printed as they are */
			put(&o, spec, sl);
			continue;
		}
#undef ONE
		if (k > 0)
			put(&o, tmp, (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1);
	}
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return (int)o.len;
}
