/*
 * analysis.c - the measurements of PRODUCT.md §4 (analysis stage): each call's
 * first read, found by a hash join of the calls on the keyed reads and a binary
 * search of the bulk reads; waits, read and tolerant shares with censoring,
 * exact nearest-rank quantiles, the Wilson bound, the tempo curve, the
 * readers' breakdown, the wait CDF, calls and reads by hour of the week and the
 * batch schedule (analysis_schedule.c), per call site and by= value.
 */
#include <math.h>
#include <stdlib.h>

#include "analysis.h"
#include "utc.h"

const int64_t analysis_curve_delays_us[ANALYSIS_CURVE_POINTS] = {
    USEC_PER_MIN,      5 * USEC_PER_MIN, 15 * USEC_PER_MIN, USEC_PER_HOUR,
    6 * USEC_PER_HOUR, USEC_PER_DAY,     7 * USEC_PER_DAY,
};

/* Delays counted per call: the curve's, then the rules' own at DELAY_MAIN. */
#define N_DELAYS (ANALYSIS_CURVE_POINTS + 1)
#define DELAY_MAIN ANALYSIS_CURVE_POINTS
#define RANKS (ANALYSIS_MAX_READERS + 1) /* rank 0: a reader not broken down */
#define NONE UINT32_MAX
#define CALL_BATCH 64 /* calls whose lookups overlap */
#define PREFETCH 16   /* reads ahead when placing them */
/* Calls a group keeps as (start, first read) pairs, 16 bytes each, before it
 * gets a schedule accumulator of its own (9.5 KB, the size of 600 pairs) that
 * its calls then go straight into: many small groups cost no 9.5 KB each, big
 * ones no memory per call. Pairs for every call cost a page fault per 256
 * calls, most of their price (measured on 2M calls: the analysis took 8%
 * longer with pairs for all, 3.5% this way). */
#define WHEN_DIRECT 1024

/* ---- growable arrays of int64 (temporaries: xrealloc, freed at the end) ---- */

struct vec {
    int64_t *v;
    size_t n, cap;
};

static void vec_push(struct vec *x, int64_t v)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 16;
        x->v = xrealloc(x->v, x->cap * sizeof *x->v);
    }
    x->v[x->n++] = v;
}

/* (request start, first read) of a call, for the schedule and the hours of
 * the week (temporaries, freed at the end). */
struct when {
    int64_t start_us, read_us; /* read_us INT64_MAX: never read */
};

struct when_vec {
    struct when *v;
    size_t n, cap;
};

static void when_push(struct when_vec *x, int64_t start_us, int64_t read_us)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 16;
        x->v = xrealloc(x->v, x->cap * sizeof *x->v);
    }
    x->v[x->n++] = (struct when){ start_us, read_us };
}

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/* Sort v[0, n) ascending: LSD radix sort, 11-bit digits of the value with its
 * sign bit flipped, skipping digits that every value shares (waits in µs stay
 * under 2^40). qsort took a fifth of the analysis on 2M waits. The scratch
 * array is reused from sort to sort: fresh pages cost a fault each. */
#define BITS 11
#define DIGITS 6 /* 66 bits */
#define BUCKETS (1 << BITS)

struct sorter {
    struct vec scratch;
    size_t count[DIGITS][BUCKETS];
};

