/*
 * store.h - the SQLite store of calls and reads. Only store.c knows SQL. A store
 * is in memory (path NULL) or a file (--db). Writes go in batches: one
 * transaction per LIMIT_STORE_BATCH rows or per source end, so that inserts
 * are cheap and a killed run loses at most an uncommitted batch.
 *
 * Schema version lives in PRAGMA user_version; a file written by a newer Tempo
 * is refused (exit 2). Every span handed in is copied (or hashed) before the
 * call returns. Rows handed out by a scan are plain integers, valid only during
 * the callback.
 *
 * What is kept of a row: a result key only as its 64-bit hash (span_hash):
 * keys are only ever compared for equality, and 8 bytes instead of a 36-byte
 * request id halve the store's memory and insert time. by= values are interned
 * as labels (small integer ids, text in their own table), so an analysis
 * groups on integers and reads the text of the few labels it reports.
 */
#ifndef TEMPO_STORE_H
#define TEMPO_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "match.h"
#include "source.h"

struct store;

/* ---- life cycle ---- */

/* Open (and create or migrate) the store; path NULL: in memory. `site_names`
 * are the rules' sites in order; rows are stored and scanned with their index
 * in this array. Fails with exit 2 when the file has a newer schema, exit 3 on
 * any SQLite error; the message names the file (":memory:" for none). */
struct store *store_open(const char *path, const struct span *site_names, unsigned n_sites,
                         struct err *e) WARN_UNUSED;
/* Close; a batch not yet committed (an error ended the run) is rolled back. */
void store_close(struct store *st);

/* ---- ingestion ---- */

/* Record a source about to be read; *source_id names it in later calls. */
int store_begin_source(struct store *st, const char *path, int64_t *source_id,
                       struct err *e) WARN_UNUSED;
/* Write a call or a read of the current batch (a transaction is opened on demand
 * and committed every LIMIT_STORE_BATCH rows). Empty key, key2, by: stored as NULL;
 * latency and tokens < 0: NULL. */
int store_put_call(struct store *st, int64_t source_id, const struct match_call *c,
                   struct err *e) WARN_UNUSED;
int store_put_read(struct store *st, int64_t source_id, const struct match_read *r,
                   struct err *e) WARN_UNUSED;
/* Finish a source: store its counters and the time span its events cover
 * (min_us > max_us when it had none), and commit. */
int store_end_source(struct store *st, int64_t source_id, const struct source_stats *stats,
                     int64_t min_us, int64_t max_us, struct err *e) WARN_UNUSED;

/* ---- a writer thread (store_writer.c) ----
 *
 * Decoding and matching on one core, SQLite's inserts on the other: the
 * caller's thread copies each call or read (with its key and by= bytes) into
 * a batch; a background thread writes full batches with store_put_call/read.
 * Two batches alternate, so the caller waits only when the writer is a whole
 * batch behind. Between store_writer_start() and store_writer_finish() the
 * caller must not touch the store itself. */
struct store_writer;

/* Start a writer for `source_id` of `st`. Fails (exit 3) if no thread starts. */
struct store_writer *store_writer_start(struct store *st, int64_t source_id,
                                        struct err *e) WARN_UNUSED;
/* Queue a call or a read (copied). Returns -1 with *e once the writer has
 * failed (the error is the writer's: SQLite's). */
int store_writer_call(struct store_writer *w, const struct match_call *c,
                      struct err *e) WARN_UNUSED;
int store_writer_read(struct store_writer *w, const struct match_read *r,
                      struct err *e) WARN_UNUSED;
/* Write what is queued, stop the thread and free the writer (also after a
 * failure). Returns -1 with *e if any write failed. */
int store_writer_finish(struct store_writer *w, struct err *e) WARN_UNUSED;

/* ---- reading back ---- */

/* The sources recorded, in order, with their time span (min_us > max_us when
 * they had no event). Strings in *out are allocated in `a`. */
struct store_source {
    struct source_stats stats;
    int64_t min_us, max_us; /* µs UTC */
};
int store_sources(struct store *st, struct arena *a, struct store_source **out, unsigned *n,
                  struct err *e) WARN_UNUSED;

/* The text of label `id` (a row's `by`), copied into `a`. */
int store_label(struct store *st, int64_t id, struct arena *a, struct span *out,
                struct err *e) WARN_UNUSED;

/* ---- scans for the analysis: storage order, no sort; rows of sites that the
 * store_open() names do not include are left out ---- */

#define STORE_NO_LABEL 0 /* `by` of a row without a by= value; label ids start at 1 */

struct store_call_row {
    unsigned site;          /* index into store_open()'s site_names */
    int64_t by;             /* label id, or STORE_NO_LABEL */
    bool has_key;
    uint64_t key;           /* span_hash of the key, when has_key */
    bool has_alt_key;       /* the call's second key (key=A,B): reads of either find it */
    uint64_t alt_key;       /* span_hash of that key, when has_alt_key */
    int64_t start_us, ready_us; /* µs UTC */
    int64_t latency_us;     /* µs; -1: unknown */
    int64_t tokens_in, tokens_out; /* -1: unknown */
};
struct store_read_row {
    unsigned site;
    bool bulk;
    bool has_key;           /* false for bulk reads */
    uint64_t key;           /* span_hash of the key, when has_key */
    int64_t at_us;          /* µs UTC: when the reader asked */
    int64_t by;             /* label id, or STORE_NO_LABEL */
};

/* How many calls and reads are stored: a scan's arrays can be sized once. */
int store_count(struct store *st, uint64_t *calls, uint64_t *reads, struct err *e) WARN_UNUSED;

/* Every call, then every read. A callback returning non-zero stops the scan and
 * is returned; SQLite errors are -1 (exit 3). */
int store_scan_calls(struct store *st, int (*fn)(void *ctx, const struct store_call_row *row),
                     void *ctx, struct err *e) WARN_UNUSED;
int store_scan_reads(struct store *st, int (*fn)(void *ctx, const struct store_read_row *row),
                     void *ctx, struct err *e) WARN_UNUSED;

#endif
