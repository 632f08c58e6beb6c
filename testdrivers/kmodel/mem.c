/*
 * mem.c - the kernel model's memory: tracked kmalloc/vmalloc, fault injection, device-managed allocations,
 * and the DMA API with an IOMMU-like table that device models go through.
 *
 * Every allocation carries a header on a live list, so the harness can report what a driver leaked; the
 * nth call of an allocator can be made to fail (kc_km_inject_fail) to drive error-unwinding paths. DMA
 * buffers and streaming mappings get bus addresses first-fit from 0x10000000 upward (deterministic for a
 * deterministic call sequence, below 4 GiB so 32-bit DMA masks work); a device can only read or write
 * inside a live mapping made for it, in an allowed direction, with bus mastering on. Unmapping with a
 * different size or direction than the mapping is reported, as CONFIG_DMA_API_DEBUG does.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/string.h>
#include <linux/dma-mapping.h>
#include <linux/device.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define KM_POISON(p, n) __asan_poison_memory_region((p), (n))
#define KM_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define KM_POISON(p, n) ((void)(p), (void)(n))
#define KM_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#include "km_internal.h"

#define KM_HDR_MAGIC 0x6b6d616c6c6f6321ULL
#define KM_HDR_FREED 0x6672656564212121ULL

struct km_hdr {
	u64 magic;
	size_t size;
	struct km_hdr *prev, *next;
	const char *what;
	u64 pad;
};

static struct km_hdr live_head = { 0, 0, &live_head, &live_head, NULL, 0 };
static size_t live_count, live_bytes;

/*
 * KCUT_KM_REUSE=1: freed blocks wait in a small cache and the next allocation of the same size
 * takes the most recently freed one (LIFO), as the kernel's slab allocators (and glibc's tcache)
 * hand a freed address back at once. ASan's allocator does not (its quarantine), so without this
 * a sanitizer build never sees a new object at a freed one's address (a split driver's runtime
 * must tell them apart: tests/emitter, the *_reuse tests). Cached blocks stay poisoned under ASan.
 */
#define KM_REUSE_MAX 64
static struct km_hdr *reuse_v[KM_REUSE_MAX];
static size_t reuse_n;
static int reuse_on = -1;
static pthread_mutex_t reuse_lock = PTHREAD_MUTEX_INITIALIZER;

static bool km_reuse(void)
{
	int on = __atomic_load_n(&reuse_on, __ATOMIC_RELAXED);

	if (on < 0) {
		const char *e = getenv("KCUT_KM_REUSE");

		on = e && *e && strcmp(e, "0");
		__atomic_store_n(&reuse_on, on, __ATOMIC_RELAXED);
	}
	return on;
}

/* A cached block of exactly size bytes, most recent first; NULL when none. */
static struct km_hdr *reuse_take(size_t size)
{
	struct km_hdr *h = NULL;

	pthread_mutex_lock(&reuse_lock);
	for (size_t i = reuse_n; i-- > 0;)
		if (reuse_v[i]->size == size) {
			h = reuse_v[i];
			memmove(&reuse_v[i], &reuse_v[i + 1], (reuse_n - i - 1) * sizeof(reuse_v[0]));
			reuse_n--;
			break;
		}
	pthread_mutex_unlock(&reuse_lock);
	if (h)
		KM_UNPOISON(h, sizeof(*h) + (size ? size : 1));
	return h;
}

/* Keep a freed block for reuse (the oldest one goes when the cache is full). */
static void reuse_put(struct km_hdr *h)
{
	struct km_hdr *old = NULL;

	KM_POISON(h + 1, h->size ? h->size : 1);
	pthread_mutex_lock(&reuse_lock);
	if (reuse_n == KM_REUSE_MAX) {
		old = reuse_v[0];
		memmove(&reuse_v[0], &reuse_v[1], (KM_REUSE_MAX - 1) * sizeof(reuse_v[0]));
		reuse_n--;
	}
	reuse_v[reuse_n++] = h;
	pthread_mutex_unlock(&reuse_lock);
	if (old) {
		KM_UNPOISON(old, sizeof(*old) + (old->size ? old->size : 1));
		free(old);
	}
}

