/*
 * gen_log.c - the workload generator (test and bench tooling, not a pipeline
 * stage): writes an nginx access log in the `tempo` log_format of
 * rules/demo.rules, lines in the order nginx writes them (by request end), with
 * five call sites of known behaviour, noise and optional malformed lines, and
 * the ground truth the analysis must find (PRODUCT.md §4). Deterministic: its
 * own PRNG (xoshiro256**), no rand(), no time zone, no locale.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

/* The format the lines follow: rules/demo.rules declares the same text. */
static const char gen_format[] =
    "log_format tempo '$remote_addr - $remote_user [$time_local] \"$request\" $status "
    "$body_bytes_sent \"$http_referer\" \"$http_user_agent\" $request_time $msec "
    "$request_id';";

#define MS_PER_SEC INT64_C(1000)
#define MS_PER_MIN (60 * MS_PER_SEC)
#define MS_PER_HOUR (60 * MS_PER_MIN)
#define MS_PER_DAY (24 * MS_PER_HOUR)
/* Calls end this far from midnight at least, and last less than it, so that a
 * --since/--until at a midnight never cuts a call in two: per-day truths hold. */
#define DAY_MARGIN_MS (5 * MS_PER_SEC)
#define MAX_DAYS 3660
#define MAX_LINE 2048        /* bytes of the longest line this program writes */
#define OUT_BLOCK (1u << 20) /* bytes buffered before each fwrite */
#define CALIBRATE_CALLS 20000

/* Monday 0 .. Sunday 6 (1970-01-01 was a Thursday). */
static unsigned weekday(int64_t days)
{
    return (unsigned)(((days % 7) + 7 + 3) % 7);
}

/* "2026-11-02" into out[32] (room for any int, so that no compiler sees a cut). */
static void format_date(int64_t days, char out[32])
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

/* ---- buffered output with a hand-rolled formatter (printf per field is slow) ---- */

struct out {
    FILE *f;           /* NULL: count only (calibration) */
    const char *path;  /* for messages */
    char *buf;         /* OUT_BLOCK bytes */
    size_t len;
    uint64_t bytes, lines;
};

static void out_flush(struct out *o)
{
    if (o->f && o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
        fprintf(stderr, "gen-log: %s: write error\n", o->path);
        exit(3);
    }
    o->len = 0;
}

static void out_line(struct out *o, const char *p, size_t n)
{
    if (o->len + n > OUT_BLOCK)
        out_flush(o);
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    o->bytes += n;
    o->lines++;
}

/* One line being built; MAX_LINE is far above the longest line written. */
struct line {
    char p[MAX_LINE];
    size_t n;
    size_t request_end; /* offset of the end of the request's path */
};

static void put(struct line *l, const char *s, size_t n)
{
    memcpy(l->p + l->n, s, n);
    l->n += n;
}

static void put_str(struct line *l, const char *s)
{
    put(l, s, strlen(s));
}

static void put_char(struct line *l, char c)
{
    l->p[l->n++] = c;
}

static void put_u64(struct line *l, uint64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        l->p[l->n++] = tmp[--k];
}

/* Milliseconds as seconds with three decimals: 1234 -> "1.234" (nginx's %T.%03M). */
static void put_ms(struct line *l, int64_t ms)
{
    put_u64(l, (uint64_t)(ms / 1000));
    put_char(l, '.');
    unsigned f = (unsigned)(ms % 1000);
    put_char(l, (char)('0' + f / 100));
    put_char(l, (char)('0' + f / 10 % 10));
    put_char(l, (char)('0' + f % 10));
}

static void put_hex64(struct line *l, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 60; i >= 0; i -= 4)
        put_char(l, hex[(v >> i) & 15]);
}

/* An nginx $request_id: 32 lower-case hex digits. */
static void put_id(struct line *l, uint64_t seed, uint64_t serial, uint64_t salt)
{
    put_hex64(l, mix3(seed, serial, salt));
    put_hex64(l, mix3(seed, serial, salt + 1));
}

/* $time_local of a second, cached: lines come in time order, so the same second
 * repeats and is formatted once. */
struct clock {
    int64_t sec;
    char text[48]; /* "02/Nov/2026:10:00:00 +0000", with room snprintf cannot rule out */
    size_t n;
};

static void put_time_local(struct line *l, struct clock *c, int64_t ms)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int64_t sec = ms / 1000;
    if (sec != c->sec) {
        int64_t y;
        unsigned m, d;
        int64_t days = sec / 86400, rem = sec % 86400;
        civil_from_days(days, &y, &m, &d);
        snprintf(c->text, sizeof c->text, "%02u/%.3s/%04d:%02d:%02d:%02d +0000", d,
                 months + 3 * (m - 1), (int)y, (int)(rem / 3600), (int)(rem / 60 % 60),
                 (int)(rem % 60));
        c->n = strlen(c->text);
        c->sec = sec;
    }
    put(l, c->text, c->n);
}

/* ---- the workload ---- */

enum site { CHURN, FRAUD, SUMMARY, TRIAGE, WEEKLY, N_SITES };

struct site_def {
    const char *name;
    const char *verdict;   /* what rules/demo.rules must conclude */
    double share;          /* of all calls */
    const char *call_path; /* POST */
    const char *read_path; /* GET prefix, then the key, then read_tail */
    const char *read_tail;
    const char *caller_ua;
    int caller_net;        /* 10.N.x.x */
    int64_t lat_lo, lat_hi; /* ms */
};

