/*
 * test_decode_jsonl.c - the JSON-lines decoder (decoders stage): typed values,
 * dotted paths through objects and arrays, times in every form, durations and
 * their units, malformed lines and their reasons, limits, truncations, detect.
 */
#include <stdlib.h>

#include "decode.h"
#include "test.h"
#include "utc.h"

static struct arena *arena;
static struct event ev;

/* Open a decoder with these options (time field, at=start, duration, unit). */
static struct decoder_state *open_with(const struct span *wanted, unsigned n_wanted,
                                       const char *time, bool at_start, const char *duration,
                                       int64_t unit_ns)
{
    struct decode_options opt = { 0 };
    opt.wanted = wanted;
    opt.n_wanted = n_wanted;
    opt.jsonl.time = time ? span_of(time) : SPAN_NULL;
    opt.jsonl.at_start = at_start;
    opt.jsonl.duration = duration ? span_of(duration) : SPAN_NULL;
    opt.jsonl.unit_ns = unit_ns;
    struct err e;
    struct decoder_state *st = decode_jsonl.open(&opt, arena, &e);
    CHECK(st != NULL);
    return st;
}

/* Decode `text` from an exact-size heap copy (ASan sees any over-read). */
static enum decode_result run_n(struct decoder_state *st, const char *text, size_t n,
                                const char **reason)
{
    char *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, text, n);
    *reason = NULL;
    enum decode_result r = decode_jsonl.line(st, (struct span){ copy, n }, &ev, reason);
    free(copy);
    return r;
}

static enum decode_result run(struct decoder_state *st, const char *text, const char **reason)
{
    return run_n(st, text, strlen(text), reason);
}

static const struct attr *get(const char *name)
{
    return event_get(&ev, span_of(name));
}

/* ---- values and types ---- */

static const struct span type_names[] = {
    SPAN_LIT("s"),   SPAN_LIT("n"),     SPAN_LIT("f"),  SPAN_LIT("b"),
    SPAN_LIT("z"),   SPAN_LIT("neg"),   SPAN_LIT("e"),  SPAN_LIT("small"),
    SPAN_LIT("id"),  SPAN_LIT("bf"),    SPAN_LIT("u"),  SPAN_LIT("obj"),
    SPAN_LIT("arr"), SPAN_LIT("empty"), SPAN_LIT("zero"), SPAN_LIT("third"),
};

static const struct {
    const char *name;
    const char *value;
    enum attr_type type;
} type_rows[] = {
    { "s", "x\"y\n", ATTR_STRING },
    { "n", "200", ATTR_NUMBER },
    { "f", "1.5", ATTR_NUMBER },
    { "b", "true", ATTR_BOOL },
    { "bf", "false", ATTR_BOOL },
    { "z", "null", ATTR_NULL },
    { "neg", "-3", ATTR_NUMBER },
    { "e", "1000", ATTR_NUMBER },
    { "small", "0.1", ATTR_NUMBER },
    { "id", "12345678901234567890", ATTR_STRING }, /* kept as text, every digit */
    { "u", "\xc3\xa9", ATTR_STRING },              /* \u00e9 unescaped to UTF-8 */
    { "empty", "", ATTR_STRING },
    { "zero", "0", ATTR_NUMBER },
    { "third", "0.3333333333333333", ATTR_STRING }, /* 18 characters: text as written */
};

