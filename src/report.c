/*
 * report.c - the reporters' table and the escaping they share (reporters stage).
 * Text from logs reaches reports only through these functions, which keep the
 * output valid UTF-8 and free of the format's live syntax.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "utc.h"

const struct reporter *const report_all[] = { &report_table, &report_json, &report_md, NULL };

const struct reporter *report_find(const char *name)
{
    for (unsigned i = 0; report_all[i]; i++)
        if (strcmp(report_all[i]->name, name) == 0)
            return report_all[i];
    return NULL;
}


static const char replacement[] = "\xef\xbf\xbd";

/* Walk `s` as UTF-8: each valid character goes to `put`, with its first byte
 * and length; each byte of an invalid sequence becomes U+FFFD, or `bad` when
 * given. The one loop behind every escaper, so they agree on what is text. */
static int walk(struct buf *b, struct span s, const char *bad,
                int (*put)(struct buf *b, unsigned c, const unsigned char *p, size_t k))
{
    const unsigned char *p = (const unsigned char *)s.p;
    for (size_t i = 0; i < s.n;) {
        size_t k = span_utf8((const char *)p + i, s.n - i, NULL);
        int rc = k ? put(b, p[i], p + i, k) : buf_adds(b, bad ? bad : replacement);
        if (rc < 0)
            return -1;
        i += k ? k : 1;
    }
    return 0;
}

static int put_json(struct buf *b, unsigned c, const unsigned char *p, size_t k)
{
    if (c == '"' || c == '\\') {
        char esc[2] = { '\\', (char)c };
        return buf_add(b, esc, 2);
    }
    /* Controls, and <>& so that JSON embedded in HTML never holds a live tag. */
    if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&')
        return buf_printf(b, "\\u%04x", c);
    return buf_add(b, p, k);
}

int report_json_str(struct buf *b, struct span s)
{
    return walk(b, s, NULL, put_json);
}

static int put_md(struct buf *b, unsigned c, const unsigned char *p, size_t k)
{
    if (c < 0x20 || c == 0x7f)
        return buf_add(b, " ", 1);
    if (c == '<')
        return buf_adds(b, "&lt;");
    if (c == '>')
        return buf_adds(b, "&gt;");
    if (c == '&')
        return buf_adds(b, "&amp;");
    if (strchr("|\\`*_[]#!@~", (int)c)) {
        char esc[2] = { '\\', (char)c };
        return buf_add(b, esc, 2);
    }
    return buf_add(b, p, k);
}

int report_md_cell(struct buf *b, struct span s)
{
    return walk(b, s, NULL, put_md);
}

static int put_text(struct buf *b, unsigned c, const unsigned char *p, size_t k)
{
    return c < 0x20 || c == 0x7f ? buf_add(b, "?", 1) : buf_add(b, p, k);
}

int report_text(struct buf *b, struct span s)
{
    return walk(b, s, "?", put_text);
}


/* C0 and C1 controls and DEL: never text in a report cell. */
static bool is_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

static int put_html(struct buf *b, unsigned c, const unsigned char *p, size_t k)
{
    static const char *const ent[] = { ['&'] = "&amp;",  ['<'] = "&lt;", ['>'] = "&gt;",
                                       ['"'] = "&quot;", ['\''] = "&#39;" };
    if (c < sizeof ent / sizeof ent[0] && ent[c])
        return buf_adds(b, ent[c]);
    unsigned cp = 0;
    (void)span_utf8((const char *)p, k, &cp); /* walk() found it valid */
    /* Controls (but tab) and noncharacters are parse errors in HTML (WHATWG
     * HTML 13.2.3.5): shown as U+FFFD so that the page parses cleanly. */
    if ((is_control(cp) && cp != '\t') || (cp >= 0xfdd0 && cp <= 0xfdef) ||
        (cp & 0xfffe) == 0xfffe)
        return buf_adds(b, replacement);
    return buf_add(b, p, k);
}

int report_html_text(struct buf *b, struct span s)
{
    return walk(b, s, NULL, put_html);
}

static int put_csv(struct buf *b, unsigned c, const unsigned char *p, size_t k)
{
    if (c == '"')
        return buf_add(b, "\"\"", 2);
    unsigned cp = 0;
    (void)span_utf8((const char *)p, k, &cp); /* walk() found it valid */
    return is_control(cp) ? buf_add(b, " ", 1) : buf_add(b, p, k);
}

/* A spreadsheet may run a cell that starts with = + - @ (or tab / CR, which
 * some strip first) as a formula (OWASP "CSV Injection"). Spaces and controls
 * before the sign are looked through too: they may be trimmed on import. */
