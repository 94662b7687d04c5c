/*
 * test_verdict.c - verdicts in rule order (first match wins), unknown below
 * min_calls, keep, the order of §6 and fake-urgency findings; the cost of each
 * price form against hand-computed figures (per call, per token with and
 * without counts, provider presets, flex and micro-batch, gpu at the schedule's
 * runs), migration targets, totals, the notes, and the provider table. Rules
 * built by hand.
 */
#include "test.h"
#include "utc.h"
#include "verdict.h"

#define CHECK_NSTR(got, want) CHECK_STR((got) ? (got) : "(null)", (want))
#define HAS(text, part) CHECK(strstr((text), (part)) != NULL)

static struct rules_node metric(enum rules_metric m)
{
    return (struct rules_node){ .kind = NODE_METRIC, .metric = m };
}

static void test_verdicts(void)
{
    /* verdict unused when read_share < 1%; batch when tolerant_share >= confidence;
     * streaming when p50_wait >= 1m; realtime */
    struct rules_node rs = metric(METRIC_READ_SHARE), one = { .kind = NODE_SHARE, .num = 0.01 };
    struct rules_node c1 = { .kind = NODE_CMP, .op = CMP_LT, .lhs = &rs, .rhs = &one };
    struct rules_node ts = metric(METRIC_TOLERANT_SHARE), conf = metric(METRIC_CONFIDENCE);
    struct rules_node c2 = { .kind = NODE_CMP, .op = CMP_GE, .lhs = &ts, .rhs = &conf };
    struct rules_node p50 = metric(METRIC_P50_WAIT), min = { .kind = NODE_DURATION, .num = 60 };
    struct rules_node c3 = { .kind = NODE_CMP, .op = CMP_GE, .lhs = &p50, .rhs = &min };
    struct rules_verdict verdicts[] = { { SPAN_LIT("unused"), &c1, 10, 1 },
                                        { SPAN_LIT("batch"), &c2, 11, 1 },
                                        { SPAN_LIT("streaming"), &c3, 12, 1 },
                                        { SPAN_LIT("realtime"), NULL, 13, 1 } };
    struct rules_site sites[] = { { SPAN_LIT("churn"), 3, 1 }, { SPAN_LIT("fraud"), 4, 1 },
                                  { SPAN_LIT("summary"), 5, 1 }, { SPAN_LIT("triage"), 6, 1 },
                                  { SPAN_LIT("tiny"), 7, 1 } };
    struct rules_keep keeps[] = { { 1, SPAN_LIT("scored before the card is approved"), 20, 1 } };
    struct rules_price prices[] = {
        { .site = 0, .kind = PRICE_PER_CALL, .rt_per_call = 0.004, .batch_per_call = 0.001 },
        { .site = 2, .kind = PRICE_PER_CALL, .rt_per_call = 0.002, .batch_is_share = true,
          .batch_share = 0.5 },
        { .site = 1, .kind = PRICE_PER_CALL, .rt_per_call = 0.01, .batch_per_call = 0.001 },
    };
    struct rules r = { 0 };
    r.path = "t.rules";
    r.delay_us = 3600 * 1000000LL;
    r.confidence = 0.99;
    r.min_calls = 100;
    r.sites = sites;
    r.n_sites = 5;
    r.verdicts = verdicts;
    r.n_verdicts = 4;
    r.keeps = keeps;
    r.n_keeps = 1;
    r.prices = prices;
    r.n_prices = 3;

    struct analysis_site s[5] = { 0 };
    for (unsigned i = 0; i < 5; i++) {
        s[i].site = i;
        s[i].name = sites[i].name;
        s[i].calls = s[i].eligible = 1000;
        s[i].calls_per_day = 1000;
        s[i].calls_per_month = 30000;
        s[i].has_wait = true;
    }
    s[0].reads = 1000, s[0].read_share = 1, s[0].tolerant_share = 1;   /* batch */
    s[0].wait_us[Q_P50] = 19 * 3600 * 1000000LL;
    s[1].reads = 1000, s[1].read_share = 1, s[1].tolerant_share = 0;   /* realtime, kept */
    s[1].wait_us[Q_P50] = 50000;
    s[2].reads = 0, s[2].read_share = 0, s[2].tolerant_share = 1;      /* unused */
    s[2].has_wait = false;
    s[3].reads = 1000, s[3].read_share = 1, s[3].tolerant_share = 0.2; /* streaming */
    s[3].wait_us[Q_P50] = 10 * 60 * 1000000LL;
    s[4].calls = 99;                                                   /* unknown */
    struct analysis an = { 0 };
    an.sites = s;
    an.n_sites = 5;
    an.days = 1;

    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    verdict_apply(&r, &an, a, &vr);

    /* Order: savings desc (summary $60 > churn $90? churn saves 120-30 = 90), then calls. */
    CHECK_SPAN(an.sites[0].name, "churn");
    CHECK_STR(an.sites[0].verdict, "batch");
    CHECK_DBL(an.sites[0].monthly_now, 120, 1e-9);
    CHECK_DBL(an.sites[0].monthly_batch, 30, 1e-9);
    CHECK_DBL(an.sites[0].monthly_savings, 90, 1e-9);
    CHECK_INT(an.sites[0].verdict_line, 11);
    CHECK(strstr(an.sites[0].reason, "100% of results") != NULL);
    CHECK(strstr(an.sites[0].reason, "19h") != NULL);

    CHECK_SPAN(an.sites[1].name, "summary");
    CHECK_STR(an.sites[1].verdict, "unused");
    CHECK_DBL(an.sites[1].monthly_now, 60, 1e-9);
    CHECK_DBL(an.sites[1].monthly_batch, 30, 1e-9);
    CHECK_DBL(an.sites[1].monthly_savings, 60, 1e-9); /* unused saves all of it */

    /* Then by calls: fraud, triage (1000 each, by site order), tiny (99). */
    CHECK_SPAN(an.sites[2].name, "fraud");
    CHECK_STR(an.sites[2].verdict, "realtime");
    CHECK(an.sites[2].kept);
    CHECK_SPAN(an.sites[2].keep_reason, "scored before the card is approved");
    CHECK_DBL(an.sites[2].monthly_savings, 0, 1e-9);
    CHECK_SPAN(an.sites[3].name, "triage");
    CHECK_STR(an.sites[3].verdict, "streaming");
    CHECK(!an.sites[3].has_cost);
    CHECK_SPAN(an.sites[4].name, "tiny");
    CHECK_STR(an.sites[4].verdict, "unknown");
    CHECK(strstr(an.sites[4].reason, "min_calls 100") != NULL);
    CHECK_INT(an.sites[4].call_line, 7);

    CHECK_DBL(vr.monthly_now, 120 + 60 + 300, 1e-9);
    CHECK_DBL(vr.monthly_savings, 150, 1e-9);
    /* Targets: churn batch 30, summary stop 0, fraud kept stays at 300. */
    CHECK_NSTR(an.sites[0].migration, "batch");
    CHECK_DBL(an.sites[0].monthly_target, 30, 1e-9);
    CHECK_NSTR(an.sites[1].migration, "stop");
    CHECK_DBL(an.sites[1].monthly_target, 0, 1e-9);
    CHECK_NSTR(an.sites[2].migration, "stay");
    CHECK_DBL(an.sites[2].monthly_target, 300, 1e-9);
    CHECK_NSTR(an.sites[3].migration, "micro-batch"); /* streaming, no price */
    CHECK_NSTR(an.sites[4].migration, "stay");        /* unknown */
    CHECK_DBL(vr.monthly_batch, 30 + 30 + 30, 1e-9);
    CHECK_DBL(vr.monthly_target, 30 + 0 + 300, 1e-9);
    CHECK_INT(vr.sites_priced, 3);
    CHECK_INT(vr.sites_unpriced, 2); /* triage (no price line) and tiny */
    CHECK_STR(an.sites[3].cost_note, "");
    CHECK_INT(vr.n_findings, 2);
    CHECK(vr.findings[0].kind == FINDING_FAKE_URGENCY);
    CHECK_SPAN(vr.findings[0].site->name, "churn");
    CHECK_INT(vr.findings[0].rules_line, 3);
    CHECK_SPAN(vr.findings[1].site->name, "summary");

    /* Keeping churn removes its finding and its savings. */
    struct rules_keep keeps2[] = { { 0, SPAN_LIT("contract"), 21, 1 } };
    r.keeps = keeps2;
    verdict_apply(&r, &an, a, &vr);
    CHECK_INT(vr.n_findings, 1);
    CHECK_SPAN(vr.findings[0].site->name, "summary");
    arena_free(a);
}

