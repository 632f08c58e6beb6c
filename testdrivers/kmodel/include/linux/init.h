/*
 * linux/init.h - kernel model: __init/__exit markers and module_init()/module_exit().
 *
 * module_init(fn) registers fn with the module being loaded (the model sets that while dlopen() runs the
 * object's constructors) and also defines init_module as an alias, exactly the symbol a real module has.
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

void __kc_module_register_init(initcall_t fn, const char *name);
void __kc_module_register_exit(exitcall_t fn, const char *name);

#define module_init(initfn)                                                            \
	static void __attribute__((constructor)) __kc_modinit_ctor(void)              \
	{                                                                              \
		__kc_module_register_init(initfn, #initfn);                            \
	}                                                                              \
	int init_module(void) __attribute__((alias(#initfn)))
#define module_exit(exitfn)                                                            \
	static void __attribute__((constructor)) __kc_modexit_ctor(void)              \
	{                                                                              \
		__kc_module_register_exit(exitfn, #exitfn);                            \
	}                                                                              \
	void cleanup_module(void) __attribute__((alias(#exitfn)))

#endif
