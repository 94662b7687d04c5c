/*
 * test_decode_access.c - unit tests of the access-log decoder: the format
 * compiler (a row per error, with its offset), lines through compiled formats
 * (a row per case: attributes, times, skip reasons), every truncation of a
 * valid line, limits, and decode_choose()'s detection and forcing.
 */
#include <stdlib.h>

#include "decode.h"
#include "err.h"
#include "test.h"
#include "utc.h"

#define T_2000 INT64_C(971211336000000)  /* 10/Oct/2000:13:55:36 -0700 */
#define T_2026 INT64_C(1795341600000000) /* 2026-11-22T10:00:00Z */
#define NG LOGFORMAT_NGINX
#define AP LOGFORMAT_APACHE

static const char *const COMBINED =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\"";
static const char *const COMMON =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent";
static const char *const CUSTOM =
    "$remote_addr [$time_local] \"$request\" $status $request_time $request_id $msec "
    "$time_iso8601 \"$http_x_request_id\" \"$sent_http_x_result_id\" $upstream_response_time";
static const char *const APACHE = "%h %l %u %t \\\"%r\\\" %>s %b %D";
static const char *const APACHE_ID = "%h %l %u %t \"%r\" %>s %b %D \"%{X-Request-Id}i\"";

static const char *const LINE_COMBINED =
    "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif?a=1&b=x%20y "
    "HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I "
    ";Nav)\"";
static const char *const LINE_CUSTOM =
    "10.0.0.1 [22/Nov/2026:10:00:00 +0000] \"POST /v1/chat/completions HTTP/1.1\" 200 0.250 "
    "abc123 1795341600.250 2026-11-22T10:00:00+00:00 \"req-1\" \"res-9\" 0.100, 0.140 : 0.010";
static const char *const LINE_APACHE_ID =
    "10.1.1.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /v1/results/r1 HTTP/1.1\" 200 512 1500 "
    "\"id-\\\"7\\\"\"";

static struct arena *A;
static char *scratch;
static char *last_copy; /* the line run() decoded last */

static struct decode_logformat *compile(enum logformat_kind kind, const char *text)
{
    unsigned off = 0;
    const char *msg = NULL;
    struct decode_logformat *f = decode_logformat_compile(A, span_of(text), kind, &off, &msg);
    if (!f)
        printf("compile '%s': %s at %u\n", text, msg, off);
    return f;
}

/* Run `line` (copied into an exact-size buffer, so ASan sees over-reads). */
static enum decode_result run(const struct decode_logformat *f, const char *line, size_t n,
                              struct event *ev, const char **reason)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, line, n);
    *reason = NULL;
    enum decode_result r = decode_logformat_run(f, (struct span){ copy, n }, ev, scratch, reason);
    /* Values may borrow from the line: keep the copy until the next run. */
    free(last_copy);
    last_copy = copy;
    return r;
}

/* "name=value|!absent|name=value..." against the event. */
static void check_attrs(const struct event *ev, const char *spec, size_t row)
{
    const char *p = spec;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (p[0] == '!') {
            struct span name = { p + 1, len - 1 };
            const struct attr *a = event_get(ev, name);
            if (a)
                printf("row %zu: '%.*s' should be absent\n", row, (int)name.n, name.p);
            CHECK(a == NULL);
        } else {
            const char *eq = memchr(p, '=', len);
            struct span name = { p, (size_t)(eq - p) };
            struct span want = { eq + 1, len - name.n - 1 };
            const struct attr *a = event_get(ev, name);
            if (!a || !span_eq(a->value, want))
                printf("row %zu: %.*s: want '%.*s', got '%.*s'\n", row, (int)name.n, name.p,
                       (int)want.n, want.p, a ? (int)a->value.n : 6, a ? a->value.p : "absent");
            CHECK(a && span_eq(a->value, want));
        }
        p += len + (bar ? 1 : 0);
    }
}

struct line_row {
    enum logformat_kind kind;
    const char *format;
    const char *line;
    const char *reason; /* NULL: DECODE_OK */
    const char *attrs;
    int64_t start_us, end_us;
    bool has_duration;
};

