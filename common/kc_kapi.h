/*
 * kc_kapi.h - kernel functions whose call from a split driver's user half is NOT a downcall, by
 * name: the one list the emitter (which decides what crosses, emitter/plan_cross.c) and the
 * partitioner (which prices the user half's calls of kernel functions, partitioner/rules.c) share.
 */
#ifndef KC_KAPI_H
#define KC_KAPI_H

#include <stddef.h>

/* Is name one of the n names? (a linear search of a short list) */
int kc_kapi_in_list(const char *name, const char *const *names, size_t n);
/* Library routines that only work on the memory their caller passes (string.h, formatting into a
 * buffer, number parsing) and the Linux delays below: the user half runs them locally (on its own
 * copies). */
int kc_kapi_local_library(const char *name);
/* Linux's delay functions (__udelay, __const_udelay, __ndelay, usleep_range_state): the Linux user
 * half runs them itself; part of kc_kapi_local_library. */
int kc_kapi_local_delay(const char *name);
/* Link-time assertions of the kernel headers (__bad_udelay ...): never called, never a downcall. */
int kc_kapi_link_assert(const char *name);
/* Kernel functions that stop the machine (BUG, panic ...): they end the user half, never a downcall. */
int kc_kapi_fatal(const char *name);
/* Bit operations on a word of memory (set_bit, test_and_set_bit ...): header inline functions, but
 * called from the user half they are downcalls on the kernel half's copy of the word. */
int kc_kapi_word_op(const char *name);
extern const char *const kc_kapi_word_ops[]; /* their names, NULL-terminated */
/* A register accessor (readl, writeb, ioread32, inb, memcpy_toio ...): the name of rt's kc_io_*
 * function the user half calls instead when it may reach the device, else NULL. */
const char *kc_kapi_regio(const char *name);
/* The i-th register accessor (and its kc_io_* function), NULL past the end. */
const char *kc_kapi_regio_nth(size_t i, const char **io);

/* Kernel functions the user half posts instead of calling (frees, streaming DMA unmaps and syncs,
 * log lines): queued with its posted register writes, 0 crossings of their own (rt/kcut_rt.h). */
int kc_kapi_posted(const char *name);

#endif /* KC_KAPI_H */
