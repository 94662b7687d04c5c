/*
 * test_rules.c - unit tests of the rules language (rules stage, PRODUCT.md §3):
 * the lexer's tokens and values, each statement, expression precedence, paths,
 * defaults, limits (N-1, N, N+1), evaluation on events and metrics, and the
 * canonical text of expressions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/rules_int.h"
#include "rules.h"
#include "test.h"

static struct arena *A;
static struct buf D;
static struct err E;

/* Parse `text` as file "t.rules"; NULL on errors (then D holds them). */
static struct rules *parse(const char *text)
{
    buf_reset(&D);
    memset(&E, 0, sizeof E);
    return rules_parse(A, "t.rules", span_of(text), &D, &E);
}

/* The first diagnostic's first line, without "t.rules:" (for short asserts). */
static const char *first_error(const char *text)
{
    static char line[512];
    line[0] = 0;
    if (parse(text))
        return "(parsed)";
    const char *p = D.p ? D.p : "";
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    if (n > 8 && memcmp(p, "t.rules:", 8) == 0) {
        p += 8;
        n -= 8;
    }
    snprintf(line, sizeof line, "%.*s", (int)n, p);
    return line;
}

/* ---- lexer ---- */

struct lex_case {
    const char *in;
    enum rules_tok kind;
    double value; /* NUMBER, SHARE, MONEY, RATE */
    int64_t us;   /* DURATION */
    const char *unit;
};

static const struct lex_case lex_cases[] = {
    { "42", TOK_NUMBER, 42, 0, "" },
    { "0.5", TOK_NUMBER, 0.5, 0, "" },
    { "250ms", TOK_DURATION, 0, 250000, "ms" },
    { "30s", TOK_DURATION, 0, 30000000, "s" },
    { "5m", TOK_DURATION, 0, 300000000, "m" },
    { "1h", TOK_DURATION, 0, INT64_C(3600000000), "h" },
    { "2d", TOK_DURATION, 0, INT64_C(172800000000), "d" },
    { "1w", TOK_DURATION, 0, INT64_C(604800000000), "w" },
    { "10us", TOK_DURATION, 0, 10, "us" },
    { "1.5h", TOK_DURATION, 0, INT64_C(5400000000), "h" },
    { "99%", TOK_SHARE, 0.99, 0, "" },
    { "0.5%", TOK_SHARE, 0.005, 0, "" },
    { "100%", TOK_SHARE, 1, 0, "" },
    { "$0.0040", TOK_MONEY, 0.004, 0, "" },
    { "$0.0040/call", TOK_MONEY, 0.004, 0, "call" },
    { "$2.50/1M-in", TOK_MONEY, 2.5, 0, "1M-in" },
    { "$10.00/1M-out", TOK_MONEY, 10, 0, "1M-out" },
    { "$2.90/h", TOK_MONEY, 2.9, 0, "h" },
    { "350/s", TOK_RATE, 350, 0, "s" },
    { "header.user-agent", TOK_WORD, 0, 0, "" },
    { "@timestamp", TOK_WORD, 0, 0, "" },
    { "gen_ai.request.model", TOK_WORD, 0, 0, "" },
    { "/v1/x/{id}:predict", TOK_PATH, 0, 0, "" },
    { "and", TOK_AND, 0, 0, "" },
    { "or", TOK_OR, 0, 0, "" },
    { "not", TOK_NOT, 0, 0, "" },
    { "==", TOK_EQ, 0, 0, "" },
    { "!=", TOK_NE, 0, 0, "" },
    { "<", TOK_LT, 0, 0, "" },
    { "<=", TOK_LE, 0, 0, "" },
    { ">", TOK_GT, 0, 0, "" },
    { ">=", TOK_GE, 0, 0, "" },
    { "~", TOK_TILDE, 0, 0, "" },
    { "=", TOK_ASSIGN, 0, 0, "" },
    { "*", TOK_STAR, 0, 0, "" },
    { "(", TOK_LPAREN, 0, 0, "" },
    { ")", TOK_RPAREN, 0, 0, "" },
    { "1hr", TOK_ERROR, 0, 0, "" },
    { "150%", TOK_ERROR, 0, 0, "" },
    { "$abc", TOK_ERROR, 0, 0, "" },
    { "$", TOK_ERROR, 0, 0, "" },
    { "$1.2.3", TOK_ERROR, 0, 0, "" },
    { "5m3", TOK_ERROR, 0, 0, "" },
    { "5.", TOK_ERROR, 0, 0, "" },
    { "350/", TOK_ERROR, 0, 0, "" },
    { "!", TOK_ERROR, 0, 0, "" },
    { "\"open", TOK_ERROR, 0, 0, "" },
    { "&", TOK_ERROR, 0, 0, "" },
};

static void test_lex_values(void)
{
    for (size_t i = 0; i < sizeof lex_cases / sizeof lex_cases[0]; i++) {
        const struct lex_case *c = &lex_cases[i];
        struct rules_lexer lx;
        struct rules_token t;
        rules_lex_init(&lx, span_of(c->in), A);
        rules_lex_next(&lx, &t);
        if (t.kind != c->kind)
            printf("case '%s':\n", c->in);
        CHECK_INT(t.kind, c->kind);
        if (c->kind == TOK_ERROR)
            continue;
        CHECK_INT(t.text.n, strlen(c->in)); /* one token, all of it */
        if (c->kind == TOK_DURATION)
            CHECK_INT(t.us, c->us);
        if (c->kind == TOK_NUMBER || c->kind == TOK_SHARE || c->kind == TOK_MONEY ||
            c->kind == TOK_RATE)
            CHECK_DBL(t.value, c->value, 1e-12);
        if (c->kind == TOK_DURATION || c->kind == TOK_MONEY || c->kind == TOK_RATE)
            CHECK_SPAN(t.unit, c->unit);
        rules_lex_next(&lx, &t);
        CHECK_INT(t.kind, TOK_EOF);
    }
}

