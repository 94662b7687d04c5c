/*
 * event.c - the event every decoder fills and the matcher reads (events stage).
 * Attributes live in a fixed array: no allocation per record.
 */
#include "event.h"

void event_reset(struct event *ev)
{
    ev->start_us = ev->end_us = 0;
    ev->has_duration = false;
    ev->has_utc_offset = false;
    ev->utc_offset_s = 0;
    ev->n_attrs = 0;
}

bool event_add(struct event *ev, struct span name, struct span value, enum attr_type type)
{
    if (ev->n_attrs >= LIMIT_ATTRS)
        return false;
    ev->attrs[ev->n_attrs++] = (struct attr){ name, value, type };
    return true;
}

const struct attr *event_get(const struct event *ev, struct span name)
{
    for (unsigned i = 0; i < ev->n_attrs; i++) {
        const struct attr *a = &ev->attrs[i];
        if (a->name.n == name.n && memcmp(a->name.p, name.p, name.n) == 0)
            return a;
    }
    return NULL;
}
