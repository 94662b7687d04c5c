/*
 * test_baseline.c - the baseline reader (decoders stage, decode_baseline.c): a
 * real report written by `tempo audit --format json` (the fuzz seeds) and a
 * small one by hand, read field by field; every shape error naming its JSON
 * path; syntax errors with line and column; every truncation of a report;
 * nesting at cJSON's limit and past it; numbers out of range; invalid UTF-8;
 * files that are empty, missing, a directory, or LIMIT_BASELINE bytes and one
 * more (sparse files).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "decode.h"
#include "limits.h"
#include "test.h"

#define SEEDS "tests/fuzz/corpus/baseline/"

/* Parse `text` from an exact-size heap copy (no NUL after it); the error as
 * err_format() prints it into msg, or "" on success. */
static int parse(const char *text, size_t n, struct arena *a, struct baseline *bl, char msg[300])
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, text, n);
    struct err e = { 0 };
    int rc = decode_baseline_parse("t.json", (struct span){ copy, n }, a, bl, &e);
    free(copy);
    msg[0] = 0;
    if (rc < 0) {
        err_format(&e, msg, 300);
        if (e.exit_code != EXIT_USAGE)
            snprintf(msg, 300, "exit %d", e.exit_code);
    }
    return rc;
}

static int parse_str(const char *text, struct arena *a, struct baseline *bl, char msg[300])
{
    return parse(text, strlen(text), a, bl, msg);
}

static void test_real_report(void)
{
    struct arena *a = arena_new(4096);
    struct baseline bl;
    struct err e = { 0 };
    char msg[300];
    /* build/tempo audit -r rules/demo.rules --format json tests/data/demo/... */
    int rc = decode_baseline(SEEDS "demo.json", a, &bl, &e);
    err_format(&e, msg, sizeof msg);
    CHECK_STR(rc == 0 ? "" : msg, "");
    CHECK_STR(bl.path, SEEDS "demo.json");
    CHECK_SPAN(bl.generated_at, "2026-11-24T20:30:23Z");
    CHECK_SPAN(bl.window_start, "2026-11-02T02:55:24Z");
    CHECK_SPAN(bl.window_end, "2026-11-15T22:04:05Z");
    CHECK_DBL(bl.delay_s, 3600, 0);
    CHECK_INT(bl.n_sites, 5);
    CHECK_INT(bl.n_findings, 3);
    if (bl.n_sites == 5) {
        const char *names[] = { "summary", "churn", "weekly", "fraud", "triage" };
        const char *verdicts[] = { "unused", "batch", "batch", "realtime", "streaming" };
        for (unsigned i = 0; i < 5; i++) {
            CHECK_SPAN(bl.sites[i].name, names[i]);
            CHECK_SPAN(bl.sites[i].verdict, verdicts[i]);
            CHECK(!bl.sites[i].has_by);
            CHECK_INT(bl.sites[i].by.n, 0);
        }
        CHECK(!bl.sites[0].has_p50_wait); /* "wait_s": null */
        CHECK_INT(bl.sites[0].calls, 104);
        CHECK(bl.sites[1].has_p50_wait);
        CHECK_DBL(bl.sites[1].p50_wait_s, 73492.965, 1e-9);
        CHECK_INT(bl.sites[1].calls, 240);
        CHECK(!bl.sites[1].kept);
        CHECK(bl.sites[3].kept);
        CHECK_DBL(bl.sites[4].p50_wait_s, 1439.687, 1e-9);
    }
    if (bl.n_findings == 3) {
        CHECK_SPAN(bl.findings[0].kind, "fake_urgency");
        CHECK_SPAN(bl.findings[0].site, "summary");
        CHECK(!bl.findings[0].has_by);
        CHECK_SPAN(bl.findings[2].site, "weekly");
    }

    /* A report of sites split by= (the OTLP sample with the default rules). */
    rc = decode_baseline(SEEDS "otlp_by.json", a, &bl, &e);
    CHECK_INT(rc, 0);
    CHECK_INT(bl.n_sites, 5);
    if (bl.n_sites == 5) {
        CHECK_SPAN(bl.sites[1].name, "genai");
        CHECK(bl.sites[1].has_by);
        CHECK_SPAN(bl.sites[1].by, "gpt-4o-mini");
        CHECK_SPAN(bl.sites[1].verdict, "batch");
        CHECK_DBL(bl.sites[1].p50_wait_s, 10800, 1e-9);
        CHECK(!bl.sites[3].has_by);
        CHECK_INT(bl.sites[3].calls, 0);
    }
    CHECK_INT(bl.n_findings, 2);
    if (bl.n_findings == 2) {
        CHECK(bl.findings[0].has_by);
        CHECK_SPAN(bl.findings[0].by, "gpt-4o-mini");
    }
    arena_free(a);
}