static const struct site_def sites[N_SITES] = {
    [CHURN] = { "churn", "batch", 0.30, "/v2/models/churn/infer", "/v1/predictions/", "",
                "churn-scheduler/1.4 python-requests/2.31.0", 11, 120, 450 },
    [FRAUD] = { "fraud", "realtime", 0.30, "/v1/fraud/score", "/v1/fraud/scores/", "",
                "payments-api/7.4.1 (okhttp/4.12.0)", 12, 15, 90 },
    [SUMMARY] = { "summary", "unused", 0.13, "/v1/notes/summarize", "/v1/summaries/", "",
                  "notes-service/2.2 openai-python/1.35.0", 13, 900, 4800 },
    [TRIAGE] = { "triage", "streaming", 0.15, "/v1/models/triage:predict", "/v1/tickets/",
                 "/triage", "helpdesk-backend/3.0 (Go-http-client/1.1)", 14, 600, 4000 },
    [WEEKLY] = { "weekly", "batch", 0.12, "/v2/models/forecast/infer", "", "",
                 "forecast-batch/0.9 python-httpx/0.27.0", 15, 200, 1200 },
};

/* Calls per hour of day (UTC), relative. */
static const unsigned diurnal[24] = { 3, 2, 2, 2, 3, 4, 6, 8, 10, 11, 11, 11,
                                      10, 10, 11, 11, 10, 9, 8, 7, 6, 5, 4, 3 };
static const unsigned office[24] = { 0, 0, 0, 0, 0, 0, 0, 4, 8, 10, 10, 10,
                                     9, 9, 10, 10, 9, 8, 6, 4, 3, 2, 0, 0 };

static const char *const browsers[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};
#define N_BROWSERS (sizeof browsers / sizeof browsers[0])

static const char *const statics[] = {
    "/static/js/app.3f9a1c.js", "/static/css/main.8b21e0.css", "/favicon.ico",
    "/img/logo.svg", "/static/js/vendor.77d0e4.js", "/fonts/inter-var.woff2",
    "/", "/dashboard", "/robots.txt",
};
#define N_STATICS (sizeof statics / sizeof statics[0])

static const char *const referers[] = {
    "-", "https://app.example.com/", "https://app.example.com/dashboard",
    "https://www.google.com/", "https://app.example.com/tickets",
};
#define N_REFERERS (sizeof referers / sizeof referers[0])

static const char *const scans[] = { "/wp-login.php", "/.env", "/admin/config.php",
                                     "/.git/config", "/cgi-bin/luci" };
#define N_SCANS (sizeof scans / sizeof scans[0])

enum kind {
    K_CALL,     /* site's call */
    K_READ,     /* a read of call `serial` of `site` */
    K_BULK,     /* the weekly report */
    K_STATIC,   /* noise from here on */
    K_HEALTH,
    K_API,
    K_SCAN,
    K_STRAY,    /* a read of a prediction id no call of the log made (404) */
    N_KINDS
};
static const unsigned noise_weights[N_KINDS] = {
    [K_STATIC] = 40, [K_HEALTH] = 20, [K_API] = 30, [K_SCAN] = 4, [K_STRAY] = 6,
};

/* A line to write: a call or noise of one day (struct prim, sorted per day), or a
 * read waiting in the heap until its end comes. */
struct item {
    int64_t end_ms, start_ms;
    uint64_t seq;    /* creation order: breaks ties of end_ms */
    uint64_t serial; /* K_CALL, K_READ: the call's serial (its request id) */
    uint8_t kind, site, who;
};

