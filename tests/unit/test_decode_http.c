/*
 * test_decode_http.c - the HTTP/1.x decoder (decode_http.c, issue 7) driven
 * through its TCP callbacks with byte chunks and capture times, no pcap:
 * framing, pairing, SSE, JSON fields, resynchronisation and the limits.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "decode.h"
#include "test.h"

#define MAX_EVENTS 256

/* Events copied out of the callback: "name=value" lines after a time line. */
struct got {
    unsigned n;
    char *text[MAX_EVENTS];
    struct event ev[MAX_EVENTS]; /* times only (attrs are in text) */
};

static void on_event(void *ctx, const struct event *ev)
{
    struct got *g = ctx;
    if (g->n == MAX_EVENTS)
        return;
    struct buf b;
    buf_init(&b, 64u << 20);
    int rc = buf_printf(&b, "start=%" PRId64 " end=%" PRId64 "\n", ev->start_us, ev->end_us);
    for (unsigned i = 0; i < ev->n_attrs; i++)
        rc |= buf_printf(&b, "%.*s=%.*s\n", (int)ev->attrs[i].name.n, ev->attrs[i].name.p,
                         (int)ev->attrs[i].value.n, ev->attrs[i].value.p);
    if (rc != 0)
        abort();
    g->ev[g->n] = *ev;
    g->ev[g->n].n_attrs = 0;
    g->text[g->n++] = b.p;
}

static void got_clear(struct got *g)
{
    for (unsigned i = 0; i < g->n; i++)
        free(g->text[i]);
    g->n = 0;
}

/* Value of attribute `name` in event i ("" - a static - when absent is told apart by NULL). */
static const char *attr(const struct got *g, unsigned i, const char *name)
{
    static char out[8][1 << 17];
    static unsigned k;
    if (i >= g->n)
        return NULL;
    size_t nl = strlen(name);
    const char *p = g->text[i];
    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1, *e = strchr(v, '\n');
            char *o = out[k++ % 8];
            size_t n = (size_t)(e - v) < sizeof out[0] - 1 ? (size_t)(e - v) : sizeof out[0] - 1;
            memcpy(o, v, n);
            o[n] = 0;
            return o;
        }
    }
    return NULL;
}

#define CHECK_ATTR(g, i, name, want)                                                               \
    do {                                                                                           \
        const char *v_ = attr((g), (i), (name));                                                   \
        CHECK_STR(v_ ? v_ : "(absent)", (want));                                                   \
    } while (0)

/* One decoder, one stream, callbacks at hand. */
struct rig {
    struct decode_http *h;
    struct tcp_callbacks cb;
    struct tcp_stream s;
    struct got g;
};

static void rig_open(struct rig *r, const struct span *wanted, unsigned n_wanted, bool known)
{
    memset(r, 0, sizeof *r);
    struct decode_options opt = { 0 };
    opt.wanted = wanted;
    opt.n_wanted = n_wanted;
    r->h = decode_http_new(&opt, on_event, &r->g);
    decode_http_callbacks(r->h, &r->cb);
    r->s.id = 1;
    r->s.initiator_known = known;
}

/* Bytes in an exact-size heap copy, so ASan sees an over-read. */
static void put_n(struct rig *r, int dir, const char *p, size_t n, int64_t ts)
{
    char *c = malloc(n ? n : 1);
    memcpy(c, p, n);
    r->cb.data(r->cb.ctx, &r->s, (enum tcp_dir)dir, (const uint8_t *)c, n, ts);
    free(c);
}

static void put(struct rig *r, int dir, const char *text, int64_t ts)
{
    put_n(r, dir, text, strlen(text), ts);
}

static void end_stream(struct rig *r, int64_t ts)
{
    r->cb.end(r->cb.ctx, &r->s, TCP_END_CLOSED, ts);
    CHECK(r->s.user == NULL);
}

static const struct decode_http_stats *stats(struct rig *r) { return decode_http_stats(r->h); }

static void rig_close(struct rig *r)
{
    if (r->s.user)
        end_stream(r, 0);
    CHECK_INT(stats(r)->exchanges, r->g.n);
    got_clear(&r->g);
    decode_http_free(r->h);
}

enum { C = TCP_FROM_INITIATOR, S = TCP_FROM_RESPONDER };

