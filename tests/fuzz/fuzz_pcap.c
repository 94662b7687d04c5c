/*
 * fuzz_pcap.c - libFuzzer target for the whole capture path of `tempo audit
 * capture.pcap` (sources and decoders stages, issue 7): file bytes -> source
 * (source_file.c: a memfd by path, or a pipe as standard input) -> libpcap
 * (source_pcap.c) -> TCP reassembly (tcp.c) -> HTTP exchanges (decode_http.c),
 * wired as src/main.c's ingest_capture() does. The input layout is below.
 */
#define _GNU_SOURCE /* memfd_create(2), pipe2(2): glibc; this file only */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "decode.h"
#include "source.h"
#include "tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which (replay.c names no file), then abort() for
 * the sanitizers' stack trace and libFuzzer's crash file. */
#define BROKEN(what) broken(__LINE__, what)
static _Noreturn void broken(int line, const char *what)
{
    fprintf(stderr, "tests/fuzz/fuzz_pcap.c:%d: broken: %s\n", line, what);
    abort();
}

/*
 * data[0], the mode:
 *   bit 0  0: "as is" - data[1..] are the capture file (pcap, pcapng, gzip'd...);
 *          1: "built" - data[1] and the records after it are made into a file
 *   bit 1  gzip the file (two members when bit 4 is set) before the source reads it
 *   bit 2  read it as standard input ("-", through a pipe) instead of by path
 *   bit 3  give the decoder a wanted list (the matcher's), else extract all
 *   bit 4  two gzip members (with bit 1)
 *   bit 5  small TCP limits: 3 streams, 2 KiB buffered, 1 s idle
 *   bit 6  built: big-endian file;  bit 7  built: pcapng, else pcap
 * Built, data[1]: bits 0-3 the link type (links[]), bits 4-6 the snap length
 * (snaps[]), bit 7 nanosecond timestamps (pcap). Then records, op = first byte:
 *   op & 3 == 0  a TCP segment: bit 2 from the server, bits 3-4 the connection
 *                (1 VLAN-tagged, 3 QinQ on Ethernet; 2 and 3 IPv6), bits 5-7:
 *                0 data, 1 SYN (SYN-ACK from the server), 2 FIN with data,
 *                3 RST, 4 data at an offset ([off:2] signed LE, bytes: an
 *                overlap, a retransmission, or ahead without moving on; no data
 *                ahead: a hole), 5 data cut by the snap length ([cut:1]),
 *                6 data after a clock jump ([secs:1] signed), 7 an ACK past
 *                unseen bytes ([k:1] x16). Data is [len:1] (0xff: [len:2 LE])
 *                then the payload, or 0xfe [rep:1][len:1] and bytes repeated
 *                (rep + 1) * 64 times; every sequence number is kept by the target.
 *   op & 3 == 1  a frame as is: [len:2 LE] then the link-layer bytes
 *   op & 3 == 2  a record whose header lies (LIE_ below: op bits 2-4, amount
 *                op bits 5-7), then a length as for data and the frame bytes
 *   op & 3 == 3  raw file bytes: a length as for data, then bytes appended as is
 * Each record advances the clock 1 ms. Checks (BROKEN(): a message, then
 * abort()): every event sane per event.h and decode.h, counts consistent
 * between TCP, decoder and emits, every stream ended once, frames within the
 * file, no error without a message.
 */

#define FILE_CAP (3u << 20) /* bytes of a built file (a body past LIMIT_HTTP_BODY fits) */

/* How a record header lies: its captured length claims amount + 1 bytes more
 * (eating the next record) or fewer (leaving bytes that read as a header),
 * 4 GiB - 1, just past libpcap's maximum, 1 GiB; its wire length is `amount`
 * (below the captured length) or 4 GiB - 1; pcapng: the block's total length
 * is 1 GiB, 12 or longer than the block; pcap: the fraction of a second is
 * one second or more. */
enum {
    LIE_MORE,
    LIE_LESS,
    LIE_ALL_ONES,
    LIE_OVER_MAX,
    LIE_GIB,
    LIE_WIRE_SHORT,
    LIE_WIRE_HUGE,
    LIE_BLOCK
};

static const int links[16] = { 1, 113, 276, 0, 108, 101, 228, 229, 1, 1, 1, 12, 14, 100, 105, 9 };
static const uint32_t snaps[8] = { 65535, 262144, 96, 0, 0xffffffffu, 16, 1u << 20, 2048 };

