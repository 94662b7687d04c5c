/*
 * fuzz_sse.c - libFuzzer target for Server-Sent Events inside the HTTP decoder
 * (decoders stage, issues 7 and 8): a streamed chat completion whose event
 * stream is the input. The first byte picks chunked framing or a body that
 * ends with the connection (bit 0), a wanted list (bit 1) and whether the
 * stream's bytes come split at the input's own 0xff bytes (bit 2); the rest
 * is the text/event-stream body. The framing is the target's, so whatever
 * the events hold, exactly one exchange must come out, with its SSE times in
 * order (first <= last <= end of the response) and every attribute readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    uint64_t emits;
    unsigned sum;
};

static int64_t num_attr(const struct event *ev, const char *name, int64_t absent)
{
    for (unsigned i = 0; i < ev->n_attrs; i++) {
        const struct attr *a = &ev->attrs[i];
        int64_t v;
        if (span_eq_str(a->name, name))
            return span_to_i64(a->value, &v) ? v : -1;
    }
    return absent;
}

static void on_event(void *p, const struct event *ev)
{
    struct ctx *c = p;
    c->emits++;
    c->sum += fuzz_check_attrs(ev);
    int64_t events = num_attr(ev, "sse.events", -2);
    int64_t first = num_attr(ev, "sse.first_us", 0), last = num_attr(ev, "sse.last_us", 0);
    if (events == -1 || first == -1 || last == -1)
        abort(); /* not a number */
    if (events > 0 && (first > last || last > ev->end_us || first < ev->start_us))
        abort();
}

static const struct span wanted[] = {
    SPAN_LIT("resp.id"), SPAN_LIT("resp.usage.completion_tokens"), SPAN_LIT("resp_last.id"),
    SPAN_LIT("sse.events"), SPAN_LIT("sse.first_us"), SPAN_LIT("sse.last_us"),
    SPAN_LIT("resp.message.id"), SPAN_LIT("resp.usage.output_tokens"),
};

static void feed(struct tcp_callbacks *cb, struct tcp_stream *s, enum tcp_dir dir,
                 const void *p, size_t n, int64_t ts)
{
    uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees an over-read */
    if (n)
        memcpy(copy, p, n);
    cb->data(cb->ctx, s, dir, copy, n, ts);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool chunked = data[0] & 1, split = data[0] & 4;
    struct ctx c = { 0, 0 };
    struct decode_options opt = { 0 };
    if (data[0] & 2) {
        opt.wanted = wanted;
        opt.n_wanted = sizeof wanted / sizeof wanted[0];
    }
    struct decode_http *h = decode_http_new(&opt, on_event, &c);
    struct tcp_callbacks cb;
    decode_http_callbacks(h, &cb);
    struct tcp_stream s = { 0 };
    s.id = 1;
    s.initiator_known = true;
    int64_t ts = 1700000000000000;
    static const char req[] = "POST /v1/chat/completions HTTP/1.1\r\nContent-Type: "
                              "application/json\r\nContent-Length: 15\r\n\r\n{\"stream\":true}";
    feed(&cb, &s, TCP_FROM_INITIATOR, req, sizeof req - 1, ts);
    const char *head = chunked ? "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n"
                               : "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
    feed(&cb, &s, TCP_FROM_RESPONDER, head, strlen(head), ++ts);
    const uint8_t *p = data + 1, *end = data + size;
    while (p < end) {
        size_t n = (size_t)(end - p);
        if (split) {
            const uint8_t *cut = memchr(p, 0xff, n);
            if (cut)
                n = (size_t)(cut - p) + 1;
        }
        ts += 1000;
        if (chunked) {
            char size_line[24];
            int k = snprintf(size_line, sizeof size_line, "%zx\r\n", n);
            feed(&cb, &s, TCP_FROM_RESPONDER, size_line, (size_t)k, ts);
            feed(&cb, &s, TCP_FROM_RESPONDER, p, n, ts);
            feed(&cb, &s, TCP_FROM_RESPONDER, "\r\n", 2, ts);
        } else {
            feed(&cb, &s, TCP_FROM_RESPONDER, p, n, ts);
        }
        p += n;
    }
    if (chunked)
        feed(&cb, &s, TCP_FROM_RESPONDER, "0\r\n\r\n", 5, ++ts);
    s.fin_us[TCP_FROM_RESPONDER] = ++ts;
    cb.end(cb.ctx, &s, TCP_END_CLOSED, ++ts);
    if (s.user || c.emits != 1 || decode_http_stats(h)->exchanges != 1)
        abort(); /* the framing was right: one exchange, whatever the events said */
    decode_http_free(h);
    return 0;
}
