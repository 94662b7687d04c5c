/*
 * verdict.c - verdicts, costs and findings (verdicts stage): the rules' verdict
 * lines in order, first match wins (PRODUCT.md §3), `unknown` below min_calls,
 * `keep`, the price lines extrapolated to 30 days with each site's migration
 * target and totals (§4 cost, issue 5 "Cost"), each site's one-line reason and
 * cost and schedule notes, the order of §6 and the gate's findings (§5).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utc.h"
#include "verdict.h"

#define HOURS_PER_MONTH (24.0 * 30.0)
#define DAILY_RUNS 30.0 /* a gpu batch without a cadence is priced at daily runs */
/* rules_parse.c gives a provider's price line without a batch part `batch 50%`
 * (its PROVIDER_BATCH_SHARE); such a line takes verdict_providers[]' discount. */
#define PRESET_SHARE 0.5

static const struct rules_keep *keep_of(const struct rules *r, unsigned site)
{
    for (unsigned i = 0; i < r->n_keeps; i++)
        if (r->keeps[i].site == site)
            return &r->keeps[i];
    return NULL;
}

static const struct rules_price *price_of(const struct rules *r, unsigned site)
{
    for (unsigned i = 0; i < r->n_prices; i++)
        if (r->prices[i].site == site)
            return &r->prices[i];
    return NULL;
}

static const struct verdict_provider *provider_of(const struct rules_price *p)
{
    for (unsigned i = 0; p && p->provider.n && i < verdict_n_providers; i++)
        if (span_eq_str(p->provider, verdict_providers[i].name))
            return &verdict_providers[i];
    return NULL;
}

/* ---- text for people: a bounded line that cuts rather than overflows ---- */

struct text {
    char *p;
    size_t cap, len;
};

static struct text text_on(char *p, size_t cap)
{
    p[0] = 0;
    return (struct text){ p, cap, 0 };
}

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
    if (t->len + 1 >= t->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len = (size_t)n < t->cap - t->len ? t->len + (size_t)n : t->cap - 1;
}

/* Like put(), but all or nothing: for the details a line can do without. */
__attribute__((format(printf, 2, 3))) static void put_whole(struct text *t, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof tmp && t->len + (size_t)n < t->cap)
        put(t, "%s", tmp);
}

/* 1234567.4 -> "1,234,567" */
static char *fmt_count(double v, char out[32])
{
    char d[32];
    if (!(v < 1e15))
        v = 1e15;
    snprintf(d, sizeof d, "%.0f", v < 0 ? 0 : v);
    size_t n = 0, k = 0;
    while (d[n])
        n++;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = d[i];
    }
    out[k] = 0;
    return out;
}

/* A unit price: "$2.50", "$0.0040", "$0.000150". */
static char *fmt_price(double usd, char out[32])
{
    if (usd >= 0.1 || usd == 0)
        snprintf(out, 32, "$%.2f", usd);
    else if (usd >= 0.0001)
        snprintf(out, 32, "$%.4f", usd);
    else
        snprintf(out, 32, "$%.6f", usd);
    return out;
}

/* "12,345 calls in 14.0 days (2026-11-01 to 2026-11-15) -> 26,453 a month" */
static void put_window(struct text *t, const struct analysis *an, const struct analysis_site *s)
{
    char n[32], m[32], a[32], b[32], d[24];
    utc_format(an->start_us, false, a);
    utc_format(an->end_us, false, b);
    a[10] = b[10] = 0;
    put(t, "%s calls in ", fmt_count((double)s->calls, n));
    if (an->days >= 1)
        put(t, "%.1f days", an->days);
    else
        put(t, "%s", utc_format_duration(an->end_us - an->start_us, d));
    if (memcmp(a, b, 10) == 0)
        put(t, " (%s)", a);
    else
        put(t, " (%s to %s)", a, b);
    put(t, " -> %s a month", fmt_count(s->calls_per_month, m));
}

/* ---- cost ---- */

/* The batch discount of a `batch N%` line: the provider's documented one when
 * the line named a provider and gave no batch part of its own. */
