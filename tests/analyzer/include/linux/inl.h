#ifndef _LINUX_INL_H
#define _LINUX_INL_H
/* Kernel-header inline functions for the inline_access case (as in linux/netdevice.h). */
#include <linux/types.h>
struct q {
	unsigned long state;
	unsigned int len;
};
struct ndev {
	unsigned long state;
	struct q *tx;
	unsigned int mtu;
	int refs;
};
static inline int test_bit(int nr, const volatile unsigned long *addr)
{
	return 1UL & (addr[nr / 64] >> (nr % 64));
}
static inline int ndev_carrier_ok(const struct ndev *dev)
{
	return !test_bit(2, &dev->state);
}
static inline struct q *ndev_txq(const struct ndev *dev, unsigned int i)
{
	return &dev->tx[i];
}
static inline int ndev_queue_stopped(const struct ndev *dev)
{
	return test_bit(0, &ndev_txq(dev, 0)->state);
}
static inline void ndev_hold(struct ndev *dev)
{
	dev->refs++;
	if (dev->mtu > 1500)
		dev->mtu = 1500;
}
void ndev_kernel_fn(struct ndev *dev);
static inline void ndev_wrap(struct ndev *dev)
{
	ndev_kernel_fn(dev);
}
static inline int ndev_rec(struct ndev *dev, int n)
{
	return n ? ndev_rec(dev, n - 1) : (int)dev->mtu;
}
#endif