static void sort_i64(int64_t *v, size_t n, struct sorter *so)
{
    if (n < 256) {
        qsort(v, n, sizeof *v, cmp_i64);
        return;
    }
    const uint64_t sign = UINT64_C(1) << 63;
    struct vec *scratch = &so->scratch;
    if (scratch->cap < n) {
        free(scratch->v);
        scratch->cap = n;
        scratch->v = xmalloc(n * sizeof *scratch->v);
    }
    /* int64_t and uint64_t may alias (C11 6.5p7) */
    uint64_t *a = (uint64_t *)v, *b = (uint64_t *)scratch->v;
    size_t (*count)[BUCKETS] = so->count;
    memset(so->count, 0, sizeof so->count);
    for (size_t i = 0; i < n; i++) {
        a[i] ^= sign;
        for (unsigned d = 0; d < DIGITS; d++)
            count[d][(a[i] >> (d * BITS)) & (BUCKETS - 1)]++;
    }
    for (unsigned d = 0; d < DIGITS; d++) {
        size_t *c = count[d];
        if (c[(a[0] >> (d * BITS)) & (BUCKETS - 1)] == n)
            continue;
        for (size_t k = 0, sum = 0; k < BUCKETS; k++) {
            size_t t = c[k];
            c[k] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++)
            b[c[(a[i] >> (d * BITS)) & (BUCKETS - 1)]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    if (a != (uint64_t *)v)
        memcpy(v, a, n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        ((uint64_t *)v)[i] ^= sign;
}

/* ---- a map from (u32, u64) pairs to dense indexes 0, 1, 2... ---- */

struct pmap {
    uint32_t *slot; /* entry index + 1; 0: empty */
    size_t mask;    /* slots - 1, a power of two minus one */
    uint32_t *a;    /* by entry index */
    uint64_t *b;
    uint32_t n, cap;
};

static size_t pmap_hash(uint32_t a, uint64_t b)
{
    uint64_t h = b + (uint64_t)a * 0x9E3779B97F4A7C15ull; /* splitmix64's finalizer */
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    return (size_t)(h ^ (h >> 31));
}

static void pmap_init(struct pmap *m, uint32_t hint)
{
    size_t slots = 16;
    while (slots < 2 * (size_t)hint)
        slots *= 2;
    m->slot = xcalloc(slots, sizeof *m->slot);
    m->mask = slots - 1;
    m->cap = hint > 8 ? hint : 8;
    m->a = xmalloc(m->cap * sizeof *m->a);
    m->b = xmalloc(m->cap * sizeof *m->b);
    m->n = 0;
}

static void pmap_free(struct pmap *m)
{
    free(m->slot);
    free(m->a);
    free(m->b);
}

static void pmap_grow(struct pmap *m)
{
    size_t slots = 2 * (m->mask + 1);
    free(m->slot);
    m->slot = xcalloc(slots, sizeof *m->slot);
    m->mask = slots - 1;
    for (uint32_t i = 0; i < m->n; i++) {
        size_t h = pmap_hash(m->a[i], m->b[i]) & m->mask;
        while (m->slot[h])
            h = (h + 1) & m->mask;
        m->slot[h] = i + 1;
    }
}

/* The index of (a, b); when absent, NONE, or a new index if `add`. */
static uint32_t pmap_find(struct pmap *m, uint32_t a, uint64_t b, bool add)
{
    size_t h = pmap_hash(a, b) & m->mask;
    for (uint32_t s; (s = m->slot[h]) != 0; h = (h + 1) & m->mask)
        if (m->b[s - 1] == b && m->a[s - 1] == a)
            return s - 1;
    if (!add)
        return NONE;
    if (m->n == m->cap) {
        m->cap *= 2;
        m->a = xrealloc(m->a, m->cap * sizeof *m->a);
        m->b = xrealloc(m->b, m->cap * sizeof *m->b);
    }
    uint32_t i = m->n++;
    m->a[i] = a;
    m->b[i] = b;
    m->slot[h] = i + 1;
    if (2 * (size_t)m->n > m->mask)
        pmap_grow(m);
    return i;
}

/* ---- the state of one run ---- */

struct lread { /* a read as loaded, before it is placed */
    uint64_t key; /* fold(site, key) for keyed reads */
    int64_t at_us, by;
    uint32_t site, slot;
};

/* A key's reads: keyed[start, start + count). One 16-byte slot holds all a
 * call needs to find them, so a lookup costs one cache miss, not three: the
 * join is bound by memory latency (2M random lookups). */
struct kslot {
    uint64_t key; /* fold(site, key) */
    uint32_t start, count;
};

/* One 64-bit value for (site, key). Two pairs meet only when their key
 * hashes differ by a multiple of the constant: as unlikely as two keys
 * sharing a hash, which the store already accepts. */
static uint64_t fold(uint32_t site, uint64_t key)
{
    return key + (uint64_t)site * 0x9E3779B97F4A7C15ull;
}

struct sread { /* a placed read: runs of one rank, each sorted by time */
    int64_t at_us;
    uint32_t rank;
    uint32_t mark; /* group + 1 of the last site group it was first read for */
};

struct run {
    uint32_t start, end, rank;
};

/* The schedule's accumulator and the hours of the week of a group. */
struct group_sched {
    struct analysis_sched_acc acc;
    uint32_t calls_by_hour[ANALYSIS_WEEK_HOURS];
    uint32_t reads_by_hour[ANALYSIS_WEEK_HOURS];
};

struct group { /* one (site, by) of the calls */
    uint32_t site;
    int64_t by;
    uint64_t calls, reads, read_events, with_tokens;
    int64_t tokens_in, tokens_out;
    uint64_t tolerant[N_DELAYS], censored[N_DELAYS];
    struct vec waits, lats;
    struct when_vec whens;     /* the first WHEN_DIRECT calls */
    struct group_sched *sched; /* then this, and whens is freed */
    struct vec *rwaits;        /* RANKS, made on the first reader wait */
};

struct ctx {
    int64_t since_us, until_us, end_us;
    int64_t delays[N_DELAYS];
    unsigned n_sites;
    struct err *e;

    struct pmap readers;     /* (site, by) of reads -> entry */
    uint64_t *reader_reads;  /* by entry: read events */
    uint32_t cap_readers;
    uint32_t *reader_rank;   /* by entry: 1..ANALYSIS_MAX_READERS, or 0 */
    int64_t *site_reader;    /* [site * RANKS + rank]: by label */
    struct lread *loaded;    /* keyed reads, then the bulk ones from the end */
    size_t n_loaded, n_bulk, cap_loaded;

    struct kslot *keys;      /* open addressing on kslot.key; count 0: empty */
    size_t kmask;            /* slots - 1 */
    struct sread *keyed;
    struct sread *bulk;      /* by site, rank, time */
    struct run *bulk_runs;
    uint32_t *site_runs;     /* site -> first bulk run; one more at the end */

    struct pmap group_of;    /* (site, by) of calls -> group */
    struct group *groups;
    uint32_t cap_groups;

    struct sorter *sorter;
    struct group_sched *sched; /* for the small groups, one after another */
    int64_t batch_time_us;
    int64_t offset_us;       /* the log's offset east of UTC, for the hours of the week */
    struct store_call_row batch[CALL_BATCH];
    unsigned n_batch;
    uint32_t stamp;          /* per call: which rfirst[] entries are current */
    uint32_t rstamp[RANKS];
    int64_t rfirst[RANKS];
    uint32_t touched[RANKS];
    unsigned n_touched;
};

static void ctx_free(struct ctx *x)
{
    pmap_free(&x->readers);
    free(x->reader_reads);
    free(x->reader_rank);
    free(x->site_reader);
    free(x->loaded);
    free(x->keys);
    free(x->keyed);
    free(x->bulk);
    free(x->bulk_runs);
    free(x->site_runs);
    for (uint32_t i = 0; i < x->group_of.n; i++) {
        struct group *g = &x->groups[i];
        free(g->waits.v);
        free(g->lats.v);
        free(g->whens.v);
        free(g->sched);
        for (unsigned k = 0; g->rwaits && k < RANKS; k++)
            free(g->rwaits[k].v);
        free(g->rwaits);
    }
    pmap_free(&x->group_of);
    free(x->groups);
    if (x->sorter)
        free(x->sorter->scratch.v);
    free(x->sorter);
    free(x->sched);
}

/* ---- loading the reads ---- */

static int on_read(void *ctx, const struct store_read_row *r)
{
    struct ctx *x = ctx;
    if (r->at_us < x->since_us || r->at_us >= x->until_us || (!r->bulk && !r->has_key))
        return 0;
    if (x->n_loaded + x->n_bulk >= NONE - 1) {
        err_at(x->e, EXIT_INTERNAL, NULL, 0, 0, "more than 4 billion reads");
        return -1;
    }
    if (r->site >= x->n_sites)
        return 0;
    if (r->by != STORE_NO_LABEL) {
        uint32_t before = x->readers.n;
        uint32_t i = pmap_find(&x->readers, r->site, (uint64_t)r->by, true);
        if (x->readers.n > before) {
            if (i >= x->cap_readers) {
                x->cap_readers = x->readers.cap;
                x->reader_reads = xrealloc(x->reader_reads, x->cap_readers * sizeof(uint64_t));
            }
            x->reader_reads[i] = 0;
        }
        x->reader_reads[i]++;
    }
    if (x->n_loaded + x->n_bulk == x->cap_loaded) {
        /* keyed reads grow from the front, bulk ones from the back */
        size_t cap = 2 * x->cap_loaded; /* a writer added reads since store_count */
        struct lread *v = xmalloc(cap * sizeof *v);
        if (x->n_loaded)
            memcpy(v, x->loaded, x->n_loaded * sizeof *v);
        if (x->n_bulk)
            memcpy(v + cap - x->n_bulk, x->loaded + x->cap_loaded - x->n_bulk,
                   x->n_bulk * sizeof *v);
        free(x->loaded);
        x->loaded = v;
        x->cap_loaded = cap;
    }
    struct lread *l = r->bulk ? &x->loaded[x->cap_loaded - ++x->n_bulk]
                              : &x->loaded[x->n_loaded++];
    *l = (struct lread){ r->bulk ? 0 : fold(r->site, r->key), r->at_us, r->by, r->site, 0 };
    return 0;
}

static uint32_t rank_of(struct ctx *x, uint32_t site, int64_t by)
{
    if (by == STORE_NO_LABEL)
        return 0;
    uint32_t i = pmap_find(&x->readers, site, (uint64_t)by, false);
    return i == NONE ? 0 : x->reader_rank[i];
}

struct reader_count {
    uint32_t site, entry;
    uint64_t reads;
    int64_t by;
};

static int cmp_reader_count(const void *pa, const void *pb)
{
    const struct reader_count *a = pa, *b = pb;
    if (a->site != b->site)
        return a->site < b->site ? -1 : 1;
    if (a->reads != b->reads)
        return a->reads > b->reads ? -1 : 1;
    return (a->by > b->by) - (a->by < b->by);
}

/* The readers with the most read events of each site get ranks 1..MAX; the
 * rest share rank 0 with reads that name no reader. This caps the work per
 * call at RANKS runs however many readers a key has. */
static void rank_readers(struct ctx *x)
{
    uint32_t n = x->readers.n;
    x->reader_rank = xcalloc(n ? n : 1, sizeof *x->reader_rank);
    x->site_reader = xcalloc((size_t)x->n_sites * RANKS + 1, sizeof *x->site_reader);
    struct reader_count *order = xmalloc((n ? n : 1) * sizeof *order);
    for (uint32_t i = 0; i < n; i++)
        order[i] = (struct reader_count){ x->readers.a[i], i, x->reader_reads[i],
                                          (int64_t)x->readers.b[i] };
    qsort(order, n, sizeof *order, cmp_reader_count);
    uint32_t site = NONE, rank = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (order[k].site != site) {
            site = order[k].site;
            rank = 0;
        }
        if (rank < ANALYSIS_MAX_READERS) {
            x->reader_rank[order[k].entry] = ++rank;
            x->site_reader[(size_t)site * RANKS + rank] = order[k].by;
        }
    }
    free(order);
}

static int cmp_sread(const void *pa, const void *pb)
{
    const struct sread *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return (a->at_us > b->at_us) - (a->at_us < b->at_us);
}

static size_t kslot_of(const struct ctx *x, uint64_t key)
{
    size_t h = pmap_hash(0, key) & x->kmask;
    while (x->keys[h].count && x->keys[h].key != key)
        h = (h + 1) & x->kmask;
    return h;
}

/* Group the keyed reads by (site, key) into one array, each group sorted by
 * rank then time. A counting sort by slot: reads arrive in log order, so a
 * group is nearly always sorted already and qsort runs only where it is not. */
static void place_keyed(struct ctx *x)
{
    size_t n = x->n_loaded, slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    x->keys = xcalloc(slots, sizeof *x->keys);
    x->kmask = slots - 1;
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH < n)
            __builtin_prefetch(&x->keys[pmap_hash(0, x->loaded[i + PREFETCH].key) & x->kmask]);
        size_t h = kslot_of(x, x->loaded[i].key);
        x->keys[h].key = x->loaded[i].key;
        x->keys[h].count++;
        x->loaded[i].slot = (uint32_t)h;
    }
    uint32_t at = 0;
    for (size_t h = 0; h < slots; h++) {
        x->keys[h].start = at;
        at += x->keys[h].count;
        x->keys[h].count = 0; /* counts again as the reads are placed */
    }
    x->keyed = xmalloc((n ? n : 1) * sizeof *x->keyed);
    for (size_t i = 0; i < n; i++) {
        if (i + 2 * PREFETCH < n)
            __builtin_prefetch(&x->keys[x->loaded[i + 2 * PREFETCH].slot]);
        if (i + PREFETCH < n) {
            const struct kslot *ahead = &x->keys[x->loaded[i + PREFETCH].slot];
            __builtin_prefetch(&x->keyed[ahead->start + ahead->count], 1);
        }
        const struct lread *l = &x->loaded[i];
        struct kslot *k = &x->keys[l->slot];
        x->keyed[k->start + k->count++] = (struct sread){ l->at_us, rank_of(x, l->site, l->by), 0 };
    }
    for (size_t h = 0; h < slots; h++) {
        struct sread *v = x->keyed + x->keys[h].start;
        size_t len = x->keys[h].count;
        for (size_t i = 1; i < len; i++) {
            if (cmp_sread(&v[i - 1], &v[i]) > 0) {
                qsort(v, len, sizeof *v, cmp_sread);
                break;
            }
        }
    }
}

