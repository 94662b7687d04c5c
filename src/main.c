/*
 * main.c - the command line (PRODUCT.md §5): parses arguments, runs the
 * pipeline sources -> decoders -> matcher -> store -> analysis -> verdicts ->
 * reporters, and is the only place that prints a run-level error and exits.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "decode.h"
#include "match.h"
#include "report.h"
#include "rules.h"
#include "source.h"
#include "store.h"
#include "utc.h"
#include "verdict.h"

#ifndef TEMPO_VERSION
#define TEMPO_VERSION "0.0.0"
#endif
#ifndef TEMPO_RULES_DIR
#define TEMPO_RULES_DIR "/usr/local/share/tempo/rules"
#endif

static const char usage_main[] =
    "usage: tempo COMMAND [OPTIONS] [SOURCE...]\n"
    "\n"
    "Tempo reads access logs and measures how long each AI inference result waited\n"
    "before anyone read it, then says which call sites could move to batch.\n"
    "\n"
    "commands:\n"
    "  audit        measure the sources and print each call site's verdict\n"
    "  ingest       read sources into a store (--db) for later audits\n"
    "  report       write the migration report (HTML, Markdown, JSON, CSV, charts)\n"
    "  gate         fail a CI job on fake urgency and on drift (exit 1)\n"
    "  rules check  lint a rules file without reading any input\n"
    "  help CMD     show the help of a command\n"
    "\n"
    "options: --help, --version. Exit codes: 0 done, 1 gate finding, 2 bad usage,\n"
    "rules or input, 3 internal error. See README.md.\n";

static const char usage_audit[] =
    "usage: tempo audit [-r RULES] [--db FILE] [--format table|json|md] [--since T]\n"
    "                   [--until T] [--strict] [--input-format NAME] SOURCE...\n"
    "\n"
    "Reads each SOURCE (a file, or - for standard input; gzip is detected), matches\n"
    "its calls and reads with the rules and prints one row per call site: verdict,\n"
    "calls, reads, read share, tolerant share and its 95% Wilson lower bound, wait\n"
    "quantiles, latency, calls per day, monthly cost now and as batch, and why.\n"
    "\n"
    "  -r, --rules FILE     rules file (default ./tempo.rules, else the shipped\n"
    "                       rules/default.rules)\n"
    "  --db FILE            keep calls and reads in this SQLite file (default: memory);\n"
    "                       with no SOURCE, audit what the store already holds; given\n"
    "                       again (--db A --db B), audit the stores merged\n"
    "  --format F           table (default), json (PRODUCT.md §6) or md\n"
    "  --since T, --until T only events that start in [T, until); T is RFC 3339\n"
    "                       (2026-11-01T00:00:00Z), a date, or epoch seconds\n"
    "  --strict             stop at the first line that cannot be parsed (exit 2)\n"
    "  --input-format NAME  do not detect: 'access', or a log format's name\n"
    "                       (combined, common, or a rules file's logformat)\n"
    "\n"
    "Lines that cannot be parsed are counted and the first five shown on standard\n"
    "error as FILE:LINE: reason; they never stop the run unless --strict.\n";

static const char usage_ingest[] =
    "usage: tempo ingest [-r RULES] --db FILE [--shard I/N] [--since T] [--until T]\n"
    "                    [--strict] [--input-format NAME] SOURCE...\n"
    "\n"
    "Reads the sources into the SQLite store FILE; `tempo audit --db FILE` then\n"
    "audits everything the store holds. Run it again and again: a log already read\n"
    "is read on from where it stopped (a half-written last line waits), a rotated,\n"
    "copied, truncated or gzip'd log is known by its first 4 KiB, captures and OTLP\n"
    "are read once, and a run killed at any moment loses and repeats nothing.\n"
    "\n"
    "  --shard I/N   keep only the calls and reads whose key hashes to I of N (bulk\n"
    "                reads: all); `tempo audit --db S1 --db S2 ...` merges the N\n"
    "                stores into exactly the figures of one\n";

static const char usage_report[] =
    "usage: tempo report [-r RULES] [--db FILE] [-o DIR] [--no-charts] [--since T]\n"
    "                    [--until T] [--strict] [--input-format NAME] [SOURCE...]\n"
    "\n"
    "Audits the sources (and/or the store) and writes the migration report into DIR\n"
    "(default reports/YYYY-MM-DD, today in UTC): report.html (one self-contained\n"
    "page, charts inline), report.md, report.json (PRODUCT.md §6), sites.csv and the\n"
    "charts as SVG files, drawn by gnuplot (Debian: gnuplot-nox).\n"
    "\n"
    "  -o, --out DIR   where to write (created if missing; files in it are replaced)\n"
    "  --no-charts     do not run gnuplot; the report has no charts\n"
    "  other options   as for 'tempo audit'\n";

static const char usage_gate[] =
    "usage: tempo gate [-r RULES] [--db FILE] [--baseline REPORT.json] [--junit FILE]\n"
    "                  [--summary FILE] [--sarif FILE] [--format text|github]\n"
    "                  [--since T] [--until T] [--strict] [--input-format NAME] [SOURCE...]\n"
    "\n"
    "Audits the sources and fails (exit 1) on each finding: fake urgency (a site\n"
    "whose verdict is batch or unused and that no `keep` names) and, against a\n"
    "baseline report (from audit --format json or report), drift (a site that was\n"
    "batch or streaming whose p50 wait fell below delay, or whose verdict moved\n"
    "toward realtime). Findings the baseline already lists are shown as known and\n"
    "do not fail. Exit 0: no new finding; 1: findings; 2: bad usage, rules or input;\n"
    "3: internal error.\n"
    "\n"
    "  --baseline FILE  a JSON report of an earlier run\n"
    "  --format F       text (default: one line per finding) or github (workflow\n"
    "                   commands: annotations on the rules file's lines)\n"
    "  --summary FILE   Markdown for a pull-request comment (under 65,536 characters)\n"
    "  --junit FILE     JUnit XML: one testcase per site, a failure per finding\n"
    "  --sarif FILE     SARIF 2.1.0, each finding at its call rule in the rules file\n"
    "  other options    as for 'tempo audit'\n";

static const char usage_rules[] =
    "usage: tempo rules check FILE\n"
    "\n"
    "Parses and checks a rules file without reading any input: exit 0 when it is\n"
    "good, 2 with every error as FILE:LINE:COL: message, the line and a caret.\n";

struct opts {
    const char *rules_path;
    const char *db;
    const char *format;
    const char *input_format;
    const char *out_dir;
    const char *baseline, *junit, *summary, *sarif;
    bool strict, no_charts;
    int64_t since_us, until_us;
    const char *sources[LIMIT_SOURCES];
    unsigned n_sources;
    const char *dbs[LIMIT_SOURCES]; /* --db, each; db is the first */
    unsigned n_dbs;
    unsigned shard_i, shard_n;      /* --shard I/N; shard_n 0: all */
};