/* ---- the cost of each price form, by hand ---- */

/* The default verdicts: unused when read_share < 1%; batch when tolerant_share
 * >= confidence; streaming when p50_wait >= 1m; realtime. */
static struct rules_node n_rs, n_one, n_c1, n_ts, n_conf, n_c2, n_p50, n_min, n_c3;
static struct rules_verdict std_verdicts[4];

static void std_rules(struct rules *r, struct rules_site *sites, unsigned n_sites,
                      struct rules_price *prices, unsigned n_prices)
{
    n_rs = metric(METRIC_READ_SHARE);
    n_one = (struct rules_node){ .kind = NODE_SHARE, .num = 0.01 };
    n_c1 = (struct rules_node){ .kind = NODE_CMP, .op = CMP_LT, .lhs = &n_rs, .rhs = &n_one };
    n_ts = metric(METRIC_TOLERANT_SHARE);
    n_conf = metric(METRIC_CONFIDENCE);
    n_c2 = (struct rules_node){ .kind = NODE_CMP, .op = CMP_GE, .lhs = &n_ts, .rhs = &n_conf };
    n_p50 = metric(METRIC_P50_WAIT);
    n_min = (struct rules_node){ .kind = NODE_DURATION, .num = 60 };
    n_c3 = (struct rules_node){ .kind = NODE_CMP, .op = CMP_GE, .lhs = &n_p50, .rhs = &n_min };
    std_verdicts[0] = (struct rules_verdict){ SPAN_LIT("unused"), &n_c1, 10, 1 };
    std_verdicts[1] = (struct rules_verdict){ SPAN_LIT("batch"), &n_c2, 11, 1 };
    std_verdicts[2] = (struct rules_verdict){ SPAN_LIT("streaming"), &n_c3, 12, 1 };
    std_verdicts[3] = (struct rules_verdict){ SPAN_LIT("realtime"), NULL, 13, 1 };
    *r = (struct rules){ 0 };
    r->path = "t.rules";
    r->delay_us = 3600 * 1000000LL;
    r->confidence = 0.99;
    r->min_calls = 100;
    r->batch_time_us = 30 * 60 * 1000000LL;
    r->sites = sites;
    r->n_sites = n_sites;
    r->verdicts = std_verdicts;
    r->n_verdicts = 4;
    r->prices = prices;
    r->n_prices = n_prices;
}

