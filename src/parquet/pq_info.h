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
#include <stdio.h>

#include "csfs.h"
#include "parquet/pq_reader.h"

/* Writes the description of f to out. CSFS_E_IO when writing fails. */
int pq_file_describe(const pq_file *f, bool json, FILE *out, csfs_error *err);

/* Opens path and returns its description as a NUL-terminated string the
 * caller releases with pq_describe_free() (for bindings that cannot pass a
 * FILE *). */
int pq_describe(const char *path, bool json, char **text, csfs_error *err);
void pq_describe_free(char *text);

/* Writes s[0..len) as a JSON string literal: escapes quotes, backslashes
 * and control characters, and replaces bytes that are not UTF-8 by U+FFFD. */
void pq_json_string(FILE *out, const char *s, size_t len);

#endif
