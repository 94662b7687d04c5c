/*
 * verdict.c - verdicts, costs and findings (verdicts stage): the rules' verdict
 * lines in order, first match wins (PRODUCT.md §3), `unknown` below min_calls,
 * `keep`, the price lines extrapolated to 30 days (§4 cost), each site's
 * one-line reason, the order of §6 and the gate's fake-urgency findings (§5).
 */
#include <stdio.h>
#include <stdlib.h>

#include "utc.h"
#include "verdict.h"

#define HOURS_PER_MONTH (24.0 * 30.0)

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

/* Monthly cost now (real-time) and as batch; false when the price form needs
 * data the logs do not carry (per-token prices without any token count). */
static bool cost_of(const struct rules_price *p, const struct analysis_site *s, double *now,
                    double *batch)
{
    double month = s->calls_per_month;
    switch (p->kind) {
    case PRICE_PER_CALL:
        *now = month * p->rt_per_call;
        *batch = month * (p->batch_is_share ? p->rt_per_call * (1 - p->batch_share)
                                            : p->batch_per_call);
        return true;
    case PRICE_PER_TOKEN: {
        if (s->calls_with_tokens == 0)
            return false;
        /* Calls without counts are priced at the site's mean. */
        double in = (double)s->tokens_in / (double)s->calls_with_tokens * month / 1e6;
        double out = (double)s->tokens_out / (double)s->calls_with_tokens * month / 1e6;
        *now = in * p->rt_per_m_in + out * p->rt_per_m_out;
        *batch = p->batch_is_share ? *now * (1 - p->batch_share)
                                   : in * p->batch_per_m_in + out * p->batch_per_m_out;
        return true;
    }
    case PRICE_GPU:
        *now = p->replicas * p->gpu_per_hour * HOURS_PER_MONTH;
        *batch = p->batch_per_s > 0 ? month / p->batch_per_s / 3600.0 * p->gpu_per_hour : 0;
        return true;
    }
    return false;
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
        snprintf(s->reason, sizeof s->reason, "%s of results were ever read (%llu of %llu)",
                 reads, (unsigned long long)s->reads, (unsigned long long)s->eligible);
    else if (strcmp(name, "batch") == 0)
        snprintf(s->reason, sizeof s->reason,
                 "%s of results were first read %s or more after they were ready, or never "
                 "(p50 wait %s)",
                 share, delay, p50);
    else if (strcmp(name, "streaming") == 0)
        snprintf(s->reason, sizeof s->reason,
                 "readers wait minutes (p50 %s), but only %s of results tolerate %s", p50,
                 share, delay);
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
    out->monthly_now = out->monthly_savings = 0;

    for (unsigned i = 0; i < an->n_sites; i++) {
        struct analysis_site *s = &an->sites[i];
        struct rules_metrics m;
        const struct rules_verdict *hit = NULL;
        analysis_metrics(s, r, &m);
        s->call_line = r->sites[s->site].line;
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

        const struct rules_price *p = price_of(r, s->site);
        double now = 0, batch = 0;
        s->has_cost = p && cost_of(p, s, &now, &batch);
        s->monthly_now = s->has_cost ? now : 0;
        s->monthly_batch = s->has_cost ? batch : 0;
        s->monthly_savings = 0;
        if (s->has_cost && !s->kept) {
            if (strcmp(s->verdict, "unused") == 0)
                s->monthly_savings = now;
            else if (strcmp(s->verdict, "batch") == 0 && now > batch)
                s->monthly_savings = now - batch;
        }
        out->monthly_now += s->monthly_now;
        out->monthly_savings += s->monthly_savings;
    }
    if (an->n_sites > 1)
        qsort(an->sites, an->n_sites, sizeof *an->sites, by_savings);

    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        bool batchable = strcmp(s->verdict, "batch") == 0 || strcmp(s->verdict, "unused") == 0;
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
                     "%.*s%s is computed in real time but its results are almost never read: "
                     "stop computing it, or keep it with a reason",
                     (int)(s->name.n > 100 ? 100 : s->name.n), s->name.p, by);
        else
            snprintf(f->message, sizeof f->message,
                     "%.*s%s is called in real time but its readers tolerate the delay: move it "
                     "to batch, or keep it with a reason",
                     (int)(s->name.n > 100 ? 100 : s->name.n), s->name.p, by);
    }
}