static int die(const struct err *e)
{
    char msg[600];
    err_format(e, msg, sizeof msg);
    fprintf(stderr, "tempo: %s\n", msg);
    return e->exit_code ? e->exit_code : EXIT_INTERNAL;
}

static int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tempo: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nrun 'tempo help %s' for usage\n", cmd);
    return EXIT_USAGE;
}

static bool file_exists(const char *p)
{
    return access(p, R_OK) == 0;
}

/* -r, else ./tempo.rules, else the installed default, else one found from the
 * binary's own place: PREFIX/bin/tempo -> PREFIX/share/tempo/rules, and
 * build/tempo -> rules/ of the source tree. */
static const char *find_rules(const char *given, char *spare, size_t cap)
{
    static const char *const beside[] = { "/../share/tempo/rules/default.rules",
                                          "/../rules/default.rules" };
    if (given)
        return given;
    if (file_exists("tempo.rules"))
        return "tempo.rules";
    if (file_exists(TEMPO_RULES_DIR "/default.rules"))
        return TEMPO_RULES_DIR "/default.rules";
    ssize_t n = readlink("/proc/self/exe", spare, cap - 64);
    char *slash = NULL;
    for (ssize_t i = 0; i < n; i++)
        if (spare[i] == '/')
            slash = spare + i;
    for (unsigned i = 0; slash && i < 2; i++) {
        snprintf(slash, cap - (size_t)(slash - spare), "%s", beside[i]);
        if (file_exists(spare))
            return spare;
    }
    return TEMPO_RULES_DIR "/default.rules";
}

static int parse_time_opt(const char *arg, int64_t *us, struct err *e)
{
    if (!utc_parse_any(span_of(arg), us))
        return err_at(e, EXIT_USAGE, NULL, 0, 0,
                      "bad time '%s' (expected RFC 3339 like 2026-11-01T00:00:00Z, "
                      "a date 2026-11-01, or epoch seconds)",
                      arg);
    return 0;
}

/* --shard I/N: this run keeps the calls and reads whose key hashes to I of N. */
static int parse_shard(const char *text, struct opts *o, struct err *e)
{
    struct span rest = span_of(text), first;
    uint64_t i, n;
    if (!span_cut(&rest, '/', &first) || !span_to_u64(first, &i) || !span_to_u64(rest, &n) ||
        n < 1 || n > 4096 || i < 1 || i > n)
        return err_at(e, EXIT_USAGE, NULL, 0, 0,
                      "--shard '%s': expected I/N with 1 <= I <= N <= 4096, e.g. 2/8", text);
    o->shard_i = (unsigned)i;
    o->shard_n = (unsigned)n;
    return 0;
}

