/*
 * verdict.h - verdicts, costs and findings. Applies the rules' verdict lines in
 * order (first match wins; fewer than min_calls calls: "unknown"), `keep`,
 * the per-call price model extrapolated to 30 days, writes each site's one-line
 * reason, sorts the sites (monthly savings, then calls, descending) and lists
 * the gate's findings. Works in place on a struct analysis.
 */
#ifndef TEMPO_VERDICT_H
#define TEMPO_VERDICT_H

#include "analysis.h"
#include "rules.h"

enum verdict_finding_kind { FINDING_FAKE_URGENCY, FINDING_DRIFT };

struct verdict_finding {
    enum verdict_finding_kind kind;
    const struct analysis_site *site;
    unsigned rules_line; /* the site's call rule */
    char message[400];
};

struct verdict_result {
    struct verdict_finding *findings; /* arena-owned */
    unsigned n_findings;
    double monthly_now, monthly_savings; /* totals over sites */
};

/* Decide every site of `an`; findings and totals into *out (allocated in a). */
void verdict_apply(const struct rules *r, struct analysis *an, struct arena *a,
                   struct verdict_result *out);

/* A share for people: "97.5%", "100%", "99.97%", "0.12%". */
void verdict_format_share(double share, char out[16]);

#endif
