/*
 * fuzz_jsonl.c - libFuzzer target for the JSON-lines decoder (decoders stage).
 * The first byte picks the options (wanted names, the jsonl time field, at=,
 * duration and unit); every other line is copied into an exact-size buffer and
 * decoded. The whole input is also offered to detect() and decode_choose().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct span wanted[] = {
    SPAN_LIT("kind"),      SPAN_LIT("route"),   SPAN_LIT("id"),       SPAN_LIT("status"),
    SPAN_LIT("a.b"),       SPAN_LIT("a.b.c"),   SPAN_LIT("choices.0.index"),
    SPAN_LIT("usage.total_tokens"), SPAN_LIT("x.0.1.2"), SPAN_LIT("ts"),
};
#define N_WANTED (sizeof wanted / sizeof wanted[0])
#define N_VARIANTS 4

/* The decoders live across inputs: their 3 MiB of scratch is made once. */
static struct arena *keep_arena;
static struct decoder_state *states[N_VARIANTS];

static struct decoder_state *variant(unsigned v)
{
    if (!keep_arena)
        keep_arena = arena_new(1 << 16);
    if (!states[v]) {
        struct decode_options opt = { 0 };
        opt.wanted = v == 1 ? NULL : wanted;
        opt.n_wanted = v == 1 ? 0 : N_WANTED;
        opt.jsonl.unit_ns = v == 3 ? 1 : 1000000;
        if (v >= 2) {
            opt.jsonl.time = v == 2 ? SPAN_LIT("a.b") : SPAN_LIT("t");
            opt.jsonl.duration = SPAN_LIT("d");
            opt.jsonl.at_start = v == 3;
        }
        struct err e;
        states[v] = decode_jsonl.open(&opt, keep_arena, &e);
        if (!states[v])
            abort(); /* these options are valid */
    }
    return states[v];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct decoder_state *st = variant(data[0] % N_VARIANTS);
    static struct event ev;
    struct span rest = { (const char *)data + 1, size - 1 }, line;
    while (rest.n) {
        span_cut(&rest, '\n', &line);
        /* Exact-size copies: a read past a line's end is an ASan report. */
        char *copy = malloc(line.n ? line.n : 1);
        if (line.n)
            memcpy(copy, line.p, line.n);
        const char *reason = NULL;
        enum decode_result r = decode_jsonl.line(st, (struct span){ copy, line.n }, &ev, &reason);
        if (r == DECODE_SKIP && !reason)
            abort(); /* a skip always says why */
        if (r == DECODE_OK && ev.n_attrs > LIMIT_ATTRS)
            abort();
        free(copy); /* values must not borrow from the line: read them after */
        for (unsigned i = 0; r == DECODE_OK && i < ev.n_attrs; i++) {
            volatile size_t sum = 0;
            for (size_t k = 0; k < ev.attrs[i].value.n; k++)
                sum += (unsigned char)ev.attrs[i].value.p[k];
            for (size_t k = 0; k < ev.attrs[i].name.n; k++)
                sum += (unsigned char)ev.attrs[i].name.p[k];
            (void)sum;
        }
    }

    struct arena *a = arena_new(1 << 16);
    struct span all = { (const char *)data, size };
    struct decode_options opt = { 0 };
    opt.jsonl.unit_ns = 1000000;
    struct err e;
    struct decoder_state *fresh = decode_jsonl.open(&opt, a, &e);
    int score = decode_jsonl.detect(fresh, all);
    if (score < 0 || score > 90)
        abort(); /* OTLP's 100 must win over any JSON lines */
    const struct decoder *dec;
    struct decoder_state *ds;
    if (decode_choose(&opt, "fuzz", all, a, &dec, &ds, &e) == 0 && !dec->format_name(ds))
        abort();
    arena_free(a);
    return 0;
}
