/*
 * os.h - the operating-system calls the runtime makes, behind one small interface.
 *
 * Everything in rt/ that is not plain C goes through these functions: memory, threads and locks,
 * futex wait/wake on shared words, time, the shared region, and spawning/watching the user half.
 * os_posix.c implements them for Linux user space; a port of the kernel half to a real Linux
 * kernel module would add os_linux_kmod.c (kmalloc, kthread, mutex, wait queues, ktime,
 * call_usermodehelper) without touching the channel, tracker or marshaling code.
 */
#ifndef KC_RT_OS_H
#define KC_RT_OS_H

#include <stddef.h>
#include <stdint.h>

/* Memory. kc_os_alloc may return NULL. */
void *kc_os_alloc(size_t n);
void *kc_os_zalloc(size_t n);
void kc_os_free(void *p);
/* Does p lie on the calling thread's stack? (Linux kernel: object_is_on_stack.) */
int kc_os_on_stack(const void *p);

/* Locks and threads. */
struct kc_os_mutex;
struct kc_os_mutex *kc_os_mutex_new(void); /* NULL on failure */
void kc_os_mutex_free(struct kc_os_mutex *m);
void kc_os_lock(struct kc_os_mutex *m);
void kc_os_unlock(struct kc_os_mutex *m);

struct kc_os_thread;
int kc_os_thread_start(struct kc_os_thread **out, void *(*fn)(void *), void *arg);
void kc_os_thread_join(struct kc_os_thread *t);

/* Futexes on 32-bit words that may live in memory shared between processes. wait returns when
 * *word != expect, on a wake, or after timeout_ns (0 = no timeout); 0 or -ETIMEDOUT / -EINTR /
 * -EAGAIN. */
int kc_os_futex_wait(uint32_t *word, uint32_t expect, uint64_t timeout_ns);
void kc_os_futex_wake(uint32_t *word, int n);
static inline void kc_os_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* Give the CPU to another runnable thread, if any (a long spin on an oversubscribed machine
 * may be keeping the very peer it waits for off the CPU). */
void kc_os_yield(void);

/* Time. */
uint64_t kc_os_now_ns(void); /* monotonic */
void kc_os_sleep_ns(uint64_t ns);

/* Shared region: create (kernel side) or attach (user side, from an inherited descriptor). */
int kc_os_shm_create(int *fd, void **base, size_t size);
int kc_os_shm_attach(void **base, size_t *size, int fd);
/* A region only its creator may write: created, mapped writable here, then sealed so that no
 * other mapping of it (the user half's) can ever be writable (memfd F_SEAL_FUTURE_WRITE). */
int kc_os_shm_create_sealed(int *fd, void **base, size_t size);
/* Attach to such a region read-only (size must be `size`). */
int kc_os_shm_attach_ro(void **base, size_t size, int fd);
void kc_os_shm_unmap(void *base, size_t size);
void kc_os_close(int fd);

/* Device regions, user side (io.c). map: size bytes of fd at offset token (page aligned),
 * readable and writable, shared with the kernel half (posix: a DMA region of the kernel model's
 * arena; Linux: rt/linux's device mapping). reserve: size bytes of address space that fault when
 * touched (the view of a forwarded MMIO region). Both are released with kc_os_shm_unmap.
 * 0 or a negative errno. */
int kc_os_map_fd(void **base, int fd, uint64_t token, size_t size);
int kc_os_reserve(void **base, size_t size);

/* A line for the log (posix: stderr, prefixed "kcut-rt: "; a kernel: printk). */
void kc_os_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The user-half process. spawn passes shm_fd to the child as descriptor KC_OS_CHILD_FD and
 * names it in $KCUT_RT_FD, ro_fd (when >= 0) as KC_OS_CHILD_FD2 named in $KCUT_RT_KBULK_FD, and
 * share_fd (when >= 0: the memory device regions live in) as KC_OS_CHILD_FD4 named in
 * $KCUT_RT_SHARE_FD;
 * the child dies with its parent. pidfd becomes readable when the child exits: a pidfd, or where
 * pidfd_open is missing (ENOSYS: kernels before 5.3, valgrind) the read end of a pipe whose write
 * end only the child holds (as KC_OS_CHILD_FD3), which hangs up when the child exits. */
#define KC_OS_CHILD_FD 3
#define KC_OS_CHILD_FD2 4
#define KC_OS_CHILD_FD3 5
#define KC_OS_CHILD_FD4 6
int kc_os_spawn(int *pid, int *pidfd, const char *path, char *const *argv, int shm_fd,
		int ro_fd, int share_fd);
void kc_os_kill(int pid, int pidfd);
/* Wait for pidfd to become readable (child exited) or wake_fd, up to timeout_ms (-1 forever).
 * Returns 1 child exited, 2 wake_fd readable, 0 timeout. */
int kc_os_watch(int pidfd, int wake_fd, int timeout_ms);
/* Reap the child; *status gets a short description ("exit 3", "killed by signal 9").
 * Returns 0 when the child exited with status 0, else -1. */
int kc_os_reap(int pid, char *status, size_t statussz);
/* A wake-up descriptor for the watcher (eventfd). */
int kc_os_event_new(void);
void kc_os_event_signal(int fd);
void kc_os_event_drain(int fd);
/* User side: make this process die when its parent (the kernel half) dies. */
void kc_os_die_with_parent(void);

#endif /* KC_RT_OS_H */
