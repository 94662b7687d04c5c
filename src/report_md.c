/*
 * report_md.c - the audit and the migration report as GitHub Flavored Markdown
 * (reporters stage): the markup of what report_doc.c says, with anchors for
 * the sections and, with `tempo report`, the charts as linked files. All text
 * goes through report_md_cell (no markup, links or table breaks); code spans
 * hold Tempo's own words only.
 */
#include <string.h>

#include "report.h"

struct md {
    bool ordered;  /* the open list is numbered */
    unsigned item; /* its items so far */
};

/* A code span whose fence is longer than any backtick run inside it, padded
 * when the text starts or ends with one (CommonMark 6.1), so nothing in it
 * can close it early. Newlines become spaces. Writes go on past a full
 * buffer (each fails again): the result says whether one failed. */
static int fenced(struct buf *b, struct span s)
{
    size_t run = 0, longest = 0;
    for (size_t i = 0; i < s.n; i++) {
        run = s.p[i] == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    const char *pad = s.n && (s.p[0] == '`' || s.p[s.n - 1] == '`') ? " " : "";
    int rc = 0;
    for (size_t i = 0; i <= longest; i++)
        rc |= buf_add(b, "`", 1);
    rc |= buf_adds(b, pad);
    for (size_t i = 0; i < s.n; i++)
        rc |= buf_add(b, s.p[i] == '\n' || s.p[i] == '\r' ? " " : &s.p[i], 1);
    rc |= buf_adds(b, pad);
    for (size_t i = 0; i <= longest; i++)
        rc |= buf_add(b, "`", 1);
    return rc;
}

/* Input is never put in a code span: there it would be shown raw. */
static int md_code(struct report_doc *d, struct span s, bool is_input)
{
    return is_input ? report_md_cell(d->b, s) : fenced(d->b, s);
}

/* A URL safe to put in an autolink as it is: printable ASCII without spaces,
 * brackets, parentheses, angle brackets, quotes or backslashes. */
static bool plain_url(const char *u)
{
    if (!span_starts(span_of(u), "https://"))
        return false;
    for (; *u; u++)
        if (*u <= ' ' || *u >= 0x7f || memchr("()[]<>\\`\"", *u, 9))
            return false;
    return true;
}

static int md_url(struct report_doc *d, const char *url)
{
    if (!plain_url(url))
        return report_md_cell(d->b, span_of(url));
    return buf_printf(d->b, "<%s>", url);
}

/* A chart file name as chart.c makes them ("wait-3.svg"): safe as a link target. */
static bool chart_file(const char *name)
{
    if (!name[0] || name[0] == '.')
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

/* The chart as an image link to its file next to report.md; nothing for a
 * name that is not a chart's. */
static int md_chart(struct report_doc *d, const char *file, const char *label)
{
    if (!chart_file(file))
        return 0;
    int rc = buf_adds(d->b, "![");
    rc |= report_md_cell(d->b, span_of(label));
    return rc | buf_printf(d->b, "](%s)\n\n", file);
}

static int md_shell(struct report_doc *d, bool open)
{
    return open ? buf_adds(d->b, "# Tempo audit\n\n") : 0;
}

/* Anchors of Tempo's own names, so that links work on any renderer. */
static int md_section(struct report_doc *d, const char *id, bool open)
{
    if (open)
        return buf_printf(d->b, "<a id=\"%s\"></a>\n\n", id);
    return 0;
}

static int md_tag(struct report_doc *d, enum report_tag t, bool open)
{
    struct md *md = d->state;
    switch (t) {
    case REPORT_TAG_H2:
    case REPORT_TAG_H3:
    case REPORT_TAG_H4:
        if (!open)
            return buf_adds(d->b, "\n\n");
        return buf_adds(d->b, t == REPORT_TAG_H2 ? "## " : t == REPORT_TAG_H3 ? "### " : "#### ");
    case REPORT_TAG_STRONG:
    case REPORT_TAG_VERDICT:
        return buf_adds(d->b, "**");
    case REPORT_TAG_UL:
    case REPORT_TAG_OL:
        md->ordered = t == REPORT_TAG_OL;
        md->item = 0;
        return open ? 0 : buf_adds(d->b, "\n");
    case REPORT_TAG_LI:
        if (!open)
            return buf_adds(d->b, "\n");
        if (md->ordered)
            return buf_printf(d->b, "%u. ", ++md->item);
        return buf_adds(d->b, "- ");
    case REPORT_TAG_ROW:
        return buf_adds(d->b, open ? "|" : "\n");
    case REPORT_TAG_BY:
    case REPORT_TAG_FIGURES:
        return 0;
    default: /* paragraphs of every kind */
        return open ? 0 : buf_adds(d->b, "\n\n");
    }
}

/* The header row, then the alignment row: numbers to the right. */
static int md_table(struct report_doc *d, bool open)
{
    if (!open)
        return buf_adds(d->b, "\n");
    int rc = 0;
    for (unsigned k = 0; k < d->n_cols; k++) {
        rc |= buf_adds(d->b, "| ");
        rc |= report_md_cell(d->b, span_of(d->cols[k].title));
        rc |= buf_adds(d->b, " ");
    }
    rc |= buf_adds(d->b, "|\n|");
    for (unsigned k = 0; k < d->n_cols; k++)
        rc |= buf_adds(d->b, d->cols[k].align == REPORT_ALIGN_RIGHT ? "--:|" : "---|");
    return rc | buf_adds(d->b, "\n");
}

static int md_cell(struct report_doc *d, unsigned col, bool open)
{
    (void)col;
    return buf_adds(d->b, open ? " " : " |");
}

/* No links in a table: a row starts with the site's name as it is. */
static int md_site_link(struct report_doc *d, unsigned site, bool open)
{
    if (d->cols)
        return 0;
    return open ? buf_adds(d->b, "[") : buf_printf(d->b, "](#site-%u)", site + 1);
}

static int md_text(struct report_doc *d, struct span s)
{
    return report_md_cell(d->b, s);
}

static const struct report_markup markdown = {
    "Markdown",   md_shell, md_section, md_tag, md_table, md_cell,
    md_site_link, md_text,  md_code,    md_url, md_chart,
};

static int md_write(const struct report_input *in, FILE *out, struct err *e)
{
    struct md state = { false, 0 };
    return report_doc_write(&markdown, in, &state, out, e);
}

const struct reporter report_md = { "md", md_write };
