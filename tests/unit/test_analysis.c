/*
 * test_analysis.c - the measurements of PRODUCT.md §4 on a real in-memory
 * store and rules filled by hand: nearest-rank quantiles, Wilson bounds against
 * hand-computed figures, censoring at the window's end, keyed reads before the
 * start, bulk reads, readers, the tempo curve, by= splits, empty sites,
 * --since/--until, volumes, the metrics handed to verdicts, and the wait CDF,
 * the hours of the week in the log's offset and the schedule of a site.
 */
#include "analysis.h"
#include "test.h"
#include "utc.h"

#define T0 INT64_C(1763805600000000) /* 2025-11-22T10:00:00Z */
#define S USEC_PER_SEC
#define M USEC_PER_MIN
#define H USEC_PER_HOUR
#define D USEC_PER_DAY

struct fx {
    struct rules r;
    struct rules_site sites[8];
    struct rules_match calls[8];
    struct store *st;
    int64_t src;
    struct arena *a;
    struct analysis an;
    bool has_offset; /* the source's timestamps carried utc offset_s */
    int offset_s;
};

/* Sites named in `names`; those starting with '+' split by= (the '+' is cut). */
static void fx_open(struct fx *f, const char *const *names, unsigned n)
{
    memset(f, 0, sizeof *f);
    f->r.path = "t.rules";
    f->r.delay_us = H;
    f->r.confidence = 0.99;
    f->r.min_calls = 1;
    struct span spans[8];
    for (unsigned i = 0; i < n; i++) {
        bool split = names[i][0] == '+';
        f->sites[i].name = span_of(names[i] + split);
        spans[i] = f->sites[i].name;
        f->calls[i].site = i;
        f->calls[i].by = split ? SPAN_LIT("req.model") : SPAN_NULL;
    }
    f->r.sites = f->sites;
    f->r.n_sites = n;
    f->r.calls = f->calls;
    f->r.n_calls = n;
    struct err e = { 0 };
    f->st = store_open(NULL, spans, n, &e);
    f->a = arena_new(1 << 12);
    if (f->st && store_begin_source(f->st, "t.log", &f->src, &e) < 0)
        printf("FAIL begin source: %s\n", e.msg);
}

static void call_keys(struct fx *f, unsigned site, const char *key, const char *key2,
                      const char *by, int64_t start, int64_t ready)
{
    struct match_call c = { .site = site, .key = span_of(key), .key2 = span_of(key2),
                            .by = span_of(by), .start_us = start, .ready_us = ready,
                            .latency_us = ready - start, .tokens_in = -1, .tokens_out = -1 };
    struct err e = { 0 };
    if (store_put_call(f->st, f->src, &c, &e) < 0)
        printf("FAIL put call: %s\n", e.msg);
}

static void call_by(struct fx *f, unsigned site, const char *key, const char *by, int64_t start,
                    int64_t ready)
{
    call_keys(f, site, key, "", by, start, ready);
}

static void call(struct fx *f, unsigned site, const char *key, int64_t start, int64_t ready)
{
    call_by(f, site, key, "", start, ready);
}

static void read_by(struct fx *f, unsigned site, const char *key, const char *by, int64_t at)
{
    struct match_read r = { .site = site, .key = span_of(key), .bulk = key == NULL,
                            .at_us = at, .by = span_of(by) };
    struct err e = { 0 };
    if (store_put_read(f->st, f->src, &r, &e) < 0)
        printf("FAIL put read: %s\n", e.msg);
}

/* End the source with the window [lo, hi] and analyse it. */
static int fx_run(struct fx *f, int64_t lo, int64_t hi, int64_t since, int64_t until)
{
    struct source_stats stats = { .path = "t.log", .format = "nginx",
                                  .has_utc_offset = f->has_offset, .utc_offset_s = f->offset_s };
    struct err e = { 0 };
    if (store_end_source(f->st, f->src, &stats, lo, hi, &e) < 0) {
        printf("FAIL end source: %s\n", e.msg);
        return -1;
    }
    struct analysis_window w = { since, until };
    int rc = analysis_run(f->st, &f->r, &w, f->a, &f->an, &e);
    if (rc < 0)
        printf("FAIL analysis: %s\n", e.msg);
    return rc;
}

static void fx_close(struct fx *f)
{
    store_close(f->st);
    arena_free(f->a);
}

static const struct analysis_site *site_of(const struct fx *f, const char *name, const char *by)
{
    for (unsigned i = 0; i < f->an.n_sites; i++) {
        const struct analysis_site *s = &f->an.sites[i];
        if (span_eq_str(s->name, name) && (by ? s->has_by && span_eq_str(s->by, by) : !s->has_by))
            return s;
    }
    return NULL;
}

