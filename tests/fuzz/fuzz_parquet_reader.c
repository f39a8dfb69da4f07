/*
 * libFuzzer target: the Parquet reader over arbitrary bytes. Opens the input
 * from memory, describes it (every metadata field) and decodes every column
 * chunk, checking the output's invariants. Any crash, sanitizer report or
 * trap here is a reader bug: malformed input must only give errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "parquet/pq_info.h"
#include "parquet/pq_reader.h"

/* Enough chunks to reach every decoder without letting a footer that lists
 * thousands of columns make one input slow. */
#define MAX_CHUNKS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_output(const pq_file *f, size_t rg, const pq_column_data *d)
{
    if ((int64_t)d->rows != pq_file_row_group(f, rg)->num_rows) __builtin_trap();
    size_t nulls = 0;
    for (size_t r = 0; d->defined && r < d->rows; r++) nulls += d->defined[r] == 0;
    if (nulls != d->null_count) __builtin_trap();
    if (d->type == PQ_BYTE_ARRAY) {
        if (d->offsets[0] != 0 || d->offsets[d->rows] != d->data_size) __builtin_trap();
        for (size_t r = 0; r < d->rows; r++)
            if (d->offsets[r + 1] < d->offsets[r]) __builtin_trap();
    } else if (d->rows) {
        /* Touch the last slot: it must be inside the buffer. */
        volatile uint8_t last = ((const uint8_t *)d->values)[d->rows * d->width - 1];
        (void)last;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csfs_error err;
    pq_file *f;
    if (pq_file_open_memory(&f, data, size, "fuzz-input", &err) != 0) return 0;

    char *text = NULL;
    pq_file_describe(f, size & 1, &text, &err);
    free(text);

    pq_column_data d;
    pq_column_data_init(&d);
    d.max_bytes = (uint64_t)64 << 20; /* RLE and codec bombs are legal but slow */
    size_t chunks = 0;
    for (size_t g = 0; g < pq_file_num_row_groups(f); g++)
        for (size_t c = 0; c < pq_file_num_columns(f) && chunks < MAX_CHUNKS; c++, chunks++)
            if (pq_read_column(f, g, c, &d, &err) == 0) check_output(f, g, &d);
    pq_column_data_free(&d);
    pq_file_close(f);
    return 0;
}
