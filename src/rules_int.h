/*
 * rules_int.h - private to rules_lex.c, rules_parse.c, rules_check.c and
 * rules_eval.c: tokens, the lexer, the parser's state and its diagnostics.
 * Tokens borrow from the text being parsed (valid during rules_parse() only);
 * whatever the finished struct rules keeps is copied into the rules arena.
 */
#ifndef TEMPO_RULES_INT_H
#define TEMPO_RULES_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "limits.h"
#include "rules.h"
#include "span.h"

#define RULES_MSG 320                            /* bytes in one diagnostic message */
#define RULES_QUOTE 40                           /* bytes of a token quoted in a message */
#define RULES_MAX_DURATION_US 3155760000000000.0 /* 100 years: longer is a typo */

enum rules_tok {
    TOK_EOF,
    TOK_EOL,      /* '\n' */
    TOK_ERROR,    /* a lexical error; the message is in the lexer's msg */
    TOK_WORD,     /* letters, digits, _ . - @, not starting with a digit */
    TOK_NUMBER,   /* 42, 0.5 */
    TOK_DURATION, /* 250ms 30s 5m 1h 2d 1w 10us */
    TOK_SHARE,    /* 99% 0.5% */
    TOK_MONEY,    /* $0.0040, with its unit after '/' if any ($2.50/1M-in) */
    TOK_RATE,     /* 350/s */
    TOK_STRING,   /* "..." or '...' */
    TOK_PATH,     /* /v1/x/{id} up to white space */
    TOK_STAR,     /* * */
    TOK_ASSIGN,   /* = */
    TOK_COMMA,    /* , (between the two keys of a call rule) */
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_AND,
    TOK_OR,
    TOK_NOT,
    TOK_EQ,
    TOK_NE,
    TOK_LT,
    TOK_LE,
    TOK_GT,
    TOK_GE,
    TOK_TILDE,
};

struct rules_token {
    enum rules_tok kind;
    struct span text;   /* as written; borrowed: the parsed text */
    unsigned line, col; /* 1-based; col in bytes */
    double value;       /* NUMBER; SHARE 0..1; MONEY USD; RATE per unit */
    int64_t us;         /* DURATION in µs */
    struct span unit;   /* DURATION, MONEY, RATE: the unit as written ("ms", "1M-in") */
    struct span str;    /* STRING: the value, escapes resolved (text or lexer arena) */
};

struct rules_lexer {
    struct span src;   /* borrowed: the whole file */
    size_t pos;        /* next byte to read */
    unsigned line;     /* line of pos, 1-based */
    size_t line_start; /* offset of that line's first byte */
    struct arena *a;   /* for strings with escapes */
    char msg[RULES_MSG];
};

void rules_lex_init(struct rules_lexer *lx, struct span src, struct arena *a);
/* Read the next token into *t; never fails (errors are TOK_ERROR + lx->msg). */
void rules_lex_next(struct rules_lexer *lx, struct rules_token *t);
/* Skip what is left of the current line, its '\n' included. */
void rules_lex_skip_line(struct rules_lexer *lx);
/* `s` quoted for a message: at most RULES_QUOTE bytes, other bytes than
 * printable ASCII as \xNN, "..." when cut. out holds 4 * RULES_QUOTE + 8. */
void rules_quote(struct span s, char *out);
#define RULES_QUOTE_CAP (4 * RULES_QUOTE + 8)

struct rules_diag {
    unsigned line, col, len;
    char msg[RULES_MSG];
};

/* A read, keep or price naming a site; resolved once every call is known. */
enum rules_ref_kind { REF_READ, REF_KEEP, REF_PRICE };
struct rules_ref {
    enum rules_ref_kind kind;
    unsigned index; /* into reads, keeps or prices */
    struct span name;
    unsigned line, col;
};

struct rules_parser {
    struct rules_lexer lx;
    struct rules_token tok; /* the one token of lookahead */
    struct arena *a;
    struct rules *r;
    bool in_error;   /* the current statement failed: skip to the next line */
    bool in_verdict; /* names in expressions are metrics, not attributes */
    unsigned depth;  /* '(' and 'not' open, at most LIMIT_RULE_DEPTH */
    unsigned tempo_line, min_calls_line, batch_time_line;
    unsigned cap_sites, cap_calls, cap_reads, cap_verdicts, cap_keeps, cap_prices;
    unsigned cap_logformats, cap_refs;
    struct rules_ref *refs;
    unsigned n_refs;
    bool had_verdict; /* a verdict line, even a broken one: no defaults */
    bool digesting;   /* in a statement that decides what is stored (match_digest) */
    struct rules_diag diags[LIMIT_RULE_ERRORS];
    unsigned n_diags;
};

/* Record an error at line:col spanning len bytes (at most LIMIT_RULE_ERRORS,
 * one per statement) and mark the statement failed. */
void rules_error(struct rules_parser *ps, unsigned line, unsigned col, unsigned len,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Check a parsed expression: shapes (conditions of comparisons), then names
 * and types for its context (ps->in_verdict). Records the first error. */
void rules_check_expr(struct rules_parser *ps, const struct rules_node *n);
/* After the last line: resolve the sites of reads, keeps and prices; add the
 * default verdicts when the file has none. */
void rules_check_finish(struct rules_parser *ps);

#endif
