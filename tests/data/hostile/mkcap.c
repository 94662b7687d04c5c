/*
 * mkcap.c - hostile captures for tests/cli/hostile.sh (issue 8), built at
 * test time: `mkcap KIND FILE`. Each starts with one good HTTP exchange
 * (Ethernet, IPv4, TCP with its handshake) unless it is broken from its first
 * bytes; then the damage KIND names (pcap record headers that lie about their
 * length, pcapng blocks claiming 1 GiB or a length not a multiple of 4, an
 * HTTP body nested 10,000 deep, invalid UTF-8 in a request). Little-endian.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static int pcapng;
static uint32_t seq[2] = { 1000, 5000 };
static uint32_t ts_s = 1795341600;

static void le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xffff);
    le16(p + 2, v >> 16);
}

static void be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
    be16(p, v >> 16);
    be16(p + 2, v & 0xffff);
}

static void put(const void *p, size_t n)
{
    if (fwrite(p, 1, n, out) != n)
        exit(3);
}

static void file_header(uint32_t snaplen)
{
    uint8_t h[28];
    if (pcapng) {
        le32(h, 0x0A0D0D0A); /* section header block */
        le32(h + 4, 28);
        le32(h + 8, 0x1A2B3C4D);
        le16(h + 12, 1);
        le16(h + 14, 0);
        le32(h + 16, 0xffffffff); /* section length: unknown */
        le32(h + 20, 0xffffffff);
        le32(h + 24, 28);
        put(h, 28);
        le32(h, 1); /* interface description block: Ethernet */
        le32(h + 4, 20);
        le16(h + 8, 1);
        le16(h + 10, 0);
        le32(h + 12, snaplen);
        le32(h + 16, 20);
        put(h, 20);
        return;
    }
    le32(h, 0xa1b2c3d4);
    le16(h + 4, 2);
    le16(h + 6, 4);
    le32(h + 8, 0);
    le32(h + 12, 0);
    le32(h + 16, snaplen);
    le32(h + 20, 1); /* Ethernet */
    put(h, 24);
}

/* One record: caplen bytes of `frame` (len on the wire). */
static void record(const uint8_t *frame, uint32_t caplen, uint32_t len)
{
    static uint32_t us;
    uint8_t h[28];
    us += 1000;
    if (pcapng) {
        uint32_t pad = (4 - caplen % 4) % 4, total = 32 + caplen + pad;
        uint64_t t = (uint64_t)ts_s * 1000000 + us;
        le32(h, 6);
        le32(h + 4, total);
        le32(h + 8, 0);
        le32(h + 12, (uint32_t)(t >> 32));
        le32(h + 16, (uint32_t)t);
        le32(h + 20, caplen);
        le32(h + 24, len);
        put(h, 28);
        put(frame, caplen);
        put("\0\0\0", pad);
        le32(h, total);
        put(h, 4);
        return;
    }
    le32(h, ts_s);
    le32(h + 4, us);
    le32(h + 8, caplen);
    le32(h + 12, len);
    put(h, 16);
    put(frame, caplen);
}

static uint16_t cport = 40000;

/* A TCP segment from the client (dir 0) or the server (dir 1) into f;
 * returns the frame's size. */
static size_t build(uint8_t *f, int dir, unsigned flags, const char *data, size_t n)
{
    memset(f, 0, 54);
    static const uint8_t mac[2][6] = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 } };
    memcpy(f, mac[!dir], 6);
    memcpy(f + 6, mac[dir], 6);
    be16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *tcp = f + 34;
    ip[0] = 0x45;
    be16(ip + 2, (unsigned)(40 + n));
    ip[8] = 64;
    ip[9] = 6;
    uint8_t a[2][4] = { { 10, 0, 0, 1 }, { 10, 0, 0, 2 } };
    memcpy(ip + 12, a[dir], 4);
    memcpy(ip + 16, a[!dir], 4);
    be16(tcp, dir ? 80 : cport);
    be16(tcp + 2, dir ? cport : 80);
    be32(tcp + 4, seq[dir]);
    be32(tcp + 8, (flags & 0x10) ? seq[!dir] : 0);
    tcp[12] = 5 << 4;
    tcp[13] = (uint8_t)flags;
    be16(tcp + 14, 65535);
    if (n)
        memcpy(f + 54, data, n);
    seq[dir] += (uint32_t)n + ((flags & 0x03) ? 1 : 0);
    return 54 + n;
}

static void segment(int dir, unsigned flags, const char *data, size_t n)
{
    static uint8_t f[2000];
    size_t k = build(f, dir, flags, data, n);
    record(f, (uint32_t)k, (uint32_t)k);
}

static void send_all(int dir, const char *p, size_t n)
{
    for (size_t k; n; p += k, n -= k) {
        k = n < 1400 ? n : 1400;
        segment(dir, 0x18, p, k);
    }
}