static const char REQ1[] = "POST /v1/chat/completions?user=a%20b&x=1+2 HTTP/1.1\r\n"
                           "Host: api.example.com\r\n"
                           "Content-Type: application/json\r\n"
                           "X-Trace: Abc\r\n"
                           "Content-Length: 40\r\n"
                           "\r\n"
                           "{\"model\":\"gpt-4o\",\"n\":2,\"stream\":false}\n";
static const char RESP1[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: 98\r\n"
    "\r\n"
    "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"hi\"}}],"
    "\"usage\":{\"total_tokens\":42,\"ok\":true}}";

static void test_one_exchange(void)
{
    CHECK_INT(strlen(REQ1) - (size_t)(strstr(REQ1, "\r\n\r\n") + 4 - REQ1), 40);
    CHECK_INT(strlen(RESP1) - (size_t)(strstr(RESP1, "\r\n\r\n") + 4 - RESP1), 98);
    struct rig r;
    rig_open(&r, NULL, 0, true);
    put(&r, C, REQ1, 1000);
    put(&r, S, RESP1, 5000);
    CHECK_INT(r.g.n, 1);
    CHECK_INT(r.g.ev[0].start_us, 1000);
    CHECK_INT(r.g.ev[0].end_us, 5000);
    CHECK(r.g.ev[0].has_duration);
    CHECK_ATTR(&r.g, 0, "method", "POST");
    CHECK_ATTR(&r.g, 0, "path", "/v1/chat/completions");
    CHECK_ATTR(&r.g, 0, "protocol", "HTTP/1.1");
    CHECK_ATTR(&r.g, 0, "status", "200");
    CHECK_ATTR(&r.g, 0, "request_end_us", "1000");
    CHECK_ATTR(&r.g, 0, "response_start_us", "5000");
    CHECK_ATTR(&r.g, 0, "query.user", "a b");
    CHECK_ATTR(&r.g, 0, "query.x", "1 2");
    CHECK_ATTR(&r.g, 0, "header.host", "api.example.com");
    CHECK_ATTR(&r.g, 0, "header.x-trace", "Abc");
    CHECK_ATTR(&r.g, 0, "resp_header.content-length", "98");
    CHECK_ATTR(&r.g, 0, "req.model", "gpt-4o");
    CHECK_ATTR(&r.g, 0, "req.n", "2");
    CHECK_ATTR(&r.g, 0, "req.stream", "false");
    CHECK_ATTR(&r.g, 0, "resp.id", "chatcmpl-1");
    CHECK_ATTR(&r.g, 0, "resp.usage.total_tokens", "42");
    CHECK_ATTR(&r.g, 0, "resp.choices.0.message.content", "hi");
    CHECK(attr(&r.g, 0, "sse.events") == NULL);
    CHECK_INT(r.g.n, 1);
    if (r.g.n != 1)
        return;
    char *whole = strdup(r.g.text[0]);
    end_stream(&r, 9000);
    CHECK_INT(stats(&r)->incomplete, 0);
    rig_close(&r);

    /* Split at every byte offset, request then response: the same event. */
    unsigned same = 0, total = 0;
    for (int which = 0; which < 2; which++) {
        const char *m = which ? RESP1 : REQ1;
        size_t len = strlen(m);
        for (size_t k = 0; k <= len; k++) {
            rig_open(&r, NULL, 0, true);
            if (which) {
                put(&r, C, REQ1, 1000);
                put_n(&r, S, RESP1, k, 5000);
                put_n(&r, S, RESP1 + k, len - k, 5000);
            } else {
                put_n(&r, C, REQ1, k, 1000);
                put_n(&r, C, REQ1 + k, len - k, 1000);
                put(&r, S, RESP1, 5000);
            }
            total++;
            same += r.g.n == 1 && strcmp(r.g.text[0], whole) == 0;
            rig_close(&r);
        }
    }
    CHECK_INT(same, total);
    /* Byte by byte. */
    rig_open(&r, NULL, 0, true);
    for (size_t k = 0; REQ1[k]; k++)
        put_n(&r, C, REQ1 + k, 1, 1000);
    for (size_t k = 0; RESP1[k]; k++)
        put_n(&r, S, RESP1 + k, 1, 5000);
    CHECK_INT(r.g.n, 1);
    CHECK(r.g.n == 1 && strcmp(r.g.text[0], whole) == 0);
    rig_close(&r);
    free(whole);
}

static void test_wanted(void)
{
    const struct span want[] = {
        SPAN_LIT("status"),         SPAN_LIT("req.model"),  SPAN_LIT("resp.usage.total_tokens"),
        SPAN_LIT("header.x-trace"), SPAN_LIT("query.user"), SPAN_LIT("resp.nope")
    };
    struct rig r;
    rig_open(&r, want, 6, true);
    put(&r, C, REQ1, 1000);
    put(&r, S, RESP1, 5000);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "status", "200");
    CHECK_ATTR(&r.g, 0, "req.model", "gpt-4o");
    CHECK_ATTR(&r.g, 0, "resp.usage.total_tokens", "42");
    CHECK_ATTR(&r.g, 0, "header.x-trace", "Abc");
    CHECK_ATTR(&r.g, 0, "query.user", "a b");
    CHECK(attr(&r.g, 0, "method") == NULL);
    CHECK(attr(&r.g, 0, "resp.id") == NULL);
    CHECK(attr(&r.g, 0, "header.host") == NULL);
    CHECK(attr(&r.g, 0, "query.x") == NULL);
    CHECK(attr(&r.g, 0, "resp.nope") == NULL);
    rig_close(&r);
}

