/*
 * test_decode_otlp.c - the OTLP JSON decoder (decoders stage): spans to events,
 * typed attribute values, hex and base64 ids, times past 2^53, wanted names,
 * pretty-printed documents, bad spans among good ones, every truncation of a
 * valid record, deep nesting and wrong shapes.
 */
#include <stdlib.h>

#include "decode.h"
#include "test.h"

#define SPAN1                                                                                      \
    "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\","         \
    "\"parentSpanId\":\"\",\"name\":\"chat gpt-4o\",\"kind\":3,"                                 \
    "\"startTimeUnixNano\":\"1767571200123456789\",\"endTimeUnixNano\":\"1767571201000000000\","  \
    "\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},"   \
    "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"120\"}},"                  \
    "{\"key\":\"t\",\"value\":{\"doubleValue\":0.25}},"                                           \
    "{\"key\":\"s\",\"value\":{\"boolValue\":true}},"                                             \
    "{\"key\":\"n\",\"value\":{\"intValue\":7}},"                                                 \
    "{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"x\"},"             \
    "{\"intValue\":\"2\"},{\"boolValue\":false}]}}}],"                                            \
    "\"status\":{\"code\":2,\"message\":\"boom\"},"                                              \
    "\"links\":[{\"traceId\":\"AAAAAAAAAAAAAAAAAAAAoQ==\",\"spanId\":\"AAAAAAAAALE=\"}]}"
#define SPAN2                                                                                      \
    "{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"0000000000000001\","         \
    "\"parentSpanId\":\"eee19b7ec3c1b174\",\"name\":\"read\",\"kind\":\"SPAN_KIND_SERVER\","      \
    "\"startTimeUnixNano\":1767571200000000000,\"endTimeUnixNano\":1767571200000001000}"
#define RECORD(spans)                                                                              \
    "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","              \
    "\"value\":{\"stringValue\":\"gw\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"lib\","       \
    "\"version\":\"1\"},\"spans\":[" spans "]}]}]}"

static struct arena *A;

static struct decoder_state *open_with(const struct span *wanted, unsigned n)
{
    struct decode_options opt = { .wanted = wanted, .n_wanted = n };
    struct err e;
    return decode_otlp.open(&opt, A, &e);
}

static const char *value(const struct event *ev, const char *name, enum attr_type *type)
{
    static char buf[256];
    const struct attr *a = event_get(ev, span_of(name));
    if (!a)
        return "(absent)";
    size_t n = a->value.n < sizeof buf - 1 ? a->value.n : sizeof buf - 1;
    memcpy(buf, a->value.p, n);
    buf[n] = 0;
    if (type)
        *type = a->type;
    return buf;
}

/* Feed a text line by line; count OK, SKIP; close with end(). */
struct tally {
    unsigned ok, skip, more;
    const char *last_reason;
    bool end_reason;
};

static struct tally feed(struct decoder_state *st, const char *text, size_t len)
{
    struct tally t = { 0 };
    static struct event ev;
    struct span rest = { text, len }, line;
    while (rest.n) {
        span_cut(&rest, '\n', &line);
        char *copy = malloc(line.n ? line.n : 1); /* exact size: ASan sees over-reads */
        if (line.n)
            memcpy(copy, line.p, line.n);
        const char *reason = NULL;
        enum decode_result r = decode_otlp.line(st, (struct span){ copy, line.n }, &ev, &reason);
        while (r != DECODE_MORE) {
            if (r == DECODE_OK)
                t.ok++;
            else {
                t.skip++;
                t.last_reason = reason;
                CHECK(reason != NULL);
            }
            reason = NULL;
            r = decode_otlp.next(st, &ev, &reason);
        }
        t.more++;
        free(copy);
    }
    t.end_reason = decode_otlp.end(st) != NULL;
    return t;
}

