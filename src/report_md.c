/*
 * report_md.c - the audit as Markdown (reporters stage), for a wiki page or a
 * pull request: the window, the ranked table, each site's reason, findings,
 * totals and the sources with their first bad lines. Every cell from input is
 * escaped (report_md_cell), so log text cannot inject markup or links.
 */
#include "report.h"
#include "utc.h"

static int md_sources(struct buf *b, const struct analysis *an)
{
    int rc = buf_adds(b, "\n## Sources\n\n| source | format | lines | events | skipped |\n"
                         "|---|---|--:|--:|--:|\n");
    for (unsigned i = 0; i < an->n_sources && rc == 0; i++) {
        const struct source_stats *s = &an->sources[i].stats;
        rc = buf_adds(b, "| ");
        if (rc == 0)
            rc = report_md_cell(b, span_of(s->path));
        if (rc == 0)
            rc = buf_printf(b, " | %s | %llu | %llu | %llu |\n", s->format ? s->format : "-",
                            (unsigned long long)s->lines, (unsigned long long)s->events,
                            (unsigned long long)s->skipped);
    }
    for (unsigned i = 0; i < an->n_sources && rc == 0; i++) {
        const struct source_stats *s = &an->sources[i].stats;
        for (unsigned k = 0; k < s->n_errors && rc == 0; k++) {
            rc = buf_adds(b, k ? "" : "\n");
            if (rc == 0)
                rc = buf_adds(b, "- `");
            if (rc == 0)
                rc = report_md_cell(b, span_of(s->path));
            if (rc == 0)
                rc = buf_printf(b, ":%llu`: %s\n", (unsigned long long)s->errors[k].line,
                                s->errors[k].reason);
        }
    }
    return rc;
}

static int md_write(const struct report_input *in, FILE *out, struct err *e)
{
    const struct analysis *an = in->an;
    struct buf b;
    char s[32], en[32], d[24], pct[16], now[32], save[32];
    buf_init(&b, (size_t)1 << 30);
    verdict_format_share(in->rules->confidence, pct);
    report_money(in->vr->monthly_now, now);
    report_money(in->vr->monthly_savings, save);
    int rc = buf_adds(&b, "# Tempo audit\n\n");
    if (rc == 0 && an->start_us <= an->end_us)
        rc = buf_printf(&b, "Window %s to %s (%.1f days). ", utc_format(an->start_us, false, s),
                        utc_format(an->end_us, false, en), an->days);
    if (rc == 0)
        rc = buf_printf(&b,
                        "Question: what if each result came %s later? Confidence %s. "
                        "Monthly cost now %s; savings as batch %s.\n\n",
                        utc_format_duration(in->rules->delay_us, d), pct, now, save);
    for (int c = 0; c < REPORT_COLS && rc == 0; c++)
        rc = buf_printf(&b, "| %s ", report_col_names[c]);
    if (rc == 0)
        rc = buf_adds(&b, "|\n");
    for (int c = 0; c < REPORT_COLS && rc == 0; c++)
        rc = buf_adds(&b, c < 2 ? "|---" : "|--:");
    if (rc == 0)
        rc = buf_adds(&b, "|\n");
    for (unsigned i = 0; i < an->n_sites && rc == 0; i++) {
        char cells[REPORT_COLS][REPORT_CELL];
        report_site_cells(&an->sites[i], cells);
        for (int c = 0; c < REPORT_COLS && rc == 0; c++) {
            rc = buf_adds(&b, "| ");
            if (rc == 0)
                rc = report_md_cell(&b, span_of(cells[c]));
            if (rc == 0)
                rc = buf_adds(&b, " ");
        }
        if (rc == 0)
            rc = buf_adds(&b, "|\n");
    }
    if (rc == 0 && an->n_sites)
        rc = buf_adds(&b, "\n## Why\n\n");
    for (unsigned i = 0; i < an->n_sites && rc == 0; i++) {
        const struct analysis_site *st = &an->sites[i];
        rc = buf_adds(&b, "- **");
        if (rc == 0)
            rc = report_md_cell(&b, st->name);
        if (rc == 0 && st->has_by) {
            rc = buf_adds(&b, " \\[");
            if (rc == 0)
                rc = report_md_cell(&b, st->by);
            if (rc == 0)
                rc = buf_adds(&b, "\\]");
        }
        if (rc == 0)
            rc = buf_printf(&b, "** (%s): ", st->verdict);
        if (rc == 0)
            rc = report_md_cell(&b, span_of(st->reason));
        if (rc == 0 && st->kept) {
            rc = buf_adds(&b, ". Kept: ");
            if (rc == 0)
                rc = report_md_cell(&b, st->keep_reason);
        }
        if (rc == 0)
            rc = buf_adds(&b, "\n");
    }
    if (rc == 0 && in->vr->n_findings)
        rc = buf_adds(&b, "\n## Findings\n\n");
    for (unsigned i = 0; i < in->vr->n_findings && rc == 0; i++) {
        const struct verdict_finding *f = &in->vr->findings[i];
        rc = buf_printf(&b, "- fake urgency (rules line %u): ", f->rules_line);
        if (rc == 0)
            rc = report_md_cell(&b, span_of(f->message));
        if (rc == 0)
            rc = buf_adds(&b, "\n");
    }
    if (rc == 0)
        rc = md_sources(&b, an);
    if (rc < 0) {
        buf_release(&b);
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "Markdown report larger than 1 GiB");
    }
    rc = report_flush(&b, out, e);
    buf_release(&b);
    return rc;
}

const struct reporter report_md = { "md", md_write };
