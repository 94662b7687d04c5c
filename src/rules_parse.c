/*
 * rules_parse.c - the rules language's recursive-descent parser (rules stage,
 * PRODUCT.md §3, STYLE.md §6): one function per grammar rule with the rule as
 * its first comment, a precedence table for expressions, errors recorded like
 * a compiler's and rendered with the source line and a caret. Also
 * rules_parse() and rules_load(). See lua lparser.c, jq src/locfile.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules_int.h"

/* ---- errors and tokens ---- */

static void verror(struct rules_parser *ps, unsigned line, unsigned col, unsigned len,
                   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void verror(struct rules_parser *ps, unsigned line, unsigned col, unsigned len,
                   const char *fmt, va_list ap)
{
    if (ps->in_error)
        return; /* one error per statement: the rest is noise */
    ps->in_error = true;
    if (ps->n_diags >= LIMIT_RULE_ERRORS)
        return;
    struct rules_diag *d = &ps->diags[ps->n_diags++];
    d->line = line;
    d->col = col;
    d->len = len;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
}

void rules_error(struct rules_parser *ps, unsigned line, unsigned col, unsigned len,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(ps, line, col, len, fmt, ap);
    va_end(ap);
}

static void error_tok(struct rules_parser *ps, const struct rules_token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void error_tok(struct rules_parser *ps, const struct rules_token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(ps, t->line, t->col, (unsigned)(t->text.n ? t->text.n : 1), fmt, ap);
    va_end(ap);
}

/* "'foo'" or "end of line", for "expected X, got Y". */
static const char *describe(const struct rules_token *t, char *out)
{
    if (t->kind == TOK_EOL || t->kind == TOK_EOF)
        return "end of line";
    char q[RULES_QUOTE_CAP];
    rules_quote(t->text, q);
    snprintf(out, RULES_QUOTE_CAP + 2, "'%s'", q);
    return out;
}

/* Mix a token into the rules' match_digest (FNV-1a over kind and text). */
static void digest_token(struct rules_parser *ps, const struct rules_token *t)
{
    uint64_t h = ps->r->match_digest ? ps->r->match_digest : UINT64_C(14695981039346656037);
    h = (h ^ (uint64_t)t->kind) * UINT64_C(1099511628211);
    h = (h ^ span_hash(t->text)) * UINT64_C(1099511628211);
    ps->r->match_digest = h;
}

static void next(struct rules_parser *ps)
{
    rules_lex_next(&ps->lx, &ps->tok);
    if (ps->tok.kind == TOK_ERROR)
        error_tok(ps, &ps->tok, "%s", ps->lx.msg);
    if (ps->digesting)
        digest_token(ps, &ps->tok);
}

static bool is_word(const struct rules_parser *ps, const char *w)
{
    return ps->tok.kind == TOK_WORD && span_eq_str(ps->tok.text, w);
}

/* Report "expected WHAT AFTER, got ..." at the current token. */
static void expected(struct rules_parser *ps, const char *what, const char *after)
{
    char got[RULES_QUOTE_CAP + 2];
    error_tok(ps, &ps->tok, "expected %s %s, got %s", what, after, describe(&ps->tok, got));
}

/* Consume the token if it is of `kind`, copying it to *out; else report
 * "expected WHAT AFTER, got ..." and fail. */
static bool expect(struct rules_parser *ps, enum rules_tok kind, const char *what,
                   const char *after, struct rules_token *out)
{
    if (ps->tok.kind == kind) {
        if (out)
            *out = ps->tok;
        next(ps);
        return true;
    }
    expected(ps, what, after);
    return false;
}

static bool at_end(const struct rules_parser *ps)
{
    return ps->tok.kind == TOK_EOL || ps->tok.kind == TOK_EOF;
}

/* Anything left on the line is an error; `expected` lists what could have come. */
static void expect_end(struct rules_parser *ps, const char *expected)
{
    if (ps->in_error || at_end(ps))
        return;
    char got[RULES_QUOTE_CAP + 2];
    error_tok(ps, &ps->tok, "unexpected %s (expected %s)", describe(&ps->tok, got), expected);
}

static struct span keep(struct rules_parser *ps, struct span s) { return arena_keep(ps->a, s); }

static char *quote(struct span s, char *out)
{
    rules_quote(s, out);
    return out;
}

/* Make room for one more element in an arena array of capacity *cap. */
static void *grow(struct arena *a, void *old, unsigned n, unsigned *cap, size_t size)
{
    if (n < *cap)
        return old;
    unsigned nc = *cap ? *cap * 2 : 8;
    void *p = arena_alloc(a, (size_t)nc * size);
    if (n)
        memcpy(p, old, (size_t)n * size);
    *cap = nc;
    return p;
}

static bool under_limit(struct rules_parser *ps, unsigned n, const struct rules_token *kw,
                        const char *what)
{
    if (n < LIMIT_RULES)
        return true;
    error_tok(ps, kw, "too many %s (at most %u)", what, (unsigned)LIMIT_RULES);
    return false;
}

static void add_ref(struct rules_parser *ps, enum rules_ref_kind kind, unsigned index,
                    const struct rules_token *name)
{
    ps->refs = grow(ps->a, ps->refs, ps->n_refs, &ps->cap_refs, sizeof *ps->refs);
    ps->refs[ps->n_refs++] =
        (struct rules_ref){ kind, index, keep(ps, name->text), name->line, name->col };
}

/* ---- expressions ---- */

enum { PREC_OR = 1, PREC_AND = 2, PREC_CMP = 3 };

static const struct binop {
    enum rules_tok tok;
    int prec;
    enum rules_node_kind kind;
    enum rules_cmp op;
} binops[] = {
    { TOK_OR, PREC_OR, NODE_OR, CMP_EQ },        { TOK_AND, PREC_AND, NODE_AND, CMP_EQ },
    { TOK_EQ, PREC_CMP, NODE_CMP, CMP_EQ },      { TOK_NE, PREC_CMP, NODE_CMP, CMP_NE },
    { TOK_LT, PREC_CMP, NODE_CMP, CMP_LT },      { TOK_LE, PREC_CMP, NODE_CMP, CMP_LE },
    { TOK_GT, PREC_CMP, NODE_CMP, CMP_GT },      { TOK_GE, PREC_CMP, NODE_CMP, CMP_GE },
    { TOK_TILDE, PREC_CMP, NODE_CMP, CMP_GLOB },
};

static const struct binop *binop_of(enum rules_tok kind)
{
    for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
        if (binops[i].tok == kind)
            return &binops[i];
    return NULL;
}

static struct rules_node *node_new(struct rules_parser *ps, enum rules_node_kind kind,
                                   const struct rules_token *t)
{
    struct rules_node *n = arena_alloc(ps->a, sizeof *n);
    n->kind = kind;
    n->line = t->line;
    n->col = t->col;
    n->len = (unsigned)t->text.n;
    return n;
}

/* One more level of '(' or 'not'; LIMIT_RULE_DEPTH bounds the recursion. */
static bool enter(struct rules_parser *ps, const struct rules_token *t)
{
    if (++ps->depth <= LIMIT_RULE_DEPTH)
        return true;
    error_tok(ps, t, "expression nested deeper than %d levels", LIMIT_RULE_DEPTH);
    return false;
}

static struct rules_node *parse_cond(struct rules_parser *ps, int min_prec);

/* primary -> '(' cond ')' | NAME | STRING | NUMBER | DURATION | SHARE | 'true' | 'false' */
static struct rules_node *parse_primary(struct rules_parser *ps)
{
    struct rules_token t = ps->tok;
    struct rules_node *n;
    char q[RULES_QUOTE_CAP + 2];
    switch (t.kind) {
    case TOK_LPAREN: {
        if (!enter(ps, &t))
            return NULL;
        next(ps);
        n = parse_cond(ps, 0);
        ps->depth--;
        if (!n)
            return NULL;
        if (ps->tok.kind != TOK_RPAREN) {
            error_tok(ps, &ps->tok, "missing ')' to close the '(' at column %u, got %s", t.col,
                      describe(&ps->tok, q));
            return NULL;
        }
        next(ps);
        return n;
    }
    case TOK_WORD:
        next(ps);
        if (span_eq_str(t.text, "true") || span_eq_str(t.text, "false")) {
            n = node_new(ps, NODE_BOOL, &t);
            n->num = t.text.n == 4;
        } else if (ps->in_verdict) {
            int m = rules_metric_of(t.text);
            if (m < 0) {
                error_tok(ps, &t,
                          "unknown metric '%s' (expected calls, reads, read_share, "
                          "tolerant_share, tolerant_share_lo, min_wait, p50_wait, p90_wait, "
                          "p95_wait, p99_wait, max_wait, p50_latency, p99_latency, "
                          "calls_per_day, delay or confidence)",
                          quote(t.text, q));
                return NULL;
            }
            n = node_new(ps, NODE_METRIC, &t);
            n->metric = (enum rules_metric)m;
        } else {
            if (t.text.n > LIMIT_ATTR_NAME) {
                error_tok(ps, &t, "attribute name longer than %u bytes", LIMIT_ATTR_NAME);
                return NULL;
            }
            n = node_new(ps, NODE_ATTR, &t);
        }
        n->text = keep(ps, t.text);
        return n;
    case TOK_STRING:
        next(ps);
        n = node_new(ps, NODE_STRING, &t);
        n->text = keep(ps, t.str);
        return n;
    case TOK_NUMBER:
    case TOK_DURATION:
    case TOK_SHARE:
        next(ps);
        n = node_new(ps,
                     t.kind == TOK_NUMBER     ? NODE_NUMBER
                     : t.kind == TOK_DURATION ? NODE_DURATION
                                              : NODE_SHARE,
                     &t);
        n->num = t.kind == TOK_DURATION ? (double)t.us / 1e6 : t.value;
        n->text = keep(ps, t.text);
        return n;
    default:
        error_tok(ps, &t, "expected %s, got %s",
                  ps->in_verdict ? "a metric or a value" : "an attribute or a value",
                  describe(&t, q));
        return NULL;
    }
}

/* unary -> 'not' unary_cond | primary        ('not' takes a comparison: cond above 'and') */
static struct rules_node *parse_unary(struct rules_parser *ps)
{
    if (ps->tok.kind != TOK_NOT)
        return parse_primary(ps);
    struct rules_token at = ps->tok;
    if (!enter(ps, &at))
        return NULL;
    next(ps);
    struct rules_node *operand = parse_cond(ps, PREC_AND);
    ps->depth--;
    if (!operand)
        return NULL;
    struct rules_node *n = node_new(ps, NODE_NOT, &at);
    n->lhs = operand;
    return n;
}

/* cond -> unary { binop cond }        binop by priority: 'or' < 'and' < comparisons
 *
 * Chains of one operator are built leaning right (a and (b and c)), the same
 * thing for and/or, so that evaluating a 10,000-term line loops down the
 * right spine instead of recursing; comparisons do not chain at all. */
static struct rules_node *parse_cond(struct rules_parser *ps, int min_prec)
{
    struct rules_node *lhs = parse_unary(ps), *tail = NULL;
    const struct binop *op;
    while (lhs && !ps->in_error && (op = binop_of(ps->tok.kind)) && op->prec > min_prec) {
        struct rules_token at = ps->tok;
        if (op->prec == PREC_CMP && lhs->kind == NODE_CMP) {
            error_tok(ps, &at, "comparisons do not chain: join them with 'and'");
            return NULL;
        }
        next(ps);
        struct rules_node *rhs = parse_cond(ps, op->prec);
        if (!rhs)
            return NULL;
        struct rules_node *n = node_new(ps, op->kind, &at);
        n->op = op->op;
        if (tail && tail->kind == op->kind) {
            n->lhs = tail->rhs;
            n->rhs = rhs;
            tail->rhs = n;
            tail = n;
        } else {
            n->lhs = lhs;
            n->rhs = rhs;
            lhs = n;
            tail = op->prec == PREC_CMP ? NULL : n;
        }
    }
    return ps->in_error ? NULL : lhs;
}

/* expr -> cond        then checked: attributes in call/read rules, metrics in verdicts */
static struct rules_node *parse_expr(struct rules_parser *ps, bool in_verdict)
{
    ps->in_verdict = in_verdict;
    ps->depth = 0;
    struct rules_node *n = parse_cond(ps, 0);
    if (!n || ps->in_error)
        return NULL;
    rules_check_expr(ps, n);
    return ps->in_error ? NULL : n;
}

/* ---- paths ---- */

static bool is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == '@';
}

/* path -> '/' { literal | '{' NAME '}' | '*' }     what follows a '?' is ignored */
static bool parse_path(struct rules_parser *ps, const struct rules_token *t, struct rules_path *out)
{
    struct span text = keep(ps, t->text);
    const char *qm = memchr(text.p, '?', text.n);
    size_t n = qm ? (size_t)(qm - text.p) : text.n, lit = 0, i = 0;
    struct rules_seg *segs = arena_alloc(ps->a, (n + 1) * sizeof *segs);
    unsigned n_segs = 0;
    char q[RULES_QUOTE_CAP];
    while (i < n) {
        unsigned char c = (unsigned char)text.p[i];
        unsigned col = t->col + (unsigned)i;
        if (c < 0x21 || c >= 0x7f) {
            rules_error(ps, t->line, col, 1, "bad byte 0x%02x in path", c);
            return false;
        }
        if (c != '{' && c != '}' && c != '*') {
            i++;
            continue;
        }
        if (i > lit)
            segs[n_segs++] = (struct rules_seg){ SEG_LITERAL, { text.p + lit, i - lit } };
        if (c == '}') {
            rules_error(ps, t->line, col, 1, "unmatched '}' in path");
            return false;
        }
        if (c == '*') {
            if (!n_segs || segs[n_segs - 1].kind != SEG_ANY)
                segs[n_segs++] = (struct rules_seg){ SEG_ANY, SPAN_NULL };
            lit = ++i;
            continue;
        }
        size_t close = i + 1;
        while (close < n && text.p[close] != '}' && text.p[close] != '/')
            close++;
        if (close >= n || text.p[close] != '}') {
            rules_error(ps, t->line, col, (unsigned)(close - i),
                        "unclosed '{' in path (a capture is one segment, like {id})");
            return false;
        }
        struct span name = { text.p + i + 1, close - i - 1 };
        unsigned len = (unsigned)(close - i + 1);
        if (name.n == 0) {
            rules_error(ps, t->line, col, len, "empty capture '{}' in path");
            return false;
        }
        for (size_t k = 0; k < name.n; k++) {
            if (!is_name_char((unsigned char)name.p[k])) {
                rules_error(ps, t->line, col, len,
                            "bad capture name '{%s}' (letters, digits, _ . - @)", quote(name, q));
                return false;
            }
        }
        for (unsigned k = 0; k < n_segs; k++) {
            if (segs[k].kind == SEG_CAPTURE && span_eq(segs[k].text, name)) {
                rules_error(ps, t->line, col, len, "duplicate capture '{%s}' in path",
                            quote(name, q));
                return false;
            }
        }
        segs[n_segs++] = (struct rules_seg){ SEG_CAPTURE, name };
        lit = i = close + 1;
    }
    if (n > lit)
        segs[n_segs++] = (struct rules_seg){ SEG_LITERAL, { text.p + lit, n - lit } };
    *out = (struct rules_path){ text, n_segs, segs };
    return true;
}

static bool path_captures(const struct rules_path *p, const char *name)
{
    for (unsigned i = 0; i < p->n_segs; i++)
        if (p->segs[i].kind == SEG_CAPTURE && span_eq_str(p->segs[i].text, name))
            return true;
    return false;
}

/* ---- statements ---- */

static unsigned site_add(struct rules_parser *ps, const struct rules_token *name)
{
    struct rules *r = ps->r;
    int i = rules_site_of(r, name->text);
    if (i >= 0)
        return (unsigned)i;
    r->sites = grow(ps->a, r->sites, r->n_sites, &ps->cap_sites, sizeof *r->sites);
    r->sites[r->n_sites] = (struct rules_site){ keep(ps, name->text), name->line, name->col };
    return r->n_sites++;
}

/* tempo -> 'tempo' NUMBER */
static void parse_tempo(struct rules_parser *ps)
{
    struct rules_token kw = ps->tok, v;
    char q[RULES_QUOTE_CAP];
    next(ps);
    if (!expect(ps, TOK_NUMBER, "a language version", "after 'tempo'", &v))
        return;
    if (ps->tempo_line) {
        error_tok(ps, &kw, "duplicate 'tempo' (first on line %u)", ps->tempo_line);
        return;
    }
    ps->tempo_line = kw.line;
    if (!span_eq_str(v.text, "1")) {
        error_tok(ps, &v, "unsupported rules language version %s (this tempo reads 1)",
                  quote(v.text, q));
        return;
    }
    ps->r->version = 1;
}

/* delay -> 'delay' DURATION        batch_time -> 'batch_time' DURATION */
static void parse_duration_setting(struct rules_parser *ps)
{
    struct rules_token kw = ps->tok, v;
    bool is_delay = span_eq_str(kw.text, "delay");
    unsigned *line = is_delay ? &ps->r->delay_line : &ps->batch_time_line;
    next(ps);
    if (!expect(ps, TOK_DURATION, "a duration like 1h",
                is_delay ? "after 'delay'" : "after 'batch_time'", &v))
        return;
    if (*line) {
        error_tok(ps, &kw, "duplicate '%s' (first on line %u)", is_delay ? "delay" : "batch_time",
                  *line);
        return;
    }
    if (is_delay && v.us <= 0) {
        error_tok(ps, &v, "delay must be longer than 0");
        return;
    }
    *line = kw.line;
    if (is_delay)
        ps->r->delay_us = v.us;
    else
        ps->r->batch_time_us = v.us;
}

/* confidence -> 'confidence' ( SHARE | NUMBER ) */
static void parse_confidence(struct rules_parser *ps)
{
    struct rules_token kw = ps->tok, v;
    char q[RULES_QUOTE_CAP];
    next(ps);
    v = ps->tok;
    if (v.kind == TOK_NUMBER) {
        next(ps);
        if (v.value > 1) {
            error_tok(ps, &v,
                      "bad confidence '%s' (expected a share like 99%%, or a number from 0 to 1)",
                      quote(v.text, q));
            return;
        }
    } else if (!expect(ps, TOK_SHARE, "a share like 99%", "after 'confidence'", &v)) {
        return;
    }
    if (ps->r->confidence_line) {
        error_tok(ps, &kw, "duplicate 'confidence' (first on line %u)", ps->r->confidence_line);
        return;
    }
    if (v.value <= 0) {
        error_tok(ps, &v, "confidence must be more than 0%%");
        return;
    }
    ps->r->confidence_line = kw.line;
    ps->r->confidence = v.value;
}

/* min_calls -> 'min_calls' NUMBER */
static void parse_min_calls(struct rules_parser *ps)
{
    struct rules_token kw = ps->tok, v;
    char q[RULES_QUOTE_CAP];
    uint64_t n;
    next(ps);
    if (!expect(ps, TOK_NUMBER, "a number", "after 'min_calls'", &v))
        return;
    if (!span_to_u64(v.text, &n)) {
        error_tok(ps, &v,
                  memchr(v.text.p, '.', v.text.n) ? "bad count '%s' (expected a whole number)"
                                                  : "count '%s' is too large",
                  quote(v.text, q));
        return;
    }
    if (ps->min_calls_line) {
        error_tok(ps, &kw, "duplicate 'min_calls' (first on line %u)", ps->min_calls_line);
        return;
    }
    ps->min_calls_line = kw.line;
    ps->r->min_calls = n;
}

/* Which dialect a format is: nginx `$variables` or Apache `%directives`,
 * whichever comes first; -1 when it has neither. */
static int logformat_kind_of(struct span s)
{
    for (size_t i = 0; i + 1 < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i + 1];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (s.p[i] == '$' && (alpha || c == '_'))
            return LOGFORMAT_NGINX;
        if (s.p[i] == '%' && (alpha || c == '{' || c == '>' || c == '<'))
            return LOGFORMAT_APACHE;
    }
    return -1;
}