enum kind { K_BATCH, K_STREAMING, K_UNUSED, K_REALTIME };

/* A site with 1000 calls, 30,000 a month, whose metrics give verdict `k`. */
static struct analysis_site site_of(unsigned site, struct span name, enum kind k)
{
    struct analysis_site s = { 0 };
    s.site = site;
    s.name = name;
    s.calls = s.eligible = 1000;
    s.calls_per_day = 1000;
    s.calls_per_month = 30000;
    s.has_wait = k != K_UNUSED;
    s.reads = k == K_UNUSED ? 0 : 1000;
    s.read_share = k == K_UNUSED ? 0 : 1;
    s.tolerant_share = k == K_BATCH || k == K_UNUSED ? 1 : 0.2;
    s.wait_us[Q_P50] = k == K_BATCH       ? 19 * 3600 * 1000000LL
                       : k == K_STREAMING ? 10 * 60 * 1000000LL
                                          : 2 * 1000000LL;
    for (int c = 0; c < ANALYSIS_CURVE_POINTS; c++)
        s.tempo_curve[c] = s.tolerant_share;
    return s;
}

/* The window: 2026-11-01 to 2026-11-15, 14.0 days. */
static struct analysis window_of(struct analysis_site *s, unsigned n)
{
    struct analysis an = { 0 };
    an.start_us = utc_days_from_civil(2026, 11, 1) * USEC_PER_DAY;
    an.end_us = utc_days_from_civil(2026, 11, 15) * USEC_PER_DAY;
    an.days = 14.0;
    an.sites = s;
    an.n_sites = n;
    return an;
}

/* The entry of `an` called `name` (verdict_apply sorts them). */
static struct analysis_site *find(struct analysis *an, const char *name)
{
    for (unsigned i = 0; i < an->n_sites; i++)
        if (span_eq_str(an->sites[i].name, name))
            return &an->sites[i];
    printf("FAIL: no site %s\n", name);
    return &an->sites[0];
}

static void test_per_call(void)
{
    struct rules_site sites[] = { { SPAN_LIT("churn"), 3, 1 }, { SPAN_LIT("share"), 4, 1 },
                                  { SPAN_LIT("claude"), 5, 1 }, { SPAN_LIT("own"), 6, 1 } };
    struct rules_price prices[] = {
        /* price churn realtime $0.0040/call batch $0.0010/call */
        { .site = 0, .kind = PRICE_PER_CALL, .rt_per_call = 0.004, .batch_per_call = 0.001 },
        /* price share realtime $0.0020/call batch 40% */
        { .site = 1, .kind = PRICE_PER_CALL, .rt_per_call = 0.002, .batch_is_share = true,
          .batch_share = 0.4 },
        /* price claude anthropic realtime $0.0100/call  (rules_parse: batch 50%) */
        { .site = 2, .kind = PRICE_PER_CALL, .provider = SPAN_LIT("anthropic"),
          .rt_per_call = 0.01, .batch_is_share = true, .batch_share = 0.5 },
        /* price own anthropic realtime $0.0100/call batch 40%: the line's own share */
        { .site = 3, .kind = PRICE_PER_CALL, .provider = SPAN_LIT("anthropic"),
          .rt_per_call = 0.01, .batch_is_share = true, .batch_share = 0.4 },
    };
    struct rules r;
    std_rules(&r, sites, 4, prices, 4);
    struct analysis_site s[4];
    for (unsigned i = 0; i < 4; i++)
        s[i] = site_of(i, sites[i].name, K_BATCH);
    struct analysis an = window_of(s, 4);
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    verdict_apply(&r, &an, a, &vr);

    /* 30,000 x $0.004 = $120 now, x $0.001 = $30 as batch. */
    struct analysis_site *c = find(&an, "churn");
    CHECK(c->has_cost);
    CHECK_DBL(c->monthly_now, 120, 1e-9);
    CHECK_DBL(c->monthly_batch, 30, 1e-9);
    CHECK_DBL(c->monthly_target, 30, 1e-9);
    CHECK_DBL(c->monthly_savings, 90, 1e-9);
    CHECK_NSTR(c->migration, "batch");
    CHECK(c->provider == NULL);
    CHECK_STR(c->cost_note, "1,000 calls in 14.0 days (2026-11-01 to 2026-11-15) -> 30,000 a "
                            "month; $0.0040/call now, $0.0010/call as batch");

    /* 30,000 x $0.002 = $60 now, 60% of it = $36 as batch. */
    c = find(&an, "share");
    CHECK_DBL(c->monthly_now, 60, 1e-9);
    CHECK_DBL(c->monthly_batch, 36, 1e-9);
    CHECK_DBL(c->monthly_savings, 24, 1e-9);
    HAS(c->cost_note, "; $0.0020/call now, batch 40% off");

    /* The anthropic preset: the table's discount, 30,000 x $0.01 = $300, $150. */
    const struct verdict_provider *pa = verdict_provider_find("anthropic");
    CHECK(pa != NULL);
    c = find(&an, "claude");
    CHECK_NSTR(c->provider, "anthropic");
    CHECK_DBL(c->monthly_now, 300, 1e-9);
    CHECK_DBL(c->monthly_batch, 300 * (1 - pa->batch_discount), 1e-9);
    CHECK_DBL(c->monthly_batch, 150, 1e-9);
    HAS(c->cost_note, "batch 50% off (Anthropic Message Batches API)");
    /* A provider line with its own `batch 40%` keeps it. */
    c = find(&an, "own");
    CHECK_NSTR(c->provider, "anthropic");
    CHECK_DBL(c->monthly_batch, 180, 1e-9);
    CHECK(strstr(c->cost_note, "Anthropic") == NULL);

    /* Sorted by savings: claude 150, own 120, churn 90, share 24. */
    CHECK_SPAN(an.sites[0].name, "claude");
    CHECK_SPAN(an.sites[1].name, "own");
    CHECK_SPAN(an.sites[2].name, "churn");
    CHECK_SPAN(an.sites[3].name, "share");
    CHECK_DBL(vr.monthly_now, 120 + 60 + 300 + 300, 1e-9);
    CHECK_DBL(vr.monthly_batch, 30 + 36 + 150 + 180, 1e-9);
    CHECK_DBL(vr.monthly_target, 30 + 36 + 150 + 180, 1e-9);
    CHECK_DBL(vr.monthly_savings, 90 + 24 + 150 + 120, 1e-9);
    CHECK_INT(vr.sites_priced, 4);
    CHECK_INT(vr.sites_unpriced, 0);
    arena_free(a);
}

