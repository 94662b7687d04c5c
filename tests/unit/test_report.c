/*
 * test_report.c - the escaping every reporter relies on: JSON strings stay
 * valid UTF-8 and carry no live markup, Markdown cells no table breaks,
 * links or tags, terminal text no control bytes; money and shares.
 */
#include "report.h"
#include "test.h"

static void json_row(const char *in, size_t n, const char *want, int line)
{
    struct buf b;
    buf_init(&b, 4096);
    int rc = report_json_str(&b, (struct span){ in, n });
    if (rc == 0 && b.len == strlen(want) && memcmp(b.p, want, b.len) == 0) {
        test_passed++;
    } else {
        test_failed++;
        printf("FAIL %s:%d: expected \"%s\", got \"%.*s\"\n", __FILE__, line, want, (int)b.len,
               b.p ? b.p : "");
    }
    buf_release(&b);
}

int main(void)
{
    json_row("plain", 5, "plain", __LINE__);
    json_row("a\"b\\c", 5, "a\\\"b\\\\c", __LINE__);
    json_row("\n\t\x01", 3, "\\u000a\\u0009\\u0001", __LINE__);
    json_row("<script>", 8, "\\u003cscript\\u003e", __LINE__);
    json_row("caf\xc3\xa9", 5, "caf\xc3\xa9", __LINE__);
    json_row("\xff", 1, "\xef\xbf\xbd", __LINE__);
    json_row("\xc3", 1, "\xef\xbf\xbd", __LINE__);              /* truncated sequence */
    json_row("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", __LINE__); /* overlong '/' */
    json_row("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", __LINE__); /* surrogate */
    json_row("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80", __LINE__);
    json_row("a\0b", 3, "a\\u0000b", __LINE__);

    struct buf b;
    buf_init(&b, 4096);
    CHECK_INT(report_md_cell(&b, SPAN_LIT("a|b [x](javascript:1) <img> `c`\nd")), 0);
    CHECK_STR(b.p, "a\\|b \\[x\\](javascript:1) &lt;img&gt; \\`c\\` d");
    buf_reset(&b);
    CHECK_INT(report_text(&b, SPAN_LIT("ok\x1b[31mred\x7f")), 0);
    CHECK_STR(b.p, "ok?[31mred?");
    buf_reset(&b);
    CHECK_INT(report_json_num(&b, 0.25), 0);
    CHECK_INT(buf_adds(&b, " "), 0);
    CHECK_INT(report_json_num(&b, 3600), 0);
    CHECK_INT(buf_adds(&b, " "), 0);
    CHECK_INT(report_json_num(&b, 1.0 / 3.0), 0);
    CHECK_STR(b.p, "0.25 3600 0.3333333333");
    buf_release(&b);

    char m[32];
    report_money(1234567.891, m);
    CHECK_STR(m, "$1,234,567.89");
    report_money(0, m);
    CHECK_STR(m, "$0.00");
    report_money(999.999, m);
    CHECK_STR(m, "$1,000.00");
    report_money(-12.5, m);
    CHECK_STR(m, "-$12.50");

    char s[16];
    verdict_format_share(1.0, s);
    CHECK_STR(s, "100%");
    verdict_format_share(0.9997, s);
    CHECK_STR(s, "99.97%");
    verdict_format_share(0.5, s);
    CHECK_STR(s, "50%");
    verdict_format_share(0.012, s);
    CHECK_STR(s, "1.2%");
    verdict_format_share(0.0012, s);
    CHECK_STR(s, "0.12%");
    verdict_format_share(0, s);
    CHECK_STR(s, "0%");

    CHECK(report_find("json") == &report_json);
    CHECK(report_find("table") == &report_table);
    CHECK(report_find("md") == &report_md);
    CHECK(report_find("xml") == NULL);
    return test_report();
}
