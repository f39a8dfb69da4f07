/* Growing an array of fixed-size items by doubling: the one helper for the
 * record, separator and level arrays that grow as input is read. */
#ifndef CSFS_GROW_H
#define CSFS_GROW_H

#include <stdint.h>
#include <stdlib.h>

#include "common/error.h"

/* Makes *a (of *cap items of `elem` bytes) hold at least `need` items: the
 * capacity doubles, from `first`, until it does. Keeps the contents; on
 * failure *a and *cap are unchanged. */
static inline int csfs_grow_array(void **a, size_t *cap, size_t need, size_t elem, size_t first,
                                  csfs_error *err)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : first;
    while (c < need) {
        if (c > SIZE_MAX / 2) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        c *= 2;
    }
    if (c > SIZE_MAX / elem) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    void *q = realloc(*a, c * elem);
    if (!q) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    *a = q;
    *cap = c;
    return 0;
}

#endif
