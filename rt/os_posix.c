/*
 * os_posix.c - rt/os.h for Linux user space: pthreads, futex(2), clock_gettime, memfd_create,
 * posix_spawn and pidfd_open. This is the only file of the runtime that makes system calls; a
 * kernel-module port of the kernel half replaces it.
 */
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void *kc_os_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

void *kc_os_zalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}

void kc_os_free(void *p)
{
	free(p);
}

int kc_os_on_stack(const void *p)
{
	static _Thread_local uintptr_t lo, hi;

	if (!hi) {
		pthread_attr_t a;
		void *base = NULL;
		size_t size = 0;

		if (pthread_getattr_np(pthread_self(), &a))
			return 0;
		if (!pthread_attr_getstack(&a, &base, &size)) {
			lo = (uintptr_t)base;
			hi = lo + size;
		}
		pthread_attr_destroy(&a);
	}
	return (uintptr_t)p >= lo && (uintptr_t)p < hi;
}

struct kc_os_mutex {
	pthread_mutex_t m;
};

struct kc_os_mutex *kc_os_mutex_new(void)
{
	struct kc_os_mutex *m = malloc(sizeof(*m));

	if (m)
		pthread_mutex_init(&m->m, NULL);
	return m;
}

void kc_os_mutex_free(struct kc_os_mutex *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->m);
	free(m);
}

void kc_os_lock(struct kc_os_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void kc_os_unlock(struct kc_os_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

struct kc_os_thread {
	pthread_t t;
};

int kc_os_thread_start(struct kc_os_thread **out, void *(*fn)(void *), void *arg)
{
	struct kc_os_thread *t = malloc(sizeof(*t));

	*out = NULL;
	if (!t)
		return -ENOMEM;
	if (pthread_create(&t->t, NULL, fn, arg) != 0) {
		free(t);
		return -EAGAIN;
	}
	*out = t;
	return 0;
}

void kc_os_thread_join(struct kc_os_thread *t)
{
	if (!t)
		return;
	pthread_join(t->t, NULL);
	free(t);
}

/* Shared (not FUTEX_PRIVATE) operations: the words live in a MAP_SHARED memfd mapping. */
int kc_os_futex_wait(uint32_t *word, uint32_t expect, uint64_t timeout_ns)
{
	struct timespec ts, *tsp = NULL;
	long r;

	if (timeout_ns) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000ull);
		ts.tv_nsec = (long)(timeout_ns % 1000000000ull);
		tsp = &ts;
	}
	r = syscall(SYS_futex, word, FUTEX_WAIT, expect, tsp, NULL, 0);
	return r == 0 ? 0 : -errno;
}

void kc_os_futex_wake(uint32_t *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

void kc_os_yield(void)
{
	sched_yield();
}

uint64_t kc_os_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void kc_os_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int kc_os_shm_create(int *fd, void **base, size_t size)
{
	int f;
	void *p;

	*fd = -1;
	*base = NULL;
	f = memfd_create("kcut-rt", MFD_CLOEXEC);
	if (f < 0)
		return -errno;
	if (ftruncate(f, (off_t)size) != 0) {
		int e = errno;

		close(f);
		return -e;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		close(f);
		return -e;
	}
	*fd = f;
	*base = p;
	return 0;
}

int kc_os_shm_attach(void **base, size_t *size, int fd)
{
	struct stat st;
	void *p;

	*base = NULL;
	*size = 0;
	if (fstat(fd, &st) != 0)
		return -errno;
	/* inherited without FD_CLOEXEC; programs the user half starts need not see it */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (st.st_size <= 0)
		return -EINVAL;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	*size = (size_t)st.st_size;
	return 0;
}

int kc_os_shm_create_sealed(int *fd, void **base, size_t size)
{
	int f;
	void *p;

	*fd = -1;
	*base = NULL;
	f = memfd_create("kcut-rt-kbulk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (f < 0)
		return -errno;
	if (ftruncate(f, (off_t)size) != 0)
		goto fail;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	if (p == MAP_FAILED)
		goto fail;
	/* our mapping stays writable; every later one (and write(2)) cannot be */
	if (fcntl(f, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL)) {
		int e = errno;

		munmap(p, size);
		close(f);
		return -e;
	}
	*fd = f;
	*base = p;
	return 0;
fail:
	{
		int e = errno;

		close(f);
		return -e;
	}
}

int kc_os_shm_attach_ro(void **base, size_t size, int fd)
{
	struct stat st;
	void *p;

	*base = NULL;
	if (fstat(fd, &st) != 0)
		return -errno;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (st.st_size < 0 || (size_t)st.st_size != size)
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	return 0;
}

void kc_os_shm_unmap(void *base, size_t size)
{
	if (base)
		munmap(base, size);
}

void kc_os_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

int kc_os_map_fd(void **base, int fd, uint64_t token, size_t size)
{
	void *p;

	*base = NULL;
	if (fd < 0 || !size || (token & 4095u) || token > (uint64_t)INT64_MAX)
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)token);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	return 0;
}

int kc_os_reserve(void **base, size_t size)
{
	void *p;

	*base = NULL;
	if (!size)
		return -EINVAL;
	p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	return 0;
}

