/*
 * kc_kapi.c - kernel functions whose call from the user half is not a downcall (kc_kapi.h). Lists,
 * not decisions: the emitter's plan (what crosses) and the partitioner's cost model (what a
 * user-half function's kernel calls cost) both read them from here.
 */
#include "kc_kapi.h"

#include <string.h>

#include "kc_common.h"

int kc_kapi_in_list(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/*
 * Delays the Linux user half runs itself (rt/lxuser/lx_kimports.c): busy-waits and short sleeps
 * need no kernel state, and as downcalls they made the bit-banged EEPROM reads of e1000 ~4,200
 * crossings inside one upcall. The Linux spellings only: udelay/ndelay/mdelay are macros for
 * __udelay, __const_udelay, __ndelay (asm/delay.h), usleep_range an inline for
 * usleep_range_state. The kernel model's udelay, mdelay and usleep_range keep their own names and
 * stay downcalls: they advance the virtual clock the simulated devices run on. msleep stays a
 * downcall on both: a user-half wait for what the interrupt handler sets sees it with the
 * crossing's reply (rt/sync.c); a busy-wait polls registers, which reach the device anyway.
 */
int kc_kapi_local_delay(const char *name)
{
	static const char *const names[] = {
		"__udelay", "__const_udelay", "__ndelay", "__delay", "usleep_range_state",
	};

	return kc_kapi_in_list(name, names, KC_ARRAY_SIZE(names));
}

/*
 * Library routines that only work on the memory their caller passes (string.h, formatting into a
 * buffer, number parsing): the user half runs them locally on its own copies, never as downcalls
 * (a downcall would need every argument to be an object the kernel half knows). The Linux delays
 * (kc_kapi_local_delay) run locally too and are part of this list.
 */
int kc_kapi_local_library(const char *name)
{
	static const char *const names[] = {
		"memchr", "memcmp", "memcpy", "memmove", "memscan", "memset", "scnprintf", "snprintf", "sprintf",
		"sscanf", "strcasecmp", "strcat", "strchr", "strcmp", "strcpy", "strcspn", "strlcat", "strlcpy",
		"strlen", "strncasecmp", "strncat", "strncmp", "strncpy", "strnlen", "strpbrk", "strrchr",
		"strscpy", "strsep", "strspn", "strstr", "vscnprintf", "vsnprintf", "vsprintf",
	};

	if (!strncmp(name, "kstrto", 6) || !strncmp(name, "simple_strto", 12) || kc_kapi_local_delay(name))
		return 1;
	return kc_kapi_in_list(name, names, KC_ARRAY_SIZE(names));
}

/*
 * Link-time assertions of the kernel headers: declared, never defined; a call to one survives
 * only in a branch the compiler removes (udelay(n) with a constant n above 20000 calls
 * __bad_udelay), so a module that really calls one does not link. Never a crossing: a handler
 * calling one would be exactly such a call.
 */
int kc_kapi_link_assert(const char *name)
{
	static const char *const names[] = {
		"__bad_udelay", "__bad_ndelay", "__bad_size_call_parameter", "__bad_percpu_size",
		"__xchg_wrong_size", "__cmpxchg_wrong_size", "__get_user_bad", "__put_user_bad",
		"__bad_unaligned_access_size", "__bad_mask",
	};

	return !strncmp(name, "__compiletime_assert_", 21) || kc_kapi_in_list(name, names, KC_ARRAY_SIZE(names));
}

/*
 * Kernel functions that stop the machine (the kernel model's BUG(), panic & co.). Called in the
 * user half they end the user half, which the kernel half restarts; never a downcall: a user half
 * must not be able to stop the kernel with one valid message (fuzz finding 2).
 */
int kc_kapi_fatal(const char *name)
{
	static const char *const names[] = {
		"__kc_bug", "panic", "kernel_halt", "kernel_power_off", "kernel_restart", "machine_halt",
		"machine_power_off", "machine_restart", "emergency_restart",
	};

	return kc_kapi_in_list(name, names, KC_ARRAY_SIZE(names));
}

/*
 * Register accessors (linux/io.h, asm/io.h; the _relaxed and __raw_ forms, ioread/iowrite,
 * port I/O, byte ranges) and rt's function the user half calls instead when it may reach the
 * device (kcut_rt.h, "Device regions": forwarded and posted, or plain accesses to a mapping).
 */
static const struct {
	const char *name, *io;
} regio[] = {
	{ "readb", "kc_io_read8" },	      { "readw", "kc_io_read16" },
	{ "readl", "kc_io_read32" },	      { "readq", "kc_io_read64" },
	{ "readb_relaxed", "kc_io_read8" },   { "readw_relaxed", "kc_io_read16" },
	{ "readl_relaxed", "kc_io_read32" },  { "readq_relaxed", "kc_io_read64" },
	{ "__raw_readb", "kc_io_read8" },     { "__raw_readw", "kc_io_read16" },
	{ "__raw_readl", "kc_io_read32" },    { "__raw_readq", "kc_io_read64" },
	{ "ioread8", "kc_io_read8" },	      { "ioread16", "kc_io_read16" },
	{ "ioread32", "kc_io_read32" },	      { "ioread64", "kc_io_read64" },
	{ "writeb", "kc_io_write8" },	      { "writew", "kc_io_write16" },
	{ "writel", "kc_io_write32" },	      { "writeq", "kc_io_write64" },
	{ "writeb_relaxed", "kc_io_write8" }, { "writew_relaxed", "kc_io_write16" },
	{ "writel_relaxed", "kc_io_write32" }, { "writeq_relaxed", "kc_io_write64" },
	{ "__raw_writeb", "kc_io_write8" },   { "__raw_writew", "kc_io_write16" },
	{ "__raw_writel", "kc_io_write32" },  { "__raw_writeq", "kc_io_write64" },
	{ "iowrite8", "kc_io_write8" },	      { "iowrite16", "kc_io_write16" },
	{ "iowrite32", "kc_io_write32" },     { "iowrite64", "kc_io_write64" },
	{ "inb", "kc_io_in8" },		      { "inw", "kc_io_in16" },
	{ "inl", "kc_io_in32" },	      { "inb_p", "kc_io_in8" },
	{ "inw_p", "kc_io_in16" },	      { "inl_p", "kc_io_in32" },
	{ "outb", "kc_io_out8" },	      { "outw", "kc_io_out16" },
	{ "outl", "kc_io_out32" },	      { "outb_p", "kc_io_out8" },
	{ "outw_p", "kc_io_out16" },	      { "outl_p", "kc_io_out32" },
	/* x86 Linux 6.1: inb/outb & co. are macros for these (asm/shared/io.h) */
	{ "__inb", "kc_io_in8" },	      { "__inw", "kc_io_in16" },
	{ "__inl", "kc_io_in32" },	      { "__outb", "kc_io_out8" },
	{ "__outw", "kc_io_out16" },	      { "__outl", "kc_io_out32" },
	{ "memcpy_fromio", "kc_io_memcpy_fromio" }, { "memcpy_toio", "kc_io_memcpy_toio" },
	{ "memset_io", "kc_io_memset_io" },
};

const char *kc_kapi_regio(const char *name)
{
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(regio); i++)
		if (!strcmp(regio[i].name, name))
			return regio[i].io;
	return NULL;
}

