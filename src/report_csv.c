/*
 * report_csv.c - sites.csv for `tempo report` (reporters stage): a header and
 * one row per site, in the order of the JSON report. RFC 4180: CRLF line ends,
 * every text field quoted by report_csv_cell (which also neutralises formula
 * starts, OWASP "CSV Injection"); numbers plain, '.' decimal, no separators,
 * and an empty field where there is no value (no reads: no wait quantiles).
 */
#include "report.h"
#include "utc.h"

/* clang-format off */
static const char *const csv_header[] = {
    "site", "by", "verdict", "kept",
    "calls", "reads", "read_share", "tolerant_share", "tolerant_share_lo",
    "wait_p50_s", "wait_p90_s", "wait_p99_s", "wait_max_s", "latency_p50_s", "latency_p99_s",
    "calls_per_day", "calls_per_month",
    "tolerant_1m", "tolerant_5m", "tolerant_15m", "tolerant_1h", "tolerant_6h", "tolerant_1d",
    "tolerant_1w",
    "schedule_cadence", "schedule_at", "schedule_cron", "on_time_share",
    "migration", "provider", "monthly_now", "monthly_batch", "monthly_target", "monthly_savings",
    "reason",
};
/* clang-format on */
enum { CSV_COLS = sizeof csv_header / sizeof csv_header[0] };

/* A field after a row's first: the comma, then the value (empty: none). */
static int text(struct buf *b, struct span s)
{
    return buf_add(b, ",", 1) < 0 ? -1 : report_csv_cell(b, s);
}

static int num(struct buf *b, bool has, double v)
{
    if (buf_add(b, ",", 1) < 0)
        return -1;
    return has ? report_json_num(b, v) : 0;
}

static int secs(struct buf *b, bool has, int64_t us)
{
    return num(b, has, (double)us / 1e6);
}

static int csv_row(struct buf *b, const struct analysis_site *s)
{
    const struct analysis_schedule *sc = &s->schedule;
    bool has_cadence = sc->computed && sc->best.cadence != CADENCE_NONE;
    char at[16] = "", cron[40] = "";
    if (has_cadence) {
        analysis_option_at(&sc->best, at);
        analysis_option_cron(&sc->best, cron);
    }
    if (report_csv_cell(b, s->name) < 0 || text(b, s->has_by ? s->by : SPAN_NULL) < 0 ||
        text(b, span_of(s->verdict ? s->verdict : "")) < 0 ||
        text(b, span_of(s->kept ? "true" : "false")) < 0 || num(b, true, (double)s->calls) < 0 ||
        num(b, true, (double)s->reads) < 0 || num(b, s->eligible > 0, s->read_share) < 0 ||
        num(b, s->eligible > 0, s->tolerant_share) < 0 ||
        num(b, s->eligible > 0, s->tolerant_share_lo) < 0 ||
        secs(b, s->has_wait, s->wait_us[Q_P50]) < 0 ||
        secs(b, s->has_wait, s->wait_us[Q_P90]) < 0 ||
        secs(b, s->has_wait, s->wait_us[Q_P99]) < 0 ||
        secs(b, s->has_wait, s->wait_us[Q_MAX]) < 0 ||
        secs(b, s->has_latency, s->latency_p50_us) < 0 ||
        secs(b, s->has_latency, s->latency_p99_us) < 0 || num(b, true, s->calls_per_day) < 0 ||
        num(b, true, s->calls_per_month) < 0)
        return -1;
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        if (num(b, s->calls > 0, s->tempo_curve[k]) < 0)
            return -1;
    if (text(b, span_of(has_cadence ? analysis_cadence_name(sc->best.cadence) : "")) < 0 ||
        text(b, span_of(at)) < 0 || text(b, span_of(cron)) < 0 ||
        num(b, sc->computed, sc->best.on_time_share) < 0 ||
        text(b, span_of(s->migration ? s->migration : "")) < 0 ||
        text(b, span_of(s->provider ? s->provider : "")) < 0 ||
        num(b, s->has_cost, s->monthly_now) < 0 || num(b, s->has_cost, s->monthly_batch) < 0 ||
        num(b, s->has_cost, s->monthly_target) < 0 || num(b, s->has_cost, s->monthly_savings) < 0 ||
        text(b, span_of(s->reason)) < 0)
        return -1;
    return buf_add(b, "\r\n", 2);
}

static int csv_write(const struct report_input *in, FILE *out, struct err *e)
{
    struct buf b;
    int rc = 0;
    buf_init(&b, (size_t)1 << 30);
    for (unsigned c = 0; c < CSV_COLS && rc == 0; c++)
        rc = c ? text(&b, span_of(csv_header[c])) : report_csv_cell(&b, span_of(csv_header[c]));
    if (rc == 0)
        rc = buf_add(&b, "\r\n", 2);
    for (unsigned i = 0; i < in->an->n_sites && rc == 0; i++)
        rc = csv_row(&b, &in->an->sites[i]);
    return report_finish(&b, rc, out, "sites.csv", e);
}

const struct reporter report_csv = { "csv", csv_write };
