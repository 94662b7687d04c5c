/*
 * report_gate_summary.c - `tempo gate --summary FILE`: GitHub Flavored Markdown
 * for a pull-request comment (reporters stage, issue 6): verdict, savings at
 * stake, new findings, kept sites with their reasons, known findings and a
 * collapsed block per finding. Always under LIMIT_SUMMARY bytes (so under
 * GitHub's 65,536-character comment limit): sections share the room.
 */
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "report.h"
#include "utc.h"

#define W(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

/* Bytes of a name, by= value, reason or path shown; longer ones end in "…". */
enum { SUMMARY_CUT = 256 };

enum { SEC_NEW, SEC_KEPT, SEC_KNOWN, SEC_DETAILS, SEC_COUNT };

static const char *const sec_header[SEC_COUNT] = {
    "\n### New findings\n\n"
    "| Kind | Site | Verdict | p50 wait | Calls/month | Rules line | At stake/month |\n"
    "| --- | --- | --- | ---: | ---: | ---: | ---: |\n",
    "\n### Kept by the rules\n\n"
    "| Site | Verdict | Rules line | Reason |\n"
    "| --- | --- | ---: | --- |\n",
    "\n### Known findings (already in the baseline: they do not fail the gate)\n\n"
    "| Kind | Site | Verdict | p50 wait | Calls/month | Rules line | At stake/month |\n"
    "| --- | --- | --- | ---: | ---: | ---: | ---: |\n",
    "\n### Details\n\n",
};

/* After a table, a blank line first: GFM would take the line for a row. */
static const char *const sec_noun[SEC_COUNT] = { "findings", "kept sites", "known findings",
                                                 "details" };

static int more_line(char *out, size_t cap, int sec, unsigned n)
{
    return snprintf(out, cap, "\n... and %u more %s (see the JUnit/SARIF outputs)\n", n,
                    sec_noun[sec]);
}

struct summary {
    const struct report_input *in;
    /* Items of each section: indexes into the findings (kept: into the sites). */
    unsigned *items[SEC_COUNT];
    unsigned n_items[SEC_COUNT];
};

/* `s` through report_md_cell, cut at SUMMARY_CUT bytes. */
static int md_cut(struct buf *b, struct span s)
{
    bool cut = s.n > SUMMARY_CUT;
    W(report_md_cell(b, (struct span){ s.p, cut ? SUMMARY_CUT : s.n }));
    return cut ? buf_adds(b, "\xe2\x80\xa6") : 0;
}

static int md_label(struct buf *b, const struct analysis_site *s)
{
    W(md_cut(b, s->name));
    if (!s->has_by)
        return 0;
    W(buf_adds(b, " \\["));
    W(md_cut(b, s->by));
    return buf_adds(b, "\\]");
}

static int md_money(struct buf *b, const struct analysis_site *s)
{
    char m[32];
    if (!s->has_cost)
        return buf_adds(b, "-");
    report_money(s->monthly_savings, m);
    return buf_adds(b, m);
}

static int md_line(struct buf *b, unsigned line)
{
    return line ? buf_printf(b, "%u", line) : buf_adds(b, "-");
}

static int finding_row(struct buf *b, const struct verdict_finding *f)
{
    const struct analysis_site *s = f->site;
    char d[24];
    double month = s->calls_per_month >= 0 && s->calls_per_month < 1e15 ? s->calls_per_month : 0;
    W(buf_printf(b, "| %s | ", report_gate_kind(f)));
    W(md_label(b, s));
    W(buf_adds(b, " | "));
    W(md_cut(b, span_of(s->verdict ? s->verdict : "-")));
    W(buf_printf(b, " | %s | %.0f | ",
                 s->has_wait ? utc_format_duration(s->wait_us[Q_P50], d) : "-", month));
    W(md_line(b, f->rules_line));
    W(buf_adds(b, " | "));
    /* Drift saves nothing by itself: what is at stake is fake urgency's. */
    W(f->kind == FINDING_DRIFT ? buf_adds(b, "-") : md_money(b, s));
    return buf_adds(b, " |\n");
}

static int kept_row(struct buf *b, const struct analysis_site *s)
{
    W(buf_adds(b, "| "));
    W(md_label(b, s));
    W(buf_adds(b, " | "));
    W(md_cut(b, span_of(s->verdict)));
    W(buf_adds(b, " | "));
    W(md_line(b, s->call_line));
    W(buf_adds(b, " | "));
    W(s->keep_reason.n ? md_cut(b, s->keep_reason) : buf_adds(b, "-"));
    return buf_adds(b, " |\n");
}

/* One collapsed block. Input text stays out of the HTML lines: GitHub does
 * not render Markdown (nor its escapes) inside <summary>. */
static int details_block(struct buf *b, const struct verdict_finding *f)
{
    char nums[REPORT_GATE_NUMBERS];
    struct span action = report_gate_chars(f->action, sizeof f->action);
    report_gate_numbers(f->site, nums);
    W(buf_printf(b, "<details><summary>%s%s", f->known ? "known " : "", report_gate_kind(f)));
    W(f->rules_line ? buf_printf(b, ", rules line %u", f->rules_line) : 0);
    W(buf_adds(b, "</summary>\n\n"));
    W(report_md_cell(b, report_gate_chars(f->message, sizeof f->message)));
    W(buf_printf(b, " (%s)\n\n", nums));
    if (action.n) {
        W(buf_adds(b, "What to do: "));
        W(report_md_cell(b, action));
        W(buf_adds(b, "\n\n"));
    }
    return buf_adds(b, "</details>\n\n");
}

