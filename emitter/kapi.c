/*
 * kapi.c - kernel functions and types kcut knows by name: the knowledge the plan's rules and the
 * scanners share (model.h). Lists, not decisions: plan_*.c decides what they mean for a split.
 */
#include <stdlib.h>
#include <string.h>

#include "kc_kapi.h"
#include "model.h"

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

	return kc_kapi_in_list(name, names, KC_ARRAY_SIZE(names));
}

/* memcpy, strscpy ..., Linux's __udelay & co.: the user half runs them itself (common/kc_kapi.c,
 * shared with the partitioner's cost model) */
int em_local_library(const char *name)
{
	return kc_kapi_local_library(name);
}

/* __bad_udelay ...: never called, never a downcall (common/kc_kapi.c) */
int em_link_assert(const char *name)
{
	return kc_kapi_link_assert(name);
}

/* BUG, panic ...: called in the user half they end it, never a downcall (common/kc_kapi.c) */
int em_fatal(const char *name)
{
	return kc_kapi_fatal(name);
}

/* set_bit, test_bit ...: from the user half a downcall on the kernel half's copy of the word
 * (common/kc_kapi.c kc_kapi_word_ops, shared with the partitioner's cost model) */
int em_word_op(const char *name)
{
	return kc_kapi_word_op(name);
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
	return kc_kapi_in_list(type, names, KC_ARRAY_SIZE(names));
}

/*
 * Kernel-header macros that initialize a kernel-owned object with a driver function. The kernel
 * model declares them functions (__kc_init_work: a downcall like any import); Linux expands
 * them in the caller: stores into the object and inline calls (__init_work, INIT_LIST_HEAD,
 * init_timer_key with the kernel's own delayed_work_timer_fn). Run in the user half, that
 * expansion would initialize the user half's copy only, which never crosses (em_kernel_owned),
 * and pass a kernel function's address down. The scan makes each use a downcall of the macro
 * itself (clangscan.c em_scan_macro_imports) where the expansion calls `evidence`: the kernel half
 * runs the macro on its object, the function crossing by id as any function pointer does.
 */
static const struct {
	const char *macro, *evidence, *obj, *fn;
	const char *busy; /* the kernel's test that the object is in use (queued): no re-init then */
} init_macros[] = {
	{ "INIT_WORK", "__init_work", "work_struct", "work_func_t", "work_pending" },
	{ "INIT_DELAYED_WORK", "__init_work", "delayed_work", "work_func_t", "delayed_work_pending" },
	{ "INIT_DEFERRABLE_WORK", "__init_work", "delayed_work", "work_func_t", "delayed_work_pending" },
};

/*
 * Kernel imports other than those macros that initialize a kernel object in place, where the
 * user half may name an object the kernel uses: the kernel half's test that the object is in use
 * (then the downcall is refused as a protocol fault). INIT_LIST_HEAD reaches the user half from the
 * expansion of INIT_*WORK (its list entry) and from driver code on a kernel object's list head:
 * only a head never initialized (both words NULL) is initialized; an initialized one, empty or
 * linked into a list the kernel walks, is refused (kc_list_head_busy, rt/linux/kcut_frees.h: an
 * empty one too, since resetting it would race the kernel's list_add).
 */
static const struct {
	const char *name, *busy;
} guarded_imports[] = {
	{ "INIT_LIST_HEAD", "kc_list_head_busy" },
};

/* For a kernel import: the kernel half's test that argument 0 is in use (a macro import's from its
 * table row, em_func.macro; the kernel half refuses to initialize a work the kernel has queued or a
 * list head the kernel uses: that would corrupt the kernel's lists); else NULL. */
const char *em_import_busy(const struct em_func *f)
{
	size_t i;

	if (f->nparams < 1 || f->is_driver)
		return NULL;
	if (f->macro)
		return f->macro <= (int)KC_ARRAY_SIZE(init_macros) ? init_macros[f->macro - 1].busy : NULL;
	for (i = 0; i < KC_ARRAY_SIZE(guarded_imports); i++)
		if (!strcmp(guarded_imports[i].name, f->name))
			return guarded_imports[i].busy;
	return NULL;
}

