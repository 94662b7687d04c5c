/*
 * report_md.c - the audit and the migration report as GitHub Flavored Markdown
 * (reporters stage): summary and site table, a section per site, the migration
 * plan with cron lines, sources and findings; with `tempo report`, charts as
 * files. Input text only ever goes through report_md_cell (no markup, links or
 * table breaks); code spans hold Tempo's own words only.
 */
#include <string.h>

#include "report.h"
#include "utc.h"

#define M(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

static int cell(struct buf *b, const char *s)
{
    return report_md_cell(b, span_of(s ? s : "-"));
}

/* A code span whose fence is longer than any backtick run inside it, padded
 * when the text starts or ends with one (CommonMark 6.1), so nothing in it
 * can close it early. Newlines become spaces. */
static int code(struct buf *b, const char *s)
{
    size_t run = 0, longest = 0, n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    bool pad = n && (s[0] == '`' || s[n - 1] == '`');
    for (size_t i = 0; i <= longest; i++)
        M(buf_add(b, "`", 1));
    M(buf_adds(b, pad ? " " : ""));
    for (size_t i = 0; i < n; i++)
        M(buf_add(b, s[i] == '\n' || s[i] == '\r' ? " " : &s[i], 1));
    M(buf_adds(b, pad ? " " : ""));
    for (size_t i = 0; i <= longest; i++)
        M(buf_add(b, "`", 1));
    return 0;
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
    M(report_md_cell(b, s->name));
    if (s->has_by) {
        M(buf_adds(b, " \\["));
        M(report_md_cell(b, s->by));
        M(buf_adds(b, "\\]"));
    }
    return 0;
}

/* The site's name as a link to its section (only with Tempo's own anchors). */
static int site_link(struct buf *b, unsigned i, const struct analysis_site *s)
{
    M(buf_adds(b, "["));
    M(site_name(b, s));
    return buf_printf(b, "](#site-%u)", i + 1);
}

/* The migration target the verdict stage chose, with a fallback from the
 * verdict when it chose none. */
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

/* A URL safe to put in a Markdown link as it is: printable ASCII without
 * spaces, brackets, parentheses, angle brackets or backslashes. */
static bool plain_url(const char *u)
{
    if (!u || !span_starts(span_of(u), "https://"))
        return false;
    for (; *u; u++)
        if (*u <= ' ' || *u >= 0x7f || memchr("()[]<>\\`\"", *u, 9))
            return false;
    return true;
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

/* ---- summary ---- */

static const char *const targets[] = { "stop", "batch", "flex", "micro-batch" };
static const char *const target_words[] = { "Stop computing", "Batch", "Flex tier", "Micro-batch" };

static int summary_moves(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    unsigned moving = 0;
    M(buf_adds(b, "**What moves**\n\n"));
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
        M(buf_printf(b, "- **%s** (%u site%s: ", target_words[t], n, n == 1 ? "" : "s"));
        unsigned k = 0;
        for (unsigned i = 0; i < an->n_sites; i++)
            if (strcmp(migration_of(&an->sites[i]), targets[t]) == 0) {
                M(buf_adds(b, k++ ? ", " : ""));
                M(site_link(b, i, &an->sites[i]));
            }
        M(buf_adds(b, ")"));
        if (priced) {
            M(buf_adds(b, ": saves **"));
            M(money(b, save));
            M(buf_adds(b, "** a month"));
        }
        M(buf_adds(b, "\n"));
    }
    if (moving == 0)
        M(buf_adds(b, "- No site moves.\n"));
    M(buf_adds(b, "\nMonthly cost now **"));
    M(money(b, in->vr->monthly_now));
    M(buf_adds(b, "**; after the migration **"));
    M(money(b, in->vr->monthly_target));
    M(buf_adds(b, "**; savings **"));
    M(money(b, in->vr->monthly_savings));
    M(buf_printf(b, "** a month (30 days, extrapolated from %.1f days of logs).", an->days));
    if (in->vr->sites_unpriced)
        M(buf_printf(b, " %u site%s with calls had no price line or the data to price it.",
                     in->vr->sites_unpriced, in->vr->sites_unpriced == 1 ? "" : "s"));
    return buf_adds(b, "\n\n");
}

