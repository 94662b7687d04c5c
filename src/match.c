/*
 * match.c - the matcher (matcher stage): `call` and `read` rules of the rules
 * language (PRODUCT.md §3) applied to events. A METHOD PATH rule compares the
 * event's `method` and `path` attributes, with {name} capturing one segment and
 * '*' any run; a `where` rule evaluates its expression. Keys and by= values are
 * taken from a capture of that name first, else from the attribute.
 */
#include "match.h"

#define MATCH_MAX_CAPTURES 8

struct capture {
    struct span name, value;
};


struct matcher {
    const struct rules *rules;
    struct span *wanted; /* arena: attribute names the rules may read */
    unsigned n_wanted, cap_wanted;
};

/* Token counts under the names logs and spans use (OpenAI usage.*, Anthropic,
 * OpenTelemetry GenAI, flattened JSON bodies), in order of preference. A
 * streamed Anthropic answer gives its input in the first event
 * (message_start: resp.message.usage) and its output in the last
 * (message_delta: resp.usage). */
static const char *const tokens_in_names[] = {
    "usage.prompt_tokens",           "usage.input_tokens",
    "resp.usage.prompt_tokens",      "resp.usage.input_tokens",
    "resp.message.usage.input_tokens",
    "gen_ai.usage.input_tokens",     "gen_ai.usage.prompt_tokens",
    "prompt_tokens",                 "input_tokens",
    NULL,
};
static const char *const tokens_out_names[] = {
    "usage.completion_tokens",       "usage.output_tokens",
    "resp.usage.completion_tokens",  "resp.usage.output_tokens",
    "gen_ai.usage.output_tokens",    "gen_ai.usage.completion_tokens",
    "completion_tokens",             "output_tokens",
    NULL,
};

static const struct span name_method = SPAN_LIT("method");
static const struct span name_path = SPAN_LIT("path");

static void want(struct matcher *m, struct span name)
{
    if (!name.n || m->n_wanted >= m->cap_wanted)
        return; /* cannot happen: match_new() counted every name */
    for (unsigned i = 0; i < m->n_wanted; i++)
        if (span_eq(m->wanted[i], name))
            return;
    m->wanted[m->n_wanted++] = name;
}

/* Attribute names of an expression: the right spine of and/or chains is
 * walked in a loop, so only nesting (LIMIT_RULE_DEPTH) costs stack. */
static void want_node(struct matcher *m, const struct rules_node *n)
{
    while (n) {
        if (n->kind == NODE_ATTR)
            want(m, n->text);
        if (n->lhs)
            want_node(m, n->lhs);
        n = n->rhs;
    }
}

/* How many attribute names an expression holds: room for want_node(). */
static unsigned count_names(const struct rules_node *n)
{
    unsigned k = 0;
    for (; n; n = n->rhs) {
        k += n->kind == NODE_ATTR;
        if (n->lhs)
            k += count_names(n->lhs);
    }
    return k;
}

static void want_rule(struct matcher *m, const struct rules_match *rm)
{
    want(m, rm->key);
    want(m, rm->key2);
    want(m, rm->by);
    want_node(m, rm->where);
}

struct matcher *match_new(const struct rules *r, struct arena *a)
{
    struct matcher *m = arena_alloc(a, sizeof *m);
    m->rules = r;
    /* Every name the rules can ask for, however many rules there are. */
    unsigned cap = 2;
    for (unsigned i = 0; tokens_in_names[i]; i++)
        cap++;
    for (unsigned i = 0; tokens_out_names[i]; i++)
        cap++;
    for (unsigned i = 0; i < r->n_calls; i++)
        cap += 3 + count_names(r->calls[i].where);
    for (unsigned i = 0; i < r->n_reads; i++)
        cap += 3 + count_names(r->reads[i].where);
    m->cap_wanted = cap;
    m->wanted = arena_alloc(a, sizeof *m->wanted * cap);
    want(m, name_method);
    want(m, name_path);
    for (unsigned i = 0; tokens_in_names[i]; i++)
        want(m, span_of(tokens_in_names[i]));
    for (unsigned i = 0; tokens_out_names[i]; i++)
        want(m, span_of(tokens_out_names[i]));
    for (unsigned i = 0; i < r->n_calls; i++)
        want_rule(m, &r->calls[i]);
    for (unsigned i = 0; i < r->n_reads; i++)
        want_rule(m, &r->reads[i]);
    return m;
}