/* Parse the options shared by audit and ingest; returns -1 with a message. */
static int parse_opts(int argc, char **argv, const char *cmd, struct opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    o->format = "table";
    o->since_us = INT64_MIN;
    o->until_us = INT64_MAX;
    bool only_sources = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!only_sources && a[0] == '-' && a[1] != 0) {
            bool takes = strcmp(a, "-r") == 0 || strcmp(a, "--rules") == 0 ||
                         strcmp(a, "--db") == 0 || strcmp(a, "--format") == 0 ||
                         strcmp(a, "--since") == 0 || strcmp(a, "--until") == 0 ||
                         strcmp(a, "--input-format") == 0 || strcmp(a, "-o") == 0 ||
                         strcmp(a, "--out") == 0 || strcmp(a, "--baseline") == 0 ||
                         strcmp(a, "--junit") == 0 || strcmp(a, "--summary") == 0 ||
                         strcmp(a, "--sarif") == 0 || strcmp(a, "--shard") == 0;
            if (strcmp(a, "--") == 0) {
                only_sources = true;
                continue;
            }
            if (strcmp(a, "--strict") == 0) {
                o->strict = true;
                continue;
            }
            if (strcmp(a, "--no-charts") == 0 && strcmp(cmd, "report") == 0) {
                o->no_charts = true;
                continue;
            }
            if ((strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0) && strcmp(cmd, "report") != 0)
                return err_at(e, EXIT_USAGE, NULL, 0, 0,
                              "option '%s' is for 'tempo report' (see 'tempo help %s')", a, cmd);
            bool gate_only = strcmp(a, "--baseline") == 0 || strcmp(a, "--junit") == 0 ||
                             strcmp(a, "--summary") == 0 || strcmp(a, "--sarif") == 0;
            if (gate_only && strcmp(cmd, "gate") != 0)
                return err_at(e, EXIT_USAGE, NULL, 0, 0,
                              "option '%s' is for 'tempo gate' (see 'tempo help %s')", a, cmd);
            if (!takes)
                return err_at(e, EXIT_USAGE, NULL, 0, 0,
                              "unknown option '%s' for %s (see 'tempo help %s')", a, cmd, cmd);
            if (!next)
                return err_at(e, EXIT_USAGE, NULL, 0, 0, "option '%s' needs a value", a);
            i++;
            if (a[1] == 'r' || strcmp(a, "--rules") == 0)
                o->rules_path = next;
            else if (strcmp(a, "--db") == 0 && o->n_dbs == LIMIT_SOURCES)
                return err_at(e, EXIT_USAGE, NULL, 0, 0, "more than %d stores", LIMIT_SOURCES);
            else if (strcmp(a, "--db") == 0) {
                o->dbs[o->n_dbs++] = next;
                o->db = o->dbs[0];
            }
            else if (strcmp(a, "--shard") == 0 && parse_shard(next, o, e) < 0)
                return -1;
            else if (strcmp(a, "--format") == 0)
                o->format = next;
            else if (strcmp(a, "--input-format") == 0)
                o->input_format = next;
            else if (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0)
                o->out_dir = next;
            else if (strcmp(a, "--baseline") == 0)
                o->baseline = next;
            else if (strcmp(a, "--junit") == 0)
                o->junit = next;
            else if (strcmp(a, "--summary") == 0)
                o->summary = next;
            else if (strcmp(a, "--sarif") == 0)
                o->sarif = next;
            else if (strcmp(a, "--since") == 0 && parse_time_opt(next, &o->since_us, e) < 0)
                return -1;
            else if (strcmp(a, "--until") == 0 && parse_time_opt(next, &o->until_us, e) < 0)
                return -1;
            continue;
        }
        if (o->n_sources >= LIMIT_SOURCES)
            return err_at(e, EXIT_USAGE, NULL, 0, 0, "more than %d sources", LIMIT_SOURCES);
        o->sources[o->n_sources++] = a;
    }
    if (strcmp(cmd, "gate") == 0) {
        if (strcmp(o->format, "table") == 0)
            o->format = "text";
        if (strcmp(o->format, "text") != 0 && strcmp(o->format, "github") != 0)
            return err_at(e, EXIT_USAGE, NULL, 0, 0,
                          "unknown format '%s' for gate (expected text or github)", o->format);
    } else if (!report_find(o->format)) {
        return err_at(e, EXIT_USAGE, NULL, 0, 0,
                      "unknown format '%s' (expected table, json or md)", o->format);
    }
    if (o->since_us >= o->until_us)
        return err_at(e, EXIT_USAGE, NULL, 0, 0, "--since must be before --until");
    return 0;
}

static struct rules *load_rules(struct arena *a, const char *given, char *spare, size_t cap,
                                struct err *e)
{
    struct buf diag;
    buf_init(&diag, (size_t)4 << 20);
    const char *path = find_rules(given, spare, cap);
    struct rules *r = rules_load(a, path, &diag, e);
    if (!r && diag.len)
        fwrite(diag.p, 1, diag.len, stderr);
    buf_release(&diag);
    return r;
}

/* The lines this run skipped: errors from `from` on, of skipped lines past
 * `skipped_before` (a resumed source has both from earlier runs). */
static void print_skips(const struct source_stats *st, unsigned from, uint64_t skipped_before)
{
    for (unsigned i = from; i < st->n_errors; i++)
        fprintf(stderr, "%s:%llu: %s\n", st->path, (unsigned long long)st->errors[i].line,
                st->errors[i].reason);
    uint64_t shown = st->n_errors - from, skipped = st->skipped - skipped_before;
    if (st->is_capture) /* its skips are exchanges: sources[].capture says why */
        shown += st->counted[CAP_INCOMPLETE];
    if (skipped > shown)
        fprintf(stderr, "%s: %llu more lines skipped\n", st->path,
                (unsigned long long)(skipped - shown));
    if (st->is_capture && st->counted[CAP_INCOMPLETE])
        fprintf(stderr, "%s: %llu HTTP exchanges incomplete (lost or cut packets, or a limit)\n",
                st->path, (unsigned long long)st->counted[CAP_INCOMPLETE]);
}

static double seconds_since(const struct timespec *t0);

struct run_stats {
    uint64_t bytes, events;
    uint64_t total; /* bytes of all the sources on disk; 0 when one is a pipe */
};

/* One line on a terminal's standard error, redrawn in place: bytes read of
 * all the sources (compressed bytes for gzip), the rate so far and, when the
 * sources' sizes are known, the time left at that rate. */
static void show_progress(const char *path, uint64_t bytes, const struct run_stats *rs,
                          const struct timespec *t0)
{
    double secs = seconds_since(t0);
    uint64_t done = rs->bytes + bytes;
    double rate = secs > 0 ? (double)done / secs : 0;
    char eta[24] = "";
    if (rs->total >= done && rate > 0) {
        utc_format_duration((int64_t)((double)(rs->total - done) / rate * 1e6), eta);
        fprintf(stderr, "\r\033[Ktempo: %s: %.0f of %.0f MB read, %.0f MB/s, %s left", path,
                (double)done / 1e6, (double)rs->total / 1e6, rate / 1e6, eta);
    } else {
        fprintf(stderr, "\r\033[Ktempo: %s: %.0f MB read, %.0f MB/s", path, (double)done / 1e6,
                rate / 1e6);
    }
}

/* The bytes of the sources on disk, for the progress line; 0 if any is not a
 * regular file (standard input, a pipe). */
static uint64_t total_size(const struct opts *o)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < o->n_sources; i++) {
        struct stat sb;
        if (strcmp(o->sources[i], "-") == 0 || stat(o->sources[i], &sb) != 0 ||
            !S_ISREG(sb.st_mode))
            return 0;
        total += (uint64_t)sb.st_size;
    }
    return total;
}

/* ---- --shard I/N ---- */

/* A call's shard: by its key, as its reads find it; a call without a key by
 * its site and times (only bulk reads find it, and they go to every shard). */
