/*
 * chart.c - the report's charts (reporters stage, issue 5): data files and a
 * gnuplot 5.4 script written into a private directory under the output one,
 * gnuplot run there with -d through posix_spawn (no shell, bounded time), the
 * SVGs renamed into place. Names from the logs reach gnuplot only inside data
 * files (columnheader, xticlabels), cleaned first; the script is Tempo's own.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np (glibc 2.29+) */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "limits.h"

unsigned chart_limit_seconds = LIMIT_GNUPLOT_SECONDS;

#define CHART_FILE_MAX (4u << 20) /* bytes in one data file or the script: far above need */

/* Okabe & Ito's colour-blind-safe palette. */
static const char *const palette[8] = { "#0072B2", "#E69F00", "#009E73", "#D55E00",
                                        "#CC79A7", "#56B4E9", "#F0E442", "#000000" };

/* The tempo curve's delays, as analysis.h lists them (1m 5m 15m 1h 6h 1d 1w)
 * and as the chart's tics name them; kept here so that the charts link
 * without the analysis stage. */
static const double curve_delays_s[] = { 60, 300, 900, 3600, 21600, 86400, 604800 };
_Static_assert(sizeof curve_delays_s / sizeof curve_delays_s[0] == ANALYSIS_CURVE_POINTS,
               "one tempo-curve delay per analysis point");

/* ---- labels: log text made safe for a double-quoted gnuplot data field ---- */

struct label {
    char p[LIMIT_CHART_LABEL + 1];
    size_t n;
    bool cut; /* some input did not fit */
};


/* Controls become spaces: C0, DEL, C1, the line and paragraph separators and
 * the bidirectional overrides (they would reorder the chart's other text). */
static bool is_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Append `s` cleaned: invalid UTF-8 as U+FFFD, controls as a space, '"' as '\''
 * (a data-file string ends at the next '"' whatever precedes it). */
static void label_add(struct label *l, struct span s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    for (size_t i = 0; i < s.n && !l->cut;) {
        unsigned cp = 0;
        size_t k = span_utf8((const char *)p + i, s.n - i, &cp);
        const char *emit = (const char *)p + i;
        size_t m = k;
        if (k == 0)
            emit = "\xEF\xBF\xBD", m = 3, k = 1;
        else if (is_control(cp))
            emit = " ", m = 1;
        else if (cp == '"')
            emit = "'", m = 1;
        if (l->n + m > LIMIT_CHART_LABEL) {
            l->cut = true;
            break;
        }
        memcpy(l->p + l->n, emit, m);
        l->n += m;
        i += k;
    }
}

/* Finish: a cut label ends in "..." within the limit (cut at a character
 * boundary), spaces at either end go, an empty one reads "(empty)". */
static void label_end(struct label *l)
{
    if (l->cut) {
        /* Back to a character boundary at or below the limit less "...". */
        size_t had = l->n;
        while (l->n > LIMIT_CHART_LABEL - 3 ||
               (l->n > 0 && l->n < had && ((unsigned char)l->p[l->n] & 0xC0) == 0x80))
            l->n--;
        memcpy(l->p + l->n, "...", 3);
        l->n += 3;
    }
    size_t b = 0;
    while (b < l->n && l->p[b] == ' ')
        b++;
    while (l->n > b && l->p[l->n - 1] == ' ')
        l->n--;
    memmove(l->p, l->p + b, l->n - b);
    l->n -= b;
    if (l->n == 0) {
        memcpy(l->p, "(empty)", 7);
        l->n = 7;
    }
    l->p[l->n] = 0;
}

/* Characters (not bytes) in a label: its width in the chart, roughly. */
static unsigned label_chars(const struct label *l)
{
    unsigned n = 0;
    for (size_t k = 0; k < l->n; k++)
        n += ((unsigned char)l->p[k] & 0xC0) != 0x80;
    return n;
}

/* "name", or "name [by]" for a site broken down by a by= value. */
static void label_site(struct label *l, const struct analysis_site *s)
{
    l->n = 0;
    l->cut = false;
    label_add(l, s->name);
    if (s->has_by) {
        label_add(l, SPAN_LIT(" ["));
        label_add(l, s->by);
        label_add(l, SPAN_LIT("]"));
    }
    label_end(l);
}

