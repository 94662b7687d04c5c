/*
 * test_limits.c - every named limit of include/limits.h at N - 1, N and N + 1
 * through the public APIs (issue 8, "Memory"): lines at a read-block boundary,
 * read blocks, attributes and their names, bad lines shown, rules files, their
 * errors and lines (and the attribute names those lines make the decoders
 * extract), keys and by= values, store batches, baselines, TCP streams,
 * buffers, memory and idle time, pipelined requests and the charts' limits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "chart.h"
#include "decode.h"
#include "match.h"
#include "rules.h"
#include "source.h"
#include "store.h"
#include "tcp.h"
#include "test.h"
#include "wire.h"

static char tmp_dir[] = "/tmp/tempo-test-limits-XXXXXX";
static struct arena *A;

/* ---- files ---- */

static const char *path_of(const char *name)
{
    static char paths[4][256];
    static unsigned k;
    char *p = paths[k++ % 4];
    snprintf(p, sizeof paths[0], "%s/%s", tmp_dir, name);
    return p;
}

static const char *write_file(const char *name, const void *p, size_t n)
{
    const char *path = path_of(name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return path;
    CHECK(fwrite(p, 1, n, f) == n);
    fclose(f);
    return path;
}

/* `n` bytes of one gzip member. */
static const char *write_gz(const char *name, const void *p, size_t n)
{
    const char *path = path_of(name);
    gzFile g = gzopen(path, "wb");
    CHECK(g != NULL);
    if (!g)
        return path;
    CHECK(gzwrite(g, p, (unsigned)n) == (int)n);
    gzclose(g);
    return path;
}

/* Remove directory `path` and everything in it (two levels: cap/, charts/). */
static void remove_tree(const char *path, int depth)
{
    DIR *dp = opendir(path);
    if (!dp)
        return;
    char sub[512];
    for (struct dirent *de; (de = readdir(dp));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0)
            remove_tree(sub, depth - 1);
        else
            unlink(sub);
    }
    closedir(dp);
    rmdir(path);
}

/* What reading a file line by line gave. */
struct lines {
    int rc;         /* 0 at the end, -1 on an error, -2 when it did not open */
    uint64_t n;     /* lines returned */
    uint64_t bytes; /* their bytes plus one end of line each */
    size_t longest; /* the longest line returned */
    struct source_stats st;
};

static struct lines read_lines(const char *path)
{
    struct lines r = { 0 };
    struct err e;
    struct source *s = source_open(path, &e);
    if (!s) {
        r.rc = -2;
        return r;
    }
    struct span line;
    while ((r.rc = source_next_line(s, &line, &e)) == 1) {
        r.n++;
        r.bytes += line.n + 1;
        r.longest = line.n > r.longest ? line.n : r.longest;
    }
    r.st = *source_stats(s);
    source_close(s);
    return r;
}

/* ---- LIMIT_LINE at a read-block boundary ---- */

/* LIMIT_READ_BLOCK bytes of 1 KiB lines, then a line of `len` bytes ended by
 * `eol`, then "z\n". The first read(2) of a source stops one byte after the
 * long line's text: with CRLF that byte is the '\r', and the '\n' is not read
 * yet when the line is judged. */
static void check_line_at_block(size_t len, const char *eol)
{
    size_t pad = LIMIT_READ_BLOCK, el = strlen(eol), n = pad + len + el + 2;
    char *p = malloc(n);
    for (size_t i = 0; i < pad; i += 1024) {
        memset(p + i, 'p', 1023);
        p[i + 1023] = '\n';
    }
    memset(p + pad, 'a', len);
    memcpy(p + pad + len, eol, el);
    memcpy(p + pad + len + el, "z\n", 2);
    struct lines r = read_lines(write_file("block.log", p, n));
    free(p);
    bool fits = len <= LIMIT_LINE;
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.st.lines, pad / 1024 + 2);
    CHECK_INT(r.n, pad / 1024 + 1 + fits);
    CHECK_INT(r.st.skipped, !fits);
    CHECK_INT(r.longest, fits ? len : 1023);
    if (r.longest != (fits ? len : 1023))
        printf("  a line of %zu bytes ended by %s at offset %zu\n", len, el == 2 ? "CRLF" : "LF",
               pad);
    if (!fits && r.st.n_errors == 1) {
        CHECK_INT(r.st.errors[0].line, pad / 1024 + 1);
        CHECK(strstr(r.st.errors[0].reason, "LIMIT_LINE") != NULL);
    }
}

static void test_line(void)
{
    for (int d = -1; d <= 1; d++)
        check_line_at_block((size_t)LIMIT_LINE + (size_t)(long)d, "\n");
    for (int d = -1; d <= 1; d++)
        check_line_at_block((size_t)LIMIT_LINE + (size_t)(long)d, "\r\n");
}

/* ---- LIMIT_READ_BLOCK: files of N - 1, N, N + 1 bytes read whole ---- */

static void test_read_block(void)
{
    size_t max = (size_t)LIMIT_READ_BLOCK + 1;
    char *p = malloc(max), *back = malloc(max);
    for (size_t i = 0; i < max; i++) /* 100-byte lines, each of one letter */
        p[i] = i % 100 == 99 ? '\n' : (char)('a' + (i / 100) % 26);
    for (int d = -1; d <= 1; d++) {
        size_t n = (size_t)LIMIT_READ_BLOCK + (size_t)(long)d;
        uint64_t want_lines = n / 100 + (n % 100 != 0);
        for (int gz = 0; gz < 2; gz++) {
            const char *path = gz ? write_gz("rb.log.gz", p, n) : write_file("rb.log", p, n);
            struct lines r = read_lines(path);
            CHECK_INT(r.rc, 0);
            CHECK_INT(r.n, want_lines);
            CHECK_INT(r.st.lines, want_lines);
            /* every byte: the last line has no '\n' unless n ends one */
            CHECK_INT(r.bytes - (n % 100 != 0), n);
            CHECK_INT(r.st.skipped, 0);
            CHECK_INT(r.st.is_gzip, gz);
            if (!gz)
                CHECK_INT(r.st.bytes, n);

            /* as bytes: a peek of more than a block is a block, then all of it */
            struct err e;
            struct source *s = source_open(path, &e);
            CHECK(s != NULL);
            if (!s)
                continue;
            struct span head;
            CHECK_INT(source_peek(s, (size_t)LIMIT_READ_BLOCK + 4096, &head, &e), 0);
            CHECK_INT(head.n, n < LIMIT_READ_BLOCK ? n : LIMIT_READ_BLOCK);
            size_t total = 0, got = 0;
            do {
                CHECK_INT(source_read(s, back + total, 65536 < max - total ? 65536 : max - total,
                                      &got, &e),
                          0);
                total += got;
            } while (got > 0 && total < max);
            CHECK_INT(total, n);
            CHECK(memcmp(back, p, n) == 0);
            source_close(s);
        }
    }
    free(p);
    free(back);
}

