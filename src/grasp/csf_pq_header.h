/*
 * The header (and block lengths) of a CSF Parquet file, from the first of:
 *   1. an explicit header TOML (the caller's --header);
 *   2. key-value metadata csfs.header_lines, with csfs.block_lengths and
 *      csfs.csf_count when present (csfs files);
 *   3. a header TOML beside the file (rCSFs files): "<stem>_header.toml",
 *      "<stem of csfs.source_file>_header.toml", "<stem>.toml",
 *      "<stem>_header" -- rCSFs's find_header_file order plus the source
 *      name -- the first that exists and has a [header_info] table (so the
 *      "<stem>.toml" that rCSFs gen-descriptors writes is passed over).
 */
#ifndef CSFS_CSF_PQ_HEADER_H
#define CSFS_CSF_PQ_HEADER_H

#include "csfs.h"
#include "grasp/header_toml.h"
#include "parquet/pq_reader.h"

typedef enum csfs_header_source {
    CSFS_HEADER_FROM_OPTION = 1,   /* the caller's header TOML */
    CSFS_HEADER_FROM_METADATA = 2, /* csfs.header_lines */
    CSFS_HEADER_FROM_SIDECAR = 3,  /* a header TOML found beside the file */
} csfs_header_source;

/*
 * Fills *hdr (free with csfs_header_toml_free) with the 5 lines and what
 * the source says about counts and blocks; *from says which source and
 * *toml_path (may be NULL) gets the TOML used (malloc'd; NULL for metadata).
 * Without any header: CSFS_E_FORMAT naming the places tried.
 */
int csfs_csf_parquet_header(const pq_file *f, const char *header_option, csfs_header_toml *hdr,
                            csfs_header_source *from, char **toml_path, csfs_error *err);

/* The header TOML beside f (the search of step 3), malloc'd in *found, or
 * NULL when there is none; the paths tried are appended to *tried if given. */
int csfs_csf_parquet_find_sidecar(const pq_file *f, char **found, csfs_buf *tried, csfs_error *err);

/*
 * The block lengths csfs records in key-value metadata csfs.block_lengths (a
 * JSON array of CSFs per J block; empty blocks kept): the one reader of that
 * key. kv is the value (NULL: absent, *n = 0 and *lengths = NULL); name is
 * the file for messages. *lengths is malloc'd.
 */
int csfs_block_lengths_parse(const char *kv, const char *name, uint64_t **lengths, size_t *n,
                             csfs_error *err);

/* The same for an open Parquet file; *present says whether it has the key. */
int csfs_pq_block_lengths(const pq_file *f, uint64_t **lengths, size_t *n, int *present,
                          csfs_error *err);

/* The first cap bytes of a file (fewer when shorter): for telling formats
 * apart by content. */
int csfs_read_prefix(const char *path, char *buf, size_t cap, size_t *got, csfs_error *err);

#endif