static int item_cmp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->end_ms != y->end_ms)
        return x->end_ms < y->end_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool item_less(const void *a, const void *b)
{
    return item_cmp(a, b) < 0;
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

struct options {
    uint64_t seed;
    int64_t start_day; /* days since 1970-01-01 */
    unsigned days;
    uint64_t calls;
    uint64_t size;      /* 0: use calls */
    double noise;       /* noise lines per call */
    uint64_t malformed;
    const char *out_path, *reads_path, *truth_path;
    bool jsonl; /* --jsonl: the same workload as JSON lines */
};

struct site_truth {
    uint64_t calls, reads, read_lines;
    struct vec waits;  /* ms, first read of each result read */
    uint64_t *per_day; /* calls per day */
};

struct gen {
    const struct options *o;
    struct rng rng;
    struct out main, reads; /* reads.f NULL and reads_split false: all in main */
    bool reads_split;
    struct clock clock;
    struct gen_heap heap;
    uint64_t seq, call_serial, line_serial;
    int64_t window_end_ms;
    struct vec weekly_pending; /* ready ms of weekly results not yet read */
    struct site_truth truth[N_SITES];
    uint64_t malformed_written;
};

/* An internal address of network `net`: 10.net.a.b. */
static void put_ip10(struct line *l, int net, unsigned host)
{
    put_str(l, "10.");
    put_u64(l, (uint64_t)net);
    put_char(l, '.');
    put_u64(l, host / 250);
    put_char(l, '.');
    put_u64(l, host % 250 + 1);
}

/* A public client from a skewed pool: few addresses make most requests. */
static void put_public_ip(struct line *l, struct rng *r)
{
    double u = rng_unit(r);
    uint64_t k = (uint64_t)(u * u * u * 50000.0);
    uint64_t x = mix3(77, k, 9);
    static const unsigned firsts[] = { 81, 93, 151, 176, 185, 203, 213, 5, 46, 78 };
    put_u64(l, firsts[x % 10]);
    put_char(l, '.');
    put_u64(l, (x >> 8) % 256);
    put_char(l, '.');
    put_u64(l, (x >> 16) % 256);
    put_char(l, '.');
    put_u64(l, (x >> 24) % 254 + 1);
}

/* Shared tail of every line: " status bytes "ref" "ua" rt msec id\n". */
static void put_tail(struct gen *g, struct line *l, unsigned status, uint64_t bytes,
                     const char *ref, const char *ua, const struct item *it)
{
    l->request_end = l->n;
    put_str(l, " HTTP/1.1\" ");
    put_u64(l, status);
    put_char(l, ' ');
    put_u64(l, bytes);
    put_str(l, " \"");
    put_str(l, ref);
    put_str(l, "\" \"");
    put_str(l, ua);
    put_str(l, "\" ");
    put_ms(l, it->end_ms - it->start_ms);
    put_char(l, ' ');
    put_ms(l, it->end_ms);
    put_char(l, ' ');
    if (it->kind == K_CALL)
        put_id(l, g->o->seed, it->serial, 1);
    else
        put_id(l, g->o->seed, g->line_serial, 3);
    put_char(l, '\n');
}

static void put_head(struct gen *g, struct line *l, const struct item *it, const char *user)
{
    put_char(l, ' ');
    put_char(l, '-');
    put_char(l, ' ');
    put_str(l, user);
    put_str(l, " [");
    put_time_local(l, &g->clock, it->end_ms);
    put_str(l, "] \"");
}

/* Format the line of `it` into *l; returns the output it belongs to. */
static struct out *format_item(struct gen *g, const struct item *it, struct line *l)
{
    struct rng *r = &g->rng;
    const struct site_def *s = &sites[it->site];
    struct out *o = &g->main;
    l->n = 0;
    g->line_serial++;
    switch ((enum kind)it->kind) {
    case K_CALL:
        put_ip10(l, s->caller_net, (unsigned)rng_range(r, 0, 7));
        put_head(g, l, it, "-");
        put_str(l, "POST ");
        put_str(l, s->call_path);
        put_tail(g, l, 200, (uint64_t)rng_range(r, 80, 2400), "-", s->caller_ua, it);
        break;
    case K_READ: {
        const char *ua = s->caller_ua;
        if (it->site == CHURN)
            ua = it->who ? browsers[it->who % 3] : "crm-sync/3.2 (+https://crm.example.com)";
        else if (it->site == TRIAGE)
            ua = browsers[it->who % 5];
        if (it->site == CHURN && it->who)
            put_ip10(l, 2, (unsigned)rng_range(r, 0, 4000));
        else
            put_ip10(l, it->site == CHURN ? 21 : s->caller_net, (unsigned)rng_range(r, 8, 11));
        put_head(g, l, it, it->site == TRIAGE ? "agent" : "-");
        put_str(l, "GET ");
        put_str(l, s->read_path);
        put_id(l, g->o->seed, it->serial, 1);
        put_str(l, s->read_tail);
        if (it->site == CHURN && rng_chance(r, 0.2))
            put_str(l, "?fields=score,segment");
        put_tail(g, l, 200, (uint64_t)rng_range(r, 150, 900), "-", ua, it);
        o = g->reads_split ? &g->reads : &g->main;
        break;
    }
    case K_BULK:
        put_ip10(l, 30, 1);
        put_head(g, l, it, "-");
        put_str(l, "GET /v1/reports/weekly?format=xlsx");
        put_tail(g, l, 200, (uint64_t)rng_range(r, 200000, 900000), "-", "report-cron/1.0",
                 it);
        o = g->reads_split ? &g->reads : &g->main;
        break;
    case K_STATIC: {
        put_public_ip(l, r);
        put_head(g, l, it, "-");
        put_str(l, "GET ");
        put_str(l, statics[rng_range(r, 0, N_STATICS - 1)]);
        bool cached = rng_chance(r, 0.3);
        put_tail(g, l, cached ? 304 : 200, cached ? 0 : (uint64_t)rng_range(r, 300, 250000),
                 referers[rng_range(r, 0, N_REFERERS - 1)],
                 browsers[rng_range(r, 0, N_BROWSERS - 1)], it);
        break;
    }
    case K_HEALTH:
        put_ip10(l, 0, (unsigned)rng_range(r, 0, 2));
        put_head(g, l, it, "-");
        put_str(l, "GET /healthz");
        put_tail(g, l, 200, 2, "-", "kube-probe/1.29", it);
        if (g->reads_split && (g->line_serial & 1))
            o = &g->reads;
        break;
    case K_API: {
        static const char *const verbs[] = { "GET /v1/users/", "GET /v1/tickets/",
                                             "POST /v1/events", "GET /v1/models",
                                             "POST /v1/auth/token" };
        unsigned v = (unsigned)rng_range(r, 0, 4);
        put_public_ip(l, r);
        put_head(g, l, it, "-");
        put_str(l, verbs[v]);
        if (v < 2)
            put_u64(l, (uint64_t)rng_range(r, 1000, 999999));
        unsigned status = rng_chance(r, 0.03) ? 401 : rng_chance(r, 0.01) ? 502 : 200;
        put_tail(g, l, status, (uint64_t)rng_range(r, 20, 4000), referers[1],
                 browsers[rng_range(r, 0, N_BROWSERS - 1)], it);
        break;
    }
    case K_SCAN:
        put_public_ip(l, r);
        put_head(g, l, it, "-");
        put_str(l, "GET ");
        put_str(l, scans[rng_range(r, 0, N_SCANS - 1)]);
        put_tail(g, l, 404, 153, "-", "Mozilla/5.0 zgrab/0.x", it);
        break;
    case K_STRAY: {
        put_ip10(l, 21, (unsigned)rng_range(r, 8, 11));
        put_head(g, l, it, "-");
        put_str(l, "GET /v1/predictions/");
        /* salt 5: never the id of a call of this log */
        put_id(l, g->o->seed, rng_next(r), 5);
        put_tail(g, l, 404, 0, "-", "crm-sync/3.2 (+https://crm.example.com)", it);
        o = g->reads_split ? &g->reads : &g->main;
        break;
    }
    case N_KINDS:
        break;
    }
    return o;
}

/* The reads a result will get, decided when its call is written. */
static void plan_reads(struct gen *g, const struct item *call)
{
    struct rng *r = &g->rng;
    struct site_truth *t = &g->truth[call->site];
    struct item rd = { .kind = K_READ, .site = call->site, .serial = call->serial };
    int64_t first = -1, second = -1;
    switch ((enum site)call->site) {
    case CHURN: /* read the next morning, 08:00-09:00, by the CRM sync; some later again */
        if (rng_chance(r, 0.96)) {
            int64_t next_day = (call->end_ms / MS_PER_DAY + 1) * MS_PER_DAY;
            first = next_day + 8 * MS_PER_HOUR + rng_range(r, 0, MS_PER_HOUR - 1);
            if (rng_chance(r, 0.15))
                second = first + rng_range(r, MS_PER_HOUR, 8 * MS_PER_HOUR);
        }
        break;
    case FRAUD: /* read at once by the payment flow */
        if (rng_chance(r, 0.995))
            first = call->end_ms + rng_range(r, 5, 100);
        break;
    case TRIAGE: /* an agent opens the ticket minutes later */
        if (rng_chance(r, 0.90)) {
            first = call->end_ms + rng_range(r, 2 * MS_PER_MIN, 40 * MS_PER_MIN);
            if (rng_chance(r, 0.3))
                second = first + rng_range(r, MS_PER_MIN, 30 * MS_PER_MIN);
        }
        break;
    case WEEKLY:
        vec_push(&g->weekly_pending, call->end_ms);
        break;
    case SUMMARY:
    case N_SITES:
        break;
    }
    for (int k = 0; k < 2; k++) {
        int64_t at = k ? second : first;
        if (at < 0)
            continue;
        rd.start_ms = at;
        rd.end_ms = at + rng_range(r, 2, 30);
        rd.who = (uint8_t)(k ? rng_range(r, 1, 5) : 0);
        if (call->site == TRIAGE)
            rd.who = (uint8_t)rng_range(r, 0, 4);
        rd.seq = g->seq++;
        if (rd.end_ms >= g->window_end_ms)
            continue; /* after the log's end: never written */
        if (k == 0) {
            t->reads++;
            vec_push(&t->waits, at - call->end_ms);
        }
        t->read_lines++;
        gen_heap_push(&g->heap, &rd);
    }
}

/* ---- --jsonl: the same line as a JSON object (a gateway's own log) ---- */

/* The next field of an nginx line of ours: the bytes up to `sep`. */
static const char *field(const char **p, const char *end, const char *sep, size_t *n)
{
    size_t k = strlen(sep);
    const char *at = *p;
    const char *q = at;
    while (q + k <= end && memcmp(q, sep, k) != 0)
        q++;
    *n = (size_t)(q - at);
    *p = q + k <= end ? q + k : end;
    return at;
}

/* A JSON string of bytes that hold no control characters. */
static void put_jstr(struct line *l, const char *s, size_t n)
{
    put_char(l, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            put_char(l, '\\');
        put_char(l, s[i]);
    }
    put_char(l, '"');
}

static void put_key(struct line *l, const char *key)
{
    put_char(l, '"');
    put_str(l, key);
    put_str(l, "\":");
}

/* Epoch ms as RFC 3339 with milliseconds: "2026-11-02T10:00:00.123Z". */
static void put_iso_ms(struct line *l, int64_t ms)
{
    int64_t y, sec = ms / 1000;
    unsigned m, d;
    civil_from_days(sec / 86400, &y, &m, &d);
    int64_t rem = sec % 86400;
    char tmp[40];
    int n = snprintf(tmp, sizeof tmp, "\"%04d-%02u-%02uT%02d:%02d:%02d.%03dZ\"", (int)y, m, d,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
                     (int)(ms % 1000));
    put(l, tmp, (size_t)n);
}

/* "0.250" (seconds, three decimals) as whole milliseconds. */
static uint64_t ms_of(const char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] >= '0' && p[i] <= '9')
            v = v * 10 + (uint64_t)(p[i] - '0');
    return v;
}