static void check_lines(void)
{
    static const struct line_row rows[] = {
        /* combined and common */
        { NG, COMBINED,
          "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif?a=1&b=x%20y "
          "HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] "
          "(Win98; I ;Nav)\"",
          NULL,
          "remote_addr=127.0.0.1|remote_user=frank|time_local=10/Oct/2000:13:55:36 -0700|"
          "request=GET /apache_pb.gif?a=1&b=x%20y HTTP/1.0|method=GET|path=/apache_pb.gif|"
          "query.a=1|query.b=x y|protocol=HTTP/1.0|status=200|body_bytes_sent=2326|"
          "header.referer=http://www.example.com/start.html|"
          "header.user-agent=Mozilla/4.08 [en] (Win98; I ;Nav)|!request_time",
          T_2000, T_2000, false },
        { NG, COMBINED,
          "::1 - - [10/Oct/2000:13:55:36 -0700] \"POST /v1/x HTTP/1.1\" 201 0 \"-\" "
          "\"curl \\x22quoted\\x22 \\x5Cback\"",
          NULL,
          "remote_addr=::1|!remote_user|!header.referer|method=POST|path=/v1/x|status=201|"
          "body_bytes_sent=0|header.user-agent=curl \"quoted\" \\back",
          T_2000, T_2000, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"\\x16\\x03\\x01\" 400 150 \"-\" \"-\"", NULL,
          "request=\x16\x03\x01|!method|!path|status=400", T_2000, T_2000, false },
        { NG, COMBINED, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /x\" 200 1 \"-\" \"-\"",
          NULL, "method=GET|path=/x|!protocol", T_2000, T_2000, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a b HTTP/1.1\" 200 1 \"-\" \"-\"", NULL,
          "method=GET|path=/a b|protocol=HTTP/1.1", T_2000, T_2000, false },
        { NG, COMBINED, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"-\" 400 0 \"-\" \"-\"", NULL,
          "!request|!method|status=400", T_2000, T_2000, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 2OO 1 \"-\" \"-\"",
          "bad status (expected 3 digits)", "", 0, 0, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 20 1 \"-\" \"-\"",
          "bad status (expected 3 digits)", "", 0, 0, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 2000 1 \"-\" \"-\"",
          "bad status (expected 3 digits)", "", 0, 0, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:25:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
          "bad time in $time_local", "", 0, 0, false },
        { NG, COMBINED,
          "1.2.3.4 - - [30/Feb/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
          "bad time in $time_local", "", 0, 0, false },
        { NG, COMBINED,
          "1.2.3.4 - - 10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
          "unexpected text after $remote_user", "", 0, 0, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
          "expected '\"' before $request", "", 0, 0, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" x",
          "unexpected text after the last field", "", 0, 0, false },
        { NG, COMBINED,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"curl",
          "line ends inside $http_*", "", 0, 0, false },
        { NG, COMBINED, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700]", "line ends before $request", "",
          0, 0, false },
        { NG, COMBINED, "", "line ends before $remote_addr", "", 0, 0, false },
        { NG, COMBINED, "helloworld", "line ends inside $remote_addr", "", 0, 0, false },
        { NG, COMBINED, "hello world", "unexpected text after $remote_addr", "", 0, 0, false },
        { NG, COMMON, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 304 0", NULL,
          "status=304|body_bytes_sent=0|!header.referer", T_2000, T_2000, false },
        { NG, COMMON,
          "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
          "unexpected text after the last field", "", 0, 0, false },
        /* custom nginx: $msec (ms) wins over $time_local; start = end - $request_time */
        { NG, CUSTOM,
          "10.0.0.1 [22/Nov/2026:10:00:00 +0000] \"POST /v1/chat/completions HTTP/1.1\" 200 "
          "0.250 abc123 1795341600.250 2026-11-22T10:00:00+00:00 \"req-1\" \"res-9\" 0.100, "
          "0.140 : 0.010",
          NULL,
          "request_id=abc123|request_time=0.250|msec=1795341600.250|"
          "time_iso8601=2026-11-22T10:00:00+00:00|header.x-request-id=req-1|"
          "resp_header.x-result-id=res-9|upstream_response_time=0.100, 0.140 : 0.010|"
          "method=POST|path=/v1/chat/completions",
          T_2026, T_2026 + 250000, true },
        { NG, CUSTOM,
          "10.0.0.1 [22/Nov/2026:10:00:00 +0000] \"GET /v1/r/1 HTTP/1.1\" 200 - - 1795341600.250"
          " 2026-11-22T10:00:00+00:00 \"-\" \"-\" -",
          NULL, "!request_time|!request_id|!header.x-request-id|!upstream_response_time",
          T_2026 + 250000, T_2026 + 250000, false },
        { NG, CUSTOM,
          "10.0.0.1 [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 abc x 1795341600.250 "
          "2026-11-22T10:00:00+00:00 \"-\" \"-\" -",
          "bad $request_time", "", 0, 0, false },
        { NG, CUSTOM,
          "10.0.0.1 [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 0.1 x 17953416OO.250 "
          "2026-11-22T10:00:00+00:00 \"-\" \"-\" -",
          "bad time in $msec", "", 0, 0, false },
        { NG, CUSTOM,
          "10.0.0.1 [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 0.1 x 1795341600.250 "
          "2026-11-22T10:00:00+25:00 \"-\" \"-\" -",
          "bad time in $time_iso8601", "", 0, 0, false },
        { NG, "$time_iso8601 $status $request_time", "2026-11-22T11:00:01.5+01:00 200 1.500", NULL,
          "status=200", T_2026, T_2026 + 1500000, true },
        { NG, "$remote_addr $status", "1.2.3.4 200", "no time in line", "", 0, 0, false },
        { NG, "$msec $status", "- 200", "no time in line", "", 0, 0, false },
        /* query parsing: empty items skipped, a name without '=' is empty, bad %-escapes stay */
        { NG, "$msec $request_uri", "1795341600 /p?x=1&&y&=z&k=%41%2&pl=a+b&x=2", NULL,
          "request_uri=/p?x=1&&y&=z&k=%41%2&pl=a+b&x=2|path=/p|query.x=1|query.y=|"
          "query.k=A%2|query.pl=a b|!query.",
          T_2026, T_2026, false },
        { NG, "$msec $uri $args", "1795341600 /v1/x a=b%3Dc%26d", NULL,
          "path=/v1/x|query.a=b=c&d|!uri|!args", T_2026, T_2026, false },
        { NG, "$msec $args", "1795341600 q=\\x2541", NULL, "query.q=A", T_2026, T_2026, false },
        { NG, "$msec $uri$is_args$args", "1795341600 /v1/x?a=1", NULL, "path=/v1/x|query.a=1",
          T_2026, T_2026, false },
        { NG, "$msec $uri$is_args$args", "1795341600 /v1/x", NULL, "path=/v1/x|!query.a", T_2026,
          T_2026, false },
        { NG, "$msec \"$uri$is_args$args\" $status", "1795341600 \"/v1/x?a=1\" 200", NULL,
          "path=/v1/x|query.a=1|status=200", T_2026, T_2026, false },
        { NG, "$msec $uri $query_string", "1795341600 /v1/x %61=1", NULL, "query.a=1", T_2026,
          T_2026, false },
        { NG, "[${time_local}] ${status}ms $request_method",
          "[22/Nov/2026:10:00:00 +0000] 200ms PUT", NULL,
          "status=200|method=PUT|request_method=PUT", T_2026, T_2026, false },
        { NG, "$time_local $status", "22/Nov/2026:11:00:00 +0100 200", NULL,
          "time_local=22/Nov/2026:11:00:00 +0100|status=200", T_2026, T_2026, false },
        { NG, "$msec \"$request\"", "1795341600 \"GET /a?b=1 HTTP/2.0\"", NULL,
          "method=GET|path=/a|query.b=1|protocol=HTTP/2.0", T_2026, T_2026, false },
        { NG, "$msec $cookie_session $arg_user", "1795341600 s1 bob", NULL,
          "cookie_session=s1|arg_user=bob", T_2026, T_2026, false },
        /* Apache */
        { AP, APACHE, "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1\" 200 - 1500",
          NULL,
          "remote_addr=127.0.0.1|!remote_logname|!remote_user|time=10/Oct/2000:13:55:36 -0700|"
          "method=GET|path=/x|protocol=HTTP/1.1|status=200|!body_bytes_sent|request_time=1500",
          T_2000, T_2000 + 1500, true },
        { AP, APACHE,
          "127.0.0.1 - alice [10/Oct/2000:13:55:36 -0700] \"GET /a\\\"b\\\\c HTTP/1.1\" 404 "
          "12 7",
          NULL, "remote_user=alice|path=/a\"b\\c|status=404|body_bytes_sent=12", T_2000, T_2000 + 7,
          true },
        { AP, APACHE, "127.0.0.1 - - 10/Oct/2000:13:55:36 -0700 \"GET /x HTTP/1.1\" 200 - 1500",
          "bad time in %t", "", 0, 0, false },
        { AP, APACHE, "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1\" 200 - 1.5",
          "bad %D", "", 0, 0, false },
        { AP, APACHE_ID, LINE_APACHE_ID, NULL,
          "header.x-request-id=id-\"7\"|path=/v1/results/r1|body_bytes_sent=512", T_2000,
          T_2000 + 1500, true },
        { AP, "%t %{ms}T", "[10/Oct/2000:13:55:36 -0700] 250", NULL, "request_time=250", T_2000,
          T_2000 + 250000, true },
        { AP, "%t %T", "[10/Oct/2000:13:55:36 -0700] 2", NULL, "", T_2000, T_2000 + 2000000, true },
        { AP, "%t %{us}T", "[10/Oct/2000:13:55:36 -0700] 2", NULL, "", T_2000, T_2000 + 2, true },
        { AP, "%{%d/%b/%Y:%H:%M:%S %z}t %>s", "10/Oct/2000:13:55:36 -0700 200", NULL,
          "status=200|time=10/Oct/2000:13:55:36 -0700", T_2000, T_2000, false },
        { AP, "%{%d/%b/%Y:%H:%M:%S %z}t %>s", "10/Oct/2000:13:55:36 -0700 2000",
          "bad status (expected 3 digits)", "", 0, 0, false },
        { AP, "%{%d/%b/%Y:%H:%M:%S %z}t %>s", "10/Oct/2000:13:55:6x -0700 200",
          "bad time in %{...}t", "", 0, 0, false },
        { AP, "%{%d/%b/%Y:%H:%M:%S %z}t %>s", "31/Feb/2000:13:55:36 -0700 200",
          "bad time in %{...}t", "", 0, 0, false },
        { AP, "%{end:%d/%b/%Y %T}t.%{end:msec_frac}t %{end:%z}t %D",
          "10/Oct/2000 13:55:36.250 -0700 250000", NULL, "", T_2000, T_2000 + 250000, true },
        { AP, "[%{%F %T}t.%{usec_frac}t] %s", "[2026-11-22 10:00:00.000001] 200", NULL, "",
          T_2026 + 1, T_2026 + 1, false },
        { AP, "%t.%{msec_frac}t %s", "[10/Oct/2000:13:55:36 -0700].125 200", NULL, "",
          T_2000 + 125000, T_2000 + 125000, false },
        { AP, "%{msec}t %s", "1795341600123 200", NULL, "", T_2026 + 123000, T_2026 + 123000,
          false },
        { AP, "%{begin:sec}t %{end:usec}t", "1795341600 1795341600500000", NULL, "", T_2026,
          T_2026 + 500000, true },
        { AP, "%{sec}t %s", "1795341600x 200", "bad time in %{...}t", "", 0, 0, false },
        { AP, "%t %m %U%q %H", "[10/Oct/2000:13:55:36 -0700] GET /p?a=1&b=2 HTTP/1.1", NULL,
          "method=GET|path=/p|query.a=1|query.b=2|protocol=HTTP/1.1", T_2000, T_2000, false },
        { AP, "%t %m %U%q %H", "[10/Oct/2000:13:55:36 -0700] GET /p HTTP/1.1", NULL,
          "method=GET|path=/p|!query.", T_2000, T_2000, false },
        { AP, "%t 100%% %>s", "[10/Oct/2000:13:55:36 -0700] 100% 201", NULL, "status=201", T_2000,
          T_2000, false },
        { AP, "%t %!200,304{Referer}i %400{User-Agent}i %{c}a %v %p %{remote}p %L",
          "[10/Oct/2000:13:55:36 -0700] - ua/1 10.0.0.9 api.example 443 50000 XyZ", NULL,
          "!header.referer|header.user-agent=ua/1|remote_addr=10.0.0.9|"
          "server_name=api.example|server_port=443|remote_port=50000|request_log_id=XyZ",
          T_2000, T_2000, false },
        { AP, "%t %{FOO}e %{bar}n %{sid}C %{X-Result-Id}o %I %O %S",
          "[10/Oct/2000:13:55:36 -0700] 1 2 3 r9 10 20 30", NULL,
          "env.FOO=1|note.bar=2|cookie.sid=3|resp_header.x-result-id=r9|bytes_in=10|"
          "bytes_out=20|bytes_total=30",
          T_2000, T_2000, false },
        { AP, APACHE, "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1",
          "line ends inside %r", "", 0, 0, false },
        { AP, APACHE, "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1\\\" 200",
          "line ends inside %r", "", 0, 0, false },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct line_row *row = &rows[i];
        struct decode_logformat *f = compile(row->kind, row->format);
        CHECK(f != NULL);
        if (!f)
            continue;
        struct event ev;
        const char *reason;
        enum decode_result r = run(f, row->line, strlen(row->line), &ev, &reason);
        if ((r == DECODE_OK) != (row->reason == NULL))
            printf("row %zu: %s\n", i, reason ? reason : "decoded");
        if (row->reason) {
            CHECK_INT(r, DECODE_SKIP);
            CHECK_STR(reason ? reason : "(none)", row->reason);
            continue;
        }
        CHECK_INT(r, DECODE_OK);
        if (r != DECODE_OK)
            continue;
        check_attrs(&ev, row->attrs, i);
        if (ev.start_us != row->start_us || ev.end_us != row->end_us)
            printf("row %zu: times\n", i);
        CHECK_INT(ev.start_us, row->start_us);
        CHECK_INT(ev.end_us, row->end_us);
        CHECK_INT(ev.has_duration, row->has_duration);
    }
}

