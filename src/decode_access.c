/*
 * decode_access.c - nginx and Apache access logs (decoders stage). A format -
 * nginx log_format variables (ngx_http_log_module) or Apache LogFormat
 * directives (mod_log_config) - compiles once into ops: literal, field up to a
 * delimiter or of fixed width, quoted field. Each line runs the ops over spans;
 * only decoded escapes and made names ("query.a") are written, into scratch.
 */
#include <stdio.h>

#include "decode.h"
#include "limits.h"
#include "utc.h"

/* ---- the compiled program ---- */

enum op_kind {
    OP_LIT,    /* bytes that must be there */
    OP_FIELD,  /* a value up to a delimiter, or of a fixed width */
    OP_QUOTED, /* a value between '"', escapes honoured */
    OP_QMARK,  /* nginx $is_args: a '?' or nothing */
};

/* What a field's value becomes. */
enum var_kind {
    V_PLAIN,       /* attribute `name` (and `name2` when set) = the value */
    V_STATUS,      /* status, 3 digits */
    V_REQUEST,     /* "POST /v1/x?a=1 HTTP/1.1": request, method, path, query.*, protocol */
    V_REQUEST_URI, /* "/v1/x?a=1": request_uri, path, query.* */
    V_PATH,        /* $uri, %U: path */
    V_QUERY,       /* $args, %q ("?a=1"): query.* */
    V_CLF,         /* $time_local: the end */
    V_CLF_BR,      /* Apache %t "[10/Oct/2000:13:55:36 -0700]": the start */
    V_ISO,         /* $time_iso8601: the end */
    V_MSEC,        /* $msec "1700000000.123": the end */
    V_EPOCH,       /* %{sec|msec|usec}t: integer of scale_us µs */
    V_STRFTIME,    /* %{%d/%b/%Y:%H:%M:%S %z}t: pieces of a time, spec in `text` */
    V_TFRAC,       /* %{msec_frac}t, %{usec_frac}t: `width` digits, of scale_us µs */
    V_DUR_FIXED,   /* $request_time "0.250" seconds */
    V_DUR_INT,     /* %D µs, %T s (%{ms}T, %{us}T): integer of scale_us µs */
    V_IS_ARGS,     /* $is_args: becomes OP_QMARK */
};

/* Static reasons a field gives when a line does not fit around it. */
struct reasons {
    const char *before;  /* the line ends before the field */
    const char *after;   /* the text after the field is not the format's */
    const char *inside;  /* the line ends inside the field (no delimiter, no quote) */
    const char *noquote; /* a quoted field does not start with '"' */
    const char *bad;     /* the value is malformed (status, times, durations) */
};

struct op {
    unsigned char kind;   /* enum op_kind */
    unsigned char var;    /* enum var_kind */
    unsigned char slot;   /* time slot: 0 the request's start, 1 its end */
    unsigned char rank;   /* time precision: the finest time of a slot wins */
    bool is_list;         /* nginx upstream_*: ", " and " : " do not end the value */
    bool may_space;       /* the value may hold ' ' (else a last field ends at one) */
    unsigned off;         /* byte offset in the format text (compile errors) */
    int delim;            /* OP_FIELD: the byte after the field; -1: end of line */
    int stop;             /* OP_FIELD: a byte that ends it too ('?' of %U%q); -1: none */
    unsigned width;       /* OP_FIELD: fixed width in bytes; 0: up to delim */
    int64_t scale_us;     /* V_EPOCH, V_TFRAC, V_DUR_INT: µs per unit */
    struct span text;     /* OP_LIT: bytes; V_STRFTIME: spec (arena) */
    struct span name;     /* attribute name (arena or static) */
    struct span name2;    /* second name ("method" for $request_method); empty: none */
    const char *r_end;    /* the line ends before the op (or inside a literal) */
    const char *r_text;   /* OP_LIT: bytes differ; OP_QUOTED: no opening quote */
    const char *r_after;  /* fields: what a literal after them says when it differs */
    const char *r_inside; /* fields: no end found */
    const char *r_bad;    /* fields: malformed value */
};

struct decode_logformat {
    enum logformat_kind kind;
    unsigned n_ops;
    struct op ops[]; /* n_ops of them, at most LIMIT_FORMAT_OPS */
};

/* ---- variables and directives ---- */

#define REASONS(x)                                                                                 \
    {                                                                                              \
        "line ends before " x, "unexpected text after " x, "line ends inside " x,                  \
            "expected '\"' before " x, "bad " x                                                    \
    }

struct var_def {
    const char *name;  /* nginx variable; Apache directive letter */
    unsigned char var; /* enum var_kind */
    unsigned char arg; /* Apache: what %{ARG}X means, enum arg_mode */
    const char *attr;  /* attribute name; NULL: the variable's own name */
    const char *attr2; /* second attribute name, or NULL */
    struct reasons r;
};

enum arg_mode {
    ARG_IGNORED, /* accepted and ignored (%{c}a) */
    ARG_NAME,    /* required: attr is a prefix, the name kept as written (env.X) */
    ARG_LOWER,   /* required: attr is a prefix, the name in lower case (header.x) */
    ARG_TIME,    /* %{...}t */
    ARG_UNIT,    /* %{ms}T */
    ARG_PORT,    /* %{remote}p */
    ARG_PID,     /* %{tid}P */
};

#define NGX(n, v, a, a2)                                                                           \
    {                                                                                              \
        n, v, ARG_IGNORED, a, a2, REASONS("$" n)                                                   \
    }
#define NP(n) NGX(n, V_PLAIN, NULL, NULL)
/* A variable whose value is checked, with its own "bad" reason. */
#define NGXB(n, v, bad)                                                                            \
    {                                                                                              \
        n, v, ARG_IGNORED, NULL, NULL,                                                             \
        {                                                                                          \
            "line ends before $" n, "unexpected text after $" n, "line ends inside $" n,           \
                "expected '\"' before $" n, bad                                                    \
        }                                                                                          \
    }

