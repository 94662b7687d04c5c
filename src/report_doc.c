/*
 * report_doc.c - what the migration report says, written once for every
 * markup (reporters stage): summary and site table, charts, a section per
 * site, the migration plan with cron lines, sources and findings. The markup
 * (report_html.c, report_md.c) supplies the look and escapes every string;
 * here strings from input go only to text() and to code() marked as input.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "utc.h"

#define D(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

#define NO_TIME INT64_MIN /* a duration not measured: "-" */

/* ---- Tempo's sentences ---- */

static int site_name(struct report_doc *d, unsigned i);
static int site_link(struct report_doc *d, unsigned i);

static int say(struct report_doc *d, const char *s)
{
    return d->m->text(d, span_of(s ? s : "-"));
}

static int on(struct report_doc *d, enum report_tag t)
{
    return d->m->tag(d, t, true);
}

static int off(struct report_doc *d, enum report_tag t)
{
    return d->m->tag(d, t, false);
}

/* A value only some sites have: NAN (a share, money) or NO_TIME shows "-". */
static double known(bool has, double v)
{
    return has ? v : NAN;
}

static int64_t known_us(bool has, int64_t us)
{
    return has ? us : NO_TIME;
}

/* One directive of a template (see put()), its argument taken from *ap. */
static int directive(struct report_doc *d, char c, va_list *ap)
{
    char t[32];
    const char *s = t;
    double v = 0;
    int64_t us;
    switch (c) {
    case 's':
        s = va_arg(*ap, const char *);
        break;
    case 'i':
        return d->m->text(d, *va_arg(*ap, const struct span *));
    case 'C':
        return d->m->code(d, *va_arg(*ap, const struct span *), true);
    case 'c':
        s = va_arg(*ap, const char *);
        return d->m->code(d, span_of(s ? s : "-"), false);
    case 'v':
        D(on(d, REPORT_TAG_VERDICT));
        D(say(d, va_arg(*ap, const char *)));
        return off(d, REPORT_TAG_VERDICT);
    case 'L':
        return site_link(d, va_arg(*ap, unsigned));
    case 'N':
        return site_name(d, va_arg(*ap, unsigned));
    case 'm':
    case 'p':
        v = va_arg(*ap, double);
        if (isnan(v))
            s = "-";
        else if (c == 'm')
            report_money(v, t);
        else
            verdict_format_share(v, t);
        break;
    case 't':
        us = va_arg(*ap, int64_t);
        s = us == NO_TIME ? "-" : utc_format_duration(us, t);
        break;
    case '0':
    case '1':
        snprintf(t, sizeof t, c == '0' ? "%.0f" : "%.1f", va_arg(*ap, double));
        break;
    case 'u':
        snprintf(t, sizeof t, "%u", va_arg(*ap, unsigned));
        break;
    case 'U':
        snprintf(t, sizeof t, "%llu", va_arg(*ap, unsigned long long));
        break;
    default:
        assert(c == '%');
        s = "%";
    }
    return say(d, s);
}

/* Write template `tpl`, Tempo's words, where *...* is bold and
 *   %s  a string of Tempo's or the analysis' (const char *; NULL: "-")
 *   %i  a string from input (const struct span *)
 *   %c  Tempo's words as code (const char *)   %C  input as code (const struct span *)
 *   %v  a verdict (const char *)               %L  %N  site i's link, name (unsigned)
 *   %m  money, %p a share (double; NAN: "-")   %t  a duration (int64_t µs; NO_TIME: "-")
 *   %0  %1  a double, 0 or 1 decimal           %u  unsigned, %U unsigned long long
 *   %%  a percent sign
 * so that sentences read as sentences; every piece still goes through the
 * markup, which escapes it. */
static int vput(struct report_doc *d, const char *tpl, va_list *ap)
{
    bool bold = false;
    for (const char *p = tpl; *p; p += *p != 0) {
        size_t n = strcspn(p, "*%");
        D(n ? d->m->text(d, (struct span){ p, n }) : 0);
        p += n;
        if (*p == '*')
            D(d->m->tag(d, REPORT_TAG_STRONG, bold = !bold));
        else if (*p == '%')
            D(directive(d, *++p, ap));
    }
    assert(!bold);
    return 0;
}

static int put(struct report_doc *d, const char *tpl, ...)
{
    va_list ap;
    va_start(ap, tpl);
    int rc = vput(d, tpl, &ap);
    va_end(ap);
    return rc;
}

