/*
 * linux/slab.h - kernel model: kmalloc() and friends. Every allocation is tracked: kcut-sim reports memory the
 * driver still holds when its module is unloaded, and the harness can make the Nth allocation fail
 * (`inject kmalloc N`) to exercise error unwinding.
 */
#ifndef _KC_LINUX_SLAB_H
#define _KC_LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/string.h>
#include <linux/kernel.h>

void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void *kmalloc_array(size_t n, size_t size, gfp_t flags);
void *krealloc(const void *p, size_t new_size, gfp_t flags);
void kfree(const void *objp);
void kfree_sensitive(const void *objp);
size_t ksize(const void *objp);
#define kzfree(p) kfree_sensitive(p)

#endif
