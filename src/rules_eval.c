/*
 * rules_eval.c - evaluates the rules' expressions (rules stage, PRODUCT.md §3):
 * match expressions on an event's attributes for the matcher, verdict
 * expressions on a site's metrics, and the canonical text of an expression
 * for verdict reasons. Nothing here allocates but rules_node_format's buf.
 */
#include <stdio.h>

#include "rules_int.h"

static bool cmp_num(enum rules_cmp op, double a, double b)
{
    switch (op) {
    case CMP_EQ:
        return a == b;
    case CMP_NE:
        return a != b;
    case CMP_LT:
        return a < b;
    case CMP_LE:
        return a <= b;
    case CMP_GT:
        return a > b;
    case CMP_GE:
        return a >= b;
    case CMP_GLOB:
        return false;
    }
    return false;
}

/* The operator seen from the other side: 5 < x is x > 5. */
static enum rules_cmp flip(enum rules_cmp op)
{
    switch (op) {
    case CMP_LT:
        return CMP_GT;
    case CMP_LE:
        return CMP_GE;
    case CMP_GT:
        return CMP_LT;
    case CMP_GE:
        return CMP_LE;
    default:
        return op;
    }
}

static int span_cmp(struct span a, struct span b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

static bool event_cmp(const struct rules_node *n, const struct event *ev)
{
    const struct rules_node *name = n->lhs, *lit = n->rhs;
    enum rules_cmp op = n->op;
    if (name->kind != NODE_ATTR) {
        name = n->rhs;
        lit = n->lhs;
        op = flip(op);
    }
    if (name->kind != NODE_ATTR)
        return false;
    const struct attr *a = event_get(ev, name->text);
    if (!a || a->type == ATTR_NULL)
        return op == CMP_NE;
    switch (lit->kind) {
    case NODE_NUMBER: {
        double v;
        if (!span_to_double(a->value, &v))
            return op == CMP_NE; /* not a number: unlike any number */
        return cmp_num(op, v, lit->num);
    }
    case NODE_STRING:
        if (op == CMP_GLOB)
            return span_glob(lit->text, a->value);
        return cmp_num(op, span_cmp(a->value, lit->text), 0);
    case NODE_BOOL: {
        bool eq = span_eq_str(a->value, lit->num != 0 ? "true" : "false");
        return op == CMP_EQ ? eq : op == CMP_NE ? !eq : false;
    }
    default:
        return false;
    }
}

/* Loops down the right spine of and/or chains, recursing only on the left. */
bool rules_eval_event(const struct rules_node *n, const struct event *ev)
{
    for (;;) {
        switch (n->kind) {
        case NODE_AND:
            if (!rules_eval_event(n->lhs, ev))
                return false;
            n = n->rhs;
            continue;
        case NODE_OR:
            if (rules_eval_event(n->lhs, ev))
                return true;
            n = n->rhs;
            continue;
        case NODE_NOT:
            return !rules_eval_event(n->lhs, ev);
        case NODE_CMP:
            return event_cmp(n, ev);
        case NODE_BOOL:
            return n->num != 0;
        default:
            return false;
        }
    }
}

/* A metric's value or a literal's; false when the metric has none. */
static bool metric_value(const struct rules_node *n, const struct rules_metrics *m, double *v)
{
    if (n->kind == NODE_METRIC) {
        if ((unsigned)n->metric >= METRIC_COUNT || !m->has[n->metric])
            return false;
        *v = m->v[n->metric];
        return true;
    }
    if (n->kind == NODE_NUMBER || n->kind == NODE_DURATION || n->kind == NODE_SHARE ||
        n->kind == NODE_BOOL) {
        *v = n->num;
        return true;
    }
    return false;
}

bool rules_eval_metrics(const struct rules_node *n, const struct rules_metrics *m)
{
    for (;;) {
        switch (n->kind) {
        case NODE_AND:
            if (!rules_eval_metrics(n->lhs, m))
                return false;
            n = n->rhs;
            continue;
        case NODE_OR:
            if (rules_eval_metrics(n->lhs, m))
                return true;
            n = n->rhs;
            continue;
        case NODE_NOT:
            return !rules_eval_metrics(n->lhs, m);
        case NODE_CMP: {
            double a, b;
            if (!metric_value(n->lhs, m, &a) || !metric_value(n->rhs, m, &b))
                return false;
            return cmp_num(n->op, a, b);
        }
        case NODE_BOOL:
            return n->num != 0;
        default:
            return false;
        }
    }
}

static const char *const op_text[] = {
    [CMP_EQ] = "==", [CMP_NE] = "!=", [CMP_LT] = "<",   [CMP_LE] = "<=",
    [CMP_GT] = ">",  [CMP_GE] = ">=", [CMP_GLOB] = "~",
};

static int format_value(const struct rules_node *n, struct buf *out)
{
    switch (n->kind) {
    case NODE_STRING: {
        if (buf_add(out, "\"", 1) < 0)
            return -1;
        for (size_t i = 0; i < n->text.n; i++) {
            char c = n->text.p[i];
            if ((c == '"' || c == '\\') && buf_add(out, "\\", 1) < 0)
                return -1;
            if (buf_add(out, &c, 1) < 0)
                return -1;
        }
        return buf_add(out, "\"", 1);
    }
    case NODE_METRIC:
        if (!n->text.n)
            return buf_adds(out, rules_metric_name(n->metric));
        return buf_addspan(out, n->text);
    case NODE_BOOL:
        return buf_adds(out, n->num != 0 ? "true" : "false");
    case NODE_NUMBER:
    case NODE_DURATION:
    case NODE_SHARE:
        if (!n->text.n)
            return buf_printf(out,
                              n->kind == NODE_SHARE      ? "%g%%"
                              : n->kind == NODE_DURATION ? "%gs"
                                                         : "%g",
                              n->kind == NODE_SHARE ? n->num * 100 : n->num);
        return buf_addspan(out, n->text);
    default:
        return buf_addspan(out, n->text);
    }
}

enum { CTX_TOP, CTX_OR, CTX_AND, CTX_NOT };

/* Parentheses only where the grammar needs them: an 'or' inside an 'and',
 * an 'and' or 'or' under 'not'. Loops down chains like the evaluators. */
static int format_node(const struct rules_node *n, struct buf *out, int ctx)
{
    for (;;) {
        switch (n->kind) {
        case NODE_AND:
        case NODE_OR: {
            int self = n->kind == NODE_OR ? CTX_OR : CTX_AND;
            bool paren = self < ctx;
            if (paren && buf_add(out, "(", 1) < 0)
                return -1;
            const struct rules_node *c = n;
            for (;;) {
                if (format_node(c->lhs, out, self) < 0 ||
                    buf_adds(out, c->kind == NODE_OR ? " or " : " and ") < 0)
                    return -1;
                if (c->rhs->kind != c->kind)
                    break;
                c = c->rhs;
            }
            if (format_node(c->rhs, out, self) < 0)
                return -1;
            return paren ? buf_add(out, ")", 1) : 0;
        }
        case NODE_NOT:
            if (buf_adds(out, "not ") < 0)
                return -1;
            n = n->lhs;
            ctx = CTX_NOT;
            continue;
        case NODE_CMP:
            if (format_value(n->lhs, out) < 0 || buf_printf(out, " %s ", op_text[n->op]) < 0)
                return -1;
            return format_value(n->rhs, out);
        default:
            return format_value(n, out);
        }
    }
}

int rules_node_format(const struct rules_node *n, struct buf *out)
{
    if (!n)
        return buf_add(out, "", 0);
    return format_node(n, out, CTX_TOP);
}
