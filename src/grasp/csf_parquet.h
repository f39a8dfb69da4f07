/*
 * CSF Parquet files (written by `csfs convert` or rCSFs' convert_csfs) as a
 * source of CSF records: columns idx, line1, line2, line3 and, in csfs
 * files, block; decoded one row group at a time.
 */
#ifndef CSFS_CSF_PARQUET_H
#define CSFS_CSF_PARQUET_H

#include <stdint.h>

#include "grasp/csf_text.h"
#include "csfs.h"
#include "parquet/pq_reader.h"

typedef struct csfs_csf_parquet {
    pq_file *file;
    long col_line[3];   /* column indices of line1..line3 */
    long col_block;     /* -1 when absent */
    csfs_header header; /* from csfs.header_lines, else the header TOML beside it */
    int has_header;
    char *toml_path;       /* the header TOML used, or NULL */
    uint64_t *toml_blocks; /* its [block_info] block_lengths, or NULL */
    size_t n_toml_blocks;
    /* Without a block column (rCSFs' 4 columns, csfs convert's default): the
     * block lengths of csfs.block_lengths, else of the sidecar TOML, as
     * cumulative ends (block b holds rows [ends[b-1], ends[b])), and the first
     * row of every row group; n_ends is 0 when neither is known. */
    uint64_t *ends;
    size_t n_ends;
    uint64_t *group_row;
} csfs_csf_parquet;

/* 1 when the file starts with the Parquet magic. */
int csfs_is_parquet_file(const char *path);

int csfs_csf_parquet_open(const char *path, csfs_csf_parquet *cp, csfs_error *err);
void csfs_csf_parquet_close(csfs_csf_parquet *cp);

/* One row group's records. cols[4] (line1..3, block) are the caller's
 * decoding buffers, reused between calls; lines[3] is filled to point into
 * them and scan->cols to lines. Block changes inside the group become
 * separators; *first_block / *last_block give the group's ends (0 without
 * a block column). */
typedef struct csfs_csf_group {
    pq_column_data cols[4];
    csfs_line_column lines[3];
    int32_t first_block, last_block;
} csfs_csf_group;

int csfs_csf_parquet_read_group(const csfs_csf_parquet *cp, size_t rg, csfs_csf_group *g,
                                csfs_chunk_scan *scan, csfs_error *err);

/* The same in parts that may run at once on different threads (each writes
 * only its own columns of g): parts 0..CSFS_CSF_GROUP_PARTS-1 (line1, line2,
 * line3 with the block column), then, after all of them succeeded,
 * finish_group. On errors in several parts, the lowest part's is the one
 * read_group gives. */
#define CSFS_CSF_GROUP_PARTS 3
int csfs_csf_parquet_read_part(const csfs_csf_parquet *cp, size_t rg, int part, csfs_csf_group *g,
                               csfs_error *err);
int csfs_csf_parquet_finish_group(const csfs_csf_parquet *cp, size_t rg, csfs_csf_group *g,
                                  csfs_chunk_scan *scan, csfs_error *err);
void csfs_csf_group_free(csfs_csf_group *g);

#endif
