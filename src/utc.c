/*
 * utc.c - dates and times by hand (base layer): days-from-civil on the
 * proleptic Gregorian calendar (H. Hinnant's chrono algorithms), parsers for
 * CLF (nginx $time_local, Apache %t), RFC 3339 and epoch numbers, and the
 * formats reports print. No mktime, timegm, strptime, TZ or locale.
 */
#include "utc.h"

#include <stdio.h>

#define MAX_FRAC_DIGITS 9                /* nanoseconds */
#define MAX_EPOCH_S INT64_C(99999999999) /* below 1e11 s: year 5138 */

int64_t utc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* March-based year, so that the leap day is the last of the year. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? (int64_t)m - 3 : (int64_t)m + 9) + 2) / 5 + (int64_t)d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void utc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

bool utc_from_civil(int64_t y, unsigned mon, unsigned d, unsigned h, unsigned min, unsigned s,
                    int64_t *us)
{
    if (y < 0 || y > 9999 || mon < 1 || mon > 12 || d < 1 || d > days_in_month(y, mon))
        return false;
    if (h > 23 || min > 59 || s > 60)
        return false;
    if (s == 60)
        s = 59; /* leap second: stay inside the minute (see utc.h) */
    int64_t secs = utc_days_from_civil(y, mon, d) * 86400 + h * 3600 + min * 60 + s;
    *us = secs * USEC_PER_SEC;
    return true;
}

unsigned utc_month_abbr(struct span s)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    if (s.n != 3)
        return 0;
    char l[3];
    for (int i = 0; i < 3; i++) {
        unsigned char c = (unsigned char)s.p[i];
        l[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    for (unsigned m = 0; m < 12; m++)
        if (memcmp(names + 3 * m, l, 3) == 0)
            return m + 1;
    return 0;
}

bool utc_digits(const char *p, unsigned n, unsigned *out)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned dg = (unsigned char)p[i] - '0';
        if (dg > 9)
            return false;
        v = v * 10 + dg;
    }
    *out = v;
    return true;
}

/* "+HHMM" or, with `colon`, "+HH:MM" allowed too; whole span. */
static bool parse_offset(struct span s, int *offset_s)
{
    unsigned h, m;
    if (s.n < 5 || (s.p[0] != '+' && s.p[0] != '-') || !utc_digits(s.p + 1, 2, &h))
        return false;
    if (s.n == 5) {
        if (!utc_digits(s.p + 3, 2, &m))
            return false;
    } else if (s.n == 6 && s.p[3] == ':') {
        if (!utc_digits(s.p + 4, 2, &m))
            return false;
    } else {
        return false;
    }
    if (h > 23 || m > 59)
        return false;
    int off = (int)(h * 3600 + m * 60);
    *offset_s = s.p[0] == '-' ? -off : off;
    return true;
}

/* Fraction digits after the separator: 1..MAX_FRAC_DIGITS, truncated to µs. */
static bool parse_frac(struct span s, int64_t *us)
{
    int64_t v = 0;
    if (s.n < 1 || s.n > MAX_FRAC_DIGITS)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        unsigned dg = (unsigned char)s.p[i] - '0';
        if (dg > 9)
            return false;
        if (i < 6)
            v = v * 10 + dg;
    }
    for (size_t i = s.n; i < 6; i++)
        v *= 10;
    *us = v;
    return true;
}

/* Whether a time (µs UTC) falls in the years 0000-9999 that RFC 3339 can
 * write: an offset may push a local 9999-12-31 or 0000-01-01 out of them. */
#define DAYS_TO_0000 INT64_C(-719528)  /* utc_days_from_civil(0, 1, 1) */
#define DAYS_TO_10000 INT64_C(2932897) /* utc_days_from_civil(10000, 1, 1) */

static bool in_years(int64_t us)
{
    return us >= DAYS_TO_0000 * 86400 * USEC_PER_SEC && us < DAYS_TO_10000 * 86400 * USEC_PER_SEC;
}