/* nginx's core and common module variables; others are compile errors. */
static const struct var_def ngx_vars[] = {
    NGX("request", V_REQUEST, NULL, NULL),
    NGX("request_uri", V_REQUEST_URI, NULL, NULL),
    NGX("uri", V_PATH, NULL, NULL),
    NGX("document_uri", V_PATH, NULL, NULL),
    NGX("args", V_QUERY, NULL, NULL),
    NGX("query_string", V_QUERY, NULL, NULL),
    NGX("request_method", V_PLAIN, NULL, "method"),
    NGX("server_protocol", V_PLAIN, NULL, "protocol"),
    NGXB("status", V_STATUS, "bad status (expected 3 digits)"),
    NGXB("time_local", V_CLF, "bad time in $time_local"),
    NGXB("time_iso8601", V_ISO, "bad time in $time_iso8601"),
    NGXB("msec", V_MSEC, "bad time in $msec"),
    NGX("request_time", V_DUR_FIXED, NULL, NULL),
    NGX("is_args", V_IS_ARGS, NULL, NULL),
    NP("remote_addr"),
    NP("remote_port"),
    NP("remote_user"),
    NP("binary_remote_addr"),
    NP("body_bytes_sent"),
    NP("bytes_sent"),
    NP("request_length"),
    NP("request_id"),
    NP("request_body"),
    NP("request_body_file"),
    NP("request_completion"),
    NP("request_filename"),
    NP("connection"),
    NP("connection_requests"),
    NP("connection_time"),
    NP("content_length"),
    NP("content_type"),
    NP("document_root"),
    NP("host"),
    NP("hostname"),
    NP("https"),
    NP("limit_rate"),
    NP("nginx_version"),
    NP("pid"),
    NP("pipe"),
    NP("proxy_protocol_addr"),
    NP("proxy_protocol_port"),
    NP("proxy_protocol_server_addr"),
    NP("proxy_protocol_server_port"),
    NP("realpath_root"),
    NP("scheme"),
    NP("server_addr"),
    NP("server_name"),
    NP("server_port"),
    NP("tcpinfo_rtt"),
    NP("tcpinfo_rttvar"),
    NP("tcpinfo_snd_cwnd"),
    NP("tcpinfo_rcv_space"),
    NP("upstream_addr"),
    NP("upstream_bytes_received"),
    NP("upstream_bytes_sent"),
    NP("upstream_cache_status"),
    NP("upstream_connect_time"),
    NP("upstream_header_time"),
    NP("upstream_queue_time"),
    NP("upstream_response_length"),
    NP("upstream_response_time"),
    NP("upstream_status"),
    NP("upstream_first_byte_time"),
    NP("upstream_session_time"),
    NP("ssl_cipher"),
    NP("ssl_ciphers"),
    NP("ssl_client_cert"),
    NP("ssl_client_escaped_cert"),
    NP("ssl_client_fingerprint"),
    NP("ssl_client_i_dn"),
    NP("ssl_client_s_dn"),
    NP("ssl_client_serial"),
    NP("ssl_client_verify"),
    NP("ssl_curves"),
    NP("ssl_early_data"),
    NP("ssl_protocol"),
    NP("ssl_server_name"),
    NP("ssl_session_id"),
    NP("ssl_session_reused"),
    NP("ssl_alpn_protocol"),
    NP("realip_remote_addr"),
    NP("realip_remote_port"),
    NP("gzip_ratio"),
    NP("http2"),
    NP("http3"),
    NP("proxy_add_x_forwarded_for"),
    NP("proxy_host"),
    NP("proxy_port"),
    NP("geoip_country_code"),
    NP("geoip_country_code3"),
    NP("geoip_country_name"),
    NP("geoip_city"),
    NP("geoip_region"),
    NP("geoip_org"),
    NP("geoip_latitude"),
    NP("geoip_longitude"),
    NP("uid_got"),
    NP("uid_set"),
    NP("uid_reset"),
    NP("invalid_referer"),
    NP("secure_link"),
    NP("secure_link_expires"),
    NP("date_local"),
    NP("date_gmt"),
    NP("fastcgi_script_name"),
    NP("fastcgi_path_info"),
    NP("limit_req_status"),
    NP("limit_conn_status"),
    NP("connections_active"),
    NP("connections_reading"),
    NP("connections_writing"),
    NP("connections_waiting"),
    NP("server_software"),
    NP("remote_host"),
    NP("request_scheme"),
};

/* nginx variable families: $http_x_request_id -> header.x-request-id. */
struct ngx_prefix {
    const char *prefix;
    const char *attr; /* NULL: the variable's own name */
    struct reasons r;
};

static const struct ngx_prefix ngx_prefixes[] = {
    { "http_", "header.", REASONS("$http_*") },
    { "sent_http_", "resp_header.", REASONS("$sent_http_*") },
    { "cookie_", NULL, REASONS("$cookie_*") },
    { "arg_", NULL, REASONS("$arg_*") },
    { "upstream_http_", NULL, REASONS("$upstream_http_*") },
    { "upstream_cookie_", NULL, REASONS("$upstream_cookie_*") },
    { "upstream_trailer_", NULL, REASONS("$upstream_trailer_*") },
    { "sent_trailer_", NULL, REASONS("$sent_trailer_*") },
    { "jwt_claim_", NULL, REASONS("$jwt_claim_*") },
    { "jwt_header_", NULL, REASONS("$jwt_header_*") },
};

#define AP(c, v, a, arg)                                                                           \
    {                                                                                              \
        c, v, arg, a, NULL, REASONS("%" c)                                                         \
    }
#define APX(c, v, a, arg)                                                                          \
    {                                                                                              \
        c, v, arg, a, NULL, REASONS("%{...}" c)                                                    \
    }

/* Apache mod_log_config directives, by letter. */
static const struct var_def apache_vars[] = {
    AP("a", V_PLAIN, "remote_addr", ARG_IGNORED),
    AP("A", V_PLAIN, "server_addr", ARG_IGNORED),
    AP("b", V_PLAIN, "body_bytes_sent", ARG_IGNORED),
    AP("B", V_PLAIN, "body_bytes_sent", ARG_IGNORED),
    APX("C", V_PLAIN, "cookie.", ARG_NAME),
    AP("D", V_DUR_INT, "request_time", ARG_IGNORED),
    APX("e", V_PLAIN, "env.", ARG_NAME),
    AP("f", V_PLAIN, "request_filename", ARG_IGNORED),
    AP("h", V_PLAIN, "remote_addr", ARG_IGNORED),
    AP("H", V_PLAIN, "protocol", ARG_IGNORED),
    APX("i", V_PLAIN, "header.", ARG_LOWER),
    AP("I", V_PLAIN, "bytes_in", ARG_IGNORED),
    AP("k", V_PLAIN, "keepalive", ARG_IGNORED),
    AP("l", V_PLAIN, "remote_logname", ARG_IGNORED),
    AP("L", V_PLAIN, "request_log_id", ARG_IGNORED),
    AP("m", V_PLAIN, "method", ARG_IGNORED),
    APX("n", V_PLAIN, "note.", ARG_NAME),
    APX("o", V_PLAIN, "resp_header.", ARG_LOWER),
    AP("O", V_PLAIN, "bytes_out", ARG_IGNORED),
    AP("p", V_PLAIN, "server_port", ARG_PORT),
    AP("P", V_PLAIN, "pid", ARG_PID),
    AP("q", V_QUERY, "query", ARG_IGNORED),
    AP("r", V_REQUEST, "request", ARG_IGNORED),
    AP("R", V_PLAIN, "handler", ARG_IGNORED),
    { "s",
      V_STATUS,
      ARG_IGNORED,
      "status",
      NULL,
      { "line ends before %s", "unexpected text after %s", "line ends inside %s",
        "expected '\"' before %s", "bad status (expected 3 digits)" } },
    AP("S", V_PLAIN, "bytes_total", ARG_IGNORED),
    { "t",
      V_CLF_BR,
      ARG_TIME,
      "time",
      NULL,
      { "line ends before %t", "unexpected text after %t", "line ends inside %t",
        "expected '\"' before %t", "bad time in %t" } },
    AP("T", V_DUR_INT, "request_time", ARG_UNIT),
    AP("u", V_PLAIN, "remote_user", ARG_IGNORED),
    AP("U", V_PATH, "path", ARG_IGNORED),
    AP("v", V_PLAIN, "server_name", ARG_IGNORED),
    AP("V", V_PLAIN, "server_name", ARG_IGNORED),
    AP("X", V_PLAIN, "connection_status", ARG_IGNORED),
};

