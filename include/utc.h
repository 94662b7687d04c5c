/*
 * utc.h - time without the C library's time zones. Every time in Tempo is an
 * int64_t count of microseconds since 1970-01-01T00:00:00Z (`*_us`); every
 * duration is int64_t microseconds. Parsers take spans, never allocate and
 * never consult TZ or the locale; they return false on anything malformed.
 */
#ifndef TEMPO_UTC_H
#define TEMPO_UTC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "span.h"

#define USEC_PER_SEC INT64_C(1000000)
#define USEC_PER_MIN (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t utc_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The inverse: date of a day count. */
void utc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* nginx $time_local / Apache %t: "10/Oct/2000:13:55:36 -0700" (no brackets).
 * *offset_s gets the offset east of UTC in seconds (may be NULL). */
bool utc_parse_clf(struct span s, int64_t *us, int *offset_s);

/* RFC 3339 / ISO 8601: "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.123456+01:00",
 * "2026-11-22 10:00:00Z"; fractions to nanoseconds (truncated to µs). A time
 * without an offset is read as UTC. */
bool utc_parse_iso(struct span s, int64_t *us, int *offset_s);

/* Epoch seconds with an optional fraction: nginx $msec "1700000000.123". */
bool utc_parse_epoch_frac(struct span s, int64_t *us);

/* Epoch number whose unit is told apart by magnitude (seconds, ms, µs, ns):
 * an integer or decimal text. */
bool utc_parse_epoch_auto(struct span s, int64_t *us);

/* Any of the forms above, tried in the order ISO, CLF, epoch (for --since/--until). */
bool utc_parse_any(struct span s, int64_t *us);

/* "2026-11-22T10:00:00Z" (seconds, or with ".ffffff" when the time has µs and
 * `frac` is true) into out[32]; returns out. */
char *utc_format(int64_t us, bool frac, char out[32]);

/* Human duration: "850ms", "12s", "4m10s", "19h27m", "3d4h", "0s", "-5s", into
 * out[24]; the two largest units, rounded down. Returns out. */
char *utc_format_duration(int64_t us, char out[24]);

#endif
