/* linux/socket.h - kernel model: struct sockaddr (what ndo_set_mac_address receives). */
#ifndef _KC_LINUX_SOCKET_H
#define _KC_LINUX_SOCKET_H

#include <sys/socket.h>

#endif