static const struct reasons tfmt_reasons = {
    "line ends before %{...}t", "unexpected text after %{...}t", "line ends inside %{...}t",
    "expected '\"' before %{...}t", "bad time in %{...}t"
};

/* ---- the compiler ---- */

#define SLOT_START 0
#define SLOT_END 1
#define MAX_DURATION_US INT64_C(1000000000000000) /* about 31 years */
#define MAX_EPOCH_US INT64_C(100000000000000000)  /* 1e11 s, as utc.h */

struct compiler {
    struct arena *a;
    struct span text;
    struct op ops[LIMIT_FORMAT_OPS];
    unsigned n;
    char *lit; /* every literal byte, unescaped, in order (arena) */
    size_t n_lit;
    unsigned err_off;
    const char *err_msg;
};

static bool fail(struct compiler *c, size_t off, const char *msg)
{
    c->err_off = (unsigned)off;
    c->err_msg = msg;
    return false;
}

/* A message made in the arena: pre, then s (at most 64 bytes), then post. */
static bool fail_made(struct compiler *c, size_t off, const char *pre, struct span s,
                      const char *post)
{
    size_t a = strlen(pre), n = s.n > 64 ? 64 : s.n, b = strlen(post);
    char *m = arena_alloc(c->a, a + n + b + 1);
    memcpy(m, pre, a);
    if (n)
        memcpy(m + a, s.p, n);
    memcpy(m + a + n, post, b + 1);
    return fail(c, off, m);
}

static struct op *new_op(struct compiler *c, size_t off)
{
    if (c->n >= LIMIT_FORMAT_OPS) {
        fail(c, off, "more than 128 fields and literals in the format");
        return NULL;
    }
    struct op *op = &c->ops[c->n++];
    memset(op, 0, sizeof *op);
    op->off = (unsigned)off;
    return op;
}

static bool add_lit_byte(struct compiler *c, size_t off, char b)
{
    if (c->n == 0 || c->ops[c->n - 1].kind != OP_LIT) {
        struct op *op = new_op(c, off);
        if (!op)
            return false;
        op->kind = OP_LIT;
        op->text = (struct span){ c->lit + c->n_lit, 0 };
    }
    c->lit[c->n_lit++] = b;
    c->ops[c->n - 1].text.n++;
    return true;
}

static bool is_name_byte(char b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_';
}

static char lower(char b) { return b >= 'A' && b <= 'Z' ? (char)(b + 32) : b; }

/* prefix + name (lower case and '_' -> '-' when asked), in the arena. */
static bool make_name(struct compiler *c, size_t off, const char *prefix, struct span name,
                      bool to_lower, bool dash, struct span *out)
{
    size_t pn = strlen(prefix);
    if (pn + name.n > LIMIT_ATTR_NAME)
        return fail(c, off, "attribute name longer than 128 bytes");
    char *p = arena_alloc(c->a, pn + name.n + 1);
    memcpy(p, prefix, pn);
    for (size_t i = 0; i < name.n; i++) {
        char b = to_lower ? lower(name.p[i]) : name.p[i];
        p[pn + i] = dash && b == '_' ? '-' : b;
    }
    *out = (struct span){ p, pn + name.n };
    return true;
}

static struct op *add_var(struct compiler *c, size_t off, const struct var_def *d,
                          const struct reasons *r)
{
    struct op *op = new_op(c, off);
    if (!op)
        return NULL;
    op->kind = OP_FIELD;
    op->var = d->var;
    op->name = span_of(d->attr ? d->attr : d->name);
    op->name2 = d->attr2 ? span_of(d->attr2) : SPAN_NULL;
    op->r_end = r->before;
    op->r_text = r->noquote;
    op->r_after = r->after;
    op->r_inside = r->inside;
    op->r_bad = r->bad;
    op->delim = -1;
    op->stop = -1;
    op->rank = 1;
    op->slot = SLOT_END;
    return op;
}

/* nginx variables whose values may hold a space (nginx escapes '"', '\\' and
 * control bytes only): a last field of any other ends at a space, so that
 * `common` does not take a combined line's referer and agent as its bytes. */
static bool space_var(struct span name)
{
    static const char *const vars[] = {
        "remote_user", "request_body", "ssl_client_s_dn", "ssl_client_i_dn",  "date_local",
        "date_gmt",    "uri",          "document_uri",    "request_filename", "geoip_country_name",
        "geoip_city",  "geoip_region", "geoip_org",
    };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (span_eq_nocase(name, span_of(vars[i])))
            return true;
    return false;
}

/* $name or ${name} at text[i] == '$'; *next gets the offset after it. */
static bool compile_ngx_var(struct compiler *c, size_t i, size_t *next)
{
    struct span t = c->text;
    size_t j = i + 1, k;
    if (j < t.n && t.p[j] == '{') {
        for (k = j + 1; k < t.n && t.p[k] != '}'; k++)
            if (!is_name_byte(t.p[k]))
                return fail(c, k, "bad byte in '${...}' (expected a variable name)");
        if (k >= t.n)
            return fail(c, i, "unterminated '${'");
        *next = k + 1;
        j++;
    } else {
        for (k = j; k < t.n && is_name_byte(t.p[k]); k++)
            ;
        *next = k;
    }
    struct span name = { t.p + j, k - j };
    if (name.n == 0)
        return fail(c, i, "'$' without a variable name");
    for (size_t v = 0; v < sizeof ngx_vars / sizeof ngx_vars[0]; v++) {
        if (span_eq_nocase(name, span_of(ngx_vars[v].name))) {
            struct op *op = add_var(c, i, &ngx_vars[v], &ngx_vars[v].r);
            if (!op)
                return false;
            op->is_list = span_starts(name, "upstream_");
            op->may_space = op->is_list || op->var == V_REQUEST || space_var(name);
            if (op->var == V_CLF)
                op->width = 26; /* "10/Oct/2000:13:55:36 -0700" has a space */
            if (op->var == V_MSEC)
                op->rank = 2;
            return true;
        }
    }
    for (size_t v = 0; v < sizeof ngx_prefixes / sizeof ngx_prefixes[0]; v++) {
        const struct ngx_prefix *pf = &ngx_prefixes[v];
        size_t pn = strlen(pf->prefix);
        if (name.n <= pn || !span_eq_nocase((struct span){ name.p, pn }, span_of(pf->prefix)))
            continue;
        struct var_def d = { pf->prefix, V_PLAIN, ARG_IGNORED, NULL, NULL, pf->r };
        struct op *op = add_var(c, i, &d, &pf->r);
        if (!op)
            return false;
        op->is_list = span_starts(name, "upstream_");
        op->may_space = true; /* headers, cookies, arguments */
        if (pf->attr)
            return make_name(c, i, pf->attr, (struct span){ name.p + pn, name.n - pn }, true, true,
                             &op->name);
        return make_name(c, i, "", name, true, false, &op->name);
    }
    /* A variable nginx does not define itself comes from the user's own `map`
     * or `set` (nginx -t refuses undefined ones): keep it under its own name. */
    static const struct reasons custom_r = REASONS("a custom $variable");
    struct var_def d = { "", V_PLAIN, ARG_IGNORED, NULL, NULL, custom_r };
    struct op *op = add_var(c, i, &d, &custom_r);
    if (!op)
        return false;
    return make_name(c, i, "", name, true, false, &op->name);
}

