/*
 * report_html.c - report.html for `tempo report` (reporters stage): one
 * self-contained HTML5 page (WHATWG HTML): summary, charts inline as SVG, a
 * section per site, the migration plan, sources and findings. No script and
 * no external resource (a Content-Security-Policy meta tells the browser so);
 * every string from input goes through report_html_text().
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "utc.h"

#define H(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

struct page {
    struct buf *b;
    const struct report_input *in;
    unsigned charts; /* SVGs inlined so far: their ids get a prefix of their own */
    struct buf file; /* a chart file's bytes */
};

/* ---- small writers ---- */

static int text(struct buf *b, struct span s)
{
    return report_html_text(b, s);
}

static int textc(struct buf *b, const char *s)
{
    return report_html_text(b, span_of(s ? s : "-"));
}

static int money(struct buf *b, double usd)
{
    char m[32];
    report_money(usd, m);
    return buf_adds(b, m);
}

static int share(struct buf *b, double v)
{
    char pct[16];
    verdict_format_share(v, pct);
    return buf_adds(b, pct);
}

static int dur(struct buf *b, bool has, int64_t us)
{
    char d[24];
    return buf_adds(b, has ? utc_format_duration(us, d) : "-");
}

static int site_name(struct buf *b, const struct analysis_site *s)
{
    H(text(b, s->name));
    if (s->has_by) {
        H(buf_adds(b, " <span class=\"by\">[")); /* the by= value the site is split on */
        H(text(b, s->by));
        H(buf_adds(b, "]</span>"));
    }
    return 0;
}

static int site_link(struct buf *b, unsigned i, const struct analysis_site *s)
{
    H(buf_printf(b, "<a href=\"#site-%u\">", i + 1));
    H(site_name(b, s));
    return buf_adds(b, "</a>");
}

/* The migration target the verdict stage chose, with a fallback from the
 * verdict when it chose none (an older verdict stage). */
static const char *migration_of(const struct analysis_site *s)
{
    if (s->migration)
        return s->migration;
    if (s->kept || !s->verdict)
        return "stay";
    if (strcmp(s->verdict, "unused") == 0)
        return "stop";
    if (strcmp(s->verdict, "batch") == 0)
        return "batch";
    return "stay";
}

/* The longest tempo-curve delay whose tolerant share meets confidence, or -1. */
static int micro_window(const struct analysis_site *s, double confidence)
{
    int best = -1;
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        if (s->tempo_curve[k] >= confidence)
            best = k;
    return best;
}

static const struct verdict_provider *provider_of(const struct analysis_site *s)
{
    return s->provider ? verdict_provider_find(s->provider) : NULL;
}

/* ---- inline SVG ----
 *
 * A chart is inlined only when it is plain drawing: the elements below, no
 * event-handler attribute, references only to its own ids ("#x", url(#x)),
 * no character reference in attribute values (u&#114;l( would hide a URL),
 * valid UTF-8. Its ids get a per-chart prefix so that two charts in one page
 * never share one. Anything else: "chart unavailable". */
/* clang-format off */
static const char *const svg_elements[] = {
    "svg", "g", "defs", "title", "desc", "symbol", "use", "path", "rect", "circle", "ellipse",
    "line", "polyline", "polygon", "text", "tspan", "clipPath", "mask", "marker", "pattern",
    "linearGradient", "radialGradient", "stop", "filter", "feFlood", "feComposite", "feOffset",
    "feGaussianBlur", "feBlend", "feMerge", "feMergeNode", "feColorMatrix",
};
/* clang-format on */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* `lit` (lower case ASCII) at p, ignoring case, within end. */
static bool at_nocase(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(end - p) < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != lit[i])
            return false;
    return true;
}

static bool has_nocase(struct span s, const char *lit)
{
    for (const char *p = s.p, *end = s.p + s.n; p < end; p++)
        if (lower(*p) == lit[0] && at_nocase(p, end, lit))
            return true;
    return false;
}