static uint64_t call_hash(const struct match_call *c)
{
    if (c->key.n)
        return span_hash(c->key);
    int64_t v[3] = { c->start_us, c->ready_us, c->site };
    return span_hash((struct span){ (const char *)v, sizeof v });
}

static uint64_t read_hash(const struct match_read *r)
{
    if (r->key.n)
        return span_hash(r->key);
    int64_t v[2] = { r->at_us, r->site };
    return span_hash((struct span){ (const char *)v, sizeof v });
}

/* Whether this run keeps a call or a read: always without --shard, and then
 * nothing is hashed. */
static bool keeps_call(const struct opts *o, const struct match_call *c)
{
    return o->shard_n == 0 || call_hash(c) % o->shard_n == o->shard_i - 1;
}

static bool keeps_read(const struct opts *o, const struct match_read *r)
{
    return o->shard_n == 0 || r->bulk || read_hash(r) % o->shard_n == o->shard_i - 1;
}

/* One decoded event: count it, clip it to --since/--until, widen the window,
 * match it and queue what matched for the store. */
static int take_event(const struct event *ev, const struct opts *o, struct matcher *m,
                      struct match_out *mo, struct store_writer *w, struct source_stats *stats,
                      int64_t *min_us, int64_t *max_us, struct err *e)
{
    stats->events++;
    if (ev->has_utc_offset && !stats->has_utc_offset) {
        stats->has_utc_offset = true;
        stats->utc_offset_s = ev->utc_offset_s;
    }
    if (ev->start_us < o->since_us || ev->start_us >= o->until_us)
        return 0;
    if (ev->start_us < *min_us)
        *min_us = ev->start_us;
    if (ev->end_us > *max_us)
        *max_us = ev->end_us;
    if (!match_event(m, ev, mo))
        return 0;
    /* --shard I/N: what this store keeps; an event counts as matched in the
     * shard of its first call or read (bulk reads: shard 1), so that the
     * shards' counts add up to one store's. */
    bool keep_call = mo->has_call && keeps_call(o, &mo->call);
    bool counted = mo->has_call ? keep_call
                   : mo->n_reads && (mo->reads[0].bulk ? o->shard_n == 0 || o->shard_i == 1
                                                       : keeps_read(o, &mo->reads[0]));
    if (counted)
        stats->matched++;
    if (keep_call && store_writer_call(w, &mo->call, e) < 0)
        return -1;
    for (unsigned i = 0; i < mo->n_reads; i++)
        if (keeps_read(o, &mo->reads[i]) && store_writer_read(w, &mo->reads[i], e) < 0)
            return -1;
    return 0;
}

/* Where a capture's exchanges go: take_event() with the run's state. */
struct capture_run {
    const struct opts *o;
    struct matcher *m;
    struct match_out *mo;
    struct store_writer *w;
    struct source_stats *stats;
    int64_t *min_us, *max_us;
    struct err *e;
    bool failed; /* take_event() failed: *e says why; the rest is not read */
};

static void on_exchange(void *ctx, const struct event *ev)
{
    struct capture_run *c = ctx;
    if (!c->failed &&
        take_event(ev, c->o, c->m, c->mo, c->w, c->stats, c->min_us, c->max_us, c->e) < 0)
        c->failed = true;
}

/* A capture (issue 7): frames through TCP reassembly and the HTTP decoder,
 * one event per exchange. A damaged record ends the reading of the capture,
 * not the run: what came before stays, the damage is shown and counted (with
 * --strict it is exit 2). */
static int ingest_capture(struct source *src, const char *path, const struct decode_options *dopt,
                          struct capture_run *cr, const struct run_stats *rs,
                          const struct timespec *t0, struct err *e)
{
    struct source_stats *stats = source_stats(src);
    struct source_capture *cap = source_capture_open(src, e);
    if (!cap)
        return -1;
    struct decode_http *h = decode_http_new(dopt, on_exchange, cr);
    struct tcp_callbacks cb;
    decode_http_callbacks(h, &cb);
    struct tcp *t = tcp_new(source_capture_linktype(cap), &cb, e);
    int rc = -1, got = 0;
    int64_t ts = 0, last = 0;
    bool progress = isatty(2);
    if (!t)
        goto out;
    const uint8_t *p;
    size_t caplen, len;
    struct err damage = { 0 };
    while (!cr->failed && (got = source_capture_next(cap, &p, &caplen, &len, &ts, &damage)) == 1) {
        tcp_packet(t, p, caplen, len, ts);
        last = ts;
        if (progress && (source_capture_frames(cap) & 0x3ffff) == 0)
            show_progress(path, source_capture_bytes(cap), rs, t0);
    }
    tcp_flush(t, last);
    stats->lines = source_capture_frames(cap);
    const struct decode_http_stats *hs = decode_http_stats(h);
    const struct tcp_stats *ts_ = tcp_stats(t);
    stats->skipped += hs->incomplete;
    stats->is_capture = true;
    stats->counted[CAP_PACKETS] = source_capture_frames(cap);
    stats->counted[CAP_STREAMS] = ts_->streams;
    stats->counted[CAP_EXCHANGES] = hs->exchanges;
    stats->counted[CAP_INCOMPLETE] = hs->incomplete;
    stats->counted[CAP_BYTES_SKIPPED] = ts_->bytes_skipped + hs->bytes_skipped;
    stats->counted[CAP_NOT_TCP] = ts_->not_ip + ts_->not_tcp;
    stats->counted[CAP_FRAGMENTS] = ts_->fragments;
    stats->counted[CAP_MALFORMED] = ts_->malformed + ts_->truncated + hs->bad_messages;
    stats->counted[CAP_EVICTED] = ts_->evicted + ts_->idle;
    stats->counted[CAP_BODIES_UNREAD] = hs->bodies_cut + hs->bodies_unparsed;
    if (cr->failed)
        goto out;
    if (got < 0) {
        if (cr->o->strict) {
            *e = damage;
            goto out;
        }
        char msg[600];
        err_format(&damage, msg, sizeof msg);
        fprintf(stderr, "tempo: %s (the frames before it were read)\n", msg);
        source_skip(src, stats->lines + 1, "damaged capture record: the rest was not read");
    }
    if (progress && stats->lines > 0x3ffff)
        fputs("\r\033[K", stderr);
    rc = 0;
out:
    if (t)
        tcp_free(t);
    decode_http_free(h);
    source_capture_close(cap);
    return rc;
}

