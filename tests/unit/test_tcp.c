/*
 * test_tcp.c - TCP reassembly (sources stage, issue 7): frames built by hand
 * (Ethernet, VLAN, Linux cooked, loopback, IPv4, IPv6, TCP; checksums zero),
 * each fed from an exact-size heap copy so that ASan sees any read past
 * caplen, and the callbacks' sequence asserted. One real capture:
 * tests/data/pcap/curl_http.pcap, made with
 *   python3 -m http.server 8731 --bind 127.0.0.1 &   (a 680-byte hello.txt)
 *   tcpdump -i lo -U -w curl_http.pcap 'tcp port 8731' &
 *   curl -s -A tempo-test http://127.0.0.1:8731/hello.txt
 * and read by the small pcap reader below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "wire.h"
#include "tcp.h"
#include "test.h"

/* ---- what the callbacks saw ---- */

struct rec {
    char log[4096];        /* "D0:5 G1:100 E0 ..." */
    size_t log_n;
    uint8_t *data[2];      /* every delivered byte per direction, when keep */
    size_t n[2], cap[2];
    bool keep;
    unsigned ends;
    struct tcp_stream last; /* the stream of the last callback */
    size_t call_bytes;     /* delivered during the current tcp_packet() */
    int64_t last_ts;
};

#define LOGF(r, ...)                                                                   \
    do {                                                                               \
        if ((r)->log_n + 64 < sizeof (r)->log)                                         \
            (r)->log_n += (size_t)snprintf((r)->log + (r)->log_n,                       \
                                           sizeof (r)->log - (r)->log_n, __VA_ARGS__); \
    } while (0)

static void on_data(void *ctx, struct tcp_stream *s, enum tcp_dir dir, const uint8_t *p, size_t n,
                    int64_t ts_us)
{
    struct rec *r = ctx;
    r->last = *s;
    r->last_ts = ts_us;
    r->call_bytes += n;
    if (r->keep) {
        LOGF(r, "D%d:%zu ", (int)dir, n);
        if (r->n[dir] + n > r->cap[dir]) {
            r->cap[dir] = (r->n[dir] + n) * 2;
            r->data[dir] = realloc(r->data[dir], r->cap[dir]);
        }
        memcpy(r->data[dir] + r->n[dir], p, n);
    }
    r->n[dir] += n;
}

static void on_gap(void *ctx, struct tcp_stream *s, enum tcp_dir dir, uint64_t missing,
                   int64_t ts_us)
{
    struct rec *r = ctx;
    r->last = *s;
    (void)ts_us;
    LOGF(r, "G%d:%llu ", (int)dir, (unsigned long long)missing);
}

static void on_end(void *ctx, struct tcp_stream *s, enum tcp_end_reason why, int64_t ts_us)
{
    struct rec *r = ctx;
    r->last = *s;
    (void)ts_us;
    r->ends++;
    LOGF(r, "E%d ", (int)why);
}

static void rec_free(struct rec *r)
{
    free(r->data[0]);
    free(r->data[1]);
}

static struct tcp *new_tcp(int link, struct rec *r)
{
    memset(r, 0, sizeof *r);
    r->keep = true;
    struct tcp_callbacks cb = { r, on_data, on_gap, on_end };
    struct err e;
    struct tcp *t = tcp_new(link, &cb, &e);
    CHECK(t != NULL);
    return t;
}

#define LOG_IS(r, want) CHECK_MEM((r)->log, (r)->log_n, want)

/* ---- frames ---- */

enum link { L_ETH, L_VLAN, L_QINQ, L_SLL, L_SLL2, L_NULL_LE, L_LOOP_BE, L_RAW };
static enum link link_mode = L_ETH;
static bool use_v6;

static const uint8_t cli4[4] = { 10, 0, 0, 1 }, srv4[4] = { 10, 0, 0, 2 };
static const uint8_t cli6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t srv6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static uint16_t cli_port = 40000, srv_port = 80;

enum { F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10 };

