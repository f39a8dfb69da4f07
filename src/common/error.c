#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vfail(csfs_error *err, int code, int errnum, uint64_t line, const char *fmt, va_list ap)
{
    if (!err) return code;
    err->code = code;
    err->sys_errno = errnum;
    err->line = line;
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    if (errnum && n >= 0 && (size_t)n < sizeof err->message)
        snprintf(err->message + n, sizeof err->message - (size_t)n, ": %s", strerror(errnum));
    return code;
}

int csfs_fail(csfs_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, code, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int csfs_fail_line(csfs_error *err, int code, uint64_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, code, 0, line, fmt, ap);
    va_end(ap);
    return code;
}

int csfs_fail_errno(csfs_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, CSFS_E_IO, errnum, 0, fmt, ap);
    va_end(ap);
    return CSFS_E_IO;
}

void csfs_error_clear(csfs_error *err)
{
    if (!err) return;
    err->code = 0;
    err->sys_errno = 0;
    err->line = 0;
    err->message[0] = '\0';
}