static const struct span wanted_list[] = {
    SPAN_LIT("method"),         SPAN_LIT("path"),
    SPAN_LIT("status"),         SPAN_LIT("query.a"),
    SPAN_LIT("header.host"),    SPAN_LIT("req.model"),
    SPAN_LIT("resp.id"),        SPAN_LIT("resp.usage.completion_tokens"),
    SPAN_LIT("resp_last.id"),   SPAN_LIT("sse.events"),
    SPAN_LIT("sse.first_us"),   SPAN_LIT("sse.last_us"),
    SPAN_LIT("request_end_us"), SPAN_LIT("response_start_us"),
};
#define N_WANTED (sizeof wanted_list / sizeof wanted_list[0])

/* ---- the file being built ---- */

struct out {
    uint8_t *p;
    size_t len, cap;
    bool be;
    bool full;
};

static void out_add(struct out *o, const void *p, size_t n)
{
    if (o->full || n > o->cap - o->len) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, p, n);
    o->len += n;
}

static void out_u16(struct out *o, unsigned v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    if (o->be) {
        b[0] = (uint8_t)(v >> 8);
        b[1] = (uint8_t)v;
    }
    out_add(o, b, 2);
}

static void out_u32(struct out *o, uint32_t v)
{
    if (o->be) {
        out_u16(o, v >> 16);
        out_u16(o, v & 0xffff);
    } else {
        out_u16(o, v & 0xffff);
        out_u16(o, v >> 16);
    }
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

struct conn {
    uint32_t next[2]; /* [0] client, [1] server: the next sequence number */
    bool sent[2];     /* bytes or a FIN since the last SYN */
};

struct builder {
    struct out o;
    bool ng, ns;
    int link;
    uint32_t snap;
    int64_t ts_us;
    struct conn conn[4];
};

/* One record of `cap` bytes p (claiming `wire` on the wire); `lie`/`amount` as
 * for op & 3 == 2, lie -1 for an honest header. */
static void put_record(struct builder *b, const uint8_t *p, size_t cap, size_t wire, int lie,
                       unsigned amount)
{
    struct out *o = &b->o;
    uint32_t caplen = (uint32_t)cap, len = (uint32_t)wire;
    switch (lie) {
    case LIE_MORE:
        caplen += amount + 1;
        break;
    case LIE_LESS:
        caplen -= caplen < amount + 1 ? caplen : amount + 1;
        break;
    case LIE_ALL_ONES:
        caplen = 0xffffffffu;
        break;
    case LIE_OVER_MAX:
        caplen = 262145;
        break;
    case LIE_GIB:
        caplen = 1u << 30;
        break;
    case LIE_WIRE_SHORT:
        len = amount;
        break;
    case LIE_WIRE_HUGE:
        len = 0xffffffffu;
        break;
    default:
        break;
    }
    uint64_t t = (uint64_t)b->ts_us;
    if (b->ng) {
        /* Enhanced Packet Block: type, total length, interface, time high and
         * low (µs), captured and original lengths, data padded to 4, length. */
        uint32_t total = 32 + (uint32_t)((cap + 3) & ~(size_t)3);
        uint32_t told = total;
        if (lie == LIE_BLOCK)
            told = amount < 4 ? 1u << 30 : amount == 4 ? 12 : total + 4 * (amount - 4);
        out_u32(o, 6);
        out_u32(o, told);
        out_u32(o, 0);
        out_u32(o, (uint32_t)(t >> 32));
        out_u32(o, (uint32_t)t);
        out_u32(o, caplen);
        out_u32(o, len);
        out_add(o, p, cap);
        static const uint8_t pad[4] = { 0 };
        out_add(o, pad, (4 - cap % 4) % 4);
        out_u32(o, total);
        return;
    }
    /* pcap has no block length: the lie is a fraction of a second past one */
    uint32_t frac = (uint32_t)(t % 1000000) * (b->ns ? 1000u : 1u);
    if (lie == LIE_BLOCK)
        frac = (b->ns ? 999999999u : 999999u) + amount;
    out_u32(o, (uint32_t)(t / 1000000));
    out_u32(o, frac);
    out_u32(o, caplen);
    out_u32(o, len);
    out_add(o, p, cap);
}

static void file_header(struct builder *b)
{
    struct out *o = &b->o;
    if (!b->ng) {
        out_u32(o, b->ns ? 0xa1b23c4du : 0xa1b2c3d4u);
        out_u16(o, 2);
        out_u16(o, 4);
        out_u32(o, 0);
        out_u32(o, 0);
        out_u32(o, b->snap);
        out_u32(o, (uint32_t)b->link);
        return;
    }
    out_u32(o, 0x0a0d0d0a); /* Section Header Block */
    out_u32(o, 28);
    out_u32(o, 0x1a2b3c4d);
    out_u16(o, 1);
    out_u16(o, 0);
    out_u32(o, 0xffffffffu);
    out_u32(o, 0xffffffffu);
    out_u32(o, 28);
    out_u32(o, 1); /* Interface Description Block */
    out_u32(o, 20);
    out_u16(o, (unsigned)b->link);
    out_u16(o, 0);
    out_u32(o, b->snap);
    out_u32(o, 20);
}

/* Link-layer header of a frame carrying IPv4 or IPv6 on connection `c`. */
static size_t link_header(const struct builder *b, uint8_t *f, bool v6, unsigned c)
{
    unsigned type = v6 ? 0x86dd : 0x0800;
    switch (b->link) {
    case TCP_LINK_NULL: /* the capturing host's order: little-endian here */
        f[0] = v6 ? 30 : 2;
        f[1] = f[2] = f[3] = 0;
        return 4;
    case TCP_LINK_LOOP:
        put32(f, v6 ? 24 : 2);
        return 4;
    case TCP_LINK_RAW:
    case TCP_LINK_IPV4:
    case TCP_LINK_IPV6:
        return 0;
    case TCP_LINK_LINUX_SLL:
        memset(f, 0, 16);
        put16(f + 2, 1);
        put16(f + 4, 6);
        put16(f + 14, type);
        return 16;
    case TCP_LINK_LINUX_SLL2:
        memset(f, 0, 20);
        put16(f, type);
        put16(f + 8, 1);
        f[11] = 6;
        return 20;
    default: { /* Ethernet, and the link types tcp_new() refuses */
        size_t k = 12;
        memset(f, 0, 12);
        f[0] = 2;
        f[6] = 4;
        if (c & 1) { /* 802.1Q, and for connection 3 QinQ */
            if (c == 3) {
                put16(f + k, 0x88a8);
                put16(f + k + 2, 7);
                k += 4;
            }
            put16(f + k, 0x8100);
            put16(f + k + 2, 42);
            k += 4;
        }
        put16(f + k, type);
        return k + 2;
    }
    }
}

/* A TCP segment on connection c from the client (srv false) or the server. */
static void put_segment(struct builder *b, unsigned c, int srv, uint8_t flags, uint32_t seq,
                        const uint8_t *pay, size_t n, size_t cut)
{
    static uint8_t f[128 + 65536];
    struct conn *k = &b->conn[c];
    bool v6 = c >= 2;
    size_t at = link_header(b, f, v6, c), ip = at, hl = v6 ? 40 : 20;
    uint8_t a[16] = { 10, 0, 0, 1 }, z[16] = { 10, 0, 0, 2 };
    if (v6) {
        memset(a, 0, 16);
        memset(z, 0, 16);
        a[0] = z[0] = 0xfd;
        a[15] = 1;
        z[15] = 2;
    }
    a[v6 ? 14 : 3] = (uint8_t)(1 + c * 4);
    const uint8_t *src = srv ? z : a, *dst = srv ? a : z;
    memset(f + ip, 0, hl + 20);
    if (v6) {
        f[ip] = 0x60;
        put16(f + ip + 4, (unsigned)(20 + n));
        f[ip + 6] = 6;
        f[ip + 7] = 64;
        memcpy(f + ip + 8, src, 16);
        memcpy(f + ip + 24, dst, 16);
    } else {
        f[ip] = 0x45;
        put16(f + ip + 2, (unsigned)(hl + 20 + n));
        put16(f + ip + 6, 0x4000); /* don't fragment */
        f[ip + 8] = 64;
        f[ip + 9] = 6;
        memcpy(f + ip + 12, src, 4);
        memcpy(f + ip + 16, dst, 4);
    }
    uint8_t *th = f + ip + hl;
    put16(th, srv ? 80 : 40000 + c);
    put16(th + 2, srv ? 40000 + c : 80);
    put32(th + 4, seq);
    put32(th + 8, k->next[!srv]);
    th[12] = 0x50;
    th[13] = flags;
    put16(th + 14, 65535);
    if (n)
        memcpy(th + 20, pay, n);
    size_t len = ip + hl + 20 + n;
    put_record(b, f, len - (cut < len ? cut : len), len, -1, 0);
}

/* A length: [len:1], 0xff: [len:2 LE]; clipped to what is left. */
static size_t take_len(const uint8_t **p, const uint8_t *end)
{
    if (*p >= end)
        return 0;
    size_t n = *(*p)++;
    if (n == 0xff && end - *p >= 2) {
        n = (size_t)(*p)[0] | (size_t)(*p)[1] << 8;
        *p += 2;
    }
    return n < (size_t)(end - *p) ? n : (size_t)(end - *p);
}

static uint8_t take_byte(const uint8_t **p, const uint8_t *end) { return *p < end ? *(*p)++ : 0; }

/* A segment's payload: take_len() bytes, or after 0xfe [rep:1][len:1] and
 * len bytes repeated (rep + 1) * 64 times, up to PAYLOAD_CAP (a long header,
 * body or pipeline in a few bytes of input). *pay borrows the input or a
 * static buffer. */
#define PAYLOAD_CAP 65000
static size_t take_payload(const uint8_t **p, const uint8_t *end, const uint8_t **pay)
{
    static uint8_t big[PAYLOAD_CAP];
    if (*p < end && **p == 0xfe && end - *p >= 3) {
        size_t times = ((size_t)(*p)[1] + 1) * 64, n = (*p)[2], k = 0;
        *p += 3;
        n = n < (size_t)(end - *p) ? n : (size_t)(end - *p);
        for (size_t i = 0; n && i < times && k + n <= PAYLOAD_CAP; i++, k += n)
            memcpy(big + k, *p, n);
        *p += n;
        *pay = big;
        return k;
    }
    size_t n = take_len(p, end);
    *pay = *p;
    *p += n;
    return n;
}

static bool seq_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

static void built_segment(struct builder *b, uint8_t op, const uint8_t **p, const uint8_t *end)
{
    int srv = (op >> 2) & 1;
    unsigned c = (op >> 3) & 3, variant = op >> 5;
    struct conn *k = &b->conn[c];
    uint32_t seq = k->next[srv];
    uint8_t flags = 0x18; /* PSH ACK */
    size_t cut = 0;
    switch (variant) {
    case 1: /* SYN, or SYN-ACK: a new sequence space if this side already sent */
        if (k->sent[srv])
            k->next[srv] += 0x10000;
        put_segment(b, c, srv, srv ? 0x12 : 0x02, k->next[srv] - 1, NULL, 0, 0);
        k->sent[srv] = false;
        return;
    case 3:
        put_segment(b, c, srv, 0x14, seq, NULL, 0, 0);
        return;
    case 4: {
        uint16_t raw = take_byte(p, end);
        raw = (uint16_t)(raw | take_byte(p, end) << 8);
        int32_t off = (int16_t)raw;
        const uint8_t *pay;
        size_t n = take_payload(p, end, &pay);
        if (off > 0 && n == 0) { /* a hole: bytes never captured */
            k->next[srv] += (uint32_t)off;
            return;
        }
        put_segment(b, c, srv, flags, seq + (uint32_t)off, pay, n, 0);
        if (off <= 0 && seq_after(seq + (uint32_t)off + (uint32_t)n, k->next[srv]))
            k->next[srv] = seq + (uint32_t)off + (uint32_t)n; /* ahead: sent again later */
        k->sent[srv] = true;
        return;
    }
    case 5:
        cut = take_byte(p, end);
        break;
    case 6:
        b->ts_us += (int64_t)(int8_t)take_byte(p, end) * 1000000;
        break;
    case 7: {
        uint32_t keep = k->next[!srv];
        k->next[!srv] += (uint32_t)take_byte(p, end) * 16; /* acknowledges bytes never seen */
        put_segment(b, c, srv, 0x10, seq, NULL, 0, 0);
        k->next[!srv] = keep;
        return;
    }
    default:
        break;
    }
    const uint8_t *pay;
    size_t n = take_payload(p, end, &pay);
    if (variant == 2)
        flags = 0x19; /* FIN PSH ACK */
    put_segment(b, c, srv, flags, seq, pay, n, cut);
    uint32_t last = seq + (uint32_t)n + (variant == 2);
    if (seq_after(last, k->next[srv]))
        k->next[srv] = last;
    k->sent[srv] = true;
}

/* The built file for data[1..], in o (FILE_CAP bytes). */
static void build(struct out *o, uint8_t mode, const uint8_t *p, const uint8_t *end)
{
    struct builder b = { .o = *o };
    b.o.be = (mode >> 6) & 1;
    b.ng = (mode >> 7) & 1;
    uint8_t cfg = take_byte(&p, end);
    b.link = links[cfg & 15];
    b.snap = snaps[(cfg >> 4) & 7];
    b.ns = (cfg >> 7) & 1 && !b.ng;
    b.ts_us = 1700000000000000;
    for (unsigned c = 0; c < 4; c++) {
        b.conn[c].next[0] = 0xfffff000u + c * 0x10000000u + 1;
        b.conn[c].next[1] = 0x7ffff800u + c * 0x1000000u + 1;
    }
    file_header(&b);
    while (p < end && !b.o.full) {
        uint8_t op = *p++;
        b.ts_us += 1000;
        switch (op & 3) {
        case 0:
            built_segment(&b, op, &p, end);
            break;
        case 1: {
            size_t n = (size_t)take_byte(&p, end);
            n |= (size_t)take_byte(&p, end) << 8;
            n = n < (size_t)(end - p) ? n : (size_t)(end - p);
            put_record(&b, p, n, n, -1, 0);
            p += n;
            break;
        }
        case 2: {
            size_t n = take_len(&p, end);
            put_record(&b, p, n, n, (op >> 2) & 7, op >> 5);
            p += n;
            break;
        }
        default: {
            size_t n = take_len(&p, end);
            out_add(&b.o, p, n);
            p += n;
            break;
        }
        }
    }
    *o = b.o;
    o->full = false;
}

/* gzip p[0, n) into *z (malloc'd), as one member or two (split in the middle). */
static size_t gzip(const uint8_t *p, size_t n, bool two, uint8_t **z)
{
    size_t cap = 2 * (n + 64) + 1024, len = 0;
    *z = malloc(cap);
    if (!*z)
        BROKEN("out of memory");
    size_t part[2] = { two ? n / 2 : n, two ? n - n / 2 : 0 };
    for (int i = 0; i < (two ? 2 : 1); i++) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            BROKEN("zlib deflateInit2 failed");
        zs.next_in = (Bytef *)(uintptr_t)(p + (i ? part[0] : 0));
        zs.avail_in = (uInt)part[i];
        zs.next_out = *z + len;
        zs.avail_out = (uInt)(cap - len);
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
            BROKEN("zlib deflate failed");
        len = cap - zs.avail_out;
        deflateEnd(&zs);
    }
    return len;
}

