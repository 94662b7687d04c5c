/*
 * decode_http.c - HTTP/1.x exchanges from reassembled TCP streams (decoders
 * stage, issue 7): message framing after RFC 9112 §6 (Content-Length,
 * chunked with trailers §7.1, close-delimited), responses paired in order
 * with pipelined requests, text/event-stream bodies read as the WHATWG HTML
 * "server-sent events" section says, JSON bodies flattened with cJSON.
 */
#include "decode_json_int.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "decode.h"
#include "limits.h"

#define CHUNK_LINE 64    /* bytes of a chunk-size line kept (extensions past it are ignored) */
#define NUMBER_TEXT DECODE_JSON_NUMBER_TEXT
/* Emit scratch: three JSON trees' strings (each at most its body), two heads'
 * lower-cased names and decoded queries, and numbers and made names. */
#define SCRATCH_CAP                                                                                \
    (4 * (size_t)LIMIT_HTTP_BODY + 4 * (size_t)LIMIT_HTTP_HEADERS +                                \
     LIMIT_ATTRS * (LIMIT_ATTR_NAME + NUMBER_TEXT + 32))
#define BIG_BUF (64u << 10) /* a kept buffer larger than this is freed once used */

enum dir_state {
    D_SYNC,       /* looking for a start line, a line at a time (in `head`) */
    D_HEAD,       /* start line found: headers up to the blank line (in `head`) */
    D_BODY_LEN,   /* `remaining` body bytes by Content-Length */
    D_CHUNK_SIZE, /* a chunk-size line */
    D_CHUNK_DATA, /* `remaining` bytes of chunk data */
    D_CHUNK_END,  /* the CRLF after chunk data */
    D_TRAILERS,   /* trailer lines up to the blank line */
    D_BODY_CLOSE, /* a response body that ends with the stream */
    D_IGNORE,     /* after 101 Switching Protocols or CONNECT: no longer HTTP */
};

enum keep_mode { KEEP_NO, KEEP_YES, KEEP_SNIFF }; /* SNIFF: keep if it starts with '{' */

/* What the head of a message says about its body and its kind. */
struct head_info {
    bool is_request;
    struct span method, target, version; /* request line */
    unsigned status;                     /* status line */
    bool has_length, chunked, has_te;
    uint64_t length;
    bool is_json, is_sse;
};

/* One direction's parser. */
struct http_dir {
    enum dir_state st;
    struct buf head;    /* start line and headers; in D_SYNC the current line */
    bool line_blank;    /* no byte but CR since the last LF (end of head, trailers) */
    int64_t first_us;   /* µs UTC: the message's first byte */
    int64_t last_us;    /* µs UTC: its last byte so far */
    uint64_t remaining; /* body or chunk bytes left */
    char chunk_line[CHUNK_LINE];
    size_t chunk_len;     /* bytes of the chunk-size line seen (kept: CHUNK_LINE) */
    size_t line_bytes;    /* bytes of the chunk-size line, against LIMIT_HTTP_HEADERS */
    size_t trailer_bytes; /* trailer bytes, against LIMIT_HTTP_HEADERS */
    bool line_long;       /* in D_SYNC: the line passed LIMIT_HTTP_HEADERS, skipped */
    size_t sync_mark;     /* in D_SYNC: where the line's last piece began */
    int64_t sync_mark_us; /* µs UTC: that piece's time */
    bool is_response;     /* the message being read */
    bool skipping;        /* in D_SYNC: bytes of this episode were skipped */
    enum keep_mode keep;
    struct buf body; /* kept body bytes (JSON), max LIMIT_HTTP_BODY */
    bool body_cut;   /* the body passed LIMIT_HTTP_BODY */
    /* text/event-stream */
    bool sse;
    struct buf sse_line; /* the current line, max LIMIT_HTTP_BODY */
    bool sse_line_long;  /* it passed the limit: ignored up to its end */
    struct buf sse_data; /* the event's data lines, joined with LF */
    bool sse_has_data;
    bool sse_data_long;
    uint64_t sse_events;
    int64_t sse_first_us, sse_last_us;
    struct buf sse_first, sse_last; /* the first and the last JSON data */
    struct buf sse_usage;           /* the last JSON data that mentions "usage" */
    bool sse_last_set, sse_usage_set;
};

/* A request waiting for its response. */
struct http_req {
    bool dead; /* cut by a limit or malformed: its response makes no event */
    bool is_head, is_connect;
    int64_t first_us, last_us;
    struct buf head, body; /* swapped in from the client's http_dir */
    bool body_kept;        /* body holds the whole JSON body */
};

struct http_stream {
    bool roles_known;
    int client;             /* tcp_dir of the client, once roles_known */
    bool upgraded;          /* 101 or CONNECT: the rest is not HTTP */
    struct http_dir dir[2]; /* [tcp_dir] */
    struct http_req *q;     /* ring of pending requests (heap), grown up to LIMIT_HTTP_PIPELINE */
    unsigned q_cap, q_head, q_len;
    uint64_t phantoms; /* requests past LIMIT_HTTP_PIPELINE after the ring (counted) */
};

struct decode_http {
    const struct span *wanted; /* borrowed: the caller's; NULL: all */
    unsigned n_wanted;
    decode_http_emit emit;
    void *ctx;
    struct decode_http_stats stats;
    struct event ev;
    char *scratch; /* SCRATCH_CAP bytes, by the first emit */
    size_t used;
    char *prep; /* 2 * LIMIT_HTTP_BODY + 1 bytes for cJSON, by the first parse */
    struct buf_pool heads, bodies; /* every stream's: LIMIT_HTTP_MEMORY in all */
};

/* ---- small helpers ---- */

static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && memchr("!#$%&'*+-.^_`|~", c, 15));
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* A time that only moves forward: reassembly hands a segment that waited for a
 * hole with its own, earlier capture time (tcp.h), and a message ends at the
 * latest of its bytes. */
