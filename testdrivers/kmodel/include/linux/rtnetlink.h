/* linux/rtnetlink.h - kernel model: the RTNL mutex (rtnl_lock()/rtnl_unlock()/ASSERT_RTNL()). */
#ifndef _KC_LINUX_RTNETLINK_H
#define _KC_LINUX_RTNETLINK_H

#include <linux/netdevice.h>

void rtnl_lock(void);
void rtnl_unlock(void);
int rtnl_is_locked(void);
#define ASSERT_RTNL() WARN_ON(!rtnl_is_locked())

#endif
