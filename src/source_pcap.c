/*
 * source_pcap.c - pcap and pcapng captures as frames (sources stage, issue 7).
 * libpcap parses the file formats (pcap-savefile(5), draft-ietf-opsawg-pcapng)
 * and refuses records that lie about their lengths; this file feeds it a FILE*
 * made with fopencookie(3) over a file descriptor, inflating gzip (RFC 1952,
 * concatenated members included) with zlib on the way, so that standard input
 * and compressed captures read like files and the compressed bytes are counted.
 */
#define _GNU_SOURCE /* fopencookie(3): glibc; in this file only */

#include <errno.h>
#include <fcntl.h>
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "arena.h"
#include "source.h"

#define CAPTURE_IN_BLOCK (256u << 10) /* compressed bytes asked of read(2) at once */
#define CAPTURE_IO_BLOCK (256u << 10) /* stdio buffer between the cookie and libpcap */

/* The byte stream libpcap reads: a file descriptor, plain or gzip'd. */
struct capture_in {
    int fd;
    bool is_stdin; /* fd 0 is not ours to close */
    bool is_gzip;
    bool raw_eof;    /* read(2) returned 0 */
    bool member_end; /* inflate finished a gzip member */
    z_stream zs;
    unsigned char *in; /* owned: bytes read, waiting for inflate (or peeked) */
    size_t pos, end;   /* plain input: peeked bytes not yet handed out */
    uint64_t bytes;    /* bytes read from fd (compressed size for gzip) */
    char why[120];     /* a gzip fault libpcap only sees as EIO; "" if none */
};

struct source_capture {
    const char *path; /* borrowed: argv ("-" for standard input) */
    struct capture_in ci;
    FILE *fp;    /* cookie stream over ci; pcap_close() closes it */
    char *iobuf; /* owned: fp's stdio buffer, freed after fp */
    pcap_t *pc;
    uint64_t frames;
};

/* read(2) that retries on EINTR; returns bytes, 0 at end, -1 on error. */
static ssize_t read_some(int fd, void *p, size_t n)
{
    for (;;) {
        ssize_t k = read(fd, p, n);
        if (k >= 0 || errno != EINTR)
            return k;
    }
}

static ssize_t read_raw(struct capture_in *ci, void *p, size_t n)
{
    ssize_t k = read_some(ci->fd, p, n);
    if (k > 0)
        ci->bytes += (uint64_t)k;
    else if (k == 0)
        ci->raw_eof = true;
    return k;
}

static ssize_t gzip_fault(struct capture_in *ci, const char *what)
{
    snprintf(ci->why, sizeof ci->why, "%s", what);
    errno = EIO;
    return -1;
}

/* Inflate into the caller's buffer: at least one byte, 0 at the end, -1. */
static ssize_t read_gzip(struct capture_in *ci, char *buf, size_t size)
{
    ci->zs.next_out = (unsigned char *)buf;
    ci->zs.avail_out = size > UINT32_MAX ? UINT32_MAX : (uInt)size;
    uInt want = ci->zs.avail_out;
    while (ci->zs.avail_out == want) {
        if (ci->zs.avail_in == 0 && !ci->raw_eof) {
            ssize_t k = read_raw(ci, ci->in, CAPTURE_IN_BLOCK);
            if (k < 0)
                return -1; /* errno from read(2) */
            ci->zs.next_in = ci->in;
            ci->zs.avail_in = (uInt)k;
        }
        if (ci->member_end) {
            if (ci->zs.avail_in == 0)
                return 0; /* the last member ended with the input */
            /* RFC 1952 §2.2: a gzip file is a series of members */
            if (inflateReset(&ci->zs) != Z_OK)
                return gzip_fault(ci, "cannot restart inflate");
            ci->member_end = false;
        }
        if (ci->zs.avail_in == 0 && ci->raw_eof)
            return gzip_fault(ci, "gzip data truncated");
        int rc = inflate(&ci->zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            ci->member_end = true;
        } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
            char msg[100];
            snprintf(msg, sizeof msg, "corrupt gzip data (%s)",
                     ci->zs.msg ? ci->zs.msg : "bad header");
            return gzip_fault(ci, msg);
        } else if (rc == Z_MEM_ERROR) {
            return gzip_fault(ci, "out of memory in inflate");
        } /* Z_OK or Z_BUF_ERROR: more input wanted, loop */
    }
    return (ssize_t)(want - ci->zs.avail_out);
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    struct capture_in *ci = cookie;
    if (size == 0)
        return 0;
    if (ci->is_gzip)
        return read_gzip(ci, buf, size);
    if (ci->pos < ci->end) { /* the bytes peeked for the magic number */
        size_t k = ci->end - ci->pos < size ? ci->end - ci->pos : size;
        memcpy(buf, ci->in + ci->pos, k);
        ci->pos += k;
        return (ssize_t)k;
    }
    return read_raw(ci, buf, size);
}

/* The descriptor and buffers belong to struct source_capture, freed after
 * pcap_close() has fclose()d the stream. */
static int cookie_close(void *cookie)
{
    (void)cookie;
    return 0;
}

bool source_is_capture(struct span head)
{
    static const uint8_t magic[][4] = {
        { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 }, /* pcap µs, LE and BE */
        { 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d }, /* pcap ns, LE and BE */
        { 0x0a, 0x0d, 0x0d, 0x0a },                             /* pcapng section header */
    };
    if (head.n < 4)
        return false;
    for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
        if (memcmp(head.p, magic[i], 4) == 0)
            return true;
    return false;
}