/* Link header for an IP packet of version v; returns its size. */
static size_t put_link(uint8_t *p, int v)
{
    unsigned type = v == 6 ? 0x86dd : 0x0800;
    memset(p, 0, 24);
    switch (link_mode) {
    case L_ETH:
        be16(p + 12, type);
        return 14;
    case L_VLAN:
        be16(p + 12, 0x8100);
        be16(p + 14, 42);
        be16(p + 16, type);
        return 18;
    case L_QINQ:
        be16(p + 12, 0x88a8);
        be16(p + 14, 7);
        be16(p + 16, 0x8100);
        be16(p + 18, 42);
        be16(p + 20, type);
        return 22;
    case L_SLL:
        be16(p + 14, type);
        return 16;
    case L_SLL2:
        be16(p, type);
        return 20;
    case L_NULL_LE:
        p[0] = v == 6 ? 30 : 2;
        return 4;
    case L_LOOP_BE:
        p[3] = v == 6 ? 24 : 2;
        return 4;
    case L_RAW:
        return 0;
    }
    return 0;
}

static size_t put_tcp(uint8_t *p, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
                      unsigned flags, const char *data, size_t n)
{
    memset(p, 0, 20);
    be16(p, sp);
    be16(p + 2, dp);
    be32(p + 4, seq);
    be32(p + 8, ack);
    p[12] = 5 << 4;
    p[13] = (uint8_t)flags;
    be16(p + 14, 65535);
    if (n)
        memcpy(p + 20, data, n);
    return 20 + n;
}

/* A whole frame from client (from_cli) or server; returns its length. */
static size_t frame(uint8_t *out, bool from_cli, uint32_t seq, uint32_t ack, unsigned flags,
                    const char *data, size_t n)
{
    size_t k = put_link(out, use_v6 ? 6 : 4);
    uint8_t *ip = out + k;
    uint16_t sp = from_cli ? cli_port : srv_port, dp = from_cli ? srv_port : cli_port;
    if (use_v6) {
        memset(ip, 0, 40);
        ip[0] = 0x60;
        be16(ip + 4, 20 + n);
        ip[6] = 6;
        ip[7] = 64;
        memcpy(ip + 8, from_cli ? cli6 : srv6, 16);
        memcpy(ip + 24, from_cli ? srv6 : cli6, 16);
        return k + 40 + put_tcp(ip + 40, sp, dp, seq, ack, flags, data, n);
    }
    memset(ip, 0, 20);
    ip[0] = 0x45;
    be16(ip + 2, 40 + n);
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, from_cli ? cli4 : srv4, 4);
    memcpy(ip + 16, from_cli ? srv4 : cli4, 4);
    return k + 20 + put_tcp(ip + 20, sp, dp, seq, ack, flags, data, n);
}

static int64_t now_us = 1700000000000000;

/* Feed caplen bytes of a len-byte frame from an exact-size heap copy. */
static void feed_cut(struct tcp *t, struct rec *r, const uint8_t *f, size_t caplen, size_t len)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    memcpy(copy, f, caplen);
    if (r)
        r->call_bytes = 0;
    tcp_packet(t, copy, caplen, len, now_us);
    free(copy);
    now_us += 1000;
}

/* One segment, whole. */
static void seg(struct tcp *t, bool from_cli, uint32_t seq, uint32_t ack, unsigned flags,
                const char *data)
{
    uint8_t f[2048];
    size_t n = frame(f, from_cli, seq, ack, flags, data, data ? strlen(data) : 0);
    feed_cut(t, NULL, f, n, n);
}

/* The handshake: client ISN c, server ISN s. */
static void handshake(struct tcp *t, uint32_t c, uint32_t s)
{
    seg(t, true, c, 0, S, NULL);
    seg(t, false, s, c + 1, S | A, NULL);
    seg(t, true, c + 1, s + 1, A, NULL);
}

/* ---- tests ---- */