static const char *const fail_names[KM_FAIL_N] = {
	"kmalloc", "dma_alloc", "dma_map", "request_irq", "pci_enable", "pci_iomap", "skb_alloc",
	"register_netdev", "snd_card_new",
};
static unsigned int fail_at[KM_FAIL_N];

int kc_km_inject_fail(const char *what, unsigned int nth)
{
	for (int i = 0; i < KM_FAIL_N; i++)
		if (!strcmp(what, fail_names[i])) {
			fail_at[i] = nth;
			return 0;
		}
	return KC_EINVAL;
}

bool km_should_fail(int which)
{
	if (!fail_at[which])
		return false;
	if (--fail_at[which] == 0) {
		km_log(LOGLEVEL_NOTICE, "FAULT_INJECTION: forcing a failure in %s", fail_names[which]);
		return true;
	}
	return false;
}

void *km_alloc(size_t size, bool zero, gfp_t gfp, const char *what)
{
	struct km_hdr *h;

	(void)gfp;
	if (km_should_fail(KM_FAIL_KMALLOC))
		return NULL;
	h = km_reuse() ? reuse_take(size) : NULL;
	if (!h)
		h = malloc(sizeof(*h) + (size ? size : 1));
	if (!h)
		return NULL;
	h->magic = KM_HDR_MAGIC;
	h->size = size;
	h->what = what;
	h->next = live_head.next;
	h->prev = &live_head;
	live_head.next->prev = h;
	live_head.next = h;
	live_count++;
	live_bytes += size;
	if (zero)
		memset(h + 1, 0, size);
	km_alloced(h + 1, size ? size : 1);
	return h + 1;
}

static struct km_hdr *km_hdr_of(const void *p, const char *fn)
{
	struct km_hdr *h = (struct km_hdr *)p - 1;

	if (h->magic == KM_HDR_FREED)
		km_fatal("BUG: %s: double free of a %zu-byte object in %s", fn, h->size, km_ctx_name());
	if (h->magic != KM_HDR_MAGIC)
		km_fatal("BUG: %s: pointer was not allocated by the kernel allocator (%s)", fn, km_ctx_name());
	return h;
}

/* kc_km_set_free_hook: set and read with atomics (frees run on every model thread and on a split
 * driver's server threads; the hook is set and removed by the harness's thread) */
typedef void (*km_free_hook_fn)(void *arg, const void *p, size_t size);
static km_free_hook_fn free_hook;
static void *free_hook_arg;

void kc_km_set_free_hook(void (*fn)(void *arg, const void *p, size_t size), void *arg)
{
	__atomic_store_n(&free_hook, NULL, __ATOMIC_SEQ_CST);
	__atomic_store_n(&free_hook_arg, arg, __ATOMIC_SEQ_CST);
	__atomic_store_n(&free_hook, fn, __ATOMIC_SEQ_CST);
}

static km_free_hook_fn alloc_hook;
static void *alloc_hook_arg;

void kc_km_set_alloc_hook(void (*fn)(void *arg, const void *p, size_t size), void *arg)
{
	__atomic_store_n(&alloc_hook, NULL, __ATOMIC_SEQ_CST);
	__atomic_store_n(&alloc_hook_arg, arg, __ATOMIC_SEQ_CST);
	__atomic_store_n(&alloc_hook, fn, __ATOMIC_SEQ_CST);
}

void km_alloced(const void *p, size_t size)
{
	km_free_hook_fn fn = __atomic_load_n(&alloc_hook, __ATOMIC_SEQ_CST);

	if (fn && p)
		fn(__atomic_load_n(&alloc_hook_arg, __ATOMIC_SEQ_CST), p, size);
}

void km_freed(const void *p, size_t size)
{
	km_free_hook_fn fn = __atomic_load_n(&free_hook, __ATOMIC_SEQ_CST);

	if (fn && p)
		fn(__atomic_load_n(&free_hook_arg, __ATOMIC_SEQ_CST), p, size);
}

