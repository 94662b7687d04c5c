/*
 * report_gate.c - `tempo gate` on standard output (reporters stage, PRODUCT.md
 * §5, issue 6): one line per finding, new ones first, then known findings and
 * kept sites, then a tally; or GitHub Actions workflow commands (--format
 * github), escaped as the Actions toolkit's escapeData and escapeProperty do.
 * Also the helpers the other gate reporters share (report.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "utc.h"

#define W(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            goto too_big;                                                                          \
    } while (0)

/* Standard output of a gate run: far more than any real run writes. */
#define GATE_OUT_MAX ((size_t)1 << 30)

/* ---- shared helpers ---- */


bool report_gate_is_kept(const struct analysis_site *s)
{
    return s->kept && verdict_is_batchable(s->verdict);
}

void report_gate_count(const struct report_input *in, struct report_gate_counts *c)
{
    const struct verdict_result *vr = in->vr;
    *c = (struct report_gate_counts){ vr->n_new, vr->n_known, vr->n_kept, 0 };
    for (unsigned i = 0; i < vr->n_findings; i++) {
        const struct verdict_finding *f = &vr->findings[i];
        if (!f->known && f->kind == FINDING_FAKE_URGENCY && f->site && f->site->has_cost)
            c->new_savings += f->site->monthly_savings;
    }
}

struct span report_gate_chars(const char *p, size_t cap)
{
    const char *nul = memchr(p, 0, cap);
    return (struct span){ p, nul ? (size_t)(nul - p) : cap };
}

const char *report_gate_kind(const struct verdict_finding *f)
{
    return f->kind == FINDING_DRIFT ? "drift" : "fake urgency";
}

int report_gate_label(struct buf *b, const struct analysis_site *s,
                      int (*esc)(struct buf *b, struct span s))
{
    if (esc(b, s->name) < 0)
        return -1;
    if (!s->has_by)
        return 0;
    if (buf_adds(b, " [") < 0 || esc(b, s->by) < 0)
        return -1;
    return buf_adds(b, "]");
}

int report_gate_sentence(struct buf *b, struct span s, int (*esc)(struct buf *b, struct span s))
{
    if (s.n && s.p[0] >= 'a' && s.p[0] <= 'z') {
        char up = (char)(s.p[0] - 'a' + 'A');
        if (buf_add(b, &up, 1) < 0)
            return -1;
        s.p++;
        s.n--;
    }
    return esc(b, s);
}

void report_gate_numbers(const struct analysis_site *s, char out[REPORT_GATE_NUMBERS])
{
    char wait[24] = "", money[32] = "";
    if (s->has_wait)
        utc_format_duration(s->wait_us[Q_P50], wait);
    if (s->has_cost)
        report_money(s->monthly_savings, money);
    double month = s->calls_per_month >= 0 && s->calls_per_month < 1e15 ? s->calls_per_month : 0;
    const char *to = s->migration && strcmp(s->migration, "stay") != 0 ? s->migration : "";
    snprintf(out, REPORT_GATE_NUMBERS, "%s%s, %.0f calls/month, %s%s%s%s",
             s->has_wait ? "p50 wait " : "no reads", wait, month, money,
             s->has_cost ? "/month to save" : "no price", s->has_cost && *to ? " as " : "",
             s->has_cost ? to : "");
}

int report_gate_tally(struct buf *b, const struct report_input *in,
                      const struct report_gate_counts *c, int (*esc)(struct buf *b, struct span s))
{
    if (buf_printf(b, "%u new finding%s (%u known, %u kept)", c->n_new, c->n_new == 1 ? "" : "s",
                   c->n_known, c->n_kept) < 0)
        return -1;
    if (!in->vr->has_baseline)
        return 0;
    if (buf_adds(b, " against baseline ") < 0)
        return -1;
    return esc(b, span_of(in->vr->baseline_path ? in->vr->baseline_path : "-"));
}

/* ---- text ---- */

