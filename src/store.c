/*
 * store.c - the SQLite store (store stage, STYLE.md §7): schema migrations by
 * PRAGMA user_version, statements prepared once, calls and reads buffered into
 * multi-row INSERTs inside one transaction per LIMIT_STORE_BATCH rows, by=
 * values interned as labels, and the unsorted scans the analysis reads back.
 * See sqlite.org pragma.html#pragma_user_version and faq.html question 19.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <string.h>
#include <stdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdlib.h>

#include "buf.h"
#include "store.h"

/* Rows per multi-row INSERT. Measured on 2M calls + 2M reads in memory: one row
 * per statement 1.67 s, 16 rows 1.10 s, 64 rows 1.07 s; 16 gets nearly all of
 * it with small statements. */
#define STORE_MULTI 16
/* Direct-mapped cache of label ids: a by= value usually repeats (a user agent,
 * a model name), so nearly every lookup is a memcmp, not a query. */
#define STORE_LABEL_CACHE 4096
#define NO_SITE UINT32_MAX

/* Migration i takes a file from schema i to i + 1; all pending ones run in one
 * transaction. Never edit a shipped entry: append a new one. calls and reads
 * carry no REFERENCES: the parent lookup per row cost 23% of the insert time,
 * and this file is their only writer. */
/* A source read whole (a capture, OTLP, standard input) no run finished, and
 * (a WHERE condition on a row of calls or reads) a row of one. */
#define UNFINISHED_WHOLE "complete = 0 AND resumable = 0"
#define UNFINISHED " source_id IN (SELECT id FROM sources WHERE " UNFINISHED_WHOLE ")"