/* The byte offset in a string token's raw text (quotes excluded) of byte
 * `off` of its value: escapes make the two differ. */
static size_t raw_offset(struct span raw, size_t off)
{
    size_t r = 0;
    for (size_t u = 0; r < raw.n && u < off; u++) {
        if (raw.p[r] == '\\' && r + 1 < raw.n &&
            (raw.p[r + 1] == '"' || raw.p[r + 1] == '\'' || raw.p[r + 1] == '\\'))
            r++;
        r++;
    }
    return r;
}

/* How many bytes of the format at `off` the caret should cover: a $variable
 * or a %directive, else one. */
static unsigned directive_len(struct span s, size_t off)
{
    if (off >= s.n)
        return 1;
    size_t i = off + 1;
    if (s.p[off] == '$') {
        while (i < s.n && is_name_char((unsigned char)s.p[i]) && s.p[i] != '.' && s.p[i] != '-' &&
               s.p[i] != '@')
            i++;
    } else if (s.p[off] == '%') {
        while (i < s.n && i - off < RULES_QUOTE &&
               !((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= 'A' && s.p[i] <= 'Z')))
            i++;
        if (i < s.n)
            i++;
    }
    return (unsigned)(i - off);
}

/* logformat -> 'logformat' NAME STRING */
static void parse_logformat(struct rules_parser *ps)
{
    struct rules_token name, str;
    struct rules *r = ps->r;
    char q[RULES_QUOTE_CAP];
    next(ps);
    if (!expect(ps, TOK_WORD, "a format name", "after 'logformat'", &name) ||
        !expect(ps, TOK_STRING, "a format string in quotes", "after the format name", &str))
        return;
    for (unsigned i = 0; i < r->n_logformats; i++) {
        if (span_eq_str(name.text, r->logformats[i].fmt.name)) {
            error_tok(ps, &name, "duplicate logformat '%s' (first on line %u)", quote(name.text, q),
                      r->logformats[i].line);
            return;
        }
    }
    if (!under_limit(ps, r->n_logformats, &name, "logformat lines"))
        return;
    int kind = logformat_kind_of(str.str);
    if (kind < 0) {
        error_tok(ps, &str, "log format has no $variables (nginx) or %%directives (Apache)");
        return;
    }
    struct span text = keep(ps, str.str);
    unsigned off = 0;
    const char *msg = NULL;
    if (!decode_logformat_compile(ps->a, text, (enum logformat_kind)kind, &off, &msg)) {
        struct span raw = { str.text.p + 1, str.text.n - 2 };
        size_t at = off < text.n ? off : text.n;
        size_t raw_at = raw_offset(raw, at);
        unsigned len = directive_len(text, at);
        if (raw_at + len > raw.n + 1)
            len = (unsigned)(raw.n + 1 - raw_at);
        rules_error(ps, str.line, str.col + 1 + (unsigned)raw_at, len ? len : 1, "%s",
                    msg ? msg : "bad log format");
        return;
    }
    r->logformats =
        grow(ps->a, r->logformats, r->n_logformats, &ps->cap_logformats, sizeof *r->logformats);
    struct rules_logformat *lf = &r->logformats[r->n_logformats++];
    lf->fmt.name = arena_strdup(ps->a, name.text);
    lf->fmt.text = text;
    lf->fmt.kind = (enum logformat_kind)kind;
    lf->line = name.line;
    lf->col = name.col;
}

