/*
 * test_gate_report.c - the gate's outputs (issue 6) on a hand-built run: new
 * fake urgency (batch and unused), new drift, a known finding, a kept site, a
 * clean site and a site whose name and by= value are hostile. Text lines and
 * tally; GitHub workflow-command escaping; the pull-request summary's size
 * limit with 5,000 findings; JUnit through a small XML well-formedness
 * checker; SARIF through a small JSON checker, with its levels, baseline
 * states, suppressions and URI encoding. Set TEMPO_GATE_DUMP=DIR to keep the
 * outputs (for xmllint and the SARIF schema check).
 */
#include <stdio.h>
#include <stdlib.h>

#include "limits.h"
#include "report.h"
#include "test.h"
#include "utc.h"

/* ---- helpers ---- */

static size_t count_of(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit), hits = 0;
    for (size_t i = 0; i + k <= n; i++)
        hits += memcmp(s + i, lit, k) == 0;
    return hits;
}

static bool has(const char *s, size_t n, const char *lit) { return count_of(s, n, lit) > 0; }

/* Offset of the first `lit` in s, or n. */
static size_t find(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, lit, k) == 0)
            return i;
    return n;
}

/* Code point of the UTF-8 sequence at p (end - p bytes), its length in *k;
 * -1 when it is not a valid sequence (RFC 3629). */
static long utf8_next(const unsigned char *p, const unsigned char *end, size_t *k)
{
    unsigned c = p[0];
    *k = c < 0x80                 ? 1
         : c >= 0xc2 && c <= 0xdf ? 2
         : c >= 0xe0 && c <= 0xef ? 3
         : c >= 0xf0 && c <= 0xf4 ? 4
                                  : 0;
    if (*k == 0 || (size_t)(end - p) < *k)
        return -1;
    long cp = *k == 1 ? (long)c : (long)(c & (0x7fu >> *k));
    for (size_t i = 1; i < *k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return -1;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((*k == 3 && cp < 0x800) || (*k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    return cp;
}

static bool valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    for (size_t k; p < end; p += k)
        if (utf8_next(p, end, &k) < 0)
            return false;
    return true;
}

/* Bytes below 0x20 other than LF, and DEL. */
static bool has_controls(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
            return true;
    return false;
}

static char *run(const struct reporter *r, const struct report_input *in, size_t *n)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, n);
    struct err e = { 0 };
    CHECK_INT(r->write(in, f, &e), 0);
    fclose(f);
    const char *dir = getenv("TEMPO_GATE_DUMP");
    if (dir) {
        static unsigned runs;
        char path[512];
        snprintf(path, sizeof path, "%s/gate.%u.%s", dir, runs++, r->name);
        FILE *d = fopen(path, "wb");
        if (d) {
            fwrite(out, 1, *n, d);
            fclose(d);
        }
    }
    return out;
}

/* The line number `k` (0-based) of s into out[cap]; false past the end. */
static bool line_of(const char *s, size_t n, unsigned k, char *out, size_t cap)
{
    size_t i = 0;
    for (; k && i < n; i++)
        k -= s[i] == '\n';
    if (i >= n)
        return false;
    size_t j = i;
    while (j < n && s[j] != '\n')
        j++;
    snprintf(out, cap, "%.*s", (int)(j - i), s + i);
    return true;
}

/* ---- a small XML 1.0 well-formedness checker ----
 * Prolog, one root, balanced tags, quoted attributes without duplicates or
 * '<', '&' only as a predefined or numeric reference, no "]]>" in text, only
 * XML Chars (§2.2) in valid UTF-8. Counts elements by name. */

struct xml_check {
    const char *p, *end;
    const char *why;
    unsigned testcases, failures, system_outs, testsuites, testsuite;
};

static bool xml_fail(struct xml_check *x, const char *why)
{
    if (!x->why)
        x->why = why;
    return false;
}

static bool xml_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == ':' || c == '.';
}

/* A reference after '&': amp lt gt quot apos, &#N; or &#xH; */
static bool xml_ref(struct xml_check *x)
{
    static const char *const ents[] = { "amp;", "lt;", "gt;", "quot;", "apos;" };
    for (size_t k = 0; k < 5; k++) {
        size_t n = strlen(ents[k]);
        if ((size_t)(x->end - x->p) >= n && memcmp(x->p, ents[k], n) == 0) {
            x->p += n;
            return true;
        }
    }
    if (x->p >= x->end || *x->p != '#')
        return xml_fail(x, "bad reference");
    x->p++;
    bool hex = x->p < x->end && *x->p == 'x';
    x->p += hex;
    unsigned long v = 0, digits = 0;
    for (; x->p < x->end && *x->p != ';'; x->p++, digits++) {
        int d = span_hex_digit(*x->p);
        if (d < 0 || (!hex && d > 9) || v > 0x10ffff)
            return xml_fail(x, "bad character reference");
        v = v * (hex ? 16 : 10) + (unsigned)d;
    }
    if (x->p >= x->end || !digits || (v < 0x20 && v != 9 && v != 10 && v != 13) ||
        (v >= 0xd800 && v <= 0xdfff) || v == 0xfffe || v == 0xffff || v > 0x10ffff)
        return xml_fail(x, "bad character reference");
    x->p++;
    return true;
}

static bool xml_chars_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    for (size_t k; p < end; p += k) {
        long cp = utf8_next(p, end, &k);
        if (cp < 0 || (cp < 0x20 && cp != 9 && cp != 10 && cp != 13) || cp == 0xfffe ||
            cp == 0xffff)
            return false;
    }
    return true;
}