/* ---- LIMIT_ATTRS ---- */

static struct decoder_state *open_dec(const struct decoder *d, const struct span *wanted,
                                      unsigned n_wanted)
{
    struct decode_options opt = { 0 };
    opt.wanted = wanted;
    opt.n_wanted = n_wanted;
    struct err e;
    struct decoder_state *st = d->open(&opt, A, &e);
    CHECK(st != NULL);
    return st;
}

/* Decode `text` from an exact-size heap copy (ASan sees any over-read). */
static enum decode_result decode1(const struct decoder *d, struct decoder_state *st,
                                  const char *text, size_t n, struct event *ev, const char **reason)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, text, n);
    *reason = NULL;
    enum decode_result r = d->line(st, (struct span){ copy, n }, ev, reason);
    free(copy);
    return r;
}

static bool has_attr(const struct event *ev, const char *name, size_t n)
{
    return event_get(ev, (struct span){ name, n }) != NULL;
}

static void test_attrs(void)
{
    static struct event ev;
    char names[LIMIT_ATTRS + 2][8];
    event_reset(&ev);
    for (unsigned i = 0; i < LIMIT_ATTRS + 1; i++) {
        snprintf(names[i], sizeof names[i], "a%u", i);
        bool added = event_add(&ev, span_of(names[i]), SPAN_LIT("v"), ATTR_STRING);
        if (i == LIMIT_ATTRS - 2 || i == LIMIT_ATTRS - 1 || i == LIMIT_ATTRS) {
            CHECK_INT(added, i < LIMIT_ATTRS); /* attributes N - 1, N, N + 1 */
            CHECK_INT(ev.n_attrs, i < LIMIT_ATTRS ? i + 1 : LIMIT_ATTRS);
        }
    }
    CHECK(event_get(&ev, span_of(names[LIMIT_ATTRS - 1])) != NULL);
    CHECK(event_get(&ev, span_of(names[LIMIT_ATTRS])) == NULL);

    /* JSON lines: "ts" and k more fields, N - 1, N, N + 1 in all */
    struct decoder_state *js = open_dec(&decode_jsonl, NULL, 0);
    for (int d = -1; d <= 1; d++) {
        unsigned total = LIMIT_ATTRS + (unsigned)d;
        char line[4096], last[8];
        int k = snprintf(line, sizeof line, "{\"ts\":1700000000");
        for (unsigned i = 1; i < total; i++)
            k += snprintf(line + k, sizeof line - (size_t)k, ",\"f%u\":%u", i, i);
        k += snprintf(line + k, sizeof line - (size_t)k, "}");
        const char *reason;
        CHECK_INT(decode1(&decode_jsonl, js, line, (size_t)k, &ev, &reason), DECODE_OK);
        CHECK_INT(ev.n_attrs, total <= LIMIT_ATTRS ? total : LIMIT_ATTRS);
        snprintf(last, sizeof last, "f%u", total - 1);
        CHECK_INT(has_attr(&ev, last, strlen(last)), total <= LIMIT_ATTRS);
    }

    /* OTLP: a span with N - 1, N, N + 1 attributes */
    struct decoder_state *ot = open_dec(&decode_otlp, NULL, 0);
    for (int d = -1; d <= 1; d++) {
        unsigned total = LIMIT_ATTRS + (unsigned)d;
        char line[8192], last[8];
        int k = snprintf(line, sizeof line,
                         "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
                         "\"startTimeUnixNano\":\"1700000000000000000\","
                         "\"endTimeUnixNano\":\"1700000001000000000\",\"attributes\":[");
        for (unsigned i = 0; i < total; i++)
            k +=
                snprintf(line + k, sizeof line - (size_t)k,
                         "%s{\"key\":\"k%u\",\"value\":{\"intValue\":\"%u\"}}", i ? "," : "", i, i);
        k += snprintf(line + k, sizeof line - (size_t)k, "]}]}]}]}");
        const char *reason;
        CHECK_INT(decode1(&decode_otlp, ot, line, (size_t)k, &ev, &reason), DECODE_OK);
        CHECK_INT(ev.n_attrs, total <= LIMIT_ATTRS ? total : LIMIT_ATTRS);
        snprintf(last, sizeof last, "k%u", total - 1);
        CHECK_INT(has_attr(&ev, last, strlen(last)), total <= LIMIT_ATTRS);
        CHECK_INT(decode_otlp.next(ot, &ev, &reason), DECODE_MORE);
    }
    CHECK(decode_otlp.end(ot) == NULL);
}

/* ---- LIMIT_ATTR_NAME ---- */

/* An HTTP exchange's events, counted; the attribute names of the last kept. */
struct http_got {
    unsigned n;
    char names[LIMIT_ATTRS][LIMIT_ATTR_NAME + 2];
    size_t name_n[LIMIT_ATTRS];
    unsigned n_names;
    char path[64];
};

static void http_emit(void *ctx, const struct event *ev)
{
    struct http_got *g = ctx;
    g->n++;
    g->n_names = 0;
    for (unsigned i = 0; i < ev->n_attrs && i < LIMIT_ATTRS; i++) {
        size_t k =
            ev->attrs[i].name.n < LIMIT_ATTR_NAME + 1 ? ev->attrs[i].name.n : LIMIT_ATTR_NAME + 1;
        memcpy(g->names[g->n_names], ev->attrs[i].name.p, k);
        g->name_n[g->n_names++] = k;
    }
    const struct attr *p = event_get(ev, SPAN_LIT("path"));
    snprintf(g->path, sizeof g->path, "%.*s", p ? (int)p->value.n : 0, p ? p->value.p : "");
}

static bool got_name(const struct http_got *g, const char *name, size_t n)
{
    for (unsigned i = 0; i < g->n_names; i++)
        if (g->name_n[i] == n && memcmp(g->names[i], name, n) == 0)
            return true;
    return false;
}

/* One HTTP decoder with one stream, fed through its TCP callbacks. */
struct http_rig {
    struct decode_http *h;
    struct tcp_callbacks cb;
    struct tcp_stream s;
    struct http_got *g;
};

static void http_open(struct http_rig *r)
{
    memset(r, 0, sizeof *r);
    r->g = calloc(1, sizeof *r->g);
    struct decode_options opt = { 0 };
    r->h = decode_http_new(&opt, http_emit, r->g);
    decode_http_callbacks(r->h, &r->cb);
    r->s.id = 1;
    r->s.initiator_known = true;
}