static void test_types(void)
{
    struct decoder_state *st = open_with(type_names, 16, NULL, false, NULL, 1000000);
    const char *reason;
    CHECK_INT(run(st,
                  "{\"ts\":\"2026-11-22T10:00:00Z\",\"s\":\"x\\\"y\\n\",\"n\":200,\"f\":1.5,"
                  "\"b\":true,\"bf\":false,\"z\":null,\"neg\":-3,\"e\":1e3,\"small\":0.1,"
                  "\"id\":12345678901234567890,\"u\":\"\\u00e9\",\"obj\":{\"a\":1},"
                  "\"arr\":[1],\"empty\":\"\",\"zero\":0,\"third\":0.3333333333333333}",
                  &reason),
              DECODE_OK);
    for (size_t i = 0; i < sizeof type_rows / sizeof type_rows[0]; i++) {
        const struct attr *a = get(type_rows[i].name);
        CHECK(a != NULL);
        if (!a)
            continue;
        CHECK_MEM(a->value.p, a->value.n, type_rows[i].value);
        CHECK_INT(a->type, type_rows[i].type);
    }
    CHECK(get("obj") == NULL); /* objects and arrays are not values */
    CHECK(get("arr") == NULL);
    CHECK(get("ts") == NULL); /* not wanted */
    CHECK_INT(ev.n_attrs, sizeof type_rows / sizeof type_rows[0]);
    int64_t t;
    CHECK(utc_parse_iso(SPAN_LIT("2026-11-22T10:00:00Z"), &t, NULL));
    CHECK_INT(ev.start_us, t);
    CHECK_INT(ev.end_us, t);
    CHECK(!ev.has_duration);
    CHECK_MEM(decode_jsonl.format_name(st), 5, "jsonl");
}

/* ---- dotted paths ---- */

static const struct {
    const char *path;
    const char *value; /* NULL: absent */
} path_rows[] = {
    { "usage.total_tokens", "42" },
    { "request.headers.x-request-id", "abc" },
    { "choices.0.index", "0" },
    { "choices.1.index", "5" },
    { "choices.1.message.role", "assistant" },
    { "choices.2.index", NULL },
    { "choices.x.index", NULL },
    { "choices.-1.index", NULL },
    { "tags.1", "b" },
    { "tags.01", "b" },
    { "a.b", "literal" },   /* a literal dotted key */
    { "m.x.y", "mixed" },   /* nested, then a dotted key */
    { "usage", NULL },      /* an object */
    { "usage.total_tokens.x", NULL },
    { "usage.", NULL },
    { ".usage", NULL },
    { "missing", NULL },
    { "method", "POST" },
    { "path", "/v1/chat" },
};

static void test_paths(void)
{
    struct span wanted[sizeof path_rows / sizeof path_rows[0]];
    unsigned n = sizeof path_rows / sizeof path_rows[0], present = 0;
    for (unsigned i = 0; i < n; i++) {
        wanted[i] = span_of(path_rows[i].path);
        present += path_rows[i].value != NULL;
    }
    struct decoder_state *st = open_with(wanted, n, NULL, false, NULL, 1000000);
    const char *reason;
    CHECK_INT(run(st,
                  "{\"ts\":1700000000,\"method\":\"POST\",\"path\":\"/v1/chat\","
                  "\"usage\":{\"total_tokens\":42},"
                  "\"request\":{\"headers\":{\"x-request-id\":\"abc\"}},"
                  "\"choices\":[{\"index\":0},{\"index\":5,\"message\":{\"role\":\"assistant\"}}],"
                  "\"tags\":[\"a\",\"b\"],\"a.b\":\"literal\",\"m\":{\"x.y\":\"mixed\"}}",
                  &reason),
              DECODE_OK);
    for (unsigned i = 0; i < n; i++) {
        const struct attr *a = get(path_rows[i].path);
        if (!path_rows[i].value) {
            if (a)
                printf("unexpected attribute %s\n", path_rows[i].path);
            CHECK(a == NULL);
            continue;
        }
        CHECK(a != NULL);
        if (a)
            CHECK_MEM(a->value.p, a->value.n, path_rows[i].value);
    }
    CHECK_INT(ev.n_attrs, present);
}