static void test_quantile(void)
{
    static const int64_t one[] = { 5 }, four[] = { 1, 2, 3, 4 }, three[] = { 10, 20, 30 };
    static const struct {
        const int64_t *v;
        uint64_t n;
        double q;
        int64_t want;
    } rows[] = {
        { one, 1, 0, 5 },      { one, 1, 0.5, 5 },    { one, 1, 0.99, 5 },  { one, 1, 1, 5 },
        { four, 4, 0, 1 },     { four, 4, 0.25, 1 },  { four, 4, 0.26, 2 }, { four, 4, 0.5, 2 },
        { four, 4, 0.75, 3 },  { four, 4, 0.9, 4 },   { four, 4, 1, 4 },    { three, 3, 0.5, 20 },
        { three, 3, 0.34, 20 }, { three, 3, 0.33, 10 }, { three, 3, 0.99, 30 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_INT(analysis_quantile(rows[i].v, rows[i].n, rows[i].q), rows[i].want);
    int64_t hundred[100], ten[10];
    for (int i = 0; i < 100; i++)
        hundred[i] = i + 1;
    for (int i = 0; i < 10; i++)
        ten[i] = 10 * (i + 1);
    CHECK_INT(analysis_quantile(hundred, 100, 0.5), 50);
    CHECK_INT(analysis_quantile(hundred, 100, 0.9), 90);
    CHECK_INT(analysis_quantile(hundred, 100, 0.95), 95);
    CHECK_INT(analysis_quantile(hundred, 100, 0.99), 99); /* not 100: 0.99 x 100 is 99 */
    CHECK_INT(analysis_quantile(ten, 10, 0.95), 100);
    CHECK_INT(analysis_quantile(ten, 10, 0.9), 90);
    CHECK_INT(analysis_quantile(ten, 10, 0.5), 50);
}

static void test_wilson(void)
{
    CHECK_DBL(analysis_wilson_lo(100, 100), 0.963005192524, 1e-9);
    CHECK_DBL(analysis_wilson_lo(50, 100), 0.403829828590, 1e-9);
    CHECK_DBL(analysis_wilson_lo(99, 100), 0.945512475239, 1e-9);
    CHECK_DBL(analysis_wilson_lo(2, 3), 0.207654955126, 1e-9);
    CHECK_DBL(analysis_wilson_lo(1, 1), 0.206543291474, 1e-9);
    CHECK_DBL(analysis_wilson_lo(0, 10), 0, 0);
    CHECK_DBL(analysis_wilson_lo(0, 0), 0, 0);
}

/* delay 1h, the log covers [T0, T0 + 10h]. */
static void test_censoring(void)
{
    static const char *const names[] = { "churn" };
    struct fx f;
    fx_open(&f, names, 1);
    int64_t end = T0 + 10 * H;
    call(&f, 0, "a", end - 30 * M - S, end - 30 * M);    /* unread, 30 min old: censored */
    call(&f, 0, "b", end - 2 * H - S, end - 2 * H);      /* unread, 2 h old: tolerant */
    call(&f, 0, "c", T0 + H - S, T0 + H);                /* read after 2 h: tolerant */
    read_by(&f, 0, "c", "", T0 + 3 * H);
    call(&f, 0, "d", T0 + 2 * H - S, T0 + 2 * H);        /* read after 10 min */
    read_by(&f, 0, "d", "", T0 + 2 * H + 10 * M);
    read_by(&f, 0, "d", "", T0 + 2 * H + 50 * M);        /* a second read changes nothing */
    call(&f, 0, "e", T0 + 3 * H, T0 + 3 * H + S);        /* its only read is before its start */
    read_by(&f, 0, "e", "", T0 + 3 * H - S);
    call(&f, 0, "f", T0 + 4 * H, T0 + 4 * H + 2 * S);    /* read before ready: wait 0 */
    read_by(&f, 0, "f", "", T0 + 4 * H + S);
    read_by(&f, 0, "zz", "", T0 + 5 * H);                /* reads no call */
    CHECK_INT(fx_run(&f, T0, end, INT64_MIN, INT64_MAX), 0);

    CHECK_INT(f.an.start_us, T0);
    CHECK_INT(f.an.end_us, end);
    CHECK(!f.an.has_utc_offset);
    CHECK_DBL(f.an.days, 10.0 / 24, 1e-12);
    CHECK_INT(f.an.n_sources, 1);
    CHECK_INT(f.an.n_sites, 1);
    const struct analysis_site *s = site_of(&f, "churn", NULL);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(s->calls, 6);
        CHECK_INT(s->censored, 1);
        CHECK_INT(s->eligible, 5);
        CHECK_INT(s->reads, 3);
        CHECK_INT(s->read_events, 3);
        CHECK_INT(s->tolerant, 3); /* b, c, e */
        CHECK_DBL(s->read_share, 0.6, 1e-12);
        CHECK_DBL(s->tolerant_share, 0.6, 1e-12);
        CHECK_DBL(s->tolerant_share_lo, analysis_wilson_lo(3, 5), 1e-12);
        CHECK(s->has_wait);
        CHECK_INT(s->wait_us[Q_MIN], 0);
        CHECK_INT(s->wait_us[Q_P50], 10 * M);
        CHECK_INT(s->wait_us[Q_P90], 2 * H);
        CHECK_INT(s->wait_us[Q_MAX], 2 * H);
        CHECK(s->has_latency);
        CHECK_INT(s->latency_p50_us, S);
        CHECK_INT(s->latency_p99_us, 2 * S);
        CHECK_DBL(s->calls_per_day, 6 / (10.0 / 24), 1e-9);
        CHECK_DBL(s->calls_per_month, 30 * 6 / (10.0 / 24), 1e-6);
        CHECK_INT(s->n_readers, 0);
        CHECK(!s->has_by);
    }
    fx_close(&f);
}

/* A bulk read delivers every result ready before it and not yet read. */
static void test_bulk(void)
{
    static const char *const names[] = { "report", "other" };
    struct fx f;
    fx_open(&f, names, 2);
    call(&f, 0, "", T0 + H - S, T0 + H);                  /* no key: only bulk finds it */
    call(&f, 0, "", T0 + H + 20 * M - S, T0 + H + 20 * M);
    call(&f, 0, "k3", T0 + 6 * H - S, T0 + 6 * H);        /* after the last bulk read */
    call(&f, 0, "k4", T0 + 2 * H - S, T0 + 2 * H);        /* its keyed read comes after a bulk */
    read_by(&f, 0, "k4", "", T0 + 6 * H);
    read_by(&f, 0, NULL, "cron", T0 + H + 10 * M);
    read_by(&f, 0, NULL, "cron", T0 + 5 * H);
    read_by(&f, 1, NULL, "cron", T0 + 9 * H);             /* another site's bulk read */
    CHECK_INT(fx_run(&f, T0, T0 + 6 * H + 30 * M, INT64_MIN, INT64_MAX), 0);
    const struct analysis_site *s = site_of(&f, "report", NULL);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(s->calls, 4);
        CHECK_INT(s->reads, 3);
        CHECK_INT(s->read_events, 2); /* the two bulk reads */
        CHECK_INT(s->wait_us[Q_MIN], 10 * M);
        CHECK_INT(s->wait_us[Q_P50], 3 * H); /* k4: the bulk read at 5 h */
        CHECK_INT(s->wait_us[Q_MAX], 3 * H + 40 * M);
        CHECK_INT(s->censored, 1);           /* k3: unread, 30 min before the end */
        CHECK_INT(s->eligible, 3);
        CHECK_INT(s->n_readers, 1);
        if (s->n_readers == 1) {
            CHECK_SPAN(s->readers[0].by, "cron");
            CHECK_INT(s->readers[0].reads, 3);
            CHECK_INT(s->readers[0].wait_p50_us, 3 * H);
        }
    }
    /* "other" has no calls and no by= split: it still gets a row */
    const struct analysis_site *o = site_of(&f, "other", NULL);
    CHECK(o != NULL);
    if (o) {
        CHECK_INT(o->calls, 0);
        CHECK(!o->has_wait);
        CHECK_INT(o->eligible, 0);
        CHECK_DBL(o->tolerant_share, 0, 0);
    }
    fx_close(&f);
}

