/*
 * fuzz_tcp.c - libFuzzer target for TCP reassembly (sources stage, issue 7).
 * The first byte picks a link type (bits 0-2), a mode (bit 3) and small or
 * default limits (bit 4). Raw mode: records of [length:2][ts step:1][cut:1]
 * then a frame, each copied into an exact-size buffer. Built mode: 8-byte
 * records become Ethernet/IPv4/IPv6 TCP segments on four connections whose
 * payload byte at sequence number x is x mod 256, so the callbacks can check
 * that every direction's bytes come in order, each once, gaps saying exactly
 * how many are missing. Both: end() once per stream, never more than was sent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/wire.h"
#include "tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct per_stream {
    bool ended;
    bool has[2];        /* expect[d] is known */
    uint8_t expect[2];  /* built mode: the next byte of direction d */
};

struct ctx {
    struct per_stream *ps; /* [id], id <= max_id */
    uint64_t max_id;
    bool built;
    uint64_t sent, delivered, ends;
};

static struct per_stream *stream_of(struct ctx *c, const struct tcp_stream *s)
{
    if (s->id == 0 || s->id > c->max_id || c->ps[s->id].ended)
        abort(); /* an unknown id, or a callback after end() */
    return &c->ps[s->id];
}

static void on_data(void *ctx, struct tcp_stream *s, enum tcp_dir dir, const uint8_t *p, size_t n,
                    int64_t ts_us)
{
    struct ctx *c = ctx;
    struct per_stream *ps = stream_of(c, s);
    (void)ts_us;
    if (n == 0 || (dir != TCP_FROM_INITIATOR && dir != TCP_FROM_RESPONDER))
        abort();
    volatile unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += p[i]; /* every byte readable */
        if (c->built) {
            if (ps->has[dir] && p[i] != ps->expect[dir])
                abort(); /* out of order, repeated or skipped without a gap */
            ps->has[dir] = true;
            ps->expect[dir] = (uint8_t)(p[i] + 1);
        }
    }
    (void)sum;
    c->delivered += n;
    if (c->delivered > c->sent)
        abort();
}

static void on_gap(void *ctx, struct tcp_stream *s, enum tcp_dir dir, uint64_t missing,
                   int64_t ts_us)
{
    struct ctx *c = ctx;
    struct per_stream *ps = stream_of(c, s);
    (void)ts_us;
    if (dir != TCP_FROM_INITIATOR && dir != TCP_FROM_RESPONDER)
        abort();
    if (missing == 0)
        ps->has[dir] = false;
    ps->expect[dir] = (uint8_t)(ps->expect[dir] + missing);
}

static void on_end(void *ctx, struct tcp_stream *s, enum tcp_end_reason why, int64_t ts_us)
{
    struct ctx *c = ctx;
    struct per_stream *ps = stream_of(c, s);
    (void)ts_us;
    if (why > TCP_END_FLUSH)
        abort();
    ps->ended = true;
    c->ends++;
}

static const int links[8] = {
    TCP_LINK_NULL, TCP_LINK_ETHERNET,  TCP_LINK_RAW,  TCP_LINK_LOOP,
    TCP_LINK_LINUX_SLL, TCP_LINK_IPV4, TCP_LINK_IPV6, TCP_LINK_LINUX_SLL2,
};

/* Built mode, one 8-byte record:
 *   r[0] bits 0-1 connection, bit 2 from the client, bit 3 IPv6, bits 4-7 flags
 *   r[1..2] sequence offset, r[3] payload length, r[4..5] ACK offset,
 *   r[6] capture time step, r[7] payload bytes cut off by the snap length */