void km_free(const void *p)
{
	struct km_hdr *h;

	if (!p || IS_ERR(p))
		return;
	h = km_hdr_of(p, "kfree");
	km_freed(p, h->size ? h->size : 1);
	h->prev->next = h->next;
	h->next->prev = h->prev;
	h->magic = KM_HDR_FREED;
	live_count--;
	live_bytes -= h->size;
	if (km_reuse())
		reuse_put(h);
	else
		free(h);
}

static bool km_alloc_ctx_ok(gfp_t flags, const char *fn)
{
	if (gfpflags_allow_blocking(flags))
		return km_can_sleep(fn);
	return true;
}

void *kmalloc(size_t size, gfp_t flags)
{
	km_alloc_ctx_ok(flags, "kmalloc");
	return km_alloc(size, (flags & __GFP_ZERO) != 0, flags, "kmalloc");
}

void *kzalloc(size_t size, gfp_t flags)
{
	km_alloc_ctx_ok(flags, "kzalloc");
	return km_alloc(size, true, flags, "kzalloc");
}

void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	km_alloc_ctx_ok(flags, "kmalloc_array");
	return km_alloc(n * size, (flags & __GFP_ZERO) != 0, flags, "kmalloc_array");
}

void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	km_alloc_ctx_ok(flags, "kcalloc");
	return km_alloc(n * size, true, flags, "kcalloc");
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	void *q;
	size_t old;

	if (!p)
		return kmalloc(new_size, flags);
	old = km_hdr_of(p, "krealloc")->size;
	km_alloc_ctx_ok(flags, "krealloc");
	q = km_alloc(new_size, false, flags, "krealloc");
	if (!q)
		return NULL;
	memcpy(q, p, old < new_size ? old : new_size);
	km_free(p);
	return q;
}

void kfree(const void *objp)
{
	km_free(objp);
}

void kfree_sensitive(const void *objp)
{
	if (objp && !IS_ERR(objp))
		memset((void *)objp, 0, km_hdr_of(objp, "kfree_sensitive")->size);
	km_free(objp);
}

size_t ksize(const void *objp)
{
	return objp ? km_hdr_of(objp, "ksize")->size : 0;
}

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup(s, strlen(s) + 1, gfp) : NULL;
}

void *vmalloc(unsigned long size)
{
	km_can_sleep("vmalloc");
	return km_alloc(size, false, GFP_KERNEL, "vmalloc");
}

void *vzalloc(unsigned long size)
{
	km_can_sleep("vzalloc");
	return km_alloc(size, true, GFP_KERNEL, "vzalloc");
}

void *vmalloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return vmalloc(n * size);
}

void vfree(const void *addr)
{
	if (addr && km_self && (km_self->hardirq || km_self->kind == KM_TASK_IRQ))
		km_bug("BUG: vfree() called from hardirq context");
	km_free(addr);
}

void kvfree(const void *addr)
{
	km_free(addr);
}

void *kvmalloc(size_t size, unsigned int flags)
{
	return kmalloc(size, flags);
}

void *kvzalloc(size_t size, unsigned int flags)
{
	return kzalloc(size, flags);
}

/* ---- device-managed memory ---- */

struct km_devres {
	struct device *dev;
	void *p;
	void (*action)(void *); /* devm_add_action & co. (device-managed mappings): run at release;
				 * NULL: p is memory, freed */
	struct km_devres *next;
};

static struct km_devres *devres_head;

void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);
	struct km_devres *r;

	if (!p)
		return NULL;
	r = malloc(sizeof(*r));
	if (!r) {
		kfree(p);
		return NULL;
	}
	r->dev = dev;
	r->p = p;
	r->action = NULL;
	r->next = devres_head;
	devres_head = r;
	return p;
}

/* Device-managed actions (released last in, first out, with the memory, after remove()). */
int devm_add_action(struct device *dev, void (*action)(void *), void *data)
{
	struct km_devres *r = malloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->dev = dev;
	r->p = data;
	r->action = action;
	r->next = devres_head;
	devres_head = r;
	return 0;
}

