/*
 * test_report.c - the escaping every reporter relies on: JSON strings stay
 * valid UTF-8 and carry no live markup, Markdown cells no table breaks,
 * links or tags, terminal text no control bytes, HTML text no markup, CSV
 * cells no formulas; money and shares. Then the HTML, CSV and Markdown
 * reports of a hand-built run whose names, by values, paths and reasons are
 * hostile, and the inlining (or refusal) of chart SVG files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report.h"
#include "test.h"
#include "utc.h"


/* One escaper on one input: the output must be exactly `want`. */
static void escape_row(int (*esc)(struct buf *, struct span), const char *in, size_t n,
                       const char *want, int line)
{
    struct buf b;
    buf_init(&b, 4096);
    int rc = esc(&b, (struct span){ in, n });
    if (rc == 0 && b.len == strlen(want) && (b.len == 0 || memcmp(b.p, want, b.len) == 0)) {
        test_passed++;
    } else {
        test_failed++;
        printf("FAIL %s:%d: expected [%s], got [%.*s]\n", __FILE__, line, want, (int)b.len,
               b.p ? b.p : "");
    }
    buf_release(&b);
}
#define json_row(in, n, want, line) escape_row(report_json_str, in, n, want, line)
#define html_row(in, n, want, line) escape_row(report_html_text, in, n, want, line)
#define csv_row(in, n, want, line) escape_row(report_csv_cell, in, n, want, line)

/* ---- helpers for the report tests ---- */

static bool valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t k = c < 0x80                 ? 1
                   : c >= 0xc2 && c <= 0xdf ? 2
                   : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4
                                            : 0;
        if (k == 0 || (size_t)(end - p) < k)
            return false;
        for (size_t i = 1; i < k; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
            (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
            return false;
        p += k;
    }
    return true;
}

static size_t count_of(const char *s, size_t n, const char *lit, bool nocase)
{
    size_t k = strlen(lit), hits = 0;
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && (nocase ? (s[i + j] | 0x20) == (lit[j] | 0x20) : s[i + j] == lit[j]))
            j++;
        hits += j == k;
    }
    return hits;
}

static bool has(const char *s, size_t n, const char *lit)
{
    return count_of(s, n, lit, false) > 0;
}

/* Run reporter r into memory; the caller frees the result. */
static char *run_report(const struct reporter *r, const struct report_input *in, size_t *n)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, n);
    struct err e = { 0 };
    CHECK_INT(r->write(in, f, &e), 0);
    fclose(f);
    return out;
}



static void test_escapers(void)
{
    html_row("", 0, "", __LINE__);
    html_row("a&b<c>d\"e'f", 11, "a&amp;b&lt;c&gt;d&quot;e&#39;f", __LINE__);
    html_row("<script>", 8, "&lt;script&gt;", __LINE__);
    html_row("a\tb", 3, "a\tb", __LINE__); /* tab stays */
    html_row("a\nb", 3,
             "a\xef\xbf\xbd"
             "b",
             __LINE__); /* other controls: U+FFFD */
    html_row("\x01\x7f", 2, "\xef\xbf\xbd\xef\xbf\xbd", __LINE__);
    html_row("a\0b", 3,
             "a\xef\xbf\xbd"
             "b",
             __LINE__);
    html_row("\xc2\x85", 2, "\xef\xbf\xbd", __LINE__);         /* C1 control */
    html_row("\xef\xb7\x90", 3, "\xef\xbf\xbd", __LINE__);     /* U+FDD0 noncharacter */
    html_row("\xef\xbf\xbe", 3, "\xef\xbf\xbd", __LINE__);     /* U+FFFE */
    html_row("\xf4\x8f\xbf\xbf", 4, "\xef\xbf\xbd", __LINE__); /* U+10FFFF */
    html_row("caf\xc3\xa9 \xf0\x9f\x98\x80", 10, "caf\xc3\xa9 \xf0\x9f\x98\x80", __LINE__);
    html_row("\xff", 1, "\xef\xbf\xbd", __LINE__);
    html_row("\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd", __LINE__); /* cut 3-byte sequence */
    html_row("\xe2\x82x", 3, "\xef\xbf\xbd\xef\xbf\xbdx", __LINE__);
    html_row("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", __LINE__); /* surrogate */

    csv_row("", 0, "\"\"", __LINE__);
    csv_row("plain", 5, "\"plain\"", __LINE__);
    csv_row("a\"b", 3, "\"a\"\"b\"", __LINE__);
    csv_row("a,b", 3, "\"a,b\"", __LINE__);
    csv_row("=1+2", 4, "\"'=1+2\"", __LINE__);
    csv_row("+1", 2, "\"'+1\"", __LINE__);
    csv_row("-2", 2, "\"'-2\"", __LINE__);
    csv_row("@SUM(A1)", 8, "\"'@SUM(A1)\"", __LINE__);
    csv_row("=cmd|'/c calc'!A0", 17, "\"'=cmd|'/c calc'!A0\"", __LINE__);
    csv_row("\tx", 2, "\"' x\"", __LINE__); /* tab first: neutralised */
    csv_row("\rx", 2, "\"' x\"", __LINE__);
    csv_row(" =1", 3, "\"' =1\"", __LINE__); /* a space does not hide it */
    csv_row("\n\n-1", 4, "\"'  -1\"", __LINE__);
    csv_row("a=b", 3, "\"a=b\"", __LINE__);
    csv_row("1-2", 3, "\"1-2\"", __LINE__);
    csv_row("x\r\ny", 4, "\"x  y\"", __LINE__);
    csv_row("\xc2\x85x", 3, "\" x\"", __LINE__);
    csv_row("\xff=", 2, "\"\xef\xbf\xbd=\"", __LINE__);
    csv_row("\"=1", 3, "\"\"\"=1\"", __LINE__); /* starts with a quote, not a sign */
}

