/* Growable lists of rows, and merging sorted ones: the selections' storage. */
#ifndef CSFS_SELECT_ROWVEC_H
#define CSFS_SELECT_ROWVEC_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

typedef struct rowvec {
    uint64_t *v;
    size_t n, cap;
} rowvec;

int rowvec_reserve(rowvec *r, size_t extra, csfs_error *err);
void rowvec_free(rowvec *r);

static inline int rowvec_push(rowvec *r, uint64_t row, csfs_error *err)
{
    if (r->n == r->cap) {
        int rc = rowvec_reserve(r, 1, err);
        if (rc) return rc;
    }
    r->v[r->n++] = row;
    return 0;
}

/* Sorts ascending and drops repeats. */
void rows_sort_unique(uint64_t *v, size_t *n);

/* *a = *a union b (both ascending and unique; b unchanged); *added counts
 * the rows b brought. */
int rowvec_merge(rowvec *a, const uint64_t *b, size_t nb, uint64_t *added, csfs_error *err);

/* 1 when row is in the ascending list v[0..n). */
int rows_contain(const uint64_t *v, size_t n, uint64_t row);

#endif