/* Valid UTF-8 without the controls XML 1.0 forbids (HTML calls them parse errors). */
static bool svg_utf8(struct span s)
{
    const unsigned char *p = (const unsigned char *)s.p, *end = p + s.n;
    while (p < end) {
        unsigned c = *p;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return false;
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

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '_' || c == '-' || c == '.';
}

/* The first `lit` at or after p, or NULL. */
static const char *find(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    for (; (size_t)(end - p) >= n; p++)
        if (memcmp(p, lit, n) == 0)
            return p;
    return NULL;
}

static bool svg_element_ok(struct span name)
{
    for (size_t i = 0; i < sizeof svg_elements / sizeof svg_elements[0]; i++)
        if (span_eq_nocase(name, span_of(svg_elements[i])))
            return true;
    return false;
}

/* Copy an attribute value, prefixing ids: the whole value for id, after '#'
 * for a reference, after "url(#" anywhere. Returns 1 when the value is
 * refused (an outside reference, a character reference, a '<'). */
static int svg_value(struct buf *b, struct span name, struct span v, unsigned chart)
{
    bool is_id = span_eq_nocase(name, SPAN_LIT("id"));
    bool is_href = span_eq_nocase(name, SPAN_LIT("href")) ||
                   (name.n > 5 && at_nocase(name.p + name.n - 5, name.p + name.n, ":href"));
    if (memchr(v.p, '<', v.n))
        return 1;
    for (const char *a = memchr(v.p, '&', v.n); a;
         a = memchr(a + 1, '&', v.n - (size_t)(a + 1 - v.p))) {
        const char *end = v.p + v.n;
        if (!at_nocase(a, end, "&amp;") && !at_nocase(a, end, "&lt;") &&
            !at_nocase(a, end, "&gt;") && !at_nocase(a, end, "&quot;") &&
            !at_nocase(a, end, "&apos;"))
            return 1;
    }
    if (is_id)
        return buf_printf(b, "tempo-c%u-", chart) < 0 || buf_addspan(b, v) < 0 ? -1 : 0;
    if (is_href) {
        if (v.n == 0 || v.p[0] != '#')
            return 1;
        return buf_printf(b, "#tempo-c%u-", chart) < 0 || buf_add(b, v.p + 1, v.n - 1) < 0 ? -1 : 0;
    }
    const char *p = v.p, *end = v.p + v.n;
    while (p < end) {
        const char *u = p;
        while (u < end && !at_nocase(u, end, "url("))
            u++;
        H(buf_add(b, p, (size_t)(u - p)));
        if (u == end)
            break;
        const char *q = u + 4;
        while (q < end && (is_space(*q) || *q == '"' || *q == '\''))
            q++;
        if (q == end || *q != '#')
            return 1;
        H(buf_add(b, u, (size_t)(q - u)));
        H(buf_printf(b, "#tempo-c%u-", chart));
        p = q + 1;
    }
    return 0;
}

/* A tag from `p` (at '<' + letter or '/'); *next past its '>'. Returns 1 when refused. */
static int svg_tag(struct buf *b, const char *p, const char *end, const char **next, unsigned chart,
                   bool *root, const char *label)
{
    bool close = p + 1 < end && p[1] == '/';
    const char *n0 = p + (close ? 2 : 1), *q = n0;
    while (q < end && is_name(*q))
        q++;
    struct span name = { n0, (size_t)(q - n0) };
    if (name.n == 0 || !svg_element_ok(name))
        return 1;
    H(buf_adds(b, close ? "</" : "<"));
    H(buf_addspan(b, name));
    if (close) {
        while (q < end && is_space(*q))
            q++;
        if (q == end || *q != '>')
            return 1;
        *next = q + 1;
        return buf_adds(b, ">");
    }
    bool is_root = *root;
    if (is_root) {
        *root = false;
        H(buf_adds(b, " role=\"img\" aria-label=\""));
        H(textc(b, label));
        H(buf_adds(b, "\""));
    }
    for (;;) {
        while (q < end && is_space(*q))
            q++;
        if (q == end)
            return 1;
        if (*q == '>' || (*q == '/' && q + 1 < end && q[1] == '>')) {
            *next = q + (*q == '>' ? 1 : 2);
            return buf_adds(b, *q == '>' ? ">" : "/>");
        }
        const char *a0 = q;
        while (q < end && is_name(*q))
            q++;
        struct span an = { a0, (size_t)(q - a0) };
        if (an.n == 0 || at_nocase(an.p, an.p + an.n, "on"))
            return 1;
        while (q < end && is_space(*q))
            q++;
        if (q == end || *q != '=')
            return 1;
        q++;
        while (q < end && is_space(*q))
            q++;
        if (q == end || (*q != '"' && *q != '\''))
            return 1;
        char quote = *q++;
        const char *v0 = q;
        q = memchr(q, quote, (size_t)(end - q));
        if (!q)
            return 1;
        struct span v = { v0, (size_t)(q - v0) };
        q++;
        /* The root's own role and labels give way to Tempo's. */
        if (is_root && (span_eq_nocase(an, SPAN_LIT("role")) ||
                        (an.n > 5 && at_nocase(an.p, an.p + an.n, "aria-"))))
            continue;
        H(buf_add(b, " ", 1));
        H(buf_addspan(b, an));
        H(buf_add(b, "=", 1));
        H(buf_add(b, &quote, 1));
        int rc = svg_value(b, an, v, chart);
        if (rc != 0)
            return rc;
        H(buf_add(b, &quote, 1));
    }
}

/* Append the cleaned <svg> element of file `f` to b. Returns 0, -1 when b is
 * full, or 1 with *why when the file is refused (b is then left as it was). */
static int svg_clean(struct buf *b, struct span f, unsigned chart, const char *label,
                     const char **why)
{
    size_t mark = b->len;
    const char *p = f.p, *end = f.p + f.n;
    *why = "it holds active content or outside references";
    if (f.n > LIMIT_CHART_SVG) {
        *why = "it is larger than 8 MiB";
        return 1;
    }
    if (!svg_utf8(f)) {
        *why = "it is not valid UTF-8 text";
        return 1;
    }
    if (has_nocase(f, "<script") || has_nocase(f, "javascript:") || has_nocase(f, "<foreignobject"))
        return 1;
    /* The prolog: XML declaration, processing instructions, doctype, comments. */
    for (;;) {
        while (p < end && is_space(*p))
            p++;
        if (at_nocase(p, end, "<?")) {
            const char *q = find(p, end, "?>");
            p = q ? q + 2 : end;
        } else if (at_nocase(p, end, "<!--")) {
            const char *q = find(p + 4, end, "-->");
            p = q ? q + 3 : end;
        } else if (at_nocase(p, end, "<!doctype")) {
            int depth = 0;
            while (p < end && (*p != '>' || depth > 0)) {
                depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
                p++;
            }
            p = p < end ? p + 1 : end;
        } else {
            break;
        }
    }
    if (!at_nocase(p, end, "<svg") || p + 4 >= end || !(is_space(p[4]) || p[4] == '>')) {
        *why = "it holds no <svg> element";
        return 1;
    }
    const char *last = NULL;
    for (const char *q = p; (q = find(q, end, "</svg>")) != NULL; q += 6)
        last = q;
    if (!last) {
        *why = "its <svg> element is not closed";
        return 1;
    }
    bool root = true;
    while (p < last) {
        const char *lt = memchr(p, '<', (size_t)(last - p));
        if (!lt)
            lt = last;
        if (buf_add(b, p, (size_t)(lt - p)) < 0)
            return -1;
        p = lt;
        if (p == last)
            break;
        int rc = 0;
        if (at_nocase(p, last, "<!--")) {
            const char *q = find(p + 4, last, "-->");
            rc = q ? 0 : 1;
            p = q ? q + 3 : last;
        } else if (at_nocase(p, last, "<?")) {
            const char *q = find(p + 2, last, "?>");
            rc = q ? 0 : 1;
            p = q ? q + 2 : last;
        } else {
            rc = svg_tag(b, p, last, &p, chart, &root, label);
        }
        if (rc != 0) {
            b->len = mark;
            if (b->p)
                b->p[mark] = 0;
            return rc;
        }
    }
    return buf_adds(b, "</svg>");
}

/* Read chart file `name` of the chart set into pg->file. Returns 0, or 1 with *why. */
static int chart_read(struct page *pg, const char *name, const char **why)
{
    const struct chart_set *cs = pg->in->charts;
    struct buf path;
    buf_reset(&pg->file);
    /* Names are Tempo's own ("wait-3.svg"); refuse anything that leaves the directory. */
    if (!name[0] || name[0] == '.' || memchr(name, '/', strlen(name)) || !cs->dir) {
        *why = "its file name is not a chart's";
        return 1;
    }
    buf_init(&path, 8192);
    if (buf_printf(&path, "%s/%s", cs->dir, name) < 0) {
        buf_release(&path);
        *why = "its path is too long";
        return 1;
    }
    FILE *f = fopen(path.p, "rb");
    buf_release(&path);
    if (!f) {
        *why = "its file cannot be read";
        return 1;
    }
    char block[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(block, 1, sizeof block, f)) > 0)
        if (buf_add(&pg->file, block, n) < 0) {
            *why = "it is larger than 8 MiB";
            rc = 1;
            break;
        }
    if (rc == 0 && ferror(f)) {
        *why = "its file cannot be read";
        rc = 1;
    }
    fclose(f);
    return rc;
}

