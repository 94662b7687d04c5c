/*
 * test_store_writer.c - the writer thread: records queued from a reused
 * buffer arrive intact (keys hashed from the copies, not from the reused
 * bytes), in order, across many batches; finish writes the last partial
 * batch; a writer with nothing queued finishes cleanly.
 */
#include <stdio.h>

#include "store.h"
#include "test.h"

struct sums {
    uint64_t n, key_xor, ready_sum;
    int64_t last_ready;
    bool ordered;
};

static int on_call(void *ctx, const struct store_call_row *row)
{
    struct sums *s = ctx;
    s->n++;
    s->key_xor ^= row->key;
    s->ready_sum += (uint64_t)row->ready_us;
    if (row->ready_us < s->last_ready)
        s->ordered = false;
    s->last_ready = row->ready_us;
    return 0;
}

int main(void)
{
    struct span names[] = { SPAN_LIT("a"), SPAN_LIT("b") };
    struct err e;
    struct store *st = store_open(NULL, names, 2, &e);
    CHECK(st != NULL);
    if (!st)
        return test_report();
    int64_t sid;
    CHECK_INT(store_begin_source(st, "mem", &sid, &e), 0);
    struct store_writer *w = store_writer_start(st, sid, &e);
    CHECK(w != NULL);

    enum { N = 50000 }; /* several batches of 8192 */
    char key[32];
    uint64_t want_xor = 0, want_sum = 0;
    unsigned n_reads = 0;
    int rc = 0;
    for (unsigned i = 0; i < N && rc == 0; i++) {
        int k = snprintf(key, sizeof key, "req-%u", i);
        struct match_call c = { .site = i % 2, .key = { key, (size_t)k },
                                .by = SPAN_LIT("model-x"), .start_us = i, .ready_us = i + 10,
                                .latency_us = 10, .tokens_in = -1, .tokens_out = -1 };
        want_xor ^= span_hash(c.key);
        want_sum += (uint64_t)c.ready_us;
        rc = store_writer_call(w, &c, &e);
        if (i % 3 == 0 && rc == 0) {
            struct match_read r = { .site = i % 2, .key = { key, (size_t)k }, .at_us = i + 99 };
            rc = store_writer_read(w, &r, &e);
            n_reads++;
        }
        memset(key, 'z', sizeof key); /* the writer must have copied it */
    }
    CHECK_INT(rc, 0);
    CHECK_INT(store_writer_finish(w, &e), 0);
    struct source_stats stats = { 0 };
    stats.path = "mem";
    CHECK_INT(store_end_source(st, sid, &stats, 0, N + 10, &e), 0);

    uint64_t calls = 0, reads = 0;
    CHECK_INT(store_count(st, &calls, &reads, &e), 0);
    CHECK_INT(calls, N);
    CHECK_INT(reads, n_reads);
    struct sums s = { 0, 0, 0, 0, true };
    CHECK_INT(store_scan_calls(st, on_call, &s, &e), 0);
    CHECK_INT(s.n, N);
    CHECK(s.key_xor == want_xor);
    CHECK(s.ready_sum == want_sum);
    CHECK(s.ordered);

    /* Nothing queued. */
    CHECK_INT(store_begin_source(st, "empty", &sid, &e), 0);
    w = store_writer_start(st, sid, &e);
    CHECK(w != NULL);
    CHECK_INT(store_writer_finish(w, &e), 0);
    store_close(st);
    return test_report();
}
