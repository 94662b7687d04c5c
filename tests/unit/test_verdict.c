/*
 * test_verdict.c - verdicts in rule order (first match wins), unknown below
 * min_calls, keep, per-call cost extrapolated to 30 days with savings by
 * verdict, the order of §6 and fake-urgency findings. Rules built by hand.
 */
#include "test.h"
#include "verdict.h"

static struct rules_node metric(enum rules_metric m)
{
    return (struct rules_node){ .kind = NODE_METRIC, .metric = m };
}

int main(void)
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
    return test_report();
}
