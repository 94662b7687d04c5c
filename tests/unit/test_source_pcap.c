/*
 * test_source_pcap.c - captures through libpcap (sources stage, issue 7): the
 * committed tests/data/pcap/curl_http.pcap (see test_tcp.c for how it was made;
 * `tcpdump -r` lists 12 frames, the first at 1795554678.351225) and its pcapng
 * twin (`editcap -F pcapng curl_http.pcap curl_http.pcapng`), read plain, gzip'd,
 * from standard input, big-endian and nanosecond copies made here, reassembled
 * by tcp.c; then damaged copies: every truncation, a 1 GiB caplen, empty, random.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "source.h"
#include "tcp.h"
#include "test.h"

#define PCAP_FILE "tests/data/pcap/curl_http.pcap"
#define PCAPNG_FILE "tests/data/pcap/curl_http.pcapng"
#define FIRST_TS_US 1795554678351225LL
#define N_FRAMES 12

static char tmpdir[64];

/* ---- reading a whole capture ---- */

struct summary {
    int rc; /* 0: clean end; -1: open or record error */
    int linktype;
    uint64_t frames, bytes; /* from source_capture_frames() and _bytes() */
    int64_t first_ts, last_ts;
    uint64_t hash;        /* FNV-1a over every frame's header fields and bytes */
    char msg[300];        /* err_format() of the error, "" if none */
    uint8_t dir[2][4096]; /* bytes tcp.c delivered per direction */
    size_t n[2];
};

static void on_data(void *ctx, struct tcp_stream *s, enum tcp_dir d, const uint8_t *p, size_t n,
                    int64_t ts_us)
{
    struct summary *sm = ctx;
    (void)s, (void)ts_us;
    size_t room = sizeof sm->dir[d] - sm->n[d];
    size_t k = n < room ? n : room;
    memcpy(sm->dir[d] + sm->n[d], p, k);
    sm->n[d] += k;
}

static void on_gap(void *ctx, struct tcp_stream *s, enum tcp_dir d, uint64_t m, int64_t ts_us)
{
    (void)ctx, (void)s, (void)d, (void)m, (void)ts_us;
}