static void later(int64_t *at, int64_t ts)
{
    if (ts > *at)
        *at = ts;
}

static struct span drop_cr(struct span s)
{
    if (s.n && s.p[s.n - 1] == '\r')
        s.n--;
    return s;
}

/* "HTTP/1.x" */
static bool is_version(struct span v)
{
    return v.n == 8 && memcmp(v.p, "HTTP/1.", 7) == 0 && is_digit(v.p[7]);
}

/* METHOD SP request-target SP HTTP/1.x (RFC 9112 §3), no CR/LF. */
static bool parse_request_line(struct span line, struct span *method, struct span *target,
                               struct span *version)
{
    struct span rest = line;
    if (!span_cut(&rest, ' ', method) || method->n == 0 || method->n > 32)
        return false;
    /* RFC 9110 allows any token; upper-case letters (and '-', '_') are what
     * servers use, and the stricter set keeps a body's tail from passing for
     * a method when syncing ("789GET"). */
    for (size_t i = 0; i < method->n; i++)
        if (!((method->p[i] >= 'A' && method->p[i] <= 'Z') || method->p[i] == '-' ||
              method->p[i] == '_'))
            return false;
    if (!span_cut(&rest, ' ', target) || target->n == 0)
        return false;
    for (size_t i = 0; i < target->n; i++)
        if ((unsigned char)target->p[i] <= ' ' || target->p[i] == 0x7f)
            return false;
    *version = rest;
    return is_version(rest);
}

/* HTTP/1.x SP 3DIGIT [SP reason] */
static bool parse_status_line(struct span line, unsigned *status)
{
    if (line.n < 12 || !is_version((struct span){ line.p, 8 }) || line.p[8] != ' ' ||
        !is_digit(line.p[9]) || !is_digit(line.p[10]) || !is_digit(line.p[11]) ||
        (line.n > 12 && line.p[12] != ' '))
        return false;
    *status = (unsigned)((line.p[9] - '0') * 100 + (line.p[10] - '0') * 10 + (line.p[11] - '0'));
    return *status >= 100;
}

/* A media type ending in "json" (application/json, application/x-ndjson...). */
static bool media_is(struct span v, const char *suffix)
{
    struct span type;
    span_cut(&v, ';', &type);
    type = span_trim(type);
    size_t n = strlen(suffix);
    return type.n >= n && span_eq_nocase((struct span){ type.p + type.n - n, n }, span_of(suffix));
}

/* The last transfer coding is "chunked". */
static bool te_chunked(struct span v)
{
    struct span rest = v, item, last = SPAN_NULL;
    while (rest.n) {
        span_cut(&rest, ',', &item);
        item = span_trim(item);
        if (item.n)
            last = item;
    }
    return span_eq_nocase(last, SPAN_LIT("chunked"));
}

/* Read a whole head (start line, headers, blank line). False when malformed. */
static bool parse_head(struct span head, bool is_request, struct head_info *hi)
{
    memset(hi, 0, sizeof *hi);
    hi->is_request = is_request;
    struct span rest = head, line;
    span_cut(&rest, '\n', &line);
    line = drop_cr(line);
    if (is_request ? !parse_request_line(line, &hi->method, &hi->target, &hi->version)
                   : !parse_status_line(line, &hi->status))
        return false;
    while (rest.n) {
        span_cut(&rest, '\n', &line);
        line = drop_cr(line);
        if (line.n == 0)
            break;
        if (line.p[0] == ' ' || line.p[0] == '\t')
            continue; /* obsolete line folding (§5.2): the value's continuation */
        struct span name;
        if (!span_cut(&line, ':', &name) || name.n == 0)
            return false;
        for (size_t i = 0; i < name.n; i++)
            if (!is_tchar((unsigned char)name.p[i]))
                return false;
        struct span value = span_trim(line);
        if (span_eq_nocase(name, SPAN_LIT("content-length"))) {
            uint64_t n;
            if (!span_to_u64(value, &n) || (hi->has_length && n != hi->length))
                return false;
            hi->has_length = true;
            hi->length = n;
        } else if (span_eq_nocase(name, SPAN_LIT("transfer-encoding"))) {
            hi->has_te = true;
            hi->chunked = te_chunked(value);
        } else if (span_eq_nocase(name, SPAN_LIT("content-type"))) {
            hi->is_json = media_is(value, "json");
            hi->is_sse = media_is(value, "text/event-stream");
        }
    }
    /* A request whose last coding is not chunked cannot be framed (§6.3). */
    return !(is_request && hi->has_te && !hi->chunked);
}

/* ---- per-stream state ---- */

static void dir_release(struct http_dir *d)
{
    buf_release(&d->head);
    buf_release(&d->body);
    buf_release(&d->sse_line);
    buf_release(&d->sse_data);
    buf_release(&d->sse_first);
    buf_release(&d->sse_last);
    buf_release(&d->sse_usage);
}

/* A buffer of at most `max` bytes, within the decoder's LIMIT_HTTP_MEMORY. */
static void pooled(struct buf *b, size_t max, struct buf_pool *pool)
{
    buf_init(b, max);
    buf_join_pool(b, pool);
}

/* Heads and bodies have a half of LIMIT_HTTP_MEMORY each: bodies are kept
 * only for their JSON fields, and must not crowd out the heads that make the
 * exchanges. */
static void dir_init(struct http_dir *d, struct decode_http *h)
{
    pooled(&d->head, LIMIT_HTTP_HEADERS, &h->heads);
    pooled(&d->body, LIMIT_HTTP_BODY, &h->bodies);
    pooled(&d->sse_line, LIMIT_HTTP_BODY, &h->bodies);
    pooled(&d->sse_data, LIMIT_HTTP_BODY, &h->bodies);
    pooled(&d->sse_first, LIMIT_HTTP_BODY, &h->bodies);
    pooled(&d->sse_last, LIMIT_HTTP_BODY, &h->bodies);
    pooled(&d->sse_usage, LIMIT_HTTP_BODY, &h->bodies);
}