static void test_keepalive_and_pipelining(void)
{
    struct rig r;
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 100);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200);
    put(&r, C, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n", 300);
    put(&r, S, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 400);
    CHECK_INT(r.g.n, 2);
    CHECK_ATTR(&r.g, 0, "path", "/a");
    CHECK_ATTR(&r.g, 0, "status", "200");
    CHECK_ATTR(&r.g, 1, "path", "/b");
    CHECK_ATTR(&r.g, 1, "status", "404");
    CHECK_INT(r.g.ev[1].start_us, 300);
    CHECK_INT(r.g.ev[1].end_us, 400);
    rig_close(&r);

    /* Pipelined: two requests in one segment, then two responses. */
    rig_open(&r, NULL, 0, true);
    put(&r, C,
        "GET /one HTTP/1.1\r\nHost: x\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        100);
    put(&r, S, "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", 200);
    put(&r, S, "HTTP/1.1 202 Accepted\r\nContent-Length: 1\r\n\r\ny", 300);
    CHECK_INT(r.g.n, 2);
    CHECK_ATTR(&r.g, 0, "path", "/one");
    CHECK_ATTR(&r.g, 0, "status", "201");
    CHECK_ATTR(&r.g, 1, "path", "/two");
    CHECK_ATTR(&r.g, 1, "method", "POST");
    CHECK_ATTR(&r.g, 1, "status", "202");
    CHECK_INT(r.g.ev[1].end_us, 300);
    rig_close(&r);
}

static void test_chunked(void)
{
    struct rig r;
    rig_open(&r, NULL, 0, true);
    put(&r, C,
        "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
        "5;ext=1\r\n{\"mod\r\nC\r\nel\":\"llama\"}\r\n0\r\nX-Sum: 1\r\n\r\n",
        100);
    CHECK_INT(r.g.n, 0);
    put(&r, S, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 200);
    put(&r, S, "3\r\nabc\r\n", 300);
    put(&r, S, "10\r\n0123456789abcdef\r\n0\r\n", 400);
    CHECK_INT(r.g.n, 0);
    put(&r, S, "Trailer-A: 1\r\nTrailer-B: 2\r\n\r\n", 500);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "req.model", "llama");
    CHECK_ATTR(&r.g, 0, "request_end_us", "100");
    CHECK_ATTR(&r.g, 0, "response_start_us", "200");
    CHECK_INT(r.g.ev[0].end_us, 500);
    put(&r, C, "GET /next HTTP/1.1\r\n\r\n", 600);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 700);
    CHECK_INT(r.g.n, 2);
    CHECK_ATTR(&r.g, 1, "path", "/next");
    CHECK_INT(stats(&r)->bad_messages, 0);
    rig_close(&r);

    /* A bad chunk size is a bad message; the next exchange is fine. */
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /a HTTP/1.1\r\n\r\n", 100);
    put(&r, S, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 200);
    put(&r, C, "GET /b HTTP/1.1\r\n\r\n", 300);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 400);
    CHECK_INT(stats(&r)->bad_messages, 1);
    CHECK_INT(stats(&r)->incomplete, 1);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "path", "/b");
    rig_close(&r);
}