/* A call with two keys (key=A,B) is found by reads of either: its first read
 * is the earliest of both, and each reader's first read counts. */
static void test_alt_key(void)
{
    static const char *const names[] = { "genai" };
    struct fx f;
    fx_open(&f, names, 1);
    call_keys(&f, 0, "A", "B", "", T0 + H - S, T0 + H);
    read_by(&f, 0, "B", "ui", T0 + H + 10 * M);   /* t1: by the second key */
    read_by(&f, 0, "A", "api", T0 + H + 20 * M);  /* t2 > t1: by the first */
    call(&f, 0, "C", T0 + 2 * H - S, T0 + 2 * H); /* one key still works */
    read_by(&f, 0, "C", "", T0 + 2 * H + 5 * M);
    call_keys(&f, 0, "F", "G", "", T0 + 3 * H - S, T0 + 3 * H); /* only its first key read */
    read_by(&f, 0, "F", "", T0 + 3 * H + 30 * M);
    call_keys(&f, 0, "D", "E", "", T0 + 4 * H - S, T0 + 4 * H); /* an unrelated read */
    read_by(&f, 0, "zz", "", T0 + 4 * H + M);
    CHECK_INT(fx_run(&f, T0, T0 + 10 * H, INT64_MIN, INT64_MAX), 0);
    const struct analysis_site *s = site_of(&f, "genai", NULL);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(s->calls, 4);
        CHECK_INT(s->reads, 3);
        CHECK_INT(s->read_events, 3);
        CHECK_INT(s->wait_us[Q_MIN], 5 * M);
        CHECK_INT(s->wait_us[Q_P50], 10 * M); /* A/B: the read of B */
        CHECK_INT(s->wait_us[Q_MAX], 30 * M);
        CHECK_INT(s->censored, 0);
        CHECK_INT(s->tolerant, 1); /* D: unread for 6 h */
        CHECK_INT(s->n_readers, 2);
        if (s->n_readers == 2) {
            CHECK_SPAN(s->readers[0].by, "api");
            CHECK_INT(s->readers[0].reads, 1);
            CHECK_INT(s->readers[0].wait_p50_us, 20 * M);
            CHECK_SPAN(s->readers[1].by, "ui");
            CHECK_INT(s->readers[1].wait_p50_us, 10 * M);
        }
    }
    fx_close(&f);
}

