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
/* What a capture's reading counted (PRODUCT.md §2, issue 7): frames and
 * streams from the TCP reassembler, exchanges from the HTTP decoder, and
 * what was skipped, by reason. All zero for a log. */
enum source_capture_count {
    CAP_PACKETS,        /* frames read */
    CAP_STREAMS,        /* TCP connections */
    CAP_EXCHANGES,      /* HTTP exchanges turned into events */
    CAP_INCOMPLETE,     /* exchanges cut by loss, the capture's end or a limit */
    CAP_BYTES_SKIPPED,  /* TCP payload bytes lost or dropped, and HTTP bytes skipped to resync */
    CAP_NOT_TCP,        /* frames that were not TCP over IP */
    CAP_FRAGMENTS,      /* IP fragments (skipped) */
    CAP_MALFORMED,      /* frames or HTTP messages that could not be read */
    CAP_EVICTED,        /* streams ended by LIMIT_TCP_STREAMS or LIMIT_TCP_IDLE_US */
    CAP_BODIES_UNREAD,  /* JSON bodies whose fields were not read: too large or not JSON */
    CAP_COUNT
};
extern const char *const source_capture_count_names[CAP_COUNT]; /* "packets", ... */

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
    bool is_capture;     /* counted[] holds a capture's counts */
    uint64_t counted[CAP_COUNT];
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

/* The input as bytes rather than lines (gzip inflated), starting with what
 * source_peek() saw: up to n bytes into dst, *got 0 at the end. For binary
 * inputs (captures); do not mix with source_next_line(). */
int source_read(struct source *s, void *dst, size_t n, size_t *got, struct err *e) WARN_UNUSED;

/* Next line, without its "\n" or "\r\n". Returns 1 with *line set, 0 at the end
 * of input, -1 on a read or inflate error (exit 3 for I/O, 2 for corrupt gzip).
 * A final line without "\n" is returned too. Over-long lines are counted as
 * skipped (reason "line longer than 1 MiB") and not returned. */
int source_next_line(struct source *s, struct span *line, struct err *e) WARN_UNUSED;

/* ---- reading again where the last run stopped (--db, issue 8) ---- */

/* Bytes of the content (inflated, for gzip) before the next line: after the
 * last line source_next_line() returned, its end of line included. */
uint64_t source_offset(const struct source *s);
/* With `hold` set, a last line without its end of line is not returned: a
 * log being written may not have finished it; it is read when it ends. */
void source_hold_partial(struct source *s, bool hold);
/* Device, inode and size of a regular file; false for standard input, pipes
 * and other special files. */
bool source_file_id(const struct source *s, uint64_t *dev, uint64_t *ino, uint64_t *size);
/* Skip to byte `offset` of the content (forward only; gzip is inflated up to
 * it), numbering the next line lines_before + 1. Past the end: at the end. */
int source_seek(struct source *s, uint64_t offset, uint64_t lines_before,
                struct err *e) WARN_UNUSED;

/* Count line `line` of this source as skipped for `reason` (static string). */
void source_skip(struct source *s, uint64_t line, const char *reason);

/* The source's counters, updated as it is read; the caller may set format,
 * events and matched. */
struct source_stats *source_stats(struct source *s);

/* Close the file and free the buffers. */
void source_close(struct source *s);

/* ---- captures (source_pcap.c, issue 7) ---- */
/* A capture is read through libpcap (only source_pcap.c includes <pcap.h>)
 * with microsecond timestamps. A pcapng file whose interfaces have different
 * link types reports the first interface's: libpcap does not say which
 * interface a frame came from through this API, so frames of the others are
 * handed out as if they were of that type (tcp_packet() counts what it cannot
 * read). Frames are borrowed from libpcap's buffer until the next call. */

/* True when `head` (the first bytes of an input, gzip already inflated) starts
 * like a pcap (any byte order, µs or ns) or pcapng file. */
bool source_is_capture(struct span head);
struct source_capture;
/* Read the open source `src` (a file or standard input, plain or gzip'd,
 * its head already peeked) as a capture, through source_read(). Fails with
 * exit 2 naming the file and libpcap's reason (or the source's: corrupt gzip).
 * `src` stays the caller's: close it after source_capture_close(). */
struct source_capture *source_capture_open(struct source *src, struct err *e) WARN_UNUSED;
/* The link type (LINKTYPE_ number) of the capture, for tcp_new(). */
int source_capture_linktype(const struct source_capture *c);
/* Next frame: 1 with *p, *caplen, *len and *ts_us (µs UTC; ns captures are
 * rounded down), 0 at the end, -1 on a damaged file (exit 2 naming the file and
 * the record number; what was read before stays good). A record header that
 * lies about its length is libpcap's to refuse: report it, do not crash.
 * *p is borrowed: valid until the next call. */
int source_capture_next(struct source_capture *c, const uint8_t **p, size_t *caplen,
                        size_t *len, int64_t *ts_us, struct err *e) WARN_UNUSED;
/* Bytes read so far (compressed for gzip) and frames, for progress and stats. */
uint64_t source_capture_bytes(const struct source_capture *c);
uint64_t source_capture_frames(const struct source_capture *c);
/* Free everything but the source; NULL is allowed. */
void source_capture_close(struct source_capture *c);

#endif