static void capture_free(struct source_capture *c)
{
    if (c->pc)
        pcap_close(c->pc); /* fclose()s c->fp */
    else if (c->fp)
        fclose(c->fp);
    if (c->ci.is_gzip)
        inflateEnd(&c->ci.zs);
    if (c->ci.fd >= 0 && !c->ci.is_stdin)
        close(c->ci.fd);
    free(c->iobuf);
    free(c->ci.in);
    free(c);
}

/* Open the descriptor and read the first two bytes to tell gzip from plain. */
static int capture_in_open(struct source_capture *c, struct err *e)
{
    struct capture_in *ci = &c->ci;
    ci->is_stdin = c->path[0] == '-' && c->path[1] == 0;
    ci->fd = ci->is_stdin ? 0 : open(c->path, O_RDONLY | O_CLOEXEC);
    if (ci->fd < 0)
        return err_at(e, EXIT_USAGE, c->path, 0, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(ci->fd, &st) == 0 && S_ISDIR(st.st_mode))
        return err_at(e, EXIT_USAGE, c->path, 0, 0, "is a directory, not a capture");
    ci->in = xmalloc(CAPTURE_IN_BLOCK);
    while (ci->end < 2 && !ci->raw_eof) {
        ssize_t k = read_raw(ci, ci->in + ci->end, 2 - ci->end);
        if (k < 0)
            return err_at(e, EXIT_USAGE, c->path, 0, 0, "cannot read: %s", strerror(errno));
        ci->end += (size_t)k;
    }
    if (ci->end == 2 && ci->in[0] == 0x1f && ci->in[1] == 0x8b) {
        if (inflateInit2(&ci->zs, 15 + 16) != Z_OK) /* 16: gzip wrapper only */
            return err_at(e, EXIT_INTERNAL, c->path, 0, 0, "cannot start inflate");
        ci->is_gzip = true;
        ci->zs.next_in = ci->in;
        ci->zs.avail_in = (uInt)ci->end;
        ci->end = 0;
    }
    return 0;
}

struct source_capture *source_capture_open(const char *path, struct err *e)
{
    struct source_capture *c = xcalloc(1, sizeof *c);
    c->path = path;
    c->ci.fd = -1;
    if (capture_in_open(c, e) < 0) {
        capture_free(c);
        return NULL;
    }
    cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
    c->fp = fopencookie(&c->ci, "r", io);
    if (!c->fp) {
        err_at(e, EXIT_INTERNAL, path, 0, 0, "cannot make a stream: %s", strerror(errno));
        capture_free(c);
        return NULL;
    }
    c->iobuf = xmalloc(CAPTURE_IO_BLOCK);
    setvbuf(c->fp, c->iobuf, _IOFBF, CAPTURE_IO_BLOCK);
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    /* MICRO: libpcap scales nanosecond captures down (truncating) for us */
    c->pc = pcap_fopen_offline_with_tstamp_precision(c->fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!c->pc) {
        const char *why = c->ci.why[0] ? c->ci.why : errbuf;
        if (c->ci.raw_eof && c->ci.bytes == 0)
            why = "empty file";
        err_at(e, EXIT_USAGE, path, 0, 0, "not a readable capture: %s", why);
        capture_free(c);
        return NULL;
    }
    return c;
}

int source_capture_linktype(const struct source_capture *c)
{
    /* libpcap maps a file's LINKTYPE_ number to the platform's DLT_ one;
     * they differ where BSDs disagreed (tcpdump.org/linktypes.html): map back */
    int dlt = pcap_datalink(c->pc);
    if (dlt == DLT_RAW) /* 12 on Linux, 14 on OpenBSD */
        return 101;     /* LINKTYPE_RAW */
    if (dlt == DLT_LOOP)
        return 108; /* LINKTYPE_LOOP */
    if (dlt == DLT_ATM_RFC1483)
        return 100; /* LINKTYPE_ATM_RFC1483 */
    return dlt;
}

int source_capture_next(struct source_capture *c, const uint8_t **p, size_t *caplen, size_t *len,
                        int64_t *ts_us, struct err *e)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(c->pc, &h, &data);
    if (rc == PCAP_ERROR_BREAK) /* -2: no more records */
        return 0;
    unsigned long long rec = (unsigned long long)c->frames + 1;
    if (rc != 1) { /* 0 (timeout) is for live captures only */
        const char *why = c->ci.why[0] ? c->ci.why : pcap_geterr(c->pc);
        return err_at(e, EXIT_USAGE, c->path, 0, 0, "damaged capture at record %llu: %s", rec, why);
    }
    int64_t us;
    if (__builtin_mul_overflow((int64_t)h->ts.tv_sec, (int64_t)1000000, &us) ||
        __builtin_add_overflow(us, (int64_t)h->ts.tv_usec, &us))
        return err_at(e, EXIT_USAGE, c->path, 0, 0,
                      "damaged capture at record %llu: timestamp out of range", rec);
    c->frames++;
    *p = data;
    *caplen = h->caplen;
    *len = h->len;
    *ts_us = us;
    return 1;
}

uint64_t source_capture_bytes(const struct source_capture *c) { return c->ci.bytes; }

uint64_t source_capture_frames(const struct source_capture *c) { return c->frames; }

void source_capture_close(struct source_capture *c)
{
    if (c)
        capture_free(c);
}
