/*
 * fuzz_http.c - libFuzzer target for the HTTP/1.x decoder (decoders stage,
 * issue 7), fed through its TCP callbacks without packets. The first byte
 * picks a wanted list or none (bit 0) and whether the SYN was seen (bit 1);
 * then records [op:1][length:2, little-endian][bytes]: op bits 0-1 are data
 * from the initiator (0) or the responder (1), a gap (2: bit 2 the direction)
 * or the stream's end and a new stream (3); bits 4-7 advance the clock. Each
 * chunk is copied into an exact-size buffer. Checks: every attribute's
 * bytes readable, names within LIMIT_ATTR_NAME, emits == stats.exchanges.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fuzz_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    uint64_t emits;
    unsigned sum; /* read every byte, so that ASan checks the spans */
};

static void on_event(void *p, const struct event *ev)
{
    struct ctx *c = p;
    c->emits++;
    c->sum += fuzz_check_attrs(ev);
}

static const struct span wanted[] = {
    SPAN_LIT("method"),       SPAN_LIT("path"),
    SPAN_LIT("status"),       SPAN_LIT("query.a"),
    SPAN_LIT("header.host"),  SPAN_LIT("req.model"),
    SPAN_LIT("resp.id"),      SPAN_LIT("resp.usage.completion_tokens"),
    SPAN_LIT("resp_last.id"), SPAN_LIT("sse.events"),
    SPAN_LIT("sse.first_us"), SPAN_LIT("resp.choices.0.delta.content"),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct ctx c = { 0, 0 };
    struct decode_options opt = { 0 };
    if (data[0] & 1) {
        opt.wanted = wanted;
        opt.n_wanted = sizeof wanted / sizeof wanted[0];
    }
    struct decode_http *h = decode_http_new(&opt, on_event, &c);
    struct tcp_callbacks cb;
    decode_http_callbacks(h, &cb);
    struct tcp_stream s = { 0 };
    s.id = 1;
    s.initiator_known = data[0] & 2;
    int64_t ts = 1700000000000000;
    size_t i = 1;
    while (i + 3 <= size) {
        uint8_t op = data[i];
        size_t n = (size_t)data[i + 1] | (size_t)data[i + 2] << 8;
        i += 3;
        n = n < size - i ? n : size - i;
        ts += op >> 4;
        switch (op & 3) {
        case 0:
        case 1: {
            uint8_t *p = malloc(n ? n : 1);
            if (n)
                memcpy(p, data + i, n);
            cb.data(cb.ctx, &s, (enum tcp_dir)(op & 1), p, n, ts);
            free(p);
            i += n;
            break;
        }
        case 2:
            cb.gap(cb.ctx, &s, (enum tcp_dir)((op >> 2) & 1), n, ts);
            break;
        case 3:
            cb.end(cb.ctx, &s, TCP_END_CLOSED, ts);
            if (s.user)
                abort();
            s.id++;
            s.initiator_known = (op >> 2) & 1;
            break;
        }
    }
    cb.end(cb.ctx, &s, TCP_END_FLUSH, ts);
    if (s.user || c.emits != decode_http_stats(h)->exchanges)
        abort();
    decode_http_free(h);
    return 0;
}