static void test_in_order(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    handshake(t, 1000, 5000);
    seg(t, true, 1001, 5001, P | A, "GET / HTTP/1.1\r\n\r\n");
    seg(t, false, 5001, 1019, A, "HTTP/1.1 200 OK\r\n");
    seg(t, false, 5018, 1019, P | A, "\r\nhi");
    seg(t, false, 5022, 1019, F | A, NULL);
    CHECK_INT(r.ends, 0);
    seg(t, true, 1019, 5023, F | A, NULL);
    seg(t, false, 5023, 1020, A, NULL); /* the last ACK opens nothing */
    LOG_IS(&r, "D0:18 D1:17 D1:4 E0 ");
    CHECK_MEM((char *)r.data[0], r.n[0], "GET / HTTP/1.1\r\n\r\n");
    CHECK_MEM((char *)r.data[1], r.n[1], "HTTP/1.1 200 OK\r\n\r\nhi");
    CHECK(r.last.initiator_known);
    CHECK_INT(r.last.id, 1);
    CHECK_INT(r.last.port[TCP_FROM_INITIATOR], 40000);
    CHECK_INT(r.last.port[TCP_FROM_RESPONDER], 80);
    CHECK(memcmp(r.last.addr[TCP_FROM_INITIATOR], cli4, 4) == 0);
    CHECK(memcmp(r.last.addr[TCP_FROM_RESPONDER], srv4, 4) == 0);
    const struct tcp_stats *st = tcp_stats(t);
    CHECK_INT(st->packets, 9);
    CHECK_INT(st->tcp_segments, 9);
    CHECK_INT(st->streams, 1);
    CHECK_INT(st->gaps, 0);
    CHECK_INT(st->duplicate_bytes, 0);
    tcp_flush(t, now_us);
    CHECK_INT(r.ends, 1);
    tcp_free(t);
    rec_free(&r);
}

static void test_out_of_order(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    handshake(t, 1000, 5000);
    seg(t, true, 1007, 5001, A, "ccc");
    seg(t, true, 1004, 5001, A, "bbb");
    CHECK_INT(r.n[0], 0);
    seg(t, true, 1001, 5001, A, "aaa");
    CHECK_MEM((char *)r.data[0], r.n[0], "aaabbbccc");
    LOG_IS(&r, "D0:3 D0:3 D0:3 ");
    /* A buffered segment overlapped by another buffered one, then filled. */
    seg(t, true, 1016, 5001, A, "ghij");
    seg(t, true, 1013, 5001, A, "defgh");
    seg(t, true, 1010, 5001, A, "123");
    CHECK_MEM((char *)r.data[0], r.n[0], "aaabbbccc123defghij");
    CHECK_INT(tcp_stats(t)->duplicate_bytes, 2);
    CHECK_INT(tcp_stats(t)->gaps, 0);
    tcp_flush(t, now_us);
    CHECK_INT(r.ends, 1);
    tcp_free(t);
    rec_free(&r);
}

static void test_duplicates(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    handshake(t, 1000, 5000);
    seg(t, true, 1001, 5001, A, "hello");
    seg(t, true, 1001, 5001, A, "hello");   /* 5 again */
    seg(t, true, 1004, 5001, A, "lo world"); /* 2 again, 6 new */
    seg(t, true, 1000, 5001, A, "x");        /* before the data: the SYN's number */
    CHECK_MEM((char *)r.data[0], r.n[0], "hello world");
    CHECK_INT(tcp_stats(t)->duplicate_bytes, 8);
    tcp_flush(t, now_us);
    LOG_IS(&r, "D0:5 D0:6 E3 ");
    tcp_free(t);
    rec_free(&r);
}

static void test_lost_then_fin(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    handshake(t, 1000, 5000);
    seg(t, true, 1001, 5001, A, "aaa");
    /* 1004..1010 lost by the capture */
    seg(t, true, 1010, 5001, F | A, "ccc");
    CHECK_INT(r.ends, 0);
    /* The server acknowledges the FIN: the hole will not fill. Its own FIN
     * makes both directions complete. */
    seg(t, false, 5001, 1014, F | A, NULL);
    LOG_IS(&r, "D0:3 G0:6 D0:3 E0 ");
    seg(t, true, 1014, 5002, A, NULL);
    tcp_flush(t, now_us);
    CHECK_INT(r.ends, 1);
    CHECK_INT(tcp_stats(t)->bytes_skipped, 6);
    CHECK_INT(tcp_stats(t)->gaps, 1);
    tcp_free(t);
    rec_free(&r);

    /* The lost bytes are the last before a bare FIN; nobody acknowledges. */
    t = new_tcp(TCP_LINK_ETHERNET, &r);
    handshake(t, 1000, 5000);
    seg(t, true, 1001, 5001, A, "aaa");
    seg(t, true, 1008, 5001, F | A, NULL); /* 1004..1008 lost */
    tcp_flush(t, now_us);
    LOG_IS(&r, "D0:3 G0:4 E3 ");
    tcp_free(t);
    rec_free(&r);
}