/* The counts a checkpoint keeps, at the line boundary the source is at. */
static void mark_of(struct source *src, const struct source_stats *stats, int64_t min_us,
                    int64_t max_us, struct store_mark *m)
{
    m->offset = source_offset(src);
    m->bytes = stats->is_gzip ? stats->bytes : m->offset;
    m->lines = stats->lines;
    m->events = stats->events;
    m->matched = stats->matched;
    m->skipped = stats->skipped;
    m->n_errors = stats->n_errors;
    m->min_us = min_us;
    m->max_us = max_us;
    m->has_utc_offset = stats->has_utc_offset;
    m->utc_offset_s = stats->utc_offset_s;
}

#define HEAD_BYTES (64u << 10)

/* Where a source stands in the store: new, already read whole (skip it), or a
 * log read before up to an offset (go on from there). */
enum known { KNOWN_NEW, KNOWN_DONE, KNOWN_RESUME };

static int identify(struct store *st, struct source *src, const char *path, struct span head,
                    bool resumable, struct store_resume *res, int64_t *source_id,
                    struct err *e)
{
    uint64_t dev = 0, ino = 0, size = 0;
    bool file = source_file_id(src, &dev, &ino, &size);
    struct store_identity id;
    store_identity_of(head, file, dev, ino, size, resumable, &id);
    bool found = false;
    if (file && store_find_source(st, head, &id, &found, res, e) < 0)
        return -1;
    struct source_stats *stats = source_stats(src);
    if (found && !resumable)
        return KNOWN_DONE;
    /* Shorter than what was read of it: not the same log after all. */
    if (found && !stats->is_gzip && size < res->mark.offset)
        found = false;
    if (!found)
        return store_begin_identified(st, path, &id, source_id, e) < 0 ? -1 : KNOWN_NEW;
    *source_id = res->source_id;
    if (store_resume_source(st, res->source_id, path, &id, e) < 0 ||
        source_seek(src, res->mark.offset, res->mark.lines, e) < 0)
        return -1;
    const struct store_mark *m = &res->mark;
    stats->events = m->events;
    stats->matched = m->matched;
    stats->skipped = m->skipped;
    stats->n_errors = m->n_errors; /* their text stays in the store */
    stats->has_utc_offset = m->has_utc_offset;
    stats->utc_offset_s = m->utc_offset_s;
    return KNOWN_RESUME;
}

/* Read one source through decoder and matcher into the store. With --db a log
 * goes on from where the last run stopped, and is committed with its offset
 * at each batch (store_checkpoint); captures, OTLP and standard input are read
 * whole, once. */
