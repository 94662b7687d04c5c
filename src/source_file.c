/*
 * source_file.c - files and standard input as lines (sources stage). Reads in
 * LIMIT_READ_BLOCK blocks into one buffer and hands out spans into it; gzip
 * (RFC 1952, told by its magic number 1f 8b, concatenated members included) is
 * inflated with zlib into the same buffer. A line longer than LIMIT_LINE is
 * skipped whole, however long, without growing the buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "arena.h"
#include "source.h"

#define GZ_IN_BLOCK (256u << 10)

struct source {
    int fd;
    const char *path;      /* borrowed: argv */
    bool is_gzip, raw_eof, eof, in_long_line;
    z_stream zs;
    unsigned char *zin;    /* compressed bytes waiting for inflate */
    char *buf;             /* owned: lines live here */
    size_t cap, start, end;
    uint64_t base;         /* offset in the (inflated) content of buf[0] */
    bool hold_partial;     /* a last line without its end of line waits */
    uint64_t line_no;
    struct source_stats stats;
};

static const char reason_long[] = "line longer than 1 MiB (LIMIT_LINE)";

static int io_error(struct source *s, struct err *e, const char *what)
{
    return err_at(e, EXIT_INTERNAL, s->path, 0, 0, "%s: %s", what, strerror(errno));
}

/* read(2) that retries on EINTR; returns bytes, 0 at end, -1 on error. */
static ssize_t read_some(int fd, void *p, size_t n)
{
    for (;;) {
        ssize_t k = read(fd, p, n);
        if (k >= 0 || errno != EINTR)
            return k;
    }
}

struct source *source_open(const char *path, struct err *e)
{
    int fd = 0;
    bool is_stdin = path[0] == '-' && path[1] == 0;
    if (!is_stdin) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            err_at(e, EXIT_USAGE, path, 0, 0, "cannot open: %s", strerror(errno));
            return NULL;
        }
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (!is_stdin)
            close(fd);
        err_at(e, EXIT_USAGE, path, 0, 0, "is a directory, not a log or capture");
        return NULL;
    }
    struct source *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->path = path;
    s->cap = LIMIT_READ_BLOCK + LIMIT_LINE + 2;
    s->buf = xmalloc(s->cap);
    s->stats.path = path;
    return s;
}

/* Read raw bytes into `dst`; counts them. */
static int raw_read(struct source *s, void *dst, size_t n, size_t *got, struct err *e)
{
    ssize_t k = read_some(s->fd, dst, n);
    if (k < 0)
        return io_error(s, e, "cannot read");
    if (k == 0)
        s->raw_eof = true;
    s->stats.bytes += (uint64_t)k;
    *got = (size_t)k;
    return 0;
}

static int gz_start(struct source *s, struct err *e)
{
    s->is_gzip = true;
    s->stats.is_gzip = true;
    /* The bytes already read (up to a whole read block) are compressed: they
     * move to zlib's input buffer, which must hold them all. */
    size_t n = s->end - s->start;
    s->zin = xmalloc(n > GZ_IN_BLOCK ? n : GZ_IN_BLOCK);
    memcpy(s->zin, s->buf + s->start, n);
    s->start = s->end = 0;
    s->base = 0; /* offsets count inflated bytes */
    memset(&s->zs, 0, sizeof s->zs);
    if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK)
        return err_at(e, EXIT_INTERNAL, s->path, 0, 0, "cannot start zlib");
    s->zs.next_in = s->zin;
    s->zs.avail_in = (uInt)n;
    return 0;
}

/* Inflate into buf[end..cap); sets eof at the end of the last member. */
static int gz_fill(struct source *s, struct err *e)
{
    size_t room = s->cap - s->end;
    s->zs.next_out = (unsigned char *)s->buf + s->end;
    s->zs.avail_out = (uInt)room;
    while (s->zs.avail_out == room) {
        if (s->zs.avail_in == 0 && !s->raw_eof) {
            size_t got = 0;
            if (raw_read(s, s->zin, GZ_IN_BLOCK, &got, e) < 0)
                return -1;
            s->zs.next_in = s->zin;
            s->zs.avail_in = (uInt)got;
        }
        if (s->zs.avail_in == 0 && s->raw_eof) {
            if (s->zs.total_in != 0 || s->zs.total_out != 0)
                return err_at(e, EXIT_USAGE, s->path, 0, 0,
                              "gzip data ends early (truncated file)");
            s->eof = true;
            break;
        }
        int rc = inflate(&s->zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            /* Another member may follow (cat a.gz b.gz): start it afresh. */
            inflateReset(&s->zs);
            s->zs.total_in = s->zs.total_out = 0;
            if (s->zs.avail_in == 0 && s->raw_eof)
                s->eof = true;
            if (s->eof)
                break;
            continue;
        }
        if (rc == Z_BUF_ERROR && s->zs.avail_in == 0)
            continue; /* needs input */
        if (rc != Z_OK)
            return err_at(e, EXIT_USAGE, s->path, 0, 0, "corrupt gzip data: %s",
                          s->zs.msg ? s->zs.msg : "inflate failed");
    }
    s->end += room - s->zs.avail_out;
    return 0;
}

