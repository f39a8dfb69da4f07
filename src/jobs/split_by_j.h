/* csfs split: a CSF list into one list per total J (see jobs/split_by_j.c). */
#ifndef CSFS_SPLIT_H
#define CSFS_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

typedef struct csfs_split_options {
    const char *input;  /* CSF list: text, .zst/.gz or "-" (then prefix is required) */
    const char *dir;    /* output directory; NULL: the input's */
    const char *prefix; /* output name prefix; NULL: the input's stem */
    int copy_w;         /* copy "<input stem>.w" to "<prefix>_<2J>.w" */
    int force;
    const volatile int *cancel;
} csfs_split_options;

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
} csfs_split_summary;

int csfs_split_run(const csfs_split_options *opt, csfs_split_summary *sum, csfs_error *err);

#endif
