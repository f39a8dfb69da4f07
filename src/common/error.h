/* Filling csfs_error: every module reports failures through these. */
#ifndef CSFS_ERROR_H
#define CSFS_ERROR_H

#include "csfs.h"

#if defined(__GNUC__)
#define CSFS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CSFS_PRINTF(a, b)
#endif

/*
 * Sets err (if not NULL) and returns code, so callers can write
 * `return csfs_fail(err, CSFS_E_FORMAT, "%s:%llu: ...", ...)`.
 * The message is the whole text shown to the user.
 */
int csfs_fail(csfs_error *err, int code, const char *fmt, ...) CSFS_PRINTF(3, 4);

/* Like csfs_fail, also recording the 1-based line the message is about. */
int csfs_fail_line(csfs_error *err, int code, uint64_t line, const char *fmt, ...)
    CSFS_PRINTF(4, 5);

/* csfs_fail for a failed system call: appends ": strerror(errno)". */
int csfs_fail_errno(csfs_error *err, int errnum, const char *fmt, ...) CSFS_PRINTF(3, 4);

void csfs_error_clear(csfs_error *err);

#endif
