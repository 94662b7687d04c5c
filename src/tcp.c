/*
 * tcp.c - captured frames to ordered TCP byte streams (sources stage, issue 7).
 * Link layers per tcpdump.org/linktypes.html, IPv4 (RFC 791: fragments counted
 * and skipped), IPv6 (RFC 8200 §4: extension headers walked), TCP (RFC 9293
 * §3.4: sequence numbers compared modulo 2^32). Each direction keeps its next
 * expected sequence number and a sorted list of future segments, trimmed so
 * that a byte is held once; the bounds past which a hole is given up are in
 * limits.h.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "limits.h"
#include "tcp.h"

/* A future segment, waiting for the hole before it. */
struct seg {
    struct seg *next;
    uint32_t seq, len;
    int64_t ts_us; /* µs UTC: capture time of the frame that carried it */
    uint8_t data[];
};
/* Memory a buffered segment costs: its header counts too, so that a flood of
 * one-byte segments is bounded like a few large ones. */
#define SEG_COST(n) (sizeof(struct seg) + (size_t)(n))

/* One direction of a connection. */
struct half {
    bool seen;         /* a segment came from this side: next is known */
    bool syn, fin;     /* its SYN, its FIN were seen */
    uint32_t isn;      /* the SYN's sequence number */
    uint32_t next;     /* next sequence number to deliver */
    uint32_t fin_seq;  /* sequence number of the FIN: the data ends before it */
    struct seg *ooo;   /* owned: future segments, sorted, disjoint, all after next */
    size_t buffered;   /* SEG_COST of ooo */
};

struct conn {
    struct tcp_stream s;         /* what the consumer sees: [dir] ordered */
    struct half h[2];            /* [tcp_dir] */
    int64_t last_us;             /* µs UTC: last packet */
    struct conn *hnext;          /* hash chain (or free list) */
    struct conn *newer, *older;  /* LRU list: t->newest ... t->oldest */
};

struct tcp {
    int linktype;
    struct tcp_callbacks cb;
    struct tcp_stats stats;
    unsigned max_streams;        /* LIMIT_TCP_STREAMS unless tcp_set_limits() */
    size_t max_buffer;           /* LIMIT_TCP_BUFFER ... */
    size_t max_memory;           /* LIMIT_TCP_MEMORY ... */
    int64_t idle_us;             /* LIMIT_TCP_IDLE_US ... */
    struct conn **bucket;        /* owned: n_bucket chains */
    size_t n_bucket;             /* a power of two >= max_streams */
    uint64_t seed;               /* hash seed: from an address, so chains differ per run */
    struct conn *newest, *oldest;
    struct conn *spare;          /* owned: ended conns for reuse, linked by hnext */
    unsigned n_open;
    size_t buffered;             /* SEG_COST of every open stream's segments */
    uint64_t next_id;
};

/* One TCP segment, its addresses and payload borrowed from the frame. */
struct segment {
    bool v6;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    const uint8_t *payload;  /* borrowed: the frame */
    uint32_t cap_len;        /* payload bytes captured */
    uint32_t full_len;       /* payload bytes on the wire (the IP header's say) */
    int64_t ts_us;
};

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_ACK = 0x10 };

/* The largest hole an ACK may reveal: a window never exceeds 2^30 (RFC 7323
 * §2.3), so an ACK further ahead is garbage, not progress. */
#define ACK_WINDOW (1u << 30)

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* a < b in sequence space (RFC 9293 §3.4). */
static bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

/* ---- streams: hash table, LRU list, callbacks ---- */

