/*
 * The Parquet page cursor (parquet/pq_reader.h) against pq_read_column on a
 * file our writer makes with many small pages: every page equals the same
 * rows of the whole chunk (fixed width with dictionary, optional with nulls,
 * byte arrays); a sparse cursor asked for rows far apart returns the pages
 * holding them, skips the rest by their headers and reads fewer bytes;
 * errors for a chunk cut short.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "io/outfile.h"
#include "parquet/pq_reader.h"
#include "parquet/pq_writer.h"
#include "testutil.h"

#define ROWS 200000
#define NCOLS 3

static const pq_column_def cols[NCOLS] = {
    {"ids", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
    {"maybe", PQ_INT64, PQ_LOGICAL_NONE, PQ_OPTIONAL},
    {"name", PQ_BYTE_ARRAY, PQ_LOGICAL_STRING, PQ_REQUIRED},
};

static int write_file(const char *path)
{
    csfs_error err = {0};
    csfs_outfile out;
    CHECK_EQ_INT(csfs_outfile_open(&out, path, 1, &err), 0);
    pq_write_options o = {.codec = PQ_CODEC_ZSTD, .dictionary = true, .page_bytes = 8192};
    pq_writer *w;
    CHECK_EQ_INT(pq_writer_open(&w, &out, cols, NCOLS, &o, &err), 0);
    int32_t *ids = malloc(ROWS * sizeof *ids);
    int64_t *maybe = malloc(ROWS * sizeof *maybe);
    uint8_t *def = malloc(ROWS);
    uint64_t *off = malloc((ROWS + 1) * sizeof *off);
    char *text = malloc((size_t)ROWS * 16);
    off[0] = 0;
    uint64_t x = 88172645463325252ull;
    for (size_t r = 0; r < ROWS; r++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        ids[r] = (int32_t)(x % 50) - 7;
        maybe[r] = (int64_t)(x >> 3);
        def[r] = (x >> 60) != 0;
        int n = snprintf(text + off[r], 16, "csf-%zu", r % 977);
        off[r + 1] = off[r] + (uint64_t)n;
    }
    pq_column_values v[NCOLS] = {
        {.rows = ROWS, .values = ids},
        {.rows = ROWS, .values = maybe, .defined = def},
        {.rows = ROWS, .offsets = off, .data = (const uint8_t *)text},
    };
    pq_encoder *enc = pq_encoder_new();
    pq_chunk chunks[NCOLS] = {{0}};
    for (int c = 0; c < NCOLS; c++) {
        o.dictionary = c != 1;
        CHECK_EQ_INT(pq_encode_chunk(enc, &cols[c], &o, &v[c], &chunks[c], &err), 0);
        CHECK(chunks[c].data_page_count > 8); /* many pages */
    }
    CHECK_EQ_INT(pq_writer_write_row_group(w, chunks, ROWS, &err), 0);
    CHECK_EQ_INT(pq_writer_finish(w, NULL, 0, "csfs test", &err), 0);
    CHECK_EQ_INT(csfs_outfile_commit(&out, &err), 0);
    pq_writer_free(w);
    for (int c = 0; c < NCOLS; c++) pq_chunk_release(&chunks[c]);
    pq_encoder_free(enc);
    free(ids);
    free(maybe);
    free(def);
    free(off);
    free(text);
    return 0;
}

/* Rows [first, first + page->rows) of the whole chunk d equal the page. */
static int page_equals(const pq_column_data *pg, uint64_t first, const pq_column_data *d)
{
    if (first + pg->rows > d->rows || pg->type != d->type) return 0;
    for (size_t r = 0; r < pg->rows; r++) {
        size_t at = (size_t)first + r;
        if ((pg->defined != NULL) != (d->defined != NULL)) return 0;
        if (pg->defined && pg->defined[r] != d->defined[at]) return 0;
        if (d->type == PQ_BYTE_ARRAY) {
            uint64_t n = pg->offsets[r + 1] - pg->offsets[r];
            if (n != d->offsets[at + 1] - d->offsets[at] ||
                memcmp(pg->data + pg->offsets[r], d->data + d->offsets[at], n))
                return 0;
        } else if (memcmp((const char *)pg->values + r * pg->width,
                          (const char *)d->values + at * d->width, d->width)) {
            return 0;
        }
    }
    return 1;
}