struct bread {
    struct sread r;
    uint32_t site;
};

static int cmp_bread(const void *pa, const void *pb)
{
    const struct bread *a = pa, *b = pb;
    if (a->site != b->site)
        return a->site < b->site ? -1 : 1;
    return cmp_sread(&a->r, &b->r);
}

/* Bulk reads sorted by (site, rank, time), cut into runs of one rank. */
static void place_bulk(struct ctx *x)
{
    size_t n = x->n_bulk;
    struct bread *b = xmalloc((n ? n : 1) * sizeof *b);
    const struct lread *from = n ? x->loaded + x->cap_loaded - n : NULL;
    for (size_t i = 0; i < n; i++)
        b[i] = (struct bread){ { from[i].at_us, rank_of(x, from[i].site, from[i].by), 0 },
                               from[i].site };
    qsort(b, n, sizeof *b, cmp_bread);
    x->bulk = xmalloc((n ? n : 1) * sizeof *x->bulk);
    x->bulk_runs = xmalloc((n ? n : 1) * sizeof *x->bulk_runs);
    x->site_runs = xcalloc((size_t)x->n_sites + 1, sizeof *x->site_runs);
    uint32_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        x->bulk[i] = b[i].r;
        if (i == 0 || b[i].site != b[i - 1].site || b[i].r.rank != b[i - 1].r.rank) {
            x->bulk_runs[nr++] = (struct run){ (uint32_t)i, (uint32_t)i, b[i].r.rank };
            x->site_runs[b[i].site + 1]++;
        }
        x->bulk_runs[nr - 1].end = (uint32_t)i + 1;
    }
    for (unsigned s = 0; s < x->n_sites; s++)
        x->site_runs[s + 1] += x->site_runs[s];
    free(b);
}