static void test_lex_positions(void)
{
    struct rules_lexer lx;
    struct rules_token t;
    rules_lex_init(&lx, SPAN_LIT("# comment\n\tdelay  1h # more\ncall x\n"), A);
    rules_lex_next(&lx, &t);
    CHECK_INT(t.kind, TOK_EOL);
    CHECK_INT(t.line, 1);
    CHECK_INT(t.col, 10);
    rules_lex_next(&lx, &t);
    CHECK_INT(t.kind, TOK_WORD);
    CHECK_SPAN(t.text, "delay");
    CHECK_INT(t.line, 2);
    CHECK_INT(t.col, 2);
    rules_lex_next(&lx, &t);
    CHECK_INT(t.kind, TOK_DURATION);
    CHECK_INT(t.col, 9);
    rules_lex_next(&lx, &t);
    CHECK_INT(t.kind, TOK_EOL);
    rules_lex_next(&lx, &t);
    CHECK_SPAN(t.text, "call");
    CHECK_INT(t.line, 3);
    CHECK_INT(t.col, 1);
    rules_lex_skip_line(&lx);
    rules_lex_next(&lx, &t);
    CHECK_INT(t.kind, TOK_EOF);
    CHECK_INT(t.line, 4);

    /* strings: both quotes, escapes resolved, other backslashes kept */
    rules_lex_init(&lx, SPAN_LIT("'a\\'b' \"c\\\"d\\\\e\" \"%t \\d\""), A);
    rules_lex_next(&lx, &t);
    CHECK_INT(t.kind, TOK_STRING);
    CHECK_SPAN(t.str, "a'b");
    CHECK_SPAN(t.text, "'a\\'b'");
    rules_lex_next(&lx, &t);
    CHECK_SPAN(t.str, "c\"d\\e");
    rules_lex_next(&lx, &t);
    CHECK_SPAN(t.str, "%t \\d");

    /* a string stops at the end of its line */
    rules_lex_init(&lx, SPAN_LIT("\"abc\ndef\""), A);
    rules_lex_next(&lx, &t);
    CHECK_INT(t.kind, TOK_ERROR);
    CHECK_SPAN(t.text, "\"abc");
    CHECK_STR(lx.msg, "unterminated string (missing closing \")");

    /* the unit error of STYLE.md §6 */
    rules_lex_init(&lx, SPAN_LIT("1hr"), A);
    rules_lex_next(&lx, &t);
    CHECK_STR(lx.msg, "unknown unit 'hr' in duration (expected ms, s, m, h, d or w)");
    CHECK_SPAN(t.text, "1hr");

    /* bytes out of the language */
    rules_lex_init(&lx, (struct span){ "\0x", 2 }, A);
    rules_lex_next(&lx, &t);
    CHECK_INT(t.kind, TOK_ERROR);
    CHECK_STR(lx.msg, "unexpected byte 0x00");
    CHECK_INT(t.text.n, 1);

    char q[RULES_QUOTE_CAP];
    rules_quote((struct span){ "a\0\xff", 3 }, q);
    CHECK_STR(q, "a\\x00\\xff");
}

/* ---- statements ---- */

static void test_defaults(void)
{
    struct rules *r = parse("");
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(r->version, 1);
    CHECK_INT(r->delay_us, INT64_C(3600000000));
    CHECK_DBL(r->confidence, 0.99, 1e-12);
    CHECK_INT(r->min_calls, 100);
    CHECK_INT(r->batch_time_us, INT64_C(1800000000));
    CHECK(!r->jsonl.is_set);
    CHECK_INT(r->n_verdicts, 4);
    const char *names[] = { "unused", "batch", "streaming", "realtime" };
    const char *whens[] = { "read_share < 1%", "tolerant_share >= confidence", "p50_wait >= 1m",
                            NULL };
    for (unsigned i = 0; i < 4 && i < r->n_verdicts; i++) {
        CHECK_SPAN(r->verdicts[i].name, names[i]);
        if (!whens[i]) {
            CHECK(r->verdicts[i].when == NULL);
            continue;
        }
        struct buf b;
        buf_init(&b, 256);
        CHECK_INT(rules_node_format(r->verdicts[i].when, &b), 0);
        CHECK_STR(b.p ? b.p : "", whens[i]);
        buf_release(&b);
    }
    /* the default verdicts work on metrics */
    struct rules_metrics m = { 0 };
    for (int k = 0; k < METRIC_COUNT; k++)
        m.has[k] = true;
    m.v[METRIC_READ_SHARE] = 0.005;
    CHECK(rules_eval_metrics(r->verdicts[0].when, &m));
    m.v[METRIC_READ_SHARE] = 0.5;
    CHECK(!rules_eval_metrics(r->verdicts[0].when, &m));
    m.v[METRIC_TOLERANT_SHARE] = 0.995;
    m.v[METRIC_CONFIDENCE] = 0.99;
    CHECK(rules_eval_metrics(r->verdicts[1].when, &m));
    m.v[METRIC_P50_WAIT] = 59;
    CHECK(!rules_eval_metrics(r->verdicts[2].when, &m));
    m.v[METRIC_P50_WAIT] = 60;
    CHECK(rules_eval_metrics(r->verdicts[2].when, &m));
}

static void test_settings(void)
{
    struct rules *r = parse("tempo 1\ndelay 30m\nconfidence 95%\nmin_calls 7\nbatch_time 2h\n"
                            "jsonl time=ts at=start duration=latency_ms unit=s\n");
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(r->delay_us, INT64_C(1800000000));
    CHECK_INT(r->delay_line, 2);
    CHECK_DBL(r->confidence, 0.95, 1e-12);
    CHECK_INT(r->confidence_line, 3);
    CHECK_INT(r->min_calls, 7);
    CHECK_INT(r->batch_time_us, INT64_C(7200000000));
    CHECK(r->jsonl.is_set);
    CHECK_SPAN(r->jsonl.time, "ts");
    CHECK(r->jsonl.at_start);
    CHECK_SPAN(r->jsonl.duration, "latency_ms");
    CHECK_INT(r->jsonl.unit_us, 1000000);
    CHECK_INT(r->jsonl.line, 6);

    r = parse("confidence 0.9\njsonl unit=ns\n");
    CHECK(r && r->confidence == 0.9);
    CHECK(r && r->jsonl.unit_us == 0 && !r->jsonl.at_start && r->jsonl.time.n == 0);
    r = parse("jsonl duration=d\n"); /* ms unless told */
    CHECK(r && r->jsonl.unit_us == 1000);
}