/* A strftime spec of %{...}t: its fixed width, or false if unsupported. */
static bool strftime_width(struct span spec, unsigned *width)
{
    unsigned w = 0;
    for (size_t i = 0; i < spec.n; i++) {
        if (spec.p[i] != '%') {
            w++;
            continue;
        }
        if (++i >= spec.n)
            return false;
        switch (spec.p[i]) {
        case 'd':
        case 'e':
        case 'm':
        case 'H':
        case 'M':
        case 'S':
            w += 2;
            break;
        case 'b':
            w += 3;
            break;
        case 'Y':
            w += 4;
            break;
        case 'z':
            w += 5;
            break;
        case 'T':
            w += 8;
            break;
        case 'F':
            w += 10;
            break;
        case '%':
            w += 1;
            break;
        default:
            return false;
        }
    }
    *width = w;
    return w > 0;
}

/* %{arg}t: begin:/end:, sec/msec/usec, msec_frac/usec_frac, or a strftime spec. */
static bool compile_apache_time(struct compiler *c, size_t off, struct op *op, struct span arg)
{
    op->slot = SLOT_START;
    op->r_end = tfmt_reasons.before;
    op->r_text = tfmt_reasons.noquote;
    op->r_after = tfmt_reasons.after;
    op->r_inside = tfmt_reasons.inside;
    op->r_bad = tfmt_reasons.bad;
    if (span_starts(arg, "begin:")) {
        arg.p += 6;
        arg.n -= 6;
    } else if (span_starts(arg, "end:")) {
        arg.p += 4;
        arg.n -= 4;
        op->slot = SLOT_END;
    }
    static const struct {
        const char *name;
        unsigned char var, rank;
        int64_t scale_us;
        unsigned width;
    } forms[] = {
        { "sec", V_EPOCH, 1, 1000000, 0 }, { "msec", V_EPOCH, 2, 1000, 0 },
        { "usec", V_EPOCH, 3, 1, 0 },      { "msec_frac", V_TFRAC, 2, 1000, 3 },
        { "usec_frac", V_TFRAC, 3, 1, 6 },
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (span_eq_str(arg, forms[i].name)) {
            op->var = forms[i].var;
            op->rank = forms[i].rank;
            op->scale_us = forms[i].scale_us;
            op->width = forms[i].width;
            return true;
        }
    }
    if (!strftime_width(arg, &op->width))
        return fail(c, off,
                    "unsupported time format in %{...}t (expected begin: or end:, "
                    "then sec, msec, usec, msec_frac, usec_frac or strftime "
                    "%d %e %m %b %Y %H %M %S %T %F %z %%)");
    op->var = V_STRFTIME;
    op->text = arena_keep(c->a, arg);
    return true;
}

/* A %directive at text[i] == '%'; *next gets the offset after it. */
static bool compile_apache_var(struct compiler *c, size_t i, size_t *next)
{
    struct span t = c->text;
    size_t j = i + 1;
    if (j >= t.n)
        return fail(c, i, "'%' at the end of the format");
    if (t.p[j] == '%') {
        *next = j + 1;
        return add_lit_byte(c, i, '%');
    }
    /* Status conditions (%400,501{X}i, %!200{X}i) and %< / %> are accepted and
     * ignored: Apache logs "-" when the condition fails, which reads as absent. */
    while (j < t.n && (t.p[j] == '!' || t.p[j] == ',' || t.p[j] == '<' || t.p[j] == '>' ||
                       (t.p[j] >= '0' && t.p[j] <= '9')))
        j++;
    struct span arg = SPAN_NULL;
    bool has_arg = false;
    if (j < t.n && t.p[j] == '{') {
        const char *close = memchr(t.p + j, '}', t.n - j);
        if (!close)
            return fail(c, j, "unterminated '%{'");
        arg = (struct span){ t.p + j + 1, (size_t)(close - t.p) - j - 1 };
        has_arg = true;
        j = (size_t)(close - t.p) + 1;
    }
    if (j >= t.n)
        return fail(c, i, "directive without its letter at the end of the format");
    struct span letter = { t.p + j, 1 };
    *next = j + 1;
    const struct var_def *d = NULL;
    for (size_t v = 0; v < sizeof apache_vars / sizeof apache_vars[0]; v++)
        if (apache_vars[v].name[0] == letter.p[0])
            d = &apache_vars[v];
    if (!d)
        return fail_made(c, i, "unknown directive '%", letter, "'");
    struct op *op = add_var(c, i, d, &d->r);
    if (!op)
        return false;
    op->slot = SLOT_START;
    op->may_space = d->arg == ARG_NAME || d->arg == ARG_LOWER || op->var == V_REQUEST ||
                    letter.p[0] == 'u' || letter.p[0] == 'f' || letter.p[0] == 'U';
    switch (d->arg) {
    case ARG_IGNORED:
        break;
    case ARG_NAME:
    case ARG_LOWER:
        if (!has_arg || arg.n == 0)
            return fail_made(c, i, "'%", letter,
                             "' needs a name in braces, as in '%{X-Request-Id}i'");
        return make_name(c, i, d->attr, arg, d->arg == ARG_LOWER, false, &op->name);
    case ARG_TIME:
        if (!has_arg) {
            op->width = 28; /* "[10/Oct/2000:13:55:36 -0700]" */
            return true;
        }
        return compile_apache_time(c, i, op, arg);
    case ARG_UNIT:
        op->scale_us = USEC_PER_SEC;
        if (!has_arg || span_eq_str(arg, "s"))
            return true;
        if (span_eq_str(arg, "ms")) {
            op->scale_us = 1000;
            return true;
        }
        if (span_eq_str(arg, "us")) {
            op->scale_us = 1;
            return true;
        }
        return fail(c, i, "unknown unit in %{...}T (expected s, ms or us)");
    case ARG_PORT:
        if (has_arg && span_eq_str(arg, "remote"))
            op->name = SPAN_LIT("remote_port");
        return true;
    case ARG_PID:
        if (has_arg && (span_eq_str(arg, "tid") || span_eq_str(arg, "hextid")))
            op->name = SPAN_LIT("tid");
        return true;
    }
    if (op->var == V_DUR_INT)
        op->scale_us = 1; /* %D */
    return true;
}

