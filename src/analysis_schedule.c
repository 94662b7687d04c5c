/*
 * analysis_schedule.c - the batch schedule of PRODUCT.md §4 (analysis stage,
 * issue 5 "Schedule"): each call replayed against every cadence and phase
 * (hourly, 6 h, daily, weekly, all at whole UTC hours) in O(1) per cadence and
 * margin through circular difference arrays; the pick of the least frequent
 * cadence meeting confidence; the options in words, as "at" and as cron lines.
 */
#include <string.h>

#include "analysis.h"
#include "utc.h"

const unsigned analysis_cadence_phases[CADENCE_COUNT] = { 0, 1, 6, 24, 168 };

/* Where each cadence's phases start in acc->diff[m][]. */
static const unsigned cadence_off[CADENCE_COUNT] = { 0, 0, 1, 7, 31 };

/* The margins in whole hours: a phase on time at margin m delivers m earlier
 * than needed. Whole hours keep k_m = k_0 - m (see analysis_sched_add). */
static const int64_t margin_hours[ANALYSIS_MARGINS] = { 0, 1, 3, 6, 12 };

#define WEEK_HOURS ANALYSIS_WEEK_HOURS
#define MONDAY_HOUR 96 /* 1970-01-01 was a Thursday: Monday 00:00 is epoch + 4 days */
#define SHARE_EPS 1e-9 /* 99 of 100 meets 0.99 although 99.0 / 100 < 0.99 in binary */

const char *analysis_cadence_name(enum analysis_cadence c)
{
    static const char *const names[CADENCE_COUNT] = { "none", "hourly", "6h", "daily", "weekly" };
    return (unsigned)c < CADENCE_COUNT ? names[c] : "none";
}

double analysis_cadence_runs_per_month(enum analysis_cadence c)
{
    switch (c) {
    case CADENCE_HOURLY:
        return 720;
    case CADENCE_6H:
        return 120;
    case CADENCE_DAILY:
        return 30;
    case CADENCE_WEEKLY:
        return 30.0 / 7;
    default:
        return 0;
    }
}

/* ---- the simulation ---- */

static int64_t floor_div(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return a % b < 0 ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b) /* b > 0: 0 <= result < b */
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    int64_t d;
    if (!__builtin_sub_overflow(a, b, &d))
        return d;
    return b < 0 ? INT64_MAX : INT64_MIN;
}

void analysis_sched_init(struct analysis_sched_acc *acc, int64_t batch_time_us)
{
    memset(acc, 0, sizeof *acc);
    acc->batch_time_us = batch_time_us;
}

/* Add 1 to the k phases j0, j0 + 1, ... (mod n) of one cadence's circular
 * difference array d[0, n): the count of phase j is d[0] + ... + d[j]. All n
 * phases are d[0] alone; a range that wraps past n - 1 restarts at d[0]. */
static void add_range(int64_t *d, unsigned n, unsigned j0, int64_t k)
{
    if (k <= 0)
        return;
    if (k >= (int64_t)n) {
        d[0]++;
        return;
    }
    unsigned end = j0 + (unsigned)k; /* one past the last phase, unwrapped; < 2n */
    d[j0]++;
    if (end < n) {
        d[end]--;
    } else if (end > n) {
        d[0]++;
        d[end - n]--;
    }
}

/*
 * Every cadence runs at whole UTC hours, so one division places the call for
 * all of them. With H = 1 h:
 *
 *   h   = floor(s / H)             the hour the request started in (floor: s < 0 in 1969)
 *   rem = s - h H                  0 <= rem < H
 *   w   = (h - 96) mod 168         its hour of the week, Monday 00:00 UTC = 0
 *   d0  = rem ? H - rem : 0        from s to the first whole hour at or after s
 *
 * A cadence of n phases (1, 6, 24, 168; its period P = n H divides the week,
 * whose start is a whole number of days after the epoch) has phase j run at the
 * hours congruent to j mod n. The first run at or after s is at hour
 * h + (rem > 0), i.e. phase j0 = (w mod n + (rem > 0)) mod n, after d0; phase
 * j0 + i (mod n) runs first at d0 + i H, for i = 0 .. n-1: all distinct, all
 * within [0, P). (u = (s - base) mod P = (w mod n) H + rem; j0 = ceil(u / H),
 * wrapping to 0 when that is n, with delay P - u = H - rem then.)
 *
 * The run at T = s + d0 + i H delivers at T + batch_time; on time iff that is at
 * or before the first read r:
 *
 *   d0 + i H <= allowed = r - batch_time - s
 *   i <= q = floor((allowed - d0) / H)
 *
 * so the phases on time are j0 .. j0 + k - 1 (mod n), k = q + 1, clamped to
 * [0, n] (k = 0 when allowed < d0: a read before the start, or sooner than
 * any run can deliver). At margin m hours (allowed - m H) the same holds with
 * q - m: k_m = q - m + 1. An unread call is on time for every phase and margin.
 * So a call costs one floor division for w, one for q, and for each of the 4
 * cadences and 5 margins one range update of a circular difference array,
 * whatever the number of phases.
 */