static bool xml_element(struct xml_check *x, unsigned depth);

/* Content up to the closing tag of `name`. */
static bool xml_content(struct xml_check *x, const char *name, size_t name_n, unsigned depth)
{
    while (x->p < x->end) {
        if (*x->p == '&') {
            x->p++;
            if (!xml_ref(x))
                return false;
        } else if (*x->p == '<') {
            if (x->end - x->p >= 2 && x->p[1] == '/') {
                x->p += 2;
                const char *q = x->p;
                while (x->p < x->end && xml_name_char(*x->p))
                    x->p++;
                if ((size_t)(x->p - q) != name_n || memcmp(q, name, name_n) != 0)
                    return xml_fail(x, "mismatched closing tag");
                while (x->p < x->end && (*x->p == ' ' || *x->p == '\n'))
                    x->p++;
                if (x->p >= x->end || *x->p != '>')
                    return xml_fail(x, "bad closing tag");
                x->p++;
                return true;
            }
            if (!xml_element(x, depth + 1))
                return false;
        } else if (x->end - x->p >= 3 && memcmp(x->p, "]]>", 3) == 0) {
            return xml_fail(x, "]]> in text");
        } else {
            x->p++;
        }
    }
    return xml_fail(x, "unclosed element");
}

static bool xml_element(struct xml_check *x, unsigned depth)
{
    if (depth > 64)
        return xml_fail(x, "too deep");
    if (x->p >= x->end || *x->p != '<')
        return xml_fail(x, "expected '<'");
    x->p++;
    const char *name = x->p;
    while (x->p < x->end && xml_name_char(*x->p))
        x->p++;
    size_t name_n = (size_t)(x->p - name);
    if (!name_n)
        return xml_fail(x, "empty element name");
    struct span seen[16];
    unsigned n_seen = 0;
    for (;;) {
        bool ws = false;
        while (x->p < x->end && (*x->p == ' ' || *x->p == '\n' || *x->p == '\t'))
            x->p++, ws = true;
        if (x->p >= x->end)
            return xml_fail(x, "unclosed tag");
        if (*x->p == '>' || *x->p == '/')
            break;
        if (!ws)
            return xml_fail(x, "no space before attribute");
        const char *an = x->p;
        while (x->p < x->end && xml_name_char(*x->p))
            x->p++;
        struct span a = { an, (size_t)(x->p - an) };
        if (!a.n || x->end - x->p < 2 || x->p[0] != '=' || x->p[1] != '"')
            return xml_fail(x, "bad attribute");
        for (unsigned k = 0; k < n_seen; k++)
            if (span_eq(seen[k], a))
                return xml_fail(x, "duplicate attribute");
        if (n_seen < 16)
            seen[n_seen++] = a;
        x->p += 2;
        while (x->p < x->end && *x->p != '"') {
            if (*x->p == '<')
                return xml_fail(x, "'<' in attribute");
            if (*x->p++ == '&' && !xml_ref(x))
                return false;
        }
        if (x->p >= x->end)
            return xml_fail(x, "unclosed attribute");
        x->p++;
    }
    struct span nm = { name, name_n };
    x->testcases += span_eq_str(nm, "testcase");
    x->failures += span_eq_str(nm, "failure");
    x->system_outs += span_eq_str(nm, "system-out");
    x->testsuites += span_eq_str(nm, "testsuites");
    x->testsuite += span_eq_str(nm, "testsuite");
    if (*x->p == '/') {
        if (x->end - x->p < 2 || x->p[1] != '>')
            return xml_fail(x, "bad empty-element tag");
        x->p += 2;
        return true;
    }
    x->p++;
    return xml_content(x, name, name_n, depth);
}

static bool xml_wellformed(const char *s, size_t n, struct xml_check *x)
{
    static const char prolog[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    *x = (struct xml_check){ s, s + n, NULL, 0, 0, 0, 0, 0 };
    if (!xml_chars_ok(s, n))
        return xml_fail(x, "not XML characters");
    if (n < sizeof prolog - 1 || memcmp(s, prolog, sizeof prolog - 1) != 0)
        return xml_fail(x, "no prolog");
    x->p += sizeof prolog - 1;
    while (x->p < x->end && (*x->p == '\n' || *x->p == ' '))
        x->p++;
    if (!xml_element(x, 0))
        return false;
    while (x->p < x->end && (*x->p == '\n' || *x->p == ' '))
        x->p++;
    return x->p == x->end || xml_fail(x, "content after the root");
}

static void test_xml_checker(void)
{
    struct xml_check x;
#define XP "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    static const struct {
        const char *doc;
        bool ok;
    } rows[] = {
        { XP "<a b=\"1\" c=\"&amp;&#60;&#x3e;\"><b/>t&lt;</a>\n", true },
        { XP "<a><b></a></b>", false },       /* crossed */
        { XP "<a><b>", false },               /* unclosed */
        { XP "<a b=\"x<y\"/>", false },       /* raw < in attribute */
        { XP "<a b=\"x&y\"/>", false },       /* raw & */
        { XP "<a>x & y</a>", false },         /* raw & in text */
        { XP "<a>]]></a>", false },           /* ]]> in text */
        { XP "<a b=\"1\" b=\"2\"/>", false }, /* duplicate attribute */
        { XP "<a>\x01</a>", false },          /* control byte */
        { XP "<a>\xff</a>", false },          /* invalid UTF-8 */
        { XP "<a>\xef\xbf\xbe</a>", false },  /* U+FFFE */
        { XP "<a>&#1;</a>", false },          /* forbidden by reference */
        { XP "<a/><b/>", false },             /* two roots */
        { "<a/>", false },                    /* no prolog */
    };
#undef XP
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bool ok = xml_wellformed(rows[i].doc, strlen(rows[i].doc), &x);
        if (ok != rows[i].ok)
            printf("xml row %zu: %s\n", i, x.why ? x.why : "accepted");
        CHECK(ok == rows[i].ok);
    }
}

