/* Output names of the list tools: GRASP's "name" of a list file. */
#ifndef CSFS_LIST_NAMES_H
#define CSFS_LIST_NAMES_H

#include "csfs.h"

/*
 * The GRASP state name of a list path: the path without a compression
 * suffix (.zst, .gz) and then without ".c" or ".parquet" ("dir/e1.c.zst" ->
 * "dir/e1"); other names are kept whole ("rcsf.out"). Caller frees *out.
 */
int csfs_list_stem(const char *path, char **out, csfs_error *err);

/*
 * "<dir>/<prefix>" for the outputs of a split: prefix NULL = the stem of
 * input, and dir NULL = the input's directory then (else none). Caller frees.
 */
int csfs_list_out_prefix(const char *input, const char *dir, const char *prefix, char **out,
                         csfs_error *err);

#endif