const char *em_init_macro_nth(size_t i, const char **evidence, const char **obj, const char **fn)
{
	if (i >= KC_ARRAY_SIZE(init_macros))
		return NULL;
	*evidence = init_macros[i].evidence;
	*obj = init_macros[i].obj;
	*fn = init_macros[i].fn;
	return init_macros[i].macro;
}

/*
 * Header inline functions that only compute from fields of the struct they are given, fields the
 * analyzer's facts count as the caller's (inline_access), so the user half's copy has them: they
 * run in the user half, although they read a kernel struct's members (which makes a header
 * inline a downcall, clangscan.c). resource_size(&pdev->resource[i]) as a downcall also needed a
 * pointer into an embedded array of structs, which the wire's embed table does not describe.
 */
int em_local_inline(const char *name)
{
	static const char *const names[] = { "resource_size" };

	return kc_kapi_in_list(name, names, KC_ARRAY_SIZE(names));
}

/* Kernel allocators: which parameters give the element count (-1: 1) and the size; q1, q2: the
 * parameters that are queue counts (each costs the kernel a queue structure: bounded with the
 * allocation, kc_wire_alloc_check; 0: none). */
static const struct {
	const char *name;
	int count, size, q1, q2;
} allocators[] = {
	{ "kmalloc", -1, 0, 0, 0 },      { "kzalloc", -1, 0, 0, 0 },     { "kcalloc", 0, 1, 0, 0 },
	{ "kmalloc_array", 0, 1, 0, 0 }, { "vmalloc", -1, 0, 0, 0 },     { "vzalloc", -1, 0, 0, 0 },
	{ "kvmalloc", -1, 0, 0, 0 },     { "kvzalloc", -1, 0, 0, 0 },    { "kvcalloc", 0, 1, 0, 0 },
	{ "devm_kmalloc", -1, 1, 0, 0 }, { "devm_kzalloc", -1, 1, 0, 0 }, { "devm_kcalloc", 1, 2, 0, 0 },
	{ "__kmalloc", -1, 0, 0, 0 },
	/* count -2: a net_device followed by a private area of `size` bytes (netdev_priv()) */
	{ "alloc_etherdev_mqs", -2, 0, 1, 2 }, { "alloc_netdev_mqs", -2, 0, 4, 5 },
	{ "devm_alloc_etherdev_mqs", -2, 1, 2, 3 },
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

int em_allocator_queues(const char *name, int *q1, int *q2)
{
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(allocators); i++)
		if (!strcmp(allocators[i].name, name) && allocators[i].q1) {
			*q1 = allocators[i].q1;
			*q2 = allocators[i].q2;
			return 1;
		}
	return 0;
}

/* Register accessors and rt's kc_io_* functions the user half calls instead (common/kc_kapi.c) */
const char *em_regio(const char *name)
{
	return kc_kapi_regio(name);
}

const char *em_regio_nth(size_t i, const char **io)
{
	return kc_kapi_regio_nth(i, io);
}

/* Write barriers: a register write posted before one must reach the device before the memory
 * writes after it (descriptors in DMA memory, then the doorbell). Read barriers need nothing:
 * a forwarded read is synchronous. */
const char *const em_regio_barriers[] = { "mb", "wmb", "dma_wmb", "mmiowb", "iowmb", NULL };

/* Kernel functions that hand out or take back pointers into device regions. */
static const struct {
	const char *name;
	int ret, param, pkind;
} region_api[] = {
	{ "dma_alloc_coherent", EM_R_DMA, -1, 0 }, { "dma_zalloc_coherent", EM_R_DMA, -1, 0 },
	{ "dmam_alloc_coherent", EM_R_DMA, -1, 0 }, { "dma_free_coherent", 0, 2, EM_R_DMA },
	{ "dmam_free_coherent", 0, 2, EM_R_DMA },   { "ioremap", EM_R_MMIO, -1, 0 },
	{ "ioremap_nocache", EM_R_MMIO, -1, 0 },    { "ioremap_uc", EM_R_MMIO, -1, 0 },
	{ "ioremap_wc", EM_R_MMIO, -1, 0 },	    { "ioremap_wt", EM_R_MMIO, -1, 0 },
	{ "ioremap_cache", EM_R_MMIO, -1, 0 },	    { "pci_ioremap_bar", EM_R_MMIO, -1, 0 },
	{ "pci_ioremap_wc_bar", EM_R_MMIO, -1, 0 }, { "pci_iomap", EM_R_MMIO, -1, 0 },
	{ "pci_iomap_wc", EM_R_MMIO, -1, 0 },	    { "pci_iomap_range", EM_R_MMIO, -1, 0 },
	{ "pcim_iomap", EM_R_MMIO, -1, 0 },	    { "devm_ioremap", EM_R_MMIO, -1, 0 },
	{ "devm_ioremap_uc", EM_R_MMIO, -1, 0 },    { "devm_ioremap_wc", EM_R_MMIO, -1, 0 },
	{ "of_iomap", EM_R_MMIO, -1, 0 },	    { "iounmap", 0, 0, EM_R_MMIO },
	{ "pci_iounmap", 0, 1, EM_R_MMIO },	    { "devm_iounmap", 0, 1, EM_R_MMIO },
	{ "pcim_iounmap", 0, 1, EM_R_MMIO },
};

