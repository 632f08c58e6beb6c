/*
 * sync_internal.h - what sync.c (synchronization at every crossing, docs/runtime.md) needs of an
 * endpoint and gives it, so that sync.c is built unchanged into kcut_rt.ko as wire.c is: it
 * reaches the endpoint through wire_internal.h (the driver's tables, the side, the lock) and one
 * accessor more, kc_rt__sync (the slot its state lives in), implemented by both endpoints (posix:
 * super.c; rt/linux: kcut_rt_linux.c). Not part of the public API.
 */
#ifndef KC_SYNC_INTERNAL_H
#define KC_SYNC_INTERNAL_H

#include <stdint.h>

#include "kcut_rt.h"

/* The user half's changes to synchronized objects (sync.c): u32 n, then n times: u32 type, the
 * object's pointer (wire kind 1), the generated decoder's (field index, value) pairs, 0.
 * (KC_RT_FN_REGIO / REGINFO: region_internal.h.) */
#define KC_RT_FN_SYNC 0xfffffff3u
/* REPLY flag (kernel -> user only): the payload ends with the kernel half's changes to
 * synchronized objects (sync.c): the encoded objects, then u32 n, then u32 their bytes. */
#define KC_MSG_F_SYNC 4u

struct kc_sync;

/* The endpoint's slot for sync.c's state (made on first use, released by kc_sync__free). */
struct kc_sync **kc_rt__sync(struct kc_rt *rt);

/* User side: send the changes of synchronized objects (no-op when none or nested). */
void kc_sync__flush(struct kc_rt *rt);
/* User side: may the synchronized object at p hold changes the kernel half has not seen (its bytes
 * differ from its shadow, or it is a fresh allocation without one)? 0 for untracked objects. A
 * posted call that frees p flushes first when it does (io.c kc_rt_post_end). */
int kc_sync__changed(struct kc_rt *rt, const void *p);
/* Kernel side: append the kernel half's changes since they last went to incarnation inc of the
 * user half (objects of types with recovery helpers whose bytes changed; a newer incarnation gets
 * every object, an older one nothing) after the len bytes of a reply at buf (cap bytes of room);
 * returns the new length, ORs KC_MSG_F_SYNC into *flags when it appended. */
uint32_t kc_sync__put_back(struct kc_rt *rt, unsigned inc, uint8_t *buf, uint32_t len, uint32_t cap,
			   uint32_t *flags);
/* User side: take that trailer off a reply's payload (*len shortened) into a copy (*out, *outlen,
 * freed by kc_sync__apply_back), then, once the results were decoded, apply it. 1 when the
 * shadows must be refreshed. */
int kc_sync__take_back(const uint8_t *payload, uint32_t *len, uint8_t **out, uint32_t *outlen);
void kc_sync__apply_back(struct kc_rt *rt, uint8_t *buf, uint32_t len);
/* Kernel side: the kernel freed [p, p + size), which held tracked objects (the endpoint's
 * kc_rt__forget_range): a pointer into it that is not tracked again goes as NULL and is not
 * followed (kc_sync__is_dead, kc_wire_sync_gone), once the endpoint reports allocations
 * (kc_wire_alloced). */
void kc_sync__kfreed(struct kc_rt *rt, const void *p, size_t size);
/* Kernel side: the kernel half released the tracked object at [p, p + size) (kc_rt_obj_free: its
 * own kfree, a stack object after the call): the next reply re-sends synchronized fields that
 * still point into it (kc_sync__put_back); nothing is recorded as freed (a stack object's memory
 * is used again without an allocation the endpoint would report). */
void kc_sync__kchanged(struct kc_rt *rt, const void *p, size_t size);
/* Kernel side: the server of KC_RT_FN_SYNC, NULL for other ids. */
kc_rt_handler kc_sync__handler(uint32_t fn);

#endif /* KC_SYNC_INTERNAL_H */