void analysis_sched_add(struct analysis_sched_acc *acc, int64_t start_us, int64_t first_read_us)
{
    acc->results++;
    if (first_read_us == INT64_MAX) {
        for (unsigned m = 0; m < ANALYSIS_MARGINS; m++)
            for (unsigned c = CADENCE_HOURLY; c < CADENCE_COUNT; c++)
                acc->diff[m][cadence_off[c]]++;
        return;
    }
    int64_t h = floor_div(start_us, USEC_PER_HOUR);
    int64_t rem = floor_mod(start_us, USEC_PER_HOUR); /* s - h H overflows near INT64_MIN */
    unsigned w = (unsigned)floor_mod(h - MONDAY_HOUR, WEEK_HOURS);
    unsigned up = rem > 0;
    int64_t d0 = up ? USEC_PER_HOUR - rem : 0;
    int64_t allowed = sat_sub(sat_sub(first_read_us, acc->batch_time_us), start_us);
    int64_t q = floor_div(sat_sub(allowed, d0), USEC_PER_HOUR);
    if (q < 0)
        return; /* not on time anywhere, at margin 0 and so at every margin */
    /* j0 mod 168, then mod 24 and 6 (which divide 168), by constants */
    unsigned jw = w + up == WEEK_HOURS ? 0 : w + up, jd = jw % 24, j6 = jw % 6;
    for (unsigned m = 0; m < ANALYSIS_MARGINS; m++) {
        int64_t k = q - margin_hours[m] + 1;
        if (k <= 0)
            break; /* margins grow: none further is on time either */
        int64_t *d = acc->diff[m];
        d[cadence_off[CADENCE_HOURLY]]++;
        add_range(d + cadence_off[CADENCE_6H], 6, j6, k);
        add_range(d + cadence_off[CADENCE_DAILY], 24, jd, k);
        add_range(d + cadence_off[CADENCE_WEEKLY], WEEK_HOURS, jw, k);
    }
}

uint64_t analysis_sched_on_time(const struct analysis_sched_acc *acc, enum analysis_cadence c,
                                unsigned phase, unsigned margin)
{
    if (c <= CADENCE_NONE || c >= CADENCE_COUNT || margin >= ANALYSIS_MARGINS ||
        phase >= analysis_cadence_phases[c])
        return 0;
    const int64_t *d = acc->diff[margin] + cadence_off[c];
    int64_t sum = 0;
    for (unsigned j = 0; j <= phase; j++)
        sum += d[j];
    return (uint64_t)sum;
}

/* The on-time counts of one cadence, [margin][phase]. */
struct counts {
    unsigned n;
    int64_t v[ANALYSIS_MARGINS][WEEK_HOURS];
};

static void counts_of(const struct analysis_sched_acc *acc, enum analysis_cadence c,
                      struct counts *out)
{
    out->n = analysis_cadence_phases[c];
    for (unsigned m = 0; m < ANALYSIS_MARGINS; m++) {
        const int64_t *d = acc->diff[m] + cadence_off[c];
        int64_t sum = 0;
        for (unsigned j = 0; j < out->n; j++)
            out->v[m][j] = sum += d[j];
    }
}

/* Phase a beats phase b: more on time at margin 0, then at each larger margin
 * in turn (the more robust), then the lower phase. */
static bool beats(const struct counts *k, unsigned a, unsigned b)
{
    for (unsigned m = 0; m < ANALYSIS_MARGINS; m++)
        if (k->v[m][a] != k->v[m][b])
            return k->v[m][a] > k->v[m][b];
    return a < b;
}

