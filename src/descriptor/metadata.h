/*
 * What a descriptor file records about its source (see engine/page_sink.h for the
 * outputs themselves).
 */
#ifndef CSFS_DESC_METADATA_H
#define CSFS_DESC_METADATA_H

#include <stdint.h>

#include "grasp/csf_text.h"
#include "csfs.h"
#include "common/kv_list.h"

/* What a descriptor file records about where it came from. */
typedef struct csfs_run_info {
    const char *source_path;
    int64_t source_size;            /* bytes of the input file, -1 for a pipe */
    const char *source_compression; /* "plain", "zstd", "gzip" */
    const csfs_header *header;
    const csfs_peel *peel;
    csfs_layout layout;
    int normalize;
    uint64_t csf_count;
    uint64_t failed_count;
    const uint64_t *block_lengths; /* CSFs per J block, in file order */
    size_t n_blocks;
    const struct csfs_kv_list *kv; /* when set: the metadata to write, as it is */
    const char *header_sha256;     /* V2: of the header TOML, or NULL */
    const char *header_filename;
} csfs_run_info;

/* The key-value metadata of a descriptor file (csfs_kv_list_free it). */
int csfs_descriptor_metadata(const csfs_run_info *info, csfs_kv_list *kv, csfs_error *err);

#endif
