/*
 * xmalloc.c - the allocation calls that cannot fail (base layer): out of memory
 * is not an input error, so it prints and exits 3 (see tmux xmalloc.c). Counts
 * calls so that `make bench` can show allocations per event.
 */
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "err.h"

static unsigned long n_allocs;

static void *checked(void *p, size_t n)
{
    if (!p && n) {
        fprintf(stderr, "tempo: out of memory (%zu bytes)\n", n);
        exit(EXIT_INTERNAL);
    }
    n_allocs++;
    return p;
}

void *xmalloc(size_t n)
{
    return checked(malloc(n ? n : 1), n);
}

void *xcalloc(size_t n, size_t size)
{
    return checked(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *xrealloc(void *p, size_t n)
{
    return checked(realloc(p, n ? n : 1), n);
}

unsigned long xmalloc_count(void)
{
    return n_allocs;
}
