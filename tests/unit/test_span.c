/*
 * test_span.c - checked conversions and glob matching on spans, and the
 * arena and buf base layer: every row a case, malformed ones included.
 */
#include <math.h>

#include "arena.h"
#include "buf.h"
#include "span.h"
#include <string.h>

#include "test.h"

static void u64_row(const char *in, int ok, uint64_t want, int line)
{
    uint64_t v = 0;
    bool got = span_to_u64(span_of(in), &v);
    if (got == (ok != 0) && (!ok || v == want)) {
        test_passed++;
    } else {
        test_failed++;
        printf("FAIL %s:%d: span_to_u64(\"%s\"): expected %d/%llu, got %d/%llu\n", __FILE__,
               line, in, ok, (unsigned long long)want, got, (unsigned long long)v);
    }
}

static void dbl_row(const char *in, int ok, double want, int line)
{
    double v = 0;
    bool got = span_to_double(span_of(in), &v);
    if (got == (ok != 0) && (!ok || fabs(v - want) <= fabs(want) * 1e-15)) {
        test_passed++;
    } else {
        test_failed++;
        printf("FAIL %s:%d: span_to_double(\"%s\"): expected %d/%.17g, got %d/%.17g\n",
               __FILE__, line, in, ok, want, got, v);
    }
}