/* jsonl -> 'jsonl' jsonl_opt { jsonl_opt }
 * jsonl_opt -> ( 'time' | 'duration' ) '=' ATTR | 'at' '=' ( 'start' | 'end' )
 *            | 'unit' '=' ( 'ms' | 's' | 'us' | 'ns' ) */
static void parse_jsonl(struct rules_parser *ps)
{
    static const char *const opts[] = { "time", "at", "duration", "unit" };
    static const struct {
        const char *name;
        int64_t us;
    } units[] = { { "ms", 1000 }, { "s", 1000000 }, { "us", 1 }, { "ns", 0 } };
    struct rules_token kw = ps->tok;
    struct rules_jsonl *j = &ps->r->jsonl;
    bool seen[4] = { false, false, false, false };
    char q[RULES_QUOTE_CAP], got[RULES_QUOTE_CAP + 2];
    next(ps);
    if (j->is_set) {
        error_tok(ps, &kw, "duplicate 'jsonl' (first on line %u)", j->line);
        return;
    }
    if (at_end(ps)) {
        error_tok(ps, &ps->tok, "expected time=, at=, duration= or unit= after 'jsonl', got %s",
                  describe(&ps->tok, got));
        return;
    }
    while (!ps->in_error && !at_end(ps)) {
        struct rules_token opt = ps->tok, v;
        unsigned k = 0;
        while (k < 4 && !(opt.kind == TOK_WORD && span_eq_str(opt.text, opts[k])))
            k++;
        if (k == 4) {
            error_tok(ps, &opt, "unknown jsonl option %s (expected time=, at=, duration= or unit=)",
                      describe(&opt, got));
            return;
        }
        if (seen[k]) {
            error_tok(ps, &opt, "duplicate jsonl option '%s='", opts[k]);
            return;
        }
        seen[k] = true;
        next(ps);
        char after_opt[32], after[32];
        snprintf(after_opt, sizeof after_opt, "after '%s'", opts[k]);
        snprintf(after, sizeof after, "after '%s='", opts[k]);
        if (!expect(ps, TOK_ASSIGN, "'='", after_opt, NULL) || !expect(ps, TOK_WORD,
                                                                       k == 1   ? "start or end"
                                                                       : k == 3 ? "ms, s, us or ns"
                                                                                : "a field name",
                                                                       after, &v))
            return;
        if (k == 0 || k == 2) {
            if (v.text.n > LIMIT_ATTR_NAME) {
                error_tok(ps, &v, "attribute name longer than %u bytes", LIMIT_ATTR_NAME);
                return;
            }
            *(k == 0 ? &j->time : &j->duration) = keep(ps, v.text);
        } else if (k == 1) {
            if (!span_eq_str(v.text, "start") && !span_eq_str(v.text, "end")) {
                error_tok(ps, &v, "bad value '%s' for at= (expected start or end)",
                          quote(v.text, q));
                return;
            }
            j->at_start = span_eq_str(v.text, "start");
        } else {
            unsigned u = 0;
            while (u < 4 && !span_eq_str(v.text, units[u].name))
                u++;
            if (u == 4) {
                error_tok(ps, &v, "bad value '%s' for unit= (expected ms, s, us or ns)",
                          quote(v.text, q));
                return;
            }
            j->unit_us = units[u].us;
        }
    }
    if (ps->in_error)
        return;
    j->is_set = true;
    j->line = kw.line;
}