static void test_no_body_and_interim(void)
{
    struct rig r;
    rig_open(&r, NULL, 0, true);
    /* HEAD: Content-Length announces a body that is not sent. */
    put(&r, C, "HEAD /h HTTP/1.1\r\n\r\n", 100);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", 200);
    put(&r, C, "DELETE /d HTTP/1.1\r\n\r\n", 300);
    put(&r, S, "HTTP/1.1 204 No Content\r\n\r\n", 400);
    put(&r, C, "GET /m HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n", 500);
    put(&r, S, "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", 600);
    CHECK_INT(r.g.n, 3);
    CHECK_ATTR(&r.g, 0, "method", "HEAD");
    CHECK_ATTR(&r.g, 1, "status", "204");
    CHECK_ATTR(&r.g, 2, "status", "304");
    CHECK_ATTR(&r.g, 2, "header.if-none-match", "\"x\"");
    /* 100 Continue, then the body, then 200. */
    put(&r, C, "PUT /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", 700);
    put(&r, S, "HTTP/1.1 100 Continue\r\n\r\n", 800);
    CHECK_INT(r.g.n, 3);
    put(&r, C, "hi", 900);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 1000);
    CHECK_INT(r.g.n, 4);
    CHECK_ATTR(&r.g, 3, "status", "200");
    CHECK_ATTR(&r.g, 3, "request_end_us", "900");
    CHECK_ATTR(&r.g, 3, "response_start_us", "1000");
    CHECK_INT(stats(&r)->incomplete, 0);
    rig_close(&r);
}

static void test_close_delimited(void)
{
    struct rig r;
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /old HTTP/1.0\r\n\r\n", 100);
    put(&r, S, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":", 200);
    put(&r, S, "{\"b\":[1,2.5]}}", 300);
    CHECK_INT(r.g.n, 0);
    r.s.fin_us[S] = 350; /* the server's FIN ends the body, as tshark says too */
    end_stream(&r, 400);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "protocol", "HTTP/1.0");
    CHECK_ATTR(&r.g, 0, "resp.a.b.1", "2.5");
    CHECK_INT(r.g.ev[0].end_us, 350);
    CHECK_INT(stats(&r)->incomplete, 0);
    rig_close(&r);

    /* Ended by a RST (no FIN): the RST's time. */
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /old HTTP/1.0\r\n\r\n", 100);
    put(&r, S, "HTTP/1.0 200 OK\r\n\r\nbody", 200);
    end_stream(&r, 400);
    CHECK_INT(r.g.n, 1);
    CHECK_INT(r.g.ev[0].end_us, 400);
    rig_close(&r);

    /* The capture stops before the close: nobody knows the body was whole. */
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /old HTTP/1.0\r\n\r\n", 100);
    put(&r, S, "HTTP/1.0 200 OK\r\n\r\nbody", 200);
    r.cb.end(r.cb.ctx, &r.s, TCP_END_FLUSH, 300);
    CHECK_INT(r.g.n, 0);
    CHECK_INT(stats(&r)->incomplete, 1);
    rig_close(&r);

    /* A Content-Length response cut by the end is incomplete. */
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /x HTTP/1.1\r\n\r\n", 100);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 200);
    end_stream(&r, 300);
    CHECK_INT(r.g.n, 0);
    CHECK_INT(stats(&r)->incomplete, 1);
    rig_close(&r);
}

/* The way OpenAI streams a chat completion. */
static const char SSE_HEAD[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

static void sse_chunk(struct rig *r, const char *data, int64_t ts)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%zx\r\n%s\r\n", strlen(data), data);
    put(r, S, tmp, ts);
}