static int summary_stays(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    unsigned n = 0;
    M(buf_adds(b, "**What stays, and why**\n\n"));
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (strcmp(migration_of(s), "stay") != 0)
            continue;
        n++;
        M(buf_adds(b, "- "));
        M(site_link(b, i, s));
        M(buf_adds(b, " ("));
        M(cell(b, s->verdict));
        M(buf_adds(b, "): "));
        M(cell(b, s->reason));
        if (s->kept) {
            M(buf_adds(b, ". Kept real-time on purpose: \""));
            M(report_md_cell(b, s->keep_reason));
            M(buf_adds(b, "\""));
        }
        M(buf_adds(b, ".\n"));
    }
    if (n == 0)
        M(buf_adds(b, "- Every site moves.\n"));
    return buf_adds(b, "\n");
}

static int summary_table(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    M(buf_adds(b, "| site | verdict | calls | read share | tolerant share | p50 wait | schedule "
                  "| now/mo | after/mo | savings/mo |\n"
                  "|---|---|--:|--:|--:|--:|---|--:|--:|--:|\n"));
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        char when[96];
        M(buf_adds(b, "| "));
        M(site_name(b, s));
        M(buf_adds(b, " | "));
        M(cell(b, s->verdict));
        M(buf_printf(b, "%s | %llu | ", s->kept ? " (kept)" : "", (unsigned long long)s->calls));
        M(s->eligible ? share(b, s->read_share) : buf_adds(b, "-"));
        M(buf_adds(b, " | "));
        M(s->eligible ? share(b, s->tolerant_share) : buf_adds(b, "-"));
        M(buf_adds(b, " | "));
        M(dur(b, s->has_wait, s->wait_us[Q_P50]));
        M(buf_adds(b, " | "));
        if (s->schedule.computed && s->schedule.best.cadence != CADENCE_NONE) {
            analysis_option_when(&s->schedule.best, an->has_utc_offset, an->utc_offset_s, when);
            M(cell(b, when));
        } else {
            M(buf_adds(b, "none"));
        }
        for (int k = 0; k < 3; k++) {
            double v = k == 0 ? s->monthly_now : k == 1 ? s->monthly_target : s->monthly_savings;
            M(buf_adds(b, " | "));
            M(s->has_cost ? money(b, v) : buf_adds(b, "-"));
        }
        M(buf_adds(b, " |\n"));
    }
    return 0;
}

static int summary(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    const struct rules *r = in->rules;
    char s[32], e[32], d[24], bt[24];
    M(buf_adds(b, "# Tempo audit\n\n"));
    if (an->start_us <= an->end_us) {
        M(buf_printf(b, "Window %s to %s (%.1f days)", utc_format(an->start_us, false, s),
                     utc_format(an->end_us, false, e), an->days));
        if (an->has_utc_offset) {
            int off = an->utc_offset_s < 0 ? -an->utc_offset_s : an->utc_offset_s;
            M(buf_printf(b, "; the logs' own clock is UTC%c%02d:%02d",
                         an->utc_offset_s < 0 ? '-' : '+', off / 3600, off / 60 % 60));
        }
        M(buf_adds(b, ". "));
    } else {
        M(buf_adds(b, "No events in the window. "));
    }
    M(buf_printf(b, "Question: what if each result came %s later? Confidence ",
                 utc_format_duration(r->delay_us, d)));
    M(share(b, r->confidence));
    M(buf_printf(b, "; a batch run delivers %s after it starts (batch\\_time). Rules: ",
                 utc_format_duration(r->batch_time_us, bt)));
    M(cell(b, r->path));
    M(buf_adds(b, ".\n\n## Summary\n\n"));
    M(summary_moves(b, in));
    M(summary_stays(b, in));
    return summary_table(b, in);
}