/* A figure: the chart inline, or why not. */
static int chart(struct page *pg, const char *name, const char *label)
{
    struct buf *b = pg->b;
    const char *why = "it was not drawn";
    H(buf_adds(b, "<figure class=\"chart\">\n"));
    int rc = 1;
    if (name[0] && chart_read(pg, name, &why) == 0)
        rc = svg_clean(b, buf_span(&pg->file), ++pg->charts, label, &why);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        H(buf_adds(b, "<p class=\"missing\">Chart unavailable: "));
        H(textc(b, why));
        H(buf_adds(b, ".</p>"));
    }
    H(buf_adds(b, "\n<figcaption>"));
    H(textc(b, label));
    return buf_adds(b, "</figcaption>\n</figure>\n");
}

/* ---- the page ---- */

static const char style[] =
    ":root{--fg:#1c2330;--mute:#5a6475;--line:#d5dae2;--soft:#f2f4f7;--acc:#1b5cc4}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0 auto;max-width:72rem;padding:1rem;color:var(--fg);background:#fff;"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
    "overflow-wrap:anywhere}\n"
    "h1{font-size:1.6rem;margin:.5rem 0}\n"
    "h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:2px solid var(--line)}\n"
    "h3{font-size:1.1rem;margin-top:1.6rem}\n"
    "h4{font-size:1rem;margin:1.2rem 0 .3rem}\n"
    "a{color:var(--acc)}\n"
    "code{font-family:ui-monospace,Menlo,Consolas,monospace;background:var(--soft);"
    "padding:0 .25rem;border-radius:.2rem;white-space:pre-wrap}\n"
    ".wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0;max-width:100%}\n"
    "table{border-collapse:collapse;font-size:.9rem}\n"
    "th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;"
    "vertical-align:top}\n"
    "th{background:var(--soft)}\n"
    "th,td{overflow-wrap:normal}\n"
    "td.name{min-width:10rem;overflow-wrap:anywhere}\n"
    ".n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    ".verdict{display:inline-block;padding:0 .45rem;border-radius:.3rem;"
    "background:var(--soft);font-weight:600}\n"
    ".by{color:var(--mute)}\n"
    ".missing,.note,figcaption{color:var(--mute)}\n"
    ".total{font-size:1.1rem}\n"
    "figure{margin:1rem 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figure svg{display:block;width:100%;height:auto}\n"
    "figcaption{font-size:.85rem}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,22rem),1fr));"
    "gap:1rem}\n"
    ".site{border-top:1px solid var(--line);margin-top:2rem}\n"
    "@media (max-width:40rem){body{padding:.6rem;font-size:15px}th,td{padding:.2rem .35rem}}\n"
    "@media print{body{max-width:none;padding:0;color:#000}"
    "th,code,.verdict{background:none}a{color:inherit;text-decoration:none}"
    "nav{display:none}.wrap{overflow:visible}"
    ".site{break-before:page;page-break-before:always;border-top:0}"
    "figure,table{break-inside:avoid;page-break-inside:avoid}}\n";

static int head(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    char s[32], e[32];
    H(buf_adds(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; img-src data:\">\n"
                  "<meta name=\"generator\" content=\"Tempo\">\n<title>Tempo report"));
    if (an->start_us <= an->end_us)
        H(buf_printf(b, ": %.10s to %.10s", utc_format(an->start_us, false, s),
                     utc_format(an->end_us, false, e)));
    H(buf_adds(b, "</title>\n<style>\n"));
    H(buf_adds(b, style));
    H(buf_adds(b, "</style>\n</head>\n<body>\n<header>\n<h1>Tempo migration report</h1>\n"));
    H(buf_adds(b, "<p class=\"note\">What happens if each inference result is delayed? "
                  "Per call site: what can move to batch, what it saves, and how.</p>\n"));
    H(buf_adds(b, "<nav><ul><li><a href=\"#summary\">Summary</a></li>"
                  "<li><a href=\"#charts\">Charts</a></li>"
                  "<li><a href=\"#sites\">Sites</a></li>"
                  "<li><a href=\"#plan\">Migration plan</a></li>"
                  "<li><a href=\"#sources\">Sources and findings</a></li></ul></nav>\n"
                  "</header>\n<main>\n"));
    return 0;
}

static const char *const targets[] = { "stop", "batch", "flex", "micro-batch" };
static const char *const target_words[] = { "Stop computing", "Batch", "Flex tier", "Micro-batch" };

static int summary_moves(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    unsigned moving = 0;
    H(buf_adds(b, "<h3>What moves</h3>\n<ul>\n"));
    for (unsigned t = 0; t < 4; t++) {
        unsigned n = 0;
        double save = 0;
        bool priced = false;
        for (unsigned i = 0; i < an->n_sites; i++)
            if (strcmp(migration_of(&an->sites[i]), targets[t]) == 0) {
                n++;
                save += an->sites[i].has_cost ? an->sites[i].monthly_savings : 0;
                priced |= an->sites[i].has_cost;
            }
        if (n == 0)
            continue;
        moving += n;
        H(buf_printf(b, "<li><b>%s</b> (%u site%s: ", target_words[t], n, n == 1 ? "" : "s"));
        unsigned k = 0;
        for (unsigned i = 0; i < an->n_sites; i++)
            if (strcmp(migration_of(&an->sites[i]), targets[t]) == 0) {
                H(buf_adds(b, k++ ? ", " : ""));
                H(site_link(b, i, &an->sites[i]));
            }
        H(buf_adds(b, ")"));
        if (priced) {
            H(buf_adds(b, ": saves <b>"));
            H(money(b, save));
            H(buf_adds(b, "</b> a month"));
        }
        H(buf_adds(b, "</li>\n"));
    }
    if (moving == 0)
        H(buf_adds(b, "<li>No site moves.</li>\n"));
    H(buf_adds(b, "</ul>\n<p class=\"total\">Monthly cost now <b>"));
    H(money(b, in->vr->monthly_now));
    H(buf_adds(b, "</b>; after the migration <b>"));
    H(money(b, in->vr->monthly_target));
    H(buf_adds(b, "</b>; savings <b>"));
    H(money(b, in->vr->monthly_savings));
    H(buf_printf(b, "</b> a month (30 days, extrapolated from %.1f days of logs).", an->days));
    if (in->vr->sites_unpriced)
        H(buf_printf(b, " %u site%s with calls had no price line or the data to price it.",
                     in->vr->sites_unpriced, in->vr->sites_unpriced == 1 ? "" : "s"));
    return buf_adds(b, "</p>\n");
}

static int summary_stays(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    unsigned n = 0;
    H(buf_adds(b, "<h3>What stays, and why</h3>\n<ul>\n"));
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (strcmp(migration_of(s), "stay") != 0)
            continue;
        n++;
        H(buf_adds(b, "<li>"));
        H(site_link(b, i, s));
        H(buf_adds(b, " (<span class=\"verdict\">"));
        H(textc(b, s->verdict));
        H(buf_adds(b, "</span>): "));
        H(textc(b, s->reason));
        if (s->kept) {
            H(buf_adds(b, ". Kept real-time on purpose: &ldquo;"));
            H(text(b, s->keep_reason));
            H(buf_adds(b, "&rdquo;"));
        }
        H(buf_adds(b, ".</li>\n"));
    }
    if (n == 0)
        H(buf_adds(b, "<li>Every site moves.</li>\n"));
    return buf_adds(b, "</ul>\n");
}