/* Rewrite the nginx line `in` (of item `it`) as one JSON object into *out:
 * ts (epoch seconds with ms on even lines, RFC 3339 on odd ones), latency_ms,
 * kind (call, read, other), method, route (the path without its query), path,
 * status (a number), bytes, id, result_id (reads: the id in the path),
 * client.ip, client.user, request.headers.user-agent and .referer. */
static void to_jsonl(const struct gen *g, const struct item *it, const struct line *in,
                     struct line *out)
{
    const char *p = in->p, *end = in->p + in->n - 1; /* without '\n' */
    size_t n_ip, n_user, n_time, n_method, n_path, n_status, n_bytes, n_ref, n_ua, n_rt, n_msec;
    const char *ip = field(&p, end, " - ", &n_ip);
    const char *user = field(&p, end, " [", &n_user);
    (void)field(&p, end, "] \"", &n_time);
    const char *method = field(&p, end, " ", &n_method);
    const char *path = field(&p, end, " HTTP/1.1\" ", &n_path);
    const char *status = field(&p, end, " ", &n_status);
    const char *bytes = field(&p, end, " \"", &n_bytes);
    const char *ref = field(&p, end, "\" \"", &n_ref);
    const char *ua = field(&p, end, "\" ", &n_ua);
    const char *rt = field(&p, end, " ", &n_rt);
    (void)field(&p, end, " ", &n_msec);
    const char *id = p;
    size_t n_id = (size_t)(end - p);
    size_t n_route = 0;
    while (n_route < n_path && path[n_route] != '?')
        n_route++;

