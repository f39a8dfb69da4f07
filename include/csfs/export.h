/*
 * csfs public API: CSF Parquet, V2 descriptor Parquet or a CSF list -> GRASP
 * CSF list text (`csfs export`, rCSFs restore_csfs_from_descriptors).
 *
 * The output is the 5 header lines, then line1, line2, line3 of every CSF
 * (each + LF), with " *" lines between J blocks. Without a selection the
 * text is the original list byte for byte: blocks come from, in order,
 * metadata csfs.block_lengths (which keeps empty blocks and a trailing
 * separator), the block column (a separator where its value changes), the
 * header TOML's [block_info], or else one block.
 *
 * With a selection (rows, any order, no duplicates, each < the row count),
 * the chosen CSFs are written in ascending row order with one " *" between
 * consecutive written CSFs of different source blocks: blocks left empty
 * vanish, and there is no leading or trailing separator. An empty
 * selection gives the header alone.
 *
 * Row groups are decoded one at a time (with `threads` > 1, up to that many
 * ahead on worker threads), so memory is a few row groups whatever the
 * file's size; row groups without a selected row are not decoded. The
 * output appears only when complete (temporary file renamed at the end).
 */
#ifndef CSFS_EXPORT_H
#define CSFS_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct csfs_export_options {
    const char *input;  /* CSF Parquet file (csfs or rCSFs schema), V2 descriptors, or a list */
    const char *output; /* GRASP text to write */
    const char *header; /* header TOML; NULL: metadata, else the TOML beside input */
    int has_rows;       /* 1: write only `rows` (which may be empty) */
    const uint64_t *rows;
    size_t n_rows;
    int given_order; /* V2 only, rCSFs 1.3's subset rule: rows written in the given
                        order (repeats allowed, at least one), " *" wherever
                        (2J, parity) changes from the previous record */
    int force;       /* replace an existing output */
    int threads;     /* row groups decoded at once (at most 1024); 0 or 1: calling thread */
    /* Called with one message per warning; NULL: silent. */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    /* Called about twice a second from the calling thread; NULL: none. */
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    const volatile int *cancel; /* polled between row groups; non-zero -> CSFS_E_CANCELLED */
} csfs_export_options;

CSFS_API void csfs_export_options_init(csfs_export_options *opt);

typedef struct csfs_export_summary {
    uint64_t input_rows;  /* CSFs in the input */
    uint64_t csf_count;   /* CSFs written */
    uint64_t block_count; /* blocks written (separators + 1; 0 for header only) */
    uint64_t output_bytes;
    uint64_t row_groups_read;
    double seconds;
    char header_source[1100]; /* "metadata", "text" or the header TOML's path */
} csfs_export_summary;

CSFS_API int csfs_export_run(const csfs_export_options *opt, csfs_export_summary *summary,
                             csfs_error *err);

/*
 * A row selection read from a file: a NumPy .npy file (a 1-D array of any
 * integer dtype, either byte order; recognised by its magic bytes) or a text
 * file (one 0-based index a line; blank lines and '#' comments allowed).
 * Indices keep the file's order; range and duplicate checks are the job's.
 * *rows is malloc'd (NULL when *n is 0); release it with csfs_free. Negative
 * values, non-integer dtypes, other shapes and malformed lines are errors
 * naming the file (and the line or entry).
 */
CSFS_API int csfs_rows_load(const char *path, uint64_t **rows, size_t *n, csfs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_EXPORT_H */