/* Shrink a buffer that grew big for one message, so that an idle stream holds little. */
static void buf_trim(struct buf *b)
{
    if (b->cap > BIG_BUF)
        buf_release(b); /* keeps max and pool */
    else
        buf_reset(b);
}

/* Back to looking for a start line; the message's bytes are forgotten. */
static void dir_restart(struct http_dir *d)
{
    d->st = D_SYNC;
    buf_trim(&d->head);
    buf_trim(&d->body);
    buf_trim(&d->sse_line);
    buf_trim(&d->sse_data);
    buf_trim(&d->sse_first);
    buf_trim(&d->sse_last);
    buf_trim(&d->sse_usage);
    d->line_blank = true;
    d->remaining = 0;
    d->chunk_len = 0;
    d->line_bytes = 0;
    d->trailer_bytes = 0;
    d->line_long = false;
    d->is_response = false;
    d->skipping = false;
    d->keep = KEEP_NO;
    d->body_cut = false;
    d->sse = d->sse_line_long = d->sse_has_data = d->sse_data_long = d->sse_last_set =
        d->sse_usage_set = false;
    d->sse_events = 0;
    d->sse_first_us = d->sse_last_us = 0;
}

static struct http_stream *stream_new(struct decode_http *h, const struct tcp_stream *s)
{
    struct http_stream *hs = xcalloc(1, sizeof *hs);
    hs->roles_known = s->initiator_known;
    hs->client = TCP_FROM_INITIATOR;
    for (int i = 0; i < 2; i++) {
        dir_init(&hs->dir[i], h);
        dir_restart(&hs->dir[i]);
    }
    return hs;
}

static void stream_free(struct http_stream *hs)
{
    for (int i = 0; i < 2; i++)
        dir_release(&hs->dir[i]);
    for (unsigned i = 0; i < hs->q_cap; i++) {
        buf_release(&hs->q[i].head);
        buf_release(&hs->q[i].body);
    }
    free(hs->q);
    free(hs);
}

/* The oldest pending request, or NULL (phantoms have none). */
static struct http_req *queue_front(struct http_stream *hs)
{
    return hs->q_len ? &hs->q[hs->q_head] : NULL;
}

/* Forget the oldest pending request; true if there was one (real, dead or phantom). */
static bool queue_pop(struct http_stream *hs)
{
    if (hs->q_len) {
        struct http_req *r = &hs->q[hs->q_head];
        buf_trim(&r->head);
        buf_trim(&r->body);
        hs->q_head = (hs->q_head + 1) % hs->q_cap;
        hs->q_len--;
        return true;
    }
    if (hs->phantoms) {
        hs->phantoms--;
        return true;
    }
    return false;
}

/* A slot for a new request, or NULL past LIMIT_HTTP_PIPELINE: then it is a
 * phantom - counted incomplete, its response consumed without an event -
 * and so is every request after it until the phantoms are answered, which
 * keeps the pairing in order. */
static struct http_req *queue_push(struct decode_http *h, struct http_stream *hs)
{
    if (hs->phantoms || hs->q_len == LIMIT_HTTP_PIPELINE) {
        hs->phantoms++;
        h->stats.incomplete++;
        return NULL;
    }
    if (hs->q_len == hs->q_cap) {
        /* Grow the ring in order (most connections never pipeline: 1 slot). */
        unsigned cap = hs->q_cap ? hs->q_cap * 2 : 1;
        cap = cap < LIMIT_HTTP_PIPELINE ? cap : LIMIT_HTTP_PIPELINE;
        struct http_req *q = xcalloc(cap, sizeof *q);
        for (unsigned i = 0; i < hs->q_cap; i++)
            q[i] = hs->q[(hs->q_head + i) % hs->q_cap];
        for (unsigned i = hs->q_cap; i < cap; i++) {
            pooled(&q[i].head, LIMIT_HTTP_HEADERS, &h->heads);
            pooled(&q[i].body, LIMIT_HTTP_BODY, &h->bodies);
        }
        free(hs->q);
        hs->q = q;
        hs->q_cap = cap;
        hs->q_head = 0;
    }
    struct http_req *r = &hs->q[(hs->q_head + hs->q_len) % hs->q_cap];
    hs->q_len++;
    r->dead = r->is_head = r->is_connect = r->body_kept = false;
    buf_reset(&r->head);
    buf_reset(&r->body);
    return r;
}

/* ---- emit ---- */

static bool wanted(const struct decode_http *h, struct span name)
{
    if (!h->wanted)
        return true;
    for (unsigned i = 0; i < h->n_wanted; i++)
        if (span_eq(h->wanted[i], name))
            return true;
    return false;
}

/* True if a wanted name starts with `prefix` (or nothing is filtered). */
static bool wanted_prefix(const struct decode_http *h, const char *prefix)
{
    if (!h->wanted)
        return true;
    for (unsigned i = 0; i < h->n_wanted; i++)
        if (span_starts(h->wanted[i], prefix))
            return true;
    return false;
}

/* Copy bytes into the emit scratch; SPAN_NULL when it is full. */
static struct span keep(struct decode_http *h, const char *p, size_t n)
{
    return decode_json_keep(h->scratch, SCRATCH_CAP, &h->used, p, n);
}

static void add(struct decode_http *h, struct span name, struct span value, enum attr_type type)
{
    if (name.n && name.n <= LIMIT_ATTR_NAME && (value.p || !value.n) && wanted(h, name))
        event_add(&h->ev, name, value, type);
}

static void add_num(struct decode_http *h, const char *name, int64_t v)
{
    struct span n = span_of(name);
    if (!wanted(h, n))
        return;
    char tmp[24];
    int k = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    add(h, n, keep(h, tmp, k > 0 ? (size_t)k : 0), ATTR_NUMBER);
}

