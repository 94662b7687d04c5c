/*
 * report_gate_sarif.c - `tempo gate --sarif FILE`: SARIF 2.1.0 (OASIS, schema
 * sarif-2.1.0.json) for code-scanning views (reporters stage, issue 6). Each
 * finding is a result located at its site's `call` rule in the rules file;
 * known findings are notes with baselineState "unchanged"; kept sites are
 * results suppressed in source (the `keep` line) with its reason.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "utc.h"

#ifndef TEMPO_VERSION
#define TEMPO_VERSION "0.0.0"
#endif

#define W(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

enum { RULE_FAKE_URGENCY, RULE_DRIFT };

static int str(struct buf *b, struct span s)
{
    W(buf_adds(b, "\""));
    W(report_json_str(b, s));
    return buf_adds(b, "\"");
}

static int cstr(struct buf *b, const char *s)
{
    return s ? str(b, span_of(s)) : buf_adds(b, "null");
}

/* A message string: SARIF §3.11.5 reserves { and } for placeholders, so
 * literal ones are written {{ and }}. Neither can be inside a UTF-8 sequence. */
static int msg_part(struct buf *b, struct span s)
{
    for (;;) {
        size_t k = 0;
        while (k < s.n && s.p[k] != '{' && s.p[k] != '}')
            k++;
        W(report_json_str(b, (struct span){ s.p, k }));
        if (k == s.n)
            return 0;
        W(buf_adds(b, s.p[k] == '{' ? "{{" : "}}"));
        s.p += k + 1;
        s.n -= k + 1;
    }
}

/* The rules file as a URI reference (RFC 3986): every byte but the unreserved
 * ones and '/' percent-encoded, so spaces, '%', ':' (which would read as a
 * scheme), '#', '?' and non-ASCII bytes cannot change its meaning; an
 * absolute path becomes a file:// URI (RFC 8089). */
static int uri(struct buf *b, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    W(buf_adds(b, "\""));
    if (path[0] == '/')
        W(buf_adds(b, "file://"));
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned c = *p;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
        char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
        W(plain ? buf_add(b, p, 1) : buf_add(b, enc, 3));
    }
    return buf_adds(b, "\"");
}

static const char *const rules_json =
    "{\"id\": \"tempo/fake-urgency\", \"name\": \"FakeUrgency\",\n"
    "     \"shortDescription\": {\"text\": \"A call runs in real time but nobody needs its "
    "result in real time.\"},\n"
    "     \"fullDescription\": {\"text\": \"The call site's verdict is batch (its readers "
    "tolerate the rules' delay) or unused (its results are almost never read), and no keep line "
    "of the rules file names it: it pays real-time prices for results that could wait.\"},\n"
    "     \"help\": {\"text\": \"Move the call to a batch job on the schedule Tempo gives, or "
    "stop computing it when nobody reads it; if it must stay real time, add keep SITE "
    "\\\"reason\\\" to the rules file.\",\n"
    "              \"markdown\": \"Move the call to a batch job on the schedule Tempo gives, or "
    "stop computing it when nobody reads it; if it must stay real time, add `keep SITE "
    "\\\"reason\\\"` to the rules file.\"},\n"
    "     \"defaultConfiguration\": {\"level\": \"error\"}},\n"
    "    {\"id\": \"tempo/drift\", \"name\": \"Drift\",\n"
    "     \"shortDescription\": {\"text\": \"A batch job has turned into a latency-critical "
    "service.\"},\n"
    "     \"fullDescription\": {\"text\": \"Against the baseline report, a site that was batch "
    "or streaming now has a p50 wait below the rules' delay, or its verdict moved toward "
    "realtime: its readers now wait for its results.\"},\n"
    "     \"help\": {\"text\": \"Check that the site runs where its readers need it and is "
    "priced so; if the change is intended, update the baseline report.\",\n"
    "              \"markdown\": \"Check that the site runs where its readers need it and is "
    "priced so; if the change is intended, update the baseline report (`tempo audit --format "
    "json`).\"},\n"
    "     \"defaultConfiguration\": {\"level\": \"error\"}}";

/* A stable fingerprint of what the result is about: kind, site and by=. */
static int fingerprint(struct buf *b, struct buf *tmp, const char *kind,
                       const struct analysis_site *s)
{
    buf_reset(tmp);
    W(buf_add(tmp, kind, strlen(kind) + 1));
    W(buf_addspan(tmp, s->name));
    W(buf_add(tmp, s->has_by ? "\0\1" : "\0\0", 2));
    W(buf_addspan(tmp, s->by));
    return buf_printf(b, "\"partialFingerprints\": {\"tempoSite/v1\": \"%016llx\"}",
                      (unsigned long long)span_hash(buf_span(tmp)));
}

static int location(struct buf *b, const struct report_input *in, unsigned line)
{
    if (!in->rules->path || !in->rules->path[0])
        return 0;
    W(buf_adds(b, ",\n       \"locations\": [{\"physicalLocation\": {\"artifactLocation\": "
                  "{\"uri\": "));
    W(uri(b, in->rules->path));
    W(buf_adds(b, "}"));
    if (line >= 1)
        W(buf_printf(b, ", \"region\": {\"startLine\": %u}", line));
    return buf_adds(b, "}}]");
}