/* The best phase, and the best but `skip` (pass n to skip none). */
static unsigned best_phase(const struct counts *k, unsigned skip)
{
    unsigned best = skip == 0 && k->n > 1 ? 1 : 0;
    for (unsigned j = best + 1; j < k->n; j++)
        if (j != skip && beats(k, j, best))
            best = j;
    return best;
}

static struct analysis_option option(const struct counts *k, enum analysis_cadence c,
                                     unsigned phase, uint64_t results)
{
    uint64_t on = (uint64_t)k->v[0][phase];
    return (struct analysis_option){ c, phase, on, results, results ? (double)on / results : 0 };
}

/*
 * From the least frequent cadence to the most: the first whose best phase
 * meets confidence. When none does, best carries hourly's figures: every run
 * of any cadence is at a whole hour, so it is also an hourly run; the hourly
 * run a call gets is never later than any other cadence's, and a call on time
 * under any cadence and phase is on time hourly. Hourly's share is the most
 * any cadence reaches: the figure that says how far from batch the site is.
 */
void analysis_sched_pick(const struct analysis_sched_acc *acc, double confidence,
                         struct analysis_schedule *out)
{
    memset(out, 0, sizeof *out);
    out->batch_time_us = acc->batch_time_us;
    if (acc->results == 0)
        return; /* computed false, both options NONE */
    out->computed = true;
    struct counts k[CADENCE_COUNT]; /* 34 KB of stack, for the length of the call */
    struct analysis_option best[CADENCE_COUNT];
    for (unsigned c = CADENCE_HOURLY; c < CADENCE_COUNT; c++) {
        counts_of(acc, c, &k[c]);
        best[c] = option(&k[c], c, best_phase(&k[c], k[c].n), acc->results);
    }
    for (unsigned c = CADENCE_WEEKLY; c >= CADENCE_HOURLY; c--) {
        if (best[c].on_time_share + SHARE_EPS < confidence)
            continue;
        out->best = best[c];
        if (c == CADENCE_WEEKLY)
            out->next = option(&k[c], c, best_phase(&k[c], best[c].phase), acc->results);
        else
            out->next = best[c + 1];
        return;
    }
    out->best = best[CADENCE_HOURLY];
    out->best.cadence = CADENCE_NONE;
    out->next = best[CADENCE_6H];
}

/* ---- formatting ---- */

/* Text built by appending into a fixed array, always NUL-terminated, cut at
 * its capacity (every text here fits: the sizes are the header's). */
struct text {
    char *p;
    size_t cap, n;
};

static struct text text_on(char *p, size_t cap)
{
    p[0] = '\0';
    return (struct text){ p, cap, 0 };
}

static void put(struct text *t, const char *s)
{
    while (*s && t->n + 1 < t->cap)
        t->p[t->n++] = *s++;
    t->p[t->n] = '\0';
}

static void put_uint(struct text *t, unsigned v, unsigned min_digits)
{
    char d[12];
    unsigned n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < min_digits);
    char s[13];
    for (unsigned i = 0; i < n; i++)
        s[i] = d[n - 1 - i];
    s[n] = '\0';
    put(t, s);
}

/* "HH:MM" of a second of the day (wrapped into the day). */
static void put_hhmm(struct text *t, int64_t sec_of_day)
{
    unsigned s = (unsigned)floor_mod(sec_of_day, 86400);
    put_uint(t, s / 3600, 2);
    put(t, ":");
    put_uint(t, s / 60 % 60, 2);
}

