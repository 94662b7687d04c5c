/*
 * test_gate.c - verdict_gate() (verdicts stage, PRODUCT.md §5, issue 6): fake
 * urgency with and without a baseline that lists it, kept sites, drift by p50
 * wait and by verdict (batch and streaming toward realtime; unknown, user
 * verdicts and unused are no move), by= rows matched exactly, new sites, the
 * order and the actions' text. Rules, sites and baselines are built by hand;
 * one case runs verdict_apply() first.
 */
#include "test.h"
#include "utc.h"
#include "verdict.h"

#define HAS(text, part)                                                                            \
    do {                                                                                           \
        const char *t_ = (text);                                                                   \
        if (strstr(t_, (part))) {                                                                  \
            test_passed++;                                                                         \
        } else {                                                                                   \
            test_failed++;                                                                         \
            printf("FAIL %s:%d: expected \"%s\" in \"%s\"\n", __FILE__, __LINE__, (part), t_);     \
        }                                                                                          \
    } while (0)

#define SEC INT64_C(1000000)

static struct rules_site rsites[] = {
    { SPAN_LIT("churn"), 3, 1 },  { SPAN_LIT("fraud"), 4, 1 }, { SPAN_LIT("summary"), 5, 1 },
    { SPAN_LIT("triage"), 6, 1 }, { SPAN_LIT("genai"), 7, 1 }, { SPAN_LIT("weekly"), 8, 1 },
};

static void rules_of(struct rules *r)
{
    *r = (struct rules){ 0 };
    r->path = "t.rules";
    r->delay_us = 3600 * SEC;
    r->confidence = 0.99;
    r->min_calls = 100;
    r->batch_time_us = 30 * 60 * SEC;
    r->sites = rsites;
    r->n_sites = sizeof rsites / sizeof rsites[0];
}

/* A decided site, as verdict_apply() leaves it; p50_s < 0: no reads. */
static struct analysis_site site(unsigned idx, const char *verdict, double p50_s)
{
    struct analysis_site s = { 0 };
    s.site = idx;
    s.name = rsites[idx].name;
    s.call_line = rsites[idx].line;
    s.verdict = verdict;
    s.calls = 1000;
    s.has_wait = p50_s >= 0;
    s.wait_us[Q_P50] = p50_s >= 0 ? (int64_t)(p50_s * 1e6) : 0;
    s.migration = "stay";
    return s;
}

static void daily_at(struct analysis_site *s, unsigned hour)
{
    s->schedule.computed = true;
    s->schedule.best.cadence = CADENCE_DAILY;
    s->schedule.best.phase = hour;
    s->schedule.best.on_time_share = 1;
}

/* The fake-urgency findings verdict_apply() lists: batch or unused, not kept. */
static void findings_of(struct analysis *an, struct arena *a, struct verdict_result *vr)
{
    *vr = (struct verdict_result){ 0 };
    vr->findings = arena_alloc(a, sizeof *vr->findings * (an->n_sites + 1));
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (s->kept || (strcmp(s->verdict, "batch") != 0 && strcmp(s->verdict, "unused") != 0))
            continue;
        struct verdict_finding *f = &vr->findings[vr->n_findings++];
        f->kind = FINDING_FAKE_URGENCY;
        f->site = s;
        f->rules_line = s->call_line;
        snprintf(f->message, sizeof f->message, "%.*s is fake urgency", (int)s->name.n, s->name.p);
    }
}

static struct baseline_site bsite(const char *name, const char *by, const char *verdict,
                                  double p50_s)
{
    struct baseline_site b = { 0 };
    b.name = span_of(name);
    b.has_by = by != NULL;
    b.by = by ? span_of(by) : SPAN_NULL;
    b.verdict = span_of(verdict);
    b.has_p50_wait = p50_s >= 0;
    b.p50_wait_s = p50_s >= 0 ? p50_s : 0;
    b.calls = 1000;
    return b;
}

