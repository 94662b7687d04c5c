/*
 * gen_pcap.c - the capture generator (bench tooling, not a pipeline stage,
 * issues 7 and 8): writes a classic pcap (Ethernet, IPv4, TCP, µs timestamps)
 * of HTTP/1.1 traffic to one inference server, 10.0.0.1:8080 (a port tshark
 * dissects as HTTP by default): keep-alive connections with real handshakes,
 * exact sequence and acknowledgement numbers, segments of at most 1448 bytes,
 * the peer's ACKs and a FIN at the end, frames in time order. The traffic is
 * the call sites of rules/default.rules (chat completions, plain and streamed
 * as Server-Sent Events, reads of stored completions seconds to hours later,
 * embeddings, TorchServe, KServe) plus noise, and --truth writes what a
 * reader must count. --half-open N and --one-body BYTES write the captures of
 * the memory limits. Deterministic: its own PRNG (xoshiro256**), no rand(),
 * no time zone, no locale.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

#define US_PER_MS INT64_C(1000)
#define US_PER_SEC INT64_C(1000000)
#define US_PER_MIN (60 * US_PER_SEC)
#define US_PER_HOUR (60 * US_PER_MIN)

#define SNAPLEN 262144u      /* the pcap header's snaplen */
#define MSS 1448u            /* payload bytes in one segment at most */
#define REC_LEN 16u          /* pcap record header */
#define ETH_LEN 14u
#define IP_LEN 20u
#define TCP_LEN 20u
#define SYN_OPT_LEN 4u       /* MSS option on SYN and SYN-ACK */
#define MAX_FRAME (REC_LEN + ETH_LEN + IP_LEN + TCP_LEN + SYN_OPT_LEN + MSS)
#define OUT_BLOCK (1u << 20) /* bytes buffered before each fwrite */

#define SERVER_IP 0x0a000001u /* 10.0.0.1 */
#define SERVER_PORT 8080u
#define N_CLIENT_HOSTS 1000u  /* 10.1.x.y, each with its own run of ports */
#define PORT_LO 32768u
#define PORT_HI 60999u

/* The workload's pace: a new connection every ARRIVAL_MEAN_US on average, each
 * carrying about EXCHANGES_MEAN exchanges: about 12 exchanges a second, so a
 * 1 GB capture covers some six hours and the reads hours later land in it. */
#define ARRIVAL_MEAN_US (500 * US_PER_MS)
#define EXCHANGES_MEAN 6.0
#define EXCHANGES_MAX 50u

#define HALF_OPEN_GAP_US 20          /* between two half-open connections' SYNs */
#define HALF_OPEN_PROMISE 100000u    /* the Content-Length they never finish */
#define ONE_BODY_GAP_US 20           /* between two segments of the one big body */
#define ONE_BODY_BATCH 16            /* its segments queued at once (acked every second) */

/* ---- growable text: HTTP messages are built here, then cut into segments ---- */

struct txt {
    char *p;
    size_t n, cap;
};

static void txt_room(struct txt *t, size_t more)
{
    if (t->n + more <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->n + more)
        cap *= 2;
    t->p = gen_realloc(t->p, cap);
    t->cap = cap;
}

static void tput(struct txt *t, const char *s, size_t n)
{
    txt_room(t, n);
    memcpy(t->p + t->n, s, n);
    t->n += n;
}

static void tstr(struct txt *t, const char *s)
{
    tput(t, s, strlen(s));
}

static void tchar(struct txt *t, char c)
{
    txt_room(t, 1);
    t->p[t->n++] = c;
}

static void tu64(struct txt *t, uint64_t v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k)
        tchar(t, tmp[--k]);
}

static void thex(struct txt *t, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[16];
    int k = 0;
    do {
        tmp[k++] = hex[v & 15];
        v >>= 4;
    } while (v);
    while (k)
        tchar(t, tmp[--k]);
}

/* A number in [-1, 1) with four decimals: "-0.0123". */
static void tunit4(struct txt *t, struct rng *r)
{
    int64_t v = rng_range(r, -9999, 9999);
    if (v < 0) {
        tchar(t, '-');
        v = -v;
    }
    tstr(t, "0.");
    tchar(t, (char)('0' + v / 1000));
    tchar(t, (char)('0' + v / 100 % 10));
    tchar(t, (char)('0' + v / 10 % 10));
    tchar(t, (char)('0' + v % 10));
}

/* `n` characters of base 62 from v (n <= 10: 62^10 < 2^64, every digit random). */
static void tb62(struct txt *t, uint64_t v, int n)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < n; i++) {
        tchar(t, b62[v % 62]);
        v /= 62;
    }
}

static const char *const words[] = {
    "the",     "model",   "returns", "a",       "summary", "of",     "each",    "ticket",
    "and",     "score",   "for",     "account", "churn",   "risk",   "with",    "latency",
    "under",   "budget",  "batch",   "jobs",    "can",     "wait",   "while",   "users",
    "read",    "results", "later",   "in",      "the",     "day",    "report",  "shows",
    "how",     "long",    "every",   "result",  "waited",  "before", "anyone",  "looked",
    "cache",   "token",   "prompt",  "reply",   "context", "answer", "request", "stream",
};
#define N_WORDS (sizeof words / sizeof words[0])

/* `n` words separated by spaces (JSON-safe: no quote, no backslash). */
static void twords(struct txt *t, struct rng *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (i)
            tchar(t, ' ');
        tstr(t, words[rng_range(r, 0, N_WORDS - 1)]);
    }
}

/* ---- pcap output: one buffer, frames written into it in place ---- */

struct out {
    FILE *f;
    const char *path;
    uint8_t *buf; /* OUT_BLOCK bytes */
    size_t len;
    uint64_t bytes, packets;
    int64_t last_us; /* a frame earlier than the one before is a bug of ours */
};

static void out_flush(struct out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
        fprintf(stderr, "gen-pcap: %s: write error\n", o->path);
        exit(3);
    }
    o->len = 0;
}

