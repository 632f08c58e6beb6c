/*
 * linux/module.h - kernel model: struct module, THIS_MODULE, MODULE_*() information, module_init/exit.
 *
 * Each driver is a shared object; KBUILD_MODNAME (set by the build) names it. MODULE_* strings are recorded
 * with the module while it is loaded.
 */
#ifndef _KC_LINUX_MODULE_H
#define _KC_LINUX_MODULE_H

#include <linux/types.h>
#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>

#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME "unknown"
#endif

struct module {
	const char *name;
};

__attribute__((weak, visibility("hidden"))) struct module __this_module = { .name = KBUILD_MODNAME };
#define THIS_MODULE (&__this_module)

/* MODULE_*() strings go to the module's info section as "tag=value", like Linux's .modinfo. */
#define MODULE_LICENSE(_license) __KC_MODINFO_STR("license=" _license)
#define MODULE_AUTHOR(_author) __KC_MODINFO_STR("author=" _author)
#define MODULE_DESCRIPTION(_description) __KC_MODINFO_STR("description=" _description)
#define MODULE_VERSION(_version) __KC_MODINFO_STR("version=" _version)
#define MODULE_ALIAS(_alias) __KC_MODINFO_STR("alias=" _alias)
#define MODULE_FIRMWARE(_firmware) __KC_MODINFO_STR("firmware=" _firmware)
#define MODULE_SOFTDEP(_softdep) __KC_MODINFO_STR("softdep=" _softdep)

/* Where the loader finds this module's parameters and info strings (one weak table per module). */
extern const struct kernel_param __start___param[] __attribute__((weak, visibility("hidden")));
extern const struct kernel_param __stop___param[] __attribute__((weak, visibility("hidden")));
extern const char __start_kc_modinfo[] __attribute__((weak, visibility("hidden")));
extern const char __stop_kc_modinfo[] __attribute__((weak, visibility("hidden")));
__attribute__((weak)) const void *const __kc_module_sections[4] = {
	__start___param, __stop___param, __start_kc_modinfo, __stop_kc_modinfo,
};

#define MODULE_DEVICE_TABLE(type, name) extern __typeof__(name) __mod_##type##__##name##_device_table \
	__attribute__((unused, alias(__stringify(name))))

static inline bool try_module_get(struct module *m)
{
	(void)m;
	return true;
}

static inline void module_put(struct module *m)
{
	(void)m;
}

#define EXPORT_SYMBOL(sym) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_GPL(sym) extern __typeof__(sym) sym

#endif
