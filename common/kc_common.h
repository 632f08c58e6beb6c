/*
 * kc_common.h - the small pieces every kcut module shares: the error slot, a growable string
 * buffer, file helpers and a 64-bit content hash.
 *
 * Conventions used across kcut (see README, "Conventions"):
 *   - functions return 0 or a negative KC_E* code; the human-readable message is kept in a
 *     struct kc_err that the caller owns and passes in (or that an opaque context embeds);
 *   - out-parameters come first;
 *   - release happens once, after a `cleanup:` label.
 */
#ifndef KC_COMMON_H
#define KC_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Error codes. Negative so that "rc < 0" reads as failure everywhere. */
enum {
	KC_OK = 0,
	KC_EINVAL = -1,    /* bad argument or bad input (usage, malformed file) */
	KC_ENOMEM = -2,    /* allocation failed */
	KC_EIO = -3,       /* read/write/open failed */
	KC_ENOTFOUND = -4, /* a named thing (function, partition, file) does not exist */
	KC_EDB = -5,       /* SQLite error or corrupt / foreign database */
	KC_EPARSE = -6,    /* a parser (JSON, libclang, profile) rejected the input */
	KC_EPARTIAL = -7,  /* some inputs failed, the rest were processed and stored */
	KC_ECONFLICT = -8, /* contradictory constraints (e.g. a pin against a hard constraint) */
	KC_EINTR = -9,     /* interrupted (SIGINT) */
	KC_EUNSUPP = -10,  /* not supported / not available on this machine */
	KC_EBUG = -99,     /* an internal invariant failed: a bug in kcut, not in the input */
};

/* The error slot. Holds the last message; kc_err_set overwrites, kc_err_prefix prepends context. */
struct kc_err {
	int code;
	char msg[1024];
};

int kc_err_set(struct kc_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kc_err_prefix(struct kc_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kc_err_clear(struct kc_err *err);
const char *kc_strerror(int code);

/* Exit codes of the kcut binary (documented in README and `kcut --help`). */
enum {
	KC_EXIT_OK = 0,       /* success */
	KC_EXIT_FINDINGS = 1, /* findings / a threshold was crossed (check, annotate) */
	KC_EXIT_USAGE = 2,    /* usage error, I/O error, database error */
	KC_EXIT_PARTIAL = 3,  /* some inputs failed, the rest were stored */
};
int kc_exit_code(int rc); /* map a KC_E* code to an exit code */

/* A growable NUL-terminated string buffer. Zero-initialise; kc_sb_free releases. On allocation
 * failure the buffer becomes sticky-failed (oom = 1) and further appends are no-ops. */
struct kc_sb {
	char *s;
	size_t len, cap;
	int oom;
};
void kc_sb_add(struct kc_sb *sb, const char *s);
void kc_sb_addn(struct kc_sb *sb, const char *s, size_t n);
void kc_sb_addf(struct kc_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kc_sb_vaddf(struct kc_sb *sb, const char *fmt, va_list ap);
void kc_sb_reset(struct kc_sb *sb);
char *kc_sb_steal(struct kc_sb *sb); /* returns the string (caller frees), leaves sb empty */
void kc_sb_free(struct kc_sb *sb);

/* Read a whole file into a malloc'd NUL-terminated buffer. */
int kc_read_file(char **out, size_t *out_len, const char *path, struct kc_err *err);

/* 64-bit FNV-1a; kc_hash64_update chains (start with KC_HASH64_INIT). Used for change detection,
 * not security. */
#define KC_HASH64_INIT 0xcbf29ce484222325ULL
uint64_t kc_hash64_update(uint64_t h, const void *data, size_t n);

/* Path helpers: join dir + rel unless rel is absolute; realpath when the file exists. Caller frees. */
char *kc_path_join(const char *dir, const char *rel);
char *kc_path_canon(const char *path);
int kc_path_under(const char *path, const char *dir); /* 1 if path is dir or inside dir */

/* Allocation that aborts with a message on failure: for small bookkeeping where recovery is not
 * meaningful. Input-sized allocations use plain malloc and return KC_ENOMEM. */
void *kc_xmalloc(size_t n);
void *kc_xcalloc(size_t n, size_t size);
void *kc_xrealloc(void *p, size_t n);
char *kc_xstrdup(const char *s);

#define KC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Debug-only invariant check (SQLite's ALWAYS/NEVER idea): asserts in debug builds, free in release. */
#ifdef NDEBUG
#define KC_ASSERT(x) ((void)0)
#else
#define KC_ASSERT(x) ((x) ? (void)0 : kc_assert_fail(#x, __FILE__, __LINE__))
#endif
void kc_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#endif /* KC_COMMON_H */