/* ---- per site ---- */

static int numbers(struct buf *b, const struct analysis_site *s)
{
    static const char *const qn[Q_COUNT] = { "min", "p50", "p90", "p95", "p99", "max" };
    M(buf_printf(b,
                 "- Calls: %llu; results read at least once: %llu; judged: %llu; censored "
                 "(unread, younger than the delay at the end): %llu\n- Read share: ",
                 (unsigned long long)s->calls, (unsigned long long)s->reads,
                 (unsigned long long)s->eligible, (unsigned long long)s->censored));
    M(s->eligible ? share(b, s->read_share) : buf_adds(b, "-"));
    M(buf_adds(b, "; tolerant share: "));
    if (s->eligible) {
        M(share(b, s->tolerant_share));
        M(buf_adds(b, " (Wilson 95% lower bound "));
        M(share(b, s->tolerant_share_lo));
        M(buf_adds(b, ")"));
    } else {
        M(buf_adds(b, "-"));
    }
    M(buf_adds(b, "\n- Wait before the first read:"));
    for (int q = 0; q < Q_COUNT; q++) {
        M(buf_printf(b, "%s %s ", q ? "," : "", qn[q]));
        M(dur(b, s->has_wait, s->wait_us[q]));
    }
    M(buf_adds(b, "\n- Latency p50 / p99: "));
    M(dur(b, s->has_latency, s->latency_p50_us));
    M(buf_adds(b, " / "));
    M(dur(b, s->has_latency, s->latency_p99_us));
    return buf_printf(b, "\n- Calls a day: %.1f; a month (30 days): %.0f\n\n", s->calls_per_day,
                      s->calls_per_month);
}

static int curve(struct buf *b, const struct analysis_site *s)
{
    char d[24];
    M(buf_adds(b, "Tempo curve:\n\n| delay |"));
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        M(buf_printf(b, " %s |", utc_format_duration(analysis_curve_delays_us[k], d)));
    M(buf_adds(b, "\n|---|"));
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        M(buf_adds(b, "--:|"));
    M(buf_adds(b, "\n| results that would not notice |"));
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++) {
        M(buf_adds(b, " "));
        M(s->eligible ? share(b, s->tempo_curve[k]) : buf_adds(b, "-"));
        M(buf_adds(b, " |"));
    }
    return buf_adds(b, "\n\n");
}

static int readers(struct buf *b, const struct analysis_site *s)
{
    if (s->n_readers == 0)
        return buf_adds(b, "Readers: no breakdown (the read rules carry no by=).\n\n");
    M(buf_adds(b, "Readers:\n\n| reader (by) | reads | p50 wait | p99 wait |\n"
                  "|---|--:|--:|--:|\n"));
    for (unsigned k = 0; k < s->n_readers; k++) {
        const struct analysis_reader *rd = &s->readers[k];
        M(buf_adds(b, "| "));
        M(report_md_cell(b, rd->by));
        M(buf_printf(b, " | %llu | ", (unsigned long long)rd->reads));
        M(dur(b, true, rd->wait_p50_us));
        M(buf_adds(b, " | "));
        M(dur(b, true, rd->wait_p99_us));
        M(buf_adds(b, " |\n"));
    }
    return buf_adds(b, "\n");
}

