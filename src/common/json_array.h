/*
 * Strict readers for the two JSON shapes csfs stores in Parquet key-value
 * metadata: an array of strings (header lines, peel names) and an array of
 * non-negative integers (block lengths). Values come from files, so they are
 * treated as hostile: anything but exactly that shape is an error.
 */
#ifndef CSFS_JSON_ARRAY_H
#define CSFS_JSON_ARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

/* An array of strings: one allocation holds every item, NUL-terminated. */
typedef struct csfs_str_array {
    size_t n;
    char **items; /* n pointers into storage */
    size_t *lens; /* byte lengths (the decoded text holds no NUL) */
    char *storage;
} csfs_str_array;

void csfs_str_array_free(csfs_str_array *a);

/*
 * Parses text[0..len) as a JSON array of strings. Escapes (\uXXXX with
 * surrogate pairs included) are decoded to UTF-8; other bytes >= 0x80 are
 * kept as they are, so header bytes survive unchanged; a decoded NUL is
 * refused. `what` names the value in messages ("file: key: ...").
 */
int csfs_json_parse_str_array(const char *text, size_t len, const char *what, csfs_str_array *out,
                              csfs_error *err);

/* Parses a JSON array of integers in [0, 2^63); *values is malloc'd (NULL
 * when n is 0) and owned by the caller. */
int csfs_json_parse_u64_array(const char *text, size_t len, const char *what, uint64_t **values,
                              size_t *n, csfs_error *err);

/* Parses a decimal integer in [0, 2^63) with nothing around it. */
int csfs_json_parse_u64(const char *text, size_t len, const char *what, uint64_t *value,
                        csfs_error *err);

#endif