static void test_per_token(void)
{
    struct rules_site sites[] = { { SPAN_LIT("all"), 3, 1 }, { SPAN_LIT("some"), 4, 1 },
                                  { SPAN_LIT("none"), 5, 1 }, { SPAN_LIT("summary"), 6, 1 } };
    struct rules_price prices[] = {
        /* price all realtime $2.50/1M-in $10.00/1M-out batch 50% */
        { .site = 0, .kind = PRICE_PER_TOKEN, .rt_per_m_in = 2.5, .rt_per_m_out = 10,
          .batch_is_share = true, .batch_share = 0.5 },
        /* price some realtime $2.50/1M-in $10.00/1M-out batch $1.25/1M-in $5.00/1M-out */
        { .site = 1, .kind = PRICE_PER_TOKEN, .rt_per_m_in = 2.5, .rt_per_m_out = 10,
          .batch_per_m_in = 1.25, .batch_per_m_out = 5 },
        { .site = 2, .kind = PRICE_PER_TOKEN, .rt_per_m_in = 2.5, .rt_per_m_out = 10,
          .batch_is_share = true, .batch_share = 0.5 },
        /* price summary openai realtime $0.15/1M-in $0.60/1M-out */
        { .site = 3, .kind = PRICE_PER_TOKEN, .provider = SPAN_LIT("openai"),
          .rt_per_m_in = 0.15, .rt_per_m_out = 0.6, .batch_is_share = true,
          .batch_share = 0.5 },
    };
    struct rules r;
    std_rules(&r, sites, 4, prices, 4);
    struct analysis_site s[4];
    for (unsigned i = 0; i < 4; i++)
        s[i] = site_of(i, sites[i].name, K_BATCH);
    /* Means of 1000 in and 250 out tokens a call. */
    s[0].calls_with_tokens = 1000, s[0].tokens_in = 1000000, s[0].tokens_out = 250000;
    s[1].calls_with_tokens = 800, s[1].tokens_in = 800000, s[1].tokens_out = 200000;
    s[3].calls_with_tokens = 1000, s[3].tokens_in = 1000000, s[3].tokens_out = 250000;
    struct analysis an = window_of(s, 4);
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    verdict_apply(&r, &an, a, &vr);

    /* 30,000 x (1000 x $2.50 + 250 x $10) / 1M = $150; half as batch. */
    struct analysis_site *c = find(&an, "all");
    CHECK(c->has_cost);
    CHECK_DBL(c->monthly_now, 150, 1e-9);
    CHECK_DBL(c->monthly_batch, 75, 1e-9);
    CHECK_DBL(c->monthly_savings, 75, 1e-9);
    CHECK_INT(c->priced_by_mean, 0);
    HAS(c->cost_note, "; mean 1,000 in + 250 out tokens a call; $2.50/1M-in $10.00/1M-out "
                      "now, batch 50% off");
    CHECK(strstr(c->cost_note, "without counts") == NULL);

    /* 200 calls without counts priced at the mean: the same $150; batch prices
     * 30,000 x (1000 x $1.25 + 250 x $5) / 1M = $75. */
    c = find(&an, "some");
    CHECK(c->has_cost);
    CHECK_INT(c->priced_by_mean, 200);
    CHECK_DBL(c->monthly_now, 150, 1e-9);
    CHECK_DBL(c->monthly_batch, 75, 1e-9);
    HAS(c->cost_note, "(200 calls without counts at the mean)");
    HAS(c->cost_note, "$1.25/1M-in $5.00/1M-out as batch");

    /* No call with counts: no cost, and the note says why. */
    c = find(&an, "none");
    CHECK(!c->has_cost);
    CHECK_DBL(c->monthly_now, 0, 1e-9);
    CHECK_DBL(c->monthly_savings, 0, 1e-9);
    const char *why = "priced per token but no call carries token counts; 1,000 calls in";
    CHECK(strncmp(c->cost_note, why, strlen(why)) == 0);
    CHECK_NSTR(c->migration, "batch"); /* the target stands without a price */

    /* The openai preset: 30,000 x (1000 x $0.15 + 250 x $0.60) / 1M = $9; the
     * table's discount. */
    const struct verdict_provider *po = verdict_provider_find("openai");
    CHECK(po != NULL);
    c = find(&an, "summary");
    CHECK_NSTR(c->provider, "openai");
    CHECK_DBL(c->monthly_now, 9, 1e-9);
    CHECK_DBL(c->monthly_batch, 9 * (1 - po->batch_discount), 1e-9);
    CHECK_DBL(c->monthly_batch, 4.5, 1e-9);
    HAS(c->cost_note, "batch 50% off (OpenAI Batch API)");

    CHECK_INT(vr.sites_priced, 3);
    CHECK_INT(vr.sites_unpriced, 1);
    CHECK_DBL(vr.monthly_now, 150 + 150 + 9, 1e-9);
    CHECK_DBL(vr.monthly_savings, 75 + 75 + 4.5, 1e-9);
    arena_free(a);
}