static int summary_table(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    H(buf_adds(b, "<h3>All sites</h3>\n<div class=\"wrap\"><table>\n<thead><tr><th>Site</th>"
                  "<th>Verdict</th><th class=\"n\">Calls</th><th class=\"n\">Read share</th>"
                  "<th class=\"n\">Tolerant share</th><th class=\"n\">p50 wait</th>"
                  "<th>Schedule</th><th class=\"n\">Now /mo</th><th class=\"n\">After /mo</th>"
                  "<th class=\"n\">Savings /mo</th></tr></thead>\n<tbody>\n"));
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        char when[96];
        H(buf_adds(b, "<tr><td class=\"name\">"));
        H(site_link(b, i, s));
        H(buf_adds(b, "</td><td>"));
        H(textc(b, s->verdict));
        H(buf_printf(b, "%s</td><td class=\"n\">%llu</td><td class=\"n\">",
                     s->kept ? " (kept)" : "", (unsigned long long)s->calls));
        H(s->eligible ? share(b, s->read_share) : buf_adds(b, "-"));
        H(buf_adds(b, "</td><td class=\"n\">"));
        H(s->eligible ? share(b, s->tolerant_share) : buf_adds(b, "-"));
        H(buf_adds(b, "</td><td class=\"n\">"));
        H(dur(b, s->has_wait, s->wait_us[Q_P50]));
        H(buf_adds(b, "</td><td>"));
        if (s->schedule.computed && s->schedule.best.cadence != CADENCE_NONE) {
            analysis_option_when(&s->schedule.best, an->has_utc_offset, an->utc_offset_s, when);
            H(textc(b, when));
        } else {
            H(buf_adds(b, "none"));
        }
        for (int k = 0; k < 3; k++) {
            double v = k == 0 ? s->monthly_now : k == 1 ? s->monthly_target : s->monthly_savings;
            H(buf_adds(b, "</td><td class=\"n\">"));
            H(s->has_cost ? money(b, v) : buf_adds(b, "-"));
        }
        H(buf_adds(b, "</td></tr>\n"));
    }
    return buf_adds(b, "</tbody></table></div>\n");
}

static int summary(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    const struct rules *r = in->rules;
    char s[32], e[32], d[24], bt[24];
    H(buf_adds(b, "<section id=\"summary\">\n<h2>Summary</h2>\n<p>Window: "));
    if (an->start_us <= an->end_us) {
        H(buf_printf(b, "<b>%s</b> to <b>%s</b> (%.1f days)", utc_format(an->start_us, false, s),
                     utc_format(an->end_us, false, e), an->days));
        if (an->has_utc_offset) {
            int off = an->utc_offset_s < 0 ? -an->utc_offset_s : an->utc_offset_s;
            H(buf_printf(b, "; the logs' own clock is UTC%c%02d:%02d",
                         an->utc_offset_s < 0 ? '-' : '+', off / 3600, off / 60 % 60));
        } else {
            H(buf_adds(b, "; the logs' times are UTC"));
        }
    } else {
        H(buf_adds(b, "no events"));
    }
    H(buf_printf(b,
                 ".</p>\n<p>The question: what if each result came <b>%s</b> later? A site "
                 "can move when at least <b>",
                 utc_format_duration(r->delay_us, d)));
    H(share(b, r->confidence));
    H(buf_printf(b,
                 "</b> of its results would not notice; a batch run is taken to deliver "
                 "<b>%s</b> after it starts (batch_time). Rules: <code>",
                 utc_format_duration(r->batch_time_us, bt)));
    H(textc(b, r->path));
    H(buf_adds(b, "</code>.</p>\n"));
    H(summary_moves(b, in));
    H(summary_stays(b, in));
    H(summary_table(b, in));
    return buf_adds(b, "</section>\n");
}

