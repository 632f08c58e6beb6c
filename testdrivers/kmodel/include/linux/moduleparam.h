/*
 * linux/moduleparam.h - kernel model: module_param() and module_param_array().
 *
 * Each parameter is registered with the module being loaded; kcut-sim sets values given as `name=value`
 * (`probe name=value ...` or --param) before calling the module's init function. Types: int, uint, long,
 * ulong, short, ushort, byte, bool, invbool, charp.
 */
#ifndef _KC_LINUX_MODULEPARAM_H
#define _KC_LINUX_MODULEPARAM_H

#include <linux/types.h>
#include <linux/compiler.h>

void __kc_module_register_param(const char *name, const char *type, void *arg, unsigned int *num,
				unsigned int max, size_t elem_size, unsigned int perm);
void __kc_module_register_param_desc(const char *name, const char *desc);

#define __KC_PARAM_CTOR_2(name, value, type, num, max, esize, perm, n)                 \
	static void __attribute__((constructor)) __kc_param_##n(void)                 \
	{                                                                              \
		__kc_module_register_param(#name, #type, (void *)&(value), num, max,    \
					   esize, perm);                               \
	}
#define __KC_PARAM_CTOR_1(name, value, type, num, max, esize, perm, n) \
	__KC_PARAM_CTOR_2(name, value, type, num, max, esize, perm, n)
#define module_param_named(name, value, type, perm) \
	__KC_PARAM_CTOR_1(name, value, type, NULL, 1, sizeof(value), perm, __COUNTER__)
#define module_param(name, type, perm) module_param_named(name, name, type, perm)
#define module_param_array_named(name, array, type, nump, perm)                        \
	__KC_PARAM_CTOR_1(name, (array)[0], type, nump, sizeof(array) / sizeof((array)[0]), \
			  sizeof((array)[0]), perm, __COUNTER__)
#define module_param_array(name, type, nump, perm) module_param_array_named(name, name, type, nump, perm)
#define __KC_PARAM_DESC_2(_parm, desc, n)                                              \
	static void __attribute__((constructor)) __kc_paramdesc_##n(void)            \
	{                                                                              \
		__kc_module_register_param_desc(#_parm, desc);                         \
	}
#define __KC_PARAM_DESC_1(_parm, desc, n) __KC_PARAM_DESC_2(_parm, desc, n)
#define MODULE_PARM_DESC(_parm, desc) __KC_PARAM_DESC_1(_parm, desc, __COUNTER__)

#endif