static int schedule(struct buf *b, const struct analysis *an, const struct analysis_site *s)
{
    const struct analysis_schedule *sc = &s->schedule;
    char when[96], bt[24];
    M(buf_adds(b, "Schedule: "));
    if (!sc->computed) {
        M(buf_adds(b, "none, no calls."));
    } else {
        if (sc->best.cadence != CADENCE_NONE) {
            analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
            M(buf_adds(b, "best cadence **"));
            M(cell(b, when));
            M(buf_adds(b, "**, on time for "));
        } else {
            M(buf_adds(b, "no cadence meets the confidence; even hourly runs are on time for "));
        }
        M(share(b, sc->best.on_time_share));
        M(buf_printf(b, " of results (%llu of %llu, with a run taking %s).",
                     (unsigned long long)sc->best.on_time, (unsigned long long)sc->best.results,
                     utc_format_duration(sc->batch_time_us, bt)));
        if (sc->next.cadence != CADENCE_NONE) {
            analysis_option_when(&sc->next, an->has_utc_offset, an->utc_offset_s, when);
            M(buf_adds(b, " Runner-up: "));
            M(cell(b, when));
            M(buf_adds(b, ", on time for "));
            M(share(b, sc->next.on_time_share));
            M(buf_adds(b, "."));
        }
    }
    if (s->schedule_note[0]) {
        M(buf_adds(b, " "));
        M(cell(b, s->schedule_note));
    }
    return buf_adds(b, "\n\n");
}

static int cost(struct buf *b, const struct analysis_site *s)
{
    M(buf_adds(b, "Cost: "));
    if (s->has_cost) {
        M(buf_adds(b, "now "));
        M(money(b, s->monthly_now));
        M(buf_adds(b, " a month, as batch "));
        M(money(b, s->monthly_batch));
        M(buf_adds(b, ", on its target ("));
        M(cell(b, migration_of(s)));
        M(buf_adds(b, ") "));
        M(money(b, s->monthly_target));
        M(buf_adds(b, ", savings **"));
        M(money(b, s->monthly_savings));
        M(buf_adds(b, "**."));
        if (s->gpu_hours_now > 0 || s->gpu_hours_batch > 0)
            M(buf_printf(b, " GPU hours now %.1f, as batch %.1f (%.1f runs a month).",
                         s->gpu_hours_now, s->gpu_hours_batch, s->runs_per_month));
        if (s->priced_by_mean)
            M(buf_printf(b, " %llu calls without token counts priced at the mean.",
                         (unsigned long long)s->priced_by_mean));
    } else if (!s->cost_note[0]) {
        M(buf_adds(b, "no price line names this site."));
    }
    if (s->cost_note[0]) {
        M(buf_adds(b, " "));
        M(cell(b, s->cost_note));
    }
    return buf_adds(b, "\n\n");
}

static int site(struct buf *b, const struct report_input *in, unsigned i)
{
    const struct analysis_site *s = &in->an->sites[i];
    const struct chart_set *cs = in->charts;
    M(buf_printf(b, "<a id=\"site-%u\"></a>\n\n### %u. ", i + 1, i + 1));
    M(site_name(b, s));
    M(buf_adds(b, "\n\nVerdict **"));
    M(cell(b, s->verdict));
    M(buf_adds(b, "**, migration **"));
    M(cell(b, migration_of(s)));
    M(buf_adds(b, "**: "));
    M(cell(b, s->reason));
    M(buf_adds(b, ".\n\n"));
    if (s->kept) {
        M(buf_adds(b, "Kept real-time on purpose (keep): \""));
        M(report_md_cell(b, s->keep_reason));
        M(buf_adds(b, "\".\n\n"));
    }
    M(numbers(b, s));
    M(curve(b, s));
    M(readers(b, s));
    M(schedule(b, in->an, s));
    M(cost(b, s));
    if (cs && i < cs->n_sites && cs->sites) {
        if (chart_file(cs->sites[i].wait))
            M(buf_printf(b,
                         "![Site %u: wait from ready to first read, cumulative share of "
                         "results (log time axis)](%s)\n\n",
                         i + 1, cs->sites[i].wait));
        if (chart_file(cs->sites[i].week))
            M(buf_printf(b,
                         "![Site %u: calls and first reads by hour of the week, in the "
                         "logs' own clock](%s)\n\n",
                         i + 1, cs->sites[i].week));
    }
    return 0;
}

/* ---- the migration plan ---- */