/* ---- text being written: sticky failure, so a chart reads top to bottom ---- */

struct text {
    struct buf b;
    bool failed;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp || buf_add(&t->b, tmp, (size_t)n) < 0)
        t->failed = true;
}

/* A number for gnuplot: %.17g round-trips; a non-finite value is drawn as 0. */
static void put_num(struct text *t, double v) { put(t, " %.17g", isfinite(v) ? v : 0.0); }

/* A label as a double-quoted data field. gnuplot reads backslash escapes in
 * such fields ("\101" is 'A', "\n" a newline), so a backslash is doubled. */
static void put_label(struct text *t, const struct label *l)
{
    put(t, " \"");
    for (size_t i = 0; i < l->n; i++) {
        if (l->p[i] == '\\')
            put(t, "\\\\");
        else if (buf_add(&t->b, l->p + i, 1) < 0)
            t->failed = true;
    }
    put(t, "\"");
}

/* "1h", "30m", "90s", "1500ms": a duration in Tempo's words. */
static void fmt_duration(int64_t us, char out[32])
{
    static const struct {
        int64_t us;
        const char *unit;
    } units[] = { { 604800000000, "w" }, { 86400000000, "d" }, { 3600000000, "h" },
                  { 60000000, "m" },     { 1000000, "s" },     { 1000, "ms" } };
    if (us > 0)
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (us % units[i].us == 0) {
                snprintf(out, 32, "%lld%s", (long long)(us / units[i].us), units[i].unit);
                return;
            }
    snprintf(out, 32, "%lldus", (long long)us);
}

/* "UTC", "UTC+02:00", "UTC-05:30". */
static void fmt_offset(const struct analysis *an, char out[16])
{
    if (!an->has_utc_offset || an->utc_offset_s == 0) {
        snprintf(out, 16, "UTC");
        return;
    }
    long long a = an->utc_offset_s < 0 ? -(long long)an->utc_offset_s : an->utc_offset_s;
    snprintf(out, 16, "UTC%c%02lld:%02lld", an->utc_offset_s < 0 ? '-' : '+', a / 3600 % 100,
             a % 3600 / 60);
}

/* ---- the run: private directory, files, gnuplot ---- */

struct run {
    const char *dir; /* the output directory (borrowed: the caller's) */
    char *tmp;       /* "DIR/.tempo-charts-XXXXXX" (arena: errors name it) */
    int tmp_fd, dir_fd;
    struct text data;         /* one data file at a time */
    struct text gp;           /* the script, all charts */
    char (*outs)[CHART_NAME]; /* SVGs the script writes, in order (arena) */
    unsigned n_outs;
};

static int write_file(struct run *rn, const char *name, struct text *t, struct err *e)
{
    if (t->failed)
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "chart file %s longer than %u bytes", name,
                      CHART_FILE_MAX);
    int fd = openat(rn->tmp_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_at(e, EXIT_INTERNAL, rn->tmp, 0, 0, "cannot create %s: %s", name,
                      strerror(errno));
    for (size_t off = 0; off < t->b.len;) {
        ssize_t w = write(fd, t->b.p + off, t->b.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            close(fd);
            return err_at(e, EXIT_INTERNAL, rn->tmp, 0, 0, "cannot write %s: %s", name,
                          strerror(err));
        }
        off += (size_t)w;
    }
    if (close(fd) < 0)
        return err_at(e, EXIT_INTERNAL, rn->tmp, 0, 0, "cannot write %s: %s", name,
                      strerror(errno));
    buf_reset(&t->b);
    return 0;
}

/* Settings every chart starts from; `reset` keeps the terminal, so it is set
 * again with this chart's size. */
static void gp_begin(struct run *rn, const char *out, unsigned w, unsigned h, const char *title)
{
    struct text *t = &rn->gp;
    put(t, "reset\nset encoding utf8\n");
    put(t, "set terminal svg size %u,%u noenhanced font \"sans,11\" background \"#ffffff\"\n", w,
        h);
    put(t, "set output '%s'\n", out);
    put(t, "set title \"%s\" font \"sans,14\"\n", title);
    put(t, "set border 3 lc rgb \"#444444\"\nset tics nomirror\n");
    put(t, "set grid lc rgb \"#dddddd\" lw 1 dt 1\n");
    snprintf(rn->outs[rn->n_outs++], CHART_NAME, "%s", out);
}