/* ---- the calls ---- */

/* First index in v[lo, hi) whose time is >= t (hi if none). */
static uint32_t first_at(const struct sread *v, uint32_t lo, uint32_t hi, int64_t t)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid].at_us < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First index in v[lo, hi) whose rank is > rank (hi if none). */
static uint32_t past_rank(const struct sread *v, uint32_t lo, uint32_t hi, uint32_t rank)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid].rank <= rank)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct first {
    int64_t at_us;  /* INT64_MAX: unread */
    uint32_t *mark; /* the read that was first */
};

/* Read *r may be the call's first read, and its reader's. */
static void offer(struct ctx *x, struct sread *r, struct first *f)
{
    if (r->at_us < f->at_us) {
        f->at_us = r->at_us;
        f->mark = &r->mark;
    }
    if (r->rank == 0)
        return;
    if (x->rstamp[r->rank] != x->stamp) {
        x->rstamp[r->rank] = x->stamp;
        x->rfirst[r->rank] = r->at_us;
        x->touched[x->n_touched++] = r->rank;
    } else if (r->at_us < x->rfirst[r->rank]) {
        x->rfirst[r->rank] = r->at_us;
    }
}

static uint32_t group_for(struct ctx *x, uint32_t site, int64_t by)
{
    uint32_t before = x->group_of.n;
    uint32_t gi = pmap_find(&x->group_of, site, (uint64_t)by, true);
    if (x->group_of.n > before) {
        if (gi >= x->cap_groups) {
            x->cap_groups = x->group_of.cap;
            x->groups = xrealloc(x->groups, x->cap_groups * sizeof *x->groups);
        }
        memset(&x->groups[gi], 0, sizeof x->groups[gi]);
        x->groups[gi].site = site;
        x->groups[gi].by = by;
    }
    return gi;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t s;
    return __builtin_add_overflow(a, b, &s) ? INT64_MAX : s;
}

