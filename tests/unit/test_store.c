/*
 * test_store.c - the SQLite store: open in memory and as a file, the schema
 * version in the file header, refusal of a newer schema and of a file that is
 * not a database, put/scan round trips with NULLs, labels, sources with their
 * bad lines, batch commits that survive an unfinished source, and site ids
 * that follow names when the rules change. Temp files live under /tmp.
 */
#include <stdlib.h>
#include <unistd.h>

#include "store.h"
#include "test.h"

#define T0 INT64_C(1763805600000000) /* 2025-11-22T10:00:00Z */

struct calls_seen {
    unsigned n;
    struct store_call_row rows[8];
};

static int take_call(void *ctx, const struct store_call_row *row)
{
    struct calls_seen *c = ctx;
    if (c->n < 8)
        c->rows[c->n] = *row;
    c->n++;
    return 0;
}

struct reads_seen {
    unsigned n;
    struct store_read_row rows[8];
};

static int take_read(void *ctx, const struct store_read_row *row)
{
    struct reads_seen *c = ctx;
    if (c->n < 8)
        c->rows[c->n] = *row;
    c->n++;
    return 0;
}

static int stop_at_two(void *ctx, const struct store_call_row *row)
{
    (void)row;
    return ++*(unsigned *)ctx == 2 ? 7 : 0;
}

static unsigned count_calls(struct store *st)
{
    struct calls_seen c = { 0 };
    struct err e = { 0 };
    return store_scan_calls(st, take_call, &c, &e) == 0 ? c.n : 99999999;
}

/* The user_version field of a SQLite file: big-endian at byte 60. */
static long header_version(const char *path)
{
    unsigned char h[64];
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t got = fread(h, 1, sizeof h, f);
    fclose(f);
    if (got != sizeof h)
        return -1;
    return (long)h[60] << 24 | (long)h[61] << 16 | (long)h[62] << 8 | h[63];
}

static void set_header_version(const char *path, unsigned v)
{
    unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 8), (unsigned char)v };
    FILE *f = fopen(path, "r+b");
    if (!f)
        return;
    fseek(f, 60, SEEK_SET);
    fwrite(b, 1, 4, f);
    fclose(f);
}

static struct match_call call(unsigned site, const char *key, const char *by, int64_t start)
{
    return (struct match_call){ .site = site, .key = span_of(key), .by = span_of(by),
                                .start_us = start, .ready_us = start + 250000,
                                .latency_us = 250000, .tokens_in = 12, .tokens_out = 34 };
}