static const char *const store_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE sites(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE labels(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
    "CREATE TABLE sources(id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
    " identity TEXT, resume_offset INTEGER, format TEXT, gzip INTEGER NOT NULL DEFAULT 0,"
    " bytes INTEGER NOT NULL DEFAULT 0, lines INTEGER NOT NULL DEFAULT 0,"
    " events INTEGER NOT NULL DEFAULT 0, matched INTEGER NOT NULL DEFAULT 0,"
    " skipped INTEGER NOT NULL DEFAULT 0, min_us INTEGER, max_us INTEGER,"
    " complete INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE source_errors(source_id INTEGER NOT NULL REFERENCES sources(id)"
    " ON DELETE CASCADE, line INTEGER NOT NULL, reason TEXT NOT NULL);"
    "CREATE TABLE calls(site INTEGER NOT NULL, by INTEGER, key INTEGER, alt_key INTEGER,"
    " start_us INTEGER NOT NULL, ready_us INTEGER NOT NULL, latency_us INTEGER,"
    " tokens_in INTEGER, tokens_out INTEGER, source_id INTEGER NOT NULL);"
    "CREATE TABLE reads(site INTEGER NOT NULL, key INTEGER, bulk INTEGER NOT NULL,"
    " at_us INTEGER NOT NULL, by INTEGER, source_id INTEGER NOT NULL);"
    "PRAGMA user_version = 1;",
    /* 1 -> 2: the log's offset from UTC, for schedules in local time */
    "ALTER TABLE sources ADD COLUMN utc_offset_s INTEGER;"
    "PRAGMA user_version = 2;",
    /* 2 -> 3: what a capture's reading counted (packets, streams, exchanges...) */
    "CREATE TABLE source_counts(source_id INTEGER NOT NULL REFERENCES sources(id)"
    " ON DELETE CASCADE, name TEXT NOT NULL, value INTEGER NOT NULL);"
    "PRAGMA user_version = 3;",
    /* 3 -> 4: reading on where the last run stopped (issue 8): what a source's
     * content is (a fingerprint of its first bytes, its file), whether it is
     * read line by line (resumable) or whole; what the store was made with */
    "ALTER TABLE sources ADD COLUMN fp_len INTEGER;"
    "ALTER TABLE sources ADD COLUMN fp_hash INTEGER;"
    "ALTER TABLE sources ADD COLUMN dev INTEGER;"
    "ALTER TABLE sources ADD COLUMN ino INTEGER;"
    "ALTER TABLE sources ADD COLUMN resumable INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "PRAGMA user_version = 4;",
};
#define STORE_SCHEMA ((int)(sizeof store_migrations / sizeof store_migrations[0]))

/* OR FAIL, not the default ABORT: a multi-row INSERT that may abort halfway
 * needs a statement journal, which copied a 64 KiB page per statement and
 * doubled the insert time. FAIL keeps the rows before a failing one; any
 * failure ends the run, and the open batch is rolled back in store_close(). */
#define CALL_COLS 10
#define READ_COLS 6
#define CALL_INSERT                                                                                \
    "INSERT OR FAIL INTO calls(site, by, key, start_us, ready_us, latency_us, tokens_in,"         \
    " tokens_out, source_id, alt_key) VALUES "
#define READ_INSERT "INSERT OR FAIL INTO reads(site, key, bulk, at_us, by, source_id) VALUES "

struct pending_call {
    int64_t site, by, key, start_us, ready_us, latency_us, tokens_in, tokens_out, source_id;
    int64_t alt_key;
    bool has_key, has_alt_key;
};

struct pending_read {
    int64_t site, key, at_us, by, source_id;
    bool has_key, bulk;
};

struct label_slot {
    int64_t id; /* 0: empty */
    size_t n;
    char text[LIMIT_BY];
};

struct store {
    sqlite3 *db;
    int lock_fd;         /* store_claim()'s flock on the file; -1: none */
    const char *name;    /* borrowed: the caller's path, or ":memory:" */
    int64_t *site_db;    /* owned: rules site index -> sites.id */
    unsigned n_sites;
    uint32_t *site_of;   /* owned: sites.id -> rules index, or NO_SITE */
    int64_t max_site_db;
    bool in_tx;
    unsigned merge_shards; /* store_merge(): N of the split merged so far */
    bool hold_commits;   /* store_hold_commits(): only checkpoints commit */
    unsigned batch_rows; /* rows put since the transaction began */
    struct pending_call calls[STORE_MULTI];
    unsigned n_calls;
    struct pending_read reads[STORE_MULTI];
    unsigned n_reads;
    struct label_slot *labels; /* owned: STORE_LABEL_CACHE slots */

    sqlite3_stmt *begin, *commit, *rollback;
    sqlite3_stmt *ins_call, *ins_calls, *ins_read, *ins_reads;
    sqlite3_stmt *ins_source, *upd_source, *ins_error;
    sqlite3_stmt *sel_label, *ins_label, *get_label;
    sqlite3_stmt *sel_site, *ins_site;
    sqlite3_stmt *count_sources, *sel_sources, *sel_errors, *ins_count, *sel_counts;
    sqlite3_stmt *count_rows, *scan_calls, *scan_reads;
    sqlite3_stmt *sel_known, *upd_identity, *upd_mark;
    /* the same scans without the rows of unfinished whole sources (made when needed) */
    sqlite3_stmt *count_rows_f, *scan_calls_f, *scan_reads_f;
};

static int db_fail(struct store *st, struct err *e, const char *what)
{
    /* "disk I/O error" says little: the system's reason (a full disk, a file
     * size limit) says what to do. */
    int sys = sqlite3_system_errno(st->db);
    int code = sqlite3_errcode(st->db) & 0xff;
    if (code == SQLITE_IOERR || code == SQLITE_FULL)
        return err_at(e, EXIT_INTERNAL, st->name, 0, 0,
                      "%s: %s (%s): nothing of this batch was kept, the next run goes on "
                      "from the last commit", what, sqlite3_errmsg(st->db),
                      sys ? strerror(sys) : "a full disk, or a file size limit?");
    return err_at(e, EXIT_INTERNAL, st->name, 0, 0, "%s: %s", what, sqlite3_errmsg(st->db));
}

/* Step a statement that returns no row, reset it, check the code. */
static int run(struct store *st, sqlite3_stmt *q, const char *what, struct err *e)
{
    int rc = sqlite3_step(q);
    int out = rc != SQLITE_DONE ? db_fail(st, e, what) : 0; /* before reset clears it */
    sqlite3_reset(q);
    return out;
}

/* SQLite integers are signed; a 64-bit hash keeps its bits. */
static int64_t hash_to_i64(uint64_t h)
{
    return h <= (uint64_t)INT64_MAX ? (int64_t)h : -(int64_t)(~h) - 1;
}

static uint64_t i64_to_hash(int64_t v)
{
    return v >= 0 ? (uint64_t)v : ~(uint64_t)(-(v + 1));
}

static void bind_opt(sqlite3_stmt *q, int i, bool present, int64_t v)
{
    if (present)
        sqlite3_bind_int64(q, i, v);
    else
        sqlite3_bind_null(q, i);
}

/* ---- transactions and batches ---- */

static int tx_open(struct store *st, struct err *e)
{
    if (st->in_tx)
        return 0;
    if (run(st, st->begin, "cannot begin a transaction", e) < 0)
        return -1;
    st->in_tx = true;
    st->batch_rows = 0;
    return 0;
}

static void bind_call(sqlite3_stmt *q, int base, const struct pending_call *c)
{
    sqlite3_bind_int64(q, base + 1, c->site);
    bind_opt(q, base + 2, c->by != STORE_NO_LABEL, c->by);
    bind_opt(q, base + 3, c->has_key, c->key);
    sqlite3_bind_int64(q, base + 4, c->start_us);
    sqlite3_bind_int64(q, base + 5, c->ready_us);
    bind_opt(q, base + 6, c->latency_us >= 0, c->latency_us);
    bind_opt(q, base + 7, c->tokens_in >= 0, c->tokens_in);
    bind_opt(q, base + 8, c->tokens_out >= 0, c->tokens_out);
    sqlite3_bind_int64(q, base + 9, c->source_id);
    bind_opt(q, base + 10, c->has_alt_key, c->alt_key);
}

static void bind_read(sqlite3_stmt *q, int base, const struct pending_read *r)
{
    sqlite3_bind_int64(q, base + 1, r->site);
    bind_opt(q, base + 2, r->has_key, r->key);
    sqlite3_bind_int64(q, base + 3, r->bulk);
    sqlite3_bind_int64(q, base + 4, r->at_us);
    bind_opt(q, base + 5, r->by != STORE_NO_LABEL, r->by);
    sqlite3_bind_int64(q, base + 6, r->source_id);
}

static int flush_calls(struct store *st, struct err *e)
{
    if (st->n_calls == STORE_MULTI) {
        for (unsigned i = 0; i < STORE_MULTI; i++)
            bind_call(st->ins_calls, (int)i * CALL_COLS, &st->calls[i]);
        if (run(st, st->ins_calls, "cannot store calls", e) < 0)
            return -1;
    } else {
        for (unsigned i = 0; i < st->n_calls; i++) {
            bind_call(st->ins_call, 0, &st->calls[i]);
            if (run(st, st->ins_call, "cannot store a call", e) < 0)
                return -1;
        }
    }
    st->n_calls = 0;
    return 0;
}

static int flush_reads(struct store *st, struct err *e)
{
    if (st->n_reads == STORE_MULTI) {
        for (unsigned i = 0; i < STORE_MULTI; i++)
            bind_read(st->ins_reads, (int)i * READ_COLS, &st->reads[i]);
        if (run(st, st->ins_reads, "cannot store reads", e) < 0)
            return -1;
    } else {
        for (unsigned i = 0; i < st->n_reads; i++) {
            bind_read(st->ins_read, 0, &st->reads[i]);
            if (run(st, st->ins_read, "cannot store a read", e) < 0)
                return -1;
        }
    }
    st->n_reads = 0;
    return 0;
}

/* Write the buffered rows and commit the open transaction, if any. */
static int tx_commit(struct store *st, struct err *e)
{
    if (!st->in_tx)
        return 0;
    if (flush_calls(st, e) < 0 || flush_reads(st, e) < 0)
        return -1;
    if (run(st, st->commit, "cannot commit", e) < 0)
        return -1;
    st->in_tx = false;
    st->batch_rows = 0;
    return 0;
}

/* One more row in the batch; commit when the batch is full. */
static int batch_count(struct store *st, struct err *e)
{
    if (++st->batch_rows >= LIMIT_STORE_BATCH && !st->hold_commits)
        return tx_commit(st, e);
    return 0;
}

/* ---- labels ---- */

/* The id of by= value `s` (cut to LIMIT_BY), inserting it when new. Runs inside
 * the open transaction, so a rolled-back batch also forgets the cache. */
static int label_of(struct store *st, struct span s, int64_t *id, struct err *e)
{
    if (s.n == 0) {
        *id = STORE_NO_LABEL;
        return 0;
    }
    if (s.n > LIMIT_BY)
        s.n = LIMIT_BY;
    struct label_slot *slot = &st->labels[span_hash(s) & (STORE_LABEL_CACHE - 1)];
    if (slot->id && slot->n == s.n && memcmp(slot->text, s.p, s.n) == 0) {
        *id = slot->id;
        return 0;
    }
    sqlite3_bind_text(st->sel_label, 1, s.p, (int)s.n, SQLITE_STATIC);
    int rc = sqlite3_step(st->sel_label);
    int64_t got = rc == SQLITE_ROW ? sqlite3_column_int64(st->sel_label, 0) : 0;
    sqlite3_reset(st->sel_label);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, e, "cannot look up a label");
    if (rc == SQLITE_DONE) {
        sqlite3_bind_text(st->ins_label, 1, s.p, (int)s.n, SQLITE_STATIC);
        if (run(st, st->ins_label, "cannot store a label", e) < 0)
            return -1;
        got = sqlite3_last_insert_rowid(st->db);
    }
    slot->id = got;
    slot->n = s.n;
    memcpy(slot->text, s.p, s.n);
    *id = got;
    return 0;
}

int store_label(struct store *st, int64_t id, struct arena *a, struct span *out, struct err *e)
{
    sqlite3_bind_int64(st->get_label, 1, id);
    int rc = sqlite3_step(st->get_label);
    if (rc == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st->get_label, 0);
        int n = sqlite3_column_bytes(st->get_label, 0);
        *out = arena_keep(a, (struct span){ p, p ? (size_t)n : 0 });
    }
    sqlite3_reset(st->get_label);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return err_at(e, EXIT_INTERNAL, st->name, 0, 0, "no label %lld in the store",
                      (long long)id);
    return db_fail(st, e, "cannot read a label");
}

/* ---- opening ---- */

static int exec(struct store *st, const char *sql, const char *what, struct err *e)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(st, e, what);
    return 0;
}