/* prefix + name, with the name lower-cased; the span lives in the scratch. */
static struct span made_name(struct decode_http *h, const char *prefix, struct span name,
                             bool lower)
{
    size_t pn = strlen(prefix);
    if (pn + name.n > LIMIT_ATTR_NAME || pn + name.n > SCRATCH_CAP - h->used)
        return SPAN_NULL;
    char *dst = h->scratch + h->used;
    memcpy(dst, prefix, pn);
    for (size_t i = 0; i < name.n; i++) {
        char c = name.p[i];
        dst[pn + i] = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    struct span s = { dst, pn + name.n };
    if (!wanted(h, s))
        return SPAN_NULL; /* not kept: the bytes are reused */
    h->used += s.n;
    return s;
}

/* "a=1&b=x%20y" -> query.a = "1", query.b = "x y" (decode_url_unescape). */
static void add_query(struct decode_http *h, struct span q)
{
    struct span rest = q, item;
    while (rest.n && h->ev.n_attrs < LIMIT_ATTRS) {
        span_cut(&rest, '&', &item);
        struct span name, value = item;
        if (!span_cut(&value, '=', &name))
            value = (struct span){ item.p + item.n, 0 };
        if (name.n == 0 || 6 + name.n > LIMIT_ATTR_NAME || 6 + name.n > SCRATCH_CAP - h->used)
            continue;
        char *dst = h->scratch + h->used;
        memcpy(dst, "query.", 6);
        struct span full = { dst, 6 + decode_url_unescape(name, dst + 6) };
        if (!wanted(h, full) || value.n > SCRATCH_CAP - h->used - full.n)
            continue;
        h->used += full.n;
        char *vd = h->scratch + h->used;
        value = (struct span){ vd, decode_url_unescape(value, vd) };
        h->used += value.n;
        add(h, full, value, ATTR_STRING);
    }
}

static void add_headers(struct decode_http *h, struct span head, const char *prefix)
{
    struct span rest = head, line;
    span_cut(&rest, '\n', &line); /* the start line */
    while (rest.n && h->ev.n_attrs < LIMIT_ATTRS) {
        span_cut(&rest, '\n', &line);
        line = drop_cr(line);
        if (line.n == 0)
            break;
        struct span name;
        if (line.p[0] == ' ' || line.p[0] == '\t' || !span_cut(&line, ':', &name))
            continue;
        struct span n = made_name(h, prefix, name, true);
        if (n.p)
            add(h, n, span_trim(line), ATTR_STRING);
    }
}

/* ---- JSON ---- */


/* A scalar's text (in the scratch) and type; false for objects and arrays. */
static bool scalar_of(struct decode_http *h, const cJSON *v, struct span *text,
                      enum attr_type *type)
{
    char num[NUMBER_TEXT];
    struct span t;
    if (cJSON_IsString(v)) {
        t = span_of(v->valuestring); /* cJSON's own C string, not input bytes */
        *type = ATTR_STRING;
    } else if (cJSON_IsNumber(v)) {
        t = (struct span){ num, decode_json_number_text(v->valuedouble, num) };
        if (!t.n)
            return false;
        *type = ATTR_NUMBER;
    } else if (cJSON_IsBool(v)) {
        t = cJSON_IsTrue(v) ? SPAN_LIT("true") : SPAN_LIT("false");
        *type = ATTR_BOOL;
    } else if (cJSON_IsNull(v)) {
        t = SPAN_LIT("null");
        *type = ATTR_NULL;
    } else {
        return false;
    }
    *text = keep(h, t.p, t.n); /* the tree goes with the next parse */
    return text->p || !t.n;
}

struct leaf_ctx {
    struct decode_http *h;
    bool fill;
};

/* A scalar leaf of a body as prefix.PATH (decode_json_walk); with `fill`,
 * only names the event lacks. */
static bool add_leaf(void *ctx, struct span name, const cJSON *c)
{
    struct leaf_ctx *lc = ctx;
    struct decode_http *h = lc->h;
    if (h->ev.n_attrs >= LIMIT_ATTRS)
        return false;
    if (lc->fill && event_get(&h->ev, name))
        return true;
    struct span text;
    enum attr_type type;
    size_t mark = h->used;
    if (!scalar_of(h, c, &text, &type))
        return true;
    struct span kn = keep(h, name.p, name.n);
    if (kn.p)
        add(h, kn, text, type);
    else
        h->used = mark;
    return h->ev.n_attrs < LIMIT_ATTRS;
}

/* Parse a kept body; NULL when it is not JSON (the caller cJSON_Delete()s). */
static cJSON *parse_json(struct decode_http *h, struct span body)
{
    if (!body.n || body.n > LIMIT_HTTP_BODY || memchr(body.p, 0, body.n))
        return NULL;
    if (!h->prep)
        h->prep = xmalloc(2 * (size_t)LIMIT_HTTP_BODY + 1);
    size_t n = decode_json_prepare(body, h->prep, 2 * body.n + 1);
    cJSON *root = cJSON_ParseWithLengthOpts(h->prep, n + 1, NULL, 1);
    if (root && !cJSON_IsObject(root) && !cJSON_IsArray(root)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* The fields of one JSON text as prefix.PATH ("req", "resp", "resp_last");
 * `fill` adds only names not yet present (the last SSE chunk under resp.). */
static void add_json(struct decode_http *h, struct span body, const char *prefix, bool fill)
{
    size_t pn = strlen(prefix);
    char dotted[LIMIT_ATTR_NAME + 2];
    memcpy(dotted, prefix, pn);
    dotted[pn] = '.';
    dotted[pn + 1] = 0;
    if (!wanted_prefix(h, dotted))
        return;
    cJSON *root = parse_json(h, body);
    if (!root) {
        /* a body that is JSON, or the first event's, whose fields cannot be
         * read: counted (later SSE events only fill in) */
        struct span t = span_trim(body);
        if (!fill && strcmp(prefix, "resp_last") != 0 && t.n && (t.p[0] == '{' || t.p[0] == '['))
            h->stats.bodies_unparsed++;
        return;
    }
    if (!h->wanted) {
        char name[LIMIT_ATTR_NAME + 1];
        memcpy(name, prefix, pn);
        struct leaf_ctx lc = { h, fill };
        decode_json_walk(root, name, pn, add_leaf, &lc);
    }
    for (unsigned i = 0; h->wanted && i < h->n_wanted; i++) {
        struct span w = h->wanted[i];
        if (w.n <= pn + 1 || memcmp(w.p, dotted, pn + 1) != 0)
            continue;
        if (fill && event_get(&h->ev, w))
            continue;
        const cJSON *v = decode_json_find(root, (struct span){ w.p + pn + 1, w.n - pn - 1 });
        struct span text;
        enum attr_type type;
        if (v && scalar_of(h, v, &text, &type))
            add(h, w, text, type);
    }
    cJSON_Delete(root);
}

/* One exchange: request r, the response read in d (server side). */
static void emit(struct decode_http *h, struct http_req *r, struct http_dir *d)
{
    if (!h->scratch)
        h->scratch = xmalloc(SCRATCH_CAP);
    h->used = 0;
    struct head_info rq, rs;
    /* Both heads were read when they came in: these cannot fail now. */
    if (!parse_head(buf_span(&r->head), true, &rq) || !parse_head(buf_span(&d->head), false, &rs))
        return;
    struct event *ev = &h->ev;
    event_reset(ev);
    h->stats.exchanges++;
    ev->line = h->stats.exchanges;
    ev->start_us = r->first_us;
    ev->end_us = d->last_us > r->first_us ? d->last_us : r->first_us; /* never before it */
    ev->has_duration = true;
    add_num(h, "request_end_us", r->last_us);
    add_num(h, "response_start_us", d->first_us);
    add(h, SPAN_LIT("method"), rq.method, ATTR_STRING);
    struct span query = rq.target, path;
    bool has_query = span_cut(&query, '?', &path);
    add(h, SPAN_LIT("path"), path, ATTR_STRING);
    add(h, SPAN_LIT("protocol"), rq.version, ATTR_STRING);
    char status[4] = { (char)('0' + rs.status / 100), (char)('0' + rs.status / 10 % 10),
                       (char)('0' + rs.status % 10), 0 };
    add(h, SPAN_LIT("status"), keep(h, status, 3), ATTR_STRING);
    if (d->sse) {
        add_num(h, "sse.events", (int64_t)d->sse_events);
        if (d->sse_events) {
            add_num(h, "sse.first_us", d->sse_first_us);
            add_num(h, "sse.last_us", d->sse_last_us);
        }
    }
    if (has_query)
        add_query(h, query);
    if (r->body_kept)
        add_json(h, buf_span(&r->body), "req", false);
    if (d->sse) {
        /* resp.*: the first event's fields, then those of the last event that
         * carries usage (Anthropic's message_delta, before message_stop), then
         * the last event's. */
        add_json(h, buf_span(&d->sse_first), "resp", false);
        if (d->sse_usage_set)
            add_json(h, buf_span(&d->sse_usage), "resp", true);
        if (d->sse_last_set) {
            add_json(h, buf_span(&d->sse_last), "resp_last", false);
            add_json(h, buf_span(&d->sse_last), "resp", true);
        }
    } else if (d->keep == KEEP_YES && !d->body_cut) {
        add_json(h, buf_span(&d->body), "resp", false);
    }
    add_headers(h, buf_span(&r->head), "header.");
    add_headers(h, buf_span(&d->head), "resp_header.");
    h->emit(h->ctx, ev);
}

/* ---- SSE ---- */

/* One complete line of an event stream (no end of line). */
static void sse_line(struct decode_http *h, struct http_dir *d, struct span line, int64_t ts)
{
    if (line.n == 0) { /* dispatch */
        if (!d->sse_has_data)
            return;
        struct span data = buf_span(&d->sse_data);
        if (data.n && data.p[data.n - 1] == '\n')
            data.n--;
        bool done = span_eq(span_trim(data), SPAN_LIT("[DONE]"));
        if (!done) {
            d->sse_events++;
            if (d->sse_events == 1)
                d->sse_first_us = ts;
            later(&d->sse_last_us, ts);
            struct span t = span_trim(data);
            bool json = t.n && (t.p[0] == '{' || t.p[0] == '[');
            if (d->sse_data_long && json) {
                h->stats.bodies_cut++;
            } else if (json) {
                struct buf *b = d->sse_events == 1 ? &d->sse_first : &d->sse_last;
                buf_reset(b);
                if (buf_addspan(b, data) == 0 && b == &d->sse_last)
                    d->sse_last_set = true;
                if (d->sse_events > 1 && span_contains(data, SPAN_LIT("\"usage\""))) {
                    buf_reset(&d->sse_usage);
                    d->sse_usage_set = buf_addspan(&d->sse_usage, data) == 0;
                }
            }
        }
        buf_reset(&d->sse_data);
        d->sse_has_data = d->sse_data_long = false;
        return;
    }
    struct span field, value = line;
    if (!span_cut(&value, ':', &field))
        value = (struct span){ line.p + line.n, 0 };
    if (field.n == 0 || !span_eq(field, SPAN_LIT("data")))
        return; /* a comment, or event:, id:, retry: */
    if (value.n && value.p[0] == ' ')
        value = (struct span){ value.p + 1, value.n - 1 };
    d->sse_has_data = true;
    if (buf_addspan(&d->sse_data, value) != 0 || buf_add(&d->sse_data, "\n", 1) != 0)
        d->sse_data_long = true;
}

/* Body bytes of a text/event-stream response. Lines end at LF (a CR before it dropped). */
static void sse_feed(struct decode_http *h, struct http_dir *d, const char *p, size_t n, int64_t ts)
{
    while (n) {
        const char *lf = memchr(p, '\n', n);
        size_t k = lf ? (size_t)(lf - p) : n;
        if (!d->sse_line_long && buf_add(&d->sse_line, p, k) != 0)
            d->sse_line_long = true;
        p += k;
        n -= k;
        if (!lf)
            return;
        p++;
        n--;
        if (!d->sse_line_long)
            sse_line(h, d, drop_cr(buf_span(&d->sse_line)), ts);
        buf_reset(&d->sse_line);
        d->sse_line_long = false;
    }
}

/* Body bytes in order, whatever the framing. */
static void body_bytes(struct decode_http *h, struct http_dir *d, const char *p, size_t n,
                       int64_t ts)
{
    if (d->sse) {
        sse_feed(h, d, p, n, ts);
        return;
    }
    if (d->keep == KEEP_SNIFF) {
        size_t i = 0;
        while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
            i++;
        if (i < n)
            d->keep = p[i] == '{' ? KEEP_YES : KEEP_NO;
    }
    if (d->keep != KEEP_NO && !d->body_cut && buf_add(&d->body, p, n) != 0) {
        d->body_cut = true;
        h->stats.bodies_cut++;
        buf_trim(&d->body);
    }
}

/* ---- message boundaries ---- */

static void set_roles(struct http_stream *hs, int dir, bool is_client)
{
    if (hs->roles_known)
        return;
    hs->roles_known = true;
    hs->client = is_client ? dir : 1 - dir;
}

/* The request in the client's http_dir is complete: queue it. */
static void request_done(struct decode_http *h, struct http_stream *hs, struct http_dir *d,
                         const struct head_info *hi)
{
    struct http_req *r = queue_push(h, hs);
    if (r) {
        r->is_head = span_eq(hi->method, SPAN_LIT("HEAD"));
        r->is_connect = span_eq(hi->method, SPAN_LIT("CONNECT"));
        r->first_us = d->first_us;
        r->last_us = d->last_us;
        struct buf t = r->head;
        r->head = d->head;
        d->head = t;
        r->body_kept = d->keep == KEEP_YES && !d->body_cut && d->body.len;
        t = r->body;
        r->body = d->body;
        d->body = t;
    }
    dir_restart(d);
}

/* The response in the server's http_dir is complete: pair and emit. */
static void response_done(struct decode_http *h, struct http_stream *hs, struct http_dir *d)
{
    struct http_req *r = queue_front(hs);
    struct head_info rs;
    bool switched = parse_head(buf_span(&d->head), false, &rs) &&
                    (rs.status == 101 || (r && r->is_connect && rs.status / 100 == 2));
    if (!r && !hs->phantoms) {
        h->stats.incomplete++; /* no request seen: the capture began after it */
    } else if (r && !r->dead && r->first_us > d->first_us) {
        h->stats.incomplete++; /* it began before the request: not its response */
    } else {
        if (r && !r->dead)
            emit(h, r, d);
        queue_pop(hs); /* dead ones and phantoms were counted when cut */
    }
    dir_restart(d);
    if (switched) {
        hs->upgraded = true;
        hs->dir[0].st = hs->dir[1].st = D_IGNORE;
    }
}

/* The message in progress was cut (gap, end, limit, malformed): forget it
 * and, for a response, its request. */
static void message_cut(struct decode_http *h, struct http_stream *hs, struct http_dir *d,
                        bool malformed)
{
    if (d->st == D_SYNC || d->st == D_IGNORE) {
        if (d->head.len)
            h->stats.bytes_skipped += d->head.len;
        dir_restart(d);
        return;
    }
    if (malformed)
        h->stats.bad_messages++;
    if (d->is_response) {
        struct http_req *r = queue_front(hs);
        if (r ? !r->dead : !hs->phantoms)
            h->stats.incomplete++; /* dead ones and phantoms were counted already */
        queue_pop(hs);
    } else {
        /* The server may still answer it: a dead entry keeps the pairing
         * (a phantom, past LIMIT_HTTP_PIPELINE, is counted by queue_push). */
        struct http_req *r = queue_push(h, hs);
        if (r) {
            h->stats.incomplete++;
            r->dead = true;
            struct head_info hi;
            if (parse_head(buf_span(&d->head), true, &hi))
                r->is_head = span_eq(hi.method, SPAN_LIT("HEAD"));
        }
    }
    dir_restart(d);
}

/* The head is complete (d->head ends with the blank line): choose the body. */
static void head_done(struct decode_http *h, struct http_stream *hs, struct http_dir *d)
{
    struct head_info hi;
    if (!parse_head(buf_span(&d->head), !d->is_response, &hi)) {
        message_cut(h, hs, d, true);
        return;
    }
    if (!d->is_response) {
        d->keep = hi.is_json ? KEEP_YES : KEEP_SNIFF;
        if (hi.chunked) {
            d->st = D_CHUNK_SIZE;
        } else if (hi.has_length && hi.length) {
            d->st = D_BODY_LEN;
            d->remaining = hi.length;
        } else {
            request_done(h, hs, d, &hi);
        }
        return;
    }
    if (hi.status / 100 == 1 && hi.status != 101) {
        dir_restart(d); /* interim: the final response follows */
        return;
    }
    const struct http_req *r = queue_front(hs);
    bool no_body = (r && r->is_head) || hi.status / 100 == 1 || hi.status == 204 ||
                   hi.status == 304 || (r && r->is_connect && hi.status / 100 == 2);
    d->sse = hi.is_sse;
    d->keep = hi.is_sse ? KEEP_NO : hi.is_json ? KEEP_YES : KEEP_SNIFF;
    if (no_body) {
        response_done(h, hs, d);
    } else if (hi.chunked) {
        d->st = D_CHUNK_SIZE;
    } else if (hi.has_te) {
        d->st = D_BODY_CLOSE;
    } else if (hi.has_length) {
        d->remaining = hi.length;
        d->st = D_BODY_LEN;
        if (!hi.length)
            response_done(h, hs, d);
    } else {
        d->st = D_BODY_CLOSE;
    }
}

static void message_done(struct decode_http *h, struct http_stream *hs, struct http_dir *d)
{
    if (d->is_response) {
        if (d->sse && d->sse_line.len) /* an unterminated last line still ends its field */
            sse_feed(h, d, "\n", 1, d->last_us);
        response_done(h, hs, d);
        return;
    }
    struct head_info hi;
    if (parse_head(buf_span(&d->head), true, &hi))
        request_done(h, hs, d, &hi);
    else
        message_cut(h, hs, d, true);
}

/* Where a start line begins in `line` (no end of line): at 0, or - after a
 * gap or at a capture's start, when the line holds the tail of a body - at
 * an upper-case method before " TARGET HTTP/1.x" at the line's end, or at
 * "HTTP/1.x NNN". Sets *is_req; false when there is none. */
static bool find_start(struct span line, bool req, bool resp, size_t *off, bool *is_req)
{
    struct span m, t, v;
    unsigned status;
    *off = 0;
    if ((*is_req = req && parse_request_line(line, &m, &t, &v)))
        return true;
    if (resp && parse_status_line(line, &status))
        return true;
    if (req && line.n > 9 && line.p[line.n - 9] == ' ' &&
        is_version((struct span){ line.p + line.n - 8, 8 })) {
        size_t sp = line.n - 9; /* the space before the version */
        while (sp > 0 && line.p[sp - 1] != ' ')
            sp--;
        size_t k = sp ? sp - 1 : 0; /* the space before the target */
        size_t mstart = k;
        while (mstart > 0 && line.p[mstart - 1] >= 'A' && line.p[mstart - 1] <= 'Z')
            mstart--;
        if (sp && k - mstart >= 3 &&
            parse_request_line((struct span){ line.p + mstart, line.n - mstart }, &m, &t, &v)) {
            *off = mstart;
            *is_req = true;
            return true;
        }
    }
    for (size_t i = 1; resp && i + 12 <= line.n; i++) {
        const char *hit = memchr(line.p + i, 'H', line.n - i - 11);
        if (!hit)
            break;
        i = (size_t)(hit - line.p);
        if (parse_status_line((struct span){ hit, line.n - i }, &status)) {
            *off = i;
            return true;
        }
    }
    return false;
}

/* A line in D_SYNC: a start line begins a message, else the bytes are skipped. */
static void sync_line(struct decode_http *h, struct http_stream *hs, int dir, struct http_dir *d)
{
    struct span line = buf_span(&d->head); /* ends with its LF */
    line = drop_cr((struct span){ line.p, line.n - 1 });
    size_t off;
    bool is_req;
    if (line.n && find_start(line, !hs->roles_known || hs->client == dir,
                             !hs->roles_known || hs->client != dir, &off, &is_req)) {
        if (off) {
            if (!d->skipping)
                h->stats.resyncs++;
            h->stats.bytes_skipped += off;
            memmove(d->head.p, d->head.p + off, d->head.len - off);
            if (off >= d->sync_mark)
                d->first_us = d->sync_mark_us; /* began in the last piece */
            d->head.len -= off;
        }
        set_roles(hs, dir, is_req);
        d->st = D_HEAD;
        d->is_response = !is_req;
        d->skipping = false;
        d->line_blank = true;
        return;
    }
    if (line.n) {
        if (!d->skipping)
            h->stats.resyncs++;
        d->skipping = true;
        h->stats.bytes_skipped += d->head.len;
    }
    buf_reset(&d->head);
}

/* Bytes of p[0, n) up to and including the blank line that ends a header
 * or trailer block (*end set), or all of them; d->line_blank carries whether
 * the current line is still empty across calls. */
static size_t to_blank_line(struct http_dir *d, const char *p, size_t n, bool *end)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            if (d->line_blank) {
                *end = true;
                return i + 1;
            }
            d->line_blank = true;
        } else if (p[i] != '\r') {
            d->line_blank = false;
        }
    }
    return n;
}