static void test_logformat(void)
{
    struct rules *r = parse("logformat edge '$remote_addr [$time_local] \"$request\" $status'\n"
                            "logformat api  \"%h %l %u %t \\\"%r\\\" %>s %b %D\"\n");
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(r->n_logformats, 2);
    CHECK_STR(r->logformats[0].fmt.name, "edge");
    CHECK_INT(r->logformats[0].fmt.kind, LOGFORMAT_NGINX);
    CHECK_SPAN(r->logformats[0].fmt.text, "$remote_addr [$time_local] \"$request\" $status");
    CHECK_STR(r->logformats[1].fmt.name, "api");
    CHECK_INT(r->logformats[1].fmt.kind, LOGFORMAT_APACHE);
    CHECK_SPAN(r->logformats[1].fmt.text, "%h %l %u %t \"%r\" %>s %b %D");
    CHECK_INT(r->logformats[1].line, 2);
    CHECK_STR(first_error("logformat x 'plain text'\n"),
              "1:13: log format has no $variables (nginx) or %directives (Apache)");
}

static void test_calls_and_reads(void)
{
    struct rules *r = parse("call churn POST /v2/models/churn/infer key=request_id\n"
                            "call chat POST /v1/chat/completions key=resp.id by=req.model\n"
                            "call scoring where route == \"/score\" and kind == \"call\" "
                            "key=request_id\n"
                            "call churn * /v1/churn/* key=span_id,gen_ai.response.id\n"
                            "read churn GET /v1/predictions/{key}\n"
                            "read churn GET /v1/reports/churn bulk\n"
                            "read chat where kind == \"read\" key=result_id "
                            "by=header.user-agent\n"
                            "read scoring GET /r/{id}?x=1 key=id\n");
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(r->n_sites, 3); /* churn twice is one site */
    CHECK_INT(r->n_calls, 4);
    CHECK_INT(r->n_reads, 4);
    CHECK_SPAN(r->sites[0].name, "churn");
    CHECK_INT(r->sites[0].line, 1);
    CHECK_INT(r->sites[0].col, 6);
    CHECK_INT(r->calls[3].site, 0);
    CHECK_SPAN(r->calls[0].method, "POST");
    CHECK_SPAN(r->calls[0].path.text, "/v2/models/churn/infer");
    CHECK_INT(r->calls[0].path.n_segs, 1);
    CHECK_SPAN(r->calls[0].key, "request_id");
    CHECK_INT(r->calls[0].key2.n, 0);
    CHECK_SPAN(r->calls[3].key, "span_id");
    CHECK_SPAN(r->calls[3].key2, "gen_ai.response.id");
    CHECK_SPAN(r->calls[1].by, "req.model");
    CHECK(r->calls[2].where != NULL);
    CHECK_INT(r->calls[2].path.n_segs, 0);
    CHECK_INT(r->calls[2].method.n, 0);
    CHECK_SPAN(r->calls[3].method, "*");
    CHECK_INT(r->calls[3].path.n_segs, 2);
    CHECK_INT(r->calls[3].path.segs[1].kind, SEG_ANY);

    CHECK_INT(r->reads[0].site, 0);
    CHECK_SPAN(r->reads[0].key, "key"); /* from the {key} capture */
    CHECK_INT(r->reads[0].path.n_segs, 2);
    CHECK_INT(r->reads[0].path.segs[1].kind, SEG_CAPTURE);
    CHECK_SPAN(r->reads[0].path.segs[1].text, "key");
    CHECK(r->reads[1].bulk);
    CHECK_INT(r->reads[1].key.n, 0);
    CHECK_INT(r->reads[2].site, 1);
    CHECK_SPAN(r->reads[2].by, "header.user-agent");
    CHECK_INT(r->reads[3].site, 2);
    CHECK_SPAN(r->reads[3].path.text, "/r/{id}?x=1"); /* as written */
    CHECK_INT(r->reads[3].path.n_segs, 2);            /* the query is not matched */
    CHECK_SPAN(r->reads[3].path.segs[0].text, "/r/");
    CHECK_INT(r->reads[3].line, 8);
}

static void test_paths(void)
{
    struct rules *r = parse("call a POST /v1/models/{model}:predict\n"
                            "call b GET /x/**/y*\n"
                            "call c GET /\n");
    CHECK(r != NULL);
    if (!r)
        return;
    const struct rules_path *p = &r->calls[0].path;
    CHECK_INT(p->n_segs, 3);
    CHECK_INT(p->segs[0].kind, SEG_LITERAL);
    CHECK_SPAN(p->segs[0].text, "/v1/models/");
    CHECK_INT(p->segs[1].kind, SEG_CAPTURE);
    CHECK_SPAN(p->segs[1].text, "model");
    CHECK_SPAN(p->segs[2].text, ":predict");
    CHECK_INT(r->calls[0].key.n, 0); /* only {key} sets the key */
    p = &r->calls[1].path;
    CHECK_INT(p->n_segs, 4); /* "/x/" ANY "/y" ANY: ** is one run */
    CHECK_INT(p->segs[1].kind, SEG_ANY);
    CHECK_SPAN(p->segs[2].text, "/y");
    CHECK_INT(p->segs[3].kind, SEG_ANY);
    CHECK_INT(r->calls[2].path.n_segs, 1);

    CHECK_STR(first_error("call a GET /x/{id\n"),
              "1:15: unclosed '{' in path (a capture is one segment, like {id})");
    CHECK_STR(first_error("call a GET /x/{a/b}\n"),
              "1:15: unclosed '{' in path (a capture is one segment, like {id})");
    CHECK_STR(first_error("call a GET /x/{}\n"), "1:15: empty capture '{}' in path");
    CHECK_STR(first_error("call a GET /x/}\n"), "1:15: unmatched '}' in path");
    CHECK_STR(first_error("call a GET /{a}/{a}\n"), "1:17: duplicate capture '{a}' in path");
    CHECK_STR(first_error("call a GET /{a b}\n"),
              "1:13: unclosed '{' in path (a capture is one segment, like {id})");
    CHECK_STR(first_error("call a GET /{a!}\n"),
              "1:13: bad capture name '{a!}' (letters, digits, _ . - @)");
}

