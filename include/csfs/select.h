/* csfs public API: row files, the J blocks of a list, selecting rows by score, sampling rows. */
#ifndef CSFS_SELECT_H
#define CSFS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- row files ---------------------------------------------------------------
 * A row file lists 0-based global rows (row i = the i-th CSF of the list, as
 * in every descriptor matrix): an integer .npy 1-D array (any integer dtype,
 * either byte order) or text with one row a line ('#' comments and blank
 * lines allowed). select and sample write int64 .npy (text when the name
 * does not end in ".npy"), sorted ascending and unique; `csfs export --rows`
 * reads them as they are. */

/* *rows is malloc'd (NULL when *n is 0); release it with csfs_rows_free. */
CSFS_API int csfs_rows_read(const char *path, uint64_t **rows, size_t *n, csfs_error *err);

/* n rows to path (int64 .npy when it ends in ".npy", else text; "-" is
 * standard output), atomically: nothing is left on failure and an existing
 * file is replaced only with force. */
CSFS_API int csfs_rows_write(const char *path, const uint64_t *rows, size_t n, int force,
                             csfs_error *err);

/* Pairs (block, position): an (N, 2) integer .npy or text with two numbers
 * a line; *values holds 2 * *n numbers (block, position, block, ...). */
CSFS_API int csfs_pairs_read(const char *path, uint64_t **values, size_t *n, csfs_error *err);
CSFS_API int csfs_pairs_write(const char *path, const uint64_t *values, size_t n, int force,
                              csfs_error *err);

CSFS_API void csfs_rows_free(uint64_t *rows);

/* ---- the J blocks of a list ----------------------------------------------------
 * Blocks are contiguous row ranges in file order, numbered from 1 as GRASP
 * numbers them (JBLOCK), positions in a block from 1 (as `csfs mix` writes
 * block and pos_in_block). Empty blocks (a list ending in " *") keep their
 * number. */

typedef struct csfs_blocks {
    uint64_t csf_count;
    size_t n_blocks;
    uint64_t
        *first; /* [n_blocks + 1]: row of each block's first CSF; first[n_blocks] = csf_count */
} csfs_blocks;

/*
 * The blocks of a CSF list (GRASP text, .zst, .gz), a CSF Parquet file, a
 * descriptor Parquet file or a `csfs mix` label file: from the text's " *"
 * separators, else the Parquet key-value metadata csfs.block_lengths, else
 * the runs of equal total_two_j/parity columns (V2 descriptors), else the
 * runs of a CSF Parquet file's block column.
 */
CSFS_API int csfs_blocks_read(const char *path, csfs_blocks *out, csfs_error *err);

/* Blocks from their lengths. */
CSFS_API int csfs_blocks_from_lengths(const uint64_t *lengths, size_t n_blocks, csfs_blocks *out,
                                      csfs_error *err);

CSFS_API void csfs_blocks_free(csfs_blocks *b);

/* Rows to 1-based (block, position) pairs; block[i] and pos[i] may alias
 * nothing else. A row >= csf_count is an error naming the entry. */
CSFS_API int csfs_rows_to_blocks(const csfs_blocks *b, const uint64_t *rows, size_t n,
                                 uint64_t *block, uint64_t *pos, csfs_error *err);

/* 1-based (block, position) pairs back to rows; a block or position out of
 * range is an error naming the entry. */
CSFS_API int csfs_blocks_to_rows(const csfs_blocks *b, const uint64_t *block, const uint64_t *pos,
                                 size_t n, uint64_t *rows, csfs_error *err);

/*
 * Checks a row list against a list of csf_count CSFs: every row in range,
 * ascending, no repeats. The first offender is the error (entry, value and
 * what is wrong); `name` (the row file) starts the message.
 */
CSFS_API int csfs_rows_check(uint64_t csf_count, const uint64_t *rows, size_t n, const char *name,
                             csfs_error *err);

/* ---- select: rows by score -------------------------------------------------------
 * Order: higher score first; equal scores by lower row first (ties are broken
 * by the row number, so a selection never depends on the order of work). A
 * NaN or infinite score is an error naming its row. */

typedef enum csfs_select_mode {
    CSFS_SELECT_TOP = 1,        /* the `top` best rows */
    CSFS_SELECT_THRESHOLD = 2,  /* every row with score >= threshold */
    CSFS_SELECT_CUMULATIVE = 3, /* the shortest prefix of the order whose score sum
                                   reaches the target cumulative x total (a double
                                   product; total: the sum of all scores, of the block's
                                   per block); nothing when the target is 0; scores
                                   must be >= 0 */
} csfs_select_mode;

typedef enum csfs_score_type {
    CSFS_SCORES_F32 = 1,
    CSFS_SCORES_F64 = 2,
} csfs_score_type;