/* ---- a hand-built run with hostile strings ---- */

#define XSS "<script>alert(1)</script>"
#define IMG "\"><img src=x onerror=alert(1)>"
#define TICK "`touch /tmp/x`"
#define DDE "=cmd|'/c calc'!A0"

struct fixture {
    struct rules r;
    struct analysis an;
    struct analysis_site s[4];
    struct analysis_reader rd[3];
    struct store_source src[2];
    struct verdict_result vr;
    struct verdict_finding f[1];
    struct report_input in;
};

static void fixture_init(struct fixture *x)
{
    memset(x, 0, sizeof *x);
    x->r.path = "rules/" XSS ".rules";
    x->r.delay_us = USEC_PER_HOUR;
    x->r.confidence = 0.99;
    x->r.min_calls = 100;
    x->r.batch_time_us = 30 * USEC_PER_MIN;

    x->src[0].stats = (struct source_stats){ .path = "logs/" XSS "\n" IMG ".log",
                                             .format = "nginx",
                                             .lines = 26602,
                                             .events = 22402,
                                             .skipped = 2,
                                             .n_errors = 1 };
    x->src[0].stats.errors[0] = (struct source_error){ 13301, "no closing quote" };
    x->src[1].stats = (struct source_stats){ .path = DDE "|\xff\xe2\x82.log",
                                             .format = "jsonl",
                                             .is_gzip = true,
                                             .lines = 10,
                                             .events = 10 };

    struct analysis_site *s = x->s;
    for (int i = 0; i < 4; i++) {
        s[i].calls = s[i].eligible = 5600;
        s[i].calls_per_day = 400;
        s[i].calls_per_month = 12000;
        s[i].has_wait = s[i].has_latency = true;
        s[i].latency_p50_us = 170000;
        s[i].latency_p99_us = 300000;
        for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
            s[i].tempo_curve[k] = 1.0 - 0.1 * k * (i == 3);
        s[i].has_cost = true;
        for (int q = 0; q < Q_COUNT; q++)
            s[i].wait_us[q] = (q + 1) * 10 * USEC_PER_SEC;
    }
    /* 1: batch, openai, daily at 02:00 UTC */
    s[0].name = SPAN_LIT("churn" XSS);
    s[0].has_by = true;
    s[0].by = SPAN_LIT(IMG);
    s[0].verdict = "batch";
    s[0].migration = "batch";
    s[0].provider = "openai";
    s[0].reads = 5210;
    s[0].read_share = 0.93;
    s[0].tolerant_share = 1.0;
    s[0].tolerant_share_lo = 0.9993;
    s[0].wait_us[Q_P50] = 19 * USEC_PER_HOUR;
    s[0].wait_cdf_us[1] = 2 * USEC_PER_HOUR;
    s[0].schedule.computed = true;
    s[0].schedule.batch_time_us = 30 * USEC_PER_MIN;
    s[0].schedule.best = (struct analysis_option){ CADENCE_DAILY, 2, 5600, 5600, 1.0 };
    s[0].schedule.next = (struct analysis_option){ CADENCE_WEEKLY, 26, 5000, 5600, 0.89 };
    s[0].monthly_now = 48000, s[0].monthly_batch = 12000, s[0].monthly_target = 12000;
    s[0].monthly_savings = 36000;
    snprintf(s[0].reason, sizeof s[0].reason,
             "100%% of results were first read 1h or more "
             "after they were ready (p50 wait 19h) " XSS);
    snprintf(s[0].cost_note, sizeof s[0].cost_note, "per call: $0.0040 now, $0.0010 batch");
    x->rd[0] =
        (struct analysis_reader){ SPAN_LIT(TICK), 3900, 19 * USEC_PER_HOUR, 20 * USEC_PER_HOUR };
    x->rd[1] =
        (struct analysis_reader){ SPAN_LIT(DDE), 1310, 18 * USEC_PER_HOUR, 22 * USEC_PER_HOUR };
    s[0].readers = x->rd;
    s[0].n_readers = 2;
    /* 2: unused, stop it */
    s[1].name = SPAN_LIT("+1");
    s[1].has_by = true;
    s[1].by = SPAN_LIT("-2");
    s[1].verdict = "unused";
    s[1].migration = "stop";
    s[1].reads = 0;
    s[1].has_wait = false;
    s[1].monthly_now = 7000, s[1].monthly_batch = 3500, s[1].monthly_savings = 7000;
    snprintf(s[1].reason, sizeof s[1].reason, "0%% of results were ever read (0 of 5600)");
    /* 3: streaming, OpenAI flex */
    s[2].name = SPAN_LIT("@SUM(A1)\nline2\xff\xe2\x82");
    s[2].verdict = "streaming";
    s[2].migration = "flex";
    s[2].provider = "openai";
    s[2].reads = 5600;
    s[2].read_share = 1;
    s[2].tolerant_share = 0.2;
    s[2].wait_us[Q_P50] = 10 * USEC_PER_MIN;
    s[2].monthly_now = 900, s[2].monthly_batch = 450, s[2].monthly_target = 450;
    s[2].monthly_savings = 450;
    snprintf(s[2].reason, sizeof s[2].reason, "readers wait minutes (p50 10m)");
    x->rd[2] = (struct analysis_reader){ SPAN_LIT("ui\r\n" XSS), 5600, 10 * USEC_PER_MIN,
                                         40 * USEC_PER_MIN };
    s[2].readers = &x->rd[2];
    s[2].n_readers = 1;
    /* 4: realtime, kept */
    s[3].name = SPAN_LIT("fraud | x ] y");
    s[3].verdict = "realtime";
    s[3].migration = "stay";
    s[3].kept = true;
    s[3].keep_reason = SPAN_LIT(XSS "\n" DDE " " TICK " |x|");
    s[3].reads = 5600;
    s[3].read_share = 1;
    s[3].wait_us[Q_P50] = 2 * USEC_PER_SEC;
    s[3].schedule.computed = true;
    s[3].schedule.best = (struct analysis_option){ CADENCE_NONE, 0, 10, 5600, 0.0018 };
    s[3].schedule.batch_time_us = 30 * USEC_PER_MIN;
    snprintf(s[3].schedule_note, sizeof s[3].schedule_note,
             "read within seconds: even hourly runs are late");
    s[3].monthly_now = 200, s[3].monthly_batch = 100, s[3].monthly_target = 200;
    snprintf(s[3].reason, sizeof s[3].reason, "results are read soon after they are ready");

    x->an.start_us = INT64_C(1795000000) * USEC_PER_SEC;
    x->an.end_us = x->an.start_us + 14 * USEC_PER_DAY;
    x->an.days = 14;
    x->an.has_utc_offset = true;
    x->an.utc_offset_s = 3600;
    x->an.sources = x->src;
    x->an.n_sources = 2;
    x->an.sites = s;
    x->an.n_sites = 4;

    x->f[0] =
        (struct verdict_finding){ .kind = FINDING_FAKE_URGENCY, .site = &s[0], .rules_line = 9 };
    snprintf(x->f[0].message, sizeof x->f[0].message, "churn" XSS " could be batch");
    x->vr.findings = x->f;
    x->vr.n_findings = 1;
    x->vr.monthly_now = 56100;
    x->vr.monthly_target = 12650;
    x->vr.monthly_savings = 43450;
    x->vr.sites_priced = 4;

    x->in = (struct report_input){ &x->r, &x->an, &x->vr, x->an.end_us, NULL };
}