static void test_both_fin_closes(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    handshake(t, 1000, 5000);
    seg(t, true, 1001, 5001, P | A, "abc");
    int64_t fin0 = now_us;
    seg(t, true, 1004, 5001, F | A, NULL);
    int64_t fin1 = now_us;
    seg(t, false, 5001, 1005, F | A, "xyz"); /* data and FIN together */
    LOG_IS(&r, "D0:3 D1:3 E0 ");
    /* Each side's FIN time, for bodies delimited by the close. */
    CHECK_INT(r.last.fin_us[TCP_FROM_INITIATOR], fin0);
    CHECK_INT(r.last.fin_us[TCP_FROM_RESPONDER], fin1);
    tcp_free(t);
    rec_free(&r);
}

static void test_wraparound(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    uint32_t c = 0xfffffff8u;
    handshake(t, c, 7);
    seg(t, true, c + 1, 8, A, "0123");   /* ..fffffffc */
    seg(t, true, c + 9, 8, A, "89ab");   /* 00000001.. : future, across the wrap */
    seg(t, true, c + 5, 8, A, "4567");   /* fffffffd..00000000 */
    seg(t, true, c + 7, 8, A, "67");     /* retransmitted across the wrap */
    seg(t, true, c + 13, 8, F | A, "cd");
    CHECK_MEM((char *)r.data[0], r.n[0], "0123456789abcd");
    CHECK_INT(tcp_stats(t)->duplicate_bytes, 2);
    seg(t, false, 8, c + 16, F | A, NULL);
    LOG_IS(&r, "D0:4 D0:4 D0:4 D0:2 E0 ");
    tcp_free(t);
    rec_free(&r);
}

/* A short exchange over the current link mode; returns whether it arrived. */
static bool exchange_ok(int link)
{
    struct rec r;
    struct tcp *t = new_tcp(link, &r);
    handshake(t, 100, 200);
    seg(t, true, 101, 201, P | A, "ping");
    seg(t, false, 201, 105, P | A, "pong!");
    tcp_flush(t, now_us);
    bool ok = r.n[0] == 4 && memcmp(r.data[0], "ping", 4) == 0 && r.n[1] == 5 &&
              memcmp(r.data[1], "pong!", 5) == 0 && r.ends == 1 && r.last.v6 == use_v6 &&
              tcp_stats(t)->not_ip == 0 && tcp_stats(t)->malformed == 0;
    tcp_free(t);
    rec_free(&r);
    return ok;
}