bool utc_parse_clf(struct span s, int64_t *us, int *offset_s)
{
    /* 10/Oct/2000:13:55:36 -0700
     * 0123456789012345678901234 5 */
    unsigned d, y, h, mi, se, mon;
    int off;
    const char *p = s.p;
    if (s.n != 26 || p[2] != '/' || p[6] != '/' || p[11] != ':' || p[14] != ':' || p[17] != ':' ||
        p[20] != ' ')
        return false;
    if (!utc_digits(p, 2, &d) || !utc_digits(p + 7, 4, &y) || !utc_digits(p + 12, 2, &h) ||
        !utc_digits(p + 15, 2, &mi) || !utc_digits(p + 18, 2, &se))
        return false;
    if ((mon = utc_month_abbr((struct span){ p + 3, 3 })) == 0)
        return false;
    if (!parse_offset((struct span){ p + 21, 5 }, &off))
        return false;
    int64_t t;
    if (!utc_from_civil(y, mon, d, h, mi, se, &t))
        return false;
    if (!in_years(t - off * USEC_PER_SEC))
        return false;
    *us = t - off * USEC_PER_SEC;
    if (offset_s)
        *offset_s = off;
    return true;
}

bool utc_parse_iso(struct span s, int64_t *us, int *offset_s)
{
    /* 2026-11-22T10:00:00[.f{1,9}][Z|+HH:MM|+HHMM]
     * 0123456789012345678 */
    unsigned y, mon, d, h, mi, se;
    int64_t frac = 0, t;
    int off = 0;
    const char *p = s.p;
    if (s.n < 19 || p[4] != '-' || p[7] != '-' || p[13] != ':' || p[16] != ':')
        return false;
    if (p[10] != 'T' && p[10] != 't' && p[10] != ' ')
        return false;
    if (!utc_digits(p, 4, &y) || !utc_digits(p + 5, 2, &mon) || !utc_digits(p + 8, 2, &d) ||
        !utc_digits(p + 11, 2, &h) || !utc_digits(p + 14, 2, &mi) || !utc_digits(p + 17, 2, &se))
        return false;
    size_t i = 19;
    if (i < s.n && (p[i] == '.' || p[i] == ',')) {
        size_t f0 = ++i;
        while (i < s.n && p[i] >= '0' && p[i] <= '9')
            i++;
        if (!parse_frac((struct span){ p + f0, i - f0 }, &frac))
            return false;
    }
    if (i < s.n) {
        if (p[i] == 'Z' || p[i] == 'z') {
            if (i + 1 != s.n)
                return false;
        } else if (!parse_offset((struct span){ p + i, s.n - i }, &off)) {
            return false;
        }
    }
    if (!utc_from_civil(y, mon, d, h, mi, se, &t))
        return false;
    if (!in_years(t + frac - off * USEC_PER_SEC))
        return false;
    *us = t + frac - off * USEC_PER_SEC;
    if (offset_s)
        *offset_s = off;
    return true;
}

/* "digits[.digits]": integer part and the fraction's span (empty if none). */
static bool split_decimal(struct span s, uint64_t *ip, struct span *fp)
{
    struct span rest = s, whole;
    bool has_dot = span_cut(&rest, '.', &whole);
    if (!span_to_u64(whole, ip))
        return false;
    if (has_dot) {
        if (rest.n == 0)
            return false;
        for (size_t i = 0; i < rest.n; i++)
            if (rest.p[i] < '0' || rest.p[i] > '9')
                return false;
    }
    *fp = rest;
    return true;
}

/* The first `k` digits of fraction `f` as an integer (padded with zeros). */
static int64_t frac_digits(struct span f, unsigned k)
{
    int64_t v = 0;
    for (unsigned i = 0; i < k; i++)
        v = v * 10 + (i < f.n ? f.p[i] - '0' : 0);
    return v;
}

bool utc_parse_epoch_frac(struct span s, int64_t *us)
{
    uint64_t ip;
    struct span f;
    if (!split_decimal(s, &ip, &f) || ip > (uint64_t)MAX_EPOCH_S || f.n > MAX_FRAC_DIGITS)
        return false;
    *us = (int64_t)ip * USEC_PER_SEC + frac_digits(f, 6);
    return true;
}