/* Bring the schema to STORE_SCHEMA, or refuse a newer one. */
static int migrate(struct store *st, struct err *e)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, e, "cannot read the schema version");
    int rc = sqlite3_step(q);
    int version = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return db_fail(st, e, "cannot read the schema version");
    if (version > STORE_SCHEMA)
        return err_at(e, EXIT_USAGE, st->name, 0, 0, "schema %d is newer than this tempo (%d)",
                      version, STORE_SCHEMA);
    if (version == STORE_SCHEMA)
        return 0;
    if (exec(st, "BEGIN IMMEDIATE", "cannot begin the schema migration", e) < 0)
        return -1;
    for (int v = version; v < STORE_SCHEMA; v++) {
        if (exec(st, store_migrations[v], "cannot migrate the schema", e) < 0) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return exec(st, "COMMIT", "cannot commit the schema migration", e);
}

/* "INSERT ... VALUES (?,...),(?,...)": only placeholders, never values. */
static int insert_sql(struct buf *b, const char *head, unsigned cols, unsigned rows)
{
    buf_reset(b);
    if (buf_adds(b, head) < 0)
        return -1;
    for (unsigned r = 0; r < rows; r++) {
        if (buf_adds(b, r ? ",(" : "(") < 0)
            return -1;
        for (unsigned c = 0; c < cols; c++)
            if (buf_adds(b, c ? ",?" : "?") < 0)
                return -1;
        if (buf_adds(b, ")") < 0)
            return -1;
    }
    return 0;
}

static int prepare(struct store *st, sqlite3_stmt **q, const char *sql, int n, struct err *e)
{
    if (sqlite3_prepare_v3(st->db, sql, n, SQLITE_PREPARE_PERSISTENT, q, NULL) != SQLITE_OK)
        return db_fail(st, e, "cannot prepare a statement");
    return 0;
}

static int prepare_all(struct store *st, struct err *e)
{
    static const struct {
        size_t off;
        const char *sql;
    } fixed[] = {
        { offsetof(struct store, begin), "BEGIN" },
        { offsetof(struct store, commit), "COMMIT" },
        { offsetof(struct store, rollback), "ROLLBACK" },
        { offsetof(struct store, ins_source), "INSERT INTO sources(path) VALUES (?1)" },
        { offsetof(struct store, upd_source),
          "UPDATE sources SET format = ?2, gzip = ?3, bytes = ?4, lines = ?5, events = ?6,"
          " matched = ?7, skipped = ?8, min_us = ?9, max_us = ?10, utc_offset_s = ?11,"
          " complete = 1 WHERE id = ?1" },
        { offsetof(struct store, ins_error),
          "INSERT INTO source_errors(source_id, line, reason) VALUES (?1, ?2, ?3)" },
        { offsetof(struct store, sel_label), "SELECT id FROM labels WHERE text = ?1" },
        { offsetof(struct store, ins_label), "INSERT INTO labels(text) VALUES (?1)" },
        { offsetof(struct store, get_label), "SELECT text FROM labels WHERE id = ?1" },
        { offsetof(struct store, sel_site), "SELECT id FROM sites WHERE name = ?1" },
        { offsetof(struct store, ins_site), "INSERT INTO sites(name) VALUES (?1)" },
        { offsetof(struct store, count_sources), "SELECT count(*) FROM sources" },
        { offsetof(struct store, sel_sources),
          "SELECT id, path, format, gzip, bytes, lines, events, matched, skipped, min_us, max_us,"
          " utc_offset_s FROM sources WHERE NOT (" UNFINISHED_WHOLE ") ORDER BY id" },
        { offsetof(struct store, ins_count),
          "INSERT INTO source_counts(source_id, name, value) VALUES (?1, ?2, ?3)" },
        { offsetof(struct store, sel_counts),
          "SELECT name, value FROM source_counts WHERE source_id = ?1 ORDER BY rowid" },
        { offsetof(struct store, sel_errors),
          "SELECT line, reason FROM source_errors WHERE source_id = ?1 ORDER BY rowid LIMIT ?2" },
        { offsetof(struct store, count_rows),
          "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM reads)" },
        { offsetof(struct store, scan_calls),
          "SELECT site, by, key, start_us, ready_us, latency_us, tokens_in, tokens_out, alt_key"
          " FROM calls" },
        { offsetof(struct store, scan_reads), "SELECT site, key, bulk, at_us, by FROM reads" },
        { offsetof(struct store, sel_known),
          "SELECT id, fp_len, fp_hash, dev, ino, complete, bytes, resume_offset, lines, events,"
          " matched, skipped, min_us, max_us, utc_offset_s,"
          " (SELECT count(*) FROM source_errors WHERE source_id = sources.id)"
          " FROM sources WHERE fp_len IS NOT NULL AND fp_len <= ?1 AND resumable = ?2"
          " ORDER BY id" },
        { offsetof(struct store, upd_identity),
          "UPDATE sources SET path = ?2, fp_len = ?3, fp_hash = ?4, dev = ?5, ino = ?6,"
          " resumable = ?7 WHERE id = ?1" },
        { offsetof(struct store, upd_mark),
          "UPDATE sources SET format = coalesce(?2, format), gzip = ?3, bytes = ?4, lines = ?5,"
          " events = ?6, matched = ?7, skipped = ?8, min_us = ?9, max_us = ?10,"
          " utc_offset_s = ?11, resume_offset = ?12 WHERE id = ?1" },
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (prepare(st, (sqlite3_stmt **)((char *)st + fixed[i].off), fixed[i].sql, -1, e) < 0)
            return -1;
    static const struct {
        size_t off;
        const char *head;
        unsigned cols, rows;
    } inserts[] = {
        { offsetof(struct store, ins_call), CALL_INSERT, CALL_COLS, 1 },
        { offsetof(struct store, ins_calls), CALL_INSERT, CALL_COLS, STORE_MULTI },
        { offsetof(struct store, ins_read), READ_INSERT, READ_COLS, 1 },
        { offsetof(struct store, ins_reads), READ_INSERT, READ_COLS, STORE_MULTI },
    };
    struct buf b;
    int rc = 0;
    buf_init(&b, 1 << 14);
    for (size_t i = 0; i < sizeof inserts / sizeof inserts[0] && rc == 0; i++) {
        if (insert_sql(&b, inserts[i].head, inserts[i].cols, inserts[i].rows) < 0)
            rc = err_at(e, EXIT_INTERNAL, st->name, 0, 0, "insert statement over 16 KiB");
        else
            rc = prepare(st, (sqlite3_stmt **)((char *)st + inserts[i].off), b.p, (int)b.len, e);
    }
    buf_release(&b);
    return rc;
}

/* Give each rules site its sites.id (adding new names), and the reverse map. */
static int map_sites(struct store *st, const struct span *names, unsigned n, struct err *e)
{
    st->site_db = xcalloc(n ? n : 1, sizeof *st->site_db);
    st->n_sites = n;
    if (tx_open(st, e) < 0)
        return -1;
    for (unsigned i = 0; i < n; i++) {
        sqlite3_bind_text(st->sel_site, 1, names[i].p, (int)names[i].n, SQLITE_STATIC);
        int rc = sqlite3_step(st->sel_site);
        int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st->sel_site, 0) : 0;
        sqlite3_reset(st->sel_site);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db_fail(st, e, "cannot look up a site");
        if (rc == SQLITE_DONE) {
            sqlite3_bind_text(st->ins_site, 1, names[i].p, (int)names[i].n, SQLITE_STATIC);
            if (run(st, st->ins_site, "cannot store a site", e) < 0)
                return -1;
            id = sqlite3_last_insert_rowid(st->db);
        }
        st->site_db[i] = id;
        if (id > st->max_site_db)
            st->max_site_db = id;
    }
    if (tx_commit(st, e) < 0)
        return -1;
    st->site_of = xmalloc(sizeof *st->site_of * (size_t)(st->max_site_db + 1));
    for (int64_t id = 0; id <= st->max_site_db; id++)
        st->site_of[id] = NO_SITE;
    for (unsigned i = n; i-- > 0;) /* the first of duplicate names wins */
        st->site_of[st->site_db[i]] = i;
    return 0;
}

