/*
 * Outputs of the parallel pipeline. Rows arrive in pages: fixed row ranges
 * whose boundaries depend only on the row count, the row group size and the
 * row width, never on threads or text chunks, so every output is the same
 * bytes whatever the thread count.
 *
 * A sink declares `lanes` independent encoders (Parquet: one per column;
 * .npy: one). The pipeline calls encode(lane, page) on worker threads, each
 * lane's pages strictly in order and never two of a lane at once; then
 * page_done(page) in page order from the orderer's pass (any thread, one at
 * a time), once every lane encoded it. page_done only moves bytes: the heavy
 * work is in encode.
 */
#ifndef CSFS_PAGE_SINK_H
#define CSFS_PAGE_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "io/outfile.h"
#include "descriptor/metadata.h"
#include "parquet/pq_writer.h"

typedef struct csfs_page {
    uint64_t index;     /* 0-based page number in the file */
    size_t slot;        /* ring slot holding it: 0 .. ring_slots-1 */
    uint64_t row_start; /* first row of the page */
    size_t rows;
    const uint32_t *cols; /* column c of the page: cols[c * col_stride .. + rows) */
    size_t col_stride;
    int ends_group; /* set for page_done: the last page of a row group */
    /* Bit c set: column c may hold values other than fill[c]. A clear bit
     * means every row of column c is fill[c] (fill NULL: zero bits). NULL:
     * any column may have been written. */
    const uint64_t *touched;
    const uint32_t *fill;
} csfs_page;

typedef struct csfs_page_sink csfs_page_sink;

typedef struct csfs_page_sink_ops {
    /* Called once ring_slots is known, before the first page. */
    int (*start)(csfs_page_sink *sink, csfs_error *err);
    /* Per-worker scratch (compression contexts); NULL-safe free. */
    void *(*worker_new)(csfs_page_sink *sink);
    void (*worker_free)(void *worker);
    int (*encode)(csfs_page_sink *sink, void *worker, size_t lane, const csfs_page *page,
                  csfs_error *err);
    int (*page_done)(csfs_page_sink *sink, const csfs_page *page, csfs_error *err);
    int (*finish)(csfs_page_sink *sink, const csfs_run_info *info, csfs_error *err);
    void (*destroy)(csfs_page_sink *sink);
} csfs_page_sink_ops;

struct csfs_page_sink {
    const csfs_page_sink_ops *ops;
    /* 0: a lane's pages are encoded strictly in order (Parquet chunks).
     * 1: pages may be encoded in any order, several at once (.npy, memory). */
    int unordered;
    size_t lanes;
    /* 1: lane c reads page column c only, in encode (the engine then resets
     * column c to its fill as soon as lane c has encoded the page, unless
     * done_reads_cols: then after page_done). */
    int lane_is_column;
    /* 1: page_done reads the page's columns (they are reset after it). */
    int done_reads_cols;
    size_t width;      /* columns */
    size_t ring_slots; /* set by the pipeline before the first page */
};

/* Descriptor columns from the page's uint32 columns, named names[0..width)
 * (NULL: col_0..col_{width-1}). */
int csfs_page_sink_parquet(csfs_page_sink **out, csfs_outfile *file, size_t width, int is_float,
                           const char *const *names, csfs_codec codec, int level, int dictionary,
                           csfs_error *err);

/* Scratch a worker may use to assemble a lane's values (reused). */
typedef struct csfs_lane_scratch {
    csfs_buf bytes;
    uint64_t *offsets;
    size_t offsets_cap;
    void *values;
    size_t values_cap; /* bytes */
} csfs_lane_scratch;

/* Any columns: values(lane, page) gives a lane's values for a page (run on
 * workers); kv, when set at finish time, is the key-value metadata. */
typedef struct csfs_parquet_columns {
    const pq_column_def *defs;
    size_t n;
    void *ctx;
    int (*values)(void *ctx, size_t lane, const csfs_page *page, csfs_lane_scratch *scratch,
                  pq_column_values *out, csfs_error *err);
} csfs_parquet_columns;

int csfs_page_sink_parquet_columns(csfs_page_sink **out, csfs_outfile *file,
                                   const csfs_parquet_columns *cols, csfs_codec codec, int level,
                                   int dictionary, csfs_error *err);
int csfs_page_sink_npy(csfs_page_sink **out, csfs_outfile *file, size_t width, int is_float,
                       csfs_error *err);

/* Rows in memory (csfs_descriptors_matrix); *m takes the rows at finish. */
int csfs_page_sink_memory(csfs_page_sink **out, size_t width, int is_float, csfs_matrix *m,
                          csfs_error *err);

/* Pages to the caller's functions (engine/page_sink_callback.c). */
typedef struct csfs_page_callbacks {
    void *ctx;
    /* Once, before the first page: pages use slots 0 .. ring_slots-1. Optional. */
    int (*start)(void *ctx, size_t ring_slots, csfs_error *err);
    /* Worker: the page's values (in page->slot) become the caller's object.
     * Optional: deliver may do it instead, when memory matters more than
     * the parallel work (the object then exists only while handed out). */
    int (*build)(void *ctx, const csfs_page *page, csfs_error *err);
    /* Orderer, in page order, after build: hand it out (may block). */
    int (*deliver)(void *ctx, const csfs_page *page, csfs_error *err);
    /* After the last page. Optional. */
    int (*finish)(void *ctx, const csfs_run_info *info, csfs_error *err);
} csfs_page_callbacks;

int csfs_page_sink_callback(csfs_page_sink **out, size_t width, const csfs_page_callbacks *cb,
                            csfs_error *err);

/* Writes a page's rows in row-major order: out[r * width + c] =
 * cols[c * col_stride + r]. Tiled, so reads and writes both stay in cache. */
void csfs_page_to_rows(const uint32_t *cols, size_t col_stride, size_t rows, size_t width,
                       uint32_t *out);

/* Rows per page for a row width: about 8 MiB of values, at most 65536 rows. */
size_t csfs_page_rows(size_t width);

#endif