static int render(const struct summary *sm, int sec, unsigned k, struct buf *b)
{
    const struct verdict_result *vr = sm->in->vr;
    unsigned i = sm->items[sec][k];
    switch (sec) {
    case SEC_NEW:
    case SEC_KNOWN:
        return finding_row(b, &vr->findings[i]);
    case SEC_KEPT:
        return kept_row(b, &sm->in->an->sites[i]);
    default:
        return details_block(b, &vr->findings[i]);
    }
}

static int write_top(struct buf *b, const struct report_input *in,
                     const struct report_gate_counts *c)
{
    char m[32];
    W(buf_adds(b, c->n_new ? "## :x: Tempo gate failed\n\n"
                           : "## :white_check_mark: Tempo gate "
                             "passed\n\n"));
    W(report_gate_tally(b, in, c, md_cut));
    if (in->rules->path) {
        W(buf_adds(b, ", rules "));
        W(md_cut(b, span_of(in->rules->path)));
    }
    W(buf_adds(b, ".\n\n"));
    if (c->n_new) {
        report_money(c->new_savings, m);
        W(buf_printf(b, "**Savings at stake: %s/month** in the new fake-urgency findings "
                         "with a price.\n", m));
    } else if (!c->n_known && !c->n_kept) {
        W(buf_adds(b, "No fake urgency and no drift.\n"));
    } else {
        W(buf_adds(b, "No new fake urgency and no new drift.\n"));
    }
    return 0;
}

/* Share `avail` bytes between the sections: each gets what it needs, or an
 * equal part of what is left when that is less (smallest needs first, so what
 * a small section leaves goes to the larger ones). */
static void share_room(const size_t need[SEC_COUNT], size_t avail, size_t give[SEC_COUNT])
{
    bool done[SEC_COUNT] = { false };
    unsigned left = 0;
    for (int s = 0; s < SEC_COUNT; s++)
        left += need[s] > 0;
    for (int s = 0; s < SEC_COUNT; s++)
        give[s] = 0;
    while (left) {
        int best = -1;
        for (int s = 0; s < SEC_COUNT; s++)
            if (!done[s] && need[s] > 0 && (best < 0 || need[s] < need[best]))
                best = s;
        give[best] = need[best] < avail / left ? need[best] : avail / left;
        avail -= give[best];
        done[best] = true;
        left--;
    }
}

static int summary_build(struct summary *sm, struct buf *out, struct buf *tmp)
{
    const struct report_input *in = sm->in;
    struct report_gate_counts c;
    report_gate_count(in, &c);
    W(write_top(out, in, &c));

    /* The room every non-empty section needs whatever happens: its header and
     * the longest "... and N more" it could write. */
    size_t limit = LIMIT_SUMMARY - 1, fixed = out->len, need[SEC_COUNT], give[SEC_COUNT];
    char more[128];
    for (int s = 0; s < SEC_COUNT; s++) {
        need[s] = 0;
        if (!sm->n_items[s])
            continue;
        fixed += strlen(sec_header[s]) + (size_t)more_line(more, sizeof more, s, sm->n_items[s]);
        for (unsigned k = 0; k < sm->n_items[s]; k++) {
            buf_reset(tmp);
            W(render(sm, s, k, tmp));
            need[s] += tmp->len;
        }
    }
    share_room(need, fixed < limit ? limit - fixed : 0, give);

    for (int s = 0; s < SEC_COUNT; s++) {
        if (!sm->n_items[s])
            continue;
        W(buf_adds(out, sec_header[s]));
        size_t used = 0;
        unsigned k = 0;
        for (; k < sm->n_items[s]; k++) {
            buf_reset(tmp);
            W(render(sm, s, k, tmp));
            if (used + tmp->len > give[s])
                break;
            W(buf_addspan(out, buf_span(tmp)));
            used += tmp->len;
        }
        if (k < sm->n_items[s]) {
            more_line(more, sizeof more, s, sm->n_items[s] - k);
            W(buf_adds(out, more));
        }
    }
    return 0;
}

static int summary_write(const struct report_input *in, FILE *out, struct err *e)
{
    const struct verdict_result *vr = in->vr;
    struct arena *a = arena_new(4096);
    struct summary sm = { .in = in };
    for (int s = 0; s < SEC_COUNT; s++)
        sm.items[s] = arena_alloc(a, sizeof(unsigned) * (2 * vr->n_findings + in->an->n_sites + 1));
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < vr->n_findings; i++) {
            if (vr->findings[i].known != (pass == 1))
                continue;
            int s = pass ? SEC_KNOWN : SEC_NEW;
            sm.items[s][sm.n_items[s]++] = i;
            sm.items[SEC_DETAILS][sm.n_items[SEC_DETAILS]++] = i;
        }
    for (unsigned i = 0; i < in->an->n_sites; i++)
        if (report_gate_is_kept(&in->an->sites[i]))
            sm.items[SEC_KEPT][sm.n_items[SEC_KEPT]++] = i;

    struct buf b, tmp;
    buf_init(&b, LIMIT_SUMMARY - 1);
    buf_init(&tmp, (size_t)1 << 24);
    int rc = summary_build(&sm, &b, &tmp);
    buf_release(&tmp);
    arena_free(a);
    if (rc < 0) {
        buf_release(&b);
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0,
                      "pull-request summary over %d bytes: a bug in its budget", LIMIT_SUMMARY - 1);
    }
    rc = report_flush(&b, out, e);
    buf_release(&b);
    return rc;
}

const struct reporter report_gate_summary = { "summary", summary_write };