static void test_verdicts_keeps_prices(void)
{
    struct rules *r = parse("call churn POST /a\ncall chat POST /b\ncall summary POST /c\n"
                            "call scorer POST /d\ncall fraud POST /e\n"
                            "verdict slow when p99_latency > 2s or calls_per_day < 10\n"
                            "verdict realtime\n"
                            "keep fraud \"scored before the card is approved\"\n"
                            "price churn   realtime $0.0040/call  batch $0.0010/call\n"
                            "price chat    realtime $2.50/1M-in $10.00/1M-out  batch 50%\n"
                            "price summary openai  realtime $0.15/1M-in $0.60/1M-out\n"
                            "price scorer  gpu $2.90/h  realtime 350/s x2  batch 9500/s\n"
                            "price fraud realtime $1/call batch 25%\n");
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(r->n_verdicts, 2); /* a file's own verdicts replace the defaults */
    CHECK_SPAN(r->verdicts[0].name, "slow");
    CHECK_INT(r->verdicts[0].line, 6);
    CHECK(r->verdicts[1].when == NULL);
    CHECK_INT(r->n_keeps, 1);
    CHECK_INT(r->keeps[0].site, 4);
    CHECK_SPAN(r->keeps[0].reason, "scored before the card is approved");
    CHECK_INT(r->n_prices, 5);
    const struct rules_price *p = &r->prices[0];
    CHECK_INT(p->site, 0);
    CHECK_INT(p->kind, PRICE_PER_CALL);
    CHECK_DBL(p->rt_per_call, 0.004, 1e-12);
    CHECK_DBL(p->batch_per_call, 0.001, 1e-12);
    CHECK(!p->batch_is_share);
    p = &r->prices[1];
    CHECK_INT(p->kind, PRICE_PER_TOKEN);
    CHECK_DBL(p->rt_per_m_in, 2.5, 1e-12);
    CHECK_DBL(p->rt_per_m_out, 10, 1e-12);
    CHECK(p->batch_is_share);
    CHECK_DBL(p->batch_share, 0.5, 1e-12);
    CHECK_INT(p->provider.n, 0);
    p = &r->prices[2];
    CHECK_SPAN(p->provider, "openai");
    CHECK_INT(p->kind, PRICE_PER_TOKEN);
    CHECK(p->batch_is_share); /* the provider's batch tier */
    CHECK_DBL(p->batch_share, 0.5, 1e-12);
    p = &r->prices[3];
    CHECK_INT(p->kind, PRICE_GPU);
    CHECK_DBL(p->gpu_per_hour, 2.9, 1e-12);
    CHECK_DBL(p->rt_per_s, 350, 1e-12);
    CHECK_INT(p->replicas, 2);
    CHECK_DBL(p->batch_per_s, 9500, 1e-12);
    CHECK_INT(p->line, 12);
    p = &r->prices[4];
    CHECK(p->batch_is_share);
    CHECK_DBL(p->batch_share, 0.25, 1e-12);

    r = parse("call a POST /a\nprice a realtime $1/1M-in $2/1M-out batch $0.5/1M-in $1/1M-out\n"
              "call g POST /g\nprice g gpu $1/h realtime 10/s batch 100/s\n");
    CHECK(r != NULL);
    if (r) {
        CHECK(!r->prices[0].batch_is_share);
        CHECK_DBL(r->prices[0].batch_per_m_in, 0.5, 1e-12);
        CHECK_DBL(r->prices[0].batch_per_m_out, 1, 1e-12);
        CHECK_INT(r->prices[1].replicas, 1);
    }
    /* a read, keep or price may come before the call that defines its site */
    r = parse("read late GET /r/{key}\nkeep late \"x\"\ncall late POST /late\n");
    CHECK(r != NULL);
    CHECK(r && r->reads[0].site == 0 && r->keeps[0].site == 0);
    CHECK(r && rules_site_of(r, SPAN_LIT("late")) == 0 && rules_site_of(r, SPAN_LIT("x")) < 0);
}

/* ---- expressions ---- */

static const char *fmt(const struct rules_node *n)
{
    static char out[512];
    struct buf b;
    buf_init(&b, 500);
    if (rules_node_format(n, &b) < 0)
        snprintf(out, sizeof out, "(format failed)");
    else
        snprintf(out, sizeof out, "%s", b.p ? b.p : "");
    buf_release(&b);
    return out;
}

static const struct rules_node *where(const char *expr)
{
    char text[1024];
    snprintf(text, sizeof text, "call a where %s\n", expr);
    struct rules *r = parse(text);
    if (!r) {
        printf("parse failed: %s", D.p ? D.p : "");
        return NULL;
    }
    return r->calls[0].where;
}

static void test_precedence(void)
{
    const struct rules_node *n = where("a == 1 or b == 2 and c == 3");
    CHECK(n && n->kind == NODE_OR);
    CHECK(n && n->rhs->kind == NODE_AND);
    CHECK(n && n->lhs->kind == NODE_CMP && n->lhs->op == CMP_EQ);
    CHECK_STR(fmt(n), "a == 1 or b == 2 and c == 3");

    n = where("(a == 1 or b == 2) and c == 3");
    CHECK(n && n->kind == NODE_AND && n->lhs->kind == NODE_OR);
    CHECK_STR(fmt(n), "(a == 1 or b == 2) and c == 3");

    n = where("not a == 1 and b != 2");
    CHECK(n && n->kind == NODE_AND && n->lhs->kind == NODE_NOT);
    CHECK(n && n->lhs->lhs->kind == NODE_CMP);
    CHECK_STR(fmt(n), "not a == 1 and b != 2");

    n = where("not (a == 1 or b == 2)");
    CHECK(n && n->kind == NODE_NOT && n->lhs->kind == NODE_OR);
    CHECK_STR(fmt(n), "not (a == 1 or b == 2)");

    n = where("a<=1 and b>=2 and c<3 and d>4 and e~\"x*\" and f=='q\"'");
    CHECK_STR(fmt(n), "a <= 1 and b >= 2 and c < 3 and d > 4 and e ~ \"x*\" and f == \"q\\\"\"");
    CHECK(n && n->kind == NODE_AND && n->lhs->kind == NODE_CMP); /* chains lean right */
    CHECK(n && n->rhs->kind == NODE_AND);

    n = where("\"/score\" == route");
    CHECK(n && n->lhs->kind == NODE_STRING && n->rhs->kind == NODE_ATTR);
    CHECK_SPAN(n->lhs->text, "/score");
    CHECK_INT(n->lhs->col, 14);
    CHECK_INT(n->lhs->len, 8);

    CHECK_STR(first_error("call a where a == 1 == 2\n"),
              "1:21: comparisons do not chain: join them with 'and'");
    CHECK_STR(first_error("call a where (a == 1) == 2\n"),
              "1:23: comparisons do not chain: join them with 'and'");
    CHECK_STR(first_error("call a where method\n"),
              "1:14: 'method' alone is not a condition (compare it, like method == \"...\")");
    CHECK_STR(first_error("call a where a == 1 and b\n"),
              "1:25: 'b' alone is not a condition (compare it, like b == \"...\")");
    CHECK_STR(first_error("call a where (a == 1\n"),
              "1:21: missing ')' to close the '(' at column 14, got end of line");
    CHECK_STR(first_error("call a where a == 1)\n"),
              "1:20: unexpected ')' (expected key=, by= or end of line)");
    CHECK_STR(first_error("call a where a ==\n"),
              "1:18: expected an attribute or a value, got end of line");
}