static struct baseline_finding bfind(const char *kind, const char *name, const char *by)
{
    return (struct baseline_finding){ span_of(kind), span_of(name), by != NULL,
                                      by ? span_of(by) : SPAN_NULL };
}

static struct baseline baseline_of(struct baseline_site *s, unsigned n, struct baseline_finding *f,
                                   unsigned nf)
{
    struct baseline bl = { 0 };
    bl.path = "base.json";
    bl.delay_s = 3600;
    bl.sites = s;
    bl.n_sites = n;
    bl.findings = f;
    bl.n_findings = nf;
    return bl;
}

static void test_fake_urgency(void)
{
    struct rules r;
    rules_of(&r);
    struct analysis_site s[2] = { site(0, "batch", 73440), site(1, "realtime", 0.05) };
    daily_at(&s[0], 2);
    struct analysis an = { 0 };
    an.sites = s;
    an.n_sites = 2;
    struct arena *a = arena_new(4096);
    struct verdict_result vr;

    /* No baseline: the one finding is new and fails the gate. */
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, NULL, a, &vr);
    CHECK(!vr.has_baseline);
    CHECK(vr.baseline_path == NULL);
    CHECK_INT(vr.n_findings, 1);
    CHECK_INT(vr.n_new, 1);
    CHECK_INT(vr.n_known, 0);
    CHECK_INT(vr.n_kept, 0);
    CHECK(!vr.findings[0].known);
    CHECK(vr.findings[0].kind == FINDING_FAKE_URGENCY);
    CHECK_INT(vr.findings[0].rules_line, 3);
    CHECK_STR(vr.findings[0].message, "churn is fake urgency"); /* verdict_apply's, kept */
    CHECK_STR(vr.findings[0].action,
              "move it to batch: daily at 02:00 UTC (cron 0 2 * * *), or keep it with a reason");

    /* A second call gives the same list. */
    verdict_gate(&r, &an, NULL, a, &vr);
    CHECK_INT(vr.n_findings, 1);
    CHECK_INT(vr.n_new, 1);

    /* A baseline that lists it: known, nothing new. */
    struct baseline_site bs[] = { bsite("churn", NULL, "batch", 73000),
                                  bsite("fraud", NULL, "realtime", 0.05) };
    struct baseline_finding bf[] = { bfind("fake_urgency", "churn", NULL) };
    struct baseline bl = baseline_of(bs, 2, bf, 1);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK(vr.has_baseline);
    CHECK_STR(vr.baseline_path ? vr.baseline_path : "(null)", "base.json");
    CHECK_INT(vr.n_findings, 1);
    CHECK(vr.findings[0].known);
    CHECK_INT(vr.n_new, 0);
    CHECK_INT(vr.n_known, 1);

    /* Listed with another by= value, or as another kind: not the same finding. */
    struct baseline_finding other[] = { bfind("fake_urgency", "churn", "x"),
                                        bfind("drift", "churn", NULL),
                                        bfind("fake_urgency", "churnx", NULL) };
    bl = baseline_of(bs, 2, other, 3);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 1);
    CHECK(!vr.findings[0].known);
    CHECK_INT(vr.n_new, 1);
    CHECK_INT(vr.n_known, 0);

    /* No cadence meets confidence. */
    s[0].schedule.best.cadence = CADENCE_NONE;
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, NULL, a, &vr);
    CHECK_STR(vr.findings[0].action,
              "move it to batch: no cadence meets confidence, or keep it with a reason");
    arena_free(a);
}

static void test_kept_and_unused(void)
{
    struct rules r;
    rules_of(&r);
    struct analysis_site s[3] = { site(0, "batch", 73440), site(2, "unused", -1),
                                  site(5, "unused", -1) };
    s[0].kept = true;
    s[0].keep_reason = SPAN_LIT("contract");
    s[1].has_cost = true;
    s[1].monthly_now = s[1].monthly_savings = 1234.5;
    struct analysis an = { 0 };
    an.sites = s;
    an.n_sites = 3;
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    findings_of(&an, a, &vr);
    CHECK_INT(vr.n_findings, 2); /* the kept site is none */

    /* The kept site fails nothing, even against a baseline where it was batch
     * and now reads fast. */
    s[0].wait_us[Q_P50] = 60 * SEC;
    struct baseline_site bs[] = { bsite("churn", NULL, "batch", 73440) };
    struct baseline bl = baseline_of(bs, 1, NULL, 0);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_kept, 1);
    CHECK_INT(vr.n_findings, 2);
    CHECK_INT(vr.n_new, 2);
    for (unsigned i = 0; i < vr.n_findings; i++)
        CHECK(vr.findings[i].site != &s[0]);
    /* summary saves $1,234.50, weekly has no cost: summary first. */
    CHECK(vr.findings[0].site == &s[1]);
    CHECK_STR(vr.findings[0].action,
              "stop computing it (saves $1,234.50 a month), or keep it with a reason");
    CHECK(vr.findings[1].site == &s[2]);
    CHECK_STR(vr.findings[1].action, "stop computing it, or keep it with a reason");
    arena_free(a);
}

/* One current site against one baseline row: the drift findings. */
static unsigned drift_count(const struct verdict_result *vr)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vr->n_findings; i++)
        n += vr->findings[i].kind == FINDING_DRIFT;
    return n;
}

static const struct verdict_finding *first_drift(const struct verdict_result *vr)
{
    for (unsigned i = 0; i < vr->n_findings; i++)
        if (vr->findings[i].kind == FINDING_DRIFT)
            return &vr->findings[i];
    return NULL;
}

static void test_drift(void)
{
    struct rules r;
    rules_of(&r);
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    struct analysis an = { 0 };
    struct analysis_site s[1];
    an.sites = s;
    an.n_sites = 1;

    /* p50 wait fell below delay (the verdict is unknown now: no move). */
    struct baseline_site bs[] = { bsite("churn", NULL, "batch", 73440) };
    struct baseline bl = baseline_of(bs, 1, NULL, 0);
    s[0] = site(0, "unknown", 123);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 1);
    CHECK_INT(vr.n_new, 1);
    const struct verdict_finding *f = first_drift(&vr);
    CHECK(f != NULL);
    if (f) {
        CHECK(!f->known);
        CHECK(f->site == &s[0]);
        CHECK_INT(f->rules_line, 3);
        CHECK_STR(f->message, "churn: was batch with p50 wait 20h24m (baseline base.json), now "
                              "unknown with p50 wait 2m3s, below delay 1h");
        CHECK_SPAN(f->was_verdict, "batch");
        CHECK(f->was_has_p50);
        CHECK_DBL(f->was_p50_wait_s, 73440, 1e-9);
        CHECK_STR(f->action, "a batch job is becoming latency-critical: check who reads it "
                             "within 2m3s now (readers below), keep it real-time on purpose "
                             "with `keep churn \"reason\"`, or fix the reader");
    }

    /* Verdict batch -> realtime, p50 still above delay: drift by the move alone. */
    s[0] = site(0, "realtime", 7200);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(drift_count(&vr), 1);
    if ((f = first_drift(&vr)))
        CHECK_STR(f->message, "churn: was batch with p50 wait 20h24m (baseline base.json), now "
                              "realtime with p50 wait 2h");

    /* Streaming -> realtime; it was below delay already, so the move is it. */
    bs[0] = bsite("churn", NULL, "streaming", 1440);
    s[0] = site(0, "realtime", 30);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(drift_count(&vr), 1);
    if ((f = first_drift(&vr))) {
        CHECK_SPAN(f->was_verdict, "streaming");
        CHECK_STR(f->message, "churn: was streaming with p50 wait 24m (baseline base.json), now "
                              "realtime with p50 wait 30s");
    }

    /* Streaming that stays streaming, p50 24m -> 20m: it was below delay
     * already, nothing fell (an unchanged workload passes its own baseline). */
    s[0] = site(0, "streaming", 1200);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 0);
    CHECK_INT(vr.n_new, 0);

    /* batch -> unknown, p50 above delay: unknown has no rank, no drift. */
    bs[0] = bsite("churn", NULL, "batch", 73440);
    s[0] = site(0, "unknown", 5 * 3600);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 0);
    /* ... nor a verdict the rules define, nor unused (rank 0, like batch). */
    s[0] = site(0, "nightly", 5 * 3600);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 0);
    s[0] = site(0, "unused", -1);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(drift_count(&vr), 0);
    CHECK_INT(vr.n_findings, 1); /* its fake urgency, new */
    CHECK_INT(vr.n_new, 1);
    /* batch -> batch with p50 fallen below delay: both findings. */
    s[0] = site(0, "batch", 600);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 2);
    CHECK_INT(drift_count(&vr), 1);
    CHECK_INT(vr.n_new, 2);

    /* A baseline row that was realtime or unknown: no drift whatever happens. */
    bs[0] = bsite("churn", NULL, "realtime", 10);
    s[0] = site(0, "realtime", 1);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 0);
    bs[0] = bsite("churn", NULL, "unknown", -1);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 0);

    /* No reads in the baseline, now read within a minute and realtime. */
    bs[0] = bsite("churn", NULL, "batch", -1);
    s[0] = site(0, "realtime", 45);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(drift_count(&vr), 1);
    if ((f = first_drift(&vr))) {
        CHECK(!f->was_has_p50);
        CHECK_STR(f->message, "churn: was batch with no reads (baseline base.json), now "
                              "realtime with p50 wait 45s, below delay 1h");
    }

    /* A drift the baseline lists already is known. */
    struct baseline_finding bf[] = { bfind("drift", "churn", NULL) };
    bl.findings = bf;
    bl.n_findings = 1;
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 1);
    CHECK_INT(vr.n_known, 1);
    CHECK_INT(vr.n_new, 0);

    /* Without a baseline there is no drift at all. */
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, NULL, a, &vr);
    CHECK_INT(vr.n_findings, 0);
    arena_free(a);
}

static void test_by_and_new_sites(void)
{
    struct rules r;
    rules_of(&r);
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    /* genai [gpt-4o] was batch, now realtime: drift. genai [claude] and genai
     * without by have no baseline row: none. chat-like "triage" had a row with
     * by null only; now it comes split by "x": no row, no drift. weekly is new
     * and fake urgency: a new finding. */
    struct analysis_site s[5] = { site(4, "realtime", 60), site(4, "realtime", 60),
                                  site(4, "realtime", 60), site(3, "realtime", 60),
                                  site(5, "batch", 90000) };
    s[0].has_by = true, s[0].by = SPAN_LIT("gpt-4o");
    s[1].has_by = true, s[1].by = SPAN_LIT("claude");
    s[3].has_by = true, s[3].by = SPAN_LIT("x");
    struct analysis an = { 0 };
    an.sites = s;
    an.n_sites = 5;
    struct baseline_site bs[] = {
        bsite("genai", "gpt-4o", "batch", 10800),   bsite("genai", "gpt-4o-mini", "batch", 10800),
        bsite("genai", "claude-3", "batch", 10800), bsite("triage", NULL, "batch", 10800),
        bsite("genai", "", "batch", 10800), /* by "" is not by null */
    };
    struct baseline bl = baseline_of(bs, 5, NULL, 0);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 2);
    CHECK_INT(drift_count(&vr), 1);
    const struct verdict_finding *f = first_drift(&vr);
    if (f) {
        CHECK(f->site == &s[0]);
        HAS(f->message, "genai [gpt-4o]: was batch with p50 wait 3h");
    }
    CHECK_INT(vr.n_new, 2);
    unsigned fake = 0;
    for (unsigned i = 0; i < vr.n_findings; i++)
        if (vr.findings[i].kind == FINDING_FAKE_URGENCY) {
            CHECK(vr.findings[i].site == &s[4]);
            CHECK(!vr.findings[i].known);
            fake++;
        }
    CHECK_INT(fake, 1);

    /* A baseline row with by null matches the row without by, not "" */
    struct baseline_site bs2[] = { bsite("genai", NULL, "batch", 10800) };
    bl = baseline_of(bs2, 1, NULL, 0);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(drift_count(&vr), 1);
    if ((f = first_drift(&vr)))
        CHECK(f->site == &s[2]);
    arena_free(a);
}

static void test_order(void)
{
    struct rules r;
    rules_of(&r);
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    /* All fake urgency; churn is known. New ones by savings, calls, then name. */
    struct analysis_site s[6] = { site(0, "batch", 9000), site(1, "batch", 9000),
                                  site(2, "unused", -1),  site(3, "batch", 9000),
                                  site(5, "batch", 9000), site(4, "batch", 9000) };
    s[0].monthly_savings = 500; /* churn: known, the most at stake, still last */
    s[1].monthly_savings = 10;  /* fraud */
    s[2].monthly_savings = 99;  /* summary */
    s[3].calls = 5000;          /* triage: no savings, most calls */
    s[4].calls = 5000;          /* weekly: like triage, after it by name */
    s[5].calls = 10;            /* genai: last of the new */
    struct analysis an = { 0 };
    an.sites = s;
    an.n_sites = 6;
    struct baseline_finding bf[] = { bfind("fake_urgency", "churn", NULL) };
    struct baseline bl = baseline_of(NULL, 0, bf, 1);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    const char *want[] = { "summary", "fraud", "triage", "weekly", "genai", "churn" };
    CHECK_INT(vr.n_findings, 6);
    for (unsigned i = 0; i < 6 && i < vr.n_findings; i++)
        CHECK_SPAN(vr.findings[i].site->name, want[i]);
    CHECK_INT(vr.n_new, 5);
    CHECK_INT(vr.n_known, 1);
    CHECK(vr.n_findings == 6 && vr.findings[5].known && !vr.findings[4].known);
    arena_free(a);
}

static void test_actions(void)
{
    struct rules r;
    rules_of(&r);
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    struct analysis_site s[2] = { site(0, "batch", 73440), site(5, "batch", 9000) };
    s[0].schedule.computed = true;
    s[0].schedule.best.cadence = CADENCE_6H;
    s[0].schedule.best.phase = 1;
    s[1].schedule.computed = true;
    s[1].schedule.best.cadence = CADENCE_WEEKLY;
    s[1].schedule.best.phase = 2; /* Monday 02:00 */
    s[1].monthly_savings = 1;
    struct analysis an = { 0 };
    an.sites = s;
    an.n_sites = 2;
    an.has_utc_offset = true;
    an.utc_offset_s = 3600;
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, NULL, a, &vr);
    CHECK_INT(vr.n_findings, 2);
    HAS(vr.findings[0].action, "(cron 0 2 * * 1)");
    HAS(vr.findings[0].action, "move it to batch: weekly, Mon 02:00 UTC");
    HAS(vr.findings[1].action, "(cron 0 1,7,13,19 * * *)");
    HAS(vr.findings[1].action, "or keep it with a reason");

    /* A drift whose site has no reads now, and a long name: no `keep NAME`. */
    static const char longname[] = "a-site-name-much-longer-than-what-a-suggestion-spells-out";
    struct rules_site rs[] = { { SPAN_LIT(longname), 9, 1 } };
    r.sites = rs;
    r.n_sites = 1;
    struct analysis_site l = { 0 };
    l.site = 0;
    l.name = SPAN_LIT(longname);
    l.verdict = "realtime";
    l.calls = 10;
    an.sites = &l;
    an.n_sites = 1;
    struct baseline_site bs[] = { bsite(longname, NULL, "batch", 9000) };
    struct baseline bl = baseline_of(bs, 1, NULL, 0);
    findings_of(&an, a, &vr);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_findings, 1);
    if (vr.n_findings)
        CHECK_STR(vr.findings[0].action,
                  "a batch job is becoming latency-critical: check who reads it now (readers "
                  "below), keep it real-time on purpose with a `keep` line, or fix the reader");
    arena_free(a);
}