/* 1. every site's tempo curve on one plot */
static int chart_tempo(struct run *rn, const struct rules *r, const struct analysis *an,
                       const unsigned *idx, unsigned n, struct err *e)
{
    struct text *d = &rn->data, *t = &rn->gp;
    struct label l;
    unsigned widest = 0; /* characters in the longest label */
    put(d, "\"delay_s\"");
    for (unsigned i = 0; i < n; i++) {
        label_site(&l, &an->sites[idx[i]]);
        put_label(d, &l);
        widest = label_chars(&l) > widest ? label_chars(&l) : widest;
    }
    put(d, "\n");
    for (unsigned k = 0; k < ANALYSIS_CURVE_POINTS; k++) {
        put_num(d, curve_delays_s[k]);
        for (unsigned i = 0; i < n; i++)
            put_num(d, 100.0 * an->sites[idx[i]].tempo_curve[k]);
        put(d, "\n");
    }
    if (write_file(rn, "tempo.dat", d, e) < 0)
        return -1;

    /* Two key columns under the plot, the confidence line's entry included;
     * about 7 px a character, and the sample line beside each. */
    unsigned rows = (n + 2) / 2, width = 2 * (7 * widest + 90) + 40;
    gp_begin(rn, "tempo-curve.svg", width > 960 ? width : 960, 480 + 18 * rows,
             "Tempo curve: share of results that tolerate each delay");
    put(t, "set xlabel \"delay before the result is needed (log scale)\" offset 0,0.4\n");
    put(t, "set ylabel \"results that would not notice the delay (%%)\"\n");
    put(t, "set logscale x\nset xrange [40:1000000]\nset yrange [0:102]\n");
    put(t, "set xtics (\"1m\" 60, \"5m\" 300, \"15m\" 900, \"1h\" 3600, \"6h\" 21600, "
           "\"1d\" 86400, \"1w\" 604800)\n");
    put(t, "set ytics 0,10,100\n");
    put(t, "set key outside below left Left reverse vertical maxrows %u width 2\n", rows);
    put(t, "plot");
    for (unsigned i = 0; i < n; i++)
        put(t,
            " 'tempo.dat' using 1:%u title columnheader(%u) with linespoints lw 2 "
            "lc rgb \"%s\" dt %u pt %u ps 0.8,",
            i + 2, i + 2, palette[i % 8], 1 + i / 8, 7 + (i / 8) * 2);
    put(t,
        " %.17g with lines dt 2 lw 1 lc rgb \"#000000\" "
        "title sprintf(\"confidence %%g%%%%\", %.17g)\n",
        100.0 * r->confidence, 100.0 * r->confidence);
    return 0;
}