static uint64_t hash_endpoints(const struct tcp *t, const struct segment *g)
{
    /* Order the two endpoints so that both directions hash alike. */
    const uint8_t *a = g->src, *b = g->dst;
    uint16_t pa = g->sport, pb = g->dport;
    int c = memcmp(a, b, 16);
    if (c > 0 || (c == 0 && pa > pb)) {
        a = g->dst, b = g->src;
        pa = g->dport, pb = g->sport;
    }
    size_t n = g->v6 ? 16 : 4;
    uint64_t h = 0xcbf29ce484222325ull ^ t->seed; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ a[i]) * 0x100000001b3ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    h = (h ^ pa) * 0x100000001b3ull;
    h = (h ^ pb) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static bool same_way(const struct conn *c, int d, const struct segment *g)
{
    return c->s.port[d] == g->sport && c->s.port[!d] == g->dport &&
           memcmp(c->s.addr[d], g->src, 16) == 0 && memcmp(c->s.addr[!d], g->dst, 16) == 0;
}

static struct conn *lookup(struct tcp *t, const struct segment *g, size_t b, enum tcp_dir *dir)
{
    for (struct conn *c = t->bucket[b]; c; c = c->hnext) {
        if (c->s.v6 != g->v6)
            continue;
        if (same_way(c, TCP_FROM_INITIATOR, g)) {
            *dir = TCP_FROM_INITIATOR;
            return c;
        }
        if (same_way(c, TCP_FROM_RESPONDER, g)) {
            *dir = TCP_FROM_RESPONDER;
            return c;
        }
    }
    return NULL;
}

static void lru_unlink(struct tcp *t, struct conn *c)
{
    if (c->newer)
        c->newer->older = c->older;
    else
        t->newest = c->older;
    if (c->older)
        c->older->newer = c->newer;
    else
        t->oldest = c->newer;
    c->newer = c->older = NULL;
}

static void lru_push(struct tcp *t, struct conn *c)
{
    c->older = t->newest;
    c->newer = NULL;
    if (t->newest)
        t->newest->newer = c;
    t->newest = c;
    if (!t->oldest)
        t->oldest = c;
}

static void deliver(struct tcp *t, struct conn *c, int d, const uint8_t *p, size_t n, int64_t ts)
{
    if (n && t->cb.data)
        t->cb.data(t->cb.ctx, &c->s, (enum tcp_dir)d, p, n, ts);
}

static void report_gap(struct tcp *t, struct conn *c, int d, uint64_t missing, int64_t ts)
{
    t->stats.gaps++;
    t->stats.bytes_skipped += missing;
    if (t->cb.gap)
        t->cb.gap(t->cb.ctx, &c->s, (enum tcp_dir)d, missing, ts);
}

static void seg_release(struct tcp *t, struct half *h, struct seg *x)
{
    h->buffered -= SEG_COST(x->len);
    t->buffered -= SEG_COST(x->len);
    free(x);
}

/* Deliver the buffered segments that next has reached, trimming what it passed. */
static void pull(struct tcp *t, struct conn *c, int d)
{
    struct half *h = &c->h[d];
    while (h->ooo && !seq_lt(h->next, h->ooo->seq)) {
        struct seg *x = h->ooo;
        h->ooo = x->next;
        uint32_t passed = h->next - x->seq;
        if (passed < x->len) {
            t->stats.duplicate_bytes += passed;
            deliver(t, c, d, x->data + passed, x->len - passed, x->ts_us);
            h->next = x->seq + x->len;
        } else {
            t->stats.duplicate_bytes += x->len;
        }
        seg_release(t, h, x);
    }
}

/* Move next to `to` (after it), reporting the bytes between as lost. */
static void skip_to(struct tcp *t, struct conn *c, int d, uint32_t to, int64_t ts)
{
    struct half *h = &c->h[d];
    report_gap(t, c, d, (uint32_t)(to - h->next), ts);
    h->next = to;
    pull(t, c, d);
}

/* Give up every hole of direction d: deliver what is buffered, then report the
 * bytes missing before a FIN. */
static void drain(struct tcp *t, struct conn *c, int d, int64_t ts)
{
    struct half *h = &c->h[d];
    while (h->ooo)
        skip_to(t, c, d, h->ooo->seq, ts);
    if (h->fin && seq_lt(h->next, h->fin_seq))
        skip_to(t, c, d, h->fin_seq, ts);
}

