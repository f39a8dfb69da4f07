/* A growable byte buffer, and the JSON text helpers built on it. */
#ifndef CSFS_BUF_H
#define CSFS_BUF_H

#include <stddef.h>

#include "csfs.h"
#include "common/error.h"

typedef struct csfs_buf {
    char *data;
    size_t len, cap;
} csfs_buf;

/* Makes room for cap bytes in total (keeps the contents). */
int csfs_buf_reserve(csfs_buf *b, size_t cap, csfs_error *err);
int csfs_buf_append(csfs_buf *b, const void *data, size_t len, csfs_error *err);
int csfs_buf_printf(csfs_buf *b, csfs_error *err, const char *fmt, ...) CSFS_PRINTF(3, 4);
/* Appends s[0..len) as a JSON string literal (quotes included): quotes,
 * backslashes and control characters escaped, bytes that are not UTF-8
 * replaced by U+FFFD. The one JSON string rule of csfs. */
int csfs_buf_json_string(csfs_buf *b, const char *s, size_t len, csfs_error *err);
/* NUL-terminates without counting the NUL in len. */
int csfs_buf_terminate(csfs_buf *b, csfs_error *err);
void csfs_buf_free(csfs_buf *b);

#endif
