/*
 * stream_server.c - the tests' own HTTP/1.1 server (test tooling, not a pipeline
 * stage), for captures nginx cannot make (issue 7): responses in chunks with a
 * trailer, Server-Sent Events streamed the way the OpenAI and Anthropic APIs do
 * (one chunk per event, spread over time, `data: [DONE]`), pipelined requests
 * answered in order, chunked request bodies, `100 Continue`, HTTP/1.0
 * close-delimited bodies, HEAD, 204 and 304. Listens on 127.0.0.1 only, on a
 * port the kernel picks, printed on the first line of standard output; each
 * connection is served by a child process; everything ends after -t SECONDS
 * (default 120) or on SIGTERM.
 *
 *   POST /v1/chat/completions       JSON in 3 chunks + trailer; SSE if "stream":true
 *   GET  /v1/chat/completions/ID    the stored result (Content-Length)
 *   POST /v1/messages               Anthropic Messages; SSE with event: lines if streamed
 *   POST /v2/models/M/infer         KServe v2, with an id
 *   POST /v1/models/M:predict       TF Serving
 *   POST /predictions/M             TorchServe
 *   GET  /status  204    GET /cached  304    GET /legacy  HTTP/1.0, no length, close
 *   HEAD any path: 200 with a Content-Length and no body.  Anything else: 404.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REQ_MAX (1 << 20)  /* bytes of one request, head and body */
#define SSE_EVENTS 5       /* content events in a streamed answer */
#define SSE_GAP_MS 40      /* between two events: each leaves in its own segment */
#define IDLE_S 10          /* a keep-alive connection idle this long is closed */

static char buf[REQ_MAX + 1];
static size_t have;        /* bytes in buf */
static int fd;             /* the connection */
static unsigned served;    /* responses on this connection: ids stay unique */