/* 2. the CDF of one site's waits */
static int chart_wait(struct run *rn, const struct rules *r, const struct analysis_site *s,
                      unsigned no, struct err *e)
{
    struct text *d = &rn->data, *t = &rn->gp;
    struct label l;
    char name[CHART_NAME], data[CHART_NAME], delay[32];
    snprintf(name, sizeof name, "wait-%u.svg", no);
    snprintf(data, sizeof data, "wait-%u.dat", no);
    label_site(&l, s);
    put(d, "\"wait_s\"");
    put_label(d, &l);
    put(d, "\n");
    double top = 604800;
    for (unsigned k = 0; k < ANALYSIS_CDF_POINTS; k++) {
        double sec = (double)s->wait_cdf_us[k] / 1e6;
        sec = sec < 1 ? 1 : sec;
        top = sec > top ? sec : top;
        put_num(d, sec);
        put_num(d, (double)k);
        put(d, "\n");
    }
    if (write_file(rn, data, d, e) < 0)
        return -1;

    double delay_s = (double)r->delay_us / 1e6;
    delay_s = delay_s < 1 ? 1 : delay_s;
    top = delay_s > top ? delay_s : top;
    fmt_duration(r->delay_us, delay);
    gp_begin(rn, name, 800, 460, "Wait before first read (CDF)");
    put(t, "set xlabel \"wait before the first read, log scale (waits under 1 s drawn at 1 s)\"\n");
    put(t, "set ylabel \"read results first read within the wait (%%)\"\n");
    put(t, "set logscale x\nset xrange [1:%.17g]\nset yrange [0:102]\nset ytics 0,10,100\n",
        top * 1.5);
    put(t, "set xtics (\"1s\" 1, \"1m\" 60, \"1h\" 3600, \"1d\" 86400, \"1w\" 604800)\n");
    put(t,
        "set arrow 1 from first %.17g, graph 0 to first %.17g, graph 1 nohead dt 2 lw 1 "
        "lc rgb \"#000000\"\n",
        delay_s, delay_s);
    put(t, "set label 1 \"delay %s\" at first %.17g, graph 0.04 offset 0.5,0\n", delay, delay_s);
    put(t, "set key outside below left Left reverse\n");
    put(t, "plot '%s' using 1:2 title columnheader(2) with steps lw 2 lc rgb \"%s\"\n", data,
        palette[0]);
    return 0;
}

/* 3. calls and first reads by hour of the week */
static int chart_week(struct run *rn, const struct analysis *an, const struct analysis_site *s,
                      unsigned no, struct err *e)
{
    static const char *const days[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    struct text *d = &rn->data, *t = &rn->gp;
    char name[CHART_NAME], data[CHART_NAME], off[16];
    snprintf(name, sizeof name, "week-%u.svg", no);
    snprintf(data, sizeof data, "week-%u.dat", no);
    put(d, "# hour calls first_reads\n");
    for (unsigned h = 0; h < ANALYSIS_WEEK_HOURS; h++)
        put(d, "%u.5 %lld %lld\n", h, (long long)s->calls_by_hour[h],
            (long long)s->reads_by_hour[h]);
    if (write_file(rn, data, d, e) < 0)
        return -1;

    fmt_offset(an, off);
    gp_begin(rn, name, 960, 420, "Calls and first reads by hour of the week");
    put(t, "set xlabel \"hour of the week (%s)\"\n", off);
    put(t, "set ylabel \"results per hour\"\n");
    put(t, "set xrange [0:168]\nset yrange [0:*]\nset xtics (");
    for (unsigned i = 0; i < 7; i++)
        put(t, "%s\"%s\" %u", i ? ", " : "", days[i], 24 * i);
    put(t, ")\nset grid noytics xtics\n");
    put(t, "set style fill transparent solid 0.45 noborder\nset boxwidth 1 absolute\n");
    put(t, "set key outside below center horizontal\n");
    put(t,
        "plot '%s' using 1:2 title \"calls\" with boxes lc rgb \"%s\", "
        "'%s' using 1:3 title \"first reads\" with boxes lc rgb \"%s\"\n",
        data, palette[0], data, palette[1]);
    return 0;
}

/* 4. monthly cost now and after, per priced site */
static int chart_cost(struct run *rn, const struct analysis *an, const unsigned *idx, unsigned n,
                      struct err *e)
{
    struct text *d = &rn->data, *t = &rn->gp;
    struct label l;
    unsigned chars[LIMIT_CHART_SITES];
    for (unsigned i = 0; i < n; i++) {
        const struct analysis_site *s = &an->sites[idx[i]];
        label_site(&l, s);
        chars[i] = label_chars(&l);
        put(d, "%u", idx[i] + 1);
        put_label(d, &l);
        put_num(d, s->monthly_now);
        put_num(d, s->monthly_target);
        put(d, "\n");
    }
    if (write_file(rn, "cost.dat", d, e) < 0)
        return -1;

    unsigned width = n > 12 ? 240 + 60 * n : 960;
    gp_begin(rn, "cost.svg", width, 640, "Monthly cost now and after the migration");
    put(t, "set ylabel \"USD a month\"\nset yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\n");
    put(t, "set style data histogram\nset style histogram clustered gap 1\n");
    put(t, "set style fill solid 0.85 noborder\nset boxwidth 0.9 relative\n");
    put(t, "set xtics rotate by 30 right nomirror\nset grid noxtics ytics\n");
    /* A label rotated by 30 degrees reaches left of its tic by cos 30 of its
     * width, and tic i stands i + 1/2 groups right of the axis. The group's
     * width in characters (about 7 px) is taken at its least: the widest
     * margin (52 characters) and the key (200 px) beside the plot. */
    double group = ((double)width - 7.0 * 52 - 200) / 7.0 / n, margin = 10;
    for (unsigned i = 0; i < n; i++) {
        double need = 0.87 * chars[i] - (i + 0.5) * group + 2;
        margin = need > margin ? need : margin;
    }
    put(t, "set lmargin %u\n", (unsigned)margin);
    put(t, "set key outside right top vertical Left reverse\n");
    put(t,
        "plot 'cost.dat' using 3:xticlabels(2) title \"now (real time)\" lc rgb \"%s\", "
        "'' using 4 title \"after the migration\" lc rgb \"%s\"\n",
        palette[3], palette[0]);
    return 0;
}

/* Defence in depth: the script is printable ASCII without a backquote, so no
 * input byte and no command substitution can be in it. */
static int check_script(const struct buf *b, struct err *e)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->p[i];
        if ((c < 0x20 && c != '\n') || c > 0x7E || c == '`')
            return err_at(e, EXIT_INTERNAL, NULL, 0, 0,
                          "chart script holds byte 0x%02x at %zu (a bug)", c, i);
    }
    return 0;
}