/* Nesting: LIMIT_RULE_DEPTH - 1 and LIMIT_RULE_DEPTH parse, one more fails. */
static void test_depth(void)
{
    for (int depth = LIMIT_RULE_DEPTH - 1; depth <= LIMIT_RULE_DEPTH + 1; depth++) {
        char text[1024];
        size_t o = (size_t)snprintf(text, sizeof text, "call a where ");
        for (int i = 0; i < depth; i++)
            text[o++] = '(';
        o += (size_t)snprintf(text + o, sizeof text - o, "x == 1");
        for (int i = 0; i < depth; i++)
            text[o++] = ')';
        text[o++] = '\n';
        text[o] = 0;
        struct rules *r = parse(text);
        CHECK_INT(r != NULL, depth <= LIMIT_RULE_DEPTH);
        if (depth > LIMIT_RULE_DEPTH)
            CHECK_STR(first_error(text), "1:78: expression nested deeper than 64 levels");
    }
    /* 'not' counts too */
    char text[1024];
    size_t o = (size_t)snprintf(text, sizeof text, "call a where ");
    for (int i = 0; i <= LIMIT_RULE_DEPTH; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "not ");
    snprintf(text + o, sizeof text - o, "x == 1\n");
    CHECK(parse(text) == NULL);

    /* 10,000 parentheses: an error, not a crash */
    size_t big = 30000;
    char *deep = xmalloc(big);
    o = (size_t)snprintf(deep, big, "verdict v when ");
    for (int i = 0; i < 10000; i++)
        deep[o++] = '(';
    snprintf(deep + o, big - o, "calls > 1\n");
    CHECK(parse(deep) == NULL);
    free(deep);

    /* a long and-chain (not nesting) parses, evaluates and formats without recursing */
    size_t cap = 900000;
    char *chain = xmalloc(cap);
    o = (size_t)snprintf(chain, cap, "call a where x == 1");
    for (int i = 0; i < 50000; i++)
        o += (size_t)snprintf(chain + o, cap - o, " and x == 1");
    o += (size_t)snprintf(chain + o, cap - o, " or x == 2\n");
    struct rules *r = parse(chain);
    CHECK(r != NULL);
    if (r) {
        struct event ev;
        event_reset(&ev);
        CHECK(!rules_eval_event(r->calls[0].where, &ev));
        (void)event_add(&ev, SPAN_LIT("x"), SPAN_LIT("1"), ATTR_STRING);
        CHECK(rules_eval_event(r->calls[0].where, &ev));
        ev.attrs[0].value = SPAN_LIT("2");
        CHECK(rules_eval_event(r->calls[0].where, &ev));
        ev.attrs[0].value = SPAN_LIT("3");
        CHECK(!rules_eval_event(r->calls[0].where, &ev));
        struct buf b;
        buf_init(&b, 1u << 20);
        CHECK_INT(rules_node_format(r->calls[0].where, &b), 0);
        CHECK_INT(b.len, o - strlen("call a where ") - 1);
        CHECK(b.p && memcmp(b.p, chain + 13, b.len) == 0);
        buf_release(&b);
    }
    free(chain);

    /* a 1 MiB file of one line (LIMIT_LINE with its '\n'): reported, caret and all */
    size_t n = LIMIT_LINE - 1;
    char *line = xmalloc(n + 2);
    memcpy(line, "keep a \"", 8);
    memset(line + 8, 'r', n - 8);
    line[n] = '\n';
    line[n + 1] = 0;
    buf_reset(&D);
    r = rules_parse(A, "t.rules", (struct span){ line, n + 1 }, &D, &E);
    CHECK(r == NULL);
    CHECK_STR(E.msg, "1 error in t.rules");
    CHECK(D.len > 2 * n); /* the source line and the caret line under it */
    CHECK(D.p && strstr(D.p, "t.rules:1:8: unterminated string (missing closing \")\n") == D.p);
    line[n - 1] = '"';
    buf_reset(&D);
    r = rules_parse(A, "t.rules", (struct span){ line, n + 1 }, &D, &E);
    CHECK(r == NULL); /* the string closes now; the site is unknown */
    CHECK(D.p && strstr(D.p, "unknown site 'a'") != NULL);
    free(line);
}

static struct event EV;

static void ev_set(const char *name, const char *value, enum attr_type type)
{
    (void)event_add(&EV, span_of(name), span_of(value), type);
}

static bool on_event(const char *expr)
{
    const struct rules_node *n = where(expr);
    return n && rules_eval_event(n, &EV);
}

