/*
 * rules_lex.c - the rules language's lexer (rules stage, PRODUCT.md §3,
 * STYLE.md §6). Scans the whole file as one span with a cursor, tracking the
 * line and where it starts; each call yields one token with its kind, text,
 * position and value. Lexical faults become TOK_ERROR tokens with a message,
 * so the parser reports them like any other error. See lua llex.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "rules_int.h"

static bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool is_word_start(unsigned char c) { return is_alpha(c) || c == '_' || c == '@'; }

/* Attribute names carry dots, dashes and at signs: header.user-agent, resp.id. */
static bool is_word_char(unsigned char c)
{
    return is_word_start(c) || is_digit(c) || c == '.' || c == '-';
}

/* What may follow the digits of a number: units, '%', "/s", and the bytes of
 * a typo ("1hr", "5m3"), so that the whole typo is one token under the caret. */
static bool is_number_char(unsigned char c) { return is_word_char(c) || c == '%' || c == '/'; }

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void rules_lex_init(struct rules_lexer *lx, struct span src, struct arena *a)
{
    lx->src = src;
    lx->pos = 0;
    lx->line = 1;
    lx->line_start = 0;
    lx->a = a;
    lx->msg[0] = 0;
    /* A UTF-8 byte order mark, as some editors write, is not a statement. */
    if (src.n >= 3 && (unsigned char)src.p[0] == 0xef && (unsigned char)src.p[1] == 0xbb &&
        (unsigned char)src.p[2] == 0xbf)
        lx->pos = lx->line_start = 3;
}

void rules_lex_skip_line(struct rules_lexer *lx)
{
    const char *p = lx->src.p + lx->pos;
    size_t left = lx->src.n - lx->pos;
    const char *nl = left ? memchr(p, '\n', left) : NULL;
    if (!nl) {
        lx->pos = lx->src.n;
        return;
    }
    lx->pos = (size_t)(nl - lx->src.p) + 1;
    lx->line++;
    lx->line_start = lx->pos;
}

void rules_quote(struct span s, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, n = s.n > RULES_QUOTE ? RULES_QUOTE : s.n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (n < s.n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}

static void fail(struct rules_lexer *lx, struct rules_token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct rules_lexer *lx, struct rules_token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lx->msg, sizeof lx->msg, fmt, ap);
    va_end(ap);
    t->kind = TOK_ERROR;
}

static const struct {
    const char *name;
    double us;
} duration_units[] = {
    { "us", 1 },     { "ms", 1e3 },    { "s", 1e6 },      { "m", 60e6 },
    { "h", 3600e6 }, { "d", 86400e6 }, { "w", 604800e6 },
};

/* number -> digits [ '.' digits ] [ unit | '%' | '/' unit ] */
static void lex_number(struct rules_lexer *lx, struct rules_token *t)
{
    const char *p = lx->src.p;
    size_t i = lx->pos, end = lx->src.n;
    while (i < end && is_digit((unsigned char)p[i]))
        i++;
    if (i + 1 < end && p[i] == '.' && is_digit((unsigned char)p[i + 1]))
        for (i++; i < end && is_digit((unsigned char)p[i]); i++)
            ;
    struct span num = { p + lx->pos, i - lx->pos };
    size_t j = i;
    while (j < end && is_number_char((unsigned char)p[j]))
        j++;
    struct span suffix = { p + i, j - i };
    t->text = (struct span){ p + lx->pos, j - lx->pos };
    lx->pos = j;

    char q[RULES_QUOTE_CAP];
    double v;
    if (!span_to_double(num, &v)) { /* only digits here: it overflowed */
        rules_quote(num, q);
        fail(lx, t, "number '%s' is too large", q);
        return;
    }
    t->value = v;
    if (suffix.n == 0) {
        t->kind = TOK_NUMBER;
        return;
    }
    if (suffix.n == 1 && suffix.p[0] == '%') {
        if (v > 100) {
            rules_quote(t->text, q);
            fail(lx, t, "bad share '%s' (expected 0%% to 100%%)", q);
            return;
        }
        t->kind = TOK_SHARE;
        t->value = v / 100;
        return;
    }
    if (suffix.p[0] == '/') {
        t->unit = (struct span){ suffix.p + 1, suffix.n - 1 };
        bool ok = t->unit.n > 0;
        for (size_t k = 0; k < t->unit.n; k++)
            ok = ok && (is_alpha((unsigned char)t->unit.p[k]) ||
                        is_digit((unsigned char)t->unit.p[k]) || t->unit.p[k] == '-');
        if (!ok) {
            rules_quote(t->text, q);
            fail(lx, t, "bad rate '%s' (expected a number per second, like 350/s)", q);
            return;
        }
        t->kind = TOK_RATE;
        return;
    }
    for (size_t k = 0; k < suffix.n; k++) {
        if (!is_alpha((unsigned char)suffix.p[k])) {
            rules_quote(t->text, q);
            fail(lx, t, "bad number '%s'", q);
            return;
        }
    }
    for (size_t k = 0; k < sizeof duration_units / sizeof duration_units[0]; k++) {
        if (!span_eq_str(suffix, duration_units[k].name))
            continue;
        double us = v * duration_units[k].us;
        if (us > RULES_MAX_DURATION_US) {
            rules_quote(t->text, q);
            fail(lx, t, "duration '%s' is longer than 100 years", q);
            return;
        }
        t->kind = TOK_DURATION;
        t->us = (int64_t)llround(us);
        t->unit = suffix;
        return;
    }
    rules_quote(suffix, q);
    fail(lx, t, "unknown unit '%s' in duration (expected ms, s, m, h, d or w)", q);
}