void kc_os_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "kcut-rt: %s\n", line);
}

int kc_os_spawn(int *pid, int *pidfd, const char *path, char *const *argv, int shm_fd,
		int ro_fd, int share_fd)
{
	posix_spawn_file_actions_t fa;
	char **env = NULL, fdvar[32], fdvar2[40], fdvar4[40];
	size_t n = 0, i, j = 0;
	pid_t p;
	int rc, pfd, death[2], src[4];

	*pid = 0;
	*pidfd = -1;
	while (environ && environ[n])
		n++;
	env = calloc(n + 4, sizeof(*env));
	if (!env)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "KCUT_RT_FD=", 11) != 0 &&
		    strncmp(environ[i], "KCUT_RT_KBULK_FD=", 17) != 0 &&
		    strncmp(environ[i], "KCUT_RT_SHARE_FD=", 17) != 0)
			env[j++] = environ[i];
	snprintf(fdvar, sizeof(fdvar), "KCUT_RT_FD=%d", KC_OS_CHILD_FD);
	env[j++] = fdvar;
	if (ro_fd >= 0) {
		snprintf(fdvar2, sizeof(fdvar2), "KCUT_RT_KBULK_FD=%d", KC_OS_CHILD_FD2);
		env[j++] = fdvar2;
	}
	if (share_fd >= 0) {
		snprintf(fdvar4, sizeof(fdvar4), "KCUT_RT_SHARE_FD=%d", KC_OS_CHILD_FD4);
		env[j++] = fdvar4;
	}
	env[j] = NULL;
	/* the death pipe, used only if pidfd_open is missing: the child holds the write end */
	if (pipe2(death, O_CLOEXEC) < 0) {
		free(env);
		return -errno;
	}
	/* The child's descriptors 3..6 come from copies above them: a source that happens to be
	 * one of those numbers would otherwise be overwritten by an earlier dup2 (or keep its
	 * close-on-exec flag when dup2'd onto itself). */
	src[0] = fcntl(shm_fd, F_DUPFD_CLOEXEC, 16);
	src[1] = ro_fd >= 0 ? fcntl(ro_fd, F_DUPFD_CLOEXEC, 16) : -1;
	src[2] = fcntl(death[1], F_DUPFD_CLOEXEC, 16);
	src[3] = share_fd >= 0 ? fcntl(share_fd, F_DUPFD_CLOEXEC, 16) : -1;
	close(death[1]);
	if (src[0] < 0 || src[2] < 0 || (ro_fd >= 0 && src[1] < 0) || (share_fd >= 0 && src[3] < 0)) {
		rc = errno;
		for (i = 0; i < 4; i++)
			if (src[i] >= 0)
				close(src[i]);
		close(death[0]);
		free(env);
		return -rc;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, src[0], KC_OS_CHILD_FD);
	if (src[1] >= 0)
		posix_spawn_file_actions_adddup2(&fa, src[1], KC_OS_CHILD_FD2);
	posix_spawn_file_actions_adddup2(&fa, src[2], KC_OS_CHILD_FD3);
	if (src[3] >= 0)
		posix_spawn_file_actions_adddup2(&fa, src[3], KC_OS_CHILD_FD4);
	rc = posix_spawn(&p, path, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	for (i = 0; i < 4; i++)
		if (src[i] >= 0)
			close(src[i]);
	if (rc != 0) {
		close(death[0]);
		return -rc;
	}
	/* $KCUT_RT_NO_PIDFD (tests): behave as if pidfd_open were missing */
	if (getenv("KCUT_RT_NO_PIDFD")) {
		pfd = -1;
		errno = ENOSYS;
	} else {
		pfd = (int)syscall(SYS_pidfd_open, p, 0);
	}
	if (pfd < 0 && errno == ENOSYS) {
		pfd = death[0];
		death[0] = -1;
	}
	if (death[0] >= 0)
		close(death[0]);
	if (pfd < 0) {
		int e = errno;

		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
		return -e;
	}
	*pid = (int)p;
	*pidfd = pfd;
	return 0;
}

void kc_os_kill(int pid, int pidfd)
{
	if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0)
		return;
	if (pid > 0)
		kill(pid, SIGKILL);
}

int kc_os_watch(int pidfd, int wake_fd, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = wake_fd, .events = POLLIN } };
	int n;

	n = poll(p, 2, timeout_ms);
	if (n <= 0)
		return 0;
	if (p[0].revents)
		return 1;
	return 2;
}

int kc_os_reap(int pid, char *status, size_t statussz)
{
	int st = 0;
	pid_t r;

	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		snprintf(status, statussz, "lost (%s)", strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(st)) {
		snprintf(status, statussz, "killed by signal %d", WTERMSIG(st));
		return -1;
	}
	snprintf(status, statussz, "exit %d", WEXITSTATUS(st));
	return WEXITSTATUS(st) == 0 ? 0 : -1;
}

int kc_os_event_new(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

void kc_os_event_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* counter full: a wake-up is pending anyway */
	}
}

void kc_os_event_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* nothing pending */
	}
}

void kc_os_die_with_parent(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
}
