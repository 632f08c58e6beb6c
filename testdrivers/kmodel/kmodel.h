/*
 * kmodel.h - the kernel model's "machine side": what device models and the kcut-sim harness use.
 *
 * simnic engineer: this is ready to use.
 *
 * The kernel model (testdrivers/kmodel) is a user-space implementation of the Linux 6.1 driver API subset
 * declared under testdrivers/kmodel/include (<linux/...>, <sound/...>). Drivers compile against those
 * headers only and are loaded as shared objects. This header is the other side: the simulated machine.
 *
 * Execution model (one simulated CPU, real threads, deterministic):
 *   - Every context is a real thread with its own context state: the harness thread (process context,
 *     like a task doing insmod/ioctl), one worker thread per workqueue (process context), the softirq
 *     thread (timers, tasklets, NAPI, TX-queue wakeups), the interrupt thread (hardirq handlers) and the
 *     device thread (device models' step() callbacks).
 *   - Exactly one of them runs at a time; control is handed over explicitly. An interrupt raised while the
 *     running context has interrupts enabled is delivered at once (the running context waits while the
 *     interrupt thread runs the handlers); otherwise it is delivered when interrupts are re-enabled.
 *     Softirqs run when the interrupted/current context allows bottom halves. Device steps, work items and
 *     woken tasks run at scheduling points: when a task sleeps (msleep, mutex, completion) or the harness
 *     settles. Because every hand-over happens at a well-defined point, a run is reproducible.
 *   - Time is virtual: jiffies/ktime advance only when all tasks wait for time (msleep(), a timed wait,
 *     the harness's kc_km_advance()) or by udelay()/mdelay() busy-waits.
 *   - might_sleep() is real: a sleeping call in atomic context, with interrupts off or a spinlock held, logs
 *     "BUG: sleeping function called from invalid context ..." and counts a BUG (kc_km_bug_count()).
 *     Deadlocks on spinlocks (same or other context) are fatal: logged, then abort().
 *
 * Device models (C files under testdrivers/devices/, compiled into kcut-sim) include only this header and
 * libc: they are hardware. They register a PCI function with kc_km_pci_add(); MMIO accesses from the driver
 * arrive in mmio_read/mmio_write on the accessing thread (any context); the device reaches host memory only
 * through kc_km_dma_read()/kc_km_dma_write() (bus addresses from the driver's DMA API, bus mastering must
 * be on); it raises its interrupt line with kc_km_irq_raise(); long-running work (TX processing, RX
 * delivery) goes in step(), requested with kc_km_dev_kick(), run on the device thread at the next
 * scheduling point. Device models must not start their own threads (that would break determinism).
 */
#ifndef KC_KMODEL_H
#define KC_KMODEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kc_common.h"

/* ---- machine lifetime (harness) ---- */

struct kc_km_config {
	bool panic_on_bug;	/* abort() at the first BUG instead of counting it */
	bool log_to_stderr;	/* also copy kernel log lines to stderr */
};

/* Start the model: threads, system workqueue, virtual clock at 0. The calling thread becomes the
 * process-context task "kcut-sim". Returns 0 or a negative KC_E* code with the message in err. */
int kc_km_init(const struct kc_km_config *cfg, struct kc_err *err);
/* Stop all model threads. Devices and modules must have been removed/unloaded first. */
void kc_km_shutdown(void);

/* Kernel log sink: every log line (printk/dev_*, BUG and WARNING reports), formatted without timestamps,
 * e.g. "info: simsnd 0000:00:04.0: card registered". Called on whatever thread logs. */
typedef void (*kc_km_log_fn)(void *arg, const char *line);
void kc_km_set_log(kc_km_log_fn fn, void *arg);

/* Run everything that is runnable (interrupts, softirqs, work, device steps, woken tasks, tasks sleeping
 * on time) until the machine is quiescent. Kernel timers that are merely armed do not count as activity.
 * Call from the harness thread only. */
void kc_km_settle(void);
/* Let `ns` of virtual time pass (firing timers and waking sleepers on the way), then settle. */
void kc_km_advance(uint64_t ns);
uint64_t kc_km_now_ns(void);

unsigned int kc_km_bug_count(void);	/* BUG reports so far (sleeping in atomic context, DMA faults...) */
unsigned int kc_km_warn_count(void);	/* WARN_ON() hits so far */