static void test_span_fields(void)
{
    struct decoder_state *st = open_with(NULL, 0);
    static struct event ev;
    static const char rec[] = RECORD(SPAN1 "," SPAN2);
    const char *reason = NULL;
    enum attr_type ty = ATTR_NULL;
    CHECK_INT(decode_otlp.line(st, SPAN_LIT(rec), &ev, &reason), DECODE_OK);
    CHECK_INT(ev.start_us, INT64_C(1767571200123456));
    CHECK_INT(ev.end_us, INT64_C(1767571201000000));
    CHECK(ev.has_duration);
    CHECK_STR(value(&ev, "name", NULL), "chat gpt-4o");
    CHECK_STR(value(&ev, "kind", NULL), "client");
    CHECK_STR(value(&ev, "trace_id", NULL), "5b8efff798038103d269b633813fc60c");
    CHECK_STR(value(&ev, "span_id", NULL), "eee19b7ec3c1b174");
    CHECK_STR(value(&ev, "parent_span_id", NULL), "(absent)");
    CHECK_STR(value(&ev, "link.span_id", NULL), "00000000000000b1");
    CHECK_STR(value(&ev, "link.trace_id", NULL), "000000000000000000000000000000a1");
    CHECK_STR(value(&ev, "status.code", NULL), "error");
    CHECK_STR(value(&ev, "status.message", NULL), "boom");
    CHECK_STR(value(&ev, "scope.name", NULL), "lib");
    CHECK_STR(value(&ev, "scope.version", NULL), "1");
    CHECK_STR(value(&ev, "resource.service.name", NULL), "gw");
    CHECK_STR(value(&ev, "gen_ai.operation.name", &ty), "chat");
    CHECK_INT(ty, ATTR_STRING);
    CHECK_STR(value(&ev, "gen_ai.usage.input_tokens", &ty), "120");
    CHECK_INT(ty, ATTR_NUMBER);
    CHECK_STR(value(&ev, "t", &ty), "0.25");
    CHECK_INT(ty, ATTR_NUMBER);
    CHECK_STR(value(&ev, "s", &ty), "true");
    CHECK_INT(ty, ATTR_BOOL);
    CHECK_STR(value(&ev, "n", &ty), "7");
    CHECK_INT(ty, ATTR_NUMBER);
    CHECK_STR(value(&ev, "a", &ty), "x,2,false");
    CHECK_INT(ty, ATTR_STRING);

    /* the second span: upper-case hex, kind by name, bare numbers past 2^53 */
    CHECK_INT(decode_otlp.next(st, &ev, &reason), DECODE_OK);
    CHECK_INT(ev.start_us, INT64_C(1767571200000000));
    CHECK_INT(ev.end_us, INT64_C(1767571200000001));
    CHECK_STR(value(&ev, "trace_id", NULL), "5b8efff798038103d269b633813fc60c");
    CHECK_STR(value(&ev, "kind", NULL), "server");
    CHECK_STR(value(&ev, "parent_span_id", NULL), "eee19b7ec3c1b174");
    CHECK_STR(value(&ev, "resource.service.name", NULL), "gw");
    CHECK_INT(decode_otlp.next(st, &ev, &reason), DECODE_MORE);
    CHECK_INT(decode_otlp.next(st, &ev, &reason), DECODE_MORE);
    CHECK(decode_otlp.end(st) == NULL);
}

static void test_wanted(void)
{
    static const struct span w[] = { SPAN_LIT("span_id"), SPAN_LIT("resource.service.name"),
                                     SPAN_LIT("gen_ai.usage.input_tokens") };
    struct decoder_state *st = open_with(w, 3);
    static struct event ev;
    static const char rec[] = RECORD(SPAN1);
    const char *reason = NULL;
    CHECK_INT(decode_otlp.line(st, SPAN_LIT(rec), &ev, &reason), DECODE_OK);
    CHECK_INT(ev.n_attrs, 3);
    CHECK_STR(value(&ev, "span_id", NULL), "eee19b7ec3c1b174");
    CHECK_STR(value(&ev, "resource.service.name", NULL), "gw");
    CHECK_STR(value(&ev, "gen_ai.usage.input_tokens", NULL), "120");
    CHECK_STR(value(&ev, "name", NULL), "(absent)");
    CHECK_INT(decode_otlp.next(st, &ev, &reason), DECODE_MORE);
}

