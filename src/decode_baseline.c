/*
 * decode_baseline.c - reads a baseline for `tempo gate --baseline` (decoders
 * stage): a JSON report of an earlier run, schema 1 (PRODUCT.md §6), parsed with
 * cJSON and checked field by field, every error naming the file and the JSON
 * path ("sites[3].verdict") or, for a syntax error, its line and column.
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "decode.h"
#include "limits.h"

#define READ_STEP 65536
#define U64_END 18446744073709551616.0 /* 2^64: counts stay below it */

/* ---- where a field is, for messages: "sites[3].wait_s.p50" ---- */

struct loc {
    const char *list; /* "sites", "findings" or NULL */
    unsigned idx;     /* index in list */
    const char *obj;  /* an object inside the entry or the root ("wait_s"), or NULL */
};

struct ctx {
    const char *file;
    struct arena *a;
    struct err *e;
};

static void loc_format(const struct loc *l, const char *key, char out[96])
{
    int n = 0;
    out[0] = 0;
    if (l->list)
        n = snprintf(out, 96, "%s[%u]", l->list, l->idx);
    if (l->obj && n >= 0 && n < 96)
        n += snprintf(out + n, 96 - (size_t)n, "%s%s", n ? "." : "", l->obj);
    if (key && n >= 0 && n < 96)
        snprintf(out + n, 96 - (size_t)n, "%s%s", n ? "." : "", key);
}

static const char *type_name(const cJSON *v)
{
    if (!v)
        return "nothing";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    return "an unknown value";
}

/* "sites[3].verdict: expected a string, got a number" or "...: missing (expected a
 * string)"; returns -1. */
static int shape_err(const struct ctx *c, const struct loc *l, const char *key, const cJSON *got,
                     const char *expected)
{
    char where[96];
    loc_format(l, key, where);
    if (!got)
        return err_at(c->e, EXIT_USAGE, c->file, 0, 0, "%s: missing (expected %s)", where,
                      expected);
    return err_at(c->e, EXIT_USAGE, c->file, 0, 0, "%s: expected %s, got %s", where, expected,
                  type_name(got));
}

/* A number of the right type but out of range: "...: expected X, got -1". */
static int range_err(const struct ctx *c, const struct loc *l, const char *key, double got,
                     const char *expected)
{
    char where[96];
    loc_format(l, key, where);
    return err_at(c->e, EXIT_USAGE, c->file, 0, 0, "%s: expected %s, got %.17g", where, expected,
                  got);
}

static const cJSON *field(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* cJSON's strings are its own NUL-terminated copies (a \u0000 escape ends one
 * early: what follows it is not kept). */
static struct span str_of(const cJSON *v) { return span_of(v->valuestring); }

/* A string, or with null_ok also null or absent (then *has = false). */
static int get_str(const struct ctx *c, const struct loc *l, const cJSON *obj, const char *key,
                   bool null_ok, bool *has, struct span *out)
{
    const cJSON *v = field(obj, key);
    if (cJSON_IsString(v) && v->valuestring) {
        if (out)
            *out = arena_keep(c->a, str_of(v));
        if (has)
            *has = true;
        return 0;
    }
    if (null_ok && (!v || cJSON_IsNull(v))) {
        if (out)
            *out = SPAN_NULL;
        if (has)
            *has = false;
        return 0;
    }
    return shape_err(c, l, key, v, null_ok ? "a string or null" : "a string");
}

/* A finite number from 0 (seconds, shares). */
static int get_secs(const struct ctx *c, const struct loc *l, const cJSON *obj, const char *key,
                    double *out)
{
    const cJSON *v = field(obj, key);
    if (!cJSON_IsNumber(v))
        return shape_err(c, l, key, v, "a number");
    if (!isfinite(v->valuedouble) || v->valuedouble < 0)
        return range_err(c, l, key, v->valuedouble, "a number from 0");
    *out = v->valuedouble;
    return 0;
}

static int get_count(const struct ctx *c, const struct loc *l, const cJSON *obj, const char *key,
                     uint64_t *out)
{
    const cJSON *v = field(obj, key);
    if (!cJSON_IsNumber(v))
        return shape_err(c, l, key, v, "a number");
    double d = v->valuedouble;
    if (!(d >= 0 && d < U64_END && d == floor(d)))
        return range_err(c, l, key, d, "a whole number from 0");
    *out = (uint64_t)d;
    return 0;
}

/* ---- the report's parts ---- */