/* Every src= attribute value: none may name a remote resource. */
static bool remote_src(const char *h, size_t n)
{
    for (size_t i = 0; i + 5 <= n; i++) {
        if ((h[i] != ' ' && h[i] != '\t' && h[i] != '\n') || memcmp(h + i + 1, "src=", 4) != 0)
            continue;
        size_t j = i + 5, end = j;
        char q = j < n && (h[j] == '"' || h[j] == '\'') ? h[j++] : ' ';
        for (end = j; end < n && h[end] != q && h[end] != '>'; end++)
            ;
        if (count_of(h + j, end - j, "http", true) || count_of(h + j, end - j, "//", false))
            return true;
    }
    return false;
}

static void escaped(struct buf *b, const char *s)
{
    buf_reset(b);
    if (report_html_text(b, span_of(s)) < 0)
        test_failed++;
}

static void test_html(void)
{
    struct fixture x;
    fixture_init(&x);
    size_t n;
    char *h = run_report(&report_html, &x.in, &n);
    struct buf b;
    buf_init(&b, 4096);

    CHECK(valid_utf8(h, n));
    CHECK(span_starts((struct span){ h, n }, "<!doctype html>\n"));
    CHECK(has(h, n, "<meta charset=\"utf-8\">"));
    CHECK(has(h, n, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    CHECK(has(h, n,
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
              "'none'; style-src 'unsafe-inline'; img-src data:\">"));
    CHECK_INT(count_of(h, n, "<style>", false), 1);
    CHECK_INT(count_of(h, n, "<script", true), 0);
    CHECK_INT(count_of(h, n, "<img", true), 0);
    CHECK_INT(count_of(h, n, "<link", true), 0);
    CHECK_INT(count_of(h, n, "@import", true), 0);
    CHECK(!remote_src(h, n));
    /* the hostile strings are there, as text */
    CHECK(has(h, n, "churn&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(has(h, n, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    CHECK(has(h, n, TICK));
    CHECK(has(h, n, "=cmd|&#39;/c calc&#39;!A0"));
    CHECK(has(h, n, "@SUM(A1)\xef\xbf\xbdline2\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
    CHECK(has(h, n, "logs/&lt;script&gt;"));
    CHECK(has(h, n, "rules/&lt;script&gt;"));
    /* sections and anchors */
    for (int i = 1; i <= 4; i++) {
        char id[64];
        snprintf(id, sizeof id, "<section class=\"site\" id=\"site-%d\">", i);
        CHECK(has(h, n, id));
        snprintf(id, sizeof id, "href=\"#site-%d\"", i);
        CHECK(has(h, n, id));
    }
    CHECK(has(h, n, "id=\"summary\"") && has(h, n, "id=\"plan\"") && has(h, n, "id=\"sources\""));
    /* the plan: cron line, provider endpoint, flex, stop, stay */
    char cron[40], when[96];
    analysis_option_cron(&x.s[0].schedule.best, cron);
    CHECK(cron[0] != 0);
    escaped(&b, cron);
    char want[200];
    snprintf(want, sizeof want, "Cron line (UTC): <code>%s</code>", b.p);
    CHECK(has(h, n, want));
    analysis_option_when(&x.s[0].schedule.best, true, 3600, when);
    escaped(&b, when);
    CHECK(has(h, n, b.p));
    const struct verdict_provider *pv = verdict_provider_find("openai");
    CHECK(pv != NULL);
    if (pv) {
        escaped(&b, pv->batch_endpoint);
        snprintf(want, sizeof want, "Batch endpoint <code>%s</code>", b.p);
        CHECK(has(h, n, want));
        if (pv->flex_how) {
            escaped(&b, pv->flex_how);
            snprintf(want, sizeof want, "ask for it with <code>%s</code>", b.p);
            CHECK(has(h, n, want));
        }
        CHECK(has(h, n, ": the flex tier</h4>"));
    }
    CHECK(has(h, n, ": stop it</h4>"));
    CHECK(has(h, n, "1% of results were first read within 2h of being ready"));
    CHECK(has(h, n, "<h3>Stays real-time</h3>"));
    /* money: per site, per target, totals */
    CHECK(has(h, n, "Saves <b>$36,000.00</b> a month ($48,000.00 now, $12,000.00 after)"));
    CHECK(has(h, n, "Saves <b>$7,000.00</b> a month"));
    CHECK(has(h, n, "<b>Batch</b> (1 site: "));
    CHECK(has(h, n, "savings <b>$43,450.00</b> a month"));
    CHECK(has(h, n, "<b>Stop computing</b> (1 site: "));
    /* sources, findings, no charts */
    CHECK(has(h, n, ":13301</code>: no closing quote"));
    CHECK(has(h, n, "<b>fake urgency</b> (rules line 9): churn&lt;script&gt;"));
    CHECK(has(h, n, "No charts: the report was written without them"));
    CHECK_INT(count_of(h, n, "<svg", false), 0);
    CHECK(has(h, n, "</html>\n"));
    buf_release(&b);
    free(h);
}

/* RFC 4180: records of fields; returns the number of records, fields per
 * record in nf[], the unquoted fields' first bytes in first[][] (0: empty);
 * -1 when the text is not RFC 4180 (a bare LF, a stray quote). */
static int csv_parse(const char *p, size_t n, unsigned nf[16], char first[16][64])
{
    int rec = 0;
    size_t i = 0;
    while (i < n) {
        if (rec >= 16)
            return -1;
        unsigned f = 0;
        for (;;) {
            char c0 = 0;
            if (i < n && p[i] == '"') {
                bool any = false;
                for (i++;; i++) {
                    if (i >= n)
                        return -1;
                    if (p[i] == '"') {
                        if (i + 1 < n && p[i + 1] == '"') {
                            c0 = any ? c0 : '"';
                            any = true;
                            i++;
                            continue;
                        }
                        i++;
                        break;
                    }
                    c0 = any ? c0 : p[i];
                    any = true;
                }
            } else {
                c0 = i < n && p[i] != ',' && p[i] != '\r' ? p[i] : 0;
                while (i < n && p[i] != ',' && p[i] != '\r' && p[i] != '\n') {
                    if (p[i] == '"')
                        return -1;
                    i++;
                }
            }
            if (f < 64)
                first[rec][f] = c0;
            f++;
            if (i < n && p[i] == ',') {
                i++;
                continue;
            }
            if (i + 1 < n && p[i] == '\r' && p[i + 1] == '\n') {
                i += 2;
                break;
            }
            return -1; /* a record must end with CRLF */
        }
        nf[rec++] = f;
    }
    return rec;
}

static void test_csv(void)
{
    struct fixture x;
    fixture_init(&x);
    size_t n;
    char *c = run_report(&report_csv, &x.in, &n);
    unsigned nf[16] = { 0 };
    char first[16][64] = { { 0 } };
    CHECK(valid_utf8(c, n));
    int rows = csv_parse(c, n, nf, first);
    CHECK_INT(rows, 5);
    for (int r = 1; r < rows; r++)
        CHECK_INT(nf[r], nf[0]);
    CHECK_INT(nf[0], 35);
    unsigned formulas = 0;
    for (int r = 0; r < rows; r++)
        for (unsigned f = 0; f < nf[r] && f < 64; f++)
            formulas += first[r][f] && memchr("=+-@\t\r", first[r][f], 6) != NULL;
    CHECK_INT(formulas, 0);
    CHECK_INT(count_of(c, n, "\n", false), count_of(c, n, "\r\n", false));
    CHECK(span_starts((struct span){ c, n }, "\"site\",\"by\",\"verdict\",\"kept\",\"calls\","));
    CHECK(has(c, n, "\"'+1\",\"'-2\",\"unused\",\"false\",5600,0,"));
    CHECK(has(c, n, "\"'@SUM(A1) line2\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""));
    char cron[40], want[120];
    analysis_option_cron(&x.s[0].schedule.best, cron);
    snprintf(want, sizeof want, ",\"%s\",1,\"batch\",\"openai\",48000,12000,12000,36000,", cron);
    CHECK(has(c, n, want));
    CHECK(has(c, n, ",\"daily\","));
    CHECK(has(c, n, ",0.9993,"));             /* the Wilson bound, plain */
    CHECK(has(c, n, ",68400,"));              /* p50 wait 19 h in seconds */
    CHECK(has(c, n, ",0.17,0.3,400,12000,")); /* latency, calls a day and a month */
    CHECK(!has(c, n, "$"));
    free(c);
}

/* Table cells in a Markdown row: '|' not escaped by a backslash. */
static unsigned md_pipes(const char *line, size_t n)
{
    unsigned k = 0;
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '\\')
            i++;
        else if (line[i] == '|')
            k++;
    }
    return k;
}

static const char *md_line(const char *p, size_t n, const char *prefix, size_t *len)
{
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - p) : n;
        if (span_starts((struct span){ p + i, e - i }, prefix)) {
            *len = e - i;
            return p + i;
        }
        i = e + 1;
    }
    *len = 0;
    return NULL;
}

static void test_md(void)
{
    struct fixture x;
    fixture_init(&x);
    size_t n, hl, rl;
    char *m = run_report(&report_md, &x.in, &n);
    CHECK(valid_utf8(m, n));
    CHECK_INT(count_of(m, n, "<script", true), 0);
    CHECK_INT(count_of(m, n, "<img", true), 0);
    CHECK(has(m, n, "\\`touch /tmp/x\\`"));
    const char *hdr = md_line(m, n, "| site |", &hl);
    const char *row = md_line(m, n, "| fraud", &rl);
    CHECK(hdr != NULL && row != NULL);
    if (hdr && row)
        CHECK_INT(md_pipes(row, rl), md_pipes(hdr, hl));
    CHECK(has(m, n, "| fraud \\| x \\] y | realtime (kept) |"));
    row = md_line(m, n, "| churn", &rl);
    if (row)
        CHECK_INT(md_pipes(row, rl), md_pipes(hdr, hl));
    CHECK(row != NULL);
    char cron[40], want[120];
    analysis_option_cron(&x.s[0].schedule.best, cron);
    snprintf(want, sizeof want, "Cron line (UTC): `%s`", cron);
    CHECK(has(m, n, want));
    const struct verdict_provider *pv = verdict_provider_find("openai");
    if (pv) {
        snprintf(want, sizeof want, "Batch endpoint `%s`", pv->batch_endpoint);
        CHECK(has(m, n, want));
    }
    CHECK(has(m, n, ": the flex tier\n"));
    CHECK(has(m, n, ": stop it\n"));
    CHECK(has(m, n, "<a id=\"site-4\"></a>"));
    CHECK(has(m, n, "](#site-1)"));
    CHECK(has(m, n, "Saves **$36,000.00** a month"));
    CHECK(has(m, n, "savings **$43,450.00** a month"));
    CHECK(has(m, n, "## Migration plan"));
    CHECK(has(m, n, "## Sources"));
    CHECK(!has(m, n, ".svg")); /* no charts: no chart references */
    free(m);

    /* with charts: referenced as files, alt texts in Tempo's words */
    struct chart_site cs_sites[4] = { { "wait-1.svg", "week-1.svg" } };
    struct chart_set cs = { "/nonexistent", "tempo-curve.svg", "cost.svg", cs_sites, 4 };
    x.in.charts = &cs;
    m = run_report(&report_md, &x.in, &n);
    CHECK(has(m, n, "![Tempo curve: "));
    CHECK(has(m, n, "](tempo-curve.svg)"));
    CHECK(has(m, n, "](cost.svg)"));
    CHECK(has(m, n, "](wait-1.svg)"));
    CHECK(has(m, n, "](week-1.svg)"));
    CHECK(!has(m, n, "wait-2"));
    free(m);
}

/* The report is written once (report_doc.c): both markups say the same
 * sentences, with the same numbers, and carry the same section anchors. */
static void test_same_words(void)
{
    static const char *const words[] = {
        "Kept real-time on purpose (keep): \xe2\x80\x9c",
        "No charts: the report was written without them",
        "of its results were ever read (0 of 5600). Stop computing them",
        "Readers wait minutes (p50 10m). Its provider (openai) sells",
        "No breakdown: the read rules of this site carry no by=.",
        "Deliver the results within 30m of the run, before the readers",
        "Results that would not notice",
        "Wait before the first read, p99",
        "First bad lines",
        " (rules line 9): churn",
        " (1 site: ",
    };
    struct fixture x;
    fixture_init(&x);
    size_t hn, mn;
    char *h = run_report(&report_html, &x.in, &hn);
    char *m = run_report(&report_md, &x.in, &mn);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (has(h, hn, words[i]) && has(m, mn, words[i])) {
            test_passed++;
        } else {
            test_failed++;
            printf("FAIL %s:%d: \"%s\" not in both reports\n", __FILE__, __LINE__, words[i]);
        }
    }
    static const char *const ids[] = {
        "summary", "charts", "sites", "plan", "sources", "findings"
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "<section id=\"%s\">", ids[i]);
        CHECK(has(h, hn, want));
        snprintf(want, sizeof want, "<a id=\"%s\"></a>", ids[i]);
        CHECK(has(m, mn, want));
    }
    free(h);
    free(m);
}

/* ---- inline SVG ---- */

static char tmpdir[64];

static void put_file(const char *name, const char *text, size_t pad)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        test_failed++;
        return;
    }
    size_t len = strlen(text), cut = len - 6; /* pad before the final "</svg>" */
    fwrite(text, 1, cut, f);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', f);
    fwrite(text + cut, 1, 6, f);
    fclose(f);
}