/* ---- handing the file to the source ---- */

static int memfd = -1;
static char memfd_path[64];

/* The file as a path (a memfd rewritten each run) or, when `as_stdin` and it
 * fits in a pipe, as standard input ("-"): then *saved is a copy of the old
 * fd 0 (-1: there was none) for restore_stdin(), else -2. */
static const char *make_input(const uint8_t *p, size_t n, bool as_stdin, int *saved)
{
    *saved = -2;
    if (as_stdin && n <= 65536) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            BROKEN("pipe2 failed");
        fcntl(fds[1], F_SETFL, O_NONBLOCK);
        ssize_t k = n ? write(fds[1], p, n) : 0;
        close(fds[1]);
        if (k == (ssize_t)n) {
            *saved = fcntl(0, F_DUPFD_CLOEXEC, 3); /* -1: fd 0 was closed */
            if (dup2(fds[0], 0) != 0)
                BROKEN("dup2 failed");
            if (fds[0] != 0)
                close(fds[0]);
            return "-";
        }
        close(fds[0]);
    }
    if (memfd < 0) {
        memfd = memfd_create("fuzz_pcap", MFD_CLOEXEC);
        if (memfd < 0)
            BROKEN("memfd_create failed");
        snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
    }
    if (ftruncate(memfd, 0) != 0 || (n && pwrite(memfd, p, n, 0) != (ssize_t)n))
        BROKEN("cannot write the memfd");
    return memfd_path;
}