static void test_flex(void)
{
    struct rules_site sites[] = { { SPAN_LIT("flexy"), 3, 1 }, { SPAN_LIT("hasty"), 4, 1 },
                                  { SPAN_LIT("claude"), 5, 1 }, { SPAN_LIT("plain"), 6, 1 } };
    struct rules_price prices[] = {
        { .site = 0, .kind = PRICE_PER_CALL, .provider = SPAN_LIT("openai"),
          .rt_per_call = 0.01, .batch_is_share = true, .batch_share = 0.5 },
        { .site = 1, .kind = PRICE_PER_CALL, .provider = SPAN_LIT("openai"),
          .rt_per_call = 0.01, .batch_is_share = true, .batch_share = 0.5 },
        { .site = 2, .kind = PRICE_PER_CALL, .provider = SPAN_LIT("anthropic"),
          .rt_per_call = 0.01, .batch_is_share = true, .batch_share = 0.5 },
        { .site = 3, .kind = PRICE_PER_CALL, .rt_per_call = 0.01, .batch_per_call = 0.002 },
    };
    struct rules r;
    std_rules(&r, sites, 4, prices, 4);
    struct analysis_site s[4];
    for (unsigned i = 0; i < 4; i++)
        s[i] = site_of(i, sites[i].name, K_STREAMING);
    s[0].tempo_curve[0] = 0.995; /* tolerates a minute */
    s[1].tempo_curve[0] = 0.5;   /* does not */
    s[2].tempo_curve[0] = 1;     /* tolerates it, but anthropic sells no flex */
    s[3].tempo_curve[0] = 1;     /* no provider */
    struct analysis an = window_of(s, 4);
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    verdict_apply(&r, &an, a, &vr);

    /* $300 now; flex at the table's 50%: $150. */
    const struct verdict_provider *po = verdict_provider_find("openai");
    struct analysis_site *c = find(&an, "flexy");
    CHECK_STR(c->verdict, "streaming");
    CHECK_NSTR(c->migration, "flex");
    CHECK_DBL(c->monthly_now, 300, 1e-9);
    CHECK_DBL(c->monthly_target, 300 * (1 - po->flex_discount), 1e-9);
    CHECK_DBL(c->monthly_target, 150, 1e-9);
    CHECK_DBL(c->monthly_savings, 150, 1e-9);
    HAS(c->cost_note, "flex tier 50% off (service_tier: \"flex\")");
    for (unsigned k = 1; k < 4; k++) {
        c = find(&an, k == 1 ? "hasty" : k == 2 ? "claude" : "plain");
        CHECK_STR(c->verdict, "streaming");
        CHECK_NSTR(c->migration, "micro-batch");
        CHECK_DBL(c->monthly_target, 300, 1e-9);
        CHECK_DBL(c->monthly_savings, 0, 1e-9);
        HAS(c->cost_note, "micro-batching saves no list price");
    }
    CHECK_SPAN(an.sites[0].name, "flexy");
    CHECK_DBL(vr.monthly_savings, 150, 1e-9);
    CHECK_DBL(vr.monthly_target, 150 + 300 * 3, 1e-9);
    CHECK_INT(vr.n_findings, 0); /* streaming is not fake urgency */
    arena_free(a);

    /* The longest note (big counts, calls without counts, a preset, flex) keeps
     * the migration's words; only the optional detail may go. */
    struct rules_site lsites[] = { { SPAN_LIT("long"), 3, 1 } };
    struct rules_price lprices[] = { { .site = 0, .kind = PRICE_PER_TOKEN,
                                       .provider = SPAN_LIT("openai"), .rt_per_m_in = 2.5,
                                       .rt_per_m_out = 10, .batch_is_share = true,
                                       .batch_share = 0.5 } };
    std_rules(&r, lsites, 1, lprices, 1);
    struct analysis_site l = site_of(0, lsites[0].name, K_STREAMING);
    l.calls = l.eligible = 1234567;
    l.calls_with_tokens = 1000000, l.tokens_in = 1234000000, l.tokens_out = 567000000;
    l.calls_per_month = 2645500;
    l.tempo_curve[0] = 1;
    an = window_of(&l, 1);
    a = arena_new(4096);
    verdict_apply(&r, &an, a, &vr);
    CHECK_NSTR(l.migration, "flex");
    CHECK_INT(l.priced_by_mean, 234567);
    /* 2,645,500 x (1234 x $2.50 + 567 x $10) / 1M = $23,161.35; flex half. */
    CHECK_DBL(l.monthly_now, 2645500 * (1234 * 2.5 + 567 * 10) / 1e6, 1e-6);
    CHECK_DBL(l.monthly_target, l.monthly_now / 2, 1e-6);
    HAS(l.cost_note, "(234,567 calls without counts at the mean)");
    HAS(l.cost_note, "; flex tier 50% off");
    CHECK(strlen(l.cost_note) < sizeof l.cost_note - 1 ||
          strstr(l.cost_note, "(service_tier") == NULL);
    arena_free(a);
}

