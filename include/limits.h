/*
 * limits.h - every size Tempo accepts from input has a name here, is checked
 * where the bytes enter, and is named in the reason when it is exceeded.
 * README.md "Limits" lists them for users.
 */
#ifndef TEMPO_LIMITS_H
#define TEMPO_LIMITS_H

#define LIMIT_LINE (1u << 20)        /* bytes in one log line, without its end of line */
#define LIMIT_READ_BLOCK (4u << 20)  /* bytes asked of read(2) or zlib at once */
#define LIMIT_ATTRS 64               /* attributes one event carries */
#define LIMIT_ATTR_NAME 128          /* bytes in one attribute name */
#define LIMIT_FORMAT_OPS 128         /* ops in one compiled log format */
#define LIMIT_FIRST_ERRORS 5         /* bad lines shown per source */
#define LIMIT_RULES_FILE (1u << 20)  /* bytes in one rules file */
#define LIMIT_RULE_DEPTH 64          /* nesting of expressions in a rules file */
#define LIMIT_RULE_ERRORS 20         /* errors reported before the parser gives up */
#define LIMIT_RULES 1024             /* call, read, verdict, price, keep or logformat lines, each */
#define LIMIT_PATH_STEPS 1000000    /* steps matching a path against a pattern; then: no match */
#define LIMIT_TOKENS 100000000       /* tokens one call may count; more: unknown */
#define LIMIT_KEY 512                /* bytes in a result key; longer keys are skipped */
#define LIMIT_BY 256                 /* bytes in a by= value; longer ones are cut */
#define LIMIT_SOURCES 256            /* sources on one command line */
#define LIMIT_STORE_BATCH 10000      /* events per store transaction */
#define LIMIT_BASELINE (256u << 20)  /* bytes of a --baseline report */
#define LIMIT_SUMMARY 65536          /* characters of --summary: GitHub's comment limit */
#define LIMIT_TCP_STREAMS 65536      /* open TCP streams; then the least recently seen is evicted */
#define LIMIT_TCP_BUFFER (256u << 10) /* bytes buffered out of order per stream direction */
#define LIMIT_TCP_MEMORY (128u << 20) /* bytes buffered out of order in all streams together */
#define LIMIT_TCP_IDLE_US (300 * 1000000LL) /* capture time a stream may stay silent */
#define LIMIT_HTTP_HEADERS (64u << 10) /* bytes of one HTTP message's start line and headers */
#define LIMIT_HTTP_BODY (1u << 20)   /* bytes of one HTTP body kept for its JSON fields */
#define LIMIT_HTTP_MEMORY (64u << 20) /* HTTP heads and bodies held in all streams, together */
#define LIMIT_HTTP_PIPELINE 64       /* requests on one connection waiting for responses */
#define LIMIT_GNUPLOT_SECONDS 120    /* gnuplot's run time for all the charts; then it is killed */
#define LIMIT_CHART_SITES 100        /* sites (first in report order) with charts of their own */
#define LIMIT_CHART_CURVES 20        /* sites on the tempo-curve chart (first in report order) */
#define LIMIT_CHART_SVG (8u << 20)   /* bytes of a chart SVG inlined in report.html; larger: not */
#define LIMIT_CHART_LABEL 60         /* bytes of a site name in a chart legend; longer ones are cut */

#endif
