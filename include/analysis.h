/*
 * analysis.h - the measurements of PRODUCT.md §4, per call site (and per by=
 * value): first read of each result, waits, read and tolerant shares with the
 * censoring rule, exact quantiles, Wilson bound, tempo curve, readers, and the
 * per-month volume. Everything in a struct analysis lives in the arena given
 * to analysis_run(). Verdicts, costs and findings are the next stage's.
 *
 * analysis_run() reads the store twice, in storage order: the reads into a
 * table keyed by (site, key hash), then the calls, each joined on that table.
 * Its temporaries (about 100 bytes per read and 30 per call: 2M of each took
 * 183 MB beside SQLite's 150 MB) are freed before it returns.
 */
#ifndef TEMPO_ANALYSIS_H
#define TEMPO_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "rules.h"
#include "store.h"

#define ANALYSIS_CURVE_POINTS 7 /* 1m 5m 15m 1h 6h 1d 1w */
#define ANALYSIS_MAX_READERS 16 /* readers broken down per site: those with the most reads */
extern const int64_t analysis_curve_delays_us[ANALYSIS_CURVE_POINTS];

enum { Q_MIN, Q_P50, Q_P90, Q_P95, Q_P99, Q_MAX, Q_COUNT };

struct analysis_reader {
    struct span by;          /* arena-owned */
    uint64_t reads;          /* results this reader read first-hand (its first read of each) */
    int64_t wait_p50_us, wait_p99_us;
};

struct analysis_site {
    unsigned site;           /* index into rules.sites */
    struct span name;        /* rules arena */
    bool has_by;             /* its calls carry a by= value (calls without one: false) */
    struct span by;          /* arena-owned; meaningful when has_by */

    uint64_t calls;          /* results in the window */
    uint64_t reads;          /* results read at least once */
    uint64_t read_events;    /* read events that were the first read of at least one result */
    uint64_t eligible;       /* results whose window allows a verdict (not censored) */
    uint64_t tolerant;       /* results that tolerate `delay` */
    uint64_t censored;       /* unread results younger than `delay` at the log's end */
    double read_share;       /* reads / eligible; 0 when eligible is 0 */
    double tolerant_share;   /* tolerant / eligible */
    double tolerant_share_lo;/* Wilson 95% lower bound of tolerant_share */
    bool has_wait;           /* at least one result was read */
    int64_t wait_us[Q_COUNT];
    bool has_latency;
    int64_t latency_p50_us, latency_p99_us;
    double calls_per_day;
    double calls_per_month;  /* calls_per_day x 30 */
    int64_t tokens_in, tokens_out;   /* sums over calls that carry them */
    uint64_t calls_with_tokens;
    double tempo_curve[ANALYSIS_CURVE_POINTS]; /* tolerant share at each curve delay */
    struct analysis_reader *readers; /* arena; by reads, descending */
    unsigned n_readers;      /* at most ANALYSIS_MAX_READERS */

    /* Filled by the verdict stage. */
    const char *verdict;     /* rules arena or static: "realtime", "batch", "unknown"... */
    unsigned verdict_line;   /* rules line of the verdict that matched; 0 for unknown */
    bool kept;
    struct span keep_reason;
    unsigned call_line;      /* rules line of the site's first call rule */
    bool has_cost;
    double monthly_now, monthly_batch, monthly_savings; /* USD */
    char reason[256];
};

struct analysis_window {
    int64_t since_us, until_us; /* --since / --until; INT64_MIN / INT64_MAX when absent */
};

struct analysis {
    int64_t start_us, end_us;   /* the window the logs cover (clipped by since/until) */
    double days;
    struct store_source *sources;
    unsigned n_sources;
    struct analysis_site *sites;
    unsigned n_sites;
};

/* Measure every site. Fails only on store errors (exit 3). */
int analysis_run(struct store *st, const struct rules *r, const struct analysis_window *w,
                 struct arena *a, struct analysis *out, struct err *e) WARN_UNUSED;

/* Exact quantile by nearest rank of sorted v[0..n-1] (n > 0): the smallest value
 * with at least q of the values at or below it. */
int64_t analysis_quantile(const int64_t *sorted, uint64_t n, double q);

/* Wilson score lower bound (z = 1.96) of k successes in n; 0 when n is 0. */
double analysis_wilson_lo(uint64_t k, uint64_t n);

/* The metrics of a site for verdict expressions. */
void analysis_metrics(const struct analysis_site *s, const struct rules *r,
                      struct rules_metrics *m);

#endif