/* ---- the byte-level machine ---- */

static void dir_feed(struct decode_http *h, struct http_stream *hs, int dir, const char *p,
                     size_t n, int64_t ts)
{
    struct http_dir *d = &hs->dir[dir];
    while (n && !hs->upgraded) {
        switch (d->st) {
        case D_SYNC: {
            const char *lf = memchr(p, '\n', n);
            size_t k = lf ? (size_t)(lf - p) + 1 : n;
            if (d->head.len == 0)
                d->first_us = ts;
            d->sync_mark = d->head.len;
            d->sync_mark_us = ts;
            if (d->line_long || buf_add(&d->head, p, k) != 0) {
                /* a line longer than any start line we read: skipped to its end */
                if (!d->skipping)
                    h->stats.resyncs++;
                d->skipping = true;
                h->stats.bytes_skipped += d->head.len + k;
                buf_reset(&d->head);
                d->line_long = !lf;
            } else if (lf) {
                d->last_us = ts > d->first_us ? ts : d->first_us;
                sync_line(h, hs, dir, d);
            }
            p += k;
            n -= k;
            break;
        }
        case D_HEAD: {
            bool end = false;
            size_t i = to_blank_line(d, p, n, &end);
            if (buf_add(&d->head, p, i) != 0) {
                message_cut(h, hs, d, false); /* LIMIT_HTTP_HEADERS */
                h->stats.bytes_skipped += i;
            } else {
                later(&d->last_us, ts);
                if (end)
                    head_done(h, hs, d);
            }
            p += i;
            n -= i;
            break;
        }
        case D_BODY_LEN:
        case D_CHUNK_DATA: {
            size_t k = d->remaining < n ? (size_t)d->remaining : n;
            body_bytes(h, d, p, k, ts);
            d->remaining -= k;
            later(&d->last_us, ts);
            p += k;
            n -= k;
            if (d->remaining == 0) {
                if (d->st == D_CHUNK_DATA)
                    d->st = D_CHUNK_END;
                else
                    message_done(h, hs, d);
            }
            break;
        }
        case D_CHUNK_END: {
            char c = *p++;
            n--;
            later(&d->last_us, ts);
            if (c == '\n')
                d->st = D_CHUNK_SIZE;
            else if (c != '\r')
                message_cut(h, hs, d, true);
            break;
        }
        case D_CHUNK_SIZE: {
            const char *lf = memchr(p, '\n', n);
            size_t k = lf ? (size_t)(lf - p) : n;
            for (size_t i = 0; i < k && d->chunk_len < CHUNK_LINE; i++)
                d->chunk_line[d->chunk_len++] = p[i];
            d->line_bytes += k;
            later(&d->last_us, ts);
            p += lf ? k + 1 : k;
            n -= lf ? k + 1 : k;
            if (d->line_bytes > LIMIT_HTTP_HEADERS) { /* extensions without end */
                message_cut(h, hs, d, true);
                break;
            }
            if (!lf)
                break;
            struct span line = drop_cr((struct span){ d->chunk_line, d->chunk_len }), size;
            span_cut(&line, ';', &size);
            size = span_trim(size);
            uint64_t v = 0;
            bool ok = size.n > 0 && size.n <= 15;
            for (size_t i = 0; ok && i < size.n; i++) {
                int x = span_hex_digit(size.p[i]);
                ok = x >= 0;
                v = v * 16 + (uint64_t)(x < 0 ? 0 : x);
            }
            d->chunk_len = 0;
            d->line_bytes = 0;
            if (!ok) {
                message_cut(h, hs, d, true);
            } else if (v == 0) {
                d->st = D_TRAILERS;
                d->line_blank = true;
                d->trailer_bytes = 0;
            } else {
                d->remaining = v;
                d->st = D_CHUNK_DATA;
            }
            break;
        }
        case D_TRAILERS: {
            bool end = false;
            size_t i = to_blank_line(d, p, n, &end);
            d->trailer_bytes += i;
            later(&d->last_us, ts);
            p += i;
            n -= i;
            if (d->trailer_bytes > LIMIT_HTTP_HEADERS)
                message_cut(h, hs, d, false);
            else if (end)
                message_done(h, hs, d);
            break;
        }
        case D_BODY_CLOSE:
            body_bytes(h, d, p, n, ts);
            later(&d->last_us, ts);
            n = 0;
            break;
        case D_IGNORE:
            n = 0;
            break;
        }
    }
}