/* An exchange: a POST of `body`, a 200 with a JSON id. */
static void exchange(const char *path, const char *agent, const char *body, size_t body_n)
{
    char head[4096];
    int k = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\nHost: x\r\nUser-Agent: %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     path, agent, body_n);
    send_all(0, head, (size_t)k);
    send_all(0, body, body_n);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               "Content-Length: 21\r\n\r\n{\"id\":\"chatcmpl-abc\"}";
    send_all(1, resp, sizeof resp - 1);
}

static void good(void)
{
    segment(0, 0x02, NULL, 0);
    segment(1, 0x12, NULL, 0);
    segment(0, 0x10, NULL, 0);
    static const char body[] = "{\"model\":\"m1\",\"messages\":[]}";
    exchange("/v1/chat/completions", "curl/8.0", body, sizeof body - 1);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    const char *kind = argv[1];
    pcapng = strncmp(kind, "ng-", 3) == 0;
    out = fopen(argv[2], "wb");
    if (!out)
        return 3;
    static uint8_t big[70000];
    uint8_t h[32];
    if (strcmp(kind, "ng-shb-1g") == 0 || strcmp(kind, "ng-shb-odd") == 0) {
        uint32_t total = kind[7] == '1' ? 1u << 30 : 30;
        le32(h, 0x0A0D0D0A);
        le32(h + 4, total);
        le32(h + 8, 0x1A2B3C4D);
        le16(h + 12, 1);
        le16(h + 14, 0);
        le32(h + 16, 0xffffffff);
        le32(h + 20, 0xffffffff);
        le32(h + 24, total);
        put(h, 28);
        put(big, 4096);
        return fclose(out) != 0;
    }
    file_header(kind[0] == 's' ? 1500 : 65535);
    good();
    if (strcmp(kind, "good") == 0 || strcmp(kind, "ng-good") == 0) {
    } else if (strcmp(kind, "snaplen") == 0) { /* caplen 2000 > the file's snaplen 1500 */
        cport = 40001;
        memset(big, 'A', 1946);
        record(big, (uint32_t)build(big, 0, 0x18, (const char *)big + 54, 1946), 2000);
        cport = 40002;
        good();
    } else if (strcmp(kind, "caplen-len") == 0) { /* caplen 200 > len 100 */
        cport = 40001;
        memset(big + 54, 'A', 146);
        record(big, (uint32_t)build(big, 0, 0x18, (const char *)big + 54, 146), 100);
        cport = 40002;
        good();
    } else if (strcmp(kind, "caplen-2g") == 0) { /* caplen 2^31 */
        le32(h, ts_s);
        le32(h + 4, 0);
        le32(h + 8, 0x80000000u);
        le32(h + 12, 0x80000000u);
        put(h, 16);
        put(big, 4096);
    } else if (strcmp(kind, "ng-epb-1g") == 0) { /* an EPB claiming 1 GiB */
        le32(h, 6);
        le32(h + 4, 1u << 30);
        le32(h + 8, 0);
        le32(h + 12, 0);
        le32(h + 16, 0);
        le32(h + 20, (1u << 30) - 32);
        le32(h + 24, (1u << 30) - 32);
        put(h, 28);
        put(big, 4096);
    } else if (strcmp(kind, "ng-epb-odd") == 0) { /* an EPB of 61 bytes */
        le32(h, 6);
        le32(h + 4, 61);
        le32(h + 8, 0);
        le32(h + 12, 0);
        le32(h + 16, 0);
        le32(h + 20, 29);
        le32(h + 24, 29);
        put(h, 28);
        put(big, 29);
        le32(h, 61);
        put(h, 4);
        good();
    } else if (strcmp(kind, "deep") == 0 || strcmp(kind, "ng-deep") == 0) {
        size_t n = 0;
        char *b = malloc(30000);
        n += (size_t)sprintf(b, "{\"model\":\"deep\",\"x\":");
        memset(b + n, '[', 10000);
        n += 10000;
        memset(b + n, ']', 10000);
        n += 10000;
        b[n++] = '}';
        exchange("/v1/chat/completions", "deep/1.0", b, n);
        free(b);
    } else if (strcmp(kind, "utf8") == 0) { /* invalid UTF-8 in the path, agent and model */
        static const char body[] = "{\"model\":\"m\xff\xc0\xaf\xed\xa0\x80\",\"messages\":[]}";
        exchange("/v1/chat/completions", "agent-\xf4\x90\x80\x80-\xc3(-\x80", body,
                 sizeof body - 1);
        exchange("/v1/chat/completions?x=\xfe\xff", "\xe2\x82", body, sizeof body - 1);
    } else {
        fprintf(stderr, "mkcap: unknown kind %s\n", kind);
        return 2;
    }
    return fclose(out) != 0;
}