static double discount_of(const struct rules_price *p, const struct verdict_provider *pv,
                          bool *preset)
{
    *preset = pv && p->batch_is_share && p->batch_share == PRESET_SHARE;
    return *preset ? pv->batch_discount : p->batch_share;
}

static void put_batch_share(struct text *t, double share, bool preset,
                            const struct verdict_provider *pv)
{
    put(t, "batch %.0f%% off", share * 100);
    if (preset)
        put(t, " (%s)", pv->title);
}

/* Monthly cost now and as batch into s; false (s->cost_note says why) when the
 * price form needs data the logs do not carry. `share` is the site's share of
 * its rules site's calls (a split by= entry pays its share of always-on GPUs). */
static bool cost_of(const struct analysis *an, const struct rules_price *p,
                    const struct verdict_provider *pv, double share, struct analysis_site *s)
{
    struct text t = text_on(s->cost_note, sizeof s->cost_note);
    char p1[32], p2[32], c1[32], c2[32], c3[32], d[24];
    double month = s->calls_per_month;
    bool preset;
    double disc = discount_of(p, pv, &preset);
    switch (p->kind) {
    case PRICE_PER_CALL:
        s->monthly_now = month * p->rt_per_call;
        s->monthly_batch =
            p->batch_is_share ? s->monthly_now * (1 - disc) : month * p->batch_per_call;
        put_window(&t, an, s);
        put(&t, "; %s/call now, ", fmt_price(p->rt_per_call, p1));
        if (p->batch_is_share)
            put_batch_share(&t, disc, preset, pv);
        else
            put(&t, "%s/call as batch", fmt_price(p->batch_per_call, p2));
        return true;
    case PRICE_PER_TOKEN: {
        if (s->calls_with_tokens == 0) {
            put(&t, "priced per token but no call carries token counts; ");
            put_window(&t, an, s);
            return false;
        }
        double n = (double)s->calls_with_tokens;
        double in = (double)s->tokens_in / n, out = (double)s->tokens_out / n;
        s->priced_by_mean = s->calls > s->calls_with_tokens ? s->calls - s->calls_with_tokens : 0;
        s->monthly_now = month * (in * p->rt_per_m_in + out * p->rt_per_m_out) / 1e6;
        s->monthly_batch = p->batch_is_share
                               ? s->monthly_now * (1 - disc)
                               : month * (in * p->batch_per_m_in + out * p->batch_per_m_out) / 1e6;
        put_window(&t, an, s);
        put(&t, "; mean %s in + %s out tokens a call", fmt_count(in, c1), fmt_count(out, c2));
        if (s->priced_by_mean)
            put(&t, " (%s calls without counts at the mean)",
                fmt_count((double)s->priced_by_mean, c3));
        put(&t, "; %s/1M-in %s/1M-out now, ", fmt_price(p->rt_per_m_in, p1),
            fmt_price(p->rt_per_m_out, p2));
        if (p->batch_is_share)
            put_batch_share(&t, disc, preset, pv);
        else
            put(&t, "%s/1M-in %s/1M-out as batch", fmt_price(p->batch_per_m_in, p1),
                fmt_price(p->batch_per_m_out, p2));
        return true;
    }
    case PRICE_GPU: {
        enum analysis_cadence c = s->schedule.computed ? s->schedule.best.cadence : CADENCE_NONE;
        double runs = c == CADENCE_NONE ? DAILY_RUNS : analysis_cadence_runs_per_month(c);
        double startup_h = (double)VERDICT_GPU_STARTUP_US / (double)USEC_PER_HOUR;
        double work_h = p->batch_per_s > 0 ? month / p->batch_per_s / 3600.0 : 0;
        s->runs_per_month = runs;
        s->gpu_hours_now = p->replicas * HOURS_PER_MONTH * share;
        s->gpu_hours_batch = work_h + runs * startup_h * share;
        s->monthly_now = s->gpu_hours_now * p->gpu_per_hour;
        s->monthly_batch = s->gpu_hours_batch * p->gpu_per_hour;
        put_window(&t, an, s);
        put(&t, "; %u replica%s x 720 h", p->replicas, p->replicas == 1 ? "" : "s");
        if (share < 1)
            put(&t, " x %.0f%% (its share of calls)", share * 100);
        put(&t, " = %s GPU h at %s/h now", fmt_count(s->gpu_hours_now, c1),
            fmt_price(p->gpu_per_hour, p1));
        if (runs == (double)(long long)runs)
            fmt_count(runs, c3);
        else
            snprintf(c3, sizeof c3, "%.2f", runs); /* weekly: 30/7 */
        put(&t, "; batch at %s/s: %.1f h of work + %s runs x %s start-up = %.1f GPU h",
            fmt_count(p->batch_per_s, c2), work_h, c3,
            utc_format_duration(VERDICT_GPU_STARTUP_US, d), s->gpu_hours_batch);
        if (c == CADENCE_NONE)
            put(&t, " (no cadence meets confidence: daily runs assumed)");
        else
            put(&t, " (%s)", analysis_cadence_name(c));
        return true;
    }
    }
    return false;
}

