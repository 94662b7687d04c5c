/*
 * buf.h - growable byte buffer with a hard maximum. The caller owns the struct;
 * buf_release() frees its bytes. Growing past `max` is an error the caller
 * handles (the functions return -1), never a silent truncation. p is always
 * NUL-terminated after a successful call, so it can be handed to C APIs.
 */
#ifndef TEMPO_BUF_H
#define TEMPO_BUF_H

#include <stddef.h>

#include "err.h"
#include "span.h"

/* A budget several buffers share: growing one past `max` bytes allocated in
 * all fails like growing past its own max (e.g. LIMIT_HTTP_MEMORY). */
struct buf_pool {
    size_t used, max;
};

struct buf {
    char *p;    /* owned; NULL until the first append */
    size_t len; /* bytes in use, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* hard limit on len */
    struct buf_pool *pool; /* borrowed: the budget it counts against, or NULL */
};

void buf_init(struct buf *b, size_t max);
/* Count an empty buffer's bytes against `pool` from now on (buf_release keeps it). */
void buf_join_pool(struct buf *b, struct buf_pool *pool);
/* Free the bytes; max and pool stay. */
void buf_release(struct buf *b);
/* Keep the memory, forget the content. */
void buf_reset(struct buf *b);
/* Make room for `n` more bytes; -1 when len + n would pass max. */
int buf_grow(struct buf *b, size_t n) WARN_UNUSED;
int buf_add(struct buf *b, const void *p, size_t n) WARN_UNUSED;
int buf_adds(struct buf *b, const char *s) WARN_UNUSED;
int buf_addspan(struct buf *b, struct span s) WARN_UNUSED;
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)))
WARN_UNUSED;
static inline struct span buf_span(const struct buf *b)
{
    return (struct span){ b->p, b->len };
}

#endif
