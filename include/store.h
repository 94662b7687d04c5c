/*
 * store.h - the SQLite store of calls and reads. Only store.c knows SQL. A store
 * is in memory (path NULL) or a file (--db). Writes go in batches: one
 * transaction per LIMIT_STORE_BATCH events or per source end, so that inserts
 * are cheap and a killed run loses at most an uncommitted batch.
 *
 * Schema version lives in PRAGMA user_version; a file written by a newer Tempo
 * is refused (exit 2). Every string handed in is copied by SQLite; every row
 * handed out by a scan borrows SQLite's memory until the callback returns.
 */
#ifndef TEMPO_STORE_H
#define TEMPO_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "match.h"
#include "source.h"

struct store;

/* Open (and create or migrate) the store; path NULL: in memory. `site_names`
 * are the rules' sites in order; their ids are their indexes. */
struct store *store_open(const char *path, const struct span *site_names, unsigned n_sites,
                         struct err *e) WARN_UNUSED;
void store_close(struct store *st);

/* Record a source about to be read; *source_id names it in later calls. */
int store_begin_source(struct store *st, const char *path, int64_t *source_id,
                       struct err *e) WARN_UNUSED;
/* Write a call or a read of the current batch (a transaction is opened on demand
 * and committed every LIMIT_STORE_BATCH rows). */
int store_put_call(struct store *st, int64_t source_id, const struct match_call *c,
                   struct err *e) WARN_UNUSED;
int store_put_read(struct store *st, int64_t source_id, const struct match_read *r,
                   struct err *e) WARN_UNUSED;
/* Finish a source: store its counters and the time span its events cover
 * (min_us > max_us when it had none), and commit. */
int store_end_source(struct store *st, int64_t source_id, const struct source_stats *stats,
                     int64_t min_us, int64_t max_us, struct err *e) WARN_UNUSED;

/* The sources recorded, in order, with their time span. Strings in *out are
 * allocated in `a`. */
struct store_source {
    struct source_stats stats;
    int64_t min_us, max_us;
};
int store_sources(struct store *st, struct arena *a, struct store_source **out, unsigned *n,
                  struct err *e) WARN_UNUSED;

/* ---- scans for the analysis; rows valid only during the callback ---- */

struct store_call_row {
    unsigned site;
    struct span by, key; /* empty when absent */
    int64_t start_us, ready_us, latency_us; /* latency -1: unknown */
    int64_t tokens_in, tokens_out;          /* -1: unknown */
};
struct store_read_row {
    unsigned site;
    struct span key, by; /* key empty for bulk */
    bool bulk;
    int64_t at_us;
};

/* Calls ordered by site, key, start_us. A callback returning non-zero stops the
 * scan and is returned. */
int store_scan_calls(struct store *st, int (*fn)(void *ctx, const struct store_call_row *row),
                     void *ctx, struct err *e) WARN_UNUSED;
/* Keyed reads ordered by site, key, at_us. */
int store_scan_keyed_reads(struct store *st,
                           int (*fn)(void *ctx, const struct store_read_row *row), void *ctx,
                           struct err *e) WARN_UNUSED;
/* Bulk reads ordered by site, at_us. */
int store_scan_bulk_reads(struct store *st,
                          int (*fn)(void *ctx, const struct store_read_row *row), void *ctx,
                          struct err *e) WARN_UNUSED;

#endif