/* A small report: every field the gate reads, unknown ones around them. */
static const char small[] =
    "\xef\xbb\xbf{\"tempo\": 1, \"generated_at\": \"2026-11-22T10:00:00Z\", \"future\": {\"a\": "
    "[1, 2]},\n"
    " \"window\": {\"start\": null, \"end\": \"2026-11-23T00:00:00Z\", \"days\": 1},\n"
    " \"rules\": {\"file\": \"x.rules\", \"delay_s\": 1800.5, \"confidence\": 0.99},\n"
    " \"sites\": [\n"
    "  {\"name\": \"chat\", \"by\": \"gpt-4o\", \"verdict\": \"batch\", \"kept\": false,\n"
    "   \"calls\": 9007199254740992, \"wait_s\": {\"min\": 0, \"p50\": 0}, \"new\": null},\n"
    "  {\"name\": \"n\xff\xfe\\u00e9\", \"by\": null, \"verdict\": \"nightly\", \"kept\": true,\n"
    "   \"calls\": 0, \"wait_s\": null}\n"
    " ],\n"
    " \"findings\": [{\"kind\": \"drift\", \"site\": \"chat\", \"by\": \"gpt-4o\", \"x\": 1},\n"
    "              {\"kind\": \"fake_urgency\", \"site\": \"n\", \"by\": null}]}\n";

static void test_small_report(void)
{
    struct arena *a = arena_new(4096);
    struct baseline bl;
    char msg[300];
    CHECK_INT(parse(small, sizeof small - 1, a, &bl, msg), 0);
    CHECK_STR(msg, "");
    CHECK_SPAN(bl.generated_at, "2026-11-22T10:00:00Z");
    CHECK_SPAN(bl.window_start, "");
    CHECK_SPAN(bl.window_end, "2026-11-23T00:00:00Z");
    CHECK_DBL(bl.delay_s, 1800.5, 0);
    CHECK_INT(bl.n_sites, 2);
    if (bl.n_sites == 2) {
        CHECK_SPAN(bl.sites[0].name, "chat");
        CHECK(bl.sites[0].has_by);
        CHECK_SPAN(bl.sites[0].by, "gpt-4o");
        CHECK(bl.sites[0].has_p50_wait);
        CHECK_DBL(bl.sites[0].p50_wait_s, 0, 0);
        CHECK(bl.sites[0].calls == UINT64_C(9007199254740992));
        /* Invalid UTF-8 is kept as bytes; \u00e9 is decoded. */
        CHECK_SPAN(bl.sites[1].name, "n\xff\xfe\xc3\xa9");
        CHECK(!bl.sites[1].has_by);
        CHECK_SPAN(bl.sites[1].verdict, "nightly");
        CHECK(bl.sites[1].kept);
        CHECK(!bl.sites[1].has_p50_wait);
    }
    CHECK_INT(bl.n_findings, 2);
    if (bl.n_findings == 2) {
        CHECK_SPAN(bl.findings[0].kind, "drift");
        CHECK(bl.findings[0].has_by);
        CHECK_SPAN(bl.findings[0].by, "gpt-4o");
        CHECK(!bl.findings[1].has_by);
    }
    /* The spans live in the arena: the input's copy is freed already, and ASan
     * would see a read of it here. */
    size_t sum = 0;
    for (unsigned i = 0; i < bl.n_sites; i++)
        for (size_t k = 0; k < bl.sites[i].name.n; k++)
            sum += (unsigned char)bl.sites[i].name.p[k];
    CHECK(sum > 0);

    /* Every truncation of it is refused, with exit 2 and a message. */
    unsigned refused = 0;
    for (size_t n = 0; n < sizeof small - 2; n++) {
        if (parse(small, n, a, &bl, msg) < 0 && strncmp(msg, "t.json", 6) == 0 && bl.n_sites == 0 &&
            bl.n_findings == 0)
            refused++;
        else
            printf("FAIL truncation at %zu: \"%s\"\n", n, msg);
    }
    CHECK_INT(refused, sizeof small - 2);
    /* Cut inside a string or before the objects close: said so, at the end. */
    CHECK_INT(parse(small, 28, a, &bl, msg), -1); /* the BOM's 3 bytes are columns */
    CHECK_STR(msg, "t.json:1:17: string not closed: the JSON ends inside it (a report cut "
                   "short?)");
    CHECK_INT(parse(small, 30, a, &bl, msg), -1);
    CHECK_STR(msg, "t.json:1:31: the JSON ends before its objects are closed (a report cut "
                   "short?)");
    arena_free(a);
}

