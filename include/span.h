/*
 * span.h - borrowed byte ranges and checked conversions. A span never owns its
 * bytes: whoever made it says how long they live (usually: until the decoder's
 * next call). Nothing here allocates, and nothing reads past p + n.
 */
#ifndef TEMPO_SPAN_H
#define TEMPO_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct span {
    const char *p; /* bytes, not NUL-terminated, may contain NUL */
    size_t n;
};

#define SPAN_LIT(s) ((struct span){ (s), sizeof(s) - 1 })
#define SPAN_NULL ((struct span){ NULL, 0 })

/* Span over a NUL-terminated string (for argv and literals; never for input). */
static inline struct span span_of(const char *s)
{
    return (struct span){ s, s ? strlen(s) : 0 };
}

/* Split *rest at the first `sep`: *field gets the bytes before it, *rest those after.
 * Returns false, with *field = all of *rest and *rest empty, when `sep` is absent. */
static inline bool span_cut(struct span *rest, char sep, struct span *field)
{
    const char *hit = rest->n ? memchr(rest->p, sep, rest->n) : NULL;
    size_t k = hit ? (size_t)(hit - rest->p) : rest->n;
    *field = (struct span){ rest->p, k };
    rest->p += hit ? k + 1 : k;
    rest->n -= hit ? k + 1 : k;
    return hit != NULL;
}

static inline bool span_eq(struct span a, struct span b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Equal to the NUL-terminated string `s`. */
static inline bool span_eq_str(struct span a, const char *s)
{
    size_t n = strlen(s);
    return a.n == n && (n == 0 || memcmp(a.p, s, n) == 0);
}

static inline bool span_starts(struct span a, const char *prefix)
{
    size_t n = strlen(prefix);
    return a.n >= n && memcmp(a.p, prefix, n) == 0;
}

/* Length of the well-formed UTF-8 sequence at p[0, n) (RFC 3629: no
 * overlongs, surrogates or code points past U+10FFFF), or 0 when there is
 * none (n == 0 included); *cp gets its code point when cp is not NULL. */
size_t span_utf8(const char *p, size_t n, unsigned *cp);

/* Value of a hexadecimal digit ('0'-'9', 'a'-'f', 'A'-'F'), or -1. */
static inline int span_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ASCII case-insensitive equality. */
bool span_eq_nocase(struct span a, struct span b);

/* Drop leading and trailing spaces and tabs. */
struct span span_trim(struct span s);

/* Whether `needle` occurs in `s` (an empty needle always does). */
bool span_contains(struct span s, struct span needle);

/* Decimal unsigned integer, whole span, no sign, no spaces; false on empty input,
 * any other byte, or overflow of UINT64_MAX. */
bool span_to_u64(struct span s, uint64_t *out);

/* Like span_to_u64 with an optional leading '-', range of int64_t. */
bool span_to_i64(struct span s, int64_t *out);

/* Decimal number "[-]digits[.digits][e[+-]digits]", whole span; false otherwise,
 * or when it is not finite. No locale. */
bool span_to_double(struct span s, double *out);

/* Decimal "[digits][.digits]" scaled by 10^scale and rounded toward zero into an
 * integer: span_to_fixed("0.250", 6) = 250000. False on other bytes or overflow. */
bool span_to_fixed(struct span s, int scale, int64_t *out);

/* Glob match: '*' any run of bytes, '?' one byte, everything else literal. */
bool span_glob(struct span pattern, struct span text);

/* Hash (FNV-1a 64) of the bytes. */
uint64_t span_hash(struct span s);

#endif
