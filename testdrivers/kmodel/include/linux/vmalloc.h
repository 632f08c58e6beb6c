/* linux/vmalloc.h - kernel model: vmalloc()/vzalloc()/vfree() (may sleep; tracked like kmalloc). */
#ifndef _KC_LINUX_VMALLOC_H
#define _KC_LINUX_VMALLOC_H

#include <linux/types.h>

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void *vmalloc_array(size_t n, size_t size);
void vfree(const void *addr);
void kvfree(const void *addr);
void *kvmalloc(size_t size, unsigned int flags);
void *kvzalloc(size_t size, unsigned int flags);

#endif
