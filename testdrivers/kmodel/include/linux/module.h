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

void __kc_module_register_info(const char *tag, const char *value);
#define __KC_MODINFO_2(tag, info, n)                                                   \
	static void __attribute__((constructor)) __kc_modinfo_##n(void)               \
	{                                                                              \
		__kc_module_register_info(tag, info);                                  \
	}
#define __KC_MODINFO_1(tag, info, n) __KC_MODINFO_2(tag, info, n)
#define __KC_MODINFO(tag, info) __KC_MODINFO_1(tag, info, __COUNTER__)
#define MODULE_LICENSE(_license) __KC_MODINFO("license", _license)
#define MODULE_AUTHOR(_author) __KC_MODINFO("author", _author)
#define MODULE_DESCRIPTION(_description) __KC_MODINFO("description", _description)
#define MODULE_VERSION(_version) __KC_MODINFO("version", _version)
#define MODULE_ALIAS(_alias) __KC_MODINFO("alias", _alias)
#define MODULE_FIRMWARE(_firmware) __KC_MODINFO("firmware", _firmware)
#define MODULE_SOFTDEP(_softdep) __KC_MODINFO("softdep", _softdep)
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