/* Turn a field between '"' literals into a quoted field, drop empty literals,
 * and give each op its delimiter and reasons. */
static bool link_ops(struct compiler *c)
{
    for (unsigned i = 1; i + 1 < c->n; i++) {
        struct op *prev = &c->ops[i - 1], *op = &c->ops[i], *nx = &c->ops[i + 1];
        if (op->kind != OP_FIELD || prev->kind != OP_LIT || nx->kind != OP_LIT)
            continue;
        if (prev->text.n && prev->text.p[prev->text.n - 1] == '"' && nx->text.n &&
            nx->text.p[0] == '"' && op->width == 0) {
            op->kind = OP_QUOTED;
            prev->text.n--;
            nx->text.p++;
            nx->text.n--;
        }
    }
    unsigned n = 0;
    for (unsigned i = 0; i < c->n; i++)
        if (c->ops[i].kind != OP_LIT || c->ops[i].text.n)
            c->ops[n++] = c->ops[i];
    c->n = n;
    /* Backwards, so that a field knows the delimiter of the field after it
     * when that one is a query (%U%q, $uri$is_args$args). */
    for (unsigned i = n; i-- > 0;) {
        struct op *op = &c->ops[i];
        const struct op *prev = i ? &c->ops[i - 1] : NULL;
        const struct op *nx = i + 1 < n ? &c->ops[i + 1] : NULL;
        if (op->kind == OP_FIELD && op->var == V_IS_ARGS)
            op->kind = OP_QMARK;
        if (op->kind == OP_LIT) {
            /* A literal sits between fields (it cannot follow a literal). */
            op->r_end = nx ? nx->r_end : "line ends before the end of the format";
            op->r_text = prev ? prev->r_after : "unexpected text at the start of the line";
            continue;
        }
        if (op->kind != OP_FIELD || op->width)
            continue;
        if (nx && nx->kind == OP_QMARK && op->var == V_PATH) {
            op->stop = '?';
            nx = i + 2 < n ? &c->ops[i + 2] : NULL;
        }
        if (!nx)
            op->delim = -1;
        else if (nx->kind == OP_LIT)
            op->delim = (unsigned char)nx->text.p[0];
        else if (nx->kind == OP_QUOTED)
            op->delim = '"';
        else if (op->var == V_PATH && nx->kind == OP_FIELD && nx->var == V_QUERY &&
                 nx->width == 0) {
            op->stop = '?';
            op->delim = nx->delim;
            op->may_space = nx->may_space;
        } else
            return fail(c, nx->off, "two variables with nothing between them");
    }
    return true;
}

struct decode_logformat *decode_logformat_compile(struct arena *a, struct span text,
                                                  enum logformat_kind kind, unsigned *err_off,
                                                  const char **err_msg)
{
    struct compiler *c = arena_alloc(a, sizeof *c);
    c->a = a;
    c->text = text;
    c->lit = arena_alloc(a, text.n + 1);
    char mark = kind == LOGFORMAT_APACHE ? '%' : '$';
    bool ok = true;
    if (text.n == 0)
        ok = fail(c, 0, "empty format");
    for (size_t i = 0; ok && i < text.n;) {
        char b = text.p[i];
        if (b == mark) {
            size_t next = i + 1;
            ok = kind == LOGFORMAT_APACHE ? compile_apache_var(c, i, &next)
                                          : compile_ngx_var(c, i, &next);
            i = next;
        } else if (b == '\\' && i + 1 < text.n) {
            /* Both servers' config parsers unescape these in quoted strings. */
            char e = text.p[i + 1], out = 0;
            switch (e) {
            case '"':
            case '\'':
            case '\\':
                out = e;
                break;
            case 'n':
                out = '\n';
                break;
            case 't':
                out = '\t';
                break;
            case 'r':
                out = '\r';
                break;
            default:
                break;
            }
            ok = out ? add_lit_byte(c, i, out) : add_lit_byte(c, i, b);
            i += out ? 2 : 1;
        } else {
            ok = add_lit_byte(c, i, b);
            i++;
        }
    }
    if (ok)
        ok = link_ops(c);
    if (!ok) {
        *err_off = c->err_off;
        *err_msg = c->err_msg;
        return NULL;
    }
    struct decode_logformat *f = arena_alloc(a, sizeof *f + c->n * sizeof f->ops[0]);
    f->kind = kind;
    f->n_ops = c->n;
    memcpy(f->ops, c->ops, c->n * sizeof f->ops[0]);
    return f;
}

/* ---- running a program over a line ---- */

/* Pieces of a time from %{...}t fields, put together at the end of the line. */
enum {
    HAVE_Y = 1,
    HAVE_MON = 2,
    HAVE_D = 4,
    HAVE_H = 8,
    HAVE_MI = 16,
    HAVE_S = 32,
    HAVE_OFF = 64,
    HAVE_FRAC = 128,
    HAVE_DATETIME = 63,
};

struct tparts {
    unsigned y, mon, d, h, mi, s;
    int off_s;
    int64_t frac_us;
    unsigned have;
};

struct run {
    struct event *ev;
    char *scratch; /* caller's: 2 * line.n + 1024 bytes */
    size_t used, cap;
    int64_t at[2];         /* µs UTC of the start and end slots */
    unsigned char rank[2]; /* 0: slot unset */
    int64_t dur_us;
    bool has_dur;
    bool has_parts;
    struct tparts parts[2];
};

static const struct span name_request = SPAN_LIT("request");
static const struct span name_method = SPAN_LIT("method");
static const struct span name_path = SPAN_LIT("path");
static const struct span name_protocol = SPAN_LIT("protocol");
static const struct span name_request_uri = SPAN_LIT("request_uri");

static inline void add(struct run *r, struct span name, struct span value)
{
    event_add(r->ev, name, value, ATTR_STRING); /* past LIMIT_ATTRS: dropped */
}

static void set_time(struct run *r, unsigned slot, unsigned rank, int64_t us)
{
    if (rank > r->rank[slot]) {
        r->rank[slot] = (unsigned char)rank;
        r->at[slot] = us;
    }
}

/* The log's escapes into out (at most v.n bytes): nginx writes \xHH (and
 * escape=json \" \\), Apache \" \\ \b \n \r \t \v \xhh. Anything else stays. */
static size_t unescape_log(struct span v, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++) {
        char b = v.p[i];
        if (b != '\\' || i + 1 >= v.n) {
            out[k++] = b;
            continue;
        }
        char e = v.p[i + 1], o;
        switch (e) {
        case '"':
        case '\\':
            o = e;
            break;
        case 'b':
            o = '\b';
            break;
        case 'n':
            o = '\n';
            break;
        case 'r':
            o = '\r';
            break;
        case 't':
            o = '\t';
            break;
        case 'v':
            o = '\v';
            break;
        case 'x':
            if (i + 3 < v.n && span_hex_digit(v.p[i + 2]) >= 0 && span_hex_digit(v.p[i + 3]) >= 0) {
                out[k++] = (char)(span_hex_digit(v.p[i + 2]) * 16 + span_hex_digit(v.p[i + 3]));
                i += 3;
            } else {
                out[k++] = b;
            }
            continue;
        default:
            out[k++] = b;
            continue;
        }
        out[k++] = o;
        i++;
    }
    return k;
}