static void test_readers(void)
{
    static const char *const names[] = { "chat" };
    struct fx f;
    fx_open(&f, names, 1);
    int64_t r = T0 + H;
    call(&f, 0, "k1", r - S, r);
    call(&f, 0, "k2", r - S, r);
    call(&f, 0, "k3", r - S, r);
    read_by(&f, 0, "k1", "ui/2.0", r + S);
    read_by(&f, 0, "k1", "ui/2.0", r + 5 * S);   /* not ui's first read of k1 */
    read_by(&f, 0, "k1", "batch", r + 3 * H);
    read_by(&f, 0, "k2", "ui/2.0", r + 2 * S);
    read_by(&f, 0, "k3", "batch", r + 2 * H);
    read_by(&f, 0, "k3", "ui/2.0", r + 4 * S);
    read_by(&f, 0, "k3", "", r + 3 * S);         /* names no reader, but is k3's first read */
    CHECK_INT(fx_run(&f, T0, T0 + 10 * H, INT64_MIN, INT64_MAX), 0);
    const struct analysis_site *s = site_of(&f, "chat", NULL);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(s->reads, 3);
        CHECK_INT(s->wait_us[Q_MIN], S);
        CHECK_INT(s->wait_us[Q_P50], 2 * S);
        CHECK_INT(s->wait_us[Q_MAX], 3 * S);
        CHECK_INT(s->n_readers, 2);
        if (s->n_readers == 2) {
            CHECK_SPAN(s->readers[0].by, "ui/2.0");
            CHECK_INT(s->readers[0].reads, 3);
            CHECK_INT(s->readers[0].wait_p50_us, 2 * S);
            CHECK_INT(s->readers[0].wait_p99_us, 4 * S);
            CHECK_SPAN(s->readers[1].by, "batch");
            CHECK_INT(s->readers[1].reads, 2);
            CHECK_INT(s->readers[1].wait_p50_us, 2 * H);
            CHECK_INT(s->readers[1].wait_p99_us, 3 * H);
        }
    }
    fx_close(&f);
}

static void test_curve(void)
{
    static const char *const names[] = { "nightly" };
    struct fx f;
    fx_open(&f, names, 1);
    static const int64_t waits[] = { 30 * S, 3 * M, 10 * M, 30 * M, 3 * H, 12 * H, 3 * D };
    int64_t end = T0 + 10 * D;
    char key[16];
    for (int i = 0; i < 7; i++) {
        snprintf(key, sizeof key, "k%d", i);
        call(&f, 0, key, T0 + i * H, T0 + i * H + S);
        read_by(&f, 0, key, "", T0 + i * H + S + waits[i]);
    }
    call(&f, 0, "never", end - 2 * D - S, end - 2 * D); /* unread, 2 days old */
    CHECK_INT(fx_run(&f, T0, end, INT64_MIN, INT64_MAX), 0);
    const struct analysis_site *s = site_of(&f, "nightly", NULL);
    CHECK(s != NULL);
    if (s) {
        /* 1m 5m 15m 1h 6h 1d: the unread result counts as tolerant; 1w: censored */
        static const double want[ANALYSIS_CURVE_POINTS] = { 7 / 8.0, 6 / 8.0, 5 / 8.0, 4 / 8.0,
                                                            3 / 8.0, 2 / 8.0, 0 / 7.0 };
        for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
            CHECK_DBL(s->tempo_curve[k], want[k], 1e-12);
        CHECK_DBL(s->tolerant_share, s->tempo_curve[3], 1e-12); /* delay 1h */
        CHECK_INT(s->wait_us[Q_P50], 30 * M);
        CHECK_INT(s->wait_us[Q_P95], 3 * D);
        CHECK_INT(s->wait_us[Q_P99], 3 * D);
    }
    CHECK_INT(analysis_curve_delays_us[0], 60 * S);
    CHECK_INT(analysis_curve_delays_us[6], 7 * D);
    fx_close(&f);
}

