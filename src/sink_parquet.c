/* Descriptor rows as a Parquet file: row groups of a fixed number of rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "parquet/pq_writer.h"
#include "sink.h"

#define DEFAULT_ROW_GROUP_ROWS (1 << 20)

typedef struct parquet_sink {
    csfs_sink base;
    csfs_outfile *file;
    size_t width;
    int is_float;
    int64_t group_rows;   /* rows per row group */
    pq_writer *writer;
    pq_encoder *encoder;
    pq_write_options wopt;
    pq_column_def *defs;
    char *names;          /* "col_0\0col_1\0..." */
    pq_chunk *chunks;     /* one per column, reused for every row group */
    uint32_t *cols;       /* the row group being filled: column c at c * cap */
    size_t cap, rows;
} parquet_sink;

static int flush_group(parquet_sink *k, csfs_error *err)
{
    if (k->rows == 0) return 0;
    for (size_t c = 0; c < k->width; c++) {
        pq_column_values v = {.rows = k->rows, .values = k->cols + c * k->cap, .stride = 1};
        int rc = pq_encode_chunk(k->encoder, &k->defs[c], &k->wopt, &v, &k->chunks[c], err);
        if (rc) return rc;
    }
    int rc = pq_writer_write_row_group(k->writer, k->chunks, (int64_t)k->rows, err);
    k->rows = 0;
    return rc;
}

/* The row group buffer grows with the data up to one full group, so small
 * lists do not pay for a million-row buffer. */
static int reserve_rows(parquet_sink *k, size_t need, csfs_error *err)
{
    if (need <= k->cap) return 0;
    size_t cap = k->cap ? k->cap : 4096;
    while (cap < need) cap *= 2;
    if (cap > (size_t)k->group_rows) cap = (size_t)k->group_rows;
    uint32_t *cols = malloc((k->width ? k->width : 1) * cap * sizeof *cols);
    if (!cols) return csfs_fail(err, CSFS_E_NOMEM, "out of memory for a row group");
    for (size_t c = 0; k->rows && c < k->width; c++)
        memcpy(cols + c * cap, k->cols + c * k->cap, k->rows * sizeof *cols);
    free(k->cols);
    k->cols = cols;
    k->cap = cap;
    return 0;
}

static int parquet_append(csfs_sink *s, const csfs_desc_batch *b, csfs_error *err)
{
    parquet_sink *k = (parquet_sink *)s;
    size_t done = 0;
    while (done < b->rows) {
        size_t room = (size_t)k->group_rows - k->rows;
        size_t take = b->rows - done < room ? b->rows - done : room;
        int rc = reserve_rows(k, k->rows + take, err);
        if (rc) return rc;
        for (size_t c = 0; c < k->width; c++)
            memcpy(k->cols + c * k->cap + k->rows, b->cols + c * b->cap + done,
                   take * sizeof *k->cols);
        k->rows += take;
        done += take;
        if (k->rows == (size_t)k->group_rows && (rc = flush_group(k, err))) return rc;
    }
    return 0;
}

static int parquet_finish(csfs_sink *s, const csfs_run_info *info, csfs_error *err)
{
    parquet_sink *k = (parquet_sink *)s;
    int rc = flush_group(k, err);
    if (rc) return rc;
    csfs_kv_list kv;
    rc = csfs_descriptor_metadata(info, &kv, err);
    if (rc) return rc;
    pq_kv pairs[16];
    for (size_t i = 0; i < kv.n; i++) pairs[i] = (pq_kv){kv.keys[i], kv.values[i]};
    rc = pq_writer_finish(k->writer, pairs, kv.n, "csfs version " CSFS_VERSION_STRING, err);
    csfs_kv_list_free(&kv);
    return rc;
}

static void parquet_destroy(csfs_sink *s)
{
    parquet_sink *k = (parquet_sink *)s;
    if (k->chunks)
        for (size_t c = 0; c < k->width; c++) pq_chunk_release(&k->chunks[c]);
    pq_writer_free(k->writer);
    pq_encoder_free(k->encoder);
    free(k->chunks);
    free(k->defs);
    free(k->names);
    free(k->cols);
    free(k);
}

static const csfs_sink_ops parquet_ops = {parquet_append, parquet_finish, parquet_destroy};

int csfs_sink_parquet_open(csfs_sink **out, csfs_outfile *file, size_t width, int is_float,
                           csfs_codec codec, int level, int64_t row_group_rows,
                           csfs_error *err)
{
    *out = NULL;
    parquet_sink *k = calloc(1, sizeof *k);
    if (!k) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    k->base.ops = &parquet_ops;
    k->file = file;
    k->width = width;
    k->is_float = is_float;
    k->group_rows = row_group_rows > 0 ? row_group_rows : DEFAULT_ROW_GROUP_ROWS;
    k->wopt = (pq_write_options){.codec = (pq_codec)codec, .level = level, .dictionary = false};
    k->defs = calloc(width ? width : 1, sizeof *k->defs);
    k->chunks = calloc(width ? width : 1, sizeof *k->chunks);
    k->names = malloc((width ? width : 1) * 32);
    k->encoder = pq_encoder_new();
    if (!k->defs || !k->chunks || !k->names || !k->encoder) {
        parquet_destroy(&k->base);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t c = 0; c < width; c++) {
        char *name = k->names + 32 * c;
        snprintf(name, 32, "col_%zu", c);
        k->defs[c] = (pq_column_def){name, is_float ? PQ_FLOAT : PQ_INT32, PQ_LOGICAL_NONE,
                                     PQ_REQUIRED};
    }
    int rc = pq_writer_open(&k->writer, file, k->defs, width, &k->wopt, err);
    if (rc) {
        parquet_destroy(&k->base);
        return rc;
    }
    *out = &k->base;
    return 0;
}
