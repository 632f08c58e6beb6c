/* linux/ktime.h - kernel model: ktime_t on the model's virtual clock (nanoseconds). */
#ifndef _KC_LINUX_KTIME_H
#define _KC_LINUX_KTIME_H

#include <linux/types.h>

typedef s64 ktime_t;
ktime_t ktime_get(void);
#define ktime_get_ns() ((u64)ktime_get())
#define ktime_get_real() ktime_get()
#define ktime_to_ns(kt) ((s64)(kt))
#define ktime_to_us(kt) ((s64)(kt) / 1000)
#define ktime_to_ms(kt) ((s64)(kt) / 1000000)
#define ns_to_ktime(ns) ((ktime_t)(ns))
#define ktime_sub(a, b) ((a) - (b))
#define ktime_add_ns(kt, ns) ((kt) + (ns))
#define ktime_us_delta(later, earlier) (((later) - (earlier)) / 1000)

#endif
