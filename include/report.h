/*
 * report.h - reporters turn an analysed, decided run into text. One file and
 * one `const struct reporter` per format, listed in report_all[]. Reporters
 * write to a FILE the caller owns and escape every string that came from input
 * for their format. They know nothing of sources' bytes, SQL or pcap.
 */
#ifndef TEMPO_REPORT_H
#define TEMPO_REPORT_H

#include <stdio.h>

#include "analysis.h"
#include "err.h"
#include "rules.h"
#include "verdict.h"
#include "buf.h"
#include "chart.h"

struct report_input {
    const struct rules *rules;
    const struct analysis *an;
    const struct verdict_result *vr;
    int64_t generated_us; /* µs UTC */
    const struct chart_set *charts; /* `tempo report`: the charts drawn; NULL: none */
};

struct reporter {
    const char *name; /* --format NAME */
    int (*write)(const struct report_input *in, FILE *out, struct err *e);
};

extern const struct reporter report_table, report_json, report_md;
/* `tempo report` only (not listed in report_all): one row per site; one
 * self-contained page with the charts inline. */
extern const struct reporter report_csv, report_html;
/* `tempo gate`'s outputs (issue 6): text on standard output (one line per
 * finding, known ones and kept sites after), GitHub workflow commands
 * (--format github), a pull-request comment in Markdown under LIMIT_SUMMARY
 * characters (--summary), JUnit XML (--junit) and SARIF 2.1.0 (--sarif). */
extern const struct reporter report_gate_text, report_gate_github, report_gate_summary,
    report_gate_junit, report_gate_sarif;
/* NULL-terminated. */
extern const struct reporter *const report_all[];

/* The reporter called `name`, or NULL. */
const struct reporter *report_find(const char *name);



/* ---- helpers shared by the reporters (report.c) ---- */

/* Append `s` as the body of a JSON string: quotes, backslashes and controls
 * escaped, invalid UTF-8 replaced by U+FFFD, so the output is valid UTF-8. */
int report_json_str(struct buf *b, struct span s) WARN_UNUSED;
/* Append a finite double in its shortest round-tripping-enough form ("0.25", "1"). */
int report_json_num(struct buf *b, double v) WARN_UNUSED;
/* Append `s` for a Markdown table cell: | \\ ` * _ [ ] # ! @ ~ backslash-escaped (no
 * mention, link, strike-through or heading from log text), < > & as entities,
 * controls and newlines turned into spaces, invalid UTF-8 replaced. */
int report_md_cell(struct buf *b, struct span s) WARN_UNUSED;
/* Append `s` for a terminal: control bytes shown as '?', invalid UTF-8 as '?'. */
int report_text(struct buf *b, struct span s) WARN_UNUSED;
/* Append `s` as HTML text or a double-quoted attribute value: & < > " ' as
 * entities, controls (but tab) as U+FFFD, invalid UTF-8 replaced. */
int report_html_text(struct buf *b, struct span s) WARN_UNUSED;
/* Append `s` as one CSV field (RFC 4180): always quoted, '"' doubled, controls
 * and newlines as spaces, invalid UTF-8 replaced, and a field starting with
 * = + - @ (or tab / CR) prefixed with ' so no spreadsheet runs it as a formula. */
int report_csv_cell(struct buf *b, struct span s) WARN_UNUSED;
/* "$1,234.56" */
void report_money(double usd, char out[32]);
/* Write the buffer to `out`; exit 3 on a write error naming `what`. */
int report_flush(struct buf *b, FILE *out, struct err *e) WARN_UNUSED;
/* The end of every reporter: `rc` < 0 means the buffer hit its maximum (exit
 * 3, "WHAT larger than 1 GiB"); else the buffer is flushed to `out`. The
 * buffer is released either way. */
int report_finish(struct buf *b, int rc, FILE *out, const char *what, struct err *e) WARN_UNUSED;

/* ---- helpers shared by the gate's reporters (report_gate.c) ----
 *
 * A kept site is one `keep` passed that would otherwise be a finding: s->kept
 * and verdict batch or unused. The counts are verdict_gate()'s (vr->n_new,
 * n_known, n_kept); new_savings sums the new fake-urgency findings' sites. */
struct report_gate_counts {
    unsigned n_new, n_known, n_kept;
    double new_savings; /* USD a month: the new fake-urgency findings' sites with a cost */
};
bool report_gate_is_kept(const struct analysis_site *s);
void report_gate_count(const struct report_input *in, struct report_gate_counts *c);
/* A fixed char array of a finding (message, action) as a span: up to its NUL. */
struct span report_gate_chars(const char *p, size_t cap);
/* "fake urgency" or "drift". */
const char *report_gate_kind(const struct verdict_finding *f);
/* Append "name" or "name [by]", each part through `esc` (one of the escapers above). */
int report_gate_label(struct buf *b, const struct analysis_site *s,
                      int (*esc)(struct buf *b, struct span s)) WARN_UNUSED;
