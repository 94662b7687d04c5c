/*
 * arena.h - bump allocator, and the only malloc wrappers. Memory from an arena
 * lives until arena_reset() or arena_free(); never free() it. Allocation cannot
 * fail: out of memory prints a message and exits 3.
 */
#ifndef TEMPO_ARENA_H
#define TEMPO_ARENA_H

#include <stddef.h>

#include "span.h"

struct arena;

/* Create an empty arena that grows in blocks of at least `block` bytes. */
struct arena *arena_new(size_t block);
/* Return `n` bytes aligned for any type, zeroed, valid until the next reset. */
void *arena_alloc(struct arena *a, size_t n);
/* The same, not zeroed: for large scratch space whose pages, never touched,
 * cost no memory (a 2 MiB line buffer for a one-line file). */
void *arena_alloc_raw(struct arena *a, size_t n);
/* Copy `s` into the arena, so that it outlives the buffer it points into. */
struct span arena_keep(struct arena *a, struct span s);
/* Copy `s` into the arena as a NUL-terminated string. */
char *arena_strdup(struct arena *a, struct span s);
/* Forget every allocation but keep the first block for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

/* malloc/calloc/realloc that exit 3 with a message when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Allocation calls made so far through these and the arenas (for make bench). */
unsigned long xmalloc_count(void);

#endif