static int properties(struct buf *b, const struct analysis_site *s)
{
    W(buf_adds(b, ",\n       \"properties\": {\"site\": "));
    W(str(b, s->name));
    W(buf_adds(b, ", \"by\": "));
    W(s->has_by ? str(b, s->by) : buf_adds(b, "null"));
    W(buf_adds(b, ", \"verdict\": "));
    W(cstr(b, s->verdict));
    W(buf_adds(b, ", \"monthly_savings\": "));
    W(s->has_cost ? report_json_num(b, s->monthly_savings) : buf_adds(b, "null"));
    W(buf_adds(b, ", \"p50_wait_s\": "));
    W(s->has_wait ? report_json_num(b, (double)s->wait_us[Q_P50] / 1e6) : buf_adds(b, "null"));
    return buf_adds(b, "}");
}

static int finding_result(struct buf *b, struct buf *tmp, const struct report_input *in,
                          const struct verdict_finding *f, bool first)
{
    bool drift = f->kind == FINDING_DRIFT;
    char nums[REPORT_GATE_NUMBERS];
    struct span action = report_gate_chars(f->action, sizeof f->action);
    report_gate_numbers(f->site, nums);
    W(buf_printf(b, "%s    {\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"%s\"",
                 first ? "" : ",\n", drift ? "tempo/drift" : "tempo/fake-urgency",
                 drift ? RULE_DRIFT : RULE_FAKE_URGENCY, f->known ? "note" : "error"));
    if (in->vr->has_baseline)
        W(buf_printf(b, ", \"baselineState\": \"%s\"", f->known ? "unchanged" : "new"));
    W(buf_adds(b, ",\n       \"message\": {\"text\": \""));
    W(msg_part(b, report_gate_chars(f->message, sizeof f->message)));
    W(buf_adds(b, " ("));
    W(msg_part(b, span_of(nums)));
    W(buf_adds(b, ")."));
    if (f->known)
        W(buf_adds(b, " In the baseline already: it does not fail the gate."));
    else if (action.n && (buf_adds(b, " ") < 0 || report_gate_sentence(b, action, msg_part) < 0))
        return -1;
    W(buf_adds(b, "\"}"));
    W(location(b, in, f->rules_line));
    W(buf_adds(b, ",\n       "));
    W(fingerprint(b, tmp, drift ? "drift" : "fake_urgency", f->site));
    W(properties(b, f->site));
    return buf_adds(b, "}");
}

static int kept_result(struct buf *b, struct buf *tmp, const struct report_input *in,
                       const struct analysis_site *s, bool first)
{
    W(buf_printf(b,
                 "%s    {\"ruleId\": \"tempo/fake-urgency\", \"ruleIndex\": %d, "
                 "\"level\": \"note\",\n       \"message\": {\"text\": \"",
                 first ? "" : ",\n", RULE_FAKE_URGENCY));
    W(msg_part(b, s->name));
    if (s->has_by) {
        W(buf_adds(b, " ["));
        W(msg_part(b, s->by));
        W(buf_adds(b, "]"));
    }
    W(buf_adds(b, " has the verdict "));
    W(msg_part(b, span_of(s->verdict)));
    W(buf_adds(b, " but the rules keep it: "));
    W(msg_part(b, s->keep_reason));
    W(buf_adds(b, "\"},\n       \"suppressions\": [{\"kind\": \"inSource\", \"justification\": "));
    W(str(b, s->keep_reason));
    W(buf_adds(b, "}]"));
    W(location(b, in, s->call_line));
    W(buf_adds(b, ",\n       "));
    W(fingerprint(b, tmp, "fake_urgency", s));
    W(properties(b, s));
    return buf_adds(b, "}");
}

static int sarif_build(const struct report_input *in, struct buf *b, struct buf *tmp)
{
    const struct verdict_result *vr = in->vr;
    W(buf_adds(b, "{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                  " \"version\": \"2.1.0\",\n"
                  " \"runs\": [{\n"
                  "  \"tool\": {\"driver\": {\"name\": \"tempo\", \"version\": "));
    W(str(b, span_of(TEMPO_VERSION)));
#ifdef TEMPO_URL
    W(buf_adds(b, ", \"informationUri\": "));
    W(str(b, span_of(TEMPO_URL)));
#endif
    W(buf_adds(b, ",\n   \"rules\": [\n    "));
    W(buf_adds(b, rules_json));
    W(buf_adds(b, "]}},\n  \"results\": [\n"));
    bool first = true;
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < vr->n_findings; i++)
            if (vr->findings[i].known == (pass == 1)) {
                W(finding_result(b, tmp, in, &vr->findings[i], first));
                first = false;
            }
    for (unsigned i = 0; i < in->an->n_sites; i++)
        if (report_gate_is_kept(&in->an->sites[i])) {
            W(kept_result(b, tmp, in, &in->an->sites[i], first));
            first = false;
        }
    return buf_adds(b, first ? "  ]\n }]\n}\n" : "\n  ]\n }]\n}\n");
}

static int sarif_write(const struct report_input *in, FILE *out, struct err *e)
{
    struct buf b, tmp;
    buf_init(&b, (size_t)1 << 30);
    buf_init(&tmp, (size_t)1 << 24);
    int rc = sarif_build(in, &b, &tmp);
    buf_release(&tmp);
    return report_finish(&b, rc, out, "SARIF report", e);
}

const struct reporter report_gate_sarif = { "sarif", sarif_write };