const char *kc_kapi_regio_nth(size_t i, const char **io)
{
	if (i >= KC_ARRAY_SIZE(regio))
		return NULL;
	*io = regio[i].io;
	return regio[i].name;
}

/*
 * Bit operations on a word of memory (linux/bitops.h; Linux's own spellings behind its macros
 * included). Called from the user half they are downcalls that work on the kernel half's copy of
 * the word (docs/emitter.md, "Shared flag words").
 */
const char *const kc_kapi_word_ops[] = {
	"___clear_bit", "___set_bit", "__change_bit", "__clear_bit", "__set_bit", "__test_and_clear_bit",
	"__test_and_set_bit", "_test_bit", "change_bit", "clear_bit", "clear_bit_unlock", "const_test_bit",
	"set_bit", "test_and_change_bit", "test_and_clear_bit", "test_and_set_bit", "test_and_set_bit_lock",
	"test_bit", NULL,
};

int kc_kapi_word_op(const char *name)
{
	return kc_kapi_in_list(name, kc_kapi_word_ops, KC_ARRAY_SIZE(kc_kapi_word_ops) - 1);
}

/*
 * Posted kernel calls (rt/kcut_rt.h, "Posted kernel calls"): kernel functions the user half calls
 * without waiting, as PCI posts writes. Each returns void and has no effect the user half can
 * observe locally; whatever depends on it comes after a crossing, which sends the posted calls
 * first (one queue with the posted register writes, one order):
 *   - frees of objects the user half gives up (its copy leaves its tracker when it posts): a
 *     later use would be a use after free in the unsplit driver too;
 *   - streaming DMA unmaps and syncs: the user half never holds streaming-mapped memory itself
 *     (it has copies that arrive by crossings, which come after the posted call), and the device
 *     sees a sync for the device before the doorbell, a register write queued after it;
 *   - log lines (formatted in the user half, fmt_fwd): they reach the kernel log in the order the
 *     user half made them, relative to its register writes and other calls.
 * Not here: dma_free_coherent (the user half's view of the region goes with it, synchronously),
 * free_netdev, free_irq (it waits for the handler), printk/_printk (they return a count), msleep &
 * co. (a wait needs the kernel's clock and the interrupt handler's writes), and anything that
 * returns a value. The emitter posts a listed import only when its signature writes nothing back
 * (emitter/plan_cross.c em_plan_posted); the partitioner prices a listed call at 0 crossings
 * (partitioner/rules.c).
 */
int kc_kapi_posted(const char *name)
{
	static const char *const names[] = {
		/* frees */
		"kfree", "kvfree", "vfree", "kfree_sensitive", "consume_skb", "kfree_skb", "kfree_skb_reason",
		"dev_kfree_skb_any", "dev_kfree_skb_irq", "dev_kfree_skb_any_reason", "dev_kfree_skb_irq_reason",
		"napi_consume_skb",
		/* streaming DMA unmaps and syncs */
		"dma_unmap_single", "dma_unmap_page", "dma_unmap_single_attrs", "dma_unmap_page_attrs",
		"dma_unmap_sg", "dma_unmap_sg_attrs", "dma_sync_single_for_cpu", "dma_sync_single_for_device",
		"dma_sync_single_range_for_cpu", "dma_sync_single_range_for_device",
		/* log lines */
		"netdev_printk", "netdev_emerg", "netdev_alert", "netdev_crit", "netdev_err", "netdev_warn",
		"netdev_notice", "netdev_info", "dev_printk", "_dev_emerg", "_dev_alert", "_dev_crit", "_dev_err",
		"_dev_warn", "_dev_notice", "_dev_info",
	};

	return kc_kapi_in_list(name, names, KC_ARRAY_SIZE(names));
}
