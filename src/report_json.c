/*
 * report_json.c - the JSON report, schema version 1 (PRODUCT.md §6), written
 * by hand so that key order and number forms are stable. Extensions of §6
 * (schedule details, migration, cost notes) are added, never renamed.
 */
#include "report.h"
#include "utc.h"

#define J(call)                                                                                \
    do {                                                                                       \
        if ((call) < 0)                                                                        \
            goto too_big;                                                                      \
    } while (0)

static int secs(struct buf *b, int64_t us)
{
    return report_json_num(b, (double)us / 1e6);
}

static int str(struct buf *b, struct span s)
{
    if (buf_add(b, "\"", 1) < 0 || report_json_str(b, s) < 0)
        return -1;
    return buf_add(b, "\"", 1);
}

static int cstr(struct buf *b, const char *s)
{
    return s ? str(b, span_of(s)) : buf_adds(b, "null");
}

static int time_str(struct buf *b, int64_t us)
{
    char t[32];
    return buf_printf(b, "\"%s\"", utc_format(us, false, t));
}

static int write_sources(struct buf *b, const struct analysis *an)
{
    if (buf_adds(b, "  \"sources\": [") < 0)
        return -1;
    for (unsigned i = 0; i < an->n_sources; i++) {
        const struct source_stats *s = &an->sources[i].stats;
        if (buf_adds(b, i ? ",\n    {" : "\n    {") < 0 || buf_adds(b, "\"path\": ") < 0 ||
            cstr(b, s->path) < 0 || buf_adds(b, ", \"format\": ") < 0 ||
            cstr(b, s->format) < 0 ||
            buf_printf(b, ", \"gzip\": %s, \"lines\": %llu, \"events\": %llu, \"matched\": %llu, "
                          "\"skipped\": %llu, ",
                       s->is_gzip ? "true" : "false", (unsigned long long)s->lines,
                       (unsigned long long)s->events, (unsigned long long)s->matched,
                       (unsigned long long)s->skipped) < 0)
            return -1;
        if (s->is_capture) { /* added to §6: what a capture's reading counted */
            if (buf_adds(b, "\"capture\": {") < 0)
                return -1;
            for (unsigned k = 0; k < CAP_COUNT; k++)
                if (buf_printf(b, "%s\"%s\": %llu", k ? ", " : "", source_capture_count_names[k],
                               (unsigned long long)s->counted[k]) < 0)
                    return -1;
            if (buf_adds(b, "}, \"first_errors\": [") < 0)
                return -1;
        } else if (buf_adds(b, "\"first_errors\": [") < 0) {
            return -1;
        }
        for (unsigned k = 0; k < s->n_errors; k++)
            if (buf_printf(b, "%s{\"line\": %llu, \"message\": ", k ? ", " : "",
                           (unsigned long long)s->errors[k].line) < 0 ||
                cstr(b, s->errors[k].reason) < 0 || buf_adds(b, "}") < 0)
                return -1;
        if (buf_adds(b, "]}") < 0)
            return -1;
    }
    return buf_adds(b, an->n_sources ? "\n  ],\n" : "],\n");
}

static int write_option(struct buf *b, const struct analysis_option *o)
{
    char at[16], cron[40];
    analysis_option_at(o, at);
    analysis_option_cron(o, cron);
    if (o->cadence == CADENCE_NONE)
        return buf_adds(b, "\"cadence\": null, \"at\": null, \"cron\": null, \"on_time_share\": ") <
                       0
                   ? -1
                   : report_json_num(b, o->on_time_share);
    return buf_printf(b, "\"cadence\": \"%s\", \"at\": \"%s\", \"cron\": \"%s\", \"on_time_share\": ",
                      analysis_cadence_name(o->cadence), at, cron) < 0
               ? -1
               : report_json_num(b, o->on_time_share);
}

/* §6 schedule: {"cadence", "at", "on_time_share"} and, added, the cron line, the
 * words, the runner-up and the note; cadence null when none meets confidence. */