static uint8_t *out_room(struct out *o, size_t n)
{
    if (o->len + n > OUT_BLOCK)
        out_flush(o);
    uint8_t *p = o->buf + o->len;
    o->len += n;
    o->bytes += n;
    return p;
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The classic pcap file header: magic, 2.4, snaplen, LINKTYPE_ETHERNET. */
static void out_header(struct out *o)
{
    uint8_t *p = out_room(o, 24);
    le32(p, 0xa1b2c3d4u);
    p[4] = 2, p[5] = 0, p[6] = 4, p[7] = 0;
    le32(p + 8, 0);
    le32(p + 12, 0);
    le32(p + 16, SNAPLEN);
    le32(p + 20, 1);
}

/* Internet checksum (RFC 1071) over n bytes, added to sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (; n > 1; p += 2, n -= 2)
        sum += (uint32_t)p[0] << 8 | p[1];
    if (n)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static unsigned csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return ~sum & 0xffff;
}

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10 };

/* One TCP segment between a client and the server, as a frame. */
struct pkt {
    int64_t t_us;
    uint32_t cip;
    uint16_t cport;
    bool from_server;
    uint8_t flags;
    uint32_t seq, ack;
    const uint8_t *data;
    uint32_t len;
};

static void mac_of(uint8_t *m, uint32_t ip)
{
    m[0] = 0x02, m[1] = 0x00;
    be32(m + 2, ip);
}

static void out_frame(struct out *o, const struct pkt *k)
{
    if (k->t_us < o->last_us) {
        fprintf(stderr, "gen-pcap: internal error: frames out of time order\n");
        exit(3);
    }
    o->last_us = k->t_us;
    unsigned opt = (k->flags & TH_SYN) ? SYN_OPT_LEN : 0;
    unsigned tcp_len = TCP_LEN + opt;
    unsigned frame = ETH_LEN + IP_LEN + tcp_len + k->len;
    uint8_t *p = out_room(o, REC_LEN + frame);
    le32(p, (uint32_t)(k->t_us / US_PER_SEC));
    le32(p + 4, (uint32_t)(k->t_us % US_PER_SEC));
    le32(p + 8, frame);
    le32(p + 12, frame);
    uint8_t *eth = p + REC_LEN;
    uint32_t src = k->from_server ? SERVER_IP : k->cip, dst = k->from_server ? k->cip : SERVER_IP;
    mac_of(eth, dst);
    mac_of(eth + 6, src);
    be16(eth + 12, 0x0800);
    uint8_t *ip = eth + ETH_LEN;
    ip[0] = 0x45, ip[1] = 0;
    be16(ip + 2, IP_LEN + tcp_len + k->len);
    be16(ip + 4, (unsigned)(o->packets & 0xffff));
    be16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64, ip[9] = 6;
    be16(ip + 10, 0);
    be32(ip + 12, src);
    be32(ip + 16, dst);
    be16(ip + 10, csum_fold(csum_add(0, ip, IP_LEN)));
    uint8_t *tcp = ip + IP_LEN;
    be16(tcp, k->from_server ? SERVER_PORT : k->cport);
    be16(tcp + 2, k->from_server ? k->cport : SERVER_PORT);
    be32(tcp + 4, k->seq);
    be32(tcp + 8, k->ack);
    tcp[12] = (uint8_t)((tcp_len / 4) << 4);
    tcp[13] = k->flags;
    be16(tcp + 14, 65535);
    be16(tcp + 16, 0);
    be16(tcp + 18, 0);
    if (opt) {
        tcp[20] = 2, tcp[21] = 4;
        be16(tcp + 22, MSS + 12); /* 1460 */
    }
    if (k->len)
        memcpy(tcp + tcp_len, k->data, k->len);
    uint8_t pseudo[12];
    be32(pseudo, src);
    be32(pseudo + 4, dst);
    pseudo[8] = 0, pseudo[9] = 6;
    be16(pseudo + 10, tcp_len + k->len);
    be16(tcp + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), tcp, tcp_len + k->len)));
    o->packets++;
}

/* ---- the event queue: frames and connection steps, in time order ---- */

enum ev_kind { EV_PACKET, EV_NEXT, EV_ARRIVAL };

struct ev {
    int64_t t_us;
    uint64_t order; /* creation order: breaks ties of t_us */
    uint8_t kind;
    uint32_t conn;  /* EV_NEXT: index into gen.conns */
    struct pkt k;   /* EV_PACKET: k.data owned (malloc) */
};

static bool ev_less(const void *pa, const void *pb)
{
    const struct ev *a = pa, *b = pb;
    return a->t_us != b->t_us ? a->t_us < b->t_us : a->order < b->order;
}

/* A read of a chat result waiting for its time. */
struct read_item {
    int64_t due_us;
    int64_t ready_us; /* the call's response end: a first read's wait starts there */
    uint64_t serial; /* the call's chat serial: its id */
    uint8_t model;
    bool is_first;   /* the result's first read */
};

static bool read_less(const void *pa, const void *pb)
{
    const struct read_item *a = pa, *b = pb;
    return a->due_us != b->due_us ? a->due_us < b->due_us : a->serial < b->serial;
}

/* ---- the workload ---- */

enum xkind {
    X_CHAT,        /* POST /v1/chat/completions, JSON answer with Content-Length */
    X_STREAM,      /* the same with "stream":true: SSE, chunked, spread over time */
    X_EMBED,       /* POST /v1/embeddings */
    X_TORCH,       /* POST /predictions/<model> (TorchServe) */
    X_KSERVE,      /* POST /v2/models/<m>/infer (KServe v2) */
    X_HEALTH,      /* GET /health 200 */
    X_NOT_FOUND,   /* GET of an unknown path: 404 */
    X_STRAY,       /* GET /v1/chat/completions/<an id no call made>: 404 */
    N_DRAWN,       /* kinds above are drawn by weight; X_READ comes from the queue */
    X_READ = N_DRAWN,
};
static const unsigned kind_weights[N_DRAWN] = {
    [X_CHAT] = 34, [X_STREAM] = 20, [X_EMBED] = 12, [X_TORCH] = 9,
    [X_KSERVE] = 9, [X_HEALTH] = 10, [X_NOT_FOUND] = 3, [X_STRAY] = 3,
};

static const char *const chat_models[] = { "m-1", "m-2", "m-3", "m-4" };
static const unsigned chat_model_weights[] = { 45, 30, 15, 10 };
#define N_CHAT_MODELS 4u
static const char *const embed_models[] = { "text-embedding-3-small", "bge-m3" };
static const char *const torch_models[] = { "resnet-18", "bert-sentiment", "densenet161" };
static const char *const kserve_models[] = { "iris", "fraud-xgb", "income-sklearn" };
static const char *const user_agents[] = {
    "OpenAI/Python 1.54.3", "OpenAI/JS 4.67.1", "langchain-openai/0.2.3 python-httpx/0.27.2",
    "python-requests/2.32.3", "Go-http-client/1.1",
};
#define N_UA (sizeof user_agents / sizeof user_agents[0])

struct conn {
    uint32_t cip;
    uint16_t cport;
    uint32_t cseq, sseq;   /* next sequence number of the client, of the server */
    int64_t rtt_us;        /* the client's ACKs come this long after the server's data */
    unsigned left;         /* exchanges still to make */
    unsigned unacked[2];   /* [from_server]: segments not yet acknowledged */
    uint8_t ua;
    uint32_t next_free;
};

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

struct truth {
    uint64_t connections, requests, responses;
    uint64_t chat_calls, stream_calls, chat_reads, read_requests, stray_reads;
    uint64_t embed_calls, torch_calls, kserve_calls, health, not_found;
    uint64_t chat_by_model[N_CHAT_MODELS];
    uint64_t reads_by_model[N_CHAT_MODELS];
    struct vec waits[N_CHAT_MODELS]; /* µs: first read's first byte minus ready */
    uint64_t reads_dropped;   /* planned reads the capture ended before */
    int64_t first_us, last_us;
};

