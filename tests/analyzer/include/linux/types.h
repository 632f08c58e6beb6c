/* Minimal kernel-like declarations for kcut's analyzer test cases (Linux names and signatures). */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H
typedef unsigned long size_t;
typedef long ssize_t;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef _Bool bool;
typedef unsigned int gfp_t;
typedef u64 dma_addr_t;
#define true 1
#define false 0
#define NULL ((void *)0)
#define GFP_KERNEL 0x10u
#define GFP_ATOMIC 0x20u
struct list_head {
	struct list_head *next, *prev;
};
struct device;
#endif