static void test_round_trip(void)
{
    struct span names[] = { SPAN_LIT("churn"), SPAN_LIT("chat") };
    struct err e = { 0 };
    struct store *st = store_open(NULL, names, 2, &e);
    CHECK(st != NULL);
    if (!st)
        return;
    int64_t src;
    CHECK_INT(store_begin_source(st, "gw.log", &src, &e), 0);

    struct match_call c1 = call(0, "req-1", "", T0);
    struct match_call c2 = call(1, "", "gpt-4o", T0 + 5);
    c2.latency_us = -1, c2.tokens_in = -1, c2.tokens_out = 7;
    struct match_call c3 = call(1, "req-3", "gpt-4o", T0 + 9);
    c3.key2 = SPAN_LIT("chatcmpl-3");
    CHECK_INT(store_put_call(st, src, &c1, &e), 0);
    CHECK_INT(store_put_call(st, src, &c2, &e), 0);
    CHECK_INT(store_put_call(st, src, &c3, &e), 0);
    struct match_read r1 = { .site = 0, .key = SPAN_LIT("req-1"), .at_us = T0 + 100,
                             .by = SPAN_LIT("crm-ui/5.0") };
    struct match_read r2 = { .site = 1, .bulk = true, .at_us = T0 + 200 };
    CHECK_INT(store_put_read(st, src, &r1, &e), 0);
    CHECK_INT(store_put_read(st, src, &r2, &e), 0);

    struct source_stats stats = { .path = "gw.log", .format = "nginx", .is_gzip = true,
                                  .bytes = 1000, .lines = 10, .events = 8, .matched = 5,
                                  .skipped = 2, .n_errors = 2 };
    stats.errors[0] = (struct source_error){ 3, "no closing quote" };
    stats.errors[1] = (struct source_error){ 7, "bad time" };
    CHECK_INT(store_end_source(st, src, &stats, T0 - 10, T0 + 300, &e), 0);

    /* calls: storage order, NULLs back as their markers */
    struct calls_seen c = { 0 };
    CHECK_INT(store_scan_calls(st, take_call, &c, &e), 0);
    CHECK_INT(c.n, 3);
    CHECK_INT(c.rows[0].site, 0);
    CHECK(c.rows[0].has_key);
    CHECK(c.rows[0].key == span_hash(SPAN_LIT("req-1")));
    CHECK(!c.rows[0].has_alt_key);
    CHECK_INT(c.rows[0].by, STORE_NO_LABEL);
    CHECK_INT(c.rows[0].start_us, T0);
    CHECK_INT(c.rows[0].ready_us, T0 + 250000);
    CHECK_INT(c.rows[0].latency_us, 250000);
    CHECK_INT(c.rows[0].tokens_in, 12);
    CHECK_INT(c.rows[0].tokens_out, 34);
    CHECK_INT(c.rows[1].site, 1);
    CHECK(!c.rows[1].has_key);
    CHECK_INT(c.rows[1].latency_us, -1);
    CHECK_INT(c.rows[1].tokens_in, -1);
    CHECK_INT(c.rows[1].tokens_out, 7);
    CHECK(c.rows[1].by != STORE_NO_LABEL);
    CHECK_INT(c.rows[2].by, c.rows[1].by); /* one label for one value */
    CHECK(c.rows[2].has_alt_key);
    CHECK(c.rows[2].alt_key == span_hash(SPAN_LIT("chatcmpl-3")));

    struct arena *a = arena_new(4096);
    struct span by = SPAN_NULL;
    CHECK_INT(store_label(st, c.rows[1].by, a, &by, &e), 0);
    CHECK_SPAN(by, "gpt-4o");
    CHECK_INT(store_label(st, 9999, a, &by, &e), -1);
    CHECK_INT(e.exit_code, EXIT_INTERNAL);

    struct reads_seen r = { 0 };
    CHECK_INT(store_scan_reads(st, take_read, &r, &e), 0);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.rows[0].site, 0);
    CHECK(!r.rows[0].bulk);
    CHECK(r.rows[0].has_key);
    CHECK(r.rows[0].key == span_hash(SPAN_LIT("req-1")));
    CHECK_INT(r.rows[0].at_us, T0 + 100);
    CHECK(store_label(st, r.rows[0].by, a, &by, &e) == 0);
    CHECK_SPAN(by, "crm-ui/5.0");
    CHECK_INT(r.rows[1].site, 1);
    CHECK(r.rows[1].bulk);
    CHECK(!r.rows[1].has_key);
    CHECK_INT(r.rows[1].by, STORE_NO_LABEL);

    /* a callback's non-zero value stops the scan and comes back */
    unsigned seen = 0;
    CHECK_INT(store_scan_calls(st, stop_at_two, &seen, &e), 7);
    CHECK_INT(seen, 2);

    /* sources: counters, bad lines, time span; an empty one has min > max */
    int64_t src2;
    struct source_stats empty = { .path = "-" };
    CHECK_INT(store_begin_source(st, "-", &src2, &e), 0);
    CHECK(src2 != src);
    CHECK_INT(store_end_source(st, src2, &empty, INT64_MAX, INT64_MIN, &e), 0);
    struct store_source *ss = NULL;
    unsigned n = 0;
    CHECK_INT(store_sources(st, a, &ss, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(ss[0].stats.path, "gw.log");
        CHECK_STR(ss[0].stats.format, "nginx");
        CHECK(ss[0].stats.is_gzip);
        CHECK_INT(ss[0].stats.bytes, 1000);
        CHECK_INT(ss[0].stats.lines, 10);
        CHECK_INT(ss[0].stats.events, 8);
        CHECK_INT(ss[0].stats.matched, 5);
        CHECK_INT(ss[0].stats.skipped, 2);
        CHECK_INT(ss[0].stats.n_errors, 2);
        CHECK_INT(ss[0].stats.errors[1].line, 7);
        CHECK_STR(ss[0].stats.errors[1].reason, "bad time");
        CHECK_INT(ss[0].min_us, T0 - 10);
        CHECK_INT(ss[0].max_us, T0 + 300);
        CHECK_STR(ss[1].stats.path, "-");
        CHECK(ss[1].stats.format == NULL);
        CHECK_INT(ss[1].stats.n_errors, 0);
        CHECK(ss[1].min_us > ss[1].max_us);
    }

    /* a site index the store was not opened with is an internal error */
    struct match_call bad = call(2, "k", "", T0);
    struct err e2 = { 0 };
    CHECK_INT(store_put_call(st, src, &bad, &e2), -1);
    CHECK_INT(e2.exit_code, EXIT_INTERNAL);
    CHECK_STR(e2.file, ":memory:");
    arena_free(a);
    store_close(st);
}

