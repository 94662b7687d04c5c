/*
 * decode_jsonl.c - JSON lines (decoders stage): one object per line, parsed
 * with cJSON after decode_json_prepare() (long numbers kept as text). Only the
 * attribute names the rules may read are looked up, by dotted path through
 * objects and arrays ("usage.total_tokens", "choices.0.index"). The time is the
 * rules' `jsonl` field or ts, timestamp, time, @timestamp (RFC 3339 or epoch).
 */
#include "decode_json_int.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "decode.h"
#include "limits.h"
#include "utc.h"

#define DETECT_LINES 20
#define DETECT_SCORE 90      /* below OTLP's 100: an OTLP file is JSON lines too */
#define NUMBER_TEXT DECODE_JSON_NUMBER_TEXT
#define VALUES_CAP ((size_t)LIMIT_LINE + LIMIT_ATTRS * (LIMIT_ATTR_NAME + NUMBER_TEXT + 2))
#define DURATION_MAX_US (INT64_C(100) * 365 * USEC_PER_DAY) /* a century */

struct decoder_state {
    const struct span *wanted; /* borrowed: the matcher's names; NULL: extract all */
    unsigned n_wanted;
    struct decode_jsonl opt;   /* spans borrowed from the rules arena */
    struct arena *a;           /* the caller's; outlives the state */
    char *prep;                /* 2 * LIMIT_LINE + 1 bytes (arena), by the first line() */
    char *values;              /* VALUES_CAP bytes (arena): attribute values and names */
    size_t used;               /* bytes of `values` used by the current line */
};

/* The default time fields, in the order PRODUCT.md §2 tries them, with their reasons. */
static const struct {
    struct span name;
    const char *bad;
} time_fields[] = {
    { SPAN_LIT("ts"), "bad time in 'ts' (expected RFC 3339 or an epoch number)" },
    { SPAN_LIT("timestamp"), "bad time in 'timestamp' (expected RFC 3339 or an epoch number)" },
    { SPAN_LIT("time"), "bad time in 'time' (expected RFC 3339 or an epoch number)" },
    { SPAN_LIT("@timestamp"), "bad time in '@timestamp' (expected RFC 3339 or an epoch number)" },
};
#define N_TIME_FIELDS (sizeof time_fields / sizeof time_fields[0])

static const char R_LONG[] = "line longer than 1 MiB";
static const char R_NUL[] = "NUL byte in line";
static const char R_NOT_JSON[] = "not JSON";
static const char R_DEEP[] = "JSON nesting deeper than 1000 (cJSON's limit)";
static const char R_NOT_OBJECT[] = "not a JSON object (expected one object per line)";
static const char R_NO_TIME[] = "no time field (ts, timestamp, time or @timestamp)";
static const char R_NO_TIME_OPT[] = "no time field (the one the rules' jsonl line names)";
static const char R_BAD_TIME_OPT[] =
    "bad time in the rules' jsonl time field (expected RFC 3339 or an epoch number)";
static const char R_BAD_DURATION[] = "bad duration (expected a number of the jsonl unit)";
static const char R_NEG_DURATION[] = "negative duration";
static const char R_HUGE[] = "number out of range (beyond a double)";

/* ---- values ---- */


/* Copy bytes into the line's value scratch; SPAN_NULL when it is full (the
 * attribute is then dropped, like past LIMIT_ATTRS). */
static struct span keep(struct decoder_state *st, const char *p, size_t n)
{
    return decode_json_keep(st->values, VALUES_CAP, &st->used, p, n);
}

/* A scalar's text and type; false for objects, arrays and non-finite numbers
 * (*huge set for the latter). The text is cJSON's until the tree is freed. */
static bool scalar_of(const cJSON *v, char num[NUMBER_TEXT], struct span *text,
                      enum attr_type *type, bool *huge)
{
    if (cJSON_IsString(v)) {
        *text = span_of(v->valuestring); /* cJSON's own C string, not input bytes */
        *type = ATTR_STRING;
    } else if (cJSON_IsNumber(v)) {
        size_t n = decode_json_number_text(v->valuedouble, num);
        if (!n) {
            *huge = true;
            return false;
        }
        *text = (struct span){ num, n };
        *type = ATTR_NUMBER;
    } else if (cJSON_IsBool(v)) {
        *text = cJSON_IsTrue(v) ? SPAN_LIT("true") : SPAN_LIT("false");
        *type = ATTR_BOOL;
    } else if (cJSON_IsNull(v)) {
        *text = SPAN_LIT("null");
        *type = ATTR_NULL;
    } else {
        return false;
    }
    return true;
}

