/*
 * err.h - run-level errors. A fallible function fills a caller-owned struct err
 * and returns -1 (or NULL); only main() prints one and exits with its code.
 * Record-level faults (a bad log line) are not errors: decoders return
 * DECODE_SKIP with a static reason instead.
 */
#ifndef TEMPO_ERR_H
#define TEMPO_ERR_H

enum { EXIT_OK = 0, EXIT_FINDING = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

#define WARN_UNUSED __attribute__((warn_unused_result))

struct err {
    int exit_code;      /* EXIT_USAGE or EXIT_INTERNAL */
    const char *file;   /* borrowed: argv or run arena; NULL if none */
    unsigned line, col; /* 1-based; 0 when unknown */
    char msg[240];      /* lower case, no final period */
};

/* Fill *e and return -1, so that callers write `return err_at(e, ...);`. */
int err_at(struct err *e, int exit_code, const char *file, unsigned line, unsigned col,
           const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Format *e as "FILE:LINE:COL: message" (unknown parts left out) into out[cap]. */
void err_format(const struct err *e, char *out, unsigned cap);

#endif