/* Offer the first read at or after `start_us` of each reader rank of slot k. */
static void offer_keyed(struct ctx *x, const struct kslot *k, int64_t start_us, struct first *f)
{
    for (uint32_t lo = k->start, hi = k->start + k->count, end; lo < hi; lo = end) {
        end = past_rank(x->keyed, lo, hi, x->keyed[lo].rank);
        uint32_t i = first_at(x->keyed, lo, end, start_us);
        if (i < end)
            offer(x, &x->keyed[i], f);
    }
}

/* Hour of the week (0: Monday 00:00) of t in the log's offset. */
static unsigned week_hour(int64_t t_us, int64_t offset_us)
{
    int64_t h = t_us / USEC_PER_HOUR, rem = t_us % USEC_PER_HOUR;
    if (rem < 0) { /* floor, for times before 1970 */
        h--;
        rem += USEC_PER_HOUR;
    }
    /* the offset is under a day: added to the remainder, it cannot overflow */
    int64_t shift = rem + offset_us;
    h += shift / USEC_PER_HOUR - (shift % USEC_PER_HOUR < 0);
    int64_t w = (h - 96) % ANALYSIS_WEEK_HOURS; /* 1970-01-05, hour 96, was a Monday */
    return (unsigned)(w < 0 ? w + ANALYSIS_WEEK_HOURS : w);
}

static void sched_add(struct ctx *x, struct group_sched *gs, int64_t start_us, int64_t read_us)
{
    analysis_sched_add(&gs->acc, start_us, read_us);
    uint32_t *c = &gs->calls_by_hour[week_hour(start_us, x->offset_us)];
    *c += *c != UINT32_MAX;
    if (read_us != INT64_MAX) {
        c = &gs->reads_by_hour[week_hour(read_us, x->offset_us)];
        *c += *c != UINT32_MAX;
    }
}

static void sched_reset(struct ctx *x, struct group_sched *gs)
{
    analysis_sched_init(&gs->acc, x->batch_time_us);
    memset(gs->calls_by_hour, 0, sizeof gs->calls_by_hour);
    memset(gs->reads_by_hour, 0, sizeof gs->reads_by_hour);
}

/* Replay a group's pairs into gs. */
static void sched_replay(struct ctx *x, const struct group *g, struct group_sched *gs)
{
    sched_reset(x, gs);
    for (size_t i = 0; i < g->whens.n; i++)
        sched_add(x, gs, g->whens.v[i].start_us, g->whens.v[i].read_us);
}

static void add_when(struct ctx *x, struct group *g, int64_t start_us, int64_t read_us)
{
    if (g->sched) {
        sched_add(x, g->sched, start_us, read_us);
        return;
    }
    when_push(&g->whens, start_us, read_us);
    if (g->whens.n == WHEN_DIRECT) {
        g->sched = xmalloc(sizeof *g->sched);
        sched_replay(x, g, g->sched);
        free(g->whens.v);
        g->whens = (struct when_vec){ 0 };
    }
}