/* by= splits a site per value; a split site without calls has no row; an
 * unsplit one keeps its row. --since/--until clip calls, reads and window. */
static void test_split_and_window(void)
{
    static const char *const names[] = { "+chat", "+quiet", "idle" };
    struct fx f;
    fx_open(&f, names, 3);
    call_by(&f, 0, "a", "gpt-4o", T0 + H, T0 + H + S);
    call_by(&f, 0, "b", "gpt-4o", T0 + 2 * H, T0 + 2 * H + S);
    call_by(&f, 0, "c", "mini", T0 + 3 * H, T0 + 3 * H + S);
    call_by(&f, 0, "early", "mini", T0 - H, T0 - H + S);    /* before --since */
    call_by(&f, 0, "late", "mini", T0 + 30 * H, T0 + 30 * H); /* at --until */
    read_by(&f, 0, "a", "", T0 + H + 5 * S);
    read_by(&f, 0, "c", "", T0 + 25 * H);                   /* after --until: not seen */
    struct match_call t = { .site = 0, .key = SPAN_LIT("b"), .by = SPAN_LIT("gpt-4o"),
                            .start_us = T0 + 4 * H, .ready_us = T0 + 4 * H + S,
                            .latency_us = -1, .tokens_in = 100, .tokens_out = -1 };
    struct err e = { 0 };
    CHECK_INT(store_put_call(f.st, f.src, &t, &e), 0);
    CHECK_INT(fx_run(&f, T0 - 2 * H, T0 + 40 * H, T0, T0 + 24 * H), 0);
    CHECK_INT(f.an.start_us, T0);
    CHECK_INT(f.an.end_us, T0 + 24 * H);
    CHECK_DBL(f.an.days, 1, 1e-12);
    CHECK_INT(f.an.n_sites, 3);
    const struct analysis_site *g = site_of(&f, "chat", "gpt-4o");
    const struct analysis_site *m = site_of(&f, "chat", "mini");
    CHECK(g != NULL && m != NULL);
    if (g && m) {
        CHECK_INT(g->calls, 3);
        CHECK_INT(g->reads, 1);
        CHECK_INT(g->wait_us[Q_P50], 4 * S);
        CHECK_INT(g->calls_with_tokens, 1);
        CHECK_INT(g->tokens_in, 100);
        CHECK_INT(g->tokens_out, 0);
        CHECK_DBL(g->calls_per_day, 3, 1e-12);
        CHECK_DBL(g->calls_per_month, 90, 1e-9);
        CHECK_INT(m->calls, 1);
        CHECK_INT(m->reads, 0);
        CHECK(!m->has_wait);
        CHECK_INT(m->tolerant, 1);
        CHECK_INT(m->calls_with_tokens, 0);
        /* sites in rules order, then by value */
        CHECK(g < m);
    }
    CHECK(site_of(&f, "quiet", NULL) == NULL);
    const struct analysis_site *i = site_of(&f, "idle", NULL);
    CHECK(i != NULL);
    if (i)
        CHECK_INT(i->calls, 0);
    fx_close(&f);
}