struct options {
    uint64_t seed;
    uint64_t size;      /* traffic: stop at the next connection end past this */
    uint64_t half_open; /* --half-open N */
    uint64_t partial;   /* --partial BYTES: what each half-open request sends (0: ~700) */
    uint64_t one_body;  /* --one-body BYTES */
    const char *out_path, *truth_path;
};

struct gen {
    const struct options *o;
    struct rng rng;
    struct out out;
    struct gen_heap q;     /* struct ev, by time */
    struct gen_heap reads; /* struct read_item, by due time */
    uint64_t order;
    struct conn *conns;
    uint32_t n_conns, cap_conns, free_conn; /* free_conn: UINT32_MAX when none */
    uint16_t next_port[N_CLIENT_HOSTS];
    uint64_t chat_serial, kserve_serial, stray_serial;
    bool stopping;
    struct txt body, msg; /* the message being built, and its body */
    struct truth t;
    int64_t date_sec;
    char date[40]; /* "Mon, 02 Nov 2026 08:00:00 GMT" of date_sec */
};

/* Capture start: Monday 2026-11-02 08:00:00 UTC. */
static int64_t start_us(void)
{
    return (days_from_civil(2026, 11, 2) * 86400 + 8 * 3600) * US_PER_SEC;
}

static void push_packet(struct gen *g, int64_t t, const struct conn *c, bool from_server,
                        uint8_t flags, uint32_t seq, uint32_t ack, const char *data, size_t len)
{
    struct ev e = { .t_us = t, .order = g->order++, .kind = EV_PACKET };
    e.k = (struct pkt){ .t_us = t, .cip = c->cip, .cport = c->cport,
                        .from_server = from_server, .flags = flags, .seq = seq, .ack = ack,
                        .len = (uint32_t)len };
    if (len) {
        uint8_t *copy = gen_realloc(NULL, len);
        memcpy(copy, data, len);
        e.k.data = copy;
    }
    gen_heap_push(&g->q, &e);
}