static int write_schedule(struct buf *b, const struct analysis *an, const struct analysis_site *s)
{
    const struct analysis_schedule *sc = &s->schedule;
    char when[96];
    if (!sc->computed)
        return buf_adds(b, "null");
    analysis_option_when(&sc->best, an->has_utc_offset, an->utc_offset_s, when);
    if (buf_adds(b, "{") < 0 || write_option(b, &sc->best) < 0 ||
        buf_printf(b, ", \"on_time\": %llu, \"results\": %llu, \"batch_time_s\": ",
                   (unsigned long long)sc->best.on_time, (unsigned long long)sc->best.results) < 0 ||
        secs(b, sc->batch_time_us) < 0 || buf_adds(b, ", \"when\": ") < 0 || cstr(b, when) < 0 ||
        buf_adds(b, ", \"next\": ") < 0)
        return -1;
    if (sc->next.cadence == CADENCE_NONE) {
        if (buf_adds(b, "null") < 0)
            return -1;
    } else if (buf_adds(b, "{") < 0 || write_option(b, &sc->next) < 0 || buf_adds(b, "}") < 0) {
        return -1;
    }
    return buf_adds(b, ", \"note\": ") < 0 || cstr(b, s->schedule_note) < 0 ? -1
                                                                         : buf_adds(b, "}");
}

static int write_cost(struct buf *b, const struct analysis_site *s)
{
    if (!s->has_cost)
        return buf_adds(b, "null");
    if (buf_adds(b, "{\"currency\": \"USD\", \"monthly_now\": ") < 0 ||
        report_json_num(b, s->monthly_now) < 0 || buf_adds(b, ", \"monthly_batch\": ") < 0 ||
        report_json_num(b, s->monthly_batch) < 0 || buf_adds(b, ", \"monthly_target\": ") < 0 ||
        report_json_num(b, s->monthly_target) < 0 ||
        buf_adds(b, ", \"monthly_savings\": ") < 0 || report_json_num(b, s->monthly_savings) < 0 ||
        buf_adds(b, ", \"provider\": ") < 0 || cstr(b, s->provider) < 0 ||
        buf_printf(b, ", \"priced_by_mean\": %llu, \"calls_per_month\": ",
                   (unsigned long long)s->priced_by_mean) < 0 ||
        report_json_num(b, s->calls_per_month) < 0)
        return -1;
    if (s->gpu_hours_now > 0 || s->gpu_hours_batch > 0) {
        if (buf_adds(b, ", \"gpu_hours_now\": ") < 0 || report_json_num(b, s->gpu_hours_now) < 0 ||
            buf_adds(b, ", \"gpu_hours_batch\": ") < 0 ||
            report_json_num(b, s->gpu_hours_batch) < 0 ||
            buf_adds(b, ", \"runs_per_month\": ") < 0 || report_json_num(b, s->runs_per_month) < 0)
            return -1;
    }
    return buf_adds(b, ", \"note\": ") < 0 || cstr(b, s->cost_note) < 0 ? -1 : buf_adds(b, "}");
}