/* Enough rows to use the multi-row INSERT and its single-row tail. */
static void test_many_rows(void)
{
    struct span names[] = { SPAN_LIT("s") };
    struct err e = { 0 };
    struct store *st = store_open(NULL, names, 1, &e);
    CHECK(st != NULL);
    if (!st)
        return;
    int64_t src;
    CHECK_INT(store_begin_source(st, "x", &src, &e), 0);
    char key[32];
    int ok = 0;
    for (int i = 0; i < 1037; i++) {
        snprintf(key, sizeof key, "k%d", i);
        struct match_call c = call(0, key, i % 3 ? "a" : "b", T0 + i);
        c.key2 = i % 2 ? span_of(key) : SPAN_NULL; /* multi-row inserts bind it too */
        struct match_read r = { .site = 0, .key = span_of(key), .at_us = T0 + i };
        ok += store_put_call(st, src, &c, &e) == 0 && store_put_read(st, src, &r, &e) == 0;
    }
    CHECK_INT(ok, 1037);
    struct source_stats stats = { .path = "x" };
    CHECK_INT(store_end_source(st, src, &stats, T0, T0 + 1036, &e), 0);
    struct calls_seen c = { 0 };
    CHECK_INT(store_scan_calls(st, take_call, &c, &e), 0);
    CHECK_INT(c.n, 1037);
    CHECK(c.rows[7].key == span_hash(SPAN_LIT("k7")));
    CHECK(c.rows[7].has_alt_key && c.rows[7].alt_key == span_hash(SPAN_LIT("k7")));
    CHECK(!c.rows[6].has_alt_key);
    CHECK_INT(c.rows[7].start_us, T0 + 7);
    struct reads_seen r = { 0 };
    CHECK_INT(store_scan_reads(st, take_read, &r, &e), 0);
    CHECK_INT(r.n, 1037);
    uint64_t nc = 0, nr = 0;
    CHECK_INT(store_count(st, &nc, &nr, &e), 0);
    CHECK_INT(nc, 1037);
    CHECK_INT(nr, 1037);
    store_close(st);
}

static void test_file(void)
{
    char path[] = "/tmp/tempo-test-store-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    unlink(path); /* store_open creates it */
    char wal[64], shm[64];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);

    struct span names[] = { SPAN_LIT("a"), SPAN_LIT("b") };
    struct err e = { 0 };
    struct store *st = store_open(path, names, 2, &e);
    CHECK(st != NULL);
    if (!st)
        return;
    int64_t src;
    struct store_identity log_id; /* a log: its committed rows count at once */
    store_identity_of(SPAN_LIT("x"), false, 0, 0, 0, true, &log_id);
    CHECK_INT(store_begin_identified(st, "big.log", &log_id, &src, &e), 0);
    int ok = 0;
    for (int i = 0; i < LIMIT_STORE_BATCH + 5; i++) {
        struct match_call c = call((unsigned)(i & 1), "k", "", T0 + i);
        ok += store_put_call(st, src, &c, &e) == 0;
    }
    CHECK_INT(ok, LIMIT_STORE_BATCH + 5);

    /* a second connection sees the committed batch, not the 5 rows after it */
    struct store *other = store_open(path, names, 2, &e);
    CHECK(other != NULL);
    if (other) {
        CHECK_INT(count_calls(other), LIMIT_STORE_BATCH);
        unsigned unfinished = 9;
        CHECK_INT(store_count_unfinished(other, &unfinished, &e), 0);
        CHECK_INT(unfinished, 0);
        store_close(other);
    }
    /* closed without store_end_source (a run that failed): the open batch is
     * rolled back, the committed one stays */
    store_close(st);
    CHECK_INT(header_version(path), 4);

    /* reopened with other rules: ids follow names; sites they lack are left out */
    struct span names2[] = { SPAN_LIT("c"), SPAN_LIT("b") };
    st = store_open(path, names2, 2, &e);
    CHECK(st != NULL);
    if (st) {
        struct calls_seen c = { 0 };
        CHECK_INT(store_scan_calls(st, take_call, &c, &e), 0);
        CHECK_INT(c.n, LIMIT_STORE_BATCH / 2);
        CHECK_INT(c.rows[0].site, 1);
        CHECK_INT(c.rows[0].start_us, T0 + 1);
        store_close(st);
    }

    /* a file from a newer tempo is refused, naming the file */
    set_header_version(path, 99);
    struct err e3 = { 0 };
    st = store_open(path, names, 2, &e3);
    CHECK(st == NULL);
    store_close(st);
    CHECK_INT(e3.exit_code, EXIT_USAGE);
    CHECK_STR(e3.msg, "schema 99 is newer than this tempo (4)");
    CHECK(e3.file && strcmp(e3.file, path) == 0);
    char line[400];
    err_format(&e3, line, sizeof line);
    char want[400];
    snprintf(want, sizeof want, "%s: schema 99 is newer than this tempo (4)", path);
    CHECK_STR(line, want);
    unlink(path);
    unlink(wal);
    unlink(shm);

    /* a file that is not a database, and a path that cannot be created */
    FILE *f = fopen(path, "wb");
    if (f) {
        for (int i = 0; i < 200; i++)
            fputs("this is a log line, not a database\n", f);
        fclose(f);
    }
    struct err e4 = { 0 };
    st = store_open(path, names, 2, &e4);
    CHECK(st == NULL);
    store_close(st);
    CHECK_INT(e4.exit_code, EXIT_USAGE);
    CHECK(strstr(e4.msg, "not a database") != NULL);
    unlink(path);
    unlink(wal);
    unlink(shm);
    struct err e5 = { 0 };
    st = store_open("/nonexistent-dir/x.db", names, 2, &e5);
    CHECK(st == NULL);
    store_close(st);
    CHECK_INT(e5.exit_code, EXIT_USAGE);
    CHECK_STR(e5.file, "/nonexistent-dir/x.db");
}