/* money -> '$' digits [ '.' digits ] [ '/' unit ] */
static void lex_money(struct rules_lexer *lx, struct rules_token *t)
{
    const char *p = lx->src.p;
    size_t i = lx->pos + 1, end = lx->src.n;
    while (i < end && is_number_char((unsigned char)p[i]))
        i++;
    t->text = (struct span){ p + lx->pos, i - lx->pos };
    lx->pos = i;
    struct span rest = { t->text.p + 1, t->text.n - 1 }, num;
    bool has_unit = span_cut(&rest, '/', &num);
    bool ok = num.n > 0 && (!has_unit || rest.n > 0);
    for (size_t k = 0; ok && k < num.n; k++)
        ok = is_digit((unsigned char)num.p[k]) || num.p[k] == '.';
    for (size_t k = 0; ok && k < rest.n; k++)
        ok = is_alpha((unsigned char)rest.p[k]) || is_digit((unsigned char)rest.p[k]) ||
             rest.p[k] == '-';
    if (!ok || !span_to_double(num, &t->value)) {
        char q[RULES_QUOTE_CAP];
        rules_quote(t->text, q);
        if (t->text.n > 1 && is_word_start((unsigned char)t->text.p[1]) && !has_unit)
            fail(lx, t, "bad money '%s' (expected $ and a number; a log format goes in quotes)", q);
        else
            fail(lx, t, "bad money '%s' (expected $ and a number, like $0.0040)", q);
        return;
    }
    t->kind = TOK_MONEY;
    t->unit = has_unit ? rest : SPAN_NULL;
}

/* string -> '"' { char | '\' char } '"'  |  "'" { char | '\' char } "'"   on one line */
static void lex_string(struct rules_lexer *lx, struct rules_token *t)
{
    const char *p = lx->src.p;
    char quote = p[lx->pos];
    size_t i = lx->pos + 1, end = lx->src.n;
    bool escapes = false;
    while (i < end && p[i] != quote && p[i] != '\n') {
        if (p[i] == '\\' && i + 1 < end && p[i + 1] != '\n') {
            escapes = true;
            i++;
        }
        i++;
    }
    if (i >= end || p[i] != quote) {
        size_t stop = i;
        if (stop > lx->pos + 1 && p[stop - 1] == '\r')
            stop--;
        t->text = (struct span){ p + lx->pos, stop - lx->pos };
        lx->pos = i;
        fail(lx, t, "unterminated string (missing closing %c)", quote);
        return;
    }
    t->text = (struct span){ p + lx->pos, i + 1 - lx->pos };
    struct span in = { p + lx->pos + 1, i - lx->pos - 1 };
    lx->pos = i + 1;
    t->kind = TOK_STRING;
    if (!escapes) {
        t->str = in;
        return;
    }
    /* \" \' \\ stand for the character; any other backslash stays as written,
     * so that a pasted Apache format or glob keeps its meaning. */
    char *out = arena_alloc(lx->a, in.n);
    size_t o = 0;
    for (size_t k = 0; k < in.n; k++) {
        if (in.p[k] == '\\' && k + 1 < in.n &&
            (in.p[k + 1] == '"' || in.p[k + 1] == '\'' || in.p[k + 1] == '\\'))
            k++;
        out[o++] = in.p[k];
    }
    t->str = (struct span){ out, o };
}

