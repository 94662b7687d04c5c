/*
 * decode_otlp.c - OpenTelemetry traces in OTLP JSON (decoders stage), as the
 * Collector's file exporter writes them: one {"resourceSpans": [...]} object per
 * line, or one pretty-printed object over many lines. Every span is an event
 * (PRODUCT.md §2); field names and value encodings follow the OTLP JSON
 * mapping of opentelemetry-proto (trace/v1/trace.proto, common/v1/common.proto).
 */
/*
 * Attributes of a span's event (only the names in decode_options.wanted):
 *   name; kind and status.code as lower-case short names ("server", "client",
 *   "internal", "producer", "consumer", "unspecified"; "unset", "ok", "error"),
 *   from the integer of the JSON mapping or the proto enum name; status.message;
 *   trace_id, span_id, parent_span_id, and link.trace_id, link.span_id of the
 *   first link, as lower-case hex (base64 ids of 16 or 8 bytes are converted);
 *   scope.name, scope.version; resource.NAME; every span attribute by its name:
 *   stringValue and bytesValue (base64 as written) ATTR_STRING, intValue (string
 *   or number) and doubleValue ATTR_NUMBER, boolValue ATTR_BOOL, arrayValue its
 *   scalar elements joined with ',' (ATTR_STRING); kvlistValue is dropped.
 * Times: start/end from start/endTimeUnixNano (ns, "0" is unset), has_duration.
 * A new document starts only at a line whose first byte is '{': lines inside a
 * pretty-printed one must be indented (jq and JSON.stringify indent them).
 */
#include <math.h>
#include <stdio.h>

#include <cJSON.h>

#include "decode.h"
#include "limits.h"

/* A pretty-printed document is buffered until its braces close; past this it
 * is skipped ("document longer than 64 MiB"). */
#define OTLP_MAX_DOC (64u << 20)
/* Bytes of made names and values (hex ids, numbers, joined arrays) per span. */
#define OTLP_SCRATCH (64u << 10)
/* Elements of an arrayValue joined into one attribute value. */
#define OTLP_MAX_ARRAY 64

enum mode {
    MODE_IDLE,    /* between records */
    MODE_BUFFER,  /* inside a multi-line document */
    MODE_DISCARD, /* inside a document past OTLP_MAX_DOC: waiting for its end */
    MODE_PENDING, /* doc holds a complete record that next() must decode */
    MODE_WALK,    /* root holds a parsed record; cursors point at the next span */
};

struct decoder_state {
    const struct span *wanted; /* borrowed from the matcher; NULL: extract all */
    unsigned n_wanted;
    struct arena *a;           /* the caller's; outlives the state */
    enum mode mode;
    char *doc;                 /* arena: the record's text (multi-line or pending) */
    size_t doc_n, doc_cap;
    int depth;                 /* brace/bracket depth of the buffered text */
    bool in_str, esc;          /* the scanner's place inside a string */
    char *json;                /* arena: decode_json_prepare's output */
    size_t json_cap;
    char *scratch;             /* arena: OTLP_SCRATCH bytes, reused per span */
    size_t used;               /* bytes of scratch taken by the current span */
    cJSON *root;               /* owned: freed when the walk ends */
    const cJSON *rs, *ss, *sp; /* cursors: resourceSpans, scopeSpans, spans items */
};

/* ---- buffering ---- */

/* Grow an arena buffer to hold `need` bytes; the old block is abandoned to the
 * arena (at most the final size again, freed with the source's arena). */
static char *grow(struct arena *a, char *buf, size_t used, size_t *cap, size_t need)
{
    if (need <= *cap)
        return buf;
    size_t n = *cap ? *cap : 4096;
    while (n < need)
        n *= 2;
    char *nb = arena_alloc(a, n);
    if (used)
        memcpy(nb, buf, used);
    *cap = n;
    return nb;
}

