/*
 * NumPy .npy headers (format versions 1.0, 2.0 and 3.0): the one parser and
 * the one formatter of the header every .npy reader and writer of csfs uses
 * (row files, scores, descriptor matrices). The header is treated as
 * hostile: only the dictionary NumPy writes (descr as a simple dtype
 * string, fortran_order, shape) is accepted. What dtypes and shapes a file
 * may have is the caller's rule.
 */
#ifndef CSFS_NPY_H
#define CSFS_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csfs.h"

#define CSFS_NPY_MAX_DIMS 8

typedef struct csfs_npy_header {
    char descr[16];    /* as stored, e.g. "<f4" */
    char kind;         /* the dtype's kind letter: 'i', 'u', 'f', 'b', ... */
    int size;          /* bytes per item (the number after the kind; 0 when none) */
    int big;           /* items are big-endian ('>') */
    int fortran_order; /* column-major data */
    int ndim;
    uint64_t shape[CSFS_NPY_MAX_DIMS];
    uint64_t count;       /* the product of the shape: items in the file */
    uint64_t data_offset; /* bytes before the array data */
} csfs_npy_header;

/* 1 when the first bytes are the .npy magic. */
int csfs_npy_is_magic(const void *data, size_t len);

/* Reads the header from f, which must be at the file's start; leaves f at
 * the first data byte. Messages name `name`. */
int csfs_npy_read_header(FILE *f, const char *name, csfs_npy_header *h, csfs_error *err);

/*
 * Formats a version 1.0 header for C-order data of dtype `descr` and the
 * given shape into out (cap bytes), padded with spaces to a multiple of 64
 * bytes and to at least min_len bytes (so it can be rewritten in place with
 * a larger shape later). Returns its length, or 0 when cap is too small.
 */
size_t csfs_npy_format_header(char *out, size_t cap, const char *descr, int ndim,
                              const uint64_t *shape, size_t min_len);

#endif