/* ---- a small JSON (RFC 8259) checker ---- */

struct json_check {
    const char *p, *end;
};

static void json_ws(struct json_check *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
        j->p++;
}

static bool json_lit(struct json_check *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return false;
    j->p += n;
    return true;
}

static bool json_string(struct json_check *j)
{
    if (j->p >= j->end || *j->p != '"')
        return false;
    for (j->p++; j->p < j->end; j->p++) {
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            j->p++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c != '\\')
            continue;
        if (++j->p >= j->end)
            return false;
        if (*j->p == 'u') {
            for (int k = 0; k < 4; k++)
                if (++j->p >= j->end || span_hex_digit(*j->p) < 0)
                    return false;
        } else if (!memchr("\"\\/bfnrt", *j->p, 8)) {
            return false;
        }
    }
    return false;
}

static bool json_digits(struct json_check *j)
{
    const char *q = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > q;
}

static bool json_number(struct json_check *j)
{
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p < j->end && *j->p == '0')
        j->p++;
    else if (!json_digits(j))
        return false;
    if (j->p < j->end && *j->p == '.' && (j->p++, !json_digits(j)))
        return false;
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (!json_digits(j))
            return false;
    }
    return true;
}

static bool json_value(struct json_check *j, unsigned depth)
{
    json_ws(j);
    if (j->p >= j->end || depth > 64)
        return false;
    char c = *j->p;
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->p++;
        json_ws(j);
        if (j->p < j->end && *j->p == close) {
            j->p++;
            return true;
        }
        for (;;) {
            if (c == '{') {
                json_ws(j);
                if (!json_string(j))
                    return false;
                json_ws(j);
                if (j->p >= j->end || *j->p++ != ':')
                    return false;
            }
            if (!json_value(j, depth + 1))
                return false;
            json_ws(j);
            if (j->p >= j->end)
                return false;
            if (*j->p == close) {
                j->p++;
                return true;
            }
            if (*j->p++ != ',')
                return false;
        }
    }
    if (c == '"')
        return json_string(j);
    if (c == 't')
        return json_lit(j, "true");
    if (c == 'f')
        return json_lit(j, "false");
    if (c == 'n')
        return json_lit(j, "null");
    return json_number(j);
}

static bool json_valid(const char *s, size_t n)
{
    struct json_check j = { s, s + n };
    if (!valid_utf8(s, n) || !json_value(&j, 0))
        return false;
    json_ws(&j);
    return j.p == j.end;
}