int devm_add_action_or_reset(struct device *dev, void (*action)(void *), void *data)
{
	int rc = devm_add_action(dev, action, data);

	if (rc)
		action(data);
	return rc;
}

/* Remove (without running it) the most recent matching action; 0, or -ENOENT. */
int km_devres_remove_action(struct device *dev, void (*action)(void *), void *data)
{
	for (struct km_devres **pp = &devres_head; *pp; pp = &(*pp)->next)
		if ((*pp)->dev == dev && (*pp)->action == action && (*pp)->p == data) {
			struct km_devres *r = *pp;

			*pp = r->next;
			free(r);
			return 0;
		}
	return -ENOENT;
}

void devm_remove_action(struct device *dev, void (*action)(void *), void *data)
{
	if (km_devres_remove_action(dev, action, data))
		km_bug("BUG: devm_remove_action of an action not registered for this device");
}

void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp)
{
	void *p = devm_kmalloc(dev, size, gfp);

	if (p)
		memset(p, 0, size);
	return p;
}

void devm_kfree(struct device *dev, const void *p)
{
	for (struct km_devres **pp = &devres_head; *pp; pp = &(*pp)->next)
		if ((*pp)->dev == dev && (*pp)->p == p && !(*pp)->action) {
			struct km_devres *r = *pp;

			*pp = r->next;
			kfree(r->p);
			free(r);
			return;
		}
	km_bug("BUG: devm_kfree of memory not managed for this device");
}

void km_module_devres_release(struct device *dev)
{
	struct km_devres **pp = &devres_head;

	while (*pp) {
		if ((*pp)->dev == dev) {
			struct km_devres *r = *pp;

			*pp = r->next;
			if (r->action)
				r->action(r->p);
			else
				km_free(r->p);
			free(r);
		} else {
			pp = &(*pp)->next;
		}
	}
}

/* ---- DMA ---- */

#define KM_DMA_BASE 0x10000000ULL
#define KM_DMA_GUARD 4096ULL

struct km_dma_map {
	u64 bus;
	size_t len;
	unsigned char *cpu;
	int dir;		/* enum dma_data_direction; coherent memory is DMA_BIDIRECTIONAL */
	bool coherent;
	bool in_arena;		/* coherent memory from the shared arena (else posix_memalign) */
	struct device *dev;
};

/* ---- the coherent-DMA arena ----
 * Coherent buffers live in one memfd so that a split driver's user half can map them too
 * (kc_km_dma_share_fd, rt/plat_kmodel.c): the same memory seen by the kernel half, the user half
 * and, through kc_km_dma_read/write, the device. A buffer's place in the arena is its bus address
 * minus KM_DMA_BASE, so the bus-address allocator (first fit, page aligned, a guard page after
 * each mapping) places it; the memfd is 4 GiB of address space whose pages exist only once
 * touched. A freed buffer is punched out of the memfd (it reads as zeros again, also through the
 * user half's mapping) and, under ASan, poisoned, as are the guard page and the tail of a buffer's
 * last page, so overflows and use after free of coherent memory are still reported. If the memfd
 * cannot be made, or a bus address lies beyond it, posix_memalign is used and that buffer cannot
 * be shared. */
#define KM_ARENA_SIZE (1ULL << 32)
#define KM_PAGE 4096ULL

static int arena_fd = -1;
static unsigned char *arena;
static bool arena_tried;
static const struct kc_km_region_hooks *region_hooks;
static void *region_hooks_arg;

static bool arena_init(void)
{
	void *p;
	int fd;

	if (arena_tried)
		return arena != NULL;
	arena_tried = true;
	fd = memfd_create("kcut-kmodel-dma", MFD_CLOEXEC);
	if (fd < 0)
		return false;
	if (ftruncate(fd, (off_t)KM_ARENA_SIZE) != 0) {
		close(fd);
		return false;
	}
	p = mmap(NULL, KM_ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return false;
	}
	arena_fd = fd;
	arena = p;
	return true;
}

