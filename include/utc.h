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

/* Microseconds of a UTC date and time of day, checked: year 0-9999, month 1-12,
 * day within its month (leap years counted), hour 0-23, minute 0-59, second
 * 0-60. A leap second (:60) reads as :59 of the same minute, so that the time
 * stays inside its minute and lines keep their order; 24:00:00 is refused. */
bool utc_from_civil(int64_t y, unsigned mon, unsigned d, unsigned h, unsigned min, unsigned s,
                    int64_t *us);

/* Month of an English three-letter abbreviation ("Jan".."Dec", any case): 1-12;
 * 0 when `s` is not one. */
unsigned utc_month_abbr(struct span s);

/* Rules shared by the parsers below: fields have exactly their digits ("01",
 * never "1"), checked as utc_from_civil() does; fractions have 1 to 9 digits
 * (nanoseconds) and are truncated to µs; offsets are at most 23:59; nothing
 * may follow the time (every truncation of "10/Oct/2000:13:55:36 -0700" is
 * refused). Epoch numbers have no sign.
 *
 * nginx $time_local / Apache %t: "10/Oct/2000:13:55:36 -0700" (no brackets), the
 * offset required ("-0000" is UTC).
 * *offset_s gets the offset east of UTC in seconds (may be NULL). */
bool utc_parse_clf(struct span s, int64_t *us, int *offset_s);

/* RFC 3339 / ISO 8601: "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.123456+01:00",
 * "2026-11-22 10:00:00Z"; 'T' or 't' or ' ' between date and time; '.' or ','
 * before the fraction; offset "Z", "z", "+HH:MM" or "+HHMM". Seconds are
 * required. A time without an offset is read as UTC. */
bool utc_parse_iso(struct span s, int64_t *us, int *offset_s);

/* Epoch seconds with an optional fraction: nginx $msec "1700000000.123"; the
 * seconds below 1e11 (year 5138). */
bool utc_parse_epoch_frac(struct span s, int64_t *us);

/* Epoch number whose unit is told apart by the magnitude of its integer part:
 * below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else
 * nanoseconds; an integer or decimal text ("1700000000123.5" ms). */
bool utc_parse_epoch_auto(struct span s, int64_t *us);

/* Any of the forms above, tried in the order ISO, CLF, epoch (for --since/--until);
 * also a bare date "2026-11-22" (midnight UTC) and CLF in brackets. Spaces and
 * tabs around the text are ignored. */
bool utc_parse_any(struct span s, int64_t *us);

/* "2026-11-22T10:00:00Z" (seconds, or with ".ffffff" when the time has µs and
 * `frac` is true) into out[32]; returns out. */
char *utc_format(int64_t us, bool frac, char out[32]);

/* Human duration: "850ms", "12s", "4m10s", "19h27m", "3d4h", "1w2d", "0s", "-5s",
 * into out[24]. From one second up: the two largest of w d h m s, rounded down,
 * the second left out when it is 0 ("1h", not "1h0m"); seconds never go on to
 * milliseconds ("12s" for 12.9 s). Below one second a single unit: "850ms",
 * then below a millisecond "250us". Returns out. */
char *utc_format_duration(int64_t us, char out[24]);

/* Exactly `n` ASCII digits at p, as a number (the caller checked that n bytes
 * exist; n <= 9). False on any other byte. */
bool utc_digits(const char *p, unsigned n, unsigned *out);

#endif
