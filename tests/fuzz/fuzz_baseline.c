/*
 * fuzz_baseline.c - libFuzzer target for the baseline reader (decoders stage,
 * decode_baseline.c): the input is a whole report, copied into an exact-size
 * heap buffer with no NUL after it. A refusal must be exit 2 with a message; a
 * success must keep nothing from the input (the copy is freed before every
 * kept span is read back) and hold what the gate relies on.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void touch(struct span s)
{
    volatile size_t sum = 0;
    for (size_t k = 0; k < s.n; k++)
        sum += (unsigned char)s.p[k];
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (size)
        memcpy(copy, data, size);
    struct arena *a = arena_new(1 << 12);
    struct baseline bl;
    struct err e = { 0 };
    int rc = decode_baseline_parse("fuzz.json", (struct span){ copy, size }, a, &bl, &e);
    free(copy);
    if (rc < 0) {
        if (e.exit_code != EXIT_USAGE || e.msg[0] == 0 || bl.n_sites || bl.n_findings)
            abort(); /* a bad report is exit 2 and says why, and leaves nothing behind */
    } else {
        if (rc != 0 || !(bl.delay_s >= 0) || !isfinite(bl.delay_s))
            abort();
        touch(bl.generated_at);
        touch(bl.window_start);
        touch(bl.window_end);
        for (unsigned i = 0; i < bl.n_sites; i++) {
            const struct baseline_site *s = &bl.sites[i];
            touch(s->name);
            touch(s->by);
            touch(s->verdict);
            if (!s->has_by && s->by.n)
                abort();
            if (s->has_p50_wait && !(s->p50_wait_s >= 0 && isfinite(s->p50_wait_s)))
                abort();
        }
        for (unsigned i = 0; i < bl.n_findings; i++) {
            touch(bl.findings[i].kind);
            touch(bl.findings[i].site);
            touch(bl.findings[i].by);
        }
    }
    arena_free(a);
    return 0;
}