int kc_km_dma_share_fd(void)
{
	return arena_init() ? arena_fd : -1;
}

/* The arena's memory for a coherent buffer at bus address bus, or NULL. */
static void *arena_at(u64 bus, size_t size)
{
	u64 off = bus - KM_DMA_BASE, len = ALIGN((u64)(size ? size : 1), KM_PAGE);

	if (!arena_init() || bus < KM_DMA_BASE || off + len + KM_PAGE > KM_ARENA_SIZE)
		return NULL;
	KM_UNPOISON(arena + off, size);
	if (len > ALIGN((u64)size, 8ULL))
		KM_POISON(arena + off + ALIGN((u64)size, 8ULL), len - ALIGN((u64)size, 8ULL));
	KM_POISON(arena + off + len, KM_PAGE);
	return arena + off;
}

static void arena_free(unsigned char *p, size_t size)
{
	u64 len = ALIGN((u64)(size ? size : 1), KM_PAGE);

	/* drop the pages: the range reads as zeros, also through other mappings */
	if (fallocate(arena_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(p - arena),
		      (off_t)len) != 0)
		memset(p, 0, len);
	KM_POISON(p, len);
}

bool kc_km_dma_arena_offset(const void *cpu, uint64_t *off)
{
	const unsigned char *c = cpu;

	if (!arena || c < arena || c >= arena + KM_ARENA_SIZE)
		return false;
	*off = (u64)(c - arena);
	return true;
}

void kc_km_set_region_hooks(const struct kc_km_region_hooks *hooks, void *arg)
{
	region_hooks = hooks;
	region_hooks_arg = arg;
}

const struct kc_km_region_hooks *km_region_hooks(void **arg)
{
	*arg = region_hooks_arg;
	return region_hooks;
}

/* Free a coherent buffer's memory (the hooks were told already). */
static void coherent_release(struct km_dma_map *m)
{
	if (m->in_arena)
		arena_free(m->cpu, m->len);
	else
		free(m->cpu);
}

static void coherent_freed_hook(struct km_dma_map *m)
{
	if (region_hooks && region_hooks->dma_freed)
		region_hooks->dma_freed(region_hooks_arg, m->cpu);
}

static struct km_dma_map *maps;
static size_t nmaps, capmaps;
static size_t dma_bufs_live;