static void test_json_checker(void)
{
    static const struct {
        const char *doc;
        bool ok;
    } rows[] = {
        { "{\"a\": [1, -0.5e+3, true, false, null, \"x\\u00e9\\n\"], \"b\": {}}", true },
        { "{\"a\": 1,}", false },
        { "[1 2]", false },
        { "{\"a\" 1}", false },
        { "\"a\x01\"", false },
        { "\"\\x\"", false },
        { "[01]", false },
        { "{\"a\": 1}}", false },
        { "[\"\xff\"]", false },
        { "[", false },
        { "{1: 2}", false },
        { "[1.]", false },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK(json_valid(rows[i].doc, strlen(rows[i].doc)) == rows[i].ok);
}

/* ---- a hand-built gate run ---- */

#define BAD_NAME "x<&\"']]>\n::%,|{0}\x01\xc3"
#define BAD_BY "a\0b\r\n\x1b[31m::,%<&\xff\xfe"
#define REASON "compliance: <audit> & \"live\" | always\n]]>"
#define ACTION "move it to batch (daily at 02:00 UTC, cron 0 2 * * *), or keep it with a reason"
#define ACTION_UP "Move it to batch (daily at 02:00 UTC, cron 0 2 * * *), or keep it with a reason"

enum { F_CHURN, F_REPORT, F_BAD, F_DRIFT, F_KNOWN, N_F };
enum { S_CHURN, S_REPORT, S_DRIFT, S_KNOWN, S_KEPT, S_CLEAN, S_BAD, N_S };

struct fixture {
    struct rules r;
    struct analysis an;
    struct analysis_site s[N_S];
    struct verdict_result vr;
    struct verdict_finding f[N_F];
    struct report_input in;
};

static void site(struct analysis_site *s, struct span name, const char *verdict, unsigned line)
{
    s->name = name;
    s->verdict = verdict;
    s->call_line = line;
    s->calls = 5600;
    s->calls_per_day = 400;
    s->calls_per_month = 12000;
    s->has_wait = true;
    s->wait_us[Q_P50] = 19 * USEC_PER_HOUR;
    s->migration = "stay";
}

static void finding(struct verdict_finding *f, enum verdict_finding_kind kind,
                    const struct analysis_site *s, const char *what, bool known)
{
    f->kind = kind;
    f->site = s;
    f->rules_line = s->call_line;
    f->known = known;
    snprintf(f->message, sizeof f->message, "%.*s %s", (int)s->name.n, s->name.p, what);
    snprintf(f->action, sizeof f->action, "%s", kind == FINDING_DRIFT ? "" : ACTION);
}

static void fixture_init(struct fixture *x)
{
    memset(x, 0, sizeof *x);
    x->r.path = "rules/my team \xc3\xa9.rules";
    x->r.delay_us = USEC_PER_HOUR;
    struct analysis_site *s = x->s;
    site(&s[S_CHURN], SPAN_LIT("churn"), "batch", 9);
    s[S_CHURN].has_cost = true;
    s[S_CHURN].monthly_savings = 1234.5;
    s[S_CHURN].calls_per_month = 168000;
    site(&s[S_REPORT], SPAN_LIT("report"), "unused", 12);
    s[S_REPORT].has_wait = false;
    site(&s[S_DRIFT], SPAN_LIT("nightly"), "realtime", 15);
    s[S_DRIFT].wait_us[Q_P50] = 2 * USEC_PER_MIN;
    site(&s[S_KNOWN], SPAN_LIT("legacy"), "batch", 18);
    s[S_KNOWN].has_cost = true;
    s[S_KNOWN].monthly_savings = 100;
    site(&s[S_KEPT], SPAN_LIT("audit_log"), "batch", 21);
    s[S_KEPT].kept = true;
    s[S_KEPT].keep_reason = SPAN_LIT(REASON);
    site(&s[S_CLEAN], SPAN_LIT("chat"), "realtime", 24);
    s[S_CLEAN].kept = true; /* kept but realtime: not listed as kept */
    s[S_CLEAN].keep_reason = SPAN_LIT("support chat");
    site(&s[S_BAD], SPAN_LIT(BAD_NAME), "batch", 27);
    s[S_BAD].has_by = true;
    s[S_BAD].by = SPAN_LIT(BAD_BY);
    x->an.sites = s;
    x->an.n_sites = N_S;

    finding(&x->f[F_CHURN], FINDING_FAKE_URGENCY, &s[S_CHURN],
            "is called in real time but its readers tolerate the delay", false);
    finding(&x->f[F_REPORT], FINDING_FAKE_URGENCY, &s[S_REPORT],
            "is computed in real time but its results are almost never read", false);
    finding(&x->f[F_BAD], FINDING_FAKE_URGENCY, &s[S_BAD],
            "is called in real time but its readers tolerate the delay", false);
    finding(&x->f[F_DRIFT], FINDING_DRIFT, &s[S_DRIFT],
            "was batch (p50 wait 19h) and is now read within 2m", false);
    finding(&x->f[F_KNOWN], FINDING_FAKE_URGENCY, &s[S_KNOWN],
            "is called in real time but its readers tolerate the delay", true);
    x->vr.findings = x->f;
    x->vr.n_findings = N_F;
    x->vr.has_baseline = true;
    x->vr.baseline_path = "base line%.json";
    x->vr.n_new = 4, x->vr.n_known = 1, x->vr.n_kept = 1;
    x->in =
        (struct report_input){ &x->r, &x->an, &x->vr, INT64_C(1795000000) * USEC_PER_SEC, NULL };
}

/* ---- text ---- */

static void test_text(void)
{
    struct fixture x;
    fixture_init(&x);
    size_t n;
    char *t = run(&report_gate_text, &x.in, &n), line[1024];

    CHECK(valid_utf8(t, n));
    CHECK(!has_controls(t, n));
    CHECK_INT(count_of(t, n, "\n"), 7); /* 4 new, 1 known, 1 kept, the tally */
    CHECK(line_of(t, n, 0, line, sizeof line));
    CHECK_STR(line, "rules/my team \xc3\xa9.rules:9: fake urgency: churn is called in "
                    "real time but its readers tolerate the delay (p50 wait 19h, 168000 "
                    "calls/month, $1,234.50/month to save): " ACTION);
    CHECK(line_of(t, n, 1, line, sizeof line));
    CHECK_STR(line, "rules/my team \xc3\xa9.rules:12: fake urgency: report is computed "
                    "in real time but its results are almost never read (no reads, 12000 "
                    "calls/month, no price): " ACTION);
    CHECK(line_of(t, n, 2, line, sizeof line));
    CHECK_STR(line, "rules/my team \xc3\xa9.rules:27: fake urgency: "
                    "x<&\"']]>?::%,|{0}?? is called in real time but its "
                    "readers tolerate the delay (p50 wait 19h, 12000 calls/month, no price): "
                    "" ACTION);
    CHECK(line_of(t, n, 3, line, sizeof line));
    CHECK_STR(line, "rules/my team \xc3\xa9.rules:15: drift: nightly was batch (p50 "
                    "wait 19h) and is now read within 2m (p50 wait 2m, 12000 calls/month, no "
                    "price)");
    CHECK(line_of(t, n, 4, line, sizeof line));
    CHECK_STR(line, "known: rules/my team \xc3\xa9.rules:18: fake urgency: legacy is "
                    "called in real time but its readers tolerate the delay (p50 wait 19h, 12000 "
                    "calls/month, $100.00/month to save)");
    CHECK(line_of(t, n, 5, line, sizeof line));
    CHECK_STR(line, "kept: rules/my team \xc3\xa9.rules:21: audit_log (batch): compliance: "
                    "<audit> & \"live\" | always?]]>");
    CHECK(line_of(t, n, 6, line, sizeof line));
    CHECK_STR(line, "gate: 4 new findings (1 known, 1 kept) against baseline base line%.json");
    CHECK(!has(t, n, "chat")); /* clean, and its keep is not a kept finding */
    free(t);

    /* Every finding known, no baseline path shown without a baseline: passed. */
    for (int i = 0; i < N_F; i++)
        x.f[i].known = true;
    x.vr.n_new = 0, x.vr.n_known = N_F; /* as verdict_gate() counts them */
    x.vr.has_baseline = false;
    t = run(&report_gate_text, &x.in, &n);
    CHECK(line_of(t, n, 6, line, sizeof line));
    CHECK_STR(line, "gate: passed: 0 new findings (5 known, 1 kept)");
    CHECK_INT(count_of(t, n, "\nknown: "), 4); /* the first starts the output */
    CHECK(!has(t, n, ACTION));                 /* known findings need no action */
    free(t);

    /* Order: new first even when the findings come known first. */
    fixture_init(&x);
    struct verdict_finding tmp = x.f[F_KNOWN];
    x.f[F_KNOWN] = x.f[F_CHURN];
    x.f[F_CHURN] = tmp;
    t = run(&report_gate_text, &x.in, &n);
    CHECK(find(t, n, "known: ") > find(t, n, ":9: fake urgency: churn"));
    CHECK(find(t, n, "known: ") > find(t, n, "drift: nightly"));
    free(t);

    /* One new finding: singular. */
    fixture_init(&x);
    x.vr.n_findings = 1;
    x.vr.n_new = 1, x.vr.n_known = 0;
    x.r.path = NULL;
    t = run(&report_gate_text, &x.in, &n);
    CHECK(has(t, n, "\ngate: 1 new finding (0 known, 1 kept) against baseline base line%.json\n"));
    CHECK(t[0] == 'f'); /* no rules path: the line starts at the kind */
    free(t);
}

/* ---- GitHub ---- */

/* Each line is "::CMD k=v,k=v::data" with k in file, line, title, no raw ':'
 * or ',' in a value and nothing but the escapes after a '%'. */
static bool gh_line_ok(const char *s, size_t n)
{
    if (n < 2 || memcmp(s, "::", 2) != 0)
        return false;
    size_t i = 2;
    while (i < n && s[i] != ' ' && s[i] != ':')
        i++;
    struct span cmd = { s + 2, i - 2 };
    if (!span_eq_str(cmd, "error") && !span_eq_str(cmd, "notice"))
        return false;
    if (i < n && s[i] == ' ') {
        i++;
        for (;;) {
            size_t k = i;
            while (k < n && s[k] != '=' && s[k] != ',' && s[k] != ':')
                k++;
            struct span key = { s + i, k - i };
            if (k >= n || s[k] != '=' ||
                !(span_eq_str(key, "file") || span_eq_str(key, "line") ||
                  span_eq_str(key, "title")))
                return false;
            i = k + 1;
            while (i < n && s[i] != ',' && s[i] != ':')
                i++;
            if (i >= n)
                return false;
            if (s[i] == ':')
                break;
            i++;
        }
    }
    if (n - i < 2 || memcmp(s + i, "::", 2) != 0)
        return false;
    for (size_t k = 0; k < n; k++)
        if (s[k] == '%' &&
            (k + 2 >= n || !(memcmp(s + k, "%25", 3) == 0 || memcmp(s + k, "%0D", 3) == 0 ||
                             memcmp(s + k, "%0A", 3) == 0 || memcmp(s + k, "%3A", 3) == 0 ||
                             memcmp(s + k, "%2C", 3) == 0)))
            return false;
    return true;
}

static void test_github(void)
{
    struct fixture x;
    fixture_init(&x);
    size_t n;
    char *t = run(&report_gate_github, &x.in, &n), line[1024];

    CHECK(valid_utf8(t, n));
    CHECK(!has_controls(t, n));
    CHECK_INT(count_of(t, n, "\n"), 7);
    CHECK_INT(count_of(t, n, "::error "), 4);
    CHECK_INT(count_of(t, n, "::notice "), 3);
    for (unsigned k = 0; k < 7; k++) {
        CHECK(line_of(t, n, k, line, sizeof line));
        if (!gh_line_ok(line, strlen(line)))
            printf("bad workflow command: %s\n", line);
        CHECK(gh_line_ok(line, strlen(line)));
    }
    CHECK(line_of(t, n, 0, line, sizeof line));
    CHECK_STR(line, "::error file=rules/my team \xc3\xa9.rules,line=9,title=Tempo%3A fake urgency "
                    "(churn)::churn is called in real time but its readers tolerate the delay "
                    "(p50 wait 19h, 168000 calls/month, $1,234.50/month to save). " ACTION_UP);
    CHECK(line_of(t, n, 2, line, sizeof line));
    CHECK_STR(line, "::error file=rules/my team \xc3\xa9.rules,line=27,title=Tempo%3A fake "
                    "urgency (x<&\"']]>%0A%3A%3A%25%2C|{0}?? "
                    "[a?b%0D%0A?[31m%3A%3A%2C%25<&??])::x<&\"']]>%0A::%25,|{0}?? is called in "
                    "real time but its readers tolerate the delay (p50 wait 19h, 12000 "
                    "calls/month, no price). " ACTION_UP);
    CHECK(line_of(t, n, 4, line, sizeof line));
    CHECK(span_starts(span_of(line), "::notice file=rules/my team \xc3\xa9.rules,line=18,"
                                     "title=Tempo%3A known fake urgency (legacy)::"));
    CHECK(line_of(t, n, 5, line, sizeof line));
    CHECK_STR(line, "::notice file=rules/my team \xc3\xa9.rules,line=21,title=Tempo%3A kept "
                    "(audit_log)::verdict batch, kept by the rules: compliance: <audit> & "
                    "\"live\" | always%0A]]>");
    CHECK(line_of(t, n, 6, line, sizeof line));
    CHECK_STR(line, "::notice title=Tempo gate::failed: 4 new findings (1 known, 1 kept) against "
                    "baseline base line%25.json");
    free(t);

    /* A rules path with ':' and ',' stays one property. */
    x.r.path = "a:b,c%d.rules";
    x.vr.n_findings = 1;
    t = run(&report_gate_github, &x.in, &n);
    CHECK(span_starts((struct span){ t, n }, "::error file=a%3Ab%2Cc%25d.rules,line=9,title="));
    free(t);
}

/* ---- summary ---- */

/* Every line that starts a table row ends it: no cell broke a row. */
static bool rows_whole(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != '\n')
            j++;
        if (j > i && s[i] == '|' && (j - i < 2 || memcmp(s + j - 2, " |", 2) != 0))
            return false;
        i = j + 1;
    }
    return true;
}