static void test_sse(void)
{
    const char *req = "POST /v1/chat/completions HTTP/1.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: 32\r\n\r\n{\"model\":\"gpt-4o\",\"stream\":true}";
    CHECK_INT(strlen(strstr(req, "\r\n\r\n") + 4), 32);
    struct rig r;
    rig_open(&r, NULL, 0, false);
    put(&r, C, req, 1000);
    put(&r, S, SSE_HEAD, 2000);
    sse_chunk(&r,
              "data: {\"id\":\"chatcmpl-9\",\"choices\":[{\"delta\":{\"content\":\"He\"}}]}\n\n",
              3000);
    sse_chunk(&r, ": keep-alive\n\n", 3500);
    sse_chunk(&r, "data: {\"id\":\"chatcmpl-9\",\"choices\":[{\"delta\":{\"content\":\"llo\"}}]}\n",
              4000);
    sse_chunk(&r, "\n", 4100); /* the blank line ends the event: its time */
    sse_chunk(&r,
              "data: {\"id\":\"chatcmpl-9\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
              "\"completion_tokens\":7,\"total_tokens\":12}}\r\n\r\n",
              5000);
    sse_chunk(&r, "data: [DONE]\n\n", 6000);
    put(&r, S, "0\r\n\r\n", 7000);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "sse.events", "3");
    CHECK_ATTR(&r.g, 0, "sse.first_us", "3000");
    CHECK_ATTR(&r.g, 0, "sse.last_us", "5000");
    CHECK_ATTR(&r.g, 0, "resp.id", "chatcmpl-9");
    CHECK_ATTR(&r.g, 0, "resp.choices.0.delta.content", "He");
    CHECK_ATTR(&r.g, 0, "resp.usage.completion_tokens", "7");
    CHECK_ATTR(&r.g, 0, "resp_last.usage.total_tokens", "12");
    CHECK_ATTR(&r.g, 0, "req.model", "gpt-4o");
    CHECK_INT(r.g.ev[0].end_us, 7000);
    rig_close(&r);

    /* The way Anthropic streams a message: the id and input tokens in the
     * first event, the output tokens in message_delta, then message_stop. */
    rig_open(&r, NULL, 0, false);
    put(&r, C, "POST /v1/messages HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 1000);
    put(&r, S, SSE_HEAD, 2000);
    sse_chunk(&r,
              "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
              "\"msg_1\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
              3000);
    sse_chunk(&r, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n",
              3100);
    sse_chunk(&r, "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":"
                  "{\"output_tokens\":6}}\n\n", 3200);
    sse_chunk(&r, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", 3300);
    put(&r, S, "0\r\n\r\n", 3400);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "sse.events", "4");
    CHECK_ATTR(&r.g, 0, "resp.message.id", "msg_1");
    CHECK_ATTR(&r.g, 0, "resp.message.usage.input_tokens", "12");
    CHECK_ATTR(&r.g, 0, "resp.usage.output_tokens", "6");
    CHECK_ATTR(&r.g, 0, "resp.type", "message_start"); /* the first event's, not filled */
    CHECK_ATTR(&r.g, 0, "resp_last.type", "message_stop");
    rig_close(&r);

    /* The same with a wanted list, fed byte by byte. */
    const struct span want[] = { SPAN_LIT("resp.id"), SPAN_LIT("resp.usage.completion_tokens"),
                                 SPAN_LIT("sse.events"), SPAN_LIT("resp_last.id") };
    rig_open(&r, want, 4, true);
    put(&r, C, req, 1000);
    const char *body = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                       "data: {\"id\":\"a\"}\n\ndata: {\"id\":\"b\",\n"
                       "data: \"usage\":{\"completion_tokens\":3}}\n\ndata: [DONE]\n\n";
    for (size_t k = 0; body[k]; k++)
        put_n(&r, S, body + k, 1, 2000 + (int64_t)k);
    CHECK_INT(r.g.n, 0); /* close-delimited */
    end_stream(&r, 9000);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "sse.events", "2");
    CHECK_ATTR(&r.g, 0, "resp.id", "a");
    CHECK_ATTR(&r.g, 0, "resp_last.id", "b");
    CHECK_ATTR(&r.g, 0, "resp.usage.completion_tokens", "3");
    CHECK(attr(&r.g, 0, "status") == NULL);
    rig_close(&r);
}