/* Follow braces and brackets outside strings into st->depth. */
static void scan(struct decoder_state *st, struct span s)
{
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (st->in_str) {
            if (st->esc)
                st->esc = false;
            else if (c == '\\')
                st->esc = true;
            else if (c == '"')
                st->in_str = false;
        } else if (c == '"') {
            st->in_str = true;
        } else if (c == '{' || c == '[') {
            st->depth++;
        } else if (c == '}' || c == ']') {
            st->depth--;
        }
    }
}

static void append(struct decoder_state *st, struct span s)
{
    st->doc = grow(st->a, st->doc, st->doc_n, &st->doc_cap, st->doc_n + s.n + 1);
    if (s.n)
        memcpy(st->doc + st->doc_n, s.p, s.n);
    st->doc_n += s.n;
    st->doc[st->doc_n++] = '\n';
}

static void scan_reset(struct decoder_state *st)
{
    st->depth = 0;
    st->in_str = st->esc = false;
    st->doc_n = 0;
}

static void drop_root(struct decoder_state *st)
{
    cJSON_Delete(st->root);
    st->root = NULL;
    st->rs = st->ss = st->sp = NULL;
}

/* ---- attributes ---- */

/* The wanted name equal to prefix + key, or an empty span. With no wanted
 * list the name is made in scratch. */
static struct span want(struct decoder_state *st, const char *prefix, struct span key)
{
    size_t pn = strlen(prefix);
    if (!st->wanted) {
        if (pn + key.n > LIMIT_ATTR_NAME || st->used + pn + key.n > OTLP_SCRATCH)
            return SPAN_NULL;
        char *d = st->scratch + st->used;
        memcpy(d, prefix, pn);
        if (key.n)
            memcpy(d + pn, key.p, key.n);
        st->used += pn + key.n;
        return (struct span){ d, pn + key.n };
    }
    for (unsigned i = 0; i < st->n_wanted; i++) {
        struct span w = st->wanted[i];
        if (w.n == pn + key.n && memcmp(w.p, prefix, pn) == 0 &&
            (key.n == 0 || memcmp(w.p + pn, key.p, key.n) == 0))
            return w;
    }
    return SPAN_NULL;
}

/* cJSON's strings are its own NUL-terminated copies of the (unescaped) input. */
static struct span str_of(const cJSON *j)
{
    return j && cJSON_IsString(j) && j->valuestring ? span_of(j->valuestring) : SPAN_NULL;
}

static char *room(struct decoder_state *st, size_t n)
{
    if (st->used + n > OTLP_SCRATCH)
        return NULL;
    char *d = st->scratch + st->used;
    st->used += n;
    return d;
}

/* A cJSON number as text. Numbers of more than 15 significant characters were
 * made strings by decode_json_prepare; the rest are exact in a double. */
static struct span num_text(struct decoder_state *st, const cJSON *j)
{
    double v = j->valuedouble;
    if (!isfinite(v))
        return SPAN_NULL; /* 1e999: out of range, not the text "inf" (the attribute is dropped) */
    char *d = room(st, 32);
    if (!d)
        return SPAN_NULL;
    int n = v > -1e15 && v < 1e15 && v == (double)(int64_t)v
                ? snprintf(d, 32, "%lld", (long long)(int64_t)v)
                : snprintf(d, 32, "%.17g", v);
    st->used -= 32 - (size_t)n;
    return (struct span){ d, (size_t)n };
}

/* One AnyValue ({"stringValue": "x"} ...) as text and type; false when it has
 * none we can use (empty, kvlistValue, a wrong shape). arrayValue: its scalar
 * elements joined with ','. */
