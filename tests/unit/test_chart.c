/*
 * test_chart.c - the charts drawn by the real gnuplot from a hand-built
 * analysis: every file an SVG without script, names cleaned (cut, U+FFFD,
 * quotes, backslashes) and escaped, hostile names inert, the script free of
 * input, and gnuplot missing, failing or too slow (issue 5, Safety).
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chart.h"
#include "test.h"

static char pwned[3][64];

/* ---- files ---- */

static bool slurp(const char *dir, const char *name, struct buf *b)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    buf_reset(b);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char chunk[8192];
    size_t n;
    bool ok = true;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_add(b, chunk, n) < 0)
            ok = false;
    fclose(f);
    return ok;
}

static bool exists(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static bool find(const struct buf *b, const char *needle, bool nocase)
{
    size_t n = strlen(needle);
    for (size_t i = 0; b->len >= n && i <= b->len - n; i++) {
        size_t k = 0;
        while (k < n &&
               (nocase ? (b->p[i + k] | 0x20) == (needle[k] | 0x20) : b->p[i + k] == needle[k]))
            k++;
        if (k == n)
            return true;
    }
    return false;
}

static bool has(const struct buf *b, const char *needle) { return find(b, needle, false); }

static bool valid_utf8(const struct buf *b)
{
    const unsigned char *p = (const unsigned char *)b->p;
    for (size_t i = 0; i < b->len;) {
        unsigned c = p[i], len = c < 0x80                 ? 1
                                 : c >= 0xC2 && c <= 0xDF ? 2
                                 : c >= 0xE0 && c <= 0xEF ? 3
                                 : c >= 0xF0 && c <= 0xF4 ? 4
                                                          : 0;
        if (len == 0 || i + len > b->len)
            return false;
        for (unsigned k = 1; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

/* Entries of `dir` whose name starts with `prefix`. */
static unsigned count_entries(const char *dir, const char *prefix)
{
    unsigned n = 0;
    DIR *dp = opendir(dir);
    if (!dp)
        return 999;
    for (struct dirent *de; (de = readdir(dp));)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 && strcmp(de->d_name, ".") &&
            strcmp(de->d_name, ".."))
            n++;
    closedir(dp);
    return n;
}

static void remove_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    char path[512];
    if (!dp)
        return;
    for (struct dirent *de; (de = readdir(dp));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(dp);
    rmdir(dir);
}

static void new_dir(char out[64])
{
    snprintf(out, 64, "/tmp/tempo-chart-test-XXXXXX");
    if (!mkdtemp(out))
        out[0] = 0;
}

/* An SVG gnuplot wrote, holding no script; *b keeps its text. */
static void check_svg(const char *dir, const char *name, struct buf *b)
{
    bool ok = slurp(dir, name, b);
    CHECK(ok);
    if (!ok) {
        printf("  missing %s\n", name);
        return;
    }
    CHECK((b->len >= 5 && memcmp(b->p, "<?xml", 5) == 0) ||
          (b->len >= 4 && memcmp(b->p, "<svg", 4) == 0));
    CHECK(has(b, "</svg>"));
    CHECK(has(b, "viewBox") || (has(b, "width=") && has(b, "height=")));
    CHECK(!find(b, "<script", true));
    CHECK(valid_utf8(b));
}

/* ---- the analysis ---- */

static void site_fill(struct analysis_site *s, struct span name, uint64_t calls, bool reads,
                      bool cost)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    s->calls = calls;
    s->reads = reads ? calls / 2 : 0;
    s->has_wait = reads;
    for (unsigned k = 0; k < ANALYSIS_CURVE_POINTS; k++)
        s->tempo_curve[k] = calls ? 0.4 + 0.09 * k : 0;
    for (unsigned k = 0; k < ANALYSIS_CDF_POINTS; k++)
        s->wait_cdf_us[k] = reads ? (int64_t)k * k * k * 60 * 1000 : 0; /* 0 .. 16.7 h */
    for (unsigned h = 0; h < ANALYSIS_WEEK_HOURS && calls; h++) {
        s->calls_by_hour[h] = h % 24 >= 6 && h % 24 < 18 ? 10 + h % 7 : 0;
        s->reads_by_hour[h] = reads && h % 24 == 8 ? 50 : 0;
    }
    s->has_cost = cost;
    s->monthly_now = cost ? 1200.5 : 0;
    s->monthly_target = cost ? 600.25 : 0;
}

static struct rules rules_fixture(void)
{
    struct rules r = { 0 };
    r.path = "t.rules";
    r.delay_us = 3600 * INT64_C(1000000);
    r.confidence = 0.99;
    return r;
}

/* Names cleaned and escaped, the files each kind of site gets, the set filled. */
static void test_draw(struct buf *b)
{
    char dir[64], xs[101], ys[80];
    new_dir(dir);
    CHECK(dir[0]);
    memset(xs, 'x', 100);
    xs[100] = 0;
    memset(ys, 'y', 56);
    memcpy(ys + 56, "\xC3\xA9\xC3\xA9\xC3\xA9", 7); /* "ééé": the cut falls inside one */
    static const char odd[] = "\"quoted\" back\\101slash \xFF bad";
    struct analysis_site sites[9];
    site_fill(&sites[0], SPAN_LIT("chat & search"), 500, true, true);
    site_fill(&sites[1], SPAN_LIT("summarize <b>"), 300, true, true);
    sites[1].has_by = true;
    sites[1].by = SPAN_LIT("team-a");
    site_fill(&sites[2], SPAN_LIT("nightly"), 200, false, false);
    site_fill(&sites[3], SPAN_LIT("idle"), 0, false, true);
    site_fill(&sites[4], (struct span){ xs, 100 }, 10, false, false);
    site_fill(&sites[5], (struct span){ odd, sizeof odd - 1 }, 10, false, false);
    site_fill(&sites[6], SPAN_LIT(""), 10, false, false);
    site_fill(&sites[7], (struct span){ ys, 62 }, 10, false, false);
    site_fill(&sites[8], SPAN_LIT("  \n\t "), 10, false, false);
    struct analysis an = {
        .sites = sites, .n_sites = 9, .has_utc_offset = true, .utc_offset_s = 7200
    };
    struct rules r = rules_fixture();
    struct verdict_result vr = { 0 };
    struct arena *a = arena_new(1 << 16);
    struct chart_set cs;
    struct err e = { 0 };

    unsetenv("TEMPO_GNUPLOT");
    int rc = chart_draw(&r, &an, &vr, dir, a, &cs, &e);
    CHECK_INT(rc, 0);
    if (rc)
        printf("  chart_draw: %s\n", e.msg);
    CHECK_STR(cs.dir, dir);
    CHECK_STR(cs.tempo, "tempo-curve.svg");
    CHECK_STR(cs.cost, "cost.svg");
    CHECK_INT(cs.n_sites, 9);
    CHECK_STR(cs.sites[0].wait, "wait-1.svg");
    CHECK_STR(cs.sites[1].wait, "wait-2.svg");
    CHECK_STR(cs.sites[2].wait, "");
    CHECK_STR(cs.sites[2].week, "week-3.svg");
    CHECK_STR(cs.sites[3].week, ""); /* no calls: nothing but its cost */
    CHECK_STR(cs.sites[3].wait, "");
    CHECK_STR(cs.sites[8].week, "week-9.svg");
    CHECK_INT(count_entries(dir, ".tempo-charts"), 0);
    /* 1 tempo + 1 cost + 2 wait + 8 week */
    CHECK_INT(count_entries(dir, ""), 12);
    CHECK(!exists(dir, "wait-3.svg"));
    CHECK(!exists(dir, "week-4.svg"));

    check_svg(dir, "tempo-curve.svg", b);
    CHECK(has(b, "Tempo curve: share of results that tolerate each delay"));
    CHECK(has(b, ">chat &amp; search<"));
    CHECK(has(b, ">summarize &lt;b> [team-a]<"));
    CHECK(!has(b, "idle")); /* no calls, no curve */
    CHECK(has(b, "confidence 99%"));
    CHECK(has(b, ">1w<") && has(b, ">15m<"));
    /* 100 x: cut to 57 and "...", 60 bytes in all */
    char want[80];
    memset(want, 'x', 57);
    memcpy(want + 57, "...<", 5);
    CHECK(has(b, want));
    CHECK(!has(b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")); /* 58 */
    /* 56 y + "é" would pass 57 bytes: the cut keeps the character whole */
    memset(want, 'y', 56);
    memcpy(want + 56, "...<", 5);
    CHECK(has(b, want));
    /* '"' as '\'', a backslash kept as one (not read as an escape), bad byte as U+FFFD */
    CHECK(has(b, ">'quoted' back\\101slash \xEF\xBF\xBD bad<"));
    CHECK(has(b, ">(empty)<"));

    check_svg(dir, "cost.svg", b);
    CHECK(has(b, "Monthly cost now and after the migration"));
    CHECK(has(b, "chat &amp; search"));
    CHECK(has(b, "summarize &lt;b> [team-a]"));
    CHECK(has(b, "idle")); /* priced, even without calls */
    CHECK(!has(b, "nightly"));
    CHECK(has(b, "USD a month"));

    check_svg(dir, "wait-1.svg", b);
    CHECK(has(b, "Wait before first read (CDF)"));
    CHECK(has(b, "delay 1h"));
    CHECK(has(b, "chat &amp; search"));
    check_svg(dir, "wait-2.svg", b);
    check_svg(dir, "week-1.svg", b);
    CHECK(has(b, "Calls and first reads by hour of the week"));
    CHECK(has(b, "hour of the week (UTC+02:00)"));
    CHECK(has(b, ">Mon<") && has(b, ">Sun<"));
    CHECK(has(b, "first reads"));
    for (unsigned i = 2; i <= 9; i++) {
        char name[32];
        snprintf(name, sizeof name, "week-%u.svg", i);
        if (i != 4)
            check_svg(dir, name, b);
    }

    /* Drawn again into the same directory: files replaced, UTC when no offset. */
    an.has_utc_offset = false;
    rc = chart_draw(&r, &an, &vr, dir, a, &cs, &e);
    CHECK_INT(rc, 0);
    check_svg(dir, "week-1.svg", b);
    CHECK(has(b, "hour of the week (UTC)"));
    CHECK_INT(count_entries(dir, ".tempo-charts"), 0);
    CHECK_INT(count_entries(dir, ""), 12);

    /* Nothing priced: no cost chart. */
    for (unsigned i = 0; i < 9; i++)
        sites[i].has_cost = false;
    remove_dir(dir);
    new_dir(dir);
    rc = chart_draw(&r, &an, &vr, dir, a, &cs, &e);
    CHECK_INT(rc, 0);
    CHECK_STR(cs.cost, "");
    CHECK(!exists(dir, "cost.svg"));
    CHECK(exists(dir, "tempo-curve.svg"));
    remove_dir(dir);
    arena_free(a);
}

/* Hostile names: nothing runs, nothing live reaches the SVG, the charts are drawn. */
static void hostile_sites(struct analysis_site sites[6], char names[5][160])
{
    int pid = (int)getpid();
    snprintf(names[0], 160, "`touch %s`\nset output '|touch %s'", pwned[0], pwned[2]);
    snprintf(names[1], 160, "<script>alert(1)</script>");
    snprintf(names[2], 160, "| rm -rf /tmp/tempo-chart-x-%d", pid);
    snprintf(names[3], 160, "=cmd|'/c calc'!A0");
    snprintf(names[4], 160, "\"; system(\"touch %s\")", pwned[1]);
    for (unsigned i = 0; i < 5; i++)
        site_fill(&sites[i], span_of(names[i]), 100 + i, true, true);
    site_fill(&sites[5], SPAN_LIT("plain"), 50, true, true);
    sites[5].has_by = true;
    sites[5].by = SPAN_LIT("ops\nplot '<touch /tmp/x'");
}

static void test_hostile(struct buf *b)
{
    char dir[64], names[5][160];
    struct analysis_site sites[6];
    new_dir(dir);
    hostile_sites(sites, names);
    for (unsigned i = 0; i < 3; i++)
        unlink(pwned[i]);
    struct analysis an = { .sites = sites, .n_sites = 6 };
    struct rules r = rules_fixture();
    struct verdict_result vr = { 0 };
    struct arena *a = arena_new(1 << 16);
    struct chart_set cs;
    struct err e = { 0 };
    int rc = chart_draw(&r, &an, &vr, dir, a, &cs, &e);
    CHECK_INT(rc, 0);
    if (rc)
        printf("  chart_draw: %s\n", e.msg);
    for (unsigned i = 0; i < 3; i++)
        CHECK(access(pwned[i], F_OK) != 0);
    CHECK_INT(count_entries(dir, ".tempo-charts"), 0);
    CHECK_INT(count_entries(dir, ""), 2 + 6 + 6);

    check_svg(dir, "tempo-curve.svg", b);
    CHECK(has(b, "&lt;script>alert(1)&lt;/script>"));
    CHECK(has(b, "set output '|touch")); /* shown as text, on the name's one line */
    CHECK(has(b, "=cmd|'/c calc'!A0"));
    CHECK(has(b, "'; system('touch"));
    CHECK(has(b, ">plain [ops plot '&lt;touch /tmp/x']<"));
    check_svg(dir, "cost.svg", b);
    CHECK(has(b, "&lt;script>alert(1)&lt;/script>"));
    for (unsigned i = 1; i <= 6; i++) {
        char name[32];
        snprintf(name, sizeof name, "wait-%u.svg", i);
        check_svg(dir, name, b);
        snprintf(name, sizeof name, "week-%u.svg", i);
        check_svg(dir, name, b);
    }
    remove_dir(dir);
    arena_free(a);
}

/* What gnuplot is given: a script of Tempo's own words, names only in data
 * files, each on its row. A stand-in gnuplot copies them out and fails. */
static void test_script(struct buf *b)
{
    char dir[64], cap[64], fake[128], names[5][160];
    struct analysis_site sites[6];
    new_dir(dir);
    new_dir(cap);
    snprintf(fake, sizeof fake, "%s/gnuplot", cap);
    FILE *f = fopen(fake, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f,
            "#!/bin/sh\n[ \"$1\" = -d ] && [ \"$2\" = charts.gp ] || exit 7\n"
            "cp charts.gp *.dat %s/\n"
            "printf '\\nplot foo\\n\"charts.gp\" line 2: warning: iconv\\n' >&2\n"
            "printf '\"charts.gp\" line 9: undefined variable: foo\\n\\n' >&2\nexit 1\n",
            cap);
    fclose(f);
    chmod(fake, 0700);
    setenv("TEMPO_GNUPLOT", fake, 1);
    hostile_sites(sites, names);
    struct analysis an = { .sites = sites, .n_sites = 6 };
    struct rules r = rules_fixture();
    struct verdict_result vr = { 0 };
    struct arena *a = arena_new(1 << 16);
    struct chart_set cs;
    struct err e = { 0 };
    int rc = chart_draw(&r, &an, &vr, dir, a, &cs, &e);
    CHECK_INT(rc, -1);
    CHECK_INT(e.exit_code, EXIT_INTERNAL);
    /* gnuplot's error line, not its warning nor the echoed command */
    CHECK_STR(e.msg, "gnuplot failed drawing tempo-curve.svg (exit 1): \"charts.gp\" line 9: "
                     "undefined variable: foo");
    CHECK_INT(count_entries(dir, ""), 0);
    CHECK_STR(cs.tempo, "");

    CHECK(slurp(cap, "charts.gp", b));
    bool clean = b->len > 0;
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->p[i];
        if ((c < 0x20 && c != '\n') || c > 0x7E || c == '`')
            clean = false;
    }
    CHECK(clean);
    CHECK(!has(b, "pwned") && !has(b, "script") && !has(b, "rm -rf") && !has(b, "calc"));
    CHECK(!has(b, "system") && !has(b, "plain") && !has(b, "ops"));
    CHECK(!has(b, dir)); /* the output directory is the user's: not in the script */
    CHECK(has(b, "title columnheader(2)") && has(b, "xticlabels(2)"));

    CHECK(slurp(cap, "tempo.dat", b));
    unsigned lines = 0, quotes = 0;
    bool balanced = true;
    for (size_t i = 0; i < b->len; i++) {
        quotes += b->p[i] == '"';
        if (b->p[i] == '\n') {
            lines++;
            balanced = balanced && quotes % 2 == 0;
            quotes = 0;
        }
    }
    CHECK_INT(lines, 1 + ANALYSIS_CURVE_POINTS);
    CHECK(balanced);
    char want[200];
    /* newline as a space, cut to 57 bytes and "..." (LIMIT_CHART_LABEL) */
    snprintf(want, sizeof want, "\"`touch %s` set output '|touch %s'", pwned[0], pwned[2]);
    memcpy(want + 1 + LIMIT_CHART_LABEL - 3, "...\"", 5);
    CHECK(has(b, want));
    CHECK(has(b, "\"'; system('touch"));
    CHECK(has(b, "\"plain [ops plot '<touch /tmp/x']\""));
    CHECK(b->len > 0 && b->p[0] == '"' && has(b, "\"delay_s\" \""));

    CHECK(slurp(cap, "cost.dat", b));
    CHECK(has(b, "2 \"<script>alert(1)</script>\" 1200.5 600.25\n"));
    CHECK(slurp(cap, "wait-6.dat", b));
    CHECK(has(b, "\"wait_s\" \"plain [ops plot '<touch /tmp/x']\"\n 1 0\n"));
    unsetenv("TEMPO_GNUPLOT");
    remove_dir(dir);
    remove_dir(cap);
    arena_free(a);
}

/* Degenerate figures still draw: no hour with a call, every wait under 1 s,
 * a cost of 0; a directory given with a final '/'; a 4-byte character that
 * does not fit before the cut. */
static void test_degenerate(struct buf *b)
{
    char dir[64], slash[80], name[64];
    new_dir(dir);
    snprintf(slash, sizeof slash, "%s/", dir);
    memset(name, 'z', 57);
    memcpy(name + 57, "\xF0\x9F\x98\x80", 4); /* U+1F600 */
    struct analysis_site site;
    site_fill(&site, (struct span){ name, 61 }, 5, true, true);
    memset(site.calls_by_hour, 0, sizeof site.calls_by_hour);
    memset(site.reads_by_hour, 0, sizeof site.reads_by_hour);
    memset(site.wait_cdf_us, 0, sizeof site.wait_cdf_us);
    site.monthly_now = site.monthly_target = 0;
    struct analysis an = { .sites = &site, .n_sites = 1 };
    struct rules r = rules_fixture();
    r.delay_us = 90 * INT64_C(1000000);
    struct verdict_result vr = { 0 };
    struct arena *a = arena_new(1 << 16);
    struct chart_set cs;
    struct err e = { 0 };
    int rc = chart_draw(&r, &an, &vr, slash, a, &cs, &e);
    CHECK_INT(rc, 0);
    if (rc)
        printf("  chart_draw: %s\n", e.msg);
    CHECK_INT(count_entries(dir, ""), 4);
    check_svg(dir, "tempo-curve.svg", b);
    char want[80];
    memset(want, 'z', 57);
    memcpy(want + 57, "...<", 5);
    CHECK(has(b, want));
    check_svg(dir, "cost.svg", b);
    check_svg(dir, "week-1.svg", b);
    check_svg(dir, "wait-1.svg", b);
    CHECK(has(b, "delay 90s"));
    remove_dir(dir);
    arena_free(a);
}

/* gnuplot missing, failing, too slow; no sites at all. */
static void test_failures(void)
{
    char dir[64], cap[64], fake[128];
    struct analysis_site sites[2];
    site_fill(&sites[0], SPAN_LIT("a"), 10, true, true);
    site_fill(&sites[1], SPAN_LIT("b"), 10, false, false);
    struct analysis an = { .sites = sites, .n_sites = 2 };
    struct rules r = rules_fixture();
    struct verdict_result vr = { 0 };
    struct arena *a = arena_new(1 << 16);
    struct chart_set cs;
    struct err e = { 0 };
    new_dir(dir);

    setenv("TEMPO_GNUPLOT", "/nonexistent", 1);
    CHECK(chart_gnuplot() == NULL);
    CHECK_INT(chart_draw(&r, &an, &vr, dir, a, &cs, &e), -1);
    CHECK_INT(e.exit_code, EXIT_USAGE);
    CHECK(strstr(e.msg, "gnuplot-nox") != NULL && strstr(e.msg, "--no-charts") != NULL);
    CHECK_INT(count_entries(dir, ""), 0);

    setenv("TEMPO_GNUPLOT", "/tmp", 1); /* not a program */
    CHECK(chart_gnuplot() == NULL);
    setenv("TEMPO_GNUPLOT", "/bin/false", 1);
    CHECK_STR(chart_gnuplot(), "/bin/false");
    e = (struct err){ 0 };
    CHECK_INT(chart_draw(&r, &an, &vr, dir, a, &cs, &e), -1);
    CHECK_INT(e.exit_code, EXIT_INTERNAL);
    CHECK_STR(e.msg, "gnuplot failed drawing tempo-curve.svg (exit 1)");
    CHECK_INT(count_entries(dir, ""), 0); /* no temp dir, no half-drawn chart */
    CHECK_STR(cs.sites[0].wait, "");

    new_dir(cap);
    snprintf(fake, sizeof fake, "%s/gnuplot", cap);
    FILE *f = fopen(fake, "w");
    CHECK(f != NULL);
    if (f) {
        fprintf(f, "#!/bin/sh\nexec sleep 30\n");
        fclose(f);
        chmod(fake, 0700);
        setenv("TEMPO_GNUPLOT", fake, 1);
        chart_limit_seconds = 1;
        e = (struct err){ 0 };
        CHECK_INT(chart_draw(&r, &an, &vr, dir, a, &cs, &e), -1);
        CHECK_INT(e.exit_code, EXIT_INTERNAL);
        CHECK_STR(e.msg, "gnuplot ran past 1 s");
        CHECK_INT(count_entries(dir, ""), 0);
        chart_limit_seconds = LIMIT_GNUPLOT_SECONDS;
    }
    remove_dir(cap);

    /* No sites: nothing drawn, gnuplot not even looked for. */
    setenv("TEMPO_GNUPLOT", "/nonexistent", 1);
    struct analysis none = { 0 };
    e = (struct err){ 0 };
    CHECK_INT(chart_draw(&r, &none, &vr, dir, a, &cs, &e), 0);
    CHECK_STR(cs.tempo, "");
    CHECK_STR(cs.cost, "");
    CHECK_INT(cs.n_sites, 0);
    CHECK_INT(count_entries(dir, ""), 0);
    /* Sites without calls, reads or cost: nothing to draw either. */
    site_fill(&sites[0], SPAN_LIT("a"), 0, false, false);
    an.n_sites = 1;
    CHECK_INT(chart_draw(&r, &an, &vr, dir, a, &cs, &e), 0);
    CHECK_STR(cs.sites[0].week, "");
    CHECK_INT(count_entries(dir, ""), 0);

    /* Found on PATH, never in an empty or relative entry. */
    unsetenv("TEMPO_GNUPLOT");
    char *path = getenv("PATH");
    char saved[4096];
    snprintf(saved, sizeof saved, "%s", path ? path : "");
    setenv("PATH", "/nonexistent::.:/usr/bin", 1);
    CHECK_STR(chart_gnuplot() ? chart_gnuplot() : "(null)", "/usr/bin/gnuplot");
    setenv("PATH", "/nonexistent:.", 1);
    CHECK(chart_gnuplot() == NULL);
    setenv("PATH", saved, 1);

    remove_dir(dir);
    arena_free(a);
}

int main(void)
{
    struct buf b;
    buf_init(&b, 64u << 20);
    for (unsigned i = 0; i < 3; i++)
        snprintf(pwned[i], sizeof pwned[i], "/tmp/pwned-chart%s-%d", i ? (i == 1 ? "2" : "3") : "",
                 (int)getpid());
    test_draw(&b);
    test_hostile(&b);
    test_script(&b);
    test_degenerate(&b);
    test_failures();
    buf_release(&b);
    return test_report();
}