/* The telling line of gnuplot's standard error: the last that names a line
 * of the script and is not a warning (gnuplot stops at its first error), else
 * the first that is not blank; printable ASCII only. */
static void first_error_line(int tmp_fd, char out[160])
{
    char text[4096];
    size_t n = 0;
    out[0] = 0;
    int fd = openat(tmp_fd, "gnuplot.err", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    for (ssize_t r; n < sizeof text && (r = read(fd, text + n, sizeof text - n)) != 0;) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    struct span rest = { text, n }, line, pick = SPAN_NULL, error = SPAN_NULL;
    while (rest.n) {
        span_cut(&rest, '\n', &line);
        line = span_trim(line);
        struct span after = line, head;
        bool warning = span_cut(&after, ':', &head) && span_starts(span_trim(after), "warning");
        if (span_starts(line, "\"charts.gp\"") && !warning)
            error = line;
        if (line.n && !pick.p)
            pick = line;
    }
    if (error.p)
        pick = error;
    size_t k = 0;
    for (size_t i = 0; i < pick.n && k < 159; i++) {
        unsigned char c = (unsigned char)pick.p[i];
        out[k++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[k] = 0;
}

/* Remove the private directory and everything in it (one level: Tempo makes
 * no subdirectory there). */
static int remove_tmp(struct run *rn)
{
    int ok = 0;
    if (rn->tmp_fd >= 0) {
        int fd = dup(rn->tmp_fd);
        DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
        if (!dp) {
            if (fd >= 0)
                close(fd);
            ok = -1;
        } else {
            for (struct dirent *de; (de = readdir(dp));) {
                if (de->d_name[0] == '.' &&
                    (de->d_name[1] == 0 || (de->d_name[1] == '.' && de->d_name[2] == 0)))
                    continue;
                if (unlinkat(rn->tmp_fd, de->d_name, 0) < 0)
                    ok = -1;
            }
            closedir(dp);
        }
        close(rn->tmp_fd);
        rn->tmp_fd = -1;
        if (rmdir(rn->tmp) < 0)
            ok = -1;
    }
    return ok;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run gnuplot -d charts.gp in the private directory and wait for it, at most
 * chart_limit_seconds. */
static int run_gnuplot(struct run *rn, const char *gnuplot, struct err *e)
{
    char *argv[] = { (char *)gnuplot, (char *)"-d", (char *)"charts.gp", NULL };
    /* A fixed environment: GNUPLOT_LIB, GNUTERM, FIT_SCRIPT and their kind
     * stay out; numbers are read as in C, text is UTF-8 (under plain C,
     * `set encoding utf8` warns that iconv cannot convert the degree sign). */
    char *envp[] = { (char *)"LC_ALL=C.UTF-8", (char *)"PATH=/usr/bin:/bin", NULL };
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0)
        rc = posix_spawn_file_actions_addchdir_np(&fa, rn->tmp);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 2, "gnuplot.err",
                                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    if (rc == 0)
        rc = posix_spawn(&pid, gnuplot, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return err_at(e, rc == ENOENT ? EXIT_USAGE : EXIT_INTERNAL, gnuplot, 0, 0,
                      "cannot run gnuplot: %s", strerror(rc));

    double deadline = now_s() + chart_limit_seconds;
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            int err = errno;
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "cannot wait for gnuplot: %s",
                          strerror(err));
        }
        if (now_s() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "gnuplot ran past %u s",
                          chart_limit_seconds);
        }
        struct timespec nap = { 0, 10 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;

    /* gnuplot stops at its first error: the first chart not written is the one. */
    const char *chart = "the charts";
    struct stat st;
    for (unsigned i = 0; i < rn->n_outs; i++)
        if (fstatat(rn->tmp_fd, rn->outs[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_size == 0 ||
            i + 1 == rn->n_outs) {
            chart = rn->outs[i];
            break;
        }
    char line[160];
    first_error_line(rn->tmp_fd, line);
    if (WIFSIGNALED(status))
        return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "gnuplot killed by signal %d drawing %s",
                      WTERMSIG(status), chart);
    return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "gnuplot failed drawing %s (exit %d)%s%s", chart,
                  WEXITSTATUS(status), line[0] ? ": " : "", line);
}

/* Move the SVGs into the output directory (same filesystem: rename(2)). */
static int move_outputs(struct run *rn, struct err *e)
{
    struct stat st;
    for (unsigned i = 0; i < rn->n_outs; i++) {
        if (fstatat(rn->tmp_fd, rn->outs[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode) || st.st_size == 0) {
            char line[160];
            first_error_line(rn->tmp_fd, line);
            return err_at(e, EXIT_INTERNAL, NULL, 0, 0, "gnuplot wrote no %s%s%s", rn->outs[i],
                          line[0] ? ": " : "", line);
        }
        if (renameat(rn->tmp_fd, rn->outs[i], rn->dir_fd, rn->outs[i]) < 0)
            return err_at(e, EXIT_INTERNAL, rn->dir, 0, 0, "cannot write %s: %s", rn->outs[i],
                          strerror(errno));
    }
    return 0;
}

/* ---- public ---- */

const char *chart_gnuplot(void)
{
    static char found[4096];
    struct stat st;
    const char *env = getenv("TEMPO_GNUPLOT");
    if (env && env[0])
        return stat(env, &st) == 0 && S_ISREG(st.st_mode) && access(env, X_OK) == 0 ? env : NULL;
    const char *path = getenv("PATH");
    struct span rest = span_of(path && path[0] ? path : "/usr/local/bin:/usr/bin:/bin"), d;
    while (rest.n) {
        span_cut(&rest, ':', &d);
        /* An empty entry means the working directory: not a place to run from. */
        if (d.n == 0 || d.p[0] != '/' || d.n + sizeof "/gnuplot" > sizeof found)
            continue;
        memcpy(found, d.p, d.n);
        memcpy(found + d.n, "/gnuplot", sizeof "/gnuplot");
        if (stat(found, &st) == 0 && S_ISREG(st.st_mode) && access(found, X_OK) == 0)
            return found;
    }
    return NULL;
}

int chart_draw(const struct rules *r, const struct analysis *an, const struct verdict_result *vr,
               const char *dir, struct arena *a, struct chart_set *out, struct err *e)
{
    (void)vr; /* the per-site figures are in an->sites */
    out->dir = dir;
    out->tempo[0] = out->cost[0] = 0;
    out->n_sites = an->n_sites;
    out->sites = arena_alloc(a, (an->n_sites ? an->n_sites : 1) * sizeof *out->sites);

    unsigned curves[LIMIT_CHART_CURVES], costs[LIMIT_CHART_SITES];
    unsigned n_curves = 0, n_costs = 0, n_site_charts = 0;
    for (unsigned i = 0; i < an->n_sites; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (s->calls && n_curves < LIMIT_CHART_CURVES)
            curves[n_curves++] = i;
        if (s->has_cost && n_costs < LIMIT_CHART_SITES)
            costs[n_costs++] = i;
        if (i < LIMIT_CHART_SITES)
            n_site_charts += (s->has_wait && s->reads) + (s->calls > 0);
    }
    if (n_curves + n_costs + n_site_charts == 0)
        return 0;

    const char *gnuplot = chart_gnuplot();
    if (!gnuplot)
        return err_at(e, EXIT_USAGE, NULL, 0, 0,
                      "gnuplot not found: install gnuplot-nox (apt-get install gnuplot-nox), "
                      "or pass --no-charts");

    struct run rn = { .dir = dir, .tmp_fd = -1, .dir_fd = -1 };
    buf_init(&rn.data.b, CHART_FILE_MAX);
    buf_init(&rn.gp.b, CHART_FILE_MAX);
    rn.outs = arena_alloc(a, (2 + n_site_charts) * sizeof *rn.outs);
    int rc = -1;

    size_t dn = strlen(dir);
    static const char tmpl[] = "/.tempo-charts-XXXXXX";
    rn.tmp = arena_alloc(a, dn + sizeof tmpl);
    memcpy(rn.tmp, dir, dn);
    if (dn && dir[dn - 1] == '/')
        memcpy(rn.tmp + dn, tmpl + 1, sizeof tmpl - 1);
    else
        memcpy(rn.tmp + dn, tmpl, sizeof tmpl);
    rn.dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rn.dir_fd < 0) {
        err_at(e, EXIT_INTERNAL, dir, 0, 0, "cannot open directory: %s", strerror(errno));
        goto done;
    }
    if (!mkdtemp(rn.tmp)) {
        err_at(e, EXIT_INTERNAL, dir, 0, 0, "cannot create a temporary directory: %s",
               strerror(errno));
        goto done;
    }
    rn.tmp_fd = open(rn.tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rn.tmp_fd < 0) {
        err_at(e, EXIT_INTERNAL, rn.tmp, 0, 0, "cannot open directory: %s", strerror(errno));
        rmdir(rn.tmp);
        goto done;
    }

    if (n_curves && chart_tempo(&rn, r, an, curves, n_curves, e) < 0)
        goto done;
    for (unsigned i = 0; i < an->n_sites && i < LIMIT_CHART_SITES; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (s->has_wait && s->reads && chart_wait(&rn, r, s, i + 1, e) < 0)
            goto done;
        if (s->calls && chart_week(&rn, an, s, i + 1, e) < 0)
            goto done;
    }
    if (n_costs && chart_cost(&rn, an, costs, n_costs, e) < 0)
        goto done;
    put(&rn.gp, "unset output\n");
    if (check_script(&rn.gp.b, e) < 0 || write_file(&rn, "charts.gp", &rn.gp, e) < 0)
        goto done;
    if (run_gnuplot(&rn, gnuplot, e) < 0 || move_outputs(&rn, e) < 0)
        goto done;

    if (n_curves)
        snprintf(out->tempo, CHART_NAME, "tempo-curve.svg");
    if (n_costs)
        snprintf(out->cost, CHART_NAME, "cost.svg");
    for (unsigned i = 0; i < an->n_sites && i < LIMIT_CHART_SITES; i++) {
        const struct analysis_site *s = &an->sites[i];
        if (s->has_wait && s->reads)
            snprintf(out->sites[i].wait, CHART_NAME, "wait-%u.svg", i + 1);
        if (s->calls)
            snprintf(out->sites[i].week, CHART_NAME, "week-%u.svg", i + 1);
    }
    rc = 0;
done:
    if (rn.tmp_fd >= 0 && remove_tmp(&rn) < 0 && rc == 0)
        rc = err_at(e, EXIT_INTERNAL, rn.tmp, 0, 0, "cannot remove the temporary directory");
    if (rn.dir_fd >= 0)
        close(rn.dir_fd);
    buf_release(&rn.data.b);
    buf_release(&rn.gp.b);
    return rc;
}