static void test_summary(void)
{
    struct fixture x;
    fixture_init(&x);
    size_t n;
    char *t = run(&report_gate_summary, &x.in, &n);
    CHECK(n < LIMIT_SUMMARY);
    CHECK(valid_utf8(t, n));
    CHECK(!has_controls(t, n));
    CHECK(rows_whole(t, n));
    CHECK(span_starts((struct span){ t, n }, "## :x: Tempo gate failed\n"));
    CHECK(has(t, n,
              "4 new findings (1 known, 1 kept) against baseline base line%.json, rules "
              "rules/my team \xc3\xa9.rules.\n"));
    CHECK(has(t, n, "**Savings at stake: $1,234.50/month**"));
    CHECK(has(t, n, "| fake urgency | churn | batch | 19h | 168000 | 9 | $1,234.50 |\n"));
    CHECK(has(t, n, "| fake urgency | report | unused | - | 12000 | 12 | - |\n"));
    CHECK(has(t, n, "| drift | nightly | realtime | 2m | 12000 | 15 | - |\n"));
    CHECK(has(t, n,
              "| fake urgency | x&lt;&amp;\"'\\]\\]&gt; ::%,\\|{0} \xef\xbf\xbd \\[a b   "
              "\\[31m::,%&lt;&amp;\xef\xbf\xbd\xef\xbf\xbd\\] | batch |"));
    CHECK(has(t, n,
              "| audit\\_log | batch | 21 | compliance: &lt;audit&gt; &amp; \"live\" \\| "
              "always \\]\\]&gt; |\n"));
    CHECK(has(t, n, "| fake urgency | legacy | batch | 19h | 12000 | 18 | $100.00 |\n"));
    CHECK(!has(t, n, "]]>"));
    CHECK(!has(t, n, "<audit>"));
    CHECK(!has(t, n, "... and"));
    /* A block per finding, each closed, input text outside the HTML lines. */
    CHECK_INT(count_of(t, n, "<details>"), 5);
    CHECK_INT(count_of(t, n, "</details>"), 5);
    CHECK(has(t, n,
              "<details><summary>fake urgency, rules line 9</summary>\n\nchurn "
              "is called in real time but its readers tolerate the delay (p50 wait 19h, "
              "168000 calls/month, $1,234.50/month to save)\n\nWhat to do: "));
    CHECK(has(t, n, "<details><summary>known fake urgency, rules line 18</summary>"));
    /* Section order: new, kept, known, details. */
    CHECK(find(t, n, "### New findings") < find(t, n, "### Kept by the rules"));
    CHECK(find(t, n, "### Kept by the rules") < find(t, n, "### Known findings"));
    CHECK(find(t, n, "### Known findings") < find(t, n, "### Details"));
    free(t);

    /* Passed. */
    for (int i = 0; i < N_F; i++)
        x.f[i].known = true;
    x.vr.n_new = 0, x.vr.n_known = N_F;
    t = run(&report_gate_summary, &x.in, &n);
    CHECK(span_starts((struct span){ t, n }, "## :white_check_mark: Tempo gate passed\n"));
    CHECK(!has(t, n, "### New findings"));
    CHECK(has(t, n, "No new fake urgency and no new drift."));
    free(t);
}

