/*
 * event.h - one log line, exchange or span, as the matcher sees it: a time, a
 * duration and named attributes. A decoder fills a caller-owned struct event
 * that is reused for every record (no allocation per record); every span in it
 * is borrowed from the source's buffer or the decoder's scratch and is valid
 * only until the decoder's next call. A stage that keeps one copies it.
 */
#ifndef TEMPO_EVENT_H
#define TEMPO_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"
#include "span.h"

enum attr_type {
    ATTR_STRING, /* text; may still look like a number ("200") */
    ATTR_NUMBER, /* JSON number; value holds its text */
    ATTR_BOOL,   /* value is "true" or "false" */
    ATTR_NULL,   /* JSON null or an access log's "-" is simply absent instead */
};

struct attr {
    struct span name;  /* borrowed: decoder's format program or source buffer */
    struct span value; /* borrowed: source buffer or decoder scratch */
    enum attr_type type;
};

struct event {
    int64_t start_us;    /* µs UTC: request start (log time minus request time) */
    int64_t end_us;      /* µs UTC: response end; == start_us when unknown */
    bool has_duration;   /* end_us - start_us was measured, not assumed */
    bool has_utc_offset; /* the record's time carried an offset from UTC ("+0200", "Z") */
    int utc_offset_s;    /* that offset, seconds east of UTC */
    uint64_t line;       /* 1-based line (or record) number in its source */
    unsigned n_attrs;
    struct attr attrs[LIMIT_ATTRS];
};

/* Forget every attribute and time; keeps nothing. */
void event_reset(struct event *ev);

/* Append an attribute; returns false (and adds nothing) when LIMIT_ATTRS is reached. */
bool event_add(struct event *ev, struct span name, struct span value, enum attr_type type);

/* The first attribute called `name`, or NULL. Names are compared byte for byte;
 * decoders store header names in lower case. */
const struct attr *event_get(const struct event *ev, struct span name);

#endif