/* "Mon 04:00" of a second of the week, Monday 00:00 = 0 (wrapped into the week). */
static void put_day_hhmm(struct text *t, int64_t sec_of_week)
{
    static const char *const weekday[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    unsigned s = (unsigned)floor_mod(sec_of_week, 7 * 86400);
    put(t, weekday[s / 86400]);
    put(t, " ");
    put_hhmm(t, s % 86400);
}

/* "+02:00", "-05:30" */
static void put_offset(struct text *t, int offset_s)
{
    int64_t a = offset_s < 0 ? -(int64_t)offset_s : offset_s;
    put(t, offset_s < 0 ? "-" : "+");
    put_uint(t, (unsigned)(a / 3600 % 100), 2);
    put(t, ":");
    put_uint(t, (unsigned)(a / 60 % 60), 2);
}

/* The option's phase, within its cadence (an out-of-range phase wraps). */
static unsigned phase_of(const struct analysis_option *o)
{
    unsigned n = (unsigned)o->cadence < CADENCE_COUNT ? analysis_cadence_phases[o->cadence] : 0;
    return n ? o->phase % n : 0;
}

void analysis_option_when(const struct analysis_option *o, bool has_offset, int offset_s,
                          char out[96])
{
    struct text t = text_on(out, 96);
    bool local = has_offset && offset_s != 0;
    int64_t p = phase_of(o), sec = p * 3600;
    switch (o->cadence) {
    case CADENCE_HOURLY: {
        /* a whole-hour offset keeps :00; at -05:30 the runs are at :30 local */
        int64_t m = floor_mod(offset_s, 3600) / 60;
        put(&t, "hourly at :00");
        if (local && m != 0) {
            put(&t, " UTC (:");
            put_uint(&t, (unsigned)m, 2);
            put(&t, " ");
            put_offset(&t, offset_s);
            put(&t, ")");
        }
        return;
    }
    case CADENCE_6H: {
        put(&t, "every 6 h from ");
        put_hhmm(&t, sec);
        put(&t, " UTC (");
        for (int i = 0; i < 4; i++) {
            put(&t, i ? ", " : "");
            put_hhmm(&t, sec + i * 6 * 3600);
        }
        if (local) {
            /* the day's four local runs, from the earliest */
            int64_t first = floor_mod(sec + offset_s, 6 * 3600);
            put(&t, "; ");
            for (int i = 0; i < 4; i++) {
                put(&t, i ? ", " : "");
                put_hhmm(&t, first + i * 6 * 3600);
            }
            put(&t, " ");
            put_offset(&t, offset_s);
        }
        put(&t, ")");
        return;
    }
    case CADENCE_DAILY:
        put(&t, "daily at ");
        put_hhmm(&t, sec);
        put(&t, " UTC");
        if (local) {
            put(&t, " (");
            put_hhmm(&t, sec + offset_s);
            put(&t, " ");
            put_offset(&t, offset_s);
            put(&t, ")");
        }
        return;
    case CADENCE_WEEKLY:
        put(&t, "weekly, ");
        put_day_hhmm(&t, sec);
        put(&t, " UTC");
        if (local) {
            put(&t, " (");
            put_day_hhmm(&t, sec + offset_s);
            put(&t, " ");
            put_offset(&t, offset_s);
            put(&t, ")");
        }
        return;
    default:
        put(&t, "none");
        return;
    }
}

void analysis_option_at(const struct analysis_option *o, char out[16])
{
    struct text t = text_on(out, 16);
    int64_t sec = (int64_t)phase_of(o) * 3600;
    switch (o->cadence) {
    case CADENCE_HOURLY:
        put(&t, ":00");
        return;
    case CADENCE_6H:
    case CADENCE_DAILY:
        put_hhmm(&t, sec);
        put(&t, "Z");
        return;
    case CADENCE_WEEKLY:
        put_day_hhmm(&t, sec);
        put(&t, "Z");
        return;
    default:
        return;
    }
}

void analysis_option_cron(const struct analysis_option *o, char out[40])
{
    struct text t = text_on(out, 40);
    unsigned p = phase_of(o);
    switch (o->cadence) {
    case CADENCE_HOURLY:
        put(&t, "0 * * * *");
        return;
    case CADENCE_6H:
        put(&t, "0 ");
        for (unsigned i = 0; i < 4; i++) {
            put(&t, i ? "," : "");
            put_uint(&t, p + 6 * i, 1);
        }
        put(&t, " * * *");
        return;
    case CADENCE_DAILY:
        put(&t, "0 ");
        put_uint(&t, p, 1);
        put(&t, " * * *");
        return;
    case CADENCE_WEEKLY:
        /* cron's day of the week counts from 0 = Sunday; ours from Monday */
        put(&t, "0 ");
        put_uint(&t, p % 24, 1);
        put(&t, " * * ");
        put_uint(&t, (p / 24 + 1) % 7, 1);
        return;
    default:
        return;
    }
}
