/*
 * test.h - the unit tests' few macros. Each test program calls the CHECK_*
 * macros, then `return test_report();`, which prints "N passed, N failed" as
 * its last line and returns 1 if any failed. A failure reads
 * "FAIL file:line: expected X, got Y".
 */
#ifndef TEMPO_TEST_H
#define TEMPO_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static unsigned test_passed, test_failed;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (cond) {                                                                     \
            test_passed++;                                                              \
        } else {                                                                        \
            test_failed++;                                                              \
            printf("FAIL %s:%d: expected %s\n", __FILE__, __LINE__, #cond);             \
        }                                                                               \
    } while (0)

#define CHECK_INT(got, want)                                                            \
    do {                                                                                \
        long long g_ = (long long)(got), w_ = (long long)(want);                        \
        if (g_ == w_) {                                                                 \
            test_passed++;                                                              \
        } else {                                                                        \
            test_failed++;                                                              \
            printf("FAIL %s:%d: expected %s = %lld, got %lld\n", __FILE__, __LINE__, #got, \
                   w_, g_);                                                             \
        }                                                                               \
    } while (0)

#define CHECK_DBL(got, want, eps)                                                       \
    do {                                                                                \
        double g_ = (got), w_ = (want);                                                 \
        if (g_ - w_ <= (eps) && w_ - g_ <= (eps)) {                                     \
            test_passed++;                                                              \
        } else {                                                                        \
            test_failed++;                                                              \
            printf("FAIL %s:%d: expected %s = %.9g, got %.9g\n", __FILE__, __LINE__, #got, \
                   w_, g_);                                                             \
        }                                                                               \
    } while (0)

/* Compare a (possibly non-NUL-terminated) byte range with a C string. */
#define CHECK_MEM(p, n, want)                                                           \
    do {                                                                                \
        const char *p_ = (p), *w_ = (want);                                             \
        size_t n_ = (n);                                                                \
        if (n_ == strlen(w_) && (n_ == 0 || memcmp(p_, w_, n_) == 0)) {                 \
            test_passed++;                                                              \
        } else {                                                                        \
            test_failed++;                                                              \
            printf("FAIL %s:%d: expected %s = \"%s\", got \"%.*s\"\n", __FILE__, __LINE__, \
                   #p, w_, (int)n_, p_ ? p_ : "(null)");                                \
        }                                                                               \
    } while (0)

#define CHECK_STR(got, want) CHECK_MEM((got), strlen(got), (want))
#define CHECK_SPAN(sp, want) CHECK_MEM((sp).p, (sp).n, (want))

static inline int test_report(void)
{
    printf("%u passed, %u failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