    out->n = 0;
    put_char(out, '{');
    put_key(out, "ts");
    if (g->line_serial & 1) {
        put_iso_ms(out, it->end_ms);
    } else {
        put_ms(out, it->end_ms);
    }
    put_str(out, ",");
    put_key(out, "latency_ms");
    put_u64(out, ms_of(rt, n_rt));
    put_str(out, ",");
    put_key(out, "kind");
    put_str(out, it->kind == K_CALL                                          ? "\"call\""
                 : it->kind == K_READ || it->kind == K_BULK || it->kind == K_STRAY ? "\"read\""
                                                                               : "\"other\"");
    put_str(out, ",");
    put_key(out, "method");
    put_jstr(out, method, n_method);
    put_str(out, ",");
    put_key(out, "route");
    put_jstr(out, path, n_route);
    put_str(out, ",");
    put_key(out, "path");
    put_jstr(out, path, n_path);
    put_str(out, ",");
    put_key(out, "status");
    put(out, status, n_status);
    put_str(out, ",");
    put_key(out, "bytes");
    put(out, bytes, n_bytes);
    put_str(out, ",");
    put_key(out, "id");
    put_jstr(out, id, n_id);
    if (it->kind == K_READ || it->kind == K_STRAY) {
        /* the result's id: the run of 32 hex digits in the path */
        for (size_t i = 0; i + 32 <= n_route; i++) {
            size_t k = 0;
            while (k < 32 && ((path[i + k] >= '0' && path[i + k] <= '9') ||
                              (path[i + k] >= 'a' && path[i + k] <= 'f')))
                k++;
            if (k == 32) {
                put_str(out, ",");
                put_key(out, "result_id");
                put_jstr(out, path + i, 32);
                break;
            }
        }
    }
    put_str(out, ",");
    put_key(out, "client");
    put_char(out, '{');
    put_key(out, "ip");
    put_jstr(out, ip, n_ip);
    put_str(out, ",");
    put_key(out, "user");
    put_jstr(out, user, n_user);
    put_str(out, "},");
    put_key(out, "request");
    put_str(out, "{\"headers\":{");
    put_key(out, "user-agent");
    put_jstr(out, ua, n_ua);
    put_str(out, ",");
    put_key(out, "referer");
    put_jstr(out, ref, n_ref);
    put_str(out, "}}}\n");
}

static void write_item(struct gen *g, const struct item *it)
{
    struct line l;
    struct out *o = format_item(g, it, &l);
    if (g->o->jsonl) {
        struct line j;
        to_jsonl(g, it, &l, &j);
        out_line(o, j.p, j.n);
    } else {
        out_line(o, l.p, l.n);
    }
    if (it->kind == K_BULK) {
        /* Every weekly result ready before the report started is read now. */
        struct site_truth *t = &g->truth[WEEKLY];
        size_t keep = 0;
        for (size_t i = 0; i < g->weekly_pending.n; i++) {
            int64_t ready = g->weekly_pending.v[i];
            if (ready <= it->start_ms) {
                t->reads++;
                vec_push(&t->waits, it->start_ms - ready);
            } else {
                g->weekly_pending.v[keep++] = ready;
            }
        }
        g->weekly_pending.n = keep;
        g->truth[WEEKLY].read_lines++;
    }
}

/* A line no decoder may accept, written just before a line ending at `end_ms`. */
static void write_malformed(struct gen *g, int64_t end_ms)
{
    struct rng *r = &g->rng;
    struct line l;
    if (rng_chance(r, 0.7)) { /* a line cut short, as by a full disk or a crash */
        struct item it = { .kind = K_STATIC, .end_ms = end_ms };
        it.start_ms = it.end_ms;
        struct clock saved = g->clock;
        uint64_t serial = g->line_serial;
        format_item(g, &it, &l);
        /* cut inside the request: no reader of the format can take it, nginx's
         * fields nor goaccess's lenient parser (nor a JSON parser: no closing '}') */
        size_t cut = (size_t)rng_range(r, 12, (int64_t)l.request_end - 1);
        if (g->o->jsonl) {
            struct line j;
            to_jsonl(g, &it, &l, &j);
            l = j;
        }
        g->clock = saved;
        g->line_serial = serial;
        l.n = cut;
        l.p[l.n++] = '\n';
    } else { /* bytes that are no log line at all */
        static const char junk[] = "abcdefghijklmnopqrstuvwxyz0123456789+/=";
        l.n = 0;
        put_str(&l, "\\x16\\x03\\x01");
        for (int64_t n = rng_range(r, 10, 80); n > 0; n--)
            put_char(&l, junk[rng_range(r, 0, (int64_t)sizeof junk - 2)]);
        put_char(&l, '\n');
    }
    out_line(&g->main, l.p, l.n);
    g->malformed_written++;
}

/* End time in ms within the day, drawn from an hourly profile, kept DAY_MARGIN_MS
 * away from midnight. */
