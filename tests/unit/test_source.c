/*
 * test_source.c - the line reader: LF and CRLF, a last line without LF, lines
 * of LIMIT_LINE - 1, LIMIT_LINE and LIMIT_LINE + 1 bytes, a 3 MiB line,
 * gzip with one and two members, truncated gzip, standard-input-like peeks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "source.h"
#include "test.h"

static char dir[] = "/tmp/tempo-test-source-XXXXXX";

static const char *write_file(const char *name, const void *p, size_t n)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(p, 1, n, f);
    fclose(f);
    return path;
}

static const char *write_gz(const char *name, const char *const *parts, int n_parts)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fclose(f);
    for (int i = 0; i < n_parts; i++) { /* each part its own gzip member */
        gzFile g = gzopen(path, "ab");
        gzwrite(g, parts[i], (unsigned)strlen(parts[i]));
        gzclose(g);
    }
    return path;
}

/* Read every line; returns the count and concatenates them with '|'. */
static unsigned read_all(const char *path, char *out, size_t cap, struct source_stats *st_out,
                         int *rc_out)
{
    struct err e;
    struct source *s = source_open(path, &e);
    unsigned n = 0;
    size_t len = 0;
    struct span line;
    int rc;
    out[0] = 0;
    if (!s) {
        *rc_out = -2;
        return 0;
    }
    while ((rc = source_next_line(s, &line, &e)) == 1) {
        n++;
        size_t k = line.n < 64 ? line.n : 64;
        if (len + k + 2 < cap) {
            memcpy(out + len, line.p, k);
            len += k;
            out[len++] = '|';
            out[len] = 0;
        }
    }
    *rc_out = rc;
    *st_out = *source_stats(s);
    source_close(s);
    return n;
}

int main(void)
{
    char got[512];
    struct source_stats st;
    int rc;
    if (!mkdtemp(dir))
        return 1;

    const char lf[] = "a\nbb\n\nccc";
    CHECK_INT(read_all(write_file("lf", lf, sizeof lf - 1), got, sizeof got, &st, &rc), 4);
    CHECK_STR(got, "a|bb||ccc|");
    CHECK_INT(rc, 0);
    CHECK_INT(st.lines, 4);
    CHECK_INT(st.bytes, sizeof lf - 1);

    const char crlf[] = "a\r\nbb\r\n";
    CHECK_INT(read_all(write_file("crlf", crlf, sizeof crlf - 1), got, sizeof got, &st, &rc), 2);
    CHECK_STR(got, "a|bb|");

    CHECK_INT(read_all(write_file("empty", "", 0), got, sizeof got, &st, &rc), 0);
    CHECK_INT(rc, 0);

    /* Lines of LIMIT_LINE - 1, LIMIT_LINE, LIMIT_LINE + 1 and 3 MiB bytes. */
    size_t big = 3u << 20;
    char *p = malloc(4 * LIMIT_LINE + big + 64);
    size_t n = 0;
    size_t lens[4] = { LIMIT_LINE - 1, LIMIT_LINE, LIMIT_LINE + 1, big };
    for (int i = 0; i < 4; i++) {
        memset(p + n, 'a' + i, lens[i]);
        n += lens[i];
        p[n++] = '\n';
    }
    memcpy(p + n, "end\n", 4);
    n += 4;
    read_all(write_file("long", p, n), got, sizeof got, &st, &rc);
    CHECK_INT(rc, 0);
    CHECK_INT(st.lines, 5);
    CHECK_INT(st.skipped, 2);
    CHECK_INT(st.n_errors, 2);
    CHECK_INT(st.errors[0].line, 3);
    CHECK_INT(st.errors[1].line, 4);
    CHECK(got[0] == 'a' && got[64] == '|' && got[65] == 'b' && got[130] == 'e');

    /* A long last line without LF, and CRLF right at the limit. */
    memset(p, 'x', LIMIT_LINE);
    memcpy(p + LIMIT_LINE, "\r\nz", 3);
    CHECK_INT(read_all(write_file("limitcr", p, LIMIT_LINE + 3), got, sizeof got, &st, &rc), 2);
    CHECK_INT(st.skipped, 0);
    memset(p, 'y', LIMIT_LINE + 5);
    CHECK_INT(read_all(write_file("lastlong", p, LIMIT_LINE + 5), got, sizeof got, &st, &rc), 0);
    CHECK_INT(st.skipped, 1);
    free(p);

    /* gzip: one member, two members (cat a.gz b.gz), truncated. */
    const char *one[] = { "x1\nx2\n" };
    CHECK_INT(read_all(write_gz("one.gz", one, 1), got, sizeof got, &st, &rc), 2);
    CHECK_STR(got, "x1|x2|");
    CHECK(st.is_gzip);
    const char *two[] = { "x1\nx2\n", "y1\ny2" };
    CHECK_INT(read_all(write_gz("two.gz", two, 2), got, sizeof got, &st, &rc), 4);
    CHECK_STR(got, "x1|x2|y1|y2|");
    CHECK_INT(rc, 0);
    {
        char path[256];
        snprintf(path, sizeof path, "%s/two.gz", dir);
        FILE *f = fopen(path, "rb");
        unsigned char buf[64];
        size_t k = fread(buf, 1, sizeof buf, f);
        fclose(f);
        read_all(write_file("trunc.gz", buf, k > 20 ? 20 : k), got, sizeof got, &st, &rc);
        CHECK_INT(rc, -1);
        buf[12] ^= 0xff; /* damage the deflate data */
        read_all(write_file("bad.gz", buf, k), got, sizeof got, &st, &rc);
        CHECK_INT(rc, -1);
    }

    /* A gzip file larger than zlib's input block (regression: the first read
     * block was copied into a smaller buffer). Hex noise compresses badly. */
    {
        size_t nl = 40000, k = 0;
        char *text = malloc(nl * 64 + 1);
        uint64_t x = 88172645463325252ull;
        for (size_t i = 0; i < nl; i++) {
            for (int j = 0; j < 63; j++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                text[k++] = "0123456789abcdef"[x & 15];
            }
            text[k++] = '\n';
        }
        text[k] = 0;
        const char *parts[] = { text };
        const char *path = write_gz("big.gz", parts, 1);
        FILE *f = fopen(path, "rb");
        fseek(f, 0, SEEK_END);
        CHECK(ftell(f) > (long)(512u << 10));
        fclose(f);
        CHECK_INT(read_all(path, got, sizeof got, &st, &rc), nl);
        CHECK_INT(rc, 0);
        CHECK_INT(st.skipped, 0);
        free(text);
    }

    /* Peek does not consume. */
    {
        struct err e;
        struct source *s = source_open(write_file("peek", "hello\nworld\n", 12), &e);
        struct span head, line;
        CHECK_INT(source_peek(s, 5, &head, &e), 0);
        CHECK_SPAN(head, "hello");
        CHECK_INT(source_next_line(s, &line, &e), 1);
        CHECK_SPAN(line, "hello");
        source_close(s);
    }

    /* Missing file and directory: exit 2 naming the file. */
    {
        struct err e;
        CHECK(source_open("/nonexistent/x.log", &e) == NULL);
        CHECK_INT(e.exit_code, EXIT_USAGE);
        CHECK(source_open(dir, &e) == NULL);
        CHECK(strstr(e.msg, "directory") != NULL);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return test_report();
}