bool utc_parse_epoch_auto(struct span s, int64_t *us)
{
    uint64_t ip;
    struct span f;
    if (!split_decimal(s, &ip, &f) || f.n > MAX_FRAC_DIGITS)
        return false;
    if (ip < UINT64_C(100000000000))
        *us = (int64_t)ip * USEC_PER_SEC + frac_digits(f, 6);
    else if (ip < UINT64_C(100000000000000))
        *us = (int64_t)ip * 1000 + frac_digits(f, 3);
    else if (ip < UINT64_C(100000000000000000))
        *us = (int64_t)ip;
    else
        *us = (int64_t)(ip / 1000); /* ns: u64 / 1000 always fits */
    return true;
}

bool utc_parse_any(struct span s, int64_t *us)
{
    s = span_trim(s);
    unsigned y, mon, d;
    if (utc_parse_iso(s, us, NULL))
        return true;
    if (s.n == 10 && s.p[4] == '-' && s.p[7] == '-' && utc_digits(s.p, 4, &y) &&
        utc_digits(s.p + 5, 2, &mon) && utc_digits(s.p + 8, 2, &d))
        return utc_from_civil(y, mon, d, 0, 0, 0, us);
    if (utc_parse_clf(s, us, NULL))
        return true;
    if (s.n == 28 && s.p[0] == '[' && s.p[27] == ']')
        return utc_parse_clf((struct span){ s.p + 1, 26 }, us, NULL);
    return utc_parse_epoch_auto(s, us);
}

char *utc_format(int64_t us, bool frac, char out[32])
{
    /* Floor division, so that times before 1970 format right. */
    int64_t days = us / USEC_PER_DAY, rem = us % USEC_PER_DAY;
    if (rem < 0) {
        rem += USEC_PER_DAY;
        days--;
    }
    int64_t y;
    unsigned m, d;
    utc_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / USEC_PER_SEC, sub = rem % USEC_PER_SEC;
    int n = snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02u", (long long)y, m, d,
                     (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
    if (n < 0 || n > 24)
        n = 24; /* cannot happen for int64 µs: years have at most 6 digits */
    if (frac && sub != 0)
        n += snprintf(out + n, (size_t)(32 - n), ".%06lld", (long long)sub);
    if (n < 31) {
        out[n] = 'Z';
        out[n + 1] = 0;
    }
    return out;
}

/* Append the decimal digits of v at out + *k (at most 20 bytes). */
static void put_u64(char *out, size_t *k, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out[(*k)++] = tmp[--n];
}

char *utc_format_duration(int64_t us, char out[24])
{
    static const struct {
        uint64_t us;
        char name;
    } units[] = {
        { 7 * (uint64_t)USEC_PER_DAY, 'w' }, { (uint64_t)USEC_PER_DAY, 'd' },
        { (uint64_t)USEC_PER_HOUR, 'h' },    { (uint64_t)USEC_PER_MIN, 'm' },
        { (uint64_t)USEC_PER_SEC, 's' },
    };
    /* The magnitude as uint64_t, so that INT64_MIN has one. The longest text,
     * "-15250284w3d", fits out[24] with room to spare. */
    uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    size_t k = 0;
    if (us < 0)
        out[k++] = '-';
    if (mag == 0) {
        out[k++] = '0';
        out[k++] = 's';
    } else if (mag < 1000) {
        put_u64(out, &k, mag);
        out[k++] = 'u';
        out[k++] = 's';
    } else if (mag < (uint64_t)USEC_PER_SEC) {
        put_u64(out, &k, mag / 1000);
        out[k++] = 'm';
        out[k++] = 's';
    } else {
        unsigned i = 0;
        while (mag < units[i].us)
            i++;
        put_u64(out, &k, mag / units[i].us);
        out[k++] = units[i].name;
        uint64_t b =
            i + 1 < sizeof units / sizeof units[0] ? mag % units[i].us / units[i + 1].us : 0;
        if (b) {
            put_u64(out, &k, b);
            out[k++] = units[i + 1].name;
        }
    }
    out[k] = 0;
    return out;
}