/* A whole element: a heading, a paragraph, an item. */
static int el(struct report_doc *d, enum report_tag t, const char *tpl, ...)
{
    va_list ap;
    va_start(ap, tpl);
    int rc = on(d, t) < 0 || vput(d, tpl, &ap) < 0 ? -1 : off(d, t);
    va_end(ap);
    return rc;
}

static int section(struct report_doc *d, const char *id, const char *title)
{
    D(d->m->section(d, id, true));
    return title ? el(d, REPORT_TAG_H2, title) : 0;
}

/* ---- tables: columns fixed at the start, cells in order ---- */

static const struct report_col kv_cols[] = { { "measure", REPORT_ALIGN_HEAD },
                                             { "value", REPORT_ALIGN_RIGHT } };

static int table(struct report_doc *d, const struct report_col *cols, unsigned n)
{
    d->cols = cols;
    d->n_cols = n;
    return d->m->table(d, true);
}

static int table_end(struct report_doc *d)
{
    int rc = d->m->table(d, false);
    d->cols = NULL;
    d->n_cols = 0;
    return rc;
}

static int cell(struct report_doc *d, unsigned k)
{
    if (k == 0)
        return on(d, REPORT_TAG_ROW) < 0 ? -1 : d->m->cell(d, d->col = 0, true);
    D(d->m->cell(d, d->col, false));
    return d->m->cell(d, d->col = k, true);
}

static int row_end(struct report_doc *d)
{
    D(d->m->cell(d, d->col, false));
    return off(d, REPORT_TAG_ROW);
}

/* A row: a template per cell, separated by '|'. */
static int row(struct report_doc *d, const char *tpls, ...)
{
    char tpl[128];
    va_list ap;
    va_start(ap, tpls);
    int rc = 0;
    for (unsigned k = 0; rc == 0 && k < d->n_cols; k++) {
        size_t n = strcspn(tpls, "|");
        assert(n < sizeof tpl);
        memcpy(tpl, tpls, n);
        tpl[n] = 0;
        tpls += n + (tpls[n] != 0);
        rc = cell(d, k) < 0 || vput(d, tpl, &ap) < 0 ? -1 : 0;
    }
    va_end(ap);
    return rc < 0 ? -1 : row_end(d);
}

/* ---- sites ---- */

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

static const struct verdict_provider *provider_of(const struct analysis_site *s)
{
    return s->provider ? verdict_provider_find(s->provider) : NULL;
}

static int site_name(struct report_doc *d, unsigned i)
{
    const struct analysis_site *s = &d->in->an->sites[i];
    D(d->m->text(d, s->name));
    if (!s->has_by)
        return 0;
    D(say(d, " "));
    D(on(d, REPORT_TAG_BY)); /* the by= value the site is split on */
    D(put(d, "[%i]", &s->by));
    return off(d, REPORT_TAG_BY);
}

static int site_link(struct report_doc *d, unsigned i)
{
    D(d->m->site_link(d, i, true));
    D(site_name(d, i));
    return d->m->site_link(d, i, false);
}

/* ---- summary ---- */

static int summary_moves(struct report_doc *d)
{
    static const char *const targets[] = { "stop", "batch", "flex", "micro-batch" };
    static const char *const words[] = { "Stop computing", "Batch", "Flex tier", "Micro-batch" };
    const struct analysis *an = d->in->an;
    const struct verdict_result *vr = d->in->vr;
    unsigned moving = 0;
    D(el(d, REPORT_TAG_H3, "What moves"));
    D(on(d, REPORT_TAG_UL));
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
        D(on(d, REPORT_TAG_LI));
        D(put(d, "*%s* (%u site%s: ", words[t], n, n == 1 ? "" : "s"));
        for (unsigned i = 0, k = 0; i < an->n_sites; i++)
            if (strcmp(migration_of(&an->sites[i]), targets[t]) == 0)
                D(put(d, k++ ? ", %L" : "%L", i));
        D(put(d, priced ? "): saves *%m* a month" : ")", save));
        D(off(d, REPORT_TAG_LI));
    }
    if (moving == 0)
        D(el(d, REPORT_TAG_LI, "No site moves."));
    D(off(d, REPORT_TAG_UL));
    D(on(d, REPORT_TAG_TOTAL));
    D(put(d,
          "Monthly cost now *%m*; after the migration *%m*; savings *%m* a month (30 days, "
          "extrapolated from %1 days of logs).",
          vr->monthly_now, vr->monthly_target, vr->monthly_savings, an->days));
    if (vr->sites_unpriced)
        D(put(d, " %u site%s with calls had no price line or the data to price it.",
              vr->sites_unpriced, vr->sites_unpriced == 1 ? "" : "s"));
    return off(d, REPORT_TAG_TOTAL);
}

