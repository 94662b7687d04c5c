/*
 * rules.h - the rules language, version 1 (PRODUCT.md §3): lexer, parser,
 * checker and the evaluation of its expressions. rules_load() turns a file into
 * a struct rules that lives in the caller's arena; everything in it (names,
 * strings, nodes) is owned by that arena and is read-only afterwards.
 *
 * Errors never stop at the first: the parser records each one as
 * "FILE:LINE:COL: message", the source line and a caret, skips to the next line
 * and goes on, up to LIMIT_RULE_ERRORS. Any error means no struct rules.
 */
#ifndef TEMPO_RULES_H
#define TEMPO_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "decode.h"
#include "err.h"
#include "event.h"
#include "span.h"

/* Metrics a verdict may test, per call site (PRODUCT.md §3). */
enum rules_metric {
    METRIC_CALLS,
    METRIC_READS,
    METRIC_READ_SHARE,
    METRIC_TOLERANT_SHARE,
    METRIC_TOLERANT_SHARE_LO,
    METRIC_MIN_WAIT,
    METRIC_P50_WAIT,
    METRIC_P90_WAIT,
    METRIC_P95_WAIT,
    METRIC_P99_WAIT,
    METRIC_MAX_WAIT,
    METRIC_P50_LATENCY,
    METRIC_P99_LATENCY,
    METRIC_CALLS_PER_DAY,
    METRIC_DELAY,
    METRIC_CONFIDENCE,
    METRIC_COUNT
};

/* Values of the metrics for one site. Durations in seconds, shares 0..1,
 * counts as numbers; has[m] false when a metric has no value (no reads: no
 * wait quantiles), and then every comparison with it is false. */
struct rules_metrics {
    double v[METRIC_COUNT];
    bool has[METRIC_COUNT];
};

/* Metric name ("p50_wait") of an enum value; and the reverse (-1 if unknown). */
const char *rules_metric_name(enum rules_metric m);
int rules_metric_of(struct span name);

enum rules_node_kind {
    NODE_AND,
    NODE_OR,
    NODE_NOT,
    NODE_CMP,      /* lhs op rhs */
    NODE_ATTR,     /* an event attribute by name (match expressions) */
    NODE_METRIC,   /* a metric (verdict expressions) */
    NODE_STRING,   /* "text" */
    NODE_NUMBER,   /* 42, 0.5 */
    NODE_DURATION, /* 1h: value in seconds */
    NODE_SHARE,    /* 99%: value 0.99 */
    NODE_BOOL,     /* true / false */
};

enum rules_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_GLOB };

struct rules_node {
    enum rules_node_kind kind;
    enum rules_cmp op;            /* NODE_CMP */
    struct rules_node *lhs, *rhs; /* AND, OR, CMP; NOT uses lhs */
    struct span text;             /* ATTR name, STRING value, NUMBER, DURATION, SHARE,
                                     METRIC, BOOL: source text (owned by the arena) */
    double num;                   /* NUMBER, DURATION (s), SHARE (0..1), BOOL (0/1) */
    enum rules_metric metric;     /* METRIC */
    unsigned line, col;           /* of the token (CMP, AND, OR, NOT: the operator) */
    unsigned len;                 /* bytes of that token in the file; 0 for built-ins */
};

/* A compiled PATH pattern: literal bytes, {name} (one segment, no '/') and
 * '*' (any run of bytes, '/' included). A query string in the path is ignored
 * when matching. */
enum rules_seg_kind { SEG_LITERAL, SEG_CAPTURE, SEG_ANY };
struct rules_seg {
    enum rules_seg_kind kind;
    struct span text; /* LITERAL: bytes; CAPTURE: the capture's name */
};
struct rules_path {
    struct span text; /* the pattern as written */
    unsigned n_segs;
    struct rules_seg *segs;
};

struct rules_site {
    struct span name;
    unsigned line, col; /* first call rule that names it */
};

/* `call` and `read` rules share one shape. */
struct rules_match {
    unsigned site;            /* index into rules.sites */
    struct span method;       /* empty: any method (a `where` rule) */
    struct rules_path path;   /* n_segs == 0 for a `where` rule */
    struct rules_node *where; /* NULL for a METHOD PATH rule */
    struct span key;          /* key=ATTR, or "key" when the path captures {key}; empty: none */
    struct span key2;         /* second key of a call rule (key=A,B); empty: none */
    struct span by;           /* by=ATTR; empty: none */
    bool bulk;                /* read rules only */
    unsigned line, col;
};

struct rules_verdict {
    struct span name;        /* realtime, batch, ... or the user's own */
    struct rules_node *when; /* NULL: always */
    unsigned line, col;
};

