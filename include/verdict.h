/*
 * verdict.h - verdicts, costs and findings. Applies the rules' verdict lines in
 * order (first match wins; fewer than min_calls calls: "unknown"), `keep`,
 * the price lines extrapolated to 30 days with each site's migration target
 * (batch, flex, micro-batch, stop or stay), writes each site's one-line reason,
 * cost and schedule notes, sorts the sites (monthly savings, then calls,
 * descending) and lists the gate's findings. Works in place on a struct
 * analysis. The providers' documented batch and flex tiers are one table,
 * verdict_providers[] (verdict_providers.c).
 */
#ifndef TEMPO_VERDICT_H
#define TEMPO_VERDICT_H

#include "analysis.h"
#include "decode.h"
#include "rules.h"

enum verdict_finding_kind { FINDING_FAKE_URGENCY, FINDING_DRIFT };

struct verdict_finding {
    enum verdict_finding_kind kind;
    const struct analysis_site *site;
    unsigned rules_line; /* the site's call rule */
    char message[400];   /* what is wrong, with the numbers behind it */
    char action[240];    /* what to do: "move it to batch (daily at 18:00 UTC, cron 0 18 * * *),
                            or keep it with a reason" */
    bool known;          /* the baseline holds it already: listed, does not fail the gate */
    /* Drift: what the baseline said. */
    struct span was_verdict;  /* baseline's verdict (arena) */
    bool was_has_p50;
    double was_p50_wait_s;
};

struct verdict_result {
    struct verdict_finding *findings; /* arena-owned */
    unsigned n_findings;
    /* Totals over sites (those with a cost). */
    double monthly_now, monthly_batch, monthly_target, monthly_savings;
    unsigned sites_priced, sites_unpriced; /* sites with a cost / with calls but none */
    /* Filled by verdict_gate(). */
    bool has_baseline;
    const char *baseline_path;  /* borrowed */
    unsigned n_new;             /* findings not known in the baseline: they fail the gate */
    unsigned n_known;
    unsigned n_kept;            /* sites passed by `keep` that would otherwise be findings */
};

/* What a provider documents for its batch tier (and its flex tier, where it
 * sells one), kept in one table in verdict_providers.c with the date the
 * figures were checked against the provider's pages. Real-time list prices
 * are the user's to give; these are the documented discounts and limits. */
struct verdict_provider {
    const char *name;             /* the rules' word: openai, anthropic, gemini, ... */
    const char *title;            /* "OpenAI Batch API" */
    double batch_discount;        /* 0.5: batch costs half */
    int64_t completion_window_us; /* the documented completion window */
    const char *batch_endpoint;   /* "POST /v1/batches" */
    const char *request_format;   /* "a JSONL file of requests uploaded with purpose=batch" */
    uint64_t max_requests;        /* per batch; 0: not documented */
    uint64_t max_bytes;           /* per batch input file; 0: not documented */
    const char *limits_note;      /* the limits in words, with any nuance */
    double flex_discount;         /* 0: no flex tier; else the discount of the slower
                                     synchronous tier (OpenAI, Gemini "flex") */
    const char *flex_how;         /* how to ask for it: "service_tier: \"flex\"" */
    const char *flex_note;        /* the flex tier's terms in words (preview, latency);
                                     "" without one, or a tier sold without one figure */
    const char *doc_url;          /* the page the figures come from */
    const char *checked;          /* "2026-11-24": the date they were checked */
};

/* The provider called `name` (NUL-terminated), or NULL. The table holds only
 * what the providers' pages say: 0 or "" where a figure is not documented. */
const struct verdict_provider *verdict_provider_find(const char *name);
extern const struct verdict_provider verdict_providers[];
extern const unsigned verdict_n_providers;

/* GPU minutes one batch run spends starting up (loading the model) before it
 * serves: the gpu price form charges one per run. */
#define VERDICT_GPU_STARTUP_US (10 * 60 * INT64_C(1000000))

/* Decide every site of `an`; findings and totals into *out (allocated in a).
 *
 * Cost (PRODUCT.md §4): volume is calls_per_month. Per call: now = volume x
 * realtime, batch = volume x the batch price or x (1 - discount). Per token: the
 * means of the calls that carry counts price every call (priced_by_mean counts
 * those without); no call with counts: no cost. A provider line without a batch
 * part takes the provider's documented discount from verdict_providers[]. gpu:
 * now = replicas x 720 h x $/h; batch = the hours the volume needs at the batch
 * throughput plus VERDICT_GPU_STARTUP_US per run at the schedule's cadence, or
 * daily (runs_per_month 30) without one; a site split by= pays its share of
 * calls of the replicas and start-ups. Migration: unused -> "stop" (target 0),
 * batch -> "batch" (target = batch), streaming -> "flex" when the provider sells
 * it and tempo_curve[0] (1m) meets confidence, else "micro-batch" (target =
 * now); kept sites and every other verdict "stay". savings = now - target, never
 * below 0. Totals add the sites with a cost. */
void verdict_apply(const struct rules *r, struct analysis *an, struct arena *a,
                   struct verdict_result *out);

/* The gate (PRODUCT.md §5, issue 6), after verdict_apply(): every finding
 * gets its action; with a baseline (NULL: none), drift findings are added
 * (a site the baseline had as batch or streaming whose p50 wait is now below
 * `delay`, or whose verdict moved toward realtime: unused/batch < streaming <
 * realtime), findings the baseline lists already are marked known, and n_new
 * counts the rest. Kept sites never fail. Findings are ordered new first, then
 * by savings at stake. */
void verdict_gate(const struct rules *r, const struct analysis *an, const struct baseline *bl,
                  struct arena *a, struct verdict_result *vr);

/* A verdict that makes a site fake urgency unless kept: "batch" or "unused". */
bool verdict_is_batchable(const char *verdict);

/* A share for people: "97.5%", "100%", "99.97%", "0.12%". */
void verdict_format_share(double share, char out[16]);

#endif