static void test_metrics(void)
{
    static const char *const names[] = { "churn", "cold" };
    struct fx f;
    fx_open(&f, names, 2);
    call(&f, 0, "a", T0, T0 + 200 * 1000);
    read_by(&f, 0, "a", "", T0 + 200 * 1000 + 90 * S);
    call(&f, 1, "z", T0 + 9 * H, T0 + 9 * H + S);         /* unread and too young */
    CHECK_INT(fx_run(&f, T0, T0 + 9 * H + 10 * M, INT64_MIN, INT64_MAX), 0);
    const struct analysis_site *s = site_of(&f, "churn", NULL);
    const struct analysis_site *c = site_of(&f, "cold", NULL);
    CHECK(s && c);
    if (!s || !c) {
        fx_close(&f);
        return;
    }
    struct rules_metrics m;
    analysis_metrics(s, &f.r, &m);
    CHECK(m.has[METRIC_CALLS]);
    CHECK_DBL(m.v[METRIC_CALLS], 1, 0);
    CHECK_DBL(m.v[METRIC_READS], 1, 0);
    CHECK(m.has[METRIC_READ_SHARE]);
    CHECK_DBL(m.v[METRIC_READ_SHARE], 1, 0);
    CHECK_DBL(m.v[METRIC_TOLERANT_SHARE], 0, 0);
    CHECK_DBL(m.v[METRIC_P50_WAIT], 90, 1e-9);
    CHECK_DBL(m.v[METRIC_MAX_WAIT], 90, 1e-9);
    CHECK_DBL(m.v[METRIC_P50_LATENCY], 0.2, 1e-9);
    CHECK_DBL(m.v[METRIC_DELAY], 3600, 0);
    CHECK_DBL(m.v[METRIC_CONFIDENCE], 0.99, 0);
    CHECK(m.has[METRIC_CALLS_PER_DAY]);

    analysis_metrics(c, &f.r, &m);
    CHECK_INT(c->censored, 1);
    CHECK_INT(c->eligible, 0);
    CHECK(!m.has[METRIC_READ_SHARE]);
    CHECK(!m.has[METRIC_TOLERANT_SHARE]);
    CHECK(!m.has[METRIC_P50_WAIT]);
    CHECK(!m.has[METRIC_P50_LATENCY] == !c->has_latency);
    CHECK(m.has[METRIC_DELAY]);
    fx_close(&f);
}

/* More readers than ANALYSIS_MAX_READERS: the busiest are broken down, the
 * rest still count as first reads. */
static void test_many_readers(void)
{
    static const char *const names[] = { "api" };
    struct fx f;
    fx_open(&f, names, 1);
    char key[16], by[16];
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof key, "k%d", i);
        call(&f, 0, key, T0 + i * S, T0 + i * S + S);
        for (int j = 0; j <= i % 20; j++) {
            snprintf(by, sizeof by, "r%02d", (i + j) % 20);
            read_by(&f, 0, key, by, T0 + i * S + 2 * S + j * S);
        }
    }
    CHECK_INT(fx_run(&f, T0, T0 + H, INT64_MIN, INT64_MAX), 0);
    const struct analysis_site *s = site_of(&f, "api", NULL);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(s->reads, 40);
        CHECK_INT(s->wait_us[Q_MAX], S);
        CHECK_INT(s->n_readers, ANALYSIS_MAX_READERS);
        for (unsigned k = 1; k < s->n_readers; k++)
            CHECK(s->readers[k - 1].reads >= s->readers[k].reads);
    }
    fx_close(&f);
}

/* More calls than one lookup batch, keys shared across sites. */
static void test_batches(void)
{
    static const char *const names[] = { "a", "b" };
    struct fx f;
    fx_open(&f, names, 2);
    char key[16];
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "k%d", i);
        call(&f, 0, key, T0 + i * S, T0 + i * S + S);
        call(&f, 1, key, T0 + i * S, T0 + i * S + S); /* same key, other site: never read */
        if (i % 2 == 0)
            read_by(&f, 0, key, "", T0 + i * S + S + i * S);
    }
    CHECK_INT(fx_run(&f, T0, T0 + 10 * H, INT64_MIN, INT64_MAX), 0);
    const struct analysis_site *a = site_of(&f, "a", NULL), *b = site_of(&f, "b", NULL);
    CHECK(a && b);
    if (a && b) {
        CHECK_INT(a->calls, 300);
        CHECK_INT(a->reads, 150);
        CHECK_INT(a->wait_us[Q_MIN], 0);
        CHECK_INT(a->wait_us[Q_P50], 148 * S);
        CHECK_INT(a->wait_us[Q_MAX], 298 * S);
        /* the CDF: waits 0, 2, ... 298 s; k% is rank ceil(1.5 k) */
        CHECK_INT(a->wait_cdf_us[0], 0);
        CHECK_INT(a->wait_cdf_us[1], 2 * S);
        CHECK_INT(a->wait_cdf_us[33], 98 * S);
        CHECK_INT(a->wait_cdf_us[50], 148 * S);
        CHECK_INT(a->wait_cdf_us[67], 200 * S);
        CHECK_INT(a->wait_cdf_us[100], 298 * S);
        unsigned down = 0;
        for (int k = 1; k < ANALYSIS_CDF_POINTS; k++)
            down += a->wait_cdf_us[k] < a->wait_cdf_us[k - 1];
        CHECK_INT(down, 0);
        CHECK_INT(a->tolerant, 150);
        CHECK_DBL(a->tolerant_share, 0.5, 1e-12);
        CHECK_INT(b->calls, 300);
        CHECK_INT(b->reads, 0);
    }
    fx_close(&f);
}