/* 5,000 findings with 200-byte names (a '|' in each doubles in escaping). */
static void test_summary_limit(void)
{
    enum { N = 5000, NAME = 200 };
    struct fixture x;
    fixture_init(&x);
    struct analysis_site *s = calloc(N, sizeof *s);
    struct verdict_finding *f = calloc(N, sizeof *f);
    char *names = malloc((size_t)N * NAME);
    for (unsigned i = 0; i < N; i++) {
        char *nm = names + (size_t)i * NAME;
        memset(nm, 'a' + i % 26, NAME);
        int k = snprintf(nm, NAME, "site%u|", i);
        nm[k] = 'x'; /* no NUL inside the name */
        site(&s[i], (struct span){ nm, NAME }, "batch", 100 + i);
        s[i].has_cost = true;
        s[i].monthly_savings = 10;
        finding(&f[i], FINDING_FAKE_URGENCY, &s[i],
                "is called in real time but its readers "
                "tolerate the delay",
                false);
    }
    x.an.sites = s;
    x.an.n_sites = N;
    x.vr.findings = f;
    x.vr.n_findings = N;
    x.vr.n_new = N, x.vr.n_known = 0, x.vr.n_kept = 0;
    size_t n;
    char *t = run(&report_gate_summary, &x.in, &n);
    CHECK(n < LIMIT_SUMMARY);
    CHECK(n > LIMIT_SUMMARY - 4096); /* the room is used */
    CHECK(valid_utf8(t, n));
    CHECK(rows_whole(t, n));
    CHECK(has(t, n, "5000 new findings (0 known, 0 kept)"));
    CHECK(has(t, n, "**Savings at stake: $50,000.00/month**"));
    size_t rows = count_of(t, n, "| fake urgency | site");
    size_t blocks = count_of(t, n, "<details>");
    CHECK(rows > 10);
    CHECK(blocks > 10);
    CHECK_INT(count_of(t, n, "</details>"), blocks);
    char want[128];
    snprintf(want, sizeof want, "\n\n... and %zu more findings (see the JUnit/SARIF outputs)\n",
             N - rows);
    CHECK(has(t, n, want));
    snprintf(want, sizeof want, "\n... and %zu more details (see the JUnit/SARIF outputs)\n",
             N - blocks);
    CHECK(has(t, n, want));
    /* The rows shown are the first ones, in order. */
    snprintf(want, sizeof want, "| fake urgency | site%zu\\|", rows - 1);
    CHECK(has(t, n, want));
    snprintf(want, sizeof want, "| fake urgency | site%zu\\|", rows);
    CHECK(!has(t, n, want));
    free(t);

    /* A kept site and a known finding still get room beside 4,999 rows. */
    s[0].kept = true;
    s[0].keep_reason = SPAN_LIT("needed live");
    f[1].known = true;
    x.vr.n_findings = N; /* f[0] stays a finding: the test is about room, not logic */
    t = run(&report_gate_summary, &x.in, &n);
    CHECK(n < LIMIT_SUMMARY);
    CHECK(has(t, n, "| needed live |\n"));
    CHECK(has(t, n, "### Known findings"));
    CHECK(has(t, n, "| fake urgency | site1\\|"));
    free(t);
    free(names);
    free(s);
    free(f);
}