static void lex_op(struct rules_lexer *lx, struct rules_token *t)
{
    const char *p = lx->src.p + lx->pos;
    bool eq2 = lx->pos + 1 < lx->src.n && p[1] == '=';
    size_t n = 1;
    switch (p[0]) {
    case '(':
        t->kind = TOK_LPAREN;
        break;
    case ')':
        t->kind = TOK_RPAREN;
        break;
    case '*':
        t->kind = TOK_STAR;
        break;
    case '~':
        t->kind = TOK_TILDE;
        break;
    case ',':
        t->kind = TOK_COMMA;
        break;
    case '=':
        t->kind = eq2 ? TOK_EQ : TOK_ASSIGN;
        n = eq2 ? 2 : 1;
        break;
    case '<':
        t->kind = eq2 ? TOK_LE : TOK_LT;
        n = eq2 ? 2 : 1;
        break;
    case '>':
        t->kind = eq2 ? TOK_GE : TOK_GT;
        n = eq2 ? 2 : 1;
        break;
    case '!':
        if (eq2) {
            t->kind = TOK_NE;
            n = 2;
            break;
        }
        /* fallthrough */
    default: {
        unsigned char c = (unsigned char)p[0];
        if (c >= 0x21 && c < 0x7f)
            fail(lx, t, "unexpected character '%c'", c);
        else
            fail(lx, t, "unexpected byte 0x%02x", c);
    }
    }
    t->text = (struct span){ p, n };
    lx->pos += n;
}

void rules_lex_next(struct rules_lexer *lx, struct rules_token *t)
{
    const char *p = lx->src.p;
    size_t end = lx->src.n;
    while (lx->pos < end && is_space((unsigned char)p[lx->pos]))
        lx->pos++;
    if (lx->pos < end && p[lx->pos] == '#') { /* a comment runs to the end of the line */
        const char *nl = memchr(p + lx->pos, '\n', end - lx->pos);
        lx->pos = nl ? (size_t)(nl - p) : end;
    }
    *t = (struct rules_token){ .kind = TOK_EOF };
    t->line = lx->line;
    t->col = (unsigned)(lx->pos - lx->line_start + 1);
    t->text = (struct span){ p + lx->pos, 0 };
    if (lx->pos >= end)
        return;
    unsigned char c = (unsigned char)p[lx->pos];
    if (c == '\n') {
        t->kind = TOK_EOL;
        t->text.n = 1;
        if (lx->pos > lx->line_start && p[lx->pos - 1] == '\r') { /* CRLF: the end is at \r */
            t->col--;
            t->text.p--;
        }
        lx->pos++;
        lx->line++;
        lx->line_start = lx->pos;
    } else if (is_digit(c)) {
        lex_number(lx, t);
    } else if (c == '$') {
        lex_money(lx, t);
    } else if (c == '"' || c == '\'') {
        lex_string(lx, t);
    } else if (c == '/') {
        size_t i = lx->pos;
        while (i < end && !is_space((unsigned char)p[i]) && p[i] != '\n')
            i++;
        t->kind = TOK_PATH;
        t->text.n = i - lx->pos;
        lx->pos = i;
    } else if (is_word_start(c)) {
        size_t i = lx->pos;
        while (i < end && is_word_char((unsigned char)p[i]))
            i++;
        t->text.n = i - lx->pos;
        lx->pos = i;
        t->kind = span_eq_str(t->text, "and")   ? TOK_AND
                  : span_eq_str(t->text, "or")  ? TOK_OR
                  : span_eq_str(t->text, "not") ? TOK_NOT
                                                : TOK_WORD;
    } else {
        lex_op(lx, t);
    }
}