/* NUL bytes are bytes: they end nothing. */
static void check_nul(void)
{
    static const char line[] = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a\0b HTTP/1.1\" "
                               "200 1 \"-\" \"x\0y\"";
    struct decode_logformat *f = compile(NG, COMBINED);
    struct event ev;
    const char *reason;
    CHECK_INT(run(f, line, sizeof line - 1, &ev, &reason), DECODE_OK);
    const struct attr *a = event_get(&ev, SPAN_LIT("header.user-agent"));
    CHECK(a && a->value.n == 3 && memcmp(a->value.p, "x\0y", 3) == 0);
    a = event_get(&ev, SPAN_LIT("path"));
    CHECK(a && a->value.n == 4 && memcmp(a->value.p, "/a\0b", 4) == 0);
    /* A NUL where the format wants text. */
    static const char bad[] = "1.2.3.4 -\0- [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" "
                              "200 1 \"-\" \"-\"";
    CHECK_INT(run(f, bad, sizeof bad - 1, &ev, &reason), DECODE_SKIP);
    CHECK_STR(reason, "unexpected text after $remote_addr");
}

/* Every truncation of a valid line is skipped, never read past its end. */
static void check_truncations(void)
{
    static const struct {
        enum logformat_kind kind;
        const char *format;
        const char *line;
        size_t ok_from; /* truncations this long or longer may decode (last field cut);
                         * 0: none may */
    } rows[] = {
        { NG, COMBINED, NULL, 0 },
        { NG, CUSTOM, NULL, 149 }, /* $upstream_response_time "0.100, 0.140 : 0.010" */
        { AP, APACHE_ID, NULL, 0 },
        { NG, COMMON, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 2326",
          62 }, /* nginx logs empty values as nothing: "200 " decodes */
        { AP, APACHE, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 1500",
          65 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *line = rows[i].line;
        if (!line)
            line = i == 0 ? LINE_COMBINED : i == 1 ? LINE_CUSTOM : LINE_APACHE_ID;
        size_t n = strlen(line), ok_from = rows[i].ok_from ? rows[i].ok_from : n;
        struct decode_logformat *f = compile(rows[i].kind, rows[i].format);
        struct event ev;
        const char *reason;
        CHECK_INT(run(f, line, n, &ev, &reason), DECODE_OK);
        unsigned bad = 0, no_reason = 0;
        for (size_t k = 0; k < n; k++) {
            enum decode_result r = run(f, line, k, &ev, &reason);
            if (k < ok_from && r != DECODE_SKIP) {
                printf("truncation %zu/%zu of row %zu decoded\n", k, n, i);
                bad++;
            }
            if (r == DECODE_SKIP && !reason)
                no_reason++;
        }
        CHECK_INT(bad, 0);
        CHECK_INT(no_reason, 0);
    }
}

struct compile_row {
    enum logformat_kind kind;
    const char *text;
    unsigned off;
    const char *msg; /* NULL: compiles */
};

static void check_compile(void)
{
    static const struct compile_row rows[] = {
        { NG, COMBINED, 0, NULL },
        { NG, CUSTOM, 0, NULL },
        { AP, APACHE, 0, NULL },
        { AP, APACHE_ID, 0, NULL },
        { NG, "$remote_addr $foo", 0, NULL },   /* a map/set variable: its own name */
        { NG, "$remote_addr ${foo}", 0, NULL },
        { NG, "$", 0, "'$' without a variable name" },
        { NG, "a $ b", 2, "'$' without a variable name" },
        { NG, "x ${remote_addr", 2, "unterminated '${'" },
        { NG, "${remote-addr}", 8, "bad byte in '${...}' (expected a variable name)" },
        { NG, "$remote_addr$status", 12, "two variables with nothing between them" },
        { NG, "$request_uri$is_args", 12, "two variables with nothing between them" },
        { AP, "%t %U%q", 0, NULL },
        { AP, "%t %U%m", 5, "two variables with nothing between them" },
        { NG, "\"$remote_addr\"\"$status\"", 0, NULL },
        { NG, "[$time_local]$status", 0, NULL },
        { NG, "", 0, "empty format" },
        { NG, "$HTTP_X_ID $Status", 0, NULL },
        { AP, "%h %Z", 3, "unknown directive '%Z'" },
        { AP, "%h %>Q", 3, "unknown directive '%Q'" },
        { AP, "%h %", 3, "'%' at the end of the format" },
        { AP, "%h %{X-Id", 4, "unterminated '%{'" },
        { AP, "%h %{X-Id}", 3, "directive without its letter at the end of the format" },
        { AP, "%t %i", 3, "'%i' needs a name in braces, as in '%{X-Request-Id}i'" },
        { AP, "%t %{}o", 3, "'%o' needs a name in braces, as in '%{X-Request-Id}i'" },
        { AP, "%t %{min}T", 3, "unknown unit in %{...}T (expected s, ms or us)" },
        { AP, "%{%a %d}t", 0,
          "unsupported time format in %{...}t (expected begin: or end:, then sec, msec, usec, "
          "msec_frac, usec_frac or strftime %d %e %m %b %Y %H %M %S %T %F %z %%)" },
        { AP, "%{end:}t", 0,
          "unsupported time format in %{...}t (expected begin: or end:, then sec, msec, usec, "
          "msec_frac, usec_frac or strftime %d %e %m %b %Y %H %M %S %T %F %z %%)" },
        { AP, "%h $remote_addr", 0, NULL }, /* '$' is text in Apache formats */
        { NG, "%h $remote_addr", 0, NULL }, /* and '%' in nginx ones */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        unsigned off = 999;
        const char *msg = NULL;
        struct decode_logformat *f =
            decode_logformat_compile(A, span_of(rows[i].text), rows[i].kind, &off, &msg);
        if ((f != NULL) != (rows[i].msg == NULL))
            printf("compile row %zu: %s\n", i, msg ? msg : "compiled");
        CHECK((f != NULL) == (rows[i].msg == NULL));
        if (!f && rows[i].msg) {
            CHECK_STR(msg, rows[i].msg);
            CHECK_INT(off, rows[i].off);
        }
    }

    /* LIMIT_FORMAT_OPS: 127 and 128 ops compile, 129 do not. */
    char text[1024];
    size_t k = 0;
    for (int i = 0; i < 64; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "$status.");
    unsigned off;
    const char *msg;
    CHECK(decode_logformat_compile(A, (struct span){ text, k - 1 }, NG, &off, &msg) != NULL);
    CHECK(decode_logformat_compile(A, (struct span){ text, 64 * 8 }, NG, &off, &msg) != NULL);
    memcpy(text + 64 * 8, "$status", 7);
    CHECK(decode_logformat_compile(A, (struct span){ text, 64 * 8 + 7 }, NG, &off, &msg) == NULL);
    CHECK_STR(msg, "more than 128 fields and literals in the format");
    CHECK_INT(off, 64 * 8);

    /* LIMIT_ATTR_NAME: header.NAME of 128 bytes compiles, 129 does not. */
    char name[256] = "$http_";
    memset(name + 6, 'a', 121);
    CHECK(decode_logformat_compile(A, (struct span){ name, 6 + 121 }, NG, &off, &msg) != NULL);
    memset(name + 6, 'a', 122);
    CHECK(decode_logformat_compile(A, (struct span){ name, 6 + 122 }, NG, &off, &msg) == NULL);
    CHECK_STR(msg, "attribute name longer than 128 bytes");

    /* Variable names are case-insensitive; attribute names are lower case. */
    struct decode_logformat *f = compile(NG, "$msec $HTTP_X_ID $Status");
    struct event ev;
    const char *reason;
    CHECK_INT(run(f, "1795341600 a 200", 16, &ev, &reason), DECODE_OK);
    check_attrs(&ev, "header.x-id=a|status=200", 0);
}

static void check_limits(void)
{
    /* More query parameters than LIMIT_ATTRS: the rest are dropped. */
    char line[4096] = "1795341600 GET /p?";
    size_t n = strlen(line);
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, "k%d=%d&", i, i);
    struct decode_logformat *f = compile(NG, "$msec $request_method $request_uri");
    struct event ev;
    const char *reason;
    CHECK_INT(run(f, line, n, &ev, &reason), DECODE_OK);
    CHECK_INT(ev.n_attrs, LIMIT_ATTRS);
    check_attrs(&ev, "method=GET|path=/p|query.k0=0|query.k58=58|!query.k59", 0);

    /* Scratch never overflows: 2 * n + 1024 bytes even when every byte is an
     * escape and every item a made name. */
    size_t big = 60000;
    char *esc = malloc(big);
    memcpy(esc, "1795341600 ", 11);
    for (size_t i = 11; i < big; i++)
        esc[i] = (i % 2) ? '&' : 'a';
    CHECK_INT(run(f, esc, big, &ev, &reason), DECODE_SKIP); /* no uri field: one word */
    struct decode_logformat *g = compile(NG, "$msec $args");
    CHECK_INT(run(g, esc, big, &ev, &reason), DECODE_OK);
    CHECK_INT(ev.n_attrs, LIMIT_ATTRS);
    free(esc);
}

