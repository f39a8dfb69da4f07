/*
 * csfs public API: the description of a Parquet file's metadata (`csfs
 * info`): schema, rows, row groups with per-column codec, encodings, sizes
 * and statistics, key-value metadata and created_by -- as text or as one
 * JSON object, without reading any values.
 *
 * The JSON object has the keys of rCSFs' get_parquet_info (file_path,
 * file_size, num_rows, num_columns, compression, created_by) plus
 * format_version, num_row_groups, schema, row_groups and key_value_metadata.
 * `compression` is the codec name of the first column chunk ("ZSTD",
 * "SNAPPY", "UNCOMPRESSED", ...), null when there is none.
 */
#ifndef CSFS_INFO_H
#define CSFS_INFO_H

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The description of the Parquet file at path (json != 0: one JSON object
 * and a line end) as a NUL-terminated string released with csfs_free. */
CSFS_API int csfs_parquet_info(const char *path, int json, char **text, csfs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_INFO_H */