static int ingest_one(const char *path, const struct opts *o, const struct decode_options *dopt,
                      struct matcher *m, struct store *st, struct run_stats *rs,
                      const struct timespec *t0, struct err *e)
{
    struct source *src = source_open(path, e);
    if (!src)
        return -1;
    struct arena *a = arena_new(1 << 16);
    struct source_stats *stats = source_stats(src);
    struct event *ev = xmalloc(sizeof *ev);
    struct match_out *mo = xmalloc(sizeof *mo);
    int64_t source_id, min_us = INT64_MAX, max_us = INT64_MIN;
    int rc = -1;
    struct span head, line;
    const struct decoder *dec = NULL;
    struct decoder_state *ds = NULL;
    struct store_writer *w = NULL;
    bool ds_ended = false;
    struct store_mark mark;

    /* 64 KiB tell the format, unless the first line is longer: then as much as
     * it takes to see it whole (up to LIMIT_LINE). Detection reads the head. */
    if (source_peek(src, HEAD_BYTES, &head, e) < 0 ||
        (head.n == HEAD_BYTES && !memchr(head.p, '\n', head.n) &&
         source_peek(src, (size_t)LIMIT_LINE + 2, &head, e) < 0))
        goto out;
    bool capture = source_is_capture(head);
    if (head.n == 0) {
        fprintf(stderr, "tempo: %s: empty input\n", path);
    } else if (capture) {
        stats->format = head.p[0] == 0x0a ? "pcapng" : "pcap";
    } else if (decode_choose(dopt, path, head, a, &dec, &ds, e) < 0) {
        goto out;
    } else {
        stats->format = dec->format_name(ds);
    }
    /* A decoder that keeps nothing between lines can stop and go on at any. */
    bool resumable = dec && !dec->end && !(path[0] == '-' && path[1] == 0);
    struct store_resume res;
    int known = KNOWN_NEW;
    if (head.n == 0 || !o->db) {
        struct store_identity id; /* in memory: only whether it is read whole */
        store_identity_of(head, false, 0, 0, 0, resumable, &id);
        if (store_begin_identified(st, path, &id, &source_id, e) < 0)
            goto out;
    } else if ((known = identify(st, src, path, head, resumable, &res, &source_id, e)) < 0) {
        goto out;
    } else if (known == KNOWN_DONE) {
        fprintf(stderr, "tempo: %s: already in %s (the same content), not read again\n", path,
                o->db);
        rc = 0;
        goto out;
    }
    if (known == KNOWN_RESUME) {
        min_us = res.mark.min_us;
        max_us = res.mark.max_us;
    }
    unsigned errors_before = stats->n_errors;
    uint64_t skipped_before = stats->skipped;
    /* A log still being written may end in half a line: it waits for its end. */
    if (resumable && o->db && !stats->is_gzip)
        source_hold_partial(src, true);
    w = store_writer_start(st, source_id, e);
    if (!w)
        goto out;
    if (resumable)
        store_writer_resumable(w, stats, errors_before);
    if (capture) {
        struct capture_run cr = { o, m, mo, w, stats, &min_us, &max_us, e, false };
        if (ingest_capture(src, path, dopt, &cr, rs, t0, e) < 0)
            goto out;
    }
    bool progress = isatty(2);
    for (int got; dec && (got = source_next_line(src, &line, e)) != 0;) {
        if (got < 0)
            goto out;
        if (progress && (stats->lines & 0x3ffff) == 0)
            show_progress(path, stats->bytes, rs, t0);
        if (span_trim(line).n == 0)
            continue;
        const char *reason = NULL;
        enum decode_result dr = dec->line(ds, line, ev, &reason);
        while (dr != DECODE_MORE) {
            if (dr == DECODE_SKIP) {
                uint64_t ln = stats->lines;
                if (o->strict) {
                    err_at(e, EXIT_USAGE, path, (unsigned)ln, 0, "%s (--strict)",
                           reason ? reason : "bad line");
                    goto out;
                }
                source_skip(src, ln, reason ? reason : "bad line");
            } else if (take_event(ev, o, m, mo, w, stats, &min_us, &max_us, e) < 0) {
                goto out;
            }
            if (!dec->next)
                break;
            reason = NULL;
            dr = dec->next(ds, ev, &reason);
        }
        if (resumable && store_writer_wants_mark(w)) {
            mark_of(src, stats, min_us, max_us, &mark);
            store_writer_mark(w, &mark);
        }
    }
    if (dec && dec->end) {
        const char *left = dec->end(ds);
        ds_ended = true;
        if (left)
            source_skip(src, stats->lines, left);
    }
    if (resumable) {
        mark_of(src, stats, min_us, max_us, &mark); /* blank lines at the end */
        store_writer_mark(w, &mark);
    }
    struct store_writer *done = w;
    w = NULL;
    if (store_writer_finish(done, e) < 0)
        goto out;
    if (o->strict == false && stats->lines > 0 && stats->events == 0 && stats->skipped > 0)
        fprintf(stderr, "tempo: %s: no %s could be read as %s\n", path,
                capture ? "HTTP exchange" : "line", stats->format ? stats->format : "a log");
    if (progress && stats->lines > 0x3ffff)
        fputs("\r\033[K", stderr);
    print_skips(stats, errors_before, skipped_before);
    /* A log's counts went in with its last checkpoint; the rest ends here. */
    if (!resumable && store_end_source(st, source_id, stats, min_us, max_us, e) < 0)
        goto out;
    rs->bytes += stats->bytes;
    rs->events += stats->events;
    rc = 0;
out:
    if (dec && dec->end && !ds_ended)
        (void)dec->end(ds); /* releases a record left half-walked by an error */
    if (w) {
        struct err ignored; /* the run already failed with *e */
        if (store_writer_finish(w, &ignored) < 0)
            w = NULL;
    }
    free(ev);
    free(mo);
    source_close(src);
    arena_free(a);
    return rc;
}

static int64_t now_us(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH"); /* reproducible reports */
    int64_t v;
    if (sde && span_to_i64(span_of(sde), &v))
        return v * USEC_PER_SEC;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* mkdir -p: each missing directory of `path` is created. */
static int make_dirs(const char *path, struct err *e)
{
    char p[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof p)
        return err_at(e, EXIT_USAGE, NULL, 0, 0, "bad output directory '%s'", path);
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != 0)
            continue;
        char c = p[i];
        p[i] = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return err_at(e, EXIT_USAGE, p, 0, 0, "cannot create the directory: %s",
                          strerror(errno));
        p[i] = c;
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return err_at(e, EXIT_USAGE, path, 0, 0, "not a directory");
    return 0;
}

/* Write `path` with reporter `rep`: into PATH.tmp-PID beside it, then renamed,
 * so a failed run never leaves half a file under the real name. */
static int write_path(const char *path, const struct reporter *rep, const struct report_input *in,
                      struct err *e)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return err_at(e, EXIT_USAGE, path, 0, 0, "path too long");
    FILE *f = fopen(tmp, "w");
    if (!f)
        return err_at(e, EXIT_USAGE, tmp, 0, 0, "cannot write: %s", strerror(errno));
    int rc = rep->write(in, f, e);
    if (fclose(f) != 0 && rc == 0)
        rc = err_at(e, EXIT_INTERNAL, tmp, 0, 0, "cannot write: %s", strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = err_at(e, EXIT_INTERNAL, path, 0, 0, "cannot write: %s", strerror(errno));
    if (rc != 0)
        unlink(tmp);
    return rc;
}

/* Write DIR/NAME with reporter `rep` (write_path). */
static int write_file(const char *dir, const char *name, const struct reporter *rep,
                      const struct report_input *in, struct err *e)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return err_at(e, EXIT_USAGE, dir, 0, 0, "path too long");
    return write_path(path, rep, in, e);
}

/* tempo gate: the outputs asked for; exit 1 when a finding is new. */
static int write_gate(const struct opts *o, const struct report_input *in, int *code,
                      struct err *e)
{
    const struct {
        const char *path;
        const struct reporter *rep;
    } files[] = { { o->junit, &report_gate_junit },
                  { o->summary, &report_gate_summary },
                  { o->sarif, &report_gate_sarif } };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (files[i].path && write_path(files[i].path, files[i].rep, in, e) < 0)
            return -1;
    const struct reporter *out =
        strcmp(o->format, "github") == 0 ? &report_gate_github : &report_gate_text;
    if (out->write(in, stdout, e) < 0)
        return -1;
    *code = in->vr->n_new ? EXIT_FINDING : EXIT_OK;
    return 0;
}

