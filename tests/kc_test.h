/*
 * kc_test.h - the tiny assertion header every kcut test program uses.
 *
 *   KC_CHECK(cond)            record a failure (file:line and the expression), keep going
 *   KC_CHECK_EQ_INT(a, b)     integers, printing both values on failure
 *   KC_CHECK_EQ_STR(a, b)     strings (NULL-safe)
 *   KC_REQUIRE(cond)          like KC_CHECK but returns from the current test function
 *   KC_RUN(test_fn)           run one `static void test_fn(void)` and report it
 *   return kc_test_done();    from main: prints "N passed, N failed", exit 0 / 1
 */
#ifndef KC_TEST_H
#define KC_TEST_H

#include <stdio.h>
#include <string.h>

static int kc_test_failures_;
static int kc_test_passed_;
static int kc_test_failed_;
static int kc_test_run_failures_; /* failures counted inside KC_RUN */

#define KC_CHECK(cond)                                                                   \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			kc_test_failures_++;                                             \
		}                                                                        \
	} while (0)

#define KC_REQUIRE(cond)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: requirement failed: %s\n", __FILE__, __LINE__, #cond); \
			kc_test_failures_++;                                             \
			return;                                                          \
		}                                                                        \
	} while (0)

#define KC_CHECK_EQ_INT(a, b)                                                            \
	do {                                                                             \
		long long kc_a_ = (long long)(a), kc_b_ = (long long)(b);                \
		if (kc_a_ != kc_b_) {                                                    \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, \
				__LINE__, #a, #b, kc_a_, kc_b_);                         \
			kc_test_failures_++;                                             \
		}                                                                        \
	} while (0)

#define KC_CHECK_EQ_STR(a, b)                                                            \
	do {                                                                             \
		const char *kc_a_ = (a), *kc_b_ = (b);                                   \
		if (!kc_a_ || !kc_b_ || strcmp(kc_a_, kc_b_) != 0) {                     \
			fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n",    \
				__FILE__, __LINE__, #a, #b, kc_a_ ? kc_a_ : "(null)",     \
				kc_b_ ? kc_b_ : "(null)");                               \
			kc_test_failures_++;                                             \
		}                                                                        \
	} while (0)

#define KC_RUN(fn)                                                                       \
	do {                                                                             \
		int kc_before_ = kc_test_failures_;                                      \
		fn();                                                                    \
		if (kc_test_failures_ == kc_before_) {                                   \
			kc_test_passed_++;                                               \
			printf("ok   %s\n", #fn);                                        \
		} else {                                                                 \
			kc_test_failed_++;                                               \
			kc_test_run_failures_ += kc_test_failures_ - kc_before_;         \
			printf("FAIL %s\n", #fn);                                        \
		}                                                                        \
	} while (0)

static inline int kc_test_done(void)
{
	int outside = kc_test_failures_ - kc_test_run_failures_;

	printf("%d passed, %d failed\n", kc_test_passed_, kc_test_failed_);
	if (outside)
		printf("%d check(s) failed outside a KC_RUN test\n", outside); /* (main's own checks) */
	return kc_test_failed_ || outside ? 1 : 0;
}

#endif /* KC_TEST_H */