/* A valid report with `site` as the one entry of "sites" and `finding` as that
 * of "findings", for the shape table. */
static void report_with(char *out, size_t cap, const char *site, const char *finding)
{
    snprintf(out, cap,
             "{\"tempo\": 1, \"rules\": {\"delay_s\": 3600}, \"sites\": [{\"name\": \"ok\", "
             "\"by\": null, \"verdict\": \"batch\", \"kept\": false, \"wait_s\": null, "
             "\"calls\": 1}, %s], \"findings\": [%s]}",
             site, finding);
}

#define SITE(fields) "{\"name\": \"a\", \"verdict\": \"batch\", \"kept\": false, " fields "}"
#define FINDING "{\"kind\": \"fake_urgency\", \"site\": \"a\", \"by\": null}"

static void test_shapes(void)
{
    static const struct {
        const char *site, *finding, *want;
    } rows[] = {
        { SITE("\"by\": null, \"wait_s\": null, \"calls\": 3"), FINDING, "" },
        { SITE("\"wait_s\": null, \"calls\": 3"), FINDING, "" }, /* by absent: null */
        { "{\"verdict\": \"batch\", \"kept\": false, \"wait_s\": null, \"calls\": 1}", FINDING,
          "t.json: sites[1].name: missing (expected a string)" },
        { "{\"name\": 7, \"verdict\": \"batch\", \"kept\": false, \"wait_s\": null, \"calls\": 1}",
          FINDING, "t.json: sites[1].name: expected a string, got a number" },
        { "{\"name\": \"a\", \"verdict\": 3, \"kept\": false, \"wait_s\": null, \"calls\": 1}",
          FINDING, "t.json: sites[1].verdict: expected a string, got a number" },
        { "{\"name\": \"a\", \"kept\": false, \"wait_s\": null, \"calls\": 1}", FINDING,
          "t.json: sites[1].verdict: missing (expected a string)" },
        { SITE("\"by\": 5, \"wait_s\": null, \"calls\": 1"), FINDING,
          "t.json: sites[1].by: expected a string or null, got a number" },
        { "{\"name\": \"a\", \"verdict\": \"b\", \"kept\": \"no\", \"wait_s\": null, \"calls\": 1}",
          FINDING, "t.json: sites[1].kept: expected true or false, got a string" },
        { "{\"name\": \"a\", \"verdict\": \"b\", \"wait_s\": null, \"calls\": 1}", FINDING,
          "t.json: sites[1].kept: missing (expected true or false)" },
        { SITE("\"calls\": 1"), FINDING,
          "t.json: sites[1].wait_s: missing (expected an object or null)" },
        { SITE("\"wait_s\": 5, \"calls\": 1"), FINDING,
          "t.json: sites[1].wait_s: expected an object or null, got a number" },
        { SITE("\"wait_s\": {}, \"calls\": 1"), FINDING,
          "t.json: sites[1].wait_s.p50: missing (expected a number)" },
        { SITE("\"wait_s\": {\"p50\": \"1h\"}, \"calls\": 1"), FINDING,
          "t.json: sites[1].wait_s.p50: expected a number, got a string" },
        { SITE("\"wait_s\": {\"p50\": -0.5}, \"calls\": 1"), FINDING,
          "t.json: sites[1].wait_s.p50: expected a number from 0, got -0.5" },
        { SITE("\"wait_s\": {\"p50\": 1e999}, \"calls\": 1"), FINDING,
          "t.json: sites[1].wait_s.p50: expected a number from 0, got inf" },
        { SITE("\"wait_s\": null"), FINDING,
          "t.json: sites[1].calls: missing (expected a number)" },
        { SITE("\"wait_s\": null, \"calls\": true"), FINDING,
          "t.json: sites[1].calls: expected a number, got a boolean" },
        { SITE("\"wait_s\": null, \"calls\": -1"), FINDING,
          "t.json: sites[1].calls: expected a whole number from 0, got -1" },
        { SITE("\"wait_s\": null, \"calls\": 2.5"), FINDING,
          "t.json: sites[1].calls: expected a whole number from 0, got 2.5" },
        { SITE("\"wait_s\": null, \"calls\": 1e20"), FINDING,
          "t.json: sites[1].calls: expected a whole number from 0, got 1e+20" },
        { SITE("\"wait_s\": null, \"calls\": 18446744073709551615"), FINDING,
          "t.json: sites[1].calls: expected a whole number from 0, got 1.8446744073709552e+19" },
        { SITE("\"wait_s\": null, \"calls\": 18446744073709549568"), FINDING, "" },
        { "[]", FINDING, "t.json: sites[1]: expected an object, got an array" },
        { "null", FINDING, "t.json: sites[1]: expected an object, got null" },
        { SITE("\"wait_s\": null, \"calls\": 1"), "{\"site\": \"a\"}",
          "t.json: findings[0].kind: missing (expected a string)" },
        { SITE("\"wait_s\": null, \"calls\": 1"), "{\"kind\": \"drift\", \"site\": false}",
          "t.json: findings[0].site: expected a string, got a boolean" },
        { SITE("\"wait_s\": null, \"calls\": 1"),
          "{\"kind\": \"drift\", \"site\": \"a\", \"by\": {}}",
          "t.json: findings[0].by: expected a string or null, got an object" },
        { SITE("\"wait_s\": null, \"calls\": 1"), FINDING ", 4",
          "t.json: findings[1]: expected an object, got a number" },
    };
    struct arena *a = arena_new(4096);
    struct baseline bl;
    char text[1024], msg[300];
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        report_with(text, sizeof text, rows[i].site, rows[i].finding);
        int rc = parse_str(text, a, &bl, msg);
        CHECK_STR(msg, rows[i].want);
        CHECK_INT(rc, rows[i].want[0] ? -1 : 0);
        if (rows[i].want[0])
            CHECK(bl.n_sites == 0 && bl.n_findings == 0 && bl.sites == NULL);
    }

    static const struct {
        const char *text, *want;
    } tops[] = {
        { "{\"tempo\": 1, \"rules\": {\"delay_s\": 60}, \"sites\": [], \"findings\": []}", "" },
        { "{\"tempo\": 1, \"rules\": {\"delay_s\": 60}, \"sites\": {}, \"findings\": []}",
          "t.json: sites: expected an array, got an object" },
        { "{\"tempo\": 1, \"rules\": {\"delay_s\": 60}, \"findings\": []}",
          "t.json: sites: missing (expected an array)" },
        { "{\"tempo\": 1, \"rules\": {\"delay_s\": 60}, \"sites\": []}",
          "t.json: findings: missing (expected an array)" },
        { "{\"tempo\": 1, \"sites\": [], \"findings\": []}",
          "t.json: rules: missing (expected an object)" },
        { "{\"tempo\": 1, \"rules\": {\"delay_s\": \"1h\"}, \"sites\": [], \"findings\": []}",
          "t.json: rules.delay_s: expected a number, got a string" },
        { "{\"tempo\": 1, \"rules\": {\"delay_s\": -60}, \"sites\": [], \"findings\": []}",
          "t.json: rules.delay_s: expected a number from 0, got -60" },
        { "{\"tempo\": 1, \"rules\": {}, \"sites\": [], \"findings\": []}",
          "t.json: rules.delay_s: missing (expected a number)" },
        { "{\"tempo\": 1, \"window\": 3, \"rules\": {\"delay_s\": 60}, \"sites\": [], "
          "\"findings\": []}",
          "t.json: window: expected an object, got a number" },
        { "{\"tempo\": 1, \"window\": {\"start\": 5}, \"rules\": {\"delay_s\": 60}, \"sites\": [], "
          "\"findings\": []}",
          "t.json: window.start: expected a string or null, got a number" },
        { "{\"tempo\": 1, \"generated_at\": 5, \"rules\": {\"delay_s\": 60}, \"sites\": [], "
          "\"findings\": []}",
          "t.json: generated_at: expected a string or null, got a number" },
        /* not a Tempo report */
        { "[1, 2]", "t.json: not a Tempo report (an array, not a JSON object)" },
        { "\"tempo\"", "t.json: not a Tempo report (a string, not a JSON object)" },
        { "{}", "t.json: not a Tempo report (no \"tempo\": 1)" },
        { "{\"sites\": [], \"findings\": []}", "t.json: not a Tempo report (no \"tempo\": 1)" },
        { "{\"tempo\": \"1\"}", "t.json: not a Tempo report (no \"tempo\": 1)" },
        { "{\"tempo\": 0}", "t.json: not a Tempo report (no \"tempo\": 1)" },
        { "{\"tempo\": 1.5}", "t.json: not a Tempo report (no \"tempo\": 1)" },
        { "{\"tempo\": 1e999}", "t.json: not a Tempo report (no \"tempo\": 1)" },
        { "{\"tempo\": 2, \"sites\": 5}",
          "t.json: written by a newer tempo (schema 2); this one reads schema 1" },
        { "{\"tempo\": 17}",
          "t.json: written by a newer tempo (schema 17); this one reads schema 1" },
        /* empty */
        { "", "t.json: empty file, not a Tempo report" },
        { " \n\t\r\n", "t.json: empty file, not a Tempo report" },
        /* syntax: line and column */
        { "{\n  \"tempo\": 1,\n  \"x\": tru\n}", "t.json:3:8: not valid JSON near 'tru'" },
        { "{\n  \"tempo\": 1,\n  \"rules\": {\"delay_s\": 3600,}\n}",
          "t.json:3:29: not valid JSON near '}'" },
        { "{\"a\" 1}", "t.json:1:6: not valid JSON near '1}'" },
        { "{\"a\": [1 2]}", "t.json:1:10: not valid JSON near '2]}'" },
        { "{\"a\": 1}\n\n  x", "t.json:3:3: unexpected text after the JSON document near 'x'" },
        { "{\"a\": 1} {\"b\": 2}",
          "t.json:1:10: unexpected text after the JSON document near '{\"b\": 2}'" },
        { "{\"a\": \x01}", "t.json:1:8: not valid JSON near '}'" }, /* cJSON: a space */
        { "nul", "t.json:1:1: not valid JSON near 'nul'" },
        { "{\"tempo\": 1, \"x\": \"abc", "t.json:1:19: string not closed: the JSON ends inside "
                                         "it (a report cut short?)" },
    };
    for (unsigned i = 0; i < sizeof tops / sizeof tops[0]; i++) {
        int rc = parse_str(tops[i].text, a, &bl, msg);
        CHECK_STR(msg, tops[i].want);
        CHECK_INT(rc, tops[i].want[0] ? -1 : 0);
    }
    /* A NUL byte before the end is not the end. */
    CHECK_INT(parse("{\"tempo\": 1}\0x", 14, a, &bl, msg), -1);
    CHECK_STR(msg, "t.json:1:13: unexpected text after the JSON document near '?x'");
    arena_free(a);
}

