/*
 * decode_json.c - what the JSON decoders share (decoders stage): the copy that
 * keeps long numbers' digits, and cJSON's memory. cJSON allocates every node
 * with malloc; its hooks are pointed at one arena that each new parse resets,
 * so a JSON line costs no allocation in steady state (STYLE.md §4) and a
 * tree's memory is bounded by its record's size.
 */
#include <cJSON.h>

#include "decode.h"

static struct arena *json_arena; /* cJSON's nodes and strings; reset per parse */

static void *json_malloc(size_t n)
{
    return arena_alloc(json_arena, n);
}

static void json_free(void *p)
{
    (void)p; /* the arena's reset frees */
}

/* Every parse starts here: the trees of earlier parses are gone from now on
 * (the decoders cJSON_Delete them first; the hook's free does nothing). */
static void json_begin(void)
{
    if (!json_arena) {
        json_arena = arena_new((size_t)1 << 20);
        cJSON_Hooks hooks = { json_malloc, json_free };
        cJSON_InitHooks(&hooks);
    } else {
        arena_reset(json_arena);
    }
}

size_t decode_json_prepare(struct span text, char *out, size_t cap)
{
    json_begin();
    /* Outside strings, a number starts at '-' or a digit; inside them nothing
     * is touched (escapes honoured so that \" does not end one). */
    size_t o = 0;
    bool in_str = false;
    for (size_t i = 0; i < text.n && o + 3 < cap;) {
        char c = text.p[i];
        if (in_str) {
            out[o++] = c;
            if (c == '\\' && i + 1 < text.n) {
                out[o++] = text.p[i + 1];
                i += 2;
                continue;
            }
            in_str = c != '"';
            i++;
            continue;
        }
        if (c == '"') {
            in_str = true;
            out[o++] = c;
            i++;
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            size_t k = i + 1;
            while (k < text.n && ((text.p[k] >= '0' && text.p[k] <= '9') || text.p[k] == '.' ||
                                  text.p[k] == 'e' || text.p[k] == 'E' || text.p[k] == '+' ||
                                  text.p[k] == '-'))
                k++;
            bool quote = k - i > 15 && o + (k - i) + 3 < cap;
            if (quote)
                out[o++] = '"';
            for (size_t j = i; j < k && o + 2 < cap; j++)
                out[o++] = text.p[j];
            if (quote)
                out[o++] = '"';
            i = k;
            continue;
        }
        out[o++] = c;
        i++;
    }
    out[o] = 0;
    return o;
}