static bool any_value(struct decoder_state *st, const cJSON *v, struct span *out,
                      enum attr_type *type, int depth)
{
    const cJSON *x;
    if (!cJSON_IsObject(v))
        return false;
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "stringValue")) && cJSON_IsString(x)) {
        *out = str_of(x);
        *type = ATTR_STRING;
        return true;
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "boolValue")) && cJSON_IsBool(x)) {
        *out = cJSON_IsTrue(x) ? SPAN_LIT("true") : SPAN_LIT("false");
        *type = ATTR_BOOL;
        return true;
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "intValue"))) {
        /* int64 as a string (the JSON mapping), or a bare number */
        int64_t i;
        *type = ATTR_NUMBER;
        if (cJSON_IsString(x)) {
            *out = str_of(x);
            return span_to_i64(*out, &i);
        }
        if (cJSON_IsNumber(x)) {
            *out = num_text(st, x);
            return out->n > 0;
        }
        return false;
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "doubleValue"))) {
        double d;
        *type = ATTR_NUMBER;
        if (cJSON_IsNumber(x)) {
            *out = num_text(st, x);
            return out->n > 0;
        }
        if (cJSON_IsString(x)) { /* a long number, or "NaN"/"Infinity" */
            *out = str_of(x);
            if (!span_to_double(*out, &d))
                *type = ATTR_STRING;
            return true;
        }
        return false;
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "bytesValue")) && cJSON_IsString(x)) {
        *out = str_of(x); /* base64, as written */
        *type = ATTR_STRING;
        return true;
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "arrayValue")) && depth == 0) {
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(x, "values");
        if (!cJSON_IsArray(vals))
            return false;
        size_t start = st->used, n = 0;
        unsigned k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, vals)
        {
            struct span ev;
            enum attr_type et;
            size_t sep = k ? 1 : 0;
            if (k >= OTLP_MAX_ARRAY || start + n + sep > OTLP_SCRATCH)
                break;
            st->used = start + n + sep; /* a made element lands right after the ',' */
            if (!any_value(st, e, &ev, &et, depth + 1)) {
                st->used = start + n;
                continue;
            }
            char *dst = st->scratch + start + n + sep;
            if (ev.p != dst) {
                if (start + n + sep + ev.n > OTLP_SCRATCH) {
                    st->used = start + n;
                    break;
                }
                if (ev.n)
                    memmove(dst, ev.p, ev.n);
            }
            if (sep)
                st->scratch[start + n] = ',';
            n += sep + ev.n;
            st->used = start + n;
            k++;
        }
        *out = (struct span){ st->scratch + start, n };
        *type = ATTR_STRING;
        return true;
    }
    return false;
}

/* A list of KeyValue ({"key": "k", "value": {...}}) as attributes prefix+key. */
static void add_kvs(struct decoder_state *st, struct event *ev, const cJSON *list,
                    const char *prefix)
{
    const cJSON *kv;
    if (!cJSON_IsArray(list))
        return;
    cJSON_ArrayForEach(kv, list)
    {
        struct span key = str_of(cJSON_GetObjectItemCaseSensitive(kv, "key"));
        if (!key.n)
            continue;
        struct span name = want(st, prefix, key);
        if (!name.n)
            continue;
        struct span val;
        enum attr_type type;
        if (any_value(st, cJSON_GetObjectItemCaseSensitive(kv, "value"), &val, &type, 0))
            event_add(ev, name, val, type);
    }
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* An id of `bytes` bytes: 2*bytes hex digits (the OTLP JSON mapping), or
 * base64 as proto3's JSON mapping writes bytes (some exporters do). Out: lower
 * case hex, in scratch unless the input already is. False when neither. */
static bool id_hex(struct decoder_state *st, struct span s, size_t bytes, struct span *out)
{
    static const char digits[] = "0123456789abcdef";
    if (s.n == 2 * bytes) {
        bool ok = true, lower = true;
        for (size_t i = 0; i < s.n && ok; i++) {
            ok = span_hex_digit(s.p[i]) >= 0;
            lower = lower && !(s.p[i] >= 'A' && s.p[i] <= 'F');
        }
        if (ok && lower) {
            *out = s;
            return true;
        }
        if (ok) {
            char *d = room(st, s.n);
            if (!d)
                return false;
            for (size_t i = 0; i < s.n; i++)
                d[i] = digits[span_hex_digit(s.p[i])];
            *out = (struct span){ d, s.n };
            return true;
        }
    }
    /* base64: 4 characters per 3 bytes, '=' padding optional */
    size_t n = s.n;
    while (n && s.p[n - 1] == '=')
        n--;
    if (n * 6 / 8 != bytes || n * 6 % 8 >= 6 || s.n - n > 2)
        return false;
    char *d = room(st, 2 * bytes);
    if (!d)
        return false;
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val(s.p[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            unsigned b = (acc >> bits) & 0xff;
            if (o < 2 * bytes) {
                d[o++] = digits[b >> 4];
                d[o++] = digits[b & 15];
            }
        }
    }
    if (o != 2 * bytes)
        return false;
    *out = (struct span){ d, o };
    return true;
}

/* An id field: absent or empty is fine (*out empty); a malformed one is not. */
static bool take_id(struct decoder_state *st, struct event *ev, const cJSON *obj,
                    const char *field, const char *name, size_t bytes)
{
    struct span n = want(st, name, SPAN_NULL);
    if (!n.n)
        return true;
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, field);
    if (!j)
        return true;
    struct span s = str_of(j), hex;
    if (!cJSON_IsString(j))
        return false;
    if (s.n == 0)
        return true;
    if (!id_hex(st, s, bytes, &hex))
        return false;
    event_add(ev, n, hex, ATTR_STRING);
    return true;
}

