/*
 * Row selections for export: a list of 0-based row indices read from a
 * NumPy .npy file (a 1-D array of any integer dtype, either byte order;
 * recognised by its magic bytes) or from a text file (one index a line;
 * blank lines and '#' comments allowed). Indices keep the file's order;
 * range and duplicate checks are the caller's (it knows the row count).
 */
#ifndef CSFS_ROWS_FILE_H
#define CSFS_ROWS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

/* *rows is malloc'd (NULL when *n is 0) and owned by the caller. Negative
 * values, non-integer dtypes, other shapes and malformed lines are errors
 * naming the file (and the line or entry). */
int csfs_rows_load(const char *path, uint64_t **rows, size_t *n, csfs_error *err);

/* The same over bytes in memory (`name` in messages). */
int csfs_rows_parse(const char *data, size_t len, const char *name, uint64_t **rows, size_t *n,
                    csfs_error *err);

#endif
