/*
 * err.c - run-level errors (base layer): filled where they happen, printed by
 * main() alone, as "FILE:LINE:COL: message".
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

int err_at(struct err *e, int exit_code, const char *file, unsigned line, unsigned col,
           const char *fmt, ...)
{
    va_list ap;
    e->exit_code = exit_code;
    e->file = file;
    e->line = line;
    e->col = col;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void err_format(const struct err *e, char *out, unsigned cap)
{
    if (e->file && e->line && e->col)
        snprintf(out, cap, "%s:%u:%u: %s", e->file, e->line, e->col, e->msg);
    else if (e->file && e->line)
        snprintf(out, cap, "%s:%u: %s", e->file, e->line, e->msg);
    else if (e->file)
        snprintf(out, cap, "%s: %s", e->file, e->msg);
    else
        snprintf(out, cap, "%s", e->msg);
}