static void test_links(void)
{
    static const struct {
        enum link mode;
        int link;
    } rows[] = {
        { L_ETH, TCP_LINK_ETHERNET },   { L_VLAN, TCP_LINK_ETHERNET },
        { L_QINQ, TCP_LINK_ETHERNET },  { L_SLL, TCP_LINK_LINUX_SLL },
        { L_SLL2, TCP_LINK_LINUX_SLL2 }, { L_NULL_LE, TCP_LINK_NULL },
        { L_LOOP_BE, TCP_LINK_LOOP },   { L_NULL_LE, TCP_LINK_LOOP },
        { L_RAW, TCP_LINK_RAW },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        for (int v6 = 0; v6 < 2; v6++) {
            link_mode = rows[i].mode;
            use_v6 = v6;
            if (!exchange_ok(rows[i].link))
                printf("link row %zu v6 %d:\n", i, v6);
            CHECK(exchange_ok(rows[i].link));
        }
    }
    link_mode = L_RAW;
    use_v6 = false;
    CHECK(exchange_ok(TCP_LINK_IPV4));
    use_v6 = true;
    CHECK(exchange_ok(TCP_LINK_IPV6));
    link_mode = L_ETH;
    use_v6 = false;

    struct err e;
    struct tcp_callbacks cb = { 0 };
    CHECK(tcp_new(147, &cb, &e) == NULL);
    CHECK_INT(e.exit_code, EXIT_USAGE);
    CHECK(strstr(e.msg, "link type 147") != NULL);

    /* ARP over Ethernet, an unknown family on loopback, UDP. */
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    uint8_t f[64] = { 0 };
    be16(f + 12, 0x0806);
    feed_cut(t, NULL, f, 60, 60);
    uint8_t g[128];
    size_t n = frame(g, true, 1, 0, S, NULL, 0);
    g[14 + 9] = 17;
    feed_cut(t, NULL, g, n, n);
    CHECK_INT(tcp_stats(t)->not_ip, 1);
    CHECK_INT(tcp_stats(t)->not_tcp, 1);
    CHECK_INT(tcp_stats(t)->streams, 0);
    tcp_free(t);
    t = new_tcp(TCP_LINK_NULL, &r);
    memset(f, 0, sizeof f);
    f[0] = 7;
    feed_cut(t, NULL, f, 44, 44);
    CHECK_INT(tcp_stats(t)->not_ip, 1);
    tcp_free(t);
    rec_free(&r);
}

/* Raw IPv6 with hop-by-hop, destination options, routing and AH before TCP. */
static void test_ipv6_ext(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_RAW, &r);
    uint8_t f[256];
    memset(f, 0, sizeof f);
    f[0] = 0x60;
    f[6] = 0; /* hop-by-hop */
    memcpy(f + 8, cli6, 16);
    memcpy(f + 24, srv6, 16);
    uint8_t *x = f + 40;
    x[0] = 60, x[1] = 0;       /* hop-by-hop, 8 bytes, next: dest opts */
    x += 8;
    x[0] = 43, x[1] = 1;       /* dest opts, 16 bytes, next: routing */
    x += 16;
    x[0] = 51, x[1] = 0;       /* routing, 8 bytes, next: AH */
    x += 8;
    x[0] = 6, x[1] = 1;        /* AH, (1+2)*4 = 12 bytes, next: TCP */
    x += 12;
    size_t ext = (size_t)(x - (f + 40));
    size_t tl = put_tcp(x, 40000, 80, 77, 0, P, "v6 data", 7);
    be16(f + 4, ext + tl);
    size_t n = 40 + ext + tl;
    feed_cut(t, &r, f, n, n);
    CHECK_MEM((char *)r.data[0], r.n[0], "v6 data");
    CHECK(r.last.v6);
    CHECK(!r.last.initiator_known);
    /* Every cut of that frame: counted truncated, never read past. */
    for (size_t k = 0; k < n; k++)
        feed_cut(t, &r, f, k, n);
    CHECK_INT(tcp_stats(t)->truncated, n);
    CHECK_INT(tcp_stats(t)->malformed, 0);
    /* A fragment header (offset 0, more fragments) instead of AH. */
    f[40 + 8 + 16] = 44;
    x = f + 40 + 8 + 16 + 8;
    memset(x, 0, 8);
    x[0] = 6;
    be16(x + 2, 1); /* M */
    be16(f + 4, 8 + 16 + 8 + 8 + 20);
    feed_cut(t, &r, f, 40 + 8 + 16 + 8 + 8 + 20, 40 + 8 + 16 + 8 + 8 + 20);
    CHECK_INT(tcp_stats(t)->fragments, 1);
    /* An atomic fragment (RFC 6946) is read through. */
    be16(x + 2, 0);
    put_tcp(x + 8, 40000, 80, 84, 0, P, NULL, 0);
    memcpy(x + 28, "!", 1);
    be16(f + 4, 8 + 16 + 8 + 8 + 21);
    feed_cut(t, &r, f, 40 + 8 + 16 + 8 + 8 + 21, 40 + 8 + 16 + 8 + 8 + 21);
    CHECK_MEM((char *)r.data[0], r.n[0], "v6 data!");
    /* An extension header longer than the packet: malformed. */
    f[40 + 1] = 200;
    feed_cut(t, &r, f, 101, 101);
    CHECK_INT(tcp_stats(t)->malformed, 1);
    tcp_flush(t, now_us);
    tcp_free(t);
    rec_free(&r);
}