static void http_put(struct http_rig *r, enum tcp_dir d, const char *text, int64_t ts)
{
    size_t n = strlen(text);
    char *copy = malloc(n);
    memcpy(copy, text, n);
    r->cb.data(r->cb.ctx, &r->s, d, (const uint8_t *)copy, n, ts);
    free(copy);
}

static void http_close(struct http_rig *r)
{
    r->cb.end(r->cb.ctx, &r->s, TCP_END_CLOSED, 1000000);
    decode_http_free(r->h);
    free(r->g);
}

static void test_attr_name(void)
{
    static struct event ev;
    char name[LIMIT_ATTR_NAME + 8];
    const char *reason;
    struct decoder_state *js = open_dec(&decode_jsonl, NULL, 0);
    struct decoder_state *ot = open_dec(&decode_otlp, NULL, 0);
    for (int d = -1; d <= 1; d++) {
        size_t n = (size_t)LIMIT_ATTR_NAME + (size_t)(long)d;
        bool fits = n <= LIMIT_ATTR_NAME;
        char line[1024];

        /* a JSON-lines field of N - 1, N, N + 1 bytes */
        memset(name, 'j', n);
        int k = snprintf(line, sizeof line, "{\"ts\":1700000000,\"%.*s\":1}", (int)n, name);
        CHECK_INT(decode1(&decode_jsonl, js, line, (size_t)k, &ev, &reason), DECODE_OK);
        CHECK_INT(has_attr(&ev, name, n), fits);

        /* an OTLP span attribute; a resource attribute "resource." + key */
        memset(name, 'o', n);
        memcpy(name, "resource.", 9);
        k = snprintf(line, sizeof line,
                     "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"%.*s\","
                     "\"value\":{\"stringValue\":\"r\"}}]},\"scopeSpans\":[{\"spans\":[{"
                     "\"startTimeUnixNano\":\"1700000000000000000\","
                     "\"endTimeUnixNano\":\"1700000001000000000\",\"attributes\":[{\"key\":"
                     "\"%.*s\",\"value\":{\"stringValue\":\"s\"}}]}]}]}]}",
                     (int)n - 9, name + 9, (int)n, name);
        CHECK_INT(decode1(&decode_otlp, ot, line, (size_t)k, &ev, &reason), DECODE_OK);
        CHECK_INT(has_attr(&ev, name, n), fits); /* the span's attribute */
        CHECK_INT(ev.n_attrs, fits ? 2 : 0);     /* and the resource's, "resource." + n - 9 */
        CHECK_INT(decode_otlp.next(ot, &ev, &reason), DECODE_MORE);

        /* an HTTP request header: "header." + N - 8, N - 7, N - 6 bytes */
        struct http_rig r;
        http_open(&r);
        memset(name, 'h', n);
        memcpy(name, "header.", 7);
        char req[512];
        snprintf(req, sizeof req, "GET /a HTTP/1.1\r\n%.*s: v\r\n\r\n", (int)n - 7, name + 7);
        http_put(&r, TCP_FROM_INITIATOR, req, 100);
        http_put(&r, TCP_FROM_RESPONDER, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200);
        CHECK_INT(r.g->n, 1);
        CHECK_INT(got_name(r.g, name, n), fits);
        http_close(&r);

        /* an nginx $http_NAME: "header." + its N - 8, N - 7, N - 6 bytes */
        memcpy(name, "$http_", 6);
        memset(name + 6, 'n', n - 7);
        unsigned off;
        const char *msg;
        struct decode_logformat *f =
            decode_logformat_compile(A, (struct span){ name, n - 1 }, LOGFORMAT_NGINX, &off, &msg);
        CHECK_INT(f != NULL, fits);
        if (!fits && msg)
            CHECK_STR(msg, "attribute name longer than 128 bytes");
    }
    CHECK(decode_otlp.end(ot) == NULL);
}

/* ---- LIMIT_FIRST_ERRORS ---- */

static void test_first_errors(void)
{
    const char *path = write_file("empty.log", "", 0);
    for (unsigned k = LIMIT_FIRST_ERRORS - 1; k <= LIMIT_FIRST_ERRORS + 1; k++) {
        struct err e;
        struct source *s = source_open(path, &e);
        CHECK(s != NULL);
        if (!s)
            return;
        for (unsigned i = 0; i < k; i++)
            source_skip(s, 10 + i, "bad line");
        struct source_stats *st = source_stats(s);
        CHECK_INT(st->skipped, k);
        CHECK_INT(st->n_errors, k < LIMIT_FIRST_ERRORS ? k : LIMIT_FIRST_ERRORS);
        CHECK_INT(st->errors[st->n_errors - 1].line, 10 + st->n_errors - 1);

        /* kept by a store and read back the same */
        struct span names[] = { SPAN_LIT("s") };
        struct store *db = store_open(NULL, names, 1, &e);
        CHECK(db != NULL);
        int64_t id;
        struct store_source *ss = NULL;
        unsigned n = 0;
        if (db && store_begin_source(db, path, &id, &e) == 0 &&
            store_end_source(db, id, st, INT64_MAX, INT64_MIN, &e) == 0 &&
            store_sources(db, A, &ss, &n, &e) == 0 && n == 1) {
            CHECK_INT(ss[0].stats.skipped, k);
            CHECK_INT(ss[0].stats.n_errors, st->n_errors);
            CHECK_INT(ss[0].stats.errors[ss[0].stats.n_errors - 1].line, 10 + st->n_errors - 1);
        } else {
            CHECK(!"the store kept the source");
        }
        store_close(db);
        source_close(s);
    }
}

/* ---- rules: LIMIT_RULES_FILE, LIMIT_RULE_ERRORS, LIMIT_RULES ---- */

static struct rules *parse_text(const char *text, size_t n, struct buf *diag, struct err *e)
{
    buf_reset(diag);
    *e = (struct err){ 0 };
    return rules_parse(A, "t.rules", (struct span){ text, n }, diag, e);
}

static unsigned count_in(struct span s, const char *needle)
{
    unsigned c = 0;
    size_t k = strlen(needle);
    for (size_t i = 0; s.n >= k && i + k <= s.n; i++)
        c += memcmp(s.p + i, needle, k) == 0;
    return c;
}

static void test_rules_file(void)
{
    struct buf diag;
    buf_init(&diag, 1u << 20);
    struct err e;
    char *big = malloc(LIMIT_RULES_FILE + 1);
    memset(big, '#', LIMIT_RULES_FILE + 1);
    memcpy(big, "tempo 1\n", 8);
    for (size_t i = 1023; i < LIMIT_RULES_FILE + 1; i += 1024)
        big[i] = '\n';
    for (int d = -1; d <= 1; d++) {
        size_t n = (size_t)LIMIT_RULES_FILE + (size_t)(long)d;
        bool fits = n <= LIMIT_RULES_FILE;
        CHECK_INT(parse_text(big, n, &diag, &e) != NULL, fits);
        const char *path = write_file("big.rules", big, n);
        buf_reset(&diag);
        e = (struct err){ 0 };
        struct rules *r = rules_load(A, path, &diag, &e);
        CHECK_INT(r != NULL, fits);
        if (!fits) {
            CHECK_INT(e.exit_code, EXIT_USAGE);
            CHECK(strstr(e.msg, "1 MiB") != NULL);
        }
    }
    free(big);
    buf_release(&diag);
}