static void test_resync(void)
{
    /* Capture begins mid-response: the server side syncs on a status line,
     * the client side on the next request line. */
    struct rig r;
    rig_open(&r, NULL, 0, false);
    put(&r, S, "lo world\r\nmore body\r\n", 100);
    put(&r, C, "x\": 1}\r\n", 150); /* the tail of an earlier request body */
    put(&r, C, "GET /after HTTP/1.1\r\n\r\n", 200);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 300);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "path", "/after");
    CHECK_INT(stats(&r)->resyncs, 2);
    CHECK_INT(stats(&r)->bytes_skipped, 21 + 8);
    rig_close(&r);

    /* The responder sent the request (the SYN was not seen and the first
     * payload came from the server): roles are swapped by the request line. */
    rig_open(&r, NULL, 0, false);
    put(&r, S, "GET /swapped HTTP/1.1\r\n\r\n", 100);
    put(&r, C, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "path", "/swapped");
    rig_close(&r);

    /* A gap in the middle of a response: incomplete, the next exchange fine. */
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /a HTTP/1.1\r\n\r\n", 100);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 200);
    r.cb.gap(r.cb.ctx, &r.s, TCP_FROM_RESPONDER, 50, 250);
    put(&r, S, "0123456789\r\n0123456789", 300); /* the rest of the lost body */
    put(&r, C, "GET /b HTTP/1.1\r\n\r\n", 400);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 500);
    CHECK_INT(stats(&r)->incomplete, 1);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "path", "/b");
    CHECK_INT(r.g.ev[0].start_us, 400);
    rig_close(&r);

    /* A gap in the request: its response makes no event, the pairing holds
     * (the request line after the lost body's tail is found mid-line). */
    rig_open(&r, NULL, 0, true);
    put(&r, C, "POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n01", 100);
    r.cb.gap(r.cb.ctx, &r.s, TCP_FROM_INITIATOR, 5, 150);
    put(&r, C, "789GET /b HTTP/1.1\r\n\r\n", 160); /* the body's tail, then a request */
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200);
    put(&r, C, "GET /c HTTP/1.1\r\n\r\n", 300);
    put(&r, S, "HTTP/1.1 201 OK\r\nContent-Length: 0\r\n\r\n", 400);
    put(&r, S, "HTTP/1.1 202 OK\r\nContent-Length: 0\r\n\r\n", 500);
    CHECK_INT(stats(&r)->incomplete, 1);
    CHECK_INT(stats(&r)->bytes_skipped, 3);
    CHECK_INT(r.g.n, 2);
    CHECK_ATTR(&r.g, 0, "path", "/b");
    CHECK_ATTR(&r.g, 0, "status", "201");
    CHECK_ATTR(&r.g, 1, "path", "/c");
    CHECK_ATTR(&r.g, 1, "status", "202");
    rig_close(&r);

    /* Garbage both ways: nothing, counted, no crash. */
    rig_open(&r, NULL, 0, false);
    static const char junk[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n\r\nHTTP/1.1 2OO\n"
                               "GET  / HTTP/1.1\nGET / HTTP/2.0\n";
    put_n(&r, C, junk, sizeof junk - 1, 100);
    put_n(&r, S, junk, sizeof junk - 1, 200);
    CHECK_INT(r.g.n, 0);
    CHECK(stats(&r)->bytes_skipped > 0);
    CHECK_INT(stats(&r)->resyncs, 2);
    end_stream(&r, 300);
    CHECK_INT(stats(&r)->incomplete, 0);
    rig_close(&r);

    /* Malformed headers: a bad message; its response consumed, no event. */
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /bad HTTP/1.1\r\nno colon here\r\n\r\n", 100);
    put(&r, S, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 200);
    put(&r, C, "GET /good HTTP/1.1\r\n\r\n", 300);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 400);
    CHECK_INT(stats(&r)->bad_messages, 1);
    CHECK_INT(stats(&r)->incomplete, 1);
    CHECK_INT(r.g.n, 1);
    CHECK_ATTR(&r.g, 0, "path", "/good");
    rig_close(&r);
}

/* A request whose head is exactly `size` bytes. */
static char *request_of_size(size_t size)
{
    const char *a = "GET /big HTTP/1.1\r\nX-Pad: ", *z = "\r\n\r\n";
    size_t fixed = strlen(a) + strlen(z);
    char *p = malloc(size + 1);
    memcpy(p, a, strlen(a));
    memset(p + strlen(a), 'p', size - fixed);
    memcpy(p + size - strlen(z), z, strlen(z) + 1);
    return p;
}