static void restore_stdin(int saved)
{
    if (saved == -2)
        return;
    if (saved >= 0) {
        dup2(saved, 0);
        close(saved);
    } else {
        close(0);
    }
}

/* ---- the run and its checks ---- */

struct per_stream {
    bool ended;
};

struct run {
    struct tcp_callbacks http; /* the decoder's callbacks, which ours wrap */
    const struct tcp *t;
    struct per_stream *ps; /* [id], grown as streams come */
    uint64_t cap_id;
    uint64_t delivered, gaps, ends, emits;
    int64_t last_data_us;
    bool in_order; /* every delivered chunk's time >= the one before */
    bool wanted;
    unsigned sum; /* of every byte handed out, so that ASan checks them all */
};

static volatile unsigned sink; /* where the sum goes, so that the reads stay */

static struct per_stream *stream_of(struct run *r, const struct tcp_stream *s)
{
    /* ids are 1, 2, ... in order of first packet: never more than the packets */
    if (s->id == 0 || s->id > tcp_stats(r->t)->packets)
        BROKEN("a stream id of 0 or past the packets");
    if (s->id >= r->cap_id) {
        uint64_t cap = r->cap_id * 2 > s->id ? r->cap_id * 2 : s->id + 1;
        struct per_stream *ps = realloc(r->ps, cap * sizeof *ps);
        if (!ps)
            BROKEN("out of memory");
        memset(ps + r->cap_id, 0, (cap - r->cap_id) * sizeof *ps);
        r->ps = ps;
        r->cap_id = cap;
    }
    if (r->ps[s->id].ended)
        BROKEN("a callback after end()");
    return &r->ps[s->id];
}

