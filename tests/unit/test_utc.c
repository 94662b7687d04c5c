/*
 * test_utc.c - unit tests of utc.c: calendar arithmetic, the CLF, RFC 3339 and
 * epoch parsers (a row per case, every truncation of a valid time) and the
 * formats reports print.
 */
#include <stdlib.h>

#include "test.h"
#include "utc.h"

/* 2000-10-10T20:55:36Z, the CLF example "10/Oct/2000:13:55:36 -0700". */
#define T_2000 INT64_C(971211336000000)
/* 2026-11-22T10:00:00Z */
#define T_2026 INT64_C(1795341600000000)

struct row {
    const char *text;
    bool ok;
    int64_t us;
    int off;
};

static void check_civil(void)
{
    CHECK_INT(utc_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(utc_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(utc_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(utc_days_from_civil(2024, 2, 29), 19782);
    CHECK_INT(utc_days_from_civil(2024, 3, 1), 19783);
    CHECK_INT(utc_days_from_civil(2100, 3, 1) - utc_days_from_civil(2100, 2, 28), 1);
    CHECK_INT(utc_days_from_civil(2000, 3, 1) - utc_days_from_civil(2000, 2, 28), 2);
    /* Round trip over 800 years, day by day: a whole 400-year cycle twice. */
    bool all = true;
    for (int64_t days = -146097; days <= 146097 && all; days++) {
        int64_t y;
        unsigned m, d;
        utc_civil_from_days(days, &y, &m, &d);
        all = utc_days_from_civil(y, m, d) == days && m >= 1 && m <= 12 && d >= 1 && d <= 31;
    }
    CHECK(all);
    int64_t y;
    unsigned m, d;
    utc_civil_from_days(19782, &y, &m, &d);
    CHECK_INT(y, 2024);
    CHECK_INT(m, 2);
    CHECK_INT(d, 29);

    int64_t us = 1;
    CHECK(utc_from_civil(2024, 2, 29, 0, 0, 0, &us));
    CHECK_INT(us, 19782 * USEC_PER_DAY);
    CHECK(!utc_from_civil(2023, 2, 29, 0, 0, 0, &us));
    CHECK(!utc_from_civil(2100, 2, 29, 0, 0, 0, &us));
    CHECK(utc_from_civil(2000, 2, 29, 0, 0, 0, &us));
    CHECK(!utc_from_civil(2026, 2, 30, 0, 0, 0, &us));
    CHECK(!utc_from_civil(2026, 4, 31, 0, 0, 0, &us));
    CHECK(!utc_from_civil(2026, 13, 1, 0, 0, 0, &us));
    CHECK(!utc_from_civil(2026, 0, 1, 0, 0, 0, &us));
    CHECK(!utc_from_civil(2026, 1, 0, 0, 0, 0, &us));
    CHECK(!utc_from_civil(2026, 1, 1, 24, 0, 0, &us));
    CHECK(!utc_from_civil(2026, 1, 1, 23, 60, 0, &us));
    CHECK(!utc_from_civil(2026, 1, 1, 23, 59, 61, &us));
    CHECK(!utc_from_civil(10000, 1, 1, 0, 0, 0, &us));
    CHECK(utc_from_civil(2016, 12, 31, 23, 59, 60, &us));
    int64_t us59 = 0;
    CHECK(utc_from_civil(2016, 12, 31, 23, 59, 59, &us59));
    CHECK_INT(us, us59);

    CHECK_INT(utc_month_abbr(SPAN_LIT("Jan")), 1);
    CHECK_INT(utc_month_abbr(SPAN_LIT("dec")), 12);
    CHECK_INT(utc_month_abbr(SPAN_LIT("OCT")), 10);
    CHECK_INT(utc_month_abbr(SPAN_LIT("Okt")), 0);
    CHECK_INT(utc_month_abbr(SPAN_LIT("Ja")), 0);
}

static void check_rows(const struct row *rows, size_t n,
                       bool (*parse)(struct span, int64_t *, int *))
{
    for (size_t i = 0; i < n; i++) {
        int64_t us = -42;
        int off = -42;
        bool ok = parse(span_of(rows[i].text), &us, &off);
        if (ok != rows[i].ok)
            printf("row %zu: '%s'\n", i, rows[i].text);
        CHECK_INT(ok, rows[i].ok);
        if (ok && rows[i].ok) {
            CHECK_INT(us, rows[i].us);
            CHECK_INT(off, rows[i].off);
        }
    }
}

static void check_clf(void)
{
    static const struct row rows[] = {
        { "10/Oct/2000:13:55:36 -0700", true, T_2000, -7 * 3600 },
        { "10/Oct/2000:20:55:36 +0000", true, T_2000, 0 },
        { "10/Oct/2000:20:55:36 -0000", true, T_2000, 0 },
        { "11/Oct/2000:02:25:36 +0530", true, T_2000, 5 * 3600 + 1800 },
        { "01/Jan/1970:00:00:00 +0000", true, 0, 0 },
        { "01/Jan/1970:01:00:00 +0100", true, 0, 3600 },
        { "31/Dec/1969:23:59:59 +0000", true, -USEC_PER_SEC, 0 },
        { "29/Feb/2024:12:00:00 +0000", true, 19782 * USEC_PER_DAY + 12 * USEC_PER_HOUR, 0 },
        { "10/oct/2000:20:55:36 +0000", true, T_2000, 0 },
        { "31/Dec/2016:23:59:60 +0000", true, INT64_C(1483228799000000), 0 },
        { "29/Feb/2100:12:00:00 +0000", false, 0, 0 },
        { "29/Feb/2023:12:00:00 +0000", false, 0, 0 },
        { "30/Feb/2024:12:00:00 +0000", false, 0, 0 },
        { "31/Apr/2024:12:00:00 +0000", false, 0, 0 },
        { "00/Apr/2024:12:00:00 +0000", false, 0, 0 },
        { "10/Okt/2000:13:55:36 -0700", false, 0, 0 },
        { "10/Oct/2000:24:00:00 -0700", false, 0, 0 },
        { "10/Oct/2000:23:60:00 -0700", false, 0, 0 },
        { "10/Oct/2000:23:59:61 -0700", false, 0, 0 },
        { "10/Oct/2000:13:55:36 -2400", false, 0, 0 },
        { "10/Oct/2000:13:55:36 -0760", false, 0, 0 },
        { "10/Oct/2000:13:55:36 0700", false, 0, 0 },
        { "10/Oct/2000:13:55:36 *0700", false, 0, 0 },
        { "10/Oct/2000:13:55:36 -07:00", false, 0, 0 },
        { "10/Oct/2000:13:55:36 -0700 ", false, 0, 0 },
        { " 10/Oct/2000:13:55:36 -0700", false, 0, 0 },
        { "1/Oct/2000:13:55:36 -0700", false, 0, 0 },
        { "10/Oct/200:13:55:36 -0700", false, 0, 0 },
        { "10/Oct/2000 13:55:36 -0700", false, 0, 0 },
        { "10/Oct/2000:1a:55:36 -0700", false, 0, 0 },
        { "10-Oct-2000:13:55:36 -0700", false, 0, 0 },
        { "", false, 0, 0 },
    };
    check_rows(rows, sizeof rows / sizeof rows[0], utc_parse_clf);

    /* Every truncation of a valid time is refused, and never read past n. */
    const char *full = "10/Oct/2000:13:55:36 -0700";
    bool all = true;
    for (size_t k = 0; k < strlen(full); k++) {
        char *cut = malloc(k ? k : 1); /* exact size: ASan sees an over-read */
        memcpy(cut, full, k);
        int64_t us;
        all = all && !utc_parse_clf((struct span){ cut, k }, &us, NULL);
        free(cut);
    }
    CHECK(all);
    int64_t us;
    CHECK(utc_parse_clf(span_of(full), &us, NULL)); /* offset may be NULL */
}

static void check_iso(void)
{
    static const struct row rows[] = {
        { "2026-11-22T10:00:00Z", true, T_2026, 0 },
        { "2026-11-22T10:00:00z", true, T_2026, 0 },
        { "2026-11-22t10:00:00Z", true, T_2026, 0 },
        { "2026-11-22 10:00:00Z", true, T_2026, 0 },
        { "2026-11-22T10:00:00", true, T_2026, 0 },
        { "2026-11-22T11:00:00+01:00", true, T_2026, 3600 },
        { "2026-11-22T11:00:00+0100", true, T_2026, 3600 },
        { "2026-11-22T15:30:00+05:30", true, T_2026, 19800 },
        { "2026-11-22T03:00:00-07:00", true, T_2026, -25200 },
        { "2026-11-22T10:00:00-00:00", true, T_2026, 0 },
        { "2026-11-22T10:00:00.5Z", true, T_2026 + 500000, 0 },
        { "2026-11-22T10:00:00,5Z", true, T_2026 + 500000, 0 },
        { "2026-11-22T10:00:00.123456Z", true, T_2026 + 123456, 0 },
        { "2026-11-22T10:00:00.123456789Z", true, T_2026 + 123456, 0 },
        { "2026-11-22T10:00:00.000001+00:00", true, T_2026 + 1, 0 },
        { "2026-11-22T11:00:00.25+01:00", true, T_2026 + 250000, 3600 },
        { "2024-02-29T00:00:00Z", true, 19782 * USEC_PER_DAY, 0 },
        { "1970-01-01T00:00:00Z", true, 0, 0 },
        { "2016-12-31T23:59:60Z", true, INT64_C(1483228799000000), 0 },
        { "2026-11-22T10:00:00.1234567890Z", false, 0, 0 },
        { "2026-11-22T10:00:00.Z", false, 0, 0 },
        { "2026-11-22T10:00:00.", false, 0, 0 },
        { "2026-11-22T10:00Z", false, 0, 0 },
        { "2026-11-22T24:00:00Z", false, 0, 0 },
        { "2100-02-29T00:00:00Z", false, 0, 0 },
        { "2026-02-30T00:00:00Z", false, 0, 0 },
        { "2026-13-01T00:00:00Z", false, 0, 0 },
        { "2026-00-01T00:00:00Z", false, 0, 0 },
        { "2026-11-22X10:00:00Z", false, 0, 0 },
        { "2026-11-22T10:00:00ZZ", false, 0, 0 },
        { "2026-11-22T10:00:00+01", false, 0, 0 },
        { "2026-11-22T10:00:00+01:0", false, 0, 0 },
        { "2026-11-22T10:00:00+24:00", false, 0, 0 },
        { "2026-11-22T10:00:00 ", false, 0, 0 },
        { "26-11-22T10:00:00Z", false, 0, 0 },
        { "2026-11-22", false, 0, 0 },
        { "", false, 0, 0 },
    };
    check_rows(rows, sizeof rows / sizeof rows[0], utc_parse_iso);

    /* Truncations: each is refused unless it is itself a valid form (no
     * offset, or a shorter fraction); none reads past its end. */
    const char *full = "2026-11-22T10:00:00.123456+01:00";
    size_t n_ok = 0;
    for (size_t k = 0; k < strlen(full); k++) {
        char *cut = malloc(k ? k : 1);
        memcpy(cut, full, k);
        int64_t us;
        if (utc_parse_iso((struct span){ cut, k }, &us, NULL)) {
            n_ok++;
            CHECK(k >= 19 && k <= 26 && k != 20); /* "...:00" and ".1".."123456" */
        }
        free(cut);
    }
    CHECK_INT(n_ok, 7);
}

static bool parse_frac(struct span s, int64_t *us, int *off)
{
    *off = 0;
    return utc_parse_epoch_frac(s, us);
}

static bool parse_auto(struct span s, int64_t *us, int *off)
{
    *off = 0;
    return utc_parse_epoch_auto(s, us);
}

static bool parse_any(struct span s, int64_t *us, int *off)
{
    *off = 0;
    return utc_parse_any(s, us);
}

static void check_epoch(void)
{
    static const struct row frac[] = {
        { "1700000000.123", true, INT64_C(1700000000123000), 0 },
        { "1700000000", true, INT64_C(1700000000000000), 0 },
        { "1700000000.1", true, INT64_C(1700000000100000), 0 },
        { "1700000000.123456789", true, INT64_C(1700000000123456), 0 },
        { "0.000001", true, 1, 0 },
        { "99999999999", true, INT64_C(99999999999000000), 0 },
        { "100000000000", false, 0, 0 },
        { "1700000000.1234567890", false, 0, 0 },
        { "1700000000.", false, 0, 0 },
        { ".5", false, 0, 0 },
        { "-1700000000", false, 0, 0 },
        { "1700000000.12a", false, 0, 0 },
        { "17e8", false, 0, 0 },
        { "", false, 0, 0 },
    };
    check_rows(frac, sizeof frac / sizeof frac[0], parse_frac);

    static const struct row autos[] = {
        { "1700000000", true, INT64_C(1700000000000000), 0 },
        { "1700000000.5", true, INT64_C(1700000000500000), 0 },
        { "99999999999", true, INT64_C(99999999999000000), 0 },  /* < 1e11: s */
        { "100000000000", true, INT64_C(100000000000000), 0 },   /* ms */
        { "1700000000123", true, INT64_C(1700000000123000), 0 }, /* ms */
        { "1700000000123.5", true, INT64_C(1700000000123500), 0 },
        { "99999999999999", true, INT64_C(99999999999999000), 0 },  /* < 1e14: ms */
        { "100000000000000", true, INT64_C(100000000000000), 0 },   /* µs */
        { "1700000000123456", true, INT64_C(1700000000123456), 0 }, /* µs */
        { "1700000000123456.9", true, INT64_C(1700000000123456), 0 },
        { "99999999999999999", true, INT64_C(99999999999999999), 0 },  /* < 1e17: µs */
        { "100000000000000000", true, INT64_C(100000000000000), 0 },   /* ns */
        { "1700000000123456789", true, INT64_C(1700000000123456), 0 }, /* ns */
        { "18446744073709551615", true, INT64_C(18446744073709551), 0 },
        { "18446744073709551616", false, 0, 0 },
        { "0", true, 0, 0 },
        { "-5", false, 0, 0 },
        { "1.", false, 0, 0 },
        { "1.2.3", false, 0, 0 },
        { "", false, 0, 0 },
    };
    check_rows(autos, sizeof autos / sizeof autos[0], parse_auto);

    static const struct row any[] = {
        { "2026-11-22T10:00:00Z", true, T_2026, 0 },
        { "  2026-11-22T10:00:00Z ", true, T_2026, 0 },
        { "2026-11-22", true, T_2026 - 10 * USEC_PER_HOUR, 0 },
        { "2026-02-30", false, 0, 0 },
        { "10/Oct/2000:13:55:36 -0700", true, T_2000, 0 },
        { "[10/Oct/2000:13:55:36 -0700]", true, T_2000, 0 },
        { "971211336", true, T_2000, 0 },
        { "971211336000", true, T_2000, 0 },
        { "yesterday", false, 0, 0 },
        { "", false, 0, 0 },
    };
    check_rows(any, sizeof any / sizeof any[0], parse_any);
}

static void check_format(void)
{
    char t[32];
    CHECK_STR(utc_format(T_2026, false, t), "2026-11-22T10:00:00Z");
    CHECK_STR(utc_format(T_2026 + 123456, false, t), "2026-11-22T10:00:00Z");
    CHECK_STR(utc_format(T_2026 + 123456, true, t), "2026-11-22T10:00:00.123456Z");
    CHECK_STR(utc_format(T_2026 + 1, true, t), "2026-11-22T10:00:00.000001Z");
    CHECK_STR(utc_format(T_2026, true, t), "2026-11-22T10:00:00Z");
    CHECK_STR(utc_format(0, false, t), "1970-01-01T00:00:00Z");
    CHECK_STR(utc_format(-1, true, t), "1969-12-31T23:59:59.999999Z");
    CHECK_STR(utc_format(19782 * USEC_PER_DAY + 86399 * USEC_PER_SEC, false, t),
              "2024-02-29T23:59:59Z");
    CHECK_STR(utc_format(T_2000, false, t), "2000-10-10T20:55:36Z");
    CHECK(strlen(utc_format(INT64_MAX, true, t)) < 32);
    CHECK(strlen(utc_format(INT64_MIN, true, t)) < 32);
    /* Parse and format agree. */
    int64_t us;
    CHECK(utc_parse_iso(span_of("2099-12-31T23:59:59.000500Z"), &us, NULL));
    CHECK_STR(utc_format(us, true, t), "2099-12-31T23:59:59.000500Z");

    static const struct {
        int64_t us;
        const char *want;
    } durs[] = {
        { 0, "0s" },
        { 1, "1us" },
        { 250, "250us" },
        { 999, "999us" },
        { 1000, "1ms" },
        { 850000, "850ms" },
        { 999999, "999ms" },
        { USEC_PER_SEC, "1s" },
        { 12 * USEC_PER_SEC + 900000, "12s" },
        { 59 * USEC_PER_SEC, "59s" },
        { 60 * USEC_PER_SEC, "1m" },
        { 250 * USEC_PER_SEC, "4m10s" },
        { USEC_PER_HOUR, "1h" },
        { USEC_PER_HOUR + 5 * USEC_PER_SEC, "1h" },
        { 70019 * USEC_PER_SEC, "19h26m" },
        { 19 * USEC_PER_HOUR + 27 * USEC_PER_MIN + 59 * USEC_PER_SEC, "19h27m" },
        { 3 * USEC_PER_DAY + 4 * USEC_PER_HOUR + 59 * USEC_PER_MIN, "3d4h" },
        { USEC_PER_DAY, "1d" },
        { 9 * USEC_PER_DAY, "1w2d" },
        { 14 * USEC_PER_DAY, "2w" },
        { -5 * USEC_PER_SEC, "-5s" },
        { -250, "-250us" },
        { -(250 * USEC_PER_SEC), "-4m10s" },
    };
    for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++) {
        char d[24];
        CHECK_STR(utc_format_duration(durs[i].us, d), durs[i].want);
    }
    char d[24];
    CHECK_STR(utc_format_duration(INT64_MAX, d), "15250284w3d");
    CHECK_STR(utc_format_duration(INT64_MIN, d), "-15250284w3d");
}

int main(void)
{
    check_civil();
    check_clf();
    check_iso();
    check_epoch();
    check_format();
    return test_report();
}