static int summary_stays(struct report_doc *d)
{
    const struct analysis *an = d->in->an;
    unsigned n = 0;
    D(el(d, REPORT_TAG_H3, "What stays, and why"));
    D(on(d, REPORT_TAG_UL));
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (strcmp(migration_of(s), "stay") != 0)
            continue;
        n++;
        D(on(d, REPORT_TAG_LI));
        D(put(d, "%L (%v): %s", i, s->verdict, s->reason));
        if (s->kept)
            D(put(d, ". Kept real-time on purpose: \u201c%i\u201d", &s->keep_reason));
        D(put(d, "."));
        D(off(d, REPORT_TAG_LI));
    }
    if (n == 0)
        D(el(d, REPORT_TAG_LI, "Every site moves."));
    return off(d, REPORT_TAG_UL);
}

static int summary_table(struct report_doc *d)
{
    static const struct report_col cols[] = {
        { "site", REPORT_ALIGN_NAME },
        { "verdict", REPORT_ALIGN_LEFT },
        { "calls", REPORT_ALIGN_RIGHT },
        { "read share", REPORT_ALIGN_RIGHT },
        { "tolerant share", REPORT_ALIGN_RIGHT },
        { "p50 wait", REPORT_ALIGN_RIGHT },
        { "schedule", REPORT_ALIGN_LEFT },
        { "now/mo", REPORT_ALIGN_RIGHT },
        { "after/mo", REPORT_ALIGN_RIGHT },
        { "savings/mo", REPORT_ALIGN_RIGHT },
    };
    const struct analysis *an = d->in->an;
    D(el(d, REPORT_TAG_H3, "All sites"));
    D(table(d, cols, sizeof cols / sizeof cols[0]));
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        char when[96] = "none";
        if (s->schedule.computed && s->schedule.best.cadence != CADENCE_NONE)
            analysis_option_when(&s->schedule.best, an->has_utc_offset, an->utc_offset_s, when);
        D(row(d, "%L|%s%s|%U|%p|%p|%t|%s|%m|%m|%m", i, s->verdict, s->kept ? " (kept)" : "",
              (unsigned long long)s->calls, known(s->eligible, s->read_share),
              known(s->eligible, s->tolerant_share), known_us(s->has_wait, s->wait_us[Q_P50]), when,
              known(s->has_cost, s->monthly_now), known(s->has_cost, s->monthly_target),
              known(s->has_cost, s->monthly_savings)));
    }
    return table_end(d);
}

static int summary(struct report_doc *d)
{
    const struct analysis *an = d->in->an;
    const struct rules *r = d->in->rules;
    char s[32], e[32], tz[48] = "the logs' times are UTC";
    int off_s = an->utc_offset_s < 0 ? -an->utc_offset_s : an->utc_offset_s;
    struct span path = span_of(r->path ? r->path : "-");
    D(section(d, "summary", "Summary"));
    if (an->has_utc_offset)
        snprintf(tz, sizeof tz, "the logs' own clock is UTC%c%02d:%02d",
                 an->utc_offset_s < 0 ? '-' : '+', off_s / 3600, off_s / 60 % 60);
    if (an->start_us <= an->end_us)
        D(el(d, REPORT_TAG_P, "Window: *%s* to *%s* (%1 days); %s.",
             utc_format(an->start_us, false, s), utc_format(an->end_us, false, e), an->days, tz));
    else
        D(el(d, REPORT_TAG_P, "Window: no events."));
    D(el(d, REPORT_TAG_P,
         "The question: what if each result came *%t* later? A site can move when at least *%p* "
         "of its results would not notice; a batch run is taken to deliver *%t* after it starts "
         "(batch_time). Rules: %C.",
         r->delay_us, r->confidence, r->batch_time_us, &path));
    D(summary_moves(d));
    D(summary_stays(d));
    D(summary_table(d));
    return d->m->section(d, "summary", false);
}