/* One entry of "sites"; out NULL: check only (nothing is copied). */
static int read_site(const struct ctx *c, const cJSON *item, unsigned i, struct baseline_site *out)
{
    struct loc l = { "sites", i, NULL }, lw = { "sites", i, "wait_s" };
    struct baseline_site s = { 0 };
    if (!cJSON_IsObject(item))
        return shape_err(c, &l, NULL, item, "an object");
    if (get_str(c, &l, item, "name", false, NULL, out ? &s.name : NULL) < 0 ||
        get_str(c, &l, item, "by", true, &s.has_by, out ? &s.by : NULL) < 0 ||
        get_str(c, &l, item, "verdict", false, NULL, out ? &s.verdict : NULL) < 0)
        return -1;
    const cJSON *kept = field(item, "kept");
    if (!cJSON_IsBool(kept))
        return shape_err(c, &l, "kept", kept, "true or false");
    s.kept = cJSON_IsTrue(kept);
    const cJSON *wait = field(item, "wait_s");
    if (cJSON_IsObject(wait)) {
        if (get_secs(c, &lw, wait, "p50", &s.p50_wait_s) < 0)
            return -1;
        s.has_p50_wait = true;
    } else if (!cJSON_IsNull(wait)) {
        return shape_err(c, &l, "wait_s", wait, "an object or null");
    }
    if (get_count(c, &l, item, "calls", &s.calls) < 0)
        return -1;
    if (out)
        *out = s;
    return 0;
}

/* One entry of "findings"; out NULL: check only. */
static int read_finding(const struct ctx *c, const cJSON *item, unsigned i,
                        struct baseline_finding *out)
{
    struct loc l = { "findings", i, NULL };
    struct baseline_finding f = { 0 };
    if (!cJSON_IsObject(item))
        return shape_err(c, &l, NULL, item, "an object");
    if (get_str(c, &l, item, "kind", false, NULL, out ? &f.kind : NULL) < 0 ||
        get_str(c, &l, item, "site", false, NULL, out ? &f.site : NULL) < 0 ||
        get_str(c, &l, item, "by", true, &f.has_by, out ? &f.by : NULL) < 0)
        return -1;
    if (out)
        *out = f;
    return 0;
}

/* The array at root[key], each entry checked before any is kept, so that a
 * hostile array of a million empty objects costs no arena. */
static const cJSON *get_array(const struct ctx *c, const cJSON *root, const char *key, unsigned *n)
{
    const cJSON *v = field(root, key);
    if (!cJSON_IsArray(v)) {
        (void)shape_err(c, &(struct loc){ NULL, 0, NULL }, key, v, "an array");
        return NULL;
    }
    unsigned k = 0;
    for (const cJSON *it = v->child; it; it = it->next)
        k++;
    *n = k;
    return v;
}

static int read_sites(const struct ctx *c, const cJSON *root, struct baseline *out)
{
    unsigned n = 0, i = 0;
    const cJSON *arr = get_array(c, root, "sites", &n);
    if (!arr)
        return -1;
    for (const cJSON *it = arr->child; it; it = it->next, i++)
        if (read_site(c, it, i, NULL) < 0)
            return -1;
    out->sites = arena_alloc(c->a, sizeof *out->sites * (n ? n : 1));
    i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++)
        if (read_site(c, it, i, &out->sites[i]) < 0)
            return -1;
    out->n_sites = n;
    return 0;
}

static int read_findings(const struct ctx *c, const cJSON *root, struct baseline *out)
{
    unsigned n = 0, i = 0;
    const cJSON *arr = get_array(c, root, "findings", &n);
    if (!arr)
        return -1;
    for (const cJSON *it = arr->child; it; it = it->next, i++)
        if (read_finding(c, it, i, NULL) < 0)
            return -1;
    out->findings = arena_alloc(c->a, sizeof *out->findings * (n ? n : 1));
    i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++)
        if (read_finding(c, it, i, &out->findings[i]) < 0)
            return -1;
    out->n_findings = n;
    return 0;
}