static void test_eval_event(void)
{
    event_reset(&EV);
    ev_set("status", "200", ATTR_STRING);
    ev_set("path", "/v1/endpoints/e1:predict", ATTR_STRING);
    ev_set("method", "POST", ATTR_STRING);
    ev_set("latency", "0.25", ATTR_NUMBER);
    ev_set("stream", "true", ATTR_BOOL);
    ev_set("gone", "", ATTR_NULL);
    ev_set("name", "beta", ATTR_STRING);

    CHECK(on_event("status == 200"));        /* "200" == 200 */
    CHECK(on_event("status == 200.0"));      /* numerically */
    CHECK(!on_event("status == \"200.0\"")); /* bytewise */
    CHECK(on_event("status == \"200\""));
    CHECK(on_event("status >= 200 and status < 300"));
    CHECK(on_event("200 <= status")); /* literal on the left: flipped */
    CHECK(!on_event("300 < status"));
    CHECK(on_event("latency < 1"));
    CHECK(!on_event("method == 1")); /* not a number: false */
    CHECK(on_event("method != 1"));  /* ... and != true */
    CHECK(on_event("path ~ \"*/endpoints/*:predict\""));
    CHECK(!on_event("path ~ \"/v2/*\""));
    CHECK(on_event("\"*:predict\" ~ path"));
    CHECK(on_event("method == \"POST\" and not method == \"GET\""));
    CHECK(on_event("missing == 1 or method == \"POST\""));
    CHECK(!on_event("missing == 1")); /* absent: false */
    CHECK(on_event("missing != 1"));  /* ... and != true */
    CHECK(!on_event("missing ~ \"*\""));
    CHECK(!on_event("gone == \"\"")); /* null is absent */
    CHECK(on_event("gone != \"x\""));
    CHECK(on_event("stream == true"));
    CHECK(!on_event("stream == false"));
    CHECK(on_event("stream != false"));
    CHECK(on_event("name > \"alpha\" and name < \"gamma\"")); /* bytes */
    CHECK(!on_event("name < \"b\""));
    CHECK(on_event("not (missing == 1 or status == 404)"));

    CHECK_STR(first_error("call a where path ~ 5\n"),
              "1:19: '~' needs a string pattern, like path ~ \"/v1/*\"");
    CHECK_STR(first_error("call a where a == b\n"),
              "1:19: compare attribute 'a' with a string or a number, not with attribute 'b'");
    CHECK_STR(first_error("call a where 1 == 2\n"),
              "1:16: compare an attribute with a value, not two values");
    CHECK_STR(first_error("call a where t > 1h\n"),
              "1:18: a duration is for verdicts: compare attribute 't' with a string or a number");
    CHECK_STR(first_error("call a where t < true\n"),
              "1:16: true and false compare only with == and !=");
}

static struct rules_metrics M;

static bool on_metrics(const char *expr)
{
    char text[1024];
    snprintf(text, sizeof text, "verdict v when %s\n", expr);
    struct rules *r = parse(text);
    if (!r) {
        printf("parse failed: %s", D.p ? D.p : "");
        return false;
    }
    return rules_eval_metrics(r->verdicts[0].when, &M);
}

static void test_eval_metrics(void)
{
    memset(&M, 0, sizeof M);
    for (int k = 0; k < METRIC_COUNT; k++)
        M.has[k] = true;
    M.v[METRIC_CALLS] = 500;
    M.v[METRIC_READS] = 20;
    M.v[METRIC_READ_SHARE] = 0.04;
    M.v[METRIC_TOLERANT_SHARE] = 0.995;
    M.v[METRIC_TOLERANT_SHARE_LO] = 0.98;
    M.v[METRIC_P50_WAIT] = 7200;
    M.v[METRIC_P99_LATENCY] = 0.3;
    M.v[METRIC_DELAY] = 3600;
    M.v[METRIC_CONFIDENCE] = 0.99;

    CHECK(on_metrics("calls > 100"));
    CHECK(on_metrics("read_share < 5%"));
    CHECK(on_metrics("read_share < 0.05"));
    CHECK(!on_metrics("read_share < 1%"));
    CHECK(on_metrics("tolerant_share >= confidence"));
    CHECK(!on_metrics("tolerant_share_lo >= confidence"));
    CHECK(on_metrics("p50_wait >= 2h and p50_wait <= 2h"));
    CHECK(on_metrics("p50_wait > delay"));
    CHECK(on_metrics("p99_latency < 500ms"));
    CHECK(on_metrics("not calls < 100 and (reads == 20 or reads == 0)"));
    CHECK(on_metrics("calls != 1"));
    M.has[METRIC_P50_WAIT] = false; /* no reads: no wait quantiles */
    CHECK(!on_metrics("p50_wait >= 1m"));
    CHECK(!on_metrics("p50_wait < 1m"));
    CHECK(!on_metrics("p50_wait != 1m"));
    CHECK(on_metrics("not p50_wait >= 1m"));

    CHECK_STR(first_error("verdict v when p50_wait > 5\n"),
              "1:27: p50_wait is a duration: compare it with a duration like 1m, not a number");
    CHECK_STR(first_error("verdict v when read_share < 5\n"),
              "1:29: read_share is a share: compare it with a share like 1% or a number from 0 to "
              "1, not 5");
    CHECK_STR(first_error("verdict v when read_share < 1h\n"),
              "1:29: read_share is a share: compare it with a share like 1% or a number from 0 to "
              "1, not a duration");
    CHECK_STR(first_error("verdict v when calls > 5%\n"),
              "1:24: calls is a count: compare it with a number, not a share");
    CHECK_STR(first_error("verdict v when p50_wait > calls\n"),
              "1:27: cannot compare p50_wait (a duration) with calls (a count)");
    CHECK_STR(first_error("verdict v when calls ~ \"x\"\n"),
              "1:22: '~' matches strings, and metrics are numbers");
    CHECK_STR(first_error("verdict v when calls > \"x\"\n"),
              "1:24: calls is a count: compare it with a number, not a string");
    CHECK_STR(first_error("verdict v when 1 < 2\n"),
              "1:18: compare a metric with a value, not two values");
    CHECK_STR(first_error("verdict v when p50wait > 1m\n"),
              "1:16: unknown metric 'p50wait' (expected calls, reads, read_share, tolerant_share, "
              "tolerant_share_lo, min_wait, p50_wait, p90_wait, p95_wait, p99_wait, max_wait, "
              "p50_latency, p99_latency, calls_per_day, delay or confidence)");

    CHECK_INT(rules_metric_of(SPAN_LIT("tolerant_share_lo")), METRIC_TOLERANT_SHARE_LO);
    CHECK_INT(rules_metric_of(SPAN_LIT("p50")), -1);
    for (int k = 0; k < METRIC_COUNT; k++)
        CHECK_INT(rules_metric_of(span_of(rules_metric_name((enum rules_metric)k))), k);
}

