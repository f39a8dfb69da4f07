/*
 * Ordered read-ahead of Parquet row groups: decodes chosen columns of a list
 * of row groups on worker threads, a bounded number ahead, and hands them
 * back in list order. With 0 threads the decoding happens inside next(), so
 * callers have one code path for both.
 *
 * Memory: (threads + 1) row groups of the chosen columns.
 */
#ifndef CSFS_RG_PREFETCH_H
#define CSFS_RG_PREFETCH_H

#include <stddef.h>

#include "csfs.h"
#include "parquet/pq_reader.h"

#define CSFS_RG_MAX_COLS 2048

typedef struct csfs_rg_prefetch csfs_rg_prefetch;

/*
 * cols[k] (k < n_cols <= CSFS_RG_MAX_COLS) are column indices of f; a
 * negative entry is not decoded. groups lists row group indices in the
 * order wanted. f must stay open until csfs_rg_prefetch_stop.
 */
int csfs_rg_prefetch_start(const pq_file *f, const long *cols, int n_cols, const size_t *groups,
                           size_t n_groups, int threads, csfs_rg_prefetch **out, csfs_error *err);

/*
 * The next group of the list: *rg its index, data[k] the decoded column
 * cols[k] (valid until the next call). Returns CSFS_E_ARGUMENT after the
 * last group, or the decoding error of this group.
 */
int csfs_rg_prefetch_next(csfs_rg_prefetch *p, size_t *rg, pq_column_data **data, csfs_error *err);

/* Stops the workers (also in the middle of the list) and frees everything. */
void csfs_rg_prefetch_stop(csfs_rg_prefetch *p);

#endif