int em_region_api(const char *name, int *ret, int *param, int *pkind)
{
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(region_api); i++)
		if (!strcmp(region_api[i].name, name)) {
			*ret = region_api[i].ret;
			*param = region_api[i].param;
			*pkind = region_api[i].pkind;
			return 1;
		}
	return 0;
}

/*
 * Kernel functions that accept NULL for a pointer parameter (they test it): the frees and puts
 * (kfree(NULL), dev_kfree_skb_any(NULL) ...), printk with a NULL device, and optional arguments
 * (a sound card without a parent device, the first pci_get_device of a search) and the results of
 * allocators passed on unchecked by design (snd_ctl_add(card, snd_ctl_new1(...)) frees nothing and
 * returns an error for a NULL control). Any other struct
 * pointer a kernel function takes it dereferences: that is the kernel's convention (register_netdev,
 * mutex_lock, pci_release_regions, pci_name, netdev_priv: a NULL net_device has no private area),
 * so the kernel half refuses NULL there (plan_marshal.c, KC_WP_NONNULL). j: the parameter, sname:
 * its struct's name (a `struct module *` owner is NULL in a kernel built without modules).
 */
int em_null_ok(const char *name, int j, const char *sname)
{
	static const struct {
		const char *name;
		int param; /* -1: every parameter */
	} ok[] = {
		{ "consume_skb", 0 }, { "dev_kfree_skb", 0 }, { "dev_kfree_skb_any", 0 }, { "dev_kfree_skb_irq", 0 },
		{ "dev_consume_skb_any", 0 }, { "dev_consume_skb_irq", 0 }, { "kfree_skb", 0 },
		{ "kfree_skb_list", 0 }, { "napi_consume_skb", 0 }, { "kfree", 0 }, { "kvfree", 0 }, { "vfree", 0 },
		{ "kfree_sensitive", 0 }, { "put_device", 0 }, { "pci_dev_put", 0 }, { "kobject_put", 0 },
		{ "of_node_put", 0 }, { "release_firmware", 0 }, { "debugfs_remove", 0 },
		{ "debugfs_remove_recursive", 0 }, { "usb_free_urb", 0 }, { "usb_put_dev", 0 },
		{ "input_free_device", 0 }, { "dma_pool_destroy", 0 }, { "kmem_cache_destroy", 0 },
		{ "mempool_destroy", 0 }, { "iounmap", 0 }, { "pci_iounmap", 1 }, { "snd_card_free_when_closed", 0 },
		{ "clk_put", 0 }, { "clk_disable", 0 }, { "clk_unprepare", 0 }, { "clk_disable_unprepare", 0 },
		{ "pci_get_device", 2 }, { "pci_get_subsys", 4 }, { "pci_get_class", 1 }, { "snd_card_new", 0 },
		{ "snd_devm_card_new", -1 }, { "snd_pcm_set_managed_buffer", 3 }, { "snd_pcm_set_managed_buffer_all", 2 },
		{ "snd_pcm_lib_preallocate_pages", 2 }, { "snd_pcm_lib_preallocate_pages_for_all", 2 },
		{ "snd_dma_alloc_pages", 1 }, { "request_firmware", 2 }, { "request_firmware_nowait", 3 },
		{ "device_create", 1 }, { "snd_ctl_add", 1 }, { "snd_ctl_replace", 1 }, { "dev_printk", 1 }, { "dev_printk_emit", 1 }, { "__dynamic_dev_dbg", 1 },
		{ "__dynamic_netdev_dbg", 1 }, { "__netdev_printk", 1 }, { "netdev_printk", 1 },
	};
	static const char *const levels[] = { "emerg", "alert", "crit", "err", "warn", "notice", "info", "dbg" };
	size_t i;

	if (sname && !strcmp(sname, "module"))
		return 1;
	/* dev_err(NULL, ...), _dev_info, netdev_warn(NULL, ...): printk says "(NULL device *)" */
	for (i = 0; i < KC_ARRAY_SIZE(levels); i++) {
		const char *l = levels[i];

		if (j == 0 && ((!strncmp(name, "dev_", 4) && !strcmp(name + 4, l)) ||
			       (!strncmp(name, "_dev_", 5) && !strcmp(name + 5, l)) ||
			       (!strncmp(name, "netdev_", 7) && !strcmp(name + 7, l))))
			return 1;
	}
	for (i = 0; i < KC_ARRAY_SIZE(ok); i++)
		if (!strcmp(ok[i].name, name) && (ok[i].param == -1 || ok[i].param == j))
			return 1;
	return 0;
}

