/*
 * fuzz_rules.c - libFuzzer target for the rules language (rules stage): any
 * bytes go through rules_parse() (lexer, parser, checker, diagnostics); on
 * success every expression is also evaluated and formatted. Must never crash,
 * hang or leak. Seeds: tests/fuzz/corpus/rules/ (the good and bad rules files).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy with no NUL after it, so a one-byte over-read shows. */
    char *copy = xmalloc(size ? size : 1);
    if (size)
        memcpy(copy, data, size);
    struct arena *a = arena_new(1 << 16);
    struct buf diag, text;
    struct err e = { 0 };
    buf_init(&diag, 8u << 20);
    buf_init(&text, 1u << 20);
    struct rules *r = rules_parse(a, "fuzz.rules", (struct span){ copy, size }, &diag, &e);
    if (r) {
        struct event ev;
        struct rules_metrics m;
        event_reset(&ev);
        (void)event_add(&ev, SPAN_LIT("method"), SPAN_LIT("POST"), ATTR_STRING);
        (void)event_add(&ev, SPAN_LIT("status"), SPAN_LIT("200"), ATTR_STRING);
        memset(&m, 0, sizeof m);
        for (int k = 0; k < METRIC_COUNT; k++) {
            m.v[k] = k * 0.25;
            m.has[k] = k % 3 != 0;
        }
        for (unsigned i = 0; i < r->n_calls; i++) {
            if (r->calls[i].where) {
                (void)rules_eval_event(r->calls[i].where, &ev);
                buf_reset(&text);
                if (rules_node_format(r->calls[i].where, &text) < 0)
                    buf_reset(&text);
            }
        }
        for (unsigned i = 0; i < r->n_verdicts; i++) {
            if (r->verdicts[i].when) {
                (void)rules_eval_metrics(r->verdicts[i].when, &m);
                buf_reset(&text);
                if (rules_node_format(r->verdicts[i].when, &text) < 0)
                    buf_reset(&text);
            }
        }
    }
    buf_release(&text);
    buf_release(&diag);
    arena_free(a);
    free(copy);
    return 0;
}
