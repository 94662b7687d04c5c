/*
 * test_match.c - the matcher on hand-built rules: METHOD PATH patterns with
 * {captures} and '*', keys from captures or attributes, the first call rule
 * wins, every read rule counts, bulk reads, query strings ignored, events no
 * rule matches produce nothing.
 */
#include "match.h"
#include "test.h"

#define SEG(k, s) { (k), SPAN_LIT(s) }

static struct rules_seg infer_segs[] = { SEG(SEG_LITERAL, "/v2/models/"),
                                         SEG(SEG_CAPTURE, "model"), SEG(SEG_LITERAL, "/infer") };
static struct rules_seg chat_segs[] = { SEG(SEG_LITERAL, "/v1/chat/completions") };
static struct rules_seg any_segs[] = { SEG(SEG_LITERAL, "/v1/"), SEG(SEG_ANY, ""),
                                       SEG(SEG_LITERAL, ":predict") };
static struct rules_seg pred_segs[] = { SEG(SEG_LITERAL, "/v1/predictions/"),
                                        SEG(SEG_CAPTURE, "key") };
static struct rules_seg report_segs[] = { SEG(SEG_LITERAL, "/v1/reports/churn") };
static struct rules_seg tf_segs[] = { SEG(SEG_LITERAL, "/v1/models/"), SEG(SEG_CAPTURE, "model"),
                                      SEG(SEG_LITERAL, ":predict") };

#define PATH(segs) { SPAN_LIT("pattern"), sizeof(segs) / sizeof(segs[0]), segs }

static void ev_set(struct event *ev, const char *method, const char *path)
{
    event_reset(ev);
    ev->start_us = 1000;
    ev->end_us = 1500;
    ev->has_duration = true;
    event_add(ev, SPAN_LIT("method"), span_of(method), ATTR_STRING);
    event_add(ev, SPAN_LIT("path"), span_of(path), ATTR_STRING);
}

