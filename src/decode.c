/*
 * decode.c - the list of line decoders and the choice of one for an input
 * (decoders stage): the decoder or log format --input-format names, else the
 * best score of every decoder's detect() over the input's first bytes.
 */
#include <stdio.h>

#include "decode.h"
#include "limits.h"

const struct decoder *const decode_all[] = { &decode_access, &decode_otlp, &decode_jsonl, NULL };

/* Names that mean "the access decoder, format detected": the report calls its
 * formats nginx and apache, so users may too. */
static const struct decoder *decoder_named(const char *name)
{
    struct span n = span_of(name);
    for (unsigned i = 0; decode_all[i]; i++)
        if (span_eq_str(n, decode_all[i]->name))
            return decode_all[i];
    if (span_eq_str(n, "nginx") || span_eq_str(n, "apache"))
        return &decode_access;
    return NULL;
}

static bool is_format_name(const struct decode_options *opt, const char *name)
{
    struct span n = span_of(name);
    for (unsigned i = 0; i < opt->n_formats; i++)
        if (span_eq_str(n, opt->formats[i].name))
            return true;
    return span_eq_str(n, "combined") || span_eq_str(n, "common");
}

int decode_choose(const struct decode_options *opt, const char *path, struct span head,
                  struct arena *a, const struct decoder **dec, struct decoder_state **st,
                  struct err *e)
{
    struct decode_options all = *opt;
    all.force = NULL;
    if (opt->force) {
        const struct decoder *d = decoder_named(opt->force);
        const struct decode_options *o = &all;
        if (!d && is_format_name(opt, opt->force)) {
            d = &decode_access;
            o = opt; /* access keeps only that format */
        }
        if (!d) {
            char names[160] = "";
            size_t k = 0;
            for (unsigned i = 0; decode_all[i] && k < sizeof names - 40; i++)
                k += (size_t)snprintf(names + k, sizeof names - k, "%s, ", decode_all[i]->name);
            return err_at(e, EXIT_USAGE, path, 0, 0,
                          "unknown input format '%s' (expected %scombined, common or the "
                          "name of a logformat of the rules)",
                          opt->force, names);
        }
        struct decoder_state *s = d->open(o, a, e);
        if (!s)
            return -1;
        d->detect(s, head); /* settles the format; a forced choice stands whatever it scores */
        *dec = d;
        *st = s;
        return 0;
    }
    int best = 0;
    for (unsigned i = 0; decode_all[i]; i++) {
        struct decoder_state *s = decode_all[i]->open(&all, a, e);
        if (!s)
            return -1;
        int score = decode_all[i]->detect(s, head);
        if (score > best) {
            best = score;
            *dec = decode_all[i];
            *st = s;
        }
    }
    if (best == 0)
        return err_at(e, EXIT_USAGE, path, 0, 0,
                      "cannot tell the format (not JSON lines, not OTLP JSON, and not an access "
                      "log that the rules' logformats, combined or common describe); paste its "
                      "log_format or "
                      "LogFormat into the rules as a `logformat NAME '...'` line");
    return 0;
}

unsigned decode_head_lines(struct span head, struct span *lines, unsigned cap, size_t *longest)
{
    unsigned n = 0;
    struct span rest = head, line;
    *longest = 0;
    while (rest.n && n < cap) {
        bool complete = span_cut(&rest, '\n', &line);
        if (!complete && n > 0)
            break; /* head may end inside a line */
        if (line.n && line.p[line.n - 1] == '\r')
            line.n--;
        if (span_trim(line).n == 0 || line.n > LIMIT_LINE)
            continue;
        lines[n++] = line;
        *longest = line.n > *longest ? line.n : *longest;
    }
    return n;
}

size_t decode_url_unescape(struct span v, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++) {
        char b = v.p[i];
        if (b == '+') {
            out[k++] = ' ';
        } else if (b == '%' && i + 2 < v.n && span_hex_digit(v.p[i + 1]) >= 0 &&
                   span_hex_digit(v.p[i + 2]) >= 0) {
            out[k++] = (char)(span_hex_digit(v.p[i + 1]) * 16 + span_hex_digit(v.p[i + 2]));
            i += 2;
        } else {
            out[k++] = b;
        }
    }
    return k;
}
