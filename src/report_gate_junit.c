/*
 * report_gate_junit.c - `tempo gate --junit FILE`: JUnit XML for Jenkins,
 * GitLab and GitHub test reporters (reporters stage, issue 6). One testcase
 * per site, one failure per site with new findings, known findings and kept
 * sites' reasons in system-out. Attributes as in the common JUnit schema
 * (Jenkins junit-10.xsd), plus file and line on testcase; XML 1.0 text only.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "utc.h"

#define W(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

/* XML text and attribute values: report_html_text escapes & < > " ' and turns
 * every character XML 1.0 forbids (§2.2 Char: controls but tab, LF and CR;
 * U+FFFE, U+FFFF; invalid UTF-8 and so surrogates) into U+FFFD, along with the
 * ones it discourages (C1 controls, noncharacters), LF and CR: a stray newline
 * in an attribute would be normalised away anyway. */
static int xml(struct buf *b, struct span s) { return report_html_text(b, s); }

struct junit {
    const struct report_input *in;
    unsigned *head;     /* per site: first finding of the site, or UINT32_MAX */
    unsigned *next;     /* per finding: the site's next finding, or UINT32_MAX */
    unsigned n_orphans; /* findings whose site is not one of the analysis's */
    bool *orphan;
};

#define NONE UINT32_MAX

/* Index of f's site in the analysis, or NONE. */
static unsigned site_index(const struct analysis *an, const struct verdict_finding *f)
{
    uintptr_t p = (uintptr_t)f->site, base = (uintptr_t)an->sites;
    if (!an->n_sites || p < base || (p - base) % sizeof *an->sites)
        return NONE;
    uintptr_t i = (p - base) / sizeof *an->sites;
    return i < an->n_sites ? (unsigned)i : NONE;
}

static int finding_text(struct buf *b, const struct verdict_finding *f)
{
    char nums[REPORT_GATE_NUMBERS];
    struct span action = report_gate_chars(f->action, sizeof f->action);
    report_gate_numbers(f->site, nums);
    W(buf_printf(b, "%s%s: ", f->known ? "known " : "", report_gate_kind(f)));
    W(xml(b, report_gate_chars(f->message, sizeof f->message)));
    W(buf_printf(b, " (%s)", nums));
    if (f->known)
        W(buf_adds(b, "; in the baseline already: it does not fail the gate"));
    else if (action.n && (buf_adds(b, "\nWhat to do: ") < 0 || xml(b, action) < 0))
        return -1;
    return buf_adds(b, "\n");
}

/* One testcase: site `s` with the findings listed from `first` (NONE: none;
 * `one` true: that finding alone). */
static int testcase(struct buf *b, const struct junit *j, const struct analysis_site *s,
                    unsigned first, bool one)
{
    const struct report_input *in = j->in;
    const struct verdict_finding *fs = in->vr->findings;
    unsigned line = s->call_line;
    if (first != NONE && fs[first].rules_line)
        line = fs[first].rules_line;
    W(buf_adds(b, "    <testcase classname=\"tempo.gate\" name=\""));
    W(report_gate_label(b, s, xml));
    W(buf_adds(b, "\""));
    if (in->rules->path) {
        W(buf_adds(b, " file=\""));
        W(xml(b, span_of(in->rules->path)));
        W(buf_adds(b, "\""));
        if (line)
            W(buf_printf(b, " line=\"%u\"", line));
    }
    W(buf_adds(b, " time=\"0\""));

    bool has_new = false, has_out = report_gate_is_kept(s);
    for (unsigned k = first; k != NONE; k = one ? NONE : j->next[k]) {
        has_new |= !fs[k].known;
        has_out |= fs[k].known;
    }
    if (!has_new && !has_out)
        return buf_adds(b, "/>\n");
    W(buf_adds(b, ">\n"));
    if (has_new) {
        /* One failure per testcase: most readers show only the first. */
        bool any = false;
        for (unsigned k = first; k != NONE; k = one ? NONE : j->next[k]) {
            if (fs[k].known)
                continue;
            if (!any)
                W(buf_printf(b, "      <failure type=\"%s\" message=\"",
                             fs[k].kind == FINDING_DRIFT ? "drift" : "fake_urgency"));
            else
                W(buf_adds(b, "; "));
            W(xml(b, report_gate_chars(fs[k].message, sizeof fs[k].message)));
            any = true;
        }
        W(buf_adds(b, "\">"));
        for (unsigned k = first; k != NONE; k = one ? NONE : j->next[k])
            if (!fs[k].known)
                W(finding_text(b, &fs[k]));
        W(buf_adds(b, "</failure>\n"));
    }
    if (has_out) {
        W(buf_adds(b, "      <system-out>"));
        for (unsigned k = first; k != NONE; k = one ? NONE : j->next[k])
            if (fs[k].known)
                W(finding_text(b, &fs[k]));
        if (report_gate_is_kept(s)) {
            W(buf_adds(b, "kept by the rules (verdict "));
            W(xml(b, span_of(s->verdict)));
            W(buf_adds(b, "): "));
            W(xml(b, s->keep_reason));
            W(buf_adds(b, "\n"));
        }
        W(buf_adds(b, "</system-out>\n"));
    }
    return buf_adds(b, "    </testcase>\n");
}