/* An enum as the JSON mapping writes it (an integer) or as its proto name. */
static bool enum_name(const cJSON *j, const char *const *names, unsigned n, const char *prefix,
                      struct span *out)
{
    if (cJSON_IsNumber(j)) {
        double v = j->valuedouble;
        if (v >= 0 && v < n && v == (double)(unsigned)v) {
            *out = span_of(names[(unsigned)v]);
            return true;
        }
        return false;
    }
    struct span s = str_of(j);
    size_t pn = strlen(prefix);
    if (!span_starts(s, prefix))
        return false;
    s.p += pn;
    s.n -= pn;
    for (unsigned i = 0; i < n; i++) {
        struct span want = span_of(names[i]);
        if (span_eq_nocase(s, want)) {
            *out = want;
            return true;
        }
    }
    return false;
}

static const char *const kind_names[] = { "unspecified", "internal", "server",
                                          "client",      "producer", "consumer" };
static const char *const status_names[] = { "unset", "ok", "error" };

/* A time in ns since the epoch, as a string (the JSON mapping of fixed64) or a
 * bare number; 0 means unset. */
static bool time_us(const cJSON *j, int64_t *us)
{
    uint64_t ns;
    if (cJSON_IsString(j)) {
        if (!span_to_u64(str_of(j), &ns))
            return false;
    } else if (cJSON_IsNumber(j)) {
        /* at most 15 characters, else decode_json_prepare made it a string:
         * exact in a double */
        double v = j->valuedouble;
        if (!(v >= 0 && v < 1e15) || v != (double)(uint64_t)v)
            return false;
        ns = (uint64_t)v;
    } else {
        return false;
    }
    if (ns == 0)
        return false;
    *us = (int64_t)(ns / 1000);
    return true;
}

/* ---- one span ---- */