static const char good_svg[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n"
    "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
    "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" [ <!ENTITY x \"y\"> ]>\n"
    "<!-- drawn <by> gnuplot -->\n"
    "<svg \n viewBox=\"0 0 600 400\"\n xmlns=\"http://www.w3.org/2000/svg\"\n"
    " xmlns:xlink=\"http://www.w3.org/1999/xlink\" role='graphics' aria-label='x'\n>\n"
    "<title>Gnuplot</title>\n<defs><path id='gpPt0' d='M-1,0 h2'/>"
    "<filter id='textbox'><feFlood flood-color='#FFFFFF'/></filter></defs>\n"
    "<g fill=\"none\" filter=\"url(#textbox)\"><use xlink:href='#gpPt0' x='1'/>"
    "<text><tspan>MARK-OK a&lt;b &amp; &quot;c&quot; on time</tspan></text></g>\n"
    "<!-- a comment -->\n</svg>";

static void test_svg(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tempo-test-report-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        test_failed++;
        return;
    }
    static const struct {
        const char *name, *text;
    } bad[] = {
        { "script.svg", "<svg viewBox='0 0 1 1'><script>alert(1)</script></svg>" },
        { "script2.svg", "<svg viewBox='0 0 1 1'><SCRIPT >alert(1)</SCRIPT></svg>" },
        { "onload.svg", "<svg viewBox='0 0 1 1' onload='alert(1)'><g/></svg>" },
        { "onclick.svg", "<svg viewBox='0 0 1 1'><g\n ONCLICK = \"x()\"/></svg>" },
        { "jsurl.svg", "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>" },
        { "fo.svg", "<svg><foreignObject><div>x</div></foreignObject></svg>" },
        { "img.svg", "<svg><img src='http://evil/x.png'/></svg>" },
        { "style.svg", "<svg><style>@import url(http://evil/x.css);</style></svg>" },
        { "remote.svg", "<svg><use xlink:href='http://evil/x.svg#a'/></svg>" },
        { "remote2.svg", "<svg><g style='fill:url( \"http://evil/p\")'/></svg>" },
        { "charref.svg", "<svg><g style='fill:u&#114;l(http://evil/p)'/></svg>" },
        { "cdata.svg", "<svg><![CDATA[ <b>x</b> ]]></svg>" },
        { "badutf8.svg", "<svg><text>\xff</text></svg>" },
        { "ctrl.svg", "<svg><text>\x01</text></svg>" },
        { "open.svg", "<svg><g>" },
        { "nosvg.svg", "<html><body></body></html>" },
        { "unquoted.svg", "<svg><g fill=red/></svg>" },
        { "lt.svg", "<svg><g fill='<b>'/></svg>" },
    };
    struct fixture x;
    fixture_init(&x);
    struct chart_site cs_sites[4];
    memset(cs_sites, 0, sizeof cs_sites);
    struct chart_set cs = { tmpdir, "", "", cs_sites, 4 };
    x.in.charts = &cs;
    size_t n;
    char *h;

    put_file("good.svg", good_svg, 0);
    snprintf(cs.tempo, sizeof cs.tempo, "good.svg");
    snprintf(cs_sites[0].wait, sizeof cs_sites[0].wait, "good.svg");
    h = run_report(&report_html, &x.in, &n);
    CHECK(valid_utf8(h, n));
    CHECK_INT(count_of(h, n, "MARK-OK a&lt;b &amp; &quot;c&quot; on time", false), 2);
    CHECK_INT(count_of(h, n, "<svg role=\"img\" aria-label=\"", false), 2);
    CHECK(has(h, n, "aria-label=\"Tempo curve: "));
    CHECK(has(h, n, "aria-label=\"Site 1: wait from ready to first read"));
    CHECK(!has(h, n, "role='graphics'") && !has(h, n, "aria-label='x'"));
    CHECK(!has(h, n, "<?xml") && !has(h, n, "DOCTYPE svg") && !has(h, n, "<!--"));
    CHECK(!has(h, n, "ENTITY") && !has(h, n, "svg11.dtd"));
    /* ids are the chart's own: prefixed, references rewritten to match */
    CHECK(has(h, n, "<path id='tempo-c1-gpPt0'") && has(h, n, "<path id='tempo-c2-gpPt0'"));
    CHECK(has(h, n, "<use xlink:href='#tempo-c1-gpPt0'"));
    CHECK(has(h, n, "filter=\"url(#tempo-c2-textbox)\""));
    CHECK(!has(h, n, "id='gpPt0'"));
    CHECK_INT(count_of(h, n, "</svg>", false), 2);
    CHECK_INT(count_of(h, n, "Chart unavailable", false), 0);
    CHECK(!has(h, n, "No charts"));
    free(h);

    /* a week chart alone; a chart named but missing; names that leave the directory */
    cs.tempo[0] = 0;
    cs_sites[0].wait[0] = 0;
    snprintf(cs_sites[1].week, sizeof cs_sites[1].week, "good.svg");
    snprintf(cs.cost, sizeof cs.cost, "absent.svg");
    snprintf(cs_sites[2].wait, sizeof cs_sites[2].wait, "../good.svg");
    snprintf(cs_sites[3].wait, sizeof cs_sites[3].wait, "sub/good.svg");
    h = run_report(&report_html, &x.in, &n);
    CHECK_INT(count_of(h, n, "<svg", false), 1);
    CHECK(has(h, n, "aria-label=\"Site 2: calls and first reads by hour of the week"));
    CHECK_INT(count_of(h, n, "Chart unavailable", false), 3);
    free(h);
    memset(cs_sites, 0, sizeof cs_sites);
    cs.cost[0] = 0;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_file(bad[i].name, bad[i].text, 0);
        snprintf(cs.tempo, sizeof cs.tempo, "%s", bad[i].name);
        h = run_report(&report_html, &x.in, &n);
        bool refused = count_of(h, n, "<svg", false) == 0 && has(h, n, "Chart unavailable: ");
        if (refused) {
            test_passed++;
        } else {
            test_failed++;
            printf("FAIL %s:%d: %s was inlined\n", __FILE__, __LINE__, bad[i].name);
        }
        CHECK(valid_utf8(h, n));
        CHECK_INT(count_of(h, n, "<script", true), 0);
        free(h);
    }

    /* the size limit: 8 MiB is inlined, one byte more is not */
    size_t base = strlen(good_svg), limit = (size_t)8 << 20;
    static const struct {
        size_t size;
        bool inlined;
    } sizes[] = { { ((size_t)8 << 20) - 1, true },
                  { (size_t)8 << 20, true },
                  { ((size_t)8 << 20) + 1, false } };
    for (size_t i = 0; i < 3; i++) {
        put_file("big.svg", good_svg, sizes[i].size - base);
        snprintf(cs.tempo, sizeof cs.tempo, "big.svg");
        h = run_report(&report_html, &x.in, &n);
        CHECK_INT(count_of(h, n, "MARK-OK", false), sizes[i].inlined);
        CHECK_INT(has(h, n, "larger than 8 MiB"), !sizes[i].inlined);
        CHECK(n > limit || !sizes[i].inlined);
        free(h);
    }

    /* clean up */
    static const char *const names[] = { "good.svg", "big.svg" };
    char path[160];
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, bad[i].name);
        unlink(path);
    }
    CHECK_INT(rmdir(tmpdir), 0);
}