/* One line each: how many spans decode, how many are skipped, the last reason. */
static const struct {
    const char *text;
    unsigned ok, skip;
    const char *reason;
} cases[] = {
    { RECORD(SPAN1), 1, 0, NULL },
    { RECORD(SPAN1 "," SPAN2), 2, 0, NULL },
    { RECORD(""), 0, 0, NULL },
    { "{\"resourceSpans\":[]}", 0, 0, NULL },
    { "{\"resourceSpans\":[{}]}", 0, 0, NULL },
    { "{\"resourceSpans\":[{\"scopeSpans\":[{},{\"spans\":[]}]}]}", 0, 0, NULL },
    { "not json", 0, 1, "not a JSON object" },
    { "{\"a\":1}", 0, 1, "no resourceSpans in object" },
    { "{\"resourceSpans\":{}}", 0, 1, "resourceSpans is not an array" },
    { "{\"resourceSpans\":[}", 0, 1, "not JSON (or nested deeper than cJSON allows)" },
    { RECORD("1"), 0, 1, "span is not an object" },
    { RECORD("{\"endTimeUnixNano\":\"5\"}"), 0, 1, "span without a valid startTimeUnixNano" },
    { RECORD("{\"startTimeUnixNano\":\"5\"}"), 0, 1, "span without a valid endTimeUnixNano" },
    { RECORD("{\"startTimeUnixNano\":\"0\",\"endTimeUnixNano\":\"5\"}"), 0, 1,
      "span without a valid startTimeUnixNano" },
    { RECORD("{\"startTimeUnixNano\":\"-5\",\"endTimeUnixNano\":\"5\"}"), 0, 1,
      "span without a valid startTimeUnixNano" },
    { RECORD("{\"startTimeUnixNano\":1.5,\"endTimeUnixNano\":\"5\"}"), 0, 1,
      "span without a valid startTimeUnixNano" },
    { RECORD("{\"startTimeUnixNano\":\"99999999999999999999\",\"endTimeUnixNano\":\"5\"}"), 0, 1,
      "span without a valid startTimeUnixNano" },
    { RECORD("{\"startTimeUnixNano\":\"9000\",\"endTimeUnixNano\":\"5000\"}"), 0, 1,
      "span ends before it starts" },
    { RECORD("{\"startTimeUnixNano\":\"5000\",\"endTimeUnixNano\":\"9000\",\"spanId\":\"xyz\"}"), 0,
      1, "bad trace or span id (expected hex or base64 of 16 or 8 bytes)" },
    { RECORD("{\"startTimeUnixNano\":\"5000\",\"endTimeUnixNano\":\"9000\",\"spanId\":5}"), 0, 1,
      "bad trace or span id (expected hex or base64 of 16 or 8 bytes)" },
    { RECORD("{\"startTimeUnixNano\":\"5000\",\"endTimeUnixNano\":\"9000\",\"kind\":9}"), 0, 1,
      "bad span kind" },
    { RECORD("{\"startTimeUnixNano\":\"5000\",\"endTimeUnixNano\":\"9000\","
             "\"links\":[{\"spanId\":\"!!\"}]}"),
      0, 1, "bad id in a span's link" },
    /* a bad span among good ones: skipped by itself */
    { RECORD(SPAN1 ",{\"name\":\"x\"}," SPAN2), 2, 1, "span without a valid startTimeUnixNano" },
    /* wrong shapes inside are ignored, not fatal */
    { RECORD("{\"startTimeUnixNano\":\"5000\",\"endTimeUnixNano\":\"9000\",\"attributes\":5,"
             "\"status\":[],\"links\":{}}"),
      1, 0, NULL },
    { "{\"resourceSpans\":[{\"resource\":5,\"scopeSpans\":[{\"scope\":3,\"spans\":["
      "{\"startTimeUnixNano\":\"5000\",\"endTimeUnixNano\":\"9000\",\"attributes\":[1,{},"
      "{\"key\":5},{\"key\":\"k\",\"value\":[]},{\"key\":\"k\",\"value\":{\"kvlistValue\":{}}}]}"
      "]}]}]}",
      1, 0, NULL },
    /* a truncated one-line record followed by a good one */
    { "{\"resourceSpans\":[\n" RECORD(SPAN2), 1, 1,
      "JSON document not closed before the next one" },
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct decoder_state *st = open_with(NULL, 0);
        struct tally t = feed(st, cases[i].text, strlen(cases[i].text));
        CHECK_INT(t.ok, cases[i].ok);
        CHECK_INT(t.skip, cases[i].skip);
        if (cases[i].reason)
            CHECK_STR(t.last_reason ? t.last_reason : "(none)", cases[i].reason);
        CHECK(!t.end_reason);
    }
}

/* Every truncation of a valid record is skipped or waits for more lines. */
static void test_truncations(void)
{
    static const char rec[] = RECORD(SPAN1 "," SPAN2);
    struct decoder_state *st = open_with(NULL, 0);
    unsigned bad = 0;
    for (size_t k = 0; k < sizeof rec - 1; k++) {
        struct tally t = feed(st, rec, k);
        if (t.ok != 0 || (k > 0 && t.skip + t.end_reason != 1))
            bad++;
    }
    CHECK_INT(bad, 0);
}