const struct span *match_wanted(const struct matcher *m, unsigned *n)
{
    *n = m->n_wanted;
    return m->wanted;
}

/* Two '*' against a long hostile path backtrack quadratically: each try of
 * a '*' or a capture is a step, and past LIMIT_PATH_STEPS the path does not
 * match the pattern. A pattern of literals takes none. */
static bool take_step(uint64_t *steps)
{
    if (*steps == 0)
        return false;
    --*steps;
    return true;
}

/* Does text match segs[i..]? Backtracks over '*' and captures; captures are
 * written as they are bound. Patterns come from the rules file, so the depth
 * is bounded by the number of segments of one pattern. */
static bool path_match(const struct rules_seg *segs, unsigned i, unsigned n, struct span text,
                       struct capture *caps, unsigned *n_caps, uint64_t *steps)
{
    if (i == n)
        return text.n == 0;
    const struct rules_seg *sg = &segs[i];
    switch (sg->kind) {
    case SEG_LITERAL:
        if (text.n < sg->text.n || memcmp(text.p, sg->text.p, sg->text.n) != 0)
            return false;
        return path_match(segs, i + 1, n, (struct span){ text.p + sg->text.n, text.n - sg->text.n },
                          caps, n_caps, steps);
    case SEG_CAPTURE: {
        /* A capture is one non-empty segment: stop at '/'. */
        size_t max = 0;
        while (max < text.n && text.p[max] != '/')
            max++;
        unsigned slot = *n_caps;
        for (size_t k = max; k >= 1; k--) {
            if (!take_step(steps))
                return false;
            /* Longest first: "{id}" at the end takes the whole segment at once. */
            *n_caps = slot;
            if (slot < MATCH_MAX_CAPTURES) {
                caps[slot] = (struct capture){ sg->text, { text.p, k } };
                *n_caps = slot + 1;
            }
            if (path_match(segs, i + 1, n, (struct span){ text.p + k, text.n - k }, caps,
                           n_caps, steps))
                return true;
        }
        *n_caps = slot;
        return false;
    }
    case SEG_ANY:
        for (size_t k = text.n + 1; k-- > 0;) {
            if (!take_step(steps))
                return false;
            unsigned slot = *n_caps;
            if (path_match(segs, i + 1, n, (struct span){ text.p + k, text.n - k }, caps,
                           n_caps, steps))
                return true;
            *n_caps = slot;
        }
        return false;
    }
    return false;
}

/* Does the event match the rule? Fills the captures of its path. */
static bool rule_match(const struct rules_match *rm, const struct event *ev, struct span method,
                       struct span path, struct capture *caps, unsigned *n_caps)
{
    *n_caps = 0;
    if (rm->where)
        return rules_eval_event(rm->where, ev);
    if (rm->method.n && !(rm->method.n == 1 && rm->method.p[0] == '*') &&
        !span_eq(rm->method, method))
        return false;
    if (!path.p)
        return false;
    uint64_t steps = LIMIT_PATH_STEPS;
    return path_match(rm->path.segs, 0, rm->path.n_segs, path, caps, n_caps, &steps);
}

/* The value of `name`: a capture of that name, else the event's attribute. */
static struct span lookup(struct span name, const struct event *ev, const struct capture *caps,
                          unsigned n_caps)
{
    if (!name.n)
        return SPAN_NULL;
    for (unsigned i = 0; i < n_caps; i++)
        if (span_eq(caps[i].name, name))
            return caps[i].value;
    const struct attr *a = event_get(ev, name);
    return a && a->type != ATTR_NULL ? a->value : SPAN_NULL;
}