/* "tempo": 1, generated_at, window, rules.delay_s, sites, findings. */
static int read_report(const struct ctx *c, const cJSON *root, struct baseline *out)
{
    struct loc top = { NULL, 0, NULL }, lr = { NULL, 0, "rules" }, lwin = { NULL, 0, "window" };
    if (!cJSON_IsObject(root))
        return err_at(c->e, EXIT_USAGE, c->file, 0, 0, "not a Tempo report (%s, not a JSON object)",
                      type_name(root));
    const cJSON *t = field(root, "tempo");
    if (cJSON_IsNumber(t) && isfinite(t->valuedouble) && t->valuedouble > 1 &&
        t->valuedouble == floor(t->valuedouble))
        return err_at(c->e, EXIT_USAGE, c->file, 0, 0,
                      "written by a newer tempo (schema %.15g); this one reads schema 1",
                      t->valuedouble);
    if (!cJSON_IsNumber(t) || t->valuedouble != 1)
        return err_at(c->e, EXIT_USAGE, c->file, 0, 0, "not a Tempo report (no \"tempo\": 1)");
    if (get_str(c, &top, root, "generated_at", true, NULL, &out->generated_at) < 0)
        return -1;
    const cJSON *win = field(root, "window");
    if (win && !cJSON_IsNull(win)) {
        if (!cJSON_IsObject(win))
            return shape_err(c, &top, "window", win, "an object");
        if (get_str(c, &lwin, win, "start", true, NULL, &out->window_start) < 0 ||
            get_str(c, &lwin, win, "end", true, NULL, &out->window_end) < 0)
            return -1;
    }
    const cJSON *rules = field(root, "rules");
    if (!cJSON_IsObject(rules))
        return shape_err(c, &top, "rules", rules, "an object");
    if (get_secs(c, &lr, rules, "delay_s", &out->delay_s) < 0)
        return -1;
    return read_sites(c, root, out) < 0 || read_findings(c, root, out) < 0 ? -1 : 0;
}

/* ---- the JSON text ---- */

/* 1-based line and byte column of offset `off` in `text`. */
static void line_col(struct span text, size_t off, unsigned *line, unsigned *col)
{
    size_t start = 0;
    unsigned n = 1;
    for (const char *p = text.p, *end = text.p + off; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        n++;
        start = (size_t)(nl + 1 - text.p);
        p = nl + 1;
    }
    *line = n;
    *col = (unsigned)(off - start + 1 > UINT32_MAX ? UINT32_MAX : off - start + 1);
}

static bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* " near 'xyz'": up to 16 bytes from `off` to the end of its line, anything
 * but printable ASCII shown as '?'; "" when there is nothing to show. */
static void near_text(struct span text, size_t off, char out[40])
{
    size_t k = 0;
    out[0] = 0;
    if (off >= text.n || text.p[off] == '\n' || text.p[off] == '\r')
        return;
    k = (size_t)snprintf(out, 40, " near '");
    for (size_t i = off; i < text.n && i < off + 16 && text.p[i] != '\n' && text.p[i] != '\r'; i++)
        out[k++] = text.p[i] >= 0x20 && text.p[i] < 0x7f ? text.p[i] : '?';
    out[k++] = '\'';
    out[k] = 0;
}

/* What cJSON cannot say clearly, found in one pass before it runs: nesting past
 * its CJSON_NESTING_LIMIT (cJSON only fails there, as if the text were wrong),
 * and a document that ends inside a string or an open '{' / '['. Brackets in
 * strings do not count; a backslash in a string escapes the next byte. */
struct scan {
    bool too_deep;
    size_t deep_off; /* the bracket that went past the limit */
    bool end_in_str; /* the text ends inside a string... */
    size_t str_off;  /* ...opened here */
    unsigned open;   /* brackets still open at the end */
};

static void scan_text(struct span text, struct scan *sc)
{
    unsigned depth = 0;
    bool in_str = false;
    *sc = (struct scan){ 0 };
    for (size_t i = 0; i < text.n; i++) {
        char ch = text.p[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
            sc->str_off = i;
        } else if (ch == '{' || ch == '[') {
            if (++depth > CJSON_NESTING_LIMIT) {
                sc->too_deep = true;
                sc->deep_off = i;
                return;
            }
        } else if ((ch == '}' || ch == ']') && depth > 0) {
            depth--;
        }
    }
    sc->end_in_str = in_str;
    sc->open = depth;
}

int decode_baseline_parse(const char *path, struct span text, struct arena *a, struct baseline *out,
                          struct err *e)
{
    struct ctx c = { path, a, e };
    unsigned line, col;
    char near[40];
    *out = (struct baseline){ 0 };
    out->path = path;

    size_t first = 0;
    while (first < text.n && is_space(text.p[first]))
        first++;
    if (first == text.n)
        return err_at(e, EXIT_USAGE, path, 0, 0, "empty file, not a Tempo report");
    struct scan sc;
    scan_text(text, &sc);
    if (sc.too_deep) {
        line_col(text, sc.deep_off, &line, &col);
        return err_at(e, EXIT_USAGE, path, line, col, "JSON nested deeper than %d levels",
                      CJSON_NESTING_LIMIT);
    }