static void test_rule_errors(void)
{
    struct buf diag;
    buf_init(&diag, 1u << 20);
    struct err e;
    char text[4096], want[64];
    for (unsigned k = LIMIT_RULE_ERRORS - 1; k <= LIMIT_RULE_ERRORS + 1; k++) {
        size_t n = (size_t)snprintf(text, sizeof text, "tempo 1\n");
        for (unsigned i = 0; i < k; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "frobnicate %u\n", i);
        CHECK(parse_text(text, n, &diag, &e) == NULL);
        unsigned shown = k < LIMIT_RULE_ERRORS ? k : LIMIT_RULE_ERRORS;
        CHECK_INT(count_in(buf_span(&diag), "t.rules:"), shown);
        snprintf(want, sizeof want, "%u errors in t.rules", shown);
        CHECK_STR(e.msg, want);
        /* the last one shown is on line 1 + shown */
        snprintf(want, sizeof want, "t.rules:%u:1: ", 1 + shown);
        CHECK_INT(count_in(buf_span(&diag), want), 1);
        snprintf(want, sizeof want, "t.rules:%u:1: ", 2 + shown);
        CHECK_INT(count_in(buf_span(&diag), want), 0);
    }
    buf_release(&diag);
}

enum rule_kind { RK_CALL, RK_READ, RK_VERDICT, RK_KEEP, RK_PRICE, RK_LOGFORMAT, RK_COUNT };

/* A rules file with k lines of one kind (and what they need before them). */
static size_t rules_with(enum rule_kind kind, unsigned k, char *out, size_t cap,
                         unsigned *first_line)
{
    size_t n = (size_t)snprintf(out, cap, "tempo 1\n");
    unsigned line = 2;
    if (kind == RK_READ) {
        n += (size_t)snprintf(out + n, cap - n, "call s POST /c\n");
        line++;
    }
    if (kind == RK_KEEP || kind == RK_PRICE) {
        for (unsigned i = 0; i < LIMIT_RULES; i++, line++)
            n += (size_t)snprintf(out + n, cap - n, "call s%u POST /c%u\n", i, i);
    }
    *first_line = line;
    for (unsigned i = 0; i < k; i++) {
        switch (kind) {
        case RK_CALL:
            n += (size_t)snprintf(out + n, cap - n, "call s%u POST /c%u\n", i, i);
            break;
        case RK_READ:
            n += (size_t)snprintf(out + n, cap - n, "read s GET /r%u/{key}\n", i);
            break;
        case RK_VERDICT:
            n += (size_t)snprintf(out + n, cap - n, "verdict v%u when calls > %u\n", i, i);
            break;
        case RK_KEEP: /* the 1025th names a site no call makes: the limit speaks first */
            n += (size_t)snprintf(out + n, cap - n, "keep s%u \"why\"\n", i);
            break;
        case RK_PRICE:
            n +=
                (size_t)snprintf(out + n, cap - n, "price s%u realtime $0.01/call batch 50%%\n", i);
            break;
        case RK_LOGFORMAT:
            n += (size_t)snprintf(out + n, cap - n, "logformat f%u '$msec $request'\n", i);
            break;
        case RK_COUNT:
            break;
        }
    }
    return n;
}

static void test_rules_count(void)
{
    static const char *const what[RK_COUNT] = { "call rules", "read rules",  "verdicts",
                                                "keep lines", "price lines", "logformat lines" };
    size_t cap = 200u << 10;
    char *text = malloc(cap);
    struct buf diag;
    buf_init(&diag, 1u << 20);
    struct err e;
    for (int kind = 0; kind < RK_COUNT; kind++) {
        for (unsigned k = LIMIT_RULES - 1; k <= LIMIT_RULES + 1; k++) {
            unsigned first;
            size_t n = rules_with((enum rule_kind)kind, k, text, cap, &first);
            struct rules *r = parse_text(text, n, &diag, &e);
            unsigned got = !r                   ? 0
                           : kind == RK_CALL    ? r->n_calls
                           : kind == RK_READ    ? r->n_reads
                           : kind == RK_VERDICT ? r->n_verdicts
                           : kind == RK_KEEP    ? r->n_keeps
                           : kind == RK_PRICE   ? r->n_prices
                                                : r->n_logformats;
            if (k <= LIMIT_RULES) {
                CHECK(r != NULL);
                CHECK_INT(got, k);
                if (!r)
                    printf("  %u %s: %.*s\n", k, what[kind], (int)diag.len, diag.p);
                continue;
            }
            CHECK(r == NULL);
            char want[96];
            /* at the keyword, or for a logformat at its name */
            snprintf(want, sizeof want, "t.rules:%u:%u: too many %s (at most %u)",
                     first + LIMIT_RULES, kind == RK_LOGFORMAT ? 11 : 1, what[kind],
                     (unsigned)LIMIT_RULES);
            CHECK_INT(count_in(buf_span(&diag), want), 1);
            CHECK_INT(count_in(buf_span(&diag), "t.rules:"), 1);
            if (count_in(buf_span(&diag), want) != 1)
                printf("  want %s, got %.*s\n", want, (int)(diag.len < 300 ? diag.len : 300),
                       diag.p);
        }
    }
    buf_release(&diag);
    free(text);
}

/* Every attribute name that LIMIT_RULES call and read rules may name is one
 * the decoders are asked for (match_wanted): a key the JSON decoders do not
 * extract would make its rule silently never find anything. */
static void test_wanted(void)
{
    size_t cap = 300u << 10;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "tempo 1\n");
    for (unsigned i = 0; i < LIMIT_RULES; i++)
        n += (size_t)snprintf(text + n, cap - n, "call s%u where kind == \"c\" key=k%u by=b%u\n", i,
                              i, i);
    for (unsigned i = 0; i < LIMIT_RULES; i++)
        n += (size_t)snprintf(text + n, cap - n, "read s%u where kind == \"r\" key=r%u\n", i, i);
    struct buf diag;
    buf_init(&diag, 1u << 20);
    struct err e;
    struct rules *r = parse_text(text, n, &diag, &e);
    CHECK(r != NULL);
    if (r) {
        struct matcher *m = match_new(r, A);
        unsigned k;
        const struct span *w = match_wanted(m, &k);
        CHECK(k >= 3 * LIMIT_RULES + 1);
        static const char *const names[] = { "kind", "k0", "b0", "r0", "k1023", "b1023", "r1023" };
        for (size_t j = 0; j < sizeof names / sizeof names[0]; j++) {
            bool found = false;
            for (unsigned i = 0; i < k && !found; i++)
                found = span_eq_str(w[i], names[j]);
            if (!found)
                printf("  '%s' is not among the %u attribute names wanted\n", names[j], k);
            CHECK(found);
        }
    }
    buf_release(&diag);
    free(text);
}

