/*
 * source_pcap.c - pcap and pcapng captures as frames (sources stage, issue 7).
 * libpcap parses the file formats (pcap-savefile(5), draft-ietf-opsawg-pcapng)
 * and refuses records that lie about their lengths; this file feeds it a FILE*
 * made with fopencookie(3) over an open struct source (source_read): the same
 * reader as for logs, so files, standard input and gzip (concatenated members
 * included) read alike, the bytes peeked for detection are not lost, and the
 * compressed bytes are counted in the source's stats.
 */
#define _GNU_SOURCE /* fopencookie(3): glibc; in this file only */

#include <errno.h>
#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "source.h"

const char *const source_capture_count_names[CAP_COUNT] = {
    "packets", "streams",   "exchanges", "incomplete", "bytes_skipped",
    "not_tcp", "fragments", "malformed", "evicted", "bodies_unread",
};

#define CAPTURE_IO_BLOCK (256u << 10) /* stdio buffer between the cookie and libpcap */

struct source_capture {
    struct source *src; /* borrowed: the caller closes it after us */
    const char *path;   /* borrowed: argv ("-" for standard input) */
    FILE *fp;           /* cookie stream over src; pcap_close() closes it */
    char *iobuf;        /* owned: fp's stdio buffer, freed after fp */
    pcap_t *pc;
    uint64_t frames;
    struct err rerr;    /* the source's own error (corrupt gzip, I/O): libpcap sees EIO */
    bool failed;
};

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    struct source_capture *c = cookie;
    size_t got = 0;
    if (c->failed)
        return -1;
    if (source_read(c->src, buf, size, &got, &c->rerr) < 0) {
        c->failed = true;
        errno = EIO;
        return -1;
    }
    return (ssize_t)got;
}

/* The buffers belong to struct source_capture, freed after pcap_close() has
 * fclose()d the stream. */
static int cookie_close(void *cookie)
{
    (void)cookie;
    return 0;
}

/* Why a read failed: the source's message (without its "FILE: "), else libpcap's. */
static const char *why_of(struct source_capture *c, const char *pcap_why)
{
    return c->failed && c->rerr.msg[0] ? c->rerr.msg : pcap_why;
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
    free(c->iobuf);
    free(c);
}

struct source_capture *source_capture_open(struct source *src, struct err *e)
{
    struct source_capture *c = xcalloc(1, sizeof *c);
    c->src = src;
    c->path = source_stats(src)->path;
    cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
    c->fp = fopencookie(c, "r", io);
    if (!c->fp) {
        err_at(e, EXIT_INTERNAL, c->path, 0, 0, "cannot make a stream: %s", strerror(errno));
        capture_free(c);
        return NULL;
    }
    c->iobuf = xmalloc(CAPTURE_IO_BLOCK);
    setvbuf(c->fp, c->iobuf, _IOFBF, CAPTURE_IO_BLOCK);
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    /* MICRO: libpcap scales nanosecond captures down (truncating) for us */
    c->pc = pcap_fopen_offline_with_tstamp_precision(c->fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!c->pc) {
        const char *why = why_of(c, errbuf);
        if (!c->failed && source_stats(src)->bytes == 0)
            why = "empty file";
        err_at(e, c->failed ? c->rerr.exit_code : EXIT_USAGE, c->path, 0, 0,
               "not a readable capture: %s", why);
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
        const char *why = why_of(c, pcap_geterr(c->pc));
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

uint64_t source_capture_bytes(const struct source_capture *c)
{
    return source_stats(c->src)->bytes;
}

uint64_t source_capture_frames(const struct source_capture *c) { return c->frames; }

void source_capture_close(struct source_capture *c)
{
    if (c)
        capture_free(c);
}
