/*
 * span.c - checked conversions on borrowed byte ranges (base layer). Every
 * function reads only p[0..n-1]; none allocates or consults the locale.
 */
#include "span.h"

#include <math.h>

static inline unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool span_eq_nocase(struct span a, struct span b)
{
    if (a.n != b.n)
        return false;
    for (size_t i = 0; i < a.n; i++)
        if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i]))
            return false;
    return true;
}

struct span span_trim(struct span s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

bool span_to_u64(struct span s, uint64_t *out)
{
    uint64_t v = 0;
    if (s.n == 0)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        unsigned d = (unsigned char)s.p[i] - '0';
        if (d > 9)
            return false;
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool span_to_i64(struct span s, int64_t *out)
{
    bool neg = s.n && s.p[0] == '-';
    uint64_t v;
    if (neg) {
        s.p++;
        s.n--;
    }
    if (!span_to_u64(s, &v))
        return false;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)v;
    }
    return true;
}

bool span_to_double(struct span s, double *out)
{
    /* Digits are accumulated exactly while they fit in 2^53 and scaled once
     * by a power of ten: exact for the short decimals logs carry ("0.250"). */
    size_t i = 0;
    bool neg = false, any = false;
    double mant = 0;
    int exp10 = 0;
    if (i < s.n && (s.p[i] == '-' || s.p[i] == '+'))
        neg = s.p[i++] == '-';
    for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++, any = true) {
        if (mant < 9007199254740992.0)
            mant = mant * 10 + (s.p[i] - '0');
        else
            exp10++;
    }
    if (i < s.n && s.p[i] == '.') {
        for (i++; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++, any = true) {
            if (mant < 9007199254740992.0) {
                mant = mant * 10 + (s.p[i] - '0');
                exp10--;
            }
        }
    }
    if (!any)
        return false;
    if (i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
        bool eneg = false;
        int e = 0;
        bool edig = false;
        i++;
        if (i < s.n && (s.p[i] == '-' || s.p[i] == '+'))
            eneg = s.p[i++] == '-';
        for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++, edig = true)
            if (e < 100000)
                e = e * 10 + (s.p[i] - '0');
        if (!edig)
            return false;
        exp10 += eneg ? -e : e;
    }
    if (i != s.n)
        return false;
    double v = exp10 >= 0 ? mant * pow(10, exp10) : mant / pow(10, -exp10);
    if (!isfinite(v))
        return false;
    *out = neg ? -v : v;
    return true;
}

bool span_to_fixed(struct span s, int scale, int64_t *out)
{
    int64_t v = 0;
    size_t i = 0;
    bool any = false;
    int frac = -1;
    for (; i < s.n; i++) {
        char c = s.p[i];
        if (c == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        any = true;
        if (frac >= 0) {
            if (frac >= scale)
                continue; /* rounded toward zero */
            frac++;
        }
        if (v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (c - '0');
    }
    if (!any)
        return false;
    for (int k = frac < 0 ? 0 : frac; k < scale; k++) {
        if (v > INT64_MAX / 10)
            return false;
        v *= 10;
    }
    *out = v;
    return true;
}

bool span_glob(struct span pat, struct span text)
{
    /* Iterative matcher with one backtrack point: linear in practice, no
     * recursion, so a hostile pattern cannot blow the stack. */
    size_t p = 0, t = 0, star_p = (size_t)-1, star_t = 0;
    while (t < text.n) {
        if (p < pat.n && (pat.p[p] == '?' || pat.p[p] == text.p[t])) {
            if (pat.p[p] == '*')
                goto star;
            p++;
            t++;
        } else if (p < pat.n && pat.p[p] == '*') {
        star:
            star_p = p++;
            star_t = t;
        } else if (star_p != (size_t)-1) {
            p = star_p + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (p < pat.n && pat.p[p] == '*')
        p++;
    return p == pat.n;
}

uint64_t span_hash(struct span s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < s.n; i++) {
        h ^= (unsigned char)s.p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

size_t span_utf8(const char *p, size_t n, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)p;
    if (n == 0)
        return 0;
    unsigned c = s[0], len, min;
    if (c < 0x80) {
        if (cp)
            *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80, c &= 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800, c &= 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000, c &= 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (unsigned i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    if (cp)
        *cp = c;
    return len;
}

bool span_contains(struct span s, struct span needle)
{
    if (needle.n == 0)
        return true;
    for (size_t i = 0; needle.n <= s.n && i <= s.n - needle.n; i++) {
        const char *c = memchr(s.p + i, needle.p[0], s.n - needle.n + 1 - i);
        if (!c)
            return false;
        i = (size_t)(c - s.p);
        if (memcmp(c, needle.p, needle.n) == 0)
            return true;
    }
    return false;
}