static int charts(struct report_doc *d)
{
    const struct chart_set *cs = d->in->charts;
    D(section(d, "charts", "Charts"));
    if (!cs) {
        D(el(d, REPORT_TAG_MISSING,
             "No charts: the report was written without them (%c draws them, unless given "
             "--no-charts).",
             "tempo report"));
    } else if (!cs->tempo[0] && !cs->cost[0]) {
        D(el(d, REPORT_TAG_MISSING, "No summary chart: no site had calls or a price."));
    } else {
        D(on(d, REPORT_TAG_FIGURES));
        D(d->m->chart(d, cs->tempo,
                      "Tempo curve: the share of each site's results that would not notice a "
                      "delay of 1 minute to 1 week"));
        D(d->m->chart(d, cs->cost,
                      "Monthly cost per site in USD: now, in real time, and as batch"));
        D(off(d, REPORT_TAG_FIGURES));
    }
    return d->m->section(d, "charts", false);
}

/* ---- per site ---- */

static int numbers(struct report_doc *d, const struct analysis_site *s)
{
    static const char *const qn[Q_COUNT] = { "min", "p50", "p90", "p95", "p99", "max" };
    D(el(d, REPORT_TAG_H4, "Numbers"));
    D(table(d, kv_cols, 2));
    D(row(d, "Calls (results)|%U", (unsigned long long)s->calls));
    D(row(d, "Results read at least once|%U", (unsigned long long)s->reads));
    D(row(d, "Results a verdict can judge (not censored)|%U", (unsigned long long)s->eligible));
    D(row(d, "Unread results younger than the delay at the end (censored)|%U",
          (unsigned long long)s->censored));
    D(row(d, "Read share|%p", known(s->eligible, s->read_share)));
    D(row(d,
          s->eligible ? "Tolerant share (Wilson 95%% lower bound)|%p (\u2265 %p)"
                      : "Tolerant share (Wilson 95%% lower bound)|-",
          s->tolerant_share, s->tolerant_share_lo));
    for (int q = 0; q < Q_COUNT; q++)
        D(row(d, "Wait before the first read, %s|%t", qn[q], known_us(s->has_wait, s->wait_us[q])));
    D(row(d, "Latency of the call, p50 / p99|%t / %t", known_us(s->has_latency, s->latency_p50_us),
          known_us(s->has_latency, s->latency_p99_us)));
    D(row(d, "Calls a day / a month (30 days)|%1 / %0", s->calls_per_day, s->calls_per_month));
    return table_end(d);
}

static int curve(struct report_doc *d, const struct analysis_site *s)
{
    struct report_col cols[1 + ANALYSIS_CURVE_POINTS] = { { "delay", REPORT_ALIGN_HEAD } };
    char delay[ANALYSIS_CURVE_POINTS][24];
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        cols[1 + k] =
            (struct report_col){ utc_format_duration(analysis_curve_delays_us[k], delay[k]),
                                 REPORT_ALIGN_RIGHT };
    D(el(d, REPORT_TAG_H4, "Tempo curve"));
    D(table(d, cols, 1 + ANALYSIS_CURVE_POINTS));
    D(cell(d, 0));
    D(put(d, "Results that would not notice"));
    for (unsigned k = 0; k < ANALYSIS_CURVE_POINTS; k++) {
        D(cell(d, k + 1));
        D(put(d, "%p", known(s->eligible, s->tempo_curve[k])));
    }
    D(row_end(d));
    return table_end(d);
}

static int readers(struct report_doc *d, const struct analysis_site *s)
{
    static const struct report_col cols[] = { { "reader (by)", REPORT_ALIGN_NAME },
                                              { "reads", REPORT_ALIGN_RIGHT },
                                              { "p50 wait", REPORT_ALIGN_RIGHT },
                                              { "p99 wait", REPORT_ALIGN_RIGHT } };
    D(el(d, REPORT_TAG_H4, "Readers"));
    if (s->n_readers == 0)
        return el(d, REPORT_TAG_NOTE, "No breakdown: the read rules of this site carry no by=.");
    D(table(d, cols, 4));
    for (unsigned k = 0; k < s->n_readers; k++) {
        const struct analysis_reader *rd = &s->readers[k];
        D(row(d, "%i|%U|%t|%t", &rd->by, (unsigned long long)rd->reads, rd->wait_p50_us,
              rd->wait_p99_us));
    }
    return table_end(d);
}