/* Fault injection: make the nth (1-based) next call of `what` fail. what is one of "kmalloc" (all of
 * kmalloc/kzalloc/kcalloc/vmalloc/...), "dma_alloc" (dma_alloc_coherent), "dma_map" (dma_map_single),
 * "request_irq", "pci_enable", "pci_iomap", "skb_alloc", "register_netdev", "snd_card_new".
 * Returns 0 or KC_EINVAL for an unknown name. */
int kc_km_inject_fail(const char *what, unsigned int nth);

/* Live allocations (kmalloc family, DMA buffers, skbs) - for leak reports after module unload. */
void kc_km_mem_stats(size_t *allocs, size_t *bytes, size_t *dma_bufs, size_t *skbs);

/* ---- modules (harness) ---- */

struct kc_km_module;

/* dlopen() a driver; its constructors register init/exit, parameters and MODULE_* info. */
int kc_km_module_load(struct kc_km_module **out, const char *path, struct kc_err *err);
/* Set a parameter from "name=value" (arrays: "name=1,2,3"), before kc_km_module_init(). */
int kc_km_module_param(struct kc_km_module *mod, const char *assignment, struct kc_err *err);
/* Run module_init in process context, then settle; *init_ret receives its return value. */
int kc_km_module_init(struct kc_km_module *mod, int *init_ret, struct kc_err *err);
/* Run module_exit (if init succeeded), then settle. */
void kc_km_module_exit(struct kc_km_module *mod);
/* dlclose() and free. */
void kc_km_module_unload(struct kc_km_module *mod);
const char *kc_km_module_name(const struct kc_km_module *mod);
const char *kc_km_module_info(const struct kc_km_module *mod, const char *tag);	/* NULL if absent */
/* Iterate parameters: returns false past the end. value is formatted ("8", "1,2", "(null)"). */
bool kc_km_module_param_get(const struct kc_km_module *mod, unsigned int i, const char **name,
			    const char **desc, char *value, size_t value_len);

/* ---- call-count profiles (drivers built as <name>_prof.so with -finstrument-functions) ---- */

/* true once an instrumented driver has run. */
bool kc_km_profile_active(void);
/* Write caller->callee call counts in kcut's instrument profile format ('# kcut-profile v1 duration_s=S'
 * then '<caller> <callee> <count>' lines, sorted; entries from the kernel have caller "kernel"). Call
 * before each module unload (names come from its symbol table); counts of earlier loads are kept and
 * written again, so the last call writes the whole run. */
int kc_km_profile_write(const char *path, struct kc_err *err);

/* ---- PCI devices (device models) ---- */

struct kc_km_pci_dev;

struct kc_km_pci_desc {
	const char *model;		/* device model name, e.g. "simsnd" */
	uint16_t vendor, device;
	uint16_t subvendor, subdevice;
	uint32_t class_code;		/* 24-bit class, e.g. 0x020000 for Ethernet */
	uint8_t revision;
	uint64_t bar_size[6];		/* memory BAR sizes (power of two), 0 = absent */
	uint64_t io_bar_size[6];	/* I/O-port BAR sizes (power of two, at most 256), 0 = absent; a
					 * BAR is either memory or I/O */
	/* MMIO and port I/O (inb/outb, or ioread/iowrite through pci_iomap of an I/O BAR): size is
	 * 1, 2, 4 or 8 (ports: 1, 2, 4); off is the offset inside BAR `bar`. */
	uint64_t (*mmio_read)(void *opaque, int bar, uint64_t off, unsigned int size);
	void (*mmio_write)(void *opaque, int bar, uint64_t off, unsigned int size, uint64_t val);
	/* Device-context work, run on the device thread after kc_km_dev_kick(). May be NULL. */
	void (*step)(void *opaque);
};

/* Plug a PCI function into the next free slot (00:03.0, 00:04.0, ...). If a loaded driver matches, it is
 * probed at once. opaque is passed back to the callbacks. */
int kc_km_pci_add(struct kc_km_pci_dev **out, const struct kc_km_pci_desc *desc, void *opaque,
		  struct kc_err *err);
/* Unplug (the driver's remove() runs first if bound). */
void kc_km_pci_del(struct kc_km_pci_dev *dev);
const char *kc_km_pci_name(const struct kc_km_pci_dev *dev);	/* "0000:00:03.0" */
void *kc_km_pci_opaque(const struct kc_km_pci_dev *dev);
bool kc_km_pci_bound(const struct kc_km_pci_dev *dev);		/* a driver is bound */
bool kc_km_pci_bus_master(const struct kc_km_pci_dev *dev);
bool kc_km_pci_mem_enabled(const struct kc_km_pci_dev *dev);	/* PCI_COMMAND_MEMORY set */
uint8_t *kc_km_pci_config(struct kc_km_pci_dev *dev);		/* 256-byte config space */