/* option -> 'key' '=' ATTR [ ',' ATTR ] | 'by' '=' ATTR
 * (the second key only on call rules: a result found by reads of either) */
static void parse_option(struct rules_parser *ps, struct rules_match *m, bool is_read)
{
    struct rules_token opt = ps->tok, v;
    bool is_key = span_eq_str(opt.text, "key");
    char q[RULES_QUOTE_CAP];
    next(ps);
    if (!expect(ps, TOK_ASSIGN, "'='", is_key ? "after 'key'" : "after 'by'", NULL) ||
        !expect(ps, TOK_WORD, "an attribute name", is_key ? "after 'key='" : "after 'by='", &v))
        return;
    if (v.text.n > LIMIT_ATTR_NAME) {
        error_tok(ps, &v, "attribute name longer than %u bytes", LIMIT_ATTR_NAME);
        return;
    }
    struct span *dst = is_key ? &m->key : &m->by;
    if (dst->n) {
        error_tok(ps, &opt, "duplicate %s= (already %s=%s)", is_key ? "key" : "by",
                  is_key ? "key" : "by", quote(*dst, q));
        return;
    }
    *dst = keep(ps, v.text);
    if (!is_key || ps->tok.kind != TOK_COMMA)
        return;
    struct rules_token comma = ps->tok, v2;
    if (is_read) {
        error_tok(ps, &comma, "a read rule has one key");
        return;
    }
    next(ps);
    if (!expect(ps, TOK_WORD, "an attribute name", "after ','", &v2))
        return;
    if (v2.text.n > LIMIT_ATTR_NAME) {
        error_tok(ps, &v2, "attribute name longer than %u bytes", LIMIT_ATTR_NAME);
        return;
    }
    if (ps->tok.kind == TOK_COMMA) {
        error_tok(ps, &ps->tok, "a call rule has at most two keys");
        return;
    }
    if (comma.text.p != v.text.p + v.text.n || v2.text.p != comma.text.p + 1) {
        error_tok(ps, &comma, "no spaces around ',' in key=A,B");
        return;
    }
    m->key2 = keep(ps, v2.text);
}