static void test_format(void)
{
    CHECK_STR(fmt(NULL), "");
    struct rules *r = parse("verdict a when read_share < 1%\n"
                            "verdict b when p50_wait >= 1m or (calls>5 and reads  <  0.5)\n"
                            "verdict c when not (calls < 1 and reads < 1) and confidence > 0.5%\n");
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_STR(fmt(r->verdicts[0].when), "read_share < 1%");
    CHECK_STR(fmt(r->verdicts[1].when), "p50_wait >= 1m or calls > 5 and reads < 0.5");
    CHECK_STR(fmt(r->verdicts[2].when), "not (calls < 1 and reads < 1) and confidence > 0.5%");
    struct buf small;
    buf_init(&small, 4);
    CHECK_INT(rules_node_format(r->verdicts[0].when, &small), -1); /* full: an error */
    buf_release(&small);
}

/* ---- errors: text, positions, recovery ---- */

static void test_errors(void)
{
    /* the example of STYLE.md §6, whole */
    CHECK(parse("# team rules\n\n\n\n\n\n\n\n\n\n\ndelay 1hr\n") == NULL);
    CHECK_STR(D.p ? D.p : "",
              "t.rules:12:7: unknown unit 'hr' in duration (expected ms, s, m, h, d or w)\n"
              "    delay 1hr\n"
              "          ^~~\n");
    CHECK_STR(E.msg, "1 error in t.rules");
    CHECK_INT(E.exit_code, EXIT_USAGE);

    /* the caret line copies tabs; several errors, each line once, in order */
    CHECK(parse("\tdelay\t1hr\nfoo\ntempo 2\ncall a POST /x\nread b GET /{key}\n") == NULL);
    CHECK_STR(D.p ? D.p : "",
              "t.rules:1:8: unknown unit 'hr' in duration (expected ms, s, m, h, d or w)\n"
              "    \tdelay\t1hr\n"
              "    \t     \t^~~\n"
              "t.rules:2:1: unknown statement 'foo' (expected tempo, delay, confidence, "
              "min_calls, batch_time, logformat, jsonl, call, read, verdict, keep or price)\n"
              "    foo\n"
              "    ^~~\n"
              "t.rules:3:7: unsupported rules language version 2 (this tempo reads 1)\n"
              "    tempo 2\n"
              "          ^\n"
              "t.rules:5:6: unknown site 'b' (no call rule defines it)\n"
              "    read b GET /{key}\n"
              "         ^\n");
    CHECK_STR(E.msg, "4 errors in t.rules");

    /* at most LIMIT_RULE_ERRORS, then the parser gives up */
    char many[4096];
    size_t o = 0;
    for (int i = 0; i < LIMIT_RULE_ERRORS + 5; i++)
        o += (size_t)snprintf(many + o, sizeof many - o, "bogus %d\n", i);
    CHECK(parse(many) == NULL);
    char want[64];
    snprintf(want, sizeof want, "%d errors in t.rules", LIMIT_RULE_ERRORS);
    CHECK_STR(E.msg, want);

    /* CRLF files: the \r is not shown; a caret at the end of a line */
    CHECK(parse("delay\r\n") == NULL);
    CHECK_STR(D.p ? D.p : "", "t.rules:1:6: expected a duration like 1h after 'delay', got "
                              "end of line\n    delay\n         ^\n");

    /* UTF-8 before the caret takes one column per character */
    CHECK(parse("call a where name == \"\xc3\xa9t\xc3\xa9\" and x\n") == NULL);
    CHECK_STR(D.p ? D.p : "",
              "t.rules:1:34: 'x' alone is not a condition (compare it, like x == \"...\")\n"
              "    call a where name == \"\xc3\xa9t\xc3\xa9\" and x\n"
              "                                   ^\n");

    /* no final newline; NUL bytes */
    CHECK_STR(first_error("delay"), "1:6: expected a duration like 1h after 'delay', got end of "
                                    "line");
    struct rules *r = rules_parse(A, "t.rules", (struct span){ "call a\0POST /x", 14 }, &D, &E);
    CHECK(r == NULL);
    CHECK(D.p && strstr(D.p, "1:7: unexpected byte 0x00") != NULL);
    r = rules_parse(A, "t.rules", (struct span){ NULL, 0 }, &D, &E);
    CHECK(r != NULL);

    CHECK_STR(first_error("tempo 1\ntempo 1\n"), "2:1: duplicate 'tempo' (first on line 1)");
    CHECK_STR(first_error("delay 1h\ndelay 2h\n"), "2:1: duplicate 'delay' (first on line 1)");
    CHECK_STR(first_error("delay 0s\n"), "1:7: delay must be longer than 0");
    CHECK_STR(first_error("confidence 5\n"),
              "1:12: bad confidence '5' (expected a share like 99%, or a number from 0 to 1)");
    CHECK_STR(first_error("confidence 0%\n"), "1:12: confidence must be more than 0%");
    CHECK_STR(first_error("min_calls 1.5\n"), "1:11: bad count '1.5' (expected a whole number)");
    CHECK_STR(first_error("min_calls 99999999999999999999\n"),
              "1:11: count '99999999999999999999' is too large");
    CHECK_STR(first_error("jsonl\n"),
              "1:6: expected time=, at=, duration= or unit= after 'jsonl', got end of line");
    CHECK_STR(first_error("jsonl at=middle\n"),
              "1:10: bad value 'middle' for at= (expected start or end)");
    CHECK_STR(first_error("jsonl unit=h\n"),
              "1:12: bad value 'h' for unit= (expected ms, s, us or ns)");
    CHECK_STR(first_error("jsonl time=a time=b\n"), "1:14: duplicate jsonl option 'time='");
    CHECK_STR(first_error("jsonl zone=utc\n"),
              "1:7: unknown jsonl option 'zone' (expected time=, at=, duration= or unit=)");
    CHECK_STR(first_error("call a post /x\n"),
              "1:8: bad method 'post' (expected an upper-case method like GET, *, or 'where')");
    CHECK_STR(first_error("call a POST /x key=a key=b\n"), "1:22: duplicate key= (already key=a)");
    CHECK_STR(first_error("call a POST /x bulk\n"), "1:16: 'bulk' is only for read rules");
    CHECK_STR(first_error("call a POST /x\nread a GET /r key=a,b\n"),
              "2:20: a read rule has one key");
    CHECK_STR(first_error("call a POST /x key=a,b,c\n"), "1:23: a call rule has at most two keys");
    CHECK_STR(first_error("call a POST /x key=a,\n"),
              "1:22: expected an attribute name after ',', got end of line");
    CHECK_STR(first_error("call a POST /x key=,b\n"),
              "1:20: expected an attribute name after 'key=', got ','");
    CHECK_STR(first_error("call a POST /x key=a, b\n"), "1:21: no spaces around ',' in key=A,B");
    CHECK_STR(first_error("call a POST /x by=a,b\n"),
              "1:20: unexpected ',' (expected key=, by= or end of line)");
    CHECK_STR(first_error("call a POST /x\nread a GET /r\n"),
              "2:1: read rule without a key (add key=ATTR, a {key} in the path, or bulk)");
    CHECK_STR(first_error("call a POST /x\nread a GET /r/{key} bulk\n"),
              "2:21: a bulk read has no key: drop 'bulk', or key= and the {key} in the path");
    CHECK_STR(first_error("verdict a\nverdict a\n"),
              "2:9: duplicate verdict 'a' (first on line 1)");
    CHECK_STR(first_error("call a POST /x\nprice a realtime $1/call\n"),
              "2:25: missing batch price (add 'batch 50%' or a batch price, or name a provider: "
              "openai, anthropic, gemini, vertex, bedrock, azure)");
    CHECK_STR(first_error("call a POST /x\nprice a acme realtime $1/call\n"),
              "2:9: expected realtime, gpu or a provider (openai, anthropic, gemini, vertex, "
              "bedrock, azure) after the site name, got 'acme'");
    CHECK_STR(first_error("call a POST /x\nprice a realtime $1 batch $1/call\n"),
              "2:18: price '$1' has no unit (expected a price per call like $0.0040/call or per "
              "million input tokens like $2.50/1M-in)");
    CHECK_STR(first_error("call a POST /x\nprice a realtime $1/1k-in batch 50%\n"),
              "2:18: unknown price unit '/1k-in' (expected /call, /1M-in, /1M-out or /h)");
    CHECK_STR(first_error("call a POST /x\nprice a gpu $1/h realtime 5/s x0 batch 9/s\n"),
              "2:31: bad replica count 'x0' (expected x1 or more, like x2)");
    CHECK_STR(first_error("call a POST /x\nprice a gpu $1/h realtime 5/m batch 9/s\n"),
              "2:27: bad rate '5/m' (expected a number per second, like 350/s)");
    CHECK_STR(first_error("call a POST /x\nprice a gpu $1/h realtime 5/s\n"),
              "2:30: expected 'batch' after the real-time throughput, got end of line");
    char attr[LIMIT_ATTR_NAME + 64];
    snprintf(attr, sizeof attr, "call a POST /x key=%0*d\n", LIMIT_ATTR_NAME, 0);
    memset(attr + 19, 'k', LIMIT_ATTR_NAME); /* exactly the limit: fine */
    CHECK(parse(attr) != NULL);
    snprintf(attr, sizeof attr, "call a POST /x key=%0*d\n", LIMIT_ATTR_NAME + 1, 0);
    memset(attr + 19, 'k', LIMIT_ATTR_NAME + 1);
    CHECK_STR(first_error(attr), "1:20: attribute name longer than 128 bytes");
}

