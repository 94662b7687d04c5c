/*
 * match.h - the matcher: applies the rules' `call` and `read` rules to an event.
 * An event is a call of the first call rule that matches it, and a read of every
 * read rule that matches it (several sites may share one results API). Events
 * that no rule matches produce nothing and cost nothing more.
 *
 * The spans in a struct match_out borrow from the event (valid until the
 * decoder's next call); the store copies what it keeps.
 */
#ifndef TEMPO_MATCH_H
#define TEMPO_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "rules.h"

#define MATCH_MAX_READS 16 /* read rules one event can match; more are ignored */

struct match_call {
    unsigned site;      /* index into rules.sites */
    unsigned rule;      /* index into rules.calls */
    struct span by;     /* by= value; empty when none */
    struct span key;    /* empty when the call has no key (only bulk reads find it) */
    struct span key2;   /* the second key (key=A,B): reads of either find it; empty: none */
    int64_t start_us;   /* request start: when its input existed */
    int64_t ready_us;   /* response end: when its result existed */
    int64_t latency_us; /* ready - start, or -1 when the log has no duration */
    int64_t tokens_in;  /* -1 when unknown */
    int64_t tokens_out; /* -1 when unknown */
};

struct match_read {
    unsigned site;
    unsigned rule;   /* index into rules.reads */
    struct span key; /* empty for a bulk read */
    bool bulk;
    int64_t at_us;   /* the read's start: when the reader asked */
    struct span by;  /* who reads (by= of the read rule); empty when none */
};

struct match_out {
    bool has_call;
    struct match_call call;
    unsigned n_reads;
    struct match_read reads[MATCH_MAX_READS];
};

struct matcher;

/* Prepare the rules for matching; allocated in `a`, which must outlive it. */
struct matcher *match_new(const struct rules *r, struct arena *a);

/* Every attribute name the matcher may read: the rules' key=, by= and
 * `where` attributes, method, path and the token-count names. Decoders of rich
 * records extract only these. Valid while the matcher lives. */
const struct span *match_wanted(const struct matcher *m, unsigned *n);

/* Match one event; fills *out and returns true when it is a call or a read. */
bool match_event(struct matcher *m, const struct event *ev, struct match_out *out);

#endif