static int64_t time_in_day(struct rng *r, const unsigned *hours, int64_t lo, int64_t hi)
{
    if (hours) {
        unsigned h = rng_weighted(r, hours, 24);
        lo = h * MS_PER_HOUR;
        hi = lo + MS_PER_HOUR;
    }
    if (lo < DAY_MARGIN_MS)
        lo = DAY_MARGIN_MS;
    if (hi > MS_PER_DAY - DAY_MARGIN_MS)
        hi = MS_PER_DAY - DAY_MARGIN_MS;
    return rng_range(r, lo, hi - 1);
}

/* Relative weight of day `d` (days since epoch) for site `s`, or for noise. */
static unsigned day_weight(int s, int64_t d)
{
    unsigned wd = weekday(d);
    bool weekend = wd >= 5;
    switch (s) {
    case CHURN:
        return weekend ? 0 : 10;
    case WEEKLY:
        return wd >= 1 && wd <= 4 ? 10 : 0; /* Tuesday to Friday */
    case TRIAGE:
        return weekend ? 3 : 10;
    case FRAUD:
        return weekend ? 8 : 10;
    default:
        return weekend ? 6 : 10;
    }
}

/* Spread `n` over the days by weight, one draw each. */
static void spread(struct rng *r, int s, const struct options *o, uint64_t n, uint64_t *per_day)
{
    unsigned w[MAX_DAYS];
    unsigned total = 0;
    for (unsigned d = 0; d < o->days; d++)
        total += w[d] = day_weight(s, o->start_day + d);
    memset(per_day, 0, o->days * sizeof *per_day);
    if (!total)
        return;
    for (uint64_t i = 0; i < n; i++)
        per_day[rng_weighted(r, w, o->days)]++;
}

static void emit_until(struct gen *g, int64_t end_ms)
{
    while (g->heap.n && ((const struct item *)gen_heap_at(&g->heap, 0))->end_ms <= end_ms) {
        struct item it;
        gen_heap_pop(&g->heap, &it);
        write_item(g, &it);
    }
}

/* Run the whole workload into g's outputs. */
static void generate(struct gen *g)
{
    g->heap = (struct gen_heap){ .size = sizeof(struct item), .less = item_less };
    const struct options *o = g->o;
    struct rng *r = &g->rng;
    rng_seed(r, o->seed);
    g->clock.sec = -1;
    int64_t start_ms = o->start_day * MS_PER_DAY;
    g->window_end_ms = start_ms + (int64_t)o->days * MS_PER_DAY;

    uint64_t *noise_day = calloc(o->days, sizeof *noise_day);
    uint64_t left = o->calls, total_prims = 0;
    for (int s = 0; s < N_SITES; s++) {
        uint64_t n = s == N_SITES - 1 ? left : (uint64_t)llround((double)o->calls * sites[s].share);
        if (n > left)
            n = left;
        left -= n;
        g->truth[s].per_day = calloc(o->days, sizeof(uint64_t));
        spread(r, s, o, n, g->truth[s].per_day);
        for (unsigned d = 0; d < o->days; d++)
            total_prims += g->truth[s].per_day[d];
    }
    spread(r, -1, o, (uint64_t)llround((double)o->calls * o->noise), noise_day);
    for (unsigned d = 0; d < o->days; d++)
        total_prims += noise_day[d];

    /* Malformed lines go before primaries drawn past the first fifth of the log,
     * so that format detection sees good lines first. */
    struct vec bad = { 0 };
    for (uint64_t i = 0; i < o->malformed && total_prims; i++)
        vec_push(&bad, rng_range(r, (int64_t)total_prims / 5, (int64_t)total_prims - 1));
    if (bad.n)
        qsort(bad.v, bad.n, sizeof *bad.v, i64_cmp);

    /* The weekly report: every Monday at 07:00 UTC. */
    for (unsigned d = 0; d < o->days; d++) {
        if (weekday(o->start_day + d) != 0)
            continue;
        struct item b = { .kind = K_BULK, .site = WEEKLY, .seq = g->seq++ };
        b.start_ms = start_ms + d * MS_PER_DAY + 7 * MS_PER_HOUR + rng_range(r, 0, 1999);
        b.end_ms = b.start_ms + rng_range(r, 1500, 5000);
        gen_heap_push(&g->heap, &b);
    }

    uint64_t prim_index = 0;
    size_t next_bad = 0;
    for (unsigned d = 0; d < o->days; d++) {
        uint64_t n = noise_day[d];
        for (int s = 0; s < N_SITES; s++)
            n += g->truth[s].per_day[d];
        struct item *day = calloc(n ? n : 1, sizeof *day);
        if (!day) {
            fprintf(stderr, "gen-log: out of memory\n");
            exit(3);
        }
        int64_t base = start_ms + d * MS_PER_DAY;
        size_t k = 0;
        for (int s = 0; s < N_SITES; s++) {
            const unsigned *hours = s == FRAUD || s == SUMMARY ? diurnal
                                    : s == TRIAGE             ? office
                                                              : NULL;
            int64_t lo = s == CHURN ? 6 * MS_PER_HOUR : 9 * MS_PER_HOUR;
            int64_t hi = s == CHURN ? 18 * MS_PER_HOUR : 17 * MS_PER_HOUR;
            for (uint64_t i = 0; i < g->truth[s].per_day[d]; i++, k++) {
                day[k].kind = K_CALL;
                day[k].site = (uint8_t)s;
                day[k].end_ms = base + time_in_day(r, hours, lo, hi);
                day[k].start_ms =
                    day[k].end_ms - rng_range(r, sites[s].lat_lo, sites[s].lat_hi);
                day[k].seq = g->seq++;
            }
        }
        for (uint64_t i = 0; i < noise_day[d]; i++, k++) {
            day[k].kind = (uint8_t)rng_weighted(r, noise_weights, N_KINDS);
            day[k].end_ms = base + time_in_day(r, diurnal, 0, 0);
            day[k].start_ms = day[k].end_ms - (day[k].kind == K_HEALTH   ? rng_range(r, 0, 2)
                                               : day[k].kind == K_STATIC ? rng_range(r, 0, 20)
                                                                         : rng_range(r, 5, 300));
            day[k].seq = g->seq++;
        }
        qsort(day, n, sizeof *day, item_cmp);
        for (size_t i = 0; i < n; i++, prim_index++) {
            emit_until(g, day[i].end_ms);
            while (next_bad < bad.n && (uint64_t)bad.v[next_bad] == prim_index) {
                write_malformed(g, day[i].end_ms);
                next_bad++;
            }
            if (day[i].kind == K_CALL) {
                day[i].serial = g->call_serial++;
                g->truth[day[i].site].calls++;
                plan_reads(g, &day[i]);
            }
            write_item(g, &day[i]);
        }
        free(day);
    }
    emit_until(g, g->window_end_ms - 1);
    out_flush(&g->main);
    out_flush(&g->reads);
    free(noise_day);
    free(bad.v);
    gen_heap_free(&g->heap);
    g->heap = (struct gen_heap){ .size = sizeof(struct item), .less = item_less };
}