int main(void)
{
    u64_row("0", 1, 0, __LINE__);
    u64_row("18446744073709551615", 1, UINT64_MAX, __LINE__);
    u64_row("18446744073709551616", 0, 0, __LINE__);
    u64_row("", 0, 0, __LINE__);
    u64_row("12a", 0, 0, __LINE__);
    u64_row("-1", 0, 0, __LINE__);
    u64_row(" 1", 0, 0, __LINE__);

    int64_t i;
    CHECK(span_to_i64(SPAN_LIT("-9223372036854775808"), &i) && i == INT64_MIN);
    CHECK(!span_to_i64(SPAN_LIT("9223372036854775808"), &i));
    CHECK(span_to_i64(SPAN_LIT("-42"), &i) && i == -42);
    CHECK(!span_to_i64(SPAN_LIT("-"), &i));

    dbl_row("0.250", 1, 0.25, __LINE__);
    dbl_row("1e3", 1, 1000, __LINE__);
    dbl_row("-2.5E-1", 1, -0.25, __LINE__);
    dbl_row(".5", 1, 0.5, __LINE__);
    dbl_row("5.", 1, 5, __LINE__);
    dbl_row("1e", 0, 0, __LINE__);
    dbl_row("1e999", 0, 0, __LINE__);
    dbl_row("abc", 0, 0, __LINE__);
    dbl_row("", 0, 0, __LINE__);
    dbl_row(".", 0, 0, __LINE__);
    dbl_row("1.5x", 0, 0, __LINE__);

    int64_t f;
    CHECK(span_to_fixed(SPAN_LIT("0.250"), 6, &f) && f == 250000);
    CHECK(span_to_fixed(SPAN_LIT("12"), 3, &f) && f == 12000);
    CHECK(span_to_fixed(SPAN_LIT("1.2345678"), 6, &f) && f == 1234567);
    CHECK(!span_to_fixed(SPAN_LIT("1.2.3"), 6, &f));
    CHECK(!span_to_fixed(SPAN_LIT(""), 6, &f));
    CHECK(!span_to_fixed(SPAN_LIT("99999999999999999999"), 6, &f));

    CHECK(span_glob(SPAN_LIT("*"), SPAN_LIT("")));
    CHECK(span_glob(SPAN_LIT("/v1/*"), SPAN_LIT("/v1/a/b")));
    CHECK(span_glob(SPAN_LIT("*/endpoints/*:predict"), SPAN_LIT("/v1/p/x/endpoints/7:predict")));
    CHECK(!span_glob(SPAN_LIT("*/endpoints/*:predict"), SPAN_LIT("/v1/endpoints/7:explain")));
    CHECK(span_glob(SPAN_LIT("a?c"), SPAN_LIT("abc")));
    CHECK(!span_glob(SPAN_LIT("a?c"), SPAN_LIT("ac")));
    CHECK(span_glob(SPAN_LIT("**a**b"), SPAN_LIT("xxaxxb")));
    CHECK(!span_glob(SPAN_LIT(""), SPAN_LIT("a")));

    struct span rest = SPAN_LIT("a b"), field;
    CHECK(span_cut(&rest, ' ', &field));
    CHECK_SPAN(field, "a");
    CHECK_SPAN(rest, "b");
    CHECK(!span_cut(&rest, ' ', &field));
    CHECK_SPAN(field, "b");
    CHECK_INT(rest.n, 0);
    CHECK(span_eq_nocase(SPAN_LIT("X-Request-Id"), SPAN_LIT("x-request-id")));
    CHECK_SPAN(span_trim(SPAN_LIT(" \tab \t")), "ab");
    CHECK(span_contains(SPAN_LIT("{\"usage\":1}"), SPAN_LIT("\"usage\"")));
    CHECK(span_contains(SPAN_LIT("abc"), SPAN_LIT("abc")));
    CHECK(span_contains(SPAN_LIT("aab"), SPAN_LIT("ab")));
    CHECK(span_contains(SPAN_LIT("abc"), SPAN_LIT("")));
    CHECK(!span_contains(SPAN_LIT("ab"), SPAN_LIT("abc")));
    CHECK(!span_contains(SPAN_LIT("abab"), SPAN_LIT("ba b")));
    CHECK(!span_contains(SPAN_LIT(""), SPAN_LIT("a")));
    CHECK(!span_contains((struct span){ "xyz", 2 }, SPAN_LIT("yz"))); /* not past n */

    struct arena *a = arena_new(1024);
    char *big = arena_alloc(a, 100000);
    big[99999] = 1;
    struct span kept = arena_keep(a, SPAN_LIT("hello"));
    CHECK_SPAN(kept, "hello");
    CHECK_STR(arena_strdup(a, SPAN_LIT("zz")), "zz");
    arena_reset(a);
    arena_free(a);

    struct buf b;
    buf_init(&b, 8);
    CHECK_INT(buf_adds(&b, "12345678"), 0);
    CHECK_INT(buf_adds(&b, "9"), -1); /* past max: an error, not a truncation */
    CHECK_STR(b.p, "12345678");
    buf_reset(&b);
    CHECK_INT(buf_printf(&b, "%d-%s", 7, "x"), 0);
    CHECK_STR(b.p, "7-x");
    CHECK_INT(buf_printf(&b, "%s", "0123456789"), -1);
    buf_release(&b);

    /* Two buffers on one budget of 1000 bytes: the second cannot take what
     * the first holds; releasing gives it back. */
    struct buf_pool pool = { 0, 1000 };
    struct buf x, y;
    buf_init(&x, 4096);
    buf_join_pool(&x, &pool);
    buf_init(&y, 4096);
    buf_join_pool(&y, &pool);
    char fill[1024];
    memset(fill, 'a', sizeof fill);
    CHECK_INT(buf_add(&x, fill, 600), 0);
    CHECK(pool.used >= 601 && pool.used <= 1000);
    CHECK_INT(buf_add(&y, fill, 500), -1);      /* over the pool, under its own max */
    CHECK_INT(buf_add(&y, fill, 100), 0);
    CHECK(pool.used <= 1000);
    buf_release(&x);
    CHECK(x.pool == &pool && x.max == 4096);    /* release keeps both */
    CHECK_INT(buf_add(&y, fill, 500), 0);
    CHECK(pool.used <= 1000);
    buf_release(&y);
    CHECK_INT(pool.used, 0);

    /* A pool's bound at N-1, N and N+1 bytes (each byte needs one more for the NUL). */
    for (size_t want = 998; want <= 1000; want++) {
        struct buf z;
        buf_init(&z, 4096);
        buf_join_pool(&z, &pool);
        CHECK_INT(buf_add(&z, fill, want), want + 1 <= pool.max ? 0 : -1);
        CHECK(pool.used <= pool.max);
        buf_release(&z);
        CHECK_INT(pool.used, 0);
    }
    return test_report();
}