static void end_conn(struct tcp *t, struct conn *c, enum tcp_end_reason why, int64_t ts)
{
    drain(t, c, TCP_FROM_INITIATOR, ts);
    drain(t, c, TCP_FROM_RESPONDER, ts);
    if (why == TCP_END_IDLE)
        t->stats.idle++;
    else if (why == TCP_END_EVICTED)
        t->stats.evicted++;
    if (t->cb.end)
        t->cb.end(t->cb.ctx, &c->s, why, ts);
    struct segment g = { .v6 = c->s.v6, .sport = c->s.port[0], .dport = c->s.port[1] };
    memcpy(g.src, c->s.addr[0], 16);
    memcpy(g.dst, c->s.addr[1], 16);
    struct conn **link = &t->bucket[hash_endpoints(t, &g) & (t->n_bucket - 1)];
    while (*link != c)
        link = &(*link)->hnext;
    *link = c->hnext;
    lru_unlink(t, c);
    c->hnext = t->spare;
    t->spare = c;
    t->n_open--;
}

/* A stream for g's 4-tuple; the initiator is the sender unless g is a SYN-ACK. */
static struct conn *new_conn(struct tcp *t, const struct segment *g, size_t b, enum tcp_dir *dir)
{
    if (t->n_open >= t->max_streams && t->oldest)
        end_conn(t, t->oldest, TCP_END_EVICTED, g->ts_us);
    struct conn *c = t->spare;
    if (c)
        t->spare = c->hnext;
    else
        c = xmalloc(sizeof *c);
    memset(c, 0, sizeof *c);
    bool syn_ack = (g->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
    *dir = syn_ack ? TCP_FROM_RESPONDER : TCP_FROM_INITIATOR;
    c->s.id = ++t->next_id;
    c->s.v6 = g->v6;
    memcpy(c->s.addr[*dir], g->src, 16);
    memcpy(c->s.addr[!*dir], g->dst, 16);
    c->s.port[*dir] = g->sport;
    c->s.port[!*dir] = g->dport;
    c->s.initiator_known = (g->flags & TH_SYN) != 0;
    c->hnext = t->bucket[b];
    t->bucket[b] = c;
    lru_push(t, c);
    t->n_open++;
    t->stats.streams++;
    return c;
}

static void idle_sweep(struct tcp *t, int64_t ts)
{
    /* Differences as unsigned: capture times are input and may be anything. */
    while (t->oldest && ts > t->oldest->last_us &&
           (uint64_t)ts - (uint64_t)t->oldest->last_us > (uint64_t)t->idle_us)
        end_conn(t, t->oldest, TCP_END_IDLE, ts);
}

/* ---- one direction: in order, buffered, or given up ---- */

/* Buffer [seq, seq+n) minus the bytes already buffered, which are counted as
 * duplicates. Returns what the new pieces cost; with apply false, only that. */
static size_t ooo_insert(struct tcp *t, struct half *h, uint32_t seq, const uint8_t *p,
                         uint32_t n, int64_t ts, bool apply)
{
    /* Offsets from next: every buffered segment lies in (0, 2^31 + 2^16). */
    uint32_t base = h->next, s0 = seq - base, s = s0, e = s0 + n;
    size_t cost = 0;
    uint64_t dup = 0;
    struct seg **link = &h->ooo;
    while (s < e) {
        struct seg *x = *link;
        uint32_t xs = x ? x->seq - base : UINT32_MAX;
        if (s < xs) {
            uint32_t k = (e < xs ? e : xs) - s;
            cost += SEG_COST(k);
            if (apply) {
                struct seg *y = xmalloc(SEG_COST(k));
                y->seq = base + s;
                y->len = k;
                y->ts_us = ts;
                memcpy(y->data, p + (s - s0), k);
                y->next = x;
                *link = y;
                link = &y->next;
            }
            s += k;
            continue;
        }
        uint32_t xe = xs + x->len;
        if (s < xe) {
            uint32_t k = (e < xe ? e : xe) - s;
            dup += k;
            s += k;
        }
        link = &x->next;
    }
    if (apply) {
        h->buffered += cost;
        t->buffered += cost;
        t->stats.duplicate_bytes += dup;
    }
    return cost;
}

/* Payload [seq, seq+full) of direction d, of which cap bytes were captured. */
static void half_data(struct tcp *t, struct conn *c, int d, uint32_t seq, const uint8_t *p,
                      uint32_t cap, uint32_t full, int64_t ts)
{
    struct half *h = &c->h[d];
    for (;;) {
        uint32_t ahead = seq - h->next;
        if ((int32_t)ahead <= 0) {
            uint32_t behind = h->next - seq;
            if (behind >= cap) {
                t->stats.duplicate_bytes += cap;
            } else {
                t->stats.duplicate_bytes += behind;
                deliver(t, c, d, p + behind, cap - behind, ts);
                h->next = seq + cap;
                pull(t, c, d);
            }
            /* Cut by the snap length: the rest was sent but not captured. */
            uint32_t end = seq + full;
            if (full > cap && seq_lt(h->next, end)) {
                if (h->ooo && seq_lt(h->ooo->seq, end))
                    end = h->ooo->seq;
                skip_to(t, c, d, end, ts);
            }
            return;
        }
        size_t cost = ooo_insert(t, h, seq, p, cap, ts, false);
        if (cost == 0 || (h->buffered + cost <= t->max_buffer &&
                          t->buffered + cost <= t->max_memory)) {
            ooo_insert(t, h, seq, p, cap, ts, true);
            return;
        }
        /* Past a bound: the first hole will not be waited for any longer. */
        if (h->ooo)
            skip_to(t, c, d, h->ooo->seq, ts);
        else
            skip_to(t, c, d, seq, ts);
    }
}

/* The other side acknowledged up to `ack` of direction d: bytes before it that
 * we never saw were lost by the capture, not the network, and will not come. */
static void ack_gap(struct tcp *t, struct conn *c, int d, uint32_t ack, int64_t ts)
{
    struct half *h = &c->h[d];
    if (!h->seen)
        return;
    if (h->fin && seq_lt(h->fin_seq, ack))
        ack = h->fin_seq; /* the FIN takes a sequence number, not a byte */
    if (!seq_lt(h->next, ack) || ack - h->next > ACK_WINDOW)
        return;
    while (seq_lt(h->next, ack)) {
        uint32_t to = ack;
        if (h->ooo && seq_lt(h->ooo->seq, ack))
            to = h->ooo->seq;
        skip_to(t, c, d, to, ts);
    }
}

static bool half_done(const struct half *h)
{
    return h->fin && !seq_lt(h->next, h->fin_seq);
}

static void on_segment(struct tcp *t, const struct segment *g)
{
    idle_sweep(t, g->ts_us);
    bool syn = g->flags & TH_SYN, ack = g->flags & TH_ACK;
    size_t b = hash_endpoints(t, g) & (t->n_bucket - 1);
    enum tcp_dir dir = TCP_FROM_INITIATOR;
    struct conn *c = lookup(t, g, b, &dir);
    if (c && syn && !ack) {
        /* A SYN on a known 4-tuple: a retransmission, the handshake of a
         * stream first seen by its SYN-ACK, or the port reused. */
        struct half *h = &c->h[dir];
        bool again = h->syn && h->isn == g->seq;
        bool adopt = dir == TCP_FROM_INITIATOR && !h->seen;
        if (!again && !adopt) {
            end_conn(t, c, TCP_END_CLOSED, g->ts_us);
            c = NULL;
        }
    }
    if (!c) {
        /* Only a SYN or a payload starts a stream: trailing ACKs, FINs and
         * RSTs of a stream that ended must not open another. */
        if ((!syn && g->cap_len == 0) || (g->flags & TH_RST))
            return;
        c = new_conn(t, g, b, &dir);
    } else {
        lru_unlink(t, c);
        lru_push(t, c);
    }
    c->last_us = g->ts_us;

    struct half *h = &c->h[dir];
    if (!h->seen) {
        h->seen = true;
        h->syn = syn;
        h->isn = g->seq;
        h->next = syn ? g->seq + 1 : g->seq;
        if (syn && dir == TCP_FROM_INITIATOR)
            c->s.initiator_known = true;
    }
    if (ack)
        ack_gap(t, c, !dir, g->ack, g->ts_us);
    uint32_t seq = g->seq + (syn ? 1 : 0);
    if (g->full_len)
        half_data(t, c, dir, seq, g->payload, g->cap_len, g->full_len, g->ts_us);
    if ((g->flags & TH_FIN) && !h->fin) {
        h->fin = true;
        h->fin_seq = seq + g->full_len;
        c->s.fin_us[dir] = g->ts_us;
    }
    if (g->flags & TH_RST)
        end_conn(t, c, TCP_END_CLOSED, g->ts_us);
    else if (half_done(&c->h[0]) && half_done(&c->h[1]))
        end_conn(t, c, TCP_END_CLOSED, g->ts_us);
}

/* ---- frames: link layer, IP, TCP header ---- */

/* Whether k bytes are there when `have` were captured of a `full`-byte unit;
 * if not, counts the frame as truncated (the snap length cut it) or malformed
 * (a header claims more than its own length). */
static bool need(struct tcp *t, size_t have, size_t full, size_t k)
{
    if (k <= have)
        return true;
    if (k > full)
        t->stats.malformed++;
    else
        t->stats.truncated++;
    return false;
}

/*
 * TCP header (RFC 9293 §3.1):
 *  0               2               4               8      12     13     14
 * +-------+-------+---------------+---------------+------+------+------+--
 * | sport | dport |      seq      |      ack      | off  |flags |window ...
 * +-------+-------+---------------+---------------+------+------+------+--
 */
static void tcp_seg(struct tcp *t, struct segment *g, const uint8_t *p, size_t have, size_t full)
{
    if (!need(t, have, full, 20))
        return;
    size_t off = (size_t)(p[12] >> 4) * 4;
    if (off < 20 || off > full) {
        t->stats.malformed++;
        return;
    }
    if (off > have) {
        t->stats.truncated++;
        return;
    }
    t->stats.tcp_segments++;
    g->sport = rd16(p);
    g->dport = rd16(p + 2);
    g->seq = rd32(p + 4);
    g->ack = rd32(p + 8);
    g->flags = p[13];
    g->payload = p + off;
    g->cap_len = (uint32_t)(have - off);
    g->full_len = (uint32_t)(full - off);
    if (g->cap_len < g->full_len)
        t->stats.truncated++;
    on_segment(t, g);
}

/* IPv4 (RFC 791 §3.1): `n` bytes captured from the version byte on. */
static void ipv4(struct tcp *t, struct segment *g, const uint8_t *p, size_t n, bool cut)
{
    if (n < 20) {
        if (cut)
            t->stats.truncated++;
        else
            t->stats.malformed++;
        return;
    }
    size_t hl = (size_t)(p[0] & 15) * 4, total = rd16(p + 2);
    if (total == 0 && !cut)
        total = n; /* TCP segmentation offload: the length is the NIC's to fill */
    if (p[0] >> 4 != 4 || hl < 20 || total < hl || (total > n && !cut)) {
        t->stats.malformed++;
        return;
    }
    size_t have = total < n ? total : n;
    if (!need(t, have, total, hl))
        return;
    if (rd16(p + 6) & 0x3fff) { /* more fragments, or an offset */
        t->stats.fragments++;
        return;
    }
    if (p[9] != 6) {
        t->stats.not_tcp++;
        return;
    }
    g->v6 = false;
    memset(g->src, 0, 16);
    memset(g->dst, 0, 16);
    memcpy(g->src, p + 12, 4);
    memcpy(g->dst, p + 16, 4);
    tcp_seg(t, g, p + hl, have - hl, total - hl);
}

/* IPv6 (RFC 8200): the fixed header, then extension headers up to TCP. */
static void ipv6(struct tcp *t, struct segment *g, const uint8_t *p, size_t n, bool cut)
{
    if (n < 40) {
        if (cut)
            t->stats.truncated++;
        else
            t->stats.malformed++;
        return;
    }
    size_t total = 40 + (size_t)rd16(p + 4);
    if (total == 40 && !cut)
        total = n; /* a jumbogram (RFC 2675) or segmentation offload */
    if (p[0] >> 4 != 6 || (total > n && !cut)) {
        t->stats.malformed++;
        return;
    }
    size_t have = total < n ? total : n, off = 40;
    unsigned nh = p[6];
    for (;;) {
        size_t hl;
        switch (nh) {
        case 6:
            g->v6 = true;
            memcpy(g->src, p + 8, 16);
            memcpy(g->dst, p + 24, 16);
            tcp_seg(t, g, p + off, have - off, total - off);
            return;
        case 0:  /* hop-by-hop options */
        case 43: /* routing */
        case 60: /* destination options */
        case 51: /* authentication header (RFC 4302): length in 4-byte units */
            if (!need(t, have, total, off + 8))
                return;
            hl = nh == 51 ? ((size_t)p[off + 1] + 2) * 4 : ((size_t)p[off + 1] + 1) * 8;
            break;
        case 44: /* fragment: an atomic one (RFC 6946) is no fragment */
            if (!need(t, have, total, off + 8))
                return;
            if (rd16(p + off + 2) & 0xfff9) {
                t->stats.fragments++;
                return;
            }
            hl = 8;
            break;
        default:
            t->stats.not_tcp++;
            return;
        }
        if (!need(t, have, total, off + hl))
            return;
        nh = p[off];
        off += hl;
    }
}

static void ip_by_version(struct tcp *t, struct segment *g, const uint8_t *p, size_t n, bool cut)
{
    if (n < 1) {
        if (cut)
            t->stats.truncated++;
        else
            t->stats.malformed++;
        return;
    }
    if (p[0] >> 4 == 4)
        ipv4(t, g, p, n, cut);
    else if (p[0] >> 4 == 6)
        ipv6(t, g, p, n, cut);
    else
        t->stats.not_ip++;
}

/* An EtherType and what follows it, 802.1Q (0x8100) and QinQ (0x88a8, 0x9100)
 * tags walked: each is 2 bytes of tag control, then the next EtherType. */
static void ether_type(struct tcp *t, struct segment *g, unsigned type, const uint8_t *p,
                       size_t n, bool cut)
{
    while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
        if (!need(t, n, cut ? SIZE_MAX : n, 4))
            return;
        type = rd16(p + 2);
        p += 4;
        n -= 4;
    }
    if (type == 0x0800)
        ipv4(t, g, p, n, cut);
    else if (type == 0x86dd)
        ipv6(t, g, p, n, cut);
    else
        t->stats.not_ip++;
}

