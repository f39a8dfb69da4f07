/* csfs public API: CSF lists to CSF Parquet (rCSFs convert_csfs). */
#ifndef CSFS_CONVERT_H
#define CSFS_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif
/* ---- CSF lists to CSF Parquet (rCSFs convert_csfs) ------------------------- */

typedef struct csfs_convert_options {
    const char *input;  /* CSF list: text, .zst/.gz or "-" */
    const char *output; /* CSF Parquet: idx, line1, line2, line3 (rCSFs' 4 columns) */
    int block_column;   /* also the column block: int32, 0-based J block of each CSF */
    int force;
    int threads;        /* 0: online CPUs */
    size_t chunk_bytes; /* 0: 8 MiB (output never depends on it) */
    int no_mmap;        /* pread a regular text file instead of mapping it (see
                           csfs_descriptor_options.no_mmap) */
    csfs_codec codec;   /* default ZSTD level 3 */
    int codec_level;
    int64_t row_group_rows; /* 0: 65536 */
    size_t max_line_len;    /* 0: lines kept whole; N: cut to N bytes, counted (rCSFs) */
    int header_toml;        /* also write <input stem>_header.toml beside the output */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    const volatile int *cancel;
} csfs_convert_options;

CSFS_API void csfs_convert_options_init(csfs_convert_options *opt);

typedef struct csfs_convert_summary {
    uint64_t csf_count;
    uint64_t block_count;
    uint64_t total_lines;     /* 3 per CSF plus one per separator */
    uint64_t truncated_count; /* lines cut by max_line_len */
    uint64_t input_bytes;
    uint64_t threads;
    double seconds;
    char header_toml[4096]; /* path of the header TOML written, or "" */
} csfs_convert_summary;

/* Text -> CSF Parquet (+ header TOML). Outputs appear only on success. */
CSFS_API int csfs_convert_run(const csfs_convert_options *opt, csfs_convert_summary *summary,
                              csfs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_CONVERT_H */