/* One call; `k` is its key's slot, `k2` its second key's (NULL without). */
static void one_call(struct ctx *x, const struct store_call_row *c, const struct kslot *k,
                     const struct kslot *k2)
{
    uint32_t gi = group_for(x, c->site, c->by);
    struct group *g = &x->groups[gi];
    g->calls++;
    if (c->tokens_in >= 0 || c->tokens_out >= 0) {
        g->with_tokens++;
        g->tokens_in = sat_add(g->tokens_in, c->tokens_in > 0 ? c->tokens_in : 0);
        g->tokens_out = sat_add(g->tokens_out, c->tokens_out > 0 ? c->tokens_out : 0);
    }
    if (c->latency_us >= 0)
        vec_push(&g->lats, c->latency_us);

    /* First read: the earliest keyed read at or after the call's start (one
     * before ready is log-time rounding: wait 0) under either of its keys, or
     * the first bulk read at or after ready, per reader rank and overall. */
    struct first f = { INT64_MAX, NULL };
    x->stamp++;
    x->n_touched = 0;
    if (k && k->count)
        offer_keyed(x, k, c->start_us, &f);
    if (k2 && k2 != k && k2->count)
        offer_keyed(x, k2, c->start_us, &f);
    for (uint32_t ri = x->site_runs[c->site]; ri < x->site_runs[c->site + 1]; ri++) {
        const struct run *run = &x->bulk_runs[ri];
        uint32_t i = first_at(x->bulk, run->start, run->end, c->ready_us);
        if (i < run->end)
            offer(x, &x->bulk[i], &f);
    }

    bool read = f.at_us != INT64_MAX;
    add_when(x, g, c->start_us, f.at_us);
    int64_t wait = read && f.at_us > c->ready_us ? f.at_us - c->ready_us : 0;
    if (read) {
        g->reads++;
        vec_push(&g->waits, wait);
        if (*f.mark != gi + 1) {
            *f.mark = gi + 1;
            g->read_events++;
        }
    }
    int64_t age = x->end_us - c->ready_us; /* how long the log covers the result */
    for (unsigned d = 0; d < N_DELAYS; d++) {
        if (read ? wait >= x->delays[d] : age >= x->delays[d])
            g->tolerant[d]++;
        else if (!read)
            g->censored[d]++;
    }
    if (x->n_touched && !g->rwaits)
        g->rwaits = xcalloc(RANKS, sizeof *g->rwaits);
    for (unsigned t = 0; t < x->n_touched; t++) {
        uint32_t rank = x->touched[t];
        int64_t at = x->rfirst[rank];
        vec_push(&g->rwaits[rank], at > c->ready_us ? at - c->ready_us : 0);
    }
}

/* The calls of a batch in three sweeps: prefetch each key's slot, then each
 * slot's first read, then measure. The misses of a batch overlap instead of
 * queueing one after another (measured: the join ran 2x faster). */
static void flush_calls(struct ctx *x)
{
    const struct kslot *k[CALL_BATCH], *k2;
    uint64_t key[CALL_BATCH];
    for (unsigned i = 0; i < x->n_batch; i++) {
        const struct store_call_row *c = &x->batch[i];
        if (c->has_key) {
            key[i] = fold(c->site, c->key);
            __builtin_prefetch(&x->keys[pmap_hash(0, key[i]) & x->kmask]);
        }
    }
    for (unsigned i = 0; i < x->n_batch; i++) {
        k[i] = x->batch[i].has_key ? &x->keys[kslot_of(x, key[i])] : NULL;
        if (k[i] && k[i]->count)
            __builtin_prefetch(&x->keyed[k[i]->start]);
    }
    for (unsigned i = 0; i < x->n_batch; i++) {
        const struct store_call_row *c = &x->batch[i];
        k2 = c->has_alt_key ? &x->keys[kslot_of(x, fold(c->site, c->alt_key))] : NULL;
        one_call(x, c, k[i], k2);
    }
    x->n_batch = 0;
}

static int on_call(void *ctx, const struct store_call_row *c)
{
    struct ctx *x = ctx;
    if (c->site >= x->n_sites || c->start_us < x->since_us || c->start_us >= x->until_us)
        return 0;
    x->batch[x->n_batch++] = *c;
    if (x->n_batch == CALL_BATCH)
        flush_calls(x);
    return 0;
}

/* ---- results ---- */

int64_t analysis_quantile(const int64_t *sorted, uint64_t n, double q)
{
    if (n == 0)
        return 0;
    /* rank = ceil(q n), 1-based; the tolerance keeps 0.99 x 100 at 99. */
    double want = q * (double)n;
    uint64_t rank = want <= 0 ? 1 : (uint64_t)want;
    if ((double)rank < want - 1e-9)
        rank++;
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

double analysis_wilson_lo(uint64_t k, uint64_t n)
{
    if (n == 0)
        return 0;
    const double z = 1.96;
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double lo = (p + z2 / (2 * nn) - z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn))) /
                (1 + z2 / nn);
    return lo < 0 ? 0 : lo;
}

static double share(uint64_t k, uint64_t n)
{
    return n ? (double)k / (double)n : 0;
}

static int cmp_reader_out(const void *pa, const void *pb)
{
    const struct analysis_reader *a = pa, *b = pb;
    if (a->reads != b->reads)
        return a->reads > b->reads ? -1 : 1;
    size_t n = a->by.n < b->by.n ? a->by.n : b->by.n;
    int c = n ? memcmp(a->by.p, b->by.p, n) : 0;
    return c ? c : (a->by.n > b->by.n) - (a->by.n < b->by.n);
}

/* The schedule and the hours of the week: from the group's own accumulator,
 * or from its pairs replayed into the shared one. */
static void finish_sched(struct ctx *x, const struct rules *r, const struct group *g,
                         struct analysis_site *s)
{
    const struct group_sched *gs = g->sched;
    if (!gs) {
        if (g->whens.n == 0)
            return; /* no calls: computed false */
        if (!x->sched)
            x->sched = xmalloc(sizeof *x->sched);
        sched_replay(x, g, x->sched);
        gs = x->sched;
    }
    memcpy(s->calls_by_hour, gs->calls_by_hour, sizeof s->calls_by_hour);
    memcpy(s->reads_by_hour, gs->reads_by_hour, sizeof s->reads_by_hour);
    analysis_sched_pick(&gs->acc, r->confidence, &s->schedule);
}

