/*
 * linux/device.h - kernel model: struct device and the dev_*() logging family.
 *
 * dev_info(dev, ...) logs "DRIVER DEVNAME: message" like Linux (e.g. "simsnd 0000:00:04.0: ...").
 */
#ifndef _KC_LINUX_DEVICE_H
#define _KC_LINUX_DEVICE_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/gfp.h>

struct device_driver {
	const char *name;
	struct module *owner;
};

struct device {
	struct device *parent;
	const char *init_name;
	char __kc_name[64];
	struct device_driver *driver;
	void *driver_data;
	u64 *dma_mask;
	u64 coherent_dma_mask;
	void *__kc_bus_dev;	/* the model's device record (PCI device) */
};

static inline const char *dev_name(const struct device *dev)
{
	return dev->init_name ? dev->init_name : dev->__kc_name;
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

const char *dev_driver_string(const struct device *dev);
int dev_set_name(struct device *dev, const char *name, ...) __printf(2, 3);

__printf(3, 4) void dev_printk(const char *level, const struct device *dev, const char *fmt, ...);
__printf(2, 3) void _dev_err(const struct device *dev, const char *fmt, ...);
__printf(2, 3) void _dev_warn(const struct device *dev, const char *fmt, ...);
__printf(2, 3) void _dev_notice(const struct device *dev, const char *fmt, ...);
__printf(2, 3) void _dev_info(const struct device *dev, const char *fmt, ...);
#define dev_err(dev, fmt, ...) _dev_err(dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) _dev_warn(dev, fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) _dev_notice(dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...) _dev_info(dev, fmt, ##__VA_ARGS__)
#ifdef DEBUG
#define dev_dbg(dev, fmt, ...) dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__)
#else
#define dev_dbg(dev, fmt, ...) do { if (0) dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__); } while (0)
#endif
#define dev_err_ratelimited dev_err
#define dev_warn_ratelimited dev_warn
#define dev_info_ratelimited dev_info
#define dev_warn_once dev_warn
__printf(3, 4) int dev_err_probe(const struct device *dev, int err, const char *fmt, ...);

/* Device-managed allocation: freed when the driver unbinds (after remove()). */
void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp);
void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp);
void devm_kfree(struct device *dev, const void *p);
/* Device-managed actions: run at unbind, last added first (before the memory and mappings added
 * earlier are released). */
int devm_add_action(struct device *dev, void (*action)(void *), void *data);
int devm_add_action_or_reset(struct device *dev, void (*action)(void *), void *data);
void devm_remove_action(struct device *dev, void (*action)(void *), void *data);

#endif