static void test_pretty(void)
{
    static const char doc[] = "{\n  \"resourceSpans\": [\n    {\n      \"scopeSpans\": [{\n"
                              "        \"spans\": [\n          " SPAN1 ",\n          " SPAN2
                              "\n]}]}]\n}\n";
    struct decoder_state *st = open_with(NULL, 0);
    struct tally t = feed(st, doc, sizeof doc - 1);
    CHECK_INT(t.ok, 2);
    CHECK_INT(t.skip, 0);
    CHECK(!t.end_reason);
    /* cut short at the end of input */
    t = feed(st, doc, sizeof doc - 8);
    CHECK_INT(t.ok, 0);
    CHECK(t.end_reason);
    /* twice in a row */
    char two[2 * sizeof doc];
    memcpy(two, doc, sizeof doc - 1);
    memcpy(two + sizeof doc - 1, doc, sizeof doc - 1);
    t = feed(st, two, 2 * (sizeof doc - 1));
    CHECK_INT(t.ok, 4);
}

static void test_deep(void)
{
    size_t depth = 10000;
    size_t n = 20 + 2 * depth;
    char *s = malloc(n + 1);
    size_t k = 0;
    memcpy(s, "{\"resourceSpans\":", 17);
    k = 17;
    for (size_t i = 0; i < depth; i++)
        s[k++] = '[';
    for (size_t i = 0; i < depth; i++)
        s[k++] = ']';
    s[k++] = '}';
    struct decoder_state *st = open_with(NULL, 0);
    struct tally t = feed(st, s, k);
    CHECK_INT(t.ok, 0);
    CHECK_INT(t.skip, 1);
    CHECK_STR(t.last_reason ? t.last_reason : "", "not JSON (or nested deeper than cJSON allows)");
    free(s);
}

static void test_detect(void)
{
    struct decoder_state *st = open_with(NULL, 0);
    CHECK_INT(decode_otlp.detect(st, SPAN_LIT(RECORD(SPAN1) "\n")), 100);
    CHECK_INT(decode_otlp.detect(st, SPAN_LIT("{\n  \"resourceSpans\": [\n")), 100);
    CHECK_INT(decode_otlp.detect(st, SPAN_LIT("  \n{\"resourceSpans\"")), 100);
    CHECK_INT(decode_otlp.detect(st, SPAN_LIT("{\"ts\": 1, \"msg\": \"resourceSpans\"}\n")), 0);
    CHECK_INT(decode_otlp.detect(st, SPAN_LIT("127.0.0.1 - - [x] \"resourceSpans\"")), 0);
    CHECK_INT(decode_otlp.detect(st, SPAN_LIT("")), 0);
    CHECK_INT(decode_otlp.detect(st, SPAN_LIT("{\"resourceSpan")), 0);
    CHECK_STR(decode_otlp.format_name(st), "otlp");
}

/* Numbers out of range (1e999) are dropped, not turned into the text "inf". */
static void test_out_of_range(void)
{
    struct decoder_state *st = open_with(NULL, 0);
    static struct event ev;
    static const char rec[] = RECORD(
        "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\","
        "\"name\":\"s\",\"startTimeUnixNano\":\"1767571200000000000\","
        "\"endTimeUnixNano\":\"1767571201000000000\",\"attributes\":["
        "{\"key\":\"big\",\"value\":{\"intValue\":1e999}},"
        "{\"key\":\"neg\",\"value\":{\"doubleValue\":-1e999}},"
        "{\"key\":\"ok\",\"value\":{\"intValue\":5}}]}");
    const char *reason = NULL;
    CHECK_INT(decode_otlp.line(st, SPAN_LIT(rec), &ev, &reason), DECODE_OK);
    CHECK_STR(value(&ev, "big", NULL), "(absent)");
    CHECK_STR(value(&ev, "neg", NULL), "(absent)");
    CHECK_STR(value(&ev, "ok", NULL), "5");
    CHECK_INT(decode_otlp.next(st, &ev, &reason), DECODE_MORE);
}

int main(void)
{
    A = arena_new(1 << 16);
    test_span_fields();
    test_out_of_range();
    test_wanted();
    test_cases();
    test_truncations();
    test_pretty();
    test_deep();
    test_detect();
    arena_free(A);
    return test_report();
}
