/*
 * tcp.h - captured packets to ordered byte streams (sources stage, issue 7).
 * tcp_packet() takes one captured frame of a link type (Ethernet, Linux
 * cooked v1/v2, raw IPv4/IPv6, BSD loopback), walks 802.1Q/QinQ tags, IPv4
 * (fragments counted and skipped) and IPv6 (extension headers walked), and
 * reassembles each TCP connection's two directions by sequence number:
 * out-of-order segments buffered up to LIMIT_TCP_BUFFER per direction,
 * retransmissions and overlaps de-duplicated, a hole that cannot be filled
 * reported as a gap. Consumers (the HTTP decoder) see, per direction, bytes
 * in order with the capture time of the segment that carried them.
 *
 * Memory is bounded whatever the capture: at most LIMIT_TCP_STREAMS open
 * streams (the least recently seen is evicted and counted), LIMIT_TCP_BUFFER
 * bytes buffered out of order per direction and LIMIT_TCP_MEMORY in all (past
 * either, the hole is given up as a gap and the buffered bytes delivered),
 * streams idle LIMIT_TCP_IDLE_US (capture time) ended. It knows nothing of
 * HTTP, SQLite or libpcap (which only source_pcap.c includes): link types are
 * the LINKTYPE_ numbers of pcap files (tcpdump.org/linktypes.html).
 */
#ifndef TEMPO_TCP_H
#define TEMPO_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum tcp_linktype {
    TCP_LINK_NULL = 0,        /* BSD loopback: 4-byte address family, host order */
    TCP_LINK_ETHERNET = 1,
    TCP_LINK_RAW = 101,       /* raw IPv4 or IPv6, told by the version nibble */
    TCP_LINK_LOOP = 108,      /* OpenBSD loopback: address family, network order */
    TCP_LINK_LINUX_SLL = 113, /* Linux cooked v1 (tcpdump -i any) */
    TCP_LINK_IPV4 = 228,
    TCP_LINK_IPV6 = 229,
    TCP_LINK_LINUX_SLL2 = 276,
};

/* Which side sent the bytes. The initiator is the side that sent the SYN;
 * a stream whose handshake was not captured calls the first sender of a
 * payload the initiator and says so (initiator_known false), and the
 * consumer may swap roles (an HTTP decoder sniffing a status line). */
enum tcp_dir { TCP_FROM_INITIATOR = 0, TCP_FROM_RESPONDER = 1 };

enum tcp_end_reason {
    TCP_END_CLOSED,  /* FIN both ways, or RST */
    TCP_END_IDLE,    /* nothing for LIMIT_TCP_IDLE_US of capture time */
    TCP_END_EVICTED, /* LIMIT_TCP_STREAMS reached: the least recently seen went */
    TCP_END_FLUSH,   /* end of capture */
};

struct tcp_stream {
    uint64_t id;             /* 1, 2, ... in order of first packet */
    bool v6;
    uint8_t addr[2][16];     /* [tcp_dir]: sender addresses (IPv4 in the first 4 bytes) */
    uint16_t port[2];
    bool initiator_known;    /* the SYN was seen */
    int64_t fin_us[2];       /* [tcp_dir]: capture time (µs UTC) of its FIN, 0 before */
    void *user;              /* the consumer's, per stream (NULL at first) */
};

struct tcp_callbacks {
    void *ctx;
    /* Bytes of direction `dir`, in sequence order, each once; ts_us is the
     * capture time (µs UTC) of the segment that carried the first of them. */
    void (*data)(void *ctx, struct tcp_stream *s, enum tcp_dir dir, const uint8_t *p, size_t n,
                 int64_t ts_us);
    /* Bytes of `dir` were lost (`missing` of them, 0 when unknown): what
     * comes next does not follow what came before. */
    void (*gap)(void *ctx, struct tcp_stream *s, enum tcp_dir dir, uint64_t missing,
                int64_t ts_us);
    /* The stream is over; s->user is the consumer's to free. Called once. */
    void (*end)(void *ctx, struct tcp_stream *s, enum tcp_end_reason why, int64_t ts_us);
};

/* Counts for the report's `sources` (issue 7: with reasons). */
struct tcp_stats {
    uint64_t packets;          /* frames given to tcp_packet() */
    uint64_t tcp_segments;     /* frames that were TCP */
    uint64_t not_ip;           /* frames of other protocols (ARP, ...) */
    uint64_t not_tcp;          /* IP packets of other protocols (UDP, ICMP, ...) */
    uint64_t fragments;        /* IPv4/IPv6 fragments: skipped */
    uint64_t truncated;        /* frames cut short by the capture's snap length */
    uint64_t malformed;        /* headers that lie about their lengths */
    uint64_t streams;          /* connections seen */
    uint64_t evicted;          /* streams ended by LIMIT_TCP_STREAMS */
    uint64_t idle;             /* streams ended by LIMIT_TCP_IDLE_US */
    uint64_t gaps;             /* holes reported */
    uint64_t bytes_skipped;    /* payload bytes never delivered: lost, beyond the buffer */
    uint64_t duplicate_bytes;  /* retransmitted or overlapping bytes dropped */
};

struct tcp;

/* A reassembler for frames of `linktype`; exit 2 (*e) for a link type it
 * does not read, naming it. */
struct tcp *tcp_new(int linktype, const struct tcp_callbacks *cb, struct err *e) WARN_UNUSED;
/* One frame: `caplen` bytes captured of `len` on the wire, at ts_us (µs UTC).
 * Never fails: what it cannot read is counted. */
void tcp_packet(struct tcp *t, const uint8_t *p, size_t caplen, size_t len, int64_t ts_us);
/* End every open stream (TCP_END_FLUSH), delivering what is in order. */
void tcp_flush(struct tcp *t, int64_t ts_us);
const struct tcp_stats *tcp_stats(const struct tcp *t);
/* Free everything (after tcp_flush: no stream is left). */
void tcp_free(struct tcp *t);

/* For tests: replace LIMIT_TCP_STREAMS, LIMIT_TCP_BUFFER, LIMIT_TCP_MEMORY and
 * LIMIT_TCP_IDLE_US for this reassembler; `streams` takes effect only while
 * no stream is open (call it before the first packet). */
void tcp_set_limits(struct tcp *t, unsigned streams, size_t buffer, size_t memory,
                    int64_t idle_us);

#endif
