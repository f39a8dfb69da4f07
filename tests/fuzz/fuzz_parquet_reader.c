/*
 * libFuzzer target: the Parquet reader over arbitrary bytes. Opens the input
 * from memory, describes it (every metadata field) and decodes every column
 * chunk, checking the output's invariants, and walks each decoded chunk again
 * with the page cursor, which must give the same rows, and decodes byte-array
 * chunks again in place (allow_prefixed), which must give the same status and
 * values. Any crash, sanitizer report or
 * trap here is a reader bug: malformed input must only give errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The page cursor over a chunk pq_read_column decoded (d): every page it
 * gives must equal the same rows of d. With skip, it is asked for rows past
 * each page's end, so that it skips pages by their headers. */
static void check_cursor(const pq_file *f, size_t rg, size_t col, const pq_column_data *d, int skip)
{
    csfs_error err;
    pq_page_cursor *c;
    if (pq_page_cursor_open(f, rg, col, &c, &err) != 0) __builtin_trap();
    if (skip) pq_page_cursor_sparse(c);
    uint64_t from = 0, seen = 0;
    const pq_column_data *pg;
    uint64_t first;
    while (pq_page_cursor_next(c, from, &pg, &first, &err) == 0 && pg) {
        if (first < from && first + pg->rows <= from) __builtin_trap(); /* a page not asked for */
        if (first + pg->rows > d->rows || pg->type != d->type) __builtin_trap();
        for (size_t r = 0; r < pg->rows; r++) {
            size_t at = (size_t)first + r;
            if (pg->defined && pg->defined[r] != d->defined[at]) __builtin_trap();
            if (d->type == PQ_BYTE_ARRAY) {
                uint64_t n = pg->offsets[r + 1] - pg->offsets[r];
                if (n != d->offsets[at + 1] - d->offsets[at] ||
                    (n && memcmp(pg->data + pg->offsets[r], d->data + d->offsets[at], n)))
                    __builtin_trap();
            } else if (memcmp((const uint8_t *)pg->values + r * pg->width,
                              (const uint8_t *)d->values + at * d->width, d->width)) {
                __builtin_trap();
            }
        }
        seen += pg->rows;
        from = first + pg->rows + (skip ? (first % 3) * pg->rows : 0);
    }
    /* Without skipping, a chunk that decoded whole gives every row. */
    if (!skip && seen != d->rows) __builtin_trap();
    pq_page_cursor_close(c);
}

/* A byte-array chunk read in place (e) against the copy (d) of the same
 * chunk: same values; status may differ only by e's different allocations. */
static void check_in_place(const pq_file *f, size_t rg, size_t col, int rc_copy,
                           const pq_column_data *d, pq_column_data *e)
{
    csfs_error err;
    int rc = pq_read_column(f, rg, col, e, &err);
    if (rc != rc_copy && rc != CSFS_E_NOMEM && rc_copy != CSFS_E_NOMEM) __builtin_trap();
    if (rc || rc_copy) return;
    if (e->rows != d->rows || e->null_count != d->null_count) __builtin_trap();
    for (size_t r = 0; r < d->rows; r++) {
        uint64_t n = d->offsets[r + 1] - d->offsets[r], m;
        const uint8_t *v = e->data ? e->data + e->offsets[r] : NULL; /* NULL: nothing stored */
        if (e->prefixed) {
            if (!v) __builtin_trap();
            if (e->offsets[r] < 4 || e->offsets[r] > e->data_size) __builtin_trap();
            uint32_t len;
            memcpy(&len, v - 4, 4);
            m = len;
            if (m > e->data_size - e->offsets[r]) __builtin_trap();
        } else {
            m = e->offsets[r + 1] - e->offsets[r];
        }
        if (d->defined && d->defined[r] != e->defined[r]) __builtin_trap();
        if (m != n || (n && memcmp(v, d->data + d->offsets[r], n))) __builtin_trap();
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

    pq_column_data d, e;
    pq_column_data_init(&d);
    pq_column_data_init(&e);
    d.max_bytes = (uint64_t)64 << 20; /* RLE and codec bombs are legal but slow */
    e.max_bytes = d.max_bytes;
    e.allow_prefixed = true;
    size_t chunks = 0;
    for (size_t g = 0; g < pq_file_num_row_groups(f); g++)
        for (size_t c = 0; c < pq_file_num_columns(f) && chunks < MAX_CHUNKS; c++, chunks++) {
            int rc = pq_read_column(f, g, c, &d, &err);
            if (rc == 0) {
                check_output(f, g, &d);
                check_cursor(f, g, c, &d, (int)(size >> 1) & 1);
            }
            if (pq_file_column(f, c)->type == PQ_BYTE_ARRAY) check_in_place(f, g, c, rc, &d, &e);
        }
    pq_column_data_free(&d);
    pq_column_data_free(&e);
    pq_file_close(f);
    return 0;
}
