#ifndef _LINUX_STDDEF_H
#define _LINUX_STDDEF_H
/* as in Linux: include/linux/stddef.h */
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif
