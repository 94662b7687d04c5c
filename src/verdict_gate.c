/*
 * verdict_gate.c - the gate (verdicts stage, PRODUCT.md §5, issue 6): what to do
 * about each fake urgency; drift against a baseline report (a site the baseline
 * had as batch or streaming whose p50 wait fell below `delay`, or whose verdict
 * moved toward realtime); findings the baseline lists already marked known, so
 * only new ones fail; and the order the gate's outputs print them in.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utc.h"
#include "verdict.h"

#define NAME_MAX_SHOWN 100 /* bytes of a site name or by= value in a message */
#define PATH_MAX_SHOWN 120 /* bytes of the baseline's path in a message */
#define KEEP_NAME_MAX 48   /* longer names are not spelt out in a `keep` suggestion */

/* ---- the baseline's rows, found by key in O(1) ---- */

/* Open addressing over indexes + 1 (0: empty); the first row of a key wins. */
struct index {
    unsigned *slot;
    unsigned mask;
};

static uint64_t mix(uint64_t h, struct span s)
{
    uint64_t k = span_hash(s);
    return h ^ (k + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2));
}

static uint64_t site_key(struct span name, bool has_by, struct span by)
{
    return mix(mix(has_by ? 1 : 2, name), has_by ? by : SPAN_NULL);
}

static bool same_by(bool has_a, struct span a, bool has_b, struct span b)
{
    return has_a == has_b && (!has_a || span_eq(a, b));
}

static void index_init(struct index *ix, unsigned n, struct arena *a)
{
    unsigned cap = 8;
    while (cap < 2u * n && cap < (1u << 31))
        cap *= 2;
    ix->slot = arena_alloc(a, sizeof *ix->slot * cap);
    ix->mask = cap - 1;
}

static const struct baseline_site *site_find(const struct baseline *bl, const struct index *ix,
                                             struct span name, bool has_by, struct span by)
{
    for (unsigned h = (unsigned)site_key(name, has_by, by) & ix->mask;; h = (h + 1) & ix->mask) {
        unsigned v = ix->slot[h];
        if (v == 0)
            return NULL;
        const struct baseline_site *b = &bl->sites[v - 1];
        if (span_eq(b->name, name) && same_by(b->has_by, b->by, has_by, by))
            return b;
    }
}

static void site_index(const struct baseline *bl, struct index *ix, struct arena *a)
{
    index_init(ix, bl->n_sites, a);
    for (unsigned i = 0; i < bl->n_sites; i++) {
        const struct baseline_site *b = &bl->sites[i];
        if (site_find(bl, ix, b->name, b->has_by, b->by))
            continue;
        unsigned h = (unsigned)site_key(b->name, b->has_by, b->by) & ix->mask;
        while (ix->slot[h])
            h = (h + 1) & ix->mask;
        ix->slot[h] = i + 1;
    }
}

static struct span kind_name(enum verdict_finding_kind k)
{
    return k == FINDING_DRIFT ? SPAN_LIT("drift") : SPAN_LIT("fake_urgency");
}

static uint64_t finding_key(struct span kind, struct span site, bool has_by, struct span by)
{
    return mix(site_key(site, has_by, by), kind);
}

static bool finding_known(const struct baseline *bl, const struct index *ix,
                          const struct verdict_finding *f)
{
    struct span kind = kind_name(f->kind), name = f->site->name, by = f->site->by;
    bool has_by = f->site->has_by;
    for (unsigned h = (unsigned)finding_key(kind, name, has_by, by) & ix->mask;;
         h = (h + 1) & ix->mask) {
        unsigned v = ix->slot[h];
        if (v == 0)
            return false;
        const struct baseline_finding *b = &bl->findings[v - 1];
        if (span_eq(b->kind, kind) && span_eq(b->site, name) &&
            same_by(b->has_by, b->by, has_by, by))
            return true;
    }
}

static void finding_index(const struct baseline *bl, struct index *ix, struct arena *a)
{
    index_init(ix, bl->n_findings, a);
    for (unsigned i = 0; i < bl->n_findings; i++) {
        const struct baseline_finding *b = &bl->findings[i];
        unsigned h = (unsigned)finding_key(b->kind, b->site, b->has_by, b->by) & ix->mask;
        while (ix->slot[h])
            h = (h + 1) & ix->mask;
        ix->slot[h] = i + 1;
    }
}

/* ---- verdicts ranked toward realtime ---- */

/* unused and batch 0, streaming 1, realtime 2; any other verdict (unknown, the
 * rules' own names) has no rank, and a move to or from it is no move. */
static int rank_of(struct span v)
{
    if (span_eq_str(v, "unused") || span_eq_str(v, "batch"))
        return 0;
    if (span_eq_str(v, "streaming"))
        return 1;
    if (span_eq_str(v, "realtime"))
        return 2;
    return -1;
}

/* ---- text ---- */

/* " [by]" after a site name, or "". */
static void by_suffix(const struct analysis_site *s, char out[112])
{
    out[0] = 0;
    if (s->has_by)
        snprintf(out, 112, " [%.*s]", (int)(s->by.n > NAME_MAX_SHOWN ? NAME_MAX_SHOWN : s->by.n),
                 s->by.p);
}

static int shown(struct span s) { return (int)(s.n > NAME_MAX_SHOWN ? NAME_MAX_SHOWN : s.n); }

/* "$1,234.56" */
static void fmt_money(double usd, char out[40])
{
    char d[32];
    if (!(usd < 1e15))
        usd = 1e15;
    snprintf(d, sizeof d, "%.2f", usd < 0 ? 0 : usd);
    size_t n = strlen(d) - 3, k = 0; /* digits before ".dd" */
    out[k++] = '$';
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = d[i];
    }
    memcpy(out + k, d + n, 4);
}

static int64_t secs_to_us(double s)
{
    double us = s * 1e6;
    return us >= 9.2e18 ? INT64_MAX : (int64_t)llround(us);
}

static void fake_action(const struct analysis *an, const struct verdict_finding *f, char out[240])
{
    const struct analysis_site *s = f->site;
    if (s->verdict && strcmp(s->verdict, "unused") == 0) {
        char money[40];
        fmt_money(s->monthly_savings, money);
        if (s->has_cost && s->monthly_savings >= 0.005)
            snprintf(out, 240, "stop computing it (saves %s a month), or keep it with a reason",
                     money);
        else
            snprintf(out, 240, "stop computing it, or keep it with a reason");
        return;
    }
    const struct analysis_schedule *sc = &s->schedule;
    if (!sc->computed || sc->best.cadence == CADENCE_NONE) {
        snprintf(out, 240,
                 "move it to batch: no cadence meets confidence, or keep it with a "
                 "reason");
        return;
    }
    char when[96], cron[40];
    analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
    analysis_option_cron(&sc->best, cron);
    snprintf(out, 240, "move it to batch: %s (cron %s), or keep it with a reason", when, cron);
}

static void drift_action(const struct analysis_site *s, char out[240])
{
    char p50[24], within[32] = "", keep[72];
    if (s->has_wait)
        snprintf(within, sizeof within, " within %s", utc_format_duration(s->wait_us[Q_P50], p50));
    if (s->name.n <= KEEP_NAME_MAX)
        snprintf(keep, sizeof keep, "`keep %.*s \"reason\"`", (int)s->name.n, s->name.p);
    else
        snprintf(keep, sizeof keep, "a `keep` line");
    snprintf(out, 240,
             "a batch job is becoming latency-critical: check who reads it%s now (readers "
             "below), keep it real-time on purpose with %s, or fix the reader",
             within, keep);
}

/* Drift of site `s` against its baseline row `b` (a batch or streaming one):
 * false when there is none, else *f filled. The p50 wait must *fall* below
 * `delay` (PRODUCT.md §5): a streaming site is one whose readers already wait
 * less than `delay`, and it is not drift for it to stay so - else a workload
 * would fail against its own baseline. */
static bool drift_of(const struct rules *r, const struct baseline *bl,
                     const struct analysis_site *s, const struct baseline_site *b, struct arena *a,
                     struct verdict_finding *f)
{
    int was = rank_of(b->verdict), now = s->verdict ? rank_of(span_of(s->verdict)) : -1;
    bool moved = now >= 0 && now > was;
    bool was_below = b->has_p50_wait && secs_to_us(b->p50_wait_s) < r->delay_us;
    bool fell = s->has_wait && s->wait_us[Q_P50] < r->delay_us && !was_below;
    if (!moved && !fell)
        return false;
    char by[112], was_p50[48] = "with no reads", now_p50[48] = "with no reads", d[24], delay[24];
    by_suffix(s, by);
    if (b->has_p50_wait)
        snprintf(was_p50, sizeof was_p50, "with p50 wait %s",
                 utc_format_duration(secs_to_us(b->p50_wait_s), d));
    if (s->has_wait)
        snprintf(now_p50, sizeof now_p50, "with p50 wait %s",
                 utc_format_duration(s->wait_us[Q_P50], d));
    utc_format_duration(r->delay_us, delay);
    const char *path = bl->path ? bl->path : "";
    size_t path_n = strlen(path);
    *f = (struct verdict_finding){ 0 };
    f->kind = FINDING_DRIFT;
    f->site = s;
    f->rules_line = s->call_line;
    snprintf(f->message, sizeof f->message, "%.*s%s: was %.*s %s (baseline %s%.*s), now %s %s%s%s",
             shown(s->name), s->name.p, by, shown(b->verdict), b->verdict.p, was_p50,
             path_n > PATH_MAX_SHOWN ? "..." : "", PATH_MAX_SHOWN,
             path_n > PATH_MAX_SHOWN ? path + path_n - PATH_MAX_SHOWN : path,
             s->verdict ? s->verdict : "unknown", now_p50, fell ? ", below delay " : "",
             fell ? delay : "");
    drift_action(s, f->action);
    f->was_verdict = arena_keep(a, b->verdict);
    f->was_has_p50 = b->has_p50_wait;
    f->was_p50_wait_s = b->p50_wait_s;
    return true;
}

/* ---- order: new first, then known; savings at stake, calls, name ---- */

static int cmp_span(struct span a, struct span b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

static int by_stake(const void *pa, const void *pb)
{
    const struct verdict_finding *fa = pa, *fb = pb;
    const struct analysis_site *a = fa->site, *b = fb->site;
    if (fa->known != fb->known)
        return fa->known ? 1 : -1;
    if (a->monthly_savings != b->monthly_savings)
        return a->monthly_savings > b->monthly_savings ? -1 : 1;
    if (a->calls != b->calls)
        return a->calls > b->calls ? -1 : 1;
    int c = cmp_span(a->name, b->name);
    if (c)
        return c;
    if (a->has_by != b->has_by)
        return a->has_by ? 1 : -1;
    c = cmp_span(a->by, b->by);
    if (c)
        return c;
    return (fa->kind > fb->kind) - (fa->kind < fb->kind);
}

void verdict_gate(const struct rules *r, const struct analysis *an, const struct baseline *bl,
                  struct arena *a, struct verdict_result *vr)
{
    vr->has_baseline = bl != NULL;
    vr->baseline_path = bl ? bl->path : NULL;
    vr->n_new = vr->n_known = vr->n_kept = 0;

    struct index sites = { 0 }, known = { 0 };
    if (bl) {
        site_index(bl, &sites, a);
        finding_index(bl, &known, a);
    }
    unsigned n_drift = 0;
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (s->kept && verdict_is_batchable(s->verdict))
            vr->n_kept++;
        n_drift += bl && !s->kept;
    }

    /* Fake urgency as verdict_apply() found it (drift from an earlier call is
     * dropped, so a second call gives the same list), then drift. */
    struct verdict_finding *out =
        arena_alloc(a, sizeof *out * (vr->n_findings + n_drift ? vr->n_findings + n_drift : 1));
    unsigned n = 0;
    for (unsigned i = 0; i < vr->n_findings; i++) {
        if (vr->findings[i].kind != FINDING_FAKE_URGENCY)
            continue;
        out[n] = vr->findings[i];
        fake_action(an, &out[n], out[n].action);
        out[n].was_verdict = SPAN_NULL;
        out[n].was_has_p50 = false;
        out[n].was_p50_wait_s = 0;
        n++;
    }
    for (unsigned i = 0; bl && i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (s->kept)
            continue;
        const struct baseline_site *b = site_find(bl, &sites, s->name, s->has_by, s->by);
        if (b && (span_eq_str(b->verdict, "batch") || span_eq_str(b->verdict, "streaming")) &&
            drift_of(r, bl, s, b, a, &out[n]))
            n++;
    }
    for (unsigned i = 0; i < n; i++) {
        out[i].known = bl && finding_known(bl, &known, &out[i]);
        if (out[i].known)
            vr->n_known++;
        else
            vr->n_new++;
    }
    if (n > 1)
        qsort(out, n, sizeof *out, by_stake);
    vr->findings = out;
    vr->n_findings = n;
}
