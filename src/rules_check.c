/*
 * rules_check.c - the rules language's semantic checks (rules stage,
 * PRODUCT.md §3): expression shapes, metric names and types in verdicts,
 * attributes against literals in call/read rules, sites named by read, keep
 * and price lines, and the four default verdicts when a file has none.
 */
#include <stdarg.h>
#include <stdio.h>

#include "rules_int.h"

enum metric_type { MT_COUNT, MT_SHARE, MT_DURATION };

static const struct {
    const char *name;
    enum metric_type type;
} metrics[METRIC_COUNT] = {
    [METRIC_CALLS] = { "calls", MT_COUNT },
    [METRIC_READS] = { "reads", MT_COUNT },
    [METRIC_READ_SHARE] = { "read_share", MT_SHARE },
    [METRIC_TOLERANT_SHARE] = { "tolerant_share", MT_SHARE },
    [METRIC_TOLERANT_SHARE_LO] = { "tolerant_share_lo", MT_SHARE },
    [METRIC_MIN_WAIT] = { "min_wait", MT_DURATION },
    [METRIC_P50_WAIT] = { "p50_wait", MT_DURATION },
    [METRIC_P90_WAIT] = { "p90_wait", MT_DURATION },
    [METRIC_P95_WAIT] = { "p95_wait", MT_DURATION },
    [METRIC_P99_WAIT] = { "p99_wait", MT_DURATION },
    [METRIC_MAX_WAIT] = { "max_wait", MT_DURATION },
    [METRIC_P50_LATENCY] = { "p50_latency", MT_DURATION },
    [METRIC_P99_LATENCY] = { "p99_latency", MT_DURATION },
    [METRIC_CALLS_PER_DAY] = { "calls_per_day", MT_COUNT },
    [METRIC_DELAY] = { "delay", MT_DURATION },
    [METRIC_CONFIDENCE] = { "confidence", MT_SHARE },
};

static const char *const type_names[] = { "a count", "a share", "a duration" };

const char *rules_metric_name(enum rules_metric m)
{
    return (unsigned)m < METRIC_COUNT ? metrics[m].name : "?";
}

int rules_metric_of(struct span name)
{
    for (int i = 0; i < METRIC_COUNT; i++)
        if (span_eq_str(name, metrics[i].name))
            return i;
    return -1;
}

int rules_site_of(const struct rules *r, struct span name)
{
    for (unsigned i = 0; i < r->n_sites; i++)
        if (span_eq(r->sites[i].name, name))
            return (int)i;
    return -1;
}

