/*
 * fuzz_access.c - libFuzzer target for the access-log decoder and the time
 * parsers (decoders stage). The first byte picks a format (or says that the
 * first line is one); every other line is copied into an exact-size buffer and
 * decoded. The whole input is also compiled as an nginx and an Apache format,
 * and offered to decode_choose() as an input's head.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "utc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct logformat formats[] = {
    { "combined",
      SPAN_LIT("$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
               "\"$http_referer\" \"$http_user_agent\""),
      LOGFORMAT_NGINX },
    { "common",
      SPAN_LIT("$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent"),
      LOGFORMAT_NGINX },
    { "custom",
      SPAN_LIT("$remote_addr [$time_local] \"$request\" $status $request_time $request_id $msec "
               "$time_iso8601 \"$http_x_request_id\" \"$sent_http_x_result_id\" "
               "$upstream_response_time $uri$is_args$args"),
      LOGFORMAT_NGINX },
    { "apache", SPAN_LIT("%h %l %u %t \\\"%r\\\" %>s %b %D"), LOGFORMAT_APACHE },
    { "apache_id",
      SPAN_LIT("%h %l %u %t \"%r\" %>s %b %{ms}T \"%{X-Request-Id}i\" %U%q "
               "%{end:%d/%b/%Y %T}t.%{end:msec_frac}t %{end:%z}t %{msec}t"),
      LOGFORMAT_APACHE },
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

static void decode_lines(const struct decode_logformat *f, struct span rest)
{
    static struct event ev;
    struct span line;
    while (rest.n) {
        span_cut(&rest, '\n', &line);
        /* Exact-size copies: a read past a line's end is an ASan report. */
        char *copy = malloc(line.n ? line.n : 1);
        char *scratch = malloc(2 * line.n + 1024);
        if (line.n)
            memcpy(copy, line.p, line.n);
        struct span l = { copy, line.n };
        const char *reason = NULL;
        if (decode_logformat_run(f, l, &ev, scratch, &reason) == DECODE_SKIP && !reason)
            abort(); /* a skip always says why */
        for (unsigned i = 0; i < ev.n_attrs && ev.n_attrs <= LIMIT_ATTRS; i++) {
            volatile size_t sum = 0;
            for (size_t k = 0; k < ev.attrs[i].value.n; k++)
                sum += (unsigned char)ev.attrs[i].value.p[k]; /* every value readable */
            for (size_t k = 0; k < ev.attrs[i].name.n; k++)
                sum += (unsigned char)ev.attrs[i].name.p[k];
            (void)sum;
        }
        int64_t us;
        (void)utc_parse_any(l, &us);
        char out[32], dur[24];
        utc_format(us, true, out);
        utc_format_duration(us, dur);
        free(scratch);
        free(copy);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct arena *a = arena_new(1 << 16);
    struct span rest = { (const char *)data + 1, size - 1 };
    unsigned pick = data[0] % (N_FORMATS + 2);
    unsigned off;
    const char *msg;

    struct decode_logformat *f = NULL;
    if (pick < N_FORMATS) {
        f = decode_logformat_compile(a, formats[pick].text, formats[pick].kind, &off, &msg);
        if (!f)
            abort(); /* the fixed formats compile */
    } else {
        struct span first;
        span_cut(&rest, '\n', &first);
        enum logformat_kind kind = pick == N_FORMATS ? LOGFORMAT_NGINX : LOGFORMAT_APACHE;
        f = decode_logformat_compile(a, first, kind, &off, &msg);
        if (!f && (!msg || off > first.n))
            abort(); /* an error has a message and an offset inside the text */
    }
    if (f)
        decode_lines(f, rest);

    /* The whole input as a format of either kind. */
    struct span all = { (const char *)data, size };
    if (!decode_logformat_compile(a, all, LOGFORMAT_NGINX, &off, &msg) && off > size)
        abort();
    if (!decode_logformat_compile(a, all, LOGFORMAT_APACHE, &off, &msg) && off > size)
        abort();

    /* The whole input as the head of a file, with the fixed formats declared;
     * for first bytes >= 0xf0, then one line through the chosen decoder (which
     * makes its 2 MiB scratch: ~14 ms under ASan, so not for every input). */
    {
        struct decode_options opt = { .formats = formats, .n_formats = N_FORMATS };
        const struct decoder *dec;
        struct decoder_state *st;
        struct err e;
        if (decode_choose(&opt, "fuzz", all, a, &dec, &st, &e) == 0) {
            if (!dec->format_name(st))
                abort();
            static struct event ev;
            const char *reason;
            struct span first = all, line;
            span_cut(&first, '\n', &line);
            if (data[0] >= 0xf0 && dec->line(st, line, &ev, &reason) == DECODE_SKIP && !reason)
                abort();
        }
    }
    arena_free(a);
    return 0;
}