static bool needs_url_decoding(struct span v)
{
    return v.n && (memchr(v.p, '%', v.n) || memchr(v.p, '+', v.n));
}

/* Room for n more scratch bytes? (Lines with pathological escapes may run out;
 * the attribute is then dropped, never written past the caller's buffer.) */
static char *room(struct run *r, size_t n)
{
    return r->cap - r->used >= n ? r->scratch + r->used : NULL;
}

/* "a=1&b=x%20y" -> query.a = "1", query.b = "x y". */
static void add_query(struct run *r, struct span q)
{
    struct span rest = q, item;
    while (rest.n) {
        span_cut(&rest, '&', &item);
        if (item.n == 0)
            continue;
        struct span name = item, value = { item.p + item.n, 0 };
        const char *eq = memchr(item.p, '=', item.n);
        if (eq) {
            name.n = (size_t)(eq - item.p);
            value = (struct span){ eq + 1, item.n - name.n - 1 };
        }
        if (name.n == 0 || 6 + name.n > LIMIT_ATTR_NAME)
            continue;
        char *dst = room(r, 6 + name.n);
        if (!dst)
            return;
        memcpy(dst, "query.", 6);
        size_t nn = 6 + decode_url_unescape(name, dst + 6);
        r->used += nn;
        struct span n = { dst, nn };
        if (needs_url_decoding(value)) {
            char *vd = room(r, value.n);
            if (!vd)
                return;
            value = (struct span){ vd, decode_url_unescape(value, vd) };
            r->used += value.n;
        }
        if (!event_add(r->ev, n, value, ATTR_STRING))
            return;
    }
}

/* "/v1/x?a=1" -> path, query.* */
static void add_uri(struct run *r, struct span uri)
{
    const char *qm = uri.n ? memchr(uri.p, '?', uri.n) : NULL;
    if (!qm) {
        add(r, name_path, uri);
        return;
    }
    add(r, name_path, (struct span){ uri.p, (size_t)(qm - uri.p) });
    add_query(r, (struct span){ qm + 1, uri.n - (size_t)(qm - uri.p) - 1 });
}

/* "POST /v1/x?a=1 HTTP/1.1" -> request, method, path, query.*, protocol. A
 * request line that is not one (a TLS hello logged by nginx) stays `request`. */
static void add_request(struct run *r, struct span v)
{
    add(r, name_request, v);
    const char *sp = memchr(v.p, ' ', v.n);
    if (!sp || sp == v.p)
        return;
    struct span method = { v.p, (size_t)(sp - v.p) };
    struct span rest = { sp + 1, v.n - method.n - 1 }, proto = SPAN_NULL;
    size_t k = rest.n;
    while (k > 0 && rest.p[k - 1] != ' ')
        k--;
    if (k > 0 && span_starts((struct span){ rest.p + k, rest.n - k }, "HTTP/")) {
        proto = (struct span){ rest.p + k, rest.n - k };
        rest.n = k - 1;
    }
    add(r, name_method, method);
    add_uri(r, rest);
    if (proto.n)
        add(r, name_protocol, proto);
}

/* A %{...}t value against its (validated) spec; the pieces go to *t. */
static bool parse_strftime(struct span spec, struct span v, struct tparts *t)
{
    size_t j = 0;
    for (size_t i = 0; i < spec.n; i++) {
        char c = spec.p[i];
        if (c != '%' || i + 1 >= spec.n) {
            if (j >= v.n || v.p[j] != c)
                return false;
            j++;
            continue;
        }
        c = spec.p[++i];
        const char *p = v.p + j;
        size_t left = v.n - j;
        int off;
        switch (c) {
        case 'd':
        case 'e':
            if (left < 2)
                return false;
            if (c == 'e' && p[0] == ' ') {
                if (!utc_digits(p + 1, 1, &t->d))
                    return false;
            } else if (!utc_digits(p, 2, &t->d)) {
                return false;
            }
            t->have |= HAVE_D;
            j += 2;
            break;
        case 'm':
            if (left < 2 || !utc_digits(p, 2, &t->mon))
                return false;
            t->have |= HAVE_MON;
            j += 2;
            break;
        case 'b':
            if (left < 3 || (t->mon = utc_month_abbr((struct span){ p, 3 })) == 0)
                return false;
            t->have |= HAVE_MON;
            j += 3;
            break;
        case 'Y':
            if (left < 4 || !utc_digits(p, 4, &t->y))
                return false;
            t->have |= HAVE_Y;
            j += 4;
            break;
        case 'H':
        case 'M':
        case 'S':
            if (left < 2 || !utc_digits(p, 2, c == 'H' ? &t->h : c == 'M' ? &t->mi : &t->s))
                return false;
            t->have |= c == 'H' ? HAVE_H : c == 'M' ? HAVE_MI : HAVE_S;
            j += 2;
            break;
        case 'T':
            if (left < 8 || p[2] != ':' || p[5] != ':' || !utc_digits(p, 2, &t->h) ||
                !utc_digits(p + 3, 2, &t->mi) || !utc_digits(p + 6, 2, &t->s))
                return false;
            t->have |= HAVE_H | HAVE_MI | HAVE_S;
            j += 8;
            break;
        case 'F':
            if (left < 10 || p[4] != '-' || p[7] != '-' || !utc_digits(p, 4, &t->y) ||
                !utc_digits(p + 5, 2, &t->mon) || !utc_digits(p + 8, 2, &t->d))
                return false;
            t->have |= HAVE_Y | HAVE_MON | HAVE_D;
            j += 10;
            break;
        case 'z': {
            unsigned hh, mm;
            if (left < 5 || (p[0] != '+' && p[0] != '-') || !utc_digits(p + 1, 2, &hh) ||
                !utc_digits(p + 3, 2, &mm) || hh > 23 || mm > 59)
                return false;
            off = (int)(hh * 3600 + mm * 60);
            t->off_s = p[0] == '-' ? -off : off;
            t->have |= HAVE_OFF;
            j += 5;
            break;
        }
        default: /* "%%" */
            if (j >= v.n || v.p[j] != '%')
                return false;
            j++;
            break;
        }
    }
    return j == v.n;
}

/* The value of one field (not yet "-" checked) into attributes and times;
 * returns NULL or the static reason to skip the line. */