static enum decode_result span_event(struct decoder_state *st, const cJSON *sp, struct event *ev,
                                     const char **reason)
{
    event_reset(ev);
    st->used = 0;
    if (!cJSON_IsObject(sp)) {
        *reason = "span is not an object";
        return DECODE_SKIP;
    }
    int64_t start, end;
    if (!time_us(cJSON_GetObjectItemCaseSensitive(sp, "startTimeUnixNano"), &start)) {
        *reason = "span without a valid startTimeUnixNano";
        return DECODE_SKIP;
    }
    if (!time_us(cJSON_GetObjectItemCaseSensitive(sp, "endTimeUnixNano"), &end)) {
        *reason = "span without a valid endTimeUnixNano";
        return DECODE_SKIP;
    }
    if (end < start) {
        *reason = "span ends before it starts";
        return DECODE_SKIP;
    }
    ev->start_us = start;
    ev->end_us = end;
    ev->has_duration = true;

    struct span n;
    if ((n = want(st, "name", SPAN_NULL)).n) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(sp, "name");
        if (j && cJSON_IsString(j))
            event_add(ev, n, str_of(j), ATTR_STRING);
    }
    if ((n = want(st, "kind", SPAN_NULL)).n) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(sp, "kind");
        struct span k;
        if (j && enum_name(j, kind_names, 6, "SPAN_KIND_", &k))
            event_add(ev, n, k, ATTR_STRING);
        else if (j) {
            *reason = "bad span kind";
            return DECODE_SKIP;
        }
    }
    if (!take_id(st, ev, sp, "traceId", "trace_id", 16) ||
        !take_id(st, ev, sp, "spanId", "span_id", 8) ||
        !take_id(st, ev, sp, "parentSpanId", "parent_span_id", 8)) {
        *reason = "bad trace or span id (expected hex or base64 of 16 or 8 bytes)";
        return DECODE_SKIP;
    }
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(sp, "links");
    if (cJSON_IsArray(links) && cJSON_GetArraySize(links) > 0) {
        const cJSON *l = cJSON_GetArrayItem(links, 0);
        if (!take_id(st, ev, l, "traceId", "link.trace_id", 16) ||
            !take_id(st, ev, l, "spanId", "link.span_id", 8)) {
            *reason = "bad id in a span's link";
            return DECODE_SKIP;
        }
    }
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(sp, "status");
    if (cJSON_IsObject(status)) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(status, "code");
        struct span k;
        if (c && (n = want(st, "status.code", SPAN_NULL)).n &&
            enum_name(c, status_names, 3, "STATUS_CODE_", &k))
            event_add(ev, n, k, ATTR_STRING);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(status, "message");
        if (m && cJSON_IsString(m) && (n = want(st, "status.message", SPAN_NULL)).n)
            event_add(ev, n, str_of(m), ATTR_STRING);
    }
    add_kvs(st, ev, cJSON_GetObjectItemCaseSensitive(sp, "attributes"), "");

    /* resource and scope come after the span's own, so that event_get finds
     * the span's first */
    const cJSON *scope = cJSON_GetObjectItemCaseSensitive(st->ss, "scope");
    if (!scope)
        scope = cJSON_GetObjectItemCaseSensitive(st->ss, "instrumentationLibrary");
    if (cJSON_IsObject(scope)) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(scope, "name");
        if (j && cJSON_IsString(j) && (n = want(st, "scope.name", SPAN_NULL)).n)
            event_add(ev, n, str_of(j), ATTR_STRING);
        j = cJSON_GetObjectItemCaseSensitive(scope, "version");
        if (j && cJSON_IsString(j) && (n = want(st, "scope.version", SPAN_NULL)).n)
            event_add(ev, n, str_of(j), ATTR_STRING);
    }
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(st->rs, "resource");
    if (cJSON_IsObject(res))
        add_kvs(st, ev, cJSON_GetObjectItemCaseSensitive(res, "attributes"), "resource.");
    return DECODE_OK;
}

/* The first item of a scopeSpans entry's span list (or the deprecated
 * instrumentationLibrarySpans'). */
static const cJSON *list_of(const cJSON *obj, const char *name, const char *old)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!l && old)
        l = cJSON_GetObjectItemCaseSensitive(obj, old);
    return cJSON_IsArray(l) ? l->child : NULL;
}

/* Move the cursors to the next span at or after the current place (sp may be
 * set: it is taken). False at the end of the record. */
static bool settle(struct decoder_state *st)
{
    while (st->rs) {
        while (st->ss) {
            if (st->sp)
                return true;
            st->ss = st->ss->next;
            if (st->ss)
                st->sp = list_of(st->ss, "spans", NULL);
        }
        st->rs = st->rs->next;
        if (st->rs) {
            st->ss = list_of(st->rs, "scopeSpans", "instrumentationLibrarySpans");
            st->sp = st->ss ? list_of(st->ss, "spans", NULL) : NULL;
        }
    }
    return false;
}