/* price scorer gpu $2.90/h realtime 350/s x2 batch 9500/s, at 34,200,000 calls a
 * month: 1.0 h of batch work (9500/s x 3600 s). */
static void test_gpu(void)
{
    struct rules_site sites[] = { { SPAN_LIT("daily"), 3, 1 }, { SPAN_LIT("hourly"), 4, 1 },
                                  { SPAN_LIT("nosched"), 5, 1 }, { SPAN_LIT("split"), 6, 1 } };
    struct rules_price prices[4];
    for (unsigned i = 0; i < 4; i++)
        prices[i] = (struct rules_price){ .site = i, .kind = PRICE_GPU, .gpu_per_hour = 2.9,
                                          .rt_per_s = 350, .replicas = 2, .batch_per_s = 9500 };
    struct rules r;
    std_rules(&r, sites, 4, prices, 4);
    struct analysis_site s[5];
    for (unsigned i = 0; i < 4; i++) {
        s[i] = site_of(i, sites[i].name, K_BATCH);
        s[i].calls_per_month = 34200000;
        s[i].schedule.computed = true;
        s[i].schedule.batch_time_us = r.batch_time_us;
    }
    s[0].schedule.best = (struct analysis_option){ CADENCE_DAILY, 2, 1000, 1000, 1 };
    s[1].schedule.best = (struct analysis_option){ CADENCE_HOURLY, 0, 1000, 1000, 1 };
    s[2].schedule.best = (struct analysis_option){ CADENCE_NONE, 0, 30, 1000, 0.03 };
    /* "split" is split by= into two entries: 750 and 250 calls. */
    s[3].schedule.best = s[0].schedule.best;
    s[4] = s[3];
    s[3].calls = 750, s[3].has_by = true, s[3].by = SPAN_LIT("a");
    s[4].calls = 250, s[4].has_by = true, s[4].by = SPAN_LIT("b");
    s[3].calls_per_month = 34200000 * 0.75;
    s[4].calls_per_month = 34200000 * 0.25;
    struct analysis an = window_of(s, 5);
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    verdict_apply(&r, &an, a, &vr);

    /* Now: 2 x 720 h = 1,440 GPU h x $2.90 = $4,176. Daily: 1 h + 30 x 10m = 6 h,
     * $17.40. */
    struct analysis_site *c = find(&an, "daily");
    CHECK(c->has_cost);
    CHECK_DBL(c->gpu_hours_now, 1440, 1e-9);
    CHECK_DBL(c->monthly_now, 4176, 1e-6);
    CHECK_DBL(c->runs_per_month, 30, 1e-9);
    CHECK_DBL(c->gpu_hours_batch, 6, 1e-9);
    CHECK_DBL(c->monthly_batch, 17.4, 1e-9);
    CHECK_DBL(c->monthly_savings, 4176 - 17.4, 1e-6);
    CHECK_NSTR(c->migration, "batch");
    CHECK(c->provider == NULL);
    HAS(c->cost_note, "2 replicas x 720 h = 1,440 GPU h at $2.90/h now");
    HAS(c->cost_note, "batch at 9,500/s: 1.0 h of work + 30 runs x 10m start-up = 6.0 GPU h "
                      "(daily)");

    /* Hourly: 1 h + 720 x 10m = 121 h, $350.90. */
    c = find(&an, "hourly");
    CHECK_DBL(c->runs_per_month, 720, 1e-9);
    CHECK_DBL(c->gpu_hours_batch, 121, 1e-9);
    CHECK_DBL(c->monthly_batch, 350.9, 1e-9);
    CHECK_DBL(c->monthly_savings, 4176 - 350.9, 1e-6);

    /* No cadence meets confidence: daily runs assumed, and said. */
    c = find(&an, "nosched");
    CHECK_DBL(c->runs_per_month, 30, 1e-9);
    CHECK_DBL(c->gpu_hours_batch, 6, 1e-9);
    HAS(c->cost_note, "(no cadence meets confidence: daily runs assumed)");
    HAS(c->schedule_note, "even hourly runs, delivering 30m after each hour, would have been "
                          "on time for only 3.0% of results");

    /* A split site pays its share of the replicas and start-ups: 75% and 25%. */
    struct analysis_site *sa = NULL, *sb = NULL;
    for (unsigned i = 0; i < an.n_sites; i++)
        if (span_eq_str(an.sites[i].name, "split"))
            *(span_eq_str(an.sites[i].by, "a") ? &sa : &sb) = &an.sites[i];
    CHECK(sa && sb);
    if (sa && sb) {
        CHECK_DBL(sa->gpu_hours_now, 1080, 1e-9);
        CHECK_DBL(sb->gpu_hours_now, 360, 1e-9);
        CHECK_DBL(sa->gpu_hours_batch, 0.75 + 5 * 0.75, 1e-9);
        CHECK_DBL(sb->gpu_hours_batch, 0.25 + 5 * 0.25, 1e-9);
        CHECK_DBL(sa->monthly_now + sb->monthly_now, 4176, 1e-6);
        HAS(sa->cost_note, "x 75% (its share of calls)");
    }
    CHECK_DBL(vr.monthly_now, 4176 * 4, 1e-6);
    CHECK_DBL(vr.monthly_batch, 17.4 + 350.9 + 17.4 + 17.4, 1e-6);
    arena_free(a);

    /* Weekly: 30/7 runs, 1 h + 30/7 x 10m = 1 h + 5/7 h. */
    std_rules(&r, sites, 1, prices, 1);
    struct analysis_site w = site_of(0, sites[0].name, K_BATCH);
    w.calls_per_month = 34200000;
    w.schedule.computed = true;
    w.schedule.best = (struct analysis_option){ CADENCE_WEEKLY, 26, 1000, 1000, 1 };
    an = window_of(&w, 1);
    a = arena_new(4096);
    verdict_apply(&r, &an, a, &vr);
    CHECK_DBL(w.runs_per_month, 30.0 / 7, 1e-12);
    CHECK_DBL(w.gpu_hours_batch, 1 + 5.0 / 7, 1e-12);
    CHECK_DBL(w.monthly_batch, (1 + 5.0 / 7) * 2.9, 1e-9);
    HAS(w.cost_note, "+ 4.29 runs x 10m start-up = 1.7 GPU h (weekly)");
    arena_free(a);
}

