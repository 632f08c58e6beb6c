/*
 * log.c - the kernel model's log: printk()/dev_*()/netdev_*() formatting, BUG and WARNING reports, and the
 * small string helpers of lib/ (strscpy, kstrto*, scnprintf, crc32).
 *
 * Formatting follows the kernel's vsprintf where drivers notice: %pM prints a MAC address, %pI4 an IPv4
 * address, %pe an error name, %pad/%pa the dma/phys address pointed to, and a bare %p prints "(ptrval)" so
 * that no host address ever reaches a transcript. Lines go to the sink set by kc_km_set_log() as
 * "LEVEL: text"; messages without a trailing newline are held until the next one (KERN_CONT).
 */
#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/netdevice.h>
#include <linux/string.h>
#include <linux/crc32.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "km_internal.h"

static kc_km_log_fn log_fn;
static void *log_arg;
static unsigned int bug_count, warn_count;
static bool panic_on_bug, log_stderr;
static char partial[1024];
static int partial_level = -1;

void kc_km_set_log(kc_km_log_fn fn, void *arg)
{
	log_fn = fn;
	log_arg = arg;
}

void km_log_configure(bool panic, bool to_stderr)
{
	panic_on_bug = panic;
	log_stderr = to_stderr;
}

unsigned int kc_km_bug_count(void)
{
	return bug_count;
}

unsigned int kc_km_warn_count(void)
{
	return warn_count;
}

const char *km_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static const char *level_name(int level)
{
	static const char *const names[] = { "emerg", "alert", "crit", "err", "warn", "notice", "info",
					     "debug" };

	if (level < 0 || level > 7)
		return "warn";
	return names[level];
}

static void emit_line(int level, const char *text)
{
	char line[1200];

	snprintf(line, sizeof(line), "%s: %s", level_name(level), text);
	if (log_fn)
		log_fn(log_arg, line);
	if (log_stderr || !log_fn)
		fprintf(stderr, "kernel: %s\n", line);
}

static void flush_partial(void)
{
	if (partial_level >= 0) {
		emit_line(partial_level, partial);
		partial[0] = 0;
		partial_level = -1;
	}
}

/* Emit formatted text at `level`, splitting lines; cont appends to a held partial line. */
static void log_text(int level, bool cont, const char *text)
{
	const char *p = text;

	if (!cont)
		flush_partial();
	else if (partial_level >= 0)
		level = partial_level;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t have = strlen(partial);

		if (have + n >= sizeof(partial))
			n = sizeof(partial) - 1 - have;
		memcpy(partial + have, p, n);
		partial[have + n] = 0;
		partial_level = level;
		if (!nl)
			break;
		flush_partial();
		p = nl + 1;
	}
}

/* ---- vsprintf with kernel extensions ---- */