/* Real rules (the default verdicts of §3, a keep) through verdict_apply(),
 * then the gate. */
static void test_after_apply(void)
{
    static const char text[] = "tempo 1\n"
                               "delay 1h\n"
                               "call churn POST /churn\n"
                               "call fraud POST /fraud\n"
                               "call summary POST /summary\n"
                               "keep fraud \"scored before the card is approved\"\n";
    struct arena *ra = arena_new(4096);
    struct buf diag;
    buf_init(&diag, 1 << 16);
    struct err pe = { 0 };
    struct rules *rp = rules_parse(ra, "gate.rules", (struct span){ text, sizeof text - 1 },
                                   &diag, &pe);
    buf_release(&diag);
    CHECK(rp != NULL);
    if (!rp) {
        arena_free(ra);
        return;
    }
    struct rules r = *rp;
    struct analysis_site s[3] = { 0 };
    for (unsigned i = 0; i < 3; i++) {
        s[i].site = i;
        s[i].name = r.sites[i].name;
        s[i].calls = s[i].eligible = s[i].reads = 1000;
        s[i].read_share = 1;
        s[i].has_wait = true;
    }
    s[0].tolerant_share = 1; /* churn: batch */
    s[0].wait_us[Q_P50] = 73440 * SEC;
    daily_at(&s[0], 18);
    s[1].tolerant_share = 1; /* fraud: batch, kept */
    s[1].wait_us[Q_P50] = 73440 * SEC;
    s[2].tolerant_share = 0; /* summary: realtime now, batch in the baseline */
    s[2].wait_us[Q_P50] = 2 * SEC;
    struct analysis an = { 0 };
    an.sites = s;
    an.n_sites = 3;
    an.days = 1;
    struct arena *a = arena_new(4096);
    struct verdict_result vr;
    verdict_apply(&r, &an, a, &vr);
    struct baseline_site bs[] = { bsite("summary", NULL, "batch", 50000) };
    struct baseline_finding bf[] = { bfind("fake_urgency", "summary", NULL) };
    struct baseline bl = baseline_of(bs, 1, bf, 1);
    verdict_gate(&r, &an, &bl, a, &vr);
    CHECK_INT(vr.n_kept, 1);
    CHECK_INT(vr.n_findings, 2);
    CHECK_INT(vr.n_new, 2);
    for (unsigned i = 0; i < vr.n_findings; i++) {
        const struct verdict_finding *f = &vr.findings[i];
        if (f->kind == FINDING_FAKE_URGENCY) {
            CHECK_SPAN(f->site->name, "churn");
            CHECK_STR(f->action, "move it to batch: daily at 18:00 UTC (cron 0 18 * * *), or "
                                 "keep it with a reason");
        } else {
            CHECK_SPAN(f->site->name, "summary");
            CHECK_INT(f->rules_line, 5);
            HAS(f->message, "now realtime with p50 wait 2s, below delay 1h");
        }
    }
    arena_free(a);
    arena_free(ra);
}

int main(void)
{
    test_fake_urgency();
    test_kept_and_unused();
    test_drift();
    test_by_and_new_sites();
    test_order();
    test_actions();
    test_after_apply();
    return test_report();
}