static int charts(struct page *pg)
{
    struct buf *b = pg->b;
    const struct chart_set *cs = pg->in->charts;
    H(buf_adds(b, "<section id=\"charts\">\n<h2>Charts</h2>\n"));
    if (!cs)
        return buf_adds(b, "<p class=\"missing\">No charts: the report was written without "
                           "them (--no-charts).</p>\n</section>\n");
    H(buf_adds(b, "<div class=\"charts\">\n"));
    if (cs->tempo[0])
        H(chart(pg, cs->tempo,
                "Tempo curve: the share of each site's results that would not notice a delay "
                "of 1 minute to 1 week"));
    if (cs->cost[0])
        H(chart(pg, cs->cost, "Monthly cost per site in USD: now, in real time, and as batch"));
    if (!cs->tempo[0] && !cs->cost[0])
        H(buf_adds(b, "<p class=\"missing\">No summary chart: no site had calls or a "
                      "price.</p>\n"));
    return buf_adds(b, "</div>\n</section>\n");
}

static int numbers(struct buf *b, const struct analysis_site *s)
{
    static const char *const qn[Q_COUNT] = { "min", "p50", "p90", "p95", "p99", "max" };
    H(buf_printf(b,
                 "<h4>Numbers</h4>\n<div class=\"wrap\"><table>\n"
                 "<tr><th>Calls (results)</th><td class=\"n\">%llu</td></tr>\n"
                 "<tr><th>Results read at least once</th><td class=\"n\">%llu</td></tr>\n"
                 "<tr><th>Results a verdict can judge (not censored)</th>"
                 "<td class=\"n\">%llu</td></tr>\n"
                 "<tr><th>Unread results younger than the delay at the end (censored)</th>"
                 "<td class=\"n\">%llu</td></tr>\n<tr><th>Read share</th><td class=\"n\">",
                 (unsigned long long)s->calls, (unsigned long long)s->reads,
                 (unsigned long long)s->eligible, (unsigned long long)s->censored));
    H(s->eligible ? share(b, s->read_share) : buf_adds(b, "-"));
    H(buf_adds(b, "</td></tr>\n<tr><th>Tolerant share (Wilson 95% lower bound)</th>"
                  "<td class=\"n\">"));
    if (s->eligible) {
        H(share(b, s->tolerant_share));
        H(buf_adds(b, " (&ge; "));
        H(share(b, s->tolerant_share_lo));
        H(buf_adds(b, ")"));
    } else {
        H(buf_adds(b, "-"));
    }
    H(buf_adds(b, "</td></tr>\n"));
    for (int q = 0; q < Q_COUNT; q++) {
        H(buf_printf(b, "<tr><th>Wait before the first read, %s</th><td class=\"n\">", qn[q]));
        H(dur(b, s->has_wait, s->wait_us[q]));
        H(buf_adds(b, "</td></tr>\n"));
    }
    H(buf_adds(b, "<tr><th>Latency of the call, p50 / p99</th><td class=\"n\">"));
    H(dur(b, s->has_latency, s->latency_p50_us));
    H(buf_adds(b, " / "));
    H(dur(b, s->has_latency, s->latency_p99_us));
    return buf_printf(b,
                      "</td></tr>\n<tr><th>Calls a day / a month (30 days)</th>"
                      "<td class=\"n\">%.1f / %.0f</td></tr>\n</table></div>\n",
                      s->calls_per_day, s->calls_per_month);
}

static int curve(struct buf *b, const struct analysis_site *s)
{
    char d[24];
    H(buf_adds(b, "<h4>Tempo curve</h4>\n<div class=\"wrap\"><table>\n<tr><th>Delay</th>"));
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        H(buf_printf(b, "<th class=\"n\">%s</th>",
                     utc_format_duration(analysis_curve_delays_us[k], d)));
    H(buf_adds(b, "</tr>\n<tr><th>Results that would not notice</th>"));
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++) {
        H(buf_adds(b, "<td class=\"n\">"));
        H(s->eligible ? share(b, s->tempo_curve[k]) : buf_adds(b, "-"));
        H(buf_adds(b, "</td>"));
    }
    return buf_adds(b, "</tr>\n</table></div>\n");
}

static int readers(struct buf *b, const struct analysis_site *s)
{
    H(buf_adds(b, "<h4>Readers</h4>\n"));
    if (s->n_readers == 0)
        return buf_adds(b, "<p class=\"note\">No breakdown: the read rules of this site carry "
                           "no by=.</p>\n");
    H(buf_adds(b, "<div class=\"wrap\"><table>\n<tr><th>Reader (by)</th><th class=\"n\">Reads"
                  "</th><th class=\"n\">p50 wait</th><th class=\"n\">p99 wait</th></tr>\n"));
    for (unsigned k = 0; k < s->n_readers; k++) {
        const struct analysis_reader *rd = &s->readers[k];
        H(buf_adds(b, "<tr><td class=\"name\">"));
        H(text(b, rd->by));
        H(buf_printf(b, "</td><td class=\"n\">%llu</td><td class=\"n\">",
                     (unsigned long long)rd->reads));
        H(dur(b, true, rd->wait_p50_us));
        H(buf_adds(b, "</td><td class=\"n\">"));
        H(dur(b, true, rd->wait_p99_us));
        H(buf_adds(b, "</td></tr>\n"));
    }
    return buf_adds(b, "</table></div>\n");
}

static int schedule(struct buf *b, const struct analysis *an, const struct analysis_site *s)
{
    const struct analysis_schedule *sc = &s->schedule;
    char when[96], bt[24];
    H(buf_adds(b, "<h4>Schedule</h4>\n<p>"));
    if (!sc->computed) {
        H(buf_adds(b, "No schedule: no calls."));
    } else {
        if (sc->best.cadence != CADENCE_NONE) {
            analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
            H(buf_adds(b, "Best cadence: <b>"));
            H(textc(b, when));
            H(buf_adds(b, "</b>, on time for "));
        } else {
            H(buf_adds(b, "No cadence meets the confidence; even hourly runs are on time for "));
        }
        H(share(b, sc->best.on_time_share));
        H(buf_printf(b, " of results (%llu of %llu, with a run taking %s).",
                     (unsigned long long)sc->best.on_time, (unsigned long long)sc->best.results,
                     utc_format_duration(sc->batch_time_us, bt)));
        if (sc->next.cadence != CADENCE_NONE) {
            analysis_option_when(&sc->next, an->has_utc_offset, an->utc_offset_s, when);
            H(buf_adds(b, " Runner-up: "));
            H(textc(b, when));
            H(buf_adds(b, ", on time for "));
            H(share(b, sc->next.on_time_share));
            H(buf_adds(b, "."));
        }
    }
    if (s->schedule_note[0]) {
        H(buf_adds(b, " "));
        H(textc(b, s->schedule_note));
    }
    return buf_adds(b, "</p>\n");
}