struct store *store_open(const char *path, const struct span *site_names, unsigned n_sites,
                         struct err *e)
{
    struct store *st = xcalloc(1, sizeof *st);
    st->lock_fd = -1;
    st->name = path ? path : ":memory:";
    st->labels = xcalloc(STORE_LABEL_CACHE, sizeof *st->labels);
    int rc = sqlite3_open_v2(path ? path : ":memory:", &st->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        err_at(e, rc == SQLITE_CANTOPEN ? EXIT_USAGE : EXIT_INTERNAL, st->name, 0, 0,
               "cannot open the store: %s",
               st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 5000);
    /* In memory: 64 KiB pages (fewer, fuller B-tree pages: 12% less insert
     * time); a file keeps SQLite's default page and its WAL. */
    const char *setup = path ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                             : "PRAGMA page_size=65536; PRAGMA synchronous=OFF;";
    if (exec(st, setup, "cannot set up the store", e) < 0 ||
        exec(st,
             "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072;",
             "cannot set up the store", e) < 0)
        goto fail_notadb;
    if (migrate(st, e) < 0)
        goto fail_notadb;
    if (prepare_all(st, e) < 0 || map_sites(st, site_names, n_sites, e) < 0)
        goto fail;
    return st;
fail_notadb:
    /* A --db that is not a database is the user's input, not our fault. */
    if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
        e->exit_code = EXIT_USAGE;
fail:
    store_close(st);
    return NULL;
}

static struct span column_span(sqlite3_stmt *q, int col);

/* The one integer a query gives (a count). */
static int scalar(struct store *st, const char *sql, int64_t *v, struct err *e)
{
    sqlite3_stmt *q;
    *v = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, e, "cannot read the store");
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 0 : db_fail(st, e, "cannot read the store");
}

/* Run one statement whose ?1, if it has one, is `flag`. */
static int run_flag(struct store *st, const char *sql, int flag, const char *what, struct err *e)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, e, what);
    if (sqlite3_bind_parameter_count(q) > 0)
        sqlite3_bind_int(q, 1, flag);
    int rc = sqlite3_step(q);
    int out = rc != SQLITE_DONE ? db_fail(st, e, what) : 0;
    sqlite3_finalize(q);
    return out;
}

/* Forget the open transaction, if any. */
static void tx_rollback(struct store *st)
{
    if (st->in_tx && st->rollback) {
        sqlite3_step(st->rollback);
        sqlite3_reset(st->rollback);
    }
    st->in_tx = false;
}


/* The meta value `name` as an unsigned hex number; *has false when absent. */
static int meta_u64(struct store *st, const char *name, bool *has, uint64_t *v, struct err *e)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE name = ?1", -1, &q, NULL) !=
        SQLITE_OK)
        return db_fail(st, e, "cannot read the store's meta data");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *has = false;
    *v = 0;
    if (rc == SQLITE_ROW) {
        struct span t = column_span(q, 0);
        *has = t.n > 0 && t.n <= 16;
        for (size_t i = 0; i < t.n && *has; i++) {
            int d = span_hex_digit(t.p[i]);
            *has = d >= 0;
            *v = *v << 4 | (uint64_t)(d >= 0 ? d : 0);
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, e, "cannot read the store's meta data");
    return 0;
}

static int meta_set_u64(struct store *st, const char *name, uint64_t v, struct err *e)
{
    char text[17];
    snprintf(text, sizeof text, "%016llx", (unsigned long long)v);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(name, value) VALUES (?1, ?2)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, e, "cannot write the store's meta data");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, text, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return db_fail(st, e, "cannot write the store's meta data");
    return 0;
}

