/*
 * libFuzzer target: the export row-selection reader (csfs_rows_parse) over
 * arbitrary bytes: .npy (header dictionary, dtypes, byte orders, lengths)
 * and text lists. Malformed input must give CSFS_E_FORMAT with a message
 * naming the input; a crash, sanitizer report or trap is a bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows/rows_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t *rows = NULL;
    size_t n = 0;
    csfs_error err;
    int rc = csfs_rows_parse((const char *)data, size, "fuzz.rows", &rows, &n, &err);
    if (rc != 0) {
        if ((rc != CSFS_E_FORMAT && rc != CSFS_E_NOMEM) || strncmp(err.message, "fuzz.rows", 9))
            __builtin_trap();
        if (rows || n) __builtin_trap();
        return 0;
    }
    /* every entry came from at least one byte of input */
    if (n > size) __builtin_trap();
    free(rows);
    return 0;
}
