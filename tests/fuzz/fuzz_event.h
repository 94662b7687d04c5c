/*
 * fuzz_event.h - the checks every HTTP fuzz target makes on an event (test
 * tooling): at most LIMIT_ATTRS attributes, each with a name of 1 to
 * LIMIT_ATTR_NAME bytes and a readable value (every byte is read, so that ASan
 * checks the spans). Aborts on a broken one; returns a sum of the bytes.
 */
#ifndef TEMPO_FUZZ_EVENT_H
#define TEMPO_FUZZ_EVENT_H

#include <stdlib.h>

#include "event.h"

static inline unsigned fuzz_check_attrs(const struct event *ev)
{
    unsigned sum = 0;
    if (ev->n_attrs > LIMIT_ATTRS || !ev->has_duration || ev->end_us < ev->start_us)
        abort();
    for (unsigned i = 0; i < ev->n_attrs; i++) {
        const struct attr *a = &ev->attrs[i];
        if (a->name.n == 0 || a->name.n > LIMIT_ATTR_NAME || !a->name.p ||
            (a->value.n && !a->value.p))
            abort();
        for (size_t k = 0; k < a->name.n; k++)
            sum += (unsigned char)a->name.p[k];
        for (size_t k = 0; k < a->value.n; k++)
            sum += (unsigned char)a->value.p[k];
    }
    return sum;
}

#endif