static int lock_file(struct store *st, bool writer, struct err *e)
{
    st->lock_fd = open(st->name, O_RDONLY | O_CLOEXEC);
    if (st->lock_fd < 0)
        return err_at(e, EXIT_USAGE, st->name, 0, 0, "cannot open the store: %s",
                      strerror(errno));
    for (int waited = 0;; waited += 50) {
        if (flock(st->lock_fd, (writer ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return err_at(e, EXIT_INTERNAL, st->name, 0, 0, "cannot lock the store: %s",
                          strerror(errno));
        if (waited >= STORE_LOCK_WAIT_MS)
            return err_at(e, EXIT_USAGE, st->name, 0, 0,
                          "the store is in use by another tempo (%s); waited %d s: try again "
                          "when it is done",
                          writer ? "reading or writing it" : "writing it",
                          STORE_LOCK_WAIT_MS / 1000);
        struct timespec ts = { 0, 50 * 1000000L };
        nanosleep(&ts, NULL);
    }
}

int store_claim(struct store *st, bool writer, uint64_t match_digest, const char *rules_path,
                struct err *e)
{
    if (strcmp(st->name, ":memory:") == 0)
        return 0;
    if (lock_file(st, writer, e) < 0)
        return -1;
    bool has;
    uint64_t v;
    if (meta_u64(st, "match_digest", &has, &v, e) < 0)
        return -1;
    if (has && v != match_digest)
        return err_at(e, EXIT_USAGE, st->name, 0, 0,
                      "made with other call, read, logformat or jsonl rules than %s: its calls "
                      "and reads are not what these rules match. Keep the rules it was made "
                      "with, or rebuild it: rm %s && tempo ingest -r %s --db %s SOURCE...",
                      rules_path, st->name, rules_path, st->name);
    if (!has && writer)
        return meta_set_u64(st, "match_digest", match_digest, e);
    return 0;
}

int store_set_shard(struct store *st, unsigned index, unsigned count, struct err *e)
{
    bool has;
    uint64_t v, want = (uint64_t)index << 32 | count;
    if (meta_u64(st, "shard", &has, &v, e) < 0)
        return -1;
    if ((has && v == want) || (!has && count == 0))
        return 0; /* the same shard, or every shard again */
    int64_t n;
    if (scalar(st, "SELECT count(*) FROM sources", &n, e) < 0)
        return -1;
    if (has || n > 0) {
        unsigned hi = has ? (unsigned)(v >> 32) : 0, hn = has ? (unsigned)v : 0;
        char held[40], asked[40];
        if (hn)
            snprintf(held, sizeof held, "shard %u/%u", hi, hn);
        else
            snprintf(held, sizeof held, "every shard");
        if (count)
            snprintf(asked, sizeof asked, "shard %u/%u", index, count);
        else
            snprintf(asked, sizeof asked, "every shard");
        return err_at(e, EXIT_USAGE, st->name, 0, 0,
                      "holds %s; %s goes into a store of its own", held, asked);
    }
    return count ? meta_set_u64(st, "shard", want, e) : 0;
}

/* The merge's statements, in order; ?1 is 1 when src's bulk reads are kept. */
static const char *const merge_sql[] = {
    "INSERT INTO labels(text) SELECT text FROM src.labels"
    " WHERE text NOT IN (SELECT text FROM main.labels)",
    "CREATE TEMP TABLE site_map AS SELECT s.id AS old, m.id AS new"
    " FROM src.sites s JOIN main.sites m ON m.name = s.name",
    "CREATE TEMP TABLE label_map AS SELECT s.id AS old, m.id AS new"
    " FROM src.labels s JOIN main.labels m ON m.text = s.text",
    "INSERT INTO calls(site, by, key, alt_key, start_us, ready_us, latency_us, tokens_in,"
    " tokens_out, source_id)"
    " SELECT sm.new, lm.new, c.key, c.alt_key, c.start_us, c.ready_us, c.latency_us,"
    " c.tokens_in, c.tokens_out, so.new FROM src.calls c JOIN temp.site_map sm ON sm.old = c.site"
    " LEFT JOIN temp.label_map lm ON lm.old = c.by JOIN temp.source_map so ON so.old = c.source_id",
    "INSERT INTO reads(site, key, bulk, at_us, by, source_id)"
    " SELECT sm.new, r.key, r.bulk, r.at_us, lm.new, so.new FROM src.reads r"
    " JOIN temp.site_map sm ON sm.old = r.site LEFT JOIN temp.label_map lm ON lm.old = r.by"
    " JOIN temp.source_map so ON so.old = r.source_id WHERE r.bulk = 0 OR ?1",
    "INSERT INTO source_errors(source_id, line, reason) SELECT so.new, e.line, e.reason"
    " FROM src.source_errors e JOIN temp.source_map so ON so.old = e.source_id"
    " WHERE so.fresh",
    "INSERT INTO source_counts(source_id, name, value) SELECT so.new, c.name, c.value"
    " FROM src.source_counts c JOIN temp.source_map so ON so.old = c.source_id WHERE so.fresh",
    "DROP TABLE temp.site_map",
    "DROP TABLE temp.label_map",
    "DROP TABLE temp.source_map",
};

/* Each source of src: a new row of main, or (shards of one split) the row an
 * earlier shard gave the same content, whose matched count grows. */
static int merge_sources(struct store *st, bool shard, struct err *e)
{
    static const char *const sql[] = {
        "CREATE TEMP TABLE source_map(old INTEGER PRIMARY KEY, new INTEGER, fresh INTEGER)",
        /* a content every shard read: the same path and fingerprint */
        "INSERT INTO temp.source_map SELECT s.id, (SELECT m.id FROM main.sources m"
        " WHERE m.path = s.path AND m.fp_len = s.fp_len AND m.fp_hash = s.fp_hash"
        " AND m.id IN (SELECT new FROM temp.shard_sources) ORDER BY m.id LIMIT 1), 0"
        " FROM src.sources s WHERE ?1 AND s.fp_len IS NOT NULL",
        "DELETE FROM temp.source_map WHERE new IS NULL",
        "UPDATE main.sources SET matched = matched + (SELECT sum(s.matched) FROM src.sources s"
        " JOIN temp.source_map so ON so.old = s.id WHERE so.new = main.sources.id)"
        " WHERE id IN (SELECT new FROM temp.source_map)",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        if (run_flag(st, sql[i], shard, "cannot merge the sources", e) < 0)
            return -1;
    /* the others: new rows, one by one for their new ids */
    sqlite3_stmt *sel, *ins, *map;
    if (sqlite3_prepare_v2(st->db, "SELECT id FROM src.sources WHERE id NOT IN"
                           " (SELECT old FROM temp.source_map) ORDER BY id", -1, &sel,
                           NULL) != SQLITE_OK)
        return db_fail(st, e, "cannot merge the sources");
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO main.sources(path, identity, resume_offset, format,"
                           " gzip, bytes, lines, events, matched, skipped, min_us, max_us,"
                           " complete, utc_offset_s, fp_len, fp_hash, dev, ino, resumable)"
                           " SELECT path, identity, resume_offset, format, gzip, bytes, lines,"
                           " events, matched, skipped, min_us, max_us, complete, utc_offset_s,"
                           " fp_len, fp_hash, dev, ino, resumable FROM src.sources WHERE id = ?1",
                           -1, &ins, NULL) != SQLITE_OK) {
        sqlite3_finalize(sel);
        return db_fail(st, e, "cannot merge the sources");
    }
    if (sqlite3_prepare_v2(st->db, "INSERT INTO temp.source_map VALUES (?1, ?2, 1)", -1, &map,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(sel);
        sqlite3_finalize(ins);
        return db_fail(st, e, "cannot merge the sources");
    }
    int rc;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        int64_t old = sqlite3_column_int64(sel, 0);
        sqlite3_bind_int64(ins, 1, old);
        if (sqlite3_step(ins) != SQLITE_DONE)
            break;
        sqlite3_reset(ins);
        sqlite3_bind_int64(map, 1, old);
        sqlite3_bind_int64(map, 2, sqlite3_last_insert_rowid(st->db));
        if (sqlite3_step(map) != SQLITE_DONE)
            break;
        sqlite3_reset(map);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    sqlite3_finalize(map);
    if (rc != SQLITE_DONE)
        return db_fail(st, e, "cannot merge the sources");
    /* the rows of this split's shards, for the next shard to find */
    return exec(st, "INSERT INTO temp.shard_sources SELECT new FROM temp.source_map WHERE fresh",
                "cannot merge the sources", e);
}

int store_merge(struct store *st, const char *path, uint64_t match_digest,
                const char *rules_path, struct err *e)
{
    /* Opened alone first: migrated if older, refused if newer or made with
     * other rules, locked against a writer while it is read. */
    if (access(path, R_OK) != 0) /* store_open would make an empty one */
        return err_at(e, EXIT_USAGE, path, 0, 0, "cannot open the store: %s", strerror(errno));
    struct store *src = store_open(path, NULL, 0, e);
    if (!src)
        return -1;
    bool has;
    uint64_t shard = 0;
    if (store_claim(src, false, match_digest, rules_path, e) < 0 ||
        meta_u64(src, "shard", &has, &shard, e) < 0) {
        store_close(src);
        return -1;
    }
    unsigned index = has ? (unsigned)(shard >> 32) : 0, count = has ? (unsigned)shard : 0;
    if (count) {
        if (st->merge_shards && st->merge_shards != count) {
            store_close(src);
            return err_at(e, EXIT_USAGE, path, 0, 0,
                          "holds shard %u/%u, the other stores shards of %u", index, count,
                          st->merge_shards);
        }
        st->merge_shards = count;
    }
    if (tx_commit(st, e) < 0 ||
        exec(st, "CREATE TEMP TABLE IF NOT EXISTS shard_sources(new INTEGER PRIMARY KEY)",
             "cannot merge", e) < 0) {
        store_close(src);
        return -1;
    }
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "ATTACH DATABASE ?1 AS src", -1, &q, NULL) != SQLITE_OK) {
        store_close(src);
        return db_fail(st, e, "cannot attach a store");
    }
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        store_close(src);
        return err_at(e, EXIT_USAGE, path, 0, 0, "cannot read the store: %s",
                      sqlite3_errmsg(st->db));
    }
    int out = tx_open(st, e) < 0 || merge_sources(st, count > 0, e) < 0 ? -1 : 0;
    for (size_t i = 0; i < sizeof merge_sql / sizeof merge_sql[0] && out == 0; i++)
        out = run_flag(st, merge_sql[i], count == 0 || index == 1, "cannot merge a store", e);
    if (out == 0)
        out = tx_commit(st, e);
    else
        tx_rollback(st);
    sqlite3_exec(st->db, "DETACH DATABASE src", NULL, NULL, NULL);
    store_close(src);
    return out;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    tx_rollback(st);
    sqlite3_stmt **all[] = {
        &st->begin,      &st->commit,     &st->rollback,      &st->ins_call,
        &st->ins_calls,  &st->ins_read,   &st->ins_reads,     &st->ins_source,
        &st->upd_source, &st->ins_error,  &st->sel_label,     &st->ins_label,
        &st->get_label,  &st->sel_site,   &st->ins_site,      &st->count_sources,
        &st->sel_sources, &st->sel_errors, &st->count_rows,   &st->scan_calls,
        &st->scan_reads, &st->ins_count, &st->sel_counts, &st->sel_known,
        &st->upd_identity, &st->upd_mark, &st->count_rows_f, &st->scan_calls_f,
        &st->scan_reads_f,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(*all[i]);
    sqlite3_close(st->db);
    if (st->lock_fd >= 0)
        close(st->lock_fd); /* releases the flock */
    free(st->site_db);
    free(st->site_of);
    free(st->labels);
    free(st);
}

/* ---- reading on where the last run stopped ---- */

/* Test hook for tests/cli/resume_kill.sh: with TEMPO_TEST_KILL_AT=N in the
 * environment the process kills itself (SIGKILL, as kill -9 does) at its Nth
 * crash point, right after a checkpoint's commit: the most exact of the kill
 * points a test can choose. */
static void crash_point(void)
{
    static int64_t left = -1;
    if (left == -1) {
        const char *v = getenv("TEMPO_TEST_KILL_AT");
        if (!v || !span_to_i64(span_of(v), &left) || left < 1)
            left = 0;
    }
    if (left > 0 && --left == 0)
        raise(SIGKILL);
}

void store_identity_of(struct span head, bool has_file, uint64_t dev, uint64_t ino,
                       uint64_t size, bool resumable, struct store_identity *id)
{
    memset(id, 0, sizeof *id);
    id->fp_len = head.n < STORE_FP_BYTES ? head.n : STORE_FP_BYTES;
    id->fp_hash = id->fp_len ? span_hash((struct span){ head.p, (size_t)id->fp_len }) : 0;
    id->has_file = has_file;
    id->dev = dev;
    id->ino = ino;
    id->size = size;
    id->resumable = resumable;
}

static uint64_t column_u64(sqlite3_stmt *q, int col)
{
    int64_t v = sqlite3_column_int64(q, col);
    return v > 0 ? (uint64_t)v : 0;
}

int store_find_source(struct store *st, struct span head, const struct store_identity *id,
                      bool *found, struct store_resume *out, struct err *e)
{
    *found = false;
    if (id->fp_len == 0)
        return 0;
    sqlite3_stmt *q = st->sel_known;
    sqlite3_bind_int64(q, 1, (int64_t)(head.n < STORE_FP_BYTES ? head.n : STORE_FP_BYTES));
    sqlite3_bind_int64(q, 2, id->resumable);
    int rc;
    bool same_file = false;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        uint64_t fp_len = column_u64(q, 1);
        uint64_t fp_hash = i64_to_hash(sqlite3_column_int64(q, 2));
        if (fp_len == 0 || fp_len > head.n ||
            span_hash((struct span){ head.p, (size_t)fp_len }) != fp_hash)
            continue;
        bool complete = sqlite3_column_int64(q, 5) != 0;
        if (!id->resumable && (!complete || (id->has_file && column_u64(q, 6) != id->size)))
            continue; /* read whole: the very same bytes only */
        bool file = id->has_file && sqlite3_column_type(q, 3) != SQLITE_NULL &&
                    column_u64(q, 3) == id->dev && column_u64(q, 4) == id->ino;
        if (*found && (same_file || !file))
            continue; /* the first match stands, unless this one is the same file */
        *found = true;
        same_file = file;
        out->source_id = sqlite3_column_int64(q, 0);
        out->complete = complete;
        struct store_mark *m = &out->mark;
        memset(m, 0, sizeof *m);
        m->bytes = column_u64(q, 6);
        m->offset = column_u64(q, 7);
        m->lines = column_u64(q, 8);
        m->events = column_u64(q, 9);
        m->matched = column_u64(q, 10);
        m->skipped = column_u64(q, 11);
        bool span = sqlite3_column_type(q, 12) != SQLITE_NULL;
        m->min_us = span ? sqlite3_column_int64(q, 12) : INT64_MAX;
        m->max_us = span ? sqlite3_column_int64(q, 13) : INT64_MIN;
        m->has_utc_offset = sqlite3_column_type(q, 14) != SQLITE_NULL;
        m->utc_offset_s = m->has_utc_offset ? sqlite3_column_int(q, 14) : 0;
        uint64_t n_err = column_u64(q, 15);
        m->n_errors = n_err < LIMIT_FIRST_ERRORS ? (unsigned)n_err : LIMIT_FIRST_ERRORS;
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return db_fail(st, e, "cannot look up the sources read before");
    return 0;
}

static int set_identity(struct store *st, int64_t source_id, const char *path,
                        const struct store_identity *id, struct err *e)
{
    sqlite3_stmt *q = st->upd_identity;
    sqlite3_bind_int64(q, 1, source_id);
    sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
    bind_opt(q, 3, id->fp_len > 0, (int64_t)id->fp_len);
    bind_opt(q, 4, id->fp_len > 0, hash_to_i64(id->fp_hash));
    bind_opt(q, 5, id->has_file, hash_to_i64(id->dev));
    bind_opt(q, 6, id->has_file, hash_to_i64(id->ino));
    sqlite3_bind_int64(q, 7, id->resumable);
    return run(st, q, "cannot record a source", e);
}

int store_begin_identified(struct store *st, const char *path, const struct store_identity *id,
                           int64_t *source_id, struct err *e)
{
    if (store_begin_source(st, path, source_id, e) < 0)
        return -1;
    return set_identity(st, *source_id, path, id, e);
}

int store_resume_source(struct store *st, int64_t source_id, const char *path,
                        const struct store_identity *id, struct err *e)
{
    if (tx_open(st, e) < 0)
        return -1;
    return set_identity(st, source_id, path, id, e);
}

void store_hold_commits(struct store *st, bool hold)
{
    st->hold_commits = hold;
}

static int put_errors(struct store *st, int64_t source_id, const struct source_error *errors,
                      unsigned from, unsigned to, struct err *e)
{
    if (to > LIMIT_FIRST_ERRORS)
        to = LIMIT_FIRST_ERRORS;
    for (unsigned i = from; i < to; i++) {
        const struct source_error *er = &errors[i];
        sqlite3_bind_int64(st->ins_error, 1, source_id);
        sqlite3_bind_int64(st->ins_error, 2, (int64_t)er->line);
        sqlite3_bind_text(st->ins_error, 3, er->reason ? er->reason : "", -1, SQLITE_STATIC);
        if (run(st, st->ins_error, "cannot record a bad line", e) < 0)
            return -1;
    }
    return 0;
}

int store_checkpoint(struct store *st, int64_t source_id, const struct store_mark *m,
                     const char *format, bool is_gzip, const struct source_error *errors,
                     unsigned from, struct err *e)
{
    if (tx_open(st, e) < 0 || flush_calls(st, e) < 0 || flush_reads(st, e) < 0)
        return -1;
#ifdef TEMPO_SPLIT_CHECKPOINT
    /* A deliberately broken build for tests/cli/resume_kill.sh: the rows are
     * committed first and the offset in a second transaction, so a kill
     * between the two repeats the rows. */
    if (tx_commit(st, e) < 0 || tx_open(st, e) < 0)
        return -1;
    crash_point();
#endif
    sqlite3_stmt *q = st->upd_mark;
    sqlite3_bind_int64(q, 1, source_id);
    if (format)
        sqlite3_bind_text(q, 2, format, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 2);
    sqlite3_bind_int64(q, 3, is_gzip);
    sqlite3_bind_int64(q, 4, (int64_t)m->bytes);
    sqlite3_bind_int64(q, 5, (int64_t)m->lines);
    sqlite3_bind_int64(q, 6, (int64_t)m->events);
    sqlite3_bind_int64(q, 7, (int64_t)m->matched);
    sqlite3_bind_int64(q, 8, (int64_t)m->skipped);
    bind_opt(q, 9, m->min_us <= m->max_us, m->min_us);
    bind_opt(q, 10, m->min_us <= m->max_us, m->max_us);
    bind_opt(q, 11, m->has_utc_offset, m->utc_offset_s);
    sqlite3_bind_int64(q, 12, (int64_t)m->offset);
    if (run(st, q, "cannot record where a source stopped", e) < 0 ||
        put_errors(st, source_id, errors, from, m->n_errors, e) < 0)
        return -1;
    if (tx_commit(st, e) < 0)
        return -1;
    crash_point();
    return 0;
}

int store_count_unknown(struct store *st, unsigned *n, struct err *e)
{
    int64_t v;
    int rc = scalar(st, "SELECT count(*) FROM sources WHERE fp_len IS NULL AND lines > 0", &v, e);
    *n = (unsigned)v;
    return rc;
}

int store_purge_unfinished(struct store *st, unsigned *n, struct err *e)
{
    *n = 0;
    static const char *const sql[] = {
        "DELETE FROM calls WHERE" UNFINISHED,
        "DELETE FROM reads WHERE" UNFINISHED,
        "DELETE FROM sources WHERE " UNFINISHED_WHOLE,
    };
    if (tx_open(st, e) < 0)
        return -1;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        if (exec(st, sql[i], "cannot remove an unfinished source", e) < 0)
            return -1;
        if (i == 2)
            *n = (unsigned)sqlite3_changes(st->db);
    }
    return tx_commit(st, e);
}

/* ---- ingestion ---- */

int store_begin_source(struct store *st, const char *path, int64_t *source_id, struct err *e)
{
    if (tx_open(st, e) < 0)
        return -1;
    sqlite3_bind_text(st->ins_source, 1, path, -1, SQLITE_STATIC);
    if (run(st, st->ins_source, "cannot record a source", e) < 0)
        return -1;
    *source_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_put_call(struct store *st, int64_t source_id, const struct match_call *c,
                   struct err *e)
{
    if (c->site >= st->n_sites)
        return err_at(e, EXIT_INTERNAL, st->name, 0, 0, "call of unknown site %u", c->site);
    if (tx_open(st, e) < 0)
        return -1;
    struct pending_call *p = &st->calls[st->n_calls];
    if (label_of(st, c->by, &p->by, e) < 0)
        return -1;
    p->site = st->site_db[c->site];
    p->has_key = c->key.n > 0;
    p->key = p->has_key ? hash_to_i64(span_hash(c->key)) : 0;
    p->has_alt_key = c->key2.n > 0;
    p->alt_key = p->has_alt_key ? hash_to_i64(span_hash(c->key2)) : 0;
    p->start_us = c->start_us;
    p->ready_us = c->ready_us;
    p->latency_us = c->latency_us;
    p->tokens_in = c->tokens_in;
    p->tokens_out = c->tokens_out;
    p->source_id = source_id;
    if (++st->n_calls == STORE_MULTI && flush_calls(st, e) < 0)
        return -1;
    return batch_count(st, e);
}

int store_put_read(struct store *st, int64_t source_id, const struct match_read *r,
                   struct err *e)
{
    if (r->site >= st->n_sites)
        return err_at(e, EXIT_INTERNAL, st->name, 0, 0, "read of unknown site %u", r->site);
    if (tx_open(st, e) < 0)
        return -1;
    struct pending_read *p = &st->reads[st->n_reads];
    if (label_of(st, r->by, &p->by, e) < 0)
        return -1;
    p->site = st->site_db[r->site];
    p->bulk = r->bulk;
    p->has_key = !r->bulk && r->key.n > 0;
    p->key = p->has_key ? hash_to_i64(span_hash(r->key)) : 0;
    p->at_us = r->at_us;
    p->source_id = source_id;
    if (++st->n_reads == STORE_MULTI && flush_reads(st, e) < 0)
        return -1;
    return batch_count(st, e);
}

int store_end_source(struct store *st, int64_t source_id, const struct source_stats *stats,
                     int64_t min_us, int64_t max_us, struct err *e)
{
    if (tx_open(st, e) < 0)
        return -1;
    sqlite3_stmt *q = st->upd_source;
    sqlite3_bind_int64(q, 1, source_id);
    if (stats->format)
        sqlite3_bind_text(q, 2, stats->format, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 2);
    sqlite3_bind_int64(q, 3, stats->is_gzip);
    sqlite3_bind_int64(q, 4, (int64_t)stats->bytes);
    sqlite3_bind_int64(q, 5, (int64_t)stats->lines);
    sqlite3_bind_int64(q, 6, (int64_t)stats->events);
    sqlite3_bind_int64(q, 7, (int64_t)stats->matched);
    sqlite3_bind_int64(q, 8, (int64_t)stats->skipped);
    bind_opt(q, 9, min_us <= max_us, min_us);
    bind_opt(q, 10, min_us <= max_us, max_us);
    bind_opt(q, 11, stats->has_utc_offset, stats->utc_offset_s);
    if (run(st, q, "cannot record a source", e) < 0)
        return -1;
    for (unsigned k = 0; stats->is_capture && k < CAP_COUNT; k++) {
        sqlite3_bind_int64(st->ins_count, 1, source_id);
        sqlite3_bind_text(st->ins_count, 2, source_capture_count_names[k], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st->ins_count, 3, (int64_t)stats->counted[k]);
        if (run(st, st->ins_count, "cannot record a capture's counts", e) < 0)
            return -1;
    }
    if (put_errors(st, source_id, stats->errors, 0, stats->n_errors, e) < 0)
        return -1;
    return tx_commit(st, e);
}

/* ---- reading back ---- */

static struct span column_span(sqlite3_stmt *q, int col)
{
    const char *p = (const char *)sqlite3_column_text(q, col);
    int n = sqlite3_column_bytes(q, col);
    return (struct span){ p, p ? (size_t)n : 0 };
}

static int read_errors(struct store *st, int64_t id, struct arena *a, struct source_stats *s,
                       struct err *e)
{
    sqlite3_stmt *q = st->sel_errors;
    int rc;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, LIMIT_FIRST_ERRORS);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && s->n_errors < LIMIT_FIRST_ERRORS) {
        struct source_error *er = &s->errors[s->n_errors++];
        int64_t line = sqlite3_column_int64(q, 0);
        er->line = line > 0 ? (uint64_t)line : 0;
        er->reason = arena_strdup(a, column_span(q, 1));
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(st, e, "cannot read the bad lines of a source");
    return 0;
}

/* A capture's counts, by name (names this Tempo does not know are ignored). */
static int read_counts(struct store *st, int64_t id, struct source_stats *s, struct err *e)
{
    sqlite3_stmt *q = st->sel_counts;
    int rc;
    sqlite3_bind_int64(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        int64_t v = sqlite3_column_int64(q, 1);
        for (unsigned k = 0; name && k < CAP_COUNT; k++)
            if (strcmp(name, source_capture_count_names[k]) == 0) {
                s->is_capture = true;
                s->counted[k] = v > 0 ? (uint64_t)v : 0;
            }
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return db_fail(st, e, "cannot read a capture's counts");
    return 0;
}


int store_sources(struct store *st, struct arena *a, struct store_source **out, unsigned *n,
                  struct err *e)
{
    *out = NULL;
    *n = 0;
    if (tx_commit(st, e) < 0)
        return -1;
    int rc = sqlite3_step(st->count_sources);
    int64_t count = rc == SQLITE_ROW ? sqlite3_column_int64(st->count_sources, 0) : 0;
    sqlite3_reset(st->count_sources);
    if (rc != SQLITE_ROW)
        return db_fail(st, e, "cannot count the sources");
    struct store_source *v = arena_alloc(a, sizeof *v * (size_t)(count > 0 ? count : 1));
    sqlite3_stmt *q = st->sel_sources;
    unsigned k = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && k < (uint64_t)count) {
        struct store_source *s = &v[k++];
        s->stats.path = arena_strdup(a, column_span(q, 1));
        s->stats.format = sqlite3_column_type(q, 2) == SQLITE_NULL
                              ? NULL
                              : arena_strdup(a, column_span(q, 2));
        s->stats.is_gzip = sqlite3_column_int64(q, 3) != 0;
        s->stats.bytes = column_u64(q, 4);
        s->stats.lines = column_u64(q, 5);
        s->stats.events = column_u64(q, 6);
        s->stats.matched = column_u64(q, 7);
        s->stats.skipped = column_u64(q, 8);
        bool has_span = sqlite3_column_type(q, 9) != SQLITE_NULL &&
                        sqlite3_column_type(q, 10) != SQLITE_NULL;
        s->min_us = has_span ? sqlite3_column_int64(q, 9) : INT64_MAX;
        s->max_us = has_span ? sqlite3_column_int64(q, 10) : INT64_MIN;
        s->stats.has_utc_offset = sqlite3_column_type(q, 11) != SQLITE_NULL;
        s->stats.utc_offset_s =
            s->stats.has_utc_offset ? (int)sqlite3_column_int64(q, 11) : 0;
        if (read_counts(st, sqlite3_column_int64(q, 0), &s->stats, e) < 0 ||
            read_errors(st, sqlite3_column_int64(q, 0), a, &s->stats, e) < 0) {
            sqlite3_reset(q);
            return -1;
        }
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(st, e, "cannot read the sources");
    *out = v;
    *n = k;
    return 0;
}

/* The rules index of a stored site id; false for a site these rules lack. */
static bool site_index(const struct store *st, int64_t id, unsigned *site)
{
    if (id < 0 || id > st->max_site_db || st->site_of[id] == NO_SITE)
        return false;
    *site = st->site_of[id];
    return true;
}

static int64_t column_opt(sqlite3_stmt *q, int col)
{
    return sqlite3_column_type(q, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, col);
}

/* The rows of a source read whole that an interrupted run left unfinished
 * are not audited: the next ingest removes and reads them again. The scans
 * leave them out only when there are any, so that the common case pays
 * nothing. *q is the statement to use. */
static int pick_scan(struct store *st, sqlite3_stmt *plain, sqlite3_stmt **filtered,
                     const char *sql, sqlite3_stmt **q, struct err *e)
{
    unsigned n;
    if (store_count_unfinished(st, &n, e) < 0)
        return -1;
    *q = plain;
    if (n == 0)
        return 0;
    if (!*filtered && prepare(st, filtered, sql, -1, e) < 0)
        return -1;
    *q = *filtered;
    return 0;
}

int store_count_unfinished(struct store *st, unsigned *n, struct err *e)
{
    int64_t v;
    int rc = scalar(st, "SELECT count(*) FROM sources WHERE " UNFINISHED_WHOLE, &v, e);
    *n = (unsigned)v;
    return rc;
}

int store_count(struct store *st, uint64_t *calls, uint64_t *reads, struct err *e)
{
    sqlite3_stmt *q;
    if (tx_commit(st, e) < 0 ||
        pick_scan(st, st->count_rows, &st->count_rows_f,
                  "SELECT (SELECT count(*) FROM calls WHERE NOT" UNFINISHED "),"
                  " (SELECT count(*) FROM reads WHERE NOT" UNFINISHED ")", &q, e) < 0)
        return -1;
    int rc = sqlite3_step(q);
    *calls = rc == SQLITE_ROW ? column_u64(q, 0) : 0;
    *reads = rc == SQLITE_ROW ? column_u64(q, 1) : 0;
    sqlite3_reset(q);
    if (rc != SQLITE_ROW)
        return db_fail(st, e, "cannot count the rows");
    return 0;
}

int store_scan_calls(struct store *st, int (*fn)(void *ctx, const struct store_call_row *row),
                     void *ctx, struct err *e)
{
    sqlite3_stmt *q;
    if (tx_commit(st, e) < 0 ||
        pick_scan(st, st->scan_calls, &st->scan_calls_f,
                  "SELECT site, by, key, start_us, ready_us, latency_us, tokens_in, tokens_out,"
                  " alt_key FROM calls WHERE NOT" UNFINISHED, &q, e) < 0)
        return -1;
    int rc = SQLITE_DONE, stop = 0;
    while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct store_call_row row;
        if (!site_index(st, sqlite3_column_int64(q, 0), &row.site))
            continue;
        row.by = sqlite3_column_int64(q, 1); /* NULL reads as 0, STORE_NO_LABEL */
        row.has_key = sqlite3_column_type(q, 2) != SQLITE_NULL;
        row.key = row.has_key ? i64_to_hash(sqlite3_column_int64(q, 2)) : 0;
        row.start_us = sqlite3_column_int64(q, 3);
        row.ready_us = sqlite3_column_int64(q, 4);
        row.latency_us = column_opt(q, 5);
        row.tokens_in = column_opt(q, 6);
        row.tokens_out = column_opt(q, 7);
        row.has_alt_key = sqlite3_column_type(q, 8) != SQLITE_NULL;
        row.alt_key = row.has_alt_key ? i64_to_hash(sqlite3_column_int64(q, 8)) : 0;
        stop = fn(ctx, &row);
    }
    sqlite3_reset(q);
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return db_fail(st, e, "cannot read the calls");
    return 0;
}

int store_scan_reads(struct store *st, int (*fn)(void *ctx, const struct store_read_row *row),
                     void *ctx, struct err *e)
{
    sqlite3_stmt *q;
    if (tx_commit(st, e) < 0 ||
        pick_scan(st, st->scan_reads, &st->scan_reads_f,
                  "SELECT site, key, bulk, at_us, by FROM reads WHERE NOT" UNFINISHED, &q,
                  e) < 0)
        return -1;
    int rc = SQLITE_DONE, stop = 0;
    while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct store_read_row row;
        if (!site_index(st, sqlite3_column_int64(q, 0), &row.site))
            continue;
        row.bulk = sqlite3_column_int64(q, 2) != 0;
        row.has_key = !row.bulk && sqlite3_column_type(q, 1) != SQLITE_NULL;
        row.key = row.has_key ? i64_to_hash(sqlite3_column_int64(q, 1)) : 0;
        row.at_us = sqlite3_column_int64(q, 3);
        row.by = sqlite3_column_int64(q, 4);
        stop = fn(ctx, &row);
    }
    sqlite3_reset(q);
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return db_fail(st, e, "cannot read the reads");
    return 0;
}