static void test_ipv4_lies(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    uint8_t f[256];
    size_t n = frame(f, true, 1, 0, P, "data", 4), ip = 14;
    const struct tcp_stats *st = tcp_stats(t);

    be16(f + ip + 6, 0x2000); /* more fragments */
    feed_cut(t, &r, f, n, n);
    be16(f + ip + 6, 0x0010); /* an offset */
    feed_cut(t, &r, f, n, n);
    CHECK_INT(st->fragments, 2);
    be16(f + ip + 6, 0x4000); /* don't fragment: fine */

    f[ip] = 0x44; /* header length 16 */
    feed_cut(t, &r, f, n, n);
    f[ip] = 0x4f; /* header length 60 > total */
    feed_cut(t, &r, f, n, n);
    f[ip] = 0x45;
    be16(f + ip + 2, 200); /* longer than the frame, which is whole */
    feed_cut(t, &r, f, n, n);
    be16(f + ip + 2, 30); /* shorter than the TCP header */
    feed_cut(t, &r, f, n, n);
    be16(f + ip + 2, 44);
    f[ip + 20 + 12] = 0x40; /* TCP data offset 16 */
    feed_cut(t, &r, f, n, n);
    f[ip + 20 + 12] = 0xf0; /* 60: beyond the segment */
    feed_cut(t, &r, f, n, n);
    CHECK_INT(st->malformed, 6);
    CHECK_INT(st->tcp_segments, 0);
    CHECK_INT(st->streams, 0);
    f[ip + 20 + 12] = 0x50;

    /* Ethernet padding: the IP total length wins. */
    uint8_t pad[80] = { 0 };
    memcpy(pad, f, n);
    feed_cut(t, &r, pad, 64, 64);
    CHECK_MEM((char *)r.data[0], r.n[0], "data");
    CHECK_INT(st->malformed, 6);

    /* Every cut: truncated, never read past caplen. */
    uint64_t before = st->truncated;
    for (size_t k = 0; k < n; k++)
        feed_cut(t, &r, f, k, n);
    CHECK_INT(st->truncated - before, n);
    CHECK_INT(st->malformed, 6);
    /* A segment cut in its payload: the captured part, then a gap. */
    n = frame(f, true, 5, 0, A, "0123456789", 10);
    feed_cut(t, &r, f, n - 4, n);
    CHECK_MEM((char *)r.data[0], r.n[0], "data012345");
    n = frame(f, true, 15, 0, A, "after", 5);
    feed_cut(t, &r, f, n, n);
    CHECK_MEM((char *)r.data[0], r.n[0], "data012345after");
    LOG_IS(&r, "D0:4 D0:6 G0:4 D0:5 ");
    CHECK_INT(st->bytes_skipped, 4);
    tcp_flush(t, now_us);
    tcp_free(t);
    rec_free(&r);
}

static void test_rst(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    handshake(t, 1000, 5000);
    seg(t, true, 1001, 5001, A, "abc");
    seg(t, true, 1007, 5001, A, "ghi"); /* buffered behind a hole */
    seg(t, false, 5001, 1004, R | A, NULL);
    LOG_IS(&r, "D0:3 G0:3 D0:3 E0 ");
    seg(t, true, 1010, 5001, R, NULL); /* opens nothing */
    CHECK_INT(tcp_stats(t)->streams, 1);
    tcp_flush(t, now_us);
    CHECK_INT(r.ends, 1);
    tcp_free(t);
    rec_free(&r);
}

