/*
 * kapi.c - kernel functions and types kcut knows by name: the knowledge the plan's rules and the
 * scanners share (model.h). Lists, not decisions: plan_*.c decides what they mean for a split.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

static int in_list(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/*
 * Kernel functions that free their first argument: nothing of it comes back (the handler would read
 * freed memory), and the kernel half forgets its handle before the call.
 */
int em_deallocator(const char *name)
{
	static const char *const names[] = {
		"consume_skb", "dev_kfree_skb", "dev_kfree_skb_any", "dev_kfree_skb_irq", "free_netdev", "kfree",
		"kfree_sensitive", "kfree_skb", "kvfree", "vfree", "snd_card_free", "snd_card_free_when_closed",
	};

	return in_list(name, names, KC_ARRAY_SIZE(names));
}

/*
 * Library routines that only work on the memory their caller passes (string.h, formatting into a
 * buffer, number parsing): the user half runs them locally on its own copies, never as downcalls
 * (a downcall would need every argument to be an object the kernel half knows).
 */
int em_local_library(const char *name)
{
	static const char *const names[] = {
		"memchr", "memcmp", "memcpy", "memmove", "memscan", "memset", "scnprintf", "snprintf", "sprintf",
		"sscanf", "strcasecmp", "strcat", "strchr", "strcmp", "strcpy", "strcspn", "strlcat", "strlcpy",
		"strlen", "strncasecmp", "strncat", "strncmp", "strncpy", "strnlen", "strpbrk", "strrchr",
		"strscpy", "strsep", "strspn", "strstr", "vscnprintf", "vsnprintf", "vsprintf",
	};

	if (!strncmp(name, "kstrto", 6) || !strncmp(name, "simple_strto", 12))
		return 1;
	return in_list(name, names, KC_ARRAY_SIZE(names));
}

/*
 * Link-time assertions of the kernel headers: declared, never defined; a call to one survives
 * only in a branch the compiler removes (udelay(n) with a constant n above 20000 calls
 * __bad_udelay), so a module that really calls one does not link. Never a crossing: a handler
 * calling one would be exactly such a call.
 */
int em_link_assert(const char *name)
{
	static const char *const names[] = {
		"__bad_udelay", "__bad_ndelay", "__bad_size_call_parameter", "__bad_percpu_size",
		"__xchg_wrong_size", "__cmpxchg_wrong_size", "__get_user_bad", "__put_user_bad",
		"__bad_unaligned_access_size", "__bad_mask",
	};

	return !strncmp(name, "__compiletime_assert_", 21) || in_list(name, names, KC_ARRAY_SIZE(names));
}

/*
 * Bit operations on a word of memory (linux/bitops.h; Linux's own spellings behind its macros
 * included). Called from the user half they are downcalls that work on the kernel half's copy of
 * the word (docs/emitter.md, "Shared flag words").
 */
const char *const em_word_ops[] = {
	"___clear_bit", "___set_bit", "__change_bit", "__clear_bit", "__set_bit", "__test_and_clear_bit",
	"__test_and_set_bit", "_test_bit", "change_bit", "clear_bit", "clear_bit_unlock", "const_test_bit",
	"set_bit", "test_and_change_bit", "test_and_clear_bit", "test_and_set_bit", "test_and_set_bit_lock",
	"test_bit", NULL,
};

int em_word_op(const char *name)
{
	return in_list(name, em_word_ops, KC_ARRAY_SIZE(em_word_ops) - 1);
}

/*
 * Kernel objects a driver embeds and hands to the kernel by address (timer_setup(&a->timer),
 * INIT_WORK, netif_napi_add, spin_lock_init ...): their contents belong to the kernel and are never
 * copied, in either direction (a user-half copy would overwrite the kernel's list linkage); the same
 * for the lists the kernel keeps in its own objects (net_device.mc, skb queues).
 */
int em_kernel_owned(const char *type)
{
	static const char *const names[] = {
		"completion", "delayed_work", "hrtimer", "mutex", "napi_struct", "spinlock", "spinlock_t",
		"tasklet_struct", "timer_list", "wait_queue_head", "wait_queue_head_t", "work_struct", "rwlock_t",
		"raw_spinlock_t", "semaphore", "netdev_hw_addr_list", "sk_buff_head",
	};

	if (!strncmp(type, "struct ", 7))
		type += 7;
	return in_list(type, names, KC_ARRAY_SIZE(names));
}

/* Kernel allocators: which parameters give the element count (-1: 1) and the size. */
static const struct {
	const char *name;
	int count, size;
} allocators[] = {
	{ "kmalloc", -1, 0 },	   { "kzalloc", -1, 0 },      { "kcalloc", 0, 1 },	   { "kmalloc_array", 0, 1 },
	{ "vmalloc", -1, 0 },	   { "vzalloc", -1, 0 },      { "kvmalloc", -1, 0 },	   { "kvzalloc", -1, 0 },
	{ "kvcalloc", 0, 1 },	   { "devm_kmalloc", -1, 1 }, { "devm_kzalloc", -1, 1 }, { "devm_kcalloc", 1, 2 },
	{ "__kmalloc", -1, 0 },
	/* count -2: a net_device followed by a private area of `size` bytes (netdev_priv()) */
	{ "alloc_etherdev_mqs", -2, 0 }, { "alloc_netdev_mqs", -2, 0 }, { "devm_alloc_etherdev_mqs", -2, 1 },
};

int em_allocator(const char *name, int *count, int *size)
{
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(allocators); i++)
		if (!strcmp(allocators[i].name, name)) {
			*count = allocators[i].count;
			*size = allocators[i].size;
			return 1;
		}
	return 0;
}

/* Deallocators the kernel half calls on objects the user half may hold copies of (socket buffers
 * are not here: their frees are on the data path, and an skb that crossed is untracked by the
 * deallocator rule of the user half). */
const char *const em_kernel_frees[] = { "kfree", "kfree_sensitive", "kvfree", "vfree", "free_netdev", NULL };
