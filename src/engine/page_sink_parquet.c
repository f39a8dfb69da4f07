/*
 * Rows as a Parquet file. Each column is a lane: its pages are encoded and
 * compressed by workers into that column's chunk builder; at a row group's
 * end the writer thread assembles the chunks (dictionary page first) and
 * appends them in column order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "engine/page_sink.h"
#include "parquet/pq_writer.h"

typedef struct parquet_sink {
    csfs_page_sink base;
    csfs_outfile *file;
    pq_writer *writer;
    pq_write_options wopt;
    pq_column_def *defs;
    char *names;               /* descriptor columns: "col_0\0col_1\0..." in 32-byte slots */
    csfs_parquet_columns cols; /* where a lane's values come from */
    pq_builder **builders;     /* one per column */
    pq_chunk *chunks;          /* assembled chunks of the row group being written */
    pq_encoder *assembler;     /* the writer thread's encoder (dictionary pages) */
    int64_t group_rows;        /* rows in the open row group */
} parquet_sink;

static int pq_start(csfs_page_sink *s, csfs_error *err)
{
    return 0;
}

typedef struct pq_worker {
    pq_encoder *enc;
    csfs_lane_scratch scratch;
} pq_worker;

static void *pq_worker_new(csfs_page_sink *s)
{
    pq_worker *w = calloc(1, sizeof *w);
    if (w && !(w->enc = pq_encoder_new())) {
        free(w);
        w = NULL;
    }
    return w;
}

static void pq_worker_free(void *p)
{
    pq_worker *w = p;
    if (!w) return;
    pq_encoder_free(w->enc);
    csfs_buf_free(&w->scratch.bytes);
    free(w->scratch.offsets);
    free(w->scratch.values);
    free(w);
}

/* Descriptor pages: lane c is column c of the page, as it is. */
static int descriptor_values(void *ctx, size_t lane, const csfs_page *p, csfs_lane_scratch *scratch,
                             pq_column_values *out, csfs_error *err)
{
    *out =
        (pq_column_values){.rows = p->rows, .values = p->cols + lane * p->col_stride, .stride = 1};
    return 0;
}

static int pq_encode(csfs_page_sink *s, void *worker, size_t lane, const csfs_page *p,
                     csfs_error *err)
{
    parquet_sink *k = (parquet_sink *)s;
    pq_worker *w = worker;
    if (s->lane_is_column && p->touched && !(p->touched[lane / 64] >> (lane % 64) & 1) &&
        !pq_builder_is_plain(k->builders[lane])) {
        /* A column no row wrote: every value is its fill, not read (a PLAIN
         * chunk reads the column, which holds the fill, as any other). */
        uint32_t fill = p->fill ? p->fill[lane] : 0;
        return pq_builder_add_const_page(k->builders[lane], w->enc, fill, p->rows, err);
    }
    pq_column_values v;
    int rc = k->cols.values(k->cols.ctx, lane, p, &w->scratch, &v, err);
    return rc ? rc : pq_builder_add_page(k->builders[lane], w->enc, &v, err);
}

static int flush_group(parquet_sink *k, csfs_error *err)
{
    if (k->group_rows == 0) return 0;
    for (size_t c = 0; c < k->cols.n; c++) {
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
    csfs_kv_list own;
    const csfs_kv_list *kv = info->kv;
    if (!kv) {
        rc = csfs_descriptor_metadata(info, &own, err);
        if (rc) return rc;
        kv = &own;
    }
    /* As many as a csfs_kv_list holds (V2 files have more than 16 keys). */
    pq_kv pairs[sizeof kv->keys / sizeof kv->keys[0]];
    for (size_t i = 0; i < kv->n; i++) pairs[i] = (pq_kv){kv->keys[i], kv->values[i]};
    rc = pq_writer_finish(k->writer, pairs, kv->n, "csfs version " CSFS_VERSION_STRING, err);
    if (kv == &own) csfs_kv_list_free(&own);
    return rc;
}

static void pq_destroy(csfs_page_sink *s)
{
    parquet_sink *k = (parquet_sink *)s;
    for (size_t c = 0; c < k->cols.n; c++) {
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

static const csfs_page_sink_ops parquet_ops = {
    pq_start, pq_worker_new, pq_worker_free, pq_encode, pq_page_done, pq_finish, pq_destroy};

/* The sink over columns whose definitions k->defs already holds. */
static int open_sink(parquet_sink *k, csfs_outfile *file, csfs_codec codec, int level,
                     int dictionary, size_t page_bytes, csfs_error *err)
{
    size_t n = k->cols.n;
    k->base.ops = &parquet_ops;
    k->base.lanes = n;
    k->base.width = n;
    k->file = file;
    k->wopt = (pq_write_options){.codec = (pq_codec)codec,
                                 .level = level,
                                 .dictionary = dictionary != 0,
                                 .page_bytes = page_bytes};
    k->chunks = calloc(n ? n : 1, sizeof *k->chunks);
    k->builders = calloc(n ? n : 1, sizeof *k->builders);
    k->assembler = pq_encoder_new();
    if (!k->chunks || !k->builders || !k->assembler)
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = 0;
    for (size_t c = 0; c < n && rc == 0; c++)
        rc = pq_builder_new(&k->builders[c], &k->cols.defs[c], &k->wopt, err);
    if (rc == 0) rc = pq_writer_open(&k->writer, file, k->cols.defs, n, &k->wopt, err);
    return rc;
}

int csfs_page_sink_parquet(csfs_page_sink **out, csfs_outfile *file, size_t width, int is_float,
                           const char *const *names, csfs_codec codec, int level, int dictionary,
                           csfs_error *err)
{
    *out = NULL;
    parquet_sink *k = calloc(1, sizeof *k);
    if (!k) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    size_t n = width ? width : 1;
    k->defs = calloc(n, sizeof *k->defs);
    k->names = malloc(n * 32);
    int rc = k->defs && k->names ? 0 : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t c = 0; rc == 0 && c < width; c++) {
        char *name = k->names + 32 * c;
        snprintf(name, 32, "%s", names ? names[c] : "");
        if (!names) snprintf(name, 32, "col_%zu", c);
        k->defs[c] =
            (pq_column_def){name, is_float ? PQ_FLOAT : PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED};
    }
    k->cols = (csfs_parquet_columns){.defs = k->defs, .n = width, .values = descriptor_values};
    k->base.lane_is_column = 1;
    if (rc == 0) rc = open_sink(k, file, codec, level, dictionary, 4 * csfs_page_rows(width), err);
    if (rc) {
        pq_destroy(&k->base);
        return rc;
    }
    *out = &k->base;
    return 0;
}

int csfs_page_sink_parquet_columns(csfs_page_sink **out, csfs_outfile *file,
                                   const csfs_parquet_columns *cols, csfs_codec codec, int level,
                                   int dictionary, csfs_error *err)
{
    *out = NULL;
    parquet_sink *k = calloc(1, sizeof *k);
    if (!k) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    k->cols = *cols;
    int rc = open_sink(k, file, codec, level, dictionary, 0, err);
    if (rc) {
        pq_destroy(&k->base);
        return rc;
    }
    *out = &k->base;
    return 0;
}