static void on_data(void *ctx, struct tcp_stream *s, enum tcp_dir dir, const uint8_t *p, size_t n,
                    int64_t ts_us)
{
    struct run *r = ctx;
    stream_of(r, s);
    if (n == 0 || (dir != TCP_FROM_INITIATOR && dir != TCP_FROM_RESPONDER))
        BROKEN("empty data or a bad direction");
    if (ts_us < r->last_data_us)
        r->in_order = false;
    r->last_data_us = ts_us;
    r->delivered += n;
    r->http.data(r->http.ctx, s, dir, p, n, ts_us);
}

static void on_gap(void *ctx, struct tcp_stream *s, enum tcp_dir dir, uint64_t missing,
                   int64_t ts_us)
{
    struct run *r = ctx;
    stream_of(r, s);
    if (dir != TCP_FROM_INITIATOR && dir != TCP_FROM_RESPONDER)
        BROKEN("a gap with a bad direction");
    r->gaps++;
    r->http.gap(r->http.ctx, s, dir, missing, ts_us);
}

static void on_end(void *ctx, struct tcp_stream *s, enum tcp_end_reason why, int64_t ts_us)
{
    struct run *r = ctx;
    struct per_stream *ps = stream_of(r, s);
    if (why > TCP_END_FLUSH)
        BROKEN("a bad end reason");
    r->http.end(r->http.ctx, s, why, ts_us);
    if (s->user)
        BROKEN("the decoder frees its per-stream state at the end");
    ps->ended = true;
    r->ends++;
}