static const char *take(struct run *r, const struct op *op, struct span v)
{
    if (v.n == 1 && v.p[0] == '-')
        return NULL; /* absent */
    if (v.n && memchr(v.p, '\\', v.n)) {
        char *dst = room(r, v.n);
        if (dst) {
            v = (struct span){ dst, unescape_log(v, dst) };
            r->used += v.n;
        }
    }
    int64_t us;
    uint64_t u;
    switch ((enum var_kind)op->var) {
    case V_PLAIN:
        add(r, op->name, v);
        if (op->name2.n)
            add(r, op->name2, v);
        return NULL;
    case V_STATUS:
        if (v.n != 3 || v.p[0] < '0' || v.p[0] > '9' || v.p[1] < '0' || v.p[1] > '9' ||
            v.p[2] < '0' || v.p[2] > '9')
            return op->r_bad;
        add(r, op->name, v);
        return NULL;
    case V_REQUEST:
        if (v.n)
            add_request(r, v);
        return NULL;
    case V_REQUEST_URI:
        add(r, name_request_uri, v);
        add_uri(r, v);
        return NULL;
    case V_PATH:
        add(r, name_path, v);
        return NULL;
    case V_QUERY:
        if (v.n && v.p[0] == '?') {
            v.p++;
            v.n--;
        }
        add_query(r, v);
        return NULL;
    case V_CLF:
        if (!utc_parse_clf(v, &us, &r->ev->utc_offset_s))
            return op->r_bad;
        r->ev->has_utc_offset = true;
        set_time(r, op->slot, op->rank, us);
        add(r, op->name, v);
        return NULL;
    case V_CLF_BR:
        if (v.n != 28 || v.p[0] != '[' || v.p[27] != ']' ||
            !utc_parse_clf((struct span){ v.p + 1, 26 }, &us, &r->ev->utc_offset_s))
            return op->r_bad;
        r->ev->has_utc_offset = true;
        set_time(r, op->slot, op->rank, us);
        add(r, op->name, (struct span){ v.p + 1, 26 });
        return NULL;
    case V_ISO:
        if (!utc_parse_iso(v, &us, &r->ev->utc_offset_s))
            return op->r_bad;
        r->ev->has_utc_offset = true;
        set_time(r, op->slot, op->rank, us);
        add(r, op->name, v);
        return NULL;
    case V_MSEC:
        if (!utc_parse_epoch_frac(v, &us))
            return op->r_bad;
        set_time(r, op->slot, op->rank, us);
        add(r, op->name, v);
        return NULL;
    case V_EPOCH:
        if (!span_to_u64(v, &u) || u >= (uint64_t)(MAX_EPOCH_US / op->scale_us))
            return op->r_bad;
        set_time(r, op->slot, op->rank, (int64_t)u * op->scale_us);
        add(r, op->name, v);
        return NULL;
    case V_STRFTIME:
    case V_TFRAC:
        if (!r->has_parts) {
            memset(r->parts, 0, sizeof r->parts);
            r->has_parts = true;
        }
        if (op->var == V_TFRAC) {
            unsigned f;
            if (v.n != op->width || !utc_digits(v.p, op->width, &f))
                return op->r_bad;
            r->parts[op->slot].frac_us = (int64_t)f * op->scale_us;
            r->parts[op->slot].have |= HAVE_FRAC;
            return NULL;
        }
        if (!parse_strftime(op->text, v, &r->parts[op->slot]))
            return op->r_bad;
        add(r, op->name, v);
        return NULL;
    case V_DUR_FIXED:
        if (!span_to_fixed(v, 6, &us) || us > MAX_DURATION_US)
            return op->r_bad;
        r->dur_us = us;
        r->has_dur = true;
        add(r, op->name, v);
        return NULL;
    case V_IS_ARGS:
        return NULL;
    case V_DUR_INT:
        if (!span_to_u64(v, &u) || u > (uint64_t)(MAX_DURATION_US / op->scale_us))
            return op->r_bad;
        r->dur_us = (int64_t)u * op->scale_us;
        r->has_dur = true;
        add(r, op->name, v);
        return NULL;
    }
    return NULL;
}

/* The end of an unquoted field: its delimiter, except inside nginx's lists of
 * upstream values ("0.010, 0.020 : 0.030"). NULL when the line has none. */
static const char *find_delim(const struct op *op, const char *p, const char *end)
{
    const char *q = p;
    while (q < end) {
        const char *hit = memchr(q, op->delim, (size_t)(end - q));
        if (!hit || !op->is_list || op->delim != ' ')
            return hit;
        if (hit > p && hit[-1] == ',') {
            q = hit + 1;
        } else if (end - hit >= 3 && hit[1] == ':' && hit[2] == ' ') {
            q = hit + 3;
        } else {
            return hit;
        }
    }
    return NULL;
}

/* The closing quote of a quoted field: the first '"' not escaped by an odd run
 * of backslashes (Apache \" and \\; nginx never writes a raw '"' or '\'). */