static const char *errname(int err)
{
	static const struct {
		int e;
		const char *n;
	} tab[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ ENXIO, "ENXIO" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" }, { ENODATA, "ENODATA" },
		{ ETIME, "ETIME" }, { EPROTO, "EPROTO" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ENETDOWN, "ENETDOWN" }, { ENOBUFS, "ENOBUFS" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { EALREADY, "EALREADY" }, { EINPROGRESS, "EINPROGRESS" },
		{ EREMOTEIO, "EREMOTEIO" }, { ENOTSUPP, "ENOTSUPP" }, { EPROBE_DEFER, "EPROBE_DEFER" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		if (tab[i].e == err)
			return tab[i].n;
	return NULL;
}

struct outbuf {
	char *buf;
	size_t size;
	size_t len;	/* would-be length */
};

static void out_str(struct outbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
		o->len++;
	}
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
}

static void out_fmt(struct outbuf *o, const char *spec, ...) __attribute__((format(printf, 2, 3)));
static void out_fmt(struct outbuf *o, const char *spec, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, spec);
	n = vsnprintf(tmp, sizeof(tmp), spec, ap);
	va_end(ap);
	if (n > 0)
		out_str(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* %p with extension `ext` (the alphanumerics after 'p'). */
static void out_pointer(struct outbuf *o, const char *ext, size_t extlen, const void *ptr)
{
	const unsigned char *b = ptr;

	if (extlen >= 1 && (ext[0] == 'M' || ext[0] == 'm')) {
		char sep = ext[0] == 'm' ? 0 : (extlen >= 2 && ext[1] == 'F') ? '-' : ':';

		if (!ptr) {
			out_str(o, "(null)", 6);
			return;
		}
		for (int i = 0; i < 6; i++) {
			out_fmt(o, "%02x", b[i]);
			if (sep && i < 5)
				out_str(o, &sep, 1);
		}
		return;
	}
	if (extlen >= 2 && (ext[0] == 'I' || ext[0] == 'i') && ext[1] == '4') {
		if (ptr)
			out_fmt(o, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		return;
	}
	if (extlen >= 1 && ext[0] == 'e') {
		long err = (long)ptr;
		const char *n = errname((int)-err);

		if (n)
			out_fmt(o, "-%s", n);
		else
			out_fmt(o, "%ld", err);
		return;
	}
	if (extlen >= 2 && ext[0] == 'a' && ext[1] == 'd') {
		out_fmt(o, "0x%016llx", ptr ? (unsigned long long)*(const dma_addr_t *)ptr : 0ULL);
		return;
	}
	if (extlen >= 1 && ext[0] == 'a') {
		out_fmt(o, "0x%016llx", ptr ? (unsigned long long)*(const phys_addr_t *)ptr : 0ULL);
		return;
	}
	if (extlen >= 1 && (ext[0] == 'S' || ext[0] == 's' || ext[0] == 'F' || ext[0] == 'f')) {
		out_str(o, "(symbol)", 8);
		return;
	}
	out_str(o, ptr ? "(ptrval)" : "(null)", ptr ? 8 : 6);
}

int km_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };
	const char *p = fmt;

	if (size)
		buf[0] = 0;
	while (*p) {
		const char *start = p;
		char spec[32];
		size_t sl = 0;
		int lmod = 0;	/* 0 int, 1 long, 2 long long, 3 size_t, 4 ptrdiff, 5 intmax, 6 long double */

		if (*p != '%') {
			const char *q = strchr(p, '%');
			size_t n = q ? (size_t)(q - p) : strlen(p);

			out_str(&o, p, n);
			p += n;
			continue;
		}
		p++;
		if (*p == '%') {
			out_str(&o, "%", 1);
			p++;
			continue;
		}
		spec[sl++] = '%';
		while (*p && strchr("-+ #0", *p) && sl < 20)
			spec[sl++] = *p++;
		if (*p == '*') {
			sl += (size_t)snprintf(spec + sl, sizeof(spec) - sl, "%d", va_arg(ap, int));
			p++;
		} else {
			while (isdigit((unsigned char)*p) && sl < 24)
				spec[sl++] = *p++;
		}
		if (*p == '.') {
			spec[sl++] = *p++;
			if (*p == '*') {
				sl += (size_t)snprintf(spec + sl, sizeof(spec) - sl, "%d", va_arg(ap, int));
				p++;
			} else {
				while (isdigit((unsigned char)*p) && sl < 28)
					spec[sl++] = *p++;
			}
		}
		if (*p == 'h') {
			p++;
			lmod = -1;
			if (*p == 'h') {
				p++;
				lmod = -2;
			}
		} else if (*p == 'l') {
			p++;
			lmod = 1;
			if (*p == 'l') {
				p++;
				lmod = 2;
			}
		} else if (*p == 'z') {
			p++;
			lmod = 3;
		} else if (*p == 't') {
			p++;
			lmod = 4;
		} else if (*p == 'j') {
			p++;
			lmod = 5;
		} else if (*p == 'L') {
			p++;
			lmod = 6;
		}
		if (!*p) {
			out_str(&o, start, strlen(start));
			break;
		}
		char conv = *p++;

		switch (conv) {
		case 'd':
		case 'i':
			spec[sl++] = 'l';
			spec[sl++] = 'l';
			spec[sl++] = 'd';
			spec[sl] = 0;
			{
				long long v;

				switch (lmod) {
				case 1: v = va_arg(ap, long); break;
				case 2: v = va_arg(ap, long long); break;
				case 3: v = va_arg(ap, ssize_t); break;
				case 4: v = va_arg(ap, ptrdiff_t); break;
				case 5: v = va_arg(ap, intmax_t); break;
				default: v = va_arg(ap, int); break;
				}
				out_fmt(&o, spec, v);
			}
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			spec[sl++] = 'l';
			spec[sl++] = 'l';
			spec[sl++] = conv;
			spec[sl] = 0;
			{
				unsigned long long v;

				switch (lmod) {
				case 1: v = va_arg(ap, unsigned long); break;
				case 2: v = va_arg(ap, unsigned long long); break;
				case 3: v = va_arg(ap, size_t); break;
				case 4: v = (unsigned long long)va_arg(ap, ptrdiff_t); break;
				case 5: v = va_arg(ap, uintmax_t); break;
				default: v = va_arg(ap, unsigned int); break;
				}
				/* %hx / %hhx: the argument was promoted to int; truncate as C does. */
				if (lmod == -1)
					v &= 0xffff;
				else if (lmod == -2)
					v &= 0xff;
				out_fmt(&o, spec, v);
			}
			break;
		case 'c':
			spec[sl++] = 'c';
			spec[sl] = 0;
			out_fmt(&o, spec, va_arg(ap, int));
			break;
		case 's':
			spec[sl++] = 's';
			spec[sl] = 0;
			{
				const char *s = va_arg(ap, const char *);

				out_fmt(&o, spec, s ? s : "(null)");
			}
			break;
		case 'f':
		case 'g':
		case 'e':
			spec[sl++] = conv;
			spec[sl] = 0;
			if (lmod == 6)
				out_fmt(&o, "%Lg", va_arg(ap, long double));
			else
				out_fmt(&o, spec, va_arg(ap, double));
			break;
		case 'p': {
			const char *ext = p;
			size_t extlen = 0;

			while (isalnum((unsigned char)p[extlen]))
				extlen++;
			p += extlen;
			out_pointer(&o, ext, extlen, va_arg(ap, const void *));
			break;
		}
		default:
			out_str(&o, start, (size_t)(p - start));
			break;
		}
	}
	return (int)o.len;
}

/* ---- printk family ---- */

static int parse_level(const char **fmt, bool *cont)
{
	const char *f = *fmt;
	int level = LOGLEVEL_WARNING;	/* the default message level */

	*cont = false;
	while (f[0] == '\001' && f[1]) {
		if (f[1] >= '0' && f[1] <= '7')
			level = f[1] - '0';
		else if (f[1] == 'c')
			*cont = true;
		f += 2;
	}
	*fmt = f;
	return level;
}

void km_vlog(int level, const char *prefix, const char *fmt, va_list ap)
{
	char text[1024];
	size_t n = 0;

	if (prefix)
		n = (size_t)snprintf(text, sizeof(text), "%s", prefix);
	if (n < sizeof(text))
		km_vformat(text + n, sizeof(text) - n, fmt, ap);
	log_text(level, false, text);
	flush_partial();
}

void km_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	km_vlog(level, NULL, fmt, ap);
	va_end(ap);
}

int vprintk(const char *fmt, va_list args)
{
	char text[1024];
	bool cont;
	int level = parse_level(&fmt, &cont);
	int n = km_vformat(text, sizeof(text), fmt, args);

	log_text(level, cont, text);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void km_bug(const char *fmt, ...)
{
	va_list ap;

	bug_count++;
	va_start(ap, fmt);
	km_vlog(LOGLEVEL_ERR, NULL, fmt, ap);
	va_end(ap);
	if (panic_on_bug) {
		km_log(LOGLEVEL_ERR, "Kernel panic - not syncing: panic_on_bug set");
		fflush(NULL);
		abort();
	}
}

void km_fatal(const char *fmt, ...)
{
	va_list ap;

	bug_count++;
	va_start(ap, fmt);
	km_vlog(LOGLEVEL_ERR, NULL, fmt, ap);
	va_end(ap);
	km_log_locks_held();
	km_log(LOGLEVEL_ERR, "Kernel panic - not syncing: fatal error in the kernel model");
	fflush(NULL);
	abort();
}

void __kc_warn(const char *file, int line, const char *cond)
{
	warn_count++;
	km_log(LOGLEVEL_WARNING, "WARNING: at %s:%d: %s (context: %s)", km_basename(file), line, cond,
	       km_ctx_name());
}

void __kc_bug(const char *file, int line, const char *cond)
{
	km_fatal("kernel BUG at %s:%d: %s", km_basename(file), line, cond);
}

void dump_stack(void)
{
	km_log(LOGLEVEL_WARNING, "Call trace: (not available in the kernel model; context %s)", km_ctx_name());
}

void print_hex_dump(const char *level, const char *prefix_str, int prefix_type, int rowsize, int groupsize,
		    const void *buf, size_t len, bool ascii)
{
	const unsigned char *b = buf;
	bool cont;
	int lvl = parse_level(&level, &cont);

	(void)groupsize;
	(void)ascii;
	if (rowsize <= 0)
		rowsize = 16;
	for (size_t off = 0; off < len; off += (size_t)rowsize) {
		char line[512];
		size_t n = 0;

		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s", prefix_str ? prefix_str : "");
		if (prefix_type == DUMP_PREFIX_OFFSET || prefix_type == DUMP_PREFIX_ADDRESS)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%08zx: ", off);
		for (size_t i = off; i < len && i < off + (size_t)rowsize && n < sizeof(line) - 4; i++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x ", b[i]);
		km_log(lvl, "%s", line);
	}
}

/* ---- dev_* and netdev_* ---- */

const char *dev_driver_string(const struct device *dev)
{
	if (dev->driver && dev->driver->name)
		return dev->driver->name;
	if (dev->parent && dev->parent->driver && dev->parent->driver->name)
		return dev->parent->driver->name;
	return "";
}

int dev_set_name(struct device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->__kc_name, sizeof(dev->__kc_name), fmt, ap);
	va_end(ap);
	return 0;
}

static void dev_vlog(int level, const struct device *dev, const char *fmt, va_list ap)
{
	char prefix[160];

	if (dev)
		snprintf(prefix, sizeof(prefix), "%s %s: ", dev_driver_string(dev), dev_name(dev));
	else
		snprintf(prefix, sizeof(prefix), "(NULL device *): ");
	km_vlog(level, prefix, fmt, ap);
}

void dev_printk(const char *level, const struct device *dev, const char *fmt, ...)
{
	va_list ap;
	bool cont;
	int lvl = parse_level(&level, &cont);

	va_start(ap, fmt);
	dev_vlog(lvl, dev, fmt, ap);
	va_end(ap);
}

#define DEFINE_DEV_LOG(fn, lvl)                                                        \
	void fn(const struct device *dev, const char *fmt, ...)                       \
	{                                                                              \
		va_list ap;                                                            \
		va_start(ap, fmt);                                                     \
		dev_vlog(lvl, dev, fmt, ap);                                           \
		va_end(ap);                                                            \
	}
DEFINE_DEV_LOG(_dev_err, LOGLEVEL_ERR)
DEFINE_DEV_LOG(_dev_warn, LOGLEVEL_WARNING)
DEFINE_DEV_LOG(_dev_notice, LOGLEVEL_NOTICE)
DEFINE_DEV_LOG(_dev_info, LOGLEVEL_INFO)

int dev_err_probe(const struct device *dev, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err != -EPROBE_DEFER)
		dev_vlog(LOGLEVEL_ERR, dev, fmt, ap);
	va_end(ap);
	return err;
}

const char *netdev_name(const struct net_device *dev)
{
	if (!dev->name[0] || strchr(dev->name, '%'))
		return "(unnamed net_device)";
	return dev->name;
}

static const char *netdev_reg_state(const struct net_device *dev)
{
	switch (dev->reg_state) {
	case NETREG_REGISTERED:
		return "";
	case NETREG_UNINITIALIZED:
		return " (uninitialized)";
	case NETREG_UNREGISTERING:
		return " (unregistering)";
	default:
		return " (unregistered)";
	}
}

static void netdev_vlog(int level, const struct net_device *dev, const char *fmt, va_list ap)
{
	char prefix[200];

	if (dev && dev->dev.parent)
		snprintf(prefix, sizeof(prefix), "%s %s %s%s: ", dev_driver_string(dev->dev.parent),
			 dev_name(dev->dev.parent), netdev_name(dev), netdev_reg_state(dev));
	else if (dev)
		snprintf(prefix, sizeof(prefix), "%s%s: ", netdev_name(dev), netdev_reg_state(dev));
	else
		snprintf(prefix, sizeof(prefix), "(NULL net_device): ");
	km_vlog(level, prefix, fmt, ap);
}

void netdev_printk(const char *level, const struct net_device *dev, const char *fmt, ...)
{
	va_list ap;
	bool cont;
	int lvl = parse_level(&level, &cont);

	va_start(ap, fmt);
	netdev_vlog(lvl, dev, fmt, ap);
	va_end(ap);
}

#define DEFINE_NETDEV_LOG(fn, lvl)                                                     \
	void fn(const struct net_device *dev, const char *fmt, ...)                   \
	{                                                                              \
		va_list ap;                                                            \
		va_start(ap, fmt);                                                     \
		netdev_vlog(lvl, dev, fmt, ap);                                        \
		va_end(ap);                                                            \
	}
DEFINE_NETDEV_LOG(netdev_err, LOGLEVEL_ERR)
DEFINE_NETDEV_LOG(netdev_warn, LOGLEVEL_WARNING)
DEFINE_NETDEV_LOG(netdev_notice, LOGLEVEL_NOTICE)
DEFINE_NETDEV_LOG(netdev_info, LOGLEVEL_INFO)

/* ---- lib/ string helpers ---- */

ssize_t strscpy(char *dest, const char *src, size_t count)
{
	size_t n;

	if (count == 0)
		return -E2BIG;
	n = strnlen(src, count);
	if (n == count) {
		memcpy(dest, src, count - 1);
		dest[count - 1] = 0;
		return -E2BIG;
	}
	memcpy(dest, src, n + 1);
	return (ssize_t)n;
}

size_t strlcpy(char *dest, const char *src, size_t size)
{
	size_t ret = strlen(src);

	if (size) {
		size_t len = ret >= size ? size - 1 : ret;

		memcpy(dest, src, len);
		dest[len] = 0;
	}
	return ret;
}

void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;

	for (size_t i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

static int km_kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	v = strtoull(s, &end, (int)base);
	if (end == s)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*res = v;
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long v;
	int rc = km_kstrtoull(s, base, &v);

	if (!rc)
		*res = (unsigned long)v;
	return rc;
}

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int rc = km_kstrtoull(s, base, &v);

	if (rc)
		return rc;
	if (v > UINT_MAX)
		return -ERANGE;
	*res = (unsigned int)v;
	return 0;
}

int kstrtoint(const char *s, unsigned int base, int *res)
{
	unsigned long long v;
	bool neg = s && *s == '-';
	int rc = km_kstrtoull(neg ? s + 1 : s, base, &v);

	if (rc)
		return rc;
	if (v > (unsigned long long)INT_MAX + (neg ? 1 : 0))
		return -ERANGE;
	*res = neg ? (int)-(long long)v : (int)v;
	return 0;
}

unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base)
{
	return strtoul(cp, endp, (int)base);
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	int n;

	if (!size)
		return 0;
	n = km_vformat(buf, size, fmt, args);
	return n < (int)size ? n : (int)size - 1;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int hex_to_bin(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (unsigned char)tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

u32 crc32_le(u32 crc, unsigned char const *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0xedb88320U : 0);
	}
	return crc;
}

u32 crc32_be(u32 crc, unsigned char const *p, size_t len)
{
	while (len--) {
		crc ^= (u32)*p++ << 24;
		for (int i = 0; i < 8; i++)
			crc = (crc << 1) ^ ((crc & 0x80000000U) ? 0x04c11db7U : 0);
	}
	return crc;
}

void km_warn_bump(void)
{
	warn_count++;
}