static void gen_release(struct gen *g)
{
    for (int s = 0; s < N_SITES; s++) {
        free(g->truth[s].waits.v);
        free(g->truth[s].per_day);
    }
    free(g->weekly_pending.v);
}

static void write_truth(struct gen *g, FILE *f)
{
    const struct options *o = g->o;
    char date[32];
    format_date(o->start_day, date);
    fprintf(f, "# gen-log ground truth: key=value; waits are first read start minus call end\n");
    fprintf(f, "seed=%llu\nstart=%s\ndays=%u\n", (unsigned long long)o->seed, date, o->days);
    fprintf(f, "window_start_ms=%lld\nwindow_end_ms=%lld\n",
            (long long)(o->start_day * MS_PER_DAY), (long long)g->window_end_ms);
    fprintf(f, "lines=%llu\nlines.main=%llu\nlines.reads=%llu\nbytes=%llu\nmalformed=%llu\n",
            (unsigned long long)(g->main.lines + g->reads.lines),
            (unsigned long long)g->main.lines, (unsigned long long)g->reads.lines,
            (unsigned long long)(g->main.bytes + g->reads.bytes),
            (unsigned long long)g->malformed_written);
    uint64_t calls = 0;
    for (int s = 0; s < N_SITES; s++)
        calls += g->truth[s].calls;
    fprintf(f, "calls=%llu\n", (unsigned long long)calls);
    for (int s = 0; s < N_SITES; s++) {
        struct site_truth *t = &g->truth[s];
        const char *n = sites[s].name;
        fprintf(f, "%s.calls=%llu\n%s.reads=%llu\n%s.read_lines=%llu\n%s.verdict=%s\n", n,
                (unsigned long long)t->calls, n, (unsigned long long)t->reads, n,
                (unsigned long long)t->read_lines, n, sites[s].verdict);
        if (t->waits.n) {
            qsort(t->waits.v, t->waits.n, sizeof *t->waits.v, i64_cmp);
            /* nearest rank: the smallest value with at least half at or below it */
            size_t rank = (t->waits.n + 1) / 2;
            int64_t p50 = t->waits.v[rank - 1];
            fprintf(f, "%s.p50_wait_ms=%lld\n%s.min_wait_ms=%lld\n%s.max_wait_ms=%lld\n", n,
                    (long long)p50, n, (long long)t->waits.v[0], n,
                    (long long)t->waits.v[t->waits.n - 1]);
        }
        for (unsigned d = 0; d < o->days; d++) {
            format_date(o->start_day + d, date);
            fprintf(f, "day.%s.%s.calls=%llu\n", date, n, (unsigned long long)t->per_day[d]);
        }
    }
}

/* ---- command line: argv is trusted text, but conversions are still checked ---- */

/* "1", "0.5", ".25": digits with an optional fraction. */
static bool parse_ratio(const char *s, double *out)
{
    double v = 0, scale = 0;
    bool any = false;
    for (; *s; s++) {
        if (*s == '.' && scale == 0) {
            scale = 1;
        } else if (*s >= '0' && *s <= '9') {
            any = true;
            if (scale)
                v += (*s - '0') * (scale /= 10);
            else
                v = v * 10 + (*s - '0');
        } else {
            return false;
        }
    }
    *out = v;
    return any && v <= 1000;
}