/* Rank of `name` in `names` (lower is preferred), or -1. */
static int rank_of(struct span name, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (span_eq_str(name, names[i]))
            return i;
    return -1;
}

/* One pass over the attributes: only names ending in "tokens" are compared
 * with the lists, so an access-log line costs a few byte compares. */
static void tokens(const struct event *ev, int64_t *in, int64_t *out)
{
    int best_in = 1 << 30, best_out = 1 << 30;
    *in = *out = -1;
    for (unsigned i = 0; i < ev->n_attrs; i++) {
        const struct attr *a = &ev->attrs[i];
        int64_t v;
        if (a->name.n < 6 || memcmp(a->name.p + a->name.n - 6, "tokens", 6) != 0)
            continue;
        if (!span_to_i64(a->value, &v) || v < 0 || v > LIMIT_TOKENS)
            continue; /* not a count a call can have: unknown, priced at the site's mean */
        int r = rank_of(a->name, tokens_in_names);
        if (r >= 0 && r < best_in) {
            best_in = r;
            *in = v;
        }
        r = rank_of(a->name, tokens_out_names);
        if (r >= 0 && r < best_out) {
            best_out = r;
            *out = v;
        }
    }
}

bool match_event(struct matcher *m, const struct event *ev, struct match_out *out)
{
    const struct rules *r = m->rules;
    struct span method = SPAN_NULL, path = SPAN_NULL;
    const struct attr *a = event_get(ev, name_method);
    if (a)
        method = a->value;
    a = event_get(ev, name_path);
    if (a) {
        path = a->value;
        struct span rest = path;
        span_cut(&rest, '?', &path); /* patterns never see the query */
    }
    struct capture caps[MATCH_MAX_CAPTURES];
    unsigned n_caps;

    out->has_call = false;
    out->n_reads = 0;
    for (unsigned i = 0; i < r->n_calls; i++) {
        const struct rules_match *rm = &r->calls[i];
        if (!rule_match(rm, ev, method, path, caps, &n_caps))
            continue;
        struct match_call *c = &out->call;
        c->site = rm->site;
        c->rule = i;
        c->key = lookup(rm->key, ev, caps, n_caps);
        if (c->key.n > LIMIT_KEY)
            c->key = SPAN_NULL;
        c->key2 = lookup(rm->key2, ev, caps, n_caps);
        if (c->key2.n > LIMIT_KEY)
            c->key2 = SPAN_NULL;
        c->by = lookup(rm->by, ev, caps, n_caps);
        if (c->by.n > LIMIT_BY)
            c->by.n = LIMIT_BY;
        c->start_us = ev->start_us;
        c->ready_us = ev->end_us;
        c->latency_us = ev->has_duration ? ev->end_us - ev->start_us : -1;
        tokens(ev, &c->tokens_in, &c->tokens_out);
        out->has_call = true;
        break;
    }
    for (unsigned i = 0; i < r->n_reads && out->n_reads < MATCH_MAX_READS; i++) {
        const struct rules_match *rm = &r->reads[i];
        if (!rule_match(rm, ev, method, path, caps, &n_caps))
            continue;
        struct match_read *rd = &out->reads[out->n_reads];
        rd->site = rm->site;
        rd->rule = i;
        rd->bulk = rm->bulk;
        rd->key = rm->bulk ? SPAN_NULL : lookup(rm->key, ev, caps, n_caps);
        if (!rm->bulk && (rd->key.n == 0 || rd->key.n > LIMIT_KEY))
            continue; /* a keyed read without its key reads nothing we can find */
        rd->by = lookup(rm->by, ev, caps, n_caps);
        if (rd->by.n > LIMIT_BY)
            rd->by.n = LIMIT_BY;
        rd->at_us = ev->start_us;
        out->n_reads++;
    }
    return out->has_call || out->n_reads > 0;
}