static enum decode_result walk(struct decoder_state *st, struct event *ev, const char **reason)
{
    if (!settle(st)) {
        drop_root(st);
        st->mode = MODE_IDLE;
        return DECODE_MORE;
    }
    const cJSON *sp = st->sp;
    st->sp = sp->next;
    return span_event(st, sp, ev, reason);
}

/* What is wrong with the shape of a resourceSpans array, or NULL: its items
 * and their scopeSpans must be lists of objects, spans a list (a string where
 * a list should be is a skipped record with its reason, not a record read as
 * empty; a span that is not an object is skipped alone, as the walk meets it). */
static const char *shape_error(const cJSON *rs)
{
    for (const cJSON *r = rs->child; r; r = r->next) {
        if (!cJSON_IsObject(r))
            return "a resourceSpans item is not an object";
        const cJSON *ssl = cJSON_GetObjectItemCaseSensitive(r, "scopeSpans");
        if (!ssl)
            ssl = cJSON_GetObjectItemCaseSensitive(r, "instrumentationLibrarySpans");
        if (ssl && !cJSON_IsArray(ssl))
            return "scopeSpans is not an array";
        for (const cJSON *ss = ssl ? ssl->child : NULL; ss; ss = ss->next) {
            if (!cJSON_IsObject(ss))
                return "a scopeSpans item is not an object";
            const cJSON *sp = cJSON_GetObjectItemCaseSensitive(ss, "spans");
            if (sp && !cJSON_IsArray(sp))
                return "spans is not an array"; /* a span that is not an object: its own skip */
        }
    }
    return NULL;
}

/* Parse the record in text and return its first span. A record without spans
 * (an empty resourceSpans) gives DECODE_MORE: nothing to count. */
static enum decode_result record(struct decoder_state *st, struct span text, struct event *ev,
                                 const char **reason)
{
    drop_root(st);
    st->mode = MODE_IDLE;
    st->json = grow(st->a, st->json, 0, &st->json_cap, 2 * text.n + 1);
    size_t n = decode_json_prepare(text, st->json, st->json_cap);
    cJSON *root = cJSON_ParseWithLength(st->json, n);
    if (!root) {
        *reason = "not JSON (or nested deeper than cJSON allows)";
        return DECODE_SKIP;
    }
    const cJSON *rs = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "resourceSpans")
                                           : NULL;
    if (!rs) {
        cJSON_Delete(root);
        *reason = cJSON_IsObject(root) ? "no resourceSpans in object" : "not a JSON object";
        return DECODE_SKIP;
    }
    const char *bad = cJSON_IsArray(rs) ? shape_error(rs) : "resourceSpans is not an array";
    if (bad) {
        cJSON_Delete(root);
        *reason = bad;
        return DECODE_SKIP;
    }
    st->root = root;
    st->rs = rs->child;
    st->ss = st->rs ? list_of(st->rs, "scopeSpans", "instrumentationLibrarySpans") : NULL;
    st->sp = st->ss ? list_of(st->ss, "spans", NULL) : NULL;
    st->mode = MODE_WALK;
    if (!st->scratch)
        st->scratch = arena_alloc_raw(st->a, OTLP_SCRATCH);
    event_reset(ev);
    return walk(st, ev, reason);
}

/* ---- the decoder ---- */

static struct decoder_state *otlp_open(const struct decode_options *opt, struct arena *a,
                                       struct err *e)
{
    (void)e;
    struct decoder_state *st = arena_alloc(a, sizeof *st);
    st->wanted = opt->wanted;
    st->n_wanted = opt->n_wanted;
    st->a = a;
    st->mode = MODE_IDLE;
    return st;
}