static bool is_verdict(const struct analysis_site *s, const char *name)
{
    return s->verdict && strcmp(s->verdict, name) == 0;
}

/* The migration target of a decided site, its monthly cost and savings. */
static void migrate(const struct rules *r, const struct rules_price *p,
                    const struct verdict_provider *pv, struct analysis_site *s)
{
    double now = s->monthly_now, target = now;
    const char *m = "stay";
    if (!s->kept && is_verdict(s, "unused")) {
        m = "stop";
        target = 0;
    } else if (!s->kept && is_verdict(s, "batch")) {
        m = "batch";
        target = s->monthly_batch;
    } else if (!s->kept && is_verdict(s, "streaming")) {
        bool api = p && p->kind != PRICE_GPU;
        bool flex = api && pv && pv->flex_discount > 0 && s->eligible > 0 &&
                    s->tempo_curve[0] >= r->confidence;
        m = flex ? "flex" : "micro-batch";
        target = flex ? now * (1 - pv->flex_discount) : now;
    }
    s->migration = m;
    if (!s->has_cost) {
        s->monthly_target = s->monthly_savings = 0;
        return;
    }
    s->monthly_target = target;
    s->monthly_savings = strcmp(m, "stay") != 0 && now > target ? now - target : 0;

    struct text t = { s->cost_note, sizeof s->cost_note, 0 };
    while (t.len < t.cap && t.p[t.len])
        t.len++;
    if (strcmp(m, "flex") == 0) {
        put(&t, "; flex tier %.0f%% off", pv->flex_discount * 100);
        put_whole(&t, " (%s)", pv->flex_how);
    } else if (strcmp(m, "micro-batch") == 0) {
        put(&t, "; micro-batching saves no list price");
    } else if (strcmp(m, "batch") == 0 && target > now) {
        put(&t, "; as batch it would cost more than now");
    }
}

/* ---- schedule ---- */

static void schedule_note(const struct analysis *an, struct analysis_site *s)
{
    const struct analysis_schedule *sc = &s->schedule;
    struct text t = text_on(s->schedule_note, sizeof s->schedule_note);
    char when[96], share[16], d[24], p50[24];
    if (s->calls == 0) {
        put(&t, "no calls");
        return;
    }
    if (!sc->computed)
        return;
    verdict_format_share(sc->best.on_time_share, share);
    if (sc->best.cadence == CADENCE_NONE) {
        put(&t,
            "even hourly runs, delivering %s after each hour, would have been on time for "
            "only %s of results",
            utc_format_duration(sc->batch_time_us, d), share);
        if (s->has_wait)
            put(&t, " (p50 wait %s)", utc_format_duration(s->wait_us[Q_P50], p50));
    } else {
        analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
        put(&t, "%s, on time for %s of results", when, share);
    }
    if (sc->next.cadence != CADENCE_NONE) {
        analysis_option_when(&sc->next, an->has_utc_offset, an->utc_offset_s, when);
        verdict_format_share(sc->next.on_time_share, share);
        put_whole(&t, "; next: %s, %s", when, share);
    }
}