static bool is_method(struct span s)
{
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < 'A' || s.p[i] > 'Z')
            return false;
    return s.n > 0;
}

/* call -> 'call' NAME ( METHOD PATH | 'where' cond ) { option }
 * read -> 'read' NAME ( METHOD PATH | 'where' cond ) { option | 'bulk' } */
static void parse_match(struct rules_parser *ps)
{
    struct rules *r = ps->r;
    struct rules_token kw = ps->tok, name, bulk = { .kind = TOK_EOF };
    bool is_read = span_eq_str(kw.text, "read");
    struct rules_match m = { .line = kw.line, .col = kw.col };
    char q[RULES_QUOTE_CAP + 2];
    next(ps);
    if (!expect(ps, TOK_WORD, "a site name", is_read ? "after 'read'" : "after 'call'", &name))
        return;
    if (!under_limit(ps, is_read ? r->n_reads : r->n_calls, &kw,
                     is_read ? "read rules" : "call rules"))
        return;
    if (!is_read)
        m.site = site_add(ps, &name); /* even if the rest fails: no "unknown site" noise */
    if (is_word(ps, "where")) {
        next(ps);
        if (!(m.where = parse_expr(ps, false)))
            return;
    } else if (ps->tok.kind == TOK_STAR || ps->tok.kind == TOK_WORD) {
        struct rules_token method = ps->tok, path;
        if (method.kind == TOK_WORD && !is_method(method.text)) {
            error_tok(ps, &method,
                      "bad method %s (expected an upper-case method like GET, *, or 'where')",
                      describe(&method, q));
            return;
        }
        next(ps);
        if (!expect(ps, TOK_PATH, "a path starting with '/'", "after the method", &path) ||
            !parse_path(ps, &path, &m.path))
            return;
        m.method = keep(ps, method.text);
    } else {
        error_tok(ps, &ps->tok,
                  "expected a method (GET, POST, *) or 'where' after the site "
                  "name, got %s",
                  describe(&ps->tok, q));
        return;
    }
    while (!ps->in_error) {
        if (is_word(ps, "key") || is_word(ps, "by")) {
            parse_option(ps, &m, is_read);
        } else if (is_word(ps, "bulk")) {
            if (!is_read) {
                error_tok(ps, &ps->tok, "'bulk' is only for read rules");
                return;
            }
            if (m.bulk) {
                error_tok(ps, &ps->tok, "duplicate 'bulk'");
                return;
            }
            m.bulk = true;
            bulk = ps->tok;
            next(ps);
        } else {
            break;
        }
    }
    expect_end(ps, is_read ? "key=, by=, bulk or end of line" : "key=, by= or end of line");
    if (ps->in_error)
        return;
    if (!m.key.n && path_captures(&m.path, "key"))
        m.key = SPAN_LIT("key");
    if (m.bulk && m.key.n) {
        error_tok(ps, &bulk,
                  "a bulk read has no key: drop 'bulk', or key= and the {key} in the path");
        return;
    }
    if (is_read && !m.bulk && !m.key.n) {
        error_tok(ps, &kw, "read rule without a key (add key=ATTR, a {key} in the path, or bulk)");
        return;
    }
    if (is_read) {
        add_ref(ps, REF_READ, r->n_reads, &name);
        r->reads = grow(ps->a, r->reads, r->n_reads, &ps->cap_reads, sizeof *r->reads);
        r->reads[r->n_reads++] = m;
    } else {
        r->calls = grow(ps->a, r->calls, r->n_calls, &ps->cap_calls, sizeof *r->calls);
        r->calls[r->n_calls++] = m;
    }
}

