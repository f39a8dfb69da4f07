#include "common/buf.h"

#include "common/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int csfs_buf_reserve(csfs_buf *b, size_t cap, csfs_error *err)
{
    if (b->cap >= cap) return 0;
    size_t c = b->cap ? b->cap : 256;
    while (c < cap) {
        if (c > SIZE_MAX / 2) return csfs_fail(err, CSFS_E_NOMEM, "buffer too large");
        c *= 2;
    }
    char *d = realloc(b->data, c);
    if (!d) return csfs_fail(err, CSFS_E_NOMEM, "out of memory (%zu bytes)", c);
    b->data = d;
    b->cap = c;
    return 0;
}

int csfs_buf_append(csfs_buf *b, const void *data, size_t len, csfs_error *err)
{
    int rc = csfs_buf_reserve(b, b->len + len + 1, err);
    if (rc) return rc;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

int csfs_buf_printf(csfs_buf *b, csfs_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return csfs_fail(err, CSFS_E_ARGUMENT, "bad format");
    int rc = csfs_buf_reserve(b, b->len + (size_t)n + 1, err);
    if (rc) return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int csfs_buf_json_string(csfs_buf *b, const char *s, size_t len, csfs_error *err)
{
    int rc = csfs_buf_append(b, "\"", 1, err);
    for (size_t i = 0; rc == 0 && i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rc = csfs_buf_append(b, e, 2, err);
            i++;
        } else if (c < 0x20) {
            rc = csfs_buf_printf(b, err, "\\u%04x", c);
            i++;
        } else {
            /* JSON text is UTF-8: a byte that starts no valid sequence is U+FFFD. */
            size_t n = csfs_utf8_seq_len(s + i, len - i);
            rc = n ? csfs_buf_append(b, s + i, n, err) : csfs_buf_append(b, "\\ufffd", 6, err);
            i += n ? n : 1;
        }
    }
    return rc ? rc : csfs_buf_append(b, "\"", 1, err);
}

int csfs_buf_terminate(csfs_buf *b, csfs_error *err)
{
    int rc = csfs_buf_reserve(b, b->len + 1, err);
    if (rc == 0) b->data[b->len] = '\0';
    return rc;
}

void csfs_buf_free(csfs_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