    /* cJSON honours the length: it reads no byte past text.p + text.n and
     * needs no NUL (tests/fuzz/fuzz_baseline.c feeds exact-size buffers). */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text.p, text.n, &end, false);
    size_t off = end && end >= text.p && end <= text.p + text.n ? (size_t)(end - text.p) : 0;
    if (!root) {
        /* cJSON reports an error past the end at the last byte. */
        if (sc.end_in_str && off >= sc.str_off) {
            line_col(text, sc.str_off, &line, &col);
            return err_at(e, EXIT_USAGE, path, line, col,
                          "string not closed: the JSON ends inside it (a report cut short?)");
        }
        if (sc.open && off + 1 >= text.n) {
            line_col(text, text.n, &line, &col);
            return err_at(e, EXIT_USAGE, path, line, col,
                          "the JSON ends before its objects are closed (a report cut short?)");
        }
        /* Where an object wants a key, cJSON's parse_string reports the byte
         * after the one it refused: step back to that one. */
        if (off > 0 && off <= text.n && text.p[off - 1] != '"' && !is_space(text.p[off - 1])) {
            size_t k = off - 1;
            while (k > 0 && is_space(text.p[k - 1]))
                k--;
            if (k > 0 && (text.p[k - 1] == '{' || text.p[k - 1] == ','))
                off--;
        }
        line_col(text, off, &line, &col);
        near_text(text, off, near);
        return err_at(e, EXIT_USAGE, path, line, col, "not valid JSON%s", near);
    }
    while (off < text.n && is_space(text.p[off]))
        off++;
    int rc;
    if (off < text.n) {
        line_col(text, off, &line, &col);
        near_text(text, off, near);
        rc = err_at(e, EXIT_USAGE, path, line, col, "unexpected text after the JSON document%s",
                    near);
    } else {
        rc = read_report(&c, root, out);
    }
    cJSON_Delete(root);
    if (rc < 0)
        *out = (struct baseline){ .path = path };
    return rc;
}

/* strerror() text in lower case, as our messages are. */
static const char *reason_of(int errnum, char out[128])
{
    snprintf(out, 128, "%s", strerror(errnum));
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] + 32);
    return out;
}

int decode_baseline(const char *path, struct arena *a, struct baseline *out, struct err *e)
{
    char why[128];
    *out = (struct baseline){ .path = path };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_at(e, EXIT_USAGE, path, 0, 0, "cannot open baseline: %s", reason_of(errno, why));
    struct stat st;
    bool stat_ok = fstat(fd, &st) == 0;
    if (!stat_ok || S_ISDIR(st.st_mode)) {
        int rc = stat_ok ? err_at(e, EXIT_USAGE, path, 0, 0, "is a directory, not a report")
                         : err_at(e, EXIT_USAGE, path, 0, 0, "cannot read baseline: %s",
                                  reason_of(errno, why));
        close(fd);
        return rc;
    }
    /* A regular file is judged by its size before a byte is read; a pipe by
     * what it gives, one byte past the limit being enough. */
    bool too_big = S_ISREG(st.st_mode) && (uint64_t)st.st_size > LIMIT_BASELINE;
    struct buf b;
    buf_init(&b, LIMIT_BASELINE);
    if (!too_big && S_ISREG(st.st_mode) && buf_grow(&b, (size_t)st.st_size) < 0)
        too_big = true;
    while (!too_big) {
        size_t room = b.max - b.len < READ_STEP ? b.max - b.len : READ_STEP;
        char extra;
        ssize_t got;
        if (room == 0) {
            got = read(fd, &extra, 1);
            too_big = got > 0;
        } else if (buf_grow(&b, room) == 0) {
            got = read(fd, b.p + b.len, room);
            if (got > 0)
                b.len += (size_t)got;
        } else {
            got = -1;
            errno = ENOMEM;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int rc = err_at(e, EXIT_USAGE, path, 0, 0, "cannot read baseline: %s",
                            reason_of(errno, why));
            close(fd);
            buf_release(&b);
            return rc;
        }
        if (got == 0 || room == 0)
            break;
    }
    close(fd);
    int rc = too_big ? err_at(e, EXIT_USAGE, path, 0, 0, "larger than %u MiB", LIMIT_BASELINE >> 20)
                     : decode_baseline_parse(path, buf_span(&b), a, out, e);
    buf_release(&b);
    return rc;
}