static void on_end(void *ctx, struct tcp_stream *s, enum tcp_end_reason why, int64_t ts_us)
{
    (void)ctx, (void)s, (void)why, (void)ts_us;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static void read_capture(const char *path, struct summary *sm)
{
    memset(sm, 0, sizeof *sm);
    sm->hash = 14695981039346656037ull;
    struct err e;
    struct source *src = source_open(path, &e);
    struct span head;
    if (src && source_peek(src, 64, &head, &e) < 0) { /* as main.c detects the format */
        source_close(src);
        src = NULL;
    }
    struct source_capture *c = src ? source_capture_open(src, &e) : NULL;
    if (!c) {
        sm->rc = -1;
        CHECK_INT(e.exit_code, EXIT_USAGE);
        err_format(&e, sm->msg, sizeof sm->msg);
        source_close(src);
        return;
    }
    sm->linktype = source_capture_linktype(c);
    struct tcp_callbacks cb = { sm, on_data, on_gap, on_end };
    struct tcp *t = tcp_new(sm->linktype, &cb, &e); /* NULL for link types it does not read */
    const uint8_t *p;
    size_t caplen, len;
    int64_t ts;
    int rc;
    while ((rc = source_capture_next(c, &p, &caplen, &len, &ts, &e)) == 1) {
        if (source_capture_frames(c) == 1)
            sm->first_ts = ts;
        sm->last_ts = ts;
        sm->hash = fnv(sm->hash, &caplen, sizeof caplen);
        sm->hash = fnv(sm->hash, &len, sizeof len);
        sm->hash = fnv(sm->hash, &ts, sizeof ts);
        sm->hash = fnv(sm->hash, p, caplen);
        if (t)
            tcp_packet(t, p, caplen, len, ts);
    }
    sm->rc = rc;
    if (rc < 0) {
        CHECK_INT(e.exit_code, EXIT_USAGE);
        err_format(&e, sm->msg, sizeof sm->msg);
    }
    if (t) {
        tcp_flush(t, sm->last_ts);
        tcp_free(t);
    }
    sm->frames = source_capture_frames(c);
    sm->bytes = source_capture_bytes(c);
    source_capture_close(c);
    source_close(src);
}

/* ---- files ---- */

static size_t load(const char *path, uint8_t *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

static const char *tmp_path(const char *name)
{
    static char path[8][128];
    static unsigned k;
    char *p = path[k++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    return p;
}

static const char *save(const char *name, const void *p, size_t n)
{
    const char *path = tmp_path(name);
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (fp) {
        CHECK_INT(fwrite(p, 1, n, fp), n);
        fclose(fp);
    }
    return path;
}

/* gzip `n` bytes into `name`, as one member or as two (RFC 1952 §2.2). */
static const char *save_gz(const char *name, const void *p, size_t n, bool two_members)
{
    const char *path = tmp_path(name);
    size_t half = two_members ? n / 2 : n;
    gzFile gz = gzopen(path, "wb");
    CHECK(gz != NULL);
    CHECK_INT(gzwrite(gz, p, (unsigned)half), half);
    gzclose(gz);
    if (two_members) {
        gz = gzopen(path, "ab");
        CHECK_INT(gzwrite(gz, (const uint8_t *)p + half, (unsigned)(n - half)), n - half);
        gzclose(gz);
    }
    return path;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void swap(uint8_t *p, int n)
{
    for (int i = 0; i < n / 2; i++) {
        uint8_t b = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = b;
    }
}

static bool has(const char *msg, const char *want) { return strstr(msg, want) != NULL; }

static uint8_t orig[4096];
static size_t orig_n;
static struct summary ref; /* curl_http.pcap read plainly */

/* ---- tests ---- */

static void test_pcap(void)
{
    read_capture(PCAP_FILE, &ref);
    CHECK_INT(ref.rc, 0);
    CHECK_STR(ref.msg, "");
    CHECK_INT(ref.frames, N_FRAMES);
    CHECK_INT(ref.linktype, TCP_LINK_ETHERNET);
    CHECK_INT(ref.first_ts, FIRST_TS_US);
    CHECK_INT(ref.last_ts, 1795554678364135LL);
    CHECK_INT(ref.bytes, orig_n);
    CHECK_INT(ref.n[TCP_FROM_INITIATOR], 86);
    CHECK_INT(ref.n[TCP_FROM_RESPONDER], 187 + 680);
    CHECK(memcmp(ref.dir[TCP_FROM_INITIATOR], "GET /hello.txt HTTP/1.1\r\n", 25) == 0);
    CHECK(memcmp(ref.dir[TCP_FROM_RESPONDER], "HTTP/1.0 200", 12) == 0);
}

static void same_as_ref(const struct summary *sm)
{
    CHECK_INT(sm->rc, 0);
    CHECK_STR(sm->msg, "");
    CHECK_INT(sm->frames, N_FRAMES);
    CHECK_INT(sm->linktype, TCP_LINK_ETHERNET);
    CHECK_INT(sm->first_ts, FIRST_TS_US);
    CHECK(sm->hash == ref.hash);
    CHECK_INT(sm->n[0], ref.n[0]);
    CHECK_INT(sm->n[1], ref.n[1]);
    CHECK(memcmp(sm->dir, ref.dir, sizeof sm->dir) == 0);
}

static void test_gzip(void)
{
    static struct summary sm;
    const char *path = save_gz("one.pcap.gz", orig, orig_n, false);
    read_capture(path, &sm);
    same_as_ref(&sm);
    CHECK_INT(sm.bytes, file_size(path)); /* compressed bytes */
    CHECK(sm.bytes != orig_n);
    path = save_gz("two.pcap.gz", orig, orig_n, true);
    read_capture(path, &sm);
    same_as_ref(&sm);
    CHECK_INT(sm.bytes, file_size(path));
}

static void test_pcapng(void)
{
    static struct summary sm;
    read_capture(PCAPNG_FILE, &sm);
    same_as_ref(&sm);
    CHECK_INT(sm.bytes, file_size(PCAPNG_FILE));
    static uint8_t ng[4096];
    size_t n = load(PCAPNG_FILE, ng, sizeof ng);
    read_capture(save_gz("ng.pcapng.gz", ng, n, false), &sm);
    same_as_ref(&sm);
}

static void test_stdin(void)
{
    static struct summary sm;
    const char *paths[] = { PCAP_FILE, save_gz("stdin.pcap.gz", orig, orig_n, false) };
    for (int i = 0; i < 2; i++) {
        int saved = dup(0), fd = open(paths[i], O_RDONLY);
        CHECK(saved >= 0 && fd >= 0);
        CHECK_INT(dup2(fd, 0), 0);
        close(fd);
        read_capture("-", &sm);
        same_as_ref(&sm);
        CHECK_INT(fcntl(0, F_GETFD), 0); /* standard input left open */
        dup2(saved, 0);
        close(saved);
    }
}

/* Walk the records of a pcap image: offsets of their 16-byte headers. */
static size_t record_offsets(const uint8_t *f, size_t n, size_t *off, size_t cap)
{
    size_t k = 0;
    for (size_t at = 24; at + 16 <= n && k < cap; at += 16 + rd_le32(f + at + 8))
        off[k++] = at;
    return k;
}

static void test_big_endian_and_ns(void)
{
    static uint8_t f[4096];
    static struct summary sm;
    size_t off[32], n_rec = record_offsets(orig, orig_n, off, 32);
    CHECK_INT(n_rec, N_FRAMES);

    /* nanosecond pcap, little-endian: fractions * 1000 + 999 round down */
    memcpy(f, orig, orig_n);
    wr_le32(f, 0xa1b23c4d);
    for (size_t i = 0; i < n_rec; i++)
        wr_le32(f + off[i] + 4, rd_le32(f + off[i] + 4) * 1000 + 999);
    read_capture(save("ns.pcap", f, orig_n), &sm);
    same_as_ref(&sm);

    /* the same two, big-endian: every header field swapped */
    for (int ns = 0; ns < 2; ns++) {
        memcpy(f, orig, orig_n);
        if (ns) {
            wr_le32(f, 0xa1b23c4d);
            for (size_t i = 0; i < n_rec; i++)
                wr_le32(f + off[i] + 4, rd_le32(f + off[i] + 4) * 1000 + 999);
        }
        swap(f, 4), swap(f + 4, 2), swap(f + 6, 2);
        for (int k = 8; k < 24; k += 4)
            swap(f + k, 4);
        for (size_t i = 0; i < n_rec; i++)
            for (int k = 0; k < 16; k += 4)
                swap(f + off[i] + k, 4);
        read_capture(save(ns ? "be_ns.pcap" : "be.pcap", f, orig_n), &sm);
        same_as_ref(&sm);
    }
}

/* Raw IPv4 (LINKTYPE_RAW, 101): the Ethernet headers cut off. libpcap calls it
 * DLT_RAW (12 on Linux); the reassembler wants 101. */
static void test_raw_ip(void)
{
    static uint8_t f[4096];
    static struct summary sm;
    size_t off[32], n_rec = record_offsets(orig, orig_n, off, 32), n = 24;
    memcpy(f, orig, 24);
    wr_le32(f + 20, 101);
    for (size_t i = 0; i < n_rec; i++) {
        const uint8_t *h = orig + off[i];
        memcpy(f + n, h, 8);
        wr_le32(f + n + 8, rd_le32(h + 8) - 14);
        wr_le32(f + n + 12, rd_le32(h + 12) - 14);
        memcpy(f + n + 16, h + 16 + 14, rd_le32(h + 8) - 14);
        n += 16 + rd_le32(h + 8) - 14;
    }
    read_capture(save("raw.pcap", f, n), &sm);
    CHECK_INT(sm.rc, 0);
    CHECK_INT(sm.frames, N_FRAMES);
    CHECK_INT(sm.linktype, TCP_LINK_RAW);
    CHECK_INT(sm.n[0], ref.n[0]);
    CHECK_INT(sm.n[1], ref.n[1]);
    CHECK(memcmp(sm.dir, ref.dir, sizeof sm.dir) == 0);
}

static void test_is_capture(void)
{
    static const struct {
        const char *head;
        size_t n;
        bool want;
    } rows[] = {
        { "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8, true },                  /* pcap µs LE */
        { "\xa1\xb2\xc3\xd4\x00\x02\x00\x04", 8, true },                  /* pcap µs BE */
        { "\x4d\x3c\xb2\xa1\x02\x00\x04\x00", 8, true },                  /* pcap ns LE */
        { "\xa1\xb2\x3c\x4d\x00\x02\x00\x04", 8, true },                  /* pcap ns BE */
        { "\x0a\x0d\x0d\x0a\x6c\x00\x00\x00\x4d\x3c\x2b\x1a", 12, true }, /* pcapng */
        { "\xd4\xc3\xb2\xa1", 4, true },
        { "\xd4\xc3\xb2", 3, false },
        { "\xd4\xc3\xb2\xa2", 4, false },
        { "\x1f\x8b\x08\x00", 4, false }, /* gzip: inflated before the question */
        { "127.0.0.1 - - [10/Oct/2025:13:55:36 +0000] \"GET / HTTP/1.1\" 200 2", 62, false },
        { "{\"ts\":1}", 8, false },
        { "", 0, false },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_INT(source_is_capture((struct span){ rows[i].head, rows[i].n }), rows[i].want);
    CHECK(source_is_capture((struct span){ (const char *)orig, orig_n }));
}

/* Every prefix of the pcap: a clean end at a record boundary, else an error
 * naming the record; never more frames than the prefix holds. */
static void test_truncated(void)
{
    static struct summary sm;
    size_t off[32], n_rec = record_offsets(orig, orig_n, off, 32);
    unsigned clean = 0, errors = 0, bad = 0;
    for (size_t n = 0; n <= orig_n; n++) {
        read_capture(save("cut.pcap", orig, n), &sm);
        size_t whole = 0;
        while (whole < n_rec && off[whole] + 16 + rd_le32(orig + off[whole] + 8) <= n)
            whole++;
        bool boundary =
            n == 24 || (whole > 0 && n == off[whole - 1] + 16 + rd_le32(orig + off[whole - 1] + 8));
        if (sm.frames != (n < 24 ? 0 : whole))
            bad++;
        if (boundary ? sm.rc != 0 : sm.rc != -1)
            bad++;
        if (sm.rc == 0)
            clean++;
        else
            errors++;
        if (sm.rc < 0 && !has(sm.msg, tmp_path("cut.pcap")))
            bad++;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(clean, N_FRAMES + 1);
    CHECK_INT(errors, orig_n + 1 - (N_FRAMES + 1));

    /* in the middle of record 2's bytes */
    size_t cut = off[1] + 16 + 10;
    read_capture(save("mid.pcap", orig, cut), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK_INT(sm.frames, 1);
    CHECK(has(sm.msg, "mid.pcap: damaged capture at record 2: "));
    CHECK(has(sm.msg, "truncated"));

    /* a gzip'd capture cut short: the inflater says so */
    const char *gz = save_gz("cut.pcap.gz", orig, orig_n, false);
    static uint8_t z[4096];
    size_t zn = load(gz, z, sizeof z);
    read_capture(save("cut_gz.pcap.gz", z, zn / 2), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK(sm.frames < N_FRAMES);
    CHECK(has(sm.msg, "cut_gz.pcap.gz: damaged capture at record "));
    CHECK(has(sm.msg, ": gzip data ends early (truncated file)"));
    /* only the CRC and size trailer missing: every frame, then the error */
    read_capture(save("cut_gz.pcap.gz", z, zn - 4), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK_INT(sm.frames, N_FRAMES);
    CHECK(has(sm.msg, "damaged capture at record 13: gzip data ends early (truncated file)"));
    bad = 0;
    for (size_t n = 0; n < zn; n++) { /* every cut: an error, never a clean end */
        read_capture(save("cut_gz.pcap.gz", z, n), &sm);
        bad += sm.rc != -1 || sm.frames > N_FRAMES || !has(sm.msg, "cut_gz.pcap.gz: ");
    }
    CHECK_INT(bad, 0);
}

static void test_huge_caplen(void)
{
    static uint8_t f[4096];
    static struct summary sm;
    size_t off[32];
    record_offsets(orig, orig_n, off, 32);
    memcpy(f, orig, orig_n);
    wr_le32(f + off[2] + 8, 1u << 30); /* record 3 claims 1 GiB captured */
    read_capture(save("huge.pcap", f, orig_n), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK_INT(sm.frames, 2);
    CHECK(has(sm.msg, "huge.pcap: damaged capture at record 3: "));
    CHECK(has(sm.msg, "1073741824"));

    wr_le32(f + off[2] + 8, rd_le32(orig + off[2] + 8));
    wr_le32(f + off[2] + 12, 1u << 30); /* 1 GiB on the wire: allowed, a snapped frame */
    read_capture(save("huge_len.pcap", f, orig_n), &sm);
    CHECK_INT(sm.rc, 0);
    CHECK_INT(sm.frames, N_FRAMES);

    /* pcapng: an Enhanced Packet Block whose total length says 1 GiB */
    size_t n = load(PCAPNG_FILE, f, sizeof f), at = 0;
    unsigned n_epb = 0;
    while (at + 8 <= n && !(rd_le32(f + at) == 6 && ++n_epb == 2))
        at += rd_le32(f + at + 4);
    CHECK(at + 8 <= n && n_epb == 2);
    wr_le32(f + at + 4, 1u << 30);
    read_capture(save("huge.pcapng", f, n), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK_INT(sm.frames, 1);
    CHECK(has(sm.msg, "huge.pcapng: damaged capture at record 2: "));
}

static void test_not_captures(void)
{
    static struct summary sm;
    read_capture(save("empty.pcap", "", 0), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK(has(sm.msg, "empty.pcap: not a readable capture: empty file"));
    read_capture(save_gz("empty.pcap.gz", "", 0, false), &sm);
    CHECK(has(sm.msg, "empty.pcap.gz: not a readable capture: truncated dump file"));

    read_capture(tmp_path("missing.pcap"), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK(has(sm.msg, "missing.pcap: cannot open: "));

    read_capture(tmpdir, &sm);
    CHECK_INT(sm.rc, -1);
    CHECK(has(sm.msg, "is a directory"));

    read_capture(save("log.pcap", "127.0.0.1 - - [10/Oct/2025] \"GET /\" 200\n", 40), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK(has(sm.msg, "log.pcap: not a readable capture: "));

    read_capture(save("bad.gz", "\x1f\x8b\x08\x00garbage that does not inflate", 34), &sm);
    CHECK_INT(sm.rc, -1);
    CHECK(has(sm.msg, "bad.gz: corrupt gzip data"));

    /* random bytes: alone, after a pcap header and after a pcapng section header */
    static uint8_t f[8192];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned bad = 0, frames = 0;
    for (int round = 0; round < 60; round++) {
        size_t keep = round % 3 == 0 ? 0 : round % 3 == 1 ? 24 : 108 + 32;
        const uint8_t *hdr = orig;
        if (round % 3 == 2)
            keep = load(PCAPNG_FILE, f, sizeof f) ? 108 + 32 : 0; /* SHB + IDB */
        else
            memcpy(f, hdr, keep);
        size_t n = keep + (size_t)(round * 131 % 4000);
        for (size_t i = keep; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            f[i] = (uint8_t)x;
        }
        read_capture(save("random.pcap", f, n), &sm);
        if (sm.rc == -1 && !has(sm.msg, "random.pcap: "))
            bad++;
        if (round % 3 == 0 && sm.rc != -1)
            bad++;
        frames += (unsigned)sm.frames;
    }
    CHECK_INT(bad, 0);
    CHECK(frames < 60 * 4); /* random records rarely parse; nothing crashed to get here */
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_source_pcap.%d", (int)getpid());
    CHECK_INT(mkdir(tmpdir, 0700), 0);
    orig_n = load(PCAP_FILE, orig, sizeof orig);
    CHECK_INT(orig_n, 1977);
    test_pcap();
    test_gzip();
    test_pcapng();
    test_stdin();
    test_big_endian_and_ns();
    test_raw_ip();
    test_is_capture();
    test_truncated();
    test_huge_caplen();
    test_not_captures();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    CHECK_INT(system(cmd), 0);
    return test_report();
}