/* ---- LIMIT_KEY and LIMIT_BY: matcher and store ---- */

static struct matcher *key_matcher(struct rules **out)
{
    static const char text[] = "tempo 1\n"
                               "call c POST /c key=request_id,alt_id by=header.user-agent\n"
                               "read c GET /r/{key} by=header.user-agent\n"
                               "read c where kind == \"read\" key=request_id\n";
    struct buf diag;
    buf_init(&diag, 1u << 16);
    struct err e;
    *out = parse_text(text, sizeof text - 1, &diag, &e);
    CHECK(*out != NULL);
    if (!*out)
        printf("  %.*s\n", (int)diag.len, diag.p);
    buf_release(&diag);
    return *out ? match_new(*out, A) : NULL;
}

static int take_label(void *ctx, const struct store_call_row *row)
{
    *(int64_t *)ctx = row->by;
    return 0;
}

static void test_key_by(void)
{
    struct rules *r;
    struct matcher *m = key_matcher(&r);
    if (!m)
        return;
    static struct event ev;
    static struct match_out out;
    char *key = malloc(LIMIT_KEY + 8), *ua = malloc(LIMIT_BY + 8), path[LIMIT_KEY + 16];
    memset(key, 'k', LIMIT_KEY + 8);
    memset(ua, 'u', LIMIT_BY + 8);
    for (int d = -1; d <= 1; d++) {
        size_t kn = (size_t)LIMIT_KEY + (size_t)(long)d, bn = (size_t)LIMIT_BY + (size_t)(long)d;
        bool key_fits = kn <= LIMIT_KEY;
        size_t by_kept = bn <= LIMIT_BY ? bn : LIMIT_BY;

        /* a call: its key (and second key) kept or dropped whole, its by= cut */
        event_reset(&ev);
        event_add(&ev, SPAN_LIT("method"), SPAN_LIT("POST"), ATTR_STRING);
        event_add(&ev, SPAN_LIT("path"), SPAN_LIT("/c"), ATTR_STRING);
        event_add(&ev, SPAN_LIT("request_id"), (struct span){ key, kn }, ATTR_STRING);
        event_add(&ev, SPAN_LIT("alt_id"), (struct span){ key, kn }, ATTR_STRING);
        event_add(&ev, SPAN_LIT("header.user-agent"), (struct span){ ua, bn }, ATTR_STRING);
        CHECK(match_event(m, &ev, &out));
        CHECK(out.has_call);
        CHECK_INT(out.call.key.n, key_fits ? kn : 0);
        CHECK_INT(out.call.key2.n, key_fits ? kn : 0);
        CHECK_INT(out.call.by.n, by_kept);

        /* a read by path: a key too long to find anything reads nothing */
        snprintf(path, sizeof path, "/r/%.*s", (int)kn, key);
        event_reset(&ev);
        event_add(&ev, SPAN_LIT("method"), SPAN_LIT("GET"), ATTR_STRING);
        event_add(&ev, span_of("path"), span_of(path), ATTR_STRING);
        event_add(&ev, SPAN_LIT("header.user-agent"), (struct span){ ua, bn }, ATTR_STRING);
        CHECK_INT(match_event(m, &ev, &out), key_fits);
        CHECK_INT(out.n_reads, key_fits);
        if (key_fits) {
            CHECK_INT(out.reads[0].key.n, kn);
            CHECK_INT(out.reads[0].by.n, by_kept);
        }
        /* a read by attribute, the same */
        event_reset(&ev);
        event_add(&ev, SPAN_LIT("kind"), SPAN_LIT("read"), ATTR_STRING);
        event_add(&ev, SPAN_LIT("request_id"), (struct span){ key, kn }, ATTR_STRING);
        CHECK_INT(match_event(m, &ev, &out), key_fits);
        CHECK_INT(out.n_reads, key_fits);
    }

    /* the store cuts a by= value it is handed whole, and keys it hashes whole */
    struct span names[] = { SPAN_LIT("c") };
    struct err e;
    for (int d = -1; d <= 1; d++) {
        size_t bn = (size_t)LIMIT_BY + (size_t)(long)d;
        struct store *st = store_open(NULL, names, 1, &e);
        CHECK(st != NULL);
        if (!st)
            break;
        int64_t src;
        struct match_call c = { .site = 0,
                                .key = { key, LIMIT_KEY },
                                .by = { ua, bn },
                                .start_us = 1,
                                .ready_us = 2,
                                .latency_us = 1,
                                .tokens_in = -1,
                                .tokens_out = -1 };
        struct source_stats stats = { .path = "x" };
        CHECK_INT(store_begin_source(st, "x", &src, &e), 0);
        CHECK_INT(store_put_call(st, src, &c, &e), 0);
        CHECK_INT(store_end_source(st, src, &stats, 1, 2, &e), 0);
        int64_t label = STORE_NO_LABEL;
        CHECK_INT(store_scan_calls(st, take_label, &label, &e), 0);
        struct span by = SPAN_NULL;
        CHECK_INT(store_label(st, label, A, &by, &e), 0);
        CHECK_INT(by.n, bn <= LIMIT_BY ? bn : LIMIT_BY);
        store_close(st);
    }
    free(key);
    free(ua);
}

/* ---- LIMIT_STORE_BATCH: N - 1 rows wait, N are committed, N + 1 wait again ---- */

/* Rows another connection sees in the store at `path`. */
static uint64_t committed(const char *path, const struct span *names)
{
    struct err e;
    struct store *o = store_open(path, names, 1, &e);
    uint64_t calls = 0, reads = 0;
    CHECK(o != NULL);
    if (!o)
        return UINT64_MAX;
    CHECK_INT(store_count(o, &calls, &reads, &e), 0);
    store_close(o);
    return calls + reads;
}

