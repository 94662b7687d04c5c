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
/* Append `s` for a Markdown table cell: '|', '\\', '`', '<', '>', '*', '_', '[' , ']'
 * escaped, controls and newlines turned into spaces, invalid UTF-8 replaced. */
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

/* The columns of the site table that the text and Markdown reporters share. */
enum { REPORT_COLS = 18, REPORT_CELL = 48 };
extern const char *const report_col_names[REPORT_COLS];
/* Fill one row of cells for site `s` (the site name cell is raw, unescaped:
 * callers escape it for their format). */
void report_site_cells(const struct analysis_site *s, char cells[REPORT_COLS][REPORT_CELL]);
#endif