/* ---- JUnit ---- */

static void test_junit(void)
{
    struct fixture x;
    fixture_init(&x);
    size_t n;
    char *t = run(&report_gate_junit, &x.in, &n);
    struct xml_check xc;
    bool ok = xml_wellformed(t, n, &xc);
    if (!ok)
        printf("junit not well-formed: %s at %zu\n", xc.why, (size_t)(xc.p - t));
    CHECK(ok);
    CHECK_INT(xc.testsuites, 1);
    CHECK_INT(xc.testsuite, 1);
    CHECK_INT(xc.testcases, N_S);
    CHECK_INT(xc.failures, 4);
    CHECK_INT(xc.system_outs, 3); /* known, kept, the suite's tally */
    CHECK(has(t, n,
              "<testsuites name=\"tempo gate\" tests=\"7\" failures=\"4\" errors=\"0\" "
              "time=\"0\">"));
    CHECK(has(t, n,
              "<testsuite name=\"tempo gate: rules/my team \xc3\xa9.rules\" tests=\"7\" "
              "failures=\"4\" errors=\"0\" skipped=\"0\" time=\"0\" "
              "timestamp=\"2026-11-18T11:06:40\">"));
    CHECK(has(t, n,
              "<testcase classname=\"tempo.gate\" name=\"churn\" file=\"rules/my team "
              "\xc3\xa9.rules\" line=\"9\" time=\"0\">\n      <failure type=\"fake_urgency\" "
              "message=\"churn is called in real time but its readers tolerate the "
              "delay\">fake urgency: churn is called"));
    CHECK(has(t, n, "<failure type=\"drift\" message=\"nightly was batch"));
    CHECK(has(t, n,
              "name=\"x&lt;&amp;&quot;&#39;]]&gt;\xef\xbf\xbd::%,|{0}\xef\xbf\xbd"
              "\xef\xbf\xbd [a\xef\xbf\xbd"
              "b"));
    CHECK(has(t, n,
              "name=\"chat\" file=\"rules/my team \xc3\xa9.rules\" line=\"24\" "
              "time=\"0\"/>"));
    CHECK(has(t, n,
              "<system-out>kept by the rules (verdict batch): compliance: &lt;audit&gt; "
              "&amp; &quot;live&quot; | always\xef\xbf\xbd]]&gt;\n</system-out>"));
    CHECK(has(t, n, "<system-out>known fake urgency: legacy is called"));
    CHECK(has(t, n,
              "<system-out>gate: 4 new findings (1 known, 1 kept) against baseline base "
              "line%.json</system-out>"));
    free(t);

    /* A finding whose site is not among the analysis's still gets a testcase. */
    struct analysis_site lost = x.s[S_CHURN];
    lost.name = SPAN_LIT("gone");
    x.f[F_CHURN].site = &lost;
    t = run(&report_gate_junit, &x.in, &n);
    CHECK(xml_wellformed(t, n, &xc));
    CHECK_INT(xc.testcases, N_S + 1);
    CHECK_INT(xc.failures, 4);
    CHECK(has(t, n, "tests=\"8\" failures=\"4\""));
    free(t);

    /* Two new findings on one site: one failure, both texts. */
    fixture_init(&x);
    x.f[F_DRIFT].site = &x.s[S_REPORT];
    t = run(&report_gate_junit, &x.in, &n);
    CHECK(xml_wellformed(t, n, &xc));
    CHECK_INT(xc.failures, 3);
    CHECK(has(t, n, "tests=\"7\" failures=\"3\""));
    CHECK(has(t, n,
              "message=\"report is computed in real time but its results are almost never "
              "read; nightly was batch"));
    free(t);

    /* Nothing to report: still a well-formed file with every site. */
    x.vr.n_findings = 0;
    x.vr.n_new = 0, x.vr.n_known = 0;
    x.r.path = NULL;
    t = run(&report_gate_junit, &x.in, &n);
    CHECK(xml_wellformed(t, n, &xc));
    CHECK_INT(xc.failures, 0);
    CHECK_INT(xc.testcases, N_S);
    CHECK(has(t, n, "<testsuite name=\"tempo gate\" tests=\"7\" failures=\"0\""));
    CHECK(has(t, n, "gate: passed: 0 new findings (0 known, 1 kept)"));
    free(t);
}

