/*
 * decode.h - decoders turn one input record (a log line) into an event. Each
 * format is one file with one `const struct decoder`, listed in decode_all[].
 * A decoder fills a caller-owned, reused struct event; the spans it sets borrow
 * from the line or from the decoder's own scratch, valid until its next call.
 * A record that does not fit yields DECODE_SKIP and a static reason string: no
 * allocation, no error state, the run goes on.
 */
#ifndef TEMPO_DECODE_H
#define TEMPO_DECODE_H

#include <stdbool.h>

#include "arena.h"
#include "err.h"
#include "event.h"
#include "span.h"
#include "tcp.h"

enum decode_result {
    DECODE_OK = 0,   /* *ev holds an event */
    DECODE_SKIP = 1, /* the record is malformed: *reason says why */
    DECODE_MORE = 2, /* the line was taken, the record goes on (a pretty-printed JSON
                        document spans lines): no event yet, nothing to count */
};

enum logformat_kind { LOGFORMAT_NGINX, LOGFORMAT_APACHE };

/* A log format as a user wrote it: nginx `log_format` text ($variables) or an
 * Apache `LogFormat` string (%directives). Presets "combined" and "common"
 * exist without being declared. */
struct logformat {
    const char *name;   /* borrowed: rules arena or static */
    struct span text;   /* borrowed: rules arena or static */
    enum logformat_kind kind;
};

/* How JSON lines carry time (the rules' `jsonl` line). */
struct decode_jsonl {
    struct span time;     /* field holding the time; empty: ts, timestamp, time, @timestamp */
    bool at_start;        /* the time is the start (default: the end) */
    struct span duration; /* field holding the duration; empty: none */
    int64_t unit_ns;      /* the duration's unit in nanoseconds (ms: 1000000) */
};

struct decode_options {
    const struct logformat *formats; /* declared in the rules, tried before the presets */
    unsigned n_formats;
    /* The attribute names anything downstream may read (the matcher's list):
     * decoders of rich records (JSON) extract only these. NULL: extract all. */
    const struct span *wanted;
    unsigned n_wanted;
    struct decode_jsonl jsonl;
    const char *force; /* NULL: detect; else a decoder name ("access") or a format name */
};

struct decoder_state;

struct decoder {
    const char *name; /* what --input-format names it by */
    /* Make the decoder's state in arena `a` (which outlives it). Fails with exit 2
     * on a bad option, e.g. a format string that does not compile. */
    struct decoder_state *(*open)(const struct decode_options *opt, struct arena *a,
                                  struct err *e);
    /* How well the first bytes of an input fit: 0 not at all, 100 every line. May
     * settle the decoder's internal choice (e.g. which log format). */
    int (*detect)(struct decoder_state *st, struct span head);
    /* Decode one line (no end of line) into *ev (reset by the decoder). */
    enum decode_result (*line)(struct decoder_state *st, struct span line, struct event *ev,
                               const char **reason);
    /* The name a report gives the format in use: "nginx", "apache", "jsonl"... */
    const char *(*format_name)(const struct decoder_state *st);
    /* After line() gave DECODE_OK: the next event of the same record (an OTLP
     * line holds many spans). DECODE_OK with *ev filled, DECODE_SKIP for a
     * malformed one (counted, and the walk goes on), DECODE_MORE when the
     * record has no more events. NULL for one event per record. */
    enum decode_result (*next)(struct decoder_state *st, struct event *ev, const char **reason);
    /* At the end of input, or when the run stops early: releases what the
     * decoder holds and gives a reason when a record was left incomplete (a
     * JSON document never closed), else NULL. NULL for decoders that hold
     * nothing between lines. */
    const char *(*end)(struct decoder_state *st);
};

