/*
 * source.h - input files as lines. A source reads a file or standard input
 * ("-") in large blocks, inflating gzip (told by its magic number) with zlib,
 * and hands out lines as spans into its own buffer: valid until the next call.
 * No syscall and no allocation per line. A line longer than LIMIT_LINE is
 * skipped whole and counted, never cut into a wrong record.
 *
 * A source also keeps the counts a report shows about it: lines, events,
 * skipped lines and the first LIMIT_FIRST_ERRORS reasons with their line
 * numbers. Decoders report their skips through source_skip().
 */
#ifndef TEMPO_SOURCE_H
#define TEMPO_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "limits.h"
#include "span.h"

struct source_error {
    uint64_t line;      /* 1-based */
    const char *reason; /* static string from the decoder or the source */
};

/* What a report says about one input. Plain data, copied freely. */
struct source_stats {
    const char *path;   /* borrowed: argv ("-" for standard input) */
    const char *format; /* static: the decoder's name, or NULL before detection */
    bool is_gzip;
    uint64_t bytes;     /* bytes read from the file (compressed size for gzip) */
    uint64_t lines;     /* lines seen, skipped ones included */
    uint64_t events;    /* records the decoder turned into events */
    uint64_t matched;   /* events a call or read rule matched */
    uint64_t skipped;   /* lines the source or the decoder refused */
    bool has_utc_offset; /* a timestamp carried an offset from UTC */
    int utc_offset_s;    /* the first such offset, seconds east of UTC */
    unsigned n_errors;
    struct source_error errors[LIMIT_FIRST_ERRORS];
};

struct source;

/* Open `path` ("-": standard input). Fails (exit 2) when it cannot be opened,
 * is a directory, or its gzip header is damaged. */
struct source *source_open(const char *path, struct err *e) WARN_UNUSED;

/* The first bytes of the (inflated) input, up to `want` bytes or the end, for
 * format detection; does not consume them. Empty span on an empty input. */
int source_peek(struct source *s, size_t want, struct span *head, struct err *e) WARN_UNUSED;

/* Next line, without its "\n" or "\r\n". Returns 1 with *line set, 0 at the end
 * of input, -1 on a read or inflate error (exit 3 for I/O, 2 for corrupt gzip).
 * A final line without "\n" is returned too. Over-long lines are counted as
 * skipped (reason "line longer than 1 MiB") and not returned. */
int source_next_line(struct source *s, struct span *line, struct err *e) WARN_UNUSED;

/* Count line `line` of this source as skipped for `reason` (static string). */
void source_skip(struct source *s, uint64_t line, const char *reason);

/* The source's counters, updated as it is read; the caller may set format,
 * events and matched. */
struct source_stats *source_stats(struct source *s);

/* Close the file and free the buffers. */
void source_close(struct source *s);

#endif