static void push_step(struct gen *g, int64_t t, enum ev_kind kind, uint32_t conn)
{
    struct ev e = { .t_us = t, .order = g->order++, .kind = (uint8_t)kind, .conn = conn };
    gen_heap_push(&g->q, &e);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* Queue `len` bytes from one side as segments of at most MSS bytes, the first
 * at t and each next `gap_us` later; the peer acknowledges every second segment
 * and a message's last one (the server at once, the client a round trip later).
 * Returns the time of the last segment; *t_end is raised to the last packet's. */
static int64_t send_msg(struct gen *g, struct conn *c, bool from_server, int64_t t,
                        const char *data, size_t len, int64_t gap_us, int64_t *t_end)
{
    uint32_t *mine = from_server ? &c->sseq : &c->cseq;
    uint32_t *theirs = from_server ? &c->cseq : &c->sseq;
    for (size_t off = 0; off < len;) {
        size_t k = len - off < MSS ? len - off : MSS;
        bool last = off + k == len;
        push_packet(g, t, c, from_server, TH_ACK | (last ? TH_PSH : 0), *mine, *theirs,
                    data + off, k);
        *mine += (uint32_t)k;
        off += k;
        unsigned *u = &c->unacked[from_server];
        if (++*u >= 2 || last) {
            int64_t d = from_server ? c->rtt_us : rng_range(&g->rng, 15, 60);
            push_packet(g, t + d, c, !from_server, TH_ACK, *theirs, *mine, NULL, 0);
            *u = 0;
            *t_end = max64(*t_end, t + d);
        }
        if (!last)
            t += gap_us;
    }
    *t_end = max64(*t_end, t);
    return t;
}

/* The Date header's text for time t, cached per second. */
static const char *http_date(struct gen *g, int64_t t)
{
    static const char days[] = "ThuFriSatSunMonTueWed"; /* 1970-01-01 was a Thursday */
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int64_t sec = t / US_PER_SEC;
    if (sec != g->date_sec) {
        int64_t y, d_all = sec / 86400, rem = sec % 86400;
        unsigned m, d;
        civil_from_days(d_all, &y, &m, &d);
        snprintf(g->date, sizeof g->date, "%.3s, %02u %.3s %04d %02d:%02d:%02d GMT",
                 days + 3 * (d_all % 7), d, months + 3 * (m - 1), (int)y, (int)(rem / 3600),
                 (int)(rem / 60 % 60), (int)(rem % 60));
        g->date_sec = sec;
    }
    return g->date;
}

static void put_chat_id(struct txt *t, uint64_t seed, uint64_t serial, uint64_t salt)
{
    tstr(t, "chatcmpl-");
    tb62(t, mix3(seed, serial, salt), 10);
    tb62(t, mix3(seed, serial, salt + 1), 10);
    tb62(t, mix3(seed, serial, salt + 2), 4);
}

/* A request into g->msg: start line, headers (Content-Length when g->body is
 * not empty), blank line, then g->body. */
static void request_msg(struct gen *g, const struct conn *c, const char *method, const char *path,
                        const char *accept)
{
    struct txt *m = &g->msg;
    m->n = 0;
    tstr(m, method);
    tchar(m, ' ');
    tstr(m, path);
    tstr(m, " HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: ");
    tstr(m, user_agents[c->ua]);
    tstr(m, "\r\nAccept: ");
    tstr(m, accept);
    tstr(m, "\r\n");
    if (g->body.n) {
        tstr(m, "Content-Type: application/json\r\nContent-Length: ");
        tu64(m, g->body.n);
        tstr(m, "\r\n");
    }
    tstr(m, "\r\n");
    tput(m, g->body.p, g->body.n);
}

/* Response with a Content-Length body (g->body), into g->msg. */
static void response_msg(struct gen *g, int64_t t, unsigned status, const char *reason)
{
    struct txt *m = &g->msg;
    m->n = 0;
    tstr(m, "HTTP/1.1 ");
    tu64(m, status);
    tchar(m, ' ');
    tstr(m, reason);
    tstr(m, "\r\nDate: ");
    tstr(m, http_date(g, t));
    tstr(m, "\r\nServer: uvicorn\r\nContent-Type: application/json\r\nContent-Length: ");
    tu64(m, g->body.n);
    tstr(m, "\r\nx-request-id: req_");
    tb62(m, rng_next(&g->rng), 10);
    tstr(m, "\r\n\r\n");
    tput(m, g->body.p, g->body.n);
}

/* The JSON of a chat completion into g->body. */
static void completion_body(struct gen *g, uint64_t serial, unsigned model, int64_t t,
                            unsigned words_out, unsigned prompt_tokens)
{
    struct txt *b = &g->body;
    struct rng *r = &g->rng;
    b->n = 0;
    tstr(b, "{\"id\":\"");
    put_chat_id(b, g->o->seed, serial, 1);
    tstr(b, "\",\"object\":\"chat.completion\",\"created\":");
    tu64(b, (uint64_t)(t / US_PER_SEC));
    tstr(b, ",\"model\":\"");
    tstr(b, chat_models[model]);
    tstr(b, "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"");
    twords(b, r, words_out);
    tstr(b, "\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":");
    tu64(b, prompt_tokens);
    unsigned completion = words_out * 4 / 3 + 1;
    tstr(b, ",\"completion_tokens\":");
    tu64(b, completion);
    tstr(b, ",\"total_tokens\":");
    tu64(b, prompt_tokens + completion);
    tstr(b, "},\"system_fingerprint\":\"fp_");
    thex(b, mix3(g->o->seed, model, 9) & 0xffffffffffu);
    tstr(b, "\"}");
}

/* A chat request body into g->body; returns its prompt tokens. */
static unsigned chat_request_body(struct gen *g, unsigned model, bool stream)
{
    struct txt *b = &g->body;
    struct rng *r = &g->rng;
    unsigned n = (unsigned)(rng_chance(r, 0.8) ? rng_range(r, 20, 120) : rng_range(r, 200, 700));
    b->n = 0;
    tstr(b, "{\"model\":\"");
    tstr(b, chat_models[model]);
    tstr(b, "\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
            "{\"role\":\"user\",\"content\":\"");
    twords(b, r, n);
    tstr(b, "\"}],\"temperature\":0.7,\"max_tokens\":1024");
    if (stream)
        tstr(b, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    tchar(b, '}');
    return n * 4 / 3 + 12;
}

/* Plan the reads of a chat result ready at `ready`. */
static void plan_reads(struct gen *g, uint64_t serial, unsigned model, int64_t ready, bool stream)
{
    struct rng *r = &g->rng;
    if (!rng_chance(r, stream ? 0.30 : 0.45))
        return;
    int64_t delay;
    double u = rng_unit(r);
    if (u < 0.40)
        delay = rng_log(r, 2 * US_PER_SEC, US_PER_MIN);
    else if (u < 0.75)
        delay = rng_log(r, US_PER_MIN, 30 * US_PER_MIN);
    else
        delay = rng_log(r, 30 * US_PER_MIN, 4 * US_PER_HOUR);
    struct read_item it = { .due_us = ready + delay, .ready_us = ready, .serial = serial,
                            .model = (uint8_t)model, .is_first = true };
    gen_heap_push(&g->reads, &it);
    if (rng_chance(r, 0.2)) {
        it.due_us += rng_log(r, 10 * US_PER_SEC, 2 * US_PER_HOUR);
        it.is_first = false;
        gen_heap_push(&g->reads, &it);
    }
}

/* One SSE event as one HTTP chunk into g->msg. */
static void sse_chunk(struct gen *g, const struct txt *event)
{
    struct txt *m = &g->msg;
    m->n = 0;
    thex(m, event->n);
    tstr(m, "\r\n");
    tput(m, event->p, event->n);
    tstr(m, "\r\n");
}

/* The head of a chunk event: `data: {"id":...,"choices":` into g->body. */
static void sse_event_head(struct gen *g, uint64_t serial, unsigned model, int64_t created)
{
    struct txt *b = &g->body;
    b->n = 0;
    tstr(b, "data: {\"id\":\"");
    put_chat_id(b, g->o->seed, serial, 1);
    tstr(b, "\",\"object\":\"chat.completion.chunk\",\"created\":");
    tu64(b, (uint64_t)(created / US_PER_SEC));
    tstr(b, ",\"model\":\"");
    tstr(b, chat_models[model]);
    tstr(b, "\",\"system_fingerprint\":\"fp_");
    thex(b, mix3(g->o->seed, model, 9) & 0xffffffffffu);
    tstr(b, "\",\"choices\":");
}

/* The streamed answer of chat call `serial`, its head at t: one chunk per
 * event, 15-80 ms apart. Returns the time of its last byte. */
static int64_t stream_response(struct gen *g, struct conn *c, int64_t t, uint64_t serial,
                               unsigned model, unsigned prompt_tokens, int64_t *t_end)
{
    struct rng *r = &g->rng;
    struct txt *m = &g->msg, *b = &g->body;
    int64_t created = t;
    m->n = 0;
    tstr(m, "HTTP/1.1 200 OK\r\nDate: ");
    tstr(m, http_date(g, t));
    tstr(m, "\r\nServer: uvicorn\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
            "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\nCache-Control: no-cache\r\n"
            "x-request-id: req_");
    tb62(m, rng_next(r), 10);
    tstr(m, "\r\n\r\n");
    int64_t last = send_msg(g, c, true, t, m->p, m->n, 12, t_end);
    unsigned n_content = (unsigned)rng_range(r, 5, 60), out_words = 0;
    for (unsigned i = 0; i < n_content + 4; i++) {
        t += rng_range(r, 15, 80) * US_PER_MS;
        if (i < n_content + 3) {
            sse_event_head(g, serial, model, created);
            if (i == 0) {
                tstr(b, "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                        "\"logprobs\":null,\"finish_reason\":null}]}\n\n");
            } else if (i <= n_content) {
                unsigned w = (unsigned)rng_range(r, 1, 4);
                out_words += w;
                tstr(b, "[{\"index\":0,\"delta\":{\"content\":\" ");
                twords(b, r, w);
                tstr(b, "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
            } else if (i == n_content + 1) {
                tstr(b, "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]"
                        "}\n\n");
            } else {
                unsigned completion = out_words * 4 / 3 + 1;
                tstr(b, "[],\"usage\":{\"prompt_tokens\":");
                tu64(b, prompt_tokens);
                tstr(b, ",\"completion_tokens\":");
                tu64(b, completion);
                tstr(b, ",\"total_tokens\":");
                tu64(b, prompt_tokens + completion);
                tstr(b, "}}\n\n");
            }
            sse_chunk(g, b);
        } else {
            b->n = 0;
            tstr(b, "data: [DONE]\n\n");
            sse_chunk(g, b);
            if (rng_chance(r, 0.5)) { /* the last chunk in the same segment, or its own */
                tstr(m, "0\r\n\r\n");
            } else {
                last = send_msg(g, c, true, t, m->p, m->n, 12, t_end);
                t += rng_range(r, 1, 3) * US_PER_MS;
                m->n = 0;
                tstr(m, "0\r\n\r\n");
            }
        }
        last = send_msg(g, c, true, t, m->p, m->n, 12, t_end);
    }
    return last;
}

/* One exchange on c starting at t (the request's first byte); the time of its
 * last packet into *t_end. */
static void plan_exchange(struct gen *g, struct conn *c, int64_t t, int64_t *t_end)
{
    struct rng *r = &g->rng;
    struct txt *b = &g->body;
    enum xkind kind;
    struct read_item rd = { 0 };
    if (g->reads.n && ((const struct read_item *)gen_heap_at(&g->reads, 0))->due_us <= t) {
        gen_heap_pop(&g->reads, &rd);
        kind = X_READ;
    } else {
        kind = (enum xkind)rng_weighted(r, kind_weights, N_DRAWN);
    }
    char path[128];
    struct txt p = { 0 };
    unsigned model = 0, prompt_tokens = 0;
    uint64_t serial = 0;
    int64_t latency;
    b->n = 0;
    switch (kind) {
    case X_CHAT:
    case X_STREAM:
        model = rng_weighted(r, chat_model_weights, N_CHAT_MODELS);
        prompt_tokens = chat_request_body(g, model, kind == X_STREAM);
        request_msg(g, c, "POST", "/v1/chat/completions",
                    kind == X_STREAM ? "text/event-stream" : "application/json");
        latency = kind == X_STREAM ? rng_log(r, 100 * US_PER_MS, 800 * US_PER_MS)
                                   : rng_log(r, 200 * US_PER_MS, 6 * US_PER_SEC);
        serial = g->chat_serial++;
        g->t.chat_calls++;
        g->t.chat_by_model[model]++;
        g->t.stream_calls += kind == X_STREAM;
        break;
    case X_EMBED: {
        unsigned em = (unsigned)rng_range(r, 0, 1);
        tstr(b, "{\"model\":\"");
        tstr(b, embed_models[em]);
        tstr(b, "\",\"input\":\"");
        twords(b, r, (unsigned)rng_range(r, 5, 80));
        tstr(b, "\",\"encoding_format\":\"float\"}");
        request_msg(g, c, "POST", "/v1/embeddings", "application/json");
        latency = rng_log(r, 20 * US_PER_MS, 200 * US_PER_MS);
        model = em;
        g->t.embed_calls++;
        break;
    }
    case X_TORCH: {
        model = (unsigned)rng_range(r, 0, 2);
        tstr(b, "{\"instances\":[{\"data\":\"");
        for (int64_t i = rng_range(r, 40, 200); i > 0; i--)
            tb62(b, rng_next(r), 10);
        tstr(b, "\"}]}");
        snprintf(path, sizeof path, "/predictions/%s", torch_models[model]);
        request_msg(g, c, "POST", path, "application/json");
        latency = rng_log(r, 10 * US_PER_MS, 150 * US_PER_MS);
        g->t.torch_calls++;
        break;
    }
    case X_KSERVE: {
        model = (unsigned)rng_range(r, 0, 2);
        serial = g->kserve_serial++;
        unsigned rows = (unsigned)rng_range(r, 1, 16);
        tstr(b, "{\"id\":\"");
        thex(b, mix3(g->o->seed, serial, 20));
        tchar(b, '-');
        thex(b, mix3(g->o->seed, serial, 21));
        tstr(b, "\",\"inputs\":[{\"name\":\"input-0\",\"shape\":[");
        tu64(b, rows);
        tstr(b, ",4],\"datatype\":\"FP32\",\"data\":[");
        for (unsigned i = 0; i < rows * 4; i++) {
            if (i)
                tchar(b, ',');
            tunit4(b, r);
        }
        tstr(b, "]}]}");
        snprintf(path, sizeof path, "/v2/models/%s/infer", kserve_models[model]);
        request_msg(g, c, "POST", path, "application/json");
        latency = rng_log(r, 5 * US_PER_MS, 80 * US_PER_MS);
        prompt_tokens = rows; /* carried to the answer */
        g->t.kserve_calls++;
        break;
    }
    case X_HEALTH:
        request_msg(g, c, "GET", "/health", "*/*");
        latency = rng_range(r, 200, 2000);
        g->t.health++;
        break;
    case X_NOT_FOUND: {
        static const char *const paths[] = { "/favicon.ico", "/v1/models/gpt-9",
                                             "/v1/engines", "/.env" };
        request_msg(g, c, "GET", paths[rng_range(r, 0, 3)], "*/*");
        latency = rng_range(r, 200, 2000);
        g->t.not_found++;
        break;
    }
    case X_STRAY:
        put_chat_id(&p, g->o->seed, g->stray_serial++, 40); /* salt 40: no call's id */
        snprintf(path, sizeof path, "/v1/chat/completions/%.*s", (int)p.n, p.p);
        request_msg(g, c, "GET", path, "application/json");
        latency = rng_range(r, 1000, 20000);
        g->t.stray_reads++;
        break;
    case X_READ:
        put_chat_id(&p, g->o->seed, rd.serial, 1);
        snprintf(path, sizeof path, "/v1/chat/completions/%.*s", (int)p.n, p.p);
        request_msg(g, c, "GET", path, "application/json");
        latency = rng_range(r, 2000, 30000);
        g->t.read_requests++;
        if (rd.is_first) {
            g->t.chat_reads++;
            g->t.reads_by_model[rd.model]++;
            vec_push(&g->t.waits[rd.model], t - rd.ready_us);
        }
        break;
    default:
        fprintf(stderr, "gen-pcap: internal error: kind %d\n", (int)kind);
        exit(3);
    }
    free(p.p);
    g->t.requests++;
    g->t.responses++;
    int64_t t_req = send_msg(g, c, false, t, g->msg.p, g->msg.n, 12, t_end);
    int64_t t0 = t_req + latency, ready;

    b->n = 0;
    switch (kind) {
    case X_STREAM:
        ready = stream_response(g, c, t0, serial, model, prompt_tokens, t_end);
        plan_reads(g, serial, model, ready, true);
        return;
    case X_CHAT:
        completion_body(g, serial, model, t0, (unsigned)rng_range(r, 20, 400), prompt_tokens);
        break;
    case X_READ:
        completion_body(g, rd.serial, rd.model, t0, (unsigned)rng_range(r, 20, 200),
                        (unsigned)rng_range(r, 20, 900));
        break;
    case X_EMBED: {
        unsigned dims = (unsigned)rng_range(r, 64, 384), tokens = (unsigned)rng_range(r, 5, 100);
        tstr(b, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                "\"embedding\":[");
        for (unsigned i = 0; i < dims; i++) {
            if (i)
                tchar(b, ',');
            tunit4(b, r);
        }
        tstr(b, "]}],\"model\":\"");
        tstr(b, embed_models[model]);
        tstr(b, "\",\"usage\":{\"prompt_tokens\":");
        tu64(b, tokens);
        tstr(b, ",\"total_tokens\":");
        tu64(b, tokens);
        tstr(b, "}}");
        break;
    }
    case X_TORCH:
        if (model == 1) {
            tstr(b, rng_chance(r, 0.6) ? "{\"label\":\"positive\",\"score\":0."
                                       : "{\"label\":\"negative\",\"score\":0.");
            tu64(b, (uint64_t)rng_range(r, 5000, 9999));
            tstr(b, "}");
        } else {
            tstr(b, "{\"tabby\":0.");
            tu64(b, (uint64_t)rng_range(r, 1000, 4999));
            tstr(b, ",\"tiger_cat\":0.");
            tu64(b, (uint64_t)rng_range(r, 1000, 2999));
            tstr(b, ",\"Egyptian_cat\":0.0");
            tu64(b, (uint64_t)rng_range(r, 100, 999));
            tstr(b, "}");
        }
        break;
    case X_KSERVE:
        tstr(b, "{\"model_name\":\"");
        tstr(b, kserve_models[model]);
        tstr(b, "\",\"model_version\":\"1\",\"id\":\"");
        thex(b, mix3(g->o->seed, serial, 20));
        tchar(b, '-');
        thex(b, mix3(g->o->seed, serial, 21));
        tstr(b, "\",\"parameters\":{},\"outputs\":[{\"name\":\"output-0\",\"shape\":[");
        tu64(b, prompt_tokens);
        tstr(b, "],\"datatype\":\"INT32\",\"data\":[");
        for (unsigned i = 0; i < prompt_tokens; i++) {
            if (i)
                tchar(b, ',');
            tu64(b, (uint64_t)rng_range(r, 0, 2));
        }
        tstr(b, "]}]}");
        break;
    case X_HEALTH:
        tstr(b, "{\"status\":\"ok\"}");
        break;
    case X_NOT_FOUND:
        tstr(b, "{\"detail\":\"Not Found\"}");
        break;
    case X_STRAY:
        tstr(b, "{\"error\":{\"message\":\"No chat completion found with that id\","
                "\"type\":\"invalid_request_error\",\"code\":\"not_found\"}}");
        break;
    default:
        break;
    }
    bool missing = kind == X_NOT_FOUND || kind == X_STRAY;
    response_msg(g, t0, missing ? 404 : 200, missing ? "Not Found" : "OK");
    ready = send_msg(g, c, true, t0, g->msg.p, g->msg.n, 12, t_end);
    if (kind == X_CHAT)
        plan_reads(g, serial, model, ready, false);
}

static uint32_t conn_new(struct gen *g)
{
    if (g->free_conn != UINT32_MAX) {
        uint32_t i = g->free_conn;
        g->free_conn = g->conns[i].next_free;
        return i;
    }
    if (g->n_conns == g->cap_conns) {
        g->cap_conns = g->cap_conns ? 2 * g->cap_conns : 256;
        g->conns = gen_realloc(g->conns, g->cap_conns * sizeof *g->conns);
    }
    return g->n_conns++;
}

static void conn_free(struct gen *g, uint32_t i)
{
    g->conns[i].next_free = g->free_conn;
    g->free_conn = i;
}

/* A new client connection at t: the handshake, then its first exchange. */
static void open_conn(struct gen *g, int64_t t)
{
    struct rng *r = &g->rng;
    uint32_t i = conn_new(g);
    struct conn *c = &g->conns[i];
    unsigned h = (unsigned)rng_range(r, 0, N_CLIENT_HOSTS - 1);
    *c = (struct conn){ .cip = 0x0a010000u | (h / 250) << 8 | (h % 250 + 1),
                        .cport = g->next_port[h], .rtt_us = rng_log(r, 200, 20000),
                        .ua = (uint8_t)rng_range(r, 0, N_UA - 1) };
    g->next_port[h] = (uint16_t)(g->next_port[h] == PORT_HI ? PORT_LO : g->next_port[h] + 1u);
    double u = rng_unit(r);
    unsigned n = 1 + (unsigned)(-log(1.0 - u) * (EXCHANGES_MEAN - 1));
    c->left = n > EXCHANGES_MAX ? EXCHANGES_MAX : n;
    uint32_t isn_c = (uint32_t)rng_next(r), isn_s = (uint32_t)rng_next(r);
    int64_t d = rng_range(r, 10, 40);
    push_packet(g, t, c, false, TH_SYN, isn_c, 0, NULL, 0);
    push_packet(g, t + d, c, true, TH_SYN | TH_ACK, isn_s, isn_c + 1, NULL, 0);
    push_packet(g, t + d + c->rtt_us, c, false, TH_ACK, isn_c + 1, isn_s + 1, NULL, 0);
    c->cseq = isn_c + 1;
    c->sseq = isn_s + 1;
    g->t.connections++;
    push_step(g, t + d + c->rtt_us + rng_range(r, 20, 300), EV_NEXT, i);
}

/* The client closes at t: its FIN, the server's FIN, the last ACK. */
static void close_conn(struct gen *g, struct conn *c, int64_t t)
{
    int64_t d = rng_range(&g->rng, 10, 40);
    push_packet(g, t, c, false, TH_FIN | TH_ACK, c->cseq, c->sseq, NULL, 0);
    c->cseq++;
    push_packet(g, t + d, c, true, TH_FIN | TH_ACK, c->sseq, c->cseq, NULL, 0);
    c->sseq++;
    push_packet(g, t + d + c->rtt_us, c, false, TH_ACK, c->cseq, c->sseq, NULL, 0);
}

static void write_event(struct gen *g, struct ev *e)
{
    if (g->t.first_us == 0)
        g->t.first_us = e->k.t_us;
    g->t.last_us = e->k.t_us;
    out_frame(&g->out, &e->k);
    free((void *)e->k.data);
}

/* The default capture: connections arrive, make their exchanges, close, until
 * the output passes --size; then every open connection closes after its
 * exchange in progress. */
static void run_traffic(struct gen *g)
{
    push_step(g, start_us(), EV_ARRIVAL, 0);
    while (g->q.n) {
        struct ev e;
        gen_heap_pop(&g->q, &e);
        switch ((enum ev_kind)e.kind) {
        case EV_PACKET:
            write_event(g, &e);
            if (g->out.bytes >= g->o->size)
                g->stopping = true;
            break;
        case EV_ARRIVAL:
            if (g->stopping)
                break;
            open_conn(g, e.t_us);
            push_step(g, e.t_us + rng_exp(&g->rng, (double)ARRIVAL_MEAN_US), EV_ARRIVAL, 0);
            break;
        case EV_NEXT: {
            struct conn *c = &g->conns[e.conn];
            if (g->stopping || c->left == 0) {
                close_conn(g, c, e.t_us);
                conn_free(g, e.conn);
                break;
            }
            c->left--;
            int64_t t_end = e.t_us;
            plan_exchange(g, c, e.t_us, &t_end);
            push_step(g, t_end + rng_log(&g->rng, 10 * US_PER_MS, 20 * US_PER_SEC), EV_NEXT,
                      e.conn);
            break;
        }
        }
    }
    g->t.reads_dropped = g->reads.n;
}

/* Write every queued frame up to time t. */
static void drain_until(struct gen *g, int64_t t)
{
    while (g->q.n && ((const struct ev *)gen_heap_at(&g->q, 0))->t_us <= t) {
        struct ev e;
        gen_heap_pop(&g->q, &e);
        write_event(g, &e);
    }
}

/* --half-open N: N connections that each shake hands and send the first
 * ~700 bytes (--partial: that many) of a POST whose Content-Length promises
 * HALF_OPEN_PROMISE bytes more,
 * then go silent: no FIN, no RST. Many are open at once (the data comes 1-50 ms
 * after the handshake, a new SYN every HALF_OPEN_GAP_US). */
static void run_half_open(struct gen *g)
{
    struct rng *r = &g->rng;
    struct txt *m = &g->msg;
    int64_t t = start_us();
    for (uint64_t i = 0; i < g->o->half_open; i++, t += HALF_OPEN_GAP_US) {
        drain_until(g, t);
        uint64_t h = i / 50000;
        struct conn c = { .cip = 0x0a020000u | (uint32_t)((h >> 8) & 0xff) << 8 | (h & 0xff),
                          .cport = (uint16_t)(10000 + i % 50000), .rtt_us = rng_range(r, 100, 900),
                          .ua = (uint8_t)rng_range(r, 0, N_UA - 1) };
        uint32_t isn_c = (uint32_t)rng_next(r), isn_s = (uint32_t)rng_next(r);
        push_packet(g, t, &c, false, TH_SYN, isn_c, 0, NULL, 0);
        push_packet(g, t + 15, &c, true, TH_SYN | TH_ACK, isn_s, isn_c + 1, NULL, 0);
        push_packet(g, t + 15 + c.rtt_us, &c, false, TH_ACK, isn_c + 1, isn_s + 1, NULL, 0);
        size_t want = g->o->partial ? g->o->partial : (size_t)rng_range(r, 640, 760);
        m->n = 0;
        tstr(m, "POST /v1/chat/completions HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: ");
        tstr(m, user_agents[c.ua]);
        tstr(m, "\r\nContent-Type: application/json\r\nContent-Length: ");
        tu64(m, HALF_OPEN_PROMISE + g->o->partial);
        tstr(m, "\r\n\r\n{\"model\":\"m-1\",\"messages\":[{\"role\":\"user\",\"content\":\"");
        while (m->n < want) {
            tchar(m, ' ');
            twords(m, r, 1);
        }
        m->n = want;
        int64_t at = t + 15 + c.rtt_us + rng_range(r, 1, 50) * US_PER_MS;
        c.cseq = isn_c + 1;
        c.sseq = isn_s + 1;
        int64_t t_end = at;
        send_msg(g, &c, false, at, m->p, m->n, 12, &t_end);
        g->t.connections++;
        g->t.requests++;
    }
    drain_until(g, INT64_MAX);
}

/* --one-body BYTES: one connection, one streamed chat call whose answer is a
 * chunked SSE body of BYTES (one chunk per event), in full segments
 * ONE_BODY_GAP_US apart, then the 0-chunk and the close. Generated as it is
 * written: memory does not grow with BYTES. */
static void run_one_body(struct gen *g)
{
    struct rng *r = &g->rng;
    struct txt *m = &g->msg, *b = &g->body;
    int64_t t = start_us(), t_end = t;
    struct conn c = { .cip = 0x0a030001u, .cport = 40000, .rtt_us = 300, .ua = 0 };
    uint32_t isn_c = (uint32_t)rng_next(r), isn_s = (uint32_t)rng_next(r);
    push_packet(g, t, &c, false, TH_SYN, isn_c, 0, NULL, 0);
    push_packet(g, t + 20, &c, true, TH_SYN | TH_ACK, isn_s, isn_c + 1, NULL, 0);
    push_packet(g, t + 20 + c.rtt_us, &c, false, TH_ACK, isn_c + 1, isn_s + 1, NULL, 0);
    c.cseq = isn_c + 1;
    c.sseq = isn_s + 1;
    g->t.connections = 1;
    g->t.requests = g->t.responses = g->t.chat_calls = g->t.stream_calls = 1;
    g->t.chat_by_model[0] = 1;
    t += 20 + c.rtt_us + 100;
    unsigned prompt = chat_request_body(g, 0, true);
    request_msg(g, &c, "POST", "/v1/chat/completions", "text/event-stream");
    t = send_msg(g, &c, false, t, m->p, m->n, 12, &t_end);
    t += 300 * US_PER_MS;
    m->n = 0;
    tstr(m, "HTTP/1.1 200 OK\r\nDate: ");
    tstr(m, http_date(g, t));
    tstr(m, "\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
            "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n");
    t = send_msg(g, &c, true, t, m->p, m->n, 12, &t_end);
    drain_until(g, t);

    /* the body: events appended to `pend`, sent a full segment at a time */
    struct txt pend = { 0 };
    uint64_t body = 0, words_out = 0;
    int64_t created = t;
    bool done = false;
    while (!done || pend.n) {
        while (!done && pend.n < ONE_BODY_BATCH * MSS) {
            sse_event_head(g, 0, 0, created);
            if (body + pend.n < g->o->one_body) {
                unsigned w = (unsigned)rng_range(r, 1, 4);
                words_out += w;
                tstr(b, "[{\"index\":0,\"delta\":{\"content\":\" ");
                twords(b, r, w);
                tstr(b, "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
                sse_chunk(g, b);
            } else {
                tstr(b, "[],\"usage\":{\"prompt_tokens\":");
                tu64(b, prompt);
                tstr(b, ",\"completion_tokens\":");
                tu64(b, words_out * 4 / 3 + 1);
                tstr(b, "}}\n\n");
                sse_chunk(g, b);
                tstr(m, "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
                done = true;
            }
            tput(&pend, m->p, m->n);
        }
        size_t k = done ? pend.n : pend.n / MSS * MSS;
        t = send_msg(g, &c, true, t + ONE_BODY_GAP_US, pend.p, k, ONE_BODY_GAP_US, &t_end);
        body += k;
        memmove(pend.p, pend.p + k, pend.n - k);
        pend.n -= k;
        drain_until(g, t);
    }
    free(pend.p);
    g->t.responses = 1;
    close_conn(g, &c, t_end + 5 * US_PER_MS);
    drain_until(g, INT64_MAX);
}

static void write_truth(struct gen *g, FILE *f, const char *mode)
{
    struct truth *t = &g->t;
    fprintf(f, "# gen-pcap ground truth: key=value\n");
    fprintf(f, "mode=%s\nseed=%llu\nserver=10.0.0.1:%u\n", mode, (unsigned long long)g->o->seed,
            SERVER_PORT);
    fprintf(f, "first_us=%lld\nlast_us=%lld\n", (long long)t->first_us, (long long)t->last_us);
    fprintf(f, "packets=%llu\nbytes=%llu\nconnections=%llu\nrequests=%llu\nresponses=%llu\n",
            (unsigned long long)g->out.packets, (unsigned long long)g->out.bytes,
            (unsigned long long)t->connections, (unsigned long long)t->requests,
            (unsigned long long)t->responses);
    fprintf(f, "chat.calls=%llu\nchat.stream_calls=%llu\nchat.reads=%llu\n"
               "chat.read_requests=%llu\nchat.stray_reads=%llu\nchat.reads_dropped=%llu\n",
            (unsigned long long)t->chat_calls, (unsigned long long)t->stream_calls,
            (unsigned long long)t->chat_reads, (unsigned long long)t->read_requests,
            (unsigned long long)t->stray_reads, (unsigned long long)t->reads_dropped);
    for (unsigned m = 0; m < N_CHAT_MODELS; m++) {
        const char *n = chat_models[m];
        struct vec *w = &t->waits[m];
        fprintf(f, "chat.%s.calls=%llu\nchat.%s.reads=%llu\n", n,
                (unsigned long long)t->chat_by_model[m], n,
                (unsigned long long)t->reads_by_model[m]);
        if (!w->n)
            continue;
        /* nearest rank, ceil(q n): the p50 and p99 that tempo's analysis reports */
        qsort(w->v, w->n, sizeof *w->v, i64_cmp);
        size_t r50 = (w->n + 1) / 2, r99 = (w->n * 99 + 99) / 100;
        fprintf(f, "chat.%s.wait_us.min=%lld\nchat.%s.wait_us.p50=%lld\nchat.%s.wait_us.p99=%lld\n"
                   "chat.%s.wait_us.max=%lld\n",
                n, (long long)w->v[0], n, (long long)w->v[r50 - 1], n, (long long)w->v[r99 - 1],
                n, (long long)w->v[w->n - 1]);
    }
    fprintf(f, "embeddings.calls=%llu\ntorchserve.calls=%llu\nkserve.calls=%llu\n"
               "embeddings.reads=0\ntorchserve.reads=0\nkserve.reads=0\n",
            (unsigned long long)t->embed_calls, (unsigned long long)t->torch_calls,
            (unsigned long long)t->kserve_calls);
    fprintf(f, "health=%llu\nnot_found=%llu\n", (unsigned long long)t->health,
            (unsigned long long)t->not_found);
    if (g->o->half_open)
        fprintf(f, "half_open.promised_bytes=%llu\n",
                (unsigned long long)(HALF_OPEN_PROMISE + g->o->partial));
    if (g->o->one_body)
        fprintf(f, "one_body.bytes=%llu\n", (unsigned long long)g->o->one_body);
}

/* ---- command line: argv is trusted text, but conversions are still checked ---- */

static const char usage[] =
    "usage: gen-pcap [-o FILE] [--truth FILE] [--seed N]\n"
    "                [--size BYTES[K|M|G] | --half-open N [--partial BYTES] |\n"
    "                 --one-body BYTES[K|M|G]]\n"
    "\n"
    "Writes a pcap capture (Ethernet, IPv4, TCP) of HTTP/1.1 traffic to an inference\n"
    "server at 10.0.0.1:8080, in time order, deterministic for a seed: keep-alive\n"
    "connections carrying chat completions (JSON, or streamed as Server-Sent\n"
    "Events), reads of stored completions seconds to hours later, embeddings,\n"
    "TorchServe and KServe calls, health checks and 404s (rules/default.rules).\n"
    "--size stops at the first connection end past BYTES (default 16M).\n"
    "--half-open N: N connections that send the first ~700 bytes of a POST that\n"
    "promises 100000 more and never finish it (no FIN, no RST), many open at once;\n"
    "--partial: each sends BYTES of it instead (in segments of 1448).\n"
    "--one-body BYTES: one connection, one streamed chat call whose chunked SSE\n"
    "answer is BYTES long.\n"
    "--truth writes what a reader must count (key=value lines).\n";

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "gen-pcap: bad %s '%s'\n%s", what, arg ? arg : "", usage);
    return 2;
}

int main(int argc, char **argv)
{
    struct options o = { .seed = 1, .size = 16u << 20 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (!v)
            return bad_usage(strncmp(a, "-", 1) == 0 ? "option (no value)" : "argument", a);
        if (strcmp(a, "-o") == 0) {
            o.out_path = v;
        } else if (strcmp(a, "--truth") == 0) {
            o.truth_path = v;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, &o.seed))
                return bad_usage("--seed", v);
        } else if (strcmp(a, "--size") == 0) {
            if (!parse_size(v, &o.size) || o.size > UINT64_C(1) << 40)
                return bad_usage("--size", v);
        } else if (strcmp(a, "--half-open") == 0) {
            if (!parse_u64(v, &o.half_open) || o.half_open < 1 || o.half_open > 20000000)
                return bad_usage("--half-open (1-20000000)", v);
        } else if (strcmp(a, "--partial") == 0) {
            if (!parse_size(v, &o.partial) || o.partial < 300 || o.partial > 64u << 20)
                return bad_usage("--partial (300 to 64M)", v);
        } else if (strcmp(a, "--one-body") == 0) {
            if (!parse_size(v, &o.one_body) || o.one_body < 1 || o.one_body > UINT64_C(1) << 40)
                return bad_usage("--one-body", v);
        } else {
            return bad_usage("argument", a);
        }
        i++;
    }
    if (o.half_open && o.one_body)
        return bad_usage("options (--half-open and --one-body together)", "");

    struct gen g = { .o = &o, .free_conn = UINT32_MAX, .date_sec = -1 };
    g.q = (struct gen_heap){ .size = sizeof(struct ev), .less = ev_less };
    g.reads = (struct gen_heap){ .size = sizeof(struct read_item), .less = read_less };
    rng_seed(&g.rng, o.seed);
    for (unsigned h = 0; h < N_CLIENT_HOSTS; h++)
        g.next_port[h] = (uint16_t)(PORT_LO + (h * 37) % 1000);
    g.out = (struct out){ .f = gen_open_out("gen-pcap", o.out_path), .path = o.out_path ? o.out_path : "stdout",
                          .buf = gen_realloc(NULL, OUT_BLOCK) };
    out_header(&g.out);
    const char *mode = "traffic";
    if (o.half_open) {
        mode = "half-open";
        run_half_open(&g);
    } else if (o.one_body) {
        mode = "one-body";
        run_one_body(&g);
    } else {
        run_traffic(&g);
    }
    out_flush(&g.out);
    gen_close_out("gen-pcap", g.out.f, o.out_path);
    if (o.truth_path) {
        FILE *t = gen_open_out("gen-pcap", o.truth_path);
        write_truth(&g, t, mode);
        gen_close_out("gen-pcap", t, o.truth_path);
    }
    free(g.out.buf);
    gen_heap_free(&g.q);
    gen_heap_free(&g.reads);
    free(g.conns);
    free(g.body.p);
    free(g.msg.p);
    for (unsigned m = 0; m < N_CHAT_MODELS; m++)
        free(g.t.waits[m].v);
    return 0;
}