static int schedule(struct report_doc *d, const struct analysis_site *s)
{
    const struct analysis *an = d->in->an;
    const struct analysis_schedule *sc = &s->schedule;
    char when[96];
    D(el(d, REPORT_TAG_H4, "Schedule"));
    D(on(d, REPORT_TAG_P));
    if (!sc->computed) {
        D(put(d, "No schedule: no calls."));
    } else {
        if (sc->best.cadence != CADENCE_NONE) {
            analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
            D(put(d, "Best cadence: *%s*, on time for ", when));
        } else {
            D(put(d, "No cadence meets the confidence; even hourly runs are on time for "));
        }
        D(put(d, "%p of results (%U of %U, with a run taking %t).", sc->best.on_time_share,
              (unsigned long long)sc->best.on_time, (unsigned long long)sc->best.results,
              sc->batch_time_us));
        if (sc->next.cadence != CADENCE_NONE) {
            analysis_option_when(&sc->next, an->has_utc_offset, an->utc_offset_s, when);
            D(put(d, " Runner-up: %s, on time for %p.", when, sc->next.on_time_share));
        }
    }
    if (s->schedule_note[0])
        D(put(d, " %s", s->schedule_note));
    return off(d, REPORT_TAG_P);
}

static int cost(struct report_doc *d, const struct analysis_site *s)
{
    D(el(d, REPORT_TAG_H4, "Cost"));
    if (s->cost_note[0])
        D(el(d, REPORT_TAG_P, "%s", s->cost_note));
    if (!s->has_cost)
        return s->cost_note[0] ? 0 : el(d, REPORT_TAG_NOTE, "No price line names this site.");
    D(table(d, kv_cols, 2));
    D(row(d, "Now (real time)|%m", s->monthly_now));
    D(row(d, "As batch|%m", s->monthly_batch));
    D(row(d, "On its target (%s)|%m", migration_of(s), s->monthly_target));
    D(row(d, "Savings|*%m*", s->monthly_savings));
    if (s->gpu_hours_now > 0 || s->gpu_hours_batch > 0) {
        D(row(d, "GPU hours now / as batch|%1 / %1", s->gpu_hours_now, s->gpu_hours_batch));
        D(row(d, "Batch runs a month|%1", s->runs_per_month));
    }
    if (s->priced_by_mean)
        D(row(d, "Calls without token counts, priced at the mean|%U",
              (unsigned long long)s->priced_by_mean));
    return table_end(d);
}

static int site(struct report_doc *d, unsigned i)
{
    const struct analysis_site *s = &d->in->an->sites[i];
    const struct chart_set *cs = d->in->charts;
    char id[24], label[160];
    snprintf(id, sizeof id, "site-%u", i + 1);
    D(section(d, id, NULL));
    D(el(d, REPORT_TAG_H3, "%u. %N", i + 1, i));
    D(el(d, REPORT_TAG_P, "Verdict %v, migration *%s*: %s.", s->verdict, migration_of(s),
         s->reason));
    if (s->kept)
        D(el(d, REPORT_TAG_P, "Kept real-time on purpose (keep): \u201c%i\u201d.",
             &s->keep_reason));
    D(numbers(d, s));
    D(curve(d, s));
    D(readers(d, s));
    D(schedule(d, s));
    D(cost(d, s));
    if (cs && i < cs->n_sites && cs->sites && (cs->sites[i].wait[0] || cs->sites[i].week[0])) {
        D(on(d, REPORT_TAG_FIGURES));
        snprintf(label, sizeof label,
                 "Site %u: wait from ready to first read, cumulative share of results "
                 "(log time axis)",
                 i + 1);
        D(d->m->chart(d, cs->sites[i].wait, label));
        snprintf(label, sizeof label,
                 "Site %u: calls and first reads by hour of the week, in the logs' own clock",
                 i + 1);
        D(d->m->chart(d, cs->sites[i].week, label));
        D(off(d, REPORT_TAG_FIGURES));
    }
    return d->m->section(d, id, false);
}

/* ---- the migration plan ---- */

static int saves(struct report_doc *d, const struct analysis_site *s)
{
    if (!s->has_cost)
        return 0;
    if (s->monthly_savings <= 0)
        return el(d, REPORT_TAG_P, "No saving on the price list: %m a month either way.",
                  s->monthly_now);
    return el(d, REPORT_TAG_P, "Saves *%m* a month (%m now, %m after).", s->monthly_savings,
              s->monthly_now, s->monthly_target);
}