struct rules_keep {
    unsigned site;
    struct span reason;
    unsigned line, col;
};

enum rules_price_kind {
    PRICE_PER_CALL,  /* realtime $X/call  batch $Y/call | batch N% */
    PRICE_PER_TOKEN, /* realtime $X/1M-in $Y/1M-out  batch $../1M-in $../1M-out | batch N% */
    PRICE_GPU,       /* gpu $X/h  realtime N/s xR  batch M/s */
};

struct rules_price {
    unsigned site;
    enum rules_price_kind kind;
    struct span provider; /* openai, anthropic, gemini, vertex, bedrock, azure; empty: none */
    double rt_per_call;   /* USD */
    double rt_per_m_in, rt_per_m_out;
    bool batch_is_share; /* `batch 50%`: batch = realtime x (1 - share) */
    double batch_share;  /* the discount, 0..1 */
    double batch_per_call;
    double batch_per_m_in, batch_per_m_out;
    double gpu_per_hour; /* USD per GPU hour */
    double rt_per_s;     /* realtime throughput per replica, calls/s */
    unsigned replicas;   /* xR */
    double batch_per_s;  /* batch throughput, calls/s */
    unsigned line, col;
};

struct rules_jsonl {
    bool is_set;
    struct span time;     /* field holding the time; empty: ts, timestamp, time, @timestamp */
    bool at_start;        /* at=start (default end) */
    struct span duration; /* field holding the duration; empty: none */
    int64_t unit_us;      /* unit=ms|s|us|ns of the duration, in µs (ns: 0 means 1/1000);
                             ms (1000) unless told */
    unsigned line;
};

struct rules_logformat {
    struct logformat fmt;
    unsigned line, col;
};

struct rules {
    const char *path;      /* borrowed: argv or static */
    unsigned version;      /* `tempo 1` */
    int64_t delay_us;      /* default 1h */
    double confidence;     /* default 0.99 */
    uint64_t min_calls;    /* default 100 */
    int64_t batch_time_us; /* default 30m */
    unsigned delay_line, confidence_line;

    struct rules_site *sites;
    unsigned n_sites;
    struct rules_match *calls;
    unsigned n_calls;
    struct rules_match *reads;
    unsigned n_reads;
    struct rules_verdict *verdicts; /* the four defaults of §3 when the file has none */
    unsigned n_verdicts;
    struct rules_keep *keeps;
    unsigned n_keeps;
    struct rules_price *prices;
    unsigned n_prices;
    struct rules_logformat *logformats;
    unsigned n_logformats;
    struct rules_jsonl jsonl;
    /* A hash of what decides which calls and reads a store holds: the tokens
     * of the call, read, logformat and jsonl statements, in order (not their
     * comments or spacing). A store remembers it (issue 8): verdicts, prices,
     * keeps and settings may change between runs, these may not. */
    uint64_t match_digest;
};

/* Parse and check `text` (the contents of file `path`). On success returns the
 * rules, allocated in `a`. On failure returns NULL, appends every diagnostic to
 * `diag` (each "FILE:LINE:COL: message\n    source line\n    caret\n") and
 * fills *e with exit 2 and "N errors in FILE". */
struct rules *rules_parse(struct arena *a, const char *path, struct span text, struct buf *diag,
                          struct err *e) WARN_UNUSED;

/* Read file `path` (LIMIT_RULES_FILE at most) and rules_parse() it. A file that
 * cannot be read is exit 2 naming it. */
struct rules *rules_load(struct arena *a, const char *path, struct buf *diag,
                         struct err *e) WARN_UNUSED;

/* Evaluate a match expression on an event. An attribute that is absent (or
 * ATTR_NULL) makes its comparison false (and `!=` true). Comparisons with a
 * NUMBER literal read the attribute as a number ("200" == 200); one that is not
 * a number compares false (and `!=` true), like an absent one. With a STRING
 * literal they compare bytes (memcmp order for < and >); `~` is a glob
 * (span_glob); `true`/`false` compare the attribute's text. */
bool rules_eval_event(const struct rules_node *n, const struct event *ev);

/* Evaluate a verdict expression on a site's metrics. */
bool rules_eval_metrics(const struct rules_node *n, const struct rules_metrics *m);

/* Write an expression back as text (for reasons and tests), e.g.
 * "read_share < 1%". */
int rules_node_format(const struct rules_node *n, struct buf *out) WARN_UNUSED;

/* Index of the site called `name`, or -1. */
int rules_site_of(const struct rules *r, struct span name);

#endif