static int otlp_detect(struct decoder_state *st, struct span head)
{
    (void)st;
    struct span t = span_trim(head);
    while (t.n && (t.p[0] == '\n' || t.p[0] == '\r'))
        t = span_trim((struct span){ t.p + 1, t.n - 1 });
    if (!t.n || t.p[0] != '{')
        return 0;
    /* the first object's key, or anywhere in the head of a pretty document */
    struct span key = SPAN_LIT("\"resourceSpans\"");
    for (const char *q = t.p, *end = t.p + t.n; (size_t)(end - q) >= key.n; q++) {
        q = memchr(q, '"', (size_t)(end - q) - key.n + 1);
        if (!q)
            break;
        if (memcmp(q, key.p, key.n) != 0)
            continue;
        const char *c = q + key.n; /* a key, not a value that says so */
        while (c < end && (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r'))
            c++;
        if (c == end || *c == ':') /* or the head ends there */
            return 100;
    }
    return 0;
}

static enum decode_result otlp_line(struct decoder_state *st, struct span line, struct event *ev,
                                    const char **reason)
{
    if (st->mode == MODE_WALK || st->mode == MODE_PENDING) {
        drop_root(st); /* the caller stopped a walk early */
        st->mode = MODE_IDLE;
    }
    event_reset(ev);
    if (st->mode == MODE_BUFFER || st->mode == MODE_DISCARD) {
        /* A new unindented object while one is open: the open one was cut
         * short. Report it, and decode this line from next(). */
        if (line.n && line.p[0] == '{') {
            scan_reset(st);
            scan(st, line);
            append(st, line);
            char last = line.p[line.n - 1];
            st->mode = st->depth > 0 && !st->in_str && (last == '{' || last == '[' || last == ',')
                           ? MODE_BUFFER
                           : MODE_PENDING;
            *reason = "JSON document not closed before the next one";
            return DECODE_SKIP;
        }
        scan(st, line);
        if (st->mode == MODE_BUFFER) {
            if (st->doc_n + line.n + 1 > OTLP_MAX_DOC) {
                st->mode = MODE_DISCARD;
            } else {
                append(st, line);
            }
        }
        if (st->depth > 0)
            return DECODE_MORE;
        bool discard = st->mode == MODE_DISCARD;
        st->mode = MODE_IDLE;
        if (discard) {
            scan_reset(st);
            *reason = "JSON document longer than 64 MiB";
            return DECODE_SKIP;
        }
        size_t n = st->doc_n;
        scan_reset(st);
        return record(st, (struct span){ st->doc, n }, ev, reason);
    }
    struct span t = span_trim(line);
    if (!t.n || t.p[0] != '{') {
        *reason = "not a JSON object";
        return DECODE_SKIP;
    }
    if (line.n > OTLP_MAX_DOC) {
        *reason = "JSON document longer than 64 MiB";
        return DECODE_SKIP;
    }
    /* A document spans lines only when its first line ends open ("{" alone
     * as jq and JSON.stringify write it, or a key list cut at '{', '[' or
     * ','): a one-line record cut short elsewhere is skipped at once. */
    char last = t.p[t.n - 1];
    scan_reset(st);
    scan(st, t);
    if (st->depth > 0 && !st->in_str && (last == '{' || last == '[' || last == ',')) {
        append(st, line);
        st->mode = MODE_BUFFER;
        return DECODE_MORE;
    }
    scan_reset(st);
    return record(st, line, ev, reason);
}

static enum decode_result otlp_next(struct decoder_state *st, struct event *ev,
                                    const char **reason)
{
    if (st->mode == MODE_PENDING) {
        size_t n = st->doc_n;
        scan_reset(st);
        return record(st, (struct span){ st->doc, n }, ev, reason);
    }
    if (st->mode != MODE_WALK)
        return DECODE_MORE;
    return walk(st, ev, reason);
}

static const char *otlp_format_name(const struct decoder_state *st)
{
    (void)st;
    return "otlp";
}

static const char *otlp_end(struct decoder_state *st)
{
    enum mode m = st->mode;
    drop_root(st);
    scan_reset(st);
    st->mode = MODE_IDLE;
    if (m == MODE_BUFFER || m == MODE_DISCARD)
        return "JSON document not closed at the end of input";
    return NULL;
}

const struct decoder decode_otlp = {
    "otlp", otlp_open, otlp_detect, otlp_line, otlp_format_name, otlp_next, otlp_end,
};