/* Index of the first mapping with bus > addr (binary search). */
static size_t dma_upper(u64 addr)
{
	size_t lo = 0, hi = nmaps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (maps[mid].bus > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static struct km_dma_map *dma_find(u64 addr)
{
	size_t i = dma_upper(addr);

	if (i == 0)
		return NULL;
	if (addr < maps[i - 1].bus + maps[i - 1].len)
		return &maps[i - 1];
	return NULL;
}

static u64 dma_insert(struct device *dev, void *cpu, size_t len, int dir, bool coherent)
{
	u64 need = ALIGN((u64)(len ? len : 1), 4096ULL) + KM_DMA_GUARD;
	u64 cand = KM_DMA_BASE;
	size_t i;

	for (i = 0; i < nmaps; i++) {
		if (maps[i].bus >= cand + need)
			break;
		cand = ALIGN(maps[i].bus + maps[i].len, 4096ULL) + KM_DMA_GUARD;
	}
	if (nmaps == capmaps) {
		size_t nc = capmaps ? capmaps * 2 : 256;
		struct km_dma_map *nm = realloc(maps, nc * sizeof(*nm));

		if (!nm)
			return DMA_MAPPING_ERROR;
		maps = nm;
		capmaps = nc;
	}
	memmove(&maps[i + 1], &maps[i], (nmaps - i) * sizeof(*maps));
	maps[i].bus = cand;
	maps[i].len = len;
	maps[i].cpu = cpu;
	maps[i].dir = dir;
	maps[i].coherent = coherent;
	maps[i].in_arena = false;
	maps[i].dev = dev;
	nmaps++;
	return cand;
}

static void dma_remove(struct km_dma_map *m)
{
	size_t i = (size_t)(m - maps);

	memmove(&maps[i], &maps[i + 1], (nmaps - i - 1) * sizeof(*maps));
	nmaps--;
}

static u64 dev_mask(struct device *dev, bool coherent)
{
	if (coherent)
		return dev->coherent_dma_mask ? dev->coherent_dma_mask : DMA_BIT_MASK(32);
	return dev->dma_mask && *dev->dma_mask ? *dev->dma_mask : DMA_BIT_MASK(32);
}

void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp)
{
	struct km_dma_map *m;
	void *cpu;
	u64 bus;

	km_alloc_ctx_ok(gfp, "dma_alloc_coherent");
	if (km_should_fail(KM_FAIL_DMA_ALLOC))
		return NULL;
	bus = dma_insert(dev, NULL, size, DMA_BIDIRECTIONAL, true);
	if (bus == DMA_MAPPING_ERROR)
		return NULL;
	m = dma_find(bus);
	if (bus + size - 1 > dev_mask(dev, true)) {
		dma_remove(m);
		return NULL;
	}
	cpu = arena_at(bus, size);
	m->in_arena = cpu != NULL;
	if (!cpu && posix_memalign(&cpu, 4096, size ? size : 1)) {
		dma_remove(m);
		return NULL;
	}
	memset(cpu, 0, size);
	m->cpu = cpu;
	dma_bufs_live++;
	*dma_handle = bus;
	if (region_hooks && region_hooks->dma_alloced)
		region_hooks->dma_alloced(region_hooks_arg, dev, cpu, bus, size,
					  m->in_arena ? bus - KM_DMA_BASE : UINT64_MAX);
	return cpu;
}

void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle)
{
	struct km_dma_map *m = dma_find(dma_handle);

	if (km_self && (km_self->hardirq || km_self->kind == KM_TASK_IRQ))
		km_bug("WARNING: dma_free_coherent() called from hardirq context");
	if (!m || m->bus != dma_handle || !m->coherent || m->dev != dev) {
		km_bug("BUG: dma_free_coherent of bus address 0x%llx that is not a coherent buffer of %s",
		       (unsigned long long)dma_handle, dev_name(dev));
		return;
	}
	if (m->cpu != cpu_addr || m->len != size)
		km_bug("BUG: dma_free_coherent of 0x%llx with wrong cpu address or size (%zu, allocated %zu)",
		       (unsigned long long)dma_handle, size, m->len);
	coherent_freed_hook(m); /* unexported before the memory can be reused */
	coherent_release(m);
	dma_remove(m);
	dma_bufs_live--;
}

dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size, enum dma_data_direction dir)
{
	u64 bus;

	if (km_should_fail(KM_FAIL_DMA_MAP))
		return DMA_MAPPING_ERROR;
	if (dir == DMA_NONE) {
		km_bug("BUG: dma_map_single with DMA_NONE");
		return DMA_MAPPING_ERROR;
	}
	bus = dma_insert(dev, ptr, size, dir, false);
	if (bus != DMA_MAPPING_ERROR && bus + size - 1 > dev_mask(dev, false)) {
		dma_remove(dma_find(bus));
		return DMA_MAPPING_ERROR;
	}
	return bus;
}

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	struct km_dma_map *m = dma_find(addr);

	if (!m || m->bus != addr || m->coherent || m->dev != dev) {
		km_bug("BUG: DMA-API: %s: unmapping bus address 0x%llx that was never mapped", dev_name(dev),
		       (unsigned long long)addr);
		return;
	}
	if (m->len != size || m->dir != (int)dir)
		km_bug("BUG: DMA-API: %s: unmap of 0x%llx with size %zu dir %d, mapped with size %zu dir %d",
		       dev_name(dev), (unsigned long long)addr, size, (int)dir, m->len, m->dir);
	dma_remove(m);
}