static int saves(struct buf *b, const struct analysis_site *s)
{
    if (!s->has_cost)
        return 0;
    if (s->monthly_savings <= 0) {
        M(buf_adds(b, "No saving on the price list: "));
        M(money(b, s->monthly_now));
        return buf_adds(b, " a month either way.\n\n");
    }
    M(buf_adds(b, "Saves **"));
    M(money(b, s->monthly_savings));
    M(buf_adds(b, "** a month ("));
    M(money(b, s->monthly_now));
    M(buf_adds(b, " now, "));
    M(money(b, s->monthly_target));
    return buf_adds(b, " after).\n\n");
}

static int plan_provider(struct buf *b, const struct analysis_site *s,
                         const struct verdict_provider *pv)
{
    char d[24];
    M(buf_adds(b, "Provider: **"));
    M(cell(b, pv->title));
    M(buf_adds(b, "**. Batch endpoint "));
    M(code(b, pv->batch_endpoint ? pv->batch_endpoint : "-"));
    M(buf_adds(b, "; requests: "));
    M(cell(b, pv->request_format));
    M(buf_printf(b, "; completion window %s", utc_format_duration(pv->completion_window_us, d)));
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        if (analysis_curve_delays_us[k] == pv->completion_window_us && s->eligible) {
            M(buf_adds(b, " (this site's results that would not notice it: "));
            M(share(b, s->tempo_curve[k]));
            M(buf_adds(b, ")"));
        }
    if (pv->max_requests)
        M(buf_printf(b, "; at most %llu requests per batch", (unsigned long long)pv->max_requests));
    if (pv->max_bytes >= 1000000000)
        M(buf_printf(b, "; input files up to %.3g GB", (double)pv->max_bytes / 1e9));
    else if (pv->max_bytes)
        M(buf_printf(b, "; input files up to %.3g MB", (double)pv->max_bytes / 1e6));
    if (pv->limits_note && pv->limits_note[0]) {
        M(buf_adds(b, " ("));
        M(cell(b, pv->limits_note));
        M(buf_adds(b, ")"));
    }
    M(buf_printf(b, "; %.0f%% off the real-time price.", pv->batch_discount * 100));
    if (plain_url(pv->doc_url)) {
        M(buf_printf(b, " Documented at <%s>", pv->doc_url));
        if (pv->checked) {
            M(buf_adds(b, " (checked "));
            M(cell(b, pv->checked));
            M(buf_adds(b, ")"));
        }
        M(buf_adds(b, "."));
    }
    return buf_adds(b, "\n\n");
}

static int plan_batch(struct buf *b, const struct report_input *in, unsigned i)
{
    const struct analysis *an = in->an;
    const struct analysis_site *s = &an->sites[i];
    const struct analysis_schedule *sc = &s->schedule;
    const struct verdict_provider *pv = provider_of(s);
    char cron[40], when[96], d[24], bt[24];
    M(buf_adds(b, "#### "));
    M(site_link(b, i, s));
    M(buf_adds(b, ": move to batch\n\n"));
    if (!sc->computed || sc->best.cadence == CADENCE_NONE) {
        M(buf_adds(b, "No cadence delivers on time for enough results: "));
        M(cell(b, s->schedule_note[0] ? s->schedule_note : "no schedule was found"));
        M(buf_adds(b, ". Batch it only with a cadence its readers can live with.\n\n"));
    } else {
        analysis_option_cron(&sc->best, cron);
        analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
        M(buf_adds(b, "Cadence: "));
        M(cell(b, when));
        M(buf_adds(b, ". Cron line (UTC): "));
        M(code(b, cron));
        M(buf_adds(b, "\n\n1. Stop calling the model when the request comes in: store each "
                      "call's inputs with the key its readers use to find the result.\n2. At "));
        M(code(b, cron));
        M(buf_adds(b, " (UTC) submit the inputs collected since the last run as one batch"));
        if (pv && pv->batch_endpoint) {
            M(buf_adds(b, " to "));
            M(code(b, pv->batch_endpoint));
        }
        M(buf_printf(b,
                     ".\n3. Deliver the results within %s of the run, before the readers' "
                     "first read",
                     utc_format_duration(sc->batch_time_us, bt)));
        if (s->has_wait)
            M(buf_printf(b,
                         " (1%% of results were first read within %s of being ready: the "
                         "p1 of waits)",
                         utc_format_duration(s->wait_cdf_us[1], d)));
        M(buf_adds(b, "; over the logs this schedule was on time for "));
        M(share(b, sc->best.on_time_share));
        M(buf_adds(b, " of results.\n4. Write the results where the readers read them now, "
                      "under the same key.\n5. Keep "));
        M(code(b, "tempo gate --baseline"));
        M(buf_adds(b, " in CI: a reader who starts reading within minutes shows up as "
                      "drift.\n\n"));
    }
    if (pv)
        M(plan_provider(b, s, pv));
    return saves(b, s);
}