static int plan_provider(struct report_doc *d, const struct analysis_site *s,
                         const struct verdict_provider *pv)
{
    char size[32];
    D(on(d, REPORT_TAG_P));
    D(put(d, "Provider: *%s*. Batch endpoint %c; requests: %s; completion window %t", pv->title,
          pv->batch_endpoint, pv->request_format, pv->completion_window_us));
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        if (analysis_curve_delays_us[k] == pv->completion_window_us && s->eligible)
            D(put(d, " (this site's results that would not notice it: %p)", s->tempo_curve[k]));
    if (pv->max_requests)
        D(put(d, "; at most %U requests per batch", (unsigned long long)pv->max_requests));
    if (pv->max_bytes) {
        bool gb = pv->max_bytes >= 1000000000;
        snprintf(size, sizeof size, "%.3g %s", (double)pv->max_bytes / (gb ? 1e9 : 1e6),
                 gb ? "GB" : "MB");
        D(put(d, "; input files up to %s", size));
    }
    if (pv->limits_note && pv->limits_note[0])
        D(put(d, " (%s)", pv->limits_note));
    D(put(d, "; %0%% off the real-time price.", pv->batch_discount * 100));
    if (pv->doc_url && span_starts(span_of(pv->doc_url), "https://")) {
        D(put(d, " Documented at "));
        D(d->m->url(d, pv->doc_url));
        D(put(d, pv->checked ? " (checked %s)." : ".", pv->checked));
    }
    return off(d, REPORT_TAG_P);
}

static int plan_steps(struct report_doc *d, const struct analysis_site *s,
                      const struct verdict_provider *pv, const char *cron)
{
    const struct analysis_schedule *sc = &s->schedule;
    D(on(d, REPORT_TAG_OL));
    D(el(d, REPORT_TAG_LI,
         "Stop calling the model when the request comes in: store each call's inputs with the "
         "key its readers use to find the result."));
    D(on(d, REPORT_TAG_LI));
    D(put(d, "At %c (UTC) submit the inputs collected since the last run as one batch", cron));
    if (pv && pv->batch_endpoint)
        D(put(d, " to %c", pv->batch_endpoint));
    D(put(d, "."));
    D(off(d, REPORT_TAG_LI));
    D(on(d, REPORT_TAG_LI));
    D(put(d, "Deliver the results within %t of the run, before the readers' first read",
          sc->batch_time_us));
    if (s->has_wait)
        D(put(d, " (1%% of results were first read within %t of being ready: the p1 of waits)",
              s->wait_cdf_us[1]));
    D(put(d, "; over the logs this schedule was on time for %p of results.",
          sc->best.on_time_share));
    D(off(d, REPORT_TAG_LI));
    D(el(d, REPORT_TAG_LI,
         "Write the results where the readers read them now, under the same key."));
    D(el(d, REPORT_TAG_LI,
         "Keep %c in CI: a reader who starts reading within minutes shows up as drift.",
         "tempo gate --baseline"));
    return off(d, REPORT_TAG_OL);
}

static int plan_batch(struct report_doc *d, unsigned i)
{
    const struct analysis *an = d->in->an;
    const struct analysis_site *s = &an->sites[i];
    const struct analysis_schedule *sc = &s->schedule;
    const struct verdict_provider *pv = provider_of(s);
    char cron[40], when[96];
    D(el(d, REPORT_TAG_H4, "%L: move to batch", i));
    if (!sc->computed || sc->best.cadence == CADENCE_NONE) {
        D(el(d, REPORT_TAG_P,
             "No cadence delivers on time for enough results: %s. Batch it only with a cadence "
             "its readers can live with.",
             s->schedule_note[0] ? s->schedule_note : "no schedule was found"));
    } else {
        analysis_option_cron(&sc->best, cron);
        analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
        D(el(d, REPORT_TAG_P, "Cadence: %s. Cron line (UTC): %c", when, cron));
        D(plan_steps(d, s, pv, cron));
    }
    if (pv)
        D(plan_provider(d, s, pv));
    return saves(d, s);
}

static int plan_stop(struct report_doc *d, unsigned i)
{
    const struct analysis_site *s = &d->in->an->sites[i];
    char read[16] = "None";
    if (s->eligible)
        verdict_format_share(s->read_share, read);
    D(el(d, REPORT_TAG_H4, "%L: stop it", i));
    D(el(d, REPORT_TAG_P,
         "%s of its results were ever read (%U of %U). Stop computing them: remove the call, or "
         "compute a result only when a reader first asks for it.",
         read, (unsigned long long)s->reads, (unsigned long long)s->eligible));
    return saves(d, s);
}