/* Without a wanted list (NULL): every scalar under its dotted path. */
static void test_extract_all(void)
{
    struct decoder_state *st = open_with(NULL, 0, NULL, false, NULL, 1000000);
    const char *reason;
    CHECK_INT(run(st, "{\"ts\":1700000000,\"a\":{\"b\":2,\"c\":{}},\"c\":[3,\"x\"],\"d\":null}",
                  &reason),
              DECODE_OK);
    CHECK_INT(ev.n_attrs, 5);
    const char *names[] = { "ts", "a.b", "c.0", "c.1", "d" };
    const char *values[] = { "1700000000", "2", "3", "x", "null" };
    for (unsigned i = 0; i < 5 && i < ev.n_attrs; i++) {
        CHECK_MEM(ev.attrs[i].name.p, ev.attrs[i].name.n, names[i]);
        CHECK_MEM(ev.attrs[i].value.p, ev.attrs[i].value.n, values[i]);
    }
    /* past LIMIT_ATTRS the rest are dropped */
    char line[4096];
    int k = snprintf(line, sizeof line, "{\"ts\":1");
    for (int i = 0; i < LIMIT_ATTRS + 10; i++)
        k += snprintf(line + k, sizeof line - (size_t)k, ",\"k%d\":%d", i, i);
    snprintf(line + k, sizeof line - (size_t)k, "}");
    CHECK_INT(run(st, line, &reason), DECODE_OK);
    CHECK_INT(ev.n_attrs, LIMIT_ATTRS);
}

/* ---- times ---- */

static const struct {
    const char *line;
    const char *time_field; /* the jsonl line's time=; NULL: the defaults */
    const char *iso;        /* expected time; NULL: skipped */
    int64_t plus_us;        /* added to iso's */
    const char *reason;     /* when skipped */
} time_rows[] = {
    { "{\"ts\":\"2026-11-22T10:00:00Z\"}", NULL, "2026-11-22T10:00:00Z", 0, NULL },
    { "{\"ts\":\"2026-11-22T10:00:00.123456789Z\"}", NULL, "2026-11-22T10:00:00Z", 123456, NULL },
    { "{\"ts\":\"2026-11-22T11:00:00+01:00\"}", NULL, "2026-11-22T10:00:00Z", 0, NULL },
    { "{\"ts\":\"2026-11-22 10:00:00.5z\"}", NULL, "2026-11-22T10:00:00Z", 500000, NULL },
    { "{\"ts\":1700000000}", NULL, "2023-11-14T22:13:20Z", 0, NULL },
    { "{\"ts\":1700000000.25}", NULL, "2023-11-14T22:13:20Z", 250000, NULL },
    { "{\"ts\":1700000000123}", NULL, "2023-11-14T22:13:20Z", 123000, NULL },
    { "{\"ts\":1700000000123456}", NULL, "2023-11-14T22:13:20Z", 123456, NULL },
    { "{\"ts\":1700000000123456789}", NULL, "2023-11-14T22:13:20Z", 123456, NULL },
    { "{\"ts\":\"1700000000\"}", NULL, "2023-11-14T22:13:20Z", 0, NULL },
    { "{\"ts\":\"1700000000123456789\"}", NULL, "2023-11-14T22:13:20Z", 123456, NULL },
    { "{\"timestamp\":1700000000}", NULL, "2023-11-14T22:13:20Z", 0, NULL },
    { "{\"time\":1700000000}", NULL, "2023-11-14T22:13:20Z", 0, NULL },
    { "{\"@timestamp\":\"2023-11-14T22:13:20Z\"}", NULL, "2023-11-14T22:13:20Z", 0, NULL },
    /* the first of ts, timestamp, time, @timestamp wins, whatever the order */
    { "{\"time\":1,\"ts\":1700000000}", NULL, "2023-11-14T22:13:20Z", 0, NULL },
    { "{\"@timestamp\":1,\"timestamp\":1700000000}", NULL, "2023-11-14T22:13:20Z", 0, NULL },
    /* a null ts is absent: the next one counts */
    { "{\"ts\":null,\"time\":1700000000}", NULL, "2023-11-14T22:13:20Z", 0, NULL },
    { "{\"meta\":{\"at\":1700000000},\"ts\":1}", "meta.at", "2023-11-14T22:13:20Z", 0, NULL },
    { "{\"when\":\"2023-11-14T22:13:20Z\"}", "when", "2023-11-14T22:13:20Z", 0, NULL },
    { "{\"a\":1}", NULL, NULL, 0, "no time field (ts, timestamp, time or @timestamp)" },
    { "{}", NULL, NULL, 0, "no time field (ts, timestamp, time or @timestamp)" },
    { "{\"ts\":\"yesterday\"}", NULL, NULL, 0,
      "bad time in 'ts' (expected RFC 3339 or an epoch number)" },
    { "{\"ts\":true}", NULL, NULL, 0, "bad time in 'ts' (expected RFC 3339 or an epoch number)" },
    { "{\"ts\":-5}", NULL, NULL, 0, "bad time in 'ts' (expected RFC 3339 or an epoch number)" },
    { "{\"ts\":{\"s\":1}}", NULL, NULL, 0,
      "bad time in 'ts' (expected RFC 3339 or an epoch number)" },
    { "{\"time\":\"2026-13-01T00:00:00Z\"}", NULL, NULL, 0,
      "bad time in 'time' (expected RFC 3339 or an epoch number)" },
    { "{\"timestamp\":\"\"}", NULL, NULL, 0,
      "bad time in 'timestamp' (expected RFC 3339 or an epoch number)" },
    { "{\"@timestamp\":[]}", NULL, NULL, 0,
      "bad time in '@timestamp' (expected RFC 3339 or an epoch number)" },
    { "{\"ts\":1700000000}", "when", NULL, 0,
      "no time field (the one the rules' jsonl line names)" },
    { "{\"when\":\"x\"}", "when", NULL, 0,
      "bad time in the rules' jsonl time field (expected RFC 3339 or an epoch number)" },
};