/* LIMIT_RULES call rules parse; one more is an error. */
static void test_limit_rules(void)
{
    size_t cap = (LIMIT_RULES + 2) * 32, o = 0;
    char *text = xmalloc(cap);
    for (int i = 0; i < LIMIT_RULES; i++)
        o += (size_t)snprintf(text + o, cap - o, "call s%d POST /x\n", i);
    struct rules *r = parse(text);
    CHECK(r != NULL);
    CHECK(r && r->n_calls == LIMIT_RULES && r->n_sites == LIMIT_RULES);
    snprintf(text + o, cap - o, "call one_more POST /x\n");
    char want[64];
    snprintf(want, sizeof want, "%d:1: too many call rules (at most %d)", LIMIT_RULES + 1,
             LIMIT_RULES);
    CHECK_STR(first_error(text), want);
    free(text);
}

static void test_load(void)
{
    struct err e = { 0 };
    buf_reset(&D);
    CHECK(rules_load(A, "/nonexistent/tempo.rules", &D, &e) == NULL);
    CHECK_INT(e.exit_code, EXIT_USAGE);
    CHECK_STR(e.file, "/nonexistent/tempo.rules");
    CHECK_STR(e.msg, "cannot open rules file: no such file or directory");
    CHECK(rules_load(A, "/tmp", &D, &e) == NULL);
    CHECK_STR(e.msg, "cannot read rules file: is a directory");

    char path[] = "/tmp/test_rules_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    /* LIMIT_RULES_FILE bytes are fine, one more is not */
    char *big = xmalloc(LIMIT_RULES_FILE + 1);
    memset(big, '#', LIMIT_RULES_FILE + 1);
    big[LIMIT_RULES_FILE - 1] = '\n';
    CHECK(write(fd, big, LIMIT_RULES_FILE) == (ssize_t)LIMIT_RULES_FILE);
    struct rules *r = rules_load(A, path, &D, &e);
    CHECK(r != NULL);
    CHECK(r && r->path == path);
    CHECK(write(fd, "#", 1) == 1);
    CHECK(rules_load(A, path, &D, &e) == NULL);
    CHECK_STR(e.msg, "rules file larger than 1 MiB");
    CHECK(rules_parse(A, path, (struct span){ big, LIMIT_RULES_FILE + 1 }, &D, &e) == NULL);
    CHECK_STR(e.msg, "rules file larger than 1 MiB");
    free(big);
    close(fd);
    unlink(path);
}

int main(void)
{
    A = arena_new(1 << 16);
    buf_init(&D, 8u << 20);
    test_lex_values();
    test_lex_positions();
    test_defaults();
    test_settings();
    test_logformat();
    test_calls_and_reads();
    test_paths();
    test_verdicts_keeps_prices();
    test_precedence();
    test_depth();
    test_eval_event();
    test_eval_metrics();
    test_format();
    test_errors();
    test_limit_rules();
    test_load();
    buf_release(&D);
    arena_free(A);
    return test_report();
}
