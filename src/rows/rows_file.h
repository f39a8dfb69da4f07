/*
 * Row files: lists of 0-based row indices, read from a NumPy .npy file (a
 * 1-D array of any integer dtype, either byte order; recognised by its magic
 * bytes) or from a text file (one index a line; blank lines and '#'
 * comments allowed), and written as int64 .npy or text. The one reader and
 * writer of row files: `export --rows`, select, sample and rows use it.
 * Indices keep the file's order; range, order and duplicate checks are the
 * caller's (it knows the row count).
 *
 * Pair files hold two numbers a row (e.g. block and position): an (N, 2)
 * C-order integer .npy, or text with two numbers a line.
 */
#ifndef CSFS_ROWS_FILE_H
#define CSFS_ROWS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "csfs/export.h"

/* csfs_rows_load (public, csfs/export.h) reads a file; this parses bytes. */

/* The same over bytes in memory (`name` in messages). */
int csfs_rows_parse(const char *data, size_t len, const char *name, uint64_t **rows, size_t *n,
                    csfs_error *err);

/* A pair file: *values holds 2 * *n numbers, row by row. */
int csfs_rows_load_pairs(const char *path, uint64_t **values, size_t *n, csfs_error *err);

/*
 * Writes n rows of `columns` (1 or 2) numbers each, atomically (a temporary
 * renamed when complete; an existing file is replaced only with force): an
 * int64 .npy of shape (n,) or (n, 2) when path ends in ".npy", else text with
 * one row a line (numbers separated by a space). Values must be < 2^63.
 */
int csfs_rows_write_file(const char *path, const uint64_t *values, size_t n, int columns, int force,
                         csfs_error *err);

#endif
