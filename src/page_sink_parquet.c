/*
 * Descriptor rows as a Parquet file. Each column is a lane: its pages are
 * encoded and compressed by workers into that column's chunk builder; at a
 * row group's end the writer thread assembles the chunks (dictionary page
 * first) and appends them in column order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "page_sink.h"
#include "parquet/pq_writer.h"

typedef struct parquet_sink {
    csfs_page_sink base;
    csfs_outfile *file;
    pq_writer *writer;
    pq_write_options wopt;
    pq_column_def *defs;
    char *names;          /* "col_0\0col_1\0..." in fixed 32-byte slots */
    pq_builder **builders;/* one per column */
    pq_chunk *chunks;     /* assembled chunks of the row group being written */
    pq_encoder *assembler;/* the writer thread's encoder (dictionary pages) */
    int64_t group_rows;   /* rows in the open row group */
} parquet_sink;

size_t csfs_page_rows(size_t width)
{
    size_t rows = ((size_t)8 << 20) / (4 * (width ? width : 1));
    rows &= ~(size_t)1023; /* whole multiples of 1024: RLE/bit-packing friendly */
    if (rows < 1024) rows = 1024;
    if (rows > 65536) rows = 65536;
    return rows;
}

static int pq_start(csfs_page_sink *s, csfs_error *err)
{
    return 0;
}

static void *pq_worker_new(csfs_page_sink *s)
{
    return pq_encoder_new();
}

static void pq_worker_free(void *w)
{
    pq_encoder_free(w);
}

static int pq_encode(csfs_page_sink *s, void *worker, size_t lane, const csfs_page *p,
                     csfs_error *err)
{
    parquet_sink *k = (parquet_sink *)s;
    pq_column_values v = {.rows = p->rows, .values = p->cols + lane * p->col_stride, .stride = 1};
    return pq_builder_add_page(k->builders[lane], worker, &v, err);
}

static int flush_group(parquet_sink *k, csfs_error *err)
{
    if (k->group_rows == 0) return 0;
    for (size_t c = 0; c < k->base.width; c++) {
        int rc = pq_builder_finish(k->builders[c], k->assembler, &k->chunks[c], err);
        if (rc) return rc;
    }
    int rc = pq_writer_write_row_group(k->writer, k->chunks, k->group_rows, err);
    k->group_rows = 0;
    return rc;
}

static int pq_page_done(csfs_page_sink *s, const csfs_page *p, csfs_error *err)
{
    parquet_sink *k = (parquet_sink *)s;
    k->group_rows += (int64_t)p->rows;
    return p->ends_group ? flush_group(k, err) : 0;
}

static int pq_finish(csfs_page_sink *s, const csfs_run_info *info, csfs_error *err)
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

static void pq_destroy(csfs_page_sink *s)
{
    parquet_sink *k = (parquet_sink *)s;
    for (size_t c = 0; c < s->width; c++) {
        if (k->builders) pq_builder_free(k->builders[c]);
        if (k->chunks) pq_chunk_release(&k->chunks[c]);
    }
    pq_writer_free(k->writer);
    pq_encoder_free(k->assembler);
    free(k->builders);
    free(k->chunks);
    free(k->defs);
    free(k->names);
    free(k);
}

static const csfs_page_sink_ops parquet_ops = {pq_start,  pq_worker_new, pq_worker_free,
                                               pq_encode, pq_page_done,  pq_finish,
                                               pq_destroy};

int csfs_page_sink_parquet(csfs_page_sink **out, csfs_outfile *file, size_t width, int is_float,
                           csfs_codec codec, int level, int dictionary, csfs_error *err)
{
    *out = NULL;
    parquet_sink *k = calloc(1, sizeof *k);
    if (!k) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    k->base.ops = &parquet_ops;
    k->base.lanes = width;
    k->base.width = width;
    k->file = file;
    k->wopt = (pq_write_options){.codec = (pq_codec)codec,
                                 .level = level,
                                 .dictionary = dictionary != 0,
                                 .page_bytes = 4 * csfs_page_rows(width)};
    size_t n = width ? width : 1;
    k->defs = calloc(n, sizeof *k->defs);
    k->chunks = calloc(n, sizeof *k->chunks);
    k->builders = calloc(n, sizeof *k->builders);
    k->names = malloc(n * 32);
    k->assembler = pq_encoder_new();
    if (!k->defs || !k->chunks || !k->builders || !k->names || !k->assembler) {
        pq_destroy(&k->base);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    int rc = 0;
    for (size_t c = 0; c < width && rc == 0; c++) {
        char *name = k->names + 32 * c;
        snprintf(name, 32, "col_%zu", c);
        k->defs[c] = (pq_column_def){name, is_float ? PQ_FLOAT : PQ_INT32, PQ_LOGICAL_NONE,
                                     PQ_REQUIRED};
        rc = pq_builder_new(&k->builders[c], &k->defs[c], &k->wopt, err);
    }
    if (rc == 0) rc = pq_writer_open(&k->writer, file, k->defs, width, &k->wopt, err);
    if (rc) {
        pq_destroy(&k->base);
        return rc;
    }
    *out = &k->base;
    return 0;
}
