/*
 * report_html.c - report.html for `tempo report` (reporters stage): the
 * markup of the migration report (report_doc.c says what it says) as one
 * self-contained HTML5 page (WHATWG HTML), with the charts inline as SVG. No
 * script and no external resource (a Content-Security-Policy meta tells the
 * browser so); every string goes through report_html_text().
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
    unsigned charts; /* SVGs inlined so far: their ids get a prefix of their own */
    struct buf file; /* a chart file's bytes */
};

static int textc(struct buf *b, const char *s)
{
    return report_html_text(b, span_of(s ? s : "-"));
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
    for (size_t i = 0, k; i < s.n; i += k) {
        unsigned c = (unsigned char)s.p[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return false;
        if ((k = span_utf8(s.p + i, s.n - i, NULL)) == 0)
            return false;
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
static int chart_read(struct page *pg, const struct chart_set *cs, const char *name,
                      const char **why)
{
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
static int html_chart(struct report_doc *d, const char *name, const char *label)
{
    struct buf *b = d->b;
    struct page *pg = d->state;
    const char *why = NULL;
    if (!name[0]) /* not drawn: no figure */
        return 0;
    H(buf_adds(b, "<figure class=\"chart\">\n"));
    int rc = chart_read(pg, d->in->charts, name, &why);
    if (rc == 0)
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

/* The page's style: reports/templates/report.css, built in as `report_css`
 * (a NUL-terminated byte array; see the Makefile). */
#include "report_css.h"

/* The page around the content: head, title, style, header with the contents;
 * at the end the footer. */
static int html_shell(struct report_doc *d, bool open)
{
    struct buf *b = d->b;
    const struct analysis *an = d->in->an;
    char s[32], e[32];
    if (!open)
        return buf_printf(b,
                          "</main>\n<footer><p class=\"note\">Written by Tempo at %s.</p>"
                          "</footer>\n</body>\n</html>\n",
                          utc_format(d->in->generated_us, false, s));
    H(buf_adds(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; img-src data:\">\n"
                  "<meta name=\"generator\" content=\"Tempo\">\n<title>Tempo report"));
    if (an->start_us <= an->end_us)
        H(buf_printf(b, ": %.10s to %.10s", utc_format(an->start_us, false, s),
                     utc_format(an->end_us, false, e)));
    H(buf_adds(b, "</title>\n<style>\n"));
    H(buf_adds(b, report_css));
    H(buf_adds(b, "</style>\n</head>\n<body>\n<header>\n<h1>Tempo migration report</h1>\n"));
    H(buf_adds(b, "<p class=\"note\">What happens if each inference result is delayed? "
                  "Per call site: what can move to batch, what it saves, and how.</p>\n"));
    return buf_adds(b, "<nav><ul><li><a href=\"#summary\">Summary</a></li>"
                       "<li><a href=\"#charts\">Charts</a></li>"
                       "<li><a href=\"#sites\">Sites</a></li>"
                       "<li><a href=\"#plan\">Migration plan</a></li>"
                       "<li><a href=\"#sources\">Sources and findings</a></li></ul></nav>\n"
                       "</header>\n<main>\n");
}

/* ---- the markup ---- */

static const char *const tags[REPORT_TAG_COUNT][2] = {
    [REPORT_TAG_H2] = { "<h2>", "</h2>\n" },
    [REPORT_TAG_H3] = { "<h3>", "</h3>\n" },
    [REPORT_TAG_H4] = { "<h4>", "</h4>\n" },
    [REPORT_TAG_P] = { "<p>", "</p>\n" },
    [REPORT_TAG_NOTE] = { "<p class=\"note\">", "</p>\n" },
    [REPORT_TAG_TOTAL] = { "<p class=\"total\">", "</p>\n" },
    [REPORT_TAG_MISSING] = { "<p class=\"missing\">", "</p>\n" },
    [REPORT_TAG_STRONG] = { "<b>", "</b>" },
    [REPORT_TAG_VERDICT] = { "<span class=\"verdict\">", "</span>" },
    [REPORT_TAG_BY] = { "<span class=\"by\">", "</span>" },
    [REPORT_TAG_UL] = { "<ul>\n", "</ul>\n" },
    [REPORT_TAG_OL] = { "<ol>\n", "</ol>\n" },
    [REPORT_TAG_LI] = { "<li>", "</li>\n" },
    [REPORT_TAG_ROW] = { "<tr>", "</tr>\n" },
    [REPORT_TAG_FIGURES] = { "<div class=\"charts\">\n", "</div>\n" },
};

static int html_tag(struct report_doc *d, enum report_tag t, bool open)
{
    return buf_adds(d->b, tags[t][open ? 0 : 1]);
}

static int html_section(struct report_doc *d, const char *id, bool open)
{
    if (!open)
        return buf_adds(d->b, "</section>\n");
    bool site = span_starts(span_of(id), "site-"); /* styled apart, a page each in print */
    return buf_printf(d->b, "<section%s id=\"%s\">\n", site ? " class=\"site\"" : "", id);
}

/* The cell's tag and attributes for column `col`: a right-aligned number, a
 * long name, or the head of its row. */
static const char *cell_tag(const struct report_doc *d, unsigned col, bool head_row)
{
    enum report_align a = d->cols[col].align;
    if (a == REPORT_ALIGN_RIGHT)
        return head_row ? "th class=\"n\"" : "td class=\"n\"";
    if (head_row || a == REPORT_ALIGN_HEAD)
        return "th";
    return a == REPORT_ALIGN_NAME ? "td class=\"name\"" : "td";
}

static int html_table(struct report_doc *d, bool open)
{
    if (!open)
        return buf_adds(d->b, "</tbody></table></div>\n");
    H(buf_adds(d->b, "<div class=\"wrap\"><table>\n<thead><tr>"));
    for (unsigned k = 0; k < d->n_cols; k++) {
        H(buf_printf(d->b, "<%s>", cell_tag(d, k, true)));
        H(textc(d->b, d->cols[k].title));
        H(buf_adds(d->b, "</th>"));
    }
    return buf_adds(d->b, "</tr></thead>\n<tbody>\n");
}

static int html_cell(struct report_doc *d, unsigned col, bool open)
{
    const char *t = cell_tag(d, col, false);
    if (open)
        return buf_printf(d->b, "<%s>", t);
    return buf_adds(d->b, t[1] == 'h' ? "</th>" : "</td>");
}

static int html_site_link(struct report_doc *d, unsigned site, bool open)
{
    return open ? buf_printf(d->b, "<a href=\"#site-%u\">", site + 1) : buf_adds(d->b, "</a>");
}

static int html_text(struct report_doc *d, struct span s)
{
    return report_html_text(d->b, s);
}

/* HTML escapes input and Tempo's words alike, so a code element holds either. */
static int html_code(struct report_doc *d, struct span s, bool is_input)
{
    (void)is_input;
    H(buf_adds(d->b, "<code>"));
    H(report_html_text(d->b, s));
    return buf_adds(d->b, "</code>");
}

static int html_url(struct report_doc *d, const char *url)
{
    H(buf_adds(d->b, "<a href=\""));
    H(textc(d->b, url));
    H(buf_adds(d->b, "\" rel=\"noreferrer\">"));
    H(textc(d->b, url));
    return buf_adds(d->b, "</a>");
}

static const struct report_markup html = { "HTML",     html_shell, html_section,   html_tag,
                                           html_table, html_cell,  html_site_link, html_text,
                                           html_code,  html_url,   html_chart };

static int html_write(const struct report_input *in, FILE *out, struct err *e)
{
    struct page pg = { 0, { 0 } };
    buf_init(&pg.file, LIMIT_CHART_SVG);
    int rc = report_doc_write(&html, in, &pg, out, e);
    buf_release(&pg.file);
    return rc;
}

const struct reporter report_html = { "html", html_write };