typedef struct csfs_select_options {
    /* The scores, row i for CSF i: a .npy 1-D float32/float64 array, or a
     * column of a Parquet file (FLOAT, DOUBLE, INT32 or INT64; `column` names
     * it, NULL: the file's only floating-point column)... */
    const char *scores_path;
    const char *column;
    /* ... or n_scores values in memory (used when scores_path is NULL). */
    const void *scores;
    size_t n_scores;
    csfs_score_type scores_type;

    csfs_select_mode mode;
    uint64_t top;
    double threshold;
    double cumulative; /* in [0, 1] */

    /* Select in each block on its own (top per block, cumulative per block). */
    int per_block;
    /* Block bounds for per_block and min_per_block: a list file (anything
     * csfs_blocks_read reads), else these lengths, else the scores Parquet
     * file's csfs.block_lengths metadata (e.g. a `csfs mix` label file). */
    const char *blocks_path;
    const uint64_t *block_lengths;
    size_t n_block_lengths;

    /* Rows added to the selection (a previous loop's), any order. */
    const uint64_t *union_rows;
    size_t n_union_rows;
    /* Every block keeps at least min(min_per_block, its size) rows: a block
     * with fewer (after the union) gets its best unselected rows. */
    uint64_t min_per_block;

    void (*progress)(void *ctx, const csfs_progress *progress); /* csfs_done: scores read */
    void *progress_ctx;
    const volatile int *cancel;
} csfs_select_options;

CSFS_API void csfs_select_options_init(csfs_select_options *opt);

typedef struct csfs_select_result {
    uint64_t *rows; /* sorted ascending, unique; release with csfs_select_result_free */
    size_t n_rows;
    uint64_t n_scores;
    size_t n_blocks;        /* blocks used (0 without block bounds) */
    uint64_t added_union;   /* rows the union added */
    uint64_t added_minimum; /* rows min_per_block added */
    double score_sum;       /* of the rows the mode selected (before union and minimum) */
    double total_sum;       /* of all scores (cumulative; NaN for top and threshold) */
    uint64_t passes;        /* reads of the scores (cumulative needs several) */
    double seconds;
} csfs_select_result;

/* Memory: the selection, 2K candidates for top, and a fixed 3 MB; the scores
 * are read in pieces (a file is never loaded whole). Top-K and threshold read
 * the scores once; cumulative 2 to 5 times (a radix select on the scores'
 * bits, see src/select/cumulative.c); sums are compensated. */
CSFS_API int csfs_select_run(const csfs_select_options *opt, csfs_select_result *result,
                             csfs_error *err);
CSFS_API void csfs_select_result_free(csfs_select_result *result);

/* ---- sample: uniform rows without replacement --------------------------------------
 * Every subset of the requested size is equally likely (Floyd's algorithm
 * over xoshiro256** with exact bounded integers: no floating point, no libc
 * random), so a seed gives the same rows on every machine and for every
 * thread count. The generator of stream s (s = block index from 0 per block,
 * 0 for the whole list) starts from four SplitMix64 outputs seeded with
 * seed ^ (0x9E3779B97F4A7C15 * (s + 1)). */

typedef struct csfs_sample_options {
    /* The list (anything csfs_blocks_read reads), or these block lengths
     * (used when list is NULL). */
    const char *list;
    const uint64_t *block_lengths;
    size_t n_block_lengths;

    uint64_t n;      /* rows to draw (per block with per_block) */
    double fraction; /* used when >= 0: round(fraction x available rows) instead of n */
    int per_block;   /* draw in each block on its own */
    uint64_t seed;
    /* Rows never drawn (e.g. the labelled ones), any order. */
    const uint64_t *exclude;
    size_t n_exclude;
    int threads; /* blocks drawn in parallel; 0: online CPUs. Never changes the rows. */
    const volatile int *cancel;
} csfs_sample_options;

CSFS_API void csfs_sample_options_init(csfs_sample_options *opt);

typedef struct csfs_sample_result {
    uint64_t *rows; /* sorted ascending, unique */
    size_t n_rows;
    uint64_t csf_count;
    size_t n_blocks;
    uint64_t available;  /* rows that could be drawn (not excluded) */
    size_t short_blocks; /* per_block: blocks with fewer available rows than asked (all taken) */
    double seconds;
} csfs_sample_result;

/* Asking the whole list for more rows than are available is an error; per
 * block, a block with fewer gives all it has (counted in short_blocks). */
CSFS_API int csfs_sample_run(const csfs_sample_options *opt, csfs_sample_result *result,
                             csfs_error *err);
CSFS_API void csfs_sample_result_free(csfs_sample_result *result);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_SELECT_H */
