/*
 * Where descriptor rows go: a Parquet file, a NumPy .npy file, or (for the
 * Python binding) memory. The pipeline hands each sink batches of rows in
 * column buffers, in file order, then the facts its metadata records.
 */
#ifndef CSFS_SINK_H
#define CSFS_SINK_H

#include <stdint.h>

#include "csf_text.h"
#include "csfs.h"
#include "descriptor.h"
#include "io/outfile.h"

/* What a descriptor file records about where it came from. */
typedef struct csfs_run_info {
    const char *source_path;
    int64_t source_size;          /* bytes of the input file, -1 for a pipe */
    const char *source_compression; /* "plain", "zstd", "gzip" */
    const csfs_header *header;
    const csfs_peel *peel;
    csfs_layout layout;
    int normalize;
    uint64_t csf_count;
    uint64_t failed_count;
    const uint64_t *block_lengths; /* CSFs per J block, in file order */
    size_t n_blocks;
} csfs_run_info;

typedef struct csfs_sink csfs_sink;

typedef struct csfs_sink_ops {
    int (*append)(csfs_sink *sink, const csfs_desc_batch *batch, csfs_error *err);
    int (*finish)(csfs_sink *sink, const csfs_run_info *info, csfs_error *err);
    void (*destroy)(csfs_sink *sink);
} csfs_sink_ops;

struct csfs_sink {
    const csfs_sink_ops *ops;
};

/* Parquet: REQUIRED INT32 (or FLOAT) columns col_0..col_{width-1}. */
int csfs_sink_parquet_open(csfs_sink **out, csfs_outfile *file, size_t width, int is_float,
                           csfs_codec codec, int level, int64_t row_group_rows,
                           csfs_error *err);

/* NumPy .npy v1, little-endian int32 (<i4) or float32 (<f4), C order. */
int csfs_sink_npy_open(csfs_sink **out, csfs_outfile *file, size_t width, int is_float,
                       csfs_error *err);

/* The key-value metadata of a descriptor file as JSON-valued pairs; the
 * strings live in *storage until it is freed. */
typedef struct csfs_kv_list {
    size_t n;
    const char *keys[16];
    const char *values[16];
    csfs_buf storage;
} csfs_kv_list;

int csfs_descriptor_metadata(const csfs_run_info *info, csfs_kv_list *kv, csfs_error *err);
void csfs_kv_list_free(csfs_kv_list *kv);

#endif