static bool csv_formula(struct span s)
{
    size_t i = 0;
    if (s.n && (s.p[0] == '\t' || s.p[0] == '\r'))
        return true;
    while (i < s.n && ((unsigned char)s.p[i] <= 0x20 || s.p[i] == 0x7f))
        i++;
    return i < s.n && memchr("=+-@", s.p[i], 4) != NULL;
}

int report_csv_cell(struct buf *b, struct span s)
{
    if (buf_add(b, "\"", 1) < 0 || (csv_formula(s) && buf_add(b, "'", 1) < 0) ||
        walk(b, s, NULL, put_csv) < 0)
        return -1;
    return buf_add(b, "\"", 1);
}

int report_json_num(struct buf *b, double v)
{
    if (!isfinite(v))
        return buf_adds(b, "null");
    if (v == floor(v) && fabs(v) < 1e15)
        return buf_printf(b, "%.0f", v);
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.10g", v);
    return buf_adds(b, tmp);
}

void report_money(double usd, char out[32])
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.2f", usd < 0 ? -usd : usd);
    /* Thousands separators on the integer part. */
    size_t int_len = strcspn(digits, ".");
    char *o = out;
    if (usd < 0)
        *o++ = '-';
    *o++ = '$';
    for (size_t i = 0; digits[i]; i++) {
        if (i < int_len && i > 0 && (int_len - i) % 3 == 0)
            *o++ = ',';
        *o++ = digits[i];
    }
    *o = 0;
}

int report_flush(struct buf *b, FILE *out, struct err *e)
{
    if (b->len && fwrite(b->p, 1, b->len, out) != b->len)
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "cannot write the report");
    if (fflush(out) != 0)
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "cannot write the report");
    return 0;
}

int report_finish(struct buf *b, int rc, FILE *out, const char *what, struct err *e)
{
    if (rc < 0) {
        buf_release(b);
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "%s larger than 1 GiB", what);
    }
    rc = report_flush(b, out, e);
    buf_release(b);
    return rc;
}

const char *const report_col_names[REPORT_COLS] = {
    "site",      "verdict",  "calls",   "reads",   "read",     "tolerant",
    "tol_lo",    "wait_min", "p50",     "p90",     "p95",      "p99",
    "max",       "lat_p50",  "lat_p99", "calls/d", "now/mo",   "batch/mo",
};

static void dur_cell(bool has, int64_t us, char out[REPORT_CELL])
{
    char d[24];
    snprintf(out, REPORT_CELL, "%s", has ? utc_format_duration(us, d) : "-");
}

void report_site_cells(const struct analysis_site *s, char c[REPORT_COLS][REPORT_CELL])
{
    char pct[16], money[32];
    if (s->has_by)
        snprintf(c[0], REPORT_CELL, "%.*s[%.*s]", (int)(s->name.n > 20 ? 20 : s->name.n),
                 s->name.p, (int)(s->by.n > 24 ? 24 : s->by.n), s->by.p);
    else
        snprintf(c[0], REPORT_CELL, "%.*s", (int)(s->name.n > 46 ? 46 : s->name.n), s->name.p);
    snprintf(c[1], REPORT_CELL, "%s%s", s->verdict ? s->verdict : "-", s->kept ? " (kept)" : "");
    snprintf(c[2], REPORT_CELL, "%llu", (unsigned long long)s->calls);
    snprintf(c[3], REPORT_CELL, "%llu", (unsigned long long)s->reads);
    verdict_format_share(s->read_share, pct);
    snprintf(c[4], REPORT_CELL, "%s", s->eligible ? pct : "-");
    verdict_format_share(s->tolerant_share, pct);
    snprintf(c[5], REPORT_CELL, "%s", s->eligible ? pct : "-");
    verdict_format_share(s->tolerant_share_lo, pct);
    snprintf(c[6], REPORT_CELL, "%s", s->eligible ? pct : "-");
    for (int q = 0; q < Q_COUNT; q++)
        dur_cell(s->has_wait, s->wait_us[q], c[7 + q]);
    dur_cell(s->has_latency, s->latency_p50_us, c[13]);
    dur_cell(s->has_latency, s->latency_p99_us, c[14]);
    snprintf(c[15], REPORT_CELL, "%.1f", s->calls_per_day);
    report_money(s->monthly_now, money);
    snprintf(c[16], REPORT_CELL, "%s", s->has_cost ? money : "-");
    report_money(s->monthly_batch, money);
    snprintf(c[17], REPORT_CELL, "%s", s->has_cost ? money : "-");
}
