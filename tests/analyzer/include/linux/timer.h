#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H
struct timer_list {
	unsigned long expires;
	void (*function)(struct timer_list *);
	unsigned int flags;
};
void init_timer_key(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags,
		    const char *name, void *key);
#define __init_timer(_timer, _fn, _flags) init_timer_key((_timer), (_fn), (_flags), NULL, NULL)
#define timer_setup(timer, callback, flags) __init_timer((timer), (callback), (flags))
int mod_timer(struct timer_list *timer, unsigned long expires);
#define __TIMER_INITIALIZER(_function, _flags) { .function = (_function), .flags = (_flags) }
#define DEFINE_TIMER(_name, _function) struct timer_list _name = __TIMER_INITIALIZER(_function, 0)
#endif