int dma_mapping_error(struct device *dev, dma_addr_t dma_addr)
{
	(void)dev;
	return dma_addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	struct km_dma_map *m = dma_find(addr);

	(void)dir;
	if (!m || m->dev != dev || addr + size > m->bus + m->len)
		km_bug("BUG: DMA-API: %s: sync of unmapped range 0x%llx+%zu", dev_name(dev),
		       (unsigned long long)addr, size);
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr, size, dir);
}

int dma_set_mask(struct device *dev, u64 mask)
{
	if (mask < DMA_BIT_MASK(24))
		return -EIO;
	if (dev->dma_mask)
		*dev->dma_mask = mask;
	return 0;
}

int dma_set_coherent_mask(struct device *dev, u64 mask)
{
	if (mask < DMA_BIT_MASK(24))
		return -EIO;
	dev->coherent_dma_mask = mask;
	return 0;
}

int dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	int rc = dma_set_mask(dev, mask);

	return rc ? rc : dma_set_coherent_mask(dev, mask);
}

void km_dma_release_dev(struct device *dev)
{
	size_t coh = 0, str = 0;

	for (size_t i = 0; i < nmaps;) {
		if (maps[i].dev == dev) {
			if (maps[i].coherent) {
				coh++;
				coherent_freed_hook(&maps[i]);
				coherent_release(&maps[i]);
				dma_bufs_live--;
			} else {
				str++;
			}
			dma_remove(&maps[i]);
		} else {
			i++;
		}
	}
	if (coh || str)
		km_bug("BUG: %s: driver left %zu coherent DMA buffer(s) and %zu streaming mapping(s) after unbind",
		       dev_name(dev), coh, str);
}

/* Device-side access. write: device writes host memory. */
static int km_dma_access(struct kc_km_pci_dev *pdev, uint64_t bus, void *buf, size_t len, bool write)
{
	struct device *dev = km_pci_device(pdev);
	struct km_dma_map *m = dma_find(bus);
	const char *op = write ? "write" : "read";

	if (!kc_km_pci_bus_master(pdev)) {
		km_bug("BUG: DMA fault: %s %s of %zu bytes at 0x%llx with bus mastering disabled",
		       kc_km_pci_name(pdev), op, len, (unsigned long long)bus);
		return KC_EINVAL;
	}
	if (!m || m->dev != dev || bus + len > m->bus + m->len) {
		km_bug("BUG: DMA fault: %s %s of %zu bytes at 0x%llx outside any mapping of the device",
		       kc_km_pci_name(pdev), op, len, (unsigned long long)bus);
		return KC_EINVAL;
	}
	if ((write && m->dir == DMA_TO_DEVICE) || (!write && m->dir == DMA_FROM_DEVICE)) {
		km_bug("BUG: DMA fault: %s %s at 0x%llx against the mapping direction",
		       kc_km_pci_name(pdev), op, (unsigned long long)bus);
		return KC_EINVAL;
	}
	if (write)
		memcpy(m->cpu + (bus - m->bus), buf, len);
	else
		memcpy(buf, m->cpu + (bus - m->bus), len);
	return 0;
}

int kc_km_dma_read(struct kc_km_pci_dev *dev, uint64_t bus, void *buf, size_t len)
{
	return km_dma_access(dev, bus, buf, len, false);
}

int kc_km_dma_write(struct kc_km_pci_dev *dev, uint64_t bus, const void *buf, size_t len)
{
	return km_dma_access(dev, bus, (void *)buf, len, true);
}

size_t km_skb_live;

void kc_km_mem_stats(size_t *allocs, size_t *bytes, size_t *dma_bufs, size_t *skbs)
{
	if (allocs)
		*allocs = live_count;
	if (bytes)
		*bytes = live_bytes;
	if (dma_bufs)
		*dma_bufs = dma_bufs_live;
	if (skbs)
		*skbs = km_skb_live;
}

dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset, size_t size,
			enum dma_data_direction dir)
{
	return dma_map_single(dev, (char *)page + offset, size, dir);
}

void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	dma_unmap_single(dev, addr, size, dir);
}