/* Access logs: nginx log_format and Apache LogFormat, presets combined/common.
 *
 * Attributes (PRODUCT.md §2), all ATTR_STRING; a value "-" is absent, an empty
 * one is present and empty:
 *   $request, %r      request, method, path (no query), query.NAME, protocol
 *                     (the last word, when it starts with "HTTP/")
 *   $request_uri      request_uri, path, query.NAME
 *   $uri, $document_uri, %U   path;   $args, $query_string, %q   query.NAME
 *   $http_NAME, %{NAME}i      header.NAME (lower case, '_' -> '-' for nginx)
 *   $sent_http_NAME, %{NAME}o resp_header.NAME (likewise)
 *   $request_method   request_method and method; $server_protocol: and protocol
 *   %{X}e env.X, %{X}n note.X, %{X}C cookie.X; other Apache directives take
 *   nginx's names: %h %a remote_addr, %l remote_logname, %u remote_user,
 *   %>s status, %b %B body_bytes_sent, %m method, %H protocol, %v %V
 *   server_name, %p server_port (%{remote}p remote_port), %I %O %S bytes_in,
 *   bytes_out, bytes_total, %L request_log_id, %D %T request_time (the value as
 *   logged: µs for %D), %t %{...}t time.
 *   Every other nginx variable keeps its own name ($request_id: request_id).
 * query.NAME: split at '&', NAME and value %-decoded with '+' as a space
 * (form encoding); a bad %-escape stays as written. Log escapes (nginx \xHH,
 * Apache \" \\ \n \t \xhh) are decoded in every field. Past LIMIT_ATTRS
 * the rest of a line's attributes are dropped.
 *
 * Times: $time_local, $time_iso8601 and $msec are the request's end (the finest
 * wins: $msec); Apache %t, %{...}t and %{begin:...}t its start, %{end:...}t its
 * end. With $request_time / %D / %T the other end is derived and has_duration
 * is set; without one, start == end. A line without a time is skipped ("no
 * time in line"); %{...}t without %z is read as UTC.
 *
 * Fields: a variable between '"' in the format is a quoted field (ends at the
 * first '"' not escaped by a backslash); $time_local (26 bytes) and %t (28)
 * have fixed widths; any other field ends at the first byte of the text after
 * it. A last field ends at the end of the line, or at a space unless its values
 * may hold one (headers, $request, $remote_user...): text after it is
 * "unexpected text after the last field". nginx upstream lists ("0.1, 0.2 :
 * 0.3") do not end at their spaces. Adjacent variables are a compile error,
 * except %U%q and $uri$is_args$args.
 *
 * open(): opt->force, if set, names the one format to use (decode_choose()
 * clears it when it names the decoder itself). detect() tries the formats in
 * order - the rules', combined, common - on up to 20 non-empty lines of the
 * head (an incomplete last line is ignored) and keeps the one that decodes
 * the most, the first on a tie; the score is the percent of lines decoded.
 * The 2 * LIMIT_LINE + 1024 bytes of scratch are taken from the arena once, by
 * the first line(). */
extern const struct decoder decode_access;

/* JSON lines: one object per line, fields by dotted path (decode_jsonl.c). */
extern const struct decoder decode_jsonl;
/* OTLP JSON traces as the Collector's file exporter writes them, one
 * {"resourceSpans": ...} object per line or one pretty-printed document
 * (decode_otlp.c). One event per span, with these attributes (wanted ones only):
 *   name; kind and status.code as lower-case short names ("server", "client",
 *   "internal", "producer", "consumer", "unspecified"; "unset", "ok", "error");
 *   status.message; trace_id, span_id, parent_span_id, link.trace_id and
 *   link.span_id (first link) in lower-case hex, base64 ids converted;
 *   scope.name, scope.version, resource.NAME; every span attribute by its own
 *   name: stringValue, bytesValue as text, intValue and doubleValue as numbers,
 *   boolValue, arrayValue's scalars joined with ','; kvlistValue is dropped.
 * Times from start/endTimeUnixNano read as text (never through a double). */
extern const struct decoder decode_otlp;

/* Every line decoder, in the order detection tries them; NULL-terminated. */
extern const struct decoder *const decode_all[];