/* verdict -> 'verdict' NAME [ 'when' cond ] */
static void parse_verdict(struct rules_parser *ps)
{
    struct rules *r = ps->r;
    struct rules_token kw = ps->tok, name;
    struct rules_verdict v = { .line = kw.line, .col = kw.col };
    char q[RULES_QUOTE_CAP];
    ps->had_verdict = true;
    next(ps);
    if (!expect(ps, TOK_WORD, "a verdict name", "after 'verdict'", &name))
        return;
    for (unsigned i = 0; i < r->n_verdicts; i++) {
        if (span_eq(r->verdicts[i].name, name.text)) {
            error_tok(ps, &name, "duplicate verdict '%s' (first on line %u)", quote(name.text, q),
                      r->verdicts[i].line);
            return;
        }
    }
    if (!under_limit(ps, r->n_verdicts, &kw, "verdicts"))
        return;
    if (is_word(ps, "when")) {
        next(ps);
        if (!(v.when = parse_expr(ps, true)))
            return;
    }
    expect_end(ps, "'when' or end of line");
    if (ps->in_error)
        return;
    v.name = keep(ps, name.text);
    r->verdicts = grow(ps->a, r->verdicts, r->n_verdicts, &ps->cap_verdicts, sizeof *r->verdicts);
    r->verdicts[r->n_verdicts++] = v;
}

/* keep -> 'keep' NAME STRING */
static void parse_keep(struct rules_parser *ps)
{
    struct rules *r = ps->r;
    struct rules_token kw = ps->tok, name, reason;
    char q[RULES_QUOTE_CAP];
    next(ps);
    if (!expect(ps, TOK_WORD, "a site name", "after 'keep'", &name) ||
        !expect(ps, TOK_STRING, "a reason in quotes", "after the site name", &reason))
        return;
    for (unsigned i = 0; i < ps->n_refs; i++) {
        const struct rules_ref *f = &ps->refs[i];
        if (f->kind == REF_KEEP && span_eq(f->name, name.text)) {
            error_tok(ps, &name, "duplicate keep for site '%s' (first on line %u)",
                      quote(name.text, q), f->line);
            return;
        }
    }
    if (!under_limit(ps, r->n_keeps, &kw, "keep lines"))
        return;
    expect_end(ps, "end of line");
    if (ps->in_error)
        return;
    add_ref(ps, REF_KEEP, r->n_keeps, &name);
    r->keeps = grow(ps->a, r->keeps, r->n_keeps, &ps->cap_keeps, sizeof *r->keeps);
    r->keeps[r->n_keeps++] = (struct rules_keep){ 0, keep(ps, reason.str), kw.line, kw.col };
}

/* A MONEY token whose unit is `unit` ("call", "1M-in", "1M-out", "h"). */
static bool expect_money(struct rules_parser *ps, const char *unit, const char *what,
                         const char *after, double *out)
{
    struct rules_token t = ps->tok;
    char q[RULES_QUOTE_CAP + 2];
    if (t.kind == TOK_MONEY && !t.unit.n) {
        error_tok(ps, &t, "price %s has no unit (expected %s)", describe(&t, q), what);
        return false;
    }
    if (t.kind == TOK_MONEY && !span_eq_str(t.unit, "call") && !span_eq_str(t.unit, "1M-in") &&
        !span_eq_str(t.unit, "1M-out") && !span_eq_str(t.unit, "h")) {
        char u[RULES_QUOTE_CAP];
        error_tok(ps, &t, "unknown price unit '/%s' (expected /call, /1M-in, /1M-out or /h)",
                  quote(t.unit, u));
        return false;
    }
    if (t.kind != TOK_MONEY || !span_eq_str(t.unit, unit)) {
        error_tok(ps, &t, "expected %s %s, got %s", what, after, describe(&t, q));
        return false;
    }
    *out = t.value;
    next(ps);
    return true;
}

/* A RATE token in calls per second. */
static bool expect_rate(struct rules_parser *ps, const char *after, double *out)
{
    struct rules_token t;
    char q[RULES_QUOTE_CAP];
    if (!expect(ps, TOK_RATE, "a throughput like 350/s", after, &t))
        return false;
    if (!span_eq_str(t.unit, "s")) {
        error_tok(ps, &t, "bad rate '%s' (expected a number per second, like 350/s)",
                  quote(t.text, q));
        return false;
    }
    if (t.value <= 0) {
        error_tok(ps, &t, "throughput must be more than 0/s");
        return false;
    }
    *out = t.value;
    return true;
}

static const char *const providers[] = { "openai", "anthropic", "gemini",
                                         "vertex", "bedrock",   "azure" };
/* Each provider documents a batch tier at half the real-time price (OpenAI
 * Batch API, Anthropic Message Batches, Gemini Batch Mode, Vertex AI batch
 * prediction, Bedrock batch inference, Azure OpenAI Global Batch). */
#define PROVIDER_BATCH_SHARE 0.5

/* gpu -> 'gpu' MONEY/h 'realtime' RATE [ 'x' N ] 'batch' RATE */
static void parse_price_gpu(struct rules_parser *ps, struct rules_price *p)
{
    char q[RULES_QUOTE_CAP];
    p->kind = PRICE_GPU;
    p->replicas = 1;
    next(ps);
    if (!expect_money(ps, "h", "a price per GPU hour like $2.90/h", "after 'gpu'",
                      &p->gpu_per_hour))
        return;
    if (!is_word(ps, "realtime")) {
        expected(ps, "'realtime'", "after the GPU price");
        return;
    }
    next(ps);
    if (!expect_rate(ps, "after 'realtime'", &p->rt_per_s))
        return;
    if (ps->tok.kind == TOK_WORD && ps->tok.text.p[0] == 'x') {
        struct rules_token t = ps->tok;
        uint64_t n;
        if (!span_to_u64((struct span){ t.text.p + 1, t.text.n - 1 }, &n) || n == 0 ||
            n > 1000000) {
            error_tok(ps, &t, "bad replica count '%s' (expected x1 or more, like x2)",
                      quote(t.text, q));
            return;
        }
        p->replicas = (unsigned)n;
        next(ps);
    }
    if (!is_word(ps, "batch")) {
        expected(ps, "'batch'", "after the real-time throughput");
        return;
    }
    next(ps);
    (void)expect_rate(ps, "after 'batch'", &p->batch_per_s);
}