bool verdict_is_batchable(const char *verdict)
{
    return verdict && (strcmp(verdict, "batch") == 0 || strcmp(verdict, "unused") == 0);
}

void verdict_format_share(double share, char out[16])
{
    double v = share * 100;
    if (v > 99.9 && v < 100)
        snprintf(out, 16, "%.2f%%", v);
    else if (v == 0 || v == 100 || v >= 10)
        snprintf(out, 16, "%.0f%%", v);
    else if (v >= 1)
        snprintf(out, 16, "%.1f%%", v);
    else
        snprintf(out, 16, "%.2f%%", v);
}

static void write_reason(const struct rules *r, struct analysis_site *s,
                         const struct rules_verdict *v)
{
    char delay[24], p50[24], share[16], reads[16];
    utc_format_duration(r->delay_us, delay);
    if (s->has_wait)
        utc_format_duration(s->wait_us[Q_P50], p50);
    else
        snprintf(p50, sizeof p50, "none");
    verdict_format_share(s->tolerant_share, share);
    verdict_format_share(s->read_share, reads);
    if (!v) {
        snprintf(s->reason, sizeof s->reason,
                 "only %llu calls in the window, fewer than min_calls %llu",
                 (unsigned long long)s->calls, (unsigned long long)r->min_calls);
        return;
    }
    const char *name = s->verdict;
    if (strcmp(name, "unused") == 0)
        snprintf(s->reason, sizeof s->reason, "%s of results were ever read (%llu of %llu)", reads,
                 (unsigned long long)s->reads, (unsigned long long)s->eligible);
    else if (strcmp(name, "batch") == 0)
        snprintf(s->reason, sizeof s->reason,
                 "%s of results were first read %s or more after they were ready, or never "
                 "(p50 wait %s)",
                 share, delay, p50);
    else if (strcmp(name, "streaming") == 0)
        snprintf(s->reason, sizeof s->reason,
                 "readers wait minutes (p50 %s), but only %s of results tolerate %s", p50, share,
                 delay);
    else if (strcmp(name, "realtime") == 0)
        snprintf(s->reason, sizeof s->reason,
                 "results are read soon after they are ready (p50 wait %s); only %s "
                 "tolerate %s",
                 p50, share, delay);
    else {
        struct buf b;
        buf_init(&b, 200);
        if (!v->when || rules_node_format(v->when, &b) < 0)
            snprintf(s->reason, sizeof s->reason, "verdict %s (rules line %u)", name, v->line);
        else
            snprintf(s->reason, sizeof s->reason, "%s (rules line %u)", b.p, v->line);
        buf_release(&b);
    }
}

static int by_savings(const void *pa, const void *pb)
{
    const struct analysis_site *a = pa, *b = pb;
    if (a->monthly_savings != b->monthly_savings)
        return a->monthly_savings > b->monthly_savings ? -1 : 1;
    if (a->calls != b->calls)
        return a->calls > b->calls ? -1 : 1;
    if (a->site != b->site)
        return a->site < b->site ? -1 : 1;
    size_t n = a->by.n < b->by.n ? a->by.n : b->by.n;
    int c = n ? memcmp(a->by.p, b->by.p, n) : 0;
    return c ? c : (a->by.n > b->by.n) - (a->by.n < b->by.n);
}

void verdict_apply(const struct rules *r, struct analysis *an, struct arena *a,
                   struct verdict_result *out)
{
    out->n_findings = 0;
    out->findings = arena_alloc(a, sizeof *out->findings * (an->n_sites ? an->n_sites : 1));
    out->monthly_now = out->monthly_batch = out->monthly_target = out->monthly_savings = 0;
    out->sites_priced = out->sites_unpriced = 0;