/* '[' x depth then ']' x depth inside {"tempo": 1, "x": ...}. */
static char *nested(unsigned depth, size_t *n)
{
    static const char head[] = "{\"tempo\": 1, \"x\": ";
    size_t h = sizeof head - 1, len = h + 2 * (size_t)depth + 1;
    char *p = malloc(len);
    memcpy(p, head, h);
    memset(p + h, '[', depth);
    memset(p + h + depth, ']', depth);
    p[len - 1] = '}';
    *n = len;
    return p;
}

static void test_nesting(void)
{
    struct arena *a = arena_new(4096);
    struct baseline bl;
    char msg[300];
    size_t n;
    /* The root object is level 1: 999 arrays in it reach cJSON's 1000. */
    char *p = nested(999, &n);
    CHECK_INT(parse(p, n, a, &bl, msg), -1);
    CHECK_STR(msg, "t.json: rules: missing (expected an object)"); /* parsed: the shape fails */
    free(p);
    p = nested(1000, &n);
    CHECK_INT(parse(p, n, a, &bl, msg), -1);
    CHECK_STR(msg, "t.json:1:1018: JSON nested deeper than 1000 levels");
    free(p);
    p = nested(10000, &n);
    CHECK_INT(parse(p, n, a, &bl, msg), -1);
    CHECK_STR(msg, "t.json:1:1018: JSON nested deeper than 1000 levels");
    free(p);
    /* Brackets inside strings do not nest, escaped quotes do not end them. */
    char *s = malloc(20000);
    size_t k = (size_t)snprintf(s, 20000, "{\"tempo\": 1, \"x\": \"\\\"");
    memset(s + k, '[', 10000);
    k += 10000;
    k += (size_t)snprintf(s + k, 20000 - k, "\"}");
    CHECK_INT(parse(s, k, a, &bl, msg), -1);
    CHECK_STR(msg, "t.json: rules: missing (expected an object)");
    /* Unbalanced, 10,000 deep, never closed. */
    memset(s, '{', 10000);
    CHECK_INT(parse(s, 10000, a, &bl, msg), -1);
    CHECK_STR(msg, "t.json:1:1001: JSON nested deeper than 1000 levels");
    free(s);
    arena_free(a);
}