static void test_limits(void)
{
    static const size_t sizes[] = { LIMIT_HTTP_HEADERS - 1, LIMIT_HTTP_HEADERS,
                                    LIMIT_HTTP_HEADERS + 1 };
    for (unsigned i = 0; i < 3; i++) {
        struct rig r;
        rig_open(&r, NULL, 0, true);
        char *req = request_of_size(sizes[i]);
        put(&r, C, req, 100);
        put(&r, S, "HTTP/1.1 431 Too Large\r\nContent-Length: 0\r\n\r\n", 200);
        put(&r, C, "GET /next HTTP/1.1\r\n\r\n", 300);
        put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 400);
        bool over = sizes[i] > LIMIT_HTTP_HEADERS;
        CHECK_INT(r.g.n, over ? 1 : 2);
        CHECK_INT(stats(&r)->incomplete, over ? 1 : 0);
        CHECK_ATTR(&r.g, r.g.n - 1, "path", "/next");
        if (!over)
            CHECK_INT(strlen(attr(&r.g, 0, "header.x-pad")), sizes[i] - 30);
        free(req);
        rig_close(&r);
    }

    /* JSON bodies of LIMIT_HTTP_BODY - 1, LIMIT_HTTP_BODY, LIMIT_HTTP_BODY + 1 bytes. */
    for (int delta = -1; delta <= 1; delta++) {
        size_t n = (size_t)LIMIT_HTTP_BODY + (size_t)(long)delta;
        char *body = malloc(n);
        memset(body, ' ', n);
        memcpy(body, "{\"model\":\"m\",\"pad\":\"", 20);
        memcpy(body + n - 2, "\"}", 2);
        memset(body + 20, 'x', n - 22);
        char head[128];
        snprintf(head, sizeof head, "POST /b HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", n);
        struct rig r;
        const struct span want[] = { SPAN_LIT("req.model"), SPAN_LIT("status") };
        rig_open(&r, want, 2, true);
        put(&r, C, head, 100);
        put_n(&r, C, body, n, 100);
        put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200);
        CHECK_INT(r.g.n, 1);
        CHECK_ATTR(&r.g, 0, "status", "200");
        CHECK_ATTR(&r.g, 0, "req.model", delta > 0 ? "(absent)" : "m");
        CHECK_INT(stats(&r)->bodies_cut, delta > 0 ? 1 : 0);
        free(body);
        rig_close(&r);
    }

    /* LIMIT_HTTP_PIPELINE + 2 requests before any response: the first
     * LIMIT_HTTP_PIPELINE pair in order, the rest are incomplete. */
    struct rig r;
    rig_open(&r, NULL, 0, true);
    unsigned n = LIMIT_HTTP_PIPELINE + 2;
    for (unsigned i = 0; i < n; i++) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "GET /%u HTTP/1.1\r\n\r\n", i);
        put(&r, C, tmp, 100 + i);
    }
    CHECK_INT(stats(&r)->incomplete, 2);
    for (unsigned i = 0; i < n; i++)
        put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 1000 + i);
    CHECK_INT(r.g.n, LIMIT_HTTP_PIPELINE);
    CHECK_ATTR(&r.g, 0, "path", "/0");
    CHECK_ATTR(&r.g, LIMIT_HTTP_PIPELINE - 1, "path", "/63");
    CHECK_INT(r.g.ev[LIMIT_HTTP_PIPELINE - 1].end_us, 1000 + LIMIT_HTTP_PIPELINE - 1);
    /* The pairing holds afterwards. */
    put(&r, C, "GET /later HTTP/1.1\r\n\r\n", 5000);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 6000);
    CHECK_INT(r.g.n, LIMIT_HTTP_PIPELINE + 1);
    CHECK_ATTR(&r.g, LIMIT_HTTP_PIPELINE, "path", "/later");
    CHECK_INT(stats(&r)->incomplete, 2);
    /* Requests never answered are incomplete at the end. */
    put(&r, C, "GET /unanswered HTTP/1.1\r\n\r\n", 7000);
    end_stream(&r, 8000);
    CHECK_INT(stats(&r)->incomplete, 3);
    rig_close(&r);
}

/* LIMIT_HTTP_MEMORY: 40 streams each in the middle of a 1 MiB JSON body
 * hold more than the bodies' half of it. The bodies past it are not kept (their
 * fields are not read, counted in bodies_cut), but every exchange still ends
 * and is emitted: the heads have their own half. */