/* Pick the decoder for an input that starts with `head`: the one opt->force
 * names, else the best detect() score (the first on a tie). opt->force may name
 * a decoder ("access"; "nginx" and "apache" mean it too) or a log format (a
 * logformat of the rules, "combined", "common": the access decoder with that
 * format only); a forced choice stands whatever its score. Fails (exit 2) when
 * none fits, the forced name is unknown or a rules format does not compile;
 * the message names `path`. */
int decode_choose(const struct decode_options *opt, const char *path, struct span head,
                  struct arena *a, const struct decoder **dec, struct decoder_state **st,
                  struct err *e) WARN_UNUSED;

/* ---- shared by the decoders ---- */

/* For detect(): the first `cap` non-blank lines of `head` (CR dropped, over-long
 * ones passed over; a last line cut by the end of head is left out unless it is
 * the only one) into lines[]; *longest gets the longest one's length. */
unsigned decode_head_lines(struct span head, struct span *lines, unsigned cap, size_t *longest);

/* Copy JSON text into out[0..cap) NUL-terminated, for cJSON, with every bare
 * number of more than 15 significant characters turned into a string ("..."),
 * so that 64-bit ids and nanosecond times keep every digit instead of passing
 * through a double. Needs cap >= 2 * text.n + 1. Returns the length written. */
size_t decode_json_prepare(struct span text, char *out, size_t cap);

/* URL form decoding of `v` into out[0..v.n): %HH and '+' (a space); a bad
 * %-escape stays as written. Returns the length written (at most v.n). */
size_t decode_url_unescape(struct span v, char *out);

/* ---- the log-format compiler, public so that the rules checker can lint ---- */

struct decode_logformat;

/* Compile a format once into a program of literals and fields (at most
 * LIMIT_FORMAT_OPS; attribute names at most LIMIT_ATTR_NAME bytes). The text is
 * the string as the server's config holds it: \" \' \\ \n \t \r are
 * unescaped, '$' is text in Apache formats and '%' in nginx ones. nginx
 * variables not known to nginx's modules and Apache directives not in
 * mod_log_config are errors. The program borrows nothing from `text`. On
 * failure returns NULL with *err_off = byte offset in `text` (of the '$' or
 * '%' that starts the faulty variable) and *err_msg a static message
 * ("unknown variable '$foo'" is made in `a`). */
struct decode_logformat *decode_logformat_compile(struct arena *a, struct span text,
                                                  enum logformat_kind kind, unsigned *err_off,
                                                  const char **err_msg);

/* Run a compiled format over one line. `scratch` holds at least
 * 2 * line.n + 1024 bytes; unescaped values and made names ("query.a") are
 * written there and borrowed by *ev. */
enum decode_result decode_logformat_run(const struct decode_logformat *f, struct span line,
                                        struct event *ev, char *scratch, const char **reason);

/* ---- HTTP/1.x exchanges from captured TCP streams (decode_http.c, issue 7) ----
 *
 * Fed by the TCP reassembler (tcp.h) of one capture, the decoder pairs each
 * stream's requests and responses (keep-alive, pipelining: responses in
 * order, HTTP/1.0 and 1.1, Content-Length, chunked with trailers,
 * close-delimited bodies, HEAD/204/304 without a body, 1xx interim responses
 * skipped) and emits one event per exchange:
 *   times: start_us = the request's first byte, end_us = the response's last
 *     byte (has_duration); attributes request_end_us, response_start_us (µs,
 *     decimal text) for the other two edges;
 *   method, path (no query), query.NAME (%-decoded), protocol, status,
 *   header.NAME (request headers, name lower case), resp_header.NAME,
 *   req.PATH / resp.PATH: the fields of a JSON body (a Content-Type ending in json, or a
 *     body that starts with '{'), up to LIMIT_HTTP_BODY bytes kept per body
 *     (past it the fields are not read; counted);
 *   text/event-stream responses: sse.first_us, sse.last_us (times of the
 *     first and last event), sse.events (count), and resp.PATH from the first
 *     `data:` JSON chunk and resp_last.PATH from the last one (`data: [DONE]`
 *     is not a chunk); resp.PATH of the last chunk also fills fields the first
 *     lacked (usage.* arrives last), so `resp.id` and
 *     `resp.usage.completion_tokens` work for streamed chat completions.
 * Only `opt->wanted` attributes are extracted when it is set. A capture that
 * starts mid-connection syncs on the first request or status line; a gap
 * (tcp.h) closes the exchange in progress as incomplete (counted, no event)
 * and parsing resynchronises at the next request line. Memory per stream is
 * bounded: header bytes LIMIT_HTTP_HEADERS, body bytes kept LIMIT_HTTP_BODY,
 * pipelined requests waiting for their responses LIMIT_HTTP_PIPELINE. */