/* A log at +02:00, batch_time 30m. Calls (UTC): Sun 23:30 read Mon 06:00;
 * Mon 14:10, 14:20, 14:40 read Tue 07:00, 07:05, 07:10; Mon 10:00 never read.
 * Daily: hours 0..5 meet every read; 0 keeps 6 h to spare for the Monday
 * calls (3 at that margin), so it wins: 00:00 UTC, 02:00 local. Weekly: Mon
 * 15:00 (15) serves the Monday calls and the unread one, 4 of 5. */
static void test_schedule_and_hours(void)
{
    static const char *const names[] = { "nightly", "idle" };
    struct fx f;
    fx_open(&f, names, 2);
    f.has_offset = true;
    f.offset_s = 2 * 3600;
    f.r.batch_time_us = 30 * M;
    int64_t mon = T0 + 2 * D - 10 * H; /* 2025-11-24T00:00:00Z, a Monday */
    call(&f, 0, "sun", mon - 30 * M, mon - 30 * M + S);
    read_by(&f, 0, "sun", "", mon + 6 * H);
    call(&f, 0, "m1", mon + 14 * H + 10 * M, mon + 14 * H + 10 * M + S);
    call(&f, 0, "m2", mon + 14 * H + 20 * M, mon + 14 * H + 20 * M + S);
    call(&f, 0, "m3", mon + 14 * H + 40 * M, mon + 14 * H + 40 * M + S);
    read_by(&f, 0, "m1", "", mon + D + 7 * H);
    read_by(&f, 0, "m2", "", mon + D + 7 * H + 5 * M);
    read_by(&f, 0, "m3", "", mon + D + 7 * H + 10 * M);
    read_by(&f, 0, "m1", "", mon + D + 12 * H); /* not a first read */
    call(&f, 0, "never", mon + 10 * H, mon + 10 * H + S);
    CHECK_INT(fx_run(&f, mon - H, mon + 3 * D, INT64_MIN, INT64_MAX), 0);
    CHECK(f.an.has_utc_offset);
    CHECK_INT(f.an.utc_offset_s, 7200);
    const struct analysis_site *s = site_of(&f, "nightly", NULL);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(s->calls, 5);
        CHECK_INT(s->reads, 4);
        /* waits 6h29m59s, 16h29m59s, 16h44m59s, 16h49m59s */
        int64_t w1 = 6 * H + 29 * M + 59 * S, w2 = 16 * H + 29 * M + 59 * S;
        int64_t w3 = 16 * H + 44 * M + 59 * S, w4 = 16 * H + 49 * M + 59 * S;
        CHECK_INT(s->wait_cdf_us[0], w1);
        CHECK_INT(s->wait_cdf_us[0], s->wait_us[Q_MIN]);
        CHECK_INT(s->wait_cdf_us[25], w1);
        CHECK_INT(s->wait_cdf_us[26], w2);
        CHECK_INT(s->wait_cdf_us[50], w2);
        CHECK_INT(s->wait_cdf_us[50], s->wait_us[Q_P50]);
        CHECK_INT(s->wait_cdf_us[75], w3);
        CHECK_INT(s->wait_cdf_us[76], w4);
        CHECK_INT(s->wait_cdf_us[99], s->wait_us[Q_P99]);
        CHECK_INT(s->wait_cdf_us[100], w4);
        CHECK_INT(s->wait_cdf_us[100], s->wait_us[Q_MAX]);

        /* local hours of the week: Sun 23:30 UTC is Mon 01:30 at +02:00 */
        uint32_t want_calls[ANALYSIS_WEEK_HOURS] = { 0 }, want_reads[ANALYSIS_WEEK_HOURS] = { 0 };
        want_calls[1] = 1;
        want_calls[12] = 1;
        want_calls[16] = 3;
        want_reads[8] = 1;
        want_reads[24 + 9] = 3;
        unsigned bad = 0;
        for (unsigned h = 0; h < ANALYSIS_WEEK_HOURS; h++)
            bad += s->calls_by_hour[h] != want_calls[h] || s->reads_by_hour[h] != want_reads[h];
        CHECK_INT(bad, 0);
        CHECK_INT(s->calls_by_hour[16], 3);
        CHECK_INT(s->reads_by_hour[33], 3);

        const struct analysis_schedule *sc = &s->schedule;
        CHECK(sc->computed);
        CHECK_INT(sc->batch_time_us, 30 * M);
        CHECK_INT(sc->best.cadence, CADENCE_DAILY);
        CHECK_INT(sc->best.phase, 0);
        CHECK_INT(sc->best.on_time, 5);
        CHECK_INT(sc->best.results, 5);
        CHECK_DBL(sc->best.on_time_share, 1, 0);
        CHECK_INT(sc->next.cadence, CADENCE_WEEKLY);
        CHECK_INT(sc->next.phase, 15);
        CHECK_INT(sc->next.on_time, 4);
        CHECK_DBL(sc->next.on_time_share, 0.8, 1e-12);
        char when[96];
        analysis_option_when(&sc->best, f.an.has_utc_offset, f.an.utc_offset_s, when);
        CHECK_STR(when, "daily at 00:00 UTC (02:00 +02:00)");
    }
    const struct analysis_site *i = site_of(&f, "idle", NULL);
    CHECK(i != NULL);
    if (i) {
        CHECK(!i->schedule.computed);
        CHECK_INT(i->schedule.best.cadence, CADENCE_NONE);
        CHECK_INT(i->calls_by_hour[0], 0);
        CHECK_INT(i->wait_cdf_us[100], 0);
    }
    fx_close(&f);
}