/* ---- SARIF ---- */

static void test_sarif(void)
{
    struct fixture x;
    fixture_init(&x);
    x.f[F_DRIFT].rules_line = 0; /* no region then */
    size_t n;
    char *t = run(&report_gate_sarif, &x.in, &n);
    CHECK(json_valid(t, n));
    CHECK(span_starts((struct span){ t, n }, "{\"$schema\": "
                                             "\"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                                             " \"version\": \"2.1.0\","));
    CHECK_INT(count_of(t, n, "\"ruleId\": "), N_F + 1); /* 5 findings, 1 kept */
    CHECK_INT(count_of(t, n, "\"ruleId\": \"tempo/fake-urgency\", \"ruleIndex\": 0"), 5);
    CHECK_INT(count_of(t, n, "\"ruleId\": \"tempo/drift\", \"ruleIndex\": 1"), 1);
    CHECK_INT(count_of(t, n, "\"ruleIndex\": 0, \"level\": \"error\""), 3);
    CHECK_INT(count_of(t, n, "\"ruleIndex\": 1, \"level\": \"error\""), 1);
    CHECK_INT(count_of(t, n, "\"level\": \"note\""), 2);
    CHECK_INT(count_of(t, n, "\"baselineState\": \"new\""), 4);
    CHECK_INT(count_of(t, n, "\"baselineState\": \"unchanged\""), 1);
    CHECK_INT(count_of(t, n,
                       "\"suppressions\": [{\"kind\": \"inSource\", \"justification\": "
                       "\"compliance: \\u003caudit\\u003e \\u0026 \\\"live\\\" | always\\u000a]]"
                       "\\u003e\"}]"),
              1);
    CHECK_INT(count_of(t, n, "{\"uri\": \"rules/my%20team%20%C3%A9.rules\"}"), N_F + 1);
    CHECK_INT(count_of(t, n, "\"startLine\": "), N_F);
    CHECK(has(t, n, "\"region\": {\"startLine\": 27}"));
    CHECK_INT(count_of(t, n, "\"tempoSite/v1\": \""), N_F + 1);
    /* Braces in message text doubled (§3.11.5); control bytes escaped. */
    CHECK(has(t, n, "{{0}}"));
    CHECK(
        has(t, n, "\"site\": \"x\\u003c\\u0026\\\"']]\\u003e\\u000a::%,|{0}\\u0001\xef\xbf\xbd\""));
    CHECK(has(t, n,
              "\"by\": \"a\\u0000b\\u000d\\u000a\\u001b[31m::,%\\u003c\\u0026\xef\xbf\xbd"
              "\xef\xbf\xbd\""));
    CHECK(has(t, n,
              "\"properties\": {\"site\": \"churn\", \"by\": null, \"verdict\": \"batch\", "
              "\"monthly_savings\": 1234.5, \"p50_wait_s\": 68400}"));
    CHECK(has(t, n, "\"monthly_savings\": null, \"p50_wait_s\": null}"));
    CHECK(has(t, n,
              "\"message\": {\"text\": \"churn is called in real time but its readers "
              "tolerate the delay (p50 wait 19h, 168000 calls/month, $1,234.50/month to "
              "save). " ACTION_UP "\"}"));

    /* Fingerprints: stable across runs, distinct across sites. */
    size_t at = find(t, n, "\"tempoSite/v1\": \"");
    char fp[17] = "";
    if (at + 17 + 16 <= n)
        memcpy(fp, t + at + 17, 16);
    CHECK_INT(strspn(fp, "0123456789abcdef"), 16);
    CHECK_INT(count_of(t, n, fp), 1);
    free(t);
    t = run(&report_gate_sarif, &x.in, &n);
    CHECK_INT(count_of(t, n, fp), 1);
    free(t);

    /* Without a baseline: no baselineState. An absolute path: a file URI. */
    x.vr.has_baseline = false;
    x.r.path = "/etc/tempo x/a#b?c%.rules";
    t = run(&report_gate_sarif, &x.in, &n);
    CHECK(json_valid(t, n));
    CHECK(!has(t, n, "baselineState"));
    CHECK(has(t, n, "{\"uri\": \"file:///etc/tempo%20x/a%23b%3Fc%25.rules\"}"));
    free(t);

    /* Relative with a colon: never read as a scheme. */
    x.r.path = "c:rules.rules";
    t = run(&report_gate_sarif, &x.in, &n);
    CHECK(has(t, n, "{\"uri\": \"c%3Arules.rules\"}"));
    free(t);

    /* No findings, no kept sites: an empty results array, still valid. */
    x.vr.n_findings = 0;
    x.s[S_KEPT].kept = false;
    x.r.path = NULL;
    t = run(&report_gate_sarif, &x.in, &n);
    CHECK(json_valid(t, n));
    CHECK(has(t, n, "\"results\": [\n  ]"));
    CHECK(!has(t, n, "\"locations\""));
    free(t);
}

int main(void)
{
    test_xml_checker();
    test_json_checker();
    test_text();
    test_github();
    test_summary();
    test_summary_limit();
    test_junit();
    test_sarif();
    return test_report();
}