static void test_store_batch(void)
{
    struct span names[] = { SPAN_LIT("s") };
    for (int mixed = 0; mixed < 2; mixed++) {
        const char *path = path_of(mixed ? "mixed.db" : "calls.db");
        char keep[256];
        snprintf(keep, sizeof keep, "%s", path);
        struct err e;
        struct store *st = store_open(keep, names, 1, &e);
        CHECK(st != NULL);
        if (!st)
            return;
        int64_t src;
        struct store_identity id; /* a log: a committed batch counts at once */
        store_identity_of(SPAN_LIT("x"), false, 0, 0, 0, true, &id);
        CHECK_INT(store_begin_identified(st, "x.log", &id, &src, &e), 0);
        for (unsigned i = 1; i <= LIMIT_STORE_BATCH + 1; i++) {
            int rc;
            if (mixed && i % 2) {
                struct match_read rd = { .site = 0, .key = SPAN_LIT("k"), .at_us = i };
                rc = store_put_read(st, src, &rd, &e);
            } else {
                struct match_call c = { .site = 0,
                                        .key = SPAN_LIT("k"),
                                        .start_us = i,
                                        .ready_us = i + 1,
                                        .latency_us = 1,
                                        .tokens_in = -1,
                                        .tokens_out = -1 };
                rc = store_put_call(st, src, &c, &e);
            }
            if (rc != 0) {
                CHECK_INT(rc, 0);
                break;
            }
            if (i == LIMIT_STORE_BATCH - 1)
                CHECK_INT(committed(keep, names), 0);
            else if (i == LIMIT_STORE_BATCH || i == LIMIT_STORE_BATCH + 1)
                CHECK_INT(committed(keep, names), LIMIT_STORE_BATCH);
        }
        struct source_stats stats = { .path = "x.log" };
        CHECK_INT(store_end_source(st, src, &stats, 1, LIMIT_STORE_BATCH + 2, &e), 0);
        CHECK_INT(committed(keep, names), LIMIT_STORE_BATCH + 1);
        store_close(st);
    }
}

/* ---- LIMIT_BASELINE: files and pipes of N - 1, N, N + 1 bytes ---- */

static const char small_report[] =
    "{\"tempo\": 1, \"rules\": {\"delay_s\": 60}, \"sites\": [], \"findings\": []}";

/* Write the report and spaces up to n bytes into fd. */
static void write_padded(int fd, size_t n)
{
    static char spaces[1 << 16];
    memset(spaces, ' ', sizeof spaces);
    size_t k = sizeof small_report - 1, done = 0;
    while (done < k) {
        ssize_t w = write(fd, small_report + done, k - done);
        if (w <= 0)
            return;
        done += (size_t)w;
    }
    while (done < n) {
        size_t want = n - done < sizeof spaces ? n - done : sizeof spaces;
        ssize_t w = write(fd, spaces, want);
        if (w <= 0)
            return;
        done += (size_t)w;
    }
}

static void test_baseline(void)
{
    struct err e;
    struct baseline bl;
    /* a file is judged by its size: N + 1 (sparse) unread, N read whole */
    const char *path = write_file("base.json", small_report, sizeof small_report - 1);
    CHECK_INT(truncate(path, (off_t)LIMIT_BASELINE + 1), 0);
    CHECK_INT(decode_baseline(path, A, &bl, &e), -1);
    CHECK_STR(e.msg, "larger than 256 MiB");
    int fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0);
    write_padded(fd, LIMIT_BASELINE);
    close(fd);
    e = (struct err){ 0 };
    CHECK_INT(decode_baseline(path, A, &bl, &e), 0);
    CHECK_DBL(bl.delay_s, 60, 0);
    unlink(path);
    /* a pipe by what it gives: refused at the byte past N (a pipe of N bytes
     * takes as long again to read and parse: the same code as the file's) */
    const char *fifo = path_of("base.fifo");
    unlink(fifo);
    CHECK_INT(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        int wfd = open(fifo, O_WRONLY);
        if (wfd >= 0)
            write_padded(wfd, (size_t)LIMIT_BASELINE + 1);
        _exit(0);
    }
    CHECK(pid > 0);
    e = (struct err){ 0 };
    CHECK_INT(decode_baseline(fifo, A, &bl, &e), -1);
    CHECK_STR(e.msg, "larger than 256 MiB");
    int status;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    unlink(fifo);
}

/* ---- TCP: LIMIT_TCP_STREAMS, _BUFFER, _MEMORY, _IDLE_US, the real constants ---- */

struct tcp_rec {
    uint64_t data, gaps, ends, why[4], first_end_id;
};

static void rec_data(void *ctx, struct tcp_stream *s, enum tcp_dir dir, const uint8_t *p, size_t n,
                     int64_t ts_us)
{
    (void)s, (void)dir, (void)p, (void)ts_us;
    ((struct tcp_rec *)ctx)->data += n;
}

static void rec_gap(void *ctx, struct tcp_stream *s, enum tcp_dir dir, uint64_t missing,
                    int64_t ts_us)
{
    (void)s, (void)dir, (void)missing, (void)ts_us;
    ((struct tcp_rec *)ctx)->gaps++;
}

static void rec_end(void *ctx, struct tcp_stream *s, enum tcp_end_reason why, int64_t ts_us)
{
    struct tcp_rec *r = ctx;
    (void)ts_us;
    r->ends++;
    r->why[why]++;
    if (!r->first_end_id)
        r->first_end_id = s->id;
}

static struct tcp *tcp_open(struct tcp_rec *r)
{
    memset(r, 0, sizeof *r);
    struct tcp_callbacks cb = { r, rec_data, rec_gap, rec_end };
    struct err e;
    struct tcp *t = tcp_new(TCP_LINK_RAW, &cb, &e);
    CHECK(t != NULL);
    return t;
}

static uint8_t *frame_buf; /* 60 + LIMIT_TCP_BUFFER + 4096 bytes */
enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_PSH = 0x08, TH_ACK = 0x10 };

/* A raw IPv6 frame from 2001:db8::SRC port `sport` to 2001:db8::1 port 80 with
 * `n` payload bytes. Its payload length is 0, as segmentation offload writes
 * it, so one segment may carry more than 64 KiB (tcp.c reads the frame's). */
static void send6(struct tcp *t, uint32_t src, uint16_t sport, uint32_t seq, unsigned flags,
                  size_t n, int64_t ts)
{
    uint8_t *f = frame_buf;
    memset(f, 0, 60);
    f[0] = 0x60;
    f[6] = 6;
    f[7] = 64;
    f[8] = 0x20, f[9] = 0x01, f[10] = 0x0d, f[11] = 0xb8;
    be32(f + 20, src);
    f[24] = 0x20, f[25] = 0x01, f[26] = 0x0d, f[27] = 0xb8, f[39] = 1;
    be16(f + 40, sport);
    be16(f + 42, 80);
    be32(f + 44, seq);
    f[52] = 5 << 4;
    f[53] = (uint8_t)flags;
    be16(f + 54, 65535);
    memset(f + 60, 'x', n);
    tcp_packet(t, f, 60 + n, 60 + n, ts);
}

static const int64_t T0 = INT64_C(1700000000000000);

/* One stream: a byte at seq 1, then `n` bytes at seq 3 behind a one-byte hole.
 * True when they are held (no gap yet); every byte is accounted after a flush. */
