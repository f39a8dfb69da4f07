/*
 * csfs public API: a CSF list split by total J (`csfs split --by j`, GRASP
 * rcsfsplit naming, rCSFs split_csfs_by_j): one "<prefix>_<2J>.c" per total
 * J, each with the 5 header lines and that J's blocks in file order. Both
 * parities of one J go to the same file as separate blocks. Every output is
 * published only after the whole input was read and checked: on error none
 * is left.
 */
#ifndef CSFS_SPLIT_H
#define CSFS_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct csfs_split_options {
    const char *input;  /* CSF list: text, .zst/.gz or "-" (then prefix is required) */
    const char *dir;    /* output directory; NULL: the input's */
    const char *prefix; /* output name prefix; NULL: the input's stem */
    int copy_w;         /* copy "<input stem>.w" to "<prefix>_<2J>.w" (default 1) */
    int force;          /* replace existing outputs */
    /* Called with one message per warning; NULL: silent. */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    /* Called about twice a second from the calling thread; NULL: none. */
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    const volatile int *cancel; /* polled between chunks; non-zero -> CSFS_E_CANCELLED */
} csfs_split_options;

CSFS_API void csfs_split_options_init(csfs_split_options *opt);

#define CSFS_SPLIT_MAX_REPORTED 256

typedef struct csfs_split_summary {
    uint64_t csf_count, block_count;
    size_t n_outputs;
    int32_t two_j[CSFS_SPLIT_MAX_REPORTED]; /* per output, in order of first appearance */
    uint64_t csfs[CSFS_SPLIT_MAX_REPORTED];
    uint64_t blocks[CSFS_SPLIT_MAX_REPORTED];
    uint64_t first_block[CSFS_SPLIT_MAX_REPORTED]; /* 0-based input block of its first block */
    int32_t parity[CSFS_SPLIT_MAX_REPORTED];       /* of that block: +1 or -1 */
    int w_copied;      /* 1: "<prefix>_<2J>.w" was written beside every output */
    char prefix[4200]; /* "<dir>/<prefix>": output i is "<prefix>_<two_j[i]>.c" */
    double seconds;
} csfs_split_summary;

CSFS_API int csfs_split_run(const csfs_split_options *opt, csfs_split_summary *summary,
                            csfs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_SPLIT_H */