static void test_times(void)
{
    for (size_t i = 0; i < sizeof time_rows / sizeof time_rows[0]; i++) {
        struct decoder_state *st =
            open_with(NULL, 0, time_rows[i].time_field, false, NULL, 1000000);
        const char *reason;
        enum decode_result r = run(st, time_rows[i].line, &reason);
        if (!time_rows[i].iso) {
            CHECK_INT(r, DECODE_SKIP);
            CHECK(reason != NULL);
            if (reason)
                CHECK_MEM(reason, strlen(reason), time_rows[i].reason);
            continue;
        }
        int64_t t = 0;
        CHECK(utc_parse_iso(span_of(time_rows[i].iso), &t, NULL));
        CHECK_INT(r, DECODE_OK);
        if (r != DECODE_OK)
            printf("  row %zu: %s\n", i, reason ? reason : "?");
        CHECK_INT(ev.start_us, t + time_rows[i].plus_us);
        CHECK_INT(ev.end_us, ev.start_us);
    }
}

/* ---- durations ---- */

static const struct {
    const char *line;
    bool at_start;
    int64_t unit_ns;
    int64_t start_off, end_off; /* µs from the line's ts (1700000000 s) */
    bool has_duration;
    const char *reason; /* non-NULL: skipped */
} dur_rows[] = {
    { "{\"ts\":1700000000,\"d\":250}", false, 1000000, -250000, 0, true, NULL },
    { "{\"ts\":1700000000,\"d\":250}", true, 1000000, 0, 250000, true, NULL },
    { "{\"ts\":1700000000,\"d\":0.5}", false, 1000000, -500, 0, true, NULL },
    { "{\"ts\":1700000000,\"d\":\"1.5\"}", false, 1000000000, -1500000, 0, true, NULL },
    { "{\"ts\":1700000000,\"d\":1.5}", true, 1000000000, 0, 1500000, true, NULL },
    { "{\"ts\":1700000000,\"d\":2500}", false, 1000, -2500, 0, true, NULL },
    { "{\"ts\":1700000000,\"d\":2500000}", false, 1, -2500, 0, true, NULL },
    { "{\"ts\":1700000000,\"d\":0}", false, 1000000, 0, 0, true, NULL },
    { "{\"ts\":1700000000}", false, 1000000, 0, 0, false, NULL },
    { "{\"ts\":1700000000,\"d\":null}", false, 1000000, 0, 0, false, NULL },
    { "{\"ts\":1700000000,\"d\":-1}", false, 1000000, 0, 0, false, "negative duration" },
    { "{\"ts\":1700000000,\"d\":\"soon\"}", false, 1000000, 0, 0, false,
      "bad duration (expected a number of the jsonl unit)" },
    { "{\"ts\":1700000000,\"d\":true}", false, 1000000, 0, 0, false,
      "bad duration (expected a number of the jsonl unit)" },
    { "{\"ts\":1700000000,\"d\":1e300}", false, 1000000, 0, 0, false,
      "bad duration (expected a number of the jsonl unit)" },
};