struct decode_http;

struct decode_http_stats {
    uint64_t exchanges;       /* events emitted */
    uint64_t incomplete;      /* exchanges cut by a gap, the end of the stream or a limit */
    uint64_t resyncs;         /* times parsing skipped bytes to find a request/status line */
    uint64_t bytes_skipped;   /* bytes not parsed while resynchronising */
    uint64_t bodies_cut;      /* JSON bodies past LIMIT_HTTP_BODY or LIMIT_HTTP_MEMORY (not read) */
    uint64_t bodies_unparsed; /* JSON bodies cJSON could not read (syntax, nesting) */
    uint64_t bad_messages;    /* request/status lines or headers that could not be parsed */
};

/* `emit` gets each exchange's event; the event and its spans are valid only
 * during the call. */
typedef void (*decode_http_emit)(void *ctx, const struct event *ev);

struct decode_http *decode_http_new(const struct decode_options *opt, decode_http_emit emit,
                                    void *ctx) WARN_UNUSED;
/* The callbacks to give tcp_new(): every stream of the capture goes to `h`. */
void decode_http_callbacks(struct decode_http *h, struct tcp_callbacks *cb);
const struct decode_http_stats *decode_http_stats(const struct decode_http *h);
/* Free the decoder (after tcp_flush(): every stream has ended). */
void decode_http_free(struct decode_http *h);

/* ---- a baseline: a JSON report of an earlier run (decode_baseline.c) ----
 *
 * `tempo gate --baseline FILE` compares this run with a report written by
 * `tempo audit --format json` or `tempo report` (PRODUCT.md §6, schema 1).
 * Only what the gate needs is kept; every span lives in the arena. */
struct baseline_site {
    struct span name;
    bool has_by;
    struct span by;
    struct span verdict;     /* "batch", "realtime", ... */
    bool kept;
    bool has_p50_wait;
    double p50_wait_s;       /* wait_s.p50 */
    uint64_t calls;
};

struct baseline_finding {
    struct span kind;        /* "fake_urgency" or "drift" */
    struct span site;
    bool has_by;
    struct span by;
};

struct baseline {
    const char *path;        /* borrowed */
    struct span generated_at;
    struct span window_start, window_end; /* "" when null */
    double delay_s;          /* rules.delay_s */
    struct baseline_site *sites;
    unsigned n_sites;
    struct baseline_finding *findings;
    unsigned n_findings;
};

/* Read and check the report at `path` (LIMIT_BASELINE bytes at most). A file
 * that cannot be read, is not JSON, is not a Tempo report ("tempo": 1) or is
 * of the wrong shape is exit 2, *e naming the file and what is wrong (for a
 * JSON syntax error: its line and column). */
int decode_baseline(const char *path, struct arena *a, struct baseline *out,
                    struct err *e) WARN_UNUSED;
/* The same on a report already in memory (`path` names it in messages): the
 * bytes are only borrowed during the call, need no NUL after them, and may be
 * anything (the fuzz target feeds them). Unknown fields are ignored; "tempo"
 * above 1 is "written by a newer tempo"; nesting past cJSON's
 * CJSON_NESTING_LIMIT (1000) is refused before cJSON sees it. */
int decode_baseline_parse(const char *path, struct span text, struct arena *a,
                          struct baseline *out, struct err *e) WARN_UNUSED;

#endif