void tcp_packet(struct tcp *t, const uint8_t *p, size_t caplen, size_t len, int64_t ts_us)
{
    t->stats.packets++;
    bool cut = caplen < len;
    size_t whole = cut ? SIZE_MAX : caplen; /* what a header may claim */
    struct segment g = { .ts_us = ts_us };
    switch (t->linktype) {
    case TCP_LINK_ETHERNET: /* dst 6, src 6, type 2 */
        if (need(t, caplen, whole, 14))
            ether_type(t, &g, rd16(p + 12), p + 14, caplen - 14, cut);
        break;
    case TCP_LINK_LINUX_SLL: /* packet type 2, ARPHRD 2, addr len 2, addr 8, protocol 2 */
        if (need(t, caplen, whole, 16))
            ether_type(t, &g, rd16(p + 14), p + 16, caplen - 16, cut);
        break;
    case TCP_LINK_LINUX_SLL2: /* protocol 2, reserved 2, ifindex 4, ..., addr 8 */
        if (need(t, caplen, whole, 20))
            ether_type(t, &g, rd16(p), p + 20, caplen - 20, cut);
        break;
    case TCP_LINK_NULL:
    case TCP_LINK_LOOP: /* address family in 4 bytes, the capturing host's order or network */
        if (need(t, caplen, whole, 4)) {
            uint32_t be = rd32(p);
            uint32_t le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
            if (be == 2 || le == 2)
                ipv4(t, &g, p + 4, caplen - 4, cut);
            else if (be == 24 || be == 28 || be == 30 || le == 24 || le == 28 || le == 30)
                ipv6(t, &g, p + 4, caplen - 4, cut);
            else
                t->stats.not_ip++;
        }
        break;
    default: /* TCP_LINK_RAW, TCP_LINK_IPV4, TCP_LINK_IPV6 */
        ip_by_version(t, &g, p, caplen, cut);
        break;
    }
}