static void error_node(struct rules_parser *ps, const struct rules_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void error_node(struct rules_parser *ps, const struct rules_node *n, const char *fmt, ...)
{
    char msg[RULES_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rules_error(ps, n->line, n->col, n->len ? n->len : 1, "%s", msg);
}

static bool is_cond(const struct rules_node *n)
{
    return n->kind == NODE_AND || n->kind == NODE_OR || n->kind == NODE_NOT || n->kind == NODE_CMP;
}

static const char *literal_name(const struct rules_node *n)
{
    switch (n->kind) {
    case NODE_NUMBER:
        return "a number";
    case NODE_DURATION:
        return "a duration";
    case NODE_SHARE:
        return "a share";
    case NODE_STRING:
        return "a string";
    case NODE_BOOL:
        return "true or false";
    default:
        return "a value";
    }
}

/* A verdict compares a metric with a literal of its type, or with a metric of
 * the same type: durations with durations, shares with shares (or numbers
 * from 0 to 1), counts with numbers. */
static void check_verdict_cmp(struct rules_parser *ps, const struct rules_node *n)
{
    const struct rules_node *m = n->lhs, *o = n->rhs;
    char q[RULES_QUOTE_CAP];
    if (m->kind != NODE_METRIC) {
        m = n->rhs;
        o = n->lhs;
    }
    if (m->kind != NODE_METRIC) {
        error_node(ps, n, "compare a metric with a value, not two values");
        return;
    }
    if (n->op == CMP_GLOB) {
        error_node(ps, n, "'~' matches strings, and metrics are numbers");
        return;
    }
    enum metric_type t = metrics[m->metric].type;
    const char *name = metrics[m->metric].name;
    if (o->kind == NODE_METRIC) {
        if (metrics[o->metric].type != t)
            error_node(ps, o, "cannot compare %s (%s) with %s (%s)", name, type_names[t],
                       metrics[o->metric].name, type_names[metrics[o->metric].type]);
        return;
    }
    switch (t) {
    case MT_DURATION:
        if (o->kind != NODE_DURATION)
            error_node(ps, o, "%s is a duration: compare it with a duration like 1m, not %s", name,
                       literal_name(o));
        break;
    case MT_SHARE:
        if (o->kind == NODE_NUMBER && (o->num < 0 || o->num > 1))
            error_node(ps, o,
                       "%s is a share: compare it with a share like 1%% or a number from 0 to 1, "
                       "not %s",
                       name, (rules_quote(o->text, q), q));
        else if (o->kind != NODE_SHARE && o->kind != NODE_NUMBER)
            error_node(ps, o,
                       "%s is a share: compare it with a share like 1%% or a number from 0 to 1, "
                       "not %s",
                       name, literal_name(o));
        break;
    case MT_COUNT:
        if (o->kind != NODE_NUMBER)
            error_node(ps, o, "%s is a count: compare it with a number, not %s", name,
                       literal_name(o));
        break;
    }
}

/* A match expression compares an event attribute with a string, a number or
 * true/false. */
static void check_event_cmp(struct rules_parser *ps, const struct rules_node *n)
{
    const struct rules_node *at = n->lhs, *o = n->rhs;
    char q[RULES_QUOTE_CAP], q2[RULES_QUOTE_CAP];
    if (at->kind != NODE_ATTR) {
        at = n->rhs;
        o = n->lhs;
    }
    if (at->kind != NODE_ATTR) {
        error_node(ps, n, "compare an attribute with a value, not two values");
        return;
    }
    switch (o->kind) {
    case NODE_ATTR:
        rules_quote(at->text, q);
        rules_quote(o->text, q2);
        error_node(ps, o->col > at->col ? o : at,
                   "compare attribute '%s' with a string or a number, not with attribute '%s'", q,
                   q2);
        break;
    case NODE_STRING:
        break;
    case NODE_NUMBER:
        if (n->op == CMP_GLOB)
            error_node(ps, n, "'~' needs a string pattern, like path ~ \"/v1/*\"");
        break;
    case NODE_BOOL:
        if (n->op != CMP_EQ && n->op != CMP_NE)
            error_node(ps, n, "true and false compare only with == and !=");
        break;
    default:
        error_node(ps, o, "%s is for verdicts: compare attribute '%s' with a string or a number",
                   o->kind == NODE_DURATION ? "a duration" : "a share",
                   (rules_quote(at->text, q), q));
        break;
    }
}

static void check_cmp(struct rules_parser *ps, const struct rules_node *n)
{
    if (is_cond(n->lhs) || is_cond(n->rhs)) {
        error_node(ps, is_cond(n->lhs) ? n->lhs : n->rhs,
                   "a comparison cannot be compared again: join comparisons with 'and'");
        return;
    }
    if (ps->in_verdict)
        check_verdict_cmp(ps, n);
    else
        check_event_cmp(ps, n);
}

static void not_a_condition(struct rules_parser *ps, const struct rules_node *n)
{
    char q[RULES_QUOTE_CAP];
    rules_quote(n->text, q);
    if (n->kind == NODE_ATTR)
        error_node(ps, n, "'%s' alone is not a condition (compare it, like %s == \"...\")", q, q);
    else if (n->kind == NODE_METRIC)
        error_node(ps, n, "'%s' alone is not a condition (compare it, like %s %s)", q, q,
                   metrics[n->metric].type == MT_DURATION ? ">= 1m"
                   : metrics[n->metric].type == MT_SHARE  ? "< 1%"
                                                          : "> 100");
    else
        error_node(ps, n, "%s is not a condition (expected a comparison)", literal_name(n));
}

/* Recurses only into left operands: chains lean right (rules_parse.c), so
 * the depth is bounded by the nesting that LIMIT_RULE_DEPTH caps. */
static void check_cond(struct rules_parser *ps, const struct rules_node *n)
{
    while (!ps->in_error) {
        switch (n->kind) {
        case NODE_AND:
        case NODE_OR:
            check_cond(ps, n->lhs);
            n = n->rhs;
            continue;
        case NODE_NOT:
            n = n->lhs;
            continue;
        case NODE_CMP:
            check_cmp(ps, n);
            return;
        default:
            not_a_condition(ps, n);
            return;
        }
    }
}

void rules_check_expr(struct rules_parser *ps, const struct rules_node *n) { check_cond(ps, n); }

/* ---- default verdicts (PRODUCT.md §3) ---- */

static struct rules_node *leaf(struct arena *a, enum rules_node_kind kind, const char *text,
                               double num)
{
    struct rules_node *n = arena_alloc(a, sizeof *n);
    n->kind = kind;
    n->text = span_of(text);
    n->num = num;
    if (kind == NODE_METRIC)
        n->metric = (enum rules_metric)rules_metric_of(n->text);
    return n;
}

static struct rules_node *cmp(struct arena *a, enum rules_cmp op, struct rules_node *lhs,
                              struct rules_node *rhs)
{
    struct rules_node *n = arena_alloc(a, sizeof *n);
    n->kind = NODE_CMP;
    n->op = op;
    n->lhs = lhs;
    n->rhs = rhs;
    return n;
}

static void add_defaults(struct arena *a, struct rules *r)
{
    r->verdicts = arena_alloc(a, 4 * sizeof *r->verdicts);
    r->n_verdicts = 4;
    r->verdicts[0] = (struct rules_verdict){
        SPAN_LIT("unused"),
        cmp(a, CMP_LT, leaf(a, NODE_METRIC, "read_share", 0), leaf(a, NODE_SHARE, "1%", 0.01)), 0, 0
    };
    r->verdicts[1] =
        (struct rules_verdict){ SPAN_LIT("batch"),
                                cmp(a, CMP_GE, leaf(a, NODE_METRIC, "tolerant_share", 0),
                                    leaf(a, NODE_METRIC, "confidence", 0)),
                                0, 0 };
    r->verdicts[2] = (struct rules_verdict){
        SPAN_LIT("streaming"),
        cmp(a, CMP_GE, leaf(a, NODE_METRIC, "p50_wait", 0), leaf(a, NODE_DURATION, "1m", 60)), 0, 0
    };
    r->verdicts[3] = (struct rules_verdict){ SPAN_LIT("realtime"), NULL, 0, 0 };
}

void rules_check_finish(struct rules_parser *ps)
{
    struct rules *r = ps->r;
    char q[RULES_QUOTE_CAP];
    for (unsigned i = 0; i < ps->n_refs && ps->n_diags < LIMIT_RULE_ERRORS; i++) {
        const struct rules_ref *f = &ps->refs[i];
        int site = rules_site_of(r, f->name);
        if (site < 0) {
            ps->in_error = false;
            rules_error(ps, f->line, f->col, (unsigned)f->name.n,
                        "unknown site '%s' (no call rule defines it)",
                        (rules_quote(f->name, q), q));
            continue;
        }
        if (f->kind == REF_READ)
            r->reads[f->index].site = (unsigned)site;
        else if (f->kind == REF_KEEP)
            r->keeps[f->index].site = (unsigned)site;
        else
            r->prices[f->index].site = (unsigned)site;
    }
    if (!ps->had_verdict)
        add_defaults(ps->a, r);
}
