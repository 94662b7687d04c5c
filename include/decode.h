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

enum decode_result { DECODE_OK = 0, DECODE_SKIP = 1 };

enum logformat_kind { LOGFORMAT_NGINX, LOGFORMAT_APACHE };

/* A log format as a user wrote it: nginx `log_format` text ($variables) or an
 * Apache `LogFormat` string (%directives). Presets "combined" and "common"
 * exist without being declared. */
struct logformat {
    const char *name;   /* borrowed: rules arena or static */
    struct span text;   /* borrowed: rules arena or static */
    enum logformat_kind kind;
};

struct decode_options {
    const struct logformat *formats; /* declared in the rules, tried before the presets */
    unsigned n_formats;
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
};

/* Access logs: nginx log_format and Apache LogFormat, presets combined/common. */
extern const struct decoder decode_access;

/* Every line decoder, in the order detection tries them; NULL-terminated. */
extern const struct decoder *const decode_all[];

/* Pick the decoder for an input that starts with `head`: the one opt->force
 * names, else the best detect() score. Fails (exit 2) when none fits or the
 * forced name is unknown; the message names `path`. */
int decode_choose(const struct decode_options *opt, const char *path, struct span head,
                  struct arena *a, const struct decoder **dec, struct decoder_state **st,
                  struct err *e) WARN_UNUSED;

/* ---- the log-format compiler, public so that the rules checker can lint ---- */

struct decode_logformat;

/* Compile a format once into a program of literals and fields. On failure
 * returns NULL with *err_off = byte offset in `text` and *err_msg a static
 * message ("unknown variable '$foo'" is made in `a`). */
struct decode_logformat *decode_logformat_compile(struct arena *a, struct span text,
                                                  enum logformat_kind kind, unsigned *err_off,
                                                  const char **err_msg);

/* Run a compiled format over one line. `scratch` holds at least
 * 2 * line.n + 1024 bytes; unescaped values and made names ("query.a") are
 * written there and borrowed by *ev. */
enum decode_result decode_logformat_run(const struct decode_logformat *f, struct span line,
                                        struct event *ev, char *scratch, const char **reason);

#endif