static void built_frame(struct tcp *t, struct ctx *c, const uint8_t *r, int64_t *ts)
{
    static const uint8_t flag_sets[16] = { 0x10, 0x10, 0x10, 0x18, 0x02, 0x12, 0x11, 0x01,
                                           0x04, 0x14, 0x00, 0x10, 0x10, 0x18, 0x13, 0x1f };
    unsigned conn = r[0] & 3, cli = (r[0] >> 2) & 1, v6 = (r[0] >> 3) & 1;
    uint8_t flags = flag_sets[r[0] >> 4];
    uint32_t isn[2] = { 0xfffff000u + conn * 0x10000000u, 0x7ffff800u + conn * 0x1000000u };
    uint32_t seq = isn[!cli] + (uint32_t)(r[1] << 8 | r[2]);
    uint32_t ack = isn[cli] + (uint32_t)(r[4] << 8 | r[5]);
    size_t n = r[3], ip = 14, hl = v6 ? 40 : 20;
    size_t len = ip + hl + 20 + n, cut = r[7] < n ? r[7] : n;
    uint8_t *f = calloc(1, len);
    be16(f + 12, v6 ? 0x86dd : 0x0800);
    uint8_t a[16] = { 10, 0, 0, 1 }, b[16] = { 10, 0, 0, 2 };
    a[15] = (uint8_t)conn;
    if (v6) {
        f[ip] = 0x60;
        be16(f + ip + 4, 20 + n);
        f[ip + 6] = 6;
        memcpy(f + ip + 8, cli ? a : b, 16);
        memcpy(f + ip + 24, cli ? b : a, 16);
    } else {
        f[ip] = 0x45;
        be16(f + ip + 2, hl + 20 + n);
        f[ip + 9] = 6;
        memcpy(f + ip + 12, cli ? a : b, 4);
        memcpy(f + ip + 16, cli ? b : a, 4);
        f[ip + 15] = (uint8_t)conn;
    }
    uint8_t *th = f + ip + hl;
    be16(th, cli ? 40000 + conn : 80);
    be16(th + 2, cli ? 80 : 40000 + conn);
    be32(th + 4, seq);
    be32(th + 8, ack);
    th[12] = 0x50;
    th[13] = flags;
    uint32_t first = seq + ((flags & 0x02) ? 1 : 0); /* a SYN takes a number */
    for (size_t i = 0; i < n; i++)
        th[20 + i] = (uint8_t)(first + i);
    c->sent += n;
    *ts += (int64_t)r[6] * 20000;
    /* Exact size: the cut frame is all the reassembler may read. */
    uint8_t *copy = malloc(len - cut ? len - cut : 1);
    memcpy(copy, f, len - cut);
    tcp_packet(t, copy, len - cut, len, *ts);
    free(copy);
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct ctx c = { .built = (data[0] >> 3) & 1, .max_id = size + 1 };
    c.ps = calloc(c.max_id + 1, sizeof *c.ps);
    struct tcp_callbacks cb = { &c, on_data, on_gap, on_end };
    struct err e;
    int link = c.built ? TCP_LINK_ETHERNET : links[data[0] & 7];
    struct tcp *t = tcp_new(link, &cb, &e);
    if (!t)
        abort();
    if (data[0] & 0x10)
        tcp_set_limits(t, 3, 2048, 4096, 1000000);
    int64_t ts = 1700000000000000;
    const uint8_t *p = data + 1, *end = data + size;
    if (c.built) {
        for (; end - p >= 8; p += 8)
            built_frame(t, &c, p, &ts);
    } else {
        while (end - p >= 4) {
            size_t n = (size_t)(p[0] << 8 | p[1]);
            if (n > (size_t)(end - p - 4))
                n = (size_t)(end - p - 4);
            ts += (int64_t)p[2] * 50000;
            size_t wire = p[3] & 1 ? n + 1 + (p[3] >> 1) : n;
            uint8_t *copy = malloc(n ? n : 1);
            memcpy(copy, p + 4, n);
            c.sent += n;
            tcp_packet(t, copy, n, wire, ts);
            free(copy);
            p += 4 + n;
        }
    }
    tcp_flush(t, ts);
    const struct tcp_stats *st = tcp_stats(t);
    if (c.ends != st->streams || st->streams > c.max_id || st->tcp_segments > st->packets)
        abort(); /* every stream ended exactly once */
    tcp_flush(t, ts);
    if (c.ends != st->streams)
        abort();
    tcp_free(t);
    free(c.ps);
    return 0;
}