/* tempo report: the files of the migration report into -o DIR. */
static int write_report(const struct opts *o, const struct report_input *base, struct arena *a,
                        struct err *e)
{
    char dir[4096], day[32];
    if (o->out_dir) {
        snprintf(dir, sizeof dir, "%s", o->out_dir);
    } else {
        utc_format(base->generated_us, false, day);
        snprintf(dir, sizeof dir, "reports/%.10s", day);
    }
    if (make_dirs(dir, e) < 0)
        return -1;
    struct report_input in = *base;
    struct chart_set cs;
    unsigned charts = 0;
    if (!o->no_charts) {
        if (chart_draw(in.rules, in.an, in.vr, dir, a, &cs, e) < 0)
            return -1;
        in.charts = &cs;
        charts += cs.tempo[0] != 0;
        charts += cs.cost[0] != 0;
        for (unsigned i = 0; i < cs.n_sites; i++)
            charts += (cs.sites[i].wait[0] != 0) + (cs.sites[i].week[0] != 0);
    }
    static const struct {
        const char *name;
        const struct reporter *rep;
    } files[] = { { "report.json", &report_json },
                  { "sites.csv", &report_csv },
                  { "report.md", &report_md },
                  { "report.html", &report_html } };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (write_file(dir, files[i].name, files[i].rep, &in, e) < 0)
            return -1;
    printf("%s/report.html\n%s/report.md\n%s/report.json\n%s/sites.csv\n", dir, dir, dir, dir);
    fprintf(stderr, "tempo: report written to %s (%u site%s, %u chart%s)\n", dir,
            in.an->n_sites, in.an->n_sites == 1 ? "" : "s", charts, charts == 1 ? "" : "s");
    return 0;
}

enum run_mode { RUN_AUDIT, RUN_INGEST, RUN_REPORT, RUN_GATE };

/* audit, ingest and report: the whole pipeline. */
static int cmd_run(int argc, char **argv, enum run_mode mode)
{
    static const char *const cmds[] = { "audit", "ingest", "report", "gate" };
    const char *cmd = cmds[mode];
    bool audit = mode != RUN_INGEST;
    struct opts o;
    struct err e = { 0 };
    struct arena *run = arena_new(1 << 16);
    char spare[4096];
    struct store *st = NULL;
    int code = EXIT_OK;
    struct timespec t0;
    struct run_stats rs = { 0, 0, 0 };
    clock_gettime(CLOCK_MONOTONIC, &t0);

    if (parse_opts(argc, argv, cmd, &o, &e) < 0) {
        code = die(&e);
        fprintf(stderr, "run 'tempo help %s' for usage\n", cmd);
        goto out;
    }
    rs.total = total_size(&o);
    if (!audit && !o.db) {
        code = usage_error(cmd, "%s needs --db FILE", cmd);
        goto out;
    }
    if (mode == RUN_REPORT && !o.no_charts && !chart_gnuplot()) {
        code = usage_error(cmd, "gnuplot not found: install gnuplot-nox (apt-get install "
                                "gnuplot-nox), or pass --no-charts");
        goto out;
    }
    if (o.shard_n && (!o.db || o.n_sources == 0 || o.n_dbs > 1)) {
        code = usage_error(cmd, "--shard I/N reads SOURCEs into one store: --db FILE");
        goto out;
    }
    if (o.n_dbs > 1 && (o.n_sources > 0 || !audit)) {
        code = usage_error(cmd, "several --db are merged for an audit: read sources into one "
                                "store at a time (tempo ingest --db FILE SOURCE...)");
        goto out;
    }
    if (o.n_sources == 0 && !o.db) {
        code = usage_error(cmd, "%s needs at least one SOURCE (a file, or - for standard input)",
                           cmd);
        goto out;
    }
    struct rules *r = load_rules(run, o.rules_path, spare, sizeof spare, &e);
    if (!r) {
        code = die(&e);
        goto out;
    }
    /* A bad baseline fails before a long ingest, not after it. */
    struct baseline bl;
    if (o.baseline && decode_baseline(o.baseline, run, &bl, &e) < 0) {
        code = die(&e);
        goto out;
    }
    struct span *names = arena_alloc(run, sizeof *names * (r->n_sites ? r->n_sites : 1));
    for (unsigned i = 0; i < r->n_sites; i++)
        names[i] = r->sites[i].name;
    const char *rules_name = r->path ? r->path : "RULES";
    st = store_open(o.n_dbs > 1 ? NULL : o.db, names, r->n_sites, &e);
    if (!st) {
        code = die(&e);
        goto out;
    }
    for (unsigned i = 0; o.n_dbs > 1 && i < o.n_dbs; i++) {
        if (store_merge(st, o.dbs[i], r->match_digest, rules_name, &e) < 0) {
            code = die(&e);
            goto out;
        }
    }
    if (o.n_dbs <= 1 && (store_claim(st, o.n_sources > 0, r->match_digest, rules_name, &e) < 0 ||
                         (o.db && o.n_sources > 0 &&
                          store_set_shard(st, o.shard_i, o.shard_n, &e) < 0))) {
        code = die(&e);
        goto out;
    }
    unsigned unfinished = 0;
    if (o.n_sources == 0 && store_count_unfinished(st, &unfinished, &e) < 0) {
        code = die(&e);
        goto out;
    }
    if (unfinished)
        fprintf(stderr, "tempo: %s: %u source%s that an interrupted ingest did not finish"
                " (read whole: captures, OTLP, standard input) left out; the next ingest reads"
                " %s again\n", o.n_dbs > 1 ? "the stores" : o.db, unfinished,
                unfinished == 1 ? "" : "s", unfinished == 1 ? "it" : "them");
    if (o.db && o.n_sources > 0 && o.n_dbs == 1) {
        /* Captures, OTLP and standard input an interrupted run left half-read. */
        unsigned purged;
        if (store_purge_unfinished(st, &purged, &e) < 0) {
            code = die(&e);
            goto out;
        }
        unsigned unknown;
        if (store_count_unknown(st, &unknown, &e) < 0) {
            code = die(&e);
            goto out;
        }
        if (unknown)
            fprintf(stderr, "tempo: %s: %u source%s in it came from a tempo older than this"
                    " store's schema 4, which did not keep what a log's content was: a file"
                    " read then is read again now, and counted twice; to be sure, rebuild the"
                    " store (rm %s, then tempo ingest)\n", o.db, unknown,
                    unknown == 1 ? "" : "s", o.db);
        if (purged)
            fprintf(stderr, "tempo: %s: %u source%s left unfinished by an interrupted run"
                    " removed (read whole: read them again)\n", o.db, purged,
                    purged == 1 ? "" : "s");
    }
    struct logformat *fmts = arena_alloc(run, sizeof *fmts * (r->n_logformats + 1));
    for (unsigned i = 0; i < r->n_logformats; i++)
        fmts[i] = r->logformats[i].fmt;
    struct matcher *m = match_new(r, run);
    struct decode_options dopt = { .formats = fmts,
                                   .n_formats = r->n_logformats,
                                   .force = o.input_format };
    dopt.wanted = match_wanted(m, &dopt.n_wanted);
    dopt.jsonl.time = r->jsonl.time;
    dopt.jsonl.at_start = r->jsonl.at_start;
    dopt.jsonl.duration = r->jsonl.duration;
    dopt.jsonl.unit_ns = !r->jsonl.is_set ? 1000000 : r->jsonl.unit_us ? r->jsonl.unit_us * 1000 : 1;
    for (unsigned i = 0; i < o.n_sources; i++) {
        if (ingest_one(o.sources[i], &o, &dopt, m, st, &rs, &t0, &e) < 0) {
            code = die(&e);
            goto out;
        }
    }
    double ingest_s = seconds_since(&t0);
    if (audit) {
        struct analysis an;
        struct verdict_result vr;
        struct analysis_window w = { o.since_us, o.until_us };
        if (analysis_run(st, r, &w, run, &an, &e) < 0) {
            code = die(&e);
            goto out;
        }
        verdict_apply(r, &an, run, &vr);
        verdict_gate(r, &an, o.baseline ? &bl : NULL, run, &vr);
        struct report_input in = { r, &an, &vr, now_us(), NULL };
        int rc = mode == RUN_REPORT ? write_report(&o, &in, run, &e)
                 : mode == RUN_GATE ? write_gate(&o, &in, &code, &e)
                                    : report_find(o.format)->write(&in, stdout, &e);
        if (rc < 0) {
            code = die(&e);
            goto out;
        }
    }
    if (getenv("TEMPO_STATS")) {
        double secs = seconds_since(&t0);
        unsigned long allocs = xmalloc_count();
        fprintf(stderr,
                "stats: bytes %llu, events %llu, seconds %.3f (ingest %.3f), MB/s %.1f, "
                "allocations %lu, allocations per event %.6f\n",
                (unsigned long long)rs.bytes, (unsigned long long)rs.events, secs, ingest_s,
                secs > 0 ? (double)rs.bytes / 1e6 / secs : 0, allocs,
                rs.events ? (double)allocs / (double)rs.events : 0);
    }
out:
    store_close(st);
    arena_free(run);
    return code;
}