static void test_durations(void)
{
    for (size_t i = 0; i < sizeof dur_rows / sizeof dur_rows[0]; i++) {
        struct decoder_state *st =
            open_with(NULL, 0, NULL, dur_rows[i].at_start, "d", dur_rows[i].unit_ns);
        const char *reason;
        enum decode_result r = run(st, dur_rows[i].line, &reason);
        if (dur_rows[i].reason) {
            CHECK_INT(r, DECODE_SKIP);
            if (reason)
                CHECK_MEM(reason, strlen(reason), dur_rows[i].reason);
            continue;
        }
        int64_t t = INT64_C(1700000000) * USEC_PER_SEC;
        CHECK_INT(r, DECODE_OK);
        CHECK_INT(ev.start_us, t + dur_rows[i].start_off);
        CHECK_INT(ev.end_us, t + dur_rows[i].end_off);
        CHECK_INT(ev.has_duration, dur_rows[i].has_duration);
    }
}

/* ---- malformed lines ---- */

static const struct {
    const char *line;
    const char *reason;
} bad_rows[] = {
    { "hello", "not JSON" },
    { "{", "not JSON" },
    { "{\"ts\":1", "not JSON" },
    { "{\"ts\":1}}", "not JSON" },
    { "{\"ts\":1} x", "not JSON" },
    { "{\"ts\":1} {\"ts\":2}", "not JSON" },
    { "{ts:1}", "not JSON" },
    { "[1,2]", "not a JSON object (expected one object per line)" },
    { "42", "not a JSON object (expected one object per line)" },
    { "\"s\"", "not a JSON object (expected one object per line)" },
    { "null", "not a JSON object (expected one object per line)" },
    { "", "not JSON" },
};

static void test_bad(void)
{
    struct span w[] = { SPAN_LIT("x") };
    struct decoder_state *st = open_with(w, 1, NULL, false, NULL, 1000000);
    const char *reason;
    for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
        CHECK_INT(run(st, bad_rows[i].line, &reason), DECODE_SKIP);
        CHECK(reason != NULL);
        if (reason)
            CHECK_MEM(reason, strlen(reason), bad_rows[i].reason);
    }
    /* NUL bytes: refused, whole or inside a string */
    CHECK_INT(run_n(st, "{\"ts\":1,\"x\":\"a\0b\"}", 18, &reason), DECODE_SKIP);
    CHECK_MEM(reason, strlen(reason), "NUL byte in line");
    CHECK_INT(run_n(st, "\0", 1, &reason), DECODE_SKIP);
    /* a huge number: refused when wanted, ignored otherwise */
    CHECK_INT(run(st, "{\"ts\":1700000000,\"x\":1e400}", &reason), DECODE_SKIP);
    CHECK_MEM(reason, strlen(reason), "number out of range (beyond a double)");
    CHECK_INT(run(st, "{\"ts\":1700000000,\"y\":1e400}", &reason), DECODE_OK);
    /* a long digit run stays text */
    char big[700];
    int k = snprintf(big, sizeof big, "{\"ts\":1700000000,\"x\":");
    for (int i = 0; i < 600; i++)
        big[k++] = '9';
    snprintf(big + k, sizeof big - (size_t)k, "}");
    CHECK_INT(run(st, big, &reason), DECODE_OK);
    CHECK(get("x") && get("x")->value.n == 600);
    /* CRLF and a byte order mark */
    CHECK_INT(run(st, "{\"ts\":1700000000,\"x\":1}\r", &reason), DECODE_OK);
    CHECK_INT(run(st, "\xEF\xBB\xBF{\"ts\":1700000000,\"x\":1}", &reason), DECODE_OK);
    CHECK(get("x") && get("x")->value.n == 1);
}