static void die(const char *what)
{
    fprintf(stderr, "stream-server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* One write, all of it: with TCP_NODELAY each call leaves as its own segment. */
static void out(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            exit(0); /* the client went away */
        p += w;
        n -= (size_t)w;
    }
}

static void outs(const char *s)
{
    out(s, strlen(s));
}

static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void outf(const char *fmt, ...)
{
    char t[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof t)
        exit(2);
    out(t, (size_t)n);
}

static void chunk(const char *p)
{
    outf("%zx\r\n%s\r\n", strlen(p), p);
}

/* Read more bytes into buf; false at the end of the connection or idle. */
static bool fill(void)
{
    if (have >= REQ_MAX)
        return false;
    ssize_t r;
    do
        r = read(fd, buf + have, REQ_MAX - have);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return false;
    have += (size_t)r;
    buf[have] = 0;
    return true;
}

/* The value of header `name` (lower case, with ':') in head[0..n), or NULL. */
static const char *header(const char *head, size_t n, const char *name, size_t *len)
{
    size_t k = strlen(name);
    for (const char *p = head; p < head + n;) {
        const char *eol = memchr(p, '\n', (size_t)(head + n - p));
        if (!eol)
            break;
        if ((size_t)(eol - p) > k && strncasecmp(p, name, k) == 0) {
            const char *v = p + k;
            while (*v == ' ')
                v++;
            const char *e = eol;
            while (e > v && (e[-1] == '\r' || e[-1] == ' '))
                e--;
            *len = (size_t)(e - v);
            return v;
        }
        p = eol + 1;
    }
    return NULL;
}

static bool is(const char *v, size_t n, const char *want)
{
    return v && n == strlen(want) && strncasecmp(v, want, n) == 0;
}

/* ---- answers ---- */

static void sse_openai(const char *id, const char *model)
{
    outs("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
    static const char *const words[SSE_EVENTS] = { "The", " result", " is", " ready", "." };
    char ev[1024];
    for (int i = 0; i < SSE_EVENTS; i++) {
        sleep_ms(SSE_GAP_MS);
        snprintf(ev, sizeof ev,
                 "data: {\"id\":\"%s\",\"object\":\"chat.completion.chunk\",\"model\":\"%s\","
                 "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}]}\n\n",
                 id, model, words[i]);
        chunk(ev);
    }
    sleep_ms(SSE_GAP_MS);
    snprintf(ev, sizeof ev,
             "data: {\"id\":\"%s\",\"object\":\"chat.completion.chunk\",\"model\":\"%s\","
             "\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":%d,"
             "\"total_tokens\":%d}}\n\n",
             id, model, SSE_EVENTS, 11 + SSE_EVENTS);
    chunk(ev);
    sleep_ms(SSE_GAP_MS);
    chunk("data: [DONE]\n\n");
    outs("0\r\n\r\n");
}

static void sse_anthropic(const char *id)
{
    outs("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
    char ev[1024];
    snprintf(ev, sizeof ev,
             "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"%s\","
             "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-test\","
             "\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
             id);
    chunk(ev);
    for (int i = 0; i < SSE_EVENTS; i++) {
        sleep_ms(SSE_GAP_MS);
        chunk("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
              "\"delta\":{\"type\":\"text_delta\",\"text\":\"word \"}}\n\n");
    }
    sleep_ms(SSE_GAP_MS);
    chunk("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
          "\"end_turn\"},\"usage\":{\"output_tokens\":6}}\n\n");
    chunk("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    outs("0\r\n\r\n");
}

static void json_fixed(const char *body)
{
    outf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
         strlen(body), body);
}

/* The model named in a JSON body ("model":"..."), for the answers' ids. */
static void model_of(const char *body, size_t n, char *dst, size_t cap)
{
    snprintf(dst, cap, "none");
    const char *k = memmem(body, n, "\"model\":\"", 9);
    if (!k)
        return;
    k += 9;
    size_t i = 0;
    while (k + i < body + n && k[i] != '"' && i + 1 < cap && (k[i] == '-' || k[i] == '.' ||
           (k[i] >= '0' && k[i] <= '9') || (k[i] >= 'a' && k[i] <= 'z')))
        i++;
    memcpy(dst, k, i);
    dst[i] = 0;
}

static bool answer(const char *method, const char *path, const char *body, size_t body_n,
                   bool http10)
{
    char id[64], model[64], t[2048];
    snprintf(id, sizeof id, "%d-%u", (int)getpid(), ++served);
    model_of(body, body_n, model, sizeof model);
    bool streamed = memmem(body, body_n, "\"stream\":true", 13) != NULL;
    size_t pl = strlen(path);

    if (strcmp(method, "HEAD") == 0) {
        outs("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 42\r\n\r\n");
        return true;
    }
    if (strcmp(method, "POST") == 0 && strcmp(path, "/v1/chat/completions") == 0) {
        char cid[80];
        snprintf(cid, sizeof cid, "chatcmpl-%s", id);
        if (streamed) {
            sse_openai(cid, model);
            return true;
        }
        outs("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            "Trailer: X-Checksum\r\n\r\n");
        snprintf(t, sizeof t, "{\"id\":\"%s\",\"object\":\"chat.completion\",\"model\":\"%s\",",
                 cid, model);
        chunk(t);
        sleep_ms(10);
        chunk("\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
              "\"finish_reason\":\"stop\"}],");
        sleep_ms(10);
        chunk("\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}");
        outs("0\r\nX-Checksum: 7\r\n\r\n");
        return true;
    }
    if (strcmp(method, "GET") == 0 && strncmp(path, "/v1/chat/completions/", 21) == 0) {
        snprintf(t, sizeof t, "{\"id\":\"%s\",\"object\":\"chat.completion\",\"choices\":[]}",
                 path + 21);
        json_fixed(t);
        return true;
    }
    if (strcmp(method, "POST") == 0 && strcmp(path, "/v1/messages") == 0) {
        char mid[80];
        snprintf(mid, sizeof mid, "msg_%s", id);
        if (streamed) {
            sse_anthropic(mid);
            return true;
        }
        snprintf(t, sizeof t, "{\"id\":\"%s\",\"type\":\"message\",\"content\":[],"
                 "\"usage\":{\"input_tokens\":12,\"output_tokens\":4}}", mid);
        json_fixed(t);
        return true;
    }
    if (strcmp(method, "POST") == 0 && strncmp(path, "/v2/models/", 11) == 0 && pl > 17 &&
        strcmp(path + pl - 6, "/infer") == 0) {
        snprintf(t, sizeof t, "{\"id\":\"infer-%s\",\"model_name\":\"%.*s\",\"outputs\":"
                 "[{\"name\":\"p\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[0.5]}]}",
                 id, (int)(pl - 17), path + 11);
        json_fixed(t);
        return true;
    }
    if (strcmp(method, "POST") == 0 && strncmp(path, "/v1/models/", 11) == 0 && pl > 19 &&
        strcmp(path + pl - 8, ":predict") == 0) {
        json_fixed("{\"predictions\":[[0.25,0.75]]}");
        return true;
    }
    if (strcmp(method, "POST") == 0 && strncmp(path, "/predictions/", 13) == 0) {
        json_fixed("{\"label\":\"cat\",\"score\":0.9}");
        return true;
    }
    if (strcmp(path, "/status") == 0) {
        outs("HTTP/1.1 204 No Content\r\n\r\n");
        return true;
    }
    if (strcmp(path, "/cached") == 0) {
        outs("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
        return true;
    }
    if (strcmp(path, "/legacy") == 0) {
        outs("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n");
        sleep_ms(10);
        outs("an HTTP/1.0 body ");
        sleep_ms(10);
        outs("that ends when the connection does\n");
        return false;
    }
    (void)http10;
    outs("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 21\r\n"
         "\r\n{\"error\":\"not found\"}");
    return true;
}

/* Parse and answer requests on fd until it closes, idles or asks to close. */
static void serve(void)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = { IDLE_S, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (;;) {
        char *eoh;
        while (!(eoh = memmem(buf, have, "\r\n\r\n", 4)))
            if (!fill())
                return;
        size_t head_n = (size_t)(eoh - buf) + 4;
        char method[16], path[1024], version[16];
        if (sscanf(buf, "%15s %1023s %15s", method, path, version) != 3)
            return;
        bool http10 = strcmp(version, "HTTP/1.0") == 0;
        size_t vn;
        const char *v = header(buf, head_n, "content-length:", &vn);
        size_t clen = v ? (size_t)strtoul(v, NULL, 10) : 0;
        v = header(buf, head_n, "transfer-encoding:", &vn);
        bool chunked = is(v, vn, "chunked");
        v = header(buf, head_n, "connection:", &vn);
        bool close_after = http10 ? !is(v, vn, "keep-alive") : is(v, vn, "close");
        v = header(buf, head_n, "expect:", &vn);
        if (is(v, vn, "100-continue"))
            outs("HTTP/1.1 100 Continue\r\n\r\n");
        /* The body, moved down to buf[0..body_n); chunked bodies decoded in place. */
        size_t body_n = 0, used = head_n;
        if (chunked) {
            for (;;) {
                char *eol;
                while (!(eol = memmem(buf + used, have - used, "\r\n", 2)))
                    if (!fill())
                        return;
                size_t size = strtoul(buf + used, NULL, 16);
                used = (size_t)(eol - buf) + 2;
                if (size == 0) { /* trailers: up to the blank line */
                    char *end;
                    while (!(end = memmem(buf + used - 2, have - used + 2, "\r\n\r\n", 4)))
                        if (!fill())
                            return;
                    used = (size_t)(end - buf) + 4;
                    break;
                }
                while (have - used < size + 2)
                    if (!fill())
                        return;
                memmove(buf + head_n + body_n, buf + used, size);
                body_n += size;
                used += size + 2;
            }
        } else {
            while (have - head_n < clen)
                if (!fill())
                    return;
            body_n = clen;
            used = head_n + clen;
        }
        char body[8192];
        size_t keep = body_n < sizeof body ? body_n : sizeof body;
        memcpy(body, buf + head_n, keep);
        memmove(buf, buf + used, have - used); /* pipelined requests stay */
        have -= used;
        bool again = answer(method, path, body, keep, http10);
        if (!again || close_after)
            return;
    }
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    int limit = 120;
    if (argc == 3 && strcmp(argv[1], "-t") == 0)
        limit = atoi(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: stream-server [-t SECONDS]\n");
        return 2;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        die("socket");
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 64) < 0)
        die("bind/listen on 127.0.0.1");
    socklen_t al = sizeof a;
    if (getsockname(ls, (struct sockaddr *)&a, &al) < 0)
        die("getsockname");
    printf("%u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
    alarm((unsigned)limit);
    while (!stop) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR)
                continue;
            die("accept");
        }
        pid_t p = fork();
        if (p == 0) {
            close(ls);
            signal(SIGALRM, SIG_DFL);
            alarm((unsigned)limit);
            fd = c;
            serve();
            shutdown(fd, SHUT_RDWR);
            close(fd);
            _exit(0);
        }
        close(c);
    }
    return 0;
}