static bool held(size_t n)
{
    struct tcp_rec r;
    struct tcp *t = tcp_open(&r);
    if (!t)
        return false;
    send6(t, 1, 1000, 1, TH_ACK, 1, T0);
    send6(t, 1, 1000, 3, TH_ACK | TH_PSH, n, T0);
    bool is_held = r.gaps == 0 && r.data == 1;
    tcp_flush(t, T0);
    CHECK_INT(r.data, 1 + n);
    CHECK_INT(r.gaps, 1);
    CHECK_INT(tcp_stats(t)->bytes_skipped, 1);
    tcp_free(t);
    return is_held;
}

/* The largest out-of-order segment held per direction: LIMIT_TCP_BUFFER less
 * the few bytes of bookkeeping that tcp.c counts per segment (so that a
 * flood of one-byte segments is bounded too). */
static size_t test_tcp_buffer(void)
{
    size_t lo = LIMIT_TCP_BUFFER - 256, hi = (size_t)LIMIT_TCP_BUFFER + 1;
    CHECK(held(lo));
    CHECK(!held(hi));
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (held(mid))
            lo = mid;
        else
            hi = mid;
    }
    CHECK(held(lo - 1)); /* costs N - 1, N, N + 1 */
    CHECK(held(lo));
    CHECK(!held(lo + 1));
    size_t overhead = LIMIT_TCP_BUFFER - lo;
    CHECK(overhead > 0 && overhead <= 64);
    printf("  LIMIT_TCP_BUFFER: %zu payload bytes held out of order (%zu per segment counted)\n",
           lo, overhead);
    return lo;
}

/* LIMIT_TCP_MEMORY over 513 streams: 511 hold a full buffer, the 512th a
 * little less, the 513th brings the total to N - 1, N or N + 1. */
static void test_tcp_memory(size_t most)
{
    size_t overhead = LIMIT_TCP_BUFFER - most;
    unsigned full = LIMIT_TCP_MEMORY / LIMIT_TCP_BUFFER - 1;
    for (int d = -1; d <= 1; d++) {
        struct tcp_rec r;
        struct tcp *t = tcp_open(&r);
        if (!t)
            return;
        for (unsigned i = 1; i <= full + 1; i++) {
            send6(t, i, 1000, 1, TH_ACK, 1, T0);
            send6(t, i, 1000, 3, TH_ACK, i <= full ? most : most - overhead - 10, T0);
        }
        CHECK_INT(r.gaps, 0); /* LIMIT_TCP_MEMORY - overhead - 10 held */
        send6(t, full + 2, 1000, 1, TH_ACK, 1, T0);
        send6(t, full + 2, 1000, 3, TH_ACK, (size_t)(10 + d), T0); /* costs overhead + 10 + d */
        CHECK_INT(r.gaps, d > 0);
        tcp_flush(t, T0);
        CHECK_INT(r.ends, full + 2);
        tcp_free(t);
    }
}

static void test_tcp_streams(void)
{
    struct tcp_rec r;
    struct tcp *t = tcp_open(&r);
    if (!t)
        return;
    for (uint32_t i = 1; i <= LIMIT_TCP_STREAMS + 1; i++) {
        send6(t, i, 1000, 7, TH_SYN, 0, T0);
        if (i >= LIMIT_TCP_STREAMS - 1) {
            bool over = i > LIMIT_TCP_STREAMS;
            CHECK_INT(tcp_stats(t)->streams, i);
            CHECK_INT(tcp_stats(t)->evicted, over);
            CHECK_INT(r.why[TCP_END_EVICTED], over);
            CHECK_INT(r.first_end_id, over ? 1 : 0); /* the least recently seen */
        }
    }
    tcp_flush(t, T0);
    CHECK_INT(r.ends, LIMIT_TCP_STREAMS + 1);
    CHECK_INT(r.why[TCP_END_FLUSH], LIMIT_TCP_STREAMS);
    tcp_free(t);
}

static void test_tcp_idle(void)
{
    struct tcp_rec r;
    struct tcp *t = tcp_open(&r);
    if (!t)
        return;
    send6(t, 1, 1000, 1, TH_ACK, 1, T0);
    for (int d = -1; d <= 1; d++) {
        send6(t, 2, 2000, 1 + (uint32_t)(d + 1), TH_ACK, 1, T0 + LIMIT_TCP_IDLE_US + d);
        CHECK_INT(tcp_stats(t)->idle, d > 0);
        CHECK_INT(r.why[TCP_END_IDLE], d > 0);
        CHECK_INT(r.first_end_id, d > 0 ? 1 : 0);
    }
    tcp_flush(t, T0 + LIMIT_TCP_IDLE_US + 1);
    CHECK_INT(r.ends, 2);
    tcp_free(t);
}

static void test_tcp(void)
{
    frame_buf = malloc(60 + (size_t)LIMIT_TCP_BUFFER + 4096);
    size_t most = test_tcp_buffer();
    if (most > 64)
        test_tcp_memory(most);
    test_tcp_streams();
    test_tcp_idle();
    free(frame_buf);
}

/* ---- LIMIT_HTTP_PIPELINE: N - 1, N, N + 1 requests before any response ---- */

static void test_http_pipeline(void)
{
    for (unsigned k = LIMIT_HTTP_PIPELINE - 1; k <= LIMIT_HTTP_PIPELINE + 1; k++) {
        struct http_rig r;
        http_open(&r);
        char tmp[64];
        for (unsigned i = 0; i < k; i++) {
            snprintf(tmp, sizeof tmp, "GET /%u HTTP/1.1\r\n\r\n", i);
            http_put(&r, TCP_FROM_INITIATOR, tmp, 100 + i);
        }
        unsigned paired = k < LIMIT_HTTP_PIPELINE ? k : LIMIT_HTTP_PIPELINE;
        CHECK_INT(decode_http_stats(r.h)->incomplete, k - paired);
        for (unsigned i = 0; i < k; i++)
            http_put(&r, TCP_FROM_RESPONDER, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                     1000 + i);
        CHECK_INT(r.g->n, paired);
        snprintf(tmp, sizeof tmp, "/%u", paired - 1);
        CHECK_STR(r.g->path, tmp);
        CHECK_INT(decode_http_stats(r.h)->incomplete, k - paired);
        http_close(&r);
    }
}

/* ---- LIMIT_CHART_SITES, _CURVES, _LABEL, _GNUPLOT_SECONDS ---- */

static char cap_dir[64];

/* A stand-in gnuplot: copies the script and data out, writes a small SVG for
 * every `set output`. */