int main(void)
{
    struct rules_site sites[] = { { SPAN_LIT("triton"), 1, 1 }, { SPAN_LIT("chat"), 2, 1 },
                                  { SPAN_LIT("tf"), 3, 1 } };
    struct rules_match calls[] = {
        { .site = 0, .method = SPAN_LIT("POST"), .path = PATH(infer_segs), .by = SPAN_LIT("model"),
          .key = SPAN_LIT("request_id") },
        { .site = 1, .method = SPAN_LIT("POST"), .path = PATH(chat_segs), .key = SPAN_LIT("resp.id"),
          .key2 = SPAN_LIT("gen_ai.response.id") },
        { .site = 2, .method = SPAN_LIT("POST"), .path = PATH(tf_segs), .by = SPAN_LIT("model") },
        { .site = 1, .method = SPAN_LIT("*"), .path = PATH(any_segs) }, /* never first */
    };
    struct rules_match reads[] = {
        { .site = 0, .method = SPAN_LIT("GET"), .path = PATH(pred_segs), .key = SPAN_LIT("key"),
          .by = SPAN_LIT("header.user-agent") },
        { .site = 1, .method = SPAN_LIT("GET"), .path = PATH(pred_segs), .key = SPAN_LIT("key") },
        { .site = 0, .method = SPAN_LIT("GET"), .path = PATH(report_segs), .bulk = true },
    };
    struct rules r = { 0 };
    r.sites = sites;
    r.n_sites = 3;
    r.calls = calls;
    r.n_calls = 4;
    r.reads = reads;
    r.n_reads = 3;

    struct arena *a = arena_new(4096);
    struct matcher *m = match_new(&r, a);
    struct event ev;
    struct match_out out;

    ev_set(&ev, "POST", "/v2/models/churn/infer");
    event_add(&ev, SPAN_LIT("request_id"), SPAN_LIT("r-1"), ATTR_STRING);
    CHECK(match_event(m, &ev, &out));
    CHECK(out.has_call);
    CHECK_INT(out.call.site, 0);
    CHECK_SPAN(out.call.by, "churn");
    CHECK_SPAN(out.call.key, "r-1");
    CHECK_INT(out.call.start_us, 1000);
    CHECK_INT(out.call.ready_us, 1500);
    CHECK_INT(out.call.latency_us, 500);
    CHECK_INT(out.call.tokens_in, -1);
    CHECK_INT(out.n_reads, 0);

    /* Wrong method, extra segment, empty capture: no match. */
    ev_set(&ev, "GET", "/v2/models/churn/infer");
    CHECK(!match_event(m, &ev, &out));
    ev_set(&ev, "POST", "/v2/models/a/b/infer");
    CHECK(!match_event(m, &ev, &out));
    ev_set(&ev, "POST", "/v2/models//infer");
    CHECK(!match_event(m, &ev, &out));
    ev_set(&ev, "POST", "/v2/models/churn/infer/");
    CHECK(!match_event(m, &ev, &out));

    /* Query strings are not part of the path pattern. */
    ev_set(&ev, "POST", "/v1/chat/completions?stream=true");
    event_add(&ev, SPAN_LIT("resp.id"), SPAN_LIT("chatcmpl-9"), ATTR_STRING);
    event_add(&ev, SPAN_LIT("usage.prompt_tokens"), SPAN_LIT("120"), ATTR_NUMBER);
    event_add(&ev, SPAN_LIT("usage.completion_tokens"), SPAN_LIT("30"), ATTR_NUMBER);
    CHECK(match_event(m, &ev, &out));
    CHECK_INT(out.call.site, 1);
    CHECK_SPAN(out.call.key, "chatcmpl-9");
    CHECK_INT(out.call.key2.n, 0); /* gen_ai.response.id absent */
    CHECK_INT(out.call.by.n, 0);
    CHECK_INT(out.call.tokens_in, 120);
    CHECK_INT(out.call.tokens_out, 30);

    /* LIMIT_TOKENS at N-1, N and N+1: past it, no call has that many: unknown */
    static const char *const counts[] = { "99999999", "100000000", "100000001" };
    for (int i = 0; i < 3; i++) {
        ev_set(&ev, "POST", "/v1/chat/completions");
        event_add(&ev, SPAN_LIT("usage.prompt_tokens"), span_of(counts[i]), ATTR_NUMBER);
        event_add(&ev, SPAN_LIT("usage.completion_tokens"), SPAN_LIT("9223372036854775807"),
                  ATTR_NUMBER);
        CHECK(match_event(m, &ev, &out));
        CHECK_INT(out.call.tokens_in, i < 2 ? LIMIT_TOKENS - 1 + i : -1);
        CHECK_INT(out.call.tokens_out, -1);
    }

    /* A second key (key=A,B): both taken; the second is a wanted name. */
    ev_set(&ev, "POST", "/v1/chat/completions");
    event_add(&ev, SPAN_LIT("resp.id"), SPAN_LIT("span-1"), ATTR_STRING);
    event_add(&ev, SPAN_LIT("gen_ai.response.id"), SPAN_LIT("chatcmpl-7"), ATTR_STRING);
    CHECK(match_event(m, &ev, &out));
    CHECK_SPAN(out.call.key, "span-1");
    CHECK_SPAN(out.call.key2, "chatcmpl-7");
    unsigned n_wanted;
    const struct span *wanted = match_wanted(m, &n_wanted);
    bool wants_key2 = false;
    for (unsigned i = 0; i < n_wanted; i++)
        wants_key2 |= span_eq_str(wanted[i], "gen_ai.response.id");
    CHECK(wants_key2);

    /* A capture followed by a literal in the same segment. */
    ev_set(&ev, "POST", "/v1/models/resnet:predict");
    CHECK(match_event(m, &ev, &out));
    CHECK_INT(out.call.site, 2);
    CHECK_SPAN(out.call.by, "resnet");
    CHECK_INT(out.call.key.n, 0);
    CHECK_INT(out.call.rule, 2);

    /* '*' spans slashes; only the first call rule counts. */
    ev_set(&ev, "PUT", "/v1/a/b/c:predict");
    CHECK(match_event(m, &ev, &out));
    CHECK_INT(out.call.rule, 3);
    CHECK_INT(out.call.latency_us, 500);

    /* One read event, two sites share the results API. */
    ev_set(&ev, "GET", "/v1/predictions/r-1");
    event_add(&ev, SPAN_LIT("header.user-agent"), SPAN_LIT("crm/5"), ATTR_STRING);
    CHECK(match_event(m, &ev, &out));
    CHECK(!out.has_call);
    CHECK_INT(out.n_reads, 2);
    CHECK_INT(out.reads[0].site, 0);
    CHECK_SPAN(out.reads[0].key, "r-1");
    CHECK_SPAN(out.reads[0].by, "crm/5");
    CHECK_INT(out.reads[0].at_us, 1000);
    CHECK_INT(out.reads[1].site, 1);
    CHECK_INT(out.reads[1].by.n, 0);

    /* Bulk read. */
    ev_set(&ev, "GET", "/v1/reports/churn");
    CHECK(match_event(m, &ev, &out));
    CHECK_INT(out.n_reads, 1);
    CHECK(out.reads[0].bulk);
    CHECK_INT(out.reads[0].key.n, 0);

    /* No method or path attribute at all, a duration unknown. */
    event_reset(&ev);
    CHECK(!match_event(m, &ev, &out));
    ev_set(&ev, "POST", "/v2/models/x/infer");
    ev.has_duration = false;
    CHECK(match_event(m, &ev, &out));
    CHECK_INT(out.call.latency_us, -1);
    CHECK_INT(out.call.key.n, 0); /* request_id absent */

    arena_free(a);
    return test_report();
}
