/*
 * buf.c - growable output buffer with a hard maximum (base layer). Growth past
 * max fails rather than truncating: see curl lib/curlx/dynbuf.c (`toobig`).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

void buf_init(struct buf *b, size_t max)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->pool = NULL;
}

void buf_join_pool(struct buf *b, struct buf_pool *pool)
{
    b->pool = pool;
    if (pool)
        pool->used += b->cap;
}

void buf_release(struct buf *b)
{
    struct buf_pool *pool = b->pool;
    if (pool)
        pool->used -= b->cap;
    free(b->p);
    buf_init(b, b->max);
    b->pool = pool;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = 0;
}

int buf_grow(struct buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return -1;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1; /* never twice the maximum */
    if (b->pool) {
        struct buf_pool *pl = b->pool;
        if (pl->used - b->cap + cap > pl->max)
            cap = b->len + n + 1; /* no doubling on a tight budget */
        if (pl->used - b->cap + cap > pl->max)
            return -1;
        pl->used = pl->used - b->cap + cap;
    }
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
    return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    if (buf_grow(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addspan(struct buf *b, struct span s)
{
    return buf_add(b, s.p, s.n);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return buf_add(b, small, (size_t)n);
    if (buf_grow(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}