static void standin(char *path, size_t cap)
{
    snprintf(cap_dir, sizeof cap_dir, "%s/cap", tmp_dir);
    mkdir(cap_dir, 0700);
    snprintf(path, cap, "%s/gnuplot", tmp_dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f,
            "#!/bin/sh\nrm -f %s/*\ncp charts.gp *.dat %s/ || exit 9\n"
            "for f in $(sed -n \"s/^set output '\\(.*\\)'$/\\1/p\" charts.gp); do\n"
            "    printf '<svg viewBox=\"0 0 1 1\"></svg>\\n' > \"$f\"\ndone\n",
            cap_dir, cap_dir);
    fclose(f);
    chmod(path, 0700);
}

/* The text of captured file `name` (malloc'd, NUL-terminated), or NULL. */
static char *captured(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", cap_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, 64u << 20);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc |= buf_add(&b, chunk, n);
    fclose(f);
    if (rc || buf_adds(&b, "") < 0) {
        buf_release(&b);
        return NULL;
    }
    return b.p;
}

static unsigned count_str(const char *s, const char *needle)
{
    return s ? count_in(span_of(s), needle) : 0;
}

static void site_of(struct analysis_site *s, const char *name)
{
    memset(s, 0, sizeof *s);
    s->name = span_of(name);
    s->calls = 10;
    s->reads = 5;
    s->has_wait = true;
    for (unsigned k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        s->tempo_curve[k] = 0.5;
    for (unsigned k = 0; k < ANALYSIS_CDF_POINTS; k++)
        s->wait_cdf_us[k] = (int64_t)k * 60 * 1000000;
    for (unsigned h = 0; h < ANALYSIS_WEEK_HOURS; h++)
        s->calls_by_hour[h] = h % 3;
    s->has_cost = true;
    s->monthly_now = 100;
    s->monthly_target = 50;
}

/* Draw `n` sites named by `names` (each `stride` bytes); 0 when drawn. */
static int draw(struct analysis_site *sites, unsigned n, struct chart_set *cs)
{
    char out[128];
    snprintf(out, sizeof out, "%s/charts", tmp_dir);
    mkdir(out, 0700);
    struct rules r = { .path = "t.rules", .delay_us = 3600 * INT64_C(1000000), .confidence = 0.99 };
    struct analysis an = { .sites = sites, .n_sites = n };
    struct verdict_result vr = { 0 };
    struct err e = { 0 };
    int rc = chart_draw(&r, &an, &vr, out, A, cs, &e);
    if (rc != 0)
        printf("  chart_draw: %s\n", e.msg);
    return rc;
}

static void test_charts(void)
{
    char gp[128];
    standin(gp, sizeof gp);
    setenv("TEMPO_GNUPLOT", gp, 1);
    CHECK_INT(chart_limit_seconds, LIMIT_GNUPLOT_SECONDS); /* enforced: test_chart.c */
    unsigned most = LIMIT_CHART_SITES + 1;
    struct analysis_site *sites = calloc(most, sizeof *sites);
    char(*names)[16] = calloc(most, sizeof *names);
    for (unsigned i = 0; i < most; i++) {
        snprintf(names[i], sizeof names[i], "site%u", i);
        site_of(&sites[i], names[i]);
    }
    /* sites with charts of their own, and on the cost chart */
    for (unsigned n = LIMIT_CHART_SITES - 1; n <= LIMIT_CHART_SITES + 1; n++) {
        struct chart_set cs;
        CHECK_INT(draw(sites, n, &cs), 0);
        CHECK_INT(cs.n_sites, n);
        unsigned with = n < LIMIT_CHART_SITES ? n : LIMIT_CHART_SITES;
        unsigned weeks = 0, waits = 0;
        for (unsigned i = 0; i < cs.n_sites; i++) {
            weeks += cs.sites[i].week[0] != 0;
            waits += cs.sites[i].wait[0] != 0;
        }
        CHECK_INT(weeks, with);
        CHECK_INT(waits, with);
        CHECK_STR(cs.sites[with - 1].week, with == 99 ? "week-99.svg" : "week-100.svg");
        if (n > LIMIT_CHART_SITES)
            CHECK_STR(cs.sites[LIMIT_CHART_SITES].week, "");
        char *script = captured("charts.gp"), *cost = captured("cost.dat");
        CHECK_INT(count_str(script, "set output 'week-"), with);
        CHECK_INT(count_str(script, "set output 'wait-"), with);
        CHECK_INT(count_str(cost, "\n"), with); /* one row per priced site */
        free(script);
        free(cost);
    }
    /* sites on the tempo curve */
    for (unsigned n = LIMIT_CHART_CURVES - 1; n <= LIMIT_CHART_CURVES + 1; n++) {
        struct chart_set cs;
        CHECK_INT(draw(sites, n, &cs), 0);
        unsigned on = n < LIMIT_CHART_CURVES ? n : LIMIT_CHART_CURVES;
        char *script = captured("charts.gp"), *tempo = captured("tempo.dat");
        CHECK_INT(count_str(script, "'tempo.dat' using"), on);
        char *nl = tempo ? strchr(tempo, '\n') : NULL;
        if (nl)
            *nl = 0;
        CHECK_INT(count_str(tempo, "\"") / 2, 1 + on); /* "delay_s" and one per site */
        free(script);
        free(tempo);
    }
    /* a name of N - 1, N, N + 1 bytes in a legend */
    char label[LIMIT_CHART_LABEL + 2], want[LIMIT_CHART_LABEL + 8];
    for (int d = -1; d <= 1; d++) {
        size_t n = (size_t)LIMIT_CHART_LABEL + (size_t)(long)d;
        memset(label, 'l', n);
        label[n] = 0;
        site_of(&sites[0], label);
        struct chart_set cs;
        CHECK_INT(draw(sites, 1, &cs), 0);
        if (n <= LIMIT_CHART_LABEL)
            snprintf(want, sizeof want, "\"%s\"", label);
        else
            snprintf(want, sizeof want, "\"%.*s...\"", LIMIT_CHART_LABEL - 3, label);
        char *tempo = captured("tempo.dat");
        CHECK_INT(count_str(tempo, want), 1);
        free(tempo);
    }
    unsetenv("TEMPO_GNUPLOT");
    free(sites);
    free(names);
}

int main(void)
{
    if (!mkdtemp(tmp_dir)) {
        printf("FAIL %s: cannot make %s\n", __FILE__, tmp_dir);
        return 1;
    }
    A = arena_new(1 << 16);
    test_line();
    test_read_block();
    test_attrs();
    test_attr_name();
    test_first_errors();
    test_rules_file();
    test_rule_errors();
    test_rules_count();
    test_wanted();
    test_key_by();
    test_store_batch();
    test_baseline();
    test_tcp();
    test_http_pipeline();
    test_charts();
    remove_tree(tmp_dir, 2);
    arena_free(A);
    return test_report();
}
