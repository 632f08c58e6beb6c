/*
 * linux/moduleparam.h - kernel model: module_param() and module_param_array().
 *
 * As in Linux, each parameter is a struct kernel_param placed in the "__param" section of the module and
 * MODULE_PARM_DESC() is a "parm=NAME:text" string in the module's info section (see linux/module.h); the
 * loader finds both through the module's __kc_module_sections table. kcut-sim sets values given as
 * `name=value` (`probe name=value ...` or --param) before calling the module's init function.
 * Types: int, uint, long, ulong, short, ushort, byte, bool, invbool, charp.
 */
#ifndef _KC_LINUX_MODULEPARAM_H
#define _KC_LINUX_MODULEPARAM_H

#include <linux/types.h>
#include <linux/compiler.h>

struct kernel_param {
	const char *name;
	const char *type;	/* "int", "bool", "charp", ... */
	void *arg;		/* the variable, or the first array element */
	unsigned int *num;	/* arrays: where to store the element count (may be NULL) */
	unsigned int max;	/* 1 for scalars, the array length for arrays */
	unsigned int elemsize;
	unsigned short perm;
	bool is_array;
};

#define __KC_PARAM_2(pname, value, typestr, nump, maxn, esize, permv, array, n)        \
	static const struct kernel_param __param_##n                                   \
		__attribute__((used, section("__param"), aligned(sizeof(void *)))) = { \
		.name = pname, .type = typestr, .arg = (void *)&(value), .num = nump,  \
		.max = maxn, .elemsize = esize, .perm = permv, .is_array = array }
#define __KC_PARAM_1(pname, value, typestr, nump, maxn, esize, permv, array, n) \
	__KC_PARAM_2(pname, value, typestr, nump, maxn, esize, permv, array, n)

/* The type is stringified at the outermost macro, before `bool` can expand to `_Bool`. */
#define module_param_named(name, value, type, perm) \
	__KC_PARAM_1(#name, value, #type, NULL, 1, sizeof(value), perm, false, __COUNTER__)
#define module_param(name, type, perm) \
	__KC_PARAM_1(#name, name, #type, NULL, 1, sizeof(name), perm, false, __COUNTER__)
#define module_param_array_named(name, array, type, nump, perm)                        \
	__KC_PARAM_1(#name, (array)[0], #type, nump, sizeof(array) / sizeof((array)[0]),  \
		     sizeof((array)[0]), perm, true, __COUNTER__)
#define module_param_array(name, type, nump, perm)                                     \
	__KC_PARAM_1(#name, (name)[0], #type, nump, sizeof(name) / sizeof((name)[0]),      \
		     sizeof((name)[0]), perm, true, __COUNTER__)

#define __KC_MODINFO_STR_2(str, n) \
	static const char __kc_modinfo_##n[] __attribute__((used, section("kc_modinfo"), aligned(1))) = str
#define __KC_MODINFO_STR_1(str, n) __KC_MODINFO_STR_2(str, n)
#define __KC_MODINFO_STR(str) __KC_MODINFO_STR_1(str, __COUNTER__)
#define MODULE_PARM_DESC(_parm, desc) __KC_MODINFO_STR("parm=" #_parm ":" desc)

#endif
