/*
 * fuzz_otlp.c - libFuzzer target for the OTLP JSON decoder (decoders stage).
 * The input is a file: offered to detect() as a head, then fed line by line
 * (each an exact-size copy, so ASan sees a one-byte over-read) through line(),
 * next() until DECODE_MORE, and end(). The first byte picks a wanted list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct span wanted[] = {
    SPAN_LIT("span_id"),     SPAN_LIT("link.span_id"),     SPAN_LIT("name"),
    SPAN_LIT("kind"),        SPAN_LIT("trace_id"),         SPAN_LIT("status.code"),
    SPAN_LIT("scope.name"),  SPAN_LIT("resource.service.name"),
    SPAN_LIT("gen_ai.request.model"),
};

static void touch(const struct event *ev)
{
    volatile size_t sum = 0;
    if (ev->n_attrs > LIMIT_ATTRS || ev->end_us < ev->start_us)
        abort();
    for (unsigned i = 0; i < ev->n_attrs; i++) {
        for (size_t k = 0; k < ev->attrs[i].value.n; k++)
            sum += (unsigned char)ev->attrs[i].value.p[k]; /* every value readable */
        for (size_t k = 0; k < ev->attrs[i].name.n; k++)
            sum += (unsigned char)ev->attrs[i].name.p[k];
    }
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct arena *a = arena_new(1 << 16);
    struct decode_options opt = { 0 };
    if (data[0] & 1) {
        opt.wanted = wanted;
        opt.n_wanted = sizeof wanted / sizeof wanted[0];
    }
    struct err e;
    struct decoder_state *st = decode_otlp.open(&opt, a, &e);
    struct span all = { (const char *)data, size };
    int score = decode_otlp.detect(st, all);
    if (score != 0 && score != 100)
        abort();
    static struct event ev;
    struct span rest = all, line;
    while (rest.n) {
        span_cut(&rest, '\n', &line);
        char *copy = malloc(line.n ? line.n : 1);
        if (line.n)
            memcpy(copy, line.p, line.n);
        const char *reason = NULL;
        enum decode_result r = decode_otlp.line(st, (struct span){ copy, line.n }, &ev, &reason);
        for (unsigned guard = 0; r != DECODE_MORE; guard++) {
            if (r == DECODE_SKIP && !reason)
                abort(); /* a skip always says why */
            if (r == DECODE_OK)
                touch(&ev);
            if (guard > 10000000)
                abort(); /* the walk ends */
            reason = NULL;
            r = decode_otlp.next(st, &ev, &reason);
        }
        free(copy);
    }
    (void)decode_otlp.end(st);
    arena_free(a);
    return 0;
}