static bool parse_date(const char *s, int64_t *days)
{
    uint64_t y, m, d;
    char a[5], b[3], c[3];
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    memcpy(a, s, 4);
    a[4] = 0;
    memcpy(b, s + 5, 2);
    b[2] = 0;
    memcpy(c, s + 8, 2);
    c[2] = 0;
    if (!parse_u64(a, &y) || !parse_u64(b, &m) || !parse_u64(c, &d) || y < 1971 ||
        y > 9000 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *days = days_from_civil((int64_t)y, (unsigned)m, (unsigned)d);
    return true;
}

static const char usage[] =
    "usage: gen-log [-o FILE] [--reads-to FILE] [--truth FILE] [--seed N] [--days N]\n"
    "               [--start YYYY-MM-DD] [--calls N | --size BYTES[K|M|G]] [--noise R]\n"
    "               [--malformed N] [--jsonl] [--print-format]\n"
    "\n"
    "Writes an nginx access log of five inference call sites (churn batch, fraud\n"
    "realtime, summary unused, triage streaming, weekly bulk report) plus noise, in\n"
    "time order, deterministic for a seed. --reads-to puts the reads (and half the\n"
    "health checks) in a second file; --truth writes what the analysis must find.\n"
    "--jsonl writes the same workload as JSON lines (one object per request: ts,\n"
    "latency_ms, kind, method, route, path, status, bytes, id, result_id, client.*,\n"
    "request.headers.*) for the rules of tests/cli/jsonl.sh.\n"
    "Defaults: stdout, seed 1, 14 days from 2026-11-02 (a Monday), 5000 calls,\n"
    "noise 1 line per call, no malformed lines. Calls go to the days each site\n"
    "works (churn weekdays, weekly Tuesday to Friday): a window without such a day\n"
    "gets fewer calls; the truth file counts what was written.\n";

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "gen-log: bad %s '%s'\n%s", what, arg ? arg : "", usage);
    return 2;
}

/* Bytes that `calls` calls make with the other options, without writing them. */
static uint64_t dry_run(const struct options *o, uint64_t calls)
{
    struct options c = *o;
    c.calls = calls;
    c.malformed = 0;
    struct gen g = { .o = &c };
    g.main.buf = malloc(OUT_BLOCK);
    g.reads.buf = malloc(OUT_BLOCK);
    g.reads_split = o->reads_path != NULL;
    generate(&g);
    free(g.main.buf);
    free(g.reads.buf);
    gen_release(&g);
    return g.main.bytes + g.reads.bytes;
}

int main(int argc, char **argv)
{
    struct options o = { .seed = 1, .days = 14, .calls = 5000, .noise = 1.0 };
    o.start_day = days_from_civil(2026, 11, 2);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        static const char *const with_value[] = { "-o", "--reads-to", "--truth", "--seed",
                                                  "--days", "--start", "--calls", "--size",
                                                  "--noise", "--malformed" };
        bool takes = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            takes = takes || strcmp(a, with_value[k]) == 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(a, "--jsonl") == 0) {
            o.jsonl = true;
            continue;
        }
        if (strcmp(a, "--print-format") == 0) {
            puts(gen_format);
            return 0;
        }
        if (!takes)
            return bad_usage("argument", a);
        if (!v)
            return bad_usage("option (no value)", a);
        if (strcmp(a, "-o") == 0)
            o.out_path = v;
        else if (strcmp(a, "--reads-to") == 0)
            o.reads_path = v;
        else if (strcmp(a, "--truth") == 0)
            o.truth_path = v;
        else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, &o.seed))
                return bad_usage("--seed", v);
        } else if (strcmp(a, "--days") == 0) {
            uint64_t d;
            if (!parse_u64(v, &d) || d < 1 || d > MAX_DAYS)
                return bad_usage("--days (1-3660)", v);
            o.days = (unsigned)d;
        } else if (strcmp(a, "--start") == 0) {
            if (!parse_date(v, &o.start_day))
                return bad_usage("--start (YYYY-MM-DD)", v);
        } else if (strcmp(a, "--calls") == 0) {
            if (!parse_u64(v, &o.calls) || o.calls > UINT64_C(1) << 32)
                return bad_usage("--calls", v);
        } else if (strcmp(a, "--size") == 0) {
            if (!parse_size(v, &o.size) || o.size < 1024 || o.size > UINT64_C(1) << 40)
                return bad_usage("--size", v);
        } else if (strcmp(a, "--noise") == 0) {
            if (!parse_ratio(v, &o.noise))
                return bad_usage("--noise", v);
        } else if (strcmp(a, "--malformed") == 0) {
            if (!parse_u64(v, &o.malformed) || o.malformed > 1000000)
                return bad_usage("--malformed", v);
        } else {
            return bad_usage("argument", a);
        }
        i++;
    }
    if (o.size) { /* calibrate bytes per call on a small run, then scale */
        uint64_t bytes = dry_run(&o, CALIBRATE_CALLS);
        double per_call = (double)bytes / CALIBRATE_CALLS;
        o.calls = (uint64_t)((double)o.size / per_call);
        if (o.calls < 1)
            o.calls = 1;
    }

    struct gen g = { .o = &o };
    g.main = (struct out){ .f = gen_open_out("gen-log", o.out_path), .path = o.out_path };
    g.main.buf = malloc(OUT_BLOCK);
    g.reads.buf = malloc(OUT_BLOCK);
    if (!g.main.buf || !g.reads.buf) {
        fprintf(stderr, "gen-log: out of memory\n");
        return 3;
    }
    if (o.reads_path) {
        g.reads.f = gen_open_out("gen-log", o.reads_path);
        g.reads.path = o.reads_path;
        g.reads_split = true;
    }
    generate(&g);
    gen_close_out("gen-log", g.main.f, o.out_path);
    if (g.reads.f)
        gen_close_out("gen-log", g.reads.f, o.reads_path);
    if (o.truth_path) {
        FILE *t = gen_open_out("gen-log", o.truth_path);
        write_truth(&g, t);
        gen_close_out("gen-log", t, o.truth_path);
    }
    free(g.main.buf);
    free(g.reads.buf);
    gen_release(&g);
    return 0;
}