static int finish_group(struct ctx *x, struct store *st, const struct rules *r, double days,
                        struct group *g, struct arena *a, struct analysis_site *s)
{
    s->site = g->site;
    s->name = r->sites[g->site].name;
    s->has_by = g->by != STORE_NO_LABEL;
    if (s->has_by && store_label(st, g->by, a, &s->by, x->e) < 0)
        return -1;
    s->calls = g->calls;
    s->reads = g->reads;
    s->read_events = g->read_events;
    s->censored = g->censored[DELAY_MAIN];
    s->eligible = g->calls - s->censored;
    s->tolerant = g->tolerant[DELAY_MAIN];
    s->read_share = share(s->reads, s->eligible);
    s->tolerant_share = share(s->tolerant, s->eligible);
    s->tolerant_share_lo = analysis_wilson_lo(s->tolerant, s->eligible);
    for (unsigned d = 0; d < ANALYSIS_CURVE_POINTS; d++)
        s->tempo_curve[d] = share(g->tolerant[d], g->calls - g->censored[d]);
    s->has_wait = g->waits.n > 0;
    if (s->has_wait) {
        static const double qs[Q_COUNT] = { 0, 0.5, 0.9, 0.95, 0.99, 1 };
        sort_i64(g->waits.v, g->waits.n, x->sorter);
        for (int q = 0; q < Q_COUNT; q++)
            s->wait_us[q] = analysis_quantile(g->waits.v, g->waits.n, qs[q]);
        for (int k = 0; k < ANALYSIS_CDF_POINTS; k++)
            s->wait_cdf_us[k] = analysis_quantile(g->waits.v, g->waits.n,
                                                  k / (double)(ANALYSIS_CDF_POINTS - 1));
    }
    s->has_latency = g->lats.n > 0;
    if (s->has_latency) {
        sort_i64(g->lats.v, g->lats.n, x->sorter);
        s->latency_p50_us = analysis_quantile(g->lats.v, g->lats.n, 0.5);
        s->latency_p99_us = analysis_quantile(g->lats.v, g->lats.n, 0.99);
    }
    s->calls_per_day = (double)g->calls / days;
    s->calls_per_month = s->calls_per_day * 30;
    s->tokens_in = g->tokens_in;
    s->tokens_out = g->tokens_out;
    s->calls_with_tokens = g->with_tokens;
    finish_sched(x, r, g, s);

    for (unsigned k = 1; g->rwaits && k < RANKS; k++)
        s->n_readers += g->rwaits[k].n > 0;
    s->readers = arena_alloc(a, sizeof *s->readers * (s->n_readers ? s->n_readers : 1));
    unsigned n = 0;
    for (unsigned k = 1; g->rwaits && k < RANKS; k++) {
        struct vec *w = &g->rwaits[k];
        if (w->n == 0)
            continue;
        struct analysis_reader *rd = &s->readers[n++];
        if (store_label(st, x->site_reader[(size_t)g->site * RANKS + k], a, &rd->by, x->e) < 0)
            return -1;
        sort_i64(w->v, w->n, x->sorter);
        rd->reads = w->n;
        rd->wait_p50_us = analysis_quantile(w->v, w->n, 0.5);
        rd->wait_p99_us = analysis_quantile(w->v, w->n, 0.99);
    }
    qsort(s->readers, s->n_readers, sizeof *s->readers, cmp_reader_out);
    return 0;
}

static int cmp_site_out(const void *pa, const void *pb)
{
    const struct analysis_site *a = pa, *b = pb;
    if (a->site != b->site)
        return a->site < b->site ? -1 : 1;
    if (a->has_by != b->has_by)
        return a->has_by ? 1 : -1;
    size_t n = a->by.n < b->by.n ? a->by.n : b->by.n;
    int c = n ? memcmp(a->by.p, b->by.p, n) : 0;
    return c ? c : (a->by.n > b->by.n) - (a->by.n < b->by.n);
}

/* The window the sources cover, clipped by --since/--until. */
static void window(struct analysis *out, const struct analysis_window *w)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (unsigned i = 0; i < out->n_sources; i++) {
        const struct store_source *s = &out->sources[i];
        if (s->min_us > s->max_us)
            continue;
        lo = s->min_us < lo ? s->min_us : lo;
        hi = s->max_us > hi ? s->max_us : hi;
    }
    if (lo > hi) {
        lo = hi = w->since_us != INT64_MIN ? w->since_us : 0;
    } else {
        lo = lo < w->since_us ? w->since_us : lo;
        hi = hi > w->until_us ? w->until_us : hi;
        hi = hi < lo ? lo : hi;
    }
    out->start_us = lo;
    out->end_us = hi;
    for (unsigned i = 0; i < out->n_sources; i++) {
        if (out->sources[i].stats.has_utc_offset) {
            out->has_utc_offset = true;
            out->utc_offset_s = out->sources[i].stats.utc_offset_s;
            break;
        }
    }
    int64_t span = hi - lo > USEC_PER_SEC ? hi - lo : USEC_PER_SEC;
    out->days = (double)span / (double)USEC_PER_DAY;
}

