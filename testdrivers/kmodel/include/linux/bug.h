/*
 * linux/bug.h - kernel model: BUG()/BUG_ON()/WARN_ON()/BUILD_BUG_ON().
 *
 * WARN_ON() prints "WARNING: at FILE:LINE" to the kernel log and counts a warning (kcut-sim reports the
 * count and fails the run). BUG() prints and aborts the process, as an oops would stop the kernel.
 */
#ifndef _KC_LINUX_BUG_H
#define _KC_LINUX_BUG_H

#include <linux/compiler.h>

void __kc_warn(const char *file, int line, const char *cond);
__attribute__((noreturn)) void __kc_bug(const char *file, int line, const char *cond);

#define BUG() __kc_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond) do { if (unlikely(cond)) __kc_bug(__FILE__, __LINE__, #cond); } while (0)
#define WARN_ON(cond) ({ int __ret_warn_on = !!(cond); \
	if (unlikely(__ret_warn_on)) __kc_warn(__FILE__, __LINE__, #cond); \
	unlikely(__ret_warn_on); })
#define WARN_ON_ONCE(cond) ({ static bool __warned; int __ret_warn_once = !!(cond); \
	if (unlikely(__ret_warn_once && !__warned)) { __warned = true; __kc_warn(__FILE__, __LINE__, #cond); } \
	unlikely(__ret_warn_once); })
#define WARN(cond, fmt, ...) ({ int __ret_warn = !!(cond); \
	if (unlikely(__ret_warn)) { printk(KERN_WARNING fmt, ##__VA_ARGS__); __kc_warn(__FILE__, __LINE__, #cond); } \
	unlikely(__ret_warn); })
#define WARN_ONCE WARN
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int:(-!!(e)); })))

#endif