static void check_choose(void)
{
    struct logformat fmts[] = {
        { "edge",
          SPAN_LIT("$remote_addr - $remote_user [$time_local] \"$request\" $status "
                   "$body_bytes_sent \"$http_referer\" \"$http_user_agent\" "
                   "$request_time $request_id"),
          NG },
        { "api", SPAN_LIT("%h %l %u %t \"%r\" %>s %b %D"), AP },
    };
    struct decode_options opt = { .formats = fmts, .n_formats = 2 };
    struct err e;
    const struct decoder *dec;
    struct decoder_state *st;
    struct event ev;
    const char *reason;

    /* Combined lines; the last one cut by the head's end is ignored. */
    const char *head = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" "
                       "\"ua\"\n\n"
                       "1.2.3.4 - - [10/Oct/2000:13:55:37 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" "
                       "\"ua\"\r\n"
                       "1.2.3.4 - - [10/Oct/2000:13:55:38 -07";
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), 0);
    CHECK(dec == &decode_access);
    CHECK_STR(dec->format_name(st), "nginx");
    CHECK_INT(dec->detect(st, span_of(head)), 100);
    CHECK_INT(
        dec->line(st, (struct span){ head, (size_t)(strchr(head, '\n') - head) }, &ev, &reason),
        DECODE_OK);
    CHECK(event_get(&ev, SPAN_LIT("request_id")) == NULL);

    /* The rules' format wins (tried first); 1 of 2 lines is 50. */
    head = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\" "
           "0.010 id1\n"
           "garbage\n";
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), 0);
    CHECK_INT(dec->detect(st, span_of(head)), 50);
    CHECK_INT(dec->line(st, (struct span){ head, strlen(head) - 9 }, &ev, &reason), DECODE_OK);
    check_attrs(&ev, "request_id=id1|request_time=0.010", 0);
    CHECK_INT(ev.start_us, T_2000 - 10000);

    head = "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1\" 200 - 1500\n";
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), 0);
    CHECK_STR(dec->format_name(st), "apache");

    /* A single line without its newline is still looked at. */
    head = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1";
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), 0);
    CHECK_INT(dec->detect(st, span_of(head)), 100);

    CHECK_INT(decode_choose(&opt, "x.log", span_of("just some words\n"), A, &dec, &st, &e), -1);
    CHECK_INT(e.exit_code, EXIT_USAGE);
    CHECK_STR(e.file, "x.log");
    CHECK(strstr(e.msg, "cannot tell the format") == e.msg);
    CHECK(strstr(e.msg, "paste its log_format") != NULL);
    CHECK_INT(decode_choose(&opt, "x.log", SPAN_NULL, A, &dec, &st, &e), -1);

    /* Forced: a format name keeps only that format, whatever the lines. */
    opt.force = "common";
    head = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\n";
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), 0);
    CHECK_INT(dec->detect(st, span_of(head)), 0);
    CHECK_INT(dec->line(st, (struct span){ head, strlen(head) - 1 }, &ev, &reason), DECODE_SKIP);
    CHECK_STR(reason, "unexpected text after the last field");
    opt.force = "api";
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), 0);
    CHECK_STR(dec->format_name(st), "apache");
    opt.force = "access";
    CHECK_INT(decode_choose(&opt, "x.log", span_of("nothing\n"), A, &dec, &st, &e), 0);
    CHECK(dec == &decode_access);
    opt.force = "nginx";
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), 0);
    CHECK_STR(dec->format_name(st), "nginx");
    opt.force = "w3c";
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), -1);
    CHECK_INT(e.exit_code, EXIT_USAGE);
    CHECK(strstr(e.msg, "unknown input format 'w3c'") == e.msg);

    /* A rules format that does not compile is exit 2, naming it. */
    struct logformat broken = { "broken", SPAN_LIT("$remote_addr ${nope"), NG };
    struct decode_options bopt = { .formats = &broken, .n_formats = 1 };
    CHECK_INT(decode_choose(&bopt, "x.log", span_of(head), A, &dec, &st, &e), -1);
    CHECK_INT(e.exit_code, EXIT_USAGE);
    CHECK_STR(e.msg, "logformat 'broken': unterminated '${' (at byte 14)");

    /* A variable of the user's own (nginx map or set) is kept under its name. */
    {
        unsigned off;
        const char *msg;
        struct event cev;
        const char *why = NULL;
        struct decode_logformat *cf = decode_logformat_compile(
            A, SPAN_LIT("$msec $trace_id \"$request\""), NG, &off, &msg);
        CHECK(cf != NULL);
        CHECK_INT(decode_logformat_run(cf, SPAN_LIT("1700000000.123 t-42 \"GET /x HTTP/1.1\""),
                                       &cev, scratch, &why),
                  DECODE_OK);
        const struct attr *ta = event_get(&cev, SPAN_LIT("trace_id"));
        CHECK(ta != NULL);
        if (ta)
            CHECK_SPAN(ta->value, "t-42");
    }

    /* LIMIT_LINE: a longer line is skipped with the limit's reason. */
    opt.force = NULL;
    CHECK_INT(decode_choose(&opt, "x.log", span_of(head), A, &dec, &st, &e), 0);
    char *huge = malloc(LIMIT_LINE + 1);
    memset(huge, 'a', LIMIT_LINE + 1);
    CHECK_INT(dec->line(st, (struct span){ huge, LIMIT_LINE + 1 }, &ev, &reason), DECODE_SKIP);
    CHECK_STR(reason, "line longer than 1 MiB");
    CHECK_INT(dec->line(st, (struct span){ huge, LIMIT_LINE }, &ev, &reason), DECODE_SKIP);
    CHECK_STR(reason, "line ends inside $remote_addr");
    free(huge);
}

int main(void)
{
    A = arena_new(1 << 16);
    scratch = malloc(2 * (size_t)LIMIT_LINE + 1024);
    check_compile();
    check_lines();
    check_nul();
    check_truncations();
    check_limits();
    check_choose();
    free(last_copy);
    free(scratch);
    arena_free(A);
    return test_report();
}