/* Nesting: 10,000 levels are refused by cJSON's limit, with a reason that says so. */
static void test_nesting(void)
{
    struct decoder_state *st = open_with(NULL, 0, NULL, false, NULL, 1000000);
    const char *reason;
    size_t depth = 10000, n = 0;
    char *line = malloc(depth * 6 + 64);
    n += (size_t)sprintf(line, "{\"ts\":1700000000,\"a\":");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(line + n, "{\"a\":");
    line[n++] = '1';
    for (size_t i = 0; i < depth + 1; i++)
        line[n++] = '}';
    CHECK_INT(run_n(st, line, n, &reason), DECODE_SKIP);
    CHECK_MEM(reason, strlen(reason), "JSON nesting deeper than 1000 (cJSON's limit)");
    memset(line, '[', depth);
    CHECK_INT(run_n(st, line, depth, &reason), DECODE_SKIP);
    CHECK_MEM(reason, strlen(reason), "JSON nesting deeper than 1000 (cJSON's limit)");
    /* 500 levels parse, and every leaf is reachable (extract all) */
    n = (size_t)sprintf(line, "{\"ts\":1700000000,\"a\":");
    for (size_t i = 0; i < 500; i++)
        n += (size_t)sprintf(line + n, "[");
    line[n++] = '7';
    for (size_t i = 0; i < 500; i++)
        line[n++] = ']';
    line[n++] = '}';
    CHECK_INT(run_n(st, line, n, &reason), DECODE_OK);
    CHECK_INT(ev.n_attrs, 1); /* "a.0.0...." is past LIMIT_ATTR_NAME: dropped */
    free(line);
}

/* Line length: LIMIT_LINE - 1 and LIMIT_LINE decode, LIMIT_LINE + 1 is skipped. */
static void test_line_limit(void)
{
    struct span w[] = { SPAN_LIT("p") };
    struct decoder_state *st = open_with(w, 1, NULL, false, NULL, 1000000);
    const char *reason;
    size_t sizes[] = { LIMIT_LINE - 1, LIMIT_LINE, LIMIT_LINE + 1 };
    for (int i = 0; i < 3; i++) {
        size_t n = sizes[i];
        char *line = malloc(n);
        int k = sprintf(line, "{\"ts\":1700000000,\"p\":\"");
        memset(line + k, 'x', n - (size_t)k - 2);
        line[n - 2] = '"';
        line[n - 1] = '}';
        enum decode_result r = run_n(st, line, n, &reason);
        CHECK_INT(r, i < 2 ? DECODE_OK : DECODE_SKIP);
        if (i < 2)
            CHECK(get("p") && get("p")->value.n == n - (size_t)k - 2);
        else
            CHECK_MEM(reason, strlen(reason), "line longer than 1 MiB");
        free(line);
    }
}

/* Every truncation of a valid line is skipped, never a crash. */
static void test_truncations(void)
{
    static const char *lines[] = {
        "{\"ts\":\"2026-11-22T10:00:00.5Z\",\"kind\":\"call\",\"n\":[1,{\"a\":true}],\"z\":null}",
        "{\"ts\":1700000000123456789,\"d\":\"\\u00e9\\\"\",\"f\":-1.5e3}",
    };
    struct span w[] = { SPAN_LIT("kind"), SPAN_LIT("n.1.a"), SPAN_LIT("d"), SPAN_LIT("f") };
    struct decoder_state *st = open_with(w, 4, NULL, false, "f", 1000);
    for (size_t l = 0; l < 2; l++) {
        size_t n = strlen(lines[l]);
        unsigned skipped = 0;
        const char *reason;
        for (size_t k = 0; k < n; k++) {
            if (run_n(st, lines[l], k, &reason) == DECODE_SKIP && reason)
                skipped++;
        }
        CHECK_INT(skipped, n);
        CHECK_INT(run_n(st, lines[l], n, &reason), l == 0 ? DECODE_OK : DECODE_SKIP);
    }
    const char *reason;
    CHECK_INT(run(st, lines[0], &reason), DECODE_OK);
    CHECK(get("n.1.a") && get("n.1.a")->type == ATTR_BOOL);
}