/* per_call  -> 'realtime' MONEY/call [ 'batch' ( MONEY/call | SHARE ) ]
 * per_token -> 'realtime' MONEY/1M-in MONEY/1M-out
 *              [ 'batch' ( SHARE | MONEY/1M-in MONEY/1M-out ) ] */
static void parse_price_realtime(struct rules_parser *ps, struct rules_price *p)
{
    next(ps);
    if (ps->tok.kind == TOK_MONEY && span_eq_str(ps->tok.unit, "1M-in")) {
        p->kind = PRICE_PER_TOKEN;
        if (!expect_money(ps, "1M-in", "", "", &p->rt_per_m_in) ||
            !expect_money(ps, "1M-out", "a price per million output tokens like $10.00/1M-out",
                          "after the input price", &p->rt_per_m_out))
            return;
    } else {
        p->kind = PRICE_PER_CALL;
        if (!expect_money(ps, "call",
                          "a price per call like $0.0040/call or per million input tokens "
                          "like $2.50/1M-in",
                          "after 'realtime'", &p->rt_per_call))
            return;
    }
    if (!is_word(ps, "batch")) {
        if (p->provider.n) { /* the provider's own batch tier */
            p->batch_is_share = true;
            p->batch_share = PROVIDER_BATCH_SHARE;
        } else if (at_end(ps)) {
            error_tok(ps, &ps->tok,
                      "missing batch price (add 'batch 50%%' or a batch price, or "
                      "name a provider: openai, anthropic, gemini, vertex, "
                      "bedrock, azure)");
        } else {
            expected(ps, "'batch'", "after the real-time price");
        }
        return;
    }
    next(ps);
    if (ps->tok.kind == TOK_SHARE) {
        p->batch_is_share = true;
        p->batch_share = ps->tok.value;
        next(ps);
    } else if (p->kind == PRICE_PER_CALL) {
        (void)expect_money(ps, "call", "a price per call like $0.0010/call or a discount like 50%",
                           "after 'batch'", &p->batch_per_call);
    } else if (expect_money(ps, "1M-in",
                            "a price per million input tokens like $1.25/1M-in or a discount "
                            "like 50%",
                            "after 'batch'", &p->batch_per_m_in)) {
        (void)expect_money(ps, "1M-out", "a price per million output tokens like $5.00/1M-out",
                           "after the batch input price", &p->batch_per_m_out);
    }
}

/* price -> 'price' NAME [ PROVIDER ] ( per_call | per_token | gpu )
 * The batch part may be left out after a PROVIDER: its documented discount. */
static void parse_price(struct rules_parser *ps)
{
    struct rules *r = ps->r;
    struct rules_token kw = ps->tok, name;
    struct rules_price p = { .line = kw.line, .col = kw.col };
    char q[RULES_QUOTE_CAP + 2];
    next(ps);
    if (!expect(ps, TOK_WORD, "a site name", "after 'price'", &name))
        return;
    for (unsigned i = 0; i < ps->n_refs; i++) {
        const struct rules_ref *f = &ps->refs[i];
        if (f->kind == REF_PRICE && span_eq(f->name, name.text)) {
            error_tok(ps, &name, "duplicate price for site '%s' (first on line %u)",
                      quote(name.text, q), f->line);
            return;
        }
    }
    if (!under_limit(ps, r->n_prices, &kw, "price lines"))
        return;
    if (ps->tok.kind == TOK_WORD && !is_word(ps, "realtime") && !is_word(ps, "gpu")) {
        bool known = false;
        for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++)
            known = known || span_eq_str(ps->tok.text, providers[i]);
        if (!known) {
            error_tok(ps, &ps->tok,
                      "expected realtime, gpu or a provider (openai, anthropic, gemini, vertex, "
                      "bedrock, azure) after the site name, got %s",
                      describe(&ps->tok, q));
            return;
        }
        p.provider = keep(ps, ps->tok.text);
        next(ps);
    }
    if (is_word(ps, "gpu"))
        parse_price_gpu(ps, &p);
    else if (is_word(ps, "realtime"))
        parse_price_realtime(ps, &p);
    else
        expected(ps, "realtime or gpu",
                 p.provider.n ? "after the provider" : "after the site name");
    expect_end(ps, "end of line");
    if (ps->in_error)
        return;
    add_ref(ps, REF_PRICE, r->n_prices, &name);
    r->prices = grow(ps->a, r->prices, r->n_prices, &ps->cap_prices, sizeof *r->prices);
    r->prices[r->n_prices++] = p;
}

static const struct statement {
    const char *name;
    void (*parse)(struct rules_parser *ps);
} statements[] = {
    { "tempo", parse_tempo },
    { "delay", parse_duration_setting },
    { "confidence", parse_confidence },
    { "min_calls", parse_min_calls },
    { "batch_time", parse_duration_setting },
    { "logformat", parse_logformat },
    { "jsonl", parse_jsonl },
    { "call", parse_match },
    { "read", parse_match },
    { "verdict", parse_verdict },
    { "keep", parse_keep },
    { "price", parse_price },
};

/* statement -> tempo | delay | confidence | min_calls | batch_time | logformat | jsonl
 *            | call | read | verdict | keep | price */
static void parse_statement(struct rules_parser *ps)
{
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        if (is_word(ps, statements[i].name)) {
            const char *nm = statements[i].name;
            ps->digesting = strcmp(nm, "call") == 0 || strcmp(nm, "read") == 0 ||
                            strcmp(nm, "logformat") == 0 || strcmp(nm, "jsonl") == 0;
            if (ps->digesting)
                digest_token(ps, &ps->tok);
            statements[i].parse(ps);
            expect_end(ps, "end of line");
            ps->digesting = false;
            return;
        }
    }
    char got[RULES_QUOTE_CAP + 2];
    error_tok(ps, &ps->tok,
              "unknown statement %s (expected tempo, delay, confidence, min_calls, batch_time, "
              "logformat, jsonl, call, read, verdict, keep or price)",
              describe(&ps->tok, got));
}