/* unused saves all of it; a kept site saves nothing; realtime stays. */
static void test_targets(void)
{
    struct rules_site sites[] = { { SPAN_LIT("dead"), 3, 1 }, { SPAN_LIT("kept"), 4, 1 },
                                  { SPAN_LIT("live"), 5, 1 }, { SPAN_LIT("gone"), 6, 1 } };
    struct rules_price prices[] = {
        { .site = 0, .kind = PRICE_PER_CALL, .rt_per_call = 0.004, .batch_per_call = 0.001 },
        { .site = 1, .kind = PRICE_PER_CALL, .rt_per_call = 0.004, .batch_per_call = 0.001 },
        { .site = 2, .kind = PRICE_PER_CALL, .rt_per_call = 0.004, .batch_per_call = 0.001 },
        { .site = 3, .kind = PRICE_PER_CALL, .rt_per_call = 0.004, .batch_per_call = 0.001 },
    };
    struct rules_keep keeps[] = { { 1, SPAN_LIT("contract"), 20, 1 } };
    struct rules r;
    std_rules(&r, sites, 4, prices, 4);
    r.keeps = keeps;
    r.n_keeps = 1;
    struct analysis_site s[4] = { site_of(0, sites[0].name, K_UNUSED),
                                  site_of(1, sites[1].name, K_BATCH),
                                  site_of(2, sites[2].name, K_REALTIME),
                                  site_of(3, sites[3].name, K_BATCH) };
    s[3].calls = s[3].eligible = s[3].reads = 0; /* no calls at all */
    s[3].calls_per_month = 0;
    s[1].schedule.computed = true;
    s[1].schedule.best = (struct analysis_option){ CADENCE_DAILY, 2, 1000, 1000, 1 };
    s[1].schedule.next = (struct analysis_option){ CADENCE_WEEKLY, 26, 870, 1000, 0.87 };
    s[2].schedule.computed = true;
    s[2].schedule.batch_time_us = r.batch_time_us;
    s[2].schedule.best = (struct analysis_option){ CADENCE_NONE, 0, 30, 1000, 0.03 };
    s[2].schedule.next = (struct analysis_option){ CADENCE_6H, 1, 10, 1000, 0.01 };
    struct analysis an = window_of(s, 4);
    an.has_utc_offset = true; /* the log's own offset, +02:00 */
    an.utc_offset_s = 7200;
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    verdict_apply(&r, &an, a, &vr);

    struct analysis_site *c = find(&an, "dead");
    CHECK_STR(c->verdict, "unused");
    CHECK_NSTR(c->migration, "stop");
    CHECK_DBL(c->monthly_target, 0, 1e-9);
    CHECK_DBL(c->monthly_savings, 120, 1e-9);
    c = find(&an, "kept");
    CHECK_STR(c->verdict, "batch");
    CHECK(c->kept);
    CHECK_NSTR(c->migration, "stay");
    CHECK_DBL(c->monthly_target, 120, 1e-9);
    CHECK_DBL(c->monthly_savings, 0, 1e-9);
    CHECK_DBL(c->monthly_batch, 30, 1e-9);
    CHECK_DBL(c->runs_per_month, 30, 1e-9);
    CHECK_STR(c->schedule_note, "daily at 02:00 UTC (04:00 +02:00), on time for 100% of "
                                "results; next: weekly, Tue 02:00 UTC (Tue 04:00 +02:00), 87%");
    c = find(&an, "live");
    CHECK_STR(c->verdict, "realtime");
    CHECK_NSTR(c->migration, "stay");
    CHECK_DBL(c->monthly_savings, 0, 1e-9);
    CHECK_STR(c->schedule_note, "even hourly runs, delivering 30m after each hour, would have "
                                "been on time for only 3.0% of results (p50 wait 2s); next: "
                                "every 6 h from 01:00 UTC (01:00, 07:00, 13:00, 19:00; 03:00, "
                                "09:00, 15:00, 21:00 +02:00), 1.0%");
    c = find(&an, "gone");
    CHECK_STR(c->verdict, "unknown");
    CHECK_NSTR(c->migration, "stay");
    CHECK(c->has_cost); /* priced, at nothing a month */
    CHECK_DBL(c->monthly_now, 0, 1e-9);
    CHECK_STR(c->schedule_note, "no calls");
    HAS(c->cost_note, "0 calls in 14.0 days");

    CHECK_DBL(vr.monthly_now, 120 * 3, 1e-9);
    CHECK_DBL(vr.monthly_target, 0 + 120 + 120, 1e-9);
    CHECK_DBL(vr.monthly_savings, 120, 1e-9);
    CHECK_INT(vr.sites_priced, 4);
    CHECK_INT(vr.sites_unpriced, 0);
    CHECK_INT(vr.n_findings, 1); /* dead; kept is kept */
    arena_free(a);

    /* A batch price above the real-time one: the target stands, it saves nothing. */
    struct rules_price dear[] = { { .site = 0, .kind = PRICE_PER_CALL, .rt_per_call = 0.001,
                                    .batch_per_call = 0.002 } };
    std_rules(&r, sites, 1, dear, 1);
    struct analysis_site d = site_of(0, sites[0].name, K_BATCH);
    an = window_of(&d, 1);
    a = arena_new(4096);
    verdict_apply(&r, &an, a, &vr);
    CHECK_NSTR(d.migration, "batch");
    CHECK_DBL(d.monthly_now, 30, 1e-9);
    CHECK_DBL(d.monthly_target, 60, 1e-9);
    CHECK_DBL(d.monthly_savings, 0, 1e-9);
    CHECK_DBL(vr.monthly_savings, 0, 1e-9);
    HAS(d.cost_note, "; as batch it would cost more than now");
    arena_free(a);
}

