/*
 * store_writer.c - the store's writer thread (store stage). Inserting millions
 * of rows into SQLite costs about as much as reading and decoding the log, so
 * the two run side by side: records are copied into one batch while the
 * thread writes the other. Only this thread calls SQLite while it runs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "store.h"

#define BATCH_RECORDS 8192
#define BATCH_BYTES (BATCH_RECORDS * 64)

struct record {
    bool is_call;
    struct match_call call; /* spans point into the batch's bytes */
    struct match_read read;
};

struct batch {
    unsigned n;
    size_t used;
    bool has_mark;           /* resumable: a line boundary fell in this batch */
    unsigned mark_at;        /* records before the last boundary */
    struct store_mark mark;  /* the source's offset and counts at it */
    struct record recs[BATCH_RECORDS];
    char bytes[BATCH_BYTES];
};

struct store_writer {
    struct store *st;
    int64_t source_id;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *fill;    /* the caller's */
    struct batch *pending; /* handed to the thread; NULL when it may take another */
    bool stop, failed;
    struct err err;        /* the thread's first error */
    const struct source_stats *live; /* resumable: the caller's counts */
    unsigned errors_stored;          /* of live->errors, in the store */
    struct batch b[2];
};

/* Commit the rows written so far with the offset and counts they end at. */
static int checkpoint(struct store_writer *w, const struct store_mark *m, struct err *e)
{
    if (store_checkpoint(w->st, w->source_id, m, w->live->format, w->live->is_gzip,
                         w->live->errors, w->errors_stored, e) < 0)
        return -1;
    w->errors_stored = m->n_errors < LIMIT_FIRST_ERRORS ? m->n_errors : LIMIT_FIRST_ERRORS;
    return 0;
}

static void *writer_main(void *arg)
{
    struct store_writer *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->pending && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        struct batch *b = w->pending;
        bool failed = w->failed;
        pthread_mutex_unlock(&w->mu);
        if (!b)
            return NULL; /* stop, nothing pending */
        struct err e;
        int rc = 0;
        for (unsigned i = 0; i <= b->n && rc == 0 && !failed; i++) {
            if (b->has_mark && i == b->mark_at)
                rc = checkpoint(w, &b->mark, &e);
            if (i == b->n || rc < 0)
                break;
            const struct record *r = &b->recs[i];
            rc = r->is_call ? store_put_call(w->st, w->source_id, &r->call, &e)
                            : store_put_read(w->st, w->source_id, &r->read, &e);
        }
        pthread_mutex_lock(&w->mu);
        if (rc < 0 && !w->failed) {
            w->failed = true;
            w->err = e;
        }
        b->n = 0;
        b->used = 0;
        b->has_mark = false;
        w->pending = NULL;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
}

struct store_writer *store_writer_start(struct store *st, int64_t source_id, struct err *e)
{
    struct store_writer *w = xcalloc(1, sizeof *w);
    w->st = st;
    w->source_id = source_id;
    w->fill = &w->b[0];
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        err_at(e, EXIT_INTERNAL, NULL, 0, 0, "cannot start the store's writer thread");
        return NULL;
    }
    return w;
}

/* Hand the full batch to the thread (waiting for it to finish the previous
 * one) and take the other. */
static int hand_over(struct store_writer *w, struct err *e)
{
    pthread_mutex_lock(&w->mu);
    while (w->pending && !w->failed)
        pthread_cond_wait(&w->cv, &w->mu);
    bool failed = w->failed;
    if (!failed) {
        w->pending = w->fill;
        w->fill = w->fill == &w->b[0] ? &w->b[1] : &w->b[0];
        pthread_cond_broadcast(&w->cv);
    } else {
        *e = w->err;
    }
    pthread_mutex_unlock(&w->mu);
    return failed ? -1 : 0;
}

/* Room for one more record with `n` bytes of text. */
static int make_room(struct store_writer *w, size_t n, struct err *e)
{
    if (w->fill->n < BATCH_RECORDS && w->fill->used + n <= BATCH_BYTES)
        return 0;
    return hand_over(w, e);
}

static struct span keep(struct batch *b, struct span s)
{
    char *p = b->bytes + b->used;
    if (s.n)
        memcpy(p, s.p, s.n);
    b->used += s.n;
    return (struct span){ p, s.n };
}

int store_writer_call(struct store_writer *w, const struct match_call *c, struct err *e)
{
    if (make_room(w, c->key.n + c->key2.n + c->by.n, e) < 0)
        return -1;
    struct batch *b = w->fill;
    struct record *r = &b->recs[b->n++];
    r->is_call = true;
    r->call = *c;
    r->call.key = keep(b, c->key);
    r->call.key2 = keep(b, c->key2);
    r->call.by = keep(b, c->by);
    return 0;
}

int store_writer_read(struct store_writer *w, const struct match_read *rd, struct err *e)
{
    if (make_room(w, rd->key.n + rd->by.n, e) < 0)
        return -1;
    struct batch *b = w->fill;
    struct record *r = &b->recs[b->n++];
    r->is_call = false;
    r->read = *rd;
    r->read.key = keep(b, rd->key);
    r->read.by = keep(b, rd->by);
    return 0;
}

void store_writer_resumable(struct store_writer *w, const struct source_stats *live,
                            unsigned errors_stored)
{
    w->live = live;
    w->errors_stored = errors_stored;
    store_hold_commits(w->st, true);
}

/* Room left in a batch below which each line boundary is marked: one line's
 * calls and reads (an event and its reads, with their key and by= bytes) fit
 * in it, so a batch is handed over with a mark near its end. A line with more
 * only delays its rows to the next batch's checkpoint. */
#define MARK_RECORDS (2 * (MATCH_MAX_READS + 1))
#define MARK_BYTES (MARK_RECORDS * (2 * LIMIT_KEY + LIMIT_BY))

bool store_writer_wants_mark(const struct store_writer *w)
{
    const struct batch *b = w->fill;
    return b->n + MARK_RECORDS >= BATCH_RECORDS || b->used + MARK_BYTES >= BATCH_BYTES;
}

void store_writer_mark(struct store_writer *w, const struct store_mark *m)
{
    struct batch *b = w->fill;
    b->has_mark = true;
    b->mark_at = b->n;
    b->mark = *m;
}

int store_writer_finish(struct store_writer *w, struct err *e)
{
    /* A last boundary with no row after it still has to be committed. */
    bool marked = w->fill->has_mark;
    int rc = w->fill->n || marked ? hand_over(w, e) : 0;
    pthread_mutex_lock(&w->mu);
    while (w->pending && !w->failed)
        pthread_cond_wait(&w->cv, &w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    if (w->failed && rc == 0) {
        *e = w->err;
        rc = -1;
    }
    if (w->live)
        store_hold_commits(w->st, false);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return rc;
}
