/*
 * decode_json.c - what the JSON decoders share (decoders stage): the copy that
 * keeps long numbers' digits, and cJSON's memory. cJSON allocates every node
 * with malloc; its hooks are pointed at one arena that each new parse resets,
 * so a JSON line costs no allocation in steady state (STYLE.md §4) and a
 * tree's memory is bounded by its record's size.
 */
#include <math.h>
#include <stdio.h>

#include "decode_json_int.h"

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

static const cJSON *find(const cJSON *node, struct span path, unsigned *budget)
{
    if (*budget == 0 || path.n == 0)
        return NULL;
    (*budget)--;
    if (cJSON_IsObject(node)) {
        for (const cJSON *c = node->child; c; c = c->next) {
            /* The first byte rules out most keys before strlen and memcmp:
             * every wanted name is tried against every key of the record. */
            if (!c->string || c->string[0] != path.p[0])
                continue;
            struct span key = span_of(c->string);
            if (key.n > path.n || (key.n && memcmp(key.p, path.p, key.n) != 0))
                continue;
            if (key.n == path.n)
                return c;
            if (path.p[key.n] != '.')
                continue;
            const cJSON *hit =
                find(c, (struct span){ path.p + key.n + 1, path.n - key.n - 1 }, budget);
            if (hit)
                return hit;
        }
        return NULL;
    }
    if (cJSON_IsArray(node)) {
        struct span rest = path, seg;
        bool more = span_cut(&rest, '.', &seg);
        uint64_t idx;
        if (!span_to_u64(seg, &idx) || idx > INT32_MAX)
            return NULL;
        const cJSON *c = node->child;
        for (uint64_t i = 0; c && i < idx; i++)
            c = c->next;
        return !c || !more ? c : find(c, rest, budget);
    }
    return NULL;
}

const cJSON *decode_json_find(const cJSON *root, struct span path)
{
    unsigned budget = DECODE_JSON_FIND_BUDGET;
    return path.n ? find(root, path, &budget) : NULL;
}

/* Returns false once leaf() has asked to stop. */
static bool walk(const cJSON *node, char *name, size_t len,
                 bool (*leaf)(void *ctx, struct span name, const cJSON *leaf), void *ctx)
{
    size_t i = 0;
    for (const cJSON *c = node->child; c; c = c->next, i++) {
        char seg[24];
        struct span key;
        if (cJSON_IsArray(node)) {
            int k = snprintf(seg, sizeof seg, "%zu", i);
            key = (struct span){ seg, k > 0 ? (size_t)k : 0 };
        } else {
            key = span_of(c->string);
        }
        size_t n = len + (len ? 1 : 0) + key.n;
        if (n > LIMIT_ATTR_NAME)
            continue;
        if (len)
            name[len] = '.';
        memcpy(name + n - key.n, key.p, key.n);
        if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            if (!walk(c, name, n, leaf, ctx))
                return false;
            continue;
        }
        if (!leaf(ctx, (struct span){ name, n }, c))
            return false;
    }
    return true;
}

void decode_json_walk(const cJSON *node, char *name, size_t len,
                      bool (*leaf)(void *ctx, struct span name, const cJSON *leaf), void *ctx)
{
    (void)walk(node, name, len, leaf, ctx);
}

size_t decode_json_number_text(double d, char out[DECODE_JSON_NUMBER_TEXT])
{
    if (!isfinite(d))
        return 0;
    if (d == floor(d) && fabs(d) < 1e15) {
        char tmp[24];
        int64_t v = (int64_t)d;
        uint64_t u = v < 0 ? (uint64_t)(-v) : (uint64_t)v;
        size_t k = 0, n = 0;
        do {
            tmp[k++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v < 0)
            out[n++] = '-';
        while (k)
            out[n++] = tmp[--k];
        return n;
    }
    for (int prec = 15; prec <= 17; prec++) {
        int n = snprintf(out, DECODE_JSON_NUMBER_TEXT, "%.*g", prec, d);
        double back;
        if (n > 0 && n < DECODE_JSON_NUMBER_TEXT && span_to_double((struct span){ out, (size_t)n }, &back) &&
            back == d)
            return (size_t)n;
    }
    int n = snprintf(out, DECODE_JSON_NUMBER_TEXT, "%.17g", d);
    return n > 0 && n < DECODE_JSON_NUMBER_TEXT ? (size_t)n : 0;
}

struct span decode_json_keep(char *base, size_t cap, size_t *used, const char *p, size_t n)
{
    if (n > cap - *used)
        return SPAN_NULL;
    char *dst = base + *used;
    if (n)
        memcpy(dst, p, n);
    *used += n;
    return (struct span){ dst, n };
}
