/*
 * linux/init.h - kernel model: __init/__exit markers and module_init()/module_exit().
 *
 * module_init(fn) defines init_module as an alias of fn, exactly the symbol a real module has.
 */
#ifndef _KC_LINUX_INIT_H
#define _KC_LINUX_INIT_H

#include <linux/compiler.h>

#define __init
#define __exit
#define __initdata
#define __exitdata
#define __initconst
#define __devinit
#define __devexit
#define __exit_p(x) x

typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);

/* As in Linux: module_init()/module_exit() make init_module/cleanup_module aliases of the functions;
 * the loader looks those symbols up in the module object. */
#define module_init(initfn)                                                            \
	static inline initcall_t __maybe_unused __inittest(void)                       \
	{                                                                              \
		return initfn;                                                         \
	}                                                                              \
	int init_module(void) __attribute__((alias(#initfn)))
#define module_exit(exitfn)                                                            \
	static inline exitcall_t __maybe_unused __exittest(void)                       \
	{                                                                              \
		return exitfn;                                                         \
	}                                                                              \
	void cleanup_module(void) __attribute__((alias(#exitfn)))

#endif