/* Make more bytes available after buf[end]; compacts first. */
static int fill(struct source *s, struct err *e)
{
    if (s->start > 0) {
        memmove(s->buf, s->buf + s->start, s->end - s->start);
        s->end -= s->start;
        s->base += s->start;
        s->start = 0;
    }
    if (s->end == s->cap)
        return 0;
    if (s->is_gzip)
        return gz_fill(s, e);
    bool first = s->stats.bytes == 0;
    size_t got = 0;
    do { /* the magic number needs two bytes, and a pipe may give one */
        if (raw_read(s, s->buf + s->end, s->cap - s->end - 1, &got, e) < 0)
            return -1;
        s->end += got;
    } while (first && got > 0 && s->end < 2);
    if (got == 0)
        s->eof = true;
    if (first && s->end >= 2 && (unsigned char)s->buf[0] == 0x1f &&
        (unsigned char)s->buf[1] == 0x8b) {
        s->eof = false;
        return gz_start(s, e) < 0 ? -1 : gz_fill(s, e);
    }
    return 0;
}

int source_peek(struct source *s, size_t want, struct span *head, struct err *e)
{
    if (want > LIMIT_READ_BLOCK)
        want = LIMIT_READ_BLOCK;
    while (s->end - s->start < want && !s->eof)
        if (fill(s, e) < 0)
            return -1;
    size_t n = s->end - s->start;
    *head = (struct span){ s->buf + s->start, n < want ? n : want };
    return 0;
}

int source_read(struct source *s, void *dst, size_t n, size_t *got, struct err *e)
{
    *got = 0;
    while (s->end == s->start && !s->eof)
        if (fill(s, e) < 0)
            return -1;
    size_t k = s->end - s->start;
    if (k > n)
        k = n;
    if (k)
        memcpy(dst, s->buf + s->start, k);
    s->start += k;
    *got = k;
    return 0;
}

int source_next_line(struct source *s, struct span *line, struct err *e)
{
    for (;;) {
        char *p = s->buf + s->start;
        size_t n = s->end - s->start;
        char *nl = n ? memchr(p, '\n', n) : NULL;
        if (s->in_long_line) {
            /* Inside an over-long line: drop bytes up to its end. */
            if (nl) {
                s->start += (size_t)(nl - p) + 1;
                s->in_long_line = false;
                continue;
            }
            s->start = s->end;
            if (s->eof)
                return 0;
            if (fill(s, e) < 0)
                return -1;
            continue;
        }
        if (nl || (s->eof && n > 0 && !s->hold_partial)) {
            size_t k = nl ? (size_t)(nl - p) : n;
            s->start += nl ? k + 1 : k;
            s->line_no++;
            s->stats.lines++;
            if (k && p[k - 1] == '\r')
                k--;
            if (k > LIMIT_LINE) {
                source_skip(s, s->line_no, reason_long);
                continue;
            }
            *line = (struct span){ p, k };
            return 1;
        }
        if (s->eof)
            return 0;
        /* Too long already, even if a '\r' read last is the end of a CRLF. */
        if (n > (size_t)LIMIT_LINE + 1 || (n == (size_t)LIMIT_LINE + 1 && p[LIMIT_LINE] != '\r')) {
            s->line_no++;
            s->stats.lines++;
            source_skip(s, s->line_no, reason_long);
            s->in_long_line = true;
            s->start = s->end;
            continue;
        }
        if (fill(s, e) < 0)
            return -1;
    }
}

uint64_t source_offset(const struct source *s)
{
    return s->base + s->start;
}

void source_hold_partial(struct source *s, bool hold)
{
    s->hold_partial = hold;
}

bool source_file_id(const struct source *s, uint64_t *dev, uint64_t *ino, uint64_t *size)
{
    struct stat st;
    if (s->path[0] == '-' && s->path[1] == 0)
        return false;
    if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    *dev = (uint64_t)st.st_dev;
    *ino = (uint64_t)st.st_ino;
    *size = (uint64_t)st.st_size;
    return true;
}

int source_seek(struct source *s, uint64_t offset, uint64_t lines_before, struct err *e)
{
    if (offset < s->base + s->start)
        return err_at(e, EXIT_INTERNAL, s->path, 0, 0, "cannot seek back to byte %llu",
                      (unsigned long long)offset);
    if (!s->is_gzip && offset > s->base + s->end) {
        /* Past what is buffered: let the kernel skip it. */
        if (lseek(s->fd, (off_t)offset, SEEK_SET) < 0)
            return io_error(s, e, "cannot seek");
        s->start = s->end = 0;
        s->base = offset;
        s->eof = s->raw_eof = false;
    }
    while (s->base + s->end < offset && !s->eof) {
        s->start = s->end; /* inflated bytes already read: dropped */
        if (fill(s, e) < 0)
            return -1;
    }
    uint64_t at = offset - s->base;
    s->start = at < s->end ? (size_t)at : s->end;
    s->line_no = lines_before;
    s->stats.lines = lines_before;
    return 0;
}

void source_skip(struct source *s, uint64_t line, const char *reason)
{
    s->stats.skipped++;
    if (s->stats.n_errors < LIMIT_FIRST_ERRORS)
        s->stats.errors[s->stats.n_errors++] = (struct source_error){ line, reason };
}

struct source_stats *source_stats(struct source *s)
{
    return &s->stats;
}

void source_close(struct source *s)
{
    if (!s)
        return;
    if (s->is_gzip) {
        inflateEnd(&s->zs);
        free(s->zin);
    }
    if (s->fd > 0)
        close(s->fd);
    free(s->buf);
    free(s);
}