static void test_pages_equal_the_chunk(const char *path)
{
    csfs_error err = {0};
    pq_file *f;
    CHECK_EQ_INT(pq_file_open(&f, path, &err), 0);
    pq_column_data d;
    pq_column_data_init(&d);
    for (size_t c = 0; c < NCOLS; c++) {
        CHECK_EQ_INT(pq_read_column(f, 0, c, &d, &err), 0);
        uint64_t chunk_bytes = (uint64_t)pq_file_chunk(f, 0, c)->total_compressed_size;
        /* every page, in order */
        pq_page_cursor *cur;
        CHECK_EQ_INT(pq_page_cursor_open(f, 0, c, &cur, &err), 0);
        const pq_column_data *pg;
        uint64_t first, next = 0;
        size_t pages = 0;
        while (pq_page_cursor_next(cur, next, &pg, &first, &err) == 0 && pg) {
            CHECK(first == next && pg->rows > 0);
            CHECK(page_equals(pg, first, &d));
            next = first + pg->rows;
            pages++;
        }
        CHECK(pg == NULL && next == ROWS && pages > 8);
        size_t all_pages = pages;
        CHECK_EQ_INT(pq_page_cursor_bytes_read(cur), chunk_bytes);
        pq_page_cursor_close(cur);
        /* sparse: a few rows far apart */
        static const uint64_t want[] = {3, 68000, 68001, 133333, ROWS - 1};
        CHECK_EQ_INT(pq_page_cursor_open(f, 0, c, &cur, &err), 0);
        pq_page_cursor_sparse(cur);
        uint64_t end = 0;
        pages = 0;
        for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
            if (want[k] < end) continue; /* in the page we have */
            CHECK_EQ_INT(pq_page_cursor_next(cur, want[k], &pg, &first, &err), 0);
            CHECK(pg != NULL && first <= want[k] && want[k] < first + pg->rows);
            CHECK(page_equals(pg, first, &d));
            end = first + pg->rows;
            pages++;
        }
        CHECK(pages >= 4);
        /* the pages read (of about equal size) and a short read of each
         * skipped page's header */
        CHECK(pq_page_cursor_bytes_read(cur) <
              chunk_bytes * (pages + 1) / all_pages + 256 * all_pages);
        CHECK_EQ_INT(pq_page_cursor_next(cur, ROWS, &pg, &first, &err), 0);
        CHECK(pg == NULL);
        /* reopened on the same chunk (as on another): every page again */
        uint64_t before = pq_page_cursor_bytes_read(cur);
        CHECK_EQ_INT(pq_page_cursor_reopen(cur, 0, c, &err), 0);
        next = 0;
        pages = 0;
        while (pq_page_cursor_next(cur, next, &pg, &first, &err) == 0 && pg) {
            CHECK(first == next && page_equals(pg, first, &d));
            next = first + pg->rows;
            pages++;
        }
        CHECK(next == ROWS && pages == all_pages && pq_page_cursor_bytes_read(cur) > before);
        pq_page_cursor_close(cur);
    }
    CHECK_EQ_INT(pq_page_cursor_open(f, 1, 0, &(pq_page_cursor *){NULL}, &err), CSFS_E_ARGUMENT);
    pq_column_data_free(&d);
    pq_file_close(f);
}

/* A chunk whose last bytes are garbage: an error naming the page, no crash. */
static void test_damaged_chunk(const char *path)
{
    size_t len;
    char *bytes = tu_read_file(path, &len);
    CHECK(bytes != NULL);
    if (!bytes) return;
    csfs_error err = {0};
    pq_file *f;
    CHECK_EQ_INT(pq_file_open_memory(&f, bytes, len, "damaged", &err), 0);
    const pq_chunk_meta *cm = pq_file_chunk(f, 0, 0);
    uint64_t end = (uint64_t)(cm->data_page_offset + cm->total_compressed_size);
    memset(bytes + end - 600, 0xff, 600); /* the last page(s) of column 0 */
    pq_page_cursor *cur;
    CHECK_EQ_INT(pq_page_cursor_open(f, 0, 0, &cur, &err), 0);
    const pq_column_data *pg;
    uint64_t first, next = 0;
    int rc;
    while ((rc = pq_page_cursor_next(cur, next, &pg, &first, &err)) == 0 && pg)
        next = first + pg->rows;
    CHECK(rc != 0);
    CHECK_CONTAINS(err.message, "damaged: row group 0, column 'ids', offset");
    pq_page_cursor_close(cur);
    pq_file_close(f);
    free(bytes);
}

int main(void)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/pages.parquet", tu_temp_dir());
    write_file(path);
    test_pages_equal_the_chunk(path);
    test_damaged_chunk(path);
    return tu_done();
}
