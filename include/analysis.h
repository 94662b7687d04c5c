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
 * 183 MB beside SQLite's 150 MB; 16 more per call in groups of fewer than 1024
 * calls, 9.5 KB per larger group for its schedule) are freed before it returns.
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
#define ANALYSIS_CDF_POINTS 101 /* wait quantiles 0%, 1%, ... 100% for the CDF chart */
#define ANALYSIS_WEEK_HOURS 168 /* hours of the week, Monday 00:00 first */
extern const int64_t analysis_curve_delays_us[ANALYSIS_CURVE_POINTS];

/* ---- the batch schedule (PRODUCT.md §4 schedule, issue 5) ----
 *
 * A cadence runs at fixed times in UTC: hourly at :00; every 6 h at phase
 * p, p+6, p+12, p+18 (p = 0..5); daily at hour p (0..23); weekly at hour p of
 * the week (0..167, Monday 00:00 UTC = 0). A run at T takes the calls whose
 * request started by T and delivers at T + batch_time; a result is on time if
 * delivered at or before its first read, or if it was never read. */
enum analysis_cadence {
    CADENCE_NONE,   /* no cadence meets confidence */
    CADENCE_HOURLY,
    CADENCE_6H,
    CADENCE_DAILY,
    CADENCE_WEEKLY,
    CADENCE_COUNT
};
/* Phases per cadence: 1, 6, 24, 168 (index by enum; NONE: 0). */
extern const unsigned analysis_cadence_phases[CADENCE_COUNT];
/* "none", "hourly", "6h", "daily", "weekly" */
const char *analysis_cadence_name(enum analysis_cadence c);

struct analysis_option {
    enum analysis_cadence cadence;
    unsigned phase;      /* hours after the period's start, UTC (see above) */
    uint64_t on_time;    /* results on time under this option */
    uint64_t results;    /* results simulated (the site's calls) */
    double on_time_share;
};

struct analysis_schedule {
    bool computed;              /* false: no calls */
    struct analysis_option best;  /* the least frequent cadence meeting confidence, at its
                                     best phase; cadence NONE when none does (then its
                                     figures are hourly's, the best any cadence reaches) */
    struct analysis_option next;  /* the runner-up: the best phase of the next less frequent
                                     cadence (it missed confidence); for weekly, the second
                                     best weekly phase; for NONE, the 6h cadence's best;
                                     cadence NONE when there is no runner-up */
    int64_t batch_time_us;      /* the rules' batch_time the simulation used */
};

/* Accumulates one site's calls for the simulation: one circular difference
 * array per cadence and margin, so each call costs O(1) per cadence. */
#define ANALYSIS_MARGINS 5 /* 0, 1h, 3h, 6h, 12h: ties broken by robustness */
struct analysis_sched_acc {
    int64_t batch_time_us;
    uint64_t results;
    int64_t diff[ANALYSIS_MARGINS][1 + 6 + 24 + 168]; /* by cadence: hourly, 6h, daily, weekly */
};

void analysis_sched_init(struct analysis_sched_acc *acc, int64_t batch_time_us);
/* One call: its request start and first read (INT64_MAX: never read). */
void analysis_sched_add(struct analysis_sched_acc *acc, int64_t start_us, int64_t first_read_us);
/* Results on time under `phase` of cadence `c` at margin index `margin` (delivered
 * 0, 1, 3, 6 or 12 h before the first read); 0 when out of range. O(phases). */
uint64_t analysis_sched_on_time(const struct analysis_sched_acc *acc, enum analysis_cadence c,
                                unsigned phase, unsigned margin);
/* Pick the schedule (see struct analysis_schedule) for `confidence` (0..1). */
void analysis_sched_pick(const struct analysis_sched_acc *acc, double confidence,
                         struct analysis_schedule *out);

/* An option in words for people, in UTC and, when the offset is not 0, in the
 * log's own: "daily at 02:00 UTC (04:00 +02:00)", "every 6 h from 01:00 UTC
 * (01:00, 07:00, 13:00, 19:00)", "weekly, Mon 02:00 UTC (Mon 04:00 +02:00)",
 * "hourly at :00", "none". */
void analysis_option_when(const struct analysis_option *o, bool has_offset, int offset_s,
                          char out[96]);
/* Compact "at" for the JSON report: "02:00Z", "Mon 02:00Z", "01:00Z" (6h: the
 * first run of the day), ":00" (hourly), "" (none). */
void analysis_option_at(const struct analysis_option *o, char out[16]);
/* The option as a cron line in UTC: "0 2 * * *", "0 1,7,13,19 * * *",
 * "0 2 * * 1", "0 * * * *"; "" for CADENCE_NONE. */
void analysis_option_cron(const struct analysis_option *o, char out[40]);
/* Runs a month (30 days) of a cadence: 720, 120, 30, 30/7; 0 for none. */
double analysis_cadence_runs_per_month(enum analysis_cadence c);

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
    int64_t wait_cdf_us[ANALYSIS_CDF_POINTS]; /* [k]: the k% quantile of waits; has_wait */
    /* Calls (by request start) and first reads by hour of the week in the
     * log's own offset (struct analysis.utc_offset_s), Monday 00:00 first. */
    uint32_t calls_by_hour[ANALYSIS_WEEK_HOURS];
    uint32_t reads_by_hour[ANALYSIS_WEEK_HOURS];
    struct analysis_schedule schedule;

    /* Filled by the verdict stage. */
    const char *verdict;     /* rules arena or static: "realtime", "batch", "unknown"... */
    unsigned verdict_line;   /* rules line of the verdict that matched; 0 for unknown */
    bool kept;
    struct span keep_reason;
    unsigned call_line;      /* rules line of the site's first call rule */
    bool has_cost;           /* a price line names the site and the data can price it */
    double monthly_now;      /* USD a month as it runs now (real time) */
    double monthly_batch;    /* USD a month as batch (at the schedule's runs for gpu) */
    double monthly_target;   /* USD a month on its migration target (below) */
    double monthly_savings;  /* monthly_now - monthly_target when it moves; 0 when it stays */
    const char *migration;   /* static: "batch", "flex", "micro-batch", "stop" or "stay" */
    const char *provider;    /* static: the price line's provider (verdict_provider_find), or NULL */
    uint64_t priced_by_mean; /* per-token prices: calls without token counts, priced at the mean */
    double runs_per_month;   /* batch runs a month the cost assumes: the schedule's cadence; gpu
                                prices without one: daily (30); else 0 */
    double gpu_hours_now, gpu_hours_batch; /* gpu prices: GPU hours a month, start-ups included */
    char cost_note[256];     /* how the cost was reckoned, one line; "" without a price */
    char schedule_note[256]; /* the schedule in words, or why there is none */
    char reason[256];
};

struct analysis_window {
    int64_t since_us, until_us; /* --since / --until; INT64_MIN / INT64_MAX when absent */
};

struct analysis {
    int64_t start_us, end_us;   /* the window the logs cover (clipped by since/until) */
    double days;
    bool has_utc_offset;        /* a source's timestamps carried an offset */
    int utc_offset_s;           /* the first such source's first offset (east of UTC) */
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