static void test_midstream(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    /* The capture starts with the server's bytes: it becomes the initiator. */
    seg(t, false, 9000, 300, A, "HTTP/1.1 200 OK\r\n");
    seg(t, true, 300, 9017, A, "GET /next");
    CHECK(!r.last.initiator_known);
    CHECK_INT(r.last.port[TCP_FROM_INITIATOR], 80);
    LOG_IS(&r, "D0:17 D1:9 ");
    /* A pure SYN on the same 4-tuple: the port was reused. */
    seg(t, true, 1, 0, S, NULL);
    seg(t, true, 2, 0, A, "new");
    CHECK_INT(tcp_stats(t)->streams, 2);
    CHECK(r.last.initiator_known);
    CHECK_INT(r.last.id, 2);
    CHECK_INT(r.last.port[TCP_FROM_INITIATOR], 40000);
    tcp_flush(t, now_us);
    LOG_IS(&r, "D0:17 D1:9 E0 D0:3 E3 ");
    tcp_free(t);
    rec_free(&r);

    /* First seen by its SYN-ACK: the receiver is the initiator. */
    t = new_tcp(TCP_LINK_ETHERNET, &r);
    seg(t, false, 5000, 1001, S | A, NULL);
    seg(t, true, 1001, 5001, A, "req");
    CHECK(r.last.initiator_known);
    LOG_IS(&r, "D0:3 ");
    tcp_flush(t, now_us);
    tcp_free(t);
    rec_free(&r);
}

static void test_idle_and_evict(void)
{
    struct rec r;
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    tcp_set_limits(t, 3, LIMIT_TCP_BUFFER, LIMIT_TCP_MEMORY, 1000000);
    for (unsigned i = 0; i < 5; i++) {
        cli_port = (uint16_t)(41000 + i);
        seg(t, true, 1, 0, A, "x");
    }
    CHECK_INT(tcp_stats(t)->evicted, 2);
    LOG_IS(&r, "D0:1 D0:1 D0:1 E2 D0:1 E2 D0:1 ");
    cli_port = 41002;
    seg(t, true, 2, 0, A, "y"); /* 41002 becomes the most recent */
    now_us += 2000000;
    cli_port = 42000;
    seg(t, true, 1, 0, A, "z"); /* the other three were silent 2 s */
    CHECK_INT(tcp_stats(t)->idle, 3);
    CHECK_INT(tcp_stats(t)->evicted, 2);
    CHECK_INT(r.ends, 5);
    CHECK_INT(r.last.id, 6);
    tcp_flush(t, now_us);
    CHECK_INT(r.ends, 6);
    LOG_IS(&r, "D0:1 D0:1 D0:1 E2 D0:1 E2 D0:1 D0:1 E1 E1 E1 D0:1 E3 ");
    CHECK_INT(tcp_stats(t)->streams, 6);
    cli_port = 40000;
    tcp_free(t);
    rec_free(&r);
}

/* 10 MB after a lost second segment: never more than LIMIT_TCP_BUFFER held (what one
 * packet's call delivers at once is what was buffered, plus that packet); then
 * 10 MB with one segment in ten lost: one gap per hole, every byte accounted. */
static void test_memory_bound(void)
{
    struct rec r;
    static char payload[1400];
    memset(payload, 'm', sizeof payload);
    uint8_t f[2048];
    size_t total = 10u << 20;
    for (unsigned every = 0; every < 2; every++) {
        struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
        r.keep = false;
        size_t most = 0, lost = 0;
        uint32_t seq = 1;
        for (size_t sent = 0, i = 0; sent < total; i++) {
            size_t k = total - sent < sizeof payload ? total - sent : sizeof payload;
            size_t n = frame(f, true, seq, 0, A, payload, k);
            if (every ? i % 10 == 3 : i == 1)
                lost++;
            else
                feed_cut(t, &r, f, n, n);
            if (r.call_bytes > most)
                most = r.call_bytes;
            seq += (uint32_t)k;
            sent += k;
        }
        r.call_bytes = 0;
        tcp_flush(t, now_us);
        if (r.call_bytes > most)
            most = r.call_bytes;
        const struct tcp_stats *st = tcp_stats(t);
        CHECK(most <= LIMIT_TCP_BUFFER + sizeof payload);
        if (!every)
            CHECK(most > LIMIT_TCP_BUFFER / 2);
        CHECK_INT(st->gaps, lost);
        CHECK_INT(st->bytes_skipped, lost * sizeof payload);
        CHECK_INT(r.n[0] + st->bytes_skipped, total);
        CHECK_INT(st->duplicate_bytes, 0);
        tcp_free(t);
        rec_free(&r);
    }

    /* All streams together: memory 8000 bytes, buffer per direction 1 MiB. */
    struct tcp *t = new_tcp(TCP_LINK_ETHERNET, &r);
    tcp_set_limits(t, 16, 1u << 20, 8000, LIMIT_TCP_IDLE_US);
    memset(payload, 'a', 1000);
    payload[1000] = 0;
    cli_port = 50000;
    seg(t, true, 1, 0, A, "s");
    for (uint32_t i = 0; i < 6; i++)
        seg(t, true, 1002 + 1000 * i, 0, A, payload); /* 6000 held behind 1000 lost */
    CHECK_INT(r.n[0], 1);
    cli_port = 50001;
    seg(t, true, 1, 0, A, "s");
    seg(t, true, 1002, 0, A, payload);
    seg(t, true, 2002, 0, A, payload); /* over 8000 in all: this stream gives up its hole */
    LOG_IS(&r, "D0:1 D0:1 G0:1000 D0:1000 D0:1000 ");
    tcp_flush(t, now_us);
    LOG_IS(&r, "D0:1 D0:1 G0:1000 D0:1000 D0:1000 G0:1000 D0:1000 D0:1000 D0:1000 D0:1000 "
               "D0:1000 D0:1000 E3 E3 ");
    cli_port = 40000;
    tcp_free(t);
    rec_free(&r);
}