static void write_file(const char *path, const char *text, off_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    if (text)
        CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    if (size >= 0)
        CHECK(ftruncate(fd, size) == 0);
    close(fd);
}

static void test_files(void)
{
    struct arena *a = arena_new(4096);
    struct baseline bl;
    struct err e;
    char msg[300], dir[] = "/tmp/tempo-baseline-XXXXXX", path[300];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/b.json", dir);

    memset(&e, 0, sizeof e);
    CHECK_INT(decode_baseline("/nonexistent/b.json", a, &bl, &e), -1);
    err_format(&e, msg, sizeof msg);
    CHECK_STR(msg, "/nonexistent/b.json: cannot open baseline: no such file or directory");
    CHECK_INT(e.exit_code, EXIT_USAGE);

    CHECK_INT(decode_baseline(dir, a, &bl, &e), -1);
    err_format(&e, msg, sizeof msg);
    CHECK(strstr(msg, ": is a directory, not a report") != NULL);

    write_file(path, "", -1);
    CHECK_INT(decode_baseline(path, a, &bl, &e), -1);
    CHECK_STR(e.msg, "empty file, not a Tempo report");
    CHECK(e.file == path);

    write_file(path,
               "{\"tempo\": 1, \"rules\": {\"delay_s\": 60}, \"sites\": [], \"findings\": []}", -1);
    CHECK_INT(decode_baseline(path, a, &bl, &e), 0);
    CHECK_INT(bl.n_sites, 0);
    CHECK(bl.sites != NULL);
    CHECK_DBL(bl.delay_s, 60, 0);

    /* LIMIT_BASELINE + 1 bytes (sparse): refused by its size, unread. */
    write_file(path, "{", (off_t)LIMIT_BASELINE + 1);
    CHECK_INT(decode_baseline(path, a, &bl, &e), -1);
    CHECK_INT(e.exit_code, EXIT_USAGE);
    CHECK_STR(e.msg, "larger than 256 MiB");
    /* LIMIT_BASELINE bytes: read whole, and refused as JSON ('{' then NULs,
     * which cJSON skips as white space). */
    write_file(path, "{", (off_t)LIMIT_BASELINE);
    CHECK_INT(decode_baseline(path, a, &bl, &e), -1);
    err_format(&e, msg, sizeof msg);
    CHECK(strstr(msg, "b.json:1:268435457: the JSON ends before its objects are closed") != NULL);

    unlink(path);
    rmdir(dir);
    arena_free(a);
}

int main(void)
{
    test_real_report();
    test_small_report();
    test_shapes();
    test_nesting();
    test_files();
    return test_report();
}
