/*
 * csfs public API: the peel subshell list of any file csfs reads, and of a
 * header TOML. (Lists themselves -- csfs_peel, csfs_peel_parse, ... -- are
 * in csfs/common.h.)
 */
#ifndef CSFS_PUBLIC_PEEL_H
#define CSFS_PUBLIC_PEEL_H

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum csfs_peel_origin {
    CSFS_PEEL_FROM_TEXT = 1,           /* a CSF list's header */
    CSFS_PEEL_FROM_TOML = 2,           /* a header TOML given as the file */
    CSFS_PEEL_FROM_PARQUET_LIST = 3,   /* Parquet metadata listing the names */
    CSFS_PEEL_FROM_PARQUET_HEADER = 4, /* a Parquet file's header (metadata or sidecar) */
} csfs_peel_origin;

/*
 * The peel list of path, told apart by content: a CSF list (plain, .zst,
 * .gz: header line 4), a header TOML (header_lines[3]), or a Parquet file
 * -- CSF or descriptor, csfs or rCSFs -- (metadata csfs.peel_subshells or
 * peel_subshells, else its header from csfs.header_lines or the header TOML
 * beside it). Names from header lines follow rCSFs: white-space tokens with
 * a letter and only letters, digits, '+', '-', '_'. *out is released with csfs_peel_free; origin
 * and detail may be NULL; *detail (where exactly the list came from, e.g. the header TOML's path)
 * is released with csfs_free.
 */
CSFS_API int csfs_peel_read_any(const char *path, csfs_peel **out, csfs_peel_origin *origin,
                                char **detail, csfs_error *err);

/* The peel list of a header TOML (rCSFs read_peel_subshells: line 4 of
 * [header_info].header_lines); a TOML that lists no subshell is an error. */
CSFS_API int csfs_peel_read_header_toml(const char *path, csfs_peel **out, csfs_error *err);

/* Name of an origin: "csf list", "header toml", "parquet metadata",
 * "parquet header". */
CSFS_API const char *csfs_peel_origin_name(csfs_peel_origin origin);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_PUBLIC_PEEL_H */