/* "RULES:LINE: " (the parts that are known). */
static int where(struct buf *b, const struct report_input *in, unsigned line,
                 int (*esc)(struct buf *b, struct span s))
{
    if (!in->rules->path)
        return 0;
    if (esc(b, span_of(in->rules->path)) < 0)
        return -1;
    if (line && buf_printf(b, ":%u", line) < 0)
        return -1;
    return buf_adds(b, ": ");
}

static int text_finding(struct buf *b, const struct report_input *in,
                        const struct verdict_finding *f)
{
    char nums[REPORT_GATE_NUMBERS];
    struct span action = report_gate_chars(f->action, sizeof f->action);
    report_gate_numbers(f->site, nums);
    if ((f->known && buf_adds(b, "known: ") < 0) || where(b, in, f->rules_line, report_text) < 0 ||
        buf_printf(b, "%s: ", report_gate_kind(f)) < 0 ||
        report_text(b, report_gate_chars(f->message, sizeof f->message)) < 0 ||
        buf_printf(b, " (%s)", nums) < 0)
        return -1;
    if (!f->known && action.n && (buf_adds(b, ": ") < 0 || report_text(b, action) < 0))
        return -1;
    return buf_adds(b, "\n");
}

static int text_kept(struct buf *b, const struct report_input *in, const struct analysis_site *s)
{
    if (buf_adds(b, "kept: ") < 0 || where(b, in, s->call_line, report_text) < 0 ||
        report_gate_label(b, s, report_text) < 0 || buf_adds(b, " (") < 0 ||
        report_text(b, span_of(s->verdict)) < 0 || buf_adds(b, "): ") < 0 ||
        report_text(b, s->keep_reason) < 0)
        return -1;
    return buf_adds(b, "\n");
}

/* The shape both stream outputs share: new findings, then known ones
 * (whatever order they came in), then kept sites, then the closing line
 * `head` + the tally. */
static int gate_stream(const struct report_input *in, FILE *out, struct err *e,
                       int (*finding)(struct buf *, const struct report_input *,
                                      const struct verdict_finding *),
                       int (*kept)(struct buf *, const struct report_input *,
                                   const struct analysis_site *),
                       const char *pass_head, const char *fail_head,
                       int (*esc)(struct buf *b, struct span s))
{
    const struct verdict_result *vr = in->vr;
    struct report_gate_counts c;
    struct buf b;
    buf_init(&b, GATE_OUT_MAX);
    report_gate_count(in, &c);
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < vr->n_findings; i++)
            if (vr->findings[i].known == (pass == 1))
                W(finding(&b, in, &vr->findings[i]));
    for (unsigned i = 0; i < in->an->n_sites; i++)
        if (report_gate_is_kept(&in->an->sites[i]))
            W(kept(&b, in, &in->an->sites[i]));
    W(buf_adds(&b, c.n_new ? fail_head : pass_head));
    W(report_gate_tally(&b, in, &c, esc));
    W(buf_adds(&b, "\n"));
    return report_finish(&b, 0, out, "gate output", e);
too_big:
    return report_finish(&b, -1, out, "gate output", e);
}

static int text_write(const struct report_input *in, FILE *out, struct err *e)
{
    return gate_stream(in, out, e, text_finding, text_kept, "gate: passed: ", "gate: ",
                       report_text);
}

const struct reporter report_gate_text = { "text", text_write };

/* ---- GitHub Actions workflow commands ---- */

/* The Actions toolkit (@actions/core command.ts): escapeData turns % CR LF
 * into %25 %0D %0A; escapeProperty also : and , into %3A %2C. Other controls
 * and invalid UTF-8 become '?' first (report_text), so that nothing else in a
 * log line can reach the runner's parser or the terminal. */