/* ---- life cycle ---- */

static void set_buckets(struct tcp *t, unsigned streams)
{
    size_t n = 16;
    while (n < streams)
        n *= 2;
    free(t->bucket);
    t->bucket = xcalloc(n, sizeof *t->bucket);
    t->n_bucket = n;
    t->max_streams = streams;
}

struct tcp *tcp_new(int linktype, const struct tcp_callbacks *cb, struct err *e)
{
    switch (linktype) {
    case TCP_LINK_NULL:
    case TCP_LINK_ETHERNET:
    case TCP_LINK_RAW:
    case TCP_LINK_LOOP:
    case TCP_LINK_LINUX_SLL:
    case TCP_LINK_IPV4:
    case TCP_LINK_IPV6:
    case TCP_LINK_LINUX_SLL2:
        break;
    default:
        err_at(e, EXIT_USAGE, NULL, 0, 0,
               "link type %d is not read (expected Ethernet, Linux cooked, raw IP or BSD "
               "loopback)",
               linktype);
        return NULL;
    }
    struct tcp *t = xcalloc(1, sizeof *t);
    t->linktype = linktype;
    t->cb = *cb;
    t->max_buffer = LIMIT_TCP_BUFFER;
    t->max_memory = LIMIT_TCP_MEMORY;
    t->idle_us = LIMIT_TCP_IDLE_US;
    t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;
    set_buckets(t, LIMIT_TCP_STREAMS);
    return t;
}

void tcp_set_limits(struct tcp *t, unsigned streams, size_t buffer, size_t memory, int64_t idle_us)
{
    if (t->n_open == 0)
        set_buckets(t, streams ? streams : 1);
    t->max_buffer = buffer;
    t->max_memory = memory;
    t->idle_us = idle_us;
}

void tcp_flush(struct tcp *t, int64_t ts_us)
{
    while (t->oldest)
        end_conn(t, t->oldest, TCP_END_FLUSH, ts_us);
}

const struct tcp_stats *tcp_stats(const struct tcp *t)
{
    return &t->stats;
}

void tcp_free(struct tcp *t)
{
    if (!t)
        return;
    while (t->oldest) { /* not flushed: free without telling the consumer */
        struct conn *c = t->oldest;
        lru_unlink(t, c);
        for (int d = 0; d < 2; d++)
            while (c->h[d].ooo) {
                struct seg *x = c->h[d].ooo;
                c->h[d].ooo = x->next;
                seg_release(t, &c->h[d], x);
            }
        free(c);
    }
    while (t->spare) {
        struct conn *c = t->spare;
        t->spare = c->hnext;
        free(c);
    }
    free(t->bucket);
    free(t);
}