static int plan_stream(struct report_doc *d, unsigned i)
{
    const struct analysis_site *s = &d->in->an->sites[i];
    const struct verdict_provider *pv = provider_of(s);
    double confidence = d->in->rules->confidence;
    bool flex = strcmp(migration_of(s), "flex") == 0 && pv && pv->flex_discount > 0;
    int best = -1; /* the longest tempo-curve delay whose tolerant share meets confidence */
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        if (s->tempo_curve[k] >= confidence)
            best = k;
    D(el(d, REPORT_TAG_H4, flex ? "%L: the flex tier" : "%L: micro-batches", i));
    D(on(d, REPORT_TAG_P));
    D(put(d, "Readers wait minutes (p50 %t). ", known_us(s->has_wait, s->wait_us[Q_P50])));
    if (flex) {
        D(put(d,
              "Its provider (%s) sells a slower synchronous flex tier at %0%% off: ask for it "
              "with %c on each request. The calls stay synchronous; answers may take longer and "
              "may be refused when capacity is short (retry, or fall back to the standard tier).",
              pv->name, pv->flex_discount * 100, pv->flex_how));
        if (pv->flex_note && pv->flex_note[0])
            D(put(d, " Terms: %s.", pv->flex_note));
    } else if (best >= 0) {
        int64_t t = analysis_curve_delays_us[best];
        D(put(d,
              "Collect calls for up to *%t* and send them together: %t is the longest "
              "tempo-curve delay whose share (%p) meets the confidence (%p).",
              t, t, s->tempo_curve[best], confidence));
    } else {
        D(put(d, "No tempo-curve delay meets the confidence: keep it streaming."));
    }
    D(off(d, REPORT_TAG_P));
    return saves(d, s);
}

static int plan_stays(struct report_doc *d, unsigned i)
{
    const struct analysis_site *s = &d->in->an->sites[i];
    D(on(d, REPORT_TAG_LI));
    D(put(d, "%L: %s", i, s->reason));
    if (s->kept)
        D(put(d, "; kept: \u201c%i\u201d", &s->keep_reason));
    D(put(d, "."));
    return off(d, REPORT_TAG_LI);
}

static int plan(struct report_doc *d)
{
    static const char *const heads[] = { "To batch", "Stop", "Streaming: flex or micro-batch",
                                         "Stays real-time" };
    static int (*const writers[])(struct report_doc *, unsigned) = { plan_batch, plan_stop,
                                                                     plan_stream, plan_stays };
    const struct analysis *an = d->in->an;
    D(section(d, "plan", "Migration plan"));
    if (an->n_sites == 0)
        D(el(d, REPORT_TAG_P, "No call site: nothing to plan."));
    for (int g = 0; g < 4; g++) {
        unsigned n = 0;
        for (unsigned i = 0; i < an->n_sites; i++) {
            const char *m = migration_of(&an->sites[i]);
            int grp = strcmp(m, "batch") == 0                                   ? 0
                      : strcmp(m, "stop") == 0                                  ? 1
                      : strcmp(m, "flex") == 0 || strcmp(m, "micro-batch") == 0 ? 2
                                                                                : 3;
            if (grp != g)
                continue;
            if (n++ == 0)
                D(el(d, REPORT_TAG_H3, heads[g]));
            if (n == 1 && g == 3)
                D(on(d, REPORT_TAG_UL));
            D(writers[g](d, i));
        }
        if (g == 3 && n)
            D(off(d, REPORT_TAG_UL));
    }
    return d->m->section(d, "plan", false);
}

/* ---- sources and findings ---- */

/* The first bad lines of every source, each "path:line" in `where`. */
static int bad_lines(struct report_doc *d, struct buf *where)
{
    const struct analysis *an = d->in->an;
    unsigned errors = 0;
    for (unsigned i = 0; i < an->n_sources; i++) {
        const struct source_stats *st = &an->sources[i].stats;
        for (unsigned k = 0; k < st->n_errors && k < LIMIT_FIRST_ERRORS; k++) {
            buf_reset(where);
            D(buf_printf(where, "%s:%llu", st->path ? st->path : "-",
                         (unsigned long long)st->errors[k].line));
            struct span at = buf_span(where);
            if (errors++ == 0) {
                D(el(d, REPORT_TAG_H3, "First bad lines"));
                D(on(d, REPORT_TAG_UL));
            }
            D(el(d, REPORT_TAG_LI, "%C: %s", &at, st->errors[k].reason));
        }
    }
    return errors ? off(d, REPORT_TAG_UL) : 0;
}