int main(void)
{
    json_row("plain", 5, "plain", __LINE__);
    json_row("a\"b\\c", 5, "a\\\"b\\\\c", __LINE__);
    json_row("\n\t\x01", 3, "\\u000a\\u0009\\u0001", __LINE__);
    json_row("<script>", 8, "\\u003cscript\\u003e", __LINE__);
    json_row("caf\xc3\xa9", 5, "caf\xc3\xa9", __LINE__);
    json_row("\xff", 1, "\xef\xbf\xbd", __LINE__);
    json_row("\xc3", 1, "\xef\xbf\xbd", __LINE__);                 /* truncated sequence */
    json_row("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", __LINE__); /* overlong '/' */
    json_row("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", __LINE__); /* surrogate */
    json_row("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80", __LINE__);
    json_row("a\0b", 3, "a\\u0000b", __LINE__);

    struct buf b;
    buf_init(&b, 4096);
    CHECK_INT(report_md_cell(&b, SPAN_LIT("a|b [x](javascript:1) <img> `c`\nd")), 0);
    CHECK_STR(b.p, "a\\|b \\[x\\](javascript:1) &lt;img&gt; \\`c\\` d");
    buf_reset(&b);
    CHECK_INT(report_text(&b, SPAN_LIT("ok\x1b[31mred\x7f")), 0);
    CHECK_STR(b.p, "ok?[31mred?");
    buf_reset(&b);
    CHECK_INT(report_json_num(&b, 0.25), 0);
    CHECK_INT(buf_adds(&b, " "), 0);
    CHECK_INT(report_json_num(&b, 3600), 0);
    CHECK_INT(buf_adds(&b, " "), 0);
    CHECK_INT(report_json_num(&b, 1.0 / 3.0), 0);
    CHECK_STR(b.p, "0.25 3600 0.3333333333");
    buf_release(&b);

    char m[32];
    report_money(1234567.891, m);
    CHECK_STR(m, "$1,234,567.89");
    report_money(0, m);
    CHECK_STR(m, "$0.00");
    report_money(999.999, m);
    CHECK_STR(m, "$1,000.00");
    report_money(-12.5, m);
    CHECK_STR(m, "-$12.50");

    char s[16];
    verdict_format_share(1.0, s);
    CHECK_STR(s, "100%");
    verdict_format_share(0.9997, s);
    CHECK_STR(s, "99.97%");
    verdict_format_share(0.5, s);
    CHECK_STR(s, "50%");
    verdict_format_share(0.012, s);
    CHECK_STR(s, "1.2%");
    verdict_format_share(0.0012, s);
    CHECK_STR(s, "0.12%");
    verdict_format_share(0, s);
    CHECK_STR(s, "0%");

    CHECK(report_find("json") == &report_json);
    CHECK(report_find("table") == &report_table);
    CHECK(report_find("md") == &report_md);
    CHECK(report_find("xml") == NULL);
    CHECK(report_find("html") == NULL); /* `tempo report` only */

    test_escapers();
    test_html();
    test_csv();
    test_md();
    test_same_words();
    test_svg();
    return test_report();
}
