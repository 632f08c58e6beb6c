/* linux/netlink.h - kernel model: struct netlink_ext_ack and NL_SET_ERR_MSG(). */
#ifndef _KC_LINUX_NETLINK_H
#define _KC_LINUX_NETLINK_H

struct netlink_ext_ack {
	const char *_msg;
};

#define NL_SET_ERR_MSG(extack, msg) do { if (extack) (extack)->_msg = (msg); } while (0)
#define NL_SET_ERR_MSG_MOD(extack, msg) NL_SET_ERR_MSG(extack, KBUILD_MODNAME ": " msg)

#endif
