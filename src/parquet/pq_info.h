/*
 * Description of a Parquet file's metadata (`csfs info`): schema, rows,
 * row groups with per-column codec/encodings/sizes/statistics, key-value
 * metadata and created_by, as text or as one JSON object.
 *
 * The JSON object has the keys of rCSFs' get_parquet_info (file_path,
 * file_size, num_rows, num_columns, compression, created_by) plus
 * format_version, num_row_groups, schema, row_groups and key_value_metadata.
 * `compression` is the codec name of the first column chunk ("ZSTD",
 * "SNAPPY", "UNCOMPRESSED", ...), null when there is none.
 */
#ifndef CSFS_PQ_INFO_H
#define CSFS_PQ_INFO_H

#include <stdbool.h>
#include <stddef.h>

#include "csfs.h"
#include "parquet/pq_reader.h"

#include "csfs/info.h"

/* The description of an open file (csfs_parquet_info opens one), as a
 * malloc'd NUL-terminated string. */
int pq_file_describe(const pq_file *f, bool json, char **text, csfs_error *err);

#endif