/* ---- the callbacks ---- */

static struct http_stream *stream_of(struct decode_http *h, struct tcp_stream *s)
{
    if (!s->user)
        s->user = stream_new(h, s);
    return s->user;
}

static void cb_data(void *ctx, struct tcp_stream *s, enum tcp_dir dir, const uint8_t *p, size_t n,
                    int64_t ts_us)
{
    struct decode_http *h = ctx;
    if (!n)
        return;
    dir_feed(h, stream_of(h, s), (int)dir, (const char *)p, n, ts_us);
}

static void cb_gap(void *ctx, struct tcp_stream *s, enum tcp_dir dir, uint64_t missing,
                   int64_t ts_us)
{
    (void)missing;
    (void)ts_us;
    struct decode_http *h = ctx;
    struct http_stream *hs = stream_of(h, s);
    if (hs->upgraded)
        return;
    struct http_dir *d = &hs->dir[dir];
    message_cut(h, hs, d, false);
}

static void cb_end(void *ctx, struct tcp_stream *s, enum tcp_end_reason why, int64_t ts_us)
{
    struct decode_http *h = ctx;
    struct http_stream *hs = s->user;
    if (!hs)
        return;
    if (!hs->upgraded) {
        for (int i = 0; i < 2; i++) {
            struct http_dir *d = &hs->dir[i];
            /* A body delimited by the close ends when the sender closes (RFC
             * 9112 §6.3): its FIN, or a RST; not when the capture stops. */
            if (d->st == D_BODY_CLOSE && why == TCP_END_CLOSED) {
                int64_t at = s->fin_us[i] ? s->fin_us[i] : ts_us;
                if (at > d->last_us)
                    d->last_us = at;
                message_done(h, hs, d);
            } else {
                message_cut(h, hs, d, false);
            }
        }
        /* Requests never answered. */
        for (; hs->q_len; queue_pop(hs))
            if (!queue_front(hs)->dead)
                h->stats.incomplete++;
    }
    stream_free(hs);
    s->user = NULL;
}

/* ---- public ---- */

struct decode_http *decode_http_new(const struct decode_options *opt, decode_http_emit emit_fn,
                                    void *ctx)
{
    struct decode_http *h = xcalloc(1, sizeof *h);
    h->wanted = opt ? opt->wanted : NULL;
    h->n_wanted = opt ? opt->n_wanted : 0;
    h->emit = emit_fn;
    h->ctx = ctx;
    h->heads.max = LIMIT_HTTP_MEMORY / 2;
    h->bodies.max = LIMIT_HTTP_MEMORY / 2;
    return h;
}

void decode_http_callbacks(struct decode_http *h, struct tcp_callbacks *cb)
{
    cb->ctx = h;
    cb->data = cb_data;
    cb->gap = cb_gap;
    cb->end = cb_end;
}

const struct decode_http_stats *decode_http_stats(const struct decode_http *h) { return &h->stats; }

void decode_http_free(struct decode_http *h)
{
    if (!h)
        return;
    free(h->scratch);
    free(h->prep);
    free(h);
}