/* Raise the device's interrupt line: every handler registered on it runs once, in hardirq context, as
 * soon as the CPU accepts it. Raising again before delivery is coalesced (like a level line still high). */
void kc_km_irq_raise(struct kc_km_pci_dev *dev);
/* Ask for step() to run on the device thread at the next scheduling point (coalesced). */
void kc_km_dev_kick(struct kc_km_pci_dev *dev);
/* Ask for step() to run when virtual time reaches when_ns (absolute, see kc_km_now_ns()); one deadline per
 * device, an earlier request replaces a later one. This is how a device does things "after a while"
 * (a period of audio played, an interrupt throttling interval passed, auto-negotiation finished). */
void kc_km_dev_kick_at(struct kc_km_pci_dev *dev, uint64_t when_ns);

/* DMA by bus address. The whole range must lie in one live mapping made by the driver for this device,
 * with a direction that allows the access, and bus mastering must be enabled; otherwise a DMA fault is
 * logged ("BUG: DMA fault ..."), counted, and KC_EINVAL returned with nothing copied. */
int kc_km_dma_read(struct kc_km_pci_dev *dev, uint64_t bus, void *buf, size_t len);
int kc_km_dma_write(struct kc_km_pci_dev *dev, uint64_t bus, const void *buf, size_t len);

/* ---- device regions of split drivers (the platform glue rt/plat_kmodel.c) ---- */

struct device;

/* Told, on the model context doing it, about what a driver makes of its devices, so that the
 * glue can export it to a split driver's user half. Set them before the driver maps anything. */
struct kc_km_region_hooks {
	/* a BAR's first mapping (pci_iomap, pci_ioremap_bar, ioremap): kaddr is the start of the
	 * BAR's window (the whole BAR), phys its bus address; and its last unmapping (or the
	 * model's clean-up of a mapping left at unbind) */
	void (*bar_mapped)(void *arg, struct kc_km_pci_dev *dev, int bar, void *kaddr, uint64_t phys,
			   uint64_t size);
	void (*bar_unmapped)(void *arg, struct kc_km_pci_dev *dev, int bar, void *kaddr);
	/* an I/O-port BAR requested (pci_request_region(s)) / released */
	void (*ports_requested)(void *arg, struct kc_km_pci_dev *dev, int bar, uint64_t port,
				uint64_t size);
	void (*ports_released)(void *arg, struct kc_km_pci_dev *dev, int bar, uint64_t port);
	/* a coherent DMA buffer allocated (arena_off: where it is in the kc_km_dma_share_fd memfd,
	 * UINT64_MAX when it is not there) / about to be freed */
	void (*dma_alloced)(void *arg, struct device *dev, void *cpu, uint64_t bus, uint64_t size,
			    uint64_t arena_off);
	void (*dma_freed)(void *arg, void *cpu);
};
void kc_km_set_region_hooks(const struct kc_km_region_hooks *hooks, void *arg);
/* Memory leaving the kernel, told before it is freed, on the context freeing it: every block of the
 * kernel allocator (kfree, kvfree, vfree, kfree_sensitive, kfree_skb ...; also what the model's
 * cores kfree: a sound card, its PCMs and substreams, a control, a net_device) and the objects the
 * model's cores allocate themselves and give to drivers (a PCM runtime at close or failed open, a
 * PCI device at unplug). p is the start of the memory, size its bytes. A split driver's kernel half
 * forgets every tracked object inside (the recovery after a user-half restart must not re-send
 * freed memory): kcut-sim connects it to rt's kc_wire_freed. One hook; NULL removes it. */
void kc_km_set_free_hook(void (*fn)(void *arg, const void *p, size_t size), void *arg);
/* ... and of every allocation of memory the free hook will be told about (kmalloc & co., skbs, a PCM
 * runtime, a PCI device): a split driver's runtime then knows a new object at a freed one's address
 * from a pointer left to the freed one (kc_wire_alloced). */
void kc_km_set_alloc_hook(void (*fn)(void *arg, const void *p, size_t size), void *arg);
/* The memfd coherent DMA buffers live in (made on first use; -1 if it cannot be made), to be
 * mapped by another process; and where a coherent buffer is in it (false: not in it). */
int kc_km_dma_share_fd(void);
bool kc_km_dma_arena_offset(const void *cpu, uint64_t *off);
/* Register access as a driver's readb..readq/writeb..writeq and inb..inl/outb..outl do (same
 * checks, same log, interrupts raised meanwhile delivered after the access). Model contexts
 * only. */