/*
 * Slots of teardown callbacks the kernel calls once, whatever they return, and never again (a
 * sound stream's hw_free and close): served by a user half that is down, they would be lost and
 * the driver would keep the stream open for ever. Their kernel-half stubs queue them for the next
 * user half (plan_marshal.c, rt's kc_wire_redo). slot: "struct_name.field".
 */
int em_teardown_slot(const char *slot)
{
	static const char *const names[] = {
		"snd_pcm_ops.close", "snd_pcm_ops.hw_free", "snd_rawmidi_ops.close", "snd_hwdep_ops.release",
	};

	return kc_kapi_in_list(slot, names, KC_ARRAY_SIZE(names));
}

/*
 * Kernel functions that read or write, during the call only, a buffer whose length in elements is
 * another parameter (`buf` sized by `len`, in the order they take them): the kernel half takes
 * the buffer's `len` elements by value into memory of its own (rt's kc_wire_get_array: bounded,
 * and at least that many on the wire), never a pointer whose extent the user half would choose
 * (print_hex_dump of 64 bytes of a 16-byte block: the Linux hostile case `hexdump-overread`).
 * Not here: functions that keep the buffer after they return (dma_map_single, sg_init_one: the
 * copy would die with the handler). Elements: the parameter's pointee (void: bytes).
 */
static const struct {
	const char *name;
	int buf, len; /* len < 0: a constant count, -len (eth_hw_addr_set's ETH_ALEN bytes) */
} sized_params[] = {
	{ "print_hex_dump", 5, 6 },     { "hex_dump_to_buffer", 0, 1 }, { "hex_dump_to_buffer", 4, 5 },
	{ "get_random_bytes", 0, 1 },   { "crc32_le", 1, 2 },           { "crc32_be", 1, 2 },
	{ "__crc32c_le", 1, 2 },        { "crc_ccitt", 1, 2 },          { "crc_itu_t", 1, 2 },
	{ "dev_addr_mod", 2, 3 },       { "eth_hw_addr_set", 1, -6 },
};

int em_sized_param(const char *name, int j)
{
	size_t i;

	for (i = 0; i < KC_ARRAY_SIZE(sized_params); i++)
		if (sized_params[i].buf == j && !strcmp(sized_params[i].name, name))
			return sized_params[i].len < 0 ? sized_params[i].len : sized_params[i].len + 1;
	return 0;
}

/*
 * The string and memory routines of em_local_library read or write through every pointer they
 * take (strlen(NULL), strscpy(dst, NULL, n) oops): a driver function that passes its parameter on
 * to one, directly or through a local copy, must not get NULL (plan_marshal.c, plan_nonnull).
 * Not the buffer of the snprintf family, which may be NULL with a size of 0.
 */
int em_str_deref(const char *name, int j)
{
	static const char *const sized_out[] = { "snprintf", "vsnprintf", "scnprintf", "vscnprintf" };

	if (!em_local_library(name) || kc_kapi_local_delay(name)) /* delays take no pointer */
		return 0;
	return !(j == 0 && kc_kapi_in_list(name, sized_out, KC_ARRAY_SIZE(sized_out)));
}