/* What each capture's reading counted (issue 7): its lines are packets, its
 * events HTTP exchanges; these say what was read and what was not, and why. */
static int captures(struct report_doc *d)
{
    const struct analysis *an = d->in->an;
    unsigned n = 0;
    for (unsigned i = 0; i < an->n_sources; i++) {
        const struct source_stats *st = &an->sources[i].stats;
        if (!st->is_capture)
            continue;
        if (n++ == 0) {
            D(el(d, REPORT_TAG_H3, "Captures"));
            D(on(d, REPORT_TAG_UL));
        }
        const uint64_t *c = st->counted;
        D(el(d, REPORT_TAG_LI,
             "%s: %U packets, %U TCP streams, %U HTTP exchanges, %U incomplete, %U bytes "
             "skipped; not TCP %U, IP fragments %U, malformed %U, streams evicted %U, JSON "
             "bodies not read %U",
             st->path, (unsigned long long)c[CAP_PACKETS], (unsigned long long)c[CAP_STREAMS],
             (unsigned long long)c[CAP_EXCHANGES], (unsigned long long)c[CAP_INCOMPLETE],
             (unsigned long long)c[CAP_BYTES_SKIPPED], (unsigned long long)c[CAP_NOT_TCP],
             (unsigned long long)c[CAP_FRAGMENTS], (unsigned long long)c[CAP_MALFORMED],
             (unsigned long long)c[CAP_EVICTED], (unsigned long long)c[CAP_BODIES_UNREAD]));
    }
    return n ? off(d, REPORT_TAG_UL) : 0;
}

static int sources(struct report_doc *d)
{
    static const struct report_col cols[] = {
        { "source", REPORT_ALIGN_NAME },   { "format", REPORT_ALIGN_LEFT },
        { "lines", REPORT_ALIGN_RIGHT },   { "events", REPORT_ALIGN_RIGHT },
        { "skipped", REPORT_ALIGN_RIGHT },
    };
    const struct analysis *an = d->in->an;
    struct buf where;
    D(section(d, "sources", "Sources"));
    D(table(d, cols, 5));
    for (unsigned i = 0; i < an->n_sources; i++) {
        const struct source_stats *st = &an->sources[i].stats;
        D(row(d, "%s%s|%s|%U|%U|%U", st->path, st->is_gzip ? " (gzip)" : "", st->format,
              (unsigned long long)st->lines, (unsigned long long)st->events,
              (unsigned long long)st->skipped));
    }
    D(table_end(d));
    D(captures(d));
    buf_init(&where, (size_t)1 << 20);
    int rc = bad_lines(d, &where);
    buf_release(&where);
    D(rc);
    return d->m->section(d, "sources", false);
}

static int findings(struct report_doc *d)
{
    const struct verdict_result *vr = d->in->vr;
    D(section(d, "findings", "Findings"));
    D(vr->n_findings ? on(d, REPORT_TAG_UL) : el(d, REPORT_TAG_P, "No finding."));
    for (unsigned i = 0; i < vr->n_findings; i++) {
        const struct verdict_finding *f = &vr->findings[i];
        D(el(d, REPORT_TAG_LI, "*%s* (rules line %u): %s: %s",
             f->kind == FINDING_FAKE_URGENCY ? "fake urgency" : "drift", f->rules_line,
             f->message, f->action));
    }
    D(vr->n_findings ? off(d, REPORT_TAG_UL) : 0);
    return d->m->section(d, "findings", false);
}

/* ---- the document ---- */

static int document(struct report_doc *d)
{
    D(d->m->shell(d, true));
    D(summary(d));
    D(charts(d));
    D(section(d, "sites", "Sites"));
    if (d->in->an->n_sites == 0)
        D(el(d, REPORT_TAG_P, "No call site had a call in the window."));
    for (unsigned i = 0; i < d->in->an->n_sites; i++)
        D(site(d, i));
    D(d->m->section(d, "sites", false));
    D(plan(d));
    D(sources(d));
    D(findings(d));
    return d->m->shell(d, false);
}

int report_doc_write(const struct report_markup *m, const struct report_input *in, void *state,
                     FILE *out, struct err *e)
{
    struct buf b;
    buf_init(&b, (size_t)1 << 30);
    struct report_doc d = { &b, in, m, NULL, 0, 0, state };
    char what[32];
    snprintf(what, sizeof what, "%s report", m->name);
    return report_finish(&b, document(&d), out, what, e);
}