static int plan_stop(struct buf *b, unsigned i, const struct analysis_site *s)
{
    M(buf_adds(b, "#### "));
    M(site_link(b, i, s));
    M(buf_adds(b, ": stop it\n\n"));
    M(s->eligible ? share(b, s->read_share) : buf_adds(b, "None"));
    M(buf_printf(b,
                 " of its results were ever read (%llu of %llu). Stop computing them: "
                 "remove the call, or compute a result only when a reader first asks for "
                 "it.\n\n",
                 (unsigned long long)s->reads, (unsigned long long)s->eligible));
    return saves(b, s);
}

static int plan_stream(struct buf *b, const struct report_input *in, unsigned i)
{
    const struct analysis_site *s = &in->an->sites[i];
    const struct verdict_provider *pv = provider_of(s);
    char d[24];
    bool flex = strcmp(migration_of(s), "flex") == 0 && pv && pv->flex_discount > 0;
    M(buf_adds(b, "#### "));
    M(site_link(b, i, s));
    M(buf_adds(b, flex ? ": the flex tier\n\n" : ": micro-batches\n\n"));
    M(buf_adds(b, "Readers wait minutes (p50 "));
    M(dur(b, s->has_wait, s->wait_us[Q_P50]));
    M(buf_adds(b, "). "));
    if (flex) {
        M(buf_adds(b, "Its provider ("));
        M(cell(b, pv->name));
        M(buf_printf(b,
                     ") sells a slower synchronous flex tier at %.0f%% off: ask for it "
                     "with ",
                     pv->flex_discount * 100));
        M(code(b, pv->flex_how ? pv->flex_how : "-"));
        M(buf_adds(b, " on each request. The calls stay synchronous; answers may take longer "
                      "and may be refused when capacity is short (retry, or fall back to the "
                      "standard tier)."));
        if (pv->flex_note && pv->flex_note[0]) {
            M(buf_adds(b, " Terms: "));
            M(cell(b, pv->flex_note));
            M(buf_adds(b, "."));
        }
    } else {
        int best = -1;
        for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
            if (s->tempo_curve[k] >= in->rules->confidence)
                best = k;
        if (best >= 0) {
            utc_format_duration(analysis_curve_delays_us[best], d);
            M(buf_printf(b,
                         "Collect calls for up to **%s** and send them together: %s is the "
                         "longest tempo-curve delay whose share (",
                         d, d));
            M(share(b, s->tempo_curve[best]));
            M(buf_adds(b, ") meets the confidence ("));
            M(share(b, in->rules->confidence));
            M(buf_adds(b, ")."));
        } else {
            M(buf_adds(b, "No tempo-curve delay meets the confidence: keep it streaming."));
        }
    }
    M(buf_adds(b, "\n\n"));
    return saves(b, s);
}

