/*
 * kdev.h - a tiny kernel-like API for the emitter tests: just enough of netdev, irq and
 * spinlocks that the analyzer recognises the roots and the lock rule has something to check.
 */
#ifndef KDEV_H
#define KDEV_H

#include <stddef.h>

typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

typedef enum irqreturn { IRQ_NONE = 0, IRQ_HANDLED = 1 } irqreturn_t;
typedef irqreturn_t (*irq_handler_t)(int, void *);

typedef struct { int locked; } spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

struct net_device;
struct net_device_ops {
	int (*ndo_open)(struct net_device *dev);
	int (*ndo_stop)(struct net_device *dev);
	int (*ndo_start_xmit)(void *skb, struct net_device *dev);
	int (*ndo_change_mtu)(struct net_device *dev, int new_mtu);
};

struct net_device {
	char name[16];
	unsigned int flags;
	int mtu;
	const struct net_device_ops *netdev_ops;
	void *priv;
};

struct drv_adapter;
/* The bus: the driver registers its probe routine, the bus calls it for the device. */
struct drv_driver {
	const char *name;
	int (*probe)(struct net_device *dev, struct drv_adapter *ad);
};
int register_driver(struct drv_driver *drv);

struct timer_list {
	void (*function)(struct timer_list *t);
	unsigned long expires;
};
void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *t), unsigned int flags);

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name,
		void *dev);
void free_irq(unsigned int irq, void *dev);
int register_netdev(struct net_device *dev);
void netif_carrier_on(struct net_device *dev);
void *kzalloc(size_t size, unsigned int gfp);
void *kcalloc(size_t n, size_t size, unsigned int gfp);
void kfree(const void *p);
void *dma_alloc_coherent(void *dev, size_t size, unsigned long long *handle, unsigned int gfp);
size_t strlen(const char *s);
/* linux/printk.h: buf has len bytes (a count after its buffer: emitter/kapi.c em_sized_param) */
void print_hex_dump(const char *level, const char *prefix_str, int prefix_type, int rowsize, int groupsize,
		    const void *buf, size_t len, _Bool ascii);

#endif