    /* Calls and entries per rules site: a site split by= pays its share of GPUs. */
    uint64_t *site_calls = arena_alloc(a, sizeof *site_calls * (r->n_sites + 1));
    unsigned *site_entries = arena_alloc(a, sizeof *site_entries * (r->n_sites + 1));
    for (unsigned k = 0; k <= r->n_sites; k++)
        site_calls[k] = site_entries[k] = 0;
    for (unsigned i = 0; i < an->n_sites; i++)
        if (an->sites[i].site < r->n_sites) {
            site_calls[an->sites[i].site] += an->sites[i].calls;
            site_entries[an->sites[i].site]++;
        }

    for (unsigned i = 0; i < an->n_sites; i++) {
        struct analysis_site *s = &an->sites[i];
        struct rules_metrics m;
        const struct rules_verdict *hit = NULL;
        analysis_metrics(s, r, &m);
        s->call_line = s->site < r->n_sites ? r->sites[s->site].line : 0;
        if (s->calls >= r->min_calls && s->calls > 0) {
            for (unsigned k = 0; k < r->n_verdicts && !hit; k++)
                if (!r->verdicts[k].when || rules_eval_metrics(r->verdicts[k].when, &m))
                    hit = &r->verdicts[k];
        }
        s->verdict = hit ? arena_strdup(a, hit->name) : "unknown";
        s->verdict_line = hit ? hit->line : 0;
        const struct rules_keep *kp = keep_of(r, s->site);
        s->kept = kp != NULL;
        s->keep_reason = kp ? kp->reason : SPAN_NULL;
        write_reason(r, s, hit);
        schedule_note(an, s);

        const struct rules_price *p = price_of(r, s->site);
        const struct verdict_provider *pv = provider_of(p);
        s->provider = p && p->kind != PRICE_GPU && pv ? pv->name : NULL;
        s->monthly_now = s->monthly_batch = s->monthly_target = s->monthly_savings = 0;
        s->priced_by_mean = 0;
        s->gpu_hours_now = s->gpu_hours_batch = 0;
        s->runs_per_month =
            s->schedule.computed ? analysis_cadence_runs_per_month(s->schedule.best.cadence) : 0;
        s->cost_note[0] = 0;
        double share = 1;
        if (s->site < r->n_sites && site_entries[s->site] > 1)
            share = site_calls[s->site] ? (double)s->calls / (double)site_calls[s->site]
                                        : 1.0 / site_entries[s->site];
        s->has_cost = p && cost_of(an, p, pv, share, s);
        if (!s->has_cost)
            s->monthly_now = s->monthly_batch = 0;
        migrate(r, p, pv, s);
        if (s->has_cost) {
            out->monthly_now += s->monthly_now;
            out->monthly_batch += s->monthly_batch;
            out->monthly_target += s->monthly_target;
            out->monthly_savings += s->monthly_savings;
            out->sites_priced++;
        } else if (s->calls > 0) {
            out->sites_unpriced++;
        }
    }
    if (an->n_sites > 1)
        qsort(an->sites, an->n_sites, sizeof *an->sites, by_savings);

    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        bool batchable = verdict_is_batchable(s->verdict);
        if (!batchable || s->kept)
            continue;
        struct verdict_finding *f = &out->findings[out->n_findings++];
        char by[112] = "";
        if (s->has_by)
            snprintf(by, sizeof by, " [%.*s]", (int)(s->by.n > 100 ? 100 : s->by.n), s->by.p);
        f->kind = FINDING_FAKE_URGENCY;
        f->site = s;
        f->rules_line = s->call_line;
        if (strcmp(s->verdict, "unused") == 0)
            snprintf(f->message, sizeof f->message,
                     "%.*s%s is computed in real time but its results are almost never read",
                     (int)(s->name.n > 100 ? 100 : s->name.n), s->name.p, by);
        else
            snprintf(f->message, sizeof f->message,
                     "%.*s%s is called in real time but its readers tolerate the delay",
                     (int)(s->name.n > 100 ? 100 : s->name.n), s->name.p, by);
    }
}