static int junit_build(struct junit *j, struct buf *b)
{
    const struct report_input *in = j->in;
    const struct analysis *an = in->an;
    const struct verdict_result *vr = in->vr;
    struct report_gate_counts c;
    report_gate_count(in, &c);

    unsigned tests = an->n_sites + j->n_orphans, failures = 0;
    for (unsigned i = 0; i < an->n_sites; i++) {
        bool failed = false;
        for (unsigned k = j->head[i]; k != NONE; k = j->next[k])
            failed |= !vr->findings[k].known;
        failures += failed;
    }
    for (unsigned k = 0; k < vr->n_findings; k++)
        failures += j->orphan[k] && !vr->findings[k].known;

    /* The schemas' timestamp is an ISO 8601 time without a zone: it is UTC. */
    char t[32];
    utc_format(in->generated_us, false, t);
    t[strcspn(t, "Z")] = 0;
    W(buf_printf(b,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<testsuites name=\"tempo gate\" tests=\"%u\" failures=\"%u\" errors=\"0\" "
                 "time=\"0\">\n"
                 "  <testsuite name=\"tempo gate",
                 tests, failures));
    if (in->rules->path) {
        W(buf_adds(b, ": "));
        W(xml(b, span_of(in->rules->path)));
    }
    W(buf_printf(b,
                 "\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"0\" time=\"0\" "
                 "timestamp=\"%s\">\n",
                 tests, failures, t));
    for (unsigned i = 0; i < an->n_sites; i++)
        W(testcase(b, j, &an->sites[i], j->head[i], false));
    for (unsigned k = 0; k < vr->n_findings; k++)
        if (j->orphan[k])
            W(testcase(b, j, vr->findings[k].site, k, true));
    W(buf_adds(b, "    <system-out>gate: "));
    W(buf_adds(b, c.n_new ? "" : "passed: "));
    W(report_gate_tally(b, in, &c, xml));
    W(buf_adds(b, "</system-out>\n  </testsuite>\n</testsuites>\n"));
    return 0;
}

static int junit_write(const struct report_input *in, FILE *out, struct err *e)
{
    const struct analysis *an = in->an;
    const struct verdict_result *vr = in->vr;
    struct arena *a = arena_new(4096);
    struct junit j = { .in = in };
    j.head = arena_alloc(a, sizeof *j.head * (an->n_sites + 1));
    j.next = arena_alloc(a, sizeof *j.next * (vr->n_findings + 1));
    j.orphan = arena_alloc(a, sizeof *j.orphan * (vr->n_findings + 1));
    for (unsigned i = 0; i < an->n_sites; i++)
        j.head[i] = NONE;
    /* Build each site's list from the end, so it keeps the findings' order. */
    for (unsigned k = vr->n_findings; k-- > 0;) {
        unsigned i = site_index(an, &vr->findings[k]);
        j.next[k] = NONE;
        if (i == NONE) {
            j.orphan[k] = true;
            j.n_orphans++;
            continue;
        }
        j.next[k] = j.head[i];
        j.head[i] = k;
    }
    struct buf b;
    buf_init(&b, (size_t)1 << 30);
    int rc = junit_build(&j, &b);
    arena_free(a);
    return report_finish(&b, rc, out, "JUnit report", e);
}

const struct reporter report_gate_junit = { "junit", junit_write };
