/*
 * arena.c - bump allocator (base layer). Blocks are chained; a request larger
 * than the block size gets a block of its own. See git mem-pool.c.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ALIGN 16

struct block {
    struct block *next;
    size_t cap, used;
    _Alignas(ALIGN) unsigned char data[];
};

struct arena {
    struct block *head; /* current block, first in the chain */
    size_t block;
};

static struct block *block_new(size_t cap)
{
    struct block *b = xmalloc(sizeof *b + cap);
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

struct arena *arena_new(size_t block)
{
    struct arena *a = xmalloc(sizeof *a);
    a->block = block < 1024 ? 1024 : block;
    a->head = block_new(a->block);
    return a;
}

void *arena_alloc_raw(struct arena *a, size_t n)
{
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct block *b = a->head;
    if (need < n) /* overflow */
        need = (size_t)-1;
    if (b->cap - b->used < need) {
        struct block *nb = block_new(need > a->block ? need : a->block);
        nb->next = a->head;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    void *p = arena_alloc_raw(a, n);
    memset(p, 0, n);
    return p;
}

struct span arena_keep(struct arena *a, struct span s)
{
    char *p = arena_alloc(a, s.n ? s.n : 1);
    if (s.n)
        memcpy(p, s.p, s.n);
    return (struct span){ p, s.n };
}

char *arena_strdup(struct arena *a, struct span s)
{
    char *p = arena_alloc(a, s.n + 1);
    if (s.n)
        memcpy(p, s.p, s.n);
    p[s.n] = 0;
    return p;
}

void arena_reset(struct arena *a)
{
    struct block *b = a->head;
    while (b->next) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    arena_reset(a);
    free(a->head);
    free(a);
}