static const struct attr *get(const struct event *ev, const char *name)
{
    return event_get(ev, span_of(name));
}

/* The decimal text of a µs time attribute (add_num: "%" PRId64). */
static int64_t num_of(const struct attr *a)
{
    int64_t v;
    if (!a || a->type != ATTR_NUMBER || !span_to_i64(a->value, &v))
        BROKEN("a time attribute that is not a decimal number");
    return v;
}

static bool is_wanted(struct span name)
{
    for (size_t i = 0; i < N_WANTED; i++)
        if (span_eq(wanted_list[i], name))
            return true;
    return false;
}

static void on_event(void *ctx, const struct event *ev)
{
    struct run *r = ctx;
    r->emits++;
    if (!ev->has_duration || ev->line != r->emits || ev->has_utc_offset ||
        ev->n_attrs > LIMIT_ATTRS)
        BROKEN("an event without a duration, a wrong line, an offset or too many attributes");
    for (unsigned i = 0; i < ev->n_attrs; i++) {
        const struct attr *a = &ev->attrs[i];
        if (a->name.n == 0 || a->name.n > LIMIT_ATTR_NAME || !a->name.p ||
            (a->value.n && !a->value.p) || a->type > ATTR_NULL)
            BROKEN("an attribute name or value that is not a readable span");
        if (r->wanted && !is_wanted(a->name))
            BROKEN("only the wanted attributes are extracted");
        for (size_t k = 0; k < a->name.n; k++)
            r->sum += (unsigned char)a->name.p[k];
        for (size_t k = 0; k < a->value.n; k++)
            r->sum += (unsigned char)a->value.p[k];
        if (span_starts(a->name, "header.") || span_starts(a->name, "resp_header."))
            for (size_t k = 0; k < a->name.n; k++)
                if (a->name.p[k] >= 'A' && a->name.p[k] <= 'Z')
                    BROKEN("header names are lower case");
        if (a->type == ATTR_BOOL && !span_eq(a->value, SPAN_LIT("true")) &&
            !span_eq(a->value, SPAN_LIT("false")))
            BROKEN("a bool that is not true or false");
    }
    /* method, path and status are always there (and wanted) */
    const struct attr *m = get(ev, "method"), *path = get(ev, "path"), *st = get(ev, "status");
    if (!m || !path || !st || m->value.n == 0 || st->value.n != 3)
        BROKEN("no method, path or 3-digit status");
    for (size_t k = 0; k < m->value.n; k++)
        if (!((m->value.p[k] >= 'A' && m->value.p[k] <= 'Z') || m->value.p[k] == '-' ||
              m->value.p[k] == '_'))
            BROKEN("a method of other bytes than A-Z - _");
    uint64_t status;
    if (!span_to_u64(st->value, &status) || status < 100 || status > 999)
        BROKEN("a status out of 100..999");
    int64_t req_end = num_of(get(ev, "request_end_us"));
    int64_t resp_start = num_of(get(ev, "response_start_us"));
    if (resp_start < ev->start_us)
        BROKEN("a response that began before its request is not paired");
    if (r->in_order && (req_end < ev->start_us || ev->end_us < resp_start))
        BROKEN("times in order, yet a request ends before it starts or a response before it");
    const struct attr *sse_first = get(ev, "sse.first_us"), *sse_last = get(ev, "sse.last_us");
    if (sse_first && sse_last && r->in_order &&
        (num_of(sse_first) < resp_start || num_of(sse_last) < num_of(sse_first) ||
         ev->end_us < num_of(sse_last)))
        BROKEN("events come within their response, in order");
#ifndef FUZZ_PCAP_LAX_DURATION
    if (ev->end_us < ev->start_us)
        BROKEN("a negative duration: match.c reads -1 as \"none\"");
#endif
}

