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
/* Claim a store file for this run (nothing for one in memory): a writer (an
 * ingest) alone, readers together; waits up to STORE_LOCK_WAIT_MS for another
 * tempo to finish, then fails (exit 2) saying the store is in use. Then checks
 * that the store was made with rules of the same `match_digest` (rules.h), or
 * records it in a new store: other rules would mix two sets of calls and
 * reads, so they are refused (exit 2) with the command that rebuilds it. */
#define STORE_LOCK_WAIT_MS 10000
int store_claim(struct store *st, bool writer, uint64_t match_digest, const char *rules_path,
                struct err *e) WARN_UNUSED;
/* Record that this store holds shard `index` of `count` (tempo ingest --shard
 * I/N; count 0: every call and read), or refuse (exit 2) when it holds rows of
 * another split. */
int store_set_shard(struct store *st, unsigned index, unsigned count,
                    struct err *e) WARN_UNUSED;
/* Add everything the store file `path` holds to `st` (tempo audit --db A --db
 * B): its sources, calls and reads, with sites and labels matched by name and
 * text. `path` must have been made with rules of the same match_digest. The
 * shards of one split (same N) give exactly one store's figures: a source they
 * all read counts once (its matched events summed), and their bulk reads, which
 * every shard keeps, are taken from shard 1 only. */
int store_merge(struct store *st, const char *path, uint64_t match_digest,
                const char *rules_path, struct err *e) WARN_UNUSED;
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
/* ---- reading on where the last run stopped (--db, issue 8) ----
 *
 * A source's content is known by a fingerprint of its first bytes (the hash of
 * the first fp_len, at most STORE_FP_BYTES), not by its name: a log renamed by
 * rotation, copied by copytruncate or gzip'd is the same content; a log
 * truncated in place, or a new file on a reused inode, is new content. Logs
 * are "resumable": the events of a batch and the byte offset they end at are
 * committed in one transaction (store_checkpoint), so a run killed at any
 * moment goes on from the last commit, losing and repeating nothing. Captures,
 * OTLP and standard input are read whole: a run killed while reading one
 * leaves it unfinished, and the next store_purge_unfinished() removes it. */
#define STORE_FP_BYTES 4096

struct store_identity {
    uint64_t fp_len, fp_hash; /* fp_len 0: none (standard input, an empty file) */
    bool has_file;            /* dev, ino and size are a regular file's */
    uint64_t dev, ino, size;
    bool resumable;           /* a log read line by line, resumed at an offset */
};
/* The identity of an input from its first bytes `head` and its file. */
void store_identity_of(struct span head, bool has_file, uint64_t dev, uint64_t ino,
                       uint64_t size, bool resumable, struct store_identity *id);
/* A snapshot of a source's counts at a line boundary: what a checkpoint keeps. */
struct store_mark {
    uint64_t offset;         /* content bytes read (inflated, for gzip) */
    uint64_t bytes, lines, events, matched, skipped;
    unsigned n_errors;       /* of the source's errors[] recorded so far */
    int64_t min_us, max_us;  /* min_us > max_us: no event yet */
    bool has_utc_offset;
    int utc_offset_s;
};
/* What the store has of a content already seen. */
struct store_resume {
    int64_t source_id;
    bool complete;           /* read whole before */
    struct store_mark mark;  /* where it stopped and the counts so far */
};
/* Look up content `id` among the sources read before: *found false when new.
 * A resumable log matches a log whose fingerprint is a prefix of this one
 * (same device and inode preferred); a whole input matches a complete one
 * with the same fingerprint and size. */
int store_find_source(struct store *st, struct span head, const struct store_identity *id,
                      bool *found, struct store_resume *out, struct err *e) WARN_UNUSED;
/* Record a new source with its identity (store_begin_source plus identity). */
int store_begin_identified(struct store *st, const char *path, const struct store_identity *id,
                           int64_t *source_id, struct err *e) WARN_UNUSED;
/* Go on with source `source_id`, now read from `path` with identity `id`. */
int store_resume_source(struct store *st, int64_t source_id, const char *path,
                        const struct store_identity *id, struct err *e) WARN_UNUSED;
/* Write the rows put so far, the source's counts and offset `m`, and its bad
 * lines errors[from..m->n_errors) (at most LIMIT_FIRST_ERRORS in all), and
 * commit them together. `format` may be NULL (not known yet). */
int store_checkpoint(struct store *st, int64_t source_id, const struct store_mark *m,
                     const char *format, bool is_gzip, const struct source_error *errors,
                     unsigned from, struct err *e) WARN_UNUSED;
/* While set, rows are committed only by store_checkpoint(), never by the
 * LIMIT_STORE_BATCH count: no row of a line is committed without its offset. */
void store_hold_commits(struct store *st, bool hold);
/* How many sources a tempo before schema 4 recorded: without a fingerprint,
 * they cannot be known again (reading one of them again counts it twice). */
int store_count_unknown(struct store *st, unsigned *n, struct err *e) WARN_UNUSED;
/* How many sources read whole no run finished (an ingest was killed while
 * reading them): audits leave them and their rows out. */
int store_count_unfinished(struct store *st, unsigned *n, struct err *e) WARN_UNUSED;
/* Remove the sources read whole that no run finished, with their rows; the
 * number removed in *n. */
int store_purge_unfinished(struct store *st, unsigned *n, struct err *e) WARN_UNUSED;

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
/* Make the writer resumable: it commits only at marks, each batch's rows up
 * to its last mark with that mark (store_checkpoint), so that no row is
 * committed without the offset of its line. `live` is the caller's source
 * counts (its format and errors are read at each checkpoint; entries below a
 * mark's n_errors must not change); `errors_stored` of them are stored. */
void store_writer_resumable(struct store_writer *w, const struct source_stats *live,
                            unsigned errors_stored);
/* Whether the next line boundary should be marked: only near the end of a
 * batch, so that lines pay nothing for checkpoints the rest of the time
 * (unmarked lines are read again after a kill, their counts taken again from
 * the last mark: nothing is lost or repeated). */
bool store_writer_wants_mark(const struct store_writer *w);
/* A line boundary: every call and read queued so far came from the content
 * before m->offset. */
void store_writer_mark(struct store_writer *w, const struct store_mark *m);
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