static bool site_splits(const struct rules *r, unsigned site)
{
    for (unsigned i = 0; i < r->n_calls; i++)
        if (r->calls[i].site == site && r->calls[i].by.n > 0)
            return true;
    return false;
}

int analysis_run(struct store *st, const struct rules *r, const struct analysis_window *w,
                 struct arena *a, struct analysis *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (store_sources(st, a, &out->sources, &out->n_sources, e) < 0)
        return -1;
    window(out, w);

    struct ctx x = { 0 };
    x.since_us = w->since_us;
    x.until_us = w->until_us;
    x.end_us = out->end_us;
    x.n_sites = r->n_sites;
    x.e = e;
    x.batch_time_us = r->batch_time_us;
    x.offset_us = out->has_utc_offset ? (int64_t)out->utc_offset_s * USEC_PER_SEC : 0;
    for (unsigned d = 0; d < ANALYSIS_CURVE_POINTS; d++)
        x.delays[d] = analysis_curve_delays_us[d];
    x.delays[DELAY_MAIN] = r->delay_us;
    x.sorter = xcalloc(1, sizeof *x.sorter);
    pmap_init(&x.readers, 64);
    pmap_init(&x.group_of, 64);
    int rc = -1;

    uint64_t n_calls, n_reads;
    if (store_count(st, &n_calls, &n_reads, e) < 0)
        goto out;
    if (n_reads >= NONE - 1) { /* indexes into the reads are 32-bit */
        err_at(e, EXIT_INTERNAL, NULL, 0, 0, "more than 4 billion reads");
        goto out;
    }
    x.cap_loaded = n_reads ? (size_t)n_reads : 1;
    x.loaded = xmalloc(x.cap_loaded * sizeof *x.loaded);
    if (store_scan_reads(st, on_read, &x, e) != 0)
        goto out;
    rank_readers(&x);
    place_keyed(&x);
    place_bulk(&x);
    free(x.loaded);
    x.loaded = NULL;
    if (store_scan_calls(st, on_call, &x, e) != 0)
        goto out;
    flush_calls(&x);

    /* A site without calls still gets its row (calls 0, verdict unknown),
     * unless by= splits it: then there is no value to name the row by. */
    uint32_t ng = x.group_of.n;
    bool *seen = arena_alloc(a, r->n_sites + 1);
    unsigned extra = 0;
    for (uint32_t i = 0; i < ng; i++)
        seen[x.groups[i].site] = true;
    for (unsigned s = 0; s < r->n_sites; s++)
        extra += !seen[s] && !site_splits(r, s);
    out->sites = arena_alloc(a, sizeof *out->sites * (ng + extra ? ng + extra : 1));
    for (uint32_t i = 0; i < ng; i++)
        if (finish_group(&x, st, r, out->days, &x.groups[i], a, &out->sites[out->n_sites++]) < 0)
            goto out;
    for (unsigned s = 0; s < r->n_sites; s++) {
        if (!seen[s] && !site_splits(r, s)) {
            struct analysis_site *z = &out->sites[out->n_sites++];
            z->site = s;
            z->name = r->sites[s].name;
            z->readers = arena_alloc(a, sizeof *z->readers);
        }
    }
    qsort(out->sites, out->n_sites, sizeof *out->sites, cmp_site_out);
    rc = 0;
out:
    ctx_free(&x);
    return rc;
}

static void set(struct rules_metrics *m, enum rules_metric k, double v)
{
    m->v[k] = v;
    m->has[k] = true;
}

void analysis_metrics(const struct analysis_site *s, const struct rules *r,
                      struct rules_metrics *m)
{
    memset(m, 0, sizeof *m);
    set(m, METRIC_CALLS, (double)s->calls);
    set(m, METRIC_READS, (double)s->reads);
    if (s->eligible) {
        set(m, METRIC_READ_SHARE, s->read_share);
        set(m, METRIC_TOLERANT_SHARE, s->tolerant_share);
        set(m, METRIC_TOLERANT_SHARE_LO, s->tolerant_share_lo);
    }
    if (s->has_wait) {
        static const enum rules_metric wm[Q_COUNT] = { METRIC_MIN_WAIT, METRIC_P50_WAIT,
                                                       METRIC_P90_WAIT, METRIC_P95_WAIT,
                                                       METRIC_P99_WAIT, METRIC_MAX_WAIT };
        for (int q = 0; q < Q_COUNT; q++)
            set(m, wm[q], (double)s->wait_us[q] / 1e6);
    }
    if (s->has_latency) {
        set(m, METRIC_P50_LATENCY, (double)s->latency_p50_us / 1e6);
        set(m, METRIC_P99_LATENCY, (double)s->latency_p99_us / 1e6);
    }
    set(m, METRIC_CALLS_PER_DAY, s->calls_per_day);
    set(m, METRIC_DELAY, (double)r->delay_us / 1e6);
    set(m, METRIC_CONFIDENCE, r->confidence);
}