/* A group past WHEN_DIRECT calls (1024) moves its calls from pairs to an
 * accumulator of its own: the figures are those of the pairs. 1500 calls a
 * minute apart from Mon 00:00, each read 90 minutes after its start; 500 in a
 * second by= group the same way. Hourly meets every read (30m batch, at most
 * 59 min to the next run); none of the others does. */
static void test_schedule_many(void)
{
    static const char *const names[] = { "+big" };
    struct fx f;
    fx_open(&f, names, 1);
    f.r.batch_time_us = 30 * M;
    int64_t mon = T0 + 2 * D - 10 * H;
    char key[24];
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        int64_t s = mon + (i % 1500) * M;
        call_by(&f, 0, key, i < 1500 ? "a" : "b", s, s + S);
        read_by(&f, 0, key, "", s + 90 * M);
    }
    CHECK_INT(fx_run(&f, mon, mon + 2 * D, INT64_MIN, INT64_MAX), 0);
    const struct analysis_site *a = site_of(&f, "big", "a"), *b = site_of(&f, "big", "b");
    CHECK(a && b);
    if (a && b) {
        CHECK_INT(a->calls, 1500);
        CHECK_INT(a->schedule.best.cadence, CADENCE_HOURLY);
        CHECK_INT(a->schedule.best.on_time, 1500);
        CHECK_INT(b->schedule.best.cadence, CADENCE_HOURLY);
        CHECK_INT(b->schedule.best.on_time, 500);
        /* 6h: a call is on time when a run is at most 60 min after its start,
         * 61 starts before each run. a (00:00 to 24:59): phase 1 has runs at
         * 01:00, 07:00, 13:00, 19:00 and Tue 01:00 (for 24:00-24:59, 60
         * calls): 304; phase 0 245, the others 244. b (00:00 to 08:19):
         * phases 1 and 2 (01:00 and 07:00, 02:00 and 08:00) 122; the lower wins. */
        CHECK_INT(a->schedule.next.cadence, CADENCE_6H);
        CHECK_INT(a->schedule.next.phase, 1);
        CHECK_INT(a->schedule.next.on_time, 304);
        CHECK_INT(b->schedule.next.phase, 1);
        CHECK_INT(b->schedule.next.on_time, 122);
        uint32_t sum_a = 0, sum_b = 0;
        for (unsigned h = 0; h < ANALYSIS_WEEK_HOURS; h++) {
            sum_a += a->calls_by_hour[h];
            sum_b += b->reads_by_hour[h];
        }
        CHECK_INT(sum_a, 1500);
        CHECK_INT(sum_b, 500);
        CHECK_INT(a->calls_by_hour[0], 60);
        CHECK_INT(a->calls_by_hour[24], 60); /* hours 24 (1440 min) to 1499 min */
        CHECK_INT(a->calls_by_hour[25], 0);
    }
    fx_close(&f);
}

int main(void)
{
    test_quantile();
    test_wilson();
    test_censoring();
    test_bulk();
    test_alt_key();
    test_readers();
    test_curve();
    test_split_and_window();
    test_metrics();
    test_many_readers();
    test_batches();
    test_schedule_and_hours();
    test_schedule_many();
    return test_report();
}