static bool is_date(const char *s)
{
    int64_t us;
    return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
           utc_parse_any((struct span){ s, 10 }, &us);
}

static bool is_set(const char *s)
{
    return s && s[0];
}

static void test_providers(void)
{
    static const char *const names[] = { "openai", "anthropic", "gemini",
                                         "vertex", "bedrock",   "azure" };
    CHECK_INT(verdict_n_providers, 6);
    for (unsigned i = 0; i < 6; i++) {
        const struct verdict_provider *p = verdict_provider_find(names[i]);
        CHECK(p != NULL);
        if (!p)
            continue;
        CHECK_STR(p->name, names[i]);
        CHECK(is_set(p->title));
        CHECK(p->batch_discount > 0 && p->batch_discount < 1);
        CHECK_DBL(p->batch_discount, 0.5, 1e-12); /* 50% at each, 2026-11-24 */
        CHECK(p->completion_window_us >= USEC_PER_HOUR);
        CHECK(is_set(p->batch_endpoint));
        CHECK(is_set(p->request_format));
        CHECK(is_set(p->limits_note));
        CHECK(p->doc_url && strncmp(p->doc_url, "https://", 8) == 0);
        CHECK(is_date(p->checked));
        CHECK(p->flex_discount >= 0 && p->flex_discount < 1);
        /* A flex tier says how to ask for it and on what terms; none says nothing. */
        CHECK(p->flex_how && p->flex_note);
        if (p->flex_how && p->flex_note)
            CHECK(p->flex_discount > 0 ? is_set(p->flex_how) && is_set(p->flex_note)
                                       : !is_set(p->flex_how) && !is_set(p->flex_note));
    }
    CHECK(verdict_provider_find("nope") == NULL);
    CHECK(verdict_provider_find(NULL) == NULL);
    CHECK(verdict_provider_find("openai")->flex_discount > 0);
    CHECK(verdict_provider_find("gemini")->flex_discount > 0);
    CHECK_DBL(verdict_provider_find("anthropic")->flex_discount, 0, 0);
    CHECK_INT(verdict_provider_find("openai")->max_requests, 50000);
    CHECK_INT(verdict_provider_find("openai")->max_bytes, 200000000);
    CHECK_INT(verdict_provider_find("anthropic")->max_requests, 100000);
    CHECK_INT(verdict_provider_find("anthropic")->max_bytes, 256000000);
    CHECK_STR(verdict_provider_find("anthropic")->batch_endpoint, "POST /v1/messages/batches");
    CHECK_STR(verdict_provider_find("openai")->batch_endpoint, "POST /v1/batches");
    CHECK(is_date("2026-11-24") && !is_date("2026-13-01") && !is_date("2026-11-2"));
}

int main(void)
{
    test_verdicts();
    test_per_call();
    test_per_token();
    test_flex();
    test_gpu();
    test_targets();
    test_providers();
    return test_report();
}