/* ---- dotted paths ---- */


struct leaf_ctx {
    struct decoder_state *st;
    struct event *ev;
};

/* Without a wanted list: every scalar leaf under its dotted path
 * (decode_json_walk); leaves past LIMIT_ATTRS are dropped. */
static bool add_leaf(void *ctx, struct span name, const cJSON *c)
{
    struct leaf_ctx *lc = ctx;
    char num[NUMBER_TEXT];
    struct span text;
    enum attr_type type;
    bool huge = false;
    if (!scalar_of(c, num, &text, &type, &huge))
        return true;
    struct span kn = keep(lc->st, name.p, name.n), kv = keep(lc->st, text.p, text.n);
    if ((kn.p || !name.n) && (kv.p || !text.n))
        event_add(lc->ev, kn, kv, type);
    return lc->ev->n_attrs < LIMIT_ATTRS;
}

/* ---- time ---- */

/* A time value: RFC 3339 text, or an epoch number (or numeric text: long
 * numbers reach us as strings from decode_json_prepare). */
static bool time_of(const cJSON *v, int64_t *us, struct event *ev)
{
    char num[NUMBER_TEXT];
    struct span text;
    if (cJSON_IsString(v)) {
        text = span_trim(span_of(v->valuestring));
        if (utc_parse_iso(text, us, &ev->utc_offset_s)) {
            ev->has_utc_offset = true;
            return true;
        }
        return utc_parse_epoch_auto(text, us);
    }
    if (cJSON_IsNumber(v)) {
        size_t n = decode_json_number_text(v->valuedouble, num);
        return n && utc_parse_epoch_auto((struct span){ num, n }, us);
    }
    return false;
}

/* A duration in the jsonl unit, a number or numeric text, into µs. */
static const char *duration_of(const struct decoder_state *st, const cJSON *v, int64_t *us)
{
    double d;
    if (cJSON_IsNumber(v))
        d = v->valuedouble;
    else if (!cJSON_IsString(v) || !span_to_double(span_trim(span_of(v->valuestring)), &d))
        return R_BAD_DURATION;
    if (!isfinite(d))
        return R_BAD_DURATION;
    if (d < 0)
        return R_NEG_DURATION;
    double x = d * (double)st->opt.unit_ns / 1000.0;
    if (!(x < (double)DURATION_MAX_US))
        return R_BAD_DURATION;
    *us = (int64_t)llround(x);
    return NULL;
}

/* Times of the event from the object; NULL or the reason the line is skipped. */
static const char *times(const struct decoder_state *st, const cJSON *root, struct event *ev)
{
    int64_t t;
    if (st->opt.time.n) {
        const cJSON *v = decode_json_find(root, st->opt.time);
        if (!v || cJSON_IsNull(v))
            return R_NO_TIME_OPT;
        if (!time_of(v, &t, ev))
            return R_BAD_TIME_OPT;
    } else {
        unsigned i = 0;
        const cJSON *v = NULL;
        for (; i < N_TIME_FIELDS; i++) {
            v = decode_json_find(root, time_fields[i].name);
            if (v && !cJSON_IsNull(v))
                break;
        }
        if (i == N_TIME_FIELDS)
            return R_NO_TIME;
        if (!time_of(v, &t, ev))
            return time_fields[i].bad;
    }
    ev->start_us = ev->end_us = t;
    if (st->opt.duration.n) {
        const cJSON *d = decode_json_find(root, st->opt.duration);
        int64_t dur = 0;
        if (d && !cJSON_IsNull(d)) {
            const char *why = duration_of(st, d, &dur);
            if (why)
                return why;
            if (st->opt.at_start)
                ev->end_us = t + dur;
            else
                ev->start_us = t - dur;
            ev->has_duration = true;
        }
    }
    return NULL;
}

/* ---- parsing ---- */

/* Deepest nesting of [ and { outside strings, stopping past `stop`. */
static unsigned depth_of(struct span s, unsigned stop)
{
    unsigned depth = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < s.n && max <= stop; i++) {
        char c = s.p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            max = ++depth > max ? depth : max;
        } else if ((c == '}' || c == ']') && depth) {
            depth--;
        }
    }
    return max;
}

/* A line without its byte order mark (a file's first line may carry one). */
static struct span strip_bom(struct span s)
{
    if (s.n >= 3 && memcmp(s.p, "\xEF\xBB\xBF", 3) == 0)
        return (struct span){ s.p + 3, s.n - 3 };
    return s;
}

/* Parse one line into a tree (the caller cJSON_Delete()s it), using `prep`
 * (at least 2 * line.n + 1 bytes); NULL with *reason on failure. */