static int plan(struct buf *b, const struct report_input *in)
{
    static const char *const heads[] = { "To batch", "Stop", "Streaming: flex or micro-batch",
                                         "Stays real-time" };
    const struct analysis *an = in->an;
    M(buf_adds(b, "## Migration plan\n\n"));
    if (an->n_sites == 0)
        M(buf_adds(b, "No call site: nothing to plan.\n\n"));
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
                M(buf_printf(b, "### %s\n\n", heads[g]));
            if (g == 0) {
                M(plan_batch(b, in, i));
            } else if (g == 1) {
                M(plan_stop(b, i, s));
            } else if (g == 2) {
                M(plan_stream(b, in, i));
            } else {
                M(buf_adds(b, "- "));
                M(site_link(b, i, s));
                M(buf_adds(b, ": "));
                M(cell(b, s->reason));
                if (s->kept) {
                    M(buf_adds(b, "; kept: \""));
                    M(report_md_cell(b, s->keep_reason));
                    M(buf_adds(b, "\""));
                }
                M(buf_adds(b, ".\n"));
            }
        }
        if (g == 3 && n)
            M(buf_adds(b, "\n"));
    }
    return 0;
}

static int sources(struct buf *b, const struct report_input *in)
{
    const struct analysis *an = in->an;
    M(buf_adds(b, "## Sources\n\n| source | format | lines | events | skipped |\n"
                  "|---|---|--:|--:|--:|\n"));
    for (unsigned i = 0; i < an->n_sources; i++) {
        const struct source_stats *st = &an->sources[i].stats;
        M(buf_adds(b, "| "));
        M(cell(b, st->path));
        M(buf_adds(b, st->is_gzip ? " (gzip) | " : " | "));
        M(cell(b, st->format));
        M(buf_printf(b, " | %llu | %llu | %llu |\n", (unsigned long long)st->lines,
                     (unsigned long long)st->events, (unsigned long long)st->skipped));
    }
    unsigned errors = 0;
    for (unsigned i = 0; i < an->n_sources; i++) {
        const struct source_stats *st = &an->sources[i].stats;
        for (unsigned k = 0; k < st->n_errors && k < LIMIT_FIRST_ERRORS; k++) {
            M(buf_adds(b, errors++ ? "- " : "\nFirst bad lines:\n\n- "));
            M(cell(b, st->path));
            M(buf_printf(b, " line %llu: ", (unsigned long long)st->errors[k].line));
            M(cell(b, st->errors[k].reason));
            M(buf_adds(b, "\n"));
        }
    }
    M(buf_adds(b, "\n## Findings\n\n"));
    if (in->vr->n_findings == 0)
        return buf_adds(b, "No finding.\n");
    for (unsigned i = 0; i < in->vr->n_findings; i++) {
        const struct verdict_finding *f = &in->vr->findings[i];
        M(buf_printf(b, "- %s (rules line %u): ",
                     f->kind == FINDING_FAKE_URGENCY ? "fake urgency" : "drift", f->rules_line));
        M(cell(b, f->message));
        M(buf_adds(b, "\n"));
    }
    return 0;
}

static int document(struct buf *b, const struct report_input *in)
{
    const struct chart_set *cs = in->charts;
    M(summary(b, in));
    if (cs && (chart_file(cs->tempo) || chart_file(cs->cost))) {
        M(buf_adds(b, "\n## Charts\n\n"));
        if (chart_file(cs->tempo))
            M(buf_printf(b,
                         "![Tempo curve: the share of each site's results that would not "
                         "notice a delay of 1 minute to 1 week](%s)\n\n",
                         cs->tempo));
        if (chart_file(cs->cost))
            M(buf_printf(b,
                         "![Monthly cost per site in USD: now, in real time, and as "
                         "batch](%s)\n\n",
                         cs->cost));
    }
    M(buf_adds(b, in->an->n_sites ? "\n## Sites\n\n" : "\n"));
    for (unsigned i = 0; i < in->an->n_sites; i++)
        M(site(b, in, i));
    M(plan(b, in));
    return sources(b, in);
}

static int md_write(const struct report_input *in, FILE *out, struct err *e)
{
    struct buf b;
    buf_init(&b, (size_t)1 << 30);
    if (document(&b, in) < 0) {
        buf_release(&b);
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "Markdown report larger than 1 GiB");
    }
    int rc = report_flush(&b, out, e);
    buf_release(&b);
    return rc;
}

const struct reporter report_md = { "md", md_write };