static void test_memory(void)
{
    struct rig r;
    rig_open(&r, NULL, 0, true);
    enum { N = 40 };
    struct tcp_stream s[N];
    size_t body = LIMIT_HTTP_BODY - 16, most = body - 7; /* all but `{"a":1` and `}` */
    char *fill = malloc(most);
    memset(fill, ' ', most);
    char head[200];
    int hn = snprintf(head, sizeof head,
                      "POST /v1/embeddings HTTP/1.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\n\r\n{\"a\":1", body);
    for (unsigned i = 0; i < N; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].id = i + 1;
        s[i].initiator_known = true;
        r.cb.data(r.cb.ctx, &s[i], TCP_FROM_INITIATOR, (const uint8_t *)head, (size_t)hn, 100);
        r.cb.data(r.cb.ctx, &s[i], TCP_FROM_INITIATOR, (const uint8_t *)fill, most, 200);
    }
    for (unsigned i = 0; i < N; i++) {
        r.cb.data(r.cb.ctx, &s[i], TCP_FROM_INITIATOR, (const uint8_t *)"}", 1, 300);
        const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        r.cb.data(r.cb.ctx, &s[i], TCP_FROM_RESPONDER, (const uint8_t *)resp, strlen(resp), 400);
        r.cb.end(r.cb.ctx, &s[i], TCP_END_CLOSED, 500);
    }
    CHECK_INT(stats(&r)->exchanges, N);
    CHECK_INT(stats(&r)->incomplete, 0);
    /* 32 MiB for bodies, 1 MiB each: 31 or 32 fit (small buffers take a little). */
    uint64_t fit = (LIMIT_HTTP_MEMORY / 2) / LIMIT_HTTP_BODY;
    CHECK(stats(&r)->bodies_cut == N - fit || stats(&r)->bodies_cut == N - fit + 1);
    CHECK_ATTR(&r.g, 0, "req.a", "1");            /* the first ones were read */
    CHECK_ATTR(&r.g, N - 1, "req.a", "(absent)"); /* the last was not kept */
    free(fill);
    rig_close(&r);
}

/* Bytes that waited for a hole come with their own, earlier capture time
 * (tcp.h): a message still ends at the latest of its bytes (fuzz_pcap found
 * a response that ended before it began). */
static void test_times_backwards(void)
{
    struct rig r;
    rig_open(&r, NULL, 0, true);
    put(&r, C, "GET /a HTTP/1.1\r\n\r\n", 5000);
    put(&r, S, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab", 7000);
    put(&r, S, "cd", 4000); /* captured before the request, delivered last */
    CHECK_INT(r.g.n, 1);
    CHECK_INT(r.g.ev[0].start_us, 5000);
    CHECK_INT(r.g.ev[0].end_us, 7000);
    CHECK_INT(stats(&r)->bodies_unparsed, 0);
    /* a response that began before its request is not its response (a capture
     * picked up mid-stream): counted incomplete, not given a time before it */
    put(&r, C, "GET /b HTTP/1.1\r\n\r\n", 9000);
    put(&r, S, "HTTP/1.1 204 No Content\r\n\r\n", 8000);
    CHECK_INT(r.g.n, 1);
    CHECK_INT(stats(&r)->incomplete, 1);
    /* a JSON body nested past cJSON's limit: the exchange stays, its loss is counted */
    char deep[3000];
    memset(deep, '[', 2000);
    memset(deep + 2000, ']', 999);
    deep[2999] = 0;
    char head[100];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                "Content-Length: %zu\r\n\r\n", strlen(deep));
    put(&r, C, "GET /c HTTP/1.1\r\n\r\n", 10000);
    put(&r, S, head, 10001);
    put(&r, S, deep, 10002);
    CHECK_INT(r.g.n, 2);
    CHECK_INT(stats(&r)->bodies_unparsed, 1);
    rig_close(&r);
}

int main(void)
{
    test_one_exchange();
    test_wanted();
    test_keepalive_and_pipelining();
    test_chunked();
    test_no_body_and_interim();
    test_close_delimited();
    test_sse();
    test_resync();
    test_limits();
    test_memory();
    test_times_backwards();
    return test_report();
}