static cJSON *parse(struct span line, char *prep, const char **reason)
{
    if (line.n > LIMIT_LINE) {
        *reason = R_LONG;
        return NULL;
    }
    if (line.n && memchr(line.p, 0, line.n)) {
        *reason = R_NUL;
        return NULL;
    }
    size_t n = decode_json_prepare(line, prep, 2 * line.n + 1);
    /* The length counts the NUL: cJSON's "require NUL terminated" looks for it
     * inside the buffer, which is how trailing text is refused. */
    cJSON *root = cJSON_ParseWithLengthOpts(prep, n + 1, NULL, 1);
    if (!root) {
        *reason = depth_of(line, CJSON_NESTING_LIMIT) > CJSON_NESTING_LIMIT ? R_DEEP : R_NOT_JSON;
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        *reason = R_NOT_OBJECT;
        return NULL;
    }
    return root;
}

/* ---- the decoder ---- */

static struct decoder_state *jsonl_open(const struct decode_options *opt, struct arena *a,
                                        struct err *e)
{
    (void)e;
    struct decoder_state *st = arena_alloc(a, sizeof *st);
    st->wanted = opt->wanted;
    st->n_wanted = opt->n_wanted;
    st->opt = opt->jsonl;
    if (st->opt.unit_ns <= 0)
        st->opt.unit_ns = 1000000; /* ms, the rules' default */
    st->a = a;
    return st;
}

static int jsonl_detect(struct decoder_state *st, struct span head)
{
    struct span body = span_trim(strip_bom(head));
    while (body.n && (body.p[0] == '\n' || body.p[0] == '\r' || body.p[0] == ' ' ||
                      body.p[0] == '\t'))
        body = (struct span){ body.p + 1, body.n - 1 };
    if (!body.n || body.p[0] != '{')
        return 0;
    struct span lines[DETECT_LINES];
    size_t longest = 0;
    unsigned n = decode_head_lines(strip_bom(head), lines, DETECT_LINES, &longest);
    if (n == 0)
        return 0;
    char *prep = st->prep ? st->prep : arena_alloc(st->a, 2 * longest + 1);
    struct event probe;
    unsigned timed = 0, objects = 0;
    for (unsigned i = 0; i < n; i++) {
        const char *reason;
        cJSON *root = parse(lines[i], prep, &reason);
        if (!root)
            continue;
        event_reset(&probe);
        if (times(st, root, &probe) == NULL)
            timed++;
        else
            objects++;
        cJSON_Delete(root);
    }
    /* Objects without a time still score a little: their lines are then
     * skipped with a reason that says what is missing. */
    return (int)((timed * DETECT_SCORE + objects * 10) / n);
}

static enum decode_result jsonl_line(struct decoder_state *st, struct span line, struct event *ev,
                                     const char **reason)
{
    event_reset(ev);
    if (!st->prep) {
        st->prep = arena_alloc_raw(st->a, 2 * (size_t)LIMIT_LINE + 1);
        st->values = arena_alloc(st->a, VALUES_CAP);
    }
    if (line.n && line.p[line.n - 1] == '\r')
        line.n--;
    line = strip_bom(line); /* never valid JSON, so harmless on any line */
    cJSON *root = parse(line, st->prep, reason);
    if (!root)
        return DECODE_SKIP;
    const char *why = times(st, root, ev);
    st->used = 0;
    if (!why && !st->wanted) {
        char name[LIMIT_ATTR_NAME + 1];
        struct leaf_ctx lc = { st, ev };
        decode_json_walk(root, name, 0, add_leaf, &lc);
    }
    for (unsigned i = 0; !why && st->wanted && i < st->n_wanted; i++) {
        const cJSON *v = decode_json_find(root, st->wanted[i]);
        char num[NUMBER_TEXT];
        struct span text;
        enum attr_type type;
        bool huge = false;
        if (!v || !scalar_of(v, num, &text, &type, &huge)) {
            if (huge)
                why = R_HUGE;
            continue;
        }
        struct span kv = keep(st, text.p, text.n);
        if (kv.p || !text.n)
            event_add(ev, st->wanted[i], kv, type);
    }
    cJSON_Delete(root);
    if (why) {
        *reason = why;
        return DECODE_SKIP;
    }
    return DECODE_OK;
}

static const char *jsonl_format_name(const struct decoder_state *st)
{
    (void)st;
    return "jsonl";
}

const struct decoder decode_jsonl = {
    "jsonl", jsonl_open, jsonl_detect, jsonl_line, jsonl_format_name, NULL, NULL,
};