static int cost(struct buf *b, const struct analysis_site *s)
{
    H(buf_adds(b, "<h4>Cost</h4>\n"));
    if (s->cost_note[0]) {
        H(buf_adds(b, "<p>"));
        H(textc(b, s->cost_note));
        H(buf_adds(b, "</p>\n"));
    }
    if (!s->has_cost)
        return s->cost_note[0] ? 0
                               : buf_adds(b, "<p class=\"note\">No price line names this "
                                             "site.</p>\n");
    H(buf_adds(b, "<div class=\"wrap\"><table>\n<tr><th>Now (real time)</th><td class=\"n\">"));
    H(money(b, s->monthly_now));
    H(buf_adds(b, "</td></tr>\n<tr><th>As batch</th><td class=\"n\">"));
    H(money(b, s->monthly_batch));
    H(buf_adds(b, "</td></tr>\n<tr><th>On its target ("));
    H(textc(b, migration_of(s)));
    H(buf_adds(b, ")</th><td class=\"n\">"));
    H(money(b, s->monthly_target));
    H(buf_adds(b, "</td></tr>\n<tr><th>Savings</th><td class=\"n\"><b>"));
    H(money(b, s->monthly_savings));
    H(buf_adds(b, "</b></td></tr>\n"));
    if (s->gpu_hours_now > 0 || s->gpu_hours_batch > 0)
        H(buf_printf(b,
                     "<tr><th>GPU hours now / as batch</th><td class=\"n\">%.1f / %.1f"
                     "</td></tr>\n<tr><th>Batch runs a month</th><td class=\"n\">%.1f</td>"
                     "</tr>\n",
                     s->gpu_hours_now, s->gpu_hours_batch, s->runs_per_month));
    if (s->priced_by_mean)
        H(buf_printf(b,
                     "<tr><th>Calls without token counts, priced at the mean</th>"
                     "<td class=\"n\">%llu</td></tr>\n",
                     (unsigned long long)s->priced_by_mean));
    return buf_adds(b, "</table></div>\n");
}

static int site(struct page *pg, unsigned i)
{
    struct buf *b = pg->b;
    const struct analysis_site *s = &pg->in->an->sites[i];
    H(buf_printf(b, "<section class=\"site\" id=\"site-%u\">\n<h3>%u. ", i + 1, i + 1));
    H(site_name(b, s));
    H(buf_adds(b, "</h3>\n<p>Verdict <span class=\"verdict\">"));
    H(textc(b, s->verdict));
    H(buf_adds(b, "</span>, migration <b>"));
    H(textc(b, migration_of(s)));
    H(buf_adds(b, "</b>: "));
    H(textc(b, s->reason));
    H(buf_adds(b, ".</p>\n"));
    if (s->kept) {
        H(buf_adds(b, "<p>Kept real-time on purpose (keep): &ldquo;"));
        H(text(b, s->keep_reason));
        H(buf_adds(b, "&rdquo;.</p>\n"));
    }
    H(numbers(b, s));
    H(curve(b, s));
    H(readers(b, s));
    H(schedule(b, pg->in->an, s));
    H(cost(b, s));
    const struct chart_set *cs = pg->in->charts;
    if (cs && i < cs->n_sites && cs->sites && (cs->sites[i].wait[0] || cs->sites[i].week[0])) {
        char label[160];
        H(buf_adds(b, "<div class=\"charts\">\n"));
        if (cs->sites[i].wait[0]) {
            snprintf(label, sizeof label,
                     "Site %u: wait from ready to first read, cumulative share of results "
                     "(log time axis)",
                     i + 1);
            H(chart(pg, cs->sites[i].wait, label));
        }
        if (cs->sites[i].week[0]) {
            snprintf(label, sizeof label,
                     "Site %u: calls and first reads by hour of the week, in the logs' own "
                     "clock",
                     i + 1);
            H(chart(pg, cs->sites[i].week, label));
        }
        H(buf_adds(b, "</div>\n"));
    }
    return buf_adds(b, "</section>\n");
}

/* ---- the migration plan ---- */

static int plan_provider(struct buf *b, const struct analysis_site *s,
                         const struct verdict_provider *pv)
{
    char d[24];
    H(buf_adds(b, "<p>Provider: <b>"));
    H(textc(b, pv->title));
    H(buf_adds(b, "</b>. Batch endpoint <code>"));
    H(textc(b, pv->batch_endpoint));
    H(buf_adds(b, "</code>; requests: "));
    H(textc(b, pv->request_format));
    H(buf_printf(b, "; completion window %s", utc_format_duration(pv->completion_window_us, d)));
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        if (analysis_curve_delays_us[k] == pv->completion_window_us && s->eligible) {
            H(buf_adds(b, " (this site's results that would not notice it: "));
            H(share(b, s->tempo_curve[k]));
            H(buf_adds(b, ")"));
        }
    if (pv->max_requests)
        H(buf_printf(b, "; at most %llu requests per batch", (unsigned long long)pv->max_requests));
    if (pv->max_bytes >= 1000000000)
        H(buf_printf(b, "; input files up to %.3g GB", (double)pv->max_bytes / 1e9));
    else if (pv->max_bytes)
        H(buf_printf(b, "; input files up to %.3g MB", (double)pv->max_bytes / 1e6));
    if (pv->limits_note && pv->limits_note[0]) {
        H(buf_adds(b, " ("));
        H(textc(b, pv->limits_note));
        H(buf_adds(b, ")"));
    }
    H(buf_printf(b, "; %.0f%% off the real-time price.", pv->batch_discount * 100));
    if (pv->doc_url && span_starts(span_of(pv->doc_url), "https://")) {
        H(buf_adds(b, " Documented at <a href=\""));
        H(textc(b, pv->doc_url));
        H(buf_adds(b, "\" rel=\"noreferrer\">"));
        H(textc(b, pv->doc_url));
        H(buf_adds(b, "</a>"));
        if (pv->checked) {
            H(buf_adds(b, " (checked "));
            H(textc(b, pv->checked));
            H(buf_adds(b, ")"));
        }
        H(buf_adds(b, "."));
    }
    return buf_adds(b, "</p>\n");
}

