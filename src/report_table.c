/*
 * report_table.c - the ranked table `tempo audit` prints by default (reporters
 * stage): one aligned row per site in the order of PRODUCT.md §6, then per
 * site its reason, tempo curve, readers, schedule and cost, the findings and
 * the totals. Text from logs is made safe for a terminal (no control bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "utc.h"

static int header(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    char s[32], e[32], d[24], pct[16];
    verdict_format_share(in->rules->confidence, pct);
    if (an->start_us <= an->end_us) {
        if (buf_printf(b, "window %s .. %s (%.1f days)", utc_format(an->start_us, false, s),
                       utc_format(an->end_us, false, e), an->days) < 0)
            return -1;
    } else if (buf_adds(b, "window: no events") < 0) {
        return -1;
    }
    return buf_printf(b, "  delay %s  confidence %s  rules %s\n\n",
                      utc_format_duration(in->rules->delay_us, d), pct, in->rules->path);
}

/* The indented details under a site's reason: tempo curve, readers, schedule, cost. */
static int details(struct buf *b, const struct report_input *in, const struct analysis_site *s)
{
    static const char *const curve[ANALYSIS_CURVE_POINTS] = { "1m", "5m", "15m", "1h",
                                                              "6h", "1d", "1w" };
    char pct[16], d1[24], d2[24], m1[32], m2[32], m3[32], when[96];
    if (s->calls == 0)
        return 0;
    if (buf_adds(b, "    tempo curve ") < 0)
        return -1;
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++) {
        verdict_format_share(s->tempo_curve[k], pct);
        if (buf_printf(b, " %s %s", curve[k], pct) < 0)
            return -1;
    }
    if (buf_adds(b, "\n") < 0)
        return -1;
    for (unsigned k = 0; k < s->n_readers; k++) {
        const struct analysis_reader *rd = &s->readers[k];
        if (buf_adds(b, k ? "                " : "    readers      ") < 0 ||
            report_text(b, rd->by) < 0 ||
            buf_printf(b, ": %llu reads, wait p50 %s, p99 %s\n", (unsigned long long)rd->reads,
                       utc_format_duration(rd->wait_p50_us, d1),
                       utc_format_duration(rd->wait_p99_us, d2)) < 0)
            return -1;
    }
    if (s->schedule.computed) {
        analysis_option_when(&s->schedule.best, in->an->has_utc_offset, in->an->utc_offset_s,
                             when);
        if (buf_printf(b, "    schedule     %s\n", s->schedule_note[0] ? s->schedule_note : when) <
            0)
            return -1;
    }
    if (s->has_cost) {
        report_money(s->monthly_now, m1);
        report_money(s->monthly_target, m2);
        report_money(s->monthly_savings, m3);
        bool moves = s->migration && strcmp(s->migration, "stay") != 0;
        if ((moves ? buf_printf(b, "    cost         %s a month now, %s as %s, saves %s; %s\n",
                                m1, m2, s->migration, m3, s->cost_note)
                   : buf_printf(b, "    cost         %s a month now, and it stays; %s\n", m1,
                                s->cost_note)) < 0)
            return -1;
    } else if (s->cost_note[0] && buf_printf(b, "    cost         %s\n", s->cost_note) < 0) {
        return -1;
    }
    return 0;
}

static int table_write(const struct report_input *in, FILE *out, struct err *e)
{
    const struct analysis *an = in->an;
    struct buf b;
    buf_init(&b, (size_t)1 << 30);
    unsigned n = an->n_sites;
    char(*cells)[REPORT_COLS][REPORT_CELL] = xcalloc(n ? n : 1, sizeof *cells);
    size_t width[REPORT_COLS];
    for (int c = 0; c < REPORT_COLS; c++)
        width[c] = strlen(report_col_names[c]);
    struct buf tmp;
    buf_init(&tmp, 256);
    for (unsigned i = 0; i < n; i++) {
        report_site_cells(&an->sites[i], cells[i]);
        for (int c = 0; c < REPORT_COLS; c++) {
            /* Site and by= values come from input: no control bytes on a terminal. */
            buf_reset(&tmp);
            if (report_text(&tmp, span_of(cells[i][c])) == 0 && tmp.p)
                snprintf(cells[i][c], REPORT_CELL, "%s", tmp.p);
            size_t w = strlen(cells[i][c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    buf_release(&tmp);
    int rc = header(&b, in);
    for (int c = 0; c < REPORT_COLS && rc == 0; c++)
        rc = buf_printf(&b, c < 2 ? "%-*s  " : "%*s%s", (int)width[c], report_col_names[c],
                        c == REPORT_COLS - 1 ? "\n" : "  ");
    for (unsigned i = 0; i < n && rc == 0; i++)
        for (int c = 0; c < REPORT_COLS && rc == 0; c++)
            rc = buf_printf(&b, c < 2 ? "%-*s  " : "%*s%s", (int)width[c], cells[i][c],
                            c == REPORT_COLS - 1 ? "\n" : "  ");
    if (rc == 0 && n)
        rc = buf_adds(&b, "\n");
    for (unsigned i = 0; i < n && rc == 0; i++) {
        const struct analysis_site *s = &an->sites[i];
        rc = buf_printf(&b, "%-*s  %s", (int)width[0], cells[i][0], s->reason);
        if (rc == 0 && s->kept) {
            rc = buf_adds(&b, "; kept: ");
            if (rc == 0)
                rc = report_text(&b, s->keep_reason);
        }
        if (rc == 0)
            rc = buf_adds(&b, "\n");
        if (rc == 0)
            rc = details(&b, in, s);
    }
    if (rc == 0 && in->vr->n_findings)
        rc = buf_printf(&b, "\n%u finding%s:\n", in->vr->n_findings,
                        in->vr->n_findings == 1 ? "" : "s");
    for (unsigned i = 0; i < in->vr->n_findings && rc == 0; i++) {
        const struct verdict_finding *f = &in->vr->findings[i];
        rc = buf_printf(&b, "  %s:%u: %s%s: ", in->rules->path, f->rules_line,
                        f->known ? "known " : "",
                        f->kind == FINDING_FAKE_URGENCY ? "fake urgency" : "drift");
        if (rc == 0)
            rc = report_text(&b, span_of(f->message));
        if (rc == 0 && f->action[0]) {
            rc = buf_adds(&b, ": ");
            if (rc == 0)
                rc = report_text(&b, span_of(f->action));
        }
        if (rc == 0)
            rc = buf_adds(&b, "\n");
    }
    if (rc == 0) {
        char now[32], after[32], save[32];
        report_money(in->vr->monthly_now, now);
        report_money(in->vr->monthly_target, after);
        report_money(in->vr->monthly_savings, save);
        rc = buf_printf(&b, "\nmonthly cost now %s, after the migration %s, savings %s\n", now,
                        after, save);
        if (rc == 0 && in->vr->sites_unpriced)
            rc = buf_printf(&b, "(%u site%s without a price line or the data to price it)\n",
                            in->vr->sites_unpriced, in->vr->sites_unpriced == 1 ? "" : "s");
    }
    free(cells);
    return report_finish(&b, rc, out, "table", e);
}

const struct reporter report_table = { "table", table_write };