static const char *find_quote(const char *p, const char *end)
{
    const char *q = p;
    while (q < end) {
        const char *hit = memchr(q, '"', (size_t)(end - q));
        if (!hit)
            return NULL;
        size_t bs = 0;
        while (hit - bs > p && hit[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            return hit;
        q = hit + 1;
    }
    return NULL;
}

/* Times into the event: nginx logs the end (start = end - $request_time),
 * Apache %t the start (end = start + %D). */
static enum decode_result finish(struct run *r, const char **reason)
{
    struct event *ev = r->ev;
    for (unsigned s = 0; r->has_parts && s < 2; s++) {
        struct tparts *t = &r->parts[s];
        int64_t us;
        if ((t->have & HAVE_DATETIME) == HAVE_DATETIME) {
            if (!utc_from_civil(t->y, t->mon, t->d, t->h, t->mi, t->s, &us)) {
                *reason = "bad time in %{...}t";
                return DECODE_SKIP;
            }
            us += t->frac_us - (int64_t)t->off_s * USEC_PER_SEC;
            set_time(r, s, t->have & HAVE_FRAC ? 2 : 1, us);
        } else if (t->have == HAVE_FRAC && r->rank[s] == 1) {
            r->at[s] += t->frac_us; /* %t.%{msec_frac}t */
            r->rank[s] = 2;
        }
    }
    if (!r->rank[SLOT_START] && !r->rank[SLOT_END]) {
        *reason = "no time in line";
        return DECODE_SKIP;
    }
    if (r->has_dur && r->rank[SLOT_START]) {
        ev->start_us = r->at[SLOT_START];
        ev->end_us = ev->start_us + r->dur_us;
        ev->has_duration = true;
    } else if (r->has_dur) {
        ev->end_us = r->at[SLOT_END];
        ev->start_us = ev->end_us - r->dur_us;
        ev->has_duration = true;
    } else if (r->rank[SLOT_START] && r->rank[SLOT_END]) {
        ev->start_us = r->at[SLOT_START];
        ev->end_us = r->at[SLOT_END] < ev->start_us ? ev->start_us : r->at[SLOT_END];
        ev->has_duration = true;
    } else {
        ev->start_us = ev->end_us = r->at[r->rank[SLOT_START] ? SLOT_START : SLOT_END];
        ev->has_duration = false;
    }
    return DECODE_OK;
}

enum decode_result decode_logformat_run(const struct decode_logformat *f, struct span line,
                                        struct event *ev, char *scratch, const char **reason)
{
    struct run r;
    r.ev = ev;
    r.scratch = scratch;
    r.used = 0;
    r.cap = 2 * line.n + 1024;
    r.rank[0] = r.rank[1] = 0;
    r.has_dur = false;
    r.has_parts = false;
    event_reset(ev);
    const char *p = line.p, *end = line.p + line.n;
    if (line.n == 0)
        p = end = ""; /* never hand memchr or memcmp a NULL pointer */
    for (unsigned i = 0; i < f->n_ops; i++) {
        const struct op *op = &f->ops[i];
        size_t left = (size_t)(end - p);
        struct span v;
        if (op->kind == OP_LIT) {
            if (left < op->text.n) {
                *reason = left && memcmp(p, op->text.p, left) != 0 ? op->r_text : op->r_end;
                return DECODE_SKIP;
            }
            if (memcmp(p, op->text.p, op->text.n) != 0) {
                *reason = op->r_text;
                return DECODE_SKIP;
            }
            p += op->text.n;
            continue;
        }
        if (op->kind == OP_QMARK) {
            p += left && *p == '?';
            continue;
        }
        if (op->kind == OP_QUOTED) {
            if (left == 0 || *p != '"') {
                *reason = left ? op->r_text : op->r_end;
                return DECODE_SKIP;
            }
            const char *q = find_quote(++p, end);
            if (!q) {
                *reason = op->r_inside;
                return DECODE_SKIP;
            }
            v = (struct span){ p, (size_t)(q - p) };
            p = q + 1;
        } else if (op->width) {
            if (left < op->width) {
                *reason = left ? op->r_inside : op->r_end;
                return DECODE_SKIP;
            }
            v = (struct span){ p, op->width };
            p += op->width;
        } else {
            const char *hit = end;
            if (op->delim >= 0) {
                hit = find_delim(op, p, end);
                if (!hit) {
                    *reason = left ? op->r_inside : op->r_end;
                    return DECODE_SKIP;
                }
            } else if (!op->may_space && left) {
                const char *sp = memchr(p, ' ', left); /* text after the last field */
                hit = sp ? sp : end;
            }
            if (op->stop >= 0 && hit > p) {
                const char *q = memchr(p, op->stop, (size_t)(hit - p));
                hit = q ? q : hit;
            }
            v = (struct span){ p, (size_t)(hit - p) };
            p = hit;
        }
        const char *why = take(&r, op, v);
        if (why) {
            *reason = why;
            return DECODE_SKIP;
        }
    }
    if (p != end) {
        *reason = "unexpected text after the last field";
        return DECODE_SKIP;
    }
    return finish(&r, reason);
}

/* ---- the decoder: formats of the rules, then the presets ---- */

#define DETECT_LINES 20

static const struct logformat preset_combined = {
    "combined",
    SPAN_LIT("$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
             "\"$http_referer\" \"$http_user_agent\""),
    LOGFORMAT_NGINX,
};
static const struct logformat preset_common = {
    "common",
    SPAN_LIT("$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent"),
    LOGFORMAT_NGINX,
};

struct access_format {
    const struct logformat *fmt;
    struct decode_logformat *prog;
};

struct decoder_state {
    struct access_format *fmts;
    unsigned n_fmts;
    unsigned chosen;
    struct arena *a;     /* the caller's; outlives the state */
    char *scratch;       /* 2 * LIMIT_LINE + 1024 bytes (arena), made by the first line() */
    struct event *probe; /* detect()'s event (arena) */
};

static int add_format(struct decoder_state *st, const struct logformat *lf, struct arena *a,
                      struct err *e)
{
    unsigned off = 0;
    const char *msg = "";
    struct decode_logformat *prog = decode_logformat_compile(a, lf->text, lf->kind, &off, &msg);
    if (!prog)
        return err_at(e, EXIT_USAGE, NULL, 0, 0, "logformat '%s': %s (at byte %u)", lf->name, msg,
                      off + 1);
    st->fmts[st->n_fmts++] = (struct access_format){ lf, prog };
    return 0;
}

static struct decoder_state *access_open(const struct decode_options *opt, struct arena *a,
                                         struct err *e)
{
    /* opt->force, when set here, is the name of the one format to use
     * (decode_choose clears it when it names the decoder itself). */
    const char *only = opt->force;
    struct decoder_state *st = arena_alloc(a, sizeof *st);
    st->fmts = arena_alloc(a, sizeof *st->fmts * (opt->n_formats + 2));
    for (unsigned i = 0; i < opt->n_formats; i++) {
        const struct logformat *lf = &opt->formats[i];
        if (only && !span_eq_str(span_of(lf->name), only))
            continue;
        if (add_format(st, lf, a, e) < 0)
            return NULL;
    }
    const struct logformat *presets[] = { &preset_combined, &preset_common };
    for (unsigned i = 0; i < 2; i++) {
        if (only && !span_eq_str(span_of(presets[i]->name), only))
            continue;
        if (add_format(st, presets[i], a, e) < 0)
            return NULL;
    }
    if (st->n_fmts == 0) {
        err_at(e, EXIT_USAGE, NULL, 0, 0, "unknown log format '%s'", only);
        return NULL;
    }
    /* The 2 MiB scratch waits for the first line: decoders that lose the
     * detection never need it, and detect() needs only its lines' worth. */
    st->a = a;
    st->probe = arena_alloc(a, sizeof *st->probe);
    return st;
}

static int access_detect(struct decoder_state *st, struct span head)
{
    struct span lines[DETECT_LINES];
    size_t longest = 0;
    unsigned n = decode_head_lines(head, lines, DETECT_LINES, &longest);
    if (n == 0)
        return 0;
    char *scratch = st->scratch ? st->scratch : arena_alloc(st->a, 2 * longest + 1024);
    unsigned best = 0;
    st->chosen = 0;
    for (unsigned f = 0; f < st->n_fmts; f++) {
        unsigned ok = 0;
        for (unsigned i = 0; i < n; i++) {
            const char *reason;
            ok += decode_logformat_run(st->fmts[f].prog, lines[i], st->probe, scratch, &reason) ==
                  DECODE_OK;
        }
        if (ok > best) {
            best = ok;
            st->chosen = f;
        }
    }
    return (int)(best * 100 / n);
}

static enum decode_result access_line(struct decoder_state *st, struct span line, struct event *ev,
                                      const char **reason)
{
    if (line.n > LIMIT_LINE) {
        *reason = "line longer than 1 MiB";
        return DECODE_SKIP;
    }
    if (!st->scratch)
        st->scratch = arena_alloc_raw(st->a, 2 * (size_t)LIMIT_LINE + 1024);
    return decode_logformat_run(st->fmts[st->chosen].prog, line, ev, st->scratch, reason);
}

static const char *access_format_name(const struct decoder_state *st)
{
    return st->fmts[st->chosen].fmt->kind == LOGFORMAT_APACHE ? "apache" : "nginx";
}

const struct decoder decode_access = {
    "access", access_open, access_detect, access_line, access_format_name, NULL, NULL,
};
