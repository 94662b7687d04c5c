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

struct report_input {
    const struct rules *rules;
    const struct analysis *an;
    const struct verdict_result *vr;
    int64_t generated_us; /* µs UTC */
};

struct reporter {
    const char *name; /* --format NAME */
    int (*write)(const struct report_input *in, FILE *out, struct err *e);
};

extern const struct reporter report_table, report_json, report_md;
/* NULL-terminated. */
extern const struct reporter *const report_all[];

/* The reporter called `name`, or NULL. */
const struct reporter *report_find(const char *name);

#endif
