/*
 * gen_common.h - what the workload generators share (test and bench tooling,
 * not a pipeline stage): the PRNG (xoshiro256**, seeded through splitmix64),
 * civil dates (proleptic Gregorian) and "1G"-style sizes. Deterministic: no
 * rand(), no time zone, no locale. Included by gen_log.c and gen_pcap.c.
 */
#ifndef TEMPO_GEN_COMMON_H
#define TEMPO_GEN_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG: xoshiro256**, seeded through splitmix64 (Vigna, prng.di.unimi.it) ---- */

struct rng {
    uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1), 53 bits. */
static inline double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi] (hi >= lo). */
static inline int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_unit(r) * (double)(hi - lo + 1));
}

static inline bool rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

/* Log-uniform in [lo, hi] (0 < lo <= hi): as many values per decade. */
static inline int64_t rng_log(struct rng *r, int64_t lo, int64_t hi)
{
    double v = exp(log((double)lo) + rng_unit(r) * (log((double)hi) - log((double)lo)));
    int64_t x = (int64_t)v;
    return x < lo ? lo : x > hi ? hi : x;
}

/* Exponential with the given mean, at least 1. */
static inline int64_t rng_exp(struct rng *r, double mean)
{
    double v = -log(1.0 - rng_unit(r)) * mean;
    return v < 1 ? 1 : (int64_t)v;
}

/* Index drawn from integer weights (total > 0). */
static inline unsigned rng_weighted(struct rng *r, const unsigned *w, unsigned n)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    uint64_t x = (uint64_t)rng_range(r, 0, (int64_t)total - 1);
    for (unsigned i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* A 64-bit mix of (seed, serial, salt), for ids that a later read must repeat
 * without the generator keeping them. */
static inline uint64_t mix3(uint64_t seed, uint64_t serial, uint64_t salt)
{
    uint64_t x = seed ^ (serial * UINT64_C(0x9e3779b97f4a7c15)) ^ (salt << 56);
    return splitmix64(&x);
}

/* ---- civil time (H. Hinnant's days_from_civil), for Date headers ---- */

static inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static inline void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static inline bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* "1G", "500M", "64K" or bytes. */
static inline bool parse_size(const char *s, uint64_t *out)
{
    char num[32];
    size_t n = strlen(s);
    uint64_t mult = 1;
    if (n && (s[n - 1] == 'K' || s[n - 1] == 'M' || s[n - 1] == 'G')) {
        mult = s[n - 1] == 'K' ? 1u << 10 : s[n - 1] == 'M' ? 1u << 20 : 1u << 30;
        n--;
    }
    if (n == 0 || n >= sizeof num)
        return false;
    memcpy(num, s, n);
    num[n] = 0;
    if (!parse_u64(num, out) || *out > UINT64_MAX / mult)
        return false;
    *out *= mult;
    return true;
}

/* realloc that never returns NULL: a generator out of memory stops (exit 3). */
static inline void *gen_realloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("out of memory\n", stderr);
        exit(3);
    }
    return p;
}

/* A growable array of int64 (waits, pending results). */
struct vec {
    int64_t *v;
    size_t n, cap;
};

static inline void vec_push(struct vec *a, int64_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 1024;
        a->v = gen_realloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

/* A binary min-heap of items of `size` bytes, first by `less`: the events and
 * reads the generators emit in time order. */
struct gen_heap {
    unsigned char *v, *tmp;
    size_t n, cap, size;
    bool (*less)(const void *a, const void *b);
};

static inline void *gen_heap_at(const struct gen_heap *h, size_t i)
{
    return h->v + i * h->size;
}

static inline void gen_heap_swap(struct gen_heap *h, size_t a, size_t b)
{
    memcpy(h->tmp, gen_heap_at(h, a), h->size);
    memcpy(gen_heap_at(h, a), gen_heap_at(h, b), h->size);
    memcpy(gen_heap_at(h, b), h->tmp, h->size);
}

static inline void gen_heap_push(struct gen_heap *h, const void *item)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->v = gen_realloc(h->v, h->cap * h->size);
        if (!h->tmp)
            h->tmp = gen_realloc(NULL, h->size);
    }
    size_t i = h->n++;
    memcpy(gen_heap_at(h, i), item, h->size);
    while (i && h->less(gen_heap_at(h, i), gen_heap_at(h, (i - 1) / 2))) {
        gen_heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

/* The first item (h->n > 0) into *out, and off the heap. */
static inline void gen_heap_pop(struct gen_heap *h, void *out)
{
    memcpy(out, gen_heap_at(h, 0), h->size);
    memcpy(gen_heap_at(h, 0), gen_heap_at(h, --h->n), h->size);
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->less(gen_heap_at(h, l), gen_heap_at(h, m)))
            m = l;
        if (r < h->n && h->less(gen_heap_at(h, r), gen_heap_at(h, m)))
            m = r;
        if (m == i)
            break;
        gen_heap_swap(h, i, m);
        i = m;
    }
}

static inline void gen_heap_free(struct gen_heap *h)
{
    free(h->v);
    free(h->tmp);
}

/* An output file ("-" or none: standard output); exit 2 if it cannot be made. */
static inline FILE *gen_open_out(const char *prog, const char *path)
{
    if (!path || (path[0] == '-' && path[1] == 0))
        return stdout;
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "%s: %s: cannot open for writing\n", prog, path);
        exit(2);
    }
    return f;
}

/* Flush and close it; exit 3 on a write error (a full disk). */
static inline void gen_close_out(const char *prog, FILE *f, const char *path)
{
    if (fflush(f) != 0 || (f != stdout && fclose(f) != 0)) {
        fprintf(stderr, "%s: %s: write error\n", prog, path ? path : "stdout");
        exit(3);
    }
}

#endif
