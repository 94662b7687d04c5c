/*
 * chart.h - the report's charts (reporters stage), drawn by gnuplot run as an
 * external program. gnuplot has no safe mode (backquotes, newlines in strings,
 * `set output '|...'`, `plot '<...'`, `system`), so text from the logs lives
 * only in data files that the script reads (`columnheader`, `xticlabels`);
 * the script holds only Tempo's own words and numbers; gnuplot is started
 * with -d (no init files) through posix_spawn, no shell, with a bounded run
 * time. The SVG files it writes are named by site index, never by site name.
 */
#ifndef TEMPO_CHART_H
#define TEMPO_CHART_H

#include <stdbool.h>

#include "analysis.h"
#include "arena.h"
#include "err.h"
#include "rules.h"
#include "verdict.h"

enum { CHART_NAME = 48 };

struct chart_site {
    char wait[CHART_NAME]; /* "wait-3.svg": the CDF of waits, log time axis; "" if no reads */
    char week[CHART_NAME]; /* "week-3.svg": calls and first reads by hour of the week */
};

struct chart_set {
    const char *dir;        /* the directory the files are in (borrowed) */
    char tempo[CHART_NAME]; /* "tempo-curve.svg": every site's tempo curve; "" if none */
    char cost[CHART_NAME];  /* "cost.svg": monthly cost now vs batch; "" if nothing priced */
    struct chart_site *sites; /* an->n_sites entries, in an->sites order (arena) */
    unsigned n_sites;
};

/* gnuplot's run-time bound in seconds for all the charts: LIMIT_GNUPLOT_SECONDS
 * (tests lower it); past it gnuplot is killed. */
extern unsigned chart_limit_seconds;

/* The gnuplot to run: $TEMPO_GNUPLOT if set, else "gnuplot" found on PATH.
 * Returns NULL when there is none (the caller says: install gnuplot-nox, or
 * pass --no-charts). The result is static or from the environment. */
const char *chart_gnuplot(void);

/* Draw every chart into directory `dir` (which exists). Temporary data files
 * and the script go into a private directory under `dir` removed afterwards.
 * Exit 2 when gnuplot is missing, 3 when it fails or runs past
 * LIMIT_GNUPLOT_SECONDS (it is killed); *e names the chart. */
int chart_draw(const struct rules *r, const struct analysis *an, const struct verdict_result *vr,
               const char *dir, struct arena *a, struct chart_set *out,
               struct err *e) WARN_UNUSED;

#endif