static int cmd_rules(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "check") != 0)
        return usage_error("rules", "unknown rules command '%s' (expected: tempo rules check FILE)",
                           argc ? argv[0] : "");
    if (argc != 2)
        return usage_error("rules", "rules check takes exactly one FILE");
    struct arena *a = arena_new(1 << 16);
    struct err e = { 0 };
    char spare[8];
    struct rules *r = load_rules(a, argv[1], spare, sizeof spare, &e);
    int code = EXIT_OK;
    if (!r)
        code = die(&e);
    else
        printf("%s: ok (%u site%s, %u call rule%s, %u read rule%s, %u verdict%s)\n", argv[1],
               r->n_sites, r->n_sites == 1 ? "" : "s", r->n_calls, r->n_calls == 1 ? "" : "s",
               r->n_reads, r->n_reads == 1 ? "" : "s", r->n_verdicts,
               r->n_verdicts == 1 ? "" : "s");
    arena_free(a);
    return code;
}

static int cmd_help(const char *topic)
{
    if (!topic)
        fputs(usage_main, stdout);
    else if (strcmp(topic, "audit") == 0)
        fputs(usage_audit, stdout);
    else if (strcmp(topic, "ingest") == 0)
        fputs(usage_ingest, stdout);
    else if (strcmp(topic, "report") == 0)
        fputs(usage_report, stdout);
    else if (strcmp(topic, "gate") == 0)
        fputs(usage_gate, stdout);
    else if (strcmp(topic, "rules") == 0)
        fputs(usage_rules, stdout);
    else
        return usage_error("", "no help for '%s' (commands: audit, ingest, report, gate, rules)",
                           topic);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0)
        return cmd_help(NULL);
    if (strcmp(c, "--version") == 0 || strcmp(c, "version") == 0) {
        printf("tempo %s (rules language 1, report schema 1)\n", TEMPO_VERSION);
        return EXIT_OK;
    }
    if (strcmp(c, "help") == 0)
        return cmd_help(argc > 2 ? argv[2] : NULL);
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return cmd_help(c);
    if (strcmp(c, "audit") == 0)
        return cmd_run(argc - 2, argv + 2, RUN_AUDIT);
    if (strcmp(c, "ingest") == 0)
        return cmd_run(argc - 2, argv + 2, RUN_INGEST);
    if (strcmp(c, "report") == 0)
        return cmd_run(argc - 2, argv + 2, RUN_REPORT);
    if (strcmp(c, "gate") == 0)
        return cmd_run(argc - 2, argv + 2, RUN_GATE);
    if (strcmp(c, "rules") == 0)
        return cmd_rules(argc - 2, argv + 2);
    fprintf(stderr, "tempo: unknown command '%s'\n", c);
    fputs(usage_main, stderr);
    return EXIT_USAGE;
}
