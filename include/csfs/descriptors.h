/* csfs public API: descriptor matrices from a CSF list, to a file or into memory. */
#ifndef CSFS_DESCRIPTORS_H
#define CSFS_DESCRIPTORS_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif
typedef enum csfs_output_format {
    CSFS_FORMAT_AUTO = 0, /* by the output name: .npy -> NPY, else Parquet */
    CSFS_FORMAT_PARQUET = 1,
    CSFS_FORMAT_NPY = 2,
} csfs_output_format;

/* CPU seconds spent in each stage of the parallel engine. */
typedef struct csfs_stage_seconds {
    double reader; /* reading (and decompressing) input, cutting chunks */
    double scan;   /* workers: finding records and lines */
    double parse;  /* workers: CSFs -> rows */
    double encode; /* workers: pages -> encoded, compressed column chunks */
    double writer; /* the ordered pass: accounting, appending pages (wall seconds; run by
                      the workers, so also part of their stages) */
} csfs_stage_seconds;

typedef struct csfs_descriptor_options {
    const char *input;       /* CSF list: text, .zst or .gz (by content), or "-" */
    const char *output;      /* .parquet or .npy */
    const csfs_peel *peel;   /* NULL: the peel list of the input's header */
    csfs_layout layout;      /* default CSFS_LAYOUT_V1 */
    int normalize;           /* float32 normalised descriptors */
    int strict;              /* first failed CSF or unknown subshell is an error;
                                V2: also text that restore would not reproduce */
    int keep_going;          /* V2: a bad CSF becomes a rejected row (all -1, parity 0)
                                instead of failing the job */
    const char *rejects;     /* V2: file listing every rejected CSF (row, line, reason) */
    const char *header_toml; /* V2: header TOML whose SHA-256 the file records; NULL:
                                found beside a CSF Parquet input, if any */
    int force;               /* overwrite an existing output */
    csfs_output_format format;
    csfs_codec codec;          /* default ZSTD */
    int codec_level;           /* 0: the codec's default (zstd 3) */
    int plain_encoding;        /* Parquet PLAIN pages instead of dictionary (RLE_DICTIONARY) */
    int64_t row_group_rows;    /* 0: 1,048,576 for v1; 131,072 for V2 (export decodes a whole
                                  row group: 12 MB per 10^5 rows of a 19-subshell V2 file) */
    int threads;               /* 0: online CPUs */
    size_t chunk_bytes;        /* text read per work unit; 0: 8 MiB (output never depends on it) */
    int no_mmap;               /* a regular text file is read (pread) into buffers instead of
                                  mapped; mapped (the default) costs no copy, but a file
                                  truncated by another process while it is mapped kills the
                                  process with SIGBUS (README "Input") */
    int parse_in_scan;         /* parse each CSF in the scanning pass, while its bytes are in
                                  cache, into a per-chunk parsed form that the page tasks
                                  store; 0 (default): the page tasks parse. Same bytes either
                                  way; measured slower on x86-64 (bench/RESULTS-fused.md) */
    int max_reported_failures; /* failures described on the report callback (default 5) */
    /* Called with one message per reported failure/warning; NULL: silent. */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    /* Called about twice a second from the calling thread; NULL: none. */
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    /* Polled between batches; non-zero aborts with CSFS_E_CANCELLED. */
    const volatile int *cancel;
} csfs_descriptor_options;

/* Defaults for every field (codec ZSTD level 3, the layout's row group size). */
CSFS_API void csfs_descriptor_options_init(csfs_descriptor_options *opt);

typedef struct csfs_summary {
    uint64_t csf_count;              /* rows written */
    uint64_t block_count;            /* J/parity blocks in the input */
    uint64_t failed_count;           /* CSFs written as all-zero rows */
    uint64_t unknown_subshell_count; /* subshell fields not in the peel list */
    uint64_t input_bytes;            /* bytes of (decompressed) text read */
    uint64_t columns;                /* descriptor width */
    uint64_t peel_count;             /* peel subshells (the layout's subshell count) */
    uint64_t threads;                /* worker threads used */
    uint64_t rejected_count;         /* V2 --keep-going: rows written as rejected */
    uint64_t noncanonical_count;     /* V2: CSFs, line ends or separators restore would rewrite */
    double seconds;                  /* wall time */
    /* CPU seconds of each stage of the parallel engine (for the scaling
     * model in bench/): the reader thread (pipes and compressed input; near
     * 0 for a regular file, whose workers read their own byte ranges, in
     * scan), the workers' scan / parse / encode tasks summed over workers,
     * and the ordered pass (run by whichever worker raised work for it). */
    csfs_stage_seconds stages;
} csfs_summary;

/*
 * Reads a CSF list and writes its descriptor matrix. The output appears only
 * when everything succeeded: it is written to a temporary file in the same
 * directory and renamed at the end; on any error no output or temporary file
 * is left and an existing output is untouched.
 */
CSFS_API int csfs_descriptors_run(const csfs_descriptor_options *opt, csfs_summary *summary,
                                  csfs_error *err);

/* A descriptor matrix in memory: row-major (C order), rows * cols values. */
typedef struct csfs_matrix {
    void *data; /* int32_t, or float when is_float */
    uint64_t rows;
    size_t cols;
    int is_float;
    void *priv; /* the library's bookkeeping: release with csfs_matrix_free */
} csfs_matrix;

/*
 * The same job as csfs_descriptors_run (opt->output and the output options
 * are ignored), into memory: workers write each row straight into its final
 * place, so there is no copy at the end. *out is owned by the caller and
 * released with csfs_matrix_free, also after a failure.
 */
CSFS_API int csfs_descriptors_matrix(const csfs_descriptor_options *opt, csfs_matrix *out,
                                     csfs_summary *summary, csfs_error *err);
CSFS_API void csfs_matrix_free(csfs_matrix *m);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_DESCRIPTORS_H */