static int write_site(struct buf *b, const struct analysis *an, const struct analysis_site *s)
{
    static const char *const qn[Q_COUNT] = { "min", "p50", "p90", "p95", "p99", "max" };
    if (buf_adds(b, "    {\"name\": ") < 0 || str(b, s->name) < 0 ||
        buf_adds(b, ", \"by\": ") < 0 || (s->has_by ? str(b, s->by) : buf_adds(b, "null")) < 0 ||
        buf_adds(b, ", \"verdict\": ") < 0 || cstr(b, s->verdict) < 0 ||
        buf_printf(b, ", \"kept\": %s", s->kept ? "true" : "false") < 0)
        return -1;
    if (s->kept && (buf_adds(b, ", \"keep_reason\": ") < 0 || str(b, s->keep_reason) < 0))
        return -1;
    if (buf_printf(b, ",\n     \"calls\": %llu, \"reads\": %llu, \"read_share\": ",
                   (unsigned long long)s->calls, (unsigned long long)s->reads) < 0 ||
        report_json_num(b, s->read_share) < 0 || buf_adds(b, ", \"tolerant_share\": ") < 0 ||
        report_json_num(b, s->tolerant_share) < 0 ||
        buf_adds(b, ", \"tolerant_share_lo\": ") < 0 ||
        report_json_num(b, s->tolerant_share_lo) < 0 ||
        buf_printf(b, ", \"censored\": %llu, \"calls_per_day\": ",
                   (unsigned long long)s->censored) < 0 ||
        report_json_num(b, s->calls_per_day) < 0 || buf_adds(b, ",\n     \"wait_s\": ") < 0)
        return -1;
    if (s->has_wait) {
        for (int q = 0; q < Q_COUNT; q++)
            if (buf_printf(b, "%s\"%s\": ", q ? ", " : "{", qn[q]) < 0 ||
                secs(b, s->wait_us[q]) < 0)
                return -1;
        if (buf_adds(b, "}") < 0)
            return -1;
    } else if (buf_adds(b, "null") < 0) {
        return -1;
    }
    if (buf_adds(b, ", \"latency_s\": ") < 0)
        return -1;
    if (s->has_latency) {
        if (buf_adds(b, "{\"p50\": ") < 0 || secs(b, s->latency_p50_us) < 0 ||
            buf_adds(b, ", \"p99\": ") < 0 || secs(b, s->latency_p99_us) < 0 ||
            buf_adds(b, "}") < 0)
            return -1;
    } else if (buf_adds(b, "null") < 0) {
        return -1;
    }
    if (buf_adds(b, ",\n     \"tempo_curve\": [") < 0)
        return -1;
    for (int k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        if (buf_printf(b, "%s{\"delay_s\": %lld, \"tolerant_share\": ", k ? ", " : "",
                       (long long)(analysis_curve_delays_us[k] / USEC_PER_SEC)) < 0 ||
            report_json_num(b, s->tempo_curve[k]) < 0 || buf_adds(b, "}") < 0)
            return -1;
    if (buf_adds(b, "],\n     \"readers\": [") < 0)
        return -1;
    for (unsigned k = 0; k < s->n_readers; k++) {
        const struct analysis_reader *rd = &s->readers[k];
        if (buf_adds(b, k ? ", {\"by\": " : "{\"by\": ") < 0 || str(b, rd->by) < 0 ||
            buf_printf(b, ", \"reads\": %llu, \"wait_s\": {\"p50\": ",
                       (unsigned long long)rd->reads) < 0 ||
            secs(b, rd->wait_p50_us) < 0 || buf_adds(b, ", \"p99\": ") < 0 ||
            secs(b, rd->wait_p99_us) < 0 || buf_adds(b, "}}") < 0)
            return -1;
    }
    if (buf_adds(b, "],\n     \"schedule\": ") < 0 || write_schedule(b, an, s) < 0 ||
        buf_adds(b, ",\n     \"migration\": ") < 0 || cstr(b, s->migration) < 0 ||
        buf_adds(b, ", \"cost\": ") < 0 || write_cost(b, s) < 0)
        return -1;
    if (buf_printf(b, ",\n     \"rules_line\": %u, \"verdict_line\": %u, \"reason\": ",
                   s->call_line, s->verdict_line) < 0 ||
        cstr(b, s->reason) < 0 || buf_adds(b, "}") < 0)
        return -1;
    return 0;
}

static int json_write(const struct report_input *in, FILE *out, struct err *e)
{
    const struct analysis *an = in->an;
    const struct rules *r = in->rules;
    struct buf b;
    char t[32];
    buf_init(&b, (size_t)1 << 30);
    J(buf_printf(&b, "{\"tempo\": 1, \"generated_at\": \"%s\",\n",
                 utc_format(in->generated_us, false, t)));
    J(buf_adds(&b, "  \"window\": {\"start\": "));
    J(an->start_us <= an->end_us ? time_str(&b, an->start_us) : buf_adds(&b, "null"));
    J(buf_adds(&b, ", \"end\": "));
    J(an->start_us <= an->end_us ? time_str(&b, an->end_us) : buf_adds(&b, "null"));
    J(buf_adds(&b, ", \"days\": "));
    J(report_json_num(&b, an->days));
    if (an->has_utc_offset) {
        int off = an->utc_offset_s < 0 ? -an->utc_offset_s : an->utc_offset_s;
        J(buf_printf(&b, ", \"utc_offset\": \"%c%02d:%02d\"", an->utc_offset_s < 0 ? '-' : '+',
                     off / 3600, off / 60 % 60));
    } else {
        J(buf_adds(&b, ", \"utc_offset\": null"));
    }
    J(buf_adds(&b, "},\n  \"rules\": {\"file\": "));
    J(cstr(&b, r->path));
    J(buf_printf(&b, ", \"delay_s\": %lld, \"confidence\": ", (long long)(r->delay_us / 1000000)));
    J(report_json_num(&b, r->confidence));
    J(buf_printf(&b, ", \"min_calls\": %llu, \"batch_time_s\": %lld},\n",
                 (unsigned long long)r->min_calls, (long long)(r->batch_time_us / 1000000)));
    J(write_sources(&b, an));
    J(buf_adds(&b, "  \"sites\": ["));
    for (unsigned i = 0; i < an->n_sites; i++) {
        J(buf_adds(&b, i ? ",\n" : "\n"));
        J(write_site(&b, an, &an->sites[i]));
    }
    J(buf_adds(&b, an->n_sites ? "\n  ],\n  \"findings\": [" : "],\n  \"findings\": ["));
    for (unsigned i = 0; i < in->vr->n_findings; i++) {
        const struct verdict_finding *f = &in->vr->findings[i];
        J(buf_adds(&b, i ? ",\n    {\"kind\": " : "\n    {\"kind\": "));
        J(cstr(&b, f->kind == FINDING_FAKE_URGENCY ? "fake_urgency" : "drift"));
        J(buf_adds(&b, ", \"site\": "));
        J(str(&b, f->site->name));
        J(buf_adds(&b, ", \"by\": "));
        J(f->site->has_by ? str(&b, f->site->by) : buf_adds(&b, "null"));
        J(buf_printf(&b, ", \"rules_line\": %u, \"known\": %s, \"message\": ", f->rules_line,
                     f->known ? "true" : "false"));
        J(cstr(&b, f->message));
        J(buf_adds(&b, ", \"action\": "));
        J(cstr(&b, f->action));
        J(buf_adds(&b, "}"));
    }
    J(buf_adds(&b, in->vr->n_findings ? "\n  ],\n" : "],\n"));
    J(buf_adds(&b, "  \"totals\": {\"monthly_now\": "));
    J(report_json_num(&b, in->vr->monthly_now));
    J(buf_adds(&b, ", \"monthly_batch\": "));
    J(report_json_num(&b, in->vr->monthly_batch));
    J(buf_adds(&b, ", \"monthly_target\": "));
    J(report_json_num(&b, in->vr->monthly_target));
    J(buf_adds(&b, ", \"monthly_savings\": "));
    J(report_json_num(&b, in->vr->monthly_savings));
    J(buf_printf(&b, ", \"sites_priced\": %u, \"sites_unpriced\": %u}\n}\n",
                 in->vr->sites_priced, in->vr->sites_unpriced));
    return report_finish(&b, 0, out, "JSON report", e);
too_big:
    return report_finish(&b, -1, out, "JSON report", e);
}

const struct reporter report_json = { "json", json_write };