/* ---- a real capture: a pcap file read by hand ---- */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_real_capture(void)
{
    FILE *fp = fopen("tests/data/pcap/curl_http.pcap", "rb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    static uint8_t file[65536];
    size_t size = fread(file, 1, sizeof file, fp);
    fclose(fp);
    CHECK(size > 24 && le32(file) == 0xa1b2c3d4); /* little-endian, µs */
    CHECK_INT(le32(file + 20), TCP_LINK_ETHERNET);
    struct rec r;
    struct tcp *t = new_tcp((int)le32(file + 20), &r);
    unsigned frames = 0;
    for (size_t off = 24; off + 16 <= size; frames++) {
        const uint8_t *h = file + off;
        size_t caplen = le32(h + 8), len = le32(h + 12);
        if (caplen > size - off - 16)
            break;
        uint8_t *copy = malloc(caplen ? caplen : 1);
        memcpy(copy, h + 16, caplen);
        tcp_packet(t, copy, caplen, len, (int64_t)le32(h) * 1000000 + le32(h + 4));
        free(copy);
        off += 16 + caplen;
    }
    CHECK_INT(frames, 12);
    const struct tcp_stats *st = tcp_stats(t);
    CHECK_INT(st->packets, 12);
    CHECK_INT(st->tcp_segments, 12);
    CHECK_INT(st->streams, 1);
    CHECK_INT(r.ends, 1); /* FIN both ways before the end of the file */
    LOG_IS(&r, "D0:86 D1:187 D1:680 E0 ");
    CHECK(r.n[0] >= 6 && memcmp(r.data[0], "GET /hello.txt HTTP/1.1\r\n", 25) == 0);
    CHECK(r.n[1] >= 12 && memcmp(r.data[1], "HTTP/1.0 200", 12) == 0);
    CHECK_INT(r.n[0], 86);
    CHECK_INT(r.n[1], 187 + 680);
    CHECK(r.n[1] >= 17 && memcmp(r.data[1] + 187, "hello from tempo\n", 17) == 0);
    CHECK(r.last.initiator_known);
    CHECK_INT(r.last.port[TCP_FROM_RESPONDER], 8731);
    CHECK_INT(st->gaps + st->duplicate_bytes + st->truncated + st->malformed, 0);
    tcp_flush(t, 0);
    tcp_free(t);
    rec_free(&r);
}

int main(void)
{
    test_in_order();
    test_out_of_order();
    test_duplicates();
    test_lost_then_fin();
    test_both_fin_closes();
    test_wraparound();
    test_links();
    test_ipv6_ext();
    test_ipv4_lies();
    test_rst();
    test_midstream();
    test_idle_and_evict();
    test_memory_bound();
    test_real_capture();
    return test_report();
}