/* Values outlive the tree: they are read after line() returned (ASan would see
 * a use after free), and the next line replaces them. */
static void test_lifetime(void)
{
    struct span w[] = { SPAN_LIT("a"), SPAN_LIT("b") };
    struct decoder_state *st = open_with(w, 2, NULL, false, NULL, 1000000);
    const char *reason;
    CHECK_INT(run(st, "{\"ts\":1,\"a\":\"first\",\"b\":12.25}", &reason), DECODE_OK);
    CHECK_MEM(get("a")->value.p, get("a")->value.n, "first");
    CHECK_MEM(get("b")->value.p, get("b")->value.n, "12.25");
    CHECK_INT(run(st, "{\"ts\":1,\"a\":\"second\"}", &reason), DECODE_OK);
    CHECK_MEM(get("a")->value.p, get("a")->value.n, "second");
    CHECK(get("b") == NULL);
}

/* ---- detect ---- */

static const struct {
    const char *head;
    int score;
} detect_rows[] = {
    { "{\"ts\":1700000000}\n{\"ts\":1700000001}\n", 90 },
    { "\n  {\"ts\":1700000000}\n\n{\"time\":\"2026-11-22T10:00:00Z\"}\n", 90 },
    { "{\"ts\":1700000000}\nnot json\n", 45 },
    { "{\"ts\":1700000000}\n{\"a\":1}\n", 50 },
    { "{\"resourceSpans\":[]}\n", 10 },
    { "{\"ts\":1700000000}\n{\"ts\":17", 90 }, /* an incomplete last line is ignored */
    { "{\"ts\":1700000000}", 90 },             /* a one-line file without end of line */
    { "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\n", 0 },
    { "[{\"ts\":1}]\n", 0 },
    { "", 0 },
    { "   \n\n", 0 },
    { "\xEF\xBB\xBF{\"ts\":1700000000}\n", 90 },
};

static void test_detect(void)
{
    for (size_t i = 0; i < sizeof detect_rows / sizeof detect_rows[0]; i++) {
        struct decoder_state *st = open_with(NULL, 0, NULL, false, NULL, 1000000);
        size_t n = strlen(detect_rows[i].head);
        char *copy = malloc(n ? n : 1);
        memcpy(copy, detect_rows[i].head, n);
        int got = decode_jsonl.detect(st, (struct span){ copy, n });
        if (got != detect_rows[i].score)
            printf("  detect row %zu\n", i);
        CHECK_INT(got, detect_rows[i].score);
        free(copy);
    }
    /* the choice among all decoders: JSON lines go to jsonl, not access */
    struct decode_options opt = { 0 };
    opt.jsonl.unit_ns = 1000000;
    const struct decoder *dec = NULL;
    struct decoder_state *st = NULL;
    struct err e;
    CHECK_INT(decode_choose(&opt, "x.jsonl", SPAN_LIT("{\"ts\":1700000000,\"kind\":\"call\"}\n"),
                            arena, &dec, &st, &e),
              0);
    CHECK(dec == &decode_jsonl);
    opt.force = "jsonl";
    CHECK_INT(decode_choose(&opt, "x.jsonl", SPAN_LIT("garbage\n"), arena, &dec, &st, &e), 0);
    CHECK(dec == &decode_jsonl);
}

int main(void)
{
    arena = arena_new(1 << 16);
    test_types();
    test_paths();
    test_extract_all();
    test_times();
    test_durations();
    test_bad();
    test_nesting();
    test_line_limit();
    test_truncations();
    test_lifetime();
    test_detect();
    arena_free(arena);
    return test_report();
}