static void test_new_file_version(void)
{
    char path[] = "/tmp/tempo-test-store-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd); /* an empty file is a new database */
    struct span names[] = { SPAN_LIT("a") };
    struct err e = { 0 };
    struct store *st = store_open(path, names, 1, &e);
    CHECK(st != NULL);
    store_close(st);
    CHECK_INT(header_version(path), 4);
    /* opening again migrates nothing and keeps the data */
    st = store_open(path, names, 1, &e);
    CHECK(st != NULL);
    store_close(st);
    CHECK_INT(header_version(path), 4);
    unlink(path);
}

/* Reading on where a run stopped: identities, checkpoints, purges, claims. */
static void test_resume(void)
{
    char path[] = "/tmp/tempo-test-resume-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    struct span names[] = { SPAN_LIT("a"), SPAN_LIT("b") };
    struct err e = { 0 };
    struct store *st = store_open(path, names, 2, &e);
    CHECK(st != NULL);
    if (!st)
        return;
    CHECK_INT(store_claim(st, true, 0x1234, "r.rules", &e), 0);

    struct span head = SPAN_LIT("line one\nline two\n");
    struct store_identity id;
    store_identity_of(head, true, 7, 42, head.n, true, &id);
    CHECK_INT(id.fp_len, head.n);
    bool found = true;
    struct store_resume res;
    CHECK_INT(store_find_source(st, head, &id, &found, &res, &e), 0);
    CHECK(!found);
    int64_t sid;
    CHECK_INT(store_begin_identified(st, "a.log", &id, &sid, &e), 0);
    store_hold_commits(st, true);
    struct match_call c1 = call(0, "k1", "", T0);
    CHECK_INT(store_put_call(st, sid, &c1, &e), 0);
    struct store_mark m = { .offset = 9, .bytes = 9, .lines = 1, .events = 1, .matched = 1,
                            .skipped = 0, .n_errors = 1, .min_us = T0, .max_us = T0 };
    struct source_error errs[1] = { { 1, "odd" } };
    CHECK_INT(store_checkpoint(st, sid, &m, "nginx", false, errs, 0, &e), 0);
    /* a row after the checkpoint, never committed: a kill drops it */
    int put = 0;
    for (int i = 0; i < LIMIT_STORE_BATCH + 5; i++) /* held: no commit by count */
        put += store_put_call(st, sid, &c1, &e) == 0;
    CHECK_INT(put, LIMIT_STORE_BATCH + 5);
    store_close(st);

    st = store_open(path, names, 2, &e);
    CHECK(st != NULL);
    if (!st)
        return;
    CHECK_INT(count_calls(st), 1);
    struct err e2 = { 0 };
    CHECK_INT(store_claim(st, true, 0x9999, "new.rules", &e2), -1);
    CHECK_INT(e2.exit_code, EXIT_USAGE);
    CHECK(strstr(e2.msg, "&& tempo ingest -r new.rules --db") != NULL);
    store_close(st);
    st = store_open(path, names, 2, &e);
    CHECK_INT(store_claim(st, true, 0x1234, "r.rules", &e), 0);

    /* the log grew: its first bytes are those fingerprinted; another file, same content */
    struct span grown = SPAN_LIT("line one\nline two\nline three\n");
    store_identity_of(grown, true, 8, 99, grown.n, true, &id);
    CHECK_INT(store_find_source(st, grown, &id, &found, &res, &e), 0);
    CHECK(found);
    CHECK_INT(res.source_id, sid);
    CHECK_INT(res.mark.offset, 9);
    CHECK_INT(res.mark.lines, 1);
    CHECK_INT(res.mark.n_errors, 1);
    CHECK_INT(res.mark.min_us, T0);
    /* a log that starts otherwise is new; one shorter than the fingerprint too */
    struct span other = SPAN_LIT("line ONE\nline two\nline three\n");
    store_identity_of(other, true, 7, 42, other.n, true, &id);
    CHECK_INT(store_find_source(st, other, &id, &found, &res, &e), 0);
    CHECK(!found);
    struct span shorter = SPAN_LIT("line one\n");
    store_identity_of(shorter, true, 7, 42, shorter.n, true, &id);
    CHECK_INT(store_find_source(st, shorter, &id, &found, &res, &e), 0);
    CHECK(!found);

    /* STORE_FP_BYTES at N-1, N and N+1: the fingerprint covers at most N bytes,
     * so what differs after them is the same content (a log that grew) */
    char big[STORE_FP_BYTES + 2];
    memset(big, 'x', sizeof big);
    for (size_t n = STORE_FP_BYTES - 1; n <= STORE_FP_BYTES + 1; n++) {
        store_identity_of((struct span){ big, n }, true, 1, 2, n, true, &id);
        CHECK_INT(id.fp_len, n < STORE_FP_BYTES ? n : STORE_FP_BYTES);
    }
    struct store_identity a, b;
    store_identity_of((struct span){ big, STORE_FP_BYTES + 1 }, true, 1, 2, 0, true, &a);
    big[STORE_FP_BYTES] = 'y'; /* byte N+1 */
    store_identity_of((struct span){ big, STORE_FP_BYTES + 1 }, true, 1, 2, 0, true, &b);
    CHECK(a.fp_hash == b.fp_hash);
    big[STORE_FP_BYTES - 1] = 'y'; /* byte N */
    store_identity_of((struct span){ big, STORE_FP_BYTES + 1 }, true, 1, 2, 0, true, &b);
    CHECK(a.fp_hash != b.fp_hash);

    /* read whole: unfinished ones are purged with their rows; finished ones known */
    struct span cap = SPAN_LIT("\xd4\xc3\xb2\xa1 capture bytes");
    store_identity_of(cap, true, 7, 50, 1000, false, &id);
    int64_t cid;
    CHECK_INT(store_begin_identified(st, "c.pcap", &id, &cid, &e), 0);
    struct match_call c2 = call(1, "k2", "", T0);
    CHECK_INT(store_put_call(st, cid, &c2, &e), 0);
    store_close(st); /* rolled back: begin and rows in one open transaction */
    st = store_open(path, names, 2, &e);
    CHECK_INT(store_begin_identified(st, "c.pcap", &id, &cid, &e), 0);
    CHECK_INT(store_put_call(st, cid, &c2, &e), 0);
    struct source_stats cs = { .path = "c.pcap", .format = "pcap", .bytes = 0 };
    CHECK_INT(store_checkpoint(st, cid, &m, "pcap", false, errs, 1, &e), 0); /* committed */
    unsigned purged = 9;
    CHECK_INT(store_purge_unfinished(st, &purged, &e), 0);
    CHECK_INT(purged, 1);
    CHECK_INT(count_calls(st), 1); /* the log's call stays, the capture's went */
    CHECK_INT(store_begin_identified(st, "c.pcap", &id, &cid, &e), 0);
    cs.bytes = 1000;
    CHECK_INT(store_end_source(st, cid, &cs, INT64_MAX, INT64_MIN, &e), 0);
    CHECK_INT(store_find_source(st, cap, &id, &found, &res, &e), 0);
    CHECK(found && res.complete);
    id.size = 1001; /* the same start, another size: another capture */
    CHECK_INT(store_find_source(st, cap, &id, &found, &res, &e), 0);
    CHECK(!found);
    CHECK_INT(store_purge_unfinished(st, &purged, &e), 0);
    CHECK_INT(purged, 0);
    store_close(st);
    unlink(path);
}

int main(void)
{
    test_round_trip();
    test_resume();
    test_many_rows();
    test_file();
    test_new_file_version();
    return test_report();
}
