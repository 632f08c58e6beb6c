#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H
/* module_param generates a type-checking helper function, as in Linux */
#define __param_check(name, p, type) \
	static inline type __attribute__((unused)) *__check_##name(void) { return (p); }
#define module_param(name, type, perm) __param_check(name, &(name), type)
#define MODULE_LICENSE(x)
#endif