static int gh_escape(struct buf *b, struct span s, bool is_property)
{
    for (;;) {
        size_t k = 0;
        while (k < s.n && s.p[k] != '\r' && s.p[k] != '\n')
            k++;
        size_t from = b->len, extra = 0;
        if (report_text(b, (struct span){ s.p, k }) < 0)
            return -1;
        for (size_t i = from; i < b->len; i++)
            extra += b->p[i] == '%' || (is_property && (b->p[i] == ':' || b->p[i] == ','));
        if (extra) {
            /* Expand in place, from the end, each special byte into %XX. */
            if (buf_grow(b, 2 * extra) < 0)
                return -1;
            size_t i = b->len, o = b->len + 2 * extra;
            while (i > from) {
                char ch = b->p[--i];
                if (ch == '%' || (is_property && (ch == ':' || ch == ','))) {
                    static const char hex[] = "0123456789ABCDEF";
                    o -= 3;
                    b->p[o] = '%';
                    b->p[o + 1] = hex[(unsigned char)ch >> 4];
                    b->p[o + 2] = hex[(unsigned char)ch & 15];
                } else {
                    b->p[--o] = ch;
                }
            }
            b->len += 2 * extra;
            b->p[b->len] = 0;
        }
        if (k == s.n)
            return 0;
        if (buf_adds(b, s.p[k] == '\r' ? "%0D" : "%0A") < 0)
            return -1;
        s.p += k + 1;
        s.n -= k + 1;
    }
}

static int gh_data(struct buf *b, struct span s) { return gh_escape(b, s, false); }

static int gh_prop(struct buf *b, struct span s) { return gh_escape(b, s, true); }

/* "::CMD file=RULES,line=N,title=TITLE::" with TITLE "Tempo: WHAT (SITE)". */
static int gh_open(struct buf *b, const struct report_input *in, const char *cmd, unsigned line,
                   const char *what, const struct analysis_site *s)
{
    if (buf_printf(b, "::%s ", cmd) < 0)
        return -1;
    if (in->rules->path && (buf_adds(b, "file=") < 0 || gh_prop(b, span_of(in->rules->path)) < 0 ||
                            buf_adds(b, ",") < 0))
        return -1;
    if (in->rules->path && line && buf_printf(b, "line=%u,", line) < 0)
        return -1;
    if (buf_adds(b, "title=") < 0 || gh_prop(b, span_of("Tempo: ")) < 0 ||
        gh_prop(b, span_of(what)) < 0 || buf_adds(b, " (") < 0 ||
        report_gate_label(b, s, gh_prop) < 0)
        return -1;
    return buf_adds(b, ")::");
}

static int gh_finding(struct buf *b, const struct report_input *in, const struct verdict_finding *f)
{
    char nums[REPORT_GATE_NUMBERS], what[40];
    struct span action = report_gate_chars(f->action, sizeof f->action);
    snprintf(what, sizeof what, "%s%s", f->known ? "known " : "", report_gate_kind(f));
    report_gate_numbers(f->site, nums);
    if (gh_open(b, in, f->known ? "notice" : "error", f->rules_line, what, f->site) < 0 ||
        gh_data(b, report_gate_chars(f->message, sizeof f->message)) < 0 || buf_adds(b, " (") < 0 ||
        gh_data(b, span_of(nums)) < 0 || buf_adds(b, ")") < 0)
        return -1;
    if (f->known && buf_adds(b, ". In the baseline already: it does not fail the gate") < 0)
        return -1;
    if (!f->known && action.n &&
        (buf_adds(b, ". ") < 0 || report_gate_sentence(b, action, gh_data) < 0))
        return -1;
    return buf_adds(b, "\n");
}

static int gh_kept(struct buf *b, const struct report_input *in, const struct analysis_site *s)
{
    if (gh_open(b, in, "notice", s->call_line, "kept", s) < 0 ||
        buf_adds(b, "verdict ") < 0 || gh_data(b, span_of(s->verdict)) < 0 ||
        buf_adds(b, ", kept by the rules: ") < 0 || gh_data(b, s->keep_reason) < 0)
        return -1;
    return buf_adds(b, "\n");
}

static int github_write(const struct report_input *in, FILE *out, struct err *e)
{
    return gate_stream(in, out, e, gh_finding, gh_kept, "::notice title=Tempo gate::passed: ",
                       "::notice title=Tempo gate::failed: ", gh_data);
}

const struct reporter report_gate_github = { "github", github_write };