/* The error of a failed step: a message, and exit 2 or 3. */
static void check_err(const struct err *e)
{
    if (e->msg[0] == 0 || (e->exit_code != EXIT_USAGE && e->exit_code != EXIT_INTERNAL))
        BROKEN("an error without a message, or an exit code other than 2 or 3");
}

static const struct decode_options opt_wanted = { .wanted = wanted_list, .n_wanted = N_WANTED };

/* ingest_capture() of src/main.c, with checks. `plain` is the size of the
 * file once inflated (SIZE_MAX: unknown), `n` what the source reads. */
static void run_capture(struct source *src, uint8_t mode, size_t n, size_t plain)
{
    struct err e = { 0 };
    struct source_capture *cap = source_capture_open(src, &e);
    if (!cap) {
        check_err(&e);
        return;
    }
    struct run r = { .in_order = true, .wanted = (mode >> 3) & 1, .last_data_us = INT64_MIN };
    struct decode_http *h = decode_http_new(r.wanted ? &opt_wanted : NULL, on_event, &r);
    decode_http_callbacks(h, &r.http);
    struct tcp_callbacks cb = { &r, on_data, on_gap, on_end };
    struct tcp *t = tcp_new(source_capture_linktype(cap), &cb, &e);
    if (!t) {
        check_err(&e);
        goto out;
    }
    r.t = t;
    if ((mode >> 5) & 1)
        tcp_set_limits(t, 3, 2048, 4096, 1000000);
    const uint8_t *p;
    size_t caplen, len;
    int64_t ts = 0, last = 0;
    uint64_t frames = 0, frame_bytes = 0;
    struct err damage = { 0 };
    int got;
    while ((got = source_capture_next(cap, &p, &caplen, &len, &ts, &damage)) == 1) {
        frames++;
        if ((caplen && !p) || caplen > plain)
            BROKEN("every captured byte came from the file");
        for (size_t k = 0; k < caplen; k++)
            r.sum += p[k];
        frame_bytes += caplen;
        tcp_packet(t, p, caplen, len, ts);
        last = ts;
    }
    if (got < 0)
        check_err(&damage);
    else if (got != 0)
        BROKEN("source_capture_next returned neither 1, 0 nor -1");
    tcp_flush(t, last);
    const struct tcp_stats *ts_ = tcp_stats(t);
    const struct decode_http_stats *hs = decode_http_stats(h);
    if (source_capture_frames(cap) != frames || ts_->packets != frames ||
        ts_->tcp_segments > ts_->packets || ts_->streams > ts_->tcp_segments ||
        r.ends != ts_->streams || r.gaps != ts_->gaps || r.delivered > frame_bytes)
        BROKEN("the reassembler's counts");
    /* the decoder's: emits as counted, skips within what came, and every
     * exchange or cut message needs a start line of 12 bytes or more */
    if (hs->exchanges != r.emits || hs->bytes_skipped > r.delivered ||
        hs->resyncs > hs->bytes_skipped ||
        hs->bodies_cut * (uint64_t)LIMIT_HTTP_BODY > r.delivered ||
        (hs->exchanges + hs->incomplete) * 12 > r.delivered)
        BROKEN("the decoder's counts: emits, skipped bytes or exchanges beyond what came");
#ifdef FUZZ_PCAP_VERBOSE /* for checking what seeds reach */
    fprintf(stderr,
            "link %d frames %llu segments %llu streams %llu gaps %llu delivered %llu "
            "exchanges %llu incomplete %llu skipped %llu bad %llu end %d%s%s\n",
            source_capture_linktype(cap), (unsigned long long)frames,
            (unsigned long long)ts_->tcp_segments, (unsigned long long)ts_->streams,
            (unsigned long long)ts_->gaps, (unsigned long long)r.delivered,
            (unsigned long long)hs->exchanges, (unsigned long long)hs->incomplete,
            (unsigned long long)hs->bytes_skipped, (unsigned long long)hs->bad_messages, got,
            got < 0 ? ": " : "", got < 0 ? damage.msg : "");
#endif
    /* a clean end read the whole file; a second flush ends nothing */
    uint64_t bytes = source_capture_bytes(cap);
    if (bytes != source_stats(src)->bytes || bytes > n || (got == 0 && bytes != n))
        BROKEN("a clean end did not read the whole file");
    tcp_flush(t, last);
    if (r.ends != ts_->streams)
        BROKEN("a second flush ended streams again");
out:
    sink = r.sum;
    tcp_free(t);
    decode_http_free(h);
    source_capture_close(cap);
    free(r.ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    const uint8_t *file = data + 1;
    size_t n = size - 1, plain = n;
    uint8_t *built = NULL, *z = NULL;
    if (mode & 1) {
        struct out o = { .p = malloc(FILE_CAP), .cap = FILE_CAP };
        if (!o.p)
            BROKEN("out of memory");
        build(&o, mode, data + 1, data + size);
        built = o.p;
        file = built;
        n = plain = o.len;
    }
    if (!(mode & 1) && n >= 2 && file[0] == 0x1f && file[1] == 0x8b)
        plain = SIZE_MAX; /* gzip'd as is: what it inflates to is not known */
    if (mode & 2) {
        n = gzip(file, n, (mode >> 4) & 1, &z);
        file = z;
    }
    int saved;
    const char *path = make_input(file, n, (mode >> 2) & 1, &saved);
    struct err e = { 0 };
    struct source *src = source_open(path, &e);
    if (!src)
        BROKEN("a memfd or a pipe always opens");
    struct span head;
    if (source_peek(src, 64 << 10, &head, &e) < 0) {
        check_err(&e);
    } else if (source_stats(src)->is_gzip != ((mode & 2) || plain == SIZE_MAX)) {
        BROKEN("gzip is told by its magic number");
    } else if (source_is_capture(head)) {
        run_capture(src, mode, n, plain);
    } else if (head.n > 0 && (mode & 1)) {
        BROKEN("a built file always starts with a magic number");
    }
    source_close(src);
    restore_stdin(saved);
    free(z);
    free(built);
    return 0;
}