/* ---- diagnostics ---- */

/* Render the diagnostics in line order, each with its source line and a
 * caret line that copies the tabs before the column (and skips UTF-8
 * continuation bytes) so that the caret sits under the token. */
static void render(const struct rules_parser *ps, const char *path, struct span text,
                   struct buf *diag)
{
    struct rules_diag sorted[LIMIT_RULE_ERRORS];
    unsigned n = ps->n_diags;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = i;
        while (k > 0 && (sorted[k - 1].line > ps->diags[i].line ||
                         (sorted[k - 1].line == ps->diags[i].line &&
                          sorted[k - 1].col > ps->diags[i].col))) {
            sorted[k] = sorted[k - 1];
            k--;
        }
        sorted[k] = ps->diags[i];
    }
    size_t start = 0; /* of line `line` */
    unsigned line = 1;
    if (text.n >= 3 && memcmp(text.p, "\xef\xbb\xbf", 3) == 0)
        start = 3;
    for (unsigned i = 0; i < n; i++) {
        const struct rules_diag *d = &sorted[i];
        while (line < d->line && start < text.n) {
            const char *nl = memchr(text.p + start, '\n', text.n - start);
            start = nl ? (size_t)(nl - text.p) + 1 : text.n;
            line++;
        }
        const char *nl = start < text.n ? memchr(text.p + start, '\n', text.n - start) : NULL;
        size_t len = nl ? (size_t)(nl - text.p) - start : text.n - start;
        if (len && text.p[start + len - 1] == '\r')
            len--;
        struct span src = { text.p + start, len };
        size_t before = d->col > 0 ? d->col - 1 : 0;
        if (before > len)
            before = len;
        size_t width = d->len ? d->len : 1;
        if (before + width > len)
            width = len > before ? len - before : 1;
        if (buf_printf(diag, "%s:%u:%u: %s\n    ", path, d->line, d->col, d->msg) < 0 ||
            buf_addspan(diag, src) < 0 || buf_adds(diag, "\n    ") < 0)
            return;
        for (size_t k = 0; k < before; k++) {
            unsigned char c = (unsigned char)src.p[k];
            if (c >= 0x80 && c < 0xc0)
                continue;
            if (buf_add(diag, c == '\t' ? "\t" : " ", 1) < 0)
                return;
        }
        if (buf_add(diag, "^", 1) < 0)
            return;
        for (size_t k = 1; k < width; k++)
            if (buf_add(diag, "~", 1) < 0)
                return;
        if (buf_add(diag, "\n", 1) < 0)
            return;
    }
}

/* ---- entry points ---- */

struct rules *rules_parse(struct arena *a, const char *path, struct span text, struct buf *diag,
                          struct err *e)
{
    const char *name = path ? path : "rules";
    if (text.n > LIMIT_RULES_FILE) {
        (void)err_at(e, EXIT_USAGE, path, 0, 0, "rules file larger than %u MiB",
                     LIMIT_RULES_FILE >> 20);
        return NULL;
    }
    if (!text.p)
        text = SPAN_LIT("");
    struct rules_parser *ps = arena_alloc(a, sizeof *ps);
    struct rules *r = arena_alloc(a, sizeof *r);
    r->path = path;
    r->version = 1;
    r->delay_us = INT64_C(3600000000);
    r->confidence = 0.99;
    r->min_calls = 100;
    r->batch_time_us = INT64_C(1800000000);
    r->jsonl.unit_us = 1000;
    ps->a = a;
    ps->r = r;
    rules_lex_init(&ps->lx, text, a);

    next(ps);
    while (ps->tok.kind != TOK_EOF && ps->n_diags < LIMIT_RULE_ERRORS) {
        if (!ps->in_error && !at_end(ps))
            parse_statement(ps);
        if (ps->in_error && !at_end(ps))
            rules_lex_skip_line(&ps->lx);
        else if (ps->tok.kind == TOK_EOF)
            break;
        ps->in_error = false;
        next(ps);
    }
    if (ps->n_diags < LIMIT_RULE_ERRORS)
        rules_check_finish(ps);
    if (ps->n_diags == 0)
        return r;
    render(ps, name, text, diag);
    (void)err_at(e, EXIT_USAGE, NULL, 0, 0, "%u error%s in %s", ps->n_diags,
                 ps->n_diags == 1 ? "" : "s", name);
    return NULL;
}

/* strerror() text in lower case, as our messages are. */
static const char *reason_of(int errnum, char *out, size_t cap)
{
    snprintf(out, cap, "%s", strerror(errnum));
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] + 32);
    return out;
}

struct rules *rules_load(struct arena *a, const char *path, struct buf *diag, struct err *e)
{
    char why[128];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        (void)err_at(e, EXIT_USAGE, path, 0, 0, "cannot open rules file: %s",
                     reason_of(errno, why, sizeof why));
        return NULL;
    }
    struct stat st;
    bool is_dir = false;
    if (fstat(fd, &st) != 0 || (is_dir = S_ISDIR(st.st_mode))) {
        (void)err_at(e, EXIT_USAGE, path, 0, 0, "cannot read rules file: %s",
                     is_dir ? "is a directory" : reason_of(errno, why, sizeof why));
        close(fd);
        return NULL;
    }
    struct buf b;
    buf_init(&b, LIMIT_RULES_FILE);
    bool too_big = false;
    for (;;) {
        size_t want = b.max - b.len < 65536 ? b.max - b.len : 65536;
        char extra;
        ssize_t got;
        if (want == 0) { /* full: one more byte means too big */
            got = read(fd, &extra, 1);
            too_big = got > 0;
        } else if (buf_grow(&b, want) == 0) {
            got = read(fd, b.p + b.len, want);
            if (got > 0)
                b.len += (size_t)got;
        } else {
            got = -1;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            (void)err_at(e, EXIT_USAGE, path, 0, 0, "cannot read rules file: %s",
                         reason_of(errno, why, sizeof why));
            close(fd);
            buf_release(&b);
            return NULL;
        }
        if (got == 0 || want == 0)
            break;
    }
    close(fd);
    struct rules *r = NULL;
    if (too_big)
        (void)err_at(e, EXIT_USAGE, path, 0, 0, "rules file larger than %u MiB",
                     LIMIT_RULES_FILE >> 20);
    else
        r = rules_parse(a, path, buf_span(&b), diag, e);
    buf_release(&b);
    return r;
}