static int saves(struct buf *b, const struct analysis_site *s)
{
    if (!s->has_cost)
        return 0;
    if (s->monthly_savings <= 0) {
        H(buf_adds(b, "<p>No saving on the price list: "));
        H(money(b, s->monthly_now));
        return buf_adds(b, " a month either way.</p>\n");
    }
    H(buf_adds(b, "<p>Saves <b>"));
    H(money(b, s->monthly_savings));
    H(buf_adds(b, "</b> a month ("));
    H(money(b, s->monthly_now));
    H(buf_adds(b, " now, "));
    H(money(b, s->monthly_target));
    return buf_adds(b, " after).</p>\n");
}

static int plan_batch(struct buf *b, const struct report_input *in, unsigned i)
{
    const struct analysis *an = in->an;
    const struct analysis_site *s = &an->sites[i];
    const struct analysis_schedule *sc = &s->schedule;
    const struct verdict_provider *pv = provider_of(s);
    char cron[40], when[96], d[24], bt[24];
    H(buf_adds(b, "<h4>"));
    H(site_link(b, i, s));
    H(buf_adds(b, ": move to batch</h4>\n"));
    if (!sc->computed || sc->best.cadence == CADENCE_NONE) {
        H(buf_adds(b, "<p>No cadence delivers on time for enough results: "));
        H(textc(b, s->schedule_note[0] ? s->schedule_note : "no schedule was found"));
        H(buf_adds(b, ". Batch it only with a cadence its readers can live with.</p>\n"));
    } else {
        analysis_option_cron(&sc->best, cron);
        analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
        H(buf_adds(b, "<p>Cadence: "));
        H(textc(b, when));
        H(buf_adds(b, ". Cron line (UTC): <code>"));
        H(textc(b, cron));
        H(buf_adds(b, "</code></p>\n<ol>\n<li>Stop calling the model when the request comes "
                      "in: store each call's inputs with the key its readers use to find the "
                      "result.</li>\n<li>At <code>"));
        H(textc(b, cron));
        H(buf_adds(b, "</code> (UTC) submit the inputs collected since the last run as one "
                      "batch"));
        if (pv) {
            H(buf_adds(b, " to <code>"));
            H(textc(b, pv->batch_endpoint));
            H(buf_adds(b, "</code>"));
        }
        H(buf_printf(b,
                     ".</li>\n<li>Deliver the results within %s of the run, before the "
                     "readers' first read",
                     utc_format_duration(sc->batch_time_us, bt)));
        if (s->has_wait)
            H(buf_printf(b,
                         " (1%% of results were first read within %s of being ready: the "
                         "p1 of waits)",
                         utc_format_duration(s->wait_cdf_us[1], d)));
        H(buf_adds(b, "; over the logs this schedule was on time for "));
        H(share(b, sc->best.on_time_share));
        H(buf_adds(b, " of results.</li>\n<li>Write the results where the readers read them "
                      "now, under the same key.</li>\n<li>Keep <code>tempo gate --baseline"
                      "</code> in CI: a reader who starts reading within minutes shows up as "
                      "drift.</li>\n</ol>\n"));
    }
    if (pv)
        H(plan_provider(b, s, pv));
    return saves(b, s);
}

static int plan_stop(struct buf *b, unsigned i, const struct analysis_site *s)
{
    H(buf_adds(b, "<h4>"));
    H(site_link(b, i, s));
    H(buf_adds(b, ": stop it</h4>\n<p>"));
    H(s->eligible ? share(b, s->read_share) : buf_adds(b, "none"));
    H(buf_printf(b,
                 " of its results were ever read (%llu of %llu). Stop computing them: "
                 "remove the call, or compute a result only when a reader first asks for "
                 "it.</p>\n",
                 (unsigned long long)s->reads, (unsigned long long)s->eligible));
    return saves(b, s);
}

static int plan_stream(struct buf *b, const struct report_input *in, unsigned i)
{
    const struct analysis_site *s = &in->an->sites[i];
    const struct verdict_provider *pv = provider_of(s);
    char d[24];
    bool flex = strcmp(migration_of(s), "flex") == 0 && pv && pv->flex_discount > 0;
    H(buf_adds(b, "<h4>"));
    H(site_link(b, i, s));
    H(buf_adds(b, flex ? ": the flex tier</h4>\n<p>" : ": micro-batches</h4>\n<p>"));
    H(buf_adds(b, "Readers wait minutes (p50 "));
    H(dur(b, s->has_wait, s->wait_us[Q_P50]));
    H(buf_adds(b, "). "));
    if (flex) {
        H(buf_adds(b, "Its provider ("));
        H(textc(b, pv->name));
        H(buf_printf(b,
                     ") sells a slower synchronous flex tier at %.0f%% off: ask for it "
                     "with <code>",
                     pv->flex_discount * 100));
        H(textc(b, pv->flex_how));
        H(buf_adds(b, "</code> on each request. The calls stay synchronous; answers may take "
                      "longer and may be refused when capacity is short (retry, or fall back "
                      "to the standard tier)."));
        if (pv->flex_note && pv->flex_note[0]) {
            H(buf_adds(b, " Terms: "));
            H(textc(b, pv->flex_note));
            H(buf_adds(b, "."));
        }
    } else {
        int k = micro_window(s, in->rules->confidence);
        if (k >= 0) {
            utc_format_duration(analysis_curve_delays_us[k], d);
            H(buf_printf(b,
                         "Collect calls for up to <b>%s</b> and send them together: %s is "
                         "the longest tempo-curve delay whose share (",
                         d, d));
            H(share(b, s->tempo_curve[k]));
            H(buf_adds(b, ") meets the confidence ("));
            H(share(b, in->rules->confidence));
            H(buf_adds(b, ")."));
        } else {
            H(buf_adds(b, "No tempo-curve delay meets the confidence: keep it streaming."));
        }
    }
    H(buf_adds(b, "</p>\n"));
    return saves(b, s);
}