uint64_t kc_km_mmio_read(const volatile void *addr, unsigned int size);
void kc_km_mmio_write(volatile void *addr, unsigned int size, uint64_t val);
uint32_t kc_km_pio_read(uint64_t port, unsigned int size);
void kc_km_pio_write(uint64_t port, unsigned int size, uint32_t val);

/* Register-access log: every MMIO and port access that reaches a device, in order, one line each:
 *	R|W <device> bar<N> 0x<offset> <width> 0x<value>
 * (a port access names its I/O BAR). Split and unsplit runs of a driver must write the same
 * lines. NULL turns it off. */
void kc_km_set_mmio_log(FILE *f);

/* ---- what the harness's command families reach in the kernel ---- */

struct net_device;
struct sk_buff;
struct snd_card;

/* Frames a driver passes up the stack (netif_receive_skb, napi_gro_receive, netif_rx) after
 * eth_type_trans(): the hook sees the whole frame (from the MAC header) and must not keep the pointer. It
 * runs in the receiving context (usually softirq). Without a hook frames are counted and dropped. */
typedef void (*kc_km_rx_hook_fn)(void *arg, struct net_device *dev, const uint8_t *frame, size_t len);
void kc_km_net_set_rx_hook(kc_km_rx_hook_fn fn, void *arg);
/* Registered net devices in registration order; NULL past the end. */
struct net_device *kc_km_netdev_at(unsigned int i);
struct net_device *kc_km_netdev_by_name(const char *name);
/* Frames waiting in the TX qdisc FIFO of dev (queued while the driver's queue was stopped). */
unsigned int kc_km_netdev_backlog(struct net_device *dev);

/* Registered sound cards in registration order; NULL past the end. */
struct snd_card *kc_km_snd_card_at(unsigned int i);

/* The application side of ALSA, as the PCM/control ioctls would drive it (harness, process context).
 * All return 0 or a negative errno from the driver or the core's checks. */
struct snd_pcm_substream;
struct snd_kcontrol;
struct snd_ctl_elem_info;
struct snd_ctl_elem_value;

struct kc_km_pcm_config {
	unsigned int rate;
	unsigned int channels;
	int format;			/* SNDRV_PCM_FORMAT_* */
	unsigned int period_frames;
	unsigned int periods;
};

struct kc_km_pcm_status {
	int state;			/* SNDRV_PCM_STATE_* */
	unsigned long hw_ptr;		/* frames the device has consumed (monotonic) */
	unsigned long appl_ptr;		/* frames the application has written (monotonic) */
	unsigned long avail;		/* room for the application */
	unsigned int periods_elapsed;	/* snd_pcm_period_elapsed() calls that found the stream running */
	unsigned int xruns;
};

int kc_km_pcm_open(struct snd_pcm_substream **out, struct snd_card *card, int device, int stream);
int kc_km_pcm_hw_params(struct snd_pcm_substream *s, const struct kc_km_pcm_config *cfg);
int kc_km_pcm_prepare(struct snd_pcm_substream *s);
/* Write `frames` frames of a deterministic test signal (a ramp continuing from the last write). Returns the
 * number written (limited by avail) or a negative errno (-EPIPE after an xrun, -EBADFD in a wrong state). */
long kc_km_pcm_write(struct snd_pcm_substream *s, unsigned long frames);
int kc_km_pcm_start(struct snd_pcm_substream *s);
int kc_km_pcm_pause(struct snd_pcm_substream *s, bool push);
int kc_km_pcm_drop(struct snd_pcm_substream *s);
int kc_km_pcm_hw_free(struct snd_pcm_substream *s);
int kc_km_pcm_close(struct snd_pcm_substream *s);
void kc_km_pcm_get_status(struct snd_pcm_substream *s, struct kc_km_pcm_status *st);
const char *kc_km_pcm_state_name(int state);

struct snd_kcontrol *kc_km_ctl_at(struct snd_card *card, unsigned int i);
struct snd_kcontrol *kc_km_ctl_find(struct snd_card *card, const char *name);
int kc_km_ctl_info(struct snd_kcontrol *kctl, struct snd_ctl_elem_info *info);
int kc_km_ctl_get(struct snd_kcontrol *kctl, struct snd_ctl_elem_value *val);
/* Returns >0 if the value changed (a notification is counted), 0 if not, or a negative errno. */
int kc_km_ctl_put(struct snd_kcontrol *kctl, struct snd_ctl_elem_value *val);
unsigned int kc_km_ctl_notifications(struct snd_card *card);

#endif
