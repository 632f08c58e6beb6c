#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H
/* module_param generates a type-checking helper function, as in Linux */
#define __param_check(name, p, type) \
	static inline type __attribute__((unused)) *__check_##name(void) { return (p); }
#define module_param(name, type, perm) __param_check(name, &(name), type)
#define MODULE_LICENSE(x)
/* module_init/module_exit of a module build, as in Linux (include/linux/module.h, MODULE defined) */
typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);
#define module_init(initfn) \
	static inline initcall_t __attribute__((unused)) __inittest(void) { return initfn; } \
	int init_module(void) __attribute__((alias(#initfn)))
#define module_exit(exitfn) \
	static inline exitcall_t __attribute__((unused)) __exittest(void) { return exitfn; } \
	void cleanup_module(void) __attribute__((alias(#exitfn)))
/* module_driver as in include/linux/device/driver.h */
#define module_driver(__driver, __register, __unregister) \
static int __init_##__driver(void) { return __register(&(__driver)); } \
module_init(__init_##__driver); \
static void __exit_##__driver(void) { __unregister(&(__driver)); } \
module_exit(__exit_##__driver);
#endif