static int plan(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    H(buf_adds(b, "<section id=\"plan\">\n<h2>Migration plan</h2>\n"));
    static const char *const heads[] = { "To batch", "Stop", "Streaming: flex or micro-batch",
                                         "Stays real-time" };
    for (int g = 0; g < 4; g++) {
        unsigned n = 0;
        for (unsigned i = 0; i < an->n_sites; i++) {
            const struct analysis_site *s = &an->sites[i];
            const char *m = migration_of(s);
            int grp = strcmp(m, "batch") == 0                                   ? 0
                      : strcmp(m, "stop") == 0                                  ? 1
                      : strcmp(m, "flex") == 0 || strcmp(m, "micro-batch") == 0 ? 2
                                                                                : 3;
            if (grp != g)
                continue;
            if (n++ == 0)
                H(buf_printf(b, "<h3>%s</h3>\n%s", heads[g], g == 3 ? "<ul>\n" : ""));
            if (g == 0)
                H(plan_batch(b, in, i));
            else if (g == 1)
                H(plan_stop(b, i, s));
            else if (g == 2)
                H(plan_stream(b, in, i));
            else {
                H(buf_adds(b, "<li>"));
                H(site_link(b, i, s));
                H(buf_adds(b, ": "));
                H(textc(b, s->reason));
                if (s->kept) {
                    H(buf_adds(b, "; kept: &ldquo;"));
                    H(text(b, s->keep_reason));
                    H(buf_adds(b, "&rdquo;"));
                }
                H(buf_adds(b, ".</li>\n"));
            }
        }
        if (g == 3 && n)
            H(buf_adds(b, "</ul>\n"));
    }
    if (an->n_sites == 0)
        H(buf_adds(b, "<p>No call site: nothing to plan.</p>\n"));
    return buf_adds(b, "</section>\n");
}

static int sources(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    H(buf_adds(b, "<section id=\"sources\">\n<h2>Sources</h2>\n<div class=\"wrap\"><table>\n"
                  "<tr><th>Source</th><th>Format</th><th class=\"n\">Lines</th>"
                  "<th class=\"n\">Events</th><th class=\"n\">Skipped</th></tr>\n"));
    for (unsigned i = 0; i < an->n_sources; i++) {
        const struct source_stats *st = &an->sources[i].stats;
        H(buf_adds(b, "<tr><td class=\"name\">"));
        H(textc(b, st->path));
        H(buf_adds(b, st->is_gzip ? " (gzip)</td><td>" : "</td><td>"));
        H(textc(b, st->format));
        H(buf_printf(b,
                     "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
                     "<td class=\"n\">%llu</td></tr>\n",
                     (unsigned long long)st->lines, (unsigned long long)st->events,
                     (unsigned long long)st->skipped));
    }
    H(buf_adds(b, "</table></div>\n"));
    unsigned errors = 0;
    for (unsigned i = 0; i < an->n_sources; i++) {
        const struct source_stats *st = &an->sources[i].stats;
        for (unsigned k = 0; k < st->n_errors && k < LIMIT_FIRST_ERRORS; k++) {
            H(buf_adds(b, errors++ ? "<li><code>"
                                   : "<h3>First bad lines</h3>\n<ul>\n"
                                     "<li><code>"));
            H(textc(b, st->path));
            H(buf_printf(b, ":%llu</code>: ", (unsigned long long)st->errors[k].line));
            H(textc(b, st->errors[k].reason));
            H(buf_adds(b, "</li>\n"));
        }
    }
    if (errors)
        H(buf_adds(b, "</ul>\n"));
    H(buf_adds(b, "<h2 id=\"findings\">Findings</h2>\n"));
    if (in->vr->n_findings == 0)
        return buf_adds(b, "<p>No finding.</p>\n</section>\n");
    H(buf_adds(b, "<ul>\n"));
    for (unsigned i = 0; i < in->vr->n_findings; i++) {
        const struct verdict_finding *f = &in->vr->findings[i];
        H(buf_printf(b, "<li><b>%s</b> (rules line %u): ",
                     f->kind == FINDING_FAKE_URGENCY ? "fake urgency" : "drift", f->rules_line));
        H(textc(b, f->message));
        H(buf_adds(b, "</li>\n"));
    }
    return buf_adds(b, "</ul>\n</section>\n");
}

static int page(struct page *pg)
{
    struct buf *b = pg->b;
    const struct report_input *in = pg->in;
    char t[32];
    H(head(b, in));
    H(summary(b, in));
    H(charts(pg));
    H(buf_adds(b, "<section id=\"sites\">\n<h2>Sites</h2>\n"));
    if (in->an->n_sites == 0)
        H(buf_adds(b, "<p>No call site had a call in the window.</p>\n"));
    for (unsigned i = 0; i < in->an->n_sites; i++)
        H(site(pg, i));
    H(buf_adds(b, "</section>\n"));
    H(plan(b, in));
    H(sources(b, in));
    return buf_printf(b,
                      "</main>\n<footer><p class=\"note\">Written by Tempo at %s.</p>"
                      "</footer>\n</body>\n</html>\n",
                      utc_format(in->generated_us, false, t));
}

static int html_write(const struct report_input *in, FILE *out, struct err *e)
{
    struct buf b;
    struct page pg = { &b, in, 0, { 0 } };
    buf_init(&b, (size_t)1 << 30);
    buf_init(&pg.file, LIMIT_CHART_SVG);
    int rc = page(&pg);
    buf_release(&pg.file);
    if (rc < 0) {
        buf_release(&b);
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "HTML report larger than 1 GiB");
    }
    rc = report_flush(&b, out, e);
    buf_release(&b);
    return rc;
}

const struct reporter report_html = { "html", html_write };
