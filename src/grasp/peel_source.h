/*
 * The peel subshell list of any file csfs reads, told apart by content:
 *   - Parquet (PAR1 magic): metadata csfs.peel_subshells (csfs CSF and
 *     descriptor files), else peel_subshells (rCSFs descriptor files), else
 *     header line 4 of the file's header (csfs.header_lines or the header
 *     TOML beside it, see grasp/csf_pq_header.h);
 *   - a header TOML (a line "[header_info]"): header_lines[3];
 *   - anything else: a CSF list (text, .zst or .gz), its header line 4.
 * Header lines give names by the rCSFs token rule (grasp/peel.h).
 */
#ifndef CSFS_PEEL_SOURCE_H
#define CSFS_PEEL_SOURCE_H

#include "csfs.h"

typedef enum csfs_peel_origin {
    CSFS_PEEL_FROM_TEXT = 1,           /* a CSF list's header */
    CSFS_PEEL_FROM_TOML = 2,           /* a header TOML given as the file */
    CSFS_PEEL_FROM_PARQUET_LIST = 3,   /* Parquet metadata listing the names */
    CSFS_PEEL_FROM_PARQUET_HEADER = 4, /* a Parquet file's header (metadata or sidecar) */
} csfs_peel_origin;

/* *out is freed with csfs_peel_free. origin and detail may be NULL; *detail
 * (malloc'd) names the metadata key or the header TOML used, when any. */
int csfs_peel_read_any(const char *path, csfs_peel **out, csfs_peel_origin *origin, char **detail,
                       csfs_error *err);

#endif