/* Append `s` through `esc` as a sentence: its first letter (ASCII) capitalised. */
int report_gate_sentence(struct buf *b, struct span s,
                         int (*esc)(struct buf *b, struct span s)) WARN_UNUSED;
/* The numbers behind a finding: "p50 wait 19h27m, 168000 calls/month, $12.50/month
 * at stake" ("no reads" without a wait, "no price" without a cost). */
enum { REPORT_GATE_NUMBERS = 128 };
void report_gate_numbers(const struct analysis_site *s, char out[REPORT_GATE_NUMBERS]);
/* Append "3 new findings (1 known, 1 kept)" and, with a baseline, " against
 * baseline FILE" (FILE through `esc`). */
int report_gate_tally(struct buf *b, const struct report_input *in,
                      const struct report_gate_counts *c,
                      int (*esc)(struct buf *b, struct span s)) WARN_UNUSED;

/* The columns of the site table that the text and Markdown reporters share. */
enum { REPORT_COLS = 18, REPORT_CELL = 48 };
extern const char *const report_col_names[REPORT_COLS];
/* Fill one row of cells for site `s` (the site name cell is raw, unescaped:
 * callers escape it for their format). */
void report_site_cells(const struct analysis_site *s, char cells[REPORT_COLS][REPORT_CELL]);

/* ---- one migration report, two markups (report_doc.c) ----
 * report_doc_write() says what the report says, once: its sections, sentences
 * and numbers, their order, and which strings come from input. A `struct
 * report_markup` says only how each piece looks (report_html.c, report_md.c).
 * Every string, Tempo's own or from input, reaches the output through text(),
 * code() or url(), which escape it for the format; code() is told which. */
enum report_tag {
    REPORT_TAG_H2, /* headings */
    REPORT_TAG_H3,
    REPORT_TAG_H4,
    REPORT_TAG_P, /* paragraphs: plain, an aside, the totals, what is not there */
    REPORT_TAG_NOTE,
    REPORT_TAG_TOTAL,
    REPORT_TAG_MISSING,
    REPORT_TAG_STRONG,
    REPORT_TAG_VERDICT, /* a site's verdict */
    REPORT_TAG_BY,      /* a site's by= value */
    REPORT_TAG_UL,
    REPORT_TAG_OL,
    REPORT_TAG_LI,
    REPORT_TAG_ROW,     /* a table row: cells through cell() */
    REPORT_TAG_FIGURES, /* a group of charts */
    REPORT_TAG_COUNT
};
/* A table column: HEAD cells head their row, NAME cells hold long names. */
enum report_align { REPORT_ALIGN_LEFT, REPORT_ALIGN_RIGHT, REPORT_ALIGN_HEAD, REPORT_ALIGN_NAME };
struct report_col {
    const char *title; /* Tempo's own words */
    enum report_align align;
};
struct report_doc {
    struct buf *b; /* the output */
    const struct report_input *in;
    const struct report_markup *m;
    const struct report_col *cols; /* the open table's columns; NULL: no table is open */
    unsigned n_cols, col;          /* col: the open cell */
    void *state;                   /* the markup's own */
};
/* Each returns 0, or -1 when the output is full. `open` false closes what
 * the same call with `open` true opened. */
struct report_markup {
    const char *name;                              /* "HTML": for errors */
    int (*shell)(struct report_doc *d, bool open); /* what stands around the content */
    int (*section)(struct report_doc *d, const char *id, bool open); /* id: an anchor */
    int (*tag)(struct report_doc *d, enum report_tag t, bool open);
    int (*table)(struct report_doc *d, bool open); /* its columns are d->cols */
    int (*cell)(struct report_doc *d, unsigned col, bool open);
    int (*site_link)(struct report_doc *d, unsigned site, bool open); /* to section site-N */
    int (*text)(struct report_doc *d, struct span s);
    int (*code)(struct report_doc *d, struct span s, bool is_input);
    int (*url)(struct report_doc *d, const char *url); /* a provider's documentation */
    int (*chart)(struct report_doc *d, const char *file, const char *label); /* file: "" none */
};
/* Write the report of `in` through `m` (d->state = `state`) to `out`; exit 3
 * past 1 GiB or on a write error. */
int report_doc_write(const struct report_markup *m, const struct report_input *in, void *state,
                     FILE *out, struct err *e) WARN_UNUSED;
#endif
